// SPDX-License-Identifier: GPL-2.0
/*
 * The XDP program from user space: open and load the skeleton (maps sized
 * from a ruleset, or adopted from their pins), attach through libxdp,
 * events from the ring buffer, counters, and BPF_PROG_TEST_RUN. What goes
 * into the maps is loader_image.c; pins are loader_pins.c; one program
 * taking another's place is loader_swap.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "localin.skel.h"
#include "dataplane/loader_int.h"

/* Per set; li_loader_open_for() doubles a hint's needs above these. */
#define DEF_CAP_ADDR (4 * LI_ADDR_ROOT_ELEMS + 2048)
#define DEF_CAP_BM 65536
#define DEF_CAP_CROSS 65536
#define DEF_CAP_POL 2048
#define DEF_CAP_PHASE 1024 /* li_phase elements: 64k entries */

#define DEF_EVENT_RATE 1000
#define DEF_EVENT_BURST 1000

__u64 li_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/*
 * libbpf and libxdp print to stderr, their info lines included, and every
 * attach on a kernel that refuses freplace programs prints libxdp's failed
 * probe for its dispatcher (a probe's failure is its answer, not an
 * error). So: warnings only, and nothing during an attach, whose own
 * error the caller reports (li_loader_attach swaps in print_none).
 * LOCALIN_BPF_DEBUG=1 in the environment lets everything through.
 */
static bool bpf_debug(void)
{
	const char *e = getenv("LOCALIN_BPF_DEBUG");

	return e && *e && strcmp(e, "0");
}

static int print_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level != LIBBPF_WARN && !bpf_debug())
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int print_libxdp(enum libxdp_print_level level, const char *fmt,
			va_list ap)
{
	if (level != LIBXDP_WARN && !bpf_debug())
		return 0;
	return vfprintf(stderr, fmt, ap);
}

int li_print_none_bpf(enum libbpf_print_level level, const char *fmt,
		      va_list ap)
{
	return bpf_debug() ? vfprintf(stderr, fmt, ap) : 0;
}

static int print_none_xdp(enum libxdp_print_level level, const char *fmt,
			  va_list ap)
{
	return bpf_debug() ? vfprintf(stderr, fmt, ap) : 0;
}

/*
 * The verifier follows a pointer into a map value only so far (its
 * BPF_MAX_VAR_OFF, 512 MiB): li_conf's tables must end within it.
 */
#define LI_CONF_MAX (1ull << 29)

static int set_caps(struct li_loader *l, const struct li_ruleset *hint)
{
	struct localin_bpf *s = l->skel;
	__u32 need[5] = { 0 },
	      def[5] = { DEF_CAP_ADDR, DEF_CAP_BM, DEF_CAP_CROSS, DEF_CAP_POL,
			 DEF_CAP_PHASE };
	__u64 addr, phase, pol, size;
	int i;

	if (hint)
		li_image_need(hint, need);
	for (i = 0; i < 5; i++)
		if (need[i] > def[i] / 2)
			def[i] = need[i] * 2;
	l->conf.cap_addr = def[0];
	l->conf.cap_bm = def[1];
	l->conf.cap_cross = def[2];
	l->conf.cap_pol = def[3];
	l->conf.cap_phase = def[4];
	/* li_conf_val.tab: the address tables, the phase tables, policies */
	addr = (__u64)LI_NR_SETS * def[0] * LI_ADDR_ELEM;
	phase = (__u64)LI_NR_SETS * def[4] * LI_PHASE_ELEM;
	pol = (__u64)LI_NR_SETS * def[3] *
	      (sizeof(struct li_policy) / sizeof(__u32));
	size = li_conf_val_size(&l->conf);
	if (size > LI_CONF_MAX)
		return -E2BIG;
	l->conf.tab_phase = (__u32)addr;
	l->conf.tab_pol = (__u32)(addr + phase);
	l->conf.tab_hits = (__u32)(addr + phase + pol); /* even: 8-aligned */
	bpf_map__set_value_size(s->maps.li_conf, (__u32)size);
	bpf_map__set_max_entries(s->maps.li_bm, LI_NR_SETS * def[1]);
	bpf_map__set_max_entries(s->maps.li_cross, LI_NR_SETS * def[2]);
	bpf_map__set_max_entries(s->maps.li_pol_hits, LI_NR_SETS * def[3]);
	return 0;
}

/* An mmapable array map's bytes: its elements 8-byte aligned, in pages. */
static size_t map_bytes(const struct bpf_map *m)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE),
	       n = (size_t)bpf_map__max_entries(m) *
		   ((bpf_map__value_size(m) + 7) & ~7u);

	return (n + pg - 1) / pg * pg;
}

int li_map_mmap(const struct bpf_map *m, void *out)
{
	void *p = mmap(NULL, map_bytes(m), PROT_READ | PROT_WRITE, MAP_SHARED,
		       bpf_map__fd(m), 0);

	if (p == MAP_FAILED)
		return -errno;
	*(void **)out = p;
	return 0;
}

