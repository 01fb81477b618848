// SPDX-License-Identifier: GPL-2.0
/*
 * FortiOS log lines; see logfmt.h for the contract and src/log/README.md
 * for the choices made where the reference is silent.
 */
#include <errno.h>
#include <stdio.h>

#include "util/logbuf.h"
#include "log/logfmt.h"

#define IPPROTO_ICMP_ 1
#define IPPROTO_ICMPV6_ 58

const char *log_proto_name(__u8 proto)
{
	switch (proto) {
	case 1:
		return "icmp";
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 47:
		return "gre";
	case 50:
		return "esp";
	case 51:
		return "ah";
	case 58:
		return "icmp6";
	case 132:
		return "sctp";
	}
	return NULL;
}

/*
 * A decimal number, and 8 hex digits: the fields of every line, without
 * printf's format parsing (a line took some 17k instructions with it).
 */
static void put_u64(struct logbuf *lb, unsigned long long v)
{
	char b[24], *p = b + sizeof(b);

	*--p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	logbuf_puts(lb, p);
}

static void put_x08(struct logbuf *lb, __u32 v)
{
	static const char hex[] = "0123456789abcdef";
	char b[9];
	int i;

	for (i = 7; i >= 0; i--, v >>= 4)
		b[i] = hex[v & 15];
	b[8] = '\0';
	logbuf_puts(lb, b);
}

static bool is_icmp(const struct li_pkt *pkt)
{
	return pkt->proto == IPPROTO_ICMP_ || pkt->proto == IPPROTO_ICMPV6_;
}

/* TCP, UDP and SCTP carry ports; ESP-in-UDP is UDP here (proto 17). */
static bool has_ports(const struct li_pkt *pkt)
{
	return (pkt->flags & LI_PKT_PORTS) && !is_icmp(pkt);
}

int log_service_name(char *buf, size_t size, const struct li_pkt *pkt)
{
	const char *name = log_proto_name(pkt->proto);
	struct logbuf lb;

	logbuf_init(&lb, buf, size);
	if (is_icmp(pkt) && (pkt->flags & LI_PKT_PORTS)) {
		/* FortiOS wrote service="icmp/0/8" for an echo request. */
		logbuf_puts(&lb, name);
		logbuf_puts(&lb, "/");
		put_u64(&lb, pkt->dport & 0xffu);
		logbuf_puts(&lb, "/");
		put_u64(&lb, (unsigned int)pkt->dport >> 8);
	} else if (name && has_ports(pkt)) {
		logbuf_puts(&lb, name);
		logbuf_puts(&lb, "/");
		put_u64(&lb, pkt->dport);
	} else if (name) {
		logbuf_puts(&lb, name);
	} else {
		logbuf_puts(&lb, "ip/");
		put_u64(&lb, pkt->proto);
	}
	return logbuf_result(&lb);
}

static const char *ctx_vd(const struct log_ctx *ctx)
{
	return ctx->vd ? ctx->vd : "root";
}

/*
 * date time devname devid eventtime tz logid type subtype level vd: the
 * header of FortiOS 7.x lines as sent to syslog (6.x put eventtime and tz
 * after vd; 7.x moved them up).
 */
static int log_header(struct logbuf *lb, const struct log_ctx *ctx,
		      __u64 time_ns, const char *logid, const char *type,
		      const char *subtype, const char *level)
{
	struct tm tm;

	if (log_local_time(time_ns, &tm))
		return -EINVAL;
	logbuf_puts(lb, "date=");
	logbuf_date(lb, &tm);
	logbuf_puts(lb, " time=");
	logbuf_time(lb, &tm);
	if (ctx->devname) {
		logbuf_puts(lb, " devname=");
		logbuf_quoted(lb, ctx->devname);
	}
	if (ctx->devid) {
		logbuf_puts(lb, " devid=");
		logbuf_quoted(lb, ctx->devid);
	}
	logbuf_puts(lb, " eventtime=");
	put_u64(lb, time_ns);
	logbuf_puts(lb, " tz=\"");
	logbuf_tzoff(lb, &tm);
	logbuf_puts(lb, "\" logid=\"");
	logbuf_puts(lb, logid);
	logbuf_puts(lb, "\" type=\"");
	logbuf_puts(lb, type);
	logbuf_puts(lb, "\" subtype=\"");
	logbuf_puts(lb, subtype);
	logbuf_puts(lb, "\" level=\"");
	logbuf_puts(lb, level);
	logbuf_puts(lb, "\" vd=");
	logbuf_quoted(lb, ctx_vd(ctx));
	return 0;
}

