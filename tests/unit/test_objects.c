// SPDX-License-Identifier: GPL-2.0
/*
 * The resolver: config text through conf_load() and objects_resolve(),
 * then the typed objects it builds (ranges, members, schedule times,
 * policy order, uuids), which `localin check` does not print.
 *
 * What a config makes localin say (errors, warnings, notes, each with its
 * line:col) is not tested here but in tests/golden/errors/NAME.conf ->
 * NAME.err (and check/ for warnings on a config that loads): config text
 * in, the exact diagnostics out, regenerated with UPDATE=1. A new
 * diagnostic gets a golden case there, not a C string here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/parser.h"
#include "objects/objects.h"
#include "seed_conf.h"

struct ctx {
	struct arena arena;
	struct diag_list dl;
	struct conf_tree tree;
	struct obj_config cfg;
	int parse_rc, rc;
	char diags[8192];
};

static const char *level_str(enum diag_level l)
{
	return l == DIAG_ERROR	 ? "error" :
	       l == DIAG_WARNING ? "warning" :
				   "note";
}

/* Load @text (after the factory defaults), resolve, render diagnostics. */
static struct ctx *load(const char *text)
{
	struct ctx *c = calloc(1, sizeof(*c));
	const struct conf_source *src;
	FILE *null = fopen("/dev/null", "w");
	size_t i, n = 0;

	assert_non_null(c);
	arena_init(&c->arena);
	diag_init(&c->dl, &c->arena);
	conf_tree_init(&c->tree, &c->arena);
	src = conf_source_mem(&c->arena, "t.conf", text, strlen(text), false);
	c->parse_rc = conf_load(&c->tree, src, &c->dl);
	c->rc = objects_resolve(&c->tree, &c->cfg, &c->dl);
	/* Sorts by location; diag_print() passes NULL to qsort() when empty. */
	if (c->dl.nr)
		diag_print(&c->dl, null);
	fclose(null);
	for (i = 0; i < c->dl.nr; i++) {
		struct diag *d = &c->dl.items[i];

		n += (size_t)snprintf(c->diags + n, sizeof(c->diags) - n,
				      "%u:%u: %s: %s\n", d->loc.line,
				      d->loc.col, level_str(d->level), d->msg);
	}
	return c;
}

static void done(struct ctx *c)
{
	arena_free(&c->arena);
	free(c);
}

/* Clean load: no diagnostics at all. */
static struct ctx *load_ok(const char *text)
{
	struct ctx *c = load(text);

	assert_string_equal(c->diags, "");
	assert_int_equal(c->parse_rc, 0);
	assert_int_equal(c->rc, 0);
	return c;
}

static ip_u128 v6(uint64_t hi, uint64_t lo)
{
	return (ip_u128)hi << 64 | lo;
}

static const struct svc_range *range(const struct obj_service *s, size_t i)
{
	assert_non_null(s);
	assert_true(i < s->nr_ranges);
	return &s->ranges[i];
}

static void assert_range(const struct svc_range *r, unsigned int proto,
			 unsigned int dlo, unsigned int dhi, unsigned int slo,
			 unsigned int shi)
{
	assert_int_equal(r->proto, proto);
	assert_int_equal(r->dlo, dlo);
	assert_int_equal(r->dhi, dhi);
	assert_int_equal(r->slo, slo);
	assert_int_equal(r->shi, shi);
}

