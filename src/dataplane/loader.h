/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The XDP data path from user space: load the program (libbpf skeleton),
 * fill its maps from a compiled ruleset, attach it (libxdp), and read its
 * events and counters. The daemon owns one li_loader; `localin replay
 * --engine xdp` uses one without attaching, through BPF_PROG_TEST_RUN.
 *
 * A reload writes the complete new ruleset into the inactive of two map
 * sets and then flips one index: a packet is judged by one image or the
 * other, never by half of each.
 */
#ifndef LOCALIN_DATAPLANE_LOADER_H
#define LOCALIN_DATAPLANE_LOADER_H

#include <stdbool.h>
#include <stddef.h>

#include "../compile/compile.h"
#include "../ipsec/spi_table.h"
#include "../trace/filter.h"
#include "host.h"
#include "packet.h"

#define LI_PIN_DIR "/sys/fs/bpf/localin"

/* What the program sends to user space through its ring buffer. */
enum li_event_kind {
	LI_EV_TRAFFIC,	 /* a local-in decision the log settings ask for */
	LI_EV_ESP_ERROR, /* ESP with an unknown SPI */
	LI_EV_TRACE,	 /* a packet matching the debug-flow filter */
};

struct li_event {
	__u8 kind;	/* enum li_event_kind */
	__u8 pad[3];
	__u32 ifindex;
	__u32 trace_id; /* LI_EV_TRACE */
	__u32 pad2;
	__u64 ktime_ns; /* bpf_ktime_get_ns(); the loader converts */
	struct li_pkt pkt;
	struct li_verdict verdict;
};

/* Per-reason and per-policy counts, summed over CPUs. */
struct li_counters {
	__u64 by_reason[LI_R_MAX];
	__u64 events_suppressed[3]; /* by li_event_kind: token bucket empty */
	__u64 *policy_hits[2];	/* per family, nr_policies each (loader-owned) */
	__u32 nr_policies[2];
};

struct li_loader;

/*
 * Open and load the program. @pin_dir: pin program and maps there (the
 * daemon), or NULL (replay). With @adopt, reuse what is already pinned
 * there, so a restarted daemon takes over without a gap.
 */
int li_loader_open(struct li_loader **out, const char *pin_dir, bool adopt);
void li_loader_close(struct li_loader *l);

/* A new ruleset, atomically (see above). */
int li_loader_set_ruleset(struct li_loader *l, const struct li_ruleset *rs);
/* The schedule-active mask of one family (bm_words words, enabled ANDed). */
int li_loader_set_active(struct li_loader *l, int family, const __u64 *mask,
			 __u32 words);
int li_loader_set_locals(struct li_loader *l, const struct li_host_addr *a,
			 size_t n);
int li_loader_set_sas(struct li_loader *l, const struct spi_table *t);
int li_loader_set_trace(struct li_loader *l, const struct flow_filter *f,
			__u32 count);
/* Map an interface to its class for the current ruleset (by name). */
int li_loader_set_interface(struct li_loader *l, int ifindex,
			    const char *ifname);

/* Attach to / detach from an interface (native if possible, else generic). */
int li_loader_attach(struct li_loader *l, int ifindex);
int li_loader_detach(struct li_loader *l, int ifindex);

/*
 * Wait up to @timeout_ms for events; @fn gets each (time converted to
 * ns since the epoch). Returns the number handled or a negative errno.
 */
int li_loader_poll(struct li_loader *l, int timeout_ms,
		   void (*fn)(void *ctx, const struct li_event *ev,
			      __u64 time_ns),
		   void *ctx);
int li_loader_counters(struct li_loader *l, struct li_counters *out);

/*
 * One frame through the loaded program with BPF_PROG_TEST_RUN, as if it
 * arrived on @ifindex: the verdict and facts the program computed.
 */
int li_loader_test_run(struct li_loader *l, const void *frame, __u32 len,
		       int ifindex, struct li_pkt *pkt,
		       struct li_verdict *v);

#endif
