// SPDX-License-Identifier: GPL-2.0
/*
 * Small hash tables and member lists the compiler needs: pointer memo,
 * bitmap interning, policy groups with precomputed masks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compile/internal.h"

__u64 bm_hash(const __u64 *bm, uint32_t words)
{
	__u64 h = 0x243f6a8885a308d3ull;
	uint32_t i;

	/* Cheap per word, one full mix at the end: rows are hashed often. */
	for (i = 0; i < words; i++)
		h = (h ^ bm[i]) * 0x100000001b3ull + (h >> 29);
	return hash_mix64(h ^ words);
}

void ptr_map_release(struct ptr_map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

static size_t ptr_slot(const void *key, size_t mask)
{
	return hash_mix64((__u64)(uintptr_t)key) & mask;
}

static int ptr_map_grow(struct ptr_map *m)
{
	size_t size = m->keys ? (m->mask + 1) * 2 : 64, i;
	const void **keys = calloc(size, sizeof(*keys));
	uint32_t *vals = calloc(size, sizeof(*vals));

	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	for (i = 0; m->keys && i <= m->mask; i++) {
		size_t s;

		if (!m->keys[i])
			continue;
		s = ptr_slot(m->keys[i], size - 1);
		while (keys[s])
			s = (s + 1) & (size - 1);
		keys[s] = m->keys[i];
		vals[s] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->mask = size - 1;
	return 0;
}

int ptr_map_put(struct ptr_map *m, const void *key, uint32_t val)
{
	size_t s;

	if (!m->keys || (m->nr + 1) * 2 > m->mask + 1) {
		int err = ptr_map_grow(m);

		if (err)
			return err;
	}
	s = ptr_slot(key, m->mask);
	while (m->keys[s] && m->keys[s] != key)
		s = (s + 1) & m->mask;
	if (!m->keys[s])
		m->nr++;
	m->keys[s] = key;
	m->vals[s] = val;
	return 0;
}

bool ptr_map_get(const struct ptr_map *m, const void *key, uint32_t *val)
{
	size_t s;

	if (!m->keys)
		return false;
	s = ptr_slot(key, m->mask);
	while (m->keys[s]) {
		if (m->keys[s] == key) {
			*val = m->vals[s];
			return true;
		}
		s = (s + 1) & m->mask;
	}
	return false;
}

int bm_table_init(struct bm_table *t, uint32_t words)
{
	memset(t, 0, sizeof(*t));
	t->words = words;
	t->mask = 63;
	t->slots = calloc(t->mask + 1, sizeof(*t->slots));
	return t->slots ? 0 : -ENOMEM;
}

void bm_table_release(struct bm_table *t)
{
	free(t->rows);
	free(t->hashes);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

static int bm_table_rehash(struct bm_table *t)
{
	size_t size = (t->mask + 1) * 2, i;
	uint32_t *slots = calloc(size, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < t->nr; i++) {
		size_t s = t->hashes[i] & (size - 1);

		while (slots[s])
			s = (s + 1) & (size - 1);
		slots[s] = (uint32_t)i + 1;
	}
	free(t->slots);
	t->slots = slots;
	t->mask = size - 1;
	return 0;
}

int bm_table_intern(struct bm_table *t, const __u64 *bm, uint32_t *row)
{
	__u64 h = bm_hash(bm, t->words);
	size_t s = h & t->mask;
	int err;

	while (t->slots[s]) {
		uint32_t r = t->slots[s] - 1;

		if (t->hashes[r] == h && !memcmp(t->rows + (size_t)r * t->words,
						 bm, t->words * sizeof(*bm))) {
			*row = r;
			return 0;
		}
		s = (s + 1) & t->mask;
	}
	if (t->nr >= UINT32_MAX - 1)
		return -E2BIG;
	if (t->nr == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		__u64 *rows = realloc(t->rows, cap * t->words * sizeof(*rows));
		__u64 *hashes;

		if (!rows)
			return -ENOMEM;
		t->rows = rows;
		hashes = realloc(t->hashes, cap * sizeof(*hashes));
		if (!hashes)
			return -ENOMEM;
		t->hashes = hashes;
		t->cap = cap;
	}
	memcpy(t->rows + t->nr * t->words, bm, t->words * sizeof(*bm));
	t->hashes[t->nr] = h;
	t->slots[s] = (uint32_t)t->nr + 1;
	*row = (uint32_t)t->nr++;
	if (t->nr * 2 > t->mask + 1) {
		err = bm_table_rehash(t);
		if (err)
			return err;
	}
	return 0;
}

int bm_table_finish(struct bm_table *t, struct li_bitmaps *out)
{
	__u64 *rows = t->rows;

	/* Sized exactly: the loader copies these rows into a map as is. */
	if (t->nr && t->nr < t->cap) {
		rows = realloc(t->rows, t->nr * t->words * sizeof(*rows));
		if (!rows)
			rows = t->rows;
	}
	out->nr_classes = (__u32)t->nr;
	out->words = (__u64 *)rows;
	t->rows = NULL;
	bm_table_release(t);
	return 0;
}

int group_list_build(struct group_list *g, uint32_t nr_groups,
		     const uint32_t *pair_group, const uint32_t *pair_pol,
		     size_t nr_pairs, uint32_t words)
{
	uint32_t i, nr_heavy = 0, *fill;
	size_t k;

	memset(g, 0, sizeof(*g));
	g->nr_groups = nr_groups;
	g->words = words;
	g->off = calloc((size_t)nr_groups + 1, sizeof(*g->off));
	g->pol = malloc((nr_pairs ? nr_pairs : 1) * sizeof(*g->pol));
	g->heavy = calloc(nr_groups ? nr_groups : 1, sizeof(*g->heavy));
	fill = calloc(nr_groups ? nr_groups : 1, sizeof(*fill));
	if (!g->off || !g->pol || !g->heavy || !fill)
		goto nomem;
	/* Counting sort by group keeps each group's members in pair order. */
	for (k = 0; k < nr_pairs; k++)
		g->off[pair_group[k] + 1]++;
	for (i = 0; i < nr_groups; i++) {
		g->off[i + 1] += g->off[i];
		if (g->off[i + 1] - g->off[i] > words)
			g->heavy[i] = ++nr_heavy;
	}
	for (k = 0; k < nr_pairs; k++) {
		uint32_t grp = pair_group[k];

		g->pol[g->off[grp] + fill[grp]++] = pair_pol[k];
	}
	free(fill);
	fill = NULL;
	if (nr_heavy) {
		g->masks = calloc((size_t)nr_heavy * words, sizeof(*g->masks));
		if (!g->masks)
			goto nomem;
	}
	for (i = 0; i < nr_groups; i++) {
		__u64 *m;

		if (!g->heavy[i])
			continue;
		m = g->masks + (size_t)(g->heavy[i] - 1) * words;
		for (k = g->off[i]; k < g->off[i + 1]; k++)
			bm_set(m, g->pol[k]);
	}
	return 0;
nomem:
	free(fill);
	group_list_release(g);
	return -ENOMEM;
}

void group_list_release(struct group_list *g)
{
	free(g->off);
	free(g->pol);
	free(g->heavy);
	free(g->masks);
	memset(g, 0, sizeof(*g));
}

void group_list_xor(const struct group_list *g, uint32_t gid, __u64 *bm)
{
	uint32_t k;

	if (g->heavy[gid]) {
		const __u64 *m =
			g->masks + (size_t)(g->heavy[gid] - 1) * g->words;

		for (k = 0; k < g->words; k++)
			bm[k] ^= m[k];
		return;
	}
	for (k = g->off[gid]; k < g->off[gid + 1]; k++)
		bm[g->pol[k] / 64] ^= 1ull << (g->pol[k] % 64);
}

void group_list_or(const struct group_list *g, uint32_t gid, __u64 *bm)
{
	uint32_t k;

	if (g->heavy[gid]) {
		const __u64 *m =
			g->masks + (size_t)(g->heavy[gid] - 1) * g->words;

		for (k = 0; k < g->words; k++)
			bm[k] |= m[k];
		return;
	}
	for (k = g->off[gid]; k < g->off[gid + 1]; k++)
		bm_set(bm, g->pol[k]);
}
