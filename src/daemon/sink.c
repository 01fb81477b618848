// SPDX-License-Identifier: GPL-2.0
/* The daemon's log sink (sink.h). */
#include "sink.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define SINK_MODE 0640

int sink_open(struct log_sink *s, const char *path, FILE *diag)
{
	memset(s, 0, sizeof(*s));
	s->diag = diag;
	s->path = path;
	if (!path) {
		s->fd = STDOUT_FILENO;
		return 0;
	}
	s->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		     SINK_MODE);
	return s->fd < 0 ? -errno : 0;
}

int sink_reopen(struct log_sink *s)
{
	int fd;

	if (!s->path)
		return 0;
	fd = open(s->path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		  SINK_MODE);
	if (fd < 0)
		return -errno;
	close(s->fd);
	s->fd = fd;
	s->partial = false; /* a fresh file; the old one keeps its tail */
	return 0;
}

void sink_close(struct log_sink *s)
{
	if (s->path && s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/* All of @len, or how much made it and the errno that stopped it. */
static int write_all(int fd, const char *p, size_t len, size_t *done)
{
	*done = 0;
	while (*done < len) {
		ssize_t n = write(fd, p + *done, len - *done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		*done += (size_t)n;
	}
	return 0;
}

static int put(struct log_sink *s, const char *text, size_t len)
{
	size_t done;
	int err;

	if (s->partial) {
		err = write_all(s->fd, "\n", 1, &done);
		if (err)
			return err;
		s->partial = false;
	}
	err = write_all(s->fd, text, len, &done);
	if (err && done)
		s->partial = text[done - 1] != '\n';
	return err;
}

static void failed(struct log_sink *s, int err, unsigned int nr_lines)
{
	if (!s->last_err && s->diag)
		fprintf(s->diag,
			"localin: cannot write log lines to %s: %s; counting lost lines\n",
			s->path ?: "stdout", strerror(-err));
	s->last_err = -err;
	s->lost += nr_lines;
	s->lost_pending += nr_lines;
}

int sink_write(struct log_sink *s, const char *text, size_t len,
	       unsigned int nr_lines)
{
	char note[160];
	int err, n;

	if (s->fd < 0) {
		failed(s, -EBADF, nr_lines);
		return -EBADF;
	}
	if (s->lost_pending) {
		n = snprintf(note, sizeof(note),
			     "localin: %llu log lines lost (%s)\n",
			     (unsigned long long)s->lost_pending,
			     strerror(s->last_err ?: EIO));
		err = put(s, note, (size_t)n);
		if (err) {
			failed(s, err, nr_lines);
			return err;
		}
		s->lost_pending = 0;
	}
	err = put(s, text, len);
	if (err) {
		/* A line cut short counts as lost: its reader cannot use it. */
		failed(s, err, nr_lines);
		return err;
	}
	if (s->last_err && s->diag)
		fprintf(s->diag, "localin: writing log lines to %s again\n",
			s->path ?: "stdout");
	s->last_err = 0;
	s->lines += nr_lines;
	return 0;
}
