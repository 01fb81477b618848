/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A test body that needs the kernel (XFRM, BPF, links) runs in a child,
 * in a network namespace of its own when it needs root, so the host's
 * state is neither read nor touched. The child reports through its exit
 * status: 0 passed, CHILD_SKIP skipped, else failed with the reason on
 * stderr (cmocka's asserts cannot leave a forked child: CHECK there).
 * Include after <cmocka.h>.
 */
#ifndef LOCALIN_TESTS_NETNS_CHILD_H
#define LOCALIN_TESTS_NETNS_CHILD_H

#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILD_SKIP 77
#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, \
				#cond);                                    \
			fprintf(stderr, __VA_ARGS__);                      \
			fputc('\n', stderr);                               \
			_exit(1);                                          \
		}                                                          \
	} while (0)

static inline void in_child(void (*fn)(void), bool need_root)
{
	pid_t pid;
	int st;

	if (need_root && geteuid() != 0) {
		print_message(
			"skipped: needs root (a network namespace, CAP_NET_ADMIN)\n");
		skip();
	}
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		if (need_root && unshare(CLONE_NEWNET)) {
			fprintf(stderr, "unshare(CLONE_NEWNET): %s\n",
				strerror(errno));
			_exit(CHILD_SKIP);
		}
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (WIFEXITED(st) && WEXITSTATUS(st) == CHILD_SKIP) {
		print_message("skipped (see above)\n");
		skip();
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		fail_msg("the child failed (status %#x)", st);
}

#endif
