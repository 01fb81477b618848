// SPDX-License-Identifier: GPL-2.0
/*
 * Dynamic addresses (objects/dynaddr.h): the threat feed line parser
 * (forms, comments, bad lines by number), wildcard expansion checked
 * against a brute-force match, the table's change detection, and the
 * compiler reading FQDN ranges from the table, and the cache a daemon
 * that starts again reads (dyn/cache.h): same names and URLs only, and
 * nothing of a file that is cut short, corrupt, a link, another user's or
 * too large.
 */
#include <setjmp.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dyn/cache.h"
#include "ipsec/retry.h"
#include "objects/dynaddr.h"
#include "pipeline/pipeline.h"

struct parsed {
	struct dyn_range *r;
	size_t nr, cap;
	unsigned int bad[8], nr_bad;
};

static void parse(const char *text, struct parsed *p)
{
	memset(p, 0, sizeof(*p));
	assert_int_equal(dyn_feed_parse(text, strlen(text), &p->r, &p->nr,
					&p->cap, p->bad, 8, &p->nr_bad),
			 0);
}

/* At most DYN_FEED_MAX_RANGES entries: past it -E2BIG, parsing stops. */
static void test_feed_max_ranges(void **state)
{
	size_t n = DYN_FEED_MAX_RANGES + 1, i, len = 0, last = 0;
	char *text = malloc(n * 16);
	struct parsed p;

	(void)state;
	assert_non_null(text);
	for (i = 0; i < n; i++) {
		last = len;
		len += (size_t)sprintf(text + len, "10.%zu.%zu.%zu\n",
				       i >> 16 & 255, i >> 8 & 255, i & 255);
	}
	memset(&p, 0, sizeof(p));
	assert_int_equal(dyn_feed_parse(text, len, &p.r, &p.nr, &p.cap, p.bad,
					8, &p.nr_bad),
			 -E2BIG);
	assert_int_equal(p.nr, DYN_FEED_MAX_RANGES);
	free(p.r);
	/* the last line off: the whole list */
	memset(&p, 0, sizeof(p));
	assert_int_equal(dyn_feed_parse(text, last, &p.r, &p.nr, &p.cap, p.bad,
					8, &p.nr_bad),
			 0);
	assert_int_equal(p.nr, DYN_FEED_MAX_RANGES);
	free(p.r);
	free(text);
}

static void test_feed_forms(void **state)
{
	const char *text = "# FortiGuard style list\n"
			   "192.0.2.1\n"
			   "198.51.100.0/24\r\n"
			   "  203.0.113.10-203.0.113.20  \n"
			   "\n"
			   "10.0.0.0/255.255.0.0 ; old style mask\n"
			   "2001:db8::/32\n"
			   "2001:db8:1::1 - 2001:db8:1::9\n"
			   "192.0.2.77 # a comment after it\n";
	struct parsed p;

	(void)state;
	parse(text, &p);
	assert_int_equal(p.nr_bad, 0);
	assert_int_equal(p.nr, 7);
	assert_int_equal(p.r[0].family, 4);
	assert_true(p.r[0].lo == 0xc0000201 && p.r[0].hi == 0xc0000201);
	assert_true(p.r[1].lo == 0xc6336400 && p.r[1].hi == 0xc63364ff);
	assert_true(p.r[2].lo == 0xcb00710a && p.r[2].hi == 0xcb007114);
	assert_true(p.r[3].lo == 0x0a000000 && p.r[3].hi == 0x0a00ffff);
	assert_int_equal(p.r[4].family, 6);
	assert_true(p.r[4].hi - p.r[4].lo == ((ip_u128)1 << 96) - 1);
	assert_int_equal(p.r[5].family, 6);
	assert_true(p.r[5].hi - p.r[5].lo == 8);
	assert_true(p.r[6].lo == 0xc000024d);
	free(p.r);
}

