//! Package lists (criterion 4.1): requirements files, conda environments,
//! `pyproject.toml`, Pipfile, `setup.py`/`setup.cfg` and lock files, read to
//! the packages they name and how tightly each one is pinned.
//!
//! Functions here take a path and its text and do no I/O. A malformed file
//! still gives a [`PackageFile`], with what could be read and its
//! `problems`; nothing here panics on input.
//!
//! Requirement strings (PEP 508) are read by a small hand parser — name,
//! extras, version specifiers or `@ URL`, marker — rather than `pep508_rs`:
//! only the name and whether the version is exact are needed, and the hand
//! parser is lenient where pip is (parenthesised specifiers, spaces).
//!
//! Pinning rules:
//! - `==X` (without a `*` wildcard) and `===X` are pinned; ranges, `~=`,
//!   `!=` and bare names are not.
//! - A URL requirement is pinned when it points at a file (`.whl`, `.tar.gz`,
//!   `.zip`, …, but not a branch archive such as `archive/main.zip`) or at a
//!   commit hash (`git+https://…@<7–40 hex digits>`).
//! - Conda specs: `name=1.26.4`, `name==1.26.4`, `name 1.26.4` and also
//!   `name=1.26` are pinned. The last is a prefix match in conda (any 1.26.x),
//!   but it names one release line, which is how conda users pin; an explicit
//!   wildcard (`=1.26.*`) or an operator (`>=1.26`) is a range.
//! - Poetry and Pipfile constraints are pinned when they name one version
//!   (`"1.2.3"`, `"==1.2.3"`); `^1.2`, `~1.2`, `*` and ranges are not.
//! - Every entry of a lock file is pinned.
//!
//! Local paths (`-e .`, `./pkg`, `{path = "…"}`) are the project itself or
//! a sibling folder, not packages to install, and are skipped. In conda
//! environments `python` goes to [`PackageFile::python`], and a bare `pip`
//! (the installer) is skipped.

use std::collections::{HashMap, HashSet};

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Operator, Stmt};
use ruff_python_parser::parse_unchecked_source;
use ruff_text_size::Ranged;
use serde::Serialize;
use serde_json::Value as Json;

use super::import_map::normalize;
use super::pipeline::join;

/// How tightly a project's packages are pinned (criterion 4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PinLevel {
    /// No package is listed.
    L0,
    /// Packages are listed, not all of them with an exact version.
    L1,
    /// Every listed package has an exact version.
    L2,
    /// A lock file, or every requirement has a hash.
    L3,
}

impl PinLevel {
    /// Short name: `L0` … `L3`.
    pub fn as_str(self) -> &'static str {
        match self {
            PinLevel::L0 => "L0",
            PinLevel::L1 => "L1",
            PinLevel::L2 => "L2",
            PinLevel::L3 => "L3",
        }
    }

    /// What the level means, for reports.
    pub fn describe(self) -> &'static str {
        match self {
            PinLevel::L0 => "no packages listed",
            PinLevel::L1 => "packages listed, not all pinned to one version",
            PinLevel::L2 => "every package pinned to one version",
            PinLevel::L3 => "a lock file, or every requirement hashed",
        }
    }
}

/// Which kind of package list a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PackageFileKind {
    /// `requirements*.txt`, `requirements/*.txt`.
    Requirements,
    /// Conda `environment*.yml` / `conda.yaml`.
    CondaEnvironment,
    /// `pyproject.toml` (PEP 621, Poetry, PDM, uv, PEP 735 groups).
    Pyproject,
    /// Pipenv's `Pipfile`.
    Pipfile,
    /// Pipenv's `Pipfile.lock`.
    PipfileLock,
    /// setuptools' `setup.py`.
    SetupPy,
    /// setuptools' `setup.cfg`.
    SetupCfg,
    /// uv's `uv.lock`.
    UvLock,
    /// Poetry's `poetry.lock`.
    PoetryLock,
    /// conda-lock's `conda-lock.yml`.
    CondaLock,
    /// PDM's `pdm.lock`.
    PdmLock,
}

impl PackageFileKind {
    /// Whether files of this kind are lock files.
    pub fn is_lock(self) -> bool {
        matches!(
            self,
            PackageFileKind::PipfileLock
                | PackageFileKind::UvLock
                | PackageFileKind::PoetryLock
                | PackageFileKind::CondaLock
                | PackageFileKind::PdmLock
        )
    }
}

/// One listed package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Requirement {
    /// PEP 503-normalised name (`scikit-learn`).
    pub name: String,
    /// The requirement as written (`torch>=2.0`, `numpy=1.26.4`,
    /// `torch = "^2.0"`), without per-line options such as `--hash`.
    pub spec: String,
    /// Exact version (`==`, `===`, conda `=`), a URL to a file or commit, or
    /// a lock entry.
    pub pinned: bool,
    /// Has a hash (`--hash=` in requirements, hashes in a lock file).
    pub hashed: bool,
    /// 1-based line, where found.
    pub line: Option<u32>,
}

/// A parsed package list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageFile {
    /// Path relative to the project root.
    pub path: String,
    /// Kind of file.
    pub kind: PackageFileKind,
    /// Listed packages, in file order.
    pub requirements: Vec<Requirement>,
    /// Other package lists this one pulls in (`-r`, `-c`, `file:`,
    /// `open("requirements.txt")` in `setup.py`), as project-relative paths.
    pub includes: Vec<String>,
    /// Whether this is a lock file.
    pub is_lock: bool,
    /// The Python version asked for (`3.10.12`, `>=3.9`) and its line.
    pub python: Option<(String, Option<u32>)>,
    /// What could not be read (malformed lines, parse errors).
    pub problems: Vec<String>,
}

impl PackageFile {
    fn new(path: &str, kind: PackageFileKind) -> PackageFile {
        PackageFile {
            path: path.to_string(),
            kind,
            requirements: Vec::new(),
            includes: Vec::new(),
            is_lock: kind.is_lock(),
            python: None,
            problems: Vec::new(),
        }
    }

    fn dir(&self) -> String {
        self.path
            .rsplit_once('/')
            .map_or(String::new(), |(d, _)| d.to_string())
    }

    fn include(&mut self, rel: &str) {
        let rel = rel.trim().trim_matches(['"', '\'']);
        if rel.is_empty() || rel.contains("://") {
            return;
        }
        let p = join(&self.dir(), rel);
        if !self.includes.contains(&p) {
            self.includes.push(p);
        }
    }
}

/// The kind of package list a path is, by its file name.
///
/// Requirements files are `*requirements*.txt` (`requirements-dev.txt`,
/// `dev-requirements.txt`) and any `.txt` in a `requirements/` folder;
/// pip-tools inputs (`requirements.in`) are not lists of what is installed
/// and are not recognised.
pub fn kind_of(path: &str) -> Option<PackageFileKind> {
    use PackageFileKind as K;
    let lower = path.to_ascii_lowercase();
    let mut parts = lower.rsplit('/');
    let name = parts.next().unwrap_or(&lower);
    let parent = parts.next().unwrap_or("");
    let yaml = name.ends_with(".yml") || name.ends_with(".yaml");
    Some(match name {
        "pyproject.toml" => K::Pyproject,
        "pipfile" => K::Pipfile,
        "pipfile.lock" => K::PipfileLock,
        "setup.py" => K::SetupPy,
        "setup.cfg" => K::SetupCfg,
        "uv.lock" => K::UvLock,
        "poetry.lock" => K::PoetryLock,
        "pdm.lock" => K::PdmLock,
        "conda.yaml" | "conda.yml" => K::CondaEnvironment,
        _ if yaml && (name.starts_with("conda-lock.") || name.contains(".conda-lock.")) => {
            K::CondaLock
        }
        _ if yaml && name.starts_with("environment") => K::CondaEnvironment,
        // Per-rule environments (Snakemake's `workflow/envs/*.yaml`).
        _ if yaml && matches!(parent, "envs" | "environments" | "conda-envs") => {
            K::CondaEnvironment
        }
        _ if name.ends_with(".txt")
            && (name.contains("requirements") || parent == "requirements") =>
        {
            K::Requirements
        }
        _ => return None,
    })
}

/// Parses a package list; `None` when [`kind_of`] does not know the path.
pub fn parse(path: &str, text: &str) -> Option<PackageFile> {
    Some(parse_as(path, kind_of(path)?, text))
}

/// Parses a package list whose kind is already known (a conda environment
/// recognised by its content rather than its name).
pub fn parse_as(path: &str, kind: PackageFileKind, text: &str) -> PackageFile {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut f = PackageFile::new(path, kind);
    match kind {
        PackageFileKind::Requirements => parse_requirements_txt(&mut f, text),
        PackageFileKind::CondaEnvironment => parse_conda_env(&mut f, text),
        PackageFileKind::Pyproject => parse_pyproject(&mut f, text),
        PackageFileKind::Pipfile => parse_pipfile(&mut f, text),
        PackageFileKind::PipfileLock => parse_pipfile_lock(&mut f, text),
        PackageFileKind::SetupPy => parse_setup_py(&mut f, text),
        PackageFileKind::SetupCfg => parse_setup_cfg(&mut f, text),
        PackageFileKind::UvLock | PackageFileKind::PoetryLock | PackageFileKind::PdmLock => {
            parse_toml_lock(&mut f, text)
        }
        PackageFileKind::CondaLock => parse_conda_lock(&mut f, text),
    }
    // File order (TOML tables come back sorted by key); unknown lines last.
    f.requirements.sort_by_key(|r| r.line.unwrap_or(u32::MAX));
    f
}

