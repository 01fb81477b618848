// SPDX-License-Identifier: GPL-2.0
/*
 * The dynamic address fetcher (engine.h): c-ares for FQDNs, libcurl multi
 * for feeds, their sockets and timers handed to the caller's poll loop.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <ares.h>

#include "ipsec/retry.h"
#include "util/curl_dl.h"
#include "dyn/engine.h"

/* A feed larger than this is refused (FortiOS caps lists too). */
#define FEED_MAX_BYTES (64u << 20)

struct dyn_sock {
	int fd;
	short events;
};

struct dyn_engine {
	struct dyn_table *t;
	dyn_say_fn say;
	void *say_ctx;
	ares_channel ch;
	bool ares_up;
	char servers[256]; /* "" : /etc/resolv.conf */
	unsigned int timeout_s, retry;
	unsigned int min_refresh_s, max_refresh_s;
	CURLM *multi;
	struct dyn_sock socks[DYN_CURL_MAX_FDS];
	unsigned int nr_socks;
	uint64_t curl_timer_at; /* 0: none */
	unsigned int in_flight;
	struct feed_xfer *xfers;
	unsigned int nr_xfers; /* on xfers: at most DYN_CURL_MAX_XFERS */
	uint64_t minute_ms;    /* 60000; LOCALIN_FEED_MINUTE_MS for tests */
};

#define NXDOMAIN_TEXT "no such name or no address (NXDOMAIN/NODATA)"

struct fqdn_query {
	struct dyn_engine *eng;
	char name[256];
};

struct feed_xfer {
	struct dyn_engine *eng;
	struct feed_xfer *next; /* the engine's list of transfers */
	char name[64];
	/* The URL fetched: a reload may point the entry elsewhere meanwhile. */
	char *url;
	CURL *easy;
	char *buf;
	size_t len, cap;
	bool too_big;
	char errbuf[CURL_ERROR_SIZE];
};

static void say(struct dyn_engine *eng, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(struct dyn_engine *eng, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!eng->say)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	eng->say(eng->say_ctx, msg);
}

/* ---- c-ares ---- */

static int ares_setup(struct dyn_engine *eng)
{
	struct ares_options opt = {
		.timeout = (int)eng->timeout_s * 1000,
		.tries = (int)eng->retry + 1,
		/* DNS only: /etc/hosts has no TTL and is not what FortiOS reads */
		.lookups = (char *)"b",
	};
	int mask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS |
		   ARES_OPT_LOOKUPS;

	opt.flags = ARES_FLAG_NOSEARCH;
	if (eng->ares_up) {
		ares_destroy(eng->ch);
		eng->ares_up = false;
	}
	if (ares_init_options(&eng->ch, &opt, mask) != ARES_SUCCESS)
		return -ENOMEM;
	eng->ares_up = true;
	if (eng->servers[0] &&
	    ares_set_servers_csv(eng->ch, eng->servers) != ARES_SUCCESS) {
		say(eng,
		    "system dns: cannot use the servers %s; using /etc/resolv.conf",
		    eng->servers);
	}
	return 0;
}

/* Seconds since a cached entry's ranges were last fresh. */
static int64_t cache_age(const struct dyn_entry *e)
{
	int64_t now = time(NULL);

	return now > e->stamp ? now - e->stamp : 0;
}

static unsigned int clamp_refresh(const struct dyn_engine *eng, unsigned int s)
{
	if (s < eng->min_refresh_s)
		return eng->min_refresh_s;
	if (s > eng->max_refresh_s)
		return eng->max_refresh_s;
	return s;
}

static void fmt_addrs(const struct dyn_entry *e, char *buf, size_t size)
{
	size_t len = 0, i;

	buf[0] = '\0';
	for (i = 0; i < e->nr && len + DYN_RANGE_STR < size; i++) {
		char a[DYN_RANGE_STR];

		dyn_range_format(&e->r[i], a);
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
					len ? " " : "", a);
	}
	if (i < e->nr)
		snprintf(buf + len, size - len, " ...");
}

