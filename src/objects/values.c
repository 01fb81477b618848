// SPDX-License-Identifier: GPL-2.0
/*
 * Parsers for canonical attribute values. The config parser already
 * checked the shape of each value type, so these only convert, and check
 * what a shape cannot say (a contiguous netmask, a real calendar date).
 * They stay strict anyway: they also see schema defaults and the factory
 * text, and a bug there should be an error, not a silent zero.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "objects/internal.h"

uint32_t obj_prefix_mask4(unsigned int len)
{
	return len ? ~0u << (32 - len) : 0;
}

/* "a.b.c.d m.m.m.m" (canonical) or "a.b.c.d/len" (tolerated). */
int obj_parse_ip4mask(const char *s, uint32_t *ip, uint32_t *mask)
{
	char buf[64];
	char *sep;
	uint32_t len;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	sep = strpbrk(buf, " /");
	if (!sep)
		return -EINVAL;
	*sep = '\0';
	if (!parse_ip4(buf, ip))
		return -EINVAL;
	if (strchr(s, '/')) {
		if (!parse_u32(sep + 1, 32, &len))
			return -EINVAL;
		*mask = obj_prefix_mask4(len);
		return 0;
	}
	return parse_ip4(sep + 1, mask) ? 0 : -EINVAL;
}

int obj_parse_ip6(const char *s, ip_u128 *out)
{
	unsigned char b[16];
	ip_u128 v = 0;
	int i;

	if (inet_pton(AF_INET6, s, b) != 1)
		return -EINVAL;
	for (i = 0; i < 16; i++)
		v = v << 8 | b[i];
	*out = v;
	return 0;
}

ip_u128 obj_prefix_mask6(unsigned int len)
{
	return len ? ~(ip_u128)0 << (128 - len) : 0;
}

int obj_parse_ip6prefix(const char *s, ip_u128 *addr, unsigned int *len)
{
	char buf[64];
	char *slash;
	uint32_t l;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	if (obj_parse_ip6(buf, addr))
		return -EINVAL;
	if (!parse_u32(slash + 1, 128, &l))
		return -EINVAL;
	*len = l;
	return 0;
}

void obj_format_ip4(uint32_t ip, char buf[16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", ip >> 24, ip >> 16 & 255,
		 ip >> 8 & 255, ip & 255);
}

void obj_format_ip6(ip_u128 ip, char buf[46])
{
	unsigned char b[16];
	int i;

	for (i = 15; i >= 0; i--, ip >>= 8)
		b[i] = (unsigned char)ip;
	inet_ntop(AF_INET6, b, buf, 46);
}

