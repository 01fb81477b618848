// SPDX-License-Identifier: GPL-2.0
/*
 * firewall address, address6, addrgrp, addrgrp6. Addresses become
 * inclusive ranges; groups become member lists whose names are resolved
 * in the same family, checked for cycles, and left for the compiler to
 * flatten into interval sets.
 */
#include <string.h>

#include "objects/dynaddr.h"
#include "objects/internal.h"

bool obj_addr_is_none(const struct obj_addr *a)
{
	/* The factory "none" as shipped; an admin may have redefined it. */
	return a->builtin && !strcmp(a->name, "none") &&
	       a->type == ADDR_IPMASK && a->range.lo == a->range.hi &&
	       a->range.lo == 0;
}

static struct obj_addr *addr_new(struct resolver *r, const struct conf_entry *e,
				 int family, enum addr_type type)
{
	struct obj_addr *o = arena_alloc(r->a, sizeof(*o));

	o->name = e->key;
	o->loc = e->loc;
	o->family = family;
	o->type = type;
	o->builtin = e->factory;
	return o;
}

void obj_addr_add(struct resolver *r, struct obj_addr *o, size_t *cap)
{
	*ARENA_PUSH(r->a, r->cfg->addrs, r->cfg->nr_addrs, *cap) = o;
}

/* subnet "a.b.c.d m.m.m.m": host bits are masked off, as FortiOS does. */
static void addr4_subnet(struct resolver *r, const struct conf_section *sec,
			 const struct conf_entry *e, struct obj_addr *o)
{
	const struct conf_word *w;
	size_t n = obj_words(r, sec, e, "subnet", &w);
	uint32_t ip, mask;
	char buf[16];

	if (!n) {
		o->range.hi = 0xffffffff; /* no default in the schema: all */
		return;
	}
	/* The canonical two words need no joined copy (1M addresses). */
	if (!(n == 2 && parse_ip4(w[0].text, &ip) &&
	      parse_ip4(w[1].text, &mask)) &&
	    obj_parse_ip4mask(obj_join(r, w, n), &ip, &mask)) {
		struct conf_loc loc = obj_span(w, n);

		diag_error(r->dl, &loc, "invalid subnet \"%s\"",
			   obj_join(r, w, n));
		return;
	}
	if (mask_to_prefixlen(mask) < 0) {
		obj_format_ip4(mask, buf);
		diag_error(r->dl, &w[n - 1].loc, "invalid netmask \"%s\"", buf);
		return;
	}
	o->range.lo = ip & mask;
	o->range.hi = (ip & mask) | ~mask;
}

static void addr_iprange(struct resolver *r, const struct conf_section *sec,
			 const struct conf_entry *e, struct obj_addr *o)
{
	const struct conf_word *ws = obj_word(r, sec, e, "start-ip");
	const struct conf_word *we = obj_word(r, sec, e, "end-ip");
	uint32_t lo4 = 0, hi4 = 0;
	ip_u128 lo = 0, hi = 0;
	int bad = 0;

	if (o->family == 4) {
		if (ws)
			bad |= parse_ip4(ws->text, &lo4) ? 0 : 1;
		if (we)
			bad |= parse_ip4(we->text, &hi4) ? 0 : 2;
		lo = lo4;
		hi = hi4;
	} else {
		if (ws)
			bad |= obj_parse_ip6(ws->text, &lo) ? 1 : 0;
		if (we)
			bad |= obj_parse_ip6(we->text, &hi) ? 2 : 0;
	}
	if (bad & 1)
		diag_error(r->dl, &ws->loc, "invalid start-ip \"%s\"",
			   ws->text);
	if (bad & 2)
		diag_error(r->dl, &we->loc, "invalid end-ip \"%s\"", we->text);
	if (bad)
		return;
	if (lo > hi) {
		/* An end-ip left at its default is not in the file: the edit. */
		bool set = conf_attr_get(e, "end-ip");

		diag_error(r->dl, set ? &we->loc : &e->loc,
			   "end-ip %s%s is lower than start-ip %s",
			   we ? we->text : "0.0.0.0", set ? "" : " (not set)",
			   ws ? ws->text : "0.0.0.0");
		return;
	}
	o->range.lo = lo;
	o->range.hi = hi;
	/* `set type iprange` and a subnet, say: no range was meant to be 0 */
	if (!conf_attr_get(e, "start-ip") && !conf_attr_get(e, "end-ip") &&
	    !e->broken && obj_loc_is_user(&e->loc))
		diag_warn(
			r->dl, &e->loc,
			"address \"%s\" has type iprange and no start-ip or end-ip: it is %s alone",
			o->name, o->family == 4 ? "0.0.0.0" : "::");
}

