// SPDX-License-Identifier: GPL-2.0
/*
 * The alert mail's batch without a server: which lines the filter takes
 * (category mode: IPsec errors; threshold mode: by level), and the bound:
 * lines beyond it are dropped and counted, in `localin status`.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/alertmail.h"
#include "daemon/internal.h"
#include "daemon/logout.h"

static const char esp_line[] =
	"date=2026-12-04 time=10:00:00 logid=\"0101037131\" type=\"event\" subtype=\"vpn\" level=\"error\" spi=\"dead0001\"\n";
static const char traffic_line[] =
	"date=2026-12-04 time=10:00:00 logid=\"0001000014\" type=\"traffic\" subtype=\"local\" level=\"notice\"\n";

static const struct log_meta esp_meta = { .cat = LOG_CAT_EVENT_VPN,
					  .level = LOG_LEVEL_ERROR,
					  .logid = "0101037131" };
static const struct log_meta traffic_meta = { .cat = LOG_CAT_LOCAL_TRAFFIC,
					      .level = LOG_LEVEL_NOTICE,
					      .logid = "0001000014" };

struct fixture {
	struct daemon d;
	struct pipeline p;
};

static void configure(struct fixture *f, bool threshold, unsigned int level)
{
	struct obj_alertmail *m = &f->p.objs.alertmail;
	unsigned int i;

	memset(f, 0, sizeof(*f));
	m->on = true;
	m->from = "fortigate@example.com";
	m->to[0] = "admin@example.com";
	m->nr_to = 1;
	m->threshold = threshold;
	m->level = level;
	m->ipsec_errors = !threshold;
	m->interval_min = 5;
	for (i = 0; i < 8; i++)
		m->level_interval_min[i] = 5;
	m->server = "192.0.2.25";
	m->port = 25;
	f->d.p = &f->p;
	alertmail_configure(&f->d);
	assert_non_null(f->d.am);
}

static char *status(struct fixture *f)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	alertmail_status(&f->d, out);
	fclose(out);
	return text;
}

static void expect_status(struct fixture *f, const char *part)
{
	char *s = status(f);

	if (!strstr(s, part))
		fail_msg("status \"%s\" lacks \"%s\"", s, part);
	free(s);
}

static void test_category(void **state)
{
	struct fixture f;

	(void)state;
	configure(&f, false, 0);
	alertmail_offer(&f.d, esp_line, strlen(esp_line), &esp_meta);
	alertmail_offer(&f.d, traffic_line, strlen(traffic_line),
			&traffic_meta);
	expect_status(
		&f,
		"alert mail: to admin@example.com via smtp://192.0.2.25:25/");
	expect_status(&f, ": 0 sent (0 lines), 1 lines pending, 0 dropped");
	/* a batch is due in email-interval: nothing to do before */
	assert_true(alertmail_timeout_ms(&f.d) > 0);
	alertmail_close(&f.d);
	assert_null(f.d.am);
}

/* violation-traffic-logs: the denied traffic lines, not the accepted. */
static void test_violation(void **state)
{
	struct log_meta deny = traffic_meta;
	struct fixture f;

	(void)state;
	configure(&f, false, 0);
	alertmail_offer(&f.d, traffic_line, strlen(traffic_line), &deny);
	expect_status(&f, ": 0 sent (0 lines), 0 lines pending, 0 dropped");
	alertmail_close(&f.d);

	f.p.objs.alertmail.violation = true;
	f.d.p = &f.p;
	alertmail_configure(&f.d);
	alertmail_offer(&f.d, traffic_line, strlen(traffic_line),
			&traffic_meta);
	expect_status(&f, ": 0 sent (0 lines), 0 lines pending, 0 dropped");
	deny.deny = true;
	alertmail_offer(&f.d, traffic_line, strlen(traffic_line), &deny);
	expect_status(&f, ": 0 sent (0 lines), 1 lines pending, 0 dropped");
	alertmail_close(&f.d);
}

