//! Hostile inputs: every case runs under a timeout and asserts the exit code and, where
//! the command refuses, a one-line error. Each reproduces a defect found by attacking
//! the tool (deep nesting, FIFOs, device files, closed stderr, endless input).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use assert_cmd::Command;

const LIMIT: Duration = Duration::from_secs(60);

fn bin() -> Command {
    let mut c = Command::cargo_bin("reproscale").expect("binary");
    c.env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env("NO_COLOR", "1")
        .timeout(LIMIT);
    c
}

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("reproscale-hostile-")
        .tempdir()
        .expect("tempdir");
    for (path, text) in files {
        let full = dir.path().join(path);
        fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        fs::write(full, text).expect("write");
    }
    dir
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo");
    assert!(status.success());
}

/// The run's stderr is exactly one non-empty line starting with `error:`.
fn one_line_error(out: &std::process::Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one error line, got: {err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    lines[0].to_string()
}

fn assess_ok(dir: &Path) -> String {
    let out = bin().arg("assess").arg(dir).output().expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

// 1. Deep expressions: skipped with a reason, never a stack overflow.

#[test]
fn deeply_nested_calls_are_skipped_with_a_reason() {
    let src = format!("x = {}1{}\n", "f(".repeat(6_000), ")".repeat(6_000));
    let dir = project(&[("a.py", &src), ("train.py", "print(1)\n")]);
    let out = assess_ok(dir.path());
    assert!(out.contains("too many nested brackets"), "{out}");
}

#[test]
fn long_operator_and_attribute_chains_are_skipped_with_a_reason() {
    for src in [
        format!("x = {}1\n", "-".repeat(30_000)),
        format!("x = a{}\n", ".b".repeat(200_000)),
        format!("x = {}\n", vec!["1"; 200_000].join("+")),
        format!("x = {}y\n", "not ".repeat(20_000)),
    ] {
        let dir = project(&[("a.py", &src)]);
        let out = assess_ok(dir.path());
        assert!(out.contains("nests more than"), "{out}");
    }
}

#[test]
fn deep_nesting_in_a_notebook_is_skipped_too() {
    let code = format!("x = {}1", "-".repeat(30_000));
    let nb = serde_json::json!({
        "cells": [{"cell_type": "code", "source": [code], "metadata": {}, "outputs": []}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5
    });
    let dir = project(&[("a.ipynb", &nb.to_string())]);
    let out = assess_ok(dir.path());
    assert!(out.contains("nests more than"), "{out}");
}

// 2. Chains Python still compiles are analysed, in time linear in their length.

#[test]
fn chains_within_pythons_limits_are_analysed_quickly() {
    let src = format!(
        "import numpy as np\nnp.random.seed(0)\nx = a{}\ny = a{}\nz = a{}\n",
        ".b".repeat(2_000),
        ".b()".repeat(1_000),
        "[0]".repeat(1_000)
    );
    let dir = project(&[("train.py", &src)]);
    let started = std::time::Instant::now();
    let out = assess_ok(dir.path());
    assert!(!out.contains("does not parse"), "{out}");
    // Generous for a debug build on a loaded machine; the defect took over a minute.
    assert!(started.elapsed() < Duration::from_secs(30));
}

// 3. FIFOs where a file is read: never block.

#[test]
fn fifos_named_like_ignore_files_do_not_block_the_walk() {
    for name in [".gitignore", ".ignore", "sub/.gitignore"] {
        let dir = project(&[("a.py", "print(1)\n"), ("sub/b.py", "print(2)\n")]);
        mkfifo(&dir.path().join(name));
        let out = assess_ok(dir.path());
        assert!(out.contains("not a regular file"), "{name}: {out}");
    }
}

#[test]
fn fifos_in_the_git_folder_do_not_block() {
    for name in ["HEAD", "info/exclude"] {
        let dir = project(&[("a.py", "print(1)\n")]);
        let git = std::process::Command::new("git")
            .args(["init", "-q"])
            .current_dir(dir.path())
            .status()
            .expect("git");
        assert!(git.success());
        let file = dir.path().join(".git").join(name);
        fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
        let _ = fs::remove_file(&file);
        mkfifo(&file);
        let out = assess_ok(dir.path());
        assert!(out.contains("git metadata not read"), "{name}: {out}");
    }
}

#[test]
fn a_fifo_report_file_is_refused_not_waited_on() {
    let dir = project(&[("a.py", "print(1)\n")]);
    mkfifo(&dir.path().join("REPRODUCIBILITY.md"));
    let out = bin()
        .args(["report", "--check"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(one_line_error(&out).contains("not a regular file"));
}

// 4. Output targets that are not regular files.

#[test]
fn badge_output_refuses_fifos_and_folders_and_writes_through_symlinks() {
    let dir = project(&[("a.py", "print(1)\n")]);
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo);
    let out = bin()
        .arg("badge")
        .arg(dir.path())
        .arg("--output")
        .arg(&fifo)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(one_line_error(&out).contains("not a regular file"));
    assert!(fs::symlink_metadata(&fifo)
        .expect("still there")
        .file_type()
        .is_fifo_like());

    let out = bin()
        .arg("badge")
        .arg(dir.path())
        .arg("--output")
        .arg(dir.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(one_line_error(&out).contains("a folder"));

    let real = dir.path().join("real.svg");
    fs::write(&real, "old").expect("write");
    fs::set_permissions(&real, fs::Permissions::from_mode(0o644)).expect("chmod");
    let link = dir.path().join("link.svg");
    std::os::unix::fs::symlink("real.svg", &link).expect("symlink");
    bin()
        .arg("badge")
        .arg(dir.path())
        .arg("--output")
        .arg(&link)
        .assert()
        .code(0);
    assert!(fs::symlink_metadata(&link)
        .expect("link")
        .file_type()
        .is_symlink());
    let written = fs::read_to_string(&real).expect("read");
    assert!(written.starts_with("<svg"), "{written}");
    let mode = fs::metadata(&real).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o644);

    let out = bin()
        .arg("badge")
        .arg(dir.path())
        .args(["--output", "-"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("<svg"));
}

trait FifoLike {
    fn is_fifo_like(&self) -> bool;
}

impl FifoLike for fs::FileType {
    fn is_fifo_like(&self) -> bool {
        std::os::unix::fs::FileTypeExt::is_fifo(self)
    }
}

#[test]
fn report_keeps_the_mode_of_an_existing_file_and_new_files_are_not_private() {
    let dir = project(&[("a.py", "print(1)\n")]);
    bin().arg("report").arg(dir.path()).assert().code(0);
    let file = dir.path().join("REPRODUCIBILITY.md");
    let mode = fs::metadata(&file).expect("meta").permissions().mode() & 0o777;
    assert_ne!(mode, 0o600, "a new report must not be private");
    fs::set_permissions(&file, fs::Permissions::from_mode(0o664)).expect("chmod");
    bin()
        .args(["report", "--force"])
        .arg(dir.path())
        .assert()
        .code(0);
    let mode = fs::metadata(&file).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o664);
}

#[test]
fn report_refuses_a_symlink_that_leaves_the_project() {
    let outside = project(&[("elsewhere.md", "someone else's file\n")]);
    let dir = project(&[("a.py", "print(1)\n")]);
    std::os::unix::fs::symlink(
        outside.path().join("elsewhere.md"),
        dir.path().join("REPRODUCIBILITY.md"),
    )
    .expect("symlink");
    for flag in ["--update", "--check"] {
        let out = bin()
            .arg("report")
            .arg(flag)
            .arg(dir.path())
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(2), "{flag}");
        assert!(one_line_error(&out).contains("leaves the project"));
    }
    let kept = fs::read_to_string(outside.path().join("elsewhere.md")).expect("read");
    assert_eq!(kept, "someone else's file\n");
    assert!(fs::symlink_metadata(dir.path().join("REPRODUCIBILITY.md"))
        .expect("link")
        .file_type()
        .is_symlink());
}

#[test]
fn report_on_a_bare_repository_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bare = dir.path().join("p.git");
    let ok = std::process::Command::new("git")
        .args(["init", "-q", "--bare"])
        .arg(&bare)
        .status()
        .expect("git");
    assert!(ok.success());
    let out = bin().arg("report").arg(&bare).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(one_line_error(&out).contains("bare repository"));
    assert!(!bare.join("REPRODUCIBILITY.md").exists());
}

// 5. A stderr that cannot be written is not a crash.

#[test]
fn a_full_stderr_does_not_panic() {
    let full = fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("reproscale"))
        .args(["assess", "/nonexistent/project"])
        .stderr(Stdio::from(full))
        .stdout(Stdio::null())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}

// 6. Endless input to `rank --from`.

#[test]
fn rank_from_an_endless_file_stops_with_a_clear_error() {
    let db = tempfile::tempdir().expect("tempdir");
    let out = bin()
        .args(["rank", "--from", "/dev/zero", "--db"])
        .arg(db.path().join("r.sqlite"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(one_line_error(&out).contains("line longer than"));
}

// 10. Smaller defects.

#[test]
fn rank_list_on_a_mistyped_path_creates_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("typo.sqlite");
    let out = bin()
        .args(["rank", "list", "--db"])
        .arg(&db)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(one_line_error(&out).contains("no database"));
    assert!(!db.exists());
}

#[test]
fn rank_merge_with_a_missing_input_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let into = dir.path().join("all.sqlite");
    let out = bin()
        .args(["rank", "merge"])
        .arg(dir.path().join("missing.sqlite"))
        .arg("--into")
        .arg(&into)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(one_line_error(&out).contains("no database"));
    assert!(!into.exists());
}

#[test]
fn serve_refuses_a_file_that_is_not_a_database() {
    let dir = project(&[("notes.txt", "this is not SQLite\n")]);
    let out = bin()
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("notes.txt"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(one_line_error(&out).contains("not a SQLite database"));
}

#[test]
fn argument_errors_are_one_line() {
    let out = bin()
        .args(["assess", "--no-such-flag"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(one_line_error(&out).contains("--no-such-flag"));
}

#[test]
fn control_characters_in_file_names_are_escaped_in_text_output() {
    let dir = project(&[("a\u{202e}b\nc.py", "x = (\n")]);
    let out = assess_ok(dir.path());
    assert!(out.contains("a\\u{202e}b\\nc.py"), "{out}");
    assert!(!out.contains('\u{202e}'));
}

#[test]
fn a_non_utf8_settings_file_is_an_error_not_ignored() {
    let dir = project(&[("a.py", "print(1)\n")]);
    fs::write(
        dir.path().join("reproscale.toml"),
        b"exclude = [\"\xff\xfe\"]\n",
    )
    .expect("write");
    let out = bin().arg("assess").arg(dir.path()).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(one_line_error(&out).contains("reproscale.toml"));
}

#[test]
fn a_tab_error_is_not_counted_as_parsing() {
    let dir = project(&[("train.py", "if True:\n        a = 1\n\tb = 2\n")]);
    let out = assess_ok(dir.path());
    assert!(out.contains("TabError"), "{out}");
}
