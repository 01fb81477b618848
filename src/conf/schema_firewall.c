// SPDX-License-Identifier: GPL-2.0
/*
 * Schema of the firewall object sections: addresses, address groups,
 * services, schedules and the local-in policy tables.
 *
 * Names, types and defaults follow the FortiOS 7.6.5 CMDB schema; older
 * attributes a 6.x/7.0-7.4 backup may still carry (visibility,
 * explicit-proxy, start-mac/end-mac, ...) are accepted too, with no
 * default so that `show full` does not print them. Multi-field
 * child tables (tagging, subnet-segment, list) are nested `config` blocks,
 * not attributes, and are not listed here.
 *
 * Tables are sorted by name (see schema_tables.h).
 */
#include "conf/schema_tables.h"

static const char *const address_clearpass_spt[] = {
	"unknown",   "healthy",	 "quarantine", "checkup",
	"transient", "infected", NULL,
};

static const char *const address_obj_type[] = {
	"ip",
	"mac",
	NULL,
};

static const char *const address_sdn_addr_type[] = {
	"private",
	"public",
	"all",
	NULL,
};

static const char *const address_type[] = {
	"ipmask",  "iprange",	       "fqdn", "geography", "wildcard",
	"dynamic", "interface-subnet", "mac",  "route-tag", "wildcard-fqdn",
	NULL,
};

static const char *const address6_host_type[] = {
	"any",
	"specific",
	NULL,
};

static const char *const address6_type[] = {
	"ipprefix", "iprange", "fqdn",	    "geography", "dynamic",
	"template", "mac",     "route-tag", "wildcard",	 NULL,
};

static const char *const addrgrp_category[] = {
	"default",
	"ztna-ems-tag",
	"ztna-geo-tag",
	NULL,
};

static const char *const addrgrp_type[] = {
	"default",
	"folder",
	NULL,
};

static const char *const service_custom_app_service_type[] = {
	"disable",
	"app-id",
	"app-category",
	NULL,
};

static const char *const service_custom_check_reset_range[] = {
	"disable",
	"strict",
	"default",
	NULL,
};

static const char *const service_custom_protocol[] = {
	"TCP/UDP/SCTP", "TCP/UDP/UDP-Lite/SCTP",
	"ICMP",		"ICMP6",
	"IP",		"HTTP",
	"FTP",		"CONNECT",
	"SOCKS-TCP",	"SOCKS-UDP",
	"ALL",		NULL,
};

static const char *const schedule_recurring_day[] = {
	"sunday", "monday",   "tuesday", "wednesday", "thursday",
	"friday", "saturday", "none",	 NULL,
};

static const char *const schedule_recurring_label_day[] = {
	"none",	     "over-night", "early-morning", "morning",	  "midday",
	"afternoon", "evening",	   "night",	    "late-night", NULL,
};

static const char *const local_in_policy_action[] = {
	"accept",
	"deny",
	NULL,
};

