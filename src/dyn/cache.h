/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the daemon last resolved and fetched, kept in a file so that a
 * daemon that starts again (a crash, `systemctl restart`, an upgrade)
 * while DNS or a feed's server is down does not start with FQDN and feed
 * addresses that match nothing: a VPN peer accepted by its name (or
 * excluded by it from a deny) would be denied its IKE until DNS answers.
 *
 * The file lives beside the control socket (/run/localin.dyncache, in
 * `ip netns` NAME /run/localin-NAME.dyncache): /run lasts across daemon
 * restarts, not across a reboot, and each namespace's daemon has its own.
 *
 * Text, so an admin can read it:
 *
 *   localin-dyncache 1
 *   fqdn TAB STAMP TAB NR TAB NAME
 *   NR lines of ranges, in a threat feed's form (a, a/len, a-b)
 *   feed TAB STAMP TAB NR TAB NAME TAB URL
 *   NR lines of ranges
 *   end TAB ENTRIES
 *
 * STAMP: the wall-clock second of the entry's last successful refresh.
 * Written to a temporary file beside it (mode 0600), fsynced and renamed
 * over it, so a crash leaves the old file or the new one. Read without
 * following a link, only if root's (or ours), with one name, not
 * writable by others, at most DYN_CACHE_MAX_BYTES, and whole (the end
 * line and every count right): anything else is ignored as a whole, and
 * said.
 */
#ifndef LOCALIN_DYN_CACHE_H
#define LOCALIN_DYN_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "dyn/engine.h"

/* Six feeds of DYN_FEED_MAX_RANGES single addresses fit; more is not ours. */
#define DYN_CACHE_MAX_BYTES (128u << 20)

/*
 * Write the in-use entries of @t that hold ranges (ok, stale or cached)
 * to @path. 0, or a negative errno with why in @why (@size bytes).
 */
int dyn_cache_save(const struct dyn_table *t, const char *path, char *why,
		   size_t size);

/*
 * Fill the entries of @t that were never resolved from @path: only the
 * same kind and name, and for a feed the same URL (another URL is another
 * list). They become DYN_CACHED with the saved ranges, their refresh due
 * now. Each one used, and a file ignored, is said through @say; @now is
 * the wall clock (s). The number of entries filled (0: no file), or a
 * negative errno (the file ignored).
 */
int dyn_cache_load(struct dyn_table *t, const char *path, int64_t now,
		   dyn_say_fn say, void *ctx);

/*
 * Remove the temporary files a daemon killed while saving left beside
 * @path (PATH.XXXXXX, regular, ours): each may be as large as a cache,
 * in /run's memory. Only under the daemon's lock (no save is running).
 * The number removed.
 */
unsigned int dyn_cache_clean(const char *path);

#endif
