// SPDX-License-Identifier: GPL-2.0
/*
 * charon over VICI as an SA source (vici.h): the connection's state
 * machine, and charon's messages (list-sa, child-updown, child-rekey,
 * ike-updown, ike-rekey) into SA events.
 */
#include "ipsec/vici.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ipsec/retry.h"
#include "ipsec/vici_wire.h"

/* A whole segment and its length field fit: nothing larger is accepted. */
#define IN_MAX (4 + VICI_MAX_SEGMENT)
#define READ_CHUNK 65536
#define READS_PER_HANDLE 8
#define QUEUE_MAX 8

/* An ike-update we cannot apply: the SAs listed again this much later. */
#define UPDATE_RESYNC_MS 1000

/* The events registered for; a charon without an optional one is fine. */
static const struct {
	const char *name;
	bool optional;
} events[] = {
	{ "child-updown", false }, { "child-rekey", false },
	{ "ike-updown", false },   { "ike-rekey", false },
	{ "list-sa", false },	   { "ike-update", true },
};
#define NR_EVENTS (sizeof(events) / sizeof(events[0]))

struct request {
	__u8 type; /* VICI_EVENT_REGISTER or VICI_CMD_REQUEST */
	bool optional;
	const char *name;
};

/* The SAs one CHILD_SA brought, to delete them when it goes down. */
struct child {
	__u32 ike_id, child_id;
	struct sa_entry in, out;
	bool seen; /* listed since SYNC_BEGIN */
};

struct vici_source {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	sa_event_fn *fn;
	void *ctx;
	int fd;

	struct vici_buf out;
	unsigned char *in;
	size_t in_len, in_cap;

	struct request queue[QUEUE_MAX]; /* not yet sent */
	unsigned int q_nr;
	struct request cur; /* in flight when cur.name */
	__u64 deadline_ms;  /* for its reply */
	bool listing;	    /* between SYNC_BEGIN and SYNC_END */
	bool synced;	    /* a listing completed on this connection */
	bool resync_wanted;
	__u64 resync_at_ms; /* a resync later (ike-update), 0 none */

	__u64 synced_ms;       /* the last SYNC_END */
	struct sa_retry retry; /* down: when to try again */
	char err[320];	       /* why it is down (a path in it) */

	struct child *children;
	size_t nr_children, cap_children;
};

static void emit(struct vici_source *s, enum sa_event ev,
		 const struct sa_entry *sa)
{
	if (s->fn)
		s->fn(s->ctx, ev, sa);
}

/* --- the CHILD_SAs we know --------------------------------------------------- */

static struct child *child_find(struct vici_source *s, __u32 child_id)
{
	size_t i;

	for (i = 0; i < s->nr_children; i++)
		if (s->children[i].child_id == child_id)
			return &s->children[i];
	return NULL;
}

static void child_forget(struct vici_source *s, struct child *c)
{
	*c = s->children[--s->nr_children];
}

static void child_remember(struct vici_source *s, __u32 ike_id, __u32 child_id,
			   const struct sa_entry *in,
			   const struct sa_entry *out)
{
	struct child *c;

	if (!child_id)
		return; /* nothing to find it by: a resync deletes it */
	c = child_find(s, child_id);
	if (!c) {
		if (s->nr_children == s->cap_children) {
			size_t cap = s->cap_children ? s->cap_children * 2 : 16;

			c = realloc(s->children, cap * sizeof(*c));
			if (!c) {
				s->resync_wanted = true;
				return;
			}
			s->children = c;
			s->cap_children = cap;
		}
		c = &s->children[s->nr_children++];
	}
	c->ike_id = ike_id;
	c->child_id = child_id;
	c->in = *in;
	c->out = *out;
	c->seen = true;
}

/* A listing starts: what it does not list is gone when it ends. */
static void children_unseen(struct vici_source *s)
{
	size_t i;

	for (i = 0; i < s->nr_children; i++)
		s->children[i].seen = false;
}

static void children_sweep(struct vici_source *s)
{
	size_t i = 0;

	while (i < s->nr_children)
		if (s->children[i].seen)
			i++;
		else
			child_forget(s, &s->children[i]);
}

