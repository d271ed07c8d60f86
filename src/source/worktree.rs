//! A directory on disk: what git tracks under it plus untracked files that are
//! not ignored, or, outside git, every file that .gitignore does not exclude.

use std::collections::HashSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use rayon::prelude::*;

use super::{
    decode, finish, relative, Content, Project, ProjectFile, Skipped, SourceError, Want,
    DEFAULT_EXCLUDED_DIRS, MAX_PARSE_BYTES,
};

/// One entry found by the walk, before contents are read.
struct Found {
    rel: String,
    /// The real file to read (the link target for in-project symlinks).
    real: PathBuf,
    size: u64,
}

pub(super) fn read(
    path: &Path,
    wanted: &(dyn Fn(&str, u64) -> Want + Sync),
) -> Result<Project, SourceError> {
    let unreadable = |reason: String| SourceError::Unreadable {
        path: path.display().to_string(),
        reason,
    };
    let root = fs::canonicalize(path).map_err(|e| unreadable(e.to_string()))?;
    let meta = fs::metadata(&root).map_err(|e| unreadable(e.to_string()))?;
    if !meta.is_dir() {
        return Err(unreadable("not a directory".into()));
    }
    fs::read_dir(&root).map_err(|e| unreadable(e.to_string()))?;

    let mut skipped = Vec::new();
    let git = match hostile_git_file(&root) {
        Some(file) => {
            skipped.push(Skipped {
                path: relative(&root, &file).unwrap_or_else(|| file.display().to_string()),
                reason: "not a regular file: git metadata not read (no commit, tracked \
                         files or dirty state)"
                    .into(),
            });
            None
        }
        None => GitInfo::load(&root),
    };
    let mut found = Vec::new();
    walk(&root, &mut found, &mut skipped);

    let walked: HashSet<String> = found.iter().map(|f| f.rel.clone()).collect();
    if let Some(git) = &git {
        // Files git tracks even though an ignore rule matches them.
        for rel in &git.tracked {
            if walked.contains(rel) || is_excluded(rel) {
                continue;
            }
            let full = root.join(rel);
            if let Ok(m) = fs::symlink_metadata(&full) {
                if m.is_file() {
                    found.push(Found {
                        rel: rel.clone(),
                        real: full,
                        size: m.len(),
                    });
                }
            }
        }
    }

    let results: Vec<(ProjectFile, Option<Skipped>)> = found
        .into_par_iter()
        .map(|f| {
            let untracked = git.as_ref().is_some_and(|g| !g.tracked.contains(&f.rel));
            let (content, skip) = load(&f, wanted);
            let file = ProjectFile {
                path: f.rel.clone(),
                size: f.size,
                untracked,
                content,
            };
            (
                file,
                skip.map(|reason| Skipped {
                    path: f.rel,
                    reason,
                }),
            )
        })
        .collect();
    let mut files = Vec::with_capacity(results.len());
    for (file, skip) in results {
        files.push(file);
        skipped.extend(skip);
    }

    Ok(finish(Project {
        display: path.display().to_string(),
        commit: git.as_ref().and_then(|g| g.commit.clone()),
        dirty: git.as_ref().and_then(|g| g.dirty),
        files,
        skipped,
    }))
}

fn is_excluded(rel: &str) -> bool {
    rel.split('/')
        .any(|seg| DEFAULT_EXCLUDED_DIRS.contains(&seg))
}

