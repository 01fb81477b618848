// SPDX-License-Identifier: GPL-2.0
/*
 * The session filter and FortiOS's text of a session (sess_diag.h).
 */
#include "daemon/sess_diag.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util/keyword.h"

void sess_filter_init(struct sess_filter *f, int family)
{
	memset(f, 0, sizeof(*f));
	f->family = (__u8)family;
	f->vd = -1;
}

static size_t addr_len(int family)
{
	return family == 4 ? 4 : 16;
}

/* The field words of the filter, with their bits (negate's argument). */
static const struct {
	const char *word;
	__u32 bit;
} fields[] = {
	{ "src", SF_SRC },     { "dst", SF_DST },     { "sport", SF_SPORT },
	{ "dport", SF_DPORT }, { "proto", SF_PROTO }, { "policy", SF_POLICY },
	{ "vd", SF_VD },
};
#define NR_FIELDS (sizeof(fields) / sizeof(fields[0]))

static int parse_addr(const struct sess_filter *f, const char *s, __u32 *out,
		      char *err, size_t errlen)
{
	memset(out, 0, 16);
	if (inet_pton(f->family == 4 ? AF_INET : AF_INET6, s, out) == 1)
		return 0;
	snprintf(err, errlen, "invalid %s address \"%s\"",
		 f->family == 4 ? "IPv4" : "IPv6", s);
	return -EINVAL;
}

static int parse_num(const char *s, unsigned long max, unsigned long *out,
		     const char *what, char *err, size_t errlen)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || errno || *end || *out > max) {
		snprintf(err, errlen, "invalid %s \"%s\" (0 to %lu)", what, s,
			 max);
		return -EINVAL;
	}
	return 0;
}

/* FIELD A [B]: one value or a range, A <= B. */
static int parse_range(struct sess_filter *f, __u32 bit, int argc,
		       const char *const *argv, char *err, size_t errlen)
{
	__u32 a[2][4];
	unsigned long p[2];
	const char *what = bit == SF_SPORT || bit == SF_DPORT ? "port" :
			   bit == SF_PROTO		      ? "protocol" :
								"policy id";
	unsigned long max = bit == SF_PROTO  ? 255 :
			    bit == SF_POLICY ? UINT_MAX :
					       65535;
	bool ranged = bit != SF_PROTO && bit != SF_POLICY;
	int i;

	if (argc < 2 || argc > (ranged ? 3 : 2)) {
		snprintf(err, errlen,
			 argc < 2 ? "%s needs a value" : "unexpected \"%s\"",
			 argc < 2 ? argv[0] : argv[argc - 1]);
		return -EINVAL;
	}
	for (i = 0; i < 2; i++) {
		const char *s = argv[i + 1 < argc ? i + 1 : 1];

		if (bit == SF_SRC || bit == SF_DST) {
			if (parse_addr(f, s, a[i], err, errlen))
				return -EINVAL;
		} else if (parse_num(s, max, &p[i], what, err, errlen)) {
			return -EINVAL;
		}
	}
	if (bit == SF_SRC || bit == SF_DST) {
		if (memcmp(a[0], a[1], addr_len(f->family)) > 0)
			goto backwards;
		memcpy(bit == SF_SRC ? f->src : f->dst, a, sizeof(a));
	} else if (p[0] > p[1]) {
		goto backwards;
	} else if (bit == SF_SPORT || bit == SF_DPORT) {
		__u16 *r = bit == SF_SPORT ? f->sport : f->dport;

		r[0] = (__u16)p[0];
		r[1] = (__u16)p[1];
	} else if (bit == SF_PROTO) {
		f->proto = (__u8)p[0];
	} else {
		f->policy = (__u32)p[0];
	}
	f->set |= bit;
	f->negate &= ~bit; /* set again: as typed, not inverted */
	return 0;
backwards:
	snprintf(err, errlen, "%s: \"%s\" is above \"%s\"", argv[0], argv[1],
		 argv[2]);
	return -EINVAL;
}

