// SPDX-License-Identifier: GPL-2.0
/* The text and JSON of the FortiOS read commands; see diag_fmt.h. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "compile/ipset.h"
#include "log/counters.h"
#include "daemon/diag_fmt.h"

/* Ranges printed per address list; the rest are counted. */
#define DIAG_RANGES_MAX 32

/*
 * The length of the UTF-8 character at @p (RFC 3629: no overlong forms,
 * no surrogates, at most U+10FFFF), or 0 if it is not one.
 */
static int utf8_len(const unsigned char *p)
{
	int n, i;

	if (p[0] < 0xc2 || p[0] > 0xf4)
		return 0;
	n = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) ||
	    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
		return 0;
	return n;
}

void diag_json_str(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int n;

	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (; *p; p++) {
		if (*p == '"' || *p == '\\') {
			fprintf(out, "\\%c", *p);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(out, "\\u%04x", *p);
		} else if (*p < 0x80) {
			fputc(*p, out);
		} else if ((n = utf8_len(p))) {
			fwrite(p, 1, (size_t)n, out);
			p += n - 1;
		} else {
			/* JSON is UTF-8 (RFC 8259): a stray byte is U+FFFD. */
			fputs("\\ufffd", out);
		}
	}
	fputc('"', out);
}

/* The addresses @a stands for (fqdn: none until resolved). */
static int addr_set(const struct obj_addr *a, struct ipset *out)
{
	struct ipset m, x, tmp;
	size_t i;
	int err = 0;

	if (a->type != ADDR_GROUP) {
		if (a->type == ADDR_FQDN)
			return 0;
		return ipset_push(out, a->range.lo, a->range.hi);
	}
	ipset_init(&m);
	ipset_init(&x);
	ipset_init(&tmp);
	for (i = 0; !err && i < a->nr_members; i++)
		err = addr_set(a->members[i], &m);
	for (i = 0; !err && a->exclude && i < a->nr_excludes; i++)
		err = addr_set(a->excludes[i], &x);
	ipset_normalize(&m);
	ipset_normalize(&x);
	if (!err)
		err = ipset_diff(&tmp, &m, &x);
	if (!err)
		err = ipset_push_set(out, &tmp);
	ipset_release(&m);
	ipset_release(&x);
	ipset_release(&tmp);
	return err;
}

static void put_ip(FILE *out, int family, ip_u128 v)
{
	char buf[INET6_ADDRSTRLEN];
	unsigned char b[16];
	__u32 v4;
	int i;

	if (family == 4) {
		v4 = htonl((__u32)v);
		inet_ntop(AF_INET, &v4, buf, sizeof(buf));
	} else {
		for (i = 15; i >= 0; i--, v >>= 8)
			b[i] = (unsigned char)v;
		inet_ntop(AF_INET6, b, buf, sizeof(buf));
	}
	fputs(buf, out);
}

/* "source(N): lo-hi, lo-hi" over what @v's addresses stand for. */
static void put_addrs(FILE *out, const char *what, int family,
		      struct obj_addr **v, size_t nr, bool negate)
{
	struct ipset s;
	size_t i;

	ipset_init(&s);
	for (i = 0; i < nr; i++)
		if (addr_set(v[i], &s))
			break;
	ipset_normalize(&s);
	fprintf(out, "%s(%zu):%s", what, s.nr, negate ? " (negate)" : "");
	for (i = 0; i < s.nr && i < DIAG_RANGES_MAX; i++) {
		fputs(i ? ", " : " ", out);
		put_ip(out, family, s.r[i].lo);
		fputc('-', out);
		put_ip(out, family, s.r[i].hi);
	}
	if (s.nr > DIAG_RANGES_MAX)
		fprintf(out, ", ... (%zu more)", s.nr - DIAG_RANGES_MAX);
	fputc('\n', out);
	ipset_release(&s);
}

static size_t count_ranges(const struct obj_service *s)
{
	size_t i, n = s->is_group ? 0 : s->nr_ranges;

	for (i = 0; s->is_group && i < s->nr_members; i++)
		n += count_ranges(s->members[i]);
	return n;
}

