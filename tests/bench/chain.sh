#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# chain.sh [--quick] [--rounds N] [--seconds D] - what measuring a chain of
# network functions costs, and how much the measuring moves what it
# measures (issue 5, parts 2 and 3). Run as root from anywhere in the
# repository; never part of `make check` (timings on a shared machine are
# for reading, not pass/fail).
#
# On a chain of three functions joined by veth pairs (scripts/testbed.sh up
# PREFIX 3: snd -> vnf1 -> vnf2 -> vnf3 -> rcv, receiver 198.18.3.2):
#
#  1. throughput: 64-byte UDP frames at the highest rate one sender thread
#     reaches (tests/tools/udpblast, sendmmsg batches of 64), D seconds a
#     run (3, --quick 1), with no probes, hopscope recording every packet at
#     every hop, the same with --hooks ingress (tc ingress only, 8 points
#     instead of 16), hopscope sampling 1 in 64, hopscope filtering every packet
#     out (the hooks' own cost; not with --quick) and tcpdump writing pcap
#     on all 8 interfaces, and the floor: an empty tc program at the 16 hooks
#     hopscope takes (clsact). Per variant: packets a second at the receiver's
#     eth0, also per CPU-second of the sender (whose context carries every
#     hop: the datapath's speed, whatever else runs); CPU time per received
#     packet, of all CPUs from /proc/stat (user, system, softirq) and of
#     this benchmark's own processes (/proc/PID/stat, getrusage), which
#     another load on the machine leaves alone; records or captures dropped;
#     and each variant's ratio to "no probes" round by round. The targets of
#     issue 5 are printed met or missed.
#  2. distortion: 1000 packets a second (tests/tools/udpgen; 3000, --quick
#     1000) and the p50 and p99 delay of two hops, the wire vnf1:eth1 ->
#     vnf2:eth0 and vnf2's function hop eth0 -> eth1, as hopscope measures
#     them (default, and --wakeup every) and as tcpdump's own timestamps
#     give them (tests/tools/pcapdelay joins the pcaps by sequence number).
#
# Variants alternate within every round (A B C D A B C D ...; 5 rounds,
# --quick 2) and results are medians over rounds with the first and third
# quartile: another load on the machine then falls on every variant alike,
# as far as it can. Probes and captures are started, and waited for until
# ready, before the timed window opens. The stream ends at a socket never
# read (tests/tools/udpsink), not in ICMP errors sent back up the chain.
#
# Output: a table on stdout; with BENCH_JSON set, one JSON object per result
# appended to that file. Exit 0 when measured (targets met or not), 77 when
# it cannot run here (not root, no tcpdump), 1 on failure, 2 on bad usage.
#
# NETWORK SAFETY: every packet stays inside the namespaces hs<pid>_* this
# script creates and removes in its exit trap, addresses 198.18.0.0/15 only;
# nothing is attached to or captured on an interface it did not create;
# every stream is bounded in packets and seconds; every process it starts is
# stopped by its pid.
set -euo pipefail

usage() {
	echo "usage: chain.sh [--quick] [--rounds N] [--seconds D]   (as root; BENCH_JSON=FILE appends JSON lines)"
	echo "  --quick: 2 rounds of 1 s, 1000 packets for the delays (default: 5 rounds of 3 s, 3000 packets)"
}

QUICK='' OPT_ROUNDS='' OPT_SECONDS=''
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) QUICK=1 ;;
	--rounds)
		[[ "${2:-}" =~ ^[1-9][0-9]?$ ]] || { echo "chain: bad --rounds '${2:-}': 1 to 99" >&2; exit 2; }
		OPT_ROUNDS=$2
		shift
		;;
	--seconds)
		[[ "${2:-}" =~ ^[1-9][0-9]?$ ]] || { echo "chain: bad --seconds '${2:-}': 1 to 99" >&2; exit 2; }
		OPT_SECONDS=$2
		shift
		;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done

skip() { echo "SKIP: chain: $*" >&2; exit 77; }
die() { echo "chain: error: $*" >&2; exit 1; }
note() { echo "chain: $*" >&2; }

[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, BPF, tcpdump)"
command -v tcpdump >/dev/null || skip "tcpdump is not installed (scripts/install-deps.sh installs it)"
for c in jq ip timeout make getconf; do
	command -v "$c" >/dev/null || skip "$c is not installed (scripts/install-deps.sh)"
done

cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
HOPSCOPE=$BUILD/hopscope
TESTBED=scripts/testbed.sh
make -s --no-print-directory OUTPUT="$BUILD" "$HOPSCOPE" "$BUILD/tests/udpblast" "$BUILD/tests/empty.bpf.o" \
	"$BUILD/tests/udpgen" "$BUILD/tests/udpsink" "$BUILD/tests/pcapdelay" >&2 ||
	die "cannot build hopscope and the benchmark's tools (make failed)"

TP_VARIANTS=(none empty hs_all hs_ingress hs_s64 tcpdump)
if [ -n "$QUICK" ]; then
	D=1 ROUNDS=2 LOW_COUNT=1000 IDLE_SECS=0.5
else
	D=3 ROUNDS=5 LOW_COUNT=3000 IDLE_SECS=1
	# where the hooks' own cost ends and the probe's work begins; left
	# out of --quick for time
	TP_VARIANTS=(none empty hs_all hs_ingress hs_s64 hs_filtered tcpdump)
fi
ROUNDS=${OPT_ROUNDS:-$ROUNDS}
D=${OPT_SECONDS:-$D}
LOW_RATE=1000
PORT=7781
OTHER_PORT=7782 # a stream that never flows
DST=198.18.3.2
# udpblast stops at D seconds; the count only bounds it further
BLAST_COUNT=100000000
# points --between snd and rcv takes on 3 veth-joined functions: tc ingress
# and egress on each of 8 interfaces
NPOINTS=16
# the 8 interfaces of the chain, as NODE:IFNAME
CHAIN_IFS="snd:eth0 vnf1:eth0 vnf1:eth1 vnf2:eth0 vnf2:eth1 vnf3:eth0 vnf3:eth1 rcv:eth0"
NS_PER_TICK=$((1000000000 / $(getconf CLK_TCK)))
NCPUS=$(getconf _NPROCESSORS_ONLN)

