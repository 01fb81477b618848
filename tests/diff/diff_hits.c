// SPDX-License-Identifier: GPL-2.0
/*
 * Policy hit counts across reloads (dataplane/loader_hits.c), as FortiOS
 * keeps a policy's: by policy id and family, until iprope clear.
 *  - A reload keeps the hits of every id it keeps, whatever else of the
 *    policy changed (its service, its place); a new id starts at 0; an
 *    id dropped and added back starts at 0.
 *  - iprope clear zeroes them, and they count on from 0, across a reload
 *    too.
 *  - A successor program (a ruleset larger than the maps) takes them.
 *  - Exact while a reload swaps the sets: a thread on another CPU sends
 *    denied frames without a pause while the main one reloads, and the
 *    count is every frame, no more, no fewer.
 *
 *	diff_hits	(root: BPF_PROG_TEST_RUN)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "pipeline/pipeline.h"
#include "dataplane/loader.h"
#include "wire.h"

#define GW 0xc6336401	/* 198.51.100.1 */
#define SCAN 0x64400030 /* 100.64.0.48 */
#define IFINDEX 1001
#define LO 1	     /* a device the test runs without metadata name */
#define BURST 100000 /* a racing test run: some 10 ms, across reloads */
#define RELOADS 40   /* while it runs */

#define POLICY(id, svc)                     \
	"    edit " #id "\n"                \
	"        set intf \"any\"\n"        \
	"        set srcaddr \"all\"\n"     \
	"        set dstaddr \"all\"\n"     \
	"        set service \"" svc "\"\n" \
	"        set action deny\n"         \
	"        set schedule \"always\"\n" \
	"    next\n"

/* 1 denies IKE, 3 DNS. */
static const char conf_a[] =
	"config firewall local-in-policy\n" POLICY(1, "IKE")
		POLICY(3, "DNS") "end\n";
/* 3 gone, 7 new and first, 1 with another service (IKE still in it). */
static const char conf_b[] =
	"config firewall local-in-policy\n" POLICY(7, "SNMP")
		POLICY(1, "ALL_UDP") "end\n";

static int failed;

static void check(int ok, const char *what)
{
	printf("%s diff/hits: %s\n", ok ? "PASS" : "FAIL", what);
	failed |= !ok;
}

static int load(struct pipeline *p, const char *name, const char *text)
{
	int err = pipeline_load_mem(p, name, text, strlen(text), STAGE_COMPILE);

	if (err) {
		diag_print(&p->diags, stdout);
		printf("FAIL diff/hits: %s does not compile\n", name);
	}
	return err;
}

/* Policy @id's hits (IPv4) in the ruleset in force @rs; -1: none there. */
static long long hits(struct li_loader *l, const struct li_ruleset *rs,
		      __u32 id)
{
	struct li_counters c;
	__u32 k;

	if (li_loader_counters(l, &c))
		return -2;
	for (k = 0; k < rs->v4.nr_policies && k < c.nr_policies[0]; k++)
		if (rs->v4.policies[k].id == id)
			return (long long)c.policy_hits[0][k];
	return -1;
}

/* @n frames to UDP port @dport, each denied by a policy; 0 or -1. */
static int send_n(struct li_loader *l, unsigned int dport, int n)
{
	__u8 f[WIRE_UDP4_LEN];
	struct li_verdict v;
	struct li_pkt p;
	int i;

	wire_udp4(f, SCAN, 40000, GW, dport);
	for (i = 0; i < n; i++)
		if (li_loader_test_run(l, f, sizeof(f), IFINDEX, &p, &v) ||
		    !v.drop || v.reason != LI_R_POLICY)
			return -1;
	return 0;
}

struct racer {
	struct li_loader *l;
	volatile int stop;
	long long sent; /* frames the program dropped */
	int err;
};

/* Denied IKE, BURST at a time, on CPU 1, until told to stop. */
static void *race(void *arg)
{
	struct racer *r = arg;
	__u8 f[WIRE_UDP4_LEN];
	cpu_set_t cpu;
	__u32 ns, action;

	CPU_ZERO(&cpu);
	CPU_SET(1, &cpu);
	sched_setaffinity(0, sizeof(cpu), &cpu);
	wire_udp4(f, SCAN, 40000, GW, 500);
	while (!r->stop && !r->err) {
		r->err = li_loader_bench(r->l, f, sizeof(f), LO, BURST, &ns,
					 &action);
		if (!r->err && action != XDP_DROP)
			r->err = -EPROTO;
		if (!r->err)
			r->sent += BURST;
	}
	return NULL;
}

/*
 * Policy 1's and 3's hits, by id, across reloads and iprope clear, from
 * 0 with pa's ruleset in force; @how starts each check's line.
 */
