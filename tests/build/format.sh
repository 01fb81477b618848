#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The C sources are as `make format` leaves them (.clang-format): PASS,
# or FAIL with what scripts/format-check.sh says differs.
#
#	sh tests/build/format.sh
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck disable=SC2046 # the file list, split on purpose
out=$(sh scripts/format-check.sh $(ls src/*/*.[ch] tests/unit/*.[ch] \
	bench/*/*.[ch] 2>/dev/null))
if [ $? -eq 0 ]; then
	echo "PASS build/format: ${out##*format-check: }"
else
	printf '%s\n' "$out" | head -n 20
	echo "FAIL build/format: \`make format\` rewrites what differs"
fi
