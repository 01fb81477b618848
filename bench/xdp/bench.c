// SPDX-License-Identifier: GPL-2.0
/*
 * ns per packet by BPF_PROG_TEST_RUN: localin's XDP program over each
 * config given, for five frames of the seed scenario, beside two builds of
 * xdp-filter with the one port rule `xdp-filter port 500 -p udp` sets (UDP
 * destination port 500 dropped) and a bare XDP_PASS program, run on the
 * same frames. Medians of ROUNDS runs of REPEAT packets each; each of
 * localin's runs is also paired with a run of xdp-filter on its frame,
 * and the last table gives each cell's median difference. Then, with
 * -s, the cost of the SPI check on the config CONF (spi.c, with the
 * program spi.bpf.o at -w; FRAMES packets in use). With -S, what sessions
 * cost on each config (sess.c, with the program sess.bpf.o at -S).
 * A '*' after a reason: the first run passed and opened a session, which
 * the timed runs then hit (li_loader_test_run again after timing).
 *
 *	bench -a XDPFILT_ALL.o -u XDPFILT_UDP.o -p PASS.o [-r REPEAT]
 *	      [-k ROUNDS] [-s CONF -w SPI.o [-m FRAMES]] [-S SESS.o]
 *	      LABEL=CONF...
 *
 * -a is the object `xdp-filter load IFACE` loads (every feature, policy
 * allow: xdpfilt_alw_all.o), -u the one `xdp-filter load -f udp IFACE`
 * loads (xdpfilt_alw_udp.o). Before timing anything, each is checked: its
 * maps are listed, the rule is read back, and BPF_PROG_TEST_RUN must give
 * XDP_DROP exactly for UDP to port 500 and XDP_PASS for every other frame,
 * with the rule's hit counter counting the drops; else the run aborts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "pipeline/pipeline.h"
#include "log/counters.h"
#include "dataplane/loader.h"
#include "bench.h"

#define NR_FRAMES 5
#define NR_CHECK 4	  /* extra frames for xdp-filter's sanity check */
#define DENIED 0x64400030 /* 100.64.0.48: between excluded /28s */
#define SPI_KNOWN 0xc0ffee01

static const char *const frame_names[NR_FRAMES] = {
	"ike-denied", "ike-peer", "not-for-gw", "esp-known", "esp-unknown",
};

static struct frame frames[NR_FRAMES], check[NR_CHECK];
static unsigned int repeat = 200000, rounds = 5;
static const char *dump_dir; /* -d: bench_dump() each program there */
/*
 * BENCH_CENTI=1 in the environment: every figure in hundredths of a ns,
 * by the wall clock around each call (the kernel's duration is whole ns,
 * the size of the steps two builds differ by; the call's own cost is
 * spread over its REPEAT packets). For comparing builds by turns
 * (compare.sh): the ratios are the same either way.
 */
static int centi;

static __u64 wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/* A call begun at @t0 that the kernel timed at @kernel_ns a packet. */
static __u32 per_packet(__u64 t0, __u32 kernel_ns)
{
	if (!centi)
		return kernel_ns;
	return (__u32)((wall_ns() - t0) * 100 / repeat);
}

#define MAX_ROWS 16

static char *labels[MAX_ROWS], *paths[MAX_ROWS];
static __u32 rows[MAX_ROWS][NR_FRAMES];
static int nrows;

/* -d: program @fd's maps into dump_dir/@name; 0 without -d. */
static int dump(int fd, const char *name)
{
	char dir[512];
	int err;

	if (!dump_dir)
		return 0;
	snprintf(dir, sizeof(dir), "%s/%s", dump_dir, name);
	err = fd < 0 ? fd : bench_dump(fd, dir);
	if (err)
		fprintf(stderr, "bench: dump of %s into %s: %s\n", name, dir,
			strerror(-err));
	return err;
}

