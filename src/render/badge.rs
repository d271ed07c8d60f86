//! The reproducibility badge: a flat SVG "reproducibility | ★★★☆☆" coloured
//! by stars, the Markdown that embeds it, and finding it again in a README.
//!
//! The SVG is a fixed template (no font measuring): the widths are the same
//! for every star count, so the output depends on the stars alone.

use crate::facts::markdown::{self, LinkKind};

/// Badge colours by stars, 0 (red) to 5 (bright green), as shields.io names them.
const COLOURS: [&str; 6] = [
    "#e05d44", // red
    "#fe7d37", // orange
    "#dfb317", // yellow
    "#a4a61d", // yellowgreen
    "#97ca00", // green
    "#44cc11", // brightgreen
];

/// The label on the left.
const LABEL: &str = "reproducibility";

/// Width of the label part in pixels (Verdana 11px, as shields.io lays it out).
const LABEL_WIDTH: u32 = 96;

/// Width of the stars part.
const VALUE_WIDTH: u32 = 66;

/// Escapes text for XML content and attribute values.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The badge for `stars` (clamped to 5) as a standalone SVG document.
pub fn svg(stars: u8) -> String {
    let n = stars.min(5);
    let colour = COLOURS[usize::from(n)];
    let value = super::star_glyphs(n);
    let title = xml(&format!("{LABEL}: {n}/5"));
    let label = xml(LABEL);
    let value = xml(&value);
    let total = LABEL_WIDTH + VALUE_WIDTH;
    let label_x = LABEL_WIDTH * 10 / 2;
    let value_x = (LABEL_WIDTH + VALUE_WIDTH / 2) * 10;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" aria-label="{title}">
  <title>{title}</title>
  <linearGradient id="s" x2="0" y2="100%">
    <stop offset="0" stop-color="#bbb" stop-opacity=".1"/>
    <stop offset="1" stop-opacity=".1"/>
  </linearGradient>
  <clipPath id="r">
    <rect width="{total}" height="20" rx="3" fill="#fff"/>
  </clipPath>
  <g clip-path="url(#r)">
    <rect width="{LABEL_WIDTH}" height="20" fill="#555"/>
    <rect x="{LABEL_WIDTH}" width="{VALUE_WIDTH}" height="20" fill="{colour}"/>
    <rect width="{total}" height="20" fill="url(#s)"/>
  </g>
  <g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110">
    <text aria-hidden="true" x="{label_x}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)">{label}</text>
    <text x="{label_x}" y="140" transform="scale(.1)">{label}</text>
    <text aria-hidden="true" x="{value_x}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)">{value}</text>
    <text x="{value_x}" y="140" transform="scale(.1)">{value}</text>
  </g>
</svg>
"##
    )
}

/// The Markdown that embeds the badge stored at `svg_path` (relative to the README).
pub fn markdown_snippet(stars: u8, svg_path: &str) -> String {
    let n = stars.min(5);
    let mut target = String::with_capacity(svg_path.len());
    for b in svg_path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/' | b':') {
            target.push(char::from(b));
        } else {
            target.push_str(&format!("%{b:02X}"));
        }
    }
    format!("![{LABEL}: {n}/5]({target})")
}

/// Percent-decodes (invalid escapes stay as written).
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| char::from(b).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The stars a piece of badge text states after the word "reproducibility":
/// `N/5` (also `N%2F5`, `N of 5`) or a run of five ★/☆ glyphs.
fn stars_in(text: &str) -> Option<u8> {
    let lower = decode(text).to_lowercase();
    lower
        .match_indices(LABEL)
        .find_map(|(at, _)| stars_after(&lower[at + LABEL.len()..]))
}

