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
//!   names a file.
//!
//! Every result has a physical location (GitHub code scanning rejects a whole
//! log when any result has none). A result whose evidence names no file (a
//! path of `.` or empty: the finding is about the project as a whole) is
//! located at the file that should hold its fix ([`fix_home`]): a file the
//! fix text names that the project has; else the criterion's usual home (the
//! entry point for 1.1/1.3/2.3, the config file for 2.1/2.2/2.4/3.3,
//! `dvc.yaml` for 3.4, the package list or `requirements.txt` for 4.1,
//! `Dockerfile` for 4.2, the root README for 3.2 and 4.3); else the first
//! file the fix text names; else the root README (`README.md` even when the
//! project has none). The message
//! then says the result is project-level and where it is shown.
//!
//! Every result has `partialFingerprints` under [`FINGERPRINT_KEY`]: a hash
//! of the rule id, the location's path and a key that does not depend on line
//! numbers (a finding's message with the line and cell numbers taken out; for
//! a criterion, nothing more: there is one result per criterion), followed by
//! `:N`, the occurrence of that hash among the run's results. Alerts keep
//! their identity across commits that only move code.
//!
//! Locations are relative to `%SRCROOT%`, percent-encoded. SARIF has no
//! notebook cells: for a place in a notebook the location names the
//! `.ipynb` file with no `region` (the line is counted within the cell, not
//! the file, so a `startLine` would point at the wrong place); the cell and
//! the line within it are given in the message text (`[notebook cell 2, line
//! 3]`) and in the location's `properties` (`notebookCell`, `notebookLine`).
//!
//! The run's `properties` carry the headline: `stars` and `basis`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::assessment::{Basis, CriterionResult, Status};
use crate::criteria::catalog::{self, CriterionId, CRITERIA};
use crate::lint::{Effect, Finding, RULES};
use crate::{Report, TOOL_NAME, VERSION};

/// The `$schema` this renderer names.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The `uriBaseId` every location is relative to.
pub const SRCROOT: &str = "%SRCROOT%";

/// The key of every result's `partialFingerprints` entry.
pub const FINGERPRINT_KEY: &str = "reproscaleResult/v1";

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
    criterion: Option<CriterionId>,
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
    partial_fingerprints: BTreeMap<&'static str, String>,
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
        id: c.id.as_str(),
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

/// Every path the report names: the files reproscale knows the project has.
fn known_paths(report: &Report) -> Vec<&str> {
    let mut paths: Vec<&str> = report
        .criteria
        .iter()
        .flat_map(|c| c.evidence.iter().chain(&c.notes))
        .map(|e| e.path.as_str())
        .chain(report.findings.iter().map(|f| f.path.as_str()))
        .chain(report.entry_points.iter().map(String::as_str))
        .filter(|p| names_file(p))
        .collect();
    paths.sort_unstable();
    paths.dedup();
    paths
}

/// File names without an extension that hold a fix.
const BARE_FILE_NAMES: &[&str] = &[
    "Dockerfile",
    "Makefile",
    "Snakefile",
    "MLproject",
    "Pipfile",
    "Containerfile",
];

/// Extensions of files a fix may name.
const FILE_EXTENSIONS: &[&str] = &[
    "py", "ipynb", "yaml", "yml", "toml", "json", "txt", "md", "cfg", "ini", "gin", "lock", "r",
    "jl",
];

/// Whether one path component looks like a file name.
fn file_like(component: &str) -> bool {
    if BARE_FILE_NAMES.contains(&component) {
        return true;
    }
    match component.rsplit_once('.') {
        Some((stem, ext)) => {
            !stem.is_empty() && FILE_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
        }
        None => false,
    }
}

