// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's interfaces and addresses, followed through rtnetlink: the
 * program is attached to the interfaces the policies name (when they
 * appear, also later), forgotten when they go; the session program to
 * every other Ethernet interface too; the gateway's addresses go to the
 * data path whenever they change.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/internal.h"

#define RESYNC_TRIES 5
/* How often the session programs are looked for on their hooks. */
#define EGRESS_CHECK_MS 3000
/* The least time between two messages of foreign_say(). */
#define FOREIGN_SAY_MS 60000

bool links_have_name(const struct daemon *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->nr_links; i++)
		if (!strcmp(d->links[i].name, name))
			return true;
	return false;
}

bool links_wanted_name(const struct intf_want *w, const char *name)
{
	size_t i;

	for (i = 0; i < w->nr; i++)
		if (!strcmp(w->names[i], name))
			return true;
	return false;
}

/*
 * A port of a bridge, bond or team: the kernel hands its frames to the
 * master (rx_handler), whose program judges those for the gateway, as
 * FortiOS judges them by the policies of the L3 interface (the bridge,
 * the aggregate), not of a member. Not a VRF's: its frames stay on the
 * port, judged there.
 */
static bool is_port(const struct daemon_link *k)
{
	return k->master && (!strcmp(k->master_kind, "bridge") ||
			     !strcmp(k->master_kind, "bond") ||
			     !strcmp(k->master_kind, "team"));
}

/*
 * Named by a policy, or `any` and not a loopback nor a port: `any` on a
 * port as well as its master judged a frame for the gateway twice (on the
 * port with the port's name, then on the bridge), counted it twice, and
 * the kernel refuses a program on a device whose upper has one (EEXIST:
 * `localin run` did not start when a bridge came before its port).
 */
static bool wanted(const struct daemon *d, const struct daemon_link *k)
{
	if (!k->name[0])
		return false;
	if (links_wanted_name(&d->want, k->name))
		return true;
	return d->want.any && !(k->flags & IFF_LOOPBACK) && !is_port(k);
}

const char *links_left_to_master(const struct daemon *d,
				 const struct daemon_link *k, char *buf,
				 size_t size)
{
	if (!d->want.any || !is_port(k) || links_wanted_name(&d->want, k->name))
		return NULL;
	return links_name(d, k->master, buf, size);
}

/* `any` leaves a port to its master: said once per master. */
static void port_note(struct daemon *d, struct daemon_link *k)
{
	const char *m;
	char buf[24];

	m = links_left_to_master(d, k, buf, sizeof(buf));
	if (!m) {
		k->port_said = false;
		return;
	}
	if (k->port_said)
		return;
	k->port_said = true;
	daemon_msg(
		"not attaching to %s (ifindex %d) for `any`: a port of %s %s, whose frames for the gateway are judged on %s, once, by its policies (a policy naming %s puts the program on it too)",
		k->name, k->ifindex, k->master_kind, m, m, k->name);
}

static struct daemon_link *find(struct daemon *d, int ifindex)
{
	size_t i;

	for (i = 0; i < d->nr_links; i++)
		if (d->links[i].ifindex == ifindex)
			return &d->links[i];
	return NULL;
}

const char *links_name(const struct daemon *d, int ifindex, char *buf,
		       size_t size)
{
	size_t i;

	for (i = 0; i < d->nr_links; i++)
		if (d->links[i].ifindex == ifindex && d->links[i].name[0])
			return d->links[i].name;
	snprintf(buf, size, "if%d", ifindex);
	return buf;
}

/*
 * @k's XDP hook holds someone else's program alone (li_loader_attach said
 * -EBUSY): it stays there, localin does not enforce on @k, and says so
 * once per program. 1 if so; 0 if the hook is free again.
 */
static int held_by_other(struct daemon *d, struct daemon_link *k)
{
	struct li_xdp_prog f;

	if (li_loader_foreign(k->ifindex, &f) <= 0)
		return 0;
	if (f.id != k->foreign.id)
		daemon_msg(
			"not attaching to %s (ifindex %d): another XDP program holds it (%s, id %u, %s mode) and localin does not replace it; it is not on a libxdp dispatcher localin could join, so nothing is enforced on %s while it is there",
			k->name, k->ifindex, f.name, f.id, f.mode, k->name);
	k->foreign = f;
	return 1;
}

