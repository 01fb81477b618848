// SPDX-License-Identifier: GPL-2.0
/*
 * The pure parts of `localin cli`: the words of a line being typed,
 * abbreviations, section paths, and the candidates Tab and `?` offer,
 * from the schema and a config (the seed's) loaded from a file.
 */
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

#include "cli/shell.h"
#include "util/keyword.h"
#include "seed_conf.h"

/* The seed's config behind a host name and wan1's address. */
#define HOST_WAN1                                     \
	"config system global\n"                      \
	"    set hostname \"vpn-gw1\"\n"              \
	"end\n"                                       \
	"config system interface\n"                   \
	"    edit \"wan1\"\n"                         \
	"        set ip 198.51.100.1 255.255.255.0\n" \
	"    next\n"                                  \
	"end\n"

static const char seed[] = HOST_WAN1 SEED_CONF("203.0.113.10");

struct fixture {
	struct shell s;
	char path[64];
	struct sh_cand c[512];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	int fd;

	assert_non_null(f);
	strcpy(f->path, "/tmp/test_shell-XXXXXX");
	fd = mkstemp(f->path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, seed, strlen(seed)), (int)strlen(seed));
	close(fd);
	f->s.config = f->path;
	f->s.socket = "/nonexistent";
	f->s.where = "";
	arena_init(&f->s.arena);
	arena_init(&f->s.lines);
	assert_int_equal(sh_load(&f->s), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char bak[80];

	snprintf(bak, sizeof(bak), "%s.bak", f->path);
	unlink(f->path);
	unlink(bak); /* a test's `end` kept the file before */
	arena_free(&f->s.arena);
	arena_free(&f->s.lines);
	free(f);
	return 0;
}

/* Candidates after the words of @line (which ends in a blank or not). */
static size_t cands(struct fixture *f, const char *line)
{
	char buf[512], *argv[SH_MAX_WORDS];
	bool partial;
	int n = sh_tokenize(line, buf, sizeof(buf), argv, SH_MAX_WORDS,
			    &partial);
	size_t nc;

	assert_true(n >= 0);
	nc = sh_candidates(&f->s, argv, n - partial, f->c, 512);
	return sh_filter(f->c, nc, partial ? argv[n - 1] : "");
}

static const struct sh_cand *find(struct fixture *f, size_t n, const char *word)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(f->c[i].word, word))
			return &f->c[i];
	return NULL;
}

static void run(struct fixture *f, const char *line)
{
	assert_int_equal(sh_exec_line(&f->s, line), 0);
}

static void test_tokenize(void **state)
{
	char buf[256], *argv[8];
	bool partial;

	assert_int_equal(sh_tokenize("set comments \"a b\" x", buf, sizeof(buf),
				     argv, 8, &partial),
			 4);
	assert_string_equal(argv[2], "a b");
	assert_true(partial);
	assert_int_equal(sh_tokenize("set srcaddr ", buf, sizeof(buf), argv, 8,
				     &partial),
			 2);
	assert_false(partial);
	/* An open quote: the word is still being typed. */
	assert_int_equal(sh_tokenize("set comments \"a b ", buf, sizeof(buf),
				     argv, 8, &partial),
			 3);
	assert_true(partial);
	assert_string_equal(argv[2], "a b ");
	assert_int_equal(
		sh_tokenize("a\\ b 'c d'", buf, sizeof(buf), argv, 8, &partial),
		2);
	assert_string_equal(argv[0], "a b");
	assert_string_equal(argv[1], "c d");
	assert_int_equal(
		sh_tokenize("a b c", buf, sizeof(buf), argv, 2, &partial),
		-E2BIG);
}

static void test_find_unquoted(void **state)
{
	const char *l = "show | grep \"a|b\"";

	assert_ptr_equal(sh_find_unquoted(l, '|'), l + 5);
	assert_null(sh_find_unquoted("set comments \"x;y\"", ';'));
	assert_null(sh_find_unquoted("set comments x\\;y", ';'));
}

static void test_open_quote(void **state)
{
	assert_int_equal(sh_open_quote("set comments \"a b"), '"');
	assert_int_equal(sh_open_quote("set comments \"a b\" 'c"), '\'');
	assert_int_equal(sh_open_quote("set comments \"a\\\"b\""), 0);
	assert_int_equal(sh_open_quote("set comments a\\\"b"), 0);
}

