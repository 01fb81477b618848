// SPDX-License-Identifier: GPL-2.0
/*
 * The data path's sessions (li_sess4 and li_sess, session.h) from user
 * space: walk the LRU hashes in batches, delete an entry, count them, and
 * the clocks and generation the daemon needs to judge and log them
 * (loader.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "localin.skel.h"
#include "dataplane/loader_int.h"

/*
 * Entries per batch: a whole map in 16 system calls, 1.9 MiB of buffers
 * at most. A bucket holds far fewer, so no batch ends in ENOSPC.
 */
#define SESS_BATCH 4096

/*
 * The data path keeps IPv4's sessions in li_sess4 under the key's first
 * LI_SESS4_KEY_SIZE bytes, IPv6's in li_sess (session.h). Here every key
 * is a whole struct li_sess_key: an IPv4 one read from li_sess4 gets its
 * other words zeroed, as li_sess_key_of() leaves them outside the
 * programs.
 */
static int sess_fd(const struct li_loader *l, __u8 family)
{
	return bpf_map__fd(family == 4 ? l->skel->maps.li_sess4 :
					 l->skel->maps.li_sess);
}

static size_t key_size(__u8 family)
{
	return family == 4 ? LI_SESS4_KEY_SIZE : sizeof(struct li_sess_key);
}

/* Key @i of a batch of @family's keys as the kernel wrote them, whole. */
static void key_at(__u8 family, const void *raw, __u32 i, struct li_sess_key *k)
{
	size_t ksz = key_size(family);

	memset(k, 0, sizeof(*k));
	memcpy(k, (const char *)raw + i * ksz, ksz);
}

/*
 * The slow way, for kernels without batch lookups of hash maps: the next
 * key is read before @fn sees (and may delete) the current one, so a walk
 * that deletes as it goes does not start over.
 */
static int walk_keys(struct li_loader *l, __u8 family, li_sess_fn fn, void *ctx)
{
	struct li_sess_key k[2];
	struct li_sess s;
	int fd = sess_fd(l, family), cur = 0, n = 0, err;

	memset(k, 0, sizeof(k));
	if (bpf_map_get_next_key(fd, NULL, &k[cur]))
		return errno == ENOENT ? 0 : -errno;
	for (;;) {
		bool more = !bpf_map_get_next_key(fd, &k[cur], &k[!cur]);

		if (!more && errno != ENOENT)
			return -errno;
		/* Gone since (expired by the LRU, deleted): skipped. */
		if (!bpf_map_lookup_elem(fd, &k[cur], &s)) {
			n++;
			err = fn ? fn(ctx, &k[cur], &s) : 0;
			if (err)
				return err < 0 ? err : n;
		}
		if (!more)
			return n;
		cur = !cur;
	}
}

static int walk_keys_all(struct li_loader *l, li_sess_fn fn, void *ctx)
{
	int n4 = walk_keys(l, 4, fn, ctx), n6;

	if (n4 < 0)
		return n4;
	n6 = walk_keys(l, 6, fn, ctx);
	return n6 < 0 ? n6 : n4 + n6;
}

