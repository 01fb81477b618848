// SPDX-License-Identifier: GPL-2.0
/* A FortiOS key=value line in JSON, CSV, CEF and RFC 5424; see logconv.h. */
#include "log/logconv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/logbuf.h"

static bool key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * A quoted value starting after its opening quote at @s: decoded into
 * @out; returns the bytes of @s consumed including the closing quote, or
 * 0 when it has none. Undoes what logbuf_quoted() does (\" \\ \xNN); any
 * other backslash stays as it is.
 */
static size_t decode_quoted(const char *s, const char *end, char *out,
			    size_t *out_len)
{
	const char *p = s;
	size_t n = 0;
	int hi, lo;

	while (p < end && *p != '"') {
		if (*p == '\\' && p + 1 < end &&
		    (p[1] == '"' || p[1] == '\\')) {
			out[n++] = p[1];
			p += 2;
		} else if (*p == '\\' && p + 3 < end && p[1] == 'x' &&
			   (hi = hex_val(p[2])) >= 0 &&
			   (lo = hex_val(p[3])) >= 0) {
			out[n++] = (char)(hi << 4 | lo);
			p += 4;
		} else {
			out[n++] = *p++;
		}
	}
	if (p == end)
		return 0;
	*out_len = n;
	return (size_t)(p - s) + 1;
}

int logconv_parse(struct logconv_rec *rec, const char *line, size_t len)
{
	const char *p = line, *end = line + len, *k;
	char *t = rec->text;
	struct logconv_field *f;
	size_t used;

	if (len && line[len - 1] == '\n')
		end--;
	if ((size_t)(end - line) > LOG_LINE_MAX)
		return -E2BIG;
	rec->n = 0;
	for (;;) {
		while (p < end && *p == ' ')
			p++;
		if (p == end)
			return rec->n ? 0 : -EINVAL;
		if (rec->n == LOGCONV_MAX_FIELDS)
			return -E2BIG;
		f = &rec->f[rec->n];
		for (k = p; p < end && key_char(*p); p++)
			;
		if (p == k || p == end || *p != '=')
			return -EINVAL;
		memcpy(t, k, (size_t)(p - k));
		t[p - k] = '\0';
		f->key = t;
		t += p - k + 1;
		p++;
		f->val = t;
		f->quoted = p < end && *p == '"';
		if (f->quoted) {
			used = decode_quoted(p + 1, end, t, &f->val_len);
			if (!used)
				return -EINVAL;
			p += used + 1;
			if (p < end && *p != ' ')
				return -EINVAL;
		} else {
			for (k = p; p < end && *p != ' '; p++)
				;
			f->val_len = (size_t)(p - k);
			memcpy(t, k, f->val_len);
		}
		t[f->val_len] = '\0';
		t += f->val_len + 1;
		rec->n++;
	}
}

const struct logconv_field *logconv_get(const struct logconv_rec *rec,
					const char *key)
{
	size_t i;

	for (i = 0; i < rec->n; i++)
		if (!strcmp(rec->f[i].key, key))
			return &rec->f[i];
	return NULL;
}

static const char *const severity_names[] = {
	"emergency", "alert",  "critical",    "error",
	"warning",   "notice", "information", "debug",
};

int logconv_severity(const struct logconv_rec *rec)
{
	const struct logconv_field *f = logconv_get(rec, "level");
	int i;

	for (i = 0; f && i < 8; i++)
		if (!strcmp(f->val, severity_names[i]))
			return i;
	return 6;
}

int logconv_pri(char *buf, size_t size, int facility, int sev)
{
	struct logbuf lb;

	logbuf_init(&lb, buf, size);
	logbuf_printf(&lb, "<%d>", facility * 8 + sev);
	return logbuf_result(&lb);
}

/* ---- JSON ---- */

/* Length of the valid UTF-8 sequence at @s (at most @n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

static void json_string(struct logbuf *lb, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, u;

	logbuf_puts(lb, "\"");
	while (i < n) {
		if (p[i] == '"' || p[i] == '\\') {
			logbuf_printf(lb, "\\%c", p[i]);
			i++;
		} else if (p[i] == '\n') {
			logbuf_puts(lb, "\\n"), i++;
		} else if (p[i] == '\t') {
			logbuf_puts(lb, "\\t"), i++;
		} else if (p[i] < 0x20 || p[i] == 0x7f) {
			logbuf_printf(lb, "\\u%04x", p[i]);
			i++;
		} else if ((u = utf8_len(p + i, n - i))) {
			logbuf_printf(lb, "%.*s", (int)u, s + i);
			i += u;
		} else {
			logbuf_puts(lb, "\\ufffd");
			i++;
		}
	}
	logbuf_puts(lb, "\"");
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)? : what JSON reads as a number. */
static bool json_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return false;
	if (*s == '.') {
		if (!(*++s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

int logconv_json(char *buf, size_t size, const struct logconv_rec *rec)
{
	struct logbuf lb;
	size_t i;

	logbuf_init(&lb, buf, size);
	logbuf_puts(&lb, "{");
	for (i = 0; i < rec->n; i++) {
		const struct logconv_field *f = &rec->f[i];

		if (i)
			logbuf_puts(&lb, ",");
		json_string(&lb, f->key, strlen(f->key));
		logbuf_puts(&lb, ":");
		if (!f->quoted && json_number(f->val))
			logbuf_puts(&lb, f->val);
		else
			json_string(&lb, f->val, f->val_len);
	}
	logbuf_puts(&lb, "}");
	return logbuf_result(&lb);
}

/* ---- CSV ---- */

/* A value as the key=value line writes it (quoted and escaped, or bare). */
static void kv_value(struct logbuf *lb, const struct logconv_field *f)
{
	if (f->quoted)
		logbuf_quoted(lb, f->val);
	else
		logbuf_puts(lb, f->val);
}

int logconv_csv(char *buf, size_t size, const struct logconv_rec *rec)
{
	struct logbuf lb;
	size_t i;

	logbuf_init(&lb, buf, size);
	for (i = 0; i < rec->n; i++) {
		logbuf_printf(&lb, "%s%s=", i ? "," : "", rec->f[i].key);
		kv_value(&lb, &rec->f[i]);
	}
	return logbuf_result(&lb);
}

/* ---- CEF ---- */

/*
 * FortiOS names with a CEF name, as FortiOS's log message reference maps
 * them ("... log support for CEF", 6.x/7.x). Everything else is
 * FTNTFGT<name>.
 */
static const struct {
	const char *fortios, *cef;
} cef_names[] = {
	{ "action", "act" },
	{ "cookies", "requestCookies" },
	{ "devid", "deviceExternalId" },
	{ "dstintf", "deviceOutboundInterface" },
	{ "dstip", "dst" },
	{ "dstport", "dpt" },
	{ "msg", "msg" },
	{ "proto", "proto" },
	{ "reason", "reason" },
	{ "service", "app" },
	{ "sessionid", "externalId" },
	{ "srcintf", "deviceInboundInterface" },
	{ "srcip", "src" },
	{ "srcport", "spt" },
	{ "status", "outcome" },
	{ "ui", "sproc" },
	{ "user", "duser" },
};

static const char *cef_name(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(cef_names) / sizeof(cef_names[0]); i++)
		if (!strcmp(cef_names[i].fortios, key))
			return cef_names[i].cef;
	return NULL;
}

/* CEF escaping: '\' and @special with a backslash, newlines as \n. */
static void cef_escaped(struct logbuf *lb, const char *s, char special)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == special)
			logbuf_printf(lb, "\\%c", *s);
		else if (*s == '\n')
			logbuf_puts(lb, "\\n");
		else if (*s == '\r')
			logbuf_puts(lb, "\\r");
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			logbuf_printf(lb, "\\x%02x", (unsigned char)*s);
		else
			logbuf_printf(lb, "%c", *s);
	}
}

