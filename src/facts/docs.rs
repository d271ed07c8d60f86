//! Documents: Markdown, reStructuredText and plain READMEs, read for their
//! sections (with what each holds: tables, directory trees, code, lists,
//! file formats), hardware mentions, published image references, links,
//! Colab links and YAML front matter (Hugging Face Space and dataset cards).
//!
//! Markdown's block structure (headings, code blocks, HTML blocks, lists)
//! comes from a CommonMark parser ([`markdown::outline`]); YAML front matter
//! at the top is cut off first. reStructuredText is read line by line:
//! underlined (and overlined) titles, `::` literal blocks and code
//! directives. Tables, directory trees, formats, hardware, links and images
//! are then looked for line by line, knowing which lines are code, so a `#`
//! line in a code block is not a heading. No I/O: every function takes a
//! path and the text.

use serde::Serialize;
use serde_json::Value as Json;

use super::dockerfile::split_image_ref;
use super::markdown::{self, strip_tags, LineKind};

/// One section of a document. A section runs from its heading to the line
/// before the next heading of the same or a higher level, so it includes its
/// subsections; the preamble (level 0) runs to the first heading.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    /// Heading text, without markup; empty for the preamble.
    pub title: String,
    /// 1–6 for headings (`#` = 1); 0 for the preamble.
    pub level: u8,
    /// 1-based line of the heading text (of the first line for the preamble).
    pub line: u32,
    /// 1-based last line of the section.
    pub end_line: u32,
    /// Words of prose (outside code blocks and headings).
    pub words: usize,
    /// A table: Markdown pipe table, HTML `<table>`, reST grid/simple table or
    /// `list-table`/`csv-table` directive.
    pub has_table: bool,
    /// A directory tree: `├──`/`└──`/`|--` drawings, or a line ending in `/`
    /// followed by a more indented path.
    pub has_tree: bool,
    /// A code block.
    pub has_code: bool,
    /// A bulleted or numbered list.
    pub has_list: bool,
    /// Header cells of the section's tables, in order, without duplicates.
    pub columns: Vec<String>,
    /// Data file extensions mentioned (`.csv`, `.parquet`, `.jpg`, `.nii.gz`),
    /// lower case, in order of first mention.
    pub formats: Vec<String>,
}

/// What a hardware mention names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HardwareKind {
    /// A GPU or accelerator model (`A100`, `RTX 3090`, `Tesla V100`, `MI250`).
    GpuModel,
    /// A memory amount next to a GPU/RAM/VRAM word (`24 GB of VRAM`, `32GB RAM`).
    Memory,
    /// A CUDA version (`CUDA 11.8`, `cudatoolkit=11.3`, `cu118`).
    CudaVersion,
    /// An NVIDIA driver version (`driver 535.104`).
    DriverVersion,
    /// A TPU (`TPU v3-8`).
    Tpu,
    /// A GPU with nothing more specific on the line (`a GPU`, `CUDA`).
    GenericGpu,
}

/// One hardware mention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HardwareMention {
    /// 1-based line.
    pub line: u32,
    /// What it names.
    pub kind: HardwareKind,
    /// The words as written (`NVIDIA A100`, `16 GB`, `CUDA 11.8`).
    pub text: String,
}

/// A parsed document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Doc {
    /// Path relative to the project root.
    pub path: String,
    /// Sections in document order, the preamble (level 0) first when there is
    /// text before the first heading.
    pub sections: Vec<Section>,
    /// Hardware mentions, in line order.
    pub hardware: Vec<HardwareMention>,
    /// Container image references with their lines: `docker pull x/y:tag`,
    /// `docker run … image`, `docker://…`, `ghcr.io/…` and other registry
    /// hosts, Docker Hub page links, `image:` keys and bare `owner/name:tag`
    /// references in shell/YAML code blocks.
    pub image_refs: Vec<(u32, String)>,
    /// `http(s)://` URLs with their lines.
    pub links: Vec<(u32, String)>,
    /// Lines linking to Google Colab.
    pub colab_links: Vec<u32>,
    /// YAML front matter (`---` … `---` at the top), parsed; `None` when absent
    /// or not valid YAML.
    pub front_matter: Option<Json>,
}

impl Doc {
    /// Sections whose title contains any of `words`, case-insensitively, at
    /// the start of a title word: `data` matches "Data", "Datasets" and
    /// "Training data" but not "Update"; `format` does not match
    /// "Information". A query with a space matches anywhere in the title.
    pub fn sections_about(&self, words: &[&str]) -> Vec<&Section> {
        let words: Vec<String> = words
            .iter()
            .map(|w| w.trim().to_lowercase())
            .filter(|w| !w.is_empty())
            .collect();
        self.sections
            .iter()
            .filter(|s| {
                let title = s.title.to_lowercase();
                words.iter().any(|w| {
                    if w.contains(' ') {
                        return title.contains(w.as_str());
                    }
                    title
                        .split(|c: char| !c.is_alphanumeric())
                        .any(|t| t.starts_with(w.as_str()))
                })
            })
            .collect()
    }
}

/// Whether a path is a document: `README*`, `*.md`, `*.markdown`, `*.rst`,
/// and `*.txt` only when named `README*`, `DATASHEET*` or `DATA*`.
pub fn is_doc(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    if name.starts_with("readme") {
        return true;
    }
    if is_project_meta(name) {
        return false;
    }
    match name.rsplit_once('.') {
        Some((_, "md" | "markdown" | "rst")) => true,
        Some((stem, "txt")) => stem.starts_with("datasheet") || stem.starts_with("data"),
        _ => false,
    }
}

/// Documents about the project's history and governance (`CHANGELOG.md`,
/// `CONTRIBUTING.md`): their sections describe releases and rules, never the
/// data, the hardware or how to run the project.
pub fn is_project_meta(name: &str) -> bool {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    matches!(
        stem.replace(['-', ' '], "_").as_str(),
        "changelog"
            | "changes"
            | "history"
            | "news"
            | "releases"
            | "release_notes"
            | "contributing"
            | "code_of_conduct"
            | "security"
            | "support"
            | "license"
            | "licence"
            | "authors"
            | "contributors"
            | "maintainers"
            | "governance"
    )
}

// ---------------------------------------------------------------------------
// Line classification

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    FrontMatter,
    Blank,
    Text,
    /// A heading's text line.
    Heading,
    /// A Setext/reST underline or overline.
    Adornment,
    /// A code fence line (opening or closing) or a reST code directive.
    Fence,
    /// Inside a code block.
    Code,
}

#[derive(Debug)]
struct Heading {
    /// First line of the heading (the overline, when there is one).
    first: usize,
    /// The heading's text line.
    text_line: usize,
    level: u8,
    title: String,
}

#[derive(Debug)]
struct Lines<'a> {
    lines: Vec<&'a str>,
    kinds: Vec<Kind>,
    /// For code lines: whether the block is shell, YAML, Dockerfile or plain
    /// text (where bare image references are looked for).
    shellish: Vec<bool>,
    /// Whether a list item starts on the line.
    items: Vec<bool>,
    headings: Vec<Heading>,
    /// First line after the front matter.
    body_start: usize,
}

fn indent_of(l: &str) -> usize {
    let mut n = 0;
    for c in l.chars() {
        match c {
            ' ' => n += 1,
            '\t' => n += 4 - n % 4,
            _ => break,
        }
    }
    n
}

fn shellish_lang(info: &str) -> bool {
    let lang = info
        .trim()
        .trim_start_matches('{')
        .split(|c: char| c.is_whitespace() || c == ',' || c == '}')
        .next()
        .unwrap_or("")
        .trim_start_matches('.')
        .to_ascii_lowercase();
    matches!(
        lang.as_str(),
        "" | "bash"
            | "sh"
            | "shell"
            | "console"
            | "shell-session"
            | "zsh"
            | "yaml"
            | "yml"
            | "dockerfile"
            | "docker"
            | "text"
            | "txt"
            | "plaintext"
            | "none"
            | "powershell"
            | "cmd"
            | "bat"
    )
}

/// Removes emphasis, code ticks and link targets from a reST title.
fn clean_inline(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    // [text](url) → text
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find("](") else {
            break;
        };
        let Some(end) = rest[open + close..].find(')') else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..open + close]);
        rest = &rest[open + close + end + 1..];
    }
    out.push_str(rest);
    let out = strip_tags(&out);
    // reST and Markdown backslash escapes (`detection\_utils`).
    let mut unescaped = String::with_capacity(out.len());
    let mut chars = out.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek().is_some_and(|n| n.is_ascii_punctuation()) {
            continue;
        }
        unescaped.push(c);
    }
    unescaped
        .replace(['*', '`'], "")
        .replace("__", "")
        .trim()
        .to_string()
}

fn is_list_item(l: &str) -> bool {
    let t = l.trim_start();
    if t.chars().all(|c| matches!(c, '*' | '-' | '_' | ' ' | '\t')) {
        return false;
    }
    if let Some(rest) = t.strip_prefix(['-', '*', '+']) {
        return rest.starts_with([' ', '\t']) && !rest.trim().is_empty();
    }
    if let Some(rest) = t.strip_prefix("#.") {
        return rest.starts_with(' ');
    }
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    if (1..=3).contains(&digits) {
        let rest = &t[digits..];
        if let Some(r) = rest.strip_prefix(['.', ')']) {
            return r.starts_with([' ', '\t']) && !r.trim().is_empty();
        }
    }
    false
}

/// Front matter: `---` on the first line, closed by `---` or `...`.
fn front_matter(lines: &[&str]) -> (Option<Json>, usize) {
    if lines.first().map(|l| l.trim_end()) != Some("---") {
        return (None, 0);
    }
    let Some(close) = lines
        .iter()
        .skip(1)
        .position(|l| matches!(l.trim_end(), "---" | "..."))
        .map(|p| p + 1)
    else {
        return (None, 0);
    };
    let yaml = lines[1..close].join("\n");
    let value = serde_saphyr::from_str::<Json>(&yaml)
        .ok()
        .filter(|v| !v.is_null());
    (value, close + 1)
}

