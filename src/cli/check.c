// SPDX-License-Identifier: GPL-2.0
/*
 * `localin check -c FILE [--dump]`: the whole pipeline without loading
 * anything, like `pfctl -n` or `nft -c`. Exit 0 when the config compiles
 * (warnings allowed), 1 on any error, 2 on bad usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "util/logbuf.h"
#include "cli/commands.h"
#include "pipeline/pipeline.h"

static const char check_usage[] =
	"usage: localin check -c FILE [--dump]\n"
	"  -c, --config FILE  FortiOS config to check\n"
	"  -d, --dump         print the compiled tables\n"
	"  -q, --quiet        no summary, only diagnostics\n";

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

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "dump", no_argument, NULL, 'd' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *path = NULL;
	bool dump = false, quiet = false;
	struct pipeline p;
	int c, err;

	while ((c = getopt_long(argc, argv, "c:dqh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'd':
			dump = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			fputs(check_usage, stdout);
			return 0;
		default:
			fputs(check_usage, stderr);
			return 2;
		}
	}
	if (!path || optind != argc) {
		fputs(check_usage, stderr);
		return 2;
	}
	err = pipeline_load(&p, path, STAGE_COMPILE);
	diag_print(&p.diags, stderr);
	if (err) {
		/* The name escaped as in the diagnostics above (diag_print). */
		log_fputs_escaped(stderr, path, strlen(path), false);
		fprintf(stderr, ": %u error%s, %u warning%s\n", p.diags.errors,
			p.diags.errors == 1 ? "" : "s", p.diags.warnings,
			p.diags.warnings == 1 ? "" : "s");
		pipeline_free(&p);
		return 1;
	}
	if (dump) {
		ruleset_dump(&p.rs, stdout);
	} else if (!quiet) {
		log_fputs_escaped(stdout, path, strlen(path), false);
		printf(": ok, %u warning%s\n", p.diags.warnings,
		       p.diags.warnings == 1 ? "" : "s");
		print_counts(&p.objs, stdout);
		ruleset_summary(&p.rs, stdout);
	}
	pipeline_free(&p);
	return 0;
}
