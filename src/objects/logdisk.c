// SPDX-License-Identifier: GPL-2.0
/*
 * `config log disk setting` and localin's `config system log-file`
 * resolved into struct obj_log_disk (objects.h). Without `config log disk
 * setting` the log file does not roll (logrotate's job, as before it).
 */
#include <stdlib.h>
#include <string.h>

#include "objects/internal.h"

static const char *const days[] = { "sunday",	 "monday",   "tuesday",
				    "wednesday", "thursday", "friday",
				    "saturday" };

static unsigned int day_bits(const struct conf_word *w, size_t n)
{
	unsigned int bits = 0;
	size_t i, d;

	for (i = 0; i < n; i++)
		for (d = 0; d < 7; d++)
			if (!strcmp(w[i].text, days[d]))
				bits |= 1u << d;
	return bits;
}

static void resolve_log_file(struct resolver *r, struct obj_log_disk *ld)
{
	const struct conf_section *sec =
		conf_tree_section(r->t, "system log-file");
	const struct conf_entry *e = sec ? sec->entries : NULL;
	const struct conf_word *w;

	ld->rolled_files = 10;
	if (!e)
		return;
	w = obj_word(r, sec, e, "rolled-files");
	if (w)
		ld->rolled_files = (unsigned int)strtoul(w->text, NULL, 10);
	ld->json = obj_word_is(r, sec, e, "format", "json");
}

void obj_resolve_log_disk(struct resolver *r)
{
	const struct conf_section *sec =
		conf_tree_section(r->t, "log disk setting");
	const struct conf_entry *e = sec ? sec->entries : NULL;
	struct obj_log_disk *ld = &r->cfg->log_disk;
	const struct conf_word *w;
	size_t n;

	memset(ld, 0, sizeof(*ld));
	ld->enabled = true;
	ld->roll_min = -1;
	resolve_log_file(r, ld);
	if (!e)
		return;
	ld->set = true;
	ld->enabled = obj_word_is(r, sec, e, "status", "enable");
	w = obj_word(r, sec, e, "max-log-file-size");
	ld->max_mb = w ? (unsigned int)strtoul(w->text, NULL, 10) : 20;
	ld->weekly = obj_word_is(r, sec, e, "roll-schedule", "weekly");
	n = obj_words(r, sec, e, "roll-day", &w);
	ld->roll_days = n ? day_bits(w, n) : 1u;
	w = obj_word(r, sec, e, "roll-time");
	if (w)
		ld->roll_min =
			atoi(w->text) * 60 + atoi(strchr(w->text, ':') + 1);
	ld->overwrite = obj_word_is(r, sec, e, "diskfull", "overwrite");
}
