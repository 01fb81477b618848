// SPDX-License-Identifier: GPL-2.0
/*
 * firewall local-in-policy and local-in-policy6: every reference resolved
 * in the policy's family, defaults applied (action deny, status enable),
 * table order kept since it is the evaluation order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "objects/internal.h"

static bool required(struct resolver *r, const struct conf_entry *e,
		     const struct obj_policy *p, size_t n, const char *attr)
{
	if (n)
		return true;
	/* A `set` that failed to parse was already reported; say it once. */
	if (!e->broken)
		diag_error(r->dl, &p->loc, "policy %u: %s is required", p->id,
			   attr);
	return false;
}

static void policy_intf(struct resolver *r, const struct conf_section *sec,
			const struct conf_entry *e, struct obj_policy *p)
{
	const struct conf_word *w;
	size_t n = obj_words(r, sec, e, "intf", &w), i, cap = 0;

	if (!required(r, e, p, n, "intf"))
		return;
	for (i = 0; i < n; i++) {
		if (obj_name_empty(r, sec, e, "intf", &w[i], n))
			continue;
		if (!strcmp(w[i].text, "any")) {
			if (n > 1)
				diag_error(
					r->dl, &w[i].loc,
					"\"any\" cannot be combined with other interfaces");
			p->intf_any = true;
			continue;
		}
		obj_policy_intf(r, p, &w[i], &cap);
	}
}

/*
 * The first object of an unsupported type an address or group stands for,
 * or NULL. Groups are acyclic once the resolver has cut cycles; the memo
 * keeps shared subgroups from being walked again. Walked with a stack of
 * its own, not recursion: nesting depth is the admin's to choose, and a
 * chain of 400k groups must not overflow the C stack.
 */
struct addr_frame {
	struct obj_addr *a;
	size_t next; /* child to look at next: members, then excludes */
};

/* Is @a's answer known without a walk? If so, *bad is set when it is bad. */
static bool addr_settled(const struct obj_addr *a, const struct obj_addr **bad)
{
	if (a->unsupported)
		*bad = a;
	else if (a->unsupported_memo == 2)
		*bad = a->unsupported_via;
	return a->unsupported || a->type != ADDR_GROUP || a->unsupported_memo;
}

static struct obj_addr *addr_child(const struct obj_addr *a, size_t i)
{
	if (i < a->nr_members)
		return a->members[i];
	i -= a->nr_members;
	return i < a->nr_excludes ? a->excludes[i] : NULL;
}

static const struct obj_addr *addr_unsupported(struct resolver *r,
					       struct obj_addr *root)
{
	const struct obj_addr *bad = NULL;
	struct addr_frame *st = NULL, *f;
	size_t n = 0, cap = 0;
	struct obj_addr *child;

	if (addr_settled(root, &bad))
		return bad;
	*ARENA_PUSH(r->a, st, n, cap) = (struct addr_frame){ root, 0 };
	while (n) {
		f = &st[n - 1];
		child = bad ? NULL : addr_child(f->a, f->next++);
		if (child && !addr_settled(child, &bad)) {
			*ARENA_PUSH(r->a, st, n, cap) =
				(struct addr_frame){ child, 0 };
			continue;
		}
		if (child && !bad)
			continue;
		/* Done with f->a: all children clean, or one is bad. */
		f->a->unsupported_memo = bad ? 2 : 1;
		f->a->unsupported_via = bad;
		n--;
	}
	return bad;
}

struct svc_frame {
	struct obj_service *s;
	size_t next;
};

static bool service_settled(const struct obj_service *s,
			    const struct obj_service **bad)
{
	if (s->unsupported)
		*bad = s;
	else if (s->unsupported_memo == 2)
		*bad = s->unsupported_via;
	return s->unsupported || !s->nr_members || s->unsupported_memo;
}

/* As addr_unsupported(), for services and their groups. */
static const struct obj_service *service_unsupported(struct resolver *r,
						     struct obj_service *root)
{
	const struct obj_service *bad = NULL;
	struct svc_frame *st = NULL, *f;
	size_t n = 0, cap = 0;
	struct obj_service *child;

	if (service_settled(root, &bad))
		return bad;
	*ARENA_PUSH(r->a, st, n, cap) = (struct svc_frame){ root, 0 };
	while (n) {
		f = &st[n - 1];
		child = !bad && f->next < f->s->nr_members ?
				f->s->members[f->next++] :
				NULL;
		if (child && !service_settled(child, &bad)) {
			*ARENA_PUSH(r->a, st, n, cap) =
				(struct svc_frame){ child, 0 };
			continue;
		}
		if (child && !bad)
			continue;
		f->s->unsupported_memo = bad ? 2 : 1;
		f->s->unsupported_via = bad;
		n--;
	}
	return bad;
}

