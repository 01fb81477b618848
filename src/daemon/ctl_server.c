// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's end of the control socket (ctl.h): a listening unix
 * socket, up to CTL_MAX_CONNS non-blocking connections, lines in, answers
 * out, within the limits ctl.h names.
 *
 * Each connection has one deadline (conn_deadline()), which the loop's
 * poll timeout includes (ctl_server_timeout_ms()). At the fd limit,
 * accept4() fails while the connection stays queued and the socket stays
 * readable: the loop would spin. So the connection idle longest gives its
 * descriptor, or else a spare one held for this (/dev/null) is closed
 * long enough to take the connection off the queue and refuse it; if
 * even that fails, the socket is left out of the poll for a while.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ipsec/retry.h"
#include "util/logbuf.h"
#include "daemon/internal.h"

/*
 * Before the daemon makes or removes anything at @path (its control socket,
 * @type S_IFSOCK, or its lock, S_IFREG): root runs it with a name a user
 * may have chosen (-s /tmp/...), so nobody else may have put a link or a
 * file of theirs there. The directory must be root's or ours and writable
 * by nobody else, or sticky (/tmp), where others cannot move or remove
 * what is ours but can take a name first: so what is at @path must not be
 * a symbolic link, must be root's or ours, and of @type. The lock is also
 * opened with O_NOFOLLOW (take_lock()); bind() follows no link. Says why
 * itself; 1 when @path is there (ours: a dead daemon's), 0 when it is not,
 * -errno when refused.
 */
int ctl_path_check(const char *path, mode_t type)
{
	const char *slash = strrchr(path, '/');
	uid_t me = geteuid();
	char dir[PATH_MAX];
	struct stat st;
	int err;

	if (!slash)
		strcpy(dir, ".");
	else
		snprintf(dir, sizeof(dir), "%.*s",
			 slash == path ? 1 : (int)(slash - path), path);
	err = stat(dir, &st) ? -errno : S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	if (err) {
		daemon_msg("refusing %s: directory %s: %s", path, dir,
			   strerror(-err));
		return err;
	}
	if (st.st_uid != 0 && st.st_uid != me) {
		daemon_msg(
			"refusing %s: directory %s belongs to uid %u, not to root",
			path, dir, (unsigned int)st.st_uid);
		return -EPERM;
	}
	/* Writable by others (a group not root's counts) and not sticky? */
	if (((st.st_mode & S_IWOTH) ||
	     ((st.st_mode & S_IWGRP) && st.st_gid != 0 &&
	      st.st_gid != getegid())) &&
	    !(st.st_mode & S_ISVTX)) {
		daemon_msg(
			"refusing %s: directory %s is writable by others and not sticky (anyone could put a link there)",
			path, dir);
		return -EPERM;
	}
	if (lstat(path, &st)) {
		if (errno == ENOENT)
			return 0;
		err = -errno;
		daemon_msg("refusing %s: %s", path, strerror(-err));
		return err;
	}
	if (S_ISLNK(st.st_mode)) {
		daemon_msg("refusing %s: it is a symbolic link", path);
		return -ELOOP;
	}
	if (st.st_uid != 0 && st.st_uid != me) {
		daemon_msg("refusing %s: it belongs to uid %u", path,
			   (unsigned int)st.st_uid);
		return -EPERM;
	}
	if ((st.st_mode & S_IFMT) != type) {
		daemon_msg("refusing %s: it is there and not a %s", path,
			   type == S_IFSOCK ? "socket" : "regular file");
		return -EEXIST;
	}
	return 1;
}

/* Accept nothing for this long when accept4() fails for want of resources. */
#define CTL_ACCEPT_PAUSE_MS 250
/* How long the answers to `stop` may wait for their readers, together. */
#define CTL_STOP_ANSWER_MS 2000
/* The least time between two messages about the same condition. */
#define CTL_NOTICE_MS 60000
/* An emptied answer buffer larger than this is freed. */
#define CTL_KEEP_BUF (64 * 1024)
/* The socket send buffer of a streaming connection (the kernel doubles it). */
#define CTL_STREAM_SNDBUF (32 * 1024)
/* Supplementary groups read with SO_PEERGROUPS; more: from /proc. */
#define NGROUPS_MAX_PEER 256

static const char busy_msg[] =
	"localin: closed: all control connections are busy and this one was idle longest";
static const char fds_msg[] = "localin: daemon out of file descriptors";
#define CTL_STR(x) #x
#define CTL_XSTR(x) CTL_STR(x)
static const char idle_msg[] =
	"localin: closed: no complete request for " CTL_XSTR(CTL_IDLE_MS) " ms";

