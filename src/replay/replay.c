// SPDX-License-Identifier: GPL-2.0
/*
 * The replay loop: capture -> parse -> decide -> verdict line, or log
 * lines, trace lines and counters, exactly as the live system would.
 */
#include "replay/replay.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dataplane/host.h"
#include "dataplane/loader.h"
#include "dataplane/parse.h"
#include "dataplane/spi_table.h"
#include "ipsec/sa_file.h"
#include "log/counters.h"
#include "log/logevent.h"
#include "trace/flowtrace.h"
#include "replay/capture.h"
#include "replay/fit.h"

/* --verdicts lines gathered in vbuf, written VBUF_SIZE at most at once. */
#define VBUF_SIZE (64 * 1024)
/*
 * put_verdict() copies each piece as a block of a fixed size (an inline
 * copy, where one of the piece's length was a call to memcpy), the
 * bytes past the piece overwritten by the next: a line (a 20-digit and a
 * 10-digit number, a mid of at most 47 bytes) writes at most 20 + 47 + 24
 * bytes into the buffer.
 */
#define VNUM_SIZE 24
#define VERDICT_MAX 128

struct replay {
	struct pipeline *p;
	const struct replay_opts *o;
	FILE *out;
	struct li_host host;
	struct spi_table sas;
	struct log_emitter log;
	struct flow_trace_budget budget;
	__s64 minute; /* local minute the active masks were computed for */
	__u64 minute_ns[2]; /* [from, to): its UTC minute, ns (0, 0: none) */
	unsigned long long packets, accepted, dropped; /* packets: records */
	__u64 by_reason[LI_R_MAX];
	unsigned long long skipped[FIT_NR]; /* by why; [FIT_OK]: all */
	struct fitter fit;
	__u64 *hits[2]; /* per policy index and family */
	/* --engine xdp: the program, and the interface names given to it */
	struct li_loader *xdp;
	const char **ifnames;
	size_t nr_ifnames;
	/* Sessions (session.h): the next expiry walk, what ended meanwhile */
	__u64 next_sweep_ns;
	__u64 last_ns; /* the time of the packet last read */
	struct ended *ended;
	size_t nr_ended, cap_ended;
	unsigned long long from_local, sess_opened, sess_logged,
		sess_open_at_end, sess_in_ended;
	/* to a link-local address the gateway's are not known to hold */
	unsigned long long ll_unknown;
	/*
	 * owner_of()'s IPv4 side: each address and broadcast, config order,
	 * then the IPv4 ones of own_arg; own4_none: where none is it
	 */
	struct owner4 *own4;
	size_t nr_own4;
	const char *own4_none;
	/* --local, --link-local ADDR%IFNAME: the interface of each */
	struct owner_arg *own_arg;
	size_t nr_own_arg;
	/* --verdicts: lines gathered for one write, " drop REASON " etc. */
	char *vbuf;
	size_t vlen;
	/* the decimal of the packet number vnum_of, vnum_len digits */
	char vnum[VNUM_SIZE];
	size_t vnum_len;
	unsigned long long vnum_of;
	struct verdict_mid
		*mid; /* [2 * LI_R_MAX]: [drop * LI_R_MAX + reason] */
	/* the packet in hand was judged in full: its verdict may name an SA */
	bool judged;
};

struct verdict_mid {
	char s[48];
	size_t len;
};

/* An address --local or --link-local gave with its interface's name. */
struct owner_arg {
	int family;
	__u32 addr[4];	  /* network order; IPv4 in addr[0] */
	const char *name; /* the config's interface's */
};

/* An IPv4 address of an interface (network order), or its broadcast. */
struct owner4 {
	__u32 addr;
	const char *name;
};

/* A session that ended, until the walk's end sorts them by time. */
struct ended {
	struct li_sess_key k;
	struct li_sess s;
	const char *ifname;
	__u64 end_ns;
};

/* Sessions are walked for their end once per second of capture time. */
#define SWEEP_NS 1000000000ull

/* Made-up interface indices for capture names (see li_loader_test_run). */
#define XDP_IFINDEX_BASE 1000
/*
 * The names whose classes the program holds in a replay: those with an
 * index in its array, then its hash's (one ruleset, so one set of it).
 */
#define XDP_IFNAMES_MAX (LI_IFC_ARRAY - XDP_IFINDEX_BASE + LI_IFC_HASH_MAX)

static int add_owner_arg(struct replay *r, const char *opt, int family,
			 const __u32 *a, const char *tok, const char *ifname);

/*
 * `--local 192.0.2.1,2001:db8::1`: the gateway's addresses;
 * `203.0.113.7%wan1`: and the interface it is on (owner_of()).
 */
static int add_locals(struct replay *r, const char *list)
{
	char *copy = strdup(list), *tok, *save = NULL, *pct;
	int err = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok && !err;
	     tok = strtok_r(NULL, ",", &save)) {
		__u32 a[4] = { 0 };
		int family = 0;

		pct = strchr(tok, '%');
		if (pct)
			*pct++ = '\0';
		if (inet_pton(AF_INET, tok, a) == 1)
			family = 4;
		else if (inet_pton(AF_INET6, tok, a) == 1)
			family = 6;
		if (!family) {
			diag_error(&r->p->diags, NULL,
				   "--local: invalid address \"%s\"", tok);
			err = -EINVAL;
			break;
		}
		if (pct)
			err = add_owner_arg(r, "--local", family, a, tok, pct);
		if (!err)
			err = li_host_add_local(&r->host, family, a, false);
	}
	free(copy);
	return err;
}

