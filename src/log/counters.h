/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The data path's decisions counted, as people read them: one table of
 * reasons (the short name `replay --verdicts` prints, the text of the
 * summaries) and one printer for replay's closing summary and for
 * `localin status`, so the two never say the same thing differently.
 */
#ifndef LOCALIN_LOG_COUNTERS_H
#define LOCALIN_LOG_COUNTERS_H

#include <stdio.h>

#include <linux/types.h>

#include "compile/compile.h"
#include "dataplane/packet.h"

/* "nonlocal", "esp-ok", ...; "?" for a reason not in the table. */
const char *li_reason_name(unsigned int reason);

struct li_counts {
	const struct li_ruleset *rs;
	const __u64 *by_reason; /* [LI_R_MAX] */
	const __u64 *hits[2];	/* per policy index, IPv4 and IPv6 */
	__u32 nr_hits[2];	/* entries in hits[fam] */
};

enum li_counts_style {
	/*
	 * replay's summary: policies that matched, after "not for this
	 * host"; reasons a replay cannot meet (unverified ESP, the policy
	 * total) left out, wrong-peer ESP only when there was some.
	 */
	LI_COUNTS_REPLAY,
	/* `localin status`: every reason, then every policy, zeros too. */
	LI_COUNTS_STATUS,
};

/* The lines, each indented by two spaces. */
void li_counts_print(FILE *out, const struct li_counts *c,
		     enum li_counts_style style);

#endif
