// SPDX-License-Identifier: GPL-2.0
/*
 * The schema tables: every section reachable, every attribute table sorted
 * and free of duplicates (schema_find_attr() bisects), defaults consistent
 * with their types, and the attributes localin acts on present with the
 * exact type, default and flags the rest of the program relies on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/schema.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *path;
	enum schema_key key;
	unsigned int max_key_len;
} expected_sections[] = {
	/* In `show` order. */
	{ "system global", SK_NONE, 0 },
	{ "system settings", SK_NONE, 0 },
	{ "system interface", SK_NAME, 35 },
	{ "system dns", SK_NONE, 0 },
	{ "system external-resource", SK_NAME, 35 },
	{ "system zone", SK_NAME, 35 },
	{ "system sdwan", SK_NONE, 0 },
	{ "system sa-source", SK_NAME, 35 },
	{ "system sa-check", SK_NONE, 0 },
	{ "system email-server", SK_NONE, 0 },
	{ "system metrics", SK_NONE, 0 },
	{ "system geoip-database", SK_NONE, 0 },
	{ "log setting", SK_NONE, 0 },
	{ "log disk setting", SK_NONE, 0 },
	{ "system log-file", SK_NONE, 0 },
	{ "alertemail setting", SK_NONE, 0 },
	{ "log eventfilter", SK_NONE, 0 },
	{ "log syslogd setting", SK_NONE, 0 },
	{ "log syslogd filter", SK_NONE, 0 },
	{ "log syslogd2 setting", SK_NONE, 0 },
	{ "log syslogd2 filter", SK_NONE, 0 },
	{ "log syslogd3 setting", SK_NONE, 0 },
	{ "log syslogd3 filter", SK_NONE, 0 },
	{ "log syslogd4 setting", SK_NONE, 0 },
	{ "log syslogd4 filter", SK_NONE, 0 },
	{ "firewall address", SK_NAME, 79 },
	{ "firewall address6", SK_NAME, 79 },
	{ "firewall addrgrp", SK_NAME, 79 },
	{ "firewall addrgrp6", SK_NAME, 79 },
	{ "firewall service custom", SK_NAME, 79 },
	{ "firewall service group", SK_NAME, 79 },
	{ "firewall schedule onetime", SK_NAME, 31 },
	{ "firewall schedule recurring", SK_NAME, 31 },
	{ "firewall schedule group", SK_NAME, 31 },
	{ "firewall local-in-policy", SK_ID, 0 },
	{ "firewall local-in-policy6", SK_ID, 0 },
};

#define U SA_USED
#define UR (SA_USED | SA_REQUIRED)

