// SPDX-License-Identifier: GPL-2.0
/*
 * The memo of the locals table (local_slot.h): the XDP program remembers
 * phase B of (arrival interface, gateway's address) in the address's
 * slot, and must take it only under the ruleset it was found under and
 * for that interface. tests/diff's random run compares whole verdicts
 * with the host; this checks the memo's guards one by one, each of which
 * alone would keep those verdicts right in a run on one CPU:
 *  - a memo is used: forged to another address's, it changes the verdict
 *    (so the checks below can fail);
 *  - a memo of another generation is not used (a CPU still on the old
 *    ruleset can write one after the loader cleared them);
 *  - nor one of another interface, and an interface whose index does
 *    not fit the memo leaves none;
 *  - the loader clears every memo before a ruleset goes into force, and
 *    when an interface's classes change under the one in force (renamed,
 *    gone).
 *
 *	diff_memo	(root: BPF_PROG_TEST_RUN)
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "pipeline/pipeline.h"
#include "dataplane/loader.h"
#include "dataplane/loader_int.h"
#include "wire.h"

#define GW1 0xc6336401 /* 198.51.100.1: IKE denied there */
#define GW2 0xc6336501 /* 198.51.101.1: not */
#define PEER 0xcb00710a
#define IFINDEX 1001
#define BIG_IFINDEX 70000

static const char conf[] = "config firewall address\n"
			   "    edit \"gw1\"\n"
			   "        set subnet 198.51.100.1 255.255.255.255\n"
			   "    next\n"
			   "end\n"
			   "config firewall local-in-policy\n"
			   "    edit 1\n"
			   "        set intf \"wan1\"\n"
			   "        set srcaddr \"all\"\n"
			   "        set dstaddr \"gw1\"\n"
			   "        set service \"IKE\"\n"
			   "        set action deny\n"
			   "        set schedule \"always\"\n"
			   "    next\n"
			   "end\n";

static int failed;

static void check(int ok, const char *what)
{
	printf("%s diff/memo: %s\n", ok ? "PASS" : "FAIL", what);
	failed |= !ok;
}

/*
 * UDP to port 500 from PEER to @dst; a new source port each time, so
 * that no packet meets the session an earlier one opened.
 */
static void frame(__u8 *f, __u32 dst)
{
	static unsigned int sport = 40000;

	wire_udp4(f, PEER, sport++, dst, 500);
}

static int judged_on(struct li_loader *l, int ifindex, __u32 dst,
		     struct li_verdict *v)
{
	__u8 f[WIRE_UDP4_LEN];
	struct li_pkt p;

	frame(f, dst);
	return li_loader_test_run(l, f, sizeof(f), ifindex, &p, v);
}

static int judged(struct li_loader *l, __u32 dst, struct li_verdict *v)
{
	return judged_on(l, IFINDEX, dst, v);
}

static __u64 memo_of(__u32 gen, __u32 ifindex, __u32 v)
{
	return (__u64)gen << 32 | ifindex << 16 | v;
}

/* @addr's slot in the locals half in force (local_slot.h's probe). */
static struct li_local_slot *slot_of(struct li_loader *l, __u32 addr)
{
	__u32 a[4] = { htonl(addr), 0, 0, 0 }, h = li_local_hash(4, a), i;
	struct li_local_slot *e;

	for (i = 0; i < LI_LOCAL_PROBES; i++) {
		e = &l->lmap[li_set_key(l->locals_half, LI_LOCAL_SLOTS,
					(h + i) & (LI_LOCAL_SLOTS - 1))];
		if (e->family == 4 && e->addr[0] == a[0])
			return e;
	}
	return NULL;
}

