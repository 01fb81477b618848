// SPDX-License-Identifier: GPL-2.0
/*
 * Syslog delivery; see syslogd.h. Every socket is non-blocking, TCP
 * connects finish in the loop (or time out), and a host name is resolved
 * by getaddrinfo_a() (glibc's own thread), polled from the loop's timer:
 * nothing here waits.
 */
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf/schema_log.h"
#include "log/logconv.h"
#include "daemon/internal.h"
#include "daemon/logout.h"
#include "daemon/syslogd.h"
#include "daemon/diag_fmt.h"

#define CONNECT_TIMEOUT_MS 5000
#define RESOLVE_TIMEOUT_MS 10000
#define RESOLVE_POLL_MS 50
/* A failure episode ends after this long without a failure. */
#define RECOVER_MS 2000
/*
 * UDP learns of a dead server only from the ICMP error to a send, and the
 * server's host rate-limits those (Linux: a burst, then one a second per
 * destination, net.ipv4.icmp_ratelimit). A send this long after the first
 * one since a failure is sure to get its error, if there is one.
 */
#define ICMP_GAP_MS 1100
#define QUEUE_BYTES_MAX (8u << 20)
#define APP_NAME "localin"

struct sl_rec {
	size_t len;
	char data[];
};

enum sl_state {
	SL_OFF,
	SL_WAIT,      /* until retry.next_ms, then connect (again) */
	SL_RESOLVING, /* lookup running */
	SL_CONNECTING,
	SL_UP,
};

/* A running getaddrinfo_a(); outlives its server if it cannot be cancelled. */
struct sl_lookup {
	struct gaicb cb;
	struct addrinfo hints;
	char host[128];
	char port[8];
	struct sl_lookup *next; /* orphans */
};

struct sl_srv {
	unsigned int idx; /* 0..3: syslogd, syslogd2.. */
	struct obj_syslogd cfg;
	enum sl_state state;
	int fd;
	struct sl_lookup *lookup;
	struct sa_retry retry;
	__u64 deadline_ms;
	struct sl_rec **q; /* ring of q_cap */
	size_t q_cap;
	size_t q_head, q_nr, q_bytes;
	size_t q_off; /* TCP: bytes of the head record already sent */
	__u64 sent, dropped, errors;
	bool failing;
	__u64 fail_ms;	       /* the last failure */
	__u64 dropped_at_fail; /* dropped when this episode began */
	__u64 sent_since_fail;
	__u64 first_sent_ms; /* the first send since the last failure */
	__u64 proof_ms;	     /* UDP: a send ICMP_GAP_MS after that one */
	bool stalled;	     /* up, but the queue overflowed: not read */
	char err[160];
};

struct syslogd {
	struct sl_srv srv[OBJ_SYSLOGD_MAX];
	int pfd_srv[SYSLOGD_MAX_FDS]; /* server of each pollfd handed out */
	struct sl_lookup *orphans;
	char host[256];
	char body[3 * LOG_LINE_MAX];
	char rec[3 * LOG_LINE_MAX + 32];
	struct logconv_rec parsed;
};

static const char *const srv_names[OBJ_SYSLOGD_MAX] = { "syslogd", "syslogd2",
							"syslogd3",
							"syslogd4" };

static bool is_tcp(const struct sl_srv *v)
{
	return v->cfg.mode != OBJ_SYSLOG_UDP;
}

/* ---- the queue ---- */

static void q_pop(struct sl_srv *v)
{
	struct sl_rec *r = v->q[v->q_head];

	v->q_bytes -= r->len;
	free(r);
	v->q[v->q_head] = NULL;
	v->q_head = (v->q_head + 1) % v->q_cap;
	v->q_nr--;
	v->q_off = 0;
}

static void q_clear(struct sl_srv *v, bool count)
{
	if (count)
		v->dropped += v->q_nr;
	while (v->q_nr)
		q_pop(v);
}

static void srv_overflow(struct sl_srv *v);

/* Whole records only: a full queue drops the new one and counts it. */
static void q_push(struct sl_srv *v, const char *data, size_t len)
{
	struct sl_rec *r;

	if (v->q_nr == v->q_cap || v->q_bytes + len > QUEUE_BYTES_MAX) {
		v->dropped++;
		srv_overflow(v);
		return;
	}
	r = malloc(sizeof(*r) + len);
	if (!r) {
		v->dropped++;
		return;
	}
	r->len = len;
	memcpy(r->data, data, len);
	v->q[(v->q_head + v->q_nr) % v->q_cap] = r;
	v->q_nr++;
	v->q_bytes += len;
}

