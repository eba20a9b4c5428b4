#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# A VXLAN overlay between two "hosts": container c1 behind bridge br0 on
# host ha, container c2 behind br0 on host hb, the bridges joined by vxlan
# devices (VNI 42, UDP 8472: Linux's default, Flannel's, not IANA's 4789,
# so the probes must take the port from the vxlan devices they measure)
# over an underlay veth ha:ul0 - hb:ul0. UDP
# from c1 to c2 is measured at every hop, the tunnel's too: on the
# underlay the probe sees the outer packet and follows its inner one, so
# each hop, into the tunnel (vx0 -> ul0), across it and out of it, must
# carry every packet sent and lose none; the hops into and out of the
# tunnel are of kind encap and decap. Without the inner packet the
# underlay's points would see UDP 8472 only, which the filter leaves out.
#
# NETWORK SAFETY: the namespaces are the test's own (hs<pid>_*), the
# addresses from 198.18.0.0/15, the traffic bounded (udpgen: COUNT
# packets), and the exit trap removes it all.
. "$(dirname "$0")/lib.sh"
require_root

COUNT=200
P=$PREFIX
for ns in c1 ha hb c2; do ip netns add "$P$ns"; done
ip -n "${P}ha" link add ul0 type veth peer name ul0 netns "${P}hb"
ip -n "${P}ha" addr add 198.18.30.1/24 dev ul0
ip -n "${P}hb" addr add 198.18.30.2/24 dev ul0
for h in a b; do
	ns="${P}h$h"
	local_ip=198.18.30.$([ $h = a ] && echo 1 || echo 2)
	remote_ip=198.18.30.$([ $h = a ] && echo 2 || echo 1)
	c=$([ $h = a ] && echo c1 || echo c2)
	ip -n "$ns" link set lo up
	ip -n "$ns" link set ul0 up
	ip -n "$ns" link add br0 type bridge
	ip -n "$ns" link add vx0 type vxlan id 42 dstport 8472 \
		local "$local_ip" remote "$remote_ip" dev ul0
	ip -n "$ns" link set vx0 master br0
	ip -n "$ns" link add "v$c" type veth peer name eth0 netns "$P$c"
	ip -n "$ns" link set "v$c" master br0
	for dev in vx0 "v$c" br0; do ip -n "$ns" link set "$dev" up; done
	ip -n "$P$c" link set lo up
	ip -n "$P$c" addr add 198.18.20.$([ $c = c1 ] && echo 1 || echo 2)/24 dev eth0
	ip -n "$P$c" link set eth0 mtu 1400 up
done
# the overlay answers ARP before the measured traffic (bounded: 3 pings)
ip netns exec "${P}c1" ping -c 3 -i 0.2 -W 1 198.18.20.2 >/dev/null ||
	fail "c1 cannot reach c2 over the overlay"

start_hopscope 8 --filter "udp and port $PORT" --interval 0 \
	--point "${P}c1:eth0@tc-egress" \
	--point "${P}ha:vc1@tc-ingress" --point "${P}ha:vx0@tc-egress" \
	--point "${P}ha:ul0@tc-egress" --point "${P}hb:ul0@tc-ingress" \
	--point "${P}hb:vx0@tc-ingress" --point "${P}hb:vc2@tc-egress" \
	--point "${P}c2:eth0@tc-ingress"
rx0=$(udp_arrived "${P}c2")
send_udp "${P}c1" 198.18.20.2 400 "$COUNT"
wait_udp "${P}c2" "$rx0" "$COUNT"
stop_hopscope INT || fail "hopscope exited $? after SIGINT: $(cat "$WORK/err")"

ids=(
	"$(point_id "${P}c1" eth0 tc-egress)"
	"$(point_id "${P}ha" vc1 tc-ingress)"
	"$(point_id "${P}ha" vx0 tc-egress)"
	"$(point_id "${P}ha" ul0 tc-egress)"
	"$(point_id "${P}hb" ul0 tc-ingress)"
	"$(point_id "${P}hb" vx0 tc-ingress)"
	"$(point_id "${P}hb" vc2 tc-egress)"
	"$(point_id "${P}c2" eth0 tc-ingress)"
)
# the hops' kinds: into the tunnel and out of it are hops of their own
kinds=(wire switch encap wire decap switch wire)
for ((i = 0; i + 1 < ${#ids[@]}; i++)); do
	hop=$(final_hop "${ids[i]}" "${ids[i + 1]}")
	[ -n "$hop" ] || fail "no hop ${ids[i]} -> ${ids[i + 1]}"
	pkts=$(jq '.packets' <<<"$hop")
	note "hop ${ids[i]} -> ${ids[i + 1]}: $pkts packets, p50 $(jq '.delay_ns.p50' <<<"$hop") ns ($(jq -r '.kind + " " + .via' <<<"$hop"))"
	[ "$pkts" -eq "$COUNT" ] || fail "hop ${ids[i]} -> ${ids[i + 1]} saw $pkts packets, sent $COUNT"
	[ "$(jq '.lost' <<<"$hop")" -eq 0 ] || fail "hop ${ids[i]} -> ${ids[i + 1]} reports loss"
	[ "$(jq -r '.kind' <<<"$hop")" = "${kinds[i]}" ] ||
		fail "hop ${ids[i]} -> ${ids[i + 1]} is $(jq -r .kind <<<"$hop"), not ${kinds[i]}"
done
[ "$(jq -r '.via' <<<"$(final_hop "${ids[2]}" "${ids[3]}")")" = "vxlan vx0" ] ||
	fail "the encap hop is not via vxlan vx0"
drops=$(jq -s '[.[] | select(.type=="counters" and .final) | .ringbuf_drops] | add' "$WORK/out.jsonl")
[ "$drops" -eq 0 ] || fail "$drops ring buffer drops"
assert_nothing_attached
