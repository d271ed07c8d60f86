//! `--format markdown`: a summary fit for a pull-request comment.
//!
//! Layout: a heading with the stars and the project, a table of the five
//! stages, one collapsible `<details>` block per criterion that needs
//! attention (fail, partial, unknown), one compact table row per criterion
//! that is met (pass, not applicable), and a one-line footer.
//!
//! Every piece of text that can come from the assessed project (paths,
//! evidence notes, summaries, fixes, the project path) goes through
//! [`escape`]: it is never emitted as raw HTML and cannot break the table,
//! list or link structure. The only HTML in the output is this module's own
//! (`<details>`, `<summary>`, `<b>`, `<code>`, `<sub>`).
//!
//! GitHub cuts comments at 65,536 characters, so the output is bounded: each
//! criterion shows at most [`MAX_EVIDENCE`] evidence items, each item of
//! project text is clipped, and blocks that would not fit under
//! [`MAX_BYTES`] are left out with a pointer to `--format json`.

use std::fmt::Write;

use super::star_glyphs;
use crate::assessment::{Basis, CriterionResult, Evidence, Status};
use crate::criteria::catalog::STAGE_TITLES;
use crate::{Report, TOOL_NAME, VERSION};

/// Evidence items shown per criterion before "… and N more".
pub const MAX_EVIDENCE: usize = 10;

/// Notes shown per criterion before "… and N more notes".
const MAX_NOTES: usize = 5;

/// Characters kept of any one piece of project text (a path, a note, a summary).
const MAX_TEXT: usize = 240;

/// Upper bound of the whole output in bytes (GitHub's limit is 65,536
/// characters; a character is at least one byte, so bytes are the safe count).
pub const MAX_BYTES: usize = 60_000;

/// Room kept free for the closing lines after the criterion blocks.
const RESERVE: usize = 2_000;

/// Escapes text from the project for use anywhere in this Markdown output:
/// `<`, `>` and `&` become entities (so no raw HTML and no entity tricks),
/// Markdown metacharacters that could open emphasis, code, links, headings,
/// math or table cells get a backslash, and line breaks and other control
/// characters (plus bidirectional overrides) become spaces, so a single
/// item can never span lines.
pub fn escape(text: &str) -> String {
    escape_with(text, true, &[])
}

/// [`escape`] with choices: whether `"` becomes `&quot;` (needed inside HTML
/// attributes, noise in a file read raw), and extra characters to backslash
/// (REPRODUCIBILITY.md also escapes `{` `}` so that project text never reads
/// as a `{placeholder}`).
pub fn escape_with(text: &str, quotes: bool, extra: &[char]) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if quotes => out.push_str("&quot;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '$' | '!' | '^' => {
                out.push('\\');
                out.push(ch);
            }
            c if extra.contains(&c) => {
                out.push('\\');
                out.push(c);
            }
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => out.push(' '),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `text` cut to [`MAX_TEXT`] characters, with `…` when cut.
fn clip(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().count() <= MAX_TEXT {
        return text.into();
    }
    let mut head: String = text.chars().take(MAX_TEXT).collect();
    head.push('…');
    head.into()
}

/// [`escape`] after clipping to [`MAX_TEXT`] characters (for paths and locations).
fn clipped(text: &str) -> String {
    escape(&clip(text))
}

/// Clipped prose (summaries, notes, fixes): like [`clipped`], except that a
/// `` `code` `` span becomes `<code>…</code>` around its escaped content, so
/// the catalogue's code examples read as code; an unmatched backtick stays
/// an escaped backtick.
fn prose(text: &str) -> String {
    let text = clip(text);
    let parts: Vec<&str> = text.split('`').collect();
    let last = parts.len().saturating_sub(1);
    let mut out = String::with_capacity(text.len() + 16);
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 0 {
            out.push_str(&escape(part));
        } else if i == last {
            // An odd number of backticks: the last one opens nothing.
            out.push_str("\\`");
            out.push_str(&escape(part));
        } else if part.is_empty() {
            out.push_str("\\`\\`");
        } else {
            out.push_str("<code>");
            out.push_str(&escape(part));
            out.push_str("</code>");
        }
    }
    out
}