void li_map_munmap(const struct bpf_map *m, void *p)
{
	if (p)
		munmap(p, map_bytes(m));
}

/* The index of li_conf_val.tab's last word in li_conf @m's value. */
static __u32 tab_last(const struct bpf_map *m)
{
	return (__u32)((bpf_map__value_size(m) - sizeof(struct li_conf_val)) /
			       sizeof(__u32) -
		       1);
}

void li_state_set(struct li_loader *l, int i, __u32 v)
{
	__atomic_store_n(&l->cmap->state[i], v, __ATOMIC_RELEASE);
}

void li_loader_sas_alive(struct li_loader *l)
{
	__u64 now = li_mono_ns();

	/* 0 would mean that no daemon keeps the table */
	__atomic_store_n(&l->cmap->sas_alive_ns, now ? now : 1,
			 __ATOMIC_RELAXED);
}

__u32 li_state_get(const struct li_loader *l, int i)
{
	return __atomic_load_n(&l->cmap->state[i], __ATOMIC_ACQUIRE);
}

/* Event rates: each word in place (the programs read them live). */
void li_natt_put(struct li_loader *l, const struct li_natt *n)
{
	__u64 w;

	_Static_assert(sizeof(*n) == sizeof(w), "the NAT-T ports are a word");
	memcpy(&w, n, sizeof(w));
	__atomic_store_n((__u64 *)&((struct li_conf_val *)l->cmap)->natt, w,
			 __ATOMIC_RELEASE);
}

void li_conf_put_rates(struct li_loader *l)
{
	int k;

	for (k = 0; k < LI_EV_NR_KINDS; k++) {
		__atomic_store_n(&l->cmap->tb_cost_ns[k], l->conf.tb_cost_ns[k],
				 __ATOMIC_RELAXED);
		__atomic_store_n(&l->cmap->tb_burst_ns[k],
				 l->conf.tb_burst_ns[k], __ATOMIC_RELAXED);
	}
}

/*
 * A fresh map, no program reading it yet: the whole value at once (its
 * state words 0: set 0, every half 0, no SA table).
 */
static int init_conf(struct li_loader *l)
{
	int k;

	do {
		if (getrandom(&l->conf.cookie, sizeof(l->conf.cookie), 0) !=
		    sizeof(l->conf.cookie))
			return -errno;
	} while (!l->conf.cookie);
	if (getrandom(&l->conf.sess_seed, sizeof(l->conf.sess_seed), 0) !=
	    sizeof(l->conf.sess_seed))
		return -errno;
	l->conf.build = li_loader_build();
	for (k = 0; k < LI_EV_NR_KINDS; k++) {
		l->conf.tb_cost_ns[k] = 1000000000ull / DEF_EVENT_RATE;
		l->conf.tb_burst_ns[k] =
			l->conf.tb_cost_ns[k] * DEF_EVENT_BURST;
	}
	memcpy(l->cmap, &l->conf, sizeof(l->conf)); /* the hint stays zero */
	/* 4500 alone until SAs say more: a 0 would be a port (packet.h) */
	li_natt_put(l, &(const struct li_natt)LI_NATT_INIT);
	return 0;
}

static int read_adopted(struct li_loader *l)
{
	memcpy(&l->conf, l->cmap, sizeof(l->conf));
	/* the same build made it, with these capacities: it has the room */
	if (bpf_map__value_size(l->skel->maps.li_conf) <
	    li_conf_val_size(&l->conf))
		return -ESTALE;
	l->active = li_state_get(l, LI_STATE_SET) & 1;
	l->locals_half = li_state_get(l, LI_STATE_LOCALS) & 1;
	l->sas_state = li_state_get(l, LI_STATE_SAS);
	return 0;
}

/* The tables in li_conf's mapping, where l->conf's capacities put them. */
static void map_tables(struct li_loader *l)
{
	struct li_conf_val *v = (struct li_conf_val *)l->cmap;

	l->amap = v->tab;
	l->pmap = v->tab + l->conf.tab_phase;
	l->polmap = (struct li_policy *)(v->tab + l->conf.tab_pol);
	l->carried_hits = (__u64 *)(v->tab + l->conf.tab_hits);
	l->portmap = v->port;
	l->lmap = v->locals;
	l->smap = v->sas;
	l->ifcmap = v->ifc;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct li_loader *l = ctx;
	const struct li_event *ev = data;

	if (size < sizeof(*ev))
		return 0;
	l->poll_fn(l->poll_ctx, ev, ev->ktime_ns + (__u64)l->clock_off);
	l->polled++;
	return 0;
}

/*
 * The skeleton's load failed in the kernel's verifier (libbpf printed its
 * log, the refused instruction last): say so in one line the admin can
 * act on, with the kernel that refused it, which the log does not name.
 */
static void say_refused(int err)
{
	struct utsname u;

	if (err != -EINVAL && err != -EACCES && err != -E2BIG)
		return;
	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "?");
	fprintf(stderr,
		"localin: the kernel (Linux %s) refused the XDP program: %s; the verifier's log above ends at the instruction it refused\n",
		u.release, strerror(-err));
}

