// SPDX-License-Identifier: GPL-2.0
/*
 * The control protocol's text (ctl.h): request words, answer head lines.
 * No I/O on sockets here, so the unit tests drive it directly.
 */
#include "daemon/ctl.h"
#include "util/keyword.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

int ctl_split(char *line, char **argv, int max)
{
	char *save = NULL, *w;
	size_t len = strlen(line);
	int argc = 0;

	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	for (w = strtok_r(line, " \t", &save); w;
	     w = strtok_r(NULL, " \t", &save)) {
		if (argc == max)
			return -E2BIG;
		argv[argc++] = w;
	}
	return argc;
}

/* One level of the command tree: @argv[@at] must be one of @words. */
static int level(int argc, char **argv, int at, const char *const *words, int n,
		 const char *what, char *err, size_t errlen)
{
	int k;

	if (at >= argc) {
		snprintf(err, errlen, "incomplete command: %s expected", what);
		return -EINVAL;
	}
	k = keyword_index(argv[at], words, n);
	if (k == -EAGAIN)
		snprintf(err, errlen, "ambiguous command \"%s\"", argv[at]);
	else if (k < 0)
		snprintf(err, errlen, "unknown command \"%s\" (%s expected)",
			 argv[at], what);
	return k < 0 ? -EINVAL : k;
}

static int parse_count(const char *s, __u32 *out)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !v || v > UINT_MAX)
		return -EINVAL;
	*out = (__u32)v;
	return 0;
}

/* Nothing may follow @argv[@at - 1]. */
static int no_more(int argc, char **argv, int at, char *err, size_t errlen)
{
	if (argc <= at)
		return 0;
	snprintf(err, errlen, "unexpected \"%s\"", argv[at]);
	return -EINVAL;
}

/* "list" at @argv[@at], and nothing after it: @cmd. */
static int list_only(int argc, char **argv, int at, enum ctl_cmd cmd,
		     struct ctl_req *req, char *err, size_t errlen)
{
	static const char *const list[] = { "list" };

	if (level(argc, argv, at, list, 1, "\"list\"", err, errlen) < 0)
		return -EINVAL;
	req->cmd = cmd;
	return no_more(argc, argv, at + 1, err, errlen);
}

/* diagnose vpn tunnel list [name NAME] */
static int parse_vpn(int argc, char **argv, struct ctl_req *req, char *err,
		     size_t errlen)
{
	static const char *const tunnel[] = { "tunnel" };
	static const char *const list[] = { "list" };
	static const char *const name[] = { "name" };

	if (level(argc, argv, 2, tunnel, 1, "\"tunnel\"", err, errlen) < 0 ||
	    level(argc, argv, 3, list, 1, "\"list\"", err, errlen) < 0)
		return -EINVAL;
	req->cmd = CTL_VPN_TUNNEL_LIST;
	if (argc == 4)
		return 0;
	if (level(argc, argv, 4, name, 1, "\"name\"", err, errlen) < 0)
		return -EINVAL;
	if (argc != 6) {
		snprintf(err, errlen,
			 argc < 6 ? "name needs a tunnel name" :
				    "unexpected \"%s\"",
			 argv[argc - 1]);
		return -EINVAL;
	}
	req->argc = 1;
	req->argv = (const char *const *)argv + 5;
	return 0;
}

/*
 * diagnose sys session|session6 list | clear | filter [WORDS]
 * diagnose sys external-address-resource list
 */
