// SPDX-License-Identifier: GPL-2.0
/*
 * FortiOS log lines and log rate limits: exact lines for every kind,
 * IPv4 and IPv6, quoting, time zones (TZ set here, as main does from the
 * config), and token buckets driven by synthetic time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "util/logbuf.h"
#include "log/logevent.h"
#include "log/logfmt.h"
#include "log/ratelimit.h"

#define NS 1000000000ull
/* 2024-01-15 12:34:56.123456789 UTC and 2024-07-15 12:34:56 UTC */
#define WINTER (1705322096ull * NS + 123456789ull)
#define SUMMER (1721046896ull * NS + 5ull)

static void set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static void set_addr(__u32 a[4], int family, const char *text)
{
	memset(a, 0, 16);
	assert_int_equal(inet_pton(family == 6 ? AF_INET6 : AF_INET, text, a),
			 1);
}

static struct li_pkt pkt_of(int family, __u8 proto, const char *src,
			    __u16 sport, const char *dst, __u16 dport)
{
	struct li_pkt p;

	memset(&p, 0, sizeof(p));
	p.family = (__u8)family;
	p.proto = proto;
	p.flags = LI_PKT_PORTS;
	set_addr(p.saddr, family, src);
	set_addr(p.daddr, family, dst);
	p.sport = sport;
	p.dport = dport;
	return p;
}

static const struct log_ctx ctx = { "gw-1", "FGVM01TM00000001", "root" };

static void check_traffic(const struct log_ctx *c, const struct li_pkt *p,
			  const struct li_verdict *v, const char *service,
			  __u64 t, const char *want)
{
	struct log_event ev = { .pkt = p,
				.verdict = v,
				.intf = "wan1",
				.service = service,
				.time_ns = t,
				.sessionid = 42 };
	char buf[LOG_LINE_MAX];
	int len;

	len = log_format_traffic(buf, sizeof(buf), c, &ev);
	assert_string_equal(buf, want);
	assert_int_equal(len, strlen(want));
}

static void test_traffic_deny_v4(void **state)
{
	struct li_pkt p =
		pkt_of(4, 17, "203.0.113.5", 500, "198.51.100.1", 500);
	struct li_verdict v = { 1, LI_R_POLICY, 0, 0, 1, 0, 0, 0, 0, 0, { 0 } };

	(void)state;
	set_tz("Europe/Berlin");
	check_traffic(
		&ctx, &p, &v, "IKE", WINTER,
		"date=2024-01-15 time=13:34:56 devname=\"gw-1\" devid=\"FGVM01TM00000001\" eventtime=1705322096123456789 tz=\"+0100\" logid=\"0001000014\" type=\"traffic\" subtype=\"local\" level=\"notice\" vd=\"root\" srcip=203.0.113.5 srcport=500 srcintf=\"wan1\" srcintfrole=\"undefined\" dstip=198.51.100.1 dstport=500 dstintf=\"root\" dstintfrole=\"undefined\" sessionid=42 proto=17 action=\"deny\" policyid=1 policytype=\"local-in-policy\" service=\"IKE\" trandisp=\"noop\" duration=0 sentbyte=0 rcvdbyte=0 sentpkt=0 rcvdpkt=0 msg=\"Connection Failed\"");
}

static void test_traffic_accept_unnamed_service(void **state)
{
	struct li_pkt p =
		pkt_of(4, 17, "192.0.2.7", 4500, "198.51.100.1", 4500);
	struct li_verdict v = {
		0, LI_R_IMPLICIT, 0, 0, 0, -1, 0, 0, 0, 0, { 0 }
	};

	(void)state;
	set_tz("UTC");
	check_traffic(
		&ctx, &p, &v, NULL, WINTER,
		"date=2024-01-15 time=12:34:56 devname=\"gw-1\" devid=\"FGVM01TM00000001\" eventtime=1705322096123456789 tz=\"+0000\" logid=\"0001000014\" type=\"traffic\" subtype=\"local\" level=\"notice\" vd=\"root\" srcip=192.0.2.7 srcport=4500 srcintf=\"wan1\" srcintfrole=\"undefined\" dstip=198.51.100.1 dstport=4500 dstintf=\"root\" dstintfrole=\"undefined\" sessionid=42 proto=17 action=\"accept\" policyid=0 policytype=\"local-in-policy\" service=\"udp/4500\" trandisp=\"noop\" duration=0 sentbyte=0 rcvdbyte=0 sentpkt=0 rcvdpkt=0");
}

/*
 * srcintfrole= is the arrival interface's `set role` (FortiOS writes
 * "wan" for an interface with `set role wan`; log rules filter on it).
 */
static void test_traffic_intf_role(void **state)
{
	struct li_pkt p =
		pkt_of(4, 17, "203.0.113.5", 500, "198.51.100.1", 500);
	struct li_verdict v = { 1, LI_R_POLICY, 0, 0, 1, 0, 0, 0, 0, 0, { 0 } };
	struct log_event ev = { .pkt = &p,
				.verdict = &v,
				.intf = "wan1",
				.intf_role = "wan",
				.service = "IKE",
				.time_ns = WINTER,
				.sessionid = 42 };
	char buf[LOG_LINE_MAX];

	(void)state;
	set_tz("UTC");
	assert_true(log_format_traffic(buf, sizeof(buf), &ctx, &ev) > 0);
	assert_non_null(strstr(
		buf,
		" srcintf=\"wan1\" srcintfrole=\"wan\" dstip=198.51.100.1 "));
	/* the destination is the gateway itself: its role stays undefined */
	assert_non_null(
		strstr(buf, " dstintf=\"root\" dstintfrole=\"undefined\" "));
}

