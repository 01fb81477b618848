// SPDX-License-Identifier: GPL-2.0
/*
 * Compiler unit tests: each builds a small obj_config by hand, compiles it
 * and asks the host matcher about packets at the edges that matter.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/event.h"
#include "test_compile_fixture.h"

#define TCP 6
#define UDP 17
#define ICMP 1
#define ESP 50
#define ICMP6 58

#define DAY (24 * 60)
/* 2024-01-01 was a Monday; days since 1970-01-01. */
#define MON_2024 ((int64_t)19723 * DAY)

static void test_prefix_edges(void **state)
{
	struct fx *f = fx_new();
	struct obj_addr *net = fx_net4(f, "net", "10.0.0.0", 24);

	(void)state;
	fx_policy(f, 4, 7, "any", net, f->all4, f->any);
	assert_int_equal(fx_compile(f), 0);
	assert_int_equal(fx_match4(f, "eth0", TCP, "10.0.0.0", "1.1.1.1", 1, 2),
			 0);
	assert_int_equal(
		fx_match4(f, "eth0", TCP, "10.0.0.255", "1.1.1.1", 1, 2), 0);
	assert_int_equal(
		fx_match4(f, "eth0", TCP, "9.255.255.255", "1.1.1.1", 1, 2),
		-1);
	assert_int_equal(fx_match4(f, "eth0", TCP, "10.0.1.0", "1.1.1.1", 1, 2),
			 -1);
	assert_int_equal(fx_match4(f, "eth0", TCP, "0.0.0.0", "1.1.1.1", 1, 2),
			 -1);
	assert_int_equal(
		fx_match4(f, "eth0", TCP, "255.255.255.255", "1.1.1.1", 1, 2),
		-1);
	fx_free(f);
}

static void test_iprange_and_host_edges(void **state)
{
	struct fx *f = fx_new();
	/* A range that cuts /24 blocks in odd places, and a /32 at the top. */
	struct obj_addr *r =
		fx_range(f, 4, "r", ip4("192.168.1.77"), ip4("192.168.3.5"));
	struct obj_addr *top = fx_net4(f, "top", "255.255.255.255", 32);

	(void)state;
	fx_policy(f, 4, 1, "any", f->all4, r, f->any);
	fx_policy(f, 4, 2, "any", f->all4, top, f->any);
	assert_int_equal(fx_compile(f), 0);
	assert_int_equal(
		fx_match4(f, "x", UDP, "1.2.3.4", "192.168.1.76", 0, 0), -1);
	assert_int_equal(
		fx_match4(f, "x", UDP, "1.2.3.4", "192.168.1.77", 0, 0), 0);
	assert_int_equal(fx_match4(f, "x", UDP, "1.2.3.4", "192.168.2.0", 0, 0),
			 0);
	assert_int_equal(fx_match4(f, "x", UDP, "1.2.3.4", "192.168.3.5", 0, 0),
			 0);
	assert_int_equal(fx_match4(f, "x", UDP, "1.2.3.4", "192.168.3.6", 0, 0),
			 -1);
	assert_int_equal(
		fx_match4(f, "x", UDP, "1.2.3.4", "255.255.255.255", 0, 0), 1);
	assert_int_equal(
		fx_match4(f, "x", UDP, "1.2.3.4", "255.255.255.254", 0, 0), -1);
	fx_free(f);
}

static void test_group_exclusions(void **state)
{
	struct fx *f = fx_new();
	struct obj_addr *big = fx_net4(f, "big", "10.0.0.0", 16);
	struct obj_addr *hole = fx_net4(f, "hole", "10.0.5.0", 24);
	struct obj_addr *pin = fx_net4(f, "pin", "10.0.5.9", 32);
	struct obj_addr *g =
		fx_group(f, 4, "g", (struct obj_addr *[]){ big, NULL },
			 (struct obj_addr *[]){ hole, NULL });
	/* Nested: the outer group puts one host of the hole back. */
	struct obj_addr *outer = fx_group(
		f, 4, "outer", (struct obj_addr *[]){ g, pin, NULL }, NULL);

	(void)state;
	fx_policy(f, 4, 1, "any", g, f->all4, f->any);
	fx_policy(f, 4, 2, "any", outer, f->all4, f->any);
	assert_int_equal(fx_compile(f), 0);
	assert_int_equal(fx_match4(f, "x", TCP, "10.0.4.255", "1.1.1.1", 1, 1),
			 0);
	assert_int_equal(fx_match4(f, "x", TCP, "10.0.5.0", "1.1.1.1", 1, 1),
			 -1);
	assert_int_equal(fx_match4(f, "x", TCP, "10.0.5.8", "1.1.1.1", 1, 1),
			 -1);
	assert_int_equal(fx_match4(f, "x", TCP, "10.0.5.9", "1.1.1.1", 1, 1),
			 1);
	assert_int_equal(fx_match4(f, "x", TCP, "10.0.5.255", "1.1.1.1", 1, 1),
			 -1);
	assert_int_equal(fx_match4(f, "x", TCP, "10.0.6.0", "1.1.1.1", 1, 1),
			 0);
	assert_int_equal(fx_match4(f, "x", TCP, "10.1.0.0", "1.1.1.1", 1, 1),
			 -1);
	assert_int_equal(fx_nr_warnings(f, "exclude-member"), 0);
	fx_free(f);
}