/* An answer: these addresses, and the old ones cache-ttl still keeps. */
static void fqdn_answer(struct dyn_engine *eng, struct dyn_entry *e,
			const struct ares_addrinfo *res, uint64_t now)
{
	const struct ares_addrinfo_node *n;
	struct dyn_range *v = NULL;
	size_t nr = 0, cap = 0, i, found = 0;
	unsigned int min_ttl = UINT32_MAX;
	enum dyn_state was = e->state;
	char list[256];
	bool changed;

	for (n = res ? res->nodes : NULL; n; n = n->ai_next) {
		unsigned int ttl = n->ai_ttl > 0 ? (unsigned int)n->ai_ttl : 0;
		struct dyn_range r = { 0 };

		if (n->ai_family == AF_INET) {
			const struct sockaddr_in *s = (const void *)n->ai_addr;

			r.family = 4;
			r.lo = ntohl(s->sin_addr.s_addr);
		} else if (n->ai_family == AF_INET6) {
			const struct sockaddr_in6 *s = (const void *)n->ai_addr;

			r.family = 6;
			for (i = 0; i < 16; i++)
				r.lo = r.lo << 8 | s->sin6_addr.s6_addr[i];
		} else {
			continue;
		}
		r.hi = r.lo;
		if (ttl < min_ttl)
			min_ttl = ttl;
		r.expires_ms =
			now +
			(uint64_t)(ttl > e->cache_ttl ? ttl : e->cache_ttl) *
				1000;
		if (nr == cap) {
			struct dyn_range *m;

			cap = cap ? cap * 2 : 16;
			m = realloc(v, cap * sizeof(*v));
			if (!m) {
				free(v);
				return; /* the entry keeps what it had */
			}
			v = m;
		}
		v[nr++] = r;
		found++;
	}
	for (i = 0; i < e->nr; i++) {
		if (e->r[i].expires_ms <= now)
			continue;
		if (nr == cap) {
			struct dyn_range *m;

			cap = cap ? cap * 2 : 16;
			m = realloc(v, cap * sizeof(*v));
			if (!m) {
				free(v);
				return;
			}
			v = m;
		}
		v[nr++] = e->r[i];
	}
	changed = dyn_entry_set(eng->t, e, v, nr);
	free(v);
	e->failures = 0;
	e->updated_ms = now;
	e->stamp = time(NULL);
	eng->t->fresh++;
	if (!found) {
		/* Said once, not at every refresh while it stays so. */
		bool again = !strcmp(e->err, NXDOMAIN_TEXT);

		snprintf(e->err, sizeof(e->err), "%s", NXDOMAIN_TEXT);
		e->refresh_s = eng->min_refresh_s;
		if (was == DYN_NEVER && !e->nr) {
			if (again)
				return;
			say(eng,
			    "fqdn \"%s\": no such name or no address: addresses naming it match nothing",
			    e->name);
			return;
		}
	} else {
		e->err[0] = '\0';
		e->refresh_s = clamp_refresh(eng, min_ttl);
	}
	e->state = DYN_OK;
	fmt_addrs(e, list, sizeof(list));
	if (was != DYN_OK || changed)
		say(eng, "fqdn \"%s\" %s: %s%s (refresh in %u s)", e->name,
		    was == DYN_NEVER ?
			    "resolved" :
		    was == DYN_CACHED ?
			    "resolved, replacing the cached addresses" :
		    changed ? "changed" :
			      "resolves again",
		    e->nr ? list : "no address",
		    !found && e->nr ? " (kept for cache-ttl)" : "",
		    e->refresh_s);
}

static void fqdn_failed(struct dyn_engine *eng, struct dyn_entry *e, int status)
{
	enum dyn_state was = e->state;

	e->failures++;
	snprintf(e->err, sizeof(e->err), "%s", ares_strerror(status));
	e->refresh_s = eng->min_refresh_s;
	if (was == DYN_OK)
		e->state = DYN_STALE;
	if (was == DYN_NEVER && e->failures == 1)
		say(eng,
		    "fqdn \"%s\" cannot be resolved (%s): addresses naming it match nothing until it is",
		    e->name, e->err);
	else if (was == DYN_OK)
		say(eng,
		    "fqdn \"%s\": refresh failed (%s); keeping its last %zu address%s",
		    e->name, e->err, e->nr, e->nr == 1 ? "" : "es");
	else if (was == DYN_CACHED && e->failures == 1)
		say(eng,
		    "fqdn \"%s\" cannot be resolved (%s): keeping the %zu cached address%s of %lld s ago until it is",
		    e->name, e->err, e->nr, e->nr == 1 ? "" : "es",
		    (long long)cache_age(e));
}

