/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fetcher that keeps a struct dyn_table (objects/dynaddr.h) filled:
 * FQDNs with c-ares (A and AAAA), threat feeds with libcurl's multi
 * interface, both driven from a poll loop and never blocking it. The
 * daemon runs it in its loop (daemon/dynaddr.c); check and replay run it
 * once to completion (dyn_resolve_once()).
 *
 * Refresh: an FQDN at its records' smallest TTL, bounded by system dns
 * fqdn-min-refresh and fqdn-max-refresh; an address stays at least its
 * address's cache-ttl after it was last seen. A feed every refresh-rate
 * minutes. A failure (DNS timeout or refusal, an HTTP error) keeps the
 * last good ranges and tries again at the next refresh (a feed: within a
 * minute).
 */
#ifndef LOCALIN_DYN_ENGINE_H
#define LOCALIN_DYN_ENGINE_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "conf/diag.h"
#include "objects/dynaddr.h"
#include "pipeline/pipeline.h"

/* c-ares's sockets (ARES_GETSOCK_MAXNUM) and the feeds' transfers. */
#define DYN_ARES_MAX_FDS 16
#define DYN_CURL_MAX_FDS 8
/*
 * Feeds fetched at once: a transfer holds up to two sockets (both
 * families tried while connecting), so the sockets stay within
 * DYN_CURL_MAX_FDS. The other feeds that are due wait their turn.
 */
#define DYN_CURL_MAX_XFERS (DYN_CURL_MAX_FDS / 2)
#define DYN_MAX_FDS (DYN_ARES_MAX_FDS + DYN_CURL_MAX_FDS)

struct dyn_engine;

/* A message for the admin (a state change): one line, no newline. */
typedef void (*dyn_say_fn)(void *ctx, const char *msg);

int dyn_engine_open(struct dyn_engine **out, struct dyn_table *t,
		    dyn_say_fn say, void *ctx);
void dyn_engine_close(struct dyn_engine *eng);
/* The DNS servers and timers of @dns; entries new in the table start now. */
int dyn_engine_configure(struct dyn_engine *eng, const struct obj_dns *dns);

int dyn_engine_pollfds(struct dyn_engine *eng, struct pollfd *pfd, int max);
void dyn_engine_handle(struct dyn_engine *eng, const struct pollfd *pfd, int n);
/* Timeouts, and the refreshes that are due. */
void dyn_engine_tick(struct dyn_engine *eng);
/* Milliseconds until tick has something to do; -1: nothing planned. */
int dyn_engine_timeout_ms(struct dyn_engine *eng);
/* Some query or transfer is in flight. */
bool dyn_engine_busy(const struct dyn_engine *eng);

/* Does @cfg name any FQDN or feed (anything to resolve)? */
bool dyn_wanted(const struct obj_config *cfg);

/*
 * Resolve every FQDN and fetch every feed @cfg names once, into @t,
 * waiting at most @timeout_ms. Each name or feed that gave nothing is a
 * warning on @dl at the object that names it. 0 or -ENOMEM.
 */
int dyn_resolve_once(struct dyn_table *t, const struct obj_config *cfg,
		     struct diag_list *dl, unsigned int timeout_ms);

/*
 * pipeline_load_vdom() up to STAGE_COMPILE for check and replay: with
 * @resolve, the FQDNs and feeds the config names are resolved and fetched
 * once first (a name that gives nothing is a warning), else they match
 * nothing (once.c). pipeline_compile_resolved() is the second half, for a
 * pipeline loaded up to STAGE_RESOLVE.
 */
int pipeline_load_resolved(struct pipeline *p, const char *path,
			   const char *vdom, bool resolve);
int pipeline_compile_resolved(struct pipeline *p, bool resolve);

/* print.c: `localin status` lines, and the two diagnose lists. */
void dyn_print_status(const struct dyn_table *t, FILE *out);
void dyn_print_fqdn_list(const struct dyn_table *t, FILE *out);
void dyn_print_feed_list(const struct dyn_table *t, FILE *out);

#endif
