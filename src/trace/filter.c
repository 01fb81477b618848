// SPDX-License-Identifier: GPL-2.0
/* `diagnose debug flow filter`: parsing, matching, printing; see filter.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf/diag.h"
#include "conf/value.h"
#include "util/keyword.h"
#include "util/logbuf.h"
#include "trace/filter.h"

static const char *const field_names[FF_NR_FIELDS] = {
	[FF_ADDR] = "addr",   [FF_SADDR] = "saddr", [FF_DADDR] = "daddr",
	[FF_PORT] = "port",   [FF_SPORT] = "sport", [FF_DPORT] = "dport",
	[FF_PROTO] = "proto", [FF_VD] = "vd",
};

void flow_filter_init(struct flow_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->vd = -1;
}

/* Queue an error on @dl; the value of a failed parse. */
#define fail(dl, ...) (diag_error((dl), NULL, __VA_ARGS__), -EINVAL)

static int field_of(const char *word)
{
	int i;

	for (i = 0; i < FF_NR_FIELDS; i++)
		if (!strcmp(word, field_names[i]))
			return i;
	return -1;
}

static const char *family_of(int k)
{
	return k == FLOW_FILTER6 ? "IPv6" : "IPv4";
}

static const char *command_of(int k)
{
	return k == FLOW_FILTER6 ? "filter6" : "filter";
}

/* Every option word, in the order of FortiOS's `filter ?`. */
static const char *const options[] = {
	"clear", "vd",	 "vd-name", "proto", "addr",   "saddr",
	"daddr", "port", "sport",   "dport", "negate",
};
#define NR_OPTIONS ((int)(sizeof(options) / sizeof(options[0])))
/* The longest command, `negate addr A B and`, has five words. */
#define MAX_WORDS 8

/*
 * @word in full among @words: FortiOS takes the fewest letters that name
 * one (`sa` for saddr, and 5.x's `add` for addr). @word itself when it
 * names none (what parses it says so); NULL when it names several, as
 * @dl is told.
 */
static const char *full_word(const char *word, const char *const *words, int n,
			     const char *what, struct diag_list *dl)
{
	int k = keyword_index(word, words, n);
	char list[128];

	if (k >= 0)
		return words[k];
	if (k == -ENOENT)
		return word;
	keyword_candidates(word, words, n, list, sizeof(list));
	diag_error(dl, NULL, "ambiguous %s \"%s\" (%s)", what, word, list);
	return NULL;
}

/*
 * @argv into @words (MAX_WORDS) with its option word, and negate's
 * field, in full. 0, or -EINVAL said on @dl.
 */
static int full_words(int argc, const char *const *argv, const char **words,
		      struct diag_list *dl)
{
	if (argc < 1 || !argv[0])
		return fail(dl, "missing filter option");
	if (argc > MAX_WORDS)
		return fail(dl, "too many values for \"%s\"", argv[0]);
	memcpy(words, argv, (size_t)argc * sizeof(*argv));
	words[0] = full_word(argv[0], options, NR_OPTIONS, "filter option", dl);
	if (!words[0])
		return -EINVAL;
	if (argc >= 2 && !strcmp(words[0], "negate")) {
		words[1] = full_word(argv[1], field_names, FF_NR_FIELDS,
				     "field to negate", dl);
		if (!words[1])
			return -EINVAL;
	}
	return 0;
}

const char *flow_filter_option(const char *word)
{
	int k = keyword_index(word, options, NR_OPTIONS);

	return k >= 0 ? options[k] : NULL;
}

bool flow_filter_is_option(const char *word)
{
	return keyword_index(word, options, NR_OPTIONS) != -ENOENT;
}

static int parse_addr(const char *s, __u8 *family, __u8 bytes[16])
{
	memset(bytes, 0, 16);
	if (inet_pton(AF_INET, s, bytes) == 1) {
		*family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, bytes) == 1) {
		*family = 6;
		return 0;
	}
	return -EINVAL;
}

static int parse_addr_range(struct flow_addr_range *r, int argc,
			    const char *const *argv, struct diag_list *dl)
{
	__u8 fam_hi;
	int i;

	for (i = 1; i < argc; i++) {
		if (parse_addr(argv[i], i == 1 ? &r->family : &fam_hi,
			       i == 1 ? r->lo : r->hi))
			return fail(dl, "invalid address \"%s\"", argv[i]);
	}
	if (argc == 2) {
		memcpy(r->hi, r->lo, 16);
		return 0;
	}
	if (fam_hi != r->family)
		return fail(dl, "address range \"%s %s\" mixes IPv4 and IPv6",
			    argv[1], argv[2]);
	if (memcmp(r->lo, r->hi, 16) > 0)
		return fail(dl, "invalid address range \"%s %s\"", argv[1],
			    argv[2]);
	return 0;
}