static void test_threshold(void **state)
{
	struct fixture f;

	(void)state;
	configure(&f, true, LOG_LEVEL_NOTICE);
	alertmail_offer(&f.d, esp_line, strlen(esp_line), &esp_meta);
	alertmail_offer(&f.d, traffic_line, strlen(traffic_line),
			&traffic_meta);
	expect_status(&f, "2 lines pending");
	alertmail_close(&f.d);
	configure(&f, true, LOG_LEVEL_ALERT); /* the default: neither */
	alertmail_offer(&f.d, esp_line, strlen(esp_line), &esp_meta);
	alertmail_offer(&f.d, traffic_line, strlen(traffic_line),
			&traffic_meta);
	expect_status(&f, "0 lines pending");
	alertmail_close(&f.d);
}

static void test_bound(void **state)
{
	struct fixture f;
	int i;

	(void)state;
	configure(&f, false, 0);
	for (i = 0; i < 600; i++)
		alertmail_offer(&f.d, esp_line, strlen(esp_line), &esp_meta);
	expect_status(&f, "500 lines pending, 100 dropped");
	alertmail_close(&f.d);
}

static void test_off(void **state)
{
	struct fixture f;

	(void)state;
	configure(&f, false, 0);
	alertmail_offer(&f.d, esp_line, strlen(esp_line), &esp_meta);
	/* a reload that turns it off: the line is counted, not kept */
	f.p.objs.alertmail.on = false;
	alertmail_configure(&f.d);
	expect_status(&f, "alert mail: off");
	alertmail_offer(&f.d, esp_line, strlen(esp_line), &esp_meta);
	assert_int_equal(alertmail_timeout_ms(&f.d), -1);
	alertmail_close(&f.d);
}

/* A loopback port nothing listens on: a try there is refused at once. */
static unsigned int closed_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	close(fd);
	return ntohs(sin.sin_port);
}

/* The daemon's loop for alert mail until @done, or 5 s. */
static void run_until(struct fixture *f, bool (*done)(struct fixture *))
{
	struct pollfd pfd[ALERTMAIL_MAX_FDS];
	int i, n, ms;

	for (i = 0; i < 500 && !done(f); i++) {
		alertmail_tick(&f->d);
		n = alertmail_pollfds(&f->d, pfd, ALERTMAIL_MAX_FDS);
		ms = alertmail_timeout_ms(&f->d);
		if (poll(pfd, (nfds_t)n, ms < 0 || ms > 10 ? 10 : ms) > 0)
			alertmail_handle(&f->d, pfd, n);
	}
	assert_true(done(f));
}

static bool one_failure(struct fixture *f)
{
	char *s = status(f);
	bool yes = strstr(s, " 1 failed tries") != NULL;

	free(s);
	return yes;
}

/*
 * A mail that failed waits out its backoff; a reload that changes the
 * server (the admin's fix) has it tried at once, not up to 10 min later.
 * An unrelated reload leaves the backoff as it was.
 */
static void test_retry_after_reload(void **state)
{
	struct fixture f;
	char server[] = "127.0.0.1";

	(void)state;
	configure(&f, false, 0);
	f.p.objs.alertmail.server = server;
	f.p.objs.alertmail.port = closed_port();
	f.p.objs.alertmail.interval_min = 0; /* the batch goes at once */
	alertmail_configure(&f.d);
	alertmail_offer(&f.d, esp_line, strlen(esp_line), &esp_meta);
	run_until(&f, one_failure);
	expect_status(&f, "1 lines pending");
	/* retried after 10 s, not before */
	assert_true(alertmail_timeout_ms(&f.d) > 5000);
	alertmail_configure(&f.d); /* the same settings: no change */
	assert_true(alertmail_timeout_ms(&f.d) > 5000);
	f.p.objs.alertmail.port++; /* the admin's fix */
	alertmail_configure(&f.d);
	assert_int_equal(alertmail_timeout_ms(&f.d), 0);
	alertmail_close(&f.d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_category),
		cmocka_unit_test(test_violation),
		cmocka_unit_test(test_threshold),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_off),
		cmocka_unit_test(test_retry_after_reload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
