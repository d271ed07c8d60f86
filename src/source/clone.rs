//! A git URL: cloned shallowly with the git binary into a temporary directory
//! that is removed when the assessment is done. The git binary honours the
//! user's credentials and proxy settings, and keeps TLS out of our build.

use std::process::Command;

use super::{Project, SourceError, Want};

/// Whether the argument names a remote (or `file://`) repository rather than a path.
pub fn is_git_url(s: &str) -> bool {
    ["https://", "http://", "git://", "ssh://", "file://"]
        .iter()
        .any(|p| s.starts_with(p))
        || (s.starts_with("git@") && s.contains(':'))
}

pub(super) fn read(
    url: &str,
    rev: Option<&str>,
    wanted: &(dyn Fn(&str, u64) -> Want + Sync),
) -> Result<Project, SourceError> {
    let tmp = tempfile::Builder::new()
        .prefix("reproscale-clone-")
        .tempdir()
        .map_err(|e| {
            SourceError::Environment(format!("cannot create a temporary directory: {e}"))
        })?;
    let dest = tmp.path().join("repo");
    let mut cmd = Command::new("git");
    cmd.arg("clone").arg("--quiet");
    if rev.is_none() {
        cmd.args(["--no-tags", "--depth", "1"]);
    } else {
        // A bare clone keeps the remote's branches as local branches and
        // fetches its tags, so `--rev` can name a branch or a tag; the commit
        // is read from the object database, so no checkout is needed.
        cmd.arg("--bare");
    }
    cmd.arg("--").arg(url).arg(&dest);
    cmd.env("GIT_TERMINAL_PROMPT", "0");
    let out = cmd
        .output()
        .map_err(|e| SourceError::Environment(format!("cannot run git to clone {url}: {e}")))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("unknown error");
        return Err(SourceError::Git(format!(
            "git clone {url} failed: {}",
            first.trim()
        )));
    }
    let mut project = match rev {
        Some(rev) => super::gitrev::read(&dest, rev, wanted)?,
        None => super::worktree::read(&dest, wanted)?,
    };
    project.display = match rev {
        Some(rev) => format!("{url}@{rev}"),
        None => url.to_string(),
    };
    // `tmp` is removed here, when it goes out of scope.
    Ok(project)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_told_from_paths() {
        assert!(is_git_url("https://github.com/a/b"));
        assert!(is_git_url("file:///tmp/x"));
        assert!(is_git_url("git@github.com:a/b.git"));
        assert!(!is_git_url("./examples/x"));
        assert!(!is_git_url("/abs/path"));
    }
}
