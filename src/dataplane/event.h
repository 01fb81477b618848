/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the data path tells user space about a decision, shared by the XDP
 * program, its loader and replay: the event record of the ring buffer, and
 * the one rule for which decisions make a traffic log line.
 */
#ifndef LOCALIN_DATAPLANE_EVENT_H
#define LOCALIN_DATAPLANE_EVENT_H

#include "compile/ruleset.h"
#include "dataplane/packet.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* What the program sends to user space through its ring buffer. */
enum li_event_kind {
	LI_EV_TRAFFIC,	 /* a local-in decision the log settings ask for */
	LI_EV_ESP_ERROR, /* ESP with an unknown SPI */
	LI_EV_TRACE,	 /* a packet matching the debug-flow filter */
	LI_EV_ESP_PEER,	 /* ESP with a live SPI from another address */
	LI_EV_NR_KINDS,
};

struct li_event {
	__u8 kind; /* enum li_event_kind */
	__u8 set;  /* the ruleset set that decided (user space: which config) */
	__u8 pad[2];
	__u32 ifindex;
	__u32 trace_id; /* LI_EV_TRACE */
	__u32 pad2;
	__u64 ktime_ns; /* bpf_ktime_get_ns(); the loader converts */
	struct li_pkt pkt;
	struct li_verdict verdict;
};

/* The reasons (packet.h) whose decisions may make an event of their own. */
#define LI_R_EVENTS                                \
	(1u << LI_R_POLICY | 1u << LI_R_IMPLICIT | \
	 1u << LI_R_ESP_UNKNOWN_SPI | 1u << LI_R_ESP_WRONG_PEER)
_Static_assert(LI_R_MAX <= 32, "LI_R_EVENTS holds a bit per reason");

/*
 * Does `config log setting` (or the policy's logtraffic, @pol_flags of
 * the matched policy) want a traffic log line for this decision? Only
 * policy and implicit decisions are traffic; ESP errors have their own
 * event; packets of sessions make the session's one line at its end.
 */
static __always_inline int li_traffic_logged(const struct li_verdict *v,
					     __u8 pol_flags, int log_allow,
					     int log_deny_unicast,
					     int log_deny_broadcast)
{
	int pol_log =
		v->reason == LI_R_POLICY && (pol_flags & LI_POL_LOGTRAFFIC);

	if (v->reason != LI_R_POLICY && v->reason != LI_R_IMPLICIT)
		return 0;
	/* An accepted session is logged once, when it ends (session.h). */
	if (!v->drop && v->sess != LI_VS_NONE)
		return 0;
	if (v->drop)
		return pol_log ||
		       (v->bcast ? log_deny_broadcast : log_deny_unicast);
	return pol_log || log_allow;
}

#endif
