// SPDX-License-Identifier: GPL-2.0
/*
 * The maps of a program a dead daemon left attached, when its pins went
 * with it. Under `ip netns exec` the daemon pins in a bpffs of its own
 * mount namespace (loader_pins.c), which dies with the daemon while its
 * program stays attached and enforcing. The next start finds the program
 * by interface, its maps by the program's map ids, and reuses them as it
 * would reuse pins: sessions, counters and the IKE window go on.
 *
 * Only a program attached directly is found this way; under libxdp's
 * dispatcher the component's links were pinned in the same lost bpffs.
 */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "localin.skel.h"
#include "dataplane/loader_int.h"

/* A program uses at most 64 maps (the kernel's MAX_USED_MAPS). */
#define LI_ORPHAN_MAPS 64

struct orphan_map {
	int fd;
	char name[BPF_OBJ_NAME_LEN];
};

/* The maps @prog_fd uses, opened; their number or -errno. */
static int prog_maps(int prog_fd, struct orphan_map *maps)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info), ids[LI_ORPHAN_MAPS], i;
	int n = 0;

	info.nr_map_ids = LI_ORPHAN_MAPS;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	for (i = 0; i < info.nr_map_ids && i < LI_ORPHAN_MAPS; i++) {
		struct bpf_map_info mi = { 0 };
		__u32 mlen = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(ids[i]);

		if (fd < 0)
			continue; /* gone since: not adopted, made anew */
		if (bpf_obj_get_info_by_fd(fd, &mi, &mlen)) {
			close(fd);
			continue;
		}
		maps[n].fd = fd;
		memcpy(maps[n].name, mi.name, sizeof(maps[n].name));
		n++;
	}
	return n;
}

static int find_map(const struct orphan_map *maps, int n, const char *name)
{
	int i;

	/* the kernel keeps BPF_OBJ_NAME_LEN - 1 bytes of a name */
	for (i = 0; i < n; i++)
		if (!strncmp(maps[i].name, name, BPF_OBJ_NAME_LEN - 1))
			return maps[i].fd;
	return -1;
}

/*
 * Reuse @prog_fd's maps for ours, name by name, when its li_conf says this
 * build made it (the same check as pins'): 1 adopted, 0 not ours. A map
 * the program does not use (the egress program's scratch) is made anew.
 */
static int adopt_from(struct li_loader *l, int prog_fd)
{
	struct orphan_map maps[LI_ORPHAN_MAPS];
	struct bpf_map *m;
	__u64 build = 0;
	int n, i, fd, err = 0;

	n = prog_maps(prog_fd, maps);
	if (n < 0)
		return n;
	fd = find_map(maps, n, bpf_map__name(l->skel->maps.li_conf));
	if (fd < 0 || li_map_build(fd, &build) || build != li_loader_build())
		goto out;
	bpf_object__for_each_map(m, l->skel->obj) {
		fd = find_map(maps, n, bpf_map__name(m));
		if (fd >= 0 && (err = bpf_map__reuse_fd(m, fd)))
			goto out;
	}
	err = 1;
out:
	for (i = 0; i < n; i++)
		close(maps[i].fd);
	return err;
}

/*
 * With nothing pinned: the program a dead daemon left on one of this
 * namespace's interfaces, whose maps are then ours (l->pins
 * LI_PINS_ORPHAN, l->orphan_ifindex where it was found). The namespace's
 * lock, taken before, says no live daemon uses them.
 */
int li_adopt_orphan(struct li_loader *l)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	struct li_hook h;
	int err = 0;

	if (!ifs)
		return 0; /* cannot list: a fresh start, as before */
	for (i = ifs; i->if_index && !err; i++) {
		if (li_hook_read((int)i->if_index, &h))
			continue;
		if (h.kind == LI_HOOK_OURS)
			err = adopt_from(l, h.fd);
		li_hook_close(&h);
		if (err > 0) {
			l->pins = LI_PINS_ORPHAN;
			l->orphan_ifindex = (int)i->if_index;
		}
	}
	if_freenameindex(ifs);
	return err < 0 ? err : 0;
}
