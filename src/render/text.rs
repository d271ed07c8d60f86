//! The human-readable report. Styles are written as ANSI codes; the CLI's
//! output stream strips them when stdout is not a terminal or NO_COLOR is set.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::star_glyphs;
use crate::assessment::{Evidence, Status};
use crate::criteria::catalog::STAGE_TITLES;
use crate::{Report, TOOL_NAME, VERSION};

/// Evidence lines shown per criterion before eliding.
const SHOWN: usize = 6;

fn style(status: Status) -> Style {
    let c = match status {
        Status::Pass => AnsiColor::Green,
        Status::Partial => AnsiColor::Yellow,
        Status::Fail => AnsiColor::Red,
        Status::NotApplicable => AnsiColor::Blue,
        Status::Unknown => AnsiColor::Magenta,
    };
    Style::new().fg_color(Some(c.into()))
}

fn mark(status: Status) -> &'static str {
    match status {
        Status::Pass => "✓",
        Status::Partial => "◐",
        Status::Fail => "✗",
        Status::NotApplicable => "–",
        Status::Unknown => "?",
    }
}

fn paint(s: Style, text: &str) -> String {
    format!("{s}{text}{s:#}")
}

fn evidence_line(out: &mut String, e: &Evidence) {
    let dim = Style::new().dimmed();
    if e.path == "." {
        let _ = writeln!(out, "      {} {}", paint(dim, "·"), super::inert(&e.note));
    } else {
        let _ = writeln!(
            out,
            "      {} {}  {}",
            paint(dim, "·"),
            paint(Style::new().bold(), &super::inert(&e.location())),
            super::inert(&e.note)
        );
    }
}

/// Renders the assessment for a terminal.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    let commit = match (&report.project.commit, report.project.dirty) {
        (Some(c), Some(true)) => {
            format!(" (commit {}, uncommitted changes)", &c[..c.len().min(10)])
        }
        (Some(c), _) => format!(" (commit {})", &c[..c.len().min(10)]),
        (None, _) => String::new(),
    };
    let _ = writeln!(
        out,
        "{} {} — {}{}",
        paint(bold, TOOL_NAME),
        VERSION,
        super::inert(&report.project.path),
        commit
    );
    let _ = writeln!(out);
    let star_style = Style::new().bold().fg_color(Some(AnsiColor::Yellow.into()));
    let _ = writeln!(
        out,
        "{} {}/5 ({})",
        paint(star_style, &star_glyphs(report.stars)),
        report.stars,
        basis(report)
    );
    let _ = writeln!(out);
    for st in &report.stages {
        let title = STAGE_TITLES[usize::from(st.stage - 1)];
        let all_unknown = report
            .criteria
            .iter()
            .filter(|c| c.stage == st.stage)
            .all(|c| c.status == Status::Unknown);
        let (m, s) = if st.passed {
            ("✓", style(Status::Pass))
        } else if all_unknown {
            ("?", style(Status::Unknown))
        } else {
            ("✗", style(Status::Fail))
        };
        let extra = if all_unknown {
            "  not assessed by this version"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {} Stage {} {:<20} {}/{}{}",
            paint(s, m),
            st.stage,
            title,
            st.met,
            st.total,
            paint(dim, extra)
        );
    }
    for st in &report.stages {
        let crits: Vec<_> = report
            .criteria
            .iter()
            .filter(|c| c.stage == st.stage)
            .collect();
        if crits.iter().all(|c| c.status == Status::Unknown) {
            continue;
        }
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{}",
            paint(
                bold,
                &format!(
                    "Stage {} — {}",
                    st.stage,
                    STAGE_TITLES[usize::from(st.stage - 1)]
                )
            )
        );
        for c in crits {
            let s = style(c.status);
            let verified = if c.basis == crate::assessment::Basis::Verified {
                paint(dim, " (verified)")
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "  {} {} {:<20} {}{verified}",
                paint(s, mark(c.status)),
                paint(bold, c.id.as_str()),
                c.slug,
                paint(s, c.status.as_str())
            );
            let _ = writeln!(out, "      {}", c.summary);
            for e in c.evidence.iter().take(SHOWN) {
                evidence_line(&mut out, e);
            }
            if c.evidence.len() > SHOWN {
                let _ = writeln!(
                    out,
                    "      {}",
                    paint(
                        dim,
                        &format!("… {} more (see --format json)", c.evidence.len() - SHOWN)
                    )
                );
            }
            if c.status != Status::Pass && !c.looked_for.is_empty() && c.evidence.is_empty() {
                let _ = writeln!(
                    out,
                    "      {} {}",
                    paint(dim, "looked for:"),
                    super::inert(&c.looked_for.join("; "))
                );
            }
            if !c.notes.is_empty() {
                for n in c.notes.iter().take(3) {
                    let loc = if n.path == "." {
                        String::new()
                    } else {
                        format!("{}  ", super::inert(&n.location()))
                    };
                    let _ = writeln!(
                        out,
                        "      {} {loc}{}",
                        paint(dim, "note:"),
                        paint(dim, &super::inert(&n.note))
                    );
                }
                if c.notes.len() > 3 {
                    let _ = writeln!(
                        out,
                        "      {}",
                        paint(dim, &format!("… {} more notes", c.notes.len() - 3))
                    );
                }
            }
            if let Some(fix) = &c.fix {
                let _ = writeln!(
                    out,
                    "      {} {}",
                    paint(Style::new().fg_color(Some(AnsiColor::Cyan.into())), "fix:"),
                    super::inert(fix)
                );
            }
        }
    }
    let _ = writeln!(out);
    let off = report.findings.iter().filter(|f| !f.on_run_path).count();
    let _ = writeln!(
        out,
        "{}",
        paint(
            dim,
            &format!(
                "{} files read; {} entry point(s) followed; {} finding(s), {} off the run path (notes only)",
                report.files_seen,
                report.entry_points.len(),
                report.findings.len(),
                off
            )
        )
    );
    if !report.skipped.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            paint(dim, &format!("skipped {} item(s):", report.skipped.len()))
        );
        for s in report.skipped.iter().take(10) {
            let _ = writeln!(
                out,
                "  {}  {}",
                super::inert(&s.path),
                paint(dim, &super::inert(&s.reason))
            );
        }
        if report.skipped.len() > 10 {
            let _ = writeln!(
                out,
                "  {}",
                paint(
                    dim,
                    &format!("… {} more (see --format json)", report.skipped.len() - 10)
                )
            );
        }
    }
    out
}

fn basis(report: &Report) -> &'static str {
    match report.basis {
        crate::assessment::Basis::Static => "static",
        crate::assessment::Basis::Verified => "verified",
    }
}