/*
 * An SSH session a policy accepted, closed by both FINs: its one line at
 * its end, from the originator's side (the remote sent 4 packets).
 */
static void test_session_end(void **state)
{
	struct li_sess_key k = {
		.family = 4, .proto = 6, .lport = 22, .rport = 5555
	};
	struct li_sess s = {
		.first_ns = WINTER - 2 * NS,
		.last_ns = WINTER,
		.bytes = { 170, 80 },
		.pkts = { 4, 2 },
		.id = 7,
		.policy_id = 1,
		.policy_idx = 0,
		.origin = LI_SESS_IN,
		.tcp = LI_SESS_FIN_IN | LI_SESS_FIN_OUT,
		.flags = LI_SESS_LOG,
	};
	struct log_sess_end se = { .k = &k,
				   .s = &s,
				   .ifname = "wan1",
				   .start_ns = WINTER - 2 * NS,
				   .end_ns = WINTER + NS };
	__u32 la[4], ra[4];
	struct log_emitter e;
	char buf[LOG_LINE_MAX];
	int n;

	(void)state;
	set_tz("UTC");
	set_addr(la, 4, "198.51.100.1");
	set_addr(ra, 4, "192.0.2.10");
	li_sess_key_set_addrs(&k, la, ra);
	assert_int_equal(log_emitter_init(&e, NULL), 0);
	e.ctx = ctx;
	n = log_emit_session_end(&e, &se, buf, sizeof(buf));
	assert_true(n > 0);
	assert_string_equal(
		buf,
		"date=2024-01-15 time=12:34:57 devname=\"gw-1\" devid=\"FGVM01TM00000001\" eventtime=1705322097123456789 tz=\"+0000\" logid=\"0001000014\" type=\"traffic\" subtype=\"local\" level=\"notice\" vd=\"root\" srcip=192.0.2.10 srcport=5555 srcintf=\"wan1\" srcintfrole=\"undefined\" dstip=198.51.100.1 dstport=22 dstintf=\"root\" dstintfrole=\"undefined\" sessionid=7 proto=6 action=\"close\" policyid=1 policytype=\"local-in-policy\" service=\"tcp/22\" trandisp=\"noop\" duration=3 sentbyte=170 rcvdbyte=80 sentpkt=4 rcvdpkt=2");
	/* The ways a session ends, in FortiOS's words. */
	s.tcp = LI_SESS_RST_IN;
	assert_string_equal(log_sess_action(&k, &s), "client-rst");
	s.tcp = LI_SESS_RST_OUT;
	assert_string_equal(log_sess_action(&k, &s), "server-rst");
	s.tcp = 0;
	assert_string_equal(log_sess_action(&k, &s), "timeout");
	s.flags |= LI_SESS_CUT;
	assert_string_equal(log_sess_action(&k, &s), "deny");
	k.proto = 17;
	s.flags = LI_SESS_LOG;
	assert_string_equal(log_sess_action(&k, &s), "accept");
	/*
	 * Found by a sweep 6 s after its end, with a line of the same
	 * source logged meanwhile: asked at its end the rate limit saw a
	 * burst (an earlier time mints nothing) and refused the line; at
	 * the time it is written it has room.
	 */
	assert_true(
		rl_allow(&e.rl, RL_TRAFFIC_ACCEPT, 4, ra, se.end_ns + 5 * NS));
	assert_int_equal(log_emit_session_end(&e, &se, buf, sizeof(buf)), 0);
	se.write_ns = se.end_ns + 6 * NS;
	assert_true(log_emit_session_end(&e, &se, buf, sizeof(buf)) > 0);
	/* Not asked for, or the gateway's own: no line. */
	s.flags = 0;
	assert_int_equal(log_emit_session_end(&e, &se, buf, sizeof(buf)), 0);
	s.flags = LI_SESS_LOG;
	s.origin = LI_SESS_OUT;
	assert_int_equal(log_emit_session_end(&e, &se, buf, sizeof(buf)), 0);
	log_emitter_release(&e);
}

static void test_traffic_v6(void **state)
{
	struct li_pkt p =
		pkt_of(6, 6, "2001:db8:1::10", 50123, "2001:db8::1", 22);
	struct li_verdict v = { 1, LI_R_POLICY, 0, 0, 7, 2, 0, 0, 0, 0, { 0 } };

	(void)state;
	set_tz("America/Los_Angeles");
	check_traffic(
		&ctx, &p, &v, NULL, SUMMER,
		"date=2024-07-15 time=05:34:56 devname=\"gw-1\" devid=\"FGVM01TM00000001\" eventtime=1721046896000000005 tz=\"-0700\" logid=\"0001000014\" type=\"traffic\" subtype=\"local\" level=\"notice\" vd=\"root\" srcip=2001:db8:1::10 srcport=50123 srcintf=\"wan1\" srcintfrole=\"undefined\" dstip=2001:db8::1 dstport=22 dstintf=\"root\" dstintfrole=\"undefined\" sessionid=42 proto=6 action=\"deny\" policyid=7 policytype=\"local-in-policy6\" service=\"tcp/22\" trandisp=\"noop\" duration=0 sentbyte=0 rcvdbyte=0 sentpkt=0 rcvdpkt=0 msg=\"Connection Failed\"");
}