static const char *val_or(const struct logconv_rec *rec, const char *key,
			  const char *dflt)
{
	const struct logconv_field *f = logconv_get(rec, key);

	return f ? f->val : dflt;
}

static const char *const month_abbr[] = { "Jan", "Feb", "Mar", "Apr",
					  "May", "Jun", "Jul", "Aug",
					  "Sep", "Oct", "Nov", "Dec" };

/* "Jan 15 13:34:56 " from date= and time= (RFC 3164's stamp), or none. */
static void cef_stamp(struct logbuf *lb, const struct logconv_rec *rec)
{
	const char *date = val_or(rec, "date", ""),
		   *time = val_or(rec, "time", "");
	int y, m, d;

	if (sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 ||
	    strlen(time) != 8)
		return;
	logbuf_printf(lb, "%s %2d %s ", month_abbr[m - 1], d, time);
}

/* Skipped in the extension: they are in the header. */
static bool cef_in_header(const char *key)
{
	return !strcmp(key, "date") || !strcmp(key, "time") ||
	       !strcmp(key, "devname") || !strcmp(key, "type");
}

static void cef_header(struct logbuf *lb, const struct logconv_rec *rec,
		       const char *version)
{
	const char *logid = val_or(rec, "logid", ""), *v;
	size_t n = strlen(logid);
	static const char *const name_parts[] = { "eventtype", "action",
						  "status" };
	size_t i;

	logbuf_puts(lb, "CEF:0|Fortinet|Fortigate|");
	cef_escaped(lb, version, '|');
	logbuf_puts(lb, "|");
	cef_escaped(lb, n > 5 ? logid + n - 5 : logid, '|');
	logbuf_puts(lb, "|");
	cef_escaped(lb, val_or(rec, "type", ""), '|');
	logbuf_puts(lb, ":");
	cef_escaped(lb, val_or(rec, "subtype", ""), '|');
	for (i = 0; i < 3; i++) {
		v = val_or(rec, name_parts[i], NULL);
		if (v && *v) {
			logbuf_puts(lb, " ");
			cef_escaped(lb, v, '|');
		}
	}
	logbuf_printf(lb, "|%d|", 8 - logconv_severity(rec));
}

