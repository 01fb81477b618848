// SPDX-License-Identifier: GPL-2.0
/*
 * Syslog delivery against a TCP server on the loopback that accepts and
 * then does not read: the queue fills, and the lines it drops are said
 * (one daemon message, status "not reading" with the reason), not only
 * counted under a status of "up"; once the server reads again, the
 * episode ends with the count of lines dropped. Lines still queued for a
 * server that is down are said at exit, and go to the new address when a
 * reload moves it.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/internal.h"
#include "daemon/logout.h"
#include "daemon/syslogd.h"

static const struct log_meta traffic_meta = { .cat = LOG_CAT_LOCAL_TRAFFIC,
					      .level = LOG_LEVEL_NOTICE,
					      .logid = "0001000014" };

struct fixture {
	struct daemon d;
	struct pipeline p;
	int lsn, conn;
	int err_fd, saved_err;
	char err_path[64];
};

/* A listener on 127.0.0.1 whose connections take almost nothing. */
static int listener(unsigned int *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0), small = 1024;

	assert_true(fd >= 0);
	assert_int_equal(
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)),
		0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

/* One round of the daemon's loop for syslog, waiting at most @ms. */
static void loop_once(struct fixture *f, int ms)
{
	struct pollfd pfd[SYSLOGD_MAX_FDS];
	int n;

	syslogd_tick(&f->d);
	n = syslogd_pollfds(&f->d, pfd, SYSLOGD_MAX_FDS);
	if (poll(pfd, (nfds_t)n, ms) > 0)
		syslogd_handle(&f->d, pfd, n);
}

/* Not inlined: GCC takes open_memstream's buffer for the local pointer. */
__attribute__((noinline)) static char *status(struct fixture *f)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	syslogd_status(&f->d, out);
	fclose(out);
	return text;
}

static bool status_has(struct fixture *f, const char *part)
{
	char *s = status(f);
	bool yes = strstr(s, part) != NULL;

	free(s);
	return yes;
}

/* The status's count of dropped lines. */
static unsigned long long status_dropped(struct fixture *f)
{
	unsigned long long n = ~0ull;
	char *s = status(f), *p = strstr(s, "dropped ");

	if (p)
		n = strtoull(p + strlen("dropped "), NULL, 10);
	free(s);
	return n;
}