/* ICMP: identifier= (echo id) where the ports would be, no dstport. */
static void test_traffic_icmp(void **state)
{
	struct li_pkt p =
		pkt_of(4, 1, "192.0.2.9", 2280, "198.51.100.1", 8 << 8);
	struct li_verdict v = { 1, LI_R_POLICY, 0, 0, 3, 0, 0, 0, 0, 0, { 0 } };

	(void)state;
	set_tz("UTC");
	check_traffic(
		&ctx, &p, &v, NULL, WINTER,
		"date=2024-01-15 time=12:34:56 devname=\"gw-1\" devid=\"FGVM01TM00000001\" eventtime=1705322096123456789 tz=\"+0000\" logid=\"0001000014\" type=\"traffic\" subtype=\"local\" level=\"notice\" vd=\"root\" srcip=192.0.2.9 identifier=2280 srcintf=\"wan1\" srcintfrole=\"undefined\" dstip=198.51.100.1 dstintf=\"root\" dstintfrole=\"undefined\" sessionid=42 proto=1 action=\"deny\" policyid=3 policytype=\"local-in-policy\" service=\"icmp/0/8\" trandisp=\"noop\" duration=0 sentbyte=0 rcvdbyte=0 sentpkt=0 rcvdpkt=0 msg=\"Connection Failed\"");
}

/* Raw ESP through the policies (detect-unknown-esp disable): no ports. */
static void test_traffic_esp_no_ports_bcast(void **state)
{
	struct li_pkt p = pkt_of(4, 50, "192.0.2.9", 0, "198.51.100.255", 0);
	struct li_verdict v = { 1, LI_R_POLICY, 1, 0, 4, 0, 0, 0, 0, 0, { 0 } };
	struct log_ctx bare = { NULL, NULL, NULL };

	(void)state;
	p.flags = LI_PKT_ESP;
	set_tz("UTC");
	check_traffic(
		&bare, &p, &v, NULL, WINTER,
		"date=2024-01-15 time=12:34:56 eventtime=1705322096123456789 tz=\"+0000\" logid=\"0001000014\" type=\"traffic\" subtype=\"local\" level=\"notice\" vd=\"root\" srcip=192.0.2.9 srcintf=\"wan1\" srcintfrole=\"undefined\" dstip=198.51.100.255 dstintf=\"root\" dstintfrole=\"undefined\" sessionid=42 proto=50 action=\"deny\" policyid=4 policytype=\"local-in-policy\" service=\"esp\" trandisp=\"noop\" duration=0 sentbyte=0 rcvdbyte=0 sentpkt=0 rcvdpkt=0");
}

static void test_quoting(void **state)
{
	struct li_pkt p = pkt_of(4, 17, "192.0.2.7", 500, "198.51.100.1", 500);
	struct li_verdict v = { 0, LI_R_POLICY, 0, 0, 2, 1, 0, 0, 0, 0, { 0 } };
	struct log_ctx c = { "gw \"north\"\\1", "id\n", "vd\"x" };
	struct log_event ev = { .pkt = &p,
				.verdict = &v,
				.intf = "wan\"1",
				.service = "My \"IKE\"",
				.time_ns = WINTER,
				.sessionid = 1 };
	char buf[LOG_LINE_MAX];

	(void)state;
	set_tz("UTC");
	assert_true(log_format_traffic(buf, sizeof(buf), &c, &ev) > 0);
	assert_non_null(strstr(
		buf, " devname=\"gw \\\"north\\\"\\\\1\" devid=\"id\\x0a\" "));
	assert_non_null(strstr(buf, " vd=\"vd\\\"x\" srcip="));
	assert_non_null(strstr(buf, " srcintf=\"wan\\\"1\" "));
	assert_non_null(strstr(buf, " dstintf=\"vd\\\"x\" "));
	assert_non_null(strstr(buf, " service=\"My \\\"IKE\\\"\" "));
}

static void test_service_names(void **state)
{
	struct li_pkt p = pkt_of(4, 6, "192.0.2.7", 1, "198.51.100.1", 22);
	char buf[32];

	(void)state;
	assert_int_equal(log_service_name(buf, sizeof(buf), &p), 6);
	assert_string_equal(buf, "tcp/22");
	p.proto = 103;
	log_service_name(buf, sizeof(buf), &p);
	assert_string_equal(buf, "ip/103");
	p.proto = 17;
	p.flags = LI_PKT_FRAG | LI_PKT_FRAG_LATER; /* ports unknown */
	log_service_name(buf, sizeof(buf), &p);
	assert_string_equal(buf, "udp");
	p.proto = 58;
	p.flags = LI_PKT_PORTS;
	p.dport = 128 << 8;
	log_service_name(buf, sizeof(buf), &p);
	assert_string_equal(buf, "icmp6/0/128");
	p.proto = 132;
	p.dport = 2905;
	log_service_name(buf, sizeof(buf), &p);
	assert_string_equal(buf, "sctp/2905");
	assert_int_equal(log_service_name(buf, 4, &p), -ENOSPC);
}

static void check_esp(const struct li_pkt *p, const char *tunnel,
		      const char *want)
{
	struct log_event ev = {
		.pkt = p, .intf = "wan1", .tunnel = tunnel, .time_ns = WINTER
	};
	char buf[LOG_LINE_MAX];
	int len;

	len = log_format_esp_error(buf, sizeof(buf), &ctx, &ev);
	assert_string_equal(buf, want);
	assert_int_equal(len, strlen(want));
}

static void test_esp_raw_v4(void **state)
{
	struct li_pkt p = pkt_of(4, 50, "203.0.113.66", 0, "198.51.100.1", 0);

	(void)state;
	p.flags = LI_PKT_ESP;
	p.spi = 0x2c65ad60;
	p.seq = 7;
	set_tz("Europe/Berlin");
	check_esp(
		&p, NULL,
		"date=2024-01-15 time=13:34:56 devname=\"gw-1\" devid=\"FGVM01TM00000001\" eventtime=1705322096123456789 tz=\"+0100\" logid=\"0101037131\" type=\"event\" subtype=\"vpn\" level=\"error\" vd=\"root\" logdesc=\"IPsec ESP\" msg=\"IPsec ESP\" action=\"error\" remip=203.0.113.66 locip=198.51.100.1 remport=0 locport=0 outintf=\"wan1\" cookies=\"N/A\" user=\"N/A\" group=\"N/A\" useralt=\"N/A\" xauthuser=\"N/A\" xauthgroup=\"N/A\" assignip=N/A vpntunnel=\"N/A\" status=\"esp_error\" error_num=\"Received ESP packet with unknown SPI.\" spi=\"2c65ad60\" seq=\"00000007\" fctuid=\"N/A\" advpnsc=0");
}

