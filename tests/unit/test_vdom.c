// SPDX-License-Identifier: GPL-2.0
/*
 * Multi-VDOM backups on the parser: `config global` and the chosen VDOM's
 * sections load, the other VDOMs' are skipped without a word, a VDOM the
 * file does not have is an error, and every VDOM's lines are known (for
 * diagnostics that name the VDOM).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <errno.h>

#include <cmocka.h>

#include "conf/parser.h"

static const char backup[] =
	"config vdom\n"		       /* 1 */
	"edit root\n"		       /* 2 */
	"next\n"		       /* 3 */
	"edit b\n"		       /* 4 */
	"next\n"		       /* 5 */
	"end\n"			       /* 6 */
	"config global\n"	       /* 7 */
	"config system global\n"       /* 8 */
	"    set hostname \"fw\"\n"    /* 9 */
	"end\n"			       /* 10 */
	"end\n"			       /* 11 */
	"config vdom\n"		       /* 12 */
	"edit root\n"		       /* 13 */
	"config firewall address\n"    /* 14 */
	"    edit \"in-root\"\n"       /* 15 */
	"    next\n"		       /* 16 */
	"end\n"			       /* 17 */
	"next\n"		       /* 18 */
	"edit b\n"		       /* 19 */
	"config firewall address\n"    /* 20 */
	"    edit \"in-b\"\n"	       /* 21 */
	"        set no-such-attr 1\n" /* 22: only b's pass sees it */
	"    next\n"		       /* 23 */
	"end\n"			       /* 24 */
	"config firewall policy\n"     /* 25 */
	"end\n"			       /* 26 */
	"next\n"		       /* 27 */
	"end\n";		       /* 28 */

struct ctx {
	struct arena arena;
	struct diag_list dl;
	struct conf_tree tree;
	int err;
};

static void parse(struct ctx *c, const char *text, const char *vdom)
{
	const struct conf_source *src;

	arena_init(&c->arena);
	diag_init(&c->dl, &c->arena);
	conf_tree_init(&c->tree, &c->arena);
	c->tree.vdom = vdom;
	src = conf_source_mem(&c->arena, "t.conf", text, strlen(text), false);
	c->err = conf_parse(&c->tree, src, &c->dl);
}

static bool has_address(struct ctx *c, const char *name)
{
	struct conf_section *s =
		conf_tree_section(&c->tree, "firewall address");

	return s && conf_entry_get(s, name);
}

static void test_root_by_default(void **state)
{
	struct ctx c;

	(void)state;
	parse(&c, backup, NULL);
	assert_int_equal(c.err, 0);
	assert_int_equal(c.dl.nr, 0); /* b's lines are not looked at */
	assert_true(c.tree.multi_vdom);
	assert_true(has_address(&c, "in-root"));
	assert_false(has_address(&c, "in-b"));
	assert_non_null(conf_tree_section(&c.tree, "system global"));
	assert_int_equal(c.tree.nr_vdom_names, 2);
	assert_string_equal(c.tree.vdom_names[0], "root");
	assert_string_equal(c.tree.vdom_names[1], "b");
	arena_free(&c.arena);
}

static void test_chosen_vdom(void **state)
{
	struct conf_loc loc = { 0 };
	struct ctx c;

	(void)state;
	parse(&c, backup, "b");
	assert_int_equal(c.err, -EINVAL); /* its unknown attribute */
	assert_true(has_address(&c, "in-b"));
	assert_false(has_address(&c, "in-root"));
	assert_non_null(conf_tree_section(&c.tree, "system global"));
	assert_int_equal(c.dl.errors, 1);
	assert_int_equal(c.dl.items[0].loc.line, 22);
	/* b's skipped section warns, as any skipped section does. */
	assert_int_equal(c.dl.warnings, 1);
	loc.src = c.dl.items[0].loc.src;
	loc.line = 22;
	assert_string_equal(conf_tree_vdom_at(&c.tree, &loc), "b");
	loc.line = 15;
	assert_string_equal(conf_tree_vdom_at(&c.tree, &loc), "root");
	loc.line = 9; /* config global */
	assert_null(conf_tree_vdom_at(&c.tree, &loc));
	arena_free(&c.arena);
}

static void test_missing_vdom(void **state)
{
	struct ctx c;

	(void)state;
	parse(&c, backup, "nope");
	assert_int_equal(c.err, -EINVAL);
	assert_int_equal(c.dl.errors, 1);
	assert_non_null(strstr(c.dl.items[0].msg,
			       "has no VDOM \"nope\" (its VDOMs: root, b)"));
	arena_free(&c.arena);

	/* A single-VDOM config is root, and only root. */
	parse(&c, "config system global\nend\n", "root");
	assert_int_equal(c.err, 0);
	assert_false(c.tree.multi_vdom);
	arena_free(&c.arena);
	parse(&c, "config system global\nend\n", "b");
	assert_int_equal(c.err, -EINVAL);
	assert_non_null(strstr(c.dl.items[0].msg, "has no VDOMs"));
	arena_free(&c.arena);
}

static void test_structure(void **state)
{
	struct ctx c;

	(void)state;
	/* `end` closes an open VDOM edit and `config vdom` together. */
	parse(&c,
	      "config vdom\nedit root\nconfig firewall address\n"
	      "edit \"x\"\nnext\nend\nend\n"
	      "config firewall address\nedit \"after\"\nnext\nend\n",
	      NULL);
	assert_int_equal(c.err, 0);
	assert_true(has_address(&c, "x"));
	assert_true(has_address(&c, "after"));
	arena_free(&c.arena);
	/* A section straight inside `config vdom` is an error, skipped. */
	parse(&c, "config vdom\nconfig firewall address\nend\nend\n", NULL);
	assert_int_equal(c.err, -EINVAL);
	assert_non_null(strstr(c.dl.items[0].msg, "inside \"config vdom\""));
	arena_free(&c.arena);
	/* Unclosed: one error for `config vdom`. */
	parse(&c, "config vdom\nedit root\n", NULL);
	assert_int_equal(c.err, -EINVAL);
	assert_int_equal(c.dl.errors, 1);
	arena_free(&c.arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_by_default),
		cmocka_unit_test(test_chosen_vdom),
		cmocka_unit_test(test_missing_vdom),
		cmocka_unit_test(test_structure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