static const struct schema_attr address_attrs[] = {
	SCHEMA_ON_OFF("allow-routing", "disable"),
	SCHEMA_STR("associated-interface", 35, NULL),
	SCHEMA_INT("cache-ttl", 0, 86400, "0"),
	{ .name = "clearpass-spt",
	  .type = ST_ENUM,
	  .enums = address_clearpass_spt,
	  .def = "unknown" },
	SCHEMA_INT("color", 0, 32, "0"),
	{ .name = "comment", .type = ST_STRING, .max = 255, .flags = SA_USED },
	{ .name = "country", .type = ST_STRING, .max = 2, .flags = SA_USED },
	SCHEMA_RAW("dirty", NULL), /* backups of dynamic addresses */
	{ .name = "end-ip",
	  .type = ST_IP4,
	  .def = "0.0.0.0",
	  .flags = SA_USED },
	SCHEMA_RAW("end-mac", NULL),
	SCHEMA_STR("epg-name", 255, NULL),
	SCHEMA_ON_OFF("fabric-object", "disable"),
	SCHEMA_STR("filter", 2047, NULL),
	{ .name = "fqdn", .type = ST_STRING, .max = 255, .flags = SA_USED },
	SCHEMA_RAW("fsso-group", NULL),
	SCHEMA_STR("hw-model", 35, NULL),
	SCHEMA_STR("hw-vendor", 35, NULL),
	{ .name = "interface", .type = ST_STRING, .max = 35, .flags = SA_USED },
	SCHEMA_RAW("macaddr", NULL),
	SCHEMA_ON_OFF("node-ip-only", "disable"),
	SCHEMA_STR("obj-id", 255, NULL),
	SCHEMA_STR("obj-tag", 255, NULL),
	{ .name = "obj-type",
	  .type = ST_ENUM,
	  .enums = address_obj_type,
	  .def = "ip" },
	SCHEMA_STR("organization", 35, NULL),
	SCHEMA_STR("os", 35, NULL),
	SCHEMA_ON_OFF("passive-fqdn-learning", "enable"),
	SCHEMA_STR("policy-group", 15, NULL),
	SCHEMA_INT("route-tag", 0, 4294967295, "0"),
	SCHEMA_STR("sdn", 35, NULL),
	{ .name = "sdn-addr-type",
	  .type = ST_ENUM,
	  .enums = address_sdn_addr_type,
	  .def = "private" },
	SCHEMA_STR("sdn-tag", 15, NULL),
	SCHEMA_RAW("sso-attribute-value", NULL),
	{ .name = "start-ip",
	  .type = ST_IP4,
	  .def = "0.0.0.0",
	  .flags = SA_USED },
	SCHEMA_RAW("start-mac", NULL),
	SCHEMA_RAW("sub-type", "sdn"),
	{ .name = "subnet",
	  .type = ST_IP4MASK,
	  .def = "0.0.0.0 0.0.0.0",
	  .flags = SA_USED },
	SCHEMA_STR("subnet-name", 255, NULL),
	SCHEMA_STR("sw-version", 35, NULL),
	SCHEMA_STR("tag-detection-level", 15, NULL),
	SCHEMA_STR("tag-type", 63, NULL),
	SCHEMA_STR("tenant", 35, NULL),
	{ .name = "type",
	  .type = ST_ENUM,
	  .enums = address_type,
	  .def = "ipmask",
	  .flags = SA_USED },
	{ .name = "uuid", .type = ST_UUID, .flags = SA_USED },
	SCHEMA_ON_OFF("visibility", NULL),
	SCHEMA_RAW("wildcard", "0.0.0.0 0.0.0.0"),
	SCHEMA_STR("wildcard-fqdn", 255, NULL),
};

static const struct schema_attr address6_attrs[] = {
	SCHEMA_INT("cache-ttl", 0, 86400, "0"),
	SCHEMA_INT("color", 0, 32, "0"),
	{ .name = "comment", .type = ST_STRING, .max = 255, .flags = SA_USED },
	{ .name = "country", .type = ST_STRING, .max = 2, .flags = SA_USED },
	{ .name = "end-ip", .type = ST_IP6, .def = "::", .flags = SA_USED },
	SCHEMA_STR("epg-name", 255, NULL),
	SCHEMA_ON_OFF("fabric-object", "disable"),
	SCHEMA_STR("filter", 2047, NULL),
	{ .name = "fqdn", .type = ST_STRING, .max = 255, .flags = SA_USED },
	{ .name = "host", .type = ST_IP6, .def = "::" },
	{ .name = "host-type",
	  .type = ST_ENUM,
	  .enums = address6_host_type,
	  .def = "any" },
	{ .name = "ip6",
	  .type = ST_IP6PREFIX,
	  .def = "::/0",
	  .flags = SA_USED },
	SCHEMA_RAW("macaddr", NULL),
	SCHEMA_STR("obj-id", 255, NULL),
	SCHEMA_ON_OFF("passive-fqdn-learning", "enable"),
	SCHEMA_INT("route-tag", 0, 4294967295, "0"),
	SCHEMA_STR("sdn", 35, NULL),
	{ .name = "sdn-addr-type",
	  .type = ST_ENUM,
	  .enums = address_sdn_addr_type,
	  .def = "private" },
	SCHEMA_STR("sdn-tag", 15, NULL),
	{ .name = "start-ip", .type = ST_IP6, .def = "::", .flags = SA_USED },
	SCHEMA_STR("template", 63, NULL),
	SCHEMA_STR("tenant", 35, NULL),
	{ .name = "type",
	  .type = ST_ENUM,
	  .enums = address6_type,
	  .def = "ipprefix",
	  .flags = SA_USED },
	{ .name = "uuid", .type = ST_UUID, .flags = SA_USED },
	SCHEMA_ON_OFF("visibility", NULL),
	SCHEMA_RAW("wildcard", ":: ::"),
};