/// The pinning level of a project's package lists together.
///
/// L3 when there is a lock file that could be read (or that lists packages
/// despite problems) or when every requirement is hashed; L2 when every
/// requirement is pinned; L1 when some requirements are listed; L0 when none
/// are.
pub fn pin_level(files: &[PackageFile]) -> PinLevel {
    if files
        .iter()
        .any(|f| f.is_lock && (f.problems.is_empty() || !f.requirements.is_empty()))
    {
        return PinLevel::L3;
    }
    // Package metadata (setup.py, pyproject) keeps ranges by convention; a
    // requirement pinned in another list (a compiled requirements.txt) is
    // installed pinned from there.
    let pinned_somewhere = pinned_names(files);
    let reqs: Vec<&Requirement> = files
        .iter()
        .filter(|f| !f.is_lock)
        .flat_map(|f| &f.requirements)
        .filter(|r| !pinned_somewhere.contains(r.name.as_str()) || r.pinned)
        .collect();
    if reqs.is_empty() && !pinned_somewhere.is_empty() {
        PinLevel::L2
    } else if reqs.is_empty() {
        PinLevel::L0
    } else if reqs.iter().all(|r| r.hashed) {
        PinLevel::L3
    } else if reqs.iter().all(|r| r.pinned) {
        PinLevel::L2
    } else {
        PinLevel::L1
    }
}

/// Names of requirements pinned with `==` (or hashes) in some list other than
/// a lock file.
pub fn pinned_names(files: &[PackageFile]) -> std::collections::HashSet<&str> {
    files
        .iter()
        .filter(|f| !f.is_lock)
        .flat_map(|f| &f.requirements)
        .filter(|r| r.pinned || r.hashed)
        .map(|r| r.name.as_str())
        .collect()
}

/// Reads one PEP 508 requirement string (`torch[cuda]>=2.0; python_version
/// >= "3.9"`, `pkg @ https://…`, a bare VCS URL with `#egg=`).
///
/// `Ok(None)` for a local path (`.`, `./pkg`, `file:` URL without a package
/// name); `Err` with a reason when the text is not a requirement.
pub fn requirement_from_spec(spec: &str, line: Option<u32>) -> Result<Option<Requirement>, String> {
    Ok(read_spec(spec)?.map(|s| Requirement {
        name: s.name,
        spec: spec.trim().to_string(),
        pinned: s.pinned,
        hashed: false,
        line,
    }))
}

// ---------------------------------------------------------------------------
// PEP 508 strings

struct Spec {
    name: String,
    pinned: bool,
}

const DIST_EXTS: &[&str] = &[
    ".whl", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip", ".egg", ".tar",
];

const OPERATORS: &[&str] = &["===", "==", "!=", "~=", "<=", ">=", "<", ">"];

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// `scheme://…` where the scheme is letters, digits and `+` (`git+https`).
fn is_scheme_url(s: &str) -> bool {
    s.find("://").is_some_and(|i| {
        i > 0
            && s[..i]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

fn read_spec(raw: &str) -> Result<Option<Spec>, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Err("empty requirement".to_string());
    }
    let name_end = s.find(|c: char| !is_name_char(c)).unwrap_or(s.len());
    let name = &s[..name_end];
    let rest = s[name_end..].trim_start();
    let first = s.split_whitespace().next().unwrap_or(s);
    if is_scheme_url(first) && !rest.starts_with('@') && !rest.starts_with('[') {
        return bare_url(first);
    }
    if name.is_empty()
        || name.starts_with('.')
        || rest.starts_with(['/', '\\', ':'])
        || (rest.is_empty() && DIST_EXTS.iter().any(|e| name.ends_with(e)))
    {
        // `.`, `./pkg`, `../x`, `/abs/path`, `C:\x`, `~/x`, `dist/pkg.whl`.
        if name.is_empty() && !s.starts_with(['.', '/', '~', '\\']) {
            return Err("no package name".to_string());
        }
        return Ok(None);
    }
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric())
        || !name.ends_with(|c: char| c.is_ascii_alphanumeric())
    {
        return Err(format!("`{name}` is not a package name"));
    }
    let mut rest = rest;
    if let Some(r) = rest.strip_prefix('[') {
        let Some(close) = r.find(']') else {
            return Err("unclosed `[` of extras".to_string());
        };
        rest = r[close + 1..].trim_start();
    }
    if let Some(r) = rest.strip_prefix('@') {
        let url = r
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_end_matches(';');
        if url.is_empty() {
            return Err("`@` without a URL".to_string());
        }
        return Ok(Some(Spec {
            name: normalize(name),
            pinned: url_pinned(url),
        }));
    }
    let version = rest.split(';').next().unwrap_or("").trim();
    let version = version
        .strip_prefix('(')
        .and_then(|v| v.strip_suffix(')'))
        .unwrap_or(version)
        .trim();
    let mut pinned = false;
    if !version.is_empty() {
        for clause in version.split(',') {
            let clause = clause.trim();
            let Some(op) = OPERATORS.iter().find(|op| clause.starts_with(**op)) else {
                return Err(format!("cannot read `{clause}` as a version specifier"));
            };
            let v = clause[op.len()..].trim();
            if v.is_empty()
                || !v.chars().all(|c| {
                    c.is_ascii_alphanumeric() || matches!(c, '.' | '*' | '+' | '!' | '-' | '_')
                })
            {
                return Err(format!("cannot read `{clause}` as a version specifier"));
            }
            if *op == "===" || (*op == "==" && !v.contains('*')) {
                pinned = true;
            }
        }
    }
    Ok(Some(Spec {
        name: normalize(name),
        pinned,
    }))
}

/// A requirement given as a URL alone: `git+https://…#egg=name`, a wheel URL.
fn bare_url(url: &str) -> Result<Option<Spec>, String> {
    if url.starts_with("file:") && egg_name(url).is_none() {
        return Ok(None);
    }
    match egg_name(url).or_else(|| name_from_url(url)) {
        Some(name) => Ok(Some(Spec {
            name: normalize(&name),
            pinned: url_pinned(url),
        })),
        None => Err(format!("cannot tell the package name from `{url}`")),
    }
}

fn egg_name(url: &str) -> Option<String> {
    let (_, frag) = url.split_once('#')?;
    let egg = frag.split('&').find_map(|kv| kv.strip_prefix("egg="))?;
    let end = egg.find(|c: char| !is_name_char(c)).unwrap_or(egg.len());
    let name = &egg[..end];
    (!name.is_empty()).then(|| name.to_string())
}

fn name_from_url(url: &str) -> Option<String> {
    let path = url.split(['#', '?']).next().unwrap_or(url);
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let last = segments.last()?.split('@').next().unwrap_or("");
    let lower = last.to_ascii_lowercase();
    let name = if let Some(i) = segments.iter().position(|s| *s == "archive") {
        // github.com/org/repo/archive/<ref>.zip
        i.checked_sub(1).and_then(|j| segments.get(j)).copied()?
    } else if lower.ends_with(".whl") {
        last.split('-').next()?
    } else if let Some(ext) = DIST_EXTS.iter().find(|e| lower.ends_with(**e)) {
        let stem = &last[..last.len() - ext.len()];
        match stem.rsplit_once('-') {
            Some((n, v)) if v.starts_with(|c: char| c.is_ascii_digit()) => n,
            _ => stem,
        }
    } else {
        last.strip_suffix(".git").unwrap_or(last)
    };
    (!name.is_empty() && name.chars().all(is_name_char)).then(|| name.to_string())
}

/// Whether a URL names one fixed thing: a distribution file or a commit.
fn url_pinned(url: &str) -> bool {
    let base = url.split(['#', '?']).next().unwrap_or(url);
    let lower = base.to_ascii_lowercase();
    if DIST_EXTS.iter().any(|e| lower.ends_with(e)) {
        // A branch archive moves.
        let file = lower.rsplit('/').next().unwrap_or("");
        let stem = file.split('.').next().unwrap_or("");
        let branch = matches!(
            stem,
            "main" | "master" | "develop" | "dev" | "head" | "trunk"
        );
        return !(lower.contains("/archive/") && branch);
    }
    let after_scheme = base.split_once("://").map_or(base, |(_, r)| r);
    let path = after_scheme.split_once('/').map_or("", |(_, p)| p);
    path.rsplit_once('@').is_some_and(|(_, rev)| is_commit(rev))
}

fn is_commit(s: &str) -> bool {
    (7..=40).contains(&s.len()) && s.chars().all(|c| c.is_ascii_hexdigit())
}

/// A version that names one release: `1.2.3`, `==1.2.3`, `=1.2.3` (Poetry,
/// Pipfile).
fn exact_version(s: &str) -> bool {
    let s = s.trim();
    let v = s
        .strip_prefix("===")
        .or_else(|| s.strip_prefix("=="))
        .or_else(|| s.strip_prefix('='))
        .unwrap_or(s)
        .trim();
    v.starts_with(|c: char| c.is_ascii_digit())
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '!' | '-' | '_'))
}

// ---------------------------------------------------------------------------
// requirements.txt

/// Cuts a `#` comment that starts the line or follows whitespace.
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()) {
            return &line[..i];
        }
    }
    line
}

/// Logical lines (continuations joined, comments cut) with the line each
/// starts on.
fn logical_lines(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut cur: Option<(u32, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = line_no(i);
        let line = strip_comment(raw).trim_end();
        let (body, cont) = match line.strip_suffix('\\') {
            Some(b) => (b, true),
            None => (line, false),
        };
        let entry = cur.get_or_insert_with(|| (n, String::new()));
        let body = body.trim();
        if !body.is_empty() {
            if !entry.1.is_empty() {
                entry.1.push(' ');
            }
            entry.1.push_str(body);
        }
        if !cont {
            if let Some(e) = cur.take() {
                if !e.1.is_empty() {
                    out.push(e);
                }
            }
        }
    }
    if let Some(e) = cur {
        if !e.1.is_empty() {
            out.push(e);
        }
    }
    out
}

fn line_no(index: usize) -> u32 {
    u32::try_from(index + 1).unwrap_or(u32::MAX)
}

fn parse_requirements_txt(f: &mut PackageFile, text: &str) {
    for (n, line) in logical_lines(text) {
        requirement_line(f, Some(n), &line);
    }
}

/// Splits `-rfile`, `-r file`, `--requirement=file`, `--pre` into option
/// name and value.
fn split_option(t: &str) -> (&str, &str) {
    if t.starts_with("--") {
        let end = t.find(['=', ' ', '\t']).unwrap_or(t.len());
        let value = t[end..].trim_start_matches('=').trim();
        (&t[..end], value)
    } else {
        let end = t.char_indices().nth(2).map_or(t.len(), |(i, _)| i);
        (&t[..end], t[end..].trim_start_matches('=').trim())
    }
}

