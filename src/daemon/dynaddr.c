// SPDX-License-Identifier: GPL-2.0
/*
 * FQDN addresses and threat feeds in the daemon (dynaddr.h). A change of
 * the table compiles the config in force again, from the text it was
 * loaded from, and swaps the new image in as a reload does: no gap, and
 * sessions are re-judged against the new generation.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/internal.h"
#include "util/curl_dl.h"
#include "daemon/diag_fmt.h"
#include "dyn/cache.h"

/* A recompile that failed (out of memory) is tried again after this. */
#define RECOMPILE_RETRY_MS 5000

static void say(void *ctx, const char *msg)
{
	(void)ctx;
	daemon_msg("%s", msg);
}

void dynaddr_restore(struct daemon *d, struct pipeline **p)
{
	struct daemon_dyn *y = &d->dyn;
	struct pipeline *np;
	int err, n;

	/* Per network namespace, and emptied at boot, as /run is. */
	if (daemon_sibling_path(d->o->socket, ".dyncache", y->cache,
				sizeof(y->cache))) {
		y->cache[0] = '\0';
		daemon_msg(
			"the control socket's path is too long for the dynamic address cache beside it: FQDN and feed addresses are not kept across restarts");
		return;
	}
	n = (int)dyn_cache_clean(y->cache);
	if (n)
		daemon_msg(
			"removed %d unfinished dynamic address cache file%s (%s.*) a daemon killed while saving left",
			n, n == 1 ? "" : "s", y->cache);
	if (!dyn_wanted(&(*p)->objs))
		return;
	err = dyn_table_sync(&y->t, &(*p)->objs);
	if (err)
		return;
	n = dyn_cache_load(&y->t, y->cache, time(NULL), say, d);
	/* What the file holds now: nothing to write before a change. */
	y->saved_version = y->t.version;
	y->saved_fresh = y->t.fresh;
	y->saved_ms = sa_mono_ms();
	if (n <= 0)
		return;
	np = malloc(sizeof(*np));
	err = np ? pipeline_load_copy(np, (*p)->src, d->o->vdom,
				      STAGE_RESOLVE) :
		   -ENOMEM;
	if (!err) {
		np->objs.dyn = &y->t;
		err = pipeline_compile(np);
		np->objs.dyn = NULL;
	}
	if (err) {
		/* The loop compiles again: the table is ahead of the config. */
		daemon_msg(
			"cannot compile the config with the cached dynamic addresses (%s); trying again once started",
			strerror(-err));
		if (np) {
			pipeline_free(np);
			free(np);
		}
		return;
	}
	pipeline_free(*p);
	free(*p);
	*p = np;
}

/*
 * The table, when some entry's ranges changed since the last save, or
 * refreshed (the cache's age) and the last save is DYNADDR_SAVE_FRESH_MS
 * old. A failure is said once, and the daemon goes on.
 */
static void save(struct daemon *d)
{
	struct daemon_dyn *y = &d->dyn;
	uint64_t now = sa_mono_ms();
	char why[256];

	if (!y->cache[0] || (y->t.version == y->saved_version &&
			     (y->t.fresh == y->saved_fresh ||
			      now - y->saved_ms < DYNADDR_SAVE_FRESH_MS)))
		return;
	y->saved_ms = now;
	if (dyn_cache_save(&y->t, y->cache, why, sizeof(why))) {
		if (!y->save_failing)
			daemon_msg(
				"dynamic address cache: %s; a restart while DNS is down would start without FQDN and feed addresses",
				why);
		y->save_failing = true;
		/* Tried again at the next change or DYNADDR_SAVE_FRESH_MS. */
		y->saved_version = y->t.version;
		y->saved_fresh = y->t.fresh;
		return;
	}
	if (y->save_failing)
		daemon_msg("dynamic address cache: %s written again", y->cache);
	y->save_failing = false;
	y->saved_version = y->t.version;
	y->saved_fresh = y->t.fresh;
}

void dynaddr_configure(struct daemon *d)
{
	struct daemon_dyn *y = &d->dyn;
	int err;

	err = dyn_table_sync(&y->t, &d->p->objs);
	if (err) {
		daemon_msg("dynamic addresses: %s", strerror(-err));
		return;
	}
	if (!y->eng && !dyn_wanted(&d->p->objs))
		return;
	if (!y->eng) {
		err = dyn_engine_open(&y->eng, &y->t, say, d);
		if (err) {
			daemon_msg(
				"cannot start the FQDN resolver and feed fetcher: %s%s%s; FQDN and external-resource addresses match nothing",
				strerror(-err), err == -ELIBACC ? ": " : "",
				err == -ELIBACC ? li_curl_error() : "");
			return;
		}
	}
	if (dyn_engine_configure(y->eng, &d->p->objs.dns))
		daemon_msg("system dns: cannot set up the resolver");
	/* Queries start now; a change they bring recompiles in the loop. */
	dyn_engine_tick(y->eng);
}

