/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The compiler: objects in, ruleset image out (see ruleset.h for the
 * layout). The host structs below only gather the image's arrays; every
 * array is a flat run of ruleset.h elements that the loader copies into a
 * BPF map as is.
 */
#ifndef LOCALIN_COMPILE_H
#define LOCALIN_COMPILE_H

#include <stdbool.h>
#include <stdio.h>

#include "conf/diag.h"
#include "objects/objects.h"
#include "compile/ruleset.h"

struct li_addr_table {
	__u32 *root;   /* LI_ROOT_SIZE entries */
	__u32 *blocks; /* nr_blocks * LI_BLOCK_SIZE entries */
	__u32 nr_blocks;
	__u32 nr_classes;
};

struct li_svc_table {
	__u32 proto_map[256];
	__u16 *dport_class[LI_NR_PORT_PROTOS]; /* LI_PORT_SPACE each */
	__u16 *sport_class[LI_NR_PORT_PROTOS];
	__u32 nr_dclass[LI_NR_PORT_PROTOS];
	__u32 nr_sclass[LI_NR_PORT_PROTOS];
	__u32 *cross[LI_NR_PORT_PROTOS]; /* nr_dclass * nr_sclass */
	/*
	 * Class for a packet of protocol p whose ports are unknown (a
	 * non-first fragment): only policies that do not constrain ports.
	 */
	__u32 unknown_ports[LI_NR_PORT_PROTOS];
	__u32 nr_classes;
};

/* Bitmaps of one dimension: nr_classes rows of bm_words __u64 each. */
struct li_bitmaps {
	__u32 nr_classes;
	__u64 *words;
};

/*
 * Phase tables (phase.c): the classes combined by cross products, a
 * decision in three array reads (four here: the data path's ab holds
 * first[] of each C). Only when they fit LI_PHASE_BUDGET
 * bytes a family (on); else the data path walks the bitmaps, and
 * need_bytes says what they would have taken (at least).
 */
#define LI_PHASE_BUDGET (8u << 20)

struct li_phase {
	bool on;
	__u32 nr_svc, nr_dst; /* the row widths of sv and id */
	__u32 nr_a, nr_b, nr_c;
	__u32 *sv;	   /* src class * nr_svc + svc class -> A */
	__u32 *id;	   /* intf class * nr_dst + dst class -> B */
	__u32 *ab;	   /* A * nr_b + B -> C */
	__u64 *c_words;	   /* nr_c rows of bm_words: C's policies */
	size_t need_bytes; /* the data path's tables, and first[] */
};

/* One address family's policies and tables. */
struct li_family {
	__u32 nr_policies;
	__u32 bm_words; /* (nr_policies + 63) / 64, at least 1 */
	struct li_policy *policies;
	struct li_intf_class *intfs; /* sorted by name */
	__u32 nr_intfs;
	__u32 intf_other; /* class of every interface not named */
	struct li_addr_table src, dst;
	struct li_svc_table svc;
	struct li_bitmaps bm_intf, bm_src, bm_dst, bm_svc;
	__u64 *enabled; /* bm_words: status enable */
	struct li_phase phase;
};

struct li_ruleset {
	struct li_family v4, v6;
	struct li_sched *scheds;
	__u32 nr_scheds;
	__u32 *sched_members;
	__u32 nr_sched_members;
	bool detect_unknown_esp;
	bool esp_wrong_peer_drop;
	bool log_allow, log_deny_unicast, log_deny_broadcast;
	size_t bytes; /* memory held by the tables */
};

/*
 * Compile @cfg into @rs. Compile-time findings (a policy shadowed by
 * earlier ones, an exclude-member outside the group's members) are queued
 * as warnings on @dl. Returns 0 or a negative errno.
 */
int ruleset_compile(const struct obj_config *cfg, struct li_ruleset *rs,
		    struct diag_list *dl);
void ruleset_free(struct li_ruleset *rs);

/* Stable text form of every table, for `localin check --dump`. */
void ruleset_dump(const struct li_ruleset *rs, FILE *out);

/* Short summary of sizes for `localin check`. */
void ruleset_summary(const struct li_ruleset *rs, FILE *out);

/* Mask of policies whose schedule is active at @local_min (see objects.h). */
void ruleset_active_mask(const struct li_ruleset *rs, const struct li_family *f,
			 __s64 local_min, __u64 *out);
/* The same ANDed with status enable: the mask the data path ANDs in. */
void ruleset_live_mask(const struct li_ruleset *rs, const struct li_family *f,
		       __s64 local_min, __u64 *out);

/*
 * first[c] for each C class of @f's phase tables: its lowest policy in
 * @active (bm_words words), or -1.
 */
void ruleset_phase_first(const struct li_family *f, const __u64 *active,
			 __s32 *first);
/*
 * The data path's ab table under @active: for each (A, B) of @f's phase
 * tables, first[ab[A, B]], into @out (nr_a * nr_b entries). 0 or -ENOMEM.
 */
int ruleset_phase_ab_first(const struct li_family *f, const __u64 *active,
			   __s32 *out);
/*
 * Drop @rs's phase tables: the data path walks the bitmaps, as for a
 * config over the budget (tests/diff runs both ways).
 */
void ruleset_phase_drop(struct li_ruleset *rs);
/* The first matching policy by @f's phase tables and @first, or -1. */
int ruleset_phase_classify(const struct li_family *f, const __s32 *first,
			   __u32 ci, __u32 cs, __u32 cd, __u32 cv);

#endif
