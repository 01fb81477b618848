// SPDX-License-Identifier: GPL-2.0
/*
 * What the SPI check costs (issue 8: at most 10 ns per ESP packet over the
 * same packet with detect-unknown-esp disable, at 1 and at 100k SAs,
 * varied SPIs, not one cached entry).
 *
 * One config (the seed scenario), loaded twice: as compiled (detect-
 * unknown-esp enable, "check on": ESP is looked up in the SA table, match.h
 * li_decide_esp) and with rs.detect_unknown_esp = false ("check off": ESP
 * meets the policies, and the seed policy passes it as implicit). Both get
 * the same SA table, of 1 SA and then of 100k (random distinct SPIs to the
 * bench's four local addresses, IPv4, no peer), and are timed on the same
 * packets from the peer: ESP and ESP-in-UDP (4500) with the SPIs of
 * installed SAs (known; distinct SAs, or at 1 SA all the one SPI), and as
 * many with SPIs installed nowhere (unknown, check on only: dropped, and
 * they pay for the event they are due, suppressed by its token bucket).
 *
 * Two ways, both BPF_PROG_TEST_RUN:
 *
 * - back to back (the verdict line): spi.bpf.o's program runs REPEAT
 *   times; each run writes the next SPI and destination of a list of N
 *   into the frame and tail-calls localin's program. N = FRAMES (at 1 SA
 *   the known ones all carry its SPI; at 100k SAs, that many SAs in use),
 *   and at 100k SAs also N = 100k (all in use: the table is 2^18 slots
 *   48 bytes apart, 12 MiB, the per-SA counters 2 MiB a CPU). localin's
 *   program is found among the loaded ones by an interface index only its
 *   loader was given (li_ifc_big). Every run must have counted the
 *   expected reason (li_loader_counters), and the frame given to the
 *   kernel carries SPI 0 to 192.0.2.99 (not local), so a run that judged
 *   it unrewritten would count as another reason.
 * - one run per frame: li_loader_bench(repeat 1) on each of FRAMES built
 *   frames in turn, the mean per round. Between two runs, a syscall and
 *   the kernel's test-run setup: the program meets caches (and, with PTI,
 *   a TLB) the syscall has gone through, and each figure includes the
 *   harness's own ~150 ns. (With repeat > 1 each call swaps the XDP
 *   dispatcher, two RCU waits, and the frame's slot is cached after its
 *   first run: one cached entry again.)
 *
 * Sets take turns round by round; the median of ROUNDS rounds is printed
 * with the range. Every built frame is first run once with
 * li_loader_test_run and must get the verdict its set expects (esp-ok,
 * esp-unknown-spi, implicit), else nothing is timed.
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
#include "dataplane/maps.h"
#include "bench.h"

#define TARGET_NS 10.0
#define MAX_ROUNDS 64
#define NR_SIZES 2
#define BIG 100000
#define LIST_MAX (1u << 18)  /* spi.bpf.c's SPI_LIST_MAX */
#define NOT_LOCAL 0xc0000263 /* 192.0.2.99: the stream frame, unrewritten */

static const unsigned int sa_counts[NR_SIZES] = { 1, BIG };

enum { ENC_ESP, ENC_UDP, NR_ENC };
static const char *const enc_names[NR_ENC] = { "esp", "esp-in-udp" };

/* What is timed for each table size, frame list and encapsulation. */
enum { ON_KNOWN, ON_UNKNOWN, OFF_KNOWN, NR_SETS };
static const char *const set_names[NR_SETS] = { "check on, known",
						"check on, unknown",
						"check off, known" };
static const unsigned int set_reason[NR_SETS] = { LI_R_ESP_OK,
						  LI_R_ESP_UNKNOWN_SPI,
						  LI_R_IMPLICIT };

struct spi_dst {	  /* spi.bpf.c */
	__u32 daddr, spi; /* network order */
};