static void by_id(struct li_loader *l, struct pipeline *pa,
		  struct pipeline *pb, const char *how)
{
	char what[160];
	int err;

#define CHECK(ok, text)                                        \
	do {                                                   \
		snprintf(what, sizeof(what), "%s%s", how, text); \
		check(ok, what);                               \
	} while (0)
	CHECK(!send_n(l, 500, 5) && !send_n(l, 53, 3) &&
		      hits(l, &pa->rs, 1) == 5 && hits(l, &pa->rs, 3) == 3,
	      "5 IKE and 3 DNS denied: policy 1 5 hits, policy 3 3");
	err = li_loader_set_ruleset(l, &pb->rs);
	CHECK(!err && hits(l, &pb->rs, 1) == 5 && hits(l, &pb->rs, 7) == 0,
	      "reload (1 moved second, another service; 7 new): 1 keeps 5, 7 has 0");
	CHECK(!send_n(l, 500, 2) && hits(l, &pb->rs, 1) == 7,
	      "... 2 IKE more: policy 1 7");
	err = li_loader_set_ruleset(l, &pa->rs);
	CHECK(!err && hits(l, &pa->rs, 1) == 7 && hits(l, &pa->rs, 3) == 0,
	      "reload back: policy 1 keeps 7, policy 3 (dropped, added back) 0");
	err = li_loader_clear_policy_hits(l);
	CHECK(!err && hits(l, &pa->rs, 1) == 0, "iprope clear: policy 1 0");
	CHECK(!send_n(l, 500, 4) && hits(l, &pa->rs, 1) == 4,
	      "... 4 IKE more: 4");
	err = li_loader_set_ruleset(l, &pa->rs);
	CHECK(!err && hits(l, &pa->rs, 1) == 4,
	      "... and a reload keeps 4, not what was cleared");

#undef CHECK
}

int main(void)
{
	struct li_host_addr a = { .family = 4 };
	struct li_loader *l = NULL, *n = NULL;
	struct pipeline pa, pb;
	struct racer r = { 0 };
	pthread_t t;
	cpu_set_t cpu;
	long long before, got;
	int err, i;

	a.addr[0] = htonl(GW);
	libbpf_set_print(NULL);
	if (load(&pa, "a.conf", conf_a) || load(&pb, "b.conf", conf_b))
		return 1;
	err = li_loader_open(&l, NULL, false)		   ?:
		      li_loader_set_ruleset(l, &pa.rs)	   ?:
		      li_loader_set_locals(l, &a, 1, NULL) ?:
		      li_loader_set_interface(l, IFINDEX, "wan1");
	if (err) {
		printf("FAIL diff/hits: cannot load the XDP program: %s\n",
		       strerror(-err));
		return 1;
	}

	by_id(l, &pa, &pb, "");
	/* as on a kernel without batch map ops: one key at a time */
	li_loader_test_no_batch(l);
	err = li_loader_clear_policy_hits(l);
	check(!err && hits(l, &pa.rs, 1) == 0 && hits(l, &pa.rs, 3) == 0,
	      "one by one: iprope clear: policies 1 and 3 0");
	by_id(l, &pa, &pb, "one by one: ");

	/* A successor, as a ruleset larger than the maps brings (no links). */
	err = li_loader_successor(&n, l, &pa.rs) ?:
		      li_loader_take_over(n, l, NULL, 0);
	if (!err) {
		li_loader_close(l);
		l = n;
		err = li_loader_set_locals(l, &a, 1, NULL) ?:
			      li_loader_set_interface(l, IFINDEX, "wan1");
	}
	check(!err && hits(l, &pa.rs, 1) == 4,
	      "a successor program takes over: policy 1 keeps 4");
	check(!send_n(l, 500, 1) && hits(l, &pa.rs, 1) == 5,
	      "... 1 IKE more on it: 5");

	/* Reloads on CPU 0 while frames are denied on CPU 1. */
	CPU_ZERO(&cpu);
	CPU_SET(0, &cpu);
	sched_setaffinity(0, sizeof(cpu), &cpu);
	err = li_loader_set_interface(l, LO, "lo");
	before = hits(l, &pa.rs, 1);
	r.l = l;
	if (err || pthread_create(&t, NULL, race, &r)) {
		check(0, "cannot start the racing thread");
		goto out;
	}
	for (i = 0; i < RELOADS && !err; i++)
		err = li_loader_set_ruleset(l, i % 2 ? &pa.rs : &pb.rs);
	r.stop = 1;
	pthread_join(t, NULL);
	/* RELOADS is even: pa's ruleset is in force */
	got = hits(l, &pa.rs, 1);
	printf("    %d reloads, %lld frames denied meanwhile, policy 1 %lld -> %lld\n",
	       RELOADS, r.sent, before, got);
	check(!err && !r.err && r.sent > 0 && got == before + r.sent,
	      "reloads while denied IKE arrives on another CPU: every frame counted once");
out:
	li_loader_close(l);
	pipeline_free(&pa);
	pipeline_free(&pb);
	return failed;
}
