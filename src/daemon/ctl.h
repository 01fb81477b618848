/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's control protocol, spoken over a unix stream socket
 * (default CTL_SOCKET_PATH, mode 0600; the daemon also checks with
 * SO_PEERCRED that the peer is root). With `localin run --admin-group G`
 * the socket is root:G mode 0660 and peers with G among their groups
 * (SO_PEERGROUPS: the groups they had when they connected) may send
 * every request root may. `localin reload|stop|status|
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
 *   restart                              exec the binary again in the same
 *                                        process, everything in the kernel
 *                                        left in force; answered by the new
 *                                        image once it enforces (or by the
 *                                        old one when the exec failed)
 *   status                               config, load time, interfaces,
 *                                        counters per reason and per policy
 *   diagnose debug flow filter [WORDS]   change one criterion of the trace
 *                                        filter of IPv4 packets
 *                                        (trace/filter.h); no WORDS: print
 *                                        the filter
 *   diagnose debug flow filter6 [WORDS]  the same for IPv6 packets
 *   diagnose debug flow trace start N    trace the next N matching packets
 *   diagnose debug flow trace stop
 *   diagnose vpn tunnel list [name NAME] the live SAs per tunnel
 *   diagnose sys session filter [WORDS]  change one criterion of the
 *                                        session filter (sess_diag.h); no
 *                                        WORDS: print the filter
 *   diagnose sys session list            the sessions the filter matches
 *   diagnose sys session clear           delete them (all with no filter)
 *   diagnose sys session6 ...            the same for IPv6 sessions
 *   diagnose debug enable [keep]         stream the trace lines (below)
 *   diagnose debug disable               end every stream
 *   diagnose debug reset                 end every stream, stop the trace,
 *                                        clear the filter, show options and
 *                                        timestamp back to their defaults
 *   diagnose debug console timestamp enable|disable
 *   diagnose debug flow show function-name enable|disable
 *   diagnose debug flow show iprope enable|disable
 *   diagnose firewall iprope list [100001]
 *                                        the local-in policies in force, in
 *                                        order, with their hit counts
 *   diagnose firewall iprope show 100001 ID
 *   diagnose firewall iprope clear [100001]
 *                                        zero the policies' hit counters
 *   get system status                    version, host name, config, uptime
 *   get system performance status        the data path's counters
 *   get firewall local-in-policy [ID]    the policies in force, `get` form
 *   show firewall local-in-policy [ID]   the same in `show` form
 *   json WORDS...                        the request WORDS, answered by one
 *                                        line of JSON (README "JSON
 *                                        output"): status, get, iprope
 *                                        list/show, vpn tunnel list, sys
 *                                        session list, debug flow filter
 *                                        or filter6 (no words); error for
 *                                        the rest
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
 * `diagnose debug enable` is answered by a stream of frames instead:
 *
 *   stream COUNT LF + COUNT lines    accepted; the lines are notices for
 *                                    the admin ("no trace is running")
 *   data COUNT LF + COUNT lines      trace lines, as the log has them
 *   lost N LF                        N trace lines were dropped here: the
 *                                    client read too slowly (more than
 *                                    CTL_STREAM_MAX bytes waited)
 *   end COUNT LF + COUNT lines       the stream is over; the lines say why
 *
 * The stream ends when any client sends `diagnose debug disable` or
 * `reset`, when the daemon stops, and (without `keep`) when a trace run
 * ends: its last packet's lines were sent, or `trace stop`. A stream
 * started while no trace runs waits for one. A client ends its own
 * stream by closing the connection (Ctrl-C). While a connection streams
 * it may send further requests; their answers (ok/error) come between
 * frames, never inside one; a second `debug enable` on it is refused.
 * A streaming connection is not closed for being idle or slow: lines are
 * dropped for it (and counted in a `lost` frame) instead.
 *
 * While some connection streams, trace lines go to the streams only, as
 * FortiOS prints debug output on the console that enabled it; while none
 * does, they go to the log as they always did.
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
/* What --help says of the default: it depends on the network namespace. */
#define CTL_SOCKET_HELP \
	CTL_SOCKET_PATH \
	";\n                      in `ip netns` NAME /run/localin-NAME.sock"
/*
 * The default path "/run/localin" SUFFIX of this network namespace:
 * "/run/localin-NAME" SUFFIX in one `ip netns` named NAME; as is in the
 * host's (PID 1's, or when that cannot be read); else
 * "/run/localin-netns-INODE" SUFFIX. A client (@existing) takes the next
 * of these that exists when the first does not (a namespace named after
 * its daemon started). 0, or -1 if too long.
 */
int ctl_netns_path(const char *suffix, bool existing, char *buf, size_t size);

/* @given (--socket), else this namespace's default for a client, in @buf. */
const char *ctl_client_socket(const char *given, char *buf, size_t size);

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
/*
 * Trace lines waiting for one streaming connection: beyond this, further
 * lines are dropped for it (a `lost` frame says how many) until it reads.
 */
#define CTL_STREAM_MAX (256 * 1024)

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
	CTL_DEBUG_ENABLE,    /* keep: not ended by the end of a trace run */
	CTL_DEBUG_DISABLE,
	CTL_DEBUG_RESET,
	CTL_DEBUG_TIMESTAMP,  /* on */
	CTL_FLOW_SHOW_FUNC,   /* on */
	CTL_FLOW_SHOW_IPROPE, /* on */
	CTL_IPROPE_LIST,
	CTL_IPROPE_SHOW, /* id */
	CTL_IPROPE_CLEAR,
	CTL_GET_SYS_STATUS,
	CTL_GET_SYS_PERF,
	CTL_GET_LOCALIN,  /* id, has_id */
	CTL_SHOW_LOCALIN, /* id, has_id */
	CTL_APPLY,	  /* argv[0]: the file to load instead */
	CTL_FQDN_LIST,	  /* diagnose firewall fqdn list */
	CTL_FEED_LIST,	  /* diagnose sys external-address-resource list */
	CTL_RESTART,	  /* exec the binary again; the new image answers */
};

/* The policy group of the local-in policies (fortios-reference.md 1.3). */
#define CTL_IPROPE_GROUP "100001"

struct ctl_req {
	enum ctl_cmd cmd;
	int argc; /* CTL_FILTER: filter words in argv */
	const char *const *argv;
	__u32 count; /* CTL_TRACE_START */
	bool force;  /* CTL_RELOAD: "reload force" */
	/* CTL_SESS_*: 4 (session) or 6 (session6); CTL_FILTER: filter(6) */
	int family;
	bool json;   /* "json ...": one line of JSON */
	bool keep;   /* CTL_DEBUG_ENABLE */
	bool on;     /* enable|disable of the debug settings */
	bool has_id; /* CTL_IPROPE_SHOW, CTL_GET/SHOW_LOCALIN */
	__u32 id;    /* a policy id */
};

/* Whether @cmd has a JSON form (README "JSON output"). */
bool ctl_has_json(enum ctl_cmd cmd);

/* The head of a frame (any answer line that starts one). */
enum ctl_frame {
	CTL_FR_OK,
	CTL_FR_ERROR,
	CTL_FR_STREAM,
	CTL_FR_DATA,
	CTL_FR_LOST, /* count: lines dropped, none follow */
	CTL_FR_END,
};

/*
 * Read a frame head ("ok 3", "data 2", "lost 17"): 0 with @kind and
 * @count, or -EPROTO.
 */
int ctl_parse_frame(const char *line, enum ctl_frame *kind,
		    unsigned int *count);

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

/*
 * Client side of `diagnose debug enable`: send @request, and when the
 * answer is a stream, copy its data lines to @out (flushed per frame)
 * and its notices, lost counts and end reason to @err, until the end
 * frame, the daemon closing, or *@stop turning true (a signal; checked
 * at least every 200 ms). The head must come within @timeout_ms; the
 * stream then takes as long as it takes. 0 with @ok (false: an error
 * answer, copied to @err), or a negative errno.
 */
int ctl_stream(const char *path, const char *request, int timeout_ms, FILE *out,
	       FILE *err, volatile int *stop, bool *ok);

#endif
