// SPDX-License-Identifier: GPL-2.0
#include "conf/printer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/base64.h"

void conf_print_word(const char *text, bool quote, FILE *out)
{
	const char *p;

	if (!quote) {
		fputs(text, out);
		return;
	}
	fputc('"', out);
	for (p = text; *p; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', out);
		fputc(*p, out);
	}
	fputc('"', out);
}

static bool quoted_type(enum schema_type t)
{
	return t == ST_STRING || t == ST_NAMES;
}

static void indent(int level, FILE *out)
{
	for (int i = 0; i < level; i++)
		fputs("    ", out);
}

/*
 * Does @a hold exactly the schema default? A string without one is unset
 * when '': FortiOS's `show full-configuration` prints such a value so
 * (`set associated-interface ''`), its `show` not at all. Only for what
 * localin does not read: where it does, '' may mean something else than
 * unset (an error, a hostname of "").
 */
static bool is_default(const struct conf_attr *a)
{
	const char *d = a->schema->def;
	size_t i, len;

	if (!d)
		return a->schema->type == ST_STRING &&
		       !(a->schema->flags & SA_USED) && a->nr_vals == 1 &&
		       !*a->vals[0].text;
	for (i = 0; i < a->nr_vals; i++) {
		len = strlen(a->vals[i].text);
		if (strncmp(d, a->vals[i].text, len))
			return false;
		d += len;
		if (i + 1 < a->nr_vals) {
			if (*d != ' ')
				return false;
			d++;
		}
	}
	return *d == '\0';
}

/*
 * A password as FortiOS shows one: `ENC` and a blob (here: the words,
 * joined by one space, in base64), never the text itself.
 */
static bool print_secret(const struct conf_attr *a, FILE *out)
{
	char *text = NULL;
	size_t i, len = 0;
	FILE *f;

	if (!(a->schema->flags & SA_SECRET) || !a->nr_vals ||
	    !strcmp(a->vals[0].text, "ENC"))
		return false;
	fputs(" ENC ", out);
	f = open_memstream(&text, &len);
	if (f) {
		for (i = 0; i < a->nr_vals; i++)
			fprintf(f, "%s%s", i ? " " : "", a->vals[i].text);
		if (fclose(f))
			len = 0;
	}
	/* out of memory: a blob that reads back as no password, never it */
	base64_write(text ? text : "", text ? len : 0, out);
	fputc('\n', out);
	free(text);
	return true;
}

static void print_attr(const struct conf_attr *a, int level, FILE *out)
{
	size_t i;

	indent(level, out);
	fprintf(out, "set %s", a->schema->name);
	if (print_secret(a, out))
		return;
	for (i = 0; i < a->nr_vals; i++) {
		bool q = quoted_type(a->schema->type) ||
			 (a->schema->type == ST_RAW && a->vals[i].quoted);

		fputc(' ', out);
		conf_print_word(a->vals[i].text, q, out);
	}
	fputc('\n', out);
}

static void print_default(const struct schema_attr *sa, int level, FILE *out)
{
	const char *p, *q;

	indent(level, out);
	fprintf(out, "set %s", sa->name);
	/* Defaults are stored in printed form, one word per space. */
	for (p = sa->def; *p; p = *q ? q + 1 : q) {
		q = strchr(p, ' ');
		if (!q)
			q = p + strlen(p);
		fputc(' ', out);
		if (quoted_type(sa->type))
			fputc('"', out);
		fwrite(p, 1, (size_t)(q - p), out);
		if (quoted_type(sa->type))
			fputc('"', out);
	}
	fputc('\n', out);
}

static void print_sections(const struct conf_section *sec, bool full, int level,
			   FILE *out);

/* @e's value of @sa, NULL if unset. */
static const struct conf_attr *entry_attr(const struct conf_entry *e,
					  const struct schema_attr *sa)
{
	const struct conf_attr *a;

	for (a = e->attrs; a; a = a->next)
		if (a->schema == sa)
			return a;
	return NULL;
}

/* The @i-th attribute of @s in the order FortiOS prints them. */
static const struct schema_attr *nth_attr(const struct schema_section *s,
					  size_t i)
{
	return s->order ? schema_find_attr(s, s->order[i]) : &s->attrs[i];
}

/*
 * `unset` for what the built-in defaults set and the config cleared (a
 * backup's DNS without TCP 53): read again, the text is applied over the
 * built-in object, whose value would come back. `show full` writes the
 * default itself where there is one.
 */
