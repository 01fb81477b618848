// SPDX-License-Identifier: GPL-2.0
/*
 * Zones: what a local-in policy's `intf` may name besides an interface.
 * `config system zone` (interface members), the SD-WAN zones of `config
 * system sdwan` (FortiOS 6.4 and later: members each in a zone, by
 * default "virtual-wan-link") and `config system virtual-wan-link`
 * (FortiOS 6.0 to 6.2: every member in the one zone of that name; read
 * as `system sdwan`, its name since 6.4, whose members' zone defaults to
 * that one: schema.c).
 * The SD-WAN sections hold much localin never reads (health checks,
 * rules, SLAs): they are open (schema.h), their other lines pass unseen.
 */
#include "conf/schema_tables.h"

static const char *const zone_intrazone[] = { "allow", "deny", NULL };

static const struct schema_attr zone_attrs[] = {
	SCHEMA_STR("description", 127, NULL),
	{ .name = "interface", .type = ST_NAMES, .max = 35, .flags = SA_USED },
	{ .name = "intrazone",
	  .type = ST_ENUM,
	  .enums = zone_intrazone,
	  .def = "deny" },
};

const struct schema_section schema_system_zone = {
	.path = "system zone",
	.key = SK_NAME,
	.max_key_len = 35,
	.attrs = zone_attrs,
	.nr_attrs = ARRAY_SIZE(zone_attrs),
	.open = true, /* config tagging */
};

/* One SD-WAN member: an interface, in a zone. */
static const struct schema_attr sdwan_member_attrs[] = {
	{ .name = "interface", .type = ST_STRING, .max = 35, .flags = SA_USED },
	SCHEMA_ON_OFF("status", "enable"),
	{ .name = "zone",
	  .type = ST_STRING,
	  .max = 35,
	  .def = "virtual-wan-link",
	  .flags = SA_USED },
};

static const struct schema_section sdwan_members = {
	.path = "members",
	.key = SK_ID,
	.attrs = sdwan_member_attrs,
	.nr_attrs = ARRAY_SIZE(sdwan_member_attrs),
	.open = true,
};

static const struct schema_attr sdwan_zone_attrs[] = {
	SCHEMA_RAW("service-sla-tie-break", NULL),
};

static const struct schema_section sdwan_zone = {
	.path = "zone",
	.key = SK_NAME,
	.max_key_len = 35,
	.attrs = sdwan_zone_attrs,
	.nr_attrs = ARRAY_SIZE(sdwan_zone_attrs),
	.open = true,
};

static const struct schema_section *const sdwan_subs[] = {
	&sdwan_members,
	&sdwan_zone,
};

static const struct schema_attr sdwan_attrs[] = {
	SCHEMA_ON_OFF("status", "disable"),
};

const struct schema_section schema_system_sdwan = {
	.path = "system sdwan",
	.key = SK_NONE,
	.attrs = sdwan_attrs,
	.nr_attrs = ARRAY_SIZE(sdwan_attrs),
	.subs = sdwan_subs,
	.nr_subs = ARRAY_SIZE(sdwan_subs),
	.open = true,
};
