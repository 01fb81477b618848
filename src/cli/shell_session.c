// SPDX-License-Identifier: GPL-2.0
/*
 * The session of `localin cli`: the file's tree loaded, the levels open,
 * the prompt, the commands of each level, and the schema lookups that
 * execution and completion share (section paths, attributes and the
 * sections a reference names, all abbreviated as FortiOS takes them).
 * FortiOS's error lines are printed here too.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/shell.h"
#include "conf/parser.h"
#include "conf/refs.h"

static const char *const top_cmds[] = { "config",   "show",    "get",
					"diagnose", "execute", "exit" };
static const char *const table_cmds[] = { "edit", "delete", "purge", "rename",
					  "move", "clone",  "show",  "get",
					  "end",  "exit",   "abort" };
static const char *const entry_cmds[] = {
	"set",	"unset", "append", "select", "unselect", "clear", "config",
	"next", "end",	 "abort",  "exit",   "show",	 "get"
};
/* A singleton's body: no next. */
static const char *const body_cmds[] = { "set",	   "unset",    "append",
					 "select", "unselect", "clear",
					 "config", "end",      "abort",
					 "exit",   "show",     "get" };

static const struct {
	const char *cmd, *help;
} helps[] = {
	{ "abort", "End and discard last config (the open edit's changes)." },
	{ "append", "Add values to a list." },
	{ "clear", "Set a list to its default value (as unset)." },
	{ "clone", "Clone an entry: clone <key> to <new key>." },
	{ "config", "Configure object." },
	{ "delete", "Delete an entry." },
	{ "diagnose", "Diagnose facility." },
	{ "edit", "Add or edit an entry." },
	{ "end", "End; the outermost end applies the changes." },
	{ "execute", "Execute static commands." },
	{ "exit", "Exit the CLI." },
	{ "get", "Get dynamic and system information." },
	{ "move", "Move an entry: move <id> before|after <id>." },
	{ "next", "Configure the next entry." },
	{ "purge", "Delete all entries of this table." },
	{ "rename", "Rename an entry: rename <key> to <new key>." },
	{ "select", "Replace a list's values (as set)." },
	{ "set", "Modify value." },
	{ "show", "Show configuration." },
	{ "unselect", "Remove values from a list." },
	{ "unset", "Set to default value." },
};

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

const char *sh_command_help(const char *cmd)
{
	for (int i = 0; i < N(helps); i++)
		if (!strcmp(helps[i].cmd, cmd))
			return helps[i].help;
	return "";
}

int sh_level_commands(const struct shell *s, const char **out, int max)
{
	const struct sh_frame *f = s->depth ? &s->stack[s->depth - 1] : NULL;
	const char *const *c = top_cmds;
	int n = N(top_cmds), i;

	if (f && f->sec->schema->key == SK_NONE) {
		c = body_cmds;
		n = N(body_cmds);
	} else if (f && f->entry) {
		c = entry_cmds;
		n = N(entry_cmds);
	} else if (f) {
		c = table_cmds;
		n = N(table_cmds);
	}
	for (i = 0; i < n && i < max; i++)
		out[i] = c[i];
	return i;
}

