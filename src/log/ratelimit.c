// SPDX-License-Identifier: GPL-2.0
/*
 * Token buckets as GCRA (generic cell rate algorithm): a bucket is one
 * "theoretical arrival time" instead of a token count and a refill stamp,
 * which needs no division and cannot overflow a fractional token count
 * however long the caller stayed away. The address table is a hash of
 * index chains plus an LRU list through the same fixed array.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/logbuf.h"
#include "log/ratelimit.h"

#define RL_NIL 0xffffffffu

struct rl_entry {
	__u32 key[2]; /* IPv4 address, or the IPv6 /64 */
	__u8 family;
	__u8 kind;
	__u32 hnext; /* hash chain */
	__u32 prev;  /* LRU: towards the most recently used */
	__u32 next;  /* LRU: towards the least recently used */
	__u64 tat;
};

static const char *const kind_names[RL_NR_KINDS] = {
	[RL_TRAFFIC_DENY] = "traffic-deny",
	[RL_TRAFFIC_ACCEPT] = "traffic-accept",
	[RL_ESP_ERROR] = "esp-error",
	[RL_ESP_PEER] = "esp-wrong-peer",
};

const char *rl_kind_name(enum rl_kind kind)
{
	return (unsigned int)kind < RL_NR_KINDS ? kind_names[kind] : "unknown";
}

void rl_conf_default(struct rl_conf *conf)
{
	const __u64 s = RL_NSEC_PER_SEC;

	memset(conf, 0, sizeof(*conf));
	conf->addr[RL_TRAFFIC_DENY] = (struct rl_rate){ 5, s };
	conf->kind[RL_TRAFFIC_DENY] = (struct rl_rate){ 100, s / 10 };
	conf->addr[RL_TRAFFIC_ACCEPT] = (struct rl_rate){ 5, s };
	conf->kind[RL_TRAFFIC_ACCEPT] = (struct rl_rate){ 200, s / 50 };
	conf->addr[RL_ESP_ERROR] = (struct rl_rate){ 5, s };
	conf->kind[RL_ESP_ERROR] = (struct rl_rate){ 100, s / 10 };
	conf->addr[RL_ESP_PEER] = (struct rl_rate){ 5, s };
	conf->kind[RL_ESP_PEER] = (struct rl_rate){ 100, s / 10 };
	conf->table_size = RL_DEFAULT_TABLE_SIZE;
}

int rl_init(struct ratelimit *rl, const struct rl_conf *conf)
{
	__u32 nheads = 1;

	memset(rl, 0, sizeof(*rl));
	if (conf)
		rl->conf = *conf;
	else
		rl_conf_default(&rl->conf);
	if (!rl->conf.table_size || rl->conf.table_size > RL_MAX_TABLE_SIZE)
		return -EINVAL;
	/* At most one entry per chain on average. */
	while (nheads < rl->conf.table_size)
		nheads <<= 1;
	rl->entries = calloc(rl->conf.table_size, sizeof(*rl->entries));
	rl->heads = malloc(nheads * sizeof(*rl->heads));
	if (!rl->entries || !rl->heads) {
		rl_release(rl);
		return -ENOMEM;
	}
	memset(rl->heads, 0xff, nheads * sizeof(*rl->heads));
	rl->hash_mask = nheads - 1;
	rl->lru_first = rl->lru_last = RL_NIL;
	return 0;
}

void rl_release(struct ratelimit *rl)
{
	free(rl->entries);
	free(rl->heads);
	rl->entries = NULL;
	rl->heads = NULL;
	rl->used = 0;
}

/*
 * Limits that keep GCRA's sums inside 64 bits without saturating (a
 * saturated tat would stop moving and let everything through): times past
 * 2^63 ns (year 2262) count as 2^63, and no bucket spans more than 2^62 ns
 * (146 years) of tokens.
 */
#define RL_TIME_CAP (1ull << 63)
#define RL_SPAN_CAP (1ull << 62)

/*
 * Would one more event at @now fit into the bucket described by @tat and
 * @r? If so, *@new_tat is the bucket after taking the token. GCRA: the
 * bucket is full when tat <= now, and each event pushes tat one interval
 * further; an event fits while tat stays within burst intervals of now.
 */