static void test_exclude_outside_members_warns(void **state)
{
	struct fx *f = fx_new();
	struct obj_addr *a = fx_net4(f, "lan", "10.0.0.0", 24);
	struct obj_addr *b = fx_net4(f, "elsewhere", "172.16.0.0", 24);
	struct obj_addr *edge =
		fx_range(f, 4, "edge", ip4("10.0.0.200"), ip4("10.0.1.3"));

	(void)state;
	fx_group(f, 4, "g", (struct obj_addr *[]){ a, NULL },
		 (struct obj_addr *[]){ b, edge, NULL });
	assert_int_equal(fx_compile(f), 0);
	assert_true(fx_has_warning(
		f,
		"exclude-member \"elsewhere\" of group \"g\" is not inside its members"));
	/* Partly outside is still not inside. */
	assert_true(fx_has_warning(
		f,
		"exclude-member \"edge\" of group \"g\" is not inside its members"));
	assert_int_equal(f->dl.items[0].loc.src, &f->src);
	fx_free(f);
}

static void test_negate(void **state)
{
	struct fx *f = fx_new();
	struct obj_addr *ten = fx_net4(f, "ten", "10.0.0.0", 8);
	struct obj_policy *p = fx_policy(f, 4, 1, "any", ten, f->all4, f->any);

	(void)state;
	p->src_negate = true;
	assert_int_equal(fx_compile(f), 0);
	assert_int_equal(fx_match4(f, "x", TCP, "10.1.1.1", "1.1.1.1", 1, 1),
			 -1);
	assert_int_equal(
		fx_match4(f, "x", TCP, "10.255.255.255", "1.1.1.1", 1, 1), -1);
	assert_int_equal(fx_match4(f, "x", TCP, "11.0.0.0", "1.1.1.1", 1, 1),
			 0);
	assert_int_equal(
		fx_match4(f, "x", TCP, "9.255.255.255", "1.1.1.1", 1, 1), 0);
	assert_int_equal(fx_match4(f, "x", TCP, "0.0.0.0", "1.1.1.1", 1, 1), 0);
	assert_int_equal(
		fx_match4(f, "x", TCP, "255.255.255.255", "1.1.1.1", 1, 1), 0);
	/* Destination negate on "all" matches nothing. */
	p->src_negate = false;
	p->dst_negate = true;
	assert_int_equal(fx_compile(f), 0);
	assert_int_equal(fx_match4(f, "x", TCP, "10.1.1.1", "1.1.1.1", 1, 1),
			 -1);
	fx_free(f);
}

static void test_first_match_order(void **state)
{
	struct fx *f = fx_new();
	struct obj_addr *h = fx_net4(f, "h", "192.0.2.1", 32);

	(void)state;
	fx_policy(f, 4, 50, "any", h, f->all4, f->any)->accept = true;
	fx_policy(f, 4, 3, "any", f->all4, f->all4, f->any);
	assert_int_equal(fx_compile(f), 0);
	assert_int_equal(fx_match4(f, "x", TCP, "192.0.2.1", "1.1.1.1", 1, 1),
			 0);
	assert_int_equal(f->rs.v4.policies[0].id, 50);
	assert_int_equal(f->rs.v4.policies[0].action, LI_ACT_ACCEPT);
	assert_int_equal(fx_match4(f, "x", TCP, "192.0.2.2", "1.1.1.1", 1, 1),
			 1);
	assert_int_equal(f->rs.v4.policies[1].action, LI_ACT_DENY);
	fx_free(f);
}

static void test_port_edges(void **state)
{
	struct fx *f = fx_new();
	struct obj_service *s = fx_svc(f, "s", TCP, 1000, 2000, 0, 65535);
	struct obj_service *sp = fx_svc(f, "sp", UDP, 500, 500, 500, 500);

	(void)state;
	fx_policy(f, 4, 1, "any", f->all4, f->all4, s);
	fx_policy(f, 4, 2, "any", f->all4, f->all4, sp);
	assert_int_equal(fx_compile(f), 0);
	assert_int_equal(fx_match4(f, "x", TCP, "1.1.1.1", "2.2.2.2", 7, 999),
			 -1);
	assert_int_equal(fx_match4(f, "x", TCP, "1.1.1.1", "2.2.2.2", 7, 1000),
			 0);
	assert_int_equal(
		fx_match4(f, "x", TCP, "1.1.1.1", "2.2.2.2", 65535, 2000), 0);
	assert_int_equal(fx_match4(f, "x", TCP, "1.1.1.1", "2.2.2.2", 7, 2001),
			 -1);
	assert_int_equal(fx_match4(f, "x", UDP, "1.1.1.1", "2.2.2.2", 7, 1500),
			 -1);
	/* Source port constrained: IKE 500 -> 500 only. */
	assert_int_equal(fx_match4(f, "x", UDP, "1.1.1.1", "2.2.2.2", 500, 500),
			 1);
	assert_int_equal(fx_match4(f, "x", UDP, "1.1.1.1", "2.2.2.2", 501, 500),
			 -1);
	assert_int_equal(fx_match4(f, "x", UDP, "1.1.1.1", "2.2.2.2", 499, 500),
			 -1);
	assert_int_equal(
		fx_match4(f, "x", UDP, "1.1.1.1", "2.2.2.2", 500, 4500), -1);
	/* SCTP and the port extremes. */
	assert_int_equal(fx_match4(f, "x", 132, "1.1.1.1", "2.2.2.2", 0, 0),
			 -1);
	fx_free(f);
}

