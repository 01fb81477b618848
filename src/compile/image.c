// SPDX-License-Identifier: GPL-2.0
/*
 * The ruleset image, flat (image.h): the layout is decided in one pass
 * (lay_family) and the arrays filled from the header it leaves, so the
 * sizes, the offsets and the copy cannot disagree.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "compile/image.h"

static const struct li_family *family_of(const struct li_ruleset *rs, int fam)
{
	return fam ? &rs->v6 : &rs->v4;
}

/* The bitmaps of dimension @dim (below LI_DIM_ACTIVE). */
static const struct li_bitmaps *bitmaps_of(const struct li_family *f, int dim)
{
	const struct li_bitmaps *b[] = { &f->bm_intf, &f->bm_src, &f->bm_dst,
					 &f->bm_svc };

	return b[dim];
}

/*
 * Protocol @p's services name no source port (one source class), and
 * every service class fits the port table's 16 bits: its destination-
 * port table can hold the classes themselves (li_fam_hdr.svc_direct).
 */
static bool svc_direct(const struct li_svc_table *t, int p)
{
	return t->dport_class[p] && t->cross[p] && t->nr_sclass[p] == 1 &&
	       t->nr_classes <= 0x10000;
}

/* A run of @n phase entries at the next element; its first entry. */
static __u32 phase_run(struct li_image *im, size_t n)
{
	__u32 at = im->n.phase * LI_PHASE_ELEM;

	im->n.phase += (__u32)((n + LI_PHASE_ELEM - 1) / LI_PHASE_ELEM);
	return at;
}

static void lay_phase(struct li_image *im, const struct li_family *f,
		      struct li_fam_hdr *h)
{
	const struct li_phase *ph = &f->phase;

	if (!ph->on)
		return;
	h->phase_on = 1;
	h->ph_ndst = ph->nr_dst;
	h->ph_sv = phase_run(im, (size_t)f->bm_src.nr_classes * ph->nr_svc);
	h->ph_id = phase_run(im, (size_t)f->bm_intf.nr_classes * ph->nr_dst);
	h->ph_ab = phase_run(im, (size_t)ph->nr_a * ph->nr_b);
}

/* Where family @fam's pieces go; advances the sizes in @im->n. */
static void lay_family(struct li_image *im, const struct li_family *f, int fam)
{
	struct li_fam_hdr *h = &im->hdr.fam[fam];
	const struct li_svc_table *t = &f->svc;
	int dim, p;

	h->nr_policies = f->nr_policies;
	h->bm_words = f->nr_policies ? f->bm_words : 0;
	h->intf_other = f->intf_other;
	h->pol_base = im->n.pol;
	h->addr_one = (f->src.nr_classes == 1) | (f->dst.nr_classes == 1) << 1;
	h->addr_base[0] = im->n.addr;
	im->n.addr += LI_ADDR_ROOT_ELEMS + f->src.nr_blocks;
	h->addr_base[1] = im->n.addr;
	im->n.addr += LI_ADDR_ROOT_ELEMS + f->dst.nr_blocks;
	for (p = 0; p < LI_NR_PORT_PROTOS; p++) {
		h->cross_base[p] = im->n.cross;
		h->nr_sclass[p] = t->nr_sclass[p];
		h->unknown_ports[p] = t->unknown_ports[p];
		if (svc_direct(t, p))
			h->svc_direct |= 1u << p;
		if (t->cross[p])
			im->n.cross += t->nr_dclass[p] * t->nr_sclass[p];
	}
	memcpy(h->proto_map, t->proto_map, sizeof(h->proto_map));
	if (!f->nr_policies)
		return;
	im->n.pol += f->nr_policies;
	for (dim = 0; dim < LI_DIM_ACTIVE; dim++) {
		h->bm_base[dim] = im->n.bm;
		im->n.bm += bitmaps_of(f, dim)->nr_classes * f->bm_words;
	}
	h->bm_base[LI_DIM_ACTIVE] = im->n.bm;
	im->n.bm += f->bm_words;
	lay_phase(im, f, h);
}

