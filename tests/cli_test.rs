//! The binary's contract: exit codes, formats, errors, pipes, colour.

mod common;

use assert_cmd::Command;
use predicates::prelude::*;

fn bin() -> Command {
    let mut c = Command::cargo_bin("reproscale").expect("binary");
    c.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    c
}

#[test]
fn assess_is_the_default_command_and_prints_stars() {
    let dir = common::fixture_copy("seed-from-config");
    bin()
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("★★☆☆☆ 2/5 (static)"))
        .stdout(predicate::str::contains("2.2 seeds-in-config"));
}

#[test]
fn min_stars_exits_1_when_below_and_0_when_met() {
    let dir = common::fixture_copy("seed-from-config");
    bin()
        .args(["assess", "--min-stars", "3"])
        .arg(dir.path())
        .assert()
        .code(1);
    bin()
        .args(["assess", "--min-stars", "2"])
        .arg(dir.path())
        .assert()
        .code(0);
}

#[test]
fn missing_path_is_a_one_line_usage_error() {
    let out = bin()
        .args(["assess", "/definitely/not/here"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: cannot read project at '/definitely/not/here'"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_flags_exit_2() {
    bin()
        .args(["assess", "--format", "yaml", "."])
        .assert()
        .code(2);
    bin()
        .args(["assess", "--min-stars", "9", "."])
        .assert()
        .code(2);
    bin().args(["--no-such-flag"]).assert().code(2);
}

#[test]
fn help_and_version_exit_0() {
    bin()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("assess"));
    bin()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn json_follows_schema_version_1() {
    let dir = common::fixture_copy("seed-literal-in-code");
    let out = bin()
        .args(["assess", "--format", "json"])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["tool"]["name"], "reproscale");
    assert_eq!(v["tool"]["version"], env!("CARGO_PKG_VERSION"));
    assert!(v["project"].get("commit").is_some() && v["project"].get("dirty").is_some());
    assert_eq!(v["basis"], "static");
    assert_eq!(v["stars"], 1);
    let stages = v["stages"].as_array().expect("stages");
    assert_eq!(stages.len(), 5);
    assert_eq!(stages[0]["name"], "code");
    assert_eq!(stages[0]["passed"], true);
    assert_eq!(
        (stages[1]["met"].as_u64(), stages[1]["total"].as_u64()),
        (Some(2), Some(4))
    );
    let criteria = v["criteria"].as_array().expect("criteria");
    assert_eq!(criteria.len(), 16);
    for c in criteria {
        for key in [
            "id",
            "slug",
            "stage",
            "status",
            "basis",
            "summary",
            "evidence",
            "looked_for",
        ] {
            assert!(c.get(key).is_some(), "criterion lacks {key}: {c}");
        }
    }
    let c22 = criteria.iter().find(|c| c["id"] == "2.2").expect("2.2");
    assert_eq!(c22["status"], "partial");
    assert!(c22["fix"].as_str().is_some_and(|f| !f.is_empty()));
    assert!(c22["evidence"][0]["line"].as_u64().is_some());
    for c in criteria {
        assert_ne!(
            c["status"], "unknown",
            "every criterion is assessed on an ordinary project: {c}"
        );
    }
    assert!(stages.iter().all(|s| s["assessed"] == true));
    assert!(v["findings"].is_array());
    assert!(v["skipped"].is_array());
}

#[test]
fn skipped_files_are_listed_in_json() {
    let dir = common::fixture_copy("binary-and-huge");
    let out = bin()
        .args(["--format", "json"])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
    let skipped = v["skipped"].as_array().expect("skipped");
    assert!(
        skipped
            .iter()
            .any(|s| s["reason"].as_str().is_some_and(|r| r.contains("binary"))),
        "{skipped:?}"
    );
}

#[test]
fn criteria_lists_sixteen_from_the_catalogue() {
    let out = bin()
        .args(["criteria", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
    let items = v.as_array().expect("array");
    assert_eq!(items.len(), 16);
    assert_eq!(items[4]["id"], "2.2");
    assert_eq!(items[4]["slug"], "seeds-in-config");
    assert_eq!(items[4]["stage"], 2);
    bin()
        .arg("criteria")
        .assert()
        .success()
        .stdout(predicate::str::contains("5.2  run-comparison"));
}

#[test]
fn explain_prints_every_section_for_criteria_and_rules() {
    for id in ["2.2", "seeds-in-config"] {
        bin()
            .args(["explain", id])
            .assert()
            .success()
            .stdout(predicate::str::contains("What it means"))
            .stdout(predicate::str::contains("Why it matters"))
            .stdout(predicate::str::contains("How reproscale detects it"))
            .stdout(predicate::str::contains("How to fix it"));
    }
    bin()
        .args(["explain", "unseeded-rng"])
        .assert()
        .success()
        .stdout(predicate::str::contains("criterion 1.3"));
}

#[test]
fn explain_unknown_id_suggests_the_closest() {
    bin()
        .args(["explain", "seeds-in-confg"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean 'seeds-in-config'"));
}

#[test]
fn piped_output_has_no_colour_codes() {
    let dir = common::fixture_copy("unseeded-numpy");
    let out = bin()
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(!out.contains(&0x1b), "ANSI escape in piped output");
    let forced = bin()
        .env("CLICOLOR_FORCE", "1")
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(forced.contains(&0x1b), "CLICOLOR_FORCE should colour");
    let no = bin()
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(!no.contains(&0x1b), "NO_COLOR must win");
}

#[test]
fn closed_pipe_is_a_clean_exit() {
    use std::io::Read;
    use std::process::{Command as Std, Stdio};
    // Far more output than a pipe buffer holds, so the write really hits the closed pipe.
    let dir = tempfile::tempdir().expect("tempdir");
    let body = "import random\n".to_string() + &"x = random.random()\n".repeat(50);
    for i in 0..200 {
        std::fs::write(dir.path().join(format!("m{i}.py")), &body).expect("write");
    }
    let mut child = Std::new(assert_cmd::cargo::cargo_bin("reproscale"))
        .args(["--format", "json"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // Read one byte, then close the pipe, like `| head -c1`.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut one = [0u8; 1];
    let _ = stdout.read(&mut one);
    drop(stdout);
    let out = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        out.status.code().is_some_and(|c| c == 0),
        "{:?} {err}",
        out.status
    );
}

#[test]
fn markdown_and_sarif_formats() {
    let dir = common::fixture_copy("seed-literal-in-code");
    bin()
        .args(["--format", "markdown"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::starts_with("## reproscale: ★"));
    let out = bin()
        .args(["--format", "sarif"])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("sarif json");
    assert_eq!(v["version"], "2.1.0");
    assert_eq!(v["runs"][0]["tool"]["driver"]["name"], "reproscale");
}

#[test]
fn git_that_cannot_run_is_an_environment_error_not_a_usage_error() {
    // No git on PATH: cloning cannot start, which is the machine's fault (3).
    let empty = tempfile::tempdir().expect("tempdir");
    let out = bin()
        .env("PATH", empty.path())
        .args(["assess", "https://example.invalid/org/repo.git"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("cannot run git"), "{stderr}");
    // A revision that does not exist is the input's fault (2).
    let repo = tempfile::tempdir().expect("tempdir");
    std::fs::write(repo.path().join("a.py"), "x = 1\n").expect("write");
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .arg("-C")
            .arg(repo.path())
            .args(["-c", "user.name=t", "-c", "user.email=t@t"])
            .args(args)
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "x"]);
    bin()
        .args(["assess", "--rev", "no-such-rev"])
        .arg(repo.path())
        .assert()
        .code(2);
}
