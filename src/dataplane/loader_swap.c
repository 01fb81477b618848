// SPDX-License-Identifier: GPL-2.0
/*
 * One program takes the place of another without a gap.
 *
 * When a ruleset outgrows the maps made at start, a successor (a second
 * instance of the program, its maps sized for the new ruleset) is given
 * the running one's state and the new ruleset, then swapped in on each
 * interface: the kernel replaces one XDP program by another in a single
 * step (XDP_FLAGS_REPLACE), so every packet meets one program or the
 * other. Its pins then take the place of the old ones. The same step puts
 * this build in the place of another build's program found attached.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "localin.skel.h"
#include "dataplane/loader_int.h"

#define COPY_CHUNK 4096

/*
 * Every entry of map @from into @to, in batches; @keys and @vals hold
 * COPY_CHUNK keys and values. 0 or -errno.
 */
static int copy_batches(int from, int to, void *keys, void *vals)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	__u32 in = 0, out = 0, n;
	bool first = true, last = false;

	while (!last) {
		n = COPY_CHUNK;
		if (bpf_map_lookup_batch(from, first ? NULL : &in, &out, keys,
					 vals, &n, &o)) {
			if (errno != ENOENT)
				return -errno;
			last = true; /* this batch is the last one */
		}
		if (n && bpf_map_update_batch(to, keys, vals, &n, &o))
			return -errno;
		in = out;
		first = false;
	}
	return 0;
}

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *c = p;

	return !n || (!c[0] && !memcmp(c, c + 1, n - 1));
}

/*
 * An array's keys 0.. @max - 1, one at a time: a new map's values are
 * zero, so only the others are written (the session table is mostly
 * empty slots: a lookup each, not three calls).
 */
static int copy_array_by_key(int from, int to, void *val, __u32 vsz, __u32 max)
{
	__u32 k;

	for (k = 0; k < max; k++) {
		if (bpf_map_lookup_elem(from, &k, val))
			return -errno;
		if (!all_zero(val, vsz) &&
		    bpf_map_update_elem(to, &k, val, BPF_ANY))
			return -errno;
	}
	return 0;
}

/*
 * A hash's keys one at a time, @key and @next of @ksz bytes, @val of the
 * value's. A walk whose key went meanwhile starts again from the first:
 * it stops after twice the map's size in keys (what the program adds
 * meanwhile need not be copied; what it had, copied once, is).
 */
static int copy_hash_by_key(int from, int to, void *key, void *next, void *val,
			    __u32 ksz, __u32 max)
{
	__u64 left = 2ull * max + 1;
	bool first = true;

	while (left--) {
		if (bpf_map_get_next_key(from, first ? NULL : key, next))
			return errno == ENOENT ? 0 : -errno;
		first = false;
		memcpy(key, next, ksz);
		if (bpf_map_lookup_elem(from, key, val)) {
			if (errno == ENOENT) /* gone since */
				continue;
			return -errno;
		}
		if (bpf_map_update_elem(to, key, val, BPF_ANY))
			return -errno;
	}
	return 0;
}

/*
 * Copy every entry of map @from (@old's) into @to (@n's, same layout, a
 * new map: li_loader_successor), in batches, or one key at a time where
 * the kernel refuses them.
 */
static int copy_map(struct li_loader *n, struct li_loader *old,
		    struct bpf_map *from, struct bpf_map *to)
{
	enum bpf_map_type t = bpf_map__type(from);
	__u32 ksz = bpf_map__key_size(from), vsz = bpf_map__value_size(from);
	int fd_from = bpf_map__fd(from), fd_to = bpf_map__fd(to), err;
	void *keys, *vals;

	if (t == BPF_MAP_TYPE_PERCPU_ARRAY || t == BPF_MAP_TYPE_PERCPU_HASH)
		vsz = ((vsz + 7) & ~7u) * (__u32)old->ncpus;
	keys = calloc(COPY_CHUNK, ksz);
	vals = calloc(COPY_CHUNK, vsz);
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	if (!n->no_batch) {
		err = copy_batches(fd_from, fd_to, keys, vals);
		if (!err || !li_batch_refused(-err))
			goto out;
		n->no_batch = true; /* from the start: a key copied twice */
	}
	if (t == BPF_MAP_TYPE_ARRAY || t == BPF_MAP_TYPE_PERCPU_ARRAY)
		err = copy_array_by_key(fd_from, fd_to, vals, vsz,
					bpf_map__max_entries(from));
	else
		err = copy_hash_by_key(fd_from, fd_to, keys, (char *)keys + ksz,
				       vals, ksz, bpf_map__max_entries(from));
out:
	free(keys);
	free(vals);
	return err;
}

