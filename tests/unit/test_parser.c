// SPDX-License-Identifier: GPL-2.0
/* Lexer, parser and tree: the commands of the FortiOS CLI on a tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/lexer.h"
#include "conf/parser.h"
#include "conf/printer.h"

struct ctx {
	struct arena arena;
	struct diag_list dl;
	struct conf_tree tree;
};

static int parse(struct ctx *c, const char *text)
{
	const struct conf_source *src;

	arena_init(&c->arena);
	diag_init(&c->dl, &c->arena);
	conf_tree_init(&c->tree, &c->arena);
	src = conf_source_mem(&c->arena, "t.conf", text, strlen(text), false);
	return conf_parse(&c->tree, src, &c->dl);
}

static void done(struct ctx *c)
{
	arena_free(&c->arena);
}

/* The n-th diagnostic as "line:col: level: msg". */
static const char *diag_str(struct ctx *c, size_t n)
{
	static char buf[512];
	struct diag *d;

	if (n >= c->dl.nr)
		return "(none)";
	d = &c->dl.items[n];
	snprintf(buf, sizeof(buf), "%u:%u: %s: %s", d->loc.line, d->loc.col,
		 d->level == DIAG_ERROR ? "error" : "warning", d->msg);
	return buf;
}

static const char *val(struct ctx *c, const char *sec, const char *key,
		       const char *attr, size_t i)
{
	struct conf_entry *e =
		conf_entry_get(conf_tree_section(&c->tree, sec), key);
	struct conf_attr *a = conf_attr_get(e, attr);

	return a && i < a->nr_vals ? a->vals[i].text : NULL;
}

static void test_lexer_words(void **state)
{
	const char *text =
		"# header\n"
		"  set comment \"a \\\"quoted\\\" \\\\ word\" bare\\ word  # tail\n"
		"\n"
		"set x \"two\nlines\" y\r\n";
	struct arena a;
	struct diag_list dl;
	struct lexer lx;
	struct conf_word *w;
	const struct conf_source *src;
	int n;

	arena_init(&a);
	diag_init(&dl, &a);
	src = conf_source_mem(&a, "t", text, strlen(text), false);
	lexer_init(&lx, src, &dl);
	n = lexer_next(&lx, &w);
	assert_int_equal(n, 4);
	assert_string_equal(w[0].text, "set");
	assert_int_equal(w[0].loc.line, 2);
	assert_int_equal(w[0].loc.col, 3);
	assert_string_equal(w[2].text, "a \"quoted\" \\ word");
	assert_true(w[2].quoted);
	assert_string_equal(w[3].text, "bare word");
	assert_false(w[3].quoted);
	n = lexer_next(&lx, &w);
	assert_int_equal(n, 4);
	assert_string_equal(w[2].text, "two\nlines");
	assert_string_equal(w[3].text, "y");
	assert_int_equal(w[3].loc.line, 5);
	assert_int_equal(lexer_next(&lx, &w), -1);
	assert_int_equal(dl.errors, 0);
	lexer_fini(&lx);
	arena_free(&a);
}

/*
 * Line ends as editors write them: LF, CRLF and a lone CR (old Mac) in
 * one file, a CR-only header comment that must not swallow the rest, and
 * a UTF-8 byte order mark before line 1 (columns count from after it).
 */
static void test_lexer_line_ends(void **state)
{
	const char *text = "\xef\xbb\xbf"
			   "config a\r"
			   "#config-version=x\r"
			   "set b c\r\n"
			   "set d \"e\rf\"\r"
			   "end\n";
	struct arena a;
	struct diag_list dl;
	struct lexer lx;
	struct conf_word *w;

	(void)state;
	arena_init(&a);
	diag_init(&dl, &a);
	lexer_init(&lx, conf_source_mem(&a, "t", text, strlen(text), false),
		   &dl);
	assert_int_equal(lexer_next(&lx, &w), 2);
	assert_string_equal(w[0].text, "config");
	assert_int_equal(w[0].loc.line, 1);
	assert_int_equal(w[0].loc.col, 1);
	assert_int_equal(lexer_next(&lx, &w), 3);
	assert_string_equal(w[2].text, "c");
	assert_int_equal(w[2].loc.line, 3);
	assert_int_equal(lexer_next(&lx, &w), 3);
	assert_string_equal(w[2].text, "e\rf");
	assert_int_equal(w[2].loc.line, 4);
	assert_int_equal(lexer_next(&lx, &w), 1);
	assert_string_equal(w[0].text, "end");
	assert_int_equal(w[0].loc.line, 6);
	assert_int_equal(lexer_next(&lx, &w), -1);
	assert_int_equal(dl.errors, 0);
	lexer_fini(&lx);
	arena_free(&a);
}

