// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus endpoint (metrics.h): the HTTP server in the loop, and
 * the exposition text, read from the same sources `localin status` reads
 * (li_loader_counters(), sessions_counts(), sa_registry_count(), the
 * sinks), at the moment of the scrape.
 *
 * The text format (Prometheus' exposition format 0.0.4): each family's
 * # HELP and # TYPE lines, then all its samples; counters end in _total;
 * label values escaped (\\, \", \n).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log/counters.h"
#include "daemon/internal.h"
#include "daemon/logout.h"
#include "daemon/diag_fmt.h"
#include "util/mhd_dl.h"

#define METRICS_BACKLOG 64
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* --- the exposition text ----------------------------------------------- */

static void family(FILE *f, const char *name, const char *type,
		   const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value as the format quotes it. */
static void put_label(FILE *f, const char *key, const char *val, bool first)
{
	fprintf(f, "%s%s=\"", first ? "" : ",", key);
	for (; *val; val++) {
		if (*val == '\\' || *val == '"')
			fputc('\\', f);
		if (*val == '\n')
			fputs("\\n", f);
		else
			fputc(*val, f);
	}
	fputc('"', f);
}

/* name{k1="v1"[,k2="v2"]} value; @k1 NULL: no labels. */
static void sample(FILE *f, const char *name, const char *k1, const char *v1,
		   const char *k2, const char *v2, unsigned long long val)
{
	fputs(name, f);
	if (k1) {
		fputc('{', f);
		put_label(f, k1, v1, true);
		if (k2)
			put_label(f, k2, v2, false);
		fputc('}', f);
	}
	fprintf(f, " %llu\n", val);
}

static void single(FILE *f, const char *name, const char *type,
		   const char *help, unsigned long long val)
{
	family(f, name, type, help);
	sample(f, name, NULL, NULL, NULL, NULL, val);
}

static void put_daemon(struct daemon *d, FILE *f)
{
	const struct li_ruleset *rs = &d->p->rs;
	size_t i, n = 0;

	single(f, "localin_start_time_seconds", "gauge",
	       "When the daemon started, in seconds since the epoch.",
	       (unsigned long long)d->metrics.started);
	single(f, "localin_config_load_time_seconds", "gauge",
	       "When the config in force was loaded, in seconds since the epoch.",
	       (unsigned long long)d->loaded_at);
	single(f, "localin_reloads_total", "counter",
	       "Reloads that applied a new config.", d->reloads);
	single(f, "localin_reload_failures_total", "counter",
	       "Reloads refused; the running config stayed in force.",
	       d->reload_failures);
	family(f, "localin_policies", "gauge",
	       "Local-in policies of the config in force.");
	sample(f, "localin_policies", "family", "ipv4", NULL, NULL,
	       rs->v4.nr_policies);
	sample(f, "localin_policies", "family", "ipv6", NULL, NULL,
	       rs->v6.nr_policies);
	for (i = 0; i < d->nr_links; i++)
		n += d->links[i].attached;
	single(f, "localin_interfaces_attached", "gauge",
	       "Interfaces the XDP program is attached to.", n);
}

/* pass or drop, as the data path decides for @r (policy: per policy). */
static const char *reason_action(const struct li_ruleset *rs, enum li_reason r)
{
	switch (r) {
	case LI_R_ESP_UNKNOWN_SPI:
	case LI_R_MALFORMED:
		return "drop";
	case LI_R_ESP_WRONG_PEER:
		return rs->esp_wrong_peer_drop ? "drop" : "pass";
	default:
		return "pass";
	}
}

static void put_packets(FILE *f, const struct li_ruleset *rs,
			const struct li_counters *c)
{
	__u64 pol[2] = { 0, 0 }; /* accept, deny */
	unsigned int r;
	int fam;
	__u32 k;

	family(f, "localin_packets_total", "counter",
	       "Packets the XDP program decided, by reason and verdict; reason policy is the sum of localin_policy_hits_total, the policies of the config in force (it drops when a policy with hits goes).");
	for (r = 0; r < LI_R_MAX; r++)
		if (r != LI_R_POLICY)
			sample(f, "localin_packets_total", "reason",
			       li_reason_name(r), "action",
			       reason_action(rs, r), c->by_reason[r]);
	for (fam = 0; fam < 2; fam++) {
		const struct li_family *lf = fam ? &rs->v6 : &rs->v4;

		for (k = 0; k < lf->nr_policies && k < c->nr_policies[fam]; k++)
			pol[lf->policies[k].action != LI_ACT_ACCEPT] +=
				c->policy_hits[fam][k];
	}
	sample(f, "localin_packets_total", "reason", "policy", "action", "pass",
	       pol[0]);
	sample(f, "localin_packets_total", "reason", "policy", "action", "drop",
	       pol[1]);
}

static void put_policy_hits(FILE *f, const struct li_ruleset *rs,
			    const struct li_counters *c)
{
	static const char *const fam_name[2] = { "ipv4", "ipv6" };
	char id[16];
	int fam;
	__u32 k;

	family(f, "localin_policy_hits_total", "counter",
	       "Packets each local-in policy of the config in force matched.");
	for (fam = 0; fam < 2; fam++) {
		const struct li_family *lf = fam ? &rs->v6 : &rs->v4;

		for (k = 0; k < lf->nr_policies; k++) {
			snprintf(id, sizeof(id), "%u", lf->policies[k].id);
			sample(f, "localin_policy_hits_total", "family",
			       fam_name[fam], "policy", id,
			       k < c->nr_policies[fam] ?
				       c->policy_hits[fam][k] :
				       0);
		}
	}
}

static void put_events(struct daemon *d, FILE *f, const struct li_counters *c)
{
	static const char *const kinds[LI_EV_NR_KINDS] = {
		[LI_EV_TRAFFIC] = "traffic",
		[LI_EV_ESP_ERROR] = "esp-error",
		[LI_EV_TRACE] = "trace",
		[LI_EV_ESP_PEER] = "esp-wrong-peer",
	};
	unsigned int k;

	single(f, "localin_events_read_total", "counter",
	       "Events read from the data path.", d->events);
	single(f, "localin_events_traced_total", "counter",
	       "Trace events read from the data path.", d->traces);
	family(f, "localin_events_suppressed_total", "counter",
	       "Events the data path's rate limit held back, by kind.");
	for (k = 0; k < LI_EV_NR_KINDS; k++)
		sample(f, "localin_events_suppressed_total", "kind", kinds[k],
		       NULL, NULL, c->events_suppressed[k]);
	family(f, "localin_events_ring_full_total", "counter",
	       "Events lost to a full ring buffer (the daemon fell behind), by kind.");
	for (k = 0; k < LI_EV_NR_KINDS; k++)
		sample(f, "localin_events_ring_full_total", "kind", kinds[k],
		       NULL, NULL, c->events_ring_full[k]);
}

static void put_data_path(struct daemon *d, FILE *f)
{
	const struct li_ruleset *rs = &d->p->rs;
	struct li_counters c;

	single(f, "localin_esp_spi_check", "gauge",
	       "1 while ESP is checked against the live SAs (detect-unknown-esp, and every SA source read).",
	       rs->detect_unknown_esp && !d->sa_unchecked);
	single(f, "localin_esp_wrong_peer_drop", "gauge",
	       "1 if ESP with a live SPI from an unexpected peer is dropped (sa-check wrong-peer-action deny), 0 if it passes.",
	       rs->esp_wrong_peer_drop);
	if (li_loader_counters(d->l, &c))
		return; /* a scrape without them; status says why */
	put_packets(f, rs, &c);
	put_policy_hits(f, rs, &c);
	put_events(d, f, &c);
}

static void put_sas(struct daemon *d, FILE *f)
{
	size_t live, grace, per[SA_SOURCES_MAX], i;

	sa_registry_count(&d->sa_reg, &live, &grace, per);
	single(f, "localin_sas_live", "gauge", "Live SAs the SPI check knows.",
	       live);
	single(f, "localin_sas_grace", "gauge",
	       "SAs gone but still valid for their grace period.", grace);
	single(f, "localin_sa_updates_total", "counter",
	       "Updates of the data path's SA table.", d->sa_pushes);
	family(f, "localin_esp_unverified_spis_total", "counter",
	       "SPIs of ESP passed unverified, judged later: an SA came (had_sa) or none did (forged, logged).");
	sample(f, "localin_esp_unverified_spis_total", "outcome", "had_sa",
	       NULL, NULL, d->unv.verified);
	sample(f, "localin_esp_unverified_spis_total", "outcome", "forged",
	       NULL, NULL, d->unv.forged);
	single(f, "localin_esp_unverified_unjudged_frames_total", "counter",
	       "Frames of ESP passed unverified that could not be judged (a source down, no daemon, too many at once).",
	       d->unv.unjudged);
	family(f, "localin_sas", "gauge", "Live SAs per SA source.");
	/* As status: a source looked for and not found is none (no alert). */
	for (i = 0; i < d->nr_srcs; i++)
		if (sas_src_present(d->srcs[i]))
			sample(f, "localin_sas", "source", d->srcs[i]->name,
			       "type", sas_type_name(d->srcs[i]),
			       per[d->srcs[i]->idx]);
	family(f, "localin_sa_source_up", "gauge",
	       "1 while the SA source is read (listed its SAs and is not lost since).");
	for (i = 0; i < d->nr_srcs; i++)
		if (sas_src_present(d->srcs[i]))
			sample(f, "localin_sa_source_up", "source",
			       d->srcs[i]->name, "type",
			       sas_type_name(d->srcs[i]),
			       sas_src_up(d->srcs[i]));
}

static void put_sessions(struct daemon *d, FILE *f)
{
	struct sess_counts c;

	if (sessions_counts(d, &c))
		return;
	single(f, "localin_sessions", "gauge",
	       "Sessions in the data path's table.",
	       (unsigned long long)c.entries);
	single(f, "localin_sessions_max", "gauge",
	       "Size of the data path's session tables (IPv4's and IPv6's).",
	       LI_SESS_MAPS_MAX);
	single(f, "localin_sessions_opened_total", "counter",
	       "Sessions the data path opened since the daemon started.",
	       c.opened);
	single(f, "localin_sessions_ended_total", "counter",
	       "Sessions the daemon's sweep ended (expired or cut).",
	       d->sess.ended);
	single(f, "localin_sessions_end_logged_total", "counter",
	       "Session-end log lines written.", d->sess.logged);
	single(f, "localin_sessions_cleared_total", "counter",
	       "Sessions deleted by diagnose sys session clear.",
	       d->sess.cleared);
	single(f, "localin_sessions_evicted_total", "counter",
	       "Sessions that ended unseen (the table full), estimated.",
	       c.evicted);
}

/* One output of log lines, as the metrics show it. */
static struct log_output_stat of_sink(const char *name,
				      const struct log_sink *s)
{
	return (struct log_output_stat){ .name = name,
					 .written = s->lines,
					 .lost = s->lost,
					 .queued = sink_pending(s),
					 .failing = s->last_err || s->full };
}

/*
 * Every output of log lines: the log sink, the daemon's messages, and
 * the deliveries of issue 9 (syslogd..syslogd4, alert mail add theirs
 * here, one entry each). At most @max; the number filled in.
 */
size_t metrics_log_outputs(struct daemon *d, struct log_output_stat *out,
			   size_t max)
{
	size_t n = 0;

	if (n < max)
		out[n++] = of_sink("log", &d->sink);
	if (n < max)
		out[n++] = of_sink("messages", &d->msgs);
	n += syslogd_outputs(d, out + n, max - n);
	n += alertmail_outputs(d, out + n, max - n);
	return n;
}

static void put_sinks(struct daemon *d, FILE *f)
{
	struct log_output_stat s[16];
	size_t n = metrics_log_outputs(d, s, 16), i;

	family(f, "localin_log_lines_written_total", "counter",
	       "Lines each log output delivered.");
	for (i = 0; i < n; i++)
		sample(f, "localin_log_lines_written_total", "sink", s[i].name,
		       NULL, NULL, s[i].written);
	family(f, "localin_log_lines_lost_total", "counter",
	       "Lines each log output dropped (queue full, or a failed write).");
	for (i = 0; i < n; i++)
		sample(f, "localin_log_lines_lost_total", "sink", s[i].name,
		       NULL, NULL, s[i].lost);
	family(f, "localin_log_queue_bytes", "gauge",
	       "Bytes waiting in each log output's queue.");
	for (i = 0; i < n; i++)
		sample(f, "localin_log_queue_bytes", "sink", s[i].name, NULL,
		       NULL, s[i].queued);
	family(f, "localin_log_sink_failing", "gauge",
	       "1 while a log output fails (lines are being lost).");
	for (i = 0; i < n; i++)
		sample(f, "localin_log_sink_failing", "sink", s[i].name, NULL,
		       NULL, s[i].failing);
}

void metrics_write(struct daemon *d, FILE *f)
{
	put_daemon(d, f);
	put_data_path(d, f);
	put_sas(d, f);
	put_sessions(d, f);
	put_sinks(d, f);
	single(f, "localin_metrics_scrapes_total", "counter",
	       "Answers to GET /metrics, this one included.",
	       d->metrics.scrapes);
}

/* --- the server -------------------------------------------------------- */

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int code,
			     char *text, size_t len, bool must_free)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		len, text,
		must_free ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r) {
		if (must_free)
			free(text);
		return MHD_NO; /* MHD closes the connection */
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				code == MHD_HTTP_OK ? METRICS_CONTENT_TYPE :
						      "text/plain");
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

#define TEXT(s) (char *)(s), sizeof(s) - 1, false

/* Called by MHD_run(), in the loop's thread: the counters as they are. */
static enum MHD_Result answer(void *cls, struct MHD_Connection *c,
			      const char *url, const char *method,
			      const char *version, const char *upload,
			      size_t *upload_size, void **req)
{
	struct daemon *d = cls;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED,
			     TEXT("GET /metrics\n"));
	if (!strcmp(url, "/"))
		return reply(c, MHD_HTTP_OK,
			     TEXT("localin: the metrics are at /metrics\n"));
	if (strcmp(url, "/metrics"))
		return reply(c, MHD_HTTP_NOT_FOUND, TEXT("not found\n"));
	f = open_memstream(&text, &len);
	if (!f)
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
			     TEXT("out of memory\n"));
	d->metrics.scrapes++;
	metrics_write(d, f);
	if (fclose(f)) {
		free(text);
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
			     TEXT("out of memory\n"));
	}
	return reply(c, MHD_HTTP_OK, text, len, true);
}

