#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# scripts/testbed.sh: every mix of link kinds comes up (IPv4 and IPv6 pings
# from snd to rcv pass), `list` names its namespaces in chain order, UDP
# crosses it with valid checksums, and `down` leaves no namespace, no OVS
# daemon and no OVS directory, also after an `up` that failed halfway.
# The OVS cases are skipped (exit 77 at the end) when OVS is unavailable.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require_root

P=$PREFIX
OVS=1
"$TESTBED" has-ovs || OVS=

oneline() { tr '\n' ' ' <<<"$1"; }

leftovers() { # namespaces, OVS directories and OVS daemons of prefix $P
	ip netns list | awk '{print $1}' | grep "^$P" || true
	ls -d "/tmp/hs-ovs-$P"* 2>/dev/null || true
}

alive() { # alive PID: running, not a zombie
	local st
	st=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

ovs_pids() { # pids in the OVS pid files of prefix $P
	cat "/tmp/hs-ovs-$P"*/*.pid 2>/dev/null || true
}

assert_down() { # assert_down PIDS...: nothing of $P left, those pids gone
	local left pid
	"$TESTBED" down "$P" || fail "down $P failed"
	left=$(leftovers)
	[ -z "$left" ] || fail "left after down: $(oneline "$left")"
	for pid in "$@"; do
		! alive "$pid" || fail "OVS daemon $pid still runs after down"
	done
}

# UDP from snd must reach rcv with a valid checksum (OVS forwards through
# AF_PACKET: unfinished checksums from offloading would arrive broken)
check_udp() { # check_udp LAST_SEGMENT
	[ -x "$BUILD/tests/udpgen" ] || return 0
	local out
	ip netns exec "${P}rcv" nstat -n
	ip netns exec "${P}snd" "$BUILD/tests/udpgen" "198.18.$1.2" "$PORT" 1000 100 20 >/dev/null
	out=$(ip netns exec "${P}rcv" nstat)
	grep -qE '^UdpNoPorts +100 ' <<<"$out" ||
		fail "100 UDP packets sent, rcv counted: $(grep -E 'Udp' <<<"$out" | tr -s ' ' | tr '\n' ' ')"
}

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

case_ok() { # case_ok KINDS EXPECTED_LIST...
	local kinds=$1 want got pids t0 t1 d last
	shift
	last=$kinds # the last segment, 198.18.last.0/24
	[[ "$kinds" =~ ^[0-9]+$ ]] || last=$(tr -cd , <<<"$kinds" | wc -c)
	want=$(printf "$P%s\n" "$@")
	t0=$EPOCHREALTIME
	"$TESTBED" up "$P" "$kinds" 2>"$WORK/err" || fail "up $kinds failed: $(cat "$WORK/err")"
	t1=$EPOCHREALTIME
	got=$("$TESTBED" list "$P") || fail "list after up $kinds failed"
	[ "$got" = "$want" ] || fail "up $kinds: list is '$(oneline "$got")', expected '$(oneline "$want")'"
	ip netns exec "${P}snd" ping -q -c 1 -W 2 -6 "2001:2:0:$last::2" >/dev/null ||
		fail "up $kinds: IPv6 ping fails after up"
	check_udp "$last"
	pids=$(ovs_pids)
	for d in "/tmp/hs-ovs-$P"*; do
		[ -d "$d" ] || continue
		[ -f "$d/ovsdb-server.pid" ] && [ -f "$d/ovs-vswitchd.pid" ] || fail "up $kinds: $d lacks its two pid files"
	done
	for d in $pids; do alive "$d" || fail "up $kinds: OVS daemon $d is not running"; done
	[ "$(wc -w <<<"$pids")" -eq $((2 * $(grep -o ovs <<<"$kinds" | wc -l))) ] ||
		fail "up $kinds: OVS pid files: $(oneline "$pids")"
	# shellcheck disable=SC2086 # one pid a word
	assert_down $pids
	note "$kinds: up $(secs "$t0" "$t1") s, down $(secs "$t1" "$EPOCHREALTIME") s, list: $(oneline "$got")"
}

case_ok veth,veth snd vnf1 rcv
case_ok bridge,veth snd sw0 vnf1 rcv
case_ok veth,macvlan,veth snd vnf1 sw1 vnf2 rcv
case_ok 2 snd vnf1 vnf2 rcv
if [ -n "$OVS" ]; then
	case_ok veth,ovs snd vnf1 sw1 rcv
	case_ok veth,bridge,macvlan,ovs snd vnf1 sw1 vnf2 sw2 vnf3 sw3 rcv
fi

expect_fail() { # expect_fail TEXT KINDS: up fails with one line naming TEXT
	local rc=0
	"$TESTBED" up "$P" "$2" >"$WORK/out" 2>"$WORK/err" || rc=$?
	[ "$rc" -ne 0 ] || fail "up $2 succeeded"
	grep -qF -- "$1" "$WORK/err" || fail "up $2: stderr lacks '$1': $(cat "$WORK/err")"
	[ "$(wc -l <"$WORK/err")" -eq 1 ] || fail "up $2: not one line on stderr: $(cat "$WORK/err")"
	note "up $2 -> $(cat "$WORK/err")"
}

# bad chains: nothing is created
expect_fail "unknown link kind 'vxlan'" veth,vxlan
expect_fail "bad chain length '0'" 0
expect_fail "bad chain" veth,,veth
[ -z "$(leftovers)" ] || fail "a refused chain left: $(oneline "$(leftovers)")"

# OVS unavailable (its schema missing): has-ovs says no, up says why
OVS_SCHEMA=/nonexistent "$TESTBED" has-ovs && fail "has-ovs succeeds without the OVS schema"
OVS_SCHEMA=/nonexistent expect_fail "Open vSwitch is unavailable" veth,ovs
[ -z "$(leftovers)" ] || fail "up without OVS left: $(oneline "$(leftovers)")"

# an up that fails halfway, then down: nothing left
ip netns add "${P}sw2"
expect_fail "${P}sw2" veth,veth,bridge
assert_down
if [ -n "$OVS" ]; then
	# the second OVS switch cannot get its directory: the first one's
	# daemons already run and must be stopped by down
	mkdir "/tmp/hs-ovs-${P}sw3"
	expect_fail "/tmp/hs-ovs-${P}sw3" veth,ovs,veth,ovs
	pids=$(ovs_pids)
	[ "$(wc -w <<<"$pids")" -eq 2 ] || fail "expected the first switch's 2 daemons, got: $pids"
	# shellcheck disable=SC2086 # one pid a word
	assert_down $pids
else
	why=$("$TESTBED" up "$P" veth,ovs 2>&1 || true)
	skip "${why#testbed: }: OVS cases not run, the others passed"
fi
