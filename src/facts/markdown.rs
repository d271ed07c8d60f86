//! Code in Markdown documents, read with a CommonMark parser: fenced and
//! indented code blocks (any fence length, backticks or tildes, inside block
//! quotes and lists), inline code spans, and prose lines, each with its
//! 1-based line in the document.

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

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
}