/*
 * What the loader says of @k's egress program, said once per cause: its
 * failure is a degradation (the XDP program enforces), not a loss of
 * enforcement, so reload's "incomplete" does not count it.
 */
static void egress_note(struct daemon *d, struct daemon_link *k)
{
	bool on = k->attached || k->eg_only;
	int err = on ? li_loader_egress_err(d->l, k->ifindex) : 0;

	if (err == k->egress_err)
		return;
	if (err)
		daemon_msg(
			"cannot attach the session program to %s's egress (ifindex %d): %s; replies to the gateway's own connections that leave by %s meet the local-in policies (tried again every few seconds)",
			k->name, k->ifindex, strerror(-err), k->name);
	else if (on)
		daemon_msg(
			"the session program is attached to %s's egress now: replies to the gateway's own connections that leave by it pass",
			k->name);
	if (err && !k->egress_err) {
		sa_retry_reset(&k->egress_retry);
		sa_retry_later(&k->egress_retry);
	}
	k->egress_err = err;
}

/*
 * The kernel changes a device's XDP hook only while none of its upper
 * devices has a program (EEXIST): ours comes off @k's uppers for the
 * moment @k's attach (@attach) or detach takes (links_upper.c). 0, or
 * the attach's (detach's) error.
 */
static int under_uppers(struct daemon *d, struct daemon_link *k, bool attach)
{
	char what[48];
	int err;

	snprintf(what, sizeof(what), "%s's %s", k->name,
		 attach ? "attach" : "detach");
	if (!links_uppers_off_of(d, k, what))
		return -EEXIST;
	err = attach ? li_loader_attach(d->l, k->ifindex,
					li_link_frames(k->type)) :
		       li_loader_detach(d->l, k->ifindex);
	links_uppers_on_for(d, k, d->l, what, err);
	return err;
}

/*
 * Generic mode where native was refused (a veth whose peer's MTU leaves
 * a frame no room in a page: jumbo frames), said with the attach and in
 * status: the admin who set MTU 9000 learns why the gateway got slower.
 */
static void mode_note(struct daemon *d, struct daemon_link *k, char *buf,
		      size_t size)
{
	const char *mode;
	int nerr;

	mode = li_loader_xdp_mode(d->l, k->ifindex, &nerr);
	k->generic = !strcmp(mode, "generic");
	buf[0] = 0;
	if (k->generic && nerr)
		snprintf(buf, size,
			 " in generic mode: the driver refused native XDP (%s)",
			 strerror(-nerr));
	else if (k->generic)
		snprintf(buf, size, " in generic mode");
}

static int attach(struct daemon *d, struct daemon_link *k)
{
	char gen[96];
	int err, tries = 0;

	/* Twice if the other program went between the refusal and the look. */
	do {
		err = li_loader_attach(d->l, k->ifindex,
				       li_link_frames(k->type));
		if (err != -EBUSY)
			break;
		if (held_by_other(d, k))
			return 0; /* not an error: the daemon goes on */
	} while (++tries < 2);
	if (err == -EEXIST)
		err = under_uppers(d, k, true);
	if (err)
		return err;
	k->attached = true;
	mode_note(d, k, gen, sizeof(gen));
	daemon_msg("attached to %s (ifindex %d)%s%s", k->name, k->ifindex, gen,
		   k->foreign.id ? "; the other XDP program is gone" : "");
	memset(&k->foreign, 0, sizeof(k->foreign));
	egress_note(d, k);
	return 0;
}

/*
 * The session program on an interface the XDP program is not on: the
 * gateway's own packets may leave by any interface (a route out of wan2
 * from wan1's address, a policy route, a tunnel's outer packets) while
 * their replies come back by one a deny-all polices, so every interface
 * whose frames the programs read (Ethernet, and IP on a tunnel: a
 * connection out of a tun whose replies come back by another) gets it,
 * not only those the policies name. Not loopback: what leaves by it
 * comes back by it, unpoliced. Its failure is said as on an attached one.
 */
static bool egress_wanted(const struct daemon_link *k)
{
	return k->name[0] && k->type != ARPHRD_LOOPBACK &&
	       li_link_frames(k->type) != LI_FRAMES_OTHER &&
	       !(k->flags & IFF_LOOPBACK);
}

