#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Packets followed through NAT, on nftables (built into this kernel):
#
# 1. Masquerade. snd -> vnf1 -> vnf2 -> rcv (testbed.sh, veth), vnf1
#    masquerading everything it sends out of eth1, IPv4 and IPv6. FLOWS
#    flows of each family, all with the same payloads (udpgen's sequence
#    numbers) and, for IPv6, flow label 0 (auto_flowlabels off): packets of
#    different flows then differ in nothing NAT leaves alone but their
#    timing. Every hop carries every packet but those the matcher refused
#    as ambiguous (counted), none is lost, the hop through vnf1 is of kind
#    nat and names the rewrite, and natcheck, replaying the record file
#    against the rewrite the test knows (masquerade keeps the ports), finds
#    no false match.
# 2. DNAT the way Docker's published ports do it: a client namespace, a
#    "host" namespace with an uplink, a bridge br0 and a container's veth
#    on it, and DNAT of UDP to the host's port 8080 onto the container's
#    port 80. The hop from the uplink to the container's bridge port is of kind nat
#    ("to 198.18.40.1:8080 -> 198.18.41.2:80"), and every hop from the
#    client to the container carries every packet.
# 3. The DNAT again, 1 packet in 4 sampled: every hop, the nat one too,
#    carries the same packets.
#
# NETWORK SAFETY: the namespaces are the test's own (hs<pid>_*), the
# addresses from 198.18.0.0/15 and 2001:2::/48, the traffic bounded
# (udpgen: COUNT packets a flow), and the exit trap removes it all.
# hopscope-test: serial - FLOWS senders at once, every packet on every hop
. "$(dirname "$0")/lib.sh"
require_root
command -v nft >/dev/null || skip "nft (nftables) is not installed"

# every final hop that carried packets, one a line, tab-separated: the
# from point (NETNS:IFNAME), kind, via, packets, lost
final_hops_named() {
	jq -rs '(map(select(.type == "point") | {key: (.id | tostring), value: (.netns + ":" + .ifname)})
		 | from_entries) as $name
		| .[] | select(.type == "hop" and .final and .packets > 0)
		| [$name[.from | tostring], .kind, .via, .packets, .lost] | @tsv' "$WORK/out.jsonl"
}

P=$PREFIX
FLOWS=16
COUNT=300
RATE=1000

# ---- 1. masquerade, IPv4 and IPv6 ----
"$TESTBED" up "$P" 2
ip netns exec "${P}vnf1" nft -f - <<EOF || fail "nft refused the masquerade"
table inet hsnat {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "eth1" masquerade
	}
}
EOF
ip netns exec "${P}snd" sysctl -qw net.ipv6.auto_flowlabels=0

start_hopscope 12 --between "${P}snd" "${P}rcv" --filter "udp and port $PORT" \
	--interval 0 --write "$WORK/nat.hsr"
rx0=$(udp_arrived "${P}rcv")
senders=()
for i in $(seq $FLOWS); do
	for dst in 198.18.2.2 2001:2:0:2::2; do
		ip netns exec "${P}snd" "$BUILD/tests/udpgen" $dst "$PORT" $RATE $COUNT 20 >/dev/null &
		senders+=($!)
	done
done
for pid in "${senders[@]}"; do wait "$pid" || fail "a sender failed"; done
total=$((2 * FLOWS * COUNT))
wait_udp "${P}rcv" "$rx0" "$total"
stop_hopscope INT || fail "hopscope exited $?: $(cat "$WORK/err")"

pipe=$(jq -c 'select(.type=="pipeline" and .final)' "$WORK/out.jsonl")
ambiguous=$(jq .nat_ambiguous <<<"$pipe")
note "pipeline: $(jq -c '{records, trajectories, unverified, nat_joined, nat_ambiguous, nat_contradicted}' <<<"$pipe")"
drops=$(jq -s '[.[] | select(.type=="counters" and .final) | .ringbuf_drops] | add' "$WORK/out.jsonl")
[ "$drops" -eq 0 ] || fail "the ring buffer dropped $drops records: the run cannot be judged"
nat_hops=0
while IFS=$'\t' read -r from kind via pkts lost; do
	note "$from $kind $via: $pkts packets, $lost lost"
	[ "$lost" -eq 0 ] || fail "$from $kind: $lost packets reported lost, none was"
	want=$total
	if [ "$from" = "${P}vnf1:eth0" ]; then
		[ "$kind" = nat ] || fail "the hop through the masquerade is '$kind', not nat"
		[[ "$via" =~ ^(198\.18\.0\.1:[0-9]+\ -\>\ 198\.18\.1\.1:[0-9]+|\[2001:2::1\]:[0-9]+\ -\>\ \[2001:2:0:1::1\]:[0-9]+)$ ]] ||
			fail "the masquerade's rewrite reads '$via'"
		want=$((total - ambiguous))
		nat_hops=$((nat_hops + 1))
	else
		[ "$kind" != nat ] || fail "$from: kind nat where nothing rewrites"
	fi
	[ "$pkts" -eq "$want" ] || fail "$from $kind: $pkts packets, $want crossed it"
done < <(final_hops_named)
[ $nat_hops -eq 1 ] || fail "$nat_hops NAT hops found, expected 1"
# the record file names the rewrite as the live run did
live_via=$(jq -r 'select(.type=="hop" and .final and .kind=="nat") | .via' "$WORK/out.jsonl")
"$HOPSCOPE" report "$WORK/nat.hsr" --json "$WORK/replay.jsonl" >/dev/null 2>"$WORK/replay.err" ||
	fail "report nat.hsr failed: $(cat "$WORK/replay.err")"