/// Markdown lines classified by a CommonMark parser ([`markdown::outline`])
/// reading the body after the front matter.
fn classify_markdown<'a>(text: &str, lines: Vec<&'a str>, body_start: usize) -> Lines<'a> {
    let n = lines.len();
    let offset = match body_start {
        0 => 0,
        k => text
            .match_indices('\n')
            .nth(k - 1)
            .map_or(text.len(), |(i, _)| i + 1),
    };
    let outline = markdown::outline(&text[offset..]);
    let mut kinds = vec![Kind::FrontMatter; body_start];
    kinds.extend(outline.lines.iter().map(|k| match k {
        LineKind::Blank => Kind::Blank,
        LineKind::Heading => Kind::Heading,
        LineKind::Underline => Kind::Adornment,
        LineKind::Fence => Kind::Fence,
        LineKind::Code => Kind::Code,
        LineKind::Html | LineKind::Prose => Kind::Text,
    }));
    kinds.resize(n, Kind::Blank);
    // Outline lines are 1-based in the body.
    let index = |line: u32| body_start + line as usize - 1;
    let mut shellish = vec![false; n];
    for b in &outline.code_blocks {
        let sh = shellish_lang(b.lang.as_deref().unwrap_or(""));
        for i in index(b.first)..=index(b.last).min(n.saturating_sub(1)) {
            shellish[i] = sh && kinds[i] == Kind::Code;
        }
    }
    let mut items = vec![false; n];
    for &line in &outline.items {
        if let Some(it) = items.get_mut(index(line)) {
            *it = true;
        }
    }
    let headings = outline
        .headings
        .into_iter()
        .map(|h| Heading {
            first: index(h.line),
            text_line: index(h.line),
            level: h.level,
            title: h.text,
        })
        .collect();
    Lines {
        lines,
        kinds,
        shellish,
        items,
        headings,
        body_start,
    }
}

/// A reST adornment line: one punctuation character repeated (at least 3).
fn rst_adornment(l: &str) -> Option<char> {
    let t = l.trim_end();
    if t.starts_with([' ', '\t']) || t.chars().count() < 3 {
        return None;
    }
    let c = t.chars().next()?;
    (c.is_ascii_punctuation() && t.chars().all(|x| x == c)).then_some(c)
}

fn rst_code_directive(t: &str) -> Option<bool> {
    let rest = t.strip_prefix("..")?.trim_start();
    for d in ["code-block::", "code::", "sourcecode::", "highlight::"] {
        if let Some(lang) = rest.strip_prefix(d) {
            return Some(shellish_lang(lang));
        }
    }
    None
}

fn classify_rst(lines: Vec<&str>) -> Lines<'_> {
    let n = lines.len();
    let mut kinds = vec![Kind::Blank; n];
    let mut shellish = vec![false; n];
    let mut items = vec![false; n];
    let mut headings = Vec::new();
    let mut styles: Vec<(char, bool)> = Vec::new();
    let mut level_of = |style: (char, bool)| -> u8 {
        let pos = styles.iter().position(|s| *s == style).unwrap_or_else(|| {
            styles.push(style);
            styles.len() - 1
        });
        u8::try_from(pos + 1).unwrap_or(6).min(6)
    };
    // Literal block: the indentation of the line that opened it, and whether
    // it is shell-like.
    let mut literal: Option<(usize, bool)> = None;
    let mut i = 0;
    while i < n {
        let l = lines[i];
        let blank = l.trim().is_empty();
        if let Some((ind, sh)) = literal {
            if blank {
                i += 1;
                continue;
            }
            if indent_of(l) > ind {
                kinds[i] = Kind::Code;
                shellish[i] = sh;
                i += 1;
                continue;
            }
            literal = None;
        }
        if blank {
            i += 1;
            continue;
        }
        let t = l.trim();
        if let Some(sh) = rst_code_directive(t) {
            kinds[i] = Kind::Fence;
            literal = Some((indent_of(l), sh));
            i += 1;
            continue;
        }
        let prev_ok = i == 0 || matches!(kinds[i - 1], Kind::Blank | Kind::Adornment);
        // Overlined title.
        if let Some(c) = rst_adornment(l) {
            if prev_ok {
                if let (Some(title), Some(under)) = (lines.get(i + 1), lines.get(i + 2)) {
                    if !title.trim().is_empty()
                        && rst_adornment(title).is_none()
                        && under.trim_end() == l.trim_end()
                    {
                        kinds[i] = Kind::Adornment;
                        kinds[i + 1] = Kind::Heading;
                        kinds[i + 2] = Kind::Adornment;
                        headings.push(Heading {
                            first: i,
                            text_line: i + 1,
                            level: level_of((c, true)),
                            title: clean_inline(title.trim()),
                        });
                        i += 3;
                        continue;
                    }
                }
            }
        } else if prev_ok && indent_of(l) == 0 {
            if let Some(c) = lines.get(i + 1).and_then(|u| rst_adornment(u)) {
                kinds[i] = Kind::Heading;
                kinds[i + 1] = Kind::Adornment;
                headings.push(Heading {
                    first: i,
                    text_line: i,
                    level: level_of((c, false)),
                    title: clean_inline(t),
                });
                i += 2;
                continue;
            }
        }
        kinds[i] = Kind::Text;
        items[i] = is_list_item(l);
        // `Example::` opens a literal block; other directives' indented
        // bodies (`.. note::`) are content, not code.
        if t.ends_with("::") && !t.starts_with("..") {
            literal = Some((indent_of(l), true));
        }
        i += 1;
    }
    Lines {
        lines,
        kinds,
        shellish,
        items,
        headings,
        body_start: 0,
    }
}

// ---------------------------------------------------------------------------
// Section contents