void sh_error(struct shell *s, const char *fortios, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	if (fortios)
		fprintf(stderr, "%s\n", fortios);
	fprintf(stderr, "localin: %s", s->where);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void sh_fortios_fail(const char *what, const char *word, int rc)
{
	fflush(stdout);
	fprintf(stderr, "%s '%s'\nCommand fail. Return code %d\n", what, word,
		rc);
}

int sh_parse_error(struct shell *s, const char *word, const char *fmt, ...)
{
	va_list ap;

	sh_fortios_fail("command parse error before", word, RC_PARSE);
	fprintf(stderr, "localin: %s", s->where);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* Does the file declare VDOMs (`config vdom` at the start of a line)? */
static bool has_vdoms(const char *text)
{
	const char *p = text;

	while (p) {
		p += strspn(p, " \t");
		if (!strncmp(p, "config vdom", 11) &&
		    strchr(" \t\r\n", p[11] ? p[11] : '\n'))
			return true;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return false;
}

int sh_load(struct shell *s)
{
	struct conf_source *src = NULL;
	struct diag_list dl;
	const char *why;
	bool vdoms;
	int err;

	arena_reset(&s->arena);
	s->renames = NULL;
	s->nr_renames = s->cap_renames = 0;
	conf_tree_init(&s->tree, &s->arena);
	s->tree.vdom = s->vdom; /* NULL: root */
	diag_init(&dl, &s->arena);
	s->load_error = NULL;
	s->loaded = true;
	err = conf_source_read(&s->arena, s->config, &src, &why);
	if (err == -ENOENT && !s->online)
		src = conf_source_mem(&s->arena, s->config, "", 0, false);
	else if (err) {
		s->load_error = arena_printf(&s->arena, "cannot read %s: %s",
					     s->config, why);
		return -1; /* no tree: show and get do not pass it for the file */
	}
	s->base = src->text;
	s->base_len = src->len;
	vdoms = has_vdoms(src->text);
	if (conf_load(&s->tree, src, &dl)) {
		if (vdoms) {
			conf_tree_init(&s->tree, &s->arena);
			s->load_error = arena_printf(
				&s->arena,
				"%s has `config vdom` (several VDOMs): the cli does not edit a multi-VDOM config yet; edit the file and `localin reload`",
				s->config);
			return -1;
		}
		/* What parsed is not the file: show and get must not pass it off */
		conf_tree_init(&s->tree, &s->arena);
		s->load_error = arena_printf(
			&s->arena,
			"%s has errors (see `localin check -c %s`); fix them in the file first",
			s->config, s->config);
		return -1;
	}
	/*
	 * Reading (show, get, ? and tab) goes on, of `config global` and the
	 * VDOM loaded (as `localin show -c FILE`); a `config` is refused.
	 */
	if (vdoms) {
		s->load_error = arena_printf(
			&s->arena,
			"%s has `config vdom` (several VDOMs): the cli does not edit a multi-VDOM config yet (show and get read `config global` and VDOM %s); edit the file and `localin reload`",
			s->config, conf_tree_vdom(&s->tree));
		return -1;
	}
	if (s->tree.nr_skipped) {
		s->load_error = arena_printf(
			&s->arena,
			"%s has %u section%s localin does not know; saving would drop them: edit the file instead",
			s->config, s->tree.nr_skipped,
			s->tree.nr_skipped == 1 ? "" : "s");
		return -1;
	}
	return 0;
}

void sh_prompt(struct shell *s, char *buf, size_t size)
{
	const struct conf_section *g =
		conf_tree_section(&s->tree, "system global");
	const char *host =
		g && g->entries ? conf_attr_str(g->entries, "hostname") : NULL;
	const struct sh_frame *f = sh_top(s);
	char sys[64] = "";
	const char *label = NULL;

	/*
	 * FortiOS's default hostname is the unit's serial number; a Linux
	 * gateway's own identity is its host name.
	 */
	if (!host || !*host) {
		if (gethostname(sys, sizeof(sys) - 1) || !*sys)
			strcpy(sys, "FortiGate");
		host = sys;
	}
	if (f && f->entry && f->sec->schema->key != SK_NONE) {
		label = f->entry->key;
	} else if (f) {
		label = strrchr(f->sec->schema->path, ' ');
		label = label ? label + 1 : f->sec->schema->path;
	}
	if (label)
		snprintf(buf, size, "%s (%s) # ", host, label);
	else
		snprintf(buf, size, "%s # ", host);
}

size_t sh_sections_here(const struct shell *s,
			const struct schema_section *const **out)
{
	const struct sh_frame *f = s->depth ? &s->stack[s->depth - 1] : NULL;

	if (!f) {
		*out = schema_sections;
		return schema_nr_sections;
	}
	if (!f->entry) {
		*out = NULL;
		return 0;
	}
	*out = f->sec->schema->subs;
	return f->sec->schema->nr_subs;
}

/* Word @i of a section path, into @buf; false past the last one. */
static bool path_word(const char *path, int i, char *buf, size_t size)
{
	const char *p = path, *q;

	for (; i > 0; i--) {
		p = strchr(p, ' ');
		if (!p)
			return false;
		p++;
	}
	q = strchr(p, ' ');
	snprintf(buf, size, "%.*s", (int)(q ? (size_t)(q - p) : strlen(p)), p);
	return true;
}

static int path_words(const char *path)
{
	int n = 1;

	for (; *path; path++)
		n += *path == ' ';
	return n;
}

/* Do the first @n words of @path equal @w? */
static bool path_starts(const char *path, char w[][64], int n)
{
	char buf[64];

	for (int i = 0; i < n; i++)
		if (!path_word(path, i, buf, sizeof(buf)) || strcmp(buf, w[i]))
			return false;
	return true;
}

const struct schema_section *sh_find_path(const struct shell *s, char **argv,
					  int argc, int *used, const char **bad,
					  bool *ambiguous)
{
	const struct schema_section *const *secs;
	size_t nr = sh_sections_here(s, &secs), i;
	char got[8][64], buf[64], wbuf[64][64];
	const struct schema_section *exact = NULL;
	int pos;

	*bad = NULL;
	*used = 0;
	*ambiguous = false;
	for (pos = 0; pos < argc && pos < 8; pos++) {
		const char *words[64];
		int nw = 0, k;
		bool longer = false;

		for (i = 0; i < nr; i++) {
			if (!path_starts(secs[i]->path, got, pos) ||
			    !path_word(secs[i]->path, pos, buf, sizeof(buf)))
				continue;
			for (k = 0; k < nw; k++)
				if (!strcmp(words[k], buf))
					break;
			if (k == nw && nw < 64) {
				snprintf(wbuf[nw], sizeof(wbuf[nw]), "%s", buf);
				words[nw] = wbuf[nw];
				nw++;
			}
		}
		k = sh_keyword(argv[pos], words, nw);
		if (k < 0) {
			*bad = argv[pos];
			*ambiguous = k == -EAGAIN;
			return exact;
		}
		snprintf(got[pos], sizeof(got[pos]), "%s", words[k]);
		exact = NULL;
		for (i = 0; i < nr; i++) {
			if (!path_starts(secs[i]->path, got, pos + 1))
				continue;
			if (path_words(secs[i]->path) == pos + 1)
				exact = secs[i];
			else
				longer = true;
		}
		*used = pos + 1;
		if (exact && (!longer || pos + 1 == argc))
			return exact;
	}
	return NULL;
}

struct conf_section *sh_section_of(struct shell *s,
				   const struct schema_section *sch)
{
	const struct sh_frame *f = sh_top(s);

	return conf_section_get(f ? f->entry->subs : s->tree.sections, sch);
}

const struct schema_attr *sh_find_attr(const struct schema_section *sec,
				       const char *word, bool *ambiguous)
{
	const char **names;
	const struct schema_attr *a = NULL;
	int k;

	*ambiguous = false;
	a = schema_find_attr(sec, word);
	if (a || !sec->nr_attrs)
		return a;
	names = malloc(sec->nr_attrs * sizeof(*names));
	if (!names)
		return NULL;
	for (size_t i = 0; i < sec->nr_attrs; i++)
		names[i] = sec->attrs[i].name;
	k = sh_keyword(word, names, (int)sec->nr_attrs);
	free(names);
	*ambiguous = k == -EAGAIN;
	return k >= 0 ? &sec->attrs[k] : NULL;
}

struct conf_section *sh_ref_section(struct shell *s, const char *path)
{
	return conf_ref_section(&s->tree, path);
}

void sh_table_path(const struct shell *s, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < s->depth && len < size; i++) {
		if (i && s->stack[i].sec == s->stack[i - 1].sec)
			continue; /* an edit in the table above */
		len += snprintf(buf + len, size - len, "%s%s", len ? " " : "",
				s->stack[i].sec->schema->path);
	}
}

int sh_ref_sections(const struct schema_section *sec, const char *attr,
		    const char **out, int max)
{
	int n = 0;

	for (size_t i = 0; i < conf_nr_refs; i++) {
		const struct conf_ref_attr *r = &conf_refs[i];

		if (r->loose || strcmp(r->sec, sec->path) ||
		    strcmp(r->attr, attr))
			continue;
		for (int j = 0; j < 3 && r->to[j] && n < max; j++)
			out[n++] = r->to[j];
	}
	return n;
}

static void first_user(struct conf_tree *t, struct conf_entry *e,
		       struct conf_word *v, const struct conf_ref_attr *r,
		       void *ctx)
{
	struct sh_user *u = ctx;

	if (u->sec)
		return;
	u->sec = r->sec;
	u->attr = r->attr;
	u->key = e->key;
}

int sh_ref_users(struct shell *s, const char *path, const char *key,
		 const char *skip, struct sh_user *first)
{
	*first = (struct sh_user){ 0 };
	return conf_each_ref(&s->tree, path, key, skip, first_user, first);
}

int sh_ref_rename(struct shell *s, const char *path, const char *key,
		  const char *to)
{
	return conf_ref_rename(&s->tree, path, key, to);
}

const char *sh_ref_taken(struct shell *s, const char *path, const char *name)
{
	for (size_t i = 0; i < conf_nr_refs; i++) {
		const struct conf_ref_attr *r = &conf_refs[i];
		bool names = false;
		int j;

		for (j = 0; j < 3 && r->to[j]; j++)
			names |= !strcmp(r->to[j], path);
		for (j = 0; names && j < 3 && r->to[j]; j++) {
			const struct conf_section *sec;

			if (!strcmp(r->to[j], path))
				continue;
			sec = sh_ref_section(s, r->to[j]);
			if (sec && conf_entry_get(sec, name))
				return r->to[j];
		}
	}
	return NULL;
}
