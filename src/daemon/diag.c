// SPDX-License-Identifier: GPL-2.0
/*
 * The FortiOS read commands against the running daemon (ctl.h):
 * `diagnose firewall iprope list|show|clear 100001`, `get system status`,
 * `get system performance status`, `get|show firewall local-in-policy`,
 * and their JSON forms (README "JSON output"). The text of one policy
 * comes from diag_fmt.c, which the unit tests drive without a daemon.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf/printer.h"
#include "log/counters.h"
#include "daemon/diag_fmt.h"
#include "daemon/internal.h"

/* The policies in force with their hit counters (NULL hits: unreadable). */
struct diag_pols {
	const struct obj_config *cfg;
	struct li_counters c;
	bool have_hits;
};

static void diag_pols_read(struct daemon *d, struct diag_pols *p)
{
	memset(p, 0, sizeof(*p));
	p->cfg = &d->p->objs;
	p->have_hits = !li_loader_counters(d->l, &p->c);
}

static __u64 hits_of(const struct diag_pols *p, int fam, size_t k)
{
	if (!p->have_hits || !p->c.policy_hits[fam] ||
	    k >= p->c.nr_policies[fam])
		return 0;
	return p->c.policy_hits[fam][k];
}

/* Each policy (both families, table order) @fn is given, or @id's. */
static size_t each_policy(const struct diag_pols *p, bool has_id, __u32 id,
			  void (*fn)(const struct diag_pols *p, int fam,
				     size_t k, void *ctx),
			  void *ctx)
{
	size_t k, n = 0;
	int fam;

	for (fam = 0; fam < 2; fam++) {
		struct obj_policy **v =
			fam ? p->cfg->policies6 : p->cfg->policies4;
		size_t nr = fam ? p->cfg->nr_policies6 : p->cfg->nr_policies4;

		for (k = 0; k < nr; k++) {
			if (has_id && v[k]->id != id)
				continue;
			fn(p, fam, k, ctx);
			n++;
		}
	}
	return n;
}

static const struct obj_policy *pol_at(const struct diag_pols *p, int fam,
				       size_t k)
{
	return fam ? p->cfg->policies6[k] : p->cfg->policies4[k];
}

struct list_ctx {
	FILE *out;
	bool show; /* iprope show: the counter line first */
	bool json;
	size_t n;
	int last_fam;
};

static void count_one(const struct diag_pols *p, int fam, size_t k, void *arg)
{
}

static void list_one(const struct diag_pols *p, int fam, size_t k, void *arg)
{
	struct list_ctx *x = arg;
	const struct obj_policy *pol = pol_at(p, fam, k);
	__u64 hits = hits_of(p, fam, k);

	if (x->json) {
		if (x->n++)
			fputc(',', x->out);
		diag_fmt_policy_json(x->out, pol, (unsigned int)k + 1, hits);
		return;
	}
	if (!x->show && fam != x->last_fam)
		fprintf(x->out, "Policy Group 00%s%s\n", CTL_IPROPE_GROUP,
			fam ? " (IPv6: local-in-policy6)" : "");
	x->last_fam = fam;
	if (x->show)
		fprintf(x->out, "idx=%u hit count:%llu\n", pol->id,
			(unsigned long long)hits);
	diag_fmt_iprope(x->out, pol, (unsigned int)k + 1, hits);
}

bool diag_iprope_list(struct daemon *d, const struct ctl_req *r, FILE *out)
{
	struct list_ctx x = { .out = out,
			      .show = r->cmd == CTL_IPROPE_SHOW,
			      .json = r->json,
			      .last_fam = -1 };
	struct diag_pols p;

	diag_pols_read(d, &p);
	if (r->has_id && !each_policy(&p, true, r->id, count_one, NULL)) {
		fprintf(out, "no local-in policy %u in group %s\n", r->id,
			CTL_IPROPE_GROUP);
		return false;
	}
	if (!p.have_hits && !r->json)
		fputs("(the hit counters cannot be read: shown as 0)\n", out);
	if (r->json)
		fprintf(out, "{\"localin\":1,\"group\":\"%s\",\"policies\":[",
			CTL_IPROPE_GROUP);
	each_policy(&p, r->has_id, r->id, list_one, &x);
	if (r->json)
		fputs("]}\n", out);
	return true;
}

bool diag_iprope_clear(struct daemon *d, FILE *out)
{
	int err = li_loader_clear_policy_hits(d->l);

	if (err) {
		fprintf(out,
			"cannot clear the hit counters: %s; none was cleared\n",
			strerror(-err));
		return false;
	}
	return true;
}

/* Config's hostname, else the system's. */
static const char *host_name(struct daemon *d, char *buf, size_t size)
{
	if (d->p->objs.hostname)
		return d->p->objs.hostname;
	if (gethostname(buf, size - 1))
		return "?";
	buf[size - 1] = '\0';
	return buf;
}

/*
 * Seconds since the control socket opened, by the monotonic clock: the
 * wall clock set forward at boot (NTP) or back (date -s) would add hours
 * or make it 0.
 */
static time_t daemon_uptime(const struct daemon *d)
{
	return (time_t)((sa_mono_ms() - d->started_ms) / 1000);
}

