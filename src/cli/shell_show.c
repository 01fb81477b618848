// SPDX-License-Identifier: GPL-2.0
/*
 * `show` and `get` in the shell, at every level: `show` prints with the
 * config printer (conf/printer.h), the same text `localin show` and the
 * saved file have; `get` lists a table's keys (`== [ key ]`) or an
 * entry's values, defaults included (`name : value`).
 */
#include <errno.h>
#include <string.h>

#include "cli/shell.h"
#include "conf/printer.h"

/* One entry of @sec, wrapped in its `config`, as the printer prints it. */
static void print_entry(struct shell *s, struct conf_section *sec,
			struct conf_entry *e, bool full, FILE *out)
{
	struct conf_section one = *sec;
	struct conf_tree t = s->tree;
	struct conf_entry *next = e->next;
	struct conf_print_opts o = { .full = full,
				     .section = sec->schema->path };

	one.next = NULL;
	one.entries = e;
	one.gone = NULL; /* the section's deletes are not the entry's */
	t.sections = &one;
	e->next = NULL;
	conf_print(&t, &o, out);
	e->next = next;
}

static void print_section(struct shell *s, struct conf_section *sec, bool full,
			  FILE *out)
{
	struct conf_tree t = s->tree;
	struct conf_section one = *sec;
	struct conf_print_opts o = { .full = full,
				     .section = sec->schema->path };

	one.next = NULL;
	t.sections = &one;
	conf_print(&t, &o, out);
}

/* `full-configuration` (abbreviated: `full`) after show/get. */
static bool take_full(char ***argv, int *argc)
{
	static const char *const full[] = { "full-configuration" };

	if (*argc > 1 && sh_keyword((*argv)[1], full, 1) == 0) {
		(*argv)++;
		(*argc)--;
		return true;
	}
	return false;
}

/* At the top: the section (and entry) the words name, or an error. */
static int find_top(struct shell *s, char **argv, int argc,
		    const struct schema_section **schp,
		    struct conf_section **secp, struct conf_entry **ep)
{
	const struct schema_section *sch;
	const char *bad;
	bool amb;
	int used;

	*secp = NULL;
	*ep = NULL;
	sch = sh_find_path(s, argv + 1, argc - 1, &used, &bad, &amb);
	if (!sch)
		return sh_parse_error(
			s, bad ? bad : argv[argc - 1], "%s section \"%s\"",
			amb ? "ambiguous" : "no", bad ? bad : argv[argc - 1]);
	*schp = sch;
	*secp = sh_section_of(s, sch);
	if (used + 1 == argc)
		return 0;
	if (used + 2 < argc)
		return sh_parse_error(s, argv[used + 2], "one key at most");
	if (!*secp || !(*ep = conf_entry_get(*secp, argv[used + 1]))) {
		fprintf(stderr, "entry not found in datasource\n");
		return sh_parse_error(s, argv[used + 1],
				      "no entry \"%s\" in %s", argv[used + 1],
				      sch->path);
	}
	return 0;
}

int sh_show(struct shell *s, char **argv, int argc, FILE *out)
{
	bool full = take_full(&argv, &argc);
	const struct sh_frame *f;
	const struct schema_section *sch;
	struct conf_section *sec;
	struct conf_entry *e;
	const char *bad;
	bool amb;
	int used;

	if (!s->depth) {
		/* Not a config section: the one-shot `show`, if there is one. */
		if (argc > 1 &&
		    !sh_find_path(s, argv + 1, argc - 1, &used, &bad, &amb) &&
		    sh_is_dispatched("show"))
			return sh_dispatch(s, argc, argv) ? -1 : 0;
		/*
		 * What is on disk now (another admin may have changed it); a
		 * file that does not load is said so, not shown in part.
		 */
		if (sh_load(s) && !s->tree.sections) {
			sh_error(s, NULL, "%s", s->load_error);
			return -1;
		}
		if (argc == 1) {
			conf_print(&s->tree,
				   &(struct conf_print_opts){ .full = full },
				   out);
			return 0;
		}
		if (find_top(s, argv, argc, &sch, &sec, &e))
			return -1;
		if (!sec) /* the file has none: the section's name, empty */
			fprintf(out, "config %s\nend\n", sch->path);
		else if (e)
			print_entry(s, sec, e, full, out);
		else
			print_section(s, sec, full, out);
		return 0;
	}
	if (argc > 1)
		return sh_parse_error(
			s, argv[1],
			"inside config, show takes no words but full-configuration");
	/*
	 * The level the prompt names, as on FortiOS: in an interface's
	 * `config secondaryip`, that table, not the interface around it.
	 */
	f = sh_top(s);
	conf_print_section(f->sec,
			   f->sec->schema->key != SK_NONE ? f->entry : NULL,
			   full, out);
	return 0;
}

static void get_values(const struct conf_section *sec,
		       const struct conf_entry *e, FILE *out)
{
	const struct schema_section *sch = sec->schema;

	if (sch->key != SK_NONE)
		fprintf(out, "%-20s: %s\n",
			sch->key == SK_ID ? "policyid" : "name", e->key);
	for (size_t i = 0; i < sch->nr_attrs; i++) {
		/* FortiOS's order where localin knows it, as show prints */
		const struct schema_attr *a =
			sch->order ? schema_find_attr(sch, sch->order[i]) :
				     &sch->attrs[i];
		const struct conf_attr *v;

		if (!a)
			continue;
		v = conf_attr_get(e, a->name);

		fprintf(out, "%-20s:", a->name);
		if (v && (a->flags & SA_SECRET))
			fputs(" *", out);
		else if (v)
			for (size_t j = 0; j < v->nr_vals; j++)
				fprintf(out, " %s", v->vals[j].text);
		else if (a->def && *a->def)
			fprintf(out, " %s", a->def);
		fputc('\n', out);
	}
}

/* As FortiOS lists a table, and `localin get firewall local-in-policy`. */
static void get_table(const struct conf_section *sec, FILE *out)
{
	for (const struct conf_entry *e = sec ? sec->entries : NULL; e;
	     e = e->next)
		fprintf(out, "== [ %s ]\n%s: %s\n", e->key,
			sec->schema->key == SK_ID ? "policyid" : "name",
			e->key);
}

int sh_get(struct shell *s, char **argv, int argc, FILE *out)
{
	const struct sh_frame *f = s->depth ? &s->stack[s->depth - 1] : NULL;
	const struct schema_section *sch;
	struct conf_section *sec;
	struct conf_entry *e;
	const char *bad;
	bool amb;
	int used;

	if (!f) {
		/* Not a config section: `get system status` and the like. */
		if (argc > 1 &&
		    !sh_find_path(s, argv + 1, argc - 1, &used, &bad, &amb) &&
		    sh_is_dispatched("get"))
			return sh_dispatch(s, argc, argv) ? -1 : 0;
		if (argc == 1)
			return sh_parse_error(s, argv[0], "get what?");
		if (sh_load(s) && !s->tree.sections) {
			sh_error(s, NULL, "%s", s->load_error);
			return -1;
		}
		if (find_top(s, argv, argc, &sch, &sec, &e))
			return -1;
		if (e || (sec && sec->schema->key == SK_NONE))
			get_values(sec, e ? e : sec->entries, out);
		else
			get_table(sec, out);
		return 0;
	}
	if (argc > 1)
		return sh_parse_error(s, argv[1],
				      "inside config, get takes no words");
	if (f->entry)
		get_values(f->sec, f->entry, out);
	else
		get_table(f->sec, out);
	return 0;
}
