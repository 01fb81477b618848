// SPDX-License-Identifier: GPL-2.0
/*
 * firewall service custom and service group. A custom service becomes the
 * list of (protocol, destination ports, source ports) triples it matches,
 * with ICMP type/code folded into the destination "port" so that the
 * compiler handles every protocol with one range machinery.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "objects/internal.h"

static const struct {
	const char *attr;
	uint16_t proto;
} port_attrs[] = {
	{ "tcp-portrange", 6 },
	{ "udp-portrange", 17 },
	{ "sctp-portrange", 132 },
	{ "udplite-portrange", 136 },
};

static void svc_range(struct resolver *r, struct obj_service *o, size_t *cap,
		      unsigned int proto, uint32_t dlo, uint32_t dhi,
		      uint32_t slo, uint32_t shi)
{
	struct svc_range *sr = ARENA_PUSH(r->a, o->ranges, o->nr_ranges, *cap);

	sr->proto = (uint16_t)proto;
	sr->dlo = (uint16_t)dlo;
	sr->dhi = (uint16_t)dhi;
	sr->slo = (uint16_t)slo;
	sr->shi = (uint16_t)shi;
}

/* TCP/UDP/SCTP: returns the number of range words written. */
static size_t svc_ports(struct resolver *r, const struct conf_section *sec,
			const struct conf_entry *e, struct obj_service *o,
			size_t *cap)
{
	size_t i, j, n, words = 0;

	for (i = 0; i < sizeof(port_attrs) / sizeof(port_attrs[0]); i++) {
		const struct conf_word *w;

		n = obj_words(r, sec, e, port_attrs[i].attr, &w);
		words += n;
		for (j = 0; j < n; j++) {
			uint32_t p[4];
			int err = obj_parse_portrange(w[j].text, p);

			if (err) {
				diag_error(r->dl, &w[j].loc,
					   "invalid port range \"%s\"",
					   w[j].text);
			} else if (p[0] > p[1] || p[2] > p[3]) {
				diag_error(
					r->dl, &w[j].loc,
					"port range \"%s\" ends before it starts",
					w[j].text);
			} else {
				svc_range(r, o, cap, port_attrs[i].proto, p[0],
					  p[1], p[2], p[3]);
			}
		}
		/*
		 * The parser reads no UDP-Lite header: the protocol matches
		 * whole, which a policy using the service must be told.
		 */
		if (n && port_attrs[i].proto == 136) {
			o->not_enforced = arena_printf(
				r->a, "udplite-portrange %s", w[0].text);
			o->not_enforced_how =
				"it matches every UDP-Lite packet, whatever its ports";
			o->not_enforced_loc = w[0].loc;
		}
	}
	return words;
}

/*
 * ICMP and ICMPv6: unset icmptype means every type, unset icmpcode every
 * code of the type; dport carries type << 8 | code.
 */
static void svc_icmp(struct resolver *r, const struct conf_section *sec,
		     const struct conf_entry *e, struct obj_service *o,
		     size_t *cap, unsigned int proto)
{
	const struct conf_word *tw = obj_word(r, sec, e, "icmptype");
	const struct conf_word *cw = obj_word(r, sec, e, "icmpcode");
	uint32_t type, code;

	if (!tw) {
		svc_range(r, o, cap, proto, 0, 65535, 0, 65535);
		return;
	}
	if (!parse_u32(tw->text, 255, &type)) {
		diag_error(r->dl, &tw->loc,
			   "icmptype %s is out of range (0-255)", tw->text);
		return;
	}
	if (!cw) {
		svc_range(r, o, cap, proto, type << 8, type << 8 | 255, 0,
			  65535);
		return;
	}
	if (!parse_u32(cw->text, 255, &code)) {
		diag_error(r->dl, &cw->loc,
			   "icmpcode %s is out of range (0-255)", cw->text);
		return;
	}
	svc_range(r, o, cap, proto, type << 8 | code, type << 8 | code, 0,
		  65535);
}

