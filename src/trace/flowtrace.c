// SPDX-License-Identifier: GPL-2.0
/* `diagnose debug flow` trace lines of one packet; see flowtrace.h. */
#include <errno.h>
#include <string.h>

#include "util/logbuf.h"
#include "trace/flowtrace.h"

/*
 * Where each message comes from. FortiOS's own messages keep the func=
 * and line= of a FortiOS 7.0 capture (fortios-reference.md S17); ours get
 * a function named after what they do and a line number of their own, so
 * every message has exactly one func/line pair for grep and scripts.
 */
enum trace_msg {
	TM_RECV,
	TM_ROUTE,
	TM_NONLOCAL,
	TM_FRAG,
	TM_DENY,
	TM_ACCEPT,
	TM_IMPLICIT,
	TM_ESP_OK,
	TM_ESP_UNKNOWN,
	TM_MALFORMED,
	TM_SESS_NEW,
	TM_SESS_FOUND,
	TM_LOCAL_OUT,
	TM_IPROPE_IN,
	TM_IPROPE_GROUP,
	TM_IPROPE_ONE,
	TM_IPROPE_MATCHED,
	TM_IPROPE_RESULT,
	TM_NR,
};

static const struct {
	const char *func;
	int line;
} sites[TM_NR] = {
	[TM_RECV] = { "print_pkt_detail", 5845 },
	[TM_ROUTE] = { "vf_ip_route_input_common", 2605 },
	[TM_NONLOCAL] = { "vf_ip_route_input_common", 2612 },
	[TM_FRAG] = { "ip_frag_verdict_lookup", 318 },
	[TM_DENY] = { "fw_local_in_handler", 500 },
	[TM_ACCEPT] = { "fw_local_in_handler", 508 },
	[TM_IMPLICIT] = { "fw_local_in_handler", 516 },
	[TM_ESP_OK] = { "esp_input_spi_check", 1183 },
	[TM_ESP_UNKNOWN] = { "esp_input_spi_check", 1201 },
	[TM_MALFORMED] = { "ip_rcv_sanity_check", 431 },
	[TM_SESS_NEW] = { "init_ip_session_common", 6043 },
	[TM_SESS_FOUND] = { "resolve_ip_tuple_fast", 5720 },
	[TM_LOCAL_OUT] = { "ip_session_local_out", 2911 },
	/* `show iprope`: FortiOS's functions, lines of ours */
	[TM_IPROPE_IN] = { "iprope_in_check", 1869 },
	[TM_IPROPE_GROUP] = { "__iprope_check", 2276 },
	[TM_IPROPE_ONE] = { "__iprope_check_one_policy", 2046 },
	[TM_IPROPE_MATCHED] = { "__iprope_check_one_policy", 2072 },
	[TM_IPROPE_RESULT] = { "__iprope_check", 2319 },
};

static const char *const malformed_text[LI_MAL_MAX] = {
	[LI_MAL_NONE] = "no defect",
	[LI_MAL_L2] = "Ethernet or VLAN header truncated",
	[LI_MAL_IP_TRUNC] = "IP header truncated",
	[LI_MAL_IP_HDRLEN] = "IPv4 header length invalid",
	[LI_MAL_IP_LEN] = "IP length disagrees with the frame",
	[LI_MAL_IP_VERSION] = "IP version does not match the ethertype",
	[LI_MAL_EXTHDR] = "IPv6 extension header truncated or chain too long",
	[LI_MAL_L4_TRUNC] = "transport header truncated",
	[LI_MAL_L4_LEN] = "transport length inconsistent",
	[LI_MAL_ESP_TRUNC] = "ESP header truncated",
	[LI_MAL_FRAG] = "impossible fragment offset or length",
};

const char *flow_trace_malformed_text(enum li_malformed m)
{
	return (unsigned int)m < LI_MAL_MAX ? malformed_text[m] :
					      "unknown defect";
}

struct trace_out {
	struct logbuf lb;
	const struct flow_trace_pkt *t;
	char stamp[24]; /* "YYYY-MM-DD HH:MM:SS " or "" */
};

