// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes as what the kernel's XFRM netlink
 * says to the daemon (src/ipsec/xfrm.c), its SA source for the ESP SPIs.
 *
 * The input is a series of datagrams, each "LL S bytes": LL its length
 * (2 bytes, little endian, counting S), S which socket it comes on (even:
 * the dump's, odd: the events'). Each datagram's messages go through
 * xfrm_msg_parse() as the source walks them (mnl_nlmsg_ok), then the
 * datagram goes to the source itself over socketpairs, as the unit tests'
 * fake kernel does; the messages of a dump datagram get the sequence
 * number of the source's request, so that they are read, not dropped as
 * someone else's.
 *
 * Every SA reported must be believable (family 4 or 6, an SPI, a known
 * direction); any crash, leak, sanitizer report or abort() is a bug; every
 * one found becomes a case in tests/unit/test_xfrm.c.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipsec/xfrm.h"
#include "util/nlmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DGRAM_MAX 8192

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_xfrm: %s\n", why);
	abort();
}

static void check_sa(enum sa_event ev, const struct sa_entry *sa)
{
	if (ev != SA_EV_ADD && ev != SA_EV_DEL)
		fail("SA: event");
	if (sa->family != 4 && sa->family != 6)
		fail("SA: family");
	if (!sa->spi)
		fail("SA: SPI 0");
	if (sa->dir != SA_DIR_IN && sa->dir != SA_DIR_OUT &&
	    sa->dir != SA_DIR_UNKNOWN)
		fail("SA: direction");
	if (!sa->encap && (sa->encap_sport || sa->encap_dport))
		fail("SA: ports without encapsulation");
}

static void on_sa(void *ctx, enum sa_event ev, const struct sa_entry *sa)
{
	if (sa)
		check_sa(ev, sa);
	else if (ev == SA_EV_ADD || ev == SA_EV_DEL)
		fail("ADD or DEL without an SA");
}

/* Each message of @buf through the parser, as read_sock() walks them. */
static void parse_all(void *buf, size_t len, __u32 seq, bool set_seq)
{
	struct nlmsghdr *nlh;
	struct sa_entry sa;
	enum sa_event ev;
	int left = (int)len;

	for (nlh = buf; nlmsg_whole(nlh, left);
	     nlh = mnl_nlmsg_next(nlh, &left)) {
		if (set_seq)
			nlh->nlmsg_seq = seq;
		if (xfrm_msg_parse(nlh, &ev, &sa) == 1)
			check_sa(ev, &sa);
	}
}

static __u32 request_seq(int fd)
{
	unsigned char buf[512] __attribute__((aligned(8)));
	const struct nlmsghdr *nlh = (const void *)buf;
	__u32 seq = 0;
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		if ((size_t)n >= sizeof(*nlh))
			seq = nlh->nlmsg_seq;
	return seq;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char buf[DGRAM_MAX] __attribute__((aligned(8)));
	struct xfrm_source *s;
	int dp[2], ep[2], i;
	__u32 seq;

	if (xfrm_source_open(&s, on_sa, NULL))
		return 0; /* no XFRM netlink here: nothing to try */
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, dp) ||
	    socketpair(AF_UNIX, SOCK_DGRAM, 0, ep))
		fail("socketpair");
	if (xfrm_source_attach(s, dp[0], ep[0]))
		fail("attach");
	seq = request_seq(dp[1]);
	while (size >= 3 && xfrm_source_fd(s) >= 0) {
		size_t len = (size_t)(data[0] | data[1] << 8);
		bool dump = !(data[2] & 1);

		if (!len)
			len = 1;
		len -= 1;
		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		if (len > sizeof(buf))
			len = sizeof(buf);
		memcpy(buf, data, len);
		data += len;
		size -= len;
		parse_all(buf, len, seq, dump);
		/* It closed them (a fatal message): it is down, and done. */
		if (send(dump ? dp[1] : ep[1], buf, len, MSG_DONTWAIT) !=
		    (ssize_t)len)
			break;
		for (i = 0; i < 4; i++)
			xfrm_source_handle(s);
		seq = request_seq(dp[1]) ?: seq;
	}
	xfrm_source_close(s);
	close(dp[1]);
	close(ep[1]);
	return 0;
}