static void test_feed_bad_lines_by_number(void **state)
{
	const char *text = "192.0.2.1\n"
			   "not-an-address\n"
			   "192.0.2.300\n"
			   "192.0.2.9-192.0.2.1\n" /* backwards */
			   "192.0.2.0/33\n"
			   "192.0.2.0/255.0.255.0\n" /* not a netmask */
			   "192.0.2.1-2001:db8::1\n" /* families mixed */
			   "# fine\n"
			   "192.0.2.2\n"
			   "10.0.0.0/8 junk\n";
	struct parsed p;

	(void)state;
	parse(text, &p);
	assert_int_equal(p.nr, 2);
	assert_int_equal(p.nr_bad, 7);
	assert_int_equal(p.bad[0], 2);
	assert_int_equal(p.bad[1], 3);
	assert_int_equal(p.bad[2], 4);
	assert_int_equal(p.bad[3], 5);
	assert_int_equal(p.bad[4], 6);
	assert_int_equal(p.bad[5], 7);
	assert_int_equal(p.bad[6], 10);
	free(p.r);
}

static void test_feed_empty_and_no_newline(void **state)
{
	struct parsed p;

	(void)state;
	parse("", &p);
	assert_int_equal(p.nr + p.nr_bad, 0);
	free(p.r);
	parse("\n\n# only comments\n", &p);
	assert_int_equal(p.nr + p.nr_bad, 0);
	free(p.r);
	parse("192.0.2.5", &p); /* the last line without its LF */
	assert_int_equal(p.nr, 1);
	free(p.r);
	/* a file saved with a UTF-8 byte order mark: its first line too */
	parse("\xef\xbb\xbf"
	      "192.0.2.5\r\n192.0.2.7\r\n",
	      &p);
	assert_int_equal(p.nr, 2);
	assert_int_equal(p.nr_bad, 0);
	free(p.r);
	/* a BOM anywhere else is not one */
	parse("192.0.2.5\n\xef\xbb\xbf"
	      "192.0.2.7\n",
	      &p);
	assert_int_equal(p.nr, 1);
	assert_int_equal(p.nr_bad, 1);
	free(p.r);
}

/* Does @ip match addr/mask the way a wildcard means it? */
static int wild_match(uint32_t ip, uint32_t addr, uint32_t mask)
{
	return (ip & mask) == (addr & mask);
}

static int in_ranges(uint32_t ip, const struct ip_range *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ip >= r[i].lo && ip <= r[i].hi)
			return 1;
	return 0;
}

/*
 * Against brute force over a 16-bit slice: masks whose free bits all sit
 * in the low 16 bits are checked on every address of that slice.
 */
static void test_wildcard_exact(void **state)
{
	static const uint32_t masks[] = {
		0xffffffff, 0xffffff00, 0xffff00ff, 0xffff0f0f, 0xffff5555,
		0xffffaaaa, 0xffff8001, 0xffff0000, 0xffff7ffe,
	};
	const uint32_t addr = 0x0a0b1234;
	size_t m;
	uint32_t low;

	(void)state;
	for (m = 0; m < sizeof(masks) / sizeof(masks[0]); m++) {
		uint64_t n = wildcard_nr_prefixes(masks[m]);
		struct ip_range *r;

		assert_true(n <= WILDCARD_MAX_PREFIXES);
		r = malloc(n * sizeof(*r));
		assert_non_null(r);
		wildcard_expand(addr, masks[m], r);
		for (low = 0; low <= 0xffff; low++) {
			uint32_t ip = (addr & 0xffff0000) | low;

			assert_int_equal(in_ranges(ip, r, n),
					 wild_match(ip, addr, masks[m]));
		}
		/* Nothing outside the slice. */
		assert_false(in_ranges(addr ^ 0x00010000, r, n));
		free(r);
	}
}

static void test_wildcard_counts(void **state)
{
	(void)state;
	assert_int_equal(wildcard_nr_prefixes(0xffffffff), 1);
	assert_int_equal(wildcard_nr_prefixes(0xffffff00), 1); /* a /24 */
	assert_int_equal(wildcard_nr_prefixes(0), 1);	       /* all */
	assert_int_equal(wildcard_nr_prefixes(0xff00ffff), 256);
	assert_int_equal(wildcard_nr_prefixes(0x00000001), 1ull << 31);
	assert_int_equal(wildcard_nr_prefixes(0x0000ffff), 65536);
}

