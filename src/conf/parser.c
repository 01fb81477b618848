// SPDX-License-Identifier: GPL-2.0
#include "conf/parser.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/lexer.h"
#include "conf/refs.h"
#include "conf/value.h"

#define MAX_DEPTH 16

enum frame_kind {
	F_SECTION, /* inside `config` of a known section */
	F_ENTRY,   /* inside `edit` */
	F_SKIP,	   /* inside a section localin does not know */
	/* Multi-VDOM backups: what holds the sections instead of the top. */
	F_GLOBAL, /* inside `config global`: global sections */
	F_VDOMS,  /* inside `config vdom`: one `edit NAME` per VDOM */
	F_VDOM,	  /* inside `edit NAME` of `config vdom` (ignore: not ours) */
};

struct frame {
	enum frame_kind kind;
	struct conf_section *sec;
	struct conf_entry *entry;    /* F_ENTRY, or the singleton's body */
	struct conf_loc loc;	     /* the `config` or `edit` word */
	bool ignore;		     /* F_ENTRY whose edit failed */
	unsigned int nested;	     /* F_SKIP: nested config blocks */
	struct conf_vdom_span *span; /* F_VDOM */
};

struct skipped_sub {
	const struct schema_section *parent;
	const char *name;
};

struct parser {
	struct conf_tree *t;
	struct diag_list *dl;
	bool builtin;
	/*
	 * The source is a FortiGate backup (its first line is the
	 * `#config-version=` header): the device restores it over an empty
	 * config, so a predefined object's block is the whole object.
	 */
	bool restore;
	struct frame stack[MAX_DEPTH];
	int depth;
	unsigned int overflow; /* config blocks open beyond MAX_DEPTH */
	/*
	 * Nested sections skipped and said once (parent section, name): a
	 * backup has `config secondaryip` in many interfaces.
	 */
	struct skipped_sub *skipped;
	size_t nr_skipped, cap_skipped;
};

/* Is this nested section skipped for the first time? Remembers it. */
static bool first_skip(struct parser *p, const struct schema_section *parent,
		       const char *name)
{
	size_t i;

	for (i = 0; i < p->nr_skipped; i++)
		if (p->skipped[i].parent == parent &&
		    !strcmp(p->skipped[i].name, name))
			return false;
	*ARENA_PUSH(p->t->arena, p->skipped, p->nr_skipped, p->cap_skipped) =
		(struct skipped_sub){ parent, arena_strdup(p->t->arena, name) };
	return true;
}

static struct frame *top(struct parser *p)
{
	return p->depth ? &p->stack[p->depth - 1] : NULL;
}

static struct frame *push_frame(struct parser *p, enum frame_kind kind,
				const struct conf_loc *loc)
{
	struct frame *f = &p->stack[p->depth++];

	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->loc = *loc;
	return f;
}

/* The entry `set` and friends act on: an edit, or a singleton's body. */
static struct conf_entry *target_entry(struct parser *p, struct frame **fp)
{
	struct frame *f = top(p);

	*fp = f;
	if (!f)
		return NULL;
	if (f->kind == F_ENTRY)
		return f->entry;
	if (f->kind == F_SECTION && f->sec->schema->key == SK_NONE)
		return f->sec->entries;
	return NULL;
}

static char *join_words(struct arena *a, const struct conf_word *w, size_t n)
{
	size_t len = 0, i;
	char *s;

	for (i = 0; i < n; i++)
		len += strlen(w[i].text) + 1;
	s = arena_alloc(a, len + 1);
	for (i = 0; i < n; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, w[i].text);
	}
	return s;
}

static void mark_touched(struct parser *p, struct conf_entry *e)
{
	if (!p->builtin)
		e->touched = true;
}

/*
 * An error inside an entry may have left a value unset: mark the entry so
 * the resolver does not follow up with "X is required".
 */
static void mark_broken(struct parser *p)
{
	struct frame *f;
	struct conf_entry *e = target_entry(p, &f);

	if (e)
		e->broken = true;
}

/* A frame whose `config` blocks are top-level sections. */
static bool holds_sections(const struct frame *f)
{
	return !f || f->kind == F_GLOBAL || (f->kind == F_VDOM && !f->ignore);
}

/* `config global` and `config vdom` of a multi-VDOM backup, at the top. */
static bool vdom_config(struct parser *p, struct conf_word *w, size_t n)
{
	enum frame_kind kind;

	if (top(p) || n != 2 || w[1].quoted)
		return false;
	if (!strcmp(w[1].text, "global"))
		kind = F_GLOBAL;
	else if (!strcmp(w[1].text, "vdom"))
		kind = F_VDOMS;
	else
		return false;
	p->t->multi_vdom = true;
	push_frame(p, kind, &w[0].loc);
	return true;
}

