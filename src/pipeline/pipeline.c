// SPDX-License-Identifier: GPL-2.0
#include "pipeline/pipeline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf/parser.h"

/* A multi-VDOM file's diagnostics say which VDOM their line is in. */
static void name_vdoms(struct pipeline *p)
{
	size_t i;

	if (!p->tree.multi_vdom)
		return;
	for (i = 0; i < p->diags.nr; i++) {
		struct diag *d = &p->diags.items[i];
		const char *v = conf_tree_vdom_at(&p->tree, &d->loc);

		if (v)
			d->msg = arena_printf(&p->arena, "vdom %s: %s", v,
					      d->msg);
	}
}

static int stages(struct pipeline *p, const struct conf_source *src,
		  enum pipeline_stage upto);

static int run(struct pipeline *p, const struct conf_source *src,
	       enum pipeline_stage upto)
{
	int err;

	p->src = src;
	err = stages(p, src, upto);

	name_vdoms(p);
	return err;
}

static int stages(struct pipeline *p, const struct conf_source *src,
		  enum pipeline_stage upto)
{
	int err;

	err = conf_load(&p->tree, src, &p->diags);
	if (upto == STAGE_PARSE)
		return err;
	/*
	 * Resolve even after syntax errors, so one run reports the unknown
	 * references too; entries with a failed line are marked broken and
	 * do not add "X is required" on top.
	 */
	err = objects_resolve(&p->tree, &p->objs, &p->diags) ?: err;
	if (err || upto == STAGE_RESOLVE)
		return err;
	return pipeline_compile(p);
}

int pipeline_compile(struct pipeline *p)
{
	unsigned int errors;
	int err;

	errors = p->diags.errors;
	err = ruleset_compile(&p->objs, &p->rs, &p->diags);
	/* What the compiler cannot explain is a failed allocation: say so. */
	if (err && p->diags.errors == errors)
		diag_error(&p->diags, NULL, "cannot compile the policies: %s",
			   strerror(-err));
	p->compiled = !err;
	return err;
}

static void init(struct pipeline *p)
{
	memset(p, 0, sizeof(*p));
	arena_init(&p->arena);
	diag_init(&p->diags, &p->arena);
	/* A broken file can have an error per line: enough to act on. */
	p->diags.max_errors = 100;
	conf_tree_init(&p->tree, &p->arena);
	p->objs.arena = &p->arena;
}

int pipeline_load(struct pipeline *p, const char *path,
		  enum pipeline_stage upto)
{
	return pipeline_load_vdom(p, path, NULL, upto);
}

int pipeline_load_vdom(struct pipeline *p, const char *path, const char *vdom,
		       enum pipeline_stage upto)
{
	return pipeline_load_file(p, path, vdom, 0, upto);
}

int pipeline_load_file(struct pipeline *p, const char *path, const char *vdom,
		       unsigned int read_flags, enum pipeline_stage upto)
{
	struct conf_source *src;
	const char *why;
	int err;

	init(p);
	p->tree.vdom = vdom ? arena_strdup(&p->arena, vdom) : NULL;
	err = conf_source_read_flags(&p->arena, path, read_flags, &src, &why);
	if (err) {
		diag_error(&p->diags, NULL, "cannot read %s: %s", path, why);
		return err;
	}
	return run(p, src, upto);
}

int pipeline_load_source(struct pipeline *p, const struct conf_source *src,
			 const char *vdom, enum pipeline_stage upto)
{
	init(p);
	p->tree.vdom = vdom ? arena_strdup(&p->arena, vdom) : NULL;
	return run(p, src, upto);
}

int pipeline_load_copy(struct pipeline *p, const struct conf_source *src,
		       const char *vdom, enum pipeline_stage upto)
{
	init(p);
	p->tree.vdom = vdom ? arena_strdup(&p->arena, vdom) : NULL;
	return run(p,
		   conf_source_mem(&p->arena, src->name, src->text, src->len,
				   src->builtin),
		   upto);
}

int pipeline_load_mem(struct pipeline *p, const char *name, const char *text,
		      size_t len, enum pipeline_stage upto)
{
	init(p);
	return run(p, conf_source_mem(&p->arena, name, text, len, false), upto);
}

void pipeline_free(struct pipeline *p)
{
	/* Safe on a zeroed or half-built image too. */
	ruleset_free(&p->rs);
	arena_free(&p->arena);
}

void pipeline_set_timezone(const struct pipeline *p)
{
	if (p->objs.timezone)
		setenv("TZ", p->objs.timezone, 1);
	tzset();
}