static void test_factory(void **state)
{
	struct ctx *c = load_ok("");
	struct obj_addr *a;
	struct obj_service *s;
	struct obj_schedule *sc;
	size_t i;

	a = objects_find_addr(&c->cfg, 4, "all");
	assert_non_null(a);
	assert_true(a->builtin);
	assert_int_equal(a->type, ADDR_IPMASK);
	assert_true(a->range.lo == 0 && a->range.hi == 0xffffffff);
	a = objects_find_addr(&c->cfg, 4, "none");
	assert_true(a->range.lo == 0 && a->range.hi == 0);
	a = objects_find_addr(&c->cfg, 6, "all");
	assert_true(a->family == 6 && a->range.lo == 0 &&
		    a->range.hi == ~(ip_u128)0);
	a = objects_find_addr(&c->cfg, 6, "none");
	assert_true(a->range.lo == 0 && a->range.hi == 0);
	assert_null(objects_find_addr(&c->cfg, 4, "nope"));

	s = objects_find_service(&c->cfg, "IKE");
	assert_int_equal(s->nr_ranges, 2);
	assert_range(range(s, 0), 17, 500, 500, 0, 65535);
	assert_range(range(s, 1), 17, 4500, 4500, 0, 65535);
	s = objects_find_service(&c->cfg, "ALL");
	assert_int_equal(s->nr_ranges, 1);
	assert_range(range(s, 0), SVC_PROTO_ANY, 0, 65535, 0, 65535);
	assert_range(range(objects_find_service(&c->cfg, "ESP"), 0), 50, 0,
		     65535, 0, 65535);
	s = objects_find_service(&c->cfg, "DNS");
	assert_int_equal(s->nr_ranges, 2);
	assert_range(range(s, 0), 6, 53, 53, 0, 65535);
	assert_range(range(s, 1), 17, 53, 53, 0, 65535);
	assert_range(range(objects_find_service(&c->cfg, "PING"), 0), 1, 8 << 8,
		     8 << 8 | 255, 0, 65535);
	assert_range(range(objects_find_service(&c->cfg, "PING6"), 0), 58,
		     128 << 8, 128 << 8 | 255, 0, 65535);
	assert_range(range(objects_find_service(&c->cfg, "ALL_ICMP"), 0), 1, 0,
		     65535, 0, 65535);
	assert_range(range(objects_find_service(&c->cfg, "RLOGIN"), 0), 6, 513,
		     513, 512, 1023);
	assert_range(range(objects_find_service(&c->cfg, "NONE"), 0), 6, 0, 0,
		     0, 65535);
	s = objects_find_service(&c->cfg, "Web Access");
	assert_true(s->is_group && s->builtin);
	assert_int_equal(s->nr_members, 3);
	assert_string_equal(s->members[0]->name, "DNS");
	assert_string_equal(s->members[2]->name, "HTTPS");

	sc = objects_find_schedule(&c->cfg, "always");
	assert_int_equal(sc->days, 0x7f);
	sc = objects_find_schedule(&c->cfg, "none");
	assert_int_equal(sc->days, 0);
	for (i = 0; i < c->cfg.nr_services; i++)
		assert_true(c->cfg.services[i]->builtin);
	assert_true(c->cfg.detect_unknown_esp);
	assert_int_equal(c->cfg.nr_policies4, 0);
	done(c);
}

static const char seed[] = SEED_CONF("198.51.100.7");

static void test_seed(void **state)
{
	struct ctx *c = load_ok(seed), *c2;
	struct obj_policy *p;
	struct obj_addr *g;

	assert_int_equal(c->cfg.nr_policies4, 1);
	p = c->cfg.policies4[0];
	assert_int_equal(p->id, 1);
	assert_int_equal(p->family, 4);
	assert_int_equal(p->loc.line, 14);
	assert_int_equal(p->loc.col, 10);
	assert_false(p->intf_any);
	assert_int_equal(p->nr_intfs, 1);
	assert_string_equal(p->intfs[0].name, "wan1");
	assert_int_equal(p->nr_src, 1);
	g = p->src[0];
	assert_string_equal(g->name, "All_exceptions");
	assert_int_equal(g->type, ADDR_GROUP);
	assert_true(g->exclude);
	assert_int_equal(g->nr_members, 1);
	assert_string_equal(g->members[0]->name, "all");
	assert_int_equal(g->nr_excludes, 1);
	assert_true(g->excludes[0]->range.lo == 0xc6336407 &&
		    g->excludes[0]->range.hi == 0xc6336407);
	assert_int_equal(g->exclude_locs[0].line, 10);
	assert_int_equal(g->exclude_locs[0].col, 28);
	assert_int_equal(g->refs, 1);
	assert_int_equal(g->excludes[0]->refs, 1);
	assert_string_equal(p->dst[0]->name, "all");
	assert_string_equal(p->svc[0]->name, "IKE");
	assert_string_equal(p->sched->name, "always");
	assert_false(p->accept);
	assert_true(p->enabled);
	assert_false(p->logtraffic);
	assert_null(p->comments);
	/* Derived uuid: version 8, variant 10, and stable across loads. */
	assert_int_equal(strlen(p->uuid), 36);
	assert_int_equal(p->uuid[14], '8');
	assert_non_null(strchr("89ab", p->uuid[19]));
	c2 = load_ok(seed);
	assert_string_equal(c2->cfg.policies4[0]->uuid, p->uuid);
	done(c2);
	done(c);
}

