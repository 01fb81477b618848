// SPDX-License-Identifier: GPL-2.0
/*
 * The config in force: load one, swap it in whole, and keep the schedule
 * masks current. A config with errors never replaces a running one.
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "conf/parser.h"
#include "daemon/internal.h"

/*
 * Local time in the config's zone, or the one the daemon started with;
 * the zone's file read again, so a reload sees the system's zone changed.
 */
static void set_zone(const struct daemon *d, const struct obj_config *c)
{
	zone_apply(c->timezone ? c->timezone : d->orig_tz);
}

static int want_add(struct intf_want *w, const char *name, size_t *cap)
{
	size_t i;

	for (i = 0; i < w->nr; i++)
		if (!strcmp(w->names[i], name))
			return 0;
	if (w->nr == *cap) {
		size_t n = *cap ? *cap * 2 : 8;
		char(*v)[RTNL_IFNAMSIZ] = realloc(w->names, n * sizeof(*v));

		if (!v)
			return -ENOMEM;
		w->names = v;
		*cap = n;
	}
	snprintf(w->names[w->nr++], RTNL_IFNAMSIZ, "%s", name);
	return 0;
}

/* The interfaces the policies of @c name, each once. */
static int want_of(const struct obj_config *c, struct intf_want *w)
{
	struct obj_policy *const *pols[2] = { c->policies4, c->policies6 };
	size_t nr[2] = { c->nr_policies4, c->nr_policies6 }, cap = 0, i, j;
	int fam, err = 0;

	memset(w, 0, sizeof(*w));
	for (fam = 0; fam < 2; fam++) {
		for (i = 0; i < nr[fam] && !err; i++) {
			const struct obj_policy *pol = pols[fam][i];

			w->any |= pol->intf_any;
			for (j = 0; j < pol->nr_intfs && !err; j++)
				/* Longer than Linux allows: never a link (a
				 * cut name could be another's). */
				if (strlen(pol->intfs[j].name) < RTNL_IFNAMSIZ)
					err = want_add(w, pol->intfs[j].name,
						       &cap);
		}
	}
	if (err) {
		free(w->names);
		memset(w, 0, sizeof(*w));
	}
	return err;
}

/* The config file, or (@staged) what `localin cli` staged at @path. */
static int load(struct daemon *d, const char *path, bool staged,
		struct pipeline **out, FILE *msgs)
{
	struct pipeline *p = malloc(sizeof(*p));
	int err;

	*out = NULL;
	if (!p)
		return -ENOMEM;
	/*
	 * What `localin cli` staged lies where whoever may write beside the
	 * config (a member of the admin group) could put a link, or a hard
	 * link, to /etc/shadow, which root would read and quote back line by
	 * line in the diagnostics: it is read without following either. So
	 * could the config itself be replaced by such a link: its links are
	 * followed only when root (or our user) made them, as one who points
	 * /etc/localin/localin.conf at a checkout does. Neither is read
	 * when anyone may write it: any local user could open the gateway,
	 * or shut its admin out, at the next reload (its group may: the
	 * admin group, who may change it anyway).
	 */
	err = pipeline_load_file(
		p, path, d->o->vdom,
		CONF_READ_NOT_WORLD_WRITABLE |
			(staged ? CONF_READ_NOFOLLOW : CONF_READ_OWNED_LINKS),
		STAGE_RESOLVE);
	/* FQDNs and feeds as resolved so far (new ones match nothing yet). */
	if (!err) {
		p->objs.dyn = &d->dyn.t;
		err = pipeline_compile(p);
		p->objs.dyn = NULL;
	}
	/* Errors, and warnings of a good config too (shadowed policies). */
	diag_print(&p->diags, msgs);
	if (err) {
		pipeline_free(p);
		free(p);
		return err;
	}
	*out = p;
	return 0;
}

int daemon_load(struct daemon *d, struct pipeline **out, FILE *msgs)
{
	return load(d, d->o->config, false, out, msgs);
}

int daemon_load_path(struct daemon *d, const char *path, struct pipeline **out,
		     FILE *msgs)
{
	return load(d, path, true, out, msgs);
}

/*
 * Push one family's mask (IPv4 0, IPv6 1). One the data path refused is
 * pushed again at every minute until it takes it: sched_update() kept
 * it already, and would not see it change (a schedule that began while
 * the push failed stayed out until its next boundary).
 */
