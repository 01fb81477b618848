// SPDX-License-Identifier: GPL-2.0
/* The receive of the kernel's netlink messages (nlmsg.h). */
#include "util/nlmsg.h"

#include <string.h>
#include <sys/socket.h>

ssize_t nlmsg_recv_kernel(int fd, void *buf, size_t size, int flags,
			  struct nlmsg_foreign *f)
{
	for (;;) {
		struct sockaddr_nl from;
		struct iovec iov = { buf, size };
		struct msghdr msg = { .msg_name = &from,
				      .msg_namelen = sizeof(from),
				      .msg_iov = &iov,
				      .msg_iovlen = 1 };
		ssize_t n;

		memset(&from, 0, sizeof(from));
		n = recvmsg(fd, &msg, flags);
		if (n < 0)
			return n;
		if (msg.msg_namelen >= sizeof(from) &&
		    from.nl_family == AF_NETLINK && from.nl_pid) {
			f->n++;
			f->port = from.nl_pid;
			continue;
		}
		if (msg.msg_flags & MSG_TRUNC) {
			errno = ENOSPC;
			return -1;
		}
		return n;
	}
}