fn count_words(l: &str) -> usize {
    l.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

fn clean_cell(c: &str) -> String {
    c.trim()
        .trim_matches(['*', '_', '`', ' '])
        .trim()
        .to_string()
}

fn pipe_cells(l: &str) -> Vec<&str> {
    let t = l.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    let t = t.strip_suffix('|').unwrap_or(t);
    t.split('|').collect()
}

fn is_delimiter_row(l: &str) -> bool {
    let cells = pipe_cells(l);
    (l.contains('|') || cells.len() > 1)
        && !cells.is_empty()
        && cells.iter().all(|c| {
            let c = c.trim();
            let c = c.strip_prefix(':').unwrap_or(c);
            let c = c.strip_suffix(':').unwrap_or(c);
            !c.is_empty() && c.chars().all(|x| x == '-')
        })
}

/// Runs of `=` in a reST simple-table border, as (start, end) char columns;
/// `None` unless there are at least two.
fn simple_table_border(l: &str) -> Option<Vec<(usize, usize)>> {
    let t = l.trim_end();
    if t.starts_with([' ', '\t']) || !t.contains(' ') {
        return None;
    }
    let mut runs = Vec::new();
    let mut start = None;
    for (k, c) in t.chars().enumerate() {
        match (c, start) {
            ('=', None) => start = Some(k),
            ('=', Some(_)) => {}
            (' ', Some(s)) => {
                runs.push((s, k));
                start = None;
            }
            (' ', None) => {}
            _ => return None,
        }
    }
    if let Some(s) = start {
        runs.push((s, t.chars().count()));
    }
    (runs.len() >= 2).then_some(runs)
}

fn is_grid_border(l: &str) -> bool {
    let t = l.trim();
    t.len() >= 3
        && t.starts_with('+')
        && t.ends_with('+')
        && t.chars().all(|c| matches!(c, '+' | '-' | '=' | ':'))
        && (t.contains('-') || t.contains('='))
}

/// Header cells of `<th>` elements on a line.
fn html_th_cells(l: &str, out: &mut Vec<String>) {
    if !l.contains('<') {
        return;
    }
    let lower = l.to_ascii_lowercase();
    let mut from = 0;
    while let Some(p) = lower[from..].find("<th") {
        let at = from + p;
        let after = lower.as_bytes().get(at + 3).copied();
        if !matches!(after, Some(b'>' | b' ')) {
            from = at + 3;
            continue;
        }
        let Some(open_end) = lower[at..].find('>').map(|q| at + q + 1) else {
            break;
        };
        let Some(close) = lower[open_end..].find("</th>").map(|q| open_end + q) else {
            break;
        };
        out.push(strip_tags(&l[open_end..close]));
        from = close + 5;
    }
}

/// Whether a token can be a path in a tree listing.
fn path_token(t: &str) -> bool {
    !t.is_empty()
        && t.chars().all(|c| {
            c.is_alphanumeric()
                || matches!(c, '_' | '.' | '-' | '/' | '*' | '{' | '}' | '<' | '>' | ',')
        })
        && t.chars().any(char::is_alphanumeric)
}

/// The first token of a line with list markers, tree glyphs and ticks removed.
fn tree_entry(l: &str) -> Option<&str> {
    let t = l
        .trim_start()
        .trim_start_matches(['│', '├', '└', '─', '|', '`', '+', ' ', '\t']);
    let t = t
        .strip_prefix("- ")
        .or_else(|| t.strip_prefix("* "))
        .unwrap_or(t)
        .trim_start();
    let tok = t.split_whitespace().next()?;
    Some(tok.trim_matches(['`', '*']))
}

fn has_tree_drawing(l: &str) -> bool {
    // Box drawing is never ASCII.
    if !l.is_ascii() {
        // Box-drawn tables (`dvc exp show`, rich) share `└─` with trees but
        // have column joints and corners that trees never draw.
        if l.contains([
            '┬', '┴', '┼', '┌', '┐', '┘', '┏', '┓', '┗', '┛', '╭', '╮', '╯', '╰',
        ]) {
            return false;
        }
        if let Some(i) = l.find("├─").or_else(|| l.find("└─")) {
            // A tree names one entry after its branch; a table goes on to a
            // column separator.
            return !l[i..].contains(['│', '╨', '╥', '╫']);
        }
    }
    let t = l.trim_start().trim_start_matches(['│', '|', ' ', '\t']);
    for p in ["|--", "|__", "`--", "+--", "\\--"] {
        let start = l.trim_start();
        for s in [start, t] {
            if let Some(rest) = s.strip_prefix(p) {
                let rest = rest.trim_start_matches(['-', '_']);
                // "`--flag` option" is a code span for a flag; a `tree` line
                // puts a space after its dashes.
                let spaced = rest.starts_with(' ');
                if spaced
                    || (p != "`--" && rest.starts_with(|c: char| c.is_alphanumeric() || c == '.'))
                {
                    return true;
                }
            }
        }
    }
    false
}

/// Data file extensions recognised in `formats`.
const DATA_EXTENSIONS: &[&str] = &[
    "csv",
    "tsv",
    "parquet",
    "json",
    "jsonl",
    "ndjson",
    "xml",
    "h5",
    "hdf5",
    "hdf",
    "npy",
    "npz",
    "pkl",
    "pickle",
    "pt",
    "pth",
    "ckpt",
    "safetensors",
    "onnx",
    "tfrecord",
    "tfrecords",
    "arrow",
    "feather",
    "avro",
    "orc",
    "jpg",
    "jpeg",
    "png",
    "bmp",
    "gif",
    "tif",
    "tiff",
    "webp",
    "dcm",
    "dicom",
    "nii",
    "nrrd",
    "mha",
    "wav",
    "mp3",
    "flac",
    "ogg",
    "mp4",
    "avi",
    "mov",
    "mkv",
    "txt",
    "xlsx",
    "xls",
    "zip",
    "tar",
    "tgz",
    "gz",
    "bz2",
    "7z",
    "mat",
    "las",
    "laz",
    "ply",
    "obj",
    "pcd",
    "off",
    "stl",
    "bin",
    "lmdb",
    "sqlite",
    "db",
    "fasta",
    "fastq",
    "fa",
    "vcf",
    "bam",
    "sam",
    "bed",
    "gtf",
    "geojson",
    "shp",
    "nc",
    "zarr",
    "edf",
    "svs",
    "conll",
    "vtk",
    "msgpack",
    "pb",
    "tflite",
    "joblib",
    "sav",
    "rds",
    "dta",
    "sas7bdat",
];

fn collect_formats(l: &str, out: &mut Vec<String>) {
    let lower = l.to_ascii_lowercase();
    let b = lower.as_bytes();
    let mut i = 0;
    while let Some(p) = lower[i..].find('.') {
        let at = i + p;
        i = at + 1;
        let prev_ok = at == 0
            || b[at - 1].is_ascii_alphanumeric()
            || matches!(
                b[at - 1],
                b' ' | b'*' | b'_' | b'-' | b'}' | b'`' | b'(' | b'/' | b'"' | b'\'' | b'\t'
            );
        if !prev_ok {
            continue;
        }
        let end = lower[at + 1..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .map_or(lower.len(), |q| at + 1 + q);
        let ext = &lower[at + 1..end];
        if b.get(end).is_some_and(|c| *c == b'_') || !DATA_EXTENSIONS.contains(&ext) {
            continue;
        }
        // `.nii.gz`, `.tar.gz`, `.csv.gz`: keep the pair.
        let mut found = format!(".{ext}");
        if let Some(rest) = lower[end..].strip_prefix('.') {
            let e2_end = rest
                .find(|c: char| !c.is_ascii_alphanumeric())
                .unwrap_or(rest.len());
            let e2 = &rest[..e2_end];
            if matches!(e2, "gz" | "bz2" | "xz" | "zst") {
                found.push('.');
                found.push_str(e2);
                i = end + 1 + e2_end;
            }
        }
        if !out.contains(&found) {
            out.push(found);
        }
    }
}

/// Where a reST `list-table` directive's header row stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListTable {
    None,
    /// Directive seen, reading its options.
    Options,
    /// `:header-rows:` ≥ 1, first row not yet seen.
    Header,
    /// Inside the first (header) row.
    FirstRow,
    Done,
}

fn build_section(
    doc: &Lines,
    title: String,
    level: u8,
    line: usize,
    start: usize,
    end: usize,
) -> Section {
    let mut s = Section {
        title,
        level,
        line: line_no(line),
        end_line: line_no(end),
        words: 0,
        has_table: false,
        has_tree: false,
        has_code: false,
        has_list: false,
        columns: Vec::new(),
        formats: Vec::new(),
    };
    let mut columns: Vec<String> = Vec::new();
    let mut grid_header: Vec<Vec<String>> = Vec::new();
    let mut in_grid = false;
    let mut simple_border: Option<(usize, Vec<(usize, usize)>)> = None;
    let mut list_table = ListTable::None;
    for i in start..=end {
        let Some(&l) = doc.lines.get(i) else { break };
        let kind = doc.kinds[i];
        // Files named on a command that runs code are its arguments (what a
        // script writes or is handed), not a description of the data.
        if kind != Kind::FrontMatter && !(kind == Kind::Code && super::pipeline::runs_code(l)) {
            collect_formats(l, &mut s.formats);
        }
        if matches!(kind, Kind::Code | Kind::Fence) {
            s.has_code = true;
        }
        if doc.items[i] {
            s.has_list = true;
        }
        if !matches!(kind, Kind::Heading | Kind::Adornment | Kind::FrontMatter) {
            if has_tree_drawing(l) {
                s.has_tree = true;
            } else if !s.has_tree {
                if let Some(tok) = tree_entry(l).filter(|t| t.len() > 1 && t.ends_with('/')) {
                    if path_token(tok) {
                        let next = (i + 1..=end.min(i + 2))
                            .find(|&j| doc.lines.get(j).is_some_and(|x| !x.trim().is_empty()));
                        if let Some(j) = next {
                            let nl = doc.lines[j];
                            if indent_of(nl) > indent_of(l)
                                && tree_entry(nl).is_some_and(|t| {
                                    path_token(t) && (t.ends_with('/') || t.contains('.'))
                                })
                            {
                                s.has_tree = true;
                            }
                        }
                    }
                }
            }
        }
        if kind != Kind::Text {
            continue;
        }
        s.words += count_words(l);
        let t = l.trim();
        // Markdown pipe tables.
        if t.contains('|') && !is_delimiter_row(l) {
            if let Some(&next) = doc.lines.get(i + 1).filter(|_| i < end) {
                if doc.kinds[i + 1] == Kind::Text && is_delimiter_row(next) {
                    s.has_table = true;
                    columns.extend(pipe_cells(l).iter().map(|c| clean_cell(c)));
                }
            }
        }
        // HTML tables.
        if t.contains('<') && t.to_ascii_lowercase().contains("<table") {
            s.has_table = true;
        }
        html_th_cells(l, &mut columns);
        // reST grid tables: header rows end at a `+===+` border.
        if is_grid_border(l) {
            s.has_table = true;
            if t.contains('=') && in_grid {
                if let Some(first) = grid_header.first() {
                    columns.extend(first.iter().cloned());
                }
                in_grid = false;
            } else if !in_grid && !t.contains('=') {
                in_grid = grid_header.is_empty();
            }
        } else if in_grid && t.starts_with('|') {
            let cells: Vec<String> = pipe_cells(t).iter().map(|c| clean_cell(c)).collect();
            match grid_header.first_mut() {
                Some(first) if first.len() == cells.len() => {
                    for (a, b) in first.iter_mut().zip(cells) {
                        if !b.is_empty() {
                            if !a.is_empty() {
                                a.push(' ');
                            }
                            a.push_str(&b);
                        }
                    }
                }
                _ => grid_header.push(cells),
            }
        }
        // reST simple tables: the first row after the first border is the header.
        if let Some(runs) = simple_table_border(l) {
            s.has_table = true;
            if simple_border.is_none() {
                simple_border = Some((i, runs));
            }
        } else if let Some((b, runs)) = &simple_border {
            if i == b + 1 {
                let chars: Vec<char> = l.chars().collect();
                for (k, (from, _)) in runs.iter().enumerate() {
                    let to = runs.get(k + 1).map_or(chars.len(), |r| r.0);
                    let cell: String = chars
                        .get(*from..to.min(chars.len()))
                        .map(|c| c.iter().collect())
                        .unwrap_or_default();
                    columns.push(clean_cell(&cell));
                }
            }
        }
        // reST table directives.
        if let Some(rest) = t.strip_prefix("..") {
            let rest = rest.trim_start();
            if rest.starts_with("list-table::") {
                s.has_table = true;
                list_table = ListTable::Options;
            } else if rest.starts_with("csv-table::") || rest.starts_with("table::") {
                s.has_table = true;
            }
        }
        if let Some(h) = t.strip_prefix(":header:") {
            columns.extend(h.split(',').map(|c| clean_cell(c.trim().trim_matches('"'))));
        }
        if let Some(rows) = t.strip_prefix(":header-rows:") {
            if list_table == ListTable::Options && rows.trim() != "0" {
                list_table = ListTable::Header;
            }
        }
        if let Some(cell) = t.strip_prefix("* -") {
            list_table = match list_table {
                ListTable::Header => {
                    columns.push(clean_cell(cell));
                    ListTable::FirstRow
                }
                ListTable::Options | ListTable::FirstRow => ListTable::Done,
                other => other,
            };
        } else if let Some(cell) = t.strip_prefix("- ") {
            if list_table == ListTable::FirstRow {
                columns.push(clean_cell(cell));
            }
        }
    }
    for c in columns {
        if !c.is_empty() && !s.columns.contains(&c) {
            s.columns.push(c);
        }
    }
    s
}

fn line_no(index: usize) -> u32 {
    u32::try_from(index + 1).unwrap_or(u32::MAX)
}

fn sections(doc: &Lines) -> Vec<Section> {
    let n = doc.lines.len();
    let mut out = Vec::new();
    if n == 0 {
        return out;
    }
    let first_heading = doc.headings.first().map_or(n, |h| h.first);
    if first_heading > doc.body_start {
        let has_text = (doc.body_start..first_heading).any(|i| doc.kinds[i] != Kind::Blank);
        if has_text {
            out.push(build_section(
                doc,
                String::new(),
                0,
                doc.body_start,
                doc.body_start,
                first_heading - 1,
            ));
        }
    }
    for (k, h) in doc.headings.iter().enumerate() {
        let end = doc.headings[k + 1..]
            .iter()
            .find(|o| o.level <= h.level)
            .map_or(n - 1, |o| o.first.saturating_sub(1).max(h.text_line));
        out.push(build_section(
            doc,
            h.title.clone(),
            h.level,
            h.text_line,
            h.first,
            end,
        ));
    }
    out
}

// ---------------------------------------------------------------------------
// Hardware

#[derive(Debug)]
struct Tok<'a> {
    start: usize,
    end: usize,
    text: &'a str,
    lower: std::borrow::Cow<'a, str>,
}