static void print_unset_preset(const struct conf_entry *e, bool full, int level,
			       FILE *out)
{
	const struct schema_attr *sa;
	size_t i;

	if (!e->factory)
		return;
	for (i = 0; i < e->nr_preset; i++) {
		sa = e->preset[i];
		if (entry_attr(e, sa) || (full && sa->def && *sa->def))
			continue;
		indent(level, out);
		fprintf(out, "unset %s\n", sa->name);
	}
}

static void print_body(const struct conf_section *sec,
		       const struct conf_entry *e, bool full, int level,
		       FILE *out)
{
	const struct schema_section *s = sec->schema;
	const struct schema_attr *sa;
	const struct conf_attr *a;
	size_t i;

	/*
	 * In FortiOS's order, not the input's: pasted back, `set exclude
	 * enable` must come before `set exclude-member`. Only what differs
	 * from the default, or (full) every value with the defaults. A
	 * section whose order localin does not know keeps the input's, as a
	 * FortiGate's own backup has it (`show full`: the table's).
	 */
	if (!s->order && !full) {
		for (a = e->attrs; a; a = a->next)
			if (e->factory || !is_default(a))
				print_attr(a, level, out);
		print_unset_preset(e, full, level, out);
		print_sections(e->subs, full, level, out);
		return;
	}
	for (i = 0; i < s->nr_attrs; i++) {
		sa = nth_attr(s, i);
		a = sa ? entry_attr(e, sa) : NULL;
		/*
		 * A built-in entry is shown once edited: all its values, as
		 * the defaults it is compared with are the built-in ones.
		 */
		if (a && (full || e->factory || !is_default(a)))
			print_attr(a, level, out);
		else if (!a && full && sa && sa->def && *sa->def)
			print_default(sa, level, out);
	}
	print_unset_preset(e, full, level, out);
	print_sections(e->subs, full, level, out);
}

static bool entry_shown(const struct conf_entry *e, bool full)
{
	return full || !e->factory || e->touched;
}

static void print_entry(const struct conf_section *sec,
			const struct conf_entry *e, bool full, int level,
			FILE *out)
{
	indent(level, out);
	fputs("edit ", out);
	conf_print_word(e->key, sec->schema->key == SK_NAME, out);
	fputc('\n', out);
	print_body(sec, e, full, level + 1, out);
	indent(level, out);
	fputs("next\n", out);
}

/* The name the built-in defaults gave @e, which `delete` and `rename` take. */
static const char *factory_name(const struct conf_entry *e)
{
	return e->factory_key ? e->factory_key : e->key;
}

static bool renamed(const struct conf_entry *e)
{
	return e->factory_key && strcmp(e->factory_key, e->key);
}

static void print_command(const struct conf_section *sec, const char *verb,
			  const char *key, const char *to, int level, FILE *out)
{
	bool q = sec->schema->key == SK_NAME;

	indent(level, out);
	fprintf(out, "%s ", verb);
	conf_print_word(key, q, out);
	if (to) {
		fputs(" to ", out);
		conf_print_word(to, q, out);
	}
	fputc('\n', out);
}

/* A rename `show` prints: @from, or the name it went aside to, to @to. */
struct rename_step {
	const char *from, *to;
	char aside[32];
	bool done;
};

/* Whether @name is still held by a predefined entry not renamed yet. */
static bool name_held(const struct rename_step *r, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!r[i].done && !strcmp(r[i].from, name))
			return true;
	return false;
}

/*
 * The renames of predefined entries, each once its new name is free
 * (`rename "HTTPS" to "HTTPS-old"` before `rename "HTTP" to "HTTPS"`);
 * of names swapped, one goes aside first, to a name no entry has.
 */
static void print_renames(const struct conf_section *sec, int level, FILE *out)
{
	const struct conf_entry *e;
	struct rename_step *r;
	size_t n = 0, left, i, k = 0;
	bool moved;

	for (e = sec->entries; e; e = e->next)
		n += renamed(e);
	if (!n)
		return;
	r = calloc(n, sizeof(*r));
	if (!r) { /* out of memory: in table order, which may fail read again */
		for (e = sec->entries; e; e = e->next)
			if (renamed(e))
				print_command(sec, "rename", e->factory_key,
					      e->key, level, out);
		return;
	}
	for (n = 0, e = sec->entries; e; e = e->next)
		if (renamed(e))
			r[n++] = (struct rename_step){ .from = e->factory_key,
						       .to = e->key };
	for (left = n; left;) {
		moved = false;
		for (i = 0; i < n; i++) {
			if (r[i].done || name_held(r, n, r[i].to))
				continue;
			print_command(sec, "rename", r[i].from, r[i].to, level,
				      out);
			r[i].done = moved = true;
			left--;
		}
		if (moved)
			continue;
		for (i = 0; r[i].done; i++)
			;
		do
			snprintf(r[i].aside, sizeof(r[i].aside),
				 "localin-rename-%zu", ++k);
		while (conf_entry_get(sec, r[i].aside) ||
		       name_held(r, n, r[i].aside));
		print_command(sec, "rename", r[i].from, r[i].aside, level, out);
		r[i].from = r[i].aside;
	}
	free(r);
}

