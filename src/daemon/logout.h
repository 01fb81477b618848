/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a log line of the daemon goes: the one place every FortiOS log
 * line (traffic, session end, ESP error) passes through, so that each
 * output (the log file or stdout, and the deliveries `config log ...`
 * and `config alertemail ...` configure) sees every line once, with what
 * it needs to filter and reformat it without parsing it again. Trace
 * lines are not log lines: they go to the sink only.
 */
#ifndef LOCALIN_DAEMON_LOGOUT_H
#define LOCALIN_DAEMON_LOGOUT_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

struct daemon;

/* FortiOS's log categories localin writes (`config log syslogd filter`). */
enum log_cat {
	LOG_CAT_LOCAL_TRAFFIC, /* type="traffic" subtype="local" */
	LOG_CAT_EVENT_VPN,     /* type="event" subtype="vpn" */
};

/* Severities as syslog numbers them (level= of the line). */
enum log_level {
	LOG_LEVEL_EMERGENCY = 0,
	LOG_LEVEL_ALERT,
	LOG_LEVEL_CRITICAL,
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_NOTICE,
	LOG_LEVEL_INFORMATION,
	LOG_LEVEL_DEBUG,
};

struct log_meta {
	enum log_cat cat;
	enum log_level level;
	const char *logid; /* "0001000014", "0101037131" */
	__u64 time_ns;	   /* the line's eventtime, ns since the epoch */
	bool deny; /* traffic a policy denied: alert mail's violation logs */
};

/* What an output has done with the lines, for status and the metrics. */
struct log_output_stat {
	const char *name; /* "syslogd", "syslogd2", "alertmail" */
	__u64 written, lost;
	size_t queued; /* bytes waiting */
	bool failing;  /* a failure episode in progress */
};

/*
 * One log line (@len bytes, ending in '\n') to every output: the sink
 * first (as before), then each configured delivery. Never blocks.
 */
void log_out(struct daemon *d, const char *line, size_t len,
	     const struct log_meta *m);

#endif
