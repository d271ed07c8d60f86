//! Which files of a run are its artifacts: the declared outputs (dvc.yaml
//! outs/metrics/plots, the `artifacts` setting), else every file the run
//! created or changed, less tracker folders and caches.

use std::collections::BTreeSet;

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

/// Whether `path` is `glob` or lies under it; `*` and `**` are wildcards.
pub fn matches(glob: &str, path: &str) -> bool {
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

/// The artifacts to compare across `runs`, and whether they were declared.
pub fn artifacts(plan: &Plan, runs: &[&RunResult]) -> (Vec<String>, bool) {
    let declared: Vec<String> = plan
        .stages
        .iter()
        .flat_map(|s| s.outs.iter().cloned())
        .chain(plan.artifact_globs.iter().cloned())
        .collect();
    let mut out = BTreeSet::new();
    let all_changed: BTreeSet<&String> = runs.iter().flat_map(|r| r.changed.iter()).collect();
    if !declared.is_empty() {
        for path in &all_changed {
            if declared.iter().any(|d| matches(d, path)) {
                out.insert(path.to_string());
            }
        }
        // A declared output that no run wrote is still compared (and reported missing).
        for d in declared.iter().filter(|d| !d.contains('*')) {
            if !all_changed.iter().any(|p| matches(d, p)) {
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
pub fn nothing_produced(plan: &Plan, runs: &[&RunResult]) -> Option<String> {
    let declared: Vec<&String> = plan
        .stages
        .iter()
        .flat_map(|s| s.outs.iter())
        .chain(plan.artifact_globs.iter())
        .collect();
    let after = match runs.len() {
        2 => "both runs".to_string(),
        1 => "the run".to_string(),
        n => format!("all {n} runs"),
    };
    let (globs, fixed): (Vec<&String>, Vec<&String>) =
        declared.into_iter().partition(|d| d.contains('*'));
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
            .any(|p| globs.iter().any(|g| matches(g, p)));
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

    #[test]
    fn globs_and_folders() {
        assert!(matches("outputs", "outputs/model.json"));
        assert!(matches("outputs/*.json", "outputs/model.json"));
        assert!(matches("**/*.npy", "a/b/c.npy"));
        assert!(!matches("outputs", "outputs2/x"));
    }
}
