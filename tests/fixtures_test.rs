//! Every fixture project under tests/fixtures is assessed and compared with
//! tests/fixture_expectations.toml: statuses per criterion and evidence items
//! (path, line, cell) that must appear. All mismatches are reported at once.

mod common;

use std::collections::BTreeMap;

use reproscale::source::Input;

#[derive(serde::Deserialize)]
struct Expected {
    #[serde(default)]
    why: String,
    #[serde(default)]
    evidence: Vec<ExpectedEvidence>,
    #[serde(flatten)]
    statuses: BTreeMap<String, String>,
}

#[derive(serde::Deserialize)]
struct ExpectedEvidence {
    criterion: String,
    path: String,
    line: Option<u32>,
    cell: Option<u32>,
    /// Expected among the criterion's notes (advice, off-path findings), not its evidence.
    #[serde(default)]
    note: bool,
}

#[test]
fn fixtures_match_expectations() {
    let text = std::fs::read_to_string(common::fixtures_dir().join("../fixture_expectations.toml"))
        .expect("expectations");
    let all: BTreeMap<String, Expected> = toml::from_str(&text).expect("valid expectations");
    let mut problems = Vec::new();
    for (name, exp) in &all {
        // A typo in an id would otherwise assert nothing.
        for id in exp
            .statuses
            .keys()
            .chain(exp.evidence.iter().map(|e| &e.criterion))
        {
            if reproscale::criteria::catalog::find(id).is_none() {
                problems.push(format!("{name}: `{id}` is not a criterion id"));
            }
        }
        let dir = common::fixture_copy(name);
        let report =
            reproscale::assess(&Input::Directory(dir.path().to_path_buf())).expect("assess");
        for c in &report.criteria {
            if c.status.as_str() == "unknown" {
                problems.push(format!(
                    "{name}: {} is unknown ({}) — every criterion is assessed on a fixture",
                    c.id, c.summary
                ));
            }
            if let Some(want) = exp.statuses.get(c.id.as_str()) {
                if c.status.as_str() != want {
                    problems.push(format!(
                        "{name}: {} is {} (want {want}) — {} — {}",
                        c.id,
                        c.status.as_str(),
                        c.summary,
                        exp.why
                    ));
                }
            }
        }
        for e in &exp.evidence {
            let Some(c) = report
                .criteria
                .iter()
                .find(|c| c.id.as_str() == e.criterion)
            else {
                problems.push(format!("{name}: no criterion {}", e.criterion));
                continue;
            };
            let pool = if e.note { &c.notes } else { &c.evidence };
            let found = pool.iter().any(|ev| {
                ev.path == e.path
                    && (e.line.is_none() || ev.line == e.line)
                    && (e.cell.is_none() || ev.cell == e.cell)
            });
            if !found {
                let got: Vec<String> = pool.iter().map(|ev| ev.location()).collect();
                problems.push(format!(
                    "{name}: {} lacks {} {}{}:{:?} (has {got:?})",
                    e.criterion,
                    if e.note { "note" } else { "evidence" },
                    e.path,
                    e.cell.map(|c| format!("[cell {c}]")).unwrap_or_default(),
                    e.line
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} mismatch(es):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_fixture_has_expectations() {
    let text = std::fs::read_to_string(common::fixtures_dir().join("../fixture_expectations.toml"))
        .expect("expectations");
    let all: BTreeMap<String, toml::Value> = toml::from_str(&text).expect("valid");
    for entry in std::fs::read_dir(common::fixtures_dir()).expect("dir") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        assert!(
            all.contains_key(&name),
            "fixture {name} has no expectations"
        );
    }
}
