/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's control protocol, spoken over a unix stream socket
 * (default CTL_SOCKET_PATH, mode 0600; the daemon also checks with
 * SO_PEERCRED that the peer is root). `localin reload|stop|status|
 * diagnose ...` are thin clients of it; so is `socat - UNIX-CONNECT:/run/localin.sock`.
 *
 * A request is one line of words separated by spaces or tabs, ending in
 * LF, at most CTL_LINE_MAX bytes with the LF:
 *
 *   reload                               re-read the config; on errors keep
 *                                        the running one (the body says why)
 *   reload force                         the same, also when the new config
 *                                        has no local-in policy at all
 *   apply PATH                           reload, but from PATH: only
 *                                        DIR/.NAME.cli-* beside the config
 *                                        DIR/NAME, where `localin cli`
 *                                        stages its edit and renames it
 *                                        over the config after "ok"
 *   stop                                 detach, unpin, exit; answered once
 *                                        all of that is done
 *   status                               config, load time, interfaces,
 *                                        counters per reason and per policy
 *   diagnose debug flow filter [WORDS]   change one criterion of the trace
 *                                        filter (trace/filter.h); no WORDS:
 *                                        print the filter
 *   diagnose debug flow trace start N    trace the next N matching packets
 *   diagnose debug flow trace stop
 *   diagnose vpn tunnel list [name NAME] the live SAs per tunnel
 *   diagnose sys session filter [WORDS]  change one criterion of the
 *                                        session filter (sess_diag.h); no
 *                                        WORDS: print the filter
 *   diagnose sys session list            the sessions the filter matches
 *   diagnose sys session clear           delete them (all with no filter)
 *   diagnose sys session6 ...            the same for IPv6 sessions
 *
 * Keywords may be abbreviated to any unique prefix, as on FortiOS
 * ("diag deb flow tr start 10"); filter words are filter.h's own.
 *
 * The answer is a head line and then exactly COUNT lines of text:
 *
 *   ok COUNT LF      or      error COUNT LF
 *   COUNT lines, each ending in LF
 *
 * A client may send several requests on one connection; the answers come
 * in order. A request line longer than CTL_LINE_MAX closes the connection
 * after an error answer.
 *
 * The daemon's limits, so that no client can lock others out or make it
 * grow: a connection is closed when it sends no complete request for
 * CTL_IDLE_MS, or when answers wait and it reads none of them for
 * CTL_STALL_MS; while more than CTL_OUT_MAX bytes of answers wait, no
 * further request of that connection is read (a client that pipelines
 * must read as it goes). When all the daemon's connection slots are
 * taken, the connection idle longest is closed for a new one. Closing for
 * a limit, the daemon says why in an error answer if it can.
 */
#ifndef LOCALIN_DAEMON_CTL_H
#define LOCALIN_DAEMON_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <linux/types.h>

#define CTL_SOCKET_PATH "/run/localin.sock"
#define CTL_LINE_MAX 4096
#define CTL_MAX_WORDS 64
/*
 * `localin` sends its request at once. Idle clients cannot lock others
 * out (the one idle longest makes room), but what they hold is freed
 * soon. A person at socat has this long per line, and after a pause
 * connects again.
 */
#define CTL_IDLE_MS 5000
/*
 * Answers are small and a reader takes them at once; a reload's answer
 * is written after the reload, not during it. Longer than CTL_IDLE_MS so
 * that a client busy with a long answer is not cut short.
 */
#define CTL_STALL_MS 10000
/*
 * Answers queued for one connection before its requests wait: many
 * `status` answers, beyond what the socket's own buffer holds already.
 * One answer is always queued whole, however long.
 */
#define CTL_OUT_MAX (256 * 1024)

enum ctl_cmd {
	CTL_RELOAD,
	CTL_STOP,
	CTL_STATUS,
	CTL_FILTER,	 /* args: the filter words (none: print the filter) */
	CTL_TRACE_START, /* count */
	CTL_TRACE_STOP,
	CTL_VPN_TUNNEL_LIST, /* argc 1: the tunnel name to show */
	CTL_SESS_FILTER,     /* family; args: the filter words (none: print) */
	CTL_SESS_LIST,	     /* family */
	CTL_SESS_CLEAR,	     /* family */
	CTL_APPLY,	     /* argv[0]: the file to load instead */
};

struct ctl_req {
	enum ctl_cmd cmd;
	int argc; /* CTL_FILTER: filter words in argv */
	const char *const *argv;
	__u32 count; /* CTL_TRACE_START */
	bool force;  /* CTL_RELOAD: "reload force" */
	int family;  /* CTL_SESS_*: 4 (session) or 6 (session6) */
};

/*
 * Split @line (modified in place; a trailing LF or CR LF is dropped) into
 * at most @max words. The number of words, or -E2BIG.
 */
int ctl_split(char *line, char **argv, int max);

/*
 * What @argv asks for. 0, or -EINVAL with a message in @err ("unknown
 * command \"x\"", "trace start needs a packet count"). @req->argv points
 * into @argv.
 */
int ctl_parse(int argc, char **argv, struct ctl_req *req, char *err,
	      size_t errlen);

/*
 * The keyword of @words (@n of them) that @word names: equal to it, or
 * its unique prefix, or a prefix of several of which one is a prefix of
 * all the others ("sess": session, not session6). Its index, -ENOENT, or
 * -EAGAIN when ambiguous. The shell (src/cli/shell*.c) abbreviates by it.
 */
int ctl_keyword(const char *word, const char *const *words, int n);

/* Number of lines in @text: LFs, plus one for an unterminated last line. */
unsigned int ctl_count_lines(const char *text, size_t len);

/*
 * Write an answer: the head line, then @text (LF appended to an
 * unterminated last line). 0 or -EIO.
 */
int ctl_write_answer(FILE *out, bool ok, const char *text, size_t len);

/* Read a head line: 0 with @ok and @count, or -EPROTO. */
int ctl_parse_head(const char *line, bool *ok, unsigned int *count);

/*
 * Client side: connect to @path, send @request (one line, no LF), copy the
 * body of the answer to @out when ok, to @err otherwise, all within
 * @timeout_ms. 0 with @ok set, or a negative errno (cannot connect,
 * protocol error, -ETIMEDOUT: no whole answer in time).
 */
int ctl_request(const char *path, const char *request, int timeout_ms,
		FILE *out, FILE *err, bool *ok);

#endif
