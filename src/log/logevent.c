// SPDX-License-Identifier: GPL-2.0
/*
 * One decision -> at most one log line, for replay and the daemon alike
 * (see logevent.h).
 */
#include "log/logevent.h"

#include <string.h>

#include "dataplane/event.h"

int log_emitter_init(struct log_emitter *e, const struct rl_conf *rlc)
{
	memset(e, 0, sizeof(*e));
	return rl_init(&e->rl, rlc);
}

void log_emitter_release(struct log_emitter *e)
{
	rl_release(&e->rl);
}

void log_emitter_set_config(struct log_emitter *e, const struct li_ruleset *rs,
			    const struct obj_config *objs)
{
	e->rs = rs;
	e->objs = objs;
	e->ctx.devname = objs ? objs->hostname : NULL;
	e->ctx.vd = objs ? objs->vdom : NULL;
}

__u64 log_emitter_time(struct log_emitter *e, __u64 ns)
{
	if (ns >= e->last_ns || e->last_ns - ns >= LOG_TIME_SLACK_NS)
		e->last_ns = ns;
	return e->last_ns;
}

void log_emitter_clock(struct log_emitter *e, __s64 off_ns)
{
	__s64 d = off_ns - e->clock_off;

	if (e->have_clock_off &&
	    (d > (__s64)LOG_TIME_SLACK_NS || d < -(__s64)LOG_TIME_SLACK_NS))
		rl_clock_step(&e->rl, d);
	e->clock_off = off_ns;
	e->have_clock_off = true;
}

static bool svc_covers(const struct obj_service *s, const struct li_pkt *p,
		       unsigned int depth)
{
	size_t i;

	if (depth > 32)
		return false; /* groups are acyclic; this is only a guard */
	for (i = 0; i < s->nr_members; i++)
		if (svc_covers(s->members[i], p, depth + 1))
			return true;
	for (i = 0; i < s->nr_ranges; i++) {
		const struct svc_range *r = &s->ranges[i];

		if (r->proto != SVC_PROTO_ANY && r->proto != p->proto)
			continue;
		if (r->proto == SVC_PROTO_ANY || !(p->flags & LI_PKT_PORTS))
			return true;
		if (p->dport >= r->dlo && p->dport <= r->dhi &&
		    p->sport >= r->slo && p->sport <= r->shi)
			return true;
	}
	return false;
}

/*
 * The service= of a traffic log: the policy's service that covers the
 * packet (FortiOS names the service object), else NULL for the
 * "udp/500" form. Per logged packet only, so a walk is fine here.
 */
static const char *service_name(const struct obj_config *c,
				const struct li_pkt *p,
				const struct li_verdict *v)
{
	const struct obj_policy *pol;
	size_t i;

	if (!c || v->reason != LI_R_POLICY || v->policy_idx < 0)
		return NULL;
	if (p->family == 6 && (size_t)v->policy_idx < c->nr_policies6)
		pol = c->policies6[v->policy_idx];
	else if (p->family == 4 && (size_t)v->policy_idx < c->nr_policies4)
		pol = c->policies4[v->policy_idx];
	else
		return NULL;
	if (pol->svc_negate)
		return NULL;
	for (i = 0; i < pol->nr_svc; i++)
		if (svc_covers(pol->svc[i], p, 0))
			return pol->svc[i]->name;
	return NULL;
}

/*
 * The srcintfrole= of a traffic log: the arrival interface's `set role`
 * in `config system interface`, NULL (undefined) when it has none.
 */
static const char *intf_role(const struct obj_config *c, const char *ifname)
{
	size_t i;

	if (!c || !ifname)
		return NULL;
	for (i = 0; i < c->nr_intfs; i++)
		if (!strcmp(c->intfs[i]->name, ifname))
			return c->intfs[i]->role;
	return NULL;
}