/*
 * "none", or a group of nothing but "none" (groups nest boundedly; a
 * cycle is refused elsewhere): a policy that names only such can never
 * match, as one that names "none". Exclusions only take away.
 */
static bool addr_none_only(const struct obj_addr *a, int depth)
{
	size_t i;

	if (a->type != ADDR_GROUP)
		return obj_addr_is_none(a);
	if (depth > 32 || !a->nr_members)
		return false;
	for (i = 0; i < a->nr_members; i++)
		if (!a->members[i] || !addr_none_only(a->members[i], depth + 1))
			return false;
	return true;
}

static void policy_addrs(struct resolver *r, const struct conf_section *sec,
			 const struct conf_entry *e, struct obj_policy *p,
			 const char *attr, struct obj_addr ***out,
			 struct conf_loc **locs, size_t *nr)
{
	const struct conf_word *w;
	size_t n = obj_words(r, sec, e, attr, &w), i, nones = 0;
	const struct obj_addr *group = NULL;
	char neg[32];

	if (!required(r, e, p, n, attr))
		return;
	*out = arena_alloc(r->a, n * sizeof(**out));
	*locs = arena_alloc(r->a, n * sizeof(**locs));
	for (i = 0; i < n; i++) {
		struct obj_addr *a;
		const struct obj_addr *bad;

		if (obj_name_empty(r, sec, e, attr, &w[i], n))
			continue;
		a = obj_addr_ref(r, p->family, &w[i]);
		if (!a)
			continue;
		bad = addr_unsupported(r, a);
		if (bad == a) {
			diag_error(
				r->dl, &w[i].loc,
				"address \"%s\" has %s, which localin does not support",
				a->name, a->unsupported);
			continue;
		} else if (bad) {
			diag_error(
				r->dl, &w[i].loc,
				"address group \"%s\" contains \"%s\" (%s), which localin does not support",
				a->name, bad->name, bad->unsupported);
			continue;
		}
		if (addr_none_only(a, 0)) {
			nones++;
			if (!group && a->type == ADDR_GROUP)
				group = a;
		}
		(*out)[*nr] = a;
		(*locs)[(*nr)++] = w[i].loc;
	}
	/* Only a list of nothing but "none" is dead; negated it is "all". */
	snprintf(neg, sizeof(neg), "%s-negate", attr);
	if (!nones || nones != n || obj_word_is(r, sec, e, neg, "enable"))
		return;
	if (group)
		diag_warn(
			r->dl, &w[0].loc,
			"policy %u: address group \"%s\" in %s holds nothing but \"none\": the policy can never match",
			p->id, group->name, attr);
	else
		diag_warn(r->dl, &w[0].loc,
			  "policy %u references \"none\": it can never match",
			  p->id);
}

/*
 * Is @s (a group: every member) ICMP of protocol @icmp alone? In a policy
 * of the other family it matches no packet: PING (ICMP) in a
 * local-in-policy6 lets IPv6's ping through a policy that names it, and
 * the admin who copied it from IPv4 is not told otherwise. Groups nest
 * boundedly; a cycle is refused elsewhere.
 */
static bool svc_icmp_only(const struct obj_service *s, uint16_t icmp, int depth)
{
	size_t i;

	if (depth > 32)
		return false;
	if (!s->is_group) {
		for (i = 0; i < s->nr_ranges; i++)
			if (s->ranges[i].proto != icmp)
				return false;
		return s->nr_ranges > 0;
	}
	for (i = 0; i < s->nr_members; i++)
		if (!s->members[i] ||
		    !svc_icmp_only(s->members[i], icmp, depth + 1))
			return false;
	return s->nr_members > 0;
}

