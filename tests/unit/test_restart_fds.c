// SPDX-License-Identifier: GPL-2.0
/*
 * The fds a restart hands over in the environment (daemon/restart_fds.c):
 * each taken only as an fd number above stderr, open, of its kind, its
 * variable unset; an older build's option taken over a stale variable;
 * what another build named closed; every fd left close-on-exec; and the
 * environment the exec passes on.
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
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/internal.h"

static char *said;
static size_t said_len;

/* daemon_restart_take_fds() as a new image with @o, what it said in said. */
static void take(struct daemon *d, const struct daemon_opts *o)
{
	memset(d, 0, sizeof(*d));
	d->o = o;
	free(said);
	said = NULL;
	daemon_msg_copy = open_memstream(&said, &said_len);
	assert_non_null(daemon_msg_copy);
	daemon_restart_take_fds(d);
	daemon_restart_say_fds();
	fclose(daemon_msg_copy);
	daemon_msg_copy = NULL;
}

static bool is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static bool cloexec_set(int fd)
{
	return fcntl(fd, F_GETFD) & FD_CLOEXEC;
}

static void setenv_fd(const char *name, int fd)
{
	char val[16];

	snprintf(val, sizeof(val), "%d", fd);
	setenv(name, val, 1);
}

static const struct daemon_opts no_opts = { .restart_fd = -1,
					    .ctl_fd = -1,
					    .trace_fd = -1 };

static void test_taken_from_env(void **state)
{
	struct daemon d;
	int sv[2], trace = memfd_create("q", 0);

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	setenv_fd(RESTART_CTL_ENV, sv[0]);
	setenv_fd(RESTART_TRACE_ENV, trace);
	take(&d, &no_opts);
	assert_int_equal(d.handed_ctl_fd, sv[0]);
	assert_int_equal(d.handed_trace_fd, trace);
	assert_null(getenv(RESTART_CTL_ENV));
	assert_null(getenv(RESTART_TRACE_ENV));
	/* not to be handed to anything the daemon runs */
	assert_true(cloexec_set(sv[0]) && cloexec_set(sv[1]));
	assert_true(cloexec_set(trace));
	assert_int_equal(said_len, 0); /* nothing to say */
	close(sv[0]);
	close(sv[1]);
	close(trace);
}

static void test_bad_values_ignored(void **state)
{
	static const char *const bad[] = { "",	"x",	       "5x", "-4",
					   "2", "99999999999", " 7" };
	struct daemon d;
	int pfd[2], closed_fd;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv(RESTART_CTL_ENV, bad[i], 1);
		take(&d, &no_opts);
		assert_int_equal(d.handed_ctl_fd, -1);
		assert_null(getenv(RESTART_CTL_ENV));
		assert_non_null(said);
		assert_non_null(
			strstr(said, "is not an fd number above 2: ignored"));
	}
	/* a number, but no open fd */
	assert_int_equal(pipe(pfd), 0);
	closed_fd = pfd[0];
	close(pfd[0]);
	setenv_fd(RESTART_CTL_ENV, closed_fd);
	take(&d, &no_opts);
	assert_int_equal(d.handed_ctl_fd, -1);
	assert_non_null(strstr(said, "is not an open fd of a socket: ignored"));
	/* open, of another kind: kept (not ours to close), close-on-exec */
	setenv_fd(RESTART_CTL_ENV, pfd[1]);
	setenv_fd(RESTART_TRACE_ENV, pfd[1]);
	take(&d, &no_opts);
	assert_int_equal(d.handed_ctl_fd, -1);
	assert_int_equal(d.handed_trace_fd, -1);
	assert_non_null(strstr(said, "is not an open fd of a file: ignored"));
	assert_true(is_open(pfd[1]) && cloexec_set(pfd[1]));
	close(pfd[1]);
}

/* A restart from an older build: --ctl-fd, --trace-fd. */
static void test_older_build_options(void **state)
{
	struct daemon_opts o = no_opts;
	struct daemon d;
	int sv[2], stale[2], trace = memfd_create("q", 0);

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, stale), 0);
	o.ctl_fd = sv[0];
	o.trace_fd = trace;
	/* handed over to the older build, which did not take it */
	setenv_fd(RESTART_CTL_ENV, stale[0]);
	take(&d, &o);
	assert_int_equal(d.handed_ctl_fd, sv[0]);
	assert_int_equal(d.handed_trace_fd, trace);
	assert_false(is_open(stale[0]));
	assert_null(getenv(RESTART_CTL_ENV));
	/* an option naming no fd of its kind */
	o.ctl_fd = trace;
	o.trace_fd = -1;
	take(&d, &o);
	assert_int_equal(d.handed_ctl_fd, -1);
	assert_non_null(strstr(said, "not open, or not a socket: ignored"));
	close(sv[0]);
	close(sv[1]);
	close(stale[1]);
	close(trace);
}

/* What a newer build named and this one does not know: closed. */
static void test_unknown_closed(void **state)
{
	struct daemon d;
	int pfd[2], pfd2[2];

	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(pipe(pfd2), 0);
	setenv_fd("LOCALIN_NEWER_FD", pfd[0]);
	setenv("LOCALIN_SYSLOG_QUEUE", "5", 1);
	setenv_fd("LOCALIN_FD", pfd2[0]);
	take(&d, &no_opts);
	assert_false(is_open(pfd[0]));
	assert_null(getenv("LOCALIN_NEWER_FD"));
	assert_non_null(strstr(said, "LOCALIN_NEWER_FD="));
	assert_non_null(strstr(said, "is not this build's: closed"));
	/* not a handover's name: left alone */
	assert_string_equal(getenv("LOCALIN_SYSLOG_QUEUE"), "5");
	assert_true(is_open(pfd2[0]) && cloexec_set(pfd2[0]));
	unsetenv("LOCALIN_SYSLOG_QUEUE");
	unsetenv("LOCALIN_FD");
	close(pfd[1]);
	close(pfd2[0]);
	close(pfd2[1]);
}

static void test_exec_env(void **state)
{
	char ctl[] = RESTART_CTL_ENV "=7", trace[] = RESTART_TRACE_ENV "=8";
	char **env;
	int i, nr_ctl = 0, nr_trace = 0, other = 0;

	setenv(RESTART_CTL_ENV, "3", 1);
	setenv("Q1_OTHER", "x", 1);
	env = daemon_restart_env(ctl, trace);
	assert_non_null(env);
	for (i = 0; env[i]; i++) {
		nr_ctl += !strncmp(env[i], RESTART_CTL_ENV "=", 15);
		nr_trace += !strncmp(env[i], RESTART_TRACE_ENV "=", 17);
		other += !strcmp(env[i], "Q1_OTHER=x");
		assert_true(strcmp(env[i], RESTART_CTL_ENV "=3"));
	}
	assert_int_equal(nr_ctl, 1);
	assert_int_equal(nr_trace, 1);
	assert_int_equal(other, 1);
	free(env);
	env = daemon_restart_env(NULL, NULL);
	for (i = 0; env[i]; i++)
		assert_true(strncmp(env[i], "LOCALIN_CTL_FD=", 15));
	free(env);
	unsetenv(RESTART_CTL_ENV);
	unsetenv("Q1_OTHER");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_taken_from_env),
		cmocka_unit_test(test_bad_values_ignored),
		cmocka_unit_test(test_older_build_options),
		cmocka_unit_test(test_unknown_closed),
		cmocka_unit_test(test_exec_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
