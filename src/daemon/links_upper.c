// SPDX-License-Identifier: GPL-2.0
/*
 * Upper devices: a bridge or bond over its ports, a VLAN device or a
 * macvlan over its lower device.
 *
 * The kernel changes a device's XDP hook only while none of its uppers
 * has a program (EEXIST): ours comes off such uppers for the moment an
 * attach, detach or a larger program's takeover takes, and goes back on.
 *
 * Macvlans. The kernel hands a unicast frame for a macvlan's Ethernet
 * address from its lower device to the macvlan (rx_handler), as a
 * bridge takes its port's: a packet in it is the macvlan's, judged once,
 * on the macvlan, by its policies (srcintf the macvlan), as FortiOS
 * judges traffic to an EMAC VLAN by that interface's policies, not by
 * its physical port's. The program on the lower device sees the frame
 * first, so it is told the macvlans' addresses (li_upper_mac) and leaves
 * those frames alone: before, a deny-all on the lower dropped what the
 * admin accepted on the macvlan, and `any` judged it twice.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/internal.h"

/* macvtap takes its frames off the lower device the same way. */
bool links_is_macvlan(const struct daemon_link *k)
{
	return k->lower && k->has_mac &&
	       (!strcmp(k->kind, "macvlan") || !strcmp(k->kind, "macvtap"));
}

/* The lower device's name when @k is a macvlan over one localin is on. */
const char *links_upper_lower(const struct daemon *d,
			      const struct daemon_link *k)
{
	size_t i;

	if (!links_is_macvlan(k))
		return NULL;
	for (i = 0; i < d->nr_links; i++)
		if (d->links[i].ifindex == k->lower && d->links[i].attached)
			return d->links[i].name;
	return NULL;
}

int uppers_push(struct daemon *d)
{
	struct li_upper *u;
	size_t i, n = 0, was = d->uppers_out;
	int ret;

	u = calloc(d->nr_links ?: 1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	for (i = 0; i < d->nr_links; i++) {
		const struct daemon_link *k = &d->links[i];

		if (!links_is_macvlan(k))
			continue;
		u[n].lower = k->lower;
		memcpy(u[n].mac, k->mac, sizeof(u[n].mac));
		u[n].upper = k->ifindex;
		n++;
	}
	ret = li_loader_set_uppers(d->l, u, n);
	free(u);
	if (ret < 0) {
		daemon_msg(
			"cannot tell the data path the macvlans' addresses: %s; their frames are judged on their lower device too",
			strerror(-ret));
		return ret;
	}
	d->uppers_dirty = false;
	d->uppers_out = (size_t)ret;
	if (ret && (size_t)ret != was)
		daemon_msg(
			"the data path's table of macvlan addresses (%d entries) cannot hold %d of %zu: their frames are judged on their lower device too",
			LI_UPPER_MAX, ret, n);
	return 0;
}

/* Once per macvlan whose lower device localin is on: where it is judged. */
void uppers_note(struct daemon *d)
{
	const char *why;
	size_t i;

	for (i = 0; i < d->nr_links; i++) {
		struct daemon_link *k = &d->links[i];
		const char *low = links_upper_lower(d, k);

		if (!low) {
			k->upper_said = false;
			continue;
		}
		if (k->upper_said)
			continue;
		k->upper_said = true;
		if (k->attached)
			why = "";
		else if (d->want.any || links_wanted_name(&d->want, k->name))
			why = ", where localin is not attached: they pass unjudged until it is";
		else
			why = ", which no policy names: they pass";
		daemon_msg(
			"frames for %s (ifindex %d, a macvlan of %s) are judged on %s, once, by its policies, not on %s, as the kernel delivers them to %s%s",
			k->name, k->ifindex, low, k->name, low, k->name, why);
	}
}

/* @u is a device stacked on @k: its bridge or bond, a VLAN or macvlan. */
static bool upper_of(const struct daemon_link *u, const struct daemon_link *k)
{
	return u != k && (u->ifindex == k->master || u->lower == k->ifindex);
}

/* An attached device @u is stacked on, or NULL. */
static const struct daemon_link *attached_lower(const struct daemon *d,
						const struct daemon_link *u)
{
	size_t i;

	for (i = 0; i < d->nr_links; i++)
		if (d->links[i].attached && upper_of(u, &d->links[i]))
			return &d->links[i];
	return NULL;
}

/*
 * The kernel changes a device's XDP hook only while none of its upper
 * devices has a program (EEXIST): a port named by a policy whose bridge
 * got ours first (the bridge has the lower ifindex), a VLAN's parent
 * named by a reload after the VLAN, an attached interface that joined a
 * bridge localin is on and is no longer wanted (`any`), a larger
 * program's takeover of a lower device (links_uppers_off). Ours comes
 * off those uppers (of @k; of any attached device when @k is NULL) for
 * the moment the change takes (their frames pass unjudged meanwhile:
 * failing open), marked detached_for; how many.
 */
int links_uppers_off_of(struct daemon *d, const struct daemon_link *k,
			const char *what)
{
	bool stacked;
	int e, n = 0;
	size_t i;

	for (i = 0; i < d->nr_links; i++) {
		struct daemon_link *u = &d->links[i];

		stacked = k ? upper_of(u, k) : attached_lower(d, u) != NULL;
		if (!u->attached || !stacked)
			continue;
		e = li_loader_detach(d->l, u->ifindex);
		if (e)
			daemon_msg(
				"cannot take localin's program off %s for %s: %s",
				u->name, what, strerror(-e));
		u->detached_for = true;
		n++;
	}
	return n;
}

/*
 * ... and back on, by @l (the successor after a takeover), said: "an
 * upper device of @k (NULL: of the attached one under it), for the
 * moment @what took", with " (which failed)" after a failure @err.
 */
void links_uppers_on_for(struct daemon *d, const struct daemon_link *k,
			 struct li_loader *l, const char *what, int err)
{
	const struct daemon_link *low;
	char name[24];
	int e;
	size_t i;

	for (i = 0; i < d->nr_links; i++) {
		struct daemon_link *u = &d->links[i];

		if (!u->detached_for)
			continue;
		u->detached_for = false;
		low = k ?: attached_lower(d, u);
		snprintf(name, sizeof(name), "%s", low ? low->name : "?");
		e = li_loader_attach(l, u->ifindex, li_link_frames(u->type));
		if (!e) {
			daemon_msg(
				"localin's program was off %s, an upper device of %s, for the moment %s took%s",
				u->name, name, what,
				err ? " (which failed)" : "");
			continue;
		}
		u->attached = false;
		u->attach_err = e;
		sa_retry_reset(&u->retry);
		sa_retry_later(&u->retry);
		daemon_msg(
			"cannot attach to %s again after %s: %s; nothing is enforced on %s until an attach works (tried again every few seconds)",
			u->name, what, strerror(-e), u->name);
	}
}

/*
 * A larger program takes over (reload.c grow) by replacing ours on each
 * interface, which the kernel refuses on a device whose upper has one
 * (EEXIST: the reload failed): ours comes off every attached upper of an
 * attached device first (links_uppers_off: how many), and the
 * successor's @l goes on them after (links_uppers_on; @err the
 * takeover's, @l the old program's again when it failed).
 */
int links_uppers_off(struct daemon *d)
{
	return links_uppers_off_of(d, NULL, "a larger program's takeover");
}

void links_uppers_on(struct daemon *d, struct li_loader *l, int err)
{
	links_uppers_on_for(d, NULL, l, "a larger program's takeover", err);
}
