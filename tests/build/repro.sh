#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The build is reproducible: the same sources built in two directories (paths
# of different lengths) give the same program object, so the same build
# identity (the hash `localin --version` prints, which decides whether a
# daemon adopts the pins), and the same binary. Then `make CC=clang` builds
# too, to the same identity. Builds copies of Makefile and src/ in a
# temporary directory (about 30 s of CPU per build, three builds):
#
#	sh tests/build/repro.sh
#
# One PASS/FAIL line per check.
set -u
cd "$(dirname "$0")/../.." || exit 1
tmp=$(mktemp -d /tmp/localin-repro.$$.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
a=$tmp/a
b=$tmp/a-longer-name/b

# build DIR BUILD [MAKE-ARGS...]: the program object and localin in DIR/BUILD.
build() {
	dir=$1
	out=$2
	shift 2
	if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$dir" -j2 \
		BUILD="$out" "$@" "$out/localin" >"$tmp/make.log" 2>&1; then
		return 0
	fi
	tail -n 30 "$tmp/make.log"
	return 1
}

for d in "$a" "$b"; do
	mkdir -p "$d"
	cp -r Makefile src "$d"/
	if ! build "$d" build; then
		echo "FAIL build/make: the tree does not build in $d"
		exit 1
	fi
done

# same NAME FILE: FILE under a's and b's build directory are the same bytes.
same() {
	if cmp -s "$a/build/$2" "$b/build/$2"; then
		echo "PASS build/repro: $1 the same in two directories"
		return
	fi
	echo "FAIL build/repro: $1 differs between $a and $b"
	(cd "$a/build" && find . -name '*.o' | sort) | while read -r o; do
		cmp -s "$a/build/$o" "$b/build/$o" || echo "  differs: $o"
	done | head -n 8
}

same "program object" localin.bpf.o
# identity LOCALIN: the program hash its --version prints, empty if none.
identity() {
	"$1" --version | sed -n 's/.*(program \([0-9a-f]\{16\}\)).*/\1/p'
}

ida=$(identity "$a/build/localin")
idb=$(identity "$b/build/localin")
if [ -z "$ida" ]; then
	echo "FAIL build/repro: no identity in \"$("$a/build/localin" --version)\""
elif [ "$ida" = "$idb" ]; then
	echo "PASS build/repro: identity the same ($ida)"
else
	echo "FAIL build/repro: identity \"$ida\" in $a, \"$idb\" in $b"
fi
same "localin binary" localin

# No compiler forced: the C compiler is the user's (the program object is
# clang's either way).
if ! command -v clang >/dev/null; then
	echo "SKIP build/cc: no clang"
elif build "$b" build/clang CC=clang; then
	idc=$(identity "$b/build/clang/localin")
	if [ -n "$idc" ] && [ "$idc" = "$idb" ]; then
		echo "PASS build/cc: make CC=clang builds, same identity"
	else
		echo "FAIL build/cc: make CC=clang: \"$idc\", cc: \"$idb\""
	fi
else
	echo "FAIL build/cc: make CC=clang does not build"
fi