struct spi_cursor { /* spi.bpf.c */
	__u32 base, n, i, pad;
};

/* Frames of one set: the stream's list, or built frames. */
struct spi_set {
	struct li_loader *l;
	int prog; /* the loader's localin_xdp (stream) */
	const struct spi_dst *dst;
	unsigned int n;
	int enc;
	__u32 base;	       /* in spi_list (stream) */
	double ns[MAX_ROUNDS]; /* per round */
};

static struct {
	struct li_loader *on, *off;
	int on_prog, off_prog;
	struct bpf_object *obj; /* spi.bpf.o */
	int stream, list, cursor, next;
	unsigned int nframes, repeat, rounds;
	double added[3]; /* on - off: 1 SA, BIG with nframes, BIG all */
} sb = { .on_prog = -1, .off_prog = -1 };

static __u64 rng = 8; /* fixed: every run draws the same SAs and frames */

/* splitmix64, upper half */
static __u32 rnd(void)
{
	__u64 z = (rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (__u32)((z ^ (z >> 31)) >> 32);
}

/* An SPI no SA in @t has, to any local address; not a reserved one. */
static __u32 fresh_spi(const struct spi_table *t)
{
	__u32 spi, d;
	int i, used;

	do {
		spi = rnd();
		for (used = 0, i = 0; i < NR_LOCALS && !used; i++) {
			d = htonl(bench_locals[i]);
			used = !!spi_table_find(t, 4, &d, spi);
		}
	} while (spi < 256 || used);
	return spi;
}

/* @n SAs: 1 to the gateway, more to any local address. */
static int make_sas(struct spi_table *t, struct spi_dst *sa, unsigned int n)
{
	struct sa_entry e = { .family = 4 };
	unsigned int i;
	int err;

	for (i = 0; i < n; i++) {
		e.spi = fresh_spi(t);
		e.daddr[0] =
			htonl(n == 1 ? GW : bench_locals[rnd() % NR_LOCALS]);
		err = spi_table_add(t, &e);
		if (err)
			return err;
		sa[i].daddr = e.daddr[0];
		sa[i].spi = htonl(e.spi);
	}
	return 0;
}

/*
 * @n packets: @known, distinct SAs of @sa while there are enough; and
 * @unknown, SPIs not in @t to any local address.
 */
static void make_dsts(struct spi_dst *known, struct spi_dst *unknown,
		      unsigned int n, struct spi_dst *sa, unsigned int nsa,
		      const struct spi_table *t)
{
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		if (nsa >= n) { /* a partial Fisher-Yates shuffle */
			struct spi_dst x = sa[i];

			j = i + rnd() % (nsa - i);
			sa[i] = sa[j];
			sa[j] = x;
			known[i] = sa[i];
		} else {
			known[i] = sa[i % nsa];
		}
		unknown[i].daddr = htonl(bench_locals[rnd() % NR_LOCALS]);
		unknown[i].spi = htonl(fresh_spi(t));
	}
}

/*
 * Ethernet + IPv4 from the peer to @d->daddr + ESP, or UDP 4500 -> 4500 +
 * ESP: SPI, sequence and 64 bytes.
 */
static void build_esp(struct frame *f, const struct spi_dst *d, __u32 seq,
		      int enc)
{
	unsigned char *ip = f->b + 14, *l4 = ip + 20;
	unsigned char *esp = enc == ENC_UDP ? l4 + 8 : l4;
	__u32 l4len = (enc == ENC_UDP ? 8 : 0) + 8 + 64;

	memset(f->b, 0, sizeof(f->b));
	memcpy(f->b, "\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00", 14);
	ip[0] = 0x45;
	put16(ip + 2, 20 + l4len);
	ip[8] = 64;
	ip[9] = enc == ENC_UDP ? 17 : 50;
	put32(ip + 12, PEER);
	memcpy(ip + 16, &d->daddr, 4);
	if (enc == ENC_UDP) {
		put16(l4, 4500);
		put16(l4 + 2, 4500);
		put16(l4 + 4, l4len);
	}
	memcpy(esp, &d->spi, 4);
	put32(esp + 4, seq);
	f->len = 14 + 20 + l4len;
}

