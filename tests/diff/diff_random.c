// SPDX-License-Identifier: GPL-2.0
/*
 * The differential test: seeded random configs (FortiOS text through the
 * real pipeline) and seeded random frames, each frame judged by the host
 * engine (li_parse + li_host_decide) and by the XDP program
 * (li_loader_test_run). Facts and verdicts must be identical.
 *
 *	diff_random [-s SEED] [-n PACKETS] [-c PACKETS_PER_CONFIG] [-b]
 *
 * -b: on a kernel that refuses batch map operations: a seccomp filter
 * answers them EINVAL, as kernels before 5.6 do. The loader must find
 * that out and write and copy one key at a time (loader_int.h
 * li_batch_refused); each reload goes through a successor program
 * (li_loader_successor, as a ruleset larger than the maps brings), which
 * copies the program's state, its sessions too, from the one in force.
 * The verdicts must stay the host's, as with batches.
 *
 * Prints one PASS or FAIL line (with the seed, and the first mismatches
 * in full); needs root to load the program.
 *
 * Frames reach both engines as replay hands them over (src/replay/fit.h).
 * One in eight is captured short (a random caplen), one in eight is cut
 * as if it were longer than the test run takes (a random limit from 14
 * bytes up): what fit_record() lets be judged must have the facts of
 * the whole frame, as the host parser finds them in it, and the program
 * must agree on the cut frame. The rest go through whole, as before.
 *
 * The host remembers first fragments in a bounded open-addressing table,
 * the program in an LRU hash; at the test's load neither forgets one. If
 * the host ever lost a datagram's entry, that datagram's later fragments
 * would be skipped and counted, and any skip fails the test.
 *
 * Sessions (session.h): both engines keep state between packets, so the
 * stream has flows (gen_flow.c): the gateway's own packets go through
 * the egress half (li_host_egress; the TC program's test run), replies,
 * ICMP errors and more of inbound flows come back through the decision.
 * Both judge by one packet clock, which jumps now and then so that
 * sessions time out; half the configs are reloaded half-way (a new
 * ruleset into the same loader and host: inbound sessions are judged
 * again). Verdicts must agree in session kind and id too (both hand out
 * ids from 1 in the same order: the program's sessions and ids are reset
 * with each config, li_loader_sess_flush). Live sessions stay far below
 * what would make the program's table and the host's forget differently.
 * A run of many packets that never met a kind of session case fails: a
 * differential test of state that never exercised the state proves
 * nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "pipeline/pipeline.h"
#include "dataplane/host.h"
#include "dataplane/loader.h"
#include "dataplane/parse.h"
#include "replay/fit.h"
#include "gen.h"

#define IFINDEX_BASE 1001
#define MAX_SHOWN 5
#define PUT_RING 64
/* Host sessions are expired (and counted) this often, in packets. */
#define EXPIRE_EVERY 256
/* The program's session hint (session.h) is rebuilt this often. */
#define HINT_EVERY 1024
/* Below this many packets, session cases may well not all happen. */
#define COVERAGE_MIN 50000

static const char *const ifnames[] = { "wan1", "wan2", "lan" };

enum vary { V_WHOLE, V_CAPLEN, V_LIMIT, V_NR };

/* session.h's timers, for the count of sessions each ended */
enum timer { T_TIMEWAIT, T_RST, T_HALFOPEN, T_ICMP, T_HALFCLOSE, T_UDP,
	     T_TTL, T_NR };
static const __u64 timer_ns[T_NR] = {
	LI_SESS_TCP_TIMEWAIT_NS, LI_SESS_TCP_RST_NS, LI_SESS_TCP_HALFOPEN_NS,
	LI_SESS_ICMP_NS, LI_SESS_TCP_HALFCLOSE_NS, LI_SESS_UDP_NS,
	LI_SESS_TTL_NS,
};

