/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtnetlink, plainly (libmnl): dump the interfaces and addresses, then
 * follow RTM_NEWLINK/RTM_DELLINK/RTM_NEWADDR/RTM_DELADDR. Two sockets, as
 * strongSwan's kernel_netlink does: one subscribed to the event groups,
 * one for request/dump round trips, so a dump's answer never interleaves
 * with events.
 *
 * Resynchronisation: open (subscribe) first, then dump, then apply the
 * queued events in order; every message is idempotent, so the state
 * converges. When the event socket overflows (-ENOBUFS) events are lost:
 * the caller drains what is queued and dumps everything again.
 */
#ifndef LOCALIN_DAEMON_RTNL_H
#define LOCALIN_DAEMON_RTNL_H

#include <stddef.h>

#include <linux/netlink.h>

#include "daemon/locals.h"
#include "util/nlmsg.h"

#define RTNL_IFNAMSIZ 16
/* Dump answers come in skbs of up to 32 KiB on large-page systems. */
#define RTNL_BUF_SIZE 32768

enum rtnl_kind {
	RTNL_NEWLINK,
	RTNL_DELLINK,
	RTNL_NEWADDR,
	RTNL_DELADDR,
};

/* A master's kind (IFLA_INFO_SLAVE_KIND): "bridge", "bond", "vrf", ... */
#define RTNL_KINDSIZ 16

/*
 * One parsed message. Links: ifindex, flags, type, ifname, master and its
 * kind. Addresses: addr.
 */
struct rtnl_msg {
	enum rtnl_kind kind;
	int ifindex;
	unsigned int flags;	    /* links: IFF_* */
	unsigned short type;	    /* links: ARPHRD_* */
	char ifname[RTNL_IFNAMSIZ]; /* links: "" when the message has none */
	int master;		    /* links: IFLA_MASTER's ifindex, 0 none */
	/*
	 * links: IFLA_LINK's ifindex in this namespace (a VLAN's or
	 * macvlan's lower device), 0 none or another namespace's (a veth's
	 * peer)
	 */
	int lower;
	/* links: the master's kind, "" when it has none or there is none */
	char slave_kind[RTNL_KINDSIZ];
	/* links: its own kind (IFLA_INFO_KIND: "macvlan", "veth"...), "" none */
	char link_kind[RTNL_KINDSIZ];
	/* links: its Ethernet address (IFLA_ADDRESS of 6 bytes), has_mac */
	unsigned char mac[6];
	bool has_mac;
	/*
	 * links, RTM_DELLINK: the device went to another network namespace
	 * (IFLA_NEW_NETNSID), where its ifindex is new_ifindex
	 * (IFLA_NEW_IFINDEX; 0 when not said: the same, if free there)
	 */
	bool moved;
	int new_ifindex;
	struct local_addr addr; /* addresses */
};

/* Called for each message that parsed; 0 or a negative errno (stops). */
typedef int (*rtnl_fn)(void *ctx, const struct rtnl_msg *m);

/*
 * One message: 0; -ENOENT for one we do not follow (other types, bridge
 * port notifications, address families other than IPv4/IPv6); -EINVAL
 * for a malformed one.
 */
int rtnl_parse(const struct nlmsghdr *nlh, struct rtnl_msg *m);

/*
 * Every message of a received buffer through rtnl_parse() to @fn (a dump
 * answer: only those of @seq/@portid when non-zero; others are skipped,
 * as stale answers to an earlier request). 1: more to come,
 * 0: NLMSG_DONE seen, -EAGAIN: a dump was interrupted by a change
 * (NLM_F_DUMP_INTR; dump again), else the negative errno of
 * an NLMSG_ERROR or of @fn. Messages we do not follow are skipped;
 * *@bad (if not NULL) counts malformed ones.
 */
int rtnl_parse_buf(const void *buf, size_t len, unsigned int seq,
		   unsigned int portid, rtnl_fn fn, void *ctx,
		   unsigned int *bad);

struct mnl_socket;

struct rtnl {
	struct mnl_socket *ev;	/* RTMGRP_LINK, IPv4 and IPv6 addresses */
	struct mnl_socket *req; /* dumps */
	unsigned int seq;
	unsigned int bad; /* malformed messages seen */
	/* Messages a process sent to either socket: not read. */
	struct nlmsg_foreign foreign;
	char *buf; /* RTNL_BUF_SIZE bytes */
};

int rtnl_open(struct rtnl *r);
void rtnl_close(struct rtnl *r);
/* The event socket's fd, for poll(). */
int rtnl_event_fd(const struct rtnl *r);

enum rtnl_dump {
	RTNL_DUMP_LINKS,
	RTNL_DUMP_ADDRS, /* IPv4 and IPv6 */
};

/* A whole dump to @fn: 0, -EAGAIN (interrupted: dump again) or -errno. */
int rtnl_dump(struct rtnl *r, enum rtnl_dump what, rtnl_fn fn, void *ctx);

/*
 * Every event queued on the event socket to @fn, without blocking: 0,
 * -ENOBUFS (events were lost: resynchronise), or a negative errno.
 */
int rtnl_read_events(struct rtnl *r, rtnl_fn fn, void *ctx);

#endif