static void test_lexer_unterminated(void **state)
{
	const char *text = "set comment \"open\nset x y\n";
	struct arena a;
	struct diag_list dl;
	struct lexer lx;
	struct conf_word *w;
	int n;

	arena_init(&a);
	diag_init(&dl, &a);
	lexer_init(&lx, conf_source_mem(&a, "t", text, strlen(text), false),
		   &dl);
	n = lexer_next(&lx, &w);
	assert_int_equal(n, 3);
	assert_string_equal(w[2].text, "open");
	assert_int_equal(dl.errors, 1);
	assert_int_equal(dl.items[0].loc.col, 13);
	/* The next line is still read as a command of its own. */
	n = lexer_next(&lx, &w);
	assert_int_equal(n, 3);
	assert_string_equal(w[1].text, "x");
	lexer_fini(&lx);
	arena_free(&a);
}

/* @head, @n times " " @word, then @tail: a malloc'd text. */
static char *long_line(const char *head, size_t n, const char *word,
		       const char *tail)
{
	size_t hl = strlen(head), wl = strlen(word) + 1, i;
	char *text = malloc(hl + n * wl + strlen(tail) + 1), *p = text;

	assert_non_null(text);
	p += sprintf(p, "%s", head);
	for (i = 0; i < n; i++)
		p += sprintf(p, " %s", word);
	strcpy(p, tail);
	return text;
}

static size_t limit_three(void *ctx, const struct conf_word *w)
{
	assert_string_equal(w[1].text, "x");
	return 3;
}

static void test_lexer_limit(void **state)
{
	/* Past the caller's limit: stepped over, a string over lines too. */
	char *text =
		long_line("set x", 1000000, "a", " \"two\nlines\" b\nnext\n");
	struct arena a;
	struct diag_list dl;
	struct lexer lx;
	struct conf_word *w;

	arena_init(&a);
	diag_init(&dl, &a);
	lexer_init(&lx, conf_source_mem(&a, "t", text, strlen(text), false),
		   &dl);
	lexer_set_limit(&lx, limit_three, NULL);
	/* The limit, and the first word past it for the caller's error. */
	assert_int_equal(lexer_next(&lx, &w), 4);
	assert_string_equal(w[3].text, "a");
	assert_int_equal(w[3].loc.col, 9);
	assert_true(lx.cap <= 64); /* the 1M words were never stored */
	assert_int_equal(lexer_next(&lx, &w), 1);
	assert_string_equal(w[0].text, "next");
	assert_int_equal(w[0].loc.line, 3);
	assert_int_equal(dl.errors, 0);
	lexer_fini(&lx);
	arena_free(&a);
	free(text);
}

static void test_lexer_max_words(void **state)
{
	char *text = long_line("set y", LEXER_MAX_WORDS, "w", "\nend\n");
	struct arena a;
	struct diag_list dl;
	struct lexer lx;
	struct conf_word *w;

	arena_init(&a);
	diag_init(&dl, &a);
	lexer_init(&lx, conf_source_mem(&a, "t", text, strlen(text), false),
		   &dl);
	assert_int_equal(lexer_next(&lx, &w), LEXER_MAX_WORDS);
	assert_int_equal(dl.errors, 1);
	assert_string_equal(
		dl.items[0].msg,
		"more than 2097152 words on one line; the rest of the line is ignored");
	assert_int_equal(dl.items[0].loc.line, 1);
	assert_int_equal(lexer_next(&lx, &w), 1);
	assert_string_equal(w[0].text, "end");
	lexer_fini(&lx);
	arena_free(&a);
	free(text);
}