static int parse_sys(int argc, char **argv, struct ctl_req *req, char *err,
		     size_t errlen)
{
	static const char *const session[] = { "session", "session6",
					       "external-address-resource" };
	static const char *const what[] = { "list", "clear", "filter" };
	static const enum ctl_cmd cmds[] = { CTL_SESS_LIST, CTL_SESS_CLEAR,
					     CTL_SESS_FILTER };
	int k;

	/* "diag sys sess list", as admins type it: the shorter one. */
	if (argc > 2 && argv[2][0] &&
	    !strncmp(argv[2], "session", strlen(argv[2])))
		k = 0;
	else
		k = level(
			argc, argv, 2, session, 3,
			"\"session\", \"session6\" or \"external-address-resource\"",
			err, errlen);
	if (k < 0)
		return k;
	if (k == 2)
		return list_only(argc, argv, 3, CTL_FEED_LIST, req, err,
				 errlen);
	req->family = k ? 6 : 4;
	k = level(argc, argv, 3, what, 3, "\"list\", \"clear\" or \"filter\"",
		  err, errlen);
	if (k < 0)
		return k;
	req->cmd = cmds[k];
	if (req->cmd == CTL_SESS_FILTER) {
		req->argc = argc - 4;
		req->argv = (const char *const *)argv + 4;
	} else if (argc > 4) {
		snprintf(err, errlen, "unexpected \"%s\"", argv[4]);
		return -EINVAL;
	}
	return 0;
}

/* enable|disable at @argv[@at], and nothing after it. */
static int on_off(int argc, char **argv, int at, struct ctl_req *req, char *err,
		  size_t errlen)
{
	static const char *const words[] = { "enable", "disable" };
	int k = level(argc, argv, at, words, 2, "\"enable\" or \"disable\"",
		      err, errlen);

	if (k < 0)
		return k;
	req->on = k == 0;
	return no_more(argc, argv, at + 1, err, errlen);
}

/* A policy id at @argv[@at] (0 allowed: FortiOS ids start at 0). */
static int policy_id(int argc, char **argv, int at, struct ctl_req *req,
		     char *err, size_t errlen)
{
	unsigned long v;
	char *end;

	if (at >= argc) {
		snprintf(err, errlen,
			 "incomplete command: a policy id expected");
		return -EINVAL;
	}
	errno = 0;
	v = strtoul(argv[at], &end, 10);
	if (argv[at][0] < '0' || argv[at][0] > '9' || errno || *end ||
	    v > UINT_MAX) {
		snprintf(err, errlen, "invalid policy id \"%s\"", argv[at]);
		return -EINVAL;
	}
	req->id = (__u32)v;
	req->has_id = true;
	return 0;
}

/* The policy group: only 100001 (the local-in policies) is ours. */
static int group(int argc, char **argv, int at, bool needed, char *err,
		 size_t errlen)
{
	if (at >= argc) {
		if (!needed)
			return 0;
		snprintf(
			err, errlen,
			"incomplete command: a policy group expected (" CTL_IPROPE_GROUP
			")");
		return -EINVAL;
	}
	if (strcmp(argv[at], CTL_IPROPE_GROUP) &&
	    strcmp(argv[at], "0x" CTL_IPROPE_GROUP)) {
		snprintf(
			err, errlen,
			"no policy group \"%s\": localin has only " CTL_IPROPE_GROUP
			" (the local-in policies)",
			argv[at]);
		return -EINVAL;
	}
	return 0;
}

/*
 * diagnose firewall iprope list [G] | show G ID | clear [G]
 * diagnose firewall fqdn list
 */
static int parse_firewall(int argc, char **argv, struct ctl_req *req, char *err,
			  size_t errlen)
{
	static const char *const sub[] = { "iprope", "fqdn" };
	static const char *const what[] = { "list", "show", "clear" };
	static const enum ctl_cmd cmds[] = { CTL_IPROPE_LIST, CTL_IPROPE_SHOW,
					     CTL_IPROPE_CLEAR };
	int k;

	k = level(argc, argv, 2, sub, 2, "\"iprope\" or \"fqdn\"", err, errlen);
	if (k < 0)
		return k;
	if (k == 1)
		return list_only(argc, argv, 3, CTL_FQDN_LIST, req, err,
				 errlen);
	k = level(argc, argv, 3, what, 3, "\"list\", \"show\" or \"clear\"",
		  err, errlen);
	if (k < 0)
		return k;
	req->cmd = cmds[k];
	if (group(argc, argv, 4, k == 1, err, errlen))
		return -EINVAL;
	if (k == 1) {
		if (policy_id(argc, argv, 5, req, err, errlen))
			return -EINVAL;
		return no_more(argc, argv, 6, err, errlen);
	}
	return no_more(argc, argv, 5, err, errlen);
}

