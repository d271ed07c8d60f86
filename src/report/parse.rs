//! A lenient reading of REPRODUCIBILITY.md: code blocks, headings (and the
//! stage each one names), checklist items, reproscale's block markers,
//! Markdown links and `{placeholders}`.
//!
//! The Markdown structure (code blocks, headings, task boxes, links) comes
//! from the CommonMark parser behind [`crate::facts::markdown`], so that it
//! agrees with how the file renders; reproscale's own syntax (markers,
//! placeholders) is read line by line on top of it. It never panics on any
//! input, and a huge file costs linear time.

use std::collections::HashMap;
use std::ops::Range;

use super::template;
use crate::facts::markdown::{self, LinkKind};

/// One line of the file.
#[derive(Debug, Clone)]
pub struct Line<'a> {
    /// The text, without its line ending.
    pub text: &'a str,
    /// The line ending (`\n`, `\r\n` or empty at the end of the file).
    pub eol: &'a str,
    /// Inside a code block (fenced or indented), or one of its fences.
    pub in_fence: bool,
}

/// A heading and the stage it names, if any.
#[derive(Debug, Clone)]
pub struct Heading {
    /// Line index (0-based).
    pub line: usize,
    /// 1..=6.
    pub level: usize,
    /// The stage it opens, decided by [`Doc::parse`].
    pub stage: Option<u8>,
}

/// A pair of reproscale markers: `<!-- reproscale:begin NAME -->` … `<!-- reproscale:end NAME -->`.
#[derive(Debug, Clone)]
pub struct Block {
    /// The block's name (`code`, `header`, …).
    pub name: String,
    /// Line index of the begin marker.
    pub begin: usize,
    /// Line index of the end marker.
    pub end: usize,
}

/// A checklist line: `- [x] text`.
#[derive(Debug, Clone)]
pub struct Item {
    /// Line index.
    pub line: usize,
    /// Stage (section) it belongs to.
    pub section: u8,
    /// 1-based position among the section's items.
    pub index: usize,
    /// Whether the box is ticked.
    pub ticked: bool,
    /// Byte offset of the character inside `[ ]`.
    pub mark: usize,
    /// Byte offset where the item's text starts.
    pub text_start: usize,
}

/// The file, read.
#[derive(Debug)]
pub struct Doc<'a> {
    /// Every line.
    pub lines: Vec<Line<'a>>,
    /// Line index of the first code fence that is never closed.
    pub unclosed_fence: Option<usize>,
    /// Every heading outside code.
    pub headings: Vec<Heading>,
    /// The marker pairs, or why they do not pair up.
    pub blocks: Result<Vec<Block>, String>,
    /// Whether any reproscale marker line is present.
    pub has_markers: bool,
    /// The checklist items of the five sections.
    pub items: Vec<Item>,
}

impl<'a> Doc<'a> {
    /// Reads `text`.
    pub fn parse(text: &'a str) -> Self {
        let mut lines = split_lines(text);
        let mut unclosed_fence = None;
        for b in markdown::code_blocks(text) {
            let first = line_index(b.first);
            for line in lines
                .iter_mut()
                .take(line_index(b.last).saturating_add(1))
                .skip(first)
            {
                line.in_fence = true;
            }
            if !b.closed {
                unclosed_fence.get_or_insert(first);
            }
        }
        let (blocks, has_markers) = pair_markers(&lines);
        let headings = headings(text);
        let mut doc = Doc {
            lines,
            unclosed_fence,
            headings,
            blocks,
            has_markers,
            items: Vec::new(),
        };
        doc.items = doc.find_items();
        doc
    }

    /// The valid blocks (none when the markers do not pair up).
    pub fn valid_blocks(&self) -> &[Block] {
        match &self.blocks {
            Ok(b) => b,
            Err(_) => &[],
        }
    }

    /// The block named `name`.
    pub fn block(&self, name: &str) -> Option<&Block> {
        self.valid_blocks().iter().find(|b| b.name == name)
    }

    /// The stage of each line by headings alone (ignoring blocks).
    fn sections_by_heading(&self) -> Vec<Option<u8>> {
        let mut out = vec![None; self.lines.len()];
        let mut cur = None;
        let mut hs = self.headings.iter().peekable();
        for (i, slot) in out.iter_mut().enumerate() {
            if let Some(h) = hs.next_if(|h| h.line == i) {
                cur = match (h.stage, cur) {
                    (Some(s), _) => Some((s, h.level)),
                    (None, Some((_, level))) if h.level <= level => None,
                    (None, c) => c,
                };
            }
            *slot = cur.map(|(s, _)| s);
        }
        out
    }

