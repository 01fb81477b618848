// SPDX-License-Identifier: GPL-2.0
/*
 * check and replay: resolve the config's FQDNs and fetch its feeds once,
 * then compile with what came back (pipeline.h).
 */
#include "dyn/engine.h"
#include "pipeline/pipeline.h"

/* Long enough for a DNS server's retries and a slow feed. */
#define ONCE_TIMEOUT_MS 30000

int pipeline_load_resolved(struct pipeline *p, const char *path, bool resolve)
{
	struct dyn_table t;
	int err;

	err = pipeline_load(p, path, STAGE_RESOLVE);
	if (err)
		return err;
	dyn_table_init(&t);
	if (resolve && dyn_wanted(&p->objs)) {
		err = dyn_resolve_once(&t, &p->objs, &p->diags,
				       ONCE_TIMEOUT_MS);
		if (err)
			diag_error(
				&p->diags, NULL,
				"cannot resolve the FQDN addresses: out of memory");
		p->objs.dyn = &t;
	}
	if (!err)
		err = pipeline_compile(p);
	p->objs.dyn = NULL;
	dyn_table_free(&t);
	return err;
}
