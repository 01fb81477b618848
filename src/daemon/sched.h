/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The schedule timer: schedules are evaluated per local minute in the
 * config's zone (TZ, set by the daemon from `config system global`), not
 * per packet. At start, at every minute boundary and after every reload
 * the daemon recomputes each family's mask of enabled, schedule-active
 * policies (as li_host_set_time() does for replay) and pushes the masks
 * that changed to the data path.
 */
#ifndef LOCALIN_DAEMON_SCHED_H
#define LOCALIN_DAEMON_SCHED_H

#include <stdbool.h>
#include <time.h>

#include <linux/types.h>

#include "compile/compile.h"

struct sched_state {
	__u64 *mask[2]; /* per family (0: IPv4, 1: IPv6), bm_words each */
	__u32 words[2];
	__s64 minute; /* local minute of the masks; INT64_MIN: none yet */
	/* the data path refused the family's mask: pushed at every minute */
	bool unpushed[2];
};

/*
 * Local time of @now as schedules count it: minutes since 1970-01-01
 * 00:00 in the zone of TZ, and the milliseconds until that minute ends
 * (1..60000, rounded up; 0 in a leap second). 0, or -EOVERFLOW.
 */
int sched_local_minute(const struct timespec *now, __s64 *minute, int *ms_left);

/* Masks sized for @rs, none computed yet. 0 or -ENOMEM (@s untouched). */
int sched_state_init(struct sched_state *s, const struct li_ruleset *rs);
void sched_state_free(struct sched_state *s);

/*
 * Recompute the masks for @minute. changed[fam] says whether a family's
 * mask differs from the one before (always true after sched_state_init).
 * Returns true if any did.
 */
bool sched_update(struct sched_state *s, const struct li_ruleset *rs,
		  __s64 minute, bool changed[2]);

#endif