void put16(unsigned char *p, __u32 v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

void put32(unsigned char *p, __u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

/* Ethernet + IPv4 + (UDP + 64 bytes of IKE, or ESP + 64 bytes). */
static void build(struct frame *f, __u32 src, __u32 dst, int esp, __u32 spi)
{
	unsigned char *ip = f->b + 14, *l4 = ip + 20;
	__u32 l4len = esp ? 72 : 8 + 64;

	memset(f->b, 0, sizeof(f->b));
	memcpy(f->b, "\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00", 14);
	ip[0] = 0x45;
	put16(ip + 2, 20 + l4len);
	ip[8] = 64;
	ip[9] = esp ? 50 : 17;
	put32(ip + 12, src);
	put32(ip + 16, dst);
	if (esp) {
		put32(l4, spi);
		put32(l4 + 4, 1);
	} else {
		put16(l4, 500);
		put16(l4 + 2, 500);
		put16(l4 + 4, l4len);
		l4[8 + 17] = 0x20; /* IKEv2 */
		l4[8 + 18] = 34;
	}
	f->len = 14 + 20 + l4len;
}

/* Ethernet + IPv6 + UDP 500 -> 500 + 64 bytes, 2001:db8::1 -> 2001:db8::2. */
static void build6(struct frame *f)
{
	unsigned char *ip = f->b + 14, *l4 = ip + 40;

	memset(f->b, 0, sizeof(f->b));
	memcpy(f->b, "\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x86\xdd", 14);
	ip[0] = 0x60;
	put16(ip + 4, 8 + 64);
	ip[6] = 17;
	ip[7] = 64;
	put32(ip + 8, 0x20010db8);
	ip[23] = 1;
	put32(ip + 24, 0x20010db8);
	ip[39] = 2;
	put16(l4, 500);
	put16(l4 + 2, 500);
	put16(l4 + 4, 8 + 64);
	f->len = 14 + 40 + 8 + 64;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

static __u32 median(__u32 *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_u32);
	return v[n / 2];
}

/*
 * One run of REPEAT of a plain program (xdp-filter, XDP_PASS) on frame
 * @i: ns a packet, 0 unless it returned @want (the verdict the sanity
 * check established).
 */
static __u32 run_prog(int fd, int i, __u32 want)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frames[i].b,
		    .data_size_in = frames[i].len, .repeat = repeat);
	__u64 t0 = wall_ns();

	if (bpf_prog_test_run_opts(fd, &o) || o.retval != want) {
		fprintf(stderr, "bench: %s: verdict %u, expected %u\n",
			frame_names[i], o.retval, want);
		return 0;
	}
	return per_packet(t0, o.duration) ?: 1;
}

/* A plain program on frame @i: median ns, 0 on a wrong verdict. */
static __u32 bench_prog(int fd, int i, __u32 want)
{
	__u32 v[64];
	unsigned int k;

	for (k = 0; k < rounds; k++)
		if (!(v[k] = run_prog(fd, i, want)))
			return 0;
	return median(v, rounds);
}

/*
 * Each localin round is paired with a run of xdp-filter's default load
 * on the same frame, by turns (xdp-filter first every other round): a
 * VM whose speed moves within a run moves both alike, where the rows
 * timed minutes apart can differ by twice. Per cell: the median of the
 * rounds' differences, and how many rounds localin was at or below.
 */
static int pair_fd = -1;
static __u32 pair_want[NR_FRAMES];
static int pair_diff[MAX_ROWS][NR_FRAMES];
static unsigned int pair_wins[MAX_ROWS][NR_FRAMES];

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x > y;
}

static int load_prog(const char *path, struct bpf_object **obj)
{
	struct bpf_program *p;
	struct bpf_map *m;

	*obj = bpf_object__open_file(path, NULL);
	if (!*obj) {
		fprintf(stderr, "bench: cannot open %s\n", path);
		return -1;
	}
	/* xdp-filter pins its maps by name: not from a benchmark. */
	bpf_object__for_each_map(m, *obj)
		bpf_map__set_pin_path(m, NULL);
	if (bpf_object__load(*obj)) {
		fprintf(stderr, "bench: cannot load %s\n", path);
		return -1;
	}
	p = bpf_object__next_program(*obj, NULL);
	return p ? bpf_program__fd(p) : -1;
}

