// SPDX-License-Identifier: GPL-2.0
/*
 * `diagnose sys session`: the filter words as an admin types them (and
 * the errors they get), its FortiOS print, matching by the original
 * direction (a remote's session and one the gateway opened), and the
 * exact text `list` shows for UDP, TCP, ICMP echo and IPv6 sessions.
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

#include <cmocka.h>

#include "daemon/sess_diag.h"

#define NS 1000000000ull
#define T0 (5000 * NS)

static void set_addr(__u32 a[4], int family, const char *text)
{
	memset(a, 0, 16);
	assert_int_equal(inet_pton(family == 6 ? AF_INET6 : AF_INET, text, a),
			 1);
}

/* A session of the gateway @l:@lp with the remote @r:@rp. */
static void sess_of(struct li_sess_key *k, struct li_sess *s, int family,
		    __u8 proto, const char *l, __u16 lp, const char *r,
		    __u16 rp, int origin)
{
	__u32 la[4], ra[4];

	memset(k, 0, sizeof(*k));
	memset(s, 0, sizeof(*s));
	k->family = (__u8)family;
	k->proto = proto;
	k->lport = lp;
	k->rport = rp;
	set_addr(la, family, l);
	set_addr(ra, family, r);
	li_sess_key_set_addrs(k, la, ra);
	s->first_ns = T0;
	s->last_ns = T0;
	s->id = 0x1234abcd;
	s->policy_idx = -1;
	s->origin = (__u8)origin;
	s->ifindex = 3;
}

/* Apply the words of @line (space separated) to @f. */
static int apply(struct sess_filter *f, const char *line, char *err,
		 size_t errlen)
{
	char buf[256], *argv[16], *save = NULL, *w;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	err[0] = '\0';
	return sess_filter_parse(f, argc, (const char *const *)argv, err,
				 errlen);
}

static char *printed(const struct sess_filter *f)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	sess_filter_print(f, out);
	fclose(out);
	return text;
}

static void test_filter_words(void **state)
{
	static const struct {
		const char *line;
		const char *err; /* NULL: accepted */
	} cases[] = {
		{ "src 192.0.2.1", NULL },
		{ "src 192.0.2.1 192.0.2.9", NULL },
		{ "dst 10.0.0.1", NULL },
		{ "sport 1024 65535", NULL },
		{ "dport 53", NULL },
		{ "proto 17", NULL },
		{ "policy 7", NULL },
		{ "vd -1", NULL },
		{ "vd 0", NULL },
		{ "clear", NULL },
		{ "pol 4294967295", NULL },
		{ "src 2001:db8::1", "invalid IPv4 address \"2001:db8::1\"" },
		{ "src 192.0.2.9 192.0.2.1",
		  "src: \"192.0.2.9\" is above \"192.0.2.1\"" },
		{ "dport 9 8", "dport: \"9\" is above \"8\"" },
		{ "dport 65536", "invalid port \"65536\" (0 to 65535)" },
		{ "dport -1", "invalid port \"-1\" (0 to 65535)" },
		{ "dport", "dport needs a value" },
		{ "dport 1 2 3", "unexpected \"3\"" },
		{ "proto 256", "invalid protocol \"256\" (0 to 255)" },
		{ "proto 6 17", "unexpected \"17\"" },
		{ "policy x", "invalid policy id \"x\" (0 to 4294967295)" },
		{ "vd 2",
		  "invalid vd \"2\" (0: root, the only VDOM; -1: all)" },
		{ "clear now", "unexpected \"now\"" },
		{ "saddr 1.2.3.4",
		  "unknown filter \"saddr\" (src dst sport dport proto policy vd negate clear)" },
		{ "s 1", "ambiguous filter \"s\" (src, sport)" },
		{ "d 1", "ambiguous filter \"d\" (dst, dport)" },
		{ "p 1", "ambiguous filter \"p\" (proto, policy)" },
		{ "negate s", "ambiguous field \"s\" to negate (src, sport)" },
		{ "n p", "ambiguous field \"p\" to negate (proto, policy)" },
		{ "negate",
		  "negate needs a field (src dst sport dport proto policy)" },
		{ "negate vd", "unknown field \"vd\" to negate" },
		{ "negate dport", "negate dport: no dport is set" },
	};
	struct sess_filter f, before;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret;

		sess_filter_init(&f, 4);
		before = f;
		ret = apply(&f, cases[i].line, err, sizeof(err));
		if (!cases[i].err) {
			if (ret)
				fail_msg("\"%s\": %s", cases[i].line, err);
			continue;
		}
		if (ret != -EINVAL || strcmp(err, cases[i].err))
			fail_msg("\"%s\": %d \"%s\"", cases[i].line, ret, err);
		/* Refused: the filter stays as it was. */
		assert_memory_equal(&f, &before, sizeof(f));
	}
}