/* "lo" or "lo-hi", each 0-65535. */
static int parse_ports(const char *s, size_t n, uint32_t *lo, uint32_t *hi)
{
	char buf[16];
	char *dash;

	if (!n || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (!parse_u32(buf, 65535, lo))
		return -EINVAL;
	if (!dash) {
		*hi = *lo;
		return 0;
	}
	return parse_u32(dash + 1, 65535, hi) ? 0 : -EINVAL;
}

int obj_parse_portrange(const char *s, uint32_t out[4])
{
	const char *colon = strchr(s, ':');
	int err;

	err = parse_ports(s, colon ? (size_t)(colon - s) : strlen(s), &out[0],
			  &out[1]);
	if (err)
		return err;
	if (!colon) {
		out[2] = 0;
		out[3] = 65535;
		return 0;
	}
	return parse_ports(colon + 1, strlen(colon + 1), &out[2], &out[3]);
}

int obj_parse_hhmm(const char *s, unsigned int *min)
{
	unsigned int h, m;
	int n = 0;

	if (sscanf(s, "%2u:%2u%n", &h, &m, &n) != 2 || s[n] || h > 23 || m > 59)
		return -EINVAL;
	*min = h * 60 + m;
	return 0;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int obj_parse_date(const char *s, int *y, unsigned int *m, unsigned int *d)
{
	static const unsigned char mdays[] = { 31, 28, 31, 30, 31, 30,
					       31, 31, 30, 31, 30, 31 };
	unsigned int dim;
	int n = 0;

	if (sscanf(s, "%4d/%2u/%2u%n", y, m, d, &n) != 3 || s[n] || *y < 1970 ||
	    *m < 1 || *m > 12 || *d < 1)
		return -EINVAL;
	dim = mdays[*m - 1] + (*m == 2 && is_leap(*y));
	return *d > dim ? -EINVAL : 0;
}

/*
 * Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * obj_days_from_civil): pure arithmetic, so onetime schedules mean the same
 * wall-clock time whatever zone the daemon runs in.
 */
int64_t obj_days_from_civil(int y, unsigned int m, unsigned int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/*
 * FortiOS gives each policy a random UUID when it is created and stores it
 * in the config. Configs written by hand rarely carry one, and a fresh
 * random UUID on every load would make `show`, golden tests and log
 * correlation across reloads unstable. So a policy without an explicit
 * uuid gets one derived from (table, id): the same policy keeps its UUID
 * from run to run. FNV-1a over 128 bits is enough (no adversary, just
 * spread), laid out as an RFC 9562 version 8 ("custom") UUID.
 */
void obj_uuid_v8(const char *table, uint32_t id, char out[37])
{
	const ip_u128 prime = (ip_u128)0x1000000ull << 64 | 0x13b;
	ip_u128 h =
		(ip_u128)0x6c62272e07bb0142ull << 64 | 0x62b821756295c58dull;
	unsigned char b[16];
	char idbuf[16];
	const char *p;
	int i, n;

	for (p = table; *p; p++)
		h = (h ^ (unsigned char)*p) * prime;
	h = (h ^ 0) * prime; /* separator: "ab" 1 differs from "a" b1 */
	snprintf(idbuf, sizeof(idbuf), "%u", id);
	for (p = idbuf; *p; p++)
		h = (h ^ (unsigned char)*p) * prime;
	for (i = 15; i >= 0; i--, h >>= 8)
		b[i] = (unsigned char)h;
	b[6] = (b[6] & 0x0f) | 0x80; /* version 8 */
	b[8] = (b[8] & 0x3f) | 0x80; /* variant 10 */
	n = 0;
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[n++] = '-';
		n += snprintf(out + n, 3, "%02x", b[i]);
	}
	out[36] = '\0';
}

int64_t civil_minutes(int year, unsigned int month, unsigned int day,
		      unsigned int hour, unsigned int minute)
{
	return obj_days_from_civil(year, month, day) * 1440 + hour * 60 +
	       minute;
}

int local_minutes(time_t t, int64_t *minute, int *second)
{
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return -EOVERFLOW;
	*minute = civil_minutes(tm.tm_year + 1900, (unsigned int)tm.tm_mon + 1,
				(unsigned int)tm.tm_mday,
				(unsigned int)tm.tm_hour,
				(unsigned int)tm.tm_min);
	*second = tm.tm_sec;
	return 0;
}

void zone_apply(const char *tz)
{
	/* Another text first: tzset() reads the file only for a new TZ. */
	setenv("TZ", "UTC0", 1);
	tzset();
	if (tz)
		setenv("TZ", tz, 1);
	else
		unsetenv("TZ");
	tzset();
}

/*
 * The zone of a config without `set timezone`: the TZ the daemon started
 * with, which it says here, as its reloads leave TZ at the last config's
 * zone; a command leaves TZ as it found it, so without a word the process's.
 */
static const char *system_zone;
static bool system_zone_set;

void obj_set_system_zone(const char *tz)
{
	system_zone = tz;
	system_zone_set = true;
}

int zone_minutes(const char *zone, time_t t, int64_t *minute)
{
	const char *cur;
	char *saved = NULL;
	int sec, err;

	if (!zone && !system_zone_set)
		return local_minutes(t, minute, &sec);
	if (!zone)
		zone = system_zone;
	cur = getenv("TZ");
	if (cur && !(saved = strdup(cur)))
		return -ENOMEM;
	if (zone)
		setenv("TZ", zone, 1);
	else
		unsetenv("TZ");
	tzset();
	err = local_minutes(t, minute, &sec);
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
	return err;
}
