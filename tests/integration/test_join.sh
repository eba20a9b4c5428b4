#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# One chain across two "hosts": snd and vnf1 are host A, vnf2 and rcv host
# B, each measured by a hopscope run of its own writing a record file,
# with a stream each way. hopscope report A B joins them by fingerprint:
#  - B's file copied with every time moved by a known offset (its clock
#    off by 3.7 ms) is joined with that offset recovered from the minimum
#    delay each way, within the uncertainty it states, and the hop between
#    the hosts has the delay of a veth wire, both ways, none negative;
#  - with the stream one way only, the realtime clocks are trusted and the
#    uncertainty is unknown;
#  - runs stamped with TAI (--clock tai) are joined as they are.
. "$(dirname "$0")/lib.sh"
require_root

COUNT=300
SHIFT_NS=3700000
"$TESTBED" up "$PREFIX" 2

# two runs, A and B, writing NAME-a.hsr and NAME-b.hsr, while streams go
# forward (snd -> rcv) and, unless one way, back (rcv -> snd)
measure() { # measure NAME WAYS [OPTIONS...]
	local name=$1 ways=$2 a b fwd
	shift 2
	start_named "$name-a" 6 --filter "udp and port $PORT" --interval 0 \
		--write "$WORK/$name-a.hsr" --netns "${PREFIX}snd" --netns "${PREFIX}vnf1" "$@"
	a=$START_PID
	start_named "$name-b" 6 --filter "udp and port $PORT" --interval 0 \
		--write "$WORK/$name-b.hsr" --netns "${PREFIX}vnf2" --netns "${PREFIX}rcv" "$@"
	b=$START_PID
	send_udp "${PREFIX}snd" 198.18.2.2 300 "$COUNT" &
	fwd=$!
	[ "$ways" = one ] || send_udp "${PREFIX}rcv" 198.18.0.1 300 "$COUNT"
	wait "$fwd" || fail "the forward stream failed"
	# both streams are through: every record is in the runs' rings
	kill -INT "$a" "$b"
	wait "$a" || fail "run A failed: $(cat "$WORK/$name-a.err")"
	wait "$b" || fail "run B failed: $(cat "$WORK/$name-b.err")"
}

join() { # join NAME FILE_A FILE_B: the report's JSON in $WORK/NAME.join
	"$HOPSCOPE" report "$2" "$3" --json "$WORK/$1.join" >"$WORK/$1.table" 2>"$WORK/$1.jerr" ||
		fail "report $2 $3 failed: $(cat "$WORK/$1.jerr")"
}

clock() { jq -c 'select(.type=="clock")' "$WORK/$1.join"; }

# the hop between the hosts, each way: A's vnf1:eth1 -> B's vnf2:eth0
cross_hop() { # cross_hop NAME FROM_NS FROM_IF TO_NS TO_IF
	local from to
	from=$(jq -r --arg ns "$2" --arg i "$3" 'select(.type=="point" and .netns==$ns and .ifname==$i and .hook=="tc-egress") | .id' "$WORK/$1.join")
	to=$(jq -r --arg ns "$4" --arg i "$5" 'select(.type=="point" and .netns==$ns and .ifname==$i and .hook=="tc-ingress") | .id' "$WORK/$1.join")
	jq -c --argjson f "$from" --argjson t "$to" 'select(.type=="hop" and .final and .from==$f and .to==$t)' "$WORK/$1.join"
}

