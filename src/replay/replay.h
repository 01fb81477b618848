/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Offline replay: every packet of a capture through the host build of the
 * data path's parser and matcher (src/dataplane/), with what the live
 * system would log, trace and count.
 */
#ifndef LOCALIN_REPLAY_H
#define LOCALIN_REPLAY_H

#include <stdbool.h>
#include <stdio.h>

#include "pipeline/pipeline.h"
#include "trace/filter.h"

struct replay_opts {
	const char *capture;
	bool verdicts; /* one line per packet, nothing else */
	bool trace;    /* debug-flow trace lines inline */
	/* which packets to trace: `filter` (IPv4) and `filter6` (IPv6) */
	struct flow_filter filter[FLOW_NR_FILTERS];
	unsigned int trace_count; /* trace at most this many; 0 = all */
	const char *intf;   /* arrival interface when the capture has none */
	const char *locals; /* "ADDR,ADDR": the gateway's addresses */
	/* "ADDR[/LEN],...": its fe80::/10 ones, besides those */
	const char *link_locals;
	const char *sa_file; /* live SAs */
	const char *devid;   /* devid= of log lines */
	bool xdp;	     /* --engine xdp: BPF_PROG_TEST_RUN, not the host */
	bool timing;	     /* the packets' time on stderr */
};

/*
 * Replay @o->capture through the compiled config @p. Output goes to @out;
 * problems with the options or the capture are queued on @p->diags.
 * Returns 0, or a negative errno.
 */
int replay_run(struct pipeline *p, const struct replay_opts *o, FILE *out);

#endif
