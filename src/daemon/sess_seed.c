// SPDX-License-Identifier: GPL-2.0
/*
 * The gateway's own connections as sessions, at a start whose session
 * table is new: the first start, a `systemctl restart` (stop, start), a
 * start over another build's pins (an upgrade, a downgrade). The egress
 * program records a connection of the gateway's at its next packet out,
 * but one whose remote speaks next (an idle BGP or SSH session, a
 * download waiting for its server) sent nothing since the table was made:
 * under a deny-all its remote's packets met the policies and were dropped,
 * and so were their retransmissions, until the connection died.
 *
 * So the kernel's sockets of this network namespace (NETLINK_SOCK_DIAG)
 * are read before the program is attached: every TCP connection and
 * connected UDP socket that the gateway opened (not one a listener of
 * its accepted, which the policies judge again at its next packet, as
 * after a reload) goes into the table as the egress program would have
 * put it, opened by the gateway.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>

#include <libmnl/libmnl.h>

#include "daemon/internal.h"
#include "util/nlmsg.h"

/* The kernel's TCP states (include/net/tcp_states.h). */
enum {
	ST_ESTABLISHED = 1,
	ST_SYN_SENT = 2,
	ST_FIN_WAIT1 = 4,
	ST_FIN_WAIT2 = 5,
	ST_CLOSE_WAIT = 8,
	ST_LAST_ACK = 9,
	ST_LISTEN = 10,
	ST_CLOSING = 11,
};

struct seed_sock {
	__u8 family; /* 4 or 6 */
	__u8 proto;
	__u8 state;
	__u16 lport, rport; /* host order */
	__u32 l[4], r[4];   /* network order */
};

struct seed_list {
	struct seed_sock *s;
	size_t nr, cap;
	size_t servers; /* after servers_first(): s[0..servers) are those */
	int err;
};

static bool is_v4_mapped(const __u32 a[4])
{
	return !a[0] && !a[1] && a[2] == htonl(0xffff);
}

static bool is_any(const struct seed_sock *s)
{
	return !s->l[0] && !s->l[1] && !s->l[2] && !s->l[3];
}

static bool is_loopback(__u8 family, const __u32 a[4])
{
	if (family == 4)
		return (ntohl(a[0]) >> 24) == 127;
	return !a[0] && !a[1] && !a[2] && a[3] == htonl(1);
}

static int on_msg(const struct nlmsghdr *nlh, void *data)
{
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	struct seed_list *list = data;
	struct seed_sock s = { 0 }, *grown;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return MNL_CB_OK;
	s.family = m->idiag_family == AF_INET ? 4 : 6;
	s.state = m->idiag_state;
	s.lport = ntohs(m->id.idiag_sport);
	s.rport = ntohs(m->id.idiag_dport);
	memcpy(s.l, m->id.idiag_src, sizeof(s.l));
	memcpy(s.r, m->id.idiag_dst, sizeof(s.r));
	/* An IPv6 socket talking IPv4 (::ffff:a.b.c.d): its packets are v4. */
	if (s.family == 6 && is_v4_mapped(s.l) &&
	    (is_v4_mapped(s.r) || s.state == ST_LISTEN || !s.rport)) {
		s.family = 4;
		s.l[0] = s.l[3];
		s.r[0] = s.r[3];
		s.l[1] = s.l[2] = s.l[3] = s.r[1] = s.r[2] = s.r[3] = 0;
	}
	if (s.family == 4)
		s.l[1] = s.l[2] = s.l[3] = s.r[1] = s.r[2] = s.r[3] = 0;
	if (list->nr == list->cap) {
		size_t cap = list->cap ? 2 * list->cap : 256;

		grown = realloc(list->s, cap * sizeof(*grown));
		if (!grown) {
			list->err = -ENOMEM;
			return MNL_CB_ERROR;
		}
		list->s = grown;
		list->cap = cap;
	}
	list->s[list->nr++] = s;
	return MNL_CB_OK;
}

/* Every socket of @family and @proto into @list (proto set on each). */
static int dump(struct mnl_socket *nl, char *buf, size_t size, __u8 family,
		__u8 proto, struct seed_list *list,
		struct nlmsg_foreign *foreign)
{
	unsigned int seq = (unsigned int)time(NULL) ^ family ^ proto << 8,
		     portid = mnl_socket_get_portid(nl);
	struct inet_diag_req_v2 *req;
	struct nlmsghdr *nlh;
	size_t first = list->nr, i;
	ssize_t n;
	int ret;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = family == 4 ? AF_INET : AF_INET6;
	req->sdiag_protocol = proto;
	req->idiag_states = ~0u;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = nlmsg_recv_kernel(mnl_socket_get_fd(nl), buf, size, 0,
				      foreign);
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(buf, (size_t)n, seq, portid, on_msg, list);
	} while (ret > MNL_CB_STOP);
	if (list->err)
		return list->err;
	if (ret < 0)
		return -errno;
	for (i = first; i < list->nr; i++)
		list->s[i].proto = proto;
	return 0;
}

