// SPDX-License-Identifier: GPL-2.0
/*
 * What the loader writes into the program's maps: the ruleset image into
 * the inactive set and the flip (maps.h), the active-policy mask,
 * interface classes, the gateway's addresses, the live SAs and the trace
 * budget.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "localin.skel.h"
#include "compile/image.h"
#include "dataplane/loader_int.h"

#define BATCH 4096

/* Flips at least this far apart: a packet of the old set has finished. */
#define FLIP_GAP_NS 1000000ull

void li_image_need(const struct li_ruleset *rs, __u32 need[5])
{
	struct li_image im;

	ruleset_image_layout(rs, &im);
	need[0] = im.n.addr;
	need[1] = im.n.bm;
	need[2] = im.n.cross;
	need[3] = im.n.pol;
	need[4] = im.n.phase;
}

/*
 * @n elements of @size bytes from @vals into keys @first.. of @fd: in
 * batches, or one key at a time where the kernel refuses them (from the
 * batch it refused on: writing a key twice is harmless).
 */
static int write_elems(struct li_loader *l, int fd, __u32 first,
		       const void *vals, size_t size, __u32 n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	__u32 keys[BATCH], i, done, cnt;

	for (done = 0; done < n && !l->no_batch; done += cnt) {
		cnt = n - done < BATCH ? n - done : BATCH;
		for (i = 0; i < cnt; i++)
			keys[i] = first + done + i;
		if (bpf_map_update_batch(fd, keys,
					 (const char *)vals + done * size, &cnt,
					 &o)) {
			if (!li_batch_refused(errno))
				return -errno;
			l->no_batch = true;
			break;
		}
	}
	for (; done < n; done++) {
		i = first + done;
		if (bpf_map_update_elem(
			    fd, &i, (const char *)vals + done * size, BPF_ANY))
			return -errno;
	}
	return 0;
}

/* The schedules' mask now, as li_host_set_time() computes it. */
static void active_now(const struct li_ruleset *rs, const struct li_family *f,
		       __u64 *out)
{
	int64_t minute;
	int sec;

	if (local_minutes(time(NULL), &minute, &sec)) {
		memcpy(out, f->enabled, f->bm_words * sizeof(*out));
		return;
	}
	ruleset_live_mask(rs, f, minute, out);
}

/*
 * The schedules' mask now into each family's reserved ACTIVE row, and
 * its phase tables' first policies under it. The image holds them under
 * the enabled mask already: computed again only when a schedule leaves a
 * policy out now (at the 8 MiB budget, 2M entries).
 */
static int fill_active(struct li_image *im, const struct li_ruleset *rs)
{
	int fam, err;

	for (fam = 0; fam < 2; fam++) {
		const struct li_family *f = fam ? &rs->v6 : &rs->v4;
		const struct li_fam_hdr *h = &im->hdr.fam[fam];
		__u64 *active = im->bm + h->bm_base[LI_DIM_ACTIVE];

		if (!h->nr_policies)
			continue;
		active_now(rs, f, active);
		if (!memcmp(active, f->enabled, f->bm_words * sizeof(*active)))
			continue;
		err = ruleset_image_phase_ab(im, f, fam, active);
		if (err)
			return err;
	}
	return 0;
}

/*
 * @h as the program reads it for set @set: each base at the set's first
 * key of its map, or its first word in li_conf_val.tab (maps.h), so that
 * a packet adds no offset of its own. The loader's copy (l->hdr) keeps
 * the image's, within the set.
 */
