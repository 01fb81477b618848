/* SPDX-License-Identifier: GPL-2.0 */
/*
 * FortiOS key=value log lines for what the data path decided: the local-in
 * traffic log (logid 0001000014) and the IPsec ESP error event (logid
 * 0101037131), in the field order of FortiOS 7.x captures
 * (fortios-reference.md §6; src/log/README.md says where we deviate and why).
 *
 * Quoting follows FortiOS: string fields in double quotes (with '"' and '\'
 * escaped by a backslash and control characters as \xNN), addresses and
 * numbers bare, logid quoted, date and time bare.
 *
 * Time: date=, time= and tz= are local time through localtime_r(). The
 * caller owns the zone: main sets TZ from `config system global` /
 * `set timezone` (or leaves the system zone) and calls tzset() once before
 * the first line; these functions never touch the environment, so they stay
 * pure and thread-safe. eventtime= is the event's nanoseconds since the epoch.
 *
 * Every formatter writes one line without a newline into @buf (always NUL
 * terminated when @size > 0) and returns its length, or -ENOSPC when it
 * does not fit (never a truncated line), or -EINVAL for a packet that is
 * not IPv4/IPv6.
 */
#ifndef LOCALIN_LOG_LOGFMT_H
#define LOCALIN_LOG_LOGFMT_H

#include <stddef.h>

#include "dataplane/packet.h"

/* Enough for any line whose names are at most 63 bytes, even fully escaped. */
#define LOG_LINE_MAX 4096

struct log_ctx {
	const char *devname; /* system global hostname; NULL: field omitted */
	const char *devid;   /* serial-like id; NULL: field omitted */
	const char *vd;	     /* VDOM name; NULL: "root" */
};

/* How a session ended and what it carried (traffic logs at its end). */
struct log_sess_stats {
	const char *action; /* "accept", "close", "timeout", ... */
	__u64 duration_s;
	__u64 sentbyte, rcvdbyte; /* from / to its originator */
	__u64 sentpkt, rcvdpkt;
};

/* One decision of the data path, as the log formatters need it. */
struct log_event {
	const struct li_pkt *pkt;
	const struct li_verdict *verdict; /* traffic log: action, policyid */
	const char *intf;    /* arrival interface (srcintf=, outintf=) */
	const char *service; /* traffic: service name; NULL: "udp/500" form */
	/* the arrival interface's `set role` (srcintfrole=); NULL: undefined */
	const char *intf_role;
	const char *tunnel; /* ESP: tunnel name if known; NULL: "N/A" */
	int peer_family;    /* ESP wrong peer: the SA's peer, if known */
	const __u32 *peer;
	__u64 time_ns;	 /* event time, ns since the epoch */
	__u64 sessionid; /* traffic: session id number */
	/* traffic: the session's end (NULL: a decision, all counters 0) */
	const struct log_sess_stats *end;
};

/*
 * Local-in traffic log, logid 0001000014:
 * date time devname devid eventtime tz logid type subtype level vd srcip
 * srcport srcintf srcintfrole dstip dstport dstintf dstintfrole sessionid
 * proto action policyid policytype service trandisp duration sentbyte
 * rcvdbyte sentpkt rcvdpkt [msg]. ICMP prints identifier= (the echo id)
 * instead of srcport/dstport; protocols without ports print neither;
 * IPv6 says policytype="local-in-policy6"; a unicast deny ends with
 * msg="Connection Failed".
 */
int log_format_traffic(char *buf, size_t size, const struct log_ctx *ctx,
		       const struct log_event *ev);

/*
 * IPsec ESP error, logid 0101037131 ("Received ESP packet with unknown
 * SPI."): ... logdesc msg action remip locip remport locport outintf
 * cookies user group useralt xauthuser xauthgroup assignip vpntunnel status
 * error_num spi seq fctuid advpnsc. ESP-in-UDP gives the UDP ports; raw ESP
 * has none, so remport=0 locport=0.
 */
int log_format_esp_error(char *buf, size_t size, const struct log_ctx *ctx,
			 const struct log_event *ev);

/*
 * The service= text FortiOS writes when no named service matched:
 * "udp/500", "tcp/22", "icmp/0/8" (code/type, as captured), "esp" for a
 * protocol without ports, "ip/103" for a protocol we have no name for.
 */
int log_service_name(char *buf, size_t size, const struct li_pkt *pkt);

/* Lowercase protocol name ("udp", "esp", ...) or NULL when we have none. */
const char *log_proto_name(__u8 proto);

#endif