/* xdp-filter's common_kern_user.h */
#define XF_FLAG_SRC (1 << 0)
#define XF_FLAG_DST (1 << 1)
#define XF_FLAG_TCP (1 << 2)
#define XF_FLAG_UDP (1 << 3)
#define XF_FLAGS 0xf
#define XF_COUNTER_SHIFT 6
#define XF_PORT 500

/* What xdp-filter's one rule (UDP destination port 500) says of frame @f. */
static __u32 xf_expected(const struct frame *f)
{
	const unsigned char *ip = f->b + 14, *l4;
	int proto;

	if (f->b[12] == 0x08 && f->b[13] == 0x00) {
		proto = ip[9];
		l4 = ip + (ip[0] & 0xf) * 4;
	} else if (f->b[12] == 0x86 && f->b[13] == 0xdd) {
		proto = ip[6];
		l4 = ip + 40;
	} else {
		return XDP_PASS;
	}
	return proto == 17 && ((l4[2] << 8) | l4[3]) == XF_PORT ? XDP_DROP :
								  XDP_PASS;
}

static const char *xdp_action(__u32 a)
{
	static const char *const n[] = { "aborted", "drop", "pass", "tx",
					 "redirect" };

	return a < 5 ? n[a] : "?";
}

/* The sum over CPUs of xdp-filter's per-CPU filter_ports value at @key. */
#define MAX_CPUS 1024
static __u64 percpu[MAX_CPUS];

static int xf_port_value(int map, __u32 key, __u64 *flags, __u64 *hits)
{
	int ncpu = libbpf_num_possible_cpus(), c;
	__u64 *v = percpu;

	if (ncpu <= 0 || ncpu > MAX_CPUS || bpf_map_lookup_elem(map, &key, v))
		return -1;
	*flags = v[0] & XF_FLAGS;
	*hits = 0;
	for (c = 0; c < ncpu; c++) {
		if ((v[c] & XF_FLAGS) != *flags)
			return -1; /* not the same rule on every CPU */
		*hits += v[c] >> XF_COUNTER_SHIFT;
	}
	return 0;
}

/*
 * xdp-filter's program @path with its one rule, as `xdp-filter port 500
 * -p udp` writes it: key htons(500), flags dst|udp on every possible CPU.
 * Then the sanity check; returns the program fd, or -1 if anything about
 * the program or its verdicts is not what the rule says.
 */
static int load_xdp_filter(const char *label, const char *path,
			   struct bpf_object **obj)
{
	int ncpu = libbpf_num_possible_cpus(), fd, ports = -1, c, i, n = 0;
	__u32 key = htons(XF_PORT), k, drops = 0;
	__u64 flags, hits;
	unsigned char any[64];
	struct bpf_map *m;