/* `edit NAME` inside `config vdom`: that VDOM's sections follow. */
static void vdom_edit(struct parser *p, struct conf_word *w, size_t n)
{
	struct conf_tree *t = p->t;
	struct conf_vdom_span *v;
	struct frame *nf;
	size_t i;

	nf = push_frame(p, F_VDOM, n > 1 ? &w[1].loc : &w[0].loc);
	if (n != 2 || !*w[1].text) {
		diag_error(p->dl, n > 2 ? &w[2].loc : &w[0].loc,
			   n > 2 ? "edit takes one name" :
				   "edit needs a VDOM name");
		nf->ignore = true;
		return;
	}
	for (i = 0; i < t->nr_vdom_names; i++)
		if (!strcmp(t->vdom_names[i], w[1].text))
			break;
	if (i == t->nr_vdom_names)
		*ARENA_PUSH(t->arena, t->vdom_names, t->nr_vdom_names,
			    t->cap_vdom_names) =
			arena_strdup(t->arena, w[1].text);
	v = arena_alloc(t->arena, sizeof(*v));
	v->name = t->vdom_names[i];
	v->src = w[1].loc.src;
	v->first = v->last = w[1].loc.line;
	v->next = t->vdom_spans;
	t->vdom_spans = v;
	nf->span = v;
	nf->ignore = strcmp(w[1].text, conf_tree_vdom(t)) != 0;
}

/* The `next` or `end` that closes a VDOM's block. */
static void vdom_close(struct parser *p, const struct conf_word *w)
{
	struct frame *f = top(p);

	if (f->span)
		f->span->last = w[0].loc.line;
	p->depth--;
}

/*
 * A section localin does not know but that is a few letters away from
 * one it enforces is a typo, not a FortiOS section to skip: silently
 * skipped, `config firewall local-in-polcy` would leave no policy.
 */
static bool misspelled(struct parser *p, struct conf_word *w, size_t n,
		       const char *path)
{
	const struct schema_section *s = schema_suggest_section(path);
	struct conf_loc l;

	if (!s || p->builtin)
		return false;
	l = conf_loc_span(&w[1].loc, &w[n - 1].loc);
	diag_error(p->dl, &l, "unknown section \"%s\"; did you mean \"%s\"?",
		   path, s->path);
	push_frame(p, F_SKIP, &w[0].loc);
	return true;
}

static void do_config(struct parser *p, struct conf_word *w, size_t n)
{
	struct frame *f = top(p), *nf;
	const struct schema_section *s = NULL;
	struct conf_section **list = &p->t->sections;
	struct conf_entry *e = NULL;
	char *path;

	if (f && f->kind == F_SKIP) {
		f->nested++;
		return;
	}
	if (vdom_config(p, w, n))
		return;
	if (f && (f->kind == F_VDOMS || (f->kind == F_VDOM && f->ignore))) {
		/* Another VDOM's sections (or a stray block): not ours. */
		if (f->kind == F_VDOMS)
			diag_error(
				p->dl, &w[0].loc,
				"config inside \"config vdom\" (expected edit <vdom>)");
		push_frame(p, F_SKIP, &w[0].loc);
		return;
	}
	/* One frame stays free for an edit inside the deepest section. */
	if (p->overflow || p->depth >= MAX_DEPTH - 1) {
		/* No frame left: count the blocks, their contents are lost. */
		if (!p->overflow++)
			diag_error(p->dl, &w[0].loc,
				   "config nested more than %d deep",
				   MAX_DEPTH);
		return;
	}
	if (n < 2) {
		diag_error(p->dl, &w[0].loc, "config needs a section name");
		push_frame(p, F_SKIP, &w[0].loc);
		return;
	}
	/*
	 * `config ''` (an empty template variable) names no section: not one
	 * of FortiOS's that localin skips with a warning, and its entries
	 * (local-in policies, perhaps) would be lost.
	 */
	for (size_t i = 1; i < n; i++) {
		if (*w[i].text)
			continue;
		diag_error(p->dl, &w[i].loc,
			   "config needs a section name, not \"\"");
		push_frame(p, F_SKIP, &w[0].loc);
		return;
	}
	path = join_words(p->t->arena, w + 1, n - 1);
	if (!holds_sections(f)) {
		e = target_entry(p, &f);
		if (!e) {
			diag_error(p->dl, &w[0].loc,
				   "config \"%s\" outside edit", path);
			push_frame(p, F_SKIP, &w[0].loc);
			return;
		}
		if (f->kind == F_ENTRY && f->ignore) {
			push_frame(p, F_SKIP, &w[0].loc);
			return;
		}
		s = schema_find_sub(f->sec->schema, path);
		list = &e->subs;
	} else {
		s = schema_find_section(path) ?: schema_abbrev_section(path);
		if (!s && misspelled(p, w, n, path))
			return;
	}
	if (!s) {
		struct conf_loc l = conf_loc_span(&w[1].loc, &w[n - 1].loc);

		p->t->nr_skipped++;
		if (!e && !p->builtin)
			diag_warn(
				p->dl, &l,
				"section \"%s\" is not used by localin, skipped",
				path);
		else if (!p->builtin && !f->sec->schema->open &&
			 first_skip(p, f->sec->schema, path))
			diag_warn(
				p->dl, &l,
				"section \"%s\" is not used by localin, skipped (said once for every %s entry)",
				path, f->sec->schema->path);
		push_frame(p, F_SKIP, &w[0].loc);
		return;
	}
	if (e)
		mark_touched(p, e);
	p->t->nr_blocks++;
	nf = push_frame(p, F_SECTION, &w[0].loc);
	nf->sec = conf_section_open(p->t, list, s, &w[0].loc);
	nf->entry = nf->sec->entries;
}