fn status_icon(status: Status) -> &'static str {
    match status {
        Status::Pass => "✅",
        Status::Partial => "🟡",
        Status::Fail => "❌",
        Status::NotApplicable => "➖",
        Status::Unknown => "❔",
    }
}

fn status_label(status: Status) -> &'static str {
    match status {
        Status::NotApplicable => "not applicable",
        s => s.as_str(),
    }
}

fn basis_label(basis: Basis) -> &'static str {
    match basis {
        Basis::Static => "static",
        Basis::Verified => "verified",
    }
}

fn stage_title(stage: u8) -> &'static str {
    usize::from(stage)
        .checked_sub(1)
        .and_then(|i| STAGE_TITLES.get(i))
        .copied()
        .unwrap_or("?")
}

/// Whether the stage of `c` is assessed by this version at all.
fn stage_assessed(report: &Report, stage: u8) -> bool {
    report
        .stages
        .iter()
        .find(|s| s.stage == stage)
        .is_none_or(|s| s.assessed)
}

/// One evidence or note item as a list line.
fn item_line(out: &mut String, e: &Evidence) {
    if e.path.is_empty() || e.path == "." {
        let _ = writeln!(out, "- {}", prose(&e.note));
    } else {
        let _ = writeln!(
            out,
            "- <code>{}</code> — {}",
            clipped(&e.location()),
            prose(&e.note)
        );
    }
}

/// The `<details>` block of a criterion that needs attention.
fn details_block(c: &CriterionResult) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "<details>");
    let _ = writeln!(
        out,
        "<summary>{} <b>{} {}</b> — {}: {}</summary>",
        status_icon(c.status),
        c.id,
        c.slug,
        status_label(c.status),
        c.title
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "**Status:** {} ({}) — {}",
        status_label(c.status),
        basis_label(c.basis),
        prose(&c.summary)
    );
    if !c.evidence.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "**Evidence**");
        let _ = writeln!(out);
        for e in c.evidence.iter().take(MAX_EVIDENCE) {
            item_line(&mut out, e);
        }
        if c.evidence.len() > MAX_EVIDENCE {
            let _ = writeln!(
                out,
                "- … and {} more (see `--format json`)",
                c.evidence.len() - MAX_EVIDENCE
            );
        }
    } else if !c.looked_for.is_empty() {
        let _ = writeln!(out);
        let shown: Vec<String> = c
            .looked_for
            .iter()
            .take(MAX_EVIDENCE)
            .map(|s| prose(s))
            .collect();
        let more = c.looked_for.len().saturating_sub(MAX_EVIDENCE);
        let tail = if more > 0 {
            format!("; … and {more} more")
        } else {
            String::new()
        };
        let _ = writeln!(out, "**Looked for:** {}{tail}", shown.join("; "));
    }
    if !c.notes.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "**Notes** (did not decide the status)");
        let _ = writeln!(out);
        for n in c.notes.iter().take(MAX_NOTES) {
            item_line(&mut out, n);
        }
        if c.notes.len() > MAX_NOTES {
            let _ = writeln!(out, "- … and {} more notes", c.notes.len() - MAX_NOTES);
        }
    }
    if let Some(fix) = &c.fix {
        let _ = writeln!(out);
        let _ = writeln!(out, "**Fix:** {}", prose(fix));
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "</details>");
    let _ = writeln!(out);
    out
}

/// Appends `block` when it fits under the size limit; returns whether it did.
fn push_bounded(out: &mut String, block: &str) -> bool {
    if out.len() + block.len() + RESERVE > MAX_BYTES {
        return false;
    }
    out.push_str(block);
    true
}

