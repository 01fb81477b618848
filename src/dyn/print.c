// SPDX-License-Identifier: GPL-2.0
/*
 * What `localin status` says of the dynamic addresses, and the lists of
 * `diagnose firewall fqdn list` and `diagnose sys external-address-resource
 * list`.
 */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "ipsec/retry.h"
#include "dyn/engine.h"

static void put_age(FILE *out, uint64_t now, uint64_t then)
{
	if (!then)
		fputs("never", out);
	else
		fprintf(out, "%" PRIu64 " s ago", (now - then) / 1000);
}

/*
 * When the entry's ranges were last fresh: a cached entry's come from a
 * previous daemon, whose monotonic clock means nothing here.
 */
static void put_updated(FILE *out, uint64_t now, const struct dyn_entry *e)
{
	int64_t wall = time(NULL);

	if (e->state == DYN_CACHED)
		fprintf(out, "%" PRId64 " s ago (from the cache)",
			wall > e->stamp ? wall - e->stamp : 0);
	else
		put_age(out, now, e->updated_ms);
}

static void put_due(FILE *out, uint64_t now, const struct dyn_entry *e)
{
	if (e->busy)
		fputs("in progress", out);
	else if (e->next_ms == UINT64_MAX)
		fputs("never", out);
	else
		fprintf(out, "in %" PRIu64 " s",
			dyn_secs_left(now, e->next_ms));
}

void dyn_print_status(const struct dyn_table *t, FILE *out)
{
	uint64_t now = sa_mono_ms();
	size_t i;

	for (i = 0; t && i < t->nr; i++) {
		const struct dyn_entry *e = t->e[i];

		if (!e->in_use)
			continue;
		fprintf(out, "%s %s: %s, %zu range%s, updated ",
			dyn_kind_name(e->kind), e->name,
			dyn_state_name(e->state), e->nr, e->nr == 1 ? "" : "s");
		put_updated(out, now, e);
		fputs(", next ", out);
		put_due(out, now, e);
		if (e->err[0])
			fprintf(out, "; %s%s",
				e->state == DYN_NEVER ?
					"matches nothing: " :
				e->state == DYN_STALE ?
					"last refresh failed, keeping the last good ranges: " :
				e->state == DYN_CACHED ?
					"no answer since the start, using the cached ranges: " :
					"",
				e->err);
		if (e->kind == DYN_FEED && e->bad_lines) {
			size_t k, n = e->bad_lines < 8 ? e->bad_lines : 8;

			fprintf(out, "; %u bad line%s:", e->bad_lines,
				e->bad_lines == 1 ? "" : "s");
			for (k = 0; k < n; k++)
				fprintf(out, "%s %u", k ? "," : "", e->bad[k]);
			if (n < e->bad_lines)
				fputs(", ...", out);
		}
		fputc('\n', out);
	}
}

void dyn_print_fqdn_list(const struct dyn_table *t, FILE *out)
{
	uint64_t now = sa_mono_ms();
	size_t i, k, n = 0;
	char buf[DYN_RANGE_STR];

	for (i = 0; t && i < t->nr; i++) {
		const struct dyn_entry *e = t->e[i];

		if (e->kind != DYN_FQDN || !e->in_use)
			continue;
		n++;
		fprintf(out, "FQDN %s: %s, %zu address%s, ", e->name,
			dyn_state_name(e->state), e->nr,
			e->nr == 1 ? "" : "es");
		if (e->state == DYN_CACHED) {
			fputs("resolved ", out);
			put_updated(out, now, e);
			fputs(", ", out);
		}
		fputs("refresh ", out);
		put_due(out, now, e);
		if (e->err[0])
			fprintf(out, " (%s)", e->err);
		fputc('\n', out);
		for (k = 0; k < e->nr; k++) {
			const struct dyn_range *r = &e->r[k];

			dyn_range_format(r, buf);
			if (e->state == DYN_CACHED)
				fprintf(out, "    %s cached\n", buf);
			else
				fprintf(out, "    %s ttl left %" PRIu64 " s\n",
					buf, dyn_secs_left(now, r->expires_ms));
		}
	}
	if (!n)
		fputs("no FQDN address in the config in force\n", out);
}

void dyn_print_feed_list(const struct dyn_table *t, FILE *out)
{
	uint64_t now = sa_mono_ms();
	size_t i, k, n = 0;
	char buf[DYN_RANGE_STR];

	for (i = 0; t && i < t->nr; i++) {
		const struct dyn_entry *e = t->e[i];

		if (e->kind != DYN_FEED || !e->in_use)
			continue;
		n++;
		fprintf(out,
			"external-resource %s: %s, %s, %zu range%s, updated ",
			e->name, e->url, dyn_state_name(e->state), e->nr,
			e->nr == 1 ? "" : "s");
		put_updated(out, now, e);
		fputs(", next ", out);
		put_due(out, now, e);
		if (e->err[0])
			fprintf(out, " (%s)", e->err);
		if (e->bad_lines)
			fprintf(out, ", %u bad line%s", e->bad_lines,
				e->bad_lines == 1 ? "" : "s");
		fputc('\n', out);
		for (k = 0; k < e->nr; k++) {
			dyn_range_format(&e->r[k], buf);
			fprintf(out, "    %s\n", buf);
		}
	}
	if (!n)
		fputs("no external-resource of type address in the config in force\n",
		      out);
}
