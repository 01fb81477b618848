/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `diagnose sys session filter|list|clear` (and session6): the filter the
 * daemon keeps, and the FortiOS text of one session. No I/O on the maps
 * here, so the unit tests drive it directly; the walk is sessions.c.
 *
 * Filter words, one criterion per command as on FortiOS (each changes
 * one and keeps the others):
 *
 *   src A [B]      original source address in A..B
 *   dst A [B]      original destination address in A..B
 *   sport P [Q]    original source port in P..Q
 *   dport P [Q]    original destination port in P..Q
 *   proto N        IP protocol number
 *   policy N       the policy that accepted it (0: implicit, local-out)
 *   vd N           VDOM index, -1 for all (one VDOM, root = 0)
 *   negate FIELD   invert FIELD (src dst sport dport proto policy)
 *   clear          remove every criterion
 *
 * "Original" is the direction of the session's first packet: for a
 * session a remote opened, the remote is the source; for one the gateway
 * opened, the gateway is. ICMP echo: sport is the identifier, dport the
 * request's type (8, 128), as the list shows them. `session` takes IPv4
 * addresses and lists IPv4 sessions, `session6` IPv6 ones.
 */
#ifndef LOCALIN_DAEMON_SESS_DIAG_H
#define LOCALIN_DAEMON_SESS_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "dataplane/session.h"

/* sess_filter.set and .negate bits */
enum {
	SF_SRC = 1 << 0,
	SF_DST = 1 << 1,
	SF_SPORT = 1 << 2,
	SF_DPORT = 1 << 3,
	SF_PROTO = 1 << 4,
	SF_POLICY = 1 << 5,
	SF_VD = 1 << 6,
};

struct sess_filter {
	__u8 family; /* 4 (session) or 6 (session6) */
	__u32 set, negate;
	__u32 src[2][4], dst[2][4]; /* lo, hi; network order */
	__u16 sport[2], dport[2];
	__u8 proto;
	__u32 policy;
	int vd;
};

void sess_filter_init(struct sess_filter *f, int family);
/*
 * One command, @argv[0] being its word (abbreviations as the control
 * protocol allows). 0, or -EINVAL with why in @err; @f unchanged then.
 */
int sess_filter_parse(struct sess_filter *f, int argc, const char *const *argv,
		      char *err, size_t errlen);
/* FortiOS's `diagnose sys session filter` with no words. */
void sess_filter_print(const struct sess_filter *f, FILE *out);
/* The same as JSON (README "JSON output"). */
void sess_filter_json(const struct sess_filter *f, FILE *out);
/* Of the filter's family and matching every criterion set. */
bool sess_filter_match(const struct sess_filter *f, const struct li_sess_key *k,
		       const struct li_sess *s);

/* The original direction of a session, as the filter and list see it. */
struct sess_tuple {
	__u32 saddr[4], daddr[4];
	__u16 sport, dport; /* host order */
	/* The reply's (ICMP echo: the identifier and the reply's type). */
	__u16 reply_sport, reply_dport;
};
void sess_tuple_of(const struct li_sess_key *k, const struct li_sess *s,
		   struct sess_tuple *t);

/* One session's block (and its blank line), at @now (the map's clock). */
void sess_print(FILE *out, const struct li_sess_key *k, const struct li_sess *s,
		__u64 now);
/* The same as a JSON object (README "JSON output"). */
void sess_print_json(FILE *out, const struct li_sess_key *k,
		     const struct li_sess *s, __u64 now);

#endif
