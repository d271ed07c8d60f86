//! The leaderboard in four formats: table, json, csv, markdown.

use std::fmt::Write;

use super::store::{Entry, RecordStatus};
use crate::render::star_glyphs;

fn stages_text(e: &Entry) -> String {
    e.record
        .stages
        .iter()
        .map(|s| format!("{}/{}", s.met, s.total))
        .collect::<Vec<_>>()
        .join(" ")
}

fn short(commit: &Option<String>) -> String {
    commit
        .as_deref()
        .map(|c| c[..c.len().min(10)].to_string())
        .unwrap_or_else(|| "—".into())
}

fn stars_text(e: &Entry) -> String {
    match (e.record.status, e.record.stars) {
        (RecordStatus::Ok, Some(n)) => format!("{} {n}/5", star_glyphs(n)),
        _ => format!("error: {}", e.record.error.as_deref().unwrap_or("unknown")),
    }
}

/// A plain table for a terminal.
pub fn table(entries: &[Entry]) -> String {
    let mut out = String::new();
    let width = entries
        .iter()
        .map(|e| e.record.name.chars().count())
        .max()
        .unwrap_or(7)
        .clamp(7, 40);
    let _ = writeln!(
        out,
        "{:>4}  {:<width$}  {:<12}  {:<19}  {:<10}  date",
        "rank", "project", "stars", "stages 1-5", "commit"
    );
    for (i, e) in entries.iter().enumerate() {
        let name: String = e.record.name.chars().take(width).collect();
        let _ = writeln!(
            out,
            "{:>4}  {name:<width$}  {:<12}  {:<19}  {:<10}  {}",
            i + 1,
            stars_text(e),
            stages_text(e),
            short(&e.record.commit),
            e.record.assessed_at.get(..10).unwrap_or("")
        );
    }
    out
}

/// One row of `rank --format json` (`rank list` too): the JSON contract whose
/// schema `reproscale schema rank` prints (the document is an array of rows).
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct JsonRow<'a> {
    /// 1-based position on the leaderboard.
    pub rank: usize,
    /// The project's id in the store.
    pub id: i64,
    /// The project's display name.
    pub project: &'a str,
    /// The path or URL it was ranked from.
    pub source: &'a str,
    /// Whether the assessment succeeded.
    pub status: RecordStatus,
    /// Why it failed (`null` when it did not).
    pub error: Option<&'a str>,
    /// Stars (`null` when the assessment failed).
    pub stars: Option<u8>,
    /// `static` or `verified`.
    pub basis: &'a str,
    /// Per-stage progress.
    pub stages: &'a [super::store::Stage],
    /// Criterion id → status.
    #[schemars(with = "std::collections::BTreeMap<String, String>")]
    pub criteria: serde_json::Map<String, serde_json::Value>,
    /// The commit assessed.
    pub commit: Option<&'a str>,
    /// The reproscale version that assessed it.
    pub tool_version: &'a str,
    /// When, as RFC 3339.
    pub assessed_at: &'a str,
    /// How long the assessment took.
    pub duration_ms: u64,
}

/// JSON: one object per row.
pub fn json(entries: &[Entry]) -> String {
    let rows: Vec<JsonRow<'_>> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| JsonRow {
            rank: i + 1,
            id: e.project_id,
            project: &e.record.name,
            source: &e.record.source,
            status: e.record.status,
            error: e.record.error.as_deref(),
            stars: e.record.stars,
            basis: &e.record.basis,
            stages: &e.record.stages,
            criteria: e
                .record
                .criteria
                .iter()
                .map(|(id, st)| (id.to_string(), serde_json::Value::from(st.as_str())))
                .collect(),
            commit: e.record.commit.as_deref(),
            tool_version: &e.record.tool_version,
            assessed_at: &e.record.assessed_at,
            duration_ms: e.record.duration_ms,
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&rows).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}

/// CSV with a header row.
pub fn csv(entries: &[Entry]) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "rank",
        "project",
        "source",
        "status",
        "stars",
        "stage1",
        "stage2",
        "stage3",
        "stage4",
        "stage5",
        "commit",
        "assessed_at",
        "error",
    ]);
    for (i, e) in entries.iter().enumerate() {
        let mut row = vec![
            (i + 1).to_string(),
            e.record.name.clone(),
            e.record.source.clone(),
            if e.record.status == RecordStatus::Ok {
                "ok".into()
            } else {
                "error".into()
            },
            e.record.stars.map(|s| s.to_string()).unwrap_or_default(),
        ];
        for n in 1..=5u8 {
            row.push(
                e.record
                    .stages
                    .iter()
                    .find(|s| s.stage == n)
                    .map(|s| format!("{}/{}", s.met, s.total))
                    .unwrap_or_default(),
            );
        }
        row.push(e.record.commit.clone().unwrap_or_default());
        row.push(e.record.assessed_at.clone());
        row.push(e.record.error.clone().unwrap_or_default());
        let _ = w.write_record(&row);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// A Markdown table; project text is escaped.
pub fn markdown(entries: &[Entry]) -> String {
    let esc = crate::render::markdown::escape;
    let mut out = String::from(
        "| rank | project | stars | stages 1–5 | commit | date |\n|---:|---|---|---|---|---|\n",
    );
    for (i, e) in entries.iter().enumerate() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            i + 1,
            esc(&e.record.name),
            esc(&stars_text(e)),
            stages_text(e),
            short(&e.record.commit),
            e.record.assessed_at.get(..10).unwrap_or("")
        );
    }
    out
}
