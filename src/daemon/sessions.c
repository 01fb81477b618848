// SPDX-License-Identifier: GPL-2.0
/*
 * The data path's sessions (dataplane/session.h) on the daemon's side:
 * once a second a sweep of the table (li_sess_tab) deletes what is no
 * longer live and writes the session-end line of each inbound session
 * whose accept asked for one (log_emit_session_end(), to the sink as
 * events.c writes lines); `diagnose sys session filter|list|clear`
 * (sess_diag.h) and the `sessions:` line of `localin status`.
 *
 * When a new session finds its bucket of the table full, the bucket's
 * least recently used session goes without telling anyone (session.h),
 * so such a session ends without its line. The status line estimates how
 * many did from the session ids handed out.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/internal.h"
#include "daemon/logout.h"

#define SWEEP_MS 1000
/*
 * A sweep walks this many entries per turn of the loop, and goes on
 * after SWEEP_NEXT_MS: a full table is swept in sixteen turns, within its
 * second, and no turn holds up the loop for long. The walk reads the
 * mapped table, no system calls (the kernel's LRU hash took 15-16 ms of
 * batch lookups for a full map on two CPUs, idle).
 */
#define SWEEP_PART 8192
#define SWEEP_NEXT_MS 50
/* How often the session hint is rebuilt (session.h), after a sweep. */
#define HINT_REBUILD_MS 10000
/* Deletes (and end lines) per part. */
#define SWEEP_DELETES 1024
/*
 * The list's text, short of the control socket's answer limits
 * (CTL_OUT_MAX) with room for the lines after it: a session is about
 * 700 bytes, so some 340 sessions.
 */
#define LIST_CAP (240 * 1024)

static __u64 mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000ull + (__u64)ts.tv_nsec / 1000;
}

void sessions_init(struct daemon *d)
{
	int n;

	sess_filter_init(&d->sess.filter[0], 4);
	sess_filter_init(&d->sess.filter[1], 6);
	if (!d->l)
		return;
	n = li_loader_sess_count(d->l);
	d->sess.opened0 = li_loader_sess_opened(d->l);
	d->sess.entries0 = n > 0 ? n : 0;
	d->sess.entries = d->sess.entries0;
	d->sess.based = n >= 0;
	d->sess.next_ms = sa_mono_ms() + SWEEP_MS;
}

/*
 * The end line of @s, ended at @end and found at @now (the map's clock),
 * if it asked for one: against the config in force, whose service names
 * its policy_idx indexes only when the session was accepted under it.
 */
static void log_end(struct daemon *d, const struct li_sess_key *k,
		    const struct li_sess *s, __u64 end, __u64 now)
{
	char name[RTNL_IFNAMSIZ + 8], line[LOG_LINE_MAX + 1];
	struct log_sess_end se = {
		.k = k,
		.s = s,
		.same_config = s->gen == li_loader_gen(d->l),
	};
	int n;

	if (s->origin != LI_SESS_IN || !(s->flags & LI_SESS_LOG))
		return;
	if (d->p)
		log_emitter_set_config(&d->log, &d->p->rs, &d->p->objs);
	se.ifname = links_name(d, (int)s->ifindex, name, sizeof(name));
	/* One offset for both: the duration is the map's own. */
	se.start_ns = li_sess_epoch_ns(s->first_ns);
	se.end_ns = se.start_ns + (end > s->first_ns ? end - s->first_ns : 0);
	se.write_ns = log_emitter_time(&d->log, li_sess_epoch_ns(now));
	n = log_emit_session_end(&d->log, &se, line, sizeof(line) - 1);
	if (n <= 0)
		return;
	line[n++] = '\n';
	log_out(d, line, (size_t)n,
		&(struct log_meta){ .cat = LOG_CAT_LOCAL_TRAFFIC,
				    .level = LOG_LEVEL_NOTICE,
				    .logid = "0001000014",
				    .time_ns = se.end_ns });
	d->sess.logged++;
}

/*
 * Delete @k if it still holds a dead session: between the walk's copy and
 * now a packet may have renewed it, or opened a new one in its place
 * (put back then). 0 with @s as it was deleted, or -ENOENT.
 */
static int delete_dead(struct daemon *d, const struct li_sess_key *k,
		       struct li_sess *s)
{
	int err = li_loader_sess_take(d->l, k, s);

	if (err)
		return err;
	if (li_sess_live(k, s, li_sess_clock_ns())) {
		li_loader_sess_put_back(d->l, k, s);
		return -ENOENT;
	}
	return 0;
}

struct sweep {
	struct daemon *d;
	__u64 now; /* the map's clock */
	int live;
	int deletes; /* left in this part */
};

