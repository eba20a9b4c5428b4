#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The paper's Fig. 7 chain across three "hosts", each recording a file of
# its own with its own clock: the sender host S (snd), the VNF host V
# (vnf1, vnf2) and the receiver host R (rcv), the stream forward through
# the functions and the replies straight back from rcv to snd over a
# link of their own. So no pair of hosts but S and R sees traffic both
# ways, and V's clock can only be placed through the loop S -> V -> R ->
# S. V's file is moved 2.1 ms ahead, R's 3.7 ms behind (recshift), and
# hopscope report S V R must:
#  - state two clocks, each joined by the minimum delays, with the
#    offsets recovered within the uncertainty it states;
#  - carry every packet over each hop between hosts (S -> V, V -> R,
#    R -> S), of kind network, with the delay of a veth wire, a
#    delay_uncertainty_ns that is known, and no delay further below 0
#    than that;
#  - give the delay through the VNF host the same as V's own file does.
#
# NETWORK SAFETY: the namespaces are the test's own (hs<pid>_*), the
# addresses from 198.18.0.0/15, the traffic bounded (udpgen: COUNT
# packets each way), and the exit trap removes it all.
. "$(dirname "$0")/lib.sh"
require_root

P=$PREFIX
COUNT=300
SHIFT_V=2100000
SHIFT_R=-3700000
"$TESTBED" up "$P" 2
# the way back: rcv straight to snd
ip -n "${P}rcv" link add ret0 type veth peer name ret0 netns "${P}snd"
ip -n "${P}rcv" addr add 198.18.60.2/24 dev ret0
ip -n "${P}snd" addr add 198.18.60.1/24 dev ret0
ip -n "${P}rcv" link set ret0 up
ip -n "${P}snd" link set ret0 up
ip netns exec "${P}rcv" ping -c 3 -i 0.2 -W 1 198.18.60.1 >/dev/null || fail "rcv cannot reach snd straight"

start_named s 4 --filter "udp and port $PORT" --interval 0 --write "$WORK/s.hsr" \
	--netns "${P}snd"
s=$START_PID
start_named v 8 --filter "udp and port $PORT" --interval 0 --write "$WORK/v.hsr" \
	--netns "${P}vnf1" --netns "${P}vnf2"
v=$START_PID
start_named r 4 --filter "udp and port $PORT" --interval 0 --write "$WORK/r.hsr" \
	--netns "${P}rcv"
r=$START_PID
rx_r=$(udp_arrived "${P}rcv")
rx_s=$(udp_arrived "${P}snd")
send_udp "${P}snd" 198.18.2.2 300 "$COUNT" &
fwd=$!
send_udp "${P}rcv" 198.18.60.1 300 "$COUNT"
wait "$fwd" || fail "the forward stream failed"
wait_udp "${P}rcv" "$rx_r" "$COUNT"
wait_udp "${P}snd" "$rx_s" "$COUNT"
kill -INT "$s" "$v" "$r"
for pid in "$s" "$v" "$r"; do wait "$pid" || fail "a run failed: $(cat "$WORK"/*.err)"; done

"$BUILD/tests/recshift" "$WORK/v.hsr" "$WORK/v-shifted.hsr" "$SHIFT_V" || fail "recshift V failed"
"$BUILD/tests/recshift" "$WORK/r.hsr" "$WORK/r-shifted.hsr" "$SHIFT_R" || fail "recshift R failed"
"$HOPSCOPE" report "$WORK/s.hsr" "$WORK/v-shifted.hsr" "$WORK/r-shifted.hsr" \
	--json "$WORK/join.jsonl" >"$WORK/join.table" 2>"$WORK/join.err" ||
	fail "report S V R failed: $(cat "$WORK/join.err")"

# ---- the clocks
[ "$(jq -s '[.[] | select(.type=="clock")] | length' "$WORK/join.jsonl")" -eq 2 ] ||
	fail "not two clock lines: $(jq -c 'select(.type=="clock")' "$WORK/join.jsonl")"