/// Splits a requirement from trailing per-requirement options
/// (`--hash=…`, `--config-settings …`): at the first ` -` outside quotes.
fn split_trailing_options(t: &str) -> (&str, &str) {
    let mut quote: Option<char> = None;
    let mut prev_space = false;
    for (i, c) in t.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '-' && prev_space => return (t[..i].trim_end(), &t[i..]),
            None => {}
        }
        prev_space = c.is_whitespace();
    }
    (t, "")
}

/// One logical line of a requirements file (or of a pip list elsewhere).
fn requirement_line(f: &mut PackageFile, line: Option<u32>, text: &str) {
    let t = text.trim();
    if t.is_empty() {
        return;
    }
    let at = line.map_or(String::new(), |n| format!("line {n}: "));
    if t.starts_with('-') {
        let (opt, value) = split_option(t);
        match opt {
            "-r" | "--requirement" | "-c" | "--constraint" => {
                let target = value.split_whitespace().next().unwrap_or("");
                if target.is_empty() {
                    f.problems.push(format!("{at}`{opt}` without a file"));
                } else {
                    f.include(target);
                }
            }
            "-e" | "--editable" => match read_spec(value) {
                Ok(Some(s)) => f.requirements.push(Requirement {
                    name: s.name,
                    spec: t.to_string(),
                    pinned: s.pinned,
                    hashed: false,
                    line,
                }),
                Ok(None) => {}
                Err(e) => f.problems.push(format!("{at}`{t}`: {e}")),
            },
            // Index, find-links, binary and other global options.
            _ => {}
        }
        return;
    }
    let (req, opts) = split_trailing_options(t);
    match read_spec(req) {
        Ok(Some(s)) => f.requirements.push(Requirement {
            name: s.name,
            spec: req.to_string(),
            pinned: s.pinned,
            hashed: opts.contains("--hash"),
            line,
        }),
        Ok(None) => {}
        Err(e) => f.problems.push(format!("{at}`{req}`: {e}")),
    }
}

// ---------------------------------------------------------------------------
// Line finding for structured formats

/// The first line at or after `*cursor` containing `needle` (preferring lines
/// that start with `prefer`), moving the cursor past it; falls back to a
/// search from the top that leaves the cursor alone.
fn find_line(lines: &[&str], needle: &str, prefer: &str, cursor: &mut usize) -> Option<u32> {
    if needle.is_empty() {
        return None;
    }
    let hit = |l: &&str| l.contains(needle);
    let from = (*cursor).min(lines.len());
    let found = lines[from..]
        .iter()
        .position(|l| l.trim_start().starts_with(prefer) && hit(l))
        .or_else(|| lines[from..].iter().position(hit))
        .map(|i| i + from);
    match found {
        Some(i) => {
            *cursor = i + 1;
            Some(line_no(i))
        }
        None => lines.iter().position(hit).map(line_no),
    }
}

/// The index of a TOML table header line `[a.b]`, if written that way.
fn header_index(lines: &[&str], header: &str) -> Option<usize> {
    let want = format!("[{header}]");
    lines.iter().position(|l| {
        let compact: String = l
            .split('#')
            .next()
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '"' && *c != '\'')
            .collect();
        compact == want
    })
}

/// The line of `key = …` at or after a header line.
fn key_line(lines: &[&str], start: usize, key: &str) -> Option<u32> {
    let from = start.min(lines.len());
    lines[from..]
        .iter()
        .position(|l| {
            let t = l.trim_start();
            let rest = t
                .strip_prefix(key)
                .or_else(|| t.strip_prefix(&format!("\"{key}\"")))
                .or_else(|| t.strip_prefix(&format!("'{key}'")));
            rest.is_some_and(|r| r.trim_start().starts_with('='))
        })
        .map(|i| line_no(i + from))
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

// ---------------------------------------------------------------------------
// Conda environment.yml

fn parse_conda_env(f: &mut PackageFile, text: &str) {
    let tree: Json = match serde_saphyr::from_str(text) {
        Ok(t) => t,
        Err(e) => {
            f.problems.push(format!(
                "does not parse as YAML: {}",
                first_line(&e.to_string())
            ));
            return;
        }
    };
    let Some(map) = tree.as_object() else {
        if !tree.is_null() {
            f.problems.push("not a YAML mapping".to_string());
        }
        return;
    };
    let Some(deps) = map.get("dependencies") else {
        return;
    };
    let Some(list) = deps.as_array() else {
        if !deps.is_null() {
            f.problems.push("`dependencies` is not a list".to_string());
        }
        return;
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut cursor = lines
        .iter()
        .position(|l| l.starts_with("dependencies"))
        .unwrap_or(0);
    for item in list {
        match item {
            Json::String(s) => {
                let line = find_line(&lines, s.trim(), "-", &mut cursor);
                conda_dependency(f, s, line);
            }
            Json::Number(n) => {
                f.problems
                    .push(format!("dependency `{n}` is a number, not a package"));
            }
            Json::Object(m) => {
                let Some(pip) = m.get("pip") else {
                    f.problems
                        .push("a dependency entry is a mapping other than `pip:`".to_string());
                    continue;
                };
                let Some(pip) = pip.as_array() else {
                    if !pip.is_null() {
                        f.problems.push("`pip:` is not a list".to_string());
                    }
                    continue;
                };
                for p in pip {
                    match p.as_str() {
                        Some(s) => {
                            let line = find_line(&lines, s.trim(), "-", &mut cursor);
                            requirement_line(f, line, strip_comment(s));
                        }
                        None => f
                            .problems
                            .push(format!("pip entry `{p}` is not a requirement string")),
                    }
                }
            }
            _ => {}
        }
    }
}

/// One conda match spec: `numpy`, `numpy=1.26.4`, `conda-forge::numpy>=1.2`,
/// `numpy 1.26.4 py310_0`, `numpy[version='>=1.2']`.
fn conda_dependency(f: &mut PackageFile, raw: &str, line: Option<u32>) {
    let spec = raw.trim();
    let body = spec.rsplit("::").next().unwrap_or(spec).trim();
    let name_end = body
        .find(|c: char| c.is_whitespace() || matches!(c, '=' | '<' | '>' | '!' | '~' | '['))
        .unwrap_or(body.len());
    let name = &body[..name_end];
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) || !name.chars().all(is_name_char) {
        let at = line.map_or(String::new(), |n| format!("line {n}: "));
        f.problems
            .push(format!("{at}`{spec}` is not a conda package spec"));
        return;
    }
    let (version, pinned) = conda_version(body[name_end..].trim());
    match normalize(name).as_str() {
        "python" => {
            if !version.is_empty() {
                f.python = Some((version, line));
            }
        }
        "pip" if version.is_empty() => {}
        n => f.requirements.push(Requirement {
            name: n.to_string(),
            spec: spec.to_string(),
            pinned,
            hashed: false,
            line,
        }),
    }
}

/// The version part of a conda spec, shown as written less a leading `=`,
/// and whether it pins one version (or one release line: `=1.26`).
fn conda_version(rest: &str) -> (String, bool) {
    if rest.is_empty() {
        return (String::new(), false);
    }
    if let Some(inner) = rest.strip_prefix('[') {
        let inner = inner.trim_end_matches(']');
        let version = inner.split(',').find_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            (k.trim() == "version").then(|| v.trim().trim_matches(['"', '\'']).to_string())
        });
        return match version {
            Some(v) => conda_version(&v),
            None => (String::new(), false),
        };
    }
    let exact = |v: &str| {
        !v.is_empty()
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '!' | '_' | '-'))
    };
    if let Some(v) = rest.strip_prefix("==") {
        let v = v.split_whitespace().next().unwrap_or("");
        return (v.to_string(), exact(v));
    }
    if let Some(v) = rest.strip_prefix('=') {
        // `=version=build`
        let v = v.split(['=', ' ']).next().unwrap_or("").trim();
        return (v.to_string(), exact(v));
    }
    if rest.starts_with(['<', '>', '!', '~']) {
        return (rest.to_string(), false);
    }
    // `numpy 1.26.4 py310_0`: version, then build.
    let v = rest.split_whitespace().next().unwrap_or("");
    let v = v.strip_prefix("==").unwrap_or(v);
    (v.to_string(), exact(v))
}

// ---------------------------------------------------------------------------
// pyproject.toml, Pipfile

fn parse_toml(f: &mut PackageFile, text: &str) -> Option<toml::Table> {
    match toml::from_str::<toml::Table>(text) {
        Ok(t) => Some(t),
        Err(e) => {
            f.problems.push(format!(
                "does not parse as TOML: {}",
                first_line(&e.to_string())
            ));
            None
        }
    }
}

fn table_at<'t>(t: &'t toml::Table, path: &[&str]) -> Option<&'t toml::Table> {
    let mut cur = t;
    for key in path {
        cur = cur.get(*key)?.as_table()?;
    }
    Some(cur)
}

/// An array of PEP 508 strings (`[project] dependencies`); tables in it
/// (PEP 735 `{include-group = …}`) are skipped.
fn pep508_array(
    f: &mut PackageFile,
    value: &toml::Value,
    what: &str,
    lines: &[&str],
    cursor: &mut usize,
) {
    let Some(items) = value.as_array() else {
        f.problems.push(format!("`{what}` is not a list"));
        return;
    };
    for item in items {
        if let Some(s) = item.as_str() {
            let line = find_line(lines, s.trim(), "", cursor);
            requirement_line(f, line, s);
        }
    }
}

