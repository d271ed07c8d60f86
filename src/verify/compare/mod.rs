//! Comparing one run's artifacts with another's, in three tiers.
//!
//! Both files are hashed first (blake3); equal hashes are `bit_exact`.
//! Otherwise the file's kind (from its name) decides how it is compared:
//! JSON/JSON Lines/YAML/TOML per key, CSV/TSV per cell, `.npy`/`.npz`/
//! safetensors per array element with per-dtype tolerances, text per line
//! (numbers inside lines with tolerance), anything else as bytes. When
//! nothing is beyond tolerance the verdict is `within_tolerance`, else
//! `differs`. A file that cannot be parsed `differs`, with a note saying so.
//!
//! Statistics: `total_elements` and `differing_elements` count numbers
//! (lines for text); `differing_elements` counts every number that is not
//! exactly equal, within tolerance or not, and `exceeding_elements` those
//! beyond it. `max_rel_diff` is taken over non-zero reference values (the
//! second run is the reference, as `expected` in `torch.testing`).
//! `first_difference` is the first location beyond tolerance when the
//! verdict is `differs`, else the first location that differs at all.

pub mod globs;
pub mod hash;
mod structured;
mod table;
mod tensor;
mod text;
pub mod tolerance;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

pub use globs::{GlobError, PathGlobs};
pub use hash::hash_file;
pub use tolerance::{path_glob_match, CompiledTolerances, DType, PathTol, Tol, Tolerances};

use tolerance::Stats;

/// How an artifact of one run compares with the other run's.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Identical bytes.
    BitExact,
    /// Bytes differ, but every value is within tolerance.
    WithinTolerance,
    /// Something differs beyond tolerance, or could not be compared.
    Differs,
}

impl Verdict {
    /// The verdict as the JSON contract spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::BitExact => "bit_exact",
            Verdict::WithinTolerance => "within_tolerance",
            Verdict::Differs => "differs",
        }
    }
}

/// The worst verdict of a set of artifacts (`bit_exact` for none).
pub fn overall(results: &[ArtifactResult]) -> Verdict {
    results
        .iter()
        .map(|r| r.verdict)
        .max()
        .unwrap_or(Verdict::BitExact)
}

/// The format an artifact is compared as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "ArtifactKind")]
pub enum Kind {
    /// `.json`, `.jsonl`, `.ndjson`, `.geojson`, `.ipynb`.
    Json,
    /// `.yaml`, `.yml`.
    Yaml,
    /// `.toml`.
    Toml,
    /// `.csv`.
    Csv,
    /// `.tsv`, `.tab`.
    Tsv,
    /// `.npy`.
    Npy,
    /// `.npz`.
    Npz,
    /// `.safetensors`.
    Safetensors,
    /// Plain text (`.txt`, `.log`, `.md`, …; or any UTF-8 file without
    /// a known extension).
    Text,
    /// Anything else.
    Binary,
}

impl Kind {
    /// The kind a file name suggests.
    pub fn from_path(path: &str) -> Kind {
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        let ext = match name.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
            _ => return Kind::Binary,
        };
        match ext.as_str() {
            "json" | "jsonl" | "ndjson" | "geojson" | "ipynb" => Kind::Json,
            "yaml" | "yml" => Kind::Yaml,
            "toml" => Kind::Toml,
            "csv" => Kind::Csv,
            "tsv" | "tab" => Kind::Tsv,
            "npy" => Kind::Npy,
            "npz" => Kind::Npz,
            "safetensors" => Kind::Safetensors,
            "txt" | "text" | "log" | "out" | "md" | "rst" | "tex" | "html" | "htm" | "xml"
            | "svg" | "ini" | "cfg" | "conf" | "py" | "sh" | "r" | "dat" | "arff" | "tsx"
            | "ts" | "js" | "css" => Kind::Text,
            _ => Kind::Binary,
        }
    }

    /// The kind as the JSON contract spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Json => "json",
            Kind::Yaml => "yaml",
            Kind::Toml => "toml",
            Kind::Csv => "csv",
            Kind::Tsv => "tsv",
            Kind::Npy => "npy",
            Kind::Npz => "npz",
            Kind::Safetensors => "safetensors",
            Kind::Text => "text",
            Kind::Binary => "binary",
        }
    }
}