static void test_icmp_type_code(void **state)
{
	struct fx *f = fx_new();
	struct obj_service *echo =
		fx_svc(f, "PING", ICMP, 8 << 8, 8 << 8 | 255, 0, 65535);
	struct obj_service *unr = fx_svc(f, "frag-needed", ICMP, 3 << 8 | 4,
					 3 << 8 | 4, 0, 65535);

	(void)state;
	fx_policy(f, 4, 1, "any", f->all4, f->all4, echo);
	fx_policy(f, 4, 2, "any", f->all4, f->all4, unr);
	assert_int_equal(fx_compile(f), 0);
	assert_int_equal(
		fx_match4(f, "x", ICMP, "1.1.1.1", "2.2.2.2", 0, 8 << 8), 0);
	assert_int_equal(
		fx_match4(f, "x", ICMP, "1.1.1.1", "2.2.2.2", 0, 8 << 8 | 255),
		0);
	assert_int_equal(fx_match4(f, "x", ICMP, "1.1.1.1", "2.2.2.2", 0, 0),
			 -1);
	assert_int_equal(
		fx_match4(f, "x", ICMP, "1.1.1.1", "2.2.2.2", 0, 9 << 8), -1);
	assert_int_equal(
		fx_match4(f, "x", ICMP, "1.1.1.1", "2.2.2.2", 0, 3 << 8 | 4),
		1);
	assert_int_equal(
		fx_match4(f, "x", ICMP, "1.1.1.1", "2.2.2.2", 0, 3 << 8 | 3),
		-1);
	/* TCP port 2048 is not ICMP type 8. */
	assert_int_equal(
		fx_match4(f, "x", TCP, "1.1.1.1", "2.2.2.2", 0, 8 << 8), -1);
	fx_free(f);
}

static void test_proto_any_and_plain_protocols(void **state)
{
	struct fx *f = fx_new();
	struct obj_service *esp = fx_svc(f, "ESP", ESP, 0, 65535, 0, 65535);
	struct obj_addr *h = fx_net4(f, "h", "198.51.100.1", 32);

	(void)state;
	fx_policy(f, 4, 1, "any", h, f->all4, esp);
	fx_policy(f, 4, 2, "any", f->all4, f->all4, f->any);
	assert_int_equal(fx_compile(f), 0);
	assert_int_equal(
		fx_match4(f, "x", ESP, "198.51.100.1", "2.2.2.2", 0, 0), 0);
	assert_int_equal(
		fx_match4(f, "x", ESP, "198.51.100.2", "2.2.2.2", 0, 0), 1);
	assert_int_equal(fx_match4(f, "x", 51, "198.51.100.1", "2.2.2.2", 0, 0),
			 1);
	assert_int_equal(
		fx_match4(f, "x", TCP, "198.51.100.1", "2.2.2.2", 65535, 65535),
		1);
	assert_int_equal(fx_match4(f, "x", 0, "198.51.100.1", "2.2.2.2", 0, 0),
			 1);
	assert_int_equal(
		fx_match4(f, "x", 255, "198.51.100.1", "2.2.2.2", 0, 0), 1);
	fx_free(f);
}

static void test_unknown_ports(void **state)
{
	struct fx *f = fx_new();
	struct obj_service *ike = fx_svc(f, "IKE", UDP, 500, 500, 0, 65535);
	struct obj_service *udp_all = fx_svc(f, "UDP", UDP, 0, 65535, 0, 65535);
	/* Two halves that together cover all of TCP. */
	struct obj_service *halves = fx_svc(f, "halves", TCP, 0, 999, 0, 65535);
	struct obj_policy *neg;
	struct li_key k;

	(void)state;
	fx_svc_add(f, halves, TCP, 1000, 65535, 0, 65535);
	fx_policy(f, 4, 1, "any", f->all4, f->all4, ike);
	neg = fx_policy(f, 4, 2, "any", f->all4, f->all4, ike);
	neg->svc_negate = true;
	fx_policy(f, 4, 3, "any", f->all4, f->all4, udp_all);
	fx_policy(f, 4, 4, "any", f->all4, f->all4, halves);
	assert_int_equal(fx_compile(f), 0);
	k = fx_key4("x", UDP, "1.1.1.1", "2.2.2.2", 0, 0);
	k.ports_known = false;
	/* A partial service never matches a fragment, negated or not. */
	assert_int_equal(fx_lookup(f, &k, NULL), 2);
	k.proto = TCP;
	assert_int_equal(fx_lookup(f, &k, NULL), 1);
	k.proto = 132;
	assert_int_equal(fx_lookup(f, &k, NULL), 1);
	/* With ports known the same packet goes to the IKE policies. */
	assert_int_equal(fx_match4(f, "x", UDP, "1.1.1.1", "2.2.2.2", 9, 500),
			 0);
	assert_int_equal(fx_match4(f, "x", UDP, "1.1.1.1", "2.2.2.2", 9, 501),
			 1);
	assert_int_equal(fx_match4(f, "x", TCP, "1.1.1.1", "2.2.2.2", 9, 999),
			 1);
	assert_int_equal(fx_match4(f, "x", TCP, "1.1.1.1", "2.2.2.2", 9, 1000),
			 1);
	/* Two ranges that together span all ports do match a fragment. */
	neg->enabled = false;
	assert_int_equal(fx_compile(f), 0);
	k.proto = TCP;
	assert_int_equal(fx_lookup(f, &k, NULL), 3);
	k.proto = 132;
	assert_int_equal(fx_lookup(f, &k, NULL), -1);
	fx_free(f);
}

