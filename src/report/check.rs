//! `report --check`: does an existing REPRODUCIBILITY.md agree with the
//! assessment?
//!
//! Reading is lenient (see [`super::parse`]). The problems reported:
//! - an item ticked whose criterion is not met (an over-claim), naming the
//!   criterion and any file the item names that the project does not have;
//! - an item left unticked whose criterion is met;
//! - `{placeholders}` left unfilled;
//! - a missing section, or a section with fewer items than the template;
//! - a relative Markdown link to a file the project does not have.
//!
//! A criterion that reproscale could not assess (`unknown`) neither supports
//! nor contradicts a tick, so it raises no problem either way.

use serde::Serialize;

use super::parse::{self, Doc, LinkTarget};
use super::template;
use crate::assessment::{CriterionResult, Status};
use crate::criteria::id::CriterionId;
use crate::Report;

/// One checklist item as read from the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CheckItem {
    /// Section (stage) number, 1..=5.
    pub section: u8,
    /// 1-based position within the section.
    pub index: usize,
    /// The item's text after the checkbox.
    pub text: String,
    /// 1-based line in the file.
    pub line: u32,
    /// Whether the box is ticked.
    pub ticked: bool,
    /// The criterion that decides the item (none for items beyond the template's).
    pub criterion: Option<CriterionId>,
}

/// What kind of disagreement a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// Ticked, but the evidence does not support it.
    OverClaim,
    /// Not ticked, but the criterion is met.
    UntickedButMet,
    /// A `{placeholder}` left unfilled.
    Placeholder,
    /// A section of the template is missing.
    MissingSection,
    /// A section has fewer items than the template.
    MissingItem,
    /// A relative link to a file the project does not have.
    BrokenLink,
}

impl ProblemKind {
    /// The snake_case name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::OverClaim => "over_claim",
            ProblemKind::UntickedButMet => "unticked_but_met",
            ProblemKind::Placeholder => "placeholder",
            ProblemKind::MissingSection => "missing_section",
            ProblemKind::MissingItem => "missing_item",
            ProblemKind::BrokenLink => "broken_link",
        }
    }
}

/// One disagreement between the file and the assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Problem {
    /// What kind.
    pub kind: ProblemKind,
    /// 1-based line, when the problem is on one.
    pub line: Option<u32>,
    /// What is wrong and what to change, in one line.
    pub message: String,
}

/// The outcome of [`crate::report::check`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// Every disagreement, in file order (missing sections last).
    pub problems: Vec<Problem>,
    /// The checklist items read.
    pub items: Vec<CheckItem>,
}

impl CheckResult {
    /// Whether the file agrees with the assessment (no problems).
    pub fn consistent(&self) -> bool {
        self.problems.is_empty()
    }
}

fn line_no(i: usize) -> u32 {
    u32::try_from(i + 1).unwrap_or(u32::MAX)
}

fn status_words(status: Status) -> &'static str {
    match status {
        Status::NotApplicable => "not applicable",
        s => s.as_str(),
    }
}

/// Names in an item's text that look like project files: link targets,
/// words in code spans, and bare words that look like file names.
fn referenced_files(text: &str) -> Vec<String> {
    let masked = parse::mask_code(text);
    let mut out: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut push = |p: String| {
        if seen.insert(p.clone()) {
            out.push(p);
        }
    };
    for l in parse::links(&masked) {
        if let LinkTarget::Path(p) = parse::link_target(&l.target) {
            push(p);
        }
    }
    // Words inside code spans.
    let mut in_code = String::new();
    for r in parse::code_spans(text, false) {
        in_code.push_str(text.get(r).unwrap_or(""));
        in_code.push(' ');
    }
    for w in in_code.split_whitespace() {
        let w = w.trim_matches(|c: char| c == '`' || c == ',' || c == ';' || c == '\'' || c == '"');
        if looks_like_path(w, false) {
            push(w.trim_start_matches("./").to_string());
        }
    }
    // Bare words outside links and code: link texts name what the link
    // points to, and the targets were taken above.
    let mut prose = String::with_capacity(masked.len());
    let mut brackets = 0usize;
    let mut parens = 0usize;
    let mut prev = ' ';
    for c in masked.chars() {
        if parens > 0 {
            match c {
                '(' => parens += 1,
                ')' => parens -= 1,
                _ => {}
            }
        } else if c == '(' && prev == ']' {
            parens = 1;
        } else if c == '[' {
            brackets += 1;
        } else if c == ']' {
            brackets = brackets.saturating_sub(1);
        } else if brackets == 0 {
            prose.push(c);
        }
        prev = c;
    }
    for w in prose.split(|c: char| c.is_whitespace() || "()[]<>,;:*\"'".contains(c)) {
        let w = w.trim_end_matches(['.', '!', '?']);
        if looks_like_path(w, true) {
            push(w.trim_start_matches("./").to_string());
        }
    }
    out
}