struct run {
	unsigned long long seed, packets, configs, mismatches, skipped;
	bool one_by_one; /* -b */
	/* rulesets loaded with phase tables, and walking the bitmaps */
	unsigned long long compiles, phase_on, phase_off;
	unsigned long long hint_rebuilds; /* with sessions in the map */
	/* configs with the host's hint on (li_host_use_hint), and its
	 * session verdicts */
	unsigned long long host_hint, host_hint_sess;
	bool ike_gate; /* this config's (LI_SAS_IKE_GATE), both sides */
	unsigned long long by_reason[LI_R_MAX], frag_hits;
	unsigned long long by_sess[LI_VS_RECHECK + 1], icmp_err_hits;
	unsigned long long egress, reloads, in_at_reload, timed_out, cut;
	unsigned long long max_live, recheck_same_intf;
	unsigned long long l3_frames; /* judged as IP frames (as_l3) */
	/* sessions timed out, by their timer (enum timer) */
	unsigned long long by_timer[T_NR];
	struct rng vary; /* apart from the frames' stream: same frames */
	struct fitter fit;
	unsigned long long varied[V_NR], unfit[V_NR];
	struct li_loader *l;
	struct gen_world w;
	struct li_host h;
	struct spi_table sas;
	struct li_frag_key_ring {
		struct li_pkt k[PUT_RING];
		unsigned int next;
	} puts;
};

static int ifindex_of(const char *name)
{
	unsigned int i;

	for (i = 0; name && i < 3; i++)
		if (!strcmp(name, ifnames[i]))
			return IFINDEX_BASE + (int)i;
	return 0;
}

static bool same_dgram(const struct li_pkt *a, const struct li_pkt *b)
{
	return a->family == b->family && a->frag_proto == b->frag_proto &&
	       a->frag_id == b->frag_id &&
	       !memcmp(a->saddr, b->saddr, 16) &&
	       !memcmp(a->daddr, b->daddr, 16);
}

static bool host_has(const struct li_host *h, const struct li_pkt *p)
{
	return li_host_frag_known(h, p);
}

static bool was_put(const struct run *r, const struct li_pkt *p)
{
	unsigned int i;

	for (i = 0; i < PUT_RING; i++)
		if (same_dgram(&r->puts.k[i], p))
			return true;
	return false;
}

static void show(const struct run *r, const struct gen_frame *f,
		 const struct li_pkt *ph, const struct li_verdict *vh,
		 const struct li_pkt *px, const struct li_verdict *vx,
		 const char *what)
{
	__u32 i;

	printf("  mismatch (%s): seed %llu, config %llu, packet %llu, intf %s, time %llu\n",
	       what, r->seed, r->configs, r->packets,
	       f->ifname ? f->ifname : "-", (unsigned long long)f->ns);
	if (vh && vx) {
		printf("    host: drop %u reason %u policy %u idx %d bcast %u frag %u sess %u id %u\n",
		       vh->drop, vh->reason, vh->policy_id, vh->policy_idx,
		       vh->bcast, vh->frag_hit, vh->sess, vh->sess_id);
		printf("    xdp:  drop %u reason %u policy %u idx %d bcast %u frag %u sess %u id %u\n",
		       vx->drop, vx->reason, vx->policy_id, vx->policy_idx,
		       vx->bcast, vx->frag_hit, vx->sess, vx->sess_id);
	}
	printf("    facts %s; frame:", memcmp(ph, px, sizeof(*ph)) ? "differ" : "agree");
	for (i = 0; i < f->len; i++)
		printf("%s%02x", i % 32 ? "" : "\n      ", f->data[i]);
	printf("\n");
}

static bool verdicts_equal(const struct li_verdict *a,
			   const struct li_verdict *b)
{
	return a->drop == b->drop && a->reason == b->reason &&
	       a->bcast == b->bcast && a->frag_hit == b->frag_hit &&
	       a->policy_id == b->policy_id &&
	       a->policy_idx == b->policy_idx && a->sess == b->sess &&
	       a->sess_id == b->sess_id;
}

/*
 * @f as replay would hand it over, maybe captured short or cut: 0 and
 * @fit, or 1 when fit_record() skips it. A fit that changes the facts
 * of the whole frame is a mismatch.
 */
