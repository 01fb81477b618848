// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes as an Ethernet frame through li_parse().
 * ASan guards the reads (libFuzzer hands over an exact-size copy), and the
 * result must pass pkt_check(): believable fields, every claim backed by
 * bytes that were there. Once the IP header was judged whole, bytes after
 * the frame must change nothing (the parser stops at the L3 end). Every
 * crash found becomes a case in tests/unit/test_parse.c.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/pkt_invariants.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *why, size_t size)
{
	fprintf(stderr, "fuzz_packet: %s (frame of %zu bytes)\n", why, size);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t none[1];
	struct li_pkt p, again;
	const char *why;
	uint8_t *padded;

	if (!size)
		data = none; /* a valid pointer for an empty frame */
	li_parse(data, data + size, &p);
	why = pkt_check(data, size, &p);
	if (why)
		fail(why, size);
	li_parse(data, data + size, &again);
	if (memcmp(&p, &again, sizeof(p)))
		fail("two parses differ", size);

	switch (p.malformed) {
	case LI_MAL_L2:
	case LI_MAL_IP_TRUNC:
	case LI_MAL_IP_HDRLEN:
	case LI_MAL_IP_LEN:
		return 0; /* more bytes may well change these */
	}
	padded = malloc(size + 64);
	if (!padded)
		return 0;
	memcpy(padded, data, size);
	memset(padded + size, 0xff, 64);
	li_parse(padded, padded + size + 64, &again);
	free(padded);
	if (memcmp(&p, &again, sizeof(p)))
		fail("bytes after the frame changed the parse", size);
	return 0;
}