/*
 * Check off, ESP meets the policies: its first packet to an address opens
 * a session (issue 12), which the later ones (any SPI) pass by.
 */
static int reason_ok(int which, unsigned int r)
{
	return r == set_reason[which] ||
	       (which == OFF_KNOWN && r == LI_R_SESSION);
}

/* Each packet of @s once through li_loader_test_run: its set's verdict. */
static int check_frames(const struct spi_set *s, int which)
{
	__u16 want = LI_PKT_ESP | (s->enc == ENC_UDP ? LI_PKT_ESP_UDP : 0);
	struct li_verdict v;
	struct li_pkt pkt;
	struct frame f;
	unsigned int i;
	int err;

	for (i = 0; i < s->n; i++) {
		build_esp(&f, &s->dst[i], i + 1, s->enc);
		err = li_loader_test_run(s->l, f.b, f.len, IFINDEX, &pkt, &v);
		if (err || !reason_ok(which, v.reason) ||
		    (pkt.flags & (LI_PKT_ESP | LI_PKT_ESP_UDP)) != want) {
			fprintf(stderr,
				"bench: spi: %s, %s, frame %u (SPI %#x): %s, flags %#x; expected %s: not timing it\n",
				set_names[which], enc_names[s->enc], i, pkt.spi,
				err ? strerror(-err) : li_reason_name(v.reason),
				pkt.flags, li_reason_name(set_reason[which]));
			return -1;
		}
	}
	return 0;
}

/* One round of @s, one run per frame: the mean ns over its frames. */
static int time_frames(struct spi_set *s, unsigned int k)
{
	__u64 sum = 0;
	struct frame f;
	unsigned int i;
	__u32 ns;
	int err;

	for (i = 0; i < s->n; i++) {
		build_esp(&f, &s->dst[i], i + 1, s->enc);
		err = bench_time(s->l, &f, 1, &ns, NULL);
		if (err)
			return err;
		sum += ns;
	}
	s->ns[k] = (double)sum / s->n;
	return 0;
}

/*
 * One round of @s back to back: REPEAT runs through spi.bpf.o, each the
 * next of the set's list. Every run must have counted its set's reason.
 */