static void where(const struct obj_metrics *c, char *buf, size_t size)
{
	struct in_addr a = { .s_addr = htonl(c->addr) };
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	snprintf(buf, size, "%s:%u", ip, (unsigned int)c->port);
}

static int open_listener(const struct obj_metrics *c)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(c->port),
				  .sin_addr.s_addr = htonl(c->addr) };
	int fd, one = 1, err;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* A restart finds the port free although old connections linger. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, METRICS_BACKLOG)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* Listen and serve: 0, or -errno with m->err saying why. */
static int serve(struct daemon *d)
{
	struct daemon_metrics *m = &d->metrics;
	const union MHD_DaemonInfo *info;
	char at[32], lib[256];
	int fd;

	where(&m->conf, at, sizeof(at));
	if (li_mhd_load(lib, sizeof(lib))) {
		snprintf(m->err, sizeof(m->err), "cannot serve on %s: %.120s",
			 at, lib);
		return -ELIBACC;
	}
	fd = open_listener(&m->conf);
	if (fd < 0) {
		snprintf(m->err, sizeof(m->err), "cannot listen on %s: %s", at,
			 strerror(-fd));
		return fd;
	}
	/* No MHD_USE_INTERNAL_POLLING_THREAD: we run it, in the loop. */
	m->mhd = MHD_start_daemon(
		MHD_USE_EPOLL, 0, NULL, NULL, answer, d,
		MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned int)METRICS_CONN_MAX, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned int)METRICS_CONN_TIMEOUT_S, MHD_OPTION_END);
	info = m->mhd ? MHD_get_daemon_info(m->mhd, MHD_DAEMON_INFO_EPOLL_FD) :
			NULL;
	if (!info || info->epoll_fd < 0) {
		if (m->mhd)
			MHD_stop_daemon(m->mhd); /* closes fd */
		else
			close(fd);
		m->mhd = NULL;
		snprintf(m->err, sizeof(m->err),
			 "cannot serve on %s: libmicrohttpd did not start", at);
		return -EIO;
	}
	m->epoll_fd = info->epoll_fd;
	m->err[0] = '\0';
	m->run_at_ms = 0;
	return 0;
}