static void print_section(const struct conf_section *sec, bool full, int level,
			  FILE *out)
{
	const struct conf_entry *e;

	indent(level, out);
	fprintf(out, "config %s\n", sec->schema->path);
	if (sec->schema->key == SK_NONE) {
		print_body(sec, sec->entries, full, level + 1, out);
	} else {
		/*
		 * First: an entry of that name after them is a new one, and
		 * a rename may take a name a delete frees.
		 */
		for (e = sec->gone; e; e = e->next)
			print_command(sec, "delete", factory_name(e), NULL,
				      level + 1, out);
		print_renames(sec, level + 1, out);
		for (e = sec->entries; e; e = e->next)
			if (entry_shown(e, full))
				print_entry(sec, e, full, level + 1, out);
	}
	indent(level, out);
	fputs("end\n", out);
}

/* A singleton nobody configured, with its defaults (`show full`). */
static void print_unset_singleton(const struct schema_section *s, FILE *out)
{
	struct conf_entry body = { 0 };
	struct conf_section tmp = { .schema = s, .entries = &body };

	print_section(&tmp, true, 0, out);
}

/* Is there anything in @sec that `show` would print? */
static bool section_shown(const struct conf_section *sec, bool full)
{
	const struct conf_entry *e;
	const struct conf_attr *a;

	if (full || sec->gone)
		return true;
	if (sec->schema->key != SK_NONE) {
		for (e = sec->entries; e; e = e->next)
			if (entry_shown(e, full) || renamed(e))
				return true;
		return false;
	}
	e = sec->entries;
	for (a = e->attrs; a; a = a->next)
		if (!is_default(a))
			return true;
	for (sec = e->subs; sec; sec = sec->next)
		if (section_shown(sec, full))
			return true;
	return false;
}

static void print_sections(const struct conf_section *sec, bool full, int level,
			   FILE *out)
{
	for (; sec; sec = sec->next)
		if (section_shown(sec, full))
			print_section(sec, full, level, out);
}

/* `show SECTION KEY`: the one entry, as FortiOS shows it. */
static int print_one_entry(const struct conf_section *sec,
			   const struct schema_section *want, const char *key,
			   bool full, FILE *out)
{
	const struct conf_entry *e;

	if (want->key == SK_NONE)
		return -EINVAL;
	e = sec ? conf_entry_get(sec, key) : NULL;
	if (!e)
		return -ESRCH;
	fprintf(out, "config %s\n", want->path);
	print_entry(sec, e, full, 1, out);
	fputs("end\n", out);
	return 0;
}

void conf_print_section(const struct conf_section *sec,
			const struct conf_entry *e, bool full, FILE *out)
{
	if (!e || sec->schema->key == SK_NONE) {
		print_section(sec, full, 0, out);
		return;
	}
	fprintf(out, "config %s\n", sec->schema->path);
	print_entry(sec, e, full, 1, out);
	fputs("end\n", out);
}

int conf_print(const struct conf_tree *t, const struct conf_print_opts *opts,
	       FILE *out)
{
	const struct schema_section *want = NULL;
	const struct conf_section *sec;
	size_t i;

	if (opts->section) {
		want = schema_find_section(opts->section);
		if (!want)
			return -ENOENT;
		sec = conf_section_get(t->sections, want);
		if (opts->key)
			return print_one_entry(sec, want, opts->key, opts->full,
					       out);
		if (sec)
			print_section(sec, opts->full, 0, out);
		else if (opts->full && want->key == SK_NONE)
			print_unset_singleton(want, out);
		else
			fprintf(out, "config %s\nend\n", want->path);
		return 0;
	}
	/* Top-level sections in the schema's order, not the input's. */
	for (i = 0; i < schema_nr_sections; i++) {
		sec = conf_section_get(t->sections, schema_sections[i]);
		if (sec && section_shown(sec, opts->full))
			print_section(sec, opts->full, 0, out);
		else if (!sec && opts->full &&
			 schema_sections[i]->key == SK_NONE)
			print_unset_singleton(schema_sections[i], out);
	}
	return 0;
}
