// SPDX-License-Identifier: GPL-2.0
/* The daemon's log sinks (sink.h). */
#include "daemon/sink.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "ipsec/retry.h"

#define SINK_MODE 0640
#define SYSLOG_RETRY_MS 1000
#define SYSLOG_LINE_MAX 8192
#define MSG_PREFIX "localin: "
/* A roll that failed (a rename refused): tried again after this. */
#define ROLL_RETRY_MS 1000
/* Whether the file was deleted: asked at most this often. */
#define GONE_CHECK_MS 1000

static void init(struct log_sink *s, enum sink_kind kind, sink_say_fn say)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->std_fd = -1;
	s->kind = kind;
	s->say = say;
}

/*
 * @s->path, opened (or created) for appending: an fd, or -1 with errno.
 * Ours alone: O_NONBLOCK here changes nobody else's file. Root opens a
 * path a user may have chosen, and opens it again at every roll, reload
 * and deletion: never through a planted link (O_NOFOLLOW), never into a
 * file of another user put under the name meanwhile (in /tmp, right after
 * a roll renamed ours away: its owner would read every line; a device
 * is allowed, which no user can make), never into a second name of
 * another file (a hard link: the lines would be appended to it). Said,
 * and refused with EPERM.
 */
static int open_log(const struct log_sink *s)
{
	struct stat st;
	int fd, err;

	fd = open(s->path,
		  O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK |
			  O_NOCTTY | O_NOFOLLOW,
		  SINK_MODE);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st)) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	/* A device is no user's doing (mknod needs privilege): a tty is. */
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode) && st.st_uid != 0 &&
	    st.st_uid != geteuid()) {
		if (s->say)
			s->say("refusing the log %s: it belongs to uid %u",
			       s->path, (unsigned int)st.st_uid);
	} else if (S_ISREG(st.st_mode) && st.st_nlink != 1) {
		if (s->say)
			s->say("refusing the log %s: it has %u names (hard links)",
			       s->path, (unsigned int)st.st_nlink);
	} else {
		return fd;
	}
	close(fd);
	errno = EPERM;
	return -1;
}

static __u64 file_size(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : (__u64)st.st_size;
}

int sink_open(struct log_sink *s, const char *path, sink_say_fn say)
{
	init(s, SINK_FD, say);
	s->path = path;
	s->fd = open_log(s);
	if (s->fd < 0)
		return -errno;
	s->own_fd = true;
	s->size = file_size(s->fd);
	return 0;
}

/*
 * O_NONBLOCK belongs to the open file description, which an inherited
 * stdout shares with whoever started us: a shell's terminal is one
 * description for its stdin, stdout and stderr, and setting O_NONBLOCK on
 * ours would make the shell's reads fail with EAGAIN. So it is never set
 * on what we inherited; per kind of file instead:
 * - a regular file: a write never waits for a reader; written as it is;
 * - a socket (journald's stream under systemd): send(MSG_DONTWAIT), not
 *   blocking for that one call only;
 * - a pipe, FIFO or terminal: opened again through /proc/self/fd, which
 *   gives a description of our own on the same pipe or terminal, where
 *   O_NONBLOCK is ours alone (O_NOCTTY: a terminal does not become ours);
 * - if that cannot be done: poll(2) for POLLOUT first and write at most
 *   PIPE_BUF bytes, which a pipe with room for one more page takes
 *   without waiting.
 */
int sink_open_std(struct log_sink *s, int std_fd, sink_say_fn say)
{
	char proc[32];
	struct stat st;
	int fd;

	init(s, SINK_FD, say);
	s->std_fd = std_fd;
	snprintf(s->name, sizeof(s->name), "%s",
		 std_fd == STDOUT_FILENO ? "stdout" : "stderr");
	if (fstat(std_fd, &st))
		return -errno;
	s->fd = std_fd;
	if (S_ISREG(st.st_mode))
		return 0;
	if (S_ISSOCK(st.st_mode)) {
		s->kind = SINK_SOCKET;
		return 0;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", std_fd);
	fd = open(proc, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd >= 0) {
		s->fd = fd;
		s->own_fd = true;
	} else {
		s->kind = SINK_POLLED;
	}
	return 0;
}

static int syslog_connect(struct log_sink *s)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, err;

	s->retry_ms = sa_mono_ms() + SYSLOG_RETRY_MS;
	strcpy(sun.sun_path, SINK_SYSLOG_PATH);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		err = -errno;
		close(fd);
		return err;
	}
	s->fd = fd;
	return 0;
}