/* --- charon's messages into SAs ---------------------------------------------- */

/* Names are at most 255 bytes on the wire. */
#define NAME_MAX_LEN 256

struct ike {
	char name[NAME_MAX_LEN];
	__u32 id;
	int family; /* 0: no usable addresses */
	__u32 local[4], remote[4];
	__u16 local_port, remote_port;
};

static bool parse_u32(const char *s, int base, __u32 *out)
{
	unsigned long long v = 0;
	size_t n = 0;

	for (; *s; s++, n++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return false;
		v = v * (unsigned int)base + (unsigned int)d;
		if (v > 0xffffffffull || n >= 16)
			return false;
	}
	if (!n)
		return false;
	*out = (__u32)v;
	return true;
}

static __u32 tree_u32(const struct vici_tree *t, __u32 sec, const char *key,
		      int base)
{
	char buf[24];
	__u32 v;

	if (vici_tree_str(t, sec, key, buf, sizeof(buf)) ||
	    !parse_u32(buf, base, &v))
		return 0;
	return v;
}

static int tree_addr(const struct vici_tree *t, __u32 sec, const char *key,
		     __u32 *out)
{
	char buf[INET6_ADDRSTRLEN + 8];

	memset(out, 0, 16);
	if (vici_tree_str(t, sec, key, buf, sizeof(buf)))
		return 0;
	if (inet_pton(AF_INET, buf, out) == 1)
		return 4;
	if (inet_pton(AF_INET6, buf, out) == 1)
		return 6;
	return 0;
}

/* What the SAs need of an IKE_SA section (list_ike's keys). */
static void parse_ike(const struct vici_tree *t, __u32 sec, const char *name,
		      struct ike *ike)
{
	int lf, rf;

	memset(ike, 0, sizeof(*ike));
	snprintf(ike->name, sizeof(ike->name), "%s", name);
	ike->id = tree_u32(t, sec, "uniqueid", 10);
	lf = tree_addr(t, sec, "local-host", ike->local);
	rf = tree_addr(t, sec, "remote-host", ike->remote);
	ike->family = lf && lf == rf ? lf : 0;
	ike->local_port = (__u16)tree_u32(t, sec, "local-port", 10);
	ike->remote_port = (__u16)tree_u32(t, sec, "remote-port", 10);
}

/* @out: SA_TUNNEL_MAX bytes. */
static void tunnel_name(char *out, const char *ike, const char *child)
{
	size_t i = strlen(ike), c = strlen(child);

	if (!strcmp(ike, child) || !i || i + 1 + c > SA_TUNNEL_MAX - 1) {
		c = c > SA_TUNNEL_MAX - 1 ? SA_TUNNEL_MAX - 1 : c;
		memcpy(out, child, c);
		out[c] = '\0';
		return;
	}
	memcpy(out, ike, i);
	out[i] = '/';
	memcpy(out + i + 1, child, c);
	out[i + 1 + c] = '\0';
}

/*
 * A CHILD_SA section (list_child's keys) into its two SAs; @hint is its
 * name when the section has no "name" key (older charons, and the
 * "old"/"new" sections of child-rekey). True if it has SAs we check: ESP,
 * installed (SPIs listed), addresses known.
 */
