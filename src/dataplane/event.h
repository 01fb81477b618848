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

/*
 * Does the config want a traffic log line for this decision? The matched
 * policy's LI_POL_LOG_UNICAST or _BCAST (@pol_flags: its logtraffic and
 * `config log setting`, by its action, compile.c), or for no policy
 * matched, local-in-allow (@log_allow: the implicit handling accepts).
 * Only policy and implicit decisions are traffic; ESP errors have their
 * own event; packets of sessions make the session's one line at its end.
 */
static __always_inline int li_traffic_logged(const struct li_verdict *v,
					     __u8 pol_flags, int log_allow)
{
	__u32 f;

	if (v->reason == LI_R_POLICY)
		f = pol_flags;
	else if (v->reason == LI_R_IMPLICIT)
		f = log_allow ? LI_POL_LOG_UNICAST | LI_POL_LOG_BCAST : 0;
	else
		return 0;
	/* An accepted session is logged once, when it ends (session.h). */
	if (!v->drop && v->sess != LI_VS_NONE)
		return 0;
	return !!(f & (v->bcast ? LI_POL_LOG_BCAST : LI_POL_LOG_UNICAST));
}

#endif