static void egress_alone(struct daemon *d, struct daemon_link *k)
{
	if (k->attached) {
		k->eg_only = false; /* li_loader_attach() took its filter on */
		return;
	}
	if (k->eg_only || !egress_wanted(k))
		return;
	k->eg_only = true;
	li_loader_attach_egress_alone(d->l, k->ifindex,
				      li_link_frames(k->type));
	egress_note(d, k);
}

/*
 * At start, localin's program on an interface the policies do not name:
 * the daemon before this one attached it (its config named the
 * interface), and this one adopted its pins or replaced them. Left
 * there, it judged that interface by a config that does not name it
 * (and another build's by maps no one keeps), and stayed after `localin
 * stop`, with nothing pinned to find it by. An older build's on an xfrm
 * interface alike (links_is_xfrm): @why says which.
 */
static void leftover_off(struct daemon *d, struct daemon_link *k,
			 const char *why)
{
	int err;

	if (d->live || li_loader_hook_empty(k->ifindex))
		return;
	err = li_loader_detach_xdp(k->ifindex);
	if (!err)
		daemon_msg(
			"took localin's program off %s (ifindex %d), %s (a daemon before this one attached it)",
			k->name, k->ifindex, why);
	else if (err != -ENOENT)
		daemon_msg(
			"cannot take localin's program off %s (ifindex %d), %s: %s",
			k->name, k->ifindex, why, strerror(-err));
}

/*
 * An xfrm interface (route-based IPsec: strongSwan's if_id, libreswan's
 * ipsec-interface) has tun's link type, no link-layer header, yet the
 * kernel gives its XDP hook the decrypted packet behind a copy of the
 * outer frame's link-layer header (xfrm4_remove_tunnel_encap rebuilds
 * the MAC header: 14 bytes of the WAN's Ethernet header, type 0x0800,
 * then the inner IP header; seen on Debian 12's 6.1, tests/kernel).
 * localin_xdp_l3 read the gateway's MAC address as an IP header: every
 * packet of the tunnel "not for this host", passed, while status said
 * enforced. Its egress (the gateway's own packets into the tunnel) does
 * start at the IP header and keeps its program.
 */
bool links_is_xfrm(const struct daemon_link *k)
{
	return !strcmp(k->kind, "xfrm");
}

/*
 * An interface whose frames the programs cannot read: Ethernet (and
 * loopback's header of zeros) and frames that start at the IP header (a
 * tunnel, PPP, WireGuard, tun: the loader attaches localin_xdp_l3 there)
 * they read; another link type (InfiniBand, CAN, ...) would be judged by
 * guesswork. Attached, a program reading the wrong header took every
 * packet for "not for this host" and let it pass, while the daemon said
 * it enforced. Not attached, it is listed as such (status, reload's
 * "incomplete") and said once. 1 if so.
 */
static int no_ethernet(struct daemon *d, struct daemon_link *k)
{
	bool xfrm = links_is_xfrm(k);

	if (li_link_frames(k->type) != LI_FRAMES_OTHER && !xfrm) {
		k->no_eth = false;
		return 0;
	}
	if (!k->no_eth && xfrm)
		daemon_msg(
			"not attaching to %s (ifindex %d): an xfrm interface, whose XDP frames start with a copy of the outer packet's link-layer header, not at the IP header, so nothing is enforced on %s (its tunnel's ESP is judged where it arrives)",
			k->name, k->ifindex, k->name);
	else if (!k->no_eth)
		daemon_msg(
			"not attaching to %s (ifindex %d): link type %u, whose frames localin's programs do not read (they read Ethernet, and the IP frames of tun and WireGuard interfaces), so nothing is enforced on %s",
			k->name, k->ifindex, k->type, k->name);
	k->no_eth = true;
	k->attach_err = 0;
	/* an older build's, adopted or replaced by this start: it comes off */
	if (xfrm)
		leftover_off(d, k,
			     "an xfrm interface, whose frames it misread");
	return 1;
}

/*
 * Bring one interface in line with the config: classify and attach it if
 * wanted (classes first, so its first packet is judged right), detach it
 * if not. Attached interfaces are classified again after every reload.
 * One that another XDP program holds is tried again at every change of
 * the interface (the kernel announces attach and detach as one).
 */
