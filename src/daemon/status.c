// SPDX-License-Identifier: GPL-2.0
/* `localin status`: what the daemon enforces, where, and what it counted. */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log/counters.h"
#include "daemon/diag_fmt.h"
#include "daemon/internal.h"
#include "daemon/logout.h"

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
	size_t i, n = 0;

	fputs("interfaces:", out);
	for (i = 0; i < d->nr_links; i++) {
		if (!d->links[i].attached)
			continue;
		fprintf(out, "%s %s (ifindex %d%s)", n++ ? "," : "",
			d->links[i].name, d->links[i].ifindex,
			d->links[i].generic ? ", generic XDP" : "");
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
		const char *m = links_left_to_master(d, k, buf, sizeof(buf));

		if (m)
			fprintf(out, "%s %s (ifindex %d: a port of %s)",
				n++ ? "," :
				      "ports judged on their bridge or bond (`any`):",
				k->name, k->ifindex, m);
	}
	if (n)
		fputc('\n', out);
	for (i = 0, n = 0; i < d->nr_links; i++) {
		const struct daemon_link *k = &d->links[i];
		const char *low = links_upper_lower(d, k);

		if (low)
			fprintf(out, "%s %s (ifindex %d: on %s%s)",
				n++ ? "," :
				      "macvlans judged on their own, not on their lower device:",
				k->name, k->ifindex, low,
				k->attached ? "" : ", not attached: unjudged");
	}
	if (n)
		fputc('\n', out);
	for (i = 0, n = 0; i < d->nr_links; i++) {
		const struct daemon_link *k = &d->links[i];

		if ((k->attached || k->eg_only) && k->egress_err)
			fprintf(out, "%s %s (ifindex %d: %s)",
				n++ ? "," :
				      "replies to the gateway's own connections meet the policies on:",
				k->name, k->ifindex, strerror(-k->egress_err));
	}
	if (n)
		fputc('\n', out);
	for (i = 0, n = 0; i < d->want.nr; i++) {
		if (links_have_name(d, d->want.names[i]))
			continue;
		fprintf(out, "%s %s",
			n++ ? "," : "interfaces named but absent:",
			d->want.names[i]);
	}
	if (n)
		fputc('\n', out);
}

/*
 * status -j after "interfaces": the wanted interfaces not attached and
 * why, and the ports `any` leaves to their bridge or bond, as the text's
 * lines say them.
 */
static void put_unattached_json(const struct daemon *d, FILE *out)
{
	const char *s;
	char buf[128];
	size_t i, n = 0;

	fputs("],\"interfaces_not_attached\":[", out);
	for (i = 0; i < d->nr_links; i++) {
		const struct daemon_link *k = &d->links[i];

		s = links_unattached_why(k, buf, sizeof(buf));
		if (!s)
			continue;
		fputs(n++ ? ",{\"name\":" : "{\"name\":", out);
		diag_json_str(out, k->name);
		fprintf(out, ",\"ifindex\":%d,\"why\":", k->ifindex);
		diag_json_str(out, s);
		fputc('}', out);
	}
	fputs("],\"ports_on_master\":[", out);
	for (i = 0, n = 0; i < d->nr_links; i++) {
		const struct daemon_link *k = &d->links[i];

		s = links_left_to_master(d, k, buf, sizeof(buf));
		if (!s)
			continue;
		fputs(n++ ? ",{\"name\":" : "{\"name\":", out);
		diag_json_str(out, k->name);
		fprintf(out, ",\"ifindex\":%d,\"master\":", k->ifindex);
		diag_json_str(out, s);
		fputc('}', out);
	}
	fputs("],\"macvlans_on_own\":[", out);
	for (i = 0, n = 0; i < d->nr_links; i++) {
		const struct daemon_link *k = &d->links[i];

		s = links_upper_lower(d, k);
		if (!s)
			continue;
		fputs(n++ ? ",{\"name\":" : "{\"name\":", out);
		diag_json_str(out, k->name);
		fprintf(out, ",\"ifindex\":%d,\"lower\":", k->ifindex);
		diag_json_str(out, s);
		fprintf(out, ",\"attached\":%s}",
			k->attached ? "true" : "false");
	}
	fputc(']', out);
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
	/*
	 * Apart from the rate limit's: these the limit let out, and the
	 * daemon did not drain the ring in time for them (stalled, or too
	 * slow for the flood).
	 */
	fprintf(out,
		"events lost to a full ring: %llu traffic, %llu esp-error, %llu esp-wrong-peer, %llu trace\n",
		(unsigned long long)c.events_ring_full[LI_EV_TRAFFIC],
		(unsigned long long)c.events_ring_full[LI_EV_ESP_ERROR],
		(unsigned long long)c.events_ring_full[LI_EV_ESP_PEER],
		(unsigned long long)c.events_ring_full[LI_EV_TRACE]);
}

