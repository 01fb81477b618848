#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The checks inside the guest tests/kernel/run.sh boots, in the host's
# file system (read-only, a tmpfs over it): run by the job file run.sh
# writes, which sets REPO, BUILD (absolute), DIR (run.sh's work
# directory), MODS (the kernel package's modules) and LI_KERNEL_E2E.
# Prints PASS/FAIL lines, then GUEST-DONE, and powers the guest off.
set -u
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -t bpf bpf /sys/fs/bpf
ip link set lo up
# The package's modules where this kernel's modprobe looks (veth, sch_ingress...)
mkdir -p /lib/modules && ln -sfn "$MODS" "/lib/modules/$(uname -r)"
cd "$REPO" || echo "FAIL kernel/boot: no $REPO in the guest"
# (a line of its own: the console's escapes from the boot precede it)
echo
echo "PASS kernel/boot: Linux $(uname -r) $(uname -v)"

# The verifier's walk of both XDP programs under the budget, the maps
# sized by the loader as a daemon sizes them (tests/diff/diff_budget.c).
"$DIR/diff_budget" >/tmp/budget 2>&1
sed -n 's#^\(PASS\|FAIL\|SKIP\) diff/#\1 kernel/#p' /tmp/budget | grep . ||
	{ echo "FAIL kernel/verifier: diff_budget said no PASS/FAIL"; sed 's/^/    /' /tmp/budget | tail -n 5; }

# Scenarios of the packet corpus through both engines: the same trace,
# log lines and summary from the program on this kernel as from the host.
for name in seed ipv6 sessions esp-udp; do
	n=tests/packets/$name
	[ -f "$n.conf" ] || { echo "FAIL kernel/corpus/$name: no $n.conf"; continue; }
	cap=$n.pcap
	[ -f "$cap" ] || cap=$n.pcapng
	set -- -c "$n.conf" "$cap" --trace
	[ -f "$n.sa" ] && set -- "$@" --sa-file "$n.sa"
	# shellcheck disable=SC2046 # NAME.args holds words, split on purpose
	[ -f "$n.args" ] && set -- "$@" $(cat "$n.args")
	"$BUILD/localin" replay "$@" --engine host >/tmp/host 2>&1
	"$BUILD/localin" replay "$@" --engine xdp >/tmp/xdp 2>&1
	if [ -s /tmp/host ] && cmp -s /tmp/host /tmp/xdp; then
		echo "PASS kernel/corpus/$name: the XDP program decides as the host"
	else
		echo "FAIL kernel/corpus/$name: the XDP program differs from the host"
		diff -u /tmp/host /tmp/xdp | grep -v '^[+-]\?libbpf:\|^[+-][0-9]*: \|^[+-];' |
			head -n 12 | sed 's/^/    /'
	fi
done

# The daemon, live, in network namespaces.
LI_E2E_NS=lk sh tests/kernel/live.sh "$BUILD/localin" 2>&1

# tests/e2e scripts named by LI_KERNEL_E2E (run.sh passes it; not in `make
# test`: a few minutes to half an hour each, emulated), their waits
# stretched for a load that takes some 35 s here (LI_E2E_SLOW).
for t in ${LI_KERNEL_E2E:-}; do
	LI_E2E_SLOW=40 LI_E2E_NS=ke sh "tests/e2e/$t.sh" "$BUILD/localin" 2>&1 |
		sed 's,^\(PASS\|FAIL\|SKIP\) e2e/,\1 kernel/e2e/,'
done

echo GUEST-DONE
poweroff -f
