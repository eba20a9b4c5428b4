#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# testbed.sh - a chain of network-function namespaces joined by links of
# several kinds (veth pairs, a Linux bridge, macvlan, Open vSwitch).
#
#   testbed.sh up PREFIX N       PREFIXsnd -> PREFIXvnf1 -> ... -> PREFIXvnfN -> PREFIXrcv,
#                                N+1 veth links (N = 1..8)
#   testbed.sh up PREFIX KINDS   one link per comma-separated kind, 1 to 9 links,
#                                #VNFs = #links - 1; e.g. veth,bridge,macvlan,ovs is
#                                snd -veth-> vnf1 -bridge-> vnf2 -macvlan-> vnf3 -ovs-> rcv
#   testbed.sh down PREFIX       stop the OVS daemons of the testbed (by their pid
#                                files), remove their directories, then every
#                                namespace whose name starts with PREFIX
#   testbed.sh list PREFIX       the testbed's namespaces in chain order, one a line
#                                (snd, [sw0], vnf1, [sw1], vnf2, ..., [swN], rcv)
#   testbed.sh has-ovs           exit 0 if OVS links can be built here, 1 if not
#   testbed.sh has-docker        exit 0 if a Docker Engine answers (DOCKER_HOST), else
#                                1 with the reason on stdout
#
# Nodes: node 0 = PREFIXsnd, node k = PREFIXvnf<k>, node N+1 = PREFIXrcv.
# Every node has eth0 towards the sender and eth1 towards the receiver (snd
# has only eth0 towards vnf1..., rcv only eth0). Link k (k = 0..N) joins node
# k (its eth1, eth0 for snd) and node k+1 (its eth0) on segment k:
# 198.18.k.1/24 and 198.18.k.2/24, 2001:2:0:k::1/64 and ::2/64, whatever its
# kind, so routing does not depend on the kinds. The functions forward in
# the kernel. Per kind, link k is:
#
#   veth     left:ethX <-> right:eth0, one veth pair
#   bridge   switch namespace PREFIXsw<k> with Linux bridge br<k> (STP off,
#            forward_delay 0, multicast snooping off);
#            left:ethX <-> sw:p<k>a and sw:p<k>b <-> right:eth0 (veth pairs),
#            p<k>a and p<k>b enslaved to br<k>
#   macvlan  switch namespace PREFIXsw<k> with a veth pair mv<k> <-> mv<k>x
#            (both up, so mv<k> has a carrier); two macvlan children of mv<k>
#            in bridge mode, created as left:ethX and right:eth0
#   docker-bridge, docker-macvlan  Docker's own network drivers: link k is
#            a Docker network (PREFIXnet<k>, subnet 198.18.k.0/24, gateway
#            .254; the bridge driver's Linux bridge PREFIXb<k> in the host's
#            namespace, without the gateway's address, so the host routes
#            nothing between the links and the functions forward; macvlan in bridge mode on PREFIXn<k>, a veth of ours
#            in the host's namespace whose peer PREFIXm<k> is up). With
#            these kinds (all links or none) every node is a container of
#            the Docker Engine that DOCKER_HOST names (image
#            $HS_DOCKER_IMAGE, default hs-busybox:testbed, made here from
#            busybox-static if missing), labelled hopscope.testbed=PREFIX,
#            its network namespace attached as the node's name (ip netns
#            attach), so everything below works on it unchanged; Docker
#            assigns the IPv4 addresses, the script the IPv6 ones
#   macvlan-nic  the paper's macvlan: a wire into a host's NIC whose macvlan
#            child is the right node's. Switch namespace PREFIXsw<k> holds
#            nic<k>, the peer of the veth left:ethX (the wire), up with no
#            address; right:eth0 is a macvlan child of nic<k>, bridge mode
#   ovs      switch namespace PREFIXsw<k> running its own ovsdb-server and
#            ovs-vswitchd (run dir /tmp/hs-ovs-PREFIXsw<k>: conf.db, db.sock,
#            *.pid, *.ctl, *.log); OVS bridge br<k>, datapath_type=netdev
#            (userspace), default NORMAL action (a learning L2 switch);
#            left:ethX <-> sw:p<k>a and sw:p<k>b <-> right:eth0 (veth pairs),
#            p<k>a and p<k>b OVS ports. Transmit checksum offload is off on
#            left:ethX and right:eth0, or OVS (reading through AF_PACKET)
#            would forward UDP/TCP with unfinished checksums. OVS ports are
#            slow (~0.2 ms a hop, losses above ~10 kpps): keep rates low.
#
# Switch namespaces have IPv6 disabled, so switches send nothing themselves.
# PREFIX must match ^hs[A-Za-z0-9_]*$ (e.g. hs<pid>_) so that nothing else is
# ever touched; all traffic stays inside these namespaces. `up` ends with an
# IPv4 and an IPv6 ping from snd to rcv (single packets, up to 3 tries of 2 s)
# and fails if they do not pass. After a failed `up`, `down` removes whatever
# it had built. Errors are one line on stderr, exit status 1.
set -euo pipefail

