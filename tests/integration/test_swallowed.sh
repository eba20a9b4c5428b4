#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Loss the flow's own history cannot show, on the chain snd -> vnf1 ->
# vnf2 -> rcv (an outside reliability test found both counted wrong):
#  1. a foreign XDP program on rcv:eth0 drops every packet of one UDP
#     flow. The flow never reaches a point past vnf2, so it never learns
#     a path through rcv: only the topology (vnf2:eth1's peer is rcv:eth0,
#     measured) says each packet was lost on that wire. Every one counts
#     there, the first included, none elsewhere, and the path says no
#     packet got through. It was 0 lost.
#  2. vnf2:eth1 is deleted mid-stream (rcv:eth0, its peer, goes with it).
#     Every packet of the flow after stops at vnf2:eth0 and is lost on
#     vnf2's function hop: all of them, many more than the flow delivered
#     before (it used to take the shorter path for its new one after at
#     most 1024, and count no more).
. "$(dirname "$0")/lib.sh"
require_root

P=$PREFIX
"$TESTBED" up "$P" 2

# every hop's final "from to packets lost", and the hop named FROM TO
final_hops() {
	jq -r 'select(.type=="hop" and .final) | "\(.from) \(.to) \(.packets) \(.lost)"' \
		"$WORK/out.jsonl"
}

# expect_loss FROM TO LOST PACKETS: that hop lost LOST and carried
# PACKETS; every other hop lost none
expect_loss() {
	local want_from=$1 want_to=$2 want_lost=$3 want_pkts=$4 seen=0
	local from to pkts lost
	while read -r from to pkts lost; do
		if [ "$from" = "$want_from" ] && [ "$to" = "$want_to" ]; then
			seen=1
			[ "$lost" -eq "$want_lost" ] || fail "hop $from -> $to: $lost lost, expected $want_lost"
			[ "$pkts" -eq "$want_pkts" ] || fail "hop $from -> $to: $pkts packets, expected $want_pkts"
		else
			[ "$lost" -eq 0 ] || fail "hop $from -> $to counts $lost lost; only $want_from -> $want_to loses"
		fi
	done < <(final_hops)
	[ "$seen" -eq 1 ] || fail "no hop $want_from -> $want_to: $(final_hops)"
}

# ---- 1. a blackhole before the receiver's first point ----
COUNT=1000
"$BUILD/tests/delayctl" "${P}rcv" eth0 xdp 0 "$PORT" 1 drop >/dev/null
start_hopscope 12 --between "${P}snd" "${P}rcv" --filter "udp and port $PORT" \
	--interval 0 --duration 2
send_udp "${P}snd" 198.18.2.2 2000 "$COUNT"
wait_hopscope || fail "hopscope failed: $(cat "$WORK/err")"
out2=$(point_id "${P}vnf2" eth1 tc-egress)
rcv=$(point_id "${P}rcv" eth0 tc-ingress)
expect_loss "$out2" "$rcv" "$COUNT" 0
path=$(jq -c 'select(.type=="path" and .final and .lost > 0)' "$WORK/out.jsonl")
[ "$(jq -s length <<<"$path")" -eq 1 ] || fail "not one path with loss: $path"
[ "$(jq .packets <<<"$path")" -eq 0 ] || fail "the path delivered packets: $path"
[ "$(jq .lost <<<"$path")" -eq "$COUNT" ] || fail "the path lost $(jq .lost <<<"$path")"
grep -qF "no packet got through on ${P}snd -> ${P}rcv: the wire veth ${P}vnf2:eth1 -> ${P}rcv:eth0 loses $COUNT packets" "$WORK/table" ||
	fail "no verdict on the swallowed flow: $(grep verdict "$WORK/table")"
ip -n "${P}rcv" link set dev eth0 xdp off
note "swallowed at rcv's XDP: $COUNT of $COUNT lost on vnf2:eth1 -> rcv:eth0, none elsewhere"

# ---- 2. an interface that vanishes mid-stream ----
# one flow (one sender: one source port) all along, as the outside test
# had it; the deletion once some of it has arrived
TOTAL=3600
start_hopscope 12 --between "${P}snd" "${P}rcv" --filter "udp and port $PORT" \
	--interval 0 --duration 3
base=$(udp_arrived "${P}rcv")
ip netns exec "${P}snd" "$BUILD/tests/udpgen" 198.18.2.2 "$PORT" 2000 "$TOTAL" 20 >/dev/null &
sender=$!
HS_MORE_PIDS+=("$sender")
wait_udp "${P}rcv" "$base" 300
ip -n "${P}vnf2" link del eth1
wait "$sender" || fail "the sender failed"
wait_hopscope || fail "hopscope failed: $(cat "$WORK/err")"
grep -qF "${P}vnf2:eth1 is gone" "$WORK/err" || fail "no word of vnf2:eth1: $(cat "$WORK/err")"
in2=$(point_id "${P}vnf2" eth0 tc-ingress)
out2=$(point_id "${P}vnf2" eth1 tc-egress)
delivered=$(final_hop "$in2" "$out2" | jq .packets)
[ "$delivered" -ge 300 ] && [ "$delivered" -lt 1500 ] ||
	fail "$delivered packets crossed vnf2 before its eth1 went: expected 300 to 1500"
expect_loss "$in2" "$out2" $((TOTAL - delivered)) "$delivered"
note "vnf2:eth1 deleted: all $((TOTAL - delivered)) after it lost on vnf2's function hop, $delivered before it delivered"
