/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The layout of one set of the ruleset image as the XDP program's maps
 * hold it (dataplane/maps.h): the element sizes of the maps and the set's
 * header. The compiler lays the image out (image.c), the loader copies it
 * and the program reads it, so the layout lives here, below all three.
 * Only fixed-width types: the BPF side includes this.
 */
#ifndef LOCALIN_COMPILE_IMAGE_LAYOUT_H
#define LOCALIN_COMPILE_IMAGE_LAYOUT_H

#include "compile/ruleset.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define LI_NR_SETS 2

/*
 * li_addr's unit: one trie block; a table is its root (LI_ADDR_ROOT_ELEMS
 * of them) and its blocks after it, a set's tables one after another.
 */
#define LI_ADDR_ELEM 256
#define LI_ADDR_ROOT_ELEMS (LI_ROOT_SIZE / LI_ADDR_ELEM)

/*
 * A pointer to a block (LI_NEXT) in li_addr as the program reads it:
 * LI_NEXT | the block's byte offset in li_conf_val.tab (maps.h), where
 * the compiler's tables have the block's index in its table. The image
 * holds the offset from its own first entry (image.c fill_addr), and the
 * loader adds its set's when it copies it (loader_image.c copy_addr).
 * Offsets stay below li_conf's bound (loader.c LI_CONF_MAX, 2^29), so
 * below LI_NEXT.
 */
static __always_inline __u32 li_addr_next_at(__u32 entry)
{
	return LI_NEXT | entry * (__u32)sizeof(__u32);
}

/* li_port element: 256 consecutive ports' classes. */
#define LI_PORT_ELEM 256
#define LI_PORT_ELEMS_PER_TABLE (LI_PORT_SPACE / LI_PORT_ELEM)
/* Tables per set: family x port protocol x (dport, sport). */
#define LI_PORT_TABLES (2 * LI_NR_PORT_PROTOS * 2)
#define LI_PORT_SET_ELEMS (LI_PORT_TABLES * LI_PORT_ELEMS_PER_TABLE)
#define LI_PORT_ELEMS (LI_NR_SETS * LI_PORT_SET_ELEMS)

/*
 * li_phase element: 64 consecutive entries of the phase tables
 * (compile.h, struct li_phase): sv, id, then ab with each entry the
 * first policy of its C class under the active mask (compile/phase.c;
 * the loader rewrites it when the schedules change), each from an
 * element's first entry.
 */
#define LI_PHASE_ELEM 64

/* One family of one set; offsets are relative to the set's start. */
struct li_fam_hdr {
	__u32 nr_policies;
	__u32 bm_words; /* 0 when the family has no policies */
	__u32 intf_other;
	__u32 pol_base;	    /* li_pol, li_pol_hits */
	__u32 addr_base[2]; /* li_addr: root of src, dst; blocks follow it */
	/*
	 * The loader's: addr_base's roots as byte offsets in the XDP
	 * program's table, so that it reaches a root entry by one add from
	 * this read (localin.bpf.c addr_entry); beside addr_base, in the
	 * cache line a decision reads anyway. The compiler leaves them 0.
	 */
	__u32 addr_at[2];
	__u32 bm_base[LI_NR_DIMS]; /* li_bm: class 0, word 0 (ACTIVE: mask) */
	__u32 cross_base[LI_NR_PORT_PROTOS]; /* li_cross */
	__u32 nr_sclass[LI_NR_PORT_PROTOS];
	__u32 unknown_ports[LI_NR_PORT_PROTOS];
	/*
	 * Bit p: protocol p's destination-port table holds service classes
	 * (its services name no source ports: the cross table folded in),
	 * so the program reads neither the source-port table nor li_cross.
	 */
	__u32 svc_direct;
	/*
	 * Bit 0 source, bit 1 destination: the address table has one class
	 * (0), as when every policy names "all" there: not looked up.
	 */
	__u32 addr_one;
	__u32 proto_map[256];
	/* Phase tables (li_phase entries; phase_on 0: the bitmap walk). */
	__u32 phase_on;
	__u32 ph_ndst; /* row width of id */
	/*
	 * sv: A * nr_b, its row of ab (so sv and ab need no row width);
	 * ab: first policy, -1 none
	 */
	__u32 ph_sv, ph_id, ph_ab;
	/*
	 * The loader's: policy pol_base's first word in the XDP program's
	 * table (maps.h li_conf_val.tab). The compiler leaves it 0.
	 */
	__u32 pol_at;
};

/* li_sets[set]: what a packet needs besides the big tables. */
struct li_set_hdr {
	struct li_fam_hdr fam[2];
	__u8 detect_esp;
	__u8 log_allow;
	__u8 log_deny_unicast;
	__u8 log_deny_broadcast;
	__u8 esp_wrong_peer_drop;
	__u8 pad[3];
	/*
	 * Which load this set is (the loader's, never the compiler's): a
	 * session accepted under another is judged again (session.h).
	 */
	__u32 gen;
	__u32 pad2;
};

/* Key @i of set (or half) @set in a map of @cap entries per set. */
static __always_inline __u32 li_set_key(__u32 set, __u32 cap, __u32 i)
{
	return set * cap + i;
}

/* li_phase: the element of entry @i, and @i within it. */
static __always_inline __u32 li_phase_elem(__u32 i)
{
	return i / LI_PHASE_ELEM;
}

/* Blocks follow their root: block b is element LI_ADDR_ROOT_ELEMS + b. */
static __always_inline __u32 li_addr_block_elem(__u32 i)
{
	return LI_ADDR_ROOT_ELEMS + i / LI_BLOCK_SIZE;
}

/*
 * li_port: the first of the LI_PORT_ELEMS_PER_TABLE elements of the
 * table of family @fam, port protocol @p, source ports or not (@src), in
 * set @set; port x is in element + x / LI_PORT_ELEM.
 */
static __always_inline __u32 li_port_table_key(__u32 set, int fam, __u32 p,
					       int src)
{
	__u32 t = ((set * 2 + (fam & 1)) * LI_NR_PORT_PROTOS + p) * 2 + !!src;

	return t * LI_PORT_ELEMS_PER_TABLE;
}

#endif
