#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# check-layers.sh [DESIGN] - every #include in user/ follows the arrows
# docs/design.md allows, and the modules' include graph has no cycle.
#
# The arrows are the lines of the "Layers" block in docs/design.md:
#     LAYER -> LAYER LAYER ...
# A layer may include its own headers, those of the layers it names, and
# the headers shared with BPF (include/, and the generated skeleton). A
# module is a .c and its .h; tsort finds any cycle among modules.
set -euo pipefail
cd "$(dirname "$0")/.."
design=${1:-docs/design.md}
bad=0

declare -A allowed
while read -r layer arrow rest; do
	[ "$arrow" = "->" ] || continue
	allowed[$layer]="$layer $rest"
done < <(sed -n '/^<!-- layers -->$/,/^<!-- \/layers -->$/p' "$design")
[ ${#allowed[@]} -gt 0 ] || { echo "check-layers: no arrows in $design" >&2; exit 1; }

# the arrows themselves point one way: none leads back up
arrows=$(for layer in "${!allowed[@]}"; do
	for to in ${allowed[$layer]}; do
		[ "$to" = "$layer" ] || echo "$layer $to"
	done
done)
if ! tsort <<<"$arrows" >/dev/null 2>&1; then
	echo "check-layers: the arrows in $design make a cycle:"
	tsort <<<"$arrows" 2>&1 >/dev/null | sed 's/^tsort: /    /'
	exit 1
fi

edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
for f in user/*/*.[ch]; do
	layer=${f#user/}
	layer=${layer%%/*}
	module=${f#user/}
	module=${module%.*}
	if [ -z "${allowed[$layer]:-}" ]; then
		echo "check-layers: $f: layer '$layer' is not in $design"
		bad=1
		continue
	fi
	while IFS=: read -r line inc; do
		case $inc in
		*/*) ;;
		hopscope.skel.h) continue ;;
		*)
			# the headers shared with BPF
			[ -f "include/$inc" ] && continue
			echo "check-layers: $f:$line: \"$inc\" names no layer (write \"LAYER/$inc\")"
			bad=1
			continue
			;;
		esac
		to=${inc%%/*}
		if [[ " ${allowed[$layer]} " != *" $to "* ]]; then
			echo "check-layers: $f:$line: $layer may not include $inc (allowed: ${allowed[$layer]})"
			bad=1
		fi
		[ "${inc%.h}" = "$module" ] || echo "$module ${inc%.h}" >>"$edges"
	done < <(grep -n '^#include "' "$f" | sed -E 's/^([0-9]+):#include "([^"]+)".*/\1:\2/')
done
if ! tsort "$edges" >/dev/null 2>"$edges.err"; then
	echo "check-layers: the include graph has a cycle:"
	sed -e "s|^tsort: $edges: |  |" -e 's/^tsort: /    /' "$edges.err"
	bad=1
fi
rm -f "$edges.err"
[ "$bad" -eq 0 ] && echo "layers: $(ls user/*/*.[ch] | wc -l) files, every include one way"
exit "$bad"
