// SPDX-License-Identifier: GPL-2.0
/*
 * The data path's events as lines in the sink: log lines by the same
 * rules and formatter as replay (log/logevent.h), trace lines by the same
 * formatter as replay (trace/flowtrace.h).
 */
#include <string.h>

#include "trace/flowtrace.h"
#include "daemon/internal.h"
#include "daemon/logout.h"

/* The SA the verdict names, for its tunnel (replay: li_host_sa). */
static const struct sa_entry *event_sa(const struct daemon *d,
				       const struct li_event *ev)
{
	if (!ev->verdict.sa_id)
		return NULL;
	return sas_find(d, ev->pkt.family, ev->pkt.daddr, ev->pkt.spi);
}

static void on_log(struct daemon *d, const struct li_event *ev,
		   const char *ifname, __u64 time_ns)
{
	char line[LOG_LINE_MAX + 1];
	bool esp;
	int n;

	n = log_emit_line(&d->log, &ev->pkt, &ev->verdict, ifname,
			  event_sa(d, ev), time_ns, line, sizeof(line) - 1);
	if (n <= 0)
		return;
	line[n++] = '\n';
	esp = ev->verdict.reason == LI_R_ESP_UNKNOWN_SPI ||
	      ev->verdict.reason == LI_R_ESP_WRONG_PEER;
	log_out(d, line, (size_t)n,
		&(struct log_meta){
			.cat = esp ? LOG_CAT_EVENT_VPN : LOG_CAT_LOCAL_TRAFFIC,
			.level = esp ? LOG_LEVEL_ERROR : LOG_LEVEL_NOTICE,
			.logid = esp ? "0101037131" : "0001000014",
			.time_ns = time_ns,
			.deny = !esp && ev->verdict.drop == LI_DROP });
}

/*
 * Trace lines go to the connections streaming them (`diagnose debug
 * enable`), else to the log (ctl.h). The stream of a trace run ends
 * after its last packet's lines.
 */
static void on_trace(struct daemon *d, const struct li_event *ev,
		     const char *ifname, __u64 time_ns)
{
	const struct sa_entry *sa = event_sa(d, ev);
	struct flow_trace_pkt t = {
		.pkt = &ev->pkt,
		.verdict = &ev->verdict,
		.ifname = ifname,
		.vd = d->p ? d->p->objs.vdom : NULL,
		.trace_id = ev->trace_id,
		.time_ns = time_ns,
		.timestamp = d->dbg_timestamp,
		.no_func = d->dbg_no_func,
		.iprope = d->dbg_iprope,
	};
	char buf[FLOW_TRACE_MAX], why[64];
	unsigned int lines;
	int n;

	d->traces++;
	if (sa && sa->tunnel[0])
		t.tunnel = sa->tunnel;
	n = flow_trace_format(buf, sizeof(buf), &t);
	if (n > 0) {
		lines = ctl_count_lines(buf, (size_t)n);
		if (!ctl_stream_lines(d, buf, (size_t)n, lines))
			sink_write(&d->sink, buf, (size_t)n, lines);
	}
	if (d->trace_left && !--d->trace_left) {
		snprintf(why, sizeof(why), "trace done: %u packets traced",
			 d->trace_run);
		ctl_stream_end(d, false, why);
	}
}

/* How long a spent budget waits for its last lines to be drained. */
#define TRACE_SETTLE_NS 200000000ull

/*
 * The data path takes a packet from the trace budget before its line may
 * leave: a line the rate limit (1000 a second per CPU) or a full ring
 * suppressed never arrives, and trace_left would never reach 0, leaving a
 * `diagnose debug enable` waiting for packets that were traced already.
 * Once the budget has been spent for a while (the loop drains the ring
 * every time round), the trace is done, and its end says how many lines
 * were lost.
 */
/* A trace run starts: what the ring lost of trace lines so far. */
void trace_mark_ring(struct daemon *d)
{
	__u64 rf[LI_EV_NR_KINDS];

	d->trace_ring0 = li_loader_ring_full(d->l, rf) ? 0 : rf[LI_EV_TRACE];
}

void trace_tick(struct daemon *d)
{
	__u64 now = li_sess_clock_ns(), rf[LI_EV_NR_KINDS], ring = 0;
	char why[160];
	__s64 rem;

	if (!d->trace_left || li_loader_trace_remaining(d->l, &rem) ||
	    rem > 0) {
		d->trace_spent_ns = 0;
		return;
	}
	if (!d->trace_spent_ns) {
		d->trace_spent_ns = now;
		return;
	}
	if (now - d->trace_spent_ns < TRACE_SETTLE_NS)
		return;
	/*
	 * The rate limit's or the ring's doing: the admin is told which,
	 * as status counts them (a trace run's lines are its only ones).
	 */
	if (!li_loader_ring_full(d->l, rf) && rf[LI_EV_TRACE] > d->trace_ring0)
		ring = rf[LI_EV_TRACE] - d->trace_ring0;
	if (ring > d->trace_left)
		ring = d->trace_left;
	snprintf(
		why, sizeof(why),
		"trace done: %u packets traced, the lines of %u suppressed (%llu by the rate limit, %llu lost to a full event ring)",
		d->trace_run, d->trace_left,
		(unsigned long long)(d->trace_left - ring),
		(unsigned long long)ring);
	daemon_msg("%s", why);
	d->trace_left = 0;
	d->trace_spent_ns = 0;
	ctl_stream_end(d, false, why);
}

/*
 * Format @ev against the config that decided it: the one in force, or,
 * for an event queued before the last reload, the one before it.
 */
