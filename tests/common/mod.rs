//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

/// Copies a fixture into a fresh temporary folder outside any git work tree,
/// so that results do not depend on whether the fixture is committed yet.
/// `gitattributes.fixture` becomes `.gitattributes` (kept under another name in
/// this repository so that git-lfs never acts on the fixture's pointer files).
pub fn fixture_copy(name: &str) -> tempfile::TempDir {
    dir_copy(&fixtures_dir().join(name))
}

/// Copies any folder of this repository (e.g. an example) into a fresh temporary folder.
pub fn dir_copy(src: &Path) -> tempfile::TempDir {
    assert!(src.is_dir(), "no folder {}", src.display());
    let tmp = tempfile::Builder::new()
        .prefix("reproscale-fixture-")
        .tempdir()
        .expect("tempdir");
    copy_dir(src, tmp.path());
    tmp
}

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
}

fn copy_dir(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).expect("mkdir");
    for entry in fs::read_dir(src).expect("read_dir") {
        let entry = entry.expect("entry");
        let name = entry.file_name();
        let name = if name == "gitattributes.fixture" {
            ".gitattributes".into()
        } else {
            name
        };
        let target = dst.join(&name);
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Assesses a copy of `src` and renders it, with the temporary path replaced by `label`.
pub fn render_copy(src: &Path, label: &str, format: &str) -> String {
    let dir = dir_copy(src);
    let report = reproscale::assess(&reproscale::source::Input::Directory(
        dir.path().to_path_buf(),
    ))
    .expect("assess");
    let out = match format {
        "json" => reproscale::render::json::render(&report),
        _ => anstream::adapter::strip_str(&reproscale::render::text::render(&report)).to_string(),
    };
    let escaped = serde_json::to_string(&dir.path().display().to_string()).expect("json string");
    out.replace(&escaped[1..escaped.len() - 1], label)
        .replace(&dir.path().display().to_string(), label)
}

/// PIDs of running processes whose argv is exactly `sleep <marker>`.
pub fn sleepers(marker: &str) -> Vec<i32> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir("/proc") else {
        return out;
    };
    for e in entries.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        let Ok(cmdline) = fs::read(e.path().join("cmdline")) else {
            continue;
        };
        let argv: Vec<&[u8]> = cmdline
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .collect();
        let is_zombie = fs::read_to_string(e.path().join("stat"))
            .ok()
            .and_then(|s| {
                s.rsplit_once(')')
                    .map(|(_, r)| r.trim_start().starts_with('Z'))
            })
            .unwrap_or(false);
        if !is_zombie
            && argv.len() == 2
            && argv[0].ends_with(b"sleep")
            && argv[1] == marker.as_bytes()
        {
            out.push(pid);
        }
    }
    out
}

/// What a run of the binary printed and how it exited.
pub struct Out {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn show(&self) -> String {
        format!(
            "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    /// A usage or input error: exit 2, one `error:` line naming the problem, nothing on stdout.
    pub fn usage_error(&self, needles: &[&str]) {
        assert_eq!(self.code, Some(2), "{}", self.show());
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "the error is not one line: {}", self.show());
        assert!(lines[0].starts_with("error: "), "{}", self.show());
        for n in needles {
            assert!(
                lines[0].contains(n),
                "the error does not name `{n}`: {}",
                self.show()
            );
        }
        assert!(self.stdout.is_empty(), "{}", self.show());
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.show()))
    }
}

impl From<std::process::Output> for Out {
    fn from(o: std::process::Output) -> Self {
        Out {
            code: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

/// The fixture projects under tests/fixtures, sorted by name.
pub fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(fixtures_dir())
        .expect("fixtures")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A project folder with `files` (path, content) in a fresh temporary folder
/// named with `prefix`, outside any git work tree.
pub fn project_with(prefix: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .expect("tempdir");
    for (path, text) in files {
        let p = dir.path().join(path);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(&p, text).expect("write");
    }
    dir
}

/// `reproscale verify ARGS DIR`, killed after two minutes.
pub fn verify(dir: &Path, args: &[&str]) -> Out {
    let out = assert_cmd::Command::cargo_bin("reproscale")
        .expect("binary")
        .arg("verify")
        .args(args)
        .arg(dir)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .expect("run reproscale");
    Out::from(out)
}