/*
 * @n's token buckets and clock cache are @old's, CPU by CPU (@n does not
 * run yet: its li_cpu values may be written whole).
 */
static int inherit_buckets(struct li_loader *n, struct li_loader *old)
{
	size_t sz = li_cpu_stride();
	char *va = NULL, *vb = calloc((size_t)n->ncpus, sz);
	__u32 zero = 0;
	int c, err;

	if (!vb || n->ncpus != old->ncpus) {
		err = !vb ? -ENOMEM : -EINVAL;
		goto out;
	}
	err = li_cpu_read(old, &va);
	if (err)
		goto out;
	for (c = 0; c < n->ncpus; c++)
		memcpy(&((struct li_cpu *)(vb + (size_t)c * sz))->tb,
		       &((struct li_cpu *)(va + (size_t)c * sz))->tb,
		       sizeof(struct li_tb_cpu));
	if (bpf_map_update_elem(bpf_map__fd(n->skel->maps.li_cpu), &zero, vb,
				BPF_ANY))
		err = -errno;
out:
	free(va);
	free(vb);
	return err;
}

/*
 * @n gets @old's state: everything the data path keeps but the ruleset
 * and the counters (added once @old has stopped counting: add_counts).
 */
static int inherit(struct li_loader *n, struct li_loader *old)
{
	struct localin_bpf *a = old->skel, *b = n->skel;
	struct bpf_map *const maps[][2] = {
		{ a->maps.li_sa_stats, b->maps.li_sa_stats },
		{ a->maps.li_trace_filter, b->maps.li_trace_filter },
		{ a->maps.li_frags, b->maps.li_frags },
		{ a->maps.li_ike_seen, b->maps.li_ike_seen },
		{ a->maps.li_ike_new, b->maps.li_ike_new },
		{ a->maps.li_ike_sent, b->maps.li_ike_sent },
		{ a->maps.li_sess_tab, b->maps.li_sess_tab }, /* and its seed */
		{ a->maps.li_sess_ids, b->maps.li_sess_ids },
		{ a->maps.li_upper_mac, b->maps.li_upper_mac },
	};
	int keys[] = { LI_STATE_LOCALS, LI_STATE_SAS, LI_STATE_HINT };
	size_t i;
	int err;

	/* A kernel that refused @old batch map ops refuses @n's. */
	n->no_batch |= old->no_batch;
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		err = copy_map(n, old, maps[i][0], maps[i][1]);
		if (err)
			return err;
	}
	err = inherit_buckets(n, old);
	if (err)
		return err;
	/* the locals and SA tables, both halves: the state words follow */
	memcpy(n->lmap, old->lmap, 2 * LI_LOCAL_SLOTS * sizeof(*n->lmap));
	memcpy(n->smap, old->smap, 2 * LI_SA_SLOTS * sizeof(*n->smap));
	li_natt_put(n, &((struct li_conf_val *)old->cmap)->natt);
	/*
	 * New peers' IKE came with li_ike_new; the latest time of it may lie
	 * elsewhere in another build's value: the guard opens for a window.
	 */
	__atomic_store_n(&((struct li_conf_val *)n->cmap)->ike_new_ns,
			 li_mono_ns(), __ATOMIC_RELAXED);
	/* The copy holds the slots a program was writing as they were. */
	n->conf.sess_seed = old->conf.sess_seed;
	__atomic_store_n(&n->cmap->sess_seed, n->conf.sess_seed,
			 __ATOMIC_RELEASE);
	err = li_sess_tab_settle(n);
	if (err < 0)
		return err;
	/* after the sessions: a bit for each one copied (session.h) */
	memcpy(n->hint, old->hint,
	       sizeof(((struct li_conf_val *)0)->sess_hint));
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		li_state_set(n, keys[i], li_state_get(old, keys[i]));
	err = li_uppers_set(n, li_state_get(old, LI_STATE_UPPERS));
	if (err)
		return err;
	for (i = 0; i < LI_TR_NR; i++)
		__atomic_store_n(
			&n->cmap->trace[i],
			__atomic_load_n(&old->cmap->trace[i], __ATOMIC_ACQUIRE),
			__ATOMIC_RELEASE);
	/*
	 * The buckets come along with their last wake-up (li_tb), which
	 * was on the old ring: drain the new one on the timer for a while.
	 */
	n->events_ns = li_mono_ns();
	n->locals_half = old->locals_half;
	n->last_locals_ns = old->last_locals_ns;
	n->sas_state = old->sas_state;
	n->last_sas_ns = old->last_sas_ns;
	memcpy(n->conf.tb_cost_ns, old->conf.tb_cost_ns,
	       sizeof(n->conf.tb_cost_ns));
	memcpy(n->conf.tb_burst_ns, old->conf.tb_burst_ns,
	       sizeof(n->conf.tb_burst_ns));
	li_conf_put_rates(n);
	return 0;
}

