/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Located diagnostics. Every stage (lexer, parser, resolver, compiler)
 * queues errors and warnings as records that carry the source position of
 * the offending token; they are printed at the end, in source order, as
 *
 *   FILE:LINE:COL: error: message
 *       set subnet 10.0.0.1 255.0.255.0
 *                           ^~~~~~~~~~~
 *
 * A stage never prints or exits by itself.
 */
#ifndef LOCALIN_CONF_DIAG_H
#define LOCALIN_CONF_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/arena.h"

/*
 * The UTF-8 byte order mark some Windows editors put first in a file: the
 * lexer skips it, and columns on line 1 count from after it.
 */
#define CONF_BOM "\xef\xbb\xbf"

/* A file (or a built-in text) the config was read from. */
struct conf_source {
	const char *name; /* as given on the command line */
	const char *text; /* NUL-terminated copy of the whole input */
	size_t len;
	bool builtin; /* factory defaults: never shown in diagnostics */
};

/*
 * Position of a token: 1-based line and column, length in bytes. Column
 * and length saturate at 65535: a config has millions of these, and no
 * real line is that long.
 */
struct conf_loc {
	const struct conf_source *src;
	unsigned int line;
	unsigned short col;
	unsigned short len;
};

#define CONF_LOC_MAX 65535u

static inline unsigned short conf_loc_clamp(unsigned int v)
{
	return v > CONF_LOC_MAX ? CONF_LOC_MAX : (unsigned short)v;
}

enum diag_level {
	DIAG_ERROR,
	DIAG_WARNING,
	DIAG_NOTE,
};

struct diag {
	enum diag_level level;
	struct conf_loc loc; /* src == NULL: no location */
	char *msg;
	unsigned int seq; /* insertion order, ties in sorting */
};

struct diag_list {
	struct arena *arena;
	struct diag *items;
	size_t nr, cap;
	unsigned int errors;
	unsigned int warnings;
	unsigned int
		max_errors; /* stop queueing errors after this many; 0 = no cap */
};

void diag_init(struct diag_list *dl, struct arena *a);

void diag_add(struct diag_list *dl, enum diag_level level,
	      const struct conf_loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define diag_error(dl, loc, ...) diag_add((dl), DIAG_ERROR, (loc), __VA_ARGS__)
#define diag_warn(dl, loc, ...) diag_add((dl), DIAG_WARNING, (loc), __VA_ARGS__)
#define diag_note(dl, loc, ...) diag_add((dl), DIAG_NOTE, (loc), __VA_ARGS__)

/* Sort by file, line, column (stable) and print with source line and caret. */
void diag_print(struct diag_list *dl, FILE *out);

/* Span from the start of @a to the end of @b (same line), for ranges. */
struct conf_loc conf_loc_span(const struct conf_loc *a,
			      const struct conf_loc *b);

#endif