/*
 * "500-4500", the form the listing prints, for a range given as one
 * word: true when it is one, to say how a range is typed.
 */
static bool dashed_range(const char *s)
{
	const char *dash = strchr(s, '-');
	char lo[8];
	uint32_t v;

	if (!dash || dash == s || (size_t)(dash - s) >= sizeof(lo))
		return false;
	memcpy(lo, s, (size_t)(dash - s));
	lo[dash - s] = '\0';
	return parse_u32(lo, 65535, &v) && parse_u32(dash + 1, 65535, &v);
}

static int parse_port_range(__u16 range[2], int argc, const char *const *argv,
			    struct diag_list *dl)
{
	uint32_t v[2];
	int i;

	for (i = 1; i < argc; i++) {
		if (parse_u32(argv[i], 65535, &v[i - 1]))
			continue;
		if (argc == 2 && dashed_range(argv[i]))
			return fail(
				dl,
				"invalid port \"%s\": a range is two words, \"%s %.*s %s\"",
				argv[i], argv[0], (int)strcspn(argv[i], "-"),
				argv[i], strchr(argv[i], '-') + 1);
		return fail(dl, "invalid port \"%s\" (0 to 65535)", argv[i]);
	}
	if (argc == 2)
		v[1] = v[0];
	if (v[0] > v[1])
		return fail(dl, "invalid port range \"%s %s\"", argv[1],
			    argv[2]);
	range[0] = (__u16)v[0];
	range[1] = (__u16)v[1];
	return 0;
}

/*
 * FortiOS takes a protocol number only; the names an admin is likely to
 * type are answered with theirs.
 */
static int bad_proto(const char *word, struct diag_list *dl)
{
	static const struct {
		const char *name;
		int number;
	} names[] = {
		{ "icmp", 1 },	  { "igmp", 2 },   { "tcp", 6 },
		{ "udp", 17 },	  { "gre", 47 },   { "esp", 50 },
		{ "ah", 51 },	  { "icmp6", 58 }, { "ipv6-icmp", 58 },
		{ "icmpv6", 58 }, { "sctp", 132 },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(word, names[i].name))
			return fail(
				dl,
				"invalid protocol \"%s\": a protocol number, 0 to 255 (%s is %d)",
				word, names[i].name, names[i].number);
	return fail(dl, "invalid protocol \"%s\": a protocol number, 0 to 255",
		    word);
}

/* addr A B and|or: @argv is those four words. */
static int set_addr_pair(struct flow_filter *f, const char *const *argv,
			 struct diag_list *dl)
{
	__u8 fam_b;

	if (parse_addr(argv[1], &f->addr.family, f->addr.lo))
		return fail(dl, "invalid address \"%s\"", argv[1]);
	if (parse_addr(argv[2], &fam_b, f->addr.hi))
		return fail(dl, "invalid address \"%s\"", argv[2]);
	if (fam_b != f->addr.family)
		return fail(dl, "address pair \"%s %s\" mixes IPv4 and IPv6",
			    argv[1], argv[2]);
	f->addr_pair = argv[3][0] == 'a' ? FLOW_ADDR_AND : FLOW_ADDR_OR;
	f->set |= 1u << FF_ADDR;
	f->negate &= ~(1u << FF_ADDR);
	return 0;
}

/* Set @field from @argv[1..]; @argv[0] is the field's own word. */
static int set_field(struct flow_filter *f, int field, int argc,
		     const char *const *argv, const char *vdom,
		     struct diag_list *dl)
{
	int max_values = field <= FF_DPORT ? 2 : 1, ret;
	uint32_t v;

