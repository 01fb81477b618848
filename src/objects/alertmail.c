// SPDX-License-Identifier: GPL-2.0
/*
 * `config alertemail setting` and `config system email-server` into
 * struct obj_alertmail: who gets which log lines by mail, how often, and
 * through which SMTP server (the daemon's src/daemon/alertmail.c sends).
 */
#include <stdlib.h>
#include <string.h>

#include "objects/internal.h"

static const char *const level_intervals[8] = {
	"emergency-interval",	"alert-interval",   "critical-interval",
	"error-interval",	"warning-interval", "notification-interval",
	"information-interval", "debug-interval",
};

static const char *const levels[8] = {
	"emergency", "alert",	     "critical",    "error",
	"warning",   "notification", "information", "debug",
};

static unsigned int word_uint(struct resolver *r,
			      const struct conf_section *sec,
			      const struct conf_entry *e, const char *name)
{
	const struct conf_word *w = obj_word(r, sec, e, name);

	return w ? (unsigned int)strtoul(w->text, NULL, 10) : 0;
}

static const char *word_text(struct resolver *r, const struct conf_section *sec,
			     const struct conf_entry *e, const char *name)
{
	const struct conf_word *w = obj_word(r, sec, e, name);

	return w && *w->text ? w->text : NULL;
}

static void resolve_email_server(struct resolver *r, struct obj_alertmail *m)
{
	const struct conf_section *sec =
		conf_tree_section(r->t, "system email-server");
	const struct conf_entry *e = sec ? sec->entries : NULL;
	const char *s;
	bool refused;

	if (!e)
		return;
	m->server = word_text(r, sec, e, "server");
	m->port = word_uint(r, sec, e, "port");
	s = word_text(r, sec, e, "security");
	m->security = !s || !strcmp(s, "none") ? OBJ_MAIL_NONE :
		      !strcmp(s, "starttls")   ? OBJ_MAIL_STARTTLS :
						 OBJ_MAIL_SMTPS;
	m->authenticate = obj_word_is(r, sec, e, "authenticate", "enable");
	m->validate_server =
		obj_word_is(r, sec, e, "validate-server", "enable");
	m->user = word_text(r, sec, e, "username");
	m->password =
		obj_password(r, sec, e, "email-server", true,
			     "alert mail is sent without logging in", &refused);
	if (refused)
		m->authenticate = false;
	s = word_text(r, sec, e, "source-ip");
	if (s && strcmp(s, "0.0.0.0"))
		m->source_ip = s;
	s = word_text(r, sec, e, "source-ip6");
	if (!m->source_ip && s && strcmp(s, "::"))
		m->source_ip = s;
	m->ssl_min = word_text(r, sec, e, "ssl-min-proto-version");
	if (m->authenticate && !m->user)
		diag_warn(
			r->dl, &e->loc,
			"email-server: authenticate is enabled without a username; alert mail is sent without logging in");
}

void obj_resolve_alertmail(struct resolver *r)
{
	struct obj_alertmail *m = &r->cfg->alertmail;
	const struct conf_section *sec =
		conf_tree_section(r->t, "alertemail setting");
	const struct conf_entry *e = sec ? sec->entries : NULL;
	const char *s;
	unsigned int i;

	resolve_email_server(r, m);
	if (!e)
		return;
	m->from = word_text(r, sec, e, "username");
	for (i = 0; i < 3; i++) {
		char name[8] = "mailto1";

		name[6] = (char)('1' + i);
		s = word_text(r, sec, e, name);
		if (s)
			m->to[m->nr_to++] = s;
	}
	m->threshold = obj_word_is(r, sec, e, "filter-mode", "threshold");
	s = word_text(r, sec, e, "severity");
	for (i = 0; s && i < 8; i++)
		if (!strcmp(s, levels[i]))
			m->level = i;
	m->ipsec_errors = obj_word_is(r, sec, e, "IPsec-errors-logs", "enable");
	m->violation =
		obj_word_is(r, sec, e, "violation-traffic-logs", "enable");
	m->interval_min = word_uint(r, sec, e, "email-interval");
	for (i = 0; i < 8; i++)
		m->level_interval_min[i] =
			word_uint(r, sec, e, level_intervals[i]);
	if (!m->nr_to)
		return;
	if (!m->from)
		diag_warn(
			r->dl, &e->loc,
			"alertemail setting: mailto is set but username (the From address) is not; no alert mail is sent");
	else if (!m->server)
		diag_warn(
			r->dl, &e->loc,
			"alertemail setting: mailto is set but `config system email-server` has no server; no alert mail is sent");
	else
		m->on = true;
}