static bool child_sas(const struct vici_tree *t, __u32 sec,
		      const struct ike *ike, const char *hint,
		      struct sa_entry *in, struct sa_entry *out,
		      __u32 *child_id)
{
	char name[NAME_MAX_LEN], proto[8], encap[8], spi[16];
	__u32 spi_in, spi_out, reqid;

	memset(in, 0, sizeof(*in));
	memset(out, 0, sizeof(*out));
	*child_id = tree_u32(t, sec, "uniqueid", 10);
	if (vici_tree_str(t, sec, "protocol", proto, sizeof(proto)) ||
	    strcmp(proto, "ESP") || !ike->family)
		return false;
	if (vici_tree_str(t, sec, "spi-in", spi, sizeof(spi)) ||
	    !parse_u32(spi, 16, &spi_in) ||
	    vici_tree_str(t, sec, "spi-out", spi, sizeof(spi)) ||
	    !parse_u32(spi, 16, &spi_out))
		return false;
	if (vici_tree_str(t, sec, "name", name, sizeof(name)))
		snprintf(name, sizeof(name), "%s", hint);
	reqid = tree_u32(t, sec, "reqid", 10);

	in->family = (__u8)ike->family;
	memcpy(in->daddr, ike->local, sizeof(in->daddr));
	memcpy(in->peer, ike->remote, sizeof(in->peer));
	in->spi = spi_in;
	in->has_peer = 1;
	tunnel_name(in->tunnel, ike->name, name);
	in->dir = SA_DIR_IN;
	in->reqid = reqid ? reqid : *child_id;
	if (!vici_tree_str(t, sec, "encap", encap, sizeof(encap)) &&
	    !strcmp(encap, "yes")) {
		in->encap = 1;
		/* charon floats to 4500 for NAT-T: what an older one omits */
		in->encap_sport = ike->remote_port ? ike->remote_port : 4500;
		in->encap_dport = ike->local_port ? ike->local_port : 4500;
	}

	*out = *in;
	memcpy(out->daddr, ike->remote, sizeof(out->daddr));
	memcpy(out->peer, ike->local, sizeof(out->peer));
	out->spi = spi_out;
	out->dir = SA_DIR_OUT;
	out->encap_sport = in->encap_dport;
	out->encap_dport = in->encap_sport;
	return true;
}

/*
 * On its way out: charon 5.9 lists a CHILD_SA it deletes (and, for a few
 * seconds, a rekeyed one) with its SPIs. Not added again by a listing: its
 * SAs go into the grace period, where they belong.
 */
static bool leaving(const struct vici_tree *t, __u32 sec)
{
	char st[16];

	return !vici_tree_str(t, sec, "state", st, sizeof(st)) &&
	       (!strcmp(st, "DELETING") || !strcmp(st, "DELETED") ||
		!strcmp(st, "DESTROYING"));
}

/* The same SA to the registry: family, destination, SPI. */
static bool same_key(const struct sa_entry *a, const struct sa_entry *b)
{
	return a->family == b->family && a->spi == b->spi &&
	       !memcmp(a->daddr, b->daddr, sizeof(a->daddr));
}

/* What we had under a CHILD_SA's id that is not at @in/@out any more. */
static void del_moved(struct vici_source *s, const struct child *c,
		      const struct sa_entry *in, const struct sa_entry *out)
{
	if (!same_key(&c->in, in))
		emit(s, SA_EV_DEL, &c->in);
	if (!same_key(&c->out, out))
		emit(s, SA_EV_DEL, &c->out);
}

static void sas_add(struct vici_source *s, const struct ike *ike,
		    const struct vici_tree *t, __u32 sec, const char *hint)
{
	struct sa_entry in, out;
	struct child *c;
	__u32 id;

	if (leaving(t, sec) || !child_sas(t, sec, ike, hint, &in, &out, &id))
		return;
	c = id ? child_find(s, id) : NULL;
	if (c)
		del_moved(s, c, &in, &out);
	child_remember(s, ike->id, id, &in, &out);
	emit(s, SA_EV_ADD, &in);
	emit(s, SA_EV_ADD, &out);
}

static void sas_del(struct vici_source *s, const struct ike *ike,
		    const struct vici_tree *t, __u32 sec, const char *hint)
{
	struct sa_entry in, out;
	struct child *c;
	__u32 id;
	bool listed = child_sas(t, sec, ike, hint, &in, &out, &id);

	c = id ? child_find(s, id) : NULL;
	if (listed) {
		emit(s, SA_EV_DEL, &in);
		emit(s, SA_EV_DEL, &out);
		/* and what we had under its id, if that was elsewhere */
		if (c)
			del_moved(s, c, &in, &out);
	} else if (c) {
		emit(s, SA_EV_DEL, &c->in);
		emit(s, SA_EV_DEL, &c->out);
	} else {
		char proto[8];

		/* Gone, and we cannot tell which SAs it had: list again
		 * (unless it says it was no ESP CHILD_SA). */
		if (vici_tree_str(t, sec, "protocol", proto, sizeof(proto)) ||
		    !strcmp(proto, "ESP"))
			s->resync_wanted = true;
		return;
	}
	if (c)
		child_forget(s, c);
}