static int sweep_one(void *ctx, const struct li_sess_key *k,
		     const struct li_sess *copy)
{
	struct sweep *w = ctx;
	struct daemon *d = w->d;
	struct li_sess s;

	if (li_sess_live(k, copy, w->now)) {
		w->live++;
		return 0;
	}
	if (delete_dead(d, k, &s))
		return 0;
	d->sess.ended++;
	log_end(d, k, &s,
		s.flags & LI_SESS_CUT ? w->now :
					s.last_ns + li_sess_timeout_ns(k, &s),
		w->now);
	/* Out of deletes: the next part goes on from this entry. */
	return --w->deletes <= 0;
}

/* One part of a sweep: true when the sweep reached the map's end. */
static bool sweep(struct daemon *d)
{
	struct sweep w = {
		.d = d,
		.now = li_sess_clock_ns(),
		.deletes = SWEEP_DELETES,
	};
	__u64 t0 = mono_us(), us;
	int n = li_loader_sess_walk_part(d->l, &d->sess.cursor, SWEEP_PART,
					 sweep_one, &w);

	us = mono_us() - t0;
	d->sess.part_us = us;
	d->sess.pass_us += us;
	if (us > d->sess.part_max_us)
		d->sess.part_max_us = us;
	if (n < 0) {
		if (!d->sess.err)
			daemon_msg("reading the sessions (li_sess_tab): %s",
				   strerror(-n));
		d->sess.err = n;
		d->sess.cursor = (struct li_sess_cursor){ 0 };
		d->sess.pass_live = 0;
		d->sess.pass_us = 0;
		return true;
	}
	d->sess.err = 0;
	d->sess.pass_live += w.live;
	if (!d->sess.cursor.done)
		return false;
	d->sess.entries = d->sess.pass_live;
	d->sess.sweep_us = d->sess.pass_us;
	d->sess.pass_live = 0;
	d->sess.pass_us = 0;
	return true;
}

void sessions_tick(struct daemon *d)
{
	__u64 now = sa_mono_ms();

	if (!d->l || now < d->sess.next_ms)
		return;
	if (!d->sess.pass_start_ms)
		d->sess.pass_start_ms = now;
	if (!sweep(d)) {
		d->sess.next_ms = sa_mono_ms() + SWEEP_NEXT_MS;
		return;
	}
	d->sess.next_ms = d->sess.pass_start_ms + SWEEP_MS;
	if (d->sess.next_ms < sa_mono_ms() + SWEEP_NEXT_MS)
		d->sess.next_ms = sa_mono_ms() + SWEEP_NEXT_MS;
	d->sess.pass_start_ms = 0;
	/* The data path's session hint forgets the remotes gone since. */
	if (now >= d->sess.hint_ms + HINT_REBUILD_MS) {
		d->sess.hint_ms = now;
		li_loader_sess_hint_rebuild(d->l);
	}
}

int sessions_timeout_ms(struct daemon *d)
{
	__u64 now = sa_mono_ms();

	return d->sess.next_ms <= now ? 0 : (int)(d->sess.next_ms - now);
}

bool sessions_filter(struct daemon *d, int family, int argc,
		     const char *const *argv, bool json, FILE *out)
{
	struct sess_filter *f = &d->sess.filter[family == 6];
	char err[256];

	if (!argc) {
		if (json)
			sess_filter_json(f, out);
		else
			sess_filter_print(f, out);
		return true;
	}
	if (sess_filter_parse(f, argc, argv, err, sizeof(err))) {
		fprintf(out, "%s\n", err);
		return false;
	}
	return true;
}

struct lister {
	const struct sess_filter *f;
	FILE *out;
	__u64 now;
	unsigned long shown, more;
	bool json;
};

static int list_one(void *ctx, const struct li_sess_key *k,
		    const struct li_sess *s)
{
	struct lister *w = ctx;

	/* Dead ones wait for the sweep: FortiOS lists only live ones. */
	if (!li_sess_live(k, s, w->now) || !sess_filter_match(w->f, k, s))
		return 0;
	if (ftell(w->out) >= LIST_CAP) {
		w->more++;
		return 0;
	}
	if (w->json) {
		if (w->shown)
			fputc(',', w->out);
		sess_print_json(w->out, k, s, w->now);
	} else {
		sess_print(w->out, k, s, w->now);
	}
	w->shown++;
	return 0;
}

bool sessions_list(struct daemon *d, int family, bool json, FILE *out)
{
	struct lister w = {
		.f = &d->sess.filter[family == 6],
		.out = out,
		.now = li_sess_clock_ns(),
		.json = json,
	};
	int n;

	if (json)
		fprintf(out, "{\"localin\":1,\"family\":%d,\"sessions\":[",
			family);
	n = li_loader_sess_walk(d->l, list_one, &w);
	if (n < 0) {
		if (json) /* an error answer: text after the cut document */
			fputc('\n', out);
		fprintf(out, "cannot read the sessions: %s\n", strerror(-n));
		return false;
	}
	if (json) {
		fprintf(out, "],\"total\":%lu,\"not_shown\":%lu}\n",
			w.shown + w.more, w.more);
		return true;
	}
	if (w.more)
		fprintf(out,
			"... %lu more sessions not shown (the answer's limit); narrow them with diagnose sys session%s filter\n",
			w.more, family == 6 ? "6" : "");
	fprintf(out, "total session%s %lu\n", family == 6 ? "6" : "",
		w.shown + w.more);
	return true;
}

