#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# What `make format` would change: each C source that differs from
# .clang-format, with the number of places, then one summary line.
# Exits 1 if any file differs or clang-format fails.
#
#	sh scripts/format-check.sh FILE...
set -u
if ! command -v clang-format >/dev/null; then
	echo "format-check: no clang-format (apt-get install clang-format)" >&2
	exit 1
fi
out=$(clang-format --dry-run --Werror "$@" 2>&1)
rc=$?
counts=$(printf '%s\n' "$out" |
	sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: error: code should be clang-formatted.*/\1/p' |
	uniq -c)
if [ "$rc" -ne 0 ] && [ -z "$counts" ]; then
	printf '%s\n' "$out" | head -n 20 >&2
	echo "format-check: clang-format failed" >&2
	exit 1
fi
printf '%s\n' "$counts" | awk -v total=$# '
	NF { print $2 ": " $1 " places"; n++; p += $1 }
	END {
		printf "format-check: %d of %d files differ from .clang-format (%d places)%s\n",
			n, total, p, n ? "; make format rewrites them" : ""
		exit (n > 0)
	}'
