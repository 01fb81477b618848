/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The `diagnose debug flow` lines of one packet (fortios-reference.md §5.2,
 * §5.3), in the FortiOS shape
 *
 *   [YYYY-MM-DD HH:MM:SS ]id=65308 trace_id=N func=F line=L msg="..."
 *
 * with one fixed line= number per message (the FortiOS 7.0 build numbers
 * where the message is FortiOS's own). Per packet:
 *
 *  1. print_pkt_detail: "vd-root:0 received a packet(proto=17,
 *     A:500->B:500) tun_id=0.0.0.0 from wan1. " (UDP and others end in
 *     ". "; TCP adds "flag [S], seq N, ack N, win N"; ICMP prints the echo
 *     id and type << 8 | code as ports and adds "type=8, code=0, id=N,
 *     seq=N."; raw ESP prints ports 0, its SPI follows in step 3);
 *  2. vf_ip_route_input_common: "find a route: flag=84000000 gw-B via root"
 *     for a local destination, or "flag=04000000 gw-B via <ifname>" and a
 *     line of ours saying the packet is not for this host; a malformed
 *     packet has no route line;
 *  3. the decision: FortiOS's "iprope_in_check() check failed on policy N,
 *     drop" for a deny, and lines of ours in the same shape for accept by
 *     policy N, implicit accept (policy 0), ESP SPI known / unknown, the
 *     fragment table, and malformed drops. src/trace/README.md lists them.
 *
 * IPv6 addresses are printed bare (A:port is read right to left), as
 * FortiOS does for IPv4; the reference has no IPv6 capture.
 */
#ifndef LOCALIN_TRACE_FLOWTRACE_H
#define LOCALIN_TRACE_FLOWTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "dataplane/packet.h"

/*
 * The "id=" of the trace lines of FortiOS 7.2.x+ and 7.4 captures
 * (fortios-reference.md 5.2), whose 7.6 localin follows; 5.x-7.2 builds
 * wrote 20085.
 */
#define FLOW_TRACE_ID 65308
/* Enough for the lines of one packet with 63-byte names, fully escaped. */
#define FLOW_TRACE_MAX 4096

struct flow_trace_pkt {
	const struct li_pkt *pkt;
	const struct li_verdict *verdict;
	const char *ifname; /* arrival interface */
	const char *vd;	    /* VDOM name; NULL: "root" */
	const char *tunnel; /* ESP: tunnel of the SA, if known; else NULL */
	__u32 trace_id;
	bool timestamp; /* `diagnose debug console timestamp enable` */
	__u64 time_ns;	/* packet time, ns since the epoch (local time) */
	/*
	 * Sent by the gateway itself (replay: from one of its addresses):
	 * "from local", and the session it opens for its replies.
	 */
	bool local_out;
	/* `diagnose debug flow show function-name disable`: no func=, line= */
	bool no_func;
	/*
	 * `diagnose debug flow show iprope enable`: the policy group's
	 * check before a local-in decision (iprope_in_check, __iprope_check)
	 */
	bool iprope;
};

/*
 * All lines of one packet, each ending in '\n', into @buf. Length, or
 * -ENOSPC (nothing partial is left in @buf then).
 */
int flow_trace_format(char *buf, size_t size, const struct flow_trace_pkt *t);
/* The same, written to @f: 0, -ENOSPC, or -EIO. */
int flow_trace_print(FILE *f, const struct flow_trace_pkt *t);

/* What a malformed packet lacks, in words: "IP header truncated". */
const char *flow_trace_malformed_text(enum li_malformed m);

#endif
