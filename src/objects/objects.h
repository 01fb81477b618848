/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The typed object model: what the config tree means once every reference
 * is resolved and every value checked. Built by objects_resolve(); read by
 * the compiler. All memory belongs to the config's arena.
 */
#ifndef LOCALIN_OBJECTS_H
#define LOCALIN_OBJECTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "conf/diag.h"
#include "conf/tree.h"

/* IPv4 addresses live in the low 32 bits; IPv6 use all 128. */
typedef unsigned __int128 ip_u128;

struct ip_range {
	ip_u128 lo, hi; /* inclusive */
};

enum addr_type {
	ADDR_IPMASK,
	ADDR_IPRANGE,
	ADDR_FQDN,     /* resolved at run time; matches nothing until then */
	ADDR_IFSUBNET, /* the subnet of a `system interface` */
	ADDR_GROUP,    /* firewall addrgrp / addrgrp6 */
	ADDR_WILDCARD, /* address with a (non-contiguous) wildcard mask */
	ADDR_FEED,     /* a system external-resource: fetched at run time */
	/* a country's networks, from a geoip database (geo.c) */
	ADDR_GEOGRAPHY,
};

/*
 * A firewall address, address6, addrgrp or addrgrp6. What only an address
 * has and what only a group has share their memory: read it after a look
 * at ->type (96 bytes instead of 160; a backup may have 1M of these).
 */
struct obj_addr {
	const char *name;
	struct conf_loc loc; /* the name after `edit` */
	int family;	     /* 4 or 6 */
	enum addr_type type;
	union {
		struct { /* every type but ADDR_GROUP */
			union {
				/* ADDR_IPMASK, ADDR_IPRANGE, ADDR_IFSUBNET */
				struct ip_range range;
				/* ADDR_WILDCARD: addr & mask, host order */
				struct {
					uint32_t addr, mask;
				} wild;
				/* ADDR_FQDN: seconds an address outlives its TTL */
				unsigned int cache_ttl;
			};
			union {
				const char *fqdn; /* ADDR_FQDN */
				const char *feed; /* ADDR_FEED: resource name */
			};
			const char *intf;
		};
		struct { /* ADDR_GEOGRAPHY */
			/* sorted, disjoint; NULL until a policy uses it */
			const struct ip_range *geo;
			size_t nr_geo;
			const struct conf_word *country;
		};
		struct { /* ADDR_GROUP */
			struct obj_addr **members;
			struct conf_loc *member_locs;
			size_t nr_members;
			struct obj_addr **excludes;
			struct conf_loc *exclude_locs;
			size_t nr_excludes;
		};
	};
	/*
	 * A FortiOS type localin cannot evaluate ("type dynamic"): a backup
	 * holding one still loads; only a policy that uses it is an error.
	 */
	const char *unsupported;
	/*
	 * A value only another type reads, on an ipmask/ipprefix address
	 * ("country \"CN\"" without `set type geography`): @stray_type is
	 * that type; @stray_all when the address is every address.
	 */
	const char *stray;
	const char *stray_type;
	struct conf_loc stray_loc;
	bool stray_all;
	unsigned int refs;	  /* references from policies and groups */
	bool exclude;		  /* ADDR_GROUP: set exclude enable */
	bool builtin;		  /* factory object (all, none) */
	uint8_t unsupported_memo; /* resolver scratch: 0 unknown, 1 ok, 2 bad */
	const struct obj_addr *unsupported_via; /* memo 2: the object */
	bool geo_walked;			/* resolver scratch (geo.c) */
};

#define SVC_PROTO_ANY 256 /* protocol IP with protocol-number 0 */

/*
 * One (protocol, destination range, source range) a service matches.
 * For ICMP and ICMPv6 the "ports" are dport = type << 8 | code and
 * sport = 0-65535; protocols without ports use 0-65535 for both.
 */
struct svc_range {
	uint16_t proto; /* 0..255 or SVC_PROTO_ANY */
	uint16_t dlo, dhi;
	uint16_t slo, shi;
};

/* A firewall service custom or service group. */
struct obj_service {
	const char *name;
	struct conf_loc loc;
	bool is_group;
	struct svc_range *ranges; /* custom */
	size_t nr_ranges;
	struct obj_service **members; /* group */
	struct conf_loc *member_locs;
	size_t nr_members;
	bool builtin;
	unsigned int refs;
	const char *unsupported; /* as in obj_addr ("protocol ALL") */
	uint8_t unsupported_memo;
	const struct obj_service *unsupported_via;
	/* A FortiOS restriction localin keeps but does not enforce. */
	const char *not_enforced;     /* "iprange 10.0.0.1-10.0.0.9" */
	const char *not_enforced_how; /* what is matched instead */
	struct conf_loc not_enforced_loc;
	/* A value FortiOS does not use with the service's protocol. */
	const char *unused;	/* "tcp-portrange 22" */
	const char *unused_how; /* what the service matches instead */
	struct conf_loc unused_loc;
	bool unused_all; /* protocol IP, number 0: every protocol */
};