fn parse_pyproject(f: &mut PackageFile, text: &str) {
    let Some(doc) = parse_toml(f, text) else {
        return;
    };
    let lines: Vec<&str> = text.lines().collect();
    if let Some(project) = table_at(&doc, &["project"]) {
        let start = header_index(&lines, "project").unwrap_or(0);
        if let Some(rp) = project.get("requires-python").and_then(|v| v.as_str()) {
            f.python = Some((rp.to_string(), key_line(&lines, start, "requires-python")));
        }
        let mut cursor = start;
        if let Some(deps) = project.get("dependencies") {
            pep508_array(f, deps, "project.dependencies", &lines, &mut cursor);
        }
        if let Some(opt) = project
            .get("optional-dependencies")
            .and_then(|v| v.as_table())
        {
            let mut cursor = header_index(&lines, "project.optional-dependencies").unwrap_or(start);
            for (group, deps) in opt {
                pep508_array(
                    f,
                    deps,
                    &format!("project.optional-dependencies.{group}"),
                    &lines,
                    &mut cursor,
                );
            }
        }
    }
    if let Some(groups) = table_at(&doc, &["dependency-groups"]) {
        let mut cursor = header_index(&lines, "dependency-groups").unwrap_or(0);
        for (group, deps) in groups {
            pep508_array(
                f,
                deps,
                &format!("dependency-groups.{group}"),
                &lines,
                &mut cursor,
            );
        }
    }
    // Poetry.
    if let Some(poetry) = table_at(&doc, &["tool", "poetry"]) {
        for key in ["dependencies", "dev-dependencies"] {
            if let Some(t) = poetry.get(key).and_then(|v| v.as_table()) {
                named_table(f, t, &format!("tool.poetry.{key}"), &lines, true);
            }
        }
        if let Some(groups) = poetry.get("group").and_then(|v| v.as_table()) {
            for (name, group) in groups {
                if let Some(t) = group.get("dependencies").and_then(|v| v.as_table()) {
                    named_table(
                        f,
                        t,
                        &format!("tool.poetry.group.{name}.dependencies"),
                        &lines,
                        true,
                    );
                }
            }
        }
    }
    // PDM and uv development dependencies.
    if let Some(dev) = table_at(&doc, &["tool", "pdm", "dev-dependencies"]) {
        let mut cursor = header_index(&lines, "tool.pdm.dev-dependencies").unwrap_or(0);
        for (group, deps) in dev {
            pep508_array(
                f,
                deps,
                &format!("tool.pdm.dev-dependencies.{group}"),
                &lines,
                &mut cursor,
            );
        }
    }
    if let Some(uv) = table_at(&doc, &["tool", "uv"]) {
        let mut cursor = header_index(&lines, "tool.uv").unwrap_or(0);
        if let Some(deps) = uv.get("dev-dependencies") {
            pep508_array(f, deps, "tool.uv.dev-dependencies", &lines, &mut cursor);
        }
    }
    // setuptools dynamic metadata read from files.
    if let Some(dynamic) = table_at(&doc, &["tool", "setuptools", "dynamic"]) {
        let mut files = Vec::new();
        if let Some(d) = dynamic.get("dependencies") {
            files.extend(file_list(d));
        }
        if let Some(opt) = dynamic
            .get("optional-dependencies")
            .and_then(|v| v.as_table())
        {
            for d in opt.values() {
                files.extend(file_list(d));
            }
        }
        for p in files {
            f.include(&p);
        }
    }
    // hatch-requirements-txt.
    if let Some(hook) = table_at(
        &doc,
        &["tool", "hatch", "metadata", "hooks", "requirements_txt"],
    ) {
        if let Some(files) = hook.get("files") {
            for p in string_list(files) {
                f.include(&p);
            }
        }
    }
}

/// `{file = "a.txt"}` or `{file = ["a.txt", "b.txt"]}`.
fn file_list(v: &toml::Value) -> Vec<String> {
    v.as_table()
        .and_then(|t| t.get("file"))
        .map(string_list)
        .unwrap_or_default()
}