bool diag_sys_status(struct daemon *d, bool json, FILE *out)
{
	struct diag_sys s = {
		.version = d->o->version ? d->o->version : "?",
		.program = li_loader_build(),
		.config = d->o->config,
		.pid = (int)getpid(),
		.started = d->started_at,
		.loaded = d->loaded_at,
		.now = time(NULL),
		.uptime = daemon_uptime(d),
		.reloads = d->reloads,
		.reload_failures = d->reload_failures,
		.v4 = d->p->rs.v4.nr_policies,
		.v6 = d->p->rs.v6.nr_policies,
		.trace_left = d->trace_left,
	};
	char host[256];
	size_t i;

	s.hostname = host_name(d, host, sizeof(host));
	for (i = 0; i < d->nr_links; i++)
		s.attached += d->links[i].attached;
	if (json)
		diag_fmt_sys_json(out, &s);
	else
		diag_fmt_sys(out, &s);
	return true;
}

/* The daemon's resident memory in KiB (VmRSS), or 0. */
static unsigned long rss_kib(void)
{
	unsigned long v = 0;
	char line[256];
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %lu", &v) == 1)
			break;
	fclose(f);
	return v;
}

bool diag_sys_perf(struct daemon *d, bool json, FILE *out)
{
	struct diag_perf s = { .now = time(NULL),
			       .started = d->started_at,
			       .uptime = daemon_uptime(d) };
	struct li_counters c;
	struct sess_counts sc;
	int err = li_loader_counters(d->l, &c), fam;
	__u32 k;

	if (err) {
		fprintf(out, "cannot read the data path's counters: %s\n",
			strerror(-err));
		return false;
	}
	memcpy(s.by_reason, c.by_reason, sizeof(s.by_reason));
	for (fam = 0; fam < 2; fam++) {
		const struct li_family *f = fam ? &d->p->rs.v6 : &d->p->rs.v4;

		for (k = 0; k < f->nr_policies && c.policy_hits[fam] &&
			    k < c.nr_policies[fam];
		     k++) {
			if (f->policies[k].action == LI_ACT_ACCEPT)
				s.policy_accept += c.policy_hits[fam][k];
			else
				s.policy_deny += c.policy_hits[fam][k];
		}
	}
	memcpy(s.suppressed, c.events_suppressed, sizeof(s.suppressed));
	memcpy(s.ring_full, c.events_ring_full, sizeof(s.ring_full));
	s.esp_wrong_peer_drop = d->p->rs.esp_wrong_peer_drop;
	s.events = d->events;
	s.traces = d->traces;
	s.log_lines = d->sink.lines;
	s.log_lost = d->sink.lost;
	s.rss_kib = rss_kib();
	if (!sessions_counts(d, &sc)) {
		s.have_sessions = true;
		s.sessions = sc.entries;
		s.sessions_opened = sc.opened;
	}
	if (json)
		diag_fmt_perf_json(out, &s);
	else
		diag_fmt_perf(out, &s);
	return true;
}

struct get_ctx {
	FILE *out;
	bool json, one;
	size_t n;
};

static void get_one(const struct diag_pols *p, int fam, size_t k, void *arg)
{
	struct get_ctx *x = arg;
	const struct obj_policy *pol = pol_at(p, fam, k);

	if (x->json) {
		if (x->n++)
			fputc(',', x->out);
		diag_fmt_policy_json(x->out, pol, (unsigned int)k + 1,
				     hits_of(p, fam, k));
	} else if (x->one) {
		diag_fmt_get_policy(x->out, pol);
	} else {
		/* FortiOS's list form: the keys only */
		fprintf(x->out, "== [ %u ]\npolicyid: %u\n", pol->id, pol->id);
	}
}

bool diag_get_localin(struct daemon *d, const struct ctl_req *r, FILE *out)
{
	struct get_ctx x = { .out = out, .json = r->json, .one = r->has_id };
	struct diag_pols p;

	diag_pols_read(d, &p);
	if (r->has_id && !each_policy(&p, true, r->id, count_one, NULL)) {
		fprintf(out,
			"entry not found in datasource: local-in-policy %u\n",
			r->id);
		return false;
	}
	if (r->json)
		fputs("{\"localin\":1,\"policies\":[", out);
	each_policy(&p, r->has_id, r->id, get_one, &x);
	if (r->json)
		fputs("]}\n", out);
	return true;
}

bool diag_show_localin(struct daemon *d, const struct ctl_req *r, FILE *out)
{
	struct conf_print_opts po = { .section = "firewall local-in-policy" };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	bool ok = true;
	int n;

	if (!f) {
		fputs("out of memory\n", out);
		return false;
	}
	conf_print(&d->p->tree, &po, f);
	fclose(f);
	if (!r->has_id) {
		fwrite(text, 1, len, out);
	} else {
		n = diag_fmt_show_entry(out, text, r->id);
		if (n <= 0) {
			fprintf(out,
				"entry not found in datasource: local-in-policy %u\n",
				r->id);
			ok = false;
		}
	}
	free(text);
	return ok;
}

bool diag_filter_json(struct daemon *d, int family, FILE *out)
{
	int k = family == 6 ? FLOW_FILTER6 : FLOW_FILTER4;

	diag_fmt_filter_json(out, d->filter, k);
	return true;
}
