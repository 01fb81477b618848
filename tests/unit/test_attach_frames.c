// SPDX-License-Identifier: GPL-2.0
/*
 * The loader attaches the programs for the frames its caller says the
 * interface has (li_loader_attach()'s @frames, the daemon's link type
 * from RTM_NEWLINK), not for what it would learn by asking the kernel
 * about the interface's name again: a rename between the two made it
 * read another device's type. Shown on lo (Ethernet-like by its type),
 * told IP frames: the IP-frame programs go on. In a network namespace of
 * a child; needs root (BPF, CAP_NET_ADMIN).
 */
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

#define LO 1
#define TC_HANDLE 0x4c49 /* loader_tc.c's handle and priority */

static void prog_name(__u32 id, char *name)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	int fd = id ? bpf_prog_get_fd_by_id(id) : -1;

	name[0] = '\0';
	if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len))
		snprintf(name, 16, "%s", info.name);
	if (fd >= 0)
		close(fd);
}

/* The names of the programs on lo's XDP and egress hooks ("" none). */
static void on_lo(char *xdp, char *egress)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	LIBBPF_OPTS(bpf_tc_hook, h, .ifindex = LO,
		    .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, o, .handle = TC_HANDLE, .priority = TC_HANDLE);

	CHECK(!bpf_xdp_query(LO, 0, &q), "%s", strerror(errno));
	prog_name(q.skb_prog_id ?: q.drv_prog_id ?: q.prog_id, xdp);
	prog_name(bpf_tc_query(&h, &o) ? 0 : o.prog_id, egress);
}

/* Attached for @frames: @want_xdp and @want_eg on lo; both off again. */
static void attached_as(struct li_loader *l, enum li_frames frames,
			const char *want_xdp, const char *want_eg)
{
	char xdp[16], eg[16];

	CHECK(!li_loader_attach(l, LO, frames), "attach");
	on_lo(xdp, eg);
	CHECK(!strcmp(xdp, want_xdp) && !strcmp(eg, want_eg), "%s, %s", xdp,
	      eg);
	CHECK(!li_loader_egress_err(l, LO), "egress err");
	/* the egress program tried again keeps the caller's frames */
	CHECK(!li_loader_attach_egress(l, LO, frames), "again");
	on_lo(xdp, eg);
	CHECK(!strcmp(eg, want_eg), "egress again: %s", eg);
	CHECK(!li_loader_detach(l, LO), "detach");
	on_lo(xdp, eg);
	CHECK(!xdp[0] && !eg[0], "left: %s, %s", xdp, eg);
}

static void attach_as_told(void)
{
	struct li_loader *l;
	char xdp[16], eg[16];
	int err;

	libbpf_set_print(NULL);
	err = li_loader_open(&l, NULL, false);
	if (err) {
		fprintf(stderr, "cannot load the programs: %s\n",
			strerror(-err));
		_exit(CHILD_SKIP);
	}
	libbpf_set_print(NULL); /* the loader's own print went with it */
	/* lo is ARPHRD_LOOPBACK; the caller says IP frames: believed */
	attached_as(l, LI_FRAMES_IP, "localin_xdp_l3", "localin_egr_l3");
	attached_as(l, LI_FRAMES_ETH, "localin_xdp", "localin_egress");
	/* the session program alone, for IP frames */
	CHECK(!li_loader_attach_egress_alone(l, LO, LI_FRAMES_IP), "alone");
	on_lo(xdp, eg);
	CHECK(!xdp[0] && !strcmp(eg, "localin_ego_l3"), "alone: %s, %s", xdp,
	      eg);
	CHECK(!li_loader_detach_egress(l, LO), "detach alone");
	li_loader_close(l);
}

static void test_attach_as_told(void **state)
{
	(void)state;
	in_child(attach_as_told, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attach_as_told),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
