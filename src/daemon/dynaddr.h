/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's dynamic addresses (objects/dynaddr.h has the design): the
 * table the config in force is compiled with, the fetcher that keeps it
 * current in the loop, and the recompile-and-swap when it changes.
 */
#ifndef LOCALIN_DAEMON_DYNADDR_H
#define LOCALIN_DAEMON_DYNADDR_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "objects/dynaddr.h"
#include "dyn/engine.h"

struct daemon;

struct daemon_dyn {
	struct dyn_table t;
	struct dyn_engine *eng; /* NULL: not started (or cannot be) */
	uint64_t applied;	/* t.version the config in force has */
	uint64_t recompiles, recompile_failures;
	uint64_t retry_ms; /* a failed recompile: try again then */
	/* The cache (dyn/cache.h): where, and what it holds. */
	char cache[4096];	/* "": none (no path) */
	uint64_t saved_version; /* t.version when last saved */
	uint64_t saved_fresh;	/* t.fresh when last saved */
	uint64_t saved_ms;	/* when last saved (monotonic) */
	bool save_failing;	/* said once, until a save works */
};

#define DYNADDR_MAX_FDS DYN_MAX_FDS
/*
 * A refresh that changes nothing is saved (the cache's age) at most this
 * often; a change of some entry's ranges is saved at once.
 */
#define DYNADDR_SAVE_FRESH_MS (5 * 60 * 1000)

struct pipeline;

/*
 * At start, before the first config is applied (the lock held): the
 * cache's entries the config @*p names fill the table, and @*p is
 * compiled again with them, so the data path never starts with FQDN and
 * feed addresses that match nothing while DNS is down.
 */
void dynaddr_restore(struct daemon *d, struct pipeline **p);

/* After a config is applied: what it names, the DNS servers. */
void dynaddr_configure(struct daemon *d);
int dynaddr_pollfds(struct daemon *d, struct pollfd *pfd, int max);
void dynaddr_handle(struct daemon *d, const struct pollfd *pfd, int n);
/* Refreshes due; a changed table compiled and swapped in. */
void dynaddr_tick(struct daemon *d);
int dynaddr_timeout_ms(struct daemon *d);
void dynaddr_close(struct daemon *d);
void dynaddr_status(struct daemon *d, FILE *out);
/* Its JSON object (`status -j`). */
void dynaddr_status_json(struct daemon *d, FILE *out);
/*
 * `diagnose firewall fqdn list` (@fqdn), `diagnose sys
 * external-address-resource list`, as text or (@json) as README's "JSON
 * output".
 */
void dynaddr_list(struct daemon *d, bool fqdn, bool json, FILE *out);

#endif
