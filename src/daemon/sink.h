/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where the daemon's log and trace lines go: stdout, or a file opened for
 * appending (`--log FILE`). One write(2) per record of whole lines, so a
 * reader never sees half a line from us and lines appear as they happen.
 *
 * A write that fails (disk full, a closed pipe) never stops the daemon:
 * the record's lines are counted as lost, the first failure is said once
 * on stderr, and the next write that works is preceded by a line saying
 * how many were lost, so the gap is visible where it happened. A record
 * cut short by a full disk gets its line ended before anything follows.
 */
#ifndef LOCALIN_DAEMON_SINK_H
#define LOCALIN_DAEMON_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <linux/types.h>

struct log_sink {
	int fd;
	const char *path;   /* NULL: stdout (not ours to close) */
	__u64 lines;	    /* written */
	__u64 lost;	    /* over the whole run */
	__u64 lost_pending; /* not reported in the sink yet */
	int last_err;	    /* errno of the failure in progress, 0 if none */
	bool partial;	    /* the file ends inside a line of ours */
	FILE *diag;	    /* where failures are said (stderr) */
};

/* @path NULL: stdout. 0 or -errno (the file cannot be opened). */
int sink_open(struct log_sink *s, const char *path, FILE *diag);
/*
 * Open @path again (after logrotate moved it): the new file replaces the
 * old only if it opens; 0 or -errno.
 */
int sink_reopen(struct log_sink *s);
void sink_close(struct log_sink *s);

/*
 * Write @len bytes holding @nr_lines whole lines (each ending in LF).
 * 0, or the -errno of the failure (the lines are counted as lost).
 */
int sink_write(struct log_sink *s, const char *text, size_t len,
	       unsigned int nr_lines);

#endif
