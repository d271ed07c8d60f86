//! Regenerating an existing REPRODUCIBILITY.md without losing a byte the user
//! wrote.
//!
//! The rules, in order:
//! - A block between `<!-- reproscale:begin NAME -->` and
//!   `<!-- reproscale:end NAME -->` is reproscale's: its content is
//!   rewritten, except for the user's notes inside a section block, which
//!   stay where they were (see [`block_notes`]). The marker lines themselves
//!   and every line outside blocks are kept as they are (headings included,
//!   so a renamed heading stays renamed).
//! - A section that exists as a heading but has no block (a file written by
//!   hand, `--update`) is edited in place: each of its checklist items gets
//!   the box the evidence supports, and `{placeholders}` in an item are
//!   replaced by what reproscale found; the rest of the item's wording stays.
//!   Items the section lacks are added after its last item.
//! - A section that is missing altogether is added, with its block, before
//!   the next section (or before the details table, or at the end).
//! - The stars line goes before the first heading after the title; the
//!   details table at the end.

use std::collections::BTreeMap;

use super::fill;
use super::parse::{self, Doc};
use super::template::{self, DESCRIPTION, DETAILS_BLOCK, HEADER_BLOCK, TITLE};
use crate::Report;

/// Text to put around existing lines.
#[derive(Default)]
struct Edits {
    /// Generated text emitted before line i (i == len: at the end).
    before: BTreeMap<usize, Vec<String>>,
    /// Generated text emitted after line i.
    after: BTreeMap<usize, Vec<String>>,
    /// Replacement text of line i (without its ending).
    lines: BTreeMap<usize, String>,
    /// New content of the block whose begin marker is at line i.
    blocks: BTreeMap<usize, (usize, String)>,
}

/// Ticks and fills one existing item line in place.
fn retick(line: &str, item: &parse::Item, ticked: bool, body: &str) -> String {
    let mut bytes = line.as_bytes().to_vec();
    let now = bytes.get(item.mark).copied();
    let mark = match (ticked, now) {
        (true, Some(b'X')) => b'X',
        (true, _) => b'x',
        (false, _) => b' ',
    };
    if let Some(b) = bytes.get_mut(item.mark) {
        *b = mark;
    }
    // The mark was an ASCII byte and still is: the text stays valid UTF-8.
    let line = String::from_utf8(bytes).unwrap_or_else(|_| line.to_string());
    let masked = parse::mask_code(&line);
    let ph: Vec<_> = parse::placeholders(&masked)
        .into_iter()
        .filter(|r| r.start >= item.text_start)
        .collect();
    match (ph.first(), ph.last()) {
        (Some(first), Some(last)) => {
            format!("{}{body}{}", &line[..first.start], &line[last.end..])
        }
        _ => line,
    }
}

/// The user's lines inside a section block, by where they stand: index 0
/// above the first item, k under item k (up to the next item), and the last
/// index after the progress line. The checklist items and the progress line
/// are reproscale's; every other line (blank lines between notes included)
/// is the user's and comes back byte for byte. Checkboxes beyond the
/// template's count are the user's too.
fn block_notes<'a>(doc: &Doc<'a>, b: &parse::Block, stage: u8) -> Vec<Vec<&'a str>> {
    let expected = template::section(stage).map_or(0, |s| s.items);
    let mut notes: Vec<Vec<&'a str>> = vec![Vec::new(); expected + 2];
    let mut cur = 0;
    let mut seen = 0;
    for line in doc.lines.iter().take(b.end).skip(b.begin + 1) {
        let text = line.text;
        if !line.in_fence {
            if parse::checkbox(text).is_some() && seen < expected {
                seen += 1;
                cur = seen;
                continue;
            }
            if cur <= expected && fill::is_progress_line(text, stage) {
                cur = expected + 1;
                continue;
            }
        }
        notes[cur].push(text);
    }
    notes
}

/// Whether line `i` lies inside (not on the markers of) a block.
fn inside_block(doc: &Doc<'_>, i: usize) -> bool {
    doc.valid_blocks().iter().any(|b| i > b.begin && i < b.end)
}

/// Where a missing section `stage` goes: before the first heading of a later section.
fn section_slot(doc: &Doc<'_>, stage: u8) -> Option<usize> {
    let later = doc
        .headings
        .iter()
        .filter(|h| !inside_block(doc, h.line))
        .filter_map(|h| h.stage.filter(|s| *s > stage).map(|s| (s, h.line)))
        .min();
    if let Some((_, line)) = later {
        return Some(line);
    }
    // Before the details table (and its heading, when one sits right above it).
    let details = doc.block(DETAILS_BLOCK)?;
    let mut i = details.begin;
    while i > 0 && doc.lines[i - 1].text.trim().is_empty() {
        i -= 1;
    }
    if i > 0 && parse::atx(doc.lines[i - 1].text).is_some() {
        return Some(i - 1);
    }
    Some(details.begin)
}

