//! Container definitions: Dockerfiles (and Containerfiles) and
//! Apptainer/Singularity `.def` files, read for the base images a build
//! starts from, the Python version it pins and the package installs it runs.
//!
//! A small hand-written reader rather than a full BuildKit parser: it follows
//! parser directives (`# escape=`), line continuations, comments inside
//! continued instructions, heredocs, `FROM --platform=… image AS name`,
//! global `ARG` defaults substituted into `FROM` (`${BASE}`, `${V:-x}`),
//! multi-stage builds (a `FROM` naming an earlier stage is not a base image)
//! and `scratch`. No I/O: every function takes a path and the file's text.

use std::collections::HashMap;

use serde::Serialize;

/// One base image a build starts from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaseImage {
    /// Image name with any registry and namespace (`pytorch/pytorch`,
    /// `ghcr.io/org/img`); `scratch` for the empty base. When the reference
    /// uses a variable with no value, the unsubstituted text is kept.
    pub image: String,
    /// Tag, when given (`2.1.0-cuda12.1-cudnn8-runtime`).
    pub tag: Option<String>,
    /// Digest, when given (`sha256:…`).
    pub digest: Option<String>,
    /// 1-based line of the `FROM` instruction (or the `From:` header).
    pub line: u32,
    /// Stage name given with `AS` (or an Apptainer `Stage:` header).
    pub stage_alias: Option<String>,
}

impl BaseImage {
    /// Whether the base is pinned: a digest, or a tag other than `latest`.
    /// `scratch` is always pinned; a tag or digest still holding an
    /// unresolved variable is not.
    pub fn pinned(&self) -> bool {
        if self.image.eq_ignore_ascii_case("scratch") {
            return true;
        }
        let concrete = |s: &str| !s.is_empty() && !s.contains(['$', '{']);
        if self.digest.as_deref().is_some_and(concrete) {
            return true;
        }
        self.tag
            .as_deref()
            .is_some_and(|t| concrete(t) && !t.eq_ignore_ascii_case("latest"))
    }
}

/// What a Dockerfile or Apptainer definition says about its environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dockerfile {
    /// Path relative to the project root.
    pub path: String,
    /// Base images, one per `FROM` that does not name an earlier stage, in
    /// file order.
    pub bases: Vec<BaseImage>,
    /// The first Python version pinned, with its line: from a `python:3.10.12-slim`
    /// base tag, `ENV/ARG PYTHON_VERSION=`, `conda install python=3.10`,
    /// `pyenv install 3.10.12`, `apt-get install python3.10`,
    /// `uv python install 3.11`.
    pub python_version: Option<(String, u32)>,
    /// Package installs run during the build (`pip install -r requirements.txt`,
    /// `conda env create -f environment.yml`, `apt-get install -y git`), each
    /// from the installer's name on, whitespace collapsed, with its line.
    pub installs: Vec<(String, u32)>,
    /// What could not be read (unknown instructions, variables with no value,
    /// a missing `FROM`), each naming its line.
    pub problems: Vec<String>,
}

impl Dockerfile {
    fn new(path: &str) -> Self {
        Dockerfile {
            path: path.to_string(),
            bases: Vec::new(),
            python_version: None,
            installs: Vec::new(),
            problems: Vec::new(),
        }
    }

    fn set_python(&mut self, version: String, line: u32) {
        if self.python_version.is_none() {
            self.python_version = Some((version, line));
        }
    }
}

/// Whether a path names a Dockerfile: `Dockerfile`, `Dockerfile.gpu`,
/// `Dockerfile-cuda`, `train.Dockerfile`, `Containerfile` (any case).
pub fn is_dockerfile(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    if name.ends_with(".md") || name.ends_with(".rst") || name.ends_with(".txt") {
        return false;
    }
    ["dockerfile", "containerfile"].iter().any(|base| {
        name == *base
            || name.ends_with(&format!(".{base}"))
            || [".", "-", "_"]
                .iter()
                .any(|sep| name.starts_with(&format!("{base}{sep}")))
    })
}

/// Whether a path names an Apptainer/Singularity definition file: `*.def`,
/// `Singularity`, `Singularity.gpu`, `Apptainer` (any case). A `.def` file
/// may also be a Windows module definition; [`parse_def_file`] reports a
/// problem when it has no `Bootstrap:` header.
pub fn is_def_file(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    if name.ends_with(".md") || name.ends_with(".rst") || name.ends_with(".txt") {
        return false;
    }
    name.ends_with(".def")
        || ["singularity", "apptainer"]
            .iter()
            .any(|base| name == *base || name.starts_with(&format!("{base}.")))
}

/// Splits an image reference into name, tag and digest:
/// `ghcr.io:443/org/img:1.2@sha256:ab` → (`ghcr.io:443/org/img`, `1.2`, `sha256:ab`).
/// A `:` before the last `/` is a registry port, not a tag.
pub fn split_image_ref(reference: &str) -> (String, Option<String>, Option<String>) {
    let (rest, digest) = match reference.split_once('@') {
        Some((r, d)) => (r, Some(d.to_string()).filter(|d| !d.is_empty())),
        None => (reference, None),
    };
    // A `/` inside `${…}` is not a path separator; look for the last one
    // outside braces.
    let mut depth = 0usize;
    let mut last_colon = None;
    for (i, c) in rest.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            '/' if depth == 0 => last_colon = None,
            ':' if depth == 0 => last_colon = Some(i),
            _ => {}
        }
    }
    match last_colon {
        Some(i) => (
            rest[..i].to_string(),
            Some(rest[i + 1..].to_string()).filter(|t| !t.is_empty()),
            digest,
        ),
        None => (rest.to_string(), None, digest),
    }
}

// ---------------------------------------------------------------------------
// Logical lines

/// A logical line: physical lines joined at continuations, with the physical
/// line each byte offset came from.
#[derive(Debug, Default)]
struct Logical {
    text: String,
    /// (offset in `text`, 1-based physical line), ascending.
    starts: Vec<(usize, u32)>,
}

impl Logical {
    fn push(&mut self, content: &str, line: u32) {
        self.starts.push((self.text.len(), line));
        self.text.push_str(content);
    }

    fn first_line(&self) -> u32 {
        self.starts.first().map_or(0, |&(_, l)| l)
    }

    fn line_at(&self, offset: usize) -> u32 {
        let idx = self.starts.partition_point(|&(o, _)| o <= offset);
        self.starts
            .get(idx.saturating_sub(1))
            .map_or(0, |&(_, l)| l)
    }
}

fn line_no(index: usize) -> u32 {
    u32::try_from(index + 1).unwrap_or(u32::MAX)
}

/// One Dockerfile instruction.
#[derive(Debug)]
struct Instruction {
    keyword: String,
    logical: Logical,
    /// Offset in `logical.text` where the arguments start.
    args_at: usize,
    /// Heredoc bodies (BuildKit `RUN <<EOF`), as logical lines.
    heredocs: Vec<Logical>,
}

impl Instruction {
    fn args(&self) -> &str {
        self.logical.text.get(self.args_at..).unwrap_or("")
    }

