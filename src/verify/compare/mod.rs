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

/// Reads a file when its bytes were not kept while hashing.
fn bytes_of(p: &Path, kept: Option<Vec<u8>>) -> std::io::Result<Vec<u8>> {
    match kept {
        Some(b) => Ok(b),
        None => std::fs::read(p),
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
        Ok((tol, volatile)) => compare_prepared(rel_path, a, b, &tol, &volatile),
        Err(e) => glob_failure(rel_path, &e),
    }
}

fn compare_prepared(
    rel_path: &str,
    a: &Path,
    b: &Path,
    tol: &CompiledTolerances,
    volatile: &VolatileKeys,
) -> ArtifactResult {
    let mut kind = Kind::from_path(rel_path);
    let mut out = ArtifactResult::new(rel_path, kind);
    let (meta_a, meta_b) = (std::fs::metadata(a), std::fs::metadata(b));
    out.size_a = meta_a.as_ref().map(|m| m.len()).unwrap_or(0);
    out.size_b = meta_b.as_ref().map(|m| m.len()).unwrap_or(0);
    match (meta_a.is_ok(), meta_b.is_ok()) {
        (false, false) => {
            out.verdict = Verdict::BitExact;
            out.add_note("absent from both runs");
            return out;
        }
        (false, true) => {
            out.add_note("missing in the first run");
            if let Ok(h) = hash_file(b) {
                out.hash_b = Some(hex(&h));
            }
            return out;
        }
        (true, false) => {
            out.add_note("missing in the second run");
            if let Ok(h) = hash_file(a) {
                out.hash_a = Some(hex(&h));
            }
            return out;
        }
        (true, true) => {}
    }

    let (ha, hb) = rayon::join(|| hash::load_and_hash(a), || hash::load_and_hash(b));
    let ((hash_a, kept_a), (hash_b, kept_b)) = match (ha, hb) {
        (Ok(x), Ok(y)) => (x, y),
        (Err(e), _) => {
            out.add_note(format!("could not read the first run's file: {e}"));
            return out;
        }
        (_, Err(e)) => {
            out.add_note(format!("could not read the second run's file: {e}"));
            return out;
        }
    };
    out.hash_a = Some(hex(&hash_a));
    out.hash_b = Some(hex(&hash_b));
    if hash_a == hash_b {
        out.verdict = Verdict::BitExact;
        return out;
    }

    let (da, db) = rayon::join(|| bytes_of(a, kept_a), || bytes_of(b, kept_b));
    let (da, db) = match (da, db) {
        (Ok(x), Ok(y)) => (x, y),
        (Err(e), _) | (_, Err(e)) => {
            out.add_note(format!("could not read: {e}"));
            return out;
        }
    };

    if kind == Kind::Binary && looks_textual(&da) && looks_textual(&db) {
        kind = Kind::Text;
        out.kind = kind;
    }
    let tol = tol.for_path(rel_path);
    let f64_tol = tol.for_dtype(DType::F64);
    let int_tol = tol.for_dtype(DType::Int);
    let result: Result<Stats, String> = match kind {
        Kind::Json | Kind::Yaml | Kind::Toml => {
            structured::compare(kind, &da, &db, f64_tol, int_tol, volatile)
        }
        Kind::Csv => table::compare(&da, &db, b',', f64_tol, int_tol, volatile),
        Kind::Tsv => table::compare(&da, &db, b'\t', f64_tol, int_tol, volatile),
        Kind::Npy => tensor::compare_npy(&da, &db, &tol),
        Kind::Npz => tensor::compare_npz(&da, &db, &tol),
        Kind::Safetensors => tensor::compare_safetensors(&da, &db, &tol, volatile),
        Kind::Text => match (std::str::from_utf8(&da), std::str::from_utf8(&db)) {
            (Ok(x), Ok(y)) => Ok(text::compare(x, y, f64_tol, int_tol)),
            _ => Err("not UTF-8 text".to_string()),
        },
        Kind::Binary => {
            out.first_difference = first_differing_byte(&da, &db).map(|i| format!("byte {i}"));
            out.add_note(format!(
                "binary files differ: {} vs {} bytes, blake3 {} vs {}",
                out.size_a,
                out.size_b,
                hex(&hash_a),
                hex(&hash_b)
            ));
            return out;
        }
    };
    match result {
        Ok(stats) => fill(&mut out, stats, kind),
        Err(e) => {
            out.add_note(format!("could not be parsed as {}: {e}", kind.as_str()));
            if let (Ok(x), Ok(y)) = (std::str::from_utf8(&da), std::str::from_utf8(&db)) {
                out.first_difference = text::compare(x, y, Tol::EXACT, Tol::EXACT).first_bad;
            } else {
                out.first_difference = first_differing_byte(&da, &db).map(|i| format!("byte {i}"));
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

/// Replaces directory pairs by the pairs of files under them (the union of
/// both runs' files, by relative path); files pass through unchanged.
pub fn expand_dirs(pairs: &[(String, PathBuf, PathBuf)]) -> Vec<(String, PathBuf, PathBuf)> {
    let mut out = Vec::with_capacity(pairs.len());
    for (rel, a, b) in pairs {
        if !a.is_dir() && !b.is_dir() {
            out.push((rel.clone(), a.clone(), b.clone()));
            continue;
        }
        let mut names = std::collections::BTreeSet::new();
        for root in [a, b] {
            if root.is_dir() {
                list_files(root, "", &mut names);
            }
        }
        if names.is_empty() {
            continue;
        }
        let base = rel.trim_end_matches('/');
        for name in names {
            let joined = if base.is_empty() {
                name.clone()
            } else {
                format!("{base}/{name}")
            };
            out.push((joined, a.join(&name), b.join(&name)));
        }
    }
    out
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

/// Compares every pair `(relative path, first run's file, second run's
/// file)` in parallel; directories are expanded into their files. Results
/// are sorted by path. A file present in one run only `differs`.
pub fn compare_all(
    pairs: &[(String, PathBuf, PathBuf)],
    tol: &Tolerances,
    volatile: &[String],
) -> Vec<ArtifactResult> {
    let prepared = prepare(tol, volatile);
    let pairs = expand_dirs(pairs);
    let mut results: Vec<ArtifactResult> = match &prepared {
        Ok((tol, volatile)) => pairs
            .par_iter()
            .map(|(rel, a, b)| compare_prepared(rel, a, b, tol, volatile))
            .collect(),
        Err(e) => pairs
            .iter()
            .map(|(rel, _, _)| glob_failure(rel, e))
            .collect(),
    };
    results.sort_by(|x, y| x.path.cmp(&y.path));
    results
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
