// SPDX-License-Identifier: GPL-2.0
/*
 * The merged SA set (sa_registry.h): an open-addressing table keyed by
 * (family, destination, SPI), linear probing, deletion by backward shift
 * so that no tombstones pile up under a rekey storm.
 */
#include "ipsec/sa_registry.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/sa_table.h"
#include "util/hash.h"

/* The table's least size, in slots. */
#define SA_REGISTRY_MIN 64

/* IPv4 reads daddr[0] only: callers may hold just that word. */
static size_t key_hash(int family, const __u32 *daddr, __u32 spi)
{
	__u64 k[3] = { (__u64)(__u32)family << 32 | spi, daddr[0], 0 };

	if (family == 6) {
		k[1] |= (__u64)daddr[1] << 32;
		k[2] = (__u64)daddr[2] << 32 | daddr[3];
	}
	return (size_t)hash_mix64(hash_bytes(k, sizeof(k)));
}

static bool key_eq(const struct sa_entry *e, int family, const __u32 *daddr,
		   __u32 spi)
{
	return e->family == family && e->spi == spi &&
	       !memcmp(e->daddr, daddr, family == 6 ? 16 : 4);
}

/* The record's slot, or the free slot where it would go. */
static struct sa_record *slot_for(const struct sa_registry *r, int family,
				  const __u32 *daddr, __u32 spi)
{
	size_t i = key_hash(family, daddr, spi) & (r->size - 1);

	while (r->slots[i].sa.family &&
	       !key_eq(&r->slots[i].sa, family, daddr, spi))
		i = (i + 1) & (r->size - 1);
	return &r->slots[i];
}

int sa_registry_init(struct sa_registry *r, unsigned int grace_s)
{
	memset(r, 0, sizeof(*r));
	r->size = SA_REGISTRY_MIN;
	r->slots = calloc(r->size, sizeof(*r->slots));
	r->id_used = calloc(LI_SAS_MAX, 1);
	if (!r->slots || !r->id_used) {
		sa_registry_free(r);
		return -ENOMEM;
	}
	sa_registry_set_grace(r, grace_s);
	return 0;
}

void sa_registry_free(struct sa_registry *r)
{
	free(r->slots);
	free(r->id_used);
	memset(r, 0, sizeof(*r));
}

void sa_registry_set_grace(struct sa_registry *r, unsigned int grace_s)
{
	r->grace_ms = (__u64)grace_s * 1000;
}

/* Every record into a table of @size slots (a power of two, over nr). */
static int resize(struct sa_registry *r, size_t size)
{
	struct sa_record *old = r->slots;
	size_t i, n = r->size;

	r->slots = calloc(size, sizeof(*r->slots));
	if (!r->slots) {
		r->slots = old;
		return -ENOMEM;
	}
	r->size = size;
	for (i = 0; i < n; i++)
		if (old[i].sa.family)
			*slot_for(r, old[i].sa.family, old[i].sa.daddr,
				  old[i].sa.spi) = old[i];
	free(old);
	return 0;
}

/*
 * Back to the least size at load 1/2 once the load is under 1/8: a burst
 * of SAs gone leaves no table of its size behind (the halving at 1/8, not
 * 1/4, so that a count wavering at a boundary does not rehash each time).
 */
static void shrink(struct sa_registry *r)
{
	size_t size = r->size;

	if (size <= SA_REGISTRY_MIN || r->nr * 8 >= size)
		return;
	while (size > SA_REGISTRY_MIN && r->nr * 4 < size)
		size /= 2;
	resize(r, size); /* else it stays as large as it was */
}

static int take_id(struct sa_registry *r, __u32 *id)
{
	__u32 i;

	for (i = 0; i < LI_SA_ID_UNVERIFIED; i++) {
		__u32 k = (r->next_id + i) % LI_SA_ID_UNVERIFIED;

		if (!r->id_used[k]) {
			r->id_used[k] = 1;
			r->next_id = (k + 1) % LI_SA_ID_UNVERIFIED;
			*id = k;
			return 0;
		}
	}
	return -E2BIG;
}

/* Remove the record in slot @i, shifting its followers back. */
static void remove_at(struct sa_registry *r, size_t i)
{
	size_t mask = r->size - 1, j = i, home;

	r->id_used[r->slots[i].id] = 0;
	for (;;) {
		j = (j + 1) & mask;
		if (!r->slots[j].sa.family)
			break;
		home = key_hash(r->slots[j].sa.family, r->slots[j].sa.daddr,
				r->slots[j].sa.spi) &
		       mask;
		/* j may move to i unless its home lies in (i, j]. */
		if (i <= j ? (home <= i || home > j) :
			     (home <= i && home > j)) {
			r->slots[i] = r->slots[j];
			i = j;
		}
	}
	memset(&r->slots[i], 0, sizeof(r->slots[i]));
	r->nr--;
}

