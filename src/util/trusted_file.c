// SPDX-License-Identifier: GPL-2.0
/*
 * The checks every file root reads and acts on goes through (trusted_file.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/trusted_file.h"

static const char *file_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:
		return "a directory";
	case S_IFIFO:
		return "a FIFO";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	case S_IFSOCK:
		return "a socket";
	default:
		return "not a regular file";
	}
}

const char *trusted_refuse(const struct stat *st, unsigned int flags,
			   uint64_t max, char *buf, size_t size)
{
	if (!S_ISREG(st->st_mode)) {
		snprintf(buf, size, "it is %s, not a regular file",
			 file_kind(st->st_mode));
		return buf;
	}
	if ((flags & TRUSTED_OWNED) && st->st_uid && st->st_uid != geteuid()) {
		snprintf(
			buf, size,
			"it belongs to uid %u: only files of root or of this process's user are read",
			(unsigned int)st->st_uid);
		return buf;
	}
	if ((flags & TRUSTED_NOFOLLOW) && st->st_nlink != 1) {
		snprintf(buf, size, "it has %u names (hard links)",
			 (unsigned int)st->st_nlink);
		return buf;
	}
	/* Whoever may write it chose its words, not its owner. */
	if ((flags &
	     (TRUSTED_NOT_WORLD_WRITABLE | TRUSTED_NOT_GROUP_WRITABLE)) &&
	    (st->st_mode & S_IWOTH)) {
		snprintf(buf, size, "others may write it (mode %04o)",
			 (unsigned int)(st->st_mode & 07777));
		return buf;
	}
	if ((flags & TRUSTED_NOT_GROUP_WRITABLE) && (st->st_mode & S_IWGRP)) {
		snprintf(buf, size, "its group may write it (mode %04o)",
			 (unsigned int)(st->st_mode & 07777));
		return buf;
	}
	if ((uint64_t)st->st_size > max) {
		snprintf(buf, size,
			 "it has %lld bytes, more than the limit of %llu MiB",
			 (long long)st->st_size,
			 (unsigned long long)(max >> 20));
		return buf;
	}
	return NULL;
}

int trusted_open(const char *path, unsigned int flags, uint64_t max,
		 struct stat *st, char *why, size_t size)
{
	bool nofollow = flags & TRUSTED_NOFOLLOW;
	int fd, err;

	/*
	 * Looked at before it is opened (a device acts on an open). A link
	 * is followed unless @flags say not: /etc/localin.conf -> ... may
	 * well be one. A link itself, under TRUSTED_NOFOLLOW, the open says.
	 */
	if ((nofollow ? lstat(path, st) : stat(path, st)) == 0 &&
	    !S_ISLNK(st->st_mode) && trusted_refuse(st, flags, max, why, size))
		return -EINVAL;
	/* O_NONBLOCK: a FIFO put there since must not hang the open. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK |
				(nofollow ? O_NOFOLLOW : 0));
	if (fd < 0 || fstat(fd, st)) {
		err = -errno;
		snprintf(why, size, "%s",
			 err == -ELOOP && nofollow ? "it is a symbolic link" :
						     strerror(-err));
		if (fd >= 0)
			close(fd);
		return err;
	}
	/* What was opened, which may not be what was looked at. */
	if (trusted_refuse(st, flags, max, why, size)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

int trusted_read_all(int fd, char *buf, size_t *len)
{
	size_t want = *len, got = 0;
	char probe;
	ssize_t r;

	while (got < want) {
		r = read(fd, buf + got, want - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (!r)
			break; /* shorter than it was: what is there is the file */
		got += (size_t)r;
	}
	*len = got;
	do {
		r = read(fd, &probe, 1);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return r ? -EAGAIN : 0;
}
