// SPDX-License-Identifier: GPL-2.0
/*
 * The XDP program's events (localin.bpf.c tell(), emit()), read from its
 * ring as the daemon reads them; replay formats its log lines itself, so
 * tests/diff's corpus runs do not see these.
 *  - Which decisions send one: a logged denial and a logged implicit
 *    accept that opened no session do, one each; an accept that opened
 *    a session does not (its line comes at its end), nor do the packets
 *    of that session. (ESP's events: tests/e2e flood and sasrc.)
 *  - The token bucket, on one CPU: a burst leaves, the rest of it is
 *    suppressed and counted, and time gives the bucket its credit back at
 *    the rate set. A bucket that refused an event refuses the rest of
 *    that jiffy without a look; these checks fail if that shortcut
 *    suppressed one event too many (it must not outlive its jiffy) or
 *    let one too many through.
 *
 *	diff_events	(root: BPF_PROG_TEST_RUN)
 */
#include <arpa/inet.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <bpf/libbpf.h>

#include "pipeline/pipeline.h"
#include "dataplane/loader.h"
#include "wire.h"

#define GW 0xc6336401	/* 198.51.100.1 */
#define MDNS 0xe00000fb /* 224.0.0.251: multicast, to us, no session */
#define SCAN 0x64400030 /* 100.64.0.48: IKE from it is denied, logged */
#define IFINDEX 1001
#define RATE 10 /* events a second: one per 100 ms */
#define BURST 2

static const char conf[] = "config log setting\n"
			   "    set local-in-allow enable\n"
			   "    set local-in-deny-unicast enable\n"
			   "end\n"
			   "config firewall local-in-policy\n"
			   "    edit 1\n"
			   "        set intf \"any\"\n"
			   "        set srcaddr \"all\"\n"
			   "        set dstaddr \"all\"\n"
			   "        set service \"IKE\"\n"
			   "        set action deny\n"
			   "        set schedule \"always\"\n"
			   "    next\n"
			   "end\n";

static int failed;

static void check(int ok, const char *what)
{
	printf("%s diff/events: %s\n", ok ? "PASS" : "FAIL", what);
	failed |= !ok;
}

static __u64 now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (__u64)t.tv_sec * 1000000000ull + (__u64)t.tv_nsec;
}

static void pause_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&t, &t))
		;
}

static void counted(void *ctx, const struct li_event *ev, __u64 time_ns)
{
	int *n = ctx;

	(void)time_ns;
	if (ev->kind < LI_EV_NR_KINDS)
		n[ev->kind]++;
}

/* The traffic events in the ring, read; -1 on an error. */
static int traffic_events(struct li_loader *l)
{
	int n[LI_EV_NR_KINDS] = { 0 };

	if (li_loader_poll(l, 0, counted, n) < 0)
		return -1;
	return n[LI_EV_TRAFFIC];
}

/* One frame to @dst port @dport: its verdict, its traffic events. */
static int one(struct li_loader *l, __u32 dst, unsigned int dport,
	       struct li_verdict *v)
{
	__u8 f[WIRE_UDP4_LEN];
	struct li_pkt p;

	wire_udp4(f, SCAN, 40000, dst, dport);
	if (li_loader_test_run(l, f, sizeof(f), IFINDEX, &p, v))
		return -1;
	return traffic_events(l);
}

/*
 * @n denied, logged decisions: how many of their events left, -1 on an
 * error, or -2 when the events that left and those the bucket counted as
 * suppressed are not @n in all.
 */
static int sent(struct li_loader *l, int n)
{
	struct li_counters a, b;
	__u8 f[WIRE_UDP4_LEN];
	struct li_verdict v;
	struct li_pkt p;
	int i, left;

	wire_udp4(f, SCAN, 40000, GW, 500);
	if (li_loader_counters(l, &a))
		return -1;
	for (i = 0; i < n; i++)
		if (li_loader_test_run(l, f, sizeof(f), IFINDEX, &p, &v) ||
		    !v.drop || v.reason != LI_R_POLICY)
			return -1;
	if (li_loader_counters(l, &b))
		return -1;
	left = traffic_events(l);
	if (left < 0)
		return -1;
	if (left + (int)(b.events_suppressed[LI_EV_TRAFFIC] -
			 a.events_suppressed[LI_EV_TRAFFIC]) !=
	    n)
		return -2;
	return left;
}

