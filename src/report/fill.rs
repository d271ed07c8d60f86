//! The generated parts of REPRODUCIBILITY.md, filled from a [`Report`]: the
//! stars line, each section's checklist, and the evidence table.
//!
//! Every piece of project text (paths, notes, summaries, fixes) is clipped,
//! escaped for Markdown and has its braces escaped, so that the output never
//! carries raw HTML, never breaks a list or table, and never contains a
//! `{placeholder}`. Code spans in notes (`` `seed` ``) stay code spans. Links
//! are repo-relative paths, percent-encoded; a line anchor is added for
//! files whose line numbers a forge can show (not for Markdown, which is
//! rendered). Only files that support a met criterion are linked: evidence
//! of a criterion not met can name a file that is absent (".dvc/config: no
//! remote"), so it is shown as code, never as a link that would break.

use super::template::{self, Fill, ItemDef, DESCRIPTION, DETAILS_BLOCK, HEADER_BLOCK};
use crate::assessment::{Basis, CriterionResult, Evidence, Status};
use crate::criteria::id::CriterionId;
use crate::render::star_glyphs;
use crate::{Report, TOOL_NAME, VERSION};

/// Characters kept of any one piece of project text.
const MAX_TEXT: usize = 240;

/// Evidence entries shown in one checklist item.
const MAX_ENTRIES: usize = 6;

/// Evidence locations shown per criterion in the details table.
const MAX_LOCATIONS: usize = 5;

/// The begin marker line of block `name`.
pub fn begin(name: &str) -> String {
    format!("<!-- reproscale:begin {name} -->")
}

/// The end marker line of block `name`.
pub fn end(name: &str) -> String {
    format!("<!-- reproscale:end {name} -->")
}

/// `content` wrapped in the markers of block `name`, newline-terminated.
pub fn block(name: &str, content: &str) -> String {
    format!("{}\n{content}{}\n", begin(name), end(name))
}

fn clip(text: &str) -> String {
    if text.chars().count() <= MAX_TEXT {
        return text.to_string();
    }
    let mut s: String = text.chars().take(MAX_TEXT).collect();
    s.push('…');
    s
}

/// Project text as inert Markdown prose: `&`, `<` and `>` become entities
/// (no raw HTML), Markdown punctuation that could open emphasis, code, links,
/// headings, tables, math or a `{placeholder}` gets a backslash, and line
/// breaks, other control characters and bidirectional overrides become
/// spaces. Quotes stay as they are: the file is read raw as often as rendered.
fn plain(text: &str) -> String {
    crate::render::markdown::escape_with(text, false, &['{', '}'])
}

/// Text as a code span; `table` also escapes `|` (GFM reads it as a cell break
/// even in code).
fn code(text: &str, table: bool) -> String {
    let mut inner: String = text
        .chars()
        .map(|c| if c == '`' || c.is_control() { ' ' } else { c })
        .collect();
    if table {
        inner = inner.replace('|', "\\|");
    }
    let inner = inner.trim();
    if inner.is_empty() {
        return String::new();
    }
    format!("`{inner}`")
}

/// Prose from the project: clipped and escaped, `` `code` `` kept as code spans.
fn prose_in(text: &str, table: bool) -> String {
    let text = clip(text);
    let parts: Vec<&str> = text.split('`').collect();
    let last = parts.len().saturating_sub(1);
    let mut out = String::with_capacity(text.len() + 8);
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 0 {
            out.push_str(&plain(part));
        } else if i == last || part.trim().is_empty() {
            // An unmatched or empty span: the backticks are just text.
            out.push_str("\\`");
            out.push_str(&plain(part));
            if i != last {
                out.push_str("\\`");
            }
        } else {
            out.push_str(&code(part, table));
        }
    }
    out
}

fn prose(text: &str) -> String {
    prose_in(text, false)
}