    fn find_items(&self) -> Vec<Item> {
        let by_heading = self.sections_by_heading();
        // Stages whose items live in a block: only the block's items count.
        let mut in_block: Vec<Option<u8>> = vec![None; self.lines.len()];
        let mut has_block = [false; 6];
        let mut other_block = vec![false; self.lines.len()];
        for b in self.valid_blocks() {
            let stage = template::stage_of_block(&b.name);
            if let Some(s) = stage {
                has_block[usize::from(s)] = true;
            }
            for i in b.begin..=b.end.min(self.lines.len().saturating_sub(1)) {
                match stage {
                    Some(s) => in_block[i] = Some(s),
                    None => other_block[i] = true,
                }
            }
        }
        let mut counts = [0usize; 6];
        let mut items = Vec::new();
        for (i, line) in self.lines.iter().enumerate() {
            if line.in_fence || other_block[i] {
                continue;
            }
            let Some((mark, ticked, text_start)) = checkbox(line.text) else {
                continue;
            };
            let section = match in_block[i] {
                Some(s) => s,
                None => match by_heading[i] {
                    Some(s) if !has_block[usize::from(s)] => s,
                    _ => continue,
                },
            };
            let k = usize::from(section);
            counts[k] += 1;
            items.push(Item {
                line: i,
                section,
                index: counts[k],
                ticked,
                mark,
                text_start,
            });
        }
        items
    }

    /// Whether a heading (or block) of `stage` exists.
    pub fn has_section(&self, stage: u8) -> bool {
        self.headings.iter().any(|h| h.stage == Some(stage))
            || template::section(stage).is_some_and(|s| self.block(s.block).is_some())
    }
}

/// Splits into lines, keeping each line's ending.
pub fn split_lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (line, eol, next) = match rest.find('\n') {
            Some(n) => {
                let line = &rest[..n];
                match line.strip_suffix('\r') {
                    Some(l) => (l, &rest[n - 1..=n], &rest[n + 1..]),
                    None => (line, &rest[n..=n], &rest[n + 1..]),
                }
            }
            None => (rest, "", ""),
        };
        out.push(Line {
            text: line,
            eol,
            in_fence: false,
        });
        rest = next;
    }
    out
}

/// Leading spaces, when at most three (CommonMark's block indentation).
fn indent(text: &str) -> Option<usize> {
    let n = text.len() - text.trim_start_matches(' ').len();
    (n <= 3 && !text[n..].starts_with('\t')).then_some(n)
}

/// 0-based index of a 1-based line.
fn line_index(line: u32) -> usize {
    usize::try_from(line).map_or(usize::MAX, |l| l.saturating_sub(1))
}

/// `<!-- reproscale:begin NAME -->` → (true, NAME); end → (false, NAME).
pub fn marker(text: &str) -> Option<(bool, &str)> {
    let t = text.trim();
    let inner = t.strip_prefix("<!--")?.strip_suffix("-->")?.trim();
    let inner = inner.strip_prefix("reproscale:")?;
    let (begin, name) = if let Some(n) = inner.strip_prefix("begin") {
        (true, n)
    } else if let Some(n) = inner.strip_prefix("end") {
        (false, n)
    } else {
        return None;
    };
    if !name.starts_with(char::is_whitespace) {
        return None;
    }
    Some((begin, name.trim()))
}