fn string_list(v: &toml::Value) -> Vec<String> {
    match v {
        toml::Value::String(s) => vec![s.clone()],
        toml::Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// A table of `name = constraint` (Poetry dependencies, Pipfile packages).
/// With `python_key`, the `python` entry is the Python version.
fn named_table(
    f: &mut PackageFile,
    table: &toml::Table,
    header: &str,
    lines: &[&str],
    python_key: bool,
) {
    let start = header_index(lines, header).unwrap_or(0);
    for (key, value) in table {
        let line = key_line(lines, start, key);
        if python_key && key == "python" {
            if let Some(v) = value
                .as_str()
                .or_else(|| value.get("version").and_then(|v| v.as_str()))
            {
                f.python = Some((v.to_string(), line));
            }
            continue;
        }
        let Some(pinned) = constraint_pinned(value) else {
            continue;
        };
        f.requirements.push(Requirement {
            name: normalize(key),
            spec: format!("{key} = {value}"),
            pinned,
            hashed: false,
            line,
        });
    }
}

/// Whether a Poetry/Pipfile constraint pins one version; `None` for a local
/// path.
fn constraint_pinned(v: &toml::Value) -> Option<bool> {
    match v {
        toml::Value::String(s) => Some(exact_version(s)),
        toml::Value::Table(t) => {
            if t.contains_key("path") {
                return None;
            }
            if t.contains_key("git") {
                let rev = ["rev", "ref"]
                    .iter()
                    .find_map(|k| t.get(*k).and_then(|v| v.as_str()));
                return Some(rev.is_some_and(is_commit));
            }
            if let Some(url) = t.get("url").and_then(|v| v.as_str()) {
                return Some(url_pinned(url));
            }
            Some(
                t.get("version")
                    .and_then(|v| v.as_str())
                    .is_some_and(exact_version),
            )
        }
        toml::Value::Array(a) => {
            Some(!a.is_empty() && a.iter().all(|e| constraint_pinned(e) == Some(true)))
        }
        _ => Some(false),
    }
}

fn parse_pipfile(f: &mut PackageFile, text: &str) {
    let Some(doc) = parse_toml(f, text) else {
        return;
    };
    let lines: Vec<&str> = text.lines().collect();
    for section in ["packages", "dev-packages"] {
        if let Some(t) = doc.get(section).and_then(|v| v.as_table()) {
            named_table(f, t, section, &lines, false);
        }
    }
    if let Some(req) = doc.get("requires").and_then(|v| v.as_table()) {
        let start = header_index(&lines, "requires").unwrap_or(0);
        for key in ["python_full_version", "python_version"] {
            if let Some(v) = req.get(key).and_then(|v| v.as_str()) {
                f.python = Some((v.to_string(), key_line(&lines, start, key)));
                break;
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Lock files

fn parse_pipfile_lock(f: &mut PackageFile, text: &str) {
    let doc: Json = match serde_json::from_str(text) {
        Ok(d) => d,
        Err(e) => {
            f.problems.push(format!("does not parse as JSON: {e}"));
            return;
        }
    };
    let lines: Vec<&str> = text.lines().collect();
    let requires = &doc["_meta"]["requires"];
    if let Some(v) = requires["python_full_version"]
        .as_str()
        .or_else(|| requires["python_version"].as_str())
    {
        let mut c = 0;
        f.python = Some((v.to_string(), find_line(&lines, "\"python_", "", &mut c)));
    }
    let mut cursor = 0;
    for section in ["default", "develop"] {
        let Some(entries) = doc[section].as_object() else {
            continue;
        };
        for (name, entry) in entries {
            if entry.get("path").is_some() {
                continue;
            }
            let version = entry["version"].as_str().unwrap_or("");
            let hashed = entry["hashes"].as_array().is_some_and(|h| !h.is_empty());
            f.requirements.push(Requirement {
                name: normalize(name),
                spec: format!("{name}{version}"),
                pinned: true,
                hashed,
                line: find_line(&lines, &format!("\"{name}\": {{"), "", &mut cursor),
            });
        }
    }
}

fn has_hash(v: Option<&toml::Value>) -> bool {
    match v {
        Some(toml::Value::Table(t)) => t.get("hash").and_then(|h| h.as_str()).is_some(),
        Some(toml::Value::Array(a)) => a.iter().any(|x| has_hash(Some(x))),
        _ => false,
    }
}

/// uv.lock, poetry.lock, pdm.lock: `[[package]]` tables with name and version.
fn parse_toml_lock(f: &mut PackageFile, text: &str) {
    let Some(doc) = parse_toml(f, text) else {
        return;
    };
    let lines: Vec<&str> = text.lines().collect();
    let metadata = doc.get("metadata").and_then(|v| v.as_table());
    let python = match f.kind {
        PackageFileKind::UvLock => doc.get("requires-python").and_then(|v| v.as_str()),
        PackageFileKind::PoetryLock => metadata
            .and_then(|m| m.get("python-versions"))
            .and_then(|v| v.as_str()),
        _ => metadata.and_then(|m| {
            m.get("requires_python")
                .and_then(|v| v.as_str())
                .or_else(|| {
                    m.get("targets")?
                        .as_array()?
                        .first()?
                        .get("requires_python")?
                        .as_str()
                })
        }),
    };
    if let Some(p) = python {
        let mut c = 0;
        let key = match f.kind {
            PackageFileKind::UvLock => "requires-python",
            PackageFileKind::PoetryLock => "python-versions",
            _ => "requires_python",
        };
        f.python = Some((p.to_string(), find_line(&lines, key, key, &mut c)));
    }
    let old_poetry_files = metadata
        .and_then(|m| m.get("files"))
        .and_then(|v| v.as_table());
    let Some(packages) = doc.get("package") else {
        return;
    };
    let Some(packages) = packages.as_array() else {
        f.problems
            .push("`package` is not a list of tables".to_string());
        return;
    };
    let mut cursor = 0;
    let mut seen = HashSet::new();
    for p in packages {
        let Some(t) = p.as_table() else { continue };
        let Some(name) = t.get("name").and_then(|v| v.as_str()) else {
            f.problems
                .push("a `[[package]]` entry has no name".to_string());
            continue;
        };
        let version = t.get("version").and_then(|v| v.as_str()).unwrap_or("");
        let line = find_line(&lines, &format!("\"{name}\""), "name", &mut cursor);
        let source = t.get("source").and_then(|v| v.as_table());
        let local = source.is_some_and(|s| {
            ["editable", "virtual", "directory", "path"]
                .iter()
                .any(|k| s.contains_key(*k))
                || matches!(
                    s.get("type").and_then(|v| v.as_str()),
                    Some("directory" | "file")
                )
        });
        if local || !seen.insert((name.to_string(), version.to_string())) {
            continue;
        }
        let hashed = has_hash(t.get("sdist"))
            || has_hash(t.get("wheels"))
            || has_hash(t.get("files"))
            || has_hash(old_poetry_files.and_then(|m| m.get(name)));
        f.requirements.push(Requirement {
            name: normalize(name),
            spec: if version.is_empty() {
                name.to_string()
            } else {
                format!("{name}=={version}")
            },
            pinned: true,
            hashed,
            line,
        });
    }
}

fn parse_conda_lock(f: &mut PackageFile, text: &str) {
    let tree: Json = match serde_saphyr::from_str(text) {
        Ok(t) => t,
        Err(e) => {
            f.problems.push(format!(
                "does not parse as YAML: {}",
                first_line(&e.to_string())
            ));
            return;
        }
    };
    let Some(packages) = tree.get("package").and_then(|p| p.as_array()) else {
        f.problems.push("no `package:` list".to_string());
        return;
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut cursor = 0;
    let mut seen = HashSet::new();
    for p in packages {
        let Some(name) = p.get("name").and_then(|n| n.as_str()) else {
            continue;
        };
        let version = p.get("version").and_then(|v| v.as_str()).unwrap_or("");
        let manager = p.get("manager").and_then(|v| v.as_str()).unwrap_or("conda");
        let line = find_line(&lines, &format!("name: {name}"), "", &mut cursor);
        if !seen.insert((manager.to_string(), name.to_string())) {
            continue;
        }
        if name == "python" && manager == "conda" {
            f.python = Some((version.to_string(), line));
            continue;
        }
        let hashed = p.get("hash").and_then(|h| h.as_object()).is_some_and(|h| {
            h.values()
                .any(|v| v.as_str().is_some_and(|s| !s.is_empty()))
        });
        f.requirements.push(Requirement {
            name: normalize(name),
            spec: format!("{name}=={version}"),
            pinned: true,
            hashed,
            line,
        });
    }
}

// ---------------------------------------------------------------------------
// setup.cfg

/// One `key = value` of a setup.cfg section, with its continuation lines.
struct CfgEntry {
    section: String,
    key: String,
    values: Vec<(u32, String)>,
}

fn parse_setup_cfg(f: &mut PackageFile, text: &str) {
    let mut entries: Vec<CfgEntry> = Vec::new();
    let mut section = String::new();
    for (i, raw) in text.lines().enumerate() {
        let n = line_no(i);
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if raw.starts_with([' ', '\t']) {
            if let Some(e) = entries.last_mut() {
                e.values.push((n, trimmed.to_string()));
                continue;
            }
        }
        if let Some(h) = trimmed.strip_prefix('[') {
            section = h.trim_end_matches(']').trim().to_ascii_lowercase();
            // A header ends any value.
            entries.push(CfgEntry {
                section: section.clone(),
                key: String::new(),
                values: Vec::new(),
            });
            continue;
        }
        let split = trimmed
            .find('=')
            .or_else(|| trimmed.find(':'))
            .map(|i| (&trimmed[..i], &trimmed[i + 1..]));
        let Some((key, value)) = split else {
            continue;
        };
        let value = value.trim();
        let mut values = Vec::new();
        if !value.is_empty() {
            values.push((n, value.to_string()));
        }
        entries.push(CfgEntry {
            section: section.clone(),
            key: key.trim().to_ascii_lowercase(),
            values,
        });
    }
    for CfgEntry {
        section,
        key,
        values,
    } in entries
    {
        match (section.as_str(), key.as_str()) {
            ("options", "python_requires") => {
                if let Some((n, v)) = values.first() {
                    f.python = Some((v.clone(), Some(*n)));
                }
            }
            ("options", "install_requires") | ("options.extras_require", _) if !key.is_empty() => {
                cfg_requirements(f, &values);
            }
            _ => {}
        }
    }
}

/// A setuptools list: one per line, or `;`-separated on a single line;
/// `file: a.txt, b.txt` names files.
fn cfg_requirements(f: &mut PackageFile, values: &[(u32, String)]) {
    if let Some((_, first)) = values.first() {
        if let Some(files) = first.strip_prefix("file:") {
            for p in files.split(',') {
                f.include(p);
            }
            return;
        }
    }
    let single = values.len() == 1;
    for (n, v) in values {
        let v = strip_comment(v).trim();
        if single {
            for part in v.split(';') {
                requirement_line(f, Some(*n), part);
            }
        } else {
            requirement_line(f, Some(*n), v);
        }
    }
}

// ---------------------------------------------------------------------------
// setup.py

/// Module-level bindings and `setup(...)` calls of a `setup.py`.
#[derive(Default)]
struct SetupScan<'a> {
    /// Values bound to a name: `x = …`, `x += …`, `x.append(…)`, `x.extend(…)`.
    bindings: HashMap<&'a str, Vec<&'a Expr>>,
    /// Function bodies by name.
    functions: HashMap<&'a str, &'a [Stmt]>,
    /// `setup(...)` calls.
    calls: Vec<&'a ast::ExprCall>,
}

impl<'a> Visitor<'a> for SetupScan<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Assign(a) => {
                for t in &a.targets {
                    if let Expr::Name(n) = t {
                        self.bindings
                            .entry(n.id.as_str())
                            .or_default()
                            .push(&a.value);
                    }
                }
            }
            Stmt::AnnAssign(a) => {
                if let (Expr::Name(n), Some(v)) = (a.target.as_ref(), a.value.as_ref()) {
                    self.bindings.entry(n.id.as_str()).or_default().push(v);
                }
            }
            Stmt::AugAssign(a) => {
                if let Expr::Name(n) = a.target.as_ref() {
                    if a.op == Operator::Add {
                        self.bindings
                            .entry(n.id.as_str())
                            .or_default()
                            .push(&a.value);
                    }
                }
            }
            Stmt::FunctionDef(d) => {
                self.functions.insert(d.name.as_str(), &d.body);
            }
            Stmt::With(w) => {
                // `with open("requirements.txt") as fh:` binds `fh` to the file.
                for item in &w.items {
                    if let Some(Expr::Name(n)) = item.optional_vars.as_deref() {
                        self.bindings
                            .entry(n.id.as_str())
                            .or_default()
                            .push(&item.context_expr);
                    }
                }
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(c) = expr {
            match c.func.as_ref() {
                Expr::Name(n) if n.id.as_str() == "setup" => self.calls.push(c),
                Expr::Attribute(a) if a.attr.as_str() == "setup" => {
                    let on = match a.value.as_ref() {
                        Expr::Name(n) => n.id.as_str(),
                        Expr::Attribute(inner) => inner.attr.as_str(),
                        _ => "",
                    };
                    if matches!(on, "setuptools" | "core" | "distutils") {
                        self.calls.push(c);
                    }
                }
                Expr::Attribute(a) if matches!(a.attr.as_str(), "append" | "extend") => {
                    if let (Expr::Name(n), Some(arg)) = (a.value.as_ref(), c.arguments.args.first())
                    {
                        // `x.append("a")` adds a string, `x.extend([...])` a list:
                        // both resolve through the same rules.
                        self.bindings.entry(n.id.as_str()).or_default().push(arg);
                    }
                }
                _ => {}
            }
        }
        visitor::walk_expr(self, expr);
    }
}

/// String literals and names inside an expression or a function body.
#[derive(Default)]
struct Refs<'a> {
    strings: Vec<&'a str>,
    names: Vec<&'a str>,
}

impl<'a> Visitor<'a> for Refs<'a> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::StringLiteral(s) => self.strings.push(s.value.to_str()),
            Expr::Name(n) => self.names.push(n.id.as_str()),
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

/// What `install_requires` resolved to.
#[derive(Default)]
struct Found<'a> {
    /// Requirement strings with their byte offsets.
    strings: Vec<(&'a str, usize)>,
    /// Requirement files read.
    files: Vec<&'a str>,
    /// Something was computed and could not be followed.
    dynamic: bool,
}

fn looks_like_requirements_file(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    !l.contains(char::is_whitespace)
        && (l.ends_with(".txt") || l.ends_with(".in") || l.contains("requirements"))
}

impl<'a> SetupScan<'a> {
    fn resolve(&self, e: &'a Expr, depth: u8, out: &mut Found<'a>) {
        if depth > 5 {
            out.dynamic = true;
            return;
        }
        match e {
            Expr::StringLiteral(s) => out
                .strings
                .push((s.value.to_str(), e.range().start().to_usize())),
            Expr::List(l) => self.resolve_items(&l.elts, depth, out),
            Expr::Tuple(t) => self.resolve_items(&t.elts, depth, out),
            Expr::Set(s) => self.resolve_items(&s.elts, depth, out),
            Expr::Starred(s) => self.resolve(&s.value, depth + 1, out),
            Expr::BinOp(b) if b.op == Operator::Add => {
                self.resolve(&b.left, depth + 1, out);
                self.resolve(&b.right, depth + 1, out);
            }
            Expr::Name(n) => match self.bindings.get(n.id.as_str()) {
                Some(values) => {
                    for v in values {
                        self.resolve(v, depth + 1, out);
                    }
                }
                None => out.dynamic = true,
            },
            _ => {
                let before = out.files.len();
                self.file_refs(e, out);
                if out.files.len() == before {
                    out.dynamic = true;
                }
            }
        }
    }

    fn resolve_items(&self, items: &'a [Expr], depth: u8, out: &mut Found<'a>) {
        for x in items {
            self.resolve(x, depth + 1, out);
        }
    }

    /// Requirement-file names read by a computed expression: literals in it,
    /// in names it uses, and in the bodies of local functions it calls.
    fn file_refs(&self, e: &'a Expr, out: &mut Found<'a>) {
        let mut refs = Refs::default();
        refs.visit_expr(e);
        for name in refs.names.clone() {
            if let Some(values) = self.bindings.get(name) {
                for v in values {
                    refs.visit_expr(v);
                }
            }
            if let Some(body) = self.functions.get(name) {
                refs.visit_body(body);
            }
        }
        for s in refs.strings {
            if looks_like_requirements_file(s) && !out.files.contains(&s) {
                out.files.push(s);
            }
        }
    }

    /// Follows a name to a dict literal (for `extras_require` and `**kwargs`).
    fn dict_items(&self, e: &'a Expr, depth: u8) -> Vec<(Option<&'a str>, &'a Expr)> {
        match e {
            Expr::Dict(d) => d
                .items
                .iter()
                .map(|i| {
                    let key = match &i.key {
                        Some(Expr::StringLiteral(s)) => Some(s.value.to_str()),
                        _ => None,
                    };
                    (key, &i.value)
                })
                .collect(),
            Expr::Call(c) if matches!(c.func.as_ref(), Expr::Name(n) if n.id.as_str() == "dict") => {
                c.arguments
                    .keywords
                    .iter()
                    .filter_map(|k| k.arg.as_ref().map(|a| (Some(a.as_str()), &k.value)))
                    .collect()
            }
            Expr::Name(n) if depth < 5 => self
                .bindings
                .get(n.id.as_str())
                .into_iter()
                .flatten()
                .flat_map(|v| self.dict_items(v, depth + 1))
                .collect(),
            _ => Vec::new(),
        }
    }

    fn string_value(&self, e: &'a Expr, depth: u8) -> Option<(&'a str, usize)> {
        match e {
            Expr::StringLiteral(s) => Some((s.value.to_str(), e.range().start().to_usize())),
            Expr::Name(n) if depth < 5 => self
                .bindings
                .get(n.id.as_str())?
                .iter()
                .find_map(|v| self.string_value(v, depth + 1)),
            _ => None,
        }
    }
}

fn parse_setup_py(f: &mut PackageFile, text: &str) {
    if super::nesting::too_deep(text).is_some() {
        return;
    }
    let parsed = parse_unchecked_source(text, ast::PySourceType::Python);
    let mut scan = SetupScan::default();
    scan.visit_body(&parsed.syntax().body);
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_at = |offset: usize| u32::try_from(line_starts.partition_point(|&s| s <= offset)).ok();

    let mut found = Found::default();
    let mut python = None;
    let mut keywords: Vec<(&str, &Expr)> = Vec::new();
    for call in &scan.calls {
        for k in &call.arguments.keywords {
            match &k.arg {
                Some(a) => keywords.push((a.as_str(), &k.value)),
                None => {
                    for (key, v) in scan.dict_items(&k.value, 0) {
                        if let Some(key) = key {
                            keywords.push((key, v));
                        }
                    }
                }
            }
        }
    }
    for (key, value) in keywords {
        match key {
            "install_requires" => scan.resolve(value, 0, &mut found),
            "extras_require" => {
                for (_, v) in scan.dict_items(value, 0) {
                    scan.resolve(v, 0, &mut found);
                }
            }
            "python_requires" => python = scan.string_value(value, 0),
            _ => {}
        }
    }
    if let Some((v, offset)) = python {
        f.python = Some((v.trim().to_string(), line_at(offset)));
    }
    for (s, offset) in found.strings {
        // setuptools also accepts one string with a requirement per line.
        for (k, l) in s.lines().enumerate() {
            let line = line_at(offset).map(|n| n.saturating_add(u32::try_from(k).unwrap_or(0)));
            requirement_line(f, line, strip_comment(l));
        }
    }
    for p in found.files {
        f.include(p);
    }
    if found.dynamic {
        f.problems.push(
            "`install_requires` is computed when setup.py runs; part of it could not be read"
                .to_string(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(path: &str, text: &str) -> PackageFile {
        parse(path, text).expect("known kind")
    }

    fn names(f: &PackageFile) -> Vec<&str> {
        f.requirements.iter().map(|r| r.name.as_str()).collect()
    }

    fn req<'f>(f: &'f PackageFile, name: &str) -> &'f Requirement {
        f.requirements
            .iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("{name} not in {:?}", names(f)))
    }

    #[test]
    fn kinds_by_name() {
        use PackageFileKind as K;
        for (path, kind) in [
            ("requirements.txt", Some(K::Requirements)),
            ("sub/requirements-dev.txt", Some(K::Requirements)),
            ("dev-requirements.txt", Some(K::Requirements)),
            ("requirements/base.txt", Some(K::Requirements)),
            ("requirements.in", None),
            ("notes.txt", None),
            ("environment.yml", Some(K::CondaEnvironment)),
            ("env/environment-gpu.yaml", Some(K::CondaEnvironment)),
            ("conda.yaml", Some(K::CondaEnvironment)),
            ("pyproject.toml", Some(K::Pyproject)),
            ("Pipfile", Some(K::Pipfile)),
            ("Pipfile.lock", Some(K::PipfileLock)),
            ("setup.py", Some(K::SetupPy)),
            ("setup.cfg", Some(K::SetupCfg)),
            ("uv.lock", Some(K::UvLock)),
            ("poetry.lock", Some(K::PoetryLock)),
            ("pdm.lock", Some(K::PdmLock)),
            ("conda-lock.yml", Some(K::CondaLock)),
            ("environment.conda-lock.yml", Some(K::CondaLock)),
            ("config.yaml", None),
            ("setup.pyc", None),
        ] {
            assert_eq!(kind_of(path), kind, "{path}");
        }
        assert!(parse("train.py", "import torch").is_none());
    }

    #[test]
    fn requirements_txt_basics() {
        let text = "\
# a comment
numpy==1.26.4
torch>=2.0  # trailing comment
Scikit_Learn[extra1,extra2] == 1.3.0 ; python_version < \"3.12\"
pandas

requests (==2.31.0)
tqdm===4.66.1
scipy==1.*
";
        let f = p("requirements.txt", text);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(
            names(&f),
            [
                "numpy",
                "torch",
                "scikit-learn",
                "pandas",
                "requests",
                "tqdm",
                "scipy"
            ]
        );
        assert!(req(&f, "numpy").pinned);
        assert_eq!(req(&f, "numpy").line, Some(2));
        assert!(!req(&f, "torch").pinned);
        assert_eq!(req(&f, "torch").spec, "torch>=2.0");
        assert!(req(&f, "scikit-learn").pinned);
        assert_eq!(req(&f, "scikit-learn").line, Some(4));
        assert!(!req(&f, "pandas").pinned);
        assert!(req(&f, "requests").pinned);
        assert!(req(&f, "tqdm").pinned);
        assert!(!req(&f, "scipy").pinned);
        assert!(!f.is_lock);
    }

    #[test]
    fn requirements_txt_options_and_includes() {
        let text = "\
-r base.txt
--requirement=../common/req.txt
-c constraints.txt
-rdev.txt
-i https://pypi.org/simple
--extra-index-url https://download.pytorch.org/whl/cu118
-f https://data.pyg.org/whl/torch-2.0.0+cu118.html
--pre
-e .
-e ./libs/mylib
-e git+https://github.com/org/repo.git@0123456789abcdef0123456789abcdef01234567#egg=repo_pkg
torch==2.0.1+cu118 -f https://download.pytorch.org/whl/torch_stable.html
";
        let f = p("reqs/requirements.txt", text);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(
            f.includes,
            [
                "reqs/base.txt",
                "common/req.txt",
                "reqs/constraints.txt",
                "reqs/dev.txt"
            ]
        );
        assert_eq!(names(&f), ["repo-pkg", "torch"]);
        assert!(req(&f, "repo-pkg").pinned);
        assert!(req(&f, "torch").pinned);
        assert_eq!(req(&f, "torch").spec, "torch==2.0.1+cu118");
    }

    #[test]
    fn requirements_txt_hashes_and_continuations() {
        let text = "\
numpy==1.26.4 \\
    --hash=sha256:aaaa \\
    --hash=sha256:bbbb
    # via -r requirements.in
torch==2.1.0 --hash=sha256:cccc
";
        let f = p("requirements.txt", text);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(names(&f), ["numpy", "torch"]);
        assert!(f.requirements.iter().all(|r| r.hashed && r.pinned));
        assert_eq!(req(&f, "numpy").line, Some(1));
        assert_eq!(req(&f, "numpy").spec, "numpy==1.26.4");
        assert_eq!(req(&f, "torch").line, Some(5));
        assert_eq!(pin_level(&[f]), PinLevel::L3);
    }

    #[test]
    fn requirements_txt_urls() {
        let text = "\
mypkg @ git+https://github.com/org/mypkg.git@v1.0
other @ git+https://github.com/org/other.git@1a2b3c4d5e6f
wheelpkg @ https://example.com/wheelpkg-1.0-py3-none-any.whl ; python_version >= \"3.8\"
git+https://github.com/org/tool.git#egg=tool
git+ssh://git@github.com/org/pinnedtool.git@abcdef1234567#egg=pinnedtool
https://files.example.com/packages/somelib-2.3.4.tar.gz
https://github.com/org/branchy/archive/main.zip
./local/pkg
../sibling
/abs/path/pkg
dist/mypkg-1.0-py3-none-any.whl
";
        let f = p("requirements.txt", text);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(
            names(&f),
            [
                "mypkg",
                "other",
                "wheelpkg",
                "tool",
                "pinnedtool",
                "somelib",
                "branchy"
            ]
        );
        assert!(!req(&f, "mypkg").pinned, "a tag is not a commit");
        assert!(req(&f, "other").pinned);
        assert!(req(&f, "wheelpkg").pinned);
        assert!(!req(&f, "tool").pinned);
        assert!(req(&f, "pinnedtool").pinned);
        assert!(req(&f, "somelib").pinned);
        assert!(!req(&f, "branchy").pinned);
    }

    #[test]
    fn requirements_txt_malformed_lines_are_problems() {
        let text = "numpy==1.0\nthis is not a requirement\ntorch[cuda>=2\n==1.0\npandas>=\n-r\n";
        let f = p("requirements.txt", text);
        assert_eq!(names(&f), ["numpy"]);
        assert_eq!(f.problems.len(), 5, "{:?}", f.problems);
        assert!(f.problems[0].starts_with("line 2:"));
    }

    #[test]
    fn requirements_txt_odd_input_does_not_panic() {
        for text in [
            "",
            "\\",
            "\\\n\\\n",
            "-",
            "--",
            "-é",
            "é==1",
            "#",
            "[",
            "a[",
            "a @",
            "a @ ;",
            "\u{feff}numpy",
            "a==1 \\",
            "<html><body>not found</body></html>",
            "x; ",
            "'",
            "a ; b \" -c",
        ] {
            let _ = p("requirements.txt", text);
        }
        let f = p("requirements.txt", "\u{feff}numpy==1.0");
        assert_eq!(names(&f), ["numpy"]);
    }

    #[test]
    fn conda_environment() {
        let text = "\
name: proj
channels:
  - pytorch
  - conda-forge
dependencies:
  - python=3.10.12
  - numpy=1.26.4
  - scipy=1.11
  - pandas
  - pytorch::pytorch=2.1.0=py3.10_cuda11.8_cudnn8.7.0_0
  - conda-forge::matplotlib>=3.7
  - cudatoolkit 11.8.0 h6a678d5_0
  - scikit-learn==1.3.0
  - tqdm=4.*
  - pip
  - pip:
    - transformers==4.35.0
    - -r requirements-extra.txt
    - -e .
    - datasets>=2.0
";
        let f = p("env/environment.yml", text);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(f.python, Some(("3.10.12".to_string(), Some(6))));
        assert_eq!(
            names(&f),
            [
                "numpy",
                "scipy",
                "pandas",
                "pytorch",
                "matplotlib",
                "cudatoolkit",
                "scikit-learn",
                "tqdm",
                "transformers",
                "datasets"
            ]
        );
        assert!(req(&f, "numpy").pinned);
        assert_eq!(req(&f, "numpy").line, Some(7));
        assert!(req(&f, "scipy").pinned, "conda prefix pin counts");
        assert!(!req(&f, "pandas").pinned);
        assert!(req(&f, "pytorch").pinned);
        assert_eq!(req(&f, "pytorch").line, Some(10));
        assert!(!req(&f, "matplotlib").pinned);
        assert!(req(&f, "cudatoolkit").pinned);
        assert!(req(&f, "scikit-learn").pinned);
        assert!(!req(&f, "tqdm").pinned);
        assert!(req(&f, "transformers").pinned);
        assert_eq!(req(&f, "transformers").line, Some(17));
        assert!(!req(&f, "datasets").pinned);
        assert_eq!(req(&f, "datasets").line, Some(20));
        assert_eq!(f.includes, ["env/requirements-extra.txt"]);
        assert_eq!(pin_level(&[f]), PinLevel::L1);
    }

    #[test]
    fn conda_environment_fully_pinned_and_python_range() {
        let text =
            "dependencies:\n  - python>=3.9\n  - numpy=1.26.4\n  - pip:\n    - torch==2.1.0\n";
        let f = p("environment.yaml", text);
        assert_eq!(f.python, Some((">=3.9".to_string(), Some(2))));
        assert_eq!(pin_level(&[f]), PinLevel::L2);
    }

    #[test]
    fn conda_environment_malformed() {
        let f = p("environment.yml", "dependencies: [numpy\n  - : :");
        assert!(!f.problems.is_empty());
        let f = p("environment.yml", "dependencies: numpy");
        assert_eq!(f.problems, ["`dependencies` is not a list"]);
        let f = p("environment.yml", "just text");
        assert_eq!(f.problems, ["not a YAML mapping"]);
        let f = p("environment.yml", "");
        assert!(f.problems.is_empty() && f.requirements.is_empty());
        let f = p(
            "environment.yml",
            "dependencies:\n  - 3\n  - {foo: bar}\n  - '>=1'\n  - pip: 4\n",
        );
        assert_eq!(f.problems.len(), 4, "{:?}", f.problems);
    }

    #[test]
    fn pyproject_pep621() {
        let text = r#"[build-system]
requires = ["setuptools>=61"]

[project]
name = "proj"
requires-python = ">=3.9"
dependencies = [
    "torch>=2.0",
    "numpy==1.26.4",
    'pyyaml',
]

[project.optional-dependencies]
dev = ["pytest==7.4.0"]

[dependency-groups]
lint = ["ruff==0.1.0", {include-group = "dev"}]

[tool.uv]
dev-dependencies = ["mypy==1.5.0"]

[tool.pdm.dev-dependencies]
test = ["coverage>=7", "-e file:///${PROJECT_ROOT}/sub"]
"#;
        let f = p("pyproject.toml", text);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(f.python, Some((">=3.9".to_string(), Some(6))));
        assert_eq!(
            names(&f),
            ["torch", "numpy", "pyyaml", "pytest", "ruff", "mypy", "coverage"]
        );
        assert_eq!(req(&f, "torch").line, Some(8));
        assert_eq!(req(&f, "pyyaml").line, Some(10));
        assert_eq!(req(&f, "pytest").line, Some(14));
        assert_eq!(req(&f, "ruff").line, Some(17));
        assert_eq!(req(&f, "coverage").line, Some(23));
        assert!(req(&f, "numpy").pinned && !req(&f, "torch").pinned);
    }

    #[test]
    fn pyproject_poetry() {
        let text = r#"[tool.poetry]
name = "proj"

[tool.poetry.dependencies]
python = "^3.10"
torch = "2.1.0"
numpy = "^1.26"
pandas = { version = "==2.1.1", extras = ["parquet"] }
mylib = { path = "../mylib", develop = true }
gitdep = { git = "https://github.com/org/gitdep.git", rev = "0123456789abcdef" }
branchdep = { git = "https://github.com/org/b.git", branch = "main" }
multi = [
    { version = "1.0.0", python = "<3.11" },
    { version = "1.1.0", python = ">=3.11" },
]

[tool.poetry.group.dev.dependencies]
pytest = "~7.4"

[tool.poetry.dev-dependencies]
black = "23.1.0"
"#;
        let f = p("pyproject.toml", text);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(f.python, Some(("^3.10".to_string(), Some(5))));
        assert_eq!(
            names(&f),
            [
                "torch",
                "numpy",
                "pandas",
                "gitdep",
                "branchdep",
                "multi",
                "pytest",
                "black"
            ]
        );
        assert!(req(&f, "torch").pinned);
        assert_eq!(req(&f, "torch").line, Some(6));
        assert_eq!(req(&f, "torch").spec, "torch = \"2.1.0\"");
        assert!(!req(&f, "numpy").pinned);
        assert!(req(&f, "pandas").pinned);
        assert!(req(&f, "gitdep").pinned);
        assert!(!req(&f, "branchdep").pinned);
        assert!(req(&f, "multi").pinned);
        assert!(!req(&f, "pytest").pinned);
        assert_eq!(req(&f, "pytest").line, Some(18));
        assert!(req(&f, "black").pinned);
        assert_eq!(req(&f, "black").line, Some(21));
    }

    #[test]
    fn pyproject_dynamic_files_and_malformed() {
        let text = r#"[project]
dynamic = ["dependencies"]
[tool.setuptools.dynamic]
dependencies = {file = ["requirements.txt"]}
optional-dependencies.dev = {file = "requirements-dev.txt"}
"#;
        let f = p("pkg/pyproject.toml", text);
        assert_eq!(
            f.includes,
            ["pkg/requirements.txt", "pkg/requirements-dev.txt"]
        );
        let f = p("pyproject.toml", "[project\ndependencies = [");
        assert_eq!(f.problems.len(), 1);
        assert!(f.problems[0].starts_with("does not parse as TOML"));
        let f = p("pyproject.toml", "[project]\ndependencies = \"torch\"\n");
        assert_eq!(f.problems, ["`project.dependencies` is not a list"]);
        let f = p(
            "pyproject.toml",
            "[project]\ndependencies = [\"torch>=\", 3]\n",
        );
        assert_eq!(f.problems.len(), 1, "{:?}", f.problems);
    }

    #[test]
    fn pipfile() {
        let text = r#"[[source]]
url = "https://pypi.org/simple"
name = "pypi"

[packages]
numpy = "==1.26.4"
requests = "*"
torch = {version = "==2.1.0", index = "pytorch"}
local = {path = ".", editable = true}

[dev-packages]
pytest = ">=7"

[requires]
python_version = "3.10"
"#;
        let f = p("Pipfile", text);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(names(&f), ["numpy", "requests", "torch", "pytest"]);
        assert!(req(&f, "numpy").pinned && req(&f, "torch").pinned);
        assert!(!req(&f, "requests").pinned && !req(&f, "pytest").pinned);
        assert_eq!(req(&f, "numpy").line, Some(6));
        assert_eq!(req(&f, "pytest").line, Some(12));
        assert_eq!(f.python, Some(("3.10".to_string(), Some(15))));
    }

    #[test]
    fn pipfile_lock() {
        let text = r#"{
    "_meta": {"requires": {"python_version": "3.10"}},
    "default": {
        "numpy": {
            "hashes": ["sha256:aaa"],
            "version": "==1.26.4"
        },
        "mylib": {"editable": true, "path": "."}
    },
    "develop": {
        "pytest": {"hashes": [], "version": "==7.4.0"}
    }
}"#;
        let f = p("Pipfile.lock", text);
        assert!(f.is_lock);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(names(&f), ["numpy", "pytest"]);
        assert!(req(&f, "numpy").hashed && !req(&f, "pytest").hashed);
        assert!(f.requirements.iter().all(|r| r.pinned));
        assert_eq!(req(&f, "numpy").line, Some(4));
        assert_eq!(req(&f, "numpy").spec, "numpy==1.26.4");
        assert_eq!(f.python.as_ref().map(|p| p.0.as_str()), Some("3.10"));
        let bad = p("Pipfile.lock", "{not json");
        assert_eq!(bad.problems.len(), 1);
        assert_eq!(pin_level(&[bad]), PinLevel::L0);
        assert_eq!(pin_level(&[f]), PinLevel::L3);
    }

    #[test]
    fn uv_lock() {
        let text = r#"version = 1
requires-python = ">=3.10"

[[package]]
name = "numpy"
version = "1.26.4"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://x/numpy-1.26.4.tar.gz", hash = "sha256:aaa", size = 1 }
wheels = [{ url = "https://x/numpy.whl", hash = "sha256:bbb", size = 2 }]

[[package]]
name = "proj"
version = "0.1.0"
source = { editable = "." }

[[package]]
name = "Torch"
version = "2.1.0"
source = { registry = "https://pypi.org/simple" }
"#;
        let f = p("uv.lock", text);
        assert!(f.is_lock && f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(names(&f), ["numpy", "torch"]);
        assert!(req(&f, "numpy").hashed && !req(&f, "torch").hashed);
        assert_eq!(req(&f, "numpy").line, Some(5));
        assert_eq!(req(&f, "torch").line, Some(17));
        assert_eq!(f.python, Some((">=3.10".to_string(), Some(2))));
    }

    #[test]
    fn poetry_and_pdm_locks() {
        let poetry = r#"[[package]]
name = "numpy"
version = "1.26.4"
files = [{file = "numpy.whl", hash = "sha256:aaa"}]

[[package]]
name = "mylib"
version = "0.1.0"
[package.source]
type = "directory"
url = "../mylib"

[metadata]
python-versions = "^3.10"
content-hash = "x"
"#;
        let f = p("poetry.lock", poetry);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(names(&f), ["numpy"]);
        assert!(req(&f, "numpy").hashed && req(&f, "numpy").pinned);
        assert_eq!(f.python.as_ref().map(|p| p.0.as_str()), Some("^3.10"));

        let old_poetry = r#"[[package]]
name = "six"
version = "1.16.0"

[metadata.files]
six = [{file = "six.whl", hash = "sha256:aaa"}]
"#;
        let f = p("poetry.lock", old_poetry);
        assert!(req(&f, "six").hashed);

        let pdm = r#"[metadata]
groups = ["default"]

[[metadata.targets]]
requires_python = ">=3.9"

[[package]]
name = "requests"
version = "2.31.0"
files = [{file = "requests.whl", hash = "sha256:aaa"}]
"#;
        let f = p("pdm.lock", pdm);
        assert!(f.is_lock);
        assert_eq!(names(&f), ["requests"]);
        assert_eq!(f.python.as_ref().map(|p| p.0.as_str()), Some(">=3.9"));
        assert_eq!(req(&f, "requests").line, Some(8));

        let bad = p("uv.lock", "[[package]\nname=");
        assert_eq!(bad.problems.len(), 1);
        let weird = p("poetry.lock", "package = 3\n[[x]]\n");
        assert_eq!(weird.problems.len(), 1);
    }

    #[test]
    fn conda_lock() {
        let text = "\
version: 1
metadata:
  platforms: [linux-64, osx-64]
package:
  - name: python
    version: 3.10.12
    manager: conda
    platform: linux-64
    hash:
      md5: aaa
      sha256: bbb
  - name: numpy
    version: 1.26.4
    manager: conda
    platform: linux-64
    hash:
      md5: ccc
  - name: numpy
    version: 1.26.4
    manager: conda
    platform: osx-64
    hash:
      md5: ddd
  - name: transformers
    version: 4.35.0
    manager: pip
    platform: linux-64
    hash:
      sha256: eee
";
        let f = p("conda-lock.yml", text);
        assert!(f.is_lock && f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(names(&f), ["numpy", "transformers"]);
        assert!(f.requirements.iter().all(|r| r.pinned && r.hashed));
        assert_eq!(f.python.as_ref().map(|p| p.0.as_str()), Some("3.10.12"));
        assert_eq!(req(&f, "numpy").line, Some(12));
        let bad = p("conda-lock.yml", "version: 1\n");
        assert_eq!(bad.problems, ["no `package:` list"]);
        let bad = p("conda-lock.yml", "package: [");
        assert!(!bad.problems.is_empty());
    }

    #[test]
    fn setup_cfg() {
        let text = "\
[metadata]
name = proj

[options]
python_requires = >=3.8
install_requires =
    numpy==1.26.4
    torch>=2.0  # comment
    pyyaml; python_version >= \"3.8\"
packages = find:

[options.extras_require]
dev = pytest==7.4.0; black==23.1.0
docs =
    sphinx
";
        let f = p("setup.cfg", text);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(f.python, Some((">=3.8".to_string(), Some(5))));
        assert_eq!(
            names(&f),
            ["numpy", "torch", "pyyaml", "pytest", "black", "sphinx"]
        );
        assert_eq!(req(&f, "numpy").line, Some(7));
        assert_eq!(req(&f, "pyyaml").line, Some(9));
        assert_eq!(req(&f, "black").line, Some(13));
        assert!(req(&f, "numpy").pinned && !req(&f, "torch").pinned);

        let f = p(
            "pkg/setup.cfg",
            "[options]\ninstall_requires = file: requirements.txt, extra.txt\n",
        );
        assert_eq!(f.includes, ["pkg/requirements.txt", "pkg/extra.txt"]);
        assert!(f.requirements.is_empty());
        let _ = p(
            "setup.cfg",
            "[\n=\n  x\n[options\ninstall_requires=\n  ][\n",
        );
    }

    #[test]
    fn setup_py_literals_and_names() {
        let text = r#"
import setuptools
from setuptools import setup, find_packages

BASE = ["numpy==1.26.4", "torch>=2.0"]
BASE += ["scipy"]
BASE.append("tqdm==4.66.1")
TORCH = "torchvision==0.16.0"
extras = {"dev": ["pytest"], "viz": ["matplotlib==3.8.0"]}

setup(
    name="proj",
    python_requires=">=3.9",
    install_requires=BASE + [TORCH, *["einops"]],
    extras_require=extras,
)
"#;
        let f = p("setup.py", text);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(f.python, Some((">=3.9".to_string(), Some(13))));
        let mut n = names(&f);
        n.sort_unstable();
        assert_eq!(
            n,
            [
                "einops",
                "matplotlib",
                "numpy",
                "pytest",
                "scipy",
                "torch",
                "torchvision",
                "tqdm"
            ]
        );
        assert_eq!(req(&f, "numpy").line, Some(5));
        assert_eq!(req(&f, "torchvision").line, Some(8));
        assert_eq!(req(&f, "einops").line, Some(14));
        assert!(req(&f, "numpy").pinned && !req(&f, "scipy").pinned);
    }

    #[test]
    fn setup_py_reads_requirements_file() {
        let text = r#"
import os
import setuptools

here = os.path.dirname(__file__)

def read_requirements():
    with open(os.path.join(here, "requirements/base.txt")) as f:
        return f.read().splitlines()

setuptools.setup(
    name="proj",
    install_requires=read_requirements(),
    extras_require={"dev": open("requirements-dev.txt").read().splitlines()},
)
"#;
        let f = p("pkg/setup.py", text);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert!(f.requirements.is_empty());
        assert_eq!(
            f.includes,
            ["pkg/requirements/base.txt", "pkg/requirements-dev.txt"]
        );
    }

    #[test]
    fn setup_py_with_open_and_comprehension() {
        let text = r#"
from setuptools import setup
with open("requirements.txt") as fh:
    reqs = fh.read().splitlines()
setup(
    install_requires=reqs,
    extras_require={"gpu": [l.strip() for l in open("requirements-gpu.txt")]},
)
"#;
        let f = p("setup.py", text);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(f.includes, ["requirements.txt", "requirements-gpu.txt"]);
    }

    #[test]
    fn setup_py_kwargs_dict_and_dynamic() {
        let text = r#"
from setuptools import setup
config = dict(install_requires=["numpy"], python_requires=">=3.8")
setup(**config)
"#;
        let f = p("setup.py", text);
        assert_eq!(names(&f), ["numpy"]);
        assert_eq!(f.python.as_ref().map(|p| p.0.as_str()), Some(">=3.8"));

        let text = "from setuptools import setup\nsetup(install_requires=get_deps())\n";
        let f = p("setup.py", text);
        assert_eq!(f.problems.len(), 1);
        assert!(f.requirements.is_empty());

        // Broken syntax: whatever can be read, no panic.
        let f = p("setup.py", "setup(install_requires=['numpy==1.0', \n");
        assert!(f.requirements.len() <= 1);
        let _ = p("setup.py", "");
        let _ = p("setup.py", "def (:\n\x00");
    }

    #[test]
    fn pin_levels() {
        let unpinned = p("requirements.txt", "numpy\n");
        let pinned = p("requirements.txt", "numpy==1.0\n");
        let hashed = p("requirements.txt", "numpy==1.0 --hash=sha256:abc\n");
        let empty = p("requirements.txt", "# nothing\n");
        let lock = p("uv.lock", "version = 1\n");
        assert_eq!(pin_level(&[]), PinLevel::L0);
        assert_eq!(pin_level(std::slice::from_ref(&empty)), PinLevel::L0);
        assert_eq!(pin_level(std::slice::from_ref(&unpinned)), PinLevel::L1);
        assert_eq!(pin_level(std::slice::from_ref(&pinned)), PinLevel::L2);
        // A package pinned in one list is installed pinned from it.
        assert_eq!(pin_level(&[pinned.clone(), unpinned.clone()]), PinLevel::L2);
        let other = p("requirements-dev.txt", "scipy\n");
        assert_eq!(pin_level(&[pinned.clone(), other]), PinLevel::L1);
        assert_eq!(pin_level(std::slice::from_ref(&hashed)), PinLevel::L3);
        assert_eq!(pin_level(&[hashed, pinned.clone()]), PinLevel::L2);
        assert_eq!(pin_level(&[unpinned, lock]), PinLevel::L3);
        assert!(PinLevel::L3 > PinLevel::L2 && PinLevel::L1 > PinLevel::L0);
        assert_eq!(PinLevel::L2.as_str(), "L2");
        assert_eq!(
            serde_json::to_string(&PinLevel::L3).unwrap_or_default(),
            "\"l3\""
        );
    }

    #[test]
    fn spec_reader() {
        let r = requirement_from_spec("Foo.Bar_baz[x] >= 1, < 2", Some(3))
            .ok()
            .flatten();
        assert_eq!(r.as_ref().map(|r| r.name.as_str()), Some("foo-bar-baz"));
        assert_eq!(r.as_ref().and_then(|r| r.line), Some(3));
        assert!(requirement_from_spec(".", None).is_ok_and(|r| r.is_none()));
        assert!(requirement_from_spec("", None).is_err());
        assert!(requirement_from_spec("-bad", None).is_err());
        assert!(
            requirement_from_spec("pkg @ file:///tmp/pkg-1.0.tar.gz", None)
                .is_ok_and(|r| r.is_some_and(|r| r.pinned))
        );
    }
}
