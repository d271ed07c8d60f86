#!/usr/bin/env python3
"""Score `reproscale assess` against hand-labelled real repositories.

usage: scripts/corpus_score.py [--bin target/release/reproscale] [--mirrors /work/.mirror]
                               [--labels FILE ...] [--work DIR] [--only OWNER/NAME]
                               [--verbose] [--confusion]

Labels default to both corpora: ../shared/corpus/labels.json (the development set, when
present) and tests/corpus/labels.json (the project's own). Each labelled repository must have
been fetched beforehand as a bare snapshot under MIRRORS/OWNER+NAME/repo; repositories
without a snapshot are listed as skipped, never scored.

Each repository is written once at its pinned commit into WORK/OWNER+NAME (a fresh git work
tree; blobs missing from a snapshot become empty files so their paths still exist) and reused
on later runs, so re-scoring after a change costs only the assessments.

Prints one line per repository, agreement per criterion, a confusion table (label vs tool)
with --confusion, and one summary line per corpus plus a total. Exit 0 unless the binary
cannot be run.
"""
import argparse
import collections
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IDS = ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3", "3.4",
       "4.1", "4.2", "4.3", "5.1", "5.2"]
STATUSES = ["pass", "partial", "fail", "not_applicable", "unknown", "missing"]
SHORT = {"pass": "pass", "partial": "part", "fail": "fail", "not_applicable": "na",
         "unknown": "unk", "missing": "-"}
GIT_ENV = dict(os.environ, GIT_AUTHOR_NAME="corpus", GIT_AUTHOR_EMAIL="corpus@localhost",
               GIT_COMMITTER_NAME="corpus", GIT_COMMITTER_EMAIL="corpus@localhost")