/* protocol IP: one IP protocol number, or every protocol for 0. */
static void svc_ip(struct resolver *r, const struct conf_section *sec,
		   const struct conf_entry *e, struct obj_service *o,
		   size_t *cap)
{
	const struct conf_word *w = obj_word(r, sec, e, "protocol-number");
	uint32_t n = 0;

	if (w && !parse_u32(w->text, 255, &n)) {
		diag_error(r->dl, &w->loc,
			   "protocol-number %s is out of range (0-255)",
			   w->text);
		return;
	}
	svc_range(r, o, cap, n ? n : SVC_PROTO_ANY, 0, 65535, 0, 65535);
}

/*
 * iprange and fqdn narrow a FortiOS service to some destinations;
 * localin's services match every destination (policy dstaddr does that).
 */
static void svc_destinations(struct resolver *r, const struct conf_section *sec,
			     const struct conf_entry *e, struct obj_service *o)
{
	const struct conf_word *w = obj_word(r, sec, e, "iprange");
	const char *attr = "iprange";

	if (!w || !strcmp(w->text, "0.0.0.0")) {
		w = obj_word(r, sec, e, "fqdn");
		attr = "fqdn";
	}
	if (!w || !*w->text || !conf_attr_get(e, attr))
		return;
	o->not_enforced = arena_printf(r->a, "%s %s", attr, w->text);
	o->not_enforced_how =
		"it matches its ports on every destination (narrow the policy's dstaddr instead)";
	o->not_enforced_loc = obj_attr_loc(e, attr);
}

void obj_warn_services_not_enforced(struct resolver *r)
{
	size_t i;

	for (i = 0; i < r->cfg->nr_services; i++) {
		const struct obj_service *s = r->cfg->services[i];

		if (s->not_enforced && s->refs)
			diag_warn(
				r->dl, &s->not_enforced_loc,
				"service \"%s\" has %s, which localin does not enforce: %s",
				s->name, s->not_enforced, s->not_enforced_how);
		/* Every protocol: a deny of it cuts the VPN, refused. */
		if (s->unused && s->refs)
			diag_add(r->dl,
				 s->unused_all ? DIAG_ERROR : DIAG_WARNING,
				 &s->unused_loc,
				 "service \"%s\" has %s, which %s", s->name,
				 s->unused, s->unused_how);
	}
}

/*
 * A value the service's protocol does not read: FortiOS offers each only
 * with its protocol (port ranges with TCP/UDP/SCTP, icmptype and icmpcode
 * with ICMP and ICMP6, a protocol-number with IP), so a file that has one
 * elsewhere was not written by it, and whoever wrote `set protocol IP`
 * with `set tcp-portrange 22` meant SSH, not every protocol. Matched as
 * FortiOS would (by the protocol's own values), and said where a policy
 * uses it. Built-in values an edit left in place are not the admin's.
 */
static void svc_unused(struct resolver *r, const struct conf_section *sec,
		       const struct conf_entry *e, struct obj_service *o,
		       const char *proto)
{
	bool ip = !strcmp(proto, "IP");
	bool icmp = !strcmp(proto, "ICMP") || !strcmp(proto, "ICMP6");
	bool ports = !strncmp(proto, "TCP/UDP/", 8);
	const char *attr = NULL, *then;
	const struct conf_word *w;
	bool icmp_attr;
	uint32_t n = 0;
	size_t i;

	for (i = 0;
	     !ports && i < sizeof(port_attrs) / sizeof(port_attrs[0]) && !attr;
	     i++)
		if (obj_word(r, sec, e, port_attrs[i].attr))
			attr = port_attrs[i].attr;
	if (!icmp && !attr && obj_word(r, sec, e, "icmptype"))
		attr = "icmptype";
	if (!icmp && !attr && obj_word(r, sec, e, "icmpcode"))
		attr = "icmpcode";
	w = obj_word(r, sec, e, "protocol-number");
	if (!ip && !attr && w && parse_u32(w->text, 255, &n) && n)
		attr = "protocol-number";
	if (!attr || (!ip && !icmp && !ports))
		return;
	o->unused_loc = obj_attr_loc(e, attr);
	if (!obj_loc_is_user(&o->unused_loc))
		return;
	w = obj_word(r, sec, e, attr);
	o->unused = arena_printf(r->a, "%s %s", attr, w->text);
	w = obj_word(r, sec, e, "protocol-number");
	n = 0;
	if (ip && w)
		parse_u32(w->text, 255, &n);
	o->unused_all = ip && !n;
	icmp_attr = !strncmp(attr, "icmp", 4);
	if (ports)
		then = "the service matches its port ranges alone";
	else if (icmp)
		then = "the service matches its ICMP type and code alone";
	else if (n)
		then = arena_printf(r->a,
				    "the service matches IP protocol %u alone",
				    (unsigned int)n);
	else
		then = arena_printf(
			r->a,
			"the service would match every IP protocol (protocol-number 0), not only %s (set protocol %s instead)",
			icmp_attr ? "ICMP" : "those ports",
			icmp_attr ? "ICMP" : "TCP/UDP/SCTP");
	o->unused_how = arena_printf(
		r->a, "FortiOS reads only with protocol %s, not %s: %s",
		!strcmp(attr, "protocol-number") ? "IP" :
		icmp_attr			 ? "ICMP or ICMP6" :
						   "TCP/UDP/SCTP",
		proto, then);
}

