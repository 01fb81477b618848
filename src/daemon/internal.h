/* SPDX-License-Identifier: GPL-2.0 */
/* The daemon's context, shared by the files of src/daemon/ only. */
#ifndef LOCALIN_DAEMON_INTERNAL_H
#define LOCALIN_DAEMON_INTERNAL_H

#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "pipeline/pipeline.h"
#include "dataplane/loader.h"
#include "ipsec/retry.h"
#include "ipsec/sa_registry.h"
#include "log/logevent.h"
#include "trace/filter.h"
#include "daemon/alertmail.h"
#include "daemon/ctl.h"
#include "daemon/daemon.h"
#include "daemon/dynaddr.h"
#include "daemon/locals.h"
#include "daemon/metrics.h"
#include "daemon/rtnl.h"
#include "daemon/sched.h"
#include "daemon/sess_diag.h"
#include "daemon/sink.h"
#include "daemon/logfile.h"
#include "daemon/syslogd.h"

/*
 * Control connections open at once. More than a few admins and scripts
 * ever need; when all are taken, the one idle longest makes room for a
 * new one (ctl_server.c), so `localin stop` always gets through.
 */
#define CTL_MAX_CONNS 64

struct daemon_link {
	int ifindex;
	unsigned int flags;  /* IFF_* */
	unsigned short type; /* ARPHRD_* */
	char name[RTNL_IFNAMSIZ];
	int master; /* IFLA_MASTER, 0: none */
	int lower;  /* IFLA_LINK here (a VLAN's, a macvlan's), 0: none */
	char master_kind[RTNL_KINDSIZ]; /* "bridge", "bond", "vrf"... */
	char kind[RTNL_KINDSIZ];	/* its own: "macvlan", "veth"... */
	unsigned char mac[6];		/* its Ethernet address, has_mac */
	bool has_mac;
	/* a macvlan whose lower localin is on: said once (links_upper.c) */
	bool upper_said;
	/* a port `any` leaves to its master: said once (links.c) */
	bool port_said;
	/* a port kept attached: the kernel refused the detach (links.c) */
	bool held_said;
	bool attached;
	bool generic;	   /* attached in generic (skb) mode: said, in status */
	bool detached_for; /* off a moment for a lower's attach (links.c) */
	/* not attached, but the session program is (or was tried): egress_err */
	bool eg_only;
	bool seen; /* in the current resync dump */
	/* .id != 0: wanted but not attached, that program holds the hook */
	struct li_xdp_prog foreign;
	/* wanted but not attached: frames not read (link type), links.c */
	bool no_eth;
	/* wanted, but the last attach failed with this (-errno); 0: none */
	int attach_err;
	struct sa_retry retry; /* when to try that attach again */
	/*
	 * Attached (or eg_only), but the session egress program is not
	 * (-errno, as said): replies to the gateway's own connections that
	 * leave by this interface meet the policies.
	 */
	int egress_err;
	struct sa_retry egress_retry;
};

/* The interfaces the policies of the config in force name. */
struct intf_want {
	bool any; /* some policy says `any`: all but loopback */
	char (*names)[RTNL_IFNAMSIZ];
	size_t nr;
};

/* One SA source in force (sas.c). */
struct sa_src {
	struct daemon *d;
	unsigned int idx; /* its index in the SA registry */
	char name[36];
	enum obj_sa_type type;
	char path[256];
	bool auto_found; /* not configured: found on this gateway */
	bool synced;	 /* listed its SAs once since it was opened */
	bool down; /* lost since (SA_EV_DOWN), until it lists them again */
	__u64 synced_ms;
	__u64 up_ms; /* up (sas_src_up) since, as last seen at a listing */
	struct xfrm_source *x;
	struct vici_source *v;
	struct stat file_st; /* file: as last read */
	__u64 file_checked_ms;
	char err[192]; /* why it cannot be read */
	int pfd;       /* its pollfd in the loop's array, -1 none */
};

/*
 * ESP passed unverified (unverified.c): the sources and SPIs waiting for
 * their SA, and the counts said.
 */
#define UNVERIFIED_MAX 128

