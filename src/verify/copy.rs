//! Copying the project into a run's folder (SPEC §6.2).
//!
//! The copy is planned once per verify ([`Plan::new`]) and made once per run
//! ([`Plan::copy_into`]):
//! - regular files are copied, never linked, so that a run cannot write
//!   through to the user's tree; the bytes go from file to file in the kernel
//!   (`copy_file_range`), never through verify's memory, and a sparse file
//!   keeps its holes;
//! - a symlink that resolves inside the project stays a symlink, rewritten
//!   relative to its own folder so that it resolves inside the copy (its
//!   target is copied too when the project's file list left it out);
//! - a symlink that points outside the project or nowhere, a FIFO, a socket
//!   and a device are left out and reported ([`Dropped`]): a run must not
//!   reach outside its copy through the project, and opening a FIFO blocks.
//!
//! Nothing is followed out of the project: links are resolved only to decide
//! whether they stay inside, files are opened with `O_NOFOLLOW` (and
//! `O_NONBLOCK`, so a file swapped for a FIFO cannot hang the copy), and a
//! path under a symlinked folder is never copied.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::io;
use std::os::unix::fs::{FileExt, FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use super::interrupt;

/// What kind of entry was left out of the copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(rename = "DroppedKind")]
pub enum DroppedKind {
    /// A symlink out of the project, broken, or to a FIFO, socket or device.
    Symlink,
    /// A named pipe.
    Fifo,
    /// A Unix socket.
    Socket,
    /// A block device.
    BlockDevice,
    /// A character device.
    CharDevice,
    /// Anything else that could not be copied (gone, unreadable, under a
    /// symlinked folder).
    Other,
}

/// An entry of the project left out of the runs' copies, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Dropped {
    /// Path relative to the project root, `/`-separated.
    pub path: String,
    /// What it is.
    pub kind: DroppedKind,
    /// Why it was left out.
    pub why: String,
}

/// What went into each run's copy (SPEC §6.2; JSON `copy`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
#[schemars(rename = "CopyReport")]
pub struct Report {
    /// Regular files copied.
    pub files: u64,
    /// Symlinks kept (each resolves inside the copy).
    pub symlinks: u64,
    /// Bytes of the regular files (apparent size; holes of sparse files are
    /// not written).
    pub bytes: u64,
    /// Entries left out, by path.
    pub dropped: Vec<Dropped>,
}

/// One thing to create in a copy.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Entry {
    /// A regular file at this relative path.
    File(String),
    /// A symlink at `path` whose (relative) target is `target`.
    Link { path: String, target: PathBuf },
}

/// The copy of one project, planned once and made once per run.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    root: PathBuf,
    /// Folders to create, parents first.
    dirs: Vec<String>,
    /// Files, by path.
    files: Vec<String>,
    /// Symlinks, by path (made after the files).
    links: Vec<(String, PathBuf)>,
    /// What the plan copies and leaves out.
    pub report: Report,
}

/// Whether a project-relative path is plain: relative, no `..`, `.` or empty
/// segments (so that joining it to a folder stays inside that folder).
fn plain(rel: &str) -> bool {
    !rel.is_empty()
        && !rel.starts_with('/')
        && rel
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != "..")
}

fn kind_of(t: fs::FileType) -> Option<(DroppedKind, &'static str)> {
    if t.is_fifo() {
        Some((
            DroppedKind::Fifo,
            "a FIFO (named pipe): opening it would block the run",
        ))
    } else if t.is_socket() {
        Some((
            DroppedKind::Socket,
            "a Unix socket: it belongs to a process on this machine, not to the project",
        ))
    } else if t.is_block_device() {
        Some((DroppedKind::BlockDevice, "a block device"))
    } else if t.is_char_device() {
        Some((DroppedKind::CharDevice, "a character device"))
    } else {
        None
    }
}

