// SPDX-License-Identifier: GPL-2.0
/*
 * Randomized cross-check of the compiled classifier against a naive
 * reference matcher that walks the objects (groups, exclusions, negate,
 * services, interfaces, schedules) policy by policy, as the FortiOS
 * reference describes them. Seeded, so a failure names its seed and
 * reproduces. Also checks that no policy reported as shadowed is ever the
 * answer to a lookup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <cmocka.h>

#include "test_compile_fixture.h"

#define NR_CONFIGS 250
#define NR_KEYS 1500
#define MAX_POOL 40

struct gen {
	struct fx *f;
	unsigned int seed;
	int fam;
	ip_u128 base, max;
	struct obj_addr *addrs[MAX_POOL];
	int nr_addrs;
	ip_u128 points[4 * MAX_POOL];
	int nr_points;
	struct obj_service *svcs[MAX_POOL];
	int nr_svcs;
	struct obj_schedule *scheds[8];
	int nr_scheds;
};

static const char *const ifnames[] = { "eth0", "eth1", "wan", "vpn0" };

static unsigned int rnd(struct gen *g, unsigned int n)
{
	return (unsigned int)rand_r(&g->seed) % n;
}

static bool chance(struct gen *g, unsigned int pct)
{
	return rnd(g, 100) < pct;
}

/* Ranges cluster in a few /24s (v4) or around a /120 and a /64 edge (v6). */
static ip_u128 gen_point(struct gen *g)
{
	if (g->fam == 6 && chance(g, 20))
		return g->base + ((ip_u128)1 << 64) - 2048 + rnd(g, 4096);
	return g->base + rnd(g, 2048);
}

static void note_point(struct gen *g, ip_u128 p)
{
	if (g->nr_points < (int)(sizeof(g->points) / sizeof(g->points[0])))
		g->points[g->nr_points++] = p;
}

static struct obj_addr *gen_leaf(struct gen *g, int k)
{
	char name[16];
	ip_u128 lo, hi, t;

	snprintf(name, sizeof(name), "a%d", k);
	if (chance(g, 5)) {
		struct obj_addr *a = fx_range(g->f, g->fam, name, 0, 0);

		a->type = ADDR_FQDN;
		return a;
	}
	lo = gen_point(g);
	hi = chance(g, 30) ? lo : gen_point(g);
	if (chance(g, 5)) {
		lo = 0;
		hi = g->base + rnd(g, 100);
	} else if (chance(g, 5)) {
		hi = g->max;
	}
	if (hi < lo) {
		t = lo;
		lo = hi;
		hi = t;
	}
	note_point(g, lo);
	note_point(g, hi);
	return fx_range(g->f, g->fam, name, lo, hi);
}

static struct obj_addr *pick_addr(struct gen *g)
{
	return g->addrs[rnd(g, (unsigned int)g->nr_addrs)];
}

static void gen_addrs(struct gen *g)
{
	int nleaf = 4 + (int)rnd(g, 10), ngrp = (int)rnd(g, 6), i;

	for (i = 0; i < nleaf; i++)
		g->addrs[g->nr_addrs++] = gen_leaf(g, i);
	for (i = 0; i < ngrp; i++) {
		struct obj_addr *m[4] = { 0 }, *x[3] = { 0 };
		int nm = 1 + (int)rnd(g, 3),
		    nx = chance(g, 60) ? 1 + (int)rnd(g, 2) : 0, k;
		char name[16];

		for (k = 0; k < nm; k++)
			m[k] = pick_addr(g);
		for (k = 0; k < nx; k++)
			x[k] = pick_addr(g);
		snprintf(name, sizeof(name), "g%d", i);
		g->addrs[g->nr_addrs++] = fx_group(g->f, g->fam, name, m, x);
	}
	/* Sometimes a group wide enough to be a "heavy" set in the check. */
	if (chance(g, 15)) {
		struct obj_addr *m[301];

		for (i = 0; i < 300; i++) {
			ip_u128 p = g->base + 4096 + 3 * (ip_u128)i + rnd(g, 2);

			m[i] = fx_range(g->f, g->fam, "w", p, p);
			note_point(g, p);
		}
		m[300] = NULL;
		g->addrs[g->nr_addrs++] =
			fx_group(g->f, g->fam, "wide", m, NULL);
	}
	g->addrs[g->nr_addrs++] = g->fam == 4 ? g->f->all4 : g->f->all6;
}