/// A path as a link target: percent-encoded except for unreserved characters and `/`.
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Whether a path can be linked (inside the project, not the root itself).
fn linkable(path: &str) -> bool {
    !(path.is_empty()
        || path == "."
        || path.starts_with('/')
        || path.contains("://")
        || path.split('/').any(|c| c == "..")
        || path.contains('\\'))
}

fn is_markdown(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".md", ".markdown", ".rst", ".ipynb"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// `[text](path#Lline)`; plain text when the path cannot be linked.
fn link_with(text: &str, path: &str, line: Option<u32>) -> String {
    let text = plain(&clip(text));
    if !linkable(path) {
        return text;
    }
    let anchor = match line {
        Some(l) if !is_markdown(path) => format!("#L{l}"),
        _ => String::new(),
    };
    format!("[{text}]({}{anchor})", encode_path(path))
}

fn link(path: &str, line: Option<u32>) -> String {
    link_with(path, path, line)
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces to `-`.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn criterion(report: &Report, id: CriterionId) -> Option<&CriterionResult> {
    report.criteria.iter().find(|c| c.id == id)
}

fn status_words(status: Status) -> &'static str {
    match status {
        Status::NotApplicable => "not applicable",
        s => s.as_str(),
    }
}

/// Drops words that only repeat the item's subject (`documents NVIDIA A100` → `NVIDIA A100`).
fn tidy(note: &str) -> &str {
    note.strip_prefix("documents ").unwrap_or(note)
}

/// Evidence grouped by location: `[path](…) — note; note`.
fn evidence_list(evidence: &[Evidence]) -> String {
    let mut groups: Vec<(&Evidence, Vec<&str>)> = Vec::new();
    for e in evidence {
        let note = tidy(&e.note);
        match groups
            .iter_mut()
            .find(|(g, _)| g.path == e.path && g.line == e.line && g.cell == e.cell)
        {
            Some((_, notes)) => {
                if !notes.contains(&note) {
                    notes.push(note);
                }
            }
            None => groups.push((e, vec![note])),
        }
    }
    let total = groups.len();
    let mut parts: Vec<String> = groups
        .iter()
        .take(MAX_ENTRIES)
        .map(|(e, notes)| {
            let notes: Vec<String> = notes.iter().map(|n| prose(n)).collect();
            if linkable(&e.path) {
                format!("{} — {}", link(&e.path, e.line), notes.join("; "))
            } else {
                notes.join("; ")
            }
        })
        .collect();
    if total > MAX_ENTRIES {
        parts.push(format!(
            "and {} more (see [{}](#{}))",
            total - MAX_ENTRIES,
            template::DETAILS_HEADING,
            slug(template::DETAILS_HEADING)
        ));
    }
    parts.join("; ")
}

/// A shell word, single-quoted when it needs to be.
fn shell_word(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// How an entry point is run, from the 1.1 evidence note.
struct EntryPoint<'a> {
    path: &'a str,
    /// (file that runs it, line, stage/target/block name)
    runner: Option<(&'a str, Option<u32>, &'a str)>,
    why: &'a str,
}

/// Reads `entry point X (run by P (NAME))` or `entry point (WHY)`.
fn entry_point(e: &Evidence) -> Option<EntryPoint<'_>> {
    let rest = e.note.strip_prefix("entry point ")?;
    if let Some(why) = rest.strip_prefix('(') {
        return Some(EntryPoint {
            path: &e.path,
            runner: None,
            why: why.strip_suffix(')').unwrap_or(why),
        });
    }
    let (path, by) = rest.split_once(" (run by ")?;
    let by = by.strip_suffix(')').unwrap_or(by);
    let (runner, name) = by.split_once(" (")?;
    let name = name.strip_suffix(')').unwrap_or(name);
    Some(EntryPoint {
        path,
        runner: Some((runner, e.line, name)),
        why: by,
    })
}