/* The gateway's own addresses: IPv4, of those with a broadcast, IPv6. */
static void count_locals(const struct daemon *d, size_t *v4, size_t *bc,
			 size_t *v6)
{
	size_t i;

	*v4 = *bc = *v6 = 0;
	for (i = 0; i < d->locals.nr; i++) {
		*v6 += d->locals.v[i].family == 6;
		*bc += d->locals.v[i].family == 4 &&
		       d->locals.v[i].prefixlen < 31;
	}
	*v4 = d->locals.nr - *v6;
}

void daemon_status(struct daemon *d, FILE *out)
{
	const struct li_ruleset *rs = &d->p->rs;
	char buf[512];
	size_t v4, bc, v6;

	fprintf(out, "pid: %d\n", (int)getpid());
	fprintf(out, "config: %s\n", d->o->config);
	if (d->p->tree.multi_vdom)
		fprintf(out, "vdom: %s\n", conf_tree_vdom(&d->p->tree));
	fputs("loaded at: ", out);
	put_time(out, d->loaded_at);
	fprintf(out, " (reloads: %u, failed: %u)\n", d->reloads,
		d->reload_failures);
	fprintf(out, "policies: %u IPv4, %u IPv6\n", rs->v4.nr_policies,
		rs->v6.nr_policies);
	fprintf(out, "pin dir: %s\n", d->o->pin_dir);
	put_interfaces(d, out);
	count_locals(d, &v4, &bc, &v6);
	fprintf(out,
		"local addresses: %zu IPv4 (and %zu broadcast), %zu IPv6\n", v4,
		bc, v6);
	if (d->rtnl.foreign.n)
		fprintf(out,
			"rtnetlink: %llu messages from processes dropped (the last from port %u): only the kernel's are read\n",
			d->rtnl.foreign.n, d->rtnl.foreign.port);
	if (d->locals_out)
		fprintf(out,
			"local addresses: TABLE FULL, %zu of %zu not judged (their packets pass as not the gateway's), the first %s\n",
			d->locals_out, d->locals_listed, d->locals_out_first);
	fprintf(out,
		"log: %s: %llu lines written, %llu lost, %zu bytes waiting; daemon messages to %s: %llu lost\n",
		sink_name(&d->sink), (unsigned long long)d->sink.lines,
		(unsigned long long)d->sink.lost, sink_pending(&d->sink),
		sink_name(&d->msgs), (unsigned long long)d->msgs.lost);
	if (d->log_reopen_err)
		fprintf(out,
			"log: cannot reopen %s at the last reload: %s; still writing to the old file\n",
			d->sink.path, strerror(-d->log_reopen_err));
	logfile_status(d, out);
	if (rl_summary(&d->log.rl, buf, sizeof(buf)) > 0)
		fprintf(out, "%s\n", buf);
	if (d->trace_left)
		fprintf(out, "trace: %u packets left\n", d->trace_left);
	else
		fputs("trace: stopped\n", out);
	if (ctl_streams(d))
		fprintf(out,
			"debug: enabled: trace lines to %u streaming clients, not the log\n",
			ctl_streams(d));
	sas_status(d, out);
	syslogd_status(d, out);
	sessions_status(d, out);
	alertmail_status(d, out);
	metrics_status(d, out);
	dynaddr_status(d, out);
	geoip_status(d, out);
	put_counters(d, out);
}