/* The attributes localin acts on, exactly; "ipv6" is the interface sub. */
static const struct {
	const char *section;
	const char *name;
	enum schema_type type;
	const char *def;
	unsigned int flags;
} used[] = {
	{ "log eventfilter", "event", ST_ENUM, "enable", U },
	{ "log eventfilter", "vpn", ST_ENUM, "enable", U },
	{ "log syslogd setting", "enc-algorithm", ST_ENUM, "disable", U },
	{ "log syslogd setting", "facility", ST_ENUM, "local7", U },
	{ "log syslogd setting", "format", ST_ENUM, "default", U },
	{ "log syslogd setting", "mode", ST_ENUM, "udp", U },
	{ "log syslogd setting", "port", ST_INT, "514", U },
	{ "log syslogd setting", "server", ST_STRING, NULL, U },
	{ "log syslogd setting", "source-ip", ST_STRING, NULL, U },
	{ "log syslogd setting", "status", ST_ENUM, "disable", U },
	{ "log syslogd filter", "forward-traffic", ST_ENUM, "enable", U },
	{ "log syslogd filter", "local-traffic", ST_ENUM, "enable", U },
	{ "log syslogd filter", "severity", ST_ENUM, "information", U },
	{ "log syslogd2 setting", "enc-algorithm", ST_ENUM, "disable", U },
	{ "log syslogd2 setting", "facility", ST_ENUM, "local7", U },
	{ "log syslogd2 setting", "format", ST_ENUM, "default", U },
	{ "log syslogd2 setting", "mode", ST_ENUM, "udp", U },
	{ "log syslogd2 setting", "port", ST_INT, "514", U },
	{ "log syslogd2 setting", "server", ST_STRING, NULL, U },
	{ "log syslogd2 setting", "source-ip", ST_STRING, NULL, U },
	{ "log syslogd2 setting", "status", ST_ENUM, "disable", U },
	{ "log syslogd2 filter", "forward-traffic", ST_ENUM, "enable", U },
	{ "log syslogd2 filter", "local-traffic", ST_ENUM, "enable", U },
	{ "log syslogd2 filter", "severity", ST_ENUM, "information", U },
	{ "log syslogd3 setting", "enc-algorithm", ST_ENUM, "disable", U },
	{ "log syslogd3 setting", "facility", ST_ENUM, "local7", U },
	{ "log syslogd3 setting", "format", ST_ENUM, "default", U },
	{ "log syslogd3 setting", "mode", ST_ENUM, "udp", U },
	{ "log syslogd3 setting", "port", ST_INT, "514", U },
	{ "log syslogd3 setting", "server", ST_STRING, NULL, U },
	{ "log syslogd3 setting", "source-ip", ST_STRING, NULL, U },
	{ "log syslogd3 setting", "status", ST_ENUM, "disable", U },
	{ "log syslogd3 filter", "forward-traffic", ST_ENUM, "enable", U },
	{ "log syslogd3 filter", "local-traffic", ST_ENUM, "enable", U },
	{ "log syslogd3 filter", "severity", ST_ENUM, "information", U },
	{ "log syslogd4 setting", "enc-algorithm", ST_ENUM, "disable", U },
	{ "log syslogd4 setting", "facility", ST_ENUM, "local7", U },
	{ "log syslogd4 setting", "format", ST_ENUM, "default", U },
	{ "log syslogd4 setting", "mode", ST_ENUM, "udp", U },
	{ "log syslogd4 setting", "port", ST_INT, "514", U },
	{ "log syslogd4 setting", "server", ST_STRING, NULL, U },
	{ "log syslogd4 setting", "source-ip", ST_STRING, NULL, U },
	{ "log syslogd4 setting", "status", ST_ENUM, "disable", U },
	{ "log syslogd4 filter", "forward-traffic", ST_ENUM, "enable", U },
	{ "log syslogd4 filter", "local-traffic", ST_ENUM, "enable", U },
	{ "log syslogd4 filter", "severity", ST_ENUM, "information", U },
	{ "system sa-source", "type", ST_ENUM, NULL, UR },
	{ "system sa-source", "path", ST_STRING, NULL, U },
	{ "system sa-source", "status", ST_ENUM, "enable", U },
	{ "system sa-check", "grace-period", ST_INT, "30", U },
	{ "system sa-check", "wrong-peer-action", ST_ENUM, "accept", U },
	{ "firewall address", "type", ST_ENUM, "ipmask", U },
	{ "firewall address", "subnet", ST_IP4MASK, "0.0.0.0 0.0.0.0", U },
	{ "firewall address", "start-ip", ST_IP4, "0.0.0.0", U },
	{ "firewall address", "end-ip", ST_IP4, "0.0.0.0", U },
	{ "firewall address", "country", ST_STRING, NULL, U },
	{ "firewall address", "fqdn", ST_STRING, NULL, U },
	{ "firewall address", "cache-ttl", ST_INT, "0", U },
	{ "firewall address", "wildcard", ST_RAW, "0.0.0.0 0.0.0.0", U },
	{ "firewall address", "interface", ST_STRING, NULL, U },
	{ "firewall address", "comment", ST_STRING, NULL, U },
	{ "firewall address", "uuid", ST_UUID, NULL, U },
	{ "firewall address6", "type", ST_ENUM, "ipprefix", U },
	{ "firewall address6", "ip6", ST_IP6PREFIX, "::/0", U },
	{ "firewall address6", "start-ip", ST_IP6, "::", U },
	{ "firewall address6", "end-ip", ST_IP6, "::", U },
	{ "firewall address6", "country", ST_STRING, NULL, U },
	{ "firewall address6", "fqdn", ST_STRING, NULL, U },
	{ "firewall address6", "cache-ttl", ST_INT, "0", U },
	{ "firewall address6", "comment", ST_STRING, NULL, U },
	{ "firewall address6", "uuid", ST_UUID, NULL, U },
	{ "firewall addrgrp", "member", ST_NAMES, NULL, U },
	{ "firewall addrgrp", "exclude", ST_ENUM, "disable", U },
	{ "firewall addrgrp", "exclude-member", ST_NAMES, NULL, U },
	{ "firewall addrgrp", "comment", ST_STRING, NULL, U },
	{ "firewall addrgrp", "uuid", ST_UUID, NULL, U },
	{ "firewall addrgrp6", "member", ST_NAMES, NULL, U },
	{ "firewall addrgrp6", "exclude", ST_ENUM, "disable", U },
	{ "firewall addrgrp6", "exclude-member", ST_NAMES, NULL, U },
	{ "firewall addrgrp6", "comment", ST_STRING, NULL, U },
	{ "firewall addrgrp6", "uuid", ST_UUID, NULL, U },
	{ "firewall service custom", "protocol", ST_ENUM, "TCP/UDP/SCTP", U },
	{ "firewall service custom", "tcp-portrange", ST_PORTRANGES, NULL, U },
	{ "firewall service custom", "udp-portrange", ST_PORTRANGES, NULL, U },
	{ "firewall service custom", "sctp-portrange", ST_PORTRANGES, NULL, U },
	{ "firewall service custom", "udplite-portrange", ST_PORTRANGES, NULL,
	  U },
	{ "firewall service custom", "protocol-number", ST_INT, "0", U },
	{ "firewall service custom", "icmptype", ST_INT, NULL, U },
	{ "firewall service custom", "icmpcode", ST_INT, NULL, U },
	{ "firewall service custom", "comment", ST_STRING, NULL, U },
	{ "firewall service custom", "uuid", ST_UUID, NULL, U },
	{ "firewall service group", "member", ST_NAMES, NULL, U },
	{ "firewall service group", "comment", ST_STRING, NULL, U },
	{ "firewall service group", "uuid", ST_UUID, NULL, U },
	{ "firewall schedule recurring", "day", ST_ENUMS, "none", U },
	{ "firewall schedule recurring", "start", ST_TIME, "00:00", U },
	{ "firewall schedule recurring", "end", ST_TIME, "00:00", U },
	{ "firewall schedule recurring", "uuid", ST_UUID, NULL, U },
	{ "firewall schedule onetime", "start", ST_DATETIME, "00:00 2001/01/01",
	  U },
	{ "firewall schedule onetime", "end", ST_DATETIME, "00:00 2001/01/01",
	  U },
	{ "firewall schedule onetime", "uuid", ST_UUID, NULL, U },
	{ "firewall schedule group", "member", ST_NAMES, NULL, U },
	{ "firewall schedule group", "uuid", ST_UUID, NULL, U },
	{ "system interface", "ip", ST_IP4MASK, "0.0.0.0 0.0.0.0", U },
	{ "system interface", "secondary-IP", ST_ENUM, "disable", U },
	{ "secondaryip", "ip", ST_IP4MASK, "0.0.0.0 0.0.0.0", U },
	{ "system interface", "vdom", ST_STRING, NULL, U },
	{ "system interface", "role", ST_ENUM, "undefined", U },
	{ "system zone", "interface", ST_NAMES, NULL, U },
	{ "system sdwan members", "interface", ST_STRING, NULL, U },
	{ "system sdwan members", "zone", ST_STRING, "virtual-wan-link", U },
	{ "firewall service custom", "iprange", ST_RAW, "0.0.0.0", U },
	{ "firewall service custom", "fqdn", ST_STRING, NULL, U },
	{ "firewall local-in-policy", "internet-service-src", ST_ENUM,
	  "disable", U },
	{ "firewall local-in-policy", "virtual-patch", ST_ENUM, "disable", U },
	{ "firewall local-in-policy", "ha-mgmt-intf-only", ST_ENUM, "disable",
	  U },
	{ "firewall local-in-policy6", "internet-service6-src", ST_ENUM,
	  "disable", U },
	{ "firewall local-in-policy6", "virtual-patch", ST_ENUM, "disable", U },
	{ "ipv6", "ip6-address", ST_IP6PREFIX, "::/0", U },
	{ "system global", "hostname", ST_STRING, NULL, U },
	{ "system global", "timezone", ST_STRING, NULL, U },
	{ "system settings", "detect-unknown-esp", ST_ENUM, "enable", U },
	{ "log setting", "local-in-allow", ST_ENUM, "disable", U },
	{ "log setting", "local-in-deny-unicast", ST_ENUM, "disable", U },
	{ "log setting", "local-in-deny-broadcast", ST_ENUM, "disable", U },
	{ "log disk setting", "status", ST_ENUM, "enable", U },
	{ "log disk setting", "max-log-file-size", ST_INT, "20", U },
	{ "log disk setting", "roll-schedule", ST_ENUM, "daily", U },
	{ "log disk setting", "roll-day", ST_ENUMS, "sunday", U },
	{ "log disk setting", "roll-time", ST_TIME, NULL, U },
	{ "log disk setting", "diskfull", ST_ENUM, "overwrite", U },
	{ "system log-file", "format", ST_ENUM, "default", U },
	{ "system log-file", "rolled-files", ST_INT, "10", U },
	{ "system metrics", "listen-address", ST_IP4, "127.0.0.1", U },
	{ "system metrics", "port", ST_INT, "9420", U },
	{ "system metrics", "status", ST_ENUM, "disable", U },
	/* threat feeds and DNS servers (issue 14) */
	{ "system external-resource", "password", ST_RAW, NULL, U | SA_SECRET },
	{ "system external-resource", "refresh-rate", ST_INT, "5", U },
	{ "system external-resource", "resource", ST_STRING, NULL, U },
	{ "system external-resource", "server-identity-check", ST_ENUM, "none",
	  U },
	{ "system external-resource", "source-ip", ST_IP4, NULL, U },
	{ "system external-resource", "status", ST_ENUM, "enable", U },
	{ "system external-resource", "type", ST_ENUM, "category", U },
	{ "system external-resource", "username", ST_STRING, NULL, U },
	{ "system dns", "fqdn-max-refresh", ST_INT, "3600", U },
	{ "system dns", "fqdn-min-refresh", ST_INT, "60", U },
	{ "system dns", "ip6-primary", ST_IP6, NULL, U },
	{ "system dns", "ip6-secondary", ST_IP6, NULL, U },
	{ "system dns", "primary", ST_IP4, NULL, U },
	{ "system dns", "retry", ST_INT, "2", U },
	{ "system dns", "secondary", ST_IP4, NULL, U },
	{ "system dns", "timeout", ST_INT, "5", U },
	{ "system geoip-database", "path", ST_STRING, NULL, U },
	{ "system geoip-database", "path6", ST_STRING, NULL, U },
	/* alert e-mail (FortiOS 7.6.5 names and defaults) */
	{ "system email-server", "authenticate", ST_ENUM, "disable", U },
	{ "system email-server", "password", ST_RAW, NULL, U | SA_SECRET },
	{ "system email-server", "port", ST_INT, "25", U },
	{ "system email-server", "security", ST_ENUM, "none", U },
	{ "system email-server", "server", ST_STRING, NULL, U },
	{ "system email-server", "source-ip", ST_IP4, "0.0.0.0", U },
	{ "system email-server", "source-ip6", ST_IP6, "::", U },
	{ "system email-server", "ssl-min-proto-version", ST_ENUM, "default",
	  U },
	{ "system email-server", "username", ST_STRING, NULL, U },
	{ "system email-server", "validate-server", ST_ENUM, "disable", U },
	{ "alertemail setting", "IPsec-errors-logs", ST_ENUM, "disable", U },
	{ "alertemail setting", "alert-interval", ST_INT, "2", U },
	{ "alertemail setting", "critical-interval", ST_INT, "3", U },
	{ "alertemail setting", "debug-interval", ST_INT, "60", U },
	{ "alertemail setting", "email-interval", ST_INT, "5", U },
	{ "alertemail setting", "emergency-interval", ST_INT, "1", U },
	{ "alertemail setting", "error-interval", ST_INT, "5", U },
	{ "alertemail setting", "filter-mode", ST_ENUM, "category", U },
	{ "alertemail setting", "information-interval", ST_INT, "30", U },
	{ "alertemail setting", "mailto1", ST_STRING, NULL, U },
	{ "alertemail setting", "mailto2", ST_STRING, NULL, U },
	{ "alertemail setting", "mailto3", ST_STRING, NULL, U },
	{ "alertemail setting", "notification-interval", ST_INT, "20", U },
	{ "alertemail setting", "severity", ST_ENUM, "alert", U },
	{ "alertemail setting", "username", ST_STRING, NULL, U },
	{ "alertemail setting", "violation-traffic-logs", ST_ENUM, "disable",
	  U },
	{ "alertemail setting", "warning-interval", ST_INT, "10", U },
#define POLICY(s)                                               \
	{ s, "intf", ST_NAMES, NULL, UR },                      \
		{ s, "srcaddr", ST_NAMES, NULL, UR },           \
		{ s, "dstaddr", ST_NAMES, NULL, UR },           \
		{ s, "srcaddr-negate", ST_ENUM, "disable", U }, \
		{ s, "dstaddr-negate", ST_ENUM, "disable", U }, \
		{ s, "service", ST_NAMES, NULL, UR },           \
		{ s, "service-negate", ST_ENUM, "disable", U }, \
		{ s, "schedule", ST_STRING, NULL, UR },         \
		{ s, "action", ST_ENUM, "deny", U },            \
		{ s, "status", ST_ENUM, "enable", U },          \
		{ s, "comments", ST_STRING, NULL, U },          \
		{ s, "uuid", ST_UUID, NULL, U },                \
	{                                                       \
		s, "logtraffic", ST_ENUM, "disable", U          \
	}
	POLICY("firewall local-in-policy"),
	POLICY("firewall local-in-policy6"),
#undef POLICY
};

