// SPDX-License-Identifier: GPL-2.0
/*
 * The thin clients of the daemon's control socket (src/daemon/ctl.h):
 * `localin reload|stop|status` and `localin diagnose debug flow ...`.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/ctl.h"
#include "dataplane/loader.h"
#include "cli/commands.h"
#include "cli/options.h"

#define TIMEOUT_S 10
#define RELOAD_TIMEOUT_S 60 /* a reload compiles a whole config */
#define TIMEOUT_MAX_S 86400

static const char ctl_usage[] =
	"usage: localin reload|restart|stop|status [-s SOCKET] [-t SECONDS] [-j]\n"
	"       localin reload [-s SOCKET] [-t SECONDS] --force\n"
	"       localin diagnose [-s SOCKET] [-t SECONDS] [-j] WORDS...\n"
	"       localin get [-s SOCKET] [-t SECONDS] [-j] WORDS...\n"
	"       localin show [-s SOCKET] [-t SECONDS] firewall local-in-policy [ID]\n"
	"Ask the running daemon (`localin run`) over its control socket\n"
	"(default " CTL_SOCKET_PATH ", or /run/localin-NAME.sock in the\n"
	"network namespace `ip netns` named NAME; root, or --admin-group of\n"
	"`localin run`):\n"
	"  reload   re-read the config; with errors, the running one stays;\n"
	"           from some policies to none only with --force; exit 1 also\n"
	"           when an interface the config names could not be attached\n"
	"  restart  exec the binary at the daemon's path again in the same\n"
	"           process (an upgrade): the program, pins, maps, sessions and\n"
	"           SAs stay in force, the new image adopts them (another\n"
	"           build's: replaces them without a gap); answered by the new\n"
	"           image once it enforces. A config with errors or a binary\n"
	"           that cannot run: refused, the daemon goes on; exit 1\n"
	"  stop     detach from every interface, unpin, exit\n"
	"  status   config, interfaces, SA sources, counters per reason and\n"
	"           per policy\n"
	"  diagnose debug flow filter|filter6 WORDS  as on FortiOS: addr A [B] |\n"
	"           addr A B and|or, saddr daddr port sport dport proto vd negate\n"
	"           clear; none: show it. filter: IPv4 packets, filter6: IPv6\n"
	"  diagnose debug flow trace start N | stop  trace the next N matching\n"
	"           packets (to `debug enable` clients, else the daemon's log)\n"
	"  diagnose debug flow show function-name|iprope enable|disable\n"
	"           func=/line= in trace lines (default enable); the policy\n"
	"           group check (__iprope_check, gnum-100001) before a decision\n"
	"  diagnose debug enable  print trace lines here as they happen, until\n"
	"           `diagnose debug disable` (any client), the trace's N packets\n"
	"           are done, or Ctrl-C (exit 0)\n"
	"  diagnose debug disable | reset  end every `debug enable`; reset also\n"
	"           stops the trace, clears the filter, resets the show options\n"
	"  diagnose debug console timestamp enable|disable  date and time\n"
	"           before each trace line\n"
	"  diagnose firewall iprope list [100001]  the policies in force, in\n"
	"           order, with hit counts; show 100001 ID: one; clear [100001]:\n"
	"           zero the hit counters\n"
	"  diagnose vpn tunnel list  the live SAs per tunnel: SPIs, sources,\n"
	"           age, packets and bytes the data path let through\n"
	"  diagnose sys session list  the live sessions (session6: IPv6) the\n"
	"           filter matches; clear deletes them (all without a filter)\n"
	"  diagnose sys session filter WORDS  as on FortiOS: src dst sport\n"
	"           dport proto policy vd negate clear; none: show it\n"
	"  diagnose firewall fqdn list  FQDN addresses: state, addresses and\n"
	"           the TTL left of each\n"
	"  diagnose sys external-address-resource list  threat feeds: URL,\n"
	"           state, last fetch, bad lines, ranges\n"
	"  get system status | get system performance status  version, host,\n"
	"           uptime; the data path's counters\n"
	"  get firewall local-in-policy [ID]  the policies in force\n"
	"  show firewall local-in-policy [ID]  the same in config form (without\n"
	"           -s/-t/-j and with -c FILE: `localin show` of a file)\n"
	"  -j, --json  one line of JSON (README \"JSON output\"): status, get,\n"
	"           iprope list/show, vpn tunnel list, sys session list and\n"
	"           filter, firewall fqdn list, sys external-address-resource\n"
	"           list, debug flow filter\n"
	"  -t, --timeout SECONDS  give up when the whole answer has not come\n"
	"           within SECONDS (default 60 for reload and restart, else\n"
	"           10): exit 1;\n"
	"           for `debug enable`, the time to its first answer\n";

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

