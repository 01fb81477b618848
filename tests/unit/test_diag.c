// SPDX-License-Identifier: GPL-2.0
/*
 * The FortiOS read commands' text and JSON (daemon/diag_fmt.h) on the
 * seed's config: iprope list's entry (the address group flattened, the
 * exclusion taken out), get's field lines, show of one entry, the
 * policy and filter JSON, strings escaped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "conf/printer.h"
#include "pipeline/pipeline.h"
#include "trace/filter.h"
#include "daemon/diag_fmt.h"
#include "daemon/sess_diag.h"
#include "seed_conf.h"

/* A second policy: disabled, with a comment that needs its quotes. */
#define POLICY7                                     \
	"    edit 7\n"                              \
	"        set intf \"any\"\n"                \
	"        set srcaddr \"remote-vpn\"\n"      \
	"        set dstaddr \"all\"\n"             \
	"        set action accept\n"               \
	"        set service \"PING\"\n"            \
	"        set schedule \"always\"\n"         \
	"        set status disable\n"              \
	"        set comments \"say \\\"hi\\\"\"\n" \
	"    next\n"

static const char seed[] = SEED_CONF_POLICY1("203.0.113.10") POLICY7 "end\n";

struct text {
	char *buf;
	size_t len;
	FILE *f;
};

static void text_open(struct text *t)
{
	t->buf = NULL;
	t->len = 0;
	t->f = open_memstream(&t->buf, &t->len);
	assert_non_null(t->f);
}

static void text_is(struct text *t, const char *want)
{
	fclose(t->f);
	assert_string_equal(t->buf, want);
	free(t->buf);
}

static int setup(void **state)
{
	struct pipeline *p = malloc(sizeof(*p));

	if (!p || pipeline_load_mem(p, "seed.conf", seed, sizeof(seed) - 1,
				    STAGE_RESOLVE))
		return -1;
	*state = p;
	return 0;
}

static int teardown(void **state)
{
	pipeline_free(*state);
	free(*state);
	return 0;
}

static const struct obj_policy *policy(void **state, size_t k)
{
	struct pipeline *p = *state;

	assert_true(k < p->objs.nr_policies4);
	return p->objs.policies4[k];
}

static void test_iprope_entry(void **state)
{
	struct text t;

	text_open(&t);
	diag_fmt_iprope(t.f, policy(state, 0), 1, 42);
	text_is(&t,
		"policy index=1 uuid_idx=1 action=drop\n"
		"flag (0):\n"
		"flag3 (20): schedule(always)\n"
		"zone(1): wan1 -> zone(1): local\n"
		"source(2): 0.0.0.0-203.0.113.9, 203.0.113.11-255.255.255.255\n"
		"dest(1): 0.0.0.0-255.255.255.255\n"
		"service(2):\n"
		" [17:0x0:0/(0,65535)->(500,500)]\n"
		" [17:0x0:0/(0,65535)->(4500,4500)]\n"
		"hit count:42\n");
	text_open(&t);
	diag_fmt_iprope(t.f, policy(state, 1), 2, 0);
	text_is(&t,
		"policy index=7 uuid_idx=2 action=accept (status disable: not checked)\n"
		"flag (0):\n"
		"flag3 (20): schedule(always)\n"
		"zone(1): any -> zone(1): local\n"
		"source(1): 203.0.113.10-203.0.113.10\n"
		"dest(1): 0.0.0.0-255.255.255.255\n"
		"service(1):\n"
		" [1:0x0:0/(0,65535)->(2048,2303)]\n"
		"hit count:0\n");
}

static void test_get_policy(void **state)
{
	struct text t;

	text_open(&t);
	diag_fmt_get_policy(t.f, policy(state, 1));
	fclose(t.f);
	/* the uuid line varies with nothing set: not compared */
	assert_non_null(strstr(t.buf, "policyid            : 7\n"));
	assert_non_null(strstr(t.buf, "intf                : \"any\"\n"
				      "srcaddr             : \"remote-vpn\"\n"
				      "srcaddr-negate      : disable\n"));
	assert_non_null(strstr(t.buf, "action              : accept\n"));
	assert_non_null(strstr(t.buf, "status              : disable\n"));
	free(t.buf);
}

