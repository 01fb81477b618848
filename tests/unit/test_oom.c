// SPDX-License-Identifier: GPL-2.0
/*
 * The out-of-memory policy (src/util/arena.h) for a config load: every
 * malloc, calloc and realloc below the arena's chunk size fails in turn
 * (the arena's own chunks abort by design), and the load must then fail
 * and say so (an error queued), or succeed with exactly the ruleset and
 * warnings of a load without the failure. Never a silent failure, never
 * a config with something missing.
 *
 * The allocator is this binary's own malloc/calloc/realloc in front of
 * glibc's: not under AddressSanitizer, whose allocator they would bypass
 * (the test skips there).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pipeline/pipeline.h"

/* Larger requests are (or could be) the arena's chunks. */
#define OOM_MAX_SIZE 65536

static bool counting;
static long nr_allocs, fail_at = -1;

#ifndef __SANITIZE_ADDRESS__
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t size);

static bool fail_now(size_t size)
{
	if (!counting || size >= OOM_MAX_SIZE || nr_allocs++ != fail_at)
		return false;
	errno = ENOMEM;
	return true;
}

void *malloc(size_t size)
{
	return fail_now(size) ? NULL : __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	return fail_now(n * size) ? NULL : __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	return fail_now(size) ? NULL : __libc_realloc(p, size);
}
#endif

/* Something of every kind the compiler builds, and a long member list. */
static const char conf[] =
	"config system interface\n"
	"    edit \"wan1\"\n"
	"        set ip 198.51.100.1 255.255.255.0\n"
	"    next\n"
	"end\n"
	"config firewall address\n"
	"    edit \"a0\"\n        set subnet 10.0.0.0 255.255.255.0\n    next\n"
	"    edit \"a1\"\n        set subnet 10.0.1.0 255.255.255.0\n    next\n"
	"    edit \"a2\"\n        set subnet 10.0.2.0 255.255.255.0\n    next\n"
	"    edit \"a3\"\n        set subnet 10.0.3.0 255.255.255.0\n    next\n"
	"    edit \"a4\"\n        set subnet 10.0.4.0 255.255.255.0\n    next\n"
	"    edit \"a5\"\n        set subnet 10.0.5.0 255.255.255.0\n    next\n"
	"    edit \"a6\"\n        set subnet 10.0.6.0 255.255.255.0\n    next\n"
	"    edit \"a7\"\n        set subnet 10.0.7.0 255.255.255.0\n    next\n"
	"    edit \"a8\"\n        set subnet 10.0.8.0 255.255.255.0\n    next\n"
	"    edit \"a9\"\n        set subnet 10.0.9.0 255.255.255.0\n    next\n"
	"    edit \"b0\"\n        set subnet 10.1.0.0 255.255.0.0\n    next\n"
	"    edit \"b1\"\n        set subnet 10.2.0.0 255.255.0.0\n    next\n"
	"    edit \"b2\"\n        set subnet 10.3.0.0 255.255.0.0\n    next\n"
	"    edit \"b3\"\n        set subnet 10.4.0.0 255.255.0.0\n    next\n"
	"    edit \"b4\"\n        set subnet 10.5.0.0 255.255.0.0\n    next\n"
	"    edit \"b5\"\n        set subnet 10.6.0.0 255.255.0.0\n    next\n"
	"    edit \"b6\"\n        set subnet 10.7.0.0 255.255.0.0\n    next\n"
	"    edit \"b7\"\n        set subnet 10.8.0.0 255.255.0.0\n    next\n"
	"    edit \"r\"\n        set type iprange\n"
	"        set start-ip 10.0.3.7\n        set end-ip 10.0.5.9\n    next\n"
	"end\n"
	"config firewall address6\n"
	"    edit \"v6\"\n        set ip6 2001:db8::/32\n    next\n"
	"end\n"
	"config firewall addrgrp\n"
	"    edit \"big\"\n"
	"        set member \"a0\" \"a1\" \"a2\" \"a3\" \"a4\" \"a5\" \"a6\" \"a7\""
	" \"a8\" \"a9\" \"b0\" \"b1\" \"b2\" \"b3\" \"b4\" \"b5\" \"b6\" \"b7\"\n"
	"    next\n"
	"    edit \"most\"\n"
	"        set member \"all\"\n"
	"        set exclude enable\n"
	"        set exclude-member \"r\"\n"
	"    next\n"
	"end\n"
	"config firewall service custom\n"
	"    edit \"web\"\n        set tcp-portrange 80 443 8000-8999:1024-65535\n"
	"        set udp-portrange 443\n    next\n"
	"    edit \"dns\"\n        set udp-portrange 53\n"
	"        set tcp-portrange 53\n    next\n"
	"    edit \"ping\"\n        set protocol ICMP\n"
	"        set icmptype 8\n    next\n"
	"end\n"
	"config firewall service group\n"
	"    edit \"both\"\n        set member \"web\" \"dns\"\n    next\n"
	"end\n"
	"config firewall schedule recurring\n"
	"    edit \"office\"\n        set day monday tuesday\n"
	"        set start 08:00\n        set end 18:00\n    next\n"
	"end\n"
	"config firewall local-in-policy\n"
	"    edit 1\n        set intf \"wan1\"\n        set srcaddr \"big\"\n"
	"        set dstaddr \"all\"\n        set action accept\n"
	"        set service \"both\"\n        set schedule \"office\"\n    next\n"
	"    edit 2\n        set intf \"wan1\"\n        set srcaddr \"most\"\n"
	"        set dstaddr \"all\"\n        set service \"ping\"\n"
	"        set schedule \"always\"\n    next\n"
	"    edit 3\n        set intf \"any\"\n        set srcaddr \"a1\"\n"
	"        set srcaddr-negate enable\n        set dstaddr \"all\"\n"
	"        set service \"web\"\n        set schedule \"always\"\n    next\n"
	"    edit 4\n        set intf \"wan1\"\n        set srcaddr \"a2\"\n"
	"        set dstaddr \"all\"\n        set service \"dns\"\n"
	"        set schedule \"always\"\n    next\n"
	"end\n"
	"config firewall local-in-policy6\n"
	"    edit 1\n        set intf \"any\"\n        set srcaddr \"v6\"\n"
	"        set dstaddr \"all\"\n        set action accept\n"
	"        set service \"web\"\n        set schedule \"always\"\n    next\n"
	"end\n";