static void test_address_values(void **state)
{
	struct ctx *c = load_ok(
		"config firewall address\n"
		"    edit \"host-bits\"\n"
		"        set subnet 10.1.2.3 255.255.0.0\n"
		"    next\n"
		"    edit \"cidr\"\n"
		"        set subnet 192.0.2.0/24\n"
		"    next\n"
		"    edit \"range\"\n"
		"        set type iprange\n"
		"        set start-ip 10.0.0.5\n"
		"        set end-ip 10.0.0.9\n"
		"    next\n"
		"    edit \"name\"\n"
		"        set type fqdn\n"
		"        set fqdn \"vpn.example.com\"\n"
		"    next\n"
		"end\n"
		"config firewall address6\n"
		"    edit \"net6\"\n"
		"        set ip6 2001:db8::1/32\n"
		"    next\n"
		"    edit \"r6\"\n"
		"        set type iprange\n"
		"        set start-ip 2001:db8::1\n"
		"        set end-ip 2001:db8::ff\n"
		"    next\n"
		"end\n"
		"config firewall addrgrp\n"
		"    edit \"g\"\n"
		"        set member \"host-bits\" \"cidr\" \"range\" \"name\"\n"
		"    next\n"
		"end\n"
		"config firewall addrgrp6\n"
		"    edit \"g6\"\n"
		"        set member \"net6\" \"r6\"\n"
		"    next\n"
		"end\n"
		"config firewall local-in-policy\n"
		"    edit 1\n"
		"        set intf \"any\"\n"
		"        set srcaddr \"g\"\n"
		"        set dstaddr \"all\"\n"
		"        set service \"ALL\"\n"
		"        set schedule \"always\"\n"
		"    next\n"
		"end\n"
		"config firewall local-in-policy6\n"
		"    edit 1\n"
		"        set intf \"any\"\n"
		"        set srcaddr \"g6\"\n"
		"        set dstaddr \"all\"\n"
		"        set service \"ALL\"\n"
		"        set schedule \"always\"\n"
		"    next\n"
		"end\n");
	struct obj_addr *a;

	a = objects_find_addr(&c->cfg, 4, "host-bits");
	assert_true(a->range.lo == 0x0a010000 && a->range.hi == 0x0a01ffff);
	a = objects_find_addr(&c->cfg, 4, "cidr");
	assert_true(a->range.lo == 0xc0000200 && a->range.hi == 0xc00002ff);
	a = objects_find_addr(&c->cfg, 4, "range");
	assert_int_equal(a->type, ADDR_IPRANGE);
	assert_true(a->range.lo == 0x0a000005 && a->range.hi == 0x0a000009);
	a = objects_find_addr(&c->cfg, 4, "name");
	assert_int_equal(a->type, ADDR_FQDN);
	assert_string_equal(a->fqdn, "vpn.example.com");
	a = objects_find_addr(&c->cfg, 6, "net6");
	assert_true(a->range.lo == v6(0x20010db800000000ull, 0) &&
		    a->range.hi == v6(0x20010db8ffffffffull, ~0ull));
	a = objects_find_addr(&c->cfg, 6, "r6");
	assert_true(a->range.lo == v6(0x20010db800000000ull, 1) &&
		    a->range.hi == v6(0x20010db800000000ull, 0xff));
	assert_null(objects_find_addr(&c->cfg, 4, "net6"));
	assert_true(c->cfg.policies4[0]->intf_any);
	assert_int_equal(c->cfg.policies4[0]->nr_intfs, 0);
	assert_int_equal(c->cfg.policies6[0]->family, 6);
	assert_string_equal(c->cfg.policies6[0]->src[0]->name, "g6");
	/* Same id, other table: another uuid. */
	assert_string_not_equal(c->cfg.policies4[0]->uuid,
				c->cfg.policies6[0]->uuid);
	done(c);
}

