# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# machine_line: one line saying which machine a bench ran on, for its
# output. The project's VMs come in two kinds that time the same program
# up to 5x apart (bench/xdp/README.md, "Where issue 11's targets stand"):
# with the SRSO mitigation a kernel function's return goes through a
# thunk (xdp-filter's hash lookups), without it it does not.
machine_line() {
	srso=$(cat /sys/devices/system/cpu/vulnerabilities/spec_rstack_overflow 2>/dev/null)
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	echo "machine: kernel $(uname -r), $(nproc) CPUs, ${cpu:-cpu unknown}; SRSO: ${srso:-not reported}"
}