/*
 * Words abbreviated as on FortiOS's CLI (keyword_index(), as the flow
 * filter's): the fewest letters that name one, for negate's field too.
 * Each does what the word in full does.
 */
static void test_filter_abbreviations(void **state)
{
	static const char *const pairs[][2] = {
		{ "sr 10.160.0.1", "src 10.160.0.1" },
		{ "dp 80", "dport 80" },
		{ "pr 6", "proto 6" },
		{ "pol 3", "policy 3" },
		{ "neg sr", "negate src" },
		{ "n dp", "negate dport" },
		{ "v 0", "vd 0" },
		{ "c", "clear" },
	};
	struct sess_filter f, full;
	char err[256];
	size_t i;

	(void)state;
	sess_filter_init(&f, 4);
	sess_filter_init(&full, 4);
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		if (apply(&f, pairs[i][0], err, sizeof(err)))
			fail_msg("\"%s\": %s", pairs[i][0], err);
		assert_int_equal(apply(&full, pairs[i][1], err, sizeof(err)),
				 0);
		assert_memory_equal(&f, &full, sizeof(f));
		if (i == 5) /* after "n dp": both fields negated */
			assert_int_equal(f.negate, SF_SRC | SF_DPORT);
	}
	assert_int_equal(f.set, 0);
}

