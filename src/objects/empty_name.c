// SPDX-License-Identifier: GPL-2.0
/*
 * '' where a name belongs: a policy's srcaddr, dstaddr, service, schedule
 * or intf, a group's member or exclude-member, a zone's interface, an
 * address's interface, an SD-WAN member's interface or zone. No object is
 * named "", so "unknown address \"\"" would read as a typo of a name;
 * what was meant is more likely an empty template variable. The error
 * says what to write instead. One text for the file's loader and for
 * the console's `set`, so an admin meets the same words in both.
 */
#include <string.h>

#include "objects/internal.h"

struct empty_fix {
	const char *section, *attr;
	const char *owner; /* "policy", "address group", ... */
	bool by_id;	   /* a policy's key is its id: printed bare */
	const char *fix;   /* what to write when '' is the only word */
};

static const struct empty_fix fixes[] = {
	{ "firewall local-in-policy", "intf", "policy", true,
	  "a policy needs one; set intf \"any\" for every interface" },
	{ "firewall local-in-policy", "srcaddr", "policy", true,
	  "a policy needs one; set srcaddr \"all\" for every address" },
	{ "firewall local-in-policy", "dstaddr", "policy", true,
	  "a policy needs one; set dstaddr \"all\" for every address" },
	{ "firewall local-in-policy", "service", "policy", true,
	  "a policy needs one; set service \"ALL\" for every service" },
	{ "firewall local-in-policy", "schedule", "policy", true,
	  "a policy needs one; set schedule \"always\" for all the time" },
	{ "firewall addrgrp", "member", "address group", false,
	  "a group needs one; name an address or group" },
	{ "firewall addrgrp", "exclude-member", "address group", false,
	  "name an address or group to exclude, or set exclude disable" },
	{ "firewall service group", "member", "service group", false,
	  "a group needs one; name a service or group" },
	{ "firewall schedule group", "member", "schedule group", false,
	  "a group needs one; name a recurring or onetime schedule" },
	/* FortiOS keeps a zone without members: unset is how to have none */
	{ "system zone", "interface", "zone", false,
	  "leave it out; unset interface for a zone without members" },
	/*
	 * Read by type interface-subnet only, which needs one; unset (no
	 * default, fortios-reference.md 2.1) is how to have none.
	 */
	{ "firewall address", "interface", "address", false,
	  "name the config system interface whose network it is, or unset interface for none" },
	/* config system sdwan, config members: its path is its own word */
	{ "members", "interface", "SD-WAN member", true,
	  "a member needs one; name its interface" },
	{ "members", "zone", "SD-WAN member", true,
	  "name its zone, or unset zone for \"virtual-wan-link\"" },
};

/* The 6 tables share their 4's words: "firewall local-in-policy6". */
static bool same_section(const char *table, const char *section)
{
	size_t n = strlen(table);

	return !strncmp(section, table, n) &&
	       (!section[n] || !strcmp(section + n, "6"));
}

char *obj_empty_name_error(struct arena *a, const char *section,
			   const char *key, const char *attr, size_t n)
{
	const struct empty_fix *f;
	const char *owner;

	for (f = fixes; f < fixes + sizeof(fixes) / sizeof(fixes[0]); f++) {
		if (!same_section(f->section, section) || strcmp(f->attr, attr))
			continue;
		owner = arena_printf(a, f->by_id ? "%s %s" : "%s \"%s\"",
				     f->owner, key);
		/* Others beside it: the list stands without the ''. */
		if (n > 1)
			return arena_printf(
				a, "%s: empty name \"\" in %s: leave it out",
				owner, attr);
		return arena_printf(a, "%s: empty %s \"\": %s", owner, attr,
				    f->fix);
	}
	return NULL;
}

bool obj_name_empty(struct resolver *r, const struct conf_section *sec,
		    const struct conf_entry *e, const char *attr,
		    const struct conf_word *w, size_t n)
{
	const char *msg;

	if (*w->text)
		return false;
	msg = obj_empty_name_error(r->a, sec->schema->path,
				   e->key ? e->key : "", attr, n);
	diag_error(r->dl, &w->loc, "%s",
		   msg ? msg :
			 arena_printf(r->a, "empty name \"\" in %s", attr));
	return true;
}
