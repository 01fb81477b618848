// SPDX-License-Identifier: GPL-2.0
/*
 * The reference attributes of the config and the walk over the values
 * that name one entry (conf/refs.h).
 */
#include <stdio.h>
#include <string.h>

#include "conf/refs.h"

const struct conf_ref_attr conf_refs[] = {
	{ "firewall local-in-policy",
	  "srcaddr",
	  { "firewall address", "firewall addrgrp" },
	  false },
	{ "firewall local-in-policy",
	  "dstaddr",
	  { "firewall address", "firewall addrgrp" },
	  false },
	{ "firewall local-in-policy6",
	  "srcaddr",
	  { "firewall address6", "firewall addrgrp6" },
	  false },
	{ "firewall local-in-policy6",
	  "dstaddr",
	  { "firewall address6", "firewall addrgrp6" },
	  false },
	{ "firewall local-in-policy",
	  "service",
	  { "firewall service custom", "firewall service group" },
	  false },
	{ "firewall local-in-policy6",
	  "service",
	  { "firewall service custom", "firewall service group" },
	  false },
	{ "firewall local-in-policy",
	  "schedule",
	  { "firewall schedule onetime", "firewall schedule recurring",
	    "firewall schedule group" },
	  false },
	{ "firewall local-in-policy6",
	  "schedule",
	  { "firewall schedule onetime", "firewall schedule recurring",
	    "firewall schedule group" },
	  false },
	{ "firewall addrgrp",
	  "member",
	  { "firewall address", "firewall addrgrp" },
	  false },
	{ "firewall addrgrp",
	  "exclude-member",
	  { "firewall address", "firewall addrgrp" },
	  false },
	{ "firewall addrgrp6",
	  "member",
	  { "firewall address6", "firewall addrgrp6" },
	  false },
	{ "firewall addrgrp6",
	  "exclude-member",
	  { "firewall address6", "firewall addrgrp6" },
	  false },
	{ "firewall service group",
	  "member",
	  { "firewall service custom", "firewall service group" },
	  false },
	{ "firewall schedule group",
	  "member",
	  { "firewall schedule onetime", "firewall schedule recurring" },
	  false },
	/* Loose ones */
	{ "firewall local-in-policy",
	  "intf",
	  { "system zone", "system interface", "system sdwan zone" },
	  true },
	{ "firewall local-in-policy6",
	  "intf",
	  { "system zone", "system interface", "system sdwan zone" },
	  true },
	{ "system zone", "interface", { "system interface" }, true },
	{ "firewall address", "interface", { "system interface" }, true },
	/* SD-WAN's tables, inside its singleton (conf_ref_section()) */
	{ "system sdwan members", "zone", { "system sdwan zone" }, true },
	{ "system sdwan members", "interface", { "system interface" }, true },
};

const size_t conf_nr_refs = sizeof(conf_refs) / sizeof(conf_refs[0]);

struct conf_section *conf_ref_section(struct conf_tree *t, const char *path)
{
	const char *sub = strrchr(path, ' ');
	const struct conf_section *top;
	char name[64];

	if (schema_find_section(path) || !sub)
		return conf_tree_section(t, path);
	/* "system sdwan zone": the table zone of the singleton system sdwan */
	snprintf(name, sizeof(name), "%.*s", (int)(sub - path), path);
	top = conf_tree_section(t, name);
	if (!top || !top->entries || top->schema->key != SK_NONE)
		return NULL;
	return conf_entry_sub(top->entries, sub + 1);
}

int conf_each_ref(struct conf_tree *t, const char *path, const char *key,
		  const char *skip,
		  void (*fn)(struct conf_tree *t, struct conf_entry *e,
			     struct conf_word *v, const struct conf_ref_attr *r,
			     void *ctx),
		  void *ctx)
{
	int found = 0;

	for (size_t i = 0; i < conf_nr_refs; i++) {
		const struct conf_ref_attr *r = &conf_refs[i];
		struct conf_section *sec;
		bool names = false;

		for (int j = 0; j < 3 && r->to[j]; j++)
			names |= !strcmp(r->to[j], path);
		if (!names || (skip && !strcmp(skip, r->sec)))
			continue;
		sec = conf_ref_section(t, r->sec);
		for (struct conf_entry *e = sec ? sec->entries : NULL; e;
		     e = e->next) {
			struct conf_attr *a = conf_attr_get(e, r->attr);
			const struct schema_attr *sa;

			/* An SD-WAN member in the default zone names it too */
			sa = a ? NULL : schema_find_attr(sec->schema, r->attr);
			if (sa && sa->def && !strcmp(sa->def, key)) {
				if (fn)
					fn(t, e, NULL, r, ctx);
				found++;
			}
			for (size_t v = 0; a && v < a->nr_vals; v++) {
				if (strcmp(a->vals[v].text, key))
					continue;
				if (fn)
					fn(t, e, &a->vals[v], r, ctx);
				found++;
			}
		}
	}
	return found;
}

struct ref_rename {
	const char *to;
	/*
	 * The entry renamed is a predefined one: `show` prints its rename,
	 * which, read again, carries a predefined group's member along as
	 * here. Only a rename of one of the admin's needs the group printed.
	 */
	bool printed;
};

static void rename_ref(struct conf_tree *t, struct conf_entry *e,
		       struct conf_word *v, const struct conf_ref_attr *r,
		       void *ctx)
{
	const struct ref_rename *rn = ctx;
	bool was_default = !v;

	if (!v) {
		/* named by default: it names the new name now, said */
		const struct conf_section *sec = conf_ref_section(t, r->sec);
		struct conf_attr *a = conf_attr_set(
			t, e, schema_find_attr(sec->schema, r->attr), &e->loc);

		a->vals = arena_alloc(t->arena, sizeof(*a->vals));
		a->vals[0] =
			(struct conf_word){ .loc = e->loc, .quoted = true };
		a->nr_vals = a->cap_vals = 1;
		v = &a->vals[0];
	}
	v->text = arena_strdup(t->arena, rn->to);
	/* show prints the entry, unless the rename it follows is printed */
	if (was_default || !rn->printed)
		e->touched = true;
}

int conf_ref_rename(struct conf_tree *t, const char *path, const char *key,
		    const char *to)
{
	struct conf_section *sec = conf_ref_section(t, path);
	const struct conf_entry *e = NULL;
	struct ref_rename rn = { .to = to };

	/* by its new name; or by its old one, as the console's abort calls */
	if (sec) {
		e = conf_entry_get(sec, to);
		if (!e)
			e = conf_entry_get(sec, key);
	}
	rn.printed = e && e->factory;
	return conf_each_ref(t, path, key, NULL, rename_ref, &rn);
}

static void touch_ref(struct conf_tree *t, struct conf_entry *e,
		      struct conf_word *v, const struct conf_ref_attr *r,
		      void *ctx)
{
	e->touched = true;
}

void conf_ref_gone(struct conf_tree *t, const char *path,
		   const struct conf_entry *e)
{
	if (e->factory_key && strcmp(e->factory_key, e->key))
		conf_each_ref(t, path, e->key, NULL, touch_ref, NULL);
}
