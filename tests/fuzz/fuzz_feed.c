// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes as what the daemon reads about its
 * dynamic addresses (src/objects/dynaddr.c, src/dyn/cache.c):
 *
 * 1. A threat feed's body (FortiOS's external-resource text), through
 *    dyn_feed_parse() as feed_done() hands it the transfer's bytes: every
 *    range believable (family 4 or 6, lo <= hi), the counts consistent.
 * 2. The same bytes as the daemon's cache of resolved names and fetched
 *    feeds (/run/localin-dyn.cache, a file localin writes; a full disk or
 *    a crash may leave anything there), through dyn_cache_load() into a
 *    table that names the FQDN and the feed of the seeds, as a daemon
 *    restarting reads it. The cache must be refused whole or used whole.
 *
 * DNS answers are c-ares's to parse (ares_getaddrinfo()): they reach
 * localin as addresses, not as bytes. Any crash, leak, sanitizer report
 * or abort() is a bug; every one found becomes a case in
 * tests/unit/test_dynaddr.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dyn/cache.h"
#include "objects/dynaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_feed: %s\n", why);
	abort();
}

static void check_ranges(const struct dyn_range *r, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		if (r[i].family != 4 && r[i].family != 6)
			fail("range: family");
		if (r[i].lo > r[i].hi)
			fail("range: lo above hi");
	}
}

static void feed(const uint8_t *data, size_t size)
{
	struct dyn_range *v = NULL;
	unsigned int bad[8], nr_bad;
	size_t nr = 0, cap = 0;
	char *text = malloc(size + 1);
	int err;

	if (!text)
		fail("malloc");
	/* feed_done()'s buffer: the bytes and a NUL (on_data() keeps one). */
	memcpy(text, data, size);
	text[size] = '\0';
	err = dyn_feed_parse(text, size, &v, &nr, &cap, bad, 8, &nr_bad);
	if (err && err != -E2BIG)
		fail("feed: an error but too many");
	if (nr > cap)
		fail("feed: more ranges than room");
	check_ranges(v, nr);
	free(v);
	free(text);
}

static void said(void *ctx, const char *msg)
{
	if (!*msg)
		fail("cache: an empty message");
}

static void cache(const uint8_t *data, size_t size)
{
	static char path[64];
	struct dyn_table t;
	struct dyn_entry *q, *f;
	int fd, n;

	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/a4y-fuzz-feed-%d.cache",
			 (int)getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		fail("writing the cache file");
	close(fd);
	dyn_table_init(&t);
	q = dyn_get(&t, DYN_FQDN, "vpn.example.com");
	f = dyn_get(&t, DYN_FEED, "blocklist");
	if (!q || !f)
		fail("dyn_get");
	q->in_use = f->in_use = true;
	q->cache_ttl = 3600;
	f->url = strdup("https://feeds.example.com/block.txt");
	n = dyn_cache_load(&t, path, 1800000000, said, NULL);
	if (n > 2)
		fail("cache: more entries used than the table has");
	if (n < 0 && (q->state != DYN_NEVER || f->state != DYN_NEVER))
		fail("cache: refused, yet used");
	check_ranges(q->r, q->nr);
	check_ranges(f->r, f->nr);
	dyn_table_free(&t);
	unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	feed(data, size);
	cache(data, size);
	return 0;
}