int li_loader_open_for(struct li_loader **out, const char *pin_dir, bool adopt,
		       const struct li_ruleset *hint)
{
	struct localin_bpf *s;
	struct li_loader *l;
	bool adopted = false;
	int err;

	*out = NULL;
	libbpf_set_print(print_libbpf);
	libxdp_set_print(print_libxdp);
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->ncpus = libbpf_num_possible_cpus();
	if (l->ncpus <= 0) {
		err = l->ncpus ? l->ncpus : -EINVAL;
		goto fail;
	}
	l->pcpu = calloc((size_t)l->ncpus, sizeof(*l->pcpu));
	if (!l->pcpu) {
		err = -ENOMEM;
		goto fail;
	}
	if (pin_dir) {
		l->pin_dir = strdup(pin_dir);
		if (!l->pin_dir) {
			err = -ENOMEM;
			goto fail;
		}
	}
	l->skel = localin_bpf__open();
	if (!l->skel) {
		err = -errno;
		goto fail;
	}
	if (adopt && pin_dir) {
		err = li_adopt_maps(l);
		if (err)
			goto fail;
	}
	adopted = l->pins == LI_PINS_ADOPTED || l->pins == LI_PINS_ORPHAN;
	if (!adopted) {
		err = set_caps(l, hint);
		if (err)
			goto fail;
	}
	/* li_conf's size: set_caps()'s, or the pinned map's */
	s = l->skel;
	s->rodata->li_conf_last = tab_last(s->maps.li_conf);
	/*
	 * The program for IP frames is loaded at the first IP-only link or
	 * test run that needs it (l3_fd): most gateways have none, and the
	 * skeleton's copy would double the verifier's work at every start
	 * and successor (some 2 s here).
	 */
	bpf_program__set_autoload(s->progs.localin_xdp_l3, false);
	err = localin_bpf__load(s);
	if (err) {
		say_refused(err);
		goto fail;
	}
	/*
	 * li_conf: the state words, rates and session hint are written in
	 * place; loader_image.c copies a set's tables in.
	 */
	err = li_map_mmap(s->maps.li_conf, &l->cmap);
	if (!err)
		err = adopted ? read_adopted(l) : init_conf(l);
	if (!err)
		map_tables(l);
	if (!err && pin_dir)
		err = l->pins == LI_PINS_ADOPTED ? 0 : li_pin_all(l);
	if (err)
		goto fail;
	l->rb = ring_buffer__new(bpf_map__fd(l->skel->maps.li_events), on_event,
				 l, NULL);
	if (!l->rb) {
		err = -errno;
		goto fail;
	}
	err = li_sess_maps_map(l);
	/* a daemon that died mid-write may have left a slot claimed */
	if (!err && adopted) {
		err = li_sess_tab_settle(l);
		err = err < 0 ? err : 0;
	}
	if (err)
		goto fail;
	*out = l;
	return 0;
fail:
	li_loader_close(l);
	return err < 0 ? err : -EINVAL;
}

int li_loader_open(struct li_loader **out, const char *pin_dir, bool adopt)
{
	return li_loader_open_for(out, pin_dir, adopt, NULL);
}

enum li_pins li_loader_pins(const struct li_loader *l)
{
	return l->pins;
}

int li_loader_orphan_ifindex(const struct li_loader *l)
{
	return l->orphan_ifindex;
}

unsigned int li_loader_active_set(const struct li_loader *l)
{
	return l->active;
}

const char *li_loader_pin_dir(const struct li_loader *l)
{
	return l->pin_dir;
}

static void drop_attached(struct li_attached *a)
{
	xdp_program__close(a->prog);
	bpf_object__close(a->obj);
}

void li_loader_close(struct li_loader *l)
{
	size_t i;
	int fam;

	if (!l)
		return;
	ring_buffer__free(l->rb);
	li_sess_maps_unmap(l);
	if (l->skel) {
		li_map_munmap(l->skel->maps.li_conf, l->cmap);
	}
	for (i = 0; i < l->nr_att; i++)
		drop_attached(&l->att[i]);
	free(l->att);
	bpf_object__close(l->l3_obj);
	free(l->eg);
	for (fam = 0; fam < 2; fam++)
		li_fam_copy_free(&l->fam[fam]);
	free(l->ifs);
	free(l->pcpu);
	localin_bpf__destroy(l->skel);
	free(l->pin_dir);
	free(l);
}

/*
 * @obj's map named @name, or its internal map of the same section: libbpf
 * names those after the object ("localin_.rodata" in the skeleton's,
 * "localin.rodata" in an object opened as "localin").
 */
static struct bpf_map *same_map(struct bpf_object *obj, const char *name)
{
	const char *sec = strchr(name, '.');
	struct bpf_map *m;