/// The comparison of one artifact between two runs (SPEC §6 `artifacts[]`).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ArtifactResult {
    /// Path relative to the project root, `/`-separated.
    pub path: String,
    /// How it was compared.
    pub kind: Kind,
    /// The tier.
    pub verdict: Verdict,
    /// Largest finite absolute difference between numbers.
    pub max_abs_diff: Option<f64>,
    /// Largest relative difference (over non-zero reference values).
    pub max_rel_diff: Option<f64>,
    /// Numbers (lines, for text) that are not exactly equal.
    pub differing_elements: Option<u64>,
    /// Numbers (lines, for text) compared.
    pub total_elements: Option<u64>,
    /// The first differing key, cell, index or line.
    pub first_difference: Option<String>,
    /// Numbers (lines, for text) beyond tolerance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exceeding_elements: Option<u64>,
    /// Size in the first run, in bytes (0 when absent).
    pub size_a: u64,
    /// Size in the second run, in bytes (0 when absent).
    pub size_b: u64,
    /// blake3 of the first run's file, hex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash_a: Option<String>,
    /// blake3 of the second run's file, hex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash_b: Option<String>,
    /// Anything else worth saying: why it could not be compared, the first
    /// difference's values, volatile keys ignored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl ArtifactResult {
    fn new(path: &str, kind: Kind) -> Self {
        ArtifactResult {
            path: path.to_string(),
            kind,
            verdict: Verdict::Differs,
            max_abs_diff: None,
            max_rel_diff: None,
            differing_elements: None,
            total_elements: None,
            first_difference: None,
            exceeding_elements: None,
            size_a: 0,
            size_b: 0,
            hash_a: None,
            hash_b: None,
            note: None,
        }
    }

    fn add_note(&mut self, note: impl Into<String>) {
        let note = note.into();
        self.note = Some(match self.note.take() {
            Some(old) => format!("{old}; {note}"),
            None => note,
        });
    }
}

/// Keys ignored by default in JSON/YAML/TOML documents and CSV headers:
/// timings, timestamps, throughput, host and process identity. A key
/// matches a name when equal to it, or a `*` pattern (`*_per_second`),
/// case-insensitively; a pattern with a `.` matches the dotted key path.
pub const DEFAULT_VOLATILE_KEYS: &[&str] = &[
    "runtime",
    "run_time",
    "duration",
    "elapsed",
    "elapsed_time",
    "time",
    "times",
    "timestamp",
    "timestamps",
    "date",
    "datetime",
    "start_time",
    "end_time",
    "started_at",
    "ended_at",
    "finished_at",
    "created_at",
    "updated_at",
    "wall_time",
    "walltime",
    "wall_seconds",
    "cpu_time",
    "total_time",
    "throughput",
    "hostname",
    "host",
    "pid",
    "ppid",
    "username",
    "uuid",
    "run_id",
    "*_time",
    "*_timestamp",
    "*_duration",
    "*_runtime",
    "*_seconds",
    "*_secs",
    "*_sec",
    "*_ms",
    "*_per_second",
    "*_per_sec",
    "*_per_s",
    "*_at",
];