struct unverified_spi {
	struct li_pkt pkt;	   /* the first frame */
	struct li_verdict verdict; /* its verdict, for the line */
	__u64 first_ms;		   /* when we heard of it, sa_mono_ms() */
	__u64 time_ns;		   /* its time, ns since the epoch */
	__u64 frames;		   /* events told (the bucket may leave some) */
	char ifname[RTNL_IFNAMSIZ + 8];
};

struct unverified_list {
	struct unverified_spi v[UNVERIFIED_MAX];
	size_t nr;
	/* SPIs an SA had after all, logged as forged, not judged */
	__u64 verified, forged, unjudged;
	bool primed; /* the frames' count, as last said */
	__u64 seen, said_ms;
};

struct ctl_conn {
	int fd;	  /* -1: free slot */
	char *in; /* CTL_LINE_MAX bytes while open */
	size_t in_len;
	char *out; /* answers not yet written: [out_off, out_len) */
	size_t out_len, out_off, out_cap;
	__u64 active_ms;  /* accepted, last request, last bytes written */
	bool peer_done;	  /* the peer sent EOF: answer what it sent, close */
	bool close_after; /* once @out is written */
	bool stop_waiter; /* asked to stop: answered after the teardown */
	/* asked to restart (also a stop_waiter): restart.c answers it */
	bool restart_waiter;
	bool streaming;	  /* `diagnose debug enable`: frames follow */
	bool stream_keep; /* `enable keep`: a trace run's end does not end it */
	__u64 stream_lost; /* trace lines dropped since the last lost frame */
};

/* A daemon message about a recurring condition, at most once a minute. */
struct ctl_notice {
	__u64 last_ms;	     /* 0: never said */
	unsigned int missed; /* times since, not said */
};

/* The data path's sessions, as the daemon follows them (sessions.c). */
struct daemon_sess {
	struct sess_filter filter[2]; /* `session` (IPv4), `session6` */
	__u64 next_ms;		      /* next sweep (sa_mono_ms) */
	__u64 ended;		      /* deleted by a sweep: expired or cut */
	__u64 logged;		      /* of those, end lines written */
	__u64 cleared;		      /* deleted by `session clear` */
	bool based;		      /* opened0 and entries0 read */
	__u64 opened0;		      /* session ids handed out at start */
	int entries0;		      /* entries at start */
	int entries;		      /* live at the last whole sweep */
	struct li_sess_cursor cursor; /* where the sweep goes on */
	__u64 pass_start_ms;	      /* this sweep began (0: none begun) */
	int pass_live;		      /* live so far in this sweep */
	__u64 pass_us, sweep_us;      /* this sweep's time so far, the last's */
	__u64 part_us, part_max_us;   /* a part's time: the last, the longest */
	int err;		      /* the last part's error, or 0 */
	__u64 hint_ms;		      /* the session hint's last rebuild */
};

/* A country database file as stat saw it (geoip.c). */
struct geo_file_id {
	bool present;
	uint64_t dev, ino, size;
	int64_t mtime_ns;
};

/* The country databases of the config in force, watched (geoip.c). */
struct daemon_geo {
	__u64 checked_ms;
	struct geo_file_id seen[2];    /* as read, or as last acted on */
	struct geo_file_id pending[2]; /* changed, waiting to settle */
	bool pending_set[2];
	unsigned int reloads; /* for a changed database */
	bool last_failed;
};

struct daemon {
	const struct daemon_opts *o;
	char *orig_tz; /* TZ at start, for configs without a zone */

	/* The config in force and what follows from it. */
	struct pipeline *p;
	/*
	 * The config before it, kept for the events its ruleset set decided
	 * that are still queued (struct li_event.set); set_* are -1 if none.
	 */
	struct pipeline *prev;
	int set_cur, set_prev;
	struct intf_want want;
	struct sched_state sched;
	time_t loaded_at;
	time_t started_at; /* daemon_run() began (wall time) */
	__u64 started_ms;  /* the same, sa_mono_ms(): uptime, across steps */
	unsigned int reloads, reload_failures;