/* diagnose debug flow filter|trace|show ... */
static int parse_flow(int argc, char **argv, struct ctl_req *req, char *err,
		      size_t errlen)
{
	/* filter: the IPv4 packets' filter, filter6 the IPv6 ones' */
	static const char *const what[] = { "filter", "trace", "show",
					    "filter6" };
	static const char *const trace[] = { "start", "stop" };
	static const char *const show[] = { "function-name", "iprope" };
	int k;

	k = level(argc, argv, 3, what, 4,
		  "\"filter\", \"filter6\", \"trace\" or \"show\"", err,
		  errlen);
	if (k < 0)
		return k;
	if (k == 0 || k == 3) {
		req->cmd = CTL_FILTER;
		req->family = k ? 6 : 4;
		req->argc = argc - 4;
		req->argv = (const char *const *)argv + 4;
		return 0;
	}
	if (k == 2) {
		k = level(argc, argv, 4, show, 2,
			  "\"function-name\" or \"iprope\"", err, errlen);
		if (k < 0)
			return k;
		req->cmd = k ? CTL_FLOW_SHOW_IPROPE : CTL_FLOW_SHOW_FUNC;
		return on_off(argc, argv, 5, req, err, errlen);
	}
	k = level(argc, argv, 4, trace, 2, "\"start\" or \"stop\"", err,
		  errlen);
	if (k < 0)
		return k;
	if (k == 1) {
		req->cmd = CTL_TRACE_STOP;
		return no_more(argc, argv, 5, err, errlen);
	}
	req->cmd = CTL_TRACE_START;
	if (argc < 6) {
		snprintf(err, errlen, "trace start needs a packet count");
		return -EINVAL;
	}
	/* 0 is no "all" here, as it is for replay's --trace-count */
	if (parse_count(argv[5], &req->count)) {
		snprintf(
			err, errlen,
			"invalid packet count \"%s\" (1 to %u; a trace runs until its N packets, `trace stop` or `diagnose debug reset`)",
			argv[5], UINT_MAX);
		return -EINVAL;
	}
	return no_more(argc, argv, 6, err, errlen);
}

/* diagnose debug flow ... | enable [keep] | disable | reset | console ... */
static int parse_debug(int argc, char **argv, struct ctl_req *req, char *err,
		       size_t errlen)
{
	static const char *const what[] = { "flow", "enable", "disable",
					    "reset", "console" };
	static const char *const console[] = { "timestamp" };
	static const char *const keep[] = { "keep" };
	int k;

	k = level(argc, argv, 2, what, 5,
		  "\"flow\", \"enable\", \"disable\", \"reset\" or \"console\"",
		  err, errlen);
	if (k < 0)
		return k;
	switch (k) {
	case 0:
		return parse_flow(argc, argv, req, err, errlen);
	case 1:
		req->cmd = CTL_DEBUG_ENABLE;
		if (argc > 3) {
			if (level(argc, argv, 3, keep, 1, "\"keep\"", err,
				  errlen) < 0)
				return -EINVAL;
			req->keep = true;
			return no_more(argc, argv, 4, err, errlen);
		}
		return 0;
	case 2:
	case 3:
		req->cmd = k == 2 ? CTL_DEBUG_DISABLE : CTL_DEBUG_RESET;
		return no_more(argc, argv, 3, err, errlen);
	}
	if (level(argc, argv, 3, console, 1, "\"timestamp\"", err, errlen) < 0)
		return -EINVAL;
	req->cmd = CTL_DEBUG_TIMESTAMP;
	return on_off(argc, argv, 4, req, err, errlen);
}

