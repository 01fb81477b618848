// SPDX-License-Identifier: GPL-2.0
/*
 * Country databases read whole (geoip.h). Both readers are bounded by the
 * file: a damaged tree ends the walk with an error, never a loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <GeoIP.h>
#include <maxminddb.h>

#include "objects/geoip.h"

#define GEO_CACHE 4 /* databases kept: two families, and their successors */

static struct geo_db *cache[GEO_CACHE];
static unsigned int cache_next;

struct net_list {
	struct geo_net *v;
	size_t nr, cap;
};

static ip_u128 fam_max(int family)
{
	return family == 6 ? ~(ip_u128)0 : (ip_u128)0xffffffffu;
}

/* A host mask of @bits - @len bits (len <= bits). */
static ip_u128 host_mask(unsigned int bits, unsigned int len)
{
	unsigned int n = bits - len;

	return n >= 128 ? ~(ip_u128)0 : (((ip_u128)1 << n) - 1);
}

/* Append, merged with the last network when they adjoin (same country). */
static int net_add(struct net_list *l, ip_u128 lo, ip_u128 hi, uint16_t cc)
{
	struct geo_net *last = l->nr ? &l->v[l->nr - 1] : NULL;

	if (last && last->cc == cc && last->hi + 1 == lo && last->hi < lo) {
		last->hi = hi;
		return 0;
	}
	if (l->nr == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4096;
		struct geo_net *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->nr++] = (struct geo_net){ .lo = lo, .hi = hi, .cc = cc };
	return 0;
}

static int net_cmp(const void *pa, const void *pb)
{
	const struct geo_net *a = pa, *b = pb;

	if (a->cc != b->cc)
		return a->cc < b->cc ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return 0;
}

/* By country, then address; networks that adjoin merged. */
static void net_finish(struct net_list *l)
{
	size_t i, n = 0;

	if (!l->nr)
		return;
	qsort(l->v, l->nr, sizeof(*l->v), net_cmp);
	for (i = 1; i < l->nr; i++) {
		struct geo_net *last = &l->v[n];

		if (l->v[i].cc == last->cc && last->hi < l->v[i].lo &&
		    last->hi + 1 == l->v[i].lo)
			last->hi = l->v[i].hi;
		else
			l->v[++n] = l->v[i];
	}
	l->nr = n + 1;
}

bool geo_cc_parse(const char *s, uint16_t *cc)
{
	unsigned char c[2];
	int i;

	if (!s || strlen(s) != 2)
		return false;
	/* ISO 3166 letters; libGeoIP's A1, A2, O1 have a digit. */
	for (i = 0; i < 2; i++) {
		c[i] = (unsigned char)s[i];
		if (c[i] >= 'a' && c[i] <= 'z')
			c[i] -= 'a' - 'A';
		if (!(c[i] >= 'A' && c[i] <= 'Z') &&
		    !(i && c[i] >= '0' && c[i] <= '9'))
			return false;
	}
	*cc = (uint16_t)(c[0] << 8 | c[1]);
	return true;
}

static bool cc_of_text(const char *s, size_t len, uint16_t *cc)
{
	char buf[3];

	if (len != 2)
		return false;
	buf[0] = s[0];
	buf[1] = s[1];
	buf[2] = '\0';
	return geo_cc_parse(buf, cc);
}

bool geo_legacy_code_known(uint16_t cc)
{
	char buf[3] = { (char)(cc >> 8), (char)(cc & 0xff), '\0' };

	return GeoIP_id_by_code(buf) > 0;
}

static void date_of_epoch(uint64_t epoch, char out[16])
{
	time_t t = (time_t)epoch;
	struct tm tm;

	out[0] = '\0';
	if (epoch && gmtime_r(&t, &tm))
		strftime(out, 16, "%Y-%m-%d", &tm);
}

/* ---- legacy GeoIP ---- */

/*
 * libGeoIP takes any file for a country database (a file without its
 * structure-info marker, three 0xff bytes near the end, defaults to that
 * edition): ask for the marker first, so that junk is an error.
 */
static bool legacy_marker(const char *path)
{
	unsigned char buf[23];
	bool found = false;
	ssize_t n;
	off_t at;
	int fd = open(path, O_RDONLY | O_CLOEXEC), i;

	if (fd < 0)
		return false;
	at = lseek(fd, 0, SEEK_END);
	if (at >= (off_t)sizeof(buf)) {
		n = pread(fd, buf, sizeof(buf), at - (off_t)sizeof(buf));
		for (i = (int)n - 4; i >= 0 && !found; i--)
			found = buf[i] == 0xff && buf[i + 1] == 0xff &&
				buf[i + 2] == 0xff;
	}
	close(fd);
	return found;
}