int li_loader_successor(struct li_loader **out, struct li_loader *old,
			const struct li_ruleset *rs)
{
	struct li_loader *n;
	size_t i;
	int err;

	*out = NULL;
	err = li_loader_open_for(&n, NULL, false, rs);
	if (err)
		return err;
	n->xdp_way = old->xdp_way; /* the same kernel and libxdp */
	err = inherit(n, old) ?: li_loader_set_ruleset(n, rs);
	for (i = 0; i < old->nr_ifs && !err; i++)
		err = li_loader_set_interface(n, old->ifs[i].ifindex,
					      old->ifs[i].name);
	if (err) {
		li_loader_close(n);
		return err;
	}
	*out = n;
	return 0;
}

/*
 * Put @l's program on @ifindex in the place of @old_fd, attached there in
 * @mode: in one step when it is the interface's only program (@l's own,
 * li_xdp_fd, which the kernel attaches to any number of interfaces);
 * under libxdp's dispatcher (which this project's test machines cannot
 * load: that branch has not run here) by adding ours, loaded anew as that
 * dispatcher's component, before removing the other, so that one of the
 * two always runs.
 */
int li_attach_replace(struct li_loader *l, int ifindex, enum li_frames frames,
		      int old_fd, int mode, bool legacy)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, ao, .old_prog_fd = old_fd);
	struct li_attached a = { .ifindex = ifindex }, *v;
	struct xdp_program *old;
	int err, fd;

	v = realloc(l->att, (l->nr_att + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	l->att = v;
	if (legacy) {
		fd = li_xdp_fd(l, frames);
		if (fd < 0)
			return fd;
		if (bpf_xdp_attach(ifindex, fd,
				   XDP_FLAGS_REPLACE | li_mode_flags(mode),
				   &ao))
			return -errno;
		/* ours was alone there: so will a new interface's be */
		if (l->xdp_way == LI_XDP_UNKNOWN)
			l->xdp_way = LI_XDP_ALONE;
		l->att[l->nr_att++] = a;
		return 0;
	}
	err = li_attach_obj(l, li_xdp_name_for(frames), &a.obj);
	if (err)
		return err;
	a.prog = li_our_xdp(a.obj, frames);
	err = libxdp_get_error(a.prog);
	if (err)
		a.prog = NULL;
	else
		err = li_libxdp_err(
			xdp_program__attach(a.prog, ifindex, mode, 0));
	if (err) {
		xdp_program__close(a.prog);
		bpf_object__close(a.obj);
		return err;
	}
	l->att[l->nr_att++] = a;
	/* Ours runs; now the other goes (if not, both run: say so). */
	old = xdp_program__from_fd(old_fd);
	err = libxdp_get_error(old);
	if (!err) {
		err = li_libxdp_err(xdp_program__detach(old, ifindex, mode, 0));
		xdp_program__close(old);
	}
	return err;
}

/* Our program on @ifindex judging with @l's maps: its fd (dup), or <0. */
static int ours_on(struct li_loader *l, int ifindex, enum xdp_attach_mode *mode,
		   bool *legacy)
{
	struct xdp_multiprog *mp;
	struct xdp_program *p;
	struct li_hook h;
	int fd = li_hook_read(ifindex, &h);

	if (fd)
		return fd;
	if (h.kind == LI_HOOK_OURS && li_fd_shares_maps(l, h.fd)) {
		*mode = h.mode;
		*legacy = true;
		return h.fd; /* the caller closes it */
	}
	li_hook_close(&h);
	if (h.kind != LI_HOOK_DISPATCHER)
		return -ENOENT;
	fd = -ENOENT;
	mp = xdp_multiprog__get_from_ifindex(ifindex);
	if (libxdp_get_error(mp))
		return (int)libxdp_get_error(mp);
	p = li_find_ours(mp);
	if (p && li_shares_maps(l, p)) {
		*mode = xdp_multiprog__attach_mode(mp);
		*legacy = xdp_multiprog__is_legacy(mp);
		fd = fcntl(xdp_program__fd(p), F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			fd = -errno;
	}
	xdp_multiprog__close(mp);
	return fd;
}

/*
 * Move @n's pins (made in @tmp) to @dir, in place of @old's: exchanged in
 * one step, so the directory always holds one complete set. The old set,
 * under @tmp after the exchange, is removed.
 */
static int move_pins(struct li_loader *n, const char *tmp, const char *dir)
{
	char *d = strdup(dir);

	if (!d)
		return -ENOMEM;
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE)) {
		/* No exchange on this file system: clear, then rename. */
		if (li_pins_clear(dir) || (rmdir(dir) && errno != ENOENT) ||
		    rename(tmp, dir)) {
			free(d);
			return -errno ?: -EIO;
		}
	} else {
		li_pins_clear(tmp); /* the old pins: nothing holds them now */
		rmdir(tmp);
	}
	free(n->pin_dir);
	n->pin_dir = d;
	return 0;
}