die() { echo "testbed: $*" >&2; exit 1; }

OVS_SCHEMA=${OVS_SCHEMA:-/usr/share/openvswitch/vswitch.ovsschema}
OVS_BASE=/tmp/hs-ovs-
OVS_DAEMONS="ovs-vswitchd ovsdb-server" # stopped in this order

check_prefix() {
	# ending in '_': "down hs1_" can never take another run's hs12_*
	[[ "$1" =~ ^hs[A-Za-z0-9_]*_$ ]] || die "bad prefix '$1': must match ^hs[A-Za-z0-9_]*_$"
	# namespace names must stay short enough for interface-style tooling
	[ ${#1} -le 20 ] || die "prefix '$1' is longer than 20 characters"
}

# The reason OVS cannot be used here, or nothing.
ovs_missing() {
	local c
	for c in ovsdb-tool ovsdb-server ovs-vswitchd ovs-vsctl; do
		command -v "$c" >/dev/null || { echo "$c not found (package openvswitch-switch)"; return; }
	done
	[ -r "$OVS_SCHEMA" ] || { echo "schema $OVS_SCHEMA not found"; return; }
	command -v ethtool >/dev/null || { echo "ethtool not found (package ethtool)"; return; }
	[ -c /dev/net/tun ] || { echo "/dev/net/tun missing (the netdev datapath needs it)"; return; }
}

has_ovs() { [ -z "$(ovs_missing)" ]; }

DOCKER_IMAGE=${HS_DOCKER_IMAGE:-hs-busybox:testbed}
DOCKER=   # set when the links are Docker networks

# The reason no Docker Engine can be used here, or nothing.
docker_missing() {
	command -v docker >/dev/null || { echo "docker not found (package docker.io)"; return; }
	timeout 10 docker version >/dev/null 2>&1 ||
		{ echo "no Docker Engine answers at ${DOCKER_HOST:-the default socket}"; return; }
}

has_docker() { [ -z "$(docker_missing)" ]; }

N=0       # number of VNFs
KINDS=()  # KINDS[k]: the kind of link k, k = 0..N

parse_kinds() {
	local spec=$1 k
	if [[ "$spec" =~ ^[0-9]+$ ]]; then
		if [ "$spec" -lt 1 ] || [ "$spec" -gt 8 ]; then
			die "bad chain length '$spec': 1 to 8"
		fi
		N=$spec
		for ((k = 0; k <= N; k++)); do KINDS[k]=veth; done
		return
	fi
	[[ "$spec" =~ ^[a-z-]+(,[a-z-]+)*$ ]] ||
		die "bad chain '$spec': a length 1 to 8, or link kinds like veth,bridge,macvlan,ovs"
	IFS=, read -r -a KINDS <<<"$spec"
	[ ${#KINDS[@]} -le 9 ] || die "bad chain '$spec': 1 to 9 links"
	[[ "${KINDS[0]}" != docker-* ]] || DOCKER=1
	for k in "${KINDS[@]}"; do
		if { [[ "$k" == docker-* ]] && [ -z "$DOCKER" ]; } ||
			{ [[ "$k" != docker-* ]] && [ -n "$DOCKER" ]; }; then
			die "bad chain '$spec': Docker networks are all the links or none"
		fi
		case "$k" in
		veth | bridge | macvlan | macvlan-nic) ;;
		docker-bridge | docker-macvlan)
			local why
			why=$(docker_missing)
			[ -z "$why" ] || die "Docker is unavailable: $why"
			# Docker's bridge names: PREFIXb<k>, 15 characters at most
			[ ${#PREFIX} -le 12 ] || die "prefix '$PREFIX' is too long for Docker's bridge names (12 at most)"
			;;
		ovs)
			local why
			why=$(ovs_missing)
			[ -z "$why" ] || die "Open vSwitch is unavailable: $why"
			;;
		*) die "unknown link kind '$k' in '$spec': veth, bridge, macvlan, macvlan-nic, ovs, docker-bridge or docker-macvlan" ;;
		esac
	done
	N=$((${#KINDS[@]} - 1))
}

node() { # node K -> namespace name of node K
	local k=$1
	if [ "$k" -eq 0 ]; then echo "${PREFIX}snd"
	elif [ "$k" -eq $((N + 1)) ]; then echo "${PREFIX}rcv"
	else echo "${PREFIX}vnf$k"; fi
}
sw() { echo "${PREFIX}sw$1"; }

nsexec() { ip netns exec "$@"; }

new_ns() { # new_ns NAME [switch]
	ip netns add "$1" 2>/dev/null ||
		die "cannot create network namespace '$1' (left over? run: testbed.sh down $PREFIX)"
	nsexec "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	[ "${2:-}" != switch ] ||
		nsexec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n "$1" link set lo up
}

# veth pairs from the two nodes of link K into its switch: p<k>a, p<k>b
switch_ports() { # switch_ports K LEFT LIF RIGHT
	local k=$1 left=$2 lif=$3 right=$4 s
	s=$(sw "$k")
	ip -n "$left" link add "$lif" type veth peer name "p${k}a" netns "$s"
	ip -n "$right" link add eth0 type veth peer name "p${k}b" netns "$s"
}

link_bridge() { # link_bridge K LEFT LIF RIGHT
	local k=$1 s
	s=$(sw "$k")
	ip -n "$s" link add "br$k" type bridge stp_state 0 forward_delay 0 mcast_snooping 0
	switch_ports "$@"
	ip -n "$s" link set "p${k}a" master "br$k" up
	ip -n "$s" link set "p${k}b" master "br$k" up
	ip -n "$s" link set "br$k" up
}

link_macvlan() { # link_macvlan K LEFT LIF RIGHT
	local k=$1 left=$2 lif=$3 right=$4 s
	s=$(sw "$k")
	ip -n "$s" link add "mv$k" type veth peer name "mv${k}x"
	ip -n "$s" link set "mv${k}x" up
	ip -n "$s" link set "mv$k" up
	ip -n "$s" link add link "mv$k" name "$lif" netns "$left" type macvlan mode bridge
	ip -n "$s" link add link "mv$k" name eth0 netns "$right" type macvlan mode bridge
}

link_macvlan-nic() { # link_macvlan-nic K LEFT LIF RIGHT
	local k=$1 left=$2 lif=$3 right=$4 s
	s=$(sw "$k")
	ip -n "$left" link add "$lif" type veth peer name "nic$k" netns "$s"
	ip -n "$s" link set "nic$k" up
	ip -n "$s" link add link "nic$k" name eth0 netns "$right" type macvlan mode bridge
}

ovs_run() { # ovs_run DIR NETNS COMMAND... : an OVS command on this switch's files
	local d=$1 ns=$2
	shift 2
	nsexec "$ns" env OVS_RUNDIR="$d" OVS_DBDIR="$d" OVS_LOGDIR="$d" "$@"
}

link_ovs() { # link_ovs K LEFT LIF RIGHT
	local k=$1 left=$2 lif=$3 right=$4 s d out
	s=$(sw "$k")
	d=$OVS_BASE$s
	mkdir -m 700 "$d" 2>/dev/null ||
		die "cannot create '$d' (left over? run: testbed.sh down $PREFIX)"
	ovsdb-tool create "$d/conf.db" "$OVS_SCHEMA" ||
		die "ovsdb-tool create '$d/conf.db' failed"
	out=$(ovs_run "$d" "$s" ovsdb-server "$d/conf.db" --remote="punix:$d/db.sock" \
		--pidfile="$d/ovsdb-server.pid" --unixctl="$d/ovsdb-server.ctl" \
		--log-file="$d/ovsdb-server.log" -vconsole:off -vsyslog:off --detach 2>&1) ||
		die "ovsdb-server did not start in $s (see $d/ovsdb-server.log): $(tail -1 <<<"$out")"
	ovs_run "$d" "$s" ovs-vsctl --db="unix:$d/db.sock" --timeout=10 --no-wait init ||
		die "ovs-vsctl init failed in $s"
	out=$(ovs_run "$d" "$s" ovs-vswitchd "unix:$d/db.sock" \
		--pidfile="$d/ovs-vswitchd.pid" --unixctl="$d/ovs-vswitchd.ctl" \
		--log-file="$d/ovs-vswitchd.log" -vconsole:off -vsyslog:off --detach 2>&1) ||
		die "ovs-vswitchd did not start in $s (see $d/ovs-vswitchd.log): $(tail -1 <<<"$out")"
	switch_ports "$@"
	# OVS reads and writes its system ports through AF_PACKET: packets it
	# reads must carry complete checksums (and no GSO), so the senders
	# into the switch finish them in software
	nsexec "$left" ethtool -K "$lif" tx off >/dev/null
	nsexec "$right" ethtool -K eth0 tx off >/dev/null
	ip -n "$s" link set "p${k}a" up
	ip -n "$s" link set "p${k}b" up
	# without --no-wait: returns once ovs-vswitchd has applied it
	ovs_run "$d" "$s" ovs-vsctl --db="unix:$d/db.sock" --timeout=10 \
		add-br "br$k" -- set bridge "br$k" datapath_type=netdev \
		-- add-port "br$k" "p${k}a" -- add-port "br$k" "p${k}b" ||
		die "cannot build OVS bridge br$k in $s (see $d/ovs-vswitchd.log)"
}

# The image: busybox, sleeping. Made from busybox-static, never pulled.
docker_image() {
	local root busybox a
	docker image inspect "$DOCKER_IMAGE" >/dev/null 2>&1 && return 0
	busybox=/bin/busybox
	[ -x "$busybox" ] && file -L "$busybox" 2>/dev/null | grep -q static ||
		die "no static busybox (package busybox-static) to make the image $DOCKER_IMAGE"
	root=$(mktemp -d /tmp/hs-image.XXXXXX)
	mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/etc" "$root/tmp"
	cp "$busybox" "$root/bin/busybox"
	for a in sh sleep; do ln -s busybox "$root/bin/$a"; done
	tar -C "$root" -cf "$root.tar" . && docker import "$root.tar" "$DOCKER_IMAGE" >/dev/null ||
		{ rm -rf "$root" "$root.tar"; die "cannot import the image $DOCKER_IMAGE"; }
	rm -rf "$root" "$root.tar"
}

docker_net() { # docker_net K: Docker network of link K
	local k=$1 net="${PREFIX}net$1"
	local opts=(--subnet "198.18.$k.0/24" --gateway "198.18.$k.254" --label "hopscope.testbed=$PREFIX")
	case "${KINDS[k]}" in
	docker-bridge)
		docker network create --driver bridge "${opts[@]}" \
			-o com.docker.network.bridge.name="${PREFIX}b$k" \
			-o com.docker.network.bridge.enable_ip_masquerade=false \
			-o com.docker.network.bridge.inhibit_ipv4=true "$net" >/dev/null ||
			die "cannot create the Docker bridge network $net"
		;;
	docker-macvlan)
		ip link add "${PREFIX}n$k" type veth peer name "${PREFIX}m$k"
		ip link set "${PREFIX}m$k" up
		ip link set "${PREFIX}n$k" up
		docker network create --driver macvlan "${opts[@]}" \
			-o parent="${PREFIX}n$k" -o macvlan_mode=bridge "$net" >/dev/null ||
			die "cannot create the Docker macvlan network $net"
		;;
	esac
}

# docker_node K: node K as a container, on link K-1 (eth0) and link K
# (eth1; eth0 for the sender), its namespace named like the node's
docker_node() {
	local k=$1 name pid first ip a
	name=$(node "$k")
	if [ "$k" -eq 0 ]; then first=0 ip=198.18.0.1; else first=$((k - 1)) ip="198.18.$((k - 1)).2"; fi
	docker run -d --name "$name" --label "hopscope.testbed=$PREFIX" \
		--network "${PREFIX}net$first" --ip "$ip" "$DOCKER_IMAGE" sleep 86400 >/dev/null ||
		die "cannot start the container $name"
	if [ "$k" -ge 1 ] && [ "$k" -le "$N" ]; then
		docker network connect --ip "198.18.$k.1" "${PREFIX}net$k" "$name" ||
			die "cannot connect $name to ${PREFIX}net$k"
	fi
	pid=$(docker inspect -f '{{.State.Pid}}' "$name")
	ip netns attach "$name" "$pid" || die "cannot name the namespace of $name (pid $pid)"
	# Docker leaves IPv6 off on networks without it: the script's own
	nsexec "$name" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 \
		net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	for a in eth0 eth1; do
		nsexec "$name" sysctl -qw "net.ipv6.conf.$a.disable_ipv6=0" "net.ipv6.conf.$a.accept_dad=0" 2>/dev/null || true
	done
}

docker_up() {
	local k
	docker_image
	for ((k = 0; k <= N; k++)); do docker_net "$k"; done
	for ((k = 0; k <= N + 1; k++)); do docker_node "$k"; done
}

# Every container and network of this testbed, and our macvlan parents.
docker_down() {
	local ids l
	if command -v docker >/dev/null && timeout 10 docker version >/dev/null 2>&1; then
		ids=$(docker ps -aq --filter "label=hopscope.testbed=$PREFIX")
		# shellcheck disable=SC2086
		[ -z "$ids" ] || docker rm -f $ids >/dev/null || return 1
		ids=$(docker network ls -q --filter "label=hopscope.testbed=$PREFIX")
		# shellcheck disable=SC2086
		[ -z "$ids" ] || docker network rm $ids >/dev/null || return 1
	fi
	for l in $(ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep "^${PREFIX}n[0-9]$" || true); do
		ip link del "$l" || return 1
	done
}

ping_once() { # ping_once NS [-6] DST: up to 3 single pings, 2 s each
	local ns=$1 _
	shift
	for _ in 1 2 3; do
		nsexec "$ns" ping -q -c 1 -W 2 "$@" >/dev/null 2>&1 && return 0
	done
	return 1
}

up() {
	local k left right lif kind
	parse_kinds "$1"
	if [ -n "$DOCKER" ]; then
		docker_up
	else
		for ((k = 0; k <= N + 1; k++)); do new_ns "$(node $k)"; done
		for ((k = 0; k <= N; k++)); do
			[ "${KINDS[k]}" = veth ] || new_ns "$(sw $k)" switch
		done
	fi
	for ((k = 0; k <= N; k++)); do
		left=$(node $k)
		right=$(node $((k + 1)))
		lif=eth1
		[ "$k" -eq 0 ] && lif=eth0
		kind=${KINDS[k]}
		case "$kind" in
		veth) ip -n "$left" link add "$lif" type veth peer name eth0 netns "$right" ;;
		docker-*) ;; # Docker made the link, with its IPv4 addresses
		*) "link_$kind" "$k" "$left" "$lif" "$right" ;;
		esac
		# up before the addresses: an IPv6 address added while the link
		# is down takes effect only after the kernel's link watcher has
		# seen the carrier (up to 1 s), and the first ND would be lost
		ip -n "$left" link set "$lif" up
		ip -n "$right" link set eth0 up
		if [ -z "$DOCKER" ]; then
			ip -n "$left" addr add "198.18.$k.1/24" dev "$lif"
			ip -n "$right" addr add "198.18.$k.2/24" dev eth0
		fi
		ip -n "$left" addr add "2001:2:0:$k::1/64" dev "$lif" nodad
		ip -n "$right" addr add "2001:2:0:$k::2/64" dev eth0 nodad
	done
	# routes: the sender and receiver point at their neighbour; every
	# function routes the receiver's segment forward, the sender's back
	# (replace: Docker routes a container through its network's gateway)
	ip -n "$(node 0)" route replace default via 198.18.0.2
	ip -n "$(node 0)" -6 route add default via 2001:2:0:0::2
	ip -n "$(node $((N + 1)))" route replace default via "198.18.$N.1"
	ip -n "$(node $((N + 1)))" -6 route add default via "2001:2:0:$N::1"
	for ((k = 1; k <= N; k++)); do
		local ns; ns=$(node $k)
		nsexec "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
		if [ "$k" -lt "$N" ]; then
			ip -n "$ns" route add "198.18.$N.0/24" via "198.18.$k.2"
			ip -n "$ns" -6 route add "2001:2:0:$N::/64" via "2001:2:0:$k::2"
		fi
		if [ "$k" -gt 1 ]; then
			ip -n "$ns" route add 198.18.0.0/24 via "198.18.$((k - 1)).1"
			ip -n "$ns" -6 route add "2001:2:0:0::/64" via "2001:2:0:$((k - 1))::1"
		fi
	done
	# resolve every neighbour now, so no measured packet waits for ARP/ND
	local chain; chain=$(IFS=,; echo "${KINDS[*]}")
	ping_once "$(node 0)" "198.18.$N.2" ||
		die "the chain ($chain) does not forward: ping 198.18.$N.2 from $(node 0) failed"
	ping_once "$(node 0)" -6 "2001:2:0:$N::2" ||
		die "the chain ($chain) does not forward IPv6: ping 2001:2:0:$N::2 from $(node 0) failed"
}

