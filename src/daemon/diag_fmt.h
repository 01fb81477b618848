/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The text and JSON of the FortiOS read commands (diag.c), as pure
 * functions of what they print, so the unit tests check them without a
 * daemon. The JSON is README's "JSON output": one object per answer, on
 * one line, "localin": 1 first; a policy is the same object everywhere.
 */
#ifndef LOCALIN_DAEMON_DIAG_FMT_H
#define LOCALIN_DAEMON_DIAG_FMT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <linux/types.h>

#include "dataplane/flow_filter.h"
#include "dataplane/loader.h"
#include "objects/dynaddr.h"
#include "objects/objects.h"

/* A JSON string (quotes included) of @s; NULL is null. */
void diag_json_str(FILE *out, const char *s);

/*
 * One entry of `diagnose firewall iprope list 100001`, FortiOS's layout
 * (fortios-reference.md 1.7): index line, flags, zone, source and dest
 * as address ranges (groups flattened, exclusions taken out), services
 * as [proto:0x0:0/(sport lo,hi)->(dport lo,hi)], then "hit count:N".
 * @order: its place in the table (1 first), FortiOS's uuid_idx.
 */
void diag_fmt_iprope(FILE *out, const struct obj_policy *p, unsigned int order,
		     __u64 hits);
/* The policy object of the JSON answers. */
void diag_fmt_policy_json(FILE *out, const struct obj_policy *p,
			  unsigned int order, __u64 hits);
/* `get firewall local-in-policy ID`: "name                : value" lines. */
void diag_fmt_get_policy(FILE *out, const struct obj_policy *p);
/*
 * From @text (a `show firewall local-in-policy` section), the config
 * lines of entry @id alone, wrapped in its config/end: bytes written,
 * 0 when there is no such entry.
 */
int diag_fmt_show_entry(FILE *out, const char *text, __u32 id);
/*
 * Trace filter @k (FLOW_FILTER4: `filter`, FLOW_FILTER6: `filter6`) of
 * both @filters as JSON; `left_out` while it traces nothing for being
 * empty with the other one set.
 */
void diag_fmt_filter_json(FILE *out, const struct flow_filter *filters, int k);

struct diag_sys {
	const char *version, *hostname, *config;
	__u64 program; /* the build identity (li_loader_build()) */
	int pid;
	time_t started, loaded, now;
	time_t uptime; /* by the monotonic clock: now - started lies after a step */
	unsigned int reloads, reload_failures;
	__u32 v4, v6, trace_left;
	size_t attached;
};
/* `get system status`. */
void diag_fmt_sys(FILE *out, const struct diag_sys *s);
void diag_fmt_sys_json(FILE *out, const struct diag_sys *s);

struct diag_perf {
	time_t started, now, uptime;
	__u64 by_reason[LI_R_MAX];
	__u64 suppressed[LI_EV_NR_KINDS]; /* by the data path's rate limit */
	__u64 ring_full[LI_EV_NR_KINDS];  /* lost to a full ring */
	__u64 policy_accept, policy_deny; /* hits of accept / deny policies */
	bool esp_wrong_peer_drop;
	__u64 events, traces, log_lines, log_lost;
	bool have_sessions;
	int sessions;
	__u64 sessions_opened;
	unsigned long rss_kib;
};
/* `get system performance status`: what counts here. */
void diag_fmt_perf(FILE *out, const struct diag_perf *s);
void diag_fmt_perf_json(FILE *out, const struct diag_perf *s);

/*
 * The dynamic addresses (README "JSON output") at @now (monotonic ms):
 * the status's entries as an array, and the answer of `diagnose firewall
 * fqdn list` or `diagnose sys external-address-resource list` (@kind's
 * entries, with their ranges).
 */
void diag_fmt_dyn_status_json(FILE *out, const struct dyn_table *t,
			      uint64_t now);
void diag_fmt_dyn_list_json(FILE *out, const struct dyn_table *t,
			    enum dyn_kind kind, uint64_t now);

/* "0 days, 1 hours, 2 minutes, 3 seconds" */
void diag_fmt_uptime(FILE *out, time_t seconds);

#endif