static int time_stream(struct spi_set *s, int which, unsigned int k)
{
	struct spi_cursor c = { .base = s->base, .n = s->n };
	struct spi_dst none = { .daddr = htonl(NOT_LOCAL) };
	struct li_counters before, after;
	__u32 zero = 0, want = which == ON_UNKNOWN ? XDP_DROP : XDP_PASS, r;
	struct frame f;
	int err;

	build_esp(&f, &none, 1, s->enc);
	if (bpf_map_update_elem(sb.cursor, &zero, &c, BPF_ANY) ||
	    bpf_map_update_elem(sb.next, &zero, &s->prog, BPF_ANY))
		return -errno;
	err = li_loader_counters(s->l, &before);
	if (err)
		return err;
	{
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f.b,
			    .data_size_in = f.len, .repeat = sb.repeat);

		if (bpf_prog_test_run_opts(sb.stream, &o))
			return -errno;
		if (o.retval != want) {
			fprintf(stderr,
				"bench: spi: %s, %s: verdict %u, expected %u\n",
				set_names[which], enc_names[s->enc], o.retval,
				want);
			return -EPROTO;
		}
		s->ns[k] = o.duration;
	}
	err = li_loader_counters(s->l, &after);
	if (err)
		return err;
	for (r = 0; r < LI_R_MAX; r++) {
		__u64 d = after.by_reason[r] - before.by_reason[r];

		if (which == OFF_KNOWN && r == set_reason[which])
			d += after.by_reason[LI_R_SESSION] -
			     before.by_reason[LI_R_SESSION];
		else if (which == OFF_KNOWN && r == LI_R_SESSION)
			continue;
		if (d != (r == set_reason[which] ? sb.repeat : 0)) {
			fprintf(stderr,
				"bench: spi: %s, %s: %llu runs counted %s, expected %u %s\n",
				set_names[which], enc_names[s->enc],
				(unsigned long long)d, li_reason_name(r),
				sb.repeat, li_reason_name(set_reason[which]));
			return -EPROTO;
		}
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median of @s's rounds, and their range. */
static double med(const struct spi_set *s, double *lo, double *hi)
{
	double v[MAX_ROUNDS];

	memcpy(v, s->ns, sb.rounds * sizeof(v[0]));
	qsort(v, sb.rounds, sizeof(v[0]), cmp_double);
	*lo = v[0];
	*hi = v[sb.rounds - 1];
	return v[sb.rounds / 2];
}

/*
 * @n packets a set (@known, @unknown; with @stream, put_list() has put
 * them in spi_list) at @nsa SAs: checked, timed back to back (@stream) or
 * one run per frame, printed; @added: the worst on - off.
 */
static int bench_case(unsigned int nsa, const struct spi_dst *known,
		      const struct spi_dst *unknown, unsigned int n, int stream,
		      double *added)
{
	static struct spi_set set[NR_ENC][NR_SETS];
	unsigned int k;
	int enc, w, err;

	memset(set, 0, sizeof(set));
	for (enc = 0; enc < NR_ENC; enc++) {
		for (w = 0; w < NR_SETS; w++) {
			struct spi_set *s = &set[enc][w];

			s->l = w == OFF_KNOWN ? sb.off : sb.on;
			s->prog = w == OFF_KNOWN ? sb.off_prog : sb.on_prog;
			s->dst = w == ON_UNKNOWN ? unknown : known;
			s->base = w == ON_UNKNOWN ? n : 0;
			s->n = n;
			s->enc = enc;
			if (check_frames(s, w))
				return -EPROTO;
		}
	}
	for (k = 0; k < sb.rounds; k++)
		for (enc = 0; enc < NR_ENC; enc++)
			for (w = 0; w < NR_SETS; w++) {
				struct spi_set *s = &set[enc][w];

				err = stream ? time_stream(s, w, k) :
					       time_frames(s, k);
				if (err)
					return err;
			}
	*added = -1e9;
	for (enc = 0; enc < NR_ENC; enc++) {
		double lo, hi, m[NR_SETS];

		printf("%-7u %-7u %-11s", nsa, n, enc_names[enc]);
		for (w = 0; w < NR_SETS; w++) {
			m[w] = med(&set[enc][w], &lo, &hi);
			printf("  %6.1f [%5.1f-%5.1f]", m[w], lo, hi);
		}
		printf("  %+8.1f  %+8.1f\n", m[ON_KNOWN] - m[OFF_KNOWN],
		       m[ON_UNKNOWN] - m[OFF_KNOWN]);
		if (m[ON_KNOWN] - m[OFF_KNOWN] > *added)
			*added = m[ON_KNOWN] - m[OFF_KNOWN];
	}
	return 0;
}

/* Write @n known and @n unknown packets at the start of spi_list. */
static int put_list(const struct spi_dst *known, const struct spi_dst *unknown,
		    unsigned int n)
{
	__u32 i, k;

	for (i = 0; i < n; i++) {
		k = n + i;
		if (bpf_map_update_elem(sb.list, &i, &known[i], BPF_ANY) ||
		    bpf_map_update_elem(sb.list, &k, &unknown[i], BPF_ANY))
			return -errno;
	}
	return 0;
}

static void print_head(const char *what)
{
	printf("%s\n%-7s %-7s %-11s  %-20s  %-20s  %-20s  %8s  %8s\n", what,
	       "SAs", "frames", "packet", set_names[ON_KNOWN],
	       set_names[ON_UNKNOWN], set_names[OFF_KNOWN], "on - off",
	       "unkn-off");
}

/*
 * The table of sa_counts[@size] SAs on both loaders, then its rows: back
 * to back (@stream_pass) or one run per frame.
 */
static int bench_size(int size, int stream_pass)
{
	unsigned int nsa = sa_counts[size], n, m = sb.nframes;
	struct spi_dst *sa = calloc(nsa, sizeof(*sa));
	struct spi_dst *known = calloc(BIG > m ? BIG : m, sizeof(*known));
	struct spi_dst *unknown = calloc(BIG > m ? BIG : m, sizeof(*unknown));
	struct spi_table t;
	double cold;
	int err = -ENOMEM;

	spi_table_init(&t);
	if (!sa || !known || !unknown)
		goto out;
	rng = 8 + (__u64)size; /* the same SAs in both passes */
	err = make_sas(&t, sa, nsa);
	if (!err)
		err = li_loader_set_sas(sb.on, &t);
	if (!err)
		err = li_loader_set_sas(sb.off, &t);
	if (err) {
		fprintf(stderr, "bench: spi: cannot install %u SAs: %s\n", nsa,
			strerror(-err));
		goto out;
	}
	if (!stream_pass) {
		make_dsts(known, unknown, m, sa, nsa, &t);
		err = bench_case(nsa, known, unknown, m, 0, &cold);
		goto out;
	}
	/* nframes packets; at BIG SAs then one for each SA. */
	for (n = m;; n = BIG) {
		make_dsts(known, unknown, n, sa, nsa, &t);
		err = put_list(known, unknown, n);
		if (!err)
			err = bench_case(nsa, known, unknown, n, 1,
					 &sb.added[size + (n == BIG)]);
		if (err || nsa == 1 || n == BIG)
			break;
	}
out:
	spi_table_free(&t);
	free(sa);
	free(known);
	free(unknown);
	return err;
}

/*
 * The loaded localin_xdp whose li_ifc_big knows interface @marker (given
 * to its loader only): an fd, or -1.
 */
int bench_find_prog(int marker)
{
	struct li_ifc_key key = { .ifindex = (__u32)marker };
	struct li_ifc v;
	__u32 id = 0, mid[64], i;

	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id), found = 0;

		info.nr_map_ids = 64;
		info.map_ids = (__u64)(unsigned long)mid;
		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) ||
		    strcmp(info.name, "localin_xdp")) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		for (i = 0; i < info.nr_map_ids && i < 64 && !found; i++) {
			struct bpf_map_info mi = { 0 };
			__u32 ml = sizeof(mi);
			int mfd = bpf_map_get_fd_by_id(mid[i]);

			if (mfd < 0)
				continue;
			if (bpf_obj_get_info_by_fd(mfd, &mi, &ml) ||
			    strcmp(mi.name, "li_ifc_big")) {
				close(mfd);
				continue;
			}
			for (key.set = 0; key.set < 2 && !found; key.set++)
				found = !bpf_map_lookup_elem(mfd, &key, &v);
			close(mfd);
		}
		if (found)
			return fd;
		close(fd);
	}
	return -1;
}

