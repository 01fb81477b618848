/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What replay judges of a capture record, and what `--engine xdp` shows
 * the XDP program of it. BPF_PROG_TEST_RUN takes frames of 14 to
 * LI_TEST_RUN_MAX bytes, while captures hold jumbo and GRO frames far
 * longer, and records cut short by the snap length. The decision reads
 * headers only, so:
 *
 * - a frame over the limit is shown to the program cut to the limit, its
 *   IP and UDP length fields shortened to match;
 * - a record cut short by the capture (caplen < len) is judged as the
 *   frame of its wire length, the uncaptured bytes filled in.
 *
 * Either is done only when it changes nothing, as the host parser shows:
 * it must find the same facts in the cut frame as in the whole one; for a
 * filled record, the captured part cut at caplen must be well formed and
 * agree with the frame filled with zeros and with 0xff bytes (fit.c says
 * why that proves no uncaptured byte is read). Otherwise the record is
 * skipped, by both engines alike, so that they always agree. The facts
 * decide everything (the matcher reads nothing else), so the program's
 * verdict on the cut frame is the one it would give the whole.
 */
#ifndef LOCALIN_REPLAY_FIT_H
#define LOCALIN_REPLAY_FIT_H

#include <linux/types.h>

#include "dataplane/packet.h"
#include "dataplane/parse.h"
#include "replay/capture.h"

enum fit_skip {
	FIT_OK,
	FIT_RUNT,      /* shorter than an Ethernet header on the wire */
	FIT_CUT_SHORT, /* caplen < len, and a header replay reads not captured */
	FIT_TOO_LONG,  /* over the limit, not judgeable from its start */
	FIT_LOOPBACK,  /* on loopback (capture.h), where localin never is */
	FIT_NR,
};

struct fit {
	const __u8 *frame; /* what the host engine judges: pkt's frame */
	__u32 len;
	const __u8 *xdp;   /* what the XDP program is shown */
	__u32 xdp_len;	   /* <= the fitter's limit */
	__u32 l3_cut;	   /* the IP length of xdp is this much shorter */
	struct li_pkt pkt; /* the facts of frame */
};

struct fitter {
	__u8 *zeros, *ones, *cut; /* the filled frames, the cut frame */
	struct li_natt natt; /* the NAT-T ports (packet.h): 4500 unless set */
	/*
	 * The longest frame the program is shown: LI_TEST_RUN_MAX, less in
	 * tests (tests/diff cuts small random frames as if they were long).
	 */
	__u32 limit;
};

int fitter_init(struct fitter *f);
void fitter_free(struct fitter *f);
/* fit_record() of a record that is not whole and short enough. */
enum fit_skip fit_record_slow(struct fitter *f, const struct capture_pkt *cp,
			      struct fit *out);

/*
 * FIT_OK and @out filled, or why @cp cannot be judged. Inline: the common
 * case (whole, and the program takes it) costs replay a branch.
 */
static inline enum fit_skip
fit_record(struct fitter *f, const struct capture_pkt *cp, struct fit *out)
{
	__u32 cap = cp->caplen;

	if (cap != cp->len || cap < LI_ETH_HLEN || cap > f->limit)
		return fit_record_slow(f, cp, out);
	out->frame = out->xdp = cp->data;
	out->len = out->xdp_len = cap;
	out->l3_cut = 0;
	li_parse_ports(cp->data, cp->data + cap, &f->natt, &out->pkt);
	return FIT_OK;
}
/* The facts of the cut frame as of the whole: its IP length restored. */
void fit_restore(const struct fit *fit, struct li_pkt *pkt);
/* The --verdicts name of a skip ("cut-short"). */
const char *fit_skip_name(enum fit_skip s);

#endif