static void rebase_hdr(const struct li_conf *c, struct li_set_hdr *h, __u32 set)
{
	__u32 ph =
		c->tab_phase + li_set_key(set, c->cap_phase, 0) * LI_PHASE_ELEM;
	int fam, i;

	for (fam = 0; fam < 2; fam++) {
		struct li_fam_hdr *f = &h->fam[fam];

		f->pol_base += li_set_key(set, c->cap_pol, 0);
		f->pol_at = c->tab_pol +
			    f->pol_base * (__u32)(sizeof(struct li_policy) /
						  sizeof(__u32));
		for (i = 0; i < 2; i++) {
			f->addr_base[i] += li_set_key(set, c->cap_addr, 0);
			f->addr_at[i] = f->addr_base[i] * LI_ADDR_ELEM *
					(__u32)sizeof(__u32);
		}
		for (i = 0; i < LI_NR_DIMS; i++)
			f->bm_base[i] += li_set_key(set, c->cap_bm, 0);
		for (i = 0; i < LI_NR_PORT_PROTOS; i++)
			f->cross_base[i] += li_set_key(set, c->cap_cross, 0);
		f->ph_sv += ph;
		f->ph_id += ph;
		f->ph_ab += ph;
	}
}

/*
 * The address tables into tab from its entry @first: a pointer to a block
 * holds the block's offset in the image (image_layout.h li_addr_next_at),
 * and gets the set's. Below LI_CONF_MAX (loader.c), the sum keeps clear
 * of LI_NEXT.
 */
static void copy_addr(__u32 *tab, const struct li_image *im, __u32 first)
{
	size_t i, n = (size_t)im->n.addr * LI_ADDR_ELEM;
	__u32 *at = tab + first, off = li_addr_next_at(first) & ~LI_NEXT;

	if (!off) {
		memcpy(at, im->addr, n * sizeof(*at));
		return;
	}
	for (i = 0; i < n; i++)
		at[i] = im->addr[i] & LI_NEXT ? im->addr[i] + off : im->addr[i];
}

/*
 * Each map's array in one batch at set @set's first key; the tables in
 * li_conf's value (addresses, ports, policies, phases) copied through its
 * mapping.
 */
static int copy_image(struct li_loader *l, const struct li_image *im, __u32 set)
{
	const struct li_conf *c = &l->conf;
	struct localin_bpf *s = l->skel;
	int err;

	/* li_conf's tables: set @set's part, through the mapping. */
	copy_addr(l->amap, im, li_set_key(set, c->cap_addr, 0) * LI_ADDR_ELEM);
	memcpy(l->portmap +
		       (size_t)li_port_table_key(set, 0, 0, 0) * LI_PORT_ELEM,
	       im->port,
	       (size_t)LI_PORT_SET_ELEMS * LI_PORT_ELEM * sizeof(*im->port));
	memcpy(l->polmap + li_set_key(set, c->cap_pol, 0), im->pol,
	       (size_t)im->n.pol * sizeof(*im->pol));
	err = write_elems(l, bpf_map__fd(s->maps.li_cross),
			  li_set_key(set, c->cap_cross, 0), im->cross,
			  sizeof(*im->cross), im->n.cross);
	if (!err)
		err = write_elems(l, bpf_map__fd(s->maps.li_bm),
				  li_set_key(set, c->cap_bm, 0), im->bm,
				  sizeof(*im->bm), im->n.bm);
	if (!err)
		memcpy(l->pmap + (size_t)li_set_key(set, c->cap_phase, 0) *
					 LI_PHASE_ELEM,
		       im->phase,
		       (size_t)im->n.phase * LI_PHASE_ELEM *
			       sizeof(*im->phase));
	return err;
}

void li_fam_copy_free(struct li_fam_copy *fc)
{
	free(fc->enabled);
	free(fc->hits);
	free(fc->f.intfs);
	free(fc->f.phase.c_words);
	free(fc->f.phase.ab);
	memset(fc, 0, sizeof(*fc));
}

/*
 * What li_loader_set_interface(), set_active() and the counters need of
 * @f later, into @fc (empty): the loader's copy once @f is in force.
 */
