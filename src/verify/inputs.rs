//! Inputs the runs need before they start: the dependencies of the planned
//! dvc stages that no stage produces. One tracked by DVC and absent, or a Git
//! LFS pointer in place of its data, stops verify with `run_failed` and says
//! how to get it (`dvc pull`, `git lfs pull`, or `--with-data DIR`).

use std::io::Read;
use std::path::Path;

use crate::facts::{Facts, LFS_POINTER_PREFIX};

use super::causes::Cause;
use super::plan::Plan;

/// Why the runs cannot start for lack of inputs, one cause per missing input.
/// Empty when every input is there (in the project or in `with_data`).
pub fn missing(
    facts: &Facts,
    plan: &Plan,
    root: &Path,
    files: &[String],
    with_data: Option<&Path>,
) -> Vec<Cause> {
    if plan.source != "dvc.yaml" {
        return Vec::new();
    }
    let all = &facts.pipelines.dvc_stages;
    let produced = |d: &str| {
        all.iter().any(|(_, s)| {
            s.outs.iter().any(|o| {
                let o = o.trim_end_matches('/');
                d == o || d.starts_with(&format!("{o}/"))
            })
        })
    };
    let locked = lock_outs(facts, root);
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for stage in &plan.stages {
        let Some((dvc_yaml, declared)) = all.iter().find(|(_, s)| s.name == stage.name) else {
            continue;
        };
        for dep in &declared.deps {
            let d = dep.trim_end_matches('/');
            if d.is_empty() || seen.contains(&d) || produced(d) {
                continue;
            }
            seen.push(d);
            if with_data.is_some_and(|dir| dir.join(d).exists()) {
                continue;
            }
            let present = files
                .iter()
                .any(|f| f == d || f.starts_with(&format!("{d}/")));
            if present {
                if is_lfs_pointer(&root.join(d)) {
                    out.push(Cause {
                        artifact: None,
                        rule: "missing-input".into(),
                        path: Some(d.to_string()),
                        line: None,
                        note: format!(
                            "{d} is a Git LFS pointer, not the data (stage `{}` reads it): run `git lfs pull`, or verify with `--with-data DIR`",
                            declared.name
                        ),
                    });
                }
                continue;
            }
            let pointer = facts
                .dvc_pointers
                .iter()
                .find(|(_, t)| {
                    let t = t.trim_end_matches('/');
                    t == d || d.starts_with(&format!("{t}/"))
                })
                .map(|(p, _)| p.clone());
            let tracked_by = pointer.or_else(|| {
                locked
                    .iter()
                    .find(|(_, o)| o == d || d.starts_with(&format!("{o}/")))
                    .map(|(lock, _)| lock.clone())
            });
            if let Some(by) = tracked_by {
                out.push(Cause {
                    artifact: None,
                    rule: "missing-input".into(),
                    path: Some(by.clone()),
                    line: None,
                    note: format!(
                        "{d} is tracked by DVC ({by}) and not present (stage `{}` of {dvc_yaml} reads it): run `dvc pull`, or verify with `--with-data DIR`",
                        declared.name
                    ),
                });
            }
        }
    }
    out
}

/// Whether the file at `path` is a Git LFS pointer.
fn is_lfs_pointer(path: &Path) -> bool {
    let Ok(f) = std::fs::File::open(path) else {
        return false;
    };
    let mut head = Vec::with_capacity(64);
    if f.take(64).read_to_end(&mut head).is_err() {
        return false;
    }
    head.starts_with(LFS_POINTER_PREFIX.as_bytes())
}

/// Outputs that dvc.lock files next to the dvc.yaml files record: (dvc.lock, path).
fn lock_outs(facts: &Facts, root: &Path) -> Vec<(String, String)> {
    let mut locks: Vec<String> = facts
        .pipelines
        .dvc_stages
        .iter()
        .map(|(p, _)| match p.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/dvc.lock"),
            None => "dvc.lock".to_string(),
        })
        .collect();
    locks.sort();
    locks.dedup();
    let mut out = Vec::new();
    for lock in locks {
        let Ok(text) = std::fs::read_to_string(root.join(&lock)) else {
            continue;
        };
        let dir = lock.rsplit_once('/').map_or("", |(d, _)| d);
        // `outs:` opens a list of `- path: …` entries, deeper than itself.
        let mut outs_indent: Option<usize> = None;
        for line in text.lines() {
            let indent = line.len() - line.trim_start().len();
            let t = line.trim();
            if t.is_empty() {
                continue;
            }
            if outs_indent.is_some_and(|i| indent <= i && !t.starts_with('-')) {
                outs_indent = None;
            }
            if t == "outs:" {
                outs_indent = Some(indent);
                continue;
            }
            if outs_indent.is_some() {
                if let Some(p) = t.trim_start_matches("- ").strip_prefix("path:") {
                    let p = p.trim().trim_matches(['"', '\'']).trim_end_matches('/');
                    if !p.is_empty() {
                        out.push((lock.clone(), crate::facts::pipeline::join(dir, p)));
                    }
                }
            }
        }
    }
    out
}

/// Copies every regular file under `from` into `to` at the same relative
/// path (`--with-data`). Links are not followed.
pub fn copy_data(from: &Path, to: &Path) -> Result<(), String> {
    let entries =
        std::fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", from.display()))?;
        let kind = entry
            .file_type()
            .map_err(|e| format!("cannot read {}: {e}", entry.path().display()))?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_data(&entry.path(), &target)?;
        } else if kind.is_file() {
            if let Some(dir) = target.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
            // A pointer or a stale copy in the project gives way to the data.
            let _ = std::fs::remove_file(&target);
            std::fs::copy(entry.path(), &target)
                .map_err(|e| format!("cannot copy {}: {e}", entry.path().display()))?;
        }
    }
    Ok(())
}