static int vary(struct run *r, const struct gen_frame *f, struct fit *fit)
{
	struct capture_pkt cp = { .data = f->data, .caplen = f->len,
				  .len = f->len };
	enum vary v = V_WHOLE;
	struct li_pkt whole;
	__u32 k = rng_below(&r->vary, 8);

	r->fit.limit = LI_TEST_RUN_MAX;
	if (k == 0) {
		v = V_CAPLEN;
		cp.caplen = rng_below(&r->vary, f->len + 1);
	} else if (k == 1) {
		v = V_LIMIT;
		r->fit.limit = LI_ETH_HLEN +
			       rng_below(&r->vary, f->len - LI_ETH_HLEN + 1);
	}
	r->varied[v]++;
	if (fit_record(&r->fit, &cp, fit) != FIT_OK) {
		r->unfit[v]++;
		return 1;
	}
	li_parse_ports(f->data, f->data + f->len, &r->h.natt, &whole);
	if (!memcmp(&whole, &fit->pkt, sizeof(whole)))
		return 0;
	if (r->mismatches++ < MAX_SHOWN) {
		printf("  mismatch (fit, %s %u): seed %llu, packet %llu\n",
		       v == V_CAPLEN ? "caplen" : "limit",
		       v == V_CAPLEN ? cp.caplen : r->fit.limit, r->seed,
		       r->packets + 1);
		show(r, f, &whole, NULL, &fit->pkt, NULL, "facts");
	}
	return 1;
}

/*
 * A frame the gateway sends: the host's egress half when it leaves one of
 * its addresses (as replay does), the program's TC half always (it asks
 * the same itself).
 */
static int one_egress(struct run *r, const struct gen_frame *f)
{
	struct li_pkt p;
	int err;

	li_parse_wire_out(f->data, f->data + f->len, f->len, 0, &r->h.natt, &p);
	li_host_set_now(&r->h, f->ns);
	if (li_host_from_local(&r->h, &p))
		li_host_egress(&r->h, &p);
	li_loader_set_test_time(r->l, f->ns);
	err = li_loader_test_run_egress(r->l, f->data, f->len);
	r->egress++;
	if (err)
		printf("  egress test run failed: %s (seed %llu, packet %llu)\n",
		       strerror(-err), r->seed, r->packets + 1);
	return err;
}

static void count_end(void *arg, const struct li_sess_key *k,
		      const struct li_sess *s, const char *ifname,
		      __u64 end_ns)
{
	struct run *r = arg;
	__u64 t = li_sess_timeout_ns(k, s);
	int i;

	(void)ifname;
	(void)end_ns;
	if (s->flags & LI_SESS_CUT) {
		r->cut++;
		return;
	}
	r->timed_out++;
	for (i = 0; i < T_NR && timer_ns[i] != t; i++)
		;
	r->by_timer[i < T_NR ? i : T_TTL]++;
}

/*
 * A session judged again on the interface of its first packet: by the
 * reload, not by another interface (the host keeps the first's name).
 */
static bool recheck_by_reload(const struct run *r, const struct li_verdict *v,
			      const char *ifname)
{
	const struct li_host_sess *e;
	__u32 i;

	for (i = 0; i < r->h.nr_live; i++) {
		e = &r->h.sess[r->h.live[i]];
		if (e->s.id != v->sess_id)
			continue;
		if (!e->ifname || !ifname)
			return e->ifname == ifname;
		return !strcmp(e->ifname, ifname);
	}
	return false;
}

/*
 * One whole untagged IP frame in four goes to both engines as an
 * interface without Ethernet frames (tun, WireGuard, GRE) hands it over,
 * in place of the Ethernet frame: from the IP header on, to the host's
 * li_parse_ports_ip() and the program localin_xdp_l3. Its facts must be
 * the Ethernet frame's, but where the ethertype and the version nibble
 * disagree (the nibble is all an IP frame has). 1 if so, @pkt its facts.
 */
static int as_l3(struct run *r, const struct gen_frame *f,
		 const struct fit *fit, struct li_pkt *pkt)
{
	const __u8 *ip = f->data + LI_ETH_HLEN;
	__u16 type;

	if (r->packets % 4 != 3 || fit->xdp_len != f->len || fit->l3_cut ||
	    f->len < 2 * LI_ETH_HLEN)
		return 0;
	type = (__u16)(f->data[12] << 8 | f->data[13]);
	if (type != LI_ETH_P_IP && type != LI_ETH_P_IPV6)
		return 0;
	li_parse_ports_ip(ip, f->data + f->len, &r->h.natt, pkt);
	r->l3_frames++;
	if (fit->pkt.malformed == LI_MAL_IP_VERSION ||
	    !memcmp(pkt, &fit->pkt, sizeof(*pkt)))
		return 1;
	if (r->mismatches++ < MAX_SHOWN)
		show(r, f, &fit->pkt, NULL, pkt, NULL, "facts as an IP frame");
	return 1;
}

