/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Country databases, read whole: every network of every country, sorted
 * by country, so that a geography address is one binary search and a copy.
 * Two formats: MaxMind DB (.mmdb: GeoLite2/GeoIP2 Country, DB-IP, read
 * with libmaxminddb) and the legacy GeoIP country format Debian's
 * geoip-database ships (GeoIP.dat, GeoIPv6.dat, read with libGeoIP).
 * Neither library lists the networks of a country: the mmdb search tree
 * is walked node by node (MMDB_read_node), the legacy one range after
 * range (each lookup says the prefix length of the network it ended in).
 */
#ifndef LOCALIN_OBJECTS_GEOIP_H
#define LOCALIN_OBJECTS_GEOIP_H

#include <stddef.h>
#include <stdint.h>

#include "objects/objects.h"

/* Debian's geoip-database. */
#define GEOIP_DEFAULT_PATH4 "/usr/share/GeoIP/GeoIP.dat"
#define GEOIP_DEFAULT_PATH6 "/usr/share/GeoIP/GeoIPv6.dat"

enum geo_kind { GEO_LEGACY, GEO_MMDB };

struct geo_net {
	ip_u128 lo, hi;
	uint16_t cc; /* two ASCII letters, first in the high byte */
};

struct geo_db {
	char *path;
	struct obj_geoip_file id; /* what obj_geoip_file says of it */
	enum geo_kind kind;
	bool legacy_codes;	 /* libGeoIP's table of codes applies */
	struct geo_net *nets[2]; /* [0] IPv4, [1] IPv6; by cc, then lo */
	size_t nr[2];
	bool has[2]; /* the file holds that family at all */
};

/*
 * The database at @path, read once and kept while the file is unchanged
 * (same inode, size and mtime): a reload of the config does not read it
 * again. 0, or -errno with the reason in @err. The result stays valid
 * until the next call.
 */
int geo_db_get(const char *path, const struct geo_db **out, char *err,
	       size_t size);

/* The networks of @cc in family @family (4 or 6): a run of @db's array. */
size_t geo_db_country(const struct geo_db *db, int family, uint16_t cc,
		      const struct geo_net **first);

/* Is @cc a code libGeoIP knows (its fixed table)? */
bool geo_legacy_code_known(uint16_t cc);

/* "CN" -> its uint16_t, upper-cased; false if not two ASCII letters. */
bool geo_cc_parse(const char *s, uint16_t *cc);

#endif
