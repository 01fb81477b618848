// SPDX-License-Identifier: GPL-2.0
/*
 * `localin run`: start, the event loop, stop (daemon.h).
 *
 * The loop: one poll() over the data path's events (the ring buffer's fd),
 * signals (signalfd), rtnetlink events and the control socket, woken at
 * the latest just after the next minute boundary for the schedules.
 */
#include <errno.h>
#include <net/if.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "util/logbuf.h"
#include "daemon/internal.h"

/* The longest sleep when the minute boundary cannot be computed. */
#define LOOP_TICK_MS 1000
/*
 * Data path, signals, rtnetlink; SA sources; the network namespace's
 * lock; control socket, connections;
 * the two sinks; the syslog servers; the metrics server; the FQDN resolver
 * and feed fetcher.
 */
#define MAX_POLLFDS                                                           \
	(3 + SA_SOURCES_MAX + 1 + 1 + CTL_MAX_CONNS + 2 + ALERTMAIL_MAX_FDS + \
	 SYSLOGD_MAX_FDS + 1 + DYNADDR_MAX_FDS)
/* How long what is queued for the caller's stderr may hold up a start. */
#define READY_DRAIN_MS 2000
/* How long each sink may hold up the exit. */
#define EXIT_DRAIN_MS 1000
/*
 * With no syslog (to_syslog()), the daemon's messages and the log lines
 * go to files beside the socket, each rolled with one old file kept.
 * The log lines are many more: 8 MB each, 16 MB of /run's memory at most.
 */
#define MSGS_FILE_MAX (1024 * 1024)
#define LOG_FILE_MAX (8 * 1024 * 1024)
/* daemon_trim_soon()'s delay. */
#define TRIM_DELAY_MS 5000
/* glibc's first mmap threshold, kept (daemon_run() says why). */
#define DAEMON_MMAP_MIN (128 * 1024)

static const struct sink_roll msgs_roll = { .max_bytes = MSGS_FILE_MAX,
					    .keep = 1 };
const struct sink_roll daemon_log_roll = { .max_bytes = LOG_FILE_MAX,
					   .keep = 1 };

void daemon_trim_soon(struct daemon *d)
{
	if (!d->trim_at_ms)
		d->trim_at_ms = sa_mono_ms() + TRIM_DELAY_MS;
}

/*
 * The heap's free pages back to the system. A reload trims at once; a
 * recompile's blocks under DAEMON_MMAP_MIN fill the holes the last trim
 * gave back, and kept them until the next reload (9 MB after 10 FQDN
 * moves that followed a reload from 200k addresses: memory.sh).
 */
static void trim_tick(struct daemon *d)
{
	if (d->trim_at_ms && sa_mono_ms() >= d->trim_at_ms) {
		malloc_trim(0);
		d->trim_at_ms = 0;
	}
}

/* The daemon's struct log_sink msgs while daemon_run() runs. */
static struct log_sink *msg_sink;

/*
 * Escaped as log lines are (log_fputs_escaped()): messages carry interface
 * names and config strings, which must not send escape sequences to a
 * terminal; newlines stay (a reload's diagnostics, escaped already).
 */
void daemon_msg(const char *fmt, ...)
{
	char *text = NULL;
	size_t len = 0;
	va_list ap;
	FILE *f = open_memstream(&text, &len);
	char *msg = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		msg = NULL; /* undefined after a failure */
	if (!f) {
		free(msg);
		return;
	}
	fputs("localin: ", f);
	if (n >= 0)
		log_fputs_escaped(f, msg, (size_t)n, true);
	else
		fputs("(a message lost: out of memory)", f);
	fputc('\n', f);
	/* For the client of a restart: unescaped, its frame escapes. */
	if (daemon_msg_copy && n >= 0)
		fprintf(daemon_msg_copy, "%s\n", msg);
	free(msg);
	fclose(f);
	/* Through the sink while the daemon runs: it never waits. */
	if (text && msg_sink)
		sink_write(msg_sink, text, len, ctl_count_lines(text, len));
	else if (text)
		fwrite(text, 1, len, stderr);
	free(text);
}

int daemon_sibling_path(const char *socket, const char *suffix, char *buf,
			unsigned int size)
{
	size_t len = strlen(socket);
	int n;

	if (len > 5 && !strcmp(socket + len - 5, ".sock"))
		n = snprintf(buf, size, "%.*s%s", (int)(len - 5), socket,
			     suffix);
	else
		n = snprintf(buf, size, "%s%s", socket, suffix);
	return n < 0 || (unsigned int)n >= size ? -ENAMETOOLONG : 0;
}

int daemon_lock_path(const char *socket, char *buf, unsigned int size)
{
	return daemon_sibling_path(socket, ".lock", buf, size);
}

/* Why an open of the lock or the log failed, in the admin's terms. */
static const char *open_error(int err)
{
	switch (err) {
	case -ELOOP:
		return "it is a symbolic link (O_NOFOLLOW)";
	case -ENXIO: /* O_NONBLOCK: the open does not wait for a reader */
		return "No such device or address (a FIFO that no process has open for reading)";
	default:
		return strerror(-err);
	}
}

