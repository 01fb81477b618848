// SPDX-License-Identifier: GPL-2.0
/*
 * The `config system ...` and `config log setting` parts localin acts on:
 * interfaces (whose subnets interface-subnet addresses borrow), the host
 * name and time zone, ESP detection and the SA sources behind it, and
 * which local-in traffic is logged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "objects/internal.h"

/*
 * ip ("a.b.c.d m.m.m.m"): FortiOS keeps the host address and the mask; an
 * all-zero address means the interface has none.
 */
static void intf_ip4(struct resolver *r, const struct conf_section *sec,
		     const struct conf_entry *e, struct obj_intf *o)
{
	const struct conf_word *w;
	size_t n = obj_words(r, sec, e, "ip", &w);
	uint32_t ip, mask;
	int plen;
	char buf[16];

	if (!n)
		return;
	if (obj_parse_ip4mask(obj_join(r, w, n), &ip, &mask)) {
		struct conf_loc loc = obj_span(w, n);

		diag_error(r->dl, &loc, "invalid ip address \"%s\"",
			   obj_join(r, w, n));
		return;
	}
	plen = mask_to_prefixlen(mask);
	if (plen < 0) {
		obj_format_ip4(mask, buf);
		diag_error(r->dl, &w[n - 1].loc, "invalid netmask \"%s\"", buf);
		return;
	}
	o->ip4 = ip;
	o->ip4_prefixlen = ip ? (unsigned int)plen : 0;
}

/* config ipv6 / set ip6-address addr/len (:: /0 = none) */
static void intf_ip6(struct resolver *r, const struct conf_entry *e,
		     struct obj_intf *o)
{
	const struct conf_section *sub = conf_entry_sub(e, "ipv6");
	const struct conf_entry *se = sub ? sub->entries : NULL;
	const struct conf_word *w;
	ip_u128 addr;
	unsigned int len;

	if (!se || !obj_words(r, sub, se, "ip6-address", &w))
		return;
	if (obj_parse_ip6prefix(w->text, &addr, &len)) {
		diag_error(r->dl, &w->loc, "invalid ip6-address \"%s\"",
			   w->text);
		return;
	}
	if (!addr)
		return;
	o->ip6 = arena_alloc(r->a, sizeof(*o->ip6));
	o->ip6->addr = addr;
	o->ip6->prefixlen = len;
	o->nr_ip6 = 1;
}

/* An interface a multi-VDOM backup puts in a VDOM other than ours. */
static bool other_vdom(struct resolver *r, const struct conf_entry *e)
{
	const char *vd = conf_attr_str(e, "vdom");

	return r->t->multi_vdom && vd && strcmp(vd, conf_tree_vdom(r->t));
}

static void resolve_interfaces(struct resolver *r)
{
	const struct conf_section *sec =
		conf_tree_section(r->t, "system interface");
	const struct conf_entry *e;
	size_t cap = 0;

	for (e = sec ? sec->entries : NULL; e; e = e->next) {
		struct obj_intf *o = arena_alloc(r->a, sizeof(*o));

		o->name = e->key;
		o->loc = e->loc;
		intf_ip4(r, sec, e, o);
		intf_ip6(r, e, o);
		obj_names_put(&r->intf, r->a, o->name, o);
		/*
		 * Another VDOM's interface is known by name (a policy naming
		 * it is warned about) but its addresses are not this VDOM's.
		 */
		if (other_vdom(r, e))
			continue;
		*ARENA_PUSH(r->a, r->cfg->intfs, r->cfg->nr_intfs, cap) = o;
	}
}

/*
 * An IANA zone name is valid if the system's tz database has it; TZDIR is
 * honoured as libc does. Names cannot climb out of the database.
 */
