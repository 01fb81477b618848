// SPDX-License-Identifier: GPL-2.0
/*
 * Alert e-mail: `config alertemail setting` (what is mailed, to whom, how
 * often) and `config system email-server` (the SMTP server it goes
 * through). Names, ranges and defaults are FortiOS 7.6.5's (its CLI
 * schema; see README "Alert e-mail"). localin acts on the SA_USED ones;
 * the category toggles for features localin has not (antivirus, HA, ...)
 * are kept and printed, without effect.
 *
 * Tables are sorted by name in strcmp() order (see schema_tables.h).
 */
#include "conf/schema_tables.h"

static const char *const alert_filter_modes[] = { "category", "threshold",
						  NULL };
static const char *const alert_severities[] = {
	"emergency",	"alert",       "critical", "error", "warning",
	"notification", "information", "debug",	   NULL
};
static const char *const mail_security[] = { "none", "starttls", "smtps",
					     NULL };
static const char *const mail_ssl_versions[] = {
	"default", "SSLv3", "TLSv1", "TLSv1-1", "TLSv1-2", "TLSv1-3", NULL
};
static const char *const mail_intf_methods[] = { "auto", "sdwan", "specify",
						 NULL };
static const char *const mail_types[] = { "custom", NULL };

#define ALERT_INTERVAL(n, d)                                         \
	{                                                            \
		.name = (n), .type = ST_INT, .min = 1, .max = 99999, \
		.def = (d), .flags = SA_USED                         \
	}
#define ALERT_ADDR(n)                                                       \
	{                                                                   \
		.name = (n), .type = ST_STRING, .max = 63, .flags = SA_USED \
	}

static const struct schema_attr alertemail_attrs[] = {
	SCHEMA_INT("FDS-license-expiring-days", 1, 100, "15"),
	SCHEMA_ON_OFF("FDS-license-expiring-warning", "disable"),
	SCHEMA_ON_OFF("FDS-update-logs", "disable"),
	SCHEMA_ON_OFF("FIPS-CC-errors", "disable"),
	SCHEMA_ON_OFF("FSSO-disconnect-logs", "disable"),
	SCHEMA_ON_OFF("HA-logs", "disable"),
	SCHEMA_ON_OFF("IPS-logs", "disable"),
	/* category mode: localin's ESP error lines (0101037131) */
	{ .name = "IPsec-errors-logs",
	  .type = ST_ENUM,
	  .enums = schema_enable_disable,
	  .def = "disable",
	  .flags = SA_USED },
	SCHEMA_ON_OFF("PPP-errors-logs", "disable"),
	SCHEMA_ON_OFF("admin-login-logs", "disable"),
	ALERT_INTERVAL("alert-interval", "2"),
	SCHEMA_ON_OFF("amc-interface-bypass-mode", "disable"),
	SCHEMA_ON_OFF("antivirus-logs", "disable"),
	SCHEMA_ON_OFF("configuration-changes-logs", "disable"),
	ALERT_INTERVAL("critical-interval", "3"),
	ALERT_INTERVAL("debug-interval", "60"),
	ALERT_INTERVAL("email-interval", "5"),
	ALERT_INTERVAL("emergency-interval", "1"),
	ALERT_INTERVAL("error-interval", "5"),
	{ .name = "filter-mode",
	  .type = ST_ENUM,
	  .enums = alert_filter_modes,
	  .def = "category",
	  .flags = SA_USED },
	SCHEMA_ON_OFF("firewall-authentication-failure-logs", "disable"),
	SCHEMA_ON_OFF("fortiguard-log-quota-warning", "disable"),
	ALERT_INTERVAL("information-interval", "30"),
	SCHEMA_INT("local-disk-usage", 1, 99, "75"),
	SCHEMA_ON_OFF("log-disk-usage-warning", "disable"),
	ALERT_ADDR("mailto1"),
	ALERT_ADDR("mailto2"),
	ALERT_ADDR("mailto3"),
	ALERT_INTERVAL("notification-interval", "20"),
	{ .name = "severity",
	  .type = ST_ENUM,
	  .enums = alert_severities,
	  .def = "alert",
	  .flags = SA_USED },
	SCHEMA_ON_OFF("ssh-logs", "disable"),
	SCHEMA_ON_OFF("sslvpn-authentication-errors-logs", "disable"),
	ALERT_ADDR("username"),
	/* category mode: localin's denied traffic lines (0001000014) */
	{ .name = "violation-traffic-logs",
	  .type = ST_ENUM,
	  .enums = schema_enable_disable,
	  .def = "disable",
	  .flags = SA_USED },
	ALERT_INTERVAL("warning-interval", "10"),
	SCHEMA_ON_OFF("webfilter-logs", "disable"),
};

static const struct schema_attr email_server_attrs[] = {
	{ .name = "authenticate",
	  .type = ST_ENUM,
	  .enums = schema_enable_disable,
	  .def = "disable",
	  .flags = SA_USED },
	SCHEMA_STR("interface", 15, NULL),
	{ .name = "interface-select-method",
	  .type = ST_ENUM,
	  .enums = mail_intf_methods,
	  .def = "auto" },
	/* never printed in clear: `show` writes it as ENC <base64> */
	{ .name = "password", .type = ST_RAW, .flags = SA_USED | SA_SECRET },
	{ .name = "port",
	  .type = ST_INT,
	  .min = 1,
	  .max = 65535,
	  .def = "25",
	  .flags = SA_USED },
	{ .name = "security",
	  .type = ST_ENUM,
	  .enums = mail_security,
	  .def = "none",
	  .flags = SA_USED },
	{ .name = "server", .type = ST_STRING, .max = 63, .flags = SA_USED },
	{ .name = "source-ip",
	  .type = ST_IP4,
	  .def = "0.0.0.0",
	  .flags = SA_USED },
	{ .name = "source-ip6", .type = ST_IP6, .def = "::", .flags = SA_USED },
	{ .name = "ssl-min-proto-version",
	  .type = ST_ENUM,
	  .enums = mail_ssl_versions,
	  .def = "default",
	  .flags = SA_USED },
	{ .name = "type",
	  .type = ST_ENUM,
	  .enums = mail_types,
	  .def = "custom" },
	{ .name = "username", .type = ST_STRING, .max = 255, .flags = SA_USED },
	{ .name = "validate-server",
	  .type = ST_ENUM,
	  .enums = schema_enable_disable,
	  .def = "disable",
	  .flags = SA_USED },
	SCHEMA_INT("vrf-select", 0, 511, "0"),
};

const struct schema_section schema_alertemail_setting = {
	.path = "alertemail setting",
	.key = SK_NONE,
	.attrs = alertemail_attrs,
	.nr_attrs = ARRAY_SIZE(alertemail_attrs),
};

const struct schema_section schema_system_email_server = {
	.path = "system email-server",
	.key = SK_NONE,
	.attrs = email_server_attrs,
	.nr_attrs = ARRAY_SIZE(email_server_attrs),
};