static int parse_vd(struct sess_filter *f, int argc, const char *const *argv,
		    char *err, size_t errlen)
{
	if (argc != 2) {
		snprintf(err, errlen,
			 argc < 2 ? "vd needs a VDOM index (-1: all)" :
				    "unexpected \"%s\"",
			 argv[argc - 1]);
		return -EINVAL;
	}
	if (!strcmp(argv[1], "-1")) {
		f->set &= ~SF_VD;
		f->vd = -1;
		return 0;
	}
	if (strcmp(argv[1], "0")) {
		snprintf(err, errlen,
			 "invalid vd \"%s\" (0: root, the only VDOM; -1: all)",
			 argv[1]);
		return -EINVAL;
	}
	f->set |= SF_VD;
	f->vd = 0;
	return 0;
}

static int parse_negate(struct sess_filter *f, int argc,
			const char *const *argv, char *err, size_t errlen)
{
	const char *words[NR_FIELDS];
	char list[64];
	size_t i;
	int k;

	if (argc != 2) {
		snprintf(
			err, errlen,
			argc < 2 ?
				"negate needs a field (src dst sport dport proto policy)" :
				"unexpected \"%s\"",
			argv[argc - 1]);
		return -EINVAL;
	}
	for (i = 0; i < NR_FIELDS; i++)
		words[i] = fields[i].word;
	k = keyword_index(argv[1], words, (int)NR_FIELDS - 1); /* not vd */
	if (k == -EAGAIN) {
		keyword_candidates(argv[1], words, (int)NR_FIELDS - 1, list,
				   sizeof(list));
		snprintf(err, errlen, "ambiguous field \"%s\" to negate (%s)",
			 argv[1], list);
		return -EINVAL;
	}
	if (k < 0) {
		snprintf(err, errlen, "unknown field \"%s\" to negate",
			 argv[1]);
		return -EINVAL;
	}
	/* "not any" would match nothing: a criterion first. */
	if (!(f->set & fields[k].bit)) {
		snprintf(err, errlen, "negate %s: no %s is set", fields[k].word,
			 fields[k].word);
		return -EINVAL;
	}
	f->negate ^= fields[k].bit;
	return 0;
}

int sess_filter_parse(struct sess_filter *f, int argc, const char *const *argv,
		      char *err, size_t errlen)
{
	const char *words[NR_FIELDS + 2];
	struct sess_filter n = *f;
	char list[80];
	size_t i;
	int k, ret;

	if (argc < 1) {
		snprintf(err, errlen, "empty filter");
		return -EINVAL;
	}
	for (i = 0; i < NR_FIELDS; i++)
		words[i] = fields[i].word;
	words[NR_FIELDS] = "clear";
	words[NR_FIELDS + 1] = "negate";
	k = keyword_index(argv[0], words, (int)NR_FIELDS + 2);
	if (k == -EAGAIN) {
		keyword_candidates(argv[0], words, (int)NR_FIELDS + 2, list,
				   sizeof(list));
		snprintf(err, errlen, "ambiguous filter \"%s\" (%s)", argv[0],
			 list);
		return -EINVAL;
	}
	if (k < 0) {
		snprintf(
			err, errlen,
			"unknown filter \"%s\" (src dst sport dport proto policy vd negate clear)",
			argv[0]);
		return -EINVAL;
	}
	if ((size_t)k == NR_FIELDS) {
		if (argc > 1) {
			snprintf(err, errlen, "unexpected \"%s\"", argv[1]);
			return -EINVAL;
		}
		sess_filter_init(f, f->family);
		return 0;
	}
	if ((size_t)k == NR_FIELDS + 1)
		ret = parse_negate(&n, argc, argv, err, errlen);
	else if (fields[k].bit == SF_VD)
		ret = parse_vd(&n, argc, argv, err, errlen);
	else
		ret = parse_range(&n, fields[k].bit, argc, argv, err, errlen);
	if (!ret)
		*f = n;
	return ret;
}

static void put_addr(FILE *out, int family, const __u32 *a)
{
	char buf[INET6_ADDRSTRLEN];

	if (!inet_ntop(family == 4 ? AF_INET : AF_INET6, a, buf, sizeof(buf)))
		strcpy(buf, "?");
	fputs(buf, out);
}