/// [`DEFAULT_VOLATILE_KEYS`] as owned strings.
pub fn default_volatile_keys() -> Vec<String> {
    DEFAULT_VOLATILE_KEYS
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// Volatile-key patterns, prepared for matching.
#[derive(Debug, Clone, Default)]
pub struct VolatileKeys {
    exact: HashSet<String>,
    globs: globs::KeyGlobs,
    paths: globs::KeyGlobs,
    any: bool,
}

impl VolatileKeys {
    /// Prepares patterns (see [`DEFAULT_VOLATILE_KEYS`]); a glob that cannot
    /// be compiled is an error naming it.
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<Self, GlobError> {
        let mut exact = HashSet::new();
        let mut globs = Vec::new();
        let mut paths = Vec::new();
        for p in patterns {
            let p = p.as_ref().trim().to_lowercase();
            if p.is_empty() {
                continue;
            }
            if p.contains('.') {
                paths.push(p);
            } else if p.contains(['*', '?']) {
                globs.push(p);
            } else {
                exact.insert(p);
            }
        }
        Ok(VolatileKeys {
            any: !(exact.is_empty() && globs.is_empty() && paths.is_empty()),
            exact,
            globs: globs::KeyGlobs::new(&globs)?,
            paths: globs::KeyGlobs::new(&paths)?,
        })
    }

    /// The default patterns.
    pub fn defaults() -> Self {
        VolatileKeys::new(DEFAULT_VOLATILE_KEYS).unwrap_or_default()
    }

    /// Whether a key (its own name, and its dotted path from the root) is
    /// volatile.
    pub fn matches(&self, key: &str, path: &str) -> bool {
        if !self.any {
            return false;
        }
        let key = key.to_lowercase();
        if self.exact.contains(&key) || self.globs.is_match(&key) {
            return true;
        }
        !self.paths.is_empty() && self.paths.is_match(&path.to_lowercase())
    }
}

/// Compiles the tolerance globs and the volatile-key patterns once, for
/// every artifact; an invalid glob is an error naming it.
pub fn prepare(
    tol: &Tolerances,
    volatile_keys: &[String],
) -> Result<(CompiledTolerances, VolatileKeys), GlobError> {
    Ok((tol.compile()?, VolatileKeys::new(volatile_keys)?))
}

/// The result for an artifact that could not be compared because a glob of
/// the settings is invalid.
fn glob_failure(rel_path: &str, e: &GlobError) -> ArtifactResult {
    let mut out = ArtifactResult::new(rel_path, Kind::from_path(rel_path));
    out.add_note(format!("not compared: {e}"));
    out
}

/// Lower-case hex of a hash.
fn hex(h: &blake3::Hash) -> String {
    h.to_hex().to_string()
}

/// One run's copy of an artifact, opened once: what is there, its hash and,
/// for a small file, its bytes (kept for the format-aware comparison, so
/// that no file is read twice).
enum Side {
    /// Nothing at the path.
    Missing,
    /// A folder: its files are compared instead.
    Dir,
    /// Something that cannot be read as a file (a FIFO, a socket, a device,
    /// no permission).
    Unreadable { len: u64, why: String },
    /// A regular file.
    File {
        len: u64,
        hash: blake3::Hash,
        bytes: Option<Vec<u8>>,
    },
}

impl Side {
    fn len(&self) -> u64 {
        match self {
            Side::Unreadable { len, .. } | Side::File { len, .. } => *len,
            Side::Missing | Side::Dir => 0,
        }
    }

    fn hash(&self) -> Option<String> {
        match self {
            Side::File { hash, .. } => Some(hex(hash)),
            _ => None,
        }
    }
}

/// Opens `p` once (following symlinks, never blocking on a FIFO) and hashes
/// what it holds.
fn load(p: &Path) -> Side {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(p);
    let mut file = match file {
        Ok(f) => f,
        Err(e)
            if e.kind() == std::io::ErrorKind::NotFound
                || e.raw_os_error() == Some(libc::ENOTDIR) =>
        {
            return Side::Missing
        }
        Err(e) => {
            let len = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
            return Side::Unreadable {
                len,
                why: e.to_string(),
            };
        }
    };
    let meta = match file.metadata() {
        Ok(m) => m,
        Err(e) => {
            return Side::Unreadable {
                len: 0,
                why: e.to_string(),
            }
        }
    };
    if meta.is_dir() {
        return Side::Dir;
    }
    if !meta.is_file() {
        return Side::Unreadable {
            len: 0,
            why: "not a regular file (FIFO, socket or device)".into(),
        };
    }
    match hash::hash_open(&mut file, p, meta.len()) {
        Ok((hash, bytes)) => Side::File {
            len: meta.len(),
            hash,
            bytes,
        },
        Err(e) => Side::Unreadable {
            len: meta.len(),
            why: e.to_string(),
        },
    }
}

/// The bytes of a loaded file: those kept while hashing, else read again
/// (large files only).
fn bytes_of<'s>(p: &Path, side: &'s Side) -> std::io::Result<std::borrow::Cow<'s, [u8]>> {
    match side {
        Side::File { bytes: Some(b), .. } => Ok(std::borrow::Cow::Borrowed(b)),
        _ => std::fs::read(p).map(std::borrow::Cow::Owned),
    }
}