static int one_packet(struct run *r, const struct gen_frame *f)
{
	struct li_verdict vh, vx;
	struct li_pkt ph, px;
	struct fit fit;
	int err, l3;

	if (r->h.nr_live > r->max_live)
		r->max_live = r->h.nr_live;
	if (r->packets % EXPIRE_EVERY == 0)
		li_host_sess_expire(&r->h, f->ns, false, count_end, r);
	/* The program's session hint rebuilt under live sessions. */
	if (r->packets % HINT_EVERY == HINT_EVERY - 1 &&
	    li_loader_sess_hint_rebuild(r->l) > 0)
		r->hint_rebuilds++;
	if (f->egress) {
		r->packets++;
		return one_egress(r, f);
	}
	if (vary(r, f, &fit)) {
		r->packets++;
		return 0;
	}
	ph = fit.pkt;
	l3 = as_l3(r, f, &fit, &ph);
	if ((ph.flags & LI_PKT_FRAG_LATER) && !ph.malformed &&
	    was_put(r, &ph) && !host_has(&r->h, &ph)) {
		r->skipped++;
		return 0;
	}
	li_host_set_ifname(&r->h, f->ifname);
	li_host_set_now(&r->h, f->ns);
	li_host_decide(&r->h, &ph, &vh);
	if ((ph.flags & LI_PKT_FRAG) && !(ph.flags & LI_PKT_FRAG_LATER) &&
	    host_has(&r->h, &ph))
		r->puts.k[r->puts.next++ % PUT_RING] = ph;
	li_loader_set_test_time(r->l, f->ns);
	if (l3)
		err = li_loader_test_run_l3(r->l, f->data + LI_ETH_HLEN,
					    f->len - LI_ETH_HLEN,
					    ifindex_of(f->ifname), &px, &vx);
	else
		err = li_loader_test_run(r->l, fit.xdp, fit.xdp_len,
					 ifindex_of(f->ifname), &px, &vx);
	fit_restore(&fit, &px);
	r->packets++;
	r->by_reason[vh.reason % LI_R_MAX]++;
	r->by_sess[vh.sess <= LI_VS_RECHECK ? vh.sess : LI_VS_NONE]++;
	r->host_hint_sess += r->h.hint && vh.reason == LI_R_SESSION;
	r->icmp_err_hits += vh.reason == LI_R_SESSION &&
			    (ph.flags & LI_PKT_ICMP_INNER);
	if (vh.sess == LI_VS_RECHECK)
		r->recheck_same_intf += recheck_by_reload(r, &vh, f->ifname);
	r->frag_hits += vh.frag_hit;
	if (err) {
		printf("  test run failed: %s (seed %llu, packet %llu)\n",
		       strerror(-err), r->seed, r->packets);
		return err;
	}
	if (!memcmp(&ph, &px, sizeof(ph)) && verdicts_equal(&vh, &vx))
		return 0;
	if (r->mismatches++ < MAX_SHOWN)
		show(r, f, &ph, &vh, &px, &vx,
		     memcmp(&ph, &px, sizeof(ph)) ? "facts" : "verdict");
	return 0;
}

static int host_setup(struct run *r, const struct li_ruleset *rs)
{
	int i, err;

	spi_table_init(&r->sas);
	for (i = 0; i < r->w.nr_sas; i++) {
		struct sa_entry e = { .family = (__u8)r->w.sas[i].family,
				      .spi = r->w.sas[i].spi };

		memcpy(e.daddr, r->w.sas[i].daddr, 16);
		if (r->w.sas[i].natt) {
			e.encap = 1;
			e.dir = SA_DIR_IN;
			e.encap_sport = 4500;
			e.encap_dport = r->w.sas[i].natt;
		}
		err = spi_table_add(&r->sas, &e);
		if (err)
			return err;
	}
	err = li_host_init(&r->h, rs, &r->sas);
	r->fit.natt = r->h.natt; /* as the program's (li_loader_set_sas) */
	/*
	 * Every other config, the host skips the lookup of remotes without
	 * a session as the program does (li_host_use_hint); the rest keep
	 * the reference that looks every key up. Both against the program.
	 */
	if (!err && r->configs % 2) {
		err = li_host_use_hint(&r->h, true);
		r->host_hint++;
	}
	/*
	 * Every other pair of configs, IKE windows open only after the
	 * gateway's own IKE (sa_slot.h LI_SAS_IKE_GATE), as the daemon
	 * sets it: both sides (xdp_setup).
	 */
	r->ike_gate = (r->configs / 2) % 2;
	if (!err)
		li_host_set_ike_gate(&r->h, r->ike_gate);
	for (i = 0; i < 2 && !err; i++)
		err = li_host_add_ip4_subnet(&r->h, htonl(r->w.gw4[i]),
					     (unsigned int)r->w.plen4[i]);
	if (!err)
		err = li_host_add_local(&r->h, 6, (const __u32 *)r->w.gw6,
					false);
	return err;
}