static int open_spare(void)
{
	return open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/*
 * The listening socket the image before a restart handed over (restart.c):
 * taken when it is a listening AF_UNIX socket bound to our path; else
 * closed, and the socket made anew. Clients queued in it are answered.
 */
static int inherited(struct daemon *d)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	int fd = d->handed_ctl_fd, on = 0;
	socklen_t olen = sizeof(on);

	if (fd < 0)
		return -1;
	memset(&sun, 0, sizeof(sun));
	if (getsockname(fd, (struct sockaddr *)&sun, &len) ||
	    sun.sun_family != AF_UNIX ||
	    strncmp(sun.sun_path, d->o->socket, sizeof(sun.sun_path)) ||
	    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &olen) || !on ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)) {
		close(fd);
		return -1;
	}
	return fd;
}

int ctl_server_open(struct daemon *d)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *path = d->o->socket;
	mode_t old;
	int fd, err, i;

	for (i = 0; i < CTL_MAX_CONNS; i++)
		d->conns[i].fd = -1;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	fd = inherited(d);
	d->handed_ctl_fd = -1;
	if (fd >= 0 && ctl_path_check(path, S_IFSOCK) == 1) {
		/* Its path is still there: our socket's (ours, the lock's). */
		d->ctl_spare_fd = open_spare();
		d->ctl_fd = fd;
		d->ctl_resume_ms = 0;
		return 0;
	}
	if (fd >= 0)
		close(fd);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* We hold the lock: a socket of ours left there is a dead daemon's. */
	err = ctl_path_check(path, S_IFSOCK);
	if (err < 0) {
		close(fd);
		return err;
	}
	if (err)
		unlink(path);
	old = umask(0077); /* root only, from the first moment */
	err = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	/* The admin group may connect: root:G 0660 (peer_allowed() checks). */
	if (!err && d->o->admin_gid >= 0 &&
	    (chown(path, 0, (gid_t)d->o->admin_gid) || chmod(path, 0660)))
		err = -1;
	/* A burst of clients waits in the queue, not refused (EAGAIN). */
	if (err || listen(fd, SOMAXCONN)) {
		err = -errno;
		close(fd);
		return err;
	}
	d->ctl_spare_fd = open_spare(); /* if not now, at the fd limit */
	d->ctl_fd = fd;
	d->ctl_resume_ms = 0;
	return 0;
}

/*
 * A socket closed with unread input resets the connection: its client
 * (socat, one that sent a line too long) reads ECONNRESET instead of the
 * answer before it. What has come is read and dropped first (a bounded
 * amount: a client may never stop writing).
 */
static void drain_input(int fd)
{
	char buf[4096];
	int i;

	shutdown(fd, SHUT_WR);
	for (i = 0; i < 256 && recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0;
	     i++)
		;
}