static void on_addrinfo(void *arg, int status, int timeouts,
			struct ares_addrinfo *res)
{
	struct fqdn_query *q = arg;
	struct dyn_engine *eng = q->eng;
	struct dyn_entry *e;
	uint64_t now = sa_mono_ms();

	(void)timeouts;
	eng->in_flight--;
	e = dyn_find(eng->t, DYN_FQDN, q->name);
	if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED || !e) {
		if (e) {
			e->busy = false;
			e->next_ms = 0; /* asked again on the new channel */
		}
		goto out;
	}
	e->busy = false;
	if (status == ARES_SUCCESS || status == ARES_ENOTFOUND ||
	    status == ARES_ENODATA)
		fqdn_answer(eng, e, status == ARES_SUCCESS ? res : NULL, now);
	else
		fqdn_failed(eng, e, status);
	e->next_ms = now + (uint64_t)e->refresh_s * 1000;
out:
	if (res)
		ares_freeaddrinfo(res);
	free(q);
}

static void fqdn_start(struct dyn_engine *eng, struct dyn_entry *e)
{
	struct ares_addrinfo_hints hints = {
		.ai_family = AF_UNSPEC,
		.ai_flags = ARES_AI_NOSORT,
	};
	struct fqdn_query *q = calloc(1, sizeof(*q));

	if (!q || !eng->ares_up) {
		free(q);
		e->next_ms = sa_mono_ms() + 1000;
		return;
	}
	q->eng = eng;
	snprintf(q->name, sizeof(q->name), "%s", e->name);
	e->busy = true;
	eng->in_flight++;
	/* May answer at once (a name c-ares refuses): on_addrinfo runs. */
	ares_getaddrinfo(eng->ch, e->name, NULL, &hints, on_addrinfo, q);
}

/* ---- libcurl ---- */

static int on_socket(CURL *easy, curl_socket_t s, int what, void *userp,
		     void *socketp)
{
	struct dyn_engine *eng = userp;
	unsigned int i;

	(void)easy;
	(void)socketp;
	for (i = 0; i < eng->nr_socks && eng->socks[i].fd != s; i++)
		;
	if (what == CURL_POLL_REMOVE) {
		if (i < eng->nr_socks)
			eng->socks[i] = eng->socks[--eng->nr_socks];
		return 0;
	}
	if (i == eng->nr_socks) {
		/*
		 * Not watched: that transfer ends at its timeout. Never -1,
		 * which makes libcurl give up the whole multi handle (and
		 * crash in it later). DYN_CURL_MAX_XFERS keeps us from here.
		 */
		if (eng->nr_socks == DYN_CURL_MAX_FDS)
			return 0;
		eng->nr_socks++;
	}
	eng->socks[i].fd = s;
	eng->socks[i].events = (short)((what & CURL_POLL_IN ? POLLIN : 0) |
				       (what & CURL_POLL_OUT ? POLLOUT : 0));
	return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct dyn_engine *eng = userp;

	(void)multi;
	eng->curl_timer_at =
		timeout_ms < 0 ? 0 : sa_mono_ms() + (uint64_t)timeout_ms;
	return 0;
}

static size_t on_data(char *p, size_t size, size_t n, void *userp)
{
	struct feed_xfer *x = userp;
	size_t len = size * n;

	if (x->len + len > FEED_MAX_BYTES) {
		x->too_big = true;
		return 0; /* libcurl fails the transfer */
	}
	if (x->len + len + 1 > x->cap) {
		size_t cap = x->cap ? x->cap : 65536;
		char *b;

		while (cap < x->len + len + 1)
			cap *= 2;
		b = realloc(x->buf, cap);
		if (!b)
			return 0;
		x->buf = b;
		x->cap = cap;
	}
	memcpy(x->buf + x->len, p, len);
	x->len += len;
	return len;
}

