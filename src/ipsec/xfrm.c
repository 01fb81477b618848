// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's SAs over XFRM netlink (xfrm.h): the messages into SA
 * events, and the source: an event socket joined to the groups, a dump
 * socket for the listings, both behind one epoll fd; plain request/response
 * loops after strongSwan's kernel_netlink, as rtnl.c does for rtnetlink.
 *
 * Why the events that come during a dump are reported after its last SA
 * (and before SYNC_END), in the order they came, and that is right:
 *
 * The groups are joined before the dump is asked for, so every change
 * made after the dump starts comes as an event, and every change made
 * before it is in the kernel's table when the dump reads it. The kernel
 * builds a dump piece by piece, as we read it: each SA is listed as it is
 * when its piece is built, and a change made before that is in it. The
 * events of one socket come in the order the kernel made them. Take one
 * SA (family, destination, SPI). If no event about it came since the
 * dump was asked for, the dump listed it as it is (or did not list it,
 * and it does not exist). Otherwise the last of its held events says what
 * it is now: added (or updated) or deleted; replaying its events in order
 * after the dump ends with that one, whatever the dump said and whenever
 * its piece was built, and an event the dump already showed only repeats
 * it (an ADD of an SA we have is an update with the same values, a DEL
 * of an SA we do not have changes nothing). Applied as they come instead,
 * a DELSA could come before the piece that still lists that SA, and the
 * dump would bring back a deleted SA until the next resync.
 *
 * Before SYNC_END rather than after: an SA added during the dump that the
 * dump did not list is reported before the registry sweeps what was not
 * reported since SYNC_BEGIN, so it never leaves the live set (it would
 * pass through the grace period and come back otherwise). A DEL before
 * SYNC_END deletes as well as after it.
 *
 * Events are lost only where the kernel says so (ENOBUFS): a lost event
 * cannot be replayed, so the dump is made again, and the held events are
 * dropped with it (what they said is in the new dump). A dump that was
 * running is read to its end and its remaining SAs dropped (the kernel
 * runs one dump at a time per socket), then the new one is asked for.
 */
#include "ipsec/xfrm.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/ipsec.h>
#include <linux/udp.h>
#include <linux/xfrm.h>

#include "ipsec/retry.h"
#include "util/nlmsg.h"

#ifdef XFRM_SA_DIR_IN
_Static_assert(XFRMA_SA_DIR == LI_XFRMA_SA_DIR, "XFRMA_SA_DIR is 33");
_Static_assert(XFRM_SA_DIR_IN == LI_XFRM_SA_DIR_IN &&
		       XFRM_SA_DIR_OUT == LI_XFRM_SA_DIR_OUT,
	       "XFRM_SA_DIR_IN/OUT are 1/2");
#endif

/*
 * A dump piece is at most about 32 KiB (netlink_dump() sizes it by the
 * reader's buffer, capped there); an event is far smaller.
 */
#define XFRM_BUF_SIZE 65536

/* --- the messages ------------------------------------------------------------ */

struct xattrs {
	const struct nlattr *a[LI_XFRMA_SA_DIR + 1];
};

/*
 * The attributes after a fixed header of @hdrlen bytes: each must lie
 * whole inside the message, and nothing but attributes may follow the
 * header. The last one of a type wins.
 */
static int attrs_parse(const struct nlmsghdr *nlh, size_t hdrlen,
		       struct xattrs *at)
{
	const char *end = (const char *)nlh + nlh->nlmsg_len;
	const char *p;

	memset(at, 0, sizeof(*at));
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN ||
	    mnl_nlmsg_get_payload_len(nlh) < hdrlen)
		return -EINVAL;
	p = (const char *)mnl_nlmsg_get_payload(nlh) + MNL_ALIGN(hdrlen);
	while (p < end) {
		const struct nlattr *a = (const struct nlattr *)p;
		__u16 type;

		if (!mnl_attr_ok(a, (int)(end - p)))
			return -EINVAL;
		type = mnl_attr_get_type(a);
		if (type < sizeof(at->a) / sizeof(at->a[0]))
			at->a[type] = a;
		/* the last one's padding may be cut: p then passes end */
		p += MNL_ALIGN(a->nla_len);
	}
	return 0;
}

