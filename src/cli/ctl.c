// SPDX-License-Identifier: GPL-2.0
/*
 * The thin clients of the daemon's control socket (src/daemon/ctl.h):
 * `localin reload|stop|status` and `localin diagnose debug flow ...`.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/ctl.h"
#include "cli/commands.h"
#include "cli/options.h"

#define TIMEOUT_S 10
#define RELOAD_TIMEOUT_S 60 /* a reload compiles a whole config */
#define TIMEOUT_MAX_S 86400

static const char ctl_usage[] =
	"usage: localin reload|stop|status [-s SOCKET] [-t SECONDS]\n"
	"       localin reload [-s SOCKET] [-t SECONDS] --force\n"
	"       localin diagnose [-s SOCKET] [-t SECONDS] debug flow filter [WORDS...]\n"
	"       localin diagnose [-s SOCKET] [-t SECONDS] debug flow trace start N | stop\n"
	"       localin diagnose [-s SOCKET] [-t SECONDS] vpn tunnel list [name NAME]\n"
	"       localin diagnose [-s SOCKET] [-t SECONDS] sys session|session6 list | clear\n"
	"       localin diagnose [-s SOCKET] [-t SECONDS] sys session|session6 filter [WORDS...]\n"
	"Ask the running daemon (`localin run`) over its control socket\n"
	"(default " CTL_SOCKET_PATH ", or /run/localin-NAME.sock in the\n"
	"network namespace `ip netns` named NAME; root only):\n"
	"  reload   re-read the config; with errors, the running one stays;\n"
	"           from some policies to none only with --force; exit 1 also\n"
	"           when an interface the config names could not be attached\n"
	"  stop     detach from every interface, unpin, exit\n"
	"  status   config, interfaces, SA sources, counters per reason and\n"
	"           per policy\n"
	"  diagnose debug flow filter WORDS  as on FortiOS: addr saddr daddr\n"
	"           port sport dport proto vd negate clear; none: show it\n"
	"  diagnose debug flow trace start N  trace lines of the next N\n"
	"           matching packets, in the daemon's log; trace stop ends it\n"
	"  diagnose vpn tunnel list  the live SAs per tunnel: SPIs, sources,\n"
	"           age, packets and bytes the data path let through\n"
	"  diagnose sys session list  the live sessions (session6: IPv6) the\n"
	"           filter matches; clear deletes them (all without a filter)\n"
	"  diagnose sys session filter WORDS  as on FortiOS: src dst sport\n"
	"           dport proto policy vd negate clear; none: show it\n"
	"  -t, --timeout SECONDS  give up when the whole answer has not come\n"
	"           within SECONDS (default 60 for reload, else 10): exit 1\n";

static int say_failure(const char *sock, int err, int timeout_s)
{
	switch (err) {
	case -ENOENT:
	case -ECONNREFUSED:
		fprintf(stderr,
			"localin: no daemon at %s (%s); is `localin run` running?\n",
			sock, strerror(-err));
		break;
	case -ETIMEDOUT:
		fprintf(stderr,
			"localin: no answer from the daemon at %s within %d s\n",
			sock, timeout_s);
		break;
	case -EACCES:
		fprintf(stderr,
			"localin: %s: %s (the control socket is root only)\n",
			sock, strerror(-err));
		break;
	default:
		fprintf(stderr, "localin: %s: %s\n", sock, strerror(-err));
	}
	return 1;
}

/* @name and the words after the options, as one request line. */
static int request(const char *name, int argc, char **argv, bool words)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "force", no_argument, NULL, 'F' },
		{},
	};
	const char *sock = NULL;
	char def[PATH_MAX];
	bool force = false;
	uint32_t t;
	int timeout_s = strcmp(name, "reload") ? TIMEOUT_S : RELOAD_TIMEOUT_S;
	char line[CTL_LINE_MAX];
	size_t len;
	bool ok;
	int c, i, err;

	/* '+': stop at the first word, so `vd -1` stays a filter word. */
	while ((c = getopt_long(argc, argv, "+s:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			sock = optarg;
			break;
		case 't':
			if (cli_number("--timeout", optarg, TIMEOUT_MAX_S, &t))
				return 2;
			if (!t) {
				fprintf(stderr,
					"localin: --timeout: at least 1 second\n");
				return 2;
			}
			timeout_s = (int)t;
			break;
		case 'h':
			fputs(ctl_usage, stdout);
			return 0;
		case 'F': /* reload only: the request "reload force" */
			if (strcmp(name, "reload"))
				goto usage;
			force = true;
			break;
		default:
usage:
			fputs(ctl_usage, stderr);
			return 2;
		}
	}
	if ((!words && optind < argc) || (words && optind == argc)) {
		fputs(ctl_usage, stderr);
		return 2;
	}
	len = (size_t)snprintf(line, sizeof(line), "%s%s", name,
			       force ? " force" : "");
	for (i = optind; i < argc && len < sizeof(line); i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %s",
					argv[i]);
	if (len >= sizeof(line) || strchr(line, '\n')) {
		fprintf(stderr, "localin: request too long\n");
		return 2;
	}
	sock = ctl_client_socket(sock, def, sizeof(def));
	err = ctl_request(sock, line, timeout_s * 1000, stdout, stderr, &ok);
	if (err)
		return say_failure(sock, err, timeout_s);
	return ok ? 0 : 1;
}

int cmd_reload(int argc, char **argv)
{
	return request("reload", argc, argv, false);
}

int cmd_stop(int argc, char **argv)
{
	return request("stop", argc, argv, false);
}

int cmd_status(int argc, char **argv)
{
	return request("status", argc, argv, false);
}

int cmd_diagnose(int argc, char **argv)
{
	return request("diagnose", argc, argv, true);
}
