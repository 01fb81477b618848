// SPDX-License-Identifier: GPL-2.0
/*
 * `localin show -c FILE [full-configuration] [SECTION...]`: the config
 * in FortiOS `show` form. Only the parser runs, so a config whose
 * references are broken can still be looked at; syntax errors stop it.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "conf/printer.h"
#include "cli/commands.h"
#include "pipeline/pipeline.h"

static const char show_usage[] =
	"usage: localin show -c FILE [--vdom NAME] [full-configuration] [SECTION]\n"
	"  -c, --config FILE  FortiOS config to print\n"
	"      --vdom NAME    of a multi-VDOM backup, this VDOM and the global\n"
	"                     sections, as one config (default root)\n"
	"  SECTION            e.g. firewall address, firewall local-in-policy\n";

int cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "vdom", required_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct conf_print_opts po = { 0 };
	const char *path = NULL, *vdom = NULL;
	char section[256] = "";
	struct pipeline p;
	int c, err;

	while ((c = getopt_long(argc, argv, "+c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'V':
			vdom = optarg;
			break;
		case 'h':
			fputs(show_usage, stdout);
			return 0;
		default:
			fputs(show_usage, stderr);
			return 2;
		}
	}
	if (!path) {
		fputs(show_usage, stderr);
		return 2;
	}
	if (optind < argc && (!strcmp(argv[optind], "full-configuration") ||
			      !strcmp(argv[optind], "full"))) {
		po.full = true;
		optind++;
	}
	for (; optind < argc; optind++) {
		if (strlen(section) + strlen(argv[optind]) + 2 >
		    sizeof(section)) {
			fputs("localin: section name too long\n", stderr);
			return 2;
		}
		if (*section)
			strcat(section, " ");
		strcat(section, argv[optind]);
	}
	if (*section)
		po.section = section;

	err = pipeline_load_vdom(&p, path, vdom, STAGE_PARSE);
	diag_print(&p.diags, stderr);
	if (err) {
		pipeline_free(&p);
		return 1;
	}
	err = conf_print(&p.tree, &po, stdout);
	if (err)
		fprintf(stderr, "localin: unknown section \"%s\"\n", section);
	pipeline_free(&p);
	return err ? 1 : 0;
}
