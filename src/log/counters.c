// SPDX-License-Identifier: GPL-2.0
#include "log/counters.h"

#include <stdbool.h>

static const struct {
	const char *name;
	const char *text;
	bool in_replay; /* a capture can meet it (esp-unverified: in an IKE window) */
} reasons[LI_R_MAX] = {
	[LI_R_NONLOCAL] = { "nonlocal", "not for this host (passed)", true },
	[LI_R_IMPLICIT] = { "implicit", "no policy matched (implicit accept)",
			    true },
	[LI_R_ESP_OK] = { "esp-ok", "ESP with a live SPI (passed)", true },
	[LI_R_ESP_UNKNOWN_SPI] = { "esp-unknown-spi",
				   "ESP with an unknown SPI (dropped)", true },
	[LI_R_ESP_WRONG_PEER] = { "esp-wrong-peer",
				  "ESP with a live SPI from an unexpected peer",
				  true },
	[LI_R_ESP_UNVERIFIED] = { "esp-unverified",
				  "ESP with a new SPI from a peer during its IKE exchange, its SA source down or no daemon (passed unverified)",
				  true },
	[LI_R_MALFORMED] = { "malformed", "malformed (dropped)", true },
	[LI_R_POLICY] = { "policy", "decided by a policy", false },
	[LI_R_SESSION] = { "session",
			   "of an existing session (passed without a policy check)",
			   true },
};

/* The order the summaries print them in. */
static const enum li_reason order[] = {
	LI_R_NONLOCAL,	     LI_R_SESSION,	   LI_R_IMPLICIT,
	LI_R_ESP_OK,	     LI_R_ESP_UNKNOWN_SPI, LI_R_ESP_WRONG_PEER,
	LI_R_ESP_UNVERIFIED, LI_R_MALFORMED,	   LI_R_POLICY,
};

const char *li_reason_name(unsigned int reason)
{
	return reason < LI_R_MAX && reasons[reason].name ?
		       reasons[reason].name :
		       "?";
}

static void put_policies(FILE *out, const struct li_counts *c, bool zeros)
{
	static const char *const fam_name[2] = { "local-in-policy",
						 "local-in-policy6" };
	int fam;
	__u32 k;

	for (fam = 0; fam < 2; fam++) {
		const struct li_family *f = fam ? &c->rs->v6 : &c->rs->v4;

		for (k = 0; k < f->nr_policies; k++) {
			__u64 hits = c->hits[fam] && k < c->nr_hits[fam] ?
					     c->hits[fam][k] :
					     0;

			if (!hits && !zeros)
				continue;
			fprintf(out, "  %s %u (%s): %llu\n", fam_name[fam],
				f->policies[k].id,
				f->policies[k].action == LI_ACT_ACCEPT ?
					"accept" :
					"deny",
				(unsigned long long)hits);
		}
	}
}

void li_counts_print(FILE *out, const struct li_counts *c,
		     enum li_counts_style style)
{
	bool replay = style == LI_COUNTS_REPLAY;
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		enum li_reason r = order[i];
		__u64 n = c->by_reason[r];

		if (replay && !reasons[r].in_replay)
			continue;
		if (r == LI_R_ESP_WRONG_PEER) {
			/* What wrong-peer-action made of them. */
			if (replay && !n)
				continue;
			fprintf(out, "  %s (%s): %llu\n", reasons[r].text,
				c->rs->esp_wrong_peer_drop ? "dropped" :
							     "passed",
				(unsigned long long)n);
		} else if (r == LI_R_ESP_UNVERIFIED && replay && !n) {
			continue; /* a capture meets it only in IKE windows */
		} else {
			fprintf(out, "  %s: %llu\n", reasons[r].text,
				(unsigned long long)n);
		}
		/* Replay names the policies that matched right here. */
		if (replay && r == LI_R_NONLOCAL)
			put_policies(out, c, false);
	}
	if (!replay)
		put_policies(out, c, true);
}
