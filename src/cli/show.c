// SPDX-License-Identifier: GPL-2.0
/*
 * `localin show -c FILE [full-configuration] [SECTION... [ENTRY]]`: the
 * config in FortiOS `show` form (one section, or one entry of a table).
 * Only the parser runs, so a config whose references are broken can still
 * be looked at; syntax errors stop it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "conf/printer.h"
#include "conf/schema.h"
#include "cli/commands.h"
#include "pipeline/pipeline.h"

static const char show_usage[] =
	"usage: localin show -c FILE [--vdom NAME] [full-configuration]\n"
	"                    [SECTION [ENTRY]]\n"
	"       localin show [-s SOCKET] [-t SECONDS] firewall local-in-policy [ID]\n"
	"  -c, --config FILE  FortiOS config to print\n"
	"      --vdom NAME    of a multi-VDOM backup, this VDOM and the global\n"
	"                     sections, as one config (default root)\n"
	"  SECTION            e.g. firewall address, firewall local-in-policy\n"
	"  ENTRY              one entry of it: a policy id or a name\n"
	"Without -c: the running daemon's policies (`localin diagnose --help`).\n";

/* @n words joined by one space into @buf; nonzero (said) if too long. */
static int join_section(char *buf, size_t size, char **words, int n)
{
	*buf = '\0';
	for (int i = 0; i < n; i++) {
		if (strlen(buf) + strlen(words[i]) + 2 > size) {
			fputs("localin: section name too long\n", stderr);
			return -1;
		}
		if (*buf)
			strcat(buf, " ");
		strcat(buf, words[i]);
	}
	return 0;
}

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
		{ "vdom", required_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct conf_print_opts po = { 0 };
	const char *path = NULL, *vdom = NULL;
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
	if (join_section(section, sizeof(section), argv + optind,
			 argc - optind))
		return 2;
	/* `show firewall local-in-policy 5`: the last word names an entry. */
	if (*section && !schema_find_section(section) && argc - optind > 1) {
		join_section(section, sizeof(section), argv + optind,
			     argc - optind - 1);
		if (schema_find_section(section))
			po.key = argv[argc - 1];
		else
			join_section(section, sizeof(section), argv + optind,
				     argc - optind);
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
	if (err == -ENOENT)
		fprintf(stderr, "localin: unknown section \"%s\"\n", section);
	else if (err == -ESRCH)
		fprintf(stderr, "localin: no entry \"%s\" in config %s\n",
			po.key, section);
	else if (err)
		fprintf(stderr, "localin: config %s has no entries\n", section);
	pipeline_free(&p);
	return err ? 1 : 0;
}
