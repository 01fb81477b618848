// SPDX-License-Identifier: GPL-2.0
/*
 * rtnetlink with libmnl (rtnl.h): request/dump loops and the event
 * switch, after strongSwan's kernel_netlink, as plain functions.
 */
#include "daemon/rtnl.h"

#include <errno.h>
#include <stdint.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "util/nlmsg.h"

/* Room for a burst of events (an interface with many addresses going). */
#define RTNL_EVENT_RCVBUF (4 << 20)

struct attrs {
	const struct nlattr
		*tb[IFLA_MAX > IFA_MAX ? IFLA_MAX + 1 : IFA_MAX + 1];
	unsigned int max;
};

static int attr_cb(const struct nlattr *a, void *data)
{
	struct attrs *at = data;
	unsigned int type = mnl_attr_get_type(a);

	if (type <= at->max)
		at->tb[type] = a;
	return MNL_CB_OK;
}

/* A kind attribute's string into @out (RTNL_KINDSIZ), "" when too long. */
static void put_kind(const struct nlattr *k, char *out)
{
	size_t len;

	if (!k)
		return;
	len = strnlen(mnl_attr_get_payload(k), mnl_attr_get_payload_len(k));
	if (len < RTNL_KINDSIZ)
		memcpy(out, mnl_attr_get_payload(k), len);
}

/*
 * The kind of the master of a port (IFLA_LINKINFO's IFLA_INFO_SLAVE_KIND,
 * the master's rtnl_link_ops kind): "bridge" and "bond" say its frames go
 * up to the master; "vrf" says they stay on the port. And the device's
 * own kind (IFLA_INFO_KIND): a "macvlan" takes its frames off its lower
 * device. "" when absent.
 */
static void parse_kinds(const struct nlattr *info, struct rtnl_msg *m)
{
	struct attrs at = { .max = IFLA_INFO_MAX };

	if (mnl_attr_parse_nested(info, attr_cb, &at) != MNL_CB_OK)
		return;
	if (m->master)
		put_kind(at.tb[IFLA_INFO_SLAVE_KIND], m->slave_kind);
	put_kind(at.tb[IFLA_INFO_KIND], m->link_kind);
}

static int parse_link(const struct nlmsghdr *nlh, struct rtnl_msg *m)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct attrs at = { .max = IFLA_MAX };
	const struct nlattr *name;
	size_t len;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi))
		return -EINVAL;
	/*
	 * AF_BRIDGE messages are about bridge ports: a port leaving its
	 * bridge sends RTM_DELLINK while the device lives on.
	 */
	if (ifi->ifi_family != AF_UNSPEC)
		return -ENOENT;
	if (ifi->ifi_index <= 0)
		return -EINVAL;
	if (mnl_attr_parse(nlh, sizeof(*ifi), attr_cb, &at) != MNL_CB_OK)
		return -EINVAL;
	m->ifindex = ifi->ifi_index;
	m->flags = ifi->ifi_flags;
	m->type = ifi->ifi_type;
	name = at.tb[IFLA_IFNAME];
	if (name) {
		len = strnlen(mnl_attr_get_payload(name),
			      mnl_attr_get_payload_len(name));
		if (!len || len >= RTNL_IFNAMSIZ)
			return -EINVAL;
		memcpy(m->ifname, mnl_attr_get_payload(name), len);
	}
	if (at.tb[IFLA_MASTER] &&
	    mnl_attr_get_payload_len(at.tb[IFLA_MASTER]) >= sizeof(__u32))
		m->master = (int)mnl_attr_get_u32(at.tb[IFLA_MASTER]);
	if (at.tb[IFLA_LINK] && !at.tb[IFLA_LINK_NETNSID] &&
	    mnl_attr_get_payload_len(at.tb[IFLA_LINK]) >= sizeof(__u32) &&
	    (int)mnl_attr_get_u32(at.tb[IFLA_LINK]) != m->ifindex)
		m->lower = (int)mnl_attr_get_u32(at.tb[IFLA_LINK]);
	if (at.tb[IFLA_LINKINFO])
		parse_kinds(at.tb[IFLA_LINKINFO], m);
	if (at.tb[IFLA_ADDRESS] &&
	    mnl_attr_get_payload_len(at.tb[IFLA_ADDRESS]) == sizeof(m->mac)) {
		memcpy(m->mac, mnl_attr_get_payload(at.tb[IFLA_ADDRESS]),
		       sizeof(m->mac));
		m->has_mac = true;
	}
	m->moved = at.tb[IFLA_NEW_NETNSID] != NULL;
	if (at.tb[IFLA_NEW_IFINDEX] &&
	    mnl_attr_get_payload_len(at.tb[IFLA_NEW_IFINDEX]) >= sizeof(__u32))
		m->new_ifindex = (int)mnl_attr_get_u32(at.tb[IFLA_NEW_IFINDEX]);
	return 0;
}

