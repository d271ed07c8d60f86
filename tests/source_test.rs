//! The source layer end to end: a work tree in git, `--rev` read from the
//! object database (bare or not), a git URL cloned to a temporary folder, and
//! the caps on hostile files. Every repository is built in a temporary folder
//! with the git binary, isolated from the machine's and the user's git config.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use reproscale::assessment::CriterionResult;
use reproscale::source::{self, Content, Input, SourceError, MAX_PARSE_BYTES};
use reproscale::Report;

// ---------------------------------------------------------------- helpers

/// Runs the git binary with a throwaway HOME and no system or global config.
struct Git {
    home: tempfile::TempDir,
}

impl Git {
    fn new() -> Git {
        Git {
            home: tempfile::Builder::new()
                .prefix("reproscale-test-home-")
                .tempdir()
                .expect("home tempdir"),
        }
    }

    /// Runs `git -C dir args…`, asserts success and returns trimmed stdout.
    fn run(&self, dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "-c",
                "commit.gpgsign=false",
                "-c",
                "tag.gpgsign=false",
                "-c",
                "init.defaultBranch=main",
                "-c",
                "core.autocrlf=false",
            ])
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.home.path().join("gitconfig"))
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path())
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .env_remove("GIT_OBJECT_DIRECTORY")
            .env_remove("GIT_ALTERNATE_OBJECT_DIRECTORIES")
            .output()
            .expect("the git binary must be installed to run these tests");
        assert!(
            out.status.success(),
            "git {args:?} failed in {}:\n{}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn init(&self, dir: &Path) {
        self.run(dir, &["init", "-q"]);
    }

    fn commit_all(&self, dir: &Path, msg: &str) -> String {
        self.run(dir, &["add", "-A"]);
        self.run(dir, &["commit", "-q", "-m", msg]);
        self.run(dir, &["rev-parse", "HEAD"])
    }
}

fn tempdir(prefix: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .expect("tempdir")
}

fn write(root: &Path, rel: &str, content: impl AsRef<[u8]>) {
    let p = root.join(rel);
    if let Some(parent) = p.parent() {
        fs::create_dir_all(parent).expect("mkdir");
    }
    fs::write(p, content).expect("write");
}

fn criterion<'a>(report: &'a Report, id: &str) -> &'a CriterionResult {
    report
        .criteria
        .iter()
        .find(|c| c.id.as_str() == id)
        .unwrap_or_else(|| panic!("no criterion {id}"))
}

/// Assesses on another thread and fails the test (instead of hanging) when
/// it takes longer than `secs`.
fn assess_within(secs: u64, input: Input) -> Result<Report, reproscale::Error> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(reproscale::assess(&input));
    });
    rx.recv_timeout(Duration::from_secs(secs))
        .unwrap_or_else(|_| panic!("assessment did not finish within {secs}s (hung?)"))
}

fn assert_sorted_skips(report: &Report) {
    assert!(
        report.skipped.windows(2).all(|w| w[0] <= w[1]),
        "skipped list is not sorted: {:#?}",
        report.skipped
    );
}

/// The reason a path was skipped for, failing the test when it was not.
fn skip_reason<'a>(report: &'a Report, path: &str) -> &'a str {
    report
        .skipped
        .iter()
        .find(|s| s.path == path)
        .map(|s| s.reason.as_str())
        .unwrap_or_else(|| panic!("{path} not skipped; skipped = {:#?}", report.skipped))
}

const TRAIN_OK: &str = r#"import csv
import random


def main():
    random.seed(1)
    with open("data/x.csv") as f:
        rows = list(csv.reader(f))
    print(len(rows), random.random())


if __name__ == "__main__":
    main()
"#;

const TRAIN_BROKEN: &str = r#"import random


def main():
    random.seed(1)
    print(random.random()]


if __name__ == "__main__":
    main()
"#;

const TRAIN_FIXED: &str = r#"import random


def main():
    random.seed(1)
    print(random.random())


if __name__ == "__main__":
    main()
"#;

/// A repository whose HEAD~1 has a syntax error that HEAD fixes.
fn broken_then_fixed(git: &Git) -> (tempfile::TempDir, String, String) {
    let repo = tempdir("reproscale-test-rev-");
    git.init(repo.path());
    write(repo.path(), "train.py", TRAIN_BROKEN);
    let a = git.commit_all(repo.path(), "A: broken");
    write(repo.path(), "train.py", TRAIN_FIXED);
    let b = git.commit_all(repo.path(), "B: fixed");
    (repo, a, b)
}

