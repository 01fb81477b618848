// SPDX-License-Identifier: GPL-2.0
#include "conf/tree.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "util/hash.h"

void conf_tree_init(struct conf_tree *t, struct arena *a)
{
	memset(t, 0, sizeof(*t));
	t->arena = a;
}

const char *conf_tree_vdom_at(const struct conf_tree *t,
			      const struct conf_loc *loc)
{
	const struct conf_vdom_span *v;

	if (!loc || !loc->src)
		return NULL;
	for (v = t->vdom_spans; v; v = v->next)
		if (v->src == loc->src && loc->line >= v->first &&
		    loc->line <= v->last)
			return v->name;
	return NULL;
}

const char *conf_tree_vdom(const struct conf_tree *t)
{
	return t->vdom ? t->vdom : "root";
}

struct conf_section *conf_section_get(struct conf_section *list,
				      const struct schema_section *s)
{
	for (; list; list = list->next)
		if (list->schema == s)
			return list;
	return NULL;
}

struct conf_section *conf_tree_section(const struct conf_tree *t,
				       const char *path)
{
	const struct schema_section *s = schema_find_section(path);

	return s ? conf_section_get(t->sections, s) : NULL;
}

static void index_insert(struct conf_section *sec, struct conf_entry *e)
{
	size_t i = hash_str(e->key) & (sec->index_size - 1);

	while (sec->index[i])
		i = (i + 1) & (sec->index_size - 1);
	sec->index[i] = e;
}

/* (Re)build the index and tail if stale or too small; tables only. */
static void index_refresh(struct conf_tree *t, struct conf_section *sec)
{
	struct conf_entry *e;
	size_t n = 0;

	if (!sec->index_dirty && sec->index &&
	    sec->nr_entries * 2 < sec->index_size)
		return;
	for (e = sec->entries; e; e = e->next) {
		n++;
		sec->tail = e;
	}
	if (!sec->entries)
		sec->tail = NULL;
	sec->nr_entries = n;
	if (!sec->index || n * 2 >= sec->index_size) {
		size_t size = 64;

		while (size <= n * 2)
			size *= 2;
		/* The old array stays in the arena; sizes double, so total is bounded. */
		sec->index = arena_alloc(t->arena, size * sizeof(*sec->index));
		sec->index_size = size;
	} else {
		memset(sec->index, 0, sec->index_size * sizeof(*sec->index));
	}
	for (e = sec->entries; e; e = e->next)
		if (e->key)
			index_insert(sec, e);
	sec->index_dirty = false;
}

static struct conf_entry *index_find(const struct conf_section *sec,
				     const char *key)
{
	size_t i = hash_str(key) & (sec->index_size - 1);

	for (; sec->index[i]; i = (i + 1) & (sec->index_size - 1))
		if (!strcmp(sec->index[i]->key, key))
			return sec->index[i];
	return NULL;
}

static void reindex_list(struct conf_tree *t, struct conf_section *sec)
{
	struct conf_entry *e;

	for (; sec; sec = sec->next) {
		if (sec->schema->key != SK_NONE)
			index_refresh(t, sec);
		for (e = sec->entries; e; e = e->next)
			reindex_list(t, e->subs);
	}
}

void conf_tree_reindex(struct conf_tree *t)
{
	reindex_list(t, t->sections);
}

struct conf_entry *conf_entry_get(const struct conf_section *sec,
				  const char *key)
{
	struct conf_entry *e;

	if (!sec)
		return NULL;
	if (!key)
		return sec->schema->key == SK_NONE ? sec->entries : NULL;
	if (sec->index && !sec->index_dirty)
		return index_find(sec, key);
	for (e = sec->entries; e; e = e->next)
		if (e->key && !strcmp(e->key, key))
			return e;
	return NULL;
}

struct conf_attr *conf_attr_get(const struct conf_entry *e, const char *name)
{
	struct conf_attr *a;

