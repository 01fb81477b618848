// SPDX-License-Identifier: GPL-2.0
/*
 * check and replay: resolve the config's FQDNs and fetch its feeds once,
 * then compile with what came back (pipeline.h).
 */
#include <errno.h>
#include <string.h>

#include "util/curl_dl.h"
#include "dyn/engine.h"
#include "pipeline/pipeline.h"

/* Long enough for a DNS server's retries and a slow feed. */
#define ONCE_TIMEOUT_MS 30000

int pipeline_compile_resolved(struct pipeline *p, bool resolve)
{
	struct dyn_table t;
	int err = 0;

	dyn_table_init(&t);
	if (resolve && dyn_wanted(&p->objs)) {
		err = dyn_resolve_once(&t, &p->objs, &p->diags,
				       ONCE_TIMEOUT_MS);
		if (err)
			diag_error(
				&p->diags, NULL,
				"cannot resolve the FQDN and feed addresses: %s%s%s (--no-resolve skips them)",
				strerror(-err), err == -ELIBACC ? ": " : "",
				err == -ELIBACC ? li_curl_error() : "");
		p->objs.dyn = &t;
	}
	if (!err)
		err = pipeline_compile(p);
	p->objs.dyn = NULL;
	dyn_table_free(&t);
	return err;
}

int pipeline_load_resolved(struct pipeline *p, const char *path,
			   const char *vdom, bool resolve)
{
	return pipeline_load_vdom(p, path, vdom, STAGE_RESOLVE) ?:
		       pipeline_compile_resolved(p, resolve);
}
