// SPDX-License-Identifier: GPL-2.0
/*
 * The SA registry (ipsec/sa_registry.h): merging sources, the grace
 * period, resyncs, a source going down, ids, and the table against a
 * plain reference under a random storm of adds and deletes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/sa_table.h"
#include "ipsec/sa_registry.h"

static struct sa_entry sa4(__u32 dst, __u32 spi, __u8 dir)
{
	struct sa_entry e = { .family = 4, .spi = spi, .dir = dir };

	e.daddr[0] = dst;
	e.has_peer = 1;
	e.peer[0] = dst ^ 0xff;
	return e;
}

static bool live(const struct sa_registry *r, __u32 dst, __u32 spi)
{
	const struct sa_record *rec = sa_registry_find(r, 4, &dst, spi);

	return rec && !rec->gone_ms;
}

static bool known(const struct sa_registry *r, __u32 dst, __u32 spi)
{
	return sa_registry_find(r, 4, &dst, spi) != NULL;
}

static void test_grace(void **state)
{
	struct sa_registry r;
	struct sa_entry a = sa4(1, 0x100, SA_DIR_IN);

	(void)state;
	assert_int_equal(sa_registry_init(&r, 10), 0);
	sa_registry_event(&r, 0, SA_EV_ADD, &a, 1000);
	assert_true(live(&r, 1, 0x100));
	assert_true(r.dirty);
	sa_registry_event(&r, 0, SA_EV_DEL, &a, 2000);
	assert_false(live(&r, 1, 0x100));
	assert_true(known(&r, 1, 0x100)); /* in the grace period */
	assert_int_equal(sa_registry_timeout_ms(&r, 2000), 10000);
	assert_false(sa_registry_expire(&r, 11999));
	assert_true(known(&r, 1, 0x100));
	assert_true(sa_registry_expire(&r, 12000));
	assert_false(known(&r, 1, 0x100));
	assert_int_equal(sa_registry_timeout_ms(&r, 12000), -1);
	/* Deleted and added again within the grace period: live again. */
	sa_registry_event(&r, 0, SA_EV_ADD, &a, 13000);
	sa_registry_event(&r, 0, SA_EV_DEL, &a, 14000);
	sa_registry_event(&r, 0, SA_EV_ADD, &a, 15000);
	assert_false(sa_registry_expire(&r, 30000));
	assert_true(live(&r, 1, 0x100));
	sa_registry_free(&r);
}

static void test_two_sources(void **state)
{
	struct sa_registry r;
	struct sa_entry a = sa4(1, 0x100, SA_DIR_UNKNOWN), b = a;
	const struct sa_record *rec;

	(void)state;
	assert_int_equal(sa_registry_init(&r, 5), 0);
	strcpy(b.tunnel, "lab");
	b.dir = SA_DIR_IN;
	sa_registry_event(&r, 0, SA_EV_ADD, &a, 0); /* XFRM: no name */
	sa_registry_event(&r, 1, SA_EV_ADD, &b, 0); /* VICI: the name */
	rec = sa_registry_find(&r, 4, a.daddr, a.spi);
	assert_non_null(rec);
	assert_string_equal(rec->sa.tunnel, "lab");
	assert_int_equal(rec->sa.dir, SA_DIR_IN);
	assert_int_equal(r.nr, 1);
	/* One source deletes it: the other still reports it. */
	sa_registry_event(&r, 0, SA_EV_DEL, &a, 100);
	assert_true(live(&r, 1, 0x100));
	sa_registry_event(&r, 1, SA_EV_DEL, &b, 200);
	assert_false(live(&r, 1, 0x100));
	/* A source forgotten (removed from the config): its SAs in grace. */
	sa_registry_event(&r, 2, SA_EV_ADD, &a, 300);
	sa_registry_forget_source(&r, 2, 400);
	assert_false(live(&r, 1, 0x100));
	assert_true(sa_registry_expire(&r, 5400));
	assert_int_equal(r.nr, 0);
	sa_registry_free(&r);
}

