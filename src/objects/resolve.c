// SPDX-License-Identifier: GPL-2.0
/*
 * The resolver's driver: name tables, attribute access, group cycle
 * detection, the passes in dependency order (interfaces before the
 * addresses that name them, objects before the policies and groups that
 * reference them), then the warnings that need the whole picture.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/base64.h"
#include "util/hash.h"
#include "objects/internal.h"

void obj_names_init(struct name_table *nt, struct arena *a, size_t expect)
{
	size_t cap = 16;

	while (cap < expect * 2)
		cap *= 2;
	nt->slots = arena_alloc(a, cap * sizeof(*nt->slots));
	nt->mask = cap - 1;
	nt->nr = 0;
}

static struct name_slot *name_table_slot(const struct name_table *nt,
					 const char *name)
{
	size_t i = hash_str(name) & nt->mask;

	while (nt->slots[i].name && strcmp(nt->slots[i].name, name))
		i = (i + 1) & nt->mask;
	return &nt->slots[i];
}

void *obj_names_get(const struct name_table *nt, const char *name)
{
	return name_table_slot(nt, name)->obj;
}

void *obj_names_put(struct name_table *nt, struct arena *a, const char *name,
		    void *obj)
{
	struct name_slot *s = name_table_slot(nt, name);

	if (s->name)
		return s->obj;
	s->name = name;
	s->obj = obj;
	/* Keep the load under one half so probes stay short. */
	if (++nt->nr * 2 > nt->mask + 1) {
		struct name_table bigger;
		size_t i;

		obj_names_init(&bigger, a, nt->nr * 2);
		for (i = 0; i <= nt->mask; i++) {
			if (nt->slots[i].name)
				*name_table_slot(&bigger, nt->slots[i].name) =
					nt->slots[i];
		}
		bigger.nr = nt->nr;
		*nt = bigger;
	}
	return NULL;
}

size_t obj_words(struct resolver *r, const struct conf_section *sec,
		 const struct conf_entry *e, const char *name,
		 const struct conf_word **out)
{
	*out = NULL;
	return conf_attr_words(r->t, sec, e, name, out);
}

const struct conf_word *obj_word(struct resolver *r,
				 const struct conf_section *sec,
				 const struct conf_entry *e, const char *name)
{
	const struct conf_word *w;

	return obj_words(r, sec, e, name, &w) ? w : NULL;
}

bool obj_word_is(struct resolver *r, const struct conf_section *sec,
		 const struct conf_entry *e, const char *name, const char *val)
{
	const struct conf_word *w = obj_word(r, sec, e, name);

	return w && !strcmp(w->text, val);
}

void obj_warn_relative(struct resolver *r, const struct conf_word *w,
		       const char *what)
{
	if (w && *w->text && w->text[0] != '/')
		diag_warn(
			r->dl, &w->loc,
			"%s \"%s\" is relative: the daemon reads it from / (its working directory), check and replay from the current one; give the absolute path",
			what, w->text);
}

char *obj_join(struct resolver *r, const struct conf_word *w, size_t n)
{
	size_t i, len = 0;
	char *s, *p;

	for (i = 0; i < n; i++)
		len += strlen(w[i].text) + 1;
	s = p = arena_alloc(r->a, len + 1);
	for (i = 0; i < n; i++) {
		if (i)
			*p++ = ' ';
		strcpy(p, w[i].text);
		p += strlen(p);
	}
	return s;
}

const char *obj_password(struct resolver *r, const struct conf_section *sec,
			 const struct conf_entry *e, const char *what,
			 bool printable, const char *then, bool *refused)
{
	const struct conf_word *w;
	size_t n = obj_words(r, sec, e, "password", &w), i;
	char *clear;
	long len;

	*refused = false;
	if (!n)
		return NULL;
	if (strcmp(w[0].text, "ENC"))
		return obj_join(r, w, n);
	clear = n == 2 ? arena_alloc(r->a, strlen(w[1].text) + 1) : NULL;
	len = clear ? base64_decode(w[1].text, clear) : -1;
	for (i = 0; len > 0 && i < (size_t)len; i++)
		if (printable ? clear[i] < 0x20 || clear[i] > 0x7e : !clear[i])
			len = -1;
	if (len <= 0) {
		struct conf_loc loc = obj_span(w, n);

		diag_warn(
			r->dl, &loc,
			"%s password: this ENC value is not one localin wrote (a FortiGate's encrypted password cannot be read here); %s: set the password in clear",
			what, then);
		*refused = true;
		return NULL;
	}
	return clear;
}