/// The file paths a fix text names, in order (`dvc.yaml/Makefile` is two names).
fn file_mentions(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let tokens = text
        .split_whitespace()
        .filter(|word| !word.contains("://"))
        .flat_map(|word| {
            word.split(|c: char| !(c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '/')))
        });
    for token in tokens {
        let token = token.trim_matches(|c: char| c == '.' || c == '/');
        if token.is_empty() {
            continue;
        }
        let parts: Vec<&str> = token.split('/').collect();
        let alternatives = parts.len() > 1 && parts[..parts.len() - 1].iter().any(|p| file_like(p));
        let names: Vec<String> = if alternatives {
            parts
                .into_iter()
                .filter(|p| file_like(p))
                .map(String::from)
                .collect()
        } else if parts.last().is_some_and(|p| file_like(p)) {
            vec![token.to_string()]
        } else {
            Vec::new()
        };
        for n in names {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}

/// Whether a path looks like an ML config file.
fn config_like(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let ext_ok = [".yaml", ".yml", ".toml", ".json", ".gin", ".cfg", ".ini"]
        .iter()
        .any(|e| name.ends_with(e));
    let infra = name.starts_with('.')
        || name.starts_with("mkdocs")
        || name.starts_with("dvc.")
        || name.starts_with("environment.")
        || name.starts_with("docker-compose")
        || name.starts_with("compose.")
        || matches!(
            name,
            "pyproject.toml" | "package.json" | "setup.cfg" | "reproscale.toml"
        )
        || lower.starts_with(".github/")
        || name.ends_with(".lock");
    ext_ok && !infra
}

/// Whether a path is a package list (SPEC 4.1).
fn package_list_like(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    (name.starts_with("requirements") && name.ends_with(".txt"))
        || matches!(
            name.as_str(),
            "pyproject.toml"
                | "environment.yml"
                | "environment.yaml"
                | "pipfile"
                | "setup.py"
                | "setup.cfg"
                | "uv.lock"
                | "poetry.lock"
                | "pipfile.lock"
        )
}

/// The project's root README as the report names it, else `README.md`.
fn root_readme(known: &[&str]) -> String {
    known
        .iter()
        .find(|p| !p.contains('/') && p.to_ascii_lowercase().starts_with("readme"))
        .map_or_else(|| "README.md".to_string(), |p| p.to_string())
}

/// The usual home of a criterion's fix when the fix text names no file the project has.
fn usual_home(id: CriterionId, report: &Report, known: &[&str]) -> Option<String> {
    let entry = || report.entry_points.iter().find(|p| names_file(p)).cloned();
    let config = || {
        // The config files the configuration criteria point at first.
        report
            .criteria
            .iter()
            .filter(|c| c.stage == 2)
            .flat_map(|c| c.evidence.iter())
            .map(|e| e.path.as_str())
            .chain(known.iter().copied())
            .find(|p| names_file(p) && config_like(p))
            .map_or_else(|| "params.yaml".to_string(), String::from)
    };
    use CriterionId as C;
    match id {
        C::C1_1 | C::C1_3 | C::C2_3 => entry(),
        C::C2_1 | C::C2_2 | C::C2_4 | C::C3_3 => Some(config()),
        C::C3_4 => Some("dvc.yaml".to_string()),
        C::C4_1 => Some(
            known
                .iter()
                .find(|p| package_list_like(p))
                .map_or_else(|| "requirements.txt".to_string(), |p| p.to_string()),
        ),
        C::C4_2 => Some("Dockerfile".to_string()),
        // Documentation: the data layout and the hardware belong in the README.
        C::C3_2 | C::C4_3 => Some(root_readme(known)),
        C::C1_2 | C::C3_1 | C::C5_1 | C::C5_2 => None,
    }
}

/// The file that should hold the fix of a criterion (see the module doc).
fn fix_home(id: Option<CriterionId>, fix: Option<&str>, report: &Report, known: &[&str]) -> String {
    let catalogue_fix = id.map(|id| catalog::def(id).fix);
    let mut mentioned: Vec<String> = Vec::new();
    for text in [fix, catalogue_fix].into_iter().flatten() {
        for m in file_mentions(text) {
            if !mentioned.contains(&m) {
                mentioned.push(m);
            }
        }
    }
    if let Some(m) = mentioned.iter().find(|m| known.contains(&m.as_str())) {
        return m.clone();
    }
    if let Some(home) = id.and_then(|id| usual_home(id, report, known)) {
        return home;
    }
    mentioned
        .into_iter()
        .next()
        .unwrap_or_else(|| root_readme(known))
}

/// A message key without line or cell numbers: digits right after `line `,
/// `lines `, `cell `, `:` or a `-` that follows one of them become `N`.
fn line_free(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut chars = message.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            let positional = out.ends_with(':')
                || out.ends_with("line ")
                || out.ends_with("lines ")
                || out.ends_with("cell ")
                || out.ends_with("N-")
                || out.ends_with("N, ");
            if positional {
                while chars.peek().is_some_and(char::is_ascii_digit) {
                    chars.next();
                }
                out.push('N');
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// The fingerprint hash of a result (hex, 32 characters).
fn fingerprint_hash(rule_id: &str, uri: &str, key: &str) -> String {
    let mut h = blake3::Hasher::new();
    for part in [rule_id, uri, key] {
        h.update(&(part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().to_hex()[..32].to_string()
}

/// A result in the making: the line-independent key its fingerprint is built from.
struct Pending {
    result: SarifResult,
    key: String,
}

fn finding_result(f: &Finding, report: &Report, known: &[&str]) -> Pending {
    let index = CRITERIA.len();
    let (rule_index, rule) = match RULES.iter().position(|r| r.id == f.rule) {
        Some(i) => (Some(index + i), RULES.get(i)),
        None => (None, None),
    };
    let level = if !f.on_run_path {
        "note"
    } else {
        rule.map_or("warning", |r| level_of_effect(r.effect))
    };
    let (locations, project_level) = if names_file(&f.path) {
        (vec![location(&f.path, f.line, f.cell)], String::new())
    } else {
        let criterion = rule.map(|r| r.criterion);
        let home = fix_home(criterion, rule.map(|r| r.fix), report, known);
        let suffix = format!(" (project-level; shown at {home}, where the fix goes)");
        (vec![location(&home, None, None)], suffix)
    };
    let off = if f.on_run_path {
        ""
    } else {
        " (off the run path)"
    };
    Pending {
        key: line_free(&f.message),
        result: SarifResult {
            rule_id: f.rule,
            rule_index,
            level,
            message: text(format!(
                "{}{}{project_level}{off}",
                f.message,
                cell_suffix(f.line, f.cell)
            )),
            locations,
            partial_fingerprints: BTreeMap::new(),
            properties: Some(ResultProperties {
                status: None,
                on_run_path: Some(f.on_run_path),
            }),
        },
    }
}

/// The place a criterion result is shown at, and the suffix its message gets.
fn criterion_anchor(c: &CriterionResult, report: &Report, known: &[&str]) -> (Location, String) {
    if let Some(e) = c.evidence.iter().find(|e| names_file(&e.path)) {
        return (
            location(&e.path, e.line, e.cell),
            cell_suffix(e.line, e.cell),
        );
    }
    let home = fix_home(Some(c.id), c.fix.as_deref(), report, known);
    let suffix = format!(" (project-level; shown at {home}, where the fix goes)");
    (location(&home, None, None), suffix)
}

fn criterion_result(c: &CriterionResult, report: &Report, known: &[&str]) -> Option<Pending> {
    let level = match c.status {
        Status::Fail => "error",
        Status::Partial => "warning",
        _ => return None,
    };
    let rule_index = CRITERIA.iter().position(|d| d.id == c.id);
    let (location, suffix) = criterion_anchor(c, report, known);
    let fix = c
        .fix
        .as_deref()
        .map(|f| format!(" Fix: {f}"))
        .unwrap_or_default();
    Some(Pending {
        // One result per criterion: the rule id and the path identify it.
        key: String::new(),
        result: SarifResult {
            rule_id: c.id.as_str(),
            rule_index,
            level,
            message: text(format!(
                "{} {} ({}): {}{suffix}.{fix}",
                c.id,
                c.slug,
                c.status.as_str(),
                c.summary.trim_end_matches('.')
            )),
            locations: vec![location],
            partial_fingerprints: BTreeMap::new(),
            properties: Some(ResultProperties {
                status: Some(c.status.as_str()),
                on_run_path: None,
            }),
        },
    })
}

/// Fills every result's `partialFingerprints`: the hash, then `:N` for its
/// occurrence among results with the same hash (in output order).
fn fingerprint(pending: Vec<Pending>) -> Vec<SarifResult> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    pending
        .into_iter()
        .map(|Pending { mut result, key }| {
            let uri = result
                .locations
                .first()
                .map(|l| l.physical_location.artifact_location.uri.as_str())
                .unwrap_or("");
            let hash = fingerprint_hash(result.rule_id, uri, &key);
            let n = seen.entry(hash.clone()).or_insert(0);
            *n += 1;
            result
                .partial_fingerprints
                .insert(FINGERPRINT_KEY, format!("{hash}:{n}"));
            result
        })
        .collect()
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
    let known = known_paths(report);
    let mut pending: Vec<Pending> = findings
        .into_iter()
        .map(|f| finding_result(f, report, &known))
        .collect();
    let mut criteria: Vec<&CriterionResult> = report.criteria.iter().collect();
    criteria.sort_by_key(|c| CRITERIA.iter().position(|d| d.id == c.id));
    pending.extend(
        criteria
            .into_iter()
            .filter_map(|c| criterion_result(c, report, &known)),
    );
    let results = fingerprint(pending);
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
    fn fix_texts_name_files() {
        assert_eq!(
            file_mentions("entry point (`python train.py` guarded, or a dvc.yaml/Makefile stage)."),
            ["train.py", "dvc.yaml", "Makefile"]
        );
        assert_eq!(
            file_mentions("Add a data section to the README (or data/README.md)."),
            ["data/README.md"]
        );
        assert_eq!(
            file_mentions("a config file (e.g. `params.yaml`) and `cfg[\"seed\"]`"),
            ["params.yaml"]
        );
        assert!(file_mentions("List every dependency with exact versions.").is_empty());
        assert!(file_mentions("see https://example.org/x.md").is_empty());
    }

    #[test]
    fn fingerprint_keys_drop_line_numbers() {
        assert_eq!(
            line_free("np.random.seed(42) at train.py:12 (line 3, lines 4-7, cell 2)"),
            "np.random.seed(42) at train.py:N (line N, lines N-N, cell N)"
        );
        assert_eq!(line_free("n_estimators=100"), "n_estimators=100");
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