static int push_mask(struct daemon *d, int fam)
{
	int err = li_loader_set_active(d->l, fam ? 6 : 4, d->sched.mask[fam],
				       d->sched.words[fam]);

	if (err && !d->sched.unpushed[fam])
		daemon_msg(
			"cannot update the schedule mask (IPv%d): %s (tried again every minute)",
			fam ? 6 : 4, strerror(-err));
	else if (!err && d->sched.unpushed[fam])
		daemon_msg("the schedule mask (IPv%d) is up to date again",
			   fam ? 6 : 4);
	d->sched.unpushed[fam] = err != 0;
	return err;
}

int daemon_tick(struct daemon *d, bool force)
{
	struct timespec now;
	bool changed[2];
	__s64 minute;
	int ms, fam, err = 0;

	clock_gettime(CLOCK_REALTIME, &now);
	if (sched_local_minute(&now, &minute, &ms))
		return -EOVERFLOW;
	if (!force && minute == d->sched.minute)
		return 0;
	sched_update(&d->sched, &d->p->rs, minute, changed);
	for (fam = 0; fam < 2; fam++)
		if (changed[fam] || force || d->sched.unpushed[fam])
			err = push_mask(d, fam) ?: err;
	return err;
}

/* The interfaces our program is attached to, for a successor. */
static struct li_link *attached_links(const struct daemon *d, size_t *nr)
{
	struct li_link *v = calloc(d->nr_links + 1, sizeof(*v));
	size_t i;

	*nr = 0;
	for (i = 0; v && i < d->nr_links; i++)
		if (d->links[i].attached && !d->links[i].detached_for)
			v[(*nr)++] = (struct li_link){
				d->links[i].ifindex,
				li_link_frames(d->links[i].type)
			};
	return v;
}

/*
 * A ruleset larger than the maps the program was loaded with: a successor
 * with maps sized for it takes over on every interface without a gap
 * (loader.h). What the old program decided and queued is read before it
 * is closed, against the config in force until now.
 */
static int grow(struct daemon *d, const struct li_ruleset *rs)
{
	struct li_loader *n;
	const char *pins;
	struct li_link *ifs;
	size_t nr, i;
	int err, uppers;

	err = li_loader_successor(&n, d->l, rs);
	if (err)
		return err;
	/*
	 * Not on an upper device over another attached one: the kernel
	 * replaces nothing under it (EEXIST, the reload failed). Off for
	 * the moment, and the successor's on it after (links.c).
	 */
	uppers = links_uppers_off(d);
	ifs = attached_links(d, &nr);
	err = ifs ? li_loader_take_over(n, d->l, ifs, nr) : -ENOMEM;
	free(ifs);
	if (err) {
		if (uppers)
			links_uppers_on(d, d->l, err);
		li_loader_close(n);
		return err;
	}
	if (uppers)
		links_uppers_on(d, n, 0);
	nr += (size_t)uppers;
	/* The session program where it is alone: @n's in @old's place. */
	for (i = 0; i < d->nr_links; i++)
		if (d->links[i].eg_only)
			li_loader_move_egress(n, d->links[i].ifindex, true,
					      li_link_frames(d->links[i].type));
	li_loader_poll(d->l, 0, daemon_on_event, d);
	li_loader_close(d->l);
	d->l = n;
	d->ip_ahead = NULL; /* n has not loaded it (links_tick) */
	if (nr)
		daemon_msg(
			"the ruleset is larger than the data path's maps: a program with larger maps took over on %zu interface%s %s",
			nr, nr == 1 ? "" : "s",
			uppers ?
				"(without a gap but on the upper devices said above)" :
				"without a gap");
	else
		daemon_msg(
			"the ruleset is larger than the data path's maps: a program with larger maps takes over, without a gap, as it is attached");
	pins = li_loader_pin_dir(n);
	if (!pins || strcmp(pins, d->o->pin_dir))
		daemon_msg("its maps could not be pinned under %s%s%s",
			   d->o->pin_dir, pins ? "; they are under " : "",
			   pins ? pins : "");
	return 0;
}

/*
 * Make @np the config in force: the data path gets its ruleset in one
 * swap, then its schedule masks and interface classes; the interfaces it
 * names are attached, those it no longer names detached. On failure the
 * running config stays (and @np is the caller's to free).
 */