int log_emit_format(struct log_emitter *e, const struct li_pkt *p,
		    const struct li_verdict *v, const char *ifname,
		    const struct sa_entry *sa, __u64 ts_ns, char *buf,
		    size_t size, bool esp)
{
	struct log_event ev = {
		.pkt = p,
		.verdict = v,
		.intf = ifname,
		.tunnel = sa && sa->tunnel[0] ? sa->tunnel : NULL,
		.peer_family = sa && sa->has_peer ? sa->family : 0,
		.peer = sa ? sa->peer : NULL,
		.time_ns = ts_ns,
	};
	int n;

	if (esp) {
		n = log_format_esp_error(buf, size, &e->ctx, &ev);
	} else {
		ev.service = service_name(e->objs, p, v);
		ev.intf_role = intf_role(e->objs, ifname);
		/* The session's id; a denied attempt's from the data path. */
		ev.sessionid = v->sess_id ? v->sess_id : ++e->session;
		n = log_format_traffic(buf, size, &e->ctx, &ev);
	}
	if (n > 0)
		e->lines++;
	return n;
}

const char *log_sess_action(const struct li_sess_key *k,
			    const struct li_sess *s)
{
	__u8 fin = LI_SESS_FIN_IN | LI_SESS_FIN_OUT;

	if (s->flags & LI_SESS_CUT)
		return "deny";
	if (k->proto != 6)
		return "accept";
	if (s->tcp & LI_SESS_RST_IN)
		return s->origin == LI_SESS_IN ? "client-rst" : "server-rst";
	if (s->tcp & LI_SESS_RST_OUT)
		return s->origin == LI_SESS_IN ? "server-rst" : "client-rst";
	if ((s->tcp & fin) == fin)
		return "close";
	return "timeout";
}

void log_sess_pkt(const struct li_sess_key *k, const struct li_sess *s,
		  struct li_pkt *p)
{
	bool in = s->origin != LI_SESS_OUT;
	bool icmp = k->proto == 1 || k->proto == 58;

	memset(p, 0, sizeof(*p));
	p->family = k->family;
	p->proto = k->proto;
	li_sess_key_addr(k, 1, in ? p->saddr : p->daddr);
	li_sess_key_addr(k, 0, in ? p->daddr : p->saddr);
	if (icmp) {
		/* The echo request that opened it: identifier, type 8/128. */
		p->icmp_type = k->family == 6 ? 128 : 8;
		p->sport = k->lport;
		p->dport = (__u16)(p->icmp_type << 8);
		p->flags = LI_PKT_PORTS | LI_PKT_ICMP_ECHO;
	} else if (k->lport || k->rport) {
		p->sport = in ? k->rport : k->lport;
		p->dport = in ? k->lport : k->rport;
		p->flags = LI_PKT_PORTS;
	}
}

int log_emit_session_end(struct log_emitter *e, const struct log_sess_end *se,
			 char *buf, size_t size)
{
	const struct li_sess *s = se->s;
	bool in = s->origin != LI_SESS_OUT;
	int orig = in ? LI_DIR_IN : LI_DIR_OUT;
	struct li_verdict v = {
		.drop = LI_PASS,
		.reason = s->policy_id ? LI_R_POLICY : LI_R_IMPLICIT,
		.policy_id = s->policy_id,
		.policy_idx = se->same_config ? s->policy_idx : -1,
		.sess_id = s->id,
		.sess = LI_VS_NEW,
	};
	struct log_sess_stats st = {
		.action = log_sess_action(se->k, s),
		.duration_s =
			se->end_ns > se->start_ns ?
				(se->end_ns - se->start_ns) / 1000000000ull :
				0,
		.sentbyte = s->bytes[orig],
		.rcvdbyte = s->bytes[!orig],
		.sentpkt = s->pkts[orig],
		.rcvdpkt = s->pkts[!orig],
	};
	struct li_pkt p;
	struct log_event ev = {
		.pkt = &p,
		.verdict = &v,
		.intf = se->ifname,
		.time_ns = se->end_ns,
		.sessionid = s->id,
		.end = &st,
	};
	int n;

	if (!(s->flags & LI_SESS_LOG) || !in)
		return 0;
	log_sess_pkt(se->k, s, &p);
	if (!rl_allow(&e->rl, RL_TRAFFIC_ACCEPT, p.family, p.saddr,
		      se->write_ns ? se->write_ns : se->end_ns))
		return 0;
	ev.service = service_name(e->objs, &p, &v);
	ev.intf_role = intf_role(e->objs, se->ifname);
	n = log_format_traffic(buf, size, &e->ctx, &ev);
	if (n > 0)
		e->lines++;
	return n;
}
