//! Markdown documents read with a CommonMark parser (pulldown-cmark), the
//! crate's Markdown reader: code (fenced and indented blocks of any
//! fence, inside block quotes and lists, and inline spans) and prose lines;
//! the block outline of a document, line by line (headings, code, HTML
//! blocks, list items); headings, links, raw HTML, task boxes and table rows.
//! Everything carries its 1-based line in the document.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, LinkType, Options, Parser, Tag, TagEnd};

/// Where a piece of text sits in the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A line of a code block.
    Block,
    /// An inline code span (`` `python train.py` ``).
    Inline,
    /// A line of prose in a block quote.
    Quote,
    /// A line of other prose.
    Prose,
}

/// One line of text from a Markdown document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line in the document.
    pub line: u32,
    /// The text, without Markdown markers.
    pub text: String,
    /// What kind of text it is.
    pub place: Place,
    /// The info string of the enclosing fenced block (`bash`, `python`), if any.
    pub lang: Option<String>,
}

/// Every line of code and prose of a Markdown document, in order.
pub fn lines(text: &str) -> Vec<Line> {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| -> u32 {
        let i = starts.partition_point(|&s| s <= offset);
        u32::try_from(i).unwrap_or(u32::MAX)
    };
    let mut out = Vec::new();
    let mut block: Option<Option<String>> = None;
    let mut quote_depth = 0usize;
    for (event, range) in Parser::new_ext(text, Options::empty()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                block = Some(match kind {
                    CodeBlockKind::Fenced(info) => {
                        let lang = info.split_whitespace().next().unwrap_or("").to_string();
                        (!lang.is_empty()).then_some(lang)
                    }
                    CodeBlockKind::Indented => None,
                });
            }
            Event::End(TagEnd::CodeBlock) => block = None,
            Event::Start(Tag::BlockQuote(_)) => quote_depth += 1,
            Event::End(TagEnd::BlockQuote(_)) => quote_depth = quote_depth.saturating_sub(1),
            Event::Text(t) => {
                let (place, lang) = match &block {
                    Some(lang) => (Place::Block, lang.clone()),
                    None if quote_depth > 0 => (Place::Quote, None),
                    None => (Place::Prose, None),
                };
                // A text event inside a block may span lines; its range starts
                // on its first line in the source.
                let first = line_of(range.start);
                for (k, l) in t.lines().enumerate() {
                    out.push(Line {
                        line: first + u32::try_from(k).unwrap_or(u32::MAX),
                        text: l.to_string(),
                        place,
                        lang: lang.clone(),
                    });
                }
            }
            Event::Code(c) => out.push(Line {
                line: line_of(range.start),
                text: c.to_string(),
                place: Place::Inline,
                lang: None,
            }),
            _ => {}
        }
    }
    out
}

/// What the structure helpers below read besides CommonMark: tables and task
/// lists, as GitHub renders a README.
const GFM: Options = Options::ENABLE_TABLES.union(Options::ENABLE_TASKLISTS);

/// 1-based line of a byte offset. Lines end at `\n` only, so that the numbers
/// agree with a plain split of the text on `\n`.
struct LineIndex(Vec<usize>);

impl LineIndex {
    fn new(text: &str) -> Self {
        LineIndex(
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect(),
        )
    }

    fn line(&self, offset: usize) -> u32 {
        u32::try_from(self.0.partition_point(|&s| s <= offset)).unwrap_or(u32::MAX)
    }

    /// The last line a byte range touches (a range ending in `\n` stays on
    /// that line).
    fn last_line(&self, range: &Range<usize>) -> u32 {
        self.line(range.end.saturating_sub(1).max(range.start))
    }
}

/// Counts the block quotes and list items around the current event.
#[derive(Default)]
struct Depth(usize);

impl Depth {
    fn track(&mut self, event: &Event<'_>) {
        match event {
            Event::Start(Tag::BlockQuote(_) | Tag::Item) => self.0 += 1,
            Event::End(TagEnd::BlockQuote(_) | TagEnd::Item) => {
                self.0 = self.0.saturating_sub(1);
            }
            _ => {}
        }
    }
}

/// A code block: fenced (any fence) or indented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBlock {
    /// 1-based line of its first line (the opening fence, when fenced).
    pub first: u32,
    /// 1-based line of its last line (the closing fence, when there is one).
    pub last: u32,
    /// The first word of the info string (`bash`, `python`), if any.
    pub lang: Option<String>,
    /// Fenced rather than indented.
    pub fenced: bool,
    /// Ended by a closing fence. A fence left open runs to the end of the
    /// document or of the list item or quote around it; indented blocks are
    /// always closed.
    pub closed: bool,
}

