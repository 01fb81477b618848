// SPDX-License-Identifier: GPL-2.0
/*
 * Alert e-mail over SMTP with libcurl's multi interface; see alertmail.h.
 *
 * A line the filter selects (filter-mode category: IPsec-errors-logs takes
 * the IPsec error lines, 0101037131; threshold: level at or above
 * severity) joins the batch; the first line of a batch sets when it goes
 * (email-interval, or in threshold mode the interval of the line's level;
 * a more urgent line brings that forward). The batch then becomes the mail
 * in flight. Its body is FortiOS's: each line after "Message meets Alert
 * condition".
 */
#include "daemon/alertmail.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/internal.h"
#include "daemon/logout.h"
#include "daemon/diag_fmt.h"
#include "util/curl_dl.h"

#define AM_MAX_LINES 500	  /* lines a batch holds */
#define AM_MAX_BYTES (512 * 1024) /* and bytes */
#define AM_SUBJECT "Message meets Alert condition"
#define AM_PREFIX "Message meets Alert condition\r\n"

struct am_conf {
	bool on, threshold, ipsec_errors, violation;
	unsigned int level;
	__u64 interval_ms, level_ms[8];
	char *from, *to_list, *url, *user, *password, *iface;
	char *to[3];
	unsigned int nr_to;
	enum obj_mail_security security;
	bool validate_server;
	long ssl_version;
};

struct am_sock {
	int fd;
	short events;
};

struct alertmail {
	struct am_conf c;
	__u64 minute_ms; /* 60000; tests shorten it (README) */

	/* The batch being collected: body entries, CRLF lines. */
	char *buf;
	size_t len;
	unsigned int lines;
	__u64 due_ms; /* when it goes; 0: empty */

	/* The mail in flight, or failed and waiting for retry_ms. */
	char *msg;
	size_t msg_len, msg_off;
	unsigned int msg_lines;
	bool busy; /* a transfer runs */
	__u64 retry_ms, backoff_ms;
	unsigned int tries; /* failed tries of this mail */

	CURLM *multi;
	CURL *easy;
	struct curl_slist *rcpt;
	char errbuf[CURL_ERROR_SIZE];
	struct am_sock socks[ALERTMAIL_MAX_FDS];
	unsigned int nr_socks;
	__u64 timer_at; /* libcurl's timeout; 0: none */

	__u64 sent, sent_lines, dropped, dropped_unsaid, failures;
	bool failing; /* since the last failure, nothing went out */
	char last_err[288];
	/* The server's first refusal in this transfer ("550 5.1.1 <x>..."). */
	char refused[160];
	bool refusing; /* the last mail went out with a recipient refused */
};

static void conf_free(struct am_conf *c)
{
	unsigned int i;

	free(c->from);
	free(c->to_list);
	free(c->url);
	free(c->user);
	free(c->password);
	free(c->iface);
	for (i = 0; i < c->nr_to; i++)
		free(c->to[i]);
	memset(c, 0, sizeof(*c));
}

static long ssl_version(const char *s)
{
	if (!s || !strcmp(s, "default"))
		return CURL_SSLVERSION_DEFAULT;
	if (!strcmp(s, "SSLv3"))
		return CURL_SSLVERSION_SSLv3;
	if (!strcmp(s, "TLSv1"))
		return CURL_SSLVERSION_TLSv1;
	if (!strcmp(s, "TLSv1-1"))
		return CURL_SSLVERSION_TLSv1_1;
	if (!strcmp(s, "TLSv1-2"))
		return CURL_SSLVERSION_TLSv1_2;
	return CURL_SSLVERSION_TLSv1_3;
}