    fn line(&self) -> u32 {
        self.logical.first_line()
    }
}

/// Strips a trailing escape character (ignoring trailing blanks).
fn strip_continuation(line: &str, escape: char) -> (&str, bool) {
    let t = line.trim_end();
    match t.strip_suffix(escape) {
        Some(c) => (c, true),
        None => (t, false),
    }
}

/// Joins shell lines continued with a backslash (heredoc bodies, `%post`).
fn join_shell_lines<'a>(lines: impl IntoIterator<Item = (u32, &'a str)>) -> Vec<Logical> {
    let mut out = Vec::new();
    let mut cur: Option<Logical> = None;
    for (n, l) in lines {
        let (content, cont) = strip_continuation(l, '\\');
        let logical = cur.get_or_insert_with(Logical::default);
        logical.push(content, n);
        if !cont {
            out.extend(cur.take());
        }
    }
    out.extend(cur);
    out
}

/// Heredoc delimiters opened in an instruction (`<<EOF`, `<<-"EOF"`).
fn heredoc_delimiters(args: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = args.as_bytes();
    let mut i = 0;
    while let Some(p) = args[i..].find("<<") {
        let at = i + p;
        i = at + 2;
        if at > 0 && b[at - 1] == b'<' {
            continue;
        }
        let mut j = at + 2;
        if b.get(j) == Some(&b'<') {
            i = j + 1;
            continue;
        }
        if b.get(j) == Some(&b'-') {
            j += 1;
        }
        let quote = match b.get(j) {
            Some(&q @ (b'"' | b'\'')) => {
                j += 1;
                Some(q)
            }
            _ => None,
        };
        let start = j;
        while b
            .get(j)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        {
            j += 1;
        }
        if j == start {
            continue;
        }
        if quote.is_some() && b.get(j) != quote.as_ref() {
            continue;
        }
        out.push(args[start..j].to_string());
        i = j;
    }
    out
}

const INSTRUCTIONS: &[&str] = &[
    "FROM",
    "RUN",
    "CMD",
    "LABEL",
    "MAINTAINER",
    "EXPOSE",
    "ENV",
    "ADD",
    "COPY",
    "ENTRYPOINT",
    "VOLUME",
    "USER",
    "WORKDIR",
    "ARG",
    "ONBUILD",
    "STOPSIGNAL",
    "HEALTHCHECK",
    "SHELL",
];

/// Splits a Dockerfile into instructions.
fn instructions(text: &str, problems: &mut Vec<String>) -> Vec<Instruction> {
    let lines: Vec<&str> = text.lines().collect();
    let mut escape = '\\';
    let mut i = 0;
    // Parser directives: `# key=value` lines at the very top.
    while let Some(l) = lines.get(i) {
        let Some(body) = l.trim().strip_prefix('#') else {
            break;
        };
        let Some((k, v)) = body.split_once('=') else {
            break;
        };
        let k = k.trim();
        if k.is_empty() || !k.chars().all(|c| c.is_ascii_alphanumeric()) {
            break;
        }
        if k.eq_ignore_ascii_case("escape") {
            match v.trim() {
                "`" => escape = '`',
                "\\" => escape = '\\',
                other => problems.push(format!(
                    "line {}: escape directive `{other}` is not \\ or `",
                    line_no(i)
                )),
            }
        }
        i += 1;
    }
    let skippable = |l: &str| {
        let t = l.trim_start();
        t.is_empty() || t.starts_with('#')
    };
    let mut out = Vec::new();
    while i < lines.len() {
        if skippable(lines[i]) {
            i += 1;
            continue;
        }
        let mut logical = Logical::default();
        let mut first = true;
        loop {
            let raw = if first {
                lines[i].trim_start()
            } else {
                lines[i]
            };
            first = false;
            let (content, cont) = strip_continuation(raw, escape);
            logical.push(content, line_no(i));
            i += 1;
            if !cont {
                break;
            }
            // Comment and blank lines inside a continued instruction are dropped.
            while i < lines.len() && skippable(lines[i]) {
                i += 1;
            }
            if i >= lines.len() {
                break;
            }
        }
        let text = &logical.text;
        let kw_end = text.find(char::is_whitespace).unwrap_or(text.len());
        let keyword = text[..kw_end].to_ascii_uppercase();
        let args_at = text[kw_end..]
            .find(|c: char| !c.is_whitespace())
            .map_or(text.len(), |p| kw_end + p);
        let mut heredocs = Vec::new();
        if matches!(keyword.as_str(), "RUN" | "COPY" | "ADD") {
            for delim in heredoc_delimiters(&text[args_at..]) {
                let opened = logical.first_line();
                let mut body = Vec::new();
                let mut closed = false;
                while i < lines.len() {
                    let l = lines[i];
                    i += 1;
                    if l.trim() == delim {
                        closed = true;
                        break;
                    }
                    body.push((line_no(i - 1), l));
                }
                if !closed {
                    problems.push(format!("line {opened}: heredoc <<{delim} is never closed"));
                }
                heredocs.extend(join_shell_lines(body));
            }
        }
        out.push(Instruction {
            keyword,
            logical,
            args_at,
            heredocs,
        });
    }
    out
}

// ---------------------------------------------------------------------------
// Variables

