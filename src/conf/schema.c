// SPDX-License-Identifier: GPL-2.0
/*
 * Schema lookups and the list of top-level sections. The tables themselves
 * live in schema_firewall.c, schema_system.c, schema_global.c and
 * schema_localin.c (localin's own sections).
 */
#include "conf/schema_tables.h"

#include <stdlib.h>
#include <string.h>

const char *const schema_enable_disable[] = { "enable", "disable", NULL };

/* In the order `show` prints them. */
const struct schema_section *const schema_sections[] = {
	&schema_system_global,
	&schema_system_settings,
	&schema_system_interface,
	&schema_system_dns,
	&schema_system_external_resource,
	&schema_system_zone,
	&schema_system_sdwan,
	&schema_system_sa_source,
	&schema_system_sa_check,
	&schema_system_email_server,
	&schema_system_metrics,
	&schema_system_geoip_database,
	&schema_log_setting,
	&schema_log_disk_setting,
	&schema_system_log_file,
	&schema_alertemail_setting,
	&schema_log_eventfilter,
	&schema_log_syslogd_setting,
	&schema_log_syslogd_filter,
	&schema_log_syslogd2_setting,
	&schema_log_syslogd2_filter,
	&schema_log_syslogd3_setting,
	&schema_log_syslogd3_filter,
	&schema_log_syslogd4_setting,
	&schema_log_syslogd4_filter,
	&schema_firewall_address,
	&schema_firewall_address6,
	&schema_firewall_addrgrp,
	&schema_firewall_addrgrp6,
	&schema_firewall_service_custom,
	&schema_firewall_service_group,
	&schema_firewall_schedule_onetime,
	&schema_firewall_schedule_recurring,
	&schema_firewall_schedule_group,
	&schema_firewall_local_in_policy,
	&schema_firewall_local_in_policy6,
};

const size_t schema_nr_sections = ARRAY_SIZE(schema_sections);

/* Older names of a section: read as the section, printed by its name. */
static const struct {
	const char *path;
	const struct schema_section *s;
} section_aliases[] = {
	/* FortiOS 6.0-6.2; renamed when 6.4 made SD-WAN zones. */
	{ "system virtual-wan-link", &schema_system_sdwan },
};

/* A handful of sections, looked up once per `config` line: a scan will do. */
const struct schema_section *schema_find_section(const char *path)
{
	size_t i;

	if (!path)
		return NULL;
	for (i = 0; i < schema_nr_sections; i++)
		if (!strcmp(schema_sections[i]->path, path))
			return schema_sections[i];
	for (i = 0; i < ARRAY_SIZE(section_aliases); i++)
		if (!strcmp(section_aliases[i].path, path))
			return section_aliases[i].s;
	return NULL;
}

#define PATH_WORDS_MAX 4

/* @path's words, at most PATH_WORDS_MAX (0 if more): pointers and lengths. */
static size_t path_words(const char *path, const char **w, size_t *len)
{
	size_t n = 0;

	while (*path) {
		while (*path == ' ')
			path++;
		if (!*path)
			break;
		if (n == PATH_WORDS_MAX)
			return 0;
		w[n] = path;
		while (*path && *path != ' ')
			path++;
		len[n] = (size_t)(path - w[n]);
		n++;
	}
	return n;
}

/* strcmp() order of two words that are not NUL-terminated. */
static int word_cmp(const char *a, size_t la, const char *b, size_t lb)
{
	int r = strncmp(a, b, la < lb ? la : lb);

	return r ? r : (la > lb) - (la < lb);
}

/*
 * FortiOS's CLI takes each word of a path abbreviated ("config fire
 * addr"): a word written whole wins, else the first completion in
 * alphabetical order, as its CLI completes.
 */
const struct schema_section *schema_abbrev_section(const char *path)
{
	const char *in[PATH_WORDS_MAX], *sw[PATH_WORDS_MAX];
	size_t in_len[PATH_WORDS_MAX], sw_len[PATH_WORDS_MAX];
	bool keep[ARRAY_SIZE(schema_sections)];
	size_t n = path ? path_words(path, in, in_len) : 0, i, k;
	const struct schema_section *hit = NULL;

	if (!n)
		return NULL;
	for (i = 0; i < schema_nr_sections; i++)
		keep[i] = path_words(schema_sections[i]->path, sw, sw_len) == n;
	for (k = 0; k < n; k++) {
		const char *best = NULL;
		size_t best_len = 0;
		bool exact = false;

		for (i = 0; i < schema_nr_sections; i++) {
			const char *w;
			size_t l;

			if (!keep[i])
				continue;
			path_words(schema_sections[i]->path, sw, sw_len);
			w = sw[k];
			l = sw_len[k];
			if (l < in_len[k] || strncmp(w, in[k], in_len[k])) {
				keep[i] = false;
				continue;
			}
			if (l == in_len[k] && !exact) {
				exact = true;
				best = w;
				best_len = l;
			} else if (!exact &&
				   (!best ||
				    word_cmp(w, l, best, best_len) < 0)) {
				best = w;
				best_len = l;
			}
		}
		if (!best)
			return NULL;
		for (i = 0; i < schema_nr_sections; i++) {
			if (!keep[i])
				continue;
			path_words(schema_sections[i]->path, sw, sw_len);
			keep[i] = sw_len[k] == best_len &&
				  !strncmp(sw[k], best, best_len);
		}
	}
	for (i = 0; i < schema_nr_sections; i++)
		if (keep[i])
			hit = schema_sections[i];
	return hit;
}

/* Levenshtein distance, given up on above @cap (returns cap + 1). */
static size_t edit_distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[128], prev, tmp;

	if (lb >= ARRAY_SIZE(row) || (la > lb ? la - lb : lb - la) > cap)
		return cap + 1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t best = prev + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

/*
 * FortiOS's own sections a few letters from one localin knows: a backup's
 * `config system ddns` (FortiGuard DDNS) is skipped like every section
 * localin has no use for, not refused as a typo of `system dns`.
 */
static const char *const fortios_near[] = {
	"system ddns",
	"system dns64",
	"system ips",
};

const struct schema_section *schema_suggest_section(const char *path)
{
	const struct schema_section *best = NULL;
	size_t best_d = SCHEMA_SUGGEST_MAX + 1, d, i;

	if (!path)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(fortios_near); i++)
		if (!strcmp(path, fortios_near[i]))
			return NULL;
	for (i = 0; i < schema_nr_sections; i++) {
		d = edit_distance(path, schema_sections[i]->path, best_d);
		if (d && d < best_d) {
			best_d = d;
			best = schema_sections[i];
		}
	}
	return best;
}

const struct schema_section *schema_find_sub(const struct schema_section *s,
					     const char *name)
{
	size_t i;

	if (!s || !name)
		return NULL;
	for (i = 0; i < s->nr_subs; i++)
		if (!strcmp(s->subs[i]->path, name))
			return s->subs[i];
	return NULL;
}

static int attr_cmp(const void *key, const void *elem)
{
	const struct schema_attr *a = elem;

	return strcmp(key, a->name);
}

/* Once per `set` line, on configs with 100k objects: bisect. */
const struct schema_attr *schema_find_attr(const struct schema_section *s,
					   const char *name)
{
	if (!s || !name || !s->nr_attrs)
		return NULL;
	return bsearch(name, s->attrs, s->nr_attrs, sizeof(*s->attrs),
		       attr_cmp);
}
