// SPDX-License-Identifier: GPL-2.0
/*
 * The loader's writes that take more than one step leave the state before
 * them in force when a step fails, never half of each:
 *  - `iprope clear` (li_loader_clear_policy_hits) cleared IPv4's hits,
 *    then failed on IPv6's (out of memory) under one error: every
 *    allocation fails in turn here, and a clear that fails must leave
 *    both families' counts as they were;
 *  - the trace's filters (li_loader_set_trace_filter) went in one key at
 *    a time: a write of `filter6` that failed left `filter` new beside it.
 *    After the failure the filters before are in force, with the budget
 *    they had; where putting them back fails too, nothing is traced; a
 *    stop (budget 0) whose filters fail stops all the same.
 *
 * The failures are this binary's: its malloc and calloc in front of
 * glibc's (test_oom.c's way: not under AddressSanitizer, which the test
 * skips), its bpf_map_update_elem in front of libbpf's, failing for the
 * map named li_trace_filter. Needs root (BPF); in a network namespace
 * of a child.
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "pipeline/pipeline.h"
#include "dataplane/loader.h"
#include "netns_child.h"
#include "../diff/wire.h"

#define GW 0xc6336401	/* 198.51.100.1 */
#define SCAN 0x64400030 /* 100.64.0.48 */
#define GW6 "2001:db8::1"
#define SCAN6 "2001:db8:1::30"
#define IFINDEX 1001

/* malloc and calloc: the @fail_at'th while counting fails. */
static bool counting;
static long nr_allocs, fail_at = -1;

/* li_trace_filter's updates: those whose bit (by order) is set fail. */
static unsigned int filter_writes, filter_fail_mask;

#ifndef __SANITIZE_ADDRESS__
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t n, size_t size);

static bool fail_now(void)
{
	if (!counting || nr_allocs++ != fail_at)
		return false;
	errno = ENOMEM;
	return true;
}

void *malloc(size_t size)
{
	return fail_now() ? NULL : __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : __libc_calloc(n, size);
}
#endif

static bool is_trace_filter(int fd)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return !bpf_obj_get_info_by_fd(fd, &info, &len) &&
	       !strcmp(info.name, "li_trace_filter");
}

int bpf_map_update_elem(int fd, const void *key, const void *value, __u64 flags)
{
	static int (*real)(int, const void *, const void *, __u64);

	if (!real)
		real = (int (*)(int, const void *, const void *, __u64))dlsym(
			RTLD_NEXT, "bpf_map_update_elem");
	if (filter_fail_mask && is_trace_filter(fd) &&
	    filter_fail_mask & 1u << filter_writes++) {
		errno = ENOMEM;
		return -ENOMEM;
	}
	return real(fd, key, value, flags);
}

#define DNS_DENIED(id)                      \
	"    edit " #id "\n"                \
	"        set intf \"any\"\n"        \
	"        set srcaddr \"all\"\n"     \
	"        set dstaddr \"all\"\n"     \
	"        set service \"DNS\"\n"     \
	"        set action deny\n"         \
	"        set schedule \"always\"\n" \
	"    next\n"

/* DNS denied to the gateway, IPv4 (policy 1) and IPv6 (policy 2). */
static const char conf[] = "config firewall local-in-policy\n" DNS_DENIED(
	1) "end\n"
	   "config firewall local-in-policy6\n" DNS_DENIED(2) "end\n";

/* One UDP datagram of @family to the gateway's @dport; dropped? */
static int send_udp(struct li_loader *l, int family, unsigned int dport)
{
	static unsigned int sport = 40000;
	__u8 f[WIRE_UDP6_LEN];
	struct li_verdict v;
	struct li_pkt p;
	__u32 len = family == 6 ? WIRE_UDP6_LEN : WIRE_UDP4_LEN;

	if (family == 6)
		wire_udp6(f, SCAN6, sport++, GW6, dport);
	else
		wire_udp4(f, SCAN, sport++, GW, dport);
	CHECK(!li_loader_test_run(l, f, len, IFINDEX, &p, &v), "test run");
	return v.drop;
}

/* The hits of the only policy of each family. */
static void hits(struct li_loader *l, __u64 out[2])
{
	struct li_counters c;
	int fam;

	CHECK(!li_loader_counters(l, &c), "counters");
	for (fam = 0; fam < 2; fam++) {
		CHECK(c.nr_policies[fam] == 1, "one policy in IPv%d",
		      fam ? 6 : 4);
		out[fam] = c.policy_hits[fam][0]; /* the loader's */
	}
}

static struct li_loader *open_loaded(struct pipeline *p)
{
	struct li_host_addr a[2] = { { .family = 4 }, { .family = 6 } };
	struct li_loader *l;
	int err;

	a[0].addr[0] = htonl(GW);
	inet_pton(AF_INET6, GW6, a[1].addr);
	libbpf_set_print(NULL);
	err = pipeline_load_mem(p, "f.conf", conf, sizeof(conf) - 1,
				STAGE_COMPILE);
	if (err)
		diag_print(&p->diags, stderr);
	CHECK(!err, "the config does not compile");
	err = li_loader_open(&l, NULL, false);
	if (err) {
		fprintf(stderr, "cannot load the programs: %s\n",
			strerror(-err));
		_exit(CHILD_SKIP);
	}
	libbpf_set_print(NULL); /* the loader's own print went with it */
	err = li_loader_set_ruleset(l, &p->rs) ?:
		      li_loader_set_locals(l, a, 2, NULL);
	CHECK(err == 0, "load: %s", strerror(-err));
	return l;
}