static int xdp_active(struct run *r, const struct li_ruleset *rs)
{
	int err = li_loader_set_active(r->l, 4, r->h.active[0],
				       rs->v4.bm_words);

	if (!err)
		err = li_loader_set_active(r->l, 6, r->h.active[1],
					   rs->v6.bm_words);
	return err;
}

static int xdp_setup(struct run *r, const struct li_ruleset *rs)
{
	int err;

	err = li_loader_set_ruleset(r->l, rs);
	if (!err)
		err = li_loader_set_locals(r->l, r->h.locals, r->h.nr_locals,
					   NULL);
	li_loader_set_ike_gate(r->l, r->ike_gate);
	if (!err)
		err = li_loader_set_sas(r->l, &r->sas);
	if (!err)
		err = li_loader_clear_frags(r->l);
	if (!err)
		err = li_loader_sess_flush(r->l);
	if (!err)
		err = xdp_active(r, rs);
	return err;
}

/* A config of @r->w compiled into @p; 0, or what went wrong, shown. */
static int compile(struct run *r, struct pipeline *p, const char *what)
{
	int err = pipeline_load_mem(p, "random.conf", r->w.text, r->w.len,
				    STAGE_COMPILE);

	if (!err) {
		/*
		 * Every third config (and reload) walks the bitmaps in
		 * the program too, as one over the phase tables' budget
		 * would; the rest use the phase tables. Both are checked
		 * against the host's walk.
		 */
		if (r->compiles++ % 3 == 2)
			ruleset_phase_drop(&p->rs);
		r->phase_on += p->rs.v4.phase.on || p->rs.v6.phase.on;
		r->phase_off += !p->rs.v4.phase.on && !p->rs.v6.phase.on;
		return 0;
	}
	printf("  %s %llu (seed %llu) rejected:\n", what, r->configs, r->seed);
	diag_print(&p->diags, stdout);
	printf("%s", r->w.text);
	pipeline_free(p);
	return err;
}

/*
 * From now on the bpf() commands BPF_MAP_LOOKUP_BATCH.. BPF_MAP_DELETE_BATCH
 * fail with EINVAL in this (single-threaded) process, as on a kernel
 * before 5.6. The command is the low word of the first argument (little
 * endian); the native syscall number only: a test, not a sandbox.
 */
static int refuse_batches(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_bpf, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, BPF_MAP_LOOKUP_BATCH, 0, 1),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, BPF_MAP_DELETE_BATCH, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EINVAL),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]),
				   .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		return -errno;
	return 0;
}

/* @rs in force in a successor program, which takes @r->l's state. */
static int successor(struct run *r, const struct li_ruleset *rs)
{
	struct li_loader *n;
	int err = li_loader_successor(&n, r->l, rs);

	if (err)
		return err;
	err = li_loader_take_over(n, r->l, NULL, 0);
	if (err) {
		li_loader_close(n);
		return err;
	}
	li_loader_close(r->l);
	r->l = n;
	return 0;
}

/*
 * A reload half-way through a config: new policies for the same gateway
 * (compiled into @n) into the same host and loader, sessions kept (each
 * engine's own generation moves on). The old ruleset (@old) goes.
 */
static int reload(struct run *r, struct rng *g, struct pipeline *old,
		  struct pipeline *n)
{
	int err = gen_reload(g, &r->w);

	if (!err)
		err = compile(r, n, "reload of config");
	if (err)
		return err;
	err = li_host_set_ruleset(&r->h, &n->rs);
	if (!err)
		err = r->one_by_one ? successor(r, &n->rs) :
				      li_loader_set_ruleset(r->l, &n->rs);
	if (!err)
		err = xdp_active(r, &n->rs);
	pipeline_free(err ? n : old);
	if (!err) {
		__u32 i;

		r->reloads++;
		for (i = 0; i < r->h.nr_live; i++) {
			const struct li_host_sess *e = &r->h.sess[r->h.live[i]];

			r->in_at_reload += e->s.origin == LI_SESS_IN &&
					   li_sess_live(&e->k, &e->s, r->w.now_ns);
		}
	}
	return err;
}

