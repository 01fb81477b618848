/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `localin cli`: the FortiOS console. Private to src/cli/shell*.c:
 *
 *   shell.c           options, the line loop (libedit or a script), the
 *                     dispatch of diagnose/execute/... to main's commands
 *   shell_tok.c       words of a typed line, abbreviations (pure)
 *   shell_session.c   the loaded tree, levels, prompt, schema lookups
 *   shell_exec.c      config/edit/set/.../end against the staged tree
 *   shell_show.c      show and get at every level
 *   shell_complete.c  what may come next: Tab and `?` (from the schema)
 *   shell_apply.c     the outermost `end`: compile, daemon, file
 *
 * A session edits a tree loaded from the config file at the outermost
 * `config`; nothing reaches the daemon or the disk before the outermost
 * `end`. `abort` drops the level it ends, as FortiOS: a nested `config`
 * whole, at the outermost one the open edit (what `next` saved stays).
 */
#ifndef LOCALIN_CLI_SHELL_H
#define LOCALIN_CLI_SHELL_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "conf/tree.h"
#include "util/arena.h"

#define SH_MAX_DEPTH 8
#define SH_MAX_WORDS 128

/* One open level: a table (entry NULL), an edit, or a singleton's body. */
struct sh_frame {
	struct conf_section *sec;
	struct conf_entry *entry;
	/*
	 * What `abort` puts back: the entry as `edit` found it (NULL and
	 * created: it was new), or, for a nested `config`, the entry it is
	 * in as it was then. renames: the rename log's length then.
	 */
	struct conf_entry *snap;
	bool created;
	size_t renames;
};

/* A rename that rewrote references: undone when its level is aborted. */
struct sh_rename {
	const char *path, *from, *to;
};

struct shell {
	const char *config; /* the config file, absolute */
	const char *socket; /* the daemon's control socket */
	bool online;	    /* the daemon there enforces @config */
	const char *vdom;   /* the VDOM it enforces of a multi-VDOM file */
	const char *where;  /* "line 7: ", "command 2: " or "" */
	char where_buf[32];
	/* The tree of the file, and of the transaction while one is open. */
	struct arena arena;
	struct conf_tree tree;
	struct arena lines; /* each typed line's text, for the session */
	bool loaded;
	const char *base; /* the file's text when the transaction began */
	size_t base_len;
	const char *load_error; /* why this file cannot be edited */
	struct sh_frame stack[SH_MAX_DEPTH];
	int depth;
	struct sh_rename *renames; /* in the tree's arena */
	size_t nr_renames, cap_renames;
	/*
	 * Something FortiOS would have saved already: an outermost `next`
	 * that changed its entry, a delete, rename, move, purge or clone.
	 */
	bool saved;
	/*
	 * The outermost `end` (or an `abort`'s apply) was refused: `abort`
	 * at the outermost level now drops every staged change, as the
	 * refusal said.
	 */
	bool apply_failed;
	bool quit; /* `exit` */
};

/* FortiOS's return codes (as the CLI prints them). */
#define RC_PARSE -61	/* a word the CLI did not take */
#define RC_VALUE -651	/* a value its type refuses */
#define RC_NOENT -3	/* entry not found in datasource */
#define RC_EXISTS -5	/* the key is taken */
#define RC_REQUIRED -56 /* node_check_object: a value must be set */
#define RC_USED -23	/* the entry is used by another one */

static inline struct sh_frame *sh_top(struct shell *s)
{
	return s->depth ? &s->stack[s->depth - 1] : NULL;
}

/* A candidate for the next word: the word, or a <placeholder>, and help. */
struct sh_cand {
	char word[96];
	char help[96];
	bool placeholder; /* not a literal word: help only */
};

/* shell_tok.c */
/*
 * Split @line into words (double or single quotes, backslash escapes, as
 * the config lexer reads them) into @buf, at most @max. *@partial: the
 * line ends inside a word (no blank after it), so the last word is still
 * being typed. Returns the number of words, or -E2BIG.
 */
int sh_tokenize(const char *line, char *buf, size_t size, char **argv, int max,
		bool *partial);
/* The first @c in @s outside quotes, or NULL (`|` of show, `;` of -c). */
const char *sh_find_unquoted(const char *s, char c);
/* The quote @s leaves open at its end (" or '), or 0. */
char sh_open_quote(const char *s);
/* Abbreviation as on FortiOS and the control socket (keyword_index()). */
int sh_keyword(const char *word, const char *const *words, int n);

