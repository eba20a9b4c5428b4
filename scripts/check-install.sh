#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# check-install.sh - make install into a scratch DESTDIR puts the binary,
# the man page and the testbed script under PREFIX; the installed binary
# runs, and its demo looks for the testbed under PREFIX/libexec/hopscope
# (HOPSCOPE_TESTBED still first); make uninstall takes them away again;
# PREFIX is /usr/local unless given.
set -euo pipefail
cd "$(dirname "$0")/.."
make=${MAKE:-make}
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
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
for f in sbin/hopscope share/man/man8/hopscope.8 libexec/hopscope/testbed.sh; do
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

$make -s uninstall DESTDIR="$dest" PREFIX="$prefix" >/dev/null
left=$(find "$dest" -type f)
[ -z "$left" ] || fail "make uninstall left $left"

# the default prefix, as make would install there
plan=$($make -s -n install DESTDIR=/stage)
grep -q " /stage/usr/local/sbin/hopscope$" <<<"$plan" ||
	fail "make install does not install to /usr/local/sbin by default"

[ "$bad" -eq 0 ] && echo "install: binary, man page and testbed.sh under PREFIX; the demo looks in PREFIX/libexec/hopscope"
exit "$bad"