alive() { # alive PID: running and not a zombie
	local st
	st=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# stop_daemon DIR NAME: stop the daemon whose pid file is DIR/NAME.pid, if
# that pid is still that daemon started with that pid file
stop_daemon() {
	local d=$1 name=$2 pidf pid i
	pidf="$d/$name.pid"
	[ -f "$pidf" ] && [ ! -L "$pidf" ] || return 0
	pid=$(head -c 16 "$pidf" | tr -dc 0-9)
	[ -n "$pid" ] && alive "$pid" || return 0
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] || return 0
	tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "--pidfile=$pidf" || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 250; i++)); do # 5 s
		alive "$pid" || return 0
		sleep 0.02
	done
	kill -KILL "$pid" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		alive "$pid" || return 0
		sleep 0.02
	done
	echo "testbed: $name (pid $pid, $pidf) does not stop" >&2
	return 1
}

down() {
	local ns d name rc=0
	docker_down || rc=1
	for d in "$OVS_BASE$PREFIX"*; do
		if [ ! -d "$d" ] || [ -L "$d" ]; then continue; fi
		for name in $OVS_DAEMONS; do stop_daemon "$d" "$name" || rc=1; done
		rm -rf -- "$d"
	done
	for ns in $(ip netns list | awk '{print $1}' | grep -F -- "$PREFIX" | grep "^${PREFIX}" || true); do
		ip netns del "$ns" || rc=1
	done
	return $rc
}

