#!/bin/sh
# Runs every unit-test program tests/unit/test-* under valgrind's
# memcheck: one TAP test per program, which fails on any memory error or
# definite or indirect leak (--error-exitcode) or when the program fails.
# test-libjwt is left out: it pins libjwt 1.10.2's own bugs (a malloc of
# -1, stack overflows on long tokens) by triggering them on purpose, in
# child processes, and valgrind rightly reports those.
cd "$(dirname "$0")/../.." || exit 1
if ! command -v valgrind > /dev/null; then
	echo "1..0 # SKIP valgrind is not installed"
	exit 0
fi
set --
for t in tests/unit/test-*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	[ "$t" = tests/unit/test-libjwt ] && continue
	set -- "$@" "$t"
done
echo "1..$#"
mkdir -p tests/out/valgrind
i=0
for t in "$@"; do
	i=$((i + 1))
	log=tests/out/valgrind/${t##*/}.log
	if valgrind -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect --track-origins=yes \
	    "$t" > "$log" 2>&1 && ! grep -q '^not ok' "$log"; then
		echo "ok $i - ${t##*/} runs clean under valgrind"
	else
		echo "not ok $i - ${t##*/} runs clean under valgrind"
		grep -v '^ok' "$log" | head -60 | sed 's/^/# /'
	fi
done