static bool ip_family_ok(const struct li_pkt *pkt)
{
	return pkt->family == 4 || pkt->family == 6;
}

int log_format_traffic(char *buf, size_t size, const struct log_ctx *ctx,
		       const struct log_event *ev)
{
	const struct li_pkt *pkt = ev->pkt;
	const struct li_verdict *v = ev->verdict;
	char service[32];
	struct logbuf lb;
	int err;

	logbuf_init(&lb, buf, size);
	if (!ip_family_ok(pkt))
		return -EINVAL;
	err = log_header(&lb, ctx, ev->time_ns, "0001000014", "traffic",
			 "local", "notice");
	if (err)
		return err;

	logbuf_puts(&lb, " srcip=");
	logbuf_ip(&lb, pkt->family, pkt->saddr);
	/*
	 * FortiOS logs ICMP with identifier= (the echo id) where the ports
	 * would be, and no dstport; protocols without ports get neither.
	 */
	if (is_icmp(pkt)) {
		logbuf_puts(&lb, " identifier=");
		put_u64(&lb, pkt->flags & LI_PKT_PORTS ? pkt->sport : 0);
	} else if (has_ports(pkt)) {
		logbuf_puts(&lb, " srcport=");
		put_u64(&lb, pkt->sport);
	}
	logbuf_puts(&lb, " srcintf=");
	logbuf_quoted(&lb, ev->intf);
	/* The interface's `set role`, as FortiOS writes it (lan, wan, dmz). */
	logbuf_puts(&lb, " srcintfrole=");
	logbuf_quoted(&lb, ev->intf_role ? ev->intf_role : "undefined");
	logbuf_puts(&lb, " dstip=");
	logbuf_ip(&lb, pkt->family, pkt->daddr);
	if (has_ports(pkt)) {
		logbuf_puts(&lb, " dstport=");
		put_u64(&lb, pkt->dport);
	}
	/* Local-in traffic ends in the VDOM itself: dstintf is its name. */
	logbuf_puts(&lb, " dstintf=");
	logbuf_quoted(&lb, ctx_vd(ctx));
	logbuf_puts(&lb, " dstintfrole=\"undefined\" sessionid=");
	put_u64(&lb, ev->sessionid);
	logbuf_puts(&lb, " proto=");
	put_u64(&lb, pkt->proto);
	logbuf_puts(&lb, " action=\"");
	logbuf_puts(&lb, ev->end ? ev->end->action :
			 v->drop ? "deny" :
				   "accept");
	logbuf_puts(&lb, "\" policyid=");
	put_u64(&lb, v->policy_id);
	logbuf_puts(&lb, " policytype=\"");
	logbuf_puts(&lb,
		    pkt->family == 6 ? "local-in-policy6" : "local-in-policy");
	logbuf_puts(&lb, "\" service=");
	if (ev->service) {
		logbuf_quoted(&lb, ev->service);
	} else {
		if (log_service_name(service, sizeof(service), pkt) < 0)
			return -EINVAL;
		logbuf_quoted(&lb, service);
	}
	if (ev->end) {
		logbuf_puts(&lb, " trandisp=\"noop\" duration=");
		put_u64(&lb, ev->end->duration_s);
		logbuf_puts(&lb, " sentbyte=");
		put_u64(&lb, ev->end->sentbyte);
		logbuf_puts(&lb, " rcvdbyte=");
		put_u64(&lb, ev->end->rcvdbyte);
		logbuf_puts(&lb, " sentpkt=");
		put_u64(&lb, ev->end->sentpkt);
		logbuf_puts(&lb, " rcvdpkt=");
		put_u64(&lb, ev->end->rcvdpkt);
	} else
		logbuf_puts(
			&lb,
			" trandisp=\"noop\" duration=0 sentbyte=0 rcvdbyte=0 sentpkt=0 rcvdpkt=0");
	/*
	 * A 7.6 unicast deny ends with msg="Connection Failed"; the captured
	 * broadcast denies have no msg, so neither do ours.
	 */
	if (v->drop && !v->bcast)
		logbuf_puts(&lb, " msg=\"Connection Failed\"");
	return logbuf_result(&lb);
}