/* A section, "ipv6" (the interface sub), or "SECTION SUB". */
static const struct schema_section *section_or_sub(const char *name)
{
	const char *sp = strrchr(name, ' ');
	char top[64];

	if (!strcmp(name, "ipv6") || !strcmp(name, "secondaryip"))
		return schema_find_sub(schema_find_section("system interface"),
				       name);
	if (schema_find_section(name) || !sp ||
	    (size_t)(sp - name) >= sizeof(top))
		return schema_find_section(name);
	memcpy(top, name, (size_t)(sp - name));
	top[sp - name] = '\0';
	return schema_find_sub(schema_find_section(top), sp + 1);
}

static bool in_list(const char *const *list, const char *w, size_t len)
{
	for (; *list; list++)
		if (strlen(*list) == len && !strncmp(*list, w, len))
			return true;
	return false;
}

/* Words separated by exactly one space, none empty. */
static bool canonical_words(const char *s)
{
	size_t n = strlen(s);

	return n && s[0] != ' ' && s[n - 1] != ' ' && !strstr(s, "  ");
}

static bool parse_ll(const char *s, long long *v)
{
	char *end;

	*v = strtoll(s, &end, 10);
	return *s && !*end;
}

static bool is_ip4(const char *s, size_t len)
{
	char buf[INET_ADDRSTRLEN];
	struct in_addr a;

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return inet_pton(AF_INET, buf, &a) == 1;
}