	fd = load_prog(path, obj);
	if (fd < 0 || ncpu <= 0 || ncpu > MAX_CPUS)
		return -1;
	printf("%s: %s, program %s, maps:", label, path,
	       bpf_program__name(bpf_object__next_program(*obj, NULL)));
	bpf_object__for_each_map(m, *obj) {
		const char *name = bpf_map__name(m);

		printf(" %s", name);
		if (!strcmp(name, "filter_ports"))
			ports = bpf_map__fd(m);
		else if (!strncmp(name, "filter_", 7) &&
			 bpf_map_get_next_key(bpf_map__fd(m), NULL, any) !=
				 -ENOENT) {
			fprintf(stderr, "\nbench: %s: %s is not empty\n", label,
				name);
			return -1;
		}
	}
	printf("\n");
	if (ports < 0) {
		fprintf(stderr, "bench: %s: no filter_ports map\n", label);
		return -1;
	}
	for (c = 0; c < ncpu; c++)
		percpu[c] = XF_FLAG_DST | XF_FLAG_UDP;
	if (bpf_map_update_elem(ports, &key, percpu, BPF_ANY)) {
		fprintf(stderr, "bench: %s: cannot set the port rule\n", label);
		return -1;
	}
	/* Read back: exactly one port with flags, the one just written. */
	for (k = 0; k < 65536; k++) {
		if (xf_port_value(ports, k, &flags, &hits)) {
			fprintf(stderr,
				"bench: %s: filter_ports[%u] unreadable or differing across CPUs\n",
				label, k);
			return -1;
		}
		if (flags &&
		    (k != key || flags != (XF_FLAG_DST | XF_FLAG_UDP))) {
			fprintf(stderr,
				"bench: %s: unexpected rule at filter_ports[%u]: flags %#llx\n",
				label, k, (unsigned long long)flags);
			return -1;
		}
		n += !!flags;
	}
	if (n != 1) {
		fprintf(stderr, "bench: %s: %d port rules, expected 1\n", label,
			n);
		return -1;
	}
	/* Verdicts, one run of each frame: drop exactly UDP dst 500. */
	printf("%s: rule filter_ports[htons(%u)] = dst,udp on %d CPUs; verdicts:",
	       label, XF_PORT, ncpu);
	for (i = 0; i < NR_FRAMES + NR_CHECK; i++) {
		const struct frame *f =
			i < NR_FRAMES ? &frames[i] : &check[i - NR_FRAMES];
		static const char *const check_names[NR_CHECK] = {
			"udp-500>4500",
			"udp-dport-501",
			"tcp-dport-500",
			"udp-500-ipv6",
		};
		const char *name = i < NR_FRAMES ? frame_names[i] :
						   check_names[i - NR_FRAMES];
		__u32 want = xf_expected(f);
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->b,
			    .data_size_in = f->len, .repeat = 1);

		if (bpf_prog_test_run_opts(fd, &o) || o.retval != want) {
			fprintf(stderr,
				"\nbench: %s: %s gets %s, but its rule says %s: not timing it\n",
				label, name, xdp_action(o.retval),
				xdp_action(want));
			return -1;
		}
		drops += want == XDP_DROP;
		printf(" %s %s", name, xdp_action(o.retval));
	}
	if (xf_port_value(ports, key, &flags, &hits) || hits != drops) {
		fprintf(stderr,
			"\nbench: %s: the rule counted %llu hits for %u drops\n",
			label, (unsigned long long)hits, drops);
		return -1;
	}
	printf(" (rule hit %llu times: ok)\n", (unsigned long long)hits);
	return fd;
}

const __u32 bench_locals[NR_LOCALS] = { GW, 0xc6336501, 0xc6336601,
					0xc6336701 };

int bench_open(struct li_loader **l, const struct li_ruleset *rs,
	       const struct spi_table *sas)
{
	struct li_host_addr a[NR_LOCALS] = { 0 };
	int i, err;

	for (i = 0; i < NR_LOCALS; i++) {
		a[i].family = 4;
		a[i].addr[0] = htonl(bench_locals[i]);
	}
	err = li_loader_open_for(l, NULL, false, rs);
	if (!err)
		err = li_loader_set_ruleset(*l, rs);
	if (!err)
		err = li_loader_set_locals(*l, a, NR_LOCALS, NULL);
	if (!err)
		err = li_loader_set_sas(*l, sas);
	if (!err)
		err = li_loader_set_interface(*l, IFINDEX, "wan1");
	return err;
}

/* The seed scenario's one SA: SPI_KNOWN to the gateway. */
static int setup(struct li_loader **l, const struct pipeline *p)
{
	struct spi_table sas;
	struct sa_entry e = { .family = 4, .spi = SPI_KNOWN };
	int err;

	e.daddr[0] = htonl(GW);
	spi_table_init(&sas);
	err = spi_table_add(&sas, &e);
	if (!err)
		err = bench_open(l, &p->rs, &sas);
	spi_table_free(&sas);
	return err;
}