check_cross() { # check_cross NAME: both ways, every packet, a wire's delay
	local hop p50
	for way in "${PREFIX}vnf1 eth1 ${PREFIX}vnf2 eth0" "${PREFIX}vnf2 eth0 ${PREFIX}vnf1 eth1"; do
		# shellcheck disable=SC2086
		hop=$(cross_hop "$1" $way)
		[ -n "$hop" ] || fail "$1: no hop between the hosts ($way)"
		p50=$(jq .delay_ns.p50 <<<"$hop")
		note "$1: $way: $(jq .packets <<<"$hop") packets, p50 $p50 ns, $(jq -r '.kind + " " + .via' <<<"$hop")"
		[ "$(jq -r .kind <<<"$hop")" = network ] || fail "$1: the hop between the hosts is not kind network"
		[ "$(jq .packets <<<"$hop")" -eq "$COUNT" ] || fail "$1: $(jq .packets <<<"$hop") packets crossed ($way)"
		[ "$p50" -le 100000 ] || fail "$1: a veth wire of p50 $p50 ns ($way)"
		[ "$(jq '.negative_delays // 0' <<<"$hop")" -eq 0 ] || fail "$1: negative delays ($way)"
	done
}

# ---- both ways, B's clock 3.7 ms off
measure mono both
"$BUILD/tests/recshift" "$WORK/mono-b.hsr" "$WORK/mono-b-shifted.hsr" "$SHIFT_NS" ||
	fail "recshift failed"
join shifted "$WORK/mono-a.hsr" "$WORK/mono-b-shifted.hsr"
c=$(clock shifted)
note "clock: $c"
[ "$(jq -r .method <<<"$c")" = min-delay ] || fail "the clocks were not joined by the minimum delay: $c"
off=$(jq .offset_ns <<<"$c")
unc=$(jq .uncertainty_ns <<<"$c")
err=$((off - SHIFT_NS))
[ "${err#-}" -le $((unc + 1000)) ] || fail "offset $off ns, shifted by $SHIFT_NS +- $unc"
[ "$unc" -ge 0 ] && [ "$unc" -le 100000 ] || fail "uncertainty $unc ns"
[ "$(jq .packets_ab <<<"$c")" -eq "$COUNT" ] && [ "$(jq .packets_ba <<<"$c")" -eq "$COUNT" ] ||
	fail "packets each way: $c"
check_cross shifted
grep -q "^clocks: .* joined by min-delay: offset" "$WORK/shifted.table" || fail "the table does not say how clocks were joined"
# jitter and lateness do not depend on the offset: the same as unshifted
join plain "$WORK/mono-a.hsr" "$WORK/mono-b.hsr"
j1=$(cross_hop plain "${PREFIX}vnf1" eth1 "${PREFIX}vnf2" eth0 | jq -c '[.jitter_ns.mean, .lateness_ns.max]')
j2=$(cross_hop shifted "${PREFIX}vnf1" eth1 "${PREFIX}vnf2" eth0 | jq -c '[.jitter_ns.mean, .lateness_ns.max]')
[ "$j1" = "$j2" ] || fail "jitter and lateness moved with the offset: $j1 vs $j2"
# and the same machine's own clock needs no offset
off=$(clock plain | jq .offset_ns)
unc=$(clock plain | jq .uncertainty_ns)
[ "${off#-}" -le $((unc + 1000)) ] || fail "one clock, offset $off +- $unc"

# ---- one way only: no estimate, the realtime clocks trusted
measure oneway one
join oneway "$WORK/oneway-a.hsr" "$WORK/oneway-b.hsr"
c=$(clock oneway)
[ "$(jq -r .method <<<"$c")" = realtime ] && [ "$(jq .uncertainty_ns <<<"$c")" -eq -1 ] ||
	fail "one way: $c"
grep -q "one way only" "$WORK/oneway.jerr" || fail "no warning that the offset cannot be estimated"

# ---- TAI: taken as is
measure tai both --clock tai
join tai "$WORK/tai-a.hsr" "$WORK/tai-b.hsr"
c=$(clock tai)
[ "$(jq -r .method <<<"$c")" = tai ] && [ "$(jq .offset_ns <<<"$c")" -eq 0 ] || fail "TAI: $c"
check_cross tai
assert_nothing_attached "$WORK/mono-a.jsonl"
assert_nothing_attached "$WORK/tai-b.jsonl"