static void test_services(void **state)
{
	struct ctx *c =
		load("config firewall service custom\n"
		     "    edit \"gre-ish\"\n"
		     "        set protocol IP\n"
		     "        set protocol-number 47\n"
		     "    next\n"
		     "    edit \"mixed\"\n"
		     "        set tcp-portrange 8080-8081:1024-65535 22\n"
		     "        set udp-portrange 53\n"
		     "        set sctp-portrange 9\n"
		     "        set udplite-portrange 7\n"
		     "    next\n"
		     "    edit \"unreach\"\n"
		     "        set protocol ICMP\n"
		     "        set icmptype 3\n"
		     "        set icmpcode 4\n"
		     "    next\n"
		     "end\n"
		     "config firewall service group\n"
		     "    edit \"outer\"\n"
		     "        set member \"inner\" \"PING\"\n"
		     "    next\n"
		     "    edit \"inner\"\n"
		     "        set member \"gre-ish\" \"mixed\" \"unreach\"\n"
		     "    next\n"
		     "end\n"
		     "config firewall local-in-policy\n"
		     "    edit 1\n"
		     "        set intf \"any\"\n"
		     "        set srcaddr \"all\"\n"
		     "        set dstaddr \"all\"\n"
		     "        set service \"outer\"\n"
		     "        set service-negate enable\n"
		     "        set schedule \"always\"\n"
		     "    next\n"
		     "end\n");
	struct obj_service *s;

	/* UDP-Lite is matched whole: the one thing said. */
	assert_string_equal(
		c->diags,
		"10:31: warning: service \"mixed\" has udplite-portrange 7, which localin does not enforce: it matches every UDP-Lite packet, whatever its ports\n");
	assert_int_equal(c->rc, 0);
	assert_range(range(objects_find_service(&c->cfg, "gre-ish"), 0), 47, 0,
		     65535, 0, 65535);
	s = objects_find_service(&c->cfg, "mixed");
	assert_int_equal(s->nr_ranges, 5);
	assert_range(range(s, 0), 6, 8080, 8081, 1024, 65535);
	assert_range(range(s, 1), 6, 22, 22, 0, 65535);
	assert_range(range(s, 2), 17, 53, 53, 0, 65535);
	assert_range(range(s, 3), 132, 9, 9, 0, 65535);
	assert_range(range(s, 4), 136, 7, 7, 0, 65535);
	assert_range(range(objects_find_service(&c->cfg, "unreach"), 0), 1,
		     3 << 8 | 4, 3 << 8 | 4, 0, 65535);
	s = objects_find_service(&c->cfg, "outer");
	assert_true(s->is_group);
	assert_int_equal(s->nr_members, 2);
	assert_true(s->members[0]->is_group);
	assert_int_equal(s->members[0]->nr_members, 3);
	assert_int_equal(s->member_locs[1].line, 20);
	assert_int_equal(s->member_locs[1].col, 28);
	assert_true(c->cfg.policies4[0]->svc_negate);
	done(c);
}

/*
 * start-utc/end-utc are read in the config's zone, not the process's, and
 * in the system's (the daemon's TZ at start) without one; the process's
 * TZ is left as it was.
 */
static void test_schedule_utc(void **state)
{
	static const char body[] = "config firewall schedule onetime\n"
				   "    edit \"night\"\n"
				   "        set start-utc 1792888200\n"
				   "        set end-utc 1792895400\n"
				   "    next\n"
				   "end\n";
	const char *tz = getenv("TZ");
	char text[512], *saved = tz ? strdup(tz) : NULL;
	struct obj_schedule *s;
	struct ctx *c;

	(void)state;
	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
	snprintf(text, sizeof(text),
		 "config system global\n"
		 "    set timezone \"Europe/Berlin\"\n"
		 "end\n%s",
		 body);
	c = load(text);
	assert_int_equal(c->rc, 0);
	s = objects_find_schedule(&c->cfg, "night");
	/* 02:30 CEST, then 03:30 CET: DST ended at 03:00 CEST between. */
	assert_int_equal(s->start_local, civil_minutes(2026, 10, 25, 2, 30));
	assert_int_equal(s->end_local, civil_minutes(2026, 10, 25, 3, 30));
	assert_string_equal(getenv("TZ"), "Asia/Tokyo");
	done(c);
	obj_set_system_zone("America/New_York");
	c = load(body);
	assert_int_equal(c->rc, 0);
	s = objects_find_schedule(&c->cfg, "night");
	assert_int_equal(s->start_local, civil_minutes(2026, 10, 24, 20, 30));
	assert_int_equal(s->end_local, civil_minutes(2026, 10, 24, 22, 30));
	assert_string_equal(getenv("TZ"), "Asia/Tokyo");
	done(c);
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
}

/*
 * The system's zone changed under a running daemon (timedatectl moves the
 * /etc/localtime link): zone_apply() of the same TZ text reads it again.
 */
