// SPDX-License-Identifier: GPL-2.0
/* Bounded line building; see logbuf.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "logbuf.h"

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

void logbuf_escaped(struct logbuf *lb, const char *s)
{
	const unsigned char *p;
	char esc[5];
	size_t run;

	if (!s)
		return;
	p = (const unsigned char *)s;
	while (*p) {
		/* Copy the longest run that needs no escaping in one go. */
		for (run = 0; p[run] && p[run] != '"' && p[run] != '\\' &&
			      p[run] >= 0x20 && p[run] != 0x7f;
		     run++)
			;
		logbuf_append(lb, (const char *)p, run);
		p += run;
		if (!*p)
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
