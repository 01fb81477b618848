// SPDX-License-Identifier: GPL-2.0
/*
 * firewall schedule recurring, onetime and group, and the predicate the
 * daemon evaluates at each schedule boundary. Times are local wall-clock
 * minutes; converting "now" into them (with the config's time zone) is the
 * caller's business, which keeps this file free of time zone state.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "objects/internal.h"

static const char *const day_names[] = {
	"sunday",   "monday", "tuesday",  "wednesday",
	"thursday", "friday", "saturday",
};

static const char *const sched_kinds[] = {
	[SCHED_RECURRING] = "recurring schedule",
	[SCHED_ONETIME] = "onetime schedule",
	[SCHED_GROUP] = "schedule group",
};

bool obj_schedule_is_none(const struct obj_schedule *s)
{
	return s->builtin && !strcmp(s->name, "none") &&
	       s->type == SCHED_RECURRING && !s->days;
}

/*
 * A recurring schedule without a day is never active (FortiOS's `day`
 * defaults to none, as the predefined "none"); a group is when each
 * member is. NULL, or the recurring schedule that makes it so.
 */
const struct obj_schedule *obj_schedule_dayless(const struct obj_schedule *s)
{
	const struct obj_schedule *m = NULL;
	size_t i;

	if (s->type == SCHED_RECURRING)
		return s->days ? NULL : s;
	if (s->type != SCHED_GROUP || !s->nr_members)
		return NULL;
	for (i = 0; i < s->nr_members; i++) {
		if (s->members[i]->type != SCHED_RECURRING ||
		    s->members[i]->days)
			return NULL;
		m = m ?: s->members[i];
	}
	return m;
}

const struct obj_schedule *obj_schedule_over(const struct obj_schedule *s,
					     int64_t now_local)
{
	const struct obj_schedule *m = NULL;
	size_t i;

	if (s->type == SCHED_ONETIME)
		return s->end_local <= s->start_local ||
				       s->end_local <= now_local ?
			       s :
			       NULL;
	if (s->type != SCHED_GROUP || !s->nr_members)
		return NULL;
	for (i = 0; i < s->nr_members; i++) {
		if (s->members[i]->type != SCHED_ONETIME ||
		    !obj_schedule_over(s->members[i], now_local))
			return NULL;
		m = s->members[i];
	}
	return m;
}

static void sched_time(struct resolver *r, const struct conf_section *sec,
		       const struct conf_entry *e, const char *attr,
		       uint16_t *out)
{
	const struct conf_word *w = obj_word(r, sec, e, attr);
	unsigned int min;

	if (!w)
		return;
	if (obj_parse_hhmm(w->text, &min))
		diag_error(r->dl, &w->loc, "invalid time \"%s\"", w->text);
	else
		*out = (uint16_t)min;
}

static void sched_recurring(struct resolver *r, const struct conf_section *sec,
			    const struct conf_entry *e, struct obj_schedule *o)
{
	const struct conf_word *w, *none = NULL;
	size_t n = obj_words(r, sec, e, "day", &w), i;
	unsigned int d;

	for (i = 0; i < n; i++) {
		if (!strcmp(w[i].text, "none")) {
			none = &w[i];
			continue;
		}
		for (d = 0; d < 7 && strcmp(w[i].text, day_names[d]); d++)
			;
		if (d == 7)
			diag_error(r->dl, &w[i].loc, "invalid day \"%s\"",
				   w[i].text);
		else
			o->days |= (uint8_t)(1u << d);
	}
	if (none && o->days)
		diag_error(r->dl, &none->loc,
			   "day \"none\" cannot be combined with other days");
	sched_time(r, sec, e, "start", &o->start_min);
	sched_time(r, sec, e, "end", &o->end_min);
}

/* "hh:mm yyyy/mm/dd" -> local minutes since 1970; false after an error. */
static bool sched_datetime(struct resolver *r, const struct conf_section *sec,
			   const struct conf_entry *e, struct obj_schedule *o,
			   const char *attr, int64_t *out,
			   const struct conf_loc **at)
{
	const struct conf_word *w;
	size_t n = obj_words(r, sec, e, attr, &w);
	struct conf_loc span, tloc, dloc;
	char *text, *date;
	unsigned int min, m, d;
	int y;

	if (!n) {
		if (!e->broken)
			diag_error(r->dl, &e->loc,
				   "onetime schedule \"%s\": %s is required",
				   o->name, attr);
		return false;
	}
	span = obj_span(w, n);
	/* A value left at its default is not in the file: the edit. */
	*at = conf_attr_get(e, attr) ? &w[0].loc : &e->loc;
	text = obj_join(r, w, n);
	date = strchr(text, ' ');
	if (!date) {
		diag_error(r->dl, &span, "invalid date and time \"%s\"", text);
		return false;
	}
	*date++ = '\0';
	tloc = n == 2 ? w[0].loc : span;
	dloc = n == 2 ? w[1].loc : span;
	if (obj_parse_hhmm(text, &min)) {
		diag_error(r->dl, &tloc, "invalid time \"%s\"", text);
		return false;
	}
	if (obj_parse_date(date, &y, &m, &d)) {
		diag_error(r->dl, &dloc, "invalid date \"%s\"", date);
		return false;
	}
	*out = obj_days_from_civil(y, m, d) * 1440 + min;
	return true;
}