static void test_zone_apply_rereads(void **state)
{
	char dir[] = "/tmp/localin-tz-XXXXXX", link[64], tz[72];
	const char *old = getenv("TZ");
	char *saved = old ? strdup(old) : NULL;
	time_t t = 1790000000; /* 2026-09: CEST, +0200 */
	struct tm tm;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(link, sizeof(link), "%s/localtime", dir);
	snprintf(tz, sizeof(tz), ":%s", link);
	assert_int_equal(symlink("/usr/share/zoneinfo/Europe/Berlin", link), 0);
	zone_apply(tz);
	assert_non_null(localtime_r(&t, &tm));
	assert_int_equal(tm.tm_gmtoff, 7200);
	unlink(link);
	assert_int_equal(symlink("/usr/share/zoneinfo/Asia/Tokyo", link), 0);
	zone_apply(tz);
	assert_non_null(localtime_r(&t, &tm));
	assert_int_equal(tm.tm_gmtoff, 9 * 3600);
	unlink(link);
	rmdir(dir);
	zone_apply(saved);
	free(saved);
}

static void test_schedules(void **state)
{
	struct ctx *c = load_ok(
		"config firewall schedule recurring\n"
		"    edit \"office\"\n"
		"        set day monday tuesday wednesday thursday friday\n"
		"        set start 08:00\n"
		"        set end 18:30\n"
		"    next\n"
		"    edit \"night\"\n"
		"        set day saturday\n"
		"        set start 22:00\n"
		"        set end 06:00\n"
		"    next\n"
		"end\n"
		"config firewall schedule onetime\n"
		"    edit \"leap\"\n"
		"        set start 12:00 2024/02/29\n"
		"        set end 00:00 2024/03/01\n"
		"        set expiration-days 7\n"
		"    next\n"
		"end\n"
		"config firewall schedule group\n"
		"    edit \"sg\"\n"
		"        set member \"office\" \"night\" \"leap\"\n"
		"    next\n"
		"end\n"
		"config firewall local-in-policy\n"
		"    edit 1\n"
		"        set intf \"any\"\n"
		"        set srcaddr \"all\"\n"
		"        set dstaddr \"all\"\n"
		"        set service \"ALL\"\n"
		"        set schedule \"sg\"\n"
		"    next\n"
		"end\n");
	struct obj_schedule *s;
	/* 2024-03-02 was a saturday; 2024-03-04 a monday. */
	int64_t sat = (int64_t)19784 * 1440, mon = sat + 2 * 1440;

	s = objects_find_schedule(&c->cfg, "office");
	assert_int_equal(s->days, 0x3e);
	assert_int_equal(s->start_min, 480);
	assert_int_equal(s->end_min, 1110);
	assert_true(schedule_active(s, mon + 480));
	assert_true(schedule_active(s, mon + 1109));
	assert_false(schedule_active(s, mon + 1110));
	assert_false(schedule_active(s, mon + 479));
	assert_false(schedule_active(s, sat + 600));
	s = objects_find_schedule(&c->cfg, "night");
	assert_true(schedule_active(s, sat + 22 * 60));
	assert_true(schedule_active(s, sat + 1440 + 5 * 60)); /* sunday 05:00 */
	assert_false(schedule_active(s, sat + 1440 + 6 * 60));
	assert_false(schedule_active(s, sat + 5 * 60)); /* friday night not */
	s = objects_find_schedule(&c->cfg, "leap");
	assert_int_equal(s->type, SCHED_ONETIME);
	assert_int_equal(s->start_local, (int64_t)19782 * 1440 + 720);
	assert_int_equal(s->end_local, (int64_t)19783 * 1440);
	assert_int_equal(s->expiration_days, 7);
	assert_true(schedule_active(s, s->start_local));
	assert_false(schedule_active(s, s->end_local));
	s = objects_find_schedule(&c->cfg, "sg");
	assert_int_equal(s->nr_members, 3);
	assert_true(schedule_active(s, mon + 600));
	assert_true(schedule_active(s, (int64_t)19782 * 1440 + 800));
	assert_false(schedule_active(s, sat + 600));
	assert_true(
		schedule_active(objects_find_schedule(&c->cfg, "always"), -1));
	assert_false(
		schedule_active(objects_find_schedule(&c->cfg, "none"), mon));
	assert_ptr_equal(c->cfg.policies4[0]->sched, s);
	done(c);
}

