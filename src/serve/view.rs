//! What the pages and the API show, built from store records as JSON
//! values (the API sends them; the templates read them through
//! [`to_template`]).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::criteria::catalog::{self, STAGE_NAMES, STAGE_TITLES};
use crate::rank::store::{Entry, Record, RecordStatus, Stage};
use crate::render::star_glyphs;

/// One stage's progress.
#[derive(Serialize)]
struct StageView {
    stage: u8,
    name: &'static str,
    passed: bool,
    met: u8,
    total: u8,
}

/// The name of stage `n` (1-based), `""` when out of range.
fn stage_name(n: u8) -> &'static str {
    usize::from(n)
        .checked_sub(1)
        .and_then(|i| STAGE_NAMES.get(i))
        .copied()
        .unwrap_or("")
}

/// The title of stage `n` (1-based), `Stage n` when out of range.
fn stage_title(n: u8) -> String {
    usize::from(n)
        .checked_sub(1)
        .and_then(|i| STAGE_TITLES.get(i))
        .map(|t| t.to_string())
        .unwrap_or_else(|| format!("Stage {n}"))
}

fn stage_view(s: &Stage) -> StageView {
    StageView {
        stage: s.stage,
        name: stage_name(s.stage),
        passed: s.passed,
        met: s.met,
        total: s.total,
    }
}

/// One record as the API shows it (no report).
#[derive(Serialize)]
struct RecordView<'a> {
    status: &'static str,
    error: Option<&'a str>,
    stars: Option<u8>,
    basis: &'a str,
    commit: Option<&'a str>,
    assessed_at: &'a str,
    duration_ms: u64,
    tool_version: &'a str,
    stages: Vec<StageView>,
    criteria: Map<String, Value>,
}

fn record_view(r: &Record) -> RecordView<'_> {
    RecordView {
        status: r.status.as_str(),
        error: r.error.as_deref(),
        stars: r.stars,
        basis: &r.basis,
        commit: r.commit.as_deref(),
        assessed_at: &r.assessed_at,
        duration_ms: r.duration_ms,
        tool_version: &r.tool_version,
        stages: r.stages.iter().map(stage_view).collect(),
        criteria: r
            .criteria
            .iter()
            .map(|(id, status)| (id.to_string(), Value::from(status.as_str())))
            .collect(),
    }
}

/// The record as a JSON object.
fn record_json(r: &Record) -> Value {
    serde_json::to_value(record_view(r)).unwrap_or(Value::Null)
}

/// The project's page, badge and API links.
fn links(id: i64) -> [(&'static str, Value); 3] {
    [
        ("url", Value::from(format!("/projects/{id}"))),
        (
            "badge_url",
            Value::from(format!("/projects/{id}/badge.svg")),
        ),
        ("api_url", Value::from(format!("/api/projects/{id}"))),
    ]
}

/// Leaderboard rows for the API: the entries of `page` (a range of
/// `entries`, clamped to it) in the store's order, each with its rank by
/// stars among all of `entries` (ties share a rank; errors have none).
pub(crate) fn rows(entries: &[Entry], page: std::ops::Range<usize>) -> Vec<Value> {
    // How many rated rows have each star count.
    let mut count = [0usize; 256];
    for e in entries {
        if let (RecordStatus::Ok, Some(s)) = (e.record.status, e.record.stars) {
            count[usize::from(s)] += 1;
        }
    }
    let end = page.end.min(entries.len());
    let start = page.start.min(end);
    entries[start..end]
        .iter()
        .map(|e| {
            let r = &e.record;
            let rank = match (r.status, r.stars) {
                (RecordStatus::Ok, Some(stars)) => {
                    Value::from(1 + count[usize::from(stars) + 1..].iter().sum::<usize>())
                }
                _ => Value::Null,
            };
            let mut obj = Map::new();
            obj.insert("rank".into(), rank);
            obj.insert("id".into(), Value::from(e.project_id));
            obj.insert("name".into(), Value::from(r.name.as_str()));
            obj.insert("source".into(), Value::from(r.source.as_str()));
            if let Value::Object(rest) = record_json(r) {
                obj.extend(rest);
            }
            for (k, v) in links(e.project_id) {
                obj.insert(k.into(), v);
            }
            Value::Object(obj)
        })
        .collect()
}

/// `2025-06-01 12:00` from `2025-06-01T12:00:00Z`.
fn short_date(at: &str) -> String {
    match at.get(..16) {
        Some(s) => s.replacen('T', " ", 1),
        None => at.to_string(),
    }
}

/// The first 10 characters of a commit.
fn short_commit(commit: &str) -> String {
    commit.chars().take(10).collect()
}

/// `850 ms`, `2.4 s`, `3 min 5 s`.
fn duration(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        format!("{} min {} s", ms / 60_000, (ms % 60_000) / 1000)
    }
}

