// SPDX-License-Identifier: GPL-2.0
/*
 * Capture files as replay reads them (replay/capture.c), for what
 * fuzz_capture found: each case a capture written into a memfd, opened by
 * its /proc path as replay opens a file, every packet checked against
 * capture.h's promises (len >= caplen).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/diag.h"
#include "replay/capture.h"

#define BE32(x) \
	((x) >> 24) & 0xff, ((x) >> 16) & 0xff, ((x) >> 8) & 0xff, (x)&0xff
/* classic pcap, big endian, microseconds, snaplen 65535, link type @lt */
#define PCAP_BE(lt)                                                        \
	0xa1, 0xb2, 0xc3, 0xd4, 0, 2, 0, 4, BE32(0), BE32(0), BE32(65535), \
		BE32(lt)

struct got {
	int err;		 /* capture_open()'s, else capture_next()'s */
	unsigned int n;		 /* packets */
	__u32 caplen[4], len[4]; /* the first ones' */
};

static struct got read_all(const unsigned char *bytes, size_t size)
{
	struct got g = { 0 };
	struct capture_pkt p;
	struct capture *c;
	struct diag_list dl;
	struct arena a;
	char path[64];
	int fd = memfd_create("test_capture", MFD_CLOEXEC), r;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, size), (ssize_t)size);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	arena_init(&a);
	diag_init(&dl, &a);
	g.err = capture_open(path, &c, &dl);
	if (!g.err) {
		while ((r = capture_next(c, &p, &dl)) > 0) {
			assert_true(p.len >= p.caplen);
			if (g.n < 4) {
				g.caplen[g.n] = p.caplen;
				g.len[g.n] = p.len;
			}
			g.n++;
		}
		g.err = r;
		capture_close(c);
	}
	arena_free(&a);
	close(fd);
	return g;
}

/*
 * A record claiming 4 GiB on the wire (0xffffffff) of a link type given
 * an Ethernet header in place of its own: the wire length wrapped to 13
 * bytes, below the 34 captured. It saturates.
 */
static void test_wire_length_saturates(void **state)
{
	static const unsigned char raw[] = {
		PCAP_BE(101), /* raw IP */
		BE32(1),
		BE32(0),
		BE32(20),
		BE32(0xffffffff),
		0x45,
		0,
		0,
		20,
		0,
		0,
		0,
		0,
		64,
		17,
		0,
		0,
		192,
		0,
		2,
		1,
		192,
		0,
		2,
		2,
	};
	static const unsigned char null[] = {
		PCAP_BE(0), /* BSD loopback: a 4-byte header */
		BE32(1),
		BE32(0),
		BE32(24),
		BE32(0xfffffffe),
		0,
		0,
		0,
		2,
		0x45,
		0,
		0,
		20,
		0,
		0,
		0,
		0,
		64,
		17,
		0,
		0,
		192,
		0,
		2,
		1,
		192,
		0,
		2,
		2,
		/* the link header cut short: no frame, the claim alone */
		BE32(1),
		BE32(0),
		BE32(2),
		BE32(0xffffffff),
		0,
		0,
	};
	struct got g;

	(void)state;
	g = read_all(raw, sizeof(raw));
	assert_int_equal(g.err, 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.caplen[0], 34);
	assert_int_equal(g.len[0], 0xffffffffu);

	g = read_all(null, sizeof(null));
	assert_int_equal(g.err, 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.caplen[0], 34);
	assert_int_equal(g.len[0], 0xffffffffu);
	assert_int_equal(g.caplen[1], 0);
	assert_int_equal(g.len[1], 0xffffffffu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire_length_saturates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