static int keep_family(struct li_fam_copy *fc, const struct li_family *f)
{
	struct li_intf_class *intfs = NULL;
	__u64 *en, *hits, *cw = NULL;
	size_t cw_words = (size_t)f->phase.nr_c * f->bm_words;
	size_t ab_n = (size_t)f->phase.nr_a * f->phase.nr_b;
	__u32 *ab = NULL;

	en = malloc((f->bm_words ? f->bm_words : 1) * sizeof(*en));
	hits = calloc(f->nr_policies + 1, sizeof(*hits));
	if (f->nr_intfs)
		intfs = malloc(f->nr_intfs * sizeof(*intfs));
	if (f->phase.on) {
		cw = malloc((cw_words + 1) * sizeof(*cw));
		ab = malloc((ab_n + 1) * sizeof(*ab));
	}
	if (!en || !hits || (f->nr_intfs && !intfs) ||
	    (f->phase.on && (!cw || !ab))) {
		free(en);
		free(hits);
		free(intfs);
		free(cw);
		free(ab);
		return -ENOMEM;
	}
	if (cw) {
		memcpy(cw, f->phase.c_words, cw_words * sizeof(*cw));
		memcpy(ab, f->phase.ab, ab_n * sizeof(*ab));
	}
	memcpy(en, f->enabled, f->bm_words * sizeof(*en));
	if (f->nr_intfs)
		memcpy(intfs, f->intfs, f->nr_intfs * sizeof(*intfs));
	fc->f.phase.on = f->phase.on;
	fc->f.phase.nr_a = f->phase.nr_a;
	fc->f.phase.nr_b = f->phase.nr_b;
	fc->f.phase.nr_c = f->phase.nr_c;
	fc->f.phase.ab = ab;
	fc->f.phase.c_words = cw;
	fc->f.nr_policies = f->nr_policies;
	fc->f.bm_words = f->bm_words;
	fc->f.intfs = intfs;
	fc->f.nr_intfs = f->nr_intfs;
	fc->f.intf_other = f->intf_other;
	fc->enabled = en;
	fc->hits = hits;
	return 0;
}

static void wait_gap(__u64 last)
{
	__u64 now = li_mono_ns(), until = last + FLIP_GAP_NS;
	struct timespec ts;

	if (!last || now >= until)
		return;
	ts.tv_sec = 0;
	ts.tv_nsec = (long)(until - now);
	nanosleep(&ts, NULL);
}

/*
 * Every slot's memo (local_slot.h), in both halves: the flip to come
 * brings a generation that may have been one before, and no program runs
 * a ruleset of the set we overwrite any more.
 */
static void clear_dst_memos(struct li_loader *l)
{
	size_t i;

	for (i = 0; i < 2 * LI_LOCAL_SLOTS; i++)
		__atomic_store_n(&l->lmap[i].dst_memo, 0, __ATOMIC_RELAXED);
}

/*
 * The compiler's image of @rs (compile/image.h) into the set not in
 * force, the schedules' mask now in its reserved rows; then the flip.
 */