void obj_local_text(int64_t min, char *buf, size_t len)
{
	time_t t = (time_t)min * 60;
	struct tm tm;

	if (gmtime_r(&t, &tm))
		strftime(buf, len, "%H:%M %Y/%m/%d", &tm);
	else
		snprintf(buf, len, "%lld", (long long)min);
}

/*
 * start-utc/end-utc (FortiOS 7.2+, which writes them beside start/end):
 * the same instant in seconds since the epoch, read here into local
 * minutes of the config's zone. Without start/end in the file they say
 * when; with it, start/end does (what the console edits), and a
 * disagreement is said.
 */
static bool sched_utc(struct resolver *r, const struct conf_section *sec,
		      const struct conf_entry *e, const char *attr,
		      const char *local_attr, bool local_ok, int64_t *local,
		      const struct conf_loc **at)
{
	const struct conf_word *w =
		conf_attr_get(e, attr) ? obj_word(r, sec, e, attr) : NULL;
	const char *zone = r->cfg->timezone;
	char a[32], b[32];
	uint32_t v;
	int64_t m;

	if (!w)
		return local_ok;
	if (!parse_u32(w->text, UINT32_MAX, &v)) {
		diag_error(r->dl, &w->loc,
			   "invalid %s \"%s\" (seconds since 1970 UTC)", attr,
			   w->text);
		return false;
	}
	if (zone_minutes(zone, (time_t)v, &m)) {
		diag_error(r->dl, &w->loc,
			   "%s %s: cannot convert to local time", attr,
			   w->text);
		return false;
	}
	if (!conf_attr_get(e, local_attr)) {
		*local = m;
		*at = &w->loc;
		return true;
	}
	if (local_ok && m != *local) {
		obj_local_text(m, a, sizeof(a));
		obj_local_text(*local, b, sizeof(b));
		diag_warn(r->dl, &w->loc,
			  "%s %s is %s in %s, %s says %s; %s is used", attr,
			  w->text, a, zone ? zone : "the system's time zone",
			  local_attr, b, local_attr);
	}
	return local_ok;
}

static void sched_onetime(struct resolver *r, const struct conf_section *sec,
			  const struct conf_entry *e, struct obj_schedule *o)
{
	const struct conf_loc *sloc = NULL, *eloc = NULL;
	const struct conf_word *w;
	bool ok, sok, eok;
	uint32_t days;

	sok = sched_datetime(r, sec, e, o, "start", &o->start_local, &sloc);
	eok = sched_datetime(r, sec, e, o, "end", &o->end_local, &eloc);
	sok = sched_utc(r, sec, e, "start-utc", "start", sok, &o->start_local,
			&sloc);
	eok = sched_utc(r, sec, e, "end-utc", "end", eok, &o->end_local, &eloc);
	ok = sok && eok;
	if (ok && o->end_local < o->start_local)
		diag_error(r->dl, eloc,
			   "onetime schedule \"%s\" ends before it starts%s",
			   o->name,
			   conf_attr_get(e, "end") ||
					   conf_attr_get(e, "end-utc") ?
				   "" :
				   " (end not set)");
	o->expiration_days = 3;
	w = obj_word(r, sec, e, "expiration-days");
	if (w && !parse_u32(w->text, 100, &days))
		diag_error(r->dl, &w->loc,
			   "expiration-days %s is out of range (0-100)",
			   w->text);
	else if (w)
		o->expiration_days = days;
}

struct obj_schedule *obj_schedule_ref(struct resolver *r,
				      const struct conf_word *w)
{
	struct obj_schedule *s = obj_names_get(&r->sched, w->text);

	if (!s) {
		diag_error(r->dl, &w->loc, "unknown schedule \"%s\"", w->text);
		return NULL;
	}
	s->refs++;
	return s;
}