static bool gcra_fits(__u64 tat, const struct rl_rate *r, __u64 now,
		      __u64 *new_tat)
{
	__u64 window, interval, t;

	*new_tat = tat;
	if (!r->interval_ns)
		return true;
	if (!r->burst)
		return false;
	interval = r->interval_ns < RL_SPAN_CAP ? r->interval_ns : RL_SPAN_CAP;
	if (__builtin_mul_overflow((__u64)r->burst, interval, &window) ||
	    window > RL_SPAN_CAP)
		window = RL_SPAN_CAP;
	if (now > RL_TIME_CAP)
		now = RL_TIME_CAP;
	/* tat <= now + window always, so t + interval < 2^64. */
	t = tat > now ? tat : now;
	if (t - now > window - interval)
		return false;
	*new_tat = t + interval;
	return true;
}

/*
 * The first time at which an event could fit into the bucket of @tat and
 * @r (0: any time; gcra_fits() decides). Before it, t - now >= tat - now
 * > window - interval: gcra_fits() is false.
 */
static __u64 gcra_open(__u64 tat, const struct rl_rate *r)
{
	__u64 window, interval;

	if (!r->interval_ns || !r->burst)
		return 0;
	interval = r->interval_ns < RL_SPAN_CAP ? r->interval_ns : RL_SPAN_CAP;
	if (__builtin_mul_overflow((__u64)r->burst, interval, &window) ||
	    window > RL_SPAN_CAP)
		window = RL_SPAN_CAP;
	return tat > window - interval ? tat - (window - interval) : 0;
}

static __u32 rl_hash(const struct ratelimit *rl, const struct rl_entry *k)
{
	__u64 h = rl->conf.seed ^ ((__u64)k->family << 8 | k->kind);

	/* splitmix64-style mixing: cheap and good enough against clustering. */
	h = (h ^ k->key[0]) * 0x9e3779b97f4a7c15ull;
	h = (h ^ (h >> 31) ^ k->key[1]) * 0xbf58476d1ce4e5b9ull;
	h ^= h >> 29;
	return (__u32)h & rl->hash_mask;
}

static void lru_unlink(struct ratelimit *rl, __u32 i)
{
	struct rl_entry *e = &rl->entries[i];

	if (e->prev != RL_NIL)
		rl->entries[e->prev].next = e->next;
	else
		rl->lru_first = e->next;
	if (e->next != RL_NIL)
		rl->entries[e->next].prev = e->prev;
	else
		rl->lru_last = e->prev;
}

static void lru_push_first(struct ratelimit *rl, __u32 i)
{
	struct rl_entry *e = &rl->entries[i];

	e->prev = RL_NIL;
	e->next = rl->lru_first;
	if (rl->lru_first != RL_NIL)
		rl->entries[rl->lru_first].prev = i;
	rl->lru_first = i;
	if (rl->lru_last == RL_NIL)
		rl->lru_last = i;
}

static void hash_unlink(struct ratelimit *rl, __u32 i)
{
	__u32 *p = &rl->heads[rl_hash(rl, &rl->entries[i])];

	while (*p != i)
		p = &rl->entries[*p].hnext;
	*p = rl->entries[i].hnext;
}

static bool same_key(const struct rl_entry *a, const struct rl_entry *b)
{
	return a->family == b->family && a->kind == b->kind &&
	       a->key[0] == b->key[0] && a->key[1] == b->key[1];
}

/* The bucket of @k, created (evicting the least recently used) if new. */
static struct rl_entry *rl_lookup(struct ratelimit *rl,
				  const struct rl_entry *k)
{
	__u32 h = rl_hash(rl, k), i;

	for (i = rl->heads[h]; i != RL_NIL; i = rl->entries[i].hnext) {
		if (same_key(&rl->entries[i], k)) {
			lru_unlink(rl, i);
			lru_push_first(rl, i);
			return &rl->entries[i];
		}
	}
	if (rl->used < rl->conf.table_size) {
		i = rl->used++;
	} else {
		i = rl->lru_last;
		hash_unlink(rl, i);
		lru_unlink(rl, i);
		rl->evictions++;
	}
	rl->entries[i] = *k;
	rl->entries[i].tat = 0; /* a full bucket */
	rl->entries[i].hnext = rl->heads[h];
	rl->heads[h] = i;
	lru_push_first(rl, i);
	return &rl->entries[i];
}

/* @tat moved by @d, a never used bucket (0) left so, within 0..2^63. */
static __u64 tat_moved(__u64 tat, __s64 d)
{
	if (!tat)
		return 0;
	if (d < 0)
		return tat > (__u64)-d ? tat + (__u64)d : 1;
	return tat + (__u64)d < RL_TIME_CAP ? tat + (__u64)d : RL_TIME_CAP;
}

