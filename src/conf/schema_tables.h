/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to src/conf/schema*.c: the section tables each file defines and
 * the shorthands they are written with. Everything here is const data.
 *
 * Every attribute table is sorted by name in strcmp() order (so "secondary-IP"
 * sorts before "secondaryip"): schema_find_attr() bisects it, and
 * tests/unit/test_schema.c fails on a table out of order or with a
 * duplicate. Keep new entries in place.
 */
#ifndef LOCALIN_CONF_SCHEMA_TABLES_H
#define LOCALIN_CONF_SCHEMA_TABLES_H

#include "conf/schema.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* The common value lists, NULL-terminated. */
extern const char *const schema_enable_disable[];

/*
 * Shorthands for the long tail of attributes localin accepts and keeps but
 * does not act on. Attributes localin reads (SA_USED) are spelled out with
 * full designated initializers so they stand out.
 */
#define SCHEMA_ON_OFF(n, d)                                                   \
	{                                                                     \
		.name = (n), .type = ST_ENUM, .enums = schema_enable_disable, \
		.def = (d)                                                    \
	}
#define SCHEMA_INT(n, lo, hi, d)                                       \
	{                                                              \
		.name = (n), .type = ST_INT, .min = (lo), .max = (hi), \
		.def = (d)                                             \
	}
#define SCHEMA_STR(n, len, d)                                            \
	{                                                                \
		.name = (n), .type = ST_STRING, .max = (len), .def = (d) \
	}
#define SCHEMA_RAW(n, d)                                \
	{                                               \
		.name = (n), .type = ST_RAW, .def = (d) \
	}

/* schema_firewall.c */
extern const struct schema_section schema_firewall_address;
extern const struct schema_section schema_firewall_address6;
extern const struct schema_section schema_firewall_addrgrp;
extern const struct schema_section schema_firewall_addrgrp6;
extern const struct schema_section schema_firewall_service_custom;
extern const struct schema_section schema_firewall_service_group;
extern const struct schema_section schema_firewall_schedule_onetime;
extern const struct schema_section schema_firewall_schedule_recurring;
extern const struct schema_section schema_firewall_schedule_group;
extern const struct schema_section schema_firewall_local_in_policy;
extern const struct schema_section schema_firewall_local_in_policy6;

/* schema_system.c */
extern const struct schema_section schema_system_interface;
extern const struct schema_section schema_system_settings;
extern const struct schema_section schema_log_setting;
extern const struct schema_section schema_log_disk_setting;

/* schema_localin.c */
extern const struct schema_section schema_system_sa_source;
extern const struct schema_section schema_system_sa_check;
extern const struct schema_section schema_system_log_file;
extern const struct schema_section schema_system_geoip_database;

/* schema_alertmail.c */
extern const struct schema_section schema_alertemail_setting;
extern const struct schema_section schema_system_email_server;

/* schema_log.c: syslog servers 1..4 */
extern const struct schema_section schema_log_syslogd_setting;
extern const struct schema_section schema_log_syslogd_filter;
extern const struct schema_section schema_log_syslogd2_setting;
extern const struct schema_section schema_log_syslogd2_filter;
extern const struct schema_section schema_log_syslogd3_setting;
extern const struct schema_section schema_log_syslogd3_filter;
extern const struct schema_section schema_log_syslogd4_setting;
extern const struct schema_section schema_log_syslogd4_filter;
extern const struct schema_section schema_log_eventfilter;
extern const struct schema_section schema_system_metrics;

/* schema_dyn.c: threat feeds, DNS servers */
extern const struct schema_section schema_system_external_resource;
extern const struct schema_section schema_system_dns;
/* schema_zone.c */
extern const struct schema_section schema_system_zone;
extern const struct schema_section schema_system_sdwan;

/* schema_global.c */
extern const struct schema_section schema_system_global;

#endif
