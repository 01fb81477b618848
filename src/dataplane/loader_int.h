/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the loader: its state, shared by loader.c (program, pins,
 * attach, events, test runs) and loader_image.c (what goes into the maps).
 */
#ifndef LOCALIN_DATAPLANE_LOADER_INT_H
#define LOCALIN_DATAPLANE_LOADER_INT_H

#include <errno.h>
#include <stdarg.h>

#include <bpf/libbpf.h>

#include "dataplane/loader.h"
#include "dataplane/maps.h"

struct localin_bpf;
struct ring_buffer;
struct xdp_program;
struct xdp_multiprog;
struct bpf_object;

/* An interface the daemon (or replay) named, by index. */
struct li_ifname {
	int ifindex;
	char name[LI_IFNAMSIZ];
};

/*
 * Our program on one interface: its own object, sharing our maps, where
 * libxdp attached it (its dispatcher loads a component per interface);
 * @obj and @prog NULL where the loader's own program went on the hook
 * alone (li_xdp_fd: loaded once, attached to every interface).
 */
struct li_attached {
	int ifindex;
	struct bpf_object *obj;
	struct xdp_program *prog;
	int native_err; /* why native XDP was refused (-errno), 0: native */
};

/*
 * The egress program on one interface (the XDP program's, or one it is
 * @alone on, localin_eg_only): @err 0 attached, else why not (-errno).
 * loader_tc.c.
 */
struct li_egress {
	int ifindex;
	int err;
	bool alone;
	enum li_frames frames; /* the caller's, for the next try */
};

/* What the loader keeps of the ruleset in force. */
struct li_fam_copy {
	/* intfs, nr_intfs, intf_other, sizes; phase: on, nr_a, nr_b, nr_c,
	 * ab, c_words only (li_loader_set_active: ruleset_phase_ab_first) */
	struct li_family f;
	__u64 *enabled;
	__u64 *hits; /* li_counters output, nr_policies */
};
/* Free what a copy holds; zeroed after (loader_image.c). */
void li_fam_copy_free(struct li_fam_copy *fc);

/*
 * How libxdp puts a program on an empty hook here: under its dispatcher,
 * as an extension of that interface's dispatcher (loaded, and verified,
 * once per interface), or alone when the kernel refuses the dispatcher;
 * known from the first attach.
 */
enum li_xdp_way {
	LI_XDP_UNKNOWN,
	LI_XDP_DISPATCHER,
	LI_XDP_ALONE,
};

/* libxdp's EBUSY for a change of its dispatcher: the kernel's EEXIST. */
int li_libxdp_err(int err);

struct li_loader {
	struct localin_bpf *skel;
	char *pin_dir;
	enum li_pins pins;  /* what li_loader_open_for() found pinned */
	int orphan_ifindex; /* LI_PINS_ORPHAN: where its program was */
	int ncpus;
	__u64 *pcpu;	      /* one per-CPU value */
	struct li_conf conf;  /* but its state words: li_state_get() */
	struct li_conf *cmap; /* li_conf's value, mapped */
	/* in cmap's value (maps.h struct li_conf_val): map_tables() */
	__u32 *amap;		    /* the address tables of both sets */
	__u32 *pmap;		    /* the phase tables */
	struct li_policy *polmap;   /* the policies */
	__u64 *carried_hits;	    /* by li_pol_hits key (loader_hits.c) */
	__u16 *portmap;		    /* the port table */
	struct li_local_slot *lmap; /* the locals table, both halves */
	struct li_sa_slot *smap;    /* the SA table, both halves */
	struct li_ifc *ifcmap;	    /* the interfaces' classes */
	__u64 test_now_ns;	    /* li_loader_set_test_time() */
	bool no_batch; /* batch map ops refused: li_batch_refused */
	__u32 active;  /* set in force */
	bool have_rs;
	struct li_set_hdr hdr; /* of the set in force */
	struct li_fam_copy fam[2];
	__u64 last_flip_ns;
	__u32 locals_half; /* locals table half in force */
	__u64 last_locals_ns;
	__u32 sas_state; /* state[LI_STATE_SAS]: half in force, bits */
	bool ike_gate;	 /* li_loader_set_sas's LI_SAS_IKE_GATE (tests) */
	__u64 last_sas_ns;

	struct li_ifname *ifs;
	size_t nr_ifs, cap_ifs;
	struct li_attached *att;
	size_t nr_att;
	struct li_egress *eg;
	size_t nr_eg;
	struct bpf_object *l3_obj; /* localin_xdp_l3, loaded at first use */
	enum li_xdp_way xdp_way;