static bool zone_exists(const char *name)
{
	const char *dir = getenv("TZDIR");
	char path[512];
	struct stat st;

	if (!*name || name[0] == '/' || strstr(name, ".."))
		return false;
	if (!dir || !*dir)
		dir = "/usr/share/zoneinfo";
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return false;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void resolve_global(struct resolver *r)
{
	const struct conf_section *sec =
		conf_tree_section(r->t, "system global");
	const struct conf_entry *e = sec ? sec->entries : NULL;
	const struct conf_word *w;

	if (!e)
		return;
	w = obj_word(r, sec, e, "hostname");
	if (w)
		r->cfg->hostname = w->text;
	w = obj_word(r, sec, e, "timezone");
	if (w) {
		if (zone_exists(w->text))
			r->cfg->timezone = w->text;
		else if (w->text[0] &&
			 strspn(w->text, "0123456789") == strlen(w->text))
			/*
			 * Older FortiOS backups carry a numeric zone code
			 * (`set timezone 04`); the backup must still load.
			 */
			diag_warn(
				r->dl, &w->loc,
				"FortiOS time zone code %s is not an IANA zone name; schedules use the system's time zone",
				w->text);
		else
			diag_error(r->dl, &w->loc, "unknown time zone \"%s\"",
				   w->text);
	}
}

static bool section_enabled(struct resolver *r, const char *path,
			    const char *attr, bool def)
{
	const struct conf_section *sec = conf_tree_section(r->t, path);
	const struct conf_entry *e = sec ? sec->entries : NULL;
	const struct conf_word *w = e ? obj_word(r, sec, e, attr) : NULL;

	return w ? !strcmp(w->text, "enable") : def;
}

/*
 * config system sa-source: type and path, checked here so that `localin
 * check` finds a missing path before the daemon does.
 */
static void resolve_sa_sources(struct resolver *r)
{
	const struct conf_section *sec =
		conf_tree_section(r->t, "system sa-source");
	const struct conf_entry *e;
	const struct conf_word *w;
	size_t cap = 0;

	r->cfg->sa_sources_set = sec != NULL;
	for (e = sec ? sec->entries : NULL; e; e = e->next) {
		struct obj_sa_source *o;

		if (obj_word_is(r, sec, e, "status", "disable"))
			continue;
		w = obj_word(r, sec, e, "type");
		if (!w) {
			if (!e->broken)
				diag_error(
					r->dl, &e->loc,
					"sa-source \"%s\": type is required (vici, xfrm or file)",
					e->key);
			continue;
		}
		o = arena_alloc(r->a, sizeof(*o));
		o->name = e->key;
		o->loc = e->loc;
		o->type = !strcmp(w->text, "vici") ? OBJ_SA_VICI :
			  !strcmp(w->text, "file") ? OBJ_SA_FILE :
						     OBJ_SA_XFRM;
		w = obj_word(r, sec, e, "path");
		if (w && *w->text && o->type == OBJ_SA_XFRM)
			diag_warn(
				r->dl, &w->loc,
				"sa-source \"%s\": type xfrm has no path; it is ignored",
				e->key);
		else if (w && *w->text)
			o->path = w->text;
		else if (o->type == OBJ_SA_VICI)
			o->path = OBJ_VICI_DEFAULT_PATH;
		else if (o->type == OBJ_SA_FILE && !e->broken)
			diag_error(r->dl, &e->loc,
				   "sa-source \"%s\": type file needs a path",
				   e->key);
		*ARENA_PUSH(r->a, r->cfg->sa_sources, r->cfg->nr_sa_sources,
			    cap) = o;
	}
}

static void resolve_sa_check(struct resolver *r)
{
	const struct conf_section *sec =
		conf_tree_section(r->t, "system sa-check");
	const struct conf_entry *e = sec ? sec->entries : NULL;
	const struct conf_word *w;

	if (!e)
		return;
	w = obj_word(r, sec, e, "grace-period");
	if (w)
		r->cfg->sa_grace_s = (unsigned int)strtoul(w->text, NULL, 10);
	r->cfg->esp_wrong_peer_drop =
		obj_word_is(r, sec, e, "wrong-peer-action", "deny");
}

void obj_resolve_system(struct resolver *r)
{
	struct obj_config *cfg = r->cfg;

	resolve_interfaces(r);
	resolve_global(r);
	resolve_sa_sources(r);
	resolve_sa_check(r);
	obj_resolve_metrics(r);
	/* FortiOS 7.2.4+ default: unknown-SPI ESP is dropped before policies. */
	cfg->detect_unknown_esp = section_enabled(r, "system settings",
						  "detect-unknown-esp", true);
	cfg->log_local_in_allow =
		section_enabled(r, "log setting", "local-in-allow", false);
	cfg->log_local_in_deny_unicast = section_enabled(
		r, "log setting", "local-in-deny-unicast", false);
	cfg->log_local_in_deny_broadcast = section_enabled(
		r, "log setting", "local-in-deny-broadcast", false);
}