	if (!sec)
		return bpf_object__find_map_by_name(obj, name);
	bpf_object__for_each_map(m, obj) {
		const char *s = strchr(bpf_map__name(m), '.');

		if (s && !strcmp(s, sec))
			return m;
	}
	return NULL;
}

int li_attach_obj(struct li_loader *l, const char *name,
		  struct bpf_object **out)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "localin");
	struct bpf_object *obj;
	struct bpf_program *p;
	struct bpf_map *m, *ours;
	const void *elf;
	size_t size;
	int err;

	elf = localin_bpf__elf_bytes(&size);
	obj = bpf_object__open_mem(elf, size, &oo);
	if (!obj)
		return -errno;
	/*
	 * The egress programs run from the skeleton's object (loader_tc.c);
	 * the XDP program of the other kind of frame is not this interface's.
	 */
	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p,
					  !strcmp(bpf_program__name(p), name));
	bpf_object__for_each_map(m, obj) {
		ours = same_map(l->skel->obj, bpf_map__name(m));
		err = ours ? bpf_map__reuse_fd(m, bpf_map__fd(ours)) : -ENOENT;
		if (err) {
			bpf_object__close(obj);
			return err;
		}
	}
	*out = obj;
	return 0;
}

/* Ours among the interface's programs (also one an earlier run attached). */
struct xdp_program *li_find_ours(struct xdp_multiprog *mp)
{
	struct xdp_program *p;

	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		return p && li_xdp_name_ours(xdp_program__name(p)) ? p : NULL;
	}
	for (p = xdp_multiprog__next_prog(NULL, mp); p;
	     p = xdp_multiprog__next_prog(p, mp))
		if (li_xdp_name_ours(xdp_program__name(p)))
			return p;
	return NULL;
}

static __u32 verified_insns(int fd)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.verified_insns;
}

/*
 * localin_xdp_l3 on our maps, loaded at the first call (not by the
 * skeleton: li_loader_open()): for test runs, and attached alone to every
 * IP-only link (li_xdp_fd); its fd or -errno.
 */
static int l3_fd(struct li_loader *l)
{
	struct bpf_program *p;
	int err;

	if (!l->l3_obj) {
		err = li_attach_obj(l, LI_PROG_L3_NAME, &l->l3_obj);
		if (err)
			return err;
		err = bpf_object__load(l->l3_obj);
		if (err) {
			say_refused(err);
			bpf_object__close(l->l3_obj);
			l->l3_obj = NULL;
			return err;
		}
	}
	p = bpf_object__find_program_by_name(l->l3_obj, LI_PROG_L3_NAME);
	return p ? bpf_program__fd(p) : -ENOENT;
}

int li_loader_load_ip(struct li_loader *l)
{
	int fd = l3_fd(l);

	return fd < 0 ? fd : 0;
}

int li_xdp_fd(struct li_loader *l, enum li_frames frames)
{
	if (frames == LI_FRAMES_IP)
		return l3_fd(l);
	return bpf_program__fd(l->skel->progs.localin_xdp);
}

__u32 li_loader_verified_insns(const struct li_loader *l)
{
	return verified_insns(bpf_program__fd(l->skel->progs.localin_xdp));
}

__u32 li_loader_verified_insns_l3(struct li_loader *l)
{
	return verified_insns(l3_fd(l));
}

/* Does @p (attached by some run) judge packets with our maps? */
bool li_shares_maps(struct li_loader *l, struct xdp_program *p)
{
	return li_fd_shares_maps(l, xdp_program__fd(p));
}

static const char *mode_name(enum xdp_attach_mode mode)
{
	switch (mode) {
	case XDP_MODE_NATIVE:
		return "native";
	case XDP_MODE_SKB:
		return "generic";
	case XDP_MODE_HW:
		return "offload";
	default:
		return "unknown";
	}
}

const char *li_loader_xdp_mode(const struct li_loader *l, int ifindex,
			       int *native_err)
{
	struct li_hook h;
	size_t i;

	*native_err = 0;
	for (i = 0; i < l->nr_att; i++)
		if (l->att[i].ifindex == ifindex)
			*native_err = l->att[i].native_err;
	if (li_hook_read(ifindex, &h))
		return "unknown";
	li_hook_close(&h);
	return mode_name(h.mode);
}

/*
 * By the kernel's ids, not libxdp's: xdp_multiprog__get_from_ifindex()
 * leaves a program fd open a call (libxdp 1.3), and the daemon asks this
 * at every event of an interface another program holds.
 */
int li_loader_foreign(int ifindex, struct li_xdp_prog *f)
{
	struct li_hook h;

	if (li_hook_read(ifindex, &h))
		return 0;
	li_hook_close(&h);
	/* libxdp's dispatcher takes ours beside it; ours is not foreign. */
	if (h.kind != LI_HOOK_FOREIGN)
		return 0;
	if (f) {
		f->id = h.id;
		snprintf(f->name, sizeof(f->name), "%s", h.name);
		f->mode = mode_name(h.mode);
	}
	return 1;
}