/* FortiOS groups hold recurring and onetime schedules only. */
static void sched_group(struct resolver *r, const struct conf_section *sec,
			const struct conf_entry *e, struct obj_schedule *o)
{
	const struct conf_word *w;
	size_t n = obj_words(r, sec, e, "member", &w), i;

	o->members = arena_alloc(r->a, (n ? n : 1) * sizeof(*o->members));
	o->member_locs =
		arena_alloc(r->a, (n ? n : 1) * sizeof(*o->member_locs));
	for (i = 0; i < n; i++) {
		struct obj_schedule *m;

		if (obj_name_empty(r, sec, e, "member", &w[i], n))
			continue;
		m = obj_schedule_ref(r, &w[i]);
		if (!m)
			continue;
		if (m->type == SCHED_GROUP) {
			diag_error(
				r->dl, &w[i].loc,
				"schedule group \"%s\" cannot be nested in another group",
				m->name);
			continue;
		}
		o->members[o->nr_members] = m;
		o->member_locs[o->nr_members++] = w[i].loc;
	}
	if (!n)
		diag_warn(r->dl, &o->loc,
			  "schedule group \"%s\" has no members", o->name);
}

static const char *const sched_paths[] = {
	[SCHED_RECURRING] = "firewall schedule recurring",
	[SCHED_ONETIME] = "firewall schedule onetime",
	[SCHED_GROUP] = "firewall schedule group",
};

void obj_resolve_schedules(struct resolver *r)
{
	struct obj_config *cfg = r->cfg;
	const struct conf_section *gsec = NULL;
	const struct conf_entry **gents = NULL;
	struct obj_schedule **gobjs = NULL;
	size_t cap = 0, nr_groups = 0, i;
	int type;

	for (type = SCHED_RECURRING; type <= SCHED_GROUP; type++) {
		const struct conf_section *sec =
			conf_tree_section(r->t, sched_paths[type]);
		const struct conf_entry *e;
		size_t gcap = 0, gcap2 = 0, nr2 = 0;

		for (e = sec ? sec->entries : NULL; e; e = e->next) {
			struct obj_schedule *o = arena_alloc(r->a, sizeof(*o));
			struct obj_schedule *prev;

			o->name = e->key;
			o->loc = e->loc;
			o->type = type;
			o->builtin = e->factory;
			if (type == SCHED_RECURRING)
				sched_recurring(r, sec, e, o);
			else if (type == SCHED_ONETIME)
				sched_onetime(r, sec, e, o);
			else {
				/* Members may be groups listed further down. */
				gsec = sec;
				*ARENA_PUSH(r->a, gents, nr_groups, gcap) = e;
				*ARENA_PUSH(r->a, gobjs, nr2, gcap2) = o;
			}
			prev = obj_names_put(&r->sched, r->a, o->name, o);
			if (prev) {
				diag_error(
					r->dl, &e->loc,
					"%s \"%s\" has the same name as a %s",
					sched_kinds[type], o->name,
					sched_kinds[prev->type]);
				if (obj_loc_is_user(&prev->loc))
					diag_note(r->dl, &prev->loc,
						  "%s \"%s\" is defined here",
						  sched_kinds[prev->type],
						  prev->name);
				continue;
			}
			*ARENA_PUSH(r->a, cfg->schedules, cfg->nr_schedules,
				    cap) = o;
		}
	}
	for (i = 0; i < nr_groups; i++)
		sched_group(r, gsec, gents[i], gobjs[i]);
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

bool schedule_active(const struct obj_schedule *s, int64_t local_min)
{
	int64_t day = floor_div(local_min, 1440);
	unsigned int min = (unsigned int)(local_min - day * 1440);
	unsigned int dow =
		(unsigned int)((day % 7 + 7 + 4) % 7); /* 1970-01-01: thu */
	unsigned int prev = (dow + 6) % 7;
	size_t i;

	switch (s->type) {
	case SCHED_RECURRING:
		if (s->start_min < s->end_min)
			return (s->days >> dow & 1) && min >= s->start_min &&
			       min < s->end_min;
		/*
		 * FortiOS: an end before the start runs into the next day;
		 * an end equal to the start means 24 hours from the start.
		 */
		return ((s->days >> dow & 1) && min >= s->start_min) ||
		       ((s->days >> prev & 1) && min < s->end_min);
	case SCHED_ONETIME:
		return local_min >= s->start_local && local_min < s->end_local;
	case SCHED_GROUP:
		for (i = 0; i < s->nr_members; i++) {
			if (schedule_active(s->members[i], local_min))
				return true;
		}
		return false;
	}
	return false;
}
