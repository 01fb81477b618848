// SPDX-License-Identifier: GPL-2.0
/*
 * The log file: rolling by size (`config log disk setting`) without a
 * line lost or split, `diskfull overwrite`, and reading lines back
 * (the filters of `localin log show` and `execute log filter field`).
 */
#include <errno.h>
#include <fcntl.h>
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

#include "daemon/logfile.h"
#include "daemon/sink.h"
#include "objects/objects.h"
#include "log/logline.h"

static char dir[] = "/tmp/localin-roll-XXXXXX";
static char path[256];

static int make_dir(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/log", dir);
	return 0;
}

static int remove_dir(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static long file_len(const char *p)
{
	struct stat st;

	return stat(p, &st) ? -1 : (long)st.st_size;
}

/* Lines "line N ...\n" in FILE.keep .. FILE.1, FILE: consecutive, whole. */
static unsigned int check_files(unsigned int keep, unsigned int first, long max)
{
	unsigned int next = first, n, i;
	char name[300], buf[512];
	FILE *f;

	for (i = keep + 1; i-- > 0;) {
		if (i)
			snprintf(name, sizeof(name), "%s.%u", path, i);
		else
			snprintf(name, sizeof(name), "%s", path);
		f = fopen(name, "r");
		assert_non_null(f);
		assert_true(file_len(name) <= max);
		while (fgets(buf, sizeof(buf), f)) {
			assert_int_equal(buf[strlen(buf) - 1], '\n');
			assert_int_equal(sscanf(buf, "line %u pad", &n), 1);
			assert_int_equal(n, next);
			next++;
		}
		fclose(f);
	}
	return next;
}

/*
 * 20000 lines through a file rolled at 16 KiB keeping 3: FILE.4 never
 * appears, each file stays under the size, and the last files hold the
 * last lines, each whole and in order.
 */
static void test_roll_by_size(void **state)
{
	struct sink_roll r = { .max_bytes = 16384, .keep = 3 };
	char line[128], name[300];
	struct log_sink s;
	unsigned int i, first;
	int len;

	(void)state;
	assert_int_equal(sink_open(&s, path, NULL), 0);
	sink_set_roll(&s, &r);
	for (i = 0; i < 20000; i++) {
		len = snprintf(line, sizeof(line), "line %u pad%*s\n", i,
			       (int)(i % 50), "");
		assert_int_equal(sink_write(&s, line, (size_t)len, 1), 0);
	}
	assert_true(s.rolls > 30);
	assert_int_equal(s.lines, 20000);
	snprintf(name, sizeof(name), "%s.4", path);
	assert_int_equal(file_len(name), -1);
	/* Where the oldest file kept starts, from its first line. */
	snprintf(name, sizeof(name), "%s.3", path);
	{
		FILE *f = fopen(name, "r");

		assert_non_null(f);
		assert_int_equal(fscanf(f, "line %u", &first), 1);
		fclose(f);
	}
	assert_int_equal(check_files(3, first, 16384), 20000);
	sink_close(&s);
}

/* A file larger than the size at start rolls before the first line. */
static void test_roll_existing(void **state)
{
	struct sink_roll r = { .max_bytes = 100, .keep = 2 };
	char name[300];
	struct log_sink s;
	FILE *f;

	(void)state;
	unlink(path);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%0199d\n", 0);
	fclose(f);
	assert_int_equal(sink_open(&s, path, NULL), 0);
	sink_set_roll(&s, &r);
	assert_int_equal(sink_write(&s, "new\n", 4, 1), 0);
	assert_int_equal(file_len(path), 4);
	snprintf(name, sizeof(name), "%s.1", path);
	assert_int_equal(file_len(name), 200);
	/* roll-schedule: now, then not again while the file is empty. */
	assert_int_equal(sink_roll_now(&s), 1);
	assert_int_equal(sink_roll_now(&s), 0);
	assert_int_equal(file_len(name), 4);
	sink_close(&s);
}

static int says;

static void count_say(const char *fmt, ...)
{
	(void)fmt;
	says++;
}

/*
 * Disk full with `diskfull overwrite`: the rolled files go, oldest first,
 * and the line is tried again each time; with none left, lines are lost
 * and counted as with `nolog`.
 */
static void test_diskfull_overwrite(void **state)
{
	struct sink_roll r = { .max_bytes = 10, .keep = 2, .overwrite = true };
	char one[300], two[300];
	struct log_sink s;
	int full, good;

	(void)state;
	full = open("/dev/full", O_WRONLY);
	if (full < 0)
		skip();
	unlink(path);
	assert_int_equal(sink_open(&s, path, count_say), 0);
	sink_set_roll(&s, &r);
	assert_int_equal(sink_write(&s, "aaaaaaaa\n", 9, 1), 0);
	assert_int_equal(sink_write(&s, "bbbbbbbb\n", 9, 1), 0);
	assert_int_equal(sink_write(&s, "cccccccc\n", 9, 1), 0);
	snprintf(one, sizeof(one), "%s.1", path);
	snprintf(two, sizeof(two), "%s.2", path);
	assert_int_equal(file_len(two), 9);
	good = dup(s.fd);
	dup2(full, s.fd); /* the disk fills up */
	says = 0;
	assert_int_equal(sink_write(&s, "dd\n", 3, 1), -ENOSPC);
	assert_int_equal(s.dropped_files, 2);
	assert_int_equal(file_len(two), -1);
	assert_int_equal(file_len(one), -1);
	assert_int_equal(s.lost, 1);
	assert_int_equal(says, 1);
	dup2(good, s.fd);
	assert_int_equal(sink_write(&s, "ee\n", 3, 1), 0);
	sink_close(&s);
	close(good);
	close(full);
}

/* roll-time: daily, weekly on roll-days, none; in the local zone. */
/* The whole of a small file, or "" if there is none. */
static const char *contents(const char *p)
{
	static char buf[256];
	FILE *f = fopen(p, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

/*
 * The file deleted under the daemon (rm, a cleanup script): the next
 * line goes to a new file under the name, not to the deleted one nobody
 * can read; if the directory went too, that is said once, and the name
 * is tried again (at most once a second) until it can be created.
 */
static void test_deleted(void **state)
{
	char sub[300], file[320];
	struct log_sink s;

	(void)state;
	snprintf(sub, sizeof(sub), "%s/gone", dir);
	snprintf(file, sizeof(file), "%s/log", sub);
	assert_int_equal(mkdir(sub, 0700), 0);
	says = 0;
	assert_int_equal(sink_open(&s, file, count_say), 0);
	assert_int_equal(sink_write(&s, "one\n", 4, 1), 0);
	assert_int_equal(unlink(file), 0);
	s.gone_check_ms = 0; /* not a second later: now */
	assert_int_equal(sink_write(&s, "two\n", 4, 1), 0);
	assert_string_equal(contents(file), "two\n");
	assert_int_equal(says, 1);

	/* The directory too: said once, lines still written somewhere. */
	assert_int_equal(unlink(file), 0);
	assert_int_equal(rmdir(sub), 0);
	s.gone_check_ms = 0;
	assert_int_equal(sink_write(&s, "three\n", 6, 1), 0);
	s.gone_check_ms = 0;
	assert_int_equal(sink_write(&s, "four\n", 5, 1), 0);
	assert_int_equal(says, 2);
	/* It is back: the next check opens a new file there. */
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(sink_write(&s, "five\n", 5, 1), 0);
	assert_string_equal(contents(file), ""); /* not a second yet */
	s.gone_check_ms = 0;
	assert_int_equal(sink_write(&s, "six\n", 4, 1), 0);
	assert_string_equal(contents(file), "six\n");
	assert_int_equal(says, 3);
	sink_close(&s);
}

/*
 * Root opens the log again at each roll, reload and deletion: a file of
 * another user put under the name meanwhile (in /tmp, right after a roll
 * renamed ours away), or a second name of another file (a hard link), is
 * refused and said, and the lines go on to the file already open.
 */
static void test_not_ours(void **state)
{
	char theirs[300], target[300], linked[300], mine[300], old[310];
	struct log_sink s;
	int fd;

	(void)state;
	if (geteuid()) {
		skip(); /* chown to another user needs root */
		return;
	}
	snprintf(theirs, sizeof(theirs), "%s/theirs", dir);
	fd = open(theirs, O_WRONLY | O_CREAT | O_EXCL, 0666);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chown(theirs, 65534, 65534), 0);
	says = 0;
	assert_int_equal(sink_open(&s, theirs, count_say), -EPERM);
	assert_int_equal(says, 1);
	sink_close(&s);

	snprintf(target, sizeof(target), "%s/target", dir);
	snprintf(linked, sizeof(linked), "%s/linked", dir);
	fd = open(target, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(link(target, linked), 0);
	assert_int_equal(sink_open(&s, linked, count_say), -EPERM);
	assert_int_equal(says, 2);
	sink_close(&s);
	assert_int_equal(file_len(target), 0);

	/* Ours moved away, another user's file under the name: kept ours. */
	snprintf(mine, sizeof(mine), "%s/mine", dir);
	snprintf(old, sizeof(old), "%s.1", mine);
	assert_int_equal(sink_open(&s, mine, count_say), 0);
	assert_int_equal(sink_write(&s, "one\n", 4, 1), 0);
	assert_int_equal(rename(mine, old), 0);
	assert_int_equal(rename(theirs, mine), 0);
	assert_int_equal(sink_reopen(&s), -EPERM);
	assert_int_equal(says, 3);
	assert_int_equal(sink_write(&s, "two\n", 4, 1), 0);
	assert_string_equal(contents(mine), "");
	assert_string_equal(contents(old), "one\ntwo\n");
	sink_close(&s);
}

static void test_next_roll(void **state)
{
	struct obj_log_disk ld = { .set = true, .roll_min = 3 * 60 + 30 };
	time_t mon_noon = 1705320000; /* 2024-01-15 12:00 UTC, a Monday */

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	assert_int_equal(logfile_next_roll(&ld, mon_noon),
			 mon_noon + 15 * 3600 + 1800); /* Tue 03:30 */
	ld.weekly = true;
	ld.roll_days = 1u << 5 | 1u << 6; /* friday, saturday */
	assert_int_equal(logfile_next_roll(&ld, mon_noon),
			 mon_noon + 3 * 86400 + 15 * 3600 + 1800); /* Fri */
	ld.roll_days = 1u << 1; /* monday: next week's */
	assert_int_equal(logfile_next_roll(&ld, mon_noon),
			 mon_noon + 6 * 86400 + 15 * 3600 + 1800);
	/* Berlin: 03:30 local is 02:30 UTC in winter. */
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	ld.weekly = false;
	assert_int_equal(logfile_next_roll(&ld, mon_noon),
			 mon_noon + 14 * 3600 + 1800);
	ld.roll_min = -1;
	assert_int_equal(logfile_next_roll(&ld, mon_noon), 0);
	setenv("TZ", "UTC", 1);
	tzset();
}

/*
 * The wall clock set back a day after the next roll-time was found: the
 * roll comes at tonight's time, not a day late when the clock is back
 * where it was.
 */
static void test_roll_clock_set_back(void **state)
{
	struct obj_log_disk ld = { .set = true, .roll_min = 0 };
	time_t mon_noon = 1705320000; /* 2024-01-15 12:00 UTC, a Monday */
	time_t from = mon_noon, at;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	at = logfile_next_roll(&ld, from); /* Tue 00:00 */
	assert_false(logfile_roll_due(&ld, &at, &from, mon_noon + 3600));
	/* date -s: back to Sunday noon; the roll is Monday 00:00. */
	assert_false(logfile_roll_due(&ld, &at, &from, mon_noon - 86400));
	assert_int_equal(at, mon_noon - 12 * 3600);
	assert_true(logfile_roll_due(&ld, &at, &from, mon_noon - 12 * 3600));
	assert_int_equal(at, mon_noon + 12 * 3600);
	assert_false(logfile_roll_due(&ld, &at, &from, mon_noon));
	/* Set forward: the roll passed comes with the next line, once. */
	assert_true(logfile_roll_due(&ld, &at, &from, mon_noon + 3 * 86400));
	assert_false(logfile_roll_due(&ld, &at, &from, mon_noon + 3 * 86400));
	at = 0;
	assert_false(logfile_roll_due(&ld, &at, &from, 0));
}

/* --- reading lines back ------------------------------------------------ */

static const char kv[] =
	"date=2024-01-15 time=13:34:56 logid=\"0001000014\" type=\"traffic\" "
	"subtype=\"local\" srcip=203.0.113.5 action=\"deny\" policyid=1 "
	"msg=\"say \\\"hi\\\" x=1\" service=\"IKE\"\n";
static const char js[] =
	"{\"date\":\"2024-01-15\",\"logid\":\"0001000014\",\"type\":\"traffic\","
	"\"srcip\":\"203.0.113.5\",\"action\":\"deny\",\"policyid\":1}\n";

static void expect_field(const char *line, const char *key, const char *want)
{
	const char *v;
	size_t n;

	if (!want) {
		assert_int_equal(logline_field(line, strlen(line), key, &v, &n),
				 0);
		return;
	}
	assert_int_equal(logline_field(line, strlen(line), key, &v, &n), 1);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(v, want, n);
}

static void test_fields(void **state)
{
	(void)state;
	expect_field(kv, "date", "2024-01-15");
	expect_field(kv, "logid", "0001000014");
	expect_field(kv, "policyid", "1");
	expect_field(kv, "service", "IKE"); /* after an escaped quote */
	expect_field(kv, "msg", "say \\\"hi\\\" x=1");
	expect_field(kv, "x", NULL); /* inside a quoted value: not a field */
	expect_field(kv, "type", "traffic");
	expect_field(kv, "typ", NULL); /* a prefix is not the key */
	expect_field(kv, "subtype", "local");
	expect_field(js, "action", "deny");
	expect_field(js, "policyid", "1");
	expect_field(js, "srcip", "203.0.113.5");
	expect_field(js, "vd", NULL);
}

static void test_filter(void **state)
{
	struct logfilter f = { 0 };
	const char *err = NULL;

	(void)state;
	assert_true(logfilter_match(&f, kv, strlen(kv)));
	assert_int_equal(logfilter_add(&f, "action=deny", &err), 0);
	assert_int_equal(logfilter_add(&f, "srcip=\"203.0.113.5\"", &err), 0);
	assert_true(logfilter_match(&f, kv, strlen(kv)));
	assert_true(logfilter_match(&f, js, strlen(js)));
	assert_int_equal(logfilter_add(&f, "policyid=2", &err), 0);
	assert_false(logfilter_match(&f, kv, strlen(kv)));
	assert_false(logfilter_match(&f, js, strlen(js)));
	memset(&f, 0, sizeof(f));
	assert_int_equal(logfilter_add(&f, "action=de", &err), 0);
	assert_false(logfilter_match(&f, kv, strlen(kv))); /* exact */
	assert_int_equal(logfilter_add(&f, "nokey", &err), -EINVAL);
	assert_string_equal(err, "a filter is key=value");
	assert_int_equal(logfilter_add(&f, "=x", &err), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roll_by_size),
		cmocka_unit_test(test_roll_existing),
		cmocka_unit_test(test_diskfull_overwrite),
		cmocka_unit_test(test_deleted),
		cmocka_unit_test(test_not_ours),
		cmocka_unit_test(test_next_roll),
		cmocka_unit_test(test_roll_clock_set_back),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_filter),
	};

	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