/// `to` (relative to the root) as seen from the folder `from` (relative to
/// the root): the shortest `../…` path.
fn relative_to(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<Component> = from.components().collect();
    let to_parts: Vec<Component> = to.components().collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for c in &to_parts[common..] {
        out.push(c.as_os_str());
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// Plans copies as they are built; see [`Plan::new`].
struct Planner {
    root: PathBuf,
    canonical_root: PathBuf,
    entries: BTreeSet<Entry>,
    dropped: BTreeMap<String, Dropped>,
    bytes: u64,
    /// Whether a folder (relative) and every folder above it is a real
    /// folder, not a symlink.
    real_dirs: HashMap<String, bool>,
}

impl Planner {
    fn drop_entry(&mut self, path: &str, kind: DroppedKind, why: String) {
        self.dropped.entry(path.to_string()).or_insert(Dropped {
            path: path.to_string(),
            kind,
            why,
        });
    }

    /// Whether the folder holding `rel` lies inside the project through
    /// real folders only.
    fn parent_is_real(&mut self, rel: &str) -> bool {
        let Some((dir, _)) = rel.rsplit_once('/') else {
            return true;
        };
        if let Some(&ok) = self.real_dirs.get(dir) {
            return ok;
        }
        let ok = self.parent_is_real(dir)
            && fs::symlink_metadata(self.root.join(dir)).is_ok_and(|m| m.is_dir());
        self.real_dirs.insert(dir.to_string(), ok);
        ok
    }

    /// Adds whatever is at `rel`: a file, a symlink (kept or dropped), or a
    /// FIFO, socket or device (dropped). A folder is left alone, and so is
    /// anything missing when `quiet`.
    fn add(&mut self, rel: &str, quiet: bool) {
        if !plain(rel) {
            if !quiet {
                self.drop_entry(rel, DroppedKind::Other, "not a plain relative path".into());
            }
            return;
        }
        if !self.parent_is_real(rel) {
            if !quiet {
                self.drop_entry(
                    rel,
                    DroppedKind::Other,
                    "lies under a symlinked folder: not followed".into(),
                );
            }
            return;
        }
        let full = self.root.join(rel);
        let meta = match fs::symlink_metadata(&full) {
            Ok(m) => m,
            Err(e) => {
                if !quiet {
                    self.drop_entry(rel, DroppedKind::Other, format!("cannot be read: {e}"));
                }
                return;
            }
        };
        let t = meta.file_type();
        if t.is_file() {
            if self.entries.insert(Entry::File(rel.to_string())) {
                self.bytes += meta.len();
            }
        } else if t.is_symlink() {
            self.add_link(rel, &full);
        } else if let Some((kind, why)) = kind_of(t) {
            self.drop_entry(rel, kind, why.to_string());
        }
    }

    fn add_link(&mut self, rel: &str, full: &Path) {
        let shown = fs::read_link(full)
            .map(|t| t.display().to_string())
            .unwrap_or_else(|_| "?".into());
        let Ok(target) = fs::canonicalize(full) else {
            self.drop_entry(
                rel,
                DroppedKind::Symlink,
                format!("broken symlink or symlink loop (→ {shown})"),
            );
            return;
        };
        let Ok(inside) = target.strip_prefix(&self.canonical_root) else {
            self.drop_entry(
                rel,
                DroppedKind::Symlink,
                format!("points outside the project (→ {shown}): not followed"),
            );
            return;
        };
        let inside = inside.to_path_buf();
        let meta = match fs::metadata(&target) {
            Ok(m) => m,
            Err(e) => {
                self.drop_entry(
                    rel,
                    DroppedKind::Symlink,
                    format!("its target cannot be read (→ {shown}): {e}"),
                );
                return;
            }
        };
        if meta.is_file() {
            // The copy must hold what the link names, even when the
            // project's file list left it out (ignored files).
            match inside.to_str() {
                Some(t) if plain(t) => self.add(t, true),
                _ => {}
            }
        } else if !meta.is_dir() {
            self.drop_entry(
                rel,
                DroppedKind::Symlink,
                format!("points to a FIFO, socket or device (→ {shown})"),
            );
            return;
        }
        let from = Path::new(rel).parent().unwrap_or(Path::new(""));
        self.entries.insert(Entry::Link {
            path: rel.to_string(),
            target: relative_to(from, &inside),
        });
    }
}

impl Plan {
    /// Plans the copy of `root`: `files` are the project's files (regular
    /// files and symlinks to files, relative paths); `others` are entries
    /// the project's reading passed over (symlinks to folders or out of the
    /// project, FIFOs, sockets, devices), each looked at again here.
    pub fn new<S: AsRef<str>, T: AsRef<str>>(root: &Path, files: &[S], others: &[T]) -> Plan {
        let canonical_root = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        let mut p = Planner {
            root: root.to_path_buf(),
            canonical_root,
            entries: BTreeSet::new(),
            dropped: BTreeMap::new(),
            bytes: 0,
            real_dirs: HashMap::new(),
        };
        let listed: BTreeSet<&str> = files.iter().map(|f| f.as_ref()).collect();
        for f in &listed {
            p.add(f, false);
        }
        for o in others {
            let o = o.as_ref().trim_end_matches('/');
            // Only symlinks and special files: a folder or a regular file
            // the project's reading passed over stays out, as before.
            let special = plain(o)
                && fs::symlink_metadata(root.join(o)).is_ok_and(|m| !m.is_file() && !m.is_dir());
            if special && !listed.contains(o) {
                p.add(o, true);
            }
        }
        let mut dirs = BTreeSet::new();
        let mut files = Vec::new();
        let mut links = Vec::new();
        for e in p.entries {
            let path = match &e {
                Entry::File(f) => f.clone(),
                Entry::Link { path, .. } => path.clone(),
            };
            let mut at = path.as_str();
            while let Some((dir, _)) = at.rsplit_once('/') {
                if !dirs.insert(dir.to_string()) {
                    break;
                }
                at = dir;
            }
            match e {
                Entry::File(f) => files.push(f),
                Entry::Link { path, target } => links.push((path, target)),
            }
        }
        // Parents sort before their children.
        let dirs: Vec<String> = dirs.into_iter().collect();
        Plan {
            root: root.to_path_buf(),
            dirs,
            report: Report {
                files: files.len() as u64,
                symlinks: links.len() as u64,
                bytes: p.bytes,
                dropped: p.dropped.into_values().collect(),
            },
            files,
            links,
        }
    }

    /// Makes the copy in the (empty or new) folder `dest`: folders, then
    /// files in path order (so their modification times rise in that order,
    /// run after run), then symlinks. An error names the path.
    pub fn copy_into(&self, dest: &Path) -> Result<(), String> {
        fs::create_dir_all(dest).map_err(|e| format!("cannot create {}: {e}", dest.display()))?;
        for d in &self.dirs {
            let to = dest.join(d);
            match fs::create_dir(&to) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && to.is_dir() => {}
                Err(e) => return Err(format!("cannot create {}: {e}", to.display())),
            }
        }
        for rel in &self.files {
            if interrupt::stopping() {
                return Err("verify was interrupted".into());
            }
            copy_file(&self.root.join(rel), &dest.join(rel))
                .map_err(|e| format!("cannot copy {rel}: {e}"))?;
        }
        for (rel, target) in &self.links {
            std::os::unix::fs::symlink(target, dest.join(rel))
                .map_err(|e| format!("cannot make the symlink {rel}: {e}"))?;
        }
        Ok(())
    }
}

/// Copies the regular file `from` to the new file `to` with its permission
/// bits; `from` is not followed if it is a symlink and not waited on if it
/// is a FIFO. Returns the bytes copied (holes not counted).
pub fn copy_file(from: &Path, to: &Path) -> io::Result<u64> {
    let src = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(from)?;
    let meta = src.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "no longer a regular file",
        ));
    }
    let mut dst = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(to)?;
    let len = meta.len();
    let copied = if meta.blocks().saturating_mul(512) < len {
        copy_sparse(&src, &dst, len)?
    } else {
        let mut src = src;
        io::copy(&mut src, &mut dst)?
    };
    dst.set_permissions(fs::Permissions::from_mode(meta.mode() & 0o7777))?;
    Ok(copied)
}