/// `N/5` or five ★/☆ glyphs within the first few characters of `text`.
fn stars_after(text: &str) -> Option<u8> {
    let rest: Vec<char> = text.chars().take(24).collect();
    for (i, c) in rest.iter().enumerate() {
        if let Some(d) = c.to_digit(10) {
            let tail: String = rest[i + 1..].iter().collect();
            let tail = tail.trim_start();
            let out_of_five =
                tail.starts_with("/5") || tail.starts_with("of 5") || tail.starts_with("/ 5");
            let prev_digit = i > 0 && rest[i - 1].is_ascii_digit();
            if out_of_five && !prev_digit && d <= 5 {
                return u8::try_from(d).ok();
            }
        }
        if *c == '★' || *c == '☆' {
            let run: Vec<&char> = rest[i..]
                .iter()
                .take_while(|c| **c == '★' || **c == '☆')
                .collect();
            if run.len() == 5 {
                let full = run.iter().filter(|c| ***c == '★').count();
                return u8::try_from(full).ok();
            }
            return None;
        }
    }
    None
}

/// The alt text and target of each image in `readme`: Markdown `![alt](url)`
/// and HTML `<img alt=… src=…>`, none from code (an example in a code block
/// is not the project's badge).
fn images(readme: &str) -> Vec<String> {
    let mut out: Vec<String> = markdown::links(readme)
        .into_iter()
        .filter(|l| l.kind == LinkKind::Image)
        .map(|l| format!("{} {}", l.text, l.url))
        .collect();
    for h in markdown::html(readme) {
        let html = without_comments(&h.html);
        let lower = html.to_ascii_lowercase();
        let mut from = 0;
        while let Some(p) = lower[from..].find("<img") {
            let start = from + p;
            let end = lower[start..].find('>').map_or(lower.len(), |e| start + e);
            out.push(html[start..end].to_string());
            from = end;
        }
    }
    out
}

/// `html` without its `<!-- comments -->`: a commented-out badge is not shown.
fn without_comments(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(p) = rest.find("<!--") {
        out.push_str(&rest[..p]);
        rest = rest[p + 4..]
            .find("-->")
            .map_or("", |e| &rest[p + 4 + e + 3..]);
    }
    out.push_str(rest);
    out
}

/// The stars the README's reproducibility badge shows, if it has one: the
/// snippet's alt text (`reproducibility: N/5`), or any image whose alt text or
/// URL says "reproducibility" followed by `N/5` or ★/☆ glyphs (shields.io style).
pub fn readme_badge_stars(readme: &str) -> Option<u8> {
    images(readme).iter().find_map(|i| stars_in(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_stars_in_badge_text() {
        assert_eq!(stars_in("reproducibility: 3/5"), Some(3));
        assert_eq!(stars_in("Reproducibility-4%2F5-green"), Some(4));
        assert_eq!(
            stars_in("reproducibility-%E2%98%85%E2%98%85%E2%98%86%E2%98%86%E2%98%86"),
            Some(2)
        );
        assert_eq!(stars_in("reproducibility 10/5"), None);
        assert_eq!(stars_in("build passing"), None);
    }

    #[test]
    fn badges_in_code_are_not_the_projects() {
        let snippet = "![reproducibility: 3/5](reproducibility.svg)";
        for readme in [
            format!("```markdown\n{snippet}\n```\n"),
            format!("~~~\n{snippet}\n~~~\n"),
            format!("````\n```\n{snippet}\n````\n"),
            format!("- add it:\n\n  ```md\n  {snippet}\n  ```\n"),
            format!("Paste:\n\n    {snippet}\n"),
            format!("Paste `{snippet}` at the top.\n"),
            "```html\n<img src=\"r.svg\" alt=\"reproducibility: 2/5\">\n```\n".to_string(),
            "<!-- <img src=\"r.svg\" alt=\"reproducibility: 2/5\"> -->\n".to_string(),
        ] {
            assert_eq!(readme_badge_stars(&readme), None, "{readme}");
        }
        let after = format!("```\n![reproducibility: 1/5](old.svg)\n```\n\n{snippet}\n");
        assert_eq!(readme_badge_stars(&after), Some(3));
        let html = "<p>\n<img src=\"r.svg\"\n     alt=\"reproducibility: 4/5\">\n</p>\n";
        assert_eq!(readme_badge_stars(html), Some(4));
        let reference = "![reproducibility: 2/5][badge]\n\n[badge]: r.svg\n";
        assert_eq!(readme_badge_stars(reference), Some(2));
    }
}