enum child_op { OP_ADD, OP_DEL, OP_REKEY };

/* Each CHILD_SA in an IKE_SA section's child-sas. */
static void children(struct vici_source *s, const struct vici_tree *t,
		     __u32 ike_sec, const struct ike *ike, enum child_op op)
{
	char name[NAME_MAX_LEN];
	__u32 cs = vici_tree_find(t, ike_sec, VICI_SECTION_START, "child-sas");
	__u32 c, sub;

	if (!cs)
		return;
	for (c = vici_tree_first(t, cs); c; c = vici_tree_next(t, c)) {
		if (t->nodes[c].type != VICI_SECTION_START)
			continue;
		vici_tree_name(t, c, name, sizeof(name));
		switch (op) {
		case OP_ADD:
			sas_add(s, ike, t, c, name);
			break;
		case OP_DEL:
			sas_del(s, ike, t, c, name);
			break;
		case OP_REKEY:
			/* The new one first: its SPIs are known before the
			 * old ones go. */
			sub = vici_tree_find(t, c, VICI_SECTION_START, "new");
			if (sub)
				sas_add(s, ike, t, sub, name);
			sub = vici_tree_find(t, c, VICI_SECTION_START, "old");
			if (sub)
				sas_del(s, ike, t, sub, name);
			break;
		}
	}
}

/* Every CHILD_SA we know under IKE_SA @ike_id is gone. */
static void ike_gone(struct vici_source *s, __u32 ike_id)
{
	size_t i = 0;

	if (!ike_id)
		return;
	while (i < s->nr_children) {
		struct child *c = &s->children[i];

		if (c->ike_id != ike_id) {
			i++;
			continue;
		}
		emit(s, SA_EV_DEL, &c->in);
		emit(s, SA_EV_DEL, &c->out);
		child_forget(s, c); /* the last one moved to i */
	}
}

/*
 * MOBIKE or a NAT mapping moves an IKE_SA, and with it its CHILD_SAs, to
 * other addresses or ports (charon 5.9 floats to 4500 this way). charon
 * says so before it does: the new endpoints at the root, the IKE_SA as it
 * was in a section. The SAs of each CHILD_SA we know under it move: del
 * at the old addresses, add at the new. A message without the new
 * endpoints: the SAs listed again a moment later.
 */
static void ike_update(struct vici_source *s, const struct vici_tree *t)
{
	struct ike to;
	char nat[8];
	__u32 sec, id;
	size_t i;

	parse_ike(t, 0, "", &to);
	if (!to.family) {
		if (!s->resync_at_ms)
			s->resync_at_ms = sa_mono_ms() + UPDATE_RESYNC_MS;
		return;
	}
	for (sec = vici_tree_first(t, 0); sec; sec = vici_tree_next(t, sec)) {
		if (t->nodes[sec].type != VICI_SECTION_START)
			continue;
		id = tree_u32(t, sec, "uniqueid", 10);
		for (i = 0; id && i < s->nr_children; i++) {
			struct child *c = &s->children[i];
			struct sa_entry in = c->in, out;

			if (c->ike_id != id || c->in.family != to.family)
				continue;
			memcpy(in.daddr, to.local, sizeof(in.daddr));
			memcpy(in.peer, to.remote, sizeof(in.peer));
			if (!vici_tree_str(t, sec, "nat-any", nat,
					   sizeof(nat)) &&
			    !strcmp(nat, "yes"))
				in.encap = 1;
			if (in.encap) {
				in.encap_sport = to.remote_port ?: 4500;
				in.encap_dport = to.local_port ?: 4500;
			}
			if (!memcmp(&in, &c->in, sizeof(in)))
				continue;
			out = in;
			memcpy(out.daddr, to.remote, sizeof(out.daddr));
			memcpy(out.peer, to.local, sizeof(out.peer));
			out.spi = c->out.spi;
			out.dir = SA_DIR_OUT;
			out.encap_sport = in.encap_dport;
			out.encap_dport = in.encap_sport;
			emit(s, SA_EV_DEL, &c->in);
			emit(s, SA_EV_DEL, &c->out);
			c->in = in;
			c->out = out;
			emit(s, SA_EV_ADD, &c->in);
			emit(s, SA_EV_ADD, &c->out);
		}
	}
}

