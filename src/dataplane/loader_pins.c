// SPDX-License-Identifier: GPL-2.0
/*
 * The program's pins under /sys/fs/bpf: adopt what this build pinned (a
 * restart without a gap), pin anew in place of anything else, unpin.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "util/hash.h"
#include "localin.skel.h"
#include "dataplane/loader_int.h"

static int pin_path(const struct li_loader *l, const char *name, char *buf,
		    size_t size)
{
	int n = snprintf(buf, size, "%s/%s", l->pin_dir, name);
	char *dot;

	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	/* bpffs refuses a dot: localin_.rodata pins as localin__rodata */
	for (dot = buf + n - strlen(name); (dot = strchr(dot, '.'));)
		*dot = '_';
	return 0;
}

/* The hash of our program object: what li_conf.build must say to adopt. */
__u64 li_loader_build(void)
{
	size_t size;
	const void *elf = localin_bpf__elf_bytes(&size);

	return hash_bytes(elf, size) ?: 1;
}

/* The build that made the li_conf map @fd; -ESTALE if unreadable. */
int li_map_build(int fd, __u64 *build)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	const struct li_conf *c;
	int err = 0;

	/* its head only, mapped: the value holds every table (maps.h) */
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		err = -errno;
	else if (info.type != BPF_MAP_TYPE_ARRAY || info.key_size != 4 ||
		 info.value_size < sizeof(struct li_conf_val) ||
		 !(info.map_flags & BPF_F_MMAPABLE))
		err = -ESTALE;
	c = err ? MAP_FAILED :
		  mmap(NULL, sizeof(*c), PROT_READ, MAP_SHARED, fd, 0);
	if (!err && c == MAP_FAILED)
		err = -errno;
	if (!err) {
		*build = c->build;
		munmap((void *)c, sizeof(*c));
	}
	return err;
}

/* The build that made the li_conf pinned at @path; -ESTALE if unreadable. */
static int pinned_build(const char *path, __u64 *build)
{
	int fd = bpf_obj_get(path), err;

	if (fd < 0)
		return -errno;
	err = li_map_build(fd, build);
	close(fd);
	return err;
}

/*
 * Reuse every pinned map when this build pinned them; l->pins says what
 * was found. With no pins, the maps of a program left attached
 * (loader_orphan.c). Another build's pins are not adopted (its maps may differ in
 * size, fields or meaning): they are replaced (pin_all), and so is its
 * program, without a gap (li_loader_attach).
 */
int li_adopt_maps(struct li_loader *l)
{
	struct bpf_map *m;
	char path[512];
	__u64 build = 0;
	int fd, err;

	l->pins = LI_PINS_NONE;
	err = pin_path(l, "li_conf", path, sizeof(path));
	if (err)
		return err;
	if (access(path, F_OK))
		return li_adopt_orphan(l);
	err = pinned_build(path, &build);
	if (err && err != -ESTALE)
		return err;
	if (err || build != li_loader_build()) {
		l->pins = LI_PINS_REPLACED;
		return 0;
	}
	bpf_object__for_each_map(m, l->skel->obj) {
		err = pin_path(l, bpf_map__name(m), path, sizeof(path));
		if (err)
			return err;
		fd = bpf_obj_get(path);
		if (fd < 0)
			return -errno;
		err = bpf_map__reuse_fd(m, fd);
		close(fd);
		if (err)
			return err;
	}
	l->pins = LI_PINS_ADOPTED;
	return 0;
}

int li_pins_ensure_bpffs(const char *pin_dir, char *parent, size_t size)
{
	struct statfs st;
	char *slash;

	if (snprintf(parent, size, "%s", pin_dir) >= (int)size)
		return -ENAMETOOLONG;
	slash = strrchr(parent, '/');
	if (!slash)
		snprintf(parent, size, ".");
	else if (slash == parent)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (statfs(parent, &st))
		return -errno;
	if (st.f_type == BPF_FS_MAGIC)
		return 0;
	/*
	 * `ip netns exec` remounts /sys, which hides /sys/fs/bpf: mount one
	 * there, as libxdp and bpftool do, in this mount namespace only.
	 */
	if (mount("bpf", parent, "bpf", 0, "mode=0700"))
		return -errno;
	return 1;
}

/* Remove every pin in @dir (another build's, or a half-made successor's). */
int li_pins_clear(const char *dir)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int err = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    unlinkat(dirfd(d), e->d_name, 0) && errno != ENOENT)
			err = -errno;
	closedir(d);
	return err;
}

int li_pin_all(struct li_loader *l)
{
	struct bpf_map *m;
	char path[512];
	int err;

	if (mkdir(l->pin_dir, 0700) && errno != EEXIST)
		return -errno;
	/* Pins we did not adopt are stale: ours replace them all. */
	err = li_pins_clear(l->pin_dir);
	if (err)
		return err;
	bpf_object__for_each_map(m, l->skel->obj) {
		err = pin_path(l, bpf_map__name(m), path, sizeof(path));
		if (err)
			return err;
		err = bpf_map__pin(m, path);
		if (err)
			return err;
	}
	err = pin_path(l, LI_PROG_NAME, path, sizeof(path));
	if (err)
		return err;
	return bpf_program__pin(l->skel->progs.localin_xdp, path);
}

int li_loader_unpin(struct li_loader *l)
{
	struct bpf_map *m;
	char path[512];
	int err = 0;

	if (!l->pin_dir)
		return 0;
	bpf_object__for_each_map(m, l->skel->obj) {
		if (pin_path(l, bpf_map__name(m), path, sizeof(path)) ||
		    (unlink(path) && errno != ENOENT))
			err = -errno;
	}
	if (!pin_path(l, LI_PROG_NAME, path, sizeof(path)) && unlink(path) &&
	    errno != ENOENT)
		err = -errno;
	if (rmdir(l->pin_dir) && errno != ENOENT && errno != ENOTEMPTY)
		err = -errno;
	return err;
}