/*
 * The keys of status -j from the other parts of the daemon, each written
 * by the part that writes its text lines (README "JSON output").
 */
/* "log_outputs": every output's counters, as the metrics count them. */
static void put_log_outputs_json(struct daemon *d, FILE *out)
{
	struct log_output_stat s[16];
	size_t n = metrics_log_outputs(d, s, 16), i;

	fputs(",\"log_outputs\":[", out);
	for (i = 0; i < n; i++) {
		fprintf(out, "%s{\"name\":", i ? "," : "");
		diag_json_str(out, s[i].name);
		fprintf(out,
			",\"written\":%llu,\"lost\":%llu,\"queued_bytes\":%zu,\"failing\":%s}",
			(unsigned long long)s[i].written,
			(unsigned long long)s[i].lost, s[i].queued,
			s[i].failing ? "true" : "false");
	}
	fputc(']', out);
}

static void put_outputs_json(struct daemon *d, FILE *out)
{
	size_t v4, bc, v6;

	fputs(",\"vdom\":", out);
	diag_json_str(out, d->p->tree.multi_vdom ? conf_tree_vdom(&d->p->tree) :
						   NULL);
	fprintf(out, ",\"debug\":{\"enabled\":%s,\"streams\":%u}",
		ctl_streams(d) ? "true" : "false", ctl_streams(d));
	fputs(",\"sa\":", out);
	sas_status_json(d, out);
	fputs(",\"log_file\":", out);
	logfile_status_json(d, out);
	put_log_outputs_json(d, out);
	fputs(",\"syslog\":", out);
	syslogd_status_json(d, out);
	fputs(",\"alert_mail\":", out);
	alertmail_status_json(d, out);
	fputs(",\"metrics\":", out);
	metrics_status_json(d, out);
	fputs(",\"dynamic\":", out);
	dynaddr_status_json(d, out);
	fputs(",\"geoip\":", out);
	geoip_status_json(d, out);
	count_locals(d, &v4, &bc, &v6);
	fprintf(out,
		",\"local_addresses\":{\"ipv4\":%zu,\"broadcast\":%zu,\"ipv6\":%zu,\"not_in_table\":%zu}",
		v4, bc, v6, d->locals_out);
	fputs(",\"sessions\":", out);
	sessions_status_json(d, out);
}

/*
 * The data path's events it did not send, by kind: those its rate limit
 * held back and those a full ring lost, as the text's two lines.
 */
static void put_event_counts_json(const struct li_counters *c, FILE *out)
{
	static const char *const kinds[LI_EV_NR_KINDS] = {
		[LI_EV_TRAFFIC] = "traffic",
		[LI_EV_ESP_ERROR] = "esp-error",
		[LI_EV_TRACE] = "trace",
		[LI_EV_ESP_PEER] = "esp-wrong-peer",
	};
	int k;

	for (k = 0; k < LI_EV_NR_KINDS; k++)
		fprintf(out, "%s\"%s\":%llu", k ? "," : ",\"suppressed\":{",
			kinds[k], (unsigned long long)c->events_suppressed[k]);
	for (k = 0; k < LI_EV_NR_KINDS; k++)
		fprintf(out, "%s\"%s\":%llu", k ? "," : "},\"ring_full\":{",
			kinds[k], (unsigned long long)c->events_ring_full[k]);
	fputc('}', out);
}