/*
 * Is our program attached to @ifindex already? 1: yes, with our maps (a
 * daemon that died left it, and we adopted its pins: keep it, no gap),
 * or with other maps (another build's, or an older instance's) and now
 * replaced by ours in one step; 0: no; -EBUSY: another program holds the
 * hook alone (li_loader_foreign); <0: error.
 */
static int attached_already(struct li_loader *l, int ifindex,
			    enum li_frames frames)
{
	struct xdp_multiprog *mp;
	struct xdp_program *p;
	struct li_hook h;
	bool keep;
	int ret = 0;

	if (li_hook_read(ifindex, &h))
		return 0;
	/*
	 * Ours for the other kind of frame (one an earlier build attached
	 * to a tunnel) is replaced as another build's is.
	 */
	if (h.kind == LI_HOOK_OURS) {
		keep = li_fd_shares_maps(l, h.fd) &&
		       !strcmp(h.name, li_xdp_name_for(frames));
		ret = keep ? 1 :
		      li_attach_replace(l, ifindex, frames, h.fd, h.mode, true) ?:
			     1;
	} else if (h.kind == LI_HOOK_FOREIGN)
		ret = -EBUSY; /* never replaced: libxdp cannot run both */
	li_hook_close(&h);
	if (h.kind != LI_HOOK_DISPATCHER)
		return ret;
	/* its components: libxdp reads them */
	mp = xdp_multiprog__get_from_ifindex(ifindex);
	if (libxdp_get_error(mp))
		return 0; /* gone since, or nothing libxdp can read */
	p = li_find_ours(mp);
	if (p && li_shares_maps(l, p))
		ret = 1;
	else if (p)
		ret = li_attach_replace(l, ifindex, frames, xdp_program__fd(p), xdp_multiprog__attach_mode(mp), false) ?:
			      1;
	xdp_multiprog__close(mp);
	return ret;
}

int li_loader_hook_empty(int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	/*
	 * bpf_xdp_query, not libxdp: xdp_multiprog__get_from_ifindex()
	 * leaves a program fd open a call (libxdp 1.3), and this runs on
	 * every link event.
	 */
	if (bpf_xdp_query(ifindex, 0, &q))
		return 0; /* cannot tell: not empty */
	return !q.prog_id && !q.drv_prog_id && !q.skb_prog_id && !q.hw_prog_id;
}

struct xdp_program *li_our_xdp(struct bpf_object *obj, enum li_frames frames)
{
	DECLARE_LIBXDP_OPTS(xdp_program_opts, o, .obj = obj,
			    .prog_name = li_xdp_name_for(frames));

	return xdp_program__create(&o);
}

/*
 * The loader's program for @frames on the empty hook of @ifindex, alone:
 * the kernel takes one loaded program on any number of interfaces, so
 * this is an attach of milliseconds, with no fd kept, where libxdp would
 * load and verify a copy of it (seconds, some 20 fds) for each. Native
 * where the driver has it, generic otherwise; a program that got there
 * since the check is not replaced (XDP_FLAGS_UPDATE_IF_NOEXIST).
 */
static int attach_alone(struct li_loader *l, struct li_attached *a,
			enum li_frames frames)
{
	int fd = li_xdp_fd(l, frames), err;

	if (fd < 0)
		return fd;
	err = bpf_xdp_attach(a->ifindex, fd,
			     XDP_FLAGS_DRV_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST,
			     NULL);
	a->native_err = err;
	if (err)
		err = bpf_xdp_attach(
			a->ifindex, fd,
			XDP_FLAGS_SKB_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
	return err;
}

/*
 * libxdp changes its dispatcher with XDP_FLAGS_REPLACE and reads the
 * kernel's EEXIST as another tool's change in between: it tries again,
 * and after ten more tries (a few ms) gives up with EBUSY. An EEXIST that
 * lasts that long is the kernel's rule that a device whose upper (its
 * bridge, bond, VLAN device, macvlan) has a program keeps its own, which
 * links.c waits out when it is said as EEXIST: so it is. Seen on Debian
 * 12 (6.1), where the dispatcher loads: `localin stop` left the program
 * on a macvlan's lower (tests/kernel/live.sh).
 */
int li_libxdp_err(int err)
{
	return err == -EBUSY ? -EEXIST : err;
}

/*
 * Through libxdp, in @a's own object: under its dispatcher (beside
 * another tool's programs) if the kernel loads that, alone otherwise. The
 * first such attach tells which (l->xdp_way).
 */
static int attach_libxdp(struct li_loader *l, struct li_attached *a,
			 enum li_frames frames)
{
	libbpf_print_fn_t pb;
	libxdp_print_fn_t px;
	struct li_hook h;
	int err;

