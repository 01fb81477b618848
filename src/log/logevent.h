/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which log line, if any, one decision of the data path gets, and the line
 * itself: shared by replay (host matcher) and the daemon (XDP events), so
 * both write exactly the same lines under exactly the same rules.
 *
 *  - ESP with an unknown SPI: always an ESP error line (0101037131).
 *  - A policy or implicit decision: a traffic line (0001000014) when the
 *    policy sets logtraffic or `config log setting` asks for that kind of
 *    decision (local-in-allow, local-in-deny-unicast or
 *    local-in-deny-broadcast).
 *  - Anything else (not for this host, known ESP, malformed): no line.
 *
 * Every line due then passes the rate limits (ratelimit.h), so a refused
 * line is counted as suppressed there.
 */
#ifndef LOCALIN_LOG_LOGEVENT_H
#define LOCALIN_LOG_LOGEVENT_H

#include <stdbool.h>
#include <stddef.h>

#include "compile/compile.h"
#include "dataplane/event.h"
#include "dataplane/session.h"
#include "dataplane/spi_table.h"
#include "objects/objects.h"
#include "log/logfmt.h"
#include "log/ratelimit.h"

struct log_emitter {
	const struct li_ruleset *rs;   /* the ruleset that decided */
	const struct obj_config *objs; /* its objects (service names) */
	struct log_ctx ctx;
	struct ratelimit rl;
	__u64 session;	 /* sessionid= of the last traffic line */
	__u64 lines;	 /* lines formatted */
	__u64 last_ns;	 /* the time log_emitter_time() gave last */
	__s64 clock_off; /* log_emitter_clock()'s last, realtime - monotonic */
	bool have_clock_off;
};

/* @rlc NULL: the default rate limits. 0 or -errno (see rl_init()). */
int log_emitter_init(struct log_emitter *e, const struct rl_conf *rlc);
void log_emitter_release(struct log_emitter *e);

/* The config whose decisions follow (at start and after each reload). */
void log_emitter_set_config(struct log_emitter *e, const struct li_ruleset *rs,
			    const struct obj_config *objs);

/* Less than this behind the line before is a straggler, more a clock step. */
#define LOG_TIME_SLACK_NS 1000000000ull

/*
 * The time of the next line of this emitter's stream: @ns, or the time it
 * gave the line before when @ns is earlier by less than LOG_TIME_SLACK_NS,
 * so eventtime= does not go back in one stream (a reader sorts or windows
 * by it). For the daemon, whose events come from several CPUs (the caller
 * says why); replay keeps each packet's own time. A larger step back is
 * the wall clock set back: taken as it is, or every line would carry one
 * time until the clock caught up.
 */
__u64 log_emitter_time(struct log_emitter *e, __u64 ns);

/*
 * The daemon's lines carry wall-clock times; @off_ns is CLOCK_REALTIME -
 * CLOCK_MONOTONIC now. A change of more than LOG_TIME_SLACK_NS since the
 * last call is the wall clock set (NTP's step at boot, date -s): the rate
 * limits move with it (rl_clock_step()), or a clock set back by hours
 * would shut them for hours.
 */
void log_emitter_clock(struct log_emitter *e, __s64 off_ns);

/*
 * Does the config ask for a traffic line for this decision? Inline: asked
 * for every decision, the answer mostly "no".
 */
static inline bool log_traffic_wanted(const struct li_ruleset *rs,
				      const struct li_pkt *p,
				      const struct li_verdict *v)
{
	const struct li_family *f = p->family == 6 ? &rs->v6 : &rs->v4;
	__u8 pol_flags = 0;

	if (v->reason == LI_R_POLICY && v->policy_idx >= 0 &&
	    (__u32)v->policy_idx < f->nr_policies)
		pol_flags = f->policies[v->policy_idx].flags;
	/* The same rule as the XDP program's, which emits the event. */
	return li_traffic_logged(v, pol_flags, rs->log_allow);
}

/*
 * The line of log_emit_line_wanted() once the rate limit let it through
 * (@esp: an ESP error line, else a traffic line).
 */