/*
 * interface-subnet: the network of a `config system interface` entry. A
 * FortiGate backup also stores that network in the address's own `subnet`
 * (0.0.0.0/32 while the interface has none), so the address still means
 * something when the interface is not in the config at all.
 */
static void addr_ifsubnet(struct resolver *r, const struct conf_section *sec,
			  const struct conf_entry *e, struct obj_addr *o)
{
	const struct conf_word *w = obj_word(r, sec, e, "interface");
	bool own_subnet = conf_attr_get(e, "subnet") != NULL;
	const struct obj_intf *intf;
	uint32_t mask;

	if (!w) {
		if (!e->broken)
			diag_error(r->dl, &e->loc,
				   "address \"%s\": interface is required",
				   o->name);
		return;
	}
	if (obj_name_empty(r, sec, e, "interface", w, 1))
		return;
	o->intf = w->text;
	intf = obj_names_get(&r->intf, w->text);
	if (intf && intf->ip4) {
		mask = obj_prefix_mask4(intf->ip4_prefixlen);
		o->range.lo = intf->ip4 & mask;
		o->range.hi = (intf->ip4 & mask) | ~mask;
		return;
	}
	if (own_subnet) {
		addr4_subnet(r, sec, e, o);
		return;
	}
	if (!intf) {
		diag_error(r->dl, &w->loc, "unknown system interface \"%s\"",
			   w->text);
		return;
	}
	/* Like "none": the interface has no network to stand for yet. */
	o->range.lo = o->range.hi = 0;
	diag_warn(
		r->dl, &w->loc,
		"system interface \"%s\" has no ip address: \"%s\" matches nothing",
		w->text, o->name);
}

/*
 * A `*` in the name (`*.example.com`, FortiOS 6.2.2 and later) is a
 * wildcard FQDN: FortiOS fills it with the addresses of the DNS answers
 * it forwards for matching names, no query of its own. localin sees no
 * DNS traffic, and a query for the name itself asks for a literal `*`
 * label: the address would match nothing, and an exclusion or negation
 * of it would exempt nobody. So it is unsupported, as a type is, and
 * never queried.
 */
static void addr_fqdn(struct resolver *r, const struct conf_section *sec,
		      const struct conf_entry *e, struct obj_addr *o)
{
	const struct conf_word *w = obj_word(r, sec, e, "fqdn");
	const struct conf_word *ttl = obj_word(r, sec, e, "cache-ttl");
	uint32_t v;

	if ((!w || !*w->text) && !e->broken) {
		diag_error(r->dl, &e->loc, "address \"%s\": fqdn is required",
			   o->name);
	} else if (w && strchr(w->text, '*')) {
		diag_warn(
			r->dl, &w->loc,
			"fqdn \"%s\" is a wildcard FQDN, which FortiOS fills from the DNS answers it forwards and localin cannot: \"%s\" cannot be used in a local-in policy",
			w->text, o->name);
		o->unsupported =
			arena_printf(r->a, "wildcard fqdn \"%s\"", w->text);
	} else if (w) {
		o->fqdn = w->text;
	}
	o->cache_ttl = 0;
	if (ttl && parse_u32(ttl->text, 86400, &v))
		o->cache_ttl = v;
}

/*
 * wildcard "a.b.c.d m.m.m.m": the mask's 1 bits must match, its 0 bits
 * may be anywhere (FortiOS's convention, not Cisco's inverted one). The
 * compiler expands it into exact prefixes; too many is an error here,
 * never an approximation.
 */