/// Word tokens: runs of ASCII letters, digits and `_`.
fn tokens(l: &str) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    let b = l.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_alphanumeric() || b[i] == b'_' {
            let s = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(Tok {
                start: s,
                end: i,
                text: &l[s..i],
                // Most words in prose are lower case already: no copy for them.
                lower: if b[s..i].iter().any(u8::is_ascii_uppercase) {
                    std::borrow::Cow::Owned(l[s..i].to_ascii_lowercase())
                } else {
                    std::borrow::Cow::Borrowed(&l[s..i])
                },
            });
        } else {
            i += 1;
        }
    }
    out
}

/// Data-centre and workstation accelerators that are unambiguous on their own.
const GPU_MODELS: &[&str] = &[
    "a100", "a800", "h100", "h800", "h200", "b100", "b200", "gh200", "gb200", "v100", "v100s",
    "p100", "p40", "k80", "k40", "k40c", "l40", "l40s", "a10g", "a30", "a40", "a6000", "a5000",
    "a4000", "a4500", "a5500", "a2000", "mi50", "mi60", "mi100", "mi210", "mi250", "mi250x",
    "mi300", "mi300x", "mi300a", "mi325x", "gaudi2", "gaudi3", "titanx", "titanxp", "titanv",
    "titanrtx",
];

/// Short names that are GPU models only with GPU context (`T4 GPU`, `Colab T4`).
const WEAK_GPU_MODELS: &[&str] = &["t4", "l4", "a10", "p4", "m60", "m40"];

/// Words that make a line about GPUs.
const GPU_CONTEXT: &[&str] = &[
    "gpu",
    "gpus",
    "nvidia",
    "tesla",
    "cuda",
    "colab",
    "vram",
    "kaggle",
    "geforce",
    "graphics",
    "accelerator",
    "instance",
    "instances",
];

/// Words that put a memory amount next to a GPU or the machine's RAM.
const MEMORY_CONTEXT: &[&str] = &[
    "gpu", "gpus", "vram", "ram", "memory", "mem", "hbm", "hbm2", "hbm3", "gddr6", "gddr6x",
    "graphics", "card", "cards",
];

fn is_gpu_model(lower: &str) -> bool {
    GPU_MODELS.contains(&lower)
        || lower
            .strip_suffix('s')
            .is_some_and(|b| GPU_MODELS.contains(&b) && !lower.ends_with("ss"))
}

/// A GPU model, or a count joined to one (`8xa100`).
fn names_gpu_model(lower: &str) -> bool {
    is_gpu_model(lower)
        || lower
            .split_once('x')
            .is_some_and(|(n, m)| is_number(n) && is_gpu_model(m))
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())
}

/// Whether a token sits inside a hash or UUID (`3fa1-…-a100-…`).
fn in_hash(l: &str, t: &Tok) -> bool {
    let b = l.as_bytes();
    let mut s = t.start;
    while s > 0 && (b[s - 1].is_ascii_alphanumeric() || b[s - 1] == b'-') {
        s -= 1;
    }
    let mut e = t.end;
    while e < b.len() && (b[e].is_ascii_alphanumeric() || b[e] == b'-') {
        e += 1;
    }
    let run = &l[s..e];
    run.len() >= 16 && run.bytes().all(|c| c.is_ascii_hexdigit() || c == b'-')
}

/// GeForce-style numbers (`3090`, `2080ti`).
fn geforce_number(lower: &str) -> bool {
    let digits: String = lower.chars().take_while(char::is_ascii_digit).collect();
    let suffix = &lower[digits.len()..];
    matches!(suffix, "" | "ti" | "super")
        && digits.len() == 4
        && matches!(&digits[..2], "10" | "16" | "20" | "30" | "40" | "50")
        && matches!(&digits[2..], "50" | "60" | "70" | "80" | "90")
}

/// Whether the text between two tokens is only the given characters.
fn gap_is(l: &str, from: usize, to: usize, allowed: &[char]) -> bool {
    from <= to && l[from..to].chars().all(|c| allowed.contains(&c))
}

/// A version written from token `k` on (`11.8`, `535.104.05`): its end byte
/// and the index of its last token.
fn version_at(l: &str, toks: &[Tok], k: usize) -> Option<(usize, usize, u32)> {
    let first = toks.get(k)?;
    let major_text = first.lower.trim_start_matches('v');
    if !is_number(major_text) {
        return None;
    }
    let major: u32 = major_text.parse().ok()?;
    let mut last = k;
    while let Some(next) = toks.get(last + 1) {
        let cur = &toks[last];
        if next.start == cur.end + 1
            && l.as_bytes().get(cur.end) == Some(&b'.')
            && (is_number(&next.lower) || next.lower == "x")
        {
            last += 1;
        } else {
            break;
        }
    }
    Some((toks[last].end, last, major))
}

/// Hardware named in prose that is not a document of its own (a notebook's
/// Markdown cell), by 1-based line within `text`.
pub fn hardware_in_text(text: &str) -> Vec<HardwareMention> {
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        hardware_on_line(l, u32::try_from(i + 1).unwrap_or(u32::MAX), &mut out);
    }
    out
}