static unsigned int gen_port(struct gen *g)
{
	static const unsigned int edges[] = { 0, 1, 65534, 65535, 500, 4500 };

	return chance(g, 15) ? edges[rnd(g, 6)] : rnd(g, 64);
}

static void gen_range(struct gen *g, unsigned int *lo, unsigned int *hi)
{
	unsigned int a = gen_port(g), b = chance(g, 40) ? a : gen_port(g);

	*lo = a < b ? a : b;
	*hi = a < b ? b : a;
}

static unsigned int gen_proto(struct gen *g)
{
	unsigned int icmp = g->fam == 4 ? 1 : 58;
	const unsigned int protos[] = { 6, 17, 132, icmp, 50, 47, 6, 17 };

	return protos[rnd(g, 8)];
}

static void gen_services(struct gen *g)
{
	int n = 3 + (int)rnd(g, 6), i, k;

	g->svcs[g->nr_svcs++] = g->f->any;
	for (i = 0; i < n; i++) {
		struct obj_service *s = NULL;
		int nr = 1 + (int)rnd(g, 2);

		for (k = 0; k < nr; k++) {
			unsigned int proto =
				chance(g, 5) ? SVC_PROTO_ANY : gen_proto(g);
			unsigned int dlo, dhi, slo = 0, shi = 65535;

			gen_range(g, &dlo, &dhi);
			if (chance(g, 25))
				gen_range(g, &slo, &shi);
			if (chance(g, 10)) {
				dlo = 0;
				dhi = 65535;
			}
			if (!s)
				s = fx_svc(g->f, "s", proto, dlo, dhi, slo,
					   shi);
			else
				fx_svc_add(g->f, s, proto, dlo, dhi, slo, shi);
		}
		g->svcs[g->nr_svcs++] = s;
	}
	if (chance(g, 50)) {
		struct obj_service *m[3] = {
			g->svcs[1 + rnd(g, (unsigned int)n)],
			g->svcs[1 + rnd(g, (unsigned int)n)], NULL
		};

		g->svcs[g->nr_svcs++] = fx_svc_group(g->f, "sg", m);
	}
}

static void gen_scheds(struct gen *g)
{
	struct obj_schedule *m[3];

	g->scheds[g->nr_scheds++] = g->f->always;
	g->scheds[g->nr_scheds++] =
		fx_recurring(g->f, "office", 0x3e, 480, 1020);
	g->scheds[g->nr_scheds++] =
		fx_recurring(g->f, "night", 0x41, 1320, 360);
	g->scheds[g->nr_scheds++] = fx_recurring(g->f, "sat24", 0x40, 600, 600);
	g->scheds[g->nr_scheds++] =
		fx_onetime(g->f, "once", 28401000, 28402000);
	m[0] = g->scheds[1];
	m[1] = g->scheds[4];
	m[2] = NULL;
	g->scheds[g->nr_scheds++] = fx_sched_group(g->f, "grp", m);
}