/// Every code block of a Markdown document, in order.
pub fn code_blocks(text: &str) -> Vec<CodeBlock> {
    let index = LineIndex::new(text);
    Parser::new_ext(text, GFM)
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::CodeBlock(kind)) => Some(code_block(text, &index, kind, &range)),
            _ => None,
        })
        .collect()
}

/// The code block a `Start(CodeBlock)` event opens.
fn code_block(
    text: &str,
    index: &LineIndex,
    kind: CodeBlockKind,
    range: &Range<usize>,
) -> CodeBlock {
    let source = text.get(range.clone()).unwrap_or("");
    let (lang, fenced, closed) = match kind {
        CodeBlockKind::Fenced(info) => {
            let lang = info.split_whitespace().next().unwrap_or("").to_string();
            (
                (!lang.is_empty()).then_some(lang),
                true,
                fence_closed(source),
            )
        }
        CodeBlockKind::Indented => (None, false, true),
    };
    CodeBlock {
        first: index.line(range.start),
        last: index.last_line(range),
        lang,
        fenced,
        closed,
    }
}

/// Whether the source of a fenced block ends with a closing fence. The
/// parser's range ends right after the closing fence when there is one, and
/// after the last line of content (its `\n` included) when there is none.
fn fence_closed(source: &str) -> bool {
    let opener = source.trim_start();
    let Some(c) = opener.chars().next() else {
        return false;
    };
    let width = opener.len() - opener.trim_start_matches(c).len();
    let Some((_, last)) = source.rsplit_once('\n') else {
        return false;
    };
    // Continuation lines keep their quote markers and list indentation.
    let last = last.trim_start_matches([' ', '\t', '>']).trim_end();
    last.len() >= width && last.chars().all(|k| k == c)
}

/// A heading, ATX (`## Text`) or setext (`Text` over `===`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// 1-based line (of the text, for a setext heading).
    pub line: u32,
    /// 1..=6.
    pub level: u8,
    /// The text as rendered: no markers, escapes, emphasis or link syntax.
    pub text: String,
    /// Byte range of the heading's text in the source, markers excluded
    /// (empty for an empty heading).
    pub content: Range<usize>,
    /// Inside a block quote or a list item.
    pub nested: bool,
}

/// Every heading of a Markdown document, in order (none from code).
pub fn headings(text: &str) -> Vec<Heading> {
    let index = LineIndex::new(text);
    let mut out = Vec::new();
    let mut depth = Depth::default();
    let mut open: Option<Heading> = None;
    for (event, range) in Parser::new_ext(text, GFM).into_offset_iter() {
        depth.track(&event);
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                open = Some(Heading {
                    line: index.line(range.start),
                    level: u8::try_from(level as usize).unwrap_or(6),
                    text: String::new(),
                    content: range.end..range.end,
                    nested: depth.0 > 0,
                });
            }
            Event::End(TagEnd::Heading(_)) => out.extend(open.take()),
            event => {
                let Some(h) = open.as_mut() else {
                    continue;
                };
                if h.content.is_empty() {
                    h.content = range.clone();
                } else {
                    h.content.end = h.content.end.max(range.end);
                }
                match event {
                    Event::Text(t) | Event::Code(t) => h.text.push_str(&t),
                    Event::SoftBreak | Event::HardBreak => h.text.push(' '),
                    _ => {}
                }
            }
        }
    }
    out
}

/// What a line of a Markdown document is, by the block that holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// Empty or only white space, outside code blocks.
    Blank,
    /// A heading's text: an ATX heading, a line of a setext heading's text,
    /// or an HTML block line holding a whole `<h1>`..`<h6>` element.
    Heading,
    /// A setext heading's underline.
    Underline,
    /// A fenced code block's opening or closing fence.
    Fence,
    /// A line of a code block's content, fenced or indented (blank or not).
    Code,
    /// A line of an HTML block.
    Html,
    /// Any other line: paragraphs, list items, block quotes, tables,
    /// thematic breaks, link reference definitions.
    Prose,
}

/// A heading of an [`Outline`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title {
    /// 1-based line of its (first) text line.
    pub line: u32,
    /// 1..=6.
    pub level: u8,
    /// The text as rendered, white space collapsed.
    pub text: String,
}