static const struct schema_attr addrgrp_attrs[] = {
	SCHEMA_ON_OFF("allow-routing", "disable"),
	{ .name = "category",
	  .type = ST_ENUM,
	  .enums = addrgrp_category,
	  .def = "default" },
	SCHEMA_INT("color", 0, 32, "0"),
	{ .name = "comment", .type = ST_STRING, .max = 255, .flags = SA_USED },
	{ .name = "exclude",
	  .type = ST_ENUM,
	  .enums = schema_enable_disable,
	  .def = "disable",
	  .flags = SA_USED },
	{ .name = "exclude-member",
	  .type = ST_NAMES,
	  .max = 79,
	  .flags = SA_USED },
	SCHEMA_ON_OFF("fabric-object", "disable"),
	{ .name = "member", .type = ST_NAMES, .max = 79, .flags = SA_USED },
	{ .name = "type",
	  .type = ST_ENUM,
	  .enums = addrgrp_type,
	  .def = "default" },
	{ .name = "uuid", .type = ST_UUID, .flags = SA_USED },
	SCHEMA_ON_OFF("visibility", NULL),
};

static const struct schema_attr addrgrp6_attrs[] = {
	SCHEMA_INT("color", 0, 32, "0"),
	{ .name = "comment", .type = ST_STRING, .max = 255, .flags = SA_USED },
	{ .name = "exclude",
	  .type = ST_ENUM,
	  .enums = schema_enable_disable,
	  .def = "disable",
	  .flags = SA_USED },
	{ .name = "exclude-member",
	  .type = ST_NAMES,
	  .max = 79,
	  .flags = SA_USED },
	SCHEMA_ON_OFF("fabric-object", "disable"),
	{ .name = "member", .type = ST_NAMES, .max = 79, .flags = SA_USED },
	{ .name = "uuid", .type = ST_UUID, .flags = SA_USED },
	SCHEMA_ON_OFF("visibility", NULL),
};

static const struct schema_attr service_custom_attrs[] = {
	SCHEMA_RAW("app-category", NULL),
	{ .name = "app-service-type",
	  .type = ST_ENUM,
	  .enums = service_custom_app_service_type,
	  .def = "disable" },
	SCHEMA_RAW("application", NULL),
	SCHEMA_STR("category", 63, NULL),
	{ .name = "check-reset-range",
	  .type = ST_ENUM,
	  .enums = service_custom_check_reset_range,
	  .def = "default" },
	SCHEMA_INT("color", 0, 32, "0"),
	{ .name = "comment", .type = ST_STRING, .max = 255, .flags = SA_USED },
	SCHEMA_ON_OFF("explicit-proxy", NULL),
	SCHEMA_ON_OFF("fabric-object", "disable"),
	SCHEMA_STR("fqdn", 255, NULL),
	SCHEMA_RAW("helper", "auto"),
	{ .name = "icmpcode",
	  .type = ST_INT,
	  .min = 0,
	  .max = 255,
	  .flags = SA_USED },
	{ .name = "icmptype",
	  .type = ST_INT,
	  .min = 0,
	  .max = 4294967295,
	  .flags = SA_USED },
	SCHEMA_RAW("iprange", "0.0.0.0"),
	{ .name = "protocol",
	  .type = ST_ENUM,
	  .enums = service_custom_protocol,
	  .def = "TCP/UDP/SCTP",
	  .flags = SA_USED },
	{ .name = "protocol-number",
	  .type = ST_INT,
	  .def = "0",
	  .min = 0,
	  .max = 254,
	  .flags = SA_USED },
	SCHEMA_ON_OFF("proxy", "disable"),
	{ .name = "sctp-portrange", .type = ST_PORTRANGES, .flags = SA_USED },
	SCHEMA_RAW("session-ttl", "0"),
	SCHEMA_INT("tcp-halfclose-timer", 0, 86400, "0"),
	SCHEMA_INT("tcp-halfopen-timer", 0, 86400, "0"),
	{ .name = "tcp-portrange", .type = ST_PORTRANGES, .flags = SA_USED },
	SCHEMA_INT("tcp-rst-timer", 0, 300, "0"),
	SCHEMA_INT("tcp-timewait-timer", 0, 300, "0"),
	SCHEMA_INT("udp-idle-timer", 0, 86400, "0"),
	{ .name = "udp-portrange", .type = ST_PORTRANGES, .flags = SA_USED },
	{ .name = "udplite-portrange",
	  .type = ST_PORTRANGES,
	  .flags = SA_USED },
	{ .name = "uuid", .type = ST_UUID, .flags = SA_USED },
	SCHEMA_ON_OFF("visibility", NULL),
};