static void test_resync_and_down(void **state)
{
	struct sa_registry r;
	struct sa_entry a = sa4(1, 0x100, SA_DIR_IN), b = sa4(1, 0x200, 1);

	(void)state;
	assert_int_equal(sa_registry_init(&r, 30), 0);
	sa_registry_event(&r, 0, SA_EV_SYNC_BEGIN, NULL, 0);
	sa_registry_event(&r, 0, SA_EV_ADD, &a, 0);
	sa_registry_event(&r, 0, SA_EV_ADD, &b, 0);
	sa_registry_event(&r, 0, SA_EV_SYNC_END, NULL, 0);
	/* Down: nothing changes, however long it stays down. */
	sa_registry_event(&r, 0, SA_EV_DOWN, NULL, 1000);
	assert_false(sa_registry_expire(&r, 1000000));
	assert_true(live(&r, 1, 0x100) && live(&r, 1, 0x200));
	/* Back: the listing has only b; a ages out after the grace period. */
	sa_registry_event(&r, 0, SA_EV_SYNC_BEGIN, NULL, 2000000);
	sa_registry_event(&r, 0, SA_EV_ADD, &b, 2000000);
	sa_registry_event(&r, 0, SA_EV_SYNC_END, NULL, 2000000);
	assert_false(live(&r, 1, 0x100));
	assert_true(known(&r, 1, 0x100));
	assert_true(live(&r, 1, 0x200));
	assert_true(sa_registry_expire(&r, 2030000));
	assert_false(known(&r, 1, 0x100));
	assert_true(live(&r, 1, 0x200));
	/* A SYNC_END without its SYNC_BEGIN (a lost race) removes nothing. */
	sa_registry_event(&r, 0, SA_EV_SYNC_END, NULL, 2040000);
	assert_true(live(&r, 1, 0x200));
	sa_registry_free(&r);
}

static void test_slots_and_ids(void **state)
{
	struct sa_registry r;
	struct sa_entry in = sa4(1, 0x100, SA_DIR_IN);
	struct sa_entry out = sa4(2, 0x101, SA_DIR_OUT);
	struct li_sa_slot *e;
	__u32 *fresh;
	size_t n, nf;

	(void)state;
	assert_int_equal(sa_registry_init(&r, 30), 0);
	sa_registry_event(&r, 0, SA_EV_ADD, &in, 0);
	sa_registry_event(&r, 0, SA_EV_ADD, &out, 0);
	assert_int_equal(sa_registry_slots(&r, 0, &e, &n, &fresh, &nf), 0);
	/* Outbound SAs are shown, never checked against; the peer's slot. */
	assert_int_equal(n, 2);
	assert_int_equal(e[0].spi, 0x100);
	assert_int_equal(e[0].has_peer, 1);
	assert_int_equal(e[0].peer, 1 ^ 0xff);
	assert_int_equal(e[1].spi, LI_SA_PEER_SPI);
	assert_int_equal(e[1].daddr[0], 1 ^ 0xff);
	assert_int_equal(e[1].id, LI_SA_ID_UNVERIFIED);
	assert_int_equal(e[1].flags, 0);
	assert_int_equal(nf, 2);
	assert_int_not_equal(fresh[0], fresh[1]);
	free(e);
	free(fresh);
	/* Announced once. */
	assert_int_equal(sa_registry_slots(&r, 0, &e, &n, &fresh, &nf), 0);
	assert_int_equal(nf, 0);
	free(e);
	free(fresh);
	/* Two SAs of one peer: one slot; its source down: flagged. */
	in.spi = 0x102;
	sa_registry_event(&r, 0, SA_EV_ADD, &in, 0);
	assert_int_equal(sa_registry_slots(&r, 1u << 0, &e, &n, &fresh, &nf),
			 0);
	assert_int_equal(n, 3);
	assert_int_equal(e[2].spi, LI_SA_PEER_SPI);
	assert_int_equal(e[2].flags, LI_SA_F_DOWN);
	free(e);
	free(fresh);
	/* Another source down: not flagged. */
	assert_int_equal(sa_registry_slots(&r, 1u << 1, &e, &n, &fresh, &nf),
			 0);
	assert_int_equal(n, 3);
	assert_int_equal(e[2].flags, 0);
	free(e);
	free(fresh);
	sa_registry_free(&r);
}

/*
 * 200k random adds and deletes over 3000 keys from three sources, against
 * a plain array: the open-addressing table with backward-shift deletion
 * must always agree, and ids must stay unique.
 */
#define NKEYS 3000
/*
 * A full table refuses an SA: the source is marked (sas.c suspends the
 * check) until a listing of it has no refusal. Another source's marks
 * are its own.
 */