	for (a = e ? e->attrs : NULL; a; a = a->next)
		if (!strcmp(a->schema->name, name))
			return a;
	return NULL;
}

struct conf_section *conf_entry_sub(const struct conf_entry *e,
				    const char *name)
{
	struct conf_section *s;

	for (s = e ? e->subs : NULL; s; s = s->next)
		if (!strcmp(s->schema->path, name))
			return s;
	return NULL;
}

const char *conf_attr_str(const struct conf_entry *e, const char *name)
{
	struct conf_attr *a = conf_attr_get(e, name);

	return a && a->nr_vals ? a->vals[0].text : NULL;
}

struct conf_default {
	const struct schema_attr *sa;
	struct conf_word *words;
	size_t n;
};

/* Split a default ("0.0.0.0 0.0.0.0") into words, exactly sized. */
static struct conf_default split_default(struct conf_tree *t,
					 const struct schema_attr *sa,
					 const struct conf_loc *loc)
{
	struct conf_default d = { .sa = sa };
	const char *p, *q;
	size_t n = 1;

	for (p = sa->def; *p; p++)
		n += *p == ' ';
	d.words = arena_alloc(t->arena, n * sizeof(*d.words));
	for (p = sa->def; *p; p = q) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		q = strchr(p, ' ');
		if (!q)
			q = p + strlen(p);
		d.words[d.n].text = arena_strndup(t->arena, p, (size_t)(q - p));
		d.words[d.n++].loc = *loc;
	}
	return d;
}

/*
 * Defaults are looked up for every entry that does not set them (100k
 * addresses ask for `type` 100k times): split each once per tree.
 */
static struct conf_default *default_get(struct conf_tree *t,
					const struct schema_attr *sa,
					const struct conf_loc *loc)
{
	size_t mask, i;

	if (t->defaults_used * 2 >= t->defaults_size) {
		struct conf_default *old = t->defaults;
		size_t old_size = t->defaults_size, j;

		t->defaults_size = old_size ? old_size * 2 : 64;
		t->defaults = arena_alloc(
			t->arena, t->defaults_size * sizeof(*t->defaults));
		for (j = 0; j < old_size; j++) {
			if (!old[j].sa)
				continue;
			i = ((uintptr_t)old[j].sa >> 4) &
			    (t->defaults_size - 1);
			while (t->defaults[i].sa)
				i = (i + 1) & (t->defaults_size - 1);
			t->defaults[i] = old[j];
		}
	}
	mask = t->defaults_size - 1;
	for (i = ((uintptr_t)sa >> 4) & mask; t->defaults[i].sa;
	     i = (i + 1) & mask)
		if (t->defaults[i].sa == sa)
			return &t->defaults[i];
	t->defaults[i] = split_default(t, sa, loc);
	t->defaults_used++;
	return &t->defaults[i];
}

size_t conf_attr_words(struct conf_tree *t, const struct conf_section *sec,
		       const struct conf_entry *e, const char *name,
		       const struct conf_word **out)
{
	struct conf_attr *a = conf_attr_get(e, name);
	const struct schema_attr *sa;
	struct conf_default *d;

	if (a) {
		*out = a->vals;
		return a->nr_vals;
	}
	sa = sec ? schema_find_attr(sec->schema, name) : NULL;
	*out = NULL;
	if (!sa || !sa->def)
		return 0;
	d = default_get(t, sa, &sec->loc);
	*out = d->words;
	return d->n;
}

struct conf_section *conf_section_open(struct conf_tree *t,
				       struct conf_section **list,
				       const struct schema_section *s,
				       const struct conf_loc *loc)
{
	struct conf_section *sec = conf_section_get(*list, s), **pp;

	if (sec)
		return sec;
	sec = arena_alloc(t->arena, sizeof(*sec));
	sec->schema = s;
	sec->loc = *loc;
	for (pp = list; *pp; pp = &(*pp)->next)
		;
	*pp = sec;
	if (s->key == SK_NONE) {
		sec->entries = arena_alloc(t->arena, sizeof(*sec->entries));
		sec->entries->loc = *loc;
	}
	return sec;
}