static bool is_ip6(const char *s, size_t len)
{
	char buf[INET6_ADDRSTRLEN];
	struct in6_addr a;

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return inet_pton(AF_INET6, buf, &a) == 1;
}

static void check_default(const struct schema_section *s,
			  const struct schema_attr *a)
{
	const char *d = a->def, *sp, *w;
	unsigned int h, m, y, mo, dd;
	long long v;
	char tail;

	if (!d)
		return;
	if (!canonical_words(d))
		fail_msg("%s: %s: default \"%s\" not canonical", s->path,
			 a->name, d);
	switch (a->type) {
	case ST_ENUM:
		if (strchr(d, ' ') || !in_list(a->enums, d, strlen(d)))
			fail_msg("%s: %s: default \"%s\" is not one of its "
				 "values",
				 s->path, a->name, d);
		break;
	case ST_ENUMS:
		for (w = d; *w; w = sp ? sp + 1 : w + strlen(w)) {
			sp = strchr(w, ' ');
			if (!in_list(a->enums, w,
				     sp ? (size_t)(sp - w) : strlen(w)))
				fail_msg(
					"%s: %s: default \"%s\" has a word not "
					"in its values",
					s->path, a->name, d);
		}
		break;
	case ST_INT:
		if (!parse_ll(d, &v) || v < a->min || v > a->max)
			fail_msg("%s: %s: default \"%s\" outside [%lld, %lld]",
				 s->path, a->name, d, a->min, a->max);
		break;
	case ST_STRING:
		if ((long long)strlen(d) > a->max)
			fail_msg("%s: %s: default longer than %lld", s->path,
				 a->name, a->max);
		break;
	case ST_IP4:
		if (!is_ip4(d, strlen(d)))
			fail_msg("%s: %s: bad default", s->path, a->name);
		break;
	case ST_IP4MASK:
		sp = strchr(d, ' ');
		if (!sp || !is_ip4(d, sp - d) ||
		    !is_ip4(sp + 1, strlen(sp + 1)))
			fail_msg("%s: %s: bad default", s->path, a->name);
		break;
	case ST_IP6:
		if (!is_ip6(d, strlen(d)))
			fail_msg("%s: %s: bad default", s->path, a->name);
		break;
	case ST_IP6PREFIX:
		sp = strchr(d, '/');
		if (!sp || !is_ip6(d, sp - d) || !parse_ll(sp + 1, &v) ||
		    v < 0 || v > 128)
			fail_msg("%s: %s: bad default", s->path, a->name);
		break;
	case ST_TIME:
		if (sscanf(d, "%2u:%2u%c", &h, &m, &tail) != 2 || h > 23 ||
		    m > 59 || strlen(d) != 5)
			fail_msg("%s: %s: bad default", s->path, a->name);
		break;
	case ST_DATETIME:
		if (sscanf(d, "%2u:%2u %4u/%2u/%2u%c", &h, &m, &y, &mo, &dd,
			   &tail) != 5 ||
		    h > 23 || m > 59 || !mo || mo > 12 || !dd || dd > 31)
			fail_msg("%s: %s: bad default", s->path, a->name);
		break;
	default:
		break;
	}
}