static void feed_start(struct dyn_engine *eng, struct dyn_entry *e)
{
	struct feed_xfer *x = calloc(1, sizeof(*x));
	long verify = 0;
	char iface[80];

	if (!x || !(x->easy = curl_easy_init())) {
		free(x);
		e->next_ms = sa_mono_ms() + 1000;
		return;
	}
	x->eng = eng;
	snprintf(x->name, sizeof(x->name), "%s", e->name);
	x->url = strdup(e->url);
	if (!x->url) {
		curl_easy_cleanup(x->easy);
		free(x);
		e->next_ms = sa_mono_ms() + 1000;
		return;
	}
	curl_easy_setopt(x->easy, CURLOPT_URL, e->url);
	curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(x->easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(x->easy, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(x->easy, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
	curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
	/*
	 * A transfer that times out while its host name is still being
	 * resolved (resolv.conf's servers dead) would wait for libcurl's
	 * resolver thread, for seconds, in the daemon's loop. Let that
	 * thread finish on its own instead (libcurl 7.87 and later).
	 */
	curl_easy_setopt(x->easy, CURLOPT_QUICK_EXIT, 1L);
	curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(x->easy, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)(eng->minute_ms / 4));
	curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, (long)eng->minute_ms);
	curl_easy_setopt(x->easy, CURLOPT_USERAGENT, "localin");
	/* server-identity-check: none (FortiOS's default), basic, full */
	verify = e->verify;
	curl_easy_setopt(x->easy, CURLOPT_SSL_VERIFYPEER, verify ? 1L : 0L);
	curl_easy_setopt(x->easy, CURLOPT_SSL_VERIFYHOST,
			 verify == 2 ? 2L : 0L);
	if (e->user) {
		curl_easy_setopt(x->easy, CURLOPT_USERNAME, e->user);
		curl_easy_setopt(x->easy, CURLOPT_PASSWORD,
				 e->password ? e->password : "");
	}
	if (e->source_ip) {
		snprintf(iface, sizeof(iface), "host!%s", e->source_ip);
		curl_easy_setopt(x->easy, CURLOPT_INTERFACE, iface);
	}
	if (curl_multi_add_handle(eng->multi, x->easy) != CURLM_OK) {
		curl_easy_cleanup(x->easy);
		free(x->url);
		free(x);
		e->next_ms = sa_mono_ms() + 1000;
		return;
	}
	x->next = eng->xfers;
	eng->xfers = x;
	eng->nr_xfers++;
	e->busy = true;
	eng->in_flight++;
}

static void xfer_free(struct dyn_engine *eng, struct feed_xfer *x)
{
	struct feed_xfer **p;

	for (p = &eng->xfers; *p && *p != x; p = &(*p)->next)
		;
	if (*p) {
		*p = x->next;
		eng->nr_xfers--;
	}
	curl_multi_remove_handle(eng->multi, x->easy);
	curl_easy_cleanup(x->easy);
	free(x->buf);
	free(x->url);
	free(x);
}

/* "N lines not understood: lines a, b, ..." of a fetch's @bad lines. */
static void feed_bad_text(unsigned int nr_bad, const unsigned int *bad,
			  char *buf, size_t size)
{
	size_t len, i, n = nr_bad < 8 ? nr_bad : 8;

	len = (size_t)snprintf(buf, size, "%u line%s not understood: line%s",
			       nr_bad, nr_bad == 1 ? "" : "s",
			       nr_bad == 1 ? "" : "s");
	for (i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s %u",
					i ? "," : "", bad[i]);
	if (n < nr_bad && len < size)
		snprintf(buf + len, size - len, ", ...");
}

/*
 * A body with lines but not one address (a proxy's or captive portal's
 * HTML page served with 200) is no list: taken as one, it would empty a
 * block list. It fails as a fetch does; an empty body is an empty list.
 */
static void not_a_feed(const unsigned int *bad, unsigned int nr_bad, char *why,
		       size_t size)
{
	size_t len = (size_t)snprintf(why, size, "no address in it: ");

	if (len < size)
		feed_bad_text(nr_bad, bad, why + len, size - len);
}

static void feed_done(struct dyn_engine *eng, struct feed_xfer *x, CURLcode rc)
{
	struct dyn_entry *e = dyn_find(eng->t, DYN_FEED, x->name);
	uint64_t now = sa_mono_ms();
	struct dyn_range *v = NULL;
	size_t nr = 0, cap = 0;
	unsigned int bad[8], nr_bad = 0;
	int err;
	enum dyn_state was;
	long code = 0;
	char why[DYN_ERR_MAX + CURL_ERROR_SIZE] = "";

	if (!e)
		return;
	e->busy = false;
	/*
	 * A reload gave the entry another URL while this one was fetched:
	 * what came back is the old list, not the new one's. Fetch the new
	 * one now instead of waiting a whole refresh-rate.
	 */
	if (!e->url || strcmp(e->url, x->url)) {
		e->next_ms = 0;
		return;
	}
	was = e->state;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
	if (rc != CURLE_OK)
		snprintf(why, sizeof(why), "%s%s%s",
			 x->too_big ? "larger than 64 MB" :
				      curl_easy_strerror(rc),
			 x->errbuf[0] && !x->too_big ? ": " : "",
			 x->too_big ? "" : x->errbuf);
	else if (code != 200)
		snprintf(why, sizeof(why), "HTTP status %ld", code);
	else if ((err = dyn_feed_parse(x->buf ? x->buf : "", x->len, &v, &nr,
				       &cap, bad, 8, &nr_bad)))
		snprintf(why, sizeof(why),
			 err == -E2BIG ? "more than %u entries" :
					 "out of memory",
			 DYN_FEED_MAX_RANGES);
	else if (!nr && nr_bad)
		not_a_feed(bad, nr_bad, why, sizeof(why));
	e->next_ms = now + (uint64_t)e->refresh_min * eng->minute_ms;
	if (why[0]) {
		/* Said when it starts or changes, not at every refresh. */
		bool again = !strncmp(e->err, why, sizeof(e->err) - 1);

		/*
		 * Tried again within a minute, not a whole refresh-rate (a
		 * day, for some lists): a fetch at boot, before the network
		 * is up, would leave the feed empty all that time.
		 */
		if (e->refresh_min > 1)
			e->next_ms = now + eng->minute_ms;

		free(v);
		e->failures++;
		snprintf(e->err, sizeof(e->err), "%.*s",
			 (int)sizeof(e->err) - 1, why);
		if (was == DYN_OK)
			e->state = DYN_STALE;
		if (again && was != DYN_OK)
			return;
		if (was == DYN_NEVER)
			say(eng,
			    "external-resource \"%s\": cannot fetch %s (%s): it matches nothing until it is",
			    e->name, e->url, why);
		else if (was == DYN_CACHED)
			say(eng,
			    "external-resource \"%s\": cannot fetch %s (%s): keeping the cached list of %zu range%s of %lld s ago until it is",
			    e->name, e->url, why, e->nr, e->nr == 1 ? "" : "s",
			    (long long)cache_age(e));
		else
			say(eng,
			    "external-resource \"%s\": fetch failed (%s); keeping the previous list of %zu range%s",
			    e->name, why, e->nr, e->nr == 1 ? "" : "s");
		return;
	}
	dyn_entry_set(eng->t, e, v, nr);
	free(v);
	e->failures = 0;
	e->err[0] = '\0';
	e->state = DYN_OK;
	e->updated_ms = now;
	e->stamp = time(NULL);
	eng->t->fresh++;
	e->bad_lines = nr_bad;
	memcpy(e->bad, bad, sizeof(bad));
	if (nr_bad) {
		feed_bad_text(e->bad_lines, e->bad, why, sizeof(why));
		say(eng, "external-resource \"%s\": %zu range%s from %s; %s",
		    e->name, e->nr, e->nr == 1 ? "" : "s", e->url, why);
	} else if (was != DYN_OK) {
		say(eng, "external-resource \"%s\": %zu range%s from %s",
		    e->name, e->nr, e->nr == 1 ? "" : "s", e->url);
	}
}

static void reap(struct dyn_engine *eng)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(eng->multi, &left))) {
		struct feed_xfer *x = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
				  (char **)&x);
		eng->in_flight--;
		if (!x) {
			curl_multi_remove_handle(eng->multi, msg->easy_handle);
			curl_easy_cleanup(msg->easy_handle);
			continue;
		}
		feed_done(eng, x, msg->data.result);
		xfer_free(eng, x);
	}
}