void metrics_close(struct daemon *d)
{
	struct daemon_metrics *m = &d->metrics;

	if (m->mhd)
		MHD_stop_daemon(m->mhd);
	m->mhd = NULL;
	m->epoll_fd = -1;
	m->run_at_ms = 0;
}

void metrics_configure(struct daemon *d, FILE *msgs)
{
	const struct obj_metrics *want = &d->p->objs.metrics;
	struct daemon_metrics *m = &d->metrics;

	if (!m->started)
		m->started = time(NULL);
	if (m->configured && want->enabled == m->conf.enabled &&
	    (!want->enabled ||
	     (want->addr == m->conf.addr && want->port == m->conf.port)))
		return;
	metrics_close(d);
	m->conf = *want;
	m->configured = true;
	m->err[0] = '\0';
	if (!want->enabled)
		return;
	sa_retry_reset(&m->retry);
	if (!serve(d))
		return;
	sa_retry_later(&m->retry);
	if (msgs)
		fprintf(msgs, "metrics: %s; trying again\n", m->err);
	else
		daemon_msg("metrics: %s; trying again", m->err);
}

int metrics_pollfd(struct daemon *d, struct pollfd *pfd)
{
	if (!d->metrics.mhd)
		return 0;
	*pfd = (struct pollfd){ .fd = d->metrics.epoll_fd, .events = POLLIN };
	return 1;
}

