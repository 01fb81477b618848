// SPDX-License-Identifier: GPL-2.0
/*
 * Where the kernel refuses libxdp's dispatcher (ours alone on the hook),
 * the loader's one loaded program goes on every interface: each attach
 * opened and loaded the whole object again, and the kernel verified its
 * ~700k-instruction walk again (2-3 s and some 19 fds an interface: 301
 * interfaces under intf "any" took 11.5 minutes to start, and an
 * interface that reappeared was unenforced for seconds). Shown on veth
 * pairs in a network namespace of a child; needs root.
 */
#include <dirent.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dataplane/loader.h"
#include "netns_child.h"

#define NR_IFS 4

static int nr_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	CHECK(d, "/proc/self/fd: %s", strerror(errno));
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static __u32 xdp_id(int ifindex, __u32 *mode)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	CHECK(!bpf_xdp_query(ifindex, 0, &q), "%s", strerror(errno));
	*mode = q.attach_mode;
	return q.drv_prog_id ?: q.skb_prog_id ?: q.prog_id;
}

static bool is_dispatcher(__u32 id)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	int fd = id ? bpf_prog_get_fd_by_id(id) : -1;
	bool yes;

	CHECK(fd >= 0, "program %u: %s", id, strerror(errno));
	CHECK(!bpf_obj_get_info_by_fd(fd, &info, &len), "%s", strerror(errno));
	yes = !strcmp(info.name, "xdp_dispatcher");
	close(fd);
	return yes;
}

static void one_program(void)
{
	int ifx[NR_IFS], i, fds, err, native_err;
	__u32 id, first, mode;
	struct li_loader *l;
	char cmd[160], name[IFNAMSIZ];

	libbpf_set_print(NULL);
	for (i = 0; i < NR_IFS; i++) {
		snprintf(cmd, sizeof(cmd),
			 "ip link add t%d type veth peer name u%d && "
			 "ip link set t%d up && ip link set u%d up",
			 i, i, i, i);
		if (system(cmd)) {
			fprintf(stderr, "cannot make veth pairs\n");
			_exit(CHILD_SKIP);
		}
		snprintf(name, sizeof(name), "t%d", i);
		ifx[i] = (int)if_nametoindex(name);
		CHECK(ifx[i] > 0, "%s", name);
	}
	err = li_loader_open(&l, NULL, false);
	if (err) {
		fprintf(stderr, "cannot load the programs: %s\n",
			strerror(-err));
		_exit(CHILD_SKIP);
	}
	libbpf_set_print(NULL); /* the loader's own print went with it */
	/* the first goes through libxdp, which tells how it attaches here */
	CHECK(!li_loader_attach(l, ifx[0], LI_FRAMES_ETH), "attach t0");
	if (is_dispatcher(xdp_id(ifx[0], &mode))) {
		fprintf(stderr, "libxdp's dispatcher holds the hook here\n");
		_exit(CHILD_SKIP);
	}
	fds = nr_fds();
	CHECK(!li_loader_attach(l, ifx[1], LI_FRAMES_ETH), "attach t1");
	first = xdp_id(ifx[1], &mode);
	CHECK(first, "nothing on t1");
	for (i = 2; i < NR_IFS; i++) {
		CHECK(!li_loader_attach(l, ifx[i], LI_FRAMES_ETH), "attach");
		id = xdp_id(ifx[i], &mode);
		CHECK(id == first, "t%d runs program %u, t1 %u: loaded again",
		      i, id, first);
		CHECK(mode == XDP_ATTACHED_DRV, "t%d: mode %u", i, mode);
		CHECK(!strcmp(li_loader_xdp_mode(l, ifx[i], &native_err),
			      "native") &&
			      !native_err,
		      "t%d: mode said %d", i, native_err);
	}
	/*
	 * veth refuses native XDP while its peer's MTU leaves a frame no room
	 * in a page: generic mode, and why native was refused, said
	 */
	CHECK(!li_loader_detach(l, ifx[3]), "detach t3");
	CHECK(!system("ip link set t3 mtu 9000 && ip link set u3 mtu 9000"),
	      "mtu");
	CHECK(!li_loader_attach(l, ifx[3], LI_FRAMES_ETH), "t3 at MTU 9000");
	CHECK(xdp_id(ifx[3], &mode) == first && mode == XDP_ATTACHED_SKB,
	      "t3: mode %u", mode);
	CHECK(!strcmp(li_loader_xdp_mode(l, ifx[3], &native_err), "generic") &&
		      native_err < 0,
	      "t3: generic not said (%d)", native_err);
	/* no fd kept an interface (a copy of the object held some 19) */
	CHECK(nr_fds() <= fds, "fds %d after three attaches, %d before",
	      nr_fds(), fds);
	/* one interface's detach leaves the others' program running */
	CHECK(!li_loader_detach(l, ifx[1]), "detach t1");
	CHECK(!xdp_id(ifx[1], &mode), "t1 still has a program");
	CHECK(xdp_id(ifx[2], &mode) == first, "t2 lost its program");
	/* it goes back on, the same program */
	CHECK(!li_loader_attach(l, ifx[1], LI_FRAMES_ETH), "again t1");
	CHECK(xdp_id(ifx[1], &mode) == first, "t1 again: another program");
	/* IP frames: the other program, also one for all */
	CHECK(!li_loader_detach(l, ifx[2]) && !li_loader_detach(l, ifx[3]),
	      "detach");
	CHECK(!li_loader_attach(l, ifx[2], LI_FRAMES_IP), "t2 for IP");
	CHECK(!li_loader_attach(l, ifx[3], LI_FRAMES_IP), "t3 for IP");
	id = xdp_id(ifx[2], &mode);
	CHECK(id && id != first && xdp_id(ifx[3], &mode) == id,
	      "IP frames: t2 %u, t3 %u, Ethernet %u", id, xdp_id(ifx[3], &mode),
	      first);
	for (i = 0; i < NR_IFS; i++)
		CHECK(!li_loader_detach(l, ifx[i]), "detach t%d", i);
	for (i = 0; i < NR_IFS; i++)
		CHECK(!xdp_id(ifx[i], &mode), "t%d: a program left", i);
	li_loader_close(l);
}

static void test_one_program_for_all(void **state)
{
	(void)state;
	in_child(one_program, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_program_for_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