static void gen_policy(struct gen *g, uint32_t id)
{
	struct obj_policy *p =
		fx_policy(g->f, g->fam, id, "any", pick_addr(g), pick_addr(g),
			  g->svcs[rnd(g, (unsigned int)g->nr_svcs)]);
	struct fx *f = g->f;

	if (chance(g, 30)) {
		p->src = arena_alloc(&f->a, 2 * sizeof(*p->src));
		p->src[0] = pick_addr(g);
		p->src[1] = pick_addr(g);
		p->nr_src = 2;
	}
	if (chance(g, 15)) {
		p->svc = arena_alloc(&f->a, 2 * sizeof(*p->svc));
		p->svc[0] = g->svcs[rnd(g, (unsigned int)g->nr_svcs)];
		p->svc[1] = g->svcs[rnd(g, (unsigned int)g->nr_svcs)];
		p->nr_svc = 2;
	}
	if (!chance(g, 30)) {
		size_t n = 1 + rnd(g, 2), k;

		p->intf_any = false;
		p->intfs = arena_alloc(&f->a, n * sizeof(*p->intfs));
		for (k = 0; k < n; k++)
			p->intfs[k].name = ifnames[rnd(g, 3)];
		p->nr_intfs = n;
	}
	p->src_negate = chance(g, 15);
	p->dst_negate = chance(g, 15);
	p->svc_negate = chance(g, 15);
	p->enabled = chance(g, 90);
	p->accept = chance(g, 50);
	if (chance(g, 25))
		p->sched = g->scheds[rnd(g, (unsigned int)g->nr_scheds)];
}

/* ---- the reference matcher ---- */

static bool ref_addr(const struct obj_addr *a, ip_u128 ip)
{
	size_t i;
	bool in = false;

	switch (a->type) {
	case ADDR_FQDN:
		return false;
	case ADDR_GROUP:
		for (i = 0; i < a->nr_members && !in; i++)
			in = ref_addr(a->members[i], ip);
		for (i = 0; a->exclude && i < a->nr_excludes && in; i++)
			if (ref_addr(a->excludes[i], ip))
				in = false;
		return in;
	default:
		return a->range.lo <= ip && ip <= a->range.hi;
	}
}

static bool ref_addrs(struct obj_addr *const *l, size_t n, ip_u128 ip)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ref_addr(l[i], ip))
			return true;
	return false;
}

static bool port_proto(int fam, unsigned int proto)
{
	return proto == 6 || proto == 17 || proto == 132 ||
	       proto == (fam == 4 ? 1u : 58u);
}

static void ref_ranges(const struct obj_service *s,
		       const struct svc_range **out, size_t *n)
{
	size_t i;

	if (!s->is_group) {
		for (i = 0; i < s->nr_ranges; i++)
			out[(*n)++] = &s->ranges[i];
		return;
	}
	for (i = 0; i < s->nr_members; i++)
		ref_ranges(s->members[i], out, n);
}

static bool rect_hit(const struct svc_range *r, unsigned int proto,
		     unsigned int d, unsigned int s)
{
	if (r->proto == SVC_PROTO_ANY)
		return true;
	return r->proto == proto && r->dlo <= d && d <= r->dhi && r->slo <= s &&
	       s <= r->shi;
}

/* Whether the service covers every (dport, sport): test one point per grid cell. */
static bool ref_covers_all(const struct svc_range **r, size_t n,
			   unsigned int proto)
{
	unsigned int xs[64], ys[64], nx = 0, ny = 0, i, j;
	size_t k;

	xs[nx++] = 0;
	ys[ny++] = 0;
	for (k = 0; k < n; k++) {
		xs[nx++] = r[k]->dlo;
		xs[nx++] = r[k]->dhi + 1u;
		ys[ny++] = r[k]->slo;
		ys[ny++] = r[k]->shi + 1u;
	}
	for (i = 0; i < nx; i++)
		for (j = 0; j < ny; j++) {
			bool hit = false;

			if (xs[i] > 65535 || ys[j] > 65535)
				continue;
			for (k = 0; k < n && !hit; k++)
				hit = rect_hit(r[k], proto, xs[i], ys[j]);
			if (!hit)
				return false;
		}
	return true;
}