/*
 * @n's counters += @old's (its own carried ones included), once @old is
 * out of use: into li_conf's carried words, which @n's readers add, as
 * @n's live per-CPU values are never written from user space. The
 * policies' hits likewise, by policy id (loader_hits.c).
 */
static int add_counts(struct li_loader *n, struct li_loader *old)
{
	__u64 sum[LI_NR_STATS];
	int k, err = li_loader_stats(old, sum);

	for (k = 0; k < LI_NR_STATS && !err; k++)
		__atomic_fetch_add(&n->cmap->carried[k], sum[k],
				   __ATOMIC_RELAXED);
	return err ?: li_hits_add(n, old);
}

/* Where our old program was, and how it was attached there. */
struct li_was {
	int fd; /* a dup of its fd; -ENOENT: not ours there */
	enum xdp_attach_mode mode;
	bool legacy;
};

/* Put @was back where it was: the interfaces before @nr, single-program. */
static void roll_back(struct li_loader *n, const struct li_link *links,
		      const struct li_was *was, size_t nr)
{
	struct li_was now;
	size_t i;

	for (i = 0; i < nr; i++) {
		if (was[i].fd < 0 || !was[i].legacy)
			continue;
		now.fd = ours_on(n, links[i].ifindex, &now.mode, &now.legacy);
		if (now.fd < 0)
			continue;
		{
			LIBBPF_OPTS(bpf_xdp_attach_opts, ao,
				    .old_prog_fd = now.fd);

			bpf_xdp_attach(links[i].ifindex, was[i].fd,
				       XDP_FLAGS_REPLACE |
					       li_mode_flags(was[i].mode),
				       &ao);
		}
		close(now.fd);
	}
}

int li_loader_take_over(struct li_loader *n, struct li_loader *old,
			const struct li_link *links, size_t nr)
{
	struct li_was *was;
	char tmp[512];
	size_t i;
	int err = 0;

	if (old->pin_dir) {
		if (snprintf(tmp, sizeof(tmp), "%s-next", old->pin_dir) >=
		    (int)sizeof(tmp))
			return -ENAMETOOLONG;
		n->pin_dir = strdup(tmp);
		if (!n->pin_dir)
			return -ENOMEM;
		err = li_pin_all(n);
		if (err)
			goto unpin;
	}
	was = calloc(nr ? nr : 1, sizeof(*was));
	if (!was) {
		err = -ENOMEM;
		goto unpin;
	}
	for (i = 0; i < nr; i++)
		was[i].fd = -ENOENT;
	for (i = 0; i < nr && !err; i++) {
		was[i].fd = ours_on(old, links[i].ifindex, &was[i].mode,
				    &was[i].legacy);
		if (was[i].fd == -ENOENT)
			continue; /* not ours there (any more): nothing to do */
		err = was[i].fd < 0 ?
			      was[i].fd :
			      li_attach_replace(n, links[i].ifindex,
						links[i].frames, was[i].fd,
						was[i].mode, was[i].legacy);
		if (err)
			roll_back(n, links, was, i);
	}
	/*
	 * The egress filter too, where our program was: @old's would record
	 * sessions in maps nobody reads; if @n's cannot take its place, it
	 * goes (the daemon says why: li_loader_egress_err).
	 */
	for (i = 0; i < nr && !err; i++)
		if (was[i].fd >= 0)
			li_loader_move_egress(n, links[i].ifindex, false,
					      links[i].frames);
	for (i = 0; i < nr; i++)
		if (was[i].fd >= 0)
			close(was[i].fd);
	free(was);
	if (err)
		goto unpin;
	/*
	 * @n is in force now, whatever happens to the pins: if they cannot
	 * move, they stay under @tmp (li_loader_pin_dir() tells). A packet
	 * @old was judging as it was replaced finishes well within the wait.
	 */
	nanosleep(&(struct timespec){ .tv_nsec = 2000000 }, NULL);
	add_counts(n, old);
	if (old->pin_dir && !move_pins(n, tmp, old->pin_dir)) {
		free(old->pin_dir);
		old->pin_dir = NULL; /* its pins are gone: nothing to unpin */
	}
	return 0;
unpin:
	if (n->pin_dir) {
		li_pins_clear(n->pin_dir);
		rmdir(n->pin_dir);
		free(n->pin_dir);
		n->pin_dir = NULL;
	}
	return err;
}
