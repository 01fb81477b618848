/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A bounded text buffer for building one log or trace line: appends never
 * write past the caller's buffer, and the first append that does not fit
 * marks the whole result as -ENOSPC (a truncated log line is worse than
 * none, because a consumer would parse it as complete). Shared by the
 * log formatters and the flow trace, which use the same quoting and the
 * same local-time stamps.
 */
#ifndef LOCALIN_LOG_LOGBUF_H
#define LOCALIN_LOG_LOGBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include <linux/types.h>

struct logbuf {
	char *buf;
	size_t size;
	size_t len;
	bool overflow;
};

/* @buf may be NULL when @size is 0 (a pure length probe fails -ENOSPC). */
void logbuf_init(struct logbuf *lb, char *buf, size_t size);
void logbuf_puts(struct logbuf *lb, const char *s);
void logbuf_printf(struct logbuf *lb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * @s between double quotes; '"' and '\' are escaped with a backslash and
 * control characters written as \xNN, so one record stays one line and
 * a key="value" parser always finds the closing quote. NULL prints "".
 */
void logbuf_quoted(struct logbuf *lb, const char *s);
/* The same escaping without the surrounding quotes (text inside msg="…"). */
void logbuf_escaped(struct logbuf *lb, const char *s);
/*
 * Text for a person (diagnostics, `status`, messages on stderr) escaped as
 * log lines escape it: control characters and DEL as \xNN, so a config
 * line or an interface name cannot drive the terminal. Unlike a quoted
 * field, '"' and '\' stay as they are, and so does a tab (a caret under a
 * tab-indented line stays in place). @lines: newlines too (a message of
 * several lines); else a newline is \x0a.
 */
void log_fputs_escaped(FILE *out, const char *s, size_t len, bool lines);
/*
 * The same for "%s": @s (one line) into @buf, cut short where it does not
 * fit (4 * strlen(@s) + 1 bytes always do); returns @buf.
 */
const char *log_escaped(char *buf, size_t size, const char *s);
/* How many columns byte @c takes once escaped: 4 (\xNN) or 1. */
unsigned int log_escaped_width(unsigned char c);
/* IPv4 (@family 4, address in @addr[0]) or IPv6, network byte order. */
void logbuf_ip(struct logbuf *lb, int family, const __u32 addr[4]);
/* The length written (without the NUL), or -ENOSPC. */
int logbuf_result(const struct logbuf *lb);

/*
 * Local time of @ns (nanoseconds since the epoch) through localtime_r(),
 * i.e. in the zone of the TZ environment variable as of the last tzset().
 */
int log_local_time(__u64 ns, struct tm *tm);
/* "YYYY-MM-DD" and "HH:MM:SS" of @tm. */
void logbuf_date(struct logbuf *lb, const struct tm *tm);
void logbuf_time(struct logbuf *lb, const struct tm *tm);
/* @tm's UTC offset as FortiOS writes it: "+0100", "-0800", "+0545". */
void logbuf_tzoff(struct logbuf *lb, const struct tm *tm);

#endif
