// SPDX-License-Identifier: GPL-2.0
/*
 * `localin check -c FILE [--dump]`: the whole pipeline without loading
 * anything, like `pfctl -n` or `nft -c`. Exit 0 when the config compiles
 * (warnings allowed), 1 on any error, 2 on bad usage. A multi-VDOM backup
 * is checked VDOM by VDOM (all of them, unless --vdom names one).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/logbuf.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "dyn/engine.h"
#include "pipeline/pipeline.h"

static const char check_usage[] =
	"usage: localin check -c FILE [--dump] [-q] [--no-resolve] [--vdom NAME]\n"
	"  -c, --config FILE  FortiOS config to check\n"
	"  -d, --dump         print the compiled tables\n"
	"  -q, --quiet        no summary, only diagnostics\n"
	"  -n, --no-resolve   do not resolve FQDN addresses nor fetch\n"
	"                     external-resource feeds (they match nothing)\n"
	"      --vdom NAME    of a multi-VDOM backup, check only this VDOM\n"
	"                     (default: every VDOM, one after the other)\n";

static void print_counts(const struct obj_config *c, FILE *out)
{
	size_t addrs = 0, groups = 0, svcs = 0, sgroups = 0, scheds = 0, i;

	for (i = 0; i < c->nr_addrs; i++) {
		if (c->addrs[i]->builtin)
			continue;
		if (c->addrs[i]->type == ADDR_GROUP)
			groups++;
		else
			addrs++;
	}
	for (i = 0; i < c->nr_services; i++) {
		if (c->services[i]->builtin)
			continue;
		if (c->services[i]->is_group)
			sgroups++;
		else
			svcs++;
	}
	for (i = 0; i < c->nr_schedules; i++)
		scheds += !c->schedules[i]->builtin;
	fprintf(out,
		"objects: %zu addresses, %zu address groups, %zu services, "
		"%zu service groups, %zu schedules (besides the predefined ones)\n",
		addrs, groups, svcs, sgroups, scheds);
	fprintf(out, "policies: %zu local-in-policy, %zu local-in-policy6\n",
		c->nr_policies4, c->nr_policies6);
	obj_geoip_print(c, "", out);
}

/* The summary of one VDOM (or of a single-VDOM config). */
static void print_summary(const struct pipeline *p, bool dump, FILE *out)
{
	if (p->tree.multi_vdom)
		fprintf(out, "vdom %s:\n", conf_tree_vdom(&p->tree));
	if (dump) {
		ruleset_dump(&p->rs, out);
		return;
	}
	print_counts(&p->objs, out);
	ruleset_summary(&p->rs, out);
}

/*
 * The diagnostics of another VDOM's pass that the first pass has not
 * shown: those inside that VDOM's blocks (the global part is the same
 * in every pass). Copied: the pass is freed after.
 */
static void merge_diags(struct pipeline *into, const struct pipeline *from)
{
	size_t i;

	for (i = 0; i < from->diags.nr; i++) {
		const struct diag *d = &from->diags.items[i];

		if (conf_tree_vdom_at(&from->tree, &d->loc))
			diag_add(&into->diags, d->level, &d->loc, "%s", d->msg);
	}
}

/*
 * Every VDOM of the file @first has loaded, but the one it loaded, over
 * the same text, one at a time: their diagnostics go to @first's list,
 * their summaries to @sum. Returns the first error.
 */
static int check_vdoms(struct pipeline *first, bool dump, bool resolve,
		       FILE *sum)
{
	const struct conf_tree *t = &first->tree;
	const char *done = conf_tree_vdom(t);
	struct pipeline q;
	int err = 0, e;
	size_t i;

	for (i = 0; i < t->nr_vdom_names; i++) {
		if (!strcmp(t->vdom_names[i], done))
			continue;
		e = pipeline_load_source(&q, first->src, t->vdom_names[i], STAGE_RESOLVE) ?:
			    pipeline_compile_resolved(&q, resolve);
		err = err ?: e;
		merge_diags(first, &q);
		if (!e && sum)
			print_summary(&q, dump, sum);
		pipeline_free(&q);
	}
	return err;
}

/* Has the first pass found the file to have VDOMs, but no root? */
static bool root_missing(const struct pipeline *p)
{
	size_t i;

	if (!p->tree.multi_vdom || !p->tree.nr_vdom_names)
		return false;
	for (i = 0; i < p->tree.nr_vdom_names; i++)
		if (!strcmp(p->tree.vdom_names[i], "root"))
			return false;
	return true;
}

int cmd_check(int argc, char **argv)
{
	enum { OPT_VDOM = 256 };
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "dump", no_argument, NULL, 'd' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "no-resolve", no_argument, NULL, 'n' },
		{ "vdom", required_argument, NULL, OPT_VDOM },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *path = NULL, *vdom = NULL;
	bool dump = false, quiet = false, resolve = true;
	char *more = NULL;
	size_t more_len = 0;
	struct pipeline p;
	FILE *sum = NULL;
	int c, err;

	while ((c = getopt_long(argc, argv, "c:dqnh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case OPT_VDOM:
			vdom = optarg;
			break;
		case 'd':
			dump = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'n':
			resolve = false;
			break;
		case 'h':
			fputs(check_usage, stdout);
			return 0;
		default:
			fputs(check_usage, stderr);
			return 2;
		}
	}
	if (!path || optind != argc)
		return cli_usage_error("check", check_usage, path,
				       argc - optind, argv + optind);
	err = pipeline_load_resolved(&p, path, vdom, resolve);
	if (!vdom && root_missing(&p)) {
		/* No root to default to: check them all, the first one first. */
		char *first = strdup(p.tree.vdom_names[0]);

		pipeline_free(&p);
		if (!first)
			return 1;
		err = pipeline_load_resolved(&p, path, first, resolve);
		free(first);
	}
	if (!vdom && p.tree.multi_vdom && p.src) {
		/* The other VDOMs' summaries, printed after the first's. */
		sum = open_memstream(&more, &more_len);
		err = check_vdoms(&p, dump, resolve, sum) ?: err;
		if (sum)
			fclose(sum);
	}
	diag_print(&p.diags, stderr);
	if (err) {
		/* The name escaped as in the diagnostics above (diag_print). */
		log_fputs_escaped(stderr, path, strlen(path), false);
		fprintf(stderr, ": %u error%s, %u warning%s\n", p.diags.errors,
			p.diags.errors == 1 ? "" : "s", p.diags.warnings,
			p.diags.warnings == 1 ? "" : "s");
		err = 1;
		goto out;
	}
	if (!dump && !quiet) {
		log_fputs_escaped(stdout, path, strlen(path), false);
		printf(": ok, %u warning%s\n", p.diags.warnings,
		       p.diags.warnings == 1 ? "" : "s");
	}
	if (dump || !quiet) {
		print_summary(&p, dump, stdout);
		if (more)
			fwrite(more, 1, more_len, stdout);
	}
	err = 0;
out:
	free(more);
	pipeline_free(&p);
	return err;
}