/// Renders the assessment as GitHub-flavoured Markdown.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## {TOOL_NAME}: {} {}/5 ({}) — {}",
        star_glyphs(report.stars),
        report.stars.min(5),
        basis_label(report.basis),
        clipped(&report.project.path)
    );
    let _ = writeln!(out);
    if let Some(commit) = &report.project.commit {
        let short: String = commit.chars().take(12).collect();
        let dirty = if report.project.dirty == Some(true) {
            " (with uncommitted changes)"
        } else {
            ""
        };
        let _ = writeln!(out, "Commit {}{dirty}", escape(&short));
        let _ = writeln!(out);
    }

    let _ = writeln!(out, "| Stage | Progress | Passed |");
    let _ = writeln!(out, "|---|---|---|");
    for st in &report.stages {
        let passed = if !st.assessed {
            "not assessed"
        } else if st.passed {
            "✅"
        } else {
            "❌"
        };
        let _ = writeln!(
            out,
            "| {}. {} | {}/{} | {passed} |",
            st.stage,
            stage_title(st.stage),
            st.met,
            st.total
        );
    }
    let _ = writeln!(out);

    let attention: Vec<&CriterionResult> = report
        .criteria
        .iter()
        .filter(|c| !c.status.is_met() && stage_assessed(report, c.stage))
        .collect();
    let met: Vec<&CriterionResult> = report
        .criteria
        .iter()
        .filter(|c| c.status.is_met())
        .collect();
    let not_assessed: Vec<&CriterionResult> = report
        .criteria
        .iter()
        .filter(|c| !c.status.is_met() && !stage_assessed(report, c.stage))
        .collect();

    let mut omitted = 0usize;
    if !attention.is_empty() {
        let _ = writeln!(out, "### Needs attention ({})", attention.len());
        let _ = writeln!(out);
        for c in &attention {
            if !push_bounded(&mut out, &details_block(c)) {
                omitted += 1;
            }
        }
    }

    if !met.is_empty() {
        let _ = writeln!(out, "### Met ({})", met.len());
        let _ = writeln!(out);
        let _ = writeln!(out, "| Criterion | Status | Summary |");
        let _ = writeln!(out, "|---|---|---|");
        for c in &met {
            let row = format!(
                "| {} {} | {} {} | {} |\n",
                c.id,
                c.slug,
                status_icon(c.status),
                status_label(c.status),
                prose(&c.summary)
            );
            if !push_bounded(&mut out, &row) {
                omitted += 1;
            }
        }
        let _ = writeln!(out);
    }

    if !not_assessed.is_empty() {
        let ids: Vec<String> = not_assessed
            .iter()
            .map(|c| format!("{} {}", c.id, c.slug))
            .collect();
        let _ = writeln!(out, "Not assessed by this version: {}.", ids.join(", "));
        let _ = writeln!(out);
    }

    if omitted > 0 {
        let _ = writeln!(
            out,
            "… {omitted} criteria left out to stay within the comment size limit; see `--format json`."
        );
        let _ = writeln!(out);
    }

    let off = report.findings.iter().filter(|f| !f.on_run_path).count();
    let skipped = if report.skipped.is_empty() {
        String::new()
    } else {
        format!(" · {} item(s) skipped", report.skipped.len())
    };
    let _ = writeln!(
        out,
        "<sub>{TOOL_NAME} {VERSION} · {} files read · {} entry point(s) followed · {} finding(s), {off} off the run path{skipped}</sub>",
        report.files_seen,
        report.entry_points.len(),
        report.findings.len(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_makes_html_and_markdown_inert() {
        assert_eq!(
            escape("<script>alert(1)</script>|*x*"),
            "&lt;script&gt;alert(1)&lt;/script&gt;\\|\\*x\\*"
        );
        assert_eq!(escape("a\nb\r\tc"), "a b  c");
        assert_eq!(
            escape("&amp; `x` [l](u) #1 _y_ \\"),
            "&amp;amp; \\`x\\` \\[l\\](u) \\#1 \\_y\\_ \\\\"
        );
    }

    #[test]
    fn prose_turns_code_spans_into_escaped_code() {
        assert_eq!(prose("run `a_b|<c>`"), "run <code>a\\_b\\|&lt;c&gt;</code>");
        assert_eq!(prose("odd ` tick"), "odd \\` tick");
        assert_eq!(prose("a `x` b `y"), "a <code>x</code> b \\`y");
        assert_eq!(prose("``"), "\\`\\`");
        assert_eq!(
            prose("`</code><script>`"),
            "<code>&lt;/code&gt;&lt;script&gt;</code>"
        );
    }

    #[test]
    fn clipping_is_char_safe() {
        let long = "é".repeat(MAX_TEXT + 5);
        let c = clipped(&long);
        assert_eq!(clip("short"), "short");
        assert!(c.ends_with('…'));
        assert_eq!(c.chars().count(), MAX_TEXT + 1);
    }
}