/* shell_session.c */
int sh_load(struct shell *s);
/* The prompt: "HOST # ", "HOST (local-in-policy) # ", "HOST (1) # ". */
void sh_prompt(struct shell *s, char *buf, size_t size);
/* The commands of the current level, for completion. */
int sh_level_commands(const struct shell *s, const char **out, int max);
const char *sh_command_help(const char *cmd);
/*
 * The section path @argv (abbreviated) names; *used: words it took;
 * *bad: the word that names nothing here (NULL: the path is incomplete),
 * *ambiguous: or several things.
 */
const struct schema_section *sh_find_path(const struct shell *s, char **argv,
					  int argc, int *used, const char **bad,
					  bool *ambiguous);
/* Top-level sections, or the sub-sections of the current entry. */
size_t sh_sections_here(const struct shell *s,
			const struct schema_section *const **out);
struct conf_section *sh_section_of(struct shell *s,
				   const struct schema_section *sch);
/* The attribute @word (abbreviated) names in @sec, or NULL. */
const struct schema_attr *sh_find_attr(const struct schema_section *sec,
				       const char *word, bool *ambiguous);
/* Sections whose entry names attribute @a of @sec refers to. */
int sh_ref_sections(const struct schema_section *sec, const char *attr,
		    const char **out, int max);
/* An entry whose reference attribute names another entry. */
struct sh_user {
	const char *sec;  /* "firewall addrgrp" */
	const char *key;  /* its entry */
	const char *attr; /* "member" */
};

/*
 * How many values of the staged tree name entry @key of section @path,
 * the entries of section @skip (NULL: none) aside; the first in *first.
 */
int sh_ref_users(struct shell *s, const char *path, const char *key,
		 const char *skip, struct sh_user *first);
/*
 * The section, other than @path, whose entry @name would share a
 * reference with one of @path's of that name (an address and a group
 * both "x": `set srcaddr x` names which?), or NULL.
 */
const char *sh_ref_taken(struct shell *s, const char *path, const char *name);
/*
 * The section of a reference path: a top-level one, or a table inside a
 * singleton ("system sdwan zone"). NULL if the tree has none.
 */
struct conf_section *sh_ref_section(struct shell *s, const char *path);
/* The path of the table open now, as references name it, into @buf. */
void sh_table_path(const struct shell *s, char *buf, size_t size);
/* `rename`: every value naming @key of @path names @to. Their number. */
int sh_ref_rename(struct shell *s, const char *path, const char *key,
		  const char *to);
/* FortiOS's "WHAT 'WORD'" and "Command fail. Return code RC" lines. */
void sh_fortios_fail(const char *what, const char *word, int rc);
void sh_error(struct shell *s, const char *fortios, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* FortiOS's two lines for a word the CLI did not take. */
int sh_parse_error(struct shell *s, const char *word, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* shell_exec.c */
/* Run one typed line. 0, or -1 after the error was printed. */
int sh_exec_line(struct shell *s, const char *line);

/* shell_show.c */
int sh_show(struct shell *s, char **argv, int argc, FILE *out);
int sh_get(struct shell *s, char **argv, int argc, FILE *out);

/* shell_complete.c */
/* Candidates for word @argc after @argv (the words typed before it). */
size_t sh_candidates(struct shell *s, char **argv, int argc,
		     struct sh_cand *out, size_t max);
/* Of @c, those starting with @prefix (placeholders always stay). */
size_t sh_filter(struct sh_cand *c, size_t n, const char *prefix);
/* The longest common prefix of the literal candidates, into @buf. */
void sh_common_prefix(const struct sh_cand *c, size_t n, char *buf,
		      size_t size);
void sh_print_help(const struct sh_cand *c, size_t n, FILE *out);

/* shell_apply.c */
/* The outermost `end`: compile, daemon, file. 0 or -1 (printed). */
int sh_apply(struct shell *s);
/* What the daemon's `status` says of the config it enforces. */
struct sh_running {
	char path[PATH_MAX];
	char vdom[64];	  /* "" but for a VDOM of a multi-VDOM backup */
	time_t loaded_at; /* its last load, or 0 if not said */
};

/*
 * The config the daemon at @socket enforces, into @r: 0, -ENOENT when no
 * daemon is there, or another negative errno (it did not answer,
 * permission denied).
 */
int sh_daemon_config(const char *socket, struct sh_running *r);

/* shell.c: diagnose, execute, ... as main.c runs them. */
int sh_dispatch(struct shell *s, int argc, char **argv);
bool sh_is_dispatched(const char *cmd);

#endif
