/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where the daemon's log and trace lines, and its own messages, go: a file
 * opened for appending (`--log FILE`), the inherited stdout or stderr, or
 * syslog (/dev/log). Lines appear as they happen and a reader never sees
 * half a line from us followed by something else.
 *
 * Never blocking: the daemon's loop must go on (the control socket,
 * signals, schedules, interfaces) whatever the reader of a sink does. A
 * FIFO or pipe whose reader stopped reading, a terminal held with ^S, a
 * stalled journald: what cannot be written at once waits in a bounded
 * queue per sink (SINK_QUEUE_MAX), written as the fd takes it (the loop
 * polls for POLLOUT, sink_pollfd()). When the queue is full, whole
 * records are dropped and counted. How each kind of fd is written without
 * blocking is said at sink_open_std() in sink.c.
 *
 * A write that fails (disk full, a pipe whose reader is gone) never stops
 * the daemon either: what was queued is counted as lost.
 *
 * Either way, the first failure of an episode is said once (@say), and
 * once lines go through again a line `localin: N log lines lost (WHY)`
 * marks the gap where it happened. A line cut short (a write that failed
 * half way) is ended before anything follows it.
 */
#ifndef LOCALIN_DAEMON_SINK_H
#define LOCALIN_DAEMON_SINK_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

/* The most bytes waiting for a slow reader, per sink. */
#define SINK_QUEUE_MAX (256 * 1024)
/* Syslog's socket; datagrams, sent without waiting. */
#define SINK_SYSLOG_PATH "/dev/log"

enum sink_kind {
	SINK_FD, /* write(2) to an fd that never blocks (ours, O_NONBLOCK) */
	SINK_SOCKET, /* send(2) with MSG_DONTWAIT (inherited socket) */
	SINK_POLLED, /* poll(2) first, then at most PIPE_BUF bytes */
	SINK_SYSLOG, /* one datagram per line to SINK_SYSLOG_PATH */
};

/*
 * Rolling of a `--log FILE` (`config log disk setting`): before a record
 * would take FILE past @max_bytes, FILE.(keep-1) -> FILE.keep, ...,
 * FILE -> FILE.1 (rename(2), each one atomic), and a new FILE is opened;
 * only between whole lines, so no line is split across two files.
 */
struct sink_roll {
	__u64 max_bytes;   /* 0: never by size */
	unsigned int keep; /* rolled files kept, FILE.1 the newest */
	bool overwrite;	   /* disk full: drop the oldest rolled file */
};

typedef void (*sink_say_fn)(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

struct log_sink {
	int fd;
	enum sink_kind kind;
	bool own_fd;	  /* close it (not an inherited stdout or stderr) */
	int std_fd;	  /* -1, or the standard stream it writes to */
	const char *path; /* --log FILE (reopened on reload), or NULL */
	char name[32];	  /* "stdout", "stderr", "syslog" when no @path */

	/* Whole records not written yet: q[q_off, q_len). */
	char *q;
	size_t q_off, q_len;
	/* A gap (records dropped) lies at q + gap_at: the note goes there. */
	bool gap;
	size_t gap_at;
	char note[160]; /* the note being written, note_off of it done */
	size_t note_len, note_off;
	__u64 note_lost; /* the count it carries */

	__u64 lines;	       /* written (of the records; not the notes) */
	__u64 lost;	       /* over the whole run */
	__u64 lost_pending;    /* not reported in the sink yet */
	int last_err;	       /* errno of the failure in progress, 0 if none */
	bool full;	       /* the queue was full: lines are being dropped */
	bool mid_line;	       /* the last byte written was not a LF */
	bool cut;	       /* ...and the rest of that line was dropped */
	__u64 retry_ms;	       /* syslog: when to try to connect again */
	struct sink_roll roll; /* @path only */
	__u64 size;	       /* of the file @fd writes to */
	__u64 rolls;	       /* files rolled */
	__u64 dropped_files;   /* rolled files dropped to make room */
	__u64 roll_retry_ms;   /* a roll failed: not before then */
	__u64 gone_check_ms;   /* @path deleted? not checked before then */
	int gone_err;	       /* errno of a new @path that did not open */
	sink_say_fn say;       /* where failures are said, or NULL */
};

/* `--log FILE`: O_APPEND, O_NONBLOCK. 0 or -errno (ENXIO: a FIFO that
 * no process has open for reading). */
int sink_open(struct log_sink *s, const char *path, sink_say_fn say);
/* The inherited stdout or stderr (@std_fd 1 or 2), never blocking. 0, or
 * -errno (the sink then counts every line as lost). */
int sink_open_std(struct log_sink *s, int std_fd, sink_say_fn say);
/* Syslog (/dev/log, LOG_DAEMON): 0; while it cannot be reached, lines are
 * counted as lost and connecting is tried again at most once a second. */
int sink_open_syslog(struct log_sink *s, sink_say_fn say);
/*
 * Open @path again (after logrotate moved it): the new file replaces the
 * old only if it opens; 0 or -errno. What the old one does not take at
 * once goes to the new one.
 */
int sink_reopen(struct log_sink *s);
void sink_close(struct log_sink *s);
/* Roll @path by @r from now on (a zeroed @r: never). */
void sink_set_roll(struct log_sink *s, const struct sink_roll *r);
/*
 * Roll now (roll-schedule), if the file holds anything and no line is
 * half written: 1 rolled, 0 not now, -errno (said once).
 */
int sink_roll_now(struct log_sink *s);
/* "FILE.N" into @buf; -ENAMETOOLONG. */
int sink_rolled_name(char *buf, size_t size, const char *path, unsigned int n);

/*
 * Write @len bytes holding @nr_lines whole lines (each ending in LF), or
 * queue them. 0, or -errno when they are lost (-ENOBUFS: the queue is
 * full; another: the write failed).
 */
int sink_write(struct log_sink *s, const char *text, size_t len,
	       unsigned int nr_lines);
/*
 * Write what is queued, as much as the fd takes now: 0 (all of it),
 * -EAGAIN (the rest waits), or -errno (the fd failed: what waited is lost).
 */
int sink_flush(struct log_sink *s);
/* Bytes waiting (in the queue, or a note or line end due). */
size_t sink_pending(const struct log_sink *s);
/* 1 with @pfd set to wait for POLLOUT when something waits, else 0. */
int sink_pollfd(const struct log_sink *s, struct pollfd *pfd);
/* Flush, waiting at most @timeout_ms for the fd to take everything. */
void sink_drain(struct log_sink *s, int timeout_ms);
/* "FILE", "stdout", "stderr", "syslog (/dev/log)". */
const char *sink_name(const struct log_sink *s);

#endif
