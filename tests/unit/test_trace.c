// SPDX-License-Identifier: GPL-2.0
/*
 * `diagnose debug flow`: filter words as an admin types them (and the
 * errors they get), matching over IPv4/IPv6/ICMP/ESP facts, the trace
 * budget, and the exact trace lines of every decision.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "conf/diag.h"
#include "trace/filter.h"
#include "trace/flowtrace.h"

#define NS 1000000000ull
/* 2022-11-30 18:16:43 UTC */
#define T0 (1669832203ull * NS + 500)

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

/*
 * Apply one filter command given as a space-separated line; its errors go
 * to @dl (arena @a), as config errors do.
 */
static int cmd(struct flow_filter *f, const char *line, struct diag_list *dl,
	       struct arena *a)
{
	char copy[256], *save = NULL, *w;
	const char *argv[8];
	int argc = 0;

	arena_init(a);
	diag_init(dl, a);
	snprintf(copy, sizeof(copy), "%s", line);
	for (w = strtok_r(copy, " ", &save); w && argc < 8;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	return flow_filter_apply(f, argc, argv, NULL, dl);
}

static void ok(struct flow_filter *f, const char *line)
{
	struct diag_list dl;
	struct arena a;

	if (cmd(f, line, &dl, &a))
		fail_msg("\"%s\": %s", line,
			 dl.nr ? dl.items[0].msg : "(no message)");
	assert_int_equal(dl.nr, 0);
	arena_free(&a);
}

static void bad(struct flow_filter *f, const char *line, const char *want)
{
	struct flow_filter before = *f;
	struct diag_list dl;
	struct arena a;

	assert_int_equal(cmd(f, line, &dl, &a), -EINVAL);
	/* One error, on the same list as config errors, without a place. */
	assert_int_equal(dl.errors, 1);
	assert_int_equal(dl.nr, 1);
	assert_int_equal(dl.items[0].level, DIAG_ERROR);
	assert_null(dl.items[0].loc.src);
	assert_string_equal(dl.items[0].msg, want);
	arena_free(&a);
	/* A failed command leaves the filter as it was. */
	assert_memory_equal(f, &before, sizeof(before));
}

static void check_format(const struct flow_filter *f, const char *want)
{
	char buf[1024];

	assert_int_equal(flow_filter_format(f, buf, sizeof(buf)), strlen(want));
	assert_string_equal(buf, want);
}

static void test_filter_format_default(void **state)
{
	struct flow_filter f;

	(void)state;
	flow_filter_init(&f);
	check_format(&f, "        vf: any\n"
			 "        proto: any\n"
			 "        Host addr: any\n"
			 "        Host saddr: any\n"
			 "        Host daddr: any\n"
			 "        port: any\n"
			 "        sport: any\n"
			 "        dport: any\n");
}

static void test_filter_format_set(void **state)
{
	struct flow_filter f;
	char small[16];

	(void)state;
	flow_filter_init(&f);
	ok(&f, "addr 10.1.1.1");
	ok(&f, "saddr 2001:db8::1 2001:db8::ff");
	ok(&f, "negate saddr");
	ok(&f, "dport 500");
	ok(&f, "port 4500 4510");
	ok(&f, "proto 17");
	ok(&f, "vd-name root");
	check_format(&f,
		     "        vf: 0\n"
		     "        proto: 17\n"
		     "        host addr: 10.1.1.1-10.1.1.1\n"
		     "        host saddr: 2001:db8::1-2001:db8::ff (negate)\n"
		     "        Host daddr: any\n"
		     "        port: 4500-4510\n"
		     "        sport: any\n"
		     "        dport: 500-500\n");
	assert_int_equal(flow_filter_format(&f, small, sizeof(small)), -ENOSPC);
	ok(&f, "clear");
	ok(&f, "vd -1");
	check_format(&f, "        vf: any\n"
			 "        proto: any\n"
			 "        Host addr: any\n"
			 "        Host saddr: any\n"
			 "        Host daddr: any\n"
			 "        port: any\n"
			 "        sport: any\n"
			 "        dport: any\n");
}

static void test_filter_errors(void **state)
{
	struct flow_filter f;

	(void)state;
	flow_filter_init(&f);
	ok(&f, "saddr 192.0.2.1");
	bad(&f, "addr x", "invalid address \"x\"");
	bad(&f, "addr 10.0.0.256", "invalid address \"10.0.0.256\"");
	bad(&f, "daddr 10.0.0.1/24", "invalid address \"10.0.0.1/24\"");
	bad(&f, "addr 10.0.0.9 10.0.0.1",
	    "invalid address range \"10.0.0.9 10.0.0.1\"");
	bad(&f, "addr 10.0.0.1 2001:db8::1",
	    "address range \"10.0.0.1 2001:db8::1\" mixes IPv4 and IPv6");
	bad(&f, "addr", "missing value for \"addr\"");
	bad(&f, "addr 10.0.0.1 10.0.0.2 both", "too many values for \"addr\"");
	bad(&f, "addr 10.0.0.1 2001:db8::1 and",
	    "address pair \"10.0.0.1 2001:db8::1\" mixes IPv4 and IPv6");
	bad(&f, "addr 10.0.0.1 x or", "invalid address \"x\"");
	bad(&f, "port 70000", "invalid port \"70000\" (0 to 65535)");
	bad(&f, "dport -1", "invalid port \"-1\" (0 to 65535)");
	bad(&f, "sport 5OO", "invalid port \"5OO\" (0 to 65535)");
	bad(&f, "port 600 500", "invalid port range \"600 500\"");
	/* the listing's form, typed back: said how a range is typed */
	bad(&f, "dport 500-4500",
	    "invalid port \"500-4500\": a range is two words, \"dport 500 4500\"");
	bad(&f, "negate sport 1-2",
	    "invalid port \"1-2\": a range is two words, \"sport 1 2\"");
	bad(&f, "dport 1-70000", "invalid port \"1-70000\" (0 to 65535)");
	bad(&f, "dport 1 2-3", "invalid port \"2-3\" (0 to 65535)");
	bad(&f, "proto 256",
	    "invalid protocol \"256\": a protocol number, 0 to 255");
	bad(&f, "proto udp",
	    "invalid protocol \"udp\": a protocol number, 0 to 255 (udp is 17)");
	bad(&f, "proto ESP",
	    "invalid protocol \"ESP\": a protocol number, 0 to 255 (esp is 50)");
	bad(&f, "proto 6 17", "too many values for \"proto\"");
	bad(&f, "vd x", "invalid virtual domain index \"x\"");
	bad(&f, "vd-name dmz",
	    "unknown virtual domain \"dmz\" (this one is \"root\")");
	bad(&f, "vd-name", "missing value for \"vd-name\"");
	bad(&f, "host 10.0.0.1", "unknown filter option \"host\"");
	bad(&f, "negate",
	    "negate needs a field: addr, saddr, daddr, port, sport, dport or proto");
	bad(&f, "negate vd",
	    "cannot negate \"vd\": use addr, saddr, daddr, port, sport, dport or proto");
	bad(&f, "negate daddr", "cannot negate \"daddr\": it is not set");
	bad(&f, "negate daddr nope", "invalid address \"nope\"");
	bad(&f, "clear now", "too many values for \"clear\"");
	bad(&f, "", "missing filter option");
}

/* A daemon of VDOM dmz (--vdom dmz): vd-name takes that name, not root. */
static void test_filter_vd_name(void **state)
{
	const char *dmz[] = { "vd-name", "dmz" },
		   *root[] = { "vd-name", "root" };
	struct flow_filter f;
	char err[128];

	(void)state;
	flow_filter_init(&f);
	assert_int_equal(flow_filter_parse(&f, 2, dmz, "dmz", err, sizeof(err)),
			 0);
	assert_int_equal(f.vd, FLOW_VD_ROOT);
	assert_int_equal(
		flow_filter_parse(&f, 2, root, "dmz", err, sizeof(err)),
		-EINVAL);
	assert_string_equal(
		err, "unknown virtual domain \"root\" (this one is \"dmz\")");
}

/* The control socket's form: the error's text in a buffer. */
static void test_filter_errors_text(void **state)
{
	const char *nonsense[] = { "addr", "nonsense" };
	const char *good[] = { "dport", "500" };
	struct flow_filter f;
	char err[128];

	(void)state;
	flow_filter_init(&f);
	assert_int_equal(flow_filter_parse(&f, 0, NULL, NULL, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "missing filter option");
	assert_int_equal(
		flow_filter_parse(&f, 2, nonsense, NULL, err, sizeof(err)),
		-EINVAL);
	assert_string_equal(err, "invalid address \"nonsense\"");
	/* A tiny error buffer is still NUL-terminated. */
	assert_int_equal(flow_filter_parse(&f, 2, nonsense, NULL, err, 8),
			 -EINVAL);
	assert_string_equal(err, "invalid");
	assert_int_equal(flow_filter_parse(&f, 2, good, NULL, err, sizeof(err)),
			 0);
	assert_string_equal(err, "");
	assert_int_equal(f.dport[0], 500);
}

static void test_filter_match_addr(void **state)
{
	struct li_pkt in =
		pkt_of(4, 17, "203.0.113.5", 500, "198.51.100.1", 500);
	struct li_pkt out =
		pkt_of(4, 17, "198.51.100.1", 500, "203.0.113.5", 500);
	struct li_pkt other =
		pkt_of(4, 17, "192.0.2.1", 500, "198.51.100.1", 500);
	struct li_pkt v6 =
		pkt_of(6, 17, "2001:db8::5", 500, "2001:db8::1", 500);
	struct flow_filter f;

	(void)state;
	flow_filter_init(&f);
	assert_true(flow_filter_match(&f, &in));
	assert_true(flow_filter_match(&f, &v6));
	ok(&f, "addr 203.0.113.5");
	assert_true(flow_filter_match(&f, &in));
	assert_true(flow_filter_match(&f, &out));
	assert_false(flow_filter_match(&f, &other));
	assert_false(flow_filter_match(&f, &v6)); /* another family */
	ok(&f, "clear");
	ok(&f, "saddr 203.0.113.0 203.0.113.255");
	assert_true(flow_filter_match(&f, &in));
	assert_false(flow_filter_match(&f, &out));
	ok(&f, "negate saddr");
	assert_false(flow_filter_match(&f, &in));
	assert_true(flow_filter_match(&f, &out));
	assert_true(flow_filter_match(&f, &v6)); /* not in an IPv4 range */
	/* Setting the field again clears its negation. */
	ok(&f, "saddr 203.0.113.5");
	assert_true(flow_filter_match(&f, &in));
	/* negate FIELD VALUE: set and invert in one command. */
	ok(&f, "negate saddr 203.0.113.5");
	assert_false(flow_filter_match(&f, &in));
	assert_true(flow_filter_match(&f, &other));
	ok(&f, "clear");
	ok(&f, "daddr 2001:db8::0 2001:db8::ffff");
	assert_true(flow_filter_match(&f, &v6));
	assert_false(flow_filter_match(&f, &in));
	set_addr(v6.daddr, 6, "2001:db8::1:0");
	assert_false(flow_filter_match(&f, &v6));
	/* Criteria combine with AND. */
	ok(&f, "clear");
	ok(&f, "saddr 203.0.113.5");
	ok(&f, "daddr 198.51.100.1");
	assert_true(flow_filter_match(&f, &in));
	assert_false(flow_filter_match(&f, &other));
	assert_false(flow_filter_match(&f, &out));
}

static void test_filter_match_ports_proto(void **state)
{
	struct li_pkt ike =
		pkt_of(4, 17, "203.0.113.5", 4500, "198.51.100.1", 500);
	struct li_pkt ping =
		pkt_of(4, 1, "203.0.113.5", 2280, "198.51.100.1", 8 << 8);
	struct li_pkt esp = pkt_of(4, 50, "203.0.113.5", 0, "198.51.100.1", 0);
	struct flow_filter f;

	(void)state;
	esp.flags = LI_PKT_ESP;
	esp.sport = 1234; /* not valid without LI_PKT_PORTS: ignored */
	flow_filter_init(&f);
	ok(&f, "dport 500");
	assert_true(flow_filter_match(&f, &ike));
	ok(&f, "dport 4500");
	assert_false(flow_filter_match(&f, &ike));
	ok(&f, "clear");
	ok(&f, "port 4500");
	assert_true(flow_filter_match(&f, &ike)); /* either port */
	ok(&f, "clear");
	ok(&f, "sport 500");
	assert_false(flow_filter_match(&f, &ike));
	ok(&f, "negate sport");
	assert_true(flow_filter_match(&f, &ike));
	/* ICMP ports are what the trace prints: id and type << 8 | code. */
	ok(&f, "clear");
	ok(&f, "dport 2048");
	assert_true(flow_filter_match(&f, &ping));
	ok(&f, "sport 2280");
	assert_true(flow_filter_match(&f, &ping));
	/* ESP has no ports: they are 0. */
	ok(&f, "clear");
	ok(&f, "port 0");
	assert_true(flow_filter_match(&f, &esp));
	assert_false(flow_filter_match(&f, &ike));
	ok(&f, "sport 1234");
	assert_false(flow_filter_match(&f, &esp));
	ok(&f, "clear");
	ok(&f, "proto 50");
	assert_true(flow_filter_match(&f, &esp));
	assert_false(flow_filter_match(&f, &ike));
	ok(&f, "negate proto");
	assert_false(flow_filter_match(&f, &esp));
	assert_true(flow_filter_match(&f, &ping));
	/*
	 * vd: root is index 0, the only one. Another index is refused: it
	 * was taken and matched nothing, a trace that never started.
	 */
	ok(&f, "clear");
	ok(&f, "vd 0");
	assert_true(flow_filter_match(&f, &esp));
	bad(&f, "vd 3",
	    "no virtual domain with index 3: the one here is root (index 0); -1 matches all");
	assert_true(flow_filter_match(&f, &esp));
	ok(&f, "vd -1");
	assert_true(flow_filter_match(&f, &esp));
}

/* One command of `filter` (4) or `filter6` (6); the filter it changed. */
static int cmd2(struct flow_filter *f, int family, const char *line, char *err,
		size_t errlen)
{
	char copy[256], *save = NULL, *w;
	const char *argv[8];
	int argc = 0;

	snprintf(copy, sizeof(copy), "%s", line);
	for (w = strtok_r(copy, " ", &save); w && argc < 8;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	return flow_filters_parse(f, family == 6 ? FLOW_FILTER6 : FLOW_FILTER4,
				  argc, argv, NULL, err, errlen);
}

/*
 * Options and negate's field abbreviated as on FortiOS's CLI: the
 * fewest letters that name one; `add` is 5.x's addr. They were refused
 * as unknown options.
 */
static void test_filter_abbreviations(void **state)
{
	struct flow_filter f[FLOW_NR_FILTERS];
	char err[128];

	(void)state;
	flow_filters_init(f);
	ok(&f[FLOW_FILTER4], "sa 192.0.2.1");
	ok(&f[FLOW_FILTER4], "add 10.0.0.1 10.0.0.9");
	ok(&f[FLOW_FILTER4], "dp 500 501");
	ok(&f[FLOW_FILTER4], "neg dp");
	ok(&f[FLOW_FILTER4], "pr 17");
	ok(&f[FLOW_FILTER4], "v 0");
	check_format(&f[FLOW_FILTER4],
		     "        vf: 0\n"
		     "        proto: 17\n"
		     "        host addr: 10.0.0.1-10.0.0.9\n"
		     "        host saddr: 192.0.2.1-192.0.2.1\n"
		     "        Host daddr: any\n"
		     "        port: any\n"
		     "        sport: any\n"
		     "        dport: 500-501 (negate)\n");
	ok(&f[FLOW_FILTER4], "vd-n root");
	bad(&f[FLOW_FILTER4], "s 10.0.0.1",
	    "ambiguous filter option \"s\" (saddr, sport)");
	bad(&f[FLOW_FILTER4], "p 1",
	    "ambiguous filter option \"p\" (proto, port)");
	bad(&f[FLOW_FILTER4], "negate p",
	    "ambiguous field to negate \"p\" (port, proto)");
	bad(&f[FLOW_FILTER4], "sa", "missing value for \"saddr\"");
	ok(&f[FLOW_FILTER4], "c");
	assert_int_equal(f[FLOW_FILTER4].set, 0);
	/* an abbreviated address command goes to its family's filter too */
	assert_int_equal(cmd2(f, 4, "da 2001:db8::1", err, sizeof(err)),
			 FLOW_FILTER6);
	assert_int_equal(f[FLOW_FILTER6].set, 1u << FF_DADDR);
	assert_int_equal(cmd2(f, 4, "n da", err, sizeof(err)), FLOW_FILTER6);
	assert_int_equal(f[FLOW_FILTER6].negate, 1u << FF_DADDR);
	/* what cuts replay's --trace words into commands */
	assert_true(flow_filter_is_option("sa"));
	assert_true(flow_filter_is_option("s"));
	assert_false(flow_filter_is_option("and"));
	assert_false(flow_filter_is_option("10.0.0.1"));
	assert_string_equal(flow_filter_option("neg"), "negate");
	assert_null(flow_filter_option("d"));
}

/* What flow_filters_echo() tells of command @line of @family's filter. */
static void echo_is(const struct flow_filter *f, int family, int k,
		    const char *line, const char *want)
{
	char copy[256], *save = NULL, *w, buf[512];
	const char *argv[8];
	int argc = 0;

	snprintf(copy, sizeof(copy), "%s", line);
	for (w = strtok_r(copy, " ", &save); w && argc < 8;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	assert_int_equal(
		flow_filters_echo(f, family == 6 ? FLOW_FILTER6 : FLOW_FILTER4,
				  k, argc, argv, buf, sizeof(buf)),
		strlen(want));
	assert_string_equal(buf, want);
}

/*
 * Whether the filters @f trace @pkt; the XDP program's answer (what
 * li_trace_filter holds for them, looked up by the packet's family) is
 * the same.
 */
static bool traced(const struct flow_filter *f, const struct li_pkt *pkt)
{
	struct flow_filter m[FLOW_NR_FILTERS];
	bool host = flow_filters_match(f, pkt);

	li_flow_filters_for_map(f, m);
	assert_int_equal(host,
			 li_flow_filter_match(&m[li_flow_filter_of(pkt)], pkt));
	return host;
}

/*
 * FortiOS's two filters: `filter` selects IPv4 packets, `filter6` IPv6
 * ones; both at once, each cleared and shown on its own. localin had one
 * for both, where `filter6` replaced what `filter` had set.
 */
static void test_filters_per_family(void **state)
{
	struct li_pkt a4 = pkt_of(4, 17, "10.0.0.1", 500, "10.0.0.9", 500),
		      b4 = pkt_of(4, 17, "10.0.0.2", 500, "10.0.0.9", 500),
		      a6 = pkt_of(6, 17, "2001:db8::1", 500, "2001:db8::9",
				  500),
		      b6 = pkt_of(6, 17, "2001:db8::2", 500, "2001:db8::9",
				  500),
		      c6 = pkt_of(6, 17, "2001:db8::3", 500, "2001:db8::9",
				  500),
		      other = { 0 }; /* not IP: the IPv4 filter's */
	struct flow_filter f[FLOW_NR_FILTERS], before[FLOW_NR_FILTERS];
	char err[128], buf[1024];
	int n;

	(void)state;
	flow_filters_init(f);
	assert_int_equal(cmd2(f, 4, "addr 10.0.0.1", err, sizeof(err)),
			 FLOW_FILTER4);
	assert_int_equal(cmd2(f, 6, "saddr 2001:db8::1", err, sizeof(err)),
			 FLOW_FILTER6);
	/* both hold: each family's packets by their own filter */
	assert_true(traced(f, &a4));
	assert_false(traced(f, &b4));
	assert_true(traced(f, &a6));
	assert_false(traced(f, &b6));
	assert_false(traced(f, &other));
	n = flow_filter_format(&f[FLOW_FILTER4], buf, sizeof(buf));
	assert_int_equal(n, strlen(buf));
	assert_non_null(strstr(buf, "host addr: 10.0.0.1-10.0.0.1\n"));
	assert_non_null(strstr(buf, "Host saddr: any\n"));
	flow_filter_format(&f[FLOW_FILTER6], buf, sizeof(buf));
	assert_non_null(strstr(buf, "Host addr: any\n"));
	assert_non_null(strstr(buf, "host saddr: 2001:db8::1-2001:db8::1\n"));
	/* a criterion without an address stays in the filter named */
	assert_int_equal(cmd2(f, 6, "dport 4500", err, sizeof(err)),
			 FLOW_FILTER6);
	assert_false(traced(f, &a6));
	assert_true(traced(f, &a4));
	/*
	 * clear: its own filter only. A family whose filter is not set is
	 * left out while the other's is: `filter6 ...` alone traces IPv6
	 * packets, not every IPv4 one besides; nothing set traces all.
	 */
	assert_int_equal(cmd2(f, 4, "clear", err, sizeof(err)), FLOW_FILTER4);
	assert_false(traced(f, &b4));
	assert_false(traced(f, &other));
	assert_int_equal(f[FLOW_FILTER6].set,
			 (1u << FF_SADDR) | (1u << FF_DPORT));
	assert_int_equal(cmd2(f, 6, "clear", err, sizeof(err)), FLOW_FILTER6);
	assert_true(traced(f, &b6));
	assert_true(traced(f, &b4));
	assert_true(traced(f, &other));
	/*
	 * What scripts typed when the one filter took both: an address goes
	 * to its family's filter, whichever was named, negate too.
	 */
	assert_int_equal(cmd2(f, 4, "addr 2001:db8::1", err, sizeof(err)),
			 FLOW_FILTER6);
	assert_int_equal(f[FLOW_FILTER4].set, 0);
	assert_true(traced(f, &a6));
	assert_false(traced(f, &b6));
	assert_false(traced(f, &a4)); /* as the one filter did */
	assert_int_equal(cmd2(f, 4, "negate addr", err, sizeof(err)),
			 FLOW_FILTER6);
	assert_false(traced(f, &a6));
	assert_true(traced(f, &b6));
	/* ... said as negated there, not as an address set */
	echo_is(f, 4, FLOW_FILTER6, "negate addr",
		"addr: negated in the IPv6 filter, where it is set, which `diagnose debug flow filter6` shows (the IPv4 filter has no addr)\n");
	echo_is(f, 4, FLOW_FILTER6, "addr 2001:db8::1",
		"IPv6 address: set in the IPv6 filter, which `diagnose debug flow filter6` shows (`filter` selects IPv4 packets)\n");
	echo_is(f, 6, FLOW_FILTER4, "negate saddr 10.0.0.1",
		"IPv4 address: set and negated in the IPv4 filter, which `diagnose debug flow filter` shows (`filter6` selects IPv6 packets)\n");
	echo_is(f, 6, FLOW_FILTER6, "negate addr", "");
	echo_is(f, 4, FLOW_FILTER6, "neg a",
		"addr: negated in the IPv6 filter, where it is set, which `diagnose debug flow filter6` shows (the IPv4 filter has no addr)\n");
	/* the IPv4 filter, empty while filter6 is set, traces nothing */
	echo_is(f, 4, FLOW_FILTER4, "clear",
		"no IPv4 packet is traced while the IPv6 filter is set and this one is empty: `diagnose debug flow filter6 clear` clears that one too\n");
	echo_is(f, 6, FLOW_FILTER6, "clear", "");
	echo_is(f, 4, FLOW_FILTER4, "cl",
		"no IPv4 packet is traced while the IPv6 filter is set and this one is empty: `diagnose debug flow filter6 clear` clears that one too\n");
	n = flow_filters_format(f, FLOW_FILTER4, buf, sizeof(buf));
	assert_int_equal(n, strlen(buf));
	assert_non_null(strstr(
		buf,
		"        dport: any\n        (no IPv4 packet is traced: this filter is empty while filter6 is set)\n"));
	assert_int_equal(flow_filters_format(f, FLOW_FILTER4, buf, 200),
			 -ENOSPC);
	n = flow_filters_format(f, FLOW_FILTER6, buf, sizeof(buf));
	assert_int_equal(
		n, flow_filter_format(&f[FLOW_FILTER6], buf, sizeof(buf)));
	assert_int_equal(
		cmd2(f, 6, "daddr 10.0.0.9 10.0.0.10", err, sizeof(err)),
		FLOW_FILTER4);
	assert_true(traced(f, &a4));
	assert_int_equal(
		cmd2(f, 4, "negate saddr 2001:db8::2", err, sizeof(err)),
		FLOW_FILTER6);
	assert_int_equal(f[FLOW_FILTER6].negate,
			 (1u << FF_ADDR) | (1u << FF_SADDR));
	assert_false(traced(f, &a6)); /* not 2001:db8::1, */
	assert_false(traced(f, &b6)); /* nor ::2, as set */
	assert_true(traced(f, &c6));
	/* a failed command changes neither filter, and says why */
	memcpy(before, f, sizeof(f));
	assert_int_equal(cmd2(f, 6, "addr 2001:db8::x", err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "invalid address \"2001:db8::x\"");
	assert_int_equal(cmd2(f, 4, "negate port", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "cannot negate \"port\": it is not set");
	/* set in the other family's filter only: said where it is */
	assert_int_equal(cmd2(f, 6, "dport 500", err, sizeof(err)),
			 FLOW_FILTER6);
	memcpy(before, f, sizeof(f));
	assert_int_equal(cmd2(f, 4, "negate dport", err, sizeof(err)), -EINVAL);
	assert_string_equal(
		err,
		"cannot negate \"dport\": the IPv4 filter has no dport; the IPv6 filter's is negated by `diagnose debug flow filter6 negate dport`");
	assert_int_equal(
		cmd2(f, 4, "addr 10.0.0.1 2001:db8::1", err, sizeof(err)),
		-EINVAL);
	assert_memory_equal(f, before, sizeof(f));
}

/* vd N names the daemon's VDOM when it refuses another index. */
static void test_filter_vd_index(void **state)
{
	const char *vd3[] = { "vd", "3" }, *vd0[] = { "vd", "0" },
		   *all[] = { "vd", "-1" };
	struct flow_filter f;
	char err[128];

	(void)state;
	flow_filter_init(&f);
	assert_int_equal(flow_filter_parse(&f, 2, vd3, "dmz", err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(
		err,
		"no virtual domain with index 3: the one here is dmz (index 0); -1 matches all");
	assert_int_equal(f.set, 0);
	assert_int_equal(flow_filter_parse(&f, 2, vd0, "dmz", err, sizeof(err)),
			 0);
	assert_int_equal(f.set, 1u << FF_VD);
	assert_int_equal(flow_filter_parse(&f, 2, all, "dmz", err, sizeof(err)),
			 0);
	assert_int_equal(f.set, 0);
}

/*
 * `vd 0` narrows nothing (every packet here is VDOM 0's): alone in one
 * family's filter it leaves the other family traced, as `vd -1` does.
 * `filter vd 0` stopped every IPv6 packet's trace. The filter it is in
 * is set all the same: beside `filter6 saddr A`, `filter vd 0` traces
 * every IPv4 packet, as its listing ("vf: 0") says.
 */
static void test_filters_vd_narrows_nothing(void **state)
{
	struct li_pkt a4 = pkt_of(4, 17, "10.0.0.1", 500, "10.0.0.9", 500),
		      a6 = pkt_of(6, 17, "2001:db8::1", 500, "2001:db8::9",
				  500),
		      b6 = pkt_of(6, 17, "2001:db8::2", 500, "2001:db8::9",
				  500);
	struct flow_filter f[FLOW_NR_FILTERS];
	char err[128], buf[1024];

	(void)state;
	flow_filters_init(f);
	assert_int_equal(cmd2(f, 4, "vd 0", err, sizeof(err)), FLOW_FILTER4);
	assert_true(traced(f, &a4));
	assert_true(traced(f, &a6));
	assert_false(li_flow_filter_left_out(f, FLOW_FILTER6));
	flow_filters_format(f, FLOW_FILTER6, buf, sizeof(buf));
	assert_null(strstr(buf, "no IPv6 packet is traced"));
	echo_is(f, 6, FLOW_FILTER6, "clear", "");
	/* vd-name, and filter6's vd 0, the same */
	assert_int_equal(cmd2(f, 4, "clear", err, sizeof(err)), FLOW_FILTER4);
	assert_int_equal(cmd2(f, 4, "vd-name root", err, sizeof(err)),
			 FLOW_FILTER4);
	assert_true(traced(f, &a6));
	assert_int_equal(cmd2(f, 6, "vd 0", err, sizeof(err)), FLOW_FILTER6);
	assert_true(traced(f, &a4));
	assert_true(traced(f, &a6));
	/* the family it is in is not left out beside a narrowing filter */
	assert_int_equal(cmd2(f, 6, "saddr 2001:db8::1", err, sizeof(err)),
			 FLOW_FILTER6);
	assert_true(traced(f, &a4));
	assert_true(traced(f, &a6));
	assert_false(traced(f, &b6));
	/* one that narrows leaves the other family out, vd beside it or not */
	assert_int_equal(cmd2(f, 4, "saddr 10.0.0.2", err, sizeof(err)),
			 FLOW_FILTER4);
	assert_int_equal(cmd2(f, 6, "clear", err, sizeof(err)), FLOW_FILTER6);
	assert_false(traced(f, &a6));
	assert_false(traced(f, &b6));
	assert_false(traced(f, &a4));
}

static void test_trace_budget(void **state)
{
	struct li_pkt in =
		pkt_of(4, 17, "203.0.113.5", 500, "198.51.100.1", 500);
	struct li_pkt other = pkt_of(4, 6, "192.0.2.1", 1, "198.51.100.1", 22);
	struct flow_trace_budget b;
	struct flow_filter f[FLOW_NR_FILTERS];
	__u32 id = 0;

	(void)state;
	flow_trace_budget_init(&b);
	assert_false(flow_trace_take(&b, &id)); /* stopped */
	flow_trace_start(&b, 2);
	assert_true(flow_trace_take(&b, &id));
	assert_int_equal(id, 1);
	assert_true(flow_trace_take(&b, &id));
	assert_int_equal(id, 2);
	assert_false(flow_trace_take(&b, &id));
	assert_int_equal(b.remaining, 0);

	flow_filters_init(f);
	ok(&f[FLOW_FILTER4], "proto 17");
	flow_trace_start(&b, 2);
	/* A packet the filter refuses costs nothing. */
	assert_false(flow_trace_want(f, &b, &other, &id));
	assert_int_equal(b.remaining, 2);
	assert_true(flow_trace_want(f, &b, &in, &id));
	assert_int_equal(id, 3); /* ids keep counting across starts */
	flow_trace_stop(&b);
	assert_false(flow_trace_want(f, &b, &in, &id));
	flow_trace_start(&b, 1);
	b.next_id = 0xffffffffu;
	assert_true(flow_trace_want(f, &b, &in, &id));
	assert_int_equal(id, 0xffffffffu);
	assert_int_equal(b.next_id, 1); /* never 0 */
}

static void check_trace(const struct flow_trace_pkt *t, const char *want)
{
	char buf[FLOW_TRACE_MAX];
	int len;

	len = flow_trace_format(buf, sizeof(buf), t);
	assert_string_equal(buf, want);
	assert_int_equal(len, strlen(want));
}

/* The brief's scenario: IKE from a stranger, denied by policy 1. */
static void test_trace_deny(void **state)
{
	struct li_pkt p = pkt_of(4, 17, "10.10.10.13", 500, "10.10.10.1", 500);
	struct li_verdict v = { 1, LI_R_POLICY, 0, 0, 1, 0, 0, 0, 0, 0, { 0 } };
	struct flow_trace_pkt t = { &p,	   &v, "wan1", NULL,  NULL, 1,
				    false, 0,  false,  false, false };

	(void)state;
	check_trace(
		&t,
		"id=65308 trace_id=1 func=print_pkt_detail line=5845 msg=\"vd-root:0 received a packet(proto=17, 10.10.10.13:500->10.10.10.1:500) tun_id=0.0.0.0 from wan1. \"\n"
		"id=65308 trace_id=1 func=vf_ip_route_input_common line=2605 msg=\"find a route: flag=84000000 gw-10.10.10.1 via root\"\n"
		"id=65308 trace_id=1 func=fw_local_in_handler line=500 msg=\"iprope_in_check() check failed on policy 1, drop\"\n");
}

/* Of VDOM dmz: its name where FortiOS prints the VDOM's. */
static void test_trace_vdom(void **state)
{
	struct li_pkt p = pkt_of(4, 17, "10.10.10.13", 500, "10.10.10.1", 500);
	struct li_verdict v = { 1, LI_R_POLICY, 0, 0, 1, 0, 0, 0, 0, 0, { 0 } };
	struct flow_trace_pkt t = { &p,	   &v, "wan1", NULL,  NULL, 1,
				    false, 0,  false,  false, false };

	(void)state;
	t.vd = "dmz";
	check_trace(
		&t,
		"id=65308 trace_id=1 func=print_pkt_detail line=5845 msg=\"vd-dmz:0 received a packet(proto=17, 10.10.10.13:500->10.10.10.1:500) tun_id=0.0.0.0 from wan1. \"\n"
		"id=65308 trace_id=1 func=vf_ip_route_input_common line=2605 msg=\"find a route: flag=84000000 gw-10.10.10.1 via dmz\"\n"
		"id=65308 trace_id=1 func=fw_local_in_handler line=500 msg=\"iprope_in_check() check failed on policy 1, drop\"\n");
}

/* Session lines: before the policy check, or instead of it. */
static void test_trace_sessions(void **state)
{
	struct li_pkt p = pkt_of(4, 17, "192.0.2.53", 53, "10.10.10.1", 40000);
	struct li_verdict v = {
		1, LI_R_POLICY, 0, 0, 2, 1, 0, 0x2a, 0, 0, { 0 }
	};
	struct flow_trace_pkt t = { &p,	   &v, "wan1", NULL,  NULL, 3,
				    false, 0,  false,  false, false };
	const char *recv =
		"id=65308 trace_id=3 func=print_pkt_detail line=5845 msg=\"vd-root:0 received a packet(proto=17, 192.0.2.53:53->10.10.10.1:40000) tun_id=0.0.0.0 from wan1. \"\n";
	const char *route =
		"id=65308 trace_id=3 func=vf_ip_route_input_common line=2605 msg=\"find a route: flag=84000000 gw-10.10.10.1 via root\"\n";
	char want[2048];

	(void)state;
	/* A denied first packet: FortiOS allocates, then the check drops. */
	snprintf(
		want, sizeof(want),
		"%sid=65308 trace_id=3 func=init_ip_session_common line=6043 msg=\"allocate a new session-0000002a, tun_id=0.0.0.0\"\n%sid=65308 trace_id=3 func=fw_local_in_handler line=500 msg=\"iprope_in_check() check failed on policy 2, drop\"\n",
		recv, route);
	check_trace(&t, want);
	/* A reply to what the gateway sent: no policy check. */
	v.drop = 0;
	v.reason = LI_R_SESSION;
	v.sess = LI_VS_REPLY;
	snprintf(
		want, sizeof(want),
		"%sid=65308 trace_id=3 func=resolve_ip_tuple_fast line=5720 msg=\"Find an existing session, id-0000002a, reply direction\"\n",
		recv);
	check_trace(&t, want);
	v.sess = LI_VS_ORIG;
	snprintf(
		want, sizeof(want),
		"%sid=65308 trace_id=3 func=resolve_ip_tuple_fast line=5720 msg=\"Find an existing session, id-0000002a, original direction\"\n",
		recv);
	check_trace(&t, want);
	/* Judged again after a reload: the check follows. */
	v.reason = LI_R_POLICY;
	v.sess = LI_VS_RECHECK;
	snprintf(
		want, sizeof(want),
		"%sid=65308 trace_id=3 func=resolve_ip_tuple_fast line=5720 msg=\"Find an existing session, id-0000002a, original direction\"\n%sid=65308 trace_id=3 func=fw_local_in_handler line=508 msg=\"iprope_in_check() matched policy 2, accept\"\n",
		recv, route);
	check_trace(&t, want);
	/* Sent by the gateway (replay). */
	t.local_out = true;
	v.reason = LI_R_NONLOCAL;
	v.sess = LI_VS_NONE;
	v.sess_id = 0;
	check_trace(
		&t,
		"id=65308 trace_id=3 func=print_pkt_detail line=5845 msg=\"vd-root:0 received a packet(proto=17, 192.0.2.53:53->10.10.10.1:40000) tun_id=0.0.0.0 from local. \"\n"
		"id=65308 trace_id=3 func=ip_session_local_out line=2911 msg=\"sent by this host: its session lets the replies in without a local-in check\"\n");
}

static void test_trace_tcp_accept_timestamp(void **state)
{
	struct li_pkt p =
		pkt_of(4, 6, "192.168.1.10", 53814, "192.168.1.1", 22);
	struct li_verdict v = { 0, LI_R_POLICY, 0, 0, 5, 1, 0, 0, 0, 0, { 0 } };
	struct flow_trace_pkt t = { &p,	  &v, "port5", NULL,  NULL, 52,
				    true, T0, false,   false, false };

	(void)state;
	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	p.tcp_flags = 0x02;
	p.seq = 2134956194u;
	p.win = 29200;
	check_trace(
		&t,
		"2022-12-01 02:16:43 id=65308 trace_id=52 func=print_pkt_detail line=5845 msg=\"vd-root:0 received a packet(proto=6, 192.168.1.10:53814->192.168.1.1:22) tun_id=0.0.0.0 from port5. flag [S], seq 2134956194, ack 0, win 29200\"\n"
		"2022-12-01 02:16:43 id=65308 trace_id=52 func=vf_ip_route_input_common line=2605 msg=\"find a route: flag=84000000 gw-192.168.1.1 via root\"\n"
		"2022-12-01 02:16:43 id=65308 trace_id=52 func=fw_local_in_handler line=508 msg=\"iprope_in_check() matched policy 5, accept\"\n");
	p.tcp_flags = 0x12;
	p.ack = 7;
	check_trace(
		&t,
		"2022-12-01 02:16:43 id=65308 trace_id=52 func=print_pkt_detail line=5845 msg=\"vd-root:0 received a packet(proto=6, 192.168.1.10:53814->192.168.1.1:22) tun_id=0.0.0.0 from port5. flag [S.], seq 2134956194, ack 7, win 29200\"\n"
		"2022-12-01 02:16:43 id=65308 trace_id=52 func=vf_ip_route_input_common line=2605 msg=\"find a route: flag=84000000 gw-192.168.1.1 via root\"\n"
		"2022-12-01 02:16:43 id=65308 trace_id=52 func=fw_local_in_handler line=508 msg=\"iprope_in_check() matched policy 5, accept\"\n");
}

static void test_trace_icmp_implicit(void **state)
{
	struct li_pkt p =
		pkt_of(4, 1, "192.168.1.10", 2328, "192.168.1.1", 8 << 8);
	struct li_verdict v = {
		0, LI_R_IMPLICIT, 0, 0, 0, -1, 0, 0, 0, 0, { 0 }
	};
	struct flow_trace_pkt t = { &p,	   &v, "port5", NULL,  NULL, 30,
				    false, 0,  false,	false, false };

	(void)state;
	p.icmp_type = 8;
	p.icmp_seq = 1;
	check_trace(
		&t,
		"id=65308 trace_id=30 func=print_pkt_detail line=5845 msg=\"vd-root:0 received a packet(proto=1, 192.168.1.10:2328->192.168.1.1:2048) tun_id=0.0.0.0 from port5. type=8, code=0, id=2328, seq=1.\"\n"
		"id=65308 trace_id=30 func=vf_ip_route_input_common line=2605 msg=\"find a route: flag=84000000 gw-192.168.1.1 via root\"\n"
		"id=65308 trace_id=30 func=fw_local_in_handler line=516 msg=\"iprope_in_check() no local-in policy matched, implicit accept (policy 0)\"\n");
}

static void test_trace_esp_unknown_raw(void **state)
{
	struct li_pkt p = pkt_of(4, 50, "203.0.113.66", 0, "198.51.100.1", 0);
	struct li_verdict v = {
		1, LI_R_ESP_UNKNOWN_SPI, 0, 0, 0, -1, 0, 0, 0, 0, { 0 }
	};
	struct flow_trace_pkt t = { &p,	   &v, "wan1", NULL,  NULL, 7,
				    false, 0,  false,  false, false };

	(void)state;
	p.flags = LI_PKT_ESP;
	p.spi = 0x2c65ad60;
	p.seq = 7;
	check_trace(
		&t,
		"id=65308 trace_id=7 func=print_pkt_detail line=5845 msg=\"vd-root:0 received a packet(proto=50, 203.0.113.66:0->198.51.100.1:0) tun_id=0.0.0.0 from wan1. \"\n"
		"id=65308 trace_id=7 func=vf_ip_route_input_common line=2605 msg=\"find a route: flag=84000000 gw-198.51.100.1 via root\"\n"
		"id=65308 trace_id=7 func=esp_input_spi_check line=1201 msg=\"Received ESP packet with unknown SPI. SPI=2c65ad60 seq=00000007, drop\"\n");
	t.tunnel = "to-hq";
	check_trace(
		&t,
		"id=65308 trace_id=7 func=print_pkt_detail line=5845 msg=\"vd-root:0 received a packet(proto=50, 203.0.113.66:0->198.51.100.1:0) tun_id=0.0.0.0 from wan1. \"\n"
		"id=65308 trace_id=7 func=vf_ip_route_input_common line=2605 msg=\"find a route: flag=84000000 gw-198.51.100.1 via root\"\n"
		"id=65308 trace_id=7 func=esp_input_spi_check line=1201 msg=\"Received ESP packet with unknown SPI. SPI=2c65ad60 seq=00000007, peer of tunnel to-hq, drop\"\n");
}

static void test_trace_esp_ok_udp_v6(void **state)
{
	struct li_pkt p =
		pkt_of(6, 17, "2001:db8:9::2", 4500, "2001:db8::1", 4500);
	struct li_verdict v = {
		0, LI_R_ESP_OK, 0, 0, 0, -1, 0, 0, 0, 0, { 0 }
	};
	struct flow_trace_pkt t = { &p,	   &v, "wan1", NULL,  "to-branch", 8,
				    false, 0,  false,  false, false };

	(void)state;
	p.flags |= LI_PKT_ESP | LI_PKT_ESP_UDP;
	p.spi = 0xc0ffee01;
	p.seq = 0x1234;
	check_trace(
		&t,
		"id=65308 trace_id=8 func=print_pkt_detail line=5845 msg=\"vd-root:0 received a packet(proto=17, 2001:db8:9::2:4500->2001:db8::1:4500) tun_id=0.0.0.0 from wan1. \"\n"
		"id=65308 trace_id=8 func=vf_ip_route_input_common line=2605 msg=\"find a route: flag=84000000 gw-2001:db8::1 via root\"\n"
		"id=65308 trace_id=8 func=esp_input_spi_check line=1183 msg=\"ESP packet SPI=c0ffee01 seq=00001234 matches an SA of tunnel to-branch, accept\"\n");
	t.tunnel = NULL;
	check_trace(
		&t,
		"id=65308 trace_id=8 func=print_pkt_detail line=5845 msg=\"vd-root:0 received a packet(proto=17, 2001:db8:9::2:4500->2001:db8::1:4500) tun_id=0.0.0.0 from wan1. \"\n"
		"id=65308 trace_id=8 func=vf_ip_route_input_common line=2605 msg=\"find a route: flag=84000000 gw-2001:db8::1 via root\"\n"
		"id=65308 trace_id=8 func=esp_input_spi_check line=1183 msg=\"ESP packet SPI=c0ffee01 seq=00001234 matches a live SA, accept\"\n");
}

static void test_trace_nonlocal(void **state)
{
	struct li_pkt p = pkt_of(4, 17, "203.0.113.5", 500, "192.0.2.99", 500);
	struct li_verdict v = {
		0, LI_R_NONLOCAL, 0, 0, 0, -1, 0, 0, 0, 0, { 0 }
	};
	struct flow_trace_pkt t = { &p,	   &v, "wan1", "root", NULL, 2,
				    false, 0,  false,  false,  false };

	(void)state;
	check_trace(
		&t,
		"id=65308 trace_id=2 func=print_pkt_detail line=5845 msg=\"vd-root:0 received a packet(proto=17, 203.0.113.5:500->192.0.2.99:500) tun_id=0.0.0.0 from wan1. \"\n"
		"id=65308 trace_id=2 func=vf_ip_route_input_common line=2605 msg=\"find a route: flag=04000000 gw-192.0.2.99 via wan1\"\n"
		"id=65308 trace_id=2 func=vf_ip_route_input_common line=2612 msg=\"not for this host: destination is not a local address, no local-in check, pass\"\n");
}

static void test_trace_fragment_v6_deny(void **state)
{
	struct li_pkt p = pkt_of(6, 17, "2001:db8::5", 0, "2001:db8::1", 0);
	struct li_verdict v = { 1, LI_R_POLICY, 0, 1, 3, 0, 0, 0, 0, 0, { 0 } };
	struct flow_trace_pkt t = { &p,	   &v, "wan1", NULL,  NULL, 9,
				    false, 0,  false,  false, false };

	(void)state;
	p.flags = LI_PKT_FRAG | LI_PKT_FRAG_LATER;
	p.frag_id = 77;
	check_trace(
		&t,
		"id=65308 trace_id=9 func=print_pkt_detail line=5845 msg=\"vd-root:0 received a packet(proto=17, 2001:db8::5:0->2001:db8::1:0) tun_id=0.0.0.0 from wan1. \"\n"
		"id=65308 trace_id=9 func=vf_ip_route_input_common line=2605 msg=\"find a route: flag=84000000 gw-2001:db8::1 via root\"\n"
		"id=65308 trace_id=9 func=ip_frag_verdict_lookup line=318 msg=\"non-first fragment id=77, verdict of its first fragment\"\n"
		"id=65308 trace_id=9 func=fw_local_in_handler line=500 msg=\"iprope_in_check() check failed on policy 3, drop\"\n");
	v.frag_hit = 0;
	v.drop = 0;
	v.reason = LI_R_IMPLICIT;
	v.policy_id = 0;
	check_trace(
		&t,
		"id=65308 trace_id=9 func=print_pkt_detail line=5845 msg=\"vd-root:0 received a packet(proto=17, 2001:db8::5:0->2001:db8::1:0) tun_id=0.0.0.0 from wan1. \"\n"
		"id=65308 trace_id=9 func=vf_ip_route_input_common line=2605 msg=\"find a route: flag=84000000 gw-2001:db8::1 via root\"\n"
		"id=65308 trace_id=9 func=ip_frag_verdict_lookup line=318 msg=\"non-first fragment id=77, first fragment not seen, ports unknown\"\n"
		"id=65308 trace_id=9 func=fw_local_in_handler line=516 msg=\"iprope_in_check() no local-in policy matched, implicit accept (policy 0)\"\n");
}

static void test_trace_malformed(void **state)
{
	struct li_pkt p = pkt_of(4, 17, "203.0.113.5", 0, "198.51.100.1", 0);
	struct li_verdict v = { 1, LI_R_MALFORMED, 0, 0, 0, -1, 0, 0, 0,
				0, { 0 } };
	struct flow_trace_pkt t = { &p,	   &v, "wan1", NULL,  NULL, 4,
				    false, 0,  false,  false, false };
	int m;

	(void)state;
	p.flags = 0;
	p.malformed = LI_MAL_L4_TRUNC;
	check_trace(
		&t,
		"id=65308 trace_id=4 func=print_pkt_detail line=5845 msg=\"vd-root:0 received a packet(proto=17, 203.0.113.5:0->198.51.100.1:0) tun_id=0.0.0.0 from wan1. \"\n"
		"id=65308 trace_id=4 func=ip_rcv_sanity_check line=431 msg=\"malformed packet: transport header truncated, drop\"\n");
	p.family = 0;
	p.malformed = LI_MAL_L2;
	check_trace(
		&t,
		"id=65308 trace_id=4 func=print_pkt_detail line=5845 msg=\"vd-root:0 received a non-IP packet from wan1. \"\n"
		"id=65308 trace_id=4 func=ip_rcv_sanity_check line=431 msg=\"malformed packet: Ethernet or VLAN header truncated, drop\"\n");
	/* Every kind has words of its own. */
	for (m = LI_MAL_L2; m < LI_MAL_MAX; m++) {
		assert_non_null(flow_trace_malformed_text(m));
		assert_string_not_equal(flow_trace_malformed_text(m),
					flow_trace_malformed_text(m - 1));
	}
	assert_string_equal(flow_trace_malformed_text(LI_MAL_MAX),
			    "unknown defect");
}

static void test_trace_escaping_nospc_print(void **state)
{
	struct li_pkt p = pkt_of(4, 17, "10.10.10.13", 500, "10.10.10.1", 500);
	struct li_verdict v = { 1, LI_R_POLICY, 0, 0, 1, 0, 0, 0, 0, 0, { 0 } };
	struct flow_trace_pkt t = { &p,	   &v, "we\"ird", NULL,	 NULL, 1,
				    false, 0,  false,	  false, false };
	char buf[FLOW_TRACE_MAX], *mem = NULL;
	size_t memlen = 0;
	FILE *f;
	int len;

	(void)state;
	len = flow_trace_format(buf, sizeof(buf), &t);
	assert_true(len > 0);
	assert_non_null(strstr(buf, " from we\\\"ird. \"\n"));
	assert_int_equal(flow_trace_format(buf, (size_t)len + 1, &t), len);
	assert_int_equal(flow_trace_format(buf, (size_t)len, &t), -ENOSPC);
	assert_string_equal(buf, ""); /* nothing partial */
	f = open_memstream(&mem, &memlen);
	assert_non_null(f);
	assert_int_equal(flow_trace_print(f, &t), 0);
	fclose(f);
	assert_int_equal(memlen, len);
	flow_trace_format(buf, sizeof(buf), &t);
	assert_string_equal(mem, buf);
	free(mem);
}

/* FortiOS 7.2+: addr A B and|or, two hosts rather than a range. */
static void test_filter_addr_pair(void **state)
{
	struct li_pkt ab = pkt_of(4, 17, "10.0.0.1", 500, "10.0.0.9", 500);
	struct li_pkt ba = pkt_of(4, 17, "10.0.0.9", 500, "10.0.0.1", 500);
	struct li_pkt a_other = pkt_of(4, 17, "10.0.0.1", 500, "10.0.0.5", 500);
	struct li_pkt other_b =
		pkt_of(4, 17, "192.0.2.7", 500, "10.0.0.9", 500);
	struct li_pkt between =
		pkt_of(4, 17, "10.0.0.5", 500, "192.0.2.7", 500);
	struct flow_filter f;

	(void)state;
	flow_filter_init(&f);
	ok(&f, "addr 10.0.0.1 10.0.0.9 and");
	assert_true(flow_filter_match(&f, &ab));
	assert_true(flow_filter_match(&f, &ba));
	assert_false(flow_filter_match(&f, &a_other));
	assert_false(flow_filter_match(&f, &other_b));
	check_format(&f, "        vf: any\n"
			 "        proto: any\n"
			 "        host addr: 10.0.0.1 and 10.0.0.9\n"
			 "        Host saddr: any\n"
			 "        Host daddr: any\n"
			 "        port: any\n"
			 "        sport: any\n"
			 "        dport: any\n");
	ok(&f, "addr 10.0.0.1 10.0.0.9 or");
	assert_true(flow_filter_match(&f, &ab));
	assert_true(flow_filter_match(&f, &a_other));
	assert_true(flow_filter_match(&f, &other_b));
	/* the range form would take 10.0.0.5; a pair does not */
	assert_false(flow_filter_match(&f, &between));
	ok(&f, "negate addr");
	assert_true(flow_filter_match(&f, &between));
	assert_false(flow_filter_match(&f, &ab));
	/* The range form again: a pair is forgotten. */
	ok(&f, "addr 10.0.0.1 10.0.0.9");
	assert_int_equal(f.addr_pair, FLOW_ADDR_RANGE);
	assert_true(flow_filter_match(&f, &between));
}

/* show function-name disable, show iprope enable: the seed's deny. */
static void test_trace_show_options(void **state)
{
	struct li_pkt p = pkt_of(4, 17, "10.10.10.13", 500, "10.10.10.1", 500);
	struct li_verdict v = { 1, LI_R_POLICY, 0, 0, 1, 0, 0, 0, 0, 0, { 0 } };
	struct flow_trace_pkt t = { .pkt = &p,
				    .verdict = &v,
				    .ifname = "wan1",
				    .trace_id = 1,
				    .no_func = true };

	(void)state;
	check_trace(
		&t,
		"id=65308 trace_id=1 msg=\"vd-root:0 received a packet(proto=17, 10.10.10.13:500->10.10.10.1:500) tun_id=0.0.0.0 from wan1. \"\n"
		"id=65308 trace_id=1 msg=\"find a route: flag=84000000 gw-10.10.10.1 via root\"\n"
		"id=65308 trace_id=1 msg=\"iprope_in_check() check failed on policy 1, drop\"\n");
	t.no_func = false;
	t.iprope = true;
	check_trace(
		&t,
		"id=65308 trace_id=1 func=print_pkt_detail line=5845 msg=\"vd-root:0 received a packet(proto=17, 10.10.10.13:500->10.10.10.1:500) tun_id=0.0.0.0 from wan1. \"\n"
		"id=65308 trace_id=1 func=vf_ip_route_input_common line=2605 msg=\"find a route: flag=84000000 gw-10.10.10.1 via root\"\n"
		"id=65308 trace_id=1 func=iprope_in_check line=1869 msg=\"in-[wan1], out-[], skb_flags-02000001, vid-0\"\n"
		"id=65308 trace_id=1 func=__iprope_check line=2276 msg=\"gnum-100001, check-0000000000000000\"\n"
		"id=65308 trace_id=1 func=__iprope_check_one_policy line=2046 msg=\"checked gnum-100001 policy-1, ret-matched, act-drop\"\n"
		"id=65308 trace_id=1 func=__iprope_check_one_policy line=2072 msg=\"policy-1 is matched, act-drop\"\n"
		"id=65308 trace_id=1 func=__iprope_check line=2319 msg=\"gnum-100001 check result: ret-matched, act-drop, flag-00000000, flag2-00000000\"\n"
		"id=65308 trace_id=1 func=fw_local_in_handler line=500 msg=\"iprope_in_check() check failed on policy 1, drop\"\n");
	/* No policy matched: the group's result only. */
	v.drop = 0;
	v.reason = LI_R_IMPLICIT;
	v.policy_id = 0;
	check_trace(
		&t,
		"id=65308 trace_id=1 func=print_pkt_detail line=5845 msg=\"vd-root:0 received a packet(proto=17, 10.10.10.13:500->10.10.10.1:500) tun_id=0.0.0.0 from wan1. \"\n"
		"id=65308 trace_id=1 func=vf_ip_route_input_common line=2605 msg=\"find a route: flag=84000000 gw-10.10.10.1 via root\"\n"
		"id=65308 trace_id=1 func=iprope_in_check line=1869 msg=\"in-[wan1], out-[], skb_flags-02000001, vid-0\"\n"
		"id=65308 trace_id=1 func=__iprope_check line=2276 msg=\"gnum-100001, check-0000000000000000\"\n"
		"id=65308 trace_id=1 func=__iprope_check line=2319 msg=\"gnum-100001 check result: ret-no-match, act-accept, flag-00000000, flag2-00000000\"\n"
		"id=65308 trace_id=1 func=fw_local_in_handler line=516 msg=\"iprope_in_check() no local-in policy matched, implicit accept (policy 0)\"\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_format_default),
		cmocka_unit_test(test_filter_format_set),
		cmocka_unit_test(test_filter_errors),
		cmocka_unit_test(test_filter_abbreviations),
		cmocka_unit_test(test_filter_errors_text),
		cmocka_unit_test(test_filter_vd_name),
		cmocka_unit_test(test_filter_match_addr),
		cmocka_unit_test(test_filter_addr_pair),
		cmocka_unit_test(test_trace_show_options),
		cmocka_unit_test(test_filter_match_ports_proto),
		cmocka_unit_test(test_filters_per_family),
		cmocka_unit_test(test_filter_vd_index),
		cmocka_unit_test(test_filters_vd_narrows_nothing),
		cmocka_unit_test(test_trace_budget),
		cmocka_unit_test(test_trace_deny),
		cmocka_unit_test(test_trace_vdom),
		cmocka_unit_test(test_trace_sessions),
		cmocka_unit_test(test_trace_tcp_accept_timestamp),
		cmocka_unit_test(test_trace_icmp_implicit),
		cmocka_unit_test(test_trace_esp_unknown_raw),
		cmocka_unit_test(test_trace_esp_ok_udp_v6),
		cmocka_unit_test(test_trace_nonlocal),
		cmocka_unit_test(test_trace_fragment_v6_deny),
		cmocka_unit_test(test_trace_malformed),
		cmocka_unit_test(test_trace_escaping_nospc_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
