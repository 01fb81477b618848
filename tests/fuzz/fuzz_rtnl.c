// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes as a datagram of rtnetlink messages
 * (links, addresses) through rtnl_parse_buf() (src/daemon/rtnl.c), as
 * the daemon reads its event socket and its dumps: once as events (no
 * sequence number), once as the answer to a dump of sequence 1.
 *
 * Every message handed on must be believable: an ifindex above 0, a
 * terminated name that fits IFNAMSIZ, an address family 4 or 6 with a
 * prefix length that fits it. Any crash, leak, sanitizer report or
 * abort() is a bug; every one found becomes a case in
 * tests/unit/test_rtnl.c.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/rtnl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_rtnl: %s\n", why);
	abort();
}

static int check(void *ctx, const struct rtnl_msg *m)
{
	unsigned int *n = ctx;

	(*n)++;
	if (m->ifindex <= 0)
		fail("ifindex");
	switch (m->kind) {
	case RTNL_NEWLINK:
	case RTNL_DELLINK:
		if (!memchr(m->ifname, '\0', sizeof(m->ifname)))
			fail("link: name not terminated");
		if (!memchr(m->slave_kind, '\0', sizeof(m->slave_kind)))
			fail("link: master's kind not terminated");
		if (m->lower == m->ifindex)
			fail("link: its own lower device");
		break;
	case RTNL_NEWADDR:
	case RTNL_DELADDR:
		if (m->addr.family != 4 && m->addr.family != 6)
			fail("address: family");
		if (m->addr.prefixlen > (m->addr.family == 4 ? 32 : 128))
			fail("address: prefix length");
		if (m->addr.ifindex != m->ifindex)
			fail("address: two interfaces");
		break;
	default:
		fail("kind");
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[RTNL_BUF_SIZE] __attribute__((aligned(8)));
	unsigned int n = 0, bad = 0;
	int r;

	/* As recv() leaves it: in an aligned buffer of the daemon's size. */
	if (size > sizeof(buf))
		size = sizeof(buf);
	memcpy(buf, data, size);
	r = rtnl_parse_buf(buf, size, 0, 0, check, &n, &bad);
	if (r > 1)
		fail("events: a result above 1");
	r = rtnl_parse_buf(buf, size, 1, 4242, check, &n, &bad);
	if (r > 1)
		fail("dump: a result above 1");
	return 0;
}
