#!/usr/bin/env bash
# Ranks N generated small projects from a cold start (a new database each
# time) and prints projects per second, median of several runs.
# Usage: scripts/bench_rank.sh [-n RUNS] [--no-build] [PROJECTS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=5; build=1; count=100
while [ $# -gt 0 ]; do
  case "$1" in
    -n) runs="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    *) count="$1"; shift ;;
  esac
done
[ "$build" = 1 ] && cargo build --release --quiet
bin="$PWD/target/release/reproscale"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work/projects" "$count" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    p = os.path.join(root, f"proj-{i:03d}")
    os.makedirs(os.path.join(p, "data"))
    open(os.path.join(p, "data", "x.csv"), "w").write("a,b\n1,2\n")
    open(os.path.join(p, "config.yaml"), "w").write(f"seed: {i}\nlr: 0.1\nepochs: 3\n")
    open(os.path.join(p, "requirements.txt"), "w").write("numpy==1.26.4\npyyaml==6.0.1\n")
    open(os.path.join(p, "README.md"), "w").write(f"# Project {i}\n\n## Data\n\n| column | type |\n|---|---|\n| a | int |\n")
    open(os.path.join(p, "train.py"), "w").write(
        "import yaml\nimport numpy as np\n\n"
        "cfg = yaml.safe_load(open('config.yaml'))\nnp.random.seed(cfg['seed'])\n"
        "for epoch in range(cfg['epochs']):\n    w = np.random.rand(3) * cfg['lr']\n"
        "if __name__ == '__main__':\n    print(w)\n")
PY
rates=()
for i in $(seq 1 "$runs"); do
  rm -f "$work/r.db"*
  start=$(date +%s.%N)
  "$bin" rank --scan "$work/projects" --db "$work/r.db" --format csv > /dev/null 2>&1
  end=$(date +%s.%N)
  rate=$(python3 -c "print(round($count / ($end - $start), 1))")
  echo "run $i: $count projects in $(python3 -c "print(round($end - $start, 3))") s = $rate projects/s"
  rates+=("$rate")
done
printf '%s\n' "${rates[@]}" | sort -g | awk '{a[NR]=$1} END {print "median: " ((NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2) " projects/s"}'