static void conn_close(struct ctl_conn *c)
{
	if (c->fd >= 0)
		drain_input(c->fd);
	close(c->fd);
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static size_t pending(const struct ctl_conn *c)
{
	return c->out_len - c->out_off;
}

/* Whether to act on the next request of @c now (back-pressure). */
static bool taking(const struct ctl_conn *c)
{
	return !c->close_after && !c->stop_waiter && pending(c) < CTL_OUT_MAX;
}

/* A streaming connection is read also to see its client go (Ctrl-C). */
static bool wants_input(const struct ctl_conn *c)
{
	return (taking(c) || c->streaming) && !c->peer_done;
}

/*
 * When @c is closed unless it makes progress: a complete request, or the
 * peer taking some of the answers that wait.
 */
static __u64 conn_deadline(const struct ctl_conn *c)
{
	if (c->streaming) /* never idle; a slow one loses lines instead */
		return UINT64_MAX;
	return c->active_ms + (pending(c) ? CTL_STALL_MS : CTL_IDLE_MS);
}

/*
 * A one-line error answer on @fd, best effort: a full socket buffer or a
 * peer gone drops it, and the connection is closed either way.
 */
static void say_error(int fd, const char *msg)
{
	char buf[192];
	int n = snprintf(buf, sizeof(buf), "error 1\n%s\n", msg);

	if (n > 0 && (size_t)n < sizeof(buf))
		send(fd, buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* Close @c for a limit, saying @why if no answer waits before it. */
static void conn_expire(struct ctl_conn *c, const char *why)
{
	if (!pending(c))
		say_error(c->fd, why);
	conn_close(c);
}

/* The open connection idle longest (a stop waiter is not idle), or NULL. */
static struct ctl_conn *longest_idle(struct daemon *d)
{
	struct ctl_conn *best = NULL;
	int i;

	for (i = 0; i < CTL_MAX_CONNS; i++) {
		struct ctl_conn *c = &d->conns[i];

		if (c->fd >= 0 && !c->stop_waiter &&
		    (!best || c->active_ms < best->active_ms))
			best = c;
	}
	return best;
}

static void notice(struct ctl_notice *n, const char *sock, const char *what)
{
	__u64 now = sa_mono_ms();

	if (n->last_ms && now - n->last_ms < CTL_NOTICE_MS) {
		n->missed++;
		return;
	}
	if (n->missed)
		daemon_msg("%s: %s (%u more since the last message)", sock,
			   what, n->missed);
	else
		daemon_msg("%s: %s", sock, what);
	n->last_ms = now ? now : 1;
	n->missed = 0;
}

void ctl_server_close(struct daemon *d)
{
	int i;

	/*
	 * A console whose socket buffer is full reads its end frame within
	 * a bounded wait, as before an exec: closed at once, it had none.
	 */
	ctl_server_end_streams(d, "the daemon stops");
	for (i = 0; i < CTL_MAX_CONNS; i++)
		if (d->conns[i].fd >= 0 && !d->conns[i].stop_waiter)
			conn_close(&d->conns[i]);
	if (d->ctl_fd >= 0) {
		close(d->ctl_fd);
		unlink(d->o->socket);
		if (d->ctl_spare_fd >= 0)
			close(d->ctl_spare_fd);
	}
	d->ctl_fd = -1;
	d->ctl_spare_fd = -1;
}

/*
 * Queue @n bytes after what waits for @c (false: out of memory). The
 * buffer grows by doubling and what was written is dropped from its
 * front only once it is half of it, so a stream's many small frames do
 * not copy the whole backlog each time.
 */
static bool append(struct ctl_conn *c, const char *buf, size_t n)
{
	size_t left = pending(c), cap;
	char *grown;

	if (!left) {
		c->out_len = 0;
		c->out_off = 0;
		if (c->out_cap >
		    CTL_KEEP_BUF) { /* a burst is over: give back */
			free(c->out);
			c->out = NULL;
			c->out_cap = 0;
		}
	} else if (c->out_off && c->out_off >= c->out_len / 2) {
		memmove(c->out, c->out + c->out_off, left);
		c->out_len = left;
		c->out_off = 0;
	}
	if (c->out_len + n > c->out_cap) {
		cap = c->out_cap ? c->out_cap : 4096;
		while (cap < c->out_len + n)
			cap *= 2;
		grown = realloc(c->out, cap);
		if (!grown)
			return false;
		c->out = grown;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, buf, n);
	c->out_len += n;
	return true;
}

/*
 * Queue a frame: "@head COUNT" and @text's lines; written as the socket
 * takes it. Frames quote what others named: interface names (the kernel
 * allows ESC in them), tunnel names from charon, config strings, the
 * request's own words. They reach an admin's terminal, so control
 * characters go as \xNN, as in log lines; lines and tabs stay.
 */
static void frame(struct ctl_conn *c, const char *head, const char *text,
		  size_t len)
{
	char *buf = NULL, *esc = NULL;
	size_t n = 0, esc_len = 0;
	FILE *e = open_memstream(&esc, &esc_len), *f;

	if (!e) {
		c->close_after = true;
		return;
	}
	log_fputs_escaped(e, text, len, true);
	fclose(e);
	f = open_memstream(&buf, &n);
	if (!f) {
		free(esc);
		c->close_after = true;
		return;
	}
	fprintf(f, "%s %u\n", head, ctl_count_lines(esc, esc_len));
	if (esc_len)
		fwrite(esc, 1, esc_len, f);
	if (esc_len && esc[esc_len - 1] != '\n')
		fputc('\n', f);
	fclose(f);
	free(esc);
	if (!append(c, buf, n))
		c->close_after = true; /* the client sees an answer missing */
	free(buf);
}

static void answer(struct ctl_conn *c, bool ok, const char *text, size_t len)
{
	frame(c, ok ? "ok" : "error", text, len);
}

/* A stream's dropped lines, counted in a lost frame (ctl.h). */
static bool say_lost(struct ctl_conn *c)
{
	char head[48];
	int n;

	if (!c->stream_lost)
		return true;
	n = snprintf(head, sizeof(head), "lost %llu\n",
		     (unsigned long long)c->stream_lost);
	if (!append(c, head, (size_t)n))
		return false;
	c->stream_lost = 0;
	return true;
}

static void flush(struct ctl_conn *c)
{
	/* A stream that lost lines hears of it once it has read the rest. */
	if (c->streaming && c->stream_lost && c->out_off == c->out_len)
		say_lost(c);
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off,
				 c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			conn_close(c);
			return;
		}
		c->out_off += (size_t)n;
		c->active_ms = sa_mono_ms();
		if (c->out_off == c->out_len && c->streaming && c->stream_lost)
			say_lost(c);
	}
	if (c->close_after)
		conn_close(c);
}

/* A running trace that some console streams is that console's (below). */
static void note_streams(struct daemon *d)
{
	if (!d->trace_left)
		d->trace_streamed = false;
	else if (ctl_streams(d))
		d->trace_streamed = true;
}

/*
 * The last console streaming a trace went without ending it (killed,
 * Ctrl-C, its SSH session dropped): nobody reads what is left of it, and
 * falling back to the log would pour the rest of a `trace start 100000`
 * under a flood into the gateway's log. The trace stops, in the data
 * path too, and the daemon says so. An end the admin asked for (`debug
 * disable` or `reset`, from any client) keeps the trace, its lines to
 * the log as before; so does a trace started with no console at all.
 * True when it stopped one.
 */
static bool console_gone(struct daemon *d)
{
	int err;

	if (!d->trace_streamed || !d->trace_left || ctl_streams(d))
		return false;
	d->trace_streamed = false;
	err = li_loader_set_trace(d->l, d->filter, 0);
	daemon_msg(
		"the console streaming the trace went: trace stopped, %u of its %u packets not traced%s%s",
		d->trace_left, d->trace_run, err ? "; the data path: " : "",
		err ? strerror(-err) : "");
	if (!err)
		d->trace_left = 0;
	return true;
}

static bool trace_push(struct daemon *d, __u32 count, FILE *out)
{
	int err = li_loader_set_trace(d->l, d->filter, count);
	__s64 rem = 0;

	if (err) {
		li_loader_trace_remaining(d->l, &rem);
		fprintf(out, "cannot set the trace in the data path: %s; %s\n",
			strerror(-err),
			rem > 0 ? "the trace before goes on, by its filter" :
				  "nothing is traced");
		return false;
	}
	d->trace_left = count;
	d->trace_run = count;
	trace_mark_ring(d);
	note_streams(d);
	return true;
}

static bool trace_stop(struct daemon *d, FILE *out)
{
	bool was = d->trace_left;

	if (!trace_push(d, 0, out))
		return false;
	if (was)
		ctl_stream_end(d, false, "trace stopped");
	return true;
}

/* @c's own stream ends too; others' streams end with it. */
static bool debug_reset(struct daemon *d, FILE *out)
{
	ctl_stream_end(d, true, "debug reset");
	flow_filters_init(d->filter);
	d->dbg_timestamp = false;
	d->dbg_no_func = false;
	d->dbg_iprope = false;
	return trace_push(d, 0, out);
}

/*
 * `diagnose debug disable` ends the output, not the trace (FortiOS's
 * trace counts on, and sends its lines to a connected FortiAnalyzer):
 * it goes on, its lines to the log. The admin who typed it and every
 * console it ended are told, rather than find the log growing.
 */
static bool debug_disable(struct daemon *d, FILE *out)
{
	char why[192];

	if (!d->trace_left) {
		ctl_stream_end(d, true, "debug disabled");
		return true;
	}
	snprintf(
		why, sizeof(why),
		"debug disabled: the trace goes on, %u packets left, its lines to the log (`diagnose debug flow trace stop` stops it)",
		d->trace_left);
	ctl_stream_end(d, true, why);
	fprintf(out,
		"the trace goes on: %u packets left, its lines to the log; `diagnose debug flow trace stop` stops it\n",
		d->trace_left);
	return true;
}

static bool debug_enable(struct daemon *d, struct ctl_conn *c,
			 const struct ctl_req *r, FILE *out, bool *stream)
{
	if (c->streaming) {
		fputs("debug output is enabled on this connection already\n",
		      out);
		return false;
	}
	/*
	 * What the kernel holds for it counts too: a small socket buffer,
	 * so a client that stops reading loses lines soon (ctl_stream_lines).
	 */
	setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &(int){ CTL_STREAM_SNDBUF },
		   sizeof(int));
	c->streaming = true;
	c->stream_keep = r->keep;
	c->stream_lost = 0;
	*stream = true;
	note_streams(d);
	if (!d->trace_left)
		fputs("no trace is running: lines come once `diagnose debug flow trace start N` starts one\n",
		      out);
	return true;
}