fn hardware_on_line(l: &str, line: u32, out: &mut Vec<HardwareMention>) {
    let toks = tokens(l);
    if toks.is_empty() {
        return;
    }
    let has = |words: &[&str]| toks.iter().any(|t| words.contains(&t.lower.as_ref()));
    let mut found: Vec<HardwareMention> = Vec::new();
    let mut push = |kind: HardwareKind, from: usize, to: usize| {
        let text = l[from..to].to_string();
        let lower = text.to_ascii_lowercase();
        // `NVIDIA V100` then a `v100` in a link on the same line: one mention.
        if !found
            .iter()
            .any(|m| m.kind == kind && m.text.to_ascii_lowercase().contains(&lower))
        {
            found.push(HardwareMention { line, kind, text });
        }
    };
    let mut k = 0;
    while k < toks.len() {
        let t = &toks[k];
        let lw = t.lower.as_ref();
        let next = toks.get(k + 1);
        let prev = k.checked_sub(1).and_then(|p| toks.get(p));
        let spaced = |a: &Tok, b: &Tok| gap_is(l, a.end, b.start, &[' ', '-', '\t']);
        // Tesla/Quadro/Jetson/RTX/GTX/Titan followed by a model.
        match lw {
            "tesla" | "quadro" => {
                // `Tesla V100`, `Quadro P5000`, `Quadro RTX 8000`; not `Tesla 2023`.
                if let Some(n) = next.filter(|n| {
                    spaced(t, n)
                        && (n.lower == "rtx"
                            || (n.lower.starts_with(|c: char| c.is_ascii_alphabetic())
                                && n.lower.chars().any(|c| c.is_ascii_digit())))
                }) {
                    let mut end = n.end;
                    let mut skip = k + 1;
                    if n.lower == "rtx" {
                        if let Some(m) = toks.get(k + 2).filter(|m| spaced(n, m)) {
                            end = m.end;
                            skip = k + 2;
                        }
                    }
                    push(HardwareKind::GpuModel, t.start, end);
                    k = skip + 1;
                    continue;
                }
            }
            "jetson" => {
                if let Some(n) = next.filter(|n| {
                    spaced(t, n)
                        && matches!(
                            n.lower.as_ref(),
                            "nano" | "tx1" | "tx2" | "xavier" | "orin" | "agx"
                        )
                }) {
                    push(HardwareKind::GpuModel, t.start, n.end);
                    k += 2;
                    continue;
                }
            }
            "rtx" | "gtx" => {
                if let Some(n) = next.filter(|n| spaced(t, n)) {
                    if geforce_number(&n.lower) || is_gpu_model(&n.lower) || n.lower == "titan" {
                        let mut end = n.end;
                        let mut skip = k + 1;
                        if let Some(m) = toks
                            .get(k + 2)
                            .filter(|m| spaced(n, m) && matches!(m.lower.as_ref(), "ti" | "super"))
                        {
                            end = m.end;
                            skip = k + 2;
                        }
                        push(HardwareKind::GpuModel, t.start, end);
                        k = skip + 1;
                        continue;
                    }
                }
            }
            "titan" => {
                let suffix = next.filter(|n| {
                    spaced(t, n)
                        && matches!(
                            n.lower.as_ref(),
                            "x" | "xp" | "v" | "rtx" | "z" | "black" | "xm"
                        )
                });
                if let Some(n) = suffix {
                    let from = prev
                        .filter(|p| p.lower == "gtx" && spaced(p, t))
                        .map_or(t.start, |p| p.start);
                    push(HardwareKind::GpuModel, from, n.end);
                    k += 2;
                    continue;
                }
                if has(GPU_CONTEXT) {
                    push(HardwareKind::GpuModel, t.start, t.end);
                }
            }
            _ => {}
        }
        // `8xA100`, `4xV100`: a count joined to the model.
        let multiplied = lw
            .find('x')
            .filter(|&x| x > 0 && is_number(&lw[..x]))
            .map(|x| (x + 1, &lw[x + 1..]))
            .filter(|(_, m)| is_gpu_model(m));
        if let Some((skip, _)) = multiplied {
            push(HardwareKind::GpuModel, t.start + skip, t.end);
        } else if (lw.starts_with("rtx") || lw.starts_with("gtx")) && geforce_number(&lw[3..]) {
            push(HardwareKind::GpuModel, t.start, t.end);
        } else if is_gpu_model(lw) && !in_hash(l, t) {
            let from = prev
                .filter(|p| {
                    matches!(p.lower.as_ref(), "nvidia" | "amd" | "instinct") && spaced(p, t)
                })
                .map_or(t.start, |p| p.start);
            push(HardwareKind::GpuModel, from, t.end);
        } else if WEAK_GPU_MODELS.contains(&lw) && !in_hash(l, t) {
            let after_brand =
                prev.is_some_and(|p| matches!(p.lower.as_ref(), "nvidia" | "tesla" | "geforce"));
            let upper = t.text.bytes().all(|c| !c.is_ascii_lowercase());
            if after_brand || (upper && has(GPU_CONTEXT)) {
                push(HardwareKind::GpuModel, t.start, t.end);
            }
        } else if geforce_number(lw) && has(GPU_CONTEXT) && !in_hash(l, t) {
            push(HardwareKind::GpuModel, t.start, t.end);
        }
        // Memory amounts.
        let memory = memory_at(l, &toks, k);
        if let Some((from, to, unit_tok)) = memory {
            let lo = k.saturating_sub(5);
            let hi = (unit_tok + 5).min(toks.len() - 1);
            let near = toks[lo..=hi]
                .iter()
                .any(|x| MEMORY_CONTEXT.contains(&x.lower.as_ref()) || names_gpu_model(&x.lower));
            if near {
                push(HardwareKind::Memory, from, to);
                k = unit_tok + 1;
                continue;
            }
        }
        // CUDA versions.
        if matches!(lw, "cuda" | "cudatoolkit") {
            let mut j = k + 1;
            let mut cur = k;
            let mut hit = None;
            while j < toks.len() && j <= k + 3 {
                if !gap_is(
                    l,
                    toks[cur].end,
                    toks[j].start,
                    &[' ', '=', '<', '>', '~', ':', '-', '_', '@', '/', '^', '('],
                ) {
                    break;
                }
                if matches!(toks[j].lower.as_ref(), "version" | "toolkit" | "runtime") {
                    cur = j;
                    j += 1;
                    continue;
                }
                if let Some((end, last, major)) = version_at(l, &toks, j) {
                    if (7..=13).contains(&major) {
                        hit = Some((end, last));
                    }
                }
                break;
            }
            if let Some((end, last)) = hit {
                push(HardwareKind::CudaVersion, t.start, end);
                k = last + 1;
                continue;
            }
        }
        if let Some(rest) = lw.strip_prefix("cuda") {
            // cuda12, cuda118, cuda11.8 written as one word
            if is_number(rest) && (2..=3).contains(&rest.len()) {
                let major: u32 = rest[..2].parse().unwrap_or(0);
                if (10..=13).contains(&major) {
                    let mut end = t.end;
                    let mut last = k;
                    while let Some(n) = toks.get(last + 1) {
                        if n.start == toks[last].end + 1
                            && l.as_bytes().get(toks[last].end) == Some(&b'.')
                            && is_number(&n.lower)
                        {
                            end = n.end;
                            last += 1;
                        } else {
                            break;
                        }
                    }
                    push(HardwareKind::CudaVersion, t.start, end);
                    k = last + 1;
                    continue;
                }
            }
        }
        if let Some(rest) = lw.strip_prefix("cu") {
            let ok = is_number(rest)
                && match rest.len() {
                    3 => matches!(&rest[..2], "10" | "11" | "12" | "13"),
                    2 => matches!(&rest[..1], "8" | "9"),
                    _ => false,
                };
            if ok {
                push(HardwareKind::CudaVersion, t.start, t.end);
            }
        }
        // Driver versions.
        if matches!(lw, "driver" | "drivers") {
            let mut j = k + 1;
            let mut cur = k;
            while j < toks.len() && j <= k + 3 {
                if !gap_is(
                    l,
                    toks[cur].end,
                    toks[j].start,
                    &[' ', ':', '=', '>', '<', '-', '~'],
                ) {
                    break;
                }
                if matches!(toks[j].lower.as_ref(), "version" | "nvidia" | "r") {
                    cur = j;
                    j += 1;
                    continue;
                }
                if let Some((end, last, major)) = version_at(l, &toks, j) {
                    if (300..=999).contains(&major) {
                        push(HardwareKind::DriverVersion, t.start, end);
                        k = last;
                    }
                }
                break;
            }
        }
        // TPUs.
        if matches!(
            lw,
            "tpu" | "tpus" | "tpuv2" | "tpuv3" | "tpuv4" | "tpuv5" | "tpuv5e" | "tpuv5p"
        ) {
            let mut end = t.end;
            let mut last = k;
            if let Some(n) = next.filter(|n| {
                spaced(t, n)
                    && n.lower.starts_with('v')
                    && n.lower[1..].starts_with(|c: char| c.is_ascii_digit())
            }) {
                end = n.end;
                last = k + 1;
                if let Some(m) = toks
                    .get(k + 2)
                    .filter(|m| is_number(&m.lower) && gap_is(l, n.end, m.start, &['-']))
                {
                    end = m.end;
                    last = k + 2;
                }
            }
            push(HardwareKind::Tpu, t.start, end);
            k = last + 1;
            continue;
        }
        k += 1;
    }
    // A bare GPU only where nothing more specific is on the line.
    let specific = found.iter().any(|m| {
        matches!(
            m.kind,
            HardwareKind::GpuModel
                | HardwareKind::Memory
                | HardwareKind::CudaVersion
                | HardwareKind::DriverVersion
        )
    });
    if !specific {
        for (k, t) in toks.iter().enumerate() {
            if !matches!(t.lower.as_ref(), "gpu" | "gpus" | "cuda") {
                continue;
            }
            let before = &toks[k.saturating_sub(2)..k];
            let after = &toks[k + 1..(k + 4).min(toks.len())];
            let negated = before
                .iter()
                .any(|b| matches!(b.lower.as_ref(), "no" | "without" | "non"))
                || after.iter().any(|a| a.lower == "not")
                || toks
                    .get(k + 1)
                    .is_some_and(|n| n.lower == "free" && gap_is(l, t.end, n.start, &['-']));
            if negated {
                continue;
            }
            let from = before
                .last()
                .filter(|p| {
                    matches!(
                        p.lower.as_ref(),
                        "a" | "an" | "one" | "single" | "multiple" | "any" | "nvidia" | "modern"
                    ) || is_number(&p.lower)
                })
                .map_or(t.start, |p| p.start);
            let to = after
                .first()
                .filter(|n| {
                    matches!(n.lower.as_ref(), "required" | "needed" | "recommended")
                        && gap_is(l, t.end, n.start, &[' ', ':', '-'])
                })
                .map_or(t.end, |n| n.end);
            found.push(HardwareMention {
                line,
                kind: HardwareKind::GenericGpu,
                text: l[from..to].to_string(),
            });
            break;
        }
    }
    out.extend(found);
}

/// A memory amount at token `k`: (start, end, index of the unit token).
fn memory_at(l: &str, toks: &[Tok], k: usize) -> Option<(usize, usize, usize)> {
    let t = toks.get(k)?;
    const UNITS: &[&str] = &["gb", "gib", "tb", "tib", "g"];
    // `80GB`, `24GiB` as one token.
    let digits = t.lower.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && digits < t.lower.len() {
        let unit = &t.lower[digits..];
        if UNITS.contains(&unit) && unit != "g" && plausible_amount(&t.lower[..digits], unit) {
            return Some((t.start, t.end, k));
        }
        return None;
    }
    if !is_number(&t.lower) {
        return None;
    }
    // Part of a decimal (`1.5 TB`) handled from its first token.
    if t.start > 0 && l.as_bytes().get(t.start - 1) == Some(&b'.') {
        return None;
    }
    let mut last = k;
    if let Some(frac) = toks.get(k + 1) {
        if frac.start == t.end + 1
            && l.as_bytes().get(t.end) == Some(&b'.')
            && is_number(&frac.lower)
        {
            last = k + 1;
        }
    }
    let unit = toks.get(last + 1)?;
    if !gap_is(l, toks[last].end, unit.start, &[' ', '\t', '-'])
        || l[toks[last].end..unit.start].len() > 2
    {
        return None;
    }
    let u = unit.lower.as_ref();
    if !UNITS.contains(&u) || (u == "g" && unit.text != "G") || !plausible_amount(&t.lower, u) {
        return None;
    }
    Some((t.start, unit.end, last + 1))
}

fn plausible_amount(n: &str, unit: &str) -> bool {
    let Ok(v) = n.parse::<u32>() else {
        return false;
    };
    match unit {
        "tb" | "tib" => (1..=64).contains(&v),
        _ => (1..=4096).contains(&v),
    }
}

// ---------------------------------------------------------------------------
// Links and images

fn links_on_line(l: &str, line: u32, links: &mut Vec<(u32, String)>, colab: &mut Vec<u32>) {
    let mut rest = l;
    while let Some(p) = rest.find("http") {
        let cand = &rest[p..];
        let is_url = cand.starts_with("https://") || cand.starts_with("http://");
        if !is_url {
            rest = &rest[p + 4..];
            continue;
        }
        let end = cand
            .find(|c: char| {
                c.is_whitespace()
                    || matches!(
                        c,
                        ')' | ']' | '>' | '<' | '"' | '\'' | '`' | '|' | '{' | '}'
                    )
            })
            .unwrap_or(cand.len());
        let url = cand[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', '*', '_']);
        if url.len() > "https://".len() {
            let is_colab =
                url.contains("colab.research.google.com") || url.contains("colab.google");
            if is_colab && colab.last() != Some(&line) {
                colab.push(line);
            }
            let seen = links
                .iter()
                .rev()
                .take_while(|(ln, _)| *ln == line)
                .any(|(_, u)| u == url);
            if !seen {
                links.push((line, url.to_string()));
            }
        }
        rest = &cand[end..];
    }
}

/// Registry hosts whose paths are images.
const REGISTRIES: &[&str] = &[
    "ghcr.io/",
    "docker.io/",
    "quay.io/",
    "nvcr.io/",
    "gcr.io/",
    "registry.gitlab.com/",
    "public.ecr.aws/",
    "mcr.microsoft.com/",
    "registry.hub.docker.com/",
];

/// Whether a string is a syntactically valid image reference.
fn valid_image(r: &str) -> bool {
    if r.is_empty()
        || r.starts_with(['-', '.', '/', '$', '<', '{'])
        || r.contains("://")
        || r.contains("//")
    {
        return false;
    }
    let (name, tag, digest) = split_image_ref(r);
    let mut parts = name.split('/');
    let Some(first) = parts.next() else {
        return false;
    };
    let host_like = first.contains(['.', ':']) || first == "localhost";
    let comp_ok = |c: &str| {
        !c.is_empty()
            && c.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
            })
            && c.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
    };
    let first_ok = if host_like && name.contains('/') {
        first
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'))
    } else {
        comp_ok(first)
    };
    if !first_ok || !parts.all(comp_ok) {
        return false;
    }
    if !name.bytes().any(|b| b.is_ascii_lowercase()) {
        return false;
    }
    if let Some(t) = &tag {
        if t.len() > 128
            || !t
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
            || t.starts_with(['.', '-'])
        {
            return false;
        }
    }
    if let Some(d) = &digest {
        let Some((alg, hex)) = d.split_once(':') else {
            return false;
        };
        if alg.is_empty() || hex.len() < 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return false;
        }
    }
    true
}