static void test_keyword(void **state)
{
	static const char *const secs[] = { "local-in-policy",
					    "local-in-policy6", "address" };
	static const char *const top[] = { "reload", "stop", "status" };
	static const char *const sess[] = { "session", "session6" };
	char buf[32];

	/* The shorter of two prefix-related words, as FortiOS takes it. */
	assert_int_equal(sh_keyword("local", secs, 3), 0);
	assert_int_equal(sh_keyword("local-in-policy6", secs, 3), 1);
	assert_int_equal(sh_keyword("a", secs, 3), 2);
	assert_int_equal(sh_keyword("x", secs, 3), -ENOENT);
	assert_int_equal(sh_keyword("st", top, 3), -EAGAIN);
	assert_int_equal(sh_keyword("sta", top, 3), 2);
	assert_int_equal(keyword_index("sess", sess, 2), 0);
	assert_int_equal(keyword_index("", top, 3), -ENOENT);
	/* what an error calling a word ambiguous names */
	assert_int_equal(keyword_candidates("st", top, 3, buf, sizeof(buf)),
			 12);
	assert_string_equal(buf, "stop, status");
	assert_int_equal(keyword_candidates("st", top, 3, buf, 8), -ENOSPC);
}

static void test_find_path(void **state)
{
	struct fixture *f = *state;
	char *local[] = { "fire", "local" }, *glob[] = { "sys", "glo" };
	char *addr[] = { "fire", "addr" }, *svc[] = { "fi", "serv", "cus" };
	const struct schema_section *sch;
	const char *bad;
	bool amb;
	int used;

	sch = sh_find_path(&f->s, local, 2, &used, &bad, &amb);
	assert_non_null(sch);
	assert_string_equal(sch->path, "firewall local-in-policy");
	sch = sh_find_path(&f->s, glob, 2, &used, &bad, &amb);
	assert_string_equal(sch->path, "system global");
	sch = sh_find_path(&f->s, svc, 3, &used, &bad, &amb);
	assert_string_equal(sch->path, "firewall service custom");
	assert_null(sh_find_path(&f->s, addr, 2, &used, &bad, &amb));
	assert_string_equal(bad, "addr");
	assert_true(amb);
}

static void test_candidates_top(void **state)
{
	struct fixture *f = *state;
	size_t n = cands(f, "");

	assert_non_null(find(f, n, "config"));
	assert_non_null(find(f, n, "diagnose"));
	assert_null(find(f, n, "set"));
	n = cands(f, "config ");
	assert_non_null(find(f, n, "firewall"));
	assert_non_null(find(f, n, "system"));
	n = cands(f, "conf fire lo");
	assert_int_equal(n, 2);
	assert_string_equal(find(f, n, "local-in-policy")->help,
			    "firewall local-in-policy");
	assert_non_null(find(f, n, "local-in-policy6"));
	sh_common_prefix(f->c, n, (char *)f->c[0].help, 96);
	assert_string_equal(f->c[0].help, "local-in-policy");
}

static void test_candidates_edit(void **state)
{
	struct fixture *f = *state;
	const struct sh_cand *c;
	size_t n;

	run(f, "config firewall local-in-policy");
	n = cands(f, "edit ");
	assert_non_null(find(f, n, "1"));
	c = find(f, n, "<id>");
	assert_non_null(c);
	assert_true(c->placeholder);
	run(f, "edit 1");
	n = cands(f, "set act");
	assert_int_equal(n, 1);
	assert_string_equal(f->c[0].word, "action");
	n = cands(f, "set action ");
	assert_int_equal(n, 2);
	assert_non_null(find(f, n, "accept"));
	n = cands(f, "set srcaddr ");
	assert_non_null(find(f, n, "remote-vpn"));
	assert_non_null(find(f, n, "All_exceptions"));
	assert_non_null(find(f, n, "all"));
	assert_null(find(f, n, "IKE"));
	n = cands(f, "set service ");
	assert_non_null(find(f, n, "IKE"));
	n = cands(f, "set intf ");
	assert_non_null(find(f, n, "wan1"));
	assert_non_null(find(f, n, "any"));
	n = cands(f, "unselect srcaddr ");
	assert_int_equal(n, 1);
	assert_string_equal(f->c[0].word, "All_exceptions");
	n = cands(f, "se");
	assert_int_equal(n, 2); /* set, select */
	n = cands(f, "");
	assert_non_null(find(f, n, "next"));
	assert_null(find(f, n, "edit"));
	run(f, "abort");
}