check_clock() { # check_clock HOST_FILE_NAME SHIFT
	local c off unc err
	c=$(jq -c --arg h "$1" 'select(.type=="clock" and .host_b==$h)' "$WORK/join.jsonl")
	note "clock: $c"
	[ "$(jq -r .method <<<"$c")" = min-delay ] || fail "$1 not joined by the minimum delays: $c"
	off=$(jq .offset_ns <<<"$c")
	unc=$(jq .uncertainty_ns <<<"$c")
	err=$((off - $2))
	[ "$unc" -ge 0 ] && [ "$unc" -le 200000 ] || fail "$1: uncertainty $unc ns"
	[ "${err#-}" -le $((unc + 1000)) ] || fail "$1: offset $off ns, shifted by $2 +- $unc"
}
check_clock v-shifted "$SHIFT_V"
check_clock r-shifted "$SHIFT_R"
[ "$(grep -c '^clocks: s -> ' "$WORK/join.table")" -eq 2 ] || fail "the table does not state both clocks"

# ---- the hops between hosts
id_of() { # id_of NETNS IFNAME HOOK: in the joined report
	jq -r --arg ns "$P$1" --arg i "$2" --arg h "$3" \
		'select(.type=="point" and .netns==$ns and .ifname==$i and .hook==$h) | .id' "$WORK/join.jsonl"
}
for way in "snd eth0 vnf1 eth0" "vnf2 eth1 rcv eth0" "rcv ret0 snd ret0"; do
	set -- $way
	f=$(id_of "$1" "$2" tc-egress)
	t=$(id_of "$3" "$4" tc-ingress)
	hop=$(jq -c --argjson f "$f" --argjson t "$t" 'select(.type=="hop" and .final and .from==$f and .to==$t)' "$WORK/join.jsonl")
	[ -n "$hop" ] || fail "no hop $1:$2 -> $3:$4"
	note "$1:$2 -> $3:$4: $(jq -c '{kind, via, packets, p50: .delay_ns.p50, delay_uncertainty_ns, negative_delays, negative_min_ns}' <<<"$hop")"
	[ "$(jq -r .kind <<<"$hop")" = network ] || fail "$1:$2 -> $3:$4 is not kind network"
	[ "$(jq .packets <<<"$hop")" -eq "$COUNT" ] || fail "$1:$2 -> $3:$4: $(jq .packets <<<"$hop") packets crossed"
	[ "$(jq .delay_ns.p50 <<<"$hop")" -le 200000 ] || fail "$1:$2 -> $3:$4: not a veth wire's delay"
	unc=$(jq .delay_uncertainty_ns <<<"$hop")
	[ "$unc" -ge 0 ] || fail "$1:$2 -> $3:$4: uncertainty unknown"
	# a delay shorter than the clocks' uncertainty may come out below 0:
	# counted, and never further below than that
	[ "$(jq '.negative_min_ns // 0' <<<"$hop")" -ge $((-unc)) ] ||
		fail "$1:$2 -> $3:$4: a delay below 0 by more than the uncertainty, $unc ns"
done

# ---- the VNF host's own hop is what its own file says
f=$(id_of vnf1 eth0 tc-ingress)
t=$(id_of vnf1 eth1 tc-egress)
joined=$(jq -c --argjson f "$f" --argjson t "$t" 'select(.type=="hop" and .final and .from==$f and .to==$t) | [.packets, .delay_ns.p50]' "$WORK/join.jsonl")
"$HOPSCOPE" report "$WORK/v.hsr" --json "$WORK/v.report" >/dev/null 2>&1 || fail "report V failed"
f=$(jq -r --arg ns "${P}vnf1" 'select(.type=="point" and .netns==$ns and .ifname=="eth0" and .hook=="tc-ingress") | .id' "$WORK/v.report")
t=$(jq -r --arg ns "${P}vnf1" 'select(.type=="point" and .netns==$ns and .ifname=="eth1" and .hook=="tc-egress") | .id' "$WORK/v.report")
alone=$(jq -c --argjson f "$f" --argjson t "$t" 'select(.type=="hop" and .final and .from==$f and .to==$t) | [.packets, .delay_ns.p50]' "$WORK/v.report")
[ "$joined" = "$alone" ] || fail "vnf1 joined $joined, alone $alone"
assert_nothing_attached "$WORK/s.jsonl"
