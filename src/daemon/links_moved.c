// SPDX-License-Identifier: GPL-2.0
/*
 * An interface moved to another network namespace (`ip link set X netns
 * Y`, a container given a veth) keeps its XDP program: the kernel takes
 * the filters of its clsact hook off, not the XDP hook's. Ours went on
 * there, unsaid and beyond `localin stop`, judging that namespace's
 * packets by this gateway's policies and addresses (an ifindex there may
 * be another interface's here) and counting them here. It is looked for
 * in the namespaces the host names (`ip netns`'s, every process's) and
 * taken off there.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/internal.h"

struct seen {
	ino_t *v;
	size_t nr, cap;
	int err; /* the first setns() refused (-EPERM without CAP_SYS_ADMIN) */
};

/* Not looked in yet (and remembered); 0 also when out of memory. */
static bool first_time(struct seen *s, ino_t ino)
{
	ino_t *v;
	size_t i;

	for (i = 0; i < s->nr; i++)
		if (s->v[i] == ino)
			return false;
	if (s->nr == s->cap) {
		v = realloc(s->v, (s->cap ? s->cap * 2 : 64) * sizeof(*v));
		if (!v)
			return false;
		s->v = v;
		s->cap = s->cap ? s->cap * 2 : 64;
	}
	s->v[s->nr++] = ino;
	return true;
}

/*
 * In the namespace at @path (not ours, not seen): ours off @ifindex
 * there. 1 taken off, 0 not there, -errno (-EIO: could not come back).
 */
static int try_ns(struct daemon *d, struct seen *s, int self, const char *path,
		  int ifindex)
{
	struct stat st;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) || !first_time(s, st.st_ino)) {
		close(fd);
		return 0;
	}
	if (setns(fd, CLONE_NEWNET)) {
		s->err = s->err ?: -errno;
		close(fd);
		return 0;
	}
	close(fd);
	ret = li_loader_off_here(d->l, ifindex);
	if (setns(self, CLONE_NEWNET))
		return -EIO; /* said by the caller, loudly */
	return ret > 0 ? 1 : 0;
}

static int scan(struct daemon *d, struct seen *s, int self, const char *dir,
		const char *suffix, int ifindex, char *where, size_t size)
{
	struct dirent *de;
	char path[300];
	int ret = 0;
	DIR *dp;

	dp = opendir(dir);
	if (!dp)
		return 0;
	while (!ret && (de = readdir(dp))) {
		if (de->d_name[0] == '.' ||
		    (*suffix && (de->d_name[0] < '0' || de->d_name[0] > '9')))
			continue;
		snprintf(path, sizeof(path), "%s/%s%s", dir, de->d_name,
			 suffix);
		ret = try_ns(d, s, self, path, ifindex);
		if (ret > 0 && *suffix)
			snprintf(where, size, "that of pid %s", de->d_name);
		else if (ret > 0)
			snprintf(where, size, "%s", de->d_name);
	}
	closedir(dp);
	return ret;
}

int links_moved_off(struct daemon *d, int ifindex, char *where, size_t size)
{
	struct seen s = { 0 };
	struct stat st;
	int self, ret;

	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	if (fstat(self, &st) || !first_time(&s, st.st_ino)) {
		ret = -errno ?: -ENOMEM;
		close(self);
		return ret;
	}
	ret = scan(d, &s, self, "/run/netns", "", ifindex, where, size);
	if (!ret)
		ret = scan(d, &s, self, "/proc", "/ns/net", ifindex, where,
			   size);
	close(self);
	free(s.v);
	return ret ?: s.err;
}