static int bench_conf(const char *label, const char *path, __u32 *row)
{
	struct li_loader *l = NULL;
	struct pipeline p;
	struct li_verdict v, after;
	struct li_pkt pkt;
	char reason[16];
	__u32 ns[64], action = 0;
	int d[64];
	unsigned int k;
	int i, err;

	err = pipeline_load(&p, path, STAGE_COMPILE);
	if (!err)
		err = setup(&l, &p);
	if (err) {
		diag_print(&p.diags, stderr);
		fprintf(stderr, "bench: %s: %s\n", path, strerror(-err));
		goto out;
	}
	printf("%-17s %6u/%-5u", label, p.rs.v4.src.nr_blocks,
	       p.rs.v4.nr_policies);
	for (i = 0; i < NR_FRAMES; i++) {
		err = li_loader_test_run(l, frames[i].b, frames[i].len, IFINDEX,
					 &pkt, &v);
		for (k = 0; k < rounds && !err; k++) {
			__u32 x =
				k & 1 ? run_prog(pair_fd, i, pair_want[i]) : 0;
			__u64 t0 = wall_ns();

			err = bench_time(l, &frames[i], repeat, &ns[k],
					 &action);
			ns[k] = per_packet(t0, ns[k]);
			if (!(k & 1))
				x = run_prog(pair_fd, i, pair_want[i]);
			if (!x)
				err = -EINVAL;
			d[k] = (int)ns[k] - (int)x;
			pair_wins[nrows][i] += ns[k] <= x;
		}
		if (err)
			goto out;
		qsort(d, rounds, sizeof(*d), cmp_int);
		pair_diff[nrows][i] = d[rounds / 2];
		row[i] = median(ns, rounds);
		/* What the timed runs met: a session the first run opened? */
		if (!err)
			err = li_loader_test_run(l, frames[i].b, frames[i].len,
						 IFINDEX, &pkt, &after);
		/* the timed runs (no test metadata) acted as the run recorded */
		if (!err && action != ~0u &&
		    action != (after.drop ? XDP_DROP : XDP_PASS)) {
			fprintf(stderr,
				"\nbench: %s: %s: the timed runs returned %u, the recorded run %s\n",
				label, frame_names[i], action,
				after.drop ? "drop" : "pass");
			err = -EPROTO;
		}
		if (err)
			goto out;
		snprintf(reason, sizeof(reason), "%s%s",
			 li_reason_name(v.reason),
			 after.reason != v.reason ? "*" : "");
		printf("  %5u %-4s %-9.9s", row[i], v.drop ? "drop" : "pass",
		       reason);
	}
	printf("\n");
	/* The maps after the timed runs, found by an interface only it has. */
	if (dump_dir) {
		int marker = 0x30000000 + getpid() * MAX_ROWS + nrows, fd;

		err = li_loader_set_interface(l, marker, "wan1");
		fd = err ? err : bench_find_prog(marker);
		err = dump(fd, label);
		if (fd >= 0)
			close(fd);
	}
out:
	li_loader_close(l);
	pipeline_free(&p);
	return err;
}

static void print_ratios(const char *what, const __u32 *base, int from)
{
	int c, i;

	printf("ratios to %s (same frame):\n", what);
	for (c = from; c < nrows; c++) {
		printf("  %-14s", labels[c]);
		for (i = 0; i < NR_FRAMES; i++)
			printf("  %s %.2f", frame_names[i],
			       base[i] ? (double)rows[c][i] / base[i] : 0.0);
		printf("\n");
	}
}

/* Per config: on how many frames localin's median is <= @base's. */
static void print_at_or_below(const char *what, const __u32 *base)
{
	int c, i, n, all = 0;

	printf("at or below %s (median ns, same frame):\n", what);
	for (c = 0; c < nrows; c++) {
		for (n = i = 0; i < NR_FRAMES; i++)
			n += rows[c][i] <= base[i];
		all += n;
		printf("  %s: %s %s on %d/%d frames", labels[c],
		       n == NR_FRAMES ? "at or below" : "NOT at or below", what,
		       n, NR_FRAMES);
		if (n < NR_FRAMES) {
			printf(" (above on");
			for (i = 0; i < NR_FRAMES; i++)
				if (rows[c][i] > base[i])
					printf(" %s", frame_names[i]);
			printf(")");
		}
		printf("\n");
	}
	printf("  verdict: localin %s %s on every frame of every config (%d/%d)\n",
	       all == nrows * NR_FRAMES ? "IS at or below" :
					  "is NOT at or below",
	       what, all, nrows * NR_FRAMES);
}