static void test_system(void **state)
{
	struct ctx *c = load_ok(
		"config system global\n"
		"    set hostname \"gw1\"\n"
		"    set timezone \"Europe/Paris\"\n"
		"end\n"
		"config system settings\n"
		"    set detect-unknown-esp disable\n"
		"end\n"
		"config system interface\n"
		"    edit \"wan1\"\n"
		"        set ip 203.0.113.10 255.255.255.0\n"
		"        config ipv6\n"
		"            set ip6-address 2001:db8:1::10/64\n"
		"        end\n"
		"    next\n"
		"    edit \"lan\"\n"
		"    next\n"
		"end\n"
		"config log setting\n"
		"    set local-in-allow enable\n"
		"    set local-in-deny-unicast enable\n"
		"end\n"
		"config firewall address\n"
		"    edit \"wan1-net\"\n"
		"        set type interface-subnet\n"
		"        set interface \"wan1\"\n"
		"    next\n"
		"end\n"
		"config firewall local-in-policy\n"
		"    edit 1\n"
		"        set intf \"wan1\"\n"
		"        set srcaddr \"wan1-net\"\n"
		"        set dstaddr \"all\"\n"
		"        set service \"SSH\"\n"
		"        set schedule \"always\"\n"
		"        set action accept\n"
		"        set status disable\n"
		"        set logtraffic enable\n"
		"        set comments \"admins\"\n"
		"        set uuid 0123ABCD-0000-4000-8000-00000000beef\n"
		"    next\n"
		"end\n");
	struct obj_intf *i;
	struct obj_addr *a;
	struct obj_policy *p;

	assert_string_equal(c->cfg.hostname, "gw1");
	assert_string_equal(c->cfg.timezone, "Europe/Paris");
	assert_false(c->cfg.detect_unknown_esp);
	assert_true(c->cfg.log_local_in_allow);
	assert_true(c->cfg.log_local_in_deny_unicast);
	assert_false(c->cfg.log_local_in_deny_broadcast);
	assert_int_equal(c->cfg.nr_intfs, 2);
	i = c->cfg.intfs[0];
	assert_string_equal(i->name, "wan1");
	assert_int_equal(i->ip4, 0xcb00710a);
	assert_int_equal(i->ip4_prefixlen, 24);
	assert_int_equal(i->nr_ip6, 1);
	assert_true(i->ip6[0].addr == v6(0x20010db800010000ull, 0x10));
	assert_int_equal(i->ip6[0].prefixlen, 64);
	assert_int_equal(c->cfg.intfs[1]->ip4, 0);
	assert_int_equal(c->cfg.intfs[1]->nr_ip6, 0);
	a = objects_find_addr(&c->cfg, 4, "wan1-net");
	assert_int_equal(a->type, ADDR_IFSUBNET);
	assert_string_equal(a->intf, "wan1");
	assert_true(a->range.lo == 0xcb007100 && a->range.hi == 0xcb0071ff);
	p = c->cfg.policies4[0];
	assert_true(p->accept);
	assert_false(p->enabled);
	assert_true(p->logtraffic);
	assert_string_equal(p->comments, "admins");
	assert_string_equal(p->uuid, "0123abcd-0000-4000-8000-00000000beef");
	done(c);
}

/*
 * FortiOS's zone numbers (`set timezone 04`, quoted or not) are the IANA
 * zones their labels name; a number past the table keeps the system's.
 */
static void test_timezone_numbers(void **state)
{
	static const struct {
		const char *set, *zone;
	} cases[] = {
		{ "04", "America/Los_Angeles" },
		{ "\"28\"", "Europe/Paris" },
		{ "26", "Europe/Berlin" },
		{ "25", "Europe/London" },
		{ "00", "Pacific/Kwajalein" },
		{ "75", "America/Montevideo" },
		{ "99", NULL },
	};
	char text[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ctx *c;

		snprintf(text, sizeof(text),
			 "config system global\n    set timezone %s\nend\n",
			 cases[i].set);
		c = load(text);
		assert_int_equal(c->rc, 0);
		if (cases[i].zone) {
			assert_non_null(c->cfg.timezone);
			assert_string_equal(c->cfg.timezone, cases[i].zone);
			assert_null(strstr(c->diags, "time zone"));
		} else {
			assert_null(c->cfg.timezone);
			assert_non_null(
				strstr(c->diags, "time zone number 99"));
		}
		done(c);
	}
}