/*
 * A file we opened (as root, at a name a user may have chosen) that we are
 * about to write: root's or ours, and if a regular file, with no second
 * name (no hard link to a file that matters, planted in /tmp). The look
 * before the open (ctl_path_check()) leaves a gap this closes.
 */
static int file_is_ours(int fd, const char *what, const char *path)
{
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		daemon_msg("refusing %s %s: it belongs to uid %u", what, path,
			   (unsigned int)st.st_uid);
		return -EPERM;
	}
	if (S_ISREG(st.st_mode) && st.st_nlink != 1) {
		daemon_msg("refusing %s %s: it has %u names (hard links)", what,
			   path, (unsigned int)st.st_nlink);
		return -EPERM;
	}
	return 0;
}

/*
 * flock: held for the daemon's life, and dropped by the kernel if it dies.
 * @path's pid is the holder's. 0, or -EBUSY when another daemon holds it
 * (said, naming @who), or another negative errno (said).
 */
static int lock_file(const char *path, const char *who, int *out)
{
	char pid[32];
	int fd, err, n;

	/* Its directory (the socket's too) and what is there already. */
	err = ctl_path_check(path, S_IFREG);
	if (err < 0)
		return err;
	/* O_NOFOLLOW: root never writes through a link planted there. */
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = -errno;
		daemon_msg("cannot open the lock %s: %s", path,
			   open_error(err));
		return err;
	}
	err = file_is_ours(fd, "the lock", path);
	if (err) {
		close(fd);
		return err;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		err = errno == EWOULDBLOCK ? -EBUSY : -errno;
		n = (int)pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		if (err == -EBUSY)
			daemon_msg(
				"another localin daemon is running %s (pid %s, lock %s); `localin stop` stops it",
				who, pid[0] ? pid : "unknown", path);
		else
			daemon_msg("cannot lock %s: %s", path, strerror(-err));
		close(fd);
		return err;
	}
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) || pwrite(fd, pid, (size_t)n, 0) != n)
		daemon_msg("cannot write the pid into %s", path);
	*out = fd;
	return 0;
}

/*
 * The pin dir, locked as the lock file is: pins are per bpffs, which
 * network namespaces share unless /sys is remounted in them (`nsenter
 * --net` does not remount it). A second daemon adopting a live one's
 * maps would write its config and addresses into them, unseen.
 */
static int lock_pin_dir(const char *dir, int *out, bool *made)
{
	int fd, err;

	if (!mkdir(dir, 0700)) {
		*made = true;
	} else if (errno != EEXIST) {
		err = -errno;
		daemon_msg("cannot make the pin dir %s: %s", dir,
			   strerror(-err));
		return err;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		daemon_msg("cannot open the pin dir %s: %s", dir,
			   strerror(-err));
		return err;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		err = errno == EWOULDBLOCK ? -EBUSY : -errno;
		if (err == -EBUSY)
			daemon_msg(
				"another localin daemon uses the pin dir %s (in this or another network namespace on the same bpffs); give each daemon its own --pin-dir",
				dir);
		else
			daemon_msg("cannot lock the pin dir %s: %s", dir,
				   strerror(-err));
		close(fd);
		return err;
	}
	*out = fd;
	return 0;
}

/*
 * This network namespace's lock: a listening socket at an abstract
 * address, which each namespace has its own of and which goes with the
 * process (no file to leave behind in /run). A second daemon finds it
 * taken and asks the holder's pid of it (SO_PEERCRED).
 *
 * An abstract address has no owner or mode: any local user may bind it
 * first, and so keep every localin daemon of the namespace from starting.
 * A holder that is neither root nor us, or that does not listen, or
 * whose queue stays full (a daemon takes and closes what connects: its
 * queue never does), is no localin daemon: the daemon goes on without
 * this lock, and says so (the socket's lock and the pin dir's still keep
 * a second daemon out).
 */
#define NETNS_LOCK_NAME "localin/daemon"
/*
 * A daemon binds, then listens: its lock may refuse us in between; and
 * its queue may be full until its loop takes what came.
 */
#define NETNS_LOCK_TRIES 5
#define NETNS_LOCK_WAIT_US 100000

/* Who holds the lock at @a: 0 with @cred, or -errno of the connect. */
static int netns_lock_holder(const struct sockaddr_un *a, socklen_t len,
			     struct ucred *cred)
{
	socklen_t clen = sizeof(*cred);
	int c, err = 0;

	c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c < 0)
		return -errno;
	if (connect(c, (const struct sockaddr *)a, len) ||
	    getsockopt(c, SOL_SOCKET, SO_PEERCRED, cred, &clen))
		err = -errno;
	close(c);
	return err;
}

/* Those who asked who holds the lock (a second daemon): heard, closed. */
static void netns_lock_drain(int fd)
{
	int c, i;

	for (i = 0; i < 64 && (c = accept4(fd, NULL, NULL, SOCK_CLOEXEC)) >= 0;
	     i++)
		close(c);
}