static void addr_wildcard(struct resolver *r, const struct conf_section *sec,
			  const struct conf_entry *e, struct obj_addr *o)
{
	const struct conf_word *w;
	size_t n = obj_words(r, sec, e, "wildcard", &w);
	uint32_t ip, mask;
	uint64_t nr;
	struct conf_loc loc;

	o->wild.addr = o->wild.mask = 0; /* no value: everything */
	if (!n)
		return;
	loc = obj_span(w, n);
	if (!(n == 2 && parse_ip4(w[0].text, &ip) &&
	      parse_ip4(w[1].text, &mask))) {
		diag_error(
			r->dl, &loc,
			"invalid wildcard \"%s\" (expected an address and a mask, as 10.0.0.1 255.0.255.255)",
			obj_join(r, w, n));
		return;
	}
	nr = wildcard_nr_prefixes(mask);
	if (nr > WILDCARD_MAX_PREFIXES) {
		diag_error(
			r->dl, &loc,
			"wildcard \"%s\" is %llu separate prefixes; localin matches a wildcard exactly by expanding it, up to %u prefixes (at most 16 zero bits of the mask above its lowest 1 bit)",
			obj_join(r, w, n), (unsigned long long)nr,
			WILDCARD_MAX_PREFIXES);
		return;
	}
	o->wild.addr = ip & mask;
	o->wild.mask = mask;
}

/* The country is looked up once the policies say who uses it (geo.c). */
static void addr_geography(struct resolver *r, const struct conf_section *sec,
			   const struct conf_entry *e, struct obj_addr *o)
{
	const struct conf_word *w = obj_word(r, sec, e, "country");

	if ((!w || !*w->text) && !e->broken)
		diag_error(r->dl, &e->loc,
			   "address \"%s\": country is required", o->name);
	else if (w)
		o->country = w;
}

static void addr6_prefix(struct resolver *r, const struct conf_section *sec,
			 const struct conf_entry *e, struct obj_addr *o)
{
	const struct conf_word *w = obj_word(r, sec, e, "ip6");
	ip_u128 addr, mask;
	unsigned int len;

	if (!w) {
		o->range.hi = ~(ip_u128)0;
		return;
	}
	if (obj_parse_ip6prefix(w->text, &addr, &len)) {
		diag_error(r->dl, &w->loc, "invalid ip6 prefix \"%s\"",
			   w->text);
		return;
	}
	mask = obj_prefix_mask6(len);
	o->range.lo = addr & mask;
	o->range.hi = (addr & mask) | ~mask;
}

/*
 * An ipmask (ipprefix) address with a value only another type reads:
 * `set country "CN"` without `set type geography`. FortiOS's CLI offers
 * each only with its type, so the file was not written by it, and the
 * address is its subnet, which unset is every address. Kept here, said by
 * obj_warn_addresses_stray() for an address something uses.
 */
static const struct {
	const char *attr, *type;
	int family; /* 0: both */
} stray_attrs[] = {
	{ "start-ip", "iprange", 0 },  { "end-ip", "iprange", 0 },
	{ "fqdn", "fqdn", 0 },	       { "country", "geography", 0 },
	{ "wildcard", "wildcard", 4 }, { "interface", "interface-subnet", 4 },
};

static void addr_stray(struct resolver *r, const struct conf_entry *e,
		       struct obj_addr *o)
{
	ip_u128 all = o->family == 4 ? 0xffffffff : ~(ip_u128)0;
	size_t i;

	for (i = 0; i < sizeof(stray_attrs) / sizeof(stray_attrs[0]); i++) {
		const struct conf_attr *a =
			conf_attr_get(e, stray_attrs[i].attr);
		const char *v;

		if (!a || !a->nr_vals ||
		    (stray_attrs[i].family &&
		     stray_attrs[i].family != o->family))
			continue;
		v = obj_join(r, a->vals, a->nr_vals);
		/* `show full` prints the defaults (start-ip 0.0.0.0) */
		if (!*v || (a->schema->def && !strcmp(v, a->schema->def)) ||
		    !obj_loc_is_user(&a->name_loc))
			continue;
		o->stray =
			arena_printf(r->a, "%s \"%s\"", stray_attrs[i].attr, v);
		o->stray_type = stray_attrs[i].type;
		o->stray_loc = a->name_loc;
		o->stray_all = o->range.lo == 0 && o->range.hi == all;
		return;
	}
}