static void test_esp_udp_v6_tunnel(void **state)
{
	struct li_pkt p =
		pkt_of(6, 17, "2001:db8:9::2", 61234, "2001:db8::1", 4500);

	(void)state;
	p.flags |= LI_PKT_ESP | LI_PKT_ESP_UDP;
	p.spi = 0xdeadbeef;
	p.seq = 0x10000;
	set_tz("Asia/Kathmandu");
	check_esp(
		&p, "to-branch",
		"date=2024-01-15 time=18:19:56 devname=\"gw-1\" devid=\"FGVM01TM00000001\" eventtime=1705322096123456789 tz=\"+0545\" logid=\"0101037131\" type=\"event\" subtype=\"vpn\" level=\"error\" vd=\"root\" logdesc=\"IPsec ESP\" msg=\"IPsec ESP\" action=\"error\" remip=2001:db8:9::2 locip=2001:db8::1 remport=61234 locport=4500 outintf=\"wan1\" cookies=\"N/A\" user=\"N/A\" group=\"N/A\" useralt=\"N/A\" xauthuser=\"N/A\" xauthgroup=\"N/A\" assignip=N/A vpntunnel=\"to-branch\" status=\"esp_error\" error_num=\"Received ESP packet with unknown SPI.\" spi=\"deadbeef\" seq=\"00010000\" fctuid=\"N/A\" advpnsc=0");
}

/*
 * ESP that passed unverified and whose SPI no SA had later
 * (daemon/unverified.c): the unknown SPI's line, saying it passed.
 */
static void test_esp_unverified(void **state)
{
	struct li_pkt p = pkt_of(4, 50, "192.0.2.4", 0, "198.51.100.1", 0);
	struct li_verdict v = { .drop = LI_PASS,
				.reason = LI_R_ESP_UNVERIFIED };
	struct log_event ev = {
		.pkt = &p, .verdict = &v, .intf = "wan1", .time_ns = WINTER
	};
	char buf[LOG_LINE_MAX];

	(void)state;
	p.flags = LI_PKT_ESP;
	p.spi = 0xc0ffee0c;
	p.seq = 1;
	set_tz("UTC");
	assert_true(log_format_esp_error(buf, sizeof(buf), &ctx, &ev) > 0);
	assert_non_null(strstr(
		buf,
		" status=\"esp_error\" error_num=\"Received ESP packet with unknown SPI.\" spi=\"c0ffee0c\" seq=\"00000001\" fctuid=\"N/A\" advpnsc=0 esp_action=\"accept\""));
	assert_null(strstr(buf, "peerip="));
	/* an unknown SPI the data path dropped says nothing of an action */
	v.drop = LI_DROP;
	v.reason = LI_R_ESP_UNKNOWN_SPI;
	assert_true(log_format_esp_error(buf, sizeof(buf), &ctx, &ev) > 0);
	assert_null(strstr(buf, "esp_action"));
}

/* The header alone, in several zones and on both sides of DST. */
static void check_header(const char *tz, __u64 t, const char *want)
{
	struct li_pkt p = pkt_of(4, 17, "192.0.2.1", 1, "192.0.2.2", 2);
	struct li_verdict v = {
		0, LI_R_IMPLICIT, 0, 0, 0, -1, 0, 0, 0, 0, { 0 }
	};
	struct log_event ev = { .pkt = &p,
				.verdict = &v,
				.intf = "wan1",
				.time_ns = t,
				.sessionid = 1 };
	struct log_ctx c = { NULL, NULL, NULL };
	char buf[LOG_LINE_MAX];

	set_tz(tz);
	assert_true(log_format_traffic(buf, sizeof(buf), &c, &ev) > 0);
	assert_true(strlen(buf) > strlen(want));
	buf[strlen(want)] = '\0';
	assert_string_equal(buf, want);
}

static void test_time_zones(void **state)
{
	(void)state;
	check_header(
		"Europe/Berlin", WINTER,
		"date=2024-01-15 time=13:34:56 eventtime=1705322096123456789 tz=\"+0100\"");
	check_header(
		"Europe/Berlin", SUMMER,
		"date=2024-07-15 time=14:34:56 eventtime=1721046896000000005 tz=\"+0200\"");
	check_header(
		"America/Los_Angeles", WINTER,
		"date=2024-01-15 time=04:34:56 eventtime=1705322096123456789 tz=\"-0800\"");
	check_header(
		"America/Los_Angeles", SUMMER,
		"date=2024-07-15 time=05:34:56 eventtime=1721046896000000005 tz=\"-0700\"");
	check_header(
		"UTC", SUMMER,
		"date=2024-07-15 time=12:34:56 eventtime=1721046896000000005 tz=\"+0000\"");
	/* 23:30 UTC is already tomorrow in Berlin. */
	check_header(
		"Europe/Berlin", 1705361400ull * NS,
		"date=2024-01-16 time=00:30:00 eventtime=1705361400000000000 tz=\"+0100\"");
	/* POSIX zone strings work too: what `set timezone` maps to. */
	check_header(
		"<-0330>3:30", WINTER,
		"date=2024-01-15 time=09:04:56 eventtime=1705322096123456789 tz=\"-0330\"");
}