/* Without --local: the addresses of `config system interface`. */
static int add_config_locals(struct replay *r)
{
	const struct obj_config *c = &r->p->objs;
	size_t i, j;
	int err = 0;

	for (i = 0; i < c->nr_intfs && !err; i++) {
		const struct obj_intf *in = c->intfs[i];

		if (in->ip4)
			err = li_host_add_ip4_subnet(&r->host, htonl(in->ip4),
						     in->ip4_prefixlen);
		for (j = 0; j < in->nr_ip4_sec && !err; j++)
			err = li_host_add_ip4_subnet(&r->host,
						     htonl(in->ip4_sec[j].addr),
						     in->ip4_sec[j].prefixlen);
		for (j = 0; j < in->nr_ip6 && !err; j++) {
			__u32 a[4], ac[4];
			ip_u128 v = in->ip6[j].addr;
			int k;

			for (k = 3; k >= 0; k--, v >>= 32)
				a[k] = htonl((__u32)v);
			err = li_host_add_local(&r->host, 6, a, false);
			/* As the daemon: host.h li_ip6_subnet_anycast. */
			if (!err &&
			    li_ip6_subnet_anycast(a, in->ip6[j].prefixlen, ac))
				err = li_host_add_local(&r->host, 6, ac, false);
		}
	}
	return err;
}

/* Is the IPv6 address @a (network order) in fe80::/10? */
static bool is_link_local6(const __u32 *a)
{
	const __u8 *b = (const __u8 *)a;

	return b[0] == 0xfe && (b[1] & 0xc0) == 0x80;
}

/* The config's interface named @name (its own pointer), or NULL. */
static const char *config_intf(const struct replay *r, const char *name)
{
	const struct obj_config *c = &r->p->objs;
	size_t i;

	for (i = 0; i < c->nr_intfs; i++)
		if (!strcmp(c->intfs[i]->name, name))
			return c->intfs[i]->name;
	return NULL;
}

