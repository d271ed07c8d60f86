#!/usr/bin/env bash
# Measures verify's overhead next to the pipeline's own run time, phase by
# phase (setup, copy, runs, collect, compare, cleanup), with the wall time and
# peak RSS of the whole command (/usr/bin/time -v when present).
#
#   scripts/bench_verify.sh [-n RUNS] [--no-build] [SIZE_MB]
#       a run writes SIZE_MB (default 1024) of outputs in 64 MiB files:
#       hashing/comparison throughput.
#   scripts/bench_verify.sh [-n RUNS] [--no-build] --files N
#       a run writes N tiny files under outputs/ (e.g. 100000): per-file
#       overhead of collect, compare and cleanup.
#
# Too slow for the test suite; tests/verify_copy_test.rs checks the timings'
# arithmetic on 2,000 files.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=3; build=1; size_mb=1024; files=0
while [ $# -gt 0 ]; do
  case "$1" in
    -n) runs="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --files) files="$2"; shift 2 ;;
    *) size_mb="$1"; shift ;;
  esac
done
[ "$build" = 1 ] && cargo build --release --quiet
bin="$PWD/target/release/reproscale"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
proj="$work/project"
mkdir -p "$proj"
if [ "$files" -gt 0 ]; then
  cat > "$proj/gen.py" <<PY
import os
# Deterministic: N tiny files, 1,000 per folder.
n = ${files}
for i in range(n):
    d = "outputs/%03d" % (i // 1000)
    if i % 1000 == 0:
        os.makedirs(d, exist_ok=True)
    with open("%s/f%06d.txt" % (d, i), "w") as f:
        f.write("value %d\n" % i)
print(f"wrote {n} files")
PY
  what="$files tiny files"
else
  cat > "$proj/gen.py" <<PY
import hashlib, os
# Deterministic bytes: a 4 MiB block from a hash chain, varied per file.
block = b"".join(hashlib.sha256(str(i).encode()).digest() for i in range(131072))
os.makedirs("out", exist_ok=True)
total = ${size_mb} * 1024 * 1024
per_file = 64 * 1024 * 1024
n = 0
while n * per_file < total:
    with open(f"out/part-{n:03d}.bin", "wb") as f:
        header = n.to_bytes(8, "little")
        for _ in range(per_file // len(block)):
            f.write(header + block[8:])
    n += 1
print(f"wrote {n} files")
PY
  what="${size_mb} MiB"
fi
printf 'run = "python3 gen.py"\n' > "$proj/reproscale.toml"
printf '# bench project\n' > "$proj/README.md"

timer=()
[ -x /usr/bin/time ] && timer=(/usr/bin/time -v -o "$work/time.txt")
echo "project: $proj ($what of outputs per run)"
base=()
over=()
for i in $(seq 1 "$runs"); do
  b=$( { cd "$proj" && /usr/bin/time -f "%e" python3 gen.py >/dev/null; } 2>&1 | tail -1 )
  rm -rf "$proj/out" "$proj/outputs"
  start=$(date +%s.%N)
  "${timer[@]}" "$bin" verify "$proj" --no-probes --format json > "$work/verify.json" 2>/dev/null || true
  end=$(date +%s.%N)
  wall=$(python3 -c "print($end - $start)")
  rss="?"
  if [ -f "$work/time.txt" ]; then
    wall=$(awk -F': ' '/Elapsed/ {n=split($2,a,":"); s=0; for(k=1;k<=n;k++) s=s*60+a[k]; print s}' "$work/time.txt")
    rss=$(awk -F': ' '/Maximum resident/ {printf "%.0f MB", $2/1024}' "$work/time.txt")
  fi
  line=$(python3 - "$work/verify.json" "$wall" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
wall = float(sys.argv[2])
t = d["timing"]
overhead = t["total_seconds"] - t["slowest_run_seconds"]
phases = " ".join(f"{k[:-8]} {t[k]:.2f}" for k in
    ["setup_seconds", "copy_seconds", "runs_seconds", "collect_seconds",
     "compare_seconds", "cleanup_seconds", "fingerprint_seconds", "other_seconds"])
print(d["verdict"], f"{wall:.2f}", f"{t['total_seconds']:.2f}", f"{t['slowest_run_seconds']:.2f}",
      f"{overhead:.2f}", f"{100 * overhead / max(t['slowest_run_seconds'], 1e-9):.1f}",
      f"{t['compare_gb_per_second']:.2f}", t["compared_files"], phases.replace(" ", "_"))
PY
)
  set -- $line
  echo "run $i: pipeline alone ${b} s; verify wall $2 s (reported total $3 s, peak RSS $rss); slowest run $4 s; overhead $5 s ($6% of the slowest run); compare $7 GB/s over $8 files; phases: ${9//_/ }; verdict $1"
  base+=("$b"); over+=("$6")
done
med() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
echo "median pipeline alone: $(med "${base[@]}") s; median verify overhead: $(med "${over[@]}")% of the slowest run"
