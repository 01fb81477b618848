/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The config tree: what a sequence of FortiOS CLI commands leaves behind.
 * Sections hold ordered entries (table order is evaluation order for
 * policies, changed by `move`), entries hold attribute values in canonical
 * form, each word with the location it was written at, so later stages
 * report errors against the admin's own text.
 */
#ifndef LOCALIN_CONF_TREE_H
#define LOCALIN_CONF_TREE_H

#include <stdbool.h>

#include "conf/diag.h"
#include "conf/schema.h"

struct conf_word {
	char *text;
	struct conf_loc loc;
	bool quoted; /* written between double quotes */
};

struct conf_attr {
	const struct schema_attr *schema;
	struct conf_loc name_loc; /* the attribute name after `set` */
	struct conf_word *vals;
	size_t nr_vals, cap_vals;
	struct conf_attr *next;
};

struct conf_section;

struct conf_entry {
	char *key; /* NULL in a singleton section */
	struct conf_loc
		loc; /* the key after `edit` (or `config` for singletons) */
	struct conf_attr *attrs;   /* in order of first `set` */
	struct conf_section *subs; /* nested `config` blocks */
	bool factory;		   /* created by the built-in defaults */
	bool touched;  /* changed by the admin's config after creation */
	bool restored; /* predefined, and reset by a backup's block (parser) */
	/*
	 * Predefined and renamed: the name the built-in defaults gave it.
	 * `show` prints the rename (and a delete by this name), or its text
	 * read again would bring the built-in name back. NULL otherwise.
	 */
	const char *factory_key;
	/*
	 * The attributes the built-in defaults set: `show` prints `unset`
	 * for one the config cleared, or, read again over the defaults, the
	 * built-in value would come back (DNS's TCP 53).
	 */
	const struct schema_attr **preset;
	size_t nr_preset, cap_preset;
	unsigned int block; /* parser's `config` block count at the last edit */
	bool broken; /* a command inside it failed: values may be missing */
	struct conf_entry *next;
};

struct conf_section {
	const struct schema_section *schema;
	struct conf_loc loc;	    /* first `config` that opened it */
	struct conf_entry *entries; /* table order */
	struct conf_section *next;
	/*
	 * Hash index over entry keys and the list tail: a backup with 100k
	 * addresses must not make every `edit` walk the list. Rebuilt
	 * lazily after delete, rename, move and purge.
	 */
	struct conf_entry **index;
	size_t index_size, nr_entries;
	struct conf_entry *tail;
	bool index_dirty;
	/*
	 * Predefined entries the config deleted (delete, purge), in that
	 * order: `show` prints their `delete`, or its text would bring them
	 * back when read again.
	 */
	struct conf_entry *gone;
};

/*
 * A VDOM of a multi-VDOM backup (`config vdom` / `edit NAME`): its name
 * and the lines its blocks span, so a diagnostic can name the VDOM.
 */
struct conf_vdom_span {
	const char *name;
	const struct conf_source *src;
	unsigned int first, last; /* the `edit` line and its `next`/`end` */
	struct conf_vdom_span *next;
};

struct conf_tree {
	struct arena *arena;
	/*
	 * Multi-VDOM backups: the VDOM whose sections are loaded, besides
	 * `config global` (NULL: "root"); the others are skipped.
	 */
	const char *vdom;
	bool multi_vdom;	 /* `config vdom` or `config global` seen */
	const char **vdom_names; /* each VDOM once, in file order */
	size_t nr_vdom_names, cap_vdom_names;
	struct conf_vdom_span *vdom_spans; /* every `edit NAME` block */
	struct conf_section *sections;	   /* known top-level sections */
	/* Sections skipped as unknown: the input is a full backup whose
	 * other sections (firewall policy, ...) may use our objects. */
	unsigned int nr_skipped;
	/*
	 * `config` blocks opened so far, over every source parsed into the
	 * tree (the built-in defaults, then the file): numbers blocks for
	 * "edited twice in this block", so the file's first block is never
	 * taken for the defaults' first.
	 */
	unsigned int nr_blocks;
	/* Schema defaults split into words once, for conf_attr_words(). */
	struct conf_default *defaults;
	size_t defaults_size, defaults_used;
};

void conf_tree_init(struct conf_tree *t, struct arena *a);
/* The VDOM the text at @loc belongs to, or NULL (global or single-VDOM). */
const char *conf_tree_vdom_at(const struct conf_tree *t,
			      const struct conf_loc *loc);
/* The VDOM loaded: the one chosen, or "root". */
const char *conf_tree_vdom(const struct conf_tree *t);

/* Bring every section's key index up to date (after a load). */
void conf_tree_reindex(struct conf_tree *t);

/* Lookups; NULL if absent. */
struct conf_section *conf_section_get(struct conf_section *list,
				      const struct schema_section *s);
struct conf_section *conf_tree_section(const struct conf_tree *t,
				       const char *path);
struct conf_entry *conf_entry_get(const struct conf_section *sec,
				  const char *key);
struct conf_attr *conf_attr_get(const struct conf_entry *e, const char *name);
struct conf_section *conf_entry_sub(const struct conf_entry *e,
				    const char *name);

/* First word of an attribute, NULL if unset. */
const char *conf_attr_str(const struct conf_entry *e, const char *name);

/*
 * Value of @name for the resolver: the entry's own value, else the
 * schema default split into words (shared between entries; their location
 * is the section's `config` line).
 * Returns the number of words, *out points at them (arena-owned).
 */
size_t conf_attr_words(struct conf_tree *t, const struct conf_section *sec,
		       const struct conf_entry *e, const char *name,
		       const struct conf_word **out);

/* Mutations used by the parser (and later the interactive shell). */
struct conf_section *conf_section_open(struct conf_tree *t,
				       struct conf_section **list,
				       const struct schema_section *s,
				       const struct conf_loc *loc);
struct conf_entry *conf_entry_open(struct conf_tree *t,
				   struct conf_section *sec, const char *key,
				   const struct conf_loc *loc);
struct conf_attr *conf_attr_set(struct conf_tree *t, struct conf_entry *e,
				const struct schema_attr *a,
				const struct conf_loc *name_loc);
void conf_attr_unset(struct conf_entry *e, const char *name);
bool conf_entry_delete(struct conf_section *sec, const char *key);
/* Rename an entry's key; -ENOENT if @key is absent, -EEXIST if @to exists. */
int conf_entry_rename(struct conf_tree *t, struct conf_section *sec,
		      const char *key, const char *to);
void conf_section_purge(struct conf_section *sec);
/* Move @key before (@after false) or after @ref. */
int conf_entry_move(struct conf_section *sec, const char *key, const char *ref,
		    bool after);

#endif
