// SPDX-License-Identifier: GPL-2.0
/*
 * The parser, run twice: loads parse_check.bpf.o (so the verifier judges
 * it), then feeds every frame of the given captures, and every prefix of
 * each frame down to the 14 bytes XDP needs, through BPF_PROG_TEST_RUN and
 * through the host build of the same header. The two struct li_pkt must be
 * identical, and the XDP verdict must be DROP exactly when malformed is set.
 *
 *	test_run [-n NAME] OBJ FILE...
 *
 * FILE is a pcap/pcapng capture, a directory of raw frames (the fuzz corpus),
 * or any other file, taken as one raw frame. Prints one PASS/FAIL line for the verifier and one per
 * file (NAME, say the -mcpu, tells several objects apart); exits 0 only if
 * all passed.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
/* pcap/bpf.h redefines struct bpf_insn: keep it out, supply what pcap.h uses. */
#define lib_pcap_bpf_h
typedef __u32 bpf_u_int32;
struct bpf_program;
#include <pcap/pcap.h>

#include "dataplane/parse.h"

#define MAX_FRAME 3000 /* below what XDP test runs accept in one page */

struct ctx {
	int prog_fd;
	int map_fd;
	unsigned long runs;
	unsigned long failed;
	char first_error[256];
};

static void note(struct ctx *c, unsigned long frame, size_t len,
		 const char *what)
{
	c->failed++;
	if (!c->first_error[0])
		snprintf(c->first_error, sizeof(c->first_error),
			 "frame %lu cut to %zu bytes: %s", frame, len, what);
}

/* One frame (len bytes of buf) in the kernel and on the host. */
static void run_one(struct ctx *c, const unsigned char *buf, size_t len,
		    unsigned long frame)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = buf,
		    .data_size_in = (__u32)len, .repeat = 1);
	struct li_pkt host, kern;
	__u32 key = 0;

	li_parse(buf, buf + len, &host);
	memset(&kern, 0xa5, sizeof(kern));
	c->runs++;
	if (bpf_prog_test_run_opts(c->prog_fd, &opts)) {
		note(c, frame, len, "test run failed");
		return;
	}
	if (bpf_map_lookup_elem(c->map_fd, &key, &kern)) {
		note(c, frame, len, "map lookup failed");
		return;
	}
	if (memcmp(&host, &kern, sizeof(host)))
		note(c, frame, len, "BPF and host parses differ");
	else if (opts.retval != (host.malformed ? XDP_DROP : XDP_PASS))
		note(c, frame, len, "wrong XDP verdict");
}

static void run_frame(struct ctx *c, const unsigned char *buf, size_t len,
		      unsigned long frame)
{
	size_t n;

	if (len > MAX_FRAME)
		len = MAX_FRAME;
	for (n = LI_ETH_HLEN; n <= len; n++)
		run_one(c, buf, n, frame);
}

/* A capture, a raw frame, or a directory of raw frames. Returns frames. */
static unsigned long run_file(struct ctx *c, const char *path)
{
	static unsigned char buf[MAX_FRAME];
	char err[PCAP_ERRBUF_SIZE], sub[4096];
	unsigned long frames = 0;
	struct pcap_pkthdr *h;
	const unsigned char *d;
	struct dirent *de;
	size_t len;
	pcap_t *pc;
	DIR *dir;
	FILE *f;

	dir = opendir(path);
	if (dir) {
		while ((de = readdir(dir))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			frames += run_file(c, sub);
		}
		closedir(dir);
		return frames;
	}
	pc = pcap_open_offline(path, err);
	if (pc) {
		while (pcap_next_ex(pc, &h, &d) == 1)
			run_frame(c, d, h->caplen, ++frames);
		pcap_close(pc);
		return frames;
	}
	f = fopen(path, "rb");
	if (!f)
		return 0;
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	run_frame(c, buf, len, 1);
	return 1;
}

int main(int argc, char **argv)
{
	static char log[1 << 20];
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct ctx c = { 0 };
	const char *stats, *name = "";
	int i = 1, bad = 0;

	if (argc > 2 && !strcmp(argv[1], "-n")) {
		name = argv[2];
		i = 3;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: test_run [-n NAME] OBJ [FILE...]\n");
		return 2;
	}
	libbpf_set_print(NULL);
	obj = bpf_object__open_file(argv[i], NULL);
	if (!obj) {
		printf("FAIL bpf/verifier%s: cannot open %s\n", name, argv[i]);
		return 1;
	}
	prog = bpf_object__find_program_by_name(obj, "parse_check");
	if (!prog) {
		printf("FAIL bpf/verifier%s: no program parse_check\n", name);
		return 1;
	}
	bpf_program__set_log_buf(prog, log, sizeof(log));
	bpf_program__set_log_level(prog, 1 | 4); /* errors and statistics */
	if (bpf_object__load(obj)) {
		printf("FAIL bpf/verifier%s: rejected\n%s\n", name,
		       strlen(log) > 4000 ? log + strlen(log) - 4000 : log);
		return 1;
	}
	stats = strstr(log, "processed ");
	printf("PASS bpf/verifier%s: %.*s\n", name,
	       stats ? (int)strcspn(stats, "\n") : 8,
	       stats ? stats : "accepted");
	c.prog_fd = bpf_program__fd(prog);
	c.map_fd = bpf_object__find_map_fd_by_name(obj, "last_pkt");
	for (i++; i < argc; i++) {
		c.runs = c.failed = 0;
		c.first_error[0] = 0;
		if (!run_file(&c, argv[i])) {
			printf("FAIL bpf/test_run%s %s: no frames\n", name,
			       argv[i]);
			bad++;
			continue;
		}
		if (c.failed) {
			printf("FAIL bpf/test_run%s %s: %lu of %lu runs; first: "
			       "%s\n",
			       name, argv[i], c.failed, c.runs, c.first_error);
			bad++;
		} else {
			printf("PASS bpf/test_run%s %s: %lu runs agree\n", name,
			       argv[i], c.runs);
		}
	}
	bpf_object__close(obj);
	return bad ? 1 : 0;
}