replay_via=$(jq -r 'select(.type=="hop" and .final and .kind=="nat") | .via' "$WORK/replay.jsonl")
[ "$replay_via" = "$live_via" ] || fail "the record file names the NAT hop '$replay_via', the run '$live_via'"
check=$("$BUILD/tests/natcheck" "$WORK/nat.hsr" \
	198.18.0.1 198.18.1.1 198.18.2.2 "$PORT" \
	2001:2::1 2001:2:0:1::1 2001:2:0:2::2 "$PORT") || fail "natcheck failed"
note "natcheck: $check"
read -r _ joins _ false _ <<<"$check"
[ "$joins" -ge $((total - ambiguous)) ] || fail "natcheck saw $joins matches across the NAT"
[ "$false" -eq 0 ] || fail "$false of $joins matches across the NAT were false"
assert_nothing_attached
"$TESTBED" down "$P"

# ---- 2. DNAT, as Docker publishes a port ----
for ns in cli hst ctr; do ip netns add "$P$ns"; ip -n "$P$ns" link set lo up; done
ip -n "${P}cli" link add eth0 type veth peer name up0 netns "${P}hst"
ip -n "${P}hst" link add br0 type bridge
ip -n "${P}hst" link add vethc type veth peer name eth0 netns "${P}ctr"
ip -n "${P}hst" link set vethc master br0
ip -n "${P}cli" addr add 198.18.40.2/24 dev eth0
ip -n "${P}hst" addr add 198.18.40.1/24 dev up0
ip -n "${P}hst" addr add 198.18.41.1/24 dev br0
ip -n "${P}ctr" addr add 198.18.41.2/24 dev eth0
for dev in "cli eth0" "hst up0" "hst br0" "hst vethc" "ctr eth0"; do
	set -- $dev
	ip -n "$P$1" link set "$2" up
done
ip -n "${P}ctr" route add default via 198.18.41.1
ip netns exec "${P}hst" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "${P}hst" nft -f - <<EOF || fail "nft refused the DNAT"
table ip hsdnat {
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		iifname "up0" udp dport 8080 dnat to 198.18.41.2:80
	}
}
EOF
# the bridge answers ARP before the measured traffic (bounded: 3 pings)
ip netns exec "${P}cli" ping -c 3 -i 0.2 -W 1 198.18.40.1 >/dev/null || fail "cli cannot reach hst"
ip netns exec "${P}hst" ping -c 3 -i 0.2 -W 1 198.18.41.2 >/dev/null || fail "hst cannot reach ctr"

start_hopscope 8 --between "${P}cli" "${P}ctr" --filter udp --interval 0
rx0=$(udp_arrived "${P}ctr")
ip netns exec "${P}cli" "$BUILD/tests/udpgen" 198.18.40.1 8080 $RATE $COUNT 20 >/dev/null
wait_udp "${P}ctr" "$rx0" $COUNT
stop_hopscope INT || fail "hopscope exited $?: $(cat "$WORK/err")"
nat_hops=0
while IFS=$'\t' read -r from kind via pkts lost; do
	note "$from $kind $via: $pkts packets, $lost lost"
	[ "$pkts" -eq $COUNT ] || fail "$from $kind: $pkts packets, $COUNT crossed it"
	[ "$lost" -eq 0 ] || fail "$from $kind: $lost packets reported lost, none was"
	if [ "$kind" = nat ]; then
		[ "$from" = "${P}hst:up0" ] || fail "kind nat at $from, not at the uplink"
		[ "$via" = "to 198.18.40.1:8080 -> 198.18.41.2:80" ] || fail "the DNAT's rewrite reads '$via'"
		nat_hops=$((nat_hops + 1))
	fi
done < <(final_hops_named)
[ $nat_hops -eq 1 ] || fail "$nat_hops NAT hops found through the DNAT, expected 1"
assert_nothing_attached

# ---- 3. the same DNAT, 1 packet in 4 sampled ----
# The sampling key is made of what NAT leaves alone: the packets kept
# before the DNAT are those kept after it, so every hop, the nat one
# included, carries the same packets, about a quarter of them.
start_hopscope 8 --between "${P}cli" "${P}ctr" --filter udp --interval 0 --sample 4
rx0=$(udp_arrived "${P}ctr")
ip netns exec "${P}cli" "$BUILD/tests/udpgen" 198.18.40.1 8080 $RATE $COUNT 20 >/dev/null
wait_udp "${P}ctr" "$rx0" $COUNT
stop_hopscope INT || fail "hopscope exited $?: $(cat "$WORK/err")"
kept=
nat_hops=0
while IFS=$'\t' read -r from kind via pkts lost; do
	note "sampled: $from $kind: $pkts packets, $lost lost"
	[ -z "$kept" ] && kept=$pkts
	[ "$pkts" -eq "$kept" ] || fail "$from $kind: $pkts sampled packets, the first hop $kept"
	[ "$lost" -eq 0 ] || fail "$from $kind: $lost sampled packets reported lost"
	[ "$kind" = nat ] && nat_hops=$((nat_hops + 1))
done < <(final_hops_named)
[ $nat_hops -eq 1 ] || fail "sampled: $nat_hops NAT hops, expected 1"
# binomial(300, 1/4): mean 75, sd 7.5
[ "$kept" -ge 40 ] && [ "$kept" -le 110 ] || fail "1 in 4 kept $kept of $COUNT"
assert_nothing_attached
