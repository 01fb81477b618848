# shellcheck shell=sh
# SPDX-License-Identifier: GPL-2.0
# Sourced by bench/xdp's run.sh, compare.sh and insns.sh: the configs they
# time, one LABEL=PATH word each, under run.sh's output directory.
#
#   bench_xdp_confs OUT
bench_xdp_confs() {
	echo "pfx1=$1/pfx1.conf pfx1q=$1/pfx1q.conf pfx1k=$1/pfx1000.conf" \
		"pfx100k=$1/pfx100000.conf pol1=$1/pol1.conf" \
		"pol100=$1/pol100.conf pol1000=$1/pol1000.conf" \
		"a100k-pol1000=$1/a100k-pol1000.conf geo10=$1/geo10.conf"
}