struct clearer {
	const struct sess_filter *f;
	__u64 now;
	struct li_sess_key *k;
	struct li_sess *s;
	size_t n, cap;
};

static int clear_one(void *ctx, const struct li_sess_key *k,
		     const struct li_sess *s)
{
	struct clearer *w = ctx;

	if (!li_sess_live(k, s, w->now) || !sess_filter_match(w->f, k, s))
		return 0; /* the dead: the sweep ends and logs them */
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 256;
		struct li_sess_key *nk = realloc(w->k, cap * sizeof(*nk));
		struct li_sess *ns;

		if (!nk)
			return -ENOMEM;
		w->k = nk;
		ns = realloc(w->s, cap * sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		w->s = ns;
		w->cap = cap;
	}
	w->k[w->n] = *k;
	w->s[w->n++] = *s;
	return 0;
}

/*
 * FortiOS's `diagnose sys session clear`: silent when it worked. The
 * matches are collected by a walk, then deleted, then their end lines
 * written, ended now.
 */
bool sessions_clear(struct daemon *d, int family, FILE *out)
{
	struct clearer w = {
		.f = &d->sess.filter[family == 6],
		.now = li_sess_clock_ns(),
	};
	bool *gone = NULL;
	size_t i;
	int n = li_loader_sess_walk(d->l, clear_one, &w);

	if (n >= 0 && w.n) {
		gone = calloc(w.n, sizeof(*gone));
		n = gone ? li_loader_sess_delete_keys(d->l, w.k, w.n, gone) :
			   -ENOMEM;
	}
	if (n < 0) {
		fprintf(out, "cannot clear the sessions: %s\n", strerror(-n));
	} else {
		d->sess.cleared += (__u64)n;
		for (i = 0; i < w.n; i++)
			if (!gone[i])
				log_end(d, &w.k[i], &w.s[i], w.now, w.now);
	}
	free(gone);
	free(w.k);
	free(w.s);
	return n >= 0;
}

int sessions_counts(struct daemon *d, struct sess_counts *c)
{
	__u64 opened = li_loader_sess_opened(d->l), gone;
	int n = li_loader_sess_count(d->l);

	memset(c, 0, sizeof(*c));
	if (n < 0)
		return n;
	c->entries = n;
	/* Opened since we started, less those still there or ended by us. */
	gone = d->sess.ended + d->sess.cleared + (__u64)n;
	if (d->sess.based && opened >= d->sess.opened0) {
		c->opened = opened - d->sess.opened0;
		if (c->opened + (__u64)d->sess.entries0 > gone)
			c->evicted = c->opened + (__u64)d->sess.entries0 - gone;
	}
	return 0;
}

void sessions_status(struct daemon *d, FILE *out)
{
	struct sess_counts c;
	int err = sessions_counts(d, &c);

	if (err) {
		fprintf(out, "sessions: cannot read them: %s\n",
			strerror(-err));
		return;
	}
	fprintf(out,
		"sessions: %d in the map (of %d), %llu ended (%llu logged), %llu cleared, about %llu evicted or replaced unseen; sweep %llu.%03llu ms (longest part %llu.%03llu ms)\n",
		c.entries, LI_SESS_MAPS_MAX, (unsigned long long)d->sess.ended,
		(unsigned long long)d->sess.logged,
		(unsigned long long)d->sess.cleared,
		(unsigned long long)c.evicted,
		(unsigned long long)(d->sess.sweep_us / 1000),
		(unsigned long long)(d->sess.sweep_us % 1000),
		(unsigned long long)(d->sess.part_max_us / 1000),
		(unsigned long long)(d->sess.part_max_us % 1000));
}

/* The same facts for `status -j`; null when the map cannot be read. */
void sessions_status_json(struct daemon *d, FILE *out)
{
	struct sess_counts c;

	if (sessions_counts(d, &c)) {
		fputs("null", out);
		return;
	}
	fprintf(out,
		"{\"entries\":%d,\"max\":%d,\"ended\":%llu,\"logged\":%llu,\"cleared\":%llu,\"evicted\":%llu,\"sweep_us\":%llu,\"part_max_us\":%llu}",
		c.entries, LI_SESS_MAPS_MAX, (unsigned long long)d->sess.ended,
		(unsigned long long)d->sess.logged,
		(unsigned long long)d->sess.cleared,
		(unsigned long long)c.evicted,
		(unsigned long long)d->sess.sweep_us,
		(unsigned long long)d->sess.part_max_us);
}