/* -1: out of memory. */
static int conf_from(struct am_conf *c, const struct obj_alertmail *m,
		     __u64 minute_ms)
{
	char host[256] = "localhost", *list = NULL;
	size_t list_len = 0;
	unsigned int i;
	FILE *f;
	int n;

	c->on = m->on;
	if (!c->on)
		return 0;
	c->threshold = m->threshold;
	c->ipsec_errors = m->ipsec_errors;
	c->violation = m->violation;
	c->level = m->level;
	c->interval_ms = m->interval_min * minute_ms;
	for (i = 0; i < 8; i++)
		c->level_ms[i] = m->level_interval_min[i] * minute_ms;
	c->security = m->security;
	c->validate_server = m->validate_server;
	c->ssl_version = ssl_version(m->ssl_min);
	c->from = strdup(m->from);
	f = open_memstream(&list, &list_len);
	for (i = 0; i < m->nr_to; i++) {
		c->to[c->nr_to++] = strdup(m->to[i]);
		if (f)
			fprintf(f, "%s%s", i ? ", " : "", m->to[i]);
	}
	if (!f || fclose(f))
		list = NULL;
	c->to_list = list;
	/* The URL's path is the name we greet the server with (EHLO). */
	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	n = asprintf(&c->url,
		     strchr(m->server, ':') ? "%s://[%s]:%u/%s" :
					      "%s://%s:%u/%s",
		     m->security == OBJ_MAIL_SMTPS ? "smtps" : "smtp",
		     m->server, m->port, host);
	if (n < 0)
		c->url = NULL;
	if (m->authenticate && m->user) {
		c->user = strdup(m->user);
		c->password = strdup(m->password ? m->password : "");
	}
	if (m->source_ip && asprintf(&c->iface, "host!%s", m->source_ip) < 0)
		c->iface = NULL;
	for (i = 0; i < c->nr_to; i++)
		if (!c->to[i])
			return -1;
	if (!c->from || !c->to_list || !c->url ||
	    (m->authenticate && m->user && (!c->user || !c->password)) ||
	    (m->source_ip && !c->iface))
		return -1;
	return 0;
}

static __u64 retry_min_ms(const struct alertmail *am)
{
	return am->minute_ms / 6; /* 10 s */
}

/* ---- libcurl's sockets and timer, for the daemon's poll loop ---- */

static int on_socket(CURL *easy, curl_socket_t s, int what, void *userp,
		     void *socketp)
{
	struct alertmail *am = userp;
	unsigned int i;

	(void)easy;
	(void)socketp;
	for (i = 0; i < am->nr_socks && am->socks[i].fd != s; i++)
		;
	if (what == CURL_POLL_REMOVE) {
		if (i < am->nr_socks)
			am->socks[i] = am->socks[--am->nr_socks];
		return 0;
	}
	if (i == am->nr_socks) {
		if (am->nr_socks == ALERTMAIL_MAX_FDS)
			return -1; /* libcurl fails the transfer */
		am->nr_socks++;
	}
	am->socks[i].fd = s;
	am->socks[i].events = (short)((what & CURL_POLL_IN ? POLLIN : 0) |
				      (what & CURL_POLL_OUT ? POLLOUT : 0));
	return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct alertmail *am = userp;

	(void)multi;
	am->timer_at = timeout_ms < 0 ? 0 : sa_mono_ms() + (__u64)timeout_ms;
	return 0;
}

static size_t read_msg(char *buf, size_t size, size_t nitems, void *userp)
{
	struct alertmail *am = userp;
	size_t n = am->msg_len - am->msg_off;

	if (n > size * nitems)
		n = size * nitems;
	memcpy(buf, am->msg + am->msg_off, n);
	am->msg_off += n;
	return n;
}

/*
 * The server's replies (libcurl hands SMTP's to the header callback): the
 * last refusal is kept, in the server's words, for a mail that goes out to
 * the recipients the server took while it refused another (a mailto with
 * a typo), and for a failure (libcurl says only "(SMTP 552)").
 */
