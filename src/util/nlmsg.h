/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The message walk of a received netlink buffer. libmnl's mnl_nlmsg_ok()
 * compares (int)nlmsg_len with what is left: a length of 2 GiB or more
 * is negative there, passes, and mnl_nlmsg_next() then steps gigabytes
 * past the buffer (fuzz_rtnl found it: a crash on one datagram). The
 * kernel's NLMSG_OK() compares unsigned; this does the same.
 */
#ifndef LOCALIN_UTIL_NLMSG_H
#define LOCALIN_UTIL_NLMSG_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>

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

#endif
