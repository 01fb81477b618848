// SPDX-License-Identifier: GPL-2.0
/*
 * The VICI SA source against a real charon (tests/lab/vici.sh): open a
 * source on a socket and print one line per SA event for N seconds.
 *
 *	sa_watch PATH SECONDS
 *
 *	sync begin
 *	add in 198.51.100.1 spi c1a2b3c4 peer 203.0.113.10 tunnel lab encap 4500 reqid 1
 *	add out 203.0.113.10 spi c0ffee01 peer 198.51.100.1 tunnel lab encap 4500 reqid 1
 *	sync end
 *	del in 198.51.100.1 spi c1a2b3c4 peer 203.0.113.10 tunnel lab encap 4500 reqid 1
 *	down: charon closed the connection, retry in 1 s
 *
 * "encap P" gives the SA's UDP destination port, "encap S:P" both when
 * they differ. SIGUSR1 asks for a listing (vici_source_resync()); SIGTERM
 * or SIGINT end it early; it ends with a "state:" line
 * (vici_source_state()).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ipsec/vici.h"

static volatile sig_atomic_t stop, resync;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		resync = 1;
	else
		stop = 1;
}

static __u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000 + (__u64)ts.tv_nsec / 1000000;
}

static void on_sa(void *ctx, enum sa_event ev, const struct sa_entry *sa)
{
	static const char *const evs[] = { "add", "del" };
	struct vici_source **s = ctx;
	char dst[INET6_ADDRSTRLEN], peer[INET6_ADDRSTRLEN], enc[24] = "";
	char st[200];
	int af;

	switch (ev) {
	case SA_EV_SYNC_BEGIN:
		printf("sync begin\n");
		break;
	case SA_EV_SYNC_END:
		printf("sync end\n");
		break;
	case SA_EV_DOWN:
		printf("down: %s\n", vici_source_state(*s, st, sizeof(st)) + 6);
		break;
	case SA_EV_ADD:
	case SA_EV_DEL:
		af = sa->family == 6 ? AF_INET6 : AF_INET;
		inet_ntop(af, sa->daddr, dst, sizeof(dst));
		inet_ntop(af, sa->peer, peer, sizeof(peer));
		if (sa->encap && sa->encap_sport != sa->encap_dport)
			snprintf(enc, sizeof(enc), " encap %u:%u",
				 sa->encap_sport, sa->encap_dport);
		else if (sa->encap)
			snprintf(enc, sizeof(enc), " encap %u",
				 sa->encap_dport);
		printf("%s %s %s spi %08x peer %s tunnel %s%s reqid %u\n",
		       evs[ev], sa->dir == SA_DIR_IN ? "in" : "out", dst,
		       sa->spi, sa->has_peer ? peer : "-",
		       sa->tunnel[0] ? sa->tunnel : "-", enc, sa->reqid);
		break;
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct vici_source *s = NULL;
	char st[200];
	__u64 end;
	int err;

	if (argc != 3 || atoi(argv[2]) <= 0) {
		fprintf(stderr, "usage: sa_watch PATH SECONDS\n");
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGUSR1, on_signal);
	signal(SIGPIPE, SIG_IGN);
	err = vici_source_open(&s, argv[1], on_sa, &s);
	if (err) {
		fprintf(stderr, "sa_watch: %s: %s\n", argv[1], strerror(-err));
		return 1;
	}
	end = now_ms() + (__u64)atoi(argv[2]) * 1000;
	while (!stop && now_ms() < end) {
		struct pollfd p;
		__u64 left = end - now_ms();
		int t = vici_source_timeout_ms(s, now_ms());

		if (resync) {
			resync = 0;
			vici_source_resync(s);
		}
		p = (struct pollfd){ .fd = vici_source_fd(s),
				     .events = vici_source_events(s) };
		/* 200 ms at most: a signal between the check and poll() */
		if (left > 200)
			left = 200;
		if (t < 0 || (__u64)t > left)
			t = (int)left;
		if (poll(&p, p.fd >= 0 ? 1 : 0, t) > 0)
			vici_source_handle(s, p.revents);
		vici_source_tick(s, now_ms());
	}
	printf("state: %s\n", vici_source_state(s, st, sizeof(st)));
	vici_source_close(s);
	return 0;
}
