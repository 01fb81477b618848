// SPDX-License-Identifier: GPL-2.0
/*
 * `localin restart` and SIGUSR2: the daemon execs its binary again in the
 * same process, as nginx's and haproxy's binary upgrades do, and leaves
 * everything in the kernel in force: the program attached, its pins, maps,
 * sessions and SA table. The new image starts as after kill -9: it adopts
 * the pins (the same build) or replaces them in one step (another build:
 * an upgrade installed at the path). systemd sees the same service: the
 * pid stays, RELOADING=1 before the exec, READY=1 from the new image once
 * it enforces (NOTIFY_SOCKET is in the environment, which the exec keeps).
 *
 * Every fd of the daemon is O_CLOEXEC; one is handed over on purpose: the
 * control connection of the client that asked, which the new image
 * answers once it enforces, or when it refused to start
 * (daemon_restart_answer()). So are the control socket's listener and a
 * memfd with the trace's settings (struct restart_trace): a trace an
 * admin watches while upgrading goes on, with its filters and budget.
 * Those two are named in the environment, which an older build ignores
 * (restart_fds.c): a restart onto it starts without them.
 *
 * What fails leaves the gateway enforcing: a config with errors (compiled
 * first, as a reload does) or a binary that cannot be run (gone, not
 * executable: the exec fails) is refused and this image goes on; a new
 * image that refuses its config anyway (another build's rules) exits as a
 * refused start does, leaving what is pinned in force, and says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "util/logbuf.h"
#include "daemon/internal.h"

/* How long the old image's log lines and messages may hold up the exec. */
#define RESTART_DRAIN_MS 1000
/* How long the new image's answer may wait for its reader. */
#define RESTART_ANSWER_MS 2000

FILE *daemon_msg_copy;
static char *copy_text;
static size_t copy_len;

/*
 * What the daemon knows of the trace, handed to the new image in a memfd
 * (LOCALIN_TRACE_FD). The data path's side, its filter map and the budget in
 * li_conf's trace words, stays in the kernel across the exec (the pins
 * adopted, or copied into another build's: loader_swap.c inherit()), and
 * traces meanwhile. Another build whose layout differs refuses it by its
 * size, and starts with no trace, as before; a field whose meaning
 * changes at the same size takes a new magic.
 */
#define RESTART_TRACE_MAGIC "litrace1"

struct restart_trace {
	char magic[8];
	__u32 size;	 /* sizeof(struct restart_trace) */
	__u32 left, run; /* trace_left, trace_run */
	__s64 remaining; /* the data path's budget at the exec */
	__u8 timestamp, no_func, iprope;
	struct flow_filter filter[FLOW_NR_FILTERS];
};