static void policy_services(struct resolver *r, const struct conf_section *sec,
			    const struct conf_entry *e, struct obj_policy *p)
{
	const struct conf_word *w;
	size_t n = obj_words(r, sec, e, "service", &w), i;

	if (!required(r, e, p, n, "service"))
		return;
	p->svc = arena_alloc(r->a, n * sizeof(*p->svc));
	p->svc_locs = arena_alloc(r->a, n * sizeof(*p->svc_locs));
	for (i = 0; i < n; i++) {
		struct obj_service *s;
		const struct obj_service *bad;

		if (obj_name_empty(r, sec, e, "service", &w[i], n))
			continue;
		s = obj_service_ref(r, &w[i]);
		if (!s)
			continue;
		bad = service_unsupported(r, s);
		if (bad) {
			if (bad == s)
				diag_error(
					r->dl, &w[i].loc,
					"service \"%s\" has %s, which localin does not support",
					s->name, s->unsupported);
			else
				diag_error(
					r->dl, &w[i].loc,
					"service group \"%s\" contains \"%s\" (%s), which localin does not support",
					s->name, bad->name, bad->unsupported);
			continue;
		}
		if (svc_icmp_only(s, p->family == 6 ? 1 : 58, 0) &&
		    !obj_word_is(r, sec, e, "service-negate", "enable"))
			diag_warn(
				r->dl, &w[i].loc,
				"service \"%s\" is %s only: it matches no %s packet in local-in-policy%s %u (%s)",
				s->name, p->family == 6 ? "ICMP" : "ICMP6",
				p->family == 6 ? "IPv6" : "IPv4",
				p->family == 6 ? "6" : "", p->id,
				p->family == 6 ?
					"IPv6's ping is ICMP6: PING6, ALL_ICMP6" :
					"IPv4's ping is ICMP: PING, ALL_ICMP");
		p->svc[p->nr_svc] = s;
		p->svc_locs[p->nr_svc++] = w[i].loc;
	}
}

/*
 * A onetime schedule (or a group of only such) that is empty or over by
 * now, in the config's zone: the policy can never match again. Said, as a
 * dayless recurring one is: an old backup's maintenance windows, or
 * neither start nor end set (both default to 00:00 2001/01/01).
 */
static void warn_over(struct resolver *r, const struct conf_word *w,
		      const struct obj_policy *p)
{
	const struct obj_schedule *o;
	char a[32];

	if (p->sched->type == SCHED_RECURRING)
		return;
	/* Once a config: each look sets TZ twice and reads a zone file. */
	if (!r->have_now &&
	    zone_minutes(r->cfg->timezone, time(NULL), &r->now_local))
		r->now_local = INT64_MIN;
	r->have_now = true;
	o = obj_schedule_over(p->sched, r->now_local);
	if (!o || o->end_local < o->start_local)
		return; /* ends before it starts: an error already */
	obj_local_text(o->end_local, a, sizeof(a));
	if (o != p->sched)
		diag_warn(
			r->dl, &w->loc,
			"policy %u: every member of schedule group \"%s\" is a onetime schedule that is over or empty (\"%s\" %s %s): the policy can never match again",
			p->id, p->sched->name, o->name,
			o->end_local == o->start_local ? "starts and ends at" :
							 "ended at",
			a);
	else if (o->end_local == o->start_local)
		diag_warn(
			r->dl, &w->loc,
			"policy %u: onetime schedule \"%s\" ends when it starts (%s%s): it is never active, and the policy can never match",
			p->id, o->name, a,
			o->start_local == civil_minutes(2001, 1, 1, 0, 0) ?
				", the default of both start and end" :
				"");
	else
		diag_warn(
			r->dl, &w->loc,
			"policy %u: onetime schedule \"%s\" ended at %s: the policy can never match again",
			p->id, o->name, a);
}

static void policy_schedule(struct resolver *r, const struct conf_section *sec,
			    const struct conf_entry *e, struct obj_policy *p)
{
	const struct conf_word *w;
	size_t n = obj_words(r, sec, e, "schedule", &w);
	const struct obj_schedule *dayless;

	if (!required(r, e, p, n, "schedule"))
		return;
	/* Required on FortiOS: no match-always is guessed for ''. */
	if (obj_name_empty(r, sec, e, "schedule", w, n))
		return;
	p->sched = obj_schedule_ref(r, w);
	if (!p->sched)
		return;
	dayless = obj_schedule_dayless(p->sched);
	if (obj_schedule_is_none(p->sched))
		diag_warn(r->dl, &w->loc,
			  "policy %u references \"none\": it can never match",
			  p->id);
	else if (dayless == p->sched)
		diag_warn(
			r->dl, &w->loc,
			"policy %u: recurring schedule \"%s\" has no day (`set day` defaults to none): it is never active, and the policy can never match",
			p->id, p->sched->name);
	else if (dayless)
		diag_warn(
			r->dl, &w->loc,
			"policy %u: no member of schedule group \"%s\" has a day (\"%s\" has none): it is never active, and the policy can never match",
			p->id, p->sched->name, dayless->name);
	else
		warn_over(r, w, p);
}

/*
 * internet-service-src matches sources by FortiGuard's Internet Service
 * Database (srcaddr stays empty): localin has none. Taken as "all", the
 * policy would judge everyone; refused instead. True if it is enabled.
 */
