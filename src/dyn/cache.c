// SPDX-License-Identifier: GPL-2.0
/*
 * The dynamic address cache (cache.h): saved atomically, read with the
 * care a file root reads in a shared directory needs, trusted only whole.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dyn/cache.h"
#include "ipsec/retry.h"
#include "util/trusted_file.h"

#define MAGIC "localin-dyncache 1"

/* A name or URL a line of ours cannot hold is not saved (none should). */
static bool plain(const char *s)
{
	return s && !strpbrk(s, "\t\n\r");
}

static bool saved(const struct dyn_entry *e)
{
	return e->in_use && e->state != DYN_NEVER && e->nr && plain(e->name) &&
	       (e->kind != DYN_FEED || plain(e->url));
}

static int write_entries(const struct dyn_table *t, FILE *f)
{
	char buf[DYN_RANGE_STR];
	size_t i, k, n = 0;

	fputs(MAGIC "\n", f);
	for (i = 0; i < t->nr; i++) {
		const struct dyn_entry *e = t->e[i];

		if (!saved(e))
			continue;
		n++;
		fprintf(f, "%s\t%" PRId64 "\t%zu\t%s",
			e->kind == DYN_FQDN ? "fqdn" : "feed", e->stamp, e->nr,
			e->name);
		if (e->kind == DYN_FEED)
			fprintf(f, "\t%s", e->url);
		fputc('\n', f);
		for (k = 0; k < e->nr; k++) {
			dyn_range_format(&e->r[k], buf);
			fprintf(f, "%s\n", buf);
		}
		if (ftell(f) > (long)DYN_CACHE_MAX_BYTES)
			return -EFBIG;
	}
	fprintf(f, "end\t%zu\n", n);
	return 0;
}

static void fsync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd =
		copy ? open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC) :
		       -1;

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

int dyn_cache_save(const struct dyn_table *t, const char *path, char *why,
		   size_t size)
{
	char *tmp = NULL;
	FILE *f = NULL;
	int fd, err;

	if (asprintf(&tmp, "%s.XXXXXX", path) < 0) {
		snprintf(why, size, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	/* A new name of our own (O_EXCL, 0600): no link is followed. */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		err = -errno;
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		snprintf(why, size, "cannot create %s: %s", tmp,
			 strerror(-err));
		free(tmp);
		return err;
	}
	err = write_entries(t, f);
	if (!err && (fflush(f) || ferror(f)))
		err = -(errno ? errno : EIO);
	if (!err && fsync(fd))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		snprintf(why, size, "cannot write %s: %s", path,
			 err == -EFBIG ? "larger than 128 MiB" :
					 strerror(-err));
		unlink(tmp);
		free(tmp);
		return err;
	}
	fsync_dir(path);
	free(tmp);
	return 0;
}

/* mkostemp's suffix: six letters or digits. */
static bool temp_suffix(const char *s)
{
	size_t i;

	for (i = 0; i < 6; i++)
		if (!(s[i] >= 'a' && s[i] <= 'z') &&
		    !(s[i] >= 'A' && s[i] <= 'Z') &&
		    !(s[i] >= '0' && s[i] <= '9'))
			return false;
	return !s[6];
}

unsigned int dyn_cache_clean(const char *path)
{
	char *dcopy = strdup(path), *bcopy = strdup(path), *dir, *base;
	unsigned int n = 0;
	struct dirent *de;
	struct stat st;
	size_t len;
	DIR *d;
	int dfd;

	if (!dcopy || !bcopy)
		goto out;
	dir = dirname(dcopy);
	base = basename(bcopy);
	len = strlen(base);
	d = opendir(dir);
	if (!d)
		goto out;
	dfd = dirfd(d);
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, base, len) || de->d_name[len] != '.' ||
		    !temp_suffix(de->d_name + len + 1))
			continue;
		/* Not following a link; only a file of ours, as we made it. */
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode) || st.st_uid != geteuid())
			continue;
		if (!unlinkat(dfd, de->d_name, 0))
			n++;
	}
	closedir(d);
out:
	free(dcopy);
	free(bcopy);
	return n;
}

/* ---- reading ---- */

struct item {
	enum dyn_kind kind;
	int64_t stamp;
	char *name, *url; /* in the file's buffer */
	struct dyn_range *r;
	size_t nr, cap;
};

struct reader {
	char *buf;
	size_t len, off;
	unsigned int line;
	char why[160];
};