struct conf_loc obj_span(const struct conf_word *w, size_t n)
{
	return n > 1 ? conf_loc_span(&w[0].loc, &w[n - 1].loc) : w[0].loc;
}

struct conf_loc obj_attr_loc(const struct conf_entry *e, const char *name)
{
	const struct conf_attr *a = conf_attr_get(e, name);

	return a ? a->name_loc : e->loc;
}

bool obj_loc_is_user(const struct conf_loc *loc)
{
	return loc->src && !loc->src->builtin;
}

#define CYCLE_SHOWN 4 /* groups printed at each end of a long cycle */

/*
 * "a" -> "b" -> "a" for the @n groups of @path; a long cycle keeps its
 * ends and says how many it left out, so the message stays readable.
 */
static char *cycle_path(struct resolver *r, const struct graph_node *nodes,
			const size_t *path, size_t n)
{
	size_t i, len = strlen(nodes[path[0]].name) + 32, elided = 0;
	char *msg, *p;

	if (n > 2 * CYCLE_SHOWN + 1)
		elided = n - 2 * CYCLE_SHOWN;
	for (i = 0; i < n; i++) {
		if (!elided || i < CYCLE_SHOWN || i >= n - CYCLE_SHOWN)
			len += strlen(nodes[path[i]].name) + 6;
	}
	p = msg = arena_alloc(r->a, len);
	for (i = 0; i < n; i++) {
		if (elided && i == CYCLE_SHOWN)
			p += sprintf(p, "... (%zu more) -> ", elided);
		if (!elided || i < CYCLE_SHOWN || i >= n - CYCLE_SHOWN)
			p += sprintf(p, "\"%s\" -> ", nodes[path[i]].name);
	}
	sprintf(p, "\"%s\"", nodes[path[0]].name);
	return msg;
}

/*
 * Iterative depth-first search: nesting depth is the admin's to choose
 * (and the fuzzer's), so recursion could overflow the stack.
 */
size_t obj_find_cycles(struct resolver *r, struct graph_node *nodes, size_t nr,
		       const char *what)
{
	enum { NEW, ON_STACK, DONE };
	unsigned char *state = arena_alloc(r->a, nr ? nr : 1);
	size_t *stack = arena_alloc(r->a, (nr ? nr : 1) * sizeof(*stack));
	size_t *next = arena_alloc(r->a, (nr ? nr : 1) * sizeof(*next));
	size_t root, depth, found = 0;

	for (root = 0; root < nr; root++) {
		if (state[root] != NEW)
			continue;
		depth = 0;
		stack[depth++] = root;
		state[root] = ON_STACK;
		while (depth) {
			size_t u = stack[depth - 1], v, i;
			struct graph_edge *edge;
			char *msg;

			if (next[u] == nodes[u].nr_edges) {
				state[u] = DONE;
				depth--;
				continue;
			}
			edge = &nodes[u].edges[next[u]++];
			v = edge->to;
			if (v == SIZE_MAX)
				continue;
			if (state[v] == NEW) {
				state[v] = ON_STACK;
				stack[depth++] = v;
				continue;
			}
			if (state[v] == DONE)
				continue;
			/* Back edge: the path is v ... u on the stack, then v. */
			for (i = depth - 1; stack[i] != v; i--)
				;
			msg = cycle_path(r, nodes, stack + i, depth - i);
			diag_error(r->dl, edge->loc, "%s cycle: %s", what, msg);
			edge->cut = true;
			found++;
		}
	}
	return found;
}

static const char *addr_kind(const struct obj_addr *a)
{
	return a->type == ADDR_GROUP ? "address group" : "address";
}

/*
 * An object nothing refers to is usually a typo elsewhere or a leftover.
 * "Refers" means a policy or a group names it: a member of an unused group
 * is not reported, the group is, so fixing one warning never uncovers
 * another.
 */
/*
 * One warning per unused object, except in a full backup: there the
 * sections localin skipped (firewall policy, vpn, ...) may well use them,
 * and hundreds of warnings would bury the ones that matter, so they are
 * counted into one line instead.
 */