fn run_command(ep: &EntryPoint<'_>) -> Option<String> {
    match ep.runner {
        Some((runner, _, name)) => {
            let file = runner.rsplit('/').next().unwrap_or(runner);
            if let Some(t) = name.strip_prefix("target ") {
                let dir = runner.rsplit_once('/').map(|(d, _)| d);
                Some(match dir {
                    Some(d) => format!("make -C {} {}", shell_word(d), shell_word(t)),
                    None => format!("make {}", shell_word(t)),
                })
            } else if let Some(s) = name.strip_prefix("stage ") {
                Some(format!("dvc repro {}", shell_word(s)))
            } else if let Some(s) = name.strip_prefix("entry point ") {
                (file == "MLproject").then(|| format!("mlflow run . -e {}", shell_word(s)))
            } else {
                None
            }
        }
        None if ep.why.contains("__main__") => Some(format!("python {}", shell_word(ep.path))),
        None if ep.why == "notebook" => Some(format!("jupyter notebook {}", shell_word(ep.path))),
        None => None,
    }
}

fn entry_points(c: &CriterionResult) -> String {
    let mut parts = Vec::new();
    let mut others = Vec::new();
    for e in &c.evidence {
        match entry_point(e) {
            Some(ep) => {
                let mut s = link(ep.path, None);
                match (run_command(&ep), ep.runner) {
                    (Some(cmd), Some((runner, line, _))) => {
                        s.push_str(&format!(
                            " — run with {} ({})",
                            code(&cmd, false),
                            link(runner, line)
                        ));
                    }
                    (Some(cmd), None) => s.push_str(&format!(" — run with {}", code(&cmd, false))),
                    (None, Some((runner, line, _))) => {
                        s.push_str(&format!(" — run as shown in {}", link(runner, line)));
                        if let (Some(l), true) = (line, is_markdown(runner)) {
                            s.push_str(&format!(" (line {l})"));
                        }
                    }
                    (None, None) => s.push_str(&format!(" — {}", prose(ep.why))),
                }
                parts.push(s);
            }
            None => others.push(e.clone()),
        }
    }
    let total = parts.len();
    parts.truncate(MAX_ENTRIES);
    if total > MAX_ENTRIES {
        parts.push(format!("and {} more", total - MAX_ENTRIES));
    }
    if !others.is_empty() {
        parts.push(evidence_list(&others));
    }
    parts.join("; ")
}

/// Reads `section "NAME" documents the data: SUMMARY`.
fn schema(c: &CriterionResult) -> String {
    let mut parts = Vec::new();
    let mut others = Vec::new();
    for e in &c.evidence {
        let parsed = e.note.strip_prefix("section \"").and_then(|r| {
            let (name, rest) = r.split_once('"')?;
            let summary = rest
                .trim_start()
                .strip_prefix("documents the data")
                .map(|s| s.trim_start_matches(':').trim())
                .unwrap_or(rest.trim());
            Some((name, summary))
        });
        match parsed {
            Some((name, summary)) if linkable(&e.path) => {
                let target = format!("{}#{}", encode_path(&e.path), encode_path(&slug(name)));
                let text = plain(&clip(&format!("{} § {}", e.path, name)));
                let mut s = format!("[{text}]({target})");
                if !summary.is_empty() {
                    s.push_str(&format!(" — {}", prose(summary)));
                }
                parts.push(s);
            }
            _ => others.push(e.clone()),
        }
    }
    parts.truncate(MAX_ENTRIES);
    if !others.is_empty() {
        parts.push(evidence_list(&others));
    }
    parts.join("; ")
}