static int sync_xdp(struct daemon *d, struct daemon_link *k)
{
	const char *m;
	char name[24];
	int err;

	port_note(d, k);
	if (!wanted(d, k)) {
		memset(&k->foreign, 0, sizeof(k->foreign));
		k->attach_err = 0;
		k->no_eth = false;
		if (!k->attached) {
			leftover_off(d, k, "which the policies no longer name");
			return 0;
		}
		err = li_loader_detach(d->l, k->ifindex);
		if (err == -EEXIST)
			err = under_uppers(d, k, false);
		if (err == -EEXIST && k->master) {
			/*
			 * A port that joined a bridge (bond) our program is
			 * on, and ours could not come off the bridge: the
			 * kernel refuses to change the hook of a device
			 * whose upper has a program. It stays, and attached
			 * (its session program too), and goes at stop, after
			 * its master's (links_detach_all).
			 */
			li_loader_attach(d->l, k->ifindex,
					 li_link_frames(k->type));
			m = links_name(d, k->master, name, sizeof(name));
			if (!k->held_said)
				daemon_msg(
					"cannot detach from %s: the kernel refuses while its master %s has a program; it stays on %s, which judges its frames for the gateway before %s does, until localin stops or %s leaves %s",
					k->name, m, k->name, m, k->name, m);
			k->held_said = true;
			return 0;
		}
		k->attached = false;
		k->held_said = false;
		k->egress_err = 0;
		if (err)
			daemon_msg("cannot detach from %s: %s", k->name,
				   strerror(-err));
		else
			daemon_msg("detached from %s", k->name);
		return err;
	}
	k->held_said = false;
	if (!k->attached && no_ethernet(d, k))
		return 0; /* not an error: the daemon goes on, and says so */
	err = li_loader_set_interface(d->l, k->ifindex, k->name);
	if (!err && !k->attached)
		err = attach(d, k);
	if (!err) {
		k->attach_err = 0;
		sa_retry_reset(&k->retry);
		return 0;
	}
	/*
	 * Once per cause; links_tick() tries again, backing off. Not
	 * attached where its classes did not fit (-ENOSPC): the policies
	 * naming it would miss it, those on "any" alone judge it.
	 */
	if (err != k->attach_err)
		daemon_msg(
			"cannot attach to %s: %s; nothing is enforced on %s until an attach works (tried again every few seconds)",
			k->name, li_loader_strerror(err), k->name);
	if (!k->attach_err)
		sa_retry_reset(&k->retry);
	k->attach_err = err;
	sa_retry_later(&k->retry);
	return err;
}

/* sync_xdp(), then the session program where the XDP program is not. */
static int sync_one(struct daemon *d, struct daemon_link *k)
{
	int err = sync_xdp(d, k);

	egress_alone(d, k);
	return err;
}

/*
 * Attaches that failed (out of fds, out of memory, a driver that said
 * no) are tried again, so enforcement comes back by itself once the
 * cause is gone instead of at the next reload; egress programs too. What
 * the loader says of those is read every time: a successor program
 * (reload.c grow) attaches its own.
 */
/*
 * Do the policies name an interface that is not here (a VPN's tun before
 * its first connect)? Not `any` alone: that names no interface to come,
 * and most gateways have no IP-only link (seconds of verification at
 * every start for nothing); there the first one loads it at its attach.
 */
static bool may_appear(const struct daemon *d)
{
	size_t i;

	for (i = 0; i < d->want.nr; i++)
		if (!links_have_name(d, d->want.names[i]))
			return true;
	return false;
}

/*
 * An interface of IP frames that appears under the policies (a VPN's tun
 * at its first connect, a WireGuard interface made later) would wait for
 * its program's load and verification, 1.4-1.8 s here, passing frames
 * unjudged while the loop stood still. Loaded ahead instead, once per
 * loader, on the loop's turn after a start or a reload that may meet
 * one: the daemon is enforcing by then, and the reload answered.
 */
static void load_ahead(struct daemon *d)
{
	int err;

	if (!d->live || d->ip_ahead == d->l || !may_appear(d))
		return;
	d->ip_ahead = d->l;
	err = li_loader_load_ip(d->l);
	if (err)
		daemon_msg(
			"cannot load the program for IP-only links ahead: %s; a tun or WireGuard interface that appears is attached when it does, a second or two later",
			strerror(-err));
}

