// SPDX-License-Identifier: GPL-2.0
/*
 * Schema lookups and the list of top-level sections. The tables themselves
 * live in schema_firewall.c, schema_system.c, schema_global.c and
 * schema_localin.c (localin's own sections).
 */
#include "conf/schema_tables.h"

#include <stdlib.h>
#include <string.h>

const char *const schema_enable_disable[] = { "enable", "disable", NULL };

/* In the order `show` prints them. */
const struct schema_section *const schema_sections[] = {
	&schema_system_global,
	&schema_system_settings,
	&schema_system_interface,
	&schema_system_sa_source,
	&schema_system_sa_check,
	&schema_system_email_server,
	&schema_system_metrics,
	&schema_system_geoip_database,
	&schema_log_setting,
	&schema_log_disk_setting,
	&schema_system_log_file,
	&schema_alertemail_setting,
	&schema_log_eventfilter,
	&schema_log_syslogd_setting,
	&schema_log_syslogd_filter,
	&schema_log_syslogd2_setting,
	&schema_log_syslogd2_filter,
	&schema_log_syslogd3_setting,
	&schema_log_syslogd3_filter,
	&schema_log_syslogd4_setting,
	&schema_log_syslogd4_filter,
	&schema_firewall_address,
	&schema_firewall_address6,
	&schema_firewall_addrgrp,
	&schema_firewall_addrgrp6,
	&schema_firewall_service_custom,
	&schema_firewall_service_group,
	&schema_firewall_schedule_onetime,
	&schema_firewall_schedule_recurring,
	&schema_firewall_schedule_group,
	&schema_firewall_local_in_policy,
	&schema_firewall_local_in_policy6,
};

const size_t schema_nr_sections = ARRAY_SIZE(schema_sections);

/* A handful of sections, looked up once per `config` line: a scan will do. */
const struct schema_section *schema_find_section(const char *path)
{
	size_t i;

	if (!path)
		return NULL;
	for (i = 0; i < schema_nr_sections; i++)
		if (!strcmp(schema_sections[i]->path, path))
			return schema_sections[i];
	return NULL;
}

const struct schema_section *schema_find_sub(const struct schema_section *s,
					     const char *name)
{
	size_t i;

	if (!s || !name)
		return NULL;
	for (i = 0; i < s->nr_subs; i++)
		if (!strcmp(s->subs[i]->path, name))
			return s->subs[i];
	return NULL;
}

static int attr_cmp(const void *key, const void *elem)
{
	const struct schema_attr *a = elem;

	return strcmp(key, a->name);
}

/* Once per `set` line, on configs with 100k objects: bisect. */
const struct schema_attr *schema_find_attr(const struct schema_section *s,
					   const char *name)
{
	if (!s || !name || !s->nr_attrs)
		return NULL;
	return bsearch(name, s->attrs, s->nr_attrs, sizeof(*s->attrs),
		       attr_cmp);
}