fn pair_markers(lines: &[Line<'_>]) -> (Result<Vec<Block>, String>, bool) {
    let mut blocks: Vec<Block> = Vec::new();
    let mut open: Option<(String, usize)> = None;
    let mut error = None;
    let mut any = false;
    for (i, line) in lines.iter().enumerate() {
        if line.in_fence {
            continue;
        }
        let Some((begin, name)) = marker(line.text) else {
            continue;
        };
        any = true;
        if error.is_some() {
            continue;
        }
        let n = i + 1;
        if !template::known_block(name) {
            error = Some(format!("line {n}: unknown reproscale marker `{name}`"));
            continue;
        }
        match (begin, open.take()) {
            (true, None) => {
                if blocks.iter().any(|b| b.name == name) {
                    error = Some(format!(
                        "line {n}: a second `{name}` block (each block may appear once)"
                    ));
                } else {
                    open = Some((name.to_string(), i));
                }
            }
            (true, Some((o, at))) => {
                error = Some(format!(
                    "line {n}: `{name}` begins inside the `{o}` block begun at line {}",
                    at + 1
                ));
            }
            (false, None) => {
                error = Some(format!("line {n}: `{name}` ends a block that never began"));
            }
            (false, Some((o, at))) => {
                if o == name {
                    blocks.push(Block {
                        name: o,
                        begin: at,
                        end: i,
                    });
                } else {
                    error = Some(format!(
                        "line {n}: `{name}` ends, but the open block is `{o}` (begun at line {})",
                        at + 1
                    ));
                }
            }
        }
    }
    if error.is_none() {
        if let Some((o, at)) = open {
            error = Some(format!("line {}: the `{o}` block never ends", at + 1));
        }
    }
    (error.map_or(Ok(blocks), Err), any)
}

/// An ATX heading (`## text`) on one line: (level, text without markers).
pub fn atx(text: &str) -> Option<(usize, &str)> {
    // Only ATX headings start with `#`; a lone line cannot be setext anyway.
    if !text.trim_start().starts_with('#') {
        return None;
    }
    let h = markdown::headings(text)
        .into_iter()
        .find(|h| h.line == 1 && !h.nested)?;
    Some((usize::from(h.level), text.get(h.content).unwrap_or("")))
}

/// The stage a heading's number names (`1. Code`, `1\. Code`, `🧑‍💻 2) Config`).
fn numbered_stage(text: &str) -> Option<u8> {
    let start = text.find(|c: char| c.is_alphanumeric())?;
    let t = &text[start..];
    let digits = t.len() - t.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits != 1 {
        return None;
    }
    let n = t.as_bytes().first().map(|b| b - b'0')?;
    let next = t[1..].chars().next();
    let ok = match next {
        None => true,
        Some(c) => matches!(c, '.' | '\\' | ')' | ':' | ' ' | '-' | '—' | '–' | '\t'),
    };
    (ok && (1..=5).contains(&n)).then_some(n)
}

/// The stage a heading's words name (`Code`, `Data (+ Artifacts)`).
fn keyword_stage(text: &str) -> Option<u8> {
    let lower = text.to_lowercase();
    lower
        .split(|c: char| !c.is_alphanumeric())
        .find_map(|w| match w {
            "code" => Some(1),
            "configuration" | "configurations" | "config" | "configs" => Some(2),
            "data" | "dataset" | "datasets" | "artifacts" | "artefacts" => Some(3),
            "environment" | "environments" => Some(4),
            "evaluation" => Some(5),
            _ => None,
        })
}

fn headings(text: &str) -> Vec<Heading> {
    // (line, level, by number, by keyword)
    let mut raw: Vec<(usize, usize, Option<u8>, Option<u8>)> = Vec::new();
    for h in markdown::headings(text) {
        // A heading quoted or inside a list item does not open a section.
        if h.nested {
            continue;
        }
        let kw = keyword_stage(&h.text);
        let num = numbered_stage(&h.text).filter(|n| kw.is_none_or(|k| k == *n));
        raw.push((line_index(h.line), usize::from(h.level), num, kw));
    }
    let mut numbered = [false; 6];
    for r in &raw {
        if let Some(n) = r.2 {
            numbered[usize::from(n)] = true;
        }
    }
    // Sections do not nest: a stage heading deeper than the current section
    // opens a new section only when it names a stage not seen yet ("### 2.
    // Config" under "## 1. Code"); otherwise it is a subsection ("### Data
    // volumes" under "## 4. Environment"). A keyword alone does not count
    // when the stage also has a numbered heading ("## Code of conduct"
    // beside "## 1. Code").
    let mut out = Vec::with_capacity(raw.len());
    let mut cur: Option<usize> = None;
    let mut seen = [false; 6];
    for (line, level, num, kw) in raw {
        let kw = kw.filter(|k| !numbered[usize::from(*k)]);
        let candidate = num.or(kw);
        let stage = candidate.filter(|s| cur.is_none_or(|l| level <= l) || !seen[usize::from(*s)]);
        match (stage, cur) {
            (Some(s), _) => {
                cur = Some(level);
                seen[usize::from(s)] = true;
            }
            (None, Some(l)) if level <= l => cur = None,
            _ => {}
        }
        out.push(Heading { line, level, stage });
    }
    out
}

/// A checklist line, `- [x] text`: (offset of the mark, ticked, offset of
/// the text).
pub fn checkbox(text: &str) -> Option<(usize, bool, usize)> {
    // The box must open the line's own item: not a sub-list's or a quote's.
    // The parser sees a box with nothing after it (`- [ ]`) only when a
    // line ending follows.
    let task = markdown::tasks(&format!("{text}\n"))
        .into_iter()
        .find(|t| t.line == 1 && !t.nested)?;
    let mark = task.marker.start + 1;
    let text_start = (task.marker.end + 1).min(text.len());
    Some((mark, task.checked, text_start))
}

/// Byte ranges of inline code spans (with their backticks) and, when
/// `comments`, of HTML comments.
pub fn code_spans(text: &str, comments: bool) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    // Backtick runs, and for each the next run of the same length (its
    // closer), found in one pass so that a hostile line costs linear time.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut k = 0;
    while k < bytes.len() {
        if bytes[k] == b'`' {
            let n = bytes[k..].iter().take_while(|b| **b == b'`').count();
            runs.push((k, n));
            k += n;
        } else {
            k += 1;
        }
    }
    let mut closer: Vec<Option<usize>> = vec![None; runs.len()];
    let mut later: HashMap<usize, usize> = HashMap::new();
    for (idx, (_, n)) in runs.iter().enumerate().rev() {
        closer[idx] = later.insert(*n, idx);
    }
    let find_comment = |from: usize| {
        if comments {
            text.get(from..)
                .and_then(|t| t.find("<!--"))
                .map(|p| p + from)
        } else {
            None
        }
    };
    let mut out = Vec::new();
    // Everything before byte `i` is decided; `r` is the next run to look at.
    let mut i = 0;
    let mut r = 0;
    let mut comment = find_comment(0);
    loop {
        while r < runs.len() && runs[r].0 < i {
            r += 1;
        }
        if comment.is_some_and(|c| c < i) {
            comment = find_comment(i);
        }
        let run = runs.get(r).map(|x| x.0);
        let comment_first = match (run, comment) {
            (None, None) => break,
            (Some(a), Some(c)) => c < a,
            (None, Some(_)) => true,
            (Some(_), None) => false,
        };
        match (comment_first, comment) {
            (false, _) => {
                let (a, n) = runs[r];
                match closer[r] {
                    Some(j) => {
                        let (s, m) = runs[j];
                        out.push(a..s + m);
                        i = s + m;
                    }
                    None => i = a + n,
                }
            }
            (true, None) => break,
            (true, Some(c)) => {
                let end = text
                    .get(c + 4..)
                    .and_then(|t| t.find("-->"))
                    .map_or(bytes.len(), |e| c + 4 + e + 3);
                out.push(c..end);
                i = end;
            }
        }
    }
    out
}