static bool set_flag(bool *flag, bool value)
{
	*flag = value;
	return true;
}

static bool do_filter(struct daemon *d, const struct ctl_req *r, FILE *out)
{
	int named = r->family == 6 ? FLOW_FILTER6 : FLOW_FILTER4, k;
	struct flow_filter f[FLOW_NR_FILTERS], f_before[FLOW_NR_FILTERS];
	char buf[1024];

	if (!r->argc) {
		if (flow_filters_format(d->filter, named, buf, sizeof(buf)) > 0)
			fputs(buf, out);
		return true;
	}
	memcpy(f, d->filter, sizeof(f));
	memcpy(f_before, d->filter, sizeof(f_before));
	k = flow_filters_parse(f, named, r->argc, r->argv,
			       d->p ? d->p->objs.vdom : NULL, buf, sizeof(buf));
	if (k < 0) {
		fprintf(out, "%s\n", buf);
		return false;
	}
	memcpy(d->filter, f, sizeof(f));
	/* What localin's single filter took: said where it went. */
	if (flow_filters_echo(d->filter, named, k, r->argc, r->argv, buf,
			      sizeof(buf)) > 0)
		fputs(buf, out);
	/*
	 * A running trace follows the new filter at once, with what is left
	 * of its budget in the data path: trace_left also counts packets
	 * traced whose lines are on their way or were suppressed, and
	 * giving the data path that many again traced more than N.
	 */
	if (d->trace_left) {
		int err = li_loader_set_trace_filter(d->l, d->filter);
		__s64 rem = 0;

		/*
		 * The data path put the filters before back (whole), or
		 * traces nothing where it could not.
		 */
		if (err) {
			li_loader_trace_remaining(d->l, &rem);
			memcpy(d->filter, f_before, sizeof(f_before));
			fprintf(out,
				"cannot set the trace in the data path: %s; the filter stays as it was, %s\n",
				strerror(-err),
				rem > 0 ? "the trace goes on by it" :
					  "the trace is stopped");
			return false;
		}
	}
	return true;
}