static void test_refused(void **state)
{
	struct sa_registry r;
	struct sa_entry e;
	__u32 i;

	(void)state;
	assert_int_equal(sa_registry_init(&r, 1), 0);
	sa_registry_event(&r, 0, SA_EV_SYNC_BEGIN, NULL, 1000);
	for (i = 0; i < LI_SA_ID_UNVERIFIED + 2; i++) {
		e = sa4(1, 0x1000 + i, SA_DIR_IN);
		sa_registry_event(&r, 0, SA_EV_ADD, &e, 1000);
	}
	e = sa4(2, 0x100, SA_DIR_IN);
	sa_registry_event(&r, 1, SA_EV_ADD, &e, 1000);
	sa_registry_event(&r, 0, SA_EV_SYNC_END, NULL, 1000);
	assert_true(r.full);
	assert_int_equal(r.refused_mask, 3u);
	/* Listed again, still too many: still marked. */
	sa_registry_event(&r, 0, SA_EV_SYNC_BEGIN, NULL, 2000);
	for (i = 0; i < LI_SA_ID_UNVERIFIED + 2; i++) {
		e = sa4(1, 0x1000 + i, SA_DIR_IN);
		sa_registry_event(&r, 0, SA_EV_ADD, &e, 2000);
	}
	sa_registry_event(&r, 0, SA_EV_SYNC_END, NULL, 2000);
	assert_int_equal(r.refused_mask & 1u, 1u);
	/* A listing of ten, all in the table: nothing of it refused. */
	sa_registry_event(&r, 0, SA_EV_SYNC_BEGIN, NULL, 3000);
	for (i = 0; i < 10; i++) {
		e = sa4(1, 0x1000 + i, SA_DIR_IN);
		sa_registry_event(&r, 0, SA_EV_ADD, &e, 3000);
	}
	r.dirty = false;
	sa_registry_event(&r, 0, SA_EV_SYNC_END, NULL, 3000);
	assert_int_equal(r.refused_mask, 2u);
	assert_true(r.dirty);
	assert_true(r.full);
	/* Source 1 removed from the config: its mark goes with it. */
	sa_registry_forget_source(&r, 1, 5000);
	assert_int_equal(r.refused_mask, 0u);
	assert_false(r.full);
	sa_registry_free(&r);
}

static void test_random_storm(void **state)
{
	static __u32 ref[NKEYS]; /* bitmask of sources */
	static __u8 id_seen[LI_SAS_MAX];
	struct sa_registry r;
	unsigned int seed = 12345, i, k, s;
	size_t j, count;

	(void)state;
	assert_int_equal(sa_registry_init(&r, 0), 0);
	memset(ref, 0, sizeof(ref));
	for (i = 0; i < 200000; i++) {
		struct sa_entry e;

		k = (unsigned int)rand_r(&seed) % NKEYS;
		s = (unsigned int)rand_r(&seed) % 3;
		e = sa4(k % 7, k, SA_DIR_IN);
		if (rand_r(&seed) % 2) {
			sa_registry_event(&r, s, SA_EV_ADD, &e, i);
			ref[k] |= 1u << s;
		} else {
			sa_registry_event(&r, s, SA_EV_DEL, &e, i);
			ref[k] &= ~(1u << s);
		}
		if (i % 1000 == 999) {
			/* grace 0: everything gone is removed at once */
			sa_registry_expire(&r, i + 1);
			for (k = 0; k < NKEYS; k++) {
				__u32 dst = k % 7;

				assert_int_equal(known(&r, dst, k), !!ref[k]);
			}
		}
	}
	sa_registry_expire(&r, i + 1);
	memset(id_seen, 0, sizeof(id_seen));
	for (j = 0, count = 0; j < r.size; j++) {
		if (!r.slots[j].sa.family)
			continue;
		count++;
		assert_int_equal(id_seen[r.slots[j].id], 0);
		id_seen[r.slots[j].id] = 1;
	}
	assert_int_equal(count, r.nr);
	sa_registry_free(&r);
}

/*
 * The NAT-T ports of the records: an in SA's destination port, an out
 * SA's source port (the gateway's end of both), kept through the grace
 * period, gone with the record; past LI_NATT_EXTRA the first left out is
 * named.
 */
