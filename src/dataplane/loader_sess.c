// SPDX-License-Identifier: GPL-2.0
/*
 * The data path's sessions (li_sess_tab, session.h) from user space:
 * walk them, delete one, count them, and the clocks and generation the
 * daemon needs to judge and log them (loader.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "localin.skel.h"
#include "dataplane/loader_int.h"

/*
 * li_sess_tab, mapped: walked slot by slot, written under each slot's
 * seq word as the programs do (session.h).
 */
/* Claims a writer holds for nanoseconds; spin this many times at most. */
#define CLAIM_TRIES 100000

static struct li_sess_slot *slot_at(const struct li_loader *l, __u32 i)
{
	return &l->stab[(i / LI_SESS_WAYS) % LI_SESS_BUCKETS]
			.slot[i % LI_SESS_WAYS];
}

static struct li_sess_bucket *bucket_of(const struct li_loader *l,
					const struct li_sess_key *k)
{
	return &l->stab[li_sess_bucket_of(k, l->conf.sess_seed)];
}

/* Claim @e, waiting out a writer: its seq to release with, or 0. */
static __u32 claim(struct li_sess_slot *e)
{
	__u32 seq = 0;
	int i;

	for (i = 0; i < CLAIM_TRIES && !seq; i++)
		seq = li_sess_slot_claim(e);
	return seq;
}

/* A copy of @e's key and session when it holds one, stable: true. */
static bool slot_copy(const struct li_sess_slot *e, struct li_sess_key *k,
		      struct li_sess *s)
{
	__u32 seq = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE);

	if ((seq & 1) || !e->k.family)
		return false;
	memcpy(k, &e->k, sizeof(*k));
	memcpy(s, &e->s, sizeof(*s));
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&e->seq, __ATOMIC_RELAXED) == seq && k->family;
}

int li_loader_sess_walk_part(struct li_loader *l, struct li_sess_cursor *c,
			     unsigned int max, li_sess_fn fn, void *ctx)
{
	struct li_sess_key k;
	struct li_sess s;
	unsigned int n = 0;
	int err = 0;

	if (!l->stab)
		return -ENOENT;
	c->done = false;
	for (; c->token < LI_SESS_MAPS_MAX && n < max; c->token++) {
		if (!slot_copy(slot_at(l, c->token), &k, &s))
			continue;
		n++;
		err = fn ? fn(ctx, &k, &s) : 0;
		/* Stopped: the next part starts at this slot again. */
		if (err)
			break;
	}
	if (c->token >= LI_SESS_MAPS_MAX || err < 0) {
		c->done = c->token >= LI_SESS_MAPS_MAX;
		c->token = 0; /* the next walk starts over */
	}
	return err < 0 ? err : (int)n;
}

int li_loader_sess_walk(struct li_loader *l, li_sess_fn fn, void *ctx)
{
	struct li_sess_cursor c = { 0 };

	return li_loader_sess_walk_part(l, &c, UINT_MAX, fn, ctx);
}

int li_loader_sess_take(struct li_loader *l, const struct li_sess_key *k,
			struct li_sess *s)
{
	struct li_sess_slot *e;
	__u32 seq;

	if (!l->stab)
		return -ENOENT;
	e = li_sess_slot_find(bucket_of(l, k), k);
	if (!e)
		return -ENOENT;
	seq = claim(e);
	if (!seq)
		return -EBUSY;
	if (!li_sess_key_eq(&e->k, k)) { /* replaced meanwhile */
		li_sess_slot_release(e, seq);
		return -ENOENT;
	}
	if (s)
		memcpy(s, &e->s, sizeof(*s));
	memset(&e->k, 0, sizeof(e->k));
	li_sess_slot_release(e, seq);
	return 0;
}

int li_loader_sess_delete(struct li_loader *l, const struct li_sess_key *k)
{
	return li_loader_sess_take(l, k, NULL);
}

int li_loader_sess_delete_keys(struct li_loader *l, const struct li_sess_key *k,
			       size_t n, bool *gone)
{
	size_t i;
	int deleted = 0, err;

	for (i = 0; i < n; i++) {
		err = li_loader_sess_delete(l, &k[i]);
		if (!err) {
			deleted++;
		} else if (err == -ENOENT) {
			if (gone)
				gone[i] = true;
		} else {
			return err;
		}
	}
	return deleted;
}

int li_sess_maps_map(struct li_loader *l)
{
	/* the hint follows the config in li_conf's value, mapped already */
	l->hint = ((struct li_conf_val *)l->cmap)->sess_hint;
	return li_map_mmap(l->skel->maps.li_sess_tab, &l->stab);
}

void li_sess_maps_unmap(struct li_loader *l)
{
	l->hint = NULL;
	if (l->stab)
		li_map_munmap(l->skel->maps.li_sess_tab, l->stab);
	l->stab = NULL;
}

/*
 * A slot left claimed (a copy taken mid-write, a loader that died holding
 * one) would be skipped by every reader and writer for good: one still
 * claimed, with the same seq, after a millisecond is emptied.
 */
int li_sess_tab_settle(struct li_loader *l)
{
	__u32 i, *seen, nr = 0, k;
	struct timespec ms = { 0, 1000000 };

	if (!l->stab)
		return -ENOENT;
	seen = malloc(LI_SESS_MAPS_MAX * sizeof(*seen));
	if (!seen)
		return -ENOMEM;
	for (i = 0; i < LI_SESS_MAPS_MAX; i++)
		seen[i] =
			__atomic_load_n(&slot_at(l, i)->seq, __ATOMIC_ACQUIRE);
	nanosleep(&ms, NULL);
	for (i = 0; i < LI_SESS_MAPS_MAX; i++) {
		struct li_sess_slot *e = slot_at(l, i);

		if (!(seen[i] & 1) ||
		    __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE) != seen[i])
			continue;
		for (k = 0; k < sizeof(e->k); k++)
			((volatile char *)&e->k)[k] = 0;
		/* Only if still the same: a writer may have come back. */
		if (li_cas32(&e->seq, seen[i], seen[i] + 1) == seen[i])
			nr++;
	}
	free(seen);
	return (int)nr;
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
	struct li_sess_slot *e;
	__u32 seq;

	if (!l->stab)
		return -ENOENT;
	e = li_sess_slot_victim(bucket_of(l, k), k, li_sess_clock_ns());
	seq = claim(e);
	if (!seq)
		return -EBUSY;
	if (li_sess_key_eq(&e->k, k)) { /* a packet made another meanwhile */
		li_sess_slot_release(e, seq);
		return -EEXIST;
	}
	li_sess_slot_put(e, k, s);
	li_sess_slot_release(e, seq);
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
	struct li_sess_key got;
	struct li_sess_slot *e;

	if (!l->stab)
		return -ENOENT;
	e = li_sess_slot_find(bucket_of(l, k), k);
	if (!e || !slot_copy(e, &got, s) || !li_sess_key_eq(&got, k))
		return -ENOENT;
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