fn load(f: &Found, wanted: &(dyn Fn(&str, u64) -> Want + Sync)) -> (Content, Option<String>) {
    let want = wanted(&f.rel, f.size);
    if want == Want::No {
        return (Content::NotRead, None);
    }
    if f.size > MAX_PARSE_BYTES {
        return (
            Content::Skipped,
            Some(format!(
                "larger than {} MiB: counted, not parsed",
                MAX_PARSE_BYTES >> 20
            )),
        );
    }
    let mut bytes = Vec::new();
    let read = super::open_regular(&f.real).and_then(|mut file| {
        if want == Want::IfShebang {
            (&mut file).take(2).read_to_end(&mut bytes)?;
            if bytes != b"#!" {
                return Ok(None);
            }
        }
        bytes.reserve(f.size as usize);
        file.take(MAX_PARSE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map(Some)
    });
    let read = match read {
        Ok(None) => return (Content::NotRead, None),
        Ok(Some(_)) => Ok(()),
        Err(e) => Err(e),
    };
    if let Err(e) = read {
        return (Content::Skipped, Some(format!("unreadable: {e}")));
    }
    match decode(bytes) {
        Ok(text) => (Content::Text(text), None),
        Err(reason) => (Content::Skipped, Some(reason.to_string())),
    }
}

/// Ignore files the walker reads itself, when entering each folder.
const IGNORE_FILES: &[&str] = &[".gitignore", ".ignore"];

/// A file under the git folder that git or gix would open and block on (or misread),
/// found by looking upwards from `root` as discovery does.
fn hostile_git_file(root: &Path) -> Option<PathBuf> {
    let dot_git = root
        .ancestors()
        .map(|d| d.join(".git"))
        .find(|g| fs::symlink_metadata(g).is_ok())?;
    if !dot_git.is_dir() {
        return super::is_special(&dot_git).then_some(dot_git);
    }
    [
        "HEAD",
        "index",
        "config",
        "packed-refs",
        "info/exclude",
        "commondir",
    ]
    .iter()
    .map(|f| dot_git.join(f))
    .find(|f| super::is_special(f))
}

fn walk(root: &Path, found: &mut Vec<Found>, skipped: &mut Vec<Skipped>) {
    // A FIFO (or device) named like an ignore file would block the walker forever:
    // at the root and above, its kind of rule is not applied; below, its folder is
    // skipped. Either way the user is told.
    let hostile_here = |dir: &Path| {
        IGNORE_FILES
            .iter()
            .map(|n| dir.join(n))
            .find(|f| super::is_special(f))
    };
    let mut use_gitignore = true;
    let mut use_ignore = true;
    let mut use_parents = true;
    for dir in root.ancestors() {
        for name in IGNORE_FILES {
            let file = dir.join(name);
            if !super::is_special(&file) {
                continue;
            }
            if dir == root {
                skipped.push(Skipped {
                    path: (*name).to_string(),
                    reason: "not a regular file: its ignore rules were not applied".into(),
                });
                if *name == ".gitignore" {
                    use_gitignore = false;
                } else {
                    use_ignore = false;
                }
            } else {
                use_parents = false;
            }
        }
    }
    let git_exclude = hostile_git_file(root).is_none();
    let refused: std::sync::Arc<std::sync::Mutex<Vec<Skipped>>> = Default::default();
    let refused_in_walk = std::sync::Arc::clone(&refused);
    let walk_root = root.to_path_buf();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .git_global(false)
        .git_exclude(git_exclude)
        .git_ignore(use_gitignore)
        .ignore(use_ignore)
        .require_git(false)
        .follow_links(false)
        .parents(use_parents)
        .filter_entry(move |e| {
            let name = e.file_name().to_string_lossy();
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            if e.depth() > 0 && is_dir && DEFAULT_EXCLUDED_DIRS.contains(&name.as_ref()) {
                return false;
            }
            if e.depth() > 0 && is_dir {
                if let Some(file) = hostile_here(e.path()) {
                    if let Ok(mut list) = refused_in_walk.lock() {
                        list.push(Skipped {
                            path: relative(&walk_root, &file)
                                .unwrap_or_else(|| file.display().to_string()),
                            reason: "not a regular file: its folder was not read".into(),
                        });
                    }
                    return false;
                }
            }
            true
        })
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                skipped.push(Skipped {
                    path: error_path(&err, root),
                    reason: format!("could not be walked: {err}"),
                });
                continue;
            }
        };
        if entry.depth() == 0 {
            continue;
        }
        let Some(rel) = relative(root, entry.path()) else {
            continue;
        };
        let Some(ft) = entry.file_type() else {
            continue;
        };
        if ft.is_dir() {
            continue;
        }
        if ft.is_symlink() {
            match resolve_link(root, entry.path()) {
                Ok((real, size)) => found.push(Found { rel, real, size }),
                Err(reason) => skipped.push(Skipped { path: rel, reason }),
            }
            continue;
        }
        if !ft.is_file() {
            if skipped.iter().any(|s| s.path == rel) {
                continue;
            }
            skipped.push(Skipped {
                path: rel,
                reason: "not a regular file (FIFO, socket or device)".into(),
            });
            continue;
        }
        let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
        found.push(Found {
            rel,
            real: entry.path().to_path_buf(),
            size,
        });
    }
    if let Ok(mut list) = refused.lock() {
        skipped.append(&mut list);
    }
    // Report default exclusions once per folder, so the user knows they were seen.
    if let Ok(rd) = fs::read_dir(root) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name != ".git"
                && DEFAULT_EXCLUDED_DIRS.contains(&name.as_str())
                && e.file_type().is_ok_and(|t| t.is_dir())
            {
                skipped.push(Skipped {
                    path: format!("{name}/"),
                    reason: "excluded by default (environment or cache folder)".into(),
                });
            }
        }
    }
}

