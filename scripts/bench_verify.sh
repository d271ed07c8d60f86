#!/usr/bin/env bash
# Measures verify's overhead on a project whose run writes ~1 GB of outputs:
# copy + collect + compare time next to the pipeline's own run time, and the
# hashing/comparison throughput. Usage: scripts/bench_verify.sh [-n RUNS] [--no-build] [SIZE_MB]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=3; build=1; size_mb=1024
while [ $# -gt 0 ]; do
  case "$1" in
    -n) runs="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    *) size_mb="$1"; shift ;;
  esac
done
[ "$build" = 1 ] && cargo build --release --quiet
bin="$PWD/target/release/reproscale"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
proj="$work/project"
mkdir -p "$proj"
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
printf 'run = "python3 gen.py"\n' > "$proj/reproscale.toml"
printf '# bench project\n' > "$proj/README.md"

echo "project: $proj (${size_mb} MiB of outputs per run)"
base=()
over=()
for i in $(seq 1 "$runs"); do
  b=$( { cd "$proj" && /usr/bin/time -f "%e" python3 gen.py >/dev/null; } 2>&1 | tail -1 )
  rm -rf "$proj/out"
  json=$("$bin" verify "$proj" --no-probes --format json 2>/dev/null)
  line=$(printf '%s' "$json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
t = d["timing"]
overhead = t["total_seconds"] - t["slowest_run_seconds"]
print(d["verdict"], round(t["total_seconds"], 2), round(t["slowest_run_seconds"], 2), round(t["copy_seconds"], 3), round(t["compare_seconds"], 2), round(t["compare_gb_per_second"], 2), round(overhead, 2), round(100 * overhead / t["slowest_run_seconds"], 1))')
  set -- $line
  echo "run $i: pipeline alone ${b} s; verify total $2 s, slowest run $3 s, copy $4 s, compare $5 s at $6 GB/s, overhead $7 s ($8% of the slowest run), verdict $1"
  base+=("$b"); over+=("$8")
done
med() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
echo "median pipeline alone: $(med "${base[@]}") s; median verify overhead: $(med "${over[@]}")% of the slowest run"
