//! `reproscale report` and `reproscale badge` from the command line: what is
//! written, what is refused, exit codes, and that nothing else is touched.

mod common;

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn bin() -> Command {
    Command::cargo_bin("reproscale").expect("binary")
}

fn example(name: &str) -> tempfile::TempDir {
    common::dir_copy(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(name),
    )
}

fn stars(dir: &Path) -> u64 {
    let out = bin()
        .args(["--format", "json"])
        .arg(dir)
        .assert()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
    v["stars"].as_u64().expect("stars")
}

fn listing(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for e in walk(dir) {
        let rel = e.strip_prefix(dir).expect("prefix").display().to_string();
        out.push((rel, fs::read(&e).expect("read")));
    }
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).expect("read_dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn report_writes_only_its_file_regenerates_identically_and_checks_clean() {
    let dir = example("literal-seed");
    let before = listing(dir.path());
    let stars_before = stars(dir.path());
    bin()
        .arg("report")
        .arg(dir.path())
        .assert()
        .success()
        .stderr(predicate::str::contains("wrote"));
    let mut after = listing(dir.path());
    after.retain(|(p, _)| p != "REPRODUCIBILITY.md");
    assert_eq!(before, after, "report touched another file");
    let first = fs::read_to_string(dir.path().join("REPRODUCIBILITY.md")).expect("written");
    assert!(first.starts_with("# Machine Learning Reproducibility Report"));
    assert!(!regex_like_placeholder(&first), "placeholder left");
    bin()
        .arg("report")
        .arg(dir.path())
        .assert()
        .success()
        .stderr(predicate::str::contains("regenerated"));
    assert_eq!(
        first,
        fs::read_to_string(dir.path().join("REPRODUCIBILITY.md")).expect("again")
    );
    bin()
        .args(["report", "--check"])
        .arg(dir.path())
        .assert()
        .code(0);
    // The report itself is not evidence: the stars do not move once it exists.
    assert_eq!(stars(dir.path()), stars_before);
}

fn regex_like_placeholder(s: &str) -> bool {
    s.split('{').skip(1).any(|rest| {
        rest.split('}').next().is_some_and(|inner| {
            !inner.is_empty()
                && inner
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == ' ')
        })
    })
}

#[test]
fn a_hand_written_report_is_refused_then_updated_with_its_wording_kept() {
    let dir = example("literal-seed");
    let mine = "# Machine Learning Reproducibility Report\n\nOur own words.\n\n## 1. Code\n- [ ] Runnable code: see train.py, run it with care\n";
    fs::write(dir.path().join("REPRODUCIBILITY.md"), mine).expect("write");
    bin()
        .arg("report")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--update"));
    assert_eq!(
        fs::read_to_string(dir.path().join("REPRODUCIBILITY.md")).expect("kept"),
        mine
    );
    bin()
        .args(["report", "--update"])
        .arg(dir.path())
        .assert()
        .success();
    let updated = fs::read_to_string(dir.path().join("REPRODUCIBILITY.md")).expect("updated");
    assert!(updated.contains("Our own words."));
    assert!(
        updated.contains("- [x] Runnable code: see train.py, run it with care"),
        "{updated}"
    );
}

#[test]
fn check_exit_codes_and_json() {
    let dir = example("literal-seed");
    bin()
        .args(["report", "--check"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no REPRODUCIBILITY.md"));
    bin().arg("report").arg(dir.path()).assert().success();
    let path = dir.path().join("REPRODUCIBILITY.md");
    let ticked = fs::read_to_string(&path)
        .expect("read")
        .replace("- [ ] ", "- [x] ");
    fs::write(&path, ticked).expect("write");
    let out = bin()
        .args(["report", "--check", "--format", "json"])
        .arg(dir.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
    let problems = v["problems"].as_array().expect("problems");
    assert!(
        problems.iter().any(|p| p["kind"] == "over_claim"),
        "{problems:?}"
    );
}

#[test]
fn a_binary_report_is_a_clean_error_and_nothing_is_written() {
    let dir = example("literal-seed");
    let path = dir.path().join("REPRODUCIBILITY.md");
    fs::write(&path, [0u8, 159, 146, 150, b'#']).expect("write");
    bin()
        .arg("report")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing was written"));
    bin()
        .args(["report", "--check"])
        .arg(dir.path())
        .assert()
        .code(2);
    assert_eq!(fs::read(&path).expect("kept"), [0u8, 159, 146, 150, b'#']);
}

#[test]
fn stdout_prints_without_writing() {
    let dir = example("seeded-config");
    bin()
        .args(["report", "--stdout"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("★★★★★ 5/5"));
    assert!(!dir.path().join("REPRODUCIBILITY.md").exists());
}

#[test]
fn badge_writes_svg_and_checks_the_readme() {
    let dir = example("seeded-config");
    let svg = dir.path().join("reproducibility.svg");
    bin()
        .args(["badge", "--output"])
        .arg(&svg)
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("reproducibility: 5/5"));
    assert!(fs::read_to_string(&svg).expect("svg").starts_with("<svg"));
    let readme = dir.path().join("README.md");
    let text = fs::read_to_string(&readme).expect("readme");
    bin()
        .args(["badge", "--check-readme"])
        .arg(dir.path())
        .assert()
        .code(1);
    fs::write(
        &readme,
        format!("![reproducibility: 5/5](reproducibility.svg)\n{text}"),
    )
    .expect("write");
    bin()
        .args(["badge", "--check-readme"])
        .arg(dir.path())
        .assert()
        .code(0);
    fs::write(
        &readme,
        format!("![reproducibility: 3/5](reproducibility.svg)\n{text}"),
    )
    .expect("write");
    bin()
        .args(["badge", "--check-readme"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("3/5"));
}