/// The block structure of a Markdown document, line by line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outline {
    /// What each line is, one entry per line as `str::lines` splits the text.
    pub lines: Vec<LineKind>,
    /// Headings in order: Markdown ones (in block quotes and list items
    /// too), and HTML `<hN>…</hN>` written on one line of an HTML block.
    pub headings: Vec<Title>,
    /// Code blocks in order.
    pub code_blocks: Vec<CodeBlock>,
    /// 1-based lines where a list item starts, in order.
    pub items: Vec<u32>,
}

/// The block structure of a Markdown document: what each line is, its
/// headings, code blocks and list items, as a CommonMark parser (with GitHub
/// tables) reads it.
pub fn outline(text: &str) -> Outline {
    let index = LineIndex::new(text);
    let mut lines: Vec<LineKind> = text
        .lines()
        .map(|l| {
            if l.trim().is_empty() {
                LineKind::Blank
            } else {
                LineKind::Prose
            }
        })
        .collect();
    // Marks lines `from..=to` (1-based); blank ones only when `blank` is set.
    let mut mark = |from: u32, to: u32, kind: LineKind, blank: bool| {
        let (from, to) = (from as usize, to as usize);
        for k in lines.iter_mut().take(to).skip(from.saturating_sub(1)) {
            if blank || *k != LineKind::Blank {
                *k = kind;
            }
        }
    };
    let mut headings = Vec::new();
    let mut code_blocks = Vec::new();
    let mut items = Vec::new();
    let mut open: Option<Title> = None;
    for (event, range) in Parser::new_ext(text, GFM).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                let (first, last) = (index.line(range.start), index.last_line(&range));
                if last > first {
                    // Setext: text lines, then the underline.
                    mark(first, last - 1, LineKind::Heading, false);
                    mark(last, last, LineKind::Underline, true);
                } else {
                    mark(first, first, LineKind::Heading, true);
                }
                open = Some(Title {
                    line: first,
                    level: u8::try_from(level as usize).unwrap_or(6),
                    text: String::new(),
                });
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(mut h) = open.take() {
                    h.text = h.text.split_whitespace().collect::<Vec<_>>().join(" ");
                    headings.push(h);
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = open.as_mut() {
                    h.text.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(h) = open.as_mut() {
                    h.text.push(' ');
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let b = code_block(text, &index, kind, &range);
                mark(b.first, b.last, LineKind::Code, true);
                if b.fenced {
                    mark(b.first, b.first, LineKind::Fence, true);
                    if b.closed && b.last > b.first {
                        mark(b.last, b.last, LineKind::Fence, true);
                    }
                }
                code_blocks.push(b);
            }
            Event::Start(Tag::HtmlBlock) => {
                mark(
                    index.line(range.start),
                    index.last_line(&range),
                    LineKind::Html,
                    false,
                );
            }
            // Each line of an HTML block comes as its own event.
            Event::Html(h) => {
                if let Some((level, text)) = html_heading(&h) {
                    let line = index.line(range.start);
                    mark(line, line, LineKind::Heading, true);
                    headings.push(Title { line, level, text });
                }
            }
            Event::Start(Tag::Item) => items.push(index.line(range.start)),
            _ => {}
        }
    }
    Outline {
        lines,
        headings,
        code_blocks,
        items,
    }
}

/// `<h2 …>Title</h2>` on one line: its level and text.
fn html_heading(l: &str) -> Option<(u8, String)> {
    let t = l.trim();
    let lower = t.to_ascii_lowercase();
    let rest = lower.strip_prefix("<h")?;
    let level = rest.chars().next()?.to_digit(10)?;
    if !(1..=6).contains(&level) || !rest[1..].starts_with(['>', ' ']) {
        return None;
    }
    let close = format!("</h{level}>");
    let end = lower.find(&close)?;
    let open_end = lower.find('>')?;
    if open_end >= end {
        return None;
    }
    let title = strip_tags(&t[open_end + 1..end]);
    Some((u8::try_from(level).unwrap_or(6), title))
}

/// Text with HTML tags removed and white space collapsed.
pub fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What a [`Link`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// `[text](url)`, `[text][ref]`, `<url>`.
    Link,
    /// `![alt](url)`, `![alt][ref]`.
    Image,
    /// A reference definition, `[label]: url`.
    Definition,
}

/// A link, image or reference definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// 1-based line where it starts.
    pub line: u32,
    /// What it is.
    pub kind: LinkKind,
    /// The destination as written (escapes resolved, no `<>` or title);
    /// `mailto:` added to an email autolink.
    pub url: String,
    /// The link text or alt text, rendered (empty for a definition).
    pub text: String,
}