/* A memfd holding the trace's settings, its CLOEXEC cleared; -1. */
static int trace_handover(struct daemon *d)
{
	struct restart_trace t = { .magic = RESTART_TRACE_MAGIC };
	int fd = memfd_create("localin-trace", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	t.size = sizeof(t);
	t.left = d->trace_left;
	t.run = d->trace_run;
	if (li_loader_trace_remaining(d->l, &t.remaining))
		t.remaining = d->trace_left;
	t.timestamp = d->dbg_timestamp;
	t.no_func = d->dbg_no_func;
	t.iprope = d->dbg_iprope;
	memcpy(t.filter, d->filter, sizeof(t.filter));
	if (pwrite(fd, &t, sizeof(t), 0) != (ssize_t)sizeof(t)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A trace before the restart, its settings read from @fd; 0 or -errno. */
static int trace_take_over(struct daemon *d, int fd)
{
	struct restart_trace t;
	ssize_t n = pread(fd, &t, sizeof(t), 0);

	close(fd);
	if (n != (ssize_t)sizeof(t) ||
	    memcmp(t.magic, RESTART_TRACE_MAGIC, sizeof(t.magic)) ||
	    t.size != sizeof(t))
		return -EPROTO;
	memcpy(d->filter, t.filter, sizeof(d->filter));
	d->dbg_timestamp = t.timestamp;
	d->dbg_no_func = t.no_func;
	d->dbg_iprope = t.iprope;
	d->trace_run = t.run;
	d->trace_left = t.left;
	trace_mark_ring(d);
	/* Fresh maps (the pins were gone): the budget as it was at the exec. */
	if (li_loader_pins(d->l) == LI_PINS_NONE)
		return li_loader_set_trace(
			d->l, d->filter,
			t.left && t.remaining > 0 ? (__u32)t.remaining : 0);
	return t.left ? li_loader_set_trace_filter(d->l, d->filter) :
			li_loader_set_trace(d->l, d->filter, 0);
}

int daemon_restart_trace(struct daemon *d)
{
	int fd = d->handed_trace_fd, err;

	/* A trace a dead daemon started is nobody's now. */
	if (fd < 0)
		return li_loader_set_trace(d->l, d->filter, 0);
	d->handed_trace_fd = -1;
	err = trace_take_over(d, fd);
	if (err == -EPROTO) {
		daemon_msg(
			"the trace's settings from before the restart are another build's: the trace stops, its filters are cleared");
		flow_filters_init(d->filter);
		d->trace_left = 0;
		return li_loader_set_trace(d->l, d->filter, 0);
	}
	if (!err && d->trace_left)
		daemon_msg(
			"the trace goes on from before the restart: %u of its %u packets left, its filters kept; its lines to the log until `diagnose debug enable` streams them",
			d->trace_left, d->trace_run);
	return err;
}

/* A config the new image would refuse: refused here, nothing changes. */
static int config_ok(struct daemon *d, FILE *out)
{
	struct pipeline *p;
	int err = daemon_load(d, &p, out);

	if (err) {
		fprintf(out, "%s has errors: not restarted\n", d->o->config);
		return err;
	}
	if (!d->o->force && !daemon_nr_policies(p)) {
		fprintf(out,
			"%s has no local-in policy: not restarted (`localin run --force` starts anyway)\n",
			d->o->config);
		err = -ENOMSG;
	}
	pipeline_free(p);
	free(p);
	return err;
}

/* Sets CLOEXEC on @fd, or clears it. */
static void cloexec(int fd, bool on)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags >= 0)
		fcntl(fd, F_SETFD,
		      on ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC);
}

/* The fds the exec hands over (-1: none) kept across it, or not. */
static void handover(int fd, int ctl_fd, int trace_fd, bool cloexec_on)
{
	if (fd >= 0)
		cloexec(fd, cloexec_on);
	if (ctl_fd >= 0)
		cloexec(ctl_fd, cloexec_on);
	if (trace_fd >= 0)
		cloexec(trace_fd, cloexec_on);
}

/*
 * `localin run` as this daemon was started, in the foreground (the pid
 * stays), with the connection to answer. Returns only on failure (-errno).
 */
static int exec_again(struct daemon *d, int fd, int trace_fd)
{
	const struct daemon_opts *o = d->o;
	const char *argv[22];
	char fdarg[16], gid[24];
	char ctlvar[sizeof(RESTART_CTL_ENV) + 12];
	char tracevar[sizeof(RESTART_TRACE_ENV) + 12];
	char *tz = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
	char **env;
	int n = 0, err;

	argv[n++] = o->exe;
	argv[n++] = "run";
	argv[n++] = "--foreground";
	argv[n++] = "-c";
	argv[n++] = o->config;
	if (o->log) {
		argv[n++] = "--log";
		argv[n++] = o->log;
	}
	argv[n++] = "-s";
	argv[n++] = o->socket;
	argv[n++] = "--pin-dir";
	argv[n++] = o->pin_dir;
	if (o->vdom) {
		argv[n++] = "--vdom";
		argv[n++] = o->vdom;
	}
	if (o->force)
		argv[n++] = "--force";
	if (o->admin_gid >= 0) {
		snprintf(gid, sizeof(gid), "%lld", o->admin_gid);
		argv[n++] = "--admin-group";
		argv[n++] = gid;
	}
	/* A background daemon let go of its caller's streams: so will it. */
	if (o->ready_fd >= 0 || o->detached)
		argv[n++] = "--detached";
	/* An option: every build that has `localin restart` knows it. */
	if (fd >= 0) {
		snprintf(fdarg, sizeof(fdarg), "%d", fd);
		argv[n++] = "--restart-fd";
		argv[n++] = fdarg;
	}
	argv[n] = NULL;
	/*
	 * The listening socket too, as nginx hands its listeners over: a
	 * client that connects while the new image starts waits in its
	 * queue for the answer, instead of finding no daemon there. It and
	 * the trace's settings are named in the environment, which a build
	 * that does not know them ignores (restart_fds.c); an option it
	 * does not know would end it.
	 */
	snprintf(ctlvar, sizeof(ctlvar), RESTART_CTL_ENV "=%d", d->ctl_fd);
	snprintf(tracevar, sizeof(tracevar), RESTART_TRACE_ENV "=%d", trace_fd);
	/*
	 * The zone the daemon was started in: a config's schedule set TZ,
	 * and the new image takes TZ as the system's zone.
	 */
	if (d->orig_tz)
		setenv("TZ", d->orig_tz, 1);
	env = daemon_restart_env(d->ctl_fd >= 0 ? ctlvar : NULL,
				 trace_fd >= 0 ? tracevar : NULL);
	if (env) {
		handover(fd, d->ctl_fd, trace_fd, false);
		execve(o->exe, (char *const *)argv, env);
		err = -errno;
		handover(fd, d->ctl_fd, trace_fd, true);
	} else {
		err = -ENOMEM;
	}
	free(env);
	if (tz)
		setenv("TZ", tz, 1);
	free(tz);
	return err;
}

void daemon_restart(struct daemon *d)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	struct timespec now;
	unsigned int ended;
	int fd, trace_fd, err;

	d->restart = false;
	if (!out) {
		ctl_server_answer_restart(d, false,
					  "not restarted: out of memory", -1);
		return;
	}
	if (!d->o->exe) {
		fputs("not restarted: the path of localin's binary is not known\n",
		      out);
		err = -ENOENT;
	} else if (access(d->o->exe, X_OK)) {
		err = -errno;
		fprintf(out, "not restarted: %s: %s\n", d->o->exe,
			strerror(-err));
	} else {
		err = config_ok(d, out);
	}
	if (!err) {
		fd = ctl_server_restart_fd(d);
		clock_gettime(CLOCK_MONOTONIC, &now);
		sd_notifyf(
			0,
			"RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=restarting: exec %s",
			(unsigned long long)now.tv_sec * 1000000ull +
				(unsigned long long)now.tv_nsec / 1000,
			d->o->exe);
		daemon_msg(
			"restarting: exec %s in this process (pid %d); the program, its pins, maps and sessions stay in force for the new image",
			d->o->exe, (int)getpid());
		ctl_server_answer_restart(
			d, true,
			"restarting (another client waits for the new image's answer)",
			fd);
		/*
		 * What the data path queued is logged with the config that
		 * decided it, and reaches its readers, before the exec.
		 */
		li_loader_poll(d->l, 0, daemon_on_event, d);
		/*
		 * A console streaming the trace hears why it ends, as from
		 * `trace stop`: the exec would just close its connection.
		 * The trace goes on (trace_handover()), not its stream.
		 */
		ended = ctl_server_end_streams(
			d,
			d->trace_left ?
				"daemon restarting: the trace goes on with its filters, its lines to the log; `diagnose debug enable` again to watch it" :
				"daemon restarting: `diagnose debug enable` again to watch the trace");
		/* What the exec loses is said, as a stop says it. */
		syslogd_before_exec(d);
		alertmail_before_exec(d);
		sink_drain(&d->sink, RESTART_DRAIN_MS);
		sink_drain(&d->msgs, RESTART_DRAIN_MS);
		trace_fd = trace_handover(d);
		err = exec_again(d, fd, trace_fd);
		if (trace_fd >= 0)
			close(trace_fd);
		fprintf(out, "not restarted: exec %s: %s\n", d->o->exe,
			strerror(-err));
		/*
		 * The binary was there and executable: its streams were
		 * told "daemon restarting" and closed before the exec.
		 */
		if (ended)
			fprintf(out,
				"%u console%s streaming the trace %s told the daemon restarts and %s closed: `diagnose debug enable` again to watch it\n",
				ended, ended == 1 ? "" : "s",
				ended == 1 ? "was" : "were",
				ended == 1 ? "was" : "were");
		sd_notifyf(0, "READY=1\nSTATUS=enforcing %s", d->o->config);
	}
	fprintf(out, "this daemon (pid %d) goes on enforcing %s as before\n",
		(int)getpid(), d->o->config);
	fclose(out);
	if (text && len)
		daemon_msg("%.*s", (int)len - 1, text); /* its own LF */
	ctl_server_answer_restart(d, false, text ? text : "not restarted", -1);
	free(text);
}