static bool policy_isdb(struct resolver *r, const struct conf_section *sec,
			const struct conf_entry *e, const struct obj_policy *p)
{
	const char *attr = p->family == 4 ? "internet-service-src" :
					    "internet-service6-src";
	struct conf_loc loc;

	if (!obj_word_is(r, sec, e, attr, "enable"))
		return false;
	loc = obj_attr_loc(e, attr);
	diag_error(
		r->dl, &loc,
		"policy %u: %s enable matches sources by the Internet Service Database, which localin does not have: list the sources as addresses in srcaddr",
		p->id, attr);
	return true;
}

/* Options that change what a FortiGate enforces, kept but not acted on. */
static void policy_not_enforced(struct resolver *r,
				const struct conf_section *sec,
				const struct conf_entry *e,
				const struct obj_policy *p)
{
	struct conf_loc loc;

	if (obj_word_is(r, sec, e, "virtual-patch", "enable")) {
		loc = obj_attr_loc(e, "virtual-patch");
		diag_warn(
			r->dl, &loc,
			"policy %u: virtual-patch enable is not enforced: localin has no IPS signatures to patch the gateway's services with; the policy's action applies alone",
			p->id);
	}
	if (p->family == 4 &&
	    obj_word_is(r, sec, e, "ha-mgmt-intf-only", "enable")) {
		loc = obj_attr_loc(e, "ha-mgmt-intf-only");
		diag_warn(
			r->dl, &loc,
			"policy %u: ha-mgmt-intf-only enable is not enforced: localin knows no HA management interface; the policy applies on every interface of its intf",
			p->id);
	}
}

static bool uuid_is_nil(const char *s)
{
	for (; *s; s++) {
		if (*s != '0' && *s != '-')
			return false;
	}
	return true;
}

static struct obj_policy *policy_one(struct resolver *r,
				     const struct conf_section *sec,
				     const struct conf_entry *e, int family,
				     const char *table)
{
	struct obj_policy *p = arena_alloc(r->a, sizeof(*p));
	const struct conf_word *w;
	uint32_t id = 0;

	if (!parse_u32(e->key ? e->key : "", UINT32_MAX, &id))
		diag_error(r->dl, &e->loc, "invalid policy id \"%s\"",
			   e->key ? e->key : "");
	p->id = id;
	p->loc = e->loc;
	p->family = family;
	policy_intf(r, sec, e, p);
	if (!policy_isdb(r, sec, e, p))
		policy_addrs(r, sec, e, p, "srcaddr", &p->src, &p->src_locs,
			     &p->nr_src);
	policy_not_enforced(r, sec, e, p);
	policy_addrs(r, sec, e, p, "dstaddr", &p->dst, &p->dst_locs,
		     &p->nr_dst);
	policy_services(r, sec, e, p);
	policy_schedule(r, sec, e, p);
	p->src_negate = obj_word_is(r, sec, e, "srcaddr-negate", "enable");
	p->dst_negate = obj_word_is(r, sec, e, "dstaddr-negate", "enable");
	p->svc_negate = obj_word_is(r, sec, e, "service-negate", "enable");
	p->accept = obj_word_is(r, sec, e, "action", "accept");
	p->enabled = !obj_word_is(r, sec, e, "status", "disable");
	p->logtraffic = obj_word_is(r, sec, e, "logtraffic", "enable");
	w = obj_word(r, sec, e, "comments");
	p->comments = w ? w->text : NULL;
	/* Only the admin's own uuid counts; the schema default is all zeros. */
	w = conf_attr_get(e, "uuid") ? obj_word(r, sec, e, "uuid") : NULL;
	if (w && strlen(w->text) == 36 && !uuid_is_nil(w->text))
		memcpy(p->uuid, w->text, 37);
	else
		obj_uuid_v8(table, id, p->uuid);
	return p;
}

static void resolve_table(struct resolver *r, int family)
{
	const char *table = family == 4 ? "firewall local-in-policy" :
					  "firewall local-in-policy6";
	const struct conf_section *sec = conf_tree_section(r->t, table);
	struct obj_policy ***list =
		family == 4 ? &r->cfg->policies4 : &r->cfg->policies6;
	size_t *nr =
		family == 4 ? &r->cfg->nr_policies4 : &r->cfg->nr_policies6;
	const struct conf_entry *e;
	size_t cap = 0;

	for (e = sec ? sec->entries : NULL; e; e = e->next)
		*ARENA_PUSH(r->a, *list, *nr, cap) =
			policy_one(r, sec, e, family, table);
}

void obj_resolve_policies(struct resolver *r)
{
	resolve_table(r, 4);
	resolve_table(r, 6);
}
