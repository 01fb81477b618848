// SPDX-License-Identifier: GPL-2.0
/*
 * The words of a line as the shell sees them while it is typed: for
 * completion and help, and to find the `|` of `show | grep`. A line that
 * runs is read by the config lexer itself (shell_exec.c), so a value is
 * quoted the same way in the shell as in the file.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "cli/shell.h"
#include "util/keyword.h"

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int sh_tokenize(const char *line, char *buf, size_t size, char **argv, int max,
		bool *partial)
{
	const char *p = line;
	char *o = buf, *end = buf + size - 1;
	int n = 0;

	*partial = false;
	for (;;) {
		char quote = 0;

		while (blank(*p))
			p++;
		if (!*p)
			break;
		if (n == max)
			return -E2BIG;
		argv[n++] = o;
		*partial = true;
		while (*p && (quote || !blank(*p))) {
			if (!quote && (*p == '"' || *p == '\'')) {
				quote = *p++;
				continue;
			}
			if (quote && *p == quote) {
				quote = 0;
				p++;
				continue;
			}
			if (*p == '\\' && p[1])
				p++;
			if (o < end)
				*o++ = *p;
			p++;
		}
		*o = '\0';
		if (o < end)
			o++;
		/* A closed word followed by a blank is complete. */
		if (!quote && *p)
			*partial = false;
	}
	return n;
}

const char *sh_find_unquoted(const char *s, char c)
{
	char quote = 0;

	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			continue;
		}
		if (quote) {
			if (*s == quote)
				quote = 0;
		} else if (*s == '"' || *s == '\'') {
			quote = *s;
		} else if (*s == c) {
			return s;
		}
	}
	return NULL;
}

char sh_open_quote(const char *s)
{
	char quote = 0;

	for (; *s; s++) {
		if (*s == '\\' && s[1])
			s++;
		else if (quote && *s == quote)
			quote = 0;
		else if (!quote && (*s == '"' || *s == '\''))
			quote = *s;
	}
	return quote;
}

int sh_keyword(const char *word, const char *const *words, int n)
{
	return keyword_index(word, words, n);
}
