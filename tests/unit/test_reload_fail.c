// SPDX-License-Identifier: GPL-2.0
/*
 * A reload that fails after the loader took its copy of the incoming
 * families (li_loader_set_ruleset: the interfaces' classes into the set
 * not in force, the flip) leaves the loader describing the ruleset still
 * in force, and a later reload right:
 *  - the counters have that ruleset's policies (not the failed one's);
 *  - a schedule tick (li_loader_set_active) masks with its enabled
 *    policies: another ruleset's disabled first policy turned the first
 *    policy in force off;
 *  - an interface that comes afterwards is classed by its names: it was
 *    classed by the failed ruleset's, and escaped the policy naming it;
 *  - the next reload that succeeds judges as a fresh load of it.
 * The failure is a real one: more interfaces above the array's indexes
 * (LI_IFC_ARRAY, a PPPoE server's churn) than the hash holds for two
 * sets, which the loader says apart (-ENOSPC) from a ruleset larger than
 * its maps (-E2BIG: the daemon's successor takes over).
 *
 * The same hash full under an adopting start's names (daemon.c
 * daemon_name_interfaces): exactly those that found no entry are counted
 * (an index named again takes none), the ones after them are classed.
 * Needs root (BPF); in a network namespace of a child.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/libbpf.h>

#include "pipeline/pipeline.h"
#include "dataplane/loader.h"
#include "dataplane/maps.h"
#include "daemon/internal.h"
#include "netns_child.h"
#include "../diff/wire.h"

#define GW 0xc6336401	/* 198.51.100.1 */
#define SCAN 0x64400030 /* 100.64.0.48 */
#define PORT1 1001	/* "port1" */
#define PORT1_LATE 1002 /* "port1" too, come after the failed reload */
#define PORT2 1003	/* "port2" */
/* Above the array's: one hash entry each in each set it is written to. */
#define NR_HIGH (LI_IFC_HASH_MAX / 2 + 50)

#define POLICY(id, status, intf, svc)       \
	"    edit " #id "\n"                \
	"        set status " status "\n"   \
	"        set intf \"" intf "\"\n"   \
	"        set srcaddr \"all\"\n"     \
	"        set dstaddr \"all\"\n"     \
	"        set service \"" svc "\"\n" \
	"        set action deny\n"         \
	"        set schedule \"always\"\n" \
	"    next\n"

#define INTFS                                                             \
	"config system interface\n"                                       \
	"    edit \"port1\"\n        set ip 198.51.100.1 255.255.255.0\n" \
	"    next\n"                                                      \
	"    edit \"port2\"\n        set ip 203.0.113.1 255.255.255.0\n"  \
	"    next\n"                                                      \
	"end\n"

/* In force throughout: DNS denied on port1. */
static const char conf_a[] = INTFS "config firewall local-in-policy\n" POLICY(
	1, "enable", "port1", "DNS") "end\n";
/* The one that fails: its first policy disabled, port1 unnamed. */
static const char conf_b[] = INTFS
	"config firewall local-in-policy\n" POLICY(9, "disable", "any", "DNS")
		POLICY(5, "enable", "port2", "DNS")
			POLICY(6, "enable", "any", "SNMP") "end\n";
/* The next that succeeds. */
static const char conf_c[] = INTFS
	"config firewall local-in-policy\n" POLICY(4, "enable", "port2", "DNS")
		POLICY(2, "enable", "port1", "SNMP") "end\n";

static void load(struct pipeline *p, const char *name, const char *text)
{
	int err = pipeline_load_mem(p, name, text, strlen(text), STAGE_COMPILE);

	if (err)
		diag_print(&p->diags, stderr);
	CHECK(!err, "%s does not compile", name);
}

/* Is UDP to the gateway's @dport arriving on @ifindex dropped? */
static int dropped(struct li_loader *l, int ifindex, unsigned int dport)
{
	__u8 f[WIRE_UDP4_LEN];
	struct li_verdict v;
	struct li_pkt p;

	wire_udp4(f, SCAN, 40000, GW, dport);
	CHECK(!li_loader_test_run(l, f, sizeof(f), ifindex, &p, &v),
	      "test run");
	return v.drop;
}

static __u32 nr_policies4(struct li_loader *l)
{
	struct li_counters c;

	CHECK(!li_loader_counters(l, &c), "counters");
	return c.nr_policies[0];
}

static struct li_loader *open_with(const struct li_ruleset *rs)
{
	struct li_host_addr a = { .family = 4 };
	struct li_loader *l;
	int err;

	a.addr[0] = htonl(GW);
	err = li_loader_open(&l, NULL, false);
	if (err) {
		fprintf(stderr, "cannot load the programs: %s\n",
			strerror(-err));
		_exit(CHILD_SKIP);
	}
	libbpf_set_print(NULL); /* the loader's own print went with it */
	err = li_loader_set_ruleset(l, rs)			 ?:
		      li_loader_set_locals(l, &a, 1, NULL)	 ?:
		      li_loader_set_interface(l, PORT1, "port1") ?:
		      li_loader_set_interface(l, PORT2, "port2");
	CHECK(!err, "first load: %s", strerror(-err));
	return l;
}

