// SPDX-License-Identifier: GPL-2.0
/*
 * The session egress program (localin_egress, session.h) on the clsact
 * egress hook of every interface the XDP program is attached to, and
 * alone on the namespace's other Ethernet interfaces (links.c): it
 * records the gateway's own outbound flows in li_sess_tab, so that their
 * replies pass the XDP program without meeting the local-in policies,
 * also when they left by an interface no policy names.
 *
 * Debian 12's libbpf (1.1) has no tcx links: the program is a cls_bpf
 * filter in direct-action mode at a handle and priority of our own
 * (LI_TC_HANDLE, LI_TC_PRIO); where a filter of an earlier program of
 * ours is (a restarted daemon, a successor program), BPF_TC_F_REPLACE
 * puts the new program in its place in one step, never beside it. The
 * program returns TC_ACT_UNSPEC: the filters after it run as if it were
 * not there.
 *
 * The clsact qdisc is made when missing and never removed: removing it
 * takes every ingress and egress filter on the interface with it, also
 * those someone added after us, and a restarted daemon cannot know which
 * run made it. An empty clsact costs a look at an empty filter list per
 * packet; the README says it stays.
 *
 * Its failure leaves the XDP program in force: enforcement is whole, only
 * replies to the gateway's own connections meet the policies (the daemon
 * says so, li_loader_egress_err()).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "localin.skel.h"
#include "dataplane/loader_int.h"

/* "LI": a handle and priority no tool picks by itself (libbpf: 1, 1). */
#define LI_TC_HANDLE 0x4c49
#define LI_TC_PRIO 0x4c49

static struct li_egress *eg_find(const struct li_loader *l, int ifindex)
{
	size_t i;

	for (i = 0; i < l->nr_eg; i++)
		if (l->eg[i].ifindex == ifindex)
			return &l->eg[i];
	return NULL;
}

static struct li_egress *eg_get(struct li_loader *l, int ifindex)
{
	struct li_egress *e = eg_find(l, ifindex), *v;

	if (e)
		return e;
	v = realloc(l->eg, (l->nr_eg + 1) * sizeof(*v));
	if (!v)
		return NULL;
	l->eg = v;
	e = &l->eg[l->nr_eg++];
	e->ifindex = ifindex;
	e->err = -ENOENT;
	e->alone = false;
	e->frames = LI_FRAMES_ETH;
	return e;
}

/*
 * What holds our handle and priority on @ifindex's egress hook: 1 our
 * program (this run's or an earlier one's, either of the two, by name;
 * the one takes the other's place), 0 nothing, -EBUSY
 * someone else's program, or the kernel's error (-ENODEV: no such
 * interface; -EINVAL: no clsact qdisc or no filter at all, or a filter
 * of another kind at our priority).
 */
static int ours_at(int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, h, .ifindex = ifindex,
		    .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, o, .handle = LI_TC_HANDLE,
		    .priority = LI_TC_PRIO);
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	int fd, err;

	err = bpf_tc_query(&h, &o);
	if (err)
		return err == -ENOENT ? 0 : err;
	fd = bpf_prog_get_fd_by_id(o.prog_id);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno; /* gone meanwhile */
	err = bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : 0;
	close(fd);
	if (err)
		return err;
	if (!strcmp(info.name, LI_EGRESS_NAME) ||
	    !strcmp(info.name, LI_EG_ONLY_NAME) ||
	    !strcmp(info.name, LI_EGRESS_L3_NAME) ||
	    !strcmp(info.name, LI_EG_ONLY_L3_NAME))
		return 1;
	return -EBUSY;
}

static int egress_attach(struct li_loader *l, int ifindex, bool alone,
			 enum li_frames frames)
{
	LIBBPF_OPTS(bpf_tc_hook, h, .ifindex = ifindex,
		    .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, o, .handle = LI_TC_HANDLE,
		    .priority = LI_TC_PRIO);
	int err;

