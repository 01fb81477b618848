/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Opening a file whose words root will act on (the config, an SA file,
 * the dynamic address cache) only if it is what it claims to be: a
 * regular file, looked at before it is opened (opening a device can act
 * on it: a watchdog starts, a tape rewinds), never hanging on a FIFO, and
 * as the caller's flags ask, not through a link, root's or ours, written
 * by nobody else, at most a size. One place, so the readers agree on
 * what they refuse and say it in the same words.
 */
#ifndef LOCALIN_UTIL_TRUSTED_FILE_H
#define LOCALIN_UTIL_TRUSTED_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/* Not through a symbolic link, and not a file with a second (hard) name. */
#define TRUSTED_NOFOLLOW 1u
/* (2u: conf's CONF_READ_OWNED_LINKS, a walk of the path done there.) */
/* Belongs to root or to this process's user. */
#define TRUSTED_OWNED 4u
/* Nobody but its owner and group may write it (mode o+w refused). */
#define TRUSTED_NOT_WORLD_WRITABLE 8u
/* Nor its group (mode g+w refused too). */
#define TRUSTED_NOT_GROUP_WRITABLE 16u

/*
 * NULL if @st is a file @flags trust and at most @max bytes, else @buf
 * (@size bytes) saying why not.
 */
const char *trusted_refuse(const struct stat *st, unsigned int flags,
			   uint64_t max, char *buf, size_t size);

/*
 * Open @path read-only (O_CLOEXEC, O_NONBLOCK) as @flags allow; its stat
 * in @st. The descriptor, or a negative errno and why in @why: -EINVAL
 * for a file refused (trusted_refuse()), the open's errno otherwise
 * (-ELOOP, "it is a symbolic link", under TRUSTED_NOFOLLOW).
 */
int trusted_open(const char *path, unsigned int flags, uint64_t max,
		 struct stat *st, char *why, size_t size);

/*
 * Read up to *@len bytes of @fd into @buf (what a shorter file has is the
 * file); the bytes read in *@len. 0, a negative errno, or -EAGAIN if the
 * file has more than *@len bytes (it grew since its stat).
 */
int trusted_read_all(int fd, char *buf, size_t *len);

#endif