struct conf_entry *conf_entry_open(struct conf_tree *t,
				   struct conf_section *sec, const char *key,
				   const struct conf_loc *loc)
{
	struct conf_entry *e;

	index_refresh(t, sec);
	e = index_find(sec, key);
	if (e)
		return e;
	e = arena_alloc(t->arena, sizeof(*e));
	e->key = arena_strdup(t->arena, key);
	e->loc = *loc;
	if (sec->tail)
		sec->tail->next = e;
	else
		sec->entries = e;
	sec->tail = e;
	sec->nr_entries++;
	index_insert(sec, e);
	return e;
}

struct conf_attr *conf_attr_set(struct conf_tree *t, struct conf_entry *e,
				const struct schema_attr *sa,
				const struct conf_loc *name_loc)
{
	struct conf_attr *a, **pp;

	for (pp = &e->attrs; *pp; pp = &(*pp)->next) {
		if ((*pp)->schema == sa) {
			a = *pp;
			a->nr_vals = 0;
			a->name_loc = *name_loc;
			return a;
		}
	}
	a = arena_alloc(t->arena, sizeof(*a));
	a->schema = sa;
	a->name_loc = *name_loc;
	*pp = a;
	return a;
}

void conf_attr_unset(struct conf_entry *e, const char *name)
{
	struct conf_attr **pp;

	for (pp = &e->attrs; *pp; pp = &(*pp)->next) {
		if (!strcmp((*pp)->schema->name, name)) {
			*pp = (*pp)->next;
			return;
		}
	}
}

static struct conf_entry **entry_link(struct conf_section *sec, const char *key)
{
	struct conf_entry **pp;

	for (pp = &sec->entries; *pp; pp = &(*pp)->next)
		if ((*pp)->key && !strcmp((*pp)->key, key))
			return pp;
	return NULL;
}

/* @e, just unlinked from @sec: kept on sec->gone if predefined. */
static void entry_gone(struct conf_section *sec, struct conf_entry *e)
{
	struct conf_entry **pp = &sec->gone;

	if (!e->factory)
		return;
	while (*pp) /* in the order deleted: a few at most */
		pp = &(*pp)->next;
	e->next = NULL;
	*pp = e;
}

bool conf_entry_delete(struct conf_section *sec, const char *key)
{
	struct conf_entry **pp = entry_link(sec, key), *e;

	if (!pp)
		return false;
	e = *pp;
	*pp = e->next;
	entry_gone(sec, e);
	sec->index_dirty = true;
	return true;
}

int conf_entry_rename(struct conf_tree *t, struct conf_section *sec,
		      const char *key, const char *to)
{
	struct conf_entry **pp = entry_link(sec, key);

	if (!pp)
		return -ENOENT;
	if (entry_link(sec, to))
		return -EEXIST;
	if ((*pp)->factory && !(*pp)->factory_key)
		(*pp)->factory_key = (*pp)->key;
	(*pp)->key = arena_strdup(t->arena, to);
	sec->index_dirty = true;
	return 0;
}

void conf_section_purge(struct conf_section *sec)
{
	struct conf_entry *e = sec->entries, *next;

	for (; e; e = next) {
		next = e->next;
		entry_gone(sec, e);
	}
	sec->entries = NULL;
	sec->index_dirty = true;
}

int conf_entry_move(struct conf_section *sec, const char *key, const char *ref,
		    bool after)
{
	struct conf_entry **pp = entry_link(sec, key), **rp, *e;

	if (!pp || !entry_link(sec, ref))
		return -ENOENT;
	if (!strcmp(key, ref))
		return 0;
	e = *pp;
	*pp = e->next;
	rp = entry_link(sec, ref);
	if (after)
		rp = &(*rp)->next;
	e->next = *rp;
	*rp = e;
	sec->index_dirty = true;
	return 0;
}