/* `localin status -j`: status as one JSON object (README "JSON output"). */
void daemon_status_json(struct daemon *d, FILE *out)
{
	const struct li_ruleset *rs = &d->p->rs;
	struct li_counters c;
	size_t i, n = 0;
	int fam, err;
	__u32 k;

	fprintf(out, "{\"localin\":1,\"pid\":%d,\"config\":", (int)getpid());
	diag_json_str(out, d->o->config);
	fprintf(out,
		",\"loaded_at\":%lld,\"reloads\":%u,\"reload_failures\":%u,\"policies\":{\"ipv4\":%u,\"ipv6\":%u},\"pin_dir\":",
		(long long)d->loaded_at, d->reloads, d->reload_failures,
		rs->v4.nr_policies, rs->v6.nr_policies);
	diag_json_str(out, d->o->pin_dir);
	fputs(",\"interfaces\":[", out);
	for (i = 0; i < d->nr_links; i++) {
		if (!d->links[i].attached)
			continue;
		fputs(n++ ? ",{\"name\":" : "{\"name\":", out);
		diag_json_str(out, d->links[i].name);
		fprintf(out, ",\"ifindex\":%d,\"mode\":\"%s\"}",
			d->links[i].ifindex,
			d->links[i].generic ? "generic" : "native");
	}
	put_unattached_json(d, out);
	fprintf(out, ",\"rtnetlink\":{\"foreign\":%llu,\"malformed\":%u}",
		d->rtnl.foreign.n, d->rtnl.bad);
	fprintf(out,
		",\"trace\":{\"left\":%u,\"streams\":%u},\"log\":{\"sink\":",
		d->trace_left, ctl_streams(d));
	diag_json_str(out, sink_name(&d->sink));
	fprintf(out, ",\"written\":%llu,\"lost\":%llu",
		(unsigned long long)d->sink.lines,
		(unsigned long long)d->sink.lost);
	/*
	 * The log rate limit's suppressed lines, as text status and
	 * replay's summary say them: without them a script could not tell
	 * a line the limit held back from one never made.
	 */
	for (k = 0; k < RL_NR_KINDS; k++)
		fprintf(out, "%s\"%s\":%llu", k ? "," : ",\"suppressed\":{",
			rl_kind_name((enum rl_kind)k),
			(unsigned long long)rl_suppressed(&d->log.rl,
							  (enum rl_kind)k));
	fputs("}}", out);
	fprintf(out, ",\"events\":{\"read\":%llu,\"traced\":%llu",
		(unsigned long long)d->events, (unsigned long long)d->traces);
	memset(&c, 0, sizeof(c));
	err = li_loader_counters(d->l, &c);
	if (!err)
		put_event_counts_json(&c, out);
	fputc('}', out);
	put_outputs_json(d, out);
	fputs(",\"reasons\":", out);
	if (err) {
		fputs("null,\"policy_hits\":null}\n", out);
		return;
	}
	for (i = 0; i < LI_R_MAX; i++)
		fprintf(out, "%s\"%s\":%llu", i ? "," : "{",
			li_reason_name((unsigned int)i),
			(unsigned long long)c.by_reason[i]);
	fputs("},\"policy_hits\":[", out);
	for (fam = 0, n = 0; fam < 2; fam++) {
		const struct li_family *f = fam ? &rs->v6 : &rs->v4;

		for (k = 0; k < f->nr_policies; k++)
			fprintf(out,
				"%s{\"id\":%u,\"family\":%d,\"action\":\"%s\",\"hits\":%llu}",
				n++ ? "," : "", f->policies[k].id, fam ? 6 : 4,
				f->policies[k].action == LI_ACT_ACCEPT ?
					"accept" :
					"deny",
				(unsigned long long)(c.policy_hits[fam] &&
								     k < c.nr_policies
										     [fam] ?
							     c.policy_hits[fam]
									  [k] :
							     0));
	}
	fputs("]}\n", out);
}