list() {
	local k all
	all=$(ip netns list | awk '{print $1}')
	has() { grep -qxF -- "$1" <<<"$all"; }
	has "${PREFIX}snd" || die "no testbed with prefix '$PREFIX'"
	echo "${PREFIX}snd"
	for ((k = 0; k <= 9; k++)); do
		! has "$(sw $k)" || sw $k
		if has "${PREFIX}vnf$((k + 1))"; then
			echo "${PREFIX}vnf$((k + 1))"
		else
			break
		fi
	done
	! has "${PREFIX}rcv" || echo "${PREFIX}rcv"
}

USAGE="usage: testbed.sh up PREFIX N|KINDS | down PREFIX | list PREFIX | has-ovs | has-docker"
[ $# -ge 1 ] || die "$USAGE"
verb=$1
if [ "$verb" = has-ovs ]; then
	has_ovs
	exit
fi
if [ "$verb" = has-docker ]; then
	why=$(docker_missing)
	[ -z "$why" ] || { echo "$why"; exit 1; }
	exit 0
fi
[ $# -ge 2 ] || die "$USAGE"
PREFIX=$2
check_prefix "$PREFIX"
case "$verb" in
up) up "${3:?usage: testbed.sh up PREFIX N|KINDS}" ;;
down) down ;;
list) list ;;
*) die "unknown verb '$verb': up, down, list or has-ovs" ;;
esac
