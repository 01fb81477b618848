// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes as what a client of the control
 * socket sends (src/daemon/ctl_proto.c, daemon/ctl.h): split into lines
 * at LF as the daemon's serve() does (each cut at a NUL as handle_line()
 * sees it, at most CTL_LINE_MAX bytes), each line through ctl_split() and
 * ctl_parse(), and the words of a filter request through the parsers the
 * daemon hands them to: the flow trace filter (trace/filter.c) and the
 * session filter (daemon/sess_diag.c), whose state carries over from line
 * to line as the daemon's does, printed after each change. Each line also
 * goes through the client's readers of answer heads (ctl_parse_head(),
 * ctl_parse_frame()), which read what the daemon says.
 *
 * Any crash, leak, sanitizer report or abort() is a bug; every one found
 * becomes a case in tests/unit/test_daemon.c.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/ctl.h"
#include "daemon/sess_diag.h"
#include "trace/filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_ctl: %s\n", why);
	abort();
}

static void one_line(char *line, struct flow_filter *ff, /* filter, filter6 */
		     struct sess_filter *sf)
{
	char *argv[CTL_MAX_WORDS], err[256], buf[1024];
	enum ctl_frame kind;
	struct ctl_req r;
	unsigned int count;
	FILE *null;
	bool ok;
	int argc, k;

	ctl_parse_head(line, &ok, &count);
	ctl_parse_frame(line, &kind, &count);
	argc = ctl_split(line, argv, CTL_MAX_WORDS);
	if (argc < 0)
		return;
	if (argc > CTL_MAX_WORDS)
		fail("split: more words than room");
	err[0] = '\0';
	if (ctl_parse(argc, argv, &r, err, sizeof(err))) {
		if (!err[0])
			fail("parse: refused without saying why");
		return;
	}
	if (r.argc < 0 || r.argc > argc)
		fail("parse: words out of the request");
	if (r.cmd == CTL_FILTER && r.family != 4 && r.family != 6)
		fail("parse: a flow filter of no family");
	switch (r.cmd) {
	case CTL_FILTER:
		if (!r.argc)
			break;
		err[0] = '\0';
		k = flow_filters_parse(ff,
				       r.family == 6 ? FLOW_FILTER6 :
						       FLOW_FILTER4,
				       r.argc, r.argv, NULL, err, sizeof(err));
		if (k < 0 && !err[0])
			fail("flow filter: refused without saying why");
		if (k >= FLOW_NR_FILTERS)
			fail("flow filter: changed a filter that is not there");
		flow_filters_format(ff, k < 0 ? 0 : k, buf, sizeof(buf));
		if (k >= 0)
			flow_filters_echo(ff,
					  r.family == 6 ? FLOW_FILTER6 :
							  FLOW_FILTER4,
					  k, r.argc, r.argv, buf, sizeof(buf));
		break;
	case CTL_SESS_FILTER:
		if (!r.argc)
			break;
		if (r.family != sf->family)
			sess_filter_init(sf, r.family);
		err[0] = '\0';
		if (sess_filter_parse(sf, r.argc, r.argv, err, sizeof(err))) {
			if (!err[0])
				fail("session filter: refused without saying why");
		}
		null = fopen("/dev/null", "w");
		if (!null)
			fail("/dev/null");
		sess_filter_print(sf, null);
		sess_filter_json(sf, null);
		fclose(null);
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char in[CTL_LINE_MAX + 1];
	struct flow_filter ff[FLOW_NR_FILTERS];
	struct sess_filter sf;
	size_t off = 0;

	flow_filters_init(ff);
	sess_filter_init(&sf, 4);
	while (off < size) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = nl ? (size_t)(nl - data - off) : size - off;

		/* The daemon answers "too long" and reads no more. */
		if (len >= CTL_LINE_MAX)
			break;
		memcpy(in, data + off, len);
		in[len] = '\0';
		one_line(in, ff, &sf);
		off += len + 1;
	}
	return 0;
}
