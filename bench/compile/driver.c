// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark driver: load a config up to the resolved objects, then time
 * ruleset_compile() alone, and a burst of host lookups, so the compile
 * stage's share of `localin check` is visible on its own.
 *
 *   driver FILE [ROUNDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "dataplane/host.h"
#include "pipeline/pipeline.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct pipeline p;
	struct li_ruleset rs;
	struct li_host h;
	struct rusage ru;
	double t0, t1, t2, best = 1e9;
	int rounds = argc > 2 ? atoi(argv[2]) : 1, r, err;
	unsigned int seed = 1, hits = 0, i;
	const int nkeys = 1000000;

	if (argc < 2) {
		fprintf(stderr, "usage: driver FILE [ROUNDS]\n");
		return 2;
	}
	t0 = now();
	err = pipeline_load(&p, argv[1], STAGE_RESOLVE);
	t1 = now();
	if (err) {
		diag_print(&p.diags, stderr);
		return 1;
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("after parse+resolve: peak RSS %ld MB\n", ru.ru_maxrss / 1024);
	for (r = 0; r < rounds; r++) {
		unsigned int before = p.diags.warnings;

		t1 = now();
		err = ruleset_compile(&p.objs, &rs, &p.diags);
		t2 = now();
		if (err) {
			fprintf(stderr, "compile: %d\n", err);
			return 1;
		}
		if (t2 - t1 < best)
			best = t2 - t1;
		if (r + 1 < rounds) {
			ruleset_free(&rs);
			p.diags.warnings = before;
		}
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("parse+resolve %.3f s, compile %.3f s (best of %d), peak RSS %ld MB\n",
	       t1 - t0, best, rounds, ru.ru_maxrss / 1024);
	printf("compile warnings %u\n", p.diags.warnings);
	ruleset_summary(&rs, stdout);
	if (li_host_init(&h, &rs, NULL)) {
		fprintf(stderr, "driver: out of memory\n");
		return 1;
	}
	li_host_set_ifname(&h, "wan1");
	t1 = now();
	for (i = 0; i < (unsigned int)nkeys; i++) {
		struct li_pkt pk = { .family = 4,
				     .proto = 17,
				     .flags = LI_PKT_PORTS,
				     .dport = 500,
				     .sport = 500 };

		pk.saddr[0] = rand_r(&seed);
		pk.daddr[0] = rand_r(&seed);
		hits += li_host_classify(&h, &pk) >= 0;
	}
	t2 = now();
	li_host_free(&h);
	printf("lookup %.1f ns/packet (%u of %d matched)\n",
	       (t2 - t1) * 1e9 / nkeys, hits, nkeys);
	ruleset_free(&rs);
	pipeline_free(&p);
	return 0;
}