static void test_filter_print(void **state)
{
	struct sess_filter f;
	char err[256], *text;

	(void)state;
	sess_filter_init(&f, 4);
	text = printed(&f);
	assert_string_equal(text, "session filter:\n"
				  "        vd: any\n"
				  "        proto: any\n"
				  "        source ip: any\n"
				  "        dest ip: any\n"
				  "        source port: any\n"
				  "        dest port: any\n"
				  "        policy id: any\n"
				  "        expire: any\n"
				  "        duration: any\n");
	free(text);
	assert_int_equal(apply(&f, "src 10.160.0.1", err, sizeof(err)), 0);
	assert_int_equal(apply(&f, "dport 80", err, sizeof(err)), 0);
	assert_int_equal(apply(&f, "proto 6", err, sizeof(err)), 0);
	assert_int_equal(apply(&f, "policy 3", err, sizeof(err)), 0);
	assert_int_equal(apply(&f, "negate src", err, sizeof(err)), 0);
	assert_int_equal(apply(&f, "vd 0", err, sizeof(err)), 0);
	text = printed(&f);
	assert_string_equal(
		text, "session filter:\n"
		      "        vd: 0\n"
		      "        proto: 6\n"
		      "        source ip: 10.160.0.1-10.160.0.1 (negate)\n"
		      "        dest ip: any\n"
		      "        source port: any\n"
		      "        dest port: 80-80\n"
		      "        policy id: 3\n"
		      "        expire: any\n"
		      "        duration: any\n");
	free(text);
	/* Set again: as typed, not inverted; clear: all of it. */
	assert_int_equal(
		apply(&f, "src 10.0.0.0 10.255.255.255", err, sizeof(err)), 0);
	text = printed(&f);
	assert_non_null(strstr(text, "source ip: 10.0.0.0-10.255.255.255\n"));
	free(text);
	assert_int_equal(apply(&f, "clear", err, sizeof(err)), 0);
	assert_int_equal(f.set, 0);
	sess_filter_init(&f, 6);
	assert_int_equal(apply(&f, "dst 2001:db8::1", err, sizeof(err)), 0);
	assert_int_equal(apply(&f, "dst 192.0.2.1", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "invalid IPv6 address \"192.0.2.1\"");
	text = printed(&f);
	assert_non_null(strstr(text, "session6 filter:\n"));
	assert_non_null(strstr(text, "dest ip: 2001:db8::1-2001:db8::1\n"));
	free(text);
}

static bool matches(const char *line, const struct li_sess_key *k,
		    const struct li_sess *s)
{
	struct sess_filter f;
	char err[256];

	sess_filter_init(&f, k->family);
	/* "a; b": two commands */
	if (line) {
		char buf[256], *save = NULL, *cmd;

		snprintf(buf, sizeof(buf), "%s", line);
		for (cmd = strtok_r(buf, ";", &save); cmd;
		     cmd = strtok_r(NULL, ";", &save))
			if (apply(&f, cmd, err, sizeof(err)))
				fail_msg("\"%s\": %s", cmd, err);
	}
	return sess_filter_match(&f, k, s);
}

static void test_filter_match(void **state)
{
	struct li_sess_key k, o;
	struct li_sess s, so;

	(void)state;
	/* A remote's: 198.51.100.7:40001 -> 192.0.2.1:53 (original). */
	sess_of(&k, &s, 4, 17, "192.0.2.1", 53, "198.51.100.7", 40001,
		LI_SESS_IN);
	s.policy_id = 7;
	assert_true(matches(NULL, &k, &s));
	assert_true(matches("src 198.51.100.7", &k, &s));
	assert_true(matches("src 198.51.100.0 198.51.100.255", &k, &s));
	assert_false(matches("src 192.0.2.1", &k, &s));
	assert_true(matches("dst 192.0.2.1", &k, &s));
	assert_true(matches("sport 40001", &k, &s));
	assert_true(matches("dport 53", &k, &s));
	assert_false(matches("dport 54", &k, &s));
	assert_true(matches("dport 54; negate dport", &k, &s));
	assert_false(matches("dport 53; negate dport", &k, &s));
	/* Negated twice: as typed. */
	assert_true(matches("dport 53; negate dport; negate dport", &k, &s));
	assert_true(matches("proto 17; policy 7; vd 0", &k, &s));
	assert_false(matches("proto 6", &k, &s));
	assert_false(matches("policy 0", &k, &s));
	/* Every criterion must hold. */
	assert_false(matches("dport 53; sport 1", &k, &s));
	/* The gateway's own: 192.0.2.1:33000 -> 8.8.8.8:53. */
	sess_of(&o, &so, 4, 17, "192.0.2.1", 33000, "8.8.8.8", 53, LI_SESS_OUT);
	assert_true(matches("src 192.0.2.1; sport 33000", &o, &so));
	assert_true(matches("dst 8.8.8.8; dport 53; policy 0", &o, &so));
	assert_false(matches("dport 33000", &o, &so));
	/* ICMP echo: the identifier and the request's type. */
	sess_of(&k, &s, 4, 1, "192.0.2.1", 777, "198.51.100.7", LI_ECHO_THEIRS,
		LI_SESS_IN);
	assert_true(matches("sport 777; dport 8", &k, &s));
	/* session and session6 each list their own. */
	sess_of(&k, &s, 6, 6, "2001:db8::1", 22, "2001:db8::2", 50000,
		LI_SESS_IN);
	assert_true(matches("src 2001:db8::2; dport 22", &k, &s));
	{
		struct sess_filter f4;

		sess_filter_init(&f4, 4);
		assert_false(sess_filter_match(&f4, &k, &s));
	}
}

static char *listed(const struct li_sess_key *k, const struct li_sess *s,
		    __u64 now)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	sess_print(out, k, s, now);
	fclose(out);
	return text;
}

static void test_list_udp_in(void **state)
{
	struct li_sess_key k;
	struct li_sess s;
	char *text;

	(void)state;
	sess_of(&k, &s, 4, 17, "192.0.2.1", 7001, "192.0.2.2", 40001,
		LI_SESS_IN);
	s.pkts[LI_DIR_IN] = 3;
	s.bytes[LI_DIR_IN] = 384;
	s.last_ns = T0 + 10 * NS;
	s.policy_id = 7;
	s.flags = LI_SESS_LOG;
	text = listed(&k, &s, T0 + 12 * NS + 1);
	assert_string_equal(
		text,
		"session info: proto=17 proto_state=00 duration=12 expire=178 timeout=180 flags=00000000 sockflag=00000000 sockport=0 av_idx=0 use=3\n"
		"origin-shaper=\n"
		"reply-shaper=\n"
		"per_ip_shaper=\n"
		"class_id=0 ha_id=0 policy_dir=0 tunnel=/ vlan_cos=0/255\n"
		"state=log local may_dirty\n"
		"statistic(bytes/packets/allow_err): org=384/3/0 reply=0/0/0 tuples=2\n"
		"orgin->sink: org pre->in, reply out->post dev=3->0/0->3 gwy=0.0.0.0/0.0.0.0\n"
		"hook=pre dir=org act=noop 192.0.2.2:40001->192.0.2.1:7001(0.0.0.0:0)\n"
		"hook=post dir=reply act=noop 192.0.2.1:7001->192.0.2.2:40001(0.0.0.0:0)\n"
		"misc=0 policy_id=7 auth_info=0 chk_client_info=0 vd=0\n"
		"serial=1234abcd tos=ff/ff app_list=0 app=0 url_cat=0\n"
		"\n");
	free(text);
}