static void test_nospc_and_einval(void **state)
{
	struct li_pkt p = pkt_of(4, 50, "203.0.113.66", 0, "198.51.100.1", 0);
	struct log_event ev = { .pkt = &p, .intf = "wan1", .time_ns = WINTER };
	char buf[LOG_LINE_MAX];
	int len;

	(void)state;
	set_tz("UTC");
	len = log_format_esp_error(buf, sizeof(buf), &ctx, &ev);
	assert_true(len > 0);
	/* Exactly enough room (the NUL included) fits; one byte less not. */
	assert_int_equal(log_format_esp_error(buf, (size_t)len + 1, &ctx, &ev),
			 len);
	assert_int_equal(log_format_esp_error(buf, (size_t)len, &ctx, &ev),
			 -ENOSPC);
	assert_int_equal(log_format_esp_error(buf, 10, &ctx, &ev), -ENOSPC);
	assert_int_equal(log_format_esp_error(NULL, 0, &ctx, &ev), -ENOSPC);
	p.family = 0;
	assert_int_equal(log_format_esp_error(buf, sizeof(buf), &ctx, &ev),
			 -EINVAL);
}

/* ---- rate limits ---- */

static struct rl_conf conf_of(__u32 addr_burst, __u64 addr_iv, __u32 kind_burst,
			      __u64 kind_iv, __u32 size)
{
	struct rl_conf c;
	int k;

	memset(&c, 0, sizeof(c));
	for (k = 0; k < RL_NR_KINDS; k++) {
		c.addr[k] = (struct rl_rate){ addr_burst, addr_iv };
		c.kind[k] = (struct rl_rate){ kind_burst, kind_iv };
	}
	c.table_size = size;
	return c;
}

static const __u32 *v4(__u32 a[4], const char *text)
{
	set_addr(a, 4, text);
	return a;
}

static const __u32 *v6(__u32 a[4], const char *text)
{
	set_addr(a, 6, text);
	return a;
}

static int allowed(struct ratelimit *rl, enum rl_kind k, int fam,
		   const __u32 *a, __u64 t, int n)
{
	int i, ok = 0;

	for (i = 0; i < n; i++)
		ok += rl_allow(rl, k, fam, a, t);
	return ok;
}

static void test_rl_defaults(void **state)
{
	struct rl_conf c;
	struct ratelimit rl;
	__u32 a[4];

	(void)state;
	rl_conf_default(&c);
	assert_int_equal(c.addr[RL_ESP_ERROR].burst, 5);
	assert_int_equal(c.addr[RL_ESP_ERROR].interval_ns, NS);
	assert_int_equal(c.kind[RL_TRAFFIC_DENY].burst, 100);
	assert_int_equal(c.kind[RL_TRAFFIC_DENY].interval_ns, NS / 10);
	assert_int_equal(c.kind[RL_TRAFFIC_ACCEPT].interval_ns, NS / 50);
	assert_int_equal(c.table_size, 4096);
	assert_int_equal(rl_init(&rl, NULL), 0);
	assert_int_equal(
		allowed(&rl, RL_ESP_ERROR, 4, v4(a, "192.0.2.1"), NS, 100), 5);
	assert_int_equal(rl_emitted(&rl, RL_ESP_ERROR), 5);
	assert_int_equal(rl_suppressed(&rl, RL_ESP_ERROR), 95);
	rl_release(&rl);
	assert_string_equal(rl_kind_name(RL_TRAFFIC_DENY), "traffic-deny");
	assert_string_equal(rl_kind_name(RL_TRAFFIC_ACCEPT), "traffic-accept");
	assert_string_equal(rl_kind_name(RL_ESP_ERROR), "esp-error");
}

static void test_rl_burst_and_refill(void **state)
{
	struct rl_conf c = conf_of(5, NS, 0, 0, 16);
	__u64 t = 1000 * NS;
	struct ratelimit rl;
	__u32 a[4];

	(void)state;
	assert_int_equal(rl_init(&rl, &c), 0);
	v4(a, "203.0.113.5");
	assert_int_equal(allowed(&rl, RL_TRAFFIC_DENY, 4, a, t, 7), 5);
	/* Just before one interval: still empty; at one interval: one token. */
	assert_false(rl_allow(&rl, RL_TRAFFIC_DENY, 4, a, t + NS - 1));
	assert_int_equal(allowed(&rl, RL_TRAFFIC_DENY, 4, a, t + NS, 3), 1);
	/* A long pause refills up to the burst, not beyond. */
	assert_int_equal(allowed(&rl, RL_TRAFFIC_DENY, 4, a, t + 100 * NS, 20),
			 5);
	/* Steady one per second: all pass. */
	assert_int_equal(allowed(&rl, RL_TRAFFIC_DENY, 4, a, t + 101 * NS, 1),
			 1);
	assert_int_equal(allowed(&rl, RL_TRAFFIC_DENY, 4, a, t + 102 * NS, 1),
			 1);
	assert_int_equal(rl_emitted(&rl, RL_TRAFFIC_DENY), 13);
	assert_int_equal(rl_suppressed(&rl, RL_TRAFFIC_DENY), 20);
	rl_release(&rl);
}