int log_format_esp_error(char *buf, size_t size, const struct log_ctx *ctx,
			 const struct log_event *ev)
{
	const struct li_pkt *pkt = ev->pkt;
	unsigned int remport = 0, locport = 0;
	struct logbuf lb;
	bool peer;
	int err;

	logbuf_init(&lb, buf, size);
	if (!ip_family_ok(pkt))
		return -EINVAL;
	err = log_header(&lb, ctx, ev->time_ns, "0101037131", "event", "vpn",
			 "error");
	if (err)
		return err;

	/*
	 * ESP-in-UDP has real ports. Raw ESP has none: FortiOS printed
	 * locport=500 and a remport that matches nothing on the wire, which
	 * would send an admin looking for UDP traffic that never existed, so
	 * we write 0 for both.
	 */
	if ((pkt->flags & LI_PKT_ESP_UDP) && (pkt->flags & LI_PKT_PORTS)) {
		remport = pkt->sport;
		locport = pkt->dport;
	}
	logbuf_puts(
		&lb,
		" logdesc=\"IPsec ESP\" msg=\"IPsec ESP\" action=\"error\" remip=");
	logbuf_ip(&lb, pkt->family, pkt->saddr);
	logbuf_puts(&lb, " locip=");
	logbuf_ip(&lb, pkt->family, pkt->daddr);
	logbuf_puts(&lb, " remport=");
	put_u64(&lb, remport);
	logbuf_puts(&lb, " locport=");
	put_u64(&lb, locport);
	logbuf_puts(&lb, " outintf=");
	logbuf_quoted(&lb, ev->intf);
	logbuf_puts(
		&lb,
		" cookies=\"N/A\" user=\"N/A\" group=\"N/A\" useralt=\"N/A\" xauthuser=\"N/A\" xauthgroup=\"N/A\" assignip=N/A vpntunnel=");
	logbuf_quoted(&lb, ev->tunnel ? ev->tunnel : "N/A");
	peer = ev->verdict && ev->verdict->reason == LI_R_ESP_WRONG_PEER;
	/*
	 * A live SPI from another address than the SA's peer has no FortiOS
	 * message of its own; it is an ESP error of the same logid (filters
	 * on 0101037131 keep working) with its own error_num.
	 */
	logbuf_puts(&lb, " status=\"esp_error\" error_num=\"");
	logbuf_puts(
		&lb,
		peer ? "Received ESP packet with a live SPI from an unexpected peer." :
		       "Received ESP packet with unknown SPI.");
	logbuf_puts(&lb, "\" spi=\"");
	put_x08(&lb, pkt->spi);
	logbuf_puts(&lb, "\" seq=\"");
	put_x08(&lb, pkt->seq);
	logbuf_puts(&lb, "\" fctuid=\"N/A\" advpnsc=0");
	if (peer) {
		logbuf_puts(&lb, " peerip=");
		if (ev->peer_family)
			logbuf_ip(&lb, ev->peer_family, ev->peer);
		else
			logbuf_puts(&lb, "N/A");
		logbuf_puts(&lb, ev->verdict->drop ? " esp_action=\"drop\"" :
						     " esp_action=\"accept\"");
	} else if (ev->verdict && ev->verdict->reason == LI_R_ESP_UNVERIFIED) {
		/* passed unverified, no SA had it after (daemon/unverified.c) */
		logbuf_puts(&lb, " esp_action=\"accept\"");
	}
	return logbuf_result(&lb);
}