static int lock_netns(int *out)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
				    strlen(NETNS_LOCK_NAME));
	struct ucred cred = { 0 };
	int fd, err, i;

	memcpy(a.sun_path + 1, NETNS_LOCK_NAME, strlen(NETNS_LOCK_NAME));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (!bind(fd, (struct sockaddr *)&a, len) && !listen(fd, 4)) {
		*out = fd;
		return 0;
	}
	err = -errno;
	close(fd);
	if (err != -EADDRINUSE) {
		daemon_msg("cannot take this network namespace's lock: %s",
			   strerror(-err));
		return err;
	}
	for (i = 0; i < NETNS_LOCK_TRIES; i++) {
		err = netns_lock_holder(&a, len, &cred);
		if (err != -ECONNREFUSED && err != -EAGAIN)
			break;
		usleep(NETNS_LOCK_WAIT_US);
	}
	if (err == -ECONNREFUSED || err == -EAGAIN ||
	    (!err && cred.uid != 0 && cred.uid != geteuid())) {
		if (err)
			daemon_msg(
				"warning: this network namespace's lock (abstract socket @%s) is bound by a process that does not listen or accept, not by a localin daemon: going on without it",
				NETNS_LOCK_NAME);
		else
			daemon_msg(
				"warning: this network namespace's lock (abstract socket @%s) is held by pid %d of uid %u, not by a localin daemon: going on without it",
				NETNS_LOCK_NAME, (int)cred.pid,
				(unsigned int)cred.uid);
		*out = -1;
		return 0;
	}
	if (!err && cred.pid)
		daemon_msg(
			"another localin daemon is running in this network namespace (pid %d); `localin stop -s SOCKET` with its socket stops it",
			(int)cred.pid);
	else
		daemon_msg(
			"another localin daemon is running in this network namespace");
	return -EBUSY;
}

/*
 * One daemon per network namespace, whatever socket each is given: the
 * lock of the socket's name, then this namespace's (the pin dir's is
 * take_pins()).
 */
static int take_lock(struct daemon *d)
{
	char path[4096];
	int err;

	err = daemon_lock_path(d->o->socket, path, sizeof(path));
	if (err)
		return err;
	err = lock_file(path, "with this socket", &d->lock_fd);
	if (err)
		return err;
	return lock_netns(&d->ns_lock_fd);
}

/*
 * The pins need a bpffs above them (mounted when `ip netns exec` hid the
 * host's), then the pin dir, locked. Done once every check that can
 * refuse the start without touching the kernel has passed (the config,
 * the locks, the log): a refused start made nothing, and said nothing
 * about a mount it did not keep. What is made here a failed start
 * removes (undo_pins()).
 */
static int take_pins(struct daemon *d)
{
	int r = li_pins_ensure_bpffs(d->o->pin_dir, d->bpffs_dir,
				     sizeof(d->bpffs_dir));

	if (r < 0) {
		daemon_msg(
			"--pin-dir %s: %s is not a bpffs and none can be mounted there: %s (mount one with `mount -t bpf bpf %s`, or choose a --pin-dir under a bpffs)",
			d->o->pin_dir, d->bpffs_dir, strerror(-r),
			d->bpffs_dir);
		return r;
	}
	d->bpffs_mounted = r == 1;
	if (d->bpffs_mounted)
		daemon_msg(
			"%s was not a bpffs (as under `ip netns exec`, which remounts /sys); mounted one there for the pins. They last as long as this daemon; after a crash the next start finds its program by interface and adopts its maps. `nsenter --net=/run/netns/NAME localin run --pin-dir DIR` keeps the pins on the host's bpffs (a DIR of its own), where bpftool sees them",
			d->bpffs_dir);
	return lock_pin_dir(d->o->pin_dir, &d->pin_lock_fd, &d->pin_dir_made);
}

/* A start that failed with nothing pinned: the dir and mount it made go. */
static void undo_pins(struct daemon *d)
{
	if (d->pin_dir_made && rmdir(d->o->pin_dir) && errno != ENOENT)
		daemon_msg("cannot remove the pin dir %s: %s", d->o->pin_dir,
			   strerror(errno));
	if (d->bpffs_mounted && umount2(d->bpffs_dir, 0))
		daemon_msg("cannot unmount the bpffs at %s: %s", d->bpffs_dir,
			   strerror(errno));
}

static int open_signals(struct daemon *d, sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR2);
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &set, old))
		return -errno;
	d->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return d->sig_fd < 0 ? -errno : 0;
}

static void read_signals(struct daemon *d)
{
	struct signalfd_siginfo si;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	while (read(d->sig_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGUSR2) {
			d->restart = true; /* restart.c, after the loop */
			continue;
		}
		if (si.ssi_signo != SIGHUP) {
			d->stopping = true;
			continue;
		}
		f = open_memstream(&text, &len);
		if (f) {
			/* says what happened itself */
			daemon_reload(d, f, false, NULL);
			fclose(f);
		}
		free(text);
		text = NULL;
	}
}

static bool is_regular_file(int fd)
{
	struct stat st;

	return !fstat(fd, &st) && S_ISREG(st.st_mode);
}