static void put_ranges(FILE *out, const struct obj_service *s)
{
	size_t i;

	if (s->is_group) {
		for (i = 0; i < s->nr_members; i++)
			put_ranges(out, s->members[i]);
		return;
	}
	for (i = 0; i < s->nr_ranges; i++) {
		const struct svc_range *r = &s->ranges[i];

		fprintf(out, " [%u:0x0:0/(%u,%u)->(%u,%u)]\n",
			r->proto == SVC_PROTO_ANY ? 0 : r->proto, r->slo,
			r->shi, r->dlo, r->dhi);
	}
}

void diag_fmt_iprope(FILE *out, const struct obj_policy *p, unsigned int order,
		     __u64 hits)
{
	size_t i, n = 0;

	fprintf(out, "policy index=%u uuid_idx=%u action=%s%s\n", p->id, order,
		p->accept ? "accept" : "drop",
		p->enabled ? "" : " (status disable: not checked)");
	fputs("flag (0):\n", out);
	fprintf(out, "flag3 (20): schedule(%s)\n",
		p->sched ? p->sched->name : "always");
	if (p->intf_any) {
		fputs("zone(1): any", out);
	} else {
		fprintf(out, "zone(%zu):", p->nr_intfs);
		for (i = 0; i < p->nr_intfs; i++)
			fprintf(out, " %s", p->intfs[i].name);
	}
	fputs(" -> zone(1): local\n", out);
	put_addrs(out, "source", p->family, p->src, p->nr_src, p->src_negate);
	put_addrs(out, "dest", p->family, p->dst, p->nr_dst, p->dst_negate);
	for (i = 0; i < p->nr_svc; i++)
		n += count_ranges(p->svc[i]);
	fprintf(out, "service(%zu):%s\n", n, p->svc_negate ? " (negate)" : "");
	for (i = 0; i < p->nr_svc; i++)
		put_ranges(out, p->svc[i]);
	fprintf(out, "hit count:%llu\n", (unsigned long long)hits);
}

static void json_names(FILE *out, const char *key, size_t nr,
		       const char *(*name)(const struct obj_policy *, size_t),
		       const struct obj_policy *p)
{
	size_t i;

	fprintf(out, ",\"%s\":[", key);
	for (i = 0; i < nr; i++) {
		if (i)
			fputc(',', out);
		diag_json_str(out, name(p, i));
	}
	fputc(']', out);
}

static const char *intf_name(const struct obj_policy *p, size_t i)
{
	return p->intf_any ? "any" : p->intfs[i].name;
}

static const char *src_name(const struct obj_policy *p, size_t i)
{
	return p->src[i]->name;
}

static const char *dst_name(const struct obj_policy *p, size_t i)
{
	return p->dst[i]->name;
}

static const char *svc_name(const struct obj_policy *p, size_t i)
{
	return p->svc[i]->name;
}

void diag_fmt_policy_json(FILE *out, const struct obj_policy *p,
			  unsigned int order, __u64 hits)
{
	fprintf(out,
		"{\"id\":%u,\"family\":%d,\"order\":%u,\"action\":\"%s\",\"status\":\"%s\"",
		p->id, p->family, order, p->accept ? "accept" : "deny",
		p->enabled ? "enable" : "disable");
	json_names(out, "intf", p->intf_any ? 1 : p->nr_intfs, intf_name, p);
	json_names(out, "srcaddr", p->nr_src, src_name, p);
	fprintf(out, ",\"srcaddr_negate\":%s",
		p->src_negate ? "true" : "false");
	json_names(out, "dstaddr", p->nr_dst, dst_name, p);
	fprintf(out, ",\"dstaddr_negate\":%s",
		p->dst_negate ? "true" : "false");
	json_names(out, "service", p->nr_svc, svc_name, p);
	fprintf(out, ",\"service_negate\":%s",
		p->svc_negate ? "true" : "false");
	fputs(",\"schedule\":", out);
	diag_json_str(out, p->sched ? p->sched->name : "always");
	fputs(",\"comments\":", out);
	diag_json_str(out, p->comments && *p->comments ? p->comments : NULL);
	fprintf(out, ",\"hits\":%llu}", (unsigned long long)hits);
}

