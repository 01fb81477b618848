// SPDX-License-Identifier: GPL-2.0
/*
 * ns per packet by BPF_PROG_TEST_RUN: localin's XDP program over each
 * config given, for five frames of the seed scenario, beside xdp-filter
 * (one port rule: UDP 500 denied) and a bare XDP_PASS program run on the
 * same frames. Medians of ROUNDS runs of REPEAT packets each.
 *
 *	bench -f XDPFILTER.o -p PASS.o [-r REPEAT] [-k ROUNDS] LABEL=CONF...
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../src/cli/pipeline.h"
#include "../../src/dataplane/loader.h"

#define NR_FRAMES 5
#define IFINDEX 1001
#define GW 0xc6336401	/* 198.51.100.1, wan1 */
#define PEER 0xcb00710a /* 203.0.113.10, remote-vpn */
#define DENIED 0x64400030 /* 100.64.0.48: between excluded /28s */
#define SPI_KNOWN 0xc0ffee01

static const char *const frame_names[NR_FRAMES] = {
	"ike-denied", "ike-peer", "not-for-gw", "esp-known", "esp-unknown",
};

struct frame {
	unsigned char b[128];
	__u32 len;
};

static struct frame frames[NR_FRAMES];
static unsigned int repeat = 200000, rounds = 5;

