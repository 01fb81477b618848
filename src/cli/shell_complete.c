// SPDX-License-Identifier: GPL-2.0
/*
 * What may come next on a line of `localin cli`, for Tab and `?`: the
 * commands of the level, section paths, keys that exist, attributes with
 * their value type, enum values, the names a reference may take. All of
 * it from the schema tables and the staged tree; nothing is hard-coded
 * twice.
 */
#include <string.h>

#include "cli/shell.h"

struct cands {
	struct sh_cand *c;
	size_t n, max;
};

static void add(struct cands *cs, const char *word, const char *help,
		bool placeholder)
{
	struct sh_cand *c;

	for (size_t i = 0; i < cs->n; i++)
		if (!strcmp(cs->c[i].word, word))
			return;
	if (cs->n == cs->max)
		return;
	c = &cs->c[cs->n++];
	snprintf(c->word, sizeof(c->word), "%s", word);
	snprintf(c->help, sizeof(c->help), "%s", help ? help : "");
	c->placeholder = placeholder;
}

/* "{a | b | c}", as the CLI reference writes an enum; cut to @size. */
static void enum_help(const struct schema_attr *a, const char *lead, char *buf,
		      size_t size)
{
	size_t len = (size_t)snprintf(buf, size, "%s{", lead);

	for (size_t i = 0; a->enums && a->enums[i] && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
					i ? " | " : "", a->enums[i]);
	if (len < size)
		snprintf(buf + len, size - len, "}");
}

static const char *type_help(const struct schema_attr *a, char *buf,
			     size_t size)
{
	switch (a->type) {
	case ST_STRING:
		snprintf(buf, size, "<string> up to %lld characters", a->max);
		break;
	case ST_NAMES:
		snprintf(buf, size, "<name> one or more names");
		break;
	case ST_ENUM:
		enum_help(a, "", buf, size);
		break;
	case ST_ENUMS:
		enum_help(a, "one or more of ", buf, size);
		break;
	case ST_INT:
		snprintf(buf, size, "<integer> %lld-%lld", a->min, a->max);
		break;
	case ST_IP4:
		snprintf(buf, size, "<ipv4> a.b.c.d");
		break;
	case ST_IP4MASK:
		snprintf(buf, size,
			 "<ipv4mask> a.b.c.d m.m.m.m or a.b.c.d/len");
		break;
	case ST_IP6:
		snprintf(buf, size, "<ipv6> an IPv6 address");
		break;
	case ST_IP6PREFIX:
		snprintf(buf, size, "<ipv6prefix> address/length");
		break;
	case ST_PORTRANGES:
		snprintf(buf, size, "<ports> lo[-hi][:slo[-shi]] ...");
		break;
	case ST_TIME:
		snprintf(buf, size, "<time> hh:mm");
		break;
	case ST_DATETIME:
		snprintf(buf, size, "<datetime> hh:mm yyyy/mm/dd");
		break;
	case ST_UUID:
		snprintf(buf, size, "<uuid> 8-4-4-4-12 hex digits");
		break;
	default:
		snprintf(buf, size, "<words> kept as written");
	}
	if (a->def && *a->def && strlen(buf) + 16 < size)
		snprintf(buf + strlen(buf), size - strlen(buf),
			 " (default: %.20s)", a->def);
	return buf;
}

/* Is @w a prefix of word @i of @path? */
static bool prefix_of_word(const char *w, const char *path, int i)
{
	const char *p = path, *q;
	size_t len = strlen(w);

	for (; i > 0; i--) {
		p = strchr(p, ' ');
		if (!p)
			return false;
		p++;
	}
	q = strchr(p, ' ');
	return len <= (q ? (size_t)(q - p) : strlen(p)) && !strncmp(w, p, len);
}

static void add_paths(struct shell *s, char **argv, int argc, struct cands *cs)
{
	const struct schema_section *const *secs;
	size_t nr = sh_sections_here(s, &secs);
	char word[64];

	for (size_t i = 0; i < nr; i++) {
		const char *p = secs[i]->path, *q;
		int k;

		for (k = 0; k < argc; k++)
			if (!prefix_of_word(argv[k], p, k))
				break;
		if (k < argc)
			continue;
		for (k = 0; k < argc && p; k++) {
			p = strchr(p, ' ');
			p = p ? p + 1 : NULL;
		}
		if (!p)
			continue;
		q = strchr(p, ' ');
		snprintf(word, sizeof(word), "%.*s",
			 (int)(q ? (size_t)(q - p) : strlen(p)), p);
		add(cs, word, q ? "..." : secs[i]->path, false);
	}
}

static void add_keys(const struct conf_section *sec, struct cands *cs)
{
	for (const struct conf_entry *e = sec ? sec->entries : NULL; e;
	     e = e->next)
		add(cs, e->key, "", false);
}

static void add_values(struct shell *s, const struct sh_frame *f,
		       const char *cmd, const struct schema_attr *a, int pos,
		       struct cands *cs)
{
	const char *to[4];
	char help[96];
	int nto = sh_ref_sections(f->sec->schema, a->name, to, 4);