/* Policies keep config order, not id order; each gets its own uuid. */
static void test_policy_order(void **state)
{
	struct ctx *c = load_ok("config firewall local-in-policy\n"
				"    edit 5\n"
				"        set intf \"wan1\"\n"
				"        set srcaddr \"all\"\n"
				"        set dstaddr \"all\"\n"
				"        set service \"SSH\"\n"
				"        set schedule \"always\"\n"
				"    next\n"
				"    edit 2\n"
				"        set intf \"wan1\" \"wan2\"\n"
				"        set srcaddr \"all\"\n"
				"        set dstaddr \"all\"\n"
				"        set service \"ALL\"\n"
				"        set schedule \"always\"\n"
				"    next\n"
				"end\n");

	assert_int_equal(c->cfg.nr_policies4, 2);
	assert_int_equal(c->cfg.policies4[0]->id, 5);
	assert_int_equal(c->cfg.policies4[1]->id, 2);
	assert_int_equal(c->cfg.policies4[1]->nr_intfs, 2);
	assert_string_equal(c->cfg.policies4[1]->intfs[1].name, "wan2");
	assert_string_not_equal(c->cfg.policies4[0]->uuid,
				c->cfg.policies4[1]->uuid);
	done(c);
}

/* config log syslogd*: the servers as the daemon gets them, and the filter. */
static void test_syslogd(void **state)
{
	struct ctx *c = load_ok("config log syslogd setting\n"
				"    set status enable\n"
				"    set server \"192.0.2.10\"\n"
				"    set port 6514\n"
				"    set mode reliable\n"
				"    set facility local5\n"
				"    set format rfc5424\n"
				"    set source-ip \"192.0.2.1\"\n"
				"end\n"
				"config log syslogd filter\n"
				"    set severity warning\n"
				"end\n"
				"config log syslogd3 setting\n"
				"    set status enable\n"
				"    set server \"logs.example.net\"\n"
				"    set mode legacy-reliable\n"
				"end\n"
				"config log syslogd3 filter\n"
				"    set local-traffic disable\n"
				"end\n");
	const struct obj_syslogd *s = c->cfg.syslogd;
	const struct obj_eventfilter *ev = &c->cfg.eventfilter;

	(void)state;
	assert_true(s[0].enabled);
	assert_string_equal(s[0].server, "192.0.2.10");
	assert_int_equal(s[0].port, 6514);
	assert_int_equal(s[0].mode, OBJ_SYSLOG_RELIABLE);
	assert_int_equal(s[0].facility, 21);
	assert_int_equal(s[0].format, OBJ_SYSLOG_FMT_RFC5424);
	assert_string_equal(s[0].source_ip, "192.0.2.1");
	assert_int_equal(s[0].severity, 4);
	/* FortiOS's defaults where nothing is said */
	assert_false(s[1].enabled);
	assert_int_equal(s[1].port, 514);
	assert_int_equal(s[1].facility, 23);
	assert_int_equal(s[1].mode, OBJ_SYSLOG_UDP);
	assert_int_equal(s[1].format, OBJ_SYSLOG_FMT_DEFAULT);
	assert_int_equal(s[1].severity, 6);
	assert_true(s[2].enabled);
	assert_string_equal(s[2].server, "logs.example.net");
	assert_int_equal(s[2].mode, OBJ_SYSLOG_LEGACY_RELIABLE);

	/* severity warning: error (3) and warning (4) pass, notice (5) not */
	assert_true(obj_syslogd_takes(&s[0], ev, OBJ_LOG_EVENT, 3));
	assert_true(obj_syslogd_takes(&s[0], ev, OBJ_LOG_LOCAL_TRAFFIC, 4));
	assert_false(obj_syslogd_takes(&s[0], ev, OBJ_LOG_LOCAL_TRAFFIC, 5));
	/* defaults: information and above, traffic too; debug not */
	assert_true(obj_syslogd_takes(&s[1], ev, OBJ_LOG_LOCAL_TRAFFIC, 6));
	assert_true(obj_syslogd_takes(&s[1], ev, OBJ_LOG_FORWARD_TRAFFIC, 5));
	assert_false(obj_syslogd_takes(&s[1], ev, OBJ_LOG_EVENT, 7));
	/* local-traffic disable: the ESP error goes, the traffic line not */
	assert_true(obj_syslogd_takes(&s[2], ev, OBJ_LOG_EVENT, 3));
	assert_false(obj_syslogd_takes(&s[2], ev, OBJ_LOG_LOCAL_TRAFFIC, 5));
	assert_true(obj_syslogd_takes(&s[2], ev, OBJ_LOG_FORWARD_TRAFFIC, 5));
	/* log eventfilter: both enabled by default */
	assert_true(ev->event && ev->vpn);
	assert_true(obj_syslogd_takes(&s[1], ev, OBJ_LOG_EVENT_VPN, 3));
	done(c);

	/* vpn disable: no ESP errors to syslog; event disable: no events */
	c = load_ok("config log eventfilter\n    set vpn disable\nend\n");
	ev = &c->cfg.eventfilter;
	assert_true(ev->event);
	assert_false(ev->vpn);
	assert_false(obj_syslogd_takes(&c->cfg.syslogd[0], ev,
				       OBJ_LOG_EVENT_VPN, 3));
	assert_true(
		obj_syslogd_takes(&c->cfg.syslogd[0], ev, OBJ_LOG_EVENT, 3));
	assert_true(obj_syslogd_takes(&c->cfg.syslogd[0], ev,
				      OBJ_LOG_LOCAL_TRAFFIC, 5));
	done(c);
	/* syslog over TLS, which localin lacks: nothing, not the lines in clear */
	c = load("config log syslogd setting\n"
		 "    set status enable\n"
		 "    set server \"192.0.2.10\"\n"
		 "    set mode reliable\n"
		 "    set enc-algorithm high\n"
		 "end\n"
		 "config log syslogd2 setting\n"
		 "    set status enable\n"
		 "    set server \"192.0.2.11\"\n"
		 "    set enc-algorithm disable\n"
		 "end\n");
	assert_int_equal(c->rc, 0);
	assert_string_equal(
		c->diags,
		"5:23: warning: log syslogd setting: enc-algorithm high asks for syslog over TLS, which localin does not have: it sends this server nothing rather than the log lines in clear\n");
	assert_false(c->cfg.syslogd[0].enabled);
	assert_true(c->cfg.syslogd[1].enabled);
	done(c);
	c = load_ok("config log eventfilter\n    set event disable\nend\n");
	ev = &c->cfg.eventfilter;
	assert_false(obj_syslogd_takes(&c->cfg.syslogd[0], ev,
				       OBJ_LOG_EVENT_VPN, 3));
	assert_false(
		obj_syslogd_takes(&c->cfg.syslogd[0], ev, OBJ_LOG_EVENT, 3));
	done(c);
}