	struct ring_buffer *rb;
	void (*poll_fn)(void *ctx, const struct li_event *ev, __u64 time_ns);
	void *poll_ctx;
	__s64 clock_off; /* realtime - monotonic, ns */
	int polled;
	__u64 events_ns; /* when li_loader_poll() last handled any (mono) */
	struct li_sess_bucket *stab; /* li_sess_tab, mapped, or NULL */
	__u64 *hint;	     /* li_conf_val's sess_hint (session.h), or NULL */
	__u64 last_hint_ns;  /* the last flip of its halves */
	__u32 hint_building; /* the half a rebuild fills */
};

/*
 * li_conf's state word @i (LI_STATE_*), as the programs read it; written
 * in place, one atomic store. The event rates of l->conf, likewise.
 */
void li_state_set(struct li_loader *l, int i, __u32 v);
__u32 li_state_get(const struct li_loader *l, int i);
int li_uppers_set(struct li_loader *l, __u32 n);
void li_conf_put_rates(struct li_loader *l);
/* The NAT-T ports (maps.h li_conf_val.natt), one store. */
void li_natt_put(struct li_loader *l, const struct li_natt *n);
/*
 * li_cpu's values, one per possible CPU li_cpu_stride() bytes apart, into
 * a buffer of malloc (*@out, to free); 0 or -errno.
 */
size_t li_cpu_stride(void);
int li_cpu_read(struct li_loader *l, char **out);
/*
 * Policy hits (loader_hits.c), by li_pol_hits key: what the program
 * counted there, summed over the CPUs (live), or that and what is carried
 * from earlier sets (read, of keys @first.. @first + @n - 1, in batches).
 */
int li_hits_live(struct li_loader *l, __u32 key, __u64 *sum);

#ifndef ENOTSUPP
#define ENOTSUPP 524 /* the kernel's, for a map type without batch ops */
#endif

/*
 * Whether a batch map operation failed with @e as a kernel without them
 * answers (before 5.6: EINVAL; a map type without them: ENOTSUPP). Its
 * caller sets no_batch and does the same one key at a time from then on,
 * as li_loader_test_no_batch() forces: the hits (loader_hits.c), the
 * ruleset's arrays (loader_image.c write_elems), a successor's copy of
 * the state (loader_swap.c copy_map).
 */
static inline bool li_batch_refused(int e)
{
	return e == EINVAL || e == ENOTSUPP || e == EOPNOTSUPP;
}
int li_hits_read_range(struct li_loader *l, __u32 first, __u32 n, __u64 *sum);
/* Keys @first.. @first + @n - 1 to zero on every CPU (a set not in force). */
int li_hits_zero(struct li_loader *l, __u32 first, __u32 n);
/* A reload's carrying of hits into the set coming in, to its end. */
struct li_hits_carry {
	size_t n;
	__u32 *to;   /* keys in the set coming in */
	__u32 *from; /* its id's key in the set in force */
	__u64 *seen; /* from's live count when carried */
	__u32 from_set;
};
/*
 * Set @set, written but not in force, gets the hits of the set in force
 * by policy id; li_hits_carry_end() adds what the old set counted since,
 * once no packet can count there any more (the flip and its gap after).
 */
int li_hits_carry_begin(struct li_loader *l, __u32 set,
			struct li_hits_carry *c);
void li_hits_carry_end(struct li_loader *l, struct li_hits_carry *c);
void li_hits_carry_free(struct li_hits_carry *c);
/* @n's policies in force += @old's hits by id (@old counts no more). */
int li_hits_add(struct li_loader *n, struct li_loader *old);
/* li_cpu's counters summed over the CPUs, with li_conf's carried ones. */
int li_loader_stats(struct li_loader *l, __u64 sum[LI_NR_STATS]);
/* Write one interface's classes into set @set. */
int li_loader_write_ifc(struct li_loader *l, __u32 set, int ifindex,
			const __u32 cls[2]);
__u64 li_mono_ns(void);
/*
 * Map an mmapable array map whole into *@out (0 or -errno); unmap what
 * that mapped (NULL: nothing).
 */
int li_map_mmap(const struct bpf_map *m, void *out);
void li_map_munmap(const struct bpf_map *m, void *p);
/*
 * Map li_sess_tab, find the session hint in li_conf's mapping
 * (loader_sess.c); unmap them. Empty
 * the table's slots left claimed (li_sess_tab_settle): their number.
 */
int li_sess_maps_map(struct li_loader *l);
void li_sess_maps_unmap(struct li_loader *l);
int li_sess_tab_settle(struct li_loader *l);
/*
 * What one map set needs for @rs: address elements, bitmap words, cross
 * entries, policies; the sizes of the compiler's image (compile/image.h)
 * for the map sizes, loader.c.
 */
