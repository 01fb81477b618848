// SPDX-License-Identifier: GPL-2.0
/*
 * Multibit tries over the elementary intervals of an address dimension:
 * a 2^16 root, then 2^8 blocks (ruleset.h). A node that lies wholly inside
 * one interval becomes a leaf holding that interval's class, so the trie
 * only deepens around boundaries. Identical blocks are stored once: below
 * a single host most blocks are "one class everywhere but one slot", and
 * runs of such blocks repeat, especially in IPv6.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "compile/internal.h"

struct trie_builder {
	const ip_u128 *lo;
	const uint32_t *cls;
	size_t nr;
	size_t cur; /* interval holding the last start visited */
	__u32 *blocks;
	size_t nr_blocks, cap;
	__u64 *hashes;
	uint32_t *slots; /* block + 1 */
	size_t mask;
};

static __u64 block_hash(const __u32 *b)
{
	__u64 h = 0x6a09e667f3bcc909ull;
	unsigned int i;

	for (i = 0; i < LI_BLOCK_SIZE; i += 2)
		h = (h ^ ((__u64)b[i] << 32 | b[i + 1])) *
			    0x9e3779b97f4a7c15ull +
		    (h >> 31);
	return hash_mix64(h);
}

static int trie_rehash(struct trie_builder *tb)
{
	size_t size = tb->slots ? (tb->mask + 1) * 2 : 1024, i;
	uint32_t *slots = calloc(size, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < tb->nr_blocks; i++) {
		size_t s = tb->hashes[i] & (size - 1);

		while (slots[s])
			s = (s + 1) & (size - 1);
		slots[s] = (uint32_t)i + 1;
	}
	free(tb->slots);
	tb->slots = slots;
	tb->mask = size - 1;
	return 0;
}

static int trie_intern_block(struct trie_builder *tb, const __u32 *b,
			     __u32 *entry)
{
	__u64 h = block_hash(b);
	size_t s;
	int err;

	if (!tb->slots || (tb->nr_blocks + 1) * 2 > tb->mask + 1) {
		err = trie_rehash(tb);
		if (err)
			return err;
	}
	s = h & tb->mask;
	while (tb->slots[s]) {
		uint32_t k = tb->slots[s] - 1;

		if (tb->hashes[k] == h &&
		    !memcmp(tb->blocks + (size_t)k * LI_BLOCK_SIZE, b,
			    LI_BLOCK_SIZE * sizeof(*b))) {
			*entry = LI_NEXT | k;
			return 0;
		}
		s = (s + 1) & tb->mask;
	}
	if (tb->nr_blocks >= LI_NEXT - 1)
		return -E2BIG;
	if (tb->nr_blocks == tb->cap) {
		size_t cap = tb->cap ? tb->cap * 2 : 64;
		__u32 *blocks = realloc(tb->blocks,
					cap * LI_BLOCK_SIZE * sizeof(*blocks));
		__u64 *hashes;

		if (!blocks)
			return -ENOMEM;
		tb->blocks = blocks;
		hashes = realloc(tb->hashes, cap * sizeof(*hashes));
		if (!hashes)
			return -ENOMEM;
		tb->hashes = hashes;
		tb->cap = cap;
	}
	memcpy(tb->blocks + tb->nr_blocks * LI_BLOCK_SIZE, b,
	       LI_BLOCK_SIZE * sizeof(*b));
	tb->hashes[tb->nr_blocks] = h;
	tb->slots[s] = (uint32_t)tb->nr_blocks + 1;
	*entry = LI_NEXT | (__u32)tb->nr_blocks++;
	return 0;
}

/*
 * Fill @n entries, entry k covering 2^shift addresses from
 * base + k * 2^shift. Starts are visited in increasing order, so one
 * cursor over the intervals serves the whole build.
 */
/*
 * Entry @k (of @n, as in trie_fill) lies wholly inside interval tb->cur:
 * so do the entries after it that end before the next interval starts.
 * They all get its class; returns the first entry that does not. Class 0
 * is not written into a @zeroed table (the root: pages never written are
 * never given memory).
 */
