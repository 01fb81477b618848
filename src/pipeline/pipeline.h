/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One config through the pipeline: file -> tree -> objects -> ruleset,
 * with every diagnostic of every stage in one list. Shared by the
 * subcommands (check, show, and later replay and the daemon's reload).
 */
#ifndef LOCALIN_PIPELINE_PIPELINE_H
#define LOCALIN_PIPELINE_PIPELINE_H

#include "compile/compile.h"
#include "conf/diag.h"
#include "conf/tree.h"
#include "objects/objects.h"

enum pipeline_stage {
	STAGE_PARSE,   /* tree only (show) */
	STAGE_RESOLVE, /* + objects */
	STAGE_COMPILE, /* + ruleset image */
};

struct pipeline {
	struct arena arena;
	struct diag_list diags;
	struct conf_tree tree;
	struct obj_config objs;
	struct li_ruleset rs;
	bool compiled;
	/* The text it was loaded from: compiled again as FQDNs change. */
	const struct conf_source *src;
};

/*
 * Load @path up to @upto. Returns 0; -EINVAL if any stage queued an error
 * (see p->diags; later stages are not run); or a negative errno if the
 * file could not be read (reported on p->diags without location).
 */
int pipeline_load(struct pipeline *p, const char *path,
		  enum pipeline_stage upto);
/*
 * Same, for the VDOM @vdom of a multi-VDOM backup (`config global` and
 * that VDOM's sections; NULL: "root"). Diagnostics inside a VDOM's
 * block name it ("vdom NAME: ...").
 */
int pipeline_load_vdom(struct pipeline *p, const char *path, const char *vdom,
		       enum pipeline_stage upto);
/* Same, read with conf_source_read_flags()'s @read_flags. */
int pipeline_load_file(struct pipeline *p, const char *path, const char *vdom,
		       unsigned int read_flags, enum pipeline_stage upto);
/*
 * Same, from @src another pipeline read (it must outlive this one): the
 * next VDOM of a file, its diagnostics pointing into the same text.
 */
int pipeline_load_source(struct pipeline *p, const struct conf_source *src,
			 const char *vdom, enum pipeline_stage upto);
/* Same, from a copy of @src: @p may outlive where it came from. */
int pipeline_load_copy(struct pipeline *p, const struct conf_source *src,
		       const char *vdom, enum pipeline_stage upto);
/* Same, from text in memory (tests, fuzzing). */
int pipeline_load_mem(struct pipeline *p, const char *name, const char *text,
		      size_t len, enum pipeline_stage upto);
void pipeline_free(struct pipeline *p);

/*
 * The compile stage of a pipeline loaded up to STAGE_RESOLVE without
 * error (after the caller set p->objs.dyn, objects/dynaddr.h).
 */
int pipeline_compile(struct pipeline *p);

/*
 * Local time is the config's zone from here on (`system global
 * timezone`; without one, the system's): sets TZ for the process, which
 * only main's commands may do.
 */
void pipeline_set_timezone(const struct pipeline *p);

#endif