/* Everything of a line up to the opening quote of msg=. */
static void line_start(struct trace_out *o, enum trace_msg m)
{
	if (o->t->no_func)
		logbuf_printf(&o->lb, "%sid=%d trace_id=%u msg=\"", o->stamp,
			      FLOW_TRACE_ID, o->t->trace_id);
	else
		logbuf_printf(&o->lb,
			      "%sid=%d trace_id=%u func=%s line=%d msg=\"",
			      o->stamp, FLOW_TRACE_ID, o->t->trace_id,
			      sites[m].func, sites[m].line);
}

static void line_end(struct trace_out *o)
{
	logbuf_puts(&o->lb, "\"\n");
}

static bool is_icmp(const struct li_pkt *p)
{
	return p->proto == 1 || p->proto == 58;
}

/* tcpdump's flag letters in tcpdump's order: SYN|ACK is "S.". */
static void tcp_flags(struct logbuf *lb, __u8 flags)
{
	static const struct {
		__u8 bit;
		char c;
	} names[] = { { 0x01, 'F' }, { 0x02, 'S' }, { 0x04, 'R' },
		      { 0x08, 'P' }, { 0x10, '.' }, { 0x20, 'U' },
		      { 0x40, 'E' }, { 0x80, 'W' } };
	char text[9];
	size_t i, n = 0;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & names[i].bit)
			text[n++] = names[i].c;
	text[n] = '\0';
	logbuf_printf(lb, "flag [%s]", n ? text : "none");
}

static void received(struct trace_out *o)
{
	const struct li_pkt *p = o->t->pkt;
	bool ports = p->flags & LI_PKT_PORTS;
	unsigned int sport = ports ? p->sport : 0, dport = ports ? p->dport : 0;

	line_start(o, TM_RECV);
	logbuf_puts(&o->lb, "vd-");
	logbuf_escaped(&o->lb, o->t->vd ? o->t->vd : "root");
	if (p->family != 4 && p->family != 6) {
		logbuf_puts(&o->lb, ":0 received a non-IP packet from ");
		logbuf_escaped(&o->lb, o->t->ifname);
		logbuf_puts(&o->lb, ". ");
		line_end(o);
		return;
	}
	logbuf_printf(&o->lb, ":0 received a packet(proto=%u, ", p->proto);
	logbuf_ip(&o->lb, p->family, p->saddr);
	logbuf_printf(&o->lb, ":%u->", sport);
	logbuf_ip(&o->lb, p->family, p->daddr);
	logbuf_printf(&o->lb, ":%u) tun_id=0.0.0.0 from ", dport);
	logbuf_escaped(&o->lb, o->t->local_out ? "local" : o->t->ifname);
	/* UDP and the rest end in ". "; FortiOS's ICMP form has no space. */
	if (ports && is_icmp(p)) {
		logbuf_printf(&o->lb, ". type=%u, code=%u, id=%u, seq=%u.",
			      dport >> 8, dport & 0xffu, sport, p->icmp_seq);
	} else {
		logbuf_puts(&o->lb, ". ");
		if (ports && p->proto == 6) {
			tcp_flags(&o->lb, p->tcp_flags);
			logbuf_printf(&o->lb, ", seq %u, ack %u, win %u",
				      p->seq, p->ack, p->win);
		}
	}
	line_end(o);
}

static void route(struct trace_out *o, bool local)
{
	const struct li_pkt *p = o->t->pkt;

	line_start(o, TM_ROUTE);
	logbuf_printf(&o->lb, "find a route: flag=%s gw-",
		      local ? "84000000" : "04000000");
	logbuf_ip(&o->lb, p->family, p->daddr);
	logbuf_puts(&o->lb, " via ");
	if (local)
		logbuf_escaped(&o->lb, o->t->vd ? o->t->vd : "root");
	else
		logbuf_escaped(&o->lb, o->t->ifname);
	line_end(o);
}

static void fragment(struct trace_out *o)
{
	const struct li_pkt *p = o->t->pkt;

	line_start(o, TM_FRAG);
	if (o->t->verdict->frag_hit)
		logbuf_printf(
			&o->lb,
			"non-first fragment id=%u, verdict of its first fragment",
			p->frag_id);
	else
		logbuf_printf(
			&o->lb,
			"non-first fragment id=%u, first fragment not seen, ports unknown",
			p->frag_id);
	line_end(o);
}