/// Every link, image and reference definition of a Markdown document, in
/// order (none from code). Of definitions sharing a label, the first counts,
/// as in CommonMark.
pub fn links(text: &str) -> Vec<Link> {
    let index = LineIndex::new(text);
    let parser = Parser::new_ext(text, GFM);
    let mut defs: Vec<(usize, Link)> = parser
        .reference_definitions()
        .iter()
        .map(|(_, def)| {
            (
                def.span.start,
                Link {
                    line: index.line(def.span.start),
                    kind: LinkKind::Definition,
                    url: def.dest.to_string(),
                    text: String::new(),
                },
            )
        })
        .collect();
    let mut found: Vec<(usize, Link)> = Vec::new();
    // Links nest in images' alt text (and the reverse), so each open one
    // collects the text until its own end.
    let mut open: Vec<(usize, Link)> = Vec::new();
    for (event, range) in parser.into_offset_iter() {
        match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) => {
                let url = if link_type == LinkType::Email {
                    format!("mailto:{dest_url}")
                } else {
                    dest_url.to_string()
                };
                open.push((range.start, link(&index, &range, LinkKind::Link, url)));
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                let url = dest_url.to_string();
                open.push((range.start, link(&index, &range, LinkKind::Image, url)));
            }
            Event::End(TagEnd::Link | TagEnd::Image) => found.extend(open.pop()),
            Event::Text(t) | Event::Code(t) => {
                for (_, l) in &mut open {
                    l.text.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                for (_, l) in &mut open {
                    l.text.push(' ');
                }
            }
            _ => {}
        }
    }
    found.append(&mut defs);
    found.sort_by_key(|(start, _)| *start);
    found.into_iter().map(|(_, l)| l).collect()
}

fn link(index: &LineIndex, range: &Range<usize>, kind: LinkKind, url: String) -> Link {
    Link {
        line: index.line(range.start),
        kind,
        url,
        text: String::new(),
    }
}

/// Raw HTML outside code: each HTML block whole, and each inline tag or
/// comment on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Html {
    /// 1-based line where it starts.
    pub line: u32,
    /// The HTML as written.
    pub html: String,
}

/// Every piece of raw HTML of a Markdown document, in order.
pub fn html(text: &str) -> Vec<Html> {
    let index = LineIndex::new(text);
    let mut out = Vec::new();
    let mut block: Option<Html> = None;
    for (event, range) in Parser::new_ext(text, GFM).into_offset_iter() {
        match event {
            Event::Start(Tag::HtmlBlock) => {
                block = Some(Html {
                    line: index.line(range.start),
                    html: String::new(),
                });
            }
            Event::End(TagEnd::HtmlBlock) => out.extend(block.take()),
            Event::Html(h) => match block.as_mut() {
                Some(b) => b.html.push_str(&h),
                None => out.push(Html {
                    line: index.line(range.start),
                    html: h.to_string(),
                }),
            },
            Event::InlineHtml(h) => out.push(Html {
                line: index.line(range.start),
                html: h.to_string(),
            }),
            _ => {}
        }
    }
    out
}

/// A task-list item's box: `- [ ] text`, `1. [x] text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    /// 1-based line.
    pub line: u32,
    /// Ticked (`[x]` or `[X]`).
    pub checked: bool,
    /// Byte range of the box, `[` to `]`.
    pub marker: Range<usize>,
    /// In a list nested in another list item, or in a block quote.
    pub nested: bool,
}

/// Every task-list box of a Markdown document, in order.
pub fn tasks(text: &str) -> Vec<Task> {
    let index = LineIndex::new(text);
    let mut out = Vec::new();
    let mut depth = Depth::default();
    for (event, range) in Parser::new_ext(text, GFM).into_offset_iter() {
        depth.track(&event);
        if let Event::TaskListMarker(checked) = event {
            out.push(Task {
                line: index.line(range.start),
                checked,
                marker: range,
                // The item the box opens counts once.
                nested: depth.0 > 1,
            });
        }
    }
    out
}

/// A row of a table: its cells, rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRow {
    /// 1-based line.
    pub line: u32,
    /// The header row (the one above the `|---|` line).
    pub header: bool,
    /// Each cell's text, rendered and trimmed.
    pub cells: Vec<String>,
}