	/* FortiOS 7.2+: addr A B and|or (two hosts, not a range) */
	if (field == FF_ADDR && argc == 4 &&
	    (!strcmp(argv[3], "and") || !strcmp(argv[3], "or")))
		return set_addr_pair(f, argv, dl);
	if (field == FF_ADDR)
		f->addr_pair = FLOW_ADDR_RANGE;
	if (argc < 2)
		return fail(dl, "missing value for \"%s\"", argv[0]);
	if (argc - 1 > max_values)
		return fail(dl, "too many values for \"%s\"", argv[0]);
	switch (field) {
	case FF_ADDR:
		ret = parse_addr_range(&f->addr, argc, argv, dl);
		break;
	case FF_SADDR:
		ret = parse_addr_range(&f->saddr, argc, argv, dl);
		break;
	case FF_DADDR:
		ret = parse_addr_range(&f->daddr, argc, argv, dl);
		break;
	case FF_PORT:
		ret = parse_port_range(f->port, argc, argv, dl);
		break;
	case FF_SPORT:
		ret = parse_port_range(f->sport, argc, argv, dl);
		break;
	case FF_DPORT:
		ret = parse_port_range(f->dport, argc, argv, dl);
		break;
	case FF_PROTO:
		if (!parse_u32(argv[1], 255, &v))
			return bad_proto(argv[1], dl);
		f->proto = (__u8)v;
		ret = 0;
		break;
	default: /* FF_VD */
		if (!strcmp(argv[1], "-1")) {
			f->vd = -1;
			f->set &= ~(1u << FF_VD);
			f->negate &= ~(1u << FF_VD);
			return 0;
		}
		if (!parse_u32(argv[1], 0x7fffffff, &v))
			return fail(dl, "invalid virtual domain index \"%s\"",
				    argv[1]);
		/*
		 * The daemon enforces one VDOM: another index would be
		 * taken and then match nothing, a trace that never starts.
		 */
		if (v != FLOW_VD_ROOT)
			return fail(
				dl,
				"no virtual domain with index %u: the one here is %s (index %d); -1 matches all",
				v, vdom ? vdom : "root", FLOW_VD_ROOT);
		f->vd = (int)v;
		ret = 0;
		break;
	}
	if (ret)
		return ret;
	f->set |= 1u << field;
	f->negate &= ~(1u << field);
	return 0;
}

static int apply(struct flow_filter *f, int argc, const char *const *argv,
		 const char *vdom, struct diag_list *dl)
{
	const char *opt = argv[0];
	int field, ret;

	if (!strcmp(opt, "clear")) {
		if (argc > 1)
			return fail(dl, "too many values for \"clear\"");
		flow_filter_init(f);
		return 0;
	}
	if (!strcmp(opt, "vd-name")) {
		if (argc != 2)
			return fail(dl,
				    argc < 2 ?
					    "missing value for \"vd-name\"" :
					    "too many values for \"vd-name\"");
		if (strcmp(argv[1], vdom ? vdom : "root"))
			return fail(
				dl,
				"unknown virtual domain \"%s\" (this one is \"%s\")",
				argv[1], vdom ? vdom : "root");
		f->vd = FLOW_VD_ROOT;
		f->set |= 1u << FF_VD;
		return 0;
	}
	if (!strcmp(opt, "negate")) {
		if (argc < 2)
			return fail(
				dl,
				"negate needs a field: addr, saddr, daddr, port, sport, dport or proto");
		field = field_of(argv[1]);
		if (field < 0 || field == FF_VD)
			return fail(
				dl,
				"cannot negate \"%s\": use addr, saddr, daddr, port, sport, dport or proto",
				argv[1]);
		if (argc > 2) {
			ret = set_field(f, field, argc - 1, argv + 1, vdom, dl);
			if (ret)
				return ret;
		} else if (!(f->set & (1u << field))) {
			return fail(dl, "cannot negate \"%s\": it is not set",
				    argv[1]);
		}
		f->negate |= 1u << field;
		return 0;
	}
	field = field_of(opt);
	if (field < 0)
		return fail(dl, "unknown filter option \"%s\"", opt);
	return set_field(f, field, argc, argv, vdom, dl);
}

int flow_filter_apply(struct flow_filter *f, int argc, const char *const *argv,
		      const char *vdom, struct diag_list *dl)
{
	struct flow_filter next = *f;
	const char *words[MAX_WORDS];
	int ret;

	if (full_words(argc, argv, words, dl))
		return -EINVAL;
	/* Work on a copy so that a failed command changes nothing. */
	ret = apply(&next, argc, words, vdom, dl);
	if (!ret)
		*f = next;
	return ret;
}

int flow_filter_parse(struct flow_filter *f, int argc, const char *const *argv,
		      const char *vdom, char *err, size_t errlen)
{
	struct diag_list dl;
	struct arena a;
	int ret;

	arena_init(&a);
	diag_init(&dl, &a);
	ret = flow_filter_apply(f, argc, argv, vdom, &dl);
	if (errlen)
		snprintf(err, errlen, "%s", dl.nr ? dl.items[0].msg : "");
	arena_free(&a);
	return ret;
}

