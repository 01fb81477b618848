// SPDX-License-Identifier: GPL-2.0
/*
 * The config-editing commands of `localin cli`, at the levels FortiOS has
 * them: the shell keeps the open levels (a table, an edit, a singleton's
 * body; shell_session.c) and hands each attribute or table command to
 * conf_exec(), so a value is checked exactly as in a file. FortiOS's own
 * error lines come first, then localin's message.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/shell.h"
#include "conf/lexer.h"
#include "conf/parser.h"
#include "conf/printer.h"
#include "objects/objects.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static bool ref_exists(struct shell *s, const char *const *to, int n,
		       const char *name)
{
	for (int i = 0; i < n; i++) {
		const struct conf_section *sec =
			conf_tree_section(&s->tree, to[i]);

		if (sec && conf_entry_get(sec, name))
			return true;
	}
	return false;
}

/* The word of @w a diagnostic points at (the last one if none). */
static const struct conf_word *word_at(const struct diag *d,
				       const struct conf_word *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (w[i].loc.col == d->loc.col)
			return &w[i];
	return &w[n - 1];
}

/* FortiOS's lines for the first error, then every message of localin. */
static int print_diags(struct shell *s, const struct diag_list *dl,
		       const struct conf_word *w, size_t n)
{
	const struct diag *first = NULL;
	size_t i;

	for (i = 0; i < dl->nr; i++)
		if (dl->items[i].level == DIAG_ERROR && !first)
			first = &dl->items[i];
	if (first) {
		const struct conf_word *at = word_at(first, w, n);

		if (strstr(first->msg, "no entry"))
			fprintf(stderr, "entry not found in datasource\n");
		sh_fortios_fail(at - w < 2 && n > 2 ?
					"command parse error before" :
					"value parse error before",
				at->text,
				strstr(first->msg, "no entry") ? RC_NOENT :
				at - w < 2 && n > 2	       ? RC_PARSE :
								 RC_VALUE);
	}
	for (i = 0; i < dl->nr; i++)
		fprintf(stderr, "localin: %s%s%s\n", s->where,
			dl->items[i].level == DIAG_ERROR ? "" : "warning: ",
			dl->items[i].msg);
	return first ? -1 : 0;
}

/*
 * The transaction starts from the file on disk: an edit of it the daemon
 * has not loaded yet is enforced by this one's `end` too. Said before
 * the admin types the change, not after.
 */
static void warn_unenforced(struct shell *s)
{
	struct sh_running r;
	struct stat st;
	char when[32];

	if (!s->online || sh_daemon_config(s->socket, &r) || !r.loaded_at ||
	    stat(s->config, &st) || st.st_mtime <= r.loaded_at)
		return;
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S",
		 localtime(&r.loaded_at));
	sh_error(
		s, NULL,
		"warning: %s changed since the daemon loaded it (%s): the `end` of this config enforces those changes too (`show` them, or `abort` and `localin reload` first)",
		s->config, when);
}

static void copy_entry(struct shell *s, const struct conf_entry *from,
		       struct conf_entry *to, bool uuid);

/* @e as it is now, for `abort` to put back: a deep copy, uuid too. */
static struct conf_entry *snapshot(struct shell *s, const struct conf_entry *e)
{
	struct conf_entry *c = arena_alloc(&s->arena, sizeof(*c));

	*c = *e;
	c->attrs = NULL;
	c->subs = NULL;
	c->next = NULL;
	copy_entry(s, e, c, true);
	return c;
}

