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
 * ip ("a.b.c.d m.m.m.m") of @e in @sec: FortiOS keeps the host address and
 * the mask; an all-zero address means none. False if unset or invalid.
 */
static bool parse_intf_ip4(struct resolver *r, const struct conf_section *sec,
			   const struct conf_entry *e, uint32_t *ip,
			   unsigned int *prefixlen)
{
	const struct conf_word *w;
	size_t n = obj_words(r, sec, e, "ip", &w);
	uint32_t mask;
	int plen;
	char buf[16];

	if (!n)
		return false;
	if (obj_parse_ip4mask(obj_join(r, w, n), ip, &mask)) {
		struct conf_loc loc = obj_span(w, n);

		diag_error(r->dl, &loc, "invalid ip address \"%s\"",
			   obj_join(r, w, n));
		return false;
	}
	plen = mask_to_prefixlen(mask);
	if (plen < 0) {
		obj_format_ip4(mask, buf);
		diag_error(r->dl, &w[n - 1].loc, "invalid netmask \"%s\"", buf);
		return false;
	}
	*prefixlen = *ip ? (unsigned int)plen : 0;
	return true;
}

static void intf_ip4(struct resolver *r, const struct conf_section *sec,
		     const struct conf_entry *e, struct obj_intf *o)
{
	uint32_t ip;
	unsigned int plen;

	if (parse_intf_ip4(r, sec, e, &ip, &plen)) {
		o->ip4 = ip;
		o->ip4_prefixlen = plen;
	}
}

/*
 * config secondaryip: the gateway's addresses beside `ip`, its own as `ip`
 * is (replay's local addresses). In force with `set secondary-IP enable`
 * (default disable), as on the FortiGate.
 */
static void intf_ip4_secondary(struct resolver *r, const struct conf_entry *e,
			       struct obj_intf *o)
{
	const struct conf_section *sub = conf_entry_sub(e, "secondaryip");
	const char *on = conf_attr_str(e, "secondary-IP");
	const struct conf_entry *se;
	size_t cap = 0;

	if (!sub || !sub->entries)
		return;
	if (!on || strcmp(on, "enable")) {
		diag_warn(
			r->dl, &sub->loc,
			"interface \"%s\": secondary-IP is disable, so its secondaryip addresses are not the gateway's",
			e->key);
		return;
	}
	for (se = sub->entries; se; se = se->next) {
		uint32_t ip;
		unsigned int plen;

		if (!parse_intf_ip4(r, sub, se, &ip, &plen) || !ip)
			continue;
		*ARENA_PUSH(r->a, o->ip4_sec, o->nr_ip4_sec, cap) =
			(struct obj_intf_addr4){ ip, plen };
	}
}

/* @text ("addr/len") at @loc, one of @o's IPv6 addresses unless :: */
static void intf_ip6_add(struct resolver *r, const char *text,
			 const struct conf_loc *loc, const char *what,
			 struct obj_intf *o, size_t *cap)
{
	struct obj_intf_addr6 *a;
	ip_u128 addr;
	unsigned int len;

	if (obj_parse_ip6prefix(text, &addr, &len)) {
		diag_error(r->dl, loc, "invalid %s \"%s\"", what, text);
		return;
	}
	if (!addr)
		return;
	a = ARENA_PUSH(r->a, o->ip6, o->nr_ip6, *cap);
	a->addr = addr;
	a->prefixlen = len;
}

/*
 * config ipv6 / set ip6-address addr/len (:: /0 = none), and the
 * addresses of its config ip6-extra-addr, the gateway's as the first is.
 */
static void intf_ip6(struct resolver *r, const struct conf_entry *e,
		     struct obj_intf *o)
{
	const struct conf_section *sub = conf_entry_sub(e, "ipv6");
	const struct conf_entry *se = sub ? sub->entries : NULL;
	const struct conf_section *extra;
	const struct conf_entry *x;
	const struct conf_word *w;
	size_t cap = 0;