/*
 * One request: true for an ok answer, with its text written to @out;
 * @stream set when the answer is a stream's head instead.
 */
static bool dispatch(struct daemon *d, struct ctl_conn *c, char *line,
		     FILE *out, bool *stream)
{
	char *argv[CTL_MAX_WORDS], err[256];
	struct ctl_req r;
	int argc = ctl_split(line, argv, CTL_MAX_WORDS);

	if (argc < 0) {
		fprintf(out, "too many words (at most %d)\n", CTL_MAX_WORDS);
		return false;
	}
	if (ctl_parse(argc, argv, &r, err, sizeof(err))) {
		fprintf(out, "%s\n", err);
		return false;
	}
	switch (r.cmd) {
	case CTL_RELOAD:
		return !daemon_reload(d, out, r.force, NULL);
	case CTL_APPLY:
		return !daemon_reload(d, out, false, r.argv[0]);
	case CTL_STOP:
		c->stop_waiter = true;
		d->stopping = true;
		return true;
	case CTL_RESTART:
		/* Answered by the new image, or here if it cannot be run. */
		c->stop_waiter = true;
		c->restart_waiter = true;
		d->restart = true;
		return true;
	case CTL_STATUS:
		if (r.json)
			daemon_status_json(d, out);
		else
			daemon_status(d, out);
		return true;
	case CTL_FILTER:
		if (r.json)
			return diag_filter_json(d, r.family, out);
		return do_filter(d, &r, out);
	case CTL_TRACE_START:
		return trace_push(d, r.count, out);
	case CTL_TRACE_STOP:
		return trace_stop(d, out);
	case CTL_VPN_TUNNEL_LIST:
		return sas_tunnel_list(d, r.argc ? r.argv[0] : NULL, r.json,
				       out);
	case CTL_SESS_FILTER:
		return sessions_filter(d, r.family, r.argc, r.argv, r.json,
				       out);
	case CTL_SESS_LIST:
		return sessions_list(d, r.family, r.json, out);
	case CTL_SESS_CLEAR:
		return sessions_clear(d, r.family, out);
	case CTL_DEBUG_ENABLE:
		return debug_enable(d, c, &r, out, stream);
	case CTL_DEBUG_DISABLE:
		return debug_disable(d, out);
	case CTL_DEBUG_RESET:
		return debug_reset(d, out);
	case CTL_DEBUG_TIMESTAMP:
		return set_flag(&d->dbg_timestamp, r.on);
	case CTL_FLOW_SHOW_FUNC:
		/* FortiOS's echo of the command */
		fputs(r.on ? "show function name\n" : "hide function name\n",
		      out);
		return set_flag(&d->dbg_no_func, !r.on);
	case CTL_FLOW_SHOW_IPROPE:
		fputs(r.on ? "show trace messages about iprope\n" :
			     "hide trace messages about iprope\n",
		      out);
		return set_flag(&d->dbg_iprope, r.on);
	case CTL_IPROPE_LIST:
	case CTL_IPROPE_SHOW:
		return diag_iprope_list(d, &r, out);
	case CTL_IPROPE_CLEAR:
		return diag_iprope_clear(d, out);
	case CTL_GET_SYS_STATUS:
		return diag_sys_status(d, r.json, out);
	case CTL_GET_SYS_PERF:
		return diag_sys_perf(d, r.json, out);
	case CTL_GET_LOCALIN:
		return diag_get_localin(d, &r, out);
	case CTL_SHOW_LOCALIN:
		return diag_show_localin(d, &r, out);
	case CTL_FQDN_LIST:
	case CTL_FEED_LIST:
		dynaddr_list(d, r.cmd == CTL_FQDN_LIST, r.json, out);
		return true;
	}
	return false;
}

static void handle_line(struct daemon *d, struct ctl_conn *c, char *line)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	bool ok, stream = false;

	if (!out) {
		c->close_after = true;
		return;
	}
	ok = dispatch(d, c, line, out, &stream);
	fclose(out);
	if (stream)
		frame(c, "stream", text, len);
	else if (!c->stop_waiter)
		answer(c, ok, text, len);
	free(text);
}

