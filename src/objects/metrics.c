// SPDX-License-Identifier: GPL-2.0
/*
 * config system metrics: localin's own section for the Prometheus
 * endpoint the daemon serves (daemon/metrics.c). The schema checks each
 * value where it is written; the defaults hold when the section is absent.
 */
#include <stdlib.h>

#include "objects/internal.h"

#define METRICS_DEF_ADDR 0x7f000001u /* 127.0.0.1 */
#define METRICS_DEF_PORT 9420

void obj_resolve_metrics(struct resolver *r)
{
	const struct conf_section *sec =
		conf_tree_section(r->t, "system metrics");
	const struct conf_entry *e = sec ? sec->entries : NULL;
	struct obj_metrics *m = &r->cfg->metrics;
	const struct conf_word *w;
	uint32_t v;

	m->enabled = false;
	m->addr = METRICS_DEF_ADDR;
	m->port = METRICS_DEF_PORT;
	if (!e)
		return;
	m->enabled = obj_word_is(r, sec, e, "status", "enable");
	w = obj_word(r, sec, e, "listen-address");
	if (w && parse_ip4(w->text, &v))
		m->addr = v;
	w = obj_word(r, sec, e, "port");
	if (w && parse_u32(w->text, 65535, &v) && v)
		m->port = (uint16_t)v;
}