fn is_code_file(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".py", ".ipynb", ".sh", ".r", ".jl"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// Whether the report names `path` as a file of the project (so a link to it resolves).
fn known_file(report: &Report, path: &str) -> bool {
    report.entry_points.iter().any(|p| p == path)
        || report
            .criteria
            .iter()
            .filter(|c| c.status.is_met())
            .any(|c| c.evidence.iter().any(|e| e.path == path))
}

fn file_ref(report: &Report, path: &str) -> String {
    if known_file(report, path) && linkable(path) {
        link(path, None)
    } else {
        code(path, false)
    }
}

fn code_of_stage(report: &Report, pipeline_file: &str, name: &str) -> Option<String> {
    let runs = criterion(report, CriterionId::C1_1)?;
    runs.evidence.iter().filter_map(entry_point).find_map(|ep| {
        let (runner, _, n) = ep.runner?;
        (runner == pipeline_file && n == name).then(|| ep.path.to_string())
    })
}

fn outputs(list: &[&str]) -> String {
    list.iter()
        .filter(|o| !o.trim().is_empty())
        .take(MAX_ENTRIES)
        .map(|o| code(o.trim(), false))
        .collect::<Vec<_>>()
        .join(", ")
}

fn steps(report: &Report, c: &CriterionResult) -> String {
    let mut parts = Vec::new();
    let mut others = Vec::new();
    for e in &c.evidence {
        let where_ = link(&e.path, e.line);
        if let Some(rest) = e.note.strip_prefix("dvc.yaml stage ") {
            let (name, outs) = match rest.split_once(" (outs: ") {
                Some((n, o)) => (n, o.strip_suffix(')').unwrap_or(o)),
                None => (rest, ""),
            };
            let mut s = format!("step {} ({where_})", code(name, false));
            if let Some(script) = code_of_stage(report, &e.path, &format!("stage {name}")) {
                s.push_str(&format!(": code {}", file_ref(report, &script)));
            }
            let outs: Vec<&str> = outs.split(", ").collect();
            let outs = outputs(&outs);
            if !outs.is_empty() {
                s.push_str(&format!(", outputs {outs}"));
            }
            parts.push(s);
        } else if let Some(rest) = e.note.strip_prefix("Makefile target ") {
            let (target, deps) = rest.split_once(" ← ").unwrap_or((rest, ""));
            let code_files: Vec<String> = deps
                .split_whitespace()
                .filter(|d| is_code_file(d))
                .map(|d| file_ref(report, d))
                .collect();
            let mut s = format!("step {} ({where_})", code(&format!("make {target}"), false));
            if !code_files.is_empty() {
                s.push_str(&format!(": code {}", code_files.join(", ")));
            }
            s.push_str(&format!(", outputs {}", outputs(&[target])));
            parts.push(s);
        } else if let Some(name) = e.note.strip_prefix("MLproject ") {
            let mut s = format!("step {} ({where_})", code(name, false));
            if let Some(script) = code_of_stage(report, &e.path, name) {
                s.push_str(&format!(": code {}", file_ref(report, &script)));
            }
            parts.push(s);
        } else {
            others.push(e.clone());
        }
    }
    let total = parts.len();
    parts.truncate(MAX_ENTRIES);
    if total > MAX_ENTRIES {
        parts.push(format!("and {} more", total - MAX_ENTRIES));
    }
    if !others.is_empty() {
        parts.push(evidence_list(&others));
    }
    parts.join("; ")
}

/// A hosted or notebook demo (somewhere to try the model without setting up the project).
fn is_demo(note: &str) -> bool {
    note.contains("Colab") || note.contains("Hugging Face Space") || note.contains("notebook")
}

fn app_command(e: &Evidence) -> Option<String> {
    let p = shell_word(&e.path);
    let note = e.note.as_str();
    let cmd = match note {
        "Streamlit app" => format!("streamlit run {p}"),
        "Gradio app" | "Dash app" | "Flask endpoint" => format!("python {p}"),
        "Panel app" => format!("panel serve {p}"),
        "FastAPI endpoint" => format!("fastapi dev {p}"),
        "BentoML service" | "BentoML build file" => "bentoml serve".into(),
        "Cog predictor" | "Cog configuration" => "cog predict".into(),
        "demo/inference notebook" => format!("jupyter notebook {p}"),
        n if n.starts_with("prediction script") => {
            let args = n
                .rsplit_once('(')
                .map(|(_, a)| a.trim_end_matches(')'))
                .unwrap_or("");
            let mut cmd = format!("python {p}");
            for a in args.split_whitespace() {
                let name = a.trim_start_matches('-').replace('-', "_").to_uppercase();
                if name.is_empty() {
                    continue;
                }
                if a.starts_with('-') {
                    cmd.push_str(&format!(" {} {name}", shell_word(a)));
                } else {
                    cmd.push_str(&format!(" {name}"));
                }
            }
            cmd
        }
        _ => return None,
    };
    Some(cmd)
}

fn where_to_evaluate(c: &CriterionResult) -> String {
    let demos: Vec<Evidence> = c
        .evidence
        .iter()
        .filter(|e| is_demo(&e.note))
        .cloned()
        .collect();
    if !demos.is_empty() {
        return evidence_list(&demos);
    }
    format!("locally, with {}", evidence_list(&c.evidence))
}

fn app(c: &CriterionResult) -> String {
    let apps: Vec<&Evidence> = c
        .evidence
        .iter()
        .filter(|e| !is_demo(&e.note) || e.note == "demo/inference notebook")
        .collect();
    if apps.is_empty() {
        return evidence_list(&c.evidence);
    }
    let mut parts: Vec<String> = apps
        .iter()
        .take(MAX_ENTRIES)
        .map(|e| {
            let mut s = if linkable(&e.path) {
                format!("{} — {}", link(&e.path, e.line), prose(&e.note))
            } else {
                prose(&e.note)
            };
            if let Some(cmd) = app_command(e) {
                s.push_str(&format!("; run it locally with {}", code(&cmd, false)));
            }
            s
        })
        .collect();
    if apps.len() > MAX_ENTRIES {
        parts.push(format!("and {} more", apps.len() - MAX_ENTRIES));
    }
    parts.join("; ")
}

fn sentence(text: &str) -> String {
    let t = text.trim().trim_end_matches('.');
    prose(t)
}

/// Whether an item is ticked, and the text after its label.
pub fn item_body(report: &Report, item: &ItemDef) -> (bool, String) {
    let Some(c) = criterion(report, item.criterion) else {
        return (
            false,
            format!(
                "not assessed: criterion {} is not in this report",
                item.criterion
            ),
        );
    };
    let mut body = match c.status {
        Status::Pass => {
            let filled = match item.fill {
                Fill::EntryPoints => entry_points(c),
                Fill::Evidence => evidence_list(&c.evidence),
                Fill::EvidenceAndSummary => {
                    let list = evidence_list(&c.evidence);
                    if list.is_empty() {
                        String::new()
                    } else {
                        format!("{list}; {}", sentence(&c.summary))
                    }
                }
                Fill::Schema => schema(c),
                Fill::Steps => steps(report, c),
                Fill::WhereToEvaluate => where_to_evaluate(c),
                Fill::App => app(c),
            };
            if filled.is_empty() {
                sentence(&c.summary)
            } else {
                filled
            }
        }
        Status::NotApplicable => format!("not applicable: {}", sentence(&c.summary)),
        Status::Unknown => format!("could not be assessed: {}", sentence(&c.summary)),
        Status::Partial | Status::Fail => {
            let mut s = format!(
                "missing: {} ({} {}: {})",
                sentence(&c.summary),
                c.id,
                c.slug,
                status_words(c.status)
            );
            if let Some(fix) = &c.fix {
                s.push_str(&format!(". Fix: {}", sentence(fix)));
            }
            s
        }
    };
    if let Some(o) = &c.overridden {
        body.push_str(&format!(
            " (status set by {}: {}; reproscale assessed {})",
            prose(&o.source),
            sentence(&o.reason),
            status_words(o.assessed_status)
        ));
    }
    (c.status.is_met(), body)
}

/// The whole checklist line of an item, without a line ending.
pub fn item_line(report: &Report, item: &ItemDef) -> String {
    let (ticked, body) = item_body(report, item);
    let mark = if ticked { 'x' } else { ' ' };
    format!("- [{mark}] **{}:** {body}", item.label)
}

/// The content of a section's block (its checklist and a progress line).
pub fn section_content(report: &Report, stage: u8) -> String {
    section_content_with_notes(report, stage, &[])
}

/// The content of a section's block, with the user's lines kept where they
/// were: `notes[0]` above the first item, `notes[k]` under item k, and the
/// last entry after the progress line (see `merge::block_notes`).
pub fn section_content_with_notes(report: &Report, stage: u8, notes: &[Vec<&str>]) -> String {
    let n = template::section(stage).map_or(0, |s| s.items);
    let push_all = |out: &mut String, lines: &[&str]| {
        for l in lines {
            out.push_str(l);
            out.push('\n');
        }
    };
    let seg = |k: usize| notes.get(k).map_or(&[][..], Vec::as_slice);
    let mut out = String::new();
    push_all(&mut out, seg(0));
    for item in template::ITEMS.iter().filter(|i| i.section == stage) {
        out.push_str(&item_line(report, item));
        out.push('\n');
        let mut lines = seg(item.index);
        if item.index == n {
            // The blank line before the progress line is reproscale's own.
            while lines.last().is_some_and(|l| l.trim().is_empty()) {
                lines = &lines[..lines.len() - 1];
            }
        }
        push_all(&mut out, lines);
    }
    out.push('\n');
    out.push_str(&progress_line(report, stage));
    push_all(&mut out, seg(n + 1));
    out
}

/// The line that closes a section's block: whether the stage passes and what is not met.
fn progress_line(report: &Report, stage: u8) -> String {
    let of_stage: Vec<&CriterionResult> = report
        .criteria
        .iter()
        .filter(|c| c.stage == stage)
        .collect();
    let met = of_stage.iter().filter(|c| c.status.is_met()).count();
    let not_met: Vec<String> = of_stage
        .iter()
        .filter(|c| !c.status.is_met())
        .map(|c| format!("{} {} ({})", c.id, c.slug, status_words(c.status)))
        .collect();
    let details = format!(
        "[{}](#{})",
        template::DETAILS_HEADING,
        slug(template::DETAILS_HEADING)
    );
    if not_met.is_empty() && !of_stage.is_empty() {
        format!(
            "{PROGRESS} {stage} passes: {met} of {} criteria met (see {details}).\n",
            of_stage.len()
        )
    } else {
        format!(
            "{PROGRESS} {stage} does not pass: {met} of {} criteria met; not met: {} (see {details}).\n",
            of_stage.len(),
            plain(&not_met.join(", "))
        )
    }
}

/// How the progress line starts (`Stage 3 passes: …`); regeneration knows it by this.
pub const PROGRESS: &str = "Stage";

/// Whether a line inside a section block is reproscale's progress line.
pub fn is_progress_line(line: &str, stage: u8) -> bool {
    line.trim_start()
        .strip_prefix(PROGRESS)
        .and_then(|r| r.trim_start().strip_prefix(char::from(b'0' + stage)))
        .is_some_and(|r| r.starts_with(" passes") || r.starts_with(" does not pass"))
}

fn basis_words(b: Basis) -> &'static str {
    match b {
        Basis::Static => "static assessment",
        Basis::Verified => "verified by re-running",
    }
}

