//! What files a project has, and their contents within caps.
//!
//! Three kinds of input end in the same [`Project`]: a directory (in a git
//! work tree or not), a commit read from the object database, and a git URL
//! cloned to a temporary directory. Everything later reads only `Project`.

mod clone;
mod gitrev;
mod worktree;

use std::path::{Path, PathBuf};

use serde::Serialize;

pub use clone::is_git_url;

/// Files larger than this are counted as present but never parsed.
pub const MAX_PARSE_BYTES: u64 = 8 * 1024 * 1024;

/// Errors that stop a project from being read at all.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The path does not exist or cannot be read.
    #[error("cannot read project at '{path}': {reason}")]
    Unreadable {
        /// The path as given.
        path: String,
        /// Why.
        reason: String,
    },
    /// A git operation failed on what was asked of it (no such revision,
    /// a clone the remote refused).
    #[error("{0}")]
    Git(String),
    /// The machine could not do the work: git could not be started, or a
    /// temporary folder could not be made (exit code 3, not 2).
    #[error("{0}")]
    Environment(String),
}

/// Where to read a project from.
#[derive(Debug, Clone)]
pub enum Input {
    /// A local directory (a git work tree or a plain folder).
    Directory(PathBuf),
    /// A commit of the repository at (or above) the path, read from the object database.
    Revision {
        /// Repository path (bare or not), or a folder inside a work tree.
        path: PathBuf,
        /// Any revision git understands (`HEAD~2`, a tag, a hash).
        rev: String,
    },
    /// A git URL to clone into a temporary directory.
    Url {
        /// The URL.
        url: String,
        /// Optional revision to read after cloning.
        rev: Option<String>,
    },
}

/// How much of a file a reader wants, decided from its path and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// Not its content.
    No,
    /// All of it.
    All,
    /// All of it if it starts with a shebang (`#!`), else nothing: a file
    /// that may be a script run directly. Only its first bytes are read to
    /// find out.
    IfShebang,
}

/// The content of one file, as far as it was read.
#[derive(Debug, Clone)]
pub enum Content {
    /// UTF-8 text.
    Text(String),
    /// Not read: no parser wants this kind of file.
    NotRead,
    /// Skipped; the reason is in [`Project::skipped`].
    Skipped,
}

/// One file of the project.
#[derive(Debug, Clone)]
pub struct ProjectFile {
    /// Path relative to the project root, `/`-separated.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// Present in the work tree but not committed (and not ignored).
    pub untracked: bool,
    /// Content, when a parser wants it and it passed the caps.
    pub content: Content,
}

impl ProjectFile {
    /// The text, when it was read.
    pub fn text(&self) -> Option<&str> {
        match &self.content {
            Content::Text(t) => Some(t),
            _ => None,
        }
    }
}

/// A file or folder left out, with the reason.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord, schemars::JsonSchema)]
pub struct Skipped {
    /// Path relative to the project root.
    pub path: String,
    /// Why it was left out.
    pub reason: String,
}

/// A project as the rest of the pipeline sees it.
#[derive(Debug, Clone)]
pub struct Project {
    /// How the project was named on the command line.
    pub display: String,
    /// The commit read, when known.
    pub commit: Option<String>,
    /// Whether the work tree has uncommitted changes to tracked files.
    pub dirty: Option<bool>,
    /// Files, sorted by path.
    pub files: Vec<ProjectFile>,
    /// What was left out and why, sorted by path.
    pub skipped: Vec<Skipped>,
}

impl Project {
    /// Finds a file by its relative path.
    pub fn file(&self, path: &str) -> Option<&ProjectFile> {
        self.files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
            .map(|i| &self.files[i])
    }

    /// Whether `path` is a file or a folder holding files.
    pub fn exists(&self, path: &str) -> bool {
        let path = path.trim_end_matches('/');
        if path.is_empty() || path == "." {
            return true;
        }
        if self.file(path).is_some() {
            return true;
        }
        let prefix = format!("{path}/");
        let i = self
            .files
            .partition_point(|f| f.path.as_str() < prefix.as_str());
        self.files
            .get(i)
            .is_some_and(|f| f.path.starts_with(&prefix))
    }
}

/// Reads a project. `wanted` decides which files' contents are read.
pub fn read(
    input: &Input,
    wanted: &(dyn Fn(&str, u64) -> Want + Sync),
) -> Result<Project, SourceError> {
    match input {
        // A bare repository has no work tree: read its HEAD commit instead.
        Input::Directory(path) if is_bare_repo(path) => gitrev::read(path, "HEAD", wanted),
        Input::Directory(path) => worktree::read(path, wanted),
        Input::Revision { path, rev } => gitrev::read(path, rev, wanted),
        Input::Url { url, rev } => clone::read(url, rev.as_deref(), wanted),
    }
}

/// Whether `path` is a bare git repository (a git folder with no work tree).
pub fn is_bare_repository(path: &Path) -> bool {
    is_bare_repo(path)
}