static void put16(unsigned char *p, __u32 v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static void put32(unsigned char *p, __u32 v)
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

/* A plain program (xdp-filter, XDP_PASS) on frame @i: median ns. */
static __u32 bench_prog(int fd, int i)
{
	__u32 v[64];
	unsigned int k;

	for (k = 0; k < rounds; k++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frames[i].b,
			    .data_size_in = frames[i].len, .repeat = repeat);

		if (bpf_prog_test_run_opts(fd, &o))
			return 0;
		v[k] = o.duration;
	}
	return median(v, rounds);
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

/* xdp-filter's deny-UDP variant with its one rule: destination port 500. */
static int load_xdp_filter(const char *path, struct bpf_object **obj)
{
	__u64 flags = (1 << 1) | (1 << 3); /* MAP_FLAG_DST | MAP_FLAG_UDP */
	__u32 port = 500;
	int fd = load_prog(path, obj);
	int map;

	if (fd < 0)
		return fd;
	map = bpf_object__find_map_fd_by_name(*obj, "filter_ports");
	if (map < 0 || bpf_map_update_elem(map, &port, &flags, BPF_ANY)) {
		fprintf(stderr, "bench: cannot set xdp-filter's port rule\n");
		return -1;
	}
	return fd;
}

static int setup(struct li_loader **l, const struct pipeline *p)
{
	static const __u32 gws[] = { 0xc6336401, 0xc6336501, 0xc6336601,
				     0xc6336701 };
	struct li_host_addr a[4] = { 0 };
	struct spi_table sas;
	struct sa_entry e = { .family = 4, .spi = SPI_KNOWN };
	int i, err;

	for (i = 0; i < 4; i++) {
		a[i].family = 4;
		a[i].addr[0] = htonl(gws[i]);
	}
	e.daddr[0] = htonl(GW);
	spi_table_init(&sas);
	err = spi_table_add(&sas, &e);
	if (!err)
		err = li_loader_open_for(l, NULL, false, &p->rs);
	if (!err)
		err = li_loader_set_ruleset(*l, &p->rs);
	if (!err)
		err = li_loader_set_locals(*l, a, 4);
	if (!err)
		err = li_loader_set_sas(*l, &sas);
	if (!err)
		err = li_loader_set_interface(*l, IFINDEX, "wan1");
	spi_table_free(&sas);
	return err;
}

static const char *const reasons[] = { "nonlocal", "policy", "implicit",
				       "esp-ok", "esp-unknown-spi",
				       "malformed" };

static int bench_conf(const char *label, const char *path, __u32 *row)
{
	struct li_loader *l = NULL;
	struct pipeline p;
	struct li_verdict v;
	struct li_pkt pkt;
	__u32 ns[64];
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
	printf("%-14s %6u/%-5u", label, p.rs.v4.src.nr_blocks,
	       p.rs.v4.nr_policies);
	for (i = 0; i < NR_FRAMES; i++) {
		err = li_loader_test_run(l, frames[i].b, frames[i].len, IFINDEX,
					 &pkt, &v);
		for (k = 0; k < rounds && !err; k++)
			err = li_loader_bench(l, frames[i].b, frames[i].len,
					      IFINDEX, repeat, &ns[k]);
		if (err)
			goto out;
		row[i] = median(ns, rounds);
		printf("  %5u %-4s %-9.9s", row[i], v.drop ? "drop" : "pass",
		       v.reason == LI_R_POLICY ? "policy" : reasons[v.reason]);
	}
	printf("\n");
out:
	li_loader_close(l);
	pipeline_free(&p);
	return err;
}

int main(int argc, char **argv)
{
	const char *filt = NULL, *pass = NULL;
	struct bpf_object *fo = NULL, *po = NULL;
	__u32 rows[16][NR_FRAMES], fr[NR_FRAMES], pr[NR_FRAMES];
	int c, i, n = 0, ffd, pfd;

	while ((c = getopt(argc, argv, "f:p:r:k:")) != -1) {
		if (c == 'f')
			filt = optarg;
		else if (c == 'p')
			pass = optarg;
		else if (c == 'r')
			repeat = (unsigned int)strtoul(optarg, NULL, 0);
		else if (c == 'k')
			rounds = (unsigned int)strtoul(optarg, NULL, 0);
	}
	if (!filt || !pass || optind >= argc || rounds > 64 || !rounds) {
		fprintf(stderr, "usage: bench -f XDPFILTER.o -p PASS.o [-r REPEAT] [-k ROUNDS] LABEL=CONF...\n");
		return 2;
	}
	libbpf_set_print(NULL);
	build(&frames[0], DENIED, GW, 0, 0);
	build(&frames[1], PEER, GW, 0, 0);
	build(&frames[2], PEER, 0xc0000263, 0, 0); /* to 192.0.2.99 */
	build(&frames[3], PEER, GW, 1, SPI_KNOWN);
	build(&frames[4], DENIED, GW, 1, 0xdeadbeef);
	ffd = load_xdp_filter(filt, &fo);
	pfd = load_prog(pass, &po);
	if (ffd < 0 || pfd < 0)
		return 1;
	printf("ns per packet, BPF_PROG_TEST_RUN, median of %u x %u runs\n",
	       rounds, repeat);
	printf("%-14s %12s", "config", "blocks/pols");
	for (i = 0; i < NR_FRAMES; i++)
		printf("  %-20s", frame_names[i]);
	printf("\n");
	for (i = 0; i < NR_FRAMES; i++) {
		fr[i] = bench_prog(ffd, i);
		pr[i] = bench_prog(pfd, i);
	}
	printf("%-14s %12s", "xdp-filter", "1 port rule");
	for (i = 0; i < NR_FRAMES; i++)
		printf("  %5u %-14s", fr[i], "");
	printf("\n%-14s %12s", "XDP_PASS", "");
	for (i = 0; i < NR_FRAMES; i++)
		printf("  %5u %-14s", pr[i], "");
	printf("\n");
	for (i = optind; i < argc && n < 16; i++) {
		char *eq = strchr(argv[i], '=');

		if (!eq)
			continue;
		*eq = 0;
		if (bench_conf(argv[i], eq + 1, rows[n]))
			return 1;
		n++;
	}
	printf("\nratios to xdp-filter (same frame):\n");
	for (c = 0; c < n; c++) {
		printf("  row %d:", c + 1);
		for (i = 0; i < NR_FRAMES; i++)
			printf("  %s %.2f", frame_names[i],
			       fr[i] ? (double)rows[c][i] / fr[i] : 0.0);
		printf("\n");
	}
	printf("ratios to the first config (same frame):\n");
	for (c = 1; c < n; c++) {
		printf("  row %d:", c + 1);
		for (i = 0; i < NR_FRAMES; i++)
			printf("  %s %.2f", frame_names[i],
			       rows[0][i] ? (double)rows[c][i] / rows[0][i] : 0.0);
		printf("\n");
	}
	bpf_object__close(fo);
	bpf_object__close(po);
	return 0;
}