/// Every row of every table of a Markdown document, in order (none from code).
pub fn table_rows(text: &str) -> Vec<TableRow> {
    let index = LineIndex::new(text);
    let mut out = Vec::new();
    let mut row: Option<TableRow> = None;
    for (event, range) in Parser::new_ext(text, GFM).into_offset_iter() {
        match event {
            Event::Start(tag @ (Tag::TableHead | Tag::TableRow)) => {
                row = Some(TableRow {
                    line: index.line(range.start),
                    header: tag == Tag::TableHead,
                    cells: Vec::new(),
                });
            }
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => out.extend(row.take()),
            Event::Start(Tag::TableCell) => {
                if let Some(r) = row.as_mut() {
                    r.cells.push(String::new());
                }
            }
            Event::End(TagEnd::TableCell) => {
                if let Some(cell) = row.as_mut().and_then(|r| r.cells.last_mut()) {
                    *cell = cell.trim().to_string();
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(cell) = row.as_mut().and_then(|r| r.cells.last_mut()) {
                    cell.push_str(&t);
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(text: &str, place: Place) -> Vec<(u32, String)> {
        lines(text)
            .into_iter()
            .filter(|l| l.place == place)
            .map(|l| (l.line, l.text))
            .collect()
    }

    #[test]
    fn fences_of_any_kind_and_length_with_their_lines() {
        let md = "# T\n\n~~~bash\npython a.py\n~~~\n\n````\n```\npython b.py\n````\n";
        assert_eq!(
            of(md, Place::Block),
            [
                (4, "python a.py".to_string()),
                (8, "```".to_string()),
                (9, "python b.py".to_string())
            ]
        );
    }

    #[test]
    fn inline_code_and_one_line_fences() {
        let md = "Run `python train.py --lr 1` then\n```python eval.py```\n";
        let inline = of(md, Place::Inline);
        assert_eq!(
            inline,
            [
                (1, "python train.py --lr 1".to_string()),
                (2, "python eval.py".to_string())
            ]
        );
    }

    #[test]
    fn quoted_and_listed_blocks() {
        let md = "> python q.py\n\n1. step\n\n   ```sh\n   python l.py\n   ```\n";
        assert_eq!(of(md, Place::Quote), [(1, "python q.py".to_string())]);
        assert_eq!(of(md, Place::Block), [(6, "python l.py".to_string())]);
    }

    #[test]
    fn code_blocks_of_every_fence_with_their_lines() {
        let md = "~~~bash\n# not a heading\n~~~\n\n`````\n````\n`````\n\n- item\n\n  ```py\n  x\n  ```\n\npara\n\n    indented\n\n```\nopen\n";
        let blocks: Vec<_> = code_blocks(md)
            .into_iter()
            .map(|b| (b.first, b.last, b.lang, b.fenced, b.closed))
            .collect();
        assert_eq!(
            blocks,
            [
                (1, 3, Some("bash".to_string()), true, true),
                (5, 7, None, true, true),
                (11, 13, Some("py".to_string()), true, true),
                (17, 17, None, false, true),
                (19, 20, None, true, false),
            ]
        );
        let quoted = code_blocks("> ```\n> x\n> ```\n\n- a\n  ```\n  open\n- b\n");
        let closed: Vec<_> = quoted.iter().map(|b| (b.first, b.last, b.closed)).collect();
        assert_eq!(closed, [(1, 3, true), (6, 7, false)]);
        let short = code_blocks("````\nx\n```");
        assert!(!short[0].closed, "a shorter run does not close a fence");
        assert!(code_blocks("```")[0].first == 1 && !code_blocks("```")[0].closed);
    }

    #[test]
    fn headings_skip_code_and_know_their_form() {
        let md = "# T #\n\n```\n# in code\n```\n~~~~\n## also code\n~~~~\n\n- item\n\n  ```\n  # listed code\n  ```\n\nSetext *one*\n===\n\n> ## quoted\n\n| a |\n|---|\n\n## 2\\. `Code` [x](y)\n";
        let hs: Vec<_> = headings(md)
            .into_iter()
            .map(|h| (h.line, h.level, h.text, h.nested))
            .collect();
        assert_eq!(
            hs,
            [
                (1, 1, "T".to_string(), false),
                (16, 1, "Setext one".to_string(), false),
                (19, 2, "quoted".to_string(), true),
                (24, 2, "2. Code x".to_string(), false),
            ]
        );
        let h = &headings("##  1. Code ##")[0];
        assert_eq!(&"##  1. Code ##"[h.content.clone()], "1. Code");
        assert!(headings("##")[0].content.is_empty());
    }

    #[test]
    fn outline_classifies_every_line() {
        let md = "Intro\n\n# A #\n\nSetext\ntwo lines\n---\n\n```sh\nls\n\n```\n\n    indented\n\n    more\n\n<div>\n<h2 class=\"x\">Html <b>title</b></h2>\n## not a heading\n</div>\n\n> - item\n>   ```\n>   open\n";
        use LineKind::*;
        let o = outline(md);
        assert_eq!(
            o.lines,
            [
                Prose, Blank, Heading, Blank, Heading, Heading, Underline, Blank, Fence, Code,
                Code, Fence, Blank, Code, Code, Code, Blank, Html, Heading, Html, Html, Blank,
                Prose, Fence, Code
            ]
        );
        let hs: Vec<_> = o
            .headings
            .iter()
            .map(|h| (h.line, h.level, h.text.as_str()))
            .collect();
        assert_eq!(
            hs,
            [
                (3, 1, "A"),
                (5, 2, "Setext two lines"),
                (19, 2, "Html title")
            ]
        );
        let bs: Vec<_> = o
            .code_blocks
            .iter()
            .map(|b| (b.first, b.last, b.lang.as_deref(), b.closed))
            .collect();
        assert_eq!(
            bs,
            [
                (9, 12, Some("sh"), true),
                (14, 16, None, true),
                (24, 25, None, false)
            ]
        );
        assert_eq!(o.items, [23]);
        assert!(outline("").lines.is_empty());
        assert_eq!(outline("```").lines, [Fence]);
    }

    #[test]
    fn links_images_and_definitions_outside_code() {
        let md = "[a](b.py) ![alt *x*](<c d.png> \"t\")\n[![badge](i.svg)](t.md)\n\n```\n![code](no.svg)\n```\n\n    ![indented](no.svg)\n\n`![inline](no.svg)` <a@b.org>\n\n[ref]: data/x.csv\n[r2][ref]\n";
        let ls: Vec<_> = links(md)
            .into_iter()
            .map(|l| (l.line, l.kind, l.url, l.text))
            .collect();
        let s = String::from;
        assert_eq!(
            ls,
            [
                (1, LinkKind::Link, s("b.py"), s("a")),
                (1, LinkKind::Image, s("c d.png"), s("alt x")),
                (2, LinkKind::Link, s("t.md"), s("badge")),
                (2, LinkKind::Image, s("i.svg"), s("badge")),
                (10, LinkKind::Link, s("mailto:a@b.org"), s("a@b.org")),
                (12, LinkKind::Definition, s("data/x.csv"), s("")),
                (13, LinkKind::Link, s("data/x.csv"), s("r2")),
            ]
        );
    }

    #[test]
    fn html_blocks_and_inline_tags_outside_code() {
        let md = "<p>\n<img src=\"a.svg\">\n</p>\n\ntext <img src=\"b.svg\"> more\n\n```\n<img src=\"c.svg\">\n```\n";
        let hs: Vec<_> = html(md).into_iter().map(|h| (h.line, h.html)).collect();
        assert_eq!(
            hs,
            [
                (1, "<p>\n<img src=\"a.svg\">\n</p>\n".to_string()),
                (5, "<img src=\"b.svg\">".to_string()),
            ]
        );
    }

    #[test]
    fn tasks_with_their_boxes() {
        let md = "- [x] a\n  - [ ] nested\n1. [X] b\n- [y] no\n-[x] no\n- [x]no\n\n```\n- [x] code\n```\n> - [ ] quoted\n";
        let ts: Vec<_> = tasks(md)
            .into_iter()
            .map(|t| (t.line, t.checked, &md[t.marker], t.nested))
            .collect();
        assert_eq!(
            ts,
            [
                (1, true, "[x]", false),
                (2, false, "[ ]", true),
                (3, true, "[X]", false),
                (11, false, "[ ]", true),
            ]
        );
    }

    #[test]
    fn table_rows_outside_code() {
        let md = "| a | `b` |\n|---|---|\n| 1 | 2 |\n\n```\n| x | y |\n|---|---|\n```\n\n    | p | q |\n    |---|---|\n";
        let rows: Vec<_> = table_rows(md)
            .into_iter()
            .map(|r| (r.line, r.header, r.cells))
            .collect();
        assert_eq!(
            rows,
            [
                (1, true, vec!["a".to_string(), "b".to_string()]),
                (3, false, vec!["1".to_string(), "2".to_string()]),
            ]
        );
    }
}