int sink_open_syslog(struct log_sink *s, sink_say_fn say)
{
	init(s, SINK_SYSLOG, say);
	s->own_fd = true;
	snprintf(s->name, sizeof(s->name), "syslog (%s)", SINK_SYSLOG_PATH);
	syslog_connect(s); /* if not now, at a later line */
	return 0;
}

int sink_reopen(struct log_sink *s)
{
	int fd;

	if (!s->path)
		return 0;
	fd = open_log(s);
	if (fd < 0)
		return -errno;
	sink_flush(s); /* what the old file takes now */
	close(s->fd);
	s->fd = fd;
	s->size = file_size(fd);
	s->gone_err = 0;
	return 0;
}

int sink_rolled_name(char *buf, size_t size, const char *path, unsigned int n)
{
	int len = snprintf(buf, size, "%s.%u", path, n);

	return len < 0 || (size_t)len >= size ? -ENAMETOOLONG : 0;
}

void sink_set_roll(struct log_sink *s, const struct sink_roll *r)
{
	s->roll = *r;
	s->roll_retry_ms = 0;
}

/* Is @path still the file we write to (not moved away by logrotate)? */
static bool path_is_ours(const struct log_sink *s)
{
	struct stat a, b;

	return !fstat(s->fd, &a) && !stat(s->path, &b) &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static void roll_failed(struct log_sink *s, const char *what, int err)
{
	if (!s->roll_retry_ms && s->say)
		s->say("cannot roll %s: %s: %s; writing on to it", s->path,
		       what, strerror(err));
	s->roll_retry_ms = sa_mono_ms() + ROLL_RETRY_MS;
}

/*
 * FILE.(keep-1) -> FILE.keep ... FILE -> FILE.1, then a new FILE. Each
 * rename is atomic: a reader sees FILE whole under one name or the other,
 * and FILE is missing only between the last rename and the open.
 */
static int roll(struct log_sink *s)
{
	char from[PATH_MAX], to[PATH_MAX];
	unsigned int i;
	int fd;

	if (!path_is_ours(s))
		return 0; /* logrotate moved it: the reopen (SIGHUP) follows */
	for (i = s->roll.keep; i > 1; i--) {
		if (sink_rolled_name(from, sizeof(from), s->path, i - 1) ||
		    sink_rolled_name(to, sizeof(to), s->path, i))
			return -ENAMETOOLONG;
		if (rename(from, to) && errno != ENOENT) {
			roll_failed(s, from, errno);
			return -errno;
		}
	}
	if (sink_rolled_name(to, sizeof(to), s->path, 1))
		return -ENAMETOOLONG;
	if (s->roll.keep ? rename(s->path, to) : unlink(s->path)) {
		roll_failed(s, s->path, errno);
		return -errno;
	}
	fd = open_log(s);
	if (fd < 0) {
		/* On in the old file, now FILE.1, until it can be opened. */
		roll_failed(s, "open", errno);
		return -errno;
	}
	if (s->roll_retry_ms && s->say)
		s->say("rolled %s again", s->path);
	s->roll_retry_ms = 0;
	close(s->fd);
	s->fd = fd;
	s->size = 0;
	s->rolls++;
	return 1;
}

/* Between two records: would @len more bytes take the file past max? */
static bool roll_due(const struct log_sink *s, size_t len)
{
	return s->path && s->fd >= 0 && s->roll.max_bytes && s->size &&
	       s->size + len > s->roll.max_bytes && !s->mid_line && !s->cut &&
	       !s->gap &&
	       (!s->roll_retry_ms || sa_mono_ms() >= s->roll_retry_ms);
}

/*
 * The file was deleted (rm, a cleanup script, an admin making room):
 * lines written to it can no longer be read, the room they take shows in
 * no directory and is never given back, and rolling (which renames
 * @path) no longer bounds it. So a new @path is opened, as a reload
 * would; if it cannot be (its directory went too), that is said once and
 * tried again. A file moved away (logrotate) keeps a name: the reopen on
 * SIGHUP takes care of that one. Between whole lines only.
 */
static void reopen_if_deleted(struct log_sink *s)
{
	struct stat st;
	__u64 now;
	int err;

	if (!s->path || s->fd < 0 || s->mid_line || s->cut)
		return;
	now = sa_mono_ms();
	if (now < s->gone_check_ms)
		return;
	s->gone_check_ms = now + GONE_CHECK_MS;
	if (fstat(s->fd, &st) || !S_ISREG(st.st_mode) || st.st_nlink)
		return;
	/* Nothing is pending here (sink_write's caller): nothing to flush. */
	err = sink_reopen(s);
	if (err) {
		if (!s->gone_err && s->say)
			s->say("%s was deleted and cannot be created again: %s; its lines go to the deleted file until it can",
			       s->path, strerror(-err));
		s->gone_err = -err;
		return;
	}
	if (s->say)
		s->say("%s was deleted: writing to a new %s", s->path, s->path);
}

int sink_roll_now(struct log_sink *s)
{
	if (!s->path || s->fd < 0 || !s->size || sink_pending(s) || s->mid_line)
		return 0;
	return roll(s);
}

/*
 * Disk full, `diskfull overwrite`: the oldest rolled file goes. 1 if one
 * did, 0 if there is none.
 */
static int drop_oldest(struct log_sink *s)
{
	char name[PATH_MAX];
	int err = errno;
	unsigned int i;

	if (!s->path || !s->roll.overwrite)
		return 0;
	for (i = s->roll.keep; i >= 1; i--) {
		if (sink_rolled_name(name, sizeof(name), s->path, i))
			return 0;
		if (!unlink(name)) {
			s->dropped_files++;
			return 1;
		}
	}
	errno = err;
	return 0;
}

void sink_close(struct log_sink *s)
{
	if (s->own_fd && s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	free(s->q);
	s->q = NULL;
	s->q_off = s->q_len = 0;
}

const char *sink_name(const struct log_sink *s)
{
	return s->path ?: s->name;
}

static unsigned int count_lf(const char *p, size_t len)
{
	const char *end = p + len;
	unsigned int n = 0;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p)))) {
		n++;
		p++;
	}
	return n;
}