/* ---- connection ---- */

static const char *srv_where(const struct sl_srv *v, char *buf, size_t size)
{
	snprintf(buf, size, "%s %s%s%s:%u (%s)", srv_names[v->idx],
		 strchr(v->cfg.server, ':') ? "[" : "", v->cfg.server,
		 strchr(v->cfg.server, ':') ? "]" : "", v->cfg.port,
		 schema_syslog_modes[v->cfg.mode]);
	return buf;
}

static void srv_close(struct sl_srv *v)
{
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
	v->q_off = 0; /* a record cut short goes again, whole */
}

static void lookup_drop(struct syslogd *s, struct sl_srv *v)
{
	struct sl_lookup *l = v->lookup;

	if (!l)
		return;
	v->lookup = NULL;
	if (gai_cancel(&l->cb) == EAI_CANCELED ||
	    gai_error(&l->cb) != EAI_INPROGRESS) {
		if (l->cb.ar_result)
			freeaddrinfo(l->cb.ar_result);
		free(l);
		return;
	}
	/* glibc's thread still writes into it: free it once it is done */
	l->next = s->orphans;
	s->orphans = l;
}

/*
 * Something failed: close, try again after the backoff, and say so once
 * an episode. What is queued stays queued.
 */
static void srv_fail(struct sl_srv *v, const char *what, int err)
{
	char where[200];

	srv_close(v);
	v->errors++;
	v->fail_ms = sa_mono_ms();
	v->sent_since_fail = 0;
	v->proof_ms = 0;
	v->stalled = false;
	if (err)
		snprintf(v->err, sizeof(v->err), "%s: %s", what, strerror(err));
	else
		snprintf(v->err, sizeof(v->err), "%s", what);
	v->state = SL_WAIT;
	sa_retry_later(&v->retry);
	if (v->failing)
		return;
	v->failing = true;
	v->dropped_at_fail = v->dropped;
	daemon_msg(
		"syslog %s: %s; queueing up to %zu lines and retrying (the count of dropped ones is in status)",
		srv_where(v, where, sizeof(where)), v->err, v->q_cap);
}

/*
 * The queue is full while the link is up (or not up yet): a TCP server
 * that accepted but does not read (its receive window stays shut), or
 * more lines than a slow one takes. Nothing fails, so without this the
 * lines would be dropped unsaid under a status of "up". It begins an
 * episode as a failure does (said once, its count said at the end), and
 * every drop puts off its end: it ends once the queue has drained and
 * RECOVER_MS have passed without a drop. The link stays: what the server
 * holds unread would be lost with it.
 */
static void srv_overflow(struct sl_srv *v)
{
	char where[200];

	if (v->state == SL_UP || !v->failing) {
		v->fail_ms = sa_mono_ms();
		v->sent_since_fail = 0;
		v->proof_ms = 0;
	}
	if (v->failing)
		return;
	v->failing = true;
	v->stalled = v->state == SL_UP;
	v->dropped_at_fail = v->dropped - 1; /* the one just dropped */
	snprintf(v->err, sizeof(v->err),
		 "the server does not take lines: the queue of %zu is full",
		 v->q_cap);
	daemon_msg(
		"syslog %s: %s; dropping new lines and counting them (status) until it takes them again",
		srv_where(v, where, sizeof(where)), v->err);
}

/*
 * When a failure episode may end: up, the queue sent, something sent since
 * the last failure, and none for RECOVER_MS. A UDP server's ICMP errors
 * come after sends that went through, and not to every send: there the
 * time counts from a send sure to have had its error (ICMP_GAP_MS). 0:
 * not yet.
 */
static __u64 recovery_at(const struct sl_srv *v)
{
	__u64 from = v->fail_ms;

	if (!v->failing || v->state != SL_UP || v->q_nr || !v->sent_since_fail)
		return 0;
	if (!is_tcp(v)) {
		if (!v->proof_ms)
			return 0;
		if (v->proof_ms > from)
			from = v->proof_ms;
	}
	return from + RECOVER_MS;
}