static void test_show_entry(void **state)
{
	struct conf_print_opts po = { .section = "firewall local-in-policy" };
	struct pipeline *p = *state;
	struct text all, one;

	text_open(&all);
	assert_int_equal(conf_print(&p->tree, &po, all.f), 0);
	fclose(all.f);
	text_open(&one);
	assert_true(diag_fmt_show_entry(one.f, all.buf, 1) > 0);
	text_is(&one, "config firewall local-in-policy\n"
		      "    edit 1\n"
		      "        set intf \"wan1\"\n"
		      "        set srcaddr \"All_exceptions\"\n"
		      "        set dstaddr \"all\"\n"
		      "        set service \"IKE\"\n"
		      "        set schedule \"always\"\n"
		      "    next\n"
		      "end\n");
	text_open(&one);
	assert_int_equal(diag_fmt_show_entry(one.f, all.buf, 2), 0);
	assert_int_equal(diag_fmt_show_entry(one.f, all.buf, 70), 0);
	text_is(&one, "");
	free(all.buf);
}

static void test_policy_json(void **state)
{
	struct text t;

	text_open(&t);
	diag_fmt_policy_json(t.f, policy(state, 1), 2, 5);
	text_is(&t,
		"{\"id\":7,\"family\":4,\"order\":2,\"action\":\"accept\",\"status\":\"disable\","
		"\"intf\":[\"any\"],\"srcaddr\":[\"remote-vpn\"],\"srcaddr_negate\":false,"
		"\"dstaddr\":[\"all\"],\"dstaddr_negate\":false,\"service\":[\"PING\"],"
		"\"service_negate\":false,\"schedule\":\"always\","
		"\"comments\":\"say \\\"hi\\\"\",\"hits\":5}");
}

static void test_json_str_and_filter(void **state)
{
	const char *words[] = { "addr", "10.0.0.1", "10.0.0.9", "and" };
	const char *dport[] = { "dport", "500" };
	struct flow_filter f[FLOW_NR_FILTERS];
	char err[64];
	struct text t;

	(void)state;
	text_open(&t);
	diag_json_str(t.f, "a\"b\\c\x1b\n");
	diag_json_str(t.f, NULL);
	text_is(&t, "\"a\\\"b\\\\c\\u001b\\u000a\"null");
	/* UTF-8 as it is; a byte that is not UTF-8 is U+FFFD (RFC 8259). */
	text_open(&t);
	diag_json_str(
		t.f,
		"caf\xc3\xa9 \xff\xfe \xc0\xaf \xed\xa0\x80 \xf0\x9f\x98\x80");
	text_is(&t, "\"caf\xc3\xa9 \\ufffd\\ufffd \\ufffd\\ufffd "
		    "\\ufffd\\ufffd\\ufffd \xf0\x9f\x98\x80\"");
	flow_filters_init(f);
	assert_int_equal(flow_filter_parse(&f[FLOW_FILTER4], 4, words, NULL,
					   err, sizeof(err)),
			 0);
	assert_int_equal(flow_filter_parse(&f[FLOW_FILTER4], 2, dport, NULL,
					   err, sizeof(err)),
			 0);
	text_open(&t);
	diag_fmt_filter_json(t.f, f, FLOW_FILTER4);
	text_is(&t,
		"{\"localin\":1,\"family\":4,\"left_out\":false,\"filter\":{\"vd\":null,\"proto\":null,"
		"\"addr\":{\"from\":\"10.0.0.1\",\"to\":\"10.0.0.9\",\"mode\":\"and\",\"negate\":false},"
		"\"saddr\":null,\"daddr\":null,\"port\":null,\"sport\":null,"
		"\"dport\":{\"from\":500,\"to\":500,\"negate\":false}}}\n");
	/* filter6, empty while filter is set, traces no IPv6 packet */
	text_open(&t);
	diag_fmt_filter_json(t.f, f, FLOW_FILTER6);
	text_is(&t,
		"{\"localin\":1,\"family\":6,\"left_out\":true,\"filter\":{\"vd\":null,\"proto\":null,"
		"\"addr\":null,\"saddr\":null,\"daddr\":null,\"port\":null,\"sport\":null,"
		"\"dport\":null}}\n");
	text_open(&t);
	diag_fmt_uptime(t.f, 2 * 86400 + 3 * 3600 + 4 * 60 + 5);
	text_is(&t, "2 days, 3 hours, 4 minutes, 5 seconds");
}