/* fe80::1%wan1, 192.0.2.7%wan1: the address's interface, for owner_of(). */
static int add_owner_arg(struct replay *r, const char *opt, int family,
			 const __u32 *a, const char *tok, const char *ifname)
{
	const char *name = config_intf(r, ifname);
	struct owner_arg *n;

	if (!name) {
		diag_error(
			&r->p->diags, NULL,
			"%s: \"%s\" of \"%s\" is no interface of config system interface",
			opt, ifname, tok);
		return -EINVAL;
	}
	n = realloc(r->own_arg, (r->nr_own_arg + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	r->own_arg = n;
	n += r->nr_own_arg++;
	n->family = family;
	memcpy(n->addr, a, sizeof(n->addr));
	n->name = name;
	return 0;
}

/*
 * `--link-local fe80::1,fe80::2/64`: the gateway's IPv6 link-local
 * addresses. No config names them (the kernel makes one on every
 * interface), and the daemon takes them from the kernel with the rest
 * (links.c): without them, NDP, OSPFv3, DHCPv6 and SSH to fe80:: would
 * be "not for the gateway" here where the daemon judges them. Each with
 * its subnet-router anycast, as the daemon adds (locals.c); the length
 * is the kernel's /64 unless given. `fe80::1%wan1` says its interface,
 * where packets to it arrive (owner_of()).
 */
static int add_link_locals(struct replay *r, const char *list)
{
	char *copy = strdup(list), *tok, *save = NULL, *slash, *end, *pct;
	int err = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok && !err;
	     tok = strtok_r(NULL, ",", &save)) {
		__u32 a[4] = { 0 }, ac[4];
		unsigned long len = 64;

		slash = strchr(tok, '/');
		if (slash) {
			*slash = '\0';
			errno = 0;
			len = strtoul(slash + 1, &end, 10);
			if (!slash[1] || *end || errno || len > 128) {
				diag_error(
					&r->p->diags, NULL,
					"--link-local: invalid prefix length \"%s\" of \"%s\"",
					slash + 1, tok);
				err = -EINVAL;
				break;
			}
		}
		pct = strchr(tok, '%');
		if (pct)
			*pct++ = '\0';
		if (inet_pton(AF_INET6, tok, a) != 1 || !is_link_local6(a)) {
			diag_error(
				&r->p->diags, NULL,
				"--link-local: \"%s\" is not an IPv6 link-local address (fe80::/10)",
				tok);
			err = -EINVAL;
			break;
		}
		if (pct)
			err = add_owner_arg(r, "--link-local", 6, a, tok, pct);
		if (!err)
			err = li_host_add_local(&r->host, 6, a, false);
		if (!err && li_ip6_subnet_anycast(a, (unsigned int)len, ac))
			err = li_host_add_local(&r->host, 6, ac, false);
	}
	free(copy);
	return err;
}

/* @ip (host order) and its subnet's broadcast belong to @name. */
static void add_owner4(struct replay *r, uint32_t ip, unsigned int plen,
		       const char *name)
{
	__u32 bc;

	r->own4[r->nr_own4++] = (struct owner4){ htonl(ip), name };
	if (li_ip4_broadcast(ip, plen, &bc))
		r->own4[r->nr_own4++] = (struct owner4){ htonl(bc), name };
}

/*
 * The IPv4 addresses owner_of() compares, once: the first interface
 * whose address or broadcast a packet is sent to owns it, so the list
 * keeps the config's order; then the IPv4 addresses of --local ADDR%NAME,
 * as owner_of_arg() tries them next, and what it answers for the rest.
 * One loop a packet then, and no call (replay's cost is per packet).
 */
static int owners4(struct replay *r)
{
	const struct obj_config *c = &r->p->objs;
	size_t i, j, n = 0;

	for (i = 0; i < c->nr_intfs; i++)
		n += 1 + c->intfs[i]->nr_ip4_sec;
	r->own4 = calloc(2 * n + r->nr_own_arg + 1, sizeof(*r->own4));
	if (!r->own4)
		return -ENOMEM;
	for (i = 0; i < c->nr_intfs; i++) {
		const struct obj_intf *in = c->intfs[i];

		if (in->ip4)
			add_owner4(r, in->ip4, in->ip4_prefixlen, in->name);
		for (j = 0; j < in->nr_ip4_sec; j++)
			add_owner4(r, in->ip4_sec[j].addr,
				   in->ip4_sec[j].prefixlen, in->name);
	}
	for (i = 0; i < r->nr_own_arg; i++)
		if (r->own_arg[i].family == 4)
			r->own4[r->nr_own4++] =
				(struct owner4){ r->own_arg[i].addr[0],
						 r->own_arg[i].name };
	r->own4_none = c->nr_intfs == 1 ? c->intfs[0]->name : NULL;
	return 0;
}

/*
 * A destination no address of the config's interfaces is: the
 * interface --local or --link-local gave it (ADDR%NAME), else the
 * config's one interface, when it has one, as a gateway with one
 * interface receives everything there (255.255.255.255, multicast,
 * fe80::, an address of --local); else none. Without one, no policy of
 * an interface matched a packet to the gateway the daemon, which knows
 * where it arrived, judged there: SSH to fe80::1 or to a --local
 * address under a deny-all on wan1 replayed as an implicit accept.
 */
static const char *owner_of_arg(const struct replay *r, const struct li_pkt *p)
{
	const struct obj_config *c = &r->p->objs;
	size_t i;

	for (i = 0; i < r->nr_own_arg; i++) {
		const struct owner_arg *o = &r->own_arg[i];

		if (o->family == p->family &&
		    !memcmp(p->daddr, o->addr, p->family == 4 ? 4 : 16))
			return o->name;
	}
	return c->nr_intfs == 1 ? c->intfs[0]->name : NULL;
}

/* The configured interface that owns @p's destination, or NULL. */
static const char *owner_of(const struct replay *r, const struct li_pkt *p)
{
	const struct obj_config *c = &r->p->objs;
	size_t i, j;

	if (p->family == 4) {
		for (i = 0; i < r->nr_own4; i++)
			if (p->daddr[0] == r->own4[i].addr)
				return r->own4[i].name;
		return r->own4_none; /* owner_of_arg()'s, in own4 */
	}
	for (i = 0; i < c->nr_intfs; i++) {
		const struct obj_intf *in = c->intfs[i];

		for (j = 0; p->family == 6 && j < in->nr_ip6; j++) {
			unsigned int len = in->ip6[j].prefixlen;
			ip_u128 v = 0,
				mask = len ? ~(ip_u128)0 << (128 - len) : 0;
			int k;

			for (k = 0; k < 4; k++)
				v = v << 32 | ntohl(p->daddr[k]);
			if (v == in->ip6[j].addr)
				return in->name;
			/* its subnet's anycast (host.h li_ip6_subnet_anycast) */
			if (len < 127 && v && v == (in->ip6[j].addr & mask))
				return in->name;
		}
	}
	return owner_of_arg(r, p);
}

/*
 * Schedules are read in the config's zone (main set TZ), per minute. The
 * zone lookup is the dearest step of a replay, so it runs only when a
 * packet leaves the UTC minute of the previous one (zones are whole,
 * half or quarter hours off UTC: a UTC minute is one local minute).
 */
static void update_time(struct replay *r, __u64 ts_ns)
{
	time_t t;
	int64_t m;
	int sec;

	if (ts_ns >= r->minute_ns[0] && ts_ns < r->minute_ns[1])
		return;
	t = (time_t)(ts_ns / 1000000000ull);
	if (local_minutes(t, &m, &sec))
		return;
	r->minute_ns[0] = (__u64)(t - sec) * 1000000000ull;
	r->minute_ns[1] = r->minute_ns[0] + 60 * 1000000000ull;
	if (m != r->minute) {
		r->minute = m;
		li_host_set_time(&r->host, m);
		if (r->xdp) {
			li_loader_set_active(r->xdp, 4, r->host.active[0],
					     r->p->rs.v4.bm_words);
			li_loader_set_active(r->xdp, 6, r->host.active[1],
					     r->p->rs.v6.bm_words);
		}
	}
}

/*
 * A first packet the policies judge has a session id in its trace and
 * log line even when it opened no session (denied): from the engine's
 * counter, as the XDP program takes one for an event it sends.
 */
static void need_sess_id(struct replay *r, struct li_verdict *v)
{
	if (!v->sess_id &&
	    (v->reason == LI_R_POLICY || v->reason == LI_R_IMPLICIT))
		v->sess_id = r->xdp ? li_loader_sess_id(r->xdp) :
				      li_host_sess_id(&r->host);
}

/*
 * The SA the verdict of the packet in hand names, for its log or trace
 * line (li_host_sa(): the decision's own probe, also for --engine xdp),
 * looked up only for a packet that may have a line: a replay writes one
 * for few of its packets, and the probe cost more than the line's test.
 */
static const struct sa_entry *packet_sa(const struct replay *r,
					const struct li_pkt *p,
					const struct li_verdict *v)
{
	return r->judged && v->sa_id ? li_host_sa(&r->host, p, v) : NULL;
}

static void emit_logs(struct replay *r, const struct li_pkt *p,
		      struct li_verdict *v, const char *ifname, __u64 ts_ns)
{
	/* r->log.rs is r->p->rs: asked once for both */
	bool traffic = log_traffic_wanted(&r->p->rs, p, v);
	const struct sa_entry *sa = NULL;
	char line[LOG_LINE_MAX];

	if (traffic)
		need_sess_id(r, v);
	/* What log_emit_line_wanted() writes a line for; no SA for the rest */
	if (traffic || v->reason == LI_R_ESP_UNKNOWN_SPI ||
	    v->reason == LI_R_ESP_WRONG_PEER)
		sa = packet_sa(r, p, v);
	if (log_emit_line_wanted(&r->log, p, v, traffic, ifname, sa, ts_ns,
				 line, sizeof(line)) > 0)
		fprintf(r->out, "%s\n", line);
}

static void emit_trace(struct replay *r, const struct li_pkt *p,
		       struct li_verdict *v, const char *ifname, bool local_out,
		       __u64 ts_ns)
{
	struct flow_trace_pkt t = {
		.pkt = p,
		.verdict = v,
		.ifname = ifname,
		.vd = r->p->objs.vdom,
		.time_ns = ts_ns,
		.local_out = local_out,
	};
	const struct sa_entry *sa;

	if (!flow_trace_want(r->o->filter, &r->budget, p, &t.trace_id))
		return;
	sa = packet_sa(r, p, v);
	t.tunnel = sa && sa->tunnel[0] ? sa->tunnel : NULL;
	need_sess_id(r, v);
	flow_trace_print(r->out, &t);
}

static void on_ended(void *arg, const struct li_sess_key *k,
		     const struct li_sess *s, const char *ifname, __u64 end_ns)
{
	struct replay *r = arg;
	struct ended *e;

	if (s->origin == LI_SESS_IN)
		r->sess_in_ended++;
	/* Only inbound sessions that asked for it have an end line. */
	if (!(s->flags & LI_SESS_LOG) || s->origin != LI_SESS_IN)
		return;
	if (r->nr_ended == r->cap_ended) {
		size_t cap = r->cap_ended ? r->cap_ended * 2 : 64;

		e = realloc(r->ended, cap * sizeof(*e));
		if (!e)
			return; /* the line is lost, the replay goes on */
		r->ended = e;
		r->cap_ended = cap;
	}
	e = &r->ended[r->nr_ended++];
	e->k = *k;
	e->s = *s;
	e->ifname = ifname;
	e->end_ns = end_ns;
}

static int by_end(const void *a, const void *b)
{
	const struct ended *x = a, *y = b;

	if (x->end_ns != y->end_ns)
		return x->end_ns < y->end_ns ? -1 : 1;
	return x->s.id < y->s.id ? -1 : x->s.id > y->s.id;
}

/* --engine xdp: the sessions of the program's map that ended. */
struct xdp_sweep {
	struct replay *r;
	__u64 now_ns;
	bool all;
};

static int xdp_ended(void *arg, const struct li_sess_key *k,
		     const struct li_sess *s)
{
	struct xdp_sweep *w = arg;
	struct replay *r = w->r;
	__u32 i = s->ifindex - XDP_IFINDEX_BASE;
	__u64 end;

	if (!w->all && li_sess_live(k, s, w->now_ns))
		return 0;
	end = s->flags & LI_SESS_CUT ? w->now_ns :
				       s->last_ns + li_sess_timeout_ns(k, s);
	/* The made-up index the test run gave (xdp_ifindex()). */
	on_ended(r, k, s, i < r->nr_ifnames ? r->ifnames[i] : NULL, end);
	li_loader_sess_delete(r->xdp, k);
	return 0;
}

/*
 * The end lines of the sessions that ended by @now_ns (all of them at the
 * end of the capture: as they would time out), in the order they ended.
 */
static void sessions_end(struct replay *r, __u64 now_ns, bool all)
{
	struct xdp_sweep w = { .r = r, .now_ns = now_ns, .all = all };
	char line[LOG_LINE_MAX];
	size_t i;

	r->nr_ended = 0;
	r->sess_in_ended = 0;
	if (r->xdp)
		li_loader_sess_walk(r->xdp, xdp_ended, &w);
	else
		li_host_sess_expire(&r->host, now_ns, all, on_ended, r);
	/* Inbound ones: the gateway's own have no end lines to explain. */
	if (all)
		r->sess_open_at_end = r->sess_in_ended;
	if (r->o->verdicts) /* a verdict line a packet, nothing else */
		return;
	if (r->nr_ended) /* qsort() wants a buffer, even for nothing */
		qsort(r->ended, r->nr_ended, sizeof(*r->ended), by_end);
	for (i = 0; i < r->nr_ended; i++) {
		const struct ended *e = &r->ended[i];
		struct log_sess_end se = {
			.k = &e->k,
			.s = &e->s,
			.ifname = e->ifname,
			.start_ns = e->s.first_ns,
			.end_ns = e->end_ns,
			.same_config = true,
		};

		if (log_emit_session_end(&r->log, &se, line, sizeof(line)) >
		    0) {
			fprintf(r->out, "%s\n", line);
			r->sess_logged++;
		}
	}
}

/* Decimal digits of @v at the end of @end; returns where they start. */
static char *utoa_back(char *end, unsigned long long v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

/* " accept REASON " and " drop REASON " for every reason, once. */
static int verdict_mids(struct replay *r)
{
	unsigned int drop, reason;

	r->vbuf = malloc(VBUF_SIZE);
	r->mid = calloc(2 * LI_R_MAX, sizeof(*r->mid));
	if (!r->vbuf || !r->mid)
		return -ENOMEM;
	for (drop = 0; drop < 2; drop++)
		for (reason = 0; reason < LI_R_MAX; reason++) {
			struct verdict_mid *m =
				&r->mid[drop * LI_R_MAX + reason];
			int n = snprintf(m->s, sizeof(m->s), " %s %s ",
					 drop ? "drop" : "accept",
					 li_reason_name(reason));

			if (n < 0 || (size_t)n >= sizeof(m->s))
				return -EINVAL;
			m->len = (size_t)n;
		}
	return 0;
}

static void verdicts_flush(struct replay *r)
{
	if (r->vlen)
		fwrite_unlocked(r->vbuf, 1, r->vlen, r->out);
	r->vlen = 0;
}

/*
 * r->vnum as the decimal of @n: the last one plus one in place (the
 * lines count packets one by one: a digit or two, where converting took
 * seven divisions), else converted.
 */
static void verdict_number(struct replay *r, unsigned long long n)
{
	char num[VNUM_SIZE], *d;
	size_t i;

	if (n == r->vnum_of + 1 && r->vnum_len) {
		for (i = r->vnum_len; i-- > 0 && r->vnum[i] == '9';)
			r->vnum[i] = '0';
		if (i < r->vnum_len) {
			r->vnum[i]++;
		} else { /* 99 -> 100 */
			r->vnum[0] = '1';
			r->vnum[r->vnum_len++] = '0';
		}
	} else {
		d = utoa_back(num + sizeof(num), n);
		r->vnum_len = (size_t)(num + sizeof(num) - d);
		memcpy(r->vnum, d, r->vnum_len);
	}
	r->vnum_of = n;
}

/*
 * `N accept|drop REASON POLICY`: one line per packet, so built by hand
 * (printf's format parsing costs more per line than the decision), and
 * written many lines at a time.
 */
static void put_verdict(struct replay *r, unsigned long long n,
			const struct li_verdict *v)
{
	const struct verdict_mid *m;
	char num[2 * VNUM_SIZE], *p, *d;

	if (r->vlen > VBUF_SIZE - VERDICT_MAX)
		verdicts_flush(r);
	p = r->vbuf + r->vlen;
	verdict_number(r, n);
	memcpy(p, r->vnum, VNUM_SIZE);
	p += r->vnum_len;
	if (v->reason < LI_R_MAX) {
		m = &r->mid[(v->drop ? LI_R_MAX : 0) + v->reason];
		memcpy(p, m->s, sizeof(m->s));
		p += m->len;
	} else { /* li_reason_name() has "?" for it */
		memcpy(p, v->drop ? " drop ? " : " accept ? ",
		       v->drop ? 8 : 10);
		p += v->drop ? 8 : 10;
	}
	/* right-aligned at VNUM_SIZE: a block of VNUM_SIZE from d is in num */
	d = utoa_back(num + VNUM_SIZE, v->policy_id);
	memcpy(p, d, VNUM_SIZE);
	p += num + VNUM_SIZE - d;
	*p++ = '\n';
	r->vlen = (size_t)(p - r->vbuf);
}

/* `N skip WHY 0`: a record neither engine judges (fit.h). */
static void skip(struct replay *r, enum fit_skip why)
{
	r->packets++;
	r->skipped[FIT_OK]++;
	r->skipped[why]++;
	if (r->o->verdicts) {
		verdicts_flush(r); /* the lines before it first */
		fprintf(r->out, "%llu skip %s 0\n", r->packets,
			fit_skip_name(why));
	}
}

/* hits[] are there from setup() on. */
static void count(struct replay *r, const struct li_pkt *p,
		  const struct li_verdict *v)
{
	r->packets++;
	if (v->drop)
		r->dropped++;
	else
		r->accepted++;
	r->by_reason[v->reason]++;
	if (v->reason == LI_R_POLICY && v->policy_idx >= 0)
		r->hits[p->family == 6][v->policy_idx]++;
	if (v->sess == LI_VS_NEW)
		r->sess_opened++;
}

static void summary(struct replay *r)
{
	const struct li_ruleset *rs = &r->p->rs;
	struct li_counts counts;
	char buf[512];
	int fam;

	fprintf(r->out, "replay: %llu packets, %llu accepted, %llu dropped",
		r->packets, r->accepted, r->dropped);
	if (r->skipped[FIT_OK])
		fprintf(r->out, ", %llu skipped", r->skipped[FIT_OK]);
	fputc('\n', r->out);
	counts.rs = rs;
	counts.by_reason = r->by_reason;
	for (fam = 0; fam < 2; fam++) {
		counts.hits[fam] = r->hits[fam];
		counts.nr_hits[fam] =
			fam ? rs->v6.nr_policies : rs->v4.nr_policies;
	}
	li_counts_print(r->out, &counts, LI_COUNTS_REPLAY);
	if (r->skipped[FIT_RUNT])
		fprintf(r->out,
			"  shorter than an Ethernet header (skipped): %llu\n",
			r->skipped[FIT_RUNT]);
	if (r->skipped[FIT_CUT_SHORT])
		fprintf(r->out,
			"  cut short by the capture inside the headers (skipped): %llu\n",
			r->skipped[FIT_CUT_SHORT]);
	if (r->skipped[FIT_TOO_LONG])
		fprintf(r->out,
			"  over %d bytes, the first %d do not decide (skipped): %llu\n",
			LI_TEST_RUN_MAX, LI_TEST_RUN_MAX,
			r->skipped[FIT_TOO_LONG]);
	if (r->skipped[FIT_LOOPBACK])
		fprintf(r->out,
			"  on loopback, which localin is never on (skipped): %llu\n",
			r->skipped[FIT_LOOPBACK]);
	if (r->from_local)
		fprintf(r->out,
			"  from the gateway's own addresses (open or keep sessions): %llu\n",
			r->from_local);
	if (r->ll_unknown)
		fprintf(r->out,
			"  to link-local addresses not known as the gateway's (passed as not for it; the daemon knows its own: --link-local): %llu\n",
			r->ll_unknown);
	if (r->sess_opened)
		fprintf(r->out,
			"  sessions opened by accepted first packets: %llu, still open at the end of the capture: %llu (end lines as they would time out)\n",
			r->sess_opened, r->sess_open_at_end);
	if (rl_summary(&r->log.rl, buf, sizeof(buf)) > 0)
		fprintf(r->out, "  log lines written: %llu; %s\n",
			(unsigned long long)r->log.lines, buf);
}

/* --engine xdp: the program loaded (not attached), fed what host got. */
static int setup_xdp(struct replay *r)
{
	int err;

	if (geteuid() != 0) {
		diag_error(&r->p->diags, NULL,
			   "--engine xdp: loading the XDP program needs root");
		return -EPERM;
	}
	err = li_loader_open_for(&r->xdp, NULL, false, &r->p->rs);
	if (!err)
		err = li_loader_set_ruleset(r->xdp, &r->p->rs);
	if (!err)
		err = li_loader_set_locals(r->xdp, r->host.locals,
					   r->host.nr_locals, NULL);
	if (err > 0) /* the host's table refused them first */
		err = -ENOSPC;
	if (!err) {
		li_loader_set_ike_gate(r->xdp, true); /* as the host (setup) */
		err = li_loader_set_sas(r->xdp, &r->sas);
	}
	if (err)
		diag_error(&r->p->diags, NULL,
			   "--engine xdp: cannot load the XDP program: %s",
			   strerror(-err));
	return err;
}

/*
 * The made-up index of interface @name for test runs (0: none). One the
 * program cannot class is an error: judged as on an interface no policy
 * names, its packets got verdicts the daemon would not give, silently.
 */
static int xdp_ifindex(struct replay *r, const char *name)
{
	const char **n;
	size_t i;
	int err;

	if (!name)
		return 0;
	for (i = 0; i < r->nr_ifnames; i++)
		if (!strcmp(r->ifnames[i], name))
			return XDP_IFINDEX_BASE + (int)i;
	n = realloc(r->ifnames, (r->nr_ifnames + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	r->ifnames = n;
	n[r->nr_ifnames] = name;
	i = r->nr_ifnames++;
	err = li_loader_set_interface(r->xdp, XDP_IFINDEX_BASE + (int)i, name);
	/* A name no policy could use (too long) stays "other", as on host. */
	if (err == -EINVAL)
		return 0;
	if (err == -ENOSPC)
		diag_error(
			&r->p->diags, NULL,
			"%s: packet %llu: --engine xdp: interface \"%s\": the XDP program holds the classes of %d interface names in a replay, and this is name %zu (--engine host has no such limit)",
			r->o->capture, r->packets + 1, name, XDP_IFNAMES_MAX,
			i + 1);
	else if (err)
		diag_error(
			&r->p->diags, NULL,
			"%s: packet %llu: --engine xdp: interface \"%s\": %s",
			r->o->capture, r->packets + 1, name, strerror(-err));
	return err ?: XDP_IFINDEX_BASE + (int)i;
}

/*
 * One packet through the program, as fit_record() cut it: its facts
 * replace fit->pkt (as of the whole frame again).
 */
static int decide_xdp(struct replay *r, const struct capture_pkt *cp,
		      struct fit *fit, const char *ifname, struct li_verdict *v)
{
	int ifindex = xdp_ifindex(r, ifname), err;
	struct li_pkt *pkt = &fit->pkt;

	if (ifindex < 0)
		return ifindex;
	li_loader_set_test_time(r->xdp, cp->ts_ns);
	err = li_loader_test_run(r->xdp, fit->xdp, fit->xdp_len, ifindex, pkt,
				 v);
	if (err) {
		diag_error(&r->p->diags, NULL,
			   "%s: packet %llu (%u bytes): XDP test run: %s",
			   r->o->capture, r->packets + 1, fit->xdp_len,
			   strerror(-err));
		return err;
	}
	fit_restore(fit, pkt);
	return 0;
}

/*
 * A packet from the gateway's own address, through the egress half, at
 * @ts_ns (no ingress run before it has set the program's clock).
 */
static int egress(struct replay *r, struct fit *fit, __u64 ts_ns)
{
	int err;

	if (!r->xdp) {
		struct li_pkt out = fit->pkt;

		/* IKE to a NATed peer's port: by its source (the program's) */
		if (li_ike_out_maybe(&out, &r->fit.natt))
			li_parse_wire_out(fit->frame, fit->frame + fit->len,
					  fit->len, 0, &r->fit.natt, &out);
		li_host_egress(&r->host, &out);
		return 0;
	}
	li_loader_set_test_time(r->xdp, ts_ns);
	err = li_loader_test_run_egress(r->xdp, fit->xdp, fit->xdp_len);
	if (err)
		diag_error(&r->p->diags, NULL,
			   "%s: packet %llu (%u bytes): egress test run: %s",
			   r->o->capture, r->packets + 1, fit->xdp_len,
			   strerror(-err));
	return err;
}

static int setup(struct replay *r)
{
	const struct li_ruleset *rs = &r->p->rs;
	int fam, err;

	spi_table_init(&r->sas);
	err = fitter_init(&r->fit);
	if (err)
		return err;
	if (r->o->sa_file) {
		err = sa_file_load(&r->sas, &r->p->arena, r->o->sa_file, 0,
				   &r->p->diags);
		if (err)
			return err;
	}
	err = li_host_init(&r->host, rs, &r->sas);
	if (err)
		return err;
	/* parsed with the SAs' NAT-T ports, as the XDP program parses */
	r->fit.natt = r->host.natt;
	if (r->host.natt_over)
		diag_warn(
			&r->p->diags, NULL,
			"%s: the SAs use more than %d NAT-T ports besides 4500: ESP in UDP to port %u is not SPI-checked",
			r->o->sa_file, LI_NATT_EXTRA, r->host.natt_over);
	/*
	 * IKE windows as the daemon opens them on a gateway whose every
	 * interface has the egress program (sa_slot.h LI_SAS_IKE_GATE): on
	 * the gateway's own IKE in the capture, which a capture on the
	 * gateway holds (both directions).
	 */
	li_host_set_ike_gate(&r->host, true);
	if (!err) /* as the XDP program decides */
		err = li_host_use_phase(&r->host, true);
	if (!err)
		err = li_host_use_hint(&r->host, true);
	if (err)
		return err;
	err = r->o->locals ? add_locals(r, r->o->locals) : add_config_locals(r);
	if (!err && r->o->link_locals)
		err = add_link_locals(r, r->o->link_locals);
	if (err == -ENOSPC) /* as the XDP program's loader would refuse them */
		diag_error(
			&r->p->diags, NULL,
			"%s: the locals table cannot hold the gateway's addresses (one would sit %d or more slots from its home)",
			r->o->link_locals ? "--local, --link-local" :
			r->o->locals	  ? "--local" :
					    "config system interface",
			LI_LOCAL_PROBES);
	if (err)
		return err;
	for (fam = 0; fam < 2; fam++) {
		const struct li_family *f = fam ? &rs->v6 : &rs->v4;

		r->hits[fam] = calloc(f->nr_policies + 1, sizeof(**r->hits));
		if (!r->hits[fam])
			return -ENOMEM;
	}
	err = owners4(r);
	if (!err && r->o->verdicts)
		err = verdict_mids(r);
	if (err)
		return err;
	err = log_emitter_init(&r->log, NULL);
	if (err)
		return err;
	log_emitter_set_config(&r->log, rs, &r->p->objs);
	r->log.ctx.devid = r->o->devid;
	flow_trace_budget_init(&r->budget);
	if (r->o->trace)
		flow_trace_start(&r->budget,
				 r->o->trace_count ? r->o->trace_count : ~0u);
	r->minute = -1;
	return r->o->xdp ? setup_xdp(r) : 0;
}

static void teardown(struct replay *r)
{
	li_loader_close(r->xdp);
	fitter_free(&r->fit);
	free(r->ifnames);
	free(r->ended);
	free(r->own4);
	free(r->own_arg);
	free(r->vbuf);
	free(r->mid);
	log_emitter_release(&r->log);
	free(r->hits[0]);
	free(r->hits[1]);
	li_host_free(&r->host);
	spi_table_free(&r->sas);
}

/*
 * --timing: what the packets took since @t0, the loop's start (reading,
 * deciding, counting, logging), on stderr: the figure a benchmark wants,
 * without the config's load and compile, which grow with its size and
 * vary from run to run by more than a million packets take.
 */
static void timing(const struct replay *r, const struct timespec *t0)
{
	struct timespec t1;
	double s;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
	fprintf(stderr,
		"replay: %llu packets in %.6f s: %.1f ns a packet (the config's load not counted)\n",
		r->packets, s, r->packets ? s * 1e9 / (double)r->packets : 0);
}

int replay_run(struct pipeline *p, const struct replay_opts *o, FILE *out)
{
	struct replay r = { .p = p, .o = o, .out = out };
	struct capture *cap = NULL;
	struct capture_pkt cp;
	struct timespec t0;
	/* Read once: a store through a pointer would read them again */
	const bool verdicts = o->verdicts, trace = o->trace, xdp = o->xdp;
	const char *const intf = o->intf;
	int ret;

	ret = setup(&r);
	if (ret)
		goto out;
	ret = capture_open(o->capture, &cap, &p->diags);
	if (ret)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((ret = capture_next(cap, &cp, &p->diags)) > 0) {
		struct li_verdict v;
		struct fit fit;
		struct li_pkt *pkt = &fit.pkt;
		const char *ifname;
		enum fit_skip why;
		bool local_out;
		int nonlocal;

		/*
		 * A time of 0 reads as "none" in the XDP program (the kernel's
		 * clock then): both engines get 1 ns, the same second.
		 */
		if (!cp.ts_ns)
			cp.ts_ns = 1;
		/*
		 * The gateway's talk to itself on lo (tcpdump -i any): the
		 * data path is never on loopback, so the daemon judges none
		 * of it, and judged here a deny-all dropped and logged it.
		 */
		why = cp.loopback ? FIT_LOOPBACK :
				    fit_record(&r.fit, &cp, &fit);
		if (why != FIT_OK) {
			skip(&r, why);
			continue;
		}
		ifname = cp.ifname ? cp.ifname :
			 intf	   ? intf :
				     owner_of(&r, pkt);
		li_host_set_ifname(&r.host, ifname);
		update_time(&r, cp.ts_ns);
		li_host_set_now(&r.host, cp.ts_ns);
		/*
		 * A packet more than a second before the one before it is
		 * the capturing host's clock set back (NTP at boot), or
		 * captures joined out of order: the rate limits move with
		 * it, as the daemon's do, or no line would be written until
		 * the capture's time came back where it was.
		 */
		if (r.last_ns > cp.ts_ns + LOG_TIME_SLACK_NS)
			rl_clock_step(&r.log.rl,
				      -(__s64)(r.last_ns - cp.ts_ns));
		r.last_ns = cp.ts_ns;
		/*
		 * Swept in --verdicts mode too (without the end lines): a
		 * session ended by the sweep changes later verdicts, which
		 * must not depend on the output mode.
		 */
		if (cp.ts_ns >= r.next_sweep_ns) {
			sessions_end(&r, cp.ts_ns, false);
			r.next_sweep_ns = cp.ts_ns + SWEEP_NS;
		}
		/*
		 * Leaving the gateway (its session, as the egress program)
		 * meets no policy live. Which way a packet went is the
		 * capture's word where it has one (tcpdump -i any, pcapng
		 * flags); else one from a unicast address of the gateway's,
		 * to anything but another (a remote, a multicast group: its
		 * OSPF hello, its DHCPv6 solicit), is taken as sent by it.
		 * The decision's first step says where it goes: the source
		 * is looked up only for what is not to a unicast address of
		 * the gateway's, as before for what is not to the gateway.
		 */
		nonlocal = 1;
		local_out = cp.dir == CAPTURE_DIR_OUT;
		if (!local_out) {
			nonlocal = li_host_decide_nonlocal(&r.host, pkt, &v);
			local_out = cp.dir == CAPTURE_DIR_UNKNOWN &&
				    (nonlocal || v.bcast) &&
				    li_host_from_local(&r.host, pkt);
		}
		r.judged = false;
		if (local_out) {
			memset(&v, 0, sizeof(v));
			v.drop = LI_PASS;
			v.reason = LI_R_NONLOCAL;
			v.policy_idx = -1;
		} else if (xdp) {
			ret = decide_xdp(&r, &cp, &fit, ifname, &v);
			if (ret)
				goto out;
			r.judged = true;
		} else if (!nonlocal) {
			li_host_decide_local(&r.host, pkt, &v);
			r.judged = true;
		}
		if (local_out) {
			r.from_local++;
			ret = egress(&r, &fit, cp.ts_ns);
			if (ret)
				goto out;
		} else if (nonlocal == 1 && pkt->family == 6 &&
			   is_link_local6(pkt->daddr)) {
			/* to no address of the gateway's (step 1 above) */
			r.ll_unknown++;
		}
		count(&r, pkt, &v);
		if (verdicts) {
			put_verdict(&r, r.packets, &v);
			continue;
		}
		if (trace)
			emit_trace(&r, pkt, &v, ifname, local_out, cp.ts_ns);
		emit_logs(&r, pkt, &v, ifname, cp.ts_ns);
	}
	/*
	 * A capture that ends in error (capture_next() queued why), as a
	 * last record cut short by a killed tcpdump: the packets before it
	 * are replayed and summed up, then the error says where it stopped
	 * (exit 1 all the same).
	 */
	/*
	 * The error names a byte offset; the admin reads packet numbers
	 * (--verdicts, tcpdump -r): say which packet it is in, in every
	 * output mode (--verdicts has no summary line saying it).
	 */
	if (ret < 0)
		diag_note(
			&p->diags, NULL,
			"%s: replay stopped at packet %llu, the one the error is in; %s",
			o->capture, r.packets + 1,
			r.packets ? "the packets before it were replayed" :
				    "no packet was replayed");
	if (ret < 0 && !r.packets)
		goto out;
	if (o->timing)
		timing(&r, &t0);
	if (!o->verdicts) {
		sessions_end(&r, r.last_ns, true);
		summary(&r);
		if (ret < 0)
			fprintf(r.out,
				"  the capture ends in an error after packet %llu (on stderr): the rest was not replayed\n",
				r.packets);
	}
out:
	verdicts_flush(&r);
	capture_close(cap);
	teardown(&r);
	return ret < 0 ? ret : 0;
}
