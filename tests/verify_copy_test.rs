//! `reproscale verify`'s copies of the project and its timings: symlinks
//! inside the project stay symlinks the runs read through; symlinks out of
//! the project, FIFOs and broken links are left out and reported (text and
//! JSON `copy.dropped`) without hanging verify; a FIFO declared as an output
//! is compared without blocking; and the reported phases add up to a total
//! that is the real wall time. Every run has a timeout.

mod common;

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

const LIMIT: Duration = Duration::from_secs(120);

/// A project folder with `files` (path, content), outside any git work tree.
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    common::project_with("reproscale-verify-copy-", files)
}

use common::verify;

fn mkfifo(path: &Path) -> bool {
    std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

fn dropped(json: &Value) -> Vec<(String, String)> {
    json["copy"]["dropped"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| {
                    (
                        d["path"].as_str().unwrap_or("").to_string(),
                        d["kind"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_symlink_inside_the_project_stays_a_symlink_the_run_reads_through() {
    let dir = project(&[("data/raw/train.csv", "x,y\n1,2\n"), ("README.md", "# p\n")]);
    let root = dir.path();
    std::os::unix::fs::symlink("data/raw/train.csv", root.join("train.csv")).expect("link");
    std::os::unix::fs::symlink("raw", root.join("data/current")).expect("link");
    // The run fails unless both are symlinks in its copy and resolve inside it.
    let cmd = "test -L train.csv && test -L data/current \
               && case \"$(readlink -f train.csv)\" in \"$PWD\"/*) ;; *) exit 9;; esac \
               && cat train.csv data/current/train.csv > out.txt";
    let o = verify(root, &["--format", "json", "--no-probes", "--cmd", cmd]);
    assert_eq!(o.code, Some(0), "{}", o.show());
    let json = o.json();
    assert_eq!(json["verdict"], "bit_exact", "{}", o.show());
    assert_eq!(json["copy"]["symlinks"], 2, "{}", o.show());
    assert!(dropped(&json).is_empty(), "{}", o.show());
    let out = json["artifacts"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["path"] == "out.txt"))
        .unwrap_or_else(|| panic!("no out.txt: {}", o.show()));
    assert_eq!(out["size_a"], 16);
    // The user's links are untouched.
    assert!(fs::symlink_metadata(root.join("train.csv"))
        .expect("lstat")
        .file_type()
        .is_symlink());
}

#[test]
fn outside_symlinks_and_fifos_are_left_out_and_reported_without_hanging() {
    let outside = tempfile::tempdir().expect("tempdir");
    fs::write(outside.path().join("secret.txt"), "not yours\n").expect("write");
    let dir = project(&[("README.md", "# p\n"), ("train.py", "print('hi')\n")]);
    let root = dir.path();
    std::os::unix::fs::symlink(outside.path().join("secret.txt"), root.join("secret.txt"))
        .expect("link");
    std::os::unix::fs::symlink(outside.path(), root.join("shared")).expect("link");
    std::os::unix::fs::symlink("missing.txt", root.join("broken.txt")).expect("link");
    let fifo = mkfifo(&root.join("pipe"));
    let cmd = "test ! -e secret.txt && test ! -e shared && test ! -e pipe \
               && test ! -L broken.txt && echo ok > out.txt";
    let started = Instant::now();
    let o = verify(root, &["--format", "json", "--no-probes", "--cmd", cmd]);
    assert!(started.elapsed() < LIMIT, "verify hung");
    assert_eq!(o.code, Some(0), "{}", o.show());
    let json = o.json();
    let got = dropped(&json);
    let want = |path: &str, kind: &str| {
        assert!(
            got.iter().any(|(p, k)| p == path && k == kind),
            "{path} ({kind}) not reported: {got:?}"
        );
    };
    want("secret.txt", "symlink");
    want("shared", "symlink");
    want("broken.txt", "symlink");
    if fifo {
        want("pipe", "fifo");
    }
    for d in json["copy"]["dropped"].as_array().into_iter().flatten() {
        assert!(
            d["why"].as_str().is_some_and(|w| !w.is_empty()),
            "no reason: {d}"
        );
    }
    let why = json["copy"]["dropped"]
        .as_array()
        .and_then(|a| a.iter().find(|d| d["path"] == "secret.txt"))
        .and_then(|d| d["why"].as_str())
        .unwrap_or("");
    assert!(why.contains("outside the project"), "{why}");
    // `copy.dropped` is in the schema `reproscale schema verify` prints.
    let schema = reproscale::schema::schema("verify").expect("schema");
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(
        serde_json::to_string(&schema).is_ok_and(|s| s.contains("DroppedKind")),
        "the schema names DroppedKind"
    );

    // The text summary names each one too.
    let o = verify(root, &["--no-probes", "--cmd", cmd]);
    assert_eq!(o.code, Some(0), "{}", o.show());
    assert!(o.stdout.contains("left out of the copies"), "{}", o.show());
    for path in [
        "secret.txt (symlink)",
        "shared (symlink)",
        "broken.txt (symlink)",
    ] {
        assert!(o.stdout.contains(path), "{path}: {}", o.show());
    }
    if fifo {
        assert!(o.stdout.contains("pipe (fifo)"), "{}", o.show());
    }
}

#[test]
fn a_fifo_declared_as_an_output_is_compared_without_blocking() {
    let dir = project(&[
        ("README.md", "# p\n"),
        (
            "reproscale.toml",
            "artifacts = [\"out/pipe\", \"out/a.txt\"]\n",
        ),
    ]);
    if !mkfifo(&dir.path().join("probe-fifo")) {
        return;
    }
    fs::remove_file(dir.path().join("probe-fifo")).expect("rm");
    let cmd = "mkdir -p out && mkfifo out/pipe && echo 1 > out/a.txt";
    let started = Instant::now();
    let o = verify(
        dir.path(),
        &["--format", "json", "--no-probes", "--cmd", cmd],
    );
    assert!(started.elapsed() < LIMIT, "verify hung");
    assert_eq!(o.code, Some(1), "{}", o.show());
    let json = o.json();
    let artifacts = json["artifacts"].as_array().cloned().unwrap_or_default();
    let find = |path: &str| {
        artifacts
            .iter()
            .find(|x| x["path"] == path)
            .cloned()
            .unwrap_or_else(|| panic!("no {path}: {}", o.show()))
    };
    assert_eq!(find("out/a.txt")["verdict"], "bit_exact");
    let p = find("out/pipe");
    assert_eq!(p["verdict"], "differs", "{}", o.show());
    assert!(
        p["note"]
            .as_str()
            .is_some_and(|n| n.contains("not a regular file")),
        "{p}"
    );
}

#[test]
fn the_reported_phases_add_up_to_the_real_wall_time() {
    let dir = project(&[("README.md", "# p\n")]);
    let cmd = "python3 -c \"import os\nos.makedirs('outputs/a', exist_ok=True)\nos.makedirs('outputs/b', exist_ok=True)\nfor i in range(2000):\n    open('outputs/%s/f%04d.txt' % ('ab'[i % 2], i), 'w').write('v %d\\n' % i)\n\"";
    let started = Instant::now();
    let o = verify(
        dir.path(),
        &["--format", "json", "--no-probes", "--cmd", cmd],
    );
    let elapsed = started.elapsed().as_secs_f64();
    if o.code == Some(3) && o.stdout.contains("python3") {
        // No Python here: nothing to time.
        return;
    }
    assert_eq!(o.code, Some(0), "{}", o.show());
    let json = o.json();
    let t = &json["timing"];
    let f = |k: &str| {
        t[k].as_f64()
            .unwrap_or_else(|| panic!("timing.{k} missing: {t}"))
    };
    let phases = [
        "setup_seconds",
        "copy_seconds",
        "runs_seconds",
        "collect_seconds",
        "compare_seconds",
        "probes_seconds",
        "cleanup_seconds",
        "fingerprint_seconds",
    ];
    for k in phases.iter().chain(&["other_seconds", "total_seconds"]) {
        assert!(f(k) >= 0.0, "{k}: {t}");
    }
    let sum: f64 = phases.iter().map(|k| f(k)).sum();
    let total = f("total_seconds");
    assert!(total + 1e-6 >= sum, "total {total} < phases {sum}: {t}");
    assert!(
        (total - sum - f("other_seconds")).abs() < 1e-6,
        "other is not total less the phases: {t}"
    );
    assert!(total <= elapsed, "total {total} > real {elapsed}: {t}");
    // The runs are most of the time; the rest is verify's own and small.
    assert!(f("runs_seconds") >= f("slowest_run_seconds") - 1e-6, "{t}");
    assert_eq!(t["compared_files"], 2000, "{t}");
    assert_eq!(json["artifacts"].as_array().map(Vec::len), Some(2000));
    assert_eq!(json["verdict"], "bit_exact");
}

#[test]
fn thousands_of_artifacts_are_summarised_in_text_and_listed_in_json() {
    let dir = project(&[("README.md", "# p\n")]);
    // 300 files, one of which (`t.txt`) holds the time: differs.
    let cmd = "python3 -c \"import os, time\nos.makedirs('outputs', exist_ok=True)\nfor i in range(300):\n    open('outputs/f%03d.txt' % i, 'w').write('v %d\\n' % i)\nopen('outputs/t.txt', 'w').write(repr(time.time_ns()))\n\"";
    let o = verify(dir.path(), &["--no-probes", "--cmd", cmd]);
    if o.code == Some(3) && o.stdout.contains("python3") {
        return;
    }
    assert_eq!(o.code, Some(1), "{}", o.show());
    assert!(
        o.stdout
            .contains("(301 artifacts: 300 byte-identical and not listed;"),
        "{}",
        o.show()
    );
    assert!(o.stdout.contains("outputs/t.txt"), "{}", o.show());
    assert!(!o.stdout.contains("outputs/f000.txt"), "{}", o.show());
    assert!(o.stdout.lines().count() < 80, "{}", o.show());
}