/// Compares the artifact at `rel_path` between two runs: `a` is the first
/// run's file, `b` the second's (the reference for relative differences).
/// A file missing from one run `differs`; missing from both is `bit_exact`
/// with a note. Never panics on malformed content.
pub fn compare_files(
    rel_path: &str,
    a: &Path,
    b: &Path,
    tol: &Tolerances,
    volatile_keys: &[String],
) -> ArtifactResult {
    match prepare(tol, volatile_keys) {
        Ok((tol, volatile)) => compare_sides(rel_path, a, &load(a), b, &load(b), &tol, &volatile),
        Err(e) => glob_failure(rel_path, &e),
    }
}

/// The result for a path that is a folder in one run and something else in
/// another.
fn folder_and_file(rel_path: &str) -> ArtifactResult {
    let mut out = ArtifactResult::new(rel_path, Kind::from_path(rel_path));
    out.add_note("a folder in one run and a file in another");
    out
}

fn compare_sides(
    rel_path: &str,
    a: &Path,
    side_a: &Side,
    b: &Path,
    side_b: &Side,
    tol: &CompiledTolerances,
    volatile: &VolatileKeys,
) -> ArtifactResult {
    let mut kind = Kind::from_path(rel_path);
    let mut out = ArtifactResult::new(rel_path, kind);
    out.size_a = side_a.len();
    out.size_b = side_b.len();
    match (side_a, side_b) {
        (Side::Dir, Side::Dir) => {
            out.add_note("a folder in both runs");
            return out;
        }
        (Side::Dir, _) | (_, Side::Dir) => return folder_and_file(rel_path),
        (Side::Missing, Side::Missing) => {
            out.verdict = Verdict::BitExact;
            out.add_note("absent from both runs");
            return out;
        }
        (Side::Missing, _) => {
            out.add_note("missing in the first run");
            out.hash_b = side_b.hash();
            return out;
        }
        (_, Side::Missing) => {
            out.add_note("missing in the second run");
            out.hash_a = side_a.hash();
            return out;
        }
        (Side::Unreadable { why, .. }, _) => {
            out.add_note(format!("could not read the first run's file: {why}"));
            return out;
        }
        (_, Side::Unreadable { why, .. }) => {
            out.add_note(format!("could not read the second run's file: {why}"));
            return out;
        }
        (Side::File { .. }, Side::File { .. }) => {}
    }
    out.hash_a = side_a.hash();
    out.hash_b = side_b.hash();
    let (Side::File { hash: hash_a, .. }, Side::File { hash: hash_b, .. }) = (side_a, side_b)
    else {
        return out;
    };
    if hash_a == hash_b {
        out.verdict = Verdict::BitExact;
        return out;
    }

    let (da, db) = match (bytes_of(a, side_a), bytes_of(b, side_b)) {
        (Ok(x), Ok(y)) => (x, y),
        (Err(e), _) | (_, Err(e)) => {
            out.add_note(format!("could not read: {e}"));
            return out;
        }
    };
    let (da, db): (&[u8], &[u8]) = (&da, &db);

    if kind == Kind::Binary && looks_textual(da) && looks_textual(db) {
        kind = Kind::Text;
        out.kind = kind;
    }
    let tol = tol.for_path(rel_path);
    let f64_tol = tol.for_dtype(DType::F64);
    let int_tol = tol.for_dtype(DType::Int);
    let result: Result<Stats, String> = match kind {
        Kind::Json | Kind::Yaml | Kind::Toml => {
            structured::compare(kind, da, db, f64_tol, int_tol, volatile)
        }
        Kind::Csv => table::compare(da, db, b',', f64_tol, int_tol, volatile),
        Kind::Tsv => table::compare(da, db, b'\t', f64_tol, int_tol, volatile),
        Kind::Npy => tensor::compare_npy(da, db, &tol),
        Kind::Npz => tensor::compare_npz(da, db, &tol),
        Kind::Safetensors => tensor::compare_safetensors(da, db, &tol, volatile),
        Kind::Text => match (std::str::from_utf8(da), std::str::from_utf8(db)) {
            (Ok(x), Ok(y)) => Ok(text::compare(x, y, f64_tol, int_tol)),
            _ => Err("not UTF-8 text".to_string()),
        },
        Kind::Binary => {
            out.first_difference = first_differing_byte(da, db).map(|i| format!("byte {i}"));
            out.add_note(format!(
                "binary files differ: {} vs {} bytes, blake3 {} vs {}",
                out.size_a,
                out.size_b,
                hex(hash_a),
                hex(hash_b)
            ));
            return out;
        }
    };
    match result {
        Ok(stats) => fill(&mut out, stats, kind),
        Err(e) => {
            out.add_note(format!("could not be parsed as {}: {e}", kind.as_str()));
            if let (Ok(x), Ok(y)) = (std::str::from_utf8(da), std::str::from_utf8(db)) {
                out.first_difference = text::compare(x, y, Tol::EXACT, Tol::EXACT).first_bad;
            } else {
                out.first_difference = first_differing_byte(da, db).map(|i| format!("byte {i}"));
            }
        }
    }
    out
}

