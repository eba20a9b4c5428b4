#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# jitprof.sh [SECONDS] - where a recorded packet's time goes inside the
# probe, beside the floor recorder: perf samples CPU 0 (cpu-clock; this VM
# has no hardware counters) while probe_cost --profile runs the probe
# recording every packet and the floor recorder there, alternating, through
# BPF_PROG_TEST_RUN. Each sample is charged to the program on its stack and
# to its leaf: the program's own JIT'd code or a helper it called (the
# clock, the ring buffer's reserve and submit). The probe's own code is
# then annotated instruction by instruction from its JIT image (objdump),
# the hottest first: what perf annotate would show, had Debian's perf the
# BPF disassembler. Root; perf from linux-perf. BPF_PROG_TEST_RUN only: no
# traffic, no interface.
set -euo pipefail

SECONDS_RUN=${1:-5}
[ -n "$SECONDS_RUN" ] || SECONDS_RUN=5
[[ "$SECONDS_RUN" =~ ^[1-9][0-9]*$ ]] || { echo "usage: jitprof.sh [SECONDS]" >&2; exit 2; }
BUILD=${BUILD:-build}
[ "$(id -u)" -eq 0 ] || { echo "jitprof: needs root (BPF_PROG_TEST_RUN, perf -a)" >&2; exit 77; }
command -v perf >/dev/null || { echo "jitprof: perf is not installed (linux-perf)" >&2; exit 77; }
make -s --no-print-directory "$BUILD/bench/probe_cost" >&2

W=$(mktemp -d /tmp/hopscope-jitprof.XXXXXX)
trap 'rm -rf "$W"' EXIT

# perf samples while the programs are loaded: it names a BPF program from
# /proc/kallsyms, where a program is only while it is loaded
"$BUILD/bench/probe_cost" --profile $((SECONDS_RUN + 2)) "$W" >"$W/syms" 2>"$W/err" &
PC=$!
trap 'kill "$PC" 2>/dev/null || true; rm -rf "$W"' EXIT
for _ in $(seq 100); do
	[ "$(wc -l <"$W/syms")" -ge 2 ] && break
	kill -0 "$PC" 2>/dev/null || { cat "$W/err" >&2; exit 1; }
	read -r -t 0.1 <> <(:) || true
done
[ "$(wc -l <"$W/syms")" -ge 2 ] || { echo "jitprof: probe_cost --profile did not start" >&2; exit 1; }
perf record -q -e cpu-clock -F 20000 -C 0 -g -o "$W/perf.data" -- sleep "$SECONDS_RUN" 2>"$W/perf.err" ||
	{ cat "$W/perf.err" >&2; exit 1; }
wait "$PC" || { cat "$W/err" >&2; exit 1; }
REC=$(awk '$1 == "recorded" {print $2}' "$W/syms")
FLOOR=$(awk '$1 == "floor" {print $2}' "$W/syms")

# one line a sample: the program on the stack, the leaf symbol, the offset
# within the leaf
perf script -i "$W/perf.data" -F ip,sym,symoff 2>/dev/null | awk -v rec="$REC" -v floor="$FLOOR" '
	function flush() {
		if (prog != "") print prog, leaf, off
		prog = ""; leaf = ""; first = 1
	}
	BEGIN { first = 1 }
	/^$/ { flush(); next }
	{
		s = $2; o = "0"
		if (match(s, /\+0x[0-9a-f]+$/)) { o = substr(s, RSTART + 1); s = substr(s, 1, RSTART - 1) }
		if (first) { leaf = s; off = o; first = 0 }
		if (prog == "" && (s == rec || s == floor)) prog = (s == rec ? "recorded" : "floor")
	}
	END { flush() }' >"$W/samples"

echo "== where the time goes: $(wc -l <"$W/samples") samples on CPU 0 over ${SECONDS_RUN} s, by program and leaf =="
for p in recorded floor; do
	awk -v p="$p" -v rec="$REC" -v floor="$FLOOR" '
		$1 == p { n++; l = ($2 == rec || $2 == floor) ? "the program'"'"'s own code" : $2; c[l]++ }
		END {
			printf "%s (%d samples)\n", p == "recorded" ? "probe, every packet recorded" : "floor recorder", n
			for (l in c) printf "  %6.1f%%  %s\n", 100 * c[l] / n, l | "sort -rn"
			close("sort -rn")
		}' "$W/samples"
done

# the probe's own code, annotated: samples per instruction, hottest first,
# with the instruction itself
objdump -D -b binary -m i386:x86-64 "$W/recorded.jit" |
	awk '/^ *[0-9a-f]+:/ { a = $1; sub(":", "", a); $1 = ""; sub(/^[ \t]+/, ""); print a "\t" $0 }' >"$W/asm"
echo
echo "== the probe's own code: the 25 hottest instructions of $(wc -l <"$W/asm") (JIT image, x86-64) =="
awk -v rec="$REC" '$1 == "recorded" && $2 == rec { print $3 }' "$W/samples" |
	awk 'NR == FNR { a = $1; sub(/^0x0*/, "", a); if (a == "") a = "0"; h[a]++; n++; next }
	     { a = $1; sub(/^0+/, "", a); if (a == "") a = "0"
	       if (h[a]) printf "%6.2f%%  %5s  %s\n", 100 * h[a] / n, a, substr($0, index($0, "\t") + 1) }' - "$W/asm" |
	sort -rn | awk 'NR <= 25'
