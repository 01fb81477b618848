/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The compiled ruleset image: plain tables, no pointers inside any element,
 * so the XDP program can hold each array in a BPF map and the host matcher
 * can point at the same arrays in memory. Only fixed-width types here.
 *
 * Classification is the bit-vector scheme of DESIGN.md. Per address family
 * there are four dimensions: arrival interface, source address,
 * destination address and service (protocol + ports, or ICMP type/code).
 * Each dimension maps a packet to an equivalence class in constant time;
 * each class carries the bitmap of policies (in evaluation order) that the
 * packet satisfies in that dimension, negate already applied. The AND of
 * the four bitmaps and the active mask (status, schedules) has, as its
 * lowest set bit, the first matching policy.
 */
#ifndef LOCALIN_COMPILE_RULESET_H
#define LOCALIN_COMPILE_RULESET_H

#include <linux/types.h>

#define LI_IFNAMSIZ 16

/*
 * Address tables are multibit tries over fixed strides: a root of 2^16
 * entries, then blocks of 2^8 (IPv4: 16-8-8; IPv6: 16 then up to 14 levels
 * of 8). An entry is a class number, or LI_NEXT | index of a child block.
 */
#define LI_ROOT_BITS 16
#define LI_ROOT_SIZE (1u << LI_ROOT_BITS)
#define LI_BLOCK_BITS 8
#define LI_BLOCK_SIZE (1u << LI_BLOCK_BITS)
#define LI_NEXT 0x80000000u
#define LI_V4_LEVELS 3	/* root + 2 blocks */
#define LI_V6_LEVELS 15 /* root + 14 blocks */

/*
 * Service lookup. proto_map[proto] is a class number, or LI_PORTS | p where
 * p indexes the port tables of a protocol that has ports: TCP, UDP, SCTP,
 * and ICMP/ICMPv6 whose "ports" are dport = type << 8 | code, sport = 0.
 * dclass = dport_class[p][dport], sclass = sport_class[p][sport],
 * class = cross[p][dclass * nr_sclass[p] + sclass].
 */
#define LI_PORTS 0x80000000u
/*
 * proto_map of TCP and UDP is LI_PORTS | LI_PP_TCP and LI_PORTS | LI_PP_UDP
 * in both families, always (li_port_proto_number): the data path takes
 * their tables without reading it (match.h li_svc_class).
 */
enum li_port_proto {
	LI_PP_TCP,
	LI_PP_UDP,
	LI_PP_SCTP,
	LI_PP_ICMP,
	LI_PP_ICMP6,
	LI_NR_PORT_PROTOS,
};

#define LI_PORT_SPACE 65536

/* The dimensions a packet is classified in, each a bitmap per class. */
enum li_dim {
	LI_DIM_INTF,
	LI_DIM_SRC,
	LI_DIM_DST,
	LI_DIM_SVC,
	LI_DIM_ACTIVE, /* enabled & schedule-active mask: class 0 only */
	LI_NR_DIMS,
};

/* The most policies one family may have: bitmap words per class. */
#define LI_MAX_BM_WORDS 256 /* 16384 policies */

enum li_action {
	LI_ACT_DENY = 0,
	LI_ACT_ACCEPT = 1,
};

/* li_policy.flags */
#define LI_POL_ENABLED (1u << 0)
#define LI_POL_LOGTRAFFIC (1u << 1)
/*
 * A decision by the policy that opened no session makes a traffic log
 * line: to a unicast destination (LOG_UNICAST), to a broadcast or
 * multicast one (LOG_BCAST). Its logtraffic, or `config log setting`'s
 * local-in-allow, or local-in-deny-unicast / -broadcast, by its action:
 * the compiler's (policies_build), so that a packet tests one bit
 * (dataplane/event.h li_traffic_logged).
 */
#define LI_POL_LOG_UNICAST (1u << 2)
#define LI_POL_LOG_BCAST (1u << 3)

struct li_policy {
	__u32 id;    /* the admin's policy id */
	__u16 sched; /* index into the schedule table */
	__u8 action; /* enum li_action */
	__u8 flags;
};

struct li_intf_class {
	char name[LI_IFNAMSIZ];
	__u32 cls;
};

enum li_sched_type {
	LI_SCHED_ALWAYS,
	LI_SCHED_NEVER,
	LI_SCHED_RECURRING,
	LI_SCHED_ONETIME,
	LI_SCHED_GROUP,
};

/*
 * Schedule predicate, evaluated by the daemon (not per packet) at every
 * boundary into the active-policy mask. Group members are indices of
 * earlier entries in the same table (groups never nest).
 */
struct li_sched {
	__u8 type;
	__u8 days; /* recurring: bit 0 = sunday */
	__u16 start_min, end_min;
	__u16 nr_members;
	__u32 first_member;	      /* index into li_ruleset.sched_members */
	__s64 start_local, end_local; /* onetime, minutes since 1970 local */
};

#endif
