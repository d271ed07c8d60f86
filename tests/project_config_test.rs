//! `[tool.reproscale]` / `reproscale.toml`: excludes, overrides with reasons,
//! and unknown keys rejected with a suggestion.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in files {
        let p = dir.path().join(path);
        fs::create_dir_all(p.parent().unwrap_or(Path::new("."))).expect("mkdir");
        fs::write(p, text).expect("write");
    }
    dir
}

const TRAIN: &str = "import random\nrandom.seed(1)\nif __name__ == '__main__':\n    pass\n";

fn json(dir: &Path) -> serde_json::Value {
    let out = Command::cargo_bin("reproscale")
        .expect("bin")
        .args(["--format", "json"])
        .arg(dir)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).expect("json")
}

#[test]
fn excluded_scratch_code_is_left_out_and_listed() {
    let dir = project(&[
        ("train.py", TRAIN),
        ("scratch/old.py", "import numpy as np\nnp.random.rand()\n"),
        ("reproscale.toml", "exclude = [\"scratch/\"]\n"),
    ]);
    let v = json(dir.path());
    let findings = v["findings"].as_array().expect("findings");
    assert!(
        findings
            .iter()
            .all(|f| !f["path"].as_str().unwrap_or("").starts_with("scratch/")),
        "{findings:?}"
    );
    let skipped = v["skipped"].as_array().expect("skipped");
    assert!(
        skipped.iter().any(|s| s["path"] == "scratch/"
            && s["reason"]
                .as_str()
                .is_some_and(|r| r.contains("excluded by reproscale.toml (1 file(s))"))),
        "{skipped:?}"
    );
}

#[test]
fn an_override_sets_the_status_and_shows_its_reason_everywhere() {
    let dir = project(&[
        ("train.py", TRAIN),
        ("pyproject.toml", "[project]\nname = \"x\"\n\n[tool.reproscale.overrides]\n\"1.2\" = { status = \"not_applicable\", reason = \"synthetic data generated in code\" }\n"),
    ]);
    let v = json(dir.path());
    let c = v["criteria"]
        .as_array()
        .expect("criteria")
        .iter()
        .find(|c| c["id"] == "1.2")
        .expect("1.2")
        .clone();
    assert_eq!(c["status"], "not_applicable");
    assert_eq!(c["override"]["reason"], "synthetic data generated in code");
    assert_eq!(c["override"]["assessed_status"], "fail");
    assert!(c.get("fix").is_none());
    Command::cargo_bin("reproscale")
        .expect("bin")
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "overridden by pyproject.toml [tool.reproscale]: synthetic data generated in code",
        ));
}

#[test]
fn a_typo_in_the_settings_is_a_usage_error_with_a_suggestion() {
    let dir = project(&[
        ("train.py", TRAIN),
        ("reproscale.toml", "exlude = [\"x/\"]\n"),
    ]);
    Command::cargo_bin("reproscale")
        .expect("bin")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::diff(
            "error: reproscale.toml: unknown key `exlude` (did you mean `exclude`?)\n",
        ));
}

#[test]
fn an_override_without_a_reason_is_refused() {
    let dir = project(&[
        ("train.py", TRAIN),
        (
            "reproscale.toml",
            "[overrides]\n\"4.3\" = { status = \"pass\" }\n",
        ),
    ]);
    Command::cargo_bin("reproscale")
        .expect("bin")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("needs a non-empty `reason`"));
}

#[test]
fn vendored_folders_are_left_out_by_default() {
    let dir = project(&[("train.py", TRAIN), ("third_party/lib/bad.py", "def f(:\n")]);
    let v = json(dir.path());
    assert_eq!(v["criteria"][0]["status"], "pass", "{}", v["criteria"][0]);
}
