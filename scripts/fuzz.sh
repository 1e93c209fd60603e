#!/bin/sh
# fuzz.sh: build and run the fuzz harnesses tests/fuzz/fuzz-NAME.c, one
# per parser, each with its seed corpus in tests/fuzz/seeds/NAME/.
#
#   scripts/fuzz.sh replay
#	Build every harness with cc and tests/fuzz/replay.c (no libFuzzer),
#	with AddressSanitizer and UndefinedBehaviorSanitizer when cc has
#	them, and feed each its seeds.  Prints TAP, one test per harness,
#	for prove(1) (tests/unit/fuzz-replay.t runs it).
#   scripts/fuzz.sh run NAME [SECONDS]
#	Build harness NAME with clang's libFuzzer, ASan and UBSan, and fuzz
#	it for SECONDS (default 60), with tests/fuzz/NAME.dict if any.  The corpus grows in
#	tests/out/fuzz/corpus/NAME (the seeds are only read); a crash is
#	saved in tests/out/fuzz/artifacts/ and replays with
#	tests/out/fuzz/replay/fuzz-NAME FILE.
#   scripts/fuzz.sh all [SECONDS]
#	run, for every harness in turn (make fuzz, FUZZ_SECONDS).
#   scripts/fuzz.sh tap [SECONDS]
#	run, for every harness in turn, as TAP for prove(1), one test per
#	harness that passes when libFuzzer found nothing (make test runs it
#	as tests/unit/fuzz-short.t); FUZZ_SECONDS_NAME overrides SECONDS
#	for harness NAME.
#
# Both link the pure modules (PURE in the Makefile) from source, built
# with the harness's flags into tests/out/fuzz/, not src/*.o.
set -eu
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

OUT=tests/out/fuzz
CC=${CC:-cc}
CPPFLAGS="-D_GNU_SOURCE -I/usr/include/postgresql -Isrc -Itests/fuzz"
LIBS="-ljwt -ljansson -lpq -lsodium -lcrypto -loath -lfido2 -lcbor"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"

# The sources of the objects in the Makefile's PURE list.
pure_sources() {
	sed -n '/^PURE[[:space:]]*=/,/[^\\]$/p' Makefile |
	    sed 's/^PURE[[:space:]]*=//; s/\\//g' | tr -s ' \t\n' '\n' |
	    sed -n 's/\.o$/.c/p'
}

