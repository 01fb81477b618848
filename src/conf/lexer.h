/* SPDX-License-Identifier: GPL-2.0 */
/*
 * FortiOS CLI tokenizer. A command is one line of words; a word is bare
 * (backslash escapes the next character) or between double (or single) quotes (\" and
 * \\ are escapes, and the string may run over several lines, as PEM blobs
 * in real backups do). `#` starting a word comments out the rest of the
 * line, which also covers the `#config-version=...` header of a backup.
 */
#ifndef LOCALIN_CONF_LEXER_H
#define LOCALIN_CONF_LEXER_H

#include <stdbool.h>

#include "diag.h"
#include "tree.h"

struct lexer {
	const struct conf_source *src;
	struct arena *arena;	/* the words array */
	struct arena scratch;	/* word texts, reset at every line */
	struct diag_list *dl;
	const char *p;	/* next unread byte */
	unsigned int line, col;
	struct conf_word *words; /* reused between lines */
	size_t cap;
};

void lexer_init(struct lexer *lx, const struct conf_source *src,
		struct arena *a, struct diag_list *dl);

/*
 * Next command: its words in *words (valid until the next call, texts
 * included: whoever keeps a word copies it), their
 * number as the return value; blank and comment-only lines are skipped.
 * Returns -1 at end of input. Lexical errors (unterminated string) are
 * queued on the diag list and the line still yields what could be read.
 */
int lexer_next(struct lexer *lx, struct conf_word **words);
void lexer_fini(struct lexer *lx);

#endif
