/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The message walk of a received netlink buffer. libmnl's mnl_nlmsg_ok()
 * compares (int)nlmsg_len with what is left: a length of 2 GiB or more
 * is negative there, passes, and mnl_nlmsg_next() then steps gigabytes
 * past the buffer (fuzz_rtnl found it: a crash on one datagram). The
 * kernel's NLMSG_OK() compares unsigned; this does the same. And the
 * receive that reads only the kernel's messages.
 */
#ifndef LOCALIN_UTIL_NLMSG_H
#define LOCALIN_UTIL_NLMSG_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include <linux/netlink.h>

/* A whole message at @nlh, within the @len bytes left. */
static inline bool nlmsg_whole(const struct nlmsghdr *nlh, int len)
{
	return len >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	       nlh->nlmsg_len <= (unsigned int)len;
}

/*
 * The errno an NLMSG_ERROR or NLMSG_DONE carries, positive, whichever its
 * sign (subsystems differ). INT_MIN has no positive twin (negating it is
 * undefined: fuzz_xfrm): EIO.
 */
static inline int nlmsg_errno(int error)
{
	return error == INT_MIN ? EIO : error < 0 ? -error : error;
}

/* Messages from a sender other than the kernel, dropped. */
struct nlmsg_foreign {
	unsigned long long n;
	unsigned int port; /* the last one's sender (its nl_pid) */
};

/*
 * recvmsg() on netlink socket @fd with @flags: the length of a datagram
 * from the kernel, or -1 and errno (ENOSPC: over @size bytes, as
 * mnl_socket_recvfrom()). Any process of the network namespace may send
 * to our port; what it sends (nl_pid not 0) is dropped and counted in
 * @f, and the next datagram read. One without a name (a socketpair's, in
 * tests) is taken as the kernel's.
 */
ssize_t nlmsg_recv_kernel(int fd, void *buf, size_t size, int flags,
			  struct nlmsg_foreign *f);

#endif