/*
 * @s to syslog from now on; its counts go on, with what it still held.
 * With no syslog to reach (no /dev/log: a container, a minimal host,
 * journald not running), to the file @fallback instead, rolled as @roll
 * says (it lives in /run, in memory): lines only counted as lost would
 * be seen by no one.
 */
static void to_syslog(struct log_sink *s, sink_say_fn say, const char *fallback,
		      const struct sink_roll *roll)
{
	__u64 lines = s->lines, lost = s->lost;

	sink_flush(s);
	if (s->q)
		lost += ctl_count_lines(s->q + s->q_off, s->q_len - s->q_off);
	sink_close(s);
	sink_open_syslog(s, say);
	if (s->fd < 0 && fallback) {
		sink_close(s);
		if (!sink_open(s, fallback, say)) {
			sink_set_roll(s, roll);
		} else {
			sink_close(s);
			sink_open_syslog(s, say);
		}
	}
	s->lines = lines;
	s->lost = lost;
}

/*
 * The control socket's path with @ext for its ".sock" (or added) into
 * @buf, or "" when it does not fit.
 */
static void beside_socket(const struct daemon *d, const char *ext, char *buf,
			  size_t size)
{
	const char *sock = d->o->socket ? d->o->socket : "";
	size_t n = strlen(sock);

	if (n > 5 && !strcmp(sock + n - 5, ".sock"))
		n -= 5;
	if (!n || snprintf(buf, size, "%.*s%s", (int)n, sock, ext) >= (int)size)
		buf[0] = '\0';
}

/* The daemon's messages, with no syslog: SOCKET.messages. */
static void msgs_to_syslog(struct daemon *d)
{
	beside_socket(d, ".messages", d->msgs_path, sizeof(d->msgs_path));
	to_syslog(&d->msgs, NULL, d->msgs_path[0] ? d->msgs_path : NULL,
		  &msgs_roll);
}

/*
 * A background daemon, once enforcing, lets go of its caller's stdout and
 * stderr: `out=$(localin run ...)`, ssh and ansible wait until every
 * writer of their pipe (or terminal) has closed it. Each of the two that
 * is not a regular file becomes /dev/null, and what went there goes to
 * syslog: log lines without --log, and the daemon's messages. A
 * redirect to a file (`2>>localin.err`) keeps no one waiting and stays.
 * stdin was /dev/null from the fork on (run.c).
 */
static void detach_streams(struct daemon *d)
{
	bool out = !is_regular_file(STDOUT_FILENO);
	bool err = !is_regular_file(STDERR_FILENO);
	int null;

	if (!out && !err)
		return;
	/* Not twice: a restarted image's went to syslog at its start. */
	if (err && d->msgs.std_fd == STDERR_FILENO) {
		msgs_to_syslog(d);
		if (d->msgs.path)
			daemon_msg(
				"no syslog at %s: the daemon's messages go to %s",
				SINK_SYSLOG_PATH, d->msgs_path);
	}
	if (out && d->sink.std_fd == STDOUT_FILENO) {
		beside_socket(d, ".log", d->log_path, sizeof(d->log_path));
		to_syslog(&d->sink, daemon_msg,
			  d->log_path[0] ? d->log_path : NULL,
			  &daemon_log_roll);
		if (d->sink.path)
			daemon_msg("no syslog at %s: the log lines go to %s",
				   SINK_SYSLOG_PATH, d->log_path);
	}
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0) {
		daemon_msg(
			"cannot open /dev/null: %s; keeping stdout and stderr",
			strerror(errno));
		return;
	}
	if (out)
		dup2(null, STDOUT_FILENO);
	if (err)
		dup2(null, STDERR_FILENO);
	if (null > STDERR_FILENO)
		close(null);
}

static void ready(struct daemon *d)
{
	char absent[256] = "";
	size_t i, n = 0, len = 0;

	for (i = 0; i < d->nr_links; i++)
		n += d->links[i].attached;
	for (i = 0; i < d->want.nr && len < sizeof(absent); i++) {
		if (!links_have_name(d, d->want.names[i]))
			len += (size_t)snprintf(absent + len,
						sizeof(absent) - len, "%s%s",
						len ? ", " : "; waiting for ",
						d->want.names[i]);
	}
	daemon_msg("enforcing %s on %zu interface%s%s", d->o->config, n,
		   n == 1 ? "" : "s", absent);
	sd_notifyf(0, "READY=1\nMAINPID=%d\nSTATUS=enforcing %s", (int)getpid(),
		   d->o->config);
	if (d->o->ready_fd < 0) {
		/* Restarted in place: as the image before it had. */
		if (d->o->detached)
			detach_streams(d);
		return;
	}
	/* What was said up to now reaches the caller before it returns. */
	sink_drain(&d->msgs, READY_DRAIN_MS);
	if (write(d->o->ready_fd, "1", 1) != 1)
		daemon_msg("cannot tell the parent we are ready: %s",
			   strerror(errno));
	close(d->o->ready_fd);
	detach_streams(d);
}