static size_t on_reply(char *buf, size_t size, size_t nitems, void *userp)
{
	struct alertmail *am = userp;
	size_t n = size * nitems, len = n;

	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	if (len >= 3 && (buf[0] == '4' || buf[0] == '5') && buf[1] >= '0' &&
	    buf[1] <= '9' && buf[2] >= '0' && buf[2] <= '9')
		snprintf(am->refused, sizeof(am->refused), "%.*s", (int)len,
			 buf);
	return n;
}

/* ---- the batch ---- */

static bool wanted(const struct am_conf *c, const struct log_meta *m)
{
	if (c->threshold)
		return (unsigned int)m->level <= c->level;
	if (m->cat == LOG_CAT_LOCAL_TRAFFIC)
		return c->violation && m->deny;
	return c->ipsec_errors && m->cat == LOG_CAT_EVENT_VPN &&
	       m->level <= LOG_LEVEL_ERROR;
}

void alertmail_offer(struct daemon *d, const char *line, size_t len,
		     const struct log_meta *m)
{
	struct alertmail *am = d->am;
	size_t need, room;
	__u64 due;
	char *nb;

	if (!am || !am->c.on || !wanted(&am->c, m))
		return;
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	need = (am->lines ? 2 : 0) + strlen(AM_PREFIX) + len + 2;
	if (am->lines >= AM_MAX_LINES || am->len + need > AM_MAX_BYTES) {
		am->dropped++;
		am->dropped_unsaid++;
		return;
	}
	room = am->len + need + 1;
	nb = realloc(am->buf, room);
	if (!nb) {
		am->dropped++;
		am->dropped_unsaid++;
		return;
	}
	am->buf = nb;
	am->len += (size_t)snprintf(am->buf + am->len, room - am->len,
				    "%s%s%.*s\r\n", am->lines ? "\r\n" : "",
				    AM_PREFIX, (int)len, line);
	am->lines++;
	due = sa_mono_ms() + (am->c.threshold ? am->c.level_ms[m->level & 7] :
						am->c.interval_ms);
	if (!am->due_ms || due < am->due_ms)
		am->due_ms = due;
}

/* The batch (and the count of what did not fit) as one mail. */
static int build_msg(struct alertmail *am)
{
	char date[64], *text = NULL;
	size_t len = 0;
	time_t now = time(NULL);
	struct tm tm;
	FILE *f;

	localtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm);
	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f,
		"From: %s\r\nTo: %s\r\nSubject: " AM_SUBJECT "\r\n"
		"Date: %s\r\nMIME-Version: 1.0\r\n"
		"Content-Type: text/plain; charset=utf-8\r\n"
		"Content-Transfer-Encoding: 8bit\r\n\r\n",
		am->c.from, am->c.to_list, date);
	if (am->len)
		fwrite(am->buf, 1, am->len, f);
	if (am->dropped_unsaid)
		fprintf(f,
			"%s(%llu more log lines met the alert condition but were dropped: the alert mail queue was full)\r\n",
			am->len ? "\r\n" : "",
			(unsigned long long)am->dropped_unsaid);
	if (fclose(f)) {
		free(text);
		return -ENOMEM;
	}
	am->msg = text;
	am->msg_len = len;
	am->msg_lines = am->lines;
	am->len = 0;
	am->lines = 0;
	am->due_ms = 0;
	am->dropped_unsaid = 0;
	return 0;
}

static void drop_msg(struct alertmail *am)
{
	free(am->msg);
	am->msg = NULL;
	am->msg_len = am->msg_off = 0;
	am->msg_lines = 0;
	am->tries = 0;
}

/* ---- sending ---- */

