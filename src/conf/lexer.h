/* SPDX-License-Identifier: GPL-2.0 */
/*
 * FortiOS CLI tokenizer. A command is one line of words; a word is bare
 * (backslash escapes the next character) or between double (or single) quotes (\" and
 * \\ are escapes, and the string may run over several lines, as PEM blobs
 * in real backups do). `#` starting a word comments out the rest of the
 * line, which also covers the `#config-version=...` header of a backup.
 * A line ends at LF, CRLF or a lone CR; a UTF-8 byte order mark before
 * the first line is skipped.
 */
#ifndef LOCALIN_CONF_LEXER_H
#define LOCALIN_CONF_LEXER_H

#include <stdbool.h>

#include "conf/diag.h"
#include "conf/tree.h"

/*
 * Words one line may have: twice the one `set member` line of a group of
 * 1M addresses. Past it the line is an error and its words are skipped
 * without being stored, so a line costs at most about 100 MB whatever the
 * size of the file (a word takes 32 bytes, its text at least 16).
 */
#define LEXER_MAX_WORDS (1u << 21)

/*
 * The words a line can use, asked once its first two are read (0: no
 * limit of the caller's own). Words past it are skipped without being
 * stored; the first of them is still returned, for the caller's "too many
 * values" to point at.
 */
typedef size_t (*lexer_limit_fn)(void *ctx, const struct conf_word *w);

struct lexer {
	const struct conf_source *src;
	struct arena scratch; /* word texts, reset at every line */
	struct diag_list *dl;
	const char *p; /* next unread byte */
	unsigned int line, col;
	struct conf_word *words; /* malloc'd, reused between lines */
	size_t cap;
	lexer_limit_fn limit;
	void *limit_ctx;
};

void lexer_init(struct lexer *lx, const struct conf_source *src,
		struct diag_list *dl);
void lexer_set_limit(struct lexer *lx, lexer_limit_fn fn, void *ctx);

/*
 * Next command: its words in *words (valid until the next call, texts
 * included: whoever keeps a word copies it), their
 * number as the return value; blank and comment-only lines are skipped.
 * Returns -1 at end of input. Lexical errors (unterminated string, more
 * than LEXER_MAX_WORDS words) are queued on the diag list and the line
 * still yields what could be read.
 */
int lexer_next(struct lexer *lx, struct conf_word **words);
void lexer_fini(struct lexer *lx);

#endif
