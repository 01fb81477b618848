// SPDX-License-Identifier: GPL-2.0
/*
 * What sessions cost in the XDP data path (issue 12: "a packet of an
 * established session costs no more than today's policy decision for the
 * same frame; report the added cost for a new session"). Per config, on a
 * loader of its own with a fixed packet time (li_loader_set_test_time, so
 * the sessions opened stay live), median of ROUNDS x REPEAT runs:
 *
 *   reply-nosess  a DNS reply 8.8.8.8:53 -> gateway:40000, no session:
 *                 the decision it gets. When that is a pass, the first
 *                 run opens an inbound session and the timed runs hit it
 *                 (marked '*'): only a drop times the policy decision.
 *   sess-reply    the same frame after the egress program has run once on
 *                 the gateway's query (gateway:40000 -> 8.8.8.8:53): a
 *                 reply to the gateway's own session.
 *   sess-peer     the peer's IKE (bench.c's ike-peer) as a later packet of
 *                 the inbound session its first packet opened.
 *   sess-new      an accepted first packet (ike-peer, else the reply)
 *                 whose source port changes every run: sess.bpf.o writes
 *                 it and tail-calls localin's program, so every run
 *                 opens a session. Printed net of the wrapper (the
 *                 same wrapper tail-calling XDP_PASS, minus XDP_PASS
 *                 alone) and raw. At most 60000 runs a round (the ports
 *                 must not come round again), the sessions emptied before each.
 *   egress        localin_egress (TC) on the query frame: the gateway's
 *                 outbound packet of a live session (the first run opens
 *                 it, the rest refresh it).
 *   egr-fwd       localin_egress on a forwarded frame (the peer's query
 *                 to the resolver, not from one of the gateway's
 *                 addresses): what each packet the gateway routes out of
 *                 an interface with the program pays for it (links.c);
 *                 it must open no session.
 *
 * Before timing, each frame goes once through li_loader_test_run and must
 * get the reason expected (session for sess-reply and for the second run
 * of sess-peer); each sess-new round must have counted exactly its runs
 * with the first packet's reason and no other (li_loader_counters).
 *
 * Built with -DBENCH_NO_SESS against a tree from before sessions
 * (run.sh BASE=...), only reply-nosess and ike-peer are timed: there,
 * every run is a policy decision.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "pipeline/pipeline.h"
#include "log/counters.h"
#include "bench.h"
#ifndef BENCH_NO_SESS
#include "dataplane/session.h"
#endif

#define RESOLVER 0x08080808 /* 8.8.8.8 */
#define GW_PORT 40000
#define TEST_NOW (1000ull * 1000000000ull) /* fixed packet time: 1000 s */
#define NEW_MAX 60000			   /* sess-new runs a round */
#define MAX_ROUNDS 64

static unsigned int rounds, repeat;

/* Ethernet + IPv4 + UDP @sport -> @dport + 64 bytes (IKEv2 if to 500). */
static void udp_frame(struct frame *f, __u32 src, __u32 sport, __u32 dst,
		      __u32 dport)
{
	unsigned char *ip = f->b + 14, *l4 = ip + 20;

	memset(f->b, 0, sizeof(f->b));
	memcpy(f->b, "\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00", 14);
	ip[0] = 0x45;
	put16(ip + 2, 20 + 8 + 64);
	ip[8] = 64;
	ip[9] = 17;
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(l4, sport);
	put16(l4 + 2, dport);
	put16(l4 + 4, 8 + 64);
	if (dport == 500) {
		l4[8 + 17] = 0x20; /* IKEv2 */
		l4[8 + 18] = 34;
	}
	f->len = 14 + 20 + 8 + 64;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

static __u32 med(__u32 *v)
{
	qsort(v, rounds, sizeof(*v), cmp_u32);
	return v[rounds / 2];
}

/* Median ns of @f on @l, as li_loader_bench times it. */
static int time_frame(struct li_loader *l, const struct frame *f, __u32 *ns)
{
	__u32 v[MAX_ROUNDS];
	unsigned int k;
	int err;

	for (k = 0; k < rounds; k++) {
		err = bench_time(l, f, repeat, &v[k], NULL);
		if (err)
			return err;
	}
	*ns = med(v);
	return 0;
}

static void print_cell(__u32 ns, const struct li_verdict *v, int mark)
{
	char r[16];

	snprintf(r, sizeof(r), "%s%s", li_reason_name(v->reason),
		 mark ? "*" : "");
	printf("  %5u %-4s %-9.9s", ns, v->drop ? "drop" : "pass", r);
}

#ifndef BENCH_NO_SESS
static void print_none(void)
{
	printf("  %5s %-14s", "-", "");
}

static struct {
	struct bpf_object *obj; /* sess.bpf.o */
	int stream, port, next, pass;
	__u32 ovh; /* the wrapper's own ns: stream->XDP_PASS - XDP_PASS */
} ss = { .stream = -1 };

/* Empty the data path's sessions; the number it held. */
static long sess_clear(struct li_loader *l)
{
	int n = li_loader_sess_count(l);

	if (li_loader_sess_flush(l))
		return -1;
	return n;
}

/* One BPF_PROG_TEST_RUN of the stream on @f, @n runs: its ns and verdict. */
static int stream_run(const struct frame *f, __u32 n, __u32 *ns, __u32 *ret)
{
	__u32 zero = 0, one = 1;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->b,
		    .data_size_in = f->len, .repeat = n);

	if (bpf_map_update_elem(ss.port, &zero, &one, BPF_ANY) ||
	    bpf_prog_test_run_opts(ss.stream, &o))
		return -errno;
	*ns = o.duration;
	*ret = o.retval;
	return 0;
}