static const struct schema_attr service_group_attrs[] = {
	SCHEMA_INT("color", 0, 32, "0"),
	{ .name = "comment", .type = ST_STRING, .max = 255, .flags = SA_USED },
	SCHEMA_ON_OFF("explicit-proxy", NULL),
	SCHEMA_ON_OFF("fabric-object", "disable"),
	{ .name = "member", .type = ST_NAMES, .max = 79, .flags = SA_USED },
	SCHEMA_ON_OFF("proxy", "disable"),
	{ .name = "uuid", .type = ST_UUID, .flags = SA_USED },
};

static const struct schema_attr schedule_onetime_attrs[] = {
	SCHEMA_INT("color", 0, 32, "0"),
	{ .name = "end",
	  .type = ST_DATETIME,
	  .def = "00:00 2001/01/01",
	  .flags = SA_USED },
	SCHEMA_RAW("end-utc", NULL),
	SCHEMA_INT("expiration-days", 0, 100, "3"),
	SCHEMA_ON_OFF("fabric-object", "disable"),
	{ .name = "start",
	  .type = ST_DATETIME,
	  .def = "00:00 2001/01/01",
	  .flags = SA_USED },
	SCHEMA_RAW("start-utc", NULL),
	{ .name = "uuid", .type = ST_UUID, .flags = SA_USED },
};

static const struct schema_attr schedule_recurring_attrs[] = {
	SCHEMA_INT("color", 0, 32, "0"),
	{ .name = "day",
	  .type = ST_ENUMS,
	  .enums = schedule_recurring_day,
	  .def = "none",
	  .flags = SA_USED },
	{ .name = "end", .type = ST_TIME, .def = "00:00", .flags = SA_USED },
	SCHEMA_ON_OFF("fabric-object", "disable"),
	{ .name = "label-day",
	  .type = ST_ENUM,
	  .enums = schedule_recurring_label_day,
	  .def = "none" },
	{ .name = "start", .type = ST_TIME, .def = "00:00", .flags = SA_USED },
	{ .name = "uuid", .type = ST_UUID, .flags = SA_USED },
};

static const struct schema_attr schedule_group_attrs[] = {
	SCHEMA_INT("color", 0, 32, "0"),
	SCHEMA_ON_OFF("fabric-object", "disable"),
	{ .name = "member", .type = ST_NAMES, .max = 79, .flags = SA_USED },
	{ .name = "uuid", .type = ST_UUID, .flags = SA_USED },
};