void obj_warn_addresses_stray(struct resolver *r)
{
	size_t i;

	for (i = 0; i < r->cfg->nr_addrs; i++) {
		const struct obj_addr *a = r->cfg->addrs[i];
		const char *type = a->family == 4 ? "ipmask" : "ipprefix";

		if (!a->stray || !a->refs)
			continue;
		/* Every address: a deny of it cuts the VPN, refused. */
		if (a->stray_all)
			diag_error(
				r->dl, &a->stray_loc,
				"address \"%s\" has %s, which FortiOS reads only with type %s, not %s: the address would be its %s, every address (set type %s before it)",
				a->name, a->stray, a->stray_type, type,
				a->family == 4 ? "subnet 0.0.0.0/0" :
						 "ip6 ::/0",
				a->stray_type);
		else
			diag_warn(
				r->dl, &a->stray_loc,
				"address \"%s\" has %s, which FortiOS reads only with type %s, not %s: the address is its %s alone",
				a->name, a->stray, a->stray_type, type,
				a->family == 4 ? "subnet" : "ip6");
	}
}

static void resolve_plain(struct resolver *r, int family, size_t *cap)
{
	const char *path =
		family == 4 ? "firewall address" : "firewall address6";
	const struct conf_section *sec = conf_tree_section(r->t, path);
	const struct conf_entry *e;

	for (e = sec ? sec->entries : NULL; e; e = e->next) {
		const struct conf_word *tw = obj_word(r, sec, e, "type");
		const char *type = tw	       ? tw->text :
				   family == 4 ? "ipmask" :
						 "ipprefix";
		struct obj_addr *o = addr_new(r, e, family, ADDR_IPMASK);

		if (family == 4 && !strcmp(type, "ipmask")) {
			addr4_subnet(r, sec, e, o);
			addr_stray(r, e, o);
		} else if (family == 6 && !strcmp(type, "ipprefix")) {
			addr6_prefix(r, sec, e, o);
			addr_stray(r, e, o);
		} else if (!strcmp(type, "iprange")) {
			o->type = ADDR_IPRANGE;
			addr_iprange(r, sec, e, o);
		} else if (!strcmp(type, "fqdn")) {
			o->type = ADDR_FQDN;
			addr_fqdn(r, sec, e, o);
		} else if (family == 4 && !strcmp(type, "wildcard")) {
			o->type = ADDR_WILDCARD;
			addr_wildcard(r, sec, e, o);
		} else if (!strcmp(type, "geography")) {
			o->type = ADDR_GEOGRAPHY;
			addr_geography(r, sec, e, o);
		} else if (family == 4 && !strcmp(type, "interface-subnet")) {
			o->type = ADDR_IFSUBNET;
			addr_ifsubnet(r, sec, e, o);
		} else {
			const struct conf_loc *loc = tw ? &tw->loc : &e->loc;

			/*
			 * Known FortiOS types localin cannot evaluate, and
			 * any enum value newer than this code.
			 */
			diag_warn(
				r->dl, loc,
				"%s type %s is not supported: \"%s\" cannot be used in a local-in policy",
				family == 4 ? "address" : "address6", type,
				o->name);
			o->unsupported = arena_printf(r->a, "type %s", type);
		}
		obj_names_put(addr_table(r, family), r->a, o->name, o);
		obj_addr_add(r, o, cap);
	}
}

/*
 * A name in a group or policy: found in the same family, or an error that
 * says whether the name exists in the other family.
 */