enum sched_type {
	SCHED_RECURRING,
	SCHED_ONETIME,
	SCHED_GROUP,
};

struct obj_schedule {
	const char *name;
	struct conf_loc loc;
	enum sched_type type;
	/* recurring: day bits (bit 0 = sunday), minutes after midnight */
	uint8_t days;
	uint16_t start_min, end_min;
	/*
	 * onetime: local wall-clock minutes since 1970-01-01 00:00, from
	 * start/end or, when only they are set, start-utc/end-utc
	 */
	int64_t start_local, end_local;
	unsigned int expiration_days;
	/* group: recurring and onetime members */
	struct obj_schedule **members;
	struct conf_loc *member_locs;
	size_t nr_members;
	bool builtin;
	unsigned int refs;
};

struct obj_name_ref {
	const char *name;
	struct conf_loc loc;
};

/* A local-in-policy or local-in-policy6 entry. */
struct obj_policy {
	uint32_t id;
	struct conf_loc loc;
	int family;
	bool intf_any;
	struct obj_name_ref *intfs; /* Linux interface names */
	size_t nr_intfs;
	struct obj_addr **src, **dst;
	struct conf_loc *src_locs, *dst_locs;
	size_t nr_src, nr_dst;
	bool src_negate, dst_negate;
	struct obj_service **svc;
	struct conf_loc *svc_locs;
	size_t nr_svc;
	bool svc_negate;
	struct obj_schedule *sched;
	bool accept; /* action accept; the FortiOS default is deny */
	bool enabled;
	bool logtraffic;
	const char *comments;
	char uuid[37];
};

struct obj_intf_addr6 {
	ip_u128 addr;
	unsigned int prefixlen;
};

/* A `config system interface` entry. */
struct obj_intf_addr4 {
	uint32_t addr; /* host order */
	unsigned int prefixlen;
};

struct obj_intf {
	const char *name;
	struct conf_loc loc;
	uint32_t ip4; /* host order; 0 = none */
	unsigned int ip4_prefixlen;
	/* config secondaryip: the gateway's other addresses on it */
	struct obj_intf_addr4 *ip4_sec;
	size_t nr_ip4_sec;
	struct obj_intf_addr6 *ip6;
	size_t nr_ip6;
	/*
	 * set role lan|wan|dmz|undefined: the srcintfrole= of its traffic
	 * logs, on which FortiOS log rules filter; NULL: "undefined".
	 */
	const char *role;
};

/* A `config system sa-source` entry: where the daemon learns live SAs. */
enum obj_sa_type {
	OBJ_SA_XFRM, /* the kernel's SA database, over XFRM netlink */
	OBJ_SA_VICI, /* strongSwan's charon, over its VICI socket */
	OBJ_SA_FILE, /* a static SA file (the replay format) */
};

#define OBJ_VICI_DEFAULT_PATH "/var/run/charon.vici"

struct obj_sa_source {
	const char *name;
	struct conf_loc loc;
	enum obj_sa_type type;
	const char *path; /* vici: the socket; file: the file; xfrm: NULL */
};

/*
 * `config log disk setting` with localin's `config system log-file`: how
 * the `--log FILE` rolls and what a full disk does (src/daemon/logfile.c).
 */
struct obj_log_disk {
	bool set;		/* `config log disk setting` is in the config */
	bool enabled;		/* status: log lines go to the file */
	unsigned int max_mb;	/* max-log-file-size */
	bool weekly;		/* roll-schedule weekly (on roll_days) */
	unsigned int roll_days; /* roll-day: bit 0 sunday .. bit 6 saturday */
	int roll_min;		/* roll-time, minutes into the day; -1: unset */
	bool overwrite;		/* diskfull overwrite (else nolog) */
	unsigned int rolled_files; /* system log-file rolled-files */
	bool json;		   /* system log-file format json */
};

/*
 * `config alertemail setting` with `config system email-server`: on when
 * some mailto is set, a From name and a server are given.
 */
enum obj_mail_security { OBJ_MAIL_NONE, OBJ_MAIL_STARTTLS, OBJ_MAIL_SMTPS };