bool ctl_stream_lines(struct daemon *d, const char *text, size_t len,
		      unsigned int lines)
{
	char head[48];
	bool any = false;
	int i, n;

	for (i = 0; i < CTL_MAX_CONNS; i++) {
		struct ctl_conn *c = &d->conns[i];

		if (c->fd < 0 || !c->streaming)
			continue;
		any = true;
		if (pending(c) + len > CTL_STREAM_MAX) {
			c->stream_lost += lines;
			continue;
		}
		if (!say_lost(c))
			continue;
		n = snprintf(head, sizeof(head), "data %u\n", lines);
		if (!append(c, head, (size_t)n) || !append(c, text, len))
			c->close_after = true;
		flush(c);
	}
	/* Its console went since the last line: not to the log either. */
	return any || console_gone(d);
}

unsigned int ctl_streams(const struct daemon *d)
{
	unsigned int n = 0;
	int i;

	for (i = 0; i < CTL_MAX_CONNS; i++)
		n += d->conns[i].fd >= 0 && d->conns[i].streaming;
	return n;
}

void ctl_stream_end(struct daemon *d, bool all, const char *why)
{
	int i;

	if (all)
		d->trace_streamed =
			false; /* asked for: the console is not gone */
	for (i = 0; i < CTL_MAX_CONNS; i++) {
		struct ctl_conn *c = &d->conns[i];

		if (c->fd < 0 || !c->streaming || (!all && c->stream_keep))
			continue;
		say_lost(c);
		c->streaming = false;
		c->active_ms = sa_mono_ms();
		frame(c, "end", why, strlen(why));
		flush(c);
	}
}

/*
 * Whether @fd's peer may use the socket: root, or a member of the admin
 * group (--admin-group). SO_PEERGROUPS gives the groups the peer had
 * when it connected; without it (kernels before 4.13), its process's
 * Groups: line in /proc, read now.
 */
static bool in_groups(const gid_t *g, size_t n, gid_t want)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (g[i] == want)
			return true;
	return false;
}

static bool proc_groups_have(pid_t pid, gid_t want)
{
	char path[64], line[4096], *p, *end;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Groups:", 7))
			continue;
		for (p = line + 7;; p = end) {
			unsigned long v = strtoul(p, &end, 10);

			if (end == p)
				break;
			if (v == want)
				found = true;
		}
		break;
	}
	fclose(f);
	return found;
}

static bool peer_allowed(const struct daemon *d, int fd)
{
	gid_t groups[NGROUPS_MAX_PEER];
	socklen_t len = sizeof(groups);
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	gid_t want;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen))
		return false;
	if (cred.uid == 0)
		return true;
	if (d->o->admin_gid < 0)
		return false;
	want = (gid_t)d->o->admin_gid;
	if (cred.gid == want)
		return true;
	if (!getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len))
		return in_groups(groups, len / sizeof(gid_t), want);
	if (errno == ERANGE) /* more groups than we hold: ask /proc */
		return proc_groups_have(cred.pid, want);
	return errno == ENOPROTOOPT && proc_groups_have(cred.pid, want);
}

/*
 * At the fd limit: the connection idle longest gives its descriptor for
 * the new one; with none, the spare one is given up long enough to take
 * the new connection off the queue and refuse it. The new connection's
 * fd, or a negative errno (-EAGAIN: refused, nothing more to do).
 */