	err = li_attach_obj(l, li_xdp_name_for(frames), &a->obj);
	if (err)
		return err;
	a->prog = li_our_xdp(a->obj, frames);
	err = libxdp_get_error(a->prog);
	if (err) {
		a->prog = NULL;
		bpf_object__close(a->obj);
		a->obj = NULL;
		return err;
	}
	/*
	 * Native where the driver has it, generic (skb) otherwise. The kernel
	 * refuses to replace a program that got there since the check above
	 * (libxdp attaches with XDP_FLAGS_UPDATE_IF_NOEXIST).
	 */
	pb = libbpf_set_print(li_print_none_bpf);
	px = libxdp_set_print(print_none_xdp);
	err = xdp_program__attach(a->prog, a->ifindex, XDP_MODE_NATIVE, 0);
	a->native_err = err;
	if (err)
		err = xdp_program__attach(a->prog, a->ifindex, XDP_MODE_SKB, 0);
	libbpf_set_print(pb);
	libxdp_set_print(px);
	if (err) {
		drop_attached(a);
		/* alone, libxdp passed the kernel's own answer up */
		return l->xdp_way == LI_XDP_ALONE ? err : li_libxdp_err(err);
	}
	if (l->xdp_way == LI_XDP_UNKNOWN && !li_hook_read(a->ifindex, &h)) {
		if (h.kind == LI_HOOK_OURS)
			l->xdp_way = LI_XDP_ALONE;
		else if (h.kind == LI_HOOK_DISPATCHER)
			l->xdp_way = LI_XDP_DISPATCHER;
		li_hook_close(&h);
	}
	return 0;
}

int li_loader_attach(struct li_loader *l, int ifindex, enum li_frames frames)
{
	struct li_attached a = { .ifindex = ifindex }, *n;
	int err;

	err = attached_already(l, ifindex, frames);
	/* Its egress program too; a failure is kept for egress_err. */
	if (err > 0)
		li_egress_attach_as(l, ifindex, false, frames);
	if (err)
		return err < 0 ? err : 0;
	n = realloc(l->att, (l->nr_att + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	l->att = n;
	/*
	 * Alone where libxdp would put it alone too; a hook that holds
	 * libxdp's dispatcher (another tool's programs) goes to libxdp.
	 */
	if (l->xdp_way == LI_XDP_ALONE && li_loader_hook_empty(ifindex))
		err = attach_alone(l, &a, frames);
	else
		err = attach_libxdp(l, &a, frames);
	if (err)
		return li_loader_foreign(ifindex, NULL) > 0 ? -EBUSY : err;
	l->att[l->nr_att++] = a;
	li_egress_attach_as(l, ifindex, false, frames);
	return 0;
}

/*
 * The bookkeeping of @ifindex goes whatever the kernel says: an interface
 * that vanished took our program with it, and keeping its object would
 * leak every fd of it (program and map references) once per
 * disappearance, until attaching fails for want of fds.
 */
static void forget_attached(struct li_loader *l, int ifindex)
{
	size_t i;

	for (i = 0; i < l->nr_att; i++) {
		if (l->att[i].ifindex != ifindex)
			continue;
		drop_attached(&l->att[i]);
		l->att[i] = l->att[--l->nr_att];
		return;
	}
}

/* Ours off @ifindex's XDP hook: alone, by the kernel; beside others, libxdp. */
static int detach_xdp(int ifindex)
{
	struct xdp_multiprog *mp;
	struct xdp_program *p;
	struct li_hook h;
	int err = li_hook_read(ifindex, &h);

	if (err)
		return err;
	if (h.kind == LI_HOOK_OURS)
		err = li_hook_detach(&h, ifindex);
	li_hook_close(&h);
	if (h.kind != LI_HOOK_DISPATCHER)
		return h.kind == LI_HOOK_OURS ? err : -ENOENT;
	mp = xdp_multiprog__get_from_ifindex(ifindex);
	err = libxdp_get_error(mp);
	if (err)
		return err;
	p = li_find_ours(mp);
	err = p ? li_libxdp_err(xdp_program__detach(
			  p, ifindex, xdp_multiprog__attach_mode(mp), 0)) :
		  -ENOENT;
	xdp_multiprog__close(mp);
	return err;
}

int li_loader_detach_xdp(int ifindex)
{
	return detach_xdp(ifindex);
}

/*
 * Our programs off @ifindex: the egress one too, 0 for it also when the
 * interface is gone (with it went our filter), as forget_attached.
 */
int li_loader_detach(struct li_loader *l, int ifindex)
{
	int err = detach_xdp(ifindex), tc;

	forget_attached(l, ifindex);
	tc = li_egress_detach(l, ifindex);
	return err ?: tc;
}

int li_loader_event_fd(struct li_loader *l)
{
	return ring_buffer__epoll_fd(l->rb);
}

int li_loader_poll(struct li_loader *l, int timeout_ms,
		   void (*fn)(void *ctx, const struct li_event *ev,
			      __u64 time_ns),
		   void *ctx)
{
	struct timespec rt;
	int err;

	clock_gettime(CLOCK_REALTIME, &rt);
	l->clock_off = (__s64)((__u64)rt.tv_sec * 1000000000ull +
			       (__u64)rt.tv_nsec - li_mono_ns());
	l->poll_fn = fn;
	l->poll_ctx = ctx;
	l->polled = 0;
	err = ring_buffer__poll(l->rb, timeout_ms);
	/*
	 * Most events come without a wakeup (maps.h, LI_EV_WAKE_NS), so
	 * the poll need not report them: take whatever is there.
	 */
	if (err >= 0)
		err = ring_buffer__consume(l->rb);
	if (l->polled)
		l->events_ns = li_mono_ns();
	if (err < 0)
		return err == -EINTR ? l->polled : err;
	return l->polled;
}

int li_loader_drain_ms(const struct li_loader *l)
{
	/*
	 * An event submitted without a wakeup follows one, on its CPU,
	 * by less than LI_EV_WAKE_NS; that one was read here at most a
	 * tick of the coarse clock before it woke us: so events read in
	 * the last 2 * LI_EV_WAKE_NS may still be followed by silent ones.
	 */
	if (!l->events_ns || li_mono_ns() - l->events_ns >= 2 * LI_EV_WAKE_NS)
		return -1;
	return (int)(LI_EV_WAKE_NS / 1000000);
}

size_t li_cpu_stride(void)
{
	return (sizeof(struct li_cpu) + 7) & ~(size_t)7;
}

int li_cpu_read(struct li_loader *l, char **out)
{
	char *v = malloc(li_cpu_stride() * (size_t)l->ncpus);
	__u32 zero = 0;

	*out = NULL;
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.li_cpu), &zero, v)) {
		free(v);
		return -errno;
	}
	*out = v;
	return 0;
}