static void test_rl_per_address_independent(void **state)
{
	struct rl_conf c = conf_of(2, NS, 0, 0, 16);
	struct ratelimit rl;
	__u32 a[4], b[4], x[4], y[4];

	(void)state;
	assert_int_equal(rl_init(&rl, &c), 0);
	v4(a, "192.0.2.1");
	v4(b, "192.0.2.2");
	assert_int_equal(allowed(&rl, RL_ESP_ERROR, 4, a, NS, 5), 2);
	assert_int_equal(allowed(&rl, RL_ESP_ERROR, 4, b, NS, 5), 2);
	/* Another kind from the same address has its own bucket. */
	assert_int_equal(allowed(&rl, RL_TRAFFIC_DENY, 4, a, NS, 5), 2);
	/* IPv6: one bucket per /64. */
	v6(x, "2001:db8:1:2::1");
	v6(y, "2001:db8:1:2:ffff::9");
	assert_int_equal(allowed(&rl, RL_ESP_ERROR, 6, x, NS, 1), 1);
	assert_int_equal(allowed(&rl, RL_ESP_ERROR, 6, y, NS, 5), 1);
	v6(y, "2001:db8:1:3::1");
	assert_int_equal(allowed(&rl, RL_ESP_ERROR, 6, y, NS, 5), 2);
	/* The IPv4 address 32.1.13.184 is not the IPv6 2001:db8:: prefix. */
	v4(a, "32.1.13.184");
	assert_int_equal(allowed(&rl, RL_ESP_ERROR, 4, a, NS, 5), 2);
	/* No remote address: the kind bucket only (unlimited here). */
	assert_int_equal(allowed(&rl, RL_ESP_ERROR, 0, NULL, NS, 50), 50);
	rl_release(&rl);
}

static void test_rl_kind_bucket_caps_many_sources(void **state)
{
	struct rl_conf c = conf_of(5, NS, 10, NS / 10, 64);
	struct ratelimit rl;
	__u32 a[4];
	int i, ok = 0;

	(void)state;
	assert_int_equal(rl_init(&rl, &c), 0);
	for (i = 0; i < 40; i++) {
		memset(a, 0, sizeof(a));
		a[0] = htonl(0xc6336400u + (__u32)i);
		ok += rl_allow(&rl, RL_TRAFFIC_DENY, 4, a, NS);
	}
	assert_int_equal(ok, 10);
	/* Other kinds are not affected. */
	assert_true(rl_allow(&rl, RL_ESP_ERROR, 4, a, NS));
	/* 0.5 s later: five more tokens for the kind. */
	for (i = 0, ok = 0; i < 40; i++) {
		a[0] = htonl(0xc6336400u + (__u32)i);
		ok += rl_allow(&rl, RL_TRAFFIC_DENY, 4, a, NS + NS / 2);
	}
	assert_int_equal(ok, 5);
	assert_int_equal(rl_emitted(&rl, RL_TRAFFIC_DENY), 15);
	assert_int_equal(rl_suppressed(&rl, RL_TRAFFIC_DENY), 65);
	rl_release(&rl);
}

/* A line the address bucket refuses does not drain the shared budget. */
static void test_rl_refusal_takes_no_token(void **state)
{
	struct rl_conf c = conf_of(1, 3600 * NS, 3, 3600 * NS, 16);
	struct ratelimit rl;
	__u32 a[4], b[4];

	(void)state;
	assert_int_equal(rl_init(&rl, &c), 0);
	v4(a, "192.0.2.1");
	v4(b, "192.0.2.2");
	assert_int_equal(allowed(&rl, RL_ESP_ERROR, 4, a, NS, 1000), 1);
	assert_true(rl_allow(&rl, RL_ESP_ERROR, 4, b, NS));
	v4(b, "192.0.2.3");
	assert_true(rl_allow(&rl, RL_ESP_ERROR, 4, b, NS));
	v4(b, "192.0.2.4");
	assert_false(rl_allow(&rl, RL_ESP_ERROR, 4, b, NS)); /* kind: 3 used */
	rl_release(&rl);
}

static void test_rl_eviction_keeps_counts(void **state)
{
	struct rl_conf c = conf_of(1, 3600 * NS, 0, 0, 2);
	struct ratelimit rl;
	__u32 a[4], b[4], x[4];
	__u64 total;
	int i;

	(void)state;
	assert_int_equal(rl_init(&rl, &c), 0);
	v4(a, "192.0.2.1");
	v4(b, "192.0.2.2");
	v4(x, "192.0.2.3");
	assert_true(rl_allow(&rl, RL_ESP_ERROR, 4, a, NS));
	assert_true(rl_allow(&rl, RL_ESP_ERROR, 4, b, NS));
	assert_false(rl_allow(&rl, RL_ESP_ERROR, 4, a, NS)); /* a most recent */
	/* Table full: x evicts the least recently used, b, not a. */
	assert_true(rl_allow(&rl, RL_ESP_ERROR, 4, x, NS));
	assert_int_equal(rl_evictions(&rl), 1);
	assert_false(rl_allow(&rl, RL_ESP_ERROR, 4, a, NS));
	assert_true(rl_allow(&rl, RL_ESP_ERROR, 4, b, NS)); /* fresh bucket */
	/* Cycling three addresses through two buckets: every line counted. */
	for (i = 0; i < 300; i++)
		rl_allow(&rl, RL_ESP_ERROR, 4, i % 3 ? (i % 3 == 1 ? a : b) : x,
			 NS);
	total = rl_emitted(&rl, RL_ESP_ERROR) +
		rl_suppressed(&rl, RL_ESP_ERROR);
	assert_int_equal(total, 306);
	assert_true(rl_evictions(&rl) > 100);
	rl_release(&rl);
}

