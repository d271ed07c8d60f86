//! Which files of a run are its artifacts: the declared outputs (dvc.yaml
//! outs/metrics/plots, the `artifacts` setting), else every file the run
//! created or changed, less tracker folders and caches.

use std::collections::BTreeSet;
use std::path::Path;

use globset::{GlobBuilder, GlobSet};

use super::compare::globs::build_set;
use super::compare::GlobError;
use super::plan::Plan;
use super::run::RunResult;

/// Folders and files that hold logs, caches and tracker state, not results.
const EXCLUDED_DIRS: &[&str] = &[
    "mlruns",
    "wandb",
    "lightning_logs",
    "multirun",
    "__pycache__",
    ".ipynb_checkpoints",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".cache",
    ".aim",
    ".neptune",
    ".clearml",
    ".hydra",
];

/// Whether a path is excluded from comparison by default.
pub fn excluded(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    let name = parts.last().copied().unwrap_or("");
    if parts[..parts.len().saturating_sub(1)]
        .iter()
        .any(|d| EXCLUDED_DIRS.contains(d))
    {
        return true;
    }
    // Hydra writes each run to outputs/<date>/<time>/.
    if parts.len() > 2 && parts[0] == "outputs" && is_date(parts[1]) {
        return true;
    }
    if path.starts_with(".dvc/tmp/") || path.starts_with(".dvc/cache/") || path.starts_with(".git/")
    {
        return true;
    }
    name.ends_with(".pyc") || name.starts_with("events.out.tfevents") || name == ".DS_Store"
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// Declared artifacts or exclusions, compiled once: an entry without `*`
/// is a file or a folder (the path itself or anything under it); an entry
/// with `*` is a `.gitignore`-style glob (without `/` it matches at any
/// depth; `**` crosses folders; a path matches when it or a folder above it
/// does; a `!` or `#` entry matches nothing).
#[derive(Debug, Clone)]
pub struct ArtifactGlobs {
    /// Entries without `*`, less a trailing `/`.
    fixed: Vec<String>,
    /// Entries with `*`, compiled.
    set: GlobSet,
    /// For each glob of `set`, whether it matches folders only.
    only_dir: Vec<bool>,
}

impl ArtifactGlobs {
    /// Compiles `patterns`; a glob that cannot be compiled is an error
    /// naming it.
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<Self, GlobError> {
        let mut fixed = Vec::new();
        let mut globs = Vec::new();
        let mut only_dir = Vec::new();
        let mut names = Vec::new();
        for p in patterns {
            let glob = p.as_ref().trim_end_matches('/');
            if !glob.contains('*') {
                fixed.push(glob.to_string());
                continue;
            }
            let Some((actual, dir)) = gitignore_glob(glob) else {
                continue;
            };
            let compiled = GlobBuilder::new(&actual)
                .literal_separator(true)
                .backslash_escape(true)
                .allow_unclosed_class(true)
                .build()
                .map_err(|e| GlobError {
                    glob: p.as_ref().to_string(),
                    message: e.kind().to_string(),
                })?;
            globs.push(compiled);
            only_dir.push(dir);
            names.push(p.as_ref());
        }
        Ok(ArtifactGlobs {
            fixed,
            set: build_set(globs, &names)?,
            only_dir,
        })
    }

    /// Whether `path` (relative, `/`-separated) is one of the entries or
    /// lies under one.
    pub fn matches(&self, path: &str) -> bool {
        self.fixed.iter().any(|f| fixed_match(f, path)) || self.glob_matches(path)
    }

    /// Whether a glob entry matches `path` or a folder above it.
    fn glob_matches(&self, path: &str) -> bool {
        if self.set.is_empty() {
            return false;
        }
        let mut path = path.strip_prefix("./").unwrap_or(path);
        if path.contains('/') {
            path = path.strip_prefix('/').unwrap_or(path);
        }
        let mut candidate = Path::new(path);
        let mut is_dir = false;
        loop {
            if self
                .set
                .matches(candidate)
                .into_iter()
                .any(|i| is_dir || !self.only_dir.get(i).copied().unwrap_or(false))
            {
                return true;
            }
            match candidate.parent() {
                Some(parent) => {
                    candidate = parent;
                    is_dir = true;
                }
                None => return false,
            }
        }
    }
}

/// Whether `path` is `entry` or lies under it.
fn fixed_match(entry: &str, path: &str) -> bool {
    path.strip_prefix(entry)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// A `.gitignore` line as the glob `globset` compiles, and whether it
/// matches folders only, as `ignore::gitignore` reads it; `None` for a line
/// that matches nothing (a comment, a `!` re-inclusion, nothing left).
fn gitignore_glob(line: &str) -> Option<(String, bool)> {
    if line.starts_with('#') {
        return None;
    }
    let mut line = trim_trailing_unescaped_spaces(line);
    let mut absolute = false;
    if line.starts_with("\\!") || line.starts_with("\\#") {
        line = &line[1..];
    } else {
        if line.starts_with('!') {
            return None;
        }
        if let Some(rest) = line.strip_prefix('/') {
            line = rest;
            absolute = true;
        }
    }
    if line.is_empty() {
        return None;
    }
    let mut only_dir = false;
    if let Some(rest) = line.strip_suffix('/') {
        only_dir = true;
        line = rest.strip_suffix('\\').unwrap_or(rest);
    }
    let mut actual = line.to_string();
    let anchored = absolute || line.contains('/');
    if !(anchored || actual.starts_with("**/") || actual == "**") {
        actual = format!("**/{actual}");
    }
    if actual.ends_with("/**") {
        actual.push_str("/*");
    }
    Some((actual, only_dir))
}

/// `line` less trailing spaces that are not escaped with `\`.
fn trim_trailing_unescaped_spaces(line: &str) -> &str {
    let bytes = line.as_bytes();
    let mut last_space = None;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                if i + 1 >= bytes.len() {
                    return line;
                }
                i += 2;
                last_space = None;
            }
            b' ' => {
                if last_space.is_none() {
                    last_space = Some(i);
                }
                i += 1;
            }
            _ => {
                last_space = None;
                i += 1;
            }
        }
    }
    line.get(..last_space.unwrap_or(line.len())).unwrap_or(line)
}