/* sess.bpf.o, and what it adds: through it to XDP_PASS, minus XDP_PASS. */
static int stream_load(const char *obj, int pass)
{
	struct bpf_program *p;
	struct frame f;
	__u32 a[MAX_ROUNDS], b[MAX_ROUNDS], zero = 0, r, n;
	unsigned int k;

	ss.obj = bpf_object__open_file(obj, NULL);
	if (!ss.obj || bpf_object__load(ss.obj))
		return -ENOENT;
	p = bpf_object__find_program_by_name(ss.obj, "sess_stream");
	ss.stream = p ? bpf_program__fd(p) : -1;
	ss.port = bpf_object__find_map_fd_by_name(ss.obj, "sess_port");
	ss.next = bpf_object__find_map_fd_by_name(ss.obj, "sess_next");
	if (ss.stream < 0 || ss.port < 0 || ss.next < 0 ||
	    bpf_map_update_elem(ss.next, &zero, &pass, BPF_ANY))
		return -ENOENT;
	udp_frame(&f, PEER, 500, GW, 500);
	n = repeat < NEW_MAX ? repeat : NEW_MAX;
	for (k = 0; k < rounds; k++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f.b,
			    .data_size_in = f.len, .repeat = n);

		if (stream_run(&f, n, &a[k], &r) || r != XDP_PASS ||
		    bpf_prog_test_run_opts(pass, &o))
			return -EPROTO;
		b[k] = o.duration;
	}
	r = med(a);
	n = med(b);
	ss.ovh = r > n ? r - n : 0;
	printf("sess-new wrapper (sess.bpf.o): %u ns to XDP_PASS through it, %u ns XDP_PASS alone: %u ns subtracted\n",
	       r, n, ss.ovh);
	return 0;
}

/*
 * sess-new on @l (its program @prog) with @f, whose first packet gets
 * @want: median ns over rounds; each round's counters must show exactly
 * its runs with @want's reason. @held: the fewest sessions the data path
 * held after a round.
 */
static int time_new(struct li_loader *l, int prog, const struct frame *f,
		    const struct li_verdict *want, __u32 *ns, long *held)
{
	__u32 v[MAX_ROUNDS], zero = 0, n, ret, r;
	struct li_counters before, after;
	unsigned int k;
	long h;
	int err;

	n = repeat < NEW_MAX ? repeat : NEW_MAX;
	if (bpf_map_update_elem(ss.next, &zero, &prog, BPF_ANY))
		return -errno;
	*held = LI_SESS_MAX;
	for (k = 0; k < rounds; k++) {
		sess_clear(l);
		err = li_loader_counters(l, &before);
		if (!err)
			err = stream_run(f, n, &v[k], &ret);
		if (!err)
			err = li_loader_counters(l, &after);
		if (err)
			return err;
		if (ret != (want->drop ? XDP_DROP : XDP_PASS))
			return -EPROTO;
		for (r = 0; r < LI_R_MAX; r++) {
			__u64 d = after.by_reason[r] - before.by_reason[r];

			if (d != (r == want->reason ? n : 0)) {
				fprintf(stderr,
					"bench: sess-new: %llu runs counted %s, expected %u %s\n",
					(unsigned long long)d,
					li_reason_name(r), n,
					li_reason_name(want->reason));
				return -EPROTO;
			}
		}
		h = sess_clear(l);
		if (h < *held)
			*held = h;
	}
	r = med(v);
	*ns = r > ss.ovh ? r - ss.ovh : 0;
	return 0;
}