static void check_section(const struct schema_section *s, bool top)
{
	size_t i, j;

	assert_non_null(s->path);
	assert_non_null(s->attrs);
	assert_true(s->nr_attrs > 0);
	if (s->key == SK_NAME)
		assert_true(s->max_key_len > 0);
	/*
	 * Nested blocks are singletons, but SD-WAN's members and zones and
	 * an interface's secondary addresses (IPv4 and IPv6).
	 */
	if (!top && strcmp(s->path, "members") && strcmp(s->path, "zone") &&
	    strcmp(s->path, "secondaryip") && strcmp(s->path, "ip6-extra-addr"))
		assert_int_equal(s->key, SK_NONE);

	for (i = 0; i < s->nr_attrs; i++) {
		const struct schema_attr *a = &s->attrs[i];

		assert_non_null(a->name);
		if (!*a->name || strchr(a->name, ' '))
			fail_msg("%s: bad attribute name \"%s\"", s->path,
				 a->name);
		/* Sorted, hence unique: bsearch needs it. */
		if (i && strcmp(s->attrs[i - 1].name, a->name) >= 0)
			fail_msg("%s: \"%s\" then \"%s\": %s", s->path,
				 s->attrs[i - 1].name, a->name,
				 strcmp(s->attrs[i - 1].name, a->name) ?
					 "not sorted" :
					 "duplicate");
		for (j = 0; j < i; j++)
			if (!strcmp(s->attrs[j].name, a->name))
				fail_msg("%s: duplicate \"%s\"", s->path,
					 a->name);

		if (a->type == ST_ENUM || a->type == ST_ENUMS) {
			if (!a->enums || !a->enums[0])
				fail_msg("%s: %s: no values", s->path, a->name);
		} else if (a->enums) {
			fail_msg("%s: %s: values on a non-enum", s->path,
				 a->name);
		}
		/* The value parser reads ST_INT as an unsigned 32-bit number. */
		if (a->type == ST_INT &&
		    (a->min > a->max || a->min < 0 || a->max > UINT32_MAX))
			fail_msg("%s: %s: range [%lld, %lld]", s->path, a->name,
				 a->min, a->max);
		if ((a->type == ST_STRING || a->type == ST_NAMES) &&
		    a->max <= 0)
			fail_msg("%s: %s: no length limit", s->path, a->name);
		if ((a->flags & SA_REQUIRED) && !(a->flags & SA_USED))
			fail_msg("%s: %s: required but unused", s->path,
				 a->name);
		check_default(s, a);

		/* Every attribute is found by its own name. */
		assert_ptr_equal(schema_find_attr(s, a->name), a);
	}

	/* A print order names every attribute once: none is left out. */
	if (s->order) {
		for (i = 0; s->order[i]; i++) {
			const struct schema_attr *a =
				schema_find_attr(s, s->order[i]);

			if (!a)
				fail_msg("%s: order names unknown \"%s\"",
					 s->path, s->order[i]);
			for (j = 0; j < i; j++)
				if (!strcmp(s->order[j], s->order[i]))
					fail_msg("%s: order repeats \"%s\"",
						 s->path, s->order[i]);
		}
		if (i != s->nr_attrs)
			fail_msg("%s: order has %zu of %zu attributes", s->path,
				 i, s->nr_attrs);
	}

	for (i = 0; i < s->nr_subs; i++) {
		assert_ptr_equal(schema_find_sub(s, s->subs[i]->path),
				 s->subs[i]);
		check_section(s->subs[i], false);
	}
}