static void put_negate(const struct sess_filter *f, __u32 bit, FILE *out)
{
	fputs(f->negate & bit ? " (negate)\n" : "\n", out);
}

static void put_addr_range(const struct sess_filter *f, __u32 bit,
			   const char *name, __u32 (*r)[4], FILE *out)
{
	fprintf(out, "        %s: ", name);
	if (!(f->set & bit)) {
		fputs("any\n", out);
		return;
	}
	put_addr(out, f->family, r[0]);
	fputc('-', out);
	put_addr(out, f->family, r[1]);
	put_negate(f, bit, out);
}

static void put_port_range(const struct sess_filter *f, __u32 bit,
			   const char *name, const __u16 *r, FILE *out)
{
	fprintf(out, "        %s: ", name);
	if (!(f->set & bit)) {
		fputs("any\n", out);
		return;
	}
	fprintf(out, "%u-%u", r[0], r[1]);
	put_negate(f, bit, out);
}

void sess_filter_print(const struct sess_filter *f, FILE *out)
{
	struct sess_filter c = *f;

	fputs(f->family == 4 ? "session filter:\n" : "session6 filter:\n", out);
	fputs(f->set & SF_VD ? "        vd: 0\n" : "        vd: any\n", out);
	fputs("        proto: ", out);
	if (f->set & SF_PROTO) {
		fprintf(out, "%u", f->proto);
		put_negate(f, SF_PROTO, out);
	} else {
		fputs("any\n", out);
	}
	put_addr_range(f, SF_SRC, "source ip", c.src, out);
	put_addr_range(f, SF_DST, "dest ip", c.dst, out);
	put_port_range(f, SF_SPORT, "source port", f->sport, out);
	put_port_range(f, SF_DPORT, "dest port", f->dport, out);
	fputs("        policy id: ", out);
	if (f->set & SF_POLICY) {
		fprintf(out, "%u", f->policy);
		put_negate(f, SF_POLICY, out);
	} else {
		fputs("any\n", out);
	}
	fputs("        expire: any\n", out);
	fputs("        duration: any\n", out);
}

/* The JSON of one criterion: its value, or null when it is not set. */
static void json_addr_range(const struct sess_filter *f, __u32 bit,
			    const char *key, __u32 (*r)[4], FILE *out)
{
	fprintf(out, ",\"%s\":", key);
	if (!(f->set & bit)) {
		fputs("null", out);
		return;
	}
	fputs("{\"from\":\"", out);
	put_addr(out, f->family, r[0]);
	fputs("\",\"to\":\"", out);
	put_addr(out, f->family, r[1]);
	fprintf(out, "\",\"negate\":%s}", f->negate & bit ? "true" : "false");
}

static void json_value(const struct sess_filter *f, __u32 bit, const char *key,
		       const __u16 *r, unsigned long v, FILE *out)
{
	fprintf(out, ",\"%s\":", key);
	if (!(f->set & bit))
		fputs("null", out);
	else if (r)
		fprintf(out, "{\"from\":%u,\"to\":%u,\"negate\":%s}", r[0],
			r[1], f->negate & bit ? "true" : "false");
	else
		fprintf(out, "{\"value\":%lu,\"negate\":%s}", v,
			f->negate & bit ? "true" : "false");
}

void sess_filter_json(const struct sess_filter *f, FILE *out)
{
	struct sess_filter c = *f;

	fprintf(out,
		"{\"localin\":1,\"family\":%d,\"filter\":{\"vd\":", f->family);
	if (f->set & SF_VD)
		fprintf(out, "%d", f->vd);
	else
		fputs("null", out);
	json_value(f, SF_PROTO, "proto", NULL, f->proto, out);
	json_addr_range(f, SF_SRC, "src", c.src, out);
	json_addr_range(f, SF_DST, "dst", c.dst, out);
	json_value(f, SF_SPORT, "sport", f->sport, 0, out);
	json_value(f, SF_DPORT, "dport", f->dport, 0, out);
	json_value(f, SF_POLICY, "policy", NULL, f->policy, out);
	fputs("}}\n", out);
}