static size_t trie_leaves(const struct trie_builder *tb, __u32 *out, size_t n,
			  size_t k, ip_u128 base, unsigned int shift,
			  bool zeroed)
{
	__u32 cls = tb->cls[tb->cur];
	size_t end = n;

	if (tb->cur + 1 < tb->nr) {
		/* entry j ends before next iff (j + 1) << shift <= next - base */
		ip_u128 whole = (tb->lo[tb->cur + 1] - base) >> shift;

		if (whole < n)
			end = (size_t)whole;
	}
	if (zeroed && !cls)
		return end;
	while (k < end)
		out[k++] = cls;
	return end;
}

static int trie_fill(struct trie_builder *tb, __u32 *out, size_t n,
		     ip_u128 base, unsigned int shift, bool zeroed)
{
	ip_u128 span = ((ip_u128)1 << shift) - 1;
	size_t k;
	int err;

	for (k = 0; k < n; k++) {
		ip_u128 start = base + ((ip_u128)k << shift);
		__u32 child[LI_BLOCK_SIZE];

		while (tb->cur + 1 < tb->nr && tb->lo[tb->cur + 1] <= start)
			tb->cur++;
		if (tb->cur + 1 == tb->nr ||
		    tb->lo[tb->cur + 1] > start + span) {
			k = trie_leaves(tb, out, n, k, base, shift, zeroed) - 1;
			continue;
		}
		err = trie_fill(tb, child, LI_BLOCK_SIZE, start,
				shift - LI_BLOCK_BITS, false);
		if (!err)
			err = trie_intern_block(tb, child, &out[k]);
		if (err)
			return err;
	}
	return 0;
}

int trie_build(const ip_u128 *lo, const uint32_t *cls, size_t nr,
	       unsigned int width, struct li_addr_table *tab)
{
	struct trie_builder tb = { .lo = lo, .cls = cls, .nr = nr };
	int err;

	tab->root = calloc(LI_ROOT_SIZE, sizeof(*tab->root));
	if (!tab->root)
		return -ENOMEM;
	err = trie_fill(&tb, tab->root, LI_ROOT_SIZE, 0, width - LI_ROOT_BITS,
			true);
	if (!err && tb.nr_blocks < tb.cap) {
		__u32 *b = realloc(tb.blocks,
				   tb.nr_blocks * LI_BLOCK_SIZE * sizeof(*b));

		if (b || !tb.nr_blocks)
			tb.blocks = b;
	}
	free(tb.hashes);
	free(tb.slots);
	if (err) {
		free(tb.blocks);
		return err;
	}
	tab->blocks = tb.blocks;
	tab->nr_blocks = (__u32)tb.nr_blocks;
	return 0;
}

struct trie_walker {
	const struct li_addr_table *tab;
	void (*fn)(void *arg, ip_u128 lo, ip_u128 hi, __u32 cls);
	void *arg;
	ip_u128 run_lo;
	__u32 run_cls;
};

static void trie_visit(struct trie_walker *w, const __u32 *entries, size_t n,
		       ip_u128 base, unsigned int shift)
{
	size_t k;

	for (k = 0; k < n; k++) {
		ip_u128 start = base + ((ip_u128)k << shift);
		__u32 e = entries[k];

		if (e & LI_NEXT) {
			trie_visit(w,
				   w->tab->blocks + (size_t)(e & ~LI_NEXT) *
							    LI_BLOCK_SIZE,
				   LI_BLOCK_SIZE, start, shift - LI_BLOCK_BITS);
			continue;
		}
		if (e != w->run_cls) {
			if (start)
				w->fn(w->arg, w->run_lo, start - 1, w->run_cls);
			w->run_lo = start;
			w->run_cls = e;
		}
	}
}

void trie_walk(const struct li_addr_table *tab, unsigned int width,
	       void (*fn)(void *arg, ip_u128 lo, ip_u128 hi, __u32 cls),
	       void *arg)
{
	struct trie_walker w = { .tab = tab, .fn = fn, .arg = arg };
	ip_u128 max = width == 128 ? IP_U128_MAX : (((ip_u128)1 << width) - 1);

	if (!tab->root)
		return;
	w.run_cls = tab->root[0] & LI_NEXT ? UINT32_MAX : tab->root[0];
	trie_visit(&w, tab->root, LI_ROOT_SIZE, 0, width - LI_ROOT_BITS);
	fn(arg, w.run_lo, max, w.run_cls);
}