static void test_sections(void **state)
{
	size_t i;

	(void)state;
	assert_int_equal(schema_nr_sections, ARRAY_SIZE(expected_sections));
	for (i = 0; i < ARRAY_SIZE(expected_sections); i++) {
		const struct schema_section *s =
			schema_find_section(expected_sections[i].path);

		if (!s)
			fail_msg("section \"%s\" not found",
				 expected_sections[i].path);
		assert_ptr_equal(schema_sections[i], s);
		assert_string_equal(s->path, expected_sections[i].path);
		assert_int_equal(s->key, expected_sections[i].key);
		if (s->key == SK_NAME)
			assert_int_equal(s->max_key_len,
					 expected_sections[i].max_key_len);
	}
}

static void test_tables(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < schema_nr_sections; i++)
		check_section(schema_sections[i], true);
}

static void test_interface_ipv6(void **state)
{
	const struct schema_section *intf =
		schema_find_section("system interface");
	const struct schema_section *v6 = schema_find_sub(intf, "ipv6");

	(void)state;
	assert_non_null(v6);
	assert_string_equal(v6->path, "ipv6");
	assert_int_equal(v6->key, SK_NONE);
	/* secondaryip: the gateway's other addresses; vrrp is skipped. */
	assert_int_equal(schema_find_sub(intf, "secondaryip")->key, SK_ID);
	assert_true(schema_find_sub(intf, "secondaryip")->open);
	assert_null(schema_find_sub(intf, "vrrp"));
	assert_null(schema_find_sub(intf, "ipv"));
	assert_null(schema_find_sub(intf, NULL));
	assert_null(schema_find_sub(schema_find_section("firewall address"),
				    "ipv6"));
	/* Nested tables are not attributes. */
	assert_null(schema_find_attr(intf, "ipv6"));
	assert_null(schema_find_attr(intf, "secondaryip"));
	assert_null(schema_find_attr(intf, "vrrp"));
	assert_non_null(schema_find_attr(intf, "secondary-IP"));
	assert_non_null(schema_find_attr(v6, "vrip6_link_local"));
	assert_null(schema_find_attr(v6, "ip6-extra-addr"));
	assert_int_equal(schema_find_sub(v6, "ip6-extra-addr")->key, SK_NAME);
}