/// The declared outputs of a plan (its stages' outs, then the `artifacts`
/// setting), compiled once.
#[derive(Debug, Clone)]
pub struct Declared {
    /// Every entry, in order.
    entries: Vec<String>,
    /// The same, compiled.
    all: ArtifactGlobs,
    /// The entries with `*` alone, compiled.
    globs: ArtifactGlobs,
}

impl Declared {
    /// The declared outputs of `plan`; an invalid glob is an error naming it.
    pub fn new(plan: &Plan) -> Result<Self, GlobError> {
        let entries: Vec<String> = plan
            .stages
            .iter()
            .flat_map(|s| s.outs.iter().cloned())
            .chain(plan.artifact_globs.iter().cloned())
            .collect();
        let globs: Vec<&String> = entries.iter().filter(|d| d.contains('*')).collect();
        Ok(Declared {
            all: ArtifactGlobs::new(&entries)?,
            globs: ArtifactGlobs::new(&globs)?,
            entries,
        })
    }
}

/// The artifacts to compare across `runs`, and whether they were declared.
pub fn artifacts(declared: &Declared, runs: &[&RunResult]) -> (Vec<String>, bool) {
    let mut out = BTreeSet::new();
    let all_changed: BTreeSet<&String> = runs.iter().flat_map(|r| r.changed.iter()).collect();
    if !declared.entries.is_empty() {
        for path in &all_changed {
            if declared.all.matches(path) {
                out.insert(path.to_string());
            }
        }
        // A declared output that no run wrote is still compared (and reported missing).
        for d in declared.entries.iter().filter(|d| !d.contains('*')) {
            let entry = d.trim_end_matches('/');
            if !all_changed.iter().any(|p| fixed_match(entry, p)) {
                out.insert(d.clone());
            }
        }
        return (out.into_iter().collect(), true);
    }
    for path in all_changed {
        if !excluded(path) {
            out.insert(path.clone());
        }
    }
    (out.into_iter().collect(), false)
}