static int parse_addr(const struct nlmsghdr *nlh, struct rtnl_msg *m)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct attrs at = { .max = IFA_MAX };
	const struct nlattr *a;
	size_t alen;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		return -EINVAL;
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return -ENOENT;
	if (mnl_attr_parse(nlh, sizeof(*ifa), attr_cb, &at) != MNL_CB_OK)
		return -EINVAL;
	alen = ifa->ifa_family == AF_INET ? 4 : 16;
	/*
	 * IFA_LOCAL is our end; IFA_ADDRESS is the peer on point-to-point
	 * links and equal to IFA_LOCAL (or alone, for IPv6) otherwise.
	 */
	a = at.tb[IFA_LOCAL] ?: at.tb[IFA_ADDRESS];
	if (!a || mnl_attr_get_payload_len(a) != alen ||
	    ifa->ifa_prefixlen > alen * 8 || !ifa->ifa_index ||
	    ifa->ifa_index > (unsigned int)INT32_MAX)
		return -EINVAL;
	m->ifindex = (int)ifa->ifa_index;
	m->addr.ifindex = m->ifindex;
	m->addr.family = ifa->ifa_family == AF_INET ? 4 : 6;
	m->addr.prefixlen = ifa->ifa_prefixlen;
	memcpy(m->addr.addr, mnl_attr_get_payload(a), alen);
	return 0;
}

int rtnl_parse(const struct nlmsghdr *nlh, struct rtnl_msg *m)
{
	memset(m, 0, sizeof(*m));
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
		m->kind = RTNL_NEWLINK;
		return parse_link(nlh, m);
	case RTM_DELLINK:
		m->kind = RTNL_DELLINK;
		return parse_link(nlh, m);
	case RTM_NEWADDR:
		m->kind = RTNL_NEWADDR;
		return parse_addr(nlh, m);
	case RTM_DELADDR:
		m->kind = RTNL_DELADDR;
		return parse_addr(nlh, m);
	default:
		return -ENOENT;
	}
}

struct walk {
	rtnl_fn fn;
	void *ctx;
	unsigned int *bad;
	bool interrupted; /* NLM_F_DUMP_INTR */
};

/*
 * One received buffer, message by message (strongSwan's NLMSG_OK /
 * NLMSG_NEXT loop): 1 more to come, 0 NLMSG_DONE, or a negative errno.
 * Answers to other requests (a stale dump) are skipped.
 */