/*
 * spi.bpf.o, and each loader's program found for its spi_next. Without
 * metadata, localin's program classes the interface by the test run's
 * ingress, the loopback device: wan1 for it too.
 */
static int load_stream(const char *obj)
{
	int lo = (int)if_nametoindex("lo"), base = 0x10000000 + 2 * getpid();
	struct bpf_program *p;

	if (!lo || li_loader_set_interface(sb.on, lo, "wan1") ||
	    li_loader_set_interface(sb.off, lo, "wan1") ||
	    li_loader_set_interface(sb.on, base, "wan1") ||
	    li_loader_set_interface(sb.off, base + 1, "wan1"))
		return -1;
	sb.on_prog = bench_find_prog(base);
	sb.off_prog = bench_find_prog(base + 1);
	sb.obj = bpf_object__open_file(obj, NULL);
	if (sb.on_prog < 0 || sb.off_prog < 0 || !sb.obj ||
	    bpf_object__load(sb.obj))
		return -1;
	p = bpf_object__find_program_by_name(sb.obj, "spi_stream");
	sb.stream = p ? bpf_program__fd(p) : -1;
	sb.list = bpf_object__find_map_fd_by_name(sb.obj, "spi_list");
	sb.cursor = bpf_object__find_map_fd_by_name(sb.obj, "spi_cursor");
	sb.next = bpf_object__find_map_fd_by_name(sb.obj, "spi_next");
	if (sb.stream < 0 || sb.list < 0 || sb.cursor < 0 || sb.next < 0)
		return -1;
	return 0;
}