/* Pins gone with a dead daemon's bpffs, its program found attached. */
static void orphan_msg(const struct daemon *d)
{
	int ifindex = li_loader_orphan_ifindex(d->l);
	char name[IF_NAMESIZE];

	if (!if_indextoname((unsigned int)ifindex, name))
		snprintf(name, sizeof(name), "ifindex %d", ifindex);
	daemon_msg(
		"nothing was pinned under %s, but a daemon that stopped left this build's program attached to %s: adopted its maps (its sessions go on) and pinned them there",
		d->o->pin_dir, name);
}

/*
 * A session table this start made (nothing adopted) knows none of the
 * gateway's connections: put them in before the program meets their
 * replies (sess_seed.c). Not fatal: without them it enforces as before.
 */
static void seed_sessions(struct daemon *d)
{
	enum li_pins pins = li_loader_pins(d->l);
	int n;

	if (pins != LI_PINS_NONE && pins != LI_PINS_REPLACED)
		return;
	n = sessions_seed(d);
	if (n < 0)
		daemon_msg(
			"cannot read this host's connections (%s): replies to those whose remote speaks next meet the policies until the gateway sends on them",
			strerror(-n));
	else if (n)
		daemon_msg(
			"%d connection%s the gateway had open entered as sessions: their replies pass",
			n, n == 1 ? "" : "s");
}

/*
 * An adopted program judges packets by the set in force, which classes
 * the interfaces by name. The first flip of ours must class them too, or
 * until links_resync() named them a policy naming an interface matched
 * nothing there (a deny-all let 13000 datagrams of a UDP stream by):
 * this namespace's interfaces, named before the ruleset is pushed.
 */
static void name_interfaces(struct daemon *d)
{
	enum li_pins pins = li_loader_pins(d->l);
	struct if_nameindex *ni;
	size_t full = 0;
	int err;

	if (pins != LI_PINS_ADOPTED && pins != LI_PINS_ORPHAN)
		return;
	ni = if_nameindex();
	if (!ni) {
		err = -errno;
	} else {
		err = daemon_name_interfaces(d->l, ni, &full);
		if_freenameindex(ni);
	}
	if (full)
		daemon_msg(
			"%zu interface%s not classed: %s; until they are, a packet arriving there is judged as on an interface no policy names (by the policies on \"any\" alone)",
			full, full == 1 ? " is" : "s are",
			li_loader_strerror(-ENOSPC));
	if (err)
		daemon_msg(
			"cannot list this host's interfaces (%s): until they are, a policy naming one may not match there",
			strerror(-err));
}

int daemon_name_interfaces(struct li_loader *l, const struct if_nameindex *ni,
			   size_t *not_classed)
{
	const struct if_nameindex *i;
	int err = 0;

	*not_classed = 0;
	/* Those whose classes do not fit: the others still are. */
	for (i = ni; i->if_index && !err; i++) {
		err = li_loader_set_interface(l, (int)i->if_index, i->if_name);
		if (err == -ENOSPC) {
			(*not_classed)++;
			err = 0;
		}
	}
	return err;
}

/*
 * The config, its diagnostics on stderr, and for the client of a restart
 * (daemon_msg_copy) too.
 */
static int load_config(struct daemon *d, struct pipeline **p)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int err;

	if (!daemon_msg_copy)
		return daemon_load(d, p, stderr);
	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	err = daemon_load(d, p, f);
	fclose(f);
	if (text) {
		fwrite(text, 1, len, stderr);
		fwrite(text, 1, len, daemon_msg_copy);
	}
	free(text);
	return err;
}