int log_emit_format(struct log_emitter *e, const struct li_pkt *p,
		    const struct li_verdict *v, const char *ifname,
		    const struct sa_entry *sa, __u64 ts_ns, char *buf,
		    size_t size, bool esp);

/*
 * log_emit_line() for a caller that asked log_traffic_wanted() of the
 * emitter's ruleset already (@traffic: its answer, false without one).
 * Inline, as it runs for every decision: most write nothing, or are
 * refused by the rate limit's kind bucket.
 */
static inline int log_emit_line_wanted(struct log_emitter *e,
				       const struct li_pkt *p,
				       const struct li_verdict *v, bool traffic,
				       const char *ifname,
				       const struct sa_entry *sa, __u64 ts_ns,
				       char *buf, size_t size)
{
	enum rl_kind kind;
	bool esp = false;

	if (v->reason == LI_R_ESP_UNKNOWN_SPI ||
	    v->reason == LI_R_ESP_WRONG_PEER) {
		kind = v->reason == LI_R_ESP_UNKNOWN_SPI ? RL_ESP_ERROR :
							   RL_ESP_PEER;
		esp = true;
	} else if (traffic) {
		kind = v->drop ? RL_TRAFFIC_DENY : RL_TRAFFIC_ACCEPT;
	} else {
		return 0;
	}
	if (!rl_allow(&e->rl, kind, p->family, p->saddr, ts_ns))
		return 0;
	return log_emit_format(e, p, v, ifname, sa, ts_ns, buf, size, esp);
}

/*
 * The line for one decision into @buf (no newline): its length, 0 when no
 * line is due or the rate limit refused it, or -ENOSPC / -EINVAL from the
 * formatter. @ifname is the arrival interface, @sa the packet's SA when
 * known (else NULL: tunnel and peer "N/A"), @ts_ns the packet time since
 * the epoch.
 */
static inline int log_emit_line(struct log_emitter *e, const struct li_pkt *p,
				const struct li_verdict *v, const char *ifname,
				const struct sa_entry *sa, __u64 ts_ns,
				char *buf, size_t size)
{
	return log_emit_line_wanted(e, p, v,
				    e->rs && log_traffic_wanted(e->rs, p, v),
				    ifname, sa, ts_ns, buf, size);
}

/* A session that ended (dataplane/session.h), as its end log needs it. */
struct log_sess_end {
	const struct li_sess_key *k;
	const struct li_sess *s;
	const char *ifname; /* arrival interface of its first packet */
	__u64 start_ns;	    /* its first packet, ns since the epoch */
	__u64 end_ns;	    /* its end (last packet + timeout, or the cut) */
	/*
	 * s->policy_idx indexes the emitter's config (the session was
	 * accepted under it): the service gets its name.
	 */
	bool same_config;
	/*
	 * When the line is written, ns since the epoch (0: end_ns): the
	 * rate limit is asked then. A sweep finds a session ended a while
	 * ago; asked at its end, lines logged since would have it refused
	 * as a burst (ratelimit.h: an earlier time mints nothing).
	 */
	__u64 write_ns;
};

/*
 * The traffic line (0001000014) of an inbound session that ended, when
 * its accept asked for one (LI_SESS_LOG): duration, bytes and packets
 * from the originator's side (sent: the remote's, rcvd: ours), action as
 * FortiOS ends sessions (log_sess_action()). Same return as
 * log_emit_line(); rate limited as accepted traffic.
 */
int log_emit_session_end(struct log_emitter *e, const struct log_sess_end *se,
			 char *buf, size_t size);

/*
 * How @s ended, FortiOS's action= word: TCP "close" (both FINs),
 * "client-rst" / "server-rst" (the remote's, ours), "timeout"; "deny"
 * for a session a reload's policies cut; "accept" for the rest (UDP,
 * ICMP: sessions that simply go idle).
 */
const char *log_sess_action(const struct li_sess_key *k,
			    const struct li_sess *s);

/* The packet facts a session's key stands for, in its first direction. */
void log_sess_pkt(const struct li_sess_key *k, const struct li_sess *s,
		  struct li_pkt *p);

#endif