/// `text` with inline code spans and HTML comments blanked out (same byte
/// positions), so that links and placeholders are looked for in prose only.
pub fn mask_code(text: &str) -> String {
    let mut out = text.as_bytes().to_vec();
    for r in code_spans(text, true) {
        for b in &mut out[r] {
            *b = b' ';
        }
    }
    // Only whole characters were replaced (the delimiters are ASCII).
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The `{placeholders}` in `masked` (a [`mask_code`] result): byte ranges.
pub fn placeholders(masked: &str) -> Vec<Range<usize>> {
    let bytes = masked.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'{' {
            i += 1;
            continue;
        }
        let before_ok = i == 0 || {
            let p = bytes[i - 1];
            p.is_ascii_whitespace()
                || (p.is_ascii_punctuation() && !matches!(p, b'\\' | b'$' | b'_' | b'^' | b'{'))
        };
        let close = masked[i + 1..].find(['}', '{']).map(|e| i + 1 + e);
        match close {
            Some(j) if bytes[j] == b'}' => {
                let inner = &masked[i + 1..j];
                let first = inner.trim_start().chars().next();
                let ok = before_ok
                    && inner.len() <= 200
                    && first.is_some_and(char::is_alphabetic)
                    && !inner.contains(['"', '=', ';', '$', '\\']);
                if ok {
                    out.push(i..j + 1);
                }
                i = j + 1;
            }
            Some(j) => i = j,
            None => break,
        }
    }
    out
}

/// A link found in a line.
#[derive(Debug, Clone)]
pub struct Link {
    /// The target, as written (without `<>` or a title).
    pub target: String,
}