static void srv_check_recovered(struct sl_srv *v, __u64 now)
{
	__u64 at = recovery_at(v);
	char where[200];

	if (!at || now < at)
		return;
	v->failing = false;
	v->stalled = false;
	v->err[0] = '\0';
	sa_retry_reset(&v->retry);
	daemon_msg("syslog %s: delivering again; %llu lines dropped meanwhile",
		   srv_where(v, where, sizeof(where)),
		   (unsigned long long)(v->dropped - v->dropped_at_fail));
}

static void srv_sent(struct sl_srv *v)
{
	__u64 now = sa_mono_ms();

	v->sent++;
	if (!v->sent_since_fail++)
		v->first_sent_ms = now;
	else if (!v->proof_ms && now - v->first_sent_ms >= ICMP_GAP_MS)
		v->proof_ms = now;
}

static int bind_source(struct sl_srv *v, int family)
{
	struct addrinfo hints = { .ai_family = family,
				  .ai_flags = AI_NUMERICHOST | AI_PASSIVE },
			*ai;
	int ret;

	if (!v->cfg.source_ip[0])
		return 0;
	if (getaddrinfo(v->cfg.source_ip, "0", &hints, &ai))
		return -EAFNOSUPPORT;
	ret = bind(v->fd, ai->ai_addr, ai->ai_addrlen) ? -errno : 0;
	freeaddrinfo(ai);
	return ret;
}

static void srv_open(struct sl_srv *v, const struct addrinfo *ai)
{
	int type = is_tcp(v) ? SOCK_STREAM : SOCK_DGRAM, err;

	v->fd = socket(ai->ai_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (v->fd < 0) {
		srv_fail(v, "socket", errno);
		return;
	}
	err = bind_source(v, ai->ai_family);
	if (err) {
		srv_fail(v, "bind to source-ip", -err);
		return;
	}
	if (!connect(v->fd, ai->ai_addr, ai->ai_addrlen)) {
		v->state = SL_UP;
		return;
	}
	if (errno != EINPROGRESS) {
		srv_fail(v, "connect", errno);
		return;
	}
	v->state = SL_CONNECTING;
	v->deadline_ms = sa_mono_ms() + CONNECT_TIMEOUT_MS;
}

static void srv_start(struct syslogd *s, struct sl_srv *v)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
				  .ai_socktype = SOCK_DGRAM },
			*ai;
	struct gaicb *list[1];
	struct sl_lookup *l;
	char port[8];

	snprintf(port, sizeof(port), "%u", v->cfg.port);
	/* An IP address: no lookup. */
	if (!getaddrinfo(v->cfg.server, port, &hints, &ai)) {
		srv_open(v, ai);
		freeaddrinfo(ai);
		return;
	}
	l = calloc(1, sizeof(*l));
	if (!l) {
		srv_fail(v, "resolving", ENOMEM);
		return;
	}
	snprintf(l->host, sizeof(l->host), "%s", v->cfg.server);
	memcpy(l->port, port, sizeof(port));
	l->hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
	l->hints.ai_socktype = SOCK_DGRAM;
	l->cb.ar_name = l->host;
	l->cb.ar_service = l->port;
	l->cb.ar_request = &l->hints;
	list[0] = &l->cb;
	if (getaddrinfo_a(GAI_NOWAIT, list, 1, NULL)) {
		free(l);
		srv_fail(v, "resolving: cannot start a lookup", 0);
		return;
	}
	(void)s;
	v->lookup = l;
	v->state = SL_RESOLVING;
	v->deadline_ms = sa_mono_ms() + RESOLVE_TIMEOUT_MS;
}

static void srv_resolving(struct syslogd *s, struct sl_srv *v, __u64 now)
{
	struct sl_lookup *l = v->lookup;
	char what[200];
	int ret = gai_error(&l->cb);

	if (ret == EAI_INPROGRESS) {
		if (now < v->deadline_ms)
			return;
		lookup_drop(s, v);
		snprintf(what, sizeof(what), "resolving %s: no answer in %d s",
			 v->cfg.server, RESOLVE_TIMEOUT_MS / 1000);
		srv_fail(v, what, 0);
		return;
	}
	v->lookup = NULL;
	if (ret || !l->cb.ar_result) {
		snprintf(what, sizeof(what), "resolving %s: %s", v->cfg.server,
			 ret == EAI_SYSTEM ? strerror(errno) :
					     gai_strerror(ret));
		srv_fail(v, what, 0);
	} else {
		srv_open(v, l->cb.ar_result);
	}
	if (l->cb.ar_result)
		freeaddrinfo(l->cb.ar_result);
	free(l);
}

