// SPDX-License-Identifier: GPL-2.0
/*
 * A policy's hit count outlives the set that counted it, as FortiOS keeps
 * a policy's across config changes: by policy id and family, until
 * `diagnose firewall iprope clear`.
 *
 * The program counts a policy's hits per CPU in li_pol_hits, at its key
 * in the set in force, and a reload counts into the other set from zero.
 * What a policy had before its set came in force waits in li_conf_val's
 * carried hits (maps.h), at the same key; a read adds the two. No program
 * reads the carried hits, so a packet pays nothing for them, and user
 * space writes no live per-CPU value (a program's increment could be
 * lost under the write).
 *
 * Exact across a reload (loader_image.c li_loader_set_ruleset): before
 * the flip, each policy of the incoming set gets its id's carried hits
 * and live count in the set in force, that count noted; after the flip
 * and a gap no packet judged by the old set outlives (FLIP_GAP_NS: a
 * program's run on a frame, in softirq, is not preempted; the loader
 * overwrites a set after the same gap), the old set's count has its last
 * value and the difference since the note is added. A packet counts in
 * one set or the other, and each set's count is taken once. A daemon
 * killed between the note and the addition loses the old set's hits of
 * that millisecond or so.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "localin.skel.h"
#include "dataplane/loader_int.h"

/* Keys a batch of li_pol_hits takes: one call for a thousand policies. */
#define HITS_BATCH 1024

/* A policy of a set in li_conf's mapping: its id and li_pol_hits key. */
struct pol_key {
	__u32 id;
	__u32 key;
};

int li_hits_live(struct li_loader *l, __u32 key, __u64 *sum)
{
	int fd = bpf_map__fd(l->skel->maps.li_pol_hits), i;

	if (bpf_map_lookup_elem(fd, &key, l->pcpu))
		return -errno;
	*sum = 0;
	for (i = 0; i < l->ncpus; i++)
		*sum += l->pcpu[i];
	return 0;
}

/* The live counts of a set's policies, both families: keys lo.. lo + n. */
struct lives {
	__u32 lo, n;
	__u64 *v;
};

/* A batch call failed with @e: refused, one key at a time from now on. */
static void batch_failed(struct li_loader *l, int e)
{
	if (li_batch_refused(e))
		l->no_batch = true;
}

/*
 * Of keys @first + i for i < @n into @sum[i], in batches: one call for
 * a thousand policies, where one a policy made a reload of 1000 some
 * 10 ms longer here, and a status or a scrape 1000 calls. A batch that
 * does not give the keys asked for leaves the rest to one lookup each.
 */
static int read_range(struct li_loader *l, __u32 first, __u32 n, __u64 *sum)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	int fd = bpf_map__fd(l->skel->maps.li_pol_hits), c, err = 0;
	__u32 chunk = n < HITS_BATCH ? n : HITS_BATCH, done = 0, in, out, got,
	      i;
	__u32 *keys = calloc(chunk + 1, sizeof(*keys));
	__u64 *vals = calloc((size_t)(chunk + 1) * l->ncpus, sizeof(*vals));

	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	while (done < n && !l->no_batch) {
		/* the batch starts after the key it is given (none: at 0) */
		in = first + done - 1;
		got = n - done < chunk ? n - done : chunk;
		if (bpf_map_lookup_batch(fd, first + done ? &in : NULL, &out,
					 keys, vals, &got, &o) &&
		    errno != ENOENT) {
			batch_failed(l, errno);
			got = 0;
		}
		for (i = 0; i < got && keys[i] == first + done + i; i++) {
			sum[done + i] = 0;
			for (c = 0; c < l->ncpus; c++)
				sum[done + i] += vals[(size_t)i * l->ncpus + c];
		}
		if (!i)
			break;
		done += i;
	}
	for (; done < n && !err; done++)
		err = li_hits_live(l, first + done, &sum[done]);
out:
	free(keys);
	free(vals);
	return err;
}

int li_hits_read_range(struct li_loader *l, __u32 first, __u32 n, __u64 *sum)
{
	int err = read_range(l, first, n, sum);
	__u32 i;

	for (i = 0; i < n && !err; i++)
		sum[i] += __atomic_load_n(&l->carried_hits[first + i],
					  __ATOMIC_RELAXED);
	return err;
}