PREFIX="hs$$_"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hopscope-chain.XXXXXX")
PIDS=() # every background process started here, stopped by pid in the trap

alive() { # alive PID: running and not a zombie
	local st
	st=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

cleanup() {
	local rc=$? pid
	trap - EXIT INT TERM
	for pid in "${PIDS[@]}"; do
		if alive "$pid"; then
			kill -KILL "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		fi
	done
	"$TESTBED" down "$PREFIX" || rc=1
	rm -rf -- "$WORK"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_pid PID SECONDS: wait for a process started here to end, at most
# SECONDS (then it is killed, status 124); its exit status otherwise
wait_pid() {
	local pid=$1 ticks=$(($2 * 50)) rc=0
	while alive "$pid"; do
		if [ "$ticks" -le 0 ]; then
			kill -KILL "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
			return 124
		fi
		sleep 0.02
		ticks=$((ticks - 1))
	done
	wait "$pid" 2>/dev/null || rc=$?
	return "$rc"
}

# stop_pid PID SIGNAL SECONDS: signal a process started here and wait for it
stop_pid() {
	kill "-$2" "$1" 2>/dev/null || true
	wait_pid "$1" "$3"
}

rx_packets() { # what reached the receiver's eth0 (its namespace's sysfs)
	timeout 10 ip netns exec "${PREFIX}rcv" cat /sys/class/net/eth0/statistics/rx_packets
}

# ---- hopscope, started as the integration tests do: JSON lines into a
# FIFO, ready once all its "point" lines came (they come after the last
# attach), read with a bounded wait
HS_PID='' COPY_PID=''
# start_hopscope NAME FILTER_PORT ARGS... -> $WORK/NAME.jsonl
start_hopscope() {
	local name=$1 fifo=$WORK/$1.fifo seen=0 line part='' waited=0 fport=$2
	local want=$NPOINTS
	shift 2
	# one point a device instead of two
	case " $* " in *" --hooks ingress "*) want=$((NPOINTS / 2)) ;; esac
	rm -f "$fifo"
	mkfifo "$fifo"
	"$HOPSCOPE" run --between "${PREFIX}snd" "${PREFIX}rcv" --filter "udp and port $fport" \
		--interval 0 --json "$fifo" "$@" >"$WORK/$name.table" 2>"$WORK/$name.err" &
	HS_PID=$!
	PIDS+=("$HS_PID")
	CONSUMERS=("$HS_PID")
	# fd 4 holds the FIFO open for writing too, so neither open blocks
	# and a hopscope that fails before opening it is noticed by the
	# timeouts below instead of hanging this script
	# shellcheck disable=SC2094 # both ends of one FIFO, on purpose
	exec 4<>"$fifo" 3<"$fifo"
	: >"$WORK/$name.jsonl"
	while [ "$seen" -lt "$want" ]; do
		if IFS= read -r -t 1 line <&3; then
			line=$part$line
			part=
			printf '%s\n' "$line" >>"$WORK/$name.jsonl"
			case "$line" in *'"type":"point"'*) seen=$((seen + 1)) ;; esac
			continue
		fi
		part=$part$line # a line cut by the timeout goes on in the next read
		waited=$((waited + 1))
		if ! alive "$HS_PID" || [ "$waited" -ge 60 ]; then
			exec 3<&- 4>&-
			die "hopscope did not attach its $NPOINTS points within 60 s: $(tail -3 "$WORK/$name.err" | tr '\n' ' ')"
		fi
	done
	exec 4>&-
	# copy the rest until hopscope closes the FIFO
	cat <&3 >>"$WORK/$name.jsonl" &
	COPY_PID=$!
	PIDS+=("$COPY_PID")
	exec 3<&-
}

stop_hopscope() { # stop_hopscope NAME: SIGINT, the final report, exit 0
	local rc=0 user
	# the collector's user time over its life, all but its final report:
	# what reading, merging, matching and folding the records cost it
	read -r user _ <<<"$(proc_times "$HS_PID")"
	HS_USER_NS=$((user * NS_PER_TICK))
	stop_pid "$HS_PID" INT 60 || rc=$?
	wait_pid "$COPY_PID" 10 || true
	[ "$rc" -eq 0 ] || die "hopscope ($1) exited with status $rc: $(tail -3 "$WORK/$1.err" | tr '\n' ' ')"
}