static int accept_at_limit(struct daemon *d, int err)
{
	struct ctl_conn *victim = longest_idle(d);
	const char *sock = d->o->socket;
	int fd;

	if (victim) {
		conn_expire(victim, fds_msg);
		notice(&d->ctl_fd_notice, sock,
		       "out of file descriptors: closed the control connection idle longest for a new one");
		fd = accept4(d->ctl_fd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0 || (errno != EMFILE && errno != ENFILE))
			return fd >= 0 ? fd : -errno;
		err = -errno;
	}
	if (d->ctl_spare_fd < 0)
		d->ctl_spare_fd = open_spare();
	if (d->ctl_spare_fd < 0)
		return err;
	close(d->ctl_spare_fd);
	fd = accept4(d->ctl_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	err = fd < 0 ? -errno : -EAGAIN;
	if (fd >= 0) {
		say_error(fd, fds_msg);
		close(fd);
		notice(&d->ctl_fd_notice, sock,
		       "out of file descriptors: refused a control connection");
	}
	d->ctl_spare_fd = open_spare();
	return err;
}

/* The next connection in the queue, or a negative errno. */
static int accept_conn(struct daemon *d)
{
	char what[160];
	int fd, err;

	fd = accept4(d->ctl_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd >= 0)
		return fd;
	err = -errno;
	if (err == -EMFILE || err == -ENFILE)
		err = accept_at_limit(d, err);
	if (err >= 0 || err == -EAGAIN || err == -EWOULDBLOCK ||
	    err == -EINTR || err == -ECONNABORTED)
		return err;
	/* Out of memory or of descriptors still: try again later. */
	d->ctl_resume_ms = sa_mono_ms() + CTL_ACCEPT_PAUSE_MS;
	snprintf(what, sizeof(what), "cannot accept a connection: %s",
		 strerror(-err));
	notice(&d->ctl_fd_notice, d->o->socket, what);
	return err;
}

/* A slot for a new connection: a free one, else the one idle longest. */
static struct ctl_conn *free_slot(struct daemon *d)
{
	struct ctl_conn *c;
	int i;

	for (i = 0; i < CTL_MAX_CONNS; i++)
		if (d->conns[i].fd < 0)
			return &d->conns[i];
	c = longest_idle(d);
	if (c) {
		conn_expire(c, busy_msg);
		notice(&d->ctl_busy_notice, d->o->socket,
		       "all control connections busy: closed the one idle longest");
	}
	return c;
}

/*
 * One connection per wake-up: one that is let in has a turn to send its
 * request before the next can push it out of a full table.
 */
static void accept_one(struct daemon *d)
{
	static const char denied[] = "permission denied: root only";
	char denied_group[96];
	struct ctl_conn *c;
	int fd = accept_conn(d);

	if (fd < 0)
		return;
	c = free_slot(d);
	if (!c) {
		close(fd); /* all are stop waiters: we are on our way out */
		return;
	}
	c->in = malloc(CTL_LINE_MAX);
	if (!c->in) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->active_ms = sa_mono_ms();
	if (!peer_allowed(d, fd)) {
		if (d->o->admin_gid >= 0) {
			snprintf(denied_group, sizeof(denied_group),
				 "permission denied: root and group %lld only",
				 d->o->admin_gid);
			answer(c, false, denied_group, strlen(denied_group));
		} else {
			answer(c, false, denied, sizeof(denied) - 1);
		}
		c->close_after = true;
		flush(c);
	}
}

/* What the peer sent, up to the room in @c->in; EOF ends the input. */
static void readable(struct ctl_conn *c)
{
	ssize_t n;

	if (c->in_len == CTL_LINE_MAX)
		return; /* serve() takes a line or says it is too long */
	n = recv(c->fd, c->in + c->in_len, CTL_LINE_MAX - c->in_len,
		 MSG_DONTWAIT);
	if (n < 0 &&
	    (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n < 0) {
		conn_close(c);
		return;
	}
	if (!n) /* it may still read: answer what it sent, then close */
		c->peer_done = true;
	c->in_len += (size_t)n;
}

/* The complete requests in @c->in, in order, while @c takes requests. */
static void serve(struct daemon *d, struct ctl_conn *c)
{
	static const char toolong[] = "request line too long";
	size_t used = 0;
	char *nl;

	while (taking(c) &&
	       (nl = memchr(c->in + used, '\n', c->in_len - used))) {
		*nl = '\0';
		handle_line(d, c, c->in + used);
		used = (size_t)(nl - c->in) + 1;
		c->active_ms = sa_mono_ms();
	}
	memmove(c->in, c->in + used, c->in_len - used);
	c->in_len -= used;
	if (!taking(c))
		return;
	/* No LF in what is left. */
	if (c->in_len == CTL_LINE_MAX) {
		answer(c, false, toolong, sizeof(toolong) - 1);
		c->close_after = true;
	} else if (c->peer_done) {
		c->close_after = true; /* a partial last line is dropped */
	}
}

/* What poll() said about @c (POLL* in @revents), or a check at a deadline. */
static void conn_event(struct daemon *d, struct ctl_conn *c, short revents)
{
	if (revents & POLLOUT)
		flush(c);
	if (c->fd >= 0 && (revents & (POLLIN | POLLHUP | POLLERR))) {
		if (wants_input(c))
			readable(c);
		else if (revents & (POLLHUP | POLLERR))
			conn_close(c); /* it cannot read what waits */
	}
	if (c->fd >= 0 && !c->stop_waiter) {
		serve(d, c);
		flush(c);
	}
	/* Its client went (Ctrl-C): nobody reads the stream any more. */
	if (c->fd >= 0 && c->streaming && c->peer_done)
		conn_close(c);
}

int ctl_server_pollfds(struct daemon *d, struct pollfd *pfd, int max)
{
	int i, n = 0;

	if (d->ctl_fd >= 0 && n < max && sa_mono_ms() >= d->ctl_resume_ms)
		pfd[n++] = (struct pollfd){ .fd = d->ctl_fd, .events = POLLIN };
	for (i = 0; i < CTL_MAX_CONNS && n < max; i++) {
		struct ctl_conn *c = &d->conns[i];

		if (c->fd < 0 || c->stop_waiter)
			continue;
		pfd[n++] = (struct pollfd){
			.fd = c->fd,
			.events = (wants_input(c) ? POLLIN : 0) |
				  (pending(c) ? POLLOUT : 0),
		};
	}
	return n;
}

void ctl_server_handle(struct daemon *d, const struct pollfd *pfd, int n)
{
	bool incoming = false;
	int i, j;

	for (i = 0; i < n; i++) {
		if (!pfd[i].revents)
			continue;
		if (pfd[i].fd == d->ctl_fd) {
			incoming = true;
			continue;
		}
		for (j = 0; j < CTL_MAX_CONNS; j++) {
			struct ctl_conn *c = &d->conns[j];

			if (c->fd == pfd[i].fd && !c->stop_waiter) {
				conn_event(d, c, pfd[i].revents);
				break;
			}
		}
	}
	/* Last: a request that came is served before its sender is evicted. */
	if (incoming)
		accept_one(d);
	console_gone(d);
}

/* ms until ctl_server_tick() has something to do (-1: nothing). */
int ctl_server_timeout_ms(struct daemon *d)
{
	__u64 now = sa_mono_ms(), best = UINT64_MAX, t;
	int i;

	if (d->ctl_fd >= 0 && d->ctl_resume_ms > now)
		best = d->ctl_resume_ms;
	for (i = 0; i < CTL_MAX_CONNS; i++) {
		const struct ctl_conn *c = &d->conns[i];

		if (c->fd < 0 || c->stop_waiter)
			continue;
		t = conn_deadline(c);
		if (t < best)
			best = t;
	}
	if (best == UINT64_MAX)
		return -1;
	return best <= now ? 0 : best - now > 60000 ? 60000 : (int)(best - now);
}

/* Close the connections past their deadline. */
void ctl_server_tick(struct daemon *d)
{
	int i;

	for (i = 0; i < CTL_MAX_CONNS; i++) {
		struct ctl_conn *c = &d->conns[i];

		if (c->fd < 0 || c->stop_waiter ||
		    sa_mono_ms() < conn_deadline(c))
			continue;
		/*
		 * Judged on what is there now: the loop may have been busy
		 * (a long reload) while the request came or the peer read.
		 */
		conn_event(d, c, POLLIN | POLLOUT);
		if (c->fd < 0 || c->stop_waiter ||
		    sa_mono_ms() < conn_deadline(c))
			continue;
		conn_expire(c, idle_msg);
	}
	note_streams(d);
	console_gone(d);
}

/*
 * After the teardown: tell those who asked to stop that it is done, each
 * within what is left of CTL_STOP_ANSWER_MS. Not by blocking sends: a
 * client that sent `stop` behind requests whose answers it never reads
 * would keep the daemon from exiting, holding its locks, so that no new
 * daemon could start.
 */
/* What @c has to send, written until @until at the latest; closed. */
static void send_and_close(struct ctl_conn *c, __u64 until)
{
	__u64 now;

	c->close_after = true;
	while (c->out_off < c->out_len) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLOUT };
		ssize_t s = send(c->fd, c->out + c->out_off,
				 c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (s > 0) {
			c->out_off += (size_t)s;
			continue;
		}
		if (s < 0 && errno == EINTR)
			continue;
		now = sa_mono_ms();
		if (s == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) ||
		    now >= until)
			break;
		poll(&pfd, 1, (int)(until - now));
	}
	conn_close(c);
}