static void test_candidates_types(void **state)
{
	struct fixture *f = *state;
	size_t n;

	run(f, "config system log-file");
	n = cands(f, "set rolled-files ");
	assert_int_equal(n, 1);
	assert_true(f->c[0].placeholder);
	assert_string_equal(f->c[0].word, "<integer> 0-1000 (default: 10)");
	n = cands(f, "");
	assert_null(find(f, n, "next")); /* a singleton has no next */
	run(f, "abort");
}

/* What the shell does to the staged tree, and the prompts. */
static void test_levels(void **state)
{
	struct fixture *f = *state;
	char p[128];

	sh_prompt(&f->s, p, sizeof(p));
	assert_string_equal(p, "vpn-gw1 # ");
	run(f, "conf fire local");
	sh_prompt(&f->s, p, sizeof(p));
	assert_string_equal(p, "vpn-gw1 (local-in-policy) # ");
	run(f, "clone 1 to 2");
	run(f, "ed 2");
	sh_prompt(&f->s, p, sizeof(p));
	assert_string_equal(p, "vpn-gw1 (2) # ");
	run(f, "set act acc");
	assert_string_equal(conf_attr_str(f->s.stack[1].entry, "action"),
			    "accept");
	assert_string_equal(conf_attr_str(f->s.stack[1].entry, "srcaddr"),
			    "All_exceptions");
	assert_int_equal(sh_exec_line(&f->s, "set bogus 1"), -1);
	assert_int_equal(sh_exec_line(&f->s, "edit 3"), -1); /* not here */
	run(f, "append srcaddr remote-vpn");
	assert_int_equal(conf_attr_get(f->s.stack[1].entry, "srcaddr")->nr_vals,
			 2);
	run(f, "unselect srcaddr All_exceptions");
	assert_string_equal(conf_attr_str(f->s.stack[1].entry, "srcaddr"),
			    "remote-vpn");
	run(f, "unset action");
	assert_null(conf_attr_get(f->s.stack[1].entry, "action"));
	run(f, "next");
	run(f, "move 2 bef 1"); /* before, abbreviated */
	assert_string_equal(f->s.stack[0].sec->entries->key, "2");
	run(f, "rename 2 to 7");
	assert_string_equal(f->s.stack[0].sec->entries->key, "7");
	assert_int_equal(sh_exec_line(&f->s, "delete 2"), -1);
	run(f, "delete 7");
	assert_string_equal(f->s.stack[0].sec->entries->key, "1");
	run(f, "abort");
	assert_int_equal(f->s.depth, 0);
	assert_null(conf_entry_get(
		conf_tree_section(&f->s.tree, "firewall local-in-policy"),
		"2"));
}

/* An object in use is refused at the delete, as on FortiOS (-23). */
static void test_delete_in_use(void **state)
{
	struct fixture *f = *state;
	struct conf_section *addr;

	run(f, "config firewall address");
	addr = f->s.stack[0].sec;
	assert_int_equal(sh_exec_line(&f->s, "delete remote-vpn"), -1);
	assert_non_null(conf_entry_get(addr, "remote-vpn"));
	/* "all": the group's member and the policy's dstaddr */
	assert_int_equal(sh_exec_line(&f->s, "purge"), -1);
	assert_non_null(addr->entries);
	run(f, "end");
	run(f, "config firewall addrgrp");
	assert_int_equal(sh_exec_line(&f->s, "delete All_exceptions"), -1);
	run(f, "end");
	run(f, "config firewall local-in-policy");
	run(f, "edit 1");
	run(f, "set srcaddr all");
	run(f, "end");
	/* no one names the group now; its member still names remote-vpn */
	run(f, "config firewall addrgrp");
	run(f, "delete All_exceptions");
	run(f, "end");
	run(f, "config firewall address");
	run(f, "delete remote-vpn");
	assert_null(conf_entry_get(f->s.stack[0].sec, "remote-vpn"));
	run(f, "end");
}

