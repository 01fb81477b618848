// SPDX-License-Identifier: GPL-2.0
/*
 * A schedule mask the data path refused (daemon_tick, li_loader_set_active
 * out of memory) is pushed again at the next minute: the daemon had kept
 * it as in force already, saw no change at the next minutes, and a
 * policy whose schedule began during the failed push stayed out of the
 * data path until its schedule's next boundary.
 *
 * The failure is this binary's malloc failing once, in front of glibc's
 * (test_oom.c's way): not under AddressSanitizer, whose allocator it
 * would bypass (the test skips there). Needs root (BPF); in a network
 * namespace of a child.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/libbpf.h>

#include "pipeline/pipeline.h"
#include "daemon/internal.h"
#include "dataplane/loader.h"
#include "netns_child.h"
#include "../diff/wire.h"

#define GW 0xc6336401	/* 198.51.100.1 */
#define SCAN 0x64400030 /* 100.64.0.48 */
#define IFINDEX 1001

static bool fail_next;

#ifndef __SANITIZE_ADDRESS__
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t size);

static bool fail_now(void)
{
	if (!fail_next)
		return false;
	fail_next = false;
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

void *realloc(void *p, size_t size)
{
	return fail_now() ? NULL : __libc_realloc(p, size);
}
#endif

/* DNS denied on every interface, all the time. */
static const char conf[] = "config firewall local-in-policy\n"
			   "    edit 1\n"
			   "        set intf \"any\"\n"
			   "        set srcaddr \"all\"\n"
			   "        set dstaddr \"all\"\n"
			   "        set service \"DNS\"\n"
			   "        set action deny\n"
			   "        set schedule \"always\"\n"
			   "    next\n"
			   "end\n";

/* A new flow's first packet: one that passed opened a session. */
static bool dns_dropped(struct li_loader *l)
{
	static unsigned int sport = 40000;
	__u8 f[WIRE_UDP4_LEN];
	struct li_verdict v;
	struct li_pkt p;

	wire_udp4(f, SCAN, sport++, GW, 53);
	CHECK(!li_loader_test_run(l, f, sizeof(f), IFINDEX, &p, &v),
	      "test run");
	return v.drop;
}

static void tick_fails(void)
{
	struct li_host_addr a = { .family = 4 };
	struct daemon d = { 0 };
	struct pipeline p;
	struct timespec now;
	__u64 off = 0;
	__s64 minute;
	int ms, err;

	a.addr[0] = htonl(GW);
	libbpf_set_print(NULL);
	err = pipeline_load_mem(&p, "s.conf", conf, sizeof(conf) - 1,
				STAGE_COMPILE);
	CHECK(!err, "the config does not compile");
	err = li_loader_open(&d.l, NULL, false);
	if (err) {
		fprintf(stderr, "cannot load the programs: %s\n",
			strerror(-err));
		_exit(CHILD_SKIP);
	}
	libbpf_set_print(NULL); /* the loader's own print went with it */
	err = li_loader_set_ruleset(d.l, &p.rs) ?:
		      li_loader_set_locals(d.l, &a, 1, NULL);
	CHECK(!err, "load: %s", strerror(-err));
	d.p = &p;
	CHECK(!sched_state_init(&d.sched, &p.rs), "sched");
	/* the zone read now, not under the failing allocation */
	clock_gettime(CLOCK_REALTIME, &now);
	CHECK(!sched_local_minute(&now, &minute, &ms), "minute");

	/* The minute before, policy 1 was out (its schedule had not begun). */
	CHECK(!li_loader_set_active(d.l, 4, &off, d.sched.words[0]), "off");
	d.sched.mask[0][0] = 0;
	d.sched.minute = minute - 1;
	CHECK(!dns_dropped(d.l), "policy 1 out: DNS passes");

	/* This minute it begins, and the push fails */
	fail_next = true;
	err = daemon_tick(&d, false);
	CHECK(!fail_next && err == -ENOMEM, "the push failed: %d", err);
	CHECK(!dns_dropped(d.l), "the data path kept the mask before");

	/* the next minute: the mask goes in */
	d.sched.minute--;
	err = daemon_tick(&d, false);
	CHECK(!err, "the next tick: %s", strerror(-err));
	CHECK(dns_dropped(d.l), "the next minute: policy 1 in, DNS denied");

	sched_state_free(&d.sched);
	li_loader_close(d.l);
	pipeline_free(&p);
}

static void test_tick_fails(void **state)
{
	(void)state;
#ifdef __SANITIZE_ADDRESS__
	skip();
#endif
	in_child(tick_fails, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tick_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