static void test_interfaces(void **state)
{
	struct fx *f = fx_new();
	struct obj_policy *two;

	(void)state;
	fx_policy(f, 4, 1, "port1", f->all4, f->all4, f->any);
	two = fx_policy(f, 4, 2, "wan", f->all4, f->all4, f->any);
	two->intfs = arena_alloc(&f->a, 2 * sizeof(*two->intfs));
	two->intfs[0].name = "wan";
	two->intfs[1].name = "port1";
	two->nr_intfs = 2;
	fx_policy(f, 4, 3, "any", f->all4, f->all4, f->any);
	assert_int_equal(fx_compile(f), 0);
	assert_int_equal(f->rs.v4.nr_intfs, 2);
	assert_string_equal(f->rs.v4.intfs[0].name, "port1");
	assert_string_equal(f->rs.v4.intfs[1].name, "wan");
	assert_int_equal(fx_match4(f, "port1", TCP, "1.1.1.1", "2.2.2.2", 1, 1),
			 0);
	assert_int_equal(fx_match4(f, "wan", TCP, "1.1.1.1", "2.2.2.2", 1, 1),
			 1);
	assert_int_equal(
		fx_match4(f, "port10", TCP, "1.1.1.1", "2.2.2.2", 1, 1), 2);
	assert_int_equal(fx_match4(f, "port", TCP, "1.1.1.1", "2.2.2.2", 1, 1),
			 2);
	assert_int_equal(fx_match4(f, NULL, TCP, "1.1.1.1", "2.2.2.2", 1, 1),
			 2);
	/* The only policy for "wan" is disabled: wan falls to policy 3. */
	two->enabled = false;
	f->cfg.policies4[0]->enabled = false;
	assert_int_equal(fx_compile(f), 0);
	assert_int_equal(fx_match4(f, "port1", TCP, "1.1.1.1", "2.2.2.2", 1, 1),
			 2);
	assert_int_equal(fx_match4(f, "wan", TCP, "1.1.1.1", "2.2.2.2", 1, 1),
			 2);
	fx_free(f);
}

static void test_disabled_policy(void **state)
{
	struct fx *f = fx_new();
	struct obj_addr *h = fx_net4(f, "h", "192.0.2.1", 32);

	(void)state;
	fx_policy(f, 4, 1, "any", h, f->all4, f->any)->enabled = false;
	fx_policy(f, 4, 2, "any", h, f->all4, f->any);
	assert_int_equal(fx_compile(f), 0);
	assert_int_equal(fx_match4(f, "x", TCP, "192.0.2.1", "1.1.1.1", 1, 1),
			 1);
	assert_false(f->rs.v4.policies[0].flags & LI_POL_ENABLED);
	fx_free(f);
}

/*
 * Which decisions make a traffic log line: FortiOS's rule, written out
 * here, against the policy's LOG bits (compile.c) as li_traffic_logged()
 * reads them, for every action, logtraffic and `config log setting`.
 */
static int fortios_logged(bool accept, bool logtraffic, bool allow, bool deny_u,
			  bool deny_b, bool bcast, bool sess)
{
	if (accept && sess)
		return 0; /* logged once, when the session ends */
	if (logtraffic)
		return 1;
	if (accept)
		return allow;
	return bcast ? deny_b : deny_u;
}

static void test_log_bits(void **state)
{
	unsigned int i, j;

	(void)state;
	for (i = 0; i < 32; i++) {
		bool accept = i & 1, logtraffic = i & 2, allow = i & 4,
		     deny_u = i & 8, deny_b = i & 16;
		struct fx *f = fx_new();
		struct obj_policy *p;
		__u8 flags;

		p = fx_policy(f, 4, 1, "any", f->all4, f->all4, f->any);
		p->accept = accept;
		p->logtraffic = logtraffic;
		f->cfg.log_local_in_allow = allow;
		f->cfg.log_local_in_deny_unicast = deny_u;
		f->cfg.log_local_in_deny_broadcast = deny_b;
		assert_int_equal(fx_compile(f), 0);
		flags = f->rs.v4.policies[0].flags;
		for (j = 0; j < 4; j++) {
			struct li_verdict v = { .reason = LI_R_POLICY,
						.drop = !accept,
						.bcast = j & 1,
						.sess = j & 2 ? LI_VS_NEW :
								LI_VS_NONE };

			assert_int_equal(li_traffic_logged(&v, flags, allow),
					 fortios_logged(accept, logtraffic,
							allow, deny_u, deny_b,
							j & 1, j & 2));
			/* no policy matched: FortiOS accepts, as allow */
			v.reason = LI_R_IMPLICIT;
			v.drop = LI_PASS;
			assert_int_equal(li_traffic_logged(&v, 0, allow),
					 fortios_logged(true, false, allow,
							deny_u, deny_b, j & 1,
							j & 2));
		}
		fx_free(f);
	}
}

static int match_at(struct fx *f, int64_t t)
{
	struct li_key k = fx_key4("x", TCP, "1.1.1.1", "2.2.2.2", 1, 1);

	return fx_lookup(f, &k, &t);
}