/* "GEO-106FREE 20191224 Build 1 ..." -> "2019-12-24" */
static void legacy_date(const char *info, char out[16])
{
	const char *p;

	out[0] = '\0';
	for (p = info; p && *p; p++) {
		if (strspn(p, "0123456789") == 8 &&
		    (p == info || p[-1] == ' ')) {
			snprintf(out, 16, "%.4s-%.2s-%.2s", p, p + 4, p + 6);
			return;
		}
	}
}

/* One lookup: the country id at @ip and the prefix length it ended at. */
static int legacy_lookup(GeoIP *gi, int family, ip_u128 ip, int *netmask)
{
	GeoIPLookup gl = { 0 };
	geoipv6_t a;
	int id, i;

	if (family == 4) {
		id = GeoIP_id_by_ipnum_gl(gi, (unsigned long)ip, &gl);
	} else {
		for (i = 0; i < 16; i++)
			a.s6_addr[i] = (uint8_t)(ip >> (8 * (15 - i)));
		id = GeoIP_id_by_ipnum_v6_gl(gi, a, &gl);
	}
	*netmask = gl.netmask;
	return id;
}

/*
 * IPv6 prefixes that stand for IPv4 addresses (IPv4-compatible, -mapped,
 * Teredo, 6to4): databases point them at their IPv4 tree again. They are
 * not IPv6 networks of a country, and walked range by range they would
 * list the IPv4 tree four more times.
 */
static const struct {
	uint64_t hi, lo; /* the prefix's two halves */
	unsigned int len;
} v4_aliases[] = {
	{ 0, 0, 96 },			  /* ::/96 */
	{ 0, 0xffff00000000ull, 96 },	  /* ::ffff:0:0/96 */
	{ 0x2001000000000000ull, 0, 32 }, /* Teredo */
	{ 0x2002000000000000ull, 0, 16 }, /* 6to4 */
};

static ip_u128 alias_lo(size_t i)
{
	return (ip_u128)v4_aliases[i].hi << 64 | v4_aliases[i].lo;
}

/* Is [@lo, @hi] inside one of the aliases? */
static bool in_alias(ip_u128 lo, ip_u128 hi)
{
	size_t i;

	for (i = 0; i < sizeof(v4_aliases) / sizeof(v4_aliases[0]); i++) {
		ip_u128 a = alias_lo(i);

		if (lo >= a && hi <= (a | host_mask(128, v4_aliases[i].len)))
			return true;
	}
	return false;
}

/* Past the alias @ip is in, or @ip; and @end cut before the next one. */
static ip_u128 skip_aliases(ip_u128 ip, ip_u128 *end)
{
	size_t i;

	for (i = 0; i < sizeof(v4_aliases) / sizeof(v4_aliases[0]); i++) {
		ip_u128 lo = alias_lo(i),
			hi = lo | host_mask(128, v4_aliases[i].len);

		if (!end && ip >= lo && ip <= hi)
			return hi == ~(ip_u128)0 ? hi : hi + 1;
		if (end && lo > ip && lo <= *end)
			*end = lo - 1;
	}
	return ip;
}

static int legacy_walk(GeoIP *gi, int family, size_t limit, struct net_list *l,
		       char *err, size_t size)
{
	unsigned int bits = family == 6 ? 128 : 32;
	ip_u128 ip = 0, max = fam_max(family), end, q, host;
	size_t steps = 0;
	int id, nm, e;

	for (;;) {
		if (family == 6) {
			ip_u128 past = skip_aliases(ip, NULL);

			while (past != ip) {
				ip = past;
				past = skip_aliases(ip, NULL);
			}
		}
		/* libGeoIP answers nothing for address 0: ask for 1. */
		q = ip ? ip : 1;
		id = legacy_lookup(gi, family, q, &nm);
		if (nm < 1 || nm > (int)bits || ++steps > limit) {
			snprintf(err, size, "its search tree is damaged");
			return -EINVAL;
		}
		host = host_mask(bits, (unsigned int)nm);
		if ((q & ~host) > ip) { /* 1/32 (or /128): 0 is a leaf alone */
			ip = q;
			continue;
		}
		end = q | host;
		if (family == 6)
			skip_aliases(ip, &end);
		if (id > 0) {
			const char *code = GeoIP_code_by_id(id);
			uint16_t cc;

			if (code && cc_of_text(code, strlen(code), &cc)) {
				e = net_add(l, ip, end, cc);
				if (e)
					return e;
			}
		}
		if (end >= max)
			return 0;
		ip = end + 1;
	}
}

