// SPDX-License-Identifier: GPL-2.0
/*
 * The schedule table and its evaluation. Schedules are not looked at per
 * packet: the daemon evaluates them at every boundary into the mask of
 * active policies (ruleset_active_mask), which the lookup ANDs in.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compile/internal.h"

#define MIN_PER_DAY 1440

static int sched_push(struct compile_ctx *c, const struct li_sched *e,
		      __u16 *idx)
{
	struct li_ruleset *rs = c->rs;

	if (rs->nr_scheds >= UINT16_MAX)
		return -E2BIG; /* li_policy.sched is 16 bits */
	if (rs->nr_scheds == c->sched_cap) {
		size_t cap = c->sched_cap ? c->sched_cap * 2 : 8;
		struct li_sched *n = realloc(rs->scheds, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		rs->scheds = n;
		c->sched_cap = cap;
	}
	rs->scheds[rs->nr_scheds] = *e;
	*idx = (__u16)rs->nr_scheds++;
	return 0;
}

static int sched_push_member(struct compile_ctx *c, __u32 m)
{
	struct li_ruleset *rs = c->rs;

	if (rs->nr_sched_members == c->sched_members_cap) {
		size_t cap =
			c->sched_members_cap ? c->sched_members_cap * 2 : 8;
		__u32 *n = realloc(rs->sched_members, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		rs->sched_members = n;
		c->sched_members_cap = cap;
	}
	rs->sched_members[rs->nr_sched_members++] = m;
	return 0;
}

int sched_index(struct compile_ctx *c, const struct obj_schedule *s, __u16 *idx)
{
	struct li_sched e = { 0 };
	__u16 *members = NULL;
	uint32_t v;
	size_t i;
	int err = 0;

	/* Entry 0 is "always", seeded by the compiler; no schedule = always. */
	if (!s || (s->builtin && s->name && !strcmp(s->name, "always"))) {
		*idx = 0;
		return 0;
	}
	if (ptr_map_get(&c->sched_map, s, &v)) {
		*idx = (__u16)v;
		return 0;
	}
	switch (s->type) {
	case SCHED_RECURRING:
		/* No days is never (the factory "none"): say so in the table. */
		e.type = s->days & 0x7f ? LI_SCHED_RECURRING : LI_SCHED_NEVER;
		e.days = s->days & 0x7f;
		e.start_min = s->start_min % MIN_PER_DAY;
		e.end_min = s->end_min % MIN_PER_DAY;
		break;
	case SCHED_ONETIME:
		e.type = LI_SCHED_ONETIME;
		e.start_local = s->start_local;
		e.end_local = s->end_local;
		break;
	case SCHED_GROUP:
		e.type = LI_SCHED_GROUP;
		/* Members first: a group only refers to earlier entries. */
		members = malloc((s->nr_members ? s->nr_members : 1) *
				 sizeof(*members));
		if (!members)
			return -ENOMEM;
		for (i = 0; i < s->nr_members && !err; i++)
			err = sched_index(c, s->members[i], &members[i]);
		e.nr_members = (__u16)s->nr_members;
		e.first_member = c->rs->nr_sched_members;
		for (i = 0; i < s->nr_members && !err; i++)
			err = sched_push_member(c, members[i]);
		free(members);
		if (err)
			return err;
		break;
	}
	err = sched_push(c, &e, idx);
	if (!err)
		err = ptr_map_put(&c->sched_map, s, *idx);
	return err;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/*
 * A recurring window opens at start on each listed day and lasts
 * (end - start) mod 24 h, a full day when start == end: so a window that
 * ends before it starts runs past midnight, and the day check applies to
 * the day it opened.
 */
static bool recurring_active(const struct li_sched *e, int64_t t)
{
	int64_t t0 = t - e->start_min;
	int64_t day = floor_div(t0, MIN_PER_DAY);
	int64_t off = t0 - day * MIN_PER_DAY;
	int dur = ((int)e->end_min - (int)e->start_min + MIN_PER_DAY) %
		  MIN_PER_DAY;
	/* 1970-01-01 was a Thursday; bit 0 is sunday. */
	int dow = (int)(((day + 4) % 7 + 7) % 7);

	if (!dur)
		dur = MIN_PER_DAY;
	return (e->days >> dow & 1) && off < dur;
}

static bool sched_eval(const struct li_ruleset *rs, __u32 idx, int64_t t,
		       unsigned int depth)
{
	const struct li_sched *e;
	__u32 i;

	if (idx >= rs->nr_scheds || depth > 4)
		return false;
	e = &rs->scheds[idx];
	switch (e->type) {
	case LI_SCHED_ALWAYS:
		return true;
	case LI_SCHED_NEVER:
		return false;
	case LI_SCHED_RECURRING:
		return recurring_active(e, t);
	case LI_SCHED_ONETIME:
		return t >= e->start_local && t < e->end_local;
	case LI_SCHED_GROUP:
		for (i = 0; i < e->nr_members; i++) {
			__u32 m = rs->sched_members[e->first_member + i];

			if (m < idx && sched_eval(rs, m, t, depth + 1))
				return true;
		}
		return false;
	}
	return false;
}

void ruleset_active_mask(const struct li_ruleset *rs, const struct li_family *f,
			 __s64 local_min, __u64 *out)
{
	__u32 i;

	memset(out, 0, f->bm_words * sizeof(*out));
	for (i = 0; i < f->nr_policies; i++)
		if (sched_eval(rs, f->policies[i].sched, local_min, 0))
			out[i / 64] |= 1ull << (i % 64);
}

void ruleset_live_mask(const struct li_ruleset *rs, const struct li_family *f,
		       __s64 local_min, __u64 *out)
{
	__u32 w;

	ruleset_active_mask(rs, f, local_min, out);
	for (w = 0; w < f->bm_words; w++)
		out[w] &= f->enabled[w];
}

bool sched_is_always(const struct li_ruleset *rs, __u16 idx)
{
	const struct li_sched *e = &rs->scheds[idx];

	return e->type == LI_SCHED_ALWAYS ||
	       (e->type == LI_SCHED_RECURRING && e->days == 0x7f &&
		e->start_min == e->end_min);
}

bool sched_is_never(const struct li_ruleset *rs, __u16 idx)
{
	const struct li_sched *e = &rs->scheds[idx];
	__u32 i;

	switch (e->type) {
	case LI_SCHED_NEVER:
		return true;
	case LI_SCHED_ONETIME:
		return e->start_local >= e->end_local;
	case LI_SCHED_GROUP:
		for (i = 0; i < e->nr_members; i++) {
			__u32 m = rs->sched_members[e->first_member + i];

			if (m >= idx || !sched_is_never(rs, (__u16)m))
				return false;
		}
		return true;
	default:
		return false;
	}
}
