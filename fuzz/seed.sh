#!/usr/bin/env bash
# Seeds each fuzz target's corpus from the project's own fixtures (run from fuzz/).
set -euo pipefail
cd "$(dirname "$0")"
fixtures=../tests/fixtures
seed() { # target, find expression...
  local target=$1; shift
  mkdir -p "corpus/$target"
  find "$fixtures" ../examples -type f "$@" -size -256k 2>/dev/null | while read -r f; do
    cp "$f" "corpus/$target/$(echo "${f#../}" | tr '/' '_')"
  done
}
seed python -name '*.py'
seed notebook -name '*.ipynb'
seed pipeline \( -name dvc.yaml -o -name MLproject -o -name Makefile -o -name Snakefile -o -name '*.sh' -o -name 'README*' \)
seed dockerfile \( -name 'Dockerfile*' -o -name '*.def' \)
seed docs \( -name '*.md' -o -name '*.rst' \)
seed report -name 'REPRODUCIBILITY.md'
# Targets whose first byte picks a format: prefix each seed with the right byte.
prefixed() { # target, byte, find expression...
  local target=$1 byte=$2; shift 2
  mkdir -p "corpus/$target"
  find "$fixtures" ../examples -type f "$@" -size -256k 2>/dev/null | while read -r f; do
    { printf "\\x$byte"; cat "$f"; } > "corpus/$target/$byte-$(echo "${f#../}" | tr '/' '_')"
  done
}
prefixed config 00 \( -name '*.yaml' -o -name '*.yml' \)
prefixed config 01 -name '*.json'
prefixed config 02 -name '*.toml'
prefixed config 03 \( -name '*.ini' -o -name '*.cfg' \)
prefixed config 04 -name '*.gin'
prefixed packages 00 -name 'requirements*.txt'
prefixed packages 01 -name pyproject.toml
prefixed packages 02 \( -name 'environment*.yml' -o -name 'environment*.yaml' \)
prefixed packages 03 -name setup.py
prefixed packages 04 -name setup.cfg
prefixed packages 06 -name Pipfile.lock
prefixed packages 07 -name poetry.lock
prefixed packages 08 -name uv.lock
# compare: format byte, split byte (0x80: halves), then the file twice.
mkdir -p corpus/compare
find "$fixtures" ../tests/verify_fixtures -type f \( -name '*.npy' -o -name '*.npz' -o -name '*.safetensors' -o -name '*.csv' -o -name '*.json' \) -size -64k 2>/dev/null | while read -r f; do
  case "$f" in
    *.npy) b=00 ;; *.npz) b=01 ;; *.safetensors) b=02 ;; *.csv) b=03 ;; *) b=04 ;;
  esac
  { printf "\\x$b\\x80"; cat "$f" "$f"; } > "corpus/compare/$b-$(echo "${f#../}" | tr '/' '_')"
done
for d in corpus/*; do echo "$d: $(ls "$d" | wc -l) seeds"; done
# REPRODUCIBILITY.md: the tool's own reports of the examples, when a build is at hand.
mkdir -p corpus/report
for bin in ../target/release/reproscale ../target/debug/reproscale; do
  [ -x "$bin" ] || continue
  for ex in ../examples/*/; do
    "$bin" report "$ex" --stdout > "corpus/report/$(basename "$ex").md" 2>/dev/null || true
  done
  break
done
find ../tests -name '*.md' -size -256k | while read -r f; do cp "$f" "corpus/report/${f//\//_}"; done
echo "corpus/report: $(ls corpus/report | wc -l) seeds"
