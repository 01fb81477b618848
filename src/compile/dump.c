// SPDX-License-Identifier: GPL-2.0
/*
 * ruleset_dump(): every table as stable text, one fact per line, so golden
 * files diff well. Address tables are printed as the maximal runs of one
 * class, reconstructed by walking the trie: the text says what the table
 * means, not how the trie happens to be cut.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compile/internal.h"

static const char *const pp_names[LI_NR_PORT_PROTOS] = {
	[LI_PP_TCP] = "tcp",   [LI_PP_UDP] = "udp",	[LI_PP_SCTP] = "sctp",
	[LI_PP_ICMP] = "icmp", [LI_PP_ICMP6] = "icmp6",
};

static const char *const day_names[7] = { "sun", "mon", "tue", "wed",
					  "thu", "fri", "sat" };

static void format_ip(ip_u128 a, unsigned int width, char *buf, size_t len)
{
	unsigned char b[16];
	unsigned int i, n = width / 8;

	for (i = 0; i < n; i++)
		b[i] = (unsigned char)(a >> (8 * (n - 1 - i)));
	inet_ntop(width == 128 ? AF_INET6 : AF_INET, b, buf, (socklen_t)len);
}

static void dump_bitmaps(const struct li_family *f, const struct li_bitmaps *bm,
			 FILE *out)
{
	__u32 c, w;

	for (c = 0; c < bm->nr_classes; c++) {
		const __u64 *row = bm->words + (size_t)c * f->bm_words;
		bool any = false;

		fprintf(out, "  class %u:", c);
		for (w = 0; w < f->bm_words; w++) {
			__u64 x = row[w];

			for (; x; x &= x - 1) {
				__u32 i = w * 64 + __builtin_ctzll(x);

				fprintf(out, " %u", f->policies[i].id);
				any = true;
			}
		}
		fprintf(out, "%s\n", any ? "" : " none");
	}
}

struct run_printer {
	FILE *out;
	unsigned int width;
};

static void print_run(void *arg, ip_u128 lo, ip_u128 hi, __u32 cls)
{
	struct run_printer *rp = arg;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	format_ip(lo, rp->width, a, sizeof(a));
	format_ip(hi, rp->width, b, sizeof(b));
	fprintf(rp->out, "  %s-%s class %u\n", a, b, cls);
}

static void dump_addr(const char *name, const struct li_family *f,
		      const struct li_addr_table *t,
		      const struct li_bitmaps *bm, unsigned int width,
		      FILE *out)
{
	struct run_printer rp = { .out = out, .width = width };

	fprintf(out, " %s: %u classes, %u trie blocks\n", name, bm->nr_classes,
		t->nr_blocks);
	trie_walk(t, width, print_run, &rp);
	dump_bitmaps(f, bm, out);
}

static void print_port(FILE *out, unsigned int pp, __u32 v)
{
	if (pp == LI_PP_ICMP || pp == LI_PP_ICMP6)
		fprintf(out, "%u/%u", v >> 8, v & 0xff);
	else
		fprintf(out, "%u", v);
}

/* Runs of equal values in a 65536-entry port table. */
static void dump_port_axis(FILE *out, unsigned int pp, const __u16 *map,
			   const char *axis, const char *cname)
{
	__u32 lo = 0, p;

	for (p = 1; p <= LI_PORT_SPACE; p++) {
		if (p < LI_PORT_SPACE && map[p] == map[lo])
			continue;
		fprintf(out, "  %s %s ", pp_names[pp], axis);
		print_port(out, pp, lo);
		fputc('-', out);
		print_port(out, pp, p - 1);
		fprintf(out, " %s %u\n", cname, map[lo]);
		lo = p;
	}
}

static void dump_svc(const struct li_family *f, FILE *out)
{
	const struct li_svc_table *t = &f->svc;
	unsigned int pp, lo = 0, p;
	__u32 d, s;

	fprintf(out, " service: %u classes\n", t->nr_classes);
	for (p = 1; p <= 256; p++) {
		if (p < 256 && t->proto_map[p] == t->proto_map[lo])
			continue;
		if (t->proto_map[lo] & LI_PORTS)
			fprintf(out, "  proto %u ports %s\n", lo,
				pp_names[t->proto_map[lo] & ~LI_PORTS]);
		else if (lo == p - 1)
			fprintf(out, "  proto %u class %u\n", lo,
				t->proto_map[lo]);
		else
			fprintf(out, "  proto %u-%u class %u\n", lo, p - 1,
				t->proto_map[lo]);
		lo = p;
	}
	for (pp = 0; pp < LI_NR_PORT_PROTOS; pp++) {
		if (!t->cross[pp])
			continue;
		dump_port_axis(out, pp, t->dport_class[pp],
			       pp == LI_PP_ICMP || pp == LI_PP_ICMP6 ?
				       "type/code" :
				       "dport",
			       "dclass");
		dump_port_axis(out, pp, t->sport_class[pp], "sport", "sclass");
		for (d = 0; d < t->nr_dclass[pp]; d++)
			for (s = 0; s < t->nr_sclass[pp]; s++)
				fprintf(out,
					"  %s dclass %u sclass %u class %u\n",
					pp_names[pp], d, s,
					t->cross[pp][d * t->nr_sclass[pp] + s]);
		fprintf(out, "  %s unknown-ports class %u\n", pp_names[pp],
			t->unknown_ports[pp]);
	}
	dump_bitmaps(f, &f->bm_svc, out);
}

/* One product table: "  NAME x y -> class", rows of @w entries. */
static void dump_product(const char *name, const __u32 *t, __u32 rows, __u32 w,
			 FILE *out)
{
	__u32 i, j;

	for (i = 0; i < rows; i++) {
		fprintf(out, "  %s %u:", name, i);
		for (j = 0; j < w; j++)
			fprintf(out, " %u", t[(size_t)i * w + j]);
		fputc('\n', out);
	}
}

