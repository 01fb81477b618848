// SPDX-License-Identifier: GPL-2.0
/*
 * bench -d DIR: what insns.py needs to run a loaded XDP program's object
 * over a frame outside the kernel and count the instructions it takes:
 * the program's maps as they are after the timed runs, one directory per
 * program. Timings on a shared machine move by a few ns from run to run;
 * an instruction count does not, and bench/xdp's frames cost about 0.05
 * ns an instruction on the project's VM (bench/xdp/README.md).
 *
 * DIR/NAME/maps.txt     one line a map: name type key_size value_size
 *                       max_entries (the kernel's name, 15 characters)
 * DIR/NAME/MAP.arr      an array's values one after another (a per-CPU
 *                       array's: CPU 0's)
 * DIR/NAME/MAP.hash     a hash's entries, key then value
 * DIR/NAME/clock.txt    jiffies and coarse ns the interpreter's clock
 *                       must read (localin's programs: below)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dataplane/maps.h"
#include "bench.h"

/*
 * The per-CPU scratch of localin's program as a flood's packets meet it:
 * the event buckets empty at the clock the interpreter reads, so that its
 * first run is refused and the next ones take emit()'s shortcut, as the
 * timed runs of a flood did. (A tree from before sessions, built with
 * -DBENCH_NO_SESS, is not dumped: its scratch was laid out otherwise.)
 */
static void li_cpu_flood(struct li_cpu *c, FILE *clock)
{
#ifndef BENCH_NO_SESS
	__u64 j = c->tb.jiffies ? c->tb.jiffies : 1, ns;
	struct timespec now;
	int k;

	/*
	 * The program's coarse clock, read after every timed run: no
	 * session was last seen after it, whichever CPU saw it (a clock
	 * behind a session's takes a shorter way through li_sess_live()).
	 */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	ns = (__u64)now.tv_sec * 1000000000ull + (__u64)now.tv_nsec;

	c->tb.jiffies = j;
	c->tb.ns = ns;
	for (k = 0; k < LI_EV_NR_KINDS; k++) {
		c->tb.tb[k].credit_ns = 0;
		c->tb.tb[k].last_ns = ns;
	}
	fprintf(clock, "%llu %llu\n", (unsigned long long)j,
		(unsigned long long)ns);
#endif
}

static int dump_map(int fd, const struct bpf_map_info *mi, const char *dir,
		    FILE *list, FILE *clock)
{
	int pcpu = mi->type == BPF_MAP_TYPE_PERCPU_ARRAY ||
		   mi->type == BPF_MAP_TYPE_PERCPU_HASH;
	int array = mi->type == BPF_MAP_TYPE_ARRAY ||
		    mi->type == BPF_MAP_TYPE_PERCPU_ARRAY;
	size_t vs = (mi->value_size + 7) & ~7u;
	int ncpu = pcpu ? libbpf_num_possible_cpus() : 1;
	unsigned char *v, *k, *nk;
	char path[512];
	FILE *f;
	__u32 i;
	int err = 0;

	if (mi->type == BPF_MAP_TYPE_RINGBUF ||
	    mi->type == BPF_MAP_TYPE_PROG_ARRAY)
		return 0;
	if (ncpu < 1)
		return -EINVAL;
	v = calloc((size_t)ncpu, vs);
	k = calloc(1, mi->key_size + 8);
	nk = calloc(1, mi->key_size + 8);
	snprintf(path, sizeof(path), "%s/%s.%s", dir, mi->name,
		 array ? "arr" : "hash");
	f = fopen(path, "w");
	if (!v || !k || !nk || !f) {
		err = -errno;
		goto out;
	}
	fprintf(list, "%s %u %u %u %u\n", mi->name, mi->type, mi->key_size,
		mi->value_size, mi->max_entries);
	if (array) {
		for (i = 0; i < mi->max_entries && !err; i++) {
			memset(v, 0, (size_t)ncpu * vs);
			if (bpf_map_lookup_elem(fd, &i, v))
				err = -errno;
			else if (!strcmp(mi->name, "li_cpu") &&
				 mi->value_size == sizeof(struct li_cpu))
				li_cpu_flood((struct li_cpu *)v, clock);
			if (!err &&
			    fwrite(v, mi->value_size, 1, f) != 1) /* CPU 0's */
				err = -EIO;
		}
	} else {
		void *prev = NULL;

		while (!err && !bpf_map_get_next_key(fd, prev, nk)) {
			memcpy(k, nk, mi->key_size);
			prev = k;
			if (bpf_map_lookup_elem(fd, k, v))
				continue; /* gone meanwhile */
			if (fwrite(k, mi->key_size, 1, f) != 1 ||
			    fwrite(v, mi->value_size, 1, f) != 1)
				err = -EIO;
		}
	}
out:
	if (f && fclose(f) && !err)
		err = -EIO;
	free(v);
	free(k);
	free(nk);
	return err;
}

int bench_dump(int prog_fd, const char *dir)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info), mid[64], i;
	char path[512];
	FILE *list, *clock;
	int err = 0;

	info.nr_map_ids = 64;
	info.map_ids = (__u64)(unsigned long)mid;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/maps.txt", dir);
	list = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/clock.txt", dir);
	clock = fopen(path, "w");
	if (!list || !clock)
		err = -errno;
	for (i = 0; !err && i < info.nr_map_ids && i < 64; i++) {
		struct bpf_map_info mi = { 0 };
		__u32 ml = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(mid[i]);

		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &mi, &ml))
			err = -errno;
		else
			err = dump_map(fd, &mi, dir, list, clock);
		if (fd >= 0)
			close(fd);
	}
	if (list && fclose(list) && !err)
		err = -EIO;
	if (clock && fclose(clock) && !err)
		err = -EIO;
	return err;
}

int bench_dump_frame(const char *dir, const char *name, const void *b,
		     __u32 len)
{
	char path[512];
	FILE *f;
	int err = 0;

	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/%s.frame", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	if (fwrite(b, len, 1, f) != 1)
		err = -EIO;
	if (fclose(f) && !err)
		err = -EIO;
	return err;
}