/// Whether a word names a file. In prose (`bare`) only well-known names and
/// extensions count, so that words like "e.g." do not.
fn looks_like_path(w: &str, bare: bool) -> bool {
    const NAMES: [&str; 9] = [
        "Dockerfile",
        "Containerfile",
        "Makefile",
        "Snakefile",
        "MLproject",
        "Pipfile",
        "Procfile",
        "Vagrantfile",
        "Justfile",
    ];
    const EXTS: [&str; 24] = [
        "py", "ipynb", "yaml", "yml", "json", "toml", "txt", "cfg", "ini", "csv", "tsv", "md",
        "lock", "sh", "r", "jl", "parquet", "npz", "npy", "pt", "pkl", "h5", "def", "nix",
    ];
    if w.is_empty()
        || w.len() > 300
        || w.contains("://")
        || w.starts_with('-')
        || w.starts_with('$')
    {
        return false;
    }
    if !w
        .chars()
        .all(|c| c.is_alphanumeric() || "-_./@+~".contains(c))
    {
        return false;
    }
    let name = w.rsplit('/').next().unwrap_or(w);
    if NAMES.contains(&name)
        || name.starts_with("Dockerfile.")
        || name.starts_with("requirements") && name.ends_with(".txt")
    {
        return true;
    }
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => {
            let ext = ext.to_ascii_lowercase();
            if bare {
                EXTS.contains(&ext.as_str())
            } else {
                (1..=10).contains(&ext.len())
                    && ext.chars().all(|c| c.is_ascii_alphanumeric())
                    && !ext.chars().all(|c| c.is_ascii_digit())
            }
        }
        _ => !bare && w.contains('/') && !w.ends_with('/'),
    }
}

fn item_name(def: &template::ItemDef) -> String {
    format!("item {}.{} ({})", def.section, def.index, def.what)
}

fn criterion_name(c: &CriterionResult) -> String {
    format!("criterion {} {}", c.id, c.slug)
}