/*
 * The wall clock set back an hour after the daemon started: the uptime is
 * the monotonic one, not now - started (negative, printed as 0).
 */
static void test_uptime_clock_set_back(void **state)
{
	struct diag_perf s = { .started = 1790003600,
			       .now = 1790000120,
			       .uptime = 120 };
	struct text t;

	(void)state;
	text_open(&t);
	diag_fmt_perf(t.f, &s);
	fclose(t.f);
	assert_non_null(strstr(t.buf, "Uptime: 0 days, 0 hours, 2 minutes, "
				      "0 seconds"));
	free(t.buf);
	text_open(&t);
	diag_fmt_perf_json(t.f, &s);
	fclose(t.f);
	assert_non_null(strstr(t.buf, "\"uptime_s\":120}"));
	free(t.buf);
}

/* An entry of @t in use, its ranges @lo..@hi (IPv4), never updated. */
static struct dyn_entry *dyn_add(struct dyn_table *t, enum dyn_kind kind,
				 const char *name, __u32 lo, __u32 hi)
{
	struct dyn_range r = { .family = 4, .lo = lo, .hi = hi };
	struct dyn_entry *e = dyn_get(t, kind, name);

	assert_non_null(e);
	e->in_use = true;
	e->next_ms = UINT64_MAX;
	if (lo)
		dyn_entry_set(t, e, &r, 1);
	return e;
}