int li_loader_sess_walk_part(struct li_loader *l, struct li_sess_cursor *c,
			     unsigned int max, li_sess_fn fn, void *ctx)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct li_sess_key key;
	struct li_sess *vals;
	__u32 out = 0, count, i;
	bool unsupported = false;
	unsigned int n = 0;
	int err = 0, ret;
	void *raw;

	raw = malloc(SESS_BATCH * sizeof(key));
	vals = malloc(SESS_BATCH * sizeof(*vals));
	if (!raw || !vals) {
		free(raw);
		free(vals);
		return -ENOMEM;
	}
	c->done = false;
	while (n < max) {
		__u8 family = c->map ? 6 : 4;

		count = SESS_BATCH;
		/* The token of a hash map is a bucket index (a __u32). */
		ret = bpf_map_lookup_batch(sess_fd(l, family),
					   c->started ? &c->token : NULL, &out,
					   raw, vals, &count, &opts);
		if (ret && errno != ENOENT) {
			err = -errno;
			/* EINVAL, ENOTSUPP (524): no batch ops for it here */
			unsupported = !c->started && !c->map &&
				      (err == -EINVAL || err == -EOPNOTSUPP ||
				       err == -524);
			break;
		}
		for (i = 0; i < count && !err; i++) {
			n++;
			key_at(family, raw, i, &key);
			err = fn ? fn(ctx, &key, &vals[i]) : 0;
		}
		/*
		 * Stopped: the next part reads this batch again (without
		 * what @fn deleted), @c as it was before it.
		 */
		if (err > 0)
			break;
		c->token = out;
		c->started = true;
		if (ret) { /* ENOENT: that was this map's last batch */
			c->started = false;
			c->map = !c->map;
			if (!c->map) {
				c->done = true;
				break;
			}
		}
		if (err)
			break;
	}
	free(raw);
	free(vals);
	if (c->done || err < 0) {
		c->started = false; /* the next walk starts over */
		c->map = 0;
	}
	/* No batch lookups at all (an old kernel): key by key, whole. */
	if (unsupported) {
		c->done = true;
		return walk_keys_all(l, fn, ctx);
	}
	return err < 0 ? err : (int)n;
}

int li_loader_sess_walk(struct li_loader *l, li_sess_fn fn, void *ctx)
{
	struct li_sess_cursor c = { 0 };
	int n = li_loader_sess_walk_part(l, &c, UINT_MAX, fn, ctx);

	return n;
}

/* delete_keys() for @n keys of one family, packed as its map keys them. */
static int delete_run(struct li_loader *l, __u8 family, const void *keys,
		      size_t n, bool *gone)
{
	size_t ksz = key_size(family), i = 0, deleted = 0;
	int fd = sess_fd(l, family);
	const char *k = keys;
	__u32 count;

	while (i < n) {
		count = n - i > SESS_BATCH ? SESS_BATCH : (__u32)(n - i);
		if (!bpf_map_delete_batch(fd, k + i * ksz, &count, NULL)) {
			i += count;
			deleted += count;
			continue;
		}
		/* @count were deleted, the next one failed */
		i += count;
		deleted += count;
		if (errno == ENOENT) {
			if (gone)
				gone[i] = true;
			i++;
			continue;
		}
		if (errno != EINVAL && errno != EOPNOTSUPP && errno != 524)
			return -errno;
		/* No batch deletes here: one by one. */
		if (bpf_map_delete_elem(fd, k + i * ksz)) {
			if (errno != ENOENT)
				return -errno;
			if (gone)
				gone[i] = true;
		} else {
			deleted++;
		}
		i++;
	}
	return (int)deleted;
}

int li_loader_sess_delete_keys(struct li_loader *l, const struct li_sess_key *k,
			       size_t n, bool *gone)
{
	size_t i, j, m, deleted = 0;
	char *packed = NULL;
	int err;

	/* Runs of one family; IPv4's keys packed to their prefix. */
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && k[j].family == k[i].family; j++)
			;
		if (k[i].family != 4) {
			err = delete_run(l, k[i].family, k + i, j - i,
					 gone ? gone + i : NULL);
		} else {
			if (!packed)
				packed = malloc(n * LI_SESS4_KEY_SIZE);
			if (!packed)
				return -ENOMEM;
			for (m = i; m < j; m++)
				memcpy(packed + (m - i) * LI_SESS4_KEY_SIZE,
				       &k[m], LI_SESS4_KEY_SIZE);
			err = delete_run(l, 4, packed, j - i,
					 gone ? gone + i : NULL);
		}
		if (err < 0) {
			free(packed);
			return err;
		}
		deleted += (size_t)err;
	}
	free(packed);
	return (int)deleted;
}

int li_loader_sess_delete(struct li_loader *l, const struct li_sess_key *k)
{
	if (bpf_map_delete_elem(sess_fd(l, k->family), k))
		return -errno;
	return 0;
}

int li_loader_sess_take(struct li_loader *l, const struct li_sess_key *k,
			struct li_sess *s)
{
	if (bpf_map_lookup_and_delete_elem(sess_fd(l, k->family), k, s))
		return -errno;
	return 0;
}

#define HINT_BYTES (2 * LI_SESS_HINT_WORDS * sizeof(__u64))

