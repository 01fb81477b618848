/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which attribute values name an entry of another section (a policy's
 * srcaddr names an address or a group), shared by the config file's
 * `rename` and the console's: FortiOS's rename carries the references
 * along, and so do both.
 */
#ifndef LOCALIN_CONF_REFS_H
#define LOCALIN_CONF_REFS_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/tree.h"

/*
 * Attribute @attr of section @sec names an entry of one of @to. A @loose
 * one may name Linux's own interfaces too: the console does not check it
 * when typed, but a rename or delete of the entry it names follows it.
 */
struct conf_ref_attr {
	const char *sec, *attr, *to[3];
	bool loose;
};

extern const struct conf_ref_attr conf_refs[];
extern const size_t conf_nr_refs;

/*
 * The section of a reference path: a top-level one, or a table inside a
 * singleton ("system sdwan zone"). NULL if the tree has none.
 */
struct conf_section *conf_ref_section(struct conf_tree *t, const char *path);

/*
 * Each value of @t that names entry @key of section @path (a default
 * value that names it: @v NULL), entries of section @skip aside: @fn is
 * called with it. The number of them.
 */
int conf_each_ref(struct conf_tree *t, const char *path, const char *key,
		  const char *skip,
		  void (*fn)(struct conf_tree *t, struct conf_entry *e,
			     struct conf_word *v, const struct conf_ref_attr *r,
			     void *ctx),
		  void *ctx);

/* `rename`: every value naming @key of @path names @to. Their number. */
int conf_ref_rename(struct conf_tree *t, const char *path, const char *key,
		    const char *to);

/*
 * @e of @path is about to be deleted. Renamed predefined, `show` prints
 * its delete by the built-in name and not its rename: what names it by
 * its new name is printed (touched), or read again it would name the
 * built-in name (a new entry of the new name would not be named).
 */
void conf_ref_gone(struct conf_tree *t, const char *path,
		   const struct conf_entry *e);

#endif
