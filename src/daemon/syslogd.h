/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Syslog delivery (`config log syslogd setting` and syslogd2..4): each
 * log line that passes a server's filter is formatted (default, csv, cef,
 * rfc5424, json), framed for its mode (udp: one datagram; reliable: TCP
 * with RFC 6587 octet counting; legacy-reliable: TCP, one line a record)
 * and queued; the daemon's loop sends it without ever blocking. A server
 * that is down, refuses, or whose name does not resolve costs a bounded
 * queue (whole records; the newest dropped and counted), one daemon
 * message per failure episode and retries with backoff; `localin status`
 * shows a `syslog:` line per server.
 */
#ifndef LOCALIN_DAEMON_SYSLOGD_H
#define LOCALIN_DAEMON_SYSLOGD_H

#include <poll.h>
#include <stddef.h>
#include <stdio.h>

struct daemon;
struct log_output_stat;
struct log_meta;

/* At most one fd a server. */
#define SYSLOGD_MAX_FDS 4

/* Records a server's queue holds (LOCALIN_SYSLOG_QUEUE overrides it). */
#define SYSLOGD_QUEUE_DEFAULT 4096

/* One log line to every enabled server whose filter takes it. */
void syslogd_offer(struct daemon *d, const char *line, size_t len,
		   const struct log_meta *m);
/* The loop's part: fds to watch, their events, timers, the next wakeup. */
int syslogd_pollfds(struct daemon *d, struct pollfd *pfd, int max);
void syslogd_handle(struct daemon *d, const struct pollfd *pfd, int n);
void syslogd_tick(struct daemon *d);
int syslogd_timeout_ms(struct daemon *d); /* -1: none */
void syslogd_status(struct daemon *d, FILE *out);
void syslogd_status_json(struct daemon *d, FILE *out);
/* Each enabled server's counters (at most @max); how many were filled. */
size_t syslogd_outputs(struct daemon *d, struct log_output_stat *out,
		       size_t max);
/* Close everything (the daemon stops); what is queued is lost. */
void syslogd_close(struct daemon *d);
/*
 * Before a restart's exec (restart.c): what each socket takes now sent,
 * what stays queued (the exec loses it) said.
 */
void syslogd_before_exec(struct daemon *d);

#endif