/* rename: what named the entry names it under its new name. */
static void test_rename_follows(void **state)
{
	struct fixture *f = *state;
	const struct conf_section *grp, *pol;

	run(f, "config firewall addrgrp");
	run(f, "rename All_exceptions to \"all but vpn\"");
	run(f, "end");
	run(f, "config firewall address");
	/* the group's name: its members would name the group, for good */
	assert_int_equal(
		sh_exec_line(&f->s, "rename remote-vpn to \"all but vpn\""),
		-1);
	assert_non_null(conf_entry_get(f->s.stack[0].sec, "remote-vpn"));
	run(f, "rename remote-vpn to peer");
	run(f, "end"); /* compiles: no name is left dangling */
	sh_load(&f->s);
	grp = conf_tree_section(&f->s.tree, "firewall addrgrp");
	pol = conf_tree_section(&f->s.tree, "firewall local-in-policy");
	assert_string_equal(conf_attr_str(conf_entry_get(grp, "all but vpn"),
					  "exclude-member"),
			    "peer");
	assert_string_equal(conf_attr_str(conf_entry_get(pol, "1"), "srcaddr"),
			    "all but vpn");
}

/* A zone a policy is on: renamed, the policy follows; deleted, refused. */
static void test_zone_follows(void **state)
{
	struct fixture *f = *state;
	const struct conf_section *pol;

	run(f, "config system zone");
	run(f, "edit z1");
	run(f, "set interface wan1");
	run(f, "end");
	run(f, "config firewall local-in-policy");
	run(f, "edit 1");
	assert_non_null(find(f, cands(f, "set intf "), "z1")); /* Tab, ? */
	run(f, "set intf z1");
	run(f, "set intf port9"); /* Linux's own: not refused when typed */
	run(f, "set intf z1");
	run(f, "end");
	run(f, "config system zone");
	run(f, "rename z1 to z2");
	assert_int_equal(sh_exec_line(&f->s, "delete z2"), -1);
	run(f, "end");
	pol = conf_tree_section(&f->s.tree, "firewall local-in-policy");
	assert_string_equal(conf_attr_str(conf_entry_get(pol, "1"), "intf"),
			    "z2");
	/* the zone names wan1: it is not deleted under it */
	run(f, "config system interface");
	assert_int_equal(sh_exec_line(&f->s, "delete wan1"), -1);
	run(f, "abort");
}

/* A group keeps one member at least: FortiOS refuses it empty (-56). */
static void test_group_not_emptied(void **state)
{
	struct fixture *f = *state;
	struct conf_entry *g;

	run(f, "config firewall addrgrp");
	run(f, "edit All_exceptions");
	g = f->s.stack[1].entry;
	assert_int_equal(sh_exec_line(&f->s, "unset member"), -1);
	assert_int_equal(sh_exec_line(&f->s, "clear member"), -1);
	assert_int_equal(sh_exec_line(&f->s, "unselect member all"), -1);
	assert_string_equal(conf_attr_str(g, "member"), "all");
	run(f, "append member remote-vpn");
	run(f, "unselect member all"); /* one is left */
	assert_string_equal(conf_attr_str(g, "member"), "remote-vpn");
	run(f, "next");
	run(f, "edit g2");
	assert_int_equal(sh_exec_line(&f->s, "next"), -1); /* none yet */
	run(f, "set member all");
	run(f, "next");
	run(f, "end");
	run(f, "config firewall service group");
	run(f, "edit sg");
	run(f, "set member IKE");
	assert_int_equal(sh_exec_line(&f->s, "unset member"), -1);
	run(f, "next");
	run(f, "end");
	run(f, "config firewall addrgrp6");
	run(f, "edit g6");
	assert_int_equal(sh_exec_line(&f->s, "end"), -1);
	assert_int_equal(f->s.depth, 2); /* still in the edit, to fix it */
	run(f, "set member all");
	run(f, "end");
}

