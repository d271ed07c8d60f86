//! `--format sarif`: SARIF 2.1.0, for GitHub code scanning and other SARIF
//! viewers.
//!
//! One run. Its rules are every criterion of the catalogue (`ruleId` = the
//! criterion id, e.g. `2.2`), in scale order, followed by every lint rule of
//! the registry (`ruleId` = the rule id, e.g. `unseeded-rng`), in registry
//! order; `ruleIndex` is the position in that array.
//!
//! Results, in this order:
//! - one per lint finding, sorted by path, cell, line and rule: level `error`
//!   for rules whose effect is a fail, `warning` for rules whose effect is a
//!   partial, `note` for findings off the run path;
//! - one per criterion whose status is `fail` (`error`) or `partial`
//!   (`warning`), in scale order, located at its first evidence item that
//!   names a file. A criterion without such evidence is located at its first
//!   note that names a file, else at the first entry point, else at the first
//!   file any evidence or finding names (GitHub code scanning rejects a whole
//!   log when any result has no location; the message then says the result
//!   is project-level); only a project where nothing names a file gives a
//!   result with no location.
//!
//! Locations are relative to `%SRCROOT%`, percent-encoded. SARIF has no
//! notebook cells: for a place in a notebook the location names the
//! `.ipynb` file with no `region` (the line is counted within the cell, not
//! the file, so a `startLine` would point at the wrong place); the cell and
//! the line within it are given in the message text (`[notebook cell 2, line
//! 3]`) and in the location's `properties` (`notebookCell`, `notebookLine`).
//!
//! The run's `properties` carry the headline: `stars` and `basis`.

use serde::Serialize;

use crate::assessment::{Basis, CriterionResult, Evidence, Status};
use crate::criteria::catalog::CRITERIA;
use crate::lint::{Effect, Finding, RULES};
use crate::{Report, TOOL_NAME, VERSION};

/// The `$schema` this renderer names.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The `uriBaseId` every location is relative to.
pub const SRCROOT: &str = "%SRCROOT%";

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
struct Run {
    tool: Tool,
    results: Vec<SarifResult>,
    properties: RunProperties,
}

#[derive(Serialize)]
struct RunProperties {
    stars: u8,
    basis: &'static str,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'static str>,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

fn text(s: impl Into<String>) -> Text {
    Text { text: s.into() }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    help: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_configuration: Option<Configuration>,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    #[serde(skip_serializing_if = "Option::is_none")]
    stage: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    criterion: Option<&'static str>,
    tags: Vec<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<ResultProperties>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties {
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    on_run_path: Option<bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<CellProperties>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CellProperties {
    notebook_cell: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    notebook_line: Option<u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
}

/// A relative path as a URI reference: every byte outside the unreserved
/// set and `/` is percent-encoded (so `#`, `?`, `%`, spaces and a `:` in the
/// first segment cannot change its meaning), leading `/` and `./` removed.
fn path_uri(path: &str) -> String {
    let mut p = path.trim_start_matches('/');
    while let Some(rest) = p.strip_prefix("./") {
        p = rest.trim_start_matches('/');
    }
    let mut out = String::with_capacity(p.len());
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Whether a path names a file (not the project as a whole).
fn names_file(path: &str) -> bool {
    !path_uri(path).is_empty() && path != "."
}

/// A location at `path`, with a line region unless the place is in a notebook.
fn location(path: &str, line: Option<u32>, cell: Option<u32>) -> Location {
    let (region, properties) = match cell {
        Some(c) => (
            None,
            Some(CellProperties {
                notebook_cell: c,
                notebook_line: line,
            }),
        ),
        None => (
            line.filter(|&l| l >= 1).map(|l| Region { start_line: l }),
            None,
        ),
    };
    Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: path_uri(path),
                uri_base_id: SRCROOT,
            },
            region,
        },
        properties,
    }
}

/// The ` [notebook cell N, line L]` suffix of a message, empty outside notebooks.
fn cell_suffix(line: Option<u32>, cell: Option<u32>) -> String {
    match (cell, line) {
        (Some(c), Some(l)) => format!(" [notebook cell {c}, line {l}]"),
        (Some(c), None) => format!(" [notebook cell {c}]"),
        (None, _) => String::new(),
    }
}

fn level_of_effect(effect: Effect) -> &'static str {
    match effect {
        Effect::Fail => "error",
        Effect::Partial => "warning",
        Effect::Advice => "note",
    }
}

fn rules() -> Vec<Rule> {
    let criteria = CRITERIA.iter().map(|c| Rule {
        id: c.id,
        name: c.slug,
        short_description: text(c.title),
        full_description: text(c.meets),
        help: text(c.fix),
        default_configuration: None,
        properties: RuleProperties {
            stage: Some(c.stage),
            criterion: None,
            tags: vec!["reproducibility", "criterion"],
        },
    });
    let lint = RULES.iter().map(|r| Rule {
        id: r.id,
        name: r.id,
        short_description: text(r.what),
        full_description: text(r.why),
        help: text(r.fix),
        default_configuration: Some(Configuration {
            level: level_of_effect(r.effect),
        }),
        properties: RuleProperties {
            stage: None,
            criterion: Some(r.criterion),
            tags: vec!["reproducibility", "lint"],
        },
    });
    criteria.chain(lint).collect()
}

