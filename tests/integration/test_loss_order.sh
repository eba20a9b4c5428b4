#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Loss, reordering and pipeline loss land where they happen, and one is
# never taken for another. On one chain snd -> vnf1 -> vnf2 -> rcv:
#  1. vnf1 drops every 10th packet of one stream (a tc program after the
#     probe on its eth0 ingress): lost on vnf1's function hop exactly that
#     many, on no other hop, no record dropped; the verdict names vnf1.
#  2. vnf2 holds up the even packets of another stream by 7.5 ms while the
#     odd ones, sent from the other CPU, overtake them: RFC 4737 reordering
#     on vnf2's function hop only, extent 1 (on average), late by under
#     7.5 ms on average.
#  3. a ring buffer of 4 KiB and a burst of 20000 packets: records dropped
#     (pipeline loss), and not one packet counted lost.
# hopscope-test: serial - the reordering needs both CPUs to itself (two
# senders, 2.5 ms of margin either way) and the ring-overflow burst a
# sender at full speed; any other load can make other hops than vnf2's
# reorder a packet or two as well (see tests/README.md).
. "$(dirname "$0")/lib.sh"
require_root

LOSS_PORT=7771
REORDER_PORT=7772
BURST_PORT=7773
"$TESTBED" up "$PREFIX" 2
"$BUILD/tests/delayctl" "${PREFIX}vnf1" eth0 ingress 0 "$LOSS_PORT" 10 drop >/dev/null
# even packets held 7.5 ms: the odd one sent 5 ms after overtakes, the
# next even one 10 ms after does not; 2.5 ms of margin either way
"$BUILD/tests/delayctl" "${PREFIX}vnf2" eth0 ingress 7500 "$REORDER_PORT" 2 >/dev/null

run_between() { # run_between PORT SECONDS [OPTIONS...]: measure snd..rcv
	local port=$1 secs=$2
	shift 2
	rm -f "$WORK/out.jsonl"
	start_hopscope 12 --filter "udp and port $port" --interval 0 \
		--duration "$secs" --between "${PREFIX}snd" "${PREFIX}rcv" "$@"
}

final_hops() { # every final hop as "from to packets lost reordered"
	jq -r 'select(.type=="hop" and .final) | "\(.from) \(.to) \(.packets) \(.lost) \(.reordered)"' \
		"$WORK/out.jsonl"
}

# the function hop of a VNF: its eth0 tc-ingress -> its eth1 tc-egress
in1=; out1=; in2=; out2=
ids() {
	in1=$(point_id "${PREFIX}vnf1" eth0 tc-ingress)
	out1=$(point_id "${PREFIX}vnf1" eth1 tc-egress)
	in2=$(point_id "${PREFIX}vnf2" eth0 tc-ingress)
	out2=$(point_id "${PREFIX}vnf2" eth1 tc-egress)
}

pipeline_drops() {
	jq -s '[.[] | select(.type=="counters" and .final) | .ringbuf_drops] | add' "$WORK/out.jsonl"
}

# ---- 1. loss on one hop
COUNT=1000
run_between "$LOSS_PORT" 3.5
PORT=$LOSS_PORT send_udp "${PREFIX}snd" 198.18.2.2 500 "$COUNT"
wait_hopscope || fail "hopscope failed: $(cat "$WORK/err")"
ids
# sequence 0 is dropped too, before the flow has shown where it goes: a
# packet that stops at vnf1 then looks like one addressed to it. The other
# 99 count.
dropped=$((COUNT / 10))
want_lost=$((dropped - 1))
while read -r from to pkts lost reord; do
	if [ "$from" = "$in1" ] && [ "$to" = "$out1" ]; then
		note "loss hop $from -> $to: $pkts packets, $lost lost"
		[ "$lost" -eq "$want_lost" ] || fail "vnf1 dropped $dropped, hopscope counts $lost lost"
		[ "$pkts" -eq $((COUNT - dropped)) ] || fail "vnf1's hop carried $pkts"
	else
		[ "$lost" -eq 0 ] || fail "hop $from -> $to counts $lost lost; only vnf1 drops"
	fi
