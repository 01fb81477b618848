/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The value lists of `config log syslogd* setting/filter` (schema_log.c),
 * for the resolver: each word's index is what it means on the wire
 * (facility code, severity) or the obj_config enum value.
 */
#ifndef LOCALIN_CONF_SCHEMA_LOG_H
#define LOCALIN_CONF_SCHEMA_LOG_H

extern const char *const schema_syslog_facilities[];
extern const char *const schema_syslog_severities[];
extern const char *const schema_syslog_modes[];
extern const char *const schema_syslog_formats[];

#endif
