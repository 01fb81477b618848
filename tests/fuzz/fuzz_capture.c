// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes as a capture file for `localin replay`
 * through src/replay/capture.c, which reads classic pcap (both byte
 * orders, micro- and nanosecond magic) and pcapng (SHB, IDB with its
 * options, EPB, SPB, OPB, the rest skipped) itself, in place from the
 * mapped file, and hands anything else to libpcap. The bytes go into a
 * memfd, opened by its /proc path as replay opens a file.
 *
 * Every packet must keep capture.h's promises: caplen bytes readable at
 * data (ASan checks, as every byte is touched) and len >= caplen. An
 * error must
 * say so in the diag list. Each packet then goes through the fitter
 * (src/replay/fit.c), which sits between the capture and the matcher: what
 * it hands the host engine and the XDP program must lie in bytes that are
 * there. Any crash, leak, sanitizer report or abort()
 * is a bug; every one found becomes a case in tests/unit/test_capture.c.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "conf/diag.h"
#include "replay/capture.h"
#include "replay/fit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_capture: %s\n", why);
	abort();
}

/* The fitter's frames, read whole (ASan checks every byte is there). */
static void fit(const struct capture_pkt *p)
{
	static struct fitter f;
	struct fit out;
	unsigned int sum = 0;

	if (!f.zeros && fitter_init(&f))
		fail("fitter_init");
	if (fit_record(&f, p, &out) != FIT_OK)
		return;
	if (out.xdp_len > out.len || out.xdp_len > f.limit)
		fail("fit: the program shown more than the frame");
	for (__u32 i = 0; i < out.len; i++)
		sum += out.frame[i];
	for (__u32 i = 0; i < out.xdp_len; i++)
		sum += out.xdp[i];
	fit_restore(&out, &out.pkt);
	(void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct capture *c = NULL;
	struct capture_pkt p;
	struct diag_list dl;
	struct arena a;
	unsigned int sum = 0, n = 0;
	char path[64];
	int fd, r;

	fd = memfd_create("fuzz_capture", MFD_CLOEXEC);
	if (fd < 0)
		fail("memfd_create");
	if (size && write(fd, data, size) != (ssize_t)size)
		fail("write to the memfd");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	arena_init(&a);
	diag_init(&dl, &a);
	r = capture_open(path, &c, &dl);
	if (r && !dl.errors)
		fail("open: refused without an error");
	while (!r && (r = capture_next(c, &p, &dl)) > 0) {
		if (p.len < p.caplen)
			fail("packet: wire length below captured length");
		for (__u32 i = 0; i < p.caplen; i++)
			sum += p.data[i];
		if (p.ifname && !memchr(p.ifname, '\0', strlen(p.ifname) + 1))
			fail("packet: interface name not terminated");
		fit(&p);
		if (++n > size)
			fail("more packets than bytes");
		r = 0;
	}
	if (r < 0 && !dl.errors)
		fail("next: an error without a message");
	if (c)
		capture_close(c);
	arena_free(&a);
	close(fd);
	(void)sum;
	return 0;
}
