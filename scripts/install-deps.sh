#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install the Debian 12 packages localin builds and tests with. Idempotent:
# packages already present are not fetched again, so `make test` and
# `make demo` can call this every time.
set -eu

PKGS="make gcc clang clang-format strace llvm libclang-rt-14-dev pkg-config libcmocka-dev valgrind tzdata time nftables libbpf-dev libxdp-dev xdp-tools bpftool libpcap-dev libmnl-dev libsystemd-dev python3-scapy tcpdump strongswan-charon strongswan-swanctl libcharon-extra-plugins libstrongswan-standard-plugins ike-scan hping3 iproute2 iputils-ping util-linux netsniff-ng dnsmasq-base libcurl4-openssl-dev python3-aiosmtpd openssl rsyslog libmicrohttpd-dev libc-ares-dev libedit-dev libmaxminddb-dev mmdb-bin libgeoip-dev geoip-database geoip-bin libmaxmind-db-writer-perl qemu-system-x86 busybox-static kmod"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages:$missing (run as root to install)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
# shellcheck disable=SC2086
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >/dev/null
