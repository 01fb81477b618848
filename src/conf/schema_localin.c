// SPDX-License-Identifier: GPL-2.0
/*
 * Sections of localin's own, in FortiOS style, for what FortiOS does
 * inside its own IKE daemon and Linux leaves to others: where the live
 * SAs come from (`config system sa-source`) and how the SPI check treats
 * SAs that just went away and packets from an unexpected address
 * (`config system sa-check`); what FortiOS's own log disk decides and
 * `config log disk setting` has no word for (`config system log-file`:
 * how many rolled files to keep, JSON lines); and what FortiOS has no
 * counterpart of: the Prometheus metrics endpoint (`config system
 * metrics`), and the country databases geography addresses read
 * (`config system geoip-database`; FortiOS has its own, built in). A FortiGate
 * backup has none of these sections.
 *
 * Tables are sorted by name (see schema_tables.h).
 */
#include "conf/schema_tables.h"

static const char *const sa_source_types[] = { "file", "vici", "xfrm", NULL };
static const char *const sa_wrong_peer_actions[] = { "accept", "deny", NULL };

static const char *const log_file_formats[] = { "default", "json", NULL };

static const struct schema_attr log_file_attrs[] = {
	/* default: FortiOS key=value lines; json: one JSON object a line */
	{ .name = "format",
	  .type = ST_ENUM,
	  .enums = log_file_formats,
	  .def = "default",
	  .flags = SA_USED },
	/* FILE.1 .. FILE.N kept when the log file rolls; 0: none */
	{ .name = "rolled-files",
	  .type = ST_INT,
	  .min = 0,
	  .max = 1000,
	  .def = "10",
	  .flags = SA_USED },
};

static const struct schema_attr sa_source_attrs[] = {
	/* vici: the socket (default /var/run/charon.vici); file: the SA file */
	{ .name = "path", .type = ST_STRING, .max = 255, .flags = SA_USED },
	{ .name = "status",
	  .type = ST_ENUM,
	  .enums = schema_enable_disable,
	  .def = "enable",
	  .flags = SA_USED },
	{ .name = "type",
	  .type = ST_ENUM,
	  .enums = sa_source_types,
	  .flags = SA_USED | SA_REQUIRED },
};

static const struct schema_attr sa_check_attrs[] = {
	/* seconds a deleted or rekeyed SA's SPI stays valid */
	{ .name = "grace-period",
	  .type = ST_INT,
	  .min = 0,
	  .max = 86400,
	  .def = "30",
	  .flags = SA_USED },
	/* ESP with a live SPI from an address that is not the SA's peer */
	{ .name = "wrong-peer-action",
	  .type = ST_ENUM,
	  .enums = sa_wrong_peer_actions,
	  .def = "accept",
	  .flags = SA_USED },
};

/* Off by default; on, the loopback only unless the admin says otherwise. */
static const struct schema_attr metrics_attrs[] = {
	{ .name = "listen-address",
	  .type = ST_IP4,
	  .def = "127.0.0.1",
	  .flags = SA_USED },
	{ .name = "port",
	  .type = ST_INT,
	  .min = 1,
	  .max = 65535,
	  .def = "9420",
	  .flags = SA_USED },
	{ .name = "status",
	  .type = ST_ENUM,
	  .enums = schema_enable_disable,
	  .def = "disable",
	  .flags = SA_USED },
};

/*
 * path: a .mmdb (both families) or a GeoIP legacy .dat; path6: the IPv6
 * one when path does not hold it. Unset: Debian's geoip-database.
 */
static const struct schema_attr geoip_database_attrs[] = {
	{ .name = "path", .type = ST_STRING, .max = 255, .flags = SA_USED },
	{ .name = "path6", .type = ST_STRING, .max = 255, .flags = SA_USED },
};

const struct schema_section schema_system_sa_source = {
	.path = "system sa-source",
	.key = SK_NAME,
	.max_key_len = 35,
	.attrs = sa_source_attrs,
	.nr_attrs = ARRAY_SIZE(sa_source_attrs),
};

const struct schema_section schema_system_sa_check = {
	.path = "system sa-check",
	.key = SK_NONE,
	.attrs = sa_check_attrs,
	.nr_attrs = ARRAY_SIZE(sa_check_attrs),
};

const struct schema_section schema_system_log_file = {
	.path = "system log-file",
	.key = SK_NONE,
	.attrs = log_file_attrs,
	.nr_attrs = ARRAY_SIZE(log_file_attrs),
};

const struct schema_section schema_system_metrics = {
	.path = "system metrics",
	.key = SK_NONE,
	.attrs = metrics_attrs,
	.nr_attrs = ARRAY_SIZE(metrics_attrs),
};

const struct schema_section schema_system_geoip_database = {
	.path = "system geoip-database",
	.key = SK_NONE,
	.attrs = geoip_database_attrs,
	.nr_attrs = ARRAY_SIZE(geoip_database_attrs),
};