static void test_rl_time_backwards_and_extremes(void **state)
{
	struct rl_conf c = conf_of(2, NS, 0, 0, 8);
	struct ratelimit rl;
	__u32 a[4];

	(void)state;
	assert_int_equal(rl_init(&rl, &c), 0);
	v4(a, "192.0.2.1");
	assert_int_equal(allowed(&rl, RL_ESP_ERROR, 4, a, 100 * NS, 2), 2);
	/* An earlier timestamp (reordered capture) mints nothing. */
	assert_false(rl_allow(&rl, RL_ESP_ERROR, 4, a, 50 * NS));
	assert_false(rl_allow(&rl, RL_ESP_ERROR, 4, a, 0));
	assert_true(rl_allow(&rl, RL_ESP_ERROR, 4, a, 101 * NS));
	/* The end of time neither overflows nor wraps. */
	assert_int_equal(allowed(&rl, RL_ESP_ERROR, 4, a, ~0ull, 5), 2);
	assert_false(rl_allow(&rl, RL_ESP_ERROR, 4, a, ~0ull));
	rl_release(&rl);

	/* burst 0: never; interval 0: unlimited; huge burst * interval. */
	c = conf_of(0, NS, 0, 0, 8);
	assert_int_equal(rl_init(&rl, &c), 0);
	assert_false(rl_allow(&rl, RL_ESP_ERROR, 4, a, NS));
	rl_release(&rl);
	c = conf_of(0xffffffffu, 3600 * NS, 0, 0, 8);
	assert_int_equal(rl_init(&rl, &c), 0);
	assert_int_equal(allowed(&rl, RL_ESP_ERROR, 4, a, NS, 1000), 1000);
	rl_release(&rl);
	/* An interval beyond the cap still allows the first line, once. */
	c = conf_of(3, ~0ull, 0, 0, 8);
	assert_int_equal(rl_init(&rl, &c), 0);
	assert_int_equal(allowed(&rl, RL_ESP_ERROR, 4, a, NS, 3), 1);
	rl_release(&rl);
	c = conf_of(0, 0, 0, 0, 8);
	assert_int_equal(rl_init(&rl, &c), 0);
	assert_int_equal(allowed(&rl, RL_ESP_ERROR, 4, a, NS, 1000), 1000);
	assert_false(rl_allow(&rl, RL_NR_KINDS, 4, a, NS));
	rl_release(&rl);

	c.table_size = 0;
	assert_int_equal(rl_init(&rl, &c), -EINVAL);
	rl_release(&rl);
	c.table_size = RL_MAX_TABLE_SIZE + 1;
	assert_int_equal(rl_init(&rl, &c), -EINVAL);
	rl_release(&rl);
}

/*
 * The wall clock set back by hours (NTP at boot, `date -s`), as the
 * daemon tells its emitter: the buckets move back with it, as full or as
 * empty as they were, and refill at their rates from there, not shut
 * until the clock is back where it was.
 */
static void test_rl_clock_set_back(void **state)
{
	const __u64 t = 1790000000ull * NS, back = t - 3 * 3600 * NS;
	const __s64 off = (__s64)t - 1000 * (__s64)NS;
	struct rl_conf c = conf_of(5, NS, 10, NS / 10, 64);
	struct log_emitter e;
	struct ratelimit *rl = &e.rl;
	__u32 a[4], b[4];
	char text[32];
	int i;

	(void)state;
	assert_int_equal(log_emitter_init(&e, &c), 0);
	log_emitter_clock(&e, off);
	v4(a, "192.0.2.1");
	/* A flood empties the kind bucket, a's too. */
	for (i = 0; i < 50; i++) {
		snprintf(text, sizeof(text), "198.51.100.%d", i + 1);
		rl_allow(rl, RL_TRAFFIC_DENY, 4, v4(b, text), t);
	}
	assert_int_equal(allowed(rl, RL_TRAFFIC_DENY, 4, a, t + NS, 10), 5);
	/* A second's jitter of the offset is no step. */
	log_emitter_clock(&e, off + (__s64)NS / 2);
	log_emitter_clock(&e, off);
	/* Set back: a's bucket is as empty as it was, the kind's too ... */
	log_emitter_clock(&e, off - (__s64)(t - back));
	assert_int_equal(allowed(rl, RL_TRAFFIC_DENY, 4, a, back + NS, 10), 0);
	v4(b, "203.0.113.9");
	assert_int_equal(allowed(rl, RL_TRAFFIC_DENY, 4, b, back + NS, 10), 5);
	/* ... and refill at their rates, not three hours later. */
	assert_int_equal(allowed(rl, RL_TRAFFIC_DENY, 4, a, back + 2 * NS, 10),
			 1);
	assert_int_equal(allowed(rl, RL_TRAFFIC_DENY, 4, b, back + 3 * NS, 10),
			 2);
	/* Set forward again: as they were, not refilled by the step. */
	log_emitter_clock(&e, off);
	assert_int_equal(allowed(rl, RL_TRAFFIC_DENY, 4, b, t + 3 * NS, 10), 0);
	log_emitter_release(&e);
}

/*
 * A line seconds behind the others (a session's end line, found by the
 * sweep a while after its timeout) is no clock step: it mints nothing.
 */
static void test_rl_straggler_mints_nothing(void **state)
{
	const __u64 t = 1790000000ull * NS;
	struct rl_conf c = conf_of(0, 0, 10, NS / 10, 64);
	struct ratelimit rl;

	(void)state;
	assert_int_equal(rl_init(&rl, &c), 0);
	assert_int_equal(allowed(&rl, RL_TRAFFIC_ACCEPT, 0, NULL, t, 20), 10);
	assert_int_equal(
		allowed(&rl, RL_TRAFFIC_ACCEPT, 0, NULL, t - 5 * NS, 5), 0);
	assert_int_equal(allowed(&rl, RL_TRAFFIC_ACCEPT, 0, NULL, t, 5), 0);
	rl_release(&rl);
}

/*
 * The daemon's events come from several CPUs: a straggler less than a
 * second behind gets its predecessor's time; a larger step back is the
 * clock set back, taken as it is.
 */