static int walk_buf(struct walk *w, const void *buf, size_t len,
		    unsigned int seq, unsigned int portid)
{
	const struct nlmsghdr *nlh = buf;
	const struct nlmsgerr *e;
	int left = len > INT32_MAX ? INT32_MAX : (int)len, err;
	struct rtnl_msg m;

	for (; nlmsg_whole(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		if ((seq && nlh->nlmsg_seq != seq) ||
		    (portid && nlh->nlmsg_pid && nlh->nlmsg_pid != portid))
			continue;
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			w->interrupted = true;
		switch (nlh->nlmsg_type) {
		case NLMSG_DONE:
			return 0;
		case NLMSG_ERROR:
			e = mnl_nlmsg_get_payload(nlh);
			if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
				return -EBADMSG;
			/* Subsystems differ in the sign; 0 is an ack. */
			return -nlmsg_errno(e->error);
		case NLMSG_NOOP:
		case NLMSG_OVERRUN:
			continue;
		}
		err = rtnl_parse(nlh, &m);
		if (err == -EINVAL && w->bad)
			(*w->bad)++;
		if (err)
			continue;
		err = w->fn(w->ctx, &m);
		if (err)
			return err;
	}
	return 1;
}

int rtnl_parse_buf(const void *buf, size_t len, unsigned int seq,
		   unsigned int portid, rtnl_fn fn, void *ctx,
		   unsigned int *bad)
{
	struct walk w = { .fn = fn, .ctx = ctx, .bad = bad };
	int ret = walk_buf(&w, buf, len, seq, portid);

	return ret >= 0 && w.interrupted ? -EAGAIN : ret;
}

int rtnl_open(struct rtnl *r)
{
	unsigned int groups =
		RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
	int rcvbuf = RTNL_EVENT_RCVBUF, err;

	memset(r, 0, sizeof(*r));
	r->seq = (unsigned int)time(NULL);
	r->buf = malloc(RTNL_BUF_SIZE);
	if (!r->buf)
		return -ENOMEM;
	r->ev = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	r->req = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!r->ev || !r->req)
		goto fail;
	/* Best effort: FORCE needs CAP_NET_ADMIN, the plain one is capped. */
	if (setsockopt(mnl_socket_get_fd(r->ev), SOL_SOCKET, SO_RCVBUFFORCE,
		       &rcvbuf, sizeof(rcvbuf)))
		setsockopt(mnl_socket_get_fd(r->ev), SOL_SOCKET, SO_RCVBUF,
			   &rcvbuf, sizeof(rcvbuf));
	if (mnl_socket_bind(r->ev, groups, MNL_SOCKET_AUTOPID) ||
	    mnl_socket_bind(r->req, 0, MNL_SOCKET_AUTOPID))
		goto fail;
	return 0;
fail:
	err = errno ? -errno : -EIO;
	rtnl_close(r);
	return err;
}

void rtnl_close(struct rtnl *r)
{
	if (r->ev)
		mnl_socket_close(r->ev);
	if (r->req)
		mnl_socket_close(r->req);
	r->ev = r->req = NULL;
	free(r->buf);
	r->buf = NULL;
}

int rtnl_event_fd(const struct rtnl *r)
{
	return mnl_socket_get_fd(r->ev);
}

int rtnl_dump(struct rtnl *r, enum rtnl_dump what, rtnl_fn fn, void *ctx)
{
	struct walk w = { .fn = fn, .ctx = ctx, .bad = &r->bad };
	unsigned int seq = ++r->seq, portid = mnl_socket_get_portid(r->req);
	struct nlmsghdr *nlh;
	ssize_t n;
	int ret;

	/* What an earlier dump that failed half-way left unread. */
	while (recv(mnl_socket_get_fd(r->req), r->buf, RTNL_BUF_SIZE,
		    MSG_DONTWAIT) > 0)
		;
	nlh = mnl_nlmsg_put_header(r->buf);
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	if (what == RTNL_DUMP_LINKS) {
		struct ifinfomsg *ifi;

		nlh->nlmsg_type = RTM_GETLINK;
		ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
		ifi->ifi_family = AF_UNSPEC;
	} else {
		struct ifaddrmsg *ifa;

		nlh->nlmsg_type = RTM_GETADDR;
		ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
		ifa->ifa_family = AF_UNSPEC;
	}
	if (mnl_socket_sendto(r->req, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = nlmsg_recv_kernel(mnl_socket_get_fd(r->req), r->buf,
				      RTNL_BUF_SIZE, 0, &r->foreign);
		if (n < 0)
			return -errno;
		ret = walk_buf(&w, r->buf, (size_t)n, seq, portid);
	} while (ret == 1);
	if (ret < 0)
		return ret;
	return w.interrupted ? -EAGAIN : 0;
}

int rtnl_read_events(struct rtnl *r, rtnl_fn fn, void *ctx)
{
	struct walk w = { .fn = fn, .ctx = ctx, .bad = &r->bad };
	bool lost = false;
	ssize_t n;
	int ret;

	for (;;) {
		n = nlmsg_recv_kernel(mnl_socket_get_fd(r->ev), r->buf,
				      RTNL_BUF_SIZE, 0, &r->foreign);
		if (n < 0 && errno == ENOBUFS) {
			lost = true;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		ret = walk_buf(&w, r->buf, (size_t)n, 0, 0);
		if (ret < 0)
			return ret;
	}
	return lost ? -ENOBUFS : 0;
}