static void test_long_line_bounded(void **state)
{
	/*
	 * 10 MB of values for an attribute that takes one: the error at the
	 * first one too many, and the tree's arena holds the text and little
	 * else (it took 500 MB: every word stored twice over).
	 */
	char *text = long_line("config firewall local-in-policy\n"
			       "    edit 1\n"
			       "        set schedule",
			       5000000, "a", "\n    next\nend\n");
	size_t len = strlen(text);
	struct ctx c;

	assert_int_equal(parse(&c, text), -EINVAL);
	assert_int_equal(c.dl.errors, 1);
	assert_string_equal(diag_str(&c, 0),
			    "3:24: error: too many values for schedule");
	assert_true(c.arena.allocated < len + (4u << 20));
	done(&c);
	free(text);
}

static void test_set_canonical(void **state)
{
	struct ctx c;

	assert_int_equal(parse(&c,
			       "config firewall address\n"
			       "    edit \"a\"\n"
			       "        set subnet 10.1.2.0/24\n"
			       "    next\n"
			       "    edit b\n"
			       "        set subnet 10.0.0.1 255.255.255.255\n"
			       "    next\n"
			       "end\n"
			       "config firewall address6\n"
			       "    edit \"v6\"\n"
			       "        set ip6 2001:DB8:0:0::0/48\n"
			       "    next\n"
			       "end\n"),
			 0);
	assert_string_equal(val(&c, "firewall address", "a", "subnet", 0),
			    "10.1.2.0");
	assert_string_equal(val(&c, "firewall address", "a", "subnet", 1),
			    "255.255.255.0");
	assert_string_equal(val(&c, "firewall address", "b", "subnet", 1),
			    "255.255.255.255");
	assert_string_equal(val(&c, "firewall address6", "v6", "ip6", 0),
			    "2001:db8::/48");
	done(&c);
}

static void test_list_commands(void **state)
{
	struct ctx c;

	assert_int_equal(parse(&c, "config firewall addrgrp\n"
				   "edit g\n"
				   "set member a b\n"
				   "append member c a\n"
				   "unselect member b\n"
				   "append member d\n"
				   "next\n"
				   "edit h\n"
				   "set member a b\n"
				   "select member c a\n" /* FortiOS: as set */
				   "next\n"
				   "edit i\n"
				   "set member a\n"
				   "clear member\n" /* as unset */
				   "next\n"
				   "end\n"),
			 0);
	assert_string_equal(val(&c, "firewall addrgrp", "g", "member", 0), "a");
	assert_string_equal(val(&c, "firewall addrgrp", "g", "member", 1), "c");
	assert_string_equal(val(&c, "firewall addrgrp", "g", "member", 2), "d");
	assert_null(val(&c, "firewall addrgrp", "g", "member", 3));
	assert_string_equal(val(&c, "firewall addrgrp", "h", "member", 0), "c");
	assert_string_equal(val(&c, "firewall addrgrp", "h", "member", 1), "a");
	assert_null(val(&c, "firewall addrgrp", "h", "member", 2));
	assert_null(val(&c, "firewall addrgrp", "i", "member", 0));
	done(&c);
}

static const char *order(struct ctx *c, const char *sec)
{
	static char buf[128];
	struct conf_entry *e;

	buf[0] = '\0';
	for (e = conf_tree_section(&c->tree, sec)->entries; e; e = e->next) {
		strcat(buf, e->key);
		strcat(buf, " ");
	}
	return buf;
}