int li_hits_zero(struct li_loader *l, __u32 first, __u32 n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	int fd = bpf_map__fd(l->skel->maps.li_pol_hits), err = 0;
	__u32 chunk = n < HITS_BATCH ? n : HITS_BATCH, done = 0, cnt, i;
	__u32 *keys = calloc(chunk + 1, sizeof(*keys));
	__u64 *zeros = calloc((size_t)(chunk + 1) * l->ncpus, sizeof(*zeros));

	if (!keys || !zeros) {
		err = -ENOMEM;
		goto out;
	}
	while (done < n && !l->no_batch) {
		cnt = n - done < chunk ? n - done : chunk;
		for (i = 0; i < cnt; i++)
			keys[i] = first + done + i;
		if (bpf_map_update_batch(fd, keys, zeros, &cnt, &o)) {
			/* from @done again, one by one: zeroing twice is harmless */
			batch_failed(l, errno);
			break;
		}
		done += cnt;
	}
	memset(l->pcpu, 0, (size_t)l->ncpus * sizeof(*l->pcpu));
	for (i = first + done; done < n; done++, i++)
		if (bpf_map_update_elem(fd, &i, l->pcpu, BPF_ANY)) {
			err = -errno;
			break;
		}
out:
	free(keys);
	free(zeros);
	return err;
}

static int read_lives(struct li_loader *l, __u32 set, struct lives *lv)
{
	const struct li_set_hdr *h = &l->cmap->hdr[set].h;
	__u32 hi = 0, end;
	int fam;

	lv->lo = (__u32)-1;
	for (fam = 0; fam < 2; fam++) {
		if (!h->fam[fam].nr_policies ||
		    h->fam[fam].nr_policies > l->conf.cap_pol)
			continue;
		end = h->fam[fam].pol_base + h->fam[fam].nr_policies;
		if (h->fam[fam].pol_base < lv->lo)
			lv->lo = h->fam[fam].pol_base;
		if (end > hi)
			hi = end;
	}
	lv->n = hi > lv->lo ? hi - lv->lo : 0;
	lv->v = calloc(lv->n + 1, sizeof(*lv->v));
	if (!lv->v)
		return -ENOMEM;
	return read_range(l, lv->lo, lv->n, lv->v);
}

static void carried_add(struct li_loader *l, __u32 key, __u64 n)
{
	__atomic_fetch_add(&l->carried_hits[key], n, __ATOMIC_RELAXED);
}

static int by_id(const void *a, const void *b)
{
	__u32 x = ((const struct pol_key *)a)->id,
	      y = ((const struct pol_key *)b)->id;

	return x < y ? -1 : x > y;
}

/* Family @fam's policies in set @set, as written there, sorted by id. */
static struct pol_key *set_policies(const struct li_loader *l, __u32 set,
				    int fam, __u32 *nr)
{
	const struct li_fam_hdr *h = &l->cmap->hdr[set].h.fam[fam];
	struct pol_key *v;
	__u32 i;

	/* a set never written has a zero header: no policies */
	*nr = h->nr_policies <= l->conf.cap_pol ? h->nr_policies : 0;
	v = calloc(*nr + 1, sizeof(*v));
	if (!v)
		return NULL;
	for (i = 0; i < *nr; i++) {
		v[i].key = h->pol_base + i;
		v[i].id = l->polmap[v[i].key].id;
	}
	qsort(v, *nr, sizeof(*v), by_id);
	return v;
}

/*
 * To each policy of @to's set @to_set, the hits of its id in @from's set
 * @from_set (carried and live); in @c, when given, where each came from
 * and the live count taken, for li_hits_carry_end().
 */