static bool ref_svc(const struct obj_policy *p, int fam, const struct li_key *k)
{
	const struct svc_range *r[64];
	size_t n = 0, i;
	bool in = false, any = false;

	for (i = 0; i < p->nr_svc; i++)
		ref_ranges(p->svc[i], r, &n);
	if (port_proto(fam, k->proto) && !k->ports_known) {
		for (i = 0; i < n; i++)
			any |= r[i]->proto == SVC_PROTO_ANY ||
			       r[i]->proto == k->proto;
		/* Only an answer that does not depend on the ports counts. */
		if (p->svc_negate)
			return !any;
		return ref_covers_all(r, n, k->proto);
	}
	for (i = 0; i < n && !in; i++) {
		if (!port_proto(fam, k->proto))
			in = r[i]->proto == SVC_PROTO_ANY ||
			     r[i]->proto == k->proto;
		else
			in = rect_hit(r[i], k->proto, k->dport, k->sport);
	}
	return in != p->svc_negate;
}

static bool ref_intf(const struct obj_policy *p, const char *ifname)
{
	size_t i;

	if (p->intf_any)
		return true;
	for (i = 0; ifname && i < p->nr_intfs; i++)
		if (!strcmp(p->intfs[i].name, ifname))
			return true;
	return false;
}

static bool ref_sched(const struct obj_schedule *s, int64_t t)
{
	int64_t day = t >= 0 ? t / 1440 : (t - 1439) / 1440;
	int m = (int)(t - day * 1440);
	int today = (int)(((day + 4) % 7 + 7) % 7), yday = (today + 6) % 7;
	bool on_today = s->days >> today & 1, on_yday = s->days >> yday & 1;
	size_t i;

	switch (s->type) {
	case SCHED_ONETIME:
		return s->start_local <= t && t < s->end_local;
	case SCHED_GROUP:
		for (i = 0; i < s->nr_members; i++)
			if (ref_sched(s->members[i], t))
				return true;
		return false;
	case SCHED_RECURRING:
		if (s->start_min < s->end_min)
			return on_today && s->start_min <= m && m < s->end_min;
		if (s->end_min < s->start_min)
			return (on_today && m >= s->start_min) ||
			       (on_yday && m < s->end_min);
		return (on_today && m >= s->start_min) ||
		       (on_yday && m < s->start_min);
	}
	return false;
}

static ip_u128 key_ip(const __u32 *a, int fam)
{
	const unsigned char *b = (const unsigned char *)a;
	ip_u128 v = 0;
	int i;

	for (i = 0; i < (fam == 6 ? 16 : 4); i++)
		v = v << 8 | b[i];
	return v;
}

static int ref_lookup(struct fx *f, int fam, const struct li_key *k,
		      bool use_time, int64_t t)
{
	struct obj_policy **pol =
		fam == 4 ? f->cfg.policies4 : f->cfg.policies6;
	size_t n = fam == 4 ? f->cfg.nr_policies4 : f->cfg.nr_policies6, i;
	ip_u128 s = key_ip(k->saddr, fam), d = key_ip(k->daddr, fam);

	for (i = 0; i < n; i++) {
		const struct obj_policy *p = pol[i];

		if (!p->enabled || (use_time && !ref_sched(p->sched, t)))
			continue;
		if (ref_intf(p, k->ifname) &&
		    ref_addrs(p->src, p->nr_src, s) != p->src_negate &&
		    ref_addrs(p->dst, p->nr_dst, d) != p->dst_negate &&
		    ref_svc(p, fam, k))
			return (int)i;
	}
	return -1;
}

/* ---- driving ---- */

static ip_u128 gen_key_ip(struct gen *g)
{
	ip_u128 p;

	if (g->nr_points && chance(g, 70)) {
		p = g->points[rnd(g, (unsigned int)g->nr_points)];
		switch (rnd(g, 3)) {
		case 0:
			return p == 0 ? p : p - 1;
		case 1:
			return p == g->max ? p : p + 1;
		default:
			return p;
		}
	}
	if (chance(g, 10))
		return chance(g, 50) ? 0 : g->max;
	return gen_point(g);
}

static struct li_key gen_key(struct gen *g)
{
	struct li_key k = { .family = (__u8)g->fam };
	unsigned int which = rnd(g, 6);

