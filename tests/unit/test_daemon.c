// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's parts that need no root and no kernel: the control
 * protocol (request words, answers), the schedule timer at minute
 * boundaries (time zones, DST), the log sink when the disk is full or
 * the reader stops, and the lock path.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "pipeline/pipeline.h"
#include "daemon/ctl.h"
#include "daemon/daemon.h"
#include "daemon/sched.h"
#include "daemon/sink.h"

/* --- control protocol -------------------------------------------------- */

struct parse_case {
	const char *line;
	int err; /* 0 or -EINVAL */
	enum ctl_cmd cmd;
	int argc; /* CTL_FILTER words */
	__u32 count;
	const char *msg; /* expected error text */
	int family;	 /* CTL_SESS_*, CTL_FILTER */
};

static void test_ctl_parse(void **state)
{
	static const struct parse_case cases[] = {
		{ .line = "reload\n", .cmd = CTL_RELOAD },
		{ .line = "  stop  \r\n", .cmd = CTL_STOP },
		{ .line = "status", .cmd = CTL_STATUS },
		{ .line = "rel", .cmd = CTL_RELOAD },
		{ .line = "stat", .cmd = CTL_STATUS },
		{ .line = "st",
		  .err = -EINVAL,
		  .msg = "ambiguous command \"st\"" },
		{ .line = "status now",
		  .err = -EINVAL,
		  .msg = "unexpected \"now\"" },
		{ .line = "", .err = -EINVAL, .msg = "empty request" },
		{ .line = "frobnicate",
		  .err = -EINVAL,
		  .msg = "unknown command \"frobnicate\" (reload, restart, stop, status, diagnose, get or show expected)" },
		{ .line = "restart", .cmd = CTL_RESTART },
		{ .line = "res", .cmd = CTL_RESTART },
		{ .line = "re",
		  .err = -EINVAL,
		  .msg = "ambiguous command \"re\"" },
		{ .line = "restart now",
		  .err = -EINVAL,
		  .msg = "unexpected \"now\"" },
		/* localin cli's staged file (issue 10) */
		{ .line = "apply /etc/localin/.x.conf.cli-1a2b3c",
		  .cmd = CTL_APPLY,
		  .argc = 1 },
		{ .line = "apply x.conf",
		  .err = -EINVAL,
		  .msg = "usage: apply /ABSOLUTE/PATH" },
		{ .line = "apply",
		  .err = -EINVAL,
		  .msg = "usage: apply /ABSOLUTE/PATH" },
		{ .line = "diagnose debug flow filter",
		  .cmd = CTL_FILTER,
		  .family = 4 },
		{ .line = "diagnose debug flow filter saddr 10.0.0.1",
		  .cmd = CTL_FILTER,
		  .argc = 2,
		  .family = 4 },
		{ .line = "diag deb fl fil vd -1",
		  .cmd = CTL_FILTER,
		  .argc = 2,
		  .family = 4 },
		/* filter6 is the IPv6 filter, not filter's */
		{ .line = "diagnose debug flow filter6 daddr 2001:db8::1",
		  .cmd = CTL_FILTER,
		  .argc = 2,
		  .family = 6 },
		{ .line = "diagnose debug flow filter6",
		  .cmd = CTL_FILTER,
		  .family = 6 },
		{ .line = "diagnose debug flow trace start 10",
		  .cmd = CTL_TRACE_START,
		  .count = 10 },
		{ .line = "diag\tdebug\tflow\ttrace\tstart\t4294967295",
		  .cmd = CTL_TRACE_START,
		  .count = 4294967295u },
		{ .line = "diagnose debug flow trace stop",
		  .cmd = CTL_TRACE_STOP },
		{ .line = "diagnose debug flow trace start",
		  .err = -EINVAL,
		  .msg = "trace start needs a packet count" },
		{ .line = "diagnose debug flow trace start 0",
		  .err = -EINVAL,
		  .msg = "invalid packet count \"0\" (1 to 4294967295; a trace runs until its N packets, `trace stop` or `diagnose debug reset`)" },
		{ .line = "diagnose debug flow trace start -3",
		  .err = -EINVAL,
		  .msg = "invalid packet count \"-3\" (1 to 4294967295; a trace runs until its N packets, `trace stop` or `diagnose debug reset`)" },
		{ .line = "diagnose debug flow trace start 4294967296",
		  .err = -EINVAL,
		  .msg = "invalid packet count \"4294967296\" (1 to 4294967295; a trace runs until its N packets, `trace stop` or `diagnose debug reset`)" },
		{ .line = "diagnose debug flow trace start 5 6",
		  .err = -EINVAL,
		  .msg = "unexpected \"6\"" },
		{ .line = "diagnose debug flow trace stop now",
		  .err = -EINVAL,
		  .msg = "unexpected \"now\"" },
		{ .line = "diagnose debug flow",
		  .err = -EINVAL,
		  .msg = "incomplete command: \"filter\", \"filter6\", \"trace\" or \"show\" expected" },
		{ .line = "diagnose debug",
		  .err = -EINVAL,
		  .msg = "incomplete command: \"flow\", \"enable\", \"disable\", \"reset\" or \"console\" expected" },
		{ .line = "diagnose sys flow",
		  .err = -EINVAL,
		  .msg = "unknown command \"flow\" (\"session\", \"session6\" or \"external-address-resource\" expected)" },
		{ .line = "diagnose system flow",
		  .err = -EINVAL,
		  .msg = "unknown command \"system\" (\"debug\", \"vpn\", \"sys\" or \"firewall\" expected)" },
		{ .line = "diagnose sys session list",
		  .cmd = CTL_SESS_LIST,
		  .family = 4 },
		{ .line = "diag sys session6 li",
		  .cmd = CTL_SESS_LIST,
		  .family = 6 },
		{ .line = "diag sys session cl",
		  .cmd = CTL_SESS_CLEAR,
		  .family = 4 },
		{ .line = "diagnose sys session filter",
		  .cmd = CTL_SESS_FILTER,
		  .family = 4 },
		{ .line = "diagnose sys session filter dport 53 54",
		  .cmd = CTL_SESS_FILTER,
		  .family = 4,
		  .argc = 3 },
		{ .line = "diagnose sys session",
		  .err = -EINVAL,
		  .msg = "incomplete command: \"list\", \"clear\" or \"filter\" expected" },
		{ .line = "diag sys sess list",
		  .cmd = CTL_SESS_LIST,
		  .family = 4 },
		{ .line = "diag sys session6 filter src ::1",
		  .cmd = CTL_SESS_FILTER,
		  .family = 6,
		  .argc = 2 },
		{ .line = "diagnose sys session list all",
		  .err = -EINVAL,
		  .msg = "unexpected \"all\"" },
		{ .line = "diagnose sys session clear now",
		  .err = -EINVAL,
		  .msg = "unexpected \"now\"" },
		{ .line = "diagnose vpn tunnel list",
		  .cmd = CTL_VPN_TUNNEL_LIST },
		{ .line = "diag vpn tun li name lab",
		  .cmd = CTL_VPN_TUNNEL_LIST,
		  .argc = 1 },
		{ .line = "diagnose vpn tunnel list name",
		  .err = -EINVAL,
		  .msg = "name needs a tunnel name" },
		{ .line = "diagnose vpn tunnel list name a b",
		  .err = -EINVAL,
		  .msg = "unexpected \"b\"" },
		{ .line = "diagnose vpn tunnel",
		  .err = -EINVAL,
		  .msg = "incomplete command: \"list\" expected" },
		{ .line = "diagnose debug flow trace",
		  .err = -EINVAL,
		  .msg = "incomplete command: \"start\" or \"stop\" expected" },
		{ .line = "diagnose debug flow trace st 3",
		  .err = -EINVAL,
		  .msg = "ambiguous command \"st\"" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct parse_case *c = &cases[i];
		char line[256], *argv[CTL_MAX_WORDS], err[256] = "";
		struct ctl_req r;
		int argc, ret;

		snprintf(line, sizeof(line), "%s", c->line);
		argc = ctl_split(line, argv, CTL_MAX_WORDS);
		assert_true(argc >= 0);
		ret = ctl_parse(argc, argv, &r, err, sizeof(err));
		if (ret != c->err || (c->msg && strcmp(err, c->msg)))
			fail_msg("\"%s\": %d \"%s\"", c->line, ret, err);
		if (ret)
			continue;
		assert_int_equal(r.cmd, c->cmd);
		if (c->cmd == CTL_FILTER || c->cmd == CTL_VPN_TUNNEL_LIST ||
		    c->cmd == CTL_SESS_FILTER)
			assert_int_equal(r.argc, c->argc);
		if (c->cmd == CTL_SESS_LIST || c->cmd == CTL_SESS_CLEAR ||
		    c->cmd == CTL_SESS_FILTER || c->cmd == CTL_FILTER)
			assert_int_equal(r.family, c->family);
		if (c->cmd == CTL_TRACE_START)
			assert_int_equal(r.count, c->count);
	}
}

static void test_ctl_filter_words(void **state)
{
	char line[] = "diagnose debug flow filter negate daddr 192.0.2.1\n";
	char *argv[CTL_MAX_WORDS], err[64];
	struct ctl_req r;
	int argc = ctl_split(line, argv, CTL_MAX_WORDS);

	assert_int_equal(argc, 7);
	assert_int_equal(ctl_parse(argc, argv, &r, err, sizeof(err)), 0);
	assert_int_equal(r.argc, 3);
	assert_string_equal(r.argv[0], "negate");
	assert_string_equal(r.argv[2], "192.0.2.1");
}

static void test_ctl_split_limit(void **state)
{
	char line[CTL_MAX_WORDS * 2 + 8], *argv[CTL_MAX_WORDS];
	int i;

	for (i = 0; i < CTL_MAX_WORDS + 1; i++)
		memcpy(line + 2 * i, "a ", 2);
	line[2 * (CTL_MAX_WORDS + 1)] = '\0';
	assert_int_equal(ctl_split(line, argv, CTL_MAX_WORDS), -E2BIG);
	snprintf(line, sizeof(line), " \t \n");
	assert_int_equal(ctl_split(line, argv, CTL_MAX_WORDS), 0);
}

static void test_ctl_answers(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	unsigned int count;
	bool ok;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(ctl_write_answer(f, true, "", 0), 0);
	assert_int_equal(ctl_write_answer(f, false, "bad\nworse", 9), 0);
	assert_int_equal(ctl_write_answer(f, true, "a\nb\n", 4), 0);
	fclose(f);
	assert_string_equal(buf, "ok 0\nerror 2\nbad\nworse\nok 2\na\nb\n");
	free(buf);

	assert_int_equal(ctl_parse_head("ok 0\n", &ok, &count), 0);
	assert_true(ok);
	assert_int_equal(count, 0);
	assert_int_equal(ctl_parse_head("error 12\n", &ok, &count), 0);
	assert_false(ok);
	assert_int_equal(count, 12);
	assert_int_equal(ctl_parse_head("ok 3", &ok, &count), 0);
	assert_int_equal(ctl_parse_head("ok\n", &ok, &count), -EPROTO);
	assert_int_equal(ctl_parse_head("ok -1\n", &ok, &count), -EPROTO);
	assert_int_equal(ctl_parse_head("ok 1x\n", &ok, &count), -EPROTO);
	assert_int_equal(ctl_parse_head("OK 1\n", &ok, &count), -EPROTO);
	assert_int_equal(ctl_parse_head("ok 99999999999\n", &ok, &count),
			 -EPROTO);
	assert_int_equal(ctl_count_lines("", 0), 0);
	assert_int_equal(ctl_count_lines("x", 1), 1);
	assert_int_equal(ctl_count_lines("x\n\n", 3), 2);
}

/* The FortiOS commands of issue 10: debug, iprope, get/show, json. */
struct fos_case {
	const char *line;
	int err;
	enum ctl_cmd cmd;
	bool on, keep, json, has_id;
	__u32 id;
	const char *msg;
};

static void test_ctl_parse_fortios(void **state)
{
	static const struct fos_case cases[] = {
		{ .line = "diagnose debug enable", .cmd = CTL_DEBUG_ENABLE },
		{ .line = "diag deb en", .cmd = CTL_DEBUG_ENABLE },
		{ .line = "diagnose debug enable keep",
		  .cmd = CTL_DEBUG_ENABLE,
		  .keep = true },
		{ .line = "diagnose debug enable now",
		  .err = -EINVAL,
		  .msg = "unknown command \"now\" (\"keep\" expected)" },
		{ .line = "diagnose debug disable", .cmd = CTL_DEBUG_DISABLE },
		{ .line = "diagnose debug reset", .cmd = CTL_DEBUG_RESET },
		{ .line = "diagnose debug reset all",
		  .err = -EINVAL,
		  .msg = "unexpected \"all\"" },
		{ .line = "diagnose debug console timestamp enable",
		  .cmd = CTL_DEBUG_TIMESTAMP,
		  .on = true },
		{ .line = "diag debug console timestamp dis",
		  .cmd = CTL_DEBUG_TIMESTAMP },
		{ .line = "diagnose debug console timestamp",
		  .err = -EINVAL,
		  .msg = "incomplete command: \"enable\" or \"disable\" expected" },
		{ .line = "diagnose debug flow show function-name enable",
		  .cmd = CTL_FLOW_SHOW_FUNC,
		  .on = true },
		{ .line = "diagnose debug flow show iprope disable",
		  .cmd = CTL_FLOW_SHOW_IPROPE },
		{ .line = "diagnose debug flow show console enable",
		  .err = -EINVAL,
		  .msg = "unknown command \"console\" (\"function-name\" or \"iprope\" expected)" },
		{ .line = "diagnose firewall iprope list",
		  .cmd = CTL_IPROPE_LIST },
		{ .line = "diagnose firewall iprope list 100001",
		  .cmd = CTL_IPROPE_LIST },
		{ .line = "diagnose firewall iprope list 100004",
		  .err = -EINVAL,
		  .msg = "no policy group \"100004\": localin has only 100001 (the local-in policies)" },
		{ .line = "diagnose firewall iprope show 100001 7",
		  .cmd = CTL_IPROPE_SHOW,
		  .has_id = true,
		  .id = 7 },
		{ .line = "diagnose firewall iprope show 100001",
		  .err = -EINVAL,
		  .msg = "incomplete command: a policy id expected" },
		{ .line = "diagnose firewall iprope show 100001 x",
		  .err = -EINVAL,
		  .msg = "invalid policy id \"x\"" },
		{ .line = "diagnose firewall iprope clear 100001",
		  .cmd = CTL_IPROPE_CLEAR },
		/* the dynamic addresses' lists, abbreviated too (and so in the
		 * console, which asks ctl_parse before the daemon) */
		{ .line = "diagnose firewall fqdn list", .cmd = CTL_FQDN_LIST },
		{ .line = "diag fire fqdn li", .cmd = CTL_FQDN_LIST },
		{ .line = "diagnose firewall fqdn list x",
		  .err = -EINVAL,
		  .msg = "unexpected \"x\"" },
		{ .line = "diagnose firewall fqdn",
		  .err = -EINVAL,
		  .msg = "incomplete command: \"list\" expected" },
		{ .line = "diagnose firewall nosuch list",
		  .err = -EINVAL,
		  .msg = "unknown command \"nosuch\" (\"iprope\" or \"fqdn\" expected)" },
		{ .line = "diagnose sys external-address-resource list",
		  .cmd = CTL_FEED_LIST },
		{ .line = "diag sys ext list", .cmd = CTL_FEED_LIST },
		{ .line = "json diagnose firewall fqdn list",
		  .cmd = CTL_FQDN_LIST,
		  .json = true },
		{ .line = "json diagnose sys external-address-resource list",
		  .cmd = CTL_FEED_LIST,
		  .json = true },
		{ .line = "get system status", .cmd = CTL_GET_SYS_STATUS },
		{ .line = "get sys perf stat", .cmd = CTL_GET_SYS_PERF },
		{ .line = "get firewall local-in-policy",
		  .cmd = CTL_GET_LOCALIN },
		{ .line = "get firewall local-in-policy 3",
		  .cmd = CTL_GET_LOCALIN,
		  .has_id = true,
		  .id = 3 },
		{ .line = "show firewall local-in-policy 3",
		  .cmd = CTL_SHOW_LOCALIN,
		  .has_id = true,
		  .id = 3 },
		{ .line = "show system status",
		  .err = -EINVAL,
		  .msg = "unknown command \"system\" (\"firewall\" expected)" },
		{ .line = "json status", .cmd = CTL_STATUS, .json = true },
		{ .line = "json get system status",
		  .cmd = CTL_GET_SYS_STATUS,
		  .json = true },
		{ .line = "json diagnose debug flow filter",
		  .cmd = CTL_FILTER,
		  .json = true },
		{ .line = "json diagnose debug flow filter clear",
		  .err = -EINVAL,
		  .msg = "this request has no JSON form" },
		{ .line = "json diagnose vpn tunnel list",
		  .cmd = CTL_VPN_TUNNEL_LIST,
		  .json = true },
		{ .line = "json diagnose sys session6 list",
		  .cmd = CTL_SESS_LIST,
		  .json = true },
		{ .line = "json diagnose sys session6 filter",
		  .cmd = CTL_SESS_FILTER,
		  .json = true },
		{ .line = "json diagnose sys session filter src 10.0.0.1",
		  .err = -EINVAL,
		  .msg = "this request has no JSON form" },
		{ .line = "json diagnose sys session clear",
		  .err = -EINVAL,
		  .msg = "this request has no JSON form" },
		{ .line = "json reload",
		  .err = -EINVAL,
		  .msg = "this request has no JSON form" },
		{ .line = "json", .err = -EINVAL, .msg = "empty request" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct fos_case *c = &cases[i];
		char line[256], *argv[CTL_MAX_WORDS], err[256] = "";
		struct ctl_req r;
		int argc, ret;

		snprintf(line, sizeof(line), "%s", c->line);
		argc = ctl_split(line, argv, CTL_MAX_WORDS);
		ret = ctl_parse(argc, argv, &r, err, sizeof(err));
		if (ret != c->err || (c->msg && strcmp(err, c->msg)))
			fail_msg("\"%s\": %d \"%s\"", c->line, ret, err);
		if (ret)
			continue;
		if (r.cmd != c->cmd || r.on != c->on || r.keep != c->keep ||
		    r.json != c->json || r.has_id != c->has_id || r.id != c->id)
			fail_msg(
				"\"%s\": cmd %d on %d keep %d json %d id %d/%u",
				c->line, r.cmd, r.on, r.keep, r.json, r.has_id,
				r.id);
	}
}

/* The stream's frames (ctl.h), and the old heads read the same way. */
static void test_ctl_frames(void **state)
{
	static const struct {
		const char *line;
		int err;
		enum ctl_frame kind;
		unsigned int count;
	} cases[] = {
		{ "ok 2\n", 0, CTL_FR_OK, 2 },
		{ "error 1\n", 0, CTL_FR_ERROR, 1 },
		{ "stream 0\n", 0, CTL_FR_STREAM, 0 },
		{ "stream 1\n", 0, CTL_FR_STREAM, 1 },
		{ "data 3\n", 0, CTL_FR_DATA, 3 },
		{ "lost 10088\n", 0, CTL_FR_LOST, 10088 },
		{ "end 1\n", 0, CTL_FR_END, 1 },
		{ "end\n", -EPROTO, CTL_FR_OK, 0 },
		{ "data x\n", -EPROTO, CTL_FR_OK, 0 },
		{ "data 1 2\n", -EPROTO, CTL_FR_OK, 0 },
		{ "id=20085 trace_id=1 msg=\"x\"\n", -EPROTO, CTL_FR_OK, 0 },
		{ "lost 99999999999\n", -EPROTO, CTL_FR_OK, 0 },
	};
	enum ctl_frame kind;
	unsigned int count;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = ctl_parse_frame(cases[i].line, &kind, &count);

		if (ret != cases[i].err)
			fail_msg("\"%s\": %d", cases[i].line, ret);
		if (ret)
			continue;
		assert_int_equal(kind, cases[i].kind);
		assert_int_equal(count, cases[i].count);
	}
}

static void test_lock_path(void **state)
{
	char buf[64];

	assert_int_equal(
		daemon_lock_path("/run/localin.sock", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/run/localin.lock");
	assert_int_equal(daemon_lock_path("/tmp/ctl", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/tmp/ctl.lock");
	assert_int_equal(daemon_lock_path(".sock", buf, sizeof(buf)), 0);
	assert_string_equal(buf, ".sock.lock");
	assert_int_equal(daemon_lock_path("/run/localin.sock", buf, 17),
			 -ENAMETOOLONG);
}

/* --- schedule timer ----------------------------------------------------- */

static void set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static struct timespec at(time_t sec, long nsec)
{
	struct timespec ts = { .tv_sec = sec, .tv_nsec = nsec };

	return ts;
}

static void test_local_minute(void **state)
{
	/* 2023-11-14 22:13:20.250 UTC */
	struct timespec t = at(1700000000, 250000000);
	__s64 m;
	int ms;

	set_tz("UTC");
	assert_int_equal(sched_local_minute(&t, &m, &ms), 0);
	assert_int_equal(m, civil_minutes(2023, 11, 14, 22, 13));
	assert_int_equal(ms, 39750);
	/* +0545: the same instant is 04:58:20 the next day. */
	set_tz("Asia/Kathmandu");
	assert_int_equal(sched_local_minute(&t, &m, &ms), 0);
	assert_int_equal(m, civil_minutes(2023, 11, 15, 3, 58));
	assert_int_equal(ms, 39750);
	/* The last millisecond of a minute, and the first of the next. */
	t = at(1700000039, 999999999);
	assert_int_equal(sched_local_minute(&t, &m, &ms), 0);
	assert_int_equal(m, civil_minutes(2023, 11, 15, 3, 58));
	assert_int_equal(ms, 1); /* rounded up: the wake-up is never early */
	t = at(1700000000 + 40, 0);
	assert_int_equal(sched_local_minute(&t, &m, &ms), 0);
	assert_int_equal(m, civil_minutes(2023, 11, 15, 3, 59));
	assert_int_equal(ms, 60000);
}

static const char sched_conf[] =
	"config firewall schedule recurring\n"
	"    edit \"morning\"\n"
	"        set day sunday monday tuesday wednesday thursday friday saturday\n"
	"        set start 03:00\n"
	"        set end 04:00\n"
	"    next\n"
	"end\n"
	"config firewall local-in-policy\n"
	"    edit 1\n"
	"        set intf \"wan1\"\n"
	"        set srcaddr \"all\"\n"
	"        set dstaddr \"all\"\n"
	"        set service \"ALL\"\n"
	"        set schedule \"morning\"\n"
	"    next\n"
	"    edit 2\n"
	"        set intf \"wan1\"\n"
	"        set srcaddr \"all\"\n"
	"        set dstaddr \"all\"\n"
	"        set service \"ALL\"\n"
	"        set schedule \"always\"\n"
	"    next\n"
	"    edit 3\n"
	"        set status disable\n"
	"        set intf \"wan1\"\n"
	"        set srcaddr \"all\"\n"
	"        set dstaddr \"all\"\n"
	"        set service \"ALL\"\n"
	"        set schedule \"always\"\n"
	"    next\n"
	"end\n";

static __u64 mask_at(struct sched_state *s, const struct li_ruleset *rs,
		     time_t sec, long nsec, bool changed[2])
{
	struct timespec t = at(sec, nsec);
	__s64 m;
	int ms;

	assert_int_equal(sched_local_minute(&t, &m, &ms), 0);
	sched_update(s, rs, m, changed);
	return s->mask[0][0];
}

/*
 * Europe/Berlin, 2024-03-31: clocks go from 02:00 to 03:00 at 01:00 UTC.
 * "morning" (03:00-04:00 local) starts with the first minute of summer
 * time, not an hour later; policy 3 is disabled and never in the mask.
 */
static void test_sched_boundaries_dst(void **state)
{
	const time_t jump = 1711846800; /* 2024-03-31 01:00:00 UTC */
	struct sched_state s;
	struct pipeline p;
	bool changed[2];

	assert_int_equal(pipeline_load_mem(&p, "sched.conf", sched_conf,
					   sizeof(sched_conf) - 1,
					   STAGE_COMPILE),
			 0);
	set_tz("Europe/Berlin");
	assert_int_equal(sched_state_init(&s, &p.rs), 0);
	assert_int_equal(s.words[0], 1);

	assert_int_equal(mask_at(&s, &p.rs, jump - 1, 999999999, changed), 0x2);
	assert_true(changed[0] && changed[1]); /* the first computation */
	assert_int_equal(mask_at(&s, &p.rs, jump - 1, 999999999, changed), 0x2);
	assert_false(changed[0] || changed[1]);
	assert_int_equal(mask_at(&s, &p.rs, jump, 0, changed), 0x3);
	assert_true(changed[0]);
	assert_false(changed[1]);
	assert_int_equal(mask_at(&s, &p.rs, jump + 3599, 999999999, changed),
			 0x3);
	assert_false(changed[0]);
	assert_int_equal(mask_at(&s, &p.rs, jump + 3600, 0, changed), 0x2);
	assert_true(changed[0]);
	/* The same local 03:00 the day before was in winter time. */
	assert_int_equal(mask_at(&s, &p.rs, jump - 86400 + 3600, 0, changed),
			 0x3);
	assert_int_equal(mask_at(&s, &p.rs, jump - 86400, 0, changed), 0x2);

	sched_state_free(&s);
	pipeline_free(&p);
}

/* The mask follows the zone: 03:00 in Kathmandu is 21:15 UTC. */
static void test_sched_zone(void **state)
{
	const time_t t0 = 1699996500; /* 2023-11-14 21:15:00 UTC */
	struct sched_state s;
	struct pipeline p;
	bool changed[2];

	assert_int_equal(pipeline_load_mem(&p, "sched.conf", sched_conf,
					   sizeof(sched_conf) - 1,
					   STAGE_COMPILE),
			 0);
	assert_int_equal(sched_state_init(&s, &p.rs), 0);
	set_tz("Asia/Kathmandu");
	assert_int_equal(mask_at(&s, &p.rs, t0 - 1, 0, changed), 0x2);
	assert_int_equal(mask_at(&s, &p.rs, t0, 0, changed), 0x3);
	set_tz("UTC");
	assert_int_equal(mask_at(&s, &p.rs, t0, 0, changed), 0x2);
	sched_state_free(&s);
	pipeline_free(&p);
}

/* --- log sink ----------------------------------------------------------- */

static char *slurp(const char *path)
{
	static char buf[4096];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

static int says;

static void count_say(const char *fmt, ...)
{
	(void)fmt;
	says++;
}

/*
 * A full disk (/dev/full) loses lines without failing the daemon; once
 * writes work again, the first line says how many were lost.
 */
static void test_sink_full_then_recovers(void **state)
{
	char path[] = "/tmp/localin-sink-XXXXXX";
	struct log_sink s;
	int tmp = mkstemp(path), full;

	assert_true(tmp >= 0);
	close(tmp);
	tmp = open(path, O_WRONLY | O_APPEND);
	assert_true(tmp >= 0);
	full = open("/dev/full", O_WRONLY);
	if (full < 0)
		skip();
	says = 0;
	assert_int_equal(sink_open(&s, path, count_say), 0);
	assert_int_equal(sink_write(&s, "one\n", 4, 1), 0);
	dup2(full, s.fd); /* the disk fills up */
	assert_int_equal(sink_write(&s, "two\n", 4, 1), -ENOSPC);
	assert_int_equal(sink_write(&s, "3a\n3b\n", 6, 2), -ENOSPC);
	assert_int_equal(s.lost, 3);
	assert_int_equal(s.lost_pending, 3);
	dup2(tmp, s.fd); /* space again */
	assert_int_equal(sink_write(&s, "four\n", 5, 1), 0);
	assert_int_equal(s.lines, 2); /* one, four: the note is not counted */
	assert_int_equal(s.lost_pending, 0);
	assert_int_equal(sink_pending(&s), 0);
	assert_string_equal(
		slurp(path),
		"one\nlocalin: 3 log lines lost (No space left on device)\nfour\n");
	/* The failure was said once, and the recovery once. */
	assert_int_equal(says, 2);
	sink_close(&s);
	close(full);
	close(tmp);
	unlink(path);
}

/* Everything a pipe holds, read without waiting. */
static size_t read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while (len < size && (n = read(fd, buf + len, size - len)) > 0)
		len += (size_t)n;
	return len;
}

/*
 * A reader that stops: nothing blocks, whole records wait in the queue
 * up to SINK_QUEUE_MAX, the next are dropped and counted; once the reader
 * reads again, every record queued arrives whole and in order, then the
 * note, then what comes after.
 */
static void test_sink_slow_reader(void **state)
{
	static char got[SINK_QUEUE_MAX + 65536];
	char rec[1000];
	unsigned int queued = 0, i;
	struct pollfd pfd;
	struct log_sink s;
	int fds[2], r;
	size_t len = 0;
	char *p;

	assert_int_equal(pipe2(fds, O_NONBLOCK), 0);
	if (fcntl(fds[1], F_SETPIPE_SZ, 4096) < 0)
		skip();
	says = 0;
	assert_int_equal(sink_open(&s, "/dev/null", count_say), 0);
	dup2(fds[1], s.fd);
	memset(rec, 'x', sizeof(rec));
	rec[sizeof(rec) - 1] = '\n';
	while ((r = sink_write(&s, rec, sizeof(rec), 1)) == 0)
		queued++;
	assert_int_equal(r, -ENOBUFS);
	assert_true(queued * sizeof(rec) > SINK_QUEUE_MAX);
	assert_int_equal(sink_write(&s, rec, sizeof(rec), 1), -ENOBUFS);
	assert_int_equal(sink_write(&s, rec, sizeof(rec), 1), -ENOBUFS);
	assert_int_equal(s.lost, 3);
	assert_int_equal(says, 1);
	assert_int_equal(sink_pollfd(&s, &pfd), 1);
	assert_int_equal(pfd.events, POLLOUT);
	/* The reader reads again. */
	for (i = 0; i < 1000 && sink_pending(&s); i++) {
		len += read_all(fds[0], got + len, sizeof(got) - len);
		sink_flush(&s);
	}
	assert_int_equal(sink_pending(&s), 0);
	assert_int_equal(sink_write(&s, "after\n", 6, 1), 0);
	len += read_all(fds[0], got + len, sizeof(got) - len - 1);
	got[len] = '\0';
	for (i = 0, p = got; i < queued; i++, p += sizeof(rec))
		assert_memory_equal(p, rec, sizeof(rec));
	assert_string_equal(
		p, "localin: 3 log lines lost (not read in time)\nafter\n");
	assert_int_equal(s.lines, queued + 1); /* not the note */
	assert_int_equal(says, 2);
	assert_int_equal(sink_pollfd(&s, &pfd), 0);
	sink_close(&s);
	close(fds[0]);
	close(fds[1]);
}

/*
 * The reader goes away with a line half written and more queued: those
 * are lost; the line cut short is ended before the note and what follows
 * (here in a file, as after a reopen).
 */
static void test_sink_partial_line(void **state)
{
	char path[] = "/tmp/localin-sink-XXXXXX", line[5000], fill[4096];
	int fds[2], tmp = mkstemp(path);
	struct log_sink s;

	assert_true(tmp >= 0);
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(sink_open(&s, path, NULL), 0);
	assert_int_equal(pipe2(fds, O_NONBLOCK), 0);
	if (fcntl(fds[1], F_SETPIPE_SZ, 8192) != 8192)
		skip();
	memset(fill, 'x', sizeof(fill));
	assert_int_equal(write(fds[1], fill, sizeof(fill)),
			 (ssize_t)sizeof(fill));
	memset(line, 'y', sizeof(line));
	line[sizeof(line) - 1] = '\n';
	dup2(fds[1], s.fd);
	/* One page of it goes in, the rest waits, and so does "b". */
	assert_int_equal(sink_write(&s, line, sizeof(line), 1), 0);
	assert_int_equal(sink_write(&s, "b\n", 2, 1), 0);
	assert_true(s.mid_line);
	close(fds[0]); /* the reader is gone */
	assert_int_equal(sink_flush(&s), -EPIPE);
	assert_int_equal(s.lost, 2);
	assert_true(s.cut);
	dup2(tmp, s.fd);
	assert_int_equal(sink_write(&s, "next\n", 5, 1), 0);
	assert_false(s.cut);
	assert_string_equal(
		slurp(path),
		"\nlocalin: 2 log lines lost (Broken pipe)\nnext\n");
	sink_close(&s);
	close(fds[1]);
	close(tmp);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ctl_parse),
		cmocka_unit_test(test_ctl_filter_words),
		cmocka_unit_test(test_ctl_split_limit),
		cmocka_unit_test(test_ctl_answers),
		cmocka_unit_test(test_ctl_parse_fortios),
		cmocka_unit_test(test_ctl_frames),
		cmocka_unit_test(test_lock_path),
		cmocka_unit_test(test_local_minute),
		cmocka_unit_test(test_sched_boundaries_dst),
		cmocka_unit_test(test_sched_zone),
		cmocka_unit_test(test_sink_full_then_recovers),
		cmocka_unit_test(test_sink_slow_reader),
		cmocka_unit_test(test_sink_partial_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
