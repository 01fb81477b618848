// SPDX-License-Identifier: GPL-2.0
/*
 * li_upper_mac: the macvlans' Ethernet addresses on their lower devices
 * (maps.h), written whole by the daemon whenever a link changes.
 */
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "localin.skel.h"
#include "dataplane/loader_int.h"

static void upper_key(struct li_upper_key *k, const struct li_upper *u)
{
	memset(k, 0, sizeof(*k));
	k->ifindex = (__u32)u->lower;
	memcpy(k->mac, u->mac, sizeof(k->mac));
}

static bool listed(const struct li_upper_key *k, const struct li_upper *u,
		   size_t n)
{
	struct li_upper_key w;
	size_t i;

	for (i = 0; i < n; i++) {
		upper_key(&w, &u[i]);
		if (!memcmp(&w, k, sizeof(w)))
			return true;
	}
	return false;
}

/*
 * LI_STATE_UPPERS, and its copy in the program's .bss that an Ethernet
 * frame reads before its parse (localin.bpf.c li_uppers_on), written
 * through the map: a reused one (pins, adoption) is not the skeleton's
 * mapping. 0 or -errno.
 */
int li_uppers_set(struct li_loader *l, __u32 n)
{
	struct localin_bpf__bss v = { .li_uppers_on = n };
	__u32 zero = 0;

	li_state_set(l, LI_STATE_UPPERS, n);
	if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.bss), &zero, &v,
				BPF_ANY))
		return -errno;
	return 0;
}

int li_loader_set_uppers(struct li_loader *l, const struct li_upper *u,
			 size_t n)
{
	int fd = bpf_map__fd(l->skel->maps.li_upper_mac);
	struct li_upper_key k, next, *prev = NULL;
	size_t i, in = 0;
	__u32 v;
	int err;

	/*
	 * The new ones first, then the old ones go: a macvlan whose address
	 * changed is never in neither (its lower's policies would judge
	 * its frames for that moment).
	 */
	for (i = 0; i < n; i++) {
		upper_key(&k, &u[i]);
		v = (__u32)u[i].upper;
		if (!bpf_map_update_elem(fd, &k, &v, BPF_ANY))
			in++;
		else if (errno != E2BIG && errno != ENOMEM)
			return -errno;
	}
	if (in) {
		err = li_uppers_set(l, (__u32)in);
		if (err)
			return err;
	}
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		/* @next gone: the key after @prev (still there) is asked */
		if (!listed(&next, u, n) && !bpf_map_delete_elem(fd, &next))
			continue;
		k = next;
		prev = &k;
	}
	if (!in) {
		err = li_uppers_set(l, 0);
		if (err)
			return err;
	}
	return (int)(n - in);
}
