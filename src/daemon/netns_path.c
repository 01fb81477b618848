// SPDX-License-Identifier: GPL-2.0
/*
 * Default paths per network namespace. /run is shared by every network
 * namespace of a host (`ip netns exec` changes /etc and /sys, not /run):
 * one daemon per namespace (a VDOM each) needs a control socket and a
 * lock of its own, which its clients, run in the same namespace, find
 * again without being told.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/ctl.h"

#define NETNS_RUN_DIR "/run/netns"

static bool same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/*
 * The name `ip netns add` gave @self: its bind mount under /run/netns
 * has the namespace's inode. 0, or -1 if it has none.
 */
static int netns_name(const struct stat *self, char *buf, size_t size)
{
	struct dirent *de;
	struct stat st;
	char path[300];
	int ret = -1;
	DIR *d;

	d = opendir(NETNS_RUN_DIR);
	if (!d)
		return -1;
	while (ret && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", de->d_name);
		if (stat(path, &st) || !same_inode(&st, self))
			continue;
		if ((size_t)snprintf(buf, size, "%s", de->d_name) < size)
			ret = 0;
	}
	closedir(d);
	return ret;
}

int ctl_netns_path(const char *suffix, bool existing, char *buf, size_t size)
{
	struct stat self, init;
	char name[256];
	int n;

	/* The host's namespace (PID 1's), or one we cannot tell: today's. */
	if (stat("/proc/self/ns/net", &self) ||
	    stat("/proc/1/ns/net", &init) || same_inode(&self, &init))
		n = snprintf(buf, size, "/run/localin%s", suffix);
	else if (!netns_name(&self, name, sizeof(name)))
		n = snprintf(buf, size, "/run/localin-%s%s", name, suffix);
	else
		n = -1;
	/*
	 * Unnamed (or named after its daemon started, which took this
	 * one): the namespace's inode.
	 */
	if (n > 0 && existing && strncmp(buf, "/run/localin.", 13) &&
	    access(buf, F_OK))
		n = -1;
	if (n < 0)
		n = snprintf(buf, size, "/run/localin-netns-%llu%s",
			     (unsigned long long)self.st_ino, suffix);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

const char *ctl_client_socket(const char *given, char *buf, size_t size)
{
	if (given)
		return given;
	return ctl_netns_path(".sock", true, buf, size) ? CTL_SOCKET_PATH : buf;
}
