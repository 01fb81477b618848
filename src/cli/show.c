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
	"usage: localin show -c FILE [full-configuration] [SECTION]\n"
	"       localin show [-s SOCKET] [-t SECONDS] firewall local-in-policy [ID]\n"
	"  -c, --config FILE  FortiOS config to print\n"
	"  SECTION            e.g. firewall address, firewall local-in-policy\n"
	"Without -c: the running daemon's policies (`localin diagnose --help`).\n";

/* No -c among the options: the words are for the running daemon. */
static bool for_daemon(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-c") ||
		    !strncmp(argv[i], "--config", 8) ||
		    !strncmp(argv[i], "-c", 2))
			return false;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return false;
	}
	return argc > 1;
}

int cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct conf_print_opts po = { 0 };
	const char *path = NULL;
	char section[256] = "";
	struct pipeline p;
	int c, err;

	if (for_daemon(argc, argv))
		return cmd_show_running(argc, argv);
	while ((c = getopt_long(argc, argv, "+c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
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

	err = pipeline_load(&p, path, STAGE_PARSE);
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