int li_loader_set_ruleset(struct li_loader *l, const struct li_ruleset *rs)
{
	__u32 set = l->active ^ 1;
	struct li_hits_carry hc = { 0 };
	struct li_fam_copy fc[2] = { 0 };
	struct li_image im;
	size_t i;
	int fam, err;

	ruleset_image_layout(rs, &im);
	if (im.n.addr > l->conf.cap_addr || im.n.bm > l->conf.cap_bm ||
	    im.n.cross > l->conf.cap_cross || im.n.pol > l->conf.cap_pol ||
	    im.n.phase > l->conf.cap_phase)
		return -E2BIG;
	err = ruleset_image_build(rs, &im);
	if (err)
		return err;
	err = fill_active(&im, rs);
	if (err) {
		ruleset_image_free(&im);
		return err;
	}
	/*
	 * A generation no set of this program had before, as far as a
	 * clock can tell: sessions of an adopted program's earlier loads
	 * are judged again too.
	 */
	im.hdr.gen = (__u32)(li_mono_ns() >> 10) | 1;
	if (im.hdr.gen == l->hdr.gen)
		im.hdr.gen += 2;
	/* The set we overwrite was in force until the last flip. */
	wait_gap(l->last_flip_ns);
	clear_dst_memos(l);
	err = copy_image(l, &im, set);
	if (!err)
		err = li_hits_zero(l, li_set_key(set, l->conf.cap_pol, 0),
				   im.n.pol);
	if (!err) { /* not in force: no packet reads it (the flip is a release) */
		struct li_set_hdr h = im.hdr;

		rebase_hdr(&l->conf, &h, set);
		memcpy(&l->cmap->hdr[set].h, &h, sizeof(h));
		/* by id from the set in force: an adopted one too */
		err = li_hits_carry_begin(l, set, &hc);
	}
	/*
	 * Kept aside until the flip: what reads l->fam (a schedule tick's
	 * mask, an interface's classes, the counters) describes the set in
	 * force, and a reload that fails here leaves that one in force.
	 */
	for (fam = 0; fam < 2 && !err; fam++)
		err = keep_family(&fc[fam], fam ? &rs->v6 : &rs->v4);
	/* The interfaces we know, classified by the new ruleset. */
	for (i = 0; i < l->nr_ifs && !err; i++) {
		__u32 cls[2];

		cls[0] = li_intf_class(&fc[0].f, l->ifs[i].name);
		cls[1] = li_intf_class(&fc[1].f, l->ifs[i].name);
		err = li_loader_write_ifc(l, set, l->ifs[i].ifindex, cls);
	}
	if (!err) {
		for (fam = 0; fam < 2; fam++) {
			li_fam_copy_free(&l->fam[fam]);
			l->fam[fam] = fc[fam];
			memset(&fc[fam], 0, sizeof(fc[fam]));
		}
		li_state_set(l, LI_STATE_SET, set);
		l->active = set;
		l->hdr = im.hdr;
		l->have_rs = true;
		l->last_flip_ns = li_mono_ns();
		/*
		 * The old set's hits are final once its last packet is
		 * judged: some 1 ms more on a reload, for an exact count.
		 * The ruleset is in force now, whatever the count says.
		 */
		if (hc.n) {
			wait_gap(l->last_flip_ns);
			li_hits_carry_end(l, &hc);
		}
	}
	for (fam = 0; fam < 2; fam++)
		li_fam_copy_free(&fc[fam]);
	li_hits_carry_free(&hc);
	ruleset_image_free(&im);
	return err;
}

/* The phase tables' ab of the set in force, under @active. */
static int write_ab(struct li_loader *l, int fam, const __u64 *active)
{
	const struct li_fam_hdr *h = &l->hdr.fam[fam];
	const struct li_phase *ph = &l->fam[fam].f.phase;
	size_t entries = (size_t)ph->nr_a * ph->nr_b;
	__u32 n = (__u32)((entries + LI_PHASE_ELEM - 1) / LI_PHASE_ELEM);
	__s32 *ab = calloc((size_t)(n ? n : 1) * LI_PHASE_ELEM, sizeof(*ab));
	int err;

	if (!ab)
		return -ENOMEM;
	err = ruleset_phase_ab_first(&l->fam[fam].f, active, ab);
	/* into the set in force: a packet reads an entry old or new */
	if (!err)
		memcpy(l->pmap + (size_t)li_set_key(l->active,
						    l->conf.cap_phase,
						    li_phase_elem(h->ph_ab)) *
					 LI_PHASE_ELEM,
		       ab, (size_t)n * LI_PHASE_ELEM * sizeof(*ab));
	free(ab);
	return err;
}