/// Markdown links `[text](target)` / `![alt](target)` and reference
/// definitions `[label]: target` in `masked` (a [`mask_code`] result, one line).
pub fn links(masked: &str) -> Vec<Link> {
    // Read alone, a line indented by four or more would be an indented code
    // block, though in the file it may continue a list item: the indentation
    // is dropped, and it only decides whether a definition is one.
    let definitions = indent(masked).is_some();
    markdown::links(masked.trim_start())
        .into_iter()
        .filter(|l| !l.url.is_empty() && (definitions || l.kind != LinkKind::Definition))
        .map(|l| Link { target: l.url })
        .collect()
}

/// Percent-decodes a link target (invalid escapes stay as written).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What a relative link points to inside the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// A URL, an anchor in this file or the project root: nothing to check.
    Skip,
    /// A project-relative path (`/`-separated, normalised).
    Path(String),
    /// A relative path that climbs out of the project.
    Outside,
}

/// Classifies a link target; relative paths are taken from the project root
/// (REPRODUCIBILITY.md lives there).
pub fn link_target(target: &str) -> LinkTarget {
    let t = target.trim();
    if t.is_empty() || t.starts_with('#') || t.starts_with("//") {
        return LinkTarget::Skip;
    }
    // A scheme (`https:`, `mailto:`) or a Windows drive.
    if let Some(colon) = t.find(':') {
        if !t[..colon].contains('/') {
            return LinkTarget::Skip;
        }
    }
    let t = t.split(['#', '?']).next().unwrap_or("");
    let decoded = percent_decode(t);
    let mut parts: Vec<&str> = Vec::new();
    for c in decoded.trim_start_matches('/').split('/') {
        match c {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return LinkTarget::Outside;
                }
            }
            c => parts.push(c),
        }
    }
    if parts.is_empty() {
        LinkTarget::Skip
    } else {
        LinkTarget::Path(parts.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkbox_forms() {
        assert_eq!(checkbox("- [x] a"), Some((3, true, 6)));
        assert_eq!(checkbox("* [X] a").map(|c| c.1), Some(true));
        assert_eq!(checkbox("+ [ ] a").map(|c| c.1), Some(false));
        assert_eq!(checkbox("1. [ ] a").map(|c| c.1), Some(false));
        assert_eq!(checkbox("- [ ]").map(|c| c.2), Some(5));
        assert!(checkbox("- [y] a").is_none());
        assert!(checkbox("-[x] a").is_none());
        assert!(checkbox("    - [x] nested").is_none());
        assert!(checkbox("- [x]a").is_none());
    }

    #[test]
    fn heading_stages() {
        let doc = Doc::parse(
            "# T\n## 1. Code\n## 2\\. Configuration\n## 🧑‍💻 Data (+ Artifacts)\n### Data notes\n## 4) Environment\n### Code style\n#### Evaluation\n## Notes\n## 3. Code\n",
        );
        let stages: Vec<_> = doc.headings.iter().map(|h| h.stage).collect();
        assert_eq!(
            stages,
            [None, Some(1), Some(2), Some(3), None, Some(4), None, Some(5), None, None],
            "a deeper heading of a stage seen before is a subsection; a number that contradicts the words counts for neither"
        );
        let doc = Doc::parse("## 1. Code\n## Code of conduct\n");
        assert_eq!(doc.headings[1].stage, None);
    }

    #[test]
    fn markers_pair_up() {
        let d = Doc::parse("<!-- reproscale:begin code -->\nx\n<!-- reproscale:end code -->\n");
        assert_eq!(d.valid_blocks().len(), 1);
        let d = Doc::parse("<!-- reproscale:begin code -->\nx\n");
        assert!(d.blocks.is_err());
        let d = Doc::parse("```\n<!-- reproscale:begin code -->\n```\n");
        assert!(!d.has_markers);
    }

    #[test]
    fn placeholders_skip_code_and_escapes() {
        let m = mask_code("a {link} `{code}` \\{x} f{y} {\"a\": 1} {}");
        let found: Vec<_> = placeholders(&m)
            .into_iter()
            .map(|r| m[r].to_string())
            .collect();
        assert_eq!(found, ["{link}"]);
    }

    #[test]
    fn link_targets() {
        assert_eq!(
            link_target("a%20b.py#L3"),
            LinkTarget::Path("a b.py".into())
        );
        assert_eq!(link_target("./x/../y"), LinkTarget::Path("y".into()));
        assert_eq!(link_target("../up"), LinkTarget::Outside);
        assert_eq!(link_target("https://x.org/a"), LinkTarget::Skip);
        assert_eq!(link_target("#anchor"), LinkTarget::Skip);
        let l = links("see [a](b.py) and ![i](<c d.png> \"t\") and [x](y(1).py)");
        let t: Vec<_> = l.iter().map(|l| l.target.as_str()).collect();
        assert_eq!(t, ["b.py", "c d.png", "y(1).py"]);
        assert_eq!(links("[ref]: data/x.csv")[0].target, "data/x.csv");
    }

    #[test]
    fn code_spans_pair_runs_of_equal_length() {
        let t = "a `x` b ``y ` z`` c <!-- `e` --> `f";
        let spans: Vec<&str> = code_spans(t, true).into_iter().map(|r| &t[r]).collect();
        assert_eq!(spans, ["`x`", "``y ` z``", "<!-- `e` -->"]);
        let t = "c ` d <!-- `e` -->";
        let spans: Vec<&str> = code_spans(t, true).into_iter().map(|r| &t[r]).collect();
        assert_eq!(
            spans,
            ["` d <!-- `"],
            "a span that starts first wins, as in CommonMark"
        );
        let t = "`<!--` x";
        let spans: Vec<&str> = code_spans(t, true).into_iter().map(|r| &t[r]).collect();
        assert_eq!(spans, ["`<!--`"]);
        let long: String = (1..2000).map(|n| "`".repeat(n) + " ").collect();
        assert!(code_spans(&long, true).is_empty());
    }

    #[test]
    fn percent_decoding_is_total() {
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%"), "%");
        assert_eq!(percent_decode("%e2%98%85"), "★");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
    #[test]
    fn code_blocks_of_every_kind_hide_headings_items_and_markers() {
        let text = "# T\n\n~~~\n## 1. Code\n- [x] a\n<!-- reproscale:begin code -->\n~~~\n\n````md\n```\n## 2. Configuration\n```\n````\n\n1. note:\n\n    ```\n    # 3. Data\n    <!-- reproscale:begin data -->\n    ```\n\n## 4. Environment\n- [x] c\n";
        let doc = Doc::parse(text);
        let heads: Vec<_> = doc.headings.iter().map(|h| (h.line, h.stage)).collect();
        assert_eq!(heads, [(0, None), (21, Some(4))]);
        let items: Vec<_> = doc.items.iter().map(|i| (i.line, i.section)).collect();
        assert_eq!(items, [(22, 4)]);
        assert!(!doc.has_markers, "markers in code are examples");
        assert_eq!(doc.unclosed_fence, None);
        let code: Vec<usize> = (0..doc.lines.len())
            .filter(|i| doc.lines[*i].in_fence)
            .collect();
        assert_eq!(code, [2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 16, 17, 18, 19]);
    }

    #[test]
    fn unclosed_fences_and_where_they_end() {
        let doc = Doc::parse("## 1. Code\n````\n```\n## 2. Configuration\n");
        assert_eq!(doc.unclosed_fence, Some(1));
        assert_eq!(doc.headings.len(), 1, "the open fence runs to the end");
        // A fence left open in a list item ends with the item.
        let doc = Doc::parse("- a\n  ```\n  x\n\n## 2. Configuration\n");
        assert_eq!(doc.unclosed_fence, Some(1));
        assert_eq!(doc.headings[0].stage, Some(2));
        assert_eq!(Doc::parse("~~~\n```\n~~~\n").unclosed_fence, None);
    }

    #[test]
    fn tables_are_not_headings_in_code_or_out() {
        let doc = Doc::parse(
            "Code | where\n---|---\nx | y\n\n```\n| 1. Code |\n|---|\n```\n\nData\n---\n",
        );
        let heads: Vec<_> = doc.headings.iter().map(|h| (h.line, h.stage)).collect();
        assert_eq!(heads, [(9, Some(3))]);
        assert!(doc.lines[5].in_fence && doc.lines[6].in_fence);
    }

    #[test]
    fn atx_headings_by_the_parser() {
        assert_eq!(atx("## 1. Code ##"), Some((2, "1. Code")));
        assert_eq!(atx("# T"), Some((1, "T")));
        assert_eq!(atx("##"), Some((2, "")));
        assert_eq!(atx("####### x"), None);
        assert_eq!(atx("#x"), None);
        assert_eq!(atx("    # code"), None);
        assert_eq!(atx("> # quoted"), None);
        assert_eq!(atx("Title"), None);
    }
}
