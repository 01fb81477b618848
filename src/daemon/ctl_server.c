// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's end of the control socket (ctl.h): a listening unix
 * socket, a few non-blocking connections, one line in, one answer out.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "internal.h"

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
	if (err || listen(fd, CTL_MAX_CONNS)) {
		err = -errno;
		close(fd);
		return err;
	}
	d->ctl_fd = fd;
	return 0;
}

static void conn_close(struct ctl_conn *c)
{
	close(c->fd);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

void ctl_server_close(struct daemon *d)
{
	int i;

	for (i = 0; i < CTL_MAX_CONNS; i++)
		if (d->conns[i].fd >= 0 && !d->conns[i].stop_waiter)
			conn_close(&d->conns[i]);
	if (d->ctl_fd >= 0) {
		close(d->ctl_fd);
		unlink(d->o->socket);
	}
	d->ctl_fd = -1;
}

/* Queue an answer; written as the socket takes it. */
static void answer(struct ctl_conn *c, bool ok, const char *text, size_t len)
{
	char *buf = NULL, *grown;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	if (!f) {
		c->close_after = true;
		return;
	}
	ctl_write_answer(f, ok, text, len);
	fclose(f);
	if (c->out_off == c->out_len) {
		free(c->out);
		c->out = buf;
		c->out_len = n;
		c->out_off = 0;
		return;
	}
	grown = realloc(c->out, c->out_len + n);
	if (grown) {
		memcpy(grown + c->out_len, buf, n);
		c->out = grown;
		c->out_len += n;
	} else {
		c->close_after = true; /* the client sees an answer missing */
	}
	free(buf);
}

static void flush(struct ctl_conn *c)
{
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
	}
	if (c->close_after)
		conn_close(c);
}

static bool trace_push(struct daemon *d, __u32 count, FILE *out)
{
	int err = li_loader_set_trace(d->l, &d->filter, count);

	if (err) {
		fprintf(out, "cannot set the trace in the data path: %s\n",
			strerror(-err));
		return false;
	}
	d->trace_left = count;
	return true;
}

static bool do_filter(struct daemon *d, const struct ctl_req *r, FILE *out)
{
	struct flow_filter f = d->filter;
	char buf[1024];

	if (!r->argc) {
		if (flow_filter_format(&d->filter, buf, sizeof(buf)) > 0)
			fputs(buf, out);
		return true;
	}
	if (flow_filter_parse(&f, r->argc, r->argv, buf, sizeof(buf))) {
		fprintf(out, "%s\n", buf);
		return false;
	}
	d->filter = f;
	/* A running trace follows the new filter at once. */
	return !d->trace_left || trace_push(d, d->trace_left, out);
}

/* One request: true for an ok answer, with its text written to @out. */
static bool dispatch(struct daemon *d, struct ctl_conn *c, char *line,
		     FILE *out)
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
		return !daemon_reload(d, out, r.force);
	case CTL_STOP:
		c->stop_waiter = true;
		d->stopping = true;
		return true;
	case CTL_STATUS:
		daemon_status(d, out);
		return true;
	case CTL_FILTER:
		return do_filter(d, &r, out);
	case CTL_TRACE_START:
		return trace_push(d, r.count, out);
	case CTL_TRACE_STOP:
		return trace_push(d, 0, out);
	case CTL_VPN_TUNNEL_LIST:
		return sas_tunnel_list(d, r.argc ? r.argv[0] : NULL, out);
	}
	return false;
}

static void handle_line(struct daemon *d, struct ctl_conn *c, char *line)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	bool ok;

	if (!out) {
		c->close_after = true;
		return;
	}
	ok = dispatch(d, c, line, out);
	fclose(out);
	if (!c->stop_waiter)
		answer(c, ok, text, len);
	free(text);
}

static bool peer_is_root(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	return !getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) &&
	       cred.uid == 0;
}

static void accept_one(struct daemon *d)
{
	static const char denied[] = "permission denied: root only";
	struct ctl_conn *c = NULL;
	int fd, i;

	fd = accept4(d->ctl_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	for (i = 0; i < CTL_MAX_CONNS && !c; i++)
		if (d->conns[i].fd < 0)
			c = &d->conns[i];
	if (!c) {
		close(fd); /* busy: the client sees the connection close */
		return;
	}
	c->fd = fd;
	if (!peer_is_root(fd)) {
		answer(c, false, denied, sizeof(denied) - 1);
		c->close_after = true;
		flush(c);
	}
}

static void readable(struct daemon *d, struct ctl_conn *c)
{
	static const char toolong[] = "request line too long";
	char *nl;
	ssize_t n;

	n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len,
		 MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* Gone; a stop waiter is still answered (into the void). */
		if (!c->stop_waiter)
			conn_close(c);
		return;
	}
	c->in_len += (size_t)n;
	while (c->fd >= 0 && !c->stop_waiter && !c->close_after &&
	       (nl = memchr(c->in, '\n', c->in_len))) {
		size_t used = (size_t)(nl - c->in) + 1;

		*nl = '\0';
		handle_line(d, c, c->in);
		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= used;
	}
	if (c->in_len == sizeof(c->in)) {
		answer(c, false, toolong, sizeof(toolong) - 1);
		c->close_after = true;
	}
	flush(c);
}

int ctl_server_pollfds(struct daemon *d, struct pollfd *pfd, int max)
{
	int i, n = 0;

	if (d->ctl_fd >= 0 && n < max)
		pfd[n++] = (struct pollfd){ .fd = d->ctl_fd, .events = POLLIN };
	for (i = 0; i < CTL_MAX_CONNS && n < max; i++) {
		struct ctl_conn *c = &d->conns[i];

		if (c->fd < 0 || c->stop_waiter)
			continue;
		pfd[n++] = (struct pollfd){
			.fd = c->fd,
			.events = POLLIN |
				  (c->out_off < c->out_len ? POLLOUT : 0),
		};
	}
	return n;
}

void ctl_server_handle(struct daemon *d, const struct pollfd *pfd, int n)
{
	int i, j;

	for (i = 0; i < n; i++) {
		if (!pfd[i].revents)
			continue;
		if (pfd[i].fd == d->ctl_fd) {
			accept_one(d);
			continue;
		}
		for (j = 0; j < CTL_MAX_CONNS; j++) {
			struct ctl_conn *c = &d->conns[j];

			if (c->fd != pfd[i].fd)
				continue;
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				readable(d, c);
			else if (pfd[i].revents & POLLOUT)
				flush(c);
			break;
		}
	}
}

/* After the teardown: tell those who asked to stop that it is done. */
void ctl_server_answer_stop(struct daemon *d, const char *text)
{
	int i, fl;

	for (i = 0; i < CTL_MAX_CONNS; i++) {
		struct ctl_conn *c = &d->conns[i];

		if (c->fd < 0 || !c->stop_waiter)
			continue;
		fl = fcntl(c->fd, F_GETFL);
		fcntl(c->fd, F_SETFL, fl & ~O_NONBLOCK); /* a short answer */
		answer(c, true, text, strlen(text));
		c->close_after = true;
		while (c->fd >= 0 && c->out_off < c->out_len) {
			ssize_t s = send(c->fd, c->out + c->out_off,
					 c->out_len - c->out_off, MSG_NOSIGNAL);

			if (s <= 0)
				break;
			c->out_off += (size_t)s;
		}
		conn_close(c);
	}
}