static void get_line(FILE *out, const char *name)
{
	fprintf(out, "%-20s:", name);
}

static void get_names(FILE *out, const char *name, size_t nr,
		      const char *(*fn)(const struct obj_policy *, size_t),
		      const struct obj_policy *p)
{
	size_t i;

	get_line(out, name);
	for (i = 0; i < nr; i++)
		fprintf(out, " \"%s\"", fn(p, i));
	fputc('\n', out);
}

void diag_fmt_get_policy(FILE *out, const struct obj_policy *p)
{
	get_line(out, "policyid");
	fprintf(out, " %u\n", p->id);
	get_line(out, "uuid");
	fprintf(out, " %s\n", p->uuid[0] ? p->uuid : "");
	get_names(out, "intf", p->intf_any ? 1 : p->nr_intfs, intf_name, p);
	get_names(out, "srcaddr", p->nr_src, src_name, p);
	get_line(out, "srcaddr-negate");
	fprintf(out, " %s\n", p->src_negate ? "enable" : "disable");
	get_names(out, "dstaddr", p->nr_dst, dst_name, p);
	get_line(out, "dstaddr-negate");
	fprintf(out, " %s\n", p->dst_negate ? "enable" : "disable");
	get_line(out, "action");
	fprintf(out, " %s\n", p->accept ? "accept" : "deny");
	get_names(out, "service", p->nr_svc, svc_name, p);
	get_line(out, "service-negate");
	fprintf(out, " %s\n", p->svc_negate ? "enable" : "disable");
	get_line(out, "schedule");
	fprintf(out, " \"%s\"\n", p->sched ? p->sched->name : "always");
	get_line(out, "status");
	fprintf(out, " %s\n", p->enabled ? "enable" : "disable");
	get_line(out, "logtraffic");
	fprintf(out, " %s\n", p->logtraffic ? "enable" : "disable");
	get_line(out, "comments");
	if (p->comments && *p->comments)
		fprintf(out, " \"%s\"", p->comments);
	fputc('\n', out);
}

int diag_fmt_show_entry(FILE *out, const char *text, __u32 id)
{
	char edit[32];
	const char *start, *end, *nl;
	int n;

	snprintf(edit, sizeof(edit), "\n    edit %u\n", id);
	start = strstr(text, edit);
	if (!start)
		return 0;
	start++;
	/* Its `next`: the first line at the edit's depth after it. */
	for (end = strchr(start, '\n'); end; end = strchr(end + 1, '\n'))
		if (!strncmp(end + 1, "    next\n", 9))
			break;
	if (!end)
		return 0;
	end += 10;
	nl = strchr(text, '\n');
	n = fprintf(out, "%.*s\n", (int)(nl - text), text);
	n += fprintf(out, "%.*s", (int)(end - start), start);
	n += fprintf(out, "end\n");
	return n;
}

static void json_addr(FILE *out, const struct flow_filter *f, int field,
		      const struct flow_addr_range *r, const char *mode)
{
	char lo[INET6_ADDRSTRLEN], hi[INET6_ADDRSTRLEN];
	int af = r->family == 6 ? AF_INET6 : AF_INET;

	if (!(f->set & (1u << field))) {
		fputs("null", out);
		return;
	}
	inet_ntop(af, r->lo, lo, sizeof(lo));
	inet_ntop(af, r->hi, hi, sizeof(hi));
	fprintf(out,
		"{\"from\":\"%s\",\"to\":\"%s\",\"mode\":\"%s\",\"negate\":%s}",
		lo, hi, mode, f->negate & (1u << field) ? "true" : "false");
}

