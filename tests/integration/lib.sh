# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# lib.sh - shared by the integration tests (sourced, never run).
#
# Each test gets its own namespace prefix hs<pid>_ (so parallel runs never
# collide) and an exit trap that stops what it started, by pid, and removes
# its namespaces. Traffic is bounded in packets and seconds and stays in
# 198.18.0.0/15 inside those namespaces.
set -euo pipefail

BUILD=${BUILD:-build}
HOPSCOPE=$BUILD/hopscope
TESTBED=scripts/testbed.sh
PREFIX="hs$$_"
WORK=$(mktemp -d "/tmp/hopscope-test.XXXXXX")
HS_PID=
HS_MORE_PIDS=() # further hopscope runs of the test, by pid
PORT=7777

cleanup() {
	local rc=$? pid
	for pid in $HS_PID "${HS_MORE_PIDS[@]}"; do
		if kill -0 "$pid" 2>/dev/null; then
			kill -KILL "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		fi
	done
	"$TESTBED" down "$PREFIX" || true
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT
# a signal ends the test through its exit trap too (a reader that went
# away, Ctrl-C, the runner's timeout): nothing it started stays behind
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }
note() { echo "  $*" >&2; }

# expect STATUS TEXT -- ARGS...: the command exits STATUS with exactly one
# line on stderr, and that line holds TEXT
expect() {
	local want=$1 text=$2 rc=0
	shift 3
	"$@" >"$WORK/out" 2>"$WORK/err" </dev/null || rc=$?
	[ "$rc" -eq "$want" ] || fail "'$*' exited $rc, expected $want: $(cat "$WORK/err")"
	grep -qF -- "$text" "$WORK/err" || fail "'$*': stderr lacks '$text': $(cat "$WORK/err")"
	[ "$(wc -l <"$WORK/err")" -eq 1 ] || fail "'$*': not one line on stderr: $(cat "$WORK/err")"
	note "$rc: $(cat "$WORK/err")"
}

require_root() { [ "$(id -u)" -eq 0 ] || skip "needs root"; }

# start_hopscope NPOINTS ARGS...: runs hopscope with JSON lines into a
# FIFO and returns once every probe is attached (the "point" lines come
# after the last attach), with no sleeping: a blocking read on the FIFO.
# The JSON stream is copied to $WORK/out.jsonl, stderr to $WORK/err.
# With HS_IN_NETNS set, hopscope runs in that (test) namespace; with
# HS_COMMAND set (agent), that command instead of run.
start_hopscope() {
	start_named out "$@"
	HS_PID=$START_PID
	COPY_PID=$START_COPY_PID
}

# start_named NAME NPOINTS ARGS...: the same for a further run alongside:
# $WORK/NAME.jsonl ($WORK/table and $WORK/err for "out", else
# $WORK/NAME.table and $WORK/NAME.err); its pids in START_PID and
# START_COPY_PID, killed by the exit trap if still running.
start_named() {
	local name=$1 npoints=$2 line seen=0 table=$WORK/table err=$WORK/err
	shift 2
	[ "$name" = out ] || { table=$WORK/$name.table; err=$WORK/$name.err; }
	rm -f "$WORK/$name.fifo"
	mkfifo "$WORK/$name.fifo"
	${HS_IN_NETNS:+ip netns exec "$HS_IN_NETNS"} \
		"$HOPSCOPE" "${HS_COMMAND:-run}" --json "$WORK/$name.fifo" "$@" >"$table" 2>"$err" &
	START_PID=$!
	HS_MORE_PIDS+=("$START_PID")
	exec 3<"$WORK/$name.fifo"
	: >"$WORK/$name.jsonl"
	while [ "$seen" -lt "$npoints" ]; do
		IFS= read -r -t 30 line <&3 || {
			cat "$err" >&2
			fail "hopscope did not attach its $npoints points"
		}
		printf '%s\n' "$line" >>"$WORK/$name.jsonl"
		case "$line" in *'"type":"point"'*) seen=$((seen + 1)) ;; esac
	done
	# keep copying in the background until hopscope closes the FIFO
	cat <&3 >>"$WORK/$name.jsonl" &
	START_COPY_PID=$!
	exec 3<&-
}

# stop_hopscope SIGNAL: signal hopscope, wait for it, return its status.
stop_hopscope() {
	local rc=0
	kill "-$1" "$HS_PID"
	wait "$HS_PID" || rc=$?
	wait "$COPY_PID" || true
	HS_PID=
	return $rc
}

