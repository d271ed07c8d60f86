//! `assess --format sarif` as GitHub code scanning takes it: validated
//! against a JSON Schema of the SARIF 2.1.0 parts reproscale writes, with
//! the constraints code scanning adds, and checked for stable fingerprints
//! and a physical location on every result.
//!
//! The schema below is not the official OASIS file (no copy ships with the
//! project or a crate, and tests do not reach the network): it restates,
//! for every object reproscale writes, the official schema's definitions
//! (`additionalProperties: false`, the property types, `startLine >= 1`,
//! the `level` enum, `partialFingerprints` as a map of strings) and tightens
//! them with what code scanning enforces on upload: version `2.1.0`, a
//! `$schema`, a driver name and rules with ids, and on every result a
//! `ruleId`, `message.text`, a first location with a relative
//! `artifactLocation.uri`, and `partialFingerprints`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use reproscale::render::sarif;
use serde_json::{json, Value};

fn assess_dir(path: &Path) -> reproscale::Report {
    reproscale::assess(&reproscale::source::Input::Directory(path.to_path_buf())).expect("assess")
}

fn sarif_of_dir(path: &Path) -> Value {
    serde_json::from_str(&sarif::render(&assess_dir(path))).expect("SARIF is JSON")
}

/// The SARIF 2.1.0 subset reproscale writes, as code scanning accepts it.
fn code_scanning_schema() -> Value {
    let text = json!({"type": "object", "additionalProperties": false,
        "required": ["text"], "properties": {"text": {"type": "string", "minLength": 1}}});
    let property_bag = json!({"type": "object", "additionalProperties": true,
        "properties": {"tags": {"type": "array", "uniqueItems": true, "items": {"type": "string"}}}});
    let level = json!({"enum": ["none", "note", "warning", "error"]});
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "additionalProperties": false,
        "required": ["$schema", "version", "runs"],
        "properties": {
            "$schema": {"type": "string", "pattern": "^https://"},
            "version": {"enum": ["2.1.0"]},
            "runs": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/run"}}
        },
        "definitions": {
            "run": {
                "type": "object", "additionalProperties": false,
                "required": ["tool", "results"],
                "properties": {
                    "tool": {"type": "object", "additionalProperties": false,
                        "required": ["driver"],
                        "properties": {"driver": {"$ref": "#/definitions/driver"}}},
                    "results": {"type": "array", "items": {"$ref": "#/definitions/result"}},
                    "properties": property_bag
                }
            },
            "driver": {
                "type": "object", "additionalProperties": false,
                "required": ["name", "rules"],
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "version": {"type": "string"},
                    "informationUri": {"type": "string", "pattern": "^https?://"},
                    "rules": {"type": "array", "minItems": 1, "uniqueItems": true,
                        "items": {"$ref": "#/definitions/rule"}}
                }
            },
            "rule": {
                "type": "object", "additionalProperties": false,
                "required": ["id"],
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "name": {"type": "string"},
                    "shortDescription": text,
                    "fullDescription": text,
                    "help": text,
                    "defaultConfiguration": {"type": "object", "additionalProperties": false,
                        "properties": {"level": level}},
                    "properties": property_bag
                }
            },
            "result": {
                "type": "object", "additionalProperties": false,
                "required": ["ruleId", "message", "locations", "partialFingerprints"],
                "properties": {
                    "ruleId": {"type": "string", "minLength": 1},
                    "ruleIndex": {"type": "integer", "minimum": 0},
                    "level": level,
                    "message": text,
                    "locations": {"type": "array", "minItems": 1,
                        "items": {"$ref": "#/definitions/location"}},
                    "partialFingerprints": {"type": "object", "minProperties": 1,
                        "additionalProperties": {"type": "string", "minLength": 1}},
                    "properties": property_bag
                }
            },
            "location": {
                "type": "object", "additionalProperties": false,
                "required": ["physicalLocation"],
                "properties": {
                    "physicalLocation": {
                        "type": "object", "additionalProperties": false,
                        "required": ["artifactLocation"],
                        "properties": {
                            "artifactLocation": {
                                "type": "object", "additionalProperties": false,
                                "required": ["uri"],
                                "properties": {
                                    // Relative: no scheme, no leading `/`, only
                                    // unreserved characters, `/` and escapes.
                                    "uri": {"type": "string",
                                        "pattern": "^[A-Za-z0-9._~%-][A-Za-z0-9._~%/-]*$"},
                                    "uriBaseId": {"type": "string"}
                                }
                            },
                            "region": {
                                "type": "object", "additionalProperties": false,
                                "required": ["startLine"],
                                "properties": {"startLine": {"type": "integer", "minimum": 1}}
                            }
                        }
                    },
                    "properties": property_bag
                }
            }
        }
    })
}

