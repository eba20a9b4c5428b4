#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Nothing of hopscope's stays attached: after SIGTERM, after SIGKILL (its
# bpf_links die with the process), and after an attach that fails halfway.
. "$(dirname "$0")/lib.sh"
require_root

"$TESTBED" up "$PREFIX" 1
# 2 interfaces x 2 tc hooks in vnf1, plus XDP and tc egress on snd:eth0
POINTS=(--netns "${PREFIX}vnf1" --point "${PREFIX}snd:eth0@xdp,tc-egress")

for sig in TERM KILL; do
	start_hopscope 6 --interval 0 "${POINTS[@]}"
	n=$(hs_links)
	[ "$n" -eq 6 ] || fail "expected 6 hopscope bpf_links, bpftool shows $n"
	grep -q '"xdp_mode":"native"' "$WORK/out.jsonl" || fail "XDP on a veth did not attach natively"
	rc=0
	stop_hopscope "$sig" || rc=$?
	if [ "$sig" = TERM ]; then
		[ "$rc" -eq 0 ] || fail "exit $rc after SIGTERM: $(cat "$WORK/err")"
		grep -q '"final":true' "$WORK/out.jsonl" || fail "no final summary after SIGTERM"
	fi
	assert_nothing_attached
	note "SIG$sig: 6 attached, 0 left"
	rm -f "$WORK/fifo"
done

# lo has no native XDP: the third point fails after two attached
rc=0
"$HOPSCOPE" run --point "${PREFIX}snd:eth0" --point "${PREFIX}snd:lo@xdp" \
	--xdp-mode native --duration 1 >"$WORK/table" 2>"$WORK/err" || rc=$?
[ "$rc" -eq 1 ] || fail "a failed attach exited $rc, expected 1"
grep -q "lo@xdp: cannot attach" "$WORK/err" || fail "no message naming lo@xdp: $(cat "$WORK/err")"
[ "$(wc -l <"$WORK/err")" -eq 1 ] || fail "more than one line on stderr: $(cat "$WORK/err")"
note "failed attach halfway: $(cat "$WORK/err")"
# again with --verbose, which names the programs it attached: all gone
"$HOPSCOPE" run --verbose --point "${PREFIX}snd:eth0" --point "${PREFIX}snd:lo@xdp" \
	--xdp-mode native --duration 1 >"$WORK/table" 2>"$WORK/err" || true
ids=$(sed -n 's/.*attached .*(prog id \([0-9]*\).*/\1/p' "$WORK/err")
[ "$(echo "$ids" | wc -w)" -eq 2 ] || fail "expected 2 programs attached before the failure: $ids"
for id in $ids; do
	! bpftool prog show id "$id" >/dev/null 2>&1 || fail "program $id is still loaded"
done
assert_nothing_attached