/* ---- sending ---- */

static void srv_flush(struct sl_srv *v)
{
	struct sl_rec *r;
	ssize_t n;

	while (v->state == SL_UP && v->q_nr) {
		r = v->q[v->q_head];
		n = send(v->fd, r->data + v->q_off, r->len - v->q_off,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR ||
			    errno == ENOBUFS)
				return; /* POLLOUT, or the next tick */
			if (errno == EMSGSIZE) {
				v->errors++;
				v->dropped++;
				q_pop(v);
				continue;
			}
			srv_fail(v, "send", errno);
			return;
		}
		v->q_off += (size_t)n;
		if (v->q_off < r->len)
			continue;
		q_pop(v);
		srv_sent(v);
	}
}

/* ---- config ---- */

static bool same_destination(const struct obj_syslogd *a,
			     const struct obj_syslogd *b)
{
	return a->enabled == b->enabled && a->port == b->port &&
	       a->mode == b->mode && !strcmp(a->server, b->server) &&
	       !strcmp(a->source_ip, b->source_ip);
}

static size_t queue_cap(void)
{
	const char *e = getenv("LOCALIN_SYSLOG_QUEUE");
	unsigned long v = e ? strtoul(e, NULL, 10) : 0;

	return v && v <= 1000000 ? v : SYSLOGD_QUEUE_DEFAULT;
}

static void srv_configure(struct syslogd *s, struct sl_srv *v,
			  const struct obj_syslogd *c)
{
	if (same_destination(&v->cfg, c)) {
		v->cfg = *c; /* filter, format, facility: the next lines */
		return;
	}
	char where[200];
	/*
	 * A new address or port (the admin's fix for a server that was
	 * down) takes the lines queued for the old one: they are framed
	 * alike. Another mode frames them otherwise, and a server turned off
	 * wants none: those are dropped, and said.
	 */
	bool keep = v->cfg.enabled && c->enabled && v->cfg.mode == c->mode;

	lookup_drop(s, v);
	srv_close(v);
	if (!keep && v->q_nr)
		daemon_msg("syslog %s: %zu queued log lines dropped: %s",
			   srv_where(v, where, sizeof(where)), v->q_nr,
			   c->enabled ? "its mode changed" : "turned off");
	if (!keep)
		q_clear(v, true);
	v->cfg = *c;
	v->failing = false;
	v->stalled = false;
	v->err[0] = '\0';
	sa_retry_reset(&v->retry);
	if (!c->enabled) {
		v->state = SL_OFF;
		return;
	}
	if (!v->q) {
		v->q_cap = queue_cap();
		v->q = calloc(v->q_cap, sizeof(*v->q));
		if (!v->q) {
			daemon_msg("syslog %s: no memory for its queue",
				   srv_names[v->idx]);
			v->state = SL_OFF;
			v->cfg.enabled = false;
			return;
		}
	}
	v->state = SL_WAIT;
	v->retry.next_ms = 0; /* connect now */
}

/* The config in force, applied to the servers whose part changed. */
static struct syslogd *sync_config(struct daemon *d)
{
	struct syslogd *s = d->syslog;
	const struct obj_syslogd *c;
	unsigned int i;
	bool any = false;

	if (!d->p)
		return s;
	c = d->p->objs.syslogd;
	for (i = 0; i < OBJ_SYSLOGD_MAX; i++)
		any |= c[i].enabled;
	if (!s && !any)
		return NULL;
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return NULL;
		for (i = 0; i < OBJ_SYSLOGD_MAX; i++) {
			s->srv[i].idx = i;
			s->srv[i].fd = -1;
			sa_retry_reset(&s->srv[i].retry);
		}
		if (gethostname(s->host, sizeof(s->host) - 1))
			s->host[0] = '\0';
		d->syslog = s;
	}
	for (i = 0; i < OBJ_SYSLOGD_MAX; i++)
		if (memcmp(&s->srv[i].cfg, &c[i], sizeof(c[i])))
			srv_configure(s, &s->srv[i], &c[i]);
	return s;
}

