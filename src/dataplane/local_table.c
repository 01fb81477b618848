// SPDX-License-Identifier: GPL-2.0
/*
 * Building the locals table of local_slot.h in plain C, once for both
 * executions: the loader copies the result into li_conf's locals, the host
 * matcher reads it in place.
 *
 * Robin Hood placement, as the SA table's (sa_table.c): an address takes
 * the slot of one nearer its own home, which moves on. Plain linear
 * probing let the first addresses of a crowded stretch sit near home and
 * pushed a later one LI_LOCAL_PROBES away: some 2200-3300 random IPv6
 * addresses already failed (tests/unit/test_slots.c), where this places
 * some 4000-5500. The probe (match.h) is unchanged: it still finds an
 * address within LI_LOCAL_PROBES of its home and no empty slot before it.
 */
#include "dataplane/local_slot.h"

#include <errno.h>
#include <string.h>

/* How far the entry in slot @k sits from its home. */
static __u32 dist(const struct li_local_slot *t, __u32 k)
{
	return (k - li_local_hash(t[k].family, t[k].addr)) &
	       (LI_LOCAL_SLOTS - 1);
}

/*
 * Walk @e's placement from its home: 1 it fits (or its address is there
 * already: *@dup), 0 some entry would land LI_LOCAL_PROBES or more from
 * its home. With @write, make the moves; without, only look: a slot is
 * read before the walk writes it, so the look sees what the writing walk
 * will, and a refused address leaves the table as it was.
 */
static int walk(struct li_local_slot *t, struct li_local_slot e, int write,
		int *dup)
{
	__u32 k = li_local_hash(e.family, e.addr), d = 0, n, dk;
	int carried = 0; /* an entry of the table's, not @e */

	*dup = 0;
	for (n = 0; n < LI_LOCAL_SLOTS; n++) {
		if (d >= LI_LOCAL_PROBES)
			return 0;
		if (!t[k].family) {
			if (write)
				t[k] = e;
			return 1;
		}
		/* The first entry of an address wins, as in a list. */
		if (!carried && li_local_key_eq(&t[k], e.family, e.addr)) {
			*dup = 1;
			return 1;
		}
		dk = dist(t, k);
		if (dk < d) {
			struct li_local_slot x = t[k];

			if (write)
				t[k] = e;
			e = x;
			d = dk;
			carried = 1;
		}
		k = (k + 1) & (LI_LOCAL_SLOTS - 1);
		d++;
	}
	return 0;
}

int li_local_table_add(struct li_local_slot *t, const struct li_host_addr *a)
{
	struct li_local_slot e = { .family = a->family,
				   .kind = a->bcast ? LI_LOCAL_BCAST :
						      LI_LOCAL_UNICAST };
	int dup;

	if (a->family != 4 && a->family != 6)
		return 0;
	memcpy(e.addr, a->addr, a->family == 6 ? 16 : 4);
	if (!walk(t, e, 0, &dup))
		return -ENOSPC;
	if (!dup)
		walk(t, e, 1, &dup);
	return 0;
}

size_t li_local_table_build(struct li_local_slot *t,
			    const struct li_host_addr *a, size_t n,
			    size_t *first_out)
{
	size_t i, out = 0;

	memset(t, 0, LI_LOCAL_SLOTS * sizeof(*t));
	if (first_out)
		*first_out = n;
	for (i = 0; i < n; i++) {
		if (!li_local_table_add(t, &a[i]))
			continue;
		if (!out++ && first_out)
			*first_out = i;
	}
	return out;
}
