// SPDX-License-Identifier: GPL-2.0
/*
 * The compiler's flat image (compile/image.c) holds, byte for byte, what
 * the loader wrote into the maps of one set before it only copied: the
 * reference below is that loader's per-piece walk (put_family & co.),
 * writing into arrays instead of maps. For the packet corpus's configs and
 * generated ones.
 */
#include <glob.h>
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compile/image.h"
#include "pipeline/pipeline.h"

/* The maps of one set (set 0) as the old walk left them. */
struct ref {
	struct li_set_hdr hdr;
	__u32 addr, bm, cross, pol; /* next free entry in the set */
	__u32 *addr_map;
	__u64 *bm_map;
	__u32 *cross_map;
	struct li_policy *pol_map;
	__u16 *port_map;
};

/* The old li_image_need(): every map's size for the old walk. */
static void ref_need(const struct li_ruleset *rs, __u32 need[4])
{
	int fam, p;

	memset(need, 0, 4 * sizeof(*need));
	for (fam = 0; fam < 2; fam++) {
		const struct li_family *f = fam ? &rs->v6 : &rs->v4;

		need[0] += 2 * LI_ADDR_ROOT_ELEMS + f->src.nr_blocks +
			   f->dst.nr_blocks;
		need[1] += f->bm_words *
			   (f->bm_intf.nr_classes + f->bm_src.nr_classes +
			    f->bm_dst.nr_classes + f->bm_svc.nr_classes + 1);
		for (p = 0; p < LI_NR_PORT_PROTOS; p++)
			need[2] += f->svc.nr_dclass[p] * f->svc.nr_sclass[p];
		need[3] += f->nr_policies;
	}
}

static void put(void *map, __u32 key, const void *vals, size_t size, __u32 n)
{
	memcpy((char *)map + (size_t)key * size, vals, (size_t)n * size);
}

/*
 * With phase tables, the image's source classes are their rows of sv
 * (class * nr svc classes, image.c): @mul.
 */
static void put_addr(struct ref *r, int fam, int dim,
		     const struct li_addr_table *t, __u32 mul)
{
	__u32 base = r->addr, *at;
	size_t i, n;

	r->hdr.fam[fam].addr_base[dim] = r->addr;
	put(r->addr_map, base, t->root, LI_ADDR_ELEM * sizeof(__u32),
	    LI_ADDR_ROOT_ELEMS);
	if (t->nr_blocks)
		put(r->addr_map, base + li_addr_block_elem(0), t->blocks,
		    LI_ADDR_ELEM * sizeof(__u32), t->nr_blocks);
	r->addr += LI_ADDR_ROOT_ELEMS + t->nr_blocks;
	at = r->addr_map + (size_t)base * LI_ADDR_ELEM;
	n = (size_t)(LI_ADDR_ROOT_ELEMS + t->nr_blocks) * LI_ADDR_ELEM;
	for (i = 0; i < n; i++)
		if (!(at[i] & LI_NEXT))
			at[i] *= mul;
		else
			at[i] = LI_NEXT |
				((base + li_addr_block_elem(0)) * LI_ADDR_ELEM +
				 (at[i] & ~LI_NEXT) * LI_BLOCK_SIZE) *
					4;
}

static void put_bm(struct ref *r, int fam, int dim, const __u64 *words, __u32 n)
{
	r->hdr.fam[fam].bm_base[dim] = r->bm;
	r->bm += n;
	if (n)
		put(r->bm_map, r->hdr.fam[fam].bm_base[dim], words,
		    sizeof(__u64), n);
}

/*
 * The destination-port table of a protocol with one source class holds
 * the final classes (li_fam_hdr.svc_direct): column 0 of the cross table,
 * through the destination classes.
 */
static int one_column(const struct li_svc_table *t, int p)
{
	return t->dport_class[p] && t->cross[p] && t->nr_sclass[p] == 1 &&
	       t->nr_classes <= 65536;
}