static int parse_diagnose(int argc, char **argv, struct ctl_req *req, char *err,
			  size_t errlen)
{
	static const char *const top[] = { "debug", "vpn", "sys", "firewall" };
	int k;

	k = level(argc, argv, 1, top, 4,
		  "\"debug\", \"vpn\", \"sys\" or \"firewall\"", err, errlen);
	if (k < 0)
		return k;
	if (k == 1)
		return parse_vpn(argc, argv, req, err, errlen);
	if (k == 2)
		return parse_sys(argc, argv, req, err, errlen);
	if (k == 3)
		return parse_firewall(argc, argv, req, err, errlen);
	return parse_debug(argc, argv, req, err, errlen);
}

/*
 * get system status | get system performance status |
 * get|show firewall local-in-policy [ID]
 */
static int parse_get_show(int argc, char **argv, bool get, struct ctl_req *req,
			  char *err, size_t errlen)
{
	static const char *const top_get[] = { "system", "firewall" };
	static const char *const sys[] = { "status", "performance" };
	static const char *const perf[] = { "status" };
	static const char *const fw[] = { "local-in-policy" };
	int k = 1;

	if (get) {
		k = level(argc, argv, 1, top_get, 2,
			  "\"system\" or \"firewall\"", err, errlen);
		if (k < 0)
			return k;
	} else if (level(argc, argv, 1, top_get + 1, 1, "\"firewall\"", err,
			 errlen) < 0) {
		return -EINVAL;
	}
	if (k == 0) {
		k = level(argc, argv, 2, sys, 2,
			  "\"status\" or \"performance\"", err, errlen);
		if (k < 0)
			return k;
		if (k == 0) {
			req->cmd = CTL_GET_SYS_STATUS;
			return no_more(argc, argv, 3, err, errlen);
		}
		if (level(argc, argv, 3, perf, 1, "\"status\"", err, errlen) <
		    0)
			return -EINVAL;
		req->cmd = CTL_GET_SYS_PERF;
		return no_more(argc, argv, 4, err, errlen);
	}
	if (level(argc, argv, 2, fw, 1, "\"local-in-policy\"", err, errlen) < 0)
		return -EINVAL;
	req->cmd = get ? CTL_GET_LOCALIN : CTL_SHOW_LOCALIN;
	if (argc > 3 && policy_id(argc, argv, 3, req, err, errlen))
		return -EINVAL;
	return no_more(argc, argv, 4, err, errlen);
}

bool ctl_has_json(enum ctl_cmd cmd)
{
	switch (cmd) {
	case CTL_STATUS:
	case CTL_FILTER:
	case CTL_IPROPE_LIST:
	case CTL_IPROPE_SHOW:
	case CTL_GET_SYS_STATUS:
	case CTL_GET_SYS_PERF:
	case CTL_GET_LOCALIN:
	case CTL_VPN_TUNNEL_LIST:
	case CTL_SESS_LIST:
	case CTL_SESS_FILTER:
	case CTL_FQDN_LIST:
	case CTL_FEED_LIST:
		return true;
	default:
		return false;
	}
}

/* apply PATH: an absolute path, compiled and swapped in like a reload. */
static int parse_apply(int argc, char **argv, struct ctl_req *req, char *err,
		       size_t errlen)
{
	if (argc != 2 || argv[1][0] != '/') {
		snprintf(err, errlen, "usage: apply /ABSOLUTE/PATH");
		return -EINVAL;
	}
	req->cmd = CTL_APPLY;
	req->argc = 1;
	req->argv = (const char *const *)&argv[1];
	return 0;
}