int li_loader_set_active(struct li_loader *l, int family, const __u64 *mask,
			 __u32 words)
{
	int fam = family == 6;
	struct li_fam_copy *fc = &l->fam[fam];
	__u64 *m;
	__u32 w;
	int err;

	if (!l->have_rs)
		return -EAGAIN;
	if (!fc->f.nr_policies)
		return 0;
	if (words != fc->f.bm_words)
		return -EINVAL;
	m = malloc(words * sizeof(*m));
	if (!m)
		return -ENOMEM;
	for (w = 0; w < words; w++)
		m[w] = mask[w] & fc->enabled[w];
	/*
	 * The row, then the phase tables: a family with phase tables reads
	 * only those (match.h li_classify), so a failure of the second
	 * leaves the mask before in force; the daemon pushes again.
	 */
	err = write_elems(l, bpf_map__fd(l->skel->maps.li_bm),
			  li_set_key(l->active, l->conf.cap_bm,
				     l->hdr.fam[fam].bm_base[LI_DIM_ACTIVE]),
			  m, sizeof(*m), words);
	if (!err && l->hdr.fam[fam].phase_on)
		err = write_ab(l, fam, m);
	free(m);
	return err;
}

/*
 * An interface's classes in li_conf's value, where a packet of the set
 * in force may be reading them: the classes first, then whether they
 * are valid, each word whole. (An update through the map's syscall
 * copied the entry just as unguarded.)
 */
static void put_ifc(struct li_ifc *e, const struct li_ifc *v)
{
	if (!v->valid)
		__atomic_store_n(&e->valid, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&e->cls[0], v->cls[0], __ATOMIC_RELAXED);
	__atomic_store_n(&e->cls[1], v->cls[1], __ATOMIC_RELAXED);
	__atomic_store_n(&e->valid, v->valid, __ATOMIC_RELEASE);
}

/*
 * The classes a packet of @set arriving on @ifindex reads now (the
 * program's li_acc_intf_class): its entry's, or intf_other.
 */
static void read_ifc(const struct li_loader *l, __u32 set, int ifindex,
		     __u32 cls[2])
{
	struct li_ifc_key k = { .set = set, .ifindex = (__u32)ifindex };
	struct li_ifc v = { 0 };

	/* The loader is their one writer: plain reads. */
	if (ifindex < LI_IFC_ARRAY)
		v = l->ifcmap[li_ifc_key(set, (__u32)ifindex)];
	else if (bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.li_ifc_big), &k,
				     &v))
		v.valid = 0;
	cls[0] = v.valid ? v.cls[0] : l->hdr.fam[0].intf_other;
	cls[1] = v.valid ? v.cls[1] : l->hdr.fam[1].intf_other;
}

/*
 * The classes of an interface in the set in force went from @old to
 * @now. The locals' memos (local_slot.h) hold phase B of (interface,
 * destination) under the generation, which did not change: once every
 * packet that may have read the old classes is done (the flips' gap),
 * they are cleared. Rare: an interface the policies name comes, goes or
 * is renamed.
 */
static void ifc_changed(struct li_loader *l, const __u32 old[2],
			const __u32 now[2])
{
	if (now[0] == old[0] && now[1] == old[1])
		return;
	wait_gap(li_mono_ns());
	clear_dst_memos(l);
}

int li_loader_write_ifc(struct li_loader *l, __u32 set, int ifindex,
			const __u32 cls[2])
{
	struct li_ifc v = { .cls = { cls[0], cls[1] }, .valid = 1 };
	struct li_ifc_key k = { .set = set, .ifindex = (__u32)ifindex };

	if (ifindex < 0)
		return -EINVAL;
	if (ifindex < LI_IFC_ARRAY) {
		put_ifc(&l->ifcmap[li_ifc_key(set, (__u32)ifindex)], &v);
		return 0;
	}
	/*
	 * A full hash says E2BIG, which callers read as a ruleset larger
	 * than the maps (a successor's are sized for the ruleset, this one
	 * is not): said apart.
	 */
	if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.li_ifc_big), &k, &v,
				BPF_ANY))
		return errno == E2BIG ? -ENOSPC : -errno;
	return 0;
}

