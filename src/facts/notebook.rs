//! Jupyter notebooks: code cells with IPython syntax blanked, then parsed as
//! Python with every location mapped back to (cell, line).
//!
//! Real notebooks are messy (sources as a string or a list, missing fields,
//! nbformat 3 worksheets), so the structs here accept anything reasonable.

use serde::Deserialize;

use super::python::{parse_cells, PyFile};

#[derive(Deserialize, Default)]
struct Notebook {
    #[serde(default)]
    cells: Vec<Cell>,
    #[serde(default)]
    worksheets: Vec<Worksheet>,
    #[serde(default)]
    metadata: serde_json::Value,
}

#[derive(Deserialize, Default)]
struct Worksheet {
    #[serde(default)]
    cells: Vec<Cell>,
}

#[derive(Deserialize, Default)]
struct Cell {
    #[serde(default)]
    cell_type: String,
    #[serde(default)]
    source: Source,
    /// nbformat 3 kept code in `input`.
    #[serde(default)]
    input: Source,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Source {
    Lines(Vec<String>),
    Text(String),
}

impl Default for Source {
    fn default() -> Self {
        Source::Text(String::new())
    }
}

impl Source {
    fn joined(&self) -> String {
        match self {
            Source::Lines(l) => l.concat(),
            Source::Text(t) => t.clone(),
        }
    }
}

/// Why a notebook could not be parsed as Python.
#[derive(Debug)]
pub enum NotebookError {
    /// Not JSON, or not a notebook.
    Malformed(String),
    /// A kernel of another language.
    NotPython(String),
}

/// Parses a notebook's code cells. Cell numbers are 1-based over all cells.
pub fn parse(path: &str, text: &str) -> Result<PyFile, NotebookError> {
    let nb: Notebook =
        serde_json::from_str(text).map_err(|e| NotebookError::Malformed(e.to_string()))?;
    let lang = nb
        .metadata
        .pointer("/kernelspec/language")
        .or_else(|| nb.metadata.pointer("/language_info/name"))
        .and_then(|v| v.as_str())
        .unwrap_or("python")
        .to_ascii_lowercase();
    if !lang.is_empty() && lang != "python" && !lang.starts_with("python") {
        return Err(NotebookError::NotPython(lang));
    }
    let cells: Vec<&Cell> = nb
        .cells
        .iter()
        .chain(nb.worksheets.iter().flat_map(|w| w.cells.iter()))
        .collect();
    let mut code = Vec::new();
    let mut shell_outputs = Vec::new();
    let mut hardware = Vec::new();
    for (i, cell) in cells.iter().enumerate() {
        if cell.cell_type == "markdown" {
            let cell_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
            for h in super::docs::hardware_in_text(&cell.source.joined()) {
                let loc = super::values::Loc {
                    line: h.line,
                    cell: Some(cell_no),
                };
                hardware.push((loc, h));
            }
        }
        if cell.cell_type != "code" {
            continue;
        }
        let mut src = cell.source.joined();
        if src.is_empty() {
            src = cell.input.joined();
        }
        let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
        shell_outputs.extend(shell_output_files(&src));
        code.push((number, blank_magics(&src)));
    }
    let mut file = parse_cells(path, &code);
    file.shell_outputs = shell_outputs;
    file.markdown_hardware = hardware;
    Ok(file)
}

/// Marks a notebook whose shell lines create files that cannot be named statically.
pub const UNKNOWN_OUTPUTS: &str = "*";

/// Files written by `!wget … -O f`, `!curl … -o f` and `!unzip`-free downloads in a cell.
fn shell_output_files(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in src.lines() {
        let Some(cmd) = line.trim_start().strip_prefix('!') else {
            continue;
        };
        let words = crate::facts::shell::words(cmd);
        // An archive unpacked in the notebook makes files whose names only it knows.
        if words
            .first()
            .is_some_and(|w| matches!(w.as_str(), "unzip" | "tar" | "gunzip" | "7z" | "kaggle"))
        {
            out.push(UNKNOWN_OUTPUTS.to_string());
            continue;
        }
        if !words
            .first()
            .is_some_and(|w| matches!(w.as_str(), "wget" | "curl" | "gdown" | "cp" | "mv"))
        {
            continue;
        }
        let mut iter = words.iter().skip(1).peekable();
        while let Some(w) = iter.next() {
            if matches!(w.as_str(), "-O" | "-o" | "--output" | "--output-document") {
                if let Some(f) = iter.next() {
                    out.push(f.clone());
                }
            }
        }
        if words[0] == "wget" && !words.iter().any(|w| w == "-O") {
            if let Some(url) = words.iter().find(|w| w.contains("://")) {
                if let Some(name) = url.rsplit('/').next().filter(|n| !n.is_empty()) {
                    out.push(name.to_string());
                }
            }
        }
        if matches!(words[0].as_str(), "cp" | "mv") {
            if let Some(last) = words.last() {
                out.push(last.clone());
            }
        }
    }
    out
}

/// Replaces IPython-only lines with `pass` at the same indent, so that line
/// numbers are kept and blocks around them still parse. A `%%` cell magic
/// turns the whole cell into non-Python (`%%bash`, `%%writefile`).
pub fn blank_magics(src: &str) -> String {
    let first = src.trim_start();
    if first.starts_with("%%") {
        return src.lines().map(|_| "").collect::<Vec<_>>().join("\n");
    }
    let mut out = String::with_capacity(src.len());
    let mut continued = false;
    let mut magic_continued = false;
    for (i, line) in src.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let magic = magic_continued
            || !continued
                && (trimmed.starts_with('%')
                    || trimmed.starts_with('!')
                    || trimmed.ends_with('?') && !trimmed.starts_with('#')
                    || is_shell_assign(trimmed));
        if magic {
            // A continuation line of a magic (`!pip install x \`) keeps the magic's
            // indent as `pass` would be an unexpected indent.
            if !magic_continued {
                out.push_str(indent);
                out.push_str("pass");
            }
            magic_continued = trimmed.ends_with('\\');
            continued = false;
        } else {
            out.push_str(line);
            continued = trimmed.ends_with('\\');
        }
    }
    out
}

