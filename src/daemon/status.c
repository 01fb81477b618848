// SPDX-License-Identifier: GPL-2.0
/* `localin status`: what the daemon enforces, where, and what it counted. */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log/counters.h"
#include "daemon/internal.h"

static void put_time(FILE *out, time_t t)
{
	char buf[64];
	struct tm tm;

	if (localtime_r(&t, &tm) &&
	    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %z", &tm))
		fputs(buf, out);
}

static void put_interfaces(const struct daemon *d, FILE *out)
{
	const char *why;
	char buf[128];
	size_t i, j, n = 0;

	fputs("interfaces:", out);
	for (i = 0; i < d->nr_links; i++) {
		if (!d->links[i].attached)
			continue;
		fprintf(out, "%s %s (ifindex %d)", n++ ? "," : "",
			d->links[i].name, d->links[i].ifindex);
	}
	fputs(n ? "\n" : " none\n", out);
	for (i = 0, n = 0; i < d->nr_links; i++) {
		const struct daemon_link *k = &d->links[i];

		why = links_unattached_why(k, buf, sizeof(buf));
		if (why)
			fprintf(out, "%s %s (ifindex %d: %s)",
				n++ ? "," : "interfaces not attached:", k->name,
				k->ifindex, why);
	}
	if (n)
		fputc('\n', out);
	for (i = 0, n = 0; i < d->nr_links; i++) {
		const struct daemon_link *k = &d->links[i];

		if (k->attached && k->egress_err)
			fprintf(out, "%s %s (ifindex %d: %s)",
				n++ ? "," :
				      "replies to the gateway's own connections meet the policies on:",
				k->name, k->ifindex, strerror(-k->egress_err));
	}
	if (n)
		fputc('\n', out);
	for (i = 0, n = 0; i < d->want.nr; i++) {
		for (j = 0; j < d->nr_links; j++)
			if (!strcmp(d->links[j].name, d->want.names[i]))
				break;
		if (j < d->nr_links)
			continue;
		fprintf(out, "%s %s",
			n++ ? "," : "interfaces named but absent:",
			d->want.names[i]);
	}
	if (n)
		fputc('\n', out);
}

static void put_counters(struct daemon *d, FILE *out)
{
	const struct li_ruleset *rs = &d->p->rs;
	struct li_counters c;
	struct li_counts counts;
	int fam, err;

	memset(&c, 0, sizeof(c));
	err = li_loader_counters(d->l, &c);
	if (err) {
		fprintf(out, "counters: cannot read them: %s\n",
			strerror(-err));
		return;
	}
	fputs("counters:\n", out);
	counts.rs = rs;
	counts.by_reason = c.by_reason;
	for (fam = 0; fam < 2; fam++) {
		counts.hits[fam] = c.policy_hits[fam];
		counts.nr_hits[fam] = c.nr_policies[fam];
	}
	li_counts_print(out, &counts, LI_COUNTS_STATUS);
	fprintf(out,
		"events: %llu read, %llu traced; suppressed in the data path: %llu traffic, %llu esp-error, %llu esp-wrong-peer, %llu trace\n",
		(unsigned long long)d->events, (unsigned long long)d->traces,
		(unsigned long long)c.events_suppressed[LI_EV_TRAFFIC],
		(unsigned long long)c.events_suppressed[LI_EV_ESP_ERROR],
		(unsigned long long)c.events_suppressed[LI_EV_ESP_PEER],
		(unsigned long long)c.events_suppressed[LI_EV_TRACE]);
}

void daemon_status(struct daemon *d, FILE *out)
{
	const struct li_ruleset *rs = &d->p->rs;
	char buf[512];
	size_t i, bc = 0, v6 = 0;

	fprintf(out, "pid: %d\n", (int)getpid());
	fprintf(out, "config: %s\n", d->o->config);
	fputs("loaded at: ", out);
	put_time(out, d->loaded_at);
	fprintf(out, " (reloads: %u, failed: %u)\n", d->reloads,
		d->reload_failures);
	fprintf(out, "policies: %u IPv4, %u IPv6\n", rs->v4.nr_policies,
		rs->v6.nr_policies);
	fprintf(out, "pin dir: %s\n", d->o->pin_dir);
	put_interfaces(d, out);
	for (i = 0; i < d->locals.nr; i++) {
		v6 += d->locals.v[i].family == 6;
		bc += d->locals.v[i].family == 4 &&
		      d->locals.v[i].prefixlen < 31;
	}
	fprintf(out,
		"local addresses: %zu IPv4 (and %zu broadcast), %zu IPv6\n",
		d->locals.nr - v6, bc, v6);
	fprintf(out,
		"log: %s: %llu lines written, %llu lost, %zu bytes waiting; daemon messages to %s: %llu lost\n",
		sink_name(&d->sink), (unsigned long long)d->sink.lines,
		(unsigned long long)d->sink.lost, sink_pending(&d->sink),
		sink_name(&d->msgs), (unsigned long long)d->msgs.lost);
	logfile_status(d, out);
	if (rl_summary(&d->log.rl, buf, sizeof(buf)) > 0)
		fprintf(out, "%s\n", buf);
	if (d->trace_left)
		fprintf(out, "trace: %u packets left\n", d->trace_left);
	else
		fputs("trace: stopped\n", out);
	sas_status(d, out);
	syslogd_status(d, out);
	sessions_status(d, out);
	alertmail_status(d, out);
	metrics_status(d, out);
	geoip_status(d, out);
	put_counters(d, out);
}
