/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Prometheus endpoint (`config system metrics`): GET /metrics answers
 * the daemon's counters in the text exposition format.
 *
 * libmicrohttpd in external polling mode, on its epoll fd: the daemon's
 * loop polls that one fd and runs the server (MHD_run(), which never
 * waits) when it is ready or a connection's timeout is due, so the
 * counters are read in the loop's own thread, with no lock and no second
 * thread. A client that stalls costs a connection slot until its timeout
 * (METRICS_CONN_TIMEOUT_S), never the loop's time; at METRICS_CONN_MAX
 * open connections new ones wait in the kernel's backlog.
 */
#ifndef LOCALIN_DAEMON_METRICS_H
#define LOCALIN_DAEMON_METRICS_H

#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include <linux/types.h>

#include "ipsec/retry.h"
#include "objects/objects.h"

#define METRICS_CONN_MAX 16
#define METRICS_CONN_TIMEOUT_S 5

struct daemon;
struct log_output_stat;
struct MHD_Daemon;

struct daemon_metrics {
	struct MHD_Daemon *mhd;	 /* NULL: not serving */
	int epoll_fd;		 /* mhd's, -1 when not serving */
	struct obj_metrics conf; /* what the config in force asks for */
	bool configured;	 /* conf was set once */
	char err[192];		 /* why it does not listen, or "" */
	struct sa_retry retry;	 /* when to try listening again */
	__u64 run_at_ms;	 /* a connection's timeout is due (0: none) */
	__u64 scrapes;		 /* answers to GET /metrics */
	time_t started;		 /* the daemon's start */
};

/*
 * Serve what the config in force asks for: at start, and after a reload
 * (a change of address or port rebinds). A failure to listen is said on
 * @msgs (the reload's answer), or by daemon_msg() if NULL, and tried again
 * with a backoff; enforcement goes on either way.
 */
void metrics_configure(struct daemon *d, FILE *msgs);
void metrics_close(struct daemon *d);
/* The loop: 1 with @pfd set when serving, else 0. */
int metrics_pollfd(struct daemon *d, struct pollfd *pfd);
/* After the poll: @pfd as metrics_pollfd() set it (or NULL). */
void metrics_handle(struct daemon *d, const struct pollfd *pfd);
/* Milliseconds until metrics_handle() has something to do, or -1. */
int metrics_timeout_ms(struct daemon *d);
/* `localin status`'s line. */
void metrics_status(struct daemon *d, FILE *out);
void metrics_status_json(struct daemon *d, FILE *out);
/*
 * Every output of log lines (the log sink, the daemon's messages, each
 * syslog server, alert mail), for the metrics and status -j: at most
 * @max filled in, their number returned.
 */
size_t metrics_log_outputs(struct daemon *d, struct log_output_stat *out,
			   size_t max);
/* The exposition text of every counter (what GET /metrics answers). */
void metrics_write(struct daemon *d, FILE *out);

#endif