static void test_dyn_json(void **state)
{
	struct dyn_table t;
	struct dyn_entry *e;
	struct text x;

	(void)state;
	dyn_table_init(&t);
	e = dyn_add(&t, DYN_FQDN, "peer.lab.test", 0xc0000202, 0xc0000202);
	e->state = DYN_OK;
	e->updated_ms = 2500;	    /* at 10000: 7 s ago */
	e->next_ms = 12001;	    /* in 3 s (rounded up) */
	e->r[0].expires_ms = 15000; /* 5 s left */
	e = dyn_add(&t, DYN_FQDN, "gone.lab.test", 0, 0);
	snprintf(e->err, sizeof(e->err), "no such name");
	e = dyn_add(&t, DYN_FEED, "blocklist", 0xc6336400, 0xc63364ff);
	e->url = strdup("http://127.0.0.1/b.txt");
	e->state = DYN_STALE;
	e->bad_lines = 1;
	e->busy = true;
	text_open(&x);
	diag_fmt_dyn_list_json(x.f, &t, DYN_FQDN, 10000);
	text_is(&x,
		"{\"localin\":1,\"fqdns\":["
		"{\"kind\":\"fqdn\",\"name\":\"peer.lab.test\",\"url\":null,\"state\":\"ok\","
		"\"nr_ranges\":1,\"updated_s_ago\":7,\"cache_age_s\":null,"
		"\"busy\":false,\"next_s\":3,"
		"\"error\":null,\"bad_lines\":0,"
		"\"ranges\":[{\"range\":\"192.0.2.2\",\"ttl_left_s\":5}]},"
		"{\"kind\":\"fqdn\",\"name\":\"gone.lab.test\",\"url\":null,"
		"\"state\":\"never resolved\",\"nr_ranges\":0,\"updated_s_ago\":null,"
		"\"cache_age_s\":null,\"busy\":false,\"next_s\":null,\"error\":\"no such name\","
		"\"bad_lines\":0,\"ranges\":[]}]}\n");
	text_open(&x);
	diag_fmt_dyn_list_json(x.f, &t, DYN_FEED, 10000);
	text_is(&x,
		"{\"localin\":1,\"resources\":["
		"{\"kind\":\"external-resource\",\"name\":\"blocklist\","
		"\"url\":\"http://127.0.0.1/b.txt\",\"state\":\"stale\",\"nr_ranges\":1,"
		"\"updated_s_ago\":null,\"cache_age_s\":null,\"busy\":true,"
		"\"next_s\":null,\"error\":null,"
		"\"bad_lines\":1,"
		"\"ranges\":[{\"range\":\"198.51.100.0/24\",\"ttl_left_s\":null}]}]}\n");
	/* A previous daemon's list, from the cache: its age, wall clock. */
	e->state = DYN_CACHED;
	e->stamp = time(NULL) - 30;
	text_open(&x);
	diag_fmt_dyn_list_json(x.f, &t, DYN_FEED, 10000);
	fclose(x.f);
	assert_non_null(strstr(x.buf,
			       "\"state\":\"cache\",\"nr_ranges\":1,"
			       "\"updated_s_ago\":null,\"cache_age_s\":3"));
	free(x.buf);
	t.e[0]->in_use = false;
	text_open(&x);
	diag_fmt_dyn_status_json(x.f, &t, 10000);
	fclose(x.f);
	assert_null(strstr(x.buf, "peer.lab.test"));
	assert_null(strstr(x.buf, "\"ranges\""));
	assert_non_null(strstr(
		x.buf, "[{\"kind\":\"fqdn\",\"name\":\"gone.lab.test\""));
	free(x.buf);
	dyn_table_free(&t);
}

static void test_sess_filter_json(void **state)
{
	const char *src[] = { "src", "10.0.0.1", "10.0.0.9" };
	const char *dport[] = { "dport", "500" };
	const char *neg[] = { "negate", "dport" };
	struct sess_filter f;
	char err[64];
	struct text x;

	(void)state;
	sess_filter_init(&f, 4);
	text_open(&x);
	sess_filter_json(&f, x.f);
	text_is(&x,
		"{\"localin\":1,\"family\":4,\"filter\":{\"vd\":null,\"proto\":null,"
		"\"src\":null,\"dst\":null,\"sport\":null,\"dport\":null,"
		"\"policy\":null}}\n");
	assert_int_equal(sess_filter_parse(&f, 3, src, err, sizeof(err)), 0);
	assert_int_equal(sess_filter_parse(&f, 2, dport, err, sizeof(err)), 0);
	assert_int_equal(sess_filter_parse(&f, 2, neg, err, sizeof(err)), 0);
	text_open(&x);
	sess_filter_json(&f, x.f);
	text_is(&x,
		"{\"localin\":1,\"family\":4,\"filter\":{\"vd\":null,\"proto\":null,"
		"\"src\":{\"from\":\"10.0.0.1\",\"to\":\"10.0.0.9\",\"negate\":false},"
		"\"dst\":null,\"sport\":null,"
		"\"dport\":{\"from\":500,\"to\":500,\"negate\":true},"
		"\"policy\":null}}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iprope_entry),
		cmocka_unit_test(test_get_policy),
		cmocka_unit_test(test_show_entry),
		cmocka_unit_test(test_policy_json),
		cmocka_unit_test(test_json_str_and_filter),
		cmocka_unit_test(test_uptime_clock_set_back),
		cmocka_unit_test(test_dyn_json),
		cmocka_unit_test(test_sess_filter_json),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
