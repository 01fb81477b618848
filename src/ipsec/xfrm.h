/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's SA database as an SA source (sa_source.h), over XFRM
 * netlink (libmnl).
 *
 * Non-blocking, driven by the caller's poll loop, no threads. Two netlink
 * sockets: one joined to the groups XFRMNLGRP_SA, XFRMNLGRP_EXPIRE and
 * XFRMNLGRP_MIGRATE (the events), one for the dump of the ESP SAs
 * (XFRM_MSG_GETSA, NLM_F_DUMP), both behind one pollable fd (an epoll
 * set). The groups are joined before the dump is asked for, so no change
 * falls between the two. A dump is reported as SA_EV_SYNC_BEGIN, an
 * SA_EV_ADD for each ESP SA, SA_EV_SYNC_END (at NLMSG_DONE); the events
 * that come in while it runs are held back and reported after its last
 * SA, in the order they came, before SYNC_END (xfrm.c says why that order
 * is right). Then each event is reported as it comes.
 *
 * A dump is made again (a resync) when the kernel says events were lost
 * (ENOBUFS on the event socket), when the SAs were flushed
 * (XFRM_MSG_FLUSHSA: one message for all of them) or migrated
 * (XFRM_MSG_MIGRATE: SAs moved to other addresses without NEWSA/DELSA),
 * and when a dump was interrupted (NLM_F_DUMP_INTR). Any other error (a
 * socket error, the dump refused): SA_EV_DOWN once, both sockets closed,
 * and a retry with a backoff from XFRM_BACKOFF_MIN_MS doubling to
 * XFRM_BACKOFF_MAX_MS (back to the minimum after each complete dump).
 *
 * Times (now_ms) are CLOCK_MONOTONIC in milliseconds.
 */
#ifndef LOCALIN_IPSEC_XFRM_H
#define LOCALIN_IPSEC_XFRM_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/netlink.h>
#include <linux/types.h>

#include "ipsec/retry.h"
#include "ipsec/sa_source.h"

#define XFRM_BACKOFF_MIN_MS SA_RETRY_MIN_MS
#define XFRM_BACKOFF_MAX_MS SA_RETRY_MAX_MS
/* The event socket's receive buffer (SO_RCVBUFFORCE when allowed). */
#define XFRM_EVENT_RCVBUF (4 << 20)
/* Events held back while a dump runs; more is a resync. */
#define XFRM_HELD_MAX 65536

/*
 * XFRMA_SA_DIR and its values (Linux 6.10); older <linux/xfrm.h> lack
 * them. The numbers are uapi.
 */
#define LI_XFRMA_SA_DIR 33
#define LI_XFRM_SA_DIR_IN 1
#define LI_XFRM_SA_DIR_OUT 2

/*
 * One XFRM netlink message (the kernel's layout, nlmsg_len bytes readable
 * at @nlh) into an SA event. Returns 1 and fills *@ev and *@sa; 0 for a
 * message that carries no SA event; -EINVAL for a malformed one (a
 * payload shorter than its struct, an attribute whose length runs past
 * the message or is too short for its type, bytes left after the last
 * attribute).
 *
 *   XFRM_MSG_NEWSA, XFRM_MSG_UPDSA   xfrm_usersa_info: SA_EV_ADD
 *   XFRM_MSG_DELSA                   xfrm_usersa_id, then XFRMA_SA (the
 *                                    whole xfrm_usersa_info, as the kernel
 *                                    notifies) or XFRMA_SRCADDR (as a
 *                                    request has it): SA_EV_DEL
 *   XFRM_MSG_EXPIRE                  xfrm_user_expire: hard: SA_EV_DEL;
 *                                    soft: 0 (the SA lives on)
 *   anything else                    0 (XFRM_MSG_FLUSHSA and _MIGRATE
 *                                    are the source's business)
 *
 * Only ESP SAs are reported: AH, IPComp and the rest give 0. So does an
 * ESP SA that is only an SPI reserved (a larval state from
 * XFRM_MSG_ALLOCSPI or an acquire: SPI 0, or no algorithm at all) when it
 * is added: it carries no traffic until XFRM_MSG_UPDSA fills it in, which
 * is an SA_EV_ADD. A deletion is reported whatever it deletes: a
 * deletion of an SA nobody added changes nothing.
 *
 * The entry: family 4 or 6 (AF_INET, AF_INET6; another family is
 * -EINVAL); daddr = id.daddr and peer = saddr (has_peer = 1; a DELSA
 * with neither XFRMA_SA nor XFRMA_SRCADDR has no peer), network order,
 * IPv4 in word 0 and the rest zero; spi = ntohl(id.spi), the number in
 * the ESP header; reqid; dir from XFRMA_SA_DIR (in, out), SA_DIR_UNKNOWN
 * without it (kernels before 6.10, SAs made without a direction) or for
 * a value we do not know; encap = 1 with XFRMA_ENCAP of type
 * UDP_ENCAP_ESPINUDP (NAT-T, RFC 3948), the ports in host order (other
 * encapsulations, ESP in TCP, leave encap 0); tunnel "": XFRM has no
 * name for it, and a name here would keep the registry from taking
 * charon's (sa_registry.c takes a second source's name only when the
 * first had none). XFRM_MSG_EXPIRE carries no XFRMA_ENCAP.
 */
