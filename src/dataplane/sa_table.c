// SPDX-License-Identifier: GPL-2.0
#include "dataplane/sa_table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * Place @e in @t of 2^@bits slots, Robin Hood style: an entry displaces
 * one nearer its home slot. -ENOSPC if some entry would land LI_SA_PROBES
 * or more from its home.
 */
static int place(struct li_sa_slot *t, __u32 bits, struct li_sa_slot e)
{
	__u32 mask = (1u << bits) - 1, k, d = 0, dk;

	k = li_sa_hash(e.family, e.daddr, e.spi, bits);
	for (;;) {
		if (d >= LI_SA_PROBES)
			return -ENOSPC;
		if (!t[k].family) {
			t[k] = e;
			return 0;
		}
		if (li_sa_key_eq(&t[k], e.family, e.daddr, e.spi))
			return 0; /* keys are unique anyway */
		dk = (k - li_sa_hash(t[k].family, t[k].daddr, t[k].spi, bits)) &
		     mask;
		if (dk < d) {
			struct li_sa_slot x = t[k];

			t[k] = e;
			e = x;
			d = dk;
		}
		k = (k + 1) & mask;
		d++;
	}
}

int li_sa_table_build(struct li_sa_slot *tab, const struct li_sa_slot *e,
		      size_t n)
{
	__u32 bits;
	size_t i;
	int err;

	/* SAs and their peers' slots, at load 1/2 at most. */
	if (n > LI_SA_SLOTS / 2)
		return -E2BIG;
	for (bits = LI_SA_BITS_MIN;
	     bits < LI_SA_BITS_MAX && (1ul << bits) < 2 * n; bits++)
		;
	for (;;) {
		memset(tab, 0, ((size_t)1 << bits) * sizeof(*tab));
		for (i = 0, err = 0; i < n && !err; i++)
			err = place(tab, bits, e[i]);
		if (!err)
			return (int)bits;
		if (bits == LI_SA_BITS_MAX)
			return err;
		bits++;
	}
}

void li_sa_slot_of(struct li_sa_slot *out, const struct sa_entry *sa, __u32 id)
{
	size_t len = sa->family == 6 ? 16 : 4;

	memset(out, 0, sizeof(*out));
	out->family = sa->family;
	out->spi = sa->spi;
	out->id = id;
	memcpy(out->daddr, sa->daddr, len);
	if (sa->has_peer) {
		out->has_peer = 1;
		out->peer = li_sa_fold(sa->family, sa->peer);
	}
}

void li_sa_peer_slot_of(struct li_sa_slot *out, const struct sa_entry *sa,
			__u8 flags)
{
	memset(out, 0, sizeof(*out));
	out->family = sa->family;
	out->spi = LI_SA_PEER_SPI;
	out->id = LI_SA_ID_UNVERIFIED;
	out->flags = flags;
	memcpy(out->daddr, sa->peer, sa->family == 6 ? 16 : 4);
}

/* Peer slots by family and address; flags are merged, not compared. */
static int cmp_peer(const void *a, const void *b)
{
	const struct li_sa_slot *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->daddr, y->daddr, sizeof(x->daddr));
}

size_t li_sa_merge_peers(struct li_sa_slot *e, size_t from, size_t n)
{
	size_t i, k = from;

	qsort(e + from, n - from, sizeof(*e), cmp_peer);
	for (i = from; i < n; i++) {
		if (k > from && !cmp_peer(&e[i], &e[k - 1]))
			e[k - 1].flags |= e[i].flags;
		else
			e[k++] = e[i];
	}
	return k;
}

int li_sa_entries_of(const struct spi_table *t, struct li_sa_slot **out,
		     const struct sa_entry ***of_id)
{
	const struct sa_entry **sas = NULL;
	struct li_sa_slot *e;
	size_t i, n = 0, peers;

	*out = NULL;
	if (of_id)
		*of_id = NULL;
	if (t->nr > LI_SA_ID_UNVERIFIED)
		return -E2BIG;
	e = calloc(t->nr ? 2 * t->nr : 1, sizeof(*e));
	if (of_id)
		sas = calloc(t->nr ? t->nr : 1, sizeof(*sas));
	if (!e || (of_id && !sas)) {
		free(e);
		free(sas);
		return -ENOMEM;
	}
	for (i = 0; i < t->size; i++) {
		const struct sa_entry *s = &t->slots[i];

		if (s->family == 4 || s->family == 6) {
			li_sa_slot_of(&e[n], s, (__u32)n);
			if (sas)
				sas[n] = s;
			n++;
		}
	}
	for (i = 0, peers = n; i < t->size; i++)
		if ((t->slots[i].family == 4 || t->slots[i].family == 6) &&
		    t->slots[i].has_peer)
			li_sa_peer_slot_of(&e[peers++], &t->slots[i], 0);
	*out = e;
	if (of_id)
		*of_id = sas;
	return (int)li_sa_merge_peers(e, n, peers);
}

int li_natt_add(struct li_natt *n, __u16 port)
{
	int i;

	if (!port || port == LI_NATT_PORT || port == 500)
		return 0;
	for (i = 0; i < LI_NATT_EXTRA; i++)
		if (n->port[i] == port)
			return 0;
	for (i = 0; i < LI_NATT_EXTRA; i++)
		if (n->port[i] == LI_NATT_PORT) {
			n->port[i] = port;
			return 0;
		}
	return -ENOSPC;
}

__u16 li_sa_natt_port(const struct sa_entry *sa)
{
	if (!sa->encap)
		return 0;
	/* An in SA's destination is ours; an out SA's source. */
	return sa->dir == SA_DIR_OUT ? sa->encap_sport : sa->encap_dport;
}

int li_natt_of_table(struct li_natt *n, const struct spi_table *t, __u16 *over)
{
	const struct li_natt init = LI_NATT_INIT;
	int lost = 0;
	size_t i;

	*n = init;
	*over = 0;
	for (i = 0; i < t->size; i++) {
		const struct sa_entry *s = &t->slots[i];
		__u16 port;

		if (s->family != 4 && s->family != 6)
			continue;
		port = li_sa_natt_port(s);
		if (li_natt_add(n, port) && !lost++)
			*over = port;
	}
	return lost;
}
