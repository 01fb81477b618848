// SPDX-License-Identifier: GPL-2.0
#include "conf/value.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"

bool parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

/* Strict dotted quad: four decimal fields 0-255, no leading "+" or spaces. */
bool parse_ip4(const char *s, uint32_t *out)
{
	uint32_t v = 0, f;
	int i;

	for (i = 0; i < 4; i++) {
		char buf[4];
		size_t n = strcspn(s, ".");

		if (n == 0 || n > 3)
			return false;
		memcpy(buf, s, n);
		buf[n] = '\0';
		if (!parse_u32(buf, 255, &f))
			return false;
		v = v << 8 | f;
		s += n;
		if (i < 3 && *s++ != '.')
			return false;
	}
	if (*s)
		return false;
	*out = v;
	return true;
}

int mask_to_prefixlen(uint32_t mask)
{
	int len = 0;

	while (len < 32 && (mask & (0x80000000u >> len)))
		len++;
	if (len < 32 && (mask << len))
		return -1;
	return len;
}

bool conf_value_is_list(enum schema_type t)
{
	return t == ST_NAMES || t == ST_ENUMS || t == ST_PORTRANGES ||
	       t == ST_RAW;
}

static struct conf_word *push(struct arena *ar, struct conf_attr *a,
			      const struct conf_word *src, const char *text)
{
	struct conf_word *w = ARENA_PUSH(ar, a->vals, a->nr_vals, a->cap_vals);

	w->loc = src->loc;
	w->quoted = src->quoted;
	/* The lexer's word texts are scratch: keep a copy. */
	w->text = arena_strdup(ar, text);
	return w;
}

static void fmt_ip4(char *buf, uint32_t v)
{
	snprintf(buf, 16, "%u.%u.%u.%u", v >> 24, (v >> 16) & 255,
		 (v >> 8) & 255, v & 255);
}

static int set_ip4mask(struct arena *ar, struct conf_attr *a,
		       const struct schema_attr *sa, const struct conf_word *in,
		       size_t n, struct diag_list *dl)
{
	char addr[64], buf[16];
	uint32_t ip, mask, len;
	const char *slash;

	if (n == 1 && (slash = strchr(in[0].text, '/'))) {
		size_t al = (size_t)(slash - in[0].text);

		if (al >= sizeof(addr))
			goto bad_addr;
		memcpy(addr, in[0].text, al);
		addr[al] = '\0';
		if (!parse_ip4(addr, &ip))
			goto bad_addr;
		if (!parse_u32(slash + 1, 32, &len)) {
			diag_error(dl, &in[0].loc,
				   "invalid prefix length \"%s\"", slash + 1);
			return -EINVAL;
		}
		mask = len ? ~0u << (32 - len) : 0;
	} else if (n == 2) {
		if (!parse_ip4(in[0].text, &ip))
			goto bad_addr;
		if (!parse_ip4(in[1].text, &mask) ||
		    mask_to_prefixlen(mask) < 0) {
			diag_error(dl, &in[1].loc, "invalid netmask \"%s\"",
				   in[1].text);
			return -EINVAL;
		}
	} else if (n == 1) {
		diag_error(dl, &in[0].loc,
			   "%s needs an address and a netmask (or addr/len)",
			   sa->name);
		return -EINVAL;
	} else {
		diag_error(dl, &in[2].loc, "too many values for %s", sa->name);
		return -EINVAL;
	}
	fmt_ip4(buf, ip);
	push(ar, a, &in[0], buf);
	fmt_ip4(buf, mask);
	push(ar, a, n == 2 ? &in[1] : &in[0], buf);
	return 0;
bad_addr:
	diag_error(dl, &in[0].loc, "invalid IPv4 address \"%s\"", in[0].text);
	return -EINVAL;
}