int li_loader_stats(struct li_loader *l, __u64 sum[LI_NR_STATS])
{
	size_t sz = li_cpu_stride();
	char *v;
	int c, i, err = li_cpu_read(l, &v);

	if (err)
		return err;
	for (i = 0; i < LI_NR_STATS; i++)
		sum[i] =
			__atomic_load_n(&l->cmap->carried[i], __ATOMIC_RELAXED);
	for (c = 0; c < l->ncpus; c++) {
		const struct li_cpu *e = (const void *)(v + (size_t)c * sz);

		for (i = 0; i < LI_NR_STATS; i++)
			sum[i] += e->stats[i];
	}
	free(v);
	return 0;
}

__u64 li_loader_sess_opened(struct li_loader *l)
{
	__u64 n[LI_NR_STATS];

	if (li_loader_stats(l, n))
		return 0;
	return n[LI_ST_SESS_OPENED];
}

int li_loader_ring_full(struct li_loader *l, __u64 out[LI_EV_NR_KINDS])
{
	__u64 n[LI_NR_STATS];
	int err = li_loader_stats(l, n);

	if (!err)
		memcpy(out, n + LI_ST_RING_FULL,
		       LI_EV_NR_KINDS * sizeof(out[0]));
	return err;
}

int li_loader_counters(struct li_loader *l, struct li_counters *out)
{
	__u64 n[LI_NR_STATS];
	int fam, err;
	__u32 i;

	memset(out, 0, sizeof(*out));
	err = li_loader_stats(l, n);
	if (err)
		return err;
	for (i = 0; i < LI_R_MAX; i++)
		out->by_reason[i] = n[LI_ST_REASON + i];
	for (i = 0; i < LI_EV_NR_KINDS; i++)
		out->events_suppressed[i] = n[LI_ST_SUPPRESSED + i];
	for (i = 0; i < LI_EV_NR_KINDS; i++)
		out->events_ring_full[i] = n[LI_ST_RING_FULL + i];
	if (!l->have_rs)
		return 0;
	for (fam = 0; fam < 2; fam++) {
		struct li_fam_copy *fc = &l->fam[fam];
		__u32 base =
			l->active * l->conf.cap_pol + l->hdr.fam[fam].pol_base;

		err = li_hits_read_range(l, base, fc->f.nr_policies, fc->hits);
		if (err)
			return err;
		out->policy_hits[fam] = fc->hits;
		out->nr_policies[fam] = fc->f.nr_policies;
	}
	return 0;
}

/*
 * @repeat runs of @frame arriving on @ifindex. With @record it carries the
 * test-run metadata (maps.h li_test_meta): @ifindex need not exist, and
 * the program writes its facts and verdict to li_test_out. Without, the
 * frame comes as the daemon's do, with no metadata and the interface in
 * the context: @ifindex must name a device here (its first rx queue), and
 * the program runs the way it runs on a gateway (bench/xdp times that).
 */