static void clear_fails(void)
{
	struct pipeline p;
	struct li_loader *l = open_loaded(&p);
	__u64 h[2];
	long failed = 0;
	int err, i;

	for (i = 0; i < 3; i++)
		CHECK(send_udp(l, 4, 53), "IPv4 DNS denied");
	for (i = 0; i < 2; i++)
		CHECK(send_udp(l, 6, 53), "IPv6 DNS denied");
	hits(l, h);
	CHECK(h[0] == 3 && h[1] == 2, "hits 3 and 2: %llu %llu",
	      (unsigned long long)h[0], (unsigned long long)h[1]);
	/* each allocation of the clear fails in turn, until none is left */
	for (fail_at = 0;; fail_at++) {
		nr_allocs = 0;
		counting = true;
		err = li_loader_clear_policy_hits(l);
		counting = false;
		hits(l, h);
		if (!err)
			break;
		failed++;
		CHECK(err == -ENOMEM, "allocation %ld: %d", fail_at, err);
		CHECK(h[0] == 3 && h[1] == 2,
		      "allocation %ld failed: the clear cleared IPv4 %llu, IPv6 %llu of 3 and 2",
		      fail_at, (unsigned long long)h[0],
		      (unsigned long long)h[1]);
	}
	CHECK(failed >= 4, "%ld allocations failed in turn", failed);
	CHECK(h[0] == 0 && h[1] == 0, "cleared: %llu %llu",
	      (unsigned long long)h[0], (unsigned long long)h[1]);
	li_loader_close(l);
	pipeline_free(&p);
}

/* Both families' filters on one destination port. */
static void port_filters(struct flow_filter f[FLOW_NR_FILTERS],
			 unsigned int dport)
{
	int k;

	memset(f, 0, FLOW_NR_FILTERS * sizeof(*f));
	for (k = 0; k < FLOW_NR_FILTERS; k++) {
		f[k].set = 1u << FF_DPORT;
		f[k].dport[0] = f[k].dport[1] = (__u16)dport;
	}
}

/* Did a datagram of @family to @dport take one of the trace's budget? */
static bool traced(struct li_loader *l, int family, unsigned int dport)
{
	__s64 before, after;

	CHECK(!li_loader_trace_remaining(l, &before), "budget");
	send_udp(l, family, dport);
	CHECK(!li_loader_trace_remaining(l, &after), "budget");
	return after == before - 1;
}

static void filter_fails(void)
{
	struct flow_filter a[FLOW_NR_FILTERS], b[FLOW_NR_FILTERS];
	struct pipeline p;
	struct li_loader *l = open_loaded(&p);
	__s64 rem;
	int err;

	port_filters(a, 53);
	port_filters(b, 500);
	CHECK(!li_loader_set_trace(l, a, 100), "trace DNS");
	CHECK(traced(l, 4, 53) && traced(l, 6, 53) && !traced(l, 4, 500),
	      "DNS traced, IKE not");

	/* `filter6` of the new pair fails: the pair before stays */
	filter_writes = 0;
	filter_fail_mask = 1u << FLOW_FILTER6;
	err = li_loader_set_trace_filter(l, b);
	filter_fail_mask = 0;
	CHECK(err == -ENOMEM, "the filters' write failed: %d", err);
	CHECK(!li_loader_trace_remaining(l, &rem) && rem == 98,
	      "the budget kept: %lld of 98", (long long)rem);
	CHECK(traced(l, 4, 53) && !traced(l, 4, 500),
	      "IPv4: still DNS, not the new filter's IKE");
	CHECK(traced(l, 6, 53) && !traced(l, 6, 500), "IPv6: still DNS");

	/* and putting them back fails too: nothing is traced */
	filter_writes = 0;
	filter_fail_mask = 1u << FLOW_FILTER6 | 1u << (FLOW_NR_FILTERS + 0);
	err = li_loader_set_trace_filter(l, b);
	filter_fail_mask = 0;
	CHECK(err == -ENOMEM, "the write and its undoing failed: %d", err);
	CHECK(!li_loader_trace_remaining(l, &rem) && rem == 0,
	      "the trace stopped: %lld left", (long long)rem);
	CHECK(!traced(l, 4, 500) && !traced(l, 4, 53) && !traced(l, 6, 53),
	      "nothing traced");

	/* a write that goes through: the new pair, the budget given back */
	CHECK(!li_loader_set_trace(l, a, 10), "trace DNS again");
	CHECK(!li_loader_set_trace_filter(l, b), "IKE now");
	CHECK(!li_loader_trace_remaining(l, &rem) && rem == 10,
	      "the budget kept: %lld of 10", (long long)rem);
	CHECK(traced(l, 4, 500) && traced(l, 6, 500) && !traced(l, 4, 53),
	      "IKE traced, DNS not");

	/* a stop (the console streaming it went) whose filters fail stops */
	filter_writes = 0;
	filter_fail_mask = 1u << FLOW_FILTER6;
	err = li_loader_set_trace(l, a, 0);
	filter_fail_mask = 0;
	CHECK(err == -ENOMEM, "the stop's filters failed: %d", err);
	CHECK(!li_loader_trace_remaining(l, &rem) && rem == 0,
	      "stopped all the same: %lld left", (long long)rem);
	li_loader_close(l);
	pipeline_free(&p);
}

static void test_clear_fails(void **state)
{
	(void)state;
#ifdef __SANITIZE_ADDRESS__
	skip();
#endif
	in_child(clear_fails, true);
}

static void test_filter_fails(void **state)
{
	(void)state;
	in_child(filter_fails, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clear_fails),
		cmocka_unit_test(test_filter_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