/// Substitutes `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
/// `${VAR:+alt}` and `${VAR+alt}`; `\$` is a literal dollar. Variables with
/// no value are listed in `unresolved` and, when `keep_unknown`, left as
/// written (else replaced by nothing, as Docker does).
fn substitute(
    s: &str,
    vars: &HashMap<String, String>,
    keep_unknown: bool,
    unresolved: &mut Vec<String>,
) -> String {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while let Some(c) = s[i..].chars().next() {
        if c == '\\' && s[i + 1..].starts_with('$') {
            out.push('$');
            i += 2;
            continue;
        }
        if c != '$' {
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        let rest = &s[i + 1..];
        if let Some(inner_all) = rest.strip_prefix('{') {
            let mut depth = 1usize;
            let mut end = None;
            for (j, ch) in inner_all.char_indices() {
                match ch {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(j);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let Some(end) = end else {
                out.push_str(&s[i..]);
                break;
            };
            let inner = &inner_all[..end];
            let whole = &s[i..i + 2 + end + 1];
            let name_len = inner
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(inner.len());
            let (name, op) = inner.split_at(name_len);
            let val = vars.get(name);
            let set = val.is_some_and(|v| !v.is_empty());
            let resolved = if let Some(d) = op.strip_prefix(":-") {
                match val.filter(|_| set) {
                    Some(v) => Some(v.clone()),
                    None => Some(substitute(d, vars, keep_unknown, unresolved)),
                }
            } else if let Some(d) = op.strip_prefix('-') {
                match val {
                    Some(v) => Some(v.clone()),
                    None => Some(substitute(d, vars, keep_unknown, unresolved)),
                }
            } else if let Some(a) = op.strip_prefix(":+") {
                Some(if set {
                    substitute(a, vars, keep_unknown, unresolved)
                } else {
                    String::new()
                })
            } else if let Some(a) = op.strip_prefix('+') {
                Some(if val.is_some() {
                    substitute(a, vars, keep_unknown, unresolved)
                } else {
                    String::new()
                })
            } else {
                val.cloned()
            };
            match resolved {
                Some(v) => out.push_str(&v),
                None => {
                    unresolved.push(name.to_string());
                    if keep_unknown {
                        out.push_str(whole);
                    }
                }
            }
            i += whole.len();
            continue;
        }
        let name_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if name_len == 0 {
            out.push('$');
            i += 1;
            continue;
        }
        let name = &rest[..name_len];
        match vars.get(name) {
            Some(v) => out.push_str(v),
            None => {
                unresolved.push(name.to_string());
                if keep_unknown {
                    out.push('$');
                    out.push_str(name);
                }
            }
        }
        i += 1 + name_len;
    }
    out
}

/// `KEY=value` pairs of an `ARG` or `ENV` instruction; `ARG KEY` gives
/// `(KEY, None)`; the legacy `ENV KEY value with spaces` form gives one pair.
fn assignments(args: &str, legacy_env: bool) -> Vec<(String, Option<String>)> {
    let words = super::shell::words(args);
    if legacy_env {
        if let Some(first) = words.first() {
            if !first.contains('=') {
                let value = words[1..].join(" ");
                return vec![(first.clone(), Some(value))];
            }
        }
    }
    words
        .into_iter()
        .map(|w| match w.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (w, None),
        })
        .filter(|(k, _)| is_identifier(k))
        .collect()
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Names under which a build sets its Python version.
const PYTHON_VERSION_VARS: &[&str] = &[
    "PYTHON_VERSION",
    "PYTHON_VER",
    "PY_VERSION",
    "PYVER",
    "PYTHON",
    "PYTHONVERSION",
];

/// The leading `X.Y[.Z…]` of a string (at least one dot), with quotes and a
/// trailing `.*` removed.
fn version_prefix(s: &str) -> Option<String> {
    let s = s.trim_matches(['"', '\'']);
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let v = s[..end].trim_end_matches('.');
    if !v.contains('.') || v.split('.').any(str::is_empty) {
        return None;
    }
    Some(v.to_string())
}

/// The Python version a base image's tag names: `python:3.10.12-slim` →
/// `3.10.12`; `…:cuda12.0-py3.10`, `…:python-3.11` → `3.10`, `3.11`.
fn python_from_image(image: &str, tag: Option<&str>) -> Option<String> {
    let tag = tag?;
    let name = image.rsplit('/').next().unwrap_or(image);
    if name.eq_ignore_ascii_case("python") {
        if let Some(v) = version_prefix(tag) {
            return Some(v);
        }
    }
    // `py3.10`, `python3.11`, `python-3.11` at the start of a tag segment.
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(p) = lower[from..].find("py") {
        let at = from + p;
        from = at + 2;
        if at > 0 && !lower[..at].ends_with(['-', '_']) {
            continue;
        }
        let rest = &lower[at + 2..];
        let rest = rest.strip_prefix("thon").unwrap_or(rest);
        let rest = rest.strip_prefix('-').unwrap_or(rest);
        if let Some(v) = version_prefix(rest) {
            return Some(v);
        }
    }
    None
}

// ---------------------------------------------------------------------------
// Shell commands

/// Splits a shell command line at `&&`, `||`, `;`, `|`, `&` and newlines,
/// outside quotes; each piece with its byte offset.
fn command_segments(s: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut quote: Option<char> = None;
    let mut start = 0;
    let mut escaped = false;
    let mut comment = false;
    let mut prev = ' ';
    for (i, c) in s.char_indices() {
        let before = std::mem::replace(&mut prev, c);
        if comment {
            if c == '\n' {
                comment = false;
                start = i + 1;
            }
            continue;
        }
        if escaped {
            escaped = false;
            continue;
        }
        match quote {
            Some(q) if c == q => quote = None,
            Some('"') if c == '\\' => escaped = true,
            Some(_) => {}
            None => match c {
                '\\' => escaped = true,
                '"' | '\'' => quote = Some(c),
                // A shell comment runs to the end of the line.
                '#' if before.is_whitespace() => {
                    out.push((start, &s[start..i]));
                    comment = true;
                }
                ';' | '|' | '&' | '\n' => {
                    out.push((start, &s[start..i]));
                    start = i + 1;
                }
                _ => {}
            },
        }
    }
    if !comment {
        out.push((start, &s[start..]));
    }
    out.into_iter()
        .filter_map(|(o, seg)| {
            let lead = seg.len() - seg.trim_start().len();
            let t = seg.trim();
            (!t.is_empty()).then_some((o + lead, t))
        })
        .collect()
}

/// Words that may come before the real command of a shell segment.
const COMMAND_PREFIXES: &[&str] = &[
    "sudo", "then", "do", "else", "env", "exec", "time", "nohup", "!", "-E", "-H", "command",
];

/// The segment's words from its command on (after `sudo`, `then`,
/// `VAR=value` and the like).
fn command_words(seg: &str) -> Vec<&str> {
    let words: Vec<&str> = seg.split_whitespace().collect();
    let mut k = 0;
    while let Some(w) = words.get(k) {
        let w = w.trim_start_matches(['(', '{']);
        let assignment = w
            .split_once('=')
            .is_some_and(|(name, _)| is_identifier(name));
        if w.is_empty() || COMMAND_PREFIXES.contains(&w) || assignment {
            k += 1;
        } else {
            break;
        }
    }
    let mut rest: Vec<&str> = words[k..].to_vec();
    if let Some(first) = rest.first_mut() {
        *first = first.trim_start_matches(['(', '{']);
    }
    rest
}

fn basename(cmd: &str) -> &str {
    cmd.rsplit('/').next().unwrap_or(cmd)
}

/// Whether `name` is `base` followed only by a version (`pip3`, `python3.10`).
fn is_versioned(name: &str, base: &str) -> bool {
    name.strip_prefix(base)
        .is_some_and(|r| r.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// The first argument that is not an option.
fn subcommand<'a>(args: &[&'a str]) -> Option<&'a str> {
    args.iter().copied().find(|a| !a.starts_with('-'))
}

/// Whether a segment (as command words) installs packages.
fn is_install(words: &[&str]) -> bool {
    let Some((&cmd, args)) = words.split_first() else {
        return false;
    };
    let cmd = basename(cmd);
    let sub = subcommand(args);
    if is_versioned(cmd, "pip") {
        return matches!(sub, Some("install"));
    }
    if is_versioned(cmd, "python") {
        return args
            .windows(3)
            .any(|w| w[0] == "-m" && w[1] == "pip" && w[2] == "install")
            || args
                .windows(4)
                .any(|w| w[0] == "-m" && w[1] == "pip" && w[3] == "install");
    }
    match cmd {
        "uv" => {
            let rest: Vec<&str> = args
                .iter()
                .copied()
                .filter(|a| !a.starts_with('-'))
                .collect();
            matches!(
                rest.as_slice(),
                ["pip", "install" | "sync", ..] | ["sync", ..]
            )
        }
        "conda" | "mamba" | "micromamba" => {
            let rest: Vec<&str> = args
                .iter()
                .copied()
                .filter(|a| !a.starts_with('-'))
                .collect();
            matches!(
                rest.as_slice(),
                ["install" | "create" | "update", ..] | ["env", "create" | "update", ..]
            )
        }
        "apt-get" | "apt" | "apt-fast" | "yum" | "dnf" | "microdnf" => {
            matches!(sub, Some("install"))
        }
        "apk" => matches!(sub, Some("add")),
        "poetry" | "pixi" => matches!(sub, Some("install")),
        "pipenv" | "pdm" => matches!(sub, Some("install" | "sync")),
        "pip-sync" => true,
        _ => false,
    }
}

/// The Python version a command pins, if any.
fn python_from_command(words: &[&str]) -> Option<String> {
    let (&cmd, args) = words.split_first()?;
    let cmd = basename(cmd);
    let clean = |a: &str| a.trim_matches(['"', '\'']).to_string();
    match cmd {
        "conda" | "mamba" | "micromamba" => args.iter().find_map(|a| {
            let a = clean(a);
            let v = a
                .strip_prefix("python==")
                .or_else(|| a.strip_prefix("python="))?;
            version_prefix(v)
        }),
        "pyenv" => {
            let mut it = args.iter().copied().filter(|a| !a.starts_with('-'));
            match it.next() {
                Some("install" | "global" | "local") => it.next().and_then(version_prefix),
                _ => None,
            }
        }
        "apt-get" | "apt" | "apt-fast" | "yum" | "dnf" | "microdnf" | "apk" => {
            args.iter().find_map(|a| {
                let a = clean(a);
                let rest = a.strip_prefix("python")?;
                if rest.starts_with("3.") {
                    version_prefix(rest)
                } else {
                    None
                }
            })
        }
        "uv" | "virtualenv" => {
            let rest: Vec<&str> = args.to_vec();
            if let ["python", "install", v, ..] = rest.as_slice() {
                return version_prefix(v);
            }
            rest.iter().enumerate().find_map(|(k, a)| {
                let value = if let Some(v) = a.strip_prefix("--python=") {
                    v
                } else if matches!(*a, "--python" | "-p") {
                    rest.get(k + 1)?
                } else {
                    return None;
                };
                let v = clean(value);
                version_prefix(v.strip_prefix("python").unwrap_or(&v))
            })
        }
        _ => None,
    }
}

/// Reads one shell segment: assignments update `vars`; installs and Python
/// pins are recorded.
/// `line_at` gives the physical line of a byte offset in `seg`.
fn scan_segment(
    seg: &str,
    line_at: &dyn Fn(usize) -> u32,
    vars: &mut HashMap<String, String>,
    df: &mut Dockerfile,
) {
    // The line of the command word itself (after `then`, `sudo`, …), which
    // may be a continuation line below the segment's start.
    let line = command_words(seg).first().map_or(0, |w| {
        (w.as_ptr() as usize).saturating_sub(seg.as_ptr() as usize)
    });
    let line = line_at(line);
    let mut unresolved = Vec::new();
    let seg = substitute(seg, vars, true, &mut unresolved);
    let mut words: Vec<&str> = seg.split_whitespace().collect();
    if words.first() == Some(&"export") {
        words.remove(0);
    }
    let all_assignments = !words.is_empty()
        && words.iter().all(|w| {
            w.split_once('=')
                .is_some_and(|(name, _)| is_identifier(name))
        });
    if all_assignments {
        for w in &words {
            if let Some((k, v)) = w.split_once('=') {
                let v = v.trim_matches(['"', '\'']).to_string();
                if PYTHON_VERSION_VARS.contains(&k) {
                    if let Some(pv) = version_prefix(&v) {
                        df.set_python(pv, line);
                    }
                }
                vars.insert(k.to_string(), v);
            }
        }
        return;
    }
    let words = command_words(&seg);
    if is_install(&words) {
        df.installs.push((words.join(" "), line));
    }
    if let Some(v) = python_from_command(&words) {
        df.set_python(v, line);
    }
}

/// Reads a shell script given as logical lines.
fn scan_script(script: &[Logical], vars: &mut HashMap<String, String>, df: &mut Dockerfile) {
    for logical in script {
        for (off, seg) in command_segments(&logical.text) {
            scan_segment(seg, &|o| logical.line_at(off + o), vars, df);
        }
    }
}

// ---------------------------------------------------------------------------
// Dockerfile

/// Strips leading `--flag=value` options (`RUN --mount=…`, `FROM --platform=…`).
fn skip_flags(args: &str) -> (usize, &str) {
    let mut rest = args;
    let mut skipped = 0;
    loop {
        let t = rest.trim_start();
        skipped += rest.len() - t.len();
        rest = t;
        if !rest.starts_with("--") {
            return (skipped, rest);
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        skipped += end;
        rest = &rest[end..];
    }
}

/// Parses a Dockerfile.
pub fn parse(path: &str, text: &str) -> Dockerfile {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut df = Dockerfile::new(path);
    let insts = instructions(text, &mut df.problems);
    // ARGs declared before the first FROM (with their defaults): the only
    // variables FROM may use.
    let mut global: HashMap<String, String> = HashMap::new();
    let mut stage_vars: HashMap<String, String> = HashMap::new();
    let mut aliases: Vec<String> = Vec::new();
    let mut seen_from = false;
    for inst in &insts {
        let line = inst.line();
        let args = inst.args();
        match inst.keyword.as_str() {
            "ARG" => {
                for (k, v) in assignments(args, false) {
                    let value = match v {
                        Some(v) => {
                            let scope = if seen_from { &stage_vars } else { &global };
                            Some(substitute(&v, scope, true, &mut Vec::new()))
                        }
                        None => global.get(&k).cloned(),
                    };
                    if let Some(value) = value {
                        if PYTHON_VERSION_VARS.contains(&k.as_str()) {
                            if let Some(pv) = version_prefix(&value) {
                                df.set_python(pv, line);
                            }
                        }
                        if !seen_from {
                            global.insert(k.clone(), value.clone());
                        }
                        stage_vars.insert(k, value);
                    }
                }
            }
            "ENV" if seen_from => {
                for (k, v) in assignments(args, true) {
                    let Some(v) = v else { continue };
                    let v = substitute(&v, &stage_vars, true, &mut Vec::new());
                    if PYTHON_VERSION_VARS.contains(&k.as_str()) {
                        if let Some(pv) = version_prefix(&v) {
                            df.set_python(pv, line);
                        }
                    }
                    stage_vars.insert(k, v);
                }
            }
            "FROM" => {
                seen_from = true;
                stage_vars.clear();
                from_instruction(args, line, &global, &mut aliases, &mut df);
            }
            "RUN" if seen_from => {
                let mut vars = stage_vars.clone();
                let (skipped, body) = skip_flags(args);
                if body.starts_with('[') {
                    if let Ok(argv) = serde_json::from_str::<Vec<String>>(body) {
                        let joined = argv.join(" ");
                        scan_segment(&joined, &|_| line, &mut vars, &mut df);
                        continue;
                    }
                }
                let base = inst.args_at + skipped;
                for (off, seg) in command_segments(body) {
                    let line_at = |o: usize| inst.logical.line_at(base + off + o);
                    scan_segment(seg, &line_at, &mut vars, &mut df);
                }
                scan_script(&inst.heredocs, &mut vars, &mut df);
            }
            kw if !INSTRUCTIONS.contains(&kw) => {
                df.problems.push(format!(
                    "line {line}: unknown instruction `{}`",
                    inst.keyword
                ));
            }
            kw if !seen_from => {
                df.problems
                    .push(format!("line {line}: `{kw}` comes before the first FROM"));
            }
            _ => {}
        }
    }
    if !seen_from {
        df.problems.push("no FROM instruction".to_string());
    }
    df
}

/// Reads one `FROM`.
fn from_instruction(
    args: &str,
    line: u32,
    global: &HashMap<String, String>,
    aliases: &mut Vec<String>,
    df: &mut Dockerfile,
) {
    let (_, rest) = skip_flags(args);
    let words: Vec<&str> = rest.split_whitespace().collect();
    let Some(&raw) = words.first() else {
        df.problems
            .push(format!("line {line}: FROM names no image"));
        return;
    };
    let alias = match words.get(1..3) {
        Some([as_kw, name]) if as_kw.eq_ignore_ascii_case("as") => Some(name.to_string()),
        _ => None,
    };
    let mut unresolved = Vec::new();
    let resolved = substitute(raw, global, false, &mut unresolved);
    let reference = if unresolved.is_empty() {
        resolved
    } else {
        unresolved.sort();
        unresolved.dedup();
        df.problems.push(format!(
            "line {line}: FROM uses {}, which has no default value",
            unresolved
                .iter()
                .map(|v| format!("${v}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        raw.to_string()
    };
    let is_stage = aliases.iter().any(|a| a.eq_ignore_ascii_case(&reference));
    if !is_stage {
        let (image, tag, digest) = split_image_ref(&reference);
        if let Some(v) = python_from_image(&image, tag.as_deref()) {
            df.set_python(v, line);
        }
        df.bases.push(BaseImage {
            image,
            tag,
            digest,
            line,
            stage_alias: alias.clone(),
        });
    }
    if let Some(a) = alias {
        aliases.push(a);
    }
}

// ---------------------------------------------------------------------------
// Apptainer / Singularity

/// Bootstrap agents whose `From:` names a published image.
const IMAGE_AGENTS: &[&str] = &[
    "docker",
    "docker-daemon",
    "docker-archive",
    "oras",
    "library",
    "shub",
];

/// One stage header of a definition file.
#[derive(Default)]
struct DefStage {
    bootstrap: Option<(String, u32)>,
    from: Option<(String, u32)>,
    stage: Option<String>,
}

impl DefStage {
    fn finish(self, df: &mut Dockerfile) {
        let Some((agent, bline)) = self.bootstrap else {
            return;
        };
        let agent = agent.to_ascii_lowercase();
        if !IMAGE_AGENTS.contains(&agent.as_str()) {
            return;
        }
        let Some((from, line)) = self.from else {
            df.problems.push(format!(
                "line {bline}: Bootstrap: {agent} has no From: header"
            ));
            return;
        };
        let reference = from
            .split_once("://")
            .map_or(from.as_str(), |(_, r)| r)
            .to_string();
        let (image, tag, digest) = split_image_ref(&reference);
        if let Some(v) = python_from_image(&image, tag.as_deref()) {
            df.set_python(v, line);
        }
        df.bases.push(BaseImage {
            image,
            tag,
            digest,
            line,
            stage_alias: self.stage,
        });
    }
}

/// Replaces Apptainer `{{ name }}` template variables with `%arguments` defaults.
fn template(s: &str, args: &HashMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open..].find("}}") else {
            break;
        };
        out.push_str(&rest[..open]);
        let name = rest[open + 2..open + close].trim();
        match args.get(name) {
            Some(v) => out.push_str(v),
            None => out.push_str(&rest[open..open + close + 2]),
        }
        rest = &rest[open + close + 2..];
    }
    out.push_str(rest);
    out
}

/// Parses an Apptainer/Singularity definition file into the same facts as a
/// Dockerfile: each `Bootstrap: docker` (or `oras`, `library`, …) stage's
/// `From:` is a base image; `%post` is read for installs and Python pins,
/// `%environment` for `PYTHON_VERSION`. `{{ var }}` templates take their
/// `%arguments` defaults.
pub fn parse_def_file(path: &str, text: &str) -> Dockerfile {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut df = Dockerfile::new(path);
    let lines: Vec<&str> = text.lines().collect();
    let section_of = |l: &str| -> Option<String> {
        let t = l.trim();
        let name = t.strip_prefix('%')?;
        let name = name.split_whitespace().next()?;
        Some(name.to_ascii_lowercase())
    };
    // %arguments defaults first: templates may be used before the section.
    let mut targs = HashMap::new();
    let mut section: Option<String> = None;
    for l in &lines {
        if let Some(s) = section_of(l) {
            section = Some(s);
            continue;
        }
        if section.as_deref() == Some("arguments") {
            if let Some((k, v)) = l.trim().split_once('=') {
                targs.insert(
                    k.trim().to_string(),
                    v.trim().trim_matches(['"', '\'']).to_string(),
                );
            }
        }
    }
    let lines: Vec<String> = lines.iter().map(|l| template(l, &targs)).collect();

    let mut stage: Option<DefStage> = None;
    let mut section: Option<String> = None;
    let mut body: Vec<(u32, &str)> = Vec::new();
    let mut vars: HashMap<String, String> = HashMap::new();
    let mut saw_bootstrap = false;
    let flush = |section: &Option<String>,
                 body: &mut Vec<(u32, &str)>,
                 vars: &mut HashMap<String, String>,
                 df: &mut Dockerfile| {
        if matches!(section.as_deref(), Some("post" | "environment")) {
            let script = join_shell_lines(std::mem::take(body));
            scan_script(&script, vars, df);
        }
        body.clear();
    };
    for (idx, l) in lines.iter().enumerate() {
        let n = line_no(idx);
        let t = l.trim();
        let header = t.split_once(':').and_then(|(k, v)| {
            let k = k.trim();
            (!k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric()))
                .then(|| (k.to_ascii_lowercase(), v.trim().to_string()))
        });
        if let Some((_, v)) = header.as_ref().filter(|(k, _)| k == "bootstrap") {
            flush(&section, &mut body, &mut vars, &mut df);
            section = None;
            if let Some(s) = stage.take() {
                s.finish(&mut df);
            }
            saw_bootstrap = true;
            stage = Some(DefStage {
                bootstrap: Some((v.clone(), n)),
                ..DefStage::default()
            });
            continue;
        }
        if let Some(s) = section_of(l) {
            flush(&section, &mut body, &mut vars, &mut df);
            section = Some(s);
            continue;
        }
        if section.is_none() {
            if t.starts_with('#') {
                continue;
            }
            if let (Some((k, v)), Some(st)) = (header, stage.as_mut()) {
                match k.as_str() {
                    "from" => st.from = Some((v, n)),
                    "stage" => st.stage = Some(v),
                    _ => {}
                }
            }
            continue;
        }
        body.push((n, l.as_str()));
    }
    flush(&section, &mut body, &mut vars, &mut df);
    if let Some(s) = stage.take() {
        s.finish(&mut df);
    }
    if !saw_bootstrap {
        df.problems
            .push("no `Bootstrap:` header; not an Apptainer/Singularity definition".to_string());
    }
    df
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(image: &str, tag: Option<&str>, line: u32) -> BaseImage {
        BaseImage {
            image: image.into(),
            tag: tag.map(Into::into),
            digest: None,
            line,
            stage_alias: None,
        }
    }

    #[test]
    fn names() {
        for p in [
            "Dockerfile",
            "docker/Dockerfile",
            "dockerfile",
            "Dockerfile.gpu",
            "Dockerfile-cuda",
            "train.Dockerfile",
            "Containerfile",
            "env/Containerfile.dev",
        ] {
            assert!(is_dockerfile(p), "{p}");
        }
        for p in [
            ".dockerignore",
            "docker-compose.yml",
            "Dockerfile.md",
            "docs/dockerfile.rst",
            "mydockerfile",
            "build_docker.sh",
        ] {
            assert!(!is_dockerfile(p), "{p}");
        }
        for p in [
            "env.def",
            "containers/gpu.def",
            "Singularity",
            "Singularity.gpu",
            "Apptainer",
        ] {
            assert!(is_def_file(p), "{p}");
        }
        for p in ["definitions.py", "singularity.md", "Dockerfile"] {
            assert!(!is_def_file(p), "{p}");
        }
    }

    #[test]
    fn split_refs() {
        assert_eq!(
            split_image_ref("python:3.10-slim"),
            ("python".into(), Some("3.10-slim".into()), None)
        );
        assert_eq!(
            split_image_ref("localhost:5000/team/img"),
            ("localhost:5000/team/img".into(), None, None)
        );
        assert_eq!(
            split_image_ref("ghcr.io:443/org/img:1.2@sha256:abc"),
            (
                "ghcr.io:443/org/img".into(),
                Some("1.2".into()),
                Some("sha256:abc".into())
            )
        );
        assert_eq!(
            split_image_ref("ubuntu@sha256:0123"),
            ("ubuntu".into(), None, Some("sha256:0123".into()))
        );
    }

    #[test]
    fn simple_pinned_base_and_installs() {
        let df = parse(
            "Dockerfile",
            "FROM python:3.10.12-slim\n\
             WORKDIR /app\n\
             COPY requirements.txt .\n\
             RUN pip install --no-cache-dir -r requirements.txt\n\
             CMD [\"python\", \"train.py\"]\n",
        );
        assert_eq!(df.bases, vec![base("python", Some("3.10.12-slim"), 1)]);
        assert!(df.bases[0].pinned());
        assert_eq!(df.python_version, Some(("3.10.12".into(), 1)));
        assert_eq!(
            df.installs,
            vec![("pip install --no-cache-dir -r requirements.txt".into(), 4)]
        );
        assert!(df.problems.is_empty(), "{:?}", df.problems);
    }

    #[test]
    fn latest_and_untagged_are_not_pinned() {
        let df = parse(
            "Dockerfile",
            "FROM ubuntu:latest\nFROM ubuntu\nFROM Ubuntu:LATEST\n",
        );
        assert_eq!(df.bases.len(), 3);
        assert!(df.bases.iter().all(|b| !b.pinned()));
        assert_eq!(df.python_version, None);
    }

    #[test]
    fn digest_is_pinned() {
        let df = parse(
            "Dockerfile",
            "FROM nvidia/cuda@sha256:4b1c0f3e9d2a\nFROM nvidia/cuda:latest@sha256:4b1c\n",
        );
        assert_eq!(df.bases[0].image, "nvidia/cuda");
        assert_eq!(df.bases[0].tag, None);
        assert_eq!(df.bases[0].digest.as_deref(), Some("sha256:4b1c0f3e9d2a"));
        assert!(df.bases[0].pinned());
        assert!(df.bases[1].pinned());
    }

    #[test]
    fn arg_substituted_from() {
        let df = parse(
            "Dockerfile",
            "# syntax=docker/dockerfile:1\n\
             ARG BASE=pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime\n\
             FROM ${BASE}\n\
             RUN pip install -e .\n",
        );
        assert_eq!(
            df.bases,
            vec![base(
                "pytorch/pytorch",
                Some("2.1.0-cuda12.1-cudnn8-runtime"),
                3
            )]
        );
        assert!(df.bases[0].pinned());
        assert!(df.problems.is_empty(), "{:?}", df.problems);
    }

    #[test]
    fn arg_composition_and_defaults() {
        let df = parse(
            "Dockerfile",
            "ARG CUDA=11.8.0\n\
             ARG UBUNTU=22.04\n\
             ARG IMAGE=nvidia/cuda:${CUDA}-cudnn8-runtime-ubuntu${UBUNTU}\n\
             FROM $IMAGE AS runtime\n\
             FROM ${REGISTRY:-docker.io}/library/python:${PY:-3.11}-slim\n",
        );
        assert_eq!(df.bases[0].image, "nvidia/cuda");
        assert_eq!(
            df.bases[0].tag.as_deref(),
            Some("11.8.0-cudnn8-runtime-ubuntu22.04")
        );
        assert_eq!(df.bases[0].stage_alias.as_deref(), Some("runtime"));
        assert_eq!(df.bases[1].image, "docker.io/library/python");
        assert_eq!(df.bases[1].tag.as_deref(), Some("3.11-slim"));
        assert_eq!(df.python_version, Some(("3.11".into(), 5)));
    }

    #[test]
    fn arg_without_default_is_a_problem_and_unpinned() {
        let df = parse(
            "Dockerfile",
            "ARG CUDA_VERSION\nFROM nvidia/cuda:${CUDA_VERSION}-base\n",
        );
        assert_eq!(df.bases.len(), 1);
        assert_eq!(df.bases[0].tag.as_deref(), Some("${CUDA_VERSION}-base"));
        assert!(!df.bases[0].pinned());
        assert_eq!(df.problems.len(), 1);
        assert!(
            df.problems[0].contains("$CUDA_VERSION"),
            "{:?}",
            df.problems
        );
        assert!(df.problems[0].starts_with("line 2"));
    }

    #[test]
    fn arg_after_from_does_not_feed_later_from() {
        // Only ARGs before the first FROM are in scope for FROM.
        let df = parse(
            "Dockerfile",
            "FROM alpine:3.19\nARG NEXT=python:3.9\nFROM $NEXT\n",
        );
        assert_eq!(df.bases.len(), 2);
        assert_eq!(df.bases[1].image, "$NEXT");
        assert!(!df.bases[1].pinned());
        assert_eq!(df.problems.len(), 1);
    }

    #[test]
    fn multi_stage_build() {
        let df = parse(
            "Dockerfile",
            "FROM --platform=$BUILDPLATFORM golang:1.22 AS builder\n\
             RUN go build -o /out/app .\n\
             \n\
             FROM python:3.11-slim as base\n\
             RUN pip install uv && uv pip install --system -r requirements.txt\n\
             FROM base AS final\n\
             FROM BUILDER\n\
             FROM scratch\n\
             COPY --from=builder /out/app /app\n",
        );
        let names: Vec<(&str, Option<&str>)> = df
            .bases
            .iter()
            .map(|b| (b.image.as_str(), b.stage_alias.as_deref()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("golang", Some("builder")),
                ("python", Some("base")),
                ("scratch", None)
            ]
        );
        assert_eq!(df.bases[0].line, 1);
        assert_eq!(df.bases[1].line, 4);
        assert!(df.bases.iter().all(BaseImage::pinned));
        assert_eq!(df.python_version, Some(("3.11".into(), 4)));
        assert_eq!(
            df.installs,
            vec![
                ("pip install uv".into(), 5),
                ("uv pip install --system -r requirements.txt".into(), 5)
            ]
        );
        assert!(df.problems.is_empty(), "{:?}", df.problems);
    }

    #[test]
    fn continuations_comments_and_lines() {
        let df = parse(
            "Dockerfile",
            "FROM ubuntu:22.04\n\
             # install system packages\n\
             RUN apt-get update && \\\n\
             \x20   DEBIAN_FRONTEND=noninteractive apt-get install -y \\\n\
             # a comment inside the continuation\n\
             \x20       python3.10 python3-pip git \\\n\
             \n\
             \x20   && rm -rf /var/lib/apt/lists/*\n\
             RUN python3 -m pip install torch==2.1.0 \\\n\
             \x20   torchvision==0.16.0\n",
        );
        assert_eq!(df.bases.len(), 1);
        assert_eq!(
            df.installs,
            vec![
                ("apt-get install -y python3.10 python3-pip git".into(), 4),
                (
                    "python3 -m pip install torch==2.1.0 torchvision==0.16.0".into(),
                    9
                ),
            ]
        );
        assert_eq!(df.python_version, Some(("3.10".into(), 4)));
        assert!(df.problems.is_empty(), "{:?}", df.problems);
    }

    #[test]
    fn escape_directive() {
        let df = parse(
            "Dockerfile",
            "# escape=`\n\
             FROM mcr.microsoft.com/windows/servercore:ltsc2022\n\
             RUN pip install `\n\
             \x20   numpy==1.26.4\n",
        );
        assert_eq!(df.bases[0].tag.as_deref(), Some("ltsc2022"));
        assert_eq!(df.installs, vec![("pip install numpy==1.26.4".into(), 3)]);
    }

    #[test]
    fn python_version_from_env_conda_pyenv_uv() {
        let df = parse(
            "Dockerfile",
            "FROM ubuntu:22.04\nENV PYTHON_VERSION=3.9.18\n",
        );
        assert_eq!(df.python_version, Some(("3.9.18".into(), 2)));
        let df = parse("Dockerfile", "FROM ubuntu:22.04\nENV PYTHON_VERSION 3.8\n");
        assert_eq!(df.python_version, Some(("3.8".into(), 2)));
        let df = parse(
            "Dockerfile",
            "FROM continuumio/miniconda3:23.10.0-1\n\
             RUN conda create -n env -y python=3.10 && conda clean -a\n",
        );
        assert_eq!(df.python_version, Some(("3.10".into(), 2)));
        assert_eq!(
            df.installs,
            vec![("conda create -n env -y python=3.10".into(), 2)]
        );
        let df = parse(
            "Dockerfile",
            "FROM ubuntu:22.04\nRUN curl https://pyenv.run | bash && pyenv install 3.10.12 && pyenv global 3.10.12\n",
        );
        assert_eq!(df.python_version, Some(("3.10.12".into(), 2)));
        let df = parse(
            "Dockerfile",
            "FROM ubuntu:22.04\nRUN uv python install 3.12\n",
        );
        assert_eq!(df.python_version, Some(("3.12".into(), 2)));
        let df = parse(
            "Dockerfile",
            "FROM mambaorg/micromamba:1.5\nARG PY=3.11\nRUN micromamba install -y -n base \"python=${PY}\"\n",
        );
        assert_eq!(df.python_version, Some(("3.11".into(), 3)));
        // A bare `python3` package or `python:3` tag pins nothing.
        let df = parse(
            "Dockerfile",
            "FROM python:3\nRUN apt-get install -y python3 python3-dev\n",
        );
        assert_eq!(df.python_version, None);
    }

    #[test]
    fn python_version_from_other_image_tags() {
        let df = parse("Dockerfile", "FROM rapidsai/base:24.04-cuda12.0-py3.10\n");
        assert_eq!(df.python_version, Some(("3.10".into(), 1)));
        let df = parse(
            "Dockerfile",
            "FROM quay.io/jupyter/scipy-notebook:python-3.11\n",
        );
        assert_eq!(df.python_version, Some(("3.11".into(), 1)));
        let df = parse(
            "Dockerfile",
            "FROM pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime\n",
        );
        assert_eq!(df.python_version, None);
    }

    #[test]
    fn heredoc_and_exec_form_and_mount_flags() {
        let df = parse(
            "Dockerfile",
            "FROM python:3.12-slim\n\
             RUN <<EOF\n\
             set -e\n\
             pip install \\\n\
             \x20 numpy pandas\n\
             EOF\n\
             RUN [\"pip\", \"install\", \"scikit-learn==1.4.0\"]\n\
             RUN --mount=type=cache,target=/root/.cache/pip pip install -r req.txt\n\
             ONBUILD RUN pip install something\n",
        );
        assert_eq!(
            df.installs,
            vec![
                ("pip install numpy pandas".into(), 4),
                ("pip install scikit-learn==1.4.0".into(), 7),
                ("pip install -r req.txt".into(), 8),
            ]
        );
        assert!(df.problems.is_empty(), "{:?}", df.problems);
    }

    #[test]
    fn install_line_is_the_command_line() {
        let df = parse(
            "Dockerfile",
            "FROM alpine:3.19\nRUN if [ -n \"$GNU\" ]; then \\\n    apk add sed coreutils \\\n  ;fi\n",
        );
        assert_eq!(df.installs, vec![("apk add sed coreutils".into(), 3)]);
    }

    #[test]
    fn quoted_separators_do_not_split() {
        let df = parse(
            "Dockerfile",
            "FROM python:3.11\nRUN python -c \"import a; import b\" && pip install x\n",
        );
        assert_eq!(df.installs, vec![("pip install x".into(), 2)]);
    }

    #[test]
    fn shell_comments_are_dropped() {
        let df = parse(
            "Dockerfile",
            "FROM python:3.11\nRUN pip install onnx   # pip install from apt is too old\nRUN echo '#x' && pip install y#z\n",
        );
        assert_eq!(
            df.installs,
            vec![
                ("pip install onnx".into(), 2),
                ("pip install y#z".into(), 3)
            ]
        );
    }

    #[test]
    fn not_installs() {
        let df = parse(
            "Dockerfile",
            "FROM python:3.11\nRUN pip freeze > r.txt && pip --version && apt-get update && conda info\n",
        );
        assert!(df.installs.is_empty(), "{:?}", df.installs);
    }

    #[test]
    fn sudo_and_env_prefixes() {
        let df = parse(
            "Dockerfile",
            "FROM ubuntu:22.04\nRUN if [ -f r.txt ]; then sudo -H pip3 install -r r.txt; fi\n",
        );
        assert_eq!(df.installs, vec![("pip3 install -r r.txt".into(), 2)]);
    }

    #[test]
    fn problems() {
        let df = parse("Dockerfile", "");
        assert_eq!(df.problems, vec!["no FROM instruction".to_string()]);
        let df = parse(
            "Dockerfile",
            "RUN echo hi\nFROM alpine:3\nFROBNICATE x\nFROM\n",
        );
        assert_eq!(df.problems.len(), 3, "{:?}", df.problems);
        assert!(df.problems[0].contains("before the first FROM"));
        assert!(df.problems[1].contains("FROBNICATE"));
        assert!(df.problems[2].contains("no image"));
        let df = parse("Dockerfile", "FROM alpine:3\nRUN <<EOF\necho\n");
        assert_eq!(df.problems.len(), 1);
        assert!(df.problems[0].contains("never closed"));
    }

    #[test]
    fn lowercase_instructions_and_crlf() {
        let df = parse(
            "Dockerfile",
            "from python:3.9-bullseye as build\r\nrun pip install -r requirements.txt\r\n",
        );
        assert_eq!(df.bases.len(), 1);
        assert_eq!(df.bases[0].stage_alias.as_deref(), Some("build"));
        assert_eq!(df.installs.len(), 1);
    }

    #[test]
    fn substitution_rules() {
        let mut vars = HashMap::new();
        vars.insert("A".to_string(), "1".to_string());
        vars.insert("E".to_string(), String::new());
        let mut un = Vec::new();
        assert_eq!(substitute("x${A}y$A", &vars, false, &mut un), "x1y1");
        assert_eq!(
            substitute("${B:-d}${E:-e}${E-f}", &vars, false, &mut un),
            "de"
        );
        assert_eq!(
            substitute("${A:+set}${B:+no}", &vars, false, &mut un),
            "set"
        );
        assert_eq!(substitute("\\$A", &vars, false, &mut un), "$A");
        assert!(un.is_empty());
        assert_eq!(substitute("a$B", &vars, false, &mut un), "a");
        assert_eq!(substitute("a${B}c", &vars, true, &mut un), "a${B}c");
        assert_eq!(un, vec!["B".to_string(), "B".to_string()]);
        assert_eq!(substitute("5$ é", &vars, false, &mut un), "5$ é");
    }

    /// Arbitrary text never panics (multi-byte characters, stray syntax).
    #[test]
    fn never_panics() {
        const PIECES: &[&str] = &[
            "FROM ",
            "from ",
            "ARG ",
            "ENV ",
            "RUN ",
            "AS ",
            " ",
            "\n",
            "\\\n",
            "`\n",
            "# escape=`\n",
            "#",
            "$",
            "${",
            "}",
            ":-",
            ":+",
            "-",
            "=",
            "python:3.",
            "10",
            "@sha256:",
            "<<EOF",
            "<<-",
            "EOF\n",
            "\"",
            "'",
            ";",
            "&&",
            "|",
            "é",
            "日本",
            "pip install ",
            "conda ",
            "python=",
            "pyenv install ",
            "apt-get install python3.",
            "--platform=x ",
            "[\"pip\"]",
            "scratch",
            "Bootstrap: docker\n",
            "From: ",
            "%post\n",
            "%arguments\n",
            "{{",
            "}}",
            "\r\n",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..(state % 40) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push_str(PIECES[(state % PIECES.len() as u64) as usize]);
            }
            parse("Dockerfile", &text);
            parse_def_file("x.def", &text);
        }
    }

    #[test]
    fn def_file() {
        let df = parse_def_file(
            "env.def",
            "Bootstrap: docker\n\
             From: nvcr.io/nvidia/pytorch:23.10-py3\n\
             \n\
             %environment\n\
             \x20   export PYTHON_VERSION=3.10\n\
             %post\n\
             \x20   apt-get update && apt-get install -y git\n\
             \x20   pip install --no-cache-dir \\\n\
             \x20       -r /opt/requirements.txt\n\
             %runscript\n\
             \x20   exec python \"$@\"\n",
        );
        assert_eq!(df.bases.len(), 1);
        assert_eq!(df.bases[0].image, "nvcr.io/nvidia/pytorch");
        assert_eq!(df.bases[0].tag.as_deref(), Some("23.10-py3"));
        assert_eq!(df.bases[0].line, 2);
        assert!(df.bases[0].pinned());
        assert_eq!(df.python_version, Some(("3.10".into(), 5)));
        assert_eq!(
            df.installs,
            vec![
                ("apt-get install -y git".into(), 7),
                (
                    "pip install --no-cache-dir -r /opt/requirements.txt".into(),
                    8
                ),
            ]
        );
        assert!(df.problems.is_empty(), "{:?}", df.problems);
    }

    #[test]
    fn def_file_multi_stage_templates_and_problems() {
        let df = parse_def_file(
            "Singularity",
            "%arguments\n\
             \x20 BASE=ubuntu:22.04\n\
             Bootstrap: docker\n\
             From: {{ BASE }}\n\
             Stage: build\n\
             %post\n\
             \x20 conda install -y python=3.9\n\
             \n\
             Bootstrap: docker\n\
             From: alpine\n\
             %files from build\n\
             \x20 /opt /opt\n\
             Bootstrap: localimage\n\
             From: ./base.sif\n\
             Bootstrap: docker\n",
        );
        assert_eq!(df.bases.len(), 2);
        assert_eq!(df.bases[0].image, "ubuntu");
        assert_eq!(df.bases[0].tag.as_deref(), Some("22.04"));
        assert_eq!(df.bases[0].stage_alias.as_deref(), Some("build"));
        assert!(!df.bases[1].pinned());
        assert_eq!(df.python_version, Some(("3.9".into(), 7)));
        assert_eq!(df.problems.len(), 1, "{:?}", df.problems);
        assert!(df.problems[0].starts_with("line 15"));
        let df = parse_def_file("x.def", "EXPORTS\n  DllMain\n");
        assert!(df.bases.is_empty());
        assert_eq!(df.problems.len(), 1);
        // An undefined template stays and is not pinned.
        let df = parse_def_file("x.def", "Bootstrap: docker\nFrom: python:{{ PY }}\n");
        assert_eq!(df.bases[0].tag.as_deref(), Some("{{ PY }}"));
        assert!(!df.bases[0].pinned());
    }
}
