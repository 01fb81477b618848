// SPDX-License-Identifier: GPL-2.0
/*
 * The host matcher: four constant-time lookups to a class each, then the
 * AND of their bitmaps with the enabled and active masks. The cost depends
 * on the number of policies only through bm_words, never on prefixes.
 */
#include <string.h>

#include "internal.h"

static __u32 intf_class(const struct li_family *f, const char *ifname)
{
	__u32 lo = 0, hi = f->nr_intfs;

	if (!ifname)
		return f->intf_other;
	/* Binary search per packet interface, not per prefix or policy. */
	while (lo < hi) {
		__u32 mid = lo + (hi - lo) / 2;
		int c = strncmp(ifname, f->intfs[mid].name, LI_IFNAMSIZ);

		if (!c) {
			/* A longer ifname only shares the first 16 bytes. */
			if (strnlen(ifname, LI_IFNAMSIZ) < LI_IFNAMSIZ)
				return f->intfs[mid].cls;
			return f->intf_other;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return f->intf_other;
}

static __u32 svc_class(const struct li_svc_table *t, const struct li_key *k)
{
	__u32 e = t->proto_map[k->proto];
	__u32 p, d, s;

	if (!(e & LI_PORTS))
		return e;
	p = e & ~LI_PORTS;
	if (p >= LI_NR_PORT_PROTOS || !t->cross[p])
		return 0;
	if (!k->ports_known)
		return t->unknown_ports[p];
	d = t->dport_class[p][k->dport];
	s = t->sport_class[p][k->sport];
	return t->cross[p][d * t->nr_sclass[p] + s];
}

static void key_bytes(const __u32 *addr, int family, __u8 *out)
{
	/* Network order already: the bytes are the address, msb first. */
	memcpy(out, addr, family == 6 ? 16 : 4);
}

int ruleset_lookup(const struct li_ruleset *rs, const struct li_key *k,
		   const __u64 *active)
{
	const struct li_family *f = k->family == 6 ? &rs->v6 : &rs->v4;
	const __u64 *bi, *bs, *bd, *bv;
	__u8 sb[16], db[16];
	__u32 w;

	if ((k->family != 4 && k->family != 6) || !f->nr_policies ||
	    !f->src.root)
		return -1;
	key_bytes(k->saddr, k->family, sb);
	key_bytes(k->daddr, k->family, db);
	bi = f->bm_intf.words + (size_t)intf_class(f, k->ifname) * f->bm_words;
	bs = f->bm_src.words + (size_t)trie_lookup(&f->src, sb) * f->bm_words;
	bd = f->bm_dst.words + (size_t)trie_lookup(&f->dst, db) * f->bm_words;
	bv = f->bm_svc.words + (size_t)svc_class(&f->svc, k) * f->bm_words;
	for (w = 0; w < f->bm_words; w++) {
		__u64 x = bi[w] & bs[w] & bd[w] & bv[w] & f->enabled[w];

		if (active)
			x &= active[w];
		if (x)
			return (int)(w * 64 + __builtin_ctzll(x));
	}
	return -1;
}