/// Regenerates `doc` (already validated: paired markers, closed fences).
pub fn merge(report: &Report, doc: &Doc<'_>, date: &str) -> String {
    let n = doc.lines.len();
    let mut e = Edits::default();

    // 1. Blocks: replace their content.
    for b in doc.valid_blocks() {
        let content = if b.name == HEADER_BLOCK {
            fill::header_content(report, date)
        } else if b.name == DETAILS_BLOCK {
            fill::details_content(report)
        } else if let Some(stage) = template::stage_of_block(&b.name) {
            fill::section_content_with_notes(report, stage, &block_notes(doc, b, stage))
        } else {
            continue;
        };
        e.blocks.insert(b.begin, (b.end, content));
    }

    // 2. Sections without a block: tick and fill in place, add missing items.
    for s in &template::SECTIONS {
        if doc.block(s.block).is_some() || !doc.has_section(s.stage) {
            continue;
        }
        let items: Vec<&parse::Item> = doc.items.iter().filter(|i| i.section == s.stage).collect();
        for it in &items {
            if let Some(def) = template::item(s.stage, it.index) {
                let (ticked, body) = fill::item_body(report, def);
                let text = doc.lines[it.line].text;
                e.lines.insert(it.line, retick(text, it, ticked, &body));
            }
        }
        let missing: Vec<String> = template::ITEMS
            .iter()
            .filter(|d| d.section == s.stage && d.index > items.len())
            .map(|d| format!("{}\n", fill::item_line(report, d)))
            .collect();
        if missing.is_empty() {
            continue;
        }
        match items.last() {
            Some(last) => e.after.entry(last.line).or_default().extend(missing),
            None => {
                let heading = doc
                    .headings
                    .iter()
                    .find(|h| h.stage == Some(s.stage))
                    .map(|h| h.line);
                if let Some(h) = heading {
                    let slot = e.after.entry(h).or_default();
                    slot.push("\n".into());
                    slot.extend(missing);
                }
            }
        }
    }

    // 3. A description left as a placeholder, above the first section.
    let first_section = doc
        .headings
        .iter()
        .find(|h| h.stage.is_some())
        .map_or(n, |h| h.line);
    for (i, line) in doc.lines.iter().enumerate().take(first_section) {
        if line.in_fence || inside_block(doc, i) {
            continue;
        }
        let t = line.text.trim();
        let masked = parse::mask_code(t);
        let ph = parse::placeholders(&masked);
        if ph.len() == 1 && ph[0] == (0..t.len()) {
            e.lines.insert(i, DESCRIPTION.to_string());
        }
    }

    // 4. The stars line.
    if doc.block(HEADER_BLOCK).is_none() {
        let header = fill::block(HEADER_BLOCK, &fill::header_content(report, date));
        let title = doc
            .headings
            .iter()
            .find(|h| h.level == 1 && !inside_block(doc, h.line));
        match title {
            Some(t) => {
                let next = doc
                    .headings
                    .iter()
                    .find(|h| h.line > t.line && !inside_block(doc, h.line));
                match next {
                    Some(h) => e
                        .before
                        .entry(h.line)
                        .or_default()
                        .push(format!("{header}\n")),
                    None => e.before.entry(n).or_default().push(header),
                }
            }
            None => e
                .before
                .entry(0)
                .or_default()
                .push(format!("# {TITLE}\n\n{DESCRIPTION}\n\n{header}\n")),
        }
    }

    // 5. Missing sections.
    for s in &template::SECTIONS {
        if doc.has_section(s.stage) {
            continue;
        }
        let text = format!(
            "## {}\n\n{}",
            s.heading,
            fill::block(s.block, &fill::section_content(report, s.stage))
        );
        match section_slot(doc, s.stage) {
            Some(i) => e.before.entry(i).or_default().push(format!("{text}\n")),
            None => e.before.entry(n).or_default().push(text),
        }
    }

    // 6. The details table.
    if doc.block(DETAILS_BLOCK).is_none() {
        e.before.entry(n).or_default().push(format!(
            "## {}\n\n{}",
            template::DETAILS_HEADING,
            fill::block(DETAILS_BLOCK, &fill::details_content(report))
        ));
    }

    emit(doc, &e)
}

fn emit(doc: &Doc<'_>, e: &Edits) -> String {
    let eol = match doc.lines.first() {
        Some(l) if l.eol == "\r\n" => "\r\n",
        _ => "\n",
    };
    let gen = |s: &str| -> String {
        if eol == "\n" {
            s.to_string()
        } else {
            s.replace('\n', eol)
        }
    };
    let n = doc.lines.len();
    let mut out = String::new();
    let ensure_eol = |out: &mut String| {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push_str(eol);
        }
    };
    let mut skip_to: Option<usize> = None;
    for (i, line) in doc.lines.iter().enumerate() {
        if let Some(end) = skip_to {
            if i < end {
                continue;
            }
            skip_to = None;
        }
        if let Some(texts) = e.before.get(&i) {
            for t in texts {
                ensure_eol(&mut out);
                out.push_str(&gen(t));
            }
        }
        match e.lines.get(&i) {
            Some(t) => out.push_str(t),
            None => out.push_str(line.text),
        }
        out.push_str(line.eol);
        if let Some((end, content)) = e.blocks.get(&i) {
            ensure_eol(&mut out);
            out.push_str(&gen(content));
            skip_to = Some(*end);
        }
        if let Some(texts) = e.after.get(&i) {
            for t in texts {
                ensure_eol(&mut out);
                out.push_str(&gen(t));
            }
        }
    }
    if let Some(texts) = e.before.get(&n) {
        for t in texts {
            ensure_eol(&mut out);
            if !out.is_empty() && !out.ends_with(&format!("{eol}{eol}")) {
                out.push_str(eol);
            }
            out.push_str(&gen(t));
        }
    }
    out
}
