// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a config (or SA) file, and loading it over the factory defaults.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/factory.h"
#include "conf/parser.h"
#include "util/trusted_file.h"

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
			/* fits: checked just above */
			cur[n] = '/';
			memcpy(cur + n + 1, comp, strlen(comp) + 1);
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

int conf_source_read(struct arena *a, const char *path,
		     struct conf_source **out, const char **why)
{
	return conf_source_read_flags(a, path, 0, out, why);
}

int conf_source_read_flags(struct arena *a, const char *path,
			   unsigned int flags, struct conf_source **out,
			   const char **why)
{
	return conf_source_read_max(a, path, flags, CONF_SOURCE_MAX, out, why);
}

int conf_source_read_max(struct arena *a, const char *path, unsigned int flags,
			 uint64_t max, struct conf_source **out,
			 const char **why)
{
	struct conf_source *s;
	struct stat st, walked;
	char no[160];
	size_t len;
	char *buf;
	int fd, err;

	/* The links first: one of another user's is named, whatever it reaches. */
	if ((flags & CONF_READ_OWNED_LINKS) &&
	    (*why = untrusted_link(a, path, &walked)))
		return -EPERM;
	fd = trusted_open(path, flags, max, &st, no, sizeof(no));
	if (fd < 0) {
		*why = arena_strdup(a, no);
		return fd;
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
	err = trusted_read_all(fd, buf, &len);
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
