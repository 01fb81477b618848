// SPDX-License-Identifier: GPL-2.0
/*
 * localin: FortiOS local-in policies for Linux VPN gateways.
 * The command table; each subcommand lives in its own file.
 */
#include <stdio.h>
#include <string.h>

#include "dataplane/loader.h"
#include "cli/commands.h"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "check", cmd_check, "parse, validate and compile a config" },
	{ "show", cmd_show,
	  "print a config (-c FILE) or the daemon's policies in FortiOS form" },
	{ "replay", cmd_replay, "run a capture through the matcher, offline" },
	{ "run", cmd_run,
	  "enforce a config with the XDP program (the daemon)" },
	{ "status", cmd_status,
	  "what the running daemon enforces, and counters" },
	{ "reload", cmd_reload, "make the running daemon re-read its config" },
	{ "restart", cmd_restart,
	  "exec the daemon's binary again in place: an upgrade, no gap" },
	{ "stop", cmd_stop, "stop the daemon: detach, unpin, exit" },
	{ "diagnose", cmd_diagnose,
	  "debug, iprope, fqdn, vpn, sys session, external-address-resource" },
	{ "get", cmd_get,
	  "system status, system performance status, firewall local-in-policy" },
	{ "log", cmd_log, "log show: the log file, filtered, tail, follow" },
	{ "execute", cmd_execute, "log filter ..., log display (FortiOS's)" },
	{ "cli", cmd_cli,
	  "the FortiOS console: config/edit/set ... end, diagnose" },
};

static void usage(FILE *out)
{
	size_t i;

	fputs("usage: localin <command> [options]\n\ncommands:\n", out);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name,
			commands[i].summary);
	fputs("\n`localin <command> --help` describes each command.\n", out);
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		/* The build identity: a daemon adopts only its own pins. */
		printf("localin %s (program %016llx)\n", LOCALIN_VERSION,
		       (unsigned long long)li_loader_build());
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "localin: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return 2;
}