/// Compares `text` (an existing REPRODUCIBILITY.md) with `report`.
/// `exists(path)` says whether a project-relative path (file or folder) exists.
pub fn check(report: &Report, text: &str, exists: &dyn Fn(&str) -> bool) -> CheckResult {
    let doc = Doc::parse(text);
    // One question per path, however often the file names it.
    let cache = std::cell::RefCell::new(std::collections::HashMap::<String, bool>::new());
    let exists = |p: &str| -> bool {
        if let Some(known) = cache.borrow().get(p) {
            return *known;
        }
        let e = exists(p);
        cache.borrow_mut().insert(p.to_string(), e);
        e
    };
    let mut problems = Vec::new();
    let mut items = Vec::new();

    for it in &doc.items {
        let line = doc.lines[it.line].text;
        let item_text = line.get(it.text_start..).unwrap_or("").trim().to_string();
        let def = template::item(it.section, it.index);
        items.push(CheckItem {
            section: it.section,
            index: it.index,
            text: item_text.clone(),
            line: line_no(it.line),
            ticked: it.ticked,
            criterion: def.map(|d| d.criterion),
        });
        let Some(def) = def else {
            continue;
        };
        let Some(c) = report.criteria.iter().find(|c| c.id == def.criterion) else {
            continue;
        };
        if c.status == Status::Unknown {
            continue;
        }
        if it.ticked && !c.status.is_met() {
            let mut msg = format!(
                "{} is ticked, but {} is {}: {}",
                item_name(def),
                criterion_name(c),
                status_words(c.status),
                c.summary.trim_end_matches('.')
            );
            let absent: Vec<String> = referenced_files(&item_text)
                .into_iter()
                .filter(|p| !exists(p))
                .collect();
            if !absent.is_empty() {
                msg.push_str(&format!("; not in the project: {}", absent.join(", ")));
            }
            msg.push_str("; untick it or fix the project");
            problems.push(Problem {
                kind: ProblemKind::OverClaim,
                line: Some(line_no(it.line)),
                message: msg,
            });
        } else if !it.ticked && c.status.is_met() {
            problems.push(Problem {
                kind: ProblemKind::UntickedButMet,
                line: Some(line_no(it.line)),
                message: format!(
                    "{} is not ticked, but {} is {}: {}; tick it",
                    item_name(def),
                    criterion_name(c),
                    status_words(c.status),
                    c.summary.trim_end_matches('.')
                ),
            });
        }
    }

    // Placeholders and links, anywhere in prose.
    for (i, l) in doc.lines.iter().enumerate() {
        if l.in_fence {
            continue;
        }
        let masked = parse::mask_code(l.text);
        for r in parse::placeholders(&masked) {
            let ph = l.text.get(r).unwrap_or("");
            problems.push(Problem {
                kind: ProblemKind::Placeholder,
                line: Some(line_no(i)),
                message: format!("placeholder {ph} is not filled in"),
            });
        }
        for link in parse::links(&masked) {
            let message = match parse::link_target(&link.target) {
                LinkTarget::Skip => continue,
                LinkTarget::Outside => {
                    format!("link to {} points outside the project", link.target)
                }
                LinkTarget::Path(p) => {
                    if exists(&p) {
                        continue;
                    }
                    format!("link to {p}, which is not in the project")
                }
            };
            problems.push(Problem {
                kind: ProblemKind::BrokenLink,
                line: Some(line_no(i)),
                message,
            });
        }
    }
    problems.sort_by_key(|p| p.line);

    // Missing sections and items.
    for s in &template::SECTIONS {
        let found = doc.items.iter().filter(|i| i.section == s.stage).count();
        if !doc.has_section(s.stage) {
            problems.push(Problem {
                kind: ProblemKind::MissingSection,
                line: None,
                message: format!(
                    "section \"## {}\" is missing ({} item(s) expected)",
                    s.heading, s.items
                ),
            });
            continue;
        }
        let heading = doc
            .headings
            .iter()
            .find(|h| h.stage == Some(s.stage))
            .map(|h| line_no(h.line));
        for k in found + 1..=s.items {
            if let Some(def) = template::item(s.stage, k) {
                problems.push(Problem {
                    kind: ProblemKind::MissingItem,
                    line: heading,
                    message: format!(
                        "section {} has {found} of {} items: {} is missing",
                        s.stage,
                        s.items,
                        item_name(def)
                    ),
                });
            }
        }
    }
    CheckResult { problems, items }
}

/// The check result as text: one line per problem, or a line saying all agrees.
pub fn render_text(r: &CheckResult) -> String {
    let ticked = r.items.iter().filter(|i| i.ticked).count();
    if r.consistent() {
        return format!(
            "consistent: {} checklist item(s), {ticked} ticked, all agree with the assessment\n",
            r.items.len()
        );
    }
    let mut out = format!(
        "not consistent: {} problem(s) ({} checklist item(s), {ticked} ticked)\n",
        r.problems.len(),
        r.items.len()
    );
    for p in &r.problems {
        let at = p
            .line
            .map_or_else(|| "-".to_string(), |l| format!("line {l}"));
        let msg: String = p
            .message
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        out.push_str(&format!("  {at}: {}: {msg}\n", p.kind.as_str()));
    }
    out
}

#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct Json<'a> {
    #[schemars(extend("const" = 1))]
    schema_version: u32,
    consistent: bool,
    problems: &'a [Problem],
    items: &'a [CheckItem],
}

/// The check result as JSON (`schema_version` 1).
pub fn render_json(r: &CheckResult) -> String {
    let j = Json {
        schema_version: 1,
        consistent: r.consistent(),
        problems: &r.problems,
        items: &r.items,
    };
    let mut s = serde_json::to_string_pretty(&j)
        .unwrap_or_else(|e| format!("{{\"schema_version\":1,\"error\":{:?}}}", e.to_string()));
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_in_item_text() {
        let f = referenced_files(
            "[Dockerfile](docker/Dockerfile), run `streamlit run app.py --port 80` e.g. see serve.py.",
        );
        assert_eq!(f, ["docker/Dockerfile", "app.py", "serve.py"]);
        assert!(referenced_files("uses v1.2 of e.g. numpy").is_empty());
    }
}