/* SD-WAN zones as those of system zone: rename follows, delete refused. */
static void test_sdwan_zone_follows(void **state)
{
	struct fixture *f = *state;
	const struct conf_section *pol, *members;

	run(f, "config system sdwan");
	run(f, "config zone");
	run(f, "edit sdz1");
	run(f, "next");
	run(f, "edit virtual-wan-link");
	run(f, "end");
	run(f, "config members");
	run(f, "edit 1");
	run(f, "set interface wan1");
	run(f, "set zone sdz1");
	run(f, "next");
	run(f, "edit 2");
	run(f, "set interface port2"); /* in virtual-wan-link, by default */
	run(f, "end");
	run(f, "end");
	run(f, "config firewall local-in-policy");
	run(f, "edit 1");
	assert_non_null(find(f, cands(f, "set intf "), "sdz1")); /* Tab, ? */
	run(f, "set intf sdz1");
	run(f, "end");
	run(f, "config system sdwan");
	run(f, "config zone");
	assert_int_equal(sh_exec_line(&f->s, "delete sdz1"), -1);
	/* member 2 names it by default */
	assert_int_equal(sh_exec_line(&f->s, "delete virtual-wan-link"), -1);
	run(f, "rename sdz1 to sdz2");
	run(f, "rename virtual-wan-link to overlay");
	assert_int_equal(sh_exec_line(&f->s, "delete sdz2"), -1);
	run(f, "end");
	run(f, "end");
	sh_load(&f->s);
	pol = conf_tree_section(&f->s.tree, "firewall local-in-policy");
	assert_string_equal(conf_attr_str(conf_entry_get(pol, "1"), "intf"),
			    "sdz2");
	members = conf_entry_sub(
		conf_tree_section(&f->s.tree, "system sdwan")->entries,
		"members");
	assert_non_null(members);
	assert_string_equal(conf_attr_str(conf_entry_get(members, "1"), "zone"),
			    "sdz2");
	assert_string_equal(conf_attr_str(conf_entry_get(members, "2"), "zone"),
			    "overlay");
}

/* What `show` prints: the level the prompt names. */
static char *show_text(struct fixture *f)
{
	char *argv[] = { "show" }, *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	assert_int_equal(sh_show(&f->s, argv, 1, out), 0);
	fclose(out);
	return text;
}

/* show in a nested table: that table, as on FortiOS, not the interface. */
static void test_show_nested(void **state)
{
	struct fixture *f = *state;
	char *text;

	run(f, "config system interface");
	run(f, "edit wan1");
	run(f, "config secondaryip");
	run(f, "edit 1");
	run(f, "set ip 10.1.1.1/24");
	text = show_text(f);
	assert_string_equal(text, "config secondaryip\n"
				  "    edit 1\n"
				  "        set ip 10.1.1.1 255.255.255.0\n"
				  "    next\n"
				  "end\n");
	free(text);
	run(f, "next");
	text = show_text(f);
	assert_non_null(strstr(text, "config secondaryip\n    edit 1\n"));
	assert_null(strstr(text, "wan1"));
	free(text);
	run(f, "end");
	text = show_text(f); /* back in wan1: the interface, its table in it */
	assert_non_null(
		strstr(text, "config system interface\n    edit \"wan1\"\n"));
	assert_non_null(strstr(text, "        config secondaryip\n"));
	free(text);
	run(f, "abort");
}

/* The config file's text, malloc'd. */
static char *file_text(struct fixture *f)
{
	FILE *in = fopen(f->path, "r");
	char *text = calloc(1, 65536);

	assert_non_null(in);
	assert_non_null(text);
	assert_true(fread(text, 1, 65535, in) > 0);
	fclose(in);
	return text;
}

/*
 * A predefined service renamed at the console: the file saved says so,
 * or read again DNS came back and the predefined groups, saved naming
 * DNS-old, named nothing (the file no longer loaded).
 */
static void test_rename_predefined_saved(void **state)
{
	struct fixture *f = *state;
	const struct conf_section *svc;
	char *text;

	run(f, "config firewall service custom");
	run(f, "rename DNS to DNS-old");
	run(f, "end");
	text = file_text(f);
	assert_non_null(strstr(text, "    rename \"DNS\" to \"DNS-old\"\n"));
	/* the groups' members follow it read again: no `set member` */
	assert_null(strstr(text, "config firewall service group"));
	free(text);
	assert_int_equal(sh_load(&f->s), 0);
	svc = conf_tree_section(&f->s.tree, "firewall service custom");
	assert_non_null(conf_entry_get(svc, "DNS-old"));
	assert_null(conf_entry_get(svc, "DNS"));
}

