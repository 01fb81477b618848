// SPDX-License-Identifier: GPL-2.0
/*
 * Default paths per network namespace. /run is shared by every network
 * namespace of a host (`ip netns exec` changes /etc and /sys, not /run):
 * one daemon per namespace (a VDOM each) needs a control socket and a
 * lock of its own, which its clients, run in the same namespace, find
 * again without being told.
 */
#include <dirent.h>
#include <limits.h>
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

/* Is @self the host's namespace (PID 1's)? Unreadable (a container): yes. */
static bool host_netns(const struct stat *self)
{
	struct stat init;

	return stat("/proc/1/ns/net", &init) || same_inode(self, &init);
}

/*
 * The candidates for this namespace, the daemon's choice first: by name,
 * by inode, the host's. *nr of them written to @paths.
 */
static void candidates(const char *suffix, char paths[3][PATH_MAX], size_t *nr)
{
	struct stat self;
	char name[256];

	*nr = 0;
	if (stat("/proc/self/ns/net", &self)) {
		snprintf(paths[(*nr)++], PATH_MAX, "/run/localin%s", suffix);
		return;
	}
	if (!netns_name(&self, name, sizeof(name)))
		snprintf(paths[(*nr)++], PATH_MAX, "/run/localin-%s%s", name,
			 suffix);
	if (host_netns(&self)) {
		snprintf(paths[(*nr)++], PATH_MAX, "/run/localin%s", suffix);
		return;
	}
	snprintf(paths[(*nr)++], PATH_MAX, "/run/localin-netns-%llu%s",
		 (unsigned long long)self.st_ino, suffix);
}

int ctl_netns_path(const char *suffix, bool existing, char *buf, size_t size)
{
	char paths[3][PATH_MAX];
	size_t nr, i, pick = 0;

	if (strlen(suffix) > 64)
		return -1;
	candidates(suffix, paths, &nr);
	/*
	 * A client takes the first that exists: a namespace named after its
	 * daemon started has the daemon at the inode's (or host's) path.
	 */
	for (i = 0; existing && i < nr; i++) {
		if (!access(paths[i], F_OK)) {
			pick = i;
			break;
		}
	}
	if (strlen(paths[pick]) >= size)
		return -1;
	strcpy(buf, paths[pick]);
	return 0;
}

const char *ctl_client_socket(const char *given, char *buf, size_t size)
{
	if (given)
		return given;
	return ctl_netns_path(".sock", true, buf, size) ? CTL_SOCKET_PATH : buf;
}