/*
 * `stop` or `status` that found no daemon at the default socket, while
 * the default pin directory holds localin's program: a daemon killed or
 * crashed left it, and it enforces its last config still (README,
 * "Stop"). Said, or the admin who ran `localin stop` believes that
 * nothing is enforced any more. Not for another socket (-s, a network
 * namespace's), whose pin directory the client does not know.
 */
static void say_pinned(const char *name, const char *sock, int err)
{
	if ((err != -ENOENT && err != -ECONNREFUSED) ||
	    strcmp(sock, CTL_SOCKET_PATH) ||
	    (strcmp(name, "stop") && strcmp(name, "status")) ||
	    access(LI_PIN_DIR "/li_conf", F_OK))
		return;
	fprintf(stderr,
		"localin: but localin's program is still pinned under %s: a daemon that ended without `localin stop` (killed, crashed) left it, enforcing its last config. `localin run -c FILE` adopts it; `localin stop` then takes it off\n",
		LI_PIN_DIR);
}

static volatile int interrupted;

static void on_interrupt(int sig)
{
	interrupted = sig;
}

/* Whether @line asks for a stream (`diagnose debug enable`). */
static bool is_stream(const char *line)
{
	char copy[CTL_LINE_MAX], *argv[CTL_MAX_WORDS], err[256];
	struct ctl_req r;
	int argc;

	snprintf(copy, sizeof(copy), "%s", line);
	argc = ctl_split(copy, argv, CTL_MAX_WORDS);
	return argc > 0 && !ctl_parse(argc, argv, &r, err, sizeof(err)) &&
	       r.cmd == CTL_DEBUG_ENABLE;
}

/*
 * `diagnose debug enable`: trace lines on stdout until the stream ends;
 * Ctrl-C (SIGINT) or SIGTERM end it cleanly (exit 0).
 */
static int stream(const char *sock, const char *line, int timeout_s)
{
	struct sigaction sa = { .sa_handler = on_interrupt };
	struct sigaction old_int, old_term;
	bool ok = false;
	int err;

	interrupted = 0;	  /* a shell may stream again after a Ctrl-C */
	sigemptyset(&sa.sa_mask); /* no SA_RESTART: poll() is woken */
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	err = ctl_stream(sock, line, timeout_s * 1000, stdout, stderr,
			 &interrupted, &ok);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (err)
		return say_failure(sock, err, timeout_s);
	/* As the daemon says why when it ends the stream. */
	if (interrupted)
		fprintf(stderr, "localin: debug output ended: %s\n",
			interrupted == SIGINT ? "interrupted (Ctrl-C)" :
						"terminated");
	return ok ? 0 : 1;
}

/* @name and the words after the options, as one request line. */
static int request(const char *name, int argc, char **argv, bool words)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "force", no_argument, NULL, 'F' },
		{},
	};
	const char *sock = NULL;
	char def[PATH_MAX];
	bool force = false, json = false;
	uint32_t t;
	int timeout_s = strcmp(name, "reload") && strcmp(name, "restart") ?
				TIMEOUT_S :
				RELOAD_TIMEOUT_S;
	char line[CTL_LINE_MAX];
	size_t len;
	bool ok;
	int c, i, err;

	optind = 0; /* from the start: a shell calls us again and again */
	/* '+': stop at the first word, so `vd -1` stays a filter word. */
	while ((c = getopt_long(argc, argv, "+s:t:jh", opts, NULL)) != -1) {
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
		case 'j':
			json = true;
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
	len = (size_t)snprintf(line, sizeof(line), "%s%s%s",
			       json ? "json " : "", name,
			       force ? " force" : "");
	for (i = optind; i < argc && len < sizeof(line); i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %s",
					argv[i]);
	if (len >= sizeof(line) || strchr(line, '\n')) {
		fprintf(stderr, "localin: request too long\n");
		return 2;
	}
	sock = ctl_client_socket(sock, def, sizeof(def));
	if (!json && is_stream(line))
		return stream(sock, line, timeout_s);
	err = ctl_request(sock, line, timeout_s * 1000, stdout, stderr, &ok);
	if (err == -ECONNRESET && !strcmp(name, "restart")) {
		fprintf(stderr,
			"localin: the daemon at %s closed the connection without an answer: its new image ended before it could say (its messages: the journal, or its stderr). What was pinned stays in force; `localin status` says whether a daemon runs\n",
			sock);
		return 1;
	}
	if (err) {
		say_failure(sock, err, timeout_s);
		say_pinned(name, sock, err);
		return 1;
	}
	return ok ? 0 : 1;
}

int cmd_reload(int argc, char **argv)
{
	return request("reload", argc, argv, false);
}

int cmd_restart(int argc, char **argv)
{
	return request("restart", argc, argv, false);
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

int cmd_get(int argc, char **argv)
{
	return request("get", argc, argv, true);
}

int cmd_show_running(int argc, char **argv)
{
	return request("show", argc, argv, true);
}
