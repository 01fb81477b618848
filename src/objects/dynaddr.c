// SPDX-License-Identifier: GPL-2.0
/*
 * The dynamic address table (dynaddr.h), the threat feed line parser and
 * wildcard expansion. Plain data and pure functions: the daemon and
 * check/replay fill the table, the compiler reads it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf/value.h"
#include "objects/dynaddr.h"
#include "objects/internal.h"

void dyn_table_init(struct dyn_table *t)
{
	memset(t, 0, sizeof(*t));
}

static void entry_free(struct dyn_entry *e)
{
	free(e->name);
	free(e->r);
	free(e->url);
	free(e->user);
	free(e->password);
	free(e->source_ip);
	free(e);
}

void dyn_table_free(struct dyn_table *t)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		entry_free(t->e[i]);
	free(t->e);
	memset(t, 0, sizeof(*t));
}

struct dyn_entry *dyn_find(const struct dyn_table *t, enum dyn_kind kind,
			   const char *name)
{
	size_t i;

	/* A config names a handful of FQDNs and feeds: a walk is enough. */
	for (i = 0; t && i < t->nr; i++)
		if (t->e[i]->kind == kind && !strcmp(t->e[i]->name, name))
			return t->e[i];
	return NULL;
}

struct dyn_entry *dyn_get(struct dyn_table *t, enum dyn_kind kind,
			  const char *name)
{
	struct dyn_entry *e = dyn_find(t, kind, name);

	if (e)
		return e;
	if (t->nr == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 8;
		struct dyn_entry **v = realloc(t->e, cap * sizeof(*v));

		if (!v)
			return NULL;
		t->e = v;
		t->cap = cap;
	}
	e = calloc(1, sizeof(*e));
	if (!e || !(e->name = strdup(name))) {
		free(e);
		return NULL;
	}
	e->kind = kind;
	t->e[t->nr++] = e;
	return e;
}

