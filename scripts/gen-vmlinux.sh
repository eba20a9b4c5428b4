#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Regenerate vmlinux.h for CO-RE from the running kernel's BTF.
# Usage: scripts/gen-vmlinux.sh vmlinux/x86/vmlinux.h
set -eu
out=${1:?usage: gen-vmlinux.sh OUTPUT}
btf=${BTF:-/sys/kernel/btf/vmlinux}
[ -r "$btf" ] || { echo "gen-vmlinux: $btf not readable: kernel built without BTF?" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
bpftool btf dump file "$btf" format c > "$out.tmp"
mv "$out.tmp" "$out"
echo "gen-vmlinux: wrote $out from $btf"
