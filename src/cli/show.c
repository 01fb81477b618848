// SPDX-License-Identifier: GPL-2.0
/*
 * `localin show -c FILE [full-configuration] [SECTION... [ENTRY]]`: the
 * config in FortiOS `show` form (one section, or one entry of a table).
 * Only the parser runs, so a config whose references are broken can still
 * be looked at; syntax errors stop it. Without -c, the same of the file
 * the running daemon enforces, but for `firewall local-in-policy [ID]`:
 * that is the daemon's own answer, the policies in force.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "conf/printer.h"
#include "conf/schema.h"
#include "conf/parser.h"
#include "cli/commands.h"
#include "cli/shell.h"
#include "daemon/ctl.h"
#include "pipeline/pipeline.h"

static const char show_usage[] =
	"usage: localin show -c FILE [--vdom NAME] [full-configuration]\n"
	"                    [SECTION [ENTRY]]\n"
	"       localin show [-s SOCKET] [full-configuration] [SECTION [ENTRY]]\n"
	"       localin show [-s SOCKET] [-t SECONDS] firewall local-in-policy [ID]\n"
	"  -c, --config FILE  FortiOS config to print\n"
	"      --vdom NAME    of a multi-VDOM backup, this VDOM and the global\n"
	"                     sections, as one config (default root)\n"
	"  SECTION            e.g. firewall address, firewall local-in-policy\n"
	"  ENTRY              one entry of it: a policy id or a name\n"
	"Without -c: the config file the running daemon enforces (its VDOM),\n"
	"as it is on disk, with a warning when it changed since the daemon\n"
	"loaded it; but `firewall local-in-policy [ID]` are the policies the\n"
	"daemon has in force (`localin diagnose --help`).\n";

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

/* @path as typed, abbreviated too (`fire addr`): the section, or NULL. */
static const struct schema_section *find_section(const char *path)
{
	const struct schema_section *s = schema_find_section(path);

	return s || !*path ? s : schema_abbrev_section(path);
}

/* Words the daemon answers itself: `firewall local-in-policy [ID]`. */
static bool daemon_words(char **words, int n)
{
	char *argv[8] = { "show" }, err[128];
	struct ctl_req req;

	if (n < 1 || n > 6)
		return false;
	memcpy(argv + 1, words, (size_t)n * sizeof(*words));
	return !ctl_parse(n + 1, argv, &req, err, sizeof(err));
}

/* Says so when @r's file is newer than what the daemon enforces. */
static void warn_changed(const struct sh_running *r)
{
	struct stat st;
	char when[32];

	if (!r->loaded_at || stat(r->path, &st) || st.st_mtime <= r->loaded_at)
		return;
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S",
		 localtime(&r->loaded_at));
	fprintf(stderr,
		"localin: %s changed since the daemon loaded it (%s): shown as on disk; `localin reload` enforces it\n",
		r->path, when);
}

/*
 * The file the daemon at @sock (NULL: this namespace's) enforces, and
 * its VDOM unless @vdom names one: 0, or the exit code (said).
 */
static int running_config(const char *sock, struct sh_running *r,
			  const char **vdom)
{
	char def[PATH_MAX];
	int err;

	sock = ctl_client_socket(sock, def, sizeof(def));
	err = sh_daemon_config(sock, r);
	if (err) {
		fprintf(stderr, "localin: the daemon at %s: %s%s\n", sock,
			strerror(-err),
			err == -ENOENT ?
				" (`localin show -c FILE` shows a file)" :
				"");
		return 1;
	}
	if (r->vdom[0] && !*vdom)
		*vdom = r->vdom;
	warn_changed(r);
	return 0;
}

int cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "vdom", required_argument, NULL, 'V' },
		{ "socket", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct conf_print_opts po = { 0 };
	const char *path = NULL, *vdom = NULL, *sock = NULL;
	bool client = false; /* -s, -t or -j: options of the daemon's */
	char section[256] = "", key[16];
	const struct schema_section *sch;
	struct sh_running r;
	struct pipeline p;
	int c, err;

	while ((c = getopt_long(argc, argv, "+c:s:t:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'V':
			vdom = optarg;
			break;
		case 's':
			sock = optarg;
			/* fall through */
		case 't':
		case 'j':
			client = true; /* ctl.c's request reads them again */
			break;
		case 'h':
			fputs(show_usage, stdout);
			return 0;
		default:
			fputs(show_usage, stderr);
			return 2;
		}
	}
	if (path && client) {
		fputs(show_usage, stderr);
		return 2;
	}
	if (!path && daemon_words(argv + optind, argc - optind)) {
		optind = 0; /* getopt starts over there */
		return cmd_show_running(argc, argv);
	}
	if (!path) {
		err = running_config(sock, &r, &vdom);
		if (err)
			return err;
		path = r.path;
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
	sch = find_section(section);
	if (*section && !sch && argc - optind > 1) {
		join_section(section, sizeof(section), argv + optind,
			     argc - optind - 1);
		sch = find_section(section);
		if (sch)
			po.key = conf_entry_key(sch, argv[argc - 1], key,
						sizeof(key));
		else
			join_section(section, sizeof(section), argv + optind,
				     argc - optind);
	}
	if (sch) /* as the schema names it: `fire addr` is firewall address */
		snprintf(section, sizeof(section), "%s", sch->path);
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
