#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The stages of src/ depend one way: a file includes project headers only
# by their path under src/ (scripts/root-includes.py writes them so), and
# only of its own stage or of stages below it in LAYERS. One PASS or FAIL
# line per stage, naming each include that points the wrong way.
#
#	sh tests/build/layering.sh
set -u
cd "$(dirname "$0")/../.." || exit 1

# Lowest first: each stage may include those before it.
LAYERS="util conf objects compile dataplane ipsec log trace pipeline dyn replay daemon cli"

rank() { # stage: its position in LAYERS, or nothing
	i=0
	for l in $LAYERS; do
		[ "$l" = "$1" ] && echo $i && return
		i=$((i + 1))
	done
}

for dir in src/*/; do
	stage=$(basename "$dir")
	me=$(rank "$stage")
	if [ -z "$me" ]; then
		echo "FAIL layering/$stage: not in LAYERS ($0)"
		continue
	fi
	bad=""
	for f in "$dir"*.c "$dir"*.h; do
		[ -f "$f" ] || continue
		# Relative paths hide the stage they reach: not allowed.
		rel=$(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"\.\./' "$f")
		[ -z "$rel" ] || bad="$bad $f:${rel%%:*} (relative)"
		for dep in $(sed -n 's|^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z_]*\)/.*|\1|p' "$f" | sort -u); do
			r=$(rank "$dep")
			if [ -z "$r" ] || [ "$r" -gt "$me" ]; then
				bad="$bad $f -> $dep"
			fi
		done
	done
	if [ -z "$bad" ]; then
		echo "PASS layering/$stage"
	else
		echo "FAIL layering/$stage:$bad"
	fi
done
