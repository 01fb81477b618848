#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run a libFuzzer binary for N seconds over a scratch copy of the seed
# corpus (examples and golden inputs), so the tree is never modified.
set -eu
bin=$1
secs=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/artifacts"
cp tests/fuzz/corpus/* examples/*.conf "$work/corpus/" 2>/dev/null || true
find tests/golden -name '*.conf' -exec cp {} "$work/corpus/" \; 2>/dev/null || true
"$bin" -max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
	-dict=tests/fuzz/conf.dict -artifact_prefix="$work/artifacts/" \
	"$work/corpus" 2>&1 | tail -n 5
if ls "$work/artifacts/"* >/dev/null 2>&1; then
	mkdir -p build/fuzz/crashes
	cp "$work/artifacts/"* build/fuzz/crashes/
	echo "fuzz: crashes saved in build/fuzz/crashes/" >&2
	exit 1
fi
