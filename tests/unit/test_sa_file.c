// SPDX-License-Identifier: GPL-2.0
/*
 * The SA file (ipsec/sa_file.h) as the daemon reads it (SA_FILE_GUARDED)
 * and as replay does: the daemon, root, reads a path the admin group may
 * set (`set path "/etc/shadow"`), so it reads only a file (and links to
 * it) of root or of its own user, and its errors quote no word of the
 * file; replay reads as its user and quotes. Another user's file or link
 * needs root to make (chown): without it, only the first half runs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/diag.h"
#include "dataplane/spi_table.h"
#include "ipsec/sa_file.h"

#define SECRET "root:$y$j9T$s3cr3t:19700:0:99999:7:::"

struct read {
	int err;
	size_t nr;	 /* SAs read */
	char msgs[1024]; /* the messages, one a line */
};

static struct read load(const char *path, unsigned int flags)
{
	struct read r = { 0 };
	struct spi_table t;
	struct diag_list dl;
	struct arena a;
	size_t i, n = 0;

	arena_init(&a);
	diag_init(&dl, &a);
	spi_table_init(&t);
	r.err = sa_file_load(&t, &a, path, flags, &dl);
	r.nr = t.nr;
	for (i = 0; i < dl.nr && n < sizeof(r.msgs); i++)
		n += (size_t)snprintf(r.msgs + n, sizeof(r.msgs) - n,
				      "%u:%u %s\n", dl.items[i].loc.line,
				      dl.items[i].loc.col, dl.items[i].msg);
	spi_table_free(&t);
	arena_free(&a);
	return r;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void test_guarded(void **state)
{
	char dir[] = "/tmp/li-safile-XXXXXX", good[256], bad[256], ln[256];
	struct read r;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(good, sizeof(good), "%s/good.sa", dir);
	snprintf(bad, sizeof(bad), "%s/shadow", dir);
	snprintf(ln, sizeof(ln), "%s/link.sa", dir);
	write_file(good, "# manual keys\n192.0.2.1 0xc0ffee01 192.0.2.2 hq\n"
			 "192.0.2.1 c0ffee02 192.0.2.2 hq 4501\n");
	write_file(bad, SECRET "\n192.0.2.1 0xnothex\n"
			       "192.0.2.1 1 2001:db8::1\n"
			       "192.0.2.1 2 192.0.2.2 hq 0x11\n");

	/* ours: read, guarded or not */
	r = load(good, SA_FILE_GUARDED);
	assert_int_equal(r.err, 0);
	assert_int_equal(r.nr, 2);
	assert_int_equal(load(good, 0).nr, 2);

	/*
	 * ours, but anyone may write it: anyone chose its SPIs. Refused,
	 * its mode named; its group (the admin group) may, replay reads it.
	 */
	assert_int_equal(chmod(good, 0666), 0);
	r = load(good, SA_FILE_GUARDED);
	assert_int_equal(r.err, -EINVAL);
	assert_int_equal(r.nr, 0);
	assert_non_null(strstr(r.msgs, "others may write it (mode 0666)"));
	assert_int_equal(load(good, 0).nr, 2);
	assert_int_equal(chmod(good, 0664), 0);
	assert_int_equal(load(good, SA_FILE_GUARDED).nr, 2);
	assert_int_equal(chmod(good, 0644), 0);

	/* a file that is no SA file: each error placed, nothing quoted */
	r = load(bad, SA_FILE_GUARDED);
	assert_int_equal(r.err, -EINVAL);
	assert_string_equal(
		r.msgs,
		"1:1 expected: DESTINATION SPI [PEER [TUNNEL [NATT-PORT]]]\n"
		"2:11 invalid SPI (expected up to 8 hex digits)\n"
		"3:13 invalid peer address (must be IPv4 like the destination)\n"
		"4:26 invalid NAT-T port (expected 1-65535)\n");
	assert_null(strstr(r.msgs, "s3cr3t"));
	/* replay (its user's own read) quotes the words, as ever */
	r = load(bad, 0);
	assert_int_equal(r.err, -EINVAL);
	assert_non_null(strstr(r.msgs, "invalid SPI \"0xnothex\""));
	assert_non_null(strstr(r.msgs, "invalid NAT-T port \"0x11\""));

	if (geteuid() == 0) {
		/* another user's file: refused, its owner named */
		assert_int_equal(chown(good, 65534, 65534), 0);
		r = load(good, SA_FILE_GUARDED);
		assert_int_equal(r.err, -EINVAL);
		assert_int_equal(r.nr, 0);
		assert_non_null(strstr(r.msgs, good));
		assert_non_null(strstr(r.msgs, "belongs to uid 65534"));
		assert_int_equal(load(good, 0).nr, 2); /* replay: theirs */
		assert_int_equal(chown(good, 0, 0), 0);

		/* root's file through another user's link: refused, named */
		assert_int_equal(symlink(bad, ln), 0);
		assert_int_equal(lchown(ln, 65534, 65534), 0);
		r = load(ln, SA_FILE_GUARDED);
		assert_int_equal(r.err, -EPERM);
		assert_non_null(strstr(r.msgs, "symbolic link"));
		assert_non_null(strstr(r.msgs, "uid 65534"));
		assert_null(strstr(r.msgs, "s3cr3t"));
		/* root's own link is followed */
		assert_int_equal(lchown(ln, 0, 0), 0);
		r = load(ln, SA_FILE_GUARDED);
		assert_int_equal(r.err, -EINVAL);
		assert_non_null(strstr(r.msgs, "2:11 invalid SPI (expected"));
		unlink(ln);
	}
	unlink(good);
	unlink(bad);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guarded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