/*
 * What a process sent to our rtnetlink sockets (not read: forged events
 * would detach the program or drop a local address), said once a minute
 * at most: the sender may send as fast as it likes.
 */
static void foreign_say(struct daemon *d)
{
	const struct nlmsg_foreign *f = &d->rtnl.foreign;
	__u64 now = sa_mono_ms();

	if (f->n == d->rtnl_foreign_said ||
	    (d->rtnl_foreign_said_ms &&
	     now < d->rtnl_foreign_said_ms + FOREIGN_SAY_MS))
		return;
	daemon_msg(
		"rtnetlink: dropped %llu messages a process sent to the daemon's sockets (the last from port %u): only the kernel's are read",
		f->n - d->rtnl_foreign_said, f->port);
	d->rtnl_foreign_said = f->n;
	d->rtnl_foreign_said_ms = now;
}

void links_tick(struct daemon *d)
{
	__u64 now = sa_mono_ms();
	bool check = now >= d->egress_checked_ms + EGRESS_CHECK_MS;
	size_t i;

	if (check)
		d->egress_checked_ms = now;
	foreign_say(d);
	load_ahead(d);
	for (i = 0; i < d->nr_links; i++) {
		struct daemon_link *k = &d->links[i];

		/*
		 * A session program someone took off (`tc qdisc del dev X
		 * clsact`, `tc filter del`): no event says so, and the
		 * replies to the gateway's own connections that leave by X
		 * would meet the policies from then on, unsaid.
		 */
		if (check && (k->attached || k->eg_only) && !k->egress_err &&
		    li_loader_egress_check(d->l, k->ifindex))
			daemon_msg(
				"the session program is no longer on %s's egress (ifindex %d): something else took it off; attaching it again",
				k->name, k->ifindex);

		if (k->attach_err && now >= k->retry.next_ms && d->live)
			sync_one(d, k);
		if ((k->attached || k->eg_only) && k->egress_err &&
		    now >= k->egress_retry.next_ms) {
			li_loader_attach_egress(d->l, k->ifindex,
						li_link_frames(k->type));
			sa_retry_later(&k->egress_retry);
		}
		egress_note(d, k);
	}
}

bool links_ike_gate(const struct daemon *d)
{
	size_t i;

	if (!d->nr_links)
		return false;
	for (i = 0; i < d->nr_links; i++) {
		const struct daemon_link *k = &d->links[i];

		if (!(k->flags & IFF_UP) || (k->flags & IFF_LOOPBACK))
			continue;
		if (!(k->attached || k->eg_only) || k->egress_err)
			return false;
	}
	return true;
}

const char *links_unattached_why(const struct daemon_link *k, char *buf,
				 size_t size)
{
	if (k->attached)
		return NULL;
	if (k->attach_err)
		return li_loader_strerror(k->attach_err);
	if (k->no_eth && links_is_xfrm(k))
		return "an xfrm interface, whose XDP frames localin does not read";
	if (k->no_eth) {
		snprintf(buf, size,
			 "link type %u, whose frames localin does not read",
			 k->type);
		return buf;
	}
	if (!k->foreign.id)
		return NULL;
	snprintf(buf, size, "another XDP program holds it: %s, id %u, %s mode",
		 k->foreign.name, k->foreign.id, k->foreign.mode);
	return buf;
}

/*
 * The interfaces the config names (or `any` takes) that localin does not
 * enforce on, a line each on @out; how many. Absent ones are not counted:
 * they are attached when they appear.
 */
size_t links_unenforced(const struct daemon *d, FILE *out)
{
	const char *why;
	char buf[128];
	size_t i, n = 0;

	for (i = 0; i < d->nr_links; i++) {
		const struct daemon_link *k = &d->links[i];

		why = links_unattached_why(k, buf, sizeof(buf));
		if (!why || !wanted(d, k))
			continue;
		fprintf(out, "%s (ifindex %d): not attached: %s\n", k->name,
			k->ifindex, why);
		n++;
	}
	return n;
}

