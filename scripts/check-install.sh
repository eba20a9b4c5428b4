#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# check-install.sh - make install into a scratch DESTDIR puts the binary,
# the man page, the testbed script, the systemd unit and dist/'s
# Prometheus rules and Grafana dashboard under PREFIX; the installed
# binary runs, and its demo looks for the testbed under
# PREFIX/libexec/hopscope (HOPSCOPE_TESTBED still first); the installed
# unit runs the installed binary and `systemd-analyze verify` passes it
# without a word; make uninstall takes them all away again; PREFIX is
# /usr/local unless given.
set -euo pipefail
cd "$(dirname "$0")/.."
make=${MAKE:-make}
dest=$(mktemp -d)
real=$(mktemp -d)
trap 'rm -rf "$dest" "$real"' EXIT
# a prefix that is nowhere, so that the demo below can only fail to find
# its testbed, never build one
prefix=/nonexistent/hopscope-install-check
libexec=$prefix/libexec/hopscope
root=$dest$prefix
bad=0

fail() {
	echo "check-install: $*"
	bad=1
}

$make -s install DESTDIR="$dest" PREFIX="$prefix" >/dev/null
unit=lib/systemd/system/hopscope-agent.service
for f in sbin/hopscope share/man/man8/hopscope.8 libexec/hopscope/testbed.sh "$unit" \
	share/hopscope/prometheus/hopscope-rules.yml share/hopscope/prometheus/hopscope-alerts.yml \
	share/hopscope/prometheus/prometheus.yml share/hopscope/grafana/hopscope-dashboard.json; do
	[ -f "$root/$f" ] || fail "make install put no $prefix/$f"
done
[ -x "$root/sbin/hopscope" ] || fail "$prefix/sbin/hopscope is not executable"
cmp -s scripts/testbed.sh "$root/libexec/hopscope/testbed.sh" ||
	fail "$libexec/testbed.sh is not scripts/testbed.sh"
"$root/sbin/hopscope" --version | grep -q '^hopscope [0-9]' ||
	fail "the installed hopscope --version says no version"
grep -qF "$libexec/testbed.sh" "$root/share/man/man8/hopscope.8" ||
	fail "the installed man page does not name $libexec/testbed.sh"

# where the demo looks: compiled in, not found beside the binary
grep -qaF "$libexec" "$root/sbin/hopscope" ||
	fail "the installed hopscope does not hold the path $libexec"
if [ "$(id -u)" -eq 0 ]; then
	want="hopscope: testbed script '$libexec/testbed.sh' not found: set HOPSCOPE_TESTBED"
	got=$(env -u HOPSCOPE_TESTBED "$root/sbin/hopscope" demo 2>&1) &&
		fail "the installed demo ran without its testbed"
	[ "$got" = "$want" ] || fail "the installed demo said '$got', not '$want'"
	want="hopscope: testbed script '/nonexistent/tb.sh' not found: set HOPSCOPE_TESTBED"
	got=$(HOPSCOPE_TESTBED=/nonexistent/tb.sh "$root/sbin/hopscope" demo 2>&1) &&
		fail "the installed demo ran without its testbed"
	[ "$got" = "$want" ] || fail "with HOPSCOPE_TESTBED, the demo said '$got', not '$want'"
else
	echo "check-install: not root: the demo's search for its testbed is not run"
fi

grep -qx "ExecStart=$prefix/sbin/hopscope agent \\\\" "$root/$unit" ||
	fail "the installed unit does not run $prefix/sbin/hopscope agent"
grep -q @ "$root/$unit" && fail "the installed unit keeps a placeholder: $(grep @ "$root/$unit")"

# systemd-analyze verify needs the binary and the man page where the unit
# says: a real prefix, no DESTDIR. It works without systemd as PID 1;
# it warns (and still exits 0) on unknown keys and bad values, so any
# word from it fails.
if command -v systemd-analyze >/dev/null; then
	$make -s install PREFIX="$real" >/dev/null
	out=$(MANPATH="$real/share/man" systemd-analyze verify "$real/$unit" 2>&1) ||
		fail "systemd-analyze verify failed: $out"
	[ -z "$out" ] || fail "systemd-analyze verify: $out"
	$make -s uninstall PREFIX="$real" >/dev/null
else
	fail "systemd-analyze is not installed (Debian's systemd)"
fi

$make -s uninstall DESTDIR="$dest" PREFIX="$prefix" >/dev/null
left=$(find "$dest" -type f)
[ -z "$left" ] || fail "make uninstall left $left"

# the default prefix, as make would install there
plan=$($make -s -n install DESTDIR=/stage)
grep -q " /stage/usr/local/sbin/hopscope$" <<<"$plan" ||
	fail "make install does not install to /usr/local/sbin by default"

grep -q " /stage/usr/local/lib/systemd/system/hopscope-agent.service$" <<<"$plan" ||
	fail "make install does not put the unit in /usr/local/lib/systemd/system by default"

[ "$bad" -eq 0 ] && echo "install: binary, man page, testbed.sh, unit, rules and dashboard under PREFIX; the demo looks in PREFIX/libexec/hopscope; systemd-analyze verify passes the unit"
exit "$bad"