/* @c's answer (@ok, @text) written until @until at the latest; closed. */
static void answer_and_close(struct ctl_conn *c, bool ok, const char *text,
			     __u64 until)
{
	answer(c, ok, text, strlen(text));
	send_and_close(c, until);
}

unsigned int ctl_server_end_streams(struct daemon *d, const char *why)
{
	__u64 until = sa_mono_ms() + CTL_STOP_ANSWER_MS;
	unsigned int n = 0;
	int i;

	d->trace_streamed = false; /* ended on purpose: not a console gone */
	for (i = 0; i < CTL_MAX_CONNS; i++) {
		struct ctl_conn *c = &d->conns[i];

		if (c->fd < 0 || !c->streaming || c->restart_waiter)
			continue;
		say_lost(c);
		c->streaming = false;
		frame(c, "end", why, strlen(why));
		send_and_close(c, until);
		n++;
	}
	return n;
}

void ctl_server_answer_stop(struct daemon *d, const char *text)
{
	__u64 until = sa_mono_ms() + CTL_STOP_ANSWER_MS;
	int i;

	for (i = 0; i < CTL_MAX_CONNS; i++) {
		struct ctl_conn *c = &d->conns[i];

		if (c->fd >= 0 && c->stop_waiter)
			answer_and_close(c, true, text, until);
	}
}

int ctl_server_restart_fd(struct daemon *d)
{
	int i;

	for (i = 0; i < CTL_MAX_CONNS; i++)
		if (d->conns[i].fd >= 0 && d->conns[i].restart_waiter)
			return d->conns[i].fd;
	return -1;
}

void ctl_server_answer_restart(struct daemon *d, bool ok, const char *text,
			       int keep_fd)
{
	__u64 until = sa_mono_ms() + CTL_STOP_ANSWER_MS;
	int i;

	for (i = 0; i < CTL_MAX_CONNS; i++) {
		struct ctl_conn *c = &d->conns[i];

		if (c->fd >= 0 && c->restart_waiter && c->fd != keep_fd)
			answer_and_close(c, ok, text, until);
	}
}