static void test_table_change_detection(void **state)
{
	struct dyn_table t;
	struct dyn_entry *e;
	struct dyn_range a[2] = {
		{ .family = 4, .lo = 5, .hi = 5 },
		{ .family = 4, .lo = 6, .hi = 6 },
	};
	uint64_t v;

	(void)state;
	dyn_table_init(&t);
	e = dyn_get(&t, DYN_FQDN, "peer.example.net");
	assert_non_null(e);
	assert_ptr_equal(dyn_get(&t, DYN_FQDN, "peer.example.net"), e);
	assert_null(dyn_find(&t, DYN_FEED, "peer.example.net"));
	v = t.version;
	/* An empty answer for a name that never had one: nothing to do. */
	assert_false(dyn_entry_set(&t, e, a, 0));
	assert_true(t.version == v);
	assert_true(dyn_entry_set(&t, e, a, 2));
	assert_int_equal(e->nr, 1); /* 5 and 6 adjoin: one range */
	/* The same answer again, in another order: no change. */
	{
		struct dyn_range b[2] = { a[1], a[0] };

		assert_false(dyn_entry_set(&t, e, b, 2));
	}
	assert_true(dyn_entry_set(&t, e, a, 1));
	dyn_table_free(&t);
}

static const char fqdn_conf[] = "config firewall address\n"
				"    edit \"peer\"\n"
				"        set type fqdn\n"
				"        set fqdn \"peer.example.net\"\n"
				"    next\n"
				"end\n"
				"config firewall local-in-policy\n"
				"    edit 1\n"
				"        set intf \"any\"\n"
				"        set srcaddr \"peer\"\n"
				"        set dstaddr \"all\"\n"
				"        set service \"ALL\"\n"
				"        set schedule \"always\"\n"
				"    next\n"
				"end\n";

/* Source classes of the IPv4 policies: 1 while "peer" is empty. */
static unsigned int src_classes(struct dyn_table *t)
{
	struct pipeline p;
	unsigned int n;

	assert_int_equal(pipeline_load_mem(&p, "t.conf", fqdn_conf,
					   strlen(fqdn_conf), STAGE_RESOLVE),
			 0);
	p.objs.dyn = t;
	assert_int_equal(pipeline_compile(&p), 0);
	n = p.rs.v4.src.nr_classes;
	pipeline_free(&p);
	return n;
}

static void test_compile_reads_the_table(void **state)
{
	struct dyn_table t;
	struct dyn_entry *e;
	struct dyn_range r = { .family = 4,
			       .lo = 0xc0000202,
			       .hi = 0xc0000202 };
	struct dyn_range r6 = { .family = 6, .lo = 1, .hi = 1 };

	(void)state;
	dyn_table_init(&t);
	assert_int_equal(src_classes(NULL), 1);
	assert_int_equal(src_classes(&t), 1);
	e = dyn_get(&t, DYN_FQDN, "peer.example.net");
	assert_non_null(e);
	/* An AAAA only: the IPv4 address "peer" still matches nothing. */
	dyn_entry_set(&t, e, &r6, 1);
	assert_int_equal(src_classes(&t), 1);
	dyn_entry_set(&t, e, &r, 1);
	assert_int_equal(src_classes(&t), 2);
	dyn_table_free(&t);
}

static const char exclude_conf[] = "config firewall address\n"
				   "    edit \"peer\"\n"
				   "        set type fqdn\n"
				   "        set fqdn \"peer.example.net\"\n"
				   "    next\n"
				   "end\n"
				   "config firewall addrgrp\n"
				   "    edit \"others\"\n"
				   "        set member \"all\"\n"
				   "        set exclude enable\n"
				   "        set exclude-member \"peer\"\n"
				   "    next\n"
				   "end\n"
				   "config firewall local-in-policy\n"
				   "    edit 1\n"
				   "        set intf \"any\"\n"
				   "        set srcaddr \"others\"\n"
				   "        set dstaddr \"all\"\n"
				   "        set service \"IKE\"\n"
				   "        set schedule \"always\"\n"
				   "    next\n"
				   "end\n";

/* The exclude-member warning's text, compiled over @t. */
static void exclude_warning(struct dyn_table *t, char *buf, size_t size)
{
	struct pipeline p;
	size_t i;

	buf[0] = '\0';
	assert_int_equal(pipeline_load_mem(&p, "t.conf", exclude_conf,
					   strlen(exclude_conf), STAGE_RESOLVE),
			 0);
	p.objs.dyn = t;
	assert_int_equal(pipeline_compile(&p), 0);
	for (i = 0; i < p.diags.nr; i++)
		if (strstr(p.diags.items[i].msg, "excludes nothing"))
			snprintf(buf, size, "%s", p.diags.items[i].msg);
	pipeline_free(&p);
}