	if (!strcmp(cmd, "unset") || !strcmp(cmd, "clear")) {
		add(cs, "<Enter>", "back to the default", true);
		return;
	}
	if (!strcmp(cmd, "unselect")) {
		const struct conf_attr *v = conf_attr_get(f->entry, a->name);

		for (size_t i = 0; v && i < v->nr_vals; i++)
			add(cs, v->vals[i].text, "", false);
		return;
	}
	if (a->enums && (a->type == ST_ENUMS || pos == 2))
		for (int i = 0; a->enums[i]; i++)
			add(cs, a->enums[i], "", false);
	for (int i = 0; i < nto; i++)
		add_keys(conf_tree_section(&s->tree, to[i]), cs);
	if (!strcmp(a->name, "intf")) {
		/* A zone's name, as on FortiOS, or an interface's. */
		add_keys(conf_tree_section(&s->tree, "system zone"), cs);
		add_keys(conf_tree_section(&s->tree, "system interface"), cs);
		add_keys(sh_ref_section(s, "system sdwan zone"), cs);
		add(cs, "any", "every interface", false);
	}
	if (a->type != ST_ENUM && a->type != ST_ENUMS)
		add(cs, type_help(a, help, sizeof(help)), "", true);
}

static void add_attrs(const struct schema_section *sec, struct cands *cs)
{
	char help[96];

	for (size_t i = 0; i < sec->nr_attrs; i++)
		add(cs, sec->attrs[i].name,
		    type_help(&sec->attrs[i], help, sizeof(help)), false);
}

/* The arguments of @cmd at the table level. */
static void table_args(const struct sh_frame *f, const char *cmd, int pos,
		       struct cands *cs)
{
	if (!strcmp(cmd, "edit")) {
		if (pos != 1)
			return;
		add_keys(f->sec, cs);
		add(cs, f->sec->schema->key == SK_ID ? "<id>" : "<name>",
		    f->sec->schema->key == SK_ID ?
			    "0-4294967295 (0: the next free id)" :
			    "a new or existing entry",
		    true);
	} else if (!strcmp(cmd, "move")) {
		if (pos == 1 || pos == 3)
			add_keys(f->sec, cs);
		if (pos == 2) {
			add(cs, "before", "", false);
			add(cs, "after", "", false);
		}
	} else if (!strcmp(cmd, "purge")) {
		if (pos == 1)
			add(cs, "<Enter>", "delete every entry", true);
	} else if (pos == 1) {
		add_keys(f->sec, cs);
	} else if (pos == 2) {
		add(cs, "to", "", false);
	} else if (pos == 3) {
		add(cs, "<new key>", "", true);
	}
}

size_t sh_candidates(struct shell *s, char **argv, int argc,
		     struct sh_cand *out, size_t max)
{
	struct cands cs = { .c = out, .max = max };
	const struct sh_frame *f = s->depth ? &s->stack[s->depth - 1] : NULL;
	const char *cmds[16];
	int nc = sh_level_commands(s, cmds, 16), k;
	const struct schema_attr *a;
	bool amb;

	if (argc == 0) {
		for (k = 0; k < nc; k++)
			add(&cs, cmds[k], sh_command_help(cmds[k]), false);
		return cs.n;
	}
	k = sh_keyword(argv[0], cmds, nc);
	if (k < 0)
		return 0;
	if (!strcmp(cmds[k], "config")) {
		add_paths(s, argv + 1, argc - 1, &cs);
	} else if (!strcmp(cmds[k], "show") || !strcmp(cmds[k], "get")) {
		if (argc == 1 && cmds[k][0] == 's')
			add(&cs, "full-configuration", "every value", false);
		if (!f)
			add_paths(s, argv + 1, argc - 1, &cs);
		add(&cs, "<Enter>", "", true);
	} else if (!strcmp(cmds[k], "diagnose") ||
		   !strcmp(cmds[k], "execute")) {
		add(&cs, "<words>", "as `localin diagnose|execute` takes them",
		    true);
	} else if (f && !f->entry) {
		table_args(f, cmds[k], argc, &cs);
	} else if (f &&
		   (!strcmp(cmds[k], "set") || !strcmp(cmds[k], "unset") ||
		    !strcmp(cmds[k], "append") || !strcmp(cmds[k], "select") ||
		    !strcmp(cmds[k], "unselect") ||
		    !strcmp(cmds[k], "clear"))) {
		if (argc == 1) {
			add_attrs(f->sec->schema, &cs);
		} else {
			a = sh_find_attr(f->sec->schema, argv[1], &amb);
			if (a)
				add_values(s, f, cmds[k], a, argc, &cs);
		}
	} else {
		add(&cs, "<Enter>", "", true);
	}
	return cs.n;
}

size_t sh_filter(struct sh_cand *c, size_t n, const char *prefix)
{
	size_t len = strlen(prefix), i, j = 0;

	for (i = 0; i < n; i++)
		if (c[i].placeholder || !strncmp(c[i].word, prefix, len))
			c[j++] = c[i];
	return j;
}

void sh_common_prefix(const struct sh_cand *c, size_t n, char *buf, size_t size)
{
	bool first = true;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;

		if (c[i].placeholder)
			continue;
		if (first) {
			snprintf(buf, size, "%s", c[i].word);
			first = false;
			continue;
		}
		while (buf[k] && buf[k] == c[i].word[k])
			k++;
		buf[k] = '\0';
	}
}

void sh_print_help(const struct sh_cand *c, size_t n, FILE *out)
{
	for (size_t i = 0; i < n; i++) {
		if (c[i].help[0])
			fprintf(out, "%-24s %s\n", c[i].word, c[i].help);
		else
			fprintf(out, "%s\n", c[i].word);
	}
}