// ---------------------------------------------------------------- 1. work tree

#[test]
fn work_tree_in_git_reports_commit_untracked_ignored_and_dirty() {
    let git = Git::new();
    let repo = tempdir("reproscale-test-wt-");
    let root = repo.path();
    git.init(root);
    write(root, "train.py", TRAIN_OK);
    write(root, "data/y.csv", "a,b\n1,2\n");
    write(root, ".gitignore", "secret.csv\n");
    let head = git.commit_all(root, "initial");
    // Untracked but not ignored, and ignored (would be data evidence if seen).
    write(root, "data/x.csv", "a,b\n3,4\n");
    write(root, "data/secret.csv", "password,hunter2\n");

    let report = reproscale::assess(&Input::Directory(root.to_path_buf())).expect("assess");
    assert_eq!(report.project.commit.as_deref(), Some(head.as_str()));
    assert_eq!(
        report.project.dirty,
        Some(false),
        "untracked files do not make it dirty"
    );
    assert_eq!(report.project.path, root.display().to_string());

    // The ignored file appears nowhere: not as a file, not in any output.
    let dump = format!("{report:?}");
    assert!(!dump.contains("secret.csv"), "ignored file leaked: {dump}");
    // train.py, .gitignore, data/y.csv, data/x.csv
    assert_eq!(report.files_seen, 4);

    let c12 = criterion(&report, "1.2");
    let untracked = c12
        .evidence
        .iter()
        .find(|e| e.path == "data/x.csv")
        .unwrap_or_else(|| panic!("no 1.2 evidence for data/x.csv: {:#?}", c12.evidence));
    assert!(
        untracked.note.contains("untracked"),
        "untracked data file not flagged: {}",
        untracked.note
    );
    let tracked = c12
        .evidence
        .iter()
        .find(|e| e.path == "data/y.csv")
        .unwrap_or_else(|| panic!("no 1.2 evidence for data/y.csv: {:#?}", c12.evidence));
    assert!(
        !tracked.note.contains("untracked"),
        "committed data file flagged as untracked: {}",
        tracked.note
    );

    // Modifying a tracked file makes the work tree dirty.
    write(root, "train.py", format!("{TRAIN_OK}# edited\n"));
    let report = reproscale::assess(&Input::Directory(root.to_path_buf())).expect("assess");
    assert_eq!(report.project.dirty, Some(true));
    assert_eq!(report.project.commit.as_deref(), Some(head.as_str()));
}

#[test]
fn work_tree_subfolder_is_narrowed_to_the_subfolder() {
    let git = Git::new();
    let repo = tempdir("reproscale-test-sub-");
    let root = repo.path();
    git.init(root);
    write(root, "proj/train.py", TRAIN_FIXED);
    write(root, "other/broken.py", TRAIN_BROKEN);
    let head = git.commit_all(root, "initial");

    let sub = root.join("proj");
    let report = reproscale::assess(&Input::Directory(sub.clone())).expect("assess");
    assert_eq!(report.project.commit.as_deref(), Some(head.as_str()));
    assert_eq!(report.files_seen, 1, "only proj/ is assessed");
    assert_eq!(criterion(&report, "1.1").status.as_str(), "pass");

    // The same narrowing applies to a commit read with --rev.
    let report = reproscale::assess(&Input::Revision {
        path: sub,
        rev: "HEAD".into(),
    })
    .expect("assess rev");
    assert_eq!(report.files_seen, 1, "only proj/ is assessed at HEAD");
    assert_eq!(criterion(&report, "1.1").status.as_str(), "pass");
}

// ---------------------------------------------------------------- 2. --rev