void ruleset_image_layout(const struct li_ruleset *rs, struct li_image *im)
{
	int fam;

	memset(im, 0, sizeof(*im));
	for (fam = 0; fam < 2; fam++)
		lay_family(im, family_of(rs, fam), fam);
	im->hdr.detect_esp = rs->detect_unknown_esp;
	im->hdr.esp_wrong_peer_drop = rs->esp_wrong_peer_drop;
	im->hdr.log_allow = rs->log_allow;
	im->hdr.log_deny_unicast = rs->log_deny_unicast;
	im->hdr.log_deny_broadcast = rs->log_deny_broadcast;
}

/*
 * An address table, each class times @mul: a family with phase tables
 * has its source classes as their rows of sv (class * nr svc classes),
 * so that phase A's read waits for one multiply less. A pointer to a
 * block becomes its offset in the image (image_layout.h li_addr_next_at).
 */
static void fill_addr(struct li_image *im, __u32 base,
		      const struct li_addr_table *t, __u32 mul)
{
	__u32 *at = im->addr + (size_t)base * LI_ADDR_ELEM;
	__u32 blocks = (base + li_addr_block_elem(0)) * LI_ADDR_ELEM;
	size_t i, n = (size_t)t->nr_blocks * LI_BLOCK_SIZE;

	_Static_assert(LI_ADDR_ROOT_ELEMS * LI_ADDR_ELEM == LI_ROOT_SIZE &&
			       LI_ADDR_ELEM == LI_BLOCK_SIZE,
		       "the blocks follow the root, an element each: one "
		       "loop does both");
	memcpy(at, t->root, LI_ROOT_SIZE * sizeof(*at));
	if (t->nr_blocks)
		memcpy(at + (size_t)li_addr_block_elem(0) * LI_ADDR_ELEM,
		       t->blocks, n * sizeof(*at));
	for (i = 0; i < LI_ROOT_SIZE + n; i++) {
		if (at[i] & LI_NEXT)
			at[i] = li_addr_next_at(blocks + (at[i] & ~LI_NEXT) *
								 LI_BLOCK_SIZE);
		else
			at[i] *= mul;
	}
}

/*
 * A table the compiler left out (no such protocol) is zeros. A protocol
 * whose destination-port table holds service classes (svc_direct): each
 * port's destination class through the cross table, whose one column it
 * is.
 */
static void fill_ports(struct li_image *im, const struct li_svc_table *t,
		       int fam)
{
	__u32 i;
	int p, src;

	for (p = 0; p < LI_NR_PORT_PROTOS; p++) {
		for (src = 0; src < 2; src++) {
			const __u16 *v =
				src ? t->sport_class[p] : t->dport_class[p];
			__u32 k = li_port_table_key(0, fam, p, src);
			__u16 *at = im->port + (size_t)k * LI_PORT_ELEM;

			if (!v)
				memset(at, 0, LI_PORT_SPACE * sizeof(*v));
			else if (!src && svc_direct(t, p))
				for (i = 0; i < LI_PORT_SPACE; i++)
					at[i] = (__u16)t->cross[p][v[i]];
			else
				memcpy(at, v, LI_PORT_SPACE * sizeof(*v));
		}
	}
}