	k.proto = (__u8)(chance(g, 10) ? rnd(g, 256) : gen_proto(g));
	k.ports_known = !chance(g, 10);
	k.dport = (__u16)gen_port(g);
	k.sport = (__u16)gen_port(g);
	k.ifname = which < 4 ? ifnames[which] : which == 4 ? "other0" : NULL;
	if (g->fam == 4) {
		k.saddr[0] = htonl((uint32_t)gen_key_ip(g));
		k.daddr[0] = htonl((uint32_t)gen_key_ip(g));
	} else {
		fx_set6(k.saddr, gen_key_ip(g));
		fx_set6(k.daddr, gen_key_ip(g));
	}
	return k;
}

static bool shadowed(struct fx *f, uint32_t id)
{
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "policy %u can never match", id);
	return fx_nr_warnings(f, prefix) > 0;
}

static void run_config(unsigned int seed, int fam)
{
	struct gen g = { .seed = seed, .fam = fam };
	const struct li_family *lf;
	int npol, i, kk;

	g.f = fx_new();
	g.base = fam == 4 ? ip4("10.0.0.0") : ip6("2001:db8::");
	g.max = fam == 4 ? 0xffffffffu : ~(ip_u128)0;
	gen_addrs(&g);
	gen_services(&g);
	gen_scheds(&g);
	npol = 1 + (int)rnd(&g, 40);
	for (i = 0; i < npol; i++)
		gen_policy(&g, (uint32_t)i + 1);
	assert_int_equal(fx_compile(g.f), 0);
	lf = fam == 4 ? &g.f->rs.v4 : &g.f->rs.v6;
	for (kk = 0; kk < NR_KEYS; kk++) {
		struct li_key k = gen_key(&g);
		bool timed = chance(&g, 30);
		/* Around the onetime window and the weekly boundaries. */
		int64_t t = 28400000 + (int64_t)rnd(&g, 20000);
		int got, want;

		got = fx_lookup(g.f, &k, timed ? &t : NULL);
		want = ref_lookup(g.f, fam, &k, timed, t);
		if (got != want)
			fail_msg("seed %u family %d key %d: got %d want %d "
				 "(proto %u dport %u sport %u known %d if %s)",
				 seed, fam, kk, got, want, k.proto, k.dport,
				 k.sport, k.ports_known,
				 k.ifname ? k.ifname : "(null)");
		if (got >= 0 && shadowed(g.f, lf->policies[got].id))
			fail_msg(
				"seed %u: policy %u reported shadowed but matched",
				seed, lf->policies[got].id);
	}
	fx_free(g.f);
}

static void test_random_v4(void **state)
{
	unsigned int s;

	(void)state;
	for (s = 1; s <= NR_CONFIGS; s++)
		run_config(s, 4);
}

static void test_random_v6(void **state)
{
	unsigned int s;

	(void)state;
	for (s = 1; s <= NR_CONFIGS; s++)
		run_config(1000 + s, 6);
}

/* Shadow warnings on random configs must hold up, and do show up. */
static void test_random_shadow_seen(void **state)
{
	unsigned int s, total = 0;

	(void)state;
	for (s = 1; s <= 100; s++) {
		struct gen g = { .seed = 5000 + s, .fam = 4 };
		int i;

		g.f = fx_new();
		g.base = ip4("10.0.0.0");
		g.max = 0xffffffffu;
		gen_addrs(&g);
		gen_services(&g);
		gen_scheds(&g);
		for (i = 0; i < 30; i++)
			gen_policy(&g, (uint32_t)i + 1);
		assert_int_equal(fx_compile(g.f), 0);
		total += (unsigned int)fx_nr_warnings(g.f, "policy ");
		fx_free(g.f);
	}
	/* Thirty random policies over a small pool shadow each other. */
	assert_true(total > 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_v4),
		cmocka_unit_test(test_random_v6),
		cmocka_unit_test(test_random_shadow_seen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