/* The phase tables (phase.c), or why there are none. */
static void dump_phase(const struct li_family *f, FILE *out)
{
	const struct li_phase *ph = &f->phase;
	struct li_bitmaps c = { ph->nr_c, ph->c_words };
	__s32 *first;
	__u32 i;

	if (!f->nr_policies)
		return;
	if (!ph->on) {
		fprintf(out,
			" decision: bitmap walk (phase tables would need %zu bytes > %u)\n",
			ph->need_bytes, LI_PHASE_BUDGET);
		return;
	}
	fprintf(out,
		" decision: phase tables, %zu bytes: A %u, B %u, C %u classes\n",
		ph->need_bytes, ph->nr_a, ph->nr_b, ph->nr_c);
	fprintf(out, " phase 1 source x service -> A (row: source class)\n");
	dump_product("src", ph->sv, f->bm_src.nr_classes, ph->nr_svc, out);
	fprintf(out,
		" phase 1 interface x destination -> B (row: interface class)\n");
	dump_product("intf", ph->id, f->bm_intf.nr_classes, ph->nr_dst, out);
	fprintf(out, " phase 2 A x B -> C (row: A)\n");
	dump_product("A", ph->ab, ph->nr_a, ph->nr_b, out);
	fprintf(out,
		" C classes (first under status enable; then their policies):\n");
	first = malloc((ph->nr_c + 1) * sizeof(*first));
	if (first)
		ruleset_phase_first(f, f->enabled, first);
	for (i = 0; i < ph->nr_c && first; i++) {
		if (first[i] >= 0)
			fprintf(out, "  C %u first policy %u\n", i,
				f->policies[first[i]].id);
		else
			fprintf(out, "  C %u first none\n", i);
	}
	free(first);
	dump_bitmaps(f, &c, out);
}

static void dump_family(const char *name, const struct li_family *f,
			unsigned int width, FILE *out)
{
	__u32 i;

	fprintf(out, "%s: %u policies, %u bitmap words\n", name, f->nr_policies,
		f->bm_words);
	for (i = 0; i < f->nr_policies; i++) {
		const struct li_policy *p = &f->policies[i];

		fprintf(out, " policy %u id %u %s %s sched %u%s\n", i, p->id,
			p->action == LI_ACT_ACCEPT ? "accept" : "deny",
			p->flags & LI_POL_ENABLED ? "enable" : "disable",
			p->sched, p->flags & LI_POL_LOGTRAFFIC ? " log" : "");
	}
	if (!f->policies)
		return;
	fprintf(out, " interface: %u classes\n", f->bm_intf.nr_classes);
	for (i = 0; i < f->nr_intfs; i++)
		fprintf(out, "  intf %.*s class %u\n", LI_IFNAMSIZ,
			f->intfs[i].name, f->intfs[i].cls);
	fprintf(out, "  intf other class %u\n", f->intf_other);
	dump_bitmaps(f, &f->bm_intf, out);
	dump_addr("source", f, &f->src, &f->bm_src, width, out);
	dump_addr("destination", f, &f->dst, &f->bm_dst, width, out);
	dump_svc(f, out);
	dump_phase(f, out);
}

static void format_local(__s64 min, char *buf, size_t len)
{
	time_t t = (time_t)min * 60;
	struct tm tm;

	/* Local wall-clock minutes: print them as they are, no zone. */
	if (gmtime_r(&t, &tm))
		strftime(buf, len, "%Y/%m/%d %H:%M", &tm);
	else
		snprintf(buf, len, "%" PRId64, (int64_t)min);
}

static void dump_sched(const struct li_ruleset *rs, FILE *out)
{
	char a[32], b[32];
	__u32 i, k;

	fprintf(out, "schedules: %u\n", rs->nr_scheds);
	for (i = 0; i < rs->nr_scheds; i++) {
		const struct li_sched *s = &rs->scheds[i];

		fprintf(out, " sched %u ", i);
		switch (s->type) {
		case LI_SCHED_ALWAYS:
			fprintf(out, "always\n");
			break;
		case LI_SCHED_NEVER:
			fprintf(out, "never\n");
			break;
		case LI_SCHED_RECURRING:
			fprintf(out, "recurring days");
			for (k = 0; k < 7; k++)
				if (s->days >> k & 1)
					fprintf(out, " %s", day_names[k]);
			fprintf(out, " %02u:%02u-%02u:%02u\n",
				s->start_min / 60, s->start_min % 60,
				s->end_min / 60, s->end_min % 60);
			break;
		case LI_SCHED_ONETIME:
			format_local(s->start_local, a, sizeof(a));
			format_local(s->end_local, b, sizeof(b));
			fprintf(out, "onetime %s - %s\n", a, b);
			break;
		case LI_SCHED_GROUP:
			fprintf(out, "group");
			for (k = 0; k < s->nr_members; k++)
				fprintf(out, " %u",
					rs->sched_members[s->first_member + k]);
			fputc('\n', out);
			break;
		default:
			fprintf(out, "type %u\n", s->type);
		}
	}
}

void ruleset_dump(const struct li_ruleset *rs, FILE *out)
{
	dump_family("ipv4", &rs->v4, 32, out);
	dump_family("ipv6", &rs->v6, 128, out);
	dump_sched(rs, out);
	fprintf(out, "detect-unknown-esp %s\n",
		rs->detect_unknown_esp ? "enable" : "disable");
	fprintf(out, "esp-wrong-peer %s\n",
		rs->esp_wrong_peer_drop ? "deny" : "accept");
}
