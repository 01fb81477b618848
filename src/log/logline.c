// SPDX-License-Identifier: GPL-2.0
/* FortiOS log lines read back; see logline.h. */
#include "log/logline.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The end of a quoted value starting after its opening '"'. */
static const char *quoted_end(const char *p, const char *end)
{
	while (p < end && *p != '"') {
		if (*p == '\\' && p + 1 < end)
			p++;
		p++;
	}
	return p;
}

/* key=value key="value" ...: keys start a line or follow a space. */
static int kv_field(const char *p, const char *end, const char *key,
		    const char **val, size_t *vlen)
{
	size_t klen = strlen(key);
	const char *k, *kend, *v;

	while (p < end) {
		while (p < end && *p == ' ')
			p++;
		k = p;
		while (p < end && *p != '=' && *p != ' ')
			p++;
		if (p >= end || *p != '=') /* a word without a value */
			continue;
		kend = p;
		v = ++p;
		if (p < end && *p == '"') {
			p = quoted_end(++v, end);
			*vlen = (size_t)(p - v);
			if (p < end)
				p++;
		} else {
			while (p < end && *p != ' ')
				p++;
			*vlen = (size_t)(p - v);
		}
		if ((size_t)(kend - k) == klen && !memcmp(k, key, klen)) {
			*val = v;
			return 1;
		}
	}
	return 0;
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* {"key":"value","n":1,...}: a flat object, as logjson writes it. */
static int json_field(const char *p, const char *end, const char *key,
		      const char **val, size_t *vlen)
{
	size_t klen = strlen(key);
	const char *k, *kend, *v;

	p++; /* '{' */
	while (p < end) {
		p = skip_ws(p, end);
		if (p >= end || *p != '"')
			return 0;
		k = p + 1;
		kend = quoted_end(k, end);
		p = skip_ws(kend + 1, end);
		if (p >= end || *p != ':')
			return 0;
		p = skip_ws(p + 1, end);
		if (p < end && *p == '"') {
			v = p + 1;
			p = quoted_end(v, end);
			*vlen = (size_t)(p - v);
			p++;
		} else {
			v = p;
			while (p < end && *p != ',' && *p != '}' && *p != ' ')
				p++;
			*vlen = (size_t)(p - v);
		}
		if ((size_t)(kend - k) == klen && !memcmp(k, key, klen)) {
			*val = v;
			return 1;
		}
		p = skip_ws(p, end);
		if (p >= end || *p != ',')
			return 0;
		p++;
	}
	return 0;
}

int logline_field(const char *line, size_t len, const char *key,
		  const char **val, size_t *vlen)
{
	const char *end = line + len;

	if (len && end[-1] == '\n')
		end--;
	if (line < end && *line == '{')
		return json_field(line, end, key, val, vlen);
	return kv_field(line, end, key, val, vlen);
}

int logfilter_add_kv(struct logfilter *f, const char *key, const char *val,
		     const char **err)
{
	size_t vlen = strlen(val);
	struct logfilter_term *t;

	if (f->nr >= LOGFILTER_MAX) {
		*err = "too many filters";
		return -EINVAL;
	}
	if (!*key || strlen(key) >= sizeof(t->key) || strpbrk(key, " \"=")) {
		*err = "a field name is a word without spaces, quotes or '='";
		return -EINVAL;
	}
	if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') {
		val++;
		vlen -= 2;
	}
	t = &f->t[f->nr];
	if (vlen >= sizeof(t->val)) {
		*err = "the value is too long";
		return -EINVAL;
	}
	snprintf(t->key, sizeof(t->key), "%s", key);
	memcpy(t->val, val, vlen);
	t->val[vlen] = '\0';
	f->nr++;
	return 0;
}

int logfilter_add(struct logfilter *f, const char *term, const char **err)
{
	const char *eq = strchr(term, '=');
	char key[64];

	if (!eq || eq == term) {
		*err = "a filter is key=value";
		return -EINVAL;
	}
	if ((size_t)(eq - term) >= sizeof(key)) {
		*err = "the field name is too long";
		return -EINVAL;
	}
	memcpy(key, term, (size_t)(eq - term));
	key[eq - term] = '\0';
	return logfilter_add_kv(f, key, eq + 1, err);
}

bool logfilter_match(const struct logfilter *f, const char *line, size_t len)
{
	const char *v;
	size_t vlen;
	unsigned int i;

	for (i = 0; i < f->nr; i++)
		if (!logline_field(line, len, f->t[i].key, &v, &vlen) ||
		    vlen != strlen(f->t[i].val) || memcmp(v, f->t[i].val, vlen))
			return false;
	return true;
}