/* The attributes we read are long enough for what we read of them. */
static int attrs_check(const struct xattrs *at)
{
	static const struct {
		unsigned int type;
		size_t min;
	} want[] = {
		{ XFRMA_ENCAP, sizeof(struct xfrm_encap_tmpl) },
		{ XFRMA_SA, sizeof(struct xfrm_usersa_info) },
		{ XFRMA_SRCADDR, sizeof(xfrm_address_t) },
		{ LI_XFRMA_SA_DIR, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct nlattr *a = at->a[want[i].type];

		if (a && mnl_attr_get_payload_len(a) < want[i].min)
			return -EINVAL;
	}
	return 0;
}

static int family_of(__u16 af)
{
	return af == AF_INET ? 4 : af == AF_INET6 ? 6 : 0;
}

/* IPv4 in word 0, the rest zero, whatever the kernel left there. */
static void addr_copy(__u32 *dst, const xfrm_address_t *src, int family)
{
	memset(dst, 0, 16);
	memcpy(dst, src, family == 6 ? 16 : 4);
}

/* family, daddr, spi, peer, reqid; -EINVAL for a family we cannot have. */
static int from_info(struct sa_entry *sa, const struct xfrm_usersa_info *p)
{
	int family = family_of(p->family);

	if (!family)
		return -EINVAL;
	sa->family = (__u8)family;
	addr_copy(sa->daddr, &p->id.daddr, family);
	sa->spi = ntohl(p->id.spi);
	addr_copy(sa->peer, &p->saddr, family);
	sa->has_peer = 1;
	sa->reqid = p->reqid;
	return 0;
}

/* dir and encap, from the attributes that say them. */
static void from_attrs(struct sa_entry *sa, const struct xattrs *at)
{
	const struct nlattr *a = at->a[LI_XFRMA_SA_DIR];

	if (a) {
		__u8 dir = mnl_attr_get_u8(a);

		sa->dir = dir == LI_XFRM_SA_DIR_IN  ? SA_DIR_IN :
			  dir == LI_XFRM_SA_DIR_OUT ? SA_DIR_OUT :
						      SA_DIR_UNKNOWN;
	}
	a = at->a[XFRMA_ENCAP];
	if (a) {
		struct xfrm_encap_tmpl e;

		memcpy(&e, mnl_attr_get_payload(a), sizeof(e));
		if (e.encap_type == UDP_ENCAP_ESPINUDP) {
			sa->encap = 1;
			sa->encap_sport = ntohs(e.encap_sport);
			sa->encap_dport = ntohs(e.encap_dport);
		}
	}
}

/*
 * Only an SPI reserved (XFRM_MSG_ALLOCSPI, an acquire): the kernel
 * refuses an ESP SA without one of these (verify_newsa_info()).
 */
static bool larval(const struct xattrs *at)
{
	return !at->a[XFRMA_ALG_CRYPT] && !at->a[XFRMA_ALG_AEAD] &&
	       !at->a[XFRMA_ALG_AUTH] && !at->a[XFRMA_ALG_AUTH_TRUNC];
}

/*
 * The structs are copied out: inside a buffer of several messages, or in
 * XFRMA_SA, they are 4-aligned only, and xfrm_usersa_info wants 8.
 */
static int parse_add(const struct nlmsghdr *nlh, enum sa_event *ev,
		     struct sa_entry *sa)
{
	struct xfrm_usersa_info info;
	struct xattrs at;
	int err;

	err = attrs_parse(nlh, sizeof(info), &at) ?: attrs_check(&at);
	if (err)
		return err;
	memcpy(&info, mnl_nlmsg_get_payload(nlh), sizeof(info));
	if (info.id.proto != IPPROTO_ESP)
		return 0;
	err = from_info(sa, &info);
	if (err)
		return err;
	if (!sa->spi || larval(&at))
		return 0;
	from_attrs(sa, &at);
	*ev = SA_EV_ADD;
	return 1;
}

static int parse_del(const struct nlmsghdr *nlh, enum sa_event *ev,
		     struct sa_entry *sa)
{
	struct xfrm_usersa_info info;
	struct xfrm_usersa_id id;
	struct xattrs at;
	int family, err;

	err = attrs_parse(nlh, sizeof(id), &at) ?: attrs_check(&at);
	if (err)
		return err;
	memcpy(&id, mnl_nlmsg_get_payload(nlh), sizeof(id));
	if (id.proto != IPPROTO_ESP)
		return 0;
	family = family_of(id.family);
	if (!family)
		return -EINVAL;
	sa->family = (__u8)family;
	addr_copy(sa->daddr, &id.daddr, family);
	sa->spi = ntohl(id.spi);
	if (at.a[XFRMA_SA]) {
		/* The kernel's notification: the whole SA as it was. */
		memcpy(&info, mnl_attr_get_payload(at.a[XFRMA_SA]),
		       sizeof(info));
		addr_copy(sa->peer, &info.saddr, family);
		sa->has_peer = 1;
		sa->reqid = info.reqid;
	} else if (at.a[XFRMA_SRCADDR]) {
		xfrm_address_t src;

		memcpy(&src, mnl_attr_get_payload(at.a[XFRMA_SRCADDR]),
		       sizeof(src));
		addr_copy(sa->peer, &src, family);
		sa->has_peer = 1;
	}
	if (!sa->spi)
		return 0;
	from_attrs(sa, &at);
	*ev = SA_EV_DEL;
	return 1;
}

static int parse_expire(const struct nlmsghdr *nlh, enum sa_event *ev,
			struct sa_entry *sa)
{
	struct xfrm_user_expire ue;
	struct xattrs at;
	int err;

	err = attrs_parse(nlh, sizeof(ue), &at) ?: attrs_check(&at);
	if (err)
		return err;
	memcpy(&ue, mnl_nlmsg_get_payload(nlh), sizeof(ue));
	if (ue.state.id.proto != IPPROTO_ESP)
		return 0;
	err = from_info(sa, &ue.state);
	if (err)
		return err;
	/* Soft: the SA still carries traffic while charon rekeys it. */
	if (!ue.hard || !sa->spi)
		return 0;
	from_attrs(sa, &at);
	*ev = SA_EV_DEL;
	return 1;
}

int xfrm_msg_parse(const struct nlmsghdr *nlh, enum sa_event *ev,
		   struct sa_entry *sa)
{
	int ret;

	memset(sa, 0, sizeof(*sa));
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN)
		return -EINVAL;
	switch (nlh->nlmsg_type) {
	case XFRM_MSG_NEWSA:
	case XFRM_MSG_UPDSA:
		ret = parse_add(nlh, ev, sa);
		break;
	case XFRM_MSG_DELSA:
		ret = parse_del(nlh, ev, sa);
		break;
	case XFRM_MSG_EXPIRE:
		ret = parse_expire(nlh, ev, sa);
		break;
	default:
		return 0;
	}
	if (ret != 1)
		memset(sa, 0, sizeof(*sa));
	return ret;
}

