// SPDX-License-Identifier: GPL-2.0
/*
 * The data path's slot tables on the host: the locals table the host
 * decides with is the one the loader copies (local_slot.h, one builder),
 * its probe limit, and the SA a verdict names (li_host_sa) found through
 * the SA table the decision used.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/host.h"
#include "dataplane/parse.h"

struct fx {
	/*
	 * A ruleset without a policy (what compiling an empty config
	 * gives, tables aside): what is ours is passed as implicit, ESP
	 * is SPI-checked.
	 */
	struct li_ruleset rs;
	struct spi_table sas;
	struct li_host h;
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->rs.detect_unknown_esp = true;
	spi_table_init(&f->sas);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	li_host_free(&f->h);
	spi_table_free(&f->sas);
	free(f);
	return 0;
}

static __u32 a4(const char *s)
{
	__u32 a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static struct li_pkt pkt_to(int family, const __u32 *daddr)
{
	struct li_pkt p = { .family = (__u8)family, .proto = 17 };

	memcpy(p.daddr, daddr, family == 6 ? 16 : 4);
	return p;
}

/* 0 not ours, 1 unicast, 2 broadcast/multicast: as li_local_kind(). */
static int kind_of(struct li_host *h, int family, const __u32 *daddr)
{
	struct li_pkt p = pkt_to(family, daddr);
	struct li_verdict v;

	li_host_decide(h, &p, &v);
	if (v.reason == LI_R_NONLOCAL)
		return 0;
	return v.bcast ? 2 : 1;
}

/* The host's table, grown address by address, is the loader's. */
static void test_host_table_is_the_built_one(void **state)
{
	struct fx *f = *state;
	struct li_local_slot *t = malloc(LI_LOCAL_SLOTS * sizeof(*t));
	__u32 a6[4] = { 0 }, a;

	assert_non_null(t);
	assert_int_equal(li_host_init(&f->h, &f->rs, &f->sas), 0);
	assert_int_equal(li_host_add_ip4_subnet(&f->h, a4("192.0.2.1"), 24), 0);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", a6), 1);
	assert_int_equal(li_host_add_local(&f->h, 6, a6, false), 0);
	/* Again, as a broadcast: the first entry of an address wins. */
	a = a4("192.0.2.1");
	assert_int_equal(li_host_add_local(&f->h, 4, &a, true), 0);
	assert_int_equal(f->h.nr_locals, 4);

	assert_int_equal(
		li_local_table_build(t, f->h.locals, f->h.nr_locals, NULL), 0);
	assert_memory_equal(t, f->h.local_tab, LI_LOCAL_SLOTS * sizeof(*t));

	assert_int_equal(kind_of(&f->h, 4, &a), 1);
	a = a4("192.0.2.255");
	assert_int_equal(kind_of(&f->h, 4, &a), 2);
	a = a4("192.0.2.2");
	assert_int_equal(kind_of(&f->h, 4, &a), 0);
	a = a4("224.0.0.5");
	assert_int_equal(kind_of(&f->h, 4, &a), 2);
	a = a4("255.255.255.255");
	assert_int_equal(kind_of(&f->h, 4, &a), 2);
	assert_int_equal(kind_of(&f->h, 6, a6), 1);
	free(t);
}

/*
 * LI_LOCAL_PROBES addresses with one home slot fit; one more is refused
 * on the host as the loader refuses it, and is not ours.
 */
static void test_probe_limit(void **state)
{
	struct fx *f = *state;
	__u32 same[LI_LOCAL_PROBES + 1], home = 0, i, n = 0, a;

	assert_int_equal(li_host_init(&f->h, &f->rs, &f->sas), 0);
	for (i = 0; n < LI_LOCAL_PROBES + 1; i++) {
		__u32 w[4] = { htonl(0x0a000000 + i), 0, 0, 0 };

		assert_true(i < (1u << 24));
		if (!n)
			home = li_local_hash(4, w);
		if (li_local_hash(4, w) == home)
			same[n++] = w[0];
	}
	for (i = 0; i < LI_LOCAL_PROBES; i++)
		assert_int_equal(li_host_add_local(&f->h, 4, &same[i], false),
				 0);
	assert_int_equal(li_host_add_local(&f->h, 4, &same[i], false), -ENOSPC);
	assert_int_equal(f->h.nr_locals, LI_LOCAL_PROBES);
	for (i = 0; i < LI_LOCAL_PROBES; i++)
		assert_int_equal(kind_of(&f->h, 4, &same[i]), 1);
	assert_int_equal(kind_of(&f->h, 4, &same[i]), 0);
	a = htonl(ntohl(same[0]) ^ 1);
	assert_int_equal(kind_of(&f->h, 4, &a), 0);
}

/* @n random IPv6 addresses in 2001:db8::/32, the same every run. */
static void random_ip6(struct li_host_addr *a, size_t n)
{
	__u64 x = 0x2545f4914f6cdd1dull;
	size_t i, j;

	for (i = 0; i < n; i++) {
		memset(&a[i], 0, sizeof(a[i]));
		a[i].family = 6;
		a[i].addr[0] = htonl(0x20010db8);
		for (j = 1; j < 4; j++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			a[i].addr[j] = (__u32)(x >> 16);
		}
	}
}

/* Does match.h's probe find @a: to the address or an empty slot. */
static int in_table(const struct li_local_slot *t, const struct li_host_addr *a)
{
	__u32 h = li_local_hash(a->family, a->addr), j, k;

	for (j = 0; j < LI_LOCAL_PROBES; j++) {
		k = (h + j) & (LI_LOCAL_SLOTS - 1);
		if (!t[k].family)
			return 0;
		if (li_local_key_eq(&t[k], a->family, a->addr))
			return 1;
	}
	return 0;
}

/*
 * A gateway with thousands of addresses (SLAAC and privacy addresses on
 * many VLANs, a /24 of secondaries per customer): 4000 random IPv6
 * addresses all fit and are all found, where plain linear probing refused
 * the table (and the daemon did not start) from some 2200-3300 on. An
 * address refused leaves the table as it was.
 */
static void test_many_random(void **state)
{
	enum { N = 4000 };
	struct li_local_slot *t = malloc(LI_LOCAL_SLOTS * sizeof(*t));
	struct li_local_slot *before = malloc(LI_LOCAL_SLOTS * sizeof(*t));
	struct li_host_addr *a = calloc(N + 1, sizeof(*a));
	int full = 0;
	__u32 i;

	(void)state;
	assert_non_null(t);
	assert_non_null(before);
	assert_non_null(a);
	random_ip6(a, N);
	assert_int_equal(li_local_table_build(t, a, N, NULL), 0);
	for (i = 0; i < N; i++)
		assert_true(in_table(t, &a[i]));
	/* Fill on: the first address refused changes nothing. */
	for (i = 0; !full; i++) {
		struct li_host_addr b = { .family = 4 };

		assert_true(i < LI_LOCAL_SLOTS);
		b.addr[0] = htonl(0x0a000000 + i * 7919);
		memcpy(before, t, LI_LOCAL_SLOTS * sizeof(*t));
		full = li_local_table_add(t, &b) == -ENOSPC;
	}
	assert_memory_equal(before, t, LI_LOCAL_SLOTS * sizeof(*t));
	free(a);
	free(before);
	free(t);
}

/*
 * More addresses than the table holds: every one that fits is placed and
 * found, the build says how many did not and the first of them (the
 * daemon puts that table in force and says so, where it refused the
 * whole list and did not start).
 */
static void test_build_keeps_what_fits(void **state)
{
	enum { N = LI_LOCAL_SLOTS };
	struct li_local_slot *t = malloc(LI_LOCAL_SLOTS * sizeof(*t));
	struct li_host_addr *a = calloc(N, sizeof(*a));
	size_t out, first = 0, missing = 0, first_missing = N, i;

	(void)state;
	assert_non_null(t);
	assert_non_null(a);
	random_ip6(a, N);
	out = li_local_table_build(t, a, N, &first);
	assert_true(out > 0 && out < N / 2);
	for (i = 0; i < N; i++) {
		if (in_table(t, &a[i]))
			continue;
		if (!missing++)
			first_missing = i;
	}
	assert_int_equal(missing, out);
	assert_int_equal(first, first_missing);
	free(a);
	free(t);
}

static void add_sa(struct fx *f, const char *dst, __u32 spi, const char *peer,
		   const char *tunnel)
{
	struct sa_entry e = { .family = 4, .spi = spi };

	e.daddr[0] = a4(dst);
	if (peer) {
		e.has_peer = 1;
		e.peer[0] = a4(peer);
	}
	strcpy(e.tunnel, tunnel);
	assert_int_equal(spi_table_add(&f->sas, &e), 0);
}

static struct li_pkt esp(const char *src, const char *dst, __u32 spi)
{
	__u32 d = a4(dst);
	struct li_pkt p = pkt_to(4, &d);

	p.proto = 50;
	p.flags = LI_PKT_ESP;
	p.saddr[0] = a4(src);
	p.spi = spi;
	return p;
}

/* The SA of a decision, by the packet's key in the decision's table. */
static void test_host_sa(void **state)
{
	struct fx *f = *state;
	const struct sa_entry *sa;
	struct li_verdict v;
	struct li_pkt p;
	__u32 gw = a4("198.51.100.1");

	add_sa(f, "198.51.100.1", 0xc0ffee01, "203.0.113.10", "hq");
	add_sa(f, "198.51.100.1", 0xc0ffee02, NULL, "lab");
	assert_int_equal(li_host_init(&f->h, &f->rs, &f->sas), 0);
	assert_int_equal(li_host_add_local(&f->h, 4, &gw, false), 0);

	p = esp("203.0.113.10", "198.51.100.1", 0xc0ffee01);
	li_host_decide(&f->h, &p, &v);
	assert_int_equal(v.reason, LI_R_ESP_OK);
	sa = li_host_sa(&f->h, &p, &v);
	assert_non_null(sa);
	assert_string_equal(sa->tunnel, "hq");
	assert_ptr_equal(f->h.last_sa, sa);

	p = esp("203.0.113.99", "198.51.100.1", 0xc0ffee02);
	li_host_decide(&f->h, &p, &v);
	assert_int_equal(v.reason, LI_R_ESP_OK);
	assert_string_equal(li_host_sa(&f->h, &p, &v)->tunnel, "lab");

	/* A live SPI from another address: still that SA's. */
	p = esp("203.0.113.99", "198.51.100.1", 0xc0ffee01);
	li_host_decide(&f->h, &p, &v);
	assert_int_equal(v.reason, LI_R_ESP_WRONG_PEER);
	assert_string_equal(li_host_sa(&f->h, &p, &v)->tunnel, "hq");

	p = esp("203.0.113.10", "198.51.100.1", 0xdead);
	li_host_decide(&f->h, &p, &v);
	assert_int_equal(v.reason, LI_R_ESP_UNKNOWN_SPI);
	assert_null(li_host_sa(&f->h, &p, &v));
	assert_null(f->h.last_sa);

	/*
	 * A later fragment takes its first fragment's verdict, but has no
	 * SPI of its own: it names no SA (as a lookup by its key always did).
	 */
	p = esp("203.0.113.10", "198.51.100.1", 0xc0ffee01);
	li_host_decide(&f->h, &p, &v);
	p.spi = 0;
	assert_null(li_host_sa(&f->h, &p, &v));
}

/* An SA of @port's NAT-T encapsulation, in or out. */
static void add_natt(struct fx *f, __u32 spi, __u8 dir, __u16 sport,
		     __u16 dport)
{
	struct sa_entry e = { .family = 4,
			      .spi = spi,
			      .dir = dir,
			      .encap = 1,
			      .encap_sport = sport,
			      .encap_dport = dport };

	e.daddr[0] = a4("198.51.100.1");
	assert_int_equal(spi_table_add(&f->sas, &e), 0);
}

/*
 * The NAT-T ports are the SAs' local encapsulation ports (an in SA's
 * destination port, an out SA's source port), LI_NATT_EXTRA of them
 * besides 4500; 0, 500 and 4500 take no slot; past the bound, the first
 * port left out is named.
 */
static void test_natt_ports(void **state)
{
	struct fx *f = *state;
	struct li_natt n = LI_NATT_INIT;
	__u16 over;
	int i;

	assert_int_equal(li_natt_add(&n, 0), 0);
	assert_int_equal(li_natt_add(&n, 500), 0);
	assert_int_equal(li_natt_add(&n, 4500), 0);
	for (i = 0; i < LI_NATT_EXTRA; i++)
		assert_int_equal(n.port[i], 4500);
	for (i = 0; i < LI_NATT_EXTRA; i++)
		assert_int_equal(li_natt_add(&n, (__u16)(5000 + i)), 0);
	assert_int_equal(li_natt_add(&n, 5000), 0); /* there already */
	assert_int_equal(li_natt_add(&n, 6000), -ENOSPC);

	add_natt(f, 1, SA_DIR_IN, 61000, 4501);
	add_natt(f, 2, SA_DIR_OUT, 4502, 61000);
	add_natt(f, 3, SA_DIR_UNKNOWN, 61000, 4500);
	assert_int_equal(li_natt_of_table(&n, &f->sas, &over), 0);
	assert_int_equal(over, 0);
	assert_true(li_natt_has(&n, 4501) && li_natt_has(&n, 4502));
	assert_false(li_natt_has(&n, 61000) || li_natt_has(&n, 0));
	add_natt(f, 4, SA_DIR_IN, 4500, 4503);
	add_natt(f, 5, SA_DIR_IN, 4500, 4504);
	add_natt(f, 6, SA_DIR_IN, 4500, 4505);
	assert_int_equal(li_natt_of_table(&n, &f->sas, &over), 1);
	assert_true(over >= 4501 && over <= 4505);
	assert_false(li_natt_has(&n, over));

	/* the host engine's, from its SAs */
	assert_int_equal(li_host_init(&f->h, &f->rs, &f->sas), 0);
	assert_memory_equal(&f->h.natt, &n, sizeof(n));
	assert_int_equal(f->h.natt_over, over);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_host_table_is_the_built_one, fx_setup,
			fx_teardown),
		cmocka_unit_test_setup_teardown(test_probe_limit, fx_setup,
						fx_teardown),
		cmocka_unit_test(test_many_random),
		cmocka_unit_test(test_build_keeps_what_fits),
		cmocka_unit_test_setup_teardown(test_host_sa, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_natt_ports, fx_setup,
						fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