bool flow_filter_match(const struct flow_filter *f, const struct li_pkt *pkt)
{
	return li_flow_filter_match(f, pkt);
}

void flow_filters_init(struct flow_filter *f)
{
	int k;

	for (k = 0; k < FLOW_NR_FILTERS; k++)
		flow_filter_init(&f[k]);
}

/*
 * The filter an address command is for: that of its first address's
 * family; `negate FIELD` alone, the one where FIELD is set. @named for
 * any other command, and for words that are no address (the named
 * filter's parse says what is wrong with them).
 */
static int filter_for(const struct flow_filter *f, int named, int argc,
		      const char *const *argv)
{
	__u8 bytes[16], family;
	int field, other = !named;

	if (argc >= 2 && !strcmp(argv[0], "negate")) {
		argc--;
		argv++;
	}
	field = field_of(argv[0]);
	if (field != FF_ADDR && field != FF_SADDR && field != FF_DADDR)
		return named;
	if (argc < 2)
		return !(f[named].set & (1u << field)) &&
				       f[other].set & (1u << field) ?
			       other :
			       named;
	if (parse_addr(argv[1], &family, bytes))
		return named;
	return family == 6 ? FLOW_FILTER6 : FLOW_FILTER4;
}

int flow_filters_apply(struct flow_filter *f, int named, int argc,
		       const char *const *argv, const char *vdom,
		       struct diag_list *dl)
{
	const char *words[MAX_WORDS];
	int k, field;

	if (full_words(argc, argv, words, dl))
		return -EINVAL;
	argv = words;
	k = filter_for(f, named, argc, argv);
	/*
	 * `negate port` alone where only the other family's filter has a
	 * port (ports, unlike addresses, stay in the filter named): "it is
	 * not set" would deny what that filter lists.
	 */
	if (argc == 2 && !strcmp(argv[0], "negate")) {
		field = field_of(argv[1]);
		if (field >= 0 && field != FF_VD &&
		    !(f[k].set & (1u << field)) && f[!k].set & (1u << field))
			return fail(
				dl,
				"cannot negate \"%s\": the %s filter has no %s; the %s filter's is negated by `diagnose debug flow %s negate %s`",
				argv[1], family_of(k), argv[1], family_of(!k),
				command_of(!k), argv[1]);
	}
	return flow_filter_apply(&f[k], argc, argv, vdom, dl) ?: k;
}

int flow_filters_parse(struct flow_filter *f, int named, int argc,
		       const char *const *argv, const char *vdom, char *err,
		       size_t errlen)
{
	struct diag_list dl;
	struct arena a;
	int ret;

	arena_init(&a);
	diag_init(&dl, &a);
	ret = flow_filters_apply(f, named, argc, argv, vdom, &dl);
	if (errlen)
		snprintf(err, errlen, "%s", dl.nr ? dl.items[0].msg : "");
	arena_free(&a);
	return ret;
}

bool flow_filters_match(const struct flow_filter *f, const struct li_pkt *pkt)
{
	__u32 k = li_flow_filter_of(pkt);

	return !li_flow_filter_left_out(f, k) &&
	       li_flow_filter_match(&f[k], pkt);
}

int flow_filters_echo(const struct flow_filter *f, int named, int k, int argc,
		      const char *const *argv, char *buf, size_t size)
{
	const char *opt = argc >= 1 ? flow_filter_option(argv[0]) : NULL;
	bool negate = argc >= 2 && opt && !strcmp(opt, "negate");
	const char *field = NULL;
	struct logbuf lb;
	int i;

	/* as typed, abbreviated or not: said in full */
	if (negate) {
		i = keyword_index(argv[1], field_names, FF_NR_FIELDS);
		field = i >= 0 ? field_names[i] : argv[1];
	}
	logbuf_init(&lb, buf, size);
	if (k != named && negate && argc == 2)
		/* nothing was set: the other filter's FIELD was inverted */
		logbuf_printf(
			&lb,
			"%s: negated in the %s filter, where it is set, which `diagnose debug flow %s` shows (the %s filter has no %s)\n",
			field, family_of(k), command_of(k), family_of(named),
			field);
	else if (k != named)
		logbuf_printf(
			&lb,
			"%s address: %s in the %s filter, which `diagnose debug flow %s` shows (`%s` selects %s packets)\n",
			family_of(k), negate ? "set and negated" : "set",
			family_of(k), command_of(k), command_of(named),
			family_of(named));
	else if (argc == 1 && opt && !strcmp(opt, "clear") &&
		 li_flow_filter_left_out(f, k))
		logbuf_printf(
			&lb,
			"no %s packet is traced while the %s filter is set and this one is empty: `diagnose debug flow %s clear` clears that one too\n",
			family_of(k), family_of(!k), command_of(!k));
	return logbuf_result(&lb);
}