struct obj_addr *obj_addr_ref(struct resolver *r, int family,
			      const struct conf_word *w)
{
	struct obj_addr *a = obj_names_get(addr_table(r, family), w->text);

	if (a) {
		a->refs++;
		return a;
	}
	a = obj_names_get(addr_table(r, family == 4 ? 6 : 4), w->text);
	if (a) {
		/* Named, if wrongly: "never used" on it would mislead. */
		a->refs++;
		diag_error(
			r->dl, &w->loc,
			"address \"%s\" is IPv%d (firewall address%s), and no IPv%d address has that name",
			w->text, family == 4 ? 6 : 4, family == 4 ? "6" : "",
			family);
	} else {
		diag_error(r->dl, &w->loc, "unknown address \"%s\"", w->text);
	}
	return NULL;
}

struct addr_group {
	struct obj_addr *o;
	const struct conf_section *sec;
	const struct conf_entry *e;
	bool listed; /* in the name table (not a duplicate name) */
};

static void group_refs(struct resolver *r, struct addr_group *g,
		       const char *attr, struct obj_addr ***out,
		       struct conf_loc **locs, size_t *nr)
{
	const struct conf_word *w;
	size_t n = obj_words(r, g->sec, g->e, attr, &w), i;

	*out = arena_alloc(r->a, (n ? n : 1) * sizeof(**out));
	*locs = arena_alloc(r->a, (n ? n : 1) * sizeof(**locs));
	*nr = 0;
	for (i = 0; i < n; i++) {
		struct obj_addr *m;

		if (obj_name_empty(r, g->sec, g->e, attr, &w[i], n))
			continue;
		m = obj_addr_ref(r, g->o->family, &w[i]);
		if (!m)
			continue;
		(*out)[*nr] = m;
		(*locs)[(*nr)++] = w[i].loc;
	}
}

static void group_members(struct resolver *r, struct addr_group *g)
{
	struct obj_addr *o = g->o;
	const struct conf_word *w;
	/* Words the admin wrote (neither list has a schema default). */
	size_t nr_member = obj_words(r, g->sec, g->e, "member", &w);
	size_t nr_excl = obj_words(r, g->sec, g->e, "exclude-member", &w);

	group_refs(r, g, "member", &o->members, &o->member_locs,
		   &o->nr_members);
	o->exclude = obj_word_is(r, g->sec, g->e, "exclude", "enable");
	if (nr_excl && !o->exclude) {
		struct conf_loc loc = obj_attr_loc(g->e, "exclude-member");

		diag_error(r->dl, &loc,
			   "exclude-member requires 'set exclude enable'");
	}
	/* Resolved either way, so a typo is reported in the same run. */
	if (nr_excl)
		group_refs(r, g, "exclude-member", &o->excludes,
			   &o->exclude_locs, &o->nr_excludes);
	if (!o->exclude)
		o->nr_excludes = 0;
	if (!nr_member)
		diag_warn(r->dl, &o->loc, "address group \"%s\" has no members",
			  o->name);
	if (o->exclude && !nr_excl)
		diag_warn(
			r->dl, &o->loc,
			"address group \"%s\" has exclude enabled but no exclude-member",
			o->name);
}

/* Member @j of @o: member j, then exclude j - nr_members. */
static struct obj_addr *group_edge_obj(const struct obj_addr *o, size_t j,
				       const struct conf_loc **loc)
{
	bool ex = j >= o->nr_members;
	size_t x = ex ? j - o->nr_members : j;

	*loc = ex ? &o->exclude_locs[x] : &o->member_locs[x];
	return ex ? o->excludes[x] : o->members[x];
}

/* The node of @m if it is a group of the table, else SIZE_MAX. */
static size_t group_node(const struct name_table *idx,
			 const struct addr_group *groups,
			 const struct obj_addr *m)
{
	const struct addr_group *to;

	if (m->type != ADDR_GROUP)
		return SIZE_MAX; /* a plain address ends every path */
	to = obj_names_get(idx, m->name);
	return to && to->o == m ? (size_t)(to - groups) : SIZE_MAX;
}

