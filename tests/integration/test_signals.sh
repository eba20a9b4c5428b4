#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# SIGINT and SIGTERM during a long attach are answered at once: 800
# points (tc ingress and egress of 400 veth ends in one namespace) take
# about a second to attach here; the signal, sent as soon as the first is
# attached, must stop the attach, detach every probe attached so far and
# end the run within 1 s, with exit status 1 and a line that says so.
# (Before, the signal waited until every probe was attached: 28 s for 200
# points in an outside test.)
# A study stopped by SIGTERM in its first cell removes its testbed, writes
# no report, says so and exits 1 (it exited 0: a script would have taken
# it for a study).
# hopscope-test: serial - a second of attaching, timed
. "$(dirname "$0")/lib.sh"
require_root

NS=${PREFIX}many
ip netns add "$NS"
for i in $(seq 0 199); do
	echo "link add a$i type veth peer name b$i"
	echo "link set a$i up"
	echo "link set b$i up"
done | ip -n "$NS" -batch - || fail "cannot make 200 veth pairs in $NS"

# start_until NAME PATTERN SECONDS CMD...: start CMD, its stderr read
# through a FIFO (fd 4) into $WORK/NAME.err until a line holds PATTERN or
# SECONDS pass without a line (no sleeping); its pid in BG_PID. The
# caller reads the rest (cat <&4) once it has sent its signal.
start_until() {
	local name=$1 pattern=$2 secs=$3 line
	shift 3
	rm -f "$WORK/$name.fifo"
	mkfifo "$WORK/$name.fifo"
	"$@" >/dev/null 2>"$WORK/$name.fifo" &
	BG_PID=$!
	HS_MORE_PIDS+=("$BG_PID")
	exec 4<"$WORK/$name.fifo"
	: >"$WORK/$name.err"
	while IFS= read -r -t "$secs" line <&4; do
		printf '%s\n' "$line" >>"$WORK/$name.err"
		case "$line" in *"$pattern"*) break ;; esac
	done
}

# interrupted SIG: start hopscope, wait for its first attached point (its
# debug lines), send SIG, time the exit
interrupted() {
	local sig=$1 pid t0 t1 rc=0 attached
	start_until "$sig" "debug: attached " 30 "$HOPSCOPE" run -v --netns "$NS" --interval 0
	pid=$BG_PID
	grep -q "debug: attached " "$WORK/$sig.err" || fail "no point was attached: $(cat "$WORK/$sig.err")"
	t0=$(date +%s%N)
	kill "-$sig" "$pid"
	cat <&4 >>"$WORK/$sig.err"
	exec 4<&-
	wait "$pid" || rc=$?
	t1=$(date +%s%N)
	attached=$(grep -c "debug: attached " "$WORK/$sig.err" || true)
	note "SIG$sig: exit $rc after $(((t1 - t0) / 1000000)) ms, $attached of 800 points attached by then"
	# all attached before the signal came (a loaded machine is slow to
	# read the first line): nothing was shown; the caller tries again
	if [ "$rc" -eq 0 ] && [ "$attached" -eq 800 ]; then
		return 2
	fi
	[ "$rc" -eq 1 ] || fail "SIG$sig during the attach: exit status $rc, expected 1: $(tail -3 "$WORK/$sig.err")"
	[ $(((t1 - t0) / 1000000)) -lt 1000 ] || fail "SIG$sig during the attach: $(((t1 - t0) / 1000000)) ms to exit"
	grep -q "interrupted while attaching: nothing measured, every probe detached" "$WORK/$sig.err" ||
		fail "SIG$sig: no word of the interrupted attach: $(grep -v debug "$WORK/$sig.err" | tail -3)"
	[ "$attached" -lt 800 ] || fail "SIG$sig: every point was attached before the signal was answered"
	# nothing left: no clsact program, no link of any program it attached
	[ -z "$(clsact_in "$NS")" ] || fail "SIG$sig: still attached in $NS: $(clsact_in "$NS")"
	ids=$(sed -n 's/.*debug: attached .*(prog id \([0-9]*\).*/\1/p' "$WORK/$sig.err" | sort -u | tr '\n' ',' | sed 's/,$//')
	left=$(bpftool -j link show 2>/dev/null | jq --argjson ids "[$ids]" '[.[] | select(.prog_id as $p | $ids | index($p))] | length')
	[ "${left:-0}" -eq 0 ] || fail "SIG$sig: $left links of its programs left"
}

for sig in INT TERM; do
	for try in 1 2 3; do
		rc=0
		interrupted "$sig" || rc=$?
		[ "$rc" -eq 2 ] || break
		note "SIG$sig came after the whole attach (try $try)"
	done
	[ "$rc" -eq 0 ] || fail "SIG$sig never came during the attach in 3 tries"
done

# ---- a study interrupted ----
start_until study "latency native" 60 \
	"$HOPSCOPE" study --quick --only latency --tech native --out "$WORK/study"
spid=$BG_PID
grep -q "latency native" "$WORK/study.err" || fail "the study's first cell never started: $(cat "$WORK/study.err")"
kill -TERM "$spid"
cat <&4 >>"$WORK/study.err"
exec 4<&-
rc=0
wait "$spid" || rc=$?
[ "$rc" -eq 1 ] || fail "an interrupted study exited $rc: $(tail -3 "$WORK/study.err")"
grep -qF "hopscope: interrupted before the end: no report written" "$WORK/study.err" ||
	fail "no word of the interrupted study: $(tail -3 "$WORK/study.err")"
[ ! -e "$WORK/study/report.html" ] || fail "an interrupted study wrote a report"
left=$(ip netns list | grep -c "^hs${spid}_" || true)
[ "$left" -eq 0 ] || fail "the interrupted study left $left namespaces"
note "a study interrupted in its first cell: exit 1, no report, its testbed removed"
