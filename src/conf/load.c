// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a config (or SA) file, and loading it over the factory defaults.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
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
	if ((flags & CONF_READ_OWNED_FILE) && st->st_uid &&
	    st->st_uid != geteuid())
		return arena_printf(
			a,
			"it belongs to uid %u: only files of root or of this process's user are read",
			(unsigned int)st->st_uid);
	if ((flags & CONF_READ_NOFOLLOW) && st->st_nlink != 1)
		return arena_printf(a, "it has %u names (hard links)",
				    (unsigned int)st->st_nlink);
	if (st->st_size > CONF_SOURCE_MAX)
		return arena_printf(
			a, "it has %lld bytes, more than the limit of %u MiB",
			(long long)st->st_size, CONF_SOURCE_MAX >> 20);
	return NULL;
}

/*
 * CONF_READ_OWNED_LINKS: walk @path a component at a time as the kernel
 * would, following each symbolic link only if it belongs to root or to
 * us. NULL and the file the walk ends at in @end, or why not (in @a): a
 * link of anyone else (who chose what root would read, and a config error
 * quotes lines of it), a chain or path too long. A component that is not
 * there ends the walk quietly: the open after it says why.
 */
static const char *untrusted_link(struct arena *a, const char *path,
				  struct stat *end)
{
	char cur[PATH_MAX], rest[PATH_MAX], link[PATH_MAX], *comp, *slash;
	size_t n;
	ssize_t len;
	int hops = 0;
	struct stat st;

	memset(end, 0, sizeof(*end));
	if (strlen(path) >= sizeof(rest))
		return NULL;
	strcpy(rest, path);
	strcpy(cur, path[0] == '/' ? "" : ".");
	while (rest[0]) {
		comp = rest;
		slash = strchr(rest, '/');
		if (slash)
			*slash = '\0';
		n = strlen(cur);
		if (!comp[0] || !strcmp(comp, ".")) {
			/* nothing to look at */
		} else if (n + 1 + strlen(comp) >= sizeof(cur)) {
			return "its path is too long to check its links";
		} else {
			snprintf(cur + n, sizeof(cur) - n, "/%s", comp);
			if (lstat(cur, &st))
				return NULL;
			if (S_ISLNK(st.st_mode)) {
				if (st.st_uid && st.st_uid != geteuid())
					return arena_printf(
						a,
						"it leads through the symbolic link %s, which belongs to uid %u: only links of root or of this process's user are followed",
						cur, (unsigned int)st.st_uid);
				if (++hops > 40)
					return "it leads through more than 40 symbolic links";
				len = readlink(cur, link, sizeof(link) - 1);
				if (len < 0)
					return arena_printf(
						a,
						"cannot read the link %s: %s",
						cur, strerror(errno));
				link[len] = '\0';
				cur[n] = '\0'; /* the link's directory */
				if (link[0] == '/')
					cur[0] = '\0';
				/* the link's text, then what followed it */
				if ((size_t)len + 1 +
					    (slash ? strlen(slash + 1) : 0) >=
				    sizeof(rest))
					return "its path is too long to check its links";
				if (slash)
					memmove(rest + len + 1, slash + 1,
						strlen(slash + 1) + 1);
				else
					rest[len + 1] = '\0';
				memcpy(rest, link, (size_t)len);
				rest[len] = '/';
				continue;
			}
		}
		if (!slash)
			break;
		memmove(rest, slash + 1, strlen(slash + 1) + 1);
	}
	if (stat(cur[0] ? cur : "/", end))
		memset(end, 0, sizeof(*end));
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
	struct stat st, walked;
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
	if ((flags & CONF_READ_OWNED_LINKS) &&
	    (*why = untrusted_link(a, path, &walked)))
		return -EPERM;
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
	/* A link swapped in after the walk: not the file it found. */
	if ((flags & CONF_READ_OWNED_LINKS) &&
	    (st.st_dev != walked.st_dev || st.st_ino != walked.st_ino)) {
		close(fd);
		*why = "it changed while being read (a link replaced?)";
		return -EAGAIN;
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