/*
 * A FortiGate's own ENC password (a backup pasted as it is) cannot be
 * read: a warning at the value, and the backup loads; the mail goes
 * without logging in, the feed is fetched without a login. What `show`
 * wrote (ENC of the clear text in base64) is read back.
 */
static void test_fortigate_enc_password(void **state)
{
	struct ctx *c;

	(void)state;
	c = load("config system email-server\n"
		 "    set server \"mail.example.com\"\n"
		 "    set authenticate enable\n"
		 "    set username \"fg@example.com\"\n"
		 "    set password ENC SH2nlSm9+YVq5nZQ6pNwEKfn8r3TjE=\n"
		 "end\n"
		 "config system external-resource\n"
		 "    edit \"feed\"\n"
		 "        set type address\n"
		 "        set resource \"https://feeds.example.net/a.txt\"\n"
		 "        set username \"u\"\n"
		 "        set password ENC tGJkS0q4xkYMyZbP1/7yQ2lVd2A=AA\n"
		 "    next\n"
		 "end\n");
	assert_int_equal(c->rc, 0);
	assert_non_null(
		strstr(c->diags, "5:18: warning: email-server password"));
	assert_non_null(
		strstr(c->diags, "alert mail is sent without logging in"));
	assert_non_null(
		strstr(c->diags, "12:22: warning: external-resource password"));
	assert_null(strstr(c->diags, "error"));
	assert_false(c->cfg.alertmail.authenticate);
	assert_null(c->cfg.alertmail.password);
	assert_int_equal(c->cfg.nr_feeds, 1);
	assert_null(c->cfg.feeds[0]->user);
	assert_null(c->cfg.feeds[0]->password);
	done(c);

	/* localin's own ENC (base64 of "s3cret") is the password */
	c = load_ok("config system email-server\n"
		    "    set server \"mail.example.com\"\n"
		    "    set authenticate enable\n"
		    "    set username \"fg@example.com\"\n"
		    "    set password ENC czNjcmV0\n"
		    "end\n");
	assert_true(c->cfg.alertmail.authenticate);
	assert_string_equal(c->cfg.alertmail.password, "s3cret");
	done(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_factory),
		cmocka_unit_test(test_seed),
		cmocka_unit_test(test_address_values),
		cmocka_unit_test(test_services),
		cmocka_unit_test(test_schedules),
		cmocka_unit_test(test_schedule_utc),
		cmocka_unit_test(test_zone_apply_rereads),
		cmocka_unit_test(test_system),
		cmocka_unit_test(test_timezone_numbers),
		cmocka_unit_test(test_syslogd),
		cmocka_unit_test(test_policy_order),
		cmocka_unit_test(test_fortigate_enc_password),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
