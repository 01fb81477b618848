/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's clock, sa_mono_ms(): the SA sources, the control socket's
 * timeouts, the sinks and the client's deadline read it. And the backoff
 * the SA sources share (vici.c, xfrm.c, the daemon's sas.c), also used
 * for attaches that failed (links.c): what failed tries again after
 * SA_RETRY_MIN_MS, doubling to SA_RETRY_MAX_MS, and starts from the
 * minimum again once it has worked.
 */
#ifndef LOCALIN_IPSEC_RETRY_H
#define LOCALIN_IPSEC_RETRY_H

#include <time.h>

#include <linux/types.h>

#define SA_RETRY_MIN_MS 250
#define SA_RETRY_MAX_MS 10000

/* Milliseconds of CLOCK_MONOTONIC. */
static inline __u64 sa_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000 + (__u64)ts.tv_nsec / 1000000;
}

struct sa_retry {
	__u64 next_ms; /* when to try again */
	unsigned int backoff_ms;
};

static inline void sa_retry_reset(struct sa_retry *r)
{
	r->backoff_ms = SA_RETRY_MIN_MS;
}

/* A failure now: the next try after the backoff, which doubles. */
static inline void sa_retry_later(struct sa_retry *r)
{
	r->next_ms = sa_mono_ms() + r->backoff_ms;
	r->backoff_ms = r->backoff_ms * 2 > SA_RETRY_MAX_MS ? SA_RETRY_MAX_MS :
							      r->backoff_ms * 2;
}

#endif