/* ---- formatting ---- */

/* The host for CEF's and RFC 5424's header: devname=, else ours. */
static const char *rec_host(struct syslogd *s)
{
	const struct logconv_field *f = logconv_get(&s->parsed, "devname");

	return f && *f->val ? f->val : s->host[0] ? s->host : NULL;
}

/* The message of @v's format in s->body: its length, or -errno. */
static int format_body(struct syslogd *s, const struct sl_srv *v,
		       const char *line, size_t len, int *parsed)
{
	size_t size = sizeof(s->body);

	if (v->cfg.format == OBJ_SYSLOG_FMT_DEFAULT) {
		if (len > size)
			return -ENOSPC;
		memcpy(s->body, line, len);
		return (int)len;
	}
	if (!*parsed)
		*parsed = logconv_parse(&s->parsed, line, len) ? -1 : 1;
	if (*parsed < 0)
		return -EINVAL;
	switch (v->cfg.format) {
	case OBJ_SYSLOG_FMT_CSV:
		return logconv_csv(s->body, size, &s->parsed);
	case OBJ_SYSLOG_FMT_CEF:
		return logconv_cef(s->body, size, &s->parsed, rec_host(s),
				   APP_NAME);
	case OBJ_SYSLOG_FMT_RFC5424:
		return logconv_rfc5424(s->body, size, &s->parsed, line, len,
				       rec_host(s), APP_NAME);
	case OBJ_SYSLOG_FMT_JSON:
		return logconv_json(s->body, size, &s->parsed);
	default:
		return -EINVAL;
	}
}

/* <PRI>body framed for @v's mode into s->rec: its length, or -ENOSPC. */
static int frame(struct syslogd *s, const struct sl_srv *v, int level,
		 size_t body_len)
{
	char pri[8];
	int p = logconv_pri(pri, sizeof(pri), (int)v->cfg.facility, level);
	size_t msg = (size_t)p + body_len;
	int n = 0;

	if (p < 0)
		return p;
	if (v->cfg.mode == OBJ_SYSLOG_RELIABLE)
		n = snprintf(s->rec, sizeof(s->rec), "%zu ", msg);
	if ((size_t)n + msg + 1 > sizeof(s->rec))
		return -ENOSPC;
	memcpy(s->rec + n, pri, (size_t)p);
	memcpy(s->rec + n + p, s->body, body_len);
	n += (int)msg;
	if (v->cfg.mode == OBJ_SYSLOG_LEGACY_RELIABLE)
		s->rec[n++] = '\n';
	return n;
}

static bool filter_takes(const struct daemon *d, const struct obj_syslogd *c,
			 const struct log_meta *m)
{
	static const struct obj_eventfilter all = { true, true };
	enum obj_log_class class = m->cat == LOG_CAT_LOCAL_TRAFFIC ?
					   OBJ_LOG_LOCAL_TRAFFIC :
					   OBJ_LOG_EVENT_VPN;

	return obj_syslogd_takes(c, d->p ? &d->p->objs.eventfilter : &all,
				 class, (unsigned int)m->level);
}

void syslogd_offer(struct daemon *d, const char *line, size_t len,
		   const struct log_meta *m)
{
	struct syslogd *s = sync_config(d);
	int parsed = 0, n;
	unsigned int i;

	if (!s)
		return;
	if (len && line[len - 1] == '\n')
		len--;
	for (i = 0; i < OBJ_SYSLOGD_MAX; i++) {
		struct sl_srv *v = &s->srv[i];

		if (v->state == SL_OFF || !filter_takes(d, &v->cfg, m))
			continue;
		n = format_body(s, v, line, len, &parsed);
		if (n >= 0)
			n = frame(s, v, (int)m->level, (size_t)n);
		if (n < 0) {
			v->errors++;
			v->dropped++;
			continue;
		}
		q_push(v, s->rec, (size_t)n);
		srv_flush(v);
	}
}

/* ---- the loop ---- */