void sess_tuple_of(const struct li_sess_key *k, const struct li_sess *s,
		   struct sess_tuple *t)
{
	bool in = s->origin != LI_SESS_OUT;

	li_sess_key_addr(k, in, t->saddr);
	li_sess_key_addr(k, !in, t->daddr);
	if (k->proto == 1 || k->proto == 58) {
		/* Echo: the identifier, and the request's and reply's types. */
		t->sport = k->lport;
		t->dport = k->proto == 1 ? 8 : 128;
		t->reply_sport = k->lport;
		t->reply_dport = k->proto == 1 ? 0 : 129;
		return;
	}
	t->sport = in ? k->rport : k->lport;
	t->dport = in ? k->lport : k->rport;
	t->reply_sport = t->dport;
	t->reply_dport = t->sport;
}

static bool in_addr_range(int family, const __u32 *a, __u32 (*r)[4])
{
	size_t n = addr_len(family);

	return memcmp(a, r[0], n) >= 0 && memcmp(a, r[1], n) <= 0;
}

/* Does criterion @bit hold for @t (before negation)? */
static bool holds(const struct sess_filter *f, __u32 bit,
		  const struct sess_tuple *t, const struct li_sess_key *k,
		  const struct li_sess *s)
{
	struct sess_filter c = *f;

	switch (bit) {
	case SF_SRC:
		return in_addr_range(f->family, t->saddr, c.src);
	case SF_DST:
		return in_addr_range(f->family, t->daddr, c.dst);
	case SF_SPORT:
		return t->sport >= f->sport[0] && t->sport <= f->sport[1];
	case SF_DPORT:
		return t->dport >= f->dport[0] && t->dport <= f->dport[1];
	case SF_PROTO:
		return k->proto == f->proto;
	case SF_POLICY:
		return s->policy_id == f->policy;
	}
	return true; /* vd 0: every session is root's */
}

bool sess_filter_match(const struct sess_filter *f, const struct li_sess_key *k,
		       const struct li_sess *s)
{
	struct sess_tuple t;
	size_t i;

	if (k->family != f->family)
		return false;
	sess_tuple_of(k, s, &t);
	for (i = 0; i < NR_FIELDS; i++) {
		__u32 bit = fields[i].bit;

		if ((f->set & bit) &&
		    holds(f, bit, &t, k, s) == !!(f->negate & bit))
			return false;
	}
	return true;
}

/*
 * FortiOS's proto_state: TCP as its state machine numbers them (1
 * established, 2 SYN sent, 4 FIN wait, 5 TIME_WAIT, 7 after a reset),
 * UDP 01 once a reply came, ICMP always 00.
 */
static unsigned int proto_state(const struct li_sess_key *k,
				const struct li_sess *s)
{
	__u8 fin = LI_SESS_FIN_IN | LI_SESS_FIN_OUT;

	switch (k->proto) {
	case 6:
		if (s->tcp & (LI_SESS_RST_IN | LI_SESS_RST_OUT))
			return 7;
		if ((s->tcp & fin) == fin)
			return 5;
		if (s->tcp & fin)
			return 4;
		if (!s->pkts[LI_DIR_IN] || !s->pkts[LI_DIR_OUT])
			return 2;
		return 1;
	case 17:
		return s->pkts[LI_DIR_IN] && s->pkts[LI_DIR_OUT];
	}
	return 0;
}

static void put_hook(FILE *out, const char *hook, const char *dir, int family,
		     const __u32 *sa, __u16 sp, const __u32 *da, __u16 dp)
{
	fprintf(out, "hook=%s dir=%s act=noop ", hook, dir);
	put_addr(out, family, sa);
	fprintf(out, ":%u->", sp);
	put_addr(out, family, da);
	fprintf(out, ":%u(%s:0)\n", dp, family == 4 ? "0.0.0.0" : "::");
}