/* --- the source ----------------------------------------------------------- */

struct held {
	enum sa_event ev;
	struct sa_entry sa;
};

struct xfrm_source {
	sa_event_fn *fn;
	void *ctx;
	int epfd;
	int dump_fd, ev_fd; /* -1 while down */
	__u32 portid;	    /* the dump socket's; 0 unknown (attached) */
	__u32 seq;	    /* of the dump asked for last */

	bool dumping;	 /* our dump request is being answered */
	bool begin_due;	 /* its SYNC_BEGIN is not reported yet */
	bool discarding; /* it is dropped: another follows its end */
	bool again;	 /* dump again after it (NLM_F_DUMP_INTR) */
	bool synced;	 /* a dump completed since the sockets opened */
	__u64 in_dump;	 /* SAs it listed so far */

	struct held *held; /* events that came during the dump */
	size_t nr_held, cap_held;

	unsigned char *buf;
	__u64 synced_ms;
	struct sa_retry retry; /* down: when to try again */
	char err[160];	       /* why it is down */
	struct xfrm_src_stats st;
};

static void emit(struct xfrm_source *s, enum sa_event ev,
		 const struct sa_entry *sa)
{
	if (s->fn)
		s->fn(s->ctx, ev, sa);
}

static void set_err(struct xfrm_source *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_err(struct xfrm_source *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
}

static void close_fd(struct xfrm_source *s, int *fd)
{
	if (*fd < 0)
		return;
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, *fd, NULL);
	close(*fd);
	*fd = -1;
}