static void fail(struct reader *rd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail(struct reader *rd, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(rd->why, sizeof(rd->why), "line %u: ", rd->line);
	va_start(ap, fmt);
	vsnprintf(rd->why + n, sizeof(rd->why) - (size_t)n, fmt, ap);
	va_end(ap);
}

/* The next line, its LF made a NUL; NULL at the end (no LF: cut short). */
static char *next_line(struct reader *rd)
{
	char *p = rd->buf + rd->off, *lf;

	if (rd->off >= rd->len)
		return NULL;
	lf = memchr(p, '\n', rd->len - rd->off);
	if (!lf)
		return NULL;
	*lf = '\0';
	rd->off = (size_t)(lf - rd->buf) + 1;
	rd->line++;
	return p;
}

static bool parse_num(const char *s, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > max)
		return false;
	*out = v;
	return true;
}

/* @nr lines of ranges at the reader, into @it. */
static int read_ranges(struct reader *rd, struct item *it, size_t nr)
{
	size_t start = rd->off, i;
	unsigned int bad[1], nr_bad = 0;
	int err;

	for (i = 0; i < nr; i++)
		if (!next_line(rd)) {
			rd->line++; /* where the next range should be */
			fail(rd, "%zu ranges announced, the file ends first",
			     nr);
			return -EINVAL;
		}
	/* next_line() made the LFs NULs: the parser wants lines. */
	for (i = start; i < rd->off; i++)
		if (!rd->buf[i])
			rd->buf[i] = '\n';
	err = dyn_feed_parse(rd->buf + start, rd->off - start, &it->r, &it->nr,
			     &it->cap, bad, 1, &nr_bad);
	if (err == -ENOMEM)
		return err;
	if (err || nr_bad || it->nr != nr) {
		rd->line = rd->line - (unsigned int)nr +
			   (nr_bad ? bad[0] : (unsigned int)nr);
		fail(rd, "not a range");
		return -EINVAL;
	}
	for (i = 0; i < nr; i++)
		it->r[i].expires_ms = 0; /* kept until an answer replaces it */
	return 0;
}

/* An entry's head line (split in place) and its ranges. */
static int read_item(struct reader *rd, char *head, struct item *it)
{
	char *f[6];
	int64_t nr;
	int n = 0;

	while (n < 6 && (f[n] = strsep(&head, "\t")))
		n++;
	if (!strcmp(f[0], "fqdn") && n == 4)
		it->kind = DYN_FQDN;
	else if (!strcmp(f[0], "feed") && n == 5)
		it->kind = DYN_FEED;
	else {
		fail(rd, "\"%.40s\" is no entry", f[0]);
		return -EINVAL;
	}
	if (!parse_num(f[1], INT64_MAX, &it->stamp) ||
	    !parse_num(f[2], DYN_FEED_MAX_RANGES, &nr) || !*f[3] ||
	    (n == 5 && !*f[4])) {
		fail(rd, "a bad %s entry", f[0]);
		return -EINVAL;
	}
	it->name = f[3];
	it->url = n == 5 ? f[4] : NULL;
	return read_ranges(rd, it, (size_t)nr);
}

static void items_free(struct item *v, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free(v[i].r);
	free(v);
}

/* The whole file into @v, or nothing (why in rd->why). */
static int parse(struct reader *rd, struct item **out, size_t *out_nr)
{
	struct item *v = NULL, *m;
	size_t nr = 0, cap = 0;
	int64_t count;
	char *l = next_line(rd);
	int err = -EINVAL;

	if (!l || strcmp(l, MAGIC)) {
		rd->line = 1;
		fail(rd, "not a localin cache (\"%s\" expected)", MAGIC);
		return -EINVAL;
	}
	while ((l = next_line(rd))) {
		if (!strncmp(l, "end\t", 4)) {
			if (!parse_num(l + 4, INT64_MAX, &count) ||
			    (size_t)count != nr || rd->off != rd->len) {
				fail(rd, "the end line does not match");
				goto out;
			}
			*out = v;
			*out_nr = nr;
			return 0;
		}
		if (nr == cap) {
			cap = cap ? cap * 2 : 8;
			m = realloc(v, cap * sizeof(*v));
			if (!m) {
				err = -ENOMEM;
				goto out;
			}
			v = m;
		}
		memset(&v[nr], 0, sizeof(v[nr]));
		err = read_item(rd, l, &v[nr++]);
		if (err)
			goto out;
		err = -EINVAL;
	}
	rd->line++;
	fail(rd, "cut short (no end line)");
out:
	if (err == -ENOMEM)
		snprintf(rd->why, sizeof(rd->why), "%s", strerror(ENOMEM));
	items_free(v, nr);
	return err;
}