	/* -EEXIST: someone's clsact (ours from an earlier run, perhaps). */
	err = bpf_tc_hook_create(&h);
	if (err && err != -EEXIST)
		return err;
	/* At an L3 device's egress hook too the data is the IP header. */
	if (frames == LI_FRAMES_IP)
		o.prog_fd =
			bpf_program__fd(alone ? l->skel->progs.localin_ego_l3 :
						l->skel->progs.localin_egr_l3);
	else
		o.prog_fd =
			bpf_program__fd(alone ? l->skel->progs.localin_eg_only :
						l->skel->progs.localin_egress);
	err = bpf_tc_attach(&h, &o);
	/*
	 * -EINVAL: a filter of another kind holds our priority (the kernel
	 * says no more); never replaced, as someone else's program there.
	 */
	if (err == -EINVAL)
		return -EBUSY;
	if (err != -EEXIST)
		return err;
	/* Ours from an earlier program: the new one takes its place. */
	err = ours_at(ifindex);
	if (err <= 0)
		return err ?: -EAGAIN; /* gone meanwhile: tried again */
	o.prog_id = 0;
	o.flags = BPF_TC_F_REPLACE;
	return bpf_tc_attach(&h, &o);
}

int li_egress_attach_as(struct li_loader *l, int ifindex, bool alone,
			enum li_frames frames)
{
	struct li_egress *e = eg_get(l, ifindex);
	libbpf_print_fn_t pb;

	if (!e)
		return -ENOMEM;
	e->alone = alone;
	e->frames = frames;
	/* EEXIST is expected ("Exclusivity flag on", "Filter already exists") */
	pb = libbpf_set_print(li_print_none_bpf);
	e->err = egress_attach(l, ifindex, alone, frames);
	libbpf_set_print(pb);
	return e->err;
}

/* Again, as it was: alone or with the XDP program. */
int li_loader_attach_egress(struct li_loader *l, int ifindex,
			    enum li_frames frames)
{
	const struct li_egress *e = eg_find(l, ifindex);

	return li_egress_attach_as(l, ifindex, e && e->alone, frames);
}

int li_loader_attach_egress_alone(struct li_loader *l, int ifindex,
				  enum li_frames frames)
{
	return li_egress_attach_as(l, ifindex, true, frames);
}

int li_loader_egress_check(struct li_loader *l, int ifindex)
{
	struct li_egress *e = eg_find(l, ifindex);
	int err;

	if (!e || e->err)
		return 0;
	err = ours_at(ifindex);
	/* Ours, or the interface going (its DELLINK follows). */
	if (err == 1 || err == -ENODEV)
		return 0;
	/* Nothing (-EINVAL: its clsact qdisc too), or someone else's. */
	if (err == 0 || err == -EINVAL)
		li_egress_attach_as(l, ifindex, e->alone, e->frames);
	else
		e->err = err;
	return 1;
}

int li_loader_egress_err(const struct li_loader *l, int ifindex)
{
	const struct li_egress *e = eg_find(l, ifindex);

	return e ? e->err : -ENOENT;
}

/* Our filter off @ifindex, whichever program of ours it runs. */
int li_egress_remove(int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, h, .ifindex = ifindex,
		    .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, o, .handle = LI_TC_HANDLE,
		    .priority = LI_TC_PRIO);
	int err = ours_at(ifindex);

	/* Gone with its interface or its qdisc, or never there: done. */
	if (err == 0 || err == -ENODEV || err == -EINVAL || err == -EBUSY)
		return 0;
	if (err < 0)
		return err;
	err = bpf_tc_detach(&h, &o);
	return err == -ENOENT || err == -ENODEV ? 0 : err;
}

void li_egress_forget(struct li_loader *l, int ifindex)
{
	struct li_egress *e = eg_find(l, ifindex);

	if (e)
		*e = l->eg[--l->nr_eg];
}

int li_egress_detach(struct li_loader *l, int ifindex)
{
	li_egress_forget(l, ifindex);
	return li_egress_remove(ifindex);
}

int li_loader_detach_egress(struct li_loader *l, int ifindex)
{
	return li_egress_detach(l, ifindex);
}

int li_loader_move_egress(struct li_loader *n, int ifindex, bool alone,
			  enum li_frames frames)
{
	int err = li_egress_attach_as(n, ifindex, alone, frames);

	if (err)
		li_egress_remove(ifindex);
	return err;
}
