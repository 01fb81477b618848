// SPDX-License-Identifier: GPL-2.0
#include "lexer.h"

#include <string.h>

void lexer_init(struct lexer *lx, const struct conf_source *src,
		struct arena *a, struct diag_list *dl)
{
	memset(lx, 0, sizeof(*lx));
	lx->src = src;
	lx->arena = a;
	lx->dl = dl;
	lx->p = src->text;
	lx->line = 1;
	lx->col = 1;
	arena_init(&lx->scratch);
}

void lexer_fini(struct lexer *lx)
{
	arena_free(&lx->scratch);
}

static void advance(struct lexer *lx)
{
	if (*lx->p == '\n') {
		lx->line++;
		lx->col = 1;
	} else {
		lx->col++;
	}
	lx->p++;
}

static bool at_eol(const struct lexer *lx)
{
	return *lx->p == '\n' || *lx->p == '\0' ||
	       (*lx->p == '\r' && lx->p[1] == '\n');
}

static void skip_to_eol(struct lexer *lx)
{
	while (*lx->p && *lx->p != '\n')
		advance(lx);
}

/*
 * Read a quoted word starting at the opening quote (double, or single as
 * in the `set servercert ''` of real backups). If the input ends
 * inside the string, report it at the opening quote and take the string
 * to end at its first line, so the rest of the file is still parsed.
 */
static char *read_quoted(struct lexer *lx, struct conf_word *w)
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
		const char *eol = strchr(start, '\n');

		w->loc.len = 1;
		diag_error(lx->dl, &w->loc, "unterminated string");
		if (!eol)
			eol = start + strlen(start);
		out = arena_strndup(&lx->scratch, start + 1,
				    (size_t)(eol - start - 1));
		while (lx->p < eol)
			advance(lx);
		return out;
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

static char *read_bare(struct lexer *lx, struct conf_word *w)
{
	const char *start = lx->p;
	unsigned int col = lx->col;
	char *out, *o;

	while (!at_eol(lx) && *lx->p != ' ' && *lx->p != '\t') {
		if (*lx->p == '\\' && lx->p[1] && lx->p[1] != '\n')
			advance(lx);
		advance(lx);
	}
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

int lexer_next(struct lexer *lx, struct conf_word **words)
{
	size_t n;

	arena_reset(&lx->scratch);
	for (;;) {
		if (!*lx->p)
			return -1;
		n = 0;
		while (!at_eol(lx)) {
			struct conf_word *w;

			if (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\r') {
				advance(lx);
				continue;
			}
			if (*lx->p == '#') {
				skip_to_eol(lx);
				break;
			}
			w = ARENA_PUSH(lx->arena, lx->words, n, lx->cap);
			w->loc.src = lx->src;
			w->loc.line = lx->line;
			w->loc.col = conf_loc_clamp(lx->col);
			w->quoted = *lx->p == '"' || *lx->p == '\'';
			w->text = w->quoted ? read_quoted(lx, w) :
					      read_bare(lx, w);
		}
		if (*lx->p == '\r')
			advance(lx);
		if (*lx->p == '\n')
			advance(lx);
		if (n) {
			*words = lx->words;
			return (int)n;
		}
	}
}