static int legacy_load(struct geo_db *db, char *err, size_t size)
{
	struct net_list l = { 0 };
	char *info;
	GeoIP *gi;
	int family, e;

	if (!legacy_marker(db->path)) {
		snprintf(
			err, size,
			"neither a MaxMind DB (.mmdb) nor a GeoIP legacy database");
		return -EINVAL;
	}
	gi = GeoIP_open(db->path, GEOIP_MEMORY_CACHE | GEOIP_SILENCE);
	if (!gi) {
		snprintf(err, size, "libGeoIP cannot open it");
		return -EINVAL;
	}
	switch (GeoIP_database_edition(gi)) {
	case GEOIP_COUNTRY_EDITION:
		family = 4;
		break;
	case GEOIP_COUNTRY_EDITION_V6:
		family = 6;
		break;
	default:
		snprintf(
			err, size,
			"a GeoIP legacy database of edition %d, not a country database",
			GeoIP_database_edition(gi));
		GeoIP_delete(gi);
		return -EINVAL;
	}
	info = GeoIP_database_info(gi);
	legacy_date(info, db->id.date);
	free(info);
	snprintf(db->id.type, sizeof(db->id.type), "GeoIP legacy country%s",
		 family == 6 ? " IPv6" : "");
	/* Every range is a leaf of the tree: at most one per 3 bytes. */
	e = legacy_walk(gi, family, (size_t)db->id.size / 3 + 2, &l, err, size);
	GeoIP_delete(gi);
	if (e) {
		free(l.v);
		return e;
	}
	net_finish(&l);
	db->kind = GEO_LEGACY;
	db->legacy_codes = true;
	db->has[family == 6] = true;
	db->nets[family == 6] = l.v;
	db->nr[family == 6] = l.nr;
	return 0;
}

/* ---- MaxMind DB ---- */

#define CC_CACHE 4096 /* data records by offset: one per country, mostly */

struct mm_walk {
	const MMDB_s *mmdb;
	uint32_t skip; /* the IPv4 subtree, walked on its own; or ~0 */
	size_t visits; /* search nodes read, against the node count */
	struct {
		uint32_t offset; /* + 1; 0: free */
		uint16_t cc;	 /* 0: no country */
	} cc_cache[CC_CACHE];
};

/* The record's country: country.iso_code, else registered_country's. */
static int mm_country(struct mm_walk *w, MMDB_entry_s *entry, uint16_t *cc)
{
	static const char *const paths[2] = { "country", "registered_country" };
	unsigned int slot = (entry->offset * 2654435761u) % CC_CACHE, i;
	MMDB_entry_data_s d;
	int e;

	if (w->cc_cache[slot].offset == entry->offset + 1) {
		*cc = w->cc_cache[slot].cc;
		return 0;
	}
	*cc = 0;
	for (i = 0; i < 2 && !*cc; i++) {
		e = MMDB_get_value(entry, &d, paths[i], "iso_code", NULL);
		if (e == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR ||
		    e == MMDB_INVALID_LOOKUP_PATH_ERROR)
			continue;
		if (e != MMDB_SUCCESS)
			return -EINVAL;
		if (d.has_data && d.type == MMDB_DATA_TYPE_UTF8_STRING)
			cc_of_text(d.utf8_string, d.data_size, cc);
	}
	w->cc_cache[slot].offset = entry->offset + 1;
	w->cc_cache[slot].cc = *cc;
	return 0;
}

struct mm_frame {
	uint32_t node;
	unsigned int depth; /* bits above this node */
	ip_u128 prefix;
};

static int mm_record(struct mm_walk *w, uint64_t rec, uint8_t type,
		     MMDB_entry_s *entry, const struct mm_frame *at,
		     unsigned int bits, struct mm_frame *stack, size_t *sp,
		     struct net_list *l)
{
	unsigned int len = at->depth + 1;
	ip_u128 prefix = at->prefix;
	uint16_t cc;
	int e;

