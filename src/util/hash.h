/* SPDX-License-Identifier: GPL-2.0 */
/* The hashes the user-space tables share: strings (names) and 64-bit keys. */
#ifndef LOCALIN_UTIL_HASH_H
#define LOCALIN_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a over a NUL-terminated string. */
static inline size_t hash_str(const char *s)
{
	size_t h = 14695981039346656037ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* FNV-1a over @len bytes. */
static inline uint64_t hash_bytes(const void *p, size_t len)
{
	const unsigned char *b = p;
	uint64_t h = 14695981039346656037ull;

	while (len--)
		h = (h ^ *b++) * 1099511628211ull;
	return h;
}

/* The murmur3 finalizer: every input bit reaches every output bit. */
static inline uint64_t hash_mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

#endif
