/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What bench.c and spi.c share: the frame buffer and its byte writers, the
 * addresses of the seed scenario, and one loader set up the same way for
 * both (ruleset, local addresses, SAs, interface).
 */
#ifndef LOCALIN_BENCH_XDP_BENCH_H
#define LOCALIN_BENCH_XDP_BENCH_H

#include <linux/types.h>

#include "compile/compile.h"
#include "dataplane/loader.h"
#include "dataplane/spi_table.h"
#include "replay/replay.h"

/*
 * wan1's index in the bench: lo's, which every network namespace has. The
 * timed runs carry it in the context, as a gateway's frames do, where the
 * kernel wants a real device (li_loader_bench); the recorded runs' test
 * metadata would take any number.
 */
#define IFINDEX 1
#define GW 0xc6336401	/* 198.51.100.1, wan1 */
#define PEER 0xcb00710a /* 203.0.113.10, remote-vpn */
#define NR_LOCALS 4	/* GW and three more: 198.51.10[1-3].1 */

extern const __u32 bench_locals[NR_LOCALS]; /* host order, GW first */

struct frame {
	unsigned char b[128];
	__u32 len;
};

/*
 * li_loader_bench() of @f on IFINDEX: *@ns, and the runs' XDP action in
 * *@action if not NULL. run.sh's BASE= builds this against a tree from
 * before sessions, whose li_loader_bench returned no action (and timed
 * its frames with the test metadata): *@action is then ~0u, unchecked.
 */
static inline int bench_time(struct li_loader *l, const struct frame *f,
			     __u32 repeat, __u32 *ns, __u32 *action)
{
#ifdef BENCH_NO_SESS
	if (action)
		*action = ~0u;
	return li_loader_bench(l, f->b, f->len, IFINDEX, repeat, ns);
#else
	return li_loader_bench(l, f->b, f->len, IFINDEX, repeat, ns, action);
#endif
}

void put16(unsigned char *p, __u32 v);
void put32(unsigned char *p, __u32 v);

/*
 * A loader for @rs with the bench's local addresses, the SAs of @sas and
 * interface IFINDEX as wan1; the caller closes it (also on an error).
 */
int bench_open(struct li_loader **l, const struct li_ruleset *rs,
	       const struct spi_table *sas);

/*
 * The SPI check section (spi.c) on the seed-like config at @path, with
 * spi.bpf.o at @obj.
 */
int spi_bench(const char *path, const char *obj, unsigned int rounds,
	      unsigned int repeat, unsigned int nframes);

/*
 * The loaded localin_xdp whose li_ifc_big knows interface @marker (given
 * to its loader only): an fd, or -1 (spi.c).
 */
int bench_find_prog(int marker);

/*
 * What sessions cost (sess.c): the @n configs at @paths, with sess.bpf.o
 * at @obj and the bare XDP_PASS program @pass (to time the wrapper).
 */
int sess_bench(int n, char *const *labels, char *const *paths, const char *obj,
	       int pass, unsigned int rounds, unsigned int repeat);

/*
 * bench -d (dump.c): the maps of the loaded program @prog_fd into
 * directory @dir, for insns.py; a frame into @dir/@name.frame. 0 or a
 * negative errno.
 */
int bench_dump(int prog_fd, const char *dir);
int bench_dump_frame(const char *dir, const char *name, const void *b,
		     __u32 len);

#endif
