// SPDX-License-Identifier: GPL-2.0
/*
 * `localin replay -c CONF CAPTURE [options] [--trace [FILTER...]]`: what
 * the data path would have done to every packet of a capture.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay/replay.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "dyn/engine.h"
#include "pipeline/pipeline.h"

static const char replay_usage[] =
	"usage: localin replay -c CONF CAPTURE [options] [--trace [FILTER...]]\n"
	"  -c, --config CONF     FortiOS config (compiled as by `localin check`)\n"
	"  CAPTURE               pcap or pcapng file\n"
	"      --verdicts        one line per packet: N accept|drop|skip REASON POLICY\n"
	"      --trace [FILTER]  debug-flow trace lines for packets matching the\n"
	"                        `diagnose debug flow filter` words that follow the\n"
	"                        capture, e.g. --trace saddr 203.0.113.66 dport 500;\n"
	"                        after the word filter6, the IPv6 filter's\n"
	"      --trace-count N   trace at most N packets (`trace start N`; 0: all)\n"
	"      --local A,B       the gateway's addresses (default: system interface);\n"
	"                        A%wan1: the interface it is on\n"
	"      --link-local A,B  and its IPv6 link-local ones (fe80::/10, [/LEN]:\n"
	"                        `ip -6 addr show scope link`), as the daemon has;\n"
	"                        fe80::1%wan1: the interface it is on\n"
	"      --intf NAME       arrival interface when the capture names none\n"
	"      --sa-file FILE    live SAs: DEST SPI [PEER [TUNNEL [NATT-PORT]]] a line\n"
	"      --devid ID        devid= of log lines (default: none)\n"
	"      --vdom NAME       of a multi-VDOM backup, this VDOM's policies\n"
	"                        (default root)\n"
	"      --engine ENGINE   host (default): the matcher in this process;\n"
	"                        xdp: the XDP program, by BPF_PROG_TEST_RUN (root)\n"
	"      --no-resolve      do not resolve FQDN addresses nor fetch feeds\n"
	"                        (they match nothing; else resolved once at start)\n"
	"      --timing          on stderr, the time the packets took (the config's\n"
	"                        load and compile not counted) and ns a packet\n"
	"Exit status: 0 replayed; 1 an error in the config, the capture or the\n"
	"SA file (said on stderr, with the record where there is one); 2 usage.\n";

enum {
	OPT_VERDICTS = 256,
	OPT_TRACE,
	OPT_TRACE_COUNT,
	OPT_LOCAL,
	OPT_LINK_LOCAL,
	OPT_INTF,
	OPT_SA_FILE,
	OPT_DEVID,
	OPT_ENGINE,
	OPT_NO_RESOLVE,
	OPT_VDOM,
	OPT_TIMING,
};

static bool is_filter_word(const char *word)
{
	return !strcmp(word, "filter") || !strcmp(word, "filter6");
}

/*
 * The filter words after --trace; errors as usage errors of --trace.
 * FortiOS sets one criterion a command; here they come together
 * (`saddr A dport 500`), cut where an option word starts the next
 * (after `negate`, its field is its own) and applied in turn, to
 * `filter` (IPv4 packets) until the word `filter6` names the IPv6 one
 * (and `filter` the IPv4 one again). An address goes to its family's.
 */
static int parse_trace_filter(struct flow_filter *f, int argc,
			      const char *const *argv, const char *vdom)
{
	int i, end, err = 0, named = FLOW_FILTER4;
	const char *opt;
	struct diag_list dl;
	struct arena a;
	size_t k;

	arena_init(&a);
	diag_init(&dl, &a);
	for (i = 0; i < argc && err >= 0; i = end) {
		end = i + 1;
		if (is_filter_word(argv[i])) {
			named = strcmp(argv[i], "filter") ? FLOW_FILTER6 :
							    FLOW_FILTER4;
			continue;
		}
		/* negate's field, and a VDOM's name, are no option */
		opt = flow_filter_option(argv[i]);
		if (opt &&
		    (!strcmp(opt, "negate") || !strcmp(opt, "vd-name")) &&
		    end < argc)
			end++;
		while (end < argc && !flow_filter_is_option(argv[end]) &&
		       !is_filter_word(argv[end]))
			end++;
		err = flow_filters_apply(f, named, end - i, argv + i, vdom,
					 &dl);
	}
	for (k = 0; k < dl.nr; k++)
		fprintf(stderr, "localin: --trace: %s\n", dl.items[k].msg);
	arena_free(&a);
	return err;
}

int cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "verdicts", no_argument, NULL, OPT_VERDICTS },
		{ "trace", no_argument, NULL, OPT_TRACE },
		{ "trace-count", required_argument, NULL, OPT_TRACE_COUNT },
		{ "local", required_argument, NULL, OPT_LOCAL },
		{ "link-local", required_argument, NULL, OPT_LINK_LOCAL },
		{ "intf", required_argument, NULL, OPT_INTF },
		{ "sa-file", required_argument, NULL, OPT_SA_FILE },
		{ "devid", required_argument, NULL, OPT_DEVID },
		{ "engine", required_argument, NULL, OPT_ENGINE },
		{ "no-resolve", no_argument, NULL, OPT_NO_RESOLVE },
		{ "vdom", required_argument, NULL, OPT_VDOM },
		{ "timing", no_argument, NULL, OPT_TIMING },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct replay_opts o = { 0 };
	const char *path = NULL, *vdom = NULL;
	struct pipeline p;
	bool resolve = true;
	int c, ret;

	flow_filters_init(o.filter);
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case OPT_VERDICTS:
			o.verdicts = true;
			break;
		case OPT_TRACE:
			o.trace = true;
			break;
		case OPT_TRACE_COUNT:
			if (cli_number("--trace-count", optarg, UINT32_MAX,
				       &o.trace_count))
				return 2;
			break;
		case OPT_LOCAL:
			o.locals = optarg;
			break;
		case OPT_LINK_LOCAL:
			o.link_locals = optarg;
			break;
		case OPT_INTF:
			o.intf = optarg;
			break;
		case OPT_SA_FILE:
			o.sa_file = optarg;
			break;
		case OPT_VDOM:
			vdom = optarg;
			break;
		case OPT_DEVID:
			o.devid = optarg;
			break;
		case OPT_ENGINE:
			if (strcmp(optarg, "host") && strcmp(optarg, "xdp")) {
				fprintf(stderr,
					"localin: --engine: \"%s\" is neither host nor xdp\n",
					optarg);
				return 2;
			}
			o.xdp = !strcmp(optarg, "xdp");
			break;
		case OPT_NO_RESOLVE:
			resolve = false;
			break;
		case OPT_TIMING:
			o.timing = true;
			break;
		case 'h':
			fputs(replay_usage, stdout);
			return 0;
		default:
			fputs(replay_usage, stderr);
			return 2;
		}
	}
	if (!path || optind >= argc) {
		fputs(replay_usage, stderr);
		return 2;
	}
	o.capture = argv[optind++];
	if (optind < argc) {
		if (!o.trace) {
			fprintf(stderr,
				"localin: unexpected \"%s\" (filter words go with --trace)\n",
				argv[optind]);
			return 2;
		}
		if (parse_trace_filter(o.filter, argc - optind,
				       (const char *const *)argv + optind,
				       vdom) < 0)
			return 2;
	}
	ret = pipeline_load_resolved(&p, path, vdom, resolve);
	if (ret) {
		diag_print(&p.diags, stderr);
		pipeline_free(&p);
		return 1;
	}
	pipeline_set_timezone(&p);
	ret = replay_run(&p, &o, stdout);
	diag_print(&p.diags, stderr);
	pipeline_free(&p);
	return ret ? 1 : 0;
}