/*
 * The daemon compiles its start before it has asked DNS anything: the
 * warning says the name is not resolved yet, not that it has no address.
 * Asked, and failed, it has none.
 */
static void test_exclude_warning_before_the_first_query(void **state)
{
	struct dyn_table t;
	struct dyn_entry *e;
	char msg[512];

	(void)state;
	dyn_table_init(&t);
	exclude_warning(&t, msg, sizeof(msg));
	assert_non_null(strstr(msg, "has no address (not resolved yet)"));
	e = dyn_get(&t, DYN_FQDN, "peer.example.net");
	assert_non_null(e);
	exclude_warning(&t, msg, sizeof(msg));
	assert_non_null(strstr(msg, "has no address (not resolved yet)"));
	snprintf(e->err, sizeof(e->err),
		 "Timeout while contacting DNS servers");
	exclude_warning(&t, msg, sizeof(msg));
	assert_non_null(strstr(msg, "has no address, so it excludes nothing"));
	dyn_table_free(&t);
}

/* ---- the cache (dyn/cache.h) ---- */

static char said[4][512];
static unsigned int nr_said;

static void collect(void *ctx, const char *msg)
{
	(void)ctx;
	if (nr_said < 4)
		snprintf(said[nr_said], sizeof(said[0]), "%s", msg);
	nr_said++;
}

static struct dyn_entry *entry(struct dyn_table *t, enum dyn_kind kind,
			       const char *name, const char *url)
{
	struct dyn_entry *e = dyn_get(t, kind, name);

	assert_non_null(e);
	e->in_use = true;
	if (url) {
		free(e->url);
		e->url = strdup(url);
	}
	return e;
}

/* What a daemon that ran had: a name with A and AAAA, a feed. */
static void filled(struct dyn_table *t)
{
	struct dyn_range fq[2] = {
		{ .family = 4,
		  .lo = 0xc0000202,
		  .hi = 0xc0000202,
		  .expires_ms = 5000 },
		{ .family = 6, .lo = 1, .hi = 1, .expires_ms = 5000 },
	};
	struct dyn_range feed[2] = {
		{ .family = 4, .lo = 0x0a000000, .hi = 0x0a0000ff },
		{ .family = 4, .lo = 0x0b000001, .hi = 0x0b000005 },
	};
	struct dyn_entry *e;

	dyn_table_init(t);
	e = entry(t, DYN_FQDN, "peer.example.net", NULL);
	dyn_entry_set(t, e, fq, 2);
	e->state = DYN_OK;
	e->stamp = 1000;
	e = entry(t, DYN_FEED, "block list", "http://h/list.txt");
	dyn_entry_set(t, e, feed, 2);
	e->state = DYN_STALE;
	e->stamp = 900;
	/* never resolved: not saved */
	entry(t, DYN_FQDN, "never.example.net", NULL);
}

static char cache_dir[64];

static const char *cache_file(void)
{
	static char path[128];

	if (!cache_dir[0]) {
		snprintf(cache_dir, sizeof(cache_dir), "/tmp/dyncache-XXXXXX");
		assert_non_null(mkdtemp(cache_dir));
	}
	snprintf(path, sizeof(path), "%s/localin.dyncache", cache_dir);
	return path;
}

static void save_filled(void)
{
	struct dyn_table t;
	char why[256] = "";

	filled(&t);
	assert_int_equal(dyn_cache_save(&t, cache_file(), why, sizeof(why)), 0);
	dyn_table_free(&t);
}

/* A fresh daemon's table: the config names these, none resolved yet. */
static void fresh(struct dyn_table *t, const char *url)
{
	dyn_table_init(t);
	entry(t, DYN_FQDN, "peer.example.net", NULL);
	entry(t, DYN_FEED, "block list", url);
	entry(t, DYN_FQDN, "never.example.net", NULL);
}

