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

/// JSON: one object per row.
pub fn json(entries: &[Entry]) -> String {
    let rows: Vec<serde_json::Value> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            serde_json::json!({
                "rank": i + 1,
                "id": e.project_id,
                "project": e.record.name,
                "source": e.record.source,
                "status": if e.record.status == RecordStatus::Ok { "ok" } else { "error" },
                "error": e.record.error,
                "stars": e.record.stars,
                "basis": e.record.basis,
                "stages": e.record.stages.iter().map(|s| serde_json::json!({"stage": s.stage, "passed": s.passed, "met": s.met, "total": s.total})).collect::<Vec<_>>(),
                "criteria": e.record.criteria.iter().map(|(id, st)| (id.clone(), serde_json::Value::String(st.clone()))).collect::<serde_json::Map<_, _>>(),
                "commit": e.record.commit,
                "tool_version": e.record.tool_version,
                "assessed_at": e.record.assessed_at,
                "duration_ms": e.record.duration_ms,
            })
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
