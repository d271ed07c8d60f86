//! What Python refuses before it runs a file, checked lexically before parsing: nesting
//! deeper than it compiles, and inconsistent tabs and spaces (`TabError`).
//!
//! The parser and every syntax-tree walk recurse, so a hostile file such as
//! `x = f(f(f(…)))` 6,000 deep or `1+1+…` 200,000 long would exhaust the stack.
//! CPython itself refuses such files ("too many nested parentheses" past 200
//! brackets, `RecursionError` during compilation past about 2,000–3,000 chained
//! operators), so a file past these limits cannot run and is skipped with that
//! reason instead of being parsed. The bound is an over-estimate of the tree
//! depth: it counts brackets plus operators, dots and nesting keywords along one
//! path, and resets at commas and statement ends, so flat literals (long lists
//! of negative numbers) stay far below it.

/// CPython's own limit on open brackets.
pub const MAX_BRACKETS: usize = 200;
/// Above what CPython compiles (it fails near 3,000 chained operators).
pub const MAX_DEPTH: usize = 3_000;

/// Why Python would refuse a file before running it, found without parsing: the byte
/// offset and a message. Besides nesting, this catches inconsistent tabs and spaces
/// (`TabError`), which a parser that does not track tab widths accepts.
pub fn too_deep(source: &str) -> Option<(usize, String)> {
    let bytes = source.as_bytes();
    let mut indents = Indents::default();
    if let Some(e) = indents.check(bytes, 0) {
        return Some(e);
    }
    // Depth at the start of each open bracket's contents.
    let mut bases: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0usize;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\n' => {
                i += 1;
                if bases.is_empty() {
                    depth = 0;
                    if let Some(e) = indents.check(bytes, i) {
                        return Some(e);
                    }
                }
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'\\' => {
                // Line continuation: the newline does not end the statement.
                i += if bytes.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
            }
            b'\'' | b'"' => {
                i = skip_string(bytes, i);
            }
            b'(' | b'[' | b'{' => {
                if bases.len() >= MAX_BRACKETS {
                    return Some((
                        i,
                        format!(
                            "too many nested brackets (more than {MAX_BRACKETS}); \
                             Python refuses this file, so it was not analysed"
                        ),
                    ));
                }
                depth += 1;
                bases.push(depth);
                i += 1;
            }
            b')' | b']' | b'}' => {
                // A closed bracket is one link of the chain it belongs to.
                depth = bases.pop().unwrap_or(0);
                i += 1;
            }
            b',' => {
                depth = bases.last().copied().unwrap_or(0);
                i += 1;
            }
            b';' if bases.is_empty() => {
                depth = 0;
                i += 1;
            }
            b'0'..=b'9' => i = skip_number(bytes, i),
            b'.' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => i = skip_number(bytes, i),
            b'.' | b'+' | b'-' | b'*' | b'/' | b'%' | b'@' | b'&' | b'|' | b'^' | b'~' | b'<'
            | b'>' | b'=' | b'!' => {
                depth += 1;
                i += 1;
            }
            c if c == b'_' || c.is_ascii_alphabetic() || c >= 0x80 => {
                let start = i;
                while i < bytes.len()
                    && (bytes[i] == b'_' || bytes[i].is_ascii_alphanumeric() || bytes[i] >= 0x80)
                {
                    i += 1;
                }
                let word = &bytes[start..i];
                if matches!(bytes.get(i), Some(b'\'' | b'"')) && is_string_prefix(word) {
                    // `f"…"`, `rb'…'`: the prefix belongs to the string that follows.
                    continue;
                }
                if matches!(
                    word,
                    b"not" | b"and" | b"or" | b"if" | b"else" | b"lambda" | b"await"
                ) {
                    depth += 1;
                }
            }
            _ => i += 1,
        }
        if depth > MAX_DEPTH {
            return Some((
                i.saturating_sub(1),
                format!(
                    "an expression nests more than {MAX_DEPTH} deep; \
                     Python cannot compile it, so the file was not analysed"
                ),
            ));
        }
    }
    None
}

/// CPython's indentation stacks: columns with tabs to multiples of 8 and with tabs as 1.
/// A line whose indentation compares differently under the two is a `TabError`.
struct Indents {
    cols: Vec<(usize, usize)>,
}

impl Default for Indents {
    fn default() -> Self {
        Indents { cols: vec![(0, 0)] }
    }
}