/*
 * The paired rounds (pair_fd): per cell, the median of localin's minus
 * xdp-filter's ns and the rounds localin was at or below. Indented, so
 * that compare.sh's rows (a label at the start of a line) skip them.
 */
static void print_paired(void)
{
	int c, i, n = 0;

	printf("paired with xdp-filter (default), by turns in each round, same frame:\n"
	       "  median of localin - xdp-filter, ns (rounds localin at or below of %u)\n",
	       rounds);
	for (c = 0; c < nrows; c++) {
		printf("  %-14s", labels[c]);
		for (i = 0; i < NR_FRAMES; i++) {
			if (centi)
				printf("  %s %+.2f (%u)", frame_names[i],
				       pair_diff[c][i] / 100.0,
				       pair_wins[c][i]);
			else
				printf("  %s %+d (%u)", frame_names[i],
				       pair_diff[c][i], pair_wins[c][i]);
			n += pair_diff[c][i] <= 0;
		}
		printf("\n");
	}
	printf("  verdict: localin's median difference at or below 0 on %d/%d cells\n",
	       n, nrows * NR_FRAMES);
}

static void print_prog_row(const char *label, const char *what, const __u32 *ns,
			   const __u32 *verdict)
{
	int i;

	printf("%-17s %12s", label, what);
	for (i = 0; i < NR_FRAMES; i++)
		printf("  %5u %-4s %-9s", ns[i], xdp_action(verdict[i]), "");
	printf("\n");
}