const char *li_loader_strerror(int err)
{
	static char buf[256];

	if (err != -ENOSPC)
		return strerror(-err);
	snprintf(
		buf, sizeof(buf),
		"more than %u interfaces have an index of %u or above (the data path holds the classes of such interfaces in %u entries, one an interface for each of its two rulesets)",
		LI_IFC_HASH_MAX / LI_NR_SETS, LI_IFC_ARRAY, LI_IFC_HASH_MAX);
	return buf;
}

/* Classes of @ifindex in the set in force (intf_other if unnamed). */
static void li_loader_classes(const struct li_loader *l, int ifindex,
			      __u32 cls[2])
{
	const char *name = NULL;
	size_t i;

	for (i = 0; i < l->nr_ifs; i++)
		if (l->ifs[i].ifindex == ifindex)
			name = l->ifs[i].name;
	cls[0] = li_intf_class(&l->fam[0].f, name);
	cls[1] = li_intf_class(&l->fam[1].f, name);
}

/*
 * @ifindex is gone: its classes leave both sets, so the hash for high
 * indexes does not fill with the dead ones of a PPPoE link that comes
 * and goes, and a reused index starts as "any other interface".
 */
int li_loader_forget_interface(struct li_loader *l, int ifindex)
{
	struct li_ifc none = { 0 };
	__u32 set, old[2];
	size_t i;
	int err = 0;

	for (i = 0; i < l->nr_ifs; i++) {
		if (l->ifs[i].ifindex == ifindex) {
			l->ifs[i] = l->ifs[--l->nr_ifs];
			break;
		}
	}
	/* Its filter went with it; an index used again starts afresh. */
	li_egress_forget(l, ifindex);
	if (ifindex <= 0)
		return -EINVAL;
	if (l->have_rs)
		read_ifc(l, l->active, ifindex, old);
	for (set = 0; set < 2; set++) {
		if (ifindex < LI_IFC_ARRAY) {
			put_ifc(&l->ifcmap[li_ifc_key(set, (__u32)ifindex)],
				&none);
		} else {
			struct li_ifc_key k = { .set = set,
						.ifindex = (__u32)ifindex };

			if (bpf_map_delete_elem(
				    bpf_map__fd(l->skel->maps.li_ifc_big),
				    &k) &&
			    errno != ENOENT)
				err = -errno;
		}
	}
	if (l->have_rs) {
		__u32 other[2] = { l->hdr.fam[0].intf_other,
				   l->hdr.fam[1].intf_other };

		ifc_changed(l, old, other);
	}
	return err;
}

int li_loader_set_interface(struct li_loader *l, int ifindex,
			    const char *ifname)
{
	struct li_ifname *e = NULL;
	__u32 cls[2], old[2];
	size_t i;
	int err;

	if (ifindex <= 0 || !ifname || strlen(ifname) >= LI_IFNAMSIZ)
		return -EINVAL;
	for (i = 0; i < l->nr_ifs && !e; i++)
		if (l->ifs[i].ifindex == ifindex)
			e = &l->ifs[i];
	if (!e) {
		if (l->nr_ifs == l->cap_ifs) {
			size_t cap = l->cap_ifs ? l->cap_ifs * 2 : 8;

			e = realloc(l->ifs, cap * sizeof(*e));
			if (!e)
				return -ENOMEM;
			l->ifs = e;
			l->cap_ifs = cap;
		}
		e = &l->ifs[l->nr_ifs++];
		e->ifindex = ifindex;
	}
	memset(e->name, 0, sizeof(e->name));
	strcpy(e->name, ifname);
	if (!l->have_rs)
		return 0;
	li_loader_classes(l, ifindex, cls);
	read_ifc(l, l->active, ifindex, old);
	err = li_loader_write_ifc(l, l->active, ifindex, cls);
	ifc_changed(l, old, cls);
	return err;
}

