// SPDX-License-Identifier: GPL-2.0
/*
 * Schema of `config system external-resource` (threat feeds) and `config
 * system dns` (the servers FQDN addresses are resolved with). Names and
 * defaults follow FortiOS 7.6; localin reads the SA_USED ones (type
 * address feeds only; the other feed types load and are not used).
 * fqdn-min-refresh accepts 1 and up (FortiOS: 10), so a lab can use
 * short TTLs.
 *
 * Tables are sorted by name (see schema_tables.h).
 */
#include "conf/schema_tables.h"

static const char *const ext_res_types[] = {
	"category", "domain", "malware", "address", "mac-address", "data", NULL,
};

static const char *const ext_res_identity[] = {
	"none",
	"basic",
	"full",
	NULL,
};

static const struct schema_attr ext_res_attrs[] = {
	SCHEMA_STR("address-comment-field", 511, NULL),
	SCHEMA_STR("address-data-field", 511, NULL),
	SCHEMA_STR("address-name-field", 511, NULL),
	SCHEMA_INT("category", 0, 255, "0"),
	SCHEMA_STR("client-cert", 79, NULL),
	SCHEMA_ON_OFF("client-cert-auth", "disable"),
	SCHEMA_STR("comments", 255, NULL),
	SCHEMA_STR("interface", 15, NULL),
	SCHEMA_RAW("interface-select-method", "auto"),
	SCHEMA_STR("namespace", 15, NULL),
	SCHEMA_STR("object-array-path", 511, NULL),
	{ .name = "password", .type = ST_RAW, .flags = SA_USED | SA_SECRET },
	{ .name = "refresh-rate",
	  .type = ST_INT,
	  .min = 1,
	  .max = 43200,
	  .def = "5",
	  .flags = SA_USED },
	{ .name = "resource", .type = ST_STRING, .max = 511, .flags = SA_USED },
	{ .name = "server-identity-check",
	  .type = ST_ENUM,
	  .enums = ext_res_identity,
	  .def = "none",
	  .flags = SA_USED },
	{ .name = "source-ip", .type = ST_IP4, .flags = SA_USED },
	{ .name = "status",
	  .type = ST_ENUM,
	  .enums = schema_enable_disable,
	  .def = "enable",
	  .flags = SA_USED },
	{ .name = "type",
	  .type = ST_ENUM,
	  .enums = ext_res_types,
	  .def = "category",
	  .flags = SA_USED },
	SCHEMA_RAW("update-method", "feed"),
	SCHEMA_STR("user-agent", 255, NULL),
	{ .name = "username", .type = ST_STRING, .max = 64, .flags = SA_USED },
	SCHEMA_RAW("uuid", NULL),
	SCHEMA_INT("vrf-select", 0, 511, "0"),
};

static const struct schema_attr dns_attrs[] = {
	SCHEMA_STR("alt-primary", 45, NULL),
	SCHEMA_STR("alt-secondary", 45, NULL),
	SCHEMA_ON_OFF("cache-notfound-responses", "disable"),
	SCHEMA_INT("dns-cache-limit", 0, 4294967295, "5000"),
	SCHEMA_INT("dns-cache-ttl", 60, 86400, "1800"),
	SCHEMA_RAW("domain", NULL),
	SCHEMA_INT("fqdn-cache-ttl", 0, 86400, "0"),
	{ .name = "fqdn-max-refresh",
	  .type = ST_INT,
	  .min = 1,
	  .max = 86400,
	  .def = "3600",
	  .flags = SA_USED },
	{ .name = "fqdn-min-refresh",
	  .type = ST_INT,
	  .min = 1,
	  .max = 3600,
	  .def = "60",
	  .flags = SA_USED },
	SCHEMA_STR("interface", 15, NULL),
	SCHEMA_RAW("interface-select-method", "auto"),
	{ .name = "ip6-primary", .type = ST_IP6, .flags = SA_USED },
	{ .name = "ip6-secondary", .type = ST_IP6, .flags = SA_USED },
	SCHEMA_RAW("log", "disable"),
	{ .name = "primary", .type = ST_IP4, .flags = SA_USED },
	SCHEMA_RAW("protocol", "cleartext"),
	{ .name = "retry",
	  .type = ST_INT,
	  .min = 0,
	  .max = 5,
	  .def = "2",
	  .flags = SA_USED },
	SCHEMA_RAW("root-servers", NULL),
	{ .name = "secondary", .type = ST_IP4, .flags = SA_USED },
	SCHEMA_RAW("server-hostname", NULL),
	SCHEMA_RAW("server-select-method", "least-rtt"),
	SCHEMA_RAW("source-ip", "0.0.0.0"),
	SCHEMA_STR("ssl-certificate", 35, NULL),
	{ .name = "timeout",
	  .type = ST_INT,
	  .min = 1,
	  .max = 10,
	  .def = "5",
	  .flags = SA_USED },
};

const struct schema_section schema_system_external_resource = {
	.path = "system external-resource",
	.key = SK_NAME,
	.max_key_len = 35,
	.attrs = ext_res_attrs,
	.nr_attrs = ARRAY_SIZE(ext_res_attrs),
};

const struct schema_section schema_system_dns = {
	.path = "system dns",
	.key = SK_NONE,
	.attrs = dns_attrs,
	.nr_attrs = ARRAY_SIZE(dns_attrs),
};
