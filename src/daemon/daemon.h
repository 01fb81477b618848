/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `localin run`: the daemon that owns the XDP data path.
 *
 * Start: load, validate and compile the config (errors with their
 * locations, and no daemon); take the lock (a second daemon refuses to
 * start); open the loader on the pin directory, adopting what a previous
 * daemon left pinned, so a restart after a crash leaves no gap; push the
 * ruleset, the schedule masks, the gateway's addresses (rtnetlink) and the
 * SAs; attach to every interface the policies name (`any`: all but
 * loopback); open the control socket (ctl.h) and tell systemd READY=1.
 *
 * Then follow the kernel (addresses and interfaces come and go), the clock
 * (schedule masks at every local minute boundary), the data path's events
 * (log and trace lines to the sink) and the admin (SIGHUP or `reload`:
 * re-read the config, keep the running one if the new one has errors;
 * SIGTERM, SIGINT or `stop`: detach everywhere, unpin, release the lock;
 * SIGUSR2 or `restart`: exec the binary again in this process, leaving
 * everything in the kernel in force, for the new image to adopt).
 *
 * Files: daemon.c (start, loop, stop), reload.c (config in force, schedule
 * masks), links.c (interfaces, attachments, local addresses), events.c
 * (data path events to lines), ctl_server.c and status.c (the control
 * socket), rtnl.c, locals.c, sched.c, sink.c, ctl_proto.c, ctl_client.c.
 */
#ifndef LOCALIN_DAEMON_DAEMON_H
#define LOCALIN_DAEMON_DAEMON_H

#include <stdbool.h>

struct daemon_opts {
	const char *config;  /* absolute path: reloads re-read it */
	const char *log;     /* log and trace lines; NULL: stdout */
	const char *socket;  /* control socket (ctl.h: ctl_netns_path()) */
	const char *vdom;    /* of a multi-VDOM config; NULL: root */
	const char *pin_dir; /* bpffs directory (loader.h: LI_PIN_DIR) */
	int ready_fd;	     /* -1, or written one byte once enforcing,
			      * then stdout and stderr are let go of */
	bool force;	     /* run a config without any local-in policy */
	/*
	 * --admin-group: members may use the control socket (root:G,
	 * 0660); -1: root only.
	 */
	long long admin_gid;
	const char *version; /* `get system status` (cli/commands.h's) */
	/*
	 * `localin restart`: the binary to exec again, its path as resolved
	 * at start (an upgrade installs a new file there); NULL: none.
	 */
	const char *exe;
	/*
	 * Set in the image a restart execs (restart.c): the control
	 * connection of the client that asked (-1: a signal asked), and
	 * whether the image before had let go of its caller's streams.
	 */
	int restart_fd;
	bool detached;
	/*
	 * ... and, from an older build's restart (--ctl-fd, --trace-fd;
	 * this one names them in the environment: restart_fds.c), the
	 * control socket's listening fd, -1: none handed over
	 */
	int ctl_fd;
	/*
	 * ... and the trace's settings (restart.c struct restart_trace):
	 * its filters, what is left of it, how it prints; -1: none.
	 */
	int trace_fd;
};

/*
 * A file of the daemon's beside its control socket: @socket with ".sock"
 * replaced by @suffix (".lock": /run/localin.lock), or @suffix appended;
 * per network namespace as the socket's default is. 0 or -ENAMETOOLONG.
 */
int daemon_sibling_path(const char *socket, const char *suffix, char *buf,
			unsigned int size);
/* The lock that keeps a second daemon away: daemon_sibling_path ".lock". */
int daemon_lock_path(const char *socket, char *buf, unsigned int size);

/*
 * Run until stopped. Problems are reported on stderr. 0 after a clean
 * stop; -EINVAL for a config with errors; -EBUSY when another daemon holds
 * the lock; another negative errno when the data path could not be set up.
 */
int daemon_run(const struct daemon_opts *o);

#endif