/*
 * A burst of 2,000 SAs gone, its grace over: the table is back to its
 * least size (it stayed at 4,096 slots, the burst's, until a restart),
 * and the SAs that stay are found, with their ids.
 */
static void test_shrinks_after_burst(void **state)
{
	struct sa_registry r;
	struct sa_entry e;
	__u32 keep_id[4], i;

	(void)state;
	assert_int_equal(sa_registry_init(&r, 1), 0);
	for (i = 0; i < 2004; i++) {
		e = sa4(1, 0x1000 + i, SA_DIR_IN);
		sa_registry_event(&r, 0, SA_EV_ADD, &e, 1000);
	}
	assert_true(r.size >= 4096);
	for (i = 0; i < 4; i++)
		keep_id[i] =
			sa_registry_find(&r, 4, &(__u32){ 1 }, 0x1000 + i)->id;
	for (i = 4; i < 2004; i++) {
		e = sa4(1, 0x1000 + i, SA_DIR_IN);
		sa_registry_event(&r, 0, SA_EV_DEL, &e, 2000);
	}
	assert_true(sa_registry_expire(&r, 3000));
	assert_int_equal(r.nr, 4);
	assert_int_equal(r.size, 64);
	for (i = 0; i < 4; i++) {
		const struct sa_record *rec =
			sa_registry_find(&r, 4, &(__u32){ 1 }, 0x1000 + i);

		assert_non_null(rec);
		assert_int_equal(rec->id, keep_id[i]);
	}
	assert_false(known(&r, 1, 0x1000 + 4));
	/* And grows again. */
	for (i = 0; i < 200; i++) {
		e = sa4(2, 0x1000 + i, SA_DIR_IN);
		sa_registry_event(&r, 0, SA_EV_ADD, &e, 4000);
	}
	assert_int_equal(r.nr, 204);
	assert_true(live(&r, 2, 0x1000 + 199) && live(&r, 1, 0x1000));
	sa_registry_free(&r);
}

static void test_natt(void **state)
{
	struct sa_registry r;
	struct sa_entry in = sa4(1, 0x100, SA_DIR_IN),
			out = sa4(2, 0x200, SA_DIR_OUT);
	struct li_natt n;
	__u16 over;
	int i;

	(void)state;
	assert_int_equal(sa_registry_init(&r, 10), 0);
	in.encap = out.encap = 1;
	in.encap_sport = 61000;
	in.encap_dport = 4501;
	out.encap_sport = 4502;
	out.encap_dport = 61000;
	sa_registry_event(&r, 0, SA_EV_ADD, &in, 1000);
	sa_registry_event(&r, 0, SA_EV_ADD, &out, 1000);
	assert_int_equal(sa_registry_natt(&r, &n, &over), 0);
	assert_int_equal(over, 0);
	for (i = 0; i < LI_NATT_EXTRA; i++)
		assert_true(n.port[i] == 4501 || n.port[i] == 4502 ||
			    n.port[i] == 4500);
	assert_true(n.port[0] != n.port[1]);
	sa_registry_event(&r, 0, SA_EV_DEL, &in, 2000);
	assert_int_equal(sa_registry_natt(&r, &n, &over), 0);
	assert_true(n.port[0] == 4501 || n.port[1] == 4501); /* grace */
	assert_true(sa_registry_expire(&r, 12000));
	assert_int_equal(sa_registry_natt(&r, &n, &over), 0);
	for (i = 0; i < LI_NATT_EXTRA; i++)
		assert_int_not_equal(n.port[i], 4501);
	for (i = 0; i < LI_NATT_EXTRA; i++) {
		struct sa_entry e = sa4(3, 0x300 + (__u32)i, SA_DIR_IN);

		e.encap = 1;
		e.encap_dport = (__u16)(5000 + i);
		sa_registry_event(&r, 0, SA_EV_ADD, &e, 13000);
	}
	assert_int_equal(sa_registry_natt(&r, &n, &over), 1);
	assert_true(over == 4502 || (over >= 5000 && over < 5004));
	sa_registry_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grace),
		cmocka_unit_test(test_two_sources),
		cmocka_unit_test(test_resync_and_down),
		cmocka_unit_test(test_slots_and_ids),
		cmocka_unit_test(test_random_storm),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_natt),
		cmocka_unit_test(test_shrinks_after_burst),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