static void close_socks(struct xfrm_source *s)
{
	close_fd(s, &s->dump_fd);
	close_fd(s, &s->ev_fd);
	s->portid = 0;
	s->dumping = false;
	s->begin_due = false;
	s->discarding = false;
	s->again = false;
	s->synced = false;
	s->nr_held = 0;
}

/* An error we cannot read past: SA_EV_DOWN once, and a retry later. */
static void fail(struct xfrm_source *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail(struct xfrm_source *s, const char *fmt, ...)
{
	va_list ap;

	if (s->ev_fd < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	close_socks(s);
	sa_retry_later(&s->retry);
	emit(s, SA_EV_DOWN, NULL);
}

static int watch(struct xfrm_source *s, int fd)
{
	struct epoll_event e = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &e) ? -errno : 0;
}

/*
 * The two sockets. -errno, with s->err saying which step failed; nothing
 * is left open then.
 */
static int open_socks(struct xfrm_source *s)
{
	static const int groups[] = { XFRMNLGRP_SA, XFRMNLGRP_EXPIRE,
				      XFRMNLGRP_MIGRATE };
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t len = sizeof(sa);
	int rcvbuf = XFRM_EVENT_RCVBUF, err;
	const char *step;
	size_t i;

	step = "socket";
	s->ev_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			  NETLINK_XFRM);
	if (s->ev_fd < 0)
		goto fail;
	/* Best effort: FORCE needs CAP_NET_ADMIN, the plain one is capped. */
	if (setsockopt(s->ev_fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)))
		setsockopt(s->ev_fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
			   sizeof(rcvbuf));
	step = "bind";
	if (bind(s->ev_fd, (struct sockaddr *)&sa, sizeof(sa)))
		goto fail;
	/* Needs CAP_NET_ADMIN: XFRM does not let others listen. */
	step = "joining the XFRM groups";
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (setsockopt(s->ev_fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
			       &groups[i], sizeof(groups[i])))
			goto fail;
	step = "socket";
	s->dump_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    NETLINK_XFRM);
	if (s->dump_fd < 0)
		goto fail;
	step = "bind";
	if (bind(s->dump_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(s->dump_fd, (struct sockaddr *)&sa, &len))
		goto fail;
	s->portid = sa.nl_pid;
	step = "epoll";
	err = watch(s, s->ev_fd) ?: watch(s, s->dump_fd);
	if (err) {
		errno = -err;
		goto fail;
	}
	return 0;
fail:
	err = errno ? -errno : -EIO;
	set_err(s, "%s: %s", step, strerror(-err));
	close_socks(s);
	return err;
}

/* Ask for a dump of the ESP SAs; SYNC_BEGIN comes with its first piece. */
static void send_dump(struct xfrm_source *s)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(s->buf);

	nlh->nlmsg_type = XFRM_MSG_GETSA;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++s->seq;
	/* xfrm_dump_sa() reads its attributes right after the header. */
	mnl_attr_put_u8(nlh, XFRMA_PROTO, IPPROTO_ESP);
	if (send(s->dump_fd, nlh, nlh->nlmsg_len, MSG_DONTWAIT) < 0) {
		fail(s, "asking for the SAs: %s", strerror(errno));
		return;
	}
	s->dumping = true;
	s->begin_due = true;
	s->discarding = false;
	s->again = false;
	s->in_dump = 0;
	s->nr_held = 0;
}

static void begin(struct xfrm_source *s)
{
	if (!s->begin_due)
		return;
	s->begin_due = false;
	emit(s, SA_EV_SYNC_BEGIN, NULL);
}

/* The events since the last dump are not to be trusted: list again. */
static void resync(struct xfrm_source *s)
{
	if (s->ev_fd < 0)
		return;
	if (s->dumping) {
		/* One dump at a time on a socket: this one runs out first. */
		if (!s->discarding)
			s->st.resyncs++;
		s->discarding = true;
		s->nr_held = 0;
		return;
	}
	s->st.resyncs++;
	send_dump(s);
}