static const char *why(const struct log_sink *s)
{
	if (s->last_err == ENOBUFS)
		return "not read in time";
	return strerror(s->last_err ?: EIO);
}

/* @nr lines lost at queue offset @at: counted, the gap marked, said once. */
static void failed(struct log_sink *s, int err, unsigned int nr, size_t at)
{
	s->lost += nr;
	s->lost_pending += nr;
	if (s->lost_pending && !s->gap) {
		s->gap = true;
		s->gap_at = at;
	}
	if (!s->last_err && s->say)
		s->say("cannot write log lines to %s: %s; counting lost lines",
		       sink_name(s),
		       err == ENOBUFS ? "not read in time, the queue is full" :
					strerror(err));
	s->last_err = err;
}

static void recovered(struct log_sink *s)
{
	if (s->last_err && s->say)
		s->say("writing log lines to %s again", sink_name(s));
	s->last_err = 0;
}

/* One write without waiting: the bytes written, or -errno (-EAGAIN). */
static ssize_t out(struct log_sink *s, const char *p, size_t len)
{
	struct pollfd pfd = { .fd = s->fd, .events = POLLOUT };
	ssize_t n;

	do {
		switch (s->kind) {
		case SINK_SOCKET:
			n = send(s->fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
			break;
		case SINK_POLLED:
			if (poll(&pfd, 1, 0) == 0)
				return -EAGAIN;
			n = write(s->fd, p, len < PIPE_BUF ? len : PIPE_BUF);
			break;
		default:
			n = write(s->fd, p, len);
			if (n < 0 && errno == ENOSPC && drop_oldest(s))
				errno = EINTR; /* room made: again */
		}
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	s->size += (__u64)n;
	return n == 0 && len ? -EIO : n;
}

/* The fd failed (not just full): what is queued is lost. */
static void broken(struct log_sink *s, int err)
{
	unsigned int nr = count_lf(s->q + s->q_off, s->q_len - s->q_off);

	s->q_off = s->q_len = 0;
	s->note_len = s->note_off = 0; /* a note cut short: its count stays */
	s->gap = false;
	s->cut = s->mid_line;
	failed(s, err, nr, 0);
}

static void wrote(struct log_sink *s, const char *p, size_t n)
{
	s->lines += count_lf(p, n);
	s->mid_line = p[n - 1] != '\n';
}

static void note_done(struct log_sink *s)
{
	s->lost_pending -= s->note_lost;
	s->note_len = s->note_off = 0;
	if (s->lost_pending) {
		s->gap_at = s->q_off; /* lost while the note was written */
		return;
	}
	s->gap = false;
	recovered(s);
}

/* The next piece of what waits; 0, -EAGAIN, or -errno of a failure. */
static int flush_step(struct log_sink *s, bool *done)
{
	size_t end = s->gap ? s->gap_at : s->q_len;
	ssize_t n;
	int len;

	*done = false;
	if (s->cut) {
		n = out(s, "\n", 1);
		if (n < 0)
			return (int)n;
		s->cut = s->mid_line = false;
		return 0;
	}
	if (s->gap && s->q_off == s->gap_at) {
		if (!s->note_len) {
			len = snprintf(s->note, sizeof(s->note),
				       MSG_PREFIX "%llu log lines lost (%s)\n",
				       (unsigned long long)s->lost_pending,
				       why(s));
			s->note_len = (size_t)len < sizeof(s->note) ?
					      (size_t)len :
					      sizeof(s->note) - 1;
			s->note[s->note_len - 1] = '\n';
			s->note_lost = s->lost_pending;
		}
		n = out(s, s->note + s->note_off, s->note_len - s->note_off);
		if (n < 0)
			return (int)n;
		s->note_off += (size_t)n;
		s->mid_line = s->note[s->note_off - 1] != '\n';
		if (s->note_off == s->note_len)
			note_done(s);
		return 0;
	}
	if (s->q_off == end) {
		*done = true;
		return 0;
	}
	n = out(s, s->q + s->q_off, end - s->q_off);
	if (n < 0)
		return (int)n;
	wrote(s, s->q + s->q_off, (size_t)n);
	s->q_off += (size_t)n;
	return 0;
}

int sink_flush(struct log_sink *s)
{
	bool done = false;
	int err = 0;

	if (s->kind == SINK_SYSLOG || s->fd < 0)
		return 0;
	while (!done && !err)
		err = flush_step(s, &done);
	if (err && err != -EAGAIN)
		broken(s, -err);
	if (s->q_off == s->q_len) {
		s->q_off = s->q_len = 0;
		s->gap_at = 0;
	}
	return err;
}

size_t sink_pending(const struct log_sink *s)
{
	size_t n = s->q_len - s->q_off + s->cut;

	if (s->gap)
		n += s->note_len ? s->note_len - s->note_off : 1;
	return n;
}

int sink_pollfd(const struct log_sink *s, struct pollfd *pfd)
{
	/* Not after a failure: a broken pipe polls ready for ever. */
	if (s->kind == SINK_SYSLOG || s->fd < 0 || !sink_pending(s) ||
	    (s->last_err && s->last_err != ENOBUFS))
		return 0;
	*pfd = (struct pollfd){ .fd = s->fd, .events = POLLOUT };
	return 1;
}

void sink_drain(struct log_sink *s, int timeout_ms)
{
	__u64 end = sa_mono_ms() + (__u64)(timeout_ms > 0 ? timeout_ms : 0);
	struct pollfd pfd;
	__u64 now;

	for (;;) {
		sink_flush(s);
		now = sa_mono_ms();
		if (!sink_pollfd(s, &pfd) || now >= end)
			return;
		if (poll(&pfd, 1, (int)(end - now)) == 0)
			return;
	}
}

static int enqueue(struct log_sink *s, const char *text, size_t len,
		   unsigned int nr_lines)
{
	if (s->q_len - s->q_off + len > SINK_QUEUE_MAX) {
		failed(s, ENOBUFS, nr_lines, s->q_len);
		return -ENOBUFS;
	}
	if (!s->q) {
		s->q = malloc(SINK_QUEUE_MAX);
		if (!s->q) {
			failed(s, ENOMEM, nr_lines, s->q_len);
			return -ENOMEM;
		}
	}
	if (s->q_len + len > SINK_QUEUE_MAX) {
		memmove(s->q, s->q + s->q_off, s->q_len - s->q_off);
		if (s->gap)
			s->gap_at -= s->q_off;
		s->q_len -= s->q_off;
		s->q_off = 0;
	}
	memcpy(s->q + s->q_len, text, len);
	s->q_len += len;
	return 0;
}

/* A syslog datagram: "<PRI>Mmm dd hh:mm:ss localin[PID]: LINE". */
static int syslog_send(struct log_sink *s, const char *line, size_t len)
{
	char buf[SYSLOG_LINE_MAX], stamp[32];
	time_t t = time(NULL);
	struct tm tm;
	int n, err;

	if (len > strlen(MSG_PREFIX) &&
	    !memcmp(line, MSG_PREFIX, strlen(MSG_PREFIX))) {
		line += strlen(MSG_PREFIX); /* the tag says it */
		len -= strlen(MSG_PREFIX);
	}
	if (s->fd < 0) {
		if (sa_mono_ms() < s->retry_ms)
			return -ENOTCONN;
		err = syslog_connect(s);
		if (err)
			return err;
	}
	localtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	n = snprintf(buf, sizeof(buf), "<%d>%s localin[%d]: %.*s",
		     LOG_DAEMON | LOG_NOTICE, stamp, (int)getpid(), (int)len,
		     line);
	if (n >= (int)sizeof(buf))
		n = (int)sizeof(buf) - 1;
	if (send(s->fd, buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
		return 0;
	err = -errno;
	if (err != -EAGAIN && err != -ENOBUFS) {
		close(s->fd); /* syslog restarted: connect again later */
		s->fd = -1;
	}
	return err;
}

/* Line by line; a datagram not taken at once is lost. */
static int syslog_write(struct log_sink *s, const char *text, size_t len,
			unsigned int nr_lines)
{
	const char *end = text + len, *lf;
	char note[160];
	int err, n;

	if (s->lost_pending) {
		n = snprintf(note, sizeof(note),
			     MSG_PREFIX "%llu log lines lost (%s)",
			     (unsigned long long)s->lost_pending, why(s));
		err = syslog_send(s, note, (size_t)n);
		if (err) {
			failed(s, -err, nr_lines, 0);
			return err;
		}
		s->lost_pending = 0;
		s->gap = false;
		recovered(s);
	}
	while (text < end) {
		lf = memchr(text, '\n', (size_t)(end - text)) ?: end;
		err = syslog_send(s, text, (size_t)(lf - text));
		if (err) {
			failed(s, -err, count_lf(text, (size_t)(end - text)),
			       0);
			return err;
		}
		s->lines++;
		text = lf + 1;
	}
	recovered(s);
	return 0;
}

int sink_write(struct log_sink *s, const char *text, size_t len,
	       unsigned int nr_lines)
{
	ssize_t n;
	int err;

	if (s->kind == SINK_SYSLOG)
		return syslog_write(s, text, len, nr_lines);
	if (s->fd < 0) {
		failed(s, EBADF, nr_lines, s->q_len);
		return -EBADF;
	}
	err = sink_flush(s);
	if (err && err != -EAGAIN) {
		failed(s, -err, nr_lines, 0); /* the fd is still broken */
		return err;
	}
	if (!sink_pending(s)) {
		reopen_if_deleted(s);
		if (roll_due(s, len))
			roll(s); /* if it fails, on in the same file */
		/* Nothing waits: straight to the fd, queued only what is left. */
		n = out(s, text, len);
		if (n < 0 && n != -EAGAIN) {
			failed(s, (int)-n, nr_lines, 0);
			return (int)n;
		}
		if (n > 0) {
			wrote(s, text, (size_t)n);
			text += n;
			len -= (size_t)n;
		}
		if (!len) {
			recovered(s);
			return 0;
		}
		nr_lines = count_lf(text, len);
	}
	return enqueue(s, text, len, nr_lines);
}