/* Expect @v's reason to be @reason, else say what and where. */
static int expect(const char *label, const char *what,
		  const struct li_verdict *v, unsigned int reason)
{
	if (v->reason == reason)
		return 0;
	fprintf(stderr, "bench: %s: %s gets %s, expected %s: not timing it\n",
		label, what, li_reason_name(v->reason), li_reason_name(reason));
	return -EPROTO;
}

#endif

static int sess_conf(const char *label, const char *path, int marker)
{
	struct li_loader *l = NULL;
	struct frame query, reply, peer, fwd;
	struct li_verdict v, v2;
	struct li_pkt pkt;
	struct pipeline p;
	struct spi_table none;
	__u32 ns;
	int err, lo = (int)if_nametoindex("lo");
#ifndef BENCH_NO_SESS
	struct li_verdict pv;
	const struct frame *nf = NULL;
	const struct li_verdict *nv = NULL;
	int prog = -1, peer_ok;
	long held = 0;
#endif

	udp_frame(&query, GW, GW_PORT, RESOLVER, 53);
	udp_frame(&fwd, PEER, GW_PORT, RESOLVER, 53);
	udp_frame(&reply, RESOLVER, 53, GW, GW_PORT);
	udp_frame(&peer, PEER, 500, GW, 500);
	spi_table_init(&none);
	err = pipeline_load(&p, path, STAGE_COMPILE);
	if (!err)
		err = bench_open(&l, &p.rs, &none);
	if (!err && (li_loader_set_interface(l, lo, "wan1") ||
		     li_loader_set_interface(l, marker, "wan1")))
		err = -EIO;
	if (err) {
		diag_print(&p.diags, stderr);
		fprintf(stderr, "bench: %s: %s\n", path, strerror(-err));
		goto out;
	}
	li_loader_set_test_time(l, TEST_NOW);
	printf("%-17s", label);
#ifndef BENCH_NO_SESS
	err = -ENOENT;
	prog = bench_find_prog(marker);
	if (prog < 0)
		goto out;
	sess_clear(l);
#endif
	/* reply-nosess: the decision; '*' when the timed runs saw another. */
	err = li_loader_test_run(l, reply.b, reply.len, IFINDEX, &pkt, &v);
	if (!err)
		err = time_frame(l, &reply, &ns);
	if (!err)
		err = li_loader_test_run(l, reply.b, reply.len, IFINDEX, &pkt,
					 &v2);
	if (err)
		goto out;
	print_cell(ns, &v, v2.reason != v.reason);
#ifdef BENCH_NO_SESS
	/* ike-peer: every run a policy decision before sessions. */
	err = li_loader_test_run(l, peer.b, peer.len, IFINDEX, &pkt, &v);
	if (!err)
		err = time_frame(l, &peer, &ns);
	if (err)
		goto out;
	print_cell(ns, &v, 0);
#else
	if (!v.drop) {
		nf = &reply;
		nv = &v;
	}
	/* sess-reply: after the gateway's query went out once. */
	sess_clear(l);
	err = li_loader_test_run_egress(l, query.b, query.len);
	if (!err)
		err = li_loader_test_run(l, reply.b, reply.len, IFINDEX, &pkt,
					 &v2);
	if (!err)
		err = expect(label, "sess-reply", &v2, LI_R_SESSION);
	if (!err)
		err = time_frame(l, &reply, &ns);
	if (!err)
		err = li_loader_test_run(l, reply.b, reply.len, IFINDEX, &pkt,
					 &v2);
	if (!err)
		err = expect(label, "sess-reply (after timing)", &v2,
			     LI_R_SESSION);
	if (err)
		goto out;
	print_cell(ns, &v2, 0);
	/* sess-peer: its first packet opens the session, if accepted. */
	sess_clear(l);
	err = li_loader_test_run(l, peer.b, peer.len, IFINDEX, &pkt, &pv);
	if (err)
		goto out;
	peer_ok = !pv.drop;
	if (peer_ok) {
		nf = &peer;
		nv = &pv;
		err = li_loader_test_run(l, peer.b, peer.len, IFINDEX, &pkt,
					 &v2);
		if (!err)
			err = expect(label, "sess-peer", &v2, LI_R_SESSION);
		if (!err)
			err = time_frame(l, &peer, &ns);
		if (err)
			goto out;
		print_cell(ns, &v2, 0);
	} else {
		print_none();
	}
	/* sess-new: ike-peer if accepted, else the reply. */
	if (nf) {
		sess_clear(l);
		err = time_new(l, prog, nf, nv, &ns, &held);
		if (err)
			goto out;
		printf("  %5u %-4s %-9.9s %-8s %6ld", ns, "pass",
		       li_reason_name(nv->reason),
		       nf == &peer ? "ike-peer" : "reply", held);
	} else {
		printf("  %5s %-14s %-8s %6s", "-", "", "", "");
	}
	/* egress: the query, its session live after the first run. */
	sess_clear(l);
	{
		__u32 e[MAX_ROUNDS];
		unsigned int k;

		for (k = 0; k < rounds && !err; k++)
			err = li_loader_bench_egress(l, query.b, query.len,
						     repeat, &e[k]);
		if (!err)
			err = li_loader_test_run(l, reply.b, reply.len, IFINDEX,
						 &pkt, &v2);
		if (!err)
			err = expect(label, "reply after egress timing", &v2,
				     LI_R_SESSION);
		if (err)
			goto out;
		printf("  %6u", med(e));
		/* egr-fwd: no session may come of it. */
		sess_clear(l);
		for (k = 0; k < rounds && !err; k++)
			err = li_loader_bench_egress(l, fwd.b, fwd.len, repeat,
						     &e[k]);
		if (!err && sess_clear(l) != 0) {
			fprintf(stderr,
				"bench: %s: a forwarded frame opened a session\n",
				label);
			err = -EINVAL;
		}
		if (err)
			goto out;
		printf("  %7u", med(e));
	}
#endif
	printf("\n");
out:
#ifndef BENCH_NO_SESS
	if (prog >= 0)
		close(prog);
#endif
	li_loader_close(l);
	spi_table_free(&none);
	pipeline_free(&p);
	return err;
}

