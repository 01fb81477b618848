#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run a libFuzzer binary for N seconds over a scratch copy of its seed
# corpus, so the tree is never modified. Per target NAME (the binary's
# name): seeds from tests/fuzz/corpus/NAME/ if present, the dictionary
# tests/fuzz/NAME.dict if present; fuzz_conf also takes the loose files of
# tests/fuzz/corpus/ and every example and golden config.
set -eu
bin=$1
secs=$2
name=$(basename "$bin")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/artifacts"
if [ -d "tests/fuzz/corpus/$name" ]; then
	cp "tests/fuzz/corpus/$name/"* "$work/corpus/" 2>/dev/null || true
fi
dict=
if [ "$name" = fuzz_conf ]; then
	find tests/fuzz/corpus -maxdepth 1 -type f -exec cp {} "$work/corpus/" \;
	cp examples/*.conf "$work/corpus/" 2>/dev/null || true
	find tests/golden -name '*.conf' -exec cp {} "$work/corpus/" \; \
		2>/dev/null || true
	dict=tests/fuzz/conf.dict
fi
[ -f "tests/fuzz/$name.dict" ] && dict=tests/fuzz/$name.dict
"$bin" -max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
	${dict:+-dict="$dict"} -artifact_prefix="$work/artifacts/" \
	"$work/corpus" 2>&1 | tail -n 5
if ls "$work/artifacts/"* >/dev/null 2>&1; then
	mkdir -p build/fuzz/crashes
	cp "$work/artifacts/"* build/fuzz/crashes/
	echo "fuzz: crashes saved in build/fuzz/crashes/" >&2
	exit 1
fi