static void unused(struct resolver *r, const struct conf_loc *loc,
		   const char *kind, const char *name, unsigned int *counted)
{
	if (r->t->nr_skipped)
		(*counted)++;
	else
		diag_warn(r->dl, loc, "%s \"%s\" is never used", kind, name);
}

static void warn_unused(struct resolver *r)
{
	struct obj_config *cfg = r->cfg;
	unsigned int counted = 0;
	size_t i;

	for (i = 0; i < cfg->nr_addrs; i++) {
		struct obj_addr *a = cfg->addrs[i];

		/* A feed may serve firewall policies localin skips. */
		if (!a->builtin && !a->refs && !a->unsupported &&
		    a->type != ADDR_FEED)
			unused(r, &a->loc, addr_kind(a), a->name, &counted);
	}
	for (i = 0; i < cfg->nr_services; i++) {
		struct obj_service *s = cfg->services[i];

		if (!s->builtin && !s->refs && !s->unsupported)
			unused(r, &s->loc,
			       s->is_group ? "service group" : "service",
			       s->name, &counted);
	}
	for (i = 0; i < cfg->nr_schedules; i++) {
		struct obj_schedule *s = cfg->schedules[i];

		if (!s->builtin && !s->refs)
			unused(r, &s->loc,
			       s->type == SCHED_GROUP ? "schedule group" :
							"schedule",
			       s->name, &counted);
	}
	if (counted)
		diag_warn(
			r->dl, NULL,
			"%u object%s used by no local-in policy (not listed one by one: sections localin skipped may use them)",
			counted, counted == 1 ? " is" : "s are");
}

static size_t section_size(const struct conf_tree *t, const char *path)
{
	const struct conf_section *sec = conf_tree_section(t, path);

	return sec ? sec->nr_entries : 0;
}

int objects_resolve(struct conf_tree *t, struct obj_config *cfg,
		    struct diag_list *dl)
{
	struct resolver r = {
		.t = t,
		.cfg = cfg,
		.dl = dl,
		.a = t->arena,
	};
	unsigned int errors = dl->errors;

	memset(cfg, 0, sizeof(*cfg));
	cfg->arena = t->arena;
	cfg->detect_unknown_esp = true;
	cfg->vdom = t->multi_vdom ? conf_tree_vdom(t) : NULL;
	cfg->sa_grace_s = 30;
	/* Sized from the tree: growing would leave old tables in the arena. */
	obj_names_init(&r.addr[0], r.a,
		       section_size(t, "firewall address") +
			       section_size(t, "firewall addrgrp"));
	obj_names_init(&r.addr[1], r.a,
		       section_size(t, "firewall address6") +
			       section_size(t, "firewall addrgrp6"));
	obj_names_init(&r.svc, r.a, 128);
	obj_names_init(&r.sched, r.a, 16);
	obj_names_init(&r.intf, r.a, 16);
	obj_names_init(&r.zone, r.a, 16);

	obj_resolve_system(&r);
	obj_resolve_log_disk(&r);
	obj_resolve_alertmail(&r);
	obj_resolve_syslogd(&r);
	obj_resolve_dyn(&r);
	obj_resolve_addresses(&r);
	obj_resolve_services(&r);
	obj_resolve_schedules(&r);
	obj_resolve_zones(&r);
	obj_resolve_policies(&r);
	obj_warn_services_not_enforced(&r);
	obj_warn_addresses_stray(&r);
	obj_resolve_geography(&r);
	warn_unused(&r);
	return dl->errors > errors ? -EINVAL : 0;
}

struct obj_addr *objects_find_addr(const struct obj_config *cfg, int family,
				   const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nr_addrs; i++) {
		if (cfg->addrs[i]->family == family &&
		    !strcmp(cfg->addrs[i]->name, name))
			return cfg->addrs[i];
	}
	return NULL;
}

struct obj_service *objects_find_service(const struct obj_config *cfg,
					 const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nr_services; i++) {
		if (!strcmp(cfg->services[i]->name, name))
			return cfg->services[i];
	}
	return NULL;
}

struct obj_schedule *objects_find_schedule(const struct obj_config *cfg,
					   const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nr_schedules; i++) {
		if (!strcmp(cfg->schedules[i]->name, name))
			return cfg->schedules[i];
	}
	return NULL;
}
