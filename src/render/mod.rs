//! Output formats, one file each; every renderer returns the whole output as a string.

pub mod badge;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;

/// Makes text from the project (file names, notes quoting it) safe to print on one
/// terminal line: control characters and bidirectional overrides, which could hide or
/// reorder what is shown, are written as escapes (`\n`, `\u{202e}`).
pub fn inert(text: &str) -> std::borrow::Cow<'_, str> {
    let risky = |c: char| {
        c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(risky) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if risky(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `★★☆☆☆` for 2 stars.
pub fn star_glyphs(stars: u8) -> String {
    let n = usize::from(stars.min(5));
    format!("{}{}", "★".repeat(n), "☆".repeat(5 - n))
}
