/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One set of the ruleset image, flat: per map one contiguous array, laid
 * out exactly as that map holds the set from the set's first key, and the
 * set's header (image_layout.h) with offsets relative to that first key.
 * The loader copies each array in one batch at the set's base, then the
 * header; it computes nothing but the schedule's ACTIVE rows, whose place
 * the image reserves (hdr.fam[f].bm_base[LI_DIM_ACTIVE], bm_words words,
 * holding the enabled mask until then).
 */
#ifndef LOCALIN_COMPILE_IMAGE_H
#define LOCALIN_COMPILE_IMAGE_H

#include "compile/compile.h"
#include "compile/image_layout.h"

/* Entries of one set in each map that grows with the config. */
struct li_image_size {
	__u32 addr;  /* li_addr elements (LI_ADDR_ELEM entries) */
	__u32 bm;    /* li_bm words */
	__u32 cross; /* li_cross entries */
	__u32 pol;   /* li_pol (and li_pol_hits) entries */
	__u32 phase; /* li_phase elements (LI_PHASE_ELEM entries) */
};

struct li_image {
	struct li_set_hdr hdr;
	struct li_image_size n;
	__u32 *addr;	       /* n.addr * LI_ADDR_ELEM */
	__u64 *bm;	       /* n.bm */
	__u32 *cross;	       /* n.cross */
	struct li_policy *pol; /* n.pol */
	__u16 *port;	       /* LI_PORT_SET_ELEMS * LI_PORT_ELEM */
	__u32 *phase;	       /* n.phase * LI_PHASE_ELEM */
};

/*
 * The header and sizes of @rs's image, without its arrays (what a set
 * needs: the loader sizes its maps by it). The one place that lays out.
 */
void ruleset_image_layout(const struct li_ruleset *rs, struct li_image *im);
/* Lay out and fill @im (0 or -ENOMEM; on error nothing is held). */
int ruleset_image_build(const struct li_ruleset *rs, struct li_image *im);
void ruleset_image_free(struct li_image *im);
/*
 * The ab table of family @fam's phase tables under @active (each entry
 * its first policy), into @im's phase array when the family has them:
 * 0 or -ENOMEM.
 */
int ruleset_image_phase_ab(struct li_image *im, const struct li_family *f,
			   int fam, const __u64 *active);

#endif