harnesses() {
	for f in tests/fuzz/fuzz-*.c; do
		n=${f#tests/fuzz/fuzz-}
		echo "${n%.c}"
	done
}

# cc_has FLAGS: whether cc builds and runs a program with FLAGS.
cc_has() {
	printf 'int main(void) { return 0; }\n' > "$OUT/probe.c"
	# shellcheck disable=SC2086 # FLAGS are words
	"$CC" $1 -o "$OUT/probe" "$OUT/probe.c" 2>/dev/null &&
	    "$OUT/probe"
}

replay() {
	mkdir -p "$OUT/replay/obj"
	flags="-O1 -g -fno-omit-frame-pointer"
	if cc_has "$SAN"; then
		flags="$flags $SAN"
		echo "# cc with $SAN"
	else
		echo "# cc without sanitizers (not supported here)"
	fi
	objs=
	for src in $(pure_sources); do
		o=$OUT/replay/obj/$(basename "$src" .c).o
		# shellcheck disable=SC2086
		"$CC" $CPPFLAGS $flags -c -o "$o" "$src" ||
		    die "cannot build $src"
		objs="$objs $o"
	done
	# shellcheck disable=SC2086
	"$CC" $CPPFLAGS $flags -c -o "$OUT/replay/obj/replay.o" \
	    tests/fuzz/replay.c || die "cannot build replay.c"

	# shellcheck disable=SC2046 # harness names are words
	set -- $(harnesses)
	echo "1..$#"
	i=0
	for n in "$@"; do
		i=$((i + 1))
		bin=$OUT/replay/fuzz-$n
		log=$OUT/replay/fuzz-$n.log
		seeds=$(find "tests/fuzz/seeds/$n" -type f 2>/dev/null |
		    sort | wc -l)
		# shellcheck disable=SC2086
		if ! "$CC" $CPPFLAGS $flags -o "$bin" \
		    "tests/fuzz/fuzz-$n.c" "$OUT/replay/obj/replay.o" $objs \
		    $LIBS > "$log" 2>&1; then
			echo "not ok $i - fuzz-$n builds"
			sed 's/^/# /' "$log"
			continue
		fi
		if [ "$seeds" -eq 0 ]; then
			echo "not ok $i - fuzz-$n has seeds" \
			    "in tests/fuzz/seeds/$n"
			continue
		fi
		# find -exec: seed names may hold any character.
		name="fuzz-$n replays its $seeds seeds cleanly"
		if find "tests/fuzz/seeds/$n" -type f -exec "$bin" {} + \
		    > "$log" 2>&1; then
			echo "ok $i - $name"
		else
			echo "not ok $i - $name"
			sed 's/^/# /' "$log"
		fi
	done
}

run() {
	n=$1
	secs=${2:-60}
	[ -f "tests/fuzz/fuzz-$n.c" ] ||
	    die "no harness tests/fuzz/fuzz-$n.c (have: $(harnesses | xargs))"
	case $secs in
	''|*[!0-9]*) die "SECONDS must be a whole number, not $secs" ;;
	esac
	if ! command -v clang > /dev/null; then
		[ "$(id -u)" -eq 0 ] ||
		    die "clang is missing:" \
			"apt-get install clang libclang-rt-14-dev"
		apt-get install -y --no-install-recommends clang \
		    libclang-rt-14-dev > /dev/null
	fi
	mkdir -p "$OUT/libfuzzer/obj" "$OUT/corpus/$n" "$OUT/artifacts"
	bin=$OUT/libfuzzer/fuzz-$n
	flags="-O1 -g -fno-omit-frame-pointer -fno-sanitize-recover=all"
	# The pure modules are built once for every harness (again only
	# when a source or jwtauth.h is newer), instrumented for libFuzzer.
	objs=
	for src in $(pure_sources); do
		o=$OUT/libfuzzer/obj/$(basename "$src" .c).o
		if [ ! -f "$o" ] || [ "$src" -nt "$o" ] ||
		    [ src/jwtauth.h -nt "$o" ]; then
			# shellcheck disable=SC2086 # flags are words
			clang $CPPFLAGS $flags \
			    -fsanitize=fuzzer-no-link,address,undefined \
			    -c -o "$o" "$src" || die "cannot build $src"
		fi
		objs="$objs $o"
	done
	# shellcheck disable=SC2086 # file names and flags are words
	clang $CPPFLAGS $flags -fsanitize=fuzzer,address,undefined \
	    -o "$bin" "tests/fuzz/fuzz-$n.c" $objs $LIBS ||
	    die "cannot build $bin: is libclang-rt-14-dev installed?"
	dict=
	[ -f "tests/fuzz/$n.dict" ] && dict=-dict=tests/fuzz/$n.dict
	# The first directory receives new inputs; the seeds are read only.
	# shellcheck disable=SC2086 # $dict is one word or none
	"$bin" -max_total_time="$secs" -max_len=8192 -timeout=10 $dict \
	    -print_final_stats=1 -artifact_prefix="$OUT/artifacts/$n-" \
	    "$OUT/corpus/$n" "tests/fuzz/seeds/$n"
}

# tap SECONDS: every harness fuzzed for SECONDS, as TAP.
tap() {
	# shellcheck disable=SC2046 # harness names are words
	set -- "$1" $(harnesses)
	secs=$1
	shift
	echo "1..$#"
	i=0
	for n in "$@"; do
		i=$((i + 1))
		log=$OUT/libfuzzer-$n.log
		mkdir -p "$OUT"
		# FUZZ_SECONDS_NAME, if set, is harness NAME's own time.
		eval "t=\${FUZZ_SECONDS_$n:-$secs}"
		if (run "$n" "$t") > "$log" 2>&1; then
			echo "ok $i - libFuzzer finds nothing in fuzz-$n in ${t}s" \
			    "($(sed -n 's/^stat::number_of_executed_units: *//p' \
			    "$log") runs)"
		else
			echo "not ok $i - libFuzzer finds nothing in fuzz-$n" \
			    "in ${t}s"
			grep -v '^#[0-9]' "$log" | tail -40 | sed 's/^/# /'
		fi
	done
}

case ${1:-} in
replay)
	replay
	;;
all)
	for n in $(harnesses); do
		run "$n" "${2:-300}"
	done
	;;
tap)
	tap "${2:-60}"
	;;
run)
	[ $# -ge 2 ] || die "usage: $0 run NAME [SECONDS]"
	run "$2" "${3:-60}"
	;;
*)
	die "usage: $0 replay | run NAME [SECONDS] | all [SECONDS] |" \
	    "tap [SECONDS]"
	;;
esac