/// Copies the data ranges of a sparse file (`SEEK_DATA`/`SEEK_HOLE`) and
/// sets the length, so that holes stay holes. Falls back to a plain copy
/// where the file system cannot say where the data is.
fn copy_sparse(src: &fs::File, dst: &fs::File, len: u64) -> io::Result<u64> {
    use rustix::fs::SeekFrom;
    let mut copied = 0;
    let mut at = 0u64;
    while at < len {
        let data = match rustix::fs::seek(src, SeekFrom::Data(at)) {
            Ok(d) => d,
            // No data after `at`: the rest is a hole.
            Err(rustix::io::Errno::NXIO) => break,
            Err(_) if at == 0 => return copy_range(src, dst, 0, len),
            Err(e) => return Err(e.into()),
        };
        let hole = rustix::fs::seek(src, SeekFrom::Hole(data))
            .unwrap_or(len)
            .min(len);
        if hole <= data {
            break;
        }
        copied += copy_range(src, dst, data, hole - data)?;
        at = hole;
    }
    dst.set_len(len)?;
    Ok(copied)
}

/// Copies `len` bytes at `offset` from `src` to the same offset of `dst`:
/// `copy_file_range` in the kernel, else reads and writes through a buffer.
fn copy_range(src: &fs::File, dst: &fs::File, offset: u64, len: u64) -> io::Result<u64> {
    let end = offset + len;
    let (mut off_in, mut off_out) = (offset, offset);
    while off_in < end {
        let chunk = usize::try_from(end - off_in)
            .unwrap_or(usize::MAX)
            .min(1 << 30);
        match rustix::fs::copy_file_range(src, Some(&mut off_in), dst, Some(&mut off_out), chunk) {
            Ok(0) => return Ok(off_in - offset),
            Ok(_) => {}
            Err(_) => break,
        }
    }
    if off_in >= end {
        return Ok(len);
    }
    let mut buf = vec![0u8; 1 << 18];
    while off_in < end {
        let want = usize::try_from(end - off_in)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let n = src.read_at(&mut buf[..want], off_in)?;
        if n == 0 {
            break;
        }
        dst.write_all_at(&buf[..n], off_in)?;
        off_in += n as u64;
    }
    Ok(off_in - offset)
}