int links_sync(struct daemon *d, bool fatal)
{
	size_t i;
	int err, ret = 0;

	for (i = 0; i < d->nr_links; i++) {
		err = sync_one(d, &d->links[i]);
		if (err && fatal)
			return err;
		ret = ret ?: err;
	}
	uppers_note(d);
	return ret;
}

/*
 * Detach everywhere, the session program where it is alone too; how
 * many interfaces kept a program (errors). The kernel refuses to take a
 * program off a device whose upper (its bridge, bond, VLAN device,
 * macvlan) has one (EEXIST): such a device is tried again after the
 * others, for as long as a round takes one off, so uppers go first
 * whatever the order of their ifindexes.
 */
int links_detach_all(struct daemon *d)
{
	size_t i;
	int err, failed = 0, off;

	for (i = 0; i < d->nr_links; i++) {
		struct daemon_link *k = &d->links[i];

		if (!k->eg_only)
			continue;
		err = li_loader_detach_egress(d->l, k->ifindex);
		if (err)
			daemon_msg(
				"cannot take the session program off %s's egress: %s",
				k->name, strerror(-err));
		failed += !!err;
		k->eg_only = false;
		k->egress_err = 0;
	}
	do {
		off = 0;
		for (i = 0; i < d->nr_links; i++) {
			struct daemon_link *k = &d->links[i];

			if (!k->attached)
				continue;
			err = li_loader_detach(d->l, k->ifindex);
			if (err == -EEXIST) {
				k->attach_err =
					err; /* said below if it stays */
				continue;
			}
			if (err) {
				daemon_msg("cannot detach from %s: %s", k->name,
					   strerror(-err));
				failed++;
			}
			k->attached = false;
			k->attach_err = 0;
			k->egress_err = 0;
			off++;
		}
	} while (off);
	for (i = 0; i < d->nr_links; i++) {
		struct daemon_link *k = &d->links[i];

		if (!k->attached)
			continue;
		daemon_msg("cannot detach from %s: %s", k->name,
			   strerror(-k->attach_err));
		failed++;
		k->attached = false;
		k->attach_err = 0;
		k->egress_err = 0;
	}
	return failed;
}

/* An interface went away: the kernel has dropped its XDP program. */
static void forget(struct daemon *d, struct daemon_link *k)
{
	if (k->attached) {
		/* Only the loader's bookkeeping is left; ENODEV is expected. */
		li_loader_detach(d->l, k->ifindex);
		daemon_msg("%s is gone (ifindex %d)", k->name, k->ifindex);
	}
	li_loader_forget_interface(d->l, k->ifindex);
	if (local_set_del_ifindex(&d->locals, k->ifindex))
		d->locals_dirty = true;
	if (links_is_macvlan(k))
		d->uppers_dirty = true;
	*k = d->links[--d->nr_links];
}

/*
 * The kernel announces a change of the XDP hook with the link: whoever
 * took ours off (`ip link set dev X xdp off`), it goes back, and the
 * admin is told. Not while the link is down: an interface being deleted
 * goes down, loses its program, then goes (DELLINK). Whoever put another
 * program in its place (`ip -force link set dev X xdp obj ...`, `bpftool
 * net attach xdp ... overwrite`) keeps it, as one found there at start
 * (attach() leaves it); status listed @k as attached while nothing was
 * enforced, and nothing was said.
 */
static void lost_hook(struct daemon *d, struct daemon_link *k)
{
	struct li_xdp_prog f;

	if ((k->flags & IFF_UP) && li_loader_hook_empty(k->ifindex)) {
		daemon_msg(
			"localin's program is no longer on %s (ifindex %d): something else took it off; attaching it again",
			k->name, k->ifindex);
	} else if (li_loader_foreign(k->ifindex, &f) > 0) {
		daemon_msg(
			"localin's program on %s (ifindex %d) was replaced by another XDP program (%s, id %u, %s mode); localin does not replace it, so nothing is enforced on %s while it is there (attached again once it goes)",
			k->name, k->ifindex, f.name, f.id, f.mode, k->name);
		k->foreign = f; /* said: held_by_other() says no more */
	} else {
		return;
	}
	li_loader_detach(d->l, k->ifindex); /* ENOENT: bookkeeping */
	k->attached = false;
}