fn is_bare_repo(path: &Path) -> bool {
    path.join("HEAD").is_file()
        && path.join("objects").is_dir()
        && gix::open(path).is_ok_and(|r| r.is_bare())
}

/// Opens `path` for reading only when it is a regular file (after symlinks).
///
/// The open itself never blocks: a FIFO opened for reading would wait forever for
/// a writer, so it is opened non-blocking and refused after `fstat`. Checking the
/// type on the open descriptor, not the name, leaves no window for a swap.
pub fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (FIFO, socket or device)",
        ));
    }
    Ok(file)
}

/// Reads a regular file of at most `cap` bytes (see [`open_regular`]).
pub fn read_regular(path: &Path, cap: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    open_regular(path)?
        .take(cap.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than {} MiB", cap >> 20),
        ));
    }
    Ok(bytes)
}

/// Whether `path` exists as something a reader could block on or be fooled by: present,
/// and not a regular file once symlinks are followed (FIFO, socket, device, folder).
pub fn is_special(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok() && !std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// Classifies raw bytes: text when valid UTF-8 without NUL bytes in its head.
fn decode(bytes: Vec<u8>) -> Result<String, &'static str> {
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return Err("binary file (NUL bytes)");
    }
    match String::from_utf8(bytes) {
        Ok(s) => Ok(s),
        // PEP 263: a `coding:` line in the first two lines names the encoding.
        // The single-byte Latin encodings map each byte to one char, so the
        // text (and every line number) survives for the parser.
        Err(e) if declares_latin(e.as_bytes()) => {
            Ok(e.as_bytes().iter().map(|&b| char::from(b)).collect())
        }
        Err(_) => Err("not valid UTF-8 text"),
    }
}

fn declares_latin(bytes: &[u8]) -> bool {
    let head: Vec<u8> = bytes
        .split(|&b| b == b'\n')
        .take(2)
        .flatten()
        .copied()
        .collect();
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let Some(i) = head.find("coding") else {
        return false;
    };
    let rest = head[i + 6..].trim_start_matches([':', '=']).trim_start();
    [
        "latin-1",
        "latin1",
        "iso-8859-1",
        "iso8859-1",
        "iso-latin-1",
        "cp1252",
        "windows-1252",
        "l1",
    ]
    .iter()
    .any(|enc| rest.starts_with(enc))
}

/// Turns a path into the `/`-separated form relative to `root`.
fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<_> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

/// Folders never assessed: environments and caches that are not the project's code.
pub const DEFAULT_EXCLUDED_DIRS: &[&str] = &[
    // Version control, environments and caches: the first
    // `ENVIRONMENT_AND_CACHE_DIRS` entries.
    ".git",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "node_modules",
    "site-packages",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".ipynb_checkpoints",
    // Vendored code: not the project's own, but part of what it ships.
    "vendor",
    "vendored",
    "_vendor",
    "third_party",
    "third-party",
];

/// How many of [`DEFAULT_EXCLUDED_DIRS`] are version control, environments
/// and caches (the rest are vendored code).
pub const ENVIRONMENT_AND_CACHE_DIRS: usize = 12;

/// Shared last step: sort, and read wanted contents under the caps.
fn finish(mut project: Project) -> Project {
    project.files.sort_by(|a, b| a.path.cmp(&b.path));
    project.files.dedup_by(|a, b| a.path == b.path);
    project.skipped.sort();
    project.skipped.dedup();
    project
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_and_cache_prefix_ends_before_vendored_code() {
        let (env, vendored) = DEFAULT_EXCLUDED_DIRS.split_at(ENVIRONMENT_AND_CACHE_DIRS);
        assert!(env.contains(&".git") && env.contains(&".ipynb_checkpoints"));
        assert!(vendored
            .iter()
            .all(|d| d.contains("vendor") || d.contains("third")));
    }

    #[test]
    fn decode_rejects_binary_and_bad_utf8() {
        assert!(decode(b"print(1)\n".to_vec()).is_ok());
        assert!(decode(vec![b'a', 0, b'b']).is_err());
        assert!(decode(vec![0xff, 0xfe, b'a']).is_err());
        let latin = b"# -*- coding: latin-1 -*-\nname = '\xe9t\xe9'\n".to_vec();
        assert_eq!(
            decode(latin).ok().as_deref(),
            Some("# -*- coding: latin-1 -*-\nname = '\u{e9}t\u{e9}'\n")
        );
    }

    #[test]
    fn exists_finds_files_and_folders() {
        let p = Project {
            display: ".".into(),
            commit: None,
            dirty: None,
            files: ["a.py", "data/x/y.csv", "datasets.py"]
                .iter()
                .map(|p| ProjectFile {
                    path: p.to_string(),
                    size: 1,
                    untracked: false,
                    content: Content::NotRead,
                })
                .collect(),
            skipped: vec![],
        };
        assert!(p.exists("a.py"));
        assert!(p.exists("data"));
        assert!(p.exists("data/x/"));
        assert!(!p.exists("dat"));
        assert!(!p.exists("data/y.csv"));
    }
}