static void svc_custom(struct resolver *r, const struct conf_section *sec,
		       const struct conf_entry *e, struct obj_service *o)
{
	const struct conf_word *pw = obj_word(r, sec, e, "protocol");
	const char *proto = pw ? pw->text : "TCP/UDP/SCTP";
	size_t cap = 0;

	if (!strcmp(proto, "ICMP")) {
		svc_icmp(r, sec, e, o, &cap, 1);
	} else if (!strcmp(proto, "ICMP6")) {
		svc_icmp(r, sec, e, o, &cap, 58);
	} else if (!strcmp(proto, "IP")) {
		svc_ip(r, sec, e, o, &cap);
	} else if (!strncmp(proto, "TCP/UDP/", 8)) {
		/* FortiOS refuses to save such a service without a range. */
		if (!svc_ports(r, sec, e, o, &cap) && !e->broken)
			diag_error(r->dl, &e->loc,
				   "service \"%s\" has no port range", o->name);
	} else {
		/*
		 * HTTP, FTP, CONNECT, SOCKS-TCP, SOCKS-UDP and ALL describe
		 * explicit web-proxy traffic, which never reaches local-in.
		 */
		const struct conf_loc *loc = pw ? &pw->loc : &e->loc;

		diag_warn(
			r->dl, loc,
			"service protocol %s is not supported: \"%s\" cannot be used in a local-in policy",
			proto, o->name);
		o->unsupported = arena_printf(r->a, "protocol %s", proto);
		return;
	}
	svc_unused(r, sec, e, o, proto);
}

struct obj_service *obj_service_ref(struct resolver *r,
				    const struct conf_word *w)
{
	struct obj_service *s = obj_names_get(&r->svc, w->text);

	if (!s) {
		diag_error(r->dl, &w->loc, "unknown service \"%s\"", w->text);
		return NULL;
	}
	s->refs++;
	return s;
}

struct svc_group {
	struct obj_service *o;
	const struct conf_section *sec;
	const struct conf_entry *e;
	bool listed;
};

static void group_members(struct resolver *r, struct svc_group *g)
{
	struct obj_service *o = g->o;
	const struct conf_word *w;
	size_t n = obj_words(r, g->sec, g->e, "member", &w), i;

	o->members = arena_alloc(r->a, (n ? n : 1) * sizeof(*o->members));
	o->member_locs =
		arena_alloc(r->a, (n ? n : 1) * sizeof(*o->member_locs));
	for (i = 0; i < n; i++) {
		struct obj_service *m;

		if (obj_name_empty(r, g->sec, g->e, "member", &w[i], n))
			continue;
		/* A predefined group's member: gone by the admin's hand. */
		if (!obj_loc_is_user(&w[i].loc) &&
		    !obj_names_get(&r->svc, w[i].text)) {
			diag_error(
				r->dl, &w[i].loc,
				"the predefined service group \"%s\" names service \"%s\", which the config deletes (delete or purge in config firewall service custom)",
				o->name, w[i].text);
			continue;
		}
		m = obj_service_ref(r, &w[i]);
		if (!m)
			continue;
		o->members[o->nr_members] = m;
		o->member_locs[o->nr_members++] = w[i].loc;
	}
	if (!n)
		diag_warn(r->dl, &o->loc, "service group \"%s\" has no members",
			  o->name);
}