static void test_schedule_office_hours(void **state)
{
	struct fx *f = fx_new();
	/* Monday and Friday, 08:00-17:00. */
	struct obj_schedule *s =
		fx_recurring(f, "office", 1 << 1 | 1 << 5, 8 * 60, 17 * 60);

	(void)state;
	fx_policy(f, 4, 1, "any", f->all4, f->all4, f->any)->sched = s;
	assert_int_equal(fx_compile(f), 0);
	assert_int_equal(match_at(f, MON_2024 + 8 * 60), 0);
	assert_int_equal(match_at(f, MON_2024 + 8 * 60 - 1), -1);
	assert_int_equal(match_at(f, MON_2024 + 17 * 60 - 1), 0);
	assert_int_equal(match_at(f, MON_2024 + 17 * 60), -1);
	assert_int_equal(match_at(f, MON_2024 + DAY + 9 * 60), -1);    /* tue */
	assert_int_equal(match_at(f, MON_2024 + 4 * DAY + 9 * 60), 0); /* fri */
	/* Without an active mask, schedules are not applied. */
	{
		struct li_key k = fx_key4("x", TCP, "1.1.1.1", "2.2.2.2", 1, 1);

		assert_int_equal(fx_lookup(f, &k, NULL), 0);
	}
	fx_free(f);
}

static void test_schedule_past_midnight(void **state)
{
	struct fx *f = fx_new();
	/* Monday 22:00 to Tuesday 06:00. */
	struct obj_schedule *s =
		fx_recurring(f, "night", 1 << 1, 22 * 60, 6 * 60);

	(void)state;
	fx_policy(f, 4, 1, "any", f->all4, f->all4, f->any)->sched = s;
	assert_int_equal(fx_compile(f), 0);
	assert_int_equal(match_at(f, MON_2024 + 22 * 60 - 1), -1);
	assert_int_equal(match_at(f, MON_2024 + 22 * 60), 0);
	assert_int_equal(match_at(f, MON_2024 + DAY - 1), 0);
	assert_int_equal(match_at(f, MON_2024 + DAY), 0); /* tue 00:00 */
	assert_int_equal(match_at(f, MON_2024 + DAY + 6 * 60 - 1), 0);
	assert_int_equal(match_at(f, MON_2024 + DAY + 6 * 60), -1);
	/* Monday early morning belongs to Sunday's window: not listed. */
	assert_int_equal(match_at(f, MON_2024 + 5 * 60), -1);
	assert_int_equal(match_at(f, MON_2024 + DAY + 22 * 60), -1); /* tue */
	fx_free(f);
}

static void test_schedule_24h_and_onetime_and_group(void **state)
{
	struct fx *f = fx_new();
	/* start == end: 24 hours from 08:00 on Saturday (Jan 6 2024). */
	struct obj_schedule *day =
		fx_recurring(f, "sat", 1 << 6, 8 * 60, 8 * 60);
	int64_t sat = MON_2024 + 5 * DAY;
	struct obj_schedule *once =
		fx_onetime(f, "once", MON_2024 + 60, MON_2024 + 120);
	struct obj_schedule *none = fx_recurring(f, "none", 0, 0, 0);
	struct obj_schedule *grp;

	(void)state;
	none->builtin = true;
	grp = fx_sched_group(f, "grp",
			     (struct obj_schedule *[]){ once, none, NULL });
	fx_policy(f, 4, 1, "any", f->all4, f->all4, f->any)->sched = day;
	assert_int_equal(fx_compile(f), 0);
	assert_int_equal(match_at(f, sat + 8 * 60 - 1), -1);
	assert_int_equal(match_at(f, sat + 8 * 60), 0);
	assert_int_equal(match_at(f, sat + DAY + 8 * 60 - 1), 0); /* sun */
	assert_int_equal(match_at(f, sat + DAY + 8 * 60), -1);
	f->cfg.policies4[0]->sched = grp;
	assert_int_equal(fx_compile(f), 0);
	assert_int_equal(match_at(f, MON_2024 + 59), -1);
	assert_int_equal(match_at(f, MON_2024 + 60), 0);
	assert_int_equal(match_at(f, MON_2024 + 119), 0);
	assert_int_equal(match_at(f, MON_2024 + 120), -1);
	/* Members come before the group in the table. */
	assert_int_equal(f->rs.scheds[f->rs.v4.policies[0].sched].type,
			 LI_SCHED_GROUP);
	assert_int_equal(f->rs.scheds[f->rs.v4.policies[0].sched].nr_members,
			 2);
	f->cfg.policies4[0]->sched = none;
	assert_int_equal(fx_compile(f), 0);
	assert_int_equal(f->rs.scheds[f->rs.v4.policies[0].sched].type,
			 LI_SCHED_NEVER);
	assert_int_equal(match_at(f, sat + 9 * 60), -1);
	f->cfg.policies4[0]->sched = f->always;
	assert_int_equal(fx_compile(f), 0);
	assert_int_equal(f->rs.v4.policies[0].sched, 0);
	assert_int_equal(match_at(f, -12345), 0);
	fx_free(f);
}

/*
 * The daemon's mask (ruleset_active_mask over the compiled table) and the
 * resolver's schedule_active() must agree minute by minute.
 */