void rl_clock_step(struct ratelimit *rl, __s64 delta_ns)
{
	__u32 i;
	int k;

	for (k = 0; k < RL_NR_KINDS; k++) {
		rl->kind_tat[k] = tat_moved(rl->kind_tat[k], delta_ns);
		rl->kind_open[k] =
			gcra_open(rl->kind_tat[k], &rl->conf.kind[k]);
	}
	for (i = 0; i < rl->used; i++)
		rl->entries[i].tat = tat_moved(rl->entries[i].tat, delta_ns);
}

bool rl_allow_slow(struct ratelimit *rl, enum rl_kind kind, int family,
		   const __u32 addr[4], __u64 now_ns)
{
	__u64 kind_tat, addr_tat = 0;
	struct rl_entry *e = NULL;
	struct rl_entry k;

	if ((unsigned int)kind >= RL_NR_KINDS)
		return false;
	/*
	 * During a flood the shared bucket is what is empty: answer that
	 * before touching the address table, so a suppressed line costs a
	 * few instructions and no bucket is created for it.
	 */
	if (!gcra_fits(rl->kind_tat[kind], &rl->conf.kind[kind], now_ns,
		       &kind_tat)) {
		rl->count[kind].suppressed++;
		return false;
	}
	if (addr && (family == 4 || family == 6) && rl->entries) {
		memset(&k, 0, sizeof(k));
		k.family = (__u8)family;
		k.kind = (__u8)kind;
		k.key[0] = addr[0];
		k.key[1] = family == 6 ? addr[1] : 0;
		e = rl_lookup(rl, &k);
	}
	if (e && !gcra_fits(e->tat, &rl->conf.addr[kind], now_ns, &addr_tat)) {
		rl->count[kind].suppressed++;
		return false;
	}
	rl->kind_tat[kind] = kind_tat;
	rl->kind_open[kind] = gcra_open(kind_tat, &rl->conf.kind[kind]);
	if (e)
		e->tat = addr_tat;
	rl->count[kind].emitted++;
	return true;
}

__u64 rl_emitted(const struct ratelimit *rl, enum rl_kind kind)
{
	return (unsigned int)kind < RL_NR_KINDS ? rl->count[kind].emitted : 0;
}

__u64 rl_suppressed(const struct ratelimit *rl, enum rl_kind kind)
{
	return (unsigned int)kind < RL_NR_KINDS ? rl->count[kind].suppressed :
						  0;
}

__u64 rl_evictions(const struct ratelimit *rl)
{
	return rl->evictions;
}

/* The summary of @n[kind] suppressed lines, largest first. */
static int format_summary(const __u64 n[RL_NR_KINDS], char *buf, size_t size)
{
	int order[RL_NR_KINDS], i, j, shown = 0;
	struct logbuf lb;

	for (i = 0; i < RL_NR_KINDS; i++) {
		/* Insertion sort, stable: ties keep the enum order. */
		for (j = i; j > 0 && n[order[j - 1]] < n[i]; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	logbuf_init(&lb, buf, size);
	logbuf_puts(&lb, "log rate limit: suppressed ");
	for (i = 0; i < RL_NR_KINDS; i++) {
		j = order[i];
		if (!n[j])
			continue;
		logbuf_printf(&lb, "%s%llu %s line%s", shown++ ? ", " : "",
			      (unsigned long long)n[j], kind_names[j],
			      n[j] == 1 ? "" : "s");
	}
	if (!shown)
		logbuf_puts(&lb, "0 lines");
	return logbuf_result(&lb);
}

int rl_summary(const struct ratelimit *rl, char *buf, size_t size)
{
	__u64 n[RL_NR_KINDS];
	int i;

	for (i = 0; i < RL_NR_KINDS; i++)
		n[i] = rl->count[i].suppressed;
	return format_summary(n, buf, size);
}

int rl_summary_pending(struct ratelimit *rl, char *buf, size_t size)
{
	__u64 n[RL_NR_KINDS], any = 0;
	int i, len;

	for (i = 0; i < RL_NR_KINDS; i++) {
		n[i] = rl->count[i].suppressed - rl->count[i].reported;
		any |= n[i];
	}
	if (!any) {
		if (!size)
			return -ENOSPC;
		buf[0] = '\0';
		return 0;
	}
	len = format_summary(n, buf, size);
	if (len < 0)
		return len;
	for (i = 0; i < RL_NR_KINDS; i++)
		rl->count[i].reported += n[i];
	return len;
}
