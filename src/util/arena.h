/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Region allocator. Everything a config load creates (tokens, tree, objects,
 * compiled tables' scratch) lives in one arena and is released in one call,
 * so an error path never leaks and a reload can drop a whole generation.
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

/* Zeroed memory; aborts on out-of-memory like the rest of the tool. */
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

#define ARENA_PUSH(a, arr, n, cap)                                         \
	(((n) == (cap) ? (arr) = arena_grow((a), (arr), sizeof(*(arr)), (n), \
					    &(cap))                          \
		       : 0),                                                 \
	 &(arr)[(n)++])

#endif