/*
 * abort as FortiOS's ("end and discard last config"): a nested config is
 * dropped whole, back to its entry; at the outermost level the open edit
 * only, what `next` saved before it is kept (applied); a rename's
 * references are named as before.
 */
static void test_abort_scope(void **state)
{
	struct fixture *f = *state;
	const struct conf_section *sec, *pol;
	struct conf_entry *wan1;
	char *before, *after;

	before = file_text(f);
	run(f, "config system interface");
	run(f, "edit wan1");
	wan1 = f->s.stack[1].entry;
	run(f, "set alias uplink");
	run(f, "config secondaryip");
	run(f, "edit 1");
	run(f, "set ip 10.1.1.1/24");
	run(f, "abort");
	assert_int_equal(f->s.depth, 2); /* back in wan1's edit */
	sec = conf_entry_sub(wan1, "secondaryip");
	assert_true(!sec || !conf_entry_get(sec, "1"));
	assert_string_equal(conf_attr_str(wan1, "alias"), "uplink");
	run(f, "abort"); /* wan1's edit: nothing was saved, nothing applied */
	assert_int_equal(f->s.depth, 0);
	run(f, "config firewall address");
	run(f, "edit remote-vpn");
	run(f, "next"); /* saved nothing: it did not change */
	run(f, "edit remote-vpn");
	run(f, "set comment x");
	run(f, "abort");
	after = file_text(f);
	assert_string_equal(after, before);
	free(after);
	free(before);

	run(f, "config firewall address");
	run(f, "edit a1");
	run(f, "set subnet 10.0.0.1/32");
	run(f, "next");
	run(f, "edit a2");
	run(f, "set subnet 10.0.0.2/32");
	run(f, "abort");
	assert_int_equal(f->s.depth, 0);
	sh_load(&f->s);
	sec = conf_tree_section(&f->s.tree, "firewall address");
	assert_non_null(conf_entry_get(sec, "a1")); /* saved by next */
	assert_null(conf_entry_get(sec, "a2"));

	run(f, "config system zone");
	run(f, "edit z1");
	run(f, "set interface wan1");
	run(f, "end");
	run(f, "config firewall local-in-policy");
	run(f, "edit 1");
	run(f, "set intf z1");
	run(f, "end");
	run(f, "config system interface");
	run(f, "edit wan1");
	run(f, "config secondaryip");
	run(f, "edit 1");
	run(f, "set ip 10.1.1.1/24");
	run(f, "next");
	run(f, "rename 1 to 2"); /* an id: no reference follows */
	run(f, "abort");
	assert_int_equal(f->s.depth, 2);
	run(f, "abort");
	run(f, "config system sdwan");
	run(f, "config zone");
	run(f, "edit sz");
	run(f, "end");
	run(f, "end");
	run(f, "config system zone");
	run(f, "rename z1 to z9");
	run(f, "edit z9");
	run(f, "set intrazone allow");
	run(f, "abort"); /* the rename was saved, the edit not */
	sh_load(&f->s);
	pol = conf_tree_section(&f->s.tree, "firewall local-in-policy");
	assert_string_equal(conf_attr_str(conf_entry_get(pol, "1"), "intf"),
			    "z9");
	sec = conf_tree_section(&f->s.tree, "system zone");
	assert_null(conf_attr_get(conf_entry_get(sec, "z9"), "intrazone"));
	/* in a singleton's nested table: the rename and its references go */
	run(f, "config firewall local-in-policy");
	run(f, "edit 1");
	run(f, "set intf sz");
	run(f, "end");
	run(f, "config system sdwan");
	run(f, "config zone");
	run(f, "rename sz to sz2");
	pol = conf_tree_section(&f->s.tree, "firewall local-in-policy");
	assert_string_equal(conf_attr_str(conf_entry_get(pol, "1"), "intf"),
			    "sz2");
	run(f, "abort");
	assert_int_equal(f->s.depth, 1);
	assert_string_equal(conf_attr_str(conf_entry_get(pol, "1"), "intf"),
			    "sz");
	assert_non_null(conf_entry_get(
		sh_ref_section(&f->s, "system sdwan zone"), "sz"));
	run(f, "abort");
	assert_int_equal(f->s.depth, 0);
	/* what next saved does not compile: the table stays, then all goes */
	before = file_text(f);
	run(f, "config firewall addrgrp");
	run(f, "edit loop");
	run(f, "set member loop");
	run(f, "next");
	assert_int_equal(sh_exec_line(&f->s, "abort"), -1);
	assert_int_equal(f->s.depth, 1);
	run(f, "abort");
	assert_int_equal(f->s.depth, 0);
	/* a refused end said `abort`: it drops every change */
	run(f, "config firewall addrgrp");
	run(f, "edit loop");
	run(f, "set member loop");
	assert_int_equal(sh_exec_line(&f->s, "end"), -1);
	assert_int_equal(f->s.depth, 2);
	run(f, "abort");
	assert_int_equal(f->s.depth, 0);
	after = file_text(f);
	assert_string_equal(after, before);
	free(after);
	free(before);
}