/* Next free id for `edit 0`: one above the highest in use. */
static unsigned long next_free_id(const struct conf_section *sec)
{
	const struct conf_entry *e;
	unsigned long max = 0;
	uint32_t v;

	for (e = sec->entries; e; e = e->next)
		if (e->key && parse_u32(e->key, UINT32_MAX, &v) && v > max)
			max = v;
	return max + 1;
}

const char *conf_edit_key(const struct conf_section *sec,
			  const struct conf_word *w, char *buf, size_t size,
			  struct diag_list *dl)
{
	const struct schema_section *s = sec->schema;
	uint32_t id;

	if (s->key == SK_ID) {
		if (!parse_u32(w->text, UINT32_MAX, &id)) {
			diag_error(dl, &w->loc,
				   "invalid id \"%s\" (expected 0-4294967295)",
				   w->text);
			return NULL;
		}
		if (!id && next_free_id(sec) > UINT32_MAX) {
			diag_error(dl, &w->loc,
				   "edit 0: no free id after 4294967295");
			return NULL;
		}
		snprintf(buf, size, "%lu",
			 id ? (unsigned long)id : next_free_id(sec));
		return buf;
	}
	if (!*w->text) {
		diag_error(dl, &w->loc, "empty name");
		return NULL;
	}
	if (s->max_key_len && strlen(w->text) > s->max_key_len) {
		diag_error(dl, &w->loc,
			   "name \"%s\" is longer than %u characters", w->text,
			   s->max_key_len);
		return NULL;
	}
	return w->text;
}

/*
 * A backup's first block of a predefined object starts from the schema's
 * defaults, not the built-in values: FortiOS writes the object as it is,
 * omitting what is at the default, so an `unset tcp-portrange` on the
 * device's DNS leaves `set udp-portrange 53` alone in the backup, which
 * means UDP 53 only. Later blocks of the same object continue it.
 */
static void restore_entry(struct parser *p, struct conf_entry *e)
{
	/* An object with nothing to reset (schedule "none") is unchanged. */
	if (e->attrs || e->subs)
		mark_touched(p, e);
	e->attrs = NULL;
	e->subs = NULL;
	e->restored = true;
}