/// Adds what only the HTML shows (short commit and date, star glyphs, a
/// readable duration) to a row or record object.
pub(crate) fn for_html(mut v: Value) -> Value {
    if let Value::Object(obj) = &mut v {
        let stars = obj.get("stars").and_then(Value::as_u64);
        let glyphs = stars
            .and_then(|s| u8::try_from(s).ok())
            .map(star_glyphs)
            .unwrap_or_default();
        let commit = obj
            .get("commit")
            .and_then(Value::as_str)
            .map(short_commit)
            .unwrap_or_default();
        let date = obj
            .get("assessed_at")
            .and_then(Value::as_str)
            .map(short_date)
            .unwrap_or_default();
        let took = obj
            .get("duration_ms")
            .and_then(Value::as_u64)
            .map(duration)
            .unwrap_or_default();
        obj.insert("glyphs".into(), Value::from(glyphs));
        obj.insert("commit_short".into(), Value::from(commit));
        obj.insert("date".into(), Value::from(date));
        obj.insert("took".into(), Value::from(took));
    }
    v
}

/// `path[cell N]:line` of an evidence or finding object.
fn location(v: &Value) -> String {
    let mut s = v["path"].as_str().unwrap_or("").to_string();
    if let Some(cell) = v["cell"].as_u64() {
        s.push_str(&format!("[cell {cell}]"));
    }
    if let Some(line) = v["line"].as_u64() {
        s.push_str(&format!(":{line}"));
    }
    s
}

fn text(v: &Value) -> Value {
    Value::from(v.as_str().unwrap_or(""))
}

/// The criteria of a stored report, grouped by stage, for the project page;
/// from the record's stages and statuses alone when it has no readable
/// report.
fn stage_sections(r: &Record, report: Option<&Value>) -> Vec<Value> {
    let criteria: Vec<Value> = match report.and_then(|rep| rep["criteria"].as_array()) {
        Some(list) => list
            .iter()
            .map(|c| {
                let evidence: Vec<Value> = c["evidence"]
                    .as_array()
                    .map(|ev| {
                        ev.iter()
                            .map(|e| json!({"location": location(e), "note": text(&e["note"])}))
                            .collect()
                    })
                    .unwrap_or_default();
                let looked_for: Vec<Value> = c["looked_for"]
                    .as_array()
                    .map(|l| l.iter().map(text).collect())
                    .unwrap_or_default();
                json!({
                    "id": text(&c["id"]),
                    "stage": c["stage"].as_u64().unwrap_or(0),
                    "title": text(&c["title"]),
                    "status": text(&c["status"]),
                    "summary": text(&c["summary"]),
                    "evidence": evidence,
                    "looked_for": looked_for,
                    "fix": c["fix"].as_str(),
                    "overridden": c["overridden"]["reason"].as_str(),
                })
            })
            .collect(),
        None => r
            .criteria
            .iter()
            .map(|(id, status)| {
                let def = catalog::def(*id);
                json!({
                    "id": id,
                    "stage": def.stage,
                    "title": def.title,
                    "status": status,
                    "summary": "",
                    "evidence": [],
                    "looked_for": [],
                    "fix": Value::Null,
                    "overridden": Value::Null,
                })
            })
            .collect(),
    };
    r.stages
        .iter()
        .map(|s| {
            let mine: Vec<&Value> = criteria
                .iter()
                .filter(|c| c["stage"].as_u64() == Some(u64::from(s.stage)))
                .collect();
            json!({
                "stage": s.stage,
                "title": stage_title(s.stage),
                "passed": s.passed,
                "met": s.met,
                "total": s.total,
                "criteria": mine,
            })
        })
        .collect()
}