static void test_cache_round_trip(void **state)
{
	struct dyn_table t;
	struct dyn_entry *e;
	struct stat st;

	(void)state;
	save_filled();
	assert_int_equal(stat(cache_file(), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	fresh(&t, "http://h/list.txt");
	nr_said = 0;
	assert_int_equal(dyn_cache_load(&t, cache_file(), 1120, collect, NULL),
			 2);
	e = dyn_find(&t, DYN_FQDN, "peer.example.net");
	assert_int_equal(e->state, DYN_CACHED);
	assert_int_equal(e->nr, 2);
	assert_true(e->r[0].lo == 0xc0000202 && e->r[1].family == 6);
	/* no TTL: kept until the first answer replaces it */
	assert_true(e->r[0].expires_ms == 0);
	assert_int_equal(e->stamp, 1000);
	assert_true(e->next_ms == 0);
	e = dyn_find(&t, DYN_FEED, "block list");
	assert_int_equal(e->state, DYN_CACHED);
	assert_int_equal(e->nr, 2);
	assert_int_equal(dyn_find(&t, DYN_FQDN, "never.example.net")->state,
			 DYN_NEVER);
	assert_int_equal(nr_said, 2);
	assert_non_null(strstr(
		said[0],
		"fqdn \"peer.example.net\": using the 2 addresses a previous daemon resolved 120 s ago (cache)"));
	assert_non_null(strstr(
		said[1],
		"external-resource \"block list\": using the 2 ranges a previous daemon fetched from http://h/list.txt 220 s ago (cache)"));
	/* The compiler takes cached ranges as any others. */
	assert_int_equal(src_classes(&t), 2);
	assert_string_equal(dyn_state_name(DYN_CACHED), "cache");
	dyn_table_free(&t);
}

/*
 * An address's cache-ttl counts from when the previous daemon last
 * resolved the name: the first answer keeps a cached address until then.
 */
static void test_cache_keeps_cache_ttl(void **state)
{
	const int64_t nows[] = { 1100, 1700, 500 };
	const uint64_t want_s[] = { 500, 0, 600 }; /* 500: clock went back */
	struct dyn_table t;
	struct dyn_entry *e;
	uint64_t before, after;
	size_t i;

	(void)state;
	save_filled();
	for (i = 0; i < 3; i++) {
		fresh(&t, "http://h/list.txt");
		e = dyn_find(&t, DYN_FQDN, "peer.example.net");
		e->cache_ttl = 600;
		before = sa_mono_ms();
		assert_int_equal(
			dyn_cache_load(&t, cache_file(), nows[i], NULL, NULL),
			2);
		after = sa_mono_ms();
		if (!want_s[i]) {
			assert_true(e->r[0].expires_ms == 0);
		} else {
			assert_true(e->r[0].expires_ms >=
				    before + want_s[i] * 1000);
			assert_true(e->r[0].expires_ms <=
				    after + want_s[i] * 1000);
		}
		dyn_table_free(&t);
	}
}

/*
 * A stamp far ahead of the clock (fuzz_feed: 2^63 - 1, which the file
 * may say): the clock went back, and the address is kept cache-ttl from
 * now, as for any stamp ahead. stamp + cache-ttl overflowed (UB; in
 * practice a negative time left, the address kept only until the first
 * answer).
 */
static void test_cache_stamp_far_ahead(void **state)
{
	static const char text[] = "localin-dyncache 1\n"
				   "fqdn\t9223372036854775807\t1\t"
				   "peer.example.net\n"
				   "192.0.2.2\n"
				   "end\t1\n";
	struct dyn_table t;
	struct dyn_entry *e;
	uint64_t before, after;
	int fd;

	(void)state;
	unlink(cache_file());
	fd = open(cache_file(), O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1),
			 (ssize_t)sizeof(text) - 1);
	close(fd);
	fresh(&t, "http://h/list.txt");
	e = dyn_find(&t, DYN_FQDN, "peer.example.net");
	e->cache_ttl = 600;
	before = sa_mono_ms();
	assert_int_equal(dyn_cache_load(&t, cache_file(), 1000, NULL, NULL), 1);
	after = sa_mono_ms();
	assert_int_equal(e->nr, 1);
	assert_true(e->r[0].expires_ms >= before + 600 * 1000);
	assert_true(e->r[0].expires_ms <= after + 600 * 1000);
	dyn_table_free(&t);
}

static void test_cache_same_names_only(void **state)
{
	struct dyn_table t;

	(void)state;
	save_filled();
	/* The feed moved to another URL; the name is no longer named. */
	dyn_table_init(&t);
	entry(&t, DYN_FQDN, "other.example.net", NULL);
	entry(&t, DYN_FEED, "block list", "http://h/other.txt");
	nr_said = 0;
	assert_int_equal(dyn_cache_load(&t, cache_file(), 1000, collect, NULL),
			 0);
	assert_int_equal(nr_said, 0);
	assert_int_equal(t.e[0]->state, DYN_NEVER);
	assert_int_equal(t.e[1]->nr, 0);
	dyn_table_free(&t);
	/* An entry not in use (the config dropped it) is not filled. */
	fresh(&t, "http://h/list.txt");
	t.e[0]->in_use = false;
	assert_int_equal(dyn_cache_load(&t, cache_file(), 1000, NULL, NULL), 1);
	assert_int_equal(t.e[0]->state, DYN_NEVER);
	dyn_table_free(&t);
	/* No file (the first start since boot): nothing, and quiet. */
	unlink(cache_file());
	fresh(&t, "http://h/list.txt");
	nr_said = 0;
	assert_int_equal(dyn_cache_load(&t, cache_file(), 1000, collect, NULL),
			 0);
	assert_int_equal(nr_said, 0);
	dyn_table_free(&t);
}

/* Load @text as the cache: the result; the table must stay untouched. */
static int load_text(const char *text, size_t len)
{
	struct dyn_table t;
	size_t i;
	int fd, ret;

	unlink(cache_file());
	fd = open(cache_file(), O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	fresh(&t, "http://h/list.txt");
	nr_said = 0;
	ret = dyn_cache_load(&t, cache_file(), 1000, collect, NULL);
	for (i = 0; ret < 0 && i < t.nr; i++) {
		assert_int_equal(t.e[i]->state, DYN_NEVER);
		assert_int_equal(t.e[i]->nr, 0);
	}
	if (ret < 0)
		assert_non_null(
			strstr(said[0], "ignoring the dynamic address cache"));
	dyn_table_free(&t);
	return ret;
}

/* Load the cache file as it is: the result; the table untouched on error. */
static int load_text_keep(void)
{
	struct dyn_table t;
	size_t i;
	int ret;

	fresh(&t, "http://h/list.txt");
	nr_said = 0;
	ret = dyn_cache_load(&t, cache_file(), 1000, collect, NULL);
	for (i = 0; ret < 0 && i < t.nr; i++)
		assert_int_equal(t.e[i]->nr, 0);
	dyn_table_free(&t);
	return ret;
}

static char *read_cache(size_t *len)
{
	static char buf[4096];
	int fd = open(cache_file(), O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_true(n > 0 && (size_t)n < sizeof(buf));
	*len = (size_t)n;
	return buf;
}

static void test_cache_cut_short_or_corrupt(void **state)
{
	char text[4096], *c;
	size_t len, cut;

	(void)state;
	save_filled();
	c = read_cache(&len);
	memcpy(text, c, len);
	assert_int_equal(load_text(text, len), 2);
	/* Cut anywhere: nothing of it is used. */
	for (cut = 0; cut < len; cut++)
		assert_true(load_text(text, cut) < 0);
	/* A range that is none, a count that lies, another format. */
	c = strstr(text, "10.0.0.0/24");
	assert_non_null(c);
	c[0] = 'x';
	assert_int_equal(load_text(text, len), -EINVAL);
	assert_non_null(strstr(said[0], "line 6: not a range"));
	c[0] = '1';
	c = strstr(text, "\t2\tpeer");
	c[1] = '3';
	assert_int_equal(load_text(text, len), -EINVAL);
	c[1] = '2';
	text[0] = 'L';
	assert_int_equal(load_text(text, len), -EINVAL);
	assert_non_null(strstr(said[0], "line 1: not a localin cache"));
	text[0] = 'l';
	/* Something after the end line. */
	memcpy(text + len, "x\n", 2);
	assert_int_equal(load_text(text, len + 2), -EINVAL);
	assert_int_equal(load_text(text, len), 2);
}

static void test_cache_untrusted_files(void **state)
{
	char other[160];
	int fd;

	(void)state;
	/* A link, even to a good cache: never followed. */
	save_filled();
	snprintf(other, sizeof(other), "%s/real", cache_dir);
	assert_int_equal(rename(cache_file(), other), 0);
	assert_int_equal(symlink(other, cache_file()), 0);
	assert_true(load_text_keep() == -ELOOP);
	unlink(cache_file());
	/* A second name (hard link). */
	assert_int_equal(link(other, cache_file()), 0);
	assert_int_equal(load_text_keep(), -EPERM);
	assert_non_null(strstr(said[0], "2 names (hard links)"));
	unlink(other);
	/* Written by others, or theirs. */
	assert_int_equal(chmod(cache_file(), 0620), 0);
	assert_int_equal(load_text_keep(), -EPERM);
	assert_int_equal(chmod(cache_file(), 0600), 0);
	if (geteuid() == 0) {
		assert_int_equal(chown(cache_file(), 65534, 65534), 0);
		assert_int_equal(load_text_keep(), -EPERM);
		assert_non_null(strstr(said[0], "belongs to uid 65534"));
		assert_int_equal(chown(cache_file(), 0, 0), 0);
	}
	assert_int_equal(load_text_keep(), 2);
	/* Larger than any cache of ours (sparse: no disk spent). */
	fd = open(cache_file(), O_WRONLY);
	assert_int_equal(ftruncate(fd, (off_t)DYN_CACHE_MAX_BYTES + 1), 0);
	close(fd);
	assert_int_equal(load_text_keep(), -EPERM);
	assert_non_null(strstr(said[0], "more than the limit of 128 MiB"));
	/* Not a file. */
	unlink(cache_file());
	assert_int_equal(mkfifo(cache_file(), 0600), 0);
	assert_int_equal(load_text_keep(), -EPERM);
	unlink(cache_file());
}

/*
 * The temporary files a daemon killed while saving left go at the next
 * start; the cache itself, other names and links stay.
 */
static void test_cache_clean(void **state)
{
	const char *left[] = { "localin.dyncache.aB3xY9",
			       "localin.dyncache.000000" };
	const char *kept[] = { "localin.dyncache.tmp",
			       "localin.dyncache.aB3xY9z",
			       "other.dyncache.aB3xY9", "localin.dyncache" };
	char p[200];
	struct stat st;
	size_t i;
	int fd;

	(void)state;
	unlink(cache_file());
	for (i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/%s", cache_dir, left[i]);
		fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
		assert_true(fd >= 0);
		close(fd);
	}
	for (i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s/%s", cache_dir, kept[i]);
		fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
		assert_true(fd >= 0);
		close(fd);
	}
	/* A link with a temporary name: not ours to judge, left. */
	snprintf(p, sizeof(p), "%s/localin.dyncache.LINK00", cache_dir);
	assert_int_equal(symlink("/etc/passwd", p), 0);
	assert_int_equal(dyn_cache_clean(cache_file()), 2);
	for (i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/%s", cache_dir, left[i]);
		assert_int_not_equal(lstat(p, &st), 0);
	}
	for (i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s/%s", cache_dir, kept[i]);
		assert_int_equal(lstat(p, &st), 0);
		unlink(p);
	}
	snprintf(p, sizeof(p), "%s/localin.dyncache.LINK00", cache_dir);
	assert_int_equal(lstat(p, &st), 0);
	unlink(p);
	assert_int_equal(stat("/etc/passwd", &st), 0);
}

/* A save replaces a link planted at its name, never writes through it. */
static void test_cache_save_replaces_link(void **state)
{
	char target[160];
	struct stat st;
	int fd;

	(void)state;
	unlink(cache_file()); /* cache_dir made */
	snprintf(target, sizeof(target), "%s/target", cache_dir);
	fd = open(target, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	close(fd);
	unlink(cache_file());
	assert_int_equal(symlink(target, cache_file()), 0);
	save_filled();
	assert_int_equal(lstat(cache_file(), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(st.st_size, 0);
	unlink(target);
	unlink(cache_file());
	rmdir(cache_dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_feed_forms),
		cmocka_unit_test(test_feed_max_ranges),
		cmocka_unit_test(test_feed_bad_lines_by_number),
		cmocka_unit_test(test_feed_empty_and_no_newline),
		cmocka_unit_test(test_wildcard_exact),
		cmocka_unit_test(test_wildcard_counts),
		cmocka_unit_test(test_table_change_detection),
		cmocka_unit_test(test_compile_reads_the_table),
		cmocka_unit_test(test_exclude_warning_before_the_first_query),
		cmocka_unit_test(test_cache_round_trip),
		cmocka_unit_test(test_cache_keeps_cache_ttl),
		cmocka_unit_test(test_cache_stamp_far_ahead),
		cmocka_unit_test(test_cache_same_names_only),
		cmocka_unit_test(test_cache_cut_short_or_corrupt),
		cmocka_unit_test(test_cache_untrusted_files),
		cmocka_unit_test(test_cache_clean),
		cmocka_unit_test(test_cache_save_replaces_link),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
