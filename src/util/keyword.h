/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Keywords abbreviated as on FortiOS's CLI: the control socket's command
 * words, the console's, and the trace filter's options take the fewest
 * letters that name one keyword.
 */
#ifndef LOCALIN_UTIL_KEYWORD_H
#define LOCALIN_UTIL_KEYWORD_H

#include <stddef.h>

/*
 * The keyword of @words (@n of them) that @word names: equal to it, or
 * its unique prefix, or a prefix of several of which one is a prefix of
 * all the others ("sess": session, not session6). Its index, -ENOENT, or
 * -EAGAIN when ambiguous.
 */
int keyword_index(const char *word, const char *const *words, int n);
/*
 * The keywords of @words that @word abbreviates, in their order and
 * ", " between them ("saddr, sport"), in @buf: what an error that calls
 * @word ambiguous names. Length, or -ENOSPC.
 */
int keyword_candidates(const char *word, const char *const *words, int n,
		       char *buf, size_t size);

#endif