/*
 * Without following a link, only root's (or ours), with one name, written
 * by nobody else: /run is root's, but a cache another hand could shape
 * would let it choose whom a deny lets through until DNS answers.
 */
#define TRUST                                                            \
	(TRUSTED_NOFOLLOW | TRUSTED_OWNED | TRUSTED_NOT_WORLD_WRITABLE | \
	 TRUSTED_NOT_GROUP_WRITABLE)

static int read_file(const char *path, struct reader *rd)
{
	struct stat st;
	int fd, err;

	fd = trusted_open(path, TRUST, DYN_CACHE_MAX_BYTES, &st, rd->why,
			  sizeof(rd->why));
	if (fd < 0)
		return fd == -EINVAL ? -EPERM : fd; /* -EINVAL: a bad text */
	rd->len = (size_t)st.st_size;
	rd->buf = malloc(rd->len + 1);
	if (!rd->buf) {
		close(fd);
		snprintf(rd->why, sizeof(rd->why), "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	err = trusted_read_all(fd, rd->buf, &rd->len);
	close(fd);
	if (err) {
		snprintf(rd->why, sizeof(rd->why), "%s",
			 err == -EAGAIN ? "it grew while being read" :
					  strerror(-err));
		return err;
	}
	rd->buf[rd->len] = '\0';
	return 0;
}

static void say(dyn_say_fn fn, void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(dyn_say_fn fn, void *ctx, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!fn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fn(ctx, msg);
}

static bool use_item(struct dyn_table *t, const struct item *it, int64_t now,
		     dyn_say_fn fn, void *ctx)
{
	struct dyn_entry *e = dyn_find(t, it->kind, it->name);
	int64_t age = now > it->stamp ? now - it->stamp : 0, left;
	size_t i;

	/* A name the config no longer names; a feed at another URL. */
	if (!e || !e->in_use || e->state != DYN_NEVER ||
	    (it->kind == DYN_FEED && (!e->url || strcmp(e->url, it->url))))
		return false;
	/*
	 * An address's cache-ttl keeps what the previous daemon last saw
	 * until cache-ttl after it last resolved the name (an address last
	 * seen before that: a little longer than it would have). Without
	 * one, the first answer replaces the cached addresses whole.
	 */
	/*
	 * A stamp ahead of now: the clock went back. Not stamp + cache-ttl
	 * - now: the file may say a stamp up to 2^63 - 1 (fuzz_feed).
	 */
	left = it->stamp > now ? (int64_t)e->cache_ttl :
				 (int64_t)e->cache_ttl - (now - it->stamp);
	for (i = 0; it->kind == DYN_FQDN && i < it->nr; i++)
		it->r[i].expires_ms =
			left > 0 ? sa_mono_ms() + (uint64_t)left * 1000 : 0;
	dyn_entry_set(t, e, it->r, it->nr);
	if (!e->nr)
		return false; /* out of memory: as if there were no cache */
	e->state = DYN_CACHED;
	e->stamp = it->stamp;
	e->next_ms = 0;
	if (it->kind == DYN_FQDN)
		say(fn, ctx,
		    "fqdn \"%s\": using the %zu address%s a previous daemon resolved %" PRId64
		    " s ago (cache), until it resolves",
		    e->name, e->nr, e->nr == 1 ? "" : "es", age);
	else
		say(fn, ctx,
		    "external-resource \"%s\": using the %zu range%s a previous daemon fetched from %s %" PRId64
		    " s ago (cache), until it is fetched",
		    e->name, e->nr, e->nr == 1 ? "" : "s", e->url, age);
	return true;
}

int dyn_cache_load(struct dyn_table *t, const char *path, int64_t now,
		   dyn_say_fn fn, void *ctx)
{
	struct reader rd = { 0 };
	struct item *v = NULL;
	size_t nr = 0, i;
	int err, used = 0;

	err = read_file(path, &rd);
	if (err == -ENOENT)
		return 0; /* the first start since boot */
	if (!err)
		err = parse(&rd, &v, &nr);
	if (err) {
		free(rd.buf);
		say(fn, ctx,
		    "ignoring the dynamic address cache %s: %s; FQDN and external-resource addresses match nothing until they resolve",
		    path, rd.why);
		return err;
	}
	for (i = 0; i < nr; i++)
		used += use_item(t, &v[i], now, fn, ctx);
	items_free(v, nr);
	free(rd.buf); /* the items' names pointed into it */
	return used;
}