/* A socket waiting for others' connections (TCP) or datagrams (UDP). */
static bool is_server(const struct seed_sock *s)
{
	return s->proto == IPPROTO_TCP ? s->state == ST_LISTEN : !s->rport;
}

static int servers_before(const void *a, const void *b)
{
	return (int)is_server(b) - (int)is_server(a);
}

/*
 * The listeners ahead of the rest, so that each connection is compared
 * with those few: a gateway with 100k connections would otherwise compare
 * every pair of them.
 */
static void servers_first(struct seed_list *list)
{
	if (list->nr)
		qsort(list->s, list->nr, sizeof(*list->s), servers_before);
	for (list->servers = 0;
	     list->servers < list->nr && is_server(&list->s[list->servers]);
	     list->servers++)
		;
}

/* Did a server socket of the same port and address (or any) accept @c? */
static bool accepted(const struct seed_list *list, const struct seed_sock *c)
{
	size_t i;

	for (i = 0; i < list->servers; i++) {
		const struct seed_sock *s = &list->s[i];

		if (is_server(s) && s->proto == c->proto &&
		    s->lport == c->lport &&
		    (is_any(s) || (s->family == c->family &&
				   !memcmp(s->l, c->l, sizeof(s->l)))))
			return true;
	}
	return false;
}

/* The session of the gateway's connection @c, as the egress opens it. */
static int put(struct daemon *d, const struct seed_sock *c, __u64 now)
{
	struct li_sess_key k = { 0 };
	struct li_sess s = { 0 };

	k.hdr = li_sess_key_hdr(c->family, c->proto, c->lport, c->rport);
	li_sess_key_set_addrs(&k, c->l, c->r);
	s.first_ns = now;
	s.last_ns = now;
	s.policy_idx = -1;
	s.origin = LI_SESS_OUT;
	s.pkts[LI_DIR_OUT] = 1;
	/* What the kernel's state says each side did (session.h timers). */
	if (c->proto == IPPROTO_UDP || c->state != ST_SYN_SENT)
		s.pkts[LI_DIR_IN] = 1;
	if (c->state == ST_FIN_WAIT1 || c->state == ST_FIN_WAIT2 ||
	    c->state == ST_LAST_ACK || c->state == ST_CLOSING)
		s.tcp |= LI_SESS_FIN_OUT;
	if (c->state == ST_CLOSE_WAIT || c->state == ST_LAST_ACK ||
	    c->state == ST_CLOSING)
		s.tcp |= LI_SESS_FIN_IN;
	s.id = li_loader_sess_id(d->l);
	if (!s.id)
		s.id = 1;
	return li_loader_sess_put_back(d->l, &k, &s);
}

/* A TCP connection that still carries packets (not TIME_WAIT, CLOSE). */
static bool tcp_open(__u8 state)
{
	switch (state) {
	case ST_ESTABLISHED:
	case ST_SYN_SENT:
	case ST_FIN_WAIT1:
	case ST_FIN_WAIT2:
	case ST_CLOSE_WAIT:
	case ST_LAST_ACK:
	case ST_CLOSING:
		return true;
	}
	return false;
}

static bool wanted(const struct seed_list *list, const struct seed_sock *c)
{
	if (is_server(c) || !c->rport || is_any(c) ||
	    is_loopback(c->family, c->l) || is_loopback(c->family, c->r))
		return false;
	if (c->proto == IPPROTO_TCP && !tcp_open(c->state))
		return false;
	return !accepted(list, c);
}

int sessions_seed(struct daemon *d)
{
	static const __u8 protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	struct seed_list list = { 0 };
	struct nlmsg_foreign foreign = { 0 };
	struct mnl_socket *nl;
	size_t size = MNL_SOCKET_BUFFER_SIZE, i;
	__u64 now = li_sess_clock_ns();
	char *buf = malloc(size);
	int err = 0, n = 0, f, p;

	nl = buf ? mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC) : NULL;
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID))
		err = buf ? -errno : -ENOMEM;
	for (f = 4; !err && f <= 6; f += 2)
		for (p = 0; !err && p < 2; p++)
			err = dump(nl, buf, size, (__u8)f, protos[p], &list,
				   &foreign);
	if (!err)
		servers_first(&list);
	for (i = 0; !err && i < list.nr; i++) {
		if (!wanted(&list, &list.s[i]))
			continue;
		/* -EEXIST: a socket of each family had the same tuple */
		err = put(d, &list.s[i], now);
		if (err == -EEXIST)
			err = 0;
		else if (!err)
			n++;
	}
	if (nl)
		mnl_socket_close(nl);
	free(buf);
	free(list.s);
	if (foreign.n)
		daemon_msg(
			"reading the gateway's own connections: dropped %llu netlink messages a process sent (port %u), not the kernel",
			foreign.n, foreign.port);
	return err ? err : n;
}