static void put_ports(struct ref *r, int fam, const struct li_svc_table *t)
{
	static const __u16 zero[LI_PORT_SPACE];
	static __u16 direct[LI_PORT_SPACE];
	int p, src, port;

	for (p = 0; p < LI_NR_PORT_PROTOS; p++) {
		for (src = 0; src < 2; src++) {
			const __u16 *v =
				src ? t->sport_class[p] : t->dport_class[p];

			if (!src && one_column(t, p)) {
				for (port = 0; port < LI_PORT_SPACE; port++)
					direct[port] =
						t->cross[p][v[port] * 1 + 0];
				v = direct;
				r->hdr.fam[fam].svc_direct |= 1u << p;
			}
			put(r->port_map, li_port_table_key(0, fam, p, src),
			    v ? v : zero, LI_PORT_ELEM * sizeof(__u16),
			    LI_PORT_ELEMS_PER_TABLE);
		}
	}
}

static void put_cross(struct ref *r, int fam, const struct li_svc_table *t)
{
	struct li_fam_hdr *h = &r->hdr.fam[fam];
	__u32 n;
	int p;

	for (p = 0; p < LI_NR_PORT_PROTOS; p++) {
		n = t->nr_dclass[p] * t->nr_sclass[p];
		h->cross_base[p] = r->cross;
		h->nr_sclass[p] = t->nr_sclass[p];
		h->unknown_ports[p] = t->unknown_ports[p];
		if (!n || !t->cross[p])
			continue;
		put(r->cross_map, r->cross, t->cross[p], sizeof(__u32), n);
		r->cross += n;
	}
	memcpy(h->proto_map, t->proto_map, sizeof(h->proto_map));
}

/* ACTIVE: the enabled mask (the loader puts the schedules' in later). */
static void put_family(struct ref *r, const struct li_ruleset *rs, int fam)
{
	const struct li_family *f = fam ? &rs->v6 : &rs->v4;
	struct li_fam_hdr *h = &r->hdr.fam[fam];

	h->nr_policies = f->nr_policies;
	h->bm_words = f->nr_policies ? f->bm_words : 0;
	h->intf_other = f->intf_other;
	h->pol_base = r->pol;
	h->addr_one = (f->src.nr_classes == 1 ? 1 : 0) |
		      (f->dst.nr_classes == 1 ? 2 : 0);
	put_addr(r, fam, 0, &f->src, f->phase.on ? f->phase.nr_svc : 1);
	put_addr(r, fam, 1, &f->dst, 1);
	put_ports(r, fam, &f->svc);
	put_cross(r, fam, &f->svc);
	if (!f->nr_policies)
		return;
	put(r->pol_map, r->pol, f->policies, sizeof(*f->policies),
	    f->nr_policies);
	r->pol += f->nr_policies;
	put_bm(r, fam, LI_DIM_INTF, f->bm_intf.words,
	       f->bm_intf.nr_classes * f->bm_words);
	put_bm(r, fam, LI_DIM_SRC, f->bm_src.words,
	       f->bm_src.nr_classes * f->bm_words);
	put_bm(r, fam, LI_DIM_DST, f->bm_dst.words,
	       f->bm_dst.nr_classes * f->bm_words);
	put_bm(r, fam, LI_DIM_SVC, f->bm_svc.words,
	       f->bm_svc.nr_classes * f->bm_words);
	put_bm(r, fam, LI_DIM_ACTIVE, f->enabled, f->bm_words);
}

static void ref_walk(struct ref *r, const struct li_ruleset *rs)
{
	__u32 need[4];
	int fam;

	memset(r, 0, sizeof(*r));
	ref_need(rs, need);
	r->addr_map = calloc((size_t)need[0] * LI_ADDR_ELEM + 1, sizeof(__u32));
	r->bm_map = calloc(need[1] + 1, sizeof(__u64));
	r->cross_map = calloc(need[2] + 1, sizeof(__u32));
	r->pol_map = calloc(need[3] + 1, sizeof(struct li_policy));
	r->port_map =
		calloc((size_t)LI_PORT_SET_ELEMS * LI_PORT_ELEM, sizeof(__u16));
	assert_non_null(r->addr_map);
	assert_non_null(r->bm_map);
	assert_non_null(r->cross_map);
	assert_non_null(r->pol_map);
	assert_non_null(r->port_map);
	for (fam = 0; fam < 2; fam++)
		put_family(r, rs, fam);
	r->hdr.detect_esp = rs->detect_unknown_esp;
	r->hdr.esp_wrong_peer_drop = rs->esp_wrong_peer_drop;
	r->hdr.log_allow = rs->log_allow;
	r->hdr.log_deny_unicast = rs->log_deny_unicast;
	r->hdr.log_deny_broadcast = rs->log_deny_broadcast;
	/* What the old walk wrote fits what it asked for. */
	assert_true(r->addr <= need[0] && r->bm <= need[1] &&
		    r->cross <= need[2] && r->pol <= need[3]);
}