/// Why the runs count as having produced nothing: a declared output (not a
/// glob) absent from every run's copy, or declared globs alone that no file
/// the runs wrote matches. `None` when the declared outputs are there (or
/// nothing is declared).
pub fn nothing_produced(declared: &Declared, runs: &[&RunResult]) -> Option<String> {
    let after = match runs.len() {
        2 => "both runs".to_string(),
        1 => "the run".to_string(),
        n => format!("all {n} runs"),
    };
    let (globs, fixed): (Vec<&String>, Vec<&String>) =
        declared.entries.iter().partition(|d| d.contains('*'));
    let mut missing: Vec<&str> = Vec::new();
    for d in &fixed {
        let path = d.trim_end_matches('/');
        let absent = runs
            .iter()
            .all(|r| r.dir.join(path).symlink_metadata().is_err());
        if absent && !missing.contains(&path) {
            missing.push(path);
        }
    }
    if let Some((first, rest)) = missing.split_first() {
        let more = if rest.is_empty() {
            String::new()
        } else {
            format!(" (also missing: {})", rest.join(", "))
        };
        return Some(format!(
            "nothing was produced: {first} declared as an output is missing after {after}{more}"
        ));
    }
    if fixed.is_empty() && !globs.is_empty() {
        let any = runs
            .iter()
            .flat_map(|r| r.changed.iter())
            .any(|p| declared.globs.matches(p));
        if !any {
            let names: Vec<&str> = globs.iter().map(|g| g.as_str()).collect();
            return Some(format!(
                "nothing was produced: no file written by {after} matches the declared artifacts {}",
                names.join(", ")
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_exclusions() {
        assert!(excluded("mlruns/0/meta.yaml"));
        assert!(excluded("outputs/2026-01-02/10-11-12/train.log"));
        assert!(excluded("src/__pycache__/a.cpython-311.pyc"));
        assert!(excluded("runs/events.out.tfevents.123"));
        assert!(!excluded("outputs/model.json"));
        assert!(!excluded("metrics.json"));
    }

    fn matches(glob: &str, path: &str) -> bool {
        ArtifactGlobs::new(&[glob]).expect("compiles").matches(path)
    }

    #[test]
    fn globs_and_folders() {
        assert!(matches("outputs", "outputs/model.json"));
        assert!(matches("outputs/", "outputs/model.json"));
        assert!(matches("outputs", "outputs"));
        assert!(matches("outputs/*.json", "outputs/model.json"));
        assert!(matches("**/*.npy", "a/b/c.npy"));
        assert!(!matches("outputs", "outputs2/x"));
        assert!(!matches("out?uts", "outputs/x"), "no `*`: literal");
    }

    /// The `.gitignore` reading `ignore` gave these entries before.
    #[test]
    fn gitignore_semantics() {
        assert!(matches("*.json", "a/b/metrics.json"), "no `/`: any depth");
        assert!(matches("metrics*", "a/metrics.json"));
        assert!(
            !matches("out/*.json", "a/out/m.json"),
            "a `/`: from the root"
        );
        assert!(matches("out/*", "out/a/b.json"), "a folder above matches");
        assert!(!matches("out/*.json", "out/a/b.json"));
        assert!(matches("/out/*.json", "out/m.json"));
        assert!(matches("out/**", "out/a/b"));
        assert!(!matches("out/**", "out"));
        assert!(matches("a/**/b*", "a/x/y/b1"));
        assert!(matches("a/**/b*", "a/b1"));
        assert!(matches("*.{json,csv}", "x/y.csv"), "braces");
        assert!(matches("m[0-9]*", "m1.json"), "classes");
        assert!(matches("[m*", "[mx"), "an unclosed class is literal");
        assert!(matches("*.json  ", "m.json"), "trailing spaces");
        assert!(
            !matches("./out/*", "out/x"),
            "a `./` glob is anchored literally"
        );
        assert!(matches("out/*", "./out/x"));
        assert!(
            !matches("!*.json", "m.json"),
            "a re-inclusion matches nothing"
        );
        assert!(!matches("#*.json", "m.json"), "a comment matches nothing");
        assert!(matches("\\#*.json", "#m.json"));
        assert!(!matches("*.JSON", "m.json"), "case matters");
    }

    /// The matcher this replaces: one `ignore` gitignore per (glob, path).
    fn old_matches(glob: &str, path: &str) -> bool {
        let glob = glob.trim_end_matches('/');
        if !glob.contains('*') {
            return path == glob || path.starts_with(&format!("{glob}/"));
        }
        let mut builder = ignore::gitignore::GitignoreBuilder::new("");
        if builder.add_line(None, glob).is_err() {
            return false;
        }
        builder
            .build()
            .is_ok_and(|m| m.matched_path_or_any_parents(path, false).is_ignore())
    }

    #[test]
    fn same_answers_as_the_gitignore_matcher() {
        let globs = [
            "out",
            "out/",
            "*",
            "**",
            "*.json",
            "**/*.json",
            "out/*",
            "out/**",
            "out/**/*.npy",
            "/out/*.json",
            "./out/*",
            "o*t",
            "out*",
            "*/m.json",
            "**/out/*",
            "a/**/b/*",
            "a**b*",
            "*.{json,csv}",
            "m[0-9]*",
            "[m*",
            "*.json ",
            "*.json\\ ",
            "!*.json",
            "#*",
            "\\#*",
            "\\!*",
            "*\\*",
            "out/*/",
            "**/",
            "a/**/",
            "*.JSON",
        ];
        let paths = [
            "out",
            "out/m.json",
            "out/a/b.npy",
            "a/out/m.json",
            "m.json",
            "m1.csv",
            "x/y.csv",
            "a/b/c",
            "a/x/b/c",
            "ab/c",
            "[mx",
            "#m",
            "!m",
            "*m",
            "m.json ",
            "./out/x",
            "/out/x",
            "a/b",
            "out/a/",
            "o/t",
        ];
        for g in globs {
            let new = ArtifactGlobs::new(&[g]);
            for p in paths {
                let old = old_matches(g, p);
                match &new {
                    Ok(m) => assert_eq!(m.matches(p), old, "glob {g:?} path {p:?}"),
                    Err(_) => assert!(!old, "glob {g:?} path {p:?}"),
                }
            }
        }
    }

    #[test]
    fn invalid_globs_are_errors_naming_them() {
        for bad in ["out/*.{json", "*.json}", "*[z-a]", "*\\"] {
            let e = ArtifactGlobs::new(&[bad]).expect_err(bad);
            assert_eq!(e.glob, bad);
            assert!(e.to_string().contains(bad), "{e}");
        }
    }

    #[test]
    fn pathological_glob_is_fast() {
        let long = "a".repeat(10_000);
        assert!(!matches("*a*a*a*a*a*a*a*a*b", &long));
        let deep = format!("{long}/{long}/x");
        assert!(!matches("**/*a*a*a*a*a*a*a*a*b/**", &deep));
    }
}