/// The stars line (and the note on how regeneration works).
pub fn header_content(report: &Report, date: &str) -> String {
    let stars = report.stars.min(5);
    let commit = match &report.project.commit {
        Some(c) => {
            let short: String = c.chars().take(7).collect();
            let dirty = if report.project.dirty == Some(true) {
                " (with uncommitted changes)"
            } else {
                ""
            };
            format!("commit {}{dirty}", code(&short, false))
        }
        None => "no commit (not a git repository)".to_string(),
    };
    format!(
        "**Reproducibility: {} {stars}/5** · {} · {TOOL_NAME} {VERSION} · {commit} · {}\n\
         <!-- Generated by {TOOL_NAME}. `{TOOL_NAME} report` rewrites this header, the checklist items, the stage lines and the details table; notes you add under an item or outside the reproscale markers are kept. -->\n",
        star_glyphs(stars),
        basis_words(report.basis),
        plain(&clip(date))
    )
}

/// The per-criterion evidence table.
pub fn details_content(report: &Report) -> String {
    let mut out =
        String::from("| ID | Criterion | Status | Summary | Evidence |\n|---|---|---|---|---|\n");
    for c in &report.criteria {
        let mut status = status_words(c.status).to_string();
        if c.basis == Basis::Verified {
            status.push_str(" (verified)");
        }
        if let Some(o) = &c.overridden {
            status.push_str(&format!(
                " (set by {}: {}; assessed {})",
                prose_in(&o.source, true),
                prose_in(&o.reason, true),
                status_words(o.assessed_status)
            ));
        }
        let mut locations: Vec<String> = Vec::new();
        // A set, not `locations.contains`: a notebook can carry tens of thousands of
        // pieces of evidence, and a linear search per piece is quadratic.
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        for e in &c.evidence {
            if !linkable(&e.path) {
                continue;
            }
            // Evidence of a criterion not met may name a file that is absent
            // (".dvc/config: no remote"); only supporting evidence is linked.
            let l = if c.status.is_met() {
                link_with(&e.location(), &e.path, e.line.filter(|_| e.cell.is_none()))
            } else {
                code(&e.location(), true)
            };
            if seen.insert(l.clone()) && locations.len() < MAX_LOCATIONS {
                locations.push(l);
            }
        }
        let total = seen.len();
        if total > MAX_LOCATIONS {
            locations.push(format!("… {} more", total - MAX_LOCATIONS));
        }
        let evidence = if locations.is_empty() {
            "—".to_string()
        } else {
            locations.join(", ")
        };
        out.push_str(&format!(
            "| {} | {} {} | {status} | {} | {evidence} |\n",
            plain(c.id.as_str()),
            plain(c.slug),
            plain(&format!("— {}", c.title)),
            prose_in(&c.summary, true),
        ));
    }
    out
}