struct obj_alertmail {
	bool on;
	const char *from;  /* username */
	const char *to[3]; /* mailto1..3, those set */
	unsigned int nr_to;
	bool threshold;	    /* filter-mode threshold: by level */
	unsigned int level; /* severity: lowest level mailed (0 emergency) */
	bool ipsec_errors;  /* category mode: IPsec-errors-logs */
	bool violation;	    /* category mode: violation-traffic-logs */
	unsigned int interval_min;	    /* email-interval (category mode) */
	unsigned int level_interval_min[8]; /* emergency-interval.. */
	const char *server;
	unsigned int port;
	enum obj_mail_security security;
	bool authenticate, validate_server;
	const char *user, *password; /* password in clear (ENC decoded) */
	const char *source_ip;	     /* NULL: the route's */
	const char *ssl_min;	     /* ssl-min-proto-version */
};

/*
 * `config log syslogd setting` + `config log syslogd filter`, and the same
 * for syslogd2..4 (index 0..3). Fixed-size so that the daemon can tell a
 * changed server from an unchanged one across a reload by comparing.
 */
#define OBJ_SYSLOGD_MAX 4

enum obj_syslog_mode { /* schema_syslog_modes order */
		       OBJ_SYSLOG_UDP,
		       OBJ_SYSLOG_LEGACY_RELIABLE, /* TCP, one line a record */
		       OBJ_SYSLOG_RELIABLE, /* TCP, RFC 6587 octet counting */
};

enum obj_syslog_format { /* schema_syslog_formats order */
			 OBJ_SYSLOG_FMT_DEFAULT,
			 OBJ_SYSLOG_FMT_CSV,
			 OBJ_SYSLOG_FMT_CEF,
			 OBJ_SYSLOG_FMT_RFC5424,
			 OBJ_SYSLOG_FMT_JSON,
};

struct obj_syslogd {
	bool enabled;
	char server[128]; /* an IP address or a host name */
	unsigned int port;
	enum obj_syslog_mode mode;
	unsigned int facility; /* syslog facility code, local7 = 23 */
	enum obj_syslog_format format;
	char source_ip[64]; /* "" = the kernel's choice */
	/* filter */
	unsigned int severity; /* lowest sent: 0 emergency .. 7 debug */
	bool forward_traffic, local_traffic;
};

/*
 * `config log eventfilter`: which event categories are logged. localin
 * applies it to the syslog servers (the log file keeps every line).
 */
struct obj_eventfilter {
	bool event; /* all event logs */
	bool vpn;   /* subtype="vpn": the ESP errors */
};

/* What a log line is, for `config log syslogd filter`. */
enum obj_log_class {
	OBJ_LOG_EVENT,		 /* type="event", another subtype */
	OBJ_LOG_EVENT_VPN,	 /* type="event" subtype="vpn" */
	OBJ_LOG_LOCAL_TRAFFIC,	 /* type="traffic" subtype="local" */
	OBJ_LOG_FORWARD_TRAFFIC, /* subtype="forward" (localin writes none) */
};

/*
 * Does @c's filter (and @ev, for events) let a line of @class at severity
 * @level through?
 */
bool obj_syslogd_takes(const struct obj_syslogd *c,
		       const struct obj_eventfilter *ev,
		       enum obj_log_class class, unsigned int level);

/* `config system metrics`: the Prometheus endpoint (daemon/metrics.c). */
struct obj_metrics {
	bool enabled;
	uint32_t addr; /* listen-address, host order */
	uint16_t port;
};

/* `config system external-resource` entry of type address (a feed). */
struct obj_feed {
	const char *name;
	struct conf_loc loc;
	const char *url;	     /* resource */
	const char *user, *password; /* NULL: none */
	const char *source_ip;	     /* NULL: the route's */
	unsigned int refresh_min;    /* refresh-rate */
	unsigned int
		verify; /* server-identity-check: 0 none, 1 basic, 2 full */
};

/* `config system dns`: the servers FQDN addresses are resolved with. */
struct obj_dns {
	const char *servers; /* "a,b" for c-ares; NULL: /etc/resolv.conf */
	unsigned int min_refresh_s, max_refresh_s; /* fqdn-min/max-refresh */
	unsigned int timeout_s, retry;
};

struct dyn_table;

/*
 * The country database of one family, as read for the geography
 * addresses the policies use (objects/geo.c); path NULL: none used.
 * Fixed-size, so that the daemon can tell when the file changed.
 */
struct obj_geoip_file {
	const char *path;
	bool loaded;
	char type[64];	/* "GeoIP legacy country" or the mmdb's type */
	char date[16];	/* when it was built, YYYY-MM-DD; "" unknown */
	size_t nr_nets; /* of all countries, in this family */
	uint64_t dev, ino, size;
	int64_t mtime_ns;
};

