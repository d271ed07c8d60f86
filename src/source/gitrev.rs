//! A commit's tree read straight from the object database: no checkout, so it
//! works on bare repositories and never touches a work tree.

use std::path::Path;

use gix::objs::tree::EntryKind;

use super::{
    decode, finish, Content, Project, ProjectFile, Skipped, SourceError, Want, MAX_PARSE_BYTES,
};

pub(super) fn read(
    path: &Path,
    rev: &str,
    wanted: &(dyn Fn(&str, u64) -> Want + Sync),
) -> Result<Project, SourceError> {
    let git = |what: &str, e: &dyn std::fmt::Display| SourceError::Git(format!("{what}: {e}"));
    if !path.exists() {
        return Err(SourceError::Unreadable {
            path: path.display().to_string(),
            reason: "no such file or directory".into(),
        });
    }
    let repo = gix::discover(path).map_err(|e| git("not a git repository", &e))?;
    // A folder inside a work tree narrows the tree to that folder.
    let prefix = match (repo.workdir(), std::fs::canonicalize(path)) {
        (Some(wd), Ok(p)) => std::fs::canonicalize(wd)
            .ok()
            .and_then(|wd| super::relative(&wd, &p))
            .unwrap_or_default(),
        _ => String::new(),
    };
    let id = repo
        .rev_parse_single(rev)
        .map_err(|e| git(&format!("cannot resolve revision '{rev}'"), &e))?;
    let commit = id
        .object()
        .map_err(|e| git("cannot read object", &e))?
        .peel_to_commit()
        .map_err(|e| git(&format!("'{rev}' does not name a commit"), &e))?;
    let tree = commit.tree().map_err(|e| git("cannot read tree", &e))?;
    let entries = tree
        .traverse()
        .breadthfirst
        .files()
        .map_err(|e| git("cannot walk tree", &e))?;

    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for entry in entries {
        let full = entry.filepath.to_string();
        let rel = if prefix.is_empty() {
            full
        } else {
            match full.strip_prefix(&prefix).and_then(|r| r.strip_prefix('/')) {
                Some(r) => r.to_string(),
                None => continue,
            }
        };
        if rel
            .split('/')
            .any(|s| super::DEFAULT_EXCLUDED_DIRS.contains(&s))
        {
            continue;
        }
        match entry.mode.kind() {
            EntryKind::Tree => continue,
            EntryKind::Link => {
                skipped.push(Skipped {
                    path: rel,
                    reason: "symlink in a git tree: not followed".into(),
                });
                continue;
            }
            EntryKind::Commit => {
                skipped.push(Skipped {
                    path: rel,
                    reason: "git submodule: not assessed".into(),
                });
                continue;
            }
            EntryKind::Blob | EntryKind::BlobExecutable => {}
        }
        let size = repo.find_header(entry.oid).map(|h| h.size()).unwrap_or(0);
        let want = wanted(&rel, size);
        let content = if want == Want::No {
            Content::NotRead
        } else if size > MAX_PARSE_BYTES {
            skipped.push(Skipped {
                path: rel.clone(),
                reason: format!(
                    "larger than {} MiB: counted, not parsed",
                    MAX_PARSE_BYTES >> 20
                ),
            });
            Content::Skipped
        } else {
            match repo.find_object(entry.oid) {
                Ok(obj) if want == Want::IfShebang && !obj.data.starts_with(b"#!") => {
                    Content::NotRead
                }
                Ok(obj) => match decode(obj.data.clone()) {
                    Ok(text) => Content::Text(text),
                    Err(reason) => {
                        skipped.push(Skipped {
                            path: rel.clone(),
                            reason: reason.into(),
                        });
                        Content::Skipped
                    }
                },
                Err(e) => {
                    skipped.push(Skipped {
                        path: rel.clone(),
                        reason: format!("unreadable blob: {e}"),
                    });
                    Content::Skipped
                }
            }
        };
        files.push(ProjectFile {
            path: rel,
            size,
            untracked: false,
            content,
        });
    }
    Ok(finish(Project {
        display: format!("{}@{rev}", path.display()),
        commit: Some(commit.id.to_string()),
        dirty: Some(false),
        files,
        skipped,
    }))
}