static bool is_up(const struct vici_tree *t)
{
	char v[8];

	return !vici_tree_str(t, 0, "up", v, sizeof(v)) && !strcmp(v, "yes");
}

static int on_event(struct vici_source *s, const struct vici_packet *p)
{
	enum {
		LIST,
		CHILD_UPDOWN,
		CHILD_REKEY,
		IKE_UPDOWN,
		IKE_REKEY,
		IKE_UPDATE,
	} kind;
	char name[NAME_MAX_LEN];
	struct vici_tree t;
	struct ike ike;
	__u32 sec, old, new;
	bool up;
	int err;

	if (vici_packet_is(p, "list-sa"))
		kind = LIST;
	else if (vici_packet_is(p, "child-updown"))
		kind = CHILD_UPDOWN;
	else if (vici_packet_is(p, "child-rekey"))
		kind = CHILD_REKEY;
	else if (vici_packet_is(p, "ike-updown"))
		kind = IKE_UPDOWN;
	else if (vici_packet_is(p, "ike-rekey"))
		kind = IKE_REKEY;
	else if (vici_packet_is(p, "ike-update"))
		kind = IKE_UPDATE;
	else
		return 0; /* not ours */
	if (kind == LIST && !s->listing)
		return 0; /* someone else's listing cannot reach us; ignore */

	err = vici_tree_parse(&t, p->msg, p->msg_len);
	if (err) {
		vici_tree_free(&t);
		return err;
	}
	up = is_up(&t);
	if (kind == IKE_UPDATE) {
		ike_update(s, &t);
		vici_tree_free(&t);
		return 0;
	}
	for (sec = vici_tree_first(&t, 0); sec; sec = vici_tree_next(&t, sec)) {
		if (t.nodes[sec].type != VICI_SECTION_START)
			continue;
		vici_tree_name(&t, sec, name, sizeof(name));
		switch (kind) {
		case LIST:
			parse_ike(&t, sec, name, &ike);
			children(s, &t, sec, &ike, OP_ADD);
			break;
		case CHILD_UPDOWN:
			parse_ike(&t, sec, name, &ike);
			children(s, &t, sec, &ike, up ? OP_ADD : OP_DEL);
			break;
		case CHILD_REKEY:
			parse_ike(&t, sec, name, &ike);
			children(s, &t, sec, &ike, OP_REKEY);
			break;
		case IKE_UPDOWN:
			parse_ike(&t, sec, name, &ike);
			/* charon 5.9 lists no CHILD_SAs here; a later one may */
			children(s, &t, sec, &ike, up ? OP_ADD : OP_DEL);
			if (!up)
				ike_gone(s, ike.id);
			break;
		case IKE_UPDATE: /* above */
			break;
		case IKE_REKEY:
			/* The CHILD_SAs move to the new IKE_SA. */
			old = vici_tree_find(&t, sec, VICI_SECTION_START,
					     "old");
			new = vici_tree_find(&t, sec, VICI_SECTION_START,
					     "new");
			if (old && new) {
				__u32 from = tree_u32(&t, old, "uniqueid", 10);
				__u32 to = tree_u32(&t, new, "uniqueid", 10);
				size_t i;

				for (i = 0; from && to && i < s->nr_children;
				     i++)
					if (s->children[i].ike_id == from)
						s->children[i].ike_id = to;
			}
			if (new) {
				parse_ike(&t, new, name, &ike);
				children(s, &t, new, &ike, OP_ADD);
			}
			break;
		}
	}
	vici_tree_free(&t);
	return 0;
}

/* --- the connection ------------------------------------------------------------ */

static void flush(struct vici_source *s);
static void send_next(struct vici_source *s);