struct obj_config {
	struct arena *arena;
	/*
	 * Resolved FQDNs and fetched feeds (objects/dynaddr.h), set by the
	 * caller before ruleset_compile(); NULL: they match nothing.
	 */
	const struct dyn_table *dyn;
	struct obj_feed **feeds;
	size_t nr_feeds;
	struct obj_dns dns;
	struct obj_addr **addrs; /* address, address6, addrgrp, addrgrp6 */
	size_t nr_addrs;
	struct obj_service **services;
	size_t nr_services;
	struct obj_schedule **schedules;
	size_t nr_schedules;
	struct obj_policy **policies4; /* table order = evaluation order */
	size_t nr_policies4;
	struct obj_policy **policies6;
	size_t nr_policies6;
	struct obj_intf **intfs;
	size_t nr_intfs;
	const char *hostname;
	const char *vdom; /* of a multi-VDOM backup; NULL: root (vd= of logs) */
	const char *timezone; /* IANA name; NULL = the system's zone */
	bool detect_unknown_esp;
	/*
	 * `config system sa-source`, enabled entries; without the section
	 * (!sa_sources_set) the daemon finds what the gateway runs.
	 */
	struct obj_sa_source **sa_sources;
	size_t nr_sa_sources;
	bool sa_sources_set;
	unsigned int sa_grace_s;  /* system sa-check grace-period */
	bool esp_wrong_peer_drop; /* system sa-check wrong-peer-action deny */
	bool log_local_in_allow;
	bool log_local_in_deny_unicast;
	bool log_local_in_deny_broadcast;
	struct obj_log_disk log_disk;
	struct obj_alertmail alertmail;
	struct obj_syslogd syslogd[OBJ_SYSLOGD_MAX];
	struct obj_eventfilter eventfilter;
	struct obj_metrics metrics;
	struct obj_geoip_file geoip[2]; /* `config system geoip-database` */
};

/*
 * Resolve and validate @t into @cfg. Every problem is queued on @dl with
 * its location; returns 0, or -EINVAL if any error was queued. Warnings
 * (unused objects, empty groups, references to `none`) do not fail.
 */
int objects_resolve(struct conf_tree *t, struct obj_config *cfg,
		    struct diag_list *dl);

/*
 * One line per family whose country database geography addresses used,
 * after @prefix: "geoip IPv4: PATH (TYPE, built DATE, N networks)".
 */
void obj_geoip_print(const struct obj_config *cfg, const char *prefix,
		     FILE *out);

/* Name lookups (family 4 or 6 for addresses). */
struct obj_addr *objects_find_addr(const struct obj_config *cfg, int family,
				   const char *name);
struct obj_service *objects_find_service(const struct obj_config *cfg,
					 const char *name);
struct obj_schedule *objects_find_schedule(const struct obj_config *cfg,
					   const char *name);

/*
 * The error for '' among the @n names of @attr in entry @key of @section
 * (a policy's srcaddr, a group's member...), saying what to write; NULL
 * for an attribute that is no such list of names. In @a.
 */
char *obj_empty_name_error(struct arena *a, const char *section,
			   const char *key, const char *attr, size_t n);

/*
 * Is @s active at local wall-clock time @local_min (minutes since
 * 1970-01-01 00:00 in the config's zone)? Day of week follows from it.
 */
bool schedule_active(const struct obj_schedule *s, int64_t local_min);

/* Wall-clock time as schedules count it: minutes since 1970-01-01 00:00. */
int64_t civil_minutes(int year, unsigned int month, unsigned int day,
		      unsigned int hour, unsigned int minute);
/*
 * @t in the process's zone (TZ, which main sets from the config) as such
 * minutes, and the second within that minute. 0, or -EOVERFLOW.
 */
int local_minutes(time_t t, int64_t *minute, int *second);
/*
 * TZ = @tz (NULL: unset, the system's /etc/localtime), its zone file read
 * afresh: glibc's tzset() reads it again only when TZ's text changed, so a
 * system zone changed under a running daemon (timedatectl set-timezone)
 * would stay unseen through every reload.
 */
void zone_apply(const char *tz);
/*
 * @t as such minutes in @zone (an IANA name; NULL: the system's zone),
 * the process's zone left as it was. 0, -EOVERFLOW or -ENOMEM.
 */
int zone_minutes(const char *zone, time_t t, int64_t *minute);
/*
 * The system's zone for zone_minutes(): the TZ the daemon started with
 * (NULL: none, /etc/localtime), as its reloads change TZ.
 */
void obj_set_system_zone(const char *tz);

#endif