static void config_of(struct daemon *d, const struct li_event *ev)
{
	const struct pipeline *p = d->p;

	if (!p)
		return; /* at start: the config being applied (daemon_apply) */
	if (d->prev && ev->set != d->set_cur && ev->set == d->set_prev)
		p = d->prev;
	log_emitter_set_config(&d->log, &p->rs, &p->objs);
}

void daemon_on_event(void *ctx, const struct li_event *ev, __u64 time_ns)
{
	struct daemon *d = ctx;
	char name[RTNL_IFNAMSIZ + 8];
	const char *ifname;

	d->events++;
	/*
	 * One clock for the log and trace lines of the sink. The data path
	 * stamps an event before it reserves its slot in the ring, each CPU
	 * from its own tick-cached coarse clock, and the loader turns that
	 * into wall time with an offset read again at every poll: so events
	 * from different CPUs (or across an NTP step) can reach us a tick or
	 * so out of order. The arrival time would be monotonic, but wrong by
	 * however long the ring held the event under load; clamping to the
	 * last time given keeps the data path's time and moves only an
	 * earlier straggler (by less than a second: more is the clock set
	 * back) up to its predecessor's.
	 */
	time_ns = log_emitter_time(&d->log, time_ns);
	config_of(d, ev);
	ifname = links_name(d, (int)ev->ifindex, name, sizeof(name));
	switch (ev->kind) {
	case LI_EV_ESP_ERROR:
		/* a frame passed unverified: logged only if no SA comes */
		if (ev->verdict.reason == LI_R_ESP_UNVERIFIED) {
			unverified_on_event(d, ev, ifname, time_ns);
			break;
		}
		/* fall through */
	case LI_EV_TRAFFIC:
	case LI_EV_ESP_PEER:
		on_log(d, ev, ifname, time_ns);
		break;
	case LI_EV_TRACE:
		on_trace(d, ev, ifname, time_ns);
		break;
	}
}

static const char *const ev_kinds[LI_EV_NR_KINDS] = {
	[LI_EV_TRAFFIC] = "traffic",
	[LI_EV_ESP_ERROR] = "esp-error",
	[LI_EV_TRACE] = "trace",
	[LI_EV_ESP_PEER] = "esp-wrong-peer",
};

/* How often ring_full_tick() reads the counters; a quiet read ends a burst. */
#define RING_FULL_READ_NS 1000000000ull

/* "N traffic, M esp-error" of @n's kinds that are not 0. */
static void ring_full_kinds(char *buf, size_t size, const __u64 *n)
{
	size_t len = 0;
	int k;

	buf[0] = '\0';
	for (k = 0; k < LI_EV_NR_KINDS && len < size; k++)
		if (n[k])
			len += (size_t)snprintf(buf + len, size - len,
						"%s%llu %s", len ? ", " : "",
						(unsigned long long)n[k],
						ev_kinds[k]);
}

/*
 * Events the data path let out but found no room for in the ring: the
 * daemon fell behind (stopped, starved of CPU, a flood faster than it
 * formats lines). Not the rate limit, which says its own once a minute:
 * this is lines an admin expected and will not find. Said when a burst
 * is first seen, and once more with its total when a read finds no new
 * loss; the verdicts themselves are the data path's and stand.
 */
void ring_full_tick(struct daemon *d)
{
	__u64 now = li_sess_clock_ns(), cur[LI_EV_NR_KINDS], n = 0, in = 0;
	char kinds[128];
	int k;

	if (d->ring_full_primed &&
	    now - d->ring_full_read_ns < RING_FULL_READ_NS)
		return;
	d->ring_full_read_ns = now;
	if (li_loader_ring_full(d->l, cur))
		return;
	/* an adopted data path's past losses are not a burst of ours */
	if (!d->ring_full_primed) {
		memcpy(d->ring_full_seen, cur, sizeof(cur));
		d->ring_full_primed = true;
		return;
	}
	for (k = 0; k < LI_EV_NR_KINDS; k++) {
		__u64 dk = cur[k] - d->ring_full_seen[k];

		if (cur[k] < d->ring_full_seen[k])
			dk = cur[k]; /* counters were reset */
		d->ring_full_seen[k] = cur[k];
		n += dk;
		in += d->ring_full_burst[k];
		d->ring_full_burst[k] += dk;
	}
	if (n && !in) {
		ring_full_kinds(kinds, sizeof(kinds), d->ring_full_burst);
		daemon_msg(
			"event ring full: %llu events lost (%s): the daemon fell behind the data path, their log and trace lines are missing",
			(unsigned long long)n, kinds);
	} else if (!n && in) {
		ring_full_kinds(kinds, sizeof(kinds), d->ring_full_burst);
		daemon_msg(
			"event ring full: the burst is over, %llu events lost in it (%s)",
			(unsigned long long)in, kinds);
		memset(d->ring_full_burst, 0, sizeof(d->ring_full_burst));
	}
}

/*
 * Once a minute: what the rate limits held back since the last report,
 * in user space (rl_summary_pending) and in the data path's token bucket.
 */
void daemon_report(struct daemon *d)
{
	struct li_counters c;
	char buf[256];
	int i;

	if (rl_summary_pending(&d->log.rl, buf, sizeof(buf)) > 0)
		daemon_msg("%s", buf);
	memset(&c, 0, sizeof(c));
	if (li_loader_counters(d->l, &c))
		return;
	for (i = 0; i < LI_EV_NR_KINDS; i++) {
		__u64 n = c.events_suppressed[i] - d->kernel_suppressed[i];

		if (c.events_suppressed[i] < d->kernel_suppressed[i])
			n = c.events_suppressed[i]; /* counters were reset */
		if (n)
			daemon_msg(
				"data path rate limit: suppressed %llu %s events",
				(unsigned long long)n, ev_kinds[i]);
		d->kernel_suppressed[i] = c.events_suppressed[i];
	}
}