int li_loader_set_locals(struct li_loader *l, const struct li_host_addr *a,
			 size_t n, size_t *first_out)
{
	__u32 half = l->locals_half ^ 1;
	struct li_local_slot *t = malloc(LI_LOCAL_SLOTS * sizeof(*t));
	size_t out;

	if (!t)
		return -ENOMEM;
	/*
	 * Those that fit, not none: an address left out is judged as not
	 * the gateway's (it passes), where refusing the whole table kept
	 * stale ones and left every new one unjudged, or the daemon unstarted.
	 */
	out = li_local_table_build(t, a, n, first_out);
	/* The half we overwrite was in force until the last flip. */
	wait_gap(l->last_locals_ns);
	memcpy(l->lmap + li_set_key(half, LI_LOCAL_SLOTS, 0), t,
	       LI_LOCAL_SLOTS * sizeof(*t));
	li_state_set(l, LI_STATE_LOCALS, half);
	l->locals_half = half;
	l->last_locals_ns = li_mono_ns();
	free(t);
	return out > INT_MAX ? INT_MAX : (int)out;
}

/*
 * The SA entries @e into the half not in force (sa_table.c builds it in
 * place: a copy of the largest table took 8 MB of heap at each push,
 * which glibc kept), then the flip: one word with the half, the table's
 * size and @bits (LI_SAS_UNCHECKED, LI_SAS_IKE_GATE). A table that does not fit leaves that half
 * half-built, and not in force.
 */
int li_loader_set_sa_slots(struct li_loader *l, const struct li_sa_slot *e,
			   size_t n, const struct li_natt *natt, __u32 bits)
{
	const struct li_natt only = LI_NATT_INIT;
	__u32 half = (l->sas_state & 1) ^ 1, word;
	int size_bits;

	/* The half we overwrite was in force until the last flip. */
	wait_gap(l->last_sas_ns);
	size_bits = li_sa_table_build(
		l->smap + li_set_key(half, LI_SA_SLOTS, 0), e, n);
	if (size_bits < 0)
		return size_bits;
	word = half | (__u32)size_bits << 8 |
	       (bits & (LI_SAS_UNCHECKED | LI_SAS_IKE_GATE));
	li_state_set(l, LI_STATE_SAS, word);
	l->sas_state = word;
	l->last_sas_ns = li_mono_ns();
	/*
	 * The ports after the SAs: a port new with its SA is plain UDP for a
	 * moment (as every port but 4500 was), never NAT-T while the table in
	 * force lacks its SA (an unknown SPI, dropped).
	 */
	li_natt_put(l, natt ? natt : &only);
	return 0;
}

void li_loader_set_ike_gate(struct li_loader *l, bool on)
{
	l->ike_gate = on;
}

int li_loader_set_sas(struct li_loader *l, const struct spi_table *t)
{
	struct li_natt natt;
	struct li_sa_slot *e;
	__u16 over;
	int n, err;

	n = li_sa_entries_of(t, &e, NULL);
	if (n < 0)
		return n;
	li_natt_of_table(&natt, t, &over);
	err = li_loader_set_sa_slots(l, e, (size_t)n, &natt,
				     l->ike_gate ? LI_SAS_IKE_GATE : 0);
	free(e);
	return err;
}

/* The packets and bytes of SA @id, summed over the CPUs. */
int li_loader_sa_stat(struct li_loader *l, __u32 id, struct li_sa_stat *out)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	struct li_sa_stat *v;

	memset(out, 0, sizeof(*out));
	if (ncpu < 0)
		return ncpu;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.li_sa_stats), &id,
				v)) {
		free(v);
		return -errno;
	}
	for (i = 0; i < ncpu; i++) {
		out->packets += v[i].packets;
		out->bytes += v[i].bytes;
	}
	free(v);
	return 0;
}