hs_extras() { # hs_extras NAME: drops, records and the probes' cost, as JSON
	jq -s -c '{
		drops: ([.[] | select(.type == "counters" and .final) | .ringbuf_drops] | add // 0),
		recorded: ([.[] | select(.type == "counters" and .final) | .recorded] | add // 0),
		evicted: ([.[] | select(.type == "pipeline" and .final) | .evicted] | add // 0),
		probe: ([.[] | select(.type == "probe_cost") | {key: .hook, value: .ns_per_packet}] | from_entries)
	}' "$WORK/$1.jsonl"
}

# ---- tcpdump, one per interface inside its namespace, writing pcap with
# nanosecond timestamps. -Z root: tcpdump would otherwise open its output
# file as user tcpdump, after dropping root, and this directory is root's.
TD_PIDS=() TD_NAMES=()
start_tcpdumps() { # start_tcpdumps NAME NODE:IF...
	local name=$1 nsif ns ifn f i waited
	shift
	TD_PIDS=() TD_NAMES=()
	CONSUMERS=()
	for nsif in "$@"; do
		ns=${nsif%%:*} ifn=${nsif#*:} f=$WORK/$name-$ns-$ifn
		ip netns exec "$PREFIX$ns" tcpdump -Z root -i "$ifn" -w "$f.pcap" \
			--time-stamp-precision=nano -n -q "udp port $PORT" 2>"$f.err" &
		PIDS+=("$!")
		TD_PIDS+=("$!")
		CONSUMERS+=("$!")
		TD_NAMES+=("$f")
	done
	# ready once each has said "listening on" (its filter is in place)
	for i in "${!TD_PIDS[@]}"; do
		waited=0
		until grep -q "listening on" "${TD_NAMES[i]}.err" 2>/dev/null; do
			if ! alive "${TD_PIDS[i]}" || [ "$waited" -ge 1000 ]; then
				die "tcpdump did not start within 20 s (${TD_NAMES[i]##*/}): $(tail -2 "${TD_NAMES[i]}.err" | tr '\n' ' ')"
			fi
			sleep 0.02
			waited=$((waited + 1))
		done
	done
}

# stop_tcpdumps: SIGINT each, wait; sets TD_DROPPED, TD_CAPTURED,
# TD_RECEIVED (sums of what each printed on exit)
stop_tcpdumps() {
	local i f rc n
	TD_DROPPED=0 TD_CAPTURED=0 TD_RECEIVED=0
	for i in "${!TD_PIDS[@]}"; do kill -INT "${TD_PIDS[i]}" 2>/dev/null || true; done
	for i in "${!TD_PIDS[@]}"; do
		f=${TD_NAMES[i]}
		rc=0
		wait_pid "${TD_PIDS[i]}" 20 || rc=$?
		[ "$rc" -eq 0 ] || die "tcpdump (${f##*/}) exited with status $rc: $(tail -2 "$f.err" | tr '\n' ' ')"
		n=$(sed -n 's/^\([0-9][0-9]*\) packets dropped by kernel$/\1/p' "$f.err")
		[ -n "$n" ] || die "no 'packets dropped by kernel' in tcpdump's report (${f##*/})"
		TD_DROPPED=$((TD_DROPPED + n))
		n=$(sed -n 's/^\([0-9][0-9]*\) packets captured$/\1/p' "$f.err")
		TD_CAPTURED=$((TD_CAPTURED + ${n:-0}))
		n=$(sed -n 's/^\([0-9][0-9]*\) packets received by filter$/\1/p' "$f.err")
		TD_RECEIVED=$((TD_RECEIVED + ${n:-0}))
	done
}

# tcpdump reads its ring in blocks the kernel hands over when full or after
# tcpdump's 1 s timeout: packets of a slow stream wait there up to 1 s, and
# those still waiting at SIGINT are never written. Give the last block
# time to come out before stopping it.
TD_BLOCK_WAIT=1.2

# proc_times PID: "user system" clock ticks the process used so far (all
# its threads), "0 0" once it is gone
proc_times() {
	local line= f
	read -r line <"/proc/$1/stat" 2>/dev/null || true
	[ -n "$line" ] || { echo "0 0"; return; }
	# the fields after "pid (comm) ": utime and stime are the 12th and 13th
	read -r -a f <<<"${line##*) }"
	echo "${f[11]} ${f[12]}"
}

# proc_ticks PID...: user + system clock ticks the processes used so far
proc_ticks() {
	local pid u s sum=0
	for pid in "$@"; do
		read -r u s <<<"$(proc_times "$pid")"
		sum=$((sum + u + s))
	done
	echo "$sum"
}

# The kernel threads that take over softirq work when it runs long: part of
# the packets' cost, whoever else runs on the machine.
KSOFTIRQD=()
for d in /proc/[0-9]*; do
	comm=
	read -r comm <"$d/comm" 2>/dev/null || true
	case "$comm" in ksoftirqd/*) KSOFTIRQD+=("${d#/proc/}") ;; esac
done
CONSUMERS=() # the running variant's hopscope or tcpdumps

# ---- one stream at the sender's top rate, timed: sets M_SENT, M_SECS,
# M_RX, the CPU ticks of /proc/stat M_USER, M_SYSTEM, M_SOFTIRQ, M_IRQ,
# M_IDLE, M_STEAL, and M_OWN_NS: the CPU time of this benchmark's own
# processes (sender, hopscope or tcpdumps, ksoftirqd), which another load
# on the machine does not change
measure_blast() {
	local rx0 rx1 out c0 c1 own0 own1 bu bs
	rx0=$(rx_packets) || die "cannot read ${PREFIX}rcv's eth0 rx_packets"
	own0=$(proc_ticks "${CONSUMERS[@]}" "${KSOFTIRQD[@]}")
	read -r -a c0 </proc/stat
	out=$(timeout $((D + 20)) ip netns exec "${PREFIX}snd" "$BUILD/tests/udpblast" \
		"$DST" "$PORT" "$BLAST_COUNT" "$D" 64) || die "udpblast failed (status $?)"
	read -r -a c1 </proc/stat
	own1=$(proc_ticks "${CONSUMERS[@]}" "${KSOFTIRQD[@]}")
	rx1=$(rx_packets) || die "cannot read ${PREFIX}rcv's eth0 rx_packets"
	read -r M_SENT M_SECS bu bs <<<"$out"
	[ -n "$bs" ] || die "udpblast printed '$out'"
	M_SENDER_NS=$(jq -n "($bu + $bs) * 1e9 | round")
	M_OWN_NS=$(jq -n "($own1 - $own0) * $NS_PER_TICK + $M_SENDER_NS")
	M_RX=$((rx1 - rx0))
	# /proc/stat's cpu line: user nice system idle iowait irq softirq steal
	M_USER=$((c1[1] + c1[2] - c0[1] - c0[2]))
	M_SYSTEM=$((c1[3] - c0[3]))
	M_IDLE=$((c1[4] + c1[5] - c0[4] - c0[5]))
	M_IRQ=$((c1[6] - c0[6]))
	M_SOFTIRQ=$((c1[7] - c0[7]))
	M_STEAL=$((c1[8] - c0[8]))
	[ "$M_RX" -gt 0 ] || die "nothing reached the receiver (sent $M_SENT)"
}

# record_blast FILE VARIANT ROUND EXTRAS_JSON: one run's numbers as a JSON line
record_blast() {
	jq -n -c --arg v "$2" --argjson r "$3" --argjson extra "$4" \
		--argjson sent "$M_SENT" --argjson secs "$M_SECS" --argjson rx "$M_RX" \
		--argjson user "$M_USER" --argjson system "$M_SYSTEM" --argjson softirq "$M_SOFTIRQ" \
		--argjson irq "$M_IRQ" --argjson idle "$M_IDLE" --argjson steal "$M_STEAL" \
		--argjson own "$M_OWN_NS" --argjson sender "$M_SENDER_NS" \
		'{variant: $v, round: $r, sent: $sent, secs: $secs, rx: $rx, own_ns: $own, sender_ns: $sender,
		  ticks: {user: $user, system: $system, softirq: $softirq, irq: $irq,
			  idle: $idle, steal: $steal}} + $extra' >>"$1"
}

# The floor of any probe on the chain: the empty tc program (returns
# TC_ACT_UNSPEC) at both hooks of each of the 8 interfaces, the 16 hooks
# hopscope's probes take, as clsact filters of a qdisc made here and
# removed again (the interfaces are this script's)
attach_empty() {
	local nsif ns ifn dir
	for nsif in $CHAIN_IFS; do
		ns=${PREFIX}${nsif%%:*} ifn=${nsif#*:}
		ip netns exec "$ns" tc qdisc add dev "$ifn" clsact || die "no clsact on $ns:$ifn"
		for dir in ingress egress; do
			ip netns exec "$ns" tc filter add dev "$ifn" "$dir" bpf direct-action \
				obj "$BUILD/tests/empty.bpf.o" sec tc ||
				die "cannot attach the empty program at $ns:$ifn $dir"
		done
	done
}

detach_empty() {
	local nsif
	for nsif in $CHAIN_IFS; do
		ip netns exec "${PREFIX}${nsif%%:*}" tc qdisc del dev "${nsif#*:}" clsact ||
			die "cannot remove the clsact qdisc of ${PREFIX}$nsif"
	done
}

throughput_run() { # throughput_run VARIANT ROUND
	local v=$1 r=$2 name=tp$2-$1 extra='{}' ifs=()
	CONSUMERS=()
	case "$v" in
	none)
		measure_blast
		;;
	empty)
		attach_empty
		measure_blast
		detach_empty
		;;
	hs_*)
		case "$v" in
		hs_all) start_hopscope "$name" "$PORT" ;;
		# the lighter set for production: tc ingress only, half the hooks
		hs_ingress) start_hopscope "$name" "$PORT" --hooks ingress ;;
		hs_s64) start_hopscope "$name" "$PORT" --sample 64 ;;
		# the cost of being attached at all: every packet parsed and
		# filtered out, as a probe for another stream would
		hs_filtered) start_hopscope "$name" "$OTHER_PORT" ;;
		esac
		measure_blast
		stop_hopscope "$name"
		extra=$(hs_extras "$name" | jq -c --argjson u "$HS_USER_NS" '. + {user_ns: $u}')
		;;
	tcpdump)
		read -r -a ifs <<<"$CHAIN_IFS"
		start_tcpdumps "$name" "${ifs[@]}"
		measure_blast
		stop_tcpdumps
		extra=$(jq -n -c --argjson d "$TD_DROPPED" --argjson c "$TD_CAPTURED" \
			--argjson rcv "$TD_RECEIVED" '{drops: $d, captured: $c, received: $rcv}')
		# 8 x ~70 bytes a packet: gone before the kernel writes them out
		rm -f "$WORK/$name"-*.pcap
		;;
	esac
	record_blast "$WORK/throughput.jsonl" "$v" "$r" "$extra"
	# the CPUs other loads took meanwhile: all busy time but this benchmark's
	printf '  round %d %-12s %8.0f pps  (other loads: %s CPUs)\n' "$r" "$v" "$(jq -n "$M_RX / $M_SECS")" \
		"$(jq -n "[(($M_USER + $M_SYSTEM + $M_SOFTIRQ + $M_IRQ) * $NS_PER_TICK - $M_OWN_NS) / ($M_SECS * 1e9), 0] | max * 100 | round / 100")" >&2
}

# ---- distortion: one paced stream, the two hops' p50 and p99
send_low() {
	timeout $((LOW_COUNT / LOW_RATE + 20)) ip netns exec "${PREFIX}snd" "$BUILD/tests/udpgen" \
		"$DST" "$PORT" "$LOW_RATE" "$LOW_COUNT" $((LOW_COUNT / LOW_RATE + 10)) >/dev/null ||
		die "udpgen failed (status $?)"
}

hs_hop() { # hs_hop NAME FROM_NODE FROM_IF FROM_HOOK TO_NODE TO_IF TO_HOOK
	jq -s -c --arg p "$PREFIX" --arg fn "$2" --arg fif "$3" --arg fh "$4" \
		--arg tn "$5" --arg ti "$6" --arg th "$7" '
		def id($n; $i; $h): [.[] | select(.type == "point" and .netns == ($p + $n) and
			.ifname == $i and .hook == $h) | .id][0];
		id($fn; $fif; $fh) as $from | id($tn; $ti; $th) as $to |
		[.[] | select(.type == "hop" and .final and .from == $from and .to == $to)][0] |
		if . == null then null
		else {count: .packets, p50: .delay_ns.p50, p99: .delay_ns.p99} end' "$WORK/$1.jsonl"
}

pcap_hop() { # pcap_hop FROM.pcap TO.pcap
	timeout 60 "$BUILD/tests/pcapdelay" "$1" "$2" "$PORT" |
		jq -c 'if .count > 0 then {count, p50: .p50_ns, p99: .p99_ns} else null end'
}

distortion_run() { # distortion_run VARIANT ROUND
	local v=$1 r=$2 name=ds$2-$1 wire fn drops=0
	case "$v" in
	hs | hs_every)
		if [ "$v" = hs_every ]; then
			start_hopscope "$name" "$PORT" --wakeup every
		else
			start_hopscope "$name" "$PORT"
		fi
		send_low
		stop_hopscope "$name"
		if ! wire=$(hs_hop "$name" vnf1 eth1 tc-egress vnf2 eth0 tc-ingress) ||
			! fn=$(hs_hop "$name" vnf2 eth0 tc-ingress vnf2 eth1 tc-egress) ||
			! drops=$(hs_extras "$name" | jq .drops); then
			die "cannot read hopscope's JSON ($name.jsonl)"
		fi
		;;
	tcpdump)
		start_tcpdumps "$name" vnf1:eth1 vnf2:eth0 vnf2:eth1
		send_low
		sleep "$TD_BLOCK_WAIT"
		stop_tcpdumps
		drops=$TD_DROPPED
		wire=$(pcap_hop "$WORK/$name-vnf1-eth1.pcap" "$WORK/$name-vnf2-eth0.pcap") ||
			die "pcapdelay failed on the wire's captures (round $r)"
		fn=$(pcap_hop "$WORK/$name-vnf2-eth0.pcap" "$WORK/$name-vnf2-eth1.pcap") ||
			die "pcapdelay failed on the function's captures (round $r)"
		;;
	esac
	case "$wire" in '' | null) die "no delay for the wire vnf1:eth1 -> vnf2:eth0 ($v, round $r)" ;; esac
	case "$fn" in '' | null) die "no delay for vnf2's function hop ($v, round $r)" ;; esac
	jq -n -c --arg v "$v" --argjson r "$r" --argjson wire "$wire" --argjson fn "$fn" \
		--argjson drops "$drops" \
		'{variant: $v, round: $r, wire: $wire, function: $fn, drops: $drops}' \
		>>"$WORK/distortion.jsonl"
	printf '  round %d %-8s wire p50 %6s ns, function p50 %6s ns\n' "$r" "$v" \
		"$(jq .p50 <<<"$wire")" "$(jq .p50 <<<"$fn")" >&2
}

# ---- the results: medians over rounds, quartiles, ratios round by round
read -r -d '' AGGREGATE <<'JQ' || true
def q($p): sort | length as $n |
	if $n == 0 then null
	else (($n - 1) * $p) as $x | ($x | floor) as $i |
		if $i + 1 < $n then .[$i] + ($x - $i) * (.[$i + 1] - .[$i]) else .[$i] end
	end;
def stat: {value: q(0.5), q1: q(0.25), q3: q(0.75)};
def r($d): if . == null then null else (. * pow(10; $d) | round) / pow(10; $d) end;
def rstat($d): {value: (.value | r($d)), q1: (.q1 | r($d)), q3: (.q3 | r($d))};
def tp_label: {none: "no probes", empty: "empty tc programs at the 16 hooks",
	hs_all: "hopscope, every packet at every hop",
	hs_ingress: "hopscope --hooks ingress",
	hs_s64: "hopscope, 1 in 64 sampled", hs_filtered: "hopscope, all filtered out",
	tcpdump: "tcpdump on 8 interfaces"}[.];
def ds_label: {hs: "hopscope (default wakeup)", hs_every: "hopscope --wakeup every",
	tcpdump: "tcpdump timestamps (pcap)"}[.];
def base: {bench: "chain"};

($tp | map(. + {pps: (.rx / .secs), sent_pps: (.sent / .secs),
	user: (.ticks.user * $nspt / .rx), system: (.ticks.system * $nspt / .rx),
	softirq: (.ticks.softirq * $nspt / .rx), own: (.own_ns / .rx),
	sender_pps: (.rx / (.sender_ns / 1e9)),
	# ticks are sampled: a small negative is none
	other_cpus: ([((.ticks.user + .ticks.system + .ticks.softirq + .ticks.irq) * $nspt - .own_ns) /
		(.secs * 1e9), 0] | max)} |
	. + {cpu: (.user + .system + .softirq)})) as $runs |
($runs | map(select(.variant == "none")) | map({key: (.round | tostring), value: .}) | from_entries) as $none |
($runs | map(select(.variant == "empty")) | map({key: (.round | tostring), value: .}) | from_entries) as $empty |
($runs | map(select(.variant != "none" and $none[.round | tostring] != null) |
	. + (if $empty[.round | tostring] != null and .variant != "empty" then
		{pps_ratio_floor: (.pps / $empty[.round | tostring].pps),
		 cpu_over_floor: (.cpu - $empty[.round | tostring].cpu)} else {} end) |
	. + {pps_ratio: (.pps / $none[.round | tostring].pps),
	     cpu_ratio: (.cpu / $none[.round | tostring].cpu),
	     cpu_over: (.cpu - $none[.round | tostring].cpu),
	     own_over: (.own - $none[.round | tostring].own),
	     sender_ratio: (.sender_pps / $none[.round | tostring].sender_pps)})) as $rel |

# throughput: per variant
($variants[] as $v |
	($runs | map(select(.variant == $v))) as $rs |
	($rel | map(select(.variant == $v))) as $rl |
	(base + {section: "throughput", name: ($v | tp_label), variant: $v, metric: "rx_pps",
		unit: "pps", rounds: ($rs | length),
		sent_pps: ($rs | map(.sent_pps) | q(0.5) | r(0)),
		pps_per_sender_cpu: ($rs | map(.sender_pps) | q(0.5) | r(0)),
		other_load_cpus: ($rs | map(.other_cpus) | q(0.5) | r(2)),
		drops: ($rs | map(.drops // 0) | add),
		drops_max_round: ($rs | map(.drops // 0) | max)}
		+ ($rs | map(.pps) | stat | rstat(0))
		+ (if $v | startswith("hs") then
			{recorded: ($rs | map(.recorded) | add),
			 probe_tc_ingress_ns: ($rs | map(.probe["tc-ingress"] // empty) | q(0.5)),
			 probe_tc_egress_ns: ($rs | map(.probe["tc-egress"] // empty) | q(0.5))}
		   elif $v == "tcpdump" then
			{captured: ($rs | map(.captured) | add), received_by_filter: ($rs | map(.received) | add)}
		   else {} end)),
	(base + {section: "throughput", name: ($v | tp_label), variant: $v, metric: "cpu_per_packet",
		unit: "ns/pkt", user_ns: ($rs | map(.user) | q(0.5) | r(1)),
		system_ns: ($rs | map(.system) | q(0.5) | r(1)),
		softirq_ns: ($rs | map(.softirq) | q(0.5) | r(1)),
		own_ns: ($rs | map(.own) | q(0.5) | r(1)),
		idle_share: ($rs | map(.ticks.idle / (.ticks.user + .ticks.system + .ticks.softirq +
			.ticks.irq + .ticks.idle + .ticks.steal)) | q(0.5) | r(3))}
		+ ($rs | map(.cpu) | stat | rstat(1))),
	(if $v != "none" then
		(base + {section: "throughput", name: ($v | tp_label), variant: $v, metric: "pps_ratio",
			unit: "ratio", lost_throughput: (1 - ($rl | map(.pps_ratio) | q(0.5))) | r(4),
			pps_ratio_floor: ($rl | map(.pps_ratio_floor // empty) | q(0.5) | r(4)),
			sender_cpu_ratio: ($rl | map(.sender_ratio) | q(0.5) | r(4))}
			+ ($rl | map(.pps_ratio) | stat | rstat(4))),
		(base + {section: "throughput", name: ($v | tp_label), variant: $v, metric: "cpu_ratio",
			unit: "ratio"} + ($rl | map(.cpu_ratio) | stat | rstat(4))),
		(base + {section: "throughput", name: ($v | tp_label), variant: $v, metric: "cpu_over_none",
			unit: "ns/pkt", own_over_none_ns: ($rl | map(.own_over) | q(0.5) | r(1)),
			cpu_over_floor_ns: ($rl | map(.cpu_over_floor // empty) | q(0.5) | r(1))}
			+ ($rl | map(.cpu_over) | stat | rstat(1)))
	else empty end)
),

# throughput targets
(($rel | map(select(.variant == "hs_all")) | map(.cpu_over) | q(0.5)) as $hc |
 ($rel | map(select(.variant == "tcpdump")) | map(.cpu_over) | q(0.5)) as $tc |
 ($rel | map(select(.variant == "hs_all")) | map(1 - .pps_ratio) | q(0.5)) as $hl |
 ($rel | map(select(.variant == "tcpdump")) | map(1 - .pps_ratio) | q(0.5)) as $tl |
 ($rel | map(select(.variant == "hs_s64")) | map(1 - .pps_ratio) | q(0.5)) as $sl |
 ($rel | map(select(.variant == "empty")) | map(1 - .pps_ratio) | q(0.5)) as $el |
 ($rel | map(select(.variant == "hs_all")) | map(.own_over) | q(0.5)) as $ho |
 ($rel | map(select(.variant == "tcpdump")) | map(.own_over) | q(0.5)) as $to |
 ($rel | map(select(.variant == "hs_ingress")) | map(.cpu_over) | q(0.5)) as $ic |
 ($runs | map(select(.variant == "hs_all" and .recorded > 0)) | map(.user_ns / .recorded) | q(0.5)) as $ur |
 ($rel | map(select(.variant == "hs_ingress")) | map(1 - .pps_ratio) | q(0.5)) as $il |
	(base + {section: "throughput", name: "hopscope every packet vs tcpdump: CPU per packet over none",
		metric: "cpu_over_none_vs_tcpdump", value: (if $tc > 0 then ($hc / $tc | r(4)) else null end),
		unit: "ratio", hopscope_ns: ($hc | r(1)), tcpdump_ns: ($tc | r(1)),
		own_hopscope_ns: ($ho | r(1)), own_tcpdump_ns: ($to | r(1)),
		own_ratio: (if $to > 0 then ($ho / $to | r(4)) else null end), met_own: ($ho <= 0.5 * $to),
		target: "hopscope <= 0.5 x tcpdump", met: ($hc <= 0.5 * $tc)}),
	(base + {section: "throughput", name: "hopscope every packet vs tcpdump: lost throughput",
		metric: "lost_throughput_vs_tcpdump", value: (if $tl > 0 then ($hl / $tl | r(4)) else null end),
		unit: "ratio", hopscope_lost: ($hl | r(4)), tcpdump_lost: ($tl | r(4)),
		target: "hopscope <= 0.5 x tcpdump", met: ($hl <= 0.5 * $tl)}),
	(if $ur != null then
		(base + {section: "collector", name: "live: hopscope's user time per record, every packet at every hop",
			metric: "collector_user_ns_per_record", value: ($ur | r(1)), unit: "ns/record"})
	 else empty end),
	(if $ic != null then
		(base + {section: "throughput", name: "hopscope --hooks ingress, every packet, vs tcpdump: CPU per packet over none",
			metric: "ingress_cpu_over_none_vs_tcpdump", value: (if $tc > 0 then ($ic / $tc | r(4)) else null end),
			unit: "ratio", hopscope_ns: ($ic | r(1)), tcpdump_ns: ($tc | r(1)),
			lost: ($il | r(4)), all_hooks_ns: ($hc | r(1)),
			target: "hopscope <= 0.5 x tcpdump", met: ($ic <= 0.5 * $tc)})
	 else empty end),
	(base + {section: "throughput", name: "hopscope 1 in 64 sampled: lost throughput",
		metric: "lost_throughput", value: ($sl | r(4)), unit: "ratio",
		target: "< 0.03", met: ($sl < 0.03)}),
	(if $el != null then
		(base + {section: "throughput", name: "hopscope 1 in 64 sampled: lost throughput over the empty programs'",
			metric: "lost_throughput_vs_floor", value: (if $el > 0 then ($sl / $el | r(4)) else null end),
			unit: "ratio", hopscope_lost: ($sl | r(4)), floor_lost: ($el | r(4)),
			target: "<= 1.5 x the empty programs'", met: ($sl <= 1.5 * $el)})
	 else empty end)
),

# distortion: per hop, per variant
(["wire", "function"][] as $h |
	($ds | map(select(.variant == "hs")) | map({key: (.round | tostring), value: .[$h]}) | from_entries) as $ref |
	["hs", "hs_every", "tcpdump"][] as $v |
	($ds | map(select(.variant == $v))) as $rs |
	({wire: "wire vnf1:eth1 -> vnf2:eth0", function: "function vnf2: eth0 -> eth1"}[$h]) as $hop |
	(if $v == "tcpdump" then
		{wire: "vnf1:eth1 egress tap (after tc egress) -> vnf2:eth0 ingress tap (before tc ingress)",
		 function: "vnf2:eth0 ingress tap (before tc ingress) -> vnf2:eth1 egress tap (after tc egress)"}[$h]
	 else
		{wire: "vnf1:eth1 tc-egress probe -> vnf2:eth0 tc-ingress probe",
		 function: "vnf2:eth0 tc-ingress probe -> vnf2:eth1 tc-egress probe"}[$h]
	 end) as $stamps |
	["p50", "p99"][] as $m |
	(base + {section: "distortion", name: ($v | ds_label), variant: $v, hop: $hop, metric: $m,
		unit: "ns", stamps: $stamps, rounds: ($rs | length),
		packets: ($rs | map(.[$h].count) | q(0.5)), drops: ($rs | map(.drops) | add),
		delta_vs_hopscope_ns: (if $v == "hs" then 0 else
			($rs | map(select($ref[.round | tostring] != null) |
				.[$h][$m] - $ref[.round | tostring][$m]) | q(0.5) | r(0)) end)}
		+ ($rs | map(.[$h][$m]) | stat | rstat(0))))
JQ

read -r -d '' TABLE <<'JQ' || true
def f0: if . == null then "-" else (. | round | tostring) end;
def f2: if . == null then "-" else ((. * 100 | round) / 100 | tostring) end;
def f3: if . == null then "-" else ((. * 1000 | round) / 1000 | tostring) end;
def pad($n): tostring | if length >= $n then . else . + (" " * ($n - length)) end;
def lpad($n): tostring | if length >= $n then . else (" " * ($n - length)) + . end;
def find($v; $m): [.[] | select(.section == "throughput" and .variant == $v and .metric == $m)][0];
. as $all |
"== throughput: 3 functions on veth, 64-byte UDP at the sender's top rate, \($rounds) rounds of \($d) s ==",
"variant                              rx kpps sent kpps  pps/none [q1 q3]        lost  kpps/sender CPU  ratio  other loads  drops",
($variants[] as $v |
	($all | find($v; "rx_pps")) as $p | ($all | find($v; "pps_ratio")) as $pr |
	($p.name | pad(35)) + ($p.value / 1000 | f2 | lpad(9)) + ($p.sent_pps / 1000 | f2 | lpad(10)) + "  " +
	(if $pr then "\($pr.value | f3) [\($pr.q1 | f3) \($pr.q3 | f3)]" else "1" end | pad(22)) +
	(if $pr then "\($pr.lost_throughput * 100 | f2)%" else "-" end | lpad(8)) +
	($p.pps_per_sender_cpu / 1000 | f2 | lpad(17)) +
	(if $pr then $pr.sender_cpu_ratio | f3 else "1" end | lpad(7)) +
	("\($p.other_load_cpus | f2) CPUs" | lpad(13)) + ($p.drops | tostring | lpad(7))),
"  rx: packets a second at the receiver's eth0, sent: by the sender; lost: 1 - pps/none, the median of rounds;",
"  kpps/sender CPU: received per CPU-second of the sender, whose context carries every hop of the chain: the",
"  datapath's own speed, whatever else runs; other loads: CPUs busy outside this benchmark meanwhile (median);",
"  drops: records the ring had no room for (hopscope), packets dropped by kernel over 8 captures (tcpdump)",
"",
"CPU per packet (ns)                  all CPUs (usr+sys+sirq)     CPU/none [q1 q3]     +ns/pkt   own  (+ns/pkt)",
($variants[] as $v |
	($all | find($v; "cpu_per_packet")) as $c | ($all | find($v; "cpu_ratio")) as $cr |
	($all | find($v; "cpu_over_none")) as $co |
	($c.name | pad(35)) +
	("\($c.value | f0) (\($c.user_ns | f0)+\($c.system_ns | f0)+\($c.softirq_ns | f0))" | lpad(24)) + "    " +
	(if $cr then "\($cr.value | f3) [\($cr.q1 | f3) \($cr.q3 | f3)]" else "1" end | pad(22)) +
	(if $co then $co.value | f0 else "0" end | lpad(8)) +
	($c.own_ns | f0 | lpad(7)) + ("(+\(if $co then $co.own_over_none_ns | f0 else "0" end))" | lpad(10))),
"  all CPUs: /proc/stat over the stream, per packet received; own: this benchmark's processes only (the sender with",
"  the kernel's work in its context, hopscope or the tcpdumps, ksoftirqd), which other loads leave alone",
"over the floor (the empty programs at the same 16 hooks, the same round):",
($variants[] | select(. != "none" and . != "empty") as $v |
	($all | find($v; "pps_ratio")) as $pr | ($all | find($v; "cpu_over_none")) as $co |
	select($pr.pps_ratio_floor != null) |
	"  " + ($pr.name | pad(37)) + "pps/floor \($pr.pps_ratio_floor | f3)   CPU +\($co.cpu_over_floor_ns | f0) ns/pkt over the floor's"),
($variants[] | select(startswith("hs_")) as $v | ($all | find($v; "rx_pps")) as $p |
	"probe cost, \($p.name): tc-ingress \($p.probe_tc_ingress_ns | f0) ns, tc-egress \($p.probe_tc_egress_ns | f0) ns a run (the kernel's timing, median over rounds); \($p.recorded) records in all"),
"  (hopscope turns on the kernel's BPF run-time statistics to report that cost: two clock reads a run, part of what it costs here)",
(($all | find("tcpdump"; "rx_pps")) as $p |
	"tcpdump, all runs and 8 interfaces: \($p.received_by_filter) packets received by filter, \($p.drops) dropped by kernel, \($p.captured) captured (stopped at once: a last block in the ring is not)"),
"targets:",
($all[] | select(.section == "throughput" and .target != null) |
	"  [\(if .met then "met" else "MISSED" end)] \(.name): " +
	(if .metric == "lost_throughput" then "\(.value * 100 | f2)% (target \(.target))"
	 elif .metric == "ingress_cpu_over_none_vs_tcpdump" then
		"hopscope +\(.hopscope_ns | f0) ns/pkt (every hook: +\(.all_hooks_ns | f0)), tcpdump +\(.tcpdump_ns | f0) ns/pkt, ratio \(.value | f3) (target \(.target)); it loses \(.lost * 100 | f2)% of the throughput"
	 elif .metric == "cpu_over_none_vs_tcpdump" then
		"hopscope +\(.hopscope_ns | f0) ns/pkt, tcpdump +\(.tcpdump_ns | f0) ns/pkt, ratio \(.value | f3) (target \(.target));" +
		" own processes only: +\(.own_hopscope_ns | f0) and +\(.own_tcpdump_ns | f0), ratio \(.own_ratio | f3)"
	 elif .metric == "lost_throughput_vs_floor" then
		"1 in 64 loses \(.hopscope_lost * 100 | f2)%, the empty programs \(.floor_lost * 100 | f2)%, ratio \(.value | f3) (target \(.target))"
	 else "hopscope \(.hopscope_lost * 100 | f2)%, tcpdump \(.tcpdump_lost * 100 | f2)%, ratio \(.value | f3) (target \(.target))" end)),
"",
"== distortion: \($count) packets at \($rate)/s, \($rounds) rounds; delays in ns, medians over rounds [q1 q3] ==",
([.[] | select(.section == "distortion")] | group_by(.hop)[] | sort_by(.variant) as $rows |
	"hop \($rows[0].hop)",
	"  variant                          pkts   p50 [q1 q3]                p99 [q1 q3]                p50-hopscope p99-hopscope",
	(["hs", "hs_every", "tcpdump"][] as $v |
		([$rows[] | select(.variant == $v and .metric == "p50")][0]) as $a |
		([$rows[] | select(.variant == $v and .metric == "p99")][0]) as $b |
		"  " + ($a.name | pad(31)) + ($a.packets | f0 | lpad(6)) + "   " +
		("\($a.value | f0) [\($a.q1 | f0) \($a.q3 | f0)]" | pad(27)) +
		("\($b.value | f0) [\($b.q1 | f0) \($b.q3 | f0)]" | pad(27)) +
		($a.delta_vs_hopscope_ns | f0 | lpad(12)) + ($b.delta_vs_hopscope_ns | f0 | lpad(13)))),
"where the stamps are taken:",
"  hopscope: bpf_ktime_get_ns() in its tc (TCX) program, after parsing and filtering, before the ring buffer reserve;",
"    tc ingress runs after the AF_PACKET taps, tc egress before the qdisc and the taps. A hop holds the end of one",
"    probe (reserve, submit) and the start of the next (parse, fingerprint).",
"  tcpdump: tpacket_rcv stamps (realtime clock) once the tap's filter has run and the frame is copied into the ring",
"    (or takes skb->tstamp, if some socket on the host asked for receive timestamps): on ingress in",
"    __netif_receive_skb_core before tc ingress, on egress in dev_queue_xmit_nit from dev_hard_start_xmit after tc",
"    egress and the qdisc, just before the driver. A hop holds all of the second tap's filter and copy.",
"  Each variant measures its own runs: no tap runs with hopscope, no tc program with tcpdump; the differences",
"    are what each way of measuring adds to a hop.",
"  --wakeup every: each record wakes the collector from inside the probe (irq_work, then waking a task), in the hop.",
"  hopscope's p99: a probe's first write to each page of its CPU's new ring (4 MiB of 8 on 2 CPUs; 13 s to fill at 1000 packets/s",
"    on this chain) is that page's first touch, slow wherever the hypervisor backs guest memory lazily."
JQ

# ---- run
note "building the chain ${PREFIX}snd -> 3 functions -> ${PREFIX}rcv (veth)"
"$TESTBED" up "$PREFIX" 3 >&2 || die "testbed.sh up failed"
# the stream ends at a socket nobody reads, not in ICMP errors sent back
ip netns exec "${PREFIX}rcv" "$BUILD/tests/udpsink" "$PORT" 3600 >"$WORK/sink.out" 2>&1 &
SINK_PID=$!
PIDS+=("$SINK_PID")
for ((i = 0; i < 500; i++)); do
	[ ! -s "$WORK/sink.out" ] || break
	alive "$SINK_PID" || break
	sleep 0.02
done
grep -qx ready "$WORK/sink.out" || die "udpsink did not start: $(cat "$WORK/sink.out")"

# what else runs on the machine: CPUs busy while this script waits
read -r -a c0 </proc/stat
sleep "$IDLE_SECS"
read -r -a c1 </proc/stat
busy=$((c1[1] + c1[2] + c1[3] + c1[6] + c1[7] - c0[1] - c0[2] - c0[3] - c0[6] - c0[7]))
all=$((busy + c1[4] + c1[5] + c1[8] - c0[4] - c0[5] - c0[8]))
BACKGROUND=$(jq -n "if $all > 0 then ($busy / $all * $NCPUS * 100 | round) / 100 else 0 end")
note "background load before the rounds: $BACKGROUND of $NCPUS CPUs busy"

: >"$WORK/throughput.jsonl"
: >"$WORK/distortion.jsonl"
note "throughput: $ROUNDS rounds of ${#TP_VARIANTS[@]} variants, $D s each"
for ((r = 1; r <= ROUNDS; r++)); do
	for v in "${TP_VARIANTS[@]}"; do throughput_run "$v" "$r"; done
done
note "distortion: $ROUNDS rounds of 3 variants, $LOW_COUNT packets at $LOW_RATE/s"
for ((r = 1; r <= ROUNDS; r++)); do
	for v in hs hs_every tcpdump; do distortion_run "$v" "$r"; done
	rm -f "$WORK"/ds"$r"-*.pcap
done

jq -n -c --slurpfile tp "$WORK/throughput.jsonl" --slurpfile ds "$WORK/distortion.jsonl" \
	--argjson nspt "$NS_PER_TICK" --argjson variants "$(printf '%s\n' "${TP_VARIANTS[@]}" | jq -R . | jq -s -c .)" \
	"$AGGREGATE" >"$WORK/results.jsonl"
jq -n -c --argjson b "$BACKGROUND" --argjson n "$NCPUS" \
	'{bench: "chain", section: "throughput", name: "background load before the rounds",
	  metric: "busy_cpus", value: $b, unit: "cpus", cpus: $n}' >>"$WORK/results.jsonl"

echo
echo "background load before the rounds: $BACKGROUND of $NCPUS CPUs busy"
jq -s -r --argjson rounds "$ROUNDS" --argjson d "$D" --argjson count "$LOW_COUNT" \
	--argjson variants "$(printf '%s\n' "${TP_VARIANTS[@]}" | jq -R . | jq -s -c .)" \
	--argjson rate "$LOW_RATE" "$TABLE" "$WORK/results.jsonl"
if [ -n "${BENCH_JSON:-}" ]; then
	cat "$WORK/results.jsonl" >>"$BENCH_JSON" || die "cannot append to BENCH_JSON '$BENCH_JSON'"
	note "$(wc -l <"$WORK/results.jsonl") results appended to $BENCH_JSON"
fi