	if (type == MMDB_RECORD_TYPE_EMPTY)
		return 0;
	/*
	 * The IPv4 subtree and its aliases: by node (the writer points them
	 * at the IPv4 tree), and by address in a file that copied them.
	 */
	if (bits == 128 && in_alias(prefix, prefix | host_mask(bits, len)))
		return 0;
	if (type == MMDB_RECORD_TYPE_SEARCH_NODE) {
		if (rec == w->skip)
			return 0;
		if (len >= bits)
			return -EINVAL; /* deeper than an address */
		stack[(*sp)++] = (struct mm_frame){ .node = (uint32_t)rec,
						    .depth = len,
						    .prefix = prefix };
		return 0;
	}
	if (type != MMDB_RECORD_TYPE_DATA)
		return -EINVAL;
	e = mm_country(w, entry, &cc);
	if (e || !cc)
		return e;
	return net_add(l, prefix, prefix | host_mask(bits, len), cc);
}

/*
 * Depth first from @root, @bits wide. The stack holds at most one
 * pending right child per level; every node is read once (the tree is a
 * tree but for the IPv4 aliases, skipped), so the node count bounds it.
 */
static int mm_walk(struct mm_walk *w, uint32_t root, unsigned int bits,
		   struct net_list *l)
{
	struct mm_frame stack[2 * 129 + 2];
	size_t sp = 0;
	int e;

	stack[sp++] = (struct mm_frame){ .node = root };
	while (sp) {
		struct mm_frame at = stack[--sp], left = at;
		MMDB_search_node_s n;

		if (++w->visits > (size_t)w->mmdb->metadata.node_count + 1)
			return -EINVAL;
		if (MMDB_read_node(w->mmdb, at.node, &n) != MMDB_SUCCESS)
			return -EINVAL;
		/* Right pushed first: the left subtree comes out first. */
		at.prefix |= (ip_u128)1 << (bits - at.depth - 1);
		e = mm_record(w, n.right_record, n.right_record_type,
			      &n.right_record_entry, &at, bits, stack, &sp, l);
		if (!e)
			e = mm_record(w, n.left_record, n.left_record_type,
				      &n.left_record_entry, &left, bits, stack,
				      &sp, l);
		if (e)
			return e;
	}
	return 0;
}

/*
 * An IPv6 database holds IPv4 under ::/96: the node 96 left turns down,
 * or a record above it that covers all of IPv4 (empty or one country).
 */
static int mm_ipv4_start(const MMDB_s *mmdb, uint32_t *node, uint64_t *rec,
			 uint8_t *type, MMDB_entry_s *entry)
{
	MMDB_search_node_s n;
	uint32_t at = 0;
	int i;

	for (i = 0; i < 96; i++) {
		if (MMDB_read_node(mmdb, at, &n) != MMDB_SUCCESS)
			return -EINVAL;
		if (n.left_record_type != MMDB_RECORD_TYPE_SEARCH_NODE) {
			*rec = n.left_record;
			*type = n.left_record_type;
			*entry = n.left_record_entry;
			*node = UINT32_MAX;
			return 0;
		}
		at = (uint32_t)n.left_record;
	}
	*node = at;
	return 0;
}

static int mmdb_walk_all(struct geo_db *db, const MMDB_s *mmdb,
			 struct net_list *l4, struct net_list *l6)
{
	struct mm_walk *w = calloc(1, sizeof(*w));
	uint32_t v4 = 0;
	int e = 0;

	if (!w)
		return -ENOMEM;
	w->mmdb = mmdb;
	w->skip = UINT32_MAX;
	if (mmdb->metadata.ip_version == 6) {
		MMDB_entry_s entry;
		uint64_t rec = 0;
		uint8_t type = MMDB_RECORD_TYPE_EMPTY;
		uint16_t cc = 0;

		e = mm_ipv4_start(mmdb, &v4, &rec, &type, &entry);
		if (!e && v4 == UINT32_MAX && type == MMDB_RECORD_TYPE_DATA)
			e = mm_country(w, &entry, &cc);
		if (!e && cc)
			e = net_add(l4, 0, fam_max(4), cc);
		if (!e && v4 != UINT32_MAX) {
			w->skip = v4;
			e = mm_walk(w, 0, 128, l6);
		} else if (!e) {
			e = mm_walk(w, 0, 128, l6);
		}
		db->has[1] = true;
	}
	if (!e && v4 != UINT32_MAX) {
		w->skip = UINT32_MAX;
		e = mm_walk(w, v4, 32, l4);
	}
	db->has[0] = true;
	free(w);
	return e;
}

