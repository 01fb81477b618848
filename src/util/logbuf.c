// SPDX-License-Identifier: GPL-2.0
/* Bounded line building; see logbuf.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/logbuf.h"

/* How escape() treats what is not a plain printable byte. */
enum {
	ESC_QUOTES = 1,	  /* '"' and '\' with a backslash (a quoted field) */
	ESC_KEEP_TAB = 2, /* a tab as is (text for a person) */
	ESC_KEEP_NL = 4,  /* a newline as is (a message of several lines) */
};

void logbuf_init(struct logbuf *lb, char *buf, size_t size)
{
	lb->buf = buf;
	lb->size = size;
	lb->len = 0;
	lb->overflow = size == 0;
	if (size)
		buf[0] = '\0';
}

static void logbuf_append(struct logbuf *lb, const char *s, size_t n)
{
	if (lb->overflow)
		return;
	/* Keep room for the NUL. */
	if (n >= lb->size - lb->len) {
		lb->overflow = true;
		return;
	}
	memcpy(lb->buf + lb->len, s, n);
	lb->len += n;
	lb->buf[lb->len] = '\0';
}

void logbuf_puts(struct logbuf *lb, const char *s)
{
	logbuf_append(lb, s, strlen(s));
}

void logbuf_printf(struct logbuf *lb, const char *fmt, ...)
{
	size_t room;
	va_list ap;
	int n;

	if (lb->overflow)
		return;
	room = lb->size - lb->len;
	va_start(ap, fmt);
	n = vsnprintf(lb->buf + lb->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		lb->overflow = true;
		/* vsnprintf wrote a partial tail: cut it off again. */
		lb->buf[lb->len] = '\0';
		return;
	}
	lb->len += (size_t)n;
}

/* What escape() writes as is: everything but the flags' escapes. */
static bool plain(unsigned char c, unsigned int how)
{
	if (c == '"' || c == '\\')
		return !(how & ESC_QUOTES);
	if (c == '\t')
		return how & ESC_KEEP_TAB;
	if (c == '\n')
		return how & ESC_KEEP_NL;
	return c >= 0x20 && c != 0x7f;
}

/*
 * The one escaping of log lines, status and diagnostics: @len bytes of @s,
 * control characters and DEL as \xNN (so no text can drive a terminal or
 * split a record), '"' and '\' with a backslash in a quoted field.
 */
static void escape(struct logbuf *lb, const char *s, size_t len,
		   unsigned int how)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	char esc[5];
	size_t run;

	while (p < end) {
		/* Copy the longest run that needs no escaping in one go. */
		for (run = 0; p + run < end && plain(p[run], how); run++)
			;
		logbuf_append(lb, (const char *)p, run);
		p += run;
		if (p == end)
			break;
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			logbuf_append(lb, esc, 2);
		} else {
			snprintf(esc, sizeof(esc), "\\x%02x", *p);
			logbuf_append(lb, esc, 4);
		}
		p++;
	}
}

void logbuf_escaped(struct logbuf *lb, const char *s)
{
	if (s)
		escape(lb, s, strlen(s), ESC_QUOTES);
}

void log_fputs_escaped(FILE *out, const char *s, size_t len, bool lines)
{
	unsigned int how = ESC_KEEP_TAB | (lines ? ESC_KEEP_NL : 0);
	char buf[4 * 256 + 1];
	struct logbuf lb;
	size_t n;

	/* In pieces that fit escaped whatever they hold (4 bytes a byte). */
	while (len) {
		n = len < 256 ? len : 256;
		logbuf_init(&lb, buf, sizeof(buf));
		escape(&lb, s, n, how);
		fwrite(buf, 1, lb.len, out);
		s += n;
		len -= n;
	}
}

const char *log_escaped(char *buf, size_t size, const char *s)
{
	struct logbuf lb;

	logbuf_init(&lb, buf, size);
	if (s)
		escape(&lb, s, strlen(s), ESC_KEEP_TAB);
	return size ? buf : "";
}

unsigned int log_escaped_width(unsigned char c)
{
	return plain(c, ESC_KEEP_TAB) ? 1 : 4;
}

void logbuf_quoted(struct logbuf *lb, const char *s)
{
	logbuf_append(lb, "\"", 1);
	logbuf_escaped(lb, s);
	logbuf_append(lb, "\"", 1);
}

void logbuf_ip(struct logbuf *lb, int family, const __u32 addr[4])
{
	char text[INET6_ADDRSTRLEN];

	if (!inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr, text,
		       sizeof(text))) {
		lb->overflow = true;
		return;
	}
	logbuf_puts(lb, text);
}

int logbuf_result(const struct logbuf *lb)
{
	return lb->overflow ? -ENOSPC : (int)lb->len;
}

int log_local_time(__u64 ns, struct tm *tm)
{
	time_t sec = (time_t)(ns / 1000000000ull);

	return localtime_r(&sec, tm) ? 0 : -EOVERFLOW;
}

void logbuf_date(struct logbuf *lb, const struct tm *tm)
{
	logbuf_printf(lb, "%04d-%02d-%02d", tm->tm_year + 1900, tm->tm_mon + 1,
		      tm->tm_mday);
}

void logbuf_time(struct logbuf *lb, const struct tm *tm)
{
	logbuf_printf(lb, "%02d:%02d:%02d", tm->tm_hour, tm->tm_min,
		      tm->tm_sec);
}

void logbuf_tzoff(struct logbuf *lb, const struct tm *tm)
{
	long off = tm->tm_gmtoff;
	char sign = '+';

	if (off < 0) {
		sign = '-';
		off = -off;
	}
	/* Seconds of historical LMT offsets are dropped, as %z does. */
	logbuf_printf(lb, "%c%02ld%02ld", sign, off / 3600, off / 60 % 60);
}
