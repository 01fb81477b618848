/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Log rate limits: a token bucket per event kind (all remote addresses
 * together) and one per (event kind, remote address). A line is written
 * only when both buckets have a token, and then takes one from each; a
 * refused line takes none, so a flooding address does not drain the
 * budget the other addresses share.
 *
 * Remote addresses are IPv4 addresses and IPv6 /64 prefixes: whoever owns
 * one IPv6 address owns its /64 and could otherwise rotate through fresh
 * buckets at will. The per-address buckets live in a fixed table of
 * conf.table_size entries allocated once by rl_init(); when it is full
 * the least recently used bucket is evicted (its address starts afresh
 * with a full bucket; the kind bucket still bounds the total). Counts are
 * kept per kind, never per address, so eviction loses none.
 *
 * Time is always the caller's, in nanoseconds: packet timestamps in
 * replay, CLOCK_REALTIME or CLOCK_MONOTONIC in the daemon. Time that goes
 * backwards only delays refills; it never mints tokens. A step of the
 * caller's clock (the wall clock set back by hours) is the caller's to
 * say, rl_clock_step(): no time handed in tells it from a straggler.
 *
 * Defaults (rl_conf_default(); src/log/README.md explains them):
 *   kind            per address            all addresses
 *   traffic-deny    burst 5, 1 per second  burst 100, 10 per second
 *   traffic-accept  burst 5, 1 per second  burst 200, 50 per second
 *   esp-error       burst 5, 1 per second  burst 100, 10 per second
 *   table: 4096 address buckets (about 200 KiB).
 *
 * One struct ratelimit is used by one thread; it holds no global state.
 */
#ifndef LOCALIN_LOG_RATELIMIT_H
#define LOCALIN_LOG_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

enum rl_kind {
	RL_TRAFFIC_DENY,
	RL_TRAFFIC_ACCEPT,
	RL_ESP_ERROR,
	RL_ESP_PEER, /* a live SPI from an unexpected peer */
	RL_NR_KINDS,
};

#define RL_NSEC_PER_SEC 1000000000ull
#define RL_DEFAULT_TABLE_SIZE 4096u
#define RL_MAX_TABLE_SIZE (1u << 24)

/* A bucket of @burst tokens refilled with one token every @interval_ns. */
struct rl_rate {
	__u32 burst;	   /* 0: never allow */
	__u64 interval_ns; /* 0: unlimited (no bucket at all) */
};

struct rl_conf {
	struct rl_rate kind[RL_NR_KINDS]; /* all remote addresses together */
	struct rl_rate addr[RL_NR_KINDS]; /* each remote address alone */
	__u32 table_size; /* per-address buckets kept, 1..RL_MAX_TABLE_SIZE */
	/*
	 * Hash seed of the address table. The daemon should draw it from
	 * getrandom() so that spoofed sources cannot aim at one hash chain;
	 * replay and tests keep 0 for reproducible runs.
	 */
	__u64 seed;
};

struct rl_counts {
	__u64 emitted;
	__u64 suppressed;
	__u64 reported; /* suppressed lines already in a pending summary */
};

struct rl_entry;

/* Opaque apart from the counters; use the functions below. */
struct ratelimit {
	struct rl_conf conf;
	struct rl_counts count[RL_NR_KINDS];
	__u64 kind_tat[RL_NR_KINDS]; /* GCRA: theoretical arrival time */
	/* Before this time the kind's bucket is sure to be empty. */
	__u64 kind_open[RL_NR_KINDS];
	struct rl_entry *entries;
	__u32 *heads;
	__u32 hash_mask;
	__u32 used;
	__u32 lru_first, lru_last; /* most / least recently used */
	__u64 evictions;
};

void rl_conf_default(struct rl_conf *conf);
/* @conf NULL: the defaults. 0, -EINVAL (table size), -ENOMEM. */
int rl_init(struct ratelimit *rl, const struct rl_conf *conf);
void rl_release(struct ratelimit *rl);

/*
 * May a line of @kind about remote address @addr (network byte order as in
 * struct li_pkt; @family 4 or 6, or 0 / @addr NULL for a line with no
 * remote address: kind bucket only) be written at @now_ns? Counts the line
 * as emitted or suppressed either way.
 */
bool rl_allow_slow(struct ratelimit *rl, enum rl_kind kind, int family,
		   const __u32 addr[4], __u64 now_ns);

/*
 * Inline, as a flood of lines (replay, a scan) is mostly refused by the
 * kind bucket: that answer costs a compare (rl_allow_slow() gives the
 * same one, later).
 */
static inline bool rl_allow(struct ratelimit *rl, enum rl_kind kind, int family,
			    const __u32 addr[4], __u64 now_ns)
{
	if ((unsigned int)kind < RL_NR_KINDS && now_ns < rl->kind_open[kind]) {
		rl->count[kind].suppressed++;
		return false;
	}
	return rl_allow_slow(rl, kind, family, addr, now_ns);
}

/*
 * The caller's clock stepped by @delta_ns (negative: set back): every
 * bucket moves with it, as full or as empty as it was. Without it, a
 * clock set back by hours would keep the buckets shut for hours.
 */
void rl_clock_step(struct ratelimit *rl, __s64 delta_ns);

const char *rl_kind_name(enum rl_kind kind); /* "traffic-deny", ... */
__u64 rl_emitted(const struct ratelimit *rl, enum rl_kind kind);
__u64 rl_suppressed(const struct ratelimit *rl, enum rl_kind kind);
__u64 rl_evictions(const struct ratelimit *rl);

/*
 * "log rate limit: suppressed 1234 esp-error lines, 12 traffic-deny lines"
 * over the whole run (largest count first; "suppressed 0 lines" when none).
 * Length or -ENOSPC, like snprintf without truncation.
 */
int rl_summary(const struct ratelimit *rl, char *buf, size_t size);
/*
 * The same line for what was suppressed since the previous successful
 * call, for the daemon's periodic report; 0 and "" when nothing was.
 * Only a line that fits marks its counts as reported, so none is lost.
 */
int rl_summary_pending(struct ratelimit *rl, char *buf, size_t size);

#endif
