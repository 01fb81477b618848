// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes as a line typed at `localin cli`,
 * through the console's own reading of it (src/cli/shell_tok.c): the
 * words for completion and help (sh_tokenize(), into buffers of the
 * shell's size and of a few bytes), the `|` of `show | grep` and the `;`
 * of -c (sh_find_unquoted()), the quote left open (sh_open_quote()), and
 * each word as an abbreviation of the top level's commands. A line that
 * runs is read by the config lexer, which fuzz_conf covers.
 *
 * Every word must lie inside the buffer, terminated; any crash, leak,
 * sanitizer report or abort() is a bug; every one found becomes a case in
 * tests/unit/test_shell.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/shell.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define WORDS_MAX 64

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_shell: %s\n", why);
	abort();
}

static void words(const char *line, size_t size)
{
	static const char *const top[] = { "config", "edit",   "set",
					   "unset",  "next",   "end",
					   "show",   "get",    "abort",
					   "delete", "rename", "purge",
					   "exit",   "quit",   "diagnose",
					   "execute" };
	char *argv[WORDS_MAX], *buf = malloc(size);
	bool partial;
	int n, i;

	if (!buf)
		fail("malloc");
	n = sh_tokenize(line, buf, size, argv, WORDS_MAX, &partial);
	if (n > WORDS_MAX)
		fail("tokenize: more words than room");
	for (i = 0; i < n; i++) {
		if (argv[i] < buf || argv[i] >= buf + size)
			fail("tokenize: a word outside the buffer");
		if (!memchr(argv[i], '\0', (size_t)(buf + size - argv[i])))
			fail("tokenize: a word not terminated");
		sh_keyword(argv[i], top, sizeof(top) / sizeof(top[0]));
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);
	const char *p;

	if (!line)
		fail("malloc");
	memcpy(line, data, size);
	line[size] = '\0';
	words(line, strlen(line) + 1);
	words(line, 4096);
	words(line, 8);
	words(line, 1);
	p = sh_find_unquoted(line, '|');
	if (p && (p < line || *p != '|'))
		fail("find_unquoted: not a |");
	sh_find_unquoted(line, ';');
	sh_open_quote(line);
	free(line);
	return 0;
}
