// SPDX-License-Identifier: GPL-2.0
/*
 * The log file as `config log disk setting` and `config system log-file`
 * have it (objects.h: struct obj_log_disk): rolling by size and at
 * roll-time, what a full disk does, lines on or off (status), and JSON
 * lines. The file itself is the sink's (sink.c); this file tells it how.
 */
#include "daemon/logfile.h"

#include <string.h>
#include <time.h>

#include "daemon/internal.h"
#include "log/logconv.h"
#include "daemon/diag_fmt.h"

#define MB (1024ull * 1024)

time_t logfile_next_roll(const struct obj_log_disk *ld, time_t now)
{
	struct tm tm;
	time_t t;
	int day;

	if (!ld->set || ld->roll_min < 0)
		return 0;
	for (day = 0; day <= 7; day++) {
		localtime_r(&now, &tm);
		tm.tm_mday += day;
		tm.tm_hour = ld->roll_min / 60;
		tm.tm_min = ld->roll_min % 60;
		tm.tm_sec = 0;
		tm.tm_isdst = -1;
		t = mktime(&tm);
		if (t <= now)
			continue;
		localtime_r(&t, &tm);
		if (!ld->weekly || (ld->roll_days >> tm.tm_wday & 1))
			return t;
	}
	return 0;
}

void logfile_configure(struct daemon *d)
{
	const struct obj_log_disk *ld = &d->p->objs.log_disk;
	struct sink_roll r = { 0 };

	d->logfile_roll_at = 0;
	if (!d->sink.path)
		return;
	if (ld->set) {
		r.max_bytes = (__u64)ld->max_mb * MB;
		r.keep = ld->rolled_files;
		r.overwrite = ld->overwrite;
		d->logfile_roll_from = time(NULL);
		d->logfile_roll_at =
			logfile_next_roll(ld, d->logfile_roll_from);
	} else if (!d->o->log) {
		/* Not --log: the file with no syslog, in /run's memory. */
		r = daemon_log_roll;
	}
	sink_set_roll(&d->sink, &r);
}

bool logfile_roll_due(const struct obj_log_disk *ld, time_t *at, time_t *from,
		      time_t now)
{
	if (!*at)
		return false;
	if (now < *from) {
		/* Set back: else no roll until the clock is back at *at. */
		*at = logfile_next_roll(ld, now);
		*from = now;
		return false;
	}
	if (now < *at)
		return false;
	*at = logfile_next_roll(ld, now);
	*from = now;
	return true;
}

/* roll-time: at the first line after it (a file without lines stays). */
static void roll_on_time(struct daemon *d)
{
	if (logfile_roll_due(&d->p->objs.log_disk, &d->logfile_roll_at,
			     &d->logfile_roll_from, time(NULL)))
		sink_roll_now(&d->sink);
}

/* JSON lines: the line's fields as one object; as it is if it cannot be. */
static void write_json(struct daemon *d, const char *line, size_t len)
{
	static struct logconv_rec rec;
	static char buf[2 * LOG_LINE_MAX + 2];
	int n;

	if (logconv_parse(&rec, line, len) ||
	    (n = logconv_json(buf, sizeof(buf) - 1, &rec)) < 0) {
		sink_write(&d->sink, line, len, 1);
		return;
	}
	buf[n++] = '\n';
	sink_write(&d->sink, buf, (size_t)n, 1);
}

void logfile_write(struct daemon *d, const char *line, size_t len)
{
	const struct obj_log_disk *ld = d->p ? &d->p->objs.log_disk : NULL;

	if (!ld || !d->sink.path) {
		sink_write(&d->sink, line, len, 1);
		return;
	}
	if (!ld->enabled)
		return; /* status disable: no log lines on disk */
	roll_on_time(d);
	if (ld->json)
		write_json(d, line, len);
	else
		sink_write(&d->sink, line, len, 1);
}

void logfile_status(struct daemon *d, FILE *out)
{
	const struct sink_roll *r = &d->sink.roll;

	if (!d->sink.path || !r->max_bytes)
		return;
	fprintf(out,
		"log file: rolls at %llu MB keeping %u (diskfull %s): %llu rolled, %llu rolled files dropped for room\n",
		(unsigned long long)(r->max_bytes / MB), r->keep,
		r->overwrite ? "overwrite" : "nolog",
		(unsigned long long)d->sink.rolls,
		(unsigned long long)d->sink.dropped_files);
}

/* The status's "log_file" object (null when it does not roll). */
void logfile_status_json(struct daemon *d, FILE *out)
{
	const struct sink_roll *r = &d->sink.roll;

	if (!d->sink.path || !r->max_bytes) {
		fputs("null", out);
		return;
	}
	fputs("{\"path\":", out);
	diag_json_str(out, d->sink.path);
	fprintf(out,
		",\"roll_mb\":%llu,\"keep\":%u,\"diskfull\":\"%s\",\"rolled\":%llu,\"dropped_files\":%llu}",
		(unsigned long long)(r->max_bytes / MB), r->keep,
		r->overwrite ? "overwrite" : "nolog",
		(unsigned long long)d->sink.rolls,
		(unsigned long long)d->sink.dropped_files);
}
