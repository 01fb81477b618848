/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hand-built obj_config for the compiler tests: objects are arena-allocated
 * exactly as the resolver would leave them, so the tests do not depend on
 * the config parser.
 */
#ifndef TEST_COMPILE_FIXTURE_H
#define TEST_COMPILE_FIXTURE_H

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "compile/compile.h"
#include "dataplane/host.h"
#include "util/arena.h"

struct fx {
	struct arena a;
	struct obj_config cfg;
	struct diag_list dl;
	struct conf_source src;
	struct li_ruleset rs;
	bool compiled;
	struct obj_addr *all4, *all6;
	struct obj_service *any;
	struct obj_schedule *always;
	size_t cap4, cap6, cap_addrs;
	unsigned int line;
	/*
	 * fx_lookup()'s hosts for @rs, made at the first lookup after a
	 * compile: [0] all enabled policies active, [1] schedules at a minute.
	 */
	struct li_host host[2];
	bool have_host;
};

static inline struct conf_loc fx_loc(struct fx *f)
{
	struct conf_loc l = {
		.src = &f->src, .line = ++f->line, .col = 1, .len = 1
	};

	return l;
}

static inline ip_u128 ip4(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return ntohl(a.s_addr);
}

static inline ip_u128 ip6(const char *s)
{
	unsigned char b[16];
	ip_u128 v = 0;
	int i;

	if (inet_pton(AF_INET6, s, b) != 1)
		abort();
	for (i = 0; i < 16; i++)
		v = v << 8 | b[i];
	return v;
}

static inline void fx_add_addr(struct fx *f, struct obj_addr *a)
{
	*ARENA_PUSH(&f->a, f->cfg.addrs, f->cfg.nr_addrs, f->cap_addrs) = a;
}

static inline struct obj_addr *fx_range(struct fx *f, int fam, const char *name,
					ip_u128 lo, ip_u128 hi)
{
	struct obj_addr *a = arena_alloc(&f->a, sizeof(*a));

	a->name = arena_strdup(&f->a, name);
	a->loc = fx_loc(f);
	a->family = fam;
	a->type = ADDR_IPRANGE;
	a->range.lo = lo;
	a->range.hi = hi;
	fx_add_addr(f, a);
	return a;
}

static inline struct obj_addr *fx_net4(struct fx *f, const char *name,
				       const char *net, unsigned int plen)
{
	ip_u128 lo = ip4(net), size = (ip_u128)1 << (32 - plen);
	struct obj_addr *a = fx_range(f, 4, name, lo, lo + size - 1);

	a->type = ADDR_IPMASK;
	return a;
}

static inline struct obj_addr *fx_net6(struct fx *f, const char *name,
				       const char *net, unsigned int plen)
{
	ip_u128 lo = ip6(net);
	ip_u128 span = plen ? (((ip_u128)1 << (128 - plen)) - 1) : ~(ip_u128)0;
	struct obj_addr *a = fx_range(f, 6, name, lo, lo + span);

	a->type = ADDR_IPMASK;
	return a;
}

/* Lists are NULL-terminated; excludes may be NULL. */
static inline struct obj_addr *fx_group(struct fx *f, int fam, const char *name,
					struct obj_addr **members,
					struct obj_addr **excludes)
{
	struct obj_addr *g = arena_alloc(&f->a, sizeof(*g));
	size_t n = 0;

	g->name = arena_strdup(&f->a, name);
	g->loc = fx_loc(f);
	g->family = fam;
	g->type = ADDR_GROUP;
	while (members[n])
		n++;
	g->members = arena_alloc(&f->a, (n + 1) * sizeof(*g->members));
	memcpy(g->members, members, n * sizeof(*g->members));
	g->nr_members = n;
	n = 0;
	while (excludes && excludes[n])
		n++;
	if (n) {
		size_t i;

		g->exclude = true;
		g->excludes = arena_alloc(&f->a, n * sizeof(*g->excludes));
		g->exclude_locs =
			arena_alloc(&f->a, n * sizeof(struct conf_loc));
		memcpy(g->excludes, excludes, n * sizeof(*g->excludes));
		for (i = 0; i < n; i++)
			g->exclude_locs[i] = fx_loc(f);
		g->nr_excludes = n;
	}
	fx_add_addr(f, g);
	return g;
}

static inline struct obj_service *fx_svc(struct fx *f, const char *name,
					 unsigned int proto, unsigned int dlo,
					 unsigned int dhi, unsigned int slo,
					 unsigned int shi)
{
	struct obj_service *s = arena_alloc(&f->a, sizeof(*s));

	s->name = arena_strdup(&f->a, name);
	s->loc = fx_loc(f);
	s->ranges = arena_alloc(&f->a, sizeof(*s->ranges));
	s->ranges[0] = (struct svc_range){ (uint16_t)proto, (uint16_t)dlo,
					   (uint16_t)dhi, (uint16_t)slo,
					   (uint16_t)shi };
	s->nr_ranges = 1;
	return s;
}

