/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The gateway's own addresses as the kernel reports them (rtnetlink), per
 * interface, and the flat list the data path wants: every address, plus
 * the directed broadcast of each IPv4 subnet shorter than /31 (as
 * li_host_add_ip4_subnet() does for replay) and the subnet-router anycast
 * of each IPv6 subnet shorter than /127 (host.h li_ip6_subnet_anycast).
 */
#ifndef LOCALIN_DAEMON_LOCALS_H
#define LOCALIN_DAEMON_LOCALS_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

#include "dataplane/host.h"

struct local_addr {
	int ifindex;
	__u8 family; /* 4 or 6 */
	__u8 prefixlen;
	__u32 addr[4]; /* network order; IPv4 in addr[0] */
};

struct local_set {
	struct local_addr *v;
	size_t nr, cap;
};

void local_set_init(struct local_set *s);
void local_set_free(struct local_set *s);
void local_set_clear(struct local_set *s);

/* 1 if the set changed, 0 if @a was there already, or -ENOMEM. */
int local_set_add(struct local_set *s, const struct local_addr *a);
/* 1 if @a was there (prefix length not compared), else 0. */
int local_set_del(struct local_set *s, const struct local_addr *a);
/* How many addresses of @ifindex were removed. */
size_t local_set_del_ifindex(struct local_set *s, int ifindex);

/*
 * The data path's list: addresses, broadcasts and anycasts, each once,
 * sorted.
 * *@out is malloc'ed (NULL when empty). 0 or -ENOMEM.
 */
int local_set_export(const struct local_set *s, struct li_host_addr **out,
		     size_t *n);

#endif