static int send_msg(struct alertmail *am)
{
	const struct am_conf *c = &am->c;
	CURL *e = curl_easy_init();
	struct curl_slist *rcpt = NULL, *r;
	char addr[80];
	unsigned int i;

	if (!e)
		return -ENOMEM;
	for (i = 0; i < c->nr_to; i++) {
		snprintf(addr, sizeof(addr), "<%s>", c->to[i]);
		r = curl_slist_append(rcpt, addr);
		if (!r) {
			curl_slist_free_all(rcpt);
			curl_easy_cleanup(e);
			return -ENOMEM;
		}
		rcpt = r;
	}
	snprintf(addr, sizeof(addr), "<%s>", c->from);
	am->errbuf[0] = '\0';
	am->refused[0] = '\0';
	curl_easy_setopt(e, CURLOPT_URL, c->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	/*
	 * A mail that times out while the server's name is still being
	 * resolved would wait in the daemon's loop for libcurl's resolver
	 * thread (as a feed's fetch did: src/dyn/engine.c).
	 */
	curl_easy_setopt(e, CURLOPT_QUICK_EXIT, 1L);
	curl_easy_setopt(e, CURLOPT_MAIL_FROM, addr);
	curl_easy_setopt(e, CURLOPT_MAIL_RCPT, rcpt);
	/*
	 * One recipient the server refuses (a typo in mailto2) must not keep
	 * the mail from the others: it goes to those taken, and fails only
	 * if none is. (libcurl 7.69 on; the old spelling, which 8.x keeps.)
	 */
	curl_easy_setopt(e, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_reply);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, am);
	curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(e, CURLOPT_READFUNCTION, read_msg);
	curl_easy_setopt(e, CURLOPT_READDATA, am);
	curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)am->msg_len);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	/* Mails are minutes apart: QUIT after each, no idle socket kept. */
	curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, am->errbuf);
	/* A server that accepts and never answers: given up on, in time. */
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)(am->minute_ms / 3));
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)am->minute_ms);
	if (c->security == OBJ_MAIL_STARTTLS)
		curl_easy_setopt(e, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (c->security != OBJ_MAIL_NONE) {
		curl_easy_setopt(e, CURLOPT_SSLVERSION, c->ssl_version);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER,
				 c->validate_server ? 1L : 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST,
				 c->validate_server ? 2L : 0L);
	}
	if (c->user) {
		curl_easy_setopt(e, CURLOPT_USERNAME, c->user);
		curl_easy_setopt(e, CURLOPT_PASSWORD, c->password);
	}
	if (c->iface)
		curl_easy_setopt(e, CURLOPT_INTERFACE, c->iface);
	if (curl_multi_add_handle(am->multi, e) != CURLM_OK) {
		curl_slist_free_all(rcpt);
		curl_easy_cleanup(e);
		return -ENOMEM;
	}
	am->easy = e;
	am->rcpt = rcpt;
	am->msg_off = 0;
	am->busy = true;
	return 0;
}

static void sent_ok(struct alertmail *am)
{
	am->sent++;
	am->sent_lines += am->msg_lines;
	if (am->failing)
		daemon_msg("alert mail to %s: sent again, after %u failed tr%s",
			   am->c.to_list ? am->c.to_list : "?", am->tries,
			   am->tries == 1 ? "y" : "ies");
	am->failing = false;
	am->backoff_ms = retry_min_ms(am);
	if (am->refused[0]) {
		/* Said once until a mail goes to all of them again. */
		if (!am->refusing)
			daemon_msg(
				"alert mail to %s: sent, but the server refused a recipient: %s",
				am->c.to_list ? am->c.to_list : "?",
				am->refused);
		snprintf(am->last_err, sizeof(am->last_err),
			 "a recipient refused: %s", am->refused);
	}
	am->refusing = am->refused[0] != '\0';
	drop_msg(am);
}