/* The ruleset and every diagnostic of one load, as text; its result. */
static int load(char **text)
{
	struct pipeline p;
	size_t len, i;
	FILE *f;
	int err;

	counting = true;
	err = pipeline_load_mem(&p, "oom.conf", conf, sizeof(conf) - 1,
				STAGE_COMPILE);
	counting = false;
	f = open_memstream(text, &len);
	assert_non_null(f);
	for (i = 0; i < p.diags.nr; i++)
		fprintf(f, "%d %s\n", (int)p.diags.items[i].level,
			p.diags.items[i].msg);
	if (!err)
		ruleset_dump(&p.rs, f);
	else if (!p.diags.errors)
		fprintf(f, "failed without an error: %s\n", strerror(-err));
	fclose(f);
	pipeline_free(&p);
	return err;
}

static void test_every_allocation_fails_once(void **state)
{
	char *want, *got;
	long total, k, failed = 0;

	(void)state;
#ifdef __SANITIZE_ADDRESS__
	skip();
#endif
	nr_allocs = 0;
	fail_at = -1;
	assert_int_equal(load(&want), 0);
	total = nr_allocs;
	assert_true(total > 100); /* the test sees the compiler's allocations */
	for (k = 0; k < total; k++) {
		int err;

		nr_allocs = 0;
		fail_at = k;
		err = load(&got);
		if (err) {
			/* It said why: an error, not just an exit code. */
			if (strstr(got, "failed without an error"))
				fail_msg("allocation %ld of %ld: %s", k, total,
					 got);
			failed++;
		} else if (strcmp(got, want)) {
			fail_msg("allocation %ld of %ld failed silently:\n%s",
				 k, total, got);
		}
		free(got);
	}
	free(want);
	fail_at = -1;
	/* Most failures do fail the load (a few realloc()s only shrink). */
	assert_true(failed > total / 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_allocation_fails_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