int li_hint_map(struct li_loader *l)
{
	void *p = mmap(NULL, HINT_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED,
		       bpf_map__fd(l->skel->maps.li_sess_hint), 0);

	if (p == MAP_FAILED)
		return -errno;
	l->hint = p;
	return 0;
}

void li_hint_unmap(struct li_loader *l)
{
	if (l->hint)
		munmap(l->hint, HINT_BYTES);
	l->hint = NULL;
}

/* @k's bit in half @half (atomic: the programs set bits beside it). */
static void hint_set(struct li_loader *l, __u32 half,
		     const struct li_sess_key *k)
{
	__u32 bit = li_sess_hint_bit(k);

	__atomic_fetch_or(
		&l->hint[li_set_key(half, LI_SESS_HINT_WORDS, bit >> 6)],
		1ull << (bit & 63), __ATOMIC_SEQ_CST);
}

static int hint_set_walked(void *ctx, const struct li_sess_key *k,
			   const struct li_sess *s)
{
	struct li_loader *l = ctx;

	(void)s;
	hint_set(l, l->hint_building, k);
	return 0;
}

int li_loader_sess_hint_rebuild(struct li_loader *l)
{
	__u32 half, other, w;
	__u64 *o;
	int n;

	if (!l->hint)
		return -ENOENT;
	/* The half we clear was read until the last flip: let it finish. */
	if (l->last_hint_ns && li_mono_ns() - l->last_hint_ns < 1000000ull)
		return 0;
	half = li_state_get(l, LI_STATE_HINT) & 1; /* as the program reads */
	other = half ^ 1;
	o = l->hint + li_set_key(other, LI_SESS_HINT_WORDS, 0);
	for (w = 0; w < LI_SESS_HINT_WORDS; w++)
		__atomic_store_n(&o[w], 0, __ATOMIC_SEQ_CST);
	l->hint_building = other;
	n = li_loader_sess_walk(l, hint_set_walked, l);
	if (n < 0)
		return n; /* the half in force stays (a superset) */
	li_state_set(l, LI_STATE_HINT, other);
	l->last_hint_ns = li_mono_ns();
	return n;
}

int li_loader_sess_put_back(struct li_loader *l, const struct li_sess_key *k,
			    const struct li_sess *s)
{
	if (bpf_map_update_elem(sess_fd(l, k->family), k, s, BPF_NOEXIST))
		return -errno;
	/* As the programs do after an insert (session.h). */
	if (l->hint) {
		hint_set(l, 0, k);
		hint_set(l, 1, k);
	}
	return 0;
}

int li_loader_sess_lookup(struct li_loader *l, const struct li_sess_key *k,
			  struct li_sess *s)
{
	if (bpf_map_lookup_elem(sess_fd(l, k->family), k, s))
		return -errno;
	return 0;
}

static int flush_one(void *ctx, const struct li_sess_key *k,
		     const struct li_sess *s)
{
	int err = li_loader_sess_delete(ctx, k);

	(void)s;
	return err == -ENOENT ? 0 : err;
}

int li_loader_sess_flush(struct li_loader *l)
{
	__u32 zero = 0;
	int n = li_loader_sess_walk(l, flush_one, l);

	if (n < 0)
		return n;
	if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.li_sess_ids), &zero,
				&zero, BPF_ANY))
		return -errno;
	return 0;
}

int li_loader_sess_count(struct li_loader *l)
{
	return li_loader_sess_walk(l, NULL, NULL);
}

__u64 li_sess_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/*
 * The coarse clock is CLOCK_MONOTONIC read at the last tick: one offset
 * for both, taken now (an NTP step since the session began moves it, as
 * it moves the events' times).
 */
__u64 li_sess_epoch_ns(__u64 mono_ns)
{
	struct timespec rt, mt;
	__s64 off;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mt);
	off = ((__s64)rt.tv_sec - (__s64)mt.tv_sec) * 1000000000ll +
	      ((__s64)rt.tv_nsec - (__s64)mt.tv_nsec);
	return mono_ns + (__u64)off;
}

__u32 li_loader_gen(const struct li_loader *l)
{
	return l->have_rs ? l->hdr.gen : 0;
}