static void sent_failed(struct alertmail *am, CURLcode rc)
{
	long code = 0;

	curl_easy_getinfo(am->easy, CURLINFO_RESPONSE_CODE, &code);
	/* libcurl's words, then the detail its error buffer holds */
	snprintf(am->last_err, sizeof(am->last_err), "%.80s%s%.160s",
		 curl_easy_strerror(rc), am->errbuf[0] ? ": " : "", am->errbuf);
	if (code >= 400 && am->refused[0])
		snprintf(am->last_err + strlen(am->last_err),
			 sizeof(am->last_err) - strlen(am->last_err),
			 " (SMTP %.160s)", am->refused);
	else if (code >= 400)
		snprintf(am->last_err + strlen(am->last_err),
			 sizeof(am->last_err) - strlen(am->last_err),
			 " (SMTP %ld)", code);
	am->failures++;
	/*
	 * The whole mail was sent and the server refused it for good (5xx
	 * after the data: too big, its content): the same mail would be
	 * refused again at every try, and hold every batch behind it for
	 * ever. It is dropped, its lines counted, and that said each time.
	 */
	if (code >= 500 && code < 600 && am->msg_len &&
	    am->msg_off == am->msg_len) {
		am->dropped += am->msg_lines;
		daemon_msg(
			"alert mail to %s via %s: the server refused the mail: %s; its %u lines are dropped",
			am->c.to_list ? am->c.to_list : "?",
			am->c.url ? am->c.url : "?", am->last_err,
			am->msg_lines);
		am->failing = false;
		am->backoff_ms = retry_min_ms(am);
		drop_msg(am);
		return;
	}
	am->tries++;
	am->retry_ms = sa_mono_ms() + am->backoff_ms;
	/* One message per failure episode; status keeps the last error. */
	if (!am->failing)
		daemon_msg(
			"alert mail to %s via %s failed: %s; the mail (%u lines) is kept and retried in %llu s",
			am->c.to_list ? am->c.to_list : "?",
			am->c.url ? am->c.url : "?", am->last_err,
			am->msg_lines,
			(unsigned long long)am->backoff_ms / 1000);
	am->failing = true;
	am->backoff_ms *= 2;
	if (am->backoff_ms > 10 * am->minute_ms)
		am->backoff_ms = 10 * am->minute_ms;
}

static void reap(struct alertmail *am)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(am->multi, &left))) {
		if (msg->msg != CURLMSG_DONE || msg->easy_handle != am->easy)
			continue;
		if (msg->data.result == CURLE_OK)
			sent_ok(am);
		else
			sent_failed(am, msg->data.result);
		curl_multi_remove_handle(am->multi, am->easy);
		curl_easy_cleanup(am->easy);
		curl_slist_free_all(am->rcpt);
		am->easy = NULL;
		am->rcpt = NULL;
		am->busy = false;
	}
}

/* Lines nobody will send (alert mail turned off, or the daemon stops). */
static __u64 abandon(struct alertmail *am)
{
	__u64 n = am->lines + (am->busy ? 0 : am->msg_lines);

	am->len = 0;
	am->lines = 0;
	am->due_ms = 0;
	am->dropped += n;
	if (!am->busy)
		drop_msg(am);
	return n;
}

void alertmail_tick(struct daemon *d)
{
	struct alertmail *am = d->am;
	__u64 now;
	int running;

	if (!am)
		return;
	now = sa_mono_ms();
	if (am->busy && am->timer_at && now >= am->timer_at) {
		am->timer_at = 0;
		curl_multi_socket_action(am->multi, CURL_SOCKET_TIMEOUT, 0,
					 &running);
		reap(am);
	}
	if (am->busy)
		return;
	if (!am->c.on) { /* turned off while its last try ran */
		am->dropped += am->msg ? am->msg_lines : 0;
		drop_msg(am);
		return;
	}
	if (am->msg && now < am->retry_ms)
		return;
	if (!am->msg && (!am->due_ms || now < am->due_ms))
		return;
	if (!am->msg && build_msg(am))
		return; /* out of memory: the batch waits for the next tick */
	if (send_msg(am)) {
		snprintf(am->last_err, sizeof(am->last_err),
			 "cannot start a transfer: out of memory");
		am->retry_ms = now + am->backoff_ms;
	}
}