/// Moves statistics into a result and decides between the two lower tiers.
fn fill(out: &mut ArtifactResult, stats: Stats, kind: Kind) {
    let bad = stats.is_bad();
    out.verdict = if bad {
        Verdict::Differs
    } else {
        Verdict::WithinTolerance
    };
    out.total_elements = Some(stats.total);
    out.differing_elements = Some(stats.differing);
    out.exceeding_elements = Some(stats.exceeding);
    out.max_abs_diff = Some(stats.max_abs);
    out.max_rel_diff = Some(stats.max_rel);
    out.first_difference = if bad {
        stats.first_bad.clone()
    } else {
        stats.first_diff.clone()
    };
    if let Some(detail) = &stats.first_bad_detail {
        out.add_note(format!("first difference beyond tolerance at {detail}"));
    }
    if stats.mismatches > 0 && kind != Kind::Text {
        out.add_note(format!("{} non-numeric difference(s)", stats.mismatches));
    }
    if stats.nonfinite > 0 {
        out.add_note(format!(
            "{} mismatch(es) involving NaN or infinity",
            stats.nonfinite
        ));
    }
    if !stats.volatile_skipped.is_empty() {
        const SHOWN: usize = 10;
        let mut list = stats
            .volatile_skipped
            .iter()
            .take(SHOWN)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if stats.volatile_skipped.len() > SHOWN {
            list.push_str(&format!(", … ({} in all)", stats.volatile_skipped.len()));
        }
        out.add_note(format!("volatile keys ignored: {list}"));
    }
    for note in &stats.notes {
        out.add_note(note.clone());
    }
    if !bad && stats.differing == 0 && stats.volatile_skipped.is_empty() && stats.notes.is_empty() {
        out.add_note("same values, different bytes (formatting or order)");
    }
}

/// The offset of the first differing byte (the shorter length when one is a
/// prefix of the other).
fn first_differing_byte(a: &[u8], b: &[u8]) -> Option<usize> {
    a.iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .or_else(|| (a.len() != b.len()).then(|| a.len().min(b.len())))
}

/// Valid UTF-8 without NUL bytes.
fn looks_textual(bytes: &[u8]) -> bool {
    !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok()
}

/// Compares one artifact in the reference copy (`paths[0]`) with each other
/// copy (`paths[1..]`), each file opened and hashed once; the worst result
/// is kept (the first of equals). `None` when the path is a folder in some
/// copy: its files are compared instead.
fn compare_across(
    rel: &str,
    paths: &[PathBuf],
    tol: &CompiledTolerances,
    volatile: &VolatileKeys,
) -> Option<ArtifactResult> {
    let (first, others) = paths.split_first()?;
    let reference = load(first);
    if matches!(reference, Side::Dir) {
        return None;
    }
    let mut worst: Option<ArtifactResult> = None;
    for other in others {
        let side = load(other);
        if matches!(side, Side::Dir) {
            return None;
        }
        let r = compare_sides(rel, first, &reference, other, &side, tol, volatile);
        let done = r.verdict == Verdict::Differs;
        if worst.as_ref().is_none_or(|w| r.verdict > w.verdict) {
            worst = Some(r);
        }
        if done {
            break;
        }
    }
    worst
}