static void reload_fails(void)
{
	static const unsigned int dports[] = { 53, 161, 500 };
	static const int ifx[] = { PORT1, PORT1_LATE, PORT2 };
	struct pipeline pa, pb, pc;
	struct li_loader *l, *fresh;
	__u64 all = ~0ull;
	char name[16];
	size_t i, k;
	int err;

	libbpf_set_print(NULL);
	load(&pa, "a.conf", conf_a);
	load(&pb, "b.conf", conf_b);
	load(&pc, "c.conf", conf_c);
	CHECK(pa.rs.v4.bm_words == pb.rs.v4.bm_words, "one word each");
	l = open_with(&pa.rs);
	for (i = 0; i < NR_HIGH; i++) {
		snprintf(name, sizeof(name), "ppp%zu", i);
		err = li_loader_set_interface(l, LI_IFC_ARRAY + (int)i, name);
		CHECK(!err, "%s: %s", name, strerror(-err));
	}
	CHECK(dropped(l, PORT1, 53), "A: DNS on port1 denied");

	/*
	 * Its classes of the high interfaces do not fit beside A's: said
	 * apart from a ruleset too big (-E2BIG, on which the daemon had a
	 * successor take over, "the ruleset is larger than the maps").
	 */
	err = li_loader_set_ruleset(l, &pb.rs);
	CHECK(err == -ENOSPC, "the reload to B failed with -ENOSPC: %d", err);
	CHECK(strstr(li_loader_strerror(err), "2048 interfaces") &&
		      strstr(li_loader_strerror(err), "16384"),
	      "the limit said: %s", li_loader_strerror(err));
	/* one more above the array's: not classed, and said so */
	err = li_loader_set_interface(l, LI_IFC_ARRAY + NR_HIGH, "ppp-late");
	CHECK(err == -ENOSPC, "a late high interface: %d", err);
	CHECK(!li_loader_forget_interface(l, LI_IFC_ARRAY + NR_HIGH),
	      "forget the late one");
	CHECK(nr_policies4(l) == pa.rs.v4.nr_policies,
	      "counters: %u policies, A has %u", nr_policies4(l),
	      pa.rs.v4.nr_policies);
	CHECK(dropped(l, PORT1, 53), "still A: DNS on port1 denied");
	/* a schedule tick: every policy of A on now */
	err = li_loader_set_active(l, 4, &all, pa.rs.v4.bm_words);
	CHECK(!err, "A's mask: %s", strerror(-err));
	CHECK(dropped(l, PORT1, 53), "after the tick: DNS on port1 denied");
	CHECK(!li_loader_set_interface(l, PORT1_LATE, "port1"), "late port1");
	CHECK(dropped(l, PORT1_LATE, 53), "a port1 come since: DNS denied");
	CHECK(!dropped(l, PORT2, 53), "DNS on port2 passes (B never was)");

	/* fewer interfaces: C goes in, as in a loader that only had C */
	for (i = 0; i < NR_HIGH; i++)
		CHECK(!li_loader_forget_interface(l, LI_IFC_ARRAY + (int)i),
		      "forget");
	err = li_loader_set_ruleset(l, &pc.rs);
	CHECK(!err, "the reload to C: %s", strerror(-err));
	fresh = open_with(&pc.rs);
	CHECK(!li_loader_set_interface(fresh, PORT1_LATE, "port1"), "late");
	CHECK(nr_policies4(l) == pc.rs.v4.nr_policies, "C's counters");
	for (i = 0; i < sizeof(ifx) / sizeof(ifx[0]); i++)
		for (k = 0; k < sizeof(dports) / sizeof(dports[0]); k++)
			CHECK(dropped(l, ifx[i], dports[k]) ==
				      dropped(fresh, ifx[i], dports[k]),
			      "C: ifindex %d port %u as a fresh load", ifx[i],
			      dports[k]);
	CHECK(dropped(l, PORT2, 53) && dropped(l, PORT1_LATE, 161) &&
		      !dropped(l, PORT1, 53),
	      "C judges");
	li_loader_close(fresh);
	li_loader_close(l);
	pipeline_free(&pa);
	pipeline_free(&pb);
	pipeline_free(&pc);
}

static void test_reload_fails(void **state)
{
	(void)state;
	in_child(reload_fails, true);
}

/* if_nameindex()'s list: NR_FIT high, 2 over, then 2 the array holds. */
#define NR_FIT LI_IFC_HASH_MAX /* one ruleset: the hash for it alone */
#define NR_NAMED (NR_FIT + 2 + 2)

static void names_count(void)
{
	static struct if_nameindex ni[NR_NAMED + 1];
	static char names[NR_NAMED][16];
	struct pipeline pa;
	struct li_loader *l;
	size_t full, i;
	int err;

	libbpf_set_print(NULL);
	load(&pa, "a.conf", conf_a);
	l = open_with(&pa.rs);
	for (i = 0; i < NR_FIT + 2; i++) {
		snprintf(names[i], sizeof(names[i]), "ppp%zu", i);
		ni[i].if_index = LI_IFC_ARRAY + (unsigned int)i;
		ni[i].if_name = names[i];
	}
	/* after them, in the array: classed whatever the hash holds */
	ni[NR_FIT + 2] = (struct if_nameindex){ PORT2, "port2" };
	ni[NR_FIT + 3] = (struct if_nameindex){ PORT1_LATE, "port1" };
	err = daemon_name_interfaces(l, ni, &full);
	CHECK(!err, "named: %s", strerror(-err));
	CHECK(full == 2, "%zu not classed, 2 past the %d entries", full,
	      NR_FIT);
	/* the first NR_FIT named again: their entries are theirs, none counted */
	ni[NR_FIT].if_index = 0;
	err = daemon_name_interfaces(l, ni, &full);
	CHECK(!err && full == 0, "named again: %zu not classed (%d)", full,
	      err);
	ni[NR_FIT].if_index = LI_IFC_ARRAY + NR_FIT;
	CHECK(dropped(l, PORT1_LATE, 53), "port1 after them: DNS denied");
	CHECK(!dropped(l, PORT2, 53), "port2: DNS passes");
	li_loader_close(l);
	pipeline_free(&pa);
}

static void test_names_count(void **state)
{
	(void)state;
	in_child(names_count, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reload_fails),
		cmocka_unit_test(test_names_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
