/* SPDX-License-Identifier: GPL-2.0 */
/*
 * FortiOS CLI command parser. Each line is one command (config, edit, set,
 * unset, append, select, unselect, delete, rename, move, purge, next, end);
 * executing them in order against the tree is what "loading a config"
 * means, for a file as for the interactive shell later. Errors are queued
 * and parsing resumes at the next line, skipping the rest of a broken
 * entry or section where nothing sensible can follow.
 */
#ifndef LOCALIN_CONF_PARSER_H
#define LOCALIN_CONF_PARSER_H

#include "conf/diag.h"
#include "conf/tree.h"
#include "util/trusted_file.h"

/*
 * Largest file conf_source_read() takes. A FortiGate backup with 1M
 * addresses is about 100 MB (90 bytes an address, the names again in
 * their groups): this holds it 2.5 times, and bounds what a wrong path
 * or a runaway generator can make a reload cost.
 */
#define CONF_SOURCE_MAX (256u << 20)

/*
 * Read a whole regular file of at most CONF_SOURCE_MAX bytes into a
 * conf_source (arena-owned), without hanging on a FIFO or reading a device.
 * Returns 0, or a negative errno and in *why the cause, for the caller to
 * report after "cannot read PATH: " (the file has no location yet).
 */
int conf_source_read(struct arena *a, const char *path,
		     struct conf_source **out, const char **why);
/*
 * conf_source_read(), and with CONF_READ_NOFOLLOW neither through a
 * symbolic link nor from a file with a second name (a hard link): for a
 * path in a directory others may write (what `localin cli` stages).
 */
#define CONF_READ_NOFOLLOW TRUSTED_NOFOLLOW
/*
 * Through symbolic links only if each belongs to root or to this process's
 * user (else -EPERM, the link named in *why): for the daemon's config, in
 * a directory the admin group may write (README, --admin-group). A link
 * is how a member would make root read /etc/shadow and quote it back.
 */
#define CONF_READ_OWNED_LINKS 2u
/*
 * The file itself belongs to root or to this process's user (else
 * -EINVAL, its owner in *why): for a file whose words become state the
 * daemon runs as root with (the SA file source), named by a config the
 * admin group may write. Another user's file is theirs to vouch for, not
 * root's, and root would read what that user may have kept from others.
 */
#define CONF_READ_OWNED_FILE TRUSTED_OWNED
/*
 * Nobody but the file's owner (and its group: the admin group, who may
 * change the config anyway) may write it (else -EINVAL, its mode in
 * *why): for the same files as CONF_READ_OWNED_FILE, whose owner vouches
 * for them only if nobody else may change their words.
 */
#define CONF_READ_NOT_WORLD_WRITABLE TRUSTED_NOT_WORLD_WRITABLE
/* Nor its group: a file only the daemon writes (util/trusted_file.h). */
#define CONF_READ_NOT_GROUP_WRITABLE TRUSTED_NOT_GROUP_WRITABLE
int conf_source_read_flags(struct arena *a, const char *path,
			   unsigned int flags, struct conf_source **out,
			   const char **why);
/* Same, with a size limit of @max bytes instead of CONF_SOURCE_MAX. */
int conf_source_read_max(struct arena *a, const char *path, unsigned int flags,
			 uint64_t max, struct conf_source **out,
			 const char **why);
/* A source over text already in memory (builtins, tests, fuzzing). */
struct conf_source *conf_source_mem(struct arena *a, const char *name,
				    const char *text, size_t len, bool builtin);

/*
 * Execute every command of @src against @t. Returns 0, or -EINVAL when
 * at least one error was queued on @dl.
 */
int conf_parse(struct conf_tree *t, const struct conf_source *src,
	       struct diag_list *dl);

/*
 * An existing entry's key as @word names it in a table of @s: in an id
 * table, the id as edit stores it (`07` is policy 7, in @buf); else
 * @word itself.
 */
const char *conf_entry_key(const struct schema_section *s, const char *word,
			   char *buf, size_t size);
/*
 * The key `edit @w` opens in @sec: an id checked and `0` turned into the
 * next free one (written to @buf), or a name checked for length. NULL
 * with the error queued on @dl.
 */
const char *conf_edit_key(const struct conf_section *sec,
			  const struct conf_word *w, char *buf, size_t size,
			  struct diag_list *dl);

/*
 * One of set, unset, append, select, unselect (on @e, an edit or a
 * singleton's body) or delete, rename, move, purge (on the table @sec,
 * @e NULL), for the interactive shell: as conf_parse() runs it, the same
 * checks and messages. 0, -EINVAL with errors queued, or -EOPNOTSUPP for
 * a command that opens or closes a block (the shell keeps those).
 */
int conf_exec(struct conf_tree *t, struct conf_section *sec,
	      struct conf_entry *e, struct conf_word *w, size_t n,
	      struct diag_list *dl);

/*
 * Convenience for every front end: a fresh tree with the factory
 * defaults (conf/factory.c), then @src on top.
 */
int conf_load(struct conf_tree *t, const struct conf_source *src,
	      struct diag_list *dl);

#endif