static void add(struct sa_registry *r, unsigned int src,
		const struct sa_entry *sa, __u64 now_ms)
{
	struct sa_record *rec;
	__u32 bit = 1u << src;

	if (sa->family != 4 && sa->family != 6)
		return;
	rec = slot_for(r, sa->family, sa->daddr, sa->spi);
	if (!rec->sa.family) {
		if ((r->nr + 1) * 2 > r->size) {
			if (resize(r, r->size * 2))
				return;
			rec = slot_for(r, sa->family, sa->daddr, sa->spi);
		}
		if (take_id(r, &rec->id)) {
			r->full = true;
			r->refused_mask |= bit;
			r->refused_sync |= bit;
			r->dirty = true; /* the check waits (sas.c) */
			return;
		}
		rec->added_ms = now_ms;
		rec->fresh = 1;
		r->nr++;
	} else if (!memcmp(&rec->sa, sa, sizeof(*sa)) && !rec->gone_ms &&
		   (rec->live_mask & bit)) {
		rec->seen_mask |= bit;
		return; /* nothing new (a resync repeats what we know) */
	}
	/* A second source adds what the first does not know. */
	if (rec->sa.family && rec->live_mask && !(rec->live_mask & bit)) {
		if (!rec->sa.tunnel[0])
			memcpy(rec->sa.tunnel, sa->tunnel, sizeof(sa->tunnel));
		if (rec->sa.dir == SA_DIR_UNKNOWN)
			rec->sa.dir = sa->dir;
	} else {
		rec->sa = *sa;
	}
	rec->live_mask |= bit;
	rec->seen_mask |= bit;
	rec->src = (__u8)src;
	rec->gone_ms = 0;
	r->dirty = true;
}

/* Source @src no longer reports @rec. */
static void leave(struct sa_registry *r, struct sa_record *rec,
		  unsigned int src, __u64 now_ms)
{
	rec->live_mask &= ~(1u << src);
	rec->seen_mask &= ~(1u << src);
	if (!rec->live_mask && !rec->gone_ms) {
		/* 0 means live: a clock at 0 still starts the grace period */
		rec->gone_ms = now_ms ? now_ms : 1;
		r->dirty = true;
	}
}

void sa_registry_event(struct sa_registry *r, unsigned int src,
		       enum sa_event ev, const struct sa_entry *sa,
		       __u64 now_ms)
{
	__u32 bit = 1u << src;
	struct sa_record *rec;
	size_t i;

	if (src >= SA_SOURCES_MAX)
		return;
	switch (ev) {
	case SA_EV_ADD:
		add(r, src, sa, now_ms);
		break;
	case SA_EV_DEL:
		if (!sa || (sa->family != 4 && sa->family != 6))
			break;
		rec = slot_for(r, sa->family, sa->daddr, sa->spi);
		if (rec->sa.family && (rec->live_mask & bit))
			leave(r, rec, src, now_ms);
		break;
	case SA_EV_SYNC_BEGIN:
		r->syncing |= bit;
		r->refused_sync &= ~bit;
		for (i = 0; i < r->size; i++)
			r->slots[i].seen_mask &= ~bit;
		break;
	case SA_EV_SYNC_END:
		if (!(r->syncing & bit))
			break;
		r->syncing &= ~bit;
		for (i = 0; i < r->size; i++) {
			rec = &r->slots[i];
			if (rec->sa.family && (rec->live_mask & bit) &&
			    !(rec->seen_mask & bit))
				leave(r, rec, src, now_ms);
		}
		/* A listing with no refusal: it has every SA it reports. */
		if (!(r->refused_sync & bit) && (r->refused_mask & bit)) {
			r->refused_mask &= ~bit;
			r->dirty = true;
		}
		r->full = r->refused_mask != 0;
		break;
	case SA_EV_DOWN:
		/* Its SAs stay as they are until it is back and resynced. */
		r->syncing &= ~bit;
		break;
	}
}

void sa_registry_forget_source(struct sa_registry *r, unsigned int src,
			       __u64 now_ms)
{
	size_t i;

	if (src >= SA_SOURCES_MAX)
		return;
	r->syncing &= ~(1u << src);
	r->refused_mask &= ~(1u << src);
	r->refused_sync &= ~(1u << src);
	r->full = r->refused_mask != 0;
	for (i = 0; i < r->size; i++)
		if (r->slots[i].sa.family &&
		    (r->slots[i].live_mask & (1u << src)))
			leave(r, &r->slots[i], src, now_ms);
}

