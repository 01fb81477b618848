// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a config (or SA) file, and loading it over the factory defaults.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/factory.h"
#include "conf/parser.h"

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

/* NULL if @st is a file we read, else why not (in @a). */
static const char *refuse(struct arena *a, const struct stat *st,
			  unsigned int flags)
{
	if (!S_ISREG(st->st_mode))
		return arena_printf(a, "it is %s, not a regular file",
				    file_kind(st->st_mode));
	if ((flags & CONF_READ_NOFOLLOW) && st->st_nlink != 1)
		return arena_printf(a, "it has %u names (hard links)",
				    (unsigned int)st->st_nlink);
	if (st->st_size > CONF_SOURCE_MAX)
		return arena_printf(
			a, "it has %lld bytes, more than the limit of %u MiB",
			(long long)st->st_size, CONF_SOURCE_MAX >> 20);
	return NULL;
}

/* Read all @len bytes of @fd into @buf; 0, or -errno, or -EAGAIN if it grew. */
static int read_all(int fd, char *buf, size_t *len)
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

int conf_source_read(struct arena *a, const char *path,
		     struct conf_source **out, const char **why)
{
	return conf_source_read_flags(a, path, 0, out, why);
}

int conf_source_read_flags(struct arena *a, const char *path,
			   unsigned int flags, struct conf_source **out,
			   const char **why)
{
	bool nofollow = flags & CONF_READ_NOFOLLOW;
	struct conf_source *s;
	struct stat st;
	size_t len;
	char *buf;
	int fd, err;

	/*
	 * Looked at before it is opened: opening a device can act on it (a
	 * watchdog starts, a tape rewinds). Symlinks are followed, as
	 * /etc/localin.conf -> ... may well be one, unless @flags say not.
	 */
	if ((nofollow ? lstat(path, &st) : stat(path, &st)) == 0 &&
	    !S_ISLNK(st.st_mode) && (*why = refuse(a, &st, flags)))
		return -EINVAL;
	/* O_NONBLOCK: a FIFO put there since must not hang the open. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK |
				(nofollow ? O_NOFOLLOW : 0));
	if (fd < 0 || fstat(fd, &st)) {
		err = -errno;
		*why = err == -ELOOP && nofollow ? "it is a symbolic link" :
						   strerror(-err);
		if (fd >= 0)
			close(fd);
		return err;
	}
	*why = refuse(a, &st, flags);
	if (*why) {
		close(fd);
		return -EINVAL;
	}
	/* Read in place: the text is kept for diagnostics, one copy only. */
	len = (size_t)st.st_size;
	buf = arena_alloc(a, len + 1);
	err = read_all(fd, buf, &len);
	close(fd);
	if (err) {
		*why = err == -EAGAIN ? "it grew while being read" :
					strerror(-err);
		return err;
	}
	buf[len] = '\0';
	s = arena_alloc(a, sizeof(*s));
	s->name = arena_strdup(a, path);
	s->text = buf;
	s->len = len; /* the full length: the parser reports a NUL inside */
	*out = s;
	return 0;
}

int conf_load(struct conf_tree *t, const struct conf_source *src,
	      struct diag_list *dl)
{
	const struct conf_source *factory;

	factory = conf_source_mem(t->arena, "<factory>", conf_factory_config,
				  strlen(conf_factory_config), true);
	/* The factory text is ours: an error in it is a bug, counted like any. */
	if (conf_parse(t, factory, dl))
		return -EINVAL;
	return conf_parse(t, src, dl);
}