int alertmail_timeout_ms(struct daemon *d)
{
	struct alertmail *am = d->am;
	__u64 at = 0, now;

	if (!am)
		return -1;
	if (am->busy)
		at = am->timer_at;
	else if (am->c.on && am->msg)
		at = am->retry_ms;
	else if (am->c.on && am->due_ms)
		at = am->due_ms;
	if (!at)
		return -1;
	now = sa_mono_ms();
	return at <= now ? 0 : at - now > 60000 ? 60000 : (int)(at - now);
}

int alertmail_pollfds(struct daemon *d, struct pollfd *pfd, int max)
{
	struct alertmail *am = d->am;
	int i;

	if (!am || !am->busy)
		return 0;
	for (i = 0; i < (int)am->nr_socks && i < max; i++)
		pfd[i] = (struct pollfd){ .fd = am->socks[i].fd,
					  .events = am->socks[i].events };
	return i;
}

void alertmail_handle(struct daemon *d, const struct pollfd *pfd, int n)
{
	struct alertmail *am = d->am;
	int i, running, ev;

	for (i = 0; am && i < n; i++) {
		if (!pfd[i].revents)
			continue;
		ev = (pfd[i].revents & POLLIN ? CURL_CSELECT_IN : 0) |
		     (pfd[i].revents & POLLOUT ? CURL_CSELECT_OUT : 0) |
		     (pfd[i].revents & (POLLERR | POLLHUP | POLLNVAL) ?
			      CURL_CSELECT_ERR :
			      0);
		curl_multi_socket_action(am->multi, pfd[i].fd, ev, &running);
		reap(am);
	}
}

static struct alertmail *am_new(void)
{
	struct alertmail *am = calloc(1, sizeof(*am));
	const char *e = getenv("LOCALIN_ALERTMAIL_MINUTE_MS");