/// The files under a path that is a folder in some copy: the union of
/// every copy's files, by relative path, each with its path in every copy.
fn expand(rel: &str, paths: &[PathBuf]) -> Vec<(String, Vec<PathBuf>)> {
    let mut names = std::collections::BTreeSet::new();
    for root in paths {
        if root.is_dir() {
            list_files(root, "", &mut names);
        }
    }
    let base = rel.trim_end_matches('/');
    names
        .into_iter()
        .map(|name| {
            let joined = if base.is_empty() {
                name.clone()
            } else {
                format!("{base}/{name}")
            };
            (joined, paths.iter().map(|p| p.join(&name)).collect())
        })
        .collect()
}

fn list_files(dir: &Path, prefix: &str, out: &mut std::collections::BTreeSet<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        match entry.file_type() {
            Ok(t) if t.is_dir() => list_files(&entry.path(), &rel, out),
            Ok(_) => {
                out.insert(rel);
            }
            Err(_) => {}
        }
    }
}

/// A group of copies of one artifact: its relative path and its path in
/// each copy (the reference first), made on demand so that no list of every
/// artifact's paths is held.
type Group<'g> = dyn Fn(usize) -> (String, Vec<PathBuf>) + Sync + 'g;

/// Compares groups `0..n` (see [`Group`]) in parallel, folders expanded
/// into their files; `progress` hears of each group done (one per file
/// pair). One result per path, sorted; a path given twice keeps its worst
/// result.
fn compare_groups(
    n: usize,
    group: &Group,
    tol: &CompiledTolerances,
    volatile: &VolatileKeys,
    progress: &(dyn Fn(usize) + Sync),
) -> Vec<ArtifactResult> {
    use rayon::iter::Either;
    let (mut results, folders): (Vec<ArtifactResult>, Vec<usize>) =
        (0..n).into_par_iter().partition_map(|i| {
            let (rel, paths) = group(i);
            let r = compare_across(&rel, &paths, tol, volatile);
            progress(paths.len().saturating_sub(1));
            match r {
                Some(r) => Either::Left(r),
                None => Either::Right(i),
            }
        });
    let mut expanded = Vec::new();
    for i in folders {
        let (rel, paths) = group(i);
        if paths.iter().any(|p| p.is_file()) {
            results.push(folder_and_file(&rel));
        }
        expanded.extend(expand(&rel, &paths));
    }
    let inner: Vec<ArtifactResult> = expanded
        .par_iter()
        .map(|(rel, paths)| {
            compare_across(rel, paths, tol, volatile).unwrap_or_else(|| folder_and_file(rel))
        })
        .collect();
    results.extend(inner);
    results.par_sort_by(|x, y| x.path.cmp(&y.path));
    results.dedup_by(|later, earlier| {
        if later.path != earlier.path {
            return false;
        }
        if later.verdict > earlier.verdict {
            std::mem::swap(later, earlier);
        }
        true
    });
    results
}

/// Compares every pair `(relative path, first run's file, second run's
/// file)` in parallel; directories are expanded into their files. Results
/// are sorted by path. A file present in one run only `differs`.
pub fn compare_all(
    pairs: &[(String, PathBuf, PathBuf)],
    tol: &Tolerances,
    volatile: &[String],
) -> Vec<ArtifactResult> {
    let group = |i: usize| {
        let (rel, a, b) = &pairs[i];
        (rel.clone(), vec![a.clone(), b.clone()])
    };
    match prepare(tol, volatile) {
        Ok((tol, volatile)) => compare_groups(pairs.len(), &group, &tol, &volatile, &|_| {}),
        Err(e) => {
            let mut out: Vec<ArtifactResult> = pairs
                .iter()
                .map(|(rel, _, _)| glob_failure(rel, &e))
                .collect();
            out.sort_by(|x, y| x.path.cmp(&y.path));
            out
        }
    }
}