static int run_prog(struct li_loader *l, int prog_fd, const void *frame,
		    __u32 len, int ifindex, __u32 repeat, bool record,
		    __u32 *retval, __u32 *ns)
{
	struct li_test_meta meta = { .cookie = l->conf.cookie,
				     .flags = LI_TM_RECORD,
				     .ifindex = (__u32)ifindex,
				     .now_ns = l->test_now_ns };
	__u32 at = record ? sizeof(meta) : 0;
	struct xdp_md md = { .data = at, .data_end = at + len };
	unsigned char *buf;
	int err = 0;

	if (len > LI_TEST_RUN_MAX)
		return -EMSGSIZE;
	if (!record)
		md.ingress_ifindex = (__u32)ifindex;
	buf = malloc(at + len);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, &meta, at);
	memcpy(buf + at, frame, len);
	{
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf,
			    .data_size_in = md.data_end, .ctx_in = &md,
			    .ctx_size_in = sizeof(md), .repeat = repeat);

		if (bpf_prog_test_run_opts(prog_fd, &o))
			err = -errno;
		*retval = o.retval;
		*ns = o.duration;
	}
	free(buf);
	return err;
}

static int run(struct li_loader *l, const void *frame, __u32 len, int ifindex,
	       __u32 repeat, bool record, __u32 *retval, __u32 *ns)
{
	return run_prog(l, bpf_program__fd(l->skel->progs.localin_xdp), frame,
			len, ifindex, repeat, record, retval, ns);
}

static int test_run(struct li_loader *l, int prog_fd, const void *frame,
		    __u32 len, int ifindex, struct li_pkt *pkt,
		    struct li_verdict *v)
{
	struct li_test_out res;
	__u32 zero = 0, retval, ns;
	int err;

	int fd = bpf_map__fd(l->skel->maps.li_test_out);

	/* Cleared first: only this run may have written the result. */
	memset(&res, 0, sizeof(res));
	res.v.reason = LI_R_MAX;
	if (bpf_map_update_elem(fd, &zero, &res, BPF_ANY))
		return -errno;
	if (prog_fd < 0)
		return prog_fd;
	err = run_prog(l, prog_fd, frame, len, ifindex, 1, true, &retval, &ns);
	if (err)
		return err;
	if (bpf_map_lookup_elem(fd, &zero, &res))
		return -errno;
	if (res.v.reason >= LI_R_MAX)
		return -ENODATA; /* the program did not see our metadata */
	/* The verdict the program returned must be the one it recorded. */
	if (retval != (res.v.drop ? XDP_DROP : XDP_PASS))
		return -EPROTO;
	*pkt = res.pkt;
	*v = res.v;
	return 0;
}

int li_loader_test_run(struct li_loader *l, const void *frame, __u32 len,
		       int ifindex, struct li_pkt *pkt, struct li_verdict *v)
{
	return test_run(l, bpf_program__fd(l->skel->progs.localin_xdp), frame,
			len, ifindex, pkt, v);
}

int li_loader_test_run_l3(struct li_loader *l, const void *frame, __u32 len,
			  int ifindex, struct li_pkt *pkt, struct li_verdict *v)
{
	return test_run(l, l3_fd(l), frame, len, ifindex, pkt, v);
}

/* @repeat runs of the egress program on @frame; the mean ns per run. */
static int run_egress(struct li_loader *l, const void *frame, __u32 len,
		      __u32 repeat, __u32 *ns)
{
	struct __sk_buff skb = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = len,
		    .ctx_in = &skb, .ctx_size_in = sizeof(skb),
		    .repeat = repeat);

	if (len > LI_TEST_RUN_MAX)
		return -EMSGSIZE;
	/* The program's test-run marks (localin.bpf.c): cookie and time. */
	skb.cb[0] = (__u32)l->conf.cookie;
	skb.cb[1] = (__u32)(l->conf.cookie >> 32);
	skb.cb[2] = (__u32)l->test_now_ns;
	skb.cb[3] = (__u32)(l->test_now_ns >> 32);
	if (bpf_prog_test_run_opts(
		    bpf_program__fd(l->skel->progs.localin_egress), &o))
		return -errno;
	*ns = o.duration;
	return 0;
}

int li_loader_test_run_egress(struct li_loader *l, const void *frame, __u32 len)
{
	__u32 ns;

	return run_egress(l, frame, len, 1, &ns);
}

int li_loader_bench_egress(struct li_loader *l, const void *frame, __u32 len,
			   __u32 repeat, __u32 *ns)
{
	return run_egress(l, frame, len, repeat, ns);
}

__u32 li_loader_sess_id(struct li_loader *l)
{
	int fd = bpf_map__fd(l->skel->maps.li_sess_ids);
	__u32 zero = 0, n = 0;

	if (bpf_map_lookup_elem(fd, &zero, &n))
		return 0;
	if (!++n)
		++n; /* 0 reads as "none" */
	bpf_map_update_elem(fd, &zero, &n, BPF_ANY);
	return n;
}

void li_loader_set_test_time(struct li_loader *l, __u64 ns)
{
	l->test_now_ns = ns;
}

void li_loader_test_no_batch(struct li_loader *l)
{
	l->no_batch = true;
}

int li_loader_bench(struct li_loader *l, const void *frame, __u32 len,
		    int ifindex, __u32 repeat, __u32 *ns, __u32 *action)
{
	__u32 retval;
	int err = run(l, frame, len, ifindex, repeat, false, &retval, ns);

	if (!err && action)
		*action = retval;
	return err;
}