static void do_edit(struct parser *p, struct conf_word *w, size_t n)
{
	struct frame *f = top(p), *nf;
	const char *key;
	char buf[16];

	if (f && f->kind == F_SKIP)
		return;
	if (f && f->kind == F_VDOM) {
		diag_error(p->dl, &w[0].loc,
			   "edit inside edit \"%s\" (missing \"next\"?)",
			   f->span ? f->span->name : "?");
		vdom_close(p, w);
		f = top(p);
	}
	if (f && f->kind == F_VDOMS) {
		vdom_edit(p, w, n);
		return;
	}
	if (f && f->kind == F_ENTRY) {
		diag_error(p->dl, &w[0].loc,
			   "edit inside edit \"%s\" (missing \"next\"?)",
			   f->entry ? f->entry->key : "?");
		if (f->entry)
			f->entry->broken = true;
		p->depth--;
		f = top(p);
	}
	if (!f || !f->sec || f->sec->schema->key == SK_NONE) {
		if (f && f->sec)
			diag_error(
				p->dl, &w[0].loc,
				"edit in a section without entries (config %s)",
				f->sec->schema->path);
		else
			diag_error(p->dl, &w[0].loc, "edit outside config");
		nf = push_frame(p, F_ENTRY, &w[0].loc);
		nf->ignore = true;
		return;
	}
	nf = push_frame(p, F_ENTRY, n > 1 ? &w[1].loc : &w[0].loc);
	nf->sec = f->sec;
	if (n != 2) {
		diag_error(p->dl, n > 2 ? &w[2].loc : &w[0].loc,
			   n > 2 ? "edit takes one name" : "edit needs a name");
		nf->ignore = true;
		return;
	}
	key = conf_edit_key(f->sec, &w[1], buf, sizeof(buf), p->dl);
	if (!key) {
		nf->ignore = true;
		return;
	}
	nf->entry = conf_entry_get(f->sec, key);
	if (nf->entry && nf->entry->block == p->t->nr_blocks && !p->builtin)
		diag_warn(
			p->dl, &w[1].loc,
			"\"%s\" edited twice in this block; the second edit continues the first (line %u)",
			key, nf->entry->loc.line);
	if (!nf->entry) {
		nf->entry = conf_entry_open(p->t, f->sec, key, &w[1].loc);
		nf->entry->factory = p->builtin;
	} else if (p->restore && nf->entry->factory && !nf->entry->restored) {
		restore_entry(p, nf->entry);
	}
	nf->entry->block = p->t->nr_blocks;
}

static void do_next(struct parser *p, struct conf_word *w, size_t n)
{
	struct frame *f = top(p);

	if (f && f->kind == F_SKIP)
		return;
	if (f && f->kind == F_VDOM) {
		vdom_close(p, w);
		return;
	}
	if (!f || f->kind != F_ENTRY) {
		diag_error(p->dl, &w[0].loc, "next outside edit");
		return;
	}
	p->depth--;
}

static void do_end(struct parser *p, struct conf_word *w, size_t n)
{
	struct frame *f = top(p);

	if (p->overflow) {
		p->overflow--;
		return;
	}
	if (!f) {
		diag_error(p->dl, &w[0].loc, "end outside config");
		return;
	}
	if (f->kind == F_SKIP && f->nested) {
		f->nested--;
		return;
	}
	/* FortiOS lets `end` close an open edit and its section together. */
	if (f->kind == F_ENTRY || f->kind == F_VDOM) {
		if (f->kind == F_VDOM)
			vdom_close(p, w);
		else
			p->depth--;
		f = top(p);
		if (!f || f->kind == F_ENTRY)
			return; /* the edit was outside any config */
	}
	p->depth--;
}

static const struct schema_attr *find_attr(struct parser *p, struct frame *f,
					   const struct conf_word *w)
{
	const struct schema_attr *sa =
		schema_find_attr(f->sec->schema, w->text);

	if (!sa && !f->sec->schema->open)
		diag_error(p->dl, &w->loc,
			   "unknown attribute \"%s\" in config %s", w->text,
			   f->sec->schema->path);
	return sa;
}

/*
 * What set, unset, append, select, unselect and clear have in common: the
 * entry they act on and the attribute they name. NULL when there is none
 * (the error, if any, is queued).
 */
static const struct schema_attr *attr_target(struct parser *p,
					     struct conf_word *w, size_t n,
					     struct conf_entry **ep)
{
	const struct schema_attr *sa;
	struct frame *f;

	*ep = target_entry(p, &f);
	if (f && f->kind == F_SKIP)
		return NULL;
	if (!*ep) {
		if (!(f && f->kind == F_ENTRY && f->ignore))
			diag_error(p->dl, &w[0].loc, "%s outside %s", w[0].text,
				   f ? "edit" : "config");
		return NULL;
	}
	if (n < 2) {
		diag_error(p->dl, &w[0].loc, "%s needs an attribute name",
			   w[0].text);
		return NULL;
	}
	sa = find_attr(p, f, &w[1]);
	if (sa)
		mark_touched(p, *ep);
	return sa;
}

/* The values of set, append, select and unselect: at least one. */
static bool has_values(struct parser *p, const struct schema_attr *sa,
		       struct conf_word *w, size_t n)
{
	if (n < 3)
		diag_error(p->dl, &w[1].loc, "missing value for %s", sa->name);
	return n >= 3;
}