/* @e of @sec as `show` prints it, malloc'd (NULL: out of memory). */
static char *entry_text(const struct conf_section *sec,
			const struct conf_entry *e, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (!f)
		return NULL;
	conf_print_section(sec, e, true, f);
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

/* Does the edit @f leaves differ from what `edit` found? */
static bool edit_changed(const struct sh_frame *f)
{
	size_t la, lb;
	char *a, *b;
	bool changed;

	if (f->created || !f->snap)
		return true;
	a = entry_text(f->sec, f->entry, &la);
	b = entry_text(f->sec, f->snap, &lb);
	changed = !a || !b || la != lb || memcmp(a, b, la);
	free(a);
	free(b);
	return changed;
}

static int do_config(struct shell *s, struct conf_word *w, size_t n)
{
	struct sh_frame *f = sh_top(s);
	const struct schema_section *sch;
	char *argv[8];
	const char *bad;
	bool amb;
	int used, i;

	if (f && !f->entry)
		return sh_parse_error(s, w[0].text,
				      "config is not valid in a table");
	if (!f && sh_load(s)) {
		sh_error(s, "Command fail. Return code -1", "%s",
			 s->load_error);
		return -1;
	}
	if (!f) {
		warn_unenforced(s);
		s->saved = false;
		s->apply_failed = false;
	}
	if (n < 2)
		return sh_parse_error(s, w[0].text, "config needs a section");
	for (i = 0; i < 8 && (size_t)i + 1 < n; i++)
		argv[i] = w[i + 1].text;
	sch = sh_find_path(s, argv, i, &used, &bad, &amb);
	if (!sch || (size_t)used + 1 < n) {
		bad = bad		   ? bad :
		      (size_t)used + 1 < n ? w[used + 1].text :
					     NULL;
		if (!bad)
			return sh_parse_error(s, w[n - 1].text,
					      "incomplete section name");
		if (amb)
			return sh_parse_error(
				s, bad,
				"ambiguous \"%s\": several sections start so",
				bad);
		/* the file's words (parser.c): '' is no name, not an unknown one */
		if (!*bad)
			return sh_parse_error(
				s, bad,
				"config needs a section name, not \"\"");
		return sh_parse_error(s, bad, "no section \"%s\" %s", bad,
				      f ? "in this entry" : "known to localin");
	}
	if (s->depth == SH_MAX_DEPTH - 1)
		return sh_parse_error(s, w[1].text, "nested too deep");
	f = &s->stack[s->depth];
	*f = (struct sh_frame){ .renames = s->nr_renames };
	/* A nested config is the entry's change: abort puts it all back */
	if (s->depth)
		f->snap = snapshot(s, sh_top(s)->entry);
	f->sec = conf_section_open(&s->tree,
				   s->depth ? &sh_top(s)->entry->subs :
					      &s->tree.sections,
				   sch, &w[0].loc);
	if (s->depth)
		sh_top(s)->entry->touched = true;
	f->entry = sch->key == SK_NONE ? f->sec->entries : NULL;
	/* A singleton's body, as an edit: saved by its end only */
	if (!s->depth && f->entry)
		f->snap = snapshot(s, f->entry);
	s->depth++;
	return 0;
}

static int do_edit(struct shell *s, struct conf_word *w, size_t n)
{
	struct sh_frame *f = sh_top(s);
	struct diag_list dl;
	struct conf_entry *e;
	const char *key;
	char buf[16];

	if (n != 2)
		return sh_parse_error(
			s, n > 2 ? w[2].text : w[0].text, "usage: edit <%s>",
			f->sec->schema->key == SK_ID ? "id" : "name");
	diag_init(&dl, &s->arena);
	key = conf_edit_key(f->sec, &w[1], buf, sizeof(buf), &dl);
	if (!key)
		return print_diags(s, &dl, w, n);
	e = conf_entry_get(f->sec, key);
	s->stack[s->depth] =
		(struct sh_frame){ .sec = f->sec,
				   .snap = e ? snapshot(s, e) : NULL,
				   .created = !e,
				   .renames = s->nr_renames };
	if (!e)
		e = conf_entry_open(&s->tree, f->sec, key, &w[1].loc);
	s->stack[s->depth++].entry = e;
	return 0;
}

/*
 * A group holds one member at least: FortiOS's node_check_object refuses
 * an empty one as it refuses a missing required value (-56). An empty
 * group in a policy matches nothing, so the policy would change meaning.
 */
static bool is_group(const struct schema_section *sch)
{
	static const char *const groups[] = { "firewall addrgrp",
					      "firewall addrgrp6",
					      "firewall service group",
					      "firewall schedule group" };

	for (int i = 0; i < N(groups); i++)
		if (!strcmp(sch->path, groups[i]))
			return true;
	return false;
}

static void empty_group_error(struct shell *s, const struct sh_frame *f,
			      const char *why)
{
	char line[160];

	snprintf(
		line, sizeof(line),
		"node_check_object fail! for member\nAttribute 'member' MUST be set.\nCommand fail. Return code %d",
		RC_REQUIRED);
	sh_error(
		s, line,
		"%s \"%s\" %s: a group has one member at least (set the new members, or delete the group)",
		f->sec->schema->path, f->entry->key, why);
}

/* Would this unset, clear or unselect take a group's last member? */
static bool empties_group(const struct sh_frame *f, const struct schema_attr *a,
			  struct conf_word *w, size_t n)
{
	const struct conf_attr *cur;
	size_t left = 0, v, i;

	if (!is_group(f->sec->schema) || strcmp(a->name, "member"))
		return false;
	cur = conf_attr_get(f->entry, "member");
	if (!cur)
		return false; /* none to take: a new group, left at next */
	if (!strcmp(w[0].text, "unset") || !strcmp(w[0].text, "clear"))
		return true;
	if (strcmp(w[0].text, "unselect"))
		return false;
	for (v = 0; v < cur->nr_vals; v++) {
		for (i = 2; i < n && strcmp(w[i].text, cur->vals[v].text); i++)
			;
		left += i == n;
	}
	return !left;
}

/* FortiOS's check when an edit is left: every required value is set. */
static int check_required(struct shell *s, const struct sh_frame *f)
{
	const struct schema_section *sch = f->sec->schema;
	char line[160];

	if (!f->entry || sch->key == SK_NONE ||
	    (f->entry->factory && !f->entry->touched))
		return 0;
	for (size_t i = 0; i < sch->nr_attrs; i++) {
		const struct schema_attr *a = &sch->attrs[i];

		if (!(a->flags & SA_REQUIRED) || a->def ||
		    conf_attr_get(f->entry, a->name))
			continue;
		snprintf(
			line, sizeof(line),
			"node_check_object fail! for %s\nAttribute '%s' MUST be set.\nCommand fail. Return code %d",
			a->name, a->name, RC_REQUIRED);
		sh_error(
			s, line,
			"%s is required in config %s, edit %s (set it, or abort)",
			a->name, sch->path, f->entry->key);
		return -1;
	}
	if (is_group(sch) && !conf_attr_get(f->entry, "member")) {
		empty_group_error(s, f, "has no member");
		return -1;
	}
	return 0;
}

static int do_next(struct shell *s, struct conf_word *w, size_t n)
{
	if (check_required(s, sh_top(s)))
		return -1;
	/* FortiOS saves the outermost table's entry here */
	if (s->depth == 2 && !s->saved)
		s->saved = edit_changed(sh_top(s));
	s->depth--;
	return 0;
}

/*
 * `end` closes an open edit and its config together, as on FortiOS. The
 * outermost one applies; when that fails, the levels stay open as they
 * were, for the admin to fix the change or `abort` it.
 */
static int do_end(struct shell *s, struct conf_word *w, size_t n)
{
	struct sh_frame saved[SH_MAX_DEPTH];
	int depth = s->depth;
	struct sh_frame *f = sh_top(s);

	if (f->entry && f->sec->schema->key != SK_NONE) {
		if (check_required(s, f))
			return -1;
		s->depth--;
	}
	memcpy(saved, s->stack, sizeof(saved));
	s->depth--;
	if (s->depth || !sh_apply(s))
		return 0;
	memcpy(s->stack, saved, sizeof(saved));
	s->depth = depth;
	s->apply_failed = true;
	return -1;
}

/*
 * Level @i's changes undone: its entry (an edit's; a nested config's,
 * the entry it is in) as it was when the level opened, and the
 * references renamed since then named as before.
 */
static void discard(struct shell *s, int i)
{
	struct sh_frame *f = &s->stack[i];
	bool edit = i && f->sec == s->stack[i - 1].sec;
	struct conf_entry *e = edit || !i ? f->entry : s->stack[i - 1].entry;

	while (s->nr_renames > f->renames) {
		const struct sh_rename *r = &s->renames[--s->nr_renames];

		sh_ref_rename(s, r->path, r->to, r->from);
	}
	if (f->created) {
		conf_entry_delete(f->sec, f->entry->key);
	} else if (f->snap) {
		struct conf_entry *next = e->next;

		*e = *f->snap;
		e->next = next;
	}
}

/*
 * FortiOS's abort: "end and discard last config". It ends what `end`
 * would end, without that level's changes: in a nested config (an
 * interface's secondaryip), all of that config, back to the entry; at
 * the outermost level the open edit only, since FortiOS saved each
 * `next` and each delete, rename and move as typed. Those are applied
 * here as `end` applies them (said so); if none changed anything,
 * nothing is applied. After a refused apply (of `end` or of this) the table
 * stays open, and `abort` drops every staged change, as said.
 */
static int do_abort(struct shell *s, struct conf_word *w, size_t n)
{
	const struct sh_frame *f = sh_top(s);
	int level = s->depth - 1; /* the config frame abort ends */

	if (f->entry && f->sec->schema->key != SK_NONE)
		level--;
	if (level > 0) {
		discard(s, level);
		s->depth = level;
		return 0;
	}
	if (s->apply_failed) {
		s->depth = 0;
		sh_load(s);
		sh_error(s, NULL, "every staged change dropped");
		return 0;
	}
	discard(s, s->depth - 1);
	if (!s->saved) {
		s->depth = 0;
		sh_load(s);
		return 0;
	}
	sh_error(
		s, NULL,
		"abort: %swhat `next`, delete, rename, move or clone saved in this config is applied, as FortiOS keeps it",
		s->depth > 1 ? "the open edit's changes are dropped; " : "");
	s->depth = 0;
	if (!sh_apply(s))
		return 0;
	s->depth = 1;
	s->apply_failed = true;
	sh_error(s, NULL,
		 "fix it and `end`, or `abort` again to drop every change");
	return -1;
}

/*
 * '' for a name (`set srcaddr ''`): FortiOS's lines, then the loader's own
 * error for it (what to write), not "no address": the same words as the
 * file's. True when refused, said.
 */
static bool empty_name(struct shell *s, const struct sh_frame *f,
		       const struct schema_attr *a, const struct conf_word *w,
		       size_t n, size_t i)
{
	const struct conf_attr *had = f->entry && !strcmp(w[0].text, "append") ?
					      conf_attr_get(f->entry, a->name) :
					      NULL;
	const char *msg;

	if (*w[i].text)
		return false;
	/* append adds to what the list has; select replaces it, as set */
	msg = obj_empty_name_error(&s->arena, f->sec->schema->path,
				   f->entry && f->entry->key ? f->entry->key :
							       "",
				   a->name, n - 2 + (had ? had->nr_vals : 0));
	if (!msg)
		return false;
	fprintf(stderr, "entry not found in datasource\n");
	sh_fortios_fail("value parse error before", w[i].text, RC_NOENT);
	fprintf(stderr, "localin: %s%s\n", s->where, msg);
	return true;
}

/* Words after the attribute: enum abbreviations expanded, refs checked. */
static int prepare_values(struct shell *s, const struct sh_frame *f,
			  const struct schema_attr *a, struct conf_word *w,
			  size_t n)
{
	const char *to[4];
	int nto = sh_ref_sections(f->sec->schema, a->name, to, 4);
	bool set = !strcmp(w[0].text, "set") || !strcmp(w[0].text, "append") ||
		   !strcmp(w[0].text, "select");

	for (size_t i = 2; i < n; i++) {
		if (set && empty_name(s, f, a, w, n, i))
			return -1;
		if ((a->type == ST_ENUM || a->type == ST_ENUMS) && a->enums) {
			int cnt = 0, k;

			while (a->enums[cnt])
				cnt++;
			k = sh_keyword(w[i].text, a->enums, cnt);
			if (k >= 0)
				w[i].text = (char *)a->enums[k];
		}
		if (set && nto && !ref_exists(s, to, nto, w[i].text)) {
			fprintf(stderr, "entry not found in datasource\n");
			sh_fortios_fail("value parse error before", w[i].text,
					RC_NOENT);
			fprintf(stderr, "localin: %sno %s \"%s\" (%s%s%s)\n",
				s->where,
				strstr(to[0], "service")  ? "service" :
				strstr(to[0], "schedule") ? "schedule" :
							    "address",
				w[i].text, to[0], nto > 1 ? ", " : "",
				nto > 1 ? to[1] : "");
			return -1;
		}
	}
	return 0;
}

static int do_attr(struct shell *s, struct conf_word *w, size_t n)
{
	struct sh_frame *f = sh_top(s);
	const struct schema_attr *a;
	struct diag_list dl;
	bool amb;

	if (n < 2)
		return sh_parse_error(s, w[0].text, "%s needs an attribute",
				      w[0].text);
	a = sh_find_attr(f->sec->schema, w[1].text, &amb);
	if (!a)
		return sh_parse_error(s, w[1].text,
				      "%s attribute \"%s\" in config %s",
				      amb ? "ambiguous" : "unknown", w[1].text,
				      f->sec->schema->path);
	w[1].text = (char *)a->name;
	if (empties_group(f, a, w, n)) {
		empty_group_error(s, f, "would have no member left");
		return -1;
	}
	if (prepare_values(s, f, a, w, n))
		return -1;
	diag_init(&dl, &s->arena);
	conf_exec(&s->tree, f->sec, f->entry, w, n, &dl);
	return print_diags(s, &dl, w, n);
}

/*
 * FortiOS refuses to delete an entry another one names (-23), at the
 * delete: refused only at the outermost `end`, the admin would learn it
 * after the rest of the change. @skip: a section whose users go too
 * (purge). True when refused, said.
 */
static bool in_use(struct shell *s, const char *path, const char *key,
		   const char *skip)
{
	struct sh_user u;
	int n = sh_ref_users(s, path, key, skip, &u);

	if (!n)
		return false;
	fflush(stdout);
	fprintf(stderr,
		"The entry is used by other %d entries\nCommand fail. Return code %d\n",
		n, RC_USED);
	fprintf(stderr,
		"localin: %s%s \"%s\" is used by %s \"%s\" (%s)%s; change %s first\n",
		s->where, path, key, u.sec, u.key, u.attr,
		n > 1 ? " and others" : "", n > 1 ? "them" : "it");
	return true;
}

static int do_table(struct shell *s, struct conf_word *w, size_t n)
{
	static const char *const where[] = { "before", "after" };
	struct conf_section *sec = sh_top(s)->sec;
	const char *taken;
	struct diag_list dl;
	char path[128];
	int k;

	/* "system sdwan zone" for SD-WAN's zone table: what refs name */
	sh_table_path(s, path, sizeof(path));
	if (!strcmp(w[0].text, "move") && n == 4) {
		k = sh_keyword(w[2].text, where, 2);
		if (k >= 0)
			w[2].text = (char *)where[k];
	}
	if (!strcmp(w[0].text, "delete") && n == 2 &&
	    conf_entry_get(sec, w[1].text) && in_use(s, path, w[1].text, NULL))
		return -1;
	if (!strcmp(w[0].text, "purge") && n == 1)
		for (struct conf_entry *e = sec->entries; e; e = e->next)
			if (in_use(s, path, e->key, path))
				return -1;
	/* Or the references renamed would name the other one, for good. */
	if (!strcmp(w[0].text, "rename") && n == 4 &&
	    (taken = sh_ref_taken(s, path, w[3].text))) {
		sh_error(s, "Command fail. Return code -5",
			 "\"%s\" is the name of a %s entry already", w[3].text,
			 taken);
		return -1;
	}
	diag_init(&dl, &s->arena);
	k = conf_exec(&s->tree, sec, NULL, w, n, &dl);
	/* FortiOS does a delete, rename, move or purge as typed */
	s->saved |= !k && s->depth == 1;
	if (!k && !strcmp(w[0].text, "rename") && sec->schema->key != SK_ID &&
	    /* As on FortiOS, what named the entry names it still. */
	    sh_ref_rename(s, path, w[1].text, w[3].text))
		*ARENA_PUSH(&s->arena, s->renames, s->nr_renames,
			    s->cap_renames) = (struct sh_rename){
			.path = arena_strdup(&s->arena, path),
			.from = arena_strdup(&s->arena, w[1].text),
			.to = arena_strdup(&s->arena, w[3].text),
		};
	return print_diags(s, &dl, w, n);
}

/* @from's values into @to (the uuid only if @uuid), its nested tables. */
static void copy_entry(struct shell *s, const struct conf_entry *from,
		       struct conf_entry *to, bool uuid)
{
	const struct conf_attr *a;

	for (a = from->attrs; a; a = a->next) {
		struct conf_attr *c;

		if (!uuid && !strcmp(a->schema->name, "uuid"))
			continue;
		c = conf_attr_set(&s->tree, to, a->schema, &a->name_loc);
		c->vals = arena_alloc(&s->arena, a->nr_vals * sizeof(*c->vals));
		memcpy(c->vals, a->vals, a->nr_vals * sizeof(*c->vals));
		c->nr_vals = c->cap_vals = a->nr_vals;
	}
	for (const struct conf_section *sub = from->subs; sub;
	     sub = sub->next) {
		struct conf_section *c = conf_section_open(
			&s->tree, &to->subs, sub->schema, &sub->loc);

		for (const struct conf_entry *e = sub->entries; e; e = e->next)
			copy_entry(s, e,
				   e->key ? conf_entry_open(&s->tree, c, e->key,
							    &e->loc) :
					    c->entries,
				   uuid);
	}
}

/* clone OLD to NEW: the values (not the uuid) and nested tables. */
static int do_clone(struct shell *s, struct conf_word *w, size_t n)
{
	struct conf_section *sec = sh_top(s)->sec;
	struct conf_entry *from, *to;
	struct diag_list dl;
	const char *key;
	char buf[16];

	if (n != 4 || strcmp(w[2].text, "to"))
		return sh_parse_error(s, n > 2 ? w[2].text : w[0].text,
				      "usage: clone <key> to <new key>");
	from = conf_entry_get(sec, w[1].text);
	if (!from) {
		fprintf(stderr, "entry not found in datasource\n");
		sh_fortios_fail("value parse error before", w[1].text,
				RC_NOENT);
		sh_error(s, NULL, "no entry \"%s\" to clone", w[1].text);
		return -1;
	}
	diag_init(&dl, &s->arena);
	key = conf_edit_key(sec, &w[3], buf, sizeof(buf), &dl);
	if (!key)
		return print_diags(s, &dl, w, n);
	if (conf_entry_get(sec, key)) {
		sh_error(s, "Command fail. Return code -5",
			 "entry \"%s\" already exists", key);
		return -1;
	}
	to = conf_entry_open(&s->tree, sec, key, &w[3].loc);
	copy_entry(s, from, to, false);
	s->saved |= s->depth == 1;
	return 0;
}

static int do_exit(struct shell *s, struct conf_word *w, size_t n)
{
	if (s->depth) {
		sh_error(
			s, "please use 'end' to return to root shell",
			"`end` applies the staged changes, `abort` drops the open edit's");
		return -1;
	}
	s->quit = true;
	return 0;
}

typedef int sh_cmd_fn(struct shell *s, struct conf_word *w, size_t n);

static const struct {
	const char *name;
	sh_cmd_fn *fn;
} handlers[] = {
	{ "abort", do_abort },	 { "append", do_attr },
	{ "clear", do_attr },	 { "clone", do_clone },
	{ "config", do_config }, { "delete", do_table },
	{ "edit", do_edit },	 { "end", do_end },
	{ "exit", do_exit },	 { "move", do_table },
	{ "next", do_next },	 { "purge", do_table },
	{ "rename", do_table },	 { "select", do_attr },
	{ "set", do_attr },	 { "unselect", do_attr },
	{ "unset", do_attr },
};

static int run_words(struct shell *s, struct conf_word *w, size_t n)
{
	const char *cmds[16];
	char *argv[SH_MAX_WORDS];
	int nc = sh_level_commands(s, cmds, 16), k, i;

	k = w[0].quoted ? -ENOENT : sh_keyword(w[0].text, cmds, nc);
	if (k < 0)
		return sh_parse_error(s, w[0].text, "%s command \"%s\" here",
				      k == -EAGAIN ? "ambiguous" : "no",
				      w[0].text);
	w[0].text = (char *)cmds[k];
	for (i = 0; (size_t)i < n && i < SH_MAX_WORDS; i++)
		argv[i] = w[i].text;
	if (!strcmp(cmds[k], "show"))
		return sh_show(s, argv, i, stdout);
	if (!strcmp(cmds[k], "get"))
		return sh_get(s, argv, i, stdout);
	if (sh_is_dispatched(cmds[k]))
		return sh_dispatch(s, i, argv) ? -1 : 0;
	for (i = 0; i < N(handlers); i++)
		if (!strcmp(handlers[i].name, cmds[k]))
			return handlers[i].fn(s, w, n);
	return sh_parse_error(s, w[0].text, "not implemented");
}

/*
 * grep with the words after it (options and pattern, quoted as on the
 * line), run without a shell: nothing of the line is a shell command.
 * Its pid, with *fd the pipe into it; -1 on failure.
 */
static pid_t start_grep(const char *words, int *fd)
{
	char buf[1024], *argv[34];
	bool partial;
	int n, p[2];
	pid_t pid;

	argv[0] = "grep";
	n = sh_tokenize(words, buf, sizeof(buf), argv + 1, 32, &partial);
	if (n < 1 || pipe(p))
		return -1;
	argv[n + 1] = NULL;
	pid = fork();
	if (pid == 0) {
		dup2(p[0], STDIN_FILENO);
		close(p[0]);
		close(p[1]);
		execvp("grep", argv);
		_exit(127);
	}
	close(p[0]);
	if (pid < 0)
		close(p[1]);
	*fd = p[1];
	return pid;
}

/*
 * `COMMAND | grep PATTERN`: the command's stdout into grep, whichever
 * writes it (show, get, or a dispatched diagnose).
 */
static int piped(struct shell *s, struct conf_word *w, size_t n,
		 const char *grep)
{
	struct sigaction old;
	int saved, fd, ret, status;
	pid_t pid;

	fflush(stdout);
	pid = start_grep(grep, &fd);
	if (pid < 0) {
		sh_error(s, NULL, "cannot run grep %s", grep);
		return -1;
	}
	/* grep -m1, -q: it may be gone before the command is done writing. */
	sigaction(SIGPIPE, &(struct sigaction){ .sa_handler = SIG_IGN }, &old);
	saved = dup(STDOUT_FILENO);
	dup2(fd, STDOUT_FILENO);
	close(fd);
	ret = run_words(s, w, n);
	fflush(stdout);
	clearerr(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	sigaction(SIGPIPE, &old, NULL);
	if (waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) > 1) {
		/* 1 is "no line matched"; more, grep said why (a script stops) */
		sh_error(s, NULL, "grep %s failed (exit %d)", grep,
			 WEXITSTATUS(status));
		return -1;
	}
	return ret;
}

/* `show | grep PATTERN`: the words after grep. */
static const char *pipe_filter(const char *bar)
{
	const char *p = bar + 1;

	p += strspn(p, " \t");
	if (strncmp(p, "grep", 4) || !p[4] || !strchr(" \t", p[4]))
		return NULL;
	return p + 5;
}

int sh_exec_line(struct shell *s, const char *line)
{
	const char *bar = sh_find_unquoted(line, '|'), *grep = NULL;
	size_t len = bar ? (size_t)(bar - line) : strlen(line);
	struct conf_source *src;
	struct conf_word *w;
	struct diag_list dl;
	struct lexer lx;
	int n, ret;

	if (bar && !(grep = pipe_filter(bar)))
		return sh_parse_error(
			s, "|", "only `| grep PATTERN` follows a command");
	/* Not in the tree's arena: `config` loads the tree again. */
	src = conf_source_mem(&s->lines, "cli", line, len, false);
	diag_init(&dl, &s->lines);
	lexer_init(&lx, src, &dl);
	n = lexer_next(&lx, &w);
	if (n <= 0) {
		lexer_fini(&lx);
		return 0; /* blank, or a # comment */
	}
	if (dl.errors)
		ret = print_diags(s, &dl, w, (size_t)n);
	else if (grep)
		ret = piped(s, w, (size_t)n, grep);
	else
		ret = run_words(s, w, (size_t)n);
	lexer_fini(&lx);
	return ret;
}
