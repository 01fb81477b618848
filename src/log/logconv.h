/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One FortiOS key=value log line in the other forms FortiOS's log
 * destinations write (`config log syslogd setting` / `set format`): JSON,
 * CSV, CEF and RFC 5424, and the `<PRI>` prefix of the default form.
 *
 * The line is parsed once (logconv_parse()) into its fields, values
 * decoded (the backslash escapes of logbuf_quoted() undone), and each
 * formatter writes from the fields. Pure: no clock, no I/O, no globals.
 *
 * Every formatter writes one record without a trailing newline into @buf
 * (NUL terminated when @size > 0) and returns its length or -ENOSPC
 * (never a truncated record).
 */
#ifndef LOCALIN_LOG_LOGCONV_H
#define LOCALIN_LOG_LOGCONV_H

#include <stdbool.h>
#include <stddef.h>

#include "log/logfmt.h"

#define LOGCONV_MAX_FIELDS 96

struct logconv_field {
	const char *key; /* NUL terminated, in rec->text */
	const char *val; /* decoded, NUL terminated, in rec->text */
	size_t val_len;	 /* bytes of val (a decoded \x00 would be one) */
	bool quoted;	 /* the line had val in double quotes */
};

struct logconv_rec {
	struct logconv_field f[LOGCONV_MAX_FIELDS];
	size_t n;
	char text[LOG_LINE_MAX + 2 * LOGCONV_MAX_FIELDS];
};

/*
 * Split @line (@len bytes; a trailing '\n' is ignored) into fields.
 * Returns 0, -EINVAL for a line that is not key=value pairs (the byte
 * offset is lost: the caller's line is its own output), -E2BIG for more
 * than LOGCONV_MAX_FIELDS fields or a line longer than LOG_LINE_MAX.
 */
int logconv_parse(struct logconv_rec *rec, const char *line, size_t len);

/* The value of @key, or NULL. */
const struct logconv_field *logconv_get(const struct logconv_rec *rec,
					const char *key);

/* level="..." as a syslog severity 0..7; information (6) when absent. */
int logconv_severity(const struct logconv_rec *rec);

/*
 * JSON: one object, the fields in line order with the same keys; values
 * the line writes bare that are JSON numbers (no leading zero, no sign
 * but '-') are numbers, everything else strings. Strings are valid UTF-8:
 * '"' '\' and control characters escaped, invalid bytes as U+FFFD.
 */
int logconv_json(char *buf, size_t size, const struct logconv_rec *rec);

/*
 * CSV: the same key=value pairs, quoted as the line quotes them,
 * separated by ',' instead of ' ' (a ',' inside a value is always inside
 * double quotes, as every string field is quoted).
 */
int logconv_csv(char *buf, size_t size, const struct logconv_rec *rec);

/*
 * CEF (ArcSight), after FortiOS's "FortiOS to CEF log field mapping
 * guidelines": "MMM dd HH:mm:ss HOST CEF:0|Fortinet|Fortigate|VERSION|
 * <last 5 digits of logid>|type:subtype [eventtype] [action] [status]|
 * <8 - level>|extension". Known fields get their CEF names (srcip=src,
 * ...), the rest FTNTFGT<name>; date, time and devname go to the header.
 * @host: NULL takes devname=. @version: the header's device version.
 */
int logconv_cef(char *buf, size_t size, const struct logconv_rec *rec,
		const char *host, const char *version);

/*
 * RFC 5424 header for the key=value line: "1 TIMESTAMP HOST APP - MSGID -
 * " (VERSION 1; TIMESTAMP from date=, time=, tz= and eventtime='s
 * microseconds; MSGID the logid; no structured data) followed by @line.
 * The "<PRI>" prefix is the caller's (logconv_pri()). NULL @host: the
 * devname= field, else "-".
 */
int logconv_rfc5424(char *buf, size_t size, const struct logconv_rec *rec,
		    const char *line, size_t len, const char *host,
		    const char *app);

/* "<PRI>" for facility @facility (0..23) and severity @sev (0..7). */
int logconv_pri(char *buf, size_t size, int facility, int sev);

#endif