/* ---- the engine ---- */

int dyn_engine_open(struct dyn_engine **out, struct dyn_table *t,
		    dyn_say_fn sayfn, void *ctx)
{
	struct dyn_engine *eng = calloc(1, sizeof(*eng));
	const char *m = getenv("LOCALIN_FEED_MINUTE_MS");

	*out = NULL;
	if (!eng)
		return -ENOMEM;
	eng->t = t;
	eng->say = sayfn;
	eng->say_ctx = ctx;
	eng->timeout_s = 5;
	eng->retry = 2;
	eng->min_refresh_s = 60;
	eng->max_refresh_s = 3600;
	eng->minute_ms = m && atoi(m) > 0 ? (uint64_t)atoi(m) : 60000;
	if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) {
		free(eng);
		return -ENOMEM;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		ares_library_cleanup();
		free(eng);
		return *li_curl_error() ? -ELIBACC : -ENOMEM;
	}
	eng->multi = curl_multi_init();
	if (!eng->multi || ares_setup(eng)) {
		dyn_engine_close(eng);
		return -ENOMEM;
	}
	curl_multi_setopt(eng->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(eng->multi, CURLMOPT_SOCKETDATA, eng);
	curl_multi_setopt(eng->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(eng->multi, CURLMOPT_TIMERDATA, eng);
	/* Idle kept-alive connections count too: the sockets stay bounded. */
	curl_multi_setopt(eng->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
			  (long)DYN_CURL_MAX_XFERS);
	*out = eng;
	return 0;
}

void dyn_engine_close(struct dyn_engine *eng)
{
	if (!eng)
		return;
	if (eng->ares_up)
		ares_destroy(eng->ch); /* queries end with ARES_EDESTRUCTION */
	while (eng->xfers) {
		struct dyn_entry *e =
			dyn_find(eng->t, DYN_FEED, eng->xfers->name);

		if (e)
			e->busy = false;
		eng->in_flight--;
		xfer_free(eng, eng->xfers);
	}
	if (eng->multi)
		curl_multi_cleanup(eng->multi);
	curl_global_cleanup();
	ares_library_cleanup();
	free(eng);
}

int dyn_engine_configure(struct dyn_engine *eng, const struct obj_dns *dns)
{
	const char *servers = dns->servers ? dns->servers : "";
	bool redo = strcmp(servers, eng->servers) ||
		    dns->timeout_s != eng->timeout_s ||
		    dns->retry != eng->retry;
	size_t i;

	/* New bounds: each name is asked now, its next refresh within them. */
	if (dns->min_refresh_s != eng->min_refresh_s ||
	    dns->max_refresh_s != eng->max_refresh_s)
		for (i = 0; i < eng->t->nr; i++)
			if (eng->t->e[i]->kind == DYN_FQDN)
				eng->t->e[i]->next_ms = 0;
	eng->min_refresh_s = dns->min_refresh_s;
	eng->max_refresh_s = dns->max_refresh_s;
	if (!redo)
		return 0;
	snprintf(eng->servers, sizeof(eng->servers), "%s", servers);
	eng->timeout_s = dns->timeout_s;
	eng->retry = dns->retry;
	return ares_setup(eng);
}

bool dyn_engine_busy(const struct dyn_engine *eng)
{
	return eng->in_flight > 0;
}

int dyn_engine_pollfds(struct dyn_engine *eng, struct pollfd *pfd, int max)
{
	ares_socket_t socks[ARES_GETSOCK_MAXNUM];
	int n = 0, i, bits;
	unsigned int k;

	if (eng->ares_up) {
		bits = ares_getsock(eng->ch, socks, ARES_GETSOCK_MAXNUM);
		for (i = 0; i < ARES_GETSOCK_MAXNUM && n < max; i++) {
			short ev = (short)((ARES_GETSOCK_READABLE(bits, i) ?
						    POLLIN :
						    0) |
					   (ARES_GETSOCK_WRITABLE(bits, i) ?
						    POLLOUT :
						    0));

			if (!ev)
				break;
			pfd[n++] =
				(struct pollfd){ .fd = socks[i], .events = ev };
		}
	}
	for (k = 0; k < eng->nr_socks && n < max; k++)
		pfd[n++] = (struct pollfd){ .fd = eng->socks[k].fd,
					    .events = eng->socks[k].events };
	return n;
}

static bool is_curl_fd(const struct dyn_engine *eng, int fd)
{
	unsigned int i;

	for (i = 0; i < eng->nr_socks; i++)
		if (eng->socks[i].fd == fd)
			return true;
	return false;
}

void dyn_engine_handle(struct dyn_engine *eng, const struct pollfd *pfd, int n)
{
	int i, running, ev;

	for (i = 0; i < n; i++) {
		if (!pfd[i].revents)
			continue;
		if (is_curl_fd(eng, pfd[i].fd)) {
			ev = (pfd[i].revents & POLLIN ? CURL_CSELECT_IN : 0) |
			     (pfd[i].revents & POLLOUT ? CURL_CSELECT_OUT : 0) |
			     (pfd[i].revents & (POLLERR | POLLHUP | POLLNVAL) ?
				      CURL_CSELECT_ERR :
				      0);
			curl_multi_socket_action(eng->multi, pfd[i].fd, ev,
						 &running);
			reap(eng);
		} else if (eng->ares_up) {
			bool rd = pfd[i].revents & (POLLIN | POLLERR | POLLHUP);
			bool wr = pfd[i].revents & POLLOUT;

			ares_process_fd(eng->ch,
					rd ? pfd[i].fd : ARES_SOCKET_BAD,
					wr ? pfd[i].fd : ARES_SOCKET_BAD);
		}
	}
}

void dyn_engine_tick(struct dyn_engine *eng)
{
	uint64_t now = sa_mono_ms();
	int running;
	size_t i;

	if (eng->ares_up) /* its timeouts and retries */
		ares_process_fd(eng->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	if (eng->curl_timer_at && now >= eng->curl_timer_at) {
		eng->curl_timer_at = 0;
		curl_multi_socket_action(eng->multi, CURL_SOCKET_TIMEOUT, 0,
					 &running);
		reap(eng);
	}
	/* An answer above may free nothing: entries stay where they are. */
	for (i = 0; i < eng->t->nr; i++) {
		struct dyn_entry *e = eng->t->e[i];

		if (!e->in_use || e->busy || e->next_ms > now)
			continue;
		if (e->kind == DYN_FQDN)
			fqdn_start(eng, e);
		else if (e->kind == DYN_FEED &&
			 eng->nr_xfers < DYN_CURL_MAX_XFERS)
			feed_start(eng, e); /* else at the next tick */
	}
}

int dyn_engine_timeout_ms(struct dyn_engine *eng)
{
	uint64_t now = sa_mono_ms(), at = 0;
	struct timeval tv, *tvp;
	size_t i;
	int ms = -1;

	for (i = 0; i < eng->t->nr; i++) {
		const struct dyn_entry *e = eng->t->e[i];

		/* A feed waiting for a transfer slot: a transfer's end wakes. */
		if (e->kind == DYN_FEED && eng->nr_xfers >= DYN_CURL_MAX_XFERS)
			continue;
		if (e->in_use && !e->busy && (!at || e->next_ms < at))
			at = e->next_ms;
	}
	if (eng->curl_timer_at && (!at || eng->curl_timer_at < at))
		at = eng->curl_timer_at;
	if (at)
		ms = at <= now ? 0 : at - now > 60000 ? 60000 : (int)(at - now);
	if (eng->ares_up && eng->in_flight) {
		tvp = ares_timeout(eng->ch, NULL, &tv);
		if (tvp) {
			int a = (int)(tvp->tv_sec * 1000 +
				      (tvp->tv_usec + 999) / 1000);

			if (ms < 0 || a < ms)
				ms = a;
		}
	}
	return ms;
}

/* ---- once, for check and replay ---- */

bool dyn_wanted(const struct obj_config *cfg)
{
	size_t i;

	if (cfg->nr_feeds)
		return true;
	for (i = 0; i < cfg->nr_addrs; i++)
		if (cfg->addrs[i]->type == ADDR_FQDN && cfg->addrs[i]->fqdn)
			return true;
	return false;
}

static bool has_family(const struct dyn_entry *e, int family)
{
	size_t i;

	for (i = 0; i < e->nr; i++)
		if (e->r[i].family == family)
			return true;
	return false;
}

static void warn_unresolved(const struct dyn_table *t,
			    const struct obj_config *cfg, struct diag_list *dl)
{
	size_t i;

	for (i = 0; i < cfg->nr_addrs; i++) {
		const struct obj_addr *a = cfg->addrs[i];
		const struct dyn_entry *e = dyn_of_addr(t, a);

		if (!e || a->type != ADDR_FQDN)
			continue;
		if (e->state != DYN_OK) {
			diag_warn(
				dl, &a->loc,
				"address \"%s\": fqdn \"%s\" cannot be resolved (%s): it matches nothing",
				a->name, a->fqdn,
				e->err[0] ? e->err : "no answer");
			continue;
		}
		/* firewall address takes A records, address6 AAAA only. */
		if (e->nr && !has_family(e, a->family))
			diag_warn(
				dl, &a->loc,
				"address \"%s\": fqdn \"%s\" has only IPv%d addresses, none of IPv%d: it matches nothing",
				a->name, a->fqdn, a->family == 4 ? 6 : 4,
				a->family);
	}
	for (i = 0; i < cfg->nr_feeds; i++) {
		const struct obj_feed *f = cfg->feeds[i];
		const struct dyn_entry *e = dyn_find(t, DYN_FEED, f->name);
		char bad[DYN_ERR_MAX];

		if (!e)
			continue;
		if (e->state != DYN_OK) {
			diag_warn(
				dl, &f->loc,
				"external-resource \"%s\": cannot fetch %s (%s): it matches nothing",
				f->name, f->url,
				e->err[0] ? e->err : "no answer");
		} else if (e->bad_lines) {
			feed_bad_text(e->bad_lines, e->bad, bad, sizeof(bad));
			diag_warn(dl, &f->loc, "external-resource \"%s\": %s",
				  f->name, bad);
		}
	}
}

int dyn_resolve_once(struct dyn_table *t, const struct obj_config *cfg,
		     struct diag_list *dl, unsigned int timeout_ms)
{
	struct pollfd pfd[DYN_MAX_FDS];
	struct dyn_engine *eng;
	uint64_t end = sa_mono_ms() + timeout_ms;
	size_t i;
	int err, n, ms;

	err = dyn_table_sync(t, cfg);
	if (!err)
		err = dyn_engine_open(&eng, t, NULL, NULL);
	if (err)
		return err;
	err = dyn_engine_configure(eng, &cfg->dns);
	if (err)
		goto out;
	dyn_engine_tick(eng); /* starts everything */
	while (dyn_engine_busy(eng) && sa_mono_ms() < end) {
		n = dyn_engine_pollfds(eng, pfd, DYN_MAX_FDS);
		ms = dyn_engine_timeout_ms(eng);
		if (ms < 0 || ms > 100)
			ms = 100;
		if (poll(pfd, (nfds_t)n, ms) > 0)
			dyn_engine_handle(eng, pfd, n);
		/*
		 * Nothing starts a second time; feeds still waiting for a
		 * transfer slot (next_ms 0) start as slots free up.
		 */
		for (i = 0; i < t->nr; i++)
			if (!t->e[i]->busy && t->e[i]->next_ms)
				t->e[i]->next_ms = UINT64_MAX;
		dyn_engine_tick(eng);
	}
	for (i = 0; i < t->nr; i++)
		if (t->e[i]->busy && !t->e[i]->err[0])
			snprintf(t->e[i]->err, sizeof(t->e[i]->err),
				 "no answer within %u s", timeout_ms / 1000);
	warn_unresolved(t, cfg, dl);
out:
	dyn_engine_close(eng);
	return err;
}