# wait_hopscope: wait for a hopscope with --duration to end by itself.
wait_hopscope() {
	local rc=0
	wait "$HS_PID" || rc=$?
	wait "$COPY_PID" || true
	HS_PID=
	return $rc
}

point_id() { # point_id NETNS IFNAME HOOK
	jq -r --arg ns "$1" --arg ifn "$2" --arg hook "$3" \
		'select(.type=="point" and .netns==$ns and .ifname==$ifn and .hook==$hook) | .id' \
		"$WORK/out.jsonl"
}

final_hop() { # final_hop FROM TO -> the final hop object
	jq -c --argjson f "$1" --argjson t "$2" \
		'select(.type=="hop" and .final and .from==$f and .to==$t)' "$WORK/out.jsonl"
}

send_udp() { # send_udp NS DST RATE COUNT
	ip netns exec "$1" "$BUILD/tests/udpgen" "$2" "$PORT" "$3" "$4" 20 >/dev/null
}

# udp_arrived NS: UDP datagrams that reached the namespace's UDP layer,
# delivered or not (no socket, bad checksum), IPv4 and IPv6. A datagram
# counts there only after XDP and tc ingress have run on it, so its record
# is in the ring buffer by then; an interface's rx_packets counts it
# earlier, when the peer queues it, and the probe may not have run yet.
udp_arrived() {
	ip netns exec "$1" awk '
		$1 == "Udp:" && $2 ~ /^[0-9]+$/ { n += $2 + $3 + $4 }
		$1 ~ /^Udp6(InDatagrams|NoPorts|InErrors)$/ { n += $2 }
		END { print n + 0 }' /proc/net/snmp /proc/net/snmp6
}

# wait_udp NS FROM COUNT: until COUNT datagrams more than FROM have reached
# the namespace's UDP layer, 5 s at most. udpgen returns once it has sent;
# a chain that spins milliseconds per hop still holds the last packets,
# and stopping hopscope then would miss them at the last points.
wait_udp() {
	local i
	for i in $(seq 50); do
		[ $(($(udp_arrived "$1") - $2)) -lt "$3" ] || return 0
		sleep 0.1
	done
	note "$1 received $(($(udp_arrived "$1") - $2)) of $3 datagrams within 5 s"
}

# hopscope programs attached through clsact in a namespace (the fallback
# path; Debian's bpftool 7.1 does not list TCX links there)
clsact_in() {
	ip netns exec "$1" bpftool net show 2>/dev/null | grep -E 'hs_(tc|xdp)' || true
}

# bpf_links that hold a program of the hopscope run whose JSON is FILE
# (the "point" lines carry prog_id): other runs on the machine never count
hs_links() { # hs_links [FILE]
	local ids links _
	ids=$(jq -r 'select(.type=="point") | .prog_id' "${1:-$WORK/out.jsonl}" | tr '\n' ',' | sed 's/,$//')
	[ -n "$ids" ] || { echo 0; return; }
	# bpftool gives up (exit 255) when a link of another run goes away
	# while it walks the list: the walk is taken again
	for _ in 1 2 3 4 5; do
		links=$(bpftool -j link show 2>/dev/null) && break
		links=
	done
	[ -n "$links" ] || fail "bpftool link show failed 5 times"
	jq --argjson ids "[$ids]" '[.[] | select(.prog_id as $p | $ids | index($p))] | length' <<<"$links"
}

# assert_caps PID MASK: once PID has dropped what it no longer needs (it
# does so as measuring starts: looked at for 2 s at most), its effective,
# permitted and bounding capability sets are each MASK (hex, as
# /proc/PID/status writes them)
assert_caps() {
	local pid=$1 want=$2 set got
	for _ in $(seq 40); do
		[ "$(awk '/^CapEff/ { print $2 }' "/proc/$pid/status")" = "$want" ] && break
		sleep 0.05
	done
	for set in CapEff CapPrm CapBnd; do
		got=$(awk -v s="$set:" '$1 == s { print $2 }' "/proc/$pid/status")
		[ "$got" = "$want" ] || fail "$set of hopscope ($pid) is $got, expected $want"
	done
}

assert_nothing_attached() { # assert_nothing_attached [JSON FILE of the run]
	local ns left n
	for ns in $(ip netns list | awk '{print $1}' | grep "^${PREFIX}" || true); do
		left=$(clsact_in "$ns")
		[ -z "$left" ] || fail "still attached in $ns after exit: $left"
	done
	if [ -s "${1:-$WORK/out.jsonl}" ]; then
		n=$(hs_links "${1:-}")
		[ "$n" -eq 0 ] || fail "$n hopscope bpf_links left after exit"
	fi
}