impl Indents {
    /// Checks the indentation of the line starting at `start` (a new logical line).
    fn check(&mut self, bytes: &[u8], start: usize) -> Option<(usize, String)> {
        let (mut col, mut alt) = (0usize, 0usize);
        let mut i = start;
        while let Some(&c) = bytes.get(i) {
            match c {
                b' ' => {
                    col += 1;
                    alt += 1;
                }
                b'\t' => {
                    col = (col / 8 + 1) * 8;
                    alt += 1;
                }
                b'\x0c' => {
                    col = 0;
                    alt = 0;
                }
                _ => break,
            }
            i += 1;
        }
        // Blank and comment-only lines do not count.
        if matches!(bytes.get(i), None | Some(b'\n' | b'\r' | b'#')) {
            return None;
        }
        let tab_error = || {
            Some((
                start,
                "inconsistent use of tabs and spaces in indentation (Python raises TabError), \
                 so the file was not analysed"
                    .to_string(),
            ))
        };
        let &(top, top_alt) = self.cols.last()?;
        if col == top {
            if alt != top_alt {
                return tab_error();
            }
        } else if col > top {
            if alt <= top_alt {
                return tab_error();
            }
            self.cols.push((col, alt));
        } else {
            while self.cols.len() > 1 && self.cols.last().is_some_and(|&(c, _)| col < c) {
                self.cols.pop();
            }
            if self.cols.last().is_some_and(|&(c, a)| c == col && a != alt) {
                return tab_error();
            }
        }
        None
    }
}

fn is_string_prefix(word: &[u8]) -> bool {
    word.len() <= 2
        && word
            .iter()
            .all(|c| matches!(c.to_ascii_lowercase(), b'r' | b'b' | b'u' | b'f'))
}

/// The index just past the string literal opening at `start` (or the end of input).
fn skip_string(bytes: &[u8], start: usize) -> usize {
    let quote = bytes[start];
    let triple = bytes.get(start + 1) == Some(&quote) && bytes.get(start + 2) == Some(&quote);
    let mut i = start + if triple { 3 } else { 1 };
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\\' {
            i += 2;
            continue;
        }
        if c == quote {
            if !triple {
                return i + 1;
            }
            if bytes.get(i + 1) == Some(&quote) && bytes.get(i + 2) == Some(&quote) {
                return i + 3;
            }
        } else if c == b'\n' && !triple {
            // An unterminated one-line string ends at the line end.
            return i;
        }
        i += 1;
    }
    bytes.len()
}

/// The index just past the number literal at `start` (`1e-5`, `0x1F`, `3.14j`).
fn skip_number(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' {
            i += 1;
        } else if (c == b'+' || c == b'-') && i > start && matches!(bytes[i - 1], b'e' | b'E') {
            let hex = bytes[start..i].starts_with(b"0x") || bytes[start..i].starts_with(b"0X");
            if hex {
                break;
            }
            i += 1;
        } else {
            break;
        }
    }
    i.max(start + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_nesting_is_refused() {
        let call = format!("x = {}1{}\n", "f(".repeat(300), ")".repeat(300));
        assert!(too_deep(&call).is_some_and(|(_, m)| m.contains("brackets")));
        let chain = format!("x = a{}\n", ".b".repeat(5_000));
        assert!(too_deep(&chain).is_some_and(|(at, m)| at < chain.len() && m.contains("nests")));
        let sum = format!("x = {}\n", vec!["1"; 5_000].join("+"));
        assert!(too_deep(&sum).is_some());
        let neg = format!("\n\nx = {}1\n", "-".repeat(5_000));
        let at = too_deep(&neg).map(|(at, _)| neg[..at].matches('\n').count());
        assert_eq!(at, Some(2));
        let nots = format!("x = {}y\n", "not ".repeat(5_000));
        assert!(too_deep(&nots).is_some());
    }

    #[test]
    fn ordinary_and_flat_code_is_accepted() {
        let flat = format!("x = [{}]\n", vec!["-1.5e-3"; 20_000].join(", "));
        assert_eq!(too_deep(&flat), None);
        let many = "y = a.b.c(d + e * -f)[g] if not h else i\n".repeat(10_000);
        assert_eq!(too_deep(&many), None);
        let strings = format!(
            "s = '{}' + \"\"\"{}\"\"\"\n",
            "+".repeat(9_000),
            "(".repeat(900)
        );
        assert_eq!(too_deep(&strings), None);
        let comment = format!("# {}\nx = 1\n", "(-".repeat(9_000));
        assert_eq!(too_deep(&comment), None);
        let chain = format!("x = a{}\n", ".b".repeat(1_000));
        assert_eq!(too_deep(&chain), None);
        let tabs = "if x:\n\tif y:\n\t\tpass\n\telse:\n\t\tz = (1,\n  2)\n";
        assert_eq!(too_deep(tabs), None);
        let spaces_then_tab_same_width = "if x:\n        a = 1\n\tb = 2\n";
        assert!(too_deep(spaces_then_tab_same_width).is_some_and(|(_, m)| m.contains("TabError")));
    }

    #[test]
    fn mixed_tabs_that_python_accepts_are_accepted() {
        // Consistent under both tab widths: a tab then spaces, each line alike.
        let ok = "def f():\n\t  a = 1\n\t  if a:\n\t  \tb = 2\n";
        assert_eq!(too_deep(ok), None);
        let continuation = "x = [\n\t1,\n        2]\ny = 3\n";
        assert_eq!(too_deep(continuation), None);
    }
}
