// SPDX-License-Identifier: GPL-2.0
#include "dataplane/spi_table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void spi_table_init(struct spi_table *t)
{
	memset(t, 0, sizeof(*t));
}

void spi_table_free(struct spi_table *t)
{
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

static size_t sa_hash(int family, const __u32 *daddr, __u32 spi)
{
	__u64 h = 0x9e3779b97f4a7c15ull ^ (__u64)family;
	int i;

	for (i = 0; i < (family == 6 ? 4 : 1); i++)
		h = (h ^ daddr[i]) * 0x100000001b3ull;
	h = (h ^ spi) * 0x100000001b3ull;
	return (size_t)(h ^ (h >> 29));
}

static bool sa_same(const struct sa_entry *e, int family, const __u32 *daddr,
		    __u32 spi)
{
	return e->family == family && e->spi == spi &&
	       !memcmp(e->daddr, daddr, family == 6 ? 16 : 4);
}

static struct sa_entry *slot_for(const struct spi_table *t, int family,
				 const __u32 *daddr, __u32 spi)
{
	size_t i = sa_hash(family, daddr, spi) & (t->size - 1);

	while (t->slots[i].family && !sa_same(&t->slots[i], family, daddr, spi))
		i = (i + 1) & (t->size - 1);
	return &t->slots[i];
}

static int grow(struct spi_table *t)
{
	struct spi_table n = { .size = t->size ? t->size * 2 : 64 };
	size_t i;

	n.slots = calloc(n.size, sizeof(*n.slots));
	if (!n.slots)
		return -ENOMEM;
	for (i = 0; i < t->size; i++) {
		const struct sa_entry *e = &t->slots[i];

		if (e->family) {
			*slot_for(&n, e->family, e->daddr, e->spi) = *e;
			n.nr++;
		}
	}
	free(t->slots);
	*t = n;
	return 0;
}

int spi_table_add(struct spi_table *t, const struct sa_entry *sa)
{
	struct sa_entry *s;

	if ((t->nr + 1) * 2 > t->size && grow(t))
		return -ENOMEM;
	s = slot_for(t, sa->family, sa->daddr, sa->spi);
	if (!s->family)
		t->nr++;
	*s = *sa;
	return 0;
}

const struct sa_entry *spi_table_find(const struct spi_table *t, int family,
				      const __u32 *daddr, __u32 spi)
{
	const struct sa_entry *s;

	if (!t->nr)
		return NULL;
	s = slot_for(t, family, daddr, spi);
	return s->family ? s : NULL;
}