/* Wanted but not listening: try again when the backoff says. */
static void retry(struct daemon *d)
{
	struct daemon_metrics *m = &d->metrics;
	char at[32];

	if (!m->conf.enabled || m->mhd || sa_mono_ms() < m->retry.next_ms)
		return;
	if (serve(d)) {
		sa_retry_later(&m->retry);
		return;
	}
	where(&m->conf, at, sizeof(at));
	daemon_msg("metrics: listening on %s now", at);
}

static unsigned int open_conns(struct daemon_metrics *m)
{
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(
		m->mhd, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

	return info ? info->num_connections : 0;
}

void metrics_handle(struct daemon *d, const struct pollfd *pfd)
{
	struct daemon_metrics *m = &d->metrics;
	MHD_UNSIGNED_LONG_LONG ms;
	unsigned int before;
	__u64 now;

	if (!m->mhd) {
		retry(d);
		return;
	}
	now = sa_mono_ms();
	if (!(pfd && pfd->revents) && !(m->run_at_ms && now >= m->run_at_ms))
		return;
	/* Never waits: the sockets are non-blocking. */
	before = open_conns(m);
	MHD_run(m->mhd);
	/*
	 * At the connection limit MHD stops watching the listening socket
	 * and starts again at the start of its next run: after a run that
	 * closed some, one more, or a client waiting in the backlog waits
	 * for nothing.
	 */
	if (open_conns(m) < before)
		MHD_run(m->mhd);
	/* 0 ms: work left (a request read whole): the loop comes back. */
	if (MHD_get_timeout(m->mhd, &ms) == MHD_YES)
		m->run_at_ms = sa_mono_ms() + (__u64)ms;
	else
		m->run_at_ms = 0;
}

int metrics_timeout_ms(struct daemon *d)
{
	struct daemon_metrics *m = &d->metrics;
	__u64 at, now = sa_mono_ms();

	if (m->mhd)
		at = m->run_at_ms;
	else if (m->conf.enabled)
		at = m->retry.next_ms;
	else
		return -1;
	if (!at)
		return -1;
	return at <= now ? 0 : at - now > 60000 ? 60000 : (int)(at - now);
}

void metrics_status(struct daemon *d, FILE *out)
{
	struct daemon_metrics *m = &d->metrics;
	char at[32];

	if (!m->conf.enabled) {
		fputs("metrics: off (config system metrics)\n", out);
		return;
	}
	where(&m->conf, at, sizeof(at));
	if (!m->mhd) {
		fprintf(out, "metrics: NOT SERVED: %s; trying again\n", m->err);
		return;
	}
	fprintf(out,
		"metrics: http://%s/metrics: %llu scrapes, %u connections open (of %d)\n",
		at, (unsigned long long)m->scrapes, open_conns(m),
		METRICS_CONN_MAX);
}

/* The status's "metrics" object (null when off): metrics_status(). */
void metrics_status_json(struct daemon *d, FILE *out)
{
	struct daemon_metrics *m = &d->metrics;
	char at[32], url[64];

	if (!m->conf.enabled) {
		fputs("null", out);
		return;
	}
	where(&m->conf, at, sizeof(at));
	snprintf(url, sizeof(url), "http://%s/metrics", at);
	fputs("{\"url\":", out);
	diag_json_str(out, url);
	fprintf(out, ",\"served\":%s,\"error\":", m->mhd ? "true" : "false");
	diag_json_str(out, m->mhd ? NULL : m->err);
	fprintf(out,
		",\"scrapes\":%llu,\"connections\":%u,\"max_connections\":%d}",
		(unsigned long long)m->scrapes, m->mhd ? open_conns(m) : 0,
		METRICS_CONN_MAX);
}
