/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The canonical FortiOS `show` form of a config tree: four-space
 * indentation, names quoted, enums and numbers bare, only values that
 * differ from the schema default (or every value with `full`). Parsing the
 * output gives the same tree back.
 */
#ifndef LOCALIN_CONF_PRINTER_H
#define LOCALIN_CONF_PRINTER_H

#include <stdbool.h>
#include <stdio.h>

#include "conf/tree.h"

struct conf_print_opts {
	bool full;	     /* show full-configuration */
	const char *section; /* only this section path ("firewall address") */
	const char *key;     /* and in it only this entry ("5", "web-srv") */
};

/*
 * Returns 0; -ENOENT if @opts->section names no known section; with
 * @opts->key, -ESRCH if the section has no such entry and -EINVAL if it
 * is a section without entries.
 */
int conf_print(const struct conf_tree *t, const struct conf_print_opts *opts,
	       FILE *out);

/*
 * One section at any depth (a nested table such as an interface's
 * secondaryip too), as its `config` block; with @e, only that entry of a
 * table, as `show` prints it inside the entry's edit.
 */
void conf_print_section(const struct conf_section *sec,
			const struct conf_entry *e, bool full, FILE *out);

/* Print one word with FortiOS quoting ("a \"b\"" for strings). */
void conf_print_word(const char *text, bool quote, FILE *out);

#endif
