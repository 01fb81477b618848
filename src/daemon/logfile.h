/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The `--log FILE` as `config log disk setting` and `config system
 * log-file` configure it: rolled by size (max-log-file-size, FILE.1 ..
 * FILE.rolled-files) and at roll-time (daily, or weekly on roll-day, at
 * the first line after it), a full disk as diskfull says, no log lines
 * with status disable, JSON lines with format json. Without `config log
 * disk setting` the file does not roll (logrotate and SIGHUP, as before).
 * stdout and syslog sinks take the lines as they are.
 */
#ifndef LOCALIN_DAEMON_LOGFILE_H
#define LOCALIN_DAEMON_LOGFILE_H

#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

struct daemon;
struct obj_log_disk;

/* The config in force (d->p) to the sink: at start and each reload. */
void logfile_configure(struct daemon *d);
/* One log line (ending in LF) to the sink, as the config says. */
void logfile_write(struct daemon *d, const char *line, size_t len);
/*
 * The first roll-time after @now (local time; weekly: on a roll-day), or
 * 0 when the config has none.
 */
time_t logfile_next_roll(const struct obj_log_disk *ld, time_t now);
/*
 * Is the roll-time *@at (0: none), computed at *@from, due at @now? Then
 * the next one is in *@at. A @now before *@from is the wall clock set
 * back: *@at is computed again from @now, so a roll-time the old clock
 * had passed comes at its time instead of when the clock gets back there.
 */
bool logfile_roll_due(const struct obj_log_disk *ld, time_t *at, time_t *from,
		      time_t now);
/* `localin status`: a line on rolling, when the file rolls. */
void logfile_status(struct daemon *d, FILE *out);
void logfile_status_json(struct daemon *d, FILE *out);

#endif
