// SPDX-License-Identifier: GPL-2.0
/*
 * `config log syslogd setting` / `config log syslogd filter` and the same
 * for syslogd2..syslogd4: names, value lists and defaults of FortiOS
 * 7.6.5 (the schema-generated models log/syslogd/{setting,filter}.py of
 * hfortix-fortios; fortios-reference.md §6.6). localin acts on the
 * attributes marked SA_USED; the TLS, interface and rate attributes are
 * accepted and kept so a real backup loads (enc-algorithm is read: a
 * server that asks for TLS is sent nothing, see objects/syslogd.c). The
 * nested tables (`config custom-field-name`, `config free-style`) are not
 * read: the parser skips them with its "not used by localin" warning.
 *
 * Tables are sorted by name (see schema_tables.h).
 */
#include "conf/schema_tables.h"
#include "conf/schema_log.h"

/* In syslog's numbering: the index is the facility code (local7 = 23). */
const char *const schema_syslog_facilities[] = {
	"kernel", "user",   "mail",   "daemon",	  "auth",   "syslog", "lpr",
	"news",	  "uucp",   "cron",   "authpriv", "ftp",    "ntp",    "audit",
	"alert",  "clock",  "local0", "local1",	  "local2", "local3", "local4",
	"local5", "local6", "local7", NULL,
};
/* The index is the syslog severity. */
const char *const schema_syslog_severities[] = {
	"emergency",	"alert",       "critical", "error", "warning",
	"notification", "information", "debug",	   NULL,
};
const char *const schema_syslog_modes[] = { "udp", "legacy-reliable",
					    "reliable", NULL };
const char *const schema_syslog_formats[] = { "default", "csv",	 "cef",
					      "rfc5424", "json", NULL };
static const char *const enc_algorithms[] = { "high-medium", "high", "low",
					      "disable", NULL };
static const char *const ssl_versions[] = { "default", "SSLv3",	  "TLSv1",
					    "TLSv1-1", "TLSv1-2", "TLSv1-3",
					    NULL };
static const char *const priorities[] = { "default", "low", NULL };
static const char *const if_select[] = { "auto", "sdwan", "specify", NULL };

static const struct schema_attr setting_attrs[] = {
	SCHEMA_STR("certificate", 35, NULL),
	{ .name = "enc-algorithm",
	  .type = ST_ENUM,
	  .enums = enc_algorithms,
	  .def = "disable",
	  .flags = SA_USED },
	{ .name = "facility",
	  .type = ST_ENUM,
	  .enums = schema_syslog_facilities,
	  .def = "local7",
	  .flags = SA_USED },
	{ .name = "format",
	  .type = ST_ENUM,
	  .enums = schema_syslog_formats,
	  .def = "default",
	  .flags = SA_USED },
	SCHEMA_STR("interface", 15, NULL),
	{ .name = "interface-select-method",
	  .type = ST_ENUM,
	  .enums = if_select,
	  .def = "auto" },
	SCHEMA_INT("max-log-rate", 0, 100000, "0"),
	{ .name = "mode",
	  .type = ST_ENUM,
	  .enums = schema_syslog_modes,
	  .def = "udp",
	  .flags = SA_USED },
	{ .name = "port",
	  .type = ST_INT,
	  .min = 0,
	  .max = 65535,
	  .def = "514",
	  .flags = SA_USED },
	{ .name = "priority",
	  .type = ST_ENUM,
	  .enums = priorities,
	  .def = "default" },
	{ .name = "server", .type = ST_STRING, .max = 127, .flags = SA_USED },
	{ .name = "source-ip", .type = ST_STRING, .max = 63, .flags = SA_USED },
	SCHEMA_STR("source-ip-interface", 15, NULL),
	{ .name = "ssl-min-proto-version",
	  .type = ST_ENUM,
	  .enums = ssl_versions,
	  .def = "default" },
	{ .name = "status",
	  .type = ST_ENUM,
	  .enums = schema_enable_disable,
	  .def = "disable",
	  .flags = SA_USED },
	SCHEMA_INT("vrf-select", 0, 511, "0"),
};

