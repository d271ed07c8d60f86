//! `reproscale schema NAME`: the JSON Schemas of the JSON outputs, and real
//! outputs validated against them (every fixture's `assess --format json`,
//! `report --check --format json`, `rank --format json` and `rank list`,
//! `verify --format json` dry and real).

mod common;

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::{json, Value};

fn bin() -> Command {
    Command::cargo_bin("reproscale").expect("binary")
}

/// `reproscale schema NAME`, parsed.
fn printed_schema(name: &str) -> Value {
    let out = bin().args(["schema", name]).assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).expect("UTF-8");
    assert!(text.ends_with("}\n"), "{name}: one document and a newline");
    assert!(text.contains("\n  \""), "{name}: pretty-printed");
    serde_json::from_str(&text).expect("the schema is JSON")
}

fn validator(name: &str) -> jsonschema::Validator {
    let schema = printed_schema(name);
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{name}: invalid schema: {e}"))
}

fn assert_valid(v: &jsonschema::Validator, doc: &Value, context: &str) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{context}: {errors:#?}");
}

fn json_of(out: &std::process::Output, context: &str) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{context}: stdout is not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn every_schema_prints_and_names_its_dialect() {
    for name in reproscale::schema::NAMES {
        let s = printed_schema(name);
        assert!(
            s["$schema"]
                .as_str()
                .is_some_and(|d| d.contains("json-schema.org")),
            "{name}"
        );
        assert!(s["title"]
            .as_str()
            .is_some_and(|t| t.contains("reproscale")));
        // The library and the command print the same schema.
        assert_eq!(Some(s), reproscale::schema::schema(name), "{name}");
    }
}

#[test]
fn an_unknown_schema_is_a_usage_error_naming_the_schemas() {
    let out = bin().args(["schema", "asses"]).assert().code(2);
    let out = out.get_output();
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    for name in reproscale::schema::NAMES {
        assert!(err.contains(name), "{err} names {name}");
    }
    bin().arg("schema").assert().code(2);
}

#[test]
fn assess_json_of_every_fixture_validates() {
    let v = validator("assess");
    for name in common::fixture_names() {
        let dir = common::fixture_copy(&name);
        let out = bin()
            .args(["assess", "--format", "json"])
            .arg(dir.path())
            .output()
            .expect("run");
        let doc = json_of(&out, &name);
        assert_valid(&v, &doc, &name);
    }
}

#[test]
fn the_assess_schema_is_not_a_rubber_stamp() {
    let v = validator("assess");
    let dir = common::fixture_copy("seed-literal-in-code");
    let out = bin()
        .args(["assess", "--format", "json"])
        .arg(dir.path())
        .output()
        .expect("run");
    let good = json_of(&out, "seed-literal-in-code");
    assert!(v.is_valid(&good));
    let mut bad = good.clone();
    bad["stars"] = json!("three");
    assert!(!v.is_valid(&bad), "stars is a number");
    let mut bad = good.clone();
    bad["criteria"][0]["status"] = json!("passed");
    assert!(!v.is_valid(&bad), "status is one of the five");
    let mut bad = good.clone();
    bad["schema_version"] = json!(2);
    assert!(!v.is_valid(&bad), "this schema is schema_version 1");
    let mut bad = good;
    bad.as_object_mut().map(|o| o.remove("criteria"));
    assert!(!v.is_valid(&bad), "criteria is required");
}

#[test]
fn report_check_json_validates() {
    let v = validator("report-check");
    let dir = common::fixture_copy("seed-literal-in-code");
    bin().arg("report").arg(dir.path()).assert().success();
    // Consistent, then with every box ticked (over-claims).
    let out = bin()
        .args(["report", "--check", "--format", "json"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert_valid(&v, &json_of(&out, "fresh report"), "fresh report");
    let path = dir.path().join("REPRODUCIBILITY.md");
    let ticked = std::fs::read_to_string(&path)
        .expect("read")
        .replace("- [ ] ", "- [x] ");
    std::fs::write(&path, ticked).expect("write");
    let out = bin()
        .args(["report", "--check", "--format", "json"])
        .arg(dir.path())
        .output()
        .expect("run");
    let doc = json_of(&out, "over-claiming report");
    assert!(doc["problems"].as_array().is_some_and(|p| !p.is_empty()));
    assert_valid(&v, &doc, "over-claiming report");
}

#[test]
fn rank_json_validates() {
    let v = validator("rank");
    let root = tempfile::tempdir().expect("tempdir");
    let db = root.path().join("r.db");
    let a = common::fixture_copy("seed-from-config");
    let b = common::fixture_copy("unseeded-numpy");
    let out = bin()
        .arg("rank")
        .arg(a.path())
        .arg(b.path())
        .arg("/definitely/not/here")
        .arg("--db")
        .arg(&db)
        .args(["--format", "json", "--errors"])
        .output()
        .expect("run");
    let doc = json_of(&out, "rank");
    let rows = doc.as_array().expect("rows");
    assert_eq!(rows.len(), 3, "two assessed, one error: {doc}");
    assert_valid(&v, &doc, "rank");
    let out = bin()
        .args(["rank", "list", "--format", "json", "--errors", "--db"])
        .arg(&db)
        .output()
        .expect("run");
    assert_valid(&v, &json_of(&out, "rank list"), "rank list");
}

fn verify_fixture(name: &str) -> tempfile::TempDir {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("verify_fixtures")
        .join(name);
    common::dir_copy(&src)
}

#[test]
fn verify_json_validates() {
    let v = validator("verify");
    let dir = verify_fixture("deterministic");
    let out = bin()
        .args(["verify", "--format", "json", "--dry-run"])
        .arg(dir.path())
        .timeout(Duration::from_secs(120))
        .output()
        .expect("run");
    assert_valid(&v, &json_of(&out, "verify --dry-run"), "verify --dry-run");
    let python = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !python {
        eprintln!("python3 is not installed: the real verify run is not checked");
        return;
    }
    for name in ["deterministic", "unseeded"] {
        let dir = verify_fixture(name);
        let out = bin()
            .args(["verify", "--format", "json", "--jobs", "2"])
            .arg(dir.path())
            .timeout(Duration::from_secs(120))
            .output()
            .expect("run");
        let doc = json_of(&out, name);
        assert!(
            doc["runs"].as_array().is_some_and(|r| !r.is_empty()),
            "{name}: {doc}"
        );
        assert_valid(&v, &doc, name);
    }
}