static void dump_done(struct xfrm_source *s)
{
	size_t i;

	if (s->discarding) {
		send_dump(s);
		return;
	}
	begin(s);
	/* See the top of the file. */
	for (i = 0; i < s->nr_held; i++)
		emit(s, s->held[i].ev, &s->held[i].sa);
	s->st.events = s->nr_held;
	s->nr_held = 0;
	s->dumping = false;
	s->synced = true;
	s->synced_ms = sa_mono_ms();
	sa_retry_reset(&s->retry);
	s->err[0] = '\0';
	s->st.dumps++;
	s->st.listed = s->in_dump;
	emit(s, SA_EV_SYNC_END, NULL);
	if (s->again)
		resync(s);
}

static void hold(struct xfrm_source *s, enum sa_event ev,
		 const struct sa_entry *sa)
{
	if (s->discarding)
		return; /* the next dump has it */
	if (s->nr_held == s->cap_held) {
		size_t cap = s->cap_held ? s->cap_held * 2 : 64;
		struct held *h = NULL;

		if (cap > XFRM_HELD_MAX)
			cap = XFRM_HELD_MAX;
		if (cap > s->cap_held)
			h = realloc(s->held, cap * sizeof(*h));
		if (!h) {
			resync(s); /* too many, or no memory: list again */
			return;
		}
		s->held = h;
		s->cap_held = cap;
	}
	s->held[s->nr_held].ev = ev;
	s->held[s->nr_held].sa = *sa;
	s->nr_held++;
}

/* A message on the dump socket. */
static void on_dump_msg(struct xfrm_source *s, const struct nlmsghdr *nlh)
{
	struct sa_entry sa;
	enum sa_event ev;
	int ret;

	/* The answer to an earlier request, or to someone else. */
	if (!s->dumping || nlh->nlmsg_seq != s->seq ||
	    (s->portid && nlh->nlmsg_pid && nlh->nlmsg_pid != s->portid))
		return;
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		s->again = true;
	switch (nlh->nlmsg_type) {
	case NLMSG_NOOP:
	case NLMSG_OVERRUN:
		return;
	case NLMSG_ERROR: {
		const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
			fail(s, "listing the SAs: a short error message");
			return;
		}
		if (e->error) /* 0 is an ack */
			fail(s, "listing the SAs: %s",
			     strerror(nlmsg_errno(e->error)));
		return;
	}
	case NLMSG_DONE: {
		int err = 0;

		/* A dump that failed half-way says so here. */
		if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(err))
			memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
		if (err < 0)
			fail(s, "listing the SAs: %s",
			     strerror(nlmsg_errno(err)));
		else
			dump_done(s);
		return;
	}
	}
	if (s->discarding)
		return;
	begin(s);
	ret = xfrm_msg_parse(nlh, &ev, &sa);
	if (ret < 0) {
		s->st.malformed++;
	} else if (!ret || ev != SA_EV_ADD) {
		s->st.ignored++;
	} else {
		s->in_dump++;
		emit(s, ev, &sa);
	}
}

/* A message on the event socket. */
static void on_event_msg(struct xfrm_source *s, const struct nlmsghdr *nlh)
{
	struct sa_entry sa;
	enum sa_event ev;
	int ret;

	switch (nlh->nlmsg_type) {
	case XFRM_MSG_FLUSHSA: {
		__u8 proto;

		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(proto)) {
			s->st.malformed++;
			return;
		}
		/* xfrm_id_proto_match(): 0 and IPSEC_PROTO_ANY take ESP. */
		proto = *(const __u8 *)mnl_nlmsg_get_payload(nlh);
		if (proto == 0 || proto == IPPROTO_ESP ||
		    proto == IPSEC_PROTO_ANY)
			resync(s);
		else
			s->st.ignored++;
		return;
	}
	case XFRM_MSG_MIGRATE:
		resync(s);
		return;
	}
	ret = xfrm_msg_parse(nlh, &ev, &sa);
	if (ret < 0) {
		s->st.malformed++;
		return;
	}
	if (!ret) {
		s->st.ignored++;
		return;
	}
	if (s->dumping) {
		hold(s, ev, &sa);
		return;
	}
	s->st.events++;
	emit(s, ev, &sa);
}