/*
 * @k went to another network namespace with ours on it (links_moved.c).
 * Not @sure: @k is gone and no event said how (lost: ENOBUFS); ours is
 * looked for at its ifindex, which a move keeps where it is free, and
 * only what is found is said.
 */
static void moved(struct daemon *d, struct daemon_link *k, int there, bool sure)
{
	char where[300] = "";
	int r = links_moved_off(d, there, where, sizeof(where));

	if (!sure && r != -EIO && r <= 0)
		return;
	if (r > 0) {
		daemon_msg(
			"%s (ifindex %d) moved to another network namespace (%s): localin's program taken off it there, as this gateway's policies are not that namespace's",
			k->name, k->ifindex, where);
		return;
	}
	daemon_msg(
		"%s (ifindex %d) moved to another network namespace with localin's program on it, which localin could not take off there (%s): it judges that namespace's packets by this gateway's policies until `ip -n NAMESPACE link set dev %s xdp off`",
		k->name, k->ifindex,
		r ? strerror(-r) :
		    "not found in any named or process's namespace",
		k->name);
	if (r == -EIO)
		daemon_msg(
			"CANNOT RETURN TO ITS OWN NETWORK NAMESPACE after looking for %s: new sockets (syslog, mail, metrics) may open in another; restart localin",
			k->name);
}