/* Add one more range to a custom service. */
static inline void fx_svc_add(struct fx *f, struct obj_service *s,
			      unsigned int proto, unsigned int dlo,
			      unsigned int dhi, unsigned int slo,
			      unsigned int shi)
{
	struct svc_range *r =
		arena_alloc(&f->a, (s->nr_ranges + 1) * sizeof(*r));

	memcpy(r, s->ranges, s->nr_ranges * sizeof(*r));
	r[s->nr_ranges++] = (struct svc_range){ (uint16_t)proto, (uint16_t)dlo,
						(uint16_t)dhi, (uint16_t)slo,
						(uint16_t)shi };
	s->ranges = r;
}

static inline struct obj_service *fx_svc_group(struct fx *f, const char *name,
					       struct obj_service **members)
{
	struct obj_service *g = arena_alloc(&f->a, sizeof(*g));
	size_t n = 0;

	while (members[n])
		n++;
	g->name = arena_strdup(&f->a, name);
	g->loc = fx_loc(f);
	g->is_group = true;
	g->members = arena_alloc(&f->a, (n + 1) * sizeof(*g->members));
	memcpy(g->members, members, n * sizeof(*g->members));
	g->nr_members = n;
	return g;
}

static inline struct obj_schedule *fx_recurring(struct fx *f, const char *name,
						unsigned int days,
						unsigned int start,
						unsigned int end)
{
	struct obj_schedule *s = arena_alloc(&f->a, sizeof(*s));

	s->name = arena_strdup(&f->a, name);
	s->type = SCHED_RECURRING;
	s->days = (uint8_t)days;
	s->start_min = (uint16_t)start;
	s->end_min = (uint16_t)end;
	return s;
}

static inline struct obj_schedule *fx_onetime(struct fx *f, const char *name,
					      int64_t start, int64_t end)
{
	struct obj_schedule *s = arena_alloc(&f->a, sizeof(*s));

	s->name = arena_strdup(&f->a, name);
	s->type = SCHED_ONETIME;
	s->start_local = start;
	s->end_local = end;
	return s;
}

static inline struct obj_schedule *
fx_sched_group(struct fx *f, const char *name, struct obj_schedule **m)
{
	struct obj_schedule *s = arena_alloc(&f->a, sizeof(*s));
	size_t n = 0;

	while (m[n])
		n++;
	s->name = arena_strdup(&f->a, name);
	s->type = SCHED_GROUP;
	s->members = arena_alloc(&f->a, (n + 1) * sizeof(*m));
	memcpy(s->members, m, n * sizeof(*m));
	s->nr_members = n;
	return s;
}

static inline struct fx *fx_new(void)
{
	struct fx *f = calloc(1, sizeof(*f));

	arena_init(&f->a);
	diag_init(&f->dl, &f->a);
	f->src.name = "test.conf";
	f->src.text = "";
	f->cfg.arena = &f->a;
	f->cfg.detect_unknown_esp = true;
	f->all4 = fx_range(f, 4, "all", 0, 0xffffffffu);
	f->all4->builtin = true;
	f->all6 = fx_range(f, 6, "all", 0, ~(ip_u128)0);
	f->all6->builtin = true;
	f->any = fx_svc(f, "ALL", SVC_PROTO_ANY, 0, 65535, 0, 65535);
	f->any->builtin = true;
	f->always = fx_recurring(f, "always", 0x7f, 0, 0);
	f->always->builtin = true;
	return f;
}

static inline void fx_drop_hosts(struct fx *f)
{
	if (f->have_host) {
		li_host_free(&f->host[0]);
		li_host_free(&f->host[1]);
	}
	f->have_host = false;
}

static inline void fx_free(struct fx *f)
{
	fx_drop_hosts(f);
	if (f->compiled)
		ruleset_free(&f->rs);
	arena_free(&f->a);
	free(f);
}

/* A policy with one object per list; intf "any" or one name. */
static inline struct obj_policy *
fx_policy(struct fx *f, int fam, uint32_t id, const char *intf,
	  struct obj_addr *src, struct obj_addr *dst, struct obj_service *svc)
{
	struct obj_policy *p = arena_alloc(&f->a, sizeof(*p));