static const struct schema_attr local_in_policy_attrs[] = {
	{ .name = "action",
	  .type = ST_ENUM,
	  .enums = local_in_policy_action,
	  .def = "deny",
	  .flags = SA_USED },
	{ .name = "comments",
	  .type = ST_STRING,
	  .max = 1023,
	  .flags = SA_USED },
	SCHEMA_RAW("custom-tags", NULL),
	{ .name = "dstaddr",
	  .type = ST_NAMES,
	  .max = 79,
	  .flags = SA_USED | SA_REQUIRED },
	{ .name = "dstaddr-negate",
	  .type = ST_ENUM,
	  .enums = schema_enable_disable,
	  .def = "disable",
	  .flags = SA_USED },
	SCHEMA_ON_OFF("ha-mgmt-intf-only", "disable"),
	SCHEMA_ON_OFF("internet-service-src", "disable"),
	SCHEMA_RAW("internet-service-src-custom", NULL),
	SCHEMA_RAW("internet-service-src-custom-group", NULL),
	SCHEMA_RAW("internet-service-src-fortiguard", NULL),
	SCHEMA_RAW("internet-service-src-group", NULL),
	SCHEMA_RAW("internet-service-src-name", NULL),
	SCHEMA_ON_OFF("internet-service-src-negate", "disable"),
	{ .name = "intf",
	  .type = ST_NAMES,
	  .max = 79,
	  .flags = SA_USED | SA_REQUIRED },
	{ .name = "logtraffic",
	  .type = ST_ENUM,
	  .enums = schema_enable_disable,
	  .def = "disable",
	  .flags = SA_USED },
	{ .name = "schedule",
	  .type = ST_STRING,
	  .max = 35,
	  .flags = SA_USED | SA_REQUIRED },
	{ .name = "service",
	  .type = ST_NAMES,
	  .max = 79,
	  .flags = SA_USED | SA_REQUIRED },
	{ .name = "service-negate",
	  .type = ST_ENUM,
	  .enums = schema_enable_disable,
	  .def = "disable",
	  .flags = SA_USED },
	{ .name = "srcaddr",
	  .type = ST_NAMES,
	  .max = 79,
	  .flags = SA_USED | SA_REQUIRED },
	{ .name = "srcaddr-negate",
	  .type = ST_ENUM,
	  .enums = schema_enable_disable,
	  .def = "disable",
	  .flags = SA_USED },
	{ .name = "status",
	  .type = ST_ENUM,
	  .enums = schema_enable_disable,
	  .def = "enable",
	  .flags = SA_USED },
	{ .name = "uuid", .type = ST_UUID, .flags = SA_USED },
	SCHEMA_ON_OFF("virtual-patch", "disable"),
};

static const struct schema_attr local_in_policy6_attrs[] = {
	{ .name = "action",
	  .type = ST_ENUM,
	  .enums = local_in_policy_action,
	  .def = "deny",
	  .flags = SA_USED },
	{ .name = "comments",
	  .type = ST_STRING,
	  .max = 1023,
	  .flags = SA_USED },
	SCHEMA_RAW("custom-tags", NULL),
	{ .name = "dstaddr",
	  .type = ST_NAMES,
	  .max = 79,
	  .flags = SA_USED | SA_REQUIRED },
	{ .name = "dstaddr-negate",
	  .type = ST_ENUM,
	  .enums = schema_enable_disable,
	  .def = "disable",
	  .flags = SA_USED },
	SCHEMA_ON_OFF("internet-service6-src", "disable"),
	SCHEMA_RAW("internet-service6-src-custom", NULL),
	SCHEMA_RAW("internet-service6-src-custom-group", NULL),
	SCHEMA_RAW("internet-service6-src-fortiguard", NULL),
	SCHEMA_RAW("internet-service6-src-group", NULL),
	SCHEMA_RAW("internet-service6-src-name", NULL),
	SCHEMA_ON_OFF("internet-service6-src-negate", "disable"),
	{ .name = "intf",
	  .type = ST_NAMES,
	  .max = 79,
	  .flags = SA_USED | SA_REQUIRED },
	{ .name = "logtraffic",
	  .type = ST_ENUM,
	  .enums = schema_enable_disable,
	  .def = "disable",
	  .flags = SA_USED },
	{ .name = "schedule",
	  .type = ST_STRING,
	  .max = 35,
	  .flags = SA_USED | SA_REQUIRED },
	{ .name = "service",
	  .type = ST_NAMES,
	  .max = 79,
	  .flags = SA_USED | SA_REQUIRED },
	{ .name = "service-negate",
	  .type = ST_ENUM,
	  .enums = schema_enable_disable,
	  .def = "disable",
	  .flags = SA_USED },
	{ .name = "srcaddr",
	  .type = ST_NAMES,
	  .max = 79,
	  .flags = SA_USED | SA_REQUIRED },
	{ .name = "srcaddr-negate",
	  .type = ST_ENUM,
	  .enums = schema_enable_disable,
	  .def = "disable",
	  .flags = SA_USED },
	{ .name = "status",
	  .type = ST_ENUM,
	  .enums = schema_enable_disable,
	  .def = "enable",
	  .flags = SA_USED },
	{ .name = "uuid", .type = ST_UUID, .flags = SA_USED },
	SCHEMA_ON_OFF("virtual-patch", "disable"),
};