int main(void)
{
	struct li_host_addr a[2] = { { .family = 4 }, { .family = 4 } };
	struct li_local_slot *s1, *s2;
	struct li_loader *l = NULL;
	struct li_verdict v;
	struct pipeline p;
	__u64 m1, m2;
	int err;

	a[0].addr[0] = htonl(GW1);
	a[1].addr[0] = htonl(GW2);
	libbpf_set_print(NULL);
	err = pipeline_load_mem(&p, "memo.conf", conf, strlen(conf),
				STAGE_COMPILE);
	if (err) {
		diag_print(&p.diags, stdout);
		printf("FAIL diff/memo: the config does not compile\n");
		return 1;
	}
	err = li_loader_open(&l, NULL, false)	      ?:
		      li_loader_set_ruleset(l, &p.rs) ?:
		      li_loader_set_locals(l, a, 2, NULL)   ?:
		      li_loader_set_interface(l, IFINDEX, "wan1");
	if (err) {
		printf("FAIL diff/memo: cannot load the XDP program: %s\n",
		       strerror(-err));
		return 1;
	}
	s1 = slot_of(l, GW1);
	s2 = slot_of(l, GW2);
	check(s1 && s2 && !s1->dst_memo && !s2->dst_memo,
	      "the gateway's addresses in the locals table, no memo yet");
	if (!s1 || !s2)
		return 1;

	check(!judged(l, GW1, &v) && v.drop && v.policy_id == 1,
	      "IKE to gw1: dropped by policy 1");
	check(!judged(l, GW2, &v) && !v.drop && v.reason == LI_R_IMPLICIT,
	      "IKE to gw2: passed, implicit");
	m1 = s1->dst_memo;
	m2 = s2->dst_memo;
	check(m1 >> 16 == (__u64)l->hdr.gen << 16 | IFINDEX &&
		      m2 >> 16 == (__u64)l->hdr.gen << 16 | IFINDEX &&
		      (__u16)m1 != (__u16)m2,
	      "both slots remember their own for the interface, under the "
	      "generation in force");

	s1->dst_memo = m2; /* gw2's, under the generation in force */
	check(!judged(l, GW1, &v) && !v.drop,
	      "a memo of gw2's on gw1's slot is used (IKE to gw1 passes)");
	s1->dst_memo = memo_of(l->hdr.gen + 2, IFINDEX, (__u16)m2);
	check(!judged(l, GW1, &v) && v.drop && v.policy_id == 1,
	      "a memo of another generation is not (IKE to gw1 dropped)");
	check(s1->dst_memo == m1, "... and gw1's slot remembers its own again");
	s1->dst_memo = memo_of(l->hdr.gen, IFINDEX + 1, (__u16)m2);
	check(!judged(l, GW1, &v) && v.drop && v.policy_id == 1,
	      "nor one of another interface (IKE to gw1 dropped)");
	check(s1->dst_memo == m1, "... and gw1's slot remembers its own again");

	/* wan1 renamed: policy 1 no longer applies there. */
	err = li_loader_set_interface(l, IFINDEX, "lan");
	check(!err && !s1->dst_memo && !s2->dst_memo,
	      "an interface's classes changed in place clear every memo");
	check(!judged(l, GW1, &v) && !v.drop && v.reason == LI_R_IMPLICIT,
	      "IKE to gw1 on the renamed interface: passed, implicit");
	err = li_loader_set_interface(l, IFINDEX, "wan1");
	check(!err && !s1->dst_memo && !judged(l, GW1, &v) && v.drop &&
		      v.policy_id == 1,
	      "named wan1 again: IKE to gw1 dropped by policy 1");
	m1 = s1->dst_memo;
	err = li_loader_set_interface(l, IFINDEX, "wan1");
	check(!err && m1 && s1->dst_memo == m1,
	      "the same name again keeps the memos");
	err = li_loader_forget_interface(l, IFINDEX);
	check(!err && !s1->dst_memo && !judged(l, GW1, &v) && !v.drop,
	      "the interface gone: memos cleared, IKE to gw1 passes");
	err = li_loader_set_interface(l, IFINDEX, "wan1");
	check(!err && !judged(l, GW1, &v) && v.drop && v.policy_id == 1,
	      "its index named wan1 again: IKE to gw1 dropped by policy 1");

	/*
	 * An index beyond the memo's 16 bits (and the classes' array): not
	 * remembered, judged by its classes in the hash every time.
	 */
	err = li_loader_set_interface(l, BIG_IFINDEX, "wan1");
	check(!err && !judged(l, GW1, &v) && v.drop && s1->dst_memo,
	      "ifindex 70000 named wan1 too; gw1's slot remembers wan1's index");
	m1 = s1->dst_memo;
	check(!judged_on(l, BIG_IFINDEX, GW1, &v) && v.drop &&
		      v.policy_id == 1 && s1->dst_memo == m1,
	      "IKE to gw1 on ifindex 70000: dropped, and not remembered");
	err = li_loader_set_interface(l, BIG_IFINDEX, "lan");
	check(!err && !judged_on(l, BIG_IFINDEX, GW1, &v) && !v.drop &&
		      v.reason == LI_R_IMPLICIT,
	      "renamed: IKE to gw1 on it passes, implicit");
	check(!judged(l, GW1, &v) && v.drop && v.policy_id == 1,
	      "... while wan1's own index still drops it");

	err = li_loader_set_ruleset(l, &p.rs);
	check(!err && !s1->dst_memo && !s2->dst_memo,
	      "a ruleset put in force clears every memo");
	check(!judged(l, GW1, &v) && v.drop && v.policy_id == 1 &&
		      s1->dst_memo >> 32 == l->hdr.gen,
	      "IKE to gw1 after it: dropped, remembered under the new generation");

	li_loader_close(l);
	pipeline_free(&p);
	return failed;
}