/// Compares each artifact of `paths` (relative to the copies) in the
/// reference copy with every other copy: one result per artifact, the worst
/// over the other copies (the first of equals), sorted by path. Each file is
/// opened and hashed once, in parallel, and a small file's bytes are read
/// once for both the hash and the format-aware comparison. `progress` hears
/// of the file pairs done.
pub fn compare_runs(
    paths: &[String],
    reference: &Path,
    others: &[&Path],
    tol: &Tolerances,
    volatile: &[String],
    progress: &(dyn Fn(usize) + Sync),
) -> Vec<ArtifactResult> {
    let group = |i: usize| {
        let p = &paths[i];
        let mut copies = Vec::with_capacity(others.len() + 1);
        copies.push(reference.join(p));
        copies.extend(others.iter().map(|o| o.join(p)));
        (p.clone(), copies)
    };
    match prepare(tol, volatile) {
        Ok((tol, volatile)) => compare_groups(paths.len(), &group, &tol, &volatile, progress),
        Err(e) => paths.iter().map(|p| glob_failure(p, &e)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_names() {
        assert_eq!(Kind::from_path("m/metrics.JSON"), Kind::Json);
        assert_eq!(Kind::from_path("a.jsonl"), Kind::Json);
        assert_eq!(Kind::from_path("params.yml"), Kind::Yaml);
        assert_eq!(Kind::from_path("x.toml"), Kind::Toml);
        assert_eq!(Kind::from_path("x.csv"), Kind::Csv);
        assert_eq!(Kind::from_path("x.tsv"), Kind::Tsv);
        assert_eq!(Kind::from_path("w.npy"), Kind::Npy);
        assert_eq!(Kind::from_path("w.npz"), Kind::Npz);
        assert_eq!(Kind::from_path("model.safetensors"), Kind::Safetensors);
        assert_eq!(Kind::from_path("train.log"), Kind::Text);
        assert_eq!(Kind::from_path("model.pkl"), Kind::Binary);
        assert_eq!(Kind::from_path(".hidden"), Kind::Binary);
        assert_eq!(Kind::from_path("README"), Kind::Binary);
    }

    #[test]
    fn verdicts_order_worst_last() {
        assert!(Verdict::BitExact < Verdict::WithinTolerance);
        assert!(Verdict::WithinTolerance < Verdict::Differs);
        assert_eq!(
            serde_json::to_value(Verdict::WithinTolerance).expect("serializes"),
            "within_tolerance"
        );
        assert_eq!(
            serde_json::to_value(Kind::Safetensors).expect("serializes"),
            "safetensors"
        );
        assert_eq!(overall(&[]), Verdict::BitExact);
    }

    #[test]
    fn volatile_patterns() {
        let v = VolatileKeys::defaults();
        assert!(v.matches("runtime", "runtime"));
        assert!(v.matches("Runtime", "x.Runtime"));
        assert!(v.matches("train_samples_per_second", "t.train_samples_per_second"));
        assert!(v.matches("created_at", "created_at"));
        assert!(!v.matches("accuracy", "accuracy"));
        assert!(!v.matches("seed", "seed"));
        let v = VolatileKeys::new(&["metrics.extra", "tmp_*"]).expect("compiles");
        assert!(v.matches("extra", "metrics.extra"));
        assert!(!v.matches("extra", "other.extra"));
        assert!(v.matches("TMP_x", "TMP_x"));
        assert!(!VolatileKeys::new::<&str>(&[])
            .expect("compiles")
            .matches("runtime", "runtime"));
        let long = "a".repeat(10_000);
        let v =
            VolatileKeys::new(&["*a*a*a*a*a*a*a*a*b", "x.*a*a*a*a*a*a*a*a*b"]).expect("compiles");
        assert!(!v.matches(&long, &format!("x.{long}")));
    }

    #[test]
    fn first_byte() {
        assert_eq!(first_differing_byte(b"abc", b"abd"), Some(2));
        assert_eq!(first_differing_byte(b"ab", b"abc"), Some(2));
        assert_eq!(first_differing_byte(b"ab", b"ab"), None);
    }
}