def write_tree(mirror, commit, dst):
    """Write every blob of `commit` under dst, then commit it in a fresh repository."""
    out = subprocess.run(["git", "-C", mirror, "ls-tree", "-r", "-z", "--full-tree", commit],
                         capture_output=True, check=True).stdout
    cat = subprocess.Popen(["git", "-C", mirror, "cat-file", "--batch"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    for entry in filter(None, out.split(b"\0")):
        meta, raw_path = entry.split(b"\t", 1)
        mode, kind, oid = meta.split()
        if kind != b"blob":
            continue
        cat.stdin.write(oid + b"\n")
        cat.stdin.flush()
        header = cat.stdout.readline().split()
        body = b""
        if len(header) == 3:  # "<oid> missing" has two fields
            body = cat.stdout.read(int(header[2]))
            cat.stdout.read(1)
        path = os.path.join(dst, raw_path.decode("utf-8", "surrogateescape"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if mode == b"120000":
            try:
                os.symlink(body.decode("utf-8", "surrogateescape"), path)
            except OSError:
                pass
            continue
        with open(path, "wb") as f:
            f.write(body)
        if mode == b"100755":
            os.chmod(path, 0o755)
    cat.stdin.close()
    cat.wait()
    for cmd in (["git", "init", "-q"], ["git", "add", "-A", "-f"],
                ["git", "commit", "-qm", "snapshot", "--no-verify"]):
        subprocess.run(cmd, cwd=dst, check=True, env=GIT_ENV, stdout=subprocess.DEVNULL)


def prepared(entry, mirrors, work):
    name = entry["repo"].replace("/", "+")
    mirror = os.path.join(mirrors, name, "repo")
    if not os.path.isdir(mirror):
        return None
    dst = os.path.join(work, name)
    stamp = os.path.join(dst, ".git", "corpus-commit")
    if os.path.exists(stamp) and open(stamp).read().strip() == entry["commit"]:
        return dst
    shutil.rmtree(dst, ignore_errors=True)
    os.makedirs(dst)
    write_tree(mirror, entry["commit"], dst)
    with open(stamp, "w") as f:
        f.write(entry["commit"])
    return dst


def assess(binary, path):
    proc = subprocess.run([binary, "assess", path, "--format", "json"],
                          capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        return None, proc.stderr.strip().splitlines()[-1:] or ["exit %d" % proc.returncode]
    return json.loads(proc.stdout), None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "reproscale"))
    ap.add_argument("--mirrors", default="/work/.mirror")
    ap.add_argument("--labels", nargs="*")
    ap.add_argument("--work", default=os.path.join("/tmp", "reproscale-corpus"))
    ap.add_argument("--only")
    ap.add_argument("--verbose", action="store_true", help="print the label's evidence per miss")
    ap.add_argument("--confusion", action="store_true", help="print label-vs-tool tables")
    args = ap.parse_args()
    if not os.access(args.bin, os.X_OK):
        sys.exit("cannot run %s (build it: cargo build --release)" % args.bin)
    label_files = args.labels
    if not label_files:
        label_files = [p for p in (os.path.join(ROOT, "..", "shared", "corpus", "labels.json"),
                                   os.path.join(ROOT, "tests", "corpus", "labels.json"))
                       if os.path.exists(p)]
    os.makedirs(args.work, exist_ok=True)
    per = collections.defaultdict(lambda: [0, 0])
    confusion = collections.defaultdict(collections.Counter)
    totals = []
    for label_file in label_files:
        corpus = json.load(open(label_file))
        agree = total = star_hits = scored = 0
        skipped = []
        for entry in corpus:
            if args.only and entry["repo"] != args.only:
                continue
            path = prepared(entry, args.mirrors, args.work)
            if path is None:
                skipped.append(entry["repo"])
                continue
            result, error = assess(args.bin, path)
            if result is None:
                print("%s: assess failed: %s" % (entry["repo"], error[0]))
                continue
            scored += 1
            said = {c["id"]: c["status"] for c in result["criteria"]}
            misses = []
            for cid in IDS:
                label = entry["criteria"].get(cid)
                if label is None:
                    continue
                got = said.get(cid, "missing")
                ok = got in label["accept"]
                per[cid][0] += ok
                per[cid][1] += 1
                agree += ok
                total += 1
                confusion[cid][("/".join(SHORT[s] for s in label["accept"]), SHORT[got])] += 1
                if not ok:
                    misses.append((cid, got, label))
            star_ok = result["stars"] in entry["stars"]
            star_hits += star_ok
            print("%s: stars %d (accepted %s) %s; %s" % (
                entry["repo"], result["stars"], entry["stars"], "ok" if star_ok else "MISS",
                "misses: " + ", ".join("%s=%s (accepted %s)" % (c, g, "/".join(l["accept"]))
                                       for c, g, l in misses) if misses else "criteria ok"))
            if args.verbose:
                for cid, _, label in misses:
                    print("    %s: %s" % (cid, label.get("evidence", "")))
        name = os.path.relpath(label_file, ROOT)
        if skipped:
            print("%s: %d not fetched, skipped: %s" % (name, len(skipped), " ".join(skipped)))
        if scored:
            totals.append("%s: repositories %d; stars %d/%d = %.0f%%; criteria %d/%d = %.1f%%" % (
                name, scored, star_hits, scored, 100.0 * star_hits / scored, agree, total,
                100.0 * agree / max(total, 1)))
    print("\ncriterion  agreement")
    for cid in IDS:
        if per[cid][1]:
            print("  %-8s %3d/%-3d %5.1f%%" % (cid, per[cid][0], per[cid][1],
                                             100.0 * per[cid][0] / per[cid][1]))
    if args.confusion:
        print("\nconfusion (accepted label -> tool said: count), misses marked *")
        for cid in IDS:
            cells = sorted(confusion[cid].items(), key=lambda kv: -kv[1])
            if cells:
                print("  %s  %s" % (cid, "  ".join(
                    "%s->%s:%d%s" % (l, g, n, "" if g in l.split("/") else "*")
                    for (l, g), n in cells)))
    print()
    for line in totals:
        print(line)


if __name__ == "__main__":
    main()
