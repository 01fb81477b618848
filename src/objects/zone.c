// SPDX-License-Identifier: GPL-2.0
/*
 * Zones, and what a local-in policy's `intf` names. FortiOS matches a
 * policy on a zone by its member interfaces: `config system zone`, the
 * SD-WAN zones (`config system sdwan`, whose members name their zone,
 * "virtual-wan-link" by default) and `config system virtual-wan-link`
 * (the one zone of FortiOS 6.0-6.2). A policy's zone becomes its members
 * here, so the compiler and the daemon only ever see interfaces.
 */
#include <net/if.h>
#include <string.h>

#include "objects/internal.h"

#define FORTIOS_IFNAME_MAX 35 /* FortiOS's interface and zone names */
#define LINUX_IFNAME_MAX 15   /* IFNAMSIZ - 1 */

static struct obj_zone *zone_get(struct resolver *r, const char *name,
				 const struct conf_loc *loc)
{
	struct obj_zone *z = obj_names_get(&r->zone, name);

	if (z)
		return z;
	z = arena_alloc(r->a, sizeof(*z));
	z->name = name;
	z->loc = *loc;
	obj_names_put(&r->zone, r->a, name, z);
	return z;
}

static void zone_add(struct resolver *r, struct obj_zone *z,
		     const struct conf_word *w)
{
	size_t i;

	for (i = 0; i < z->nr; i++)
		if (!strcmp(z->members[i].name, w->text))
			return;
	*ARENA_PUSH(r->a, z->members, z->nr, z->cap) =
		(struct obj_name_ref){ .name = w->text, .loc = w->loc };
}

/* The zone of `config system zone` that has @intf already, or NULL. */
static const char *zone_of(const struct conf_section *sec,
			   const struct conf_entry *upto, const char *intf)
{
	const struct conf_entry *e;
	const struct conf_attr *a;

	for (e = sec->entries; e && e != upto; e = e->next) {
		a = conf_attr_get(e, "interface");
		for (size_t i = 0; a && i < a->nr_vals; i++)
			if (!strcmp(a->vals[i].text, intf))
				return e->key;
	}
	return NULL;
}

/*
 * config system zone: edit NAME, set interface A B ... FortiOS refuses a
 * zone named as an interface and an interface in two zones: either would
 * leave which policies its packets meet to chance.
 */
static void system_zones(struct resolver *r)
{
	const struct conf_section *sec = conf_tree_section(r->t, "system zone");
	const struct conf_entry *e;
	const char *other;

	for (e = sec ? sec->entries : NULL; e; e = e->next) {
		struct obj_zone *z = zone_get(r, e->key, &e->loc);
		const struct conf_word *w;
		size_t n = obj_words(r, sec, e, "interface", &w), i;

		if (obj_names_get(&r->intf, e->key))
			diag_error(
				r->dl, &e->loc,
				"zone \"%s\" has the name of an interface (config system interface)",
				e->key);
		for (i = 0; i < n; i++) {
			if (obj_name_empty(r, sec, e, "interface", &w[i], n))
				continue;
			other = zone_of(sec, e, w[i].text);
			if (other)
				diag_error(
					r->dl, &w[i].loc,
					"interface \"%s\" is in zone \"%s\" already: an interface is in one zone",
					w[i].text, other);
			else
				zone_add(r, z, &w[i]);
		}
	}
}

/*
 * The SD-WAN members, each in its zone ("virtual-wan-link" by default:
 * all of them in a config of FortiOS 6.0-6.2's virtual-wan-link, which
 * is read as system sdwan).
 */
static void sdwan_members(struct resolver *r)
{
	const struct conf_section *sec =
		conf_tree_section(r->t, "system sdwan");
	const struct conf_entry *top = sec ? sec->entries : NULL;
	const struct conf_section *zones, *members;
	const struct conf_entry *e;

	if (!top)
		return;
	zones = conf_entry_sub(top, "zone");
	for (e = zones ? zones->entries : NULL; e; e = e->next)
		zone_get(r, e->key, &e->loc);
	members = conf_entry_sub(top, "members");
	for (e = members ? members->entries : NULL; e; e = e->next) {
		const struct conf_word *intf =
			obj_word(r, members, e, "interface");
		const struct conf_word *zw = obj_word(r, members, e, "zone");
		bool no_intf, no_zone;

		/* each '' said, then the member is in no zone */
		no_intf = !intf ||
			  obj_name_empty(r, members, e, "interface", intf, 1);
		no_zone = !zw || obj_name_empty(r, members, e, "zone", zw, 1);
		if (!no_intf && !no_zone)
			zone_add(r, zone_get(r, zw->text, &zw->loc), intf);
	}
}