static void set_err(struct vici_source *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_err(struct vici_source *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
}

static void reset_conn(struct vici_source *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->out.len = 0;
	s->out.start = 0;
	s->out.open = false;
	s->out.err = 0;
	s->in_len = 0;
	if (s->in_cap > READ_CHUNK) {
		free(s->in);
		s->in = NULL;
		s->in_cap = 0;
	}
	s->q_nr = 0;
	s->cur.name = NULL;
	s->listing = false;
	s->synced = false;
	s->resync_wanted = false;
	s->resync_at_ms = 0;
}

/* The shared backoff, capped (vici.h VICI_BACKOFF_MAX_MS). */
static void retry_later(struct vici_source *s)
{
	sa_retry_later(&s->retry);
	if (s->retry.backoff_ms > VICI_BACKOFF_MAX_MS)
		s->retry.backoff_ms = VICI_BACKOFF_MAX_MS;
}

/* The connection is lost: SA_EV_DOWN once, and a retry later. */
static void drop(struct vici_source *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void drop(struct vici_source *s, const char *fmt, ...)
{
	va_list ap;

	if (s->fd < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	reset_conn(s);
	retry_later(s);
	emit(s, SA_EV_DOWN, NULL);
}

static void enqueue(struct vici_source *s, __u8 type, const char *name,
		    bool optional)
{
	if (s->q_nr < QUEUE_MAX)
		s->queue[s->q_nr++] = (struct request){ type, optional, name };
}

static void connected(struct vici_source *s)
{
	size_t i;

	s->err[0] = '\0';
	s->deadline_ms = 0;
	for (i = 0; i < NR_EVENTS; i++)
		enqueue(s, VICI_EVENT_REGISTER, events[i].name,
			events[i].optional);
	enqueue(s, VICI_CMD_REQUEST, "list-sas", false);
	send_next(s);
}

/* The next request, if none is in flight. */
static void send_next(struct vici_source *s)
{
	struct request r;

	if (s->fd < 0 || s->cur.name)
		return;
	if (!s->q_nr) {
		if (!s->resync_wanted)
			return;
		s->resync_wanted = false;
		enqueue(s, VICI_CMD_REQUEST, "list-sas", false);
	}
	r = s->queue[0];
	memmove(s->queue, s->queue + 1, --s->q_nr * sizeof(s->queue[0]));
	vici_begin(&s->out, r.type, r.name);
	if (vici_end(&s->out)) {
		drop(s, "cannot build a request: %s", strerror(-s->out.err));
		return;
	}
	s->cur = r;
	s->deadline_ms = sa_mono_ms() + VICI_REPLY_TIMEOUT_MS;
	if (r.type == VICI_CMD_REQUEST && !strcmp(r.name, "list-sas")) {
		s->listing = true;
		children_unseen(s);
		emit(s, SA_EV_SYNC_BEGIN, NULL);
	}
	flush(s);
}

static void on_reply(struct vici_source *s, const struct vici_packet *p)
{
	struct request r = s->cur;

	if (!r.name) {
		drop(s, "protocol error: %s with no request",
		     vici_type_name(p->type));
		return;
	}
	s->cur.name = NULL;
	if (r.type == VICI_EVENT_REGISTER) {
		if (p->type == VICI_EVENT_UNKNOWN && r.optional) {
			send_next(s);
			return;
		}
		if (p->type == VICI_EVENT_UNKNOWN) {
			drop(s, "charon has no event %s", r.name);
			return;
		}
		if (p->type != VICI_EVENT_CONFIRM) {
			drop(s, "protocol error: %s for event %s",
			     vici_type_name(p->type), r.name);
			return;
		}
	} else {
		if (p->type == VICI_CMD_UNKNOWN) {
			drop(s, "charon has no command %s", r.name);
			return;
		}
		if (p->type != VICI_CMD_RESPONSE) {
			drop(s, "protocol error: %s for command %s",
			     vici_type_name(p->type), r.name);
			return;
		}
		if (s->listing) {
			s->listing = false;
			s->synced = true;
			s->synced_ms = sa_mono_ms();
			sa_retry_reset(&s->retry);
			children_sweep(s);
			emit(s, SA_EV_SYNC_END, NULL);
		}
	}
	send_next(s);
}

static void on_packet(struct vici_source *s, const struct vici_packet *p)
{
	int err;

	switch (p->type) {
	case VICI_CMD_RESPONSE:
	case VICI_CMD_UNKNOWN:
	case VICI_EVENT_CONFIRM:
	case VICI_EVENT_UNKNOWN:
		on_reply(s, p);
		break;
	case VICI_EVENT:
		err = on_event(s, p);
		if (err)
			drop(s, "protocol error: event %.*s: %s", p->name_len,
			     p->name, strerror(-err));
		break;
	default:
		drop(s, "protocol error: %s from charon",
		     vici_type_name(p->type));
	}
}

/* Every whole packet in the input buffer. */
static void process(struct vici_source *s)
{
	struct vici_packet p;
	size_t off = 0;
	ssize_t n;

	while (s->fd >= 0) {
		n = vici_packet_next(s->in + off, s->in_len - off, &p);
		if (n < 0) {
			drop(s, "protocol error: %s",
			     n == -E2BIG ? "segment too long" : "bad packet");
			return;
		}
		if (!n)
			break;
		off += (size_t)n;
		on_packet(s, &p);
	}
	if (s->fd < 0)
		return; /* reset_conn() emptied the buffer */
	if (off) {
		memmove(s->in, s->in + off, s->in_len - off);
		s->in_len -= off;
	}
}

static bool in_room(struct vici_source *s)
{
	size_t want = s->in_len + READ_CHUNK;
	unsigned char *p;

	if (want > IN_MAX)
		want = IN_MAX;
	if (want <= s->in_cap)
		return true;
	p = realloc(s->in, want);
	if (!p)
		return false;
	s->in = p;
	s->in_cap = want;
	return true;
}

static void read_some(struct vici_source *s)
{
	int i;

	for (i = 0; i < READS_PER_HANDLE && s->fd >= 0; i++) {
		ssize_t n;

		if (!in_room(s)) {
			drop(s, "out of memory");
			return;
		}
		n = recv(s->fd, s->in + s->in_len, s->in_cap - s->in_len,
			 MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0) {
			drop(s, "recv: %s", strerror(errno));
			return;
		}
		if (!n) {
			drop(s, "charon closed the connection");
			return;
		}
		s->in_len += (size_t)n;
		if (s->cur.name)
			s->deadline_ms = sa_mono_ms() + VICI_REPLY_TIMEOUT_MS;
		process(s);
	}
	send_next(s); /* a resync an event asked for */
}

static void flush(struct vici_source *s)
{
	while (s->fd >= 0 && s->out.len) {
		ssize_t n = send(s->fd, s->out.data, s->out.len,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			drop(s, "send: %s", strerror(errno));
			return;
		}
		vici_buf_consume(&s->out, (size_t)n);
	}
}

/*
 * Whoever listens at the path (its credentials when it listened) is root
 * or this daemon's user, as charon is: the SAs it reports pass the SPI
 * check and their ports become NAT-T ports, so a socket another user put
 * there (a path in a directory they may write) must not be believed.
 * Nothing is sent to it. False with why in s->err.
 */
static bool peer_trusted(struct vici_source *s, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len)) {
		set_err(s, "%s: cannot learn who listens (SO_PEERCRED): %s",
			s->path, strerror(errno));
		return false;
	}
	if (cred.uid == 0 || cred.uid == geteuid())
		return true;
	set_err(s,
		"refused %s: it is uid %u's (pid %d), not root's or this daemon's user's",
		s->path, (unsigned int)cred.uid, (int)cred.pid);
	return false;
}

static void try_connect(struct vici_source *s)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	memcpy(sun.sun_path, s->path, sizeof(sun.sun_path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		set_err(s, "socket: %s", strerror(errno));
		retry_later(s);
		return;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		/* A unix socket connects at once or not at all (EAGAIN: its
		 * backlog is full); either way, later. */
		set_err(s, "connect: %s", strerror(errno));
		close(fd);
		retry_later(s);
		return;
	}
	if (!peer_trusted(s, fd)) {
		close(fd);
		retry_later(s);
		return;
	}
	s->fd = fd;
	connected(s);
}

/* --- the interface ------------------------------------------------------------ */

int vici_source_open(struct vici_source **out, const char *path,
		     sa_event_fn *fn, void *ctx)
{
	struct vici_source *s;

	*out = NULL;
	if (!strncmp(path, "unix://", 7))
		path += 7;
	if (!path[0] || strlen(path) >= sizeof(s->path))
		return -ENAMETOOLONG;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	memcpy(s->path, path, strlen(path) + 1);
	s->fd = -1;
	sa_retry_reset(&s->retry);
	vici_buf_init(&s->out);
	try_connect(s);
	/* Only now: nothing from here is reported (a write failing at once). */
	s->fn = fn;
	s->ctx = ctx;
	*out = s;
	return 0;
}

void vici_source_close(struct vici_source *s)
{
	if (!s)
		return;
	reset_conn(s);
	vici_buf_free(&s->out);
	free(s->in);
	free(s->children);
	free(s);
}

int vici_source_attach(struct vici_source *s, int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK))
		return -errno;
	reset_conn(s);
	s->fd = fd;
	connected(s);
	return 0;
}