#[test]
fn rev_reads_the_named_commit_not_the_work_tree() {
    let git = Git::new();
    let (repo, a, b) = broken_then_fixed(&git);

    let old = reproscale::assess(&Input::Revision {
        path: repo.path().to_path_buf(),
        rev: "HEAD~1".into(),
    })
    .expect("assess HEAD~1");
    assert_eq!(old.project.commit.as_deref(), Some(a.as_str()));
    assert_eq!(old.project.dirty, Some(false));
    assert_eq!(
        old.project.path,
        format!("{}@HEAD~1", repo.path().display())
    );
    let c11 = criterion(&old, "1.1");
    assert_eq!(c11.status.as_str(), "fail", "{}", c11.summary);
    assert!(
        c11.evidence.iter().any(|e| e.path == "train.py"),
        "{:#?}",
        c11.evidence
    );

    let now = reproscale::assess(&Input::Directory(repo.path().to_path_buf())).expect("assess");
    assert_eq!(now.project.commit.as_deref(), Some(b.as_str()));
    let c11 = criterion(&now, "1.1");
    assert_eq!(c11.status.as_str(), "pass", "{}", c11.summary);

    // An uncommitted edit to the work tree does not leak into --rev HEAD.
    write(repo.path(), "train.py", TRAIN_BROKEN);
    let head = reproscale::assess(&Input::Revision {
        path: repo.path().to_path_buf(),
        rev: "HEAD".into(),
    })
    .expect("assess HEAD");
    assert_eq!(head.project.commit.as_deref(), Some(b.as_str()));
    assert_eq!(criterion(&head, "1.1").status.as_str(), "pass");
    let dirty = reproscale::assess(&Input::Directory(repo.path().to_path_buf())).expect("assess");
    assert_eq!(criterion(&dirty, "1.1").status.as_str(), "fail");
}

#[test]
fn rev_works_on_a_bare_clone() {
    let git = Git::new();
    let (repo, a, b) = broken_then_fixed(&git);
    let holder = tempdir("reproscale-test-bare-");
    let bare = holder.path().join("bare.git");
    git.run(
        holder.path(),
        &[
            "clone",
            "-q",
            "--bare",
            repo.path().to_str().expect("utf-8 path"),
            bare.to_str().expect("utf-8 path"),
        ],
    );

    let old = reproscale::assess(&Input::Revision {
        path: bare.clone(),
        rev: "HEAD~1".into(),
    })
    .expect("assess bare HEAD~1");
    assert_eq!(old.project.commit.as_deref(), Some(a.as_str()));
    assert_eq!(criterion(&old, "1.1").status.as_str(), "fail");

    let new = reproscale::assess(&Input::Revision {
        path: bare.clone(),
        rev: b.clone(),
    })
    .expect("assess bare by hash");
    assert_eq!(new.project.commit.as_deref(), Some(b.as_str()));
    assert_eq!(criterion(&new, "1.1").status.as_str(), "pass");
}

#[test]
fn rev_accepts_tags_and_rejects_unknown_revisions() {
    let git = Git::new();
    let (repo, a, _b) = broken_then_fixed(&git);
    git.run(repo.path(), &["tag", "v0.1", &a]);
    git.run(
        repo.path(),
        &["tag", "-a", "-m", "annotated", "v0.1-ann", &a],
    );
    for tag in ["v0.1", "v0.1-ann"] {
        let r = reproscale::assess(&Input::Revision {
            path: repo.path().to_path_buf(),
            rev: tag.into(),
        })
        .unwrap_or_else(|e| panic!("assess {tag}: {e}"));
        assert_eq!(r.project.commit.as_deref(), Some(a.as_str()), "{tag}");
    }

    let err = reproscale::assess(&Input::Revision {
        path: repo.path().to_path_buf(),
        rev: "no-such-rev".into(),
    })
    .expect_err("an unknown revision is an error");
    let msg = err.to_string();
    assert!(
        matches!(err, reproscale::Error::Source(SourceError::Git(_))),
        "{err:?}"
    );
    assert!(
        msg.contains("no-such-rev"),
        "message does not name the rev: {msg}"
    );

    // A revision naming a blob, not a commit, is an error too.
    let err = reproscale::assess(&Input::Revision {
        path: repo.path().to_path_buf(),
        rev: "HEAD:train.py".into(),
    })
    .expect_err("a blob is not a commit");
    assert!(err.to_string().contains("HEAD:train.py"), "{err}");
}

