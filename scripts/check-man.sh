#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# check-man.sh BINARY PAGE - the man page renders without a warning, and
# documents for each command exactly the options that command takes: every
# option documented, none extra.
#
# What the commands take is read from the built binary, never from a list
# kept by hand: the commands from `hopscope --help`, and each command's
# options from its --help, whose options block the option tables print
# (the paragraph right before "Example(s):", one "  --NAME" line a row).
# What the page documents for a command: the --NAME words in the .TP tags
# of its subsection, .SS "hopscope COMMAND".
#
# Then it checks itself: a page with an option left out and one with an
# option too many must both fail.
set -euo pipefail
bin=$1
page=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# "  --NAME ..." lines of the options block of `BINARY CMD --help`
table_opts() {
	"$bin" "$1" --help |
		awk -v RS= '/^Examples?:/ { print prev; exit } { prev = $0 }' |
		sed -n 's/^  --\([a-z][a-z0-9-]*\).*/\1/p' | sort
}

# the --NAME words of the .TP tags in the page's subsection for CMD
page_opts() {
	awk -v want=".SS \"hopscope $1\"" '
		$0 == want { on = 1; next }
		on && /^\.S[HS]/ { exit }
		on && tag { print; tag = 0 }
		on && /^\.TP/ { tag = 1 }' "$2" |
		sed 's/\\-/-/g' | { grep -o -- '--[a-z][a-z0-9-]*' || true; } |
		sed 's/^--//' | sort
}

# 0 if PAGE documents exactly what each command takes; says what differs
compare() {
	local p=$1 cmd opt ok=0

	for cmd in $commands; do
		table_opts "$cmd" >"$tmp/table"
		page_opts "$cmd" "$p" >"$tmp/page"
		if [ ! -s "$tmp/table" ]; then
			echo "check-man: no options in '$bin $cmd --help'"
			ok=1
			continue
		fi
		if ! grep -qxF ".SS \"hopscope $cmd\"" "$p"; then
			echo "check-man: $p has no subsection .SS \"hopscope $cmd\""
			ok=1
			continue
		fi
		for opt in $(comm -23 "$tmp/table" "$tmp/page"); do
			echo "check-man: hopscope $cmd --$opt is not documented in $p"
			ok=1
		done
		for opt in $(comm -13 "$tmp/table" <(sort -u "$tmp/page")); do
			echo "check-man: $p documents hopscope $cmd --$opt, which hopscope $cmd does not take"
			ok=1
		done
		for opt in $(uniq -d "$tmp/page"); do
			echo "check-man: $p documents hopscope $cmd --$opt twice"
			ok=1
		done
	done
	# a subsection for a command the binary does not have
	for cmd in $(sed -n 's/^\.SS "hopscope \([a-z]*\)"$/\1/p' "$p"); do
		if ! grep -qxF "$cmd" <<<"$commands"; then
			echo "check-man: $p has a subsection for hopscope $cmd, which is no command"
			ok=1
		fi
	done
	return $ok
}

bad=0
warnings=$(groff -man -ww -z "$page" 2>&1) || bad=1
if [ -n "$warnings" ]; then
	echo "check-man: groff -man -ww: $warnings"
	bad=1
fi
if command -v mandoc >/dev/null && ! mandoc -Tlint -Wwarning "$page"; then
	bad=1
fi

commands=$("$bin" --help | sed -n '/^Commands:$/,/^$/s/^  \([a-z][a-z]*\)  .*/\1/p')
if [ -z "$commands" ]; then
	echo "check-man: no commands in '$bin --help'"
	exit 1
fi
compare "$page" || bad=1

# the check itself: --point left out of run's subsection, --bogus added
awk '/^\.BI \\-\\-point / && !done { done = 1; next } { print }' "$page" >"$tmp/missing.8"
if compare "$tmp/missing.8" >/dev/null; then
	echo "check-man: a page without run's --point passed the check"
	bad=1
fi
awk '{ print } $0 == ".SS \"hopscope run\"" { print ".TP\n.B \\-\\-bogus\nNone." }' \
	"$page" >"$tmp/extra.8"
if compare "$tmp/extra.8" >/dev/null; then
	echo "check-man: a page with run --bogus passed the check"
	bad=1
fi

[ "$bad" -eq 0 ] && echo "man: $page documents every option of $(echo $commands | sed 's/ /, /g')"
exit "$bad"