int daemon_apply(struct daemon *d, struct pipeline *np)
{
	struct pipeline *old = d->p;
	struct sched_state sched;
	struct intf_want want;
	int err;

	err = sched_state_init(&sched, &np->rs);
	if (err)
		return err;
	err = want_of(&np->objs, &want);
	if (err) {
		sched_state_free(&sched);
		return err;
	}
	/*
	 * What the data path decided so far is read now, against the config
	 * (or the one before it) that decided it; then the set the config
	 * before this one used is overwritten.
	 */
	if (d->p)
		li_loader_poll(d->l, 0, daemon_on_event, d);
	else /* what was queued before we started: the config we start with */
		log_emitter_set_config(&d->log, &np->rs, &np->objs);
	if (d->prev) {
		pipeline_free(d->prev);
		free(d->prev);
		d->prev = NULL;
		d->set_prev = -1;
	}
	/* The image is built with the schedules of now, in the new zone. */
	set_zone(d, &np->objs);
	err = li_loader_set_ruleset(d->l, &np->rs);
	if (err == -E2BIG) {
		err = grow(d, &np->rs);
		if (!err)
			d->set_cur =
				-1; /* the old program's sets went with it */
	}
	if (err) {
		/*
		 * -ENOSPC: the interfaces' classes, not the ruleset, outgrew
		 * their hash, which no successor's is larger than: no
		 * take-over, said as what it is.
		 */
		daemon_msg(
			"cannot load the ruleset into the data path: %s%s",
			li_loader_strerror(err),
			err == -ENOSPC && old ?
				"; the running ruleset stays in force, every interface classed as it was" :
				"");
		if (old)
			set_zone(d, &old->objs);
		free(want.names);
		sched_state_free(&sched);
		return err;
	}
	d->p = np;
	d->prev = d->set_cur >= 0 ? old : NULL;
	d->set_prev = d->set_cur;
	d->set_cur = (int)li_loader_active_set(d->l);
	sched_state_free(&d->sched);
	d->sched = sched;
	free(d->want.names);
	d->want = want;
	log_emitter_set_config(&d->log, &np->rs, &np->objs);
	logfile_configure(d);
	alertmail_configure(d);
	/* The table compiled in is current: a change from here recompiles. */
	d->dyn.applied = d->dyn.t.version;
	dynaddr_configure(d);
	geoip_configure(d);
	daemon_tick(d, true);
	d->loaded_at = time(NULL);
	if (d->live)
		links_sync(d, false);
	if (old && !d->prev) {
		pipeline_free(old);
		free(old);
	}
	return 0;
}

/*
 * A config cut short (an empty file, a copy that stopped before the
 * policies) checks "ok" and would detach everything without a word: from
 * some policies to none only when asked (`localin reload --force`).
 */
static int refuse_empty(struct daemon *d, const struct pipeline *np, bool force,
			bool staged, FILE *msgs)
{
	if (force || daemon_nr_policies(np) || !d->p ||
	    !daemon_nr_policies(d->p))
		return 0;
	/* A change staged in `localin cli` has no --force: it never lands. */
	fprintf(msgs,
		"%s has no local-in policy: it would remove all enforcement (%u policies in force); %s\n",
		staged ? "the change" : d->o->config, daemon_nr_policies(d->p),
		staged ?
			"keep a policy, or write the file and `localin reload --force`" :
			"`localin reload --force` applies it anyway");
	return -ENOMSG;
}

/* Interfaces the config names that localin does not enforce on. */
static size_t say_unenforced(struct daemon *d, FILE *answer)
{
	char *text = NULL;
	size_t len = 0, n;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return 0;
	n = links_unenforced(d, f);
	fclose(f);
	if (n) {
		fprintf(answer,
			"enforcement is incomplete: %zu interface%s:\n%s", n,
			n == 1 ? "" : "s", text);
		daemon_msg("enforcement is incomplete:\n%.*s", (int)len - 1,
			   text);
	}
	free(text);
	return n;
}

/*
 * `apply PATH` loads only what `localin cli` stages: .NAME.cli-XXXXXX in
 * the config file's own directory. Any other file would be read as root
 * and its lines quoted back in the diagnostics, to whoever may use the
 * control socket.
 */