fn finding_result(f: &Finding) -> SarifResult {
    let index = CRITERIA.len();
    let (rule_index, effect) = match RULES.iter().position(|r| r.id == f.rule) {
        Some(i) => (Some(index + i), RULES.get(i).map(|r| r.effect)),
        None => (None, None),
    };
    let level = if !f.on_run_path {
        "note"
    } else {
        effect.map_or("warning", level_of_effect)
    };
    let locations = if names_file(&f.path) {
        vec![location(&f.path, f.line, f.cell)]
    } else {
        Vec::new()
    };
    let off = if f.on_run_path {
        ""
    } else {
        " (off the run path)"
    };
    SarifResult {
        rule_id: f.rule,
        rule_index,
        level,
        message: text(format!("{}{}{off}", f.message, cell_suffix(f.line, f.cell))),
        locations,
        properties: Some(ResultProperties {
            status: None,
            on_run_path: Some(f.on_run_path),
        }),
    }
}

/// The place a criterion result is shown at, and the suffix its message gets.
fn criterion_anchor(c: &CriterionResult, report: &Report) -> (Vec<Location>, String) {
    let first = |items: &[Evidence]| -> Option<(Location, String)> {
        items.iter().find(|e| names_file(&e.path)).map(|e| {
            (
                location(&e.path, e.line, e.cell),
                cell_suffix(e.line, e.cell),
            )
        })
    };
    if let Some((loc, suffix)) = first(&c.evidence) {
        return (vec![loc], suffix);
    }
    if let Some((loc, suffix)) = first(&c.notes) {
        return (vec![loc], suffix);
    }
    if let Some(p) = report.entry_points.iter().find(|p| names_file(p)) {
        return (
            vec![location(p, None, None)],
            " (project-level; shown at the first entry point)".to_string(),
        );
    }
    let any_file = report
        .criteria
        .iter()
        .flat_map(|c| c.evidence.iter().chain(&c.notes))
        .map(|e| e.path.as_str())
        .chain(report.findings.iter().map(|f| f.path.as_str()))
        .find(|p| names_file(p));
    match any_file {
        Some(p) => (
            vec![location(p, None, None)],
            " (project-level; shown at a file of the project)".to_string(),
        ),
        None => (Vec::new(), String::new()),
    }
}

fn criterion_result(c: &CriterionResult, report: &Report) -> Option<SarifResult> {
    let level = match c.status {
        Status::Fail => "error",
        Status::Partial => "warning",
        _ => return None,
    };
    let rule_index = CRITERIA.iter().position(|d| d.id == c.id);
    let (locations, suffix) = criterion_anchor(c, report);
    let fix = c
        .fix
        .as_deref()
        .map(|f| format!(" Fix: {f}"))
        .unwrap_or_default();
    Some(SarifResult {
        rule_id: c.id,
        rule_index,
        level,
        message: text(format!(
            "{} {} ({}): {}{suffix}.{fix}",
            c.id,
            c.slug,
            c.status.as_str(),
            c.summary.trim_end_matches('.')
        )),
        locations,
        properties: Some(ResultProperties {
            status: Some(c.status.as_str()),
            on_run_path: None,
        }),
    })
}

/// The tool's home page, when the package names one.
fn information_uri() -> Option<&'static str> {
    [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|u| !u.is_empty())
}

/// Renders the assessment as a SARIF 2.1.0 log (pretty JSON).
pub fn render(report: &Report) -> String {
    let mut findings: Vec<&Finding> = report.findings.iter().collect();
    findings.sort_by(|a, b| {
        (&a.path, a.cell, a.line, a.rule, &a.message)
            .cmp(&(&b.path, b.cell, b.line, b.rule, &b.message))
    });
    let mut results: Vec<SarifResult> = findings.into_iter().map(finding_result).collect();
    let mut criteria: Vec<&CriterionResult> = report.criteria.iter().collect();
    criteria.sort_by_key(|c| CRITERIA.iter().position(|d| d.id == c.id));
    results.extend(
        criteria
            .into_iter()
            .filter_map(|c| criterion_result(c, report)),
    );
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: TOOL_NAME,
                    version: VERSION,
                    information_uri: information_uri(),
                    rules: rules(),
                },
            },
            results,
            properties: RunProperties {
                stars: report.stars,
                basis: match report.basis {
                    Basis::Static => "static",
                    Basis::Verified => "verified",
                },
            },
        }],
    };
    let mut s =
        serde_json::to_string_pretty(&log).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(path_uri("src/train.py"), "src/train.py");
        assert_eq!(path_uri("/abs/x.py"), "abs/x.py");
        assert_eq!(path_uri("./a b#c?.py"), "a%20b%23c%3F.py");
        assert_eq!(path_uri("c:/x%.py"), "c%3A/x%25.py");
        assert_eq!(path_uri("données.csv"), "donn%C3%A9es.csv");
        assert!(!names_file("."));
        assert!(!names_file(""));
        assert!(!names_file("/"));
    }

    #[test]
    fn rule_ids_are_unique() {
        let rs = rules();
        let mut ids: Vec<_> = rs.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), rs.len());
    }
}