	struct li_loader *l;
	/* the loader links_tick() loaded the IP frames' program ahead for */
	const struct li_loader *ip_ahead;
	struct sa_registry sa_reg;
	struct sa_src *srcs[SA_SOURCES_MAX];
	size_t nr_srcs;
	bool sa_unchecked;   /* LI_SAS_UNCHECKED as last pushed */
	bool ike_gate;	     /* LI_SAS_IKE_GATE as last pushed */
	__u16 natt_over;     /* a NAT-T port past LI_NATT_EXTRA, said; 0 none */
	struct li_natt natt; /* the NAT-T ports last pushed (status) */
	bool sa_push_failed;
	struct unverified_list unv; /* ESP passed unverified (unverified.c) */
	__u64 sas_alive_ns;	    /* the heartbeat last written, about (ns) */
	/*
	 * The last table the data path could not hold (-E2BIG, -ENOSPC; 0
	 * none) and its entries: ESP is not checked against a stale one.
	 */
	int sa_table_err;
	size_t sa_table_n;
	__u64 sa_pushes;
	struct rtnl rtnl;
	/* rtnl.foreign as last said (links.c foreign_say), and when. */
	unsigned long long rtnl_foreign_said;
	__u64 rtnl_foreign_said_ms;
	struct local_set locals;
	bool locals_dirty;
	/* a macvlan came, went or changed: uppers_push() (links_upper.c) */
	bool uppers_dirty;
	size_t uppers_out; /* of the last push: macvlans the map could not hold */
	/*
	 * Of the list last pushed (locals_push), how many the data path's
	 * locals table could not hold, and the first of them: their packets
	 * pass as not the gateway's (status says so).
	 */
	size_t locals_out, locals_listed;
	char locals_out_first[48];
	struct daemon_link *links;
	__u64 egress_checked_ms; /* links_tick(): the session programs there */
	size_t nr_links, cap_links;
	bool live; /* past start: new interfaces are attached at once */

	struct log_emitter log;
	struct log_sink sink;
	time_t logfile_roll_at;	  /* logfile.c: the next roll-time, 0 none */
	time_t logfile_roll_from; /* the wall time logfile_roll_at was found */
	struct log_sink msgs; /* daemon_msg(): stderr, syslog once detached */
	char msgs_path[4096]; /* ...or this file, with no syslog to reach */
	char log_path[4096];  /* the log lines' file, with neither */
	/* `diagnose debug flow filter` and `filter6` (FLOW_FILTER4, 6) */
	struct flow_filter filter[FLOW_NR_FILTERS];
	__u32 trace_left;     /* trace start N, minus the traces seen */
	__u32 trace_run;      /* N of the last trace start */
	__u64 trace_spent_ns; /* when the data path's budget was seen spent */
	/* ring-full trace events when this trace run started (trace_tick) */
	__u64 trace_ring0;
	/* a console streamed this trace run (ctl_server.c console_gone()) */
	bool trace_streamed;
	/* `diagnose debug console timestamp`, `flow show function-name|iprope` */
	bool dbg_timestamp, dbg_no_func, dbg_iprope;
	__u64 events, traces;
	__u64 kernel_suppressed[LI_EV_NR_KINDS]; /* as last reported */
	/* events.c ring_full_tick(): the counts as last read, the burst's */
	__u64 ring_full_seen[LI_EV_NR_KINDS], ring_full_burst[LI_EV_NR_KINDS];
	__u64 ring_full_read_ns; /* when last read */
	bool ring_full_primed;	 /* ring_full_seen read once */
	__s64 report_minute;