#[test]
fn rev_applies_the_caps_to_blobs() {
    let git = Git::new();
    let repo = tempdir("reproscale-test-revcaps-");
    let root = repo.path();
    git.init(root);
    write(root, "train.py", TRAIN_FIXED);
    write(root, "big.py", big_python(9 * 1024 * 1024));
    write(root, "nul.py", b"x = 1\n\0\0\0\n");
    write(root, "latin1.py", b"# caf\xe9\nx = 1\n");
    std::os::unix::fs::symlink("train.py", root.join("alias.py")).expect("symlink");
    let head = git.commit_all(root, "caps");

    let report = reproscale::assess(&Input::Revision {
        path: root.to_path_buf(),
        rev: "HEAD".into(),
    })
    .expect("assess");
    assert_eq!(report.project.commit.as_deref(), Some(head.as_str()));
    assert!(skip_reason(&report, "big.py").contains("larger than 8 MiB"));
    assert!(skip_reason(&report, "nul.py").contains("binary"));
    assert!(skip_reason(&report, "latin1.py").contains("UTF-8"));
    assert!(skip_reason(&report, "alias.py").contains("symlink"));
    // train.py, big.py, nul.py, latin1.py (the symlink is not a file)
    assert_eq!(report.files_seen, 4);
    assert_sorted_skips(&report);
}

// ---------------------------------------------------------------- 3. git URL

/// `reproscale-clone-*` folders in the temp dir holding a clone of `url`
/// (found by the remote URL in the clone's config, bare or not), so that
/// clones made by other tests running at the same time are not counted.
fn leftover_clones(url: &str) -> Vec<PathBuf> {
    let Ok(rd) = fs::read_dir(std::env::temp_dir()) else {
        return Vec::new();
    };
    let needle = format!("url = {url}\n");
    rd.flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("reproscale-clone-")
        })
        .map(|e| e.path())
        .filter(|p| {
            [p.join("repo/.git/config"), p.join("repo/config")]
                .iter()
                .any(|c| fs::read_to_string(c).is_ok_and(|t| t.contains(&needle)))
        })
        .collect()
}

fn file_url(p: &Path) -> String {
    format!("file://{}", p.display())
}

#[test]
fn url_is_cloned_assessed_and_cleaned_up() {
    let git = Git::new();
    let (repo, a, b) = broken_then_fixed(&git);
    let url = file_url(repo.path());

    let report = reproscale::assess(&Input::Url {
        url: url.clone(),
        rev: None,
    })
    .expect("assess url");
    assert_eq!(report.project.path, url);
    assert_eq!(report.project.commit.as_deref(), Some(b.as_str()));
    assert_eq!(report.project.dirty, Some(false));
    assert_eq!(criterion(&report, "1.1").status.as_str(), "pass");
    assert!(
        leftover_clones(&url).is_empty(),
        "clone directory left behind: {:?}",
        leftover_clones(&url)
    );

    // With a revision: the clone is read at that commit.
    let report = reproscale::assess(&Input::Url {
        url: url.clone(),
        rev: Some("HEAD~1".into()),
    })
    .expect("assess url@HEAD~1");
    assert_eq!(report.project.path, format!("{url}@HEAD~1"));
    assert_eq!(report.project.commit.as_deref(), Some(a.as_str()));
    assert_eq!(criterion(&report, "1.1").status.as_str(), "fail");
    assert!(leftover_clones(&url).is_empty());

    // A failed revision still removes the clone.
    let err = reproscale::assess(&Input::Url {
        url: url.clone(),
        rev: Some("no-such-rev".into()),
    })
    .expect_err("unknown rev");
    assert!(err.to_string().contains("no-such-rev"), "{err}");
    assert!(leftover_clones(&url).is_empty());
}

#[test]
fn url_rev_can_name_a_tag_or_a_branch() {
    let git = Git::new();
    let (repo, a, b) = broken_then_fixed(&git);
    git.run(repo.path(), &["tag", "v0.1", &a]);
    git.run(repo.path(), &["branch", "old", &a]);
    git.run(repo.path(), &["checkout", "-q", "-b", "topic"]);
    write(repo.path(), "extra.py", "x = 1\n");
    let topic = git.commit_all(repo.path(), "topic");
    git.run(repo.path(), &["checkout", "-q", "main"]);
    let url = file_url(repo.path());

    for (rev, want) in [
        ("v0.1", &a),
        ("old", &a),
        ("topic", &topic),
        ("main", &b),
        ("HEAD", &b),
    ] {
        let report = reproscale::assess(&Input::Url {
            url: url.clone(),
            rev: Some(rev.into()),
        })
        .unwrap_or_else(|e| panic!("--rev {rev} on a URL: {e}"));
        assert_eq!(
            report.project.commit.as_deref(),
            Some(want.as_str()),
            "{rev}"
        );
    }
}