/*
 * Up to @budget datagrams from one socket, each message of each handled.
 * Returns how many were read; the socket may be closed on return.
 */
static unsigned int read_sock(struct xfrm_source *s, bool dump,
			      unsigned int budget)
{
	unsigned int n;

	for (n = 0; n < budget; n++) {
		int fd = dump ? s->dump_fd : s->ev_fd;
		struct sockaddr_nl from;
		struct iovec iov = { s->buf, XFRM_BUF_SIZE };
		struct msghdr msg = { .msg_name = &from,
				      .msg_namelen = sizeof(from),
				      .msg_iov = &iov,
				      .msg_iovlen = 1 };
		const struct nlmsghdr *nlh;
		ssize_t len;
		int left;

		if (fd < 0)
			break;
		memset(&from, 0, sizeof(from));
		len = recvmsg(fd, &msg, MSG_DONTWAIT);
		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (len < 0 && errno == ENOBUFS && !dump) {
			/* The kernel dropped events for us: list again. */
			s->st.lost++;
			resync(s);
			continue;
		}
		if (len < 0) {
			fail(s, "%s: %s", dump ? "listing the SAs" : "events",
			     strerror(errno));
			break;
		}
		if (!len) {
			fail(s, "%s: the socket was closed",
			     dump ? "listing the SAs" : "events");
			break;
		}
		if (msg.msg_flags & MSG_TRUNC) {
			if (!dump) {
				s->st.lost++;
				resync(s);
				continue;
			}
			fail(s, "listing the SAs: a message of over %d bytes",
			     XFRM_BUF_SIZE);
			break;
		}
		/* Only the kernel speaks to us (a socketpair has no name). */
		if (msg.msg_namelen >= sizeof(from) &&
		    from.nl_family == AF_NETLINK && from.nl_pid) {
			s->st.foreign++;
			continue;
		}
		left = (int)len;
		for (nlh = (const struct nlmsghdr *)s->buf;
		     nlmsg_whole(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			if (dump)
				on_dump_msg(s, nlh);
			else
				on_event_msg(s, nlh);
			if (s->ev_fd < 0)
				return n + 1;
		}
		if (left > 0)
			s->st.malformed++; /* a cut message at the end */
	}
	return n;
}

void xfrm_source_handle(struct xfrm_source *s)
{
	unsigned int dump_budget = XFRM_READS_PER_HANDLE;
	unsigned int ev_budget = XFRM_READS_PER_HANDLE;
	unsigned int a, b;

	/*
	 * Until both are quiet: reading the events may ask for a dump, and
	 * the end of a dump may ask for another.
	 */
	while (s->ev_fd >= 0 && (dump_budget || ev_budget)) {
		a = read_sock(s, true, dump_budget);
		dump_budget -= a;
		b = read_sock(s, false, ev_budget);
		ev_budget -= b;
		if (!a && !b)
			break;
	}
	/* A dump that lists nothing still reports its SYNC_BEGIN at once. */
	if (s->ev_fd >= 0 && s->dumping && !s->discarding)
		begin(s);
}

static int try_open(struct xfrm_source *s)
{
	int err = open_socks(s);

	if (err) {
		sa_retry_later(&s->retry);
		return err;
	}
	s->err[0] = '\0';
	send_dump(s);
	return 0;
}

int xfrm_source_open(struct xfrm_source **out, sa_event_fn *fn, void *ctx)
{
	struct xfrm_source *s;
	int err;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->dump_fd = s->ev_fd = -1;
	sa_retry_reset(&s->retry);
	s->seq = (__u32)time(NULL);
	s->buf = malloc(XFRM_BUF_SIZE);
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!s->buf || s->epfd < 0) {
		err = s->buf ? -errno : -ENOMEM;
		if (s->epfd >= 0)
			close(s->epfd);
		free(s->buf);
		free(s);
		return err;
	}
	err = try_open(s);
	if (err == -EPROTONOSUPPORT || err == -EAFNOSUPPORT) {
		/* No XFRM netlink in this kernel: no use retrying. */
		close(s->epfd);
		free(s->buf);
		free(s);
		return -EPROTONOSUPPORT;
	}
	/* Only now: nothing from here is reported. */
	s->fn = fn;
	s->ctx = ctx;
	*out = s;
	return 0;
}