/* clone: the values and the nested tables, not the uuid. */
static void test_clone_nested(void **state)
{
	struct fixture *f = *state;
	struct conf_entry *e;
	const struct conf_section *sub;

	run(f, "config system interface");
	run(f, "edit wan1");
	run(f, "config secondaryip");
	run(f, "edit 1");
	run(f, "set ip 10.1.1.1/24");
	run(f, "end");
	run(f, "next");
	run(f, "clone wan1 to wan2");
	e = conf_entry_get(f->s.stack[0].sec, "wan2");
	assert_non_null(e);
	assert_non_null(conf_attr_get(e, "ip"));
	sub = e->subs;
	assert_non_null(sub);
	assert_string_equal(sub->schema->path, "secondaryip");
	assert_non_null(conf_entry_get(sub, "1"));
	assert_non_null(conf_attr_get(conf_entry_get(sub, "1"), "ip"));
	run(f, "abort");
}

/* What @line wrote to stderr (refused: -1), malloc'd. */
static char *refused_text(struct fixture *f, const char *line)
{
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO);
	char *text = calloc(1, 4096);

	assert_non_null(tmp);
	assert_non_null(text);
	fflush(stderr);
	dup2(fileno(tmp), STDERR_FILENO);
	assert_int_equal(sh_exec_line(&f->s, line), -1);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	assert_true(fread(text, 1, 4095, tmp) > 0);
	fclose(tmp);
	return text;
}

/*
 * '' for a name at the console: the loader's own error for it, saying
 * what to write (as a file's `set srcaddr ''` does), after FortiOS's
 * lines; the entry keeps what it had.
 */
static void test_empty_name(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *cmd, *msg;
	} cases[] = {
		{ "set srcaddr ''",
		  "policy 1: empty srcaddr \"\": a policy needs one; set srcaddr \"all\" for every address\n" },
		{ "set dstaddr all \"\"",
		  "policy 1: empty name \"\" in dstaddr: leave it out\n" },
		{ "set service ''",
		  "policy 1: empty service \"\": a policy needs one; set service \"ALL\" for every service\n" },
		{ "set schedule ''",
		  "policy 1: empty schedule \"\": a policy needs one; set schedule \"always\" for all the time\n" },
		{ "set intf ''",
		  "policy 1: empty intf \"\": a policy needs one; set intf \"any\" for every interface\n" },
		/* select replaces the list, as set: nothing is beside it */
		{ "select srcaddr ''",
		  "policy 1: empty srcaddr \"\": a policy needs one; set srcaddr \"all\" for every address\n" },
	};
	char *text;

	run(f, "config firewall local-in-policy");
	run(f, "edit 1");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		text = refused_text(f, cases[i].cmd);
		assert_non_null(strstr(text, "Command fail. Return code -3\n"));
		assert_non_null(strstr(text, cases[i].msg));
		free(text);
	}
	assert_string_equal(conf_attr_str(f->s.stack[1].entry, "srcaddr"),
			    "All_exceptions");
	run(f, "abort");
	run(f, "config firewall addrgrp");
	run(f, "edit All_exceptions");
	text = refused_text(f, "set member ''");
	assert_non_null(strstr(
		text,
		"address group \"All_exceptions\": empty member \"\": a group needs one; name an address or group\n"));
	free(text);
	/* appended, it is beside the member the group has */
	text = refused_text(f, "append member ''");
	assert_non_null(strstr(
		text,
		"address group \"All_exceptions\": empty name \"\" in member: leave it out\n"));
	free(text);
	run(f, "abort");
}