static void ref_free(struct ref *r)
{
	free(r->addr_map);
	free(r->bm_map);
	free(r->cross_map);
	free(r->pol_map);
	free(r->port_map);
}

#define SAME(what, a, b, bytes)                                      \
	do {                                                         \
		if (memcmp(a, b, bytes)) {                           \
			print_error("%s: %s differs\n", name, what); \
			fail();                                      \
		}                                                    \
	} while (0)

/*
 * The data path's ab: each (A, B)'s first policy under the enabled mask,
 * first[] of its C class (compile/phase.c).
 */
static void compare_phase_ab(const char *name, const struct li_family *f,
			     const __s32 *ab)
{
	const struct li_phase *ph = &f->phase;
	__s32 *first = malloc(((size_t)ph->nr_c + 1) * sizeof(*first));
	size_t i;

	assert_non_null(first);
	ruleset_phase_first(f, f->enabled, first);
	for (i = 0; i < (size_t)ph->nr_a * ph->nr_b; i++)
		if (ab[i] != first[ph->ab[i]])
			fail_msg("%s: phase ab[%zu] = %d, first[C %u] = %d",
				 name, i, ab[i], ph->ab[i], first[ph->ab[i]]);
	free(first);
}

/* The image's sv holds each A's row of ab: A * nr_b (image.c). */
static void compare_phase_sv(const char *name, const struct li_phase *ph,
			     const __u32 *sv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (sv[i] != ph->sv[i] * ph->nr_b)
			fail_msg("%s: phase sv[%zu] = %u, A %u * nr_b %u", name,
				 i, sv[i], ph->sv[i], ph->nr_b);
}

/*
 * The phase tables came after the old walk: the header's phase fields
 * are taken from the image into the reference, and the tables they
 * point at must hold the compiler's (compile/phase.c).
 */
static void compare_phase(const char *name, const struct li_ruleset *rs,
			  const struct li_image *im, struct ref *r)
{
	int fam;

	for (fam = 0; fam < 2; fam++) {
		const struct li_family *f = fam ? &rs->v6 : &rs->v4;
		const struct li_fam_hdr *h = &im->hdr.fam[fam];
		struct li_fam_hdr *rh = &r->hdr.fam[fam];
		const struct li_phase *ph = &f->phase;

		rh->phase_on = h->phase_on;
		rh->ph_ndst = h->ph_ndst;
		rh->ph_sv = h->ph_sv;
		rh->ph_id = h->ph_id;
		rh->ph_ab = h->ph_ab;
		assert_int_equal(h->phase_on, ph->on);
		if (!ph->on)
			continue;
		assert_int_equal(h->ph_ndst, ph->nr_dst);
		compare_phase_sv(name, ph, im->phase + h->ph_sv,
				 (size_t)f->bm_src.nr_classes * ph->nr_svc);
		SAME("phase id", im->phase + h->ph_id, ph->id,
		     (size_t)f->bm_intf.nr_classes * ph->nr_dst * 4);
		compare_phase_ab(name, f, (const __s32 *)im->phase + h->ph_ab);
	}
}

/*
 * An address table of one class is skipped by the program and the host
 * (addr_one), which read class 0 for it: every entry must say so.
 */
static void check_one_class(const char *name, const struct li_addr_table *t)
{
	size_t i;

	if (t->nr_classes != 1)
		return;
	if (t->nr_blocks)
		fail_msg("%s: one class but %u trie blocks", name,
			 t->nr_blocks);
	for (i = 0; i < LI_ROOT_SIZE; i++)
		if (t->root[i])
			fail_msg("%s: one class but root[%zu] = %#x", name, i,
				 t->root[i]);
}