int syslogd_pollfds(struct daemon *d, struct pollfd *pfd, int max)
{
	struct syslogd *s = sync_config(d);
	unsigned int i;
	int n = 0;

	if (!s)
		return 0;
	for (i = 0; i < OBJ_SYSLOGD_MAX && n < max; i++) {
		struct sl_srv *v = &s->srv[i];
		short ev;

		if (v->fd < 0)
			continue;
		if (v->state == SL_CONNECTING)
			ev = POLLOUT;
		else if (v->state == SL_UP)
			/* TCP: a server that closes; UDP: ICMP errors */
			ev = (short)(POLLIN | (v->q_nr ? POLLOUT : 0));
		else
			continue;
		s->pfd_srv[n] = (int)i;
		pfd[n++] = (struct pollfd){ .fd = v->fd, .events = ev };
	}
	return n;
}

/*
 * A syslog server says nothing: what it sends is read and dropped (so the
 * fd does not stay readable). EOF ends a TCP link; an error ends either
 * (connected UDP reports the ICMP errors of earlier sends here).
 */
static void srv_readable(struct sl_srv *v)
{
	char buf[512];
	ssize_t n;
	int i;

	for (i = 0; i < 16; i++) {
		n = recv(v->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0)
			continue;
		if (n == 0 && is_tcp(v))
			srv_fail(v, "the server closed the connection", 0);
		else if (n < 0 && errno != EAGAIN && errno != EINTR)
			srv_fail(v, is_tcp(v) ? "connection" : "send", errno);
		return;
	}
}

void syslogd_handle(struct daemon *d, const struct pollfd *pfd, int n)
{
	struct syslogd *s = d->syslog;
	int i, err;
	socklen_t elen;

	for (i = 0; s && i < n; i++) {
		struct sl_srv *v = &s->srv[s->pfd_srv[i]];

		if (!pfd[i].revents || pfd[i].fd != v->fd)
			continue;
		if (v->state == SL_CONNECTING) {
			err = 0;
			elen = sizeof(err);
			if (getsockopt(v->fd, SOL_SOCKET, SO_ERROR, &err,
				       &elen))
				err = errno;
			if (err) {
				srv_fail(v, "connect", err);
				continue;
			}
			v->state = SL_UP;
		} else if (pfd[i].revents & (POLLIN | POLLERR | POLLHUP)) {
			srv_readable(v);
		}
		srv_flush(v);
	}
}

static void orphans_reap(struct syslogd *s)
{
	struct sl_lookup **pp = &s->orphans, *l;

	while ((l = *pp)) {
		if (gai_error(&l->cb) == EAI_INPROGRESS) {
			pp = &l->next;
			continue;
		}
		*pp = l->next;
		if (l->cb.ar_result)
			freeaddrinfo(l->cb.ar_result);
		free(l);
	}
}

void syslogd_tick(struct daemon *d)
{
	struct syslogd *s = sync_config(d);
	__u64 now = sa_mono_ms();
	unsigned int i;

	if (!s)
		return;
	orphans_reap(s);
	for (i = 0; i < OBJ_SYSLOGD_MAX; i++) {
		struct sl_srv *v = &s->srv[i];

		if (v->state == SL_WAIT && now >= v->retry.next_ms)
			srv_start(s, v);
		else if (v->state == SL_RESOLVING)
			srv_resolving(s, v, now);
		else if (v->state == SL_CONNECTING && now >= v->deadline_ms)
			srv_fail(v, "connect: no answer in 5 s", 0);
		srv_flush(v);
		srv_check_recovered(v, now);
	}
}

int syslogd_timeout_ms(struct daemon *d)
{
	struct syslogd *s = d->syslog;
	__u64 now = sa_mono_ms(), at = 0;
	unsigned int i;

	if (!s)
		return -1;
	for (i = 0; i < OBJ_SYSLOGD_MAX; i++) {
		const struct sl_srv *v = &s->srv[i];
		__u64 t = 0;

		if (v->state == SL_WAIT)
			t = v->retry.next_ms;
		else if (v->state == SL_CONNECTING)
			t = v->deadline_ms;
		else if (v->state == SL_RESOLVING)
			t = now + RESOLVE_POLL_MS;
		else
			t = recovery_at(v); /* srv_check_recovered() */
		if (t && (!at || t < at))
			at = t;
	}
	if (s->orphans && (!at || now + RESOLVE_POLL_MS < at))
		at = now + RESOLVE_POLL_MS;
	if (!at)
		return -1;
	return at <= now ? 0 : (int)(at - now);
}