void sess_print(FILE *out, const struct li_sess_key *k, const struct li_sess *s,
		__u64 now)
{
	bool in = s->origin != LI_SESS_OUT;
	int org = in ? LI_DIR_IN : LI_DIR_OUT;
	struct sess_tuple t;
	__u64 dur = now > s->first_ns ? (now - s->first_ns) / LI_NS : 0;

	sess_tuple_of(k, s, &t);
	fprintf(out,
		"session info: proto=%u proto_state=%02u duration=%llu expire=%llu timeout=%llu flags=00000000 sockflag=00000000 sockport=0 av_idx=0 use=3\n",
		k->proto, proto_state(k, s), (unsigned long long)dur,
		(unsigned long long)li_sess_expire_s(k, s, now),
		(unsigned long long)(li_sess_timeout_ns(k, s) / LI_NS));
	fputs("origin-shaper=\nreply-shaper=\nper_ip_shaper=\n", out);
	fputs("class_id=0 ha_id=0 policy_dir=0 tunnel=/ vlan_cos=0/255\n", out);
	fprintf(out, "state=%slocal may_dirty\n",
		s->flags & LI_SESS_LOG ? "log " : "");
	fprintf(out,
		"statistic(bytes/packets/allow_err): org=%llu/%llu/0 reply=%llu/%llu/0 tuples=2\n",
		(unsigned long long)s->bytes[org],
		(unsigned long long)s->pkts[org],
		(unsigned long long)s->bytes[!org],
		(unsigned long long)s->pkts[!org]);
	fprintf(out,
		"orgin->sink: org %s, reply %s dev=%u->0/0->%u gwy=%s/%s\n",
		in ? "pre->in" : "out->post", in ? "out->post" : "pre->in",
		s->ifindex, s->ifindex, k->family == 4 ? "0.0.0.0" : "::",
		k->family == 4 ? "0.0.0.0" : "::");
	put_hook(out, in ? "pre" : "out", "org", k->family, t.saddr, t.sport,
		 t.daddr, t.dport);
	put_hook(out, in ? "post" : "in", "reply", k->family, t.daddr,
		 t.reply_sport, t.saddr, t.reply_dport);
	fprintf(out, "misc=0 policy_id=%u auth_info=0 chk_client_info=0 vd=0\n",
		s->policy_id);
	fprintf(out, "serial=%08x tos=ff/ff app_list=0 app=0 url_cat=0\n\n",
		s->id);
}

static void put_addr_json(FILE *out, int family, const __u32 *a)
{
	fputc('"', out);
	put_addr(out, family, a);
	fputc('"', out);
}

void sess_print_json(FILE *out, const struct li_sess_key *k,
		     const struct li_sess *s, __u64 now)
{
	bool in = s->origin != LI_SESS_OUT;
	int org = in ? LI_DIR_IN : LI_DIR_OUT;
	struct sess_tuple t;
	__u64 dur = now > s->first_ns ? (now - s->first_ns) / LI_NS : 0;

	sess_tuple_of(k, s, &t);
	fprintf(out, "{\"serial\":\"%08x\",\"family\":%u,\"proto\":%u,\"src\":",
		s->id, k->family, k->proto);
	put_addr_json(out, k->family, t.saddr);
	fprintf(out, ",\"sport\":%u,\"dst\":", t.sport);
	put_addr_json(out, k->family, t.daddr);
	fprintf(out,
		",\"dport\":%u,\"origin\":\"%s\",\"policy_id\":%u,\"ifindex\":%u,\"proto_state\":%u,\"duration_s\":%llu,\"expire_s\":%llu,\"timeout_s\":%llu,\"log\":%s,",
		t.dport, in ? "in" : "out", s->policy_id, s->ifindex,
		proto_state(k, s), (unsigned long long)dur,
		(unsigned long long)li_sess_expire_s(k, s, now),
		(unsigned long long)(li_sess_timeout_ns(k, s) / LI_NS),
		s->flags & LI_SESS_LOG ? "true" : "false");
	fprintf(out,
		"\"org\":{\"bytes\":%llu,\"packets\":%llu},\"reply\":{\"bytes\":%llu,\"packets\":%llu}}",
		(unsigned long long)s->bytes[org],
		(unsigned long long)s->pkts[org],
		(unsigned long long)s->bytes[!org],
		(unsigned long long)s->pkts[!org]);
}
