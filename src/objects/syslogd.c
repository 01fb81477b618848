// SPDX-License-Identifier: GPL-2.0
/*
 * `config log syslogd setting` / `config log syslogd filter` and
 * syslogd2..4: the syslog servers the daemon sends its log lines to.
 * Checked here so that `localin check` reports a bad server or source-ip
 * before the daemon would.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/schema_log.h"
#include "objects/internal.h"

static unsigned int word_index(const struct conf_word *w,
			       const char *const *list, unsigned int def)
{
	unsigned int i;

	for (i = 0; w && list[i]; i++)
		if (!strcmp(list[i], w->text))
			return i;
	return def;
}

static int ip_family(const char *s)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, s, buf) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, buf) == 1)
		return 6;
	return 0;
}

/* A DNS name: labels of letters, digits and '-', dot separated. */
static bool host_name_ok(const char *s)
{
	size_t n = strlen(s), i, label = 0;

	if (!n || n > 253)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (!label)
				return false;
			label = 0;
		} else if ((s[i] >= 'a' && s[i] <= 'z') ||
			   (s[i] >= 'A' && s[i] <= 'Z') ||
			   (s[i] >= '0' && s[i] <= '9') || s[i] == '-') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return true;
}

static void resolve_setting(struct resolver *r, const char *name,
			    struct obj_syslogd *o)
{
	char path[40];
	const struct conf_section *sec;
	const struct conf_entry *e;
	const struct conf_word *w;

	snprintf(path, sizeof(path), "log %s setting", name);
	sec = conf_tree_section(r->t, path);
	e = sec ? sec->entries : NULL;
	o->port = 514;
	o->facility = 23;
	if (!e)
		return;
	o->enabled = obj_word_is(r, sec, e, "status", "enable");
	o->mode = word_index(obj_word(r, sec, e, "mode"), schema_syslog_modes,
			     OBJ_SYSLOG_UDP);
	o->format = word_index(obj_word(r, sec, e, "format"),
			       schema_syslog_formats, OBJ_SYSLOG_FMT_DEFAULT);
	o->facility = word_index(obj_word(r, sec, e, "facility"),
				 schema_syslog_facilities, 23);
	w = obj_word(r, sec, e, "port");
	if (w)
		o->port = (unsigned int)strtoul(w->text, NULL, 10);
	w = obj_word(r, sec, e, "server");
	if (w && *w->text) {
		if (!ip_family(w->text) && !host_name_ok(w->text))
			diag_error(
				r->dl, &w->loc,
				"%s: server \"%s\" is neither an IP address nor a host name",
				path, w->text);
		snprintf(o->server, sizeof(o->server), "%s", w->text);
	}
	w = obj_word(r, sec, e, "source-ip");
	if (w && *w->text) {
		int fam = ip_family(w->text), sfam = ip_family(o->server);

		if (!fam)
			diag_error(r->dl, &w->loc,
				   "%s: source-ip \"%s\" is not an IP address",
				   path, w->text);
		else if (sfam && sfam != fam)
			diag_error(
				r->dl, &w->loc,
				"%s: source-ip \"%s\" is IPv%d, server \"%s\" IPv%d",
				path, w->text, fam, o->server, sfam);
		snprintf(o->source_ip, sizeof(o->source_ip), "%s", w->text);
	}
	/*
	 * FortiOS's syslog over TLS. localin has no TLS for syslog: the
	 * lines (addresses, ports, SPIs) would go in clear to a server that
	 * was meant to get them encrypted, and that expects a TLS handshake
	 * anyway. The backup still loads; this server gets nothing, said.
	 */
	w = obj_word(r, sec, e, "enc-algorithm");
	if (o->enabled && w && strcmp(w->text, "disable")) {
		diag_warn(
			r->dl, &w->loc,
			"%s: enc-algorithm %s asks for syslog over TLS, which localin does not have: it sends this server nothing rather than the log lines in clear",
			path, w->text);
		o->enabled = false;
	}
	if (o->enabled && !o->server[0]) {
		struct conf_loc loc = obj_attr_loc(e, "status");

		diag_error(r->dl, &loc, "%s: status enable needs a server",
			   path);
	}
	if (o->enabled && !o->port) {
		struct conf_loc loc = obj_attr_loc(e, "port");

		diag_error(r->dl, &loc, "%s: port 0 cannot be sent to", path);
	}
}

static void resolve_filter(struct resolver *r, const char *name,
			   struct obj_syslogd *o)
{
	char path[40];
	const struct conf_section *sec;
	const struct conf_entry *e;

	snprintf(path, sizeof(path), "log %s filter", name);
	sec = conf_tree_section(r->t, path);
	e = sec ? sec->entries : NULL;
	o->severity = 6;
	o->forward_traffic = o->local_traffic = true;
	if (!e)
		return;
	o->severity = word_index(obj_word(r, sec, e, "severity"),
				 schema_syslog_severities, 6);
	o->forward_traffic =
		obj_word_is(r, sec, e, "forward-traffic", "enable");
	o->local_traffic = obj_word_is(r, sec, e, "local-traffic", "enable");
}

bool obj_syslogd_takes(const struct obj_syslogd *c,
		       const struct obj_eventfilter *ev,
		       enum obj_log_class class, unsigned int level)
{
	if (level > c->severity)
		return false;
	switch (class) {
	case OBJ_LOG_LOCAL_TRAFFIC:
		return c->local_traffic;
	case OBJ_LOG_FORWARD_TRAFFIC:
		return c->forward_traffic;
	case OBJ_LOG_EVENT_VPN:
		return ev->event && ev->vpn;
	default:
		return ev->event;
	}
}

static bool eventfilter_on(struct resolver *r, const char *attr)
{
	const struct conf_section *sec =
		conf_tree_section(r->t, "log eventfilter");
	const struct conf_entry *e = sec ? sec->entries : NULL;

	return !e || obj_word_is(r, sec, e, attr, "enable");
}

void obj_resolve_syslogd(struct resolver *r)
{
	static const char *const names[OBJ_SYSLOGD_MAX] = {
		"syslogd", "syslogd2", "syslogd3", "syslogd4"
	};
	unsigned int i;

	for (i = 0; i < OBJ_SYSLOGD_MAX; i++) {
		memset(&r->cfg->syslogd[i], 0, sizeof(r->cfg->syslogd[i]));
		resolve_setting(r, names[i], &r->cfg->syslogd[i]);
		resolve_filter(r, names[i], &r->cfg->syslogd[i]);
	}
	r->cfg->eventfilter.event = eventfilter_on(r, "event");
	r->cfg->eventfilter.vpn = eventfilter_on(r, "vpn");
}