	int lock_fd, sig_fd, ctl_fd;
	/*
	 * What a restart handed over (restart_fds.c), until taken: the
	 * control socket's listener, the trace's settings; -1: none.
	 */
	int handed_ctl_fd, handed_trace_fd;
	int ns_lock_fd, pin_lock_fd; /* daemon.c take_lock(), take_pins() */
	/* What take_pins() made, for a failed start to remove. */
	bool pin_dir_made, bpffs_mounted, log_made;
	char bpffs_dir[4096];
	int log_reopen_err; /* the last reload's sink_reopen() */
	struct ctl_conn conns[CTL_MAX_CONNS];
	/*
	 * While ctl_fd is open: /dev/null, held so that a connection can be
	 * taken off the queue and refused at the fd limit (-1: lost it).
	 */
	int ctl_spare_fd;
	__u64 ctl_resume_ms; /* accept nothing before it (a failing accept) */
	struct ctl_notice ctl_fd_notice, ctl_busy_notice;
	struct daemon_sess sess;
	struct alertmail *am;	/* alertmail.c; NULL: never configured */
	struct syslogd *syslog; /* syslogd.c; NULL: no server configured yet */
	struct daemon_metrics metrics;
	struct daemon_dyn dyn; /* FQDN and feed addresses (dynaddr.c) */
	struct daemon_geo geo;
	bool stopping;
	bool restart;	  /* `restart` or SIGUSR2: exec again (restart.c) */
	__u64 trim_at_ms; /* daemon_trim_soon(): when, sa_mono_ms(); 0 none */
};

/*
 * Messages of the daemon itself (not log lines): stderr (the caller's, or
 * the journal), syslog once a background daemon let go of its caller's
 * streams; never blocking (sink.h).
 */
void daemon_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * The roll of the log lines' file beside the socket, with neither --log
 * nor syslog (daemon.c): a reload keeps it (logfile.c) unless the config
 * sets one.
 */
extern const struct sink_roll daemon_log_roll;

/* Local-in policies of a loaded config: none enforces nothing. */
static inline __u32 daemon_nr_policies(const struct pipeline *p)
{
	return p->rs.v4.nr_policies + p->rs.v6.nr_policies;
}

/*
 * restart.c: exec the binary again in this process, leaving everything
 * in the kernel in force; returns only when that failed (said, and
 * answered to those who asked).
 */
void daemon_restart(struct daemon *d);
/* The new image: keep what it says for the client that asked. */
void daemon_restart_begin(const struct daemon_opts *o);
/*
 * restart_fds.c: the fds a restart hands over, named in the environment
 * (a build that does not know a name ignores it, where an unknown option
 * was a usage error).
 */
#define RESTART_CTL_ENV "LOCALIN_CTL_FD"
#define RESTART_TRACE_ENV "LOCALIN_TRACE_FD"
/*
 * The new image, before it opens anything: d->handed_ctl_fd and
 * d->handed_trace_fd from the environment (or an older build's
 * --ctl-fd, --trace-fd), checked, their variables unset; what another
 * build handed over closed; every fd above stderr close-on-exec.
 */
void daemon_restart_take_fds(struct daemon *d);
/* ... and what was wrong with them, said once messages have a reader. */
void daemon_restart_say_fds(void);
/*
 * The environment for the exec: this one without either name, and
 * @ctl_var, @trace_var ("LOCALIN_CTL_FD=N"; NULL: none). Its strings are
 * borrowed: free() the array only. NULL: out of memory.
 */
char **daemon_restart_env(char *ctl_var, char *trace_var);
/* ... and answer it (--restart-fd): started (0), or why not. */
void daemon_restart_answer(struct daemon *d, int err);
/*
 * The data path's trace at the start: the one from before a restart
 * (LOCALIN_TRACE_FD) goes on, with its filters; otherwise none. 0 or -errno.
 */
int daemon_restart_trace(struct daemon *d);
/* What daemon_msg() says, also kept for that answer while set. */
extern FILE *daemon_msg_copy;

/* reload.c */
int daemon_load(struct daemon *d, struct pipeline **out, FILE *msgs);
/* The same from @path instead of the config file (ctl: apply PATH). */
int daemon_load_path(struct daemon *d, const char *path, struct pipeline **out,
		     FILE *msgs);
int daemon_apply(struct daemon *d, struct pipeline *np);
/*
 * @path: load this file instead of the config file (`apply PATH`, from
 * `localin cli`, which then renames it over the config file); NULL: the
 * config file.
 */
int daemon_reload(struct daemon *d, FILE *answer, bool force, const char *path);
int daemon_tick(struct daemon *d, bool force);
/*
 * malloc_trim() in TRIM_DELAY_MS (daemon.c), once for the calls within
 * that time: what a recompile freed goes back to the system without a
 * reload, and a name that moves every second costs one trim in five.
 */