/// The rule findings of a stored report, run-path ones first.
fn findings(report: Option<&Value>) -> Vec<Value> {
    let mut out: Vec<Value> = report
        .and_then(|rep| rep["findings"].as_array())
        .map(|list| {
            list.iter()
                .map(|f| {
                    json!({
                        "rule": text(&f["rule"]),
                        "location": location(f),
                        "message": text(&f["message"]),
                        "on_run_path": f["on_run_path"].as_bool().unwrap_or(false),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort_by_key(|f| !f["on_run_path"].as_bool().unwrap_or(false));
    out
}

/// A stored report, parsed; `None` when absent or unreadable.
fn parse_report(r: &Record) -> Option<Value> {
    r.report_json
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
}

/// `/api/projects/{id}`: the project, its latest record, its stored report
/// and its history (newest first). `None` when it has no record at all.
pub(crate) fn project_api(id: i64, name: &str, source: &str, history: &[Record]) -> Option<Value> {
    let latest = history.first()?;
    let mut obj = Map::new();
    obj.insert("id".into(), Value::from(id));
    obj.insert("name".into(), Value::from(name));
    obj.insert("source".into(), Value::from(source));
    for (k, v) in links(id) {
        obj.insert(k.into(), v);
    }
    obj.insert("latest".into(), record_json(latest));
    obj.insert("report".into(), parse_report(latest).unwrap_or(Value::Null));
    obj.insert(
        "history".into(),
        Value::Array(history.iter().map(record_json).collect()),
    );
    Some(Value::Object(obj))
}

/// The latest record that has stars (what the badge and the page show).
pub(crate) fn rated(history: &[Record]) -> Option<&Record> {
    history
        .iter()
        .find(|r| r.status == RecordStatus::Ok && r.stars.is_some())
}

/// The project page's context. `None` when the project has no record.
pub(crate) fn project_page(id: i64, name: &str, source: &str, history: &[Record]) -> Option<Value> {
    let latest = history.first()?;
    let shown = rated(history);
    let report = shown.and_then(parse_report);
    let assessment = shown.map(|r| {
        let mut v = for_html(record_json(r));
        if let Value::Object(obj) = &mut v {
            obj.insert(
                "stages".into(),
                Value::Array(stage_sections(r, report.as_ref())),
            );
            obj.insert("findings".into(), Value::Array(findings(report.as_ref())));
            obj.insert(
                "entry_points".into(),
                report
                    .as_ref()
                    .map(|rep| rep["entry_points"].clone())
                    .unwrap_or(Value::Null),
            );
            obj.insert("is_latest".into(), Value::from(std::ptr::eq(r, latest)));
        }
        v
    });
    let mut obj = Map::new();
    obj.insert("id".into(), Value::from(id));
    obj.insert("name".into(), Value::from(name));
    obj.insert("source".into(), Value::from(source));
    for (k, v) in links(id) {
        obj.insert(k.into(), v);
    }
    obj.insert("latest".into(), for_html(record_json(latest)));
    obj.insert("assessment".into(), assessment.unwrap_or(Value::Null));
    obj.insert(
        "history".into(),
        Value::Array(history.iter().map(|r| for_html(record_json(r))).collect()),
    );
    Some(Value::Object(obj))
}

/// The filter form's stage choices: `1:passed`, `1:failed`, … with labels.
pub(crate) fn stage_options() -> Vec<Value> {
    (1..=5u8)
        .flat_map(|n| {
            [true, false].map(|passed| {
                json!({
                    "value": super::params::stage_value(n, passed),
                    "label": format!("{n} {} {}", stage_title(n), if passed { "passed" } else { "not passed" }),
                })
            })
        })
        .collect()
}

/// A JSON value as a template value.
pub(crate) fn to_template(v: &Value) -> minijinja::Value {
    match v {
        Value::Null => minijinja::Value::from(()),
        Value::Bool(b) => minijinja::Value::from(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                minijinja::Value::from(i)
            } else if let Some(u) = n.as_u64() {
                minijinja::Value::from(u)
            } else {
                minijinja::Value::from(n.as_f64().unwrap_or(0.0))
            }
        }
        Value::String(s) => minijinja::Value::from(s.as_str()),
        Value::Array(a) => minijinja::Value::from(a.iter().map(to_template).collect::<Vec<_>>()),
        Value::Object(o) => minijinja::Value::from(
            o.iter()
                .map(|(k, v)| (k.clone(), to_template(v)))
                .collect::<BTreeMap<String, minijinja::Value>>(),
        ),
    }
}

/// A JSON body with `<`, `>` and `&` written as `\u003c`, `\u003e`,
/// `\u0026` (they can only occur inside strings, so the document means the
/// same), so that no browser ever sniffs markup in it.
pub(crate) fn json_body(v: &Value) -> String {
    let s = serde_json::to_string_pretty(v).unwrap_or_else(|_| "null".into());
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(short_date("2025-06-01T12:34:56Z"), "2025-06-01 12:34");
        assert_eq!(short_date("soon"), "soon");
        assert_eq!(duration(850), "850 ms");
        assert_eq!(duration(2400), "2.4 s");
        assert_eq!(duration(185_000), "3 min 5 s");
        assert_eq!(
            location(&json!({"path": "a.ipynb", "cell": 2, "line": 7})),
            "a.ipynb[cell 2]:7"
        );
    }

    #[test]
    fn json_body_escapes_markup() {
        let body = json_body(&json!({"name": "<script>alert(1)</script> & co"}));
        assert!(!body.contains('<') && !body.contains('&'), "{body}");
        let back: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(back["name"], "<script>alert(1)</script> & co");
    }
}