	p->id = id;
	p->loc = fx_loc(f);
	p->family = fam;
	if (!strcmp(intf, "any")) {
		p->intf_any = true;
	} else {
		p->intfs = arena_alloc(&f->a, sizeof(*p->intfs));
		p->intfs[0].name = arena_strdup(&f->a, intf);
		p->intfs[0].loc = fx_loc(f);
		p->nr_intfs = 1;
	}
	p->src = arena_alloc(&f->a, sizeof(*p->src));
	p->src[0] = src;
	p->nr_src = 1;
	p->dst = arena_alloc(&f->a, sizeof(*p->dst));
	p->dst[0] = dst;
	p->nr_dst = 1;
	p->svc = arena_alloc(&f->a, sizeof(*p->svc));
	p->svc[0] = svc;
	p->nr_svc = 1;
	p->sched = f->always;
	p->enabled = true;
	if (fam == 4)
		*ARENA_PUSH(&f->a, f->cfg.policies4, f->cfg.nr_policies4,
			    f->cap4) = p;
	else
		*ARENA_PUSH(&f->a, f->cfg.policies6, f->cfg.nr_policies6,
			    f->cap6) = p;
	return p;
}

static inline int fx_compile(struct fx *f)
{
	int err;

	fx_drop_hosts(f);
	if (f->compiled)
		ruleset_free(&f->rs);
	err = ruleset_compile(&f->cfg, &f->rs, &f->dl);
	f->compiled = !err;
	return err;
}

/* A packet as the compiler's tests describe it. */
struct li_key {
	__u8 family; /* 4 or 6 */
	__u8 proto;
	bool ports_known;	  /* false: a non-first fragment */
	__u16 sport, dport;	  /* ICMP: dport = type << 8 | code */
	__u32 saddr[4], daddr[4]; /* network order as on the wire */
	const char *ifname;
};

/*
 * The first policy @k matches, or -1, by the data path's classification
 * (li_host_classify()); with @minute, schedules are evaluated at that
 * local minute, else every enabled policy is active.
 */
static inline int fx_lookup(struct fx *f, const struct li_key *k,
			    const int64_t *minute)
{
	struct li_pkt p = { .family = k->family,
			    .proto = k->proto,
			    .sport = k->sport,
			    .dport = k->dport,
			    .flags = k->ports_known ? LI_PKT_PORTS : 0 };
	struct li_host *h;

	if (!f->have_host) {
		if (li_host_init(&f->host[0], &f->rs, NULL))
			return -2;
		if (li_host_init(&f->host[1], &f->rs, NULL)) {
			li_host_free(&f->host[0]);
			return -2;
		}
		f->have_host = true;
	}
	h = &f->host[minute != NULL];
	memcpy(p.saddr, k->saddr, 16);
	memcpy(p.daddr, k->daddr, 16);
	li_host_set_ifname(h, k->ifname);
	if (minute)
		li_host_set_time(h, *minute);
	return li_host_classify(h, &p);
}
static inline struct li_key fx_key4(const char *ifname, unsigned int proto,
				    const char *src, const char *dst,
				    unsigned int sport, unsigned int dport)
{
	struct li_key k = { .family = 4,
			    .proto = (__u8)proto,
			    .ports_known = true,
			    .sport = (__u16)sport,
			    .dport = (__u16)dport,
			    .ifname = ifname };

	k.saddr[0] = htonl((uint32_t)ip4(src));
	k.daddr[0] = htonl((uint32_t)ip4(dst));
	return k;
}

static inline void fx_set6(__u32 *out, ip_u128 v)
{
	unsigned char b[16];
	int i;

	for (i = 15; i >= 0; i--, v >>= 8)
		b[i] = (unsigned char)v;
	memcpy(out, b, 16);
}

static inline struct li_key fx_key6(const char *ifname, unsigned int proto,
				    ip_u128 src, ip_u128 dst,
				    unsigned int sport, unsigned int dport)
{
	struct li_key k = { .family = 6,
			    .proto = (__u8)proto,
			    .ports_known = true,
			    .sport = (__u16)sport,
			    .dport = (__u16)dport,
			    .ifname = ifname };

	fx_set6(k.saddr, src);
	fx_set6(k.daddr, dst);
	return k;
}

/* Index of the first match for a v4 tcp/udp/... packet, or -1. */
static inline int fx_match4(struct fx *f, const char *ifname,
			    unsigned int proto, const char *src,
			    const char *dst, unsigned int sport,
			    unsigned int dport)
{
	struct li_key k = fx_key4(ifname, proto, src, dst, sport, dport);

	return fx_lookup(f, &k, NULL);
}

static inline bool fx_has_warning(const struct fx *f, const char *msg)
{
	size_t i;

	for (i = 0; i < f->dl.nr; i++)
		if (f->dl.items[i].level == DIAG_WARNING &&
		    !strcmp(f->dl.items[i].msg, msg))
			return true;
	return false;
}

static inline size_t fx_nr_warnings(const struct fx *f, const char *prefix)
{
	size_t i, n = 0;

	for (i = 0; i < f->dl.nr; i++)
		if (f->dl.items[i].level == DIAG_WARNING &&
		    !strncmp(f->dl.items[i].msg, prefix, strlen(prefix)))
			n++;
	return n;
}

#endif