void daemon_trim_soon(struct daemon *d);
void daemon_release_config(struct daemon *d);
/*
 * An adopting start names the host's interfaces @ni (if_nameindex(),
 * ended by index 0) to @l before its first ruleset swap. Those whose
 * classes do not fit (-ENOSPC) are counted in @not_classed and the rest
 * still named; another failure ends it: -errno.
 */
struct if_nameindex;
int daemon_name_interfaces(struct li_loader *l, const struct if_nameindex *ni,
			   size_t *not_classed);

/* links.c */
int links_resync(struct daemon *d);
int links_follow(struct daemon *d);
int links_sync(struct daemon *d, bool fatal);
int links_detach_all(struct daemon *d);
void links_tick(struct daemon *d);
size_t links_unenforced(const struct daemon *d, FILE *out);
/* Why @k is wanted but not attached (in @buf if need be), or NULL. */
/*
 * May the data path gate IKE windows on the gateway's own IKE
 * (LI_SAS_IKE_GATE)? Only while every interface up has our egress
 * program: IKE leaving by one without it would go unseen.
 */
bool links_ike_gate(const struct daemon *d);
const char *links_unattached_why(const struct daemon_link *k, char *buf,
				 size_t size);
const char *links_name(const struct daemon *d, int ifindex, char *buf,
		       size_t size);
bool links_wanted_name(const struct intf_want *w, const char *name);
/* Is an interface of that name here (a name the policies use, say)? */
bool links_have_name(const struct daemon *d, const char *name);
const char *links_left_to_master(const struct daemon *d,
				 const struct daemon_link *k, char *buf,
				 size_t size);
int locals_push(struct daemon *d);
/*
 * links_upper.c: ours off the uppers of @k (of any attached device: @k
 * NULL) for the moment @what takes, and back on by @l; macvlans, judged
 * on their own and not on their lower device
 */
int links_uppers_off(struct daemon *d);
void links_uppers_on(struct daemon *d, struct li_loader *l, int err);
int links_uppers_off_of(struct daemon *d, const struct daemon_link *k,
			const char *what);
void links_uppers_on_for(struct daemon *d, const struct daemon_link *k,
			 struct li_loader *l, const char *what, int err);
bool links_is_macvlan(const struct daemon_link *k);
bool links_is_xfrm(const struct daemon_link *k);
const char *links_upper_lower(const struct daemon *d,
			      const struct daemon_link *k);
int uppers_push(struct daemon *d);
void uppers_note(struct daemon *d);
/*
 * links_moved.c: ours off @ifindex in another network namespace, where
 * an interface went with it; 1 (its name, or "that of pid N", in
 * @where), 0 not found, -errno (-EIO: this thread could not come back
 * to its namespace; -EPERM: not found where it could enter, and refused
 * entry elsewhere).
 */
int links_moved_off(struct daemon *d, int ifindex, char *where, size_t size);

/* events.c */
void daemon_on_event(void *ctx, const struct li_event *ev, __u64 time_ns);
void daemon_report(struct daemon *d);
void trace_tick(struct daemon *d);
void trace_mark_ring(struct daemon *d);
void ring_full_tick(struct daemon *d);

/* ctl_server.c */
int ctl_path_check(const char *path, mode_t type);
int ctl_server_open(struct daemon *d);
void ctl_server_close(struct daemon *d);
int ctl_server_pollfds(struct daemon *d, struct pollfd *pfd, int max);
void ctl_server_handle(struct daemon *d, const struct pollfd *pfd, int n);
int ctl_server_timeout_ms(struct daemon *d);
void ctl_server_tick(struct daemon *d);
void ctl_server_answer_stop(struct daemon *d, const char *text);
/* The connection of the first client that asked to restart, or -1. */
int ctl_server_restart_fd(struct daemon *d);
/*
 * Every `diagnose debug enable` stream gets its end frame with @why, sent
 * within a bounded wait (CTL_STOP_ANSWER_MS in all), and is closed:
 * before an exec or a stop, which would close them with no word of why,
 * or with the frame still queued. How many there were.
 */
