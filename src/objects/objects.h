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
			/* ADDR_IPMASK, ADDR_IPRANGE, ADDR_IFSUBNET */
			struct ip_range range;
			const char *fqdn;
			const char *intf;
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
	unsigned int refs;	  /* references from policies and groups */
	bool exclude;		  /* ADDR_GROUP: set exclude enable */
	bool builtin;		  /* factory object (all, none) */
	uint8_t unsupported_memo; /* resolver scratch: 0 unknown, 1 ok, 2 bad */
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
	/* onetime: local wall-clock minutes since 1970-01-01 00:00 */
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
struct obj_intf {
	const char *name;
	struct conf_loc loc;
	uint32_t ip4; /* host order; 0 = none */
	unsigned int ip4_prefixlen;
	struct obj_intf_addr6 *ip6;
	size_t nr_ip6;
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

/* `config system metrics`: the Prometheus endpoint (daemon/metrics.c). */
struct obj_metrics {
	bool enabled;
	uint32_t addr; /* listen-address, host order */
	uint16_t port;
};

struct obj_config {
	struct arena *arena;
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
	struct obj_metrics metrics;
};

/*
 * Resolve and validate @t into @cfg. Every problem is queued on @dl with
 * its location; returns 0, or -EINVAL if any error was queued. Warnings
 * (unused objects, empty groups, references to `none`) do not fail.
 */
int objects_resolve(struct conf_tree *t, struct obj_config *cfg,
		    struct diag_list *dl);

/* Name lookups (family 4 or 6 for addresses). */
struct obj_addr *objects_find_addr(const struct obj_config *cfg, int family,
				   const char *name);
struct obj_service *objects_find_service(const struct obj_config *cfg,
					 const char *name);
struct obj_schedule *objects_find_schedule(const struct obj_config *cfg,
					   const char *name);

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

#endif