int sess_bench(int n, char *const *labels, char *const *paths, const char *obj,
	       int pass, unsigned int k, unsigned int r)
{
	int i, err = 0, base = 0x30000000 + 16 * (getpid() & 0xfffff);

	rounds = k;
	repeat = r;
	if (rounds > MAX_ROUNDS)
		return -EINVAL;
#ifdef BENCH_NO_SESS
	(void)obj;
	(void)pass;
	printf("\nbefore sessions: ns per packet, median of %u x %u runs, packet time fixed\n",
	       rounds, repeat);
	printf("%-17s  %-20s  %-20s\n", "config", "reply-nosess", "ike-peer");
#else
	printf("\nsessions: ns per packet, median of %u x %u runs (sess-new: %u), packet time fixed\n",
	       rounds, repeat, repeat < NEW_MAX ? repeat : NEW_MAX);
	err = stream_load(obj, pass);
	if (err) {
		fprintf(stderr, "bench: sessions: cannot load %s: %s\n", obj,
			strerror(-err));
		goto out;
	}
	printf("%-17s  %-20s  %-20s  %-20s  %-20s %-8s %6s  %6s  %7s\n",
	       "config", "reply-nosess", "sess-reply", "sess-peer",
	       "sess-new (net)", "frame", "held", "egress", "egr-fwd");
#endif
	for (i = 0; i < n && !err; i++)
		err = sess_conf(labels[i], paths[i], base + i);
	if (!err)
		printf("(* the first run passed and opened a session: the timed runs hit it)\n");
#ifndef BENCH_NO_SESS
out:
	bpf_object__close(ss.obj);
#endif
	return err;
}
