/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading FortiOS log lines back (`localin log show`, `execute log
 * display`): a field's value, and filters of key=value pairs.
 *
 * A line is either FortiOS's key=value form (logfmt.h: strings in double
 * quotes with '"' and '\' escaped, numbers and addresses bare) or one flat
 * JSON object per line (the JSON lines format of the log file). A value is
 * compared as the line holds it, without its quotes: `action=deny` and
 * `action="deny"` both match action="deny" and "action":"deny".
 */
#ifndef LOCALIN_LOG_LOGLINE_H
#define LOCALIN_LOG_LOGLINE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The value of @key in @line (@len bytes, no LF needed): *@val and *@vlen
 * point into @line, without quotes (escapes left as they are). 1 found,
 * 0 not.
 */
int logline_field(const char *line, size_t len, const char *key,
		  const char **val, size_t *vlen);

#define LOGFILTER_MAX 32

struct logfilter_term {
	char key[64];
	char val[256]; /* without quotes */
};

/* Terms AND-ed; an empty filter matches every line. */
struct logfilter {
	struct logfilter_term t[LOGFILTER_MAX];
	unsigned int nr;
};

/*
 * Add "key=value" (value quoted or not). 0, or -EINVAL (no '=', empty
 * key, a key or value too long, or too many terms: @err says which).
 */
int logfilter_add(struct logfilter *f, const char *term, const char **err);
/* Add @key with @val as given. 0 or -EINVAL as logfilter_add(). */
int logfilter_add_kv(struct logfilter *f, const char *key, const char *val,
		     const char **err);
bool logfilter_match(const struct logfilter *f, const char *line, size_t len);

#endif