int dynaddr_pollfds(struct daemon *d, struct pollfd *pfd, int max)
{
	return d->dyn.eng ? dyn_engine_pollfds(d->dyn.eng, pfd, max) : 0;
}

void dynaddr_handle(struct daemon *d, const struct pollfd *pfd, int n)
{
	if (d->dyn.eng)
		dyn_engine_handle(d->dyn.eng, pfd, n);
}

/* The config in force, compiled again with the table as it is now. */
static int recompile(struct daemon *d)
{
	const struct conf_source *src = d->p->src;
	struct pipeline *np = malloc(sizeof(*np));
	uint64_t version = d->dyn.t.version;
	int err;

	if (!np)
		return -ENOMEM;
	err = pipeline_load_copy(np, src, d->o->vdom, STAGE_RESOLVE);
	if (!err) {
		np->objs.dyn = &d->dyn.t;
		err = pipeline_compile(np);
		np->objs.dyn = NULL;
	}
	if (!err)
		err = daemon_apply(d, np);
	if (err) {
		pipeline_free(np);
		free(np);
		return err;
	}
	d->dyn.applied = version;
	daemon_trim_soon(d);
	return 0;
}

void dynaddr_tick(struct daemon *d)
{
	struct daemon_dyn *y = &d->dyn;
	int err;

	if (!y->eng)
		return;
	dyn_engine_tick(y->eng);
	save(d);
	if (y->t.version == y->applied || !d->p || !d->p->src)
		return;
	if (y->retry_ms && sa_mono_ms() < y->retry_ms)
		return;
	err = recompile(d);
	if (err) {
		y->recompile_failures++;
		y->retry_ms = sa_mono_ms() + RECOMPILE_RETRY_MS;
		daemon_msg(
			"dynamic addresses changed, but the policies cannot be compiled again (%s); the data path keeps the previous addresses",
			strerror(-err));
		return;
	}
	y->retry_ms = 0;
	y->recompiles++;
}

int dynaddr_timeout_ms(struct daemon *d)
{
	struct daemon_dyn *y = &d->dyn;
	int ms;

	if (!y->eng)
		return -1;
	ms = dyn_engine_timeout_ms(y->eng);
	if (y->t.version != y->applied && y->retry_ms) {
		uint64_t now = sa_mono_ms();
		int r = y->retry_ms > now ? (int)(y->retry_ms - now) : 0;

		if (ms < 0 || r < ms)
			ms = r;
	}
	return ms;
}

void dynaddr_close(struct daemon *d)
{
	dyn_engine_close(d->dyn.eng);
	d->dyn.eng = NULL;
	dyn_table_free(&d->dyn.t);
}

void dynaddr_status(struct daemon *d, FILE *out)
{
	struct daemon_dyn *y = &d->dyn;
	size_t i, n = 0;

	for (i = 0; i < y->t.nr; i++)
		n += y->t.e[i]->in_use;
	if (!n)
		return;
	fprintf(out,
		"dynamic addresses: %zu (FQDN and external-resource); compiled in %llu time%s since start%s\n",
		n, (unsigned long long)y->recompiles,
		y->recompiles == 1 ? "" : "s",
		y->recompile_failures ? ", some recompiles failed" : "");
	dyn_print_status(&y->t, out);
}

/* The status's "dynamic" object: the facts of dynaddr_status(). */
void dynaddr_status_json(struct daemon *d, FILE *out)
{
	struct daemon_dyn *y = &d->dyn;
	size_t i, n = 0;

	for (i = 0; i < y->t.nr; i++)
		n += y->t.e[i]->in_use;
	fprintf(out,
		"{\"count\":%zu,\"recompiles\":%llu,\"recompile_failures\":%llu,\"entries\":",
		n, (unsigned long long)y->recompiles,
		(unsigned long long)y->recompile_failures);
	diag_fmt_dyn_status_json(out, &y->t, sa_mono_ms());
	fputc('}', out);
}

void dynaddr_list(struct daemon *d, bool fqdn, bool json, FILE *out)
{
	enum dyn_kind kind = fqdn ? DYN_FQDN : DYN_FEED;

	if (json)
		diag_fmt_dyn_list_json(out, &d->dyn.t, kind, sa_mono_ms());
	else if (fqdn)
		dyn_print_fqdn_list(&d->dyn.t, out);
	else
		dyn_print_feed_list(&d->dyn.t, out);
}