int ctl_parse(int argc, char **argv, struct ctl_req *req, char *err,
	      size_t errlen)
{
	/* apply: the cli's own request, not listed in the error. */
	static const char *const top[] = { "reload",   "stop",	 "status",
					   "diagnose", "get",	 "show",
					   "apply",    "restart" };
	static const enum ctl_cmd cmds[] = { CTL_RELOAD, CTL_STOP,   CTL_STATUS,
					     0,		 0,	     0,
					     0,		 CTL_RESTART };
	bool json = false;
	int k;

	memset(req, 0, sizeof(*req));
	if (argc && !strcmp(argv[0], "json")) {
		json = true;
		argc--;
		argv++;
	}
	if (argc == 0) {
		snprintf(err, errlen, "empty request");
		return -EINVAL;
	}
	k = level(argc, argv, 0, top, 8,
		  "reload, restart, stop, status, diagnose, get or show", err,
		  errlen);
	if (k < 0)
		return k;
	if (k == 3)
		k = parse_diagnose(argc, argv, req, err, errlen);
	else if (k == 4 || k == 5)
		k = parse_get_show(argc, argv, k == 4, req, err, errlen);
	else if (k == 6)
		k = parse_apply(argc, argv, req, err, errlen);
	else if (k == 0 && argc == 2 && !strcmp(argv[1], "force")) {
		/* "reload force": also a config that enforces nothing. */
		req->cmd = CTL_RELOAD;
		req->force = true;
		k = 0;
	} else if (argc > 1) {
		snprintf(err, errlen, "unexpected \"%s\"", argv[1]);
		return -EINVAL;
	} else {
		req->cmd = cmds[k];
		k = 0;
	}
	if (k < 0)
		return k;
	req->json = json;
	if (json && (!ctl_has_json(req->cmd) ||
		     ((req->cmd == CTL_FILTER || req->cmd == CTL_SESS_FILTER) &&
		      req->argc))) {
		snprintf(err, errlen, "this request has no JSON form");
		return -EINVAL;
	}
	return 0;
}

unsigned int ctl_count_lines(const char *text, size_t len)
{
	unsigned int n = 0;
	size_t i;

	for (i = 0; i < len; i++)
		n += text[i] == '\n';
	if (len && text[len - 1] != '\n')
		n++;
	return n;
}

int ctl_write_answer(FILE *out, bool ok, const char *text, size_t len)
{
	unsigned int n = ctl_count_lines(text, len);

	fprintf(out, "%s %u\n", ok ? "ok" : "error", n);
	if (len)
		fwrite(text, 1, len, out);
	if (len && text[len - 1] != '\n')
		fputc('\n', out);
	return ferror(out) ? -EIO : 0;
}

int ctl_parse_head(const char *line, bool *ok, unsigned int *count)
{
	const char *num;
	unsigned long v;
	char *end;

	if (!strncmp(line, "ok ", 3)) {
		*ok = true;
		num = line + 3;
	} else if (!strncmp(line, "error ", 6)) {
		*ok = false;
		num = line + 6;
	} else {
		return -EPROTO;
	}
	if (*num < '0' || *num > '9')
		return -EPROTO;
	errno = 0;
	v = strtoul(num, &end, 10);
	if (errno || v > UINT_MAX || (*end && strcmp(end, "\n")))
		return -EPROTO;
	*count = (unsigned int)v;
	return 0;
}

int ctl_parse_frame(const char *line, enum ctl_frame *kind, unsigned int *count)
{
	static const struct {
		const char *word;
		enum ctl_frame kind;
	} heads[] = {
		{ "stream ", CTL_FR_STREAM },
		{ "data ", CTL_FR_DATA },
		{ "lost ", CTL_FR_LOST },
		{ "end ", CTL_FR_END },
	};
	const char *num = NULL;
	unsigned long v;
	bool ok;
	size_t i;
	char *end;

	if (!ctl_parse_head(line, &ok, count)) {
		*kind = ok ? CTL_FR_OK : CTL_FR_ERROR;
		return 0;
	}
	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		if (!strncmp(line, heads[i].word, strlen(heads[i].word))) {
			num = line + strlen(heads[i].word);
			*kind = heads[i].kind;
			break;
		}
	}
	if (!num || *num < '0' || *num > '9')
		return -EPROTO;
	errno = 0;
	v = strtoul(num, &end, 10);
	if (errno || v > UINT_MAX || (*end && strcmp(end, "\n")))
		return -EPROTO;
	*count = (unsigned int)v;
	return 0;
}