static void test_schedule_matches_objects(void **state)
{
	struct fx *f = fx_new();
	struct obj_schedule *s[] = {
		fx_recurring(f, "office", 0x3e, 480, 1020),
		fx_recurring(f, "night", 0x41, 1320, 360),
		fx_recurring(f, "sat24", 0x40, 600, 600),
		fx_recurring(f, "midnight24", 0x15, 0, 0),
		fx_recurring(f, "lastminute", 0x7f, 1439, 0),
		fx_onetime(f, "once", MON_2024 + 3000, MON_2024 + 9000),
		NULL,
	};
	struct obj_schedule *grp;
	int64_t t;
	size_t n = 0, i;

	(void)state;
	grp = fx_sched_group(f, "grp",
			     (struct obj_schedule *[]){ s[1], s[5], NULL });
	for (n = 0; s[n]; n++)
		fx_policy(f, 4, (uint32_t)n + 1, "any", f->all4, f->all4,
			  f->any)
			->sched = s[n];
	fx_policy(f, 4, (uint32_t)n + 1, "any", f->all4, f->all4, f->any)
		->sched = grp;
	assert_int_equal(fx_compile(f), 0);
	for (t = MON_2024 - DAY; t < MON_2024 + 8 * DAY; t++) {
		__u64 active[1];

		ruleset_active_mask(&f->rs, &f->rs.v4, t, active);
		for (i = 0; i <= n; i++)
			if (((active[0] >> i) & 1) !=
			    schedule_active(f->cfg.policies4[i]->sched, t))
				fail_msg("schedule %zu at minute %lld", i,
					 (long long)t);
	}
	fx_free(f);
}

static void test_shadow_single(void **state)
{
	struct fx *f = fx_new();
	struct obj_addr *lan = fx_net4(f, "lan", "10.0.0.0", 16);
	struct obj_addr *sub = fx_net4(f, "sub", "10.0.3.0", 24);
	struct obj_service *ike = fx_svc(f, "IKE", UDP, 500, 500, 0, 65535);
	struct obj_schedule *office =
		fx_recurring(f, "office", 0x3e, 480, 1020);

	(void)state;
	fx_policy(f, 4, 1, "any", lan, f->all4, f->any);
	fx_policy(f, 4, 3, "port1", sub, f->all4, ike);
	/* Different schedule than policy 1's "always" is still covered. */
	fx_policy(f, 4, 4, "port1", sub, f->all4, ike)->sched = office;
	/* Not covered: wider source than policy 1. */
	fx_policy(f, 4, 5, "any", f->all4, f->all4, ike);
	assert_int_equal(fx_compile(f), 0);
	assert_true(fx_has_warning(
		f, "policy 3 can never match: covered by policy 1"));
	assert_true(fx_has_warning(
		f, "policy 4 can never match: covered by policy 1"));
	assert_int_equal(fx_nr_warnings(f, "policy 5"), 0);
	assert_int_equal(fx_nr_warnings(f, "policy 1"), 0);
	fx_free(f);
}

static void test_shadow_needs_enabled_and_schedule(void **state)
{
	struct fx *f = fx_new();
	struct obj_addr *sub = fx_net4(f, "sub", "10.0.3.0", 24);
	struct obj_schedule *office =
		fx_recurring(f, "office", 0x3e, 480, 1020);

	(void)state;
	fx_policy(f, 4, 1, "any", f->all4, f->all4, f->any)->enabled = false;
	fx_policy(f, 4, 2, "any", f->all4, f->all4, f->any)->sched = office;
	fx_policy(f, 4, 3, "any", sub, f->all4, f->any);
	/* Same schedule as the cover: shadowed. */
	fx_policy(f, 4, 4, "any", sub, f->all4, f->any)->sched = office;
	assert_int_equal(fx_compile(f), 0);
	assert_int_equal(fx_nr_warnings(f, "policy 3"), 0);
	assert_true(fx_has_warning(
		f, "policy 4 can never match: covered by policy 2"));
	fx_free(f);
}

static void test_shadow_group_cover(void **state)
{
	struct fx *f = fx_new();
	struct obj_addr *a = fx_net4(f, "a", "10.0.0.0", 25);
	struct obj_addr *b = fx_net4(f, "b", "10.0.0.128", 25);
	struct obj_addr *ab = fx_net4(f, "ab", "10.0.0.0", 24);
	struct obj_service *tcp = fx_svc(f, "tcp", TCP, 0, 65535, 0, 65535);
	struct obj_service *udp = fx_svc(f, "udp", UDP, 0, 65535, 0, 65535);
	struct obj_service *both = fx_svc_group(
		f, "both", (struct obj_service *[]){ tcp, udp, NULL });
	struct obj_service *low = fx_svc(f, "tcp-low", TCP, 0, 1023, 0, 65535);
	struct obj_service *high =
		fx_svc(f, "tcp-high", TCP, 1024, 65535, 0, 65535);

	(void)state;
	fx_policy(f, 4, 1, "port1", a, f->all4, f->any);
	fx_policy(f, 4, 2, "port1", b, f->all4, f->any);
	fx_policy(f, 4, 3, "port1", ab, f->all4, f->any);
	/* Service dimension: tcp and udp together cover the group. */
	fx_policy(f, 4, 10, "port2", ab, f->all4, tcp);
	fx_policy(f, 4, 11, "port2", ab, f->all4, udp);
	fx_policy(f, 4, 12, "port2", ab, f->all4, both);
	/* Differ in two dimensions: no claim. */
	fx_policy(f, 4, 20, "port3", a, f->all4, tcp);
	fx_policy(f, 4, 21, "port3", b, f->all4, udp);
	fx_policy(f, 4, 22, "port3", ab, f->all4, both);
	/*
	 * Two halves of the tcp ports do not cover tcp: a non-first
	 * fragment matches "tcp" but neither half.
	 */
	fx_policy(f, 4, 30, "port4", ab, f->all4, low);
	fx_policy(f, 4, 31, "port4", ab, f->all4, high);
	fx_policy(f, 4, 32, "port4", ab, f->all4, tcp);
	assert_int_equal(fx_compile(f), 0);
	assert_true(fx_has_warning(
		f, "policy 3 can never match: covered by policies 1, 2"));
	assert_true(fx_has_warning(
		f, "policy 12 can never match: covered by policies 10, 11"));
	assert_int_equal(fx_nr_warnings(f, "policy 22"), 0);
	assert_int_equal(fx_nr_warnings(f, "policy 32"), 0);
	assert_int_equal(fx_nr_warnings(f, "policy"), 2);
	fx_free(f);
}