const struct schema_section schema_firewall_address = {
	.path = "firewall address",
	.key = SK_NAME,
	.max_key_len = 79,
	.attrs = address_attrs,
	.nr_attrs = ARRAY_SIZE(address_attrs),
};

const struct schema_section schema_firewall_address6 = {
	.path = "firewall address6",
	.key = SK_NAME,
	.max_key_len = 79,
	.attrs = address6_attrs,
	.nr_attrs = ARRAY_SIZE(address6_attrs),
};

const struct schema_section schema_firewall_addrgrp = {
	.path = "firewall addrgrp",
	.key = SK_NAME,
	.max_key_len = 79,
	.attrs = addrgrp_attrs,
	.nr_attrs = ARRAY_SIZE(addrgrp_attrs),
};

const struct schema_section schema_firewall_addrgrp6 = {
	.path = "firewall addrgrp6",
	.key = SK_NAME,
	.max_key_len = 79,
	.attrs = addrgrp6_attrs,
	.nr_attrs = ARRAY_SIZE(addrgrp6_attrs),
};

const struct schema_section schema_firewall_service_custom = {
	.path = "firewall service custom",
	.key = SK_NAME,
	.max_key_len = 79,
	.attrs = service_custom_attrs,
	.nr_attrs = ARRAY_SIZE(service_custom_attrs),
};

const struct schema_section schema_firewall_service_group = {
	.path = "firewall service group",
	.key = SK_NAME,
	.max_key_len = 79,
	.attrs = service_group_attrs,
	.nr_attrs = ARRAY_SIZE(service_group_attrs),
};

const struct schema_section schema_firewall_schedule_onetime = {
	.path = "firewall schedule onetime",
	.key = SK_NAME,
	.max_key_len = 31,
	.attrs = schedule_onetime_attrs,
	.nr_attrs = ARRAY_SIZE(schedule_onetime_attrs),
};

const struct schema_section schema_firewall_schedule_recurring = {
	.path = "firewall schedule recurring",
	.key = SK_NAME,
	.max_key_len = 31,
	.attrs = schedule_recurring_attrs,
	.nr_attrs = ARRAY_SIZE(schedule_recurring_attrs),
};

const struct schema_section schema_firewall_schedule_group = {
	.path = "firewall schedule group",
	.key = SK_NAME,
	.max_key_len = 31,
	.attrs = schedule_group_attrs,
	.nr_attrs = ARRAY_SIZE(schedule_group_attrs),
};

const struct schema_section schema_firewall_local_in_policy = {
	.path = "firewall local-in-policy",
	.key = SK_ID,
	.attrs = local_in_policy_attrs,
	.nr_attrs = ARRAY_SIZE(local_in_policy_attrs),
};

const struct schema_section schema_firewall_local_in_policy6 = {
	.path = "firewall local-in-policy6",
	.key = SK_ID,
	.attrs = local_in_policy6_attrs,
	.nr_attrs = ARRAY_SIZE(local_in_policy6_attrs),
};
