// SPDX-License-Identifier: GPL-2.0
/*
 * The country database reader (objects/geoip.c) on Debian's
 * geoip-database: the networks of a country sorted, disjoint and merged,
 * the edges libGeoIP itself reports, the cache, the country codes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "objects/geoip.h"

#define CC(a, b) ((uint16_t)((a) << 8 | (b)))

static bool contains(const struct geo_net *v, size_t n, ip_u128 ip)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].lo <= ip && ip <= v[i].hi)
			return true;
	return false;
}

static const struct geo_db *debian(const char *path)
{
	const struct geo_db *db;
	char why[160];

	if (access(path, R_OK))
		skip(); /* geoip-database: sh scripts/install-deps.sh */
	assert_int_equal(geo_db_get(path, &db, why, sizeof(why)), 0);
	return db;
}

static void check_sorted(const struct geo_db *db, int family)
{
	const struct geo_net *v = db->nets[family == 6];
	size_t i;

	for (i = 0; i < db->nr[family == 6]; i++) {
		assert_true(v[i].lo <= v[i].hi);
		if (!i)
			continue;
		/* By country, then address; adjoining ones merged. */
		assert_true(v[i - 1].cc <= v[i].cc);
		if (v[i - 1].cc == v[i].cc)
			assert_true(v[i - 1].hi + 1 < v[i].lo);
	}
}

static void test_legacy_v4(void **state)
{
	const struct geo_db *db = debian(GEOIP_DEFAULT_PATH4), *again;
	const struct geo_net *cn;
	char why[160];
	size_t n;

	(void)state;
	assert_true(db->has[0]);
	assert_false(db->has[1]);
	assert_string_equal(db->id.type, "GeoIP legacy country");
	assert_int_equal(strlen(db->id.date), 10);
	check_sorted(db, 4);
	n = geo_db_country(db, 4, CC('C', 'N'), &cn);
	assert_true(n > 1000);
	/* geoiplookup: 1.0.1.0-1.0.3.255 CN, 1.0.0.0/24 and 1.0.4.0 AU. */
	assert_true(contains(cn, n, 0x01000100));
	assert_true(contains(cn, n, 0x010003ff));
	assert_false(contains(cn, n, 0x010000ff));
	assert_false(contains(cn, n, 0x01000400));
	assert_int_equal(geo_db_country(db, 6, CC('C', 'N'), &cn), 0);
	assert_int_equal(geo_db_country(db, 4, CC('Z', 'Z'), &cn), 0);
	assert_null(cn);
	/* Unchanged file: the same database, not read again. */
	assert_int_equal(
		geo_db_get(GEOIP_DEFAULT_PATH4, &again, why, sizeof(why)), 0);
	assert_ptr_equal(again, db);
}

static void test_legacy_v6(void **state)
{
	const struct geo_db *db = debian(GEOIP_DEFAULT_PATH6);
	const struct geo_net *cn;
	ip_u128 p2001_250 = (ip_u128)0x20010250 << 96;
	size_t n, i;

	(void)state;
	assert_true(db->has[1]);
	check_sorted(db, 6);
	n = geo_db_country(db, 6, CC('C', 'N'), &cn);
	assert_true(n > 100);
	assert_true(contains(cn, n, p2001_250));
	assert_false(contains(cn, n, p2001_250 - 1));
	/* The IPv4 aliases are no country's IPv6 networks. */
	for (i = 0; i < db->nr[1]; i++) {
		const struct geo_net *v = &db->nets[1][i];

		assert_false(v->lo <= 0xffffffffu);
		assert_false(v->hi >> 16 == 0xffff && v->lo >> 32 == 0xffff);
		assert_false(v->lo >> 96 == 0x20010000);
		assert_false(v->lo >> 112 == 0x2002);
	}
}

static void test_errors(void **state)
{
	char junk[] = "/tmp/test_geoip.XXXXXX";
	const struct geo_db *db;
	char why[160];
	int fd = mkstemp(junk);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "not a database, not at all\n", 27), 27);
	close(fd);
	assert_int_not_equal(
		geo_db_get("/nonexistent/x.mmdb", &db, why, sizeof(why)), 0);
	assert_string_equal(why, "No such file or directory");
	assert_int_not_equal(geo_db_get("/dev/null", &db, why, sizeof(why)), 0);
	assert_string_equal(why, "not a regular file");
	assert_int_not_equal(geo_db_get(junk, &db, why, sizeof(why)), 0);
	unlink(junk);
	assert_non_null(strstr(why, "neither a MaxMind DB"));
}

static void test_codes(void **state)
{
	uint16_t cc = 0;

	(void)state;
	assert_true(geo_cc_parse("CN", &cc));
	assert_int_equal(cc, CC('C', 'N'));
	assert_true(geo_cc_parse("de", &cc));
	assert_int_equal(cc, CC('D', 'E'));
	assert_true(geo_cc_parse("A1", &cc)); /* libGeoIP's anonymous proxy */
	assert_false(geo_cc_parse("1A", &cc));
	assert_false(geo_cc_parse("C", &cc));
	assert_false(geo_cc_parse("CHN", &cc));
	assert_false(geo_cc_parse("C-", &cc));
	assert_true(geo_legacy_code_known(CC('C', 'N')));
	assert_false(geo_legacy_code_known(CC('Z', 'Z')));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_legacy_v4),
		cmocka_unit_test(test_legacy_v6),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