	if (!se)
		return;
	if (obj_words(r, sub, se, "ip6-address", &w))
		intf_ip6_add(r, w->text, &w->loc, "ip6-address", o, &cap);
	extra = conf_entry_sub(se, "ip6-extra-addr");
	for (x = extra ? extra->entries : NULL; x; x = x->next)
		intf_ip6_add(r, x->key, &x->loc, "ip6-extra-addr", o, &cap);
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
		const struct conf_word *vd = obj_word(r, sec, e, "vdom");

		/* '' is in no VDOM: not "in VDOM , not root" at each policy */
		if (r->t->multi_vdom && vd && !*vd->text)
			diag_error(
				r->dl, &vd->loc,
				"interface \"%s\": empty vdom \"\": each interface of a multi-VDOM config is in one; name it",
				e->key);
		o->name = e->key;
		o->loc = e->loc;
		intf_ip4(r, sec, e, o);
		intf_ip4_secondary(r, e, o);
		intf_ip6(r, e, o);
		o->role = conf_attr_str(e, "role");
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

/*
 * FortiOS's numeric time zones (`set timezone 04`, up to FortiOS 7.4.1;
 * 7.4.2 and later write the IANA name), indexed by number: the zone each
 * number's `set timezone ?` label names. Numbers past the table (76 and
 * up, added in later releases) are not mapped.
 */
static const char *const fortios_zones[] = {
	"Pacific/Kwajalein",		  /* 00 Eniwetok, Kwajalein */
	"Pacific/Midway",		  /* 01 Midway Island, Samoa */
	"Pacific/Honolulu",		  /* 02 Hawaii */
	"America/Anchorage",		  /* 03 Alaska */
	"America/Los_Angeles",		  /* 04 Pacific Time (US & Canada) */
	"America/Phoenix",		  /* 05 Arizona */
	"America/Denver",		  /* 06 Mountain Time (US & Canada) */
	"America/Guatemala",		  /* 07 Central America */
	"America/Chicago",		  /* 08 Central Time (US & Canada) */
	"America/Mexico_City",		  /* 09 Mexico City */
	"America/Regina",		  /* 10 Saskatchewan */
	"America/Bogota",		  /* 11 Bogota, Lima, Quito */
	"America/New_York",		  /* 12 Eastern Time (US & Canada) */
	"America/Indiana/Indianapolis",	  /* 13 Indiana (East) */
	"America/Halifax",		  /* 14 Atlantic Time (Canada) */
	"America/La_Paz",		  /* 15 La Paz */
	"America/Santiago",		  /* 16 Santiago */
	"America/St_Johns",		  /* 17 Newfoundland */
	"America/Sao_Paulo",		  /* 18 Brasilia */
	"America/Argentina/Buenos_Aires", /* 19 Buenos Aires */
	"America/Godthab",		  /* 20 Nuuk (Greenland) */
	"Atlantic/South_Georgia",	  /* 21 Mid-Atlantic */
	"Atlantic/Azores",		  /* 22 Azores */
	"Atlantic/Cape_Verde",		  /* 23 Cape Verde Is. */
	"Africa/Monrovia",		  /* 24 Monrovia */
	"Europe/London", /* 25 Dublin, Edinburgh, Lisbon, London */
	"Europe/Berlin", /* 26 Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna */
	"Europe/Budapest", /* 27 Belgrade, Bratislava, Budapest, Ljubljana, Prague */
	"Europe/Paris",	       /* 28 Brussels, Copenhagen, Madrid, Paris */
	"Europe/Warsaw",       /* 29 Sarajevo, Skopje, Warsaw, Zagreb */
	"Africa/Lagos",	       /* 30 West Central Africa */
	"Europe/Athens",       /* 31 Athens, Sofia, Vilnius */
	"Europe/Bucharest",    /* 32 Bucharest */
	"Africa/Cairo",	       /* 33 Cairo */
	"Africa/Johannesburg", /* 34 Harare, Pretoria */
	"Europe/Helsinki",     /* 35 Helsinki, Riga, Tallinn */
	"Asia/Jerusalem",      /* 36 Jerusalem */
	"Asia/Baghdad",	       /* 37 Baghdad */
	"Asia/Riyadh",	       /* 38 Kuwait, Riyadh */
	"Europe/Moscow",       /* 39 Moscow, St. Petersburg, Volgograd */
	"Africa/Nairobi",      /* 40 Nairobi */
	"Asia/Tehran",	       /* 41 Tehran */
	"Asia/Dubai",	       /* 42 Abu Dhabi, Muscat */
	"Asia/Baku",	       /* 43 Baku */
	"Asia/Kabul",	       /* 44 Kabul */
	"Asia/Yekaterinburg",  /* 45 Ekaterinburg */
	"Asia/Karachi",	       /* 46 Islamabad, Karachi, Tashkent */
	"Asia/Kolkata",	       /* 47 Kolkata, Chennai, Mumbai, New Delhi */
	"Asia/Kathmandu",      /* 48 Kathmandu */
	"Asia/Almaty",	       /* 49 Almaty, Novosibirsk */
	"Asia/Dhaka",	       /* 50 Astana, Dhaka */
	"Asia/Colombo",	       /* 51 Sri Jayawardenepura */
	"Asia/Yangon",	       /* 52 Rangoon */
	"Asia/Bangkok",	       /* 53 Bangkok, Hanoi, Jakarta */
	"Asia/Krasnoyarsk",    /* 54 Krasnoyarsk */
	"Asia/Shanghai",       /* 55 Beijing, ChongQing, HongKong, Urumgi */
	"Asia/Irkutsk",	       /* 56 Irkutsk, Ulaanbaatar */
	"Asia/Singapore",      /* 57 Kuala Lumpur, Singapore */
	"Australia/Perth",     /* 58 Perth */
	"Asia/Taipei",	       /* 59 Taipei */
	"Asia/Tokyo",	       /* 60 Osaka, Sapporo, Tokyo, Seoul */
	"Asia/Yakutsk",	       /* 61 Yakutsk */
	"Australia/Adelaide",  /* 62 Adelaide */
	"Australia/Darwin",    /* 63 Darwin */
	"Australia/Brisbane",  /* 64 Brisbane */
	"Australia/Sydney",    /* 65 Canberra, Melbourne, Sydney */
	"Pacific/Guam",	       /* 66 Guam, Port Moresby */
	"Australia/Hobart",    /* 67 Hobart */
	"Asia/Vladivostok",    /* 68 Vladivostok */
	"Asia/Magadan",	       /* 69 Magadan */
	"Pacific/Noumea",      /* 70 Solomon Is., New Caledonia */
	"Pacific/Auckland",    /* 71 Auckland, Wellington */
	"Pacific/Fiji",	       /* 72 Fiji, Kamchatka, Marshall Is. */
	"Pacific/Tongatapu",   /* 73 Nuku'alofa */
	"America/Caracas",     /* 74 Caracas */
	"America/Montevideo",  /* 75 Uruguay */
};

/* The IANA zone of a FortiOS zone number ("04", "28"), or NULL. */
static const char *fortios_zone(const char *code)
{
	uint32_t n;

	if (strlen(code) > 2 || !parse_u32(code, 99, &n) ||
	    n >= sizeof(fortios_zones) / sizeof(fortios_zones[0]))
		return NULL;
	return fortios_zones[n];
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
	if (w && !*w->text) {
		/* Not an unknown zone: no zone, and unset is how to say it. */
		diag_error(
			r->dl, &w->loc,
			"empty timezone \"\": name a zone (\"Europe/Berlin\"), or unset timezone for the system's time zone");
	} else if (w) {
		const char *zone = fortios_zone(w->text);

		if (zone_exists(w->text))
			r->cfg->timezone = w->text;
		else if (zone && zone_exists(zone))
			r->cfg->timezone = zone;
		else if (zone)
			diag_warn(
				r->dl, &w->loc,
				"FortiOS time zone %s is %s, which this system's tz database lacks; schedules use the system's time zone",
				w->text, zone);
		else if (w->text[0] &&
			 strspn(w->text, "0123456789") == strlen(w->text))
			/*
			 * Older FortiOS backups carry a numeric zone code
			 * (`set timezone 04`); the backup must still load.
			 */
			diag_warn(
				r->dl, &w->loc,
				"FortiOS time zone number %s is not one localin knows (00-75); schedules use the system's time zone",
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
		if (o->path)
			obj_warn_relative(r, w, "sa-source path");
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