int vici_source_fd(const struct vici_source *s)
{
	return s->fd;
}

short vici_source_events(const struct vici_source *s)
{
	if (s->fd < 0)
		return 0;
	return (short)(POLLIN | (s->out.len ? POLLOUT : 0));
}

void vici_source_handle(struct vici_source *s, short revents)
{
	if (s->fd < 0)
		return;
	if (revents & POLLOUT)
		flush(s);
	if (revents & (POLLIN | POLLHUP | POLLERR))
		read_some(s);
	/* what the replies queued */
	flush(s);
}

void vici_source_tick(struct vici_source *s, __u64 now_ms)
{
	if (s->fd < 0) {
		if (now_ms >= s->retry.next_ms)
			try_connect(s);
		return;
	}
	if (s->cur.name && now_ms >= s->deadline_ms) {
		drop(s, "no reply to %s %s from charon in %d s",
		     s->cur.type == VICI_EVENT_REGISTER ? "event" : "command",
		     s->cur.name, VICI_REPLY_TIMEOUT_MS / 1000);
		return;
	}
	if (s->synced && !s->listing && !s->cur.name &&
	    now_ms >= s->synced_ms + VICI_RESYNC_MS)
		s->resync_wanted = true;
	if (s->resync_at_ms && now_ms >= s->resync_at_ms) {
		s->resync_at_ms = 0;
		s->resync_wanted = true;
	}
	send_next(s);
}