static void test_table_commands(void **state)
{
	struct ctx c;

	assert_int_equal(parse(&c, "config firewall local-in-policy\n"
				   "edit 1\nnext\nedit 2\nnext\nedit 0\nnext\n"
				   "edit 7\nnext\nedit 0\nnext\n"
				   "move 8 before 1\n"
				   "move 2 after 7\n"
				   "delete 3\n"
				   "end\n"),
			 0);
	assert_string_equal(order(&c, "firewall local-in-policy"), "8 1 7 2 ");
	done(&c);
	assert_int_equal(parse(&c, "config firewall address\n"
				   "edit a\nnext\nedit b\nnext\n"
				   "rename a to c\n"
				   "end\n"),
			 0);
	assert_string_equal(order(&c, "firewall address"), "c b ");
	assert_non_null(conf_entry_get(
		conf_tree_section(&c.tree, "firewall address"), "c"));
	assert_null(conf_entry_get(
		conf_tree_section(&c.tree, "firewall address"), "a"));
	done(&c);
	assert_int_equal(parse(&c, "config firewall address\n"
				   "edit a\nnext\npurge\nedit z\nnext\nend\n"),
			 0);
	assert_string_equal(order(&c, "firewall address"), "z ");
	done(&c);
}

static void test_nested_and_unknown(void **state)
{
	struct ctx c;
	struct conf_entry *e;
	struct conf_section *sub;

	assert_int_equal(
		parse(&c,
		      "#config-version=FGT70F-7.0.14-FW-build0601-240206:opmode=0:vdom=0:user=admin\n"
		      "config vpn certificate local\n"
		      "    edit \"x\"\n"
		      "        set certificate \"-----BEGIN\nabc\n-----END\"\n"
		      "        config inner\n"
		      "        end\n"
		      "    next\n"
		      "end\n"
		      "config system interface\n"
		      "    edit \"wan1\"\n"
		      "        set ip 192.0.2.1/24\n"
		      "        config ipv6\n"
		      "            set ip6-address 2001:db8::1/64\n"
		      "        end\n"
		      "    next\n"
		      "end\n"),
		0);
	assert_int_equal(c.dl.warnings, 1);
	assert_string_equal(
		diag_str(&c, 0),
		"2:8: warning: section \"vpn certificate local\" is not used by localin, skipped");
	e = conf_entry_get(conf_tree_section(&c.tree, "system interface"),
			   "wan1");
	sub = conf_entry_sub(e, "ipv6");
	assert_non_null(sub);
	assert_string_equal(conf_attr_str(sub->entries, "ip6-address"),
			    "2001:db8::1/64");
	done(&c);
}

static void test_errors_located(void **state)
{
	struct ctx c;

	assert_int_equal(parse(&c, "next\n"
				   "config firewall address\n"
				   "    edit \"a\"\n"
				   "        set subnet 10.0.0.1 255.0.255.0\n"
				   "        set colour 3\n"
				   "        set subnet 10.0.0.0/24\n"
				   "    next\n"
				   "end\n"
				   "config firewall local-in-policy\n"
				   "    edit x1\n"
				   "        set action deny\n"
				   "    next\n"
				   "    edit 1\n"
				   "        set action drop\n"),
			 -EINVAL);
	assert_int_equal(c.dl.errors, 6);
	assert_string_equal(diag_str(&c, 0), "1:1: error: next outside edit");
	assert_string_equal(diag_str(&c, 1),
			    "4:29: error: invalid netmask \"255.0.255.0\"");
	assert_string_equal(
		diag_str(&c, 2),
		"5:13: error: unknown attribute \"colour\" in config firewall address");
	assert_string_equal(
		diag_str(&c, 3),
		"10:10: error: invalid id \"x1\" (expected 0-4294967295)");
	assert_string_equal(
		diag_str(&c, 4),
		"14:20: error: invalid value \"drop\" for action (expected accept or deny)");
	assert_string_equal(diag_str(&c, 5),
			    "9:1: error: config without \"end\"");
	/* The valid set after the bad one took effect. */
	assert_string_equal(val(&c, "firewall address", "a", "subnet", 1),
			    "255.255.255.0");
	done(&c);
}