static const struct schema_attr filter_attrs[] = {
	SCHEMA_ON_OFF("anomaly", "enable"),
	SCHEMA_ON_OFF("debug", "disable"),
	SCHEMA_ON_OFF("forti-switch", "enable"),
	{ .name = "forward-traffic",
	  .type = ST_ENUM,
	  .enums = schema_enable_disable,
	  .def = "enable",
	  .flags = SA_USED },
	SCHEMA_ON_OFF("gtp", "enable"),
	SCHEMA_ON_OFF("http-transaction", "enable"),
	{ .name = "local-traffic",
	  .type = ST_ENUM,
	  .enums = schema_enable_disable,
	  .def = "enable",
	  .flags = SA_USED },
	SCHEMA_ON_OFF("multicast-traffic", "enable"),
	{ .name = "severity",
	  .type = ST_ENUM,
	  .enums = schema_syslog_severities,
	  .def = "information",
	  .flags = SA_USED },
	SCHEMA_ON_OFF("sniffer-traffic", "enable"),
	SCHEMA_ON_OFF("voip", "enable"),
	SCHEMA_ON_OFF("ztna-traffic", "enable"),
};

#define SYSLOGD_SECTIONS(var, name)                                \
	const struct schema_section schema_log_##var##_setting = { \
		.path = "log " name " setting",                    \
		.key = SK_NONE,                                    \
		.attrs = setting_attrs,                            \
		.nr_attrs = ARRAY_SIZE(setting_attrs),             \
	};                                                         \
	const struct schema_section schema_log_##var##_filter = {  \
		.path = "log " name " filter",                     \
		.key = SK_NONE,                                    \
		.attrs = filter_attrs,                             \
		.nr_attrs = ARRAY_SIZE(filter_attrs),              \
	}

SYSLOGD_SECTIONS(syslogd, "syslogd");
SYSLOGD_SECTIONS(syslogd2, "syslogd2");
SYSLOGD_SECTIONS(syslogd3, "syslogd3");
SYSLOGD_SECTIONS(syslogd4, "syslogd4");

/*
 * `config log eventfilter` (FortiOS 7.6.5 log/eventfilter.py): which event
 * categories are logged. localin writes `vpn` events (the ESP error) and
 * acts on `event` and `vpn`; the rest are accepted and kept.
 */
static const struct schema_attr eventfilter_attrs[] = {
	SCHEMA_ON_OFF("cifs", "enable"),
	SCHEMA_ON_OFF("connector", "enable"),
	SCHEMA_ON_OFF("endpoint", "enable"),
	{ .name = "event",
	  .type = ST_ENUM,
	  .enums = schema_enable_disable,
	  .def = "enable",
	  .flags = SA_USED },
	SCHEMA_ON_OFF("fortiextender", "enable"),
	SCHEMA_ON_OFF("ha", "enable"),
	SCHEMA_ON_OFF("rest-api", "enable"),
	SCHEMA_ON_OFF("router", "enable"),
	SCHEMA_ON_OFF("sdwan", "enable"),
	SCHEMA_ON_OFF("security-rating", "enable"),
	SCHEMA_ON_OFF("switch-controller", "enable"),
	SCHEMA_ON_OFF("system", "enable"),
	SCHEMA_ON_OFF("user", "enable"),
	{ .name = "vpn",
	  .type = ST_ENUM,
	  .enums = schema_enable_disable,
	  .def = "enable",
	  .flags = SA_USED },
	SCHEMA_ON_OFF("wan-opt", "enable"),
	SCHEMA_ON_OFF("web-svc", "enable"),
	SCHEMA_ON_OFF("webproxy", "enable"),
	SCHEMA_ON_OFF("wireless-activity", "enable"),
};

const struct schema_section schema_log_eventfilter = {
	.path = "log eventfilter",
	.key = SK_NONE,
	.attrs = eventfilter_attrs,
	.nr_attrs = ARRAY_SIZE(eventfilter_attrs),
};