/* Sets spanning many elementary intervals take the interval-set path. */
static void test_shadow_heavy_sets(void **state)
{
	struct fx *f = fx_new();
	struct obj_addr *hosts[301], *hosts0[302];
	struct obj_addr *h0 = fx_net4(f, "h0", "10.0.0.0", 32);
	struct obj_addr *h1 = fx_net4(f, "h1", "10.0.0.1", 32);
	struct obj_addr *pair = fx_group(
		f, 4, "pair", (struct obj_addr *[]){ h0, h1, NULL }, NULL);
	struct obj_addr *many, *many0;
	char name[16];
	int k;

	(void)state;
	for (k = 0; k < 300; k++) {
		snprintf(name, sizeof(name), "m%d", k);
		hosts[k] = fx_range(f, 4, name, ip4("10.1.0.0") + 2 * k,
				    ip4("10.1.0.0") + 2 * k);
		hosts0[k] = hosts[k];
	}
	hosts[300] = NULL;
	hosts0[300] = h0;
	hosts0[301] = NULL;
	many = fx_group(f, 4, "many", hosts, NULL);
	many0 = fx_group(f, 4, "many0", hosts0, NULL);
	fx_policy(f, 4, 1, "any", h0, f->all4, f->any)->src_negate = true;
	fx_policy(f, 4, 2, "any", many, f->all4, f->any);
	fx_policy(f, 4, 3, "any", many0, f->all4, f->any);
	fx_policy(f, 4, 4, "any", pair, f->all4, f->any)->src_negate = true;
	/*
	 * Negated, heavy, not inside any one earlier policy, but inside
	 * "not h0" plus "many0": a minimal list is named, without 4.
	 */
	fx_policy(f, 4, 5, "any", many, f->all4, f->any)->src_negate = true;
	fx_policy(f, 4, 6, "port1", many, f->all4, f->any)->src_negate = true;
	assert_int_equal(fx_compile(f), 0);
	assert_true(f->rs.v4.bm_src.nr_classes >= 3);
	assert_true(fx_has_warning(
		f, "policy 2 can never match: covered by policy 1"));
	assert_true(fx_has_warning(
		f, "policy 4 can never match: covered by policy 1"));
	assert_int_equal(fx_nr_warnings(f, "policy 3"), 0);
	assert_true(fx_has_warning(
		f, "policy 5 can never match: covered by policies 1, 3"));
	assert_true(fx_has_warning(
		f, "policy 6 can never match: covered by policy 5"));
	assert_int_equal(fx_nr_warnings(f, "policy"), 4);
	assert_int_equal(fx_match4(f, "x", TCP, "10.0.0.0", "1.1.1.1", 1, 1),
			 2);
	assert_int_equal(fx_match4(f, "x", TCP, "10.1.0.2", "1.1.1.1", 1, 1),
			 0);
	fx_free(f);
}

static void test_ipv6(void **state)
{
	struct fx *f = fx_new();
	struct obj_addr *net = fx_net6(f, "net", "2001:db8::", 64);
	struct obj_addr *host = fx_net6(f, "host", "2001:db8:1::5", 128);
	struct obj_service *icmp6 =
		fx_svc(f, "echo6", ICMP6, 128 << 8, 128 << 8 | 255, 0, 65535);
	struct li_key k;

	(void)state;
	fx_policy(f, 6, 1, "any", net, f->all6, f->any);
	fx_policy(f, 6, 2, "any", f->all6, host, icmp6);
	fx_policy(f, 4, 9, "any", f->all4, f->all4, f->any);
	assert_int_equal(fx_compile(f), 0);
#define M6(s, d, proto, dport)                              \
	(k = fx_key6("x", proto, ip6(s), ip6(d), 0, dport), \
	 fx_lookup(f, &k, NULL))
	assert_int_equal(M6("2001:db8::", "::1", TCP, 1), 0);
	assert_int_equal(M6("2001:db8::ffff:ffff:ffff:ffff", "::1", TCP, 1), 0);
	assert_int_equal(M6("2001:db8:0:1::", "::1", TCP, 1), -1);
	assert_int_equal(
		M6("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "::1", TCP, 1),
		-1);
	assert_int_equal(M6("::", "2001:db8:1::5", ICMP6, 128 << 8), 1);
	assert_int_equal(M6("::", "2001:db8:1::5", ICMP6, 129 << 8), -1);
	assert_int_equal(M6("::", "2001:db8:1::4", ICMP6, 128 << 8), -1);
	assert_int_equal(M6("::", "2001:db8:1::6", ICMP6, 128 << 8), -1);
	assert_int_equal(M6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
			    "2001:db8:1::5", ICMP6, 128 << 8),
			 1);
#undef M6
	/* The families do not mix. */
	assert_int_equal(fx_match4(f, "x", TCP, "1.1.1.1", "2.2.2.2", 1, 1), 0);
	assert_int_equal(f->rs.v4.policies[0].id, 9);
	fx_free(f);
}