static int on_link(struct daemon *d, const struct rtnl_msg *m)
{
	struct daemon_link *k = find(d, m->ifindex);
	char name[IF_NAMESIZE];

	if (m->kind == RTNL_DELLINK) {
		if (k && m->moved && k->attached)
			moved(d, k, m->new_ifindex ?: k->ifindex, true);
		if (k)
			forget(d, k);
		return 0;
	}
	if (!k) {
		if (d->nr_links == d->cap_links) {
			size_t cap = d->cap_links ? d->cap_links * 2 : 16;
			struct daemon_link *v =
				realloc(d->links, cap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			d->links = v;
			d->cap_links = cap;
		}
		k = &d->links[d->nr_links++];
		memset(k, 0, sizeof(*k));
		k->ifindex = m->ifindex;
	}
	k->flags = m->flags;
	k->type = m->type;
	k->seen = true;
	/* Every RTM_NEWLINK is whole: no master there, none (it left). */
	if (k->master != m->master || strcmp(k->master_kind, m->slave_kind))
		k->port_said = false;
	k->master = m->master;
	if (k->lower != m->lower || strcmp(k->kind, m->link_kind) ||
	    k->has_mac != m->has_mac || memcmp(k->mac, m->mac, sizeof(k->mac)))
		d->uppers_dirty = true;
	k->lower = m->lower;
	memcpy(k->master_kind, m->slave_kind, sizeof(k->master_kind));
	memcpy(k->kind, m->link_kind, sizeof(k->kind));
	memcpy(k->mac, m->mac, sizeof(k->mac));
	k->has_mac = m->has_mac;
	/*
	 * Policies name interfaces: a rename takes an attached one out of
	 * its policies (detached, said) or puts one in; which one it was is
	 * said here, as "detached from wan9" alone did not tell.
	 */
	if (m->ifname[0] && k->name[0] && strcmp(k->name, m->ifname) &&
	    (k->attached || links_wanted_name(&d->want, m->ifname)))
		daemon_msg("%s (ifindex %d) was renamed %s", k->name,
			   k->ifindex, m->ifname);
	if (m->ifname[0])
		memcpy(k->name, m->ifname, sizeof(k->name)); /* renames too */
	/*
	 * During start and resync, links_sync() follows the dump. An
	 * interface already gone again (a link flapping faster than the
	 * events are read) is left to its DELLINK, which follows: an attach
	 * loads and verifies a program (a second or more) that would only
	 * fail with ENODEV, while the interfaces that are there wait.
	 */
	if (!d->live || !if_indextoname((unsigned int)k->ifindex, name))
		return 0;
	if (k->attached)
		lost_hook(d, k);
	sync_one(d, k);
	return 0;
}

static int on_rtnl(void *ctx, const struct rtnl_msg *m)
{
	struct daemon *d = ctx;
	int ret;

	switch (m->kind) {
	case RTNL_NEWLINK:
	case RTNL_DELLINK:
		return on_link(d, m);
	case RTNL_NEWADDR:
		ret = local_set_add(&d->locals, &m->addr);
		break;
	case RTNL_DELADDR:
		ret = local_set_del(&d->locals, &m->addr);
		break;
	default:
		return 0;
	}
	if (ret > 0)
		d->locals_dirty = true;
	return ret < 0 ? ret : 0;
}

/*
 * Addresses the locals table could not hold: in force without them (they
 * pass, judged as not the gateway's), said when their number changes.
 */
static void locals_overflow(struct daemon *d, const struct li_host_addr *v,
			    size_t n, size_t out, size_t first)
{
	size_t was = d->locals_out;

	d->locals_out = out;
	d->locals_listed = n;
	d->locals_out_first[0] = 0;
	if (out)
		inet_ntop(v[first].family == 6 ? AF_INET6 : AF_INET,
			  v[first].addr, d->locals_out_first,
			  sizeof(d->locals_out_first));
	if (out && out != was)
		daemon_msg(
			"the data path's table of the gateway's addresses (%u slots, each address within %u of its home) cannot hold %zu of its %zu (the first %s): packets to them pass unjudged, as not the gateway's, until addresses go",
			LI_LOCAL_SLOTS, LI_LOCAL_PROBES, out, n,
			d->locals_out_first);
	else if (!out && was)
		daemon_msg(
			"the data path's table holds all %zu of the gateway's addresses again",
			n);
}

int locals_push(struct daemon *d)
{
	struct li_host_addr *v;
	size_t n, first = 0;
	int err;

	err = local_set_export(&d->locals, &v, &n);
	if (!err)
		err = li_loader_set_locals(d->l, v, n, &first);
	if (err >= 0) {
		locals_overflow(d, v, n, (size_t)err, first);
		err = 0;
	}
	free(v);
	if (err)
		daemon_msg("cannot update the local addresses: %s",
			   strerror(-err));
	else
		d->locals_dirty = false;
	return err;
}

static int dump_all(struct daemon *d)
{
	size_t i = 0;
	int err;

	for (i = 0; i < d->nr_links; i++)
		d->links[i].seen = false;
	local_set_clear(&d->locals);
	err = rtnl_dump(&d->rtnl, RTNL_DUMP_LINKS, on_rtnl, d);
	if (!err)
		err = rtnl_dump(&d->rtnl, RTNL_DUMP_ADDRS, on_rtnl, d);
	if (err)
		return err;
	/* Interfaces that went while we were not listening: moved too? */
	i = 0;
	while (i < d->nr_links) {
		struct daemon_link *k = &d->links[i];

		if (k->seen) {
			i++;
			continue;
		}
		if (k->attached)
			moved(d, k, k->ifindex, false);
		forget(d, k);
	}
	d->locals_dirty = true;
	return 0;
}

/*
 * The whole state again: at start (before anything is attached) and when
 * events were lost. Queued events are applied first, then the dump, then
 * whatever arrives after it (rtnl.h says why this converges).
 */
int links_resync(struct daemon *d)
{
	bool live = d->live;
	int err, tries = 0;

	rtnl_read_events(&d->rtnl, on_rtnl, d);
	d->live = false;
	do {
		err = dump_all(d);
	} while (err == -EAGAIN && ++tries < RESYNC_TRIES);
	d->live = live;
	if (err) {
		daemon_msg("cannot read interfaces and addresses: %s",
			   strerror(-err));
		return err;
	}
	/* Before an attach: the lower's program leaves a macvlan's alone. */
	err = uppers_push(d);
	if (live)
		links_sync(d, false);
	return locals_push(d) ?: err;
}

int links_follow(struct daemon *d)
{
	int err = rtnl_read_events(&d->rtnl, on_rtnl, d);

	foreign_say(d);
	if (err == -ENOBUFS) {
		daemon_msg(
			"interface or address events were lost; reading them all again");
		return links_resync(d);
	}
	if (err)
		daemon_msg("reading interface and address events: %s",
			   strerror(-err));
	if (d->locals_dirty)
		err = locals_push(d) ?: err;
	/* After the attaches: a new macvlan is judged twice, never not. */
	if (d->uppers_dirty)
		err = uppers_push(d) ?: err;
	uppers_note(d);
	return err;
}