static int carry(struct li_loader *to, __u32 to_set, struct li_loader *from,
		 __u32 from_set, struct li_hits_carry *c)
{
	struct lives lv;
	int fam, err = read_lives(from, from_set, &lv);

	if (c)
		c->from_set = from_set;
	for (fam = 0; fam < 2 && !err; fam++) {
		const struct li_fam_hdr *h = &to->cmap->hdr[to_set].h.fam[fam];
		struct pol_key *old, *hit, want;
		__u32 nr, i;
		__u64 live;

		old = set_policies(from, from_set, fam, &nr);
		if (!old) {
			err = -ENOMEM;
			break;
		}
		for (i = 0; i < h->nr_policies; i++) {
			want.key = h->pol_base + i;
			want.id = to->polmap[want.key].id;
			hit = bsearch(&want, old, nr, sizeof(*old), by_id);
			if (!hit)
				continue; /* a new id: from 0 */
			live = lv.v[hit->key - lv.lo];
			carried_add(to, want.key,
				    from->carried_hits[hit->key] + live);
			if (c) {
				c->to[c->n] = want.key;
				c->from[c->n] = hit->key;
				c->seen[c->n++] = live;
			}
		}
		free(old);
	}
	free(lv.v);
	return err;
}

int li_hits_carry_begin(struct li_loader *l, __u32 set, struct li_hits_carry *c)
{
	const struct li_set_hdr *h = &l->cmap->hdr[set].h;
	size_t n = (size_t)h->fam[0].nr_policies + h->fam[1].nr_policies;
	int fam, err;
	__u32 i;

	memset(c, 0, sizeof(*c));
	c->to = calloc(n + 1, sizeof(*c->to));
	c->from = calloc(n + 1, sizeof(*c->from));
	c->seen = calloc(n + 1, sizeof(*c->seen));
	if (!c->to || !c->from || !c->seen) {
		li_hits_carry_free(c);
		return -ENOMEM;
	}
	/* what the set held when it was last in force is not carried */
	for (fam = 0; fam < 2; fam++)
		for (i = 0; i < h->fam[fam].nr_policies; i++)
			__atomic_store_n(
				&l->carried_hits[h->fam[fam].pol_base + i], 0,
				__ATOMIC_RELAXED);
	err = carry(l, set, l, l->active, c);
	if (err)
		li_hits_carry_free(c);
	return err;
}

void li_hits_carry_end(struct li_loader *l, struct li_hits_carry *c)
{
	struct lives lv;
	size_t k;

	/* an array's key is always there: a read fails only for want of memory */
	if (c->n && !read_lives(l, c->from_set, &lv))
		for (k = 0; k < c->n; k++)
			carried_add(l, c->to[k],
				    lv.v[c->from[k] - lv.lo] - c->seen[k]);
	if (c->n)
		free(lv.v);
	li_hits_carry_free(c);
}

void li_hits_carry_free(struct li_hits_carry *c)
{
	free(c->to);
	free(c->from);
	free(c->seen);
	memset(c, 0, sizeof(*c));
}

int li_hits_add(struct li_loader *n, struct li_loader *old)
{
	if (!n->have_rs || !old->have_rs)
		return 0;
	return carry(n, n->active, old, old->active, NULL);
}

/*
 * Both families' live counts are read before any is taken off: a failure
 * (out of memory) clears nothing, where IPv4's were cleared and IPv6's
 * not, under an error that said neither.
 */
int li_loader_clear_policy_hits(struct li_loader *l)
{
	const struct li_set_hdr *h = &l->cmap->hdr[l->active].h;
	__u64 *live[2] = { NULL, NULL };
	__u32 i, n, key;
	int fam, err = 0;

	if (!l->have_rs)
		return 0;
	for (fam = 0; fam < 2 && !err; fam++) {
		n = h->fam[fam].nr_policies;
		live[fam] = calloc(n + 1, sizeof(*live[fam]));
		err = live[fam] ? read_range(l, h->fam[fam].pol_base, n,
					     live[fam]) :
				  -ENOMEM;
	}
	/* the live count stays: what is carried takes it off (mod 2^64) */
	for (fam = 0; fam < 2 && !err; fam++) {
		n = h->fam[fam].nr_policies;
		key = h->fam[fam].pol_base;
		for (i = 0; i < n; i++)
			__atomic_store_n(&l->carried_hits[key + i],
					 -live[fam][i], __ATOMIC_RELAXED);
	}
	free(live[0]);
	free(live[1]);
	return err;
}