bool sa_registry_expire(struct sa_registry *r, __u64 now_ms)
{
	bool any = false;
	size_t i = 0;

	while (i < r->size) {
		struct sa_record *rec = &r->slots[i];

		if (rec->sa.family && rec->gone_ms &&
		    now_ms >= rec->gone_ms + r->grace_ms) {
			remove_at(r, i);
			any = true;
			continue; /* a follower may have moved into slot i */
		}
		i++;
	}
	if (any) {
		shrink(r);
		r->dirty = true;
	}
	return any;
}

long long sa_registry_timeout_ms(const struct sa_registry *r, __u64 now_ms)
{
	long long best = -1;
	size_t i;

	for (i = 0; i < r->size; i++) {
		const struct sa_record *rec = &r->slots[i];
		__u64 until;

		if (!rec->sa.family || !rec->gone_ms)
			continue;
		until = rec->gone_ms + r->grace_ms;
		if (until <= now_ms)
			return 0;
		if (best < 0 || (long long)(until - now_ms) < best)
			best = (long long)(until - now_ms);
	}
	return best;
}

int sa_registry_slots(struct sa_registry *r, __u32 down_mask,
		      struct li_sa_slot **out, size_t *n, __u32 **fresh,
		      size_t *nr_fresh)
{
	size_t i, k = 0, f = 0, peers;
	struct li_sa_slot *o;

	/* Room for every record twice: itself and its peer's slot. */
	*out = calloc(r->nr ? 2 * r->nr : 1, sizeof(**out));
	*fresh = calloc(r->nr ? r->nr : 1, sizeof(**fresh));
	if (!*out || !*fresh) {
		free(*out);
		free(*fresh);
		*out = NULL;
		*fresh = NULL;
		return -ENOMEM;
	}
	o = *out;
	for (i = 0; i < r->size; i++) {
		struct sa_record *rec = &r->slots[i];

		if (!rec->sa.family)
			continue;
		if (rec->fresh) {
			(*fresh)[f++] = rec->id;
			rec->fresh = 0;
		}
		if (rec->sa.dir != SA_DIR_OUT)
			li_sa_slot_of(&o[k++], &rec->sa, rec->id);
	}
	peers = k;
	for (i = 0; i < r->size; i++) {
		const struct sa_record *rec = &r->slots[i];

		if (!rec->sa.family || !rec->sa.has_peer ||
		    rec->sa.dir == SA_DIR_OUT)
			continue;
		/* Its SAs, live or deleted as it went down (a restart). */
		li_sa_peer_slot_of(&o[peers], &rec->sa,
				   (rec->live_mask | 1u << rec->src) &
						   down_mask ?
					   LI_SA_F_DOWN :
					   0);
		peers++;
	}
	*n = li_sa_merge_peers(o, k, peers);
	*nr_fresh = f;
	return 0;
}

int sa_registry_natt(const struct sa_registry *r, struct li_natt *n,
		     __u16 *over)
{
	const struct li_natt init = LI_NATT_INIT;
	int lost = 0;
	size_t i;

	*n = init;
	*over = 0;
	for (i = 0; i < r->size; i++) {
		__u16 port;

		if (!r->slots[i].sa.family)
			continue;
		port = li_sa_natt_port(&r->slots[i].sa);
		if (li_natt_add(n, port) && !lost++)
			*over = port;
	}
	return lost;
}

const struct sa_record *sa_registry_find(const struct sa_registry *r,
					 int family, const __u32 *daddr,
					 __u32 spi)
{
	const struct sa_record *rec;

	if (!r->nr || (family != 4 && family != 6))
		return NULL;
	rec = slot_for(r, family, daddr, spi);
	return rec->sa.family ? rec : NULL;
}

void sa_registry_count(const struct sa_registry *r, size_t *live, size_t *grace,
		       size_t per_src[SA_SOURCES_MAX])
{
	size_t i;
	unsigned int s;

	*live = *grace = 0;
	memset(per_src, 0, SA_SOURCES_MAX * sizeof(per_src[0]));
	for (i = 0; i < r->size; i++) {
		const struct sa_record *rec = &r->slots[i];

		if (!rec->sa.family)
			continue;
		if (rec->gone_ms)
			(*grace)++;
		else
			(*live)++;
		for (s = 0; s < SA_SOURCES_MAX; s++)
			if (rec->live_mask & (1u << s))
				per_src[s]++;
	}
}