/* append, select, unselect and clear edit lists only. */
static bool is_list(struct parser *p, const struct schema_attr *sa,
		    struct conf_word *w)
{
	if (conf_value_is_list(sa->type))
		return true;
	diag_error(p->dl, &w[0].loc, "%s works on lists; %s is not one",
		   w[0].text, sa->name);
	return false;
}

static void do_set(struct parser *p, struct conf_word *w, size_t n)
{
	const struct schema_attr *sa;
	struct conf_attr tmp, *a;
	struct conf_entry *e;

	sa = attr_target(p, w, n, &e);
	if (!sa || !has_values(p, sa, w, n))
		return;
	tmp = (struct conf_attr){ .schema = sa, .name_loc = w[1].loc };
	/*
	 * Sized for the words given (+1: a CIDR mask becomes two words), not
	 * the default growth step: a 100k-object config has 200k `set` lines.
	 */
	tmp.cap_vals = n - 2 + (sa->type == ST_IP4MASK && n == 3);
	tmp.vals = arena_alloc(p->t->arena, tmp.cap_vals * sizeof(*tmp.vals));
	/* Check into a scratch attribute: a bad set changes nothing. */
	if (conf_value_set(p->t->arena, &tmp, sa, w + 2, n - 2, p->dl))
		return;
	a = conf_attr_set(p->t, e, sa, &w[1].loc);
	a->vals = tmp.vals;
	a->nr_vals = tmp.nr_vals;
	a->cap_vals = tmp.cap_vals;
	if (p->builtin)
		*ARENA_PUSH(p->t->arena, e->preset, e->nr_preset,
			    e->cap_preset) = sa;
}

static void do_unset(struct parser *p, struct conf_word *w, size_t n)
{
	const struct schema_attr *sa;
	struct conf_entry *e;

	sa = attr_target(p, w, n, &e);
	if (!sa)
		return;
	if (!strcmp(w[0].text, "clear") && !is_list(p, sa, w))
		return;
	if (n > 2)
		diag_error(p->dl, &w[2].loc, "%s takes no value", w[0].text);
	conf_attr_unset(e, sa->name);
}

/*
 * select: a list's values replaced by those given, as set does (Fortinet
 * KB 197205: "clear all options except for those specified"); clear: the
 * list back to its default, as unset.
 */
static void do_select(struct parser *p, struct conf_word *w, size_t n)
{
	struct conf_entry *e;
	const struct schema_attr *sa = attr_target(p, w, n, &e);

	if (sa && is_list(p, sa, w))
		do_set(p, w, n);
}

/* Where @text is among @a's values; a->nr_vals if it is not. */
static size_t val_index(const struct conf_attr *a, const char *text)
{
	size_t j;

	for (j = 0; j < a->nr_vals; j++)
		if (!strcmp(a->vals[j].text, text))
			break;
	return j;
}

/* append: add what is not there yet. */
static void do_append(struct parser *p, struct conf_word *w, size_t n)
{
	const struct schema_attr *sa;
	struct conf_entry *e;
	struct conf_attr *a;

	sa = attr_target(p, w, n, &e);
	if (!sa || !has_values(p, sa, w, n) || !is_list(p, sa, w))
		return;
	a = conf_attr_get(e, sa->name);
	if (!a)
		a = conf_attr_set(p->t, e, sa, &w[1].loc);
	for (size_t i = 2; i < n; i++)
		if (val_index(a, w[i].text) == a->nr_vals)
			conf_value_set(p->t->arena, a, sa, &w[i], 1, p->dl);
	if (!a->nr_vals)
		conf_attr_unset(e, sa->name);
}

static void do_unselect(struct parser *p, struct conf_word *w, size_t n)
{
	const struct schema_attr *sa;
	struct conf_entry *e;
	struct conf_attr *a;

	sa = attr_target(p, w, n, &e);
	if (!sa || !has_values(p, sa, w, n) || !is_list(p, sa, w))
		return;
	a = conf_attr_get(e, sa->name);
	for (size_t i = 2; i < n; i++) {
		size_t j = a ? val_index(a, w[i].text) : 0;

		if (!a || j == a->nr_vals) {
			diag_error(p->dl, &w[i].loc, "\"%s\" is not in %s",
				   w[i].text, sa->name);
			continue;
		}
		memmove(&a->vals[j], &a->vals[j + 1],
			(a->nr_vals - j - 1) * sizeof(*a->vals));
		a->nr_vals--;
	}
	if (a && !a->nr_vals)
		conf_attr_unset(e, sa->name);
}

