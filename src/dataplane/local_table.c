// SPDX-License-Identifier: GPL-2.0
/*
 * Building the locals table of local_slot.h in plain C, once for both
 * executions: the loader copies the result into li_conf's locals, the host
 * matcher reads it in place.
 */
#include "dataplane/local_slot.h"

#include <errno.h>
#include <string.h>

int li_local_table_add(struct li_local_slot *t, const struct li_host_addr *a)
{
	struct li_local_slot e = { .family = a->family,
				   .kind = a->bcast ? LI_LOCAL_BCAST :
						      LI_LOCAL_UNICAST };
	__u32 h, i, k;

	if (a->family != 4 && a->family != 6)
		return 0;
	memcpy(e.addr, a->addr, a->family == 6 ? 16 : 4);
	h = li_local_hash(e.family, e.addr);
	for (i = 0; i < LI_LOCAL_PROBES; i++) {
		k = (h + i) & (LI_LOCAL_SLOTS - 1);
		if (!t[k].family) {
			t[k] = e;
			return 0;
		}
		/* The first entry of an address wins, as in a list. */
		if (li_local_key_eq(&t[k], e.family, e.addr))
			return 0;
	}
	return -ENOSPC;
}

int li_local_table_build(struct li_local_slot *t, const struct li_host_addr *a,
			 size_t n)
{
	size_t i;
	int err = 0;

	memset(t, 0, LI_LOCAL_SLOTS * sizeof(*t));
	for (i = 0; i < n && !err; i++)
		err = li_local_table_add(t, &a[i]);
	return err;
}