static int fill_family(struct li_image *im, const struct li_family *f, int fam)
{
	const struct li_fam_hdr *h = &im->hdr.fam[fam];
	const struct li_svc_table *t = &f->svc;
	int dim, p;

	fill_addr(im, h->addr_base[0], &f->src,
		  h->phase_on ? f->phase.nr_svc : 1);
	fill_addr(im, h->addr_base[1], &f->dst, 1);
	fill_ports(im, t, fam);
	for (p = 0; p < LI_NR_PORT_PROTOS; p++)
		if (t->cross[p])
			memcpy(im->cross + h->cross_base[p], t->cross[p],
			       (size_t)t->nr_dclass[p] * t->nr_sclass[p] *
				       sizeof(*im->cross));
	if (!f->nr_policies)
		return 0;
	memcpy(im->pol + h->pol_base, f->policies,
	       f->nr_policies * sizeof(*im->pol));
	for (dim = 0; dim < LI_DIM_ACTIVE; dim++)
		memcpy(im->bm + h->bm_base[dim], bitmaps_of(f, dim)->words,
		       (size_t)bitmaps_of(f, dim)->nr_classes * f->bm_words *
			       sizeof(*im->bm));
	memcpy(im->bm + h->bm_base[LI_DIM_ACTIVE], f->enabled,
	       f->bm_words * sizeof(*im->bm));
	if (h->phase_on) {
		const struct li_phase *ph = &f->phase;
		size_t i, n = (size_t)f->bm_src.nr_classes * ph->nr_svc;

		/*
		 * A's row of ab, not A: the program's read of ab waits for
		 * one multiply less (its entries fit: nr_a * nr_b of them).
		 */
		for (i = 0; i < n; i++)
			im->phase[h->ph_sv + i] = ph->sv[i] * ph->nr_b;
		memcpy(im->phase + h->ph_id, ph->id,
		       (size_t)f->bm_intf.nr_classes * ph->nr_dst *
			       sizeof(*im->phase));
	}
	return ruleset_image_phase_ab(im, f, fam, f->enabled);
}

int ruleset_image_phase_ab(struct li_image *im, const struct li_family *f,
			   int fam, const __u64 *active)
{
	const struct li_fam_hdr *h = &im->hdr.fam[fam];

	if (!h->phase_on)
		return 0;
	return ruleset_phase_ab_first(f, active,
				      (__s32 *)(im->phase + h->ph_ab));
}

#define HUGE_PAGE (2u << 20)

/*
 * @bytes for an array written once, then copied to the maps and freed:
 * a reload's fresh megabytes are huge pages where the kernel allows, so
 * filling them costs a few faults, not one per 4 KiB.
 */
static void *image_alloc(size_t bytes)
{
	void *p;

	if (bytes < HUGE_PAGE)
		return malloc(bytes);
	bytes = (bytes + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
	if (posix_memalign(&p, HUGE_PAGE, bytes))
		return NULL;
	madvise(p, bytes, MADV_HUGEPAGE);
	return p;
}

int ruleset_image_build(const struct li_ruleset *rs, struct li_image *im)
{
	int fam;

	ruleset_image_layout(rs, im);
	/*
	 * Every entry is written below (a port table the compiler left out
	 * as zeros), so no calloc: a reload does not clear megabytes first.
	 * One entry more each: malloc(0) may say NULL.
	 */
	im->addr = image_alloc(((size_t)im->n.addr + 1) * LI_ADDR_ELEM *
			       sizeof(*im->addr));
	im->bm = image_alloc(((size_t)im->n.bm + 1) * sizeof(*im->bm));
	im->cross = image_alloc(((size_t)im->n.cross + 1) * sizeof(*im->cross));
	im->pol = image_alloc(((size_t)im->n.pol + 1) * sizeof(*im->pol));
	im->port = image_alloc((size_t)LI_PORT_SET_ELEMS * LI_PORT_ELEM *
			       sizeof(*im->port));
	/* Zeroed: the runs' padding is copied too. */
	im->phase = calloc(((size_t)im->n.phase + 1) * LI_PHASE_ELEM,
			   sizeof(*im->phase));
	if (!im->addr || !im->bm || !im->cross || !im->pol || !im->port ||
	    !im->phase) {
		ruleset_image_free(im);
		return -ENOMEM;
	}
	for (fam = 0; fam < 2; fam++) {
		int err = fill_family(im, family_of(rs, fam), fam);

		if (err) {
			ruleset_image_free(im);
			return err;
		}
	}
	return 0;
}

void ruleset_image_free(struct li_image *im)
{
	free(im->addr);
	free(im->bm);
	free(im->cross);
	free(im->pol);
	free(im->port);
	free(im->phase);
	memset(im, 0, sizeof(*im));
}