static void format_addr(struct logbuf *lb, const struct flow_filter *f,
			int field, const char *name,
			const struct flow_addr_range *r)
{
	char lo[INET6_ADDRSTRLEN], hi[INET6_ADDRSTRLEN];
	int af = r->family == 6 ? AF_INET6 : AF_INET;

	if (!(f->set & (1u << field))) {
		logbuf_printf(lb, "        Host %s: any\n", name);
		return;
	}
	inet_ntop(af, r->lo, lo, sizeof(lo));
	inet_ntop(af, r->hi, hi, sizeof(hi));
	if (field == FF_ADDR && f->addr_pair) {
		logbuf_printf(lb, "        host %s: %s %s %s%s\n", name, lo,
			      f->addr_pair == FLOW_ADDR_AND ? "and" : "or", hi,
			      f->negate & (1u << field) ? " (negate)" : "");
		return;
	}
	logbuf_printf(lb, "        host %s: %s-%s%s\n", name, lo, hi,
		      f->negate & (1u << field) ? " (negate)" : "");
}

static void format_port(struct logbuf *lb, const struct flow_filter *f,
			int field, const __u16 r[2])
{
	if (!(f->set & (1u << field)))
		logbuf_printf(lb, "        %s: any\n", field_names[field]);
	else
		logbuf_printf(lb, "        %s: %u-%u%s\n", field_names[field],
			      r[0], r[1],
			      f->negate & (1u << field) ? " (negate)" : "");
}

int flow_filter_format(const struct flow_filter *f, char *buf, size_t size)
{
	struct logbuf lb;

	logbuf_init(&lb, buf, size);
	if (f->set & (1u << FF_VD))
		logbuf_printf(&lb, "        vf: %d\n", f->vd);
	else
		logbuf_puts(&lb, "        vf: any\n");
	if (f->set & (1u << FF_PROTO))
		logbuf_printf(&lb, "        proto: %u%s\n", f->proto,
			      f->negate & (1u << FF_PROTO) ? " (negate)" : "");
	else
		logbuf_puts(&lb, "        proto: any\n");
	format_addr(&lb, f, FF_ADDR, "addr", &f->addr);
	format_addr(&lb, f, FF_SADDR, "saddr", &f->saddr);
	format_addr(&lb, f, FF_DADDR, "daddr", &f->daddr);
	format_port(&lb, f, FF_PORT, f->port);
	format_port(&lb, f, FF_SPORT, f->sport);
	format_port(&lb, f, FF_DPORT, f->dport);
	return logbuf_result(&lb);
}

int flow_filters_format(const struct flow_filter *f, int k, char *buf,
			size_t size)
{
	struct logbuf lb;
	int n = flow_filter_format(&f[k], buf, size), note;

	if (n < 0 || !li_flow_filter_left_out(f, k))
		return n;
	logbuf_init(&lb, buf + n, size - (size_t)n);
	logbuf_printf(
		&lb,
		"        (no %s packet is traced: this filter is empty while %s is set)\n",
		family_of(k), command_of(!k));
	note = logbuf_result(&lb);
	return note < 0 ? note : n + note;
}

void flow_trace_budget_init(struct flow_trace_budget *b)
{
	b->remaining = 0;
	b->next_id = 1;
}

void flow_trace_start(struct flow_trace_budget *b, __u32 n)
{
	b->remaining = n;
}

void flow_trace_stop(struct flow_trace_budget *b)
{
	b->remaining = 0;
}

bool flow_trace_take(struct flow_trace_budget *b, __u32 *trace_id)
{
	if (!b->remaining)
		return false;
	b->remaining--;
	*trace_id = b->next_id++;
	/* trace_id 0 would read as "none" in our own tooling: skip it. */
	if (!b->next_id)
		b->next_id = 1;
	return true;
}

bool flow_trace_want(const struct flow_filter *f, struct flow_trace_budget *b,
		     const struct li_pkt *pkt, __u32 *trace_id)
{
	if (!b->remaining || !flow_filters_match(f, pkt))
		return false;
	return flow_trace_take(b, trace_id);
}