int spi_bench(const char *path, const char *obj, unsigned int rounds,
	      unsigned int repeat, unsigned int nframes)
{
	struct spi_table none;
	struct pipeline p;
	char what[256];
	int i, err;

	sb.rounds = rounds;
	sb.repeat = repeat;
	sb.nframes = nframes;
	spi_table_init(&none);
	err = pipeline_load(&p, path, STAGE_COMPILE);
	if (err) {
		diag_print(&p.diags, stderr);
		fprintf(stderr, "bench: spi: %s: %s\n", path, strerror(-err));
		goto out;
	}
	err = -EINVAL;
	if (!p.rs.detect_unknown_esp || nframes > BIG || 2 * BIG > LIST_MAX) {
		fprintf(stderr,
			"bench: spi: %s has detect-unknown-esp disable, or FRAMES > %u\n",
			path, BIG);
		goto out;
	}
	err = bench_open(&sb.on, &p.rs, &none);
	p.rs.detect_unknown_esp = false; /* the same packets, check off */
	if (!err)
		err = bench_open(&sb.off, &p.rs, &none);
	if (!err && load_stream(obj))
		err = -ENOENT;
	if (err) {
		fprintf(stderr,
			"bench: spi: cannot load %s, or %s, or find localin's program: %s\n",
			path, obj, strerror(-err));
		goto out;
	}
	printf("\nSPI check (%s: detect-unknown-esp enable = check on, disable = check off; ESP from the peer; SAs without peer)\n",
	       path);
	snprintf(
		what, sizeof(what),
		"back to back: ns per ESP packet, median of %u rounds [range] of %u runs cycling through the frames",
		rounds, repeat);
	print_head(what);
	for (i = 0; i < NR_SIZES && !err; i++)
		err = bench_size(i, 1);
	if (err)
		goto out;
	printf("SPI check adds %.1f ns at 1 SA, %.1f ns at 100k SAs (%u in use), %.1f ns at 100k SAs (all in use) (target <= %.0f ns): %s\n",
	       sb.added[0], sb.added[1], nframes, sb.added[2], TARGET_NS,
	       sb.added[0] <= TARGET_NS && sb.added[1] <= TARGET_NS &&
			       sb.added[2] <= TARGET_NS ?
		       "met" :
		       "NOT met");
	snprintf(
		what, sizeof(what),
		"one run per frame (li_loader_bench, repeat 1: a syscall between packets, the harness included): ns per ESP packet, median of %u rounds [range], mean over %u frames",
		rounds, nframes);
	print_head(what);
	for (i = 0; i < NR_SIZES && !err; i++)
		err = bench_size(i, 0);
out:
	if (sb.on_prog >= 0)
		close(sb.on_prog);
	if (sb.off_prog >= 0)
		close(sb.off_prog);
	bpf_object__close(sb.obj);
	li_loader_close(sb.on);
	li_loader_close(sb.off);
	spi_table_free(&none);
	pipeline_free(&p);
	return err;
}