static int one_config(struct run *r, struct rng *g, unsigned long long n)
{
	unsigned long long end, at;
	struct pipeline p[2]; /* the ruleset in force; a reload's */
	struct gen_frame f;
	int err, cur = 0;

	err = gen_config(g, &r->w);
	if (err)
		return err;
	r->configs++;
	err = compile(r, &p[0], "config");
	if (err)
		return err;
	memset(&r->puts, 0, sizeof(r->puts));
	err = host_setup(r, &p[0].rs);
	if (!err)
		err = xdp_setup(r, &p[0].rs);
	end = r->packets + n;
	at = rng_below(g, 2) ? r->packets + n / 2 : end;
	while (r->packets < end && !err) {
		if (r->packets == at) {
			err = reload(r, g, &p[cur], &p[!cur]);
			if (err) /* p[cur] is still in force (and freed below) */
				break;
			cur = !cur;
		}
		gen_frame(g, &r->w, &f);
		err = one_packet(r, &f);
	}
	if (err && err != -EPERM)
		printf("  config %llu: %s\n", r->configs, strerror(-err));
	li_host_free(&r->h);
	spi_table_free(&r->sas);
	pipeline_free(&p[cur]);
	return err;
}

static void report_sessions(const struct run *r)
{
	const unsigned long long *m = r->w.made;

	const unsigned long long *t = r->by_timer;

	printf("  sessions (host verdicts): new %llu, orig %llu, reply %llu, "
	       "recheck %llu (on the first packet's interface: after a "
	       "reload %llu), none %llu; ICMP errors by their quote %llu\n",
	       r->by_sess[LI_VS_NEW], r->by_sess[LI_VS_ORIG],
	       r->by_sess[LI_VS_REPLY], r->by_sess[LI_VS_RECHECK],
	       r->recheck_same_intf, r->by_sess[LI_VS_NONE], r->icmp_err_hits);
	printf("  sessions (host table): timed out %llu (TCP time-wait %llu, "
	       "RST %llu, half-open %llu, half-closed %llu; ICMP %llu, UDP "
	       "%llu, the rest %llu), cut by a reload or another interface "
	       "%llu, most live at once %llu; egress frames %llu; reloads "
	       "%llu (inbound sessions live then %llu)\n",
	       r->timed_out, t[T_TIMEWAIT], t[T_RST], t[T_HALFOPEN],
	       t[T_HALFCLOSE], t[T_ICMP], t[T_UDP], t[T_TTL], r->cut,
	       r->max_live, r->egress, r->reloads, r->in_at_reload);
	printf("  flows made: out new %llu, out more %llu, out opening none "
	       "%llu, replies %llu, in new %llu, in same intf %llu, in other "
	       "intf %llu, gateway answers %llu, ICMP errors %llu, near misses "
	       "%llu, clock at a timer's edge %llu, ESP from an IKE flow's "
	       "peer %llu\n",
	       m[GM_OUT_NEW], m[GM_OUT_MORE], m[GM_OUT_NONE], m[GM_REPLY],
	       m[GM_IN_NEW], m[GM_IN_SAME], m[GM_IN_OTHER], m[GM_IN_ANSWER],
	       m[GM_ICMP_ERR], m[GM_NEAR], m[GM_EDGE], m[GM_ESP]);
}

/* Session cases a long run must have met; how many it did not (named). */
static int never_met(const struct run *r)
{
	const struct {
		const char *what;
		unsigned long long n;
	} c[] = {
		{ "a verdict by session", r->by_reason[LI_R_SESSION] },
		{ "a new inbound session", r->by_sess[LI_VS_NEW] },
		{ "more of an inbound session", r->by_sess[LI_VS_ORIG] },
		{ "a reply to the gateway's session", r->by_sess[LI_VS_REPLY] },
		{ "a session judged again", r->by_sess[LI_VS_RECHECK] },
		{ "an ICMP error by its quote", r->icmp_err_hits },
		{ "a session timed out", r->timed_out },
		{ "a session cut", r->cut },
		{ "a reload with inbound sessions live", r->in_at_reload },
		{ "a session judged again on its own interface (a reload)",
		  r->recheck_same_intf },
		{ "a TCP session timed out after FIN both ways",
		  r->by_timer[T_TIMEWAIT] },
		{ "a TCP session timed out after RST", r->by_timer[T_RST] },
		{ "an egress frame", r->egress },
		{ "a frame without Ethernet (localin_xdp_l3)", r->l3_frames },
		{ "a ruleset decided by phase tables", r->phase_on },
		{ "a ruleset decided by the bitmap walk", r->phase_off },
		{ "a session hint rebuilt with sessions", r->hint_rebuilds },
		{ "a verdict by session with the host's hint on",
		  r->host_hint_sess },
	};
	size_t i;
	int n = 0;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		if (c[i].n)
			continue;
		printf("  never met: %s\n", c[i].what);
		n++;
	}
	return n;
}