int logconv_cef(char *buf, size_t size, const struct logconv_rec *rec,
		const char *host, const char *version)
{
	struct logbuf lb;
	const char *name;
	bool first = true;
	size_t i;

	logbuf_init(&lb, buf, size);
	cef_stamp(&lb, rec);
	if (!host)
		host = val_or(rec, "devname", NULL);
	if (host && *host)
		logbuf_printf(&lb, "%s ", host);
	cef_header(&lb, rec, version ? version : "");
	for (i = 0; i < rec->n; i++) {
		const struct logconv_field *f = &rec->f[i];

		if (cef_in_header(f->key))
			continue;
		logbuf_puts(&lb, first ? "" : " ");
		first = false;
		name = cef_name(f->key);
		if (name)
			logbuf_printf(&lb, "%s=", name);
		else
			logbuf_printf(&lb, "FTNTFGT%s=", f->key);
		cef_escaped(&lb, f->val, '=');
		if (!strcmp(f->key, "logid")) {
			logbuf_puts(&lb, " cat=");
			cef_escaped(&lb, val_or(rec, "type", ""), '=');
			logbuf_puts(&lb, ":");
			cef_escaped(&lb, val_or(rec, "subtype", ""), '=');
		}
	}
	return logbuf_result(&lb);
}

/* ---- RFC 5424 ---- */

/* PRINTUSASCII without spaces, at most @max bytes; else "-". */
static void header_field(struct logbuf *lb, const char *s, size_t max)
{
	size_t i;

	if (!s || !*s) {
		logbuf_puts(lb, "-");
		return;
	}
	for (i = 0; s[i] && i < max; i++)
		logbuf_printf(lb, "%c", s[i] > 32 && s[i] < 127 ? s[i] : '_');
}

/* "2024-01-15T13:34:56.123456+01:00" from date, time, tz and eventtime. */
static void rfc5424_stamp(struct logbuf *lb, const struct logconv_rec *rec)
{
	const char *date = val_or(rec, "date", ""),
		   *time = val_or(rec, "time", "");
	const char *tz = val_or(rec, "tz", ""),
		   *ev = val_or(rec, "eventtime", "");
	size_t evlen = strlen(ev);

	if (strlen(date) != 10 || strlen(time) != 8) {
		logbuf_puts(lb, "-");
		return;
	}
	logbuf_printf(lb, "%sT%s", date, time);
	/* eventtime in ns (19 digits today) or us (16): its microseconds */
	if (evlen >= 16 && strspn(ev, "0123456789") == evlen)
		logbuf_printf(lb, ".%.6s", ev + evlen - (evlen >= 19 ? 9 : 6));
	if (strlen(tz) == 5 && (tz[0] == '+' || tz[0] == '-'))
		logbuf_printf(lb, "%.3s:%.2s", tz, tz + 3);
	else
		logbuf_puts(lb, "Z");
}

int logconv_rfc5424(char *buf, size_t size, const struct logconv_rec *rec,
		    const char *line, size_t len, const char *host,
		    const char *app)
{
	struct logbuf lb;

	if (len && line[len - 1] == '\n')
		len--;
	logbuf_init(&lb, buf, size);
	logbuf_puts(&lb, "1 ");
	rfc5424_stamp(&lb, rec);
	logbuf_puts(&lb, " ");
	header_field(&lb, host ? host : val_or(rec, "devname", NULL), 255);
	logbuf_puts(&lb, " ");
	header_field(&lb, app, 48);
	logbuf_puts(&lb, " - ");
	header_field(&lb, val_or(rec, "logid", NULL), 32);
	logbuf_printf(&lb, " - %.*s", (int)len, line);
	return logbuf_result(&lb);
}