/*
 * The table delete, rename, move and purge act on: NULL (with the error
 * queued, if any) outside a table or inside an edit.
 */
static struct conf_section *table_target(struct parser *p,
					 const struct conf_word *w)
{
	struct frame *f = top(p);

	if (f && f->kind == F_SKIP)
		return NULL;
	if (!f || f->kind != F_SECTION || f->sec->schema->key == SK_NONE) {
		diag_error(
			p->dl, &w[0].loc,
			"%s is only valid in a table (after config, outside edit)",
			w[0].text);
		return NULL;
	}
	return f->sec;
}

const char *conf_entry_key(const struct schema_section *s, const char *word,
			   char *buf, size_t size)
{
	uint32_t id;

	if (s->key != SK_ID || !parse_u32(word, UINT32_MAX, &id))
		return word;
	snprintf(buf, size, "%lu", (unsigned long)id);
	return buf;
}

/* conf_entry_key() of the word @w in @sec's table. */
static const char *entry_key(const struct conf_section *sec,
			     const struct conf_word *w, char *buf, size_t size)
{
	return conf_entry_key(sec->schema, w->text, buf, size);
}

/* The path of the table open now, as references name it. */
static const char *table_path(const struct parser *p, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < p->depth && len < size; i++)
		if (p->stack[i].kind == F_SECTION)
			len += snprintf(buf + len, size - len, "%s%s",
					len ? " " : "",
					p->stack[i].sec->schema->path);
	return buf;
}

static void do_purge(struct parser *p, struct conf_word *w, size_t n)
{
	struct conf_section *sec = table_target(p, w);
	char path[128];

	if (!sec)
		return;
	if (n > 1) {
		diag_error(p->dl, &w[1].loc, "purge takes no argument");
		return;
	}
	table_path(p, path, sizeof(path));
	for (const struct conf_entry *e = sec->entries; e; e = e->next)
		conf_ref_gone(p->t, path, e);
	conf_section_purge(sec);
}

static void do_delete(struct parser *p, struct conf_word *w, size_t n)
{
	struct conf_section *sec = table_target(p, w);
	const struct conf_entry *e;
	char buf[16], path[128];
	const char *key;

	if (!sec)
		return;
	if (n != 2) {
		diag_error(p->dl, &w[0].loc, "usage: delete <name>");
		return;
	}
	key = entry_key(sec, &w[1], buf, sizeof(buf));
	e = conf_entry_get(sec, key);
	if (e)
		conf_ref_gone(p->t, table_path(p, path, sizeof(path)), e);
	if (!conf_entry_delete(sec, key))
		diag_error(p->dl, &w[1].loc, "no entry \"%s\" to delete",
			   w[1].text);
}

static void do_rename(struct parser *p, struct conf_word *w, size_t n)
{
	struct conf_section *sec = table_target(p, w);
	char buf[16], to_buf[16], path[128];
	const char *from, *to;
	uint32_t id;
	int err;

	if (!sec)
		return;
	if (n != 4 || strcmp(w[2].text, "to")) {
		diag_error(p->dl, &w[0].loc, "usage: rename <old> to <new>");
		return;
	}
	/* The new key as edit takes one: a name's rules, an id's form. */
	if (sec->schema->key == SK_ID &&
	    (!parse_u32(w[3].text, UINT32_MAX, &id) || !id)) {
		diag_error(p->dl, &w[3].loc,
			   "invalid id \"%s\" (expected 1-4294967295)",
			   w[3].text);
		return;
	}
	to = conf_edit_key(sec, &w[3], to_buf, sizeof(to_buf), p->dl);
	if (!to)
		return;
	from = entry_key(sec, &w[1], buf, sizeof(buf));
	err = conf_entry_rename(p->t, sec, from, to);
	/* FortiOS's rename carries the references along, as the console's. */
	if (!err && sec->schema->key != SK_ID)
		conf_ref_rename(p->t, table_path(p, path, sizeof(path)), from,
				to);
	if (err == -ENOENT)
		diag_error(p->dl, &w[1].loc, "no entry \"%s\" to rename",
			   w[1].text);
	else if (err == -EEXIST)
		diag_error(p->dl, &w[3].loc, "entry \"%s\" already exists",
			   w[3].text);
}