/* Entries a set needs: addr, bm, cross, pol, phase (elements). */
void li_image_need(const struct li_ruleset *rs, __u32 need[5]);
#define LI_PROG_NAME "localin_xdp"
/* The same for frames that start at the IP header (li_link_frames). */
#define LI_PROG_L3_NAME "localin_xdp_l3"
/* Ours, either kind (a program's name as the kernel or libxdp gives it). */
bool li_xdp_name_ours(const char *name);
/* The XDP program for @frames (li_link_frames()). */
const char *li_xdp_name_for(enum li_frames frames);

/*
 * For libbpf_set_print() around a call whose failure is expected and
 * handled (its kernel message would read as an error): nothing, but
 * with LOCALIN_BPF_DEBUG.
 */
int li_print_none_bpf(enum libbpf_print_level level, const char *fmt,
		      va_list ap);
#define LI_EGRESS_NAME "localin_egress"
/* The same, uncounting, alone on an interface (localin.bpf.c). */
#define LI_EG_ONLY_NAME "localin_eg_only"
/* Both for frames that start at the IP header (localin.bpf.c). */
#define LI_EGRESS_L3_NAME "localin_egr_l3"
#define LI_EG_ONLY_L3_NAME "localin_ego_l3"

/* Reuse this build's pins under l->pin_dir; l->pins says what was found. */
int li_adopt_maps(struct li_loader *l);
/* No pins: the maps of our program left attached (loader_orphan.c). */
int li_adopt_orphan(struct li_loader *l);
/* The build that made the li_conf map @fd (li_loader_build()'s). */
int li_map_build(int fd, __u64 *build);
/* Pin every map and the program under l->pin_dir (its old pins go). */
int li_pin_all(struct li_loader *l);
/*
 * A second instance of the XDP program @name (for one interface), sharing
 * our maps; the object's other programs are not loaded.
 */
int li_attach_obj(struct li_loader *l, const char *name,
		  struct bpf_object **out);
/*
 * The loader's XDP program for @frames (the skeleton's, or l3_obj's,
 * loaded at the first call), attached alone to any number of hooks: its
 * fd (the loader's, not to close), or -errno.
 */
int li_xdp_fd(struct li_loader *l, enum li_frames frames);
/* libxdp's handle of @obj's XDP program for @frames. */
struct xdp_program *li_our_xdp(struct bpf_object *obj, enum li_frames frames);
/* Our program among an interface's (by name), and: does it use our maps? */
struct xdp_program *li_find_ours(struct xdp_multiprog *mp);
bool li_shares_maps(struct li_loader *l, struct xdp_program *p);

/* An interface's XDP hook as the kernel says it (loader_hook.c). */
struct li_hook {
	enum {
		LI_HOOK_NONE,
		LI_HOOK_OURS,	    /* our program, alone */
		LI_HOOK_DISPATCHER, /* libxdp's: read its components by libxdp */
		LI_HOOK_FOREIGN,    /* someone else's, alone */
	} kind;
	int fd; /* the program's, -1 with LI_HOOK_NONE */
	__u32 id;
	int mode; /* enum xdp_attach_mode */
	char name[16];
};
/* 0 and @h filled (li_hook_close() it), or -errno. */
int li_hook_read(int ifindex, struct li_hook *h);
void li_hook_close(struct li_hook *h);
/* LI_HOOK_OURS off @ifindex, if that program is still there. */
int li_hook_detach(const struct li_hook *h, int ifindex);
/* XDP_FLAGS_*_MODE of an enum xdp_attach_mode. */
__u32 li_mode_flags(int mode);
/* Does the program @prog_fd judge packets with @l's maps? */
bool li_fd_shares_maps(struct li_loader *l, int prog_fd);
/*
 * Put our program for @frames on @ifindex in the place of the program
 * @old_fd, attached there in @mode (enum xdp_attach_mode), alone (@legacy)
 * or under libxdp's dispatcher: loader_swap.c.
 */
int li_attach_replace(struct li_loader *l, int ifindex, enum li_frames frames,
		      int old_fd, int mode, bool legacy);
/*
 * loader_tc.c: our filter off @ifindex's egress hook (any run's; someone
 * else's stays), 0 also when the interface or its qdisc is gone; the same
 * with @l's record of it forgotten first; only the record forgotten.
 */
int li_egress_remove(int ifindex);
/*
 * Ours for @frames on @ifindex, @alone or with the XDP program
 * (li_loader_attach); kept, for li_loader_attach_egress() to try again.
 */
int li_egress_attach_as(struct li_loader *l, int ifindex, bool alone,
			enum li_frames frames);
int li_egress_detach(struct li_loader *l, int ifindex);
void li_egress_forget(struct li_loader *l, int ifindex);
/* Unlink every entry of a pin directory (kept: the directory). */
int li_pins_clear(const char *dir);

#endif