/// A complete report, written from scratch.
pub fn fresh(report: &Report, date: &str) -> String {
    let mut out = format!("# {}\n\n{DESCRIPTION}\n\n", template::TITLE);
    out.push_str(&block(HEADER_BLOCK, &header_content(report, date)));
    for s in &template::SECTIONS {
        out.push_str(&format!("\n## {}\n\n", s.heading));
        out.push_str(&block(s.block, &section_content(report, s.stage)));
    }
    out.push_str(&format!("\n## {}\n\n", template::DETAILS_HEADING));
    out.push_str(&block(DETAILS_BLOCK, &details_content(report)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_encoded_and_text_escaped() {
        assert_eq!(
            encode_path("data/my file(1).csv"),
            "data/my%20file%281%29.csv"
        );
        assert_eq!(link("a b.py", Some(3)), "[a b.py](a%20b.py#L3)");
        assert_eq!(link("README.md", Some(3)), "[README.md](README.md)");
        assert_eq!(prose("x {y} <b> `k|{z}`"), "x \\{y\\} &lt;b&gt; `k|{z}`");
        assert_eq!(prose_in("`a|b`", true), "`a\\|b`");
        assert_eq!(prose("odd ` tick"), "odd \\` tick");
        assert_eq!(
            slug("Use the model: on *your* input"),
            "use-the-model-on-your-input"
        );
    }

    #[test]
    fn entry_point_notes() {
        let e = Evidence {
            path: "Makefile".into(),
            line: Some(4),
            cell: None,
            note: "entry point train.py (run by Makefile (target train))".into(),
        };
        let ep = entry_point(&e).expect("parses");
        assert_eq!(ep.path, "train.py");
        assert_eq!(run_command(&ep).as_deref(), Some("make train"));
        let e = Evidence::file(
            "a b.py",
            "entry point (`if __name__ == \"__main__\"` guard)",
        );
        let ep = entry_point(&e).expect("parses");
        assert_eq!(run_command(&ep).as_deref(), Some("python 'a b.py'"));
    }
}
