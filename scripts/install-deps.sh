#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Install the Debian 12 packages hopscope builds, tests and demos with.
# Idempotent: installs only what is missing, and says what it installs.
#
# Packages with a service are installed with a policy-rc.d that forbids
# starting services (restored afterwards), and their services are disabled
# at boot: the tests start their own daemons, privately, and none may be
# left running. nftables: the NAT tests load rules inside their own
# namespaces with nft; its service (which would load /etc/nftables.conf
# into the host's namespace) never runs. prometheus (with promtool): the
# tests start their own server on 127.0.0.1 with a temporary config.
# docker.io:
# tests/lib/docker.sh starts its own dockerd
# (a missing docker.io makes those tests skip, never fail). Open vSwitch
# (openvswitch-switch) is optional: testbed.sh runs its own
# ovsdb-server/ovs-vswitchd inside a switch namespace. If it cannot be
# installed, a warning is printed and this script still succeeds
# (`testbed.sh has-ovs` then says no).
set -eu

PKGS="make clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config
libnl-3-dev libnl-route-3-dev libnl-nf-3-dev libjson-c-dev libcriterion-dev libcap-ng-dev
libmicrohttpd-dev iproute2 iputils-ping ethtool jq procps curl gnuplot-nox
tcpdump libpcap-dev groff-base libcurl4-openssl-dev busybox-static systemd
sockperf chromium linux-perf binutils python3 libclang-rt-14-dev"
# installed without starting their services, see above; systemd is in
# PKGS for systemd-analyze (verifying the unit), never as a running
# service manager
SVC_PKGS="docker.io prometheus nftables"
OPT_PKGS="openvswitch-switch"

is_installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"
}

missing=""
for p in $PKGS; do
	is_installed "$p" || missing="$missing $p"
done
svc_missing=""
for p in $SVC_PKGS; do
	is_installed "$p" || svc_missing="$svc_missing $p"
done
opt_missing=""
for p in $OPT_PKGS; do
	is_installed "$p" || opt_missing="$opt_missing $p"
done
[ -z "$missing" ] && [ -z "$svc_missing" ] && [ -z "$opt_missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	if [ -n "$missing$svc_missing" ]; then
		echo "install-deps: missing packages:$missing$svc_missing (run as root to install them)" >&2
		exit 1
	fi
	echo "install-deps: optional packages missing:$opt_missing (OVS testbed links unavailable)" >&2
	exit 0
fi
export DEBIAN_FRONTEND=noninteractive
updated=
# others may run apt at the same time: wait for the lock, not fail
APT_LOCK="-o DPkg::Lock::Timeout=600"
apt_update() { [ -n "$updated" ] || apt-get $APT_LOCK update -qq; updated=1; }

if [ -n "$missing" ]; then
	echo "install-deps: installing$missing"
	apt_update
	# shellcheck disable=SC2086
	apt-get $APT_LOCK install -y -qq --no-install-recommends $missing >/dev/null
fi

[ -n "$svc_missing$opt_missing" ] || exit 0

# Open vSwitch, optional, with its service kept from starting: a
# policy-rc.d that denies every start (invoke-rc.d and deb-systemd-invoke
# honour it), put in place only for the install and then restored.
POLICY=/usr/sbin/policy-rc.d
SAVED=/usr/sbin/policy-rc.d.hopscope-saved
restore_policy() {
	rm -f "$POLICY"
	[ ! -e "$SAVED" ] || mv -f "$SAVED" "$POLICY"
}
[ ! -e "$POLICY" ] || mv -f "$POLICY" "$SAVED"
trap restore_policy EXIT
trap 'exit 1' INT TERM HUP
printf '#!/bin/sh\n# hopscope install-deps: start no service while installing\nexit 101\n' >"$POLICY"
chmod 755 "$POLICY"

svc_ok=1
if [ -n "$svc_missing" ]; then
	echo "install-deps: installing$svc_missing, without starting its service"
	apt_update || svc_ok=
	# shellcheck disable=SC2086
	[ -z "$svc_ok" ] || apt-get $APT_LOCK install -y -qq --no-install-recommends \
		$svc_missing >/dev/null || svc_ok=
fi
ok=1
if [ -n "$opt_missing" ]; then
	echo "install-deps: installing (optional)$opt_missing, without starting its service"
	apt_update || ok=
	# shellcheck disable=SC2086
	[ -z "$ok" ] || apt-get $APT_LOCK install -y -qq --no-install-recommends \
		$opt_missing >/dev/null || ok=
fi
restore_policy
trap - EXIT INT TERM HUP
# and keep them from starting at the next boot (the tests start their own)
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
	systemctl disable docker.service docker.socket containerd.service \
		prometheus.service nftables.service >/dev/null 2>&1 || true
elif command -v update-rc.d >/dev/null; then
	for s in docker prometheus nftables; do
		[ ! -e "/etc/init.d/$s" ] || update-rc.d "$s" disable >/dev/null 2>&1 || true
	done
fi
[ -n "$svc_ok" ] || { echo "install-deps: could not install$svc_missing" >&2; exit 1; }
[ -n "$opt_missing" ] || exit 0

if [ -z "$ok" ]; then
	echo "install-deps: warning: could not install$opt_missing; OVS testbed links are unavailable" >&2
	exit 0
fi
# and keep it from starting at the next boot (testbed.sh starts its own)
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
	systemctl disable openvswitch-switch.service ovs-vswitchd.service \
		ovsdb-server.service >/dev/null 2>&1 || true
elif command -v update-rc.d >/dev/null && [ -e /etc/init.d/openvswitch-switch ]; then
	update-rc.d openvswitch-switch disable >/dev/null 2>&1 || true
fi