static void group_cycles(struct resolver *r, struct svc_group *groups,
			 size_t nr, struct name_table *idx)
{
	struct graph_node *nodes =
		arena_alloc(r->a, (nr ? nr : 1) * sizeof(*nodes));
	size_t i, j, kept;

	for (i = 0; i < nr; i++) {
		struct obj_service *o = groups[i].o;

		nodes[i].name = o->name;
		nodes[i].nr_edges = o->nr_members;
		nodes[i].edges = arena_alloc(
			r->a, (o->nr_members ?: 1) * sizeof(*nodes[i].edges));
		for (j = 0; j < o->nr_members; j++) {
			struct svc_group *to =
				obj_names_get(idx, o->members[j]->name);

			nodes[i].edges[j].loc = &o->member_locs[j];
			nodes[i].edges[j].to = to && to->o == o->members[j] ?
						       (size_t)(to - groups) :
						       SIZE_MAX;
		}
	}
	if (!obj_find_cycles(r, nodes, nr, "service group"))
		return;
	for (i = 0; i < nr; i++) {
		struct obj_service *o = groups[i].o;

		for (j = kept = 0; j < o->nr_members; j++) {
			if (nodes[i].edges[j].cut) {
				o->members[j]->refs--; /* no longer a use */
				continue;
			}
			o->members[kept] = o->members[j];
			o->member_locs[kept++] = o->member_locs[j];
		}
		o->nr_members = kept;
	}
}

static struct obj_service *svc_new(struct resolver *r,
				   const struct conf_entry *e, bool group)
{
	struct obj_service *o = arena_alloc(r->a, sizeof(*o));

	o->name = e->key;
	o->loc = e->loc;
	o->is_group = group;
	o->builtin = e->factory;
	return o;
}

void obj_resolve_services(struct resolver *r)
{
	struct obj_config *cfg = r->cfg;
	const struct conf_section *sec;
	const struct conf_entry *e;
	struct svc_group *groups = NULL;
	struct name_table idx;
	size_t cap = 0, nr = 0, gcap = 0, i;

	sec = conf_tree_section(r->t, "firewall service custom");
	for (e = sec ? sec->entries : NULL; e; e = e->next) {
		struct obj_service *o = svc_new(r, e, false);

		svc_custom(r, sec, e, o);
		svc_destinations(r, sec, e, o);
		obj_names_put(&r->svc, r->a, o->name, o);
		*ARENA_PUSH(r->a, cfg->services, cfg->nr_services, cap) = o;
	}
	sec = conf_tree_section(r->t, "firewall service group");
	for (e = sec ? sec->entries : NULL; e; e = e->next) {
		struct svc_group *g = ARENA_PUSH(r->a, groups, nr, gcap);
		struct obj_service *prev;

		g->o = svc_new(r, e, true);
		g->sec = sec;
		g->e = e;
		prev = obj_names_put(&r->svc, r->a, e->key, g->o);
		if (prev) {
			diag_error(
				r->dl, &e->loc,
				"service group \"%s\" has the same name as a service",
				e->key);
			if (obj_loc_is_user(&prev->loc))
				diag_note(r->dl, &prev->loc,
					  "service \"%s\" is defined here",
					  prev->name);
			continue;
		}
		g->listed = true;
		*ARENA_PUSH(r->a, cfg->services, cfg->nr_services, cap) = g->o;
	}
	obj_names_init(&idx, r->a, nr);
	for (i = 0; i < nr; i++) {
		group_members(r, &groups[i]);
		if (groups[i].listed)
			obj_names_put(&idx, r->a, groups[i].o->name,
				      &groups[i]);
	}
	group_cycles(r, groups, nr, &idx);
}