static const char *state_name(const struct sl_srv *v)
{
	switch (v->state) {
	case SL_UP:
		if (v->stalled && v->q_nr)
			return "up (not reading)";
		return v->failing ? "up (recovering)" : "up";
	case SL_CONNECTING:
		return "connecting";
	case SL_RESOLVING:
		return "resolving";
	case SL_WAIT:
		return "down";
	default:
		return "off";
	}
}

void syslogd_status(struct daemon *d, FILE *out)
{
	struct syslogd *s = sync_config(d);
	char where[200];
	unsigned int i;

	for (i = 0; s && i < OBJ_SYSLOGD_MAX; i++) {
		const struct sl_srv *v = &s->srv[i];

		if (v->state == SL_OFF)
			continue;
		fprintf(out,
			"syslog: %s, format %s: %s; sent %llu, queued %zu, dropped %llu, errors %llu",
			srv_where(v, where, sizeof(where)),
			schema_syslog_formats[v->cfg.format], state_name(v),
			(unsigned long long)v->sent, v->q_nr,
			(unsigned long long)v->dropped,
			(unsigned long long)v->errors);
		if (v->err[0])
			fprintf(out, " (last: %s)", v->err);
		fputc('\n', out);
	}
}

/* The status's "syslog" array: the facts of syslogd_status(). */
void syslogd_status_json(struct daemon *d, FILE *out)
{
	struct syslogd *s = sync_config(d);
	unsigned int i, n = 0;

	fputc('[', out);
	for (i = 0; s && i < OBJ_SYSLOGD_MAX; i++) {
		const struct sl_srv *v = &s->srv[i];

		if (v->state == SL_OFF)
			continue;
		fprintf(out, "%s{\"name\":\"%s\",\"server\":", n++ ? "," : "",
			srv_names[v->idx]);
		diag_json_str(out, v->cfg.server);
		fprintf(out,
			",\"port\":%u,\"mode\":\"%s\",\"format\":\"%s\",\"state\":\"%s\",\"sent\":%llu,\"queued\":%zu,\"dropped\":%llu,\"errors\":%llu,\"last_error\":",
			v->cfg.port, schema_syslog_modes[v->cfg.mode],
			schema_syslog_formats[v->cfg.format], state_name(v),
			(unsigned long long)v->sent, v->q_nr,
			(unsigned long long)v->dropped,
			(unsigned long long)v->errors);
		diag_json_str(out, v->err[0] ? v->err : NULL);
		fputc('}', out);
	}
	fputc(']', out);
}

void syslogd_before_exec(struct daemon *d)
{
	struct syslogd *s = d->syslog;
	unsigned int i;

	for (i = 0; s && i < OBJ_SYSLOGD_MAX; i++) {
		struct sl_srv *v = &s->srv[i];
		char where[200];

		srv_flush(v);
		if (v->q_nr)
			daemon_msg(
				"syslog %s: %zu queued log lines not sent at the restart",
				srv_where(v, where, sizeof(where)), v->q_nr);
	}
}

void syslogd_close(struct daemon *d)
{
	struct syslogd *s = d->syslog;
	unsigned int i;

	if (!s)
		return;
	for (i = 0; i < OBJ_SYSLOGD_MAX; i++) {
		struct sl_srv *v = &s->srv[i];
		char where[200];

		srv_flush(v); /* what the socket takes now, without waiting */
		/* What a server down or slow never got is said, not dropped. */
		if (v->q_nr)
			daemon_msg(
				"syslog %s: %zu queued log lines not sent at exit",
				srv_where(v, where, sizeof(where)), v->q_nr);
		lookup_drop(s, v);
		srv_close(v);
		q_clear(v, false);
		free(v->q);
	}
	orphans_reap(s);
	if (s->orphans)
		return; /* glibc's thread may still write into them */
	free(s);
	d->syslog = NULL;
}

size_t syslogd_outputs(struct daemon *d, struct log_output_stat *out,
		       size_t max)
{
	size_t n = 0;
	unsigned int i;

	for (i = 0; d->syslog && i < OBJ_SYSLOGD_MAX && n < max; i++) {
		const struct sl_srv *v = &d->syslog->srv[i];

		if (!v->cfg.enabled)
			continue;
		out[n++] = (struct log_output_stat){ .name = srv_names[i],
						     .written = v->sent,
						     .lost = v->dropped,
						     .queued = v->q_bytes,
						     .failing = v->failing };
	}
	return n;
}