static void compare(const char *name, const struct li_ruleset *rs)
{
	struct li_image im, lay;
	struct ref r;

	check_one_class(name, &rs->v4.src);
	check_one_class(name, &rs->v4.dst);
	check_one_class(name, &rs->v6.src);
	check_one_class(name, &rs->v6.dst);
	ref_walk(&r, rs);
	assert_int_equal(ruleset_image_build(rs, &im), 0);
	compare_phase(name, rs, &im, &r);
	ruleset_image_layout(rs, &lay);
	assert_int_equal(im.n.addr, r.addr);
	assert_int_equal(im.n.bm, r.bm);
	assert_int_equal(im.n.cross, r.cross);
	assert_int_equal(im.n.pol, r.pol);
	SAME("layout's sizes", &lay.n, &im.n, sizeof(im.n));
	SAME("layout's header", &lay.hdr, &im.hdr, sizeof(im.hdr));
	SAME("header", &r.hdr, &im.hdr, sizeof(im.hdr));
	SAME("li_addr", r.addr_map, im.addr,
	     (size_t)r.addr * LI_ADDR_ELEM * sizeof(__u32));
	SAME("li_bm", r.bm_map, im.bm, (size_t)r.bm * sizeof(__u64));
	SAME("li_cross", r.cross_map, im.cross,
	     (size_t)r.cross * sizeof(__u32));
	SAME("li_pol", r.pol_map, im.pol,
	     (size_t)r.pol * sizeof(struct li_policy));
	SAME("li_port", r.port_map, im.port,
	     (size_t)LI_PORT_SET_ELEMS * LI_PORT_ELEM * sizeof(__u16));
	ruleset_image_free(&im);
	ref_free(&r);
}

static void compare_config(const char *name, const char *text)
{
	struct pipeline p;
	int err;

	err = pipeline_load_mem(&p, name, text, strlen(text), STAGE_COMPILE);
	if (err) {
		print_error("%s: does not compile (%d)\n", name, err);
		diag_print(&p.diags, stderr);
	}
	assert_int_equal(err, 0);
	compare(name, &p.rs);
	pipeline_free(&p);
}

/* Every config of the packet corpus (make test runs from the top). */
static void test_corpus(void **state)
{
	glob_t g;
	size_t i;

	(void)state;
	assert_int_equal(glob("tests/packets/*.conf", 0, NULL, &g), 0);
	assert_true(g.gl_pathc >= 10);
	for (i = 0; i < g.gl_pathc; i++) {
		struct pipeline p;

		assert_int_equal(
			pipeline_load(&p, g.gl_pathv[i], STAGE_COMPILE), 0);
		compare(g.gl_pathv[i], &p.rs);
		pipeline_free(&p);
	}
	globfree(&g);
}

/* An empty config: no policies in either family. */
static void test_empty(void **state)
{
	(void)state;
	compare_config("empty", "");
}

/* A config generated from @seed: addresses, groups with exclusions,
 * services with port ranges, both families, schedules, disabled policies. */
struct text {
	char *s;
	size_t len, cap;
};

static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if ((size_t)n < t->cap - t->len)
			break;
		t->cap = t->cap * 2 + n + 64;
		t->s = realloc(t->s, t->cap);
		assert_non_null(t->s);
	}
	t->len += n;
}

static unsigned int rnd(unsigned int *seed, unsigned int n)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 8) % n;
}