int xfrm_msg_parse(const struct nlmsghdr *nlh, enum sa_event *ev,
		   struct sa_entry *sa);

struct xfrm_source;

/*
 * Allocate a source, open its sockets, join the groups and ask for the
 * first dump. Returns 0 (*@out set) even when the sockets cannot be
 * opened or bound for now (EPERM without CAP_NET_ADMIN): the source is
 * then down and retries. Returns -ENOMEM, or -EPROTONOSUPPORT when the
 * kernel has no XFRM netlink (CONFIG_XFRM_USER off), or another -errno
 * from epoll_create1(); *@out is NULL then. @fn is called only from
 * xfrm_source_handle(), xfrm_source_tick() and xfrm_source_resync(),
 * never from here (the first SA_EV_SYNC_BEGIN comes with the first
 * handle); it must not call back into the source (close, resync).
 */
int xfrm_source_open(struct xfrm_source **out, sa_event_fn *fn, void *ctx);
void xfrm_source_close(struct xfrm_source *s);

/*
 * The fd to poll for POLLIN: an epoll set of the two sockets, the same
 * for the source's whole life (quiet while the source is down).
 */
int xfrm_source_fd(const struct xfrm_source *s);
/*
 * On POLLIN: every message waiting on both sockets (at most
 * XFRM_READS_PER_HANDLE datagrams per socket per call, so that an event
 * storm cannot hold the caller; what is left keeps the fd readable).
 */
void xfrm_source_handle(struct xfrm_source *s);
#define XFRM_READS_PER_HANDLE 1024
/* The retry after an error, when it is due. */
void xfrm_source_tick(struct xfrm_source *s, __u64 now_ms);
/* ms until xfrm_source_tick() is needed; -1 none (up, or dumping). */
int xfrm_source_timeout_ms(const struct xfrm_source *s, __u64 now_ms);
/* The sockets work and a dump has completed since they were opened. */
bool xfrm_source_up(const struct xfrm_source *s);
/* Dump again now (a dump that is running is dropped and started over). */
void xfrm_source_resync(struct xfrm_source *s);
/*
 * One line for `localin status`: "up, 4 SAs listed, synced 12 s ago",
 * with ", N events since" and ", listing again" when so, and
 * "down: bind: Operation not permitted, retry in 2 s". Returns @buf.
 */
const char *xfrm_source_state(const struct xfrm_source *s, char *buf,
			      size_t size);

struct xfrm_src_stats {
	__u64 dumps;	 /* completed */
	__u64 resyncs;	 /* dumps made again: lost events, flush, migrate */
	__u64 listed;	 /* SAs in the last completed dump */
	__u64 events;	 /* SA events reported since it (not the dump's) */
	__u64 ignored;	 /* messages with no SA event: AH, larval, soft */
	__u64 malformed; /* messages xfrm_msg_parse() refused */
	__u64 lost;	 /* ENOBUFS seen on the event socket */
	__u64 foreign;	 /* messages a process sent us: dropped */
};
void xfrm_source_stats(const struct xfrm_source *s, struct xfrm_src_stats *st);

/*
 * Tests: use @dump_fd and @event_fd (datagram sockets, one end of a
 * socketpair each, or netlink sockets of the test's own) as if the source
 * had just opened them; the sockets it had are closed first (without
 * SA_EV_DOWN), and the dump request is sent on @dump_fd at once. The
 * source owns both fds from then on. A retry after an error opens
 * netlink sockets again.
 */
int xfrm_source_attach(struct xfrm_source *s, int dump_fd, int event_fd);
/* Tests: the event socket's receive buffer, to make the kernel drop. */
int xfrm_source_set_rcvbuf(struct xfrm_source *s, int bytes);

#endif