/* Everything up to READY=1; on failure, start() leaves pins in place. */
static int start(struct daemon *d)
{
	struct rl_conf rlc;
	struct pipeline *p;
	int err;

	err = load_config(d, &p);
	if (err)
		return err;
	/* As reload.c: a config cut short enforces nothing; say it, stop. */
	if (!d->o->force && !daemon_nr_policies(p)) {
		daemon_msg(
			"%s has no local-in policy: nothing would be enforced; `localin run --force` starts anyway",
			d->o->config);
		err = -ENOMSG;
		goto out_free;
	}
	err = take_lock(d);
	if (err)
		goto out_free;
	/*
	 * What the daemon before us resolved and fetched, read under the
	 * lock: a restart while DNS is down must not deny the VPN peers a
	 * policy names by FQDN until DNS answers again.
	 */
	dynaddr_restore(d, &p);
	if (!d->o->log) {
		sink_open_std(&d->sink, STDOUT_FILENO, daemon_msg);
	} else {
		struct stat st;

		/* Made by this start: a start refused later removes it. */
		d->log_made = lstat(d->o->log, &st) && errno == ENOENT;
		/* It refuses another user's file or a hard link (said). */
		err = sink_open(&d->sink, d->o->log, daemon_msg);
		if (err) {
			daemon_msg("cannot open %s: %s", d->o->log,
				   open_error(err));
			goto out_free;
		}
	}
	err = take_pins(d);
	if (err)
		goto out_free;
	rl_conf_default(&rlc);
	if (getrandom(&rlc.seed, sizeof(rlc.seed), 0) != sizeof(rlc.seed))
		rlc.seed = (__u64)getpid() << 32 ^ (__u64)time(NULL);
	err = log_emitter_init(&d->log, &rlc);
	if (err)
		goto out_free;
	/* Maps sized for this config (twice); adopted ones keep theirs. */
	err = li_loader_open_for(&d->l, d->o->pin_dir, true, &p->rs);
	if (err) {
		daemon_msg("cannot load the XDP program (pin dir %s): %s",
			   d->o->pin_dir, strerror(-err));
		goto out_free;
	}
	if (li_loader_pins(d->l) == LI_PINS_ADOPTED)
		daemon_msg("adopted the program and maps pinned under %s",
			   d->o->pin_dir);
	else if (li_loader_pins(d->l) == LI_PINS_ORPHAN)
		orphan_msg(d);
	else if (li_loader_pins(d->l) == LI_PINS_REPLACED)
		daemon_msg(
			"what is pinned under %s was made by another build of localin: this build's program replaces it without a gap",
			d->o->pin_dir);
	name_interfaces(d);
	err = daemon_apply(d, p);
	if (err)
		goto out_free;
	p = NULL;
	err = rtnl_open(&d->rtnl);
	if (err) {
		daemon_msg("cannot open rtnetlink: %s", strerror(-err));
		return err;
	}
	/* The gateway's addresses (which SAs come in), nothing attached yet. */
	err = links_resync(d);
	if (err)
		return err;
	/*
	 * The live SAs before any interface is attached; the trace of the
	 * image before a restart goes on, one a dead daemon started is
	 * nobody's now (restart.c).
	 */
	err = sas_start(d) ?: daemon_restart_trace(d);
	if (err) {
		daemon_msg("cannot set up the data path: %s", strerror(-err));
		return err;
	}
	seed_sessions(d);
	err = links_sync(d, true);
	if (err)
		return err;
	d->live = true;
	err = ctl_server_open(d);
	if (err) {
		daemon_msg("cannot listen on %s: %s", d->o->socket,
			   strerror(-err));
		return err;
	}
	d->report_minute = d->sched.minute;
	sessions_init(d);
	metrics_configure(d, NULL);
	ready(d);
	return 0;
out_free:
	if (p) {
		pipeline_free(p);
		free(p);
	}
	return err;
}

/*
 * The wall clock set since the last look (NTP's step at boot, date -s):
 * the log rate limits move with it (log_emitter_clock()).
 */
static void clock_watch(struct daemon *d)
{
	struct timespec rt, mt;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mt);
	log_emitter_clock(&d->log,
			  ((__s64)rt.tv_sec - (__s64)mt.tv_sec) * 1000000000ll +
				  ((__s64)rt.tv_nsec - (__s64)mt.tv_nsec));
}

/* @t (a part's wait, -1: none) when it is sooner than *@ms. */
static void sooner(int *ms, int t)
{
	if (t >= 0 && t < *ms)
		*ms = t;
}

/*
 * How long the loop may sleep: until just after the next minute (*@minute:
 * the one it is now, for the report), or until a part has something due.
 */
static int loop_timeout_ms(struct daemon *d, __s64 *minute)
{
	struct timespec now;
	int ms;

	clock_gettime(CLOCK_REALTIME, &now);
	if (sched_local_minute(&now, minute, &ms))
		ms = LOOP_TICK_MS;
	/* Wake just after the boundary, not just before it. */
	ms = ms + 1 < LOOP_TICK_MS ? ms + 1 : LOOP_TICK_MS;
	sooner(&ms, sas_timeout_ms(d));
	sooner(&ms, ctl_server_timeout_ms(d));
	sooner(&ms, sessions_timeout_ms(d));
	sooner(&ms, alertmail_timeout_ms(d));
	sooner(&ms, syslogd_timeout_ms(d));
	sooner(&ms, metrics_timeout_ms(d));
	sooner(&ms, dynaddr_timeout_ms(d));
	/* Events come mostly unannounced: drain them on time. */
	sooner(&ms, li_loader_drain_ms(d->l));
	return ms;
}