	if (!am)
		return NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		free(am);
		return NULL;
	}
	am->multi = curl_multi_init();
	if (!am->multi) {
		curl_global_cleanup();
		free(am);
		return NULL;
	}
	curl_multi_setopt(am->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(am->multi, CURLMOPT_SOCKETDATA, am);
	curl_multi_setopt(am->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(am->multi, CURLMOPT_TIMERDATA, am);
	am->minute_ms = 60000;
	if (e && strtoull(e, NULL, 10) >= 100)
		am->minute_ms = strtoull(e, NULL, 10);
	am->backoff_ms = retry_min_ms(am);
	return am;
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* The settings a mail's delivery depends on: server, login, envelope. */
static bool same_delivery(const struct am_conf *a, const struct am_conf *b)
{
	return same_str(a->url, b->url) && same_str(a->from, b->from) &&
	       same_str(a->to_list, b->to_list) && same_str(a->user, b->user) &&
	       same_str(a->password, b->password) &&
	       same_str(a->iface, b->iface) && a->security == b->security &&
	       a->validate_server == b->validate_server &&
	       a->ssl_version == b->ssl_version;
}

void alertmail_configure(struct daemon *d)
{
	const struct obj_alertmail *m = &d->p->objs.alertmail;
	struct am_conf c = { 0 };
	__u64 n;

	if (!d->am && !m->on)
		return;
	if (!d->am) {
		d->am = am_new();
		if (!d->am) {
			daemon_msg(
				"alert mail: cannot set up libcurl%s%s; no alert mail is sent",
				*li_curl_error() ? ": " : "", li_curl_error());
			return;
		}
	}
	if (conf_from(&c, m, d->am->minute_ms)) {
		conf_free(&c);
		daemon_msg(
			"alert mail: out of memory; the settings before stay in force");
		return;
	}
	if (d->am->c.on && !c.on) {
		n = abandon(d->am);
		if (n)
			daemon_msg(
				"alert mail turned off: %llu log lines not sent",
				(unsigned long long)n);
	}
	/*
	 * A mail kept after failed tries waits out its backoff (up to 10
	 * min): but a reload that changes where or how mail goes is the
	 * admin's fix, and is tried at once.
	 */
	if (c.on && d->am->msg && !d->am->busy &&
	    !same_delivery(&d->am->c, &c)) {
		d->am->retry_ms = sa_mono_ms();
		d->am->backoff_ms = retry_min_ms(d->am);
	}
	conf_free(&d->am->c);
	d->am->c = c;
}

void alertmail_status(struct daemon *d, FILE *out)
{
	struct alertmail *am = d->am;

	if (!am || (!am->c.on && !am->busy)) {
		fputs("alert mail: off\n", out);
		return;
	}
	fprintf(out,
		"alert mail: to %s via %s: %llu sent (%llu lines), %u lines pending, %llu dropped, %llu failed tries",
		am->c.to_list ? am->c.to_list : "?",
		am->c.url ? am->c.url : "?", (unsigned long long)am->sent,
		(unsigned long long)am->sent_lines, am->lines + am->msg_lines,
		(unsigned long long)am->dropped,
		(unsigned long long)am->failures);
	if (am->last_err[0])
		fprintf(out, "; last error: %s%s", am->last_err,
			am->failing ? " (retrying)" : "");
	fputc('\n', out);
}

/* The status's "alert_mail" object (null when off): alertmail_status(). */
void alertmail_status_json(struct daemon *d, FILE *out)
{
	struct alertmail *am = d->am;

	if (!am || (!am->c.on && !am->busy)) {
		fputs("null", out);
		return;
	}
	fputs("{\"to\":", out);
	diag_json_str(out, am->c.to_list);
	fputs(",\"via\":", out);
	diag_json_str(out, am->c.url);
	fprintf(out,
		",\"sent\":%llu,\"sent_lines\":%llu,\"pending_lines\":%u,\"dropped\":%llu,\"failures\":%llu,\"last_error\":",
		(unsigned long long)am->sent,
		(unsigned long long)am->sent_lines, am->lines + am->msg_lines,
		(unsigned long long)am->dropped,
		(unsigned long long)am->failures);
	diag_json_str(out, am->last_err[0] ? am->last_err : NULL);
	fprintf(out, ",\"retrying\":%s}",
		am->last_err[0] && am->failing ? "true" : "false");
}

void alertmail_before_exec(struct daemon *d)
{
	struct alertmail *am = d->am;
	__u64 n;

	if (!am)
		return;
	/* The mail in flight too: its connection ends with this image. */
	n = am->lines + am->msg_lines;
	if (n)
		daemon_msg("alert mail: %llu log lines not sent at the restart",
			   (unsigned long long)n);
}

void alertmail_close(struct daemon *d)
{
	struct alertmail *am = d->am;
	__u64 n;

	if (!am)
		return;
	if (am->busy) {
		curl_multi_remove_handle(am->multi, am->easy);
		curl_easy_cleanup(am->easy);
		curl_slist_free_all(am->rcpt);
		am->busy = false;
	}
	n = abandon(am);
	if (n)
		daemon_msg("alert mail: %llu log lines not sent at exit",
			   (unsigned long long)n);
	curl_multi_cleanup(am->multi);
	curl_global_cleanup();
	conf_free(&am->c);
	free(am->buf);
	free(am);
	d->am = NULL;
}

size_t alertmail_outputs(struct daemon *d, struct log_output_stat *out,
			 size_t max)
{
	const struct alertmail *a = d->am;

	if (!a || !max || !d->p || !d->p->objs.alertmail.on)
		return 0;
	out[0] = (struct log_output_stat){ .name = "alertmail",
					   .written = a->sent_lines,
					   .lost = a->dropped,
					   .queued = a->len + a->msg_len,
					   .failing = a->failing };
	return 1;
}