void xfrm_source_close(struct xfrm_source *s)
{
	if (!s)
		return;
	close_socks(s);
	close(s->epfd);
	free(s->held);
	free(s->buf);
	free(s);
}

int xfrm_source_fd(const struct xfrm_source *s)
{
	return s->epfd;
}

void xfrm_source_tick(struct xfrm_source *s, __u64 now_ms)
{
	if (s->ev_fd < 0 && now_ms >= s->retry.next_ms)
		try_open(s);
}

int xfrm_source_timeout_ms(const struct xfrm_source *s, __u64 now_ms)
{
	if (s->ev_fd >= 0)
		return -1;
	if (s->retry.next_ms <= now_ms)
		return 0;
	return s->retry.next_ms - now_ms > INT_MAX ?
		       INT_MAX :
		       (int)(s->retry.next_ms - now_ms);
}

bool xfrm_source_up(const struct xfrm_source *s)
{
	return s->ev_fd >= 0 && s->synced;
}

void xfrm_source_resync(struct xfrm_source *s)
{
	resync(s);
}

const char *xfrm_source_state(const struct xfrm_source *s, char *buf,
			      size_t size)
{
	__u64 now = sa_mono_ms();
	int n;

	if (!size)
		return buf;
	if (s->ev_fd < 0) {
		__u64 in = s->retry.next_ms > now ? s->retry.next_ms - now : 0;

		snprintf(buf, size, "down: %s, retry in %llu s",
			 s->err[0] ? s->err : "not open",
			 (unsigned long long)(in + 999) / 1000);
		return buf;
	}
	if (!s->synced) {
		snprintf(buf, size, "open, listing the SAs");
		return buf;
	}
	n = snprintf(buf, size, "up, %llu SAs listed, synced %llu s ago",
		     (unsigned long long)s->st.listed,
		     (unsigned long long)(now - s->synced_ms) / 1000);
	if (n >= 0 && (size_t)n < size && s->st.events)
		n += snprintf(buf + n, size - (size_t)n, ", %llu events since",
			      (unsigned long long)s->st.events);
	if (n >= 0 && (size_t)n < size && s->st.malformed)
		n += snprintf(buf + n, size - (size_t)n,
			      ", %llu malformed messages ignored",
			      (unsigned long long)s->st.malformed);
	if (n >= 0 && (size_t)n < size && s->st.foreign)
		n += snprintf(buf + n, size - (size_t)n,
			      ", %llu messages from processes dropped",
			      (unsigned long long)s->st.foreign);
	if (n >= 0 && (size_t)n < size && s->dumping)
		snprintf(buf + n, size - (size_t)n, ", listing again");
	return buf;
}

void xfrm_source_stats(const struct xfrm_source *s, struct xfrm_src_stats *st)
{
	*st = s->st;
}

int xfrm_source_attach(struct xfrm_source *s, int dump_fd, int event_fd)
{
	int fds[2] = { dump_fd, event_fd }, i, fl, err;

	for (i = 0; i < 2; i++) {
		fl = fcntl(fds[i], F_GETFL);
		if (fl < 0 || fcntl(fds[i], F_SETFL, fl | O_NONBLOCK))
			return -errno;
	}
	close_socks(s);
	s->dump_fd = dump_fd;
	s->ev_fd = event_fd;
	err = watch(s, dump_fd) ?: watch(s, event_fd);
	if (err) {
		close_socks(s);
		return err;
	}
	s->err[0] = '\0';
	send_dump(s);
	return s->ev_fd >= 0 ? 0 : -EIO;
}

int xfrm_source_set_rcvbuf(struct xfrm_source *s, int bytes)
{
	if (s->ev_fd < 0)
		return -ENOTCONN;
	return setsockopt(s->ev_fd, SOL_SOCKET, SO_RCVBUF, &bytes,
			  sizeof(bytes)) ?
		       -errno :
		       0;
}