static void loop(struct daemon *d)
{
	struct pollfd pfd[MAX_POLLFDS];
	bool poll_broken = false, poll_failed = false;
	int n, ms, nr_fixed, nr_sa, nr_ctl, ready, ns_at;
	int nr_am0, nr_am;
	int sl_at, nr_sl;
	int met_at, nr_met;
	int dyn_at, nr_dyn;

	while (!d->stopping && !d->restart) {
		__s64 minute = d->report_minute;

		ms = loop_timeout_ms(d, &minute);
		n = 0;
		pfd[n++] = (struct pollfd){ .fd = li_loader_event_fd(d->l),
					    .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = d->sig_fd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = rtnl_event_fd(&d->rtnl),
					    .events = POLLIN };
		nr_sa = sas_pollfds(d, pfd + n, SA_SOURCES_MAX);
		n += nr_sa;
		ns_at = n;
		pfd[n++] = (struct pollfd){ .fd = d->ns_lock_fd,
					    .events = POLLIN };
		nr_fixed = n;
		n += ctl_server_pollfds(d, pfd + n,
					MAX_POLLFDS - 2 - ALERTMAIL_MAX_FDS -
						SYSLOGD_MAX_FDS - 1 -
						DYNADDR_MAX_FDS - n);
		nr_ctl = n - nr_fixed;
		/* A sink whose reader is slow: written as it takes lines. */
		n += sink_pollfd(&d->sink, pfd + n);
		n += sink_pollfd(&d->msgs, pfd + n);
		nr_am0 = n;
		n += alertmail_pollfds(d, pfd + n, ALERTMAIL_MAX_FDS);
		nr_am = n - nr_am0;
		sl_at = n;
		nr_sl = syslogd_pollfds(d, pfd + n, SYSLOGD_MAX_FDS);
		n += nr_sl;
		met_at = n;
		nr_met = metrics_pollfd(d, pfd + n);
		n += nr_met;
		dyn_at = n;
		nr_dyn = dynaddr_pollfds(d, pfd + n, DYNADDR_MAX_FDS);
		n += nr_dyn;
		/* A broken event source must not make the loop spin. */
		if (poll_broken)
			pfd[0].fd = -1;
		ready = poll(pfd, (nfds_t)n, ms);
		if (ready > 0) {
			if (pfd[1].revents)
				read_signals(d);
			if (pfd[2].revents)
				links_follow(d);
			sas_handle(d, pfd + 3, nr_sa);
			if (pfd[ns_at].revents)
				netns_lock_drain(d->ns_lock_fd);
			ctl_server_handle(d, pfd + nr_fixed, nr_ctl);
			sink_flush(&d->sink);
			sink_flush(&d->msgs);
			alertmail_handle(d, pfd + nr_am0, nr_am);
			syslogd_handle(d, pfd + sl_at, nr_sl);
			dynaddr_handle(d, pfd + dyn_at, nr_dyn);
		} else if (ready < 0 && errno != EINTR) {
			/*
			 * EINVAL: more fds than RLIMIT_NOFILE (a limit set
			 * absurdly low); ENOMEM. Say it once, and wait as the
			 * poll would have, instead of going round at once.
			 */
			if (!poll_failed)
				daemon_msg(
					"poll: %s; waiting %d ms between tries",
					strerror(errno), ms);
			poll_failed = true;
			usleep((useconds_t)ms * 1000);
		} else {
			poll_failed = false;
		}
		/* Lines from here on in the wall clock as it is now. */
		clock_watch(d);
		/* Drain whatever the data path sent, without waiting. */
		n = li_loader_poll(d->l, 0, daemon_on_event, d);
		if (n < 0 && n != -EINTR) {
			if (!poll_broken)
				daemon_msg("reading data path events: %s",
					   strerror(-n));
			poll_broken = true;
		} else {
			poll_broken = false;
		}
		daemon_tick(d, false);
		trace_tick(d);
		ring_full_tick(d);
		sas_tick(d);
		links_tick(d);
		trim_tick(d);
		sessions_tick(d);
		syslogd_tick(d);
		ctl_server_tick(d);
		alertmail_tick(d);
		dynaddr_tick(d);
		geoip_tick(d);
		/* The scrapes: read the counters here, in the loop's thread. */
		metrics_handle(d, ready > 0 && nr_met ? &pfd[met_at] : NULL);
		if (minute != d->report_minute) {
			daemon_report(d);
			d->report_minute = minute;
		}
	}
}

/* Detach, unpin, close, unlock: nothing of ours is left in the kernel. */
static void stop(struct daemon *d)
{
	int err, kept;

	sd_notify(0, "STOPPING=1");
	kept = links_detach_all(d);
	err = li_loader_unpin(d->l);
	if (err)
		daemon_msg("cannot unpin under %s: %s", d->o->pin_dir,
			   strerror(-err));
	li_loader_close(d->l);
	d->l = NULL;
	ctl_server_close(d);
	syslogd_close(d);
	close(d->lock_fd);
	d->lock_fd = -1;
	close(d->ns_lock_fd);
	d->ns_lock_fd = -1;
	close(d->pin_lock_fd);
	d->pin_lock_fd = -1;
	/* Say only what is true: a program left attached still enforces. */
	if (kept)
		daemon_msg(
			"stopped, but %d interface%s still run%s the program (see above)",
			kept, kept == 1 ? "" : "s", kept == 1 ? "s" : "");
	else if (err)
		daemon_msg(
			"stopped: detached from every interface; pins left under %s",
			d->o->pin_dir);
	else
		daemon_msg(
			"stopped: detached from every interface, nothing pinned under %s",
			d->o->pin_dir);
}

/* Did a daemon before this one leave its program pinned under @dir? */
static bool pinned(const char *dir)
{
	char path[PATH_MAX];

	return snprintf(path, sizeof(path), "%s/li_conf", dir) <
		       (int)sizeof(path) &&
	       !access(path, F_OK);
}