int main(int argc, char **argv)
{
	unsigned long long total = 200000, per = 5000;
	struct run r = { .seed = 1 };
	struct rng g;
	unsigned int i;
	int c, err, never;

	while ((c = getopt(argc, argv, "s:n:c:b")) != -1) {
		switch (c) {
		case 'b':
			r.one_by_one = true;
			break;
		case 's':
			r.seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			total = strtoull(optarg, NULL, 0);
			break;
		case 'c':
			per = strtoull(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: diff_random [-s SEED] [-n PACKETS] [-c PER_CONFIG] [-b]\n");
			return 2;
		}
	}
	g.s = r.seed;
	r.vary.s = r.seed ^ 0x5eedf17ull;
	libbpf_set_print(NULL);
	err = fitter_init(&r.fit);
	if (!err && r.one_by_one)
		err = refuse_batches();
	if (!err)
		err = li_loader_open(&r.l, NULL, false);
	for (i = 0; i < 3 && !err; i++)
		err = li_loader_set_interface(r.l, IFINDEX_BASE + (int)i,
					      ifnames[i]);
	if (err) {
		printf("FAIL diff/random: cannot load the XDP program: %s\n",
		       strerror(-err));
		return 1;
	}
	while (!err && r.packets < total)
		err = one_config(&r, &g, per < total - r.packets ?
						 per :
						 total - r.packets);
	li_loader_close(r.l);
	fitter_free(&r.fit);
	free(r.w.text);
	printf("  host verdicts: nonlocal %llu, policy %llu, implicit %llu, "
	       "esp-ok %llu, esp-unknown-spi %llu, esp-wrong-peer %llu, "
	       "esp-unverified %llu, malformed %llu, session %llu; "
	       "from the fragment table %llu\n",
	       r.by_reason[LI_R_NONLOCAL], r.by_reason[LI_R_POLICY],
	       r.by_reason[LI_R_IMPLICIT], r.by_reason[LI_R_ESP_OK],
	       r.by_reason[LI_R_ESP_UNKNOWN_SPI],
	       r.by_reason[LI_R_ESP_WRONG_PEER],
	       r.by_reason[LI_R_ESP_UNVERIFIED], r.by_reason[LI_R_MALFORMED],
	       r.by_reason[LI_R_SESSION], r.frag_hits);
	report_sessions(&r);
	printf("  rulesets: %llu by phase tables, %llu by the bitmap walk; "
	       "session hint rebuilt %llu times; the host's hint on in %llu "
	       "configs (%llu verdicts by session)\n",
	       r.phase_on, r.phase_off, r.hint_rebuilds, r.host_hint,
	       r.host_hint_sess);
	printf("  captured short %llu (skipped %llu), cut to a limit %llu "
	       "(skipped %llu), whole %llu (judged as IP frames without "
	       "Ethernet, localin_xdp_l3: %llu)\n",
	       r.varied[V_CAPLEN], r.unfit[V_CAPLEN], r.varied[V_LIMIT],
	       r.unfit[V_LIMIT], r.varied[V_WHOLE], r.l3_frames);
	never = r.packets >= COVERAGE_MIN ? never_met(&r) : 0;
	printf("%s diff/random%s seed %llu: %llu packets over %llu configs, "
	       "%llu mismatches, %llu later fragments skipped (host slot reused)%s%s\n",
	       err || r.mismatches || r.skipped || never ? "FAIL" : "PASS",
	       r.one_by_one ? "-one-by-one" : "", r.seed, r.packets, r.configs, r.mismatches, r.skipped,
	       err ? ", stopped early" : "",
	       never ? ", session cases never met (above)" : "");
	return err || r.mismatches || r.skipped || never ? 1 : 0;
}