void obj_resolve_zones(struct resolver *r)
{
	system_zones(r);
	sdwan_members(r);
}

/* What the kernel's dev_valid_name() accepts. */
static bool ifname_valid(const char *s)
{
	if (!*s || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++) {
		if (*s == '/' || *s == ':' || *s <= ' ' || *s == 0x7f)
			return false;
	}
	return true;
}

/* The VDOM `config system interface` puts @name in, NULL if none said. */
static const char *intf_vdom(struct resolver *r, const char *name)
{
	const struct conf_section *sec =
		conf_tree_section(r->t, "system interface");
	const struct conf_entry *e = sec ? conf_entry_get(sec, name) : NULL;

	return e ? conf_attr_str(e, "vdom") : NULL;
}

/*
 * An interface name a policy (or a zone) gives: warn where the config and
 * the host say nothing of it. A backup declares its interfaces; a config
 * written for localin need not, and then the host is asked alone (at
 * check time on the gateway, or at run time by `localin status`).
 */
static void intf_known(struct resolver *r, const struct obj_policy *p,
		       const struct obj_name_ref *ref, const char *zone)
{
	const char *vd;

	if (obj_names_get(&r->intf, ref->name)) {
		vd = intf_vdom(r, ref->name);
		/* an empty vdom is said at the interface (system.c) */
		if (r->t->multi_vdom && vd && *vd &&
		    strcmp(vd, conf_tree_vdom(r->t)))
			diag_warn(
				r->dl, &ref->loc,
				"policy %u: interface \"%s\"%s%s%s is in VDOM %s, not %s: no packet of this VDOM arrives on it",
				p->id, ref->name, zone ? " (zone \"" : "",
				zone ? zone : "", zone ? "\")" : "", vd,
				conf_tree_vdom(r->t));
		return;
	}
	/*
	 * Past 15 characters no interface can ever appear under the name:
	 * the compiler says so, and "once such an interface appears" would
	 * contradict it at the same word.
	 */
	if (!r->intf.nr || strlen(ref->name) > LINUX_IFNAME_MAX ||
	    if_nametoindex(ref->name))
		return;
	diag_warn(
		r->dl, &ref->loc,
		"policy %u: \"%s\"%s%s%s is neither a zone nor an interface of config system interface, nor of this host: the policy matches on it only once such an interface appears",
		p->id, ref->name, zone ? " (member of zone \"" : "",
		zone ? zone : "", zone ? "\")" : "");
}

/* One name of `intf`: a zone's members, or an interface. */
void obj_policy_intf(struct resolver *r, struct obj_policy *p,
		     const struct conf_word *w, size_t *cap)
{
	const struct obj_zone *z = obj_names_get(&r->zone, w->text);
	size_t i;

	if (z) {
		if (!z->nr)
			diag_warn(
				r->dl, &w->loc,
				"policy %u: zone \"%s\" has no member interfaces: the policy never matches on it",
				p->id, z->name);
		for (i = 0; i < z->nr; i++) {
			struct obj_name_ref ref = { z->members[i].name,
						    w->loc };

			if (!ifname_valid(ref.name)) {
				diag_error(r->dl, &z->members[i].loc,
					   "invalid interface name \"%s\"",
					   ref.name);
				continue;
			}
			if (strlen(ref.name) > LINUX_IFNAME_MAX) {
				diag_warn(
					r->dl, &w->loc,
					"policy %u: member \"%s\" of zone \"%s\" is longer than %d characters: no Linux interface can match it",
					p->id, ref.name, z->name,
					LINUX_IFNAME_MAX);
				continue;
			}
			intf_known(r, p, &ref, z->name);
			*ARENA_PUSH(r->a, p->intfs, p->nr_intfs, *cap) = ref;
		}
		return;
	}
	if (strlen(w->text) > FORTIOS_IFNAME_MAX) {
		diag_error(r->dl, &w->loc,
			   "interface name \"%s\" is longer than %d characters",
			   w->text, FORTIOS_IFNAME_MAX);
		return;
	}
	if (!ifname_valid(w->text)) {
		diag_error(r->dl, &w->loc, "invalid interface name \"%s\"",
			   w->text);
		return;
	}
	*ARENA_PUSH(r->a, p->intfs, p->nr_intfs, *cap) =
		(struct obj_name_ref){ .name = w->text, .loc = w->loc };
	intf_known(r, p, &p->intfs[p->nr_intfs - 1], NULL);
}
