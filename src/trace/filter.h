/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `diagnose debug flow filter` and `diagnose debug flow trace start N`
 * (fortios-reference.md §5.1). Words are parsed exactly as an admin types
 * them after `diagnose debug flow filter`; every command changes one
 * criterion and keeps the others, as on the device:
 *
 *   addr A [B]       source or destination in A..B (IPv4 or IPv6)
 *   addr A B and|or  between A and B, either way; or from/to A or B
 *   saddr A [B]      source in A..B
 *   daddr A [B]      destination in A..B
 *   port P [Q]       source or destination port in P..Q
 *   sport P [Q]      source port in P..Q
 *   dport P [Q]      destination port in P..Q
 *   proto N          IP protocol number (after IPv6 extension headers)
 *   vd N             VDOM index, -1 for all (we have one VDOM, index 0;
 *                    another index is refused, naming it)
 *   vd-name NAME     VDOM by name ("root")
 *   negate FIELD [VALUE...]
 *                    invert FIELD (addr saddr daddr port sport dport
 *                    proto); with values, set FIELD first
 *   clear            remove every criterion
 *
 * Options and negate's FIELD are abbreviated as on FortiOS's CLI: the
 * fewest letters that name one (`sa 10.0.0.1`, `neg dp`; 5.x's `add A`
 * is addr).
 *
 * `negate FIELD` is the form FortiOS 6.x/7.x tools send; FIELD must be set
 * already (or be given values), since "not any" would silently match
 * nothing. Setting a field again clears its negation. A packet matches when
 * every criterion that is set holds. For ICMP the ports are what the trace
 * prints: sport = echo id, dport = type << 8 | code. A packet without
 * ports (ESP, non-first fragments, other protocols) has ports 0. The
 * 7.2+ pair form `addr A B and|or` takes two hosts: between A and B
 * (and), or from or to either (or).
 *
 * There are two filters, as on FortiOS: `filter` for IPv4 packets and
 * `filter6` for IPv6 ones (flow_filters_*() below). With neither set,
 * every packet is traced; once one narrows (has a criterion but vd, which
 * every packet here meets), the other family's packets are traced only
 * by a filter of their own.
 * An address command goes to the filter of its address's family whichever
 * was named: `filter addr 2001:db8::1` sets filter6's addr, so what
 * scripts typed when localin had one filter for both keeps tracing the
 * packets it named.
 */
#ifndef LOCALIN_TRACE_FILTER_H
#define LOCALIN_TRACE_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "dataplane/flow_filter.h"

/* Matches every packet (the state after `clear`). */
void flow_filter_init(struct flow_filter *f);

struct diag_list;

/*
 * Apply one command, @argv[0] being the option word. 0, or -EINVAL with
 * the error queued on @dl like a config error, without a location (the
 * words come from a command line or a control request): "invalid address
 * \"x\"". @f is unchanged on error. @vdom: the VDOM the policies are of
 * (`vd-name` takes only it), NULL for root.
 */
int flow_filter_apply(struct flow_filter *f, int argc, const char *const *argv,
		      const char *vdom, struct diag_list *dl);
/*
 * Whether @word starts a command (addr, saddr, ... negate, clear, or an
 * abbreviation of one, even of several), so that `replay --trace saddr
 * A dport 500` can be cut into the commands an admin types one by one
 * on the device.
 */
bool flow_filter_is_option(const char *word);
/* The option @word names in full ("sa": "saddr"), NULL for none or several. */
const char *flow_filter_option(const char *word);
/*
 * The same, with the error's text in @err (truncated to @errlen), for an
 * answer on the control socket.
 */
int flow_filter_parse(struct flow_filter *f, int argc, const char *const *argv,
		      const char *vdom, char *err, size_t errlen);

bool flow_filter_match(const struct flow_filter *f, const struct li_pkt *pkt);

/* Both filters of a daemon or a replay: @f[FLOW_FILTER4], @f[FLOW_FILTER6]. */
void flow_filters_init(struct flow_filter *f);
/*
 * One command of `filter` (@named FLOW_FILTER4) or `filter6`
 * (FLOW_FILTER6): the filter it changed, which is the other one for an
 * address of the other family (above), or -EINVAL as flow_filter_apply().
 */
int flow_filters_apply(struct flow_filter *f, int named, int argc,
		       const char *const *argv, const char *vdom,
		       struct diag_list *dl);
/* The same, with the error's text in @err, as flow_filter_parse(). */
int flow_filters_parse(struct flow_filter *f, int named, int argc,
		       const char *const *argv, const char *vdom, char *err,
		       size_t errlen);
/*
 * What the admin is told after a command of @named's filter changed
 * filter @k (flow_filters_apply()'s answer), in @buf, "" for nothing:
 * where a command went that the other family's filter took (an address,
 * or `negate FIELD` alone where only that one has FIELD), and that
 * `clear` left the family out while the other's filter is set. Length
 * or -ENOSPC.
 */
int flow_filters_echo(const struct flow_filter *f, int named, int k, int argc,
		      const char *const *argv, char *buf, size_t size);
/*
 * @pkt's family's filter matches it (not IP: the IPv4 filter's); a family
 * whose filter is not set is traced only while the other's narrows
 * nothing (is not set, or has vd alone).
 */
bool flow_filters_match(const struct flow_filter *f, const struct li_pkt *pkt);

/*
 * The current filter as the device prints it for `diagnose debug flow
 * filter` with no arguments: eight lines, each indented by eight spaces,
 * "any" for a criterion not set, "host addr: A-B" for one that is (the
 * device writes "Host" while unset, "host" once set), " (negate)" after
 * an inverted one. Length or -ENOSPC.
 */
int flow_filter_format(const struct flow_filter *f, char *buf, size_t size);
/*
 * Filter @k of both @f as `filter` or `filter6` lists it: its eight
 * lines, and a ninth while it traces nothing for being empty with the
 * other family's filter set ("(no IPv4 packet is traced: ...)"), which
 * the eight "any" lines would hide.
 */
int flow_filters_format(const struct flow_filter *f, int k, char *buf,
			size_t size);

/* `diagnose debug flow trace start N` / `trace stop`. */
struct flow_trace_budget {
	__u32 remaining; /* packets still to trace; 0: stopped */
	__u32 next_id;	 /* trace_id of the next traced packet */
};

/* Stopped; trace ids start at 1 and keep counting across starts. */
void flow_trace_budget_init(struct flow_trace_budget *b);
void flow_trace_start(struct flow_trace_budget *b, __u32 n);
void flow_trace_stop(struct flow_trace_budget *b);
/* One packet matched: true (and its trace id) while budget remains. */
bool flow_trace_take(struct flow_trace_budget *b, __u32 *trace_id);
/* flow_filters_match() then flow_trace_take(): the per-packet question. */
bool flow_trace_want(const struct flow_filter *f, struct flow_trace_budget *b,
		     const struct li_pkt *pkt, __u32 *trace_id);

#endif
