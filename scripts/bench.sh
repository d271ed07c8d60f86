#!/usr/bin/env bash
# Speed benchmark for `reproscale assess` on a large synthetic project.
#
#   scripts/bench.sh [-n RUNS] [--no-build] [PROJECT_DIR]
#
# Builds the release binary, generates a 10,000-file project with
# scripts/gen_bench_project.py into a temp dir (unless PROJECT_DIR is given),
# does one untimed warm-up run, then times RUNS (default 7) runs of
#   reproscale assess DIR --format json >/dev/null
# and prints each run plus the median wall time and median peak RSS.
# Exit code 1 from reproscale (below --min-stars) is fine; >= 2 is a failure.
#
# Environment: GEN_ARGS  extra arguments for gen_bench_project.py
#              (e.g. GEN_ARGS="--files 20000 --python 4000 --broken 5")
set -euo pipefail

usage() {
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
}

runs=7
build=1
project=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        -n|--runs)
            [[ $# -ge 2 ]] || { echo "bench.sh: $1 needs a value" >&2; exit 2; }
            runs="$2"; shift 2 ;;
        --no-build) build=0; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "bench.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
        *)
            [[ -z "$project" ]] || { echo "bench.sh: only one PROJECT_DIR" >&2; exit 2; }
            project="$1"; shift ;;
    esac
done
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
    echo "bench.sh: RUNS must be a positive integer, got '$runs'" >&2
    exit 2
fi

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

if [[ "$build" -eq 1 ]]; then
    echo "building release binary ..." >&2
    cargo build --release >&2
fi
bin="${CARGO_TARGET_DIR:-$repo/target}/release/reproscale"
if [[ ! -x "$bin" ]]; then
    echo "bench.sh: binary not found at $bin" >&2
    exit 2
fi

scratch="$(mktemp -d "${TMPDIR:-/tmp}/reproscale-bench.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

if [[ -z "$project" ]]; then
    project="$scratch/project"
    # shellcheck disable=SC2086  # GEN_ARGS is split on purpose
    python3 "$repo/scripts/gen_bench_project.py" "$project" ${GEN_ARGS:-} >&2
elif [[ ! -d "$project" ]]; then
    echo "bench.sh: $project is not a directory" >&2
    exit 2
fi

# GNU time with -f/-o? Otherwise fall back to bash's `time` (no peak memory).
use_gnu_time=0
if [[ -x /usr/bin/time ]] && /usr/bin/time -f "%e %M" -o "$scratch/probe" true 2>/dev/null \
        && [[ -s "$scratch/probe" ]]; then
    use_gnu_time=1
else
    echo "note: /usr/bin/time (GNU) not available; timing with bash, peak memory unavailable" >&2
fi

# one_run OUT_VAR_WALL OUT_VAR_RSS: runs the binary once; fails on exit code >= 2.
wall=""
rss=""
rc=0
one_run() {
    local timefile="$scratch/time" errfile="$scratch/stderr"
    rc=0
    if [[ "$use_gnu_time" -eq 1 ]]; then
        /usr/bin/time -f "%e %M" -o "$timefile" \
            "$bin" assess "$project" --format json >/dev/null 2>"$errfile" || rc=$?
        # On a non-zero exit GNU time writes "Command exited with non-zero
        # status N" before the format line, so read the last line only.
        read -r wall rss < <(tail -n 1 "$timefile") || true
    else
        local TIMEFORMAT="%R"
        { time "$bin" assess "$project" --format json >/dev/null 2>"$errfile" || rc=$?; } 2>"$timefile"
        wall="$(tail -n 1 "$timefile")"
        rss=""
    fi
    if [[ "$rc" -ge 2 ]]; then
        echo "bench.sh: reproscale exited with $rc; its stderr:" >&2
        tail -n 20 "$errfile" >&2
        exit 1
    fi
}

median() {  # median FORMAT: numbers on stdin, one per line -> median
    sort -g | awk -v fmt="$1\n" '{ v[NR] = $1 } END {
        if (NR == 0) { print "n/a"; exit }
        if (NR % 2) printf fmt, v[(NR + 1) / 2];
        else printf fmt, (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

nfiles="$(find "$project" -type f | wc -l | tr -d ' ')"
echo "binary:  $bin"
echo "project: $project ($nfiles files)"
one_run
echo "warm-up: ${wall}s (exit $rc, not counted)"

walls=()
rsss=()
for ((i = 1; i <= runs; i++)); do
    one_run
    walls+=("$wall")
    if [[ -n "$rss" ]]; then
        mib="$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')"
        rsss+=("$mib")
        printf 'run %d: %6.3f s  %8s MiB  (exit %d)\n' "$i" "$wall" "$mib" "$rc"
    else
        printf 'run %d: %6.3f s  (exit %d)\n' "$i" "$wall" "$rc"
    fi
done

echo "median wall: $(printf '%s\n' "${walls[@]}" | median %.3f) s over $runs runs"
if [[ ${#rsss[@]} -gt 0 ]]; then
    echo "median peak RSS: $(printf '%s\n' "${rsss[@]}" | median %.1f) MiB"
else
    echo "median peak RSS: unavailable (no GNU /usr/bin/time)"
fi
