// SPDX-License-Identifier: GPL-2.0
#include "conf/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/logbuf.h"

void diag_init(struct diag_list *dl, struct arena *a)
{
	memset(dl, 0, sizeof(*dl));
	dl->arena = a;
}

void diag_add(struct diag_list *dl, enum diag_level level,
	      const struct conf_loc *loc, const char *fmt, ...)
{
	struct diag *d;
	va_list ap;
	char buf[1024];

	if (level == DIAG_ERROR) {
		dl->errors++;
		if (dl->max_errors && dl->errors > dl->max_errors)
			return;
	} else if (level == DIAG_WARNING) {
		dl->warnings++;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);

	d = ARENA_PUSH(dl->arena, dl->items, dl->nr, dl->cap);
	d->level = level;
	if (loc && loc->src && !loc->src->builtin)
		d->loc = *loc;
	else
		memset(&d->loc, 0, sizeof(d->loc));
	d->msg = arena_strdup(dl->arena, buf);
	d->seq = (unsigned int)dl->nr;
}

static int diag_cmp(const void *pa, const void *pb)
{
	const struct diag *a = pa, *b = pb;

	/* Unlocated records (summaries) go last, in insertion order. */
	if (!a->loc.src != !b->loc.src)
		return a->loc.src ? -1 : 1;
	if (a->loc.src && b->loc.src && a->loc.src != b->loc.src) {
		int c = strcmp(a->loc.src->name, b->loc.src->name);

		if (c)
			return c;
	}
	if (a->loc.line != b->loc.line)
		return a->loc.line < b->loc.line ? -1 : 1;
	if (a->loc.col != b->loc.col)
		return a->loc.col < b->loc.col ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static const char *level_name(enum diag_level l)
{
	switch (l) {
	case DIAG_ERROR:
		return "error";
	case DIAG_WARNING:
		return "warning";
	default:
		return "note";
	}
}

/*
 * Where print_context() left off: diagnostics are printed in source order,
 * so finding each line continues from the previous one instead of scanning
 * the file from its start (a 100k-object config has thousands of warnings).
 */
struct line_cursor {
	const struct conf_source *src;
	const char *p;
	unsigned int line;
};

/*
 * At most CONTEXT_MAX bytes of a line are shown, around the token: a 10 MB
 * `set member` line would otherwise be echoed whole (and into the daemon's
 * journal on a reload). "..." marks what is left out.
 */
#define CONTEXT_MAX 160
#define CONTEXT_BEFORE 60

/*
 * The columns byte @c takes on the terminal: a UTF-8 character takes one
 * for all its bytes (its continuation bytes none), an escaped byte four.
 */
static unsigned int columns(unsigned char c)
{
	return (c & 0xc0) == 0x80 ? 0 : log_escaped_width(c);
}

static void print_window(const char *p, const char *end,
			 const struct conf_loc *loc, FILE *out)
{
	const char *from = p, *to = end, *tok;
	unsigned int i, width, cols;

	/* A column that saturated (CONF_LOC_MAX) is not the token's. */
	tok = loc->col < CONF_LOC_MAX && p + loc->col - 1 <= end ?
		      p + loc->col - 1 :
		      NULL;
	if (tok && tok - p > CONTEXT_BEFORE && end - p > CONTEXT_MAX)
		from = tok - CONTEXT_BEFORE;
	if (to - from > CONTEXT_MAX)
		to = from + CONTEXT_MAX;
	if (from > p)
		fputs("...", out);
	log_fputs_escaped(out, from, (size_t)(to - from), false);
	fputs(to < end ? "...\n" : "\n", out);
	if (!tok || tok > to || (tok == to && to < end))
		return; /* no caret under a token that is not shown */
	if (from > p)
		fputs("   ", out);
	/* Keep tabs so the caret lines up under tab-indented configs. */
	for (; from < tok; from++) {
		if (*from == '\t')
			fputc('\t', out);
		else if (columns((unsigned char)*from) == 1)
			fputc(' ', out);
		else if (columns((unsigned char)*from) == 4)
			fputs("    ", out); /* under a \xNN */
	}
	width = loc->len ? loc->len : 1;
	for (i = 0, cols = 0; i < width && tok + i < to; i++)
		cols += columns((unsigned char)tok[i]);
	fputc('^', out);
	for (i = 1; i < cols; i++)
		fputc('~', out);
	fputc('\n', out);
}

/*
 * Print the source line of @loc and a caret underline below the token. The
 * line is escaped as log lines are (log_fputs_escaped()): a config may hold
 * terminal escape sequences, which must not reach the terminal; the caret
 * line widens by the same bytes so that it stays under the token.
 */
static void print_context(const struct conf_loc *loc, struct line_cursor *c,
			  FILE *out)
{
	const char *p, *end;

	if (c->src != loc->src || c->line > loc->line) {
		c->src = loc->src;
		c->p = loc->src->text;
		c->line = 1;
	}
	/* Line ends as the lexer has them: LF, CRLF or a lone CR. */
	while (c->line < loc->line && *c->p) {
		char ch = *c->p++;

		if (ch == '\n' || (ch == '\r' && *c->p != '\n'))
			c->line++;
	}
	p = c->p;
	if (p == loc->src->text && !strncmp(p, CONF_BOM, strlen(CONF_BOM)))
		p += strlen(CONF_BOM); /* columns count from after it */
	end = p + strcspn(p, "\r\n");
	print_window(p, end, loc, out);
}

/* One record's first line, names and message escaped like the context. */
static void print_head(const struct diag *d, FILE *out)
{
	const char *name = d->loc.src ? d->loc.src->name : "localin";

	log_fputs_escaped(out, name, strlen(name), false);
	if (d->loc.src)
		fprintf(out, ":%u:%u", d->loc.line, d->loc.col);
	fprintf(out, ": %s: ", level_name(d->level));
	log_fputs_escaped(out, d->msg, strlen(d->msg), false);
	fputc('\n', out);
}

/* What diag_print() holds back before writing it out in one piece. */
#define DIAG_CHUNK 65536

/* @mem's text so far to @out, and @mem empty again. */
static void put_chunk(FILE *mem, char *const *text, const size_t *len,
		      FILE *out)
{
	fflush(mem);
	fwrite(*text, 1, *len, out);
	fseeko(mem, 0, SEEK_SET);
}

void diag_print(struct diag_list *dl, FILE *out)
{
	struct line_cursor cursor = { 0 };
	char *text = NULL;
	size_t len = 0, i;
	FILE *mem, *w;

	if (!dl->nr)
		return;
	qsort(dl->items, dl->nr, sizeof(*dl->items), diag_cmp);
	/*
	 * A record is written in many small pieces (escaped text, padding)
	 * and stderr is unbuffered: gathered first, it costs a few writes
	 * where a config with 100k warnings would cost millions.
	 */
	mem = open_memstream(&text, &len);
	w = mem ? mem : out;
	for (i = 0; i < dl->nr; i++) {
		struct diag *d = &dl->items[i];

		print_head(d, w);
		if (d->loc.src)
			print_context(&d->loc, &cursor, w);
		if (mem && ftello(mem) >= DIAG_CHUNK)
			put_chunk(mem, &text, &len, out);
	}
	if (mem) {
		put_chunk(mem, &text, &len, out);
		fclose(mem);
		free(text);
	}
	if (dl->max_errors && dl->errors > dl->max_errors)
		fprintf(out, "localin: note: %u more errors not shown\n",
			dl->errors - dl->max_errors);
}

struct conf_loc conf_loc_span(const struct conf_loc *a,
			      const struct conf_loc *b)
{
	struct conf_loc l = *a;

	if (b->src == a->src && b->line == a->line && b->col >= a->col)
		l.len = conf_loc_clamp((unsigned int)b->col + b->len - a->col);
	return l;
}