static int set_ip6(struct arena *ar, struct conf_attr *a,
		   const struct conf_word *w, bool prefix, struct diag_list *dl)
{
	char addr[INET6_ADDRSTRLEN + 8], buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(w->text, '/');
	struct in6_addr in6;
	uint32_t len = 128;
	size_t al = slash ? (size_t)(slash - w->text) : strlen(w->text);

	if (prefix && !slash) {
		diag_error(dl, &w->loc, "IPv6 prefix \"%s\" needs a /length",
			   w->text);
		return -EINVAL;
	}
	if ((!prefix && slash) || al >= INET6_ADDRSTRLEN) {
		diag_error(dl, &w->loc, "invalid IPv6 address \"%s\"", w->text);
		return -EINVAL;
	}
	memcpy(addr, w->text, al);
	addr[al] = '\0';
	if (inet_pton(AF_INET6, addr, &in6) != 1) {
		diag_error(dl, &w->loc, "invalid IPv6 address \"%s\"", addr);
		return -EINVAL;
	}
	if (slash && !parse_u32(slash + 1, 128, &len)) {
		diag_error(dl, &w->loc, "invalid prefix length \"%s\"",
			   slash + 1);
		return -EINVAL;
	}
	inet_ntop(AF_INET6, &in6, buf, sizeof(buf));
	if (prefix)
		snprintf(buf + strlen(buf), 8, "/%u", len);
	push(ar, a, w, buf);
	return 0;
}

/* One port or lo-hi; *end set past what was read. */
static bool parse_port_range(const char *s, const char **end, uint32_t *lo,
			     uint32_t *hi)
{
	char buf[8];
	size_t n = strspn(s, "0123456789");

	if (!n || n > 5)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (!parse_u32(buf, 65535, lo))
		return false;
	s += n;
	*hi = *lo;
	if (*s == '-') {
		s++;
		n = strspn(s, "0123456789");
		if (!n || n > 5)
			return false;
		memcpy(buf, s, n);
		buf[n] = '\0';
		if (!parse_u32(buf, 65535, hi))
			return false;
		s += n;
	}
	*end = s;
	return true;
}

static int set_portrange(struct arena *ar, struct conf_attr *a,
			 const struct conf_word *w, struct diag_list *dl)
{
	uint32_t dlo, dhi, slo = 0, shi = 65535;
	const char *p = w->text;
	char buf[32];
	bool src = false;

	/*
	 * '' is no range; the empty default (no port) is had by unset,
	 * not guessed for what may be an empty template variable.
	 */
	if (!*p) {
		diag_error(
			dl, &w->loc,
			"empty port range \"\" for %s (a range is lo[-hi][:lo[-hi]], 0-65535; `unset %s` leaves none)",
			a->schema->name, a->schema->name);
		return -EINVAL;
	}
	if (!parse_port_range(p, &p, &dlo, &dhi))
		goto bad;
	if (*p == ':') {
		src = true;
		if (!parse_port_range(p + 1, &p, &slo, &shi))
			goto bad;
	}
	if (*p)
		goto bad;
	if (dlo > dhi || slo > shi) {
		diag_error(dl, &w->loc,
			   "port range \"%s\" ends before it starts", w->text);
		return -EINVAL;
	}
	if (dlo == dhi)
		snprintf(buf, sizeof(buf), "%u", dlo);
	else
		snprintf(buf, sizeof(buf), "%u-%u", dlo, dhi);
	if (src && slo == shi)
		snprintf(buf + strlen(buf), 12, ":%u", slo);
	else if (src)
		snprintf(buf + strlen(buf), 14, ":%u-%u", slo, shi);
	push(ar, a, w, buf);
	return 0;
bad:
	diag_error(
		dl, &w->loc,
		"invalid port range \"%s\" (expected lo[-hi][:lo[-hi]], 0-65535)",
		w->text);
	return -EINVAL;
}

static bool parse_hhmm(const char *s, unsigned int *h, unsigned int *m)
{
	uint32_t hh, mm;
	char buf[3];
	const char *colon = strchr(s, ':');

	if (!colon || colon - s < 1 || colon - s > 2 || strlen(colon + 1) != 2)
		return false;
	memcpy(buf, s, (size_t)(colon - s));
	buf[colon - s] = '\0';
	if (!parse_u32(buf, 23, &hh) || !parse_u32(colon + 1, 59, &mm))
		return false;
	*h = hh;
	*m = mm;
	return true;
}

static int set_time(struct arena *ar, struct conf_attr *a,
		    const struct conf_word *w, struct diag_list *dl)
{
	unsigned int h, m;
	char buf[8];

	if (!parse_hhmm(w->text, &h, &m)) {
		diag_error(dl, &w->loc, "invalid time \"%s\" (expected hh:mm)",
			   w->text);
		return -EINVAL;
	}
	snprintf(buf, sizeof(buf), "%02u:%02u", h, m);
	push(ar, a, w, buf);
	return 0;
}