static int set_str(char **dst, const char *src)
{
	char *s = src ? strdup(src) : NULL;

	if (src && !s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

static int sync_feed(struct dyn_table *t, const struct obj_feed *f)
{
	struct dyn_entry *e = dyn_get(t, DYN_FEED, f->name);
	bool moved;

	if (!e)
		return -ENOMEM;
	/* Another URL is another list: fetch it at once, start empty. */
	moved = !e->url || strcmp(e->url, f->url);
	/* Another refresh-rate counts from now, not from the old schedule. */
	if (e->refresh_min != f->refresh_min)
		e->next_ms = 0;
	e->in_use = true;
	e->refresh_min = f->refresh_min;
	e->verify = f->verify;
	if (set_str(&e->url, f->url) || set_str(&e->user, f->user) ||
	    set_str(&e->password, f->password) ||
	    set_str(&e->source_ip, f->source_ip))
		return -ENOMEM;
	e->refresh_s = f->refresh_min * 60;
	if (moved) {
		if (e->nr)
			t->version++;
		e->nr = 0;
		e->state = DYN_NEVER;
		e->next_ms = 0;
	}
	return 0;
}

int dyn_table_sync(struct dyn_table *t, const struct obj_config *cfg)
{
	size_t i, k;

	for (i = 0; i < t->nr; i++) {
		t->e[i]->in_use = false;
		t->e[i]->cache_ttl = 0;
	}
	for (i = 0; i < cfg->nr_addrs; i++) {
		const struct obj_addr *a = cfg->addrs[i];
		struct dyn_entry *e;

		if (a->type != ADDR_FQDN || !a->fqdn)
			continue;
		e = dyn_get(t, DYN_FQDN, a->fqdn);
		if (!e)
			return -ENOMEM;
		e->in_use = true;
		if (a->cache_ttl > e->cache_ttl)
			e->cache_ttl = a->cache_ttl;
	}
	for (i = 0; i < cfg->nr_feeds; i++)
		if (sync_feed(t, cfg->feeds[i]))
			return -ENOMEM;
	for (i = k = 0; i < t->nr; i++) {
		if (t->e[i]->in_use) {
			t->e[k++] = t->e[i];
			continue;
		}
		entry_free(t->e[i]);
	}
	t->nr = k;
	return 0;
}

static int range_cmp(const void *pa, const void *pb)
{
	const struct dyn_range *a = pa, *b = pb;

	if (a->family != b->family)
		return a->family - b->family;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return a->hi < b->hi ? -1 : a->hi > b->hi;
}

/* Sort and merge overlapping or adjoining ranges of a family. */
static size_t normalize(struct dyn_range *v, size_t nr)
{
	size_t i, k = 0;

	if (!nr)
		return 0;
	qsort(v, nr, sizeof(*v), range_cmp);
	for (i = 1; i < nr; i++) {
		struct dyn_range *last = &v[k];

		if (v[i].family == last->family &&
		    (v[i].lo <= last->hi || v[i].lo - 1 == last->hi)) {
			if (v[i].hi > last->hi)
				last->hi = v[i].hi;
			if (v[i].expires_ms > last->expires_ms ||
			    !v[i].expires_ms)
				last->expires_ms = v[i].expires_ms;
			continue;
		}
		v[++k] = v[i];
	}
	return k + 1;
}

static bool same_ranges(const struct dyn_range *a, size_t na,
			const struct dyn_range *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (a[i].family != b[i].family || a[i].lo != b[i].lo ||
		    a[i].hi != b[i].hi)
			return false;
	return true;
}

bool dyn_entry_set(struct dyn_table *t, struct dyn_entry *e,
		   const struct dyn_range *v, size_t nr)
{
	struct dyn_range *n = malloc((nr ? nr : 1) * sizeof(*n));
	bool changed;

	if (!n)
		return false; /* the old ranges stay: no worse than a failure */
	if (nr)
		memcpy(n, v, nr * sizeof(*n));
	nr = normalize(n, nr);
	/* Only what the compiler sees: a name still without address is not. */
	changed = !same_ranges(n, nr, e->r, e->nr);
	free(e->r);
	e->r = n;
	e->nr = e->cap = nr;
	if (changed)
		t->version++;
	return changed;
}

bool dyn_entry_expire(struct dyn_table *t, struct dyn_entry *e, uint64_t now_ms)
{
	size_t i, k = 0;

	for (i = 0; i < e->nr; i++)
		if (!e->r[i].expires_ms || e->r[i].expires_ms > now_ms)
			e->r[k++] = e->r[i];
	if (k == e->nr)
		return false;
	e->nr = k;
	t->version++;
	return true;
}

const struct dyn_entry *dyn_of_addr(const struct dyn_table *t,
				    const struct obj_addr *a)
{
	if (a->type == ADDR_FQDN && a->fqdn)
		return dyn_find(t, DYN_FQDN, a->fqdn);
	if (a->type == ADDR_FEED)
		return dyn_find(t, DYN_FEED, a->feed);
	return NULL;
}

static void format_ip(int family, ip_u128 v, char *buf)
{
	if (family == 4)
		obj_format_ip4((uint32_t)v, buf);
	else
		obj_format_ip6(v, buf);
}

void dyn_range_format(const struct dyn_range *r, char *buf)
{
	ip_u128 size = r->hi - r->lo;
	unsigned int bits = r->family == 4 ? 32 : 128, len = bits;
	char hi[46];

	format_ip(r->family, r->lo, buf);
	if (r->lo == r->hi)
		return;
	/* A prefix when it is one: size + 1 a power of two, lo aligned. */
	if (size != ~(ip_u128)0 && !((size + 1) & size) && !(r->lo & size)) {
		while (size) {
			size >>= 1;
			len--;
		}
		sprintf(buf + strlen(buf), "/%u", len);
		return;
	}
	if (size == ~(ip_u128)0) {
		strcat(buf, "/0");
		return;
	}
	format_ip(r->family, r->hi, hi);
	sprintf(buf + strlen(buf), "-%s", hi);
}

const char *dyn_kind_name(enum dyn_kind k)
{
	return k == DYN_FQDN ? "fqdn" : "external-resource";
}

const char *dyn_state_name(enum dyn_state s)
{
	switch (s) {
	case DYN_NEVER:
		return "never resolved";
	case DYN_OK:
		return "ok";
	case DYN_CACHED:
		return "cache";
	default:
		return "stale";
	}
}

/* ---- threat feed lines ---- */

static bool parse_ip_any(const char *s, int *family, ip_u128 *v)
{
	uint32_t v4;

	if (parse_ip4(s, &v4)) {
		*family = 4;
		*v = v4;
		return true;
	}
	if (strchr(s, ':') && !obj_parse_ip6(s, v)) {
		*family = 6;
		return true;
	}
	return false;
}

/* One entry, no blanks around it: a, a-b, a/len, a/netmask (IPv4). */
static bool parse_entry(char *s, struct dyn_range *out)
{
	char *sep = strpbrk(s, "-/"), kind;
	ip_u128 lo, hi, mask;
	int fam, fam2;
	uint32_t len, m4;

	memset(out, 0, sizeof(*out));
	kind = sep ? *sep : '\0';
	if (sep)
		*sep++ = '\0';
	if (!parse_ip_any(s, &fam, &lo))
		return false;
	out->family = fam;
	out->lo = out->hi = lo;
	if (!kind)
		return true;
	if (kind == '-') {
		if (!parse_ip_any(sep, &fam2, &hi) || fam2 != fam || hi < lo)
			return false;
		out->hi = hi;
		return true;
	}
	if (parse_u32(sep, fam == 4 ? 32 : 128, &len)) {
		if (fam == 4) {
			mask = obj_prefix_mask4(len);
		} else {
			mask = obj_prefix_mask6(len);
		}
	} else if (fam == 4 && parse_ip4(sep, &m4) &&
		   mask_to_prefixlen(m4) >= 0) {
		mask = m4;
	} else {
		return false;
	}
	out->lo = lo & mask;
	out->hi = fam == 4 ? (out->lo | (~mask & 0xffffffffu)) :
			     (out->lo | ~mask);
	return true;
}

int dyn_feed_parse(const char *text, size_t len, struct dyn_range **out,
		   size_t *nr, size_t *cap, unsigned int *bad, size_t max_bad,
		   unsigned int *nr_bad)
{
	unsigned int line = 0;
	size_t off = 0;
	char buf[128];

	*nr_bad = 0;
	/* A list saved by a Windows editor starts with a UTF-8 BOM. */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		off = 3;
	while (off < len) {
		const char *eol = memchr(text + off, '\n', len - off);
		size_t n = (eol ? (size_t)(eol - text) : len) - off;
		const char *p = text + off;
		char *c, *b;

		off += n + 1;
		line++;
		/* A comment runs to the end of the line. */
		c = memchr(p, '#', n);
		if (c)
			n = (size_t)(c - p);
		c = memchr(p, ';', n);
		if (c)
			n = (size_t)(c - p);
		while (n && strchr(" \t\r\f\v", p[0])) {
			p++;
			n--;
		}
		while (n && strchr(" \t\r\f\v", p[n - 1]))
			n--;
		if (!n)
			continue;
		if (*nr >= DYN_FEED_MAX_RANGES)
			return -E2BIG;
		if (*nr == *cap) {
			size_t k = *cap ? *cap * 2 : 256;
			struct dyn_range *v = realloc(*out, k * sizeof(*v));

			if (!v)
				return -ENOMEM;
			*out = v;
			*cap = k;
		}
		b = buf;
		if (n < sizeof(buf) && !memchr(p, '\0', n)) {
			memcpy(buf, p, n);
			buf[n] = '\0';
			/* "a - b" as some lists write ranges */
			for (c = b; *c; c++)
				if (*c == ' ' || *c == '\t')
					memmove(c, c + 1, strlen(c)), c--;
		} else {
			b = NULL;
		}
		if (b && parse_entry(b, &(*out)[*nr])) {
			(*nr)++;
			continue;
		}
		if (*nr_bad < max_bad)
			bad[*nr_bad] = line;
		(*nr_bad)++;
	}
	return 0;
}

/* ---- wildcard addresses ---- */

/* Trailing zero bits of @mask: the prefix's host part. */
static unsigned int host_bits(uint32_t mask)
{
	return mask ? (unsigned int)__builtin_ctz(mask) : 32;
}

uint64_t wildcard_nr_prefixes(uint32_t mask)
{
	unsigned int h = host_bits(mask);
	uint32_t holes = h == 32 ? 0 : ~mask & ~(uint32_t)0 << h;

	return (uint64_t)1 << __builtin_popcount(holes);
}

void wildcard_expand(uint32_t addr, uint32_t mask, struct ip_range *out)
{
	unsigned int h = host_bits(mask);
	uint32_t holes = h == 32 ? 0 : ~mask & ~(uint32_t)0 << h;
	uint32_t host = h == 32 ? ~(uint32_t)0 : ((uint32_t)1 << h) - 1;
	uint32_t sub = 0, base = addr & mask & ~host;
	size_t i = 0;

	/* Every subset of the hole bits, in increasing order. */
	do {
		out[i].lo = base | sub;
		out[i].hi = base | sub | host;
		i++;
		sub = (sub - holes) & holes;
	} while (sub);
}