static void json_port(FILE *out, const struct flow_filter *f, int field,
		      const __u16 r[2])
{
	if (!(f->set & (1u << field)))
		fputs("null", out);
	else
		fprintf(out, "{\"from\":%u,\"to\":%u,\"negate\":%s}", r[0],
			r[1], f->negate & (1u << field) ? "true" : "false");
}

void diag_fmt_filter_json(FILE *out, const struct flow_filter *filters, int k)
{
	static const char *const modes[] = { "range", "and", "or" };
	const struct flow_filter *f = &filters[k];

	fprintf(out,
		"{\"localin\":1,\"family\":%d,\"left_out\":%s,\"filter\":{\"vd\":",
		k == FLOW_FILTER6 ? 6 : 4,
		li_flow_filter_left_out(filters, k) ? "true" : "false");
	if (f->set & (1u << FF_VD))
		fprintf(out, "%d", f->vd);
	else
		fputs("null", out);
	fputs(",\"proto\":", out);
	if (f->set & (1u << FF_PROTO))
		fprintf(out, "{\"value\":%u,\"negate\":%s}", f->proto,
			f->negate & (1u << FF_PROTO) ? "true" : "false");
	else
		fputs("null", out);
	fputs(",\"addr\":", out);
	json_addr(out, f, FF_ADDR, &f->addr,
		  modes[f->addr_pair < 3 ? f->addr_pair : 0]);
	fputs(",\"saddr\":", out);
	json_addr(out, f, FF_SADDR, &f->saddr, "range");
	fputs(",\"daddr\":", out);
	json_addr(out, f, FF_DADDR, &f->daddr, "range");
	fputs(",\"port\":", out);
	json_port(out, f, FF_PORT, f->port);
	fputs(",\"sport\":", out);
	json_port(out, f, FF_SPORT, f->sport);
	fputs(",\"dport\":", out);
	json_port(out, f, FF_DPORT, f->dport);
	fputs("}}\n", out);
}

void diag_fmt_uptime(FILE *out, time_t s)
{
	if (s < 0)
		s = 0;
	fprintf(out, "%lld days, %lld hours, %lld minutes, %lld seconds",
		(long long)(s / 86400), (long long)(s / 3600 % 24),
		(long long)(s / 60 % 60), (long long)(s % 60));
}