static void esp(struct trace_out *o, bool known)
{
	const struct li_pkt *p = o->t->pkt;

	line_start(o, known ? TM_ESP_OK : TM_ESP_UNKNOWN);
	if (o->t->verdict->reason == LI_R_ESP_UNVERIFIED) {
		logbuf_printf(
			&o->lb,
			"ESP packet SPI=%08x seq=%08x matches no known SA yet; its source may use an SA localin has not read (its IKE just let through, its SA source down, or no daemon keeping the table), accept",
			p->spi, p->seq);
		line_end(o);
		return;
	}
	if (known && o->t->verdict->reason == LI_R_ESP_WRONG_PEER) {
		logbuf_printf(&o->lb, "ESP packet SPI=%08x seq=%08x matches %s",
			      p->spi, p->seq,
			      o->t->tunnel ? "an SA of tunnel " : "a live SA");
		if (o->t->tunnel)
			logbuf_escaped(&o->lb, o->t->tunnel);
		logbuf_puts(&o->lb, " but its source is not the SA's peer, ");
		logbuf_puts(&o->lb, o->t->verdict->drop ? "drop" : "accept");
		line_end(o);
		return;
	}
	if (known)
		logbuf_printf(&o->lb, "ESP packet SPI=%08x seq=%08x matches %s",
			      p->spi, p->seq,
			      o->t->tunnel ? "an SA of tunnel " : "a live SA");
	else
		logbuf_printf(
			&o->lb,
			"Received ESP packet with unknown SPI. SPI=%08x seq=%08x",
			p->spi, p->seq);
	if (o->t->tunnel && !known)
		logbuf_puts(&o->lb, ", peer of tunnel ");
	if (o->t->tunnel)
		logbuf_escaped(&o->lb, o->t->tunnel);
	logbuf_puts(&o->lb, known ? ", accept" : ", drop");
	line_end(o);
}

/*
 * Before the policy check, as FortiOS: the session this first packet
 * allocates (also when the check then drops it), or the one it belongs
 * to. Returns true when that session decides (no policy check follows).
 */
static bool session(struct trace_out *o)
{
	const struct li_verdict *v = o->t->verdict;

	if (v->sess == LI_VS_ORIG || v->sess == LI_VS_REPLY ||
	    v->sess == LI_VS_RECHECK) {
		line_start(o, TM_SESS_FOUND);
		logbuf_printf(&o->lb, "Find an existing session, id-%08x, %s",
			      v->sess_id,
			      v->sess == LI_VS_REPLY ? "reply direction" :
						       "original direction");
		line_end(o);
		return v->sess != LI_VS_RECHECK;
	}
	if (v->sess_id) {
		line_start(o, TM_SESS_NEW);
		logbuf_printf(&o->lb,
			      "allocate a new session-%08x, tun_id=0.0.0.0",
			      v->sess_id);
		line_end(o);
	}
	return false;
}

/*
 * `show iprope`: the check of the local-in policy group as FortiOS
 * traces it (fortios-reference.md 5.3): the group, the policy that
 * matched (the data path finds it at once, so no others are listed),
 * the group's result. There is no kernel function to name: check-0.
 */
static void iprope(struct trace_out *o)
{
	const struct li_verdict *v = o->t->verdict;
	bool matched = v->reason == LI_R_POLICY;
	const char *act = v->drop ? "drop" : "accept";

	line_start(o, TM_IPROPE_IN);
	logbuf_puts(&o->lb, "in-[");
	logbuf_escaped(&o->lb, o->t->ifname);
	logbuf_puts(&o->lb, "], out-[], skb_flags-02000001, vid-0");
	line_end(o);
	line_start(o, TM_IPROPE_GROUP);
	logbuf_puts(&o->lb, "gnum-100001, check-0000000000000000");
	line_end(o);
	if (matched) {
		line_start(o, TM_IPROPE_ONE);
		logbuf_printf(
			&o->lb,
			"checked gnum-100001 policy-%u, ret-matched, act-%s",
			v->policy_id, act);
		line_end(o);
		line_start(o, TM_IPROPE_MATCHED);
		logbuf_printf(&o->lb, "policy-%u is matched, act-%s",
			      v->policy_id, act);
		line_end(o);
	}
	line_start(o, TM_IPROPE_RESULT);
	logbuf_printf(
		&o->lb,
		"gnum-100001 check result: ret-%s, act-%s, flag-00000000, flag2-00000000",
		matched ? "matched" : "no-match", act);
	line_end(o);
}