int daemon_run(const struct daemon_opts *o)
{
	struct daemon d = {
		.o = o,
		.lock_fd = -1,
		.ns_lock_fd = -1,
		.pin_lock_fd = -1,
		.sig_fd = -1,
		.ctl_fd = -1,
		.handed_ctl_fd = -1,
		.handed_trace_fd = -1,
		.set_cur = -1,
		.set_prev = -1,
	};
	const char *tz = getenv("TZ");
	sigset_t old;
	int err, i;

	/* First: an fd number handed over names the fd it was at the exec. */
	daemon_restart_take_fds(&d);
	/*
	 * Uptime counts from here, before the config's first load: `get
	 * system status` showed it starting after "Config loaded", once the
	 * program was verified and attached.
	 */
	d.started_at = time(NULL);
	d.started_ms = sa_mono_ms();
	/*
	 * Every block of DAEMON_MMAP_MIN or more its own mapping, given back
	 * at its free(). glibc's threshold rises to the size of each such
	 * block freed (up to 32 MB), and then serves the next ones (a
	 * recompile's port tables, a burst of SAs) from the heap, whose pages
	 * stay ours until a reload trims it. Set, the threshold stays put.
	 */
	mallopt(M_MMAP_THRESHOLD, DAEMON_MMAP_MIN);
	for (i = 0; i < CTL_MAX_CONNS; i++)
		d.conns[i].fd = -1;
	d.metrics.epoll_fd = -1;
	d.sink.fd = -1;
	sink_open_std(&d.msgs, STDERR_FILENO, NULL);
	/* Restarted in place, from a daemon whose messages went to syslog. */
	if (o->detached && !is_regular_file(STDERR_FILENO)) {
		msgs_to_syslog(&d);
	}
	msg_sink = &d.msgs;
	daemon_restart_begin(o);
	sigprocmask(SIG_SETMASK, NULL, &old);
	/*
	 * TZ stays set for the daemon's life: a reload or a schedule's zone
	 * sets it, and the daemon never unsets it. Unset and set again, it
	 * would be a new variable, and glibc moves the environment array
	 * to add one while getaddrinfo_a()'s thread (syslog servers by
	 * name) may be reading it. Unset means /etc/localtime, which is
	 * what ":/etc/localtime" names.
	 */
	d.orig_tz = strdup(tz ? tz : ":/etc/localtime");
	if (d.orig_tz)
		setenv("TZ", d.orig_tz, 1);
	/* start-utc of a config without a zone: read in this one. */
	obj_set_system_zone(d.orig_tz);
	err = sa_registry_init(&d.sa_reg, 30);
	if (err) {
		msg_sink = NULL;
		sink_close(&d.msgs);
		free(d.orig_tz);
		return err;
	}
	local_set_init(&d.locals);
	flow_filters_init(d.filter);
	err = open_signals(&d, &old);
	if (!err)
		err = start(&d);
	if (!err) {
		daemon_restart_answer(&d, 0);
		/* A restart returns only when it failed: this image goes on. */
		for (loop(&d); !d.stopping && d.restart; loop(&d))
			daemon_restart(&d);
		stop(&d);
		ctl_server_answer_stop(&d, "stopped");
	} else if (!d.l) {
		/*
		 * Refused before the loader was opened (a restart loop on a
		 * bad config): enforcement that was going on before goes on,
		 * said, where the admin saw only the config's errors.
		 */
		if (pinned(o->pin_dir))
			daemon_msg(
				"not started; what is pinned under %s stays in force",
				o->pin_dir);
		undo_pins(&d);
	} else if (li_loader_pins(d.l) == LI_PINS_NONE) {
		/* A fresh start that failed leaves nothing behind. */
		links_detach_all(&d);
		if (li_loader_unpin(d.l))
			daemon_msg("cannot unpin under %s", o->pin_dir);
		daemon_msg("not started; nothing attached or pinned");
		li_loader_close(d.l);
		d.l = NULL;
		undo_pins(&d);
	} else {
		/* Enforcement that was going on before we came goes on. */
		daemon_msg(
			"not started; what is pinned under %s stays in force",
			o->pin_dir);
		li_loader_close(d.l);
	}
	/* Nothing written to it: a refused start leaves no empty log. */
	if (err && d.log_made && d.sink.path && !d.sink.size && !d.sink.rolls)
		unlink(o->log);
	if (err)
		daemon_restart_answer(&d, err);
	ctl_server_close(&d);
	alertmail_close(&d);
	metrics_close(&d);
	dynaddr_close(&d);
	rtnl_close(&d.rtnl);
	if (d.lock_fd >= 0)
		close(d.lock_fd);
	if (d.ns_lock_fd >= 0)
		close(d.ns_lock_fd);
	if (d.pin_lock_fd >= 0)
		close(d.pin_lock_fd);
	if (d.sig_fd >= 0)
		close(d.sig_fd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	/* The last lines and messages, if their readers take them soon. */
	sink_drain(&d.sink, EXIT_DRAIN_MS);
	sink_drain(&d.msgs, EXIT_DRAIN_MS);
	msg_sink = NULL;
	sink_close(&d.msgs);
	sink_close(&d.sink);
	log_emitter_release(&d.log);
	daemon_release_config(&d);
	local_set_free(&d.locals);
	sas_close(&d);
	sa_registry_free(&d.sa_reg);
	free(d.links);
	free(d.orig_tz);
	return err;
}