/// Checks a log against the schema and the cross-references no schema can express.
fn check_log(log: &Value, context: &str) {
    let schema = code_scanning_schema();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{context}: {errors:#?}");

    let run = &log["runs"][0];
    let ids: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    let mut fingerprints = BTreeSet::new();
    for r in run["results"].as_array().expect("results") {
        let rule = r["ruleId"].as_str().expect("ruleId");
        let at = ids.iter().position(|&id| id == rule);
        assert!(at.is_some(), "{context}: {rule} is not a rule");
        assert_eq!(
            r["ruleIndex"].as_u64(),
            at.map(|i| i as u64),
            "{context}: {r}"
        );
        let fp = r["partialFingerprints"][sarif::FINGERPRINT_KEY]
            .as_str()
            .unwrap_or_else(|| panic!("{context}: no {} in {r}", sarif::FINGERPRINT_KEY));
        assert!(
            fingerprints.insert(fp.to_string()),
            "{context}: fingerprint {fp} is not unique"
        );
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .expect("uri");
        assert!(uri != "." && !uri.contains("://"), "{context}: {uri}");
    }
}

/// A change that makes a log unacceptable.
type Breakage = Box<dyn Fn(&mut Value)>;

#[test]
fn the_schema_rejects_what_code_scanning_rejects() {
    let validator = jsonschema::validator_for(&code_scanning_schema()).expect("compiles");
    let dir = common::fixture_copy("empty-project");
    let good = sarif_of_dir(dir.path());
    assert!(validator.is_valid(&good), "the real output passes");
    let mut breakages: Vec<(&str, Breakage)> = vec![
        (
            "no locations",
            Box::new(|v: &mut Value| {
                v["runs"][0]["results"][0]
                    .as_object_mut()
                    .map(|o| o.remove("locations"));
            }),
        ),
        (
            "absolute uri",
            Box::new(|v: &mut Value| {
                v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
                    ["artifactLocation"]["uri"] = json!("/etc/passwd");
            }),
        ),
        (
            "uri with a scheme",
            Box::new(|v: &mut Value| {
                v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
                    ["artifactLocation"]["uri"] = json!("file:///x.py");
            }),
        ),
        (
            "line 0",
            Box::new(|v: &mut Value| {
                v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"] =
                    json!({"startLine": 0});
            }),
        ),
        (
            "no fingerprints",
            Box::new(|v: &mut Value| {
                v["runs"][0]["results"][0]["partialFingerprints"] = json!({});
            }),
        ),
        (
            "wrong version",
            Box::new(|v: &mut Value| v["version"] = json!("2.0.0")),
        ),
        (
            "unknown result property",
            Box::new(|v: &mut Value| {
                v["runs"][0]["results"][0]["severity"] = json!("high");
            }),
        ),
    ];
    for (what, breaks) in breakages.drain(..) {
        let mut bad = good.clone();
        breaks(&mut bad);
        assert!(!validator.is_valid(&bad), "{what} is rejected");
    }
}

#[test]
fn every_fixture_validates_and_every_result_is_located() {
    for name in common::fixture_names() {
        let dir = common::fixture_copy(&name);
        let report = assess_dir(dir.path());
        let log: Value = serde_json::from_str(&sarif::render(&report)).expect("JSON");
        check_log(&log, &name);
        let results = log["runs"][0]["results"].as_array().expect("results");
        assert!(
            results
                .iter()
                .all(|r| r["locations"].as_array().is_some_and(|l| !l.is_empty())),
            "{name}: a result without a location"
        );
    }
}

/// The `ruleId → uri` of every result of a log.
fn uris(log: &Value) -> BTreeMap<String, String> {
    log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| {
            Some((
                r["ruleId"].as_str()?.to_string(),
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()?
                    .to_string(),
            ))
        })
        .collect()
}

#[test]
fn project_level_results_sit_where_the_fix_goes() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("train.py"),
        "import numpy as np\n\nif __name__ == \"__main__\":\n    print(np.random.rand())\n",
    )
    .expect("write");
    let log = sarif_of_dir(dir.path());
    check_log(&log, "train.py only");
    let at = uris(&log);
    // No package list: the fix is a requirements.txt.
    assert_eq!(at.get("4.1").map(String::as_str), Some("requirements.txt"));
    assert_eq!(at.get("4.2").map(String::as_str), Some("Dockerfile"));
    // No config: the config file the fix names.
    assert_eq!(at.get("2.1").map(String::as_str), Some("params.yaml"));
    // Documentation goes in the root README, even when there is none yet.
    assert_eq!(at.get("3.2").map(String::as_str), Some("README.md"));
    for r in log["runs"][0]["results"].as_array().expect("results") {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .expect("uri");
        if uri != "train.py" {
            let msg = r["message"]["text"].as_str().expect("text");
            assert!(
                msg.contains(&format!("shown at {uri}")),
                "a project-level result says where it is shown: {msg}"
            );
        }
    }
}

#[test]
fn a_readme_the_project_has_is_used() {
    let dir = common::fixture_copy("empty-project");
    let log = sarif_of_dir(dir.path());
    let at = uris(&log);
    assert_eq!(at.get("3.2").map(String::as_str), Some("README.md"));
    assert_eq!(at.get("1.2").map(String::as_str), Some("README.md"));
}

/// Fingerprints of every result, by rule id and uri.
fn fingerprints(log: &Value) -> BTreeSet<(String, String, String)> {
    log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap_or("").to_string(),
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
                r["partialFingerprints"][sarif::FINGERPRINT_KEY]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            )
        })
        .collect()
}

fn start_lines(log: &Value) -> Vec<u64> {
    log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64())
        .collect()
}

#[test]
fn fingerprints_survive_moved_lines_and_another_checkout() {
    for name in ["unseeded-numpy", "hardcoded-hyperparams", "seed-from-time"] {
        let a = common::fixture_copy(name);
        let before = sarif_of_dir(a.path());
        // The same project elsewhere: same fingerprints.
        let b = common::fixture_copy(name);
        assert_eq!(fingerprints(&before), fingerprints(&sarif_of_dir(b.path())));
        // Three lines added at the top of every Python file: every line moves,
        // no fingerprint changes.
        for entry in walk(b.path()) {
            if entry.extension().is_some_and(|e| e == "py") {
                let text = std::fs::read_to_string(&entry).expect("read");
                std::fs::write(&entry, format!("# a\n# b\n# c\n{text}")).expect("write");
            }
        }
        let after = sarif_of_dir(b.path());
        assert_ne!(
            start_lines(&before),
            start_lines(&after),
            "{name}: lines moved"
        );
        assert_eq!(fingerprints(&before), fingerprints(&after), "{name}");
        assert!(!fingerprints(&before).is_empty(), "{name}: has results");
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}