/* Printed back as given, when given in FortiOS's order (subnet, comment). */
static void test_print_roundtrip(void **state)
{
	const char *text = "config firewall address\n"
			   "    edit \"q\\\"x\"\n"
			   "        set subnet 10.0.0.0 255.0.0.0\n"
			   "        set comment \"say \\\"hi\\\"\"\n"
			   "    next\n"
			   "end\n"
			   "config firewall local-in-policy\n"
			   "    edit 1\n"
			   "        set intf \"wan1\"\n"
			   "        set action accept\n"
			   "    next\n"
			   "end\n";
	struct conf_print_opts po = { 0 };
	struct ctx c;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	assert_int_equal(parse(&c, text), 0);
	f = open_memstream(&out, &len);
	assert_int_equal(conf_print(&c.tree, &po, f), 0);
	fclose(f);
	assert_string_equal(out, text);
	free(out);
	done(&c);
}

/* conf_source_read_flags(@path, CONF_READ_OWNED_LINKS): 0 or -errno. */
static int read_owned(const char *path, const char **why)
{
	struct conf_source *src;
	struct arena a;
	int err;

	arena_init(&a);
	err = conf_source_read_flags(&a, path, CONF_READ_OWNED_LINKS, &src,
				     why);
	if (!err)
		assert_string_equal(src->text, "config system global\nend\n");
	if (err && *why)
		*why = strdup(*why); /* past the arena */
	arena_free(&a);
	return err;
}

/*
 * CONF_READ_OWNED_LINKS (the daemon's config): links of root or of our
 * user are followed, relative, absolute, in a directory on the way; one
 * of another user anywhere on the way is refused and named, where
 * following it would have read (and a config error quoted) what that
 * user chose. Another user's links need root to make (lchown): without
 * it, only the first half runs.
 */
static void test_read_owned_links(void **state)
{
	char dir[] = "/tmp/li-owned-XXXXXX", p[4][256];
	const char *why = NULL;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(p[0], sizeof(p[0]), "%s/real.conf", dir);
	f = fopen(p[0], "w");
	assert_non_null(f);
	fputs("config system global\nend\n", f);
	fclose(f);
	snprintf(p[1], sizeof(p[1]), "%s/rel.conf", dir);
	assert_int_equal(symlink("real.conf", p[1]), 0);
	snprintf(p[2], sizeof(p[2]), "%s/d", dir);
	assert_int_equal(symlink(dir, p[2]), 0);
	snprintf(p[3], sizeof(p[3]), "%s/d/./d/rel.conf", dir);
	assert_int_equal(read_owned(p[0], &why), 0);
	assert_int_equal(read_owned(p[1], &why), 0);
	assert_int_equal(read_owned(p[3], &why), 0);
	if (geteuid() == 0) {
		assert_int_equal(lchown(p[1], 65534, 65534), 0);
		assert_int_equal(read_owned(p[1], &why), -EPERM);
		assert_non_null(strstr(why, p[1]));
		assert_non_null(strstr(why, "uid 65534"));
		free((void *)why);
		/* through a directory link of theirs, a link of ours after */
		assert_int_equal(lchown(p[1], 0, 0), 0);
		assert_int_equal(lchown(p[2], 65534, 65534), 0);
		assert_int_equal(read_owned(p[3], &why), -EPERM);
		assert_non_null(strstr(why, "/d, which belongs to uid 65534"));
		free((void *)why);
	}
	unlink(p[1]);
	unlink(p[2]);
	unlink(p[0]);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_owned_links),
		cmocka_unit_test(test_lexer_words),
		cmocka_unit_test(test_lexer_line_ends),
		cmocka_unit_test(test_lexer_unterminated),
		cmocka_unit_test(test_lexer_limit),
		cmocka_unit_test(test_lexer_max_words),
		cmocka_unit_test(test_long_line_bounded),
		cmocka_unit_test(test_set_canonical),
		cmocka_unit_test(test_list_commands),
		cmocka_unit_test(test_table_commands),
		cmocka_unit_test(test_nested_and_unknown),
		cmocka_unit_test(test_errors_located),
		cmocka_unit_test(test_print_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
