// SPDX-License-Identifier: GPL-2.0
/*
 * The client end of the control socket (ctl.h): one request, one answer.
 */
#include "ctl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

/* A reload compiles a whole config; give it time before giving up. */
#define CTL_CLIENT_TIMEOUT_S 300

static int ctl_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = CTL_CLIENT_TIMEOUT_S };
	int fd, err;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static int send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int ctl_request(const char *path, const char *request, FILE *out, FILE *err,
		bool *ok)
{
	size_t len = strlen(request), cap = 0;
	char *line = NULL;
	unsigned int count, i;
	FILE *in;
	int fd, ret;

	if (len + 1 > CTL_LINE_MAX || strchr(request, '\n'))
		return -EINVAL;
	fd = ctl_connect(path);
	if (fd < 0)
		return fd;
	ret = send_all(fd, request, len) ?: send_all(fd, "\n", 1);
	if (ret) {
		close(fd);
		return ret;
	}
	in = fdopen(fd, "r");
	if (!in) {
		ret = -errno;
		close(fd);
		return ret;
	}
	if (getline(&line, &cap, in) < 0) {
		ret = ferror(in) ? -errno : -ECONNRESET;
		goto out;
	}
	ret = ctl_parse_head(line, ok, &count);
	for (i = 0; !ret && i < count; i++) {
		if (getline(&line, &cap, in) < 0) {
			ret = -EPROTO;
			break;
		}
		fputs(line, *ok ? out : err);
	}
out:
	free(line);
	fclose(in);
	return ret;
}