void daemon_restart_begin(const struct daemon_opts *o)
{
	daemon_restart_say_fds();
	if (o->restart_fd < 0)
		return;
	/* Not to be handed to anything this image runs. */
	cloexec(o->restart_fd, true);
	daemon_msg_copy = open_memstream(&copy_text, &copy_len);
}

/* @text as a frame (ctl.h) on @fd: written within RESTART_ANSWER_MS. */
static void send_frame(int fd, bool ok, const char *text, size_t len)
{
	char *esc = NULL, *buf = NULL;
	size_t esc_len = 0, n = 0, off = 0;
	FILE *e = open_memstream(&esc, &esc_len), *f;
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	ssize_t s;

	if (!e)
		return;
	log_fputs_escaped(e, text, len, true);
	fclose(e);
	f = open_memstream(&buf, &n);
	if (f) {
		fprintf(f, "%s %u\n", ok ? "ok" : "error",
			ctl_count_lines(esc, esc_len));
		if (esc_len)
			fwrite(esc, 1, esc_len, f);
		if (esc_len && esc[esc_len - 1] != '\n')
			fputc('\n', f);
		fclose(f);
	}
	while (buf && off < n) {
		s = send(fd, buf + off, n - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (s > 0) {
			off += (size_t)s;
			continue;
		}
		if (s < 0 && errno == EINTR)
			continue;
		if (s == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) ||
		    poll(&pfd, 1, RESTART_ANSWER_MS) <= 0)
			break;
	}
	free(buf);
	free(esc);
}

void daemon_restart_answer(struct daemon *d, int err)
{
	int fd = d->o->restart_fd;

	if (!daemon_msg_copy)
		return;
	if (err)
		fprintf(daemon_msg_copy,
			"restart failed: the new image (pid %d) did not start: %s\n",
			(int)getpid(), strerror(-err));
	else
		fprintf(daemon_msg_copy, "restarted: the same pid %d\n",
			(int)getpid());
	fclose(daemon_msg_copy);
	daemon_msg_copy = NULL;
	if (fd >= 0 && copy_text)
		send_frame(fd, !err, copy_text, copy_len);
	if (fd >= 0)
		close(fd);
	free(copy_text);
	copy_text = NULL;
}