static void test_emitter_time_never_goes_back(void **state)
{
	const __u64 s = 100 * NS, ms = NS / 1000;
	const __u64 t[][2] = {
		/* in, out */
		{ s, s },
		{ s - 5 * ms, s },
		{ s, s },
		{ s + 1, s + 1 },
		{ s - 999 * ms, s + 1 },
		{ s + 2 * NS, s + 2 * NS },
		{ s + 2 * NS - 1, s + 2 * NS },
		{ s - 50 * NS, s - 50 * NS },
		{ s - 50 * NS + 1, s - 50 * NS + 1 },
		{ ~0ull, ~0ull },
		{ ~0ull - 1, ~0ull },
		{ 5, 5 },
	};
	struct log_emitter e;
	size_t i;

	(void)state;
	assert_int_equal(log_emitter_init(&e, NULL), 0);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_true(log_emitter_time(&e, t[i][0]) == t[i][1]);
	log_emitter_release(&e);
}

/* Text for a person: control characters as in log lines, quotes as they are. */
static void test_escaped_for_people(void **state)
{
	const char text[] = "a\"b\\c\td\x1b[2J\x7f\ne";
	char buf[64], *mem = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_string_equal(log_escaped(buf, sizeof(buf), text),
			    "a\"b\\c\td\\x1b[2J\\x7f\\x0ae");
	/* Cut short, never past the buffer. */
	assert_string_equal(log_escaped(buf, 9, "abcd\x1b[2J"), "abcd\\x1b");
	assert_string_equal(log_escaped(buf, 8, "abcd\x1b[2J"), "abcd");
	f = open_memstream(&mem, &len);
	assert_non_null(f);
	log_fputs_escaped(f, text, sizeof(text) - 1, true);
	log_fputs_escaped(f, "\0\n", 2, false);
	fclose(f);
	assert_string_equal(mem, "a\"b\\c\td\\x1b[2J\\x7f\ne\\x00\\x0a");
	free(mem);
	assert_int_equal(log_escaped_width('a'), 1);
	assert_int_equal(log_escaped_width(0x1b), 4);
	assert_int_equal(log_escaped_width(0x7f), 4);
}

static void test_rl_summary(void **state)
{
	struct rl_conf c = conf_of(1, 3600 * NS, 0, 0, 8);
	char buf[256];
	struct ratelimit rl;
	__u32 a[4];

	(void)state;
	assert_int_equal(rl_init(&rl, &c), 0);
	v4(a, "192.0.2.1");
	assert_int_equal(rl_summary(&rl, buf, sizeof(buf)),
			 strlen("log rate limit: suppressed 0 lines"));
	assert_string_equal(buf, "log rate limit: suppressed 0 lines");
	assert_int_equal(rl_summary_pending(&rl, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");

	allowed(&rl, RL_TRAFFIC_DENY, 4, a, NS, 13);
	allowed(&rl, RL_ESP_ERROR, 4, a, NS, 1235);
	allowed(&rl, RL_TRAFFIC_ACCEPT, 4, a, NS, 2);
	rl_summary(&rl, buf, sizeof(buf));
	assert_string_equal(
		buf,
		"log rate limit: suppressed 1234 esp-error lines, 12 traffic-deny lines, 1 traffic-accept line");
	/* Pending: only what is new since the last report. */
	assert_int_equal(rl_summary_pending(&rl, buf, 20), -ENOSPC);
	assert_true(rl_summary_pending(&rl, buf, sizeof(buf)) > 0);
	assert_string_equal(
		buf,
		"log rate limit: suppressed 1234 esp-error lines, 12 traffic-deny lines, 1 traffic-accept line");
	assert_int_equal(rl_summary_pending(&rl, buf, sizeof(buf)), 0);
	allowed(&rl, RL_TRAFFIC_DENY, 4, a, NS, 12);
	rl_summary_pending(&rl, buf, sizeof(buf));
	assert_string_equal(buf,
			    "log rate limit: suppressed 12 traffic-deny lines");
	/* Ties keep the fixed kind order. */
	rl_summary(&rl, buf, sizeof(buf));
	assert_string_equal(
		buf,
		"log rate limit: suppressed 1234 esp-error lines, 24 traffic-deny lines, 1 traffic-accept line");
	assert_int_equal(rl_summary(&rl, buf, 30), -ENOSPC);
	rl_release(&rl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_traffic_deny_v4),
		cmocka_unit_test(test_traffic_accept_unnamed_service),
		cmocka_unit_test(test_traffic_intf_role),
		cmocka_unit_test(test_session_end),
		cmocka_unit_test(test_traffic_v6),
		cmocka_unit_test(test_traffic_icmp),
		cmocka_unit_test(test_traffic_esp_no_ports_bcast),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_service_names),
		cmocka_unit_test(test_esp_raw_v4),
		cmocka_unit_test(test_esp_udp_v6_tunnel),
		cmocka_unit_test(test_esp_unverified),
		cmocka_unit_test(test_time_zones),
		cmocka_unit_test(test_nospc_and_einval),
		cmocka_unit_test(test_rl_defaults),
		cmocka_unit_test(test_rl_burst_and_refill),
		cmocka_unit_test(test_rl_per_address_independent),
		cmocka_unit_test(test_rl_kind_bucket_caps_many_sources),
		cmocka_unit_test(test_rl_refusal_takes_no_token),
		cmocka_unit_test(test_rl_eviction_keeps_counts),
		cmocka_unit_test(test_rl_time_backwards_and_extremes),
		cmocka_unit_test(test_rl_clock_set_back),
		cmocka_unit_test(test_rl_straggler_mints_nothing),
		cmocka_unit_test(test_rl_summary),
		cmocka_unit_test(test_emitter_time_never_goes_back),
		cmocka_unit_test(test_escaped_for_people),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