/// `files = !ls` assigns shell output.
fn is_shell_assign(line: &str) -> bool {
    match line.split_once('=') {
        Some((lhs, rhs)) => {
            let lhs = lhs.trim();
            !lhs.is_empty()
                && lhs
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == ',' || c == ' ')
                && (rhs.trim_start().starts_with('!') || rhs.trim_start().starts_with('%'))
                && !rhs.starts_with('=')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_continuation_lines_are_blank() {
        let out = blank_magics("!pip install x \\\n    --upgrade\nimport os");
        assert_eq!(out, "pass\n\nimport os");
    }

    #[test]
    fn magics_become_pass_and_keep_lines() {
        let src = "%matplotlib inline\nimport os\n!pip install x\nfor i in range(2):\n    !echo hi\nx = !ls\ndf?";
        let out = blank_magics(src);
        assert_eq!(out.lines().count(), 7);
        assert_eq!(out.lines().nth(4), Some("    pass"));
        assert!(!out.contains('!'));
    }

    #[test]
    fn list_and_string_sources_and_cell_numbers() {
        let nb = r##"{"cells":[{"cell_type":"markdown","source":"# t"},
            {"cell_type":"code","source":["import numpy as np\n","np.random.rand(2)"]},
            {"cell_type":"code","source":"%%bash\nls"}],"metadata":{}}"##;
        let f = parse("nb.ipynb", nb).expect("parses");
        let call = f
            .calls
            .iter()
            .find(|c| c.callee == "numpy.random.rand")
            .expect("call");
        assert_eq!((call.loc.cell, call.loc.line), (Some(2), 2));
        assert!(f.syntax_errors.is_empty());
    }

    #[test]
    fn other_kernels_and_garbage_are_errors() {
        assert!(matches!(
            parse("a.ipynb", "{not json"),
            Err(NotebookError::Malformed(_))
        ));
        let r = r#"{"cells":[],"metadata":{"kernelspec":{"language":"R"}}}"#;
        assert!(matches!(
            parse("a.ipynb", r),
            Err(NotebookError::NotPython(_))
        ));
    }
}