static bool staged_path_ok(const struct daemon *d, const char *path)
{
	const char *cbase = strrchr(d->o->config, '/'),
		   *pbase = strrchr(path, '/');
	char *cdir, *pdir;
	bool ok;

	if (!cbase || !pbase || strncmp(pbase + 1, ".", 1) ||
	    strncmp(pbase + 2, cbase + 1, strlen(cbase + 1)) ||
	    strncmp(pbase + 2 + strlen(cbase + 1), ".cli-", 5))
		return false;
	cdir = strndup(d->o->config, (size_t)(cbase - d->o->config));
	pdir = strndup(path, (size_t)(pbase - path));
	ok = cdir && pdir && !strcmp(cdir, pdir);
	free(cdir);
	free(pdir);
	return ok;
}

int daemon_reload(struct daemon *d, FILE *answer, bool force, const char *path)
{
	struct pipeline *np;
	char *text = NULL;
	size_t len = 0;
	FILE *msgs;
	int err, ret;

	if (path && !staged_path_ok(d, path)) {
		fprintf(answer,
			"apply: %s is not a file localin cli staged beside %s\n",
			path, d->o->config);
		return -EPERM;
	}
	sd_notify(0, "RELOADING=1");
	msgs = open_memstream(&text, &len);
	if (!msgs) {
		daemon_msg(
			"reload of %s failed (out of memory); the running config stays in force",
			d->o->config);
		fprintf(answer,
			"reload failed; the running config stays in force\n");
		sd_notifyf(0, "READY=1\nSTATUS=enforcing %s", d->o->config);
		return -ENOMEM;
	}
	err = path ? daemon_load_path(d, path, &np, msgs) :
		     daemon_load(d, &np, msgs);
	if (!err) {
		err = refuse_empty(d, np, force, path != NULL, msgs);
		if (!err) {
			err = daemon_apply(d, np);
			if (err)
				fprintf(msgs, "%s: %s\n", d->o->config,
					li_loader_strerror(err));
		}
		if (err) {
			pipeline_free(np);
			free(np);
		}
	}
	/* The config in force names its SA sources (sas.c). */
	if (!err && sas_reload(d))
		fprintf(msgs, "the SA sources could not all be set up\n");
	/* The metrics endpoint: a new address or port binds again. */
	if (!err)
		metrics_configure(d, msgs);
	fclose(msgs);
	if (len && text[len - 1] == '\n')
		text[--len] = '\0'; /* daemon_msg() and answers end lines */
	if (err) {
		d->reload_failures++;
		daemon_msg(
			"reload of %s failed; the running config stays in force:\n%s",
			d->o->config, text ?: "");
		fprintf(answer,
			"reload failed; the running config stays in force\n");
	} else {
		d->reloads++;
		daemon_msg("reloaded %s%s%s", d->o->config, len ? ":\n" : "",
			   len ? text : "");
		fprintf(answer, "reloaded %s\n", d->o->config);
	}
	if (len)
		fprintf(answer, "%s\n", text);
	free(text);
	/* The exit code of `localin reload` says so too. */
	if (!err && say_unenforced(d, answer))
		err = -ENOLINK;
	/*
	 * The config this one replaced (or the one before it, d->prev) went
	 * back to malloc, which keeps it: hand the free pages to the system,
	 * or a daemon reloaded from a big config to a small one keeps the big
	 * one's size for good.
	 */
	malloc_trim(0);
	/* logrotate: the file under the old name is a new one now. */
	ret = sink_reopen(&d->sink);
	d->log_reopen_err = ret;
	if (ret) {
		daemon_msg(
			"cannot reopen %s: %s; still writing to the old file",
			d->sink.path, strerror(-ret));
		/* The admin who rotated it reads the answer, not the journal. */
		fprintf(answer,
			"cannot reopen the log %s: %s; still writing to the old file\n",
			d->sink.path, strerror(-ret));
	}
	sd_notifyf(0, "READY=1\nSTATUS=enforcing %s", d->o->config);
	return err;
}

void daemon_release_config(struct daemon *d)
{
	if (d->prev) {
		pipeline_free(d->prev);
		free(d->prev);
		d->prev = NULL;
	}
	if (d->p) {
		pipeline_free(d->p);
		free(d->p);
		d->p = NULL;
	}
	free(d->want.names);
	memset(&d->want, 0, sizeof(d->want));
	sched_state_free(&d->sched);
}