static void test_dump(void **state)
{
	struct fx *f = fx_new();
	struct obj_addr *net = fx_net4(f, "net", "10.0.0.0", 24);
	struct obj_addr *n6 = fx_net6(f, "n6", "2001:db8::", 64);
	struct obj_service *ike = fx_svc(f, "IKE", UDP, 500, 500, 0, 65535);
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	(void)state;
	fx_policy(f, 4, 7, "port1", net, f->all4, ike)->accept = true;
	fx_policy(f, 6, 8, "any", n6, f->all6, f->any);
	assert_int_equal(fx_compile(f), 0);
	out = open_memstream(&buf, &len);
	ruleset_dump(&f->rs, out);
	fclose(out);
	assert_non_null(strstr(buf, "ipv4: 1 policies, 1 bitmap words\n"
				    " policy 0 id 7 accept enable sched 0\n"));
	assert_non_null(
		strstr(buf, "  intf port1 class 1\n  intf other class 0\n"));
	assert_non_null(strstr(buf, " source: 2 classes, 1 trie blocks\n"
				    "  0.0.0.0-9.255.255.255 class 0\n"
				    "  10.0.0.0-10.0.0.255 class 1\n"
				    "  10.0.1.0-255.255.255.255 class 0\n"
				    "  class 0: none\n"
				    "  class 1: 7\n"));
	assert_non_null(strstr(buf, "  udp dport 0-499 dclass 0\n"
				    "  udp dport 500-500 dclass 1\n"
				    "  udp dport 501-65535 dclass 0\n"));
	assert_non_null(strstr(buf, "  udp unknown-ports class 0\n"));
	assert_non_null(strstr(
		buf,
		"  ::-2001:db7:ffff:ffff:ffff:ffff:ffff:ffff class 0\n"
		"  2001:db8::-2001:db8::ffff:ffff:ffff:ffff class 1\n"
		"  2001:db8:0:1::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff class 0\n"));
	assert_non_null(strstr(buf, "schedules: 1\n sched 0 always\n"));
	free(buf);
	out = open_memstream(&buf, &len);
	ruleset_summary(&f->rs, out);
	fclose(out);
	assert_non_null(strstr(buf, "ipv4: 1 policies (1 enabled)"));
	free(buf);
	fx_free(f);
}

static void test_empty_config(void **state)
{
	struct fx *f = fx_new();
	struct li_key k = fx_key4("x", TCP, "1.1.1.1", "2.2.2.2", 1, 1);

	(void)state;
	assert_int_equal(fx_compile(f), 0);
	assert_int_equal(fx_lookup(f, &k, NULL), -1);
	assert_int_equal(f->rs.v4.bm_words, 1);
	fx_free(f);
}

/*
 * Too many distinct port ranges for the service table: the compile fails
 * and says why (it used to fail with no error at all: "0 errors").
 */
static void test_service_table_too_big(void **state)
{
	enum { N = 4100 }; /* N + 1 classes per axis: (N + 1)^2 > 2^24 */
	struct fx *f = fx_new();
	struct obj_service *s = fx_svc(f, "many", TCP, 0, 0, 0, 0);
	struct svc_range *r = arena_alloc(&f->a, N * sizeof(*r));
	size_t i;

	(void)state;
	/* One port each way: a class per range, one for the ports between. */
	for (i = 0; i < N; i++) {
		uint16_t d = (uint16_t)(10 + 2 * i), sp = (uint16_t)(20000 + i);

		r[i] = (struct svc_range){ TCP, d, d, sp, sp };
	}
	s->ranges = r;
	s->nr_ranges = N;
	fx_policy(f, 4, 1, "any", f->all4, f->all4, s);
	assert_int_equal(fx_compile(f), -E2BIG);
	assert_int_equal(f->dl.errors, 1);
	assert_non_null(strstr(
		f->dl.items[0].msg,
		"IPv4: the port ranges of protocol 6 make 4101 destination-port x 4101 source-port classes, more than 16777216 cells"));
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_edges),
		cmocka_unit_test(test_iprange_and_host_edges),
		cmocka_unit_test(test_group_exclusions),
		cmocka_unit_test(test_exclude_outside_members_warns),
		cmocka_unit_test(test_negate),
		cmocka_unit_test(test_first_match_order),
		cmocka_unit_test(test_port_edges),
		cmocka_unit_test(test_icmp_type_code),
		cmocka_unit_test(test_proto_any_and_plain_protocols),
		cmocka_unit_test(test_unknown_ports),
		cmocka_unit_test(test_interfaces),
		cmocka_unit_test(test_disabled_policy),
		cmocka_unit_test(test_log_bits),
		cmocka_unit_test(test_schedule_office_hours),
		cmocka_unit_test(test_schedule_past_midnight),
		cmocka_unit_test(test_schedule_24h_and_onetime_and_group),
		cmocka_unit_test(test_schedule_matches_objects),
		cmocka_unit_test(test_shadow_single),
		cmocka_unit_test(test_shadow_needs_enabled_and_schedule),
		cmocka_unit_test(test_shadow_group_cover),
		cmocka_unit_test(test_shadow_heavy_sets),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_empty_config),
		cmocka_unit_test(test_service_table_too_big),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
