// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes as an SA file (src/ipsec/sa_file.c:
 * replay's --sa-file, the daemon's `type file` SA source), read both ways:
 * as replay reads it (errors quote the word) and as the daemon does
 * (SA_FILE_GUARDED: errors only say where). A refused file must say why;
 * every SA in the table must be believable (family 4 or 6, terminated
 * tunnel name).
 *
 * Any crash, leak, sanitizer report or abort() is a bug; every one found
 * becomes a case in tests/unit/test_sa_file.c.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipsec/sa_file.h"
#include "util/arena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_sa_file: %s\n", why);
	abort();
}

static void load(const char *path, unsigned int flags)
{
	struct spi_table t;
	struct diag_list dl;
	struct arena a;
	size_t i;
	int r;

	arena_init(&a);
	diag_init(&dl, &a);
	spi_table_init(&t);
	r = sa_file_load(&t, &a, path, flags, &dl);
	if (r && !dl.errors)
		fail("refused without an error");
	for (i = 0; i < t.size; i++) {
		const struct sa_entry *sa = &t.slots[i];

		if (!sa->family)
			continue;
		if (sa->family != 4 && sa->family != 6)
			fail("SA: family");
		if (!memchr(sa->tunnel, '\0', sizeof(sa->tunnel)))
			fail("SA: tunnel name not terminated");
	}
	spi_table_free(&t);
	arena_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	int fd;

	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/a4y-fuzz-sa-%d",
			 (int)getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		fail("writing the SA file");
	close(fd);
	load(path, 0);
	load(path, SA_FILE_GUARDED);
	unlink(path);
	return 0;
}