int main(int argc, char **argv)
{
	const char *fall = NULL, *fudp = NULL, *pass = NULL, *spi = NULL,
		   *spi_obj = NULL, *sess_obj = NULL;
	unsigned int spi_frames = 1024;
	struct bpf_object *ao = NULL, *uo = NULL, *po = NULL;
	__u32 ar[NR_FRAMES], ur[NR_FRAMES], pr[NR_FRAMES], want[NR_FRAMES],
		passes[NR_FRAMES];
	int c, i, afd, ufd, pfd;
	char what[128];

	centi = getenv("BENCH_CENTI") && atoi(getenv("BENCH_CENTI"));
	while ((c = getopt(argc, argv, "a:u:p:r:k:s:w:m:S:d:")) != -1) {
		if (c == 'd')
			dump_dir = optarg;
		else if (c == 'a')
			fall = optarg;
		else if (c == 'u')
			fudp = optarg;
		else if (c == 'p')
			pass = optarg;
		else if (c == 'r')
			repeat = (unsigned int)strtoul(optarg, NULL, 0);
		else if (c == 'k')
			rounds = (unsigned int)strtoul(optarg, NULL, 0);
		else if (c == 's')
			spi = optarg;
		else if (c == 'w')
			spi_obj = optarg;
		else if (c == 'S')
			sess_obj = optarg;
		else if (c == 'm')
			spi_frames = (unsigned int)strtoul(optarg, NULL, 0);
	}
	if (!fall || !fudp || !pass || optind >= argc || rounds > 64 ||
	    !rounds || !spi_frames || (spi && !spi_obj)) {
		fprintf(stderr,
			"usage: bench -a XDPFILT_ALL.o -u XDPFILT_UDP.o -p PASS.o [-r REPEAT] [-k ROUNDS] [-s CONF -w SPI.o [-m FRAMES]] [-S SESS.o] [-d DIR] LABEL=CONF...\n");
		return 2;
	}
	libbpf_set_print(NULL);
	setvbuf(stdout, NULL, _IOLBF, 0); /* in order with stderr's aborts */
	build(&frames[0], DENIED, GW, 0, 0);
	build(&frames[1], PEER, GW, 0, 0);
	build(&frames[2], PEER, 0xc0000263, 0, 0); /* to 192.0.2.99 */
	build(&frames[3], PEER, GW, 1, SPI_KNOWN);
	build(&frames[4], DENIED, GW, 1, 0xdeadbeef);
	/* The sanity check's extra frames: what the rule must not drop... */
	build(&check[0], PEER, GW, 0, 0);
	put16(check[0].b + 14 + 20 + 2, 4500); /* source port 500 only */
	build(&check[1], PEER, GW, 0, 0);
	put16(check[1].b + 14 + 20 + 2, 501);
	build(&check[2], PEER, GW, 0, 0); /* TCP 500 -> 500, doff 5 */
	check[2].b[14 + 9] = 6;
	memset(check[2].b + 14 + 20 + 4, 0, 16);
	check[2].b[14 + 20 + 12] = 5 << 4;
	/* ...and what it must: UDP to 500 over IPv6. */
	build6(&check[3]);
	for (i = 0; i < NR_FRAMES; i++) {
		want[i] = xf_expected(&frames[i]);
		passes[i] = XDP_PASS;
	}
	afd = load_xdp_filter("xdp-filter", fall, &ao);
	ufd = afd < 0 ? -1 : load_xdp_filter("xdp-filter -f udp", fudp, &uo);
	pfd = ufd < 0 ? -1 : load_prog(pass, &po);
	if (afd < 0 || ufd < 0 || pfd < 0) {
		fprintf(stderr,
			"bench: aborted: xdp-filter is not doing what its rule says\n");
		return 1;
	}
	printf("\nns per packet, BPF_PROG_TEST_RUN, median of %u x %u runs\n",
	       rounds, repeat);
	printf("%-17s %12s", "config", "blocks/pols");
	for (i = 0; i < NR_FRAMES; i++)
		printf("  %-20s", frame_names[i]);
	printf("\n");
	pair_fd = afd;
	memcpy(pair_want, want, sizeof(want));
	for (i = 0; i < NR_FRAMES; i++) {
		ar[i] = bench_prog(afd, i, want[i]);
		ur[i] = bench_prog(ufd, i, want[i]);
		pr[i] = bench_prog(pfd, i, XDP_PASS);
		if (!ar[i] || !ur[i] || !pr[i])
			return 1;
	}
	if (dump_dir) {
		char dir[512];

		snprintf(dir, sizeof(dir), "%s/frames", dump_dir);
		if (mkdir(dump_dir, 0755) && errno != EEXIST)
			return 1;
		for (i = 0; i < NR_FRAMES; i++)
			if (bench_dump_frame(dir, frame_names[i], frames[i].b,
					     frames[i].len))
				return 1;
		if (dump(afd, "xdp-filter") || dump(ufd, "xdp-filter-udp"))
			return 1;
	}
	print_prog_row("xdp-filter", "1 port rule", ar, want);
	print_prog_row("xdp-filter -f udp", "1 port rule", ur, want);
	print_prog_row("XDP_PASS", "", pr, passes);
	for (i = optind; i < argc && nrows < MAX_ROWS; i++) {
		char *eq = strchr(argv[i], '=');

		if (!eq)
			continue;
		*eq = 0;
		labels[nrows] = argv[i];
		paths[nrows] = eq + 1;
		if (bench_conf(argv[i], eq + 1, rows[nrows]))
			return 1;
		nrows++;
	}
	printf("(* the first run passed and opened a session: the timed runs hit it)\n\n");
	snprintf(what, sizeof(what), "xdp-filter, default load (%s)",
		 bpf_program__name(bpf_object__next_program(ao, NULL)));
	print_ratios(what, ar, 0);
	snprintf(what, sizeof(what), "xdp-filter -f udp (%s)",
		 bpf_program__name(bpf_object__next_program(uo, NULL)));
	print_ratios(what, ur, 0);
	print_ratios("the first config", rows[0], 1);
	printf("\n");
	print_at_or_below("xdp-filter (default)", ar);
	print_at_or_below("xdp-filter -f udp", ur);
	print_paired();
	if (sess_obj &&
	    sess_bench(nrows, labels, paths, sess_obj, pfd, rounds, repeat))
		return 1;
	bpf_object__close(ao);
	bpf_object__close(uo);
	bpf_object__close(po);
	if (spi && spi_bench(spi, spi_obj, rounds, repeat, spi_frames))
		return 1;
	return 0;
}
