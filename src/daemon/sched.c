// SPDX-License-Identifier: GPL-2.0
/* The schedule timer (sched.h). */
#include "daemon/sched.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "objects/objects.h"

int sched_local_minute(const struct timespec *now, __s64 *minute, int *ms_left)
{
	int64_t m;
	int sec;
	long ms;

	if (local_minutes(now->tv_sec, &m, &sec))
		return -EOVERFLOW;
	*minute = m;
	/* Rounded up, so that a wake-up after @ms_left is never early. */
	ms = (60 - sec) * 1000L - now->tv_nsec / 1000000;
	*ms_left = ms < 0 ? 0 : (int)ms;
	return 0;
}

static const struct li_family *family(const struct li_ruleset *rs, int fam)
{
	return fam ? &rs->v6 : &rs->v4;
}

int sched_state_init(struct sched_state *s, const struct li_ruleset *rs)
{
	__u64 *m[2];
	int fam;

	for (fam = 0; fam < 2; fam++) {
		m[fam] = calloc(family(rs, fam)->bm_words ?: 1, sizeof(__u64));
		if (!m[fam]) {
			free(m[0]);
			return -ENOMEM;
		}
	}
	for (fam = 0; fam < 2; fam++) {
		s->mask[fam] = m[fam];
		s->words[fam] = family(rs, fam)->bm_words;
		s->unpushed[fam] = false;
	}
	s->minute = INT64_MIN;
	return 0;
}

void sched_state_free(struct sched_state *s)
{
	free(s->mask[0]);
	free(s->mask[1]);
	memset(s, 0, sizeof(*s));
}

bool sched_update(struct sched_state *s, const struct li_ruleset *rs,
		  __s64 minute, bool changed[2])
{
	__u64 tmp[LI_MAX_BM_WORDS];
	bool fresh = s->minute == INT64_MIN;
	int fam;

	for (fam = 0; fam < 2; fam++) {
		const struct li_family *f = family(rs, fam);
		changed[fam] = fresh;
		if (!f->nr_policies)
			continue;
		ruleset_live_mask(rs, f, minute, tmp);
		if (memcmp(tmp, s->mask[fam], f->bm_words * sizeof(__u64))) {
			memcpy(s->mask[fam], tmp, f->bm_words * sizeof(__u64));
			changed[fam] = true;
		}
	}
	s->minute = minute;
	return changed[0] || changed[1];
}
