#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The benchmarks' C sources still compile against src/: they are built
# only by `make bench`, so an API change in src/ (a loader call taking
# one more argument) would otherwise first break there, sessions later.
# Syntax and types only (-fsyntax-only), with the flags their run.sh use.
#
#   tests/build/bench_builds.sh
set -u
cd "$(dirname "$0")/../.." || exit 1
CC=${CC:-gcc}
flags="-std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Isrc -fsyntax-only"
failed=0

check() {
	# shellcheck disable=SC2086 # flags: one word an option
	if $CC $flags "$@"; then
		echo "PASS $*"
	else
		echo "FAIL $*"
		failed=1
	fi
}

for f in bench/xdp/bench.c bench/xdp/spi.c bench/xdp/sess.c \
	bench/xdp/dump.c bench/session/session.c bench/compile/driver.c; do
	check "$f"
done
exit $failed
