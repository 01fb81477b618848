// SPDX-License-Identifier: GPL-2.0
/*
 * config system external-resource (threat feeds of type address) and
 * config system dns. A feed is an address a policy or group names by the
 * resource's name, as on FortiOS; its ranges come at run time
 * (objects/dynaddr.h). Feeds of other types (category, domain, malware)
 * load and are not used.
 */
#include <stdio.h>
#include <string.h>

#include "objects/internal.h"

static bool url_scheme_ok(const char *url)
{
	return !strncmp(url, "http://", 7) || !strncmp(url, "https://", 8);
}

static void resolve_feed(struct resolver *r, const struct conf_section *sec,
			 const struct conf_entry *e, size_t *cap)
{
	const struct conf_word *w;
	struct obj_feed *f;
	bool refused;
	uint32_t v;

	if (!obj_word_is(r, sec, e, "type", "address") ||
	    !obj_word_is(r, sec, e, "status", "enable"))
		return;
	f = arena_alloc(r->a, sizeof(*f));
	f->name = e->key;
	f->loc = e->loc;
	w = obj_word(r, sec, e, "resource");
	if (!w || !*w->text) {
		if (!e->broken)
			diag_error(
				r->dl, &e->loc,
				"external-resource \"%s\": resource is required",
				f->name);
		return;
	}
	if (!url_scheme_ok(w->text)) {
		diag_error(
			r->dl, &w->loc,
			"external-resource \"%s\": resource \"%s\" is not an http:// or https:// URL",
			f->name, w->text);
		return;
	}
	f->url = w->text;
	w = obj_word(r, sec, e, "username");
	f->user = w && *w->text ? w->text : NULL;
	f->password =
		obj_password(r, sec, e, "external-resource", false,
			     "the list is fetched without a login", &refused);
	if (refused)
		f->user = NULL;
	w = obj_word(r, sec, e, "source-ip");
	f->source_ip = w && strcmp(w->text, "0.0.0.0") ? w->text : NULL;
	w = obj_word(r, sec, e, "refresh-rate");
	f->refresh_min = w && parse_u32(w->text, 43200, &v) && v ? v : 5;
	f->verify =
		obj_word_is(r, sec, e, "server-identity-check", "full")	 ? 2 :
		obj_word_is(r, sec, e, "server-identity-check", "basic") ? 1 :
									   0;
	*ARENA_PUSH(r->a, r->cfg->feeds, r->cfg->nr_feeds, *cap) = f;
}

static void resolve_dns(struct resolver *r)
{
	static const char *const keys[] = { "primary", "secondary",
					    "ip6-primary", "ip6-secondary" };
	const struct conf_section *sec = conf_tree_section(r->t, "system dns");
	const struct conf_entry *e = sec ? sec->entries : NULL;
	struct obj_dns *d = &r->cfg->dns;
	char buf[256] = "";
	size_t len = 0, i;
	uint32_t v;
	const struct conf_word *w;

	d->min_refresh_s = 60;
	d->max_refresh_s = 3600;
	d->timeout_s = 5;
	d->retry = 2;
	if (!e)
		return;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		w = obj_word(r, sec, e, keys[i]);
		if (!w || !strcmp(w->text, "0.0.0.0") || !strcmp(w->text, "::"))
			continue;
		/* c-ares's server list: IPv6 in brackets. */
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
					i >= 2 ? "%s[%s]" : "%s%s",
					len ? "," : "", w->text);
		if (len >= sizeof(buf))
			break;
	}
	if (len && len < sizeof(buf))
		d->servers = arena_printf(r->a, "%s", buf);
	w = obj_word(r, sec, e, "fqdn-min-refresh");
	if (w && parse_u32(w->text, 3600, &v) && v)
		d->min_refresh_s = v;
	w = obj_word(r, sec, e, "fqdn-max-refresh");
	if (w && parse_u32(w->text, 86400, &v) && v)
		d->max_refresh_s = v;
	if (d->max_refresh_s < d->min_refresh_s)
		d->max_refresh_s = d->min_refresh_s;
	w = obj_word(r, sec, e, "timeout");
	if (w && parse_u32(w->text, 10, &v) && v)
		d->timeout_s = v;
	w = obj_word(r, sec, e, "retry");
	if (w && parse_u32(w->text, 5, &v))
		d->retry = v;
}

void obj_resolve_dyn(struct resolver *r)
{
	const struct conf_section *sec =
		conf_tree_section(r->t, "system external-resource");
	const struct conf_entry *e;
	size_t cap = 0;

	for (e = sec ? sec->entries : NULL; e; e = e->next)
		resolve_feed(r, sec, e, &cap);
	resolve_dns(r);
}

void obj_feed_addrs(struct resolver *r, size_t *cap)
{
	size_t i;
	int fam;

	for (i = 0; i < r->cfg->nr_feeds; i++) {
		const struct obj_feed *f = r->cfg->feeds[i];

		for (fam = 4; fam <= 6; fam += 2) {
			struct obj_addr *o = arena_alloc(r->a, sizeof(*o));
			struct obj_addr *prev;

			o->name = f->name;
			o->loc = f->loc;
			o->family = fam;
			o->type = ADDR_FEED;
			o->feed = f->name;
			prev = obj_names_put(addr_table(r, fam), r->a, o->name,
					     o);
			if (prev) {
				diag_error(
					r->dl, &f->loc,
					"external-resource \"%s\" has the same name as an %s",
					f->name,
					fam == 4 ? "address" : "address6");
				continue;
			}
			obj_addr_add(r, o, cap);
		}
	}
}
