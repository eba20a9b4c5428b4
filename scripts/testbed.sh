#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# testbed.sh - a chain of network-function namespaces joined by veth pairs.
#
#   testbed.sh up PREFIX N     PREFIXsnd -> PREFIXvnf1 -> ... -> PREFIXvnfN -> PREFIXrcv
#   testbed.sh down PREFIX     remove every namespace whose name starts with PREFIX
#
# Every namespace has eth0 towards the sender and eth1 towards the receiver
# (snd has only eth0 towards vnf1... and rcv only eth0). Segment k joins node
# k and node k+1 (node 0 = snd, node N+1 = rcv): 198.18.k.1/24 and
# 198.18.k.2/24, 2001:2:0:k::1/64 and ::2/64. The functions forward in the
# kernel. PREFIX must start with "hs" (e.g. hs<pid>_) so that nothing else
# is ever touched; all traffic stays inside these namespaces.
set -euo pipefail

die() { echo "testbed: $*" >&2; exit 1; }

check_prefix() {
	[[ "$1" =~ ^hs[A-Za-z0-9_]*$ ]] || die "bad prefix '$1': must match ^hs[A-Za-z0-9_]*$"
	# namespace names must stay short enough for interface-style tooling
	[ ${#1} -le 20 ] || die "prefix '$1' is longer than 20 characters"
}

node() { # node K N -> namespace name of node K
	local k=$1 n=$2
	if [ "$k" -eq 0 ]; then echo "${PREFIX}snd"
	elif [ "$k" -eq $((n + 1)) ]; then echo "${PREFIX}rcv"
	else echo "${PREFIX}vnf$k"; fi
}

nsexec() { ip netns exec "$@"; }

up() {
	local n=$1 k left right
	[[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 8 ] || die "bad chain length '$n': 1 to 8"
	for ((k = 0; k <= n + 1; k++)); do
		ip netns add "$(node $k "$n")"
		nsexec "$(node $k "$n")" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0
		ip -n "$(node $k "$n")" link set lo up
	done
	for ((k = 0; k <= n; k++)); do
		left=$(node $k "$n")
		right=$(node $((k + 1)) "$n")
		local lif=eth1 rif=eth0
		[ "$k" -eq 0 ] && lif=eth0
		ip -n "$left" link add "$lif" type veth peer name "$rif" netns "$right"
		ip -n "$left" addr add "198.18.$k.1/24" dev "$lif"
		ip -n "$right" addr add "198.18.$k.2/24" dev "$rif"
		ip -n "$left" addr add "2001:2:0:$k::1/64" dev "$lif" nodad
		ip -n "$right" addr add "2001:2:0:$k::2/64" dev "$rif" nodad
		ip -n "$left" link set "$lif" up
		ip -n "$right" link set "$rif" up
	done
	# routes: the sender and receiver point at their neighbour; every
	# function routes the receiver's segment forward, the sender's back
	ip -n "$(node 0 "$n")" route add default via 198.18.0.2
	ip -n "$(node 0 "$n")" -6 route add default via 2001:2:0:0::2
	ip -n "$(node $((n + 1)) "$n")" route add default via "198.18.$n.1"
	ip -n "$(node $((n + 1)) "$n")" -6 route add default via "2001:2:0:$n::1"
	for ((k = 1; k <= n; k++)); do
		local ns; ns=$(node $k "$n")
		nsexec "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
		if [ "$k" -lt "$n" ]; then
			ip -n "$ns" route add "198.18.$n.0/24" via "198.18.$k.2"
			ip -n "$ns" -6 route add "2001:2:0:$n::/64" via "2001:2:0:$k::2"
		fi
		if [ "$k" -gt 1 ]; then
			ip -n "$ns" route add 198.18.0.0/24 via "198.18.$((k - 1)).1"
			ip -n "$ns" -6 route add "2001:2:0:0::/64" via "2001:2:0:$((k - 1))::1"
		fi
	done
	# resolve every neighbour now, so no measured packet waits for ARP/ND
	nsexec "$(node 0 "$n")" ping -q -c 1 -W 2 "198.18.$n.2" >/dev/null ||
		die "the chain does not forward: ping 198.18.$n.2 from $(node 0 "$n") failed"
	nsexec "$(node 0 "$n")" ping -q -6 -c 1 -W 2 "2001:2:0:$n::2" >/dev/null ||
		die "the chain does not forward IPv6: ping 2001:2:0:$n::2 failed"
}

down() {
	local ns
	for ns in $(ip netns list | awk '{print $1}' | grep "^${PREFIX}" || true); do
		ip netns del "$ns"
	done
}

[ $# -ge 2 ] || die "usage: testbed.sh up PREFIX N | down PREFIX"
verb=$1 PREFIX=$2
check_prefix "$PREFIX"
case "$verb" in
up) up "${3:?usage: testbed.sh up PREFIX N}" ;;
down) down ;;
*) die "unknown verb '$verb': up or down" ;;
esac