/* What daemon_msg() wrote (to stderr, a file here) so far. */
static char *messages(struct fixture *f)
{
	static char buf[8192];
	ssize_t n;

	fflush(stderr);
	n = pread(f->err_fd, buf, sizeof(buf) - 1, 0);
	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

static int count(const char *text, const char *part)
{
	int n = 0;

	while ((text = strstr(text, part))) {
		n++;
		text += strlen(part);
	}
	return n;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct obj_syslogd *c;
	unsigned int port;

	assert_non_null(f);
	f->lsn = listener(&port);
	f->conn = -1;
	strcpy(f->err_path, "/tmp/localin-syslogd-XXXXXX");
	f->err_fd = mkstemp(f->err_path);
	assert_true(f->err_fd >= 0);
	fflush(stderr);
	f->saved_err = dup(STDERR_FILENO);
	dup2(f->err_fd, STDERR_FILENO);
	setenv("LOCALIN_SYSLOG_QUEUE", "8", 1);

	c = &f->p.objs.syslogd[0];
	c->enabled = true;
	strcpy(c->server, "127.0.0.1");
	c->port = port;
	c->mode = OBJ_SYSLOG_RELIABLE;
	c->facility = 23;
	c->format = OBJ_SYSLOG_FMT_DEFAULT;
	c->severity = 7;
	c->local_traffic = true;
	f->p.objs.eventfilter = (struct obj_eventfilter){ true, true };
	f->d.p = &f->p;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	syslogd_close(&f->d);
	fflush(stderr);
	dup2(f->saved_err, STDERR_FILENO);
	close(f->saved_err);
	close(f->err_fd);
	unlink(f->err_path);
	if (f->conn >= 0)
		close(f->conn);
	if (f->lsn >= 0)
		close(f->lsn);
	free(f);
	return 0;
}

static void test_stalled_server(void **state)
{
	struct fixture *f = *state;
	char line[400], buf[65536];
	unsigned long long dropped;
	const char *p;
	char *text;
	int i;

	memset(line, 'x', sizeof(line));
	memcpy(line, "date=2026-12-06 time=10:00:00 logid=\"0001000014\" ", 50);
	line[sizeof(line) - 1] = '\n';

	for (i = 0; i < 100 && !status_has(f, ": up;"); i++)
		loop_once(f, 20);
	assert_true(status_has(f, ": up;"));
	f->conn = accept(f->lsn, NULL, NULL);
	assert_true(f->conn >= 0);

	/* The server reads nothing: lines pile up until some are dropped. */
	for (i = 0; i < 20000 && status_has(f, "dropped 0,"); i++) {
		log_out(&f->d, line, sizeof(line), &traffic_meta);
		loop_once(f, 0);
	}
	assert_true(i < 20000);
	for (i = 0; i < 50; i++) { /* more drops: still one message */
		log_out(&f->d, line, sizeof(line), &traffic_meta);
		loop_once(f, 0);
	}
	if (count(messages(f), "does not take lines") != 1)
		fail_msg("one message for the episode, not:\n%s", messages(f));
	text = status(f);
	if (!strstr(text, "up (not reading)") ||
	    !strstr(text, "(last: the server does not take lines"))
		fail_msg("status: %s", text);
	free(text);

	/* It reads again: the queue drains, and the end says the count. */
	fcntl(f->conn, F_SETFL, O_NONBLOCK);
	for (i = 0; i < 400 && !strstr(messages(f), "delivering again"); i++) {
		while (read(f->conn, buf, sizeof(buf)) > 0)
			;
		loop_once(f, 10);
	}
	p = strstr(messages(f), "delivering again; ");
	if (!p)
		fail_msg("no end of the episode:\n%s", messages(f));
	assert_int_equal(
		sscanf(p, "delivering again; %llu lines dropped", &dropped), 1);
	assert_int_equal(status_dropped(f), dropped);
	assert_true(status_has(f, ": up;"));
}

/* Lines queued for a server that is down are said at exit, not dropped. */
static void test_queued_at_exit(void **state)
{
	struct fixture *f = *state;
	char line[] = "date=2026-12-06 time=10:00:00 logid=\"0001000014\"\n";
	int i;

	/* The listener goes: the port refuses, the server is down. */
	close(f->lsn);
	f->lsn = -1;
	for (i = 0; i < 100 && !status_has(f, ": down;"); i++)
		loop_once(f, 20);
	assert_true(status_has(f, ": down;"));
	for (i = 0; i < 3; i++)
		log_out(&f->d, line, strlen(line), &traffic_meta);
	assert_true(status_has(f, "queued 3,"));
	syslogd_close(&f->d);
	if (!strstr(messages(f), ": 3 queued log lines not sent at exit"))
		fail_msg("not said at exit:\n%s", messages(f));
}

/*
 * A reload that moves a server which was down (the admin's fix: another
 * address or port, the same mode): the lines queued for it go to the new
 * one, not dropped. Turned off, what is queued is dropped and said.
 */
static void test_destination_change(void **state)
{
	struct fixture *f = *state;
	char line[] = "date=2026-12-06 time=10:00:00 logid=\"0001000014\"\n";
	char buf[4096] = "";
	unsigned int port = f->p.objs.syslogd[0].port;
	size_t got = 0;
	ssize_t n;
	int i, lsn;

	/* The server configured is down (nothing listens on its port). */
	close(f->lsn);
	f->lsn = -1;
	for (i = 0; i < 100 && !status_has(f, ": down;"); i++)
		loop_once(f, 20);
	assert_true(status_has(f, ": down;"));
	for (i = 0; i < 3; i++)
		log_out(&f->d, line, strlen(line), &traffic_meta);
	assert_true(status_has(f, "queued 3,"));

	/* Reload: the right port. */
	lsn = listener(&port);
	f->p.objs.syslogd[0].port = port;
	for (i = 0; i < 100 && !status_has(f, ": up;"); i++)
		loop_once(f, 20);
	f->conn = accept(lsn, NULL, NULL);
	assert_true(f->conn >= 0);
	fcntl(f->conn, F_SETFL, O_NONBLOCK);
	for (i = 0; i < 100 && count(buf, "logid") < 3; i++) {
		loop_once(f, 10);
		n = read(f->conn, buf + got, sizeof(buf) - 1 - got);
		if (n > 0)
			got += (size_t)n;
		buf[got] = '\0';
	}
	assert_int_equal(count(buf, "logid"), 3);
	assert_true(status_has(f, "dropped 0,"));

	/* Turned off with lines queued: dropped, and said. */
	close(f->conn);
	f->conn = -1;
	close(lsn);
	for (i = 0; i < 100 && !status_has(f, ": down;"); i++)
		loop_once(f, 20);
	log_out(&f->d, line, strlen(line), &traffic_meta);
	assert_true(status_has(f, "queued 1,"));
	f->p.objs.syslogd[0].enabled = false;
	syslogd_tick(&f->d);
	if (!strstr(messages(f), ": 1 queued log lines dropped: turned off"))
		fail_msg("not said:\n%s", messages(f));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stalled_server, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_queued_at_exit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_destination_change, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