/*
 * @n denials at once: @want events leave. A slow run (ASan, a loaded
 * machine) may earn credit while it runs: one event per RATE's interval
 * of it more is allowed.
 */
static void bucket_round(struct li_loader *l, int n, int want, const char *what)
{
	__u64 cost = 1000000000ull / RATE, t0 = now_ns(), dt;
	int left = sent(l, n);

	dt = now_ns() - t0;
	check(left >= want && (__u64)left <= (__u64)want + dt / cost, what);
	printf("    (%d left in %llu ms)\n", left,
	       (unsigned long long)(dt / 1000000));
}

int main(void)
{
	struct li_host_addr a = { .family = 4 };
	struct li_loader *l = NULL;
	struct li_verdict v;
	struct pipeline p;
	cpu_set_t cpu;
	int err, n;

	/* One CPU: the buckets are per CPU, a test run uses the caller's. */
	CPU_ZERO(&cpu);
	CPU_SET(0, &cpu);
	if (sched_setaffinity(0, sizeof(cpu), &cpu)) {
		printf("FAIL diff/events: cannot stay on CPU 0\n");
		return 1;
	}
	a.addr[0] = htonl(GW);
	libbpf_set_print(NULL);
	err = pipeline_load_mem(&p, "events.conf", conf, strlen(conf),
				STAGE_COMPILE);
	if (err) {
		diag_print(&p.diags, stdout);
		printf("FAIL diff/events: the config does not compile\n");
		return 1;
	}
	err = li_loader_open(&l, NULL, false)	      ?:
		      li_loader_set_ruleset(l, &p.rs) ?:
		      li_loader_set_locals(l, &a, 1, NULL)  ?:
		      li_loader_set_interface(l, IFINDEX, "wan1");
	if (err) {
		printf("FAIL diff/events: cannot load the XDP program: %s\n",
		       strerror(-err));
		return 1;
	}

	/* Which decisions send an event (the default rate: all leave). */
	n = one(l, GW, 500, &v);
	check(n == 1 && v.drop && v.reason == LI_R_POLICY,
	      "IKE denied by policy 1, logged: one event");
	n = one(l, MDNS, 5353, &v);
	check(n == 1 && !v.drop && v.reason == LI_R_IMPLICIT &&
		      v.sess == LI_VS_NONE,
	      "mDNS to 224.0.0.251, implicit accept, no session: one event");
	n = one(l, GW, 53, &v);
	check(n == 0 && !v.drop && v.reason == LI_R_IMPLICIT &&
		      v.sess == LI_VS_NEW,
	      "DNS to the gateway, implicit accept opening a session: none");
	n = one(l, GW, 53, &v);
	check(n == 0 && !v.drop && v.reason == LI_R_SESSION,
	      "... and the next packet of that session: none");

	err = li_loader_set_event_rate(l, LI_EV_TRAFFIC, RATE, BURST);
	if (err) {
		printf("FAIL diff/events: cannot set the event rate: %s\n",
		       strerror(-err));
		return 1;
	}

	/* 200 at once: the burst leaves, the rest is suppressed. */
	bucket_round(
		l, 200, BURST,
		"200 denials at once: the burst of 2 leaves, the rest is suppressed");
	/* 250 ms later the bucket is full again: a burst, no more. */
	pause_ms(250);
	bucket_round(l, 50, BURST,
		     "250 ms later, 50 more: a burst of 2 leaves again");
	/* 120 ms later: one event's credit, whatever was refused before. */
	pause_ms(120);
	bucket_round(l, 50, 1, "120 ms later, 50 more: one leaves");

	li_loader_close(l);
	pipeline_free(&p);
	return failed;
}
