#!/usr/bin/env bash
# The Python side of the project, as a user meets it: the binary wheel built with
# maturin and run from a fresh virtual environment, the pre-commit hooks tried on
# fixture repositories (one passing, one failing case each), and the GitHub Action's
# metadata checked against its schema. Needs Python 3 and PyPI; called by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d /tmp/reproscale-ci-py.XXXXXX)
trap 'rm -rf "$work"' EXIT
# Reuse the workspace's build, so the wheel and the hook builds compile once.
export CARGO_TARGET_DIR="$root/target"

python3 -m venv "$work/tools"
"$work/tools/bin/pip" install --quiet maturin pre-commit check-jsonschema

"$work/tools/bin/maturin" build --release --quiet -o "$work/wheels"
python3 -m venv "$work/user"
"$work/user/bin/pip" install --quiet "$work"/wheels/reproscale-*.whl
"$work/user/bin/reproscale" --version
"$work/user/bin/reproscale" assess examples/seeded-config >/dev/null

"$work/tools/bin/check-jsonschema" --builtin-schema vendor.github-actions action.yml

# A fixture repository holding one example project; the hooks run at its root.
fixture() { # name, example folder
  local repo="$work/$1"
  cp -r "examples/$2" "$repo"
  git -C "$repo" init -q
  git -C "$repo" add -A
  git -C "$repo" -c user.name=ci -c user.email=ci@localhost commit -qm fixture
  echo "$repo"
}
# expect CODE, then the command: runs it and fails unless it exits with CODE.
expect() {
  local want=$1; shift
  set +e; "$@" >"$work/out.txt" 2>&1; local got=$?; set -e
  if [ "$got" != "$want" ]; then
    echo "expected exit $want, got $got: $*" >&2; cat "$work/out.txt" >&2; exit 1
  fi
}
try_repo() { # fixture repo, hook id
  (cd "$1" && "$work/tools/bin/pre-commit" try-repo "$root" "$2" --all-files)
}
good=$(fixture good seeded-config)
bad=$(fixture bad unseeded-notebook)
expect 0 try_repo "$good" reproscale
expect 1 try_repo "$bad" reproscale
# report --check: a report written by the tool matches; one claiming more does not.
"$work/user/bin/reproscale" report "$good" 2>/dev/null
git -C "$good" add -A && git -C "$good" -c user.name=ci -c user.email=ci@localhost commit -qm report
expect 0 try_repo "$good" reproscale-report-check
"$work/user/bin/reproscale" report "$bad" 2>/dev/null
sed -i 's/- \[ \]/- [x]/' "$bad/REPRODUCIBILITY.md"
git -C "$bad" add -A && git -C "$bad" -c user.name=ci -c user.email=ci@localhost commit -qm report
expect 1 try_repo "$bad" reproscale-report-check
echo "packaging: wheel, pre-commit hooks and action.yml ok"
