// SPDX-License-Identifier: GPL-2.0
/*
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