static void do_move(struct parser *p, struct conf_word *w, size_t n)
{
	struct conf_section *sec = table_target(p, w);
	char buf[16], ref[16];
	const char *key;

	if (!sec)
		return;
	if (n != 4 ||
	    (strcmp(w[2].text, "before") && strcmp(w[2].text, "after"))) {
		/* At the word that is not before|after, when there is one. */
		diag_error(p->dl, n == 4 ? &w[2].loc : &w[0].loc,
			   "usage: move <id> before|after <id>");
		return;
	}
	key = entry_key(sec, &w[1], buf, sizeof(buf));
	if (!conf_entry_get(sec, key)) {
		diag_error(p->dl, &w[1].loc, "no entry \"%s\" to move",
			   w[1].text);
		return;
	}
	if (conf_entry_move(sec, key, entry_key(sec, &w[3], ref, sizeof(ref)),
			    w[2].text[0] == 'a'))
		diag_error(p->dl, &w[3].loc, "no entry \"%s\"", w[3].text);
}

/* "a, b, c": the VDOMs of a multi-VDOM file. */
static char *join_vdom_names(const struct conf_tree *t)
{
	size_t len = 1, i;
	char *s;

	for (i = 0; i < t->nr_vdom_names; i++)
		len += strlen(t->vdom_names[i]) + 2;
	s = arena_alloc(t->arena, len);
	for (i = 0; i < t->nr_vdom_names; i++) {
		if (i)
			strcat(s, ", ");
		strcat(s, t->vdom_names[i]);
	}
	return s;
}

/* The VDOM asked for must be in the file (a single-VDOM one is root). */
static void check_vdom_found(struct parser *p, const struct conf_source *src)
{
	struct conf_tree *t = p->t;
	const char *want = conf_tree_vdom(t);
	char *list;
	size_t i;

	if (!t->multi_vdom) {
		if (strcmp(want, "root"))
			diag_error(
				p->dl, NULL,
				"%s has no VDOMs (a single-VDOM config is \"root\"): no VDOM \"%s\"",
				src->name, want);
		return;
	}
	for (i = 0; i < t->nr_vdom_names; i++)
		if (!strcmp(t->vdom_names[i], want))
			return;
	list = join_vdom_names(t);
	diag_error(p->dl, NULL,
		   "%s has no VDOM \"%s\" (%s%s); choose one with --vdom",
		   src->name, want,
		   t->nr_vdom_names ? "its VDOMs: " : "none is defined", list);
}

typedef void command_fn(struct parser *p, struct conf_word *w, size_t n);

struct command {
	const char *name;
	command_fn *fn;
};

/* Each command word and its handler, sorted for bsearch. */
static const struct command commands[] = {
	{ "append", do_append },     { "clear", do_unset }, /* of a list */
	{ "config", do_config },     { "delete", do_delete },
	{ "edit", do_edit },	     { "end", do_end },
	{ "move", do_move },	     { "next", do_next },
	{ "purge", do_purge },	     { "rename", do_rename },
	{ "select", do_select },     { "set", do_set },
	{ "unselect", do_unselect }, { "unset", do_unset },
};

static int cmd_cmp(const void *key, const void *elem)
{
	const struct command *c = elem;

	return strcmp(key, c->name);
}

/*
 * One command of the interactive shell, run as the parser runs it inside
 * a single open block: @e of @sec (an edit, or a singleton's body) or,
 * with @e NULL, the table @sec itself. The same checks and messages as
 * for a file.
 */
int conf_exec(struct conf_tree *t, struct conf_section *sec,
	      struct conf_entry *e, struct conf_word *w, size_t n,
	      struct diag_list *dl)
{
	struct parser p = { .t = t, .dl = dl, .depth = 1 };
	unsigned int before = dl->errors;
	const struct command *c;

	c = bsearch(w[0].text, commands, sizeof(commands) / sizeof(commands[0]),
		    sizeof(commands[0]), cmd_cmp);
	if (!c || c->fn == do_config || c->fn == do_edit || c->fn == do_end ||
	    c->fn == do_next)
		return -EOPNOTSUPP;
	p.stack[0].kind =
		e && sec->schema->key != SK_NONE ? F_ENTRY : F_SECTION;
	p.stack[0].sec = sec;
	p.stack[0].entry = e;
	c->fn(&p, w, n);
	return dl->errors != before ? -EINVAL : 0;
}

/*
 * For the lexer: `set` and `unset` of an attribute with a fixed number of
 * values use no more words than that (the one after is what "too many
 * values" points at), so a 10 MB line of them is not stored.
 */
static size_t line_limit(void *ctx, const struct conf_word *w)
{
	struct parser *p = ctx;
	const struct schema_attr *sa;
	struct frame *f;

	if (w[0].quoted || !target_entry(p, &f))
		return 0;
	if (!strcmp(w[0].text, "unset"))
		return 2;
	if (strcmp(w[0].text, "set"))
		return 0;
	sa = schema_find_attr(f->sec->schema, w[1].text);
	if (!sa || conf_value_is_list(sa->type))
		return 0;
	return sa->type == ST_IP4MASK || sa->type == ST_DATETIME ? 4 : 3;
}