done < <(final_hops)
[ "$(pipeline_drops)" -eq 0 ] || fail "records were dropped in the pipeline"
main_path() { # the final path most packets took
	jq -s -c '[.[] | select(.type=="path" and .final)] | max_by(.packets)' "$WORK/out.jsonl"
}
verdict=$(main_path | jq -r .verdict)
note "verdict: $verdict"
grep -q "VNF ${PREFIX}vnf1 loses $want_lost packets" <<<"$verdict" || fail "the verdict misses vnf1's loss: $verdict"
path_lost=$(main_path | jq .lost)
[ "$path_lost" -eq "$want_lost" ] || fail "the path counts $path_lost lost"

# ---- 2. reordering on one hop
COUNT=1000
run_between "$REORDER_PORT" 6.5
ip netns exec "${PREFIX}snd" "$BUILD/tests/udpsplit" 198.18.2.2 "$REORDER_PORT" 200 "$COUNT" 20 >/dev/null ||
	{ [ $? -eq 77 ] && skip "reordering needs two CPUs"; fail "udpsplit failed"; }
wait_hopscope || fail "hopscope failed: $(cat "$WORK/err")"
ids
while read -r from to pkts lost reord; do
	if [ "$from" = "$in2" ] && [ "$to" = "$out2" ]; then
		note "reordering hop $from -> $to: $reord of $pkts reordered"
		# the even half is held up; nearly every one is overtaken
		[ "$reord" -ge $((COUNT * 4 / 10)) ] && [ "$reord" -le $((COUNT / 2)) ] ||
			fail "vnf2 reordered $reord of $pkts, expected about $((COUNT / 2))"
	else
		# the stream leaves on two CPUs: two packets can really swap
		# on any hop when one CPU is interrupted between its two
		# stamps (seen once in CI, 1 of 1000, under other tests'
		# load); vnf2 holds half of them back
		[ "$reord" -le $((COUNT / 200)) ] || fail "hop $from -> $to counts $reord reordered; only vnf2 reorders"
		[ "$reord" -eq 0 ] || note "hop $from -> $to: $reord of $pkts swapped on their two CPUs"
	fi
	[ "$lost" -eq 0 ] || fail "hop $from -> $to counts $lost lost while reordering"
done < <(final_hops)
hop=$(final_hop "$in2" "$out2")
# each held packet is overtaken by the next one: extent 1 (2 now and then,
# when the machine holds one up longer)
jq -e '.reorder_extent.mean >= 1 and .reorder_extent.mean < 1.2' <<<"$hop" >/dev/null ||
	fail "extent $(jq -c .reorder_extent <<<"$hop"), expected 1"
# held 7.5 ms, overtaken by a packet sent 5 ms later: late by about 2.5 ms
late=$(jq '.reorder_late_ns.mean' <<<"$hop")
[ "$late" -gt 0 ] && [ "$late" -lt 7500000 ] || fail "late by $late ns on average, expected under the 7.5 ms hold"
ratio=$(jq '.reordered_ratio' <<<"$hop")
note "reordered_ratio $ratio, extent $(jq -c .reorder_extent <<<"$hop")"

# ---- 3. a ring too small: records dropped, no packet lost
COUNT=20000
run_between "$BURST_PORT" 3 --ring-size 4
PORT=$BURST_PORT send_udp "${PREFIX}snd" 198.18.2.2 1000000 "$COUNT"
wait_hopscope || fail "hopscope failed: $(cat "$WORK/err")"
drops=$(pipeline_drops)
note "ring of 4 KiB: $drops records dropped"
[ "$drops" -gt 0 ] || fail "a 4 KiB ring took a burst of $COUNT packets without a drop"
while read -r from to pkts lost reord; do
	[ "$lost" -eq 0 ] || fail "hop $from -> $to counts $lost lost; only records were dropped"
done < <(final_hops)
grep -q "records were never recorded" "$WORK/table" || fail "the table does not warn of the dropped records"
assert_nothing_attached