/* Drop the members whose edges closed a cycle: no longer a use either. */
static void group_cut(struct addr_group *g, const struct graph_node *node,
		      const struct name_table *idx,
		      const struct addr_group *groups)
{
	struct obj_addr *o = g->o;
	size_t nm = o->nr_members, n = nm + o->nr_excludes, j, k = 0;
	size_t kept_m = 0, kept_x = 0;

	for (j = 0; j < n; j++) {
		const struct conf_loc *loc;
		struct obj_addr *m = group_edge_obj(o, j, &loc);

		if (group_node(idx, groups, m) != SIZE_MAX &&
		    node->edges[k++].cut) {
			m->refs--;
			continue;
		}
		if (j < nm) {
			o->members[kept_m] = m;
			o->member_locs[kept_m++] = *loc;
		} else {
			o->excludes[kept_x] = m;
			o->exclude_locs[kept_x++] = *loc;
		}
	}
	o->nr_members = kept_m;
	o->nr_excludes = kept_x;
}

/*
 * Members and exclude-members both nest: a group excluding itself is as
 * circular as one containing itself. The edges are the members that are
 * groups, in order (members, then excludes), each pointing at the word
 * that names it; plain addresses, most of a big group, get none.
 */
static void group_cycles(struct resolver *r, struct addr_group *groups,
			 size_t nr, struct name_table *idx)
{
	struct graph_node *nodes =
		arena_alloc(r->a, (nr ? nr : 1) * sizeof(*nodes));
	size_t i, j, k;

	for (i = 0; i < nr; i++) {
		struct obj_addr *o = groups[i].o;
		size_t n = o->nr_members + o->nr_excludes, to;
		const struct conf_loc *loc;

		for (j = k = 0; j < n; j++)
			k += group_node(idx, groups,
					group_edge_obj(o, j, &loc)) != SIZE_MAX;
		nodes[i].name = o->name;
		nodes[i].nr_edges = k;
		nodes[i].edges = arena_alloc(
			r->a, (k ? k : 1) * sizeof(*nodes[i].edges));
		for (j = k = 0; j < n; j++) {
			to = group_node(idx, groups,
					group_edge_obj(o, j, &loc));
			if (to == SIZE_MAX)
				continue;
			nodes[i].edges[k].loc = loc;
			nodes[i].edges[k++].to = to;
		}
	}
	if (!obj_find_cycles(r, nodes, nr, "address group"))
		return;
	for (i = 0; i < nr; i++)
		group_cut(&groups[i], &nodes[i], idx, groups);
}

static void resolve_groups(struct resolver *r, int family, size_t *cap)
{
	const char *path =
		family == 4 ? "firewall addrgrp" : "firewall addrgrp6";
	const struct conf_section *sec = conf_tree_section(r->t, path);
	const struct conf_entry *e;
	struct addr_group *groups = NULL;
	struct name_table idx;
	size_t nr = 0, gcap = 0, i;

	for (e = sec ? sec->entries : NULL; e; e = e->next) {
		struct addr_group *g = ARENA_PUSH(r->a, groups, nr, gcap);
		struct obj_addr *prev;

		g->o = addr_new(r, e, family, ADDR_GROUP);
		g->sec = sec;
		g->e = e;
		prev = obj_names_put(addr_table(r, family), r->a, e->key, g->o);
		if (prev) {
			diag_error(
				r->dl, &e->loc,
				"address group \"%s\" has the same name as an address",
				e->key);
			if (obj_loc_is_user(&prev->loc))
				diag_note(r->dl, &prev->loc,
					  "address \"%s\" is defined here",
					  prev->name);
			continue;
		}
		g->listed = true;
		obj_addr_add(r, g->o, cap);
	}
	/* Groups may name groups defined further down: resolve after listing. */
	obj_names_init(&idx, r->a, nr);
	for (i = 0; i < nr; i++) {
		group_members(r, &groups[i]);
		if (groups[i].listed)
			obj_names_put(&idx, r->a, groups[i].o->name,
				      &groups[i]);
	}
	group_cycles(r, groups, nr, &idx);
}

void obj_resolve_addresses(struct resolver *r)
{
	size_t cap = 0;

	resolve_plain(r, 4, &cap);
	resolve_plain(r, 6, &cap);
	/* Feeds are addresses of both families, named like any other. */
	obj_feed_addrs(r, &cap);
	resolve_groups(r, 4, &cap);
	resolve_groups(r, 6, &cap);
}