static int until(__u64 when, __u64 now)
{
	if (when <= now)
		return 0;
	return when - now > INT_MAX ? INT_MAX : (int)(when - now);
}

int vici_source_timeout_ms(const struct vici_source *s, __u64 now_ms)
{
	int t = -1, u;

	if (s->fd < 0)
		return until(s->retry.next_ms, now_ms);
	if (s->cur.name)
		t = until(s->deadline_ms, now_ms);
	else if (s->resync_wanted)
		return 0;
	else if (s->synced)
		t = until(s->synced_ms + VICI_RESYNC_MS, now_ms);
	if (s->resync_at_ms) {
		u = until(s->resync_at_ms, now_ms);
		if (t < 0 || u < t)
			t = u;
	}
	return t;
}

bool vici_source_up(const struct vici_source *s)
{
	return s->fd >= 0 && s->synced;
}

void vici_source_resync(struct vici_source *s)
{
	s->resync_wanted = true;
	send_next(s);
}

const char *vici_source_state(const struct vici_source *s, char *buf,
			      size_t size)
{
	__u64 now = sa_mono_ms();

	if (!size)
		return buf;
	if (s->fd < 0) {
		__u64 in = s->retry.next_ms > now ? s->retry.next_ms - now : 0;

		snprintf(buf, size, "down: %s, retry in %llu s",
			 s->err[0] ? s->err : "not connected",
			 (unsigned long long)(in + 999) / 1000);
	} else if (s->synced) {
		snprintf(buf, size, "up, %zu SAs, synced %llu s ago%s",
			 s->nr_children * 2,
			 (unsigned long long)(now - s->synced_ms) / 1000,
			 s->listing ? ", listing again" : "");
	} else {
		snprintf(buf, size, "connected, %s",
			 s->listing ? "listing the SAs" :
				      "registering for events");
	}
	return buf;
}