/* Zero SA @id's counters before the id names another SA. */
int li_loader_sa_stat_clear(struct li_loader *l, __u32 id)
{
	int ncpu = libbpf_num_possible_cpus(), err = 0;
	struct li_sa_stat *v;

	if (ncpu < 0)
		return ncpu;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.li_sa_stats), &id, v,
				BPF_ANY))
		err = -errno;
	free(v);
	return err;
}

int li_loader_set_trace(struct li_loader *l, const struct flow_filter *f,
			__u32 count)
{
	int err;

	/* A stop needs no filter: it holds where writing them fails. */
	if (!count)
		__atomic_store_n(&l->cmap->trace[LI_TR_REMAINING], 0,
				 __ATOMIC_RELEASE);
	err = f ? li_loader_set_trace_filter(l, f) : 0;
	if (err)
		return err;
	/* after the filters: a packet that sees the budget sees them */
	__atomic_store_n(&l->cmap->trace[LI_TR_REMAINING], (__s64)count,
			 __ATOMIC_RELEASE);
	return 0;
}

static int write_filters(int fd, const struct flow_filter *m)
{
	__u32 k;

	for (k = 0; k < FLOW_NR_FILTERS; k++)
		if (bpf_map_update_elem(fd, &k, &m[k], BPF_ANY))
			return -errno;
	return 0;
}

/*
 * One key a filter: a write that fails half way left `filter` new and
 * `filter6` old, a pair the admin never set (filters_for_map ties the
 * two). No packet is traced while they are written (the budget held
 * aside); on a failure the filters before go back, and with them the
 * budget. Where even that fails, the trace stays stopped: nothing traced,
 * rather than what no filter said.
 */
int li_loader_set_trace_filter(struct li_loader *l, const struct flow_filter *f)
{
	int fd = bpf_map__fd(l->skel->maps.li_trace_filter), err;
	struct flow_filter m[FLOW_NR_FILTERS], old[FLOW_NR_FILTERS];
	__s64 *rem = &l->cmap->trace[LI_TR_REMAINING], held;
	__u32 k;

	li_flow_filters_for_map(f, m);
	for (k = 0; k < FLOW_NR_FILTERS; k++)
		if (bpf_map_lookup_elem(fd, &k, &old[k]))
			return -errno;
	/*
	 * Only a budget left is taken: a packet that finds 0 takes one and
	 * gives it back (trace_take), which an exchange of a -1 would make
	 * one packet more.
	 */
	held = __atomic_load_n(rem, __ATOMIC_ACQUIRE);
	while (held > 0 &&
	       !__atomic_compare_exchange_n(rem, &held, 0, false,
					    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		;
	err = write_filters(fd, m);
	if (err && write_filters(fd, old))
		return err;
	if (held > 0)
		__atomic_fetch_add(rem, held, __ATOMIC_RELEASE);
	return err;
}

int li_loader_trace_remaining(struct li_loader *l, __s64 *rem)
{
	*rem = __atomic_load_n(&l->cmap->trace[LI_TR_REMAINING],
			       __ATOMIC_ACQUIRE);
	return 0;
}

int li_loader_clear_frags(struct li_loader *l)
{
	int fd = bpf_map__fd(l->skel->maps.li_frags);
	struct li_frag_key k;

	while (!bpf_map_get_next_key(fd, NULL, &k))
		if (bpf_map_delete_elem(fd, &k))
			return -errno;
	return 0;
}

int li_loader_set_event_rate(struct li_loader *l, int kind, __u32 rate,
			     __u32 burst)
{
	if (kind < 0 || kind >= LI_EV_NR_KINDS || !rate)
		return -EINVAL;
	l->conf.tb_cost_ns[kind] = 1000000000ull / rate;
	l->conf.tb_burst_ns[kind] = l->conf.tb_cost_ns[kind] * burst;
	li_conf_put_rates(l);
	return 0;
}