static void put_time(FILE *out, time_t t)
{
	char buf[64];
	struct tm tm;

	if (localtime_r(&t, &tm) &&
	    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %z", &tm))
		fputs(buf, out);
}

void diag_fmt_sys(FILE *out, const struct diag_sys *s)
{
	fprintf(out, "Version: localin v%s (program %016llx)\n", s->version,
		(unsigned long long)s->program);
	fprintf(out, "Hostname: %s\n", s->hostname);
	fputs("Operation Mode: local-in policies, XDP\n", out);
	fprintf(out, "Config: %s\n", s->config);
	fputs("Config loaded: ", out);
	put_time(out, s->loaded);
	fprintf(out, " (reloads: %u, failed: %u)\n", s->reloads,
		s->reload_failures);
	fprintf(out, "Local-in policies: %u IPv4, %u IPv6\n", s->v4, s->v6);
	fprintf(out, "Interfaces attached: %zu\n", s->attached);
	if (s->trace_left)
		fprintf(out, "Debug flow trace: %u packets left\n",
			s->trace_left);
	else
		fputs("Debug flow trace: stopped\n", out);
	fprintf(out, "Daemon pid: %d\n", s->pid);
	fputs("Uptime: ", out);
	diag_fmt_uptime(out, s->uptime);
	fputs("\nSystem time: ", out);
	put_time(out, s->now);
	fputc('\n', out);
}

void diag_fmt_sys_json(FILE *out, const struct diag_sys *s)
{
	fputs("{\"localin\":1,\"version\":", out);
	diag_json_str(out, s->version);
	fprintf(out, ",\"program\":\"%016llx\",\"hostname\":",
		(unsigned long long)s->program);
	diag_json_str(out, s->hostname);
	fputs(",\"config\":", out);
	diag_json_str(out, s->config);
	fprintf(out,
		",\"pid\":%d,\"started\":%lld,\"loaded\":%lld,\"time\":%lld,\"uptime_s\":%lld,\"reloads\":%u,\"reload_failures\":%u,\"policies\":{\"ipv4\":%u,\"ipv6\":%u},\"interfaces_attached\":%zu,\"trace_left\":%u}\n",
		s->pid, (long long)s->started, (long long)s->loaded,
		(long long)s->now, (long long)s->uptime, s->reloads,
		s->reload_failures, s->v4, s->v6, s->attached, s->trace_left);
}

static const char *const ev_names[LI_EV_NR_KINDS] = {
	[LI_EV_TRAFFIC] = "traffic",
	[LI_EV_ESP_ERROR] = "esp-error",
	[LI_EV_TRACE] = "trace",
	[LI_EV_ESP_PEER] = "esp-wrong-peer",
};

static __u64 total(const struct diag_perf *s)
{
	__u64 n = 0;
	int i;

	for (i = 0; i < LI_R_MAX; i++)
		n += s->by_reason[i];
	return n;
}

void diag_fmt_perf(FILE *out, const struct diag_perf *s)
{
	int i;

	fprintf(out, "Packets decided: %llu\n", (unsigned long long)total(s));
	for (i = 0; i < LI_R_MAX; i++)
		fprintf(out, "  %s: %llu\n", li_reason_name((unsigned int)i),
			(unsigned long long)s->by_reason[i]);
	fprintf(out, "Local-in policies: %llu accepted, %llu denied\n",
		(unsigned long long)s->policy_accept,
		(unsigned long long)s->policy_deny);
	if (s->have_sessions)
		fprintf(out, "Sessions: %d live, %llu opened\n", s->sessions,
			(unsigned long long)s->sessions_opened);
	fprintf(out, "Events: %llu read, %llu traced; suppressed:",
		(unsigned long long)s->events, (unsigned long long)s->traces);
	for (i = 0; i < LI_EV_NR_KINDS; i++)
		fprintf(out, "%s %llu %s", i ? "," : "",
			(unsigned long long)s->suppressed[i], ev_names[i]);
	fputs("; lost to a full ring:", out);
	for (i = 0; i < LI_EV_NR_KINDS; i++)
		fprintf(out, "%s %llu %s", i ? "," : "",
			(unsigned long long)s->ring_full[i], ev_names[i]);
	fprintf(out, "\nLog lines: %llu written, %llu lost\n",
		(unsigned long long)s->log_lines,
		(unsigned long long)s->log_lost);
	fprintf(out, "Memory: %lu kB (the daemon's resident set)\n",
		s->rss_kib);
	fputs("Uptime: ", out);
	diag_fmt_uptime(out, s->uptime);
	fputc('\n', out);
}

void diag_fmt_perf_json(FILE *out, const struct diag_perf *s)
{
	int i;

	fprintf(out, "{\"localin\":1,\"packets\":%llu,\"reasons\":{",
		(unsigned long long)total(s));
	for (i = 0; i < LI_R_MAX; i++)
		fprintf(out, "%s\"%s\":%llu", i ? "," : "",
			li_reason_name((unsigned int)i),
			(unsigned long long)s->by_reason[i]);
	fprintf(out, "},\"policy_accept\":%llu,\"policy_deny\":%llu",
		(unsigned long long)s->policy_accept,
		(unsigned long long)s->policy_deny);
	if (s->have_sessions)
		fprintf(out, ",\"sessions\":{\"live\":%d,\"opened\":%llu}",
			s->sessions, (unsigned long long)s->sessions_opened);
	else
		fputs(",\"sessions\":null", out);
	fprintf(out,
		",\"events\":{\"read\":%llu,\"traced\":%llu,\"suppressed\":{",
		(unsigned long long)s->events, (unsigned long long)s->traces);
	for (i = 0; i < LI_EV_NR_KINDS; i++)
		fprintf(out, "%s\"%s\":%llu", i ? "," : "", ev_names[i],
			(unsigned long long)s->suppressed[i]);
	fputs("},\"ring_full\":{", out);
	for (i = 0; i < LI_EV_NR_KINDS; i++)
		fprintf(out, "%s\"%s\":%llu", i ? "," : "", ev_names[i],
			(unsigned long long)s->ring_full[i]);
	fprintf(out,
		"}},\"log\":{\"written\":%llu,\"lost\":%llu},\"rss_kib\":%lu,\"uptime_s\":%lld}\n",
		(unsigned long long)s->log_lines,
		(unsigned long long)s->log_lost, s->rss_kib,
		(long long)s->uptime);
}

/*
 * One entry as JSON (README "JSON output"): the facts of its text line;
 * with @ranges its ranges too, an FQDN's with their TTL left.
 */
static void entry_json(FILE *out, const struct dyn_entry *e, uint64_t now,
		       bool ranges)
{
	char buf[DYN_RANGE_STR];
	size_t k;

	fprintf(out, "{\"kind\":\"%s\",\"name\":", dyn_kind_name(e->kind));
	diag_json_str(out, e->name);
	fputs(",\"url\":", out);
	diag_json_str(out, e->kind == DYN_FEED ? e->url : NULL);
	fprintf(out, ",\"state\":\"%s\",\"nr_ranges\":%zu,\"updated_s_ago\":",
		dyn_state_name(e->state), e->nr);
	if (e->updated_ms)
		fprintf(out, "%" PRIu64, (now - e->updated_ms) / 1000);
	else
		fputs("null", out);
	fputs(",\"cache_age_s\":", out);
	if (e->state == DYN_CACHED)
		fprintf(out, "%lld",
			(long long)(time(NULL) > e->stamp ?
					    time(NULL) - e->stamp :
					    0));
	else
		fputs("null", out);
	fprintf(out, ",\"busy\":%s,\"next_s\":", e->busy ? "true" : "false");
	if (e->busy || e->next_ms == UINT64_MAX)
		fputs("null", out);
	else
		fprintf(out, "%" PRIu64, dyn_secs_left(now, e->next_ms));
	fputs(",\"error\":", out);
	diag_json_str(out, e->err[0] ? e->err : NULL);
	fprintf(out, ",\"bad_lines\":%u", e->bad_lines);
	if (ranges) {
		fputs(",\"ranges\":[", out);
		for (k = 0; k < e->nr; k++) {
			dyn_range_format(&e->r[k], buf);
			fprintf(out, "%s{\"range\":", k ? "," : "");
			diag_json_str(out, buf);
			fputs(",\"ttl_left_s\":", out);
			if (e->kind == DYN_FQDN)
				fprintf(out, "%" PRIu64,
					dyn_secs_left(now, e->r[k].expires_ms));
			else
				fputs("null", out);
			fputc('}', out);
		}
		fputc(']', out);
	}
	fputc('}', out);
}

void diag_fmt_dyn_status_json(FILE *out, const struct dyn_table *t,
			      uint64_t now)
{
	size_t i, n = 0;

	fputc('[', out);
	for (i = 0; t && i < t->nr; i++) {
		if (!t->e[i]->in_use)
			continue;
		if (n++)
			fputc(',', out);
		entry_json(out, t->e[i], now, false);
	}
	fputc(']', out);
}

void diag_fmt_dyn_list_json(FILE *out, const struct dyn_table *t,
			    enum dyn_kind kind, uint64_t now)
{
	size_t i, n = 0;

	fprintf(out, "{\"localin\":1,\"%s\":[",
		kind == DYN_FQDN ? "fqdns" : "resources");
	for (i = 0; t && i < t->nr; i++) {
		const struct dyn_entry *e = t->e[i];

		if (e->kind != kind || !e->in_use)
			continue;
		if (n++)
			fputc(',', out);
		entry_json(out, e, now, true);
	}
	fputs("]}\n", out);
}
