// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes as a FortiOS key=value log line
 * through the converter the log file's JSON form and the syslog forwarder
 * use (src/log/logconv.c): logconv_parse(), then every formatter into a
 * buffer of the syslog body's size and into ones too small by a byte
 * (-ENOSPC, never a truncated record). The lines are localin's own, but a
 * value in them (a user name, an interface's name, a feed's error) comes
 * from outside. The same line is read back as `localin log show` and
 * `execute log display` read the log file (src/log/logline.c): fields by
 * key, and a filter whose terms are the input's first words (key=value,
 * as --filter takes them) matched against it, key=value line or JSON.
 *
 * Any crash, leak, sanitizer report or abort() is a bug; every one found
 * becomes a case in tests/unit/test_logconv.c.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/logconv.h"
#include "log/logline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OUT_MAX (4 * LOG_LINE_MAX)

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_logconv: %s\n", why);
	abort();
}

/* @n from a formatter into @size bytes: a whole record or -ENOSPC. */
static void check(int n, const char *buf, size_t size)
{
	if (n == -ENOSPC)
		return;
	if (n < 0)
		fail("formatter: an error other than -ENOSPC");
	if ((size_t)n >= size)
		fail("formatter: longer than its buffer");
	if (strlen(buf) != (size_t)n)
		fail("formatter: length and NUL disagree");
}

static int format(int which, char *buf, size_t size,
		  const struct logconv_rec *rec, const char *line, size_t len)
{
	switch (which) {
	case 0:
		return logconv_json(buf, size, rec);
	case 1:
		return logconv_csv(buf, size, rec);
	case 2:
		return logconv_cef(buf, size, rec, NULL, "v7.4.3");
	default:
		return logconv_rfc5424(buf, size, rec, line, len, NULL,
				       "localin");
	}
}

/* The line read back: a few fields, and its own words as a filter. */
static void read_back(const char *line, size_t len)
{
	static const char *const keys[] = { "srcip", "action", "msg",
					    "devname", "" };
	static struct logfilter f;
	char term[512];
	const char *val, *err;
	size_t vlen, i, n;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (logline_field(line, len, keys[i], &val, &vlen) &&
		    (val < line || val + vlen > line + len))
			fail("logline: a value outside the line");
	memset(&f, 0, sizeof(f));
	for (i = 0; i < len && f.nr < 4;) {
		for (n = 0; i + n < len && line[i + n] != ' ' &&
			    n < sizeof(term) - 1;
		     n++)
			term[n] = line[i + n];
		term[n] = '\0';
		i += n + 1;
		err = NULL;
		if (logfilter_add(&f, term, &err) && !err)
			fail("logfilter: refused without saying why");
	}
	logfilter_match(&f, line, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct logconv_rec rec;
	static char buf[OUT_MAX];
	int which, n, m;

	read_back((const char *)data, size);
	if (logconv_parse(&rec, (const char *)data, size))
		return 0;
	if (rec.n > LOGCONV_MAX_FIELDS)
		fail("parse: more fields than room");
	for (size_t i = 0; i < rec.n; i++)
		if (strlen(rec.f[i].val) > rec.f[i].val_len)
			fail("parse: a value longer than its length");
	logconv_severity(&rec);
	logconv_get(&rec, "devname");
	for (which = 0; which < 4; which++) {
		n = format(which, buf, sizeof(buf), &rec, (const char *)data,
			   size);
		check(n, buf, sizeof(buf));
		if (n <= 0)
			continue;
		/* One byte short: refused, not cut. */
		m = format(which, buf, (size_t)n, &rec, (const char *)data,
			   size);
		if (m != -ENOSPC)
			fail("formatter: a record cut to fit");
	}
	return 0;
}
