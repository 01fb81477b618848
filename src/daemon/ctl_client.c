// SPDX-License-Identifier: GPL-2.0
/*
 * The client end of the control socket (ctl.h): one request, one answer,
 * all of it within a deadline. A daemon that does not answer (stuck, or
 * something else listening there) costs the caller the timeout, no more:
 * the socket is non-blocking and every wait is a poll(2) bounded by what
 * is left of the deadline.
 */
#include "daemon/ctl.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ipsec/retry.h"

/* A listener whose backlog is full: try to connect again this often. */
#define CONNECT_RETRY_MS 20

struct answer_buf {
	int fd;
	long long deadline_ms;
	char *buf;
	size_t len, cap, pos; /* unread: buf[pos, len) */
	bool eof;
	char *line; /* the last line read, LF kept, NUL-terminated */
	size_t line_cap;
};

/* Wait for @events until the deadline: 0, or -ETIMEDOUT. */
static int wait_for(int fd, short events, long long deadline_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	long long left;
	int n;

	for (;;) {
		left = deadline_ms - (long long)sa_mono_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

static int ctl_connect(const char *path, long long deadline_ms)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, err;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* A unix socket connects at once, or says EAGAIN: backlog full. */
	while (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		err = -errno;
		if (err == -EINTR)
			continue;
		if (err != -EAGAIN || (long long)sa_mono_ms() >= deadline_ms) {
			close(fd);
			return err == -EAGAIN ? -ETIMEDOUT : err;
		}
		usleep(CONNECT_RETRY_MS * 1000);
	}
	return fd;
}

static int send_all(int fd, const char *buf, size_t len, long long deadline_ms)
{
	ssize_t n;
	int err;

	while (len) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			err = wait_for(fd, POLLOUT, deadline_ms);
			if (err)
				return err;
			continue;
		}
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* More bytes into @a: 0, or -errno (-ETIMEDOUT); a->eof at the end. */
static int fill(struct answer_buf *a)
{
	char *grown;
	ssize_t n;
	int err;

	if (a->pos) {
		memmove(a->buf, a->buf + a->pos, a->len - a->pos);
		a->len -= a->pos;
		a->pos = 0;
	}
	if (a->cap - a->len < 4096) {
		grown = realloc(a->buf, a->cap + 65536);
		if (!grown)
			return -ENOMEM;
		a->buf = grown;
		a->cap += 65536;
	}
	for (;;) {
		n = recv(a->fd, a->buf + a->len, a->cap - a->len, 0);
		if (n > 0) {
			a->len += (size_t)n;
			return 0;
		}
		/* The daemon closed on us: what it sent was read first. */
		if (n == 0 || errno == ECONNRESET) {
			a->eof = true;
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		err = wait_for(a->fd, POLLIN, a->deadline_ms);
		if (err)
			return err;
	}
}

/* The next line into a->line (LF kept), or NULL at the end. */
static int next_line(struct answer_buf *a, char **line)
{
	size_t n;
	char *lf;
	int err;

	for (;;) {
		lf = a->buf ? memchr(a->buf + a->pos, '\n', a->len - a->pos) :
			      NULL;
		if (lf) {
			n = (size_t)(lf - (a->buf + a->pos)) + 1;
			if (n + 1 > a->line_cap) {
				free(a->line);
				a->line = malloc(n + 1);
				if (!a->line)
					return -ENOMEM;
				a->line_cap = n + 1;
			}
			memcpy(a->line, a->buf + a->pos, n);
			a->line[n] = '\0';
			a->pos += n;
			*line = a->line;
			return 0;
		}
		if (a->eof) {
			*line = NULL;
			return 0;
		}
		err = fill(a);
		if (err)
			return err;
	}
}

/*
 * Connect, send @request, read the answer's head line into *@line. @a is
 * set up for the rest (its fd open even on error, else -1).
 */
static int ask(struct answer_buf *a, const char *path, const char *request,
	       int timeout_ms, char **line)
{
	size_t len = strlen(request);
	int ret, sent;

	a->fd = -1;
	a->deadline_ms = (long long)sa_mono_ms() + timeout_ms;
	if (len + 1 > CTL_LINE_MAX || strchr(request, '\n'))
		return -EINVAL;
	a->fd = ctl_connect(path, a->deadline_ms);
	if (a->fd < 0)
		return a->fd;
	sent = send_all(a->fd, request, len, a->deadline_ms) ?:
		       send_all(a->fd, "\n", 1, a->deadline_ms);
	/*
	 * A daemon that refuses us (not root) answers at once and closes:
	 * our write then fails (EPIPE), but its answer is there to read.
	 */
	if (sent && sent != -EPIPE && sent != -ECONNRESET)
		return sent;
	ret = next_line(a, line);
	if (!ret && !*line)
		ret = sent ?: -ECONNRESET;
	return ret;
}

static void answer_free(struct answer_buf *a)
{
	free(a->buf);
	free(a->line);
	if (a->fd >= 0)
		close(a->fd);
}

int ctl_request(const char *path, const char *request, int timeout_ms,
		FILE *out, FILE *err, bool *ok)
{
	struct answer_buf a = { 0 };
	unsigned int count, i;
	char *line;
	int ret;

	ret = ask(&a, path, request, timeout_ms, &line);
	if (ret)
		goto out;
	ret = ctl_parse_head(line, ok, &count);
	for (i = 0; !ret && i < count; i++) {
		ret = next_line(&a, &line);
		if (!ret && !line)
			ret = -EPROTO;
		if (!ret)
			fputs(line, *ok ? out : err);
	}
out:
	answer_free(&a);
	return ret;
}

/* The stream's wait: at most 200 ms at a time, so that *@stop is seen. */
static int fill_stream(struct answer_buf *a, volatile int *stop)
{
	struct pollfd pfd = { .fd = a->fd, .events = POLLIN };
	int n;

	for (;;) {
		if (stop && *stop)
			return -EINTR;
		n = poll(&pfd, 1, 200);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0)
			break;
	}
	a->deadline_ms = (long long)sa_mono_ms() + 60000;
	return fill(a);
}

/* The next line of a stream (NULL: the daemon closed), or -EINTR. */
static int stream_line(struct answer_buf *a, volatile int *stop, char **line)
{
	char *lf;
	int err;

	for (;;) {
		lf = a->buf ? memchr(a->buf + a->pos, '\n', a->len - a->pos) :
			      NULL;
		if (lf || a->eof)
			return next_line(a, line);
		err = fill_stream(a, stop);
		if (err)
			return err;
	}
}

/* @count lines of a frame to @to (NULL: read and dropped). */
static int copy_lines(struct answer_buf *a, unsigned int count,
		      volatile int *stop, FILE *to, const char *prefix)
{
	unsigned int i;
	char *line;
	int err;

	for (i = 0; i < count; i++) {
		err = stream_line(a, stop, &line);
		if (!err && !line)
			err = -EPROTO;
		if (err)
			return err;
		if (to)
			fprintf(to, "%s%s", prefix, line);
	}
	if (to)
		fflush(to);
	return 0;
}

int ctl_stream(const char *path, const char *request, int timeout_ms, FILE *out,
	       FILE *err, volatile int *stop, bool *ok)
{
	struct answer_buf a = { 0 };
	enum ctl_frame kind;
	unsigned int count;
	char *line;
	int ret;

	ret = ask(&a, path, request, timeout_ms, &line);
	if (!ret)
		ret = ctl_parse_frame(line, &kind, &count);
	if (ret)
		goto out;
	*ok = kind != CTL_FR_ERROR;
	if (kind != CTL_FR_STREAM) {
		/* An ordinary answer: the request did not stream. */
		ret = copy_lines(&a, count, NULL, *ok ? out : err, "");
		goto out;
	}
	ret = copy_lines(&a, count, stop, err, "localin: ");
	while (!ret) {
		if (stop && *stop) {
			ret = -EINTR;
			break;
		}
		ret = stream_line(&a, stop, &line);
		if (ret)
			break;
		if (!line) {
			fputs("localin: the daemon closed the connection\n",
			      err);
			*ok = false;
			break;
		}
		ret = ctl_parse_frame(line, &kind, &count);
		if (ret)
			break;
		switch (kind) {
		case CTL_FR_DATA:
			ret = copy_lines(&a, count, stop, out, "");
			break;
		case CTL_FR_LOST:
			fprintf(err,
				"localin: %u trace lines dropped: this client read too slowly\n",
				count);
			break;
		case CTL_FR_END:
			ret = copy_lines(&a, count, stop, err,
					 "localin: debug output ended: ");
			goto out;
		default: /* answers to requests we did not send */
			ret = copy_lines(&a, count, stop, NULL, "");
			break;
		}
	}
	if (ret == -EINTR) /* the admin's Ctrl-C: a clean end */
		ret = 0;
out:
	answer_free(&a);
	return ret;
}
