// SPDX-License-Identifier: GPL-2.0
/* The gateway's addresses (locals.h). */
#include "daemon/locals.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

void local_set_init(struct local_set *s)
{
	memset(s, 0, sizeof(*s));
}

void local_set_free(struct local_set *s)
{
	free(s->v);
	local_set_init(s);
}

void local_set_clear(struct local_set *s)
{
	s->nr = 0;
}

/* Callers zero the unused words of an IPv4 address (rtnl.c does). */
static bool same(const struct local_addr *a, const struct local_addr *b)
{
	return a->ifindex == b->ifindex && a->family == b->family &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

static struct local_addr *find(struct local_set *s, const struct local_addr *a)
{
	size_t i;

	for (i = 0; i < s->nr; i++)
		if (same(&s->v[i], a))
			return &s->v[i];
	return NULL;
}

int local_set_add(struct local_set *s, const struct local_addr *a)
{
	struct local_addr *e = find(s, a);

	if (e) {
		if (e->prefixlen == a->prefixlen)
			return 0;
		e->prefixlen = a->prefixlen; /* same address, new subnet */
		return 1;
	}
	if (s->nr == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct local_addr *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->nr++] = *a;
	return 1;
}

int local_set_del(struct local_set *s, const struct local_addr *a)
{
	struct local_addr *e = find(s, a);

	if (!e)
		return 0;
	*e = s->v[--s->nr];
	return 1;
}

size_t local_set_del_ifindex(struct local_set *s, int ifindex)
{
	size_t i = 0, n = 0;

	while (i < s->nr) {
		if (s->v[i].ifindex == ifindex) {
			s->v[i] = s->v[--s->nr];
			n++;
		} else {
			i++;
		}
	}
	return n;
}

static int cmp_host_addr(const void *x, const void *y)
{
	const struct li_host_addr *a = x, *b = y;

	if (a->family != b->family)
		return a->family - b->family;
	return memcmp(a->addr, b->addr, sizeof(a->addr));
}

int local_set_export(const struct local_set *s, struct li_host_addr **out,
		     size_t *n)
{
	struct li_host_addr *v;
	size_t i, k = 0, w;
	__u32 bc, ac[4];

	*out = NULL;
	*n = 0;
	if (!s->nr)
		return 0;
	v = calloc(s->nr * 2, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < s->nr; i++) {
		const struct local_addr *a = &s->v[i];

		v[k].family = a->family;
		memcpy(v[k].addr, a->addr, sizeof(a->addr));
		k++;
		if (a->family == 4 &&
		    li_ip4_broadcast(ntohl(a->addr[0]), a->prefixlen, &bc)) {
			v[k].family = 4;
			v[k].bcast = 1;
			v[k].addr[0] = htonl(bc);
			k++;
		}
		if (a->family == 6 &&
		    li_ip6_subnet_anycast(a->addr, a->prefixlen, ac)) {
			v[k].family = 6;
			memcpy(v[k].addr, ac, sizeof(ac));
			k++;
		}
	}
	qsort(v, k, sizeof(*v), cmp_host_addr);
	/*
	 * One entry per address; an address that is both somebody's own
	 * and another subnet's broadcast counts as unicast, as the kernel
	 * delivers it as its own.
	 */
	for (i = 0, w = 0; i < k; i++) {
		if (w && !cmp_host_addr(&v[w - 1], &v[i])) {
			v[w - 1].bcast &= v[i].bcast;
			continue;
		}
		v[w++] = v[i];
	}
	*out = v;
	*n = w;
	return 0;
}
