// SPDX-License-Identifier: GPL-2.0
/*
 * The control protocol's text (ctl.h): request words, answer head lines.
 * No I/O on sockets here, so the unit tests drive it directly.
 */
#include "daemon/ctl.h"

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

int ctl_keyword(const char *word, const char *const *words, int n)
{
	size_t len = strlen(word);
	int i, found = -ENOENT, shortest = -1;

	for (i = 0; i < n; i++) {
		if (!strcmp(word, words[i]))
			return i;
		if (!len || strncmp(word, words[i], len))
			continue;
		found = found == -ENOENT ? i : -EAGAIN;
		if (shortest < 0 || strlen(words[i]) < strlen(words[shortest]))
			shortest = i;
	}
	if (found != -EAGAIN)
		return found;
	/* "local": local-in-policy, not local-in-policy6, as on FortiOS. */
	for (i = 0; i < n; i++)
		if (!strncmp(word, words[i], len) &&
		    strncmp(words[shortest], words[i], strlen(words[shortest])))
			return -EAGAIN;
	return shortest;
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
	k = ctl_keyword(argv[at], words, n);
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

/* diagnose sys session|session6 list | clear | filter [WORDS] */
static int parse_sys(int argc, char **argv, struct ctl_req *req, char *err,
		     size_t errlen)
{
	static const char *const session[] = { "session", "session6" };
	static const char *const what[] = { "list", "clear", "filter" };
	static const enum ctl_cmd cmds[] = { CTL_SESS_LIST, CTL_SESS_CLEAR,
					     CTL_SESS_FILTER };
	int k;

	/* "diag sys sess list", as admins type it: the shorter one. */
	if (argc > 2 && argv[2][0] &&
	    !strncmp(argv[2], "session", strlen(argv[2])))
		k = 0;
	else
		k = level(argc, argv, 2, session, 2,
			  "\"session\" or \"session6\"", err, errlen);
	if (k < 0)
		return k;
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

static int parse_diagnose(int argc, char **argv, struct ctl_req *req, char *err,
			  size_t errlen)
{
	static const char *const top[] = { "debug", "vpn", "sys" };
	static const char *const flow[] = { "flow" };
	static const char *const what[] = { "filter", "trace" };
	static const char *const trace[] = { "start", "stop" };
	int k;

	k = level(argc, argv, 1, top, 3, "\"debug\", \"vpn\" or \"sys\"", err,
		  errlen);
	if (k < 0)
		return k;
	if (k == 1)
		return parse_vpn(argc, argv, req, err, errlen);
	if (k == 2)
		return parse_sys(argc, argv, req, err, errlen);
	if (level(argc, argv, 2, flow, 1, "\"flow\"", err, errlen) < 0)
		return -EINVAL;
	k = level(argc, argv, 3, what, 2, "\"filter\" or \"trace\"", err,
		  errlen);
	if (k < 0)
		return k;
	if (k == 0) {
		req->cmd = CTL_FILTER;
		req->argc = argc - 4;
		req->argv = (const char *const *)argv + 4;
		return 0;
	}
	k = level(argc, argv, 4, trace, 2, "\"start\" or \"stop\"", err,
		  errlen);
	if (k < 0)
		return k;
	if (k == 1) {
		req->cmd = CTL_TRACE_STOP;
		if (argc > 5)
			goto extra;
		return 0;
	}
	req->cmd = CTL_TRACE_START;
	if (argc < 6) {
		snprintf(err, errlen, "trace start needs a packet count");
		return -EINVAL;
	}
	if (parse_count(argv[5], &req->count)) {
		snprintf(err, errlen, "invalid packet count \"%s\"", argv[5]);
		return -EINVAL;
	}
	if (argc > 6)
		goto extra;
	return 0;
extra:
	snprintf(err, errlen, "unexpected \"%s\"", argv[argc - 1]);
	return -EINVAL;
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
	static const char *const top[] = { "reload", "stop", "status",
					   "diagnose", "apply" };
	static const enum ctl_cmd cmds[] = { CTL_RELOAD, CTL_STOP, CTL_STATUS };
	int k;

	memset(req, 0, sizeof(*req));
	if (argc == 0) {
		snprintf(err, errlen, "empty request");
		return -EINVAL;
	}
	k = level(argc, argv, 0, top, 5, "reload, stop, status or diagnose",
		  err, errlen);
	if (k < 0)
		return k;
	if (k == 3)
		return parse_diagnose(argc, argv, req, err, errlen);
	if (k == 4)
		return parse_apply(argc, argv, req, err, errlen);
	/* "reload force": also a config that enforces nothing (reload.c). */
	if (k == 0 && argc == 2 && !strcmp(argv[1], "force")) {
		req->cmd = CTL_RELOAD;
		req->force = true;
		return 0;
	}
	if (argc > 1) {
		snprintf(err, errlen, "unexpected \"%s\"", argv[1]);
		return -EINVAL;
	}
	req->cmd = cmds[k];
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