static int set_date(struct arena *ar, struct conf_attr *a,
		    const struct conf_word *w, struct diag_list *dl)
{
	uint32_t y, mo, d;
	char buf[16];

	if (strlen(w->text) > 10 || !isdigit((unsigned char)w->text[0]) ||
	    sscanf(w->text, "%4u/%2u/%2u%1s", &y, &mo, &d, buf) != 3 ||
	    y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31) {
		diag_error(dl, &w->loc,
			   "invalid date \"%s\" (expected yyyy/mm/dd)",
			   w->text);
		return -EINVAL;
	}
	snprintf(buf, sizeof(buf), "%04u/%02u/%02u", y, mo, d);
	push(ar, a, w, buf);
	return 0;
}

static bool is_uuid(const char *s)
{
	int i;

	if (strlen(s) != 36)
		return false;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

static bool in_enums(const char *const *enums, const char *s)
{
	for (; enums && *enums; enums++)
		if (!strcmp(*enums, s))
			return true;
	return false;
}

static void enum_error(const struct schema_attr *sa, const struct conf_word *w,
		       struct diag_list *dl)
{
	char list[512] = "";
	size_t i, n = 0, used = 0;

	while (sa->enums && sa->enums[n])
		n++;
	for (i = 0; i < n && used < sizeof(list) - 64; i++) {
		used += (size_t)snprintf(list + used, sizeof(list) - used,
					 "%s%s",
					 i == 0	    ? "" :
					 i == n - 1 ? " or " :
						      ", ",
					 sa->enums[i]);
	}
	diag_error(dl, &w->loc, "invalid value \"%s\" for %s (expected %s)",
		   w->text, sa->name, list);
}

static int set_one(struct arena *ar, struct conf_attr *a,
		   const struct schema_attr *sa, const struct conf_word *w,
		   struct diag_list *dl)
{
	uint32_t ip, v;
	char buf[40];

	switch (sa->type) {
	case ST_STRING:
	case ST_NAMES:
		if (sa->max && strlen(w->text) > (size_t)sa->max) {
			diag_error(dl, &w->loc,
				   "value of %s is longer than %lld characters",
				   sa->name, sa->max);
			return -EINVAL;
		}
		push(ar, a, w, w->text);
		return 0;
	case ST_ENUM:
	case ST_ENUMS:
		if (!in_enums(sa->enums, w->text)) {
			enum_error(sa, w, dl);
			return -EINVAL;
		}
		push(ar, a, w, w->text);
		return 0;
	case ST_INT:
		if (!parse_u32(w->text, UINT32_MAX, &v) || v < sa->min ||
		    v > sa->max) {
			diag_error(
				dl, &w->loc,
				"invalid value \"%s\" for %s (expected an integer %lld-%lld)",
				w->text, sa->name, sa->min, sa->max);
			return -EINVAL;
		}
		snprintf(buf, sizeof(buf), "%u", v);
		push(ar, a, w, buf);
		return 0;
	case ST_IP4:
		if (!parse_ip4(w->text, &ip)) {
			diag_error(dl, &w->loc, "invalid IPv4 address \"%s\"",
				   w->text);
			return -EINVAL;
		}
		fmt_ip4(buf, ip);
		push(ar, a, w, buf);
		return 0;
	case ST_IP6:
		return set_ip6(ar, a, w, false, dl);
	case ST_IP6PREFIX:
		return set_ip6(ar, a, w, true, dl);
	case ST_PORTRANGES:
		return set_portrange(ar, a, w, dl);
	case ST_TIME:
		return set_time(ar, a, w, dl);
	case ST_UUID:
		if (!is_uuid(w->text)) {
			diag_error(dl, &w->loc, "invalid uuid \"%s\"", w->text);
			return -EINVAL;
		}
		for (v = 0; v < 36; v++)
			buf[v] = (char)tolower((unsigned char)w->text[v]);
		buf[36] = '\0';
		push(ar, a, w, buf);
		return 0;
	default:
		push(ar, a, w, w->text);
		return 0;
	}
}

/* Types that take exactly one word. */
static bool single_word(enum schema_type t)
{
	return t == ST_STRING || t == ST_ENUM || t == ST_INT || t == ST_IP4 ||
	       t == ST_IP6 || t == ST_IP6PREFIX || t == ST_TIME || t == ST_UUID;
}

/*
 * Lists longer than this find duplicates through a hash set: a group of
 * 100k members on one `set member` line must not cost n^2 compares.
 */
#define WORD_SET_MIN 16

/* Insert @s; false if it was there already. */
static bool word_set_add(const char **slots, size_t mask, const char *s)
{
	size_t i = hash_str(s) & mask;

	for (; slots[i]; i = (i + 1) & mask)
		if (!strcmp(slots[i], s))
			return false;
	slots[i] = s;
	return true;
}

static int set_list_hashed(struct arena *ar, struct conf_attr *a,
			   const struct schema_attr *sa,
			   const struct conf_word *in, size_t n,
			   struct diag_list *dl)
{
	size_t size = 64, i;
	const char **slots;
	int err = 0;

	while (size < (a->nr_vals + n) * 2)
		size *= 2;
	slots = calloc(size, sizeof(*slots));
	if (!slots) {
		/* Said, not just returned: the caller only sees "failed". */
		diag_error(dl, &in[0].loc, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < a->nr_vals; i++)
		word_set_add(slots, size - 1, a->vals[i].text);
	for (i = 0; i < n; i++) {
		if (!word_set_add(slots, size - 1, in[i].text)) {
			diag_error(dl, &in[i].loc, "\"%s\" is already in %s",
				   in[i].text, sa->name);
			err = -EINVAL;
			continue;
		}
		if (set_one(ar, a, sa, &in[i], dl))
			err = -EINVAL;
	}
	free(slots);
	return err;
}

/*
 * `set start "22:00 2026/06/10"`, as Terraform and the REST API write a
 * onetime schedule's time: the two words of the bare form in one string.
 * Stored as those two words, each located at the string.
 */
static int set_datetime_quoted(struct arena *ar, struct conf_attr *a,
			       const struct schema_attr *sa,
			       const struct conf_word *in, struct diag_list *dl)
{
	const char *sp = strchr(in->text, ' ');
	char time[16];
	struct conf_word w[2] = { *in, *in };
	size_t tl = (size_t)(sp - in->text);

	if (tl >= sizeof(time) || strchr(sp + 1, ' ')) {
		diag_error(dl, &in->loc,
			   "%s needs a time and a date (hh:mm yyyy/mm/dd)",
			   sa->name);
		return -EINVAL;
	}
	memcpy(time, in->text, tl);
	time[tl] = '\0';
	w[0].text = time;
	w[1].text = (char *)sp + 1;
	w[0].quoted = w[1].quoted = false;
	if (set_time(ar, a, &w[0], dl) || set_date(ar, a, &w[1], dl))
		return -EINVAL;
	return 0;
}

int conf_value_set(struct arena *ar, struct conf_attr *a,
		   const struct schema_attr *sa, const struct conf_word *in,
		   size_t n, struct diag_list *dl)
{
	size_t i, j;
	int err = 0;

	if (sa->type == ST_IP4MASK)
		return set_ip4mask(ar, a, sa, in, n, dl);
	if (sa->type == ST_DATETIME) {
		if (n == 1 && strchr(in[0].text, ' '))
			return set_datetime_quoted(ar, a, sa, &in[0], dl);
		if (n != 2) {
			diag_error(
				dl, n ? &in[n > 2 ? 2 : 0].loc : &a->name_loc,
				"%s needs a time and a date (hh:mm yyyy/mm/dd)",
				sa->name);
			return -EINVAL;
		}
		if (set_time(ar, a, &in[0], dl) || set_date(ar, a, &in[1], dl))
			return -EINVAL;
		return 0;
	}
	if (single_word(sa->type) && n > 1) {
		diag_error(dl, &in[1].loc, "too many values for %s", sa->name);
		return -EINVAL;
	}
	if ((sa->type == ST_NAMES || sa->type == ST_ENUMS) &&
	    a->nr_vals + n > WORD_SET_MIN)
		return set_list_hashed(ar, a, sa, in, n, dl);
	for (i = 0; i < n; i++) {
		if (sa->type == ST_NAMES || sa->type == ST_ENUMS) {
			for (j = 0; j < a->nr_vals; j++)
				if (!strcmp(a->vals[j].text, in[i].text))
					break;
			if (j < a->nr_vals) {
				diag_error(dl, &in[i].loc,
					   "\"%s\" is already in %s",
					   in[i].text, sa->name);
				err = -EINVAL;
				continue;
			}
		}
		if (set_one(ar, a, sa, &in[i], dl))
			err = -EINVAL;
	}
	return err;
}
