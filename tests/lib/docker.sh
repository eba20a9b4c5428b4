# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# docker.sh - a private Docker Engine for one test (sourced, never run).
#
#   . tests/lib/docker.sh
#   docker_up          start dockerd, import the busybox image, make the
#                      networks; exits 77 ("SKIP: why") where it cannot
#   docker_run NAME NETWORK [IP]   a busybox container that sleeps
#   docker_pid NAME    the pid of a container's main process
#   dk ARGS...         the docker client, talking to this daemon only
#
# Everything lives under one mktemp directory: --data-root, --exec-root,
# the socket (-H unix://$DK_DIR/docker.sock, exported as DOCKER_HOST for
# hopscope) and the pid file. The daemon runs with --storage-driver vfs,
# --bridge none (no default bridge), --iptables=false, --ip6tables=false,
# --ip-forward=false (the host's forwarding is not its to turn on):
# it changes nothing on the host but what the test asks for. The image is
# made here, from busybox-static's /bin/busybox (nothing is pulled).
#
# Networks: $DK_BRIDGE (a Linux bridge named ${DK_TAG}br, subnet
# $DK_NET.0/25, gateway .1) and $DK_MACVLAN (macvlan in bridge mode,
# subnet $DK_NET.128/25, its parent ${DK_TAG}p0: a veth the test made in
# the host namespace whose peer ${DK_TAG}p1 is up, so it has a carrier).
# DK_NET is 198.19.N with N from the pid: subnets of parallel tests differ.
#
# The exit trap (chained before the one already set, e.g. lib.sh's)
# removes every container and network, stops the daemon by the pid in its
# pid file, deletes the veth and the directory. Nothing stays behind.

DK_TAG="hs$$"
DK_DIR=
DK_PID=
DK_NET="198.19.$(($$ % 200 + 20))"
DK_BRIDGE="${DK_TAG}_bridge"
DK_MACVLAN="${DK_TAG}_macvlan"
DK_IMAGE="hs-busybox:test"
DK_START_SECONDS=${DK_START_SECONDS:-60}

dk() { docker -H "unix://$DK_DIR/docker.sock" "$@"; }

docker_down() {
	local c n i
	[ -n "$DK_DIR" ] || return 0
	if [ -n "$DK_PID" ] && kill -0 "$DK_PID" 2>/dev/null; then
		c=$(dk ps -aq 2>/dev/null || true)
		# shellcheck disable=SC2086
		[ -z "$c" ] || dk rm -f $c >/dev/null 2>&1 || true
		for n in "$DK_BRIDGE" "$DK_MACVLAN"; do
			dk network rm "$n" >/dev/null 2>&1 || true
		done
		kill -TERM "$DK_PID" 2>/dev/null || true
		# dockerd stops its containerd and unmounts, then exits
		for i in $(seq 1 300); do
			kill -0 "$DK_PID" 2>/dev/null || break
			[ "$i" -lt 300 ] || kill -KILL "$DK_PID" 2>/dev/null || true
			sleep 0.1
		done
	fi
	DK_PID=
	ip link del "${DK_TAG}p0" 2>/dev/null || true
	ip link del "${DK_TAG}br" 2>/dev/null || true
	# whatever the daemon left mounted under its own directory
	{ grep -F " $DK_DIR/" /proc/mounts || true; } | awk '{print $2}' |
		sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
	rm -rf --one-file-system "$DK_DIR" || true
	DK_DIR=
}

dk_on_exit() {
	local rc=$?
	# errexit off: with it, the "(exit $rc)" that hands the status on to
	# the previous trap would end the shell there when rc is not 0, and
	# that trap (the test's own clean-up) would never run
	set +e
	docker_down
	(exit $rc)
	eval "$DK_PREV_TRAP"
}
DK_PREV_TRAP=$(trap -p EXIT | sed -n "s/^trap -- '\(.*\)' EXIT\$/\1/p")
trap dk_on_exit EXIT

dk_skip() {
	echo "SKIP: $*" >&2
	exit 77
}

# The image: bin/busybox and the applets the tests use, as symlinks.
dk_image() {
	local root=$DK_DIR/rootfs a
	local busybox
	busybox=$(command -v busybox || true)
	[ -n "$busybox" ] && file -L "$busybox" 2>/dev/null | grep -q static ||
		busybox=/bin/busybox
	[ -x "$busybox" ] || dk_skip "no busybox (Debian's busybox-static) to make the image"
	mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/proc" "$root/sys" "$root/dev"
	cp "$busybox" "$root/bin/busybox"
	for a in sh sleep nc ping ip cat echo ls true ifconfig; do
		ln -sf busybox "$root/bin/$a"
	done
	tar -C "$root" -cf "$DK_DIR/rootfs.tar" .
	dk import "$DK_DIR/rootfs.tar" "$DK_IMAGE" >/dev/null
}

# The macvlan's parent: a veth of ours whose peer is up (a carrier).
dk_parent() {
	ip link add "${DK_TAG}p0" type veth peer name "${DK_TAG}p1"
	ip link set "${DK_TAG}p1" up
	ip link set "${DK_TAG}p0" up
}

docker_up() {
	local i
	[ "$(id -u)" -eq 0 ] || dk_skip "a Docker Engine needs root"
	command -v dockerd >/dev/null && command -v docker >/dev/null ||
		dk_skip "no dockerd (Debian's docker.io)"
	DK_DIR=$(mktemp -d /tmp/hsdk.XXXXXX)
	# one namespace of mount points: the daemon's own
	dockerd --data-root "$DK_DIR/data" --exec-root "$DK_DIR/exec" \
		-H "unix://$DK_DIR/docker.sock" --pidfile "$DK_DIR/docker.pid" \
		--storage-driver vfs --bridge none --iptables=false \
		--ip6tables=false --ip-masq=false --userland-proxy=false \
		--ip-forward=false \
		>"$DK_DIR/dockerd.log" 2>&1 &
	DK_PID=$!
	for i in $(seq 1 $((DK_START_SECONDS * 10))); do
		dk version >/dev/null 2>&1 && break
		kill -0 "$DK_PID" 2>/dev/null ||
			dk_skip "dockerd did not start: $(tail -n 3 "$DK_DIR/dockerd.log" | tr '\n' ' ')"
		[ "$i" -lt $((DK_START_SECONDS * 10)) ] ||
			dk_skip "dockerd did not answer within ${DK_START_SECONDS} s"
		sleep 0.1
	done
	export DOCKER_HOST="unix://$DK_DIR/docker.sock"
	dk_image
	dk network create --driver bridge --subnet "$DK_NET.0/25" \
		--gateway "$DK_NET.1" \
		-o com.docker.network.bridge.name="${DK_TAG}br" \
		-o com.docker.network.bridge.enable_ip_masquerade=false \
		"$DK_BRIDGE" >/dev/null
	dk_parent
	dk network create --driver macvlan --subnet "$DK_NET.128/25" \
		-o parent="${DK_TAG}p0" -o macvlan_mode=bridge \
		"$DK_MACVLAN" >/dev/null
}

# docker_run NAME NETWORK [IP]: a container that sleeps, bounded:
# DK_SLEEP_S seconds (10 min unless the test needs longer, as a soak does).
docker_run() {
	dk run -d --name "$1" --network "$2" ${3:+--ip "$3"} \
		"$DK_IMAGE" sleep "${DK_SLEEP_S:-600}" >/dev/null
}

docker_pid() { dk inspect -f '{{.State.Pid}}' "$1"; }