unsigned int ctl_server_end_streams(struct daemon *d, const char *why);
/* Those who asked to restart, but @keep_fd's: answered and closed. */
void ctl_server_answer_restart(struct daemon *d, bool ok, const char *text,
			       int keep_fd);
/*
 * Trace text (@lines whole lines) to every streaming connection; false
 * when none streams (the caller writes it to the log then).
 */
bool ctl_stream_lines(struct daemon *d, const char *text, size_t len,
		      unsigned int lines);
/* Connections streaming the trace now. */
unsigned int ctl_streams(const struct daemon *d);
/* End the streams (@all: also `keep` ones), saying @why. */
void ctl_stream_end(struct daemon *d, bool all, const char *why);

/* diag.c: the FortiOS diagnose/get/show answers; true for ok. */
bool diag_iprope_list(struct daemon *d, const struct ctl_req *r, FILE *out);
bool diag_iprope_clear(struct daemon *d, FILE *out);
bool diag_sys_status(struct daemon *d, bool json, FILE *out);
bool diag_sys_perf(struct daemon *d, bool json, FILE *out);
bool diag_get_localin(struct daemon *d, const struct ctl_req *r, FILE *out);
bool diag_show_localin(struct daemon *d, const struct ctl_req *r, FILE *out);
bool diag_filter_json(struct daemon *d, int family, FILE *out);

/* sas.c */
int sas_start(struct daemon *d);
int sas_configure(struct daemon *d);
int sas_reload(struct daemon *d);
void sas_close(struct daemon *d);
int sas_pollfds(struct daemon *d, struct pollfd *pfd, int max);
void sas_handle(struct daemon *d, const struct pollfd *pfd, int n);
void sas_tick(struct daemon *d);
/* unverified.c: an ESP error event of a frame passed unverified, the tick */
void unverified_on_event(struct daemon *d, const struct li_event *ev,
			 const char *ifname, __u64 time_ns);
void unverified_tick(struct daemon *d, __u64 now_ms);
int sas_timeout_ms(struct daemon *d);
const struct sa_entry *sas_find(const struct daemon *d, int family,
				const __u32 *daddr, __u32 spi);
void sas_status(struct daemon *d, FILE *out);
void sas_status_json(struct daemon *d, FILE *out);
bool sas_tunnel_list(struct daemon *d, const char *name, bool json, FILE *out);
/* "xfrm", "vici", "file"; and whether its SAs are read now (metrics). */
const char *sas_type_name(const struct sa_src *s);
bool sas_src_up(const struct sa_src *s);
/* Not a source found missing (charon's socket absent, no XFRM): shown. */
bool sas_src_present(const struct sa_src *s);

/* geoip.c */
void geoip_configure(struct daemon *d);
void geoip_tick(struct daemon *d);
void geoip_status(struct daemon *d, FILE *out);
void geoip_status_json(struct daemon *d, FILE *out);

/* sessions.c */
void sessions_init(struct daemon *d);
/*
 * sess_seed.c: the gateway's own connections (the kernel's sockets) into
 * a new session table, before the program is attached: how many, or
 * -errno.
 */
int sessions_seed(struct daemon *d);
void sessions_tick(struct daemon *d);
int sessions_timeout_ms(struct daemon *d);
bool sessions_filter(struct daemon *d, int family, int argc,
		     const char *const *argv, bool json, FILE *out);
bool sessions_list(struct daemon *d, int family, bool json, FILE *out);
bool sessions_clear(struct daemon *d, int family, FILE *out);
void sessions_status(struct daemon *d, FILE *out);
void sessions_status_json(struct daemon *d, FILE *out);
/* What status and the metrics say of the sessions. */
struct sess_counts {
	int entries;   /* in the map now */
	__u64 opened;  /* by the data path since we started */
	__u64 evicted; /* about: ended without our seeing them */
};
int sessions_counts(struct daemon *d, struct sess_counts *c);

/* status.c */
void daemon_status(struct daemon *d, FILE *out);
void daemon_status_json(struct daemon *d, FILE *out);

#endif
