#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Install the Debian 12 packages hopscope builds, tests and demos with.
# Idempotent: installs only what is missing, and says what it installs.
set -eu

PKGS="make clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config
libnl-3-dev libnl-route-3-dev libjson-c-dev libcriterion-dev libcap-ng-dev
iproute2 iputils-ping jq procps"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