static void test_used(void **state)
{
	size_t i, j, k, nr_used = 0;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(used); i++) {
		const struct schema_section *s =
			section_or_sub(used[i].section);
		const struct schema_attr *a;

		if (!s)
			fail_msg("no section %s", used[i].section);
		a = schema_find_attr(s, used[i].name);
		if (!a)
			fail_msg("%s: no attribute %s", used[i].section,
				 used[i].name);
		if (a->type != used[i].type)
			fail_msg("%s: %s: type %d, want %d", used[i].section,
				 used[i].name, a->type, used[i].type);
		if (used[i].def ? !a->def || strcmp(a->def, used[i].def) :
				  a->def != NULL)
			fail_msg("%s: %s: default \"%s\", want \"%s\"",
				 used[i].section, used[i].name,
				 a->def ? a->def : "(none)",
				 used[i].def ? used[i].def : "(none)");
		if (a->flags != used[i].flags)
			fail_msg("%s: %s: flags %#x, want %#x", used[i].section,
				 used[i].name, a->flags, used[i].flags);
	}

	/* ...and nothing else is marked used. */
	for (i = 0; i < schema_nr_sections; i++) {
		const struct schema_section *top = schema_sections[i];

		for (j = 0; j <= top->nr_subs; j++) {
			const struct schema_section *s =
				j ? top->subs[j - 1] : top;

			for (k = 0; k < s->nr_attrs; k++)
				if (s->attrs[k].flags & SA_USED)
					nr_used++;
		}
	}
	assert_int_equal(nr_used, ARRAY_SIZE(used));
}

static void test_values(void **state)
{
	const struct schema_attr *a;

	(void)state;
	a = schema_find_attr(schema_find_section("firewall address"), "type");
	assert_true(in_list(a->enums, "iprange", 7));
	assert_true(in_list(a->enums, "wildcard-fqdn", 13));
	assert_true(in_list(a->enums, "interface-subnet", 16));
	a = schema_find_attr(schema_find_section("firewall service custom"),
			     "protocol");
	assert_true(in_list(a->enums, "TCP/UDP/UDP-Lite/SCTP", 21));
	assert_true(in_list(a->enums, "IP", 2));
	assert_true(in_list(a->enums, "ICMP6", 5));
	a = schema_find_attr(schema_find_section("firewall service custom"),
			     "icmptype");
	assert_int_equal(a->min, 0);
	assert_true(a->max == 4294967295LL);
	a = schema_find_attr(schema_find_section("firewall service custom"),
			     "protocol-number");
	assert_int_equal(a->max, 254);
	a = schema_find_attr(schema_find_section("firewall local-in-policy"),
			     "comments");
	assert_int_equal(a->max, 1023);
	a = schema_find_attr(schema_find_section("firewall address"),
			     "comment");
	assert_int_equal(a->max, 255);
	a = schema_find_attr(schema_find_section("firewall schedule onetime"),
			     "expiration-days");
	assert_non_null(a);
	assert_string_equal(a->def, "3");
	assert_int_equal(a->max, 100);
	a = schema_find_attr(schema_find_section("firewall address"), "color");
	assert_string_equal(a->def, "0");
	assert_int_equal(a->max, 32);
	/* IPv4 only. */
	assert_non_null(schema_find_attr(
		schema_find_section("firewall local-in-policy"),
		"ha-mgmt-intf-only"));
	assert_null(schema_find_attr(
		schema_find_section("firewall local-in-policy6"),
		"ha-mgmt-intf-only"));
}