#[test]
fn url_that_cannot_be_cloned_is_a_one_line_error() {
    let missing = tempdir("reproscale-test-nourl-");
    let url = file_url(&missing.path().join("does-not-exist"));
    let err = assess_within(
        60,
        Input::Url {
            url: url.clone(),
            rev: None,
        },
    )
    .expect_err("clone of a missing repository must fail");
    assert!(
        matches!(err, reproscale::Error::Source(SourceError::Git(_))),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(!msg.trim().is_empty());
    assert!(!msg.contains('\n'), "message is not one line: {msg:?}");
    assert!(msg.contains(&url), "message does not name the URL: {msg}");
}

// ---------------------------------------------------------------- 4. caps

/// Valid Python of exactly `len` bytes.
fn big_python(len: usize) -> Vec<u8> {
    let line = b"x = 1  # padding padding padding padding padding padding padding\n";
    let mut v = Vec::with_capacity(len);
    while v.len() + line.len() <= len {
        v.extend_from_slice(line);
    }
    while v.len() < len - 1 {
        v.push(b'#');
    }
    v.push(b'\n');
    assert_eq!(v.len(), len);
    v
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo must be installed");
    assert!(status.success(), "mkfifo failed");
}

#[test]
fn hostile_files_are_skipped_with_reasons() {
    let dir = tempdir("reproscale-test-caps-");
    let outside = tempdir("reproscale-test-outside-");
    let root = dir.path();
    write(root, "train.py", TRAIN_FIXED);
    write(outside.path(), "secret.py", "import os\n");
    std::os::unix::fs::symlink(outside.path().join("secret.py"), root.join("out.py"))
        .expect("symlink");
    std::os::unix::fs::symlink("loop_b.py", root.join("loop_a.py")).expect("symlink");
    std::os::unix::fs::symlink("loop_a.py", root.join("loop_b.py")).expect("symlink");
    std::os::unix::fs::symlink("train.py", root.join("alias.py")).expect("symlink");
    std::os::unix::fs::symlink(outside.path(), root.join("outdir")).expect("symlink");
    mkfifo(&root.join("pipe.py"));
    std::os::unix::fs::symlink("pipe.py", root.join("pipe_link.py")).expect("symlink");
    write(root, "big.py", big_python(9 * 1024 * 1024));
    write(root, "nul.py", b"x = 1\n\0\0\0\n");
    write(root, "latin1.py", b"# caf\xe9\nx = 1\n");

    let report =
        assess_within(120, Input::Directory(root.to_path_buf())).expect("assessment succeeds");
    assert!(skip_reason(&report, "out.py").contains("outside"));
    assert!(skip_reason(&report, "outdir").contains("outside"));
    assert!(skip_reason(&report, "loop_a.py").contains("loop"));
    assert!(skip_reason(&report, "loop_b.py").contains("loop"));
    assert!(skip_reason(&report, "pipe.py").contains("FIFO"));
    assert!(skip_reason(&report, "pipe_link.py").contains("not a regular file"));
    assert_eq!(
        skip_reason(&report, "big.py"),
        "larger than 8 MiB: counted, not parsed"
    );
    assert!(skip_reason(&report, "nul.py").contains("binary"));
    assert!(skip_reason(&report, "latin1.py").contains("UTF-8"));
    assert!(
        report.skipped.iter().all(|s| s.path != "alias.py"),
        "an in-project symlink is followed"
    );
    assert_sorted_skips(&report);
    // train.py, alias.py, big.py, nul.py, latin1.py
    assert_eq!(report.files_seen, 5);
    assert!(!format!("{report:?}").contains("secret.py"));
    assert_eq!(report.project.commit, None);
    assert_eq!(report.project.dirty, None);
    assert_eq!(criterion(&report, "1.1").status.as_str(), "pass");

    // The files themselves: big.py counted with its size but not read.
    let project = source::read(&Input::Directory(root.to_path_buf()), &|_, _| {
        source::Want::All
    })
    .expect("read");
    let big = project.file("big.py").expect("big.py is counted");
    assert_eq!(big.size, 9 * 1024 * 1024);
    assert!(matches!(big.content, Content::Skipped));
    let alias = project.file("alias.py").expect("alias.py is followed");
    assert_eq!(alias.text(), Some(TRAIN_FIXED));
    assert!(project.file("pipe.py").is_none());
    assert!(project.file("out.py").is_none());
}

#[test]
fn size_cap_is_inclusive() {
    let dir = tempdir("reproscale-test-edge-");
    let root = dir.path();
    let cap = MAX_PARSE_BYTES as usize;
    write(root, "at_cap.py", big_python(cap));
    write(root, "over_cap.py", big_python(cap + 1));
    let project = source::read(&Input::Directory(root.to_path_buf()), &|_, _| {
        source::Want::All
    })
    .expect("read");
    let at = project.file("at_cap.py").expect("at_cap.py");
    assert!(matches!(at.content, Content::Text(ref t) if t.len() == cap));
    let over = project.file("over_cap.py").expect("over_cap.py");
    assert!(matches!(over.content, Content::Skipped));
    assert_eq!(project.skipped.len(), 1, "{:#?}", project.skipped);
    assert_eq!(project.skipped[0].path, "over_cap.py");
}

// ---------------------------------------------------------------- 5. bad paths

#[test]
fn missing_path_and_file_path_are_errors() {
    let dir = tempdir("reproscale-test-bad-");
    let missing = dir.path().join("nope");
    let err = reproscale::assess(&Input::Directory(missing.clone())).expect_err("missing path");
    assert!(
        matches!(
            err,
            reproscale::Error::Source(SourceError::Unreadable { .. })
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains(&missing.display().to_string()),
        "{err}"
    );

    let err = reproscale::assess(&Input::Revision {
        path: missing.clone(),
        rev: "HEAD".into(),
    })
    .expect_err("missing path with --rev");
    assert!(
        matches!(
            err,
            reproscale::Error::Source(SourceError::Unreadable { .. })
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains(&missing.display().to_string()),
        "{err}"
    );

    let file = dir.path().join("train.py");
    write(dir.path(), "train.py", TRAIN_FIXED);
    let err = reproscale::assess(&Input::Directory(file.clone())).expect_err("a file");
    assert!(
        matches!(
            err,
            reproscale::Error::Source(SourceError::Unreadable { .. })
        ),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains("not a directory"), "{msg}");
    assert!(msg.contains(&file.display().to_string()), "{msg}");
}

#[test]
fn extensionless_files_are_read_whole_only_behind_a_shebang() {
    let dir = tempdir("reproscale-test-shebang-");
    let root = dir.path();
    write(root, "train", "#!/usr/bin/env python3\nimport torch\n");
    let mut blob = vec![0u8; 300 * 1024];
    blob[..4].copy_from_slice(b"\x7fELF");
    fs::write(root.join("labels-idx1-ubyte"), &blob).expect("write");
    let input = Input::Directory(root.to_path_buf());
    let project = source::read(&input, &reproscale::facts::wants).expect("read");
    let script = project.file("train").expect("train is listed");
    assert!(script.text().is_some_and(|t| t.contains("import torch")));
    let data = project
        .file("labels-idx1-ubyte")
        .expect("the data file is listed");
    assert_eq!(data.size, 300 * 1024);
    assert!(
        matches!(data.content, Content::NotRead),
        "{:?}",
        data.content
    );
    // Not read, so not a "binary file" skip either.
    assert!(project.skipped.is_empty(), "{:#?}", project.skipped);
    // The same through a commit.
    let git = Git::new();
    git.run(root, &["init", "-q"]);
    git.run(root, &["add", "-A"]);
    git.run(root, &["commit", "-qm", "x"]);
    let rev = Input::Revision {
        path: root.to_path_buf(),
        rev: "HEAD".into(),
    };
    let project = source::read(&rev, &reproscale::facts::wants).expect("read the commit");
    assert!(project.file("train").and_then(|f| f.text()).is_some());
    let data = project.file("labels-idx1-ubyte").expect("listed");
    assert!(
        matches!(data.content, Content::NotRead),
        "{:?}",
        data.content
    );
    assert!(project.skipped.is_empty(), "{:#?}", project.skipped);
}