fn strip_token(t: &str) -> &str {
    const EDGE: [char; 11] = ['`', '\'', '"', '(', ')', '[', ']', '<', '>', ',', ';'];
    t.trim_start_matches(EDGE)
        .trim_end_matches(|c: char| EDGE.contains(&c) || c == '.' || c == ':')
}

/// Options of `docker run` that take a value.
const RUN_VALUE_OPTIONS: &[&str] = &[
    "-v",
    "--volume",
    "-p",
    "--publish",
    "-e",
    "--env",
    "--name",
    "-w",
    "--workdir",
    "--gpus",
    "--shm-size",
    "--runtime",
    "--network",
    "--net",
    "--entrypoint",
    "-u",
    "--user",
    "--mount",
    "--env-file",
    "--ipc",
    "--device",
    "--platform",
    "--cpus",
    "-m",
    "--memory",
    "--ulimit",
    "--add-host",
    "-l",
    "--label",
    "-h",
    "--hostname",
    "--cap-add",
    "--cap-drop",
    "--security-opt",
    "--restart",
    "--log-driver",
    "--pid",
    "--tmpfs",
    "--cidfile",
    "--workdir",
    "--group-add",
    "--expose",
    "--pull",
    "--memory-swap",
    "--cpuset-cpus",
];

/// Images named by `docker pull/run` commands in a line of shell words, and
/// names given to local builds (`docker build -t name`).
fn docker_command_images(words: &[&str], out: &mut Vec<String>, built: &mut Vec<String>) {
    let mut k = 0;
    while k < words.len() {
        let w = basename(words[k]);
        if !matches!(w, "docker" | "podman" | "nvidia-docker" | "nerdctl") {
            k += 1;
            continue;
        }
        let mut j = k + 1;
        if matches!(words.get(j).copied(), Some("container" | "image")) {
            j += 1;
        }
        let Some(&sub) = words.get(j) else {
            break;
        };
        j += 1;
        match sub {
            "pull" => {
                while words.get(j).is_some_and(|x| x.starts_with('-')) {
                    j += 1;
                }
                if let Some(img) = words.get(j).map(|x| strip_token(x)) {
                    if valid_image(img) {
                        out.push(img.to_string());
                    }
                }
            }
            "run" | "create" => {
                while let Some(&a) = words.get(j) {
                    if matches!(a, "&&" | "||" | ";" | "|" | "\\") {
                        break;
                    }
                    if a.starts_with('-') {
                        j += if a.contains('=') || !RUN_VALUE_OPTIONS.contains(&a) {
                            1
                        } else {
                            2
                        };
                        continue;
                    }
                    let img = strip_token(a);
                    if valid_image(img) {
                        out.push(img.to_string());
                    }
                    break;
                }
            }
            "build" | "buildx" => {
                while let Some(&a) = words.get(j) {
                    if matches!(a, "&&" | "||" | ";" | "|") {
                        break;
                    }
                    if let Some(v) = a.strip_prefix("--tag=").or_else(|| a.strip_prefix("-t=")) {
                        built.push(strip_token(v).to_string());
                    } else if matches!(a, "-t" | "--tag") {
                        if let Some(v) = words.get(j + 1) {
                            built.push(strip_token(v).to_string());
                        }
                        j += 1;
                    }
                    j += 1;
                }
            }
            _ => {}
        }
        k = j;
    }
}

fn basename(w: &str) -> &str {
    let w = strip_token(w);
    w.rsplit('/').next().unwrap_or(w)
}

/// A bare `owner/name:tag` (or `@sha256:…`) reference in a shell/YAML block.
fn bare_image(token: &str) -> bool {
    if token.contains('=') || !token.contains('/') || token.starts_with(['~', '/', '.', '$']) {
        return false;
    }
    let (name, tag, digest) = split_image_ref(token);
    let last = name.rsplit('/').next().unwrap_or("");
    let code_file = last.rsplit_once('.').is_some_and(|(_, e)| {
        matches!(
            e,
            "py" | "rs"
                | "js"
                | "ts"
                | "go"
                | "c"
                | "cpp"
                | "h"
                | "java"
                | "yaml"
                | "yml"
                | "json"
                | "md"
                | "txt"
                | "sh"
                | "ipynb"
        )
    });
    let tag_ok = tag.as_deref().is_some_and(|t| !is_number(t));
    (tag_ok || digest.is_some()) && !code_file && valid_image(token)
}

fn images_on_line(
    l: &str,
    code: bool,
    shellish: bool,
    out: &mut Vec<String>,
    built: &mut Vec<String>,
) {
    let words: Vec<&str> = l.split_whitespace().collect();
    let mut found = Vec::new();
    if ["docker", "podman", "nerdctl"]
        .iter()
        .any(|c| l.contains(c))
    {
        docker_command_images(&words, &mut found, built);
    }
    for w in &words {
        let w = strip_token(w);
        if let Some(r) = w.split_once("docker://").map(|(_, r)| r) {
            if valid_image(r) {
                found.push(r.to_string());
            }
            continue;
        }
        if w.contains("://") {
            continue;
        }
        if REGISTRIES.iter().any(|h| w.starts_with(h)) && valid_image(w) {
            found.push(w.to_string());
        }
    }
    if code && shellish {
        let t = l.trim_start();
        let lower = t.to_ascii_lowercase();
        if let Some(v) = t
            .strip_prefix("image:")
            .or_else(|| t.strip_prefix("- image:"))
        {
            let v = strip_token(v.trim());
            if valid_image(v) {
                found.push(v.to_string());
            }
        } else if !lower.starts_with("from ") && !lower.starts_with('#') {
            for w in &words {
                let w = strip_token(w);
                if bare_image(w) {
                    found.push(w.to_string());
                }
            }
        }
    }
    for f in found {
        if !out.contains(&f) {
            out.push(f);
        }
    }
}

/// The image a Docker Hub page shows: `https://hub.docker.com/r/<owner>/<name>`.
fn docker_hub_image(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("hub.docker.com/r/")?;
    let mut parts = rest.split(['/', '?', '#']);
    let r = format!("{}/{}", parts.next()?, parts.next()?);
    valid_image(&r).then_some(r)
}

// ---------------------------------------------------------------------------