static void gen_config(struct text *t, unsigned int seed, int nr_addrs,
		       int nr_pol, bool v4, bool v6)
{
	static const char *const svc[] = { "ALL",  "IKE",   "HTTPS", "SSH",
					   "PING", "s-tcp", "s-udp", "s-mix" };
	static const char *const sched[] = { "always", "work", "maint" };
	char src[16];
	int i;

	add(t,
	    "config system interface\n"
	    "    edit \"wan1\"\n"
	    "        set ip 198.51.100.1 255.255.255.0\n"
	    "    next\n"
	    "    edit \"wan2\"\n"
	    "        set ip 192.0.2.1 255.255.255.0\n"
	    "    next\n"
	    "end\n"
	    "config firewall service custom\n"
	    "    edit \"s-tcp\"\n"
	    "        set tcp-portrange %u-%u:1024-65535 %u\n"
	    "    next\n"
	    "    edit \"s-udp\"\n"
	    "        set udp-portrange %u 500\n"
	    "    next\n"
	    "    edit \"s-mix\"\n"
	    "        set tcp-portrange 22 8080-8090\n"
	    "        set udp-portrange 53\n"
	    "        set sctp-portrange 2905\n"
	    "    next\n"
	    "end\n"
	    "config firewall schedule recurring\n"
	    "    edit \"work\"\n"
	    "        set day monday tuesday\n"
	    "        set start 09:00\n"
	    "        set end 17:00\n"
	    "    next\n"
	    "end\n"
	    "config firewall schedule onetime\n"
	    "    edit \"maint\"\n"
	    "        set start 10:00 2024/03/15\n"
	    "        set end 12:00 2024/03/15\n"
	    "    next\n"
	    "end\n",
	    1 + rnd(&seed, 1000), 1001 + rnd(&seed, 1000),
	    2000 + rnd(&seed, 60000), 1 + rnd(&seed, 60000));
	add(t, "config firewall address\n");
	for (i = 0; i < nr_addrs; i++)
		add(t,
		    "    edit \"a%d\"\n        set subnet %u.%u.%u.0/%u\n"
		    "    next\n",
		    i, 1 + rnd(&seed, 223), rnd(&seed, 256), rnd(&seed, 256),
		    8 + rnd(&seed, 17));
	add(t, "end\nconfig firewall address6\n");
	for (i = 0; i < nr_addrs; i++)
		add(t,
		    "    edit \"b%d\"\n        set ip6 2001:db8:%x:%x::/%u\n"
		    "    next\n",
		    i, rnd(&seed, 65536), rnd(&seed, 65536),
		    32 + rnd(&seed, 49));
	add(t, "end\nconfig firewall addrgrp\n"
	       "    edit \"g\"\n        set member \"all\"\n"
	       "        set exclude enable\n"
	       "        set exclude-member \"a0\" \"a1\"\n    next\nend\n");
	add(t, "config firewall local-in-policy\n");
	for (i = 0; v4 && i < nr_pol; i++) {
		if (rnd(&seed, 5))
			snprintf(src, sizeof(src), "a%u", rnd(&seed, nr_addrs));
		else
			strcpy(src, "g");
		add(t,
		    "    edit %d\n        set intf \"%s\"\n"
		    "        set srcaddr \"%s\"\n"
		    "        set dstaddr \"all\"\n"
		    "        set action %s\n        set service \"%s\"\n"
		    "        set schedule \"%s\"\n        set status %s\n"
		    "    next\n",
		    i + 1, rnd(&seed, 3) ? "wan1" : "any", src,
		    rnd(&seed, 2) ? "accept" : "deny", svc[rnd(&seed, 8)],
		    sched[rnd(&seed, 3)], rnd(&seed, 6) ? "enable" : "disable");
	}
	add(t, "end\nconfig firewall local-in-policy6\n");
	for (i = 0; v6 && i < nr_pol; i++)
		add(t,
		    "    edit %d\n        set intf \"%s\"\n"
		    "        set srcaddr \"b%d\"\n"
		    "        set dstaddr \"all\"\n"
		    "        set action %s\n        set service \"%s\"\n"
		    "        set schedule \"%s\"\n    next\n",
		    i + 1, rnd(&seed, 2) ? "wan2" : "any", rnd(&seed, nr_addrs),
		    rnd(&seed, 2) ? "accept" : "deny", svc[rnd(&seed, 8)],
		    sched[rnd(&seed, 3)]);
	add(t, "end\n");
}

static void test_generated(void **state)
{
	static const struct {
		int addrs, pol;
		bool v4, v6;
	} shape[] = {
		{ 4, 3, true, false },	  { 4, 3, false, true },
		{ 50, 70, true, true },	  { 300, 200, true, true },
		{ 20, 130, true, false },
	};
	unsigned int i;
	char name[32];

	(void)state;
	for (i = 0; i < sizeof(shape) / sizeof(shape[0]); i++) {
		struct text t = { 0 };

		gen_config(&t, 7 + i, shape[i].addrs, shape[i].pol, shape[i].v4,
			   shape[i].v6);
		snprintf(name, sizeof(name), "generated-%u", i);
		compare_config(name, t.s);
		free(t.s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_generated),
	};

	/*
	 * Fresh memory is not zeros here (the image's arrays come from the
	 * heap, filled by M_PERTURB): an entry the image leaves unwritten
	 * differs from the reference's.
	 */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_PERTURB, 0x5a);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