/// Removes what a folder holds without following symlinks, two levels of
/// entries in parallel (so that the copies of one big output folder are
/// removed by more than one thread). Errors are ignored: what is left goes
/// with the temporary folder.
pub fn remove_tree(dir: &Path) {
    use rayon::prelude::*;
    fn children(d: &Path) -> Vec<(PathBuf, bool)> {
        fs::read_dir(d)
            .map(|rd| {
                rd.flatten()
                    .map(|e| (e.path(), e.file_type().is_ok_and(|t| t.is_dir())))
                    .collect()
            })
            .unwrap_or_default()
    }
    fn remove((p, is_dir): &(PathBuf, bool)) {
        let _ = if *is_dir {
            fs::remove_dir_all(p)
        } else {
            fs::remove_file(p)
        };
    }
    let top = children(dir);
    let second: Vec<(PathBuf, bool)> = top
        .iter()
        .filter(|(_, is_dir)| *is_dir)
        .flat_map(|(p, _)| children(p))
        .collect();
    second.par_iter().for_each(remove);
    top.par_iter().for_each(remove);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_targets() {
        let r = |from: &str, to: &str| relative_to(Path::new(from), Path::new(to));
        assert_eq!(r("", "data/a.csv"), PathBuf::from("data/a.csv"));
        assert_eq!(r("a/b", "a/c"), PathBuf::from("../c"));
        assert_eq!(r("a/b", "x/y"), PathBuf::from("../../x/y"));
        assert_eq!(r("a", "a"), PathBuf::from("."));
        assert_eq!(r("a", ""), PathBuf::from(".."));
        assert_eq!(r("", ""), PathBuf::from("."));
    }

    #[test]
    fn plain_paths_only() {
        assert!(plain("a/b.txt"));
        assert!(!plain("../a"));
        assert!(!plain("a/../../b"));
        assert!(!plain("/etc/passwd"));
        assert!(!plain("a//b"));
        assert!(!plain(""));
    }

    #[test]
    fn plan_keeps_inside_links_and_drops_the_rest() {
        let outside = tempfile::tempdir().expect("tempdir");
        std::fs::write(outside.path().join("secret"), "s").expect("write");
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("data/raw")).expect("mkdir");
        std::fs::write(root.join("data/raw/a.csv"), "x,y\n").expect("write");
        std::fs::write(root.join("ignored.bin"), "z").expect("write");
        std::os::unix::fs::symlink("raw/a.csv", root.join("data/a.csv")).expect("link");
        std::os::unix::fs::symlink("data/raw", root.join("rawdir")).expect("link");
        std::os::unix::fs::symlink("ignored.bin", root.join("alias.bin")).expect("link");
        std::os::unix::fs::symlink(outside.path().join("secret"), root.join("out")).expect("link");
        std::os::unix::fs::symlink("nowhere", root.join("broken")).expect("link");
        let files = ["data/raw/a.csv", "data/a.csv", "alias.bin", "out"];
        let others = ["rawdir", "broken", "missing-too"];
        let plan = Plan::new(root, &files, &others);
        assert_eq!(plan.files, vec!["data/raw/a.csv", "ignored.bin"]);
        assert_eq!(
            plan.links,
            vec![
                ("alias.bin".to_string(), PathBuf::from("ignored.bin")),
                ("data/a.csv".to_string(), PathBuf::from("raw/a.csv")),
                ("rawdir".to_string(), PathBuf::from("data/raw")),
            ]
        );
        let dropped: Vec<(&str, DroppedKind)> = plan
            .report
            .dropped
            .iter()
            .map(|d| (d.path.as_str(), d.kind))
            .collect();
        assert_eq!(
            dropped,
            vec![
                ("broken", DroppedKind::Symlink),
                ("out", DroppedKind::Symlink)
            ]
        );
        assert!(plan.report.dropped[1].why.contains("outside the project"));

        let dest = tempfile::tempdir().expect("tempdir");
        let copy = dest.path().join("copy");
        plan.copy_into(&copy).expect("copies");
        assert_eq!(
            std::fs::read_to_string(copy.join("data/a.csv")).expect("read"),
            "x,y\n"
        );
        assert!(std::fs::symlink_metadata(copy.join("data/a.csv"))
            .expect("lstat")
            .file_type()
            .is_symlink());
        assert!(std::fs::canonicalize(copy.join("rawdir"))
            .expect("resolves")
            .starts_with(std::fs::canonicalize(&copy).expect("canonical")));
        assert!(std::fs::symlink_metadata(copy.join("out")).is_err());
    }

    #[test]
    fn sparse_files_keep_their_holes_and_modes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let from = dir.path().join("sparse.bin");
        let len = 64u64 << 20;
        {
            let f = std::fs::File::create(&from).expect("create");
            f.write_all_at(b"head", 0).expect("write");
            f.write_all_at(b"tail", len - 4).expect("write");
        }
        std::fs::set_permissions(&from, fs::Permissions::from_mode(0o751)).expect("chmod");
        let to = dir.path().join("copy.bin");
        copy_file(&from, &to).expect("copies");
        let (a, b) = (
            std::fs::metadata(&from).expect("meta"),
            std::fs::metadata(&to).expect("meta"),
        );
        assert_eq!(b.len(), len);
        assert_eq!(b.mode() & 0o7777, 0o751);
        // Whatever the source's file system kept sparse, the copy keeps.
        assert!(
            b.blocks() <= a.blocks() + 64,
            "{} vs {}",
            b.blocks(),
            a.blocks()
        );
        let got = std::fs::read(&to).expect("read");
        assert_eq!(&got[..4], b"head");
        assert_eq!(&got[got.len() - 4..], b"tail");
        assert!(got[4..got.len() - 4].iter().all(|&x| x == 0));
    }

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        if !made {
            return;
        }
        let e = copy_file(&fifo, &dir.path().join("x")).expect_err("refused");
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        let plan = Plan::new(dir.path(), &["pipe"], &[] as &[&str]);
        assert_eq!(plan.report.dropped[0].kind, DroppedKind::Fifo);
        assert!(plan.files.is_empty());
    }
}
