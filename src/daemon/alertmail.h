/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Alert e-mail (`config alertemail setting`, `config system email-server`):
 * the log lines the filter selects are collected for email-interval and
 * go out as one mail through libcurl's multi interface, whose sockets and
 * timer are part of the daemon's poll loop: nothing here ever blocks.
 * One mail at a time; a failed one is kept and retried with backoff while
 * the next batch collects behind it (bounded; what does not fit is
 * counted and said in the next mail).
 */
#ifndef LOCALIN_DAEMON_ALERTMAIL_H
#define LOCALIN_DAEMON_ALERTMAIL_H

#include <poll.h>
#include <stddef.h>
#include <stdio.h>

struct daemon;
struct log_output_stat;
struct log_meta;

/* The most sockets libcurl watches at once for the one transfer. */
#define ALERTMAIL_MAX_FDS 4

/* Take the config in force (start and each reload). */
void alertmail_configure(struct daemon *d);
/* One log line (ending in '\n') that may meet the alert condition. */
void alertmail_offer(struct daemon *d, const char *line, size_t len,
		     const struct log_meta *m);
int alertmail_pollfds(struct daemon *d, struct pollfd *pfd, int max);
void alertmail_handle(struct daemon *d, const struct pollfd *pfd, int n);
/* ms until alertmail_tick() has work, -1 none. */
int alertmail_timeout_ms(struct daemon *d);
void alertmail_tick(struct daemon *d);
void alertmail_status(struct daemon *d, FILE *out);
void alertmail_status_json(struct daemon *d, FILE *out);
/* Its counters in lines (0 or 1 entry: none when it is off). */
size_t alertmail_outputs(struct daemon *d, struct log_output_stat *out,
			 size_t max);
/* At exit: what was not sent is said, not waited for. */
void alertmail_close(struct daemon *d);
/* Before a restart's exec: what it loses (in flight too) is said. */
void alertmail_before_exec(struct daemon *d);

#endif