fn error_path(err: &ignore::Error, root: &Path) -> String {
    fn find(err: &ignore::Error) -> Option<&Path> {
        match err {
            ignore::Error::WithPath { path, .. } => Some(path),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                find(err)
            }
            ignore::Error::Loop { child, .. } => Some(child),
            _ => None,
        }
    }
    find(err)
        .and_then(|p| relative(root, p))
        .unwrap_or_else(|| ".".into())
}

/// A symlink is followed only when it stays inside the project and names a file.
fn resolve_link(root: &Path, link: &Path) -> Result<(PathBuf, u64), String> {
    let target =
        fs::canonicalize(link).map_err(|_| "broken symlink or symlink loop".to_string())?;
    if !target.starts_with(root) {
        return Err("symlink points outside the project: not followed".into());
    }
    let meta = fs::metadata(&target).map_err(|e| format!("unreadable symlink target: {e}"))?;
    if meta.is_dir() {
        return Err("symlink to a folder: not followed".into());
    }
    if !meta.is_file() {
        return Err("symlink to something that is not a regular file".into());
    }
    Ok((target, meta.len()))
}

/// What git says about the work tree the directory is in.
struct GitInfo {
    tracked: HashSet<String>,
    commit: Option<String>,
    dirty: Option<bool>,
}

impl GitInfo {
    fn load(root: &Path) -> Option<GitInfo> {
        let repo = gix::discover(root).ok()?;
        let workdir = fs::canonicalize(repo.workdir()?).ok()?;
        let prefix = relative(&workdir, root)?;
        let index = repo.index_or_empty().ok()?;
        let mut tracked = HashSet::new();
        for entry in index.entries() {
            let p = entry.path(&index).to_string();
            let rel = if prefix.is_empty() {
                Some(p.as_str())
            } else {
                p.strip_prefix(&prefix).and_then(|r| r.strip_prefix('/'))
            };
            if let Some(rel) = rel {
                tracked.insert(rel.to_string());
            }
        }
        let commit = repo.head_id().ok().map(|id| id.to_string());
        Some(GitInfo {
            tracked,
            commit,
            dirty: git_dirty(root),
        })
    }
}

/// Asks the git binary; the answer is only reported, so a missing git is `None`.
fn git_dirty(root: &Path) -> Option<bool> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["status", "--porcelain", "--untracked-files=no", "--", "."])
        .output()
        .ok()?;
    out.status.success().then_some(!out.stdout.is_empty())
}
