// SPDX-License-Identifier: GPL-2.0
/*
 * The verifier's walk of the XDP programs against its limit (each its
 * own: localin_xdp for Ethernet frames, localin_xdp_l3 for those that
 * start at the IP header, compiled from the same code): the kernel
 * gives up at LI_VERIFIER_LIMIT instructions walked over every path
 * together, and a program near it fails to load on a kernel that walks a
 * little more (another version, another config of the same one). The
 * walk must stay under LI_VERIFIER_BUDGET, 90% of the limit; it was at
 * 910,680 of 1,000,000 on 6.18 before this check (issue 11, eighth part).
 *
 *	diff_budget
 *
 * Prints one PASS or FAIL line (SKIP when the kernel does not tell);
 * needs root to load the program.
 */
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "dataplane/loader.h"

int main(void)
{
	struct li_loader *l;
	__u32 n, n3;
	int err, ok;

	libbpf_set_print(NULL);
	err = li_loader_open(&l, NULL, false);
	if (err) {
		printf("FAIL diff/verifier: cannot load the XDP program: %s\n",
		       strerror(-err));
		return 1;
	}
	n = li_loader_verified_insns(l);
	n3 = li_loader_verified_insns_l3(l);
	li_loader_close(l);
	if (!n) {
		printf("SKIP diff/verifier: the kernel does not say how many instructions it walked\n");
		return 0;
	}
	ok = n <= LI_VERIFIER_BUDGET && n3 && n3 <= LI_VERIFIER_BUDGET;
	printf("%s diff/verifier: the XDP program verified in %u instructions walked, the one for IP frames (localin_xdp_l3) in %u (budget %u each, the kernel's limit %u)\n",
	       ok ? "PASS" : "FAIL", n, n3, LI_VERIFIER_BUDGET,
	       LI_VERIFIER_LIMIT);
	return ok ? 0 : 1;
}