static void test_list_out_tcp(void **state)
{
	struct li_sess_key k;
	struct li_sess s;
	char *text;

	(void)state;
	/* The gateway's own download: established, then both FINs. */
	sess_of(&k, &s, 4, 6, "192.0.2.1", 33000, "203.0.113.5", 443,
		LI_SESS_OUT);
	s.pkts[LI_DIR_OUT] = 10;
	s.bytes[LI_DIR_OUT] = 900;
	s.pkts[LI_DIR_IN] = 12;
	s.bytes[LI_DIR_IN] = 15000;
	text = listed(&k, &s, T0 + 1 * NS);
	assert_non_null(strstr(
		text,
		"session info: proto=6 proto_state=01 duration=1 expire=3599 timeout=3600 "));
	assert_non_null(strstr(text, "\nstate=local may_dirty\n"));
	assert_non_null(strstr(
		text,
		"statistic(bytes/packets/allow_err): org=900/10/0 reply=15000/12/0 tuples=2\n"));
	assert_non_null(strstr(
		text,
		"orgin->sink: org out->post, reply pre->in dev=3->0/0->3 gwy=0.0.0.0/0.0.0.0\n"));
	assert_non_null(strstr(
		text,
		"hook=out dir=org act=noop 192.0.2.1:33000->203.0.113.5:443(0.0.0.0:0)\n"
		"hook=in dir=reply act=noop 203.0.113.5:443->192.0.2.1:33000(0.0.0.0:0)\n"
		"misc=0 policy_id=0 "));
	free(text);
	s.tcp = LI_SESS_FIN_IN | LI_SESS_FIN_OUT;
	text = listed(&k, &s, T0);
	assert_non_null(
		strstr(text, " proto_state=05 duration=0 expire=1 timeout=1 "));
	free(text);
	s.tcp = LI_SESS_FIN_OUT;
	text = listed(&k, &s, T0);
	assert_non_null(strstr(
		text, " proto_state=04 duration=0 expire=120 timeout=120 "));
	free(text);
	s.tcp = LI_SESS_RST_IN;
	text = listed(&k, &s, T0 + 6 * NS);
	assert_non_null(
		strstr(text, " proto_state=07 duration=6 expire=0 timeout=5 "));
	free(text);
	s.tcp = 0;
	s.pkts[LI_DIR_IN] = 0;
	text = listed(&k, &s, T0);
	assert_non_null(strstr(
		text, " proto_state=02 duration=0 expire=10 timeout=10 "));
	free(text);
}

static void test_list_icmp_v6(void **state)
{
	struct li_sess_key k;
	struct li_sess s;
	char *text;

	(void)state;
	sess_of(&k, &s, 4, 1, "192.0.2.1", 4321, "192.0.2.2", LI_ECHO_THEIRS,
		LI_SESS_IN);
	s.pkts[LI_DIR_IN] = 1;
	s.pkts[LI_DIR_OUT] = 1;
	text = listed(&k, &s, T0);
	assert_non_null(strstr(
		text,
		"session info: proto=1 proto_state=00 duration=0 expire=30 timeout=30 "));
	assert_non_null(strstr(
		text,
		"hook=pre dir=org act=noop 192.0.2.2:4321->192.0.2.1:8(0.0.0.0:0)\n"
		"hook=post dir=reply act=noop 192.0.2.1:4321->192.0.2.2:0(0.0.0.0:0)\n"));
	free(text);
	sess_of(&k, &s, 6, 17, "2001:db8::1", 53, "2001:db8::2", 5353,
		LI_SESS_IN);
	s.pkts[LI_DIR_IN] = 1;
	s.pkts[LI_DIR_OUT] = 1;
	text = listed(&k, &s, T0);
	assert_non_null(strstr(text, " proto_state=01 "));
	assert_non_null(strstr(text, "gwy=::/::\n"));
	assert_non_null(strstr(
		text,
		"hook=pre dir=org act=noop 2001:db8::2:5353->2001:db8::1:53(:::0)\n"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_words),
		cmocka_unit_test(test_filter_abbreviations),
		cmocka_unit_test(test_filter_print),
		cmocka_unit_test(test_filter_match),
		cmocka_unit_test(test_list_udp_in),
		cmocka_unit_test(test_list_out_tcp),
		cmocka_unit_test(test_list_icmp_v6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
