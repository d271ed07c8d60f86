//! `reproscale verify` planning like a person (training before install/lint
//! targets, `--target`, `--dry-run` rankings), the causes joined to
//! differing artifacts, and inputs tracked by DVC that are not present
//! (`--with-data`). Small temp projects, `--no-probes`, each under a timeout.

mod common;

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    common::project_with("reproscale-verify-plan-", files)
}

struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Outcome {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!("not JSON ({e}):\n{}\nstderr:\n{}", self.stdout, self.stderr)
        })
    }
}

fn verify(dir: &Path, extra: &[&str]) -> Outcome {
    let out = Command::cargo_bin("reproscale")
        .expect("binary")
        .arg("verify")
        .arg(dir)
        .args(["--no-probes", "--timeout", "60"])
        .args(extra)
        .timeout(Duration::from_secs(120))
        .output()
        .expect("run");
    Outcome {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

const DETERMINISTIC: &str = "with open('out.txt', 'w') as f:\n    f.write('42\\n')\n";

const MAKEFILE: &str = ".PHONY: install train lint\ninstall:\n\tpip install -r requirements.txt\n\ntrain:\n\tpython3 train.py\n\nlint:\n\tflake8 .\n";

fn make_project() -> tempfile::TempDir {
    project(&[
        ("requirements.txt", "numpy\n"),
        ("train.py", DETERMINISTIC),
        ("Makefile", MAKEFILE),
    ])
}

#[test]
fn train_target_beats_the_install_default_and_install_is_an_alternative() {
    let dir = make_project();
    let o = verify(dir.path(), &["--format", "json"]);
    let j = o.json();
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    assert_eq!(j["verdict"], "bit_exact", "{j:#}");
    assert_eq!(j["command"]["source"], "Makefile");
    assert_eq!(j["command"]["commands"], serde_json::json!(["make train"]));
    let alts = j["command"]["alternatives"]
        .as_array()
        .expect("alternatives");
    let install = alts
        .iter()
        .find(|a| a["commands"] == serde_json::json!(["make install"]))
        .unwrap_or_else(|| panic!("install listed: {alts:#?}"));
    let why = install["why_not"].as_str().unwrap_or("");
    assert!(why.contains("installs packages"), "{why}");
    assert!(alts
        .iter()
        .any(|a| a["commands"] == serde_json::json!(["make lint"])));
}

#[test]
fn target_picks_a_make_target_and_a_bad_name_errors_in_one_line() {
    let dir = make_project();
    let o = verify(dir.path(), &["--dry-run", "--target", "lint"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.contains("lint: make lint"),
        "--target runs what it names, even a lint target:\n{}",
        o.stdout
    );

    let o = verify(dir.path(), &["--target", "nope"]);
    assert_eq!(o.code, 2, "{}\n{}", o.stdout, o.stderr);
    let line = o.stderr.trim();
    assert_eq!(line.lines().count(), 1, "one line: {line}");
    assert!(line.contains("`nope`"), "{line}");
    assert!(
        line.contains("install, train, lint"),
        "names the targets there are: {line}"
    );
}

#[test]
fn target_picks_a_dvc_stage_with_the_stages_it_needs() {
    let dir = project(&[
        ("prepare.py", "open('a.txt', 'w').write('a')\n"),
        ("train.py", "open('b.txt', 'w').write(open('a.txt').read())\n"),
        ("report.py", "open('c.txt', 'w').write('c')\n"),
        (
            "dvc.yaml",
            "stages:\n  prepare:\n    cmd: python3 prepare.py\n    outs: [a.txt]\n  train:\n    cmd: python3 train.py\n    deps: [a.txt]\n    outs: [b.txt]\n  report:\n    cmd: python3 report.py\n    outs: [c.txt]\n",
        ),
    ]);
    let o = verify(
        dir.path(),
        &["--dry-run", "--target", "train", "--format", "json"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let j = o.json();
    assert_eq!(
        j["command"]["stages"],
        serde_json::json!(["prepare", "train"]),
        "{j:#}"
    );
}

#[test]
fn dry_run_shows_the_ranking() {
    let dir = make_project();
    let o = verify(dir.path(), &["--dry-run"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("train: make train"), "{}", o.stdout);
    assert!(o.stdout.contains("alternatives"), "{}", o.stdout);
    assert!(o.stdout.contains("make install"), "{}", o.stdout);
    assert!(o.stdout.contains("dry run"), "{}", o.stdout);
}

#[test]
fn unseeded_random_is_named_as_the_cause_with_its_line() {
    let dir = project(&[
        ("reproscale.toml", "run = \"python3 train.py\"\n"),
        (
            "train.py",
            "import random\n\nwith open('out.txt', 'w') as f:\n    f.write(str(random.random()))\n",
        ),
    ]);
    let o = verify(dir.path(), &["--format", "json"]);
    assert_eq!(o.code, 1, "{}\n{}", o.stdout, o.stderr);
    let j = o.json();
    assert_eq!(j["verdict"], "differs");
    let causes = j["causes"].as_array().expect("causes");
    let c = causes
        .iter()
        .find(|c| c["rule"] == "unseeded-rng")
        .unwrap_or_else(|| panic!("unseeded-rng named: {j:#}"));
    assert_eq!(c["path"], "train.py");
    assert_eq!(c["line"], 4);
    assert_eq!(c["artifact"], "out.txt");

    let o = verify(dir.path(), &[]);
    assert!(o.stdout.contains("likely causes"), "{}", o.stdout);
    assert!(o.stdout.contains("train.py:4"), "{}", o.stdout);
}

#[test]
fn a_difference_without_a_finding_says_no_known_cause() {
    let dir = project(&[("README.md", "# nothing\n")]);
    let o = verify(
        dir.path(),
        &["--cmd", "date +%s%N > stamp.txt", "--format", "json"],
    );
    assert_eq!(o.code, 1, "{}\n{}", o.stdout, o.stderr);
    let j = o.json();
    assert_eq!(j["causes"], serde_json::json!([]), "{j:#}");
    let note = j["causes_note"].as_str().unwrap_or("");
    assert!(note.starts_with("no known cause"), "{note}");
    assert!(note.contains("stamp.txt"), "{note}");

    let o = verify(dir.path(), &["--cmd", "date +%s%N > stamp.txt"]);
    assert!(o.stdout.contains("no known cause"), "{}", o.stdout);
}

fn dvc_project() -> tempfile::TempDir {
    project(&[
        (
            "prepare.py",
            "with open('data/raw.csv') as f, open('prepared.txt', 'w') as g:\n    g.write(f.read().upper())\n",
        ),
        (
            "dvc.yaml",
            "stages:\n  prepare:\n    cmd: python3 prepare.py\n    deps:\n      - prepare.py\n      - data/raw.csv\n    outs:\n      - prepared.txt\n",
        ),
        (
            "data/raw.csv.dvc",
            "outs:\n- md5: 0123456789abcdef0123456789abcdef\n  size: 4\n  path: raw.csv\n",
        ),
    ])
}

#[test]
fn an_absent_dvc_tracked_input_stops_with_the_dvc_pull_hint_and_with_data_runs() {
    let dir = dvc_project();
    let o = verify(dir.path(), &["--format", "json"]);
    assert_eq!(o.code, 3, "{}\n{}", o.stdout, o.stderr);
    let j = o.json();
    assert_eq!(j["verdict"], "run_failed");
    let failure = j["failure"].as_str().unwrap_or("");
    assert!(
        failure.contains("data/raw.csv is tracked by DVC") && failure.contains("`dvc pull`"),
        "{failure}"
    );
    assert!(failure.contains("--with-data"), "{failure}");
    assert_eq!(j["runs"], serde_json::json!([]), "nothing ran: {j:#}");

    let data = project(&[("data/raw.csv", "a,b\n")]);
    let with = data.path().display().to_string();
    let o = verify(dir.path(), &["--with-data", &with, "--format", "json"]);
    assert_eq!(o.code, 0, "{}\n{}", o.stdout, o.stderr);
    let j = o.json();
    assert_eq!(j["verdict"], "bit_exact", "{j:#}");
    assert!(
        !dir.path().join("data/raw.csv").exists(),
        "the user's tree is untouched"
    );
}

/// An MLproject entry point other than `main` keeps its own name in the plan.
#[test]
fn an_mlproject_entry_point_is_named_for_itself() {
    let dir = project(&[
        ("train.py", DETERMINISTIC),
        (
            "MLproject",
            "name: demo\nentry_points:\n  main:\n    command: \"python3 train.py\"\n  evaluate:\n    command: \"python3 train.py\"\n",
        ),
    ]);
    let o = verify(
        dir.path(),
        &["--dry-run", "--target", "evaluate", "--format", "json"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(
        o.json()["command"]["stages"],
        serde_json::json!(["evaluate"]),
        "{}",
        o.stdout
    );
}