static int mmdb_load(struct geo_db *db, MMDB_s *mmdb, char *err, size_t size)
{
	struct net_list l[2] = { 0 };
	int e, i;

	if (mmdb->metadata.ip_version != 4 && mmdb->metadata.ip_version != 6) {
		snprintf(err, size, "a MaxMind DB of IP version %u",
			 mmdb->metadata.ip_version);
		return -EINVAL;
	}
	snprintf(db->id.type, sizeof(db->id.type), "%s",
		 mmdb->metadata.database_type ?: "MaxMind DB");
	date_of_epoch(mmdb->metadata.build_epoch, db->id.date);
	e = mmdb_walk_all(db, mmdb, &l[0], &l[1]);
	if (e) {
		free(l[0].v);
		free(l[1].v);
		if (e == -EINVAL)
			snprintf(err, size, "its search tree is damaged");
		return e;
	}
	for (i = 0; i < 2; i++) {
		net_finish(&l[i]);
		db->nets[i] = l[i].v;
		db->nr[i] = l[i].nr;
	}
	db->kind = GEO_MMDB;
	return 0;
}

/* ---- the cache ---- */

static void db_free(struct geo_db *db)
{
	if (!db)
		return;
	free(db->nets[0]);
	free(db->nets[1]);
	free(db->path);
	free(db);
}

static void id_of_stat(struct obj_geoip_file *id, const struct stat *st)
{
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	id->size = (uint64_t)st->st_size;
	id->mtime_ns =
		(int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

static int db_load(const char *path, const struct stat *st, struct geo_db **out,
		   char *err, size_t size)
{
	struct geo_db *db = calloc(1, sizeof(*db));
	MMDB_s mmdb;
	int e;

	if (!db || !(db->path = strdup(path))) {
		free(db);
		return -ENOMEM;
	}
	id_of_stat(&db->id, st);
	e = MMDB_open(path, MMDB_MODE_MMAP, &mmdb);
	if (e == MMDB_SUCCESS) {
		e = mmdb_load(db, &mmdb, err, size);
		MMDB_close(&mmdb);
	} else if (e == MMDB_FILE_OPEN_ERROR || e == MMDB_IO_ERROR) {
		snprintf(err, size, "%s", MMDB_strerror(e));
		e = -EIO;
	} else {
		e = legacy_load(db, err, size);
	}
	if (e) {
		db_free(db);
		return e;
	}
	db->id.nr_nets = db->nr[0] + db->nr[1];
	db->id.loaded = true;
	*out = db;
	return 0;
}

int geo_db_get(const char *path, const struct geo_db **out, char *err,
	       size_t size)
{
	struct obj_geoip_file now = { 0 };
	struct geo_db *db;
	struct stat st;
	unsigned int i;
	int e;

	*out = NULL;
	if (stat(path, &st)) {
		snprintf(err, size, "%s", strerror(errno));
		return -errno;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, size, "not a regular file");
		return -EINVAL;
	}
	id_of_stat(&now, &st);
	for (i = 0; i < GEO_CACHE; i++) {
		db = cache[i];
		if (db && !strcmp(db->path, path) && db->id.dev == now.dev &&
		    db->id.ino == now.ino && db->id.size == now.size &&
		    db->id.mtime_ns == now.mtime_ns) {
			*out = db;
			return 0;
		}
	}
	if (size)
		err[0] = '\0';
	e = db_load(path, &st, &db, err, size);
	if (e == -ENOMEM || (e && size && !err[0]))
		snprintf(err, size, "%s", strerror(-e));
	if (e)
		return e;
	/* The file's older version goes; else the slot filled longest ago. */
	for (i = 0; i < GEO_CACHE; i++)
		if (cache[i] && !strcmp(cache[i]->path, path))
			break;
	if (i == GEO_CACHE)
		i = cache_next++ % GEO_CACHE;
	db_free(cache[i]);
	cache[i] = db;
	*out = db;
	return 0;
}

size_t geo_db_country(const struct geo_db *db, int family, uint16_t cc,
		      const struct geo_net **first)
{
	const struct geo_net *v = db->nets[family == 6];
	size_t lo = 0, hi = db->nr[family == 6], start;

	*first = NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].cc < cc)
			lo = mid + 1;
		else
			hi = mid;
	}
	start = lo;
	hi = db->nr[family == 6];
	while (lo < hi && v[lo].cc == cc)
		lo++;
	if (lo > start)
		*first = &v[start];
	return lo - start;
}
