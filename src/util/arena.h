/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Region allocator. Everything a config load creates (tokens, tree, objects,
 * compiled tables' scratch) lives in one arena and is released in one call,
 * so an error path never leaks and a reload can drop a whole generation.
 *
 * Out of memory, the policy of the whole tool:
 *  - The arena aborts ("localin: out of memory"). Its allocations are
 *    countless and small (a word, a diagnostic); unchecked, they keep the
 *    parser readable, and a process that cannot get 64 KiB has nothing
 *    left to report with.
 *  - Every other allocation (malloc, calloc, realloc, strdup) is checked
 *    and its failure returned as -ENOMEM to the caller, up to the one who
 *    can say it: a config stage queues an error (the load fails, and a
 *    reload keeps the running config in force), a command exits non-zero
 *    with a message, the daemon answers the request that failed.
 *  - Code with nobody to return to (an event handler) degrades in a way
 *    that shows and recovers: drop the connection, list the SAs again,
 *    count what was refused.
 *  - Never ignored: a failed allocation must not turn into a different
 *    answer (a value missing from the config, "no policy matched"). The
 *    one exception is a realloc() that only shrinks: keeping the larger
 *    block is correct.
 * tests/unit/test_oom.c fails every allocation of a config load in turn.
 */
#ifndef LOCALIN_UTIL_ARENA_H
#define LOCALIN_UTIL_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
	size_t allocated; /* bytes obtained from malloc, for reports */
};

void arena_init(struct arena *a);
void arena_free(struct arena *a);
/* Drop everything but keep the first chunk, for per-line scratch space. */
void arena_reset(struct arena *a);

/* Zeroed memory; aborts on out-of-memory (the policy above). */
void *arena_alloc(struct arena *a, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Growable array inside an arena: the old block is simply abandoned, which
 * is fine for the append-mostly lists a config has.
 */
void *arena_grow(struct arena *a, void *old, size_t elem, size_t old_n,
		 size_t *cap);

#define ARENA_PUSH(a, arr, n, cap)                                           \
	(((n) == (cap) ? (arr) = arena_grow((a), (arr), sizeof(*(arr)), (n), \
					    &(cap)) :                        \
			 0),                                                 \
	 &(arr)[(n)++])

#endif