static const char *abbrev(const char *path)
{
	const struct schema_section *s = schema_abbrev_section(path);

	return s ? s->path : "(none)";
}

/* FortiOS's abbreviations: each word a prefix, the first completion. */
static void test_abbrev(void **state)
{
	(void)state;
	assert_string_equal(abbrev("fire addr"), "firewall address");
	assert_string_equal(abbrev("fire addrgrp"), "firewall addrgrp");
	assert_string_equal(abbrev("fire addrgrp6"), "firewall addrgrp6");
	assert_string_equal(abbrev("f local"), "firewall local-in-policy");
	assert_string_equal(abbrev("firewall local-in-policy6"),
			    "firewall local-in-policy6");
	assert_string_equal(abbrev("sys int"), "system interface");
	assert_string_equal(abbrev("sys glo"), "system global");
	assert_string_equal(abbrev("fire serv cust"),
			    "firewall service custom");
	assert_string_equal(abbrev("fire sched rec"),
			    "firewall schedule recurring");
	assert_string_equal(abbrev("log syslogd2 f"), "log syslogd2 filter");
	/* Whole words count as written: "log s" is "log setting". */
	assert_string_equal(abbrev("log set"), "log setting");
	assert_string_equal(abbrev("fire policy"), "(none)");
	assert_string_equal(abbrev("fire addr extra"), "(none)");
	assert_string_equal(abbrev("firewall"), "(none)");
	assert_string_equal(abbrev(""), "(none)");
	assert_null(schema_abbrev_section(NULL));
}

static const char *suggest(const char *path)
{
	const struct schema_section *s = schema_suggest_section(path);

	return s ? s->path : "(none)";
}

/* A misspelling close to a section localin knows; FortiOS's others not. */
static void test_suggest(void **state)
{
	(void)state;
	assert_string_equal(suggest("firewall local-in-polcy"),
			    "firewall local-in-policy");
	assert_string_equal(suggest("firewall adress"), "firewall address");
	assert_string_equal(suggest("firewall addrgrp7"), "firewall addrgrp");
	assert_string_equal(suggest("system interfaces"), "system interface");
	/* Real FortiOS sections localin skips are no misspellings. */
	assert_string_equal(suggest("firewall policy"), "(none)");
	assert_string_equal(suggest("firewall policy6"), "(none)");
	assert_string_equal(suggest("firewall vip"), "(none)");
	assert_string_equal(suggest("system dns"), "(none)");
	assert_string_equal(suggest("system ntp"), "(none)");
	assert_string_equal(suggest("system ha"), "(none)");
	assert_string_equal(suggest("system admin"), "(none)");
	assert_string_equal(suggest("log memory setting"), "(none)");
	assert_string_equal(suggest("log fortianalyzer setting"), "(none)");
	assert_string_equal(suggest("firewall service category"), "(none)");
	assert_string_equal(suggest("firewall address6-template"), "(none)");
	assert_string_equal(suggest("firewall multicast-address"), "(none)");
	assert_string_equal(suggest("log syslogd override-setting"), "(none)");
	assert_string_equal(suggest("system sit-tunnel"), "(none)");
	/* The section itself is not a misspelling of itself. */
	assert_string_equal(suggest("firewall address"), "firewall address6");
	assert_null(schema_suggest_section(NULL));
}

static void test_unknown(void **state)
{
	const struct schema_section *s =
		schema_find_section("firewall address");

	(void)state;
	assert_null(schema_find_section("firewall policy"));
	assert_null(schema_find_section("firewall"));
	assert_null(schema_find_section("firewall  address"));
	assert_null(schema_find_section("Firewall Address"));
	assert_null(schema_find_section(""));
	assert_null(schema_find_section(NULL));
	assert_null(schema_find_attr(s, "no-such-attribute"));
	assert_null(schema_find_attr(s, ""));
	assert_null(schema_find_attr(s, "Subnet"));
	assert_null(schema_find_attr(s, "subne"));
	assert_null(schema_find_attr(s, "subnets"));
	assert_null(schema_find_attr(s, "aaa"));
	assert_null(schema_find_attr(s, "zzz"));
	assert_null(schema_find_attr(s, NULL));
	assert_null(schema_find_attr(NULL, "subnet"));
	assert_null(schema_find_sub(NULL, "ipv6"));
	assert_null(schema_find_attr(schema_find_section("system global"),
				     "no-such-thing"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_interface_ipv6),
		cmocka_unit_test(test_used),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_abbrev),
		cmocka_unit_test(test_suggest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
