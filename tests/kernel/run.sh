#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The data path on the kernel a fresh Debian 12 machine boots (its
# linux-image-amd64: Linux 6.1), which is not the kernel this machine may
# run: its verifier is older and refused what newer ones take. The
# package is fetched from Debian's archive (apt-get download, kept in
# BUILD/kernel) and booted in QEMU, with the host's file system read-only
# over 9p and a tmpfs over it, so the guest runs this tree's binaries
# and tests; then tests/kernel/guest.sh there: the verifier's walk of
# both XDP programs against the budget, scenarios of the packet corpus
# through the program and the host engine, and the daemon live in
# network namespaces (tests/kernel/live.sh).
#
#	sh tests/kernel/run.sh BUILD	(BUILD holds localin and liblocalin.a)
#
# QEMU emulates the CPU (TCG): KVM is not used, as this project's VMs
# offer a nested KVM (kvm_pvm) that boots no stock kernel. The verifier's
# walk takes some 35 s a load so; the suite some 6 minutes. LI_KERNEL_PKG
# names another kernel package (linux-image-6.12.*-amd64 of
# bookworm-backports, say); LI_KERNEL_E2E="foreign takeover" runs those
# scripts of tests/e2e there too, after the suite (minutes to half an
# hour each; their waits stretched: LI_E2E_SLOW in tests/e2e/lib.sh). One PASS/FAIL line per check; SKIP without
# root, QEMU or the package.
set -u
build=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

skip() {
	echo "SKIP kernel: $*"
	exit 0
}
[ "$(id -u)" -eq 0 ] || skip "needs root (the guest reads the host's files as root)"
for t in qemu-system-x86_64 busybox depmod modprobe dpkg-deb apt-get; do
	command -v "$t" >/dev/null 2>&1 || skip "$t is missing"
done
busybox --help 2>&1 | head -n 1 | grep -q . || skip "busybox does not run"
ldd "$(command -v busybox)" >/dev/null 2>&1 &&
	skip "busybox is not the static one (busybox-static)"

dir=$build/kernel
mkdir -p "$dir"
pkg=${LI_KERNEL_PKG:-$(apt-cache depends linux-image-amd64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1)}
[ -n "$pkg" ] || skip "apt knows no linux-image-amd64"
root=$dir/$pkg
if [ ! -d "$root/lib/modules" ]; then
	rm -rf "$root" "$dir"/*.deb
	(cd "$dir" && apt-get download "$pkg" >"$dir/download.log" 2>&1) ||
		skip "cannot download $pkg: $(tail -n 1 "$dir/download.log")"
	dpkg-deb -x "$dir/$pkg"_*.deb "$root.part" && mv "$root.part" "$root" &&
		rm -f "$dir/$pkg"_*.deb || skip "cannot unpack $pkg"
fi
kv=$(ls "$root/lib/modules")
depmod -b "$root" "$kv" || skip "depmod failed on $pkg"

# The initramfs: busybox, the guest's /init and the modules it needs to
# mount the host's root (virtio, 9p, overlayfs) with what they depend on.
tmp=$(mktemp -d "$dir/run.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
ird=$tmp/initramfs
mkdir -p "$ird/bin" "$ird/mods" "$ird/proc" "$ird/sys" "$ird/dev"
cp "$(command -v busybox)" "$ird/bin/busybox"
cp "$here/init" "$ird/init" && chmod 755 "$ird/init"
for m in virtio_pci 9pnet_virtio 9p overlay; do
	modprobe -d "$root" -S "$kv" --show-depends "$m" || exit 1
done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' >"$tmp/mods" ||
	skip "the modules to mount the host's root are not in $pkg"
while read -r m; do
	cp "$m" "$ird/mods/" && basename "$m"
done <"$tmp/mods" >"$ird/modules.list"
(cd "$ird" && find . | busybox cpio -o -H newc 2>/dev/null) | gzip -1 \
	>"$tmp/initrd.gz"

# diff_budget, built here as tests/diff builds it, run there.
${CC:-gcc} -O2 -g -std=gnu11 -Wall -Wextra -D_GNU_SOURCE -I"$repo/src" \
	-o "$dir/diff_budget" "$repo/tests/diff/diff_budget.c" \
	"$build/liblocalin.a" -lbpf -lxdp -lpcap -lmaxminddb -lGeoIP -lm ||
	{ echo "FAIL kernel/build: diff_budget does not build"; exit 1; }

cat >"$tmp/job" <<EOF
REPO='$repo' BUILD='$build' DIR='$dir' MODS='$root/lib/modules/$kv'
LI_KERNEL_E2E='${LI_KERNEL_E2E:-}'
export REPO BUILD DIR MODS LI_KERNEL_E2E
exec sh '$here/guest.sh'
EOF

n=$(echo ${LI_KERNEL_E2E:-} | wc -w)
timeout "${LI_KERNEL_TIMEOUT:-$((1500 + n * 2400))}" qemu-system-x86_64 -accel tcg -cpu max \
	-smp 2 -m 4G -nographic -no-reboot -nic none \
	-kernel "$root/boot/vmlinuz-$kv" -initrd "$tmp/initrd.gz" \
	-append "console=ttyS0 quiet loglevel=1 panic=-1 guestjob=$tmp/job" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	</dev/null >"$tmp/console" 2>&1
rc=$?
tr -d '\r' <"$tmp/console" | grep -a '^\(PASS\|FAIL\|SKIP\) \|^    '
if ! grep -aq '^GUEST-DONE' "$tmp/console"; then
	echo "FAIL kernel/boot: the guest ($pkg) did not finish (qemu exit $rc); its console's end:"
	tr -d '\r' <"$tmp/console" | grep -av '^$' | tail -n 15 | sed 's/^/    /'
	cp "$tmp/console" "$dir/console.log"
fi