/// Parses a document.
pub fn parse(path: &str, text: &str) -> Doc {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let all: Vec<&str> = text.lines().collect();
    let rst = path.to_ascii_lowercase().ends_with(".rst");
    let (front, lines) = if rst {
        (None, classify_rst(all))
    } else {
        let (front, body_start) = front_matter(&all);
        (front, classify_markdown(text, all, body_start))
    };
    let mut doc = Doc {
        path: path.to_string(),
        sections: sections(&lines),
        hardware: Vec::new(),
        image_refs: Vec::new(),
        links: Vec::new(),
        colab_links: Vec::new(),
        front_matter: front,
    };
    let n = lines.lines.len();
    let mut built: Vec<String> = Vec::new();
    let mut i = 0;
    while i < n {
        let l = lines.lines[i];
        let line = line_no(i);
        hardware_on_line(l, line, &mut doc.hardware);
        links_on_line(l, line, &mut doc.links, &mut doc.colab_links);
        let kind = lines.kinds[i];
        let code = kind == Kind::Code;
        // Shell commands continued with `\` in code blocks are read whole.
        let mut joined = l.to_string();
        let mut j = i;
        if code {
            while joined.trim_end().ends_with('\\') && lines.kinds.get(j + 1) == Some(&Kind::Code) {
                // In place: rebuilding the text per line would cost its length squared.
                let keep = joined.trim_end().len() - 1;
                joined.truncate(keep);
                joined.push(' ');
                joined.push_str(lines.lines[j + 1]);
                j += 1;
            }
        }
        let mut imgs = Vec::new();
        if kind != Kind::FrontMatter {
            images_on_line(
                &joined,
                code,
                code && lines.shellish[i],
                &mut imgs,
                &mut built,
            );
            imgs.extend(
                doc.links
                    .iter()
                    .rev()
                    .take_while(|(ln, _)| *ln == line)
                    .filter_map(|(_, u)| docker_hub_image(u)),
            );
        }
        let mut seen: Vec<&str> = Vec::new();
        for img in &imgs {
            if !seen.contains(&img.as_str()) {
                seen.push(img);
                doc.image_refs.push((line, img.clone()));
            }
        }
        // Continuation lines were read with their first line; still scan them
        // for hardware and links.
        for k in i + 1..=j {
            let lk = lines.lines[k];
            hardware_on_line(lk, line_no(k), &mut doc.hardware);
            links_on_line(lk, line_no(k), &mut doc.links, &mut doc.colab_links);
        }
        i = j + 1;
    }
    // Images built locally (`docker build -t name .`) are not published.
    if !built.is_empty() {
        let name_of = |r: &str| split_image_ref(r).0;
        doc.image_refs
            .retain(|(_, r)| !built.iter().any(|b| b == r || name_of(b) == name_of(r)));
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles(d: &Doc) -> Vec<(String, u8, u32)> {
        d.sections
            .iter()
            .map(|s| (s.title.clone(), s.level, s.line))
            .collect()
    }

    fn hw(text: &str) -> Vec<(HardwareKind, String)> {
        parse("README.md", text)
            .hardware
            .into_iter()
            .map(|h| (h.kind, h.text))
            .collect()
    }

    use HardwareKind::*;

    #[test]
    fn doc_names() {
        for p in [
            "README",
            "README.md",
            "readme.rst",
            "README.txt",
            "docs/index.md",
            "data/README.md",
            "DATASHEET.txt",
            "data_description.txt",
            "notes.markdown",
            "README_zh.md",
        ] {
            assert!(is_doc(p), "{p}");
        }
        for p in [
            "requirements.txt",
            "notes.txt",
            "train.py",
            "LICENSE",
            "model.pt",
        ] {
            assert!(!is_doc(p), "{p}");
        }
    }

    #[test]
    fn atx_headings_and_fences() {
        let d = parse(
            "README.md",
            "Intro text here.\n\
             \n\
             # Project\n\
             \n\
             ```bash\n\
             # not a heading\n\
             pip install -r requirements.txt\n\
             ```\n\
             ## Data ##\n\
             ~~~~\n\
             ## still code\n\
             ```\n\
             ~~~~\n\
             ### Layout\n\
             ####### seven is not a heading\n\
             #hashtag is not a heading\n\
             ## Usage\n",
        );
        assert_eq!(
            titles(&d),
            vec![
                (String::new(), 0, 1),
                ("Project".into(), 1, 3),
                ("Data".into(), 2, 9),
                ("Layout".into(), 3, 14),
                ("Usage".into(), 2, 17),
            ]
        );
        let s = &d.sections;
        assert_eq!(s[0].end_line, 2);
        assert_eq!(s[0].words, 3);
        // Project runs to the end (no later level-1 heading).
        assert_eq!(s[1].end_line, 17);
        assert!(s[1].has_code);
        // Data includes its subsection Layout, up to Usage.
        assert_eq!(s[2].end_line, 16);
        assert!(s[2].has_code);
        assert_eq!(s[3].end_line, 16);
        assert!(!s[3].has_code);
        assert_eq!(d.sections_about(&["DATA", "layout"]).len(), 2);
        assert!(d.sections_about(&[""]).is_empty());
        let d = parse(
            "README.md",
            "# Information\n# Update\n# File formats\n# Training-datasets\n# Input data\n",
        );
        let about = |w: &[&str]| -> Vec<String> {
            d.sections_about(w)
                .iter()
                .map(|s| s.title.clone())
                .collect()
        };
        assert_eq!(about(&["format"]), vec!["File formats"]);
        assert_eq!(about(&["data"]), vec!["Training-datasets", "Input data"]);
        assert_eq!(about(&["input data"]), vec!["Input data"]);
    }

    #[test]
    fn setext_headings() {
        let d = parse(
            "README.md",
            "Title\n=====\n\nSome text\nmore text\n---\n\nDataset\n-------\n\n- a list\n---\n\n---\nafter a rule\n",
        );
        // A `---` right under a paragraph makes the whole paragraph a
        // heading (CommonMark 4.3), however many lines it has.
        assert_eq!(
            titles(&d),
            vec![
                ("Title".into(), 1, 1),
                ("Some text more text".into(), 2, 4),
                ("Dataset".into(), 2, 8)
            ]
        );
        assert_eq!(d.sections[1].end_line, 7);
        assert_eq!(d.sections[1].words, 0);
        assert!(d.sections[2].has_list);
    }

    #[test]
    fn block_structure_is_commonmark() {
        let d = parse(
            "README.md",
            "# Install\n\
             \n\
             > Windows only:\n\
             > ```bash\n\
             > pip install soundfile\n\
             > ```\n\
             \n\
             <details>\n\
             <summary>\n\
             ### Not a heading in an HTML block\n\
             </summary>\n\
             \n\
             <!-- commented out\n\
             # Old heading\n\
             -->\n\
             \n\
             # Steps\n\
             \n\
             - Train\n\
             \n\
             \x20       make train\n\
             \n\
             <h3 align=\"center\">Data</h3>\n\
             \n\
             Text *here*.\n",
        );
        assert_eq!(
            titles(&d),
            vec![
                ("Install".into(), 1, 1),
                ("Steps".into(), 1, 17),
                ("Data".into(), 3, 23)
            ]
        );
        let s = &d.sections;
        assert!(s[0].has_code && s[1].has_code && s[1].has_list);
        // Words: quoted prose and the lines of HTML blocks count, code and
        // headings do not.
        assert_eq!(s[0].words, 2 + 14);
        assert_eq!(s[1].words, 1 + 2);
        assert_eq!(s[2].words, 2);
        assert!(!s[2].has_code);
    }

    #[test]
    fn html_headings_and_inline_markup() {
        let d = parse(
            "README.md",
            "<h1 align=\"center\">My <b>Model</b></h1>\n\n## `Data` [format](docs/f.md)\n",
        );
        assert_eq!(
            titles(&d),
            vec![("My Model".into(), 1, 1), ("Data format".into(), 2, 3)]
        );
        let d = parse("x.rst", "data\\_utils *module*\n=====================\n");
        assert_eq!(titles(&d), vec![("data_utils module".into(), 1, 1)]);
    }

    #[test]
    fn front_matter_is_parsed_and_skipped() {
        let d = parse(
            "README.md",
            "---\ntitle: Demo\nsdk: gradio\napp_file: app.py\n---\n# Demo\nText\n",
        );
        let fm = d.front_matter.as_ref().expect("front matter");
        assert_eq!(fm["sdk"], "gradio");
        assert_eq!(fm["app_file"], "app.py");
        assert_eq!(titles(&d), vec![("Demo".into(), 1, 6)]);
        let d = parse("README.md", "---\n: [bad\n---\ntext\n");
        assert!(d.front_matter.is_none());
        // No closing line: not front matter; `---` alone is a rule.
        let d = parse("README.md", "---\nabc\n");
        assert!(d.front_matter.is_none());
    }

    #[test]
    fn rst_headings() {
        let d = parse(
            "README.rst",
            "=========\n Project\n=========\n\nIntro.\n\nInstall\n-------\n\n.. code-block:: bash\n\n   pip install x\n   docker pull org/img:1.0\n\nData\n----\n\nSub\n~~~\n\nExample::\n\n    Not a heading\n    -------------\n",
        );
        assert_eq!(
            titles(&d),
            vec![
                ("Project".into(), 1, 2),
                ("Install".into(), 2, 7),
                ("Data".into(), 2, 15),
                ("Sub".into(), 3, 18),
            ]
        );
        assert!(d.sections[1].has_code);
        assert!(d.sections[3].has_code);
        assert_eq!(d.image_refs, vec![(13, "org/img:1.0".into())]);
    }

    #[test]
    fn rst_tables() {
        let d = parse(
            "README.rst",
            "Data\n====\n\n=====  =====  ======\nname   type   notes\n=====  =====  ======\nid     int    key\n=====  =====  ======\n\nGrid\n====\n\n+------+------+\n| file | size |\n+======+======+\n| a    | 1    |\n+------+------+\n\nList\n====\n\n.. list-table::\n   :header-rows: 1\n\n   * - column\n     - dtype\n   * - x\n     - int\n\nCSV\n===\n\n.. csv-table:: t\n   :header: \"field\", \"kind\"\n",
        );
        let cols: Vec<Vec<String>> = d.sections.iter().map(|s| s.columns.clone()).collect();
        assert_eq!(
            cols,
            vec![
                vec!["name".to_string(), "type".into(), "notes".into()],
                vec!["file".into(), "size".into()],
                vec!["column".into(), "dtype".into()],
                vec!["field".into(), "kind".into()],
            ]
        );
        assert!(d.sections.iter().all(|s| s.has_table));
    }

    #[test]
    fn markdown_table_tree_formats() {
        let d = parse(
            "README.md",
            "## Data\n\n\
             | Column | Type | Description |\n\
             |:------|-----:|---|\n\
             | `id` | int | key |\n\n\
             Files are stored as *.parquet and images as .JPG; labels in train.csv.gz.\n\n\
             ```\n\
             data/\n\
             ├── raw/\n\
             └── processed/\n\
             ```\n\
             ## Other\n\
             Version 1.0, e.g. see www.example.com and torch.nn.\n",
        );
        let s = &d.sections[0];
        assert!(s.has_table && s.has_tree && s.has_code && !s.has_list);
        assert_eq!(s.columns, vec!["Column", "Type", "Description"]);
        assert_eq!(s.formats, vec![".parquet", ".jpg", ".csv.gz"]);
        let o = &d.sections[1];
        assert!(!o.has_table && !o.has_tree);
        assert!(o.formats.is_empty(), "{:?}", o.formats);
    }

    #[test]
    fn html_table_columns() {
        let d = parse(
            "README.md",
            "# Data\n<table>\n<tr><th>file</th><th align=\"left\">rows</th></tr>\n</table>\n",
        );
        assert!(d.sections[0].has_table);
        assert_eq!(d.sections[0].columns, vec!["file", "rows"]);
    }

    #[test]
    fn indented_trees() {
        let d = parse(
            "README.md",
            "# Layout\n\n- `data/`\n  - `train.csv`\n\n# Not a tree\n\nsee data/\nand more text\n\n# ASCII\n\n    dataset/\n    |-- images\n    `-- labels\n",
        );
        assert!(d.sections[0].has_tree);
        assert!(d.sections[0].has_list);
        assert!(!d.sections[1].has_tree);
        assert!(d.sections[2].has_tree);
        assert!(d.sections[2].has_code);
    }

    #[test]
    fn box_tables_and_flag_spans_are_not_trees() {
        let d = parse(
            "README.md",
            "# Show\n\n```\n┃ Exp ┃ acc ┃\n│ ├─╨ 9c705fc   │ 03:43 PM │\n└─────┴─────┘\n```\n\n# Flags\n\nLimit them with `--include-params` and\n`--include-metrics` options.\n",
        );
        assert!(!d.sections[0].has_tree);
        assert!(!d.sections[1].has_tree);
    }

    #[test]
    fn gpu_models() {
        assert_eq!(
            hw("Trained on 8x NVIDIA A100 GPUs."),
            vec![(GpuModel, "NVIDIA A100".into())]
        );
        assert_eq!(hw("We used A100s."), vec![(GpuModel, "A100s".into())]);
        assert_eq!(
            hw("a single 8XA100 40GB node"),
            vec![(GpuModel, "A100".into()), (Memory, "40GB".into())]
        );
        assert_eq!(
            hw("[NVIDIA V100 16GB](https://aws.amazon.com/ec2/v100/)"),
            vec![(GpuModel, "NVIDIA V100".into()), (Memory, "16GB".into())]
        );
        assert_eq!(
            hw("Tested on an RTX 3090 Ti and a GTX 1080 and rtx4090."),
            vec![
                (GpuModel, "RTX 3090 Ti".into()),
                (GpuModel, "GTX 1080".into()),
                (GpuModel, "rtx4090".into())
            ]
        );
        assert_eq!(
            hw("Tesla V100 (32GB)"),
            vec![(GpuModel, "Tesla V100".into()), (Memory, "32GB".into())]
        );
        assert_eq!(hw("a free Colab T4 GPU"), vec![(GpuModel, "T4".into())]);
        assert_eq!(
            hw("AMD MI250X and Titan Xp"),
            vec![
                (GpuModel, "AMD MI250X".into()),
                (GpuModel, "Titan Xp".into())
            ]
        );
        assert_eq!(hw("RTX A6000"), vec![(GpuModel, "RTX A6000".into())]);
        assert_eq!(
            hw("Quadro RTX 8000 or Tesla T4"),
            vec![
                (GpuModel, "Quadro RTX 8000".into()),
                (GpuModel, "Tesla T4".into())
            ]
        );
        assert_eq!(hw("A10G on AWS g5"), vec![(GpuModel, "A10G".into())]);
    }

    #[test]
    fn gpu_false_positives() {
        for text in [
            "The T4 template and the L4 level.",
            "commit 3fa100b2 fixed it",
            "id 1b4e28ba-2fa1-11d2-a100-00c04fd430c8",
            "see fig t4 in the GPU appendix",
            "Unlike the Tesla autopilot, we...",
            "Tesla 2023 annual report",
            "Python 3.10 and torch 2.1 and numpy 1.26",
            "model = a100_net()",
            "Step 3090 of training",
            "paper size A4",
            "stats4t4 gpu",
        ] {
            let got: Vec<_> = hw(text)
                .into_iter()
                .filter(|(k, _)| *k != GenericGpu)
                .collect();
            assert!(got.is_empty(), "{text}: {got:?}");
        }
    }

    #[test]
    fn memory_cuda_driver_tpu() {
        assert_eq!(
            hw("A GPU with at least 16 GB of memory"),
            vec![(Memory, "16 GB".into())]
        );
        assert_eq!(hw("24 GiB of VRAM"), vec![(Memory, "24 GiB".into())]);
        assert_eq!(hw("32GB RAM"), vec![(Memory, "32GB".into())]);
        assert_eq!(
            hw("A100 80GB"),
            vec![(GpuModel, "A100".into()), (Memory, "80GB".into())]
        );
        assert_eq!(hw("The dataset is 20 GB."), vec![]);
        assert_eq!(
            hw("Requires CUDA 11.8 and driver 535.104.05"),
            vec![
                (CudaVersion, "CUDA 11.8".into()),
                (DriverVersion, "driver 535.104.05".into())
            ]
        );
        assert_eq!(
            hw("conda install cudatoolkit=11.3"),
            vec![(CudaVersion, "cudatoolkit=11.3".into())]
        );
        assert_eq!(
            hw("pip install torch==2.1.0+cu121"),
            vec![(CudaVersion, "cu121".into())]
        );
        assert_eq!(
            hw("image nvidia/cuda:12.1.0-runtime"),
            vec![(CudaVersion, "cuda:12.1.0".into())]
        );
        assert_eq!(
            hw("built with cuda12.1"),
            vec![(CudaVersion, "cuda12.1".into())]
        );
        assert_eq!(hw("CUDA (11.x)"), vec![(CudaVersion, "CUDA (11.x".into())]);
        assert_eq!(hw("model.cuda(0)"), vec![(GenericGpu, "cuda".into())]);
        assert_eq!(
            hw("CUDA version 10.2"),
            vec![(CudaVersion, "CUDA version 10.2".into())]
        );
        assert_eq!(
            hw("NVIDIA Driver Version: 470.82"),
            vec![(DriverVersion, "Driver Version: 470.82".into())]
        );
        assert_eq!(hw("Trained on a TPU v3-8."), vec![(Tpu, "TPU v3-8".into())]);
        assert_eq!(hw("Cloud TPUs"), vec![(Tpu, "TPUs".into())]);
    }

    #[test]
    fn cuda_and_driver_false_positives() {
        for text in [
            "device = 'cuda:0'",
            "CUDA_VISIBLE_DEVICES=1 python train.py",
            "chromedriver 114",
            "driver 2 of the fleet",
            "use_tpu=False",
            "cu12 is not a version",
        ] {
            let got: Vec<_> = hw(text)
                .into_iter()
                .filter(|(k, _)| *k != GenericGpu)
                .collect();
            assert!(got.is_empty(), "{text}: {got:?}");
        }
    }

    #[test]
    fn generic_gpu() {
        assert_eq!(hw("You need a GPU."), vec![(GenericGpu, "a GPU".into())]);
        assert_eq!(
            hw("GPU required"),
            vec![(GenericGpu, "GPU required".into())]
        );
        assert_eq!(hw("Runs without a GPU."), vec![]);
        assert_eq!(hw("No GPU needed"), vec![]);
        assert_eq!(hw("GPU is not required"), vec![]);
        // Only when nothing more specific is on the line.
        assert_eq!(hw("A single A100 GPU"), vec![(GpuModel, "A100".into())]);
    }

    #[test]
    fn image_refs() {
        let d = parse(
            "README.md",
            "Pull it with `docker pull ghcr.io/org/model:1.2`.\n\
             \n\
             ```bash\n\
             docker run --rm -it --gpus all -v $(pwd)/data:/data \\\n\
             \x20   -p 8888:8888 --shm-size=8g org/train:2024.01 python train.py\n\
             singularity pull docker://pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime\n\
             docker build -t mymodel .\n\
             pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime\n\
             cat src/main.rs:42 user@host:/path git@github.com:org/repo.git\n\
             FROM python:3.11-slim\n\
             ```\n\
             \n\
             ```python\n\
             torch.hub.load('pytorch/vision:v0.10.0', 'resnet18')\n\
             ```\n\
             ```yaml\n\
             services:\n\
             \x20 app:\n\
             \x20   image: python:3.11\n\
             ```\n\
             See https://hub.docker.com/r/someorg/someimage for images.\n",
        );
        assert_eq!(
            d.image_refs,
            vec![
                (1, "ghcr.io/org/model:1.2".into()),
                (4, "org/train:2024.01".into()),
                (6, "pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime".into()),
                (8, "pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime".into()),
                (19, "python:3.11".into()),
                (21, "someorg/someimage".into()),
            ]
        );
    }

    #[test]
    fn locally_built_images_are_not_published() {
        let d = parse(
            "README.md",
            "```\ndocker build --build-arg USER_ID=$UID -t detectron2:v0 .\ndocker run --gpus all -it \\\n  --shm-size=8gb --env=\"DISPLAY\" --name=detectron2 detectron2:v0\ndocker run --rm org/other:1\n```\n<a href=\"https://hub.docker.com/r/ultralytics/yolov5\"><img src=\"x.svg\"></a>\n",
        );
        assert_eq!(
            d.image_refs,
            vec![(5, "org/other:1".into()), (7, "ultralytics/yolov5".into())]
        );
    }

    /// Arbitrary text never panics (multi-byte characters, stray markup).
    #[test]
    fn never_panics() {
        const PIECES: &[&str] = &[
            "#",
            "# ",
            "##",
            "=",
            "===",
            "---",
            "```",
            "~~~",
            "`",
            "|",
            "|---|",
            "\n",
            "\n\n",
            " ",
            "    ",
            "\t",
            "é",
            "├── ",
            "└─",
            "ü",
            "日本",
            "<h2>",
            "</h2>",
            "<th>",
            "<table>",
            "::",
            ".. code-block::",
            "+--+",
            "== ==",
            "A100",
            "8x",
            "cuda",
            "11.",
            "8",
            "GB",
            "driver",
            "tpu",
            "v3-",
            "docker run",
            "docker pull",
            " -v",
            "docker://",
            "ghcr.io/",
            "a/b:",
            "https://",
            "colab.google",
            "[x](",
            ")",
            "*",
            "- ",
            "1. ",
            "\\",
            "$",
            "{{",
            "}}",
            ".csv",
            ".nii.gz",
            "data/",
            "\r\n",
            "RTX",
            "Tesla",
            "titan",
            "\u{feff}",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..3000 {
            let mut text = String::new();
            if state % 7 == 1 {
                text.push_str("---\n");
            }
            for _ in 0..(state % 40) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push_str(PIECES[(state % PIECES.len() as u64) as usize]);
            }
            let md = parse("README.md", &text);
            for s in &md.sections {
                assert!(s.line <= s.end_line, "{text:?}");
            }
            parse("docs/x.rst", &text);
        }
    }

    #[test]
    fn links_and_colab() {
        let d = parse(
            "README.md",
            "[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/o/r/blob/main/demo.ipynb)\n\
             See <https://example.org/paper.pdf>, and (https://x.io/a).\n",
        );
        assert_eq!(d.colab_links, vec![1]);
        assert_eq!(
            d.links,
            vec![
                (
                    1,
                    "https://colab.research.google.com/assets/colab-badge.svg".into()
                ),
                (
                    1,
                    "https://colab.research.google.com/github/o/r/blob/main/demo.ipynb".into()
                ),
                (2, "https://example.org/paper.pdf".into()),
                (2, "https://x.io/a".into()),
            ]
        );
    }

    #[test]
    fn empty_and_headingless() {
        let d = parse("README", "");
        assert!(d.sections.is_empty());
        let d = parse("README.txt", "Just some words\nabout the data.\n");
        assert_eq!(d.sections.len(), 1);
        assert_eq!(d.sections[0].level, 0);
        assert_eq!(d.sections[0].words, 6);
        assert_eq!(d.sections[0].end_line, 2);
    }

    #[test]
    fn lists_and_indented_code() {
        let d = parse(
            "README.md",
            "# A\n\n1. first\n2) second\n\n       nested list continuation\n\n# B\n\ntext\n\n    indented code\n\n* * *\n",
        );
        assert!(d.sections[0].has_list);
        // `2)` starts a list of its own whose text begins in column 3, so
        // seven spaces are an indented code block inside the item.
        assert!(d.sections[0].has_code);
        assert!(d.sections[1].has_code);
        assert!(!d.sections[1].has_list);
        let d = parse(
            "README.md",
            "# A\n\n1. first\n2) second\n\n      continued text\n\n# B\n\n- item\n\n        make train\n",
        );
        assert!(d.sections[0].has_list && !d.sections[0].has_code);
        assert_eq!(d.sections[0].words, 6);
        assert!(d.sections[1].has_list && d.sections[1].has_code);
        assert_eq!(d.sections[1].words, 1);
    }
}
