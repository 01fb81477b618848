// SPDX-License-Identifier: GPL-2.0
#include "conf/lexer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lexer_init(struct lexer *lx, const struct conf_source *src,
		struct diag_list *dl)
{
	memset(lx, 0, sizeof(*lx));
	lx->src = src;
	lx->dl = dl;
	lx->p = src->text;
	if (!strncmp(lx->p, CONF_BOM, strlen(CONF_BOM)))
		lx->p += strlen(CONF_BOM);
	lx->line = 1;
	lx->col = 1;
	arena_init(&lx->scratch);
}

void lexer_set_limit(struct lexer *lx, lexer_limit_fn fn, void *ctx)
{
	lx->limit = fn;
	lx->limit_ctx = ctx;
}

void lexer_fini(struct lexer *lx)
{
	arena_free(&lx->scratch);
	free(lx->words);
	lx->words = NULL;
	lx->cap = 0;
}

/*
 * A line ends at LF, CRLF or a lone CR (old Mac files): a CR-only file is
 * many lines, not one comment line that leaves the config empty.
 */
static bool is_line_end(const char *p)
{
	return *p == '\n' || (*p == '\r' && p[1] != '\n');
}

static void advance(struct lexer *lx)
{
	if (is_line_end(lx->p)) {
		lx->line++;
		lx->col = 1;
	} else {
		lx->col++;
	}
	lx->p++;
}

static bool at_eol(const struct lexer *lx)
{
	return *lx->p == '\n' || *lx->p == '\r' || *lx->p == '\0';
}

static void skip_to_eol(struct lexer *lx)
{
	while (!at_eol(lx))
		advance(lx);
}

/*
 * Read a quoted word starting at the opening quote (double, or single as
 * in the `set servercert ''` of real backups). If the input ends
 * inside the string, report it at the opening quote and take the string
 * to end at its first line, so the rest of the file is still parsed.
 * Without @keep the word is only stepped over (NULL).
 */
static char *read_quoted(struct lexer *lx, struct conf_word *w, bool keep)
{
	const char *start = lx->p;
	char quote = *start;
	unsigned int line = lx->line, col = lx->col;
	const char *q;
	char *out, *o;
	size_t n = 0;

	/* First pass: find the closing quote. */
	for (q = start + 1; *q && *q != quote; q++) {
		if (*q == '\\' && q[1])
			q++;
	}
	if (!*q) {
		const char *eol = start + strcspn(start, "\r\n");

		w->loc.len = 1;
		diag_error(lx->dl, &w->loc, "unterminated string");
		out = keep ? arena_strndup(&lx->scratch, start + 1,
					   (size_t)(eol - start - 1)) :
			     NULL;
		while (lx->p < eol)
			advance(lx);
		return out;
	}
	if (!keep) {
		while (lx->p <= q)
			advance(lx);
		return NULL;
	}
	out = o = arena_alloc(&lx->scratch, (size_t)(q - start));
	advance(lx); /* opening quote */
	while (lx->p < q) {
		if (*lx->p == '\\' && lx->p + 1 < q) {
			advance(lx);
		}
		*o++ = *lx->p;
		n++;
		advance(lx);
	}
	advance(lx); /* closing quote */
	*o = '\0';
	/* A multi-line string's token is marked on its first line only. */
	if (lx->line == line)
		w->loc.len = conf_loc_clamp(lx->col - col);
	else
		w->loc.len = 1;
	(void)n;
	return out;
}

static char *read_bare(struct lexer *lx, struct conf_word *w, bool keep)
{
	const char *start = lx->p;
	unsigned int col = lx->col;
	char *out, *o;

	while (!at_eol(lx) && *lx->p != ' ' && *lx->p != '\t') {
		if (*lx->p == '\\' && lx->p[1] && lx->p[1] != '\n' &&
		    lx->p[1] != '\r')
			advance(lx);
		advance(lx);
	}
	if (!keep)
		return NULL;
	out = o = arena_alloc(&lx->scratch, (size_t)(lx->p - start) + 1);
	for (const char *s = start; s < lx->p; s++) {
		if (*s == '\\' && s + 1 < lx->p)
			s++;
		*o++ = *s;
	}
	*o = '\0';
	w->loc.len = conf_loc_clamp(lx->col - col);
	return out;
}

static struct conf_word *push_word(struct lexer *lx, size_t n)
{
	if (n == lx->cap) {
		size_t cap = lx->cap ? lx->cap * 2 : 64;
		struct conf_word *v = realloc(lx->words, cap * sizeof(*v));

		if (!v)
			return NULL; /* read_word() says so and skips the rest */
		lx->words = v;
		lx->cap = cap;
	}
	return &lx->words[n];
}

/*
 * One word at lx->p, stored as words[n] or, past @max words, read without
 * being kept (and reported, once, when @max is the lexer's own limit).
 * Returns whether it was stored.
 */
static bool read_word(struct lexer *lx, size_t n, size_t max, bool *over)
{
	struct conf_word skipped, *w = NULL;
	bool keep = n < max, oom = false;

	if (keep) {
		w = push_word(lx, n);
		oom = !w;
		keep = !oom;
	}
	if (!w)
		w = &skipped;
	memset(w, 0, sizeof(*w));
	w->loc.src = lx->src;
	w->loc.line = lx->line;
	w->loc.col = conf_loc_clamp(lx->col);
	w->quoted = *lx->p == '"' || *lx->p == '\'';
	/* The out-of-memory policy (util/arena.h): said, never silent. */
	if (oom && !*over) {
		w->loc.len = 1;
		diag_error(
			lx->dl, &w->loc,
			"out of memory for the words of this line; the rest of the line is ignored");
	} else if (!keep && !*over && max == LEXER_MAX_WORDS) {
		w->loc.len = 1;
		diag_error(
			lx->dl, &w->loc,
			"more than %u words on one line; the rest of the line is ignored",
			LEXER_MAX_WORDS);
	}
	*over |= !keep;
	w->text = w->quoted ? read_quoted(lx, w, keep) : read_bare(lx, w, keep);
	return keep;
}

int lexer_next(struct lexer *lx, struct conf_word **words)
{
	size_t n, max;
	bool over;

	arena_reset(&lx->scratch);
	for (;;) {
		if (!*lx->p)
			return -1;
		n = 0;
		max = LEXER_MAX_WORDS;
		over = false;
		while (!at_eol(lx)) {
			if (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\r') {
				advance(lx);
				continue;
			}
			if (*lx->p == '#') {
				skip_to_eol(lx);
				break;
			}
			/* The caller's limit, plus the word its error names. */
			if (n == 2 && lx->limit && !over) {
				size_t l = lx->limit(lx->limit_ctx, lx->words);

				if (l && l < LEXER_MAX_WORDS)
					max = l + 1;
			}
			n += read_word(lx, n, max, &over);
		}
		if (*lx->p == '\r' && lx->p[1] == '\n')
			advance(lx);
		if (*lx->p == '\n' || *lx->p == '\r')
			advance(lx);
		if (n) {
			*words = lx->words;
			return (int)n;
		}
	}
}