static void decision(struct trace_out *o)
{
	const struct li_verdict *v = o->t->verdict;

	if (o->t->iprope)
		iprope(o);

	if (v->drop) {
		/* FortiOS's text, also for the implicit policy 0. */
		line_start(o, TM_DENY);
		logbuf_printf(
			&o->lb,
			"iprope_in_check() check failed on policy %u, drop",
			v->policy_id);
	} else if (v->reason == LI_R_POLICY) {
		line_start(o, TM_ACCEPT);
		logbuf_printf(&o->lb,
			      "iprope_in_check() matched policy %u, accept",
			      v->policy_id);
	} else {
		line_start(o, TM_IMPLICIT);
		logbuf_puts(
			&o->lb,
			"iprope_in_check() no local-in policy matched, implicit accept (policy 0)");
	}
	line_end(o);
}

static void trace_packet(struct trace_out *o)
{
	const struct li_pkt *p = o->t->pkt;
	const struct li_verdict *v = o->t->verdict;

	received(o);
	if (v->reason == LI_R_MALFORMED) {
		line_start(o, TM_MALFORMED);
		logbuf_printf(&o->lb, "malformed packet: %s, drop",
			      flow_trace_malformed_text(p->malformed));
		line_end(o);
		return;
	}
	if (p->family != 4 && p->family != 6)
		return;
	if (o->t->local_out) {
		line_start(o, TM_LOCAL_OUT);
		logbuf_puts(
			&o->lb,
			"sent by this host: its session lets the replies in without a local-in check");
		line_end(o);
		return;
	}
	if (session(o))
		return;
	/* Neighbour discovery is for this host, but not the policies'. */
	route(o, v->reason != LI_R_NONLOCAL || li_pkt_is_nd(p));
	if (v->reason == LI_R_NONLOCAL) {
		line_start(o, TM_NONLOCAL);
		logbuf_puts(
			&o->lb,
			li_pkt_is_nd(p) ?
				"IPv6 neighbour or multicast listener discovery, as ARP: no local-in check, pass" :
				"not for this host: destination is not a local address, no local-in check, pass");
		line_end(o);
		return;
	}
	if (p->flags & LI_PKT_FRAG_LATER)
		fragment(o);
	if (v->reason == LI_R_ESP_OK || v->reason == LI_R_ESP_UNKNOWN_SPI ||
	    v->reason == LI_R_ESP_WRONG_PEER ||
	    v->reason == LI_R_ESP_UNVERIFIED)
		esp(o, v->reason != LI_R_ESP_UNKNOWN_SPI);
	else
		decision(o);
}

int flow_trace_format(char *buf, size_t size, const struct flow_trace_pkt *t)
{
	struct trace_out o;
	struct logbuf stamp;
	struct tm tm;

	o.t = t;
	o.stamp[0] = '\0';
	if (t->timestamp) {
		if (log_local_time(t->time_ns, &tm))
			return -EINVAL;
		logbuf_init(&stamp, o.stamp, sizeof(o.stamp));
		logbuf_date(&stamp, &tm);
		logbuf_puts(&stamp, " ");
		logbuf_time(&stamp, &tm);
		logbuf_puts(&stamp, " ");
		if (logbuf_result(&stamp) < 0)
			return -EINVAL;
	}
	logbuf_init(&o.lb, buf, size);
	trace_packet(&o);
	if (o.lb.overflow && size)
		buf[0] = '\0';
	return logbuf_result(&o.lb);
}

int flow_trace_print(FILE *f, const struct flow_trace_pkt *t)
{
	char buf[FLOW_TRACE_MAX];
	int len = flow_trace_format(buf, sizeof(buf), t);

	if (len < 0)
		return len;
	return fwrite(buf, 1, (size_t)len, f) == (size_t)len ? 0 : -EIO;
}