/* A FortiGate backup starts with its header, after a byte order mark. */
static bool is_backup(const struct conf_source *src)
{
	static const char bom[] = "\xef\xbb\xbf", hdr[] = "#config-version=";
	const char *s = src->text;
	size_t len = src->len;

	if (len >= 3 && !memcmp(s, bom, 3)) {
		s += 3;
		len -= 3;
	}
	return len >= sizeof(hdr) - 1 && !memcmp(s, hdr, sizeof(hdr) - 1);
}

/*
 * A config saved as UTF-16: Windows PowerShell 5's `>` writes it so
 * (`ssh admin@fgt show full-configuration > backup.conf`). Said as such,
 * rather than as an unknown command and a NUL byte. The byte order mark,
 * or without one an ASCII first character whose other byte is NUL.
 */
static const char *utf16_input(const struct conf_source *src)
{
	const unsigned char *s = (const unsigned char *)src->text;

	if (src->len < 2)
		return NULL;
	if (s[0] == 0xff && s[1] == 0xfe)
		return "UTF-16 (its byte order mark FF FE)";
	if (s[0] == 0xfe && s[1] == 0xff)
		return "UTF-16 (its byte order mark FE FF)";
	if (s[0] && s[0] < 0x80 && !s[1])
		return "UTF-16 (a NUL byte after its first character)";
	if (!s[0] && s[1] && s[1] < 0x80)
		return "UTF-16 (a NUL byte before its first character)";
	return NULL;
}

int conf_parse(struct conf_tree *t, const struct conf_source *src,
	       struct diag_list *dl)
{
	struct parser p = { .t = t,
			    .dl = dl,
			    .builtin = src->builtin,
			    .restore = !src->builtin && is_backup(src) };
	unsigned int errors = dl->errors;
	unsigned int before;
	struct conf_word *w;
	struct lexer lx;
	int n;

	if (utf16_input(src)) {
		struct conf_loc l = { src, 1, 1, 2 };

		diag_error(
			dl, &l,
			"the file is %s: localin reads UTF-8, as FortiOS writes its configuration; convert it first (iconv -f UTF-16 -t UTF-8)",
			utf16_input(src));
		conf_tree_reindex(t);
		return -EINVAL;
	}
	lexer_init(&lx, src, dl);
	lexer_set_limit(&lx, line_limit, &p);
	while ((n = lexer_next(&lx, &w)) > 0) {
		const struct command *c =
			bsearch(w[0].text, commands,
				sizeof(commands) / sizeof(commands[0]),
				sizeof(commands[0]), cmd_cmp);

		/* Inside blocks nested too deep, only config and end count. */
		if (p.overflow && c && c->fn != do_config && c->fn != do_end)
			continue;
		if (w[0].quoted || !c) {
			struct frame *f = top(&p);

			if (!(f && f->kind == F_SKIP))
				diag_error(dl, &w[0].loc,
					   "unknown command \"%s\"", w[0].text);
			continue;
		}
		before = dl->errors;
		c->fn(&p, w, (size_t)n);
		if (dl->errors != before)
			mark_broken(&p);
	}
	if (lx.p < src->text + src->len) {
		struct conf_loc l = { src, lx.line, conf_loc_clamp(lx.col), 1 };

		diag_error(dl, &l,
			   "NUL byte in the input; the rest is ignored");
	}
	/* Everything still open at the end of the input was never closed. */
	while (p.depth) {
		struct frame *f = &p.stack[--p.depth];

		if (f->kind == F_ENTRY || f->kind == F_VDOM)
			continue;
		diag_error(dl, &f->loc, "config without \"end\"");
	}
	if (!src->builtin)
		check_vdom_found(&p, src);
	lexer_fini(&lx);
	conf_tree_reindex(t);
	return dl->errors > errors ? -EINVAL : 0;
}

struct conf_source *conf_source_mem(struct arena *a, const char *name,
				    const char *text, size_t len, bool builtin)
{
	struct conf_source *s = arena_alloc(a, sizeof(*s));
	char *copy = arena_strndup(a, text, len);

	/* len stays the full length: the parser reports a NUL inside. */
	s->name = arena_strdup(a, name);
	s->text = copy;
	s->len = len;
	s->builtin = builtin;
	return s;
}