/* @line is refused, its error text holding @msg. */
static void refused_with(struct fixture *f, const char *line, const char *msg)
{
	char *text = refused_text(f, line);

	assert_non_null(strstr(text, msg));
	free(text);
}

/*
 * '' for an interface name: a zone's member, an address's interface, an
 * SD-WAN member's interface or zone. The loader's words (golden
 * errors/empty-interface-names), not the set accepted and the file
 * refused at `end` with "unknown system interface". An address's
 * associated-interface '' is its none, and taken.
 */
static void test_empty_interface_name(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *section, *edit, *cmd, *msg;
	} cases[] = {
		{ "config system zone", "edit zz", "set interface ''",
		  "zone \"zz\": empty interface \"\": leave it out; unset interface for a zone without members\n" },
		{ "config system zone", "edit zz", "set interface wan1 ''",
		  "zone \"zz\": empty name \"\" in interface: leave it out\n" },

		{ "config firewall address", "edit ifs", "set interface ''",
		  "address \"ifs\": empty interface \"\": name the config system interface whose network it is, or unset interface for none\n" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run(f, cases[i].section);
		run(f, cases[i].edit);
		refused_with(f, cases[i].cmd, "Command fail. Return code -3\n");
		refused_with(f, cases[i].cmd, cases[i].msg);
		run(f, "abort");
	}
	/* select replaces what the zone has, as set: '' is all there is */
	run(f, "config system zone");
	run(f, "edit zz");
	run(f, "set interface wan1");
	refused_with(
		f, "select interface ''",
		"zone \"zz\": empty interface \"\": leave it out; unset interface for a zone without members\n");
	run(f, "abort");
	run(f, "config firewall address");
	run(f, "edit ifs");
	run(f, "set associated-interface ''");
	run(f, "abort");
	run(f, "config system sdwan");
	run(f, "config members");
	run(f, "edit 1");
	refused_with(
		f, "set interface ''",
		"SD-WAN member 1: empty interface \"\": a member needs one; name its interface\n");
	refused_with(
		f, "set zone ''",
		"SD-WAN member 1: empty zone \"\": name its zone, or unset zone for \"virtual-wan-link\"\n");
	run(f, "abort");
}

/* `config ''`: no section named, as the file's loader says, not "no section". */
static void test_empty_section_name(void **state)
{
	struct fixture *f = *state;
	static const char *const cmds[] = { "config ''", "config firewall ''" };
	static const char said[] = "config needs a section name, not \"\"\n";

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		refused_with(f, cmds[i], said);
		assert_int_equal(f->s.depth, 0);
	}
	run(f, "config system sdwan");
	refused_with(f, "config ''", said);
	run(f, "abort");
}

/* A file that does not load is said so by show and get, not shown in part. */
static void test_show_broken_file(void **state)
{
	struct fixture *f = *state;
	static const char bad[] = "config firewall address\n"
				  "    edit \"x\"\n"
				  "        set never-heard-attr 1\n"
				  "    next\n"
				  "end\n";
	FILE *out = fopen(f->path, "w");

	assert_non_null(out);
	fputs(bad, out);
	fclose(out);
	assert_int_equal(sh_exec_line(&f->s, "show firewall address"), -1);
	assert_int_equal(sh_exec_line(&f->s, "show"), -1);
	assert_int_equal(sh_exec_line(&f->s, "get firewall address x"), -1);
	assert_int_equal(sh_exec_line(&f->s, "config firewall address"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokenize),
		cmocka_unit_test(test_find_unquoted),
		cmocka_unit_test(test_open_quote),
		cmocka_unit_test(test_keyword),
		cmocka_unit_test_setup_teardown(test_find_path, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_candidates_top, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_candidates_edit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_candidates_types, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_levels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_in_use, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rename_follows, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rename_predefined_saved,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_zone_follows, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_group_not_emptied, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sdwan_zone_follows, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_show_nested, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_abort_scope, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_clone_nested, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_empty_name, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_empty_interface_name,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_section_name, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_show_broken_file, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
