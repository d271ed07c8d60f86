//! `--fresh-env` (SPEC §6 `environment`): the runs use a new virtual
//! environment holding only the declared packages, made with `uv` when it is
//! on PATH, else `python3 -m venv` and pip, and put first on PATH (outside
//! the copies; the sandbox mounts it read-only). Environments are cached by
//! a hash of what they hold (`cache_key`), so the next verify of an
//! unchanged project reuses one instead of installing again.
//!
//! Installing from the package index needs the network, so it happens
//! before the sandboxed runs, outside the sandbox; the runs themselves stay
//! without network. Local requirements (`./vendor/x.whl`, `x @ ./pkg`,
//! `file:` paths) are read from the project, relative to the file that
//! declares them; when every requirement is local the install uses no index
//! at all, so it works offline. An install that fails (no network, a package
//! that does not exist) is `run_failed` with the installer's error tail,
//! never a crash.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde::Serialize;

use crate::facts::packages::PackageFileKind;
use crate::facts::Facts;

use super::process;

/// What the runs were given (SPEC §6 `environment`).
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct Environment {
    /// Always true: the runs used a new virtual environment.
    pub fresh: bool,
    /// `uv` or `pip`.
    pub installer: &'static str,
    /// blake3 of the sorted, de-duplicated requirement lines installed.
    pub packages_hash: String,
    /// The requirement lines installed, sorted.
    pub packages: Vec<String>,
    /// Whether an environment made by an earlier verify for the same
    /// requirements, local files and interpreter was reused from the cache.
    pub reused: bool,
    /// Modules a run failed to import there (`ModuleNotFoundError`), with the
    /// distribution that provides each: packages the project does not declare.
    pub undeclared: Vec<Undeclared>,
}

/// A module the fresh environment lacked.
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct Undeclared {
    /// The module imported (`yaml`).
    pub module: String,
    /// The package that provides it (`PyYAML`).
    pub package: String,
}

/// Whether a requirements file is for development only (tests, docs, lint).
fn dev_only(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    ["dev", "test", "doc", "lint", "ci"]
        .iter()
        .any(|w| name.contains(w))
}

/// Archive endings of a distribution file.
const DIST_EXTS: &[&str] = &[
    ".whl", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip", ".egg", ".tar",
];

/// Where a requirement line installs from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The package index (`numpy==1.26.4`), or a remote URL (`x @ https://…`).
    Index,
    /// A file or folder in the project, as a path relative to the project
    /// root (`vendor/x.whl`; `.` is the root; a leading `..` leaves it).
    Project(String),
    /// A file or folder elsewhere on this machine (`/opt/x.whl`,
    /// `x @ file:///opt/x.whl`): handed to the installer as written.
    Machine,
}

/// The name before `@` (when there is one) and the target: what pip would
/// read as a path or URL.
fn split_direct(spec: &str) -> (Option<&str>, &str) {
    let s = spec.trim();
    let (name, rest) = match s.split_once('@') {
        Some((n, t))
            if !n.trim().is_empty()
                && !n.contains(['/', ':', '\\'])
                && !n.trim_start().starts_with('.') =>
        {
            (Some(n.trim()), t.trim())
        }
        _ => (None, s),
    };
    let target = rest.split_whitespace().next().unwrap_or("");
    (name, target.trim_end_matches(';'))
}

/// Where `spec` (a requirement line, options removed) installs from. Local
/// paths are read relative to `dir`, the project-relative folder of the file
/// that declares them.
pub fn origin(spec: &str, dir: &str) -> Origin {
    let (name, target) = split_direct(spec);
    if target.is_empty() {
        return Origin::Index;
    }
    let path = match target.strip_prefix("file:") {
        Some(rest) if rest.starts_with("//") || rest.starts_with('/') => return Origin::Machine,
        Some(rest) => rest,
        None if target.contains("://") => return Origin::Index,
        None => target,
    };
    if path.starts_with(['/', '~']) {
        return Origin::Machine;
    }
    let lower = path.to_ascii_lowercase();
    let local = path.starts_with('.')
        || path.contains('/')
        || target.starts_with("file:")
        || DIST_EXTS.iter().any(|e| lower.ends_with(e));
    // `name @ x` is always a path or URL; a bare line is one only when it looks like a path.
    if local || (name.is_some() && !path.contains(':')) {
        Origin::Project(normalize(dir, path))
    } else {
        Origin::Index
    }
}

/// `dir/path`, lexically normalised (`a/./b/../c` → `a/c`); `.` for the
/// root; a leading `..` stays when the path leaves the root.
fn normalize(dir: &str, path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in dir.split('/').chain(path.split('/')) {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

/// The requirement line, its local path rewritten relative to the project
/// root (`./vendor/x.whl`, `x @ ./vendor/x.whl`), so that the same package
/// reads the same whichever file declared it.
fn rooted(spec: &str, dir: &str) -> String {
    let spec = spec.trim();
    match origin(spec, dir) {
        Origin::Project(p) => {
            let p = if p == "." || p.starts_with("../") || p == ".." {
                p
            } else {
                format!("./{p}")
            };
            match split_direct(spec).0 {
                Some(name) => format!("{name} @ {p}"),
                None => p,
            }
        }
        _ => spec.to_string(),
    }
}

/// The lines of a requirements file that name a local file or folder
/// without a package name (`./vendor/x.whl`, `file:../pkg`): the package
/// facts keep only named requirements, and pip installs these too.
fn unnamed_local_lines(text: &str, dir: &str) -> Vec<String> {
    let mut out = Vec::new();
    for raw in text.lines() {
        // pip's comments: `#` at the start or after whitespace.
        let line = match raw.find(" #").or_else(|| raw.find("\t#")) {
            Some(i) => &raw[..i],
            None if raw.trim_start().starts_with('#') => "",
            None => raw,
        };
        let line = line.trim();
        if line.is_empty() || line.starts_with('-') || line.ends_with('\\') {
            continue;
        }
        if split_direct(line).0.is_some() {
            continue;
        }
        if origin(line, dir) != Origin::Index {
            let target = split_direct(line).1;
            out.push(rooted(target, dir));
        }
    }
    out
}

/// The declared requirement lines: requirements*.txt (not dev/test/docs
/// ones) with their local files and folders (made relative to the project
/// root), pyproject dependencies written as PEP 508 strings, and the `pip:`
/// section of conda environment files. Sorted and de-duplicated.
pub fn requirements(facts: &Facts) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for f in &facts.packages {
        let dir = f.path.rsplit_once('/').map_or("", |(d, _)| d);
        match f.kind {
            PackageFileKind::Requirements if !dev_only(&f.path) => {
                out.extend(f.requirements.iter().map(|r| rooted(&r.spec, dir)));
                if let Some(text) = facts.project.file(&f.path).and_then(|x| x.text()) {
                    out.extend(unnamed_local_lines(text, dir));
                }
            }
            PackageFileKind::Pyproject => out.extend(
                f.requirements
                    .iter()
                    .filter(|r| {
                        r.name != "python" && !r.spec.contains(" = ") && !r.spec.contains('{')
                    })
                    .map(|r| r.spec.trim().to_string()),
            ),
            PackageFileKind::CondaEnvironment => {
                if let Some(text) = facts.project.file(&f.path).and_then(|x| x.text()) {
                    out.extend(conda_pip_section(text).iter().map(|r| rooted(r, dir)));
                }
            }
            _ => {}
        }
    }
    out.retain(|s| !s.is_empty() && !s.starts_with('-'));
    out.sort();
    out.dedup();
    out
}

/// Whether every requirement is a local file or folder, so that the
/// install needs no package index (and no network).
pub fn offline(reqs: &[String]) -> bool {
    !reqs.is_empty() && reqs.iter().all(|r| origin(r, "") != Origin::Index)
}
/// The entries under `- pip:` of a conda environment file.
pub fn conda_pip_section(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut indent: Option<usize> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let at = line.len() - trimmed.len();
        if let Some(i) = indent {
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            match trimmed.strip_prefix("- ") {
                Some(item) if at > i => {
                    let item = item.split(" #").next().unwrap_or(item);
                    out.push(item.trim().trim_matches(['"', '\'']).to_string());
                }
                _ => indent = None,
            }
        } else if trimmed.trim_end() == "- pip:" {
            indent = Some(at);
        }
    }
    out
}

/// blake3 of the requirement lines, one per line.
pub fn packages_hash(reqs: &[String]) -> String {
    let mut text = reqs.join("\n");
    text.push('\n');
    blake3::hash(text.as_bytes()).to_hex().to_string()
}

/// `name` on PATH.
fn on_path(name: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|d| d.join(name))
        .find(|c| c.is_file())
}

/// A made environment: its `bin` folder and what to report.
#[derive(Debug, Clone)]
pub struct Made {
    /// `<venv>/bin`.
    pub bin: PathBuf,
    /// The venv's root.
    pub root: PathBuf,
    /// For the JSON.
    pub environment: Environment,
}

/// What the installer is given for `reqs`: index requirements as written,
/// the project's files as absolute paths, and its folders as copies under
/// `base` (pip builds a folder in place, and the user's tree is never
/// written). Whether any folder is among them is returned too.
fn installer_args(
    reqs: &[String],
    project: &Path,
    base: &Path,
) -> Result<(Vec<String>, bool), String> {
    let top = project.canonicalize().map_err(|e| {
        format!(
            "fresh environment: cannot resolve {}: {e}",
            project.display()
        )
    })?;
    let mut args = Vec::new();
    let mut folders = false;
    for (i, r) in reqs.iter().enumerate() {
        let rel = match origin(r, "") {
            Origin::Project(rel) => rel,
            Origin::Index | Origin::Machine => {
                args.push(r.clone());
                continue;
            }
        };
        let outside = || {
            format!(
                "fresh environment: `{r}` is outside the project; a fresh environment installs the project's own files only"
            )
        };
        if rel == ".." || rel.starts_with("../") {
            return Err(outside());
        }
        let path = if rel == "." {
            top.clone()
        } else {
            top.join(&rel)
        };
        let real = path.canonicalize().map_err(|e| {
            format!("fresh environment: `{r}` names {rel}, which cannot be read: {e}")
        })?;
        if !real.starts_with(&top) {
            return Err(outside());
        }
        if real.is_dir() {
            let copy = base.join("fresh-env-src").join(i.to_string());
            copy_folder(&real, &copy)?;
            args.push(copy.display().to_string());
            folders = true;
        } else {
            args.push(real.display().to_string());
        }
    }
    Ok((args, folders))
}

/// Folders a source folder's copy leaves out: version control, virtual
/// environments and caches (vendored code is kept: it may be what is built).
fn not_copied(name: &str) -> bool {
    crate::source::DEFAULT_EXCLUDED_DIRS[..crate::source::ENVIRONMENT_AND_CACHE_DIRS]
        .contains(&name)
}

/// Copies the folder `from` (in the project) into `to`: regular files only
/// (links are not followed), honouring `.gitignore`, without [`not_copied`] folders.
fn copy_folder(from: &Path, to: &Path) -> Result<(), String> {
    let walk = ignore::WalkBuilder::new(from)
        .follow_links(false)
        .require_git(false)
        .filter_entry(|e| {
            !(e.file_type().is_some_and(|t| t.is_dir())
                && not_copied(&e.file_name().to_string_lossy()))
        })
        .build();
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    for entry in walk {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", from.display()))?;
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Ok(inner) = entry.path().strip_prefix(from) else {
            continue;
        };
        let dest = to.join(inner);
        if let Some(d) = dest.parent() {
            std::fs::create_dir_all(d)
                .map_err(|e| format!("cannot create {}: {e}", d.display()))?;
        }
        std::fs::copy(entry.path(), &dest).map_err(|e| {
            format!(
                "cannot copy {} for the fresh environment: {e}",
                entry.path().display()
            )
        })?;
    }
    Ok(())
}

/// Makes the environment for `reqs`, whose local requirements are read from
/// `project`, or reuses the one an earlier verify made for the same key (see
/// [`cache_key`]) under `cache`. When every requirement is local the install
/// uses no package index (`--no-index`, and `--no-build-isolation` for
/// folders, whose build backend would otherwise come from the index), so it
/// needs no network. `Err` says which step failed, with the installer's
/// error tail.
///
/// A cached environment is made in place (a venv's scripts name their own
/// folder, so one cannot be moved into the cache afterwards) under a lock
/// folder, and marked complete last; a verify that finds the lock taken makes
/// its own in `base` instead of waiting.
pub fn make(
    reqs: &[String],
    project: &Path,
    base: &Path,
    cache: Option<&Path>,
    timeout: Duration,
) -> Result<Made, String> {
    let installer = if on_path("uv").is_some() { "uv" } else { "pip" };
    let keyed = match cache {
        Some(c) => cache_key(reqs, project, installer).map(|k| (c, k)),
        None => None,
    };
    if let Some((cache, key)) = keyed {
        // The same refusals as a build (paths out of the project), hit or not.
        installer_args(reqs, project, base)?;
        let root = cache.join(&key);
        if root.join(COMPLETE).is_file() {
            return Ok(made(root, installer, reqs, true));
        }
        if let Some(_lock) = Lock::take(cache, &key, timeout) {
            if root.exists() {
                std::fs::remove_dir_all(&root).map_err(|e| {
                    format!(
                        "fresh environment: cannot remove the unfinished {}: {e}",
                        root.display()
                    )
                })?;
            }
            return match build(reqs, project, base, &root, timeout) {
                Ok(()) => {
                    // Unmarked, it is rebuilt next time: worth a note, not a failure.
                    if let Err(e) = std::fs::write(root.join(COMPLETE), key.as_bytes()) {
                        crate::note!(
                            "reproscale: note: cannot mark {} complete, so it will be rebuilt: {e}",
                            root.display()
                        );
                    }
                    Ok(made(root, installer, reqs, false))
                }
                Err(e) => {
                    let _ = std::fs::remove_dir_all(&root);
                    Err(e)
                }
            };
        }
    }
    let root = base.join("fresh-env");
    build(reqs, project, base, &root, timeout)?;
    Ok(made(root, installer, reqs, false))
}

fn made(root: PathBuf, installer: &'static str, reqs: &[String], reused: bool) -> Made {
    Made {
        bin: root.join("bin"),
        root,
        environment: Environment {
            fresh: true,
            installer,
            packages_hash: packages_hash(reqs),
            packages: reqs.to_vec(),
            reused,
            undeclared: Vec::new(),
        },
    }
}

/// The file a finished cached environment holds.
const COMPLETE: &str = ".reproscale-complete";

/// Where made environments are kept between verifies:
/// `$REPROSCALE_CACHE_DIR/envs`, else `$XDG_CACHE_HOME/reproscale/envs`, else
/// `~/.cache/reproscale/envs`. `None` without any of them.
pub fn cache_root() -> Option<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let dir = var("REPROSCALE_CACHE_DIR")
        .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("reproscale")))
        .or_else(|| var("HOME").map(|h| h.join(".cache").join("reproscale")))?;
    dir.is_absolute().then(|| dir.join("envs"))
}

/// What a made environment depends on, hashed: the installer, the
/// interpreter's version and path, the requirement lines, and the bytes of
/// each local file they name. `None` (not cached) when a requirement is a
/// project folder, whose build is not worth keying, or the interpreter
/// cannot be asked its version.
pub fn cache_key(reqs: &[String], project: &Path, installer: &str) -> Option<String> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys; print(sys.version); print(sys.base_prefix)",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let mut h = blake3::Hasher::new();
    h.update(b"reproscale fresh-env 1\n");
    h.update(installer.as_bytes());
    h.update(b"\n");
    h.update(&out.stdout);
    for r in reqs {
        h.update(r.as_bytes());
        h.update(b"\n");
        if let Origin::Project(rel) = origin(r, "") {
            let path = project.join(&rel);
            if !path.is_file() {
                return None;
            }
            h.update_mmap(&path).ok()?;
        }
    }
    Some(h.finalize().to_hex()[..32].to_string())
}

/// A lock folder beside a cached environment while it is being made.
struct Lock(PathBuf);

impl Lock {
    /// Takes the lock for `key`, or `None` when another verify holds it. A
    /// lock older than an install could last is left from a verify that died,
    /// and is taken over.
    fn take(cache: &Path, key: &str, timeout: Duration) -> Option<Lock> {
        std::fs::create_dir_all(cache).ok()?;
        let path = cache.join(format!("{key}.lock"));
        if std::fs::create_dir(&path).is_ok() {
            return Some(Lock(path));
        }
        let stale = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > timeout + Duration::from_secs(600));
        if stale && std::fs::remove_dir(&path).is_ok() && std::fs::create_dir(&path).is_ok() {
            return Some(Lock(path));
        }
        None
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir(&self.0);
    }
}

/// Makes a venv at `root` and installs `reqs` into it; logs go under `base`.
fn build(
    reqs: &[String],
    project: &Path,
    base: &Path,
    root: &Path,
    timeout: Duration,
) -> Result<(), String> {
    let logs = base.join("fresh-env-logs");
    std::fs::create_dir_all(&logs).map_err(|e| format!("cannot create {}: {e}", logs.display()))?;
    let (args, folders) = installer_args(reqs, project, base)?;
    let offline = offline(reqs);
    let mut extra: Vec<&str> = Vec::new();
    if offline {
        extra.push("--no-index");
        if folders {
            extra.push("--no-build-isolation");
        }
    }
    let python = root.join("bin").join("python");
    let uv = on_path("uv");
    let mut steps: Vec<(String, Command)> = Vec::new();
    match &uv {
        Some(uv) => {
            let mut c = Command::new(uv);
            c.args(["venv", "--quiet"]).arg(root);
            steps.push(("uv venv".into(), c));
            if !reqs.is_empty() {
                let mut c = Command::new(uv);
                c.args(["pip", "install", "--quiet", "--python"])
                    .arg(&python)
                    .args(&extra)
                    .args(&args);
                steps.push(("uv pip install".into(), c));
            }
        }
        None => {
            let mut c = Command::new("python3");
            c.args(["-m", "venv"]).arg(root);
            steps.push(("python3 -m venv".into(), c));
            if !reqs.is_empty() {
                let mut c = Command::new(&python);
                c.args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                ])
                .args(&extra)
                .args(&args);
                steps.push(("pip install".into(), c));
            }
        }
    }
    for (i, (what, mut cmd)) in steps.into_iter().enumerate() {
        let err_path = logs.join(format!("{i}.stderr.log"));
        let err =
            std::fs::File::create(&err_path).map_err(|e| format!("cannot create a log: {e}"))?;
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(err)
            .env("PIP_NO_INPUT", "1")
            .env_remove("VIRTUAL_ENV");
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("fresh environment: cannot start {what}: {e}"))?;
        let waited = process::wait(&mut child, timeout, Duration::from_millis(50))
            .map_err(|e| format!("fresh environment: {what}: {e}"))?;
        let ok = !waited.timed_out && waited.status.is_some_and(|s| s.success());
        if !ok {
            let text = std::fs::read_to_string(&err_path).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            let tail = lines[lines.len().saturating_sub(15)..].join("\n");
            let why = if waited.timed_out {
                format!("timed out after {timeout:?}")
            } else {
                "failed".to_string()
            };
            let net = if offline && folders {
                " (every requirement is a local file or folder, so the install used no package index: what they depend on must be local too, and a source folder is built without build isolation, so its build backend, e.g. setuptools with wheel, must already be in the new environment; ship a wheel instead: `pip wheel --no-deps -w vendor DIR`)"
            } else if offline {
                " (every requirement is a local file or folder, so the install used no package index: what they depend on must be local too)"
            } else if text.contains("network")
                || text.contains("resolve")
                || text.contains("connection")
                || text.contains("Connection")
                || text.contains("dns")
            {
                " (is the network reachable? installing the declared packages needs it)"
            } else {
                ""
            };
            return Err(format!("fresh environment: `{what}` {why}{net}:\n{tail}"));
        }
    }
    Ok(())
}

/// The modules a run's stderr says could not be imported.
pub fn missing_modules(stderr: &str) -> Vec<Undeclared> {
    let mut out: Vec<Undeclared> = Vec::new();
    for line in stderr.lines() {
        let Some(rest) = line.split("No module named ").nth(1) else {
            continue;
        };
        let name = rest.trim().trim_matches(['\'', '"']);
        let top = name.split('.').next().unwrap_or(name).to_string();
        if top.is_empty() || out.iter().any(|u| u.module == top) {
            continue;
        }
        let package = crate::facts::import_map::dist_for(&top);
        out.push(Undeclared {
            module: top,
            package,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conda_pip_entries() {
        let text = "name: x\ndependencies:\n  - python=3.11\n  - numpy=1.26\n  - pip\n  - pip:\n      - requests==2.31.0\n      - \"rich>=13\"  # pretty\nchannels:\n  - conda-forge\n";
        assert_eq!(conda_pip_section(text), ["requests==2.31.0", "rich>=13"]);
    }

    #[test]
    fn hash_is_stable_and_order_free_after_sorting() {
        let a = vec!["numpy==1.26.4".to_string(), "requests".to_string()];
        assert_eq!(packages_hash(&a), packages_hash(&a.clone()));
        assert_ne!(packages_hash(&a), packages_hash(&a[..1]));
        assert_eq!(packages_hash(&a).len(), 64);
    }

    #[test]
    fn requirement_collection() {
        let dir = tempfile::tempdir().expect("tempdir");
        let w = |p: &str, t: &str| std::fs::write(dir.path().join(p), t).expect("write");
        w(
            "requirements.txt",
            "numpy==1.26.4\nrequests>=2\n-r extra.txt\n",
        );
        w("requirements-dev.txt", "pytest\n");
        w(
            "environment.yml",
            "dependencies:\n  - python=3.11\n  - pip:\n    - rich==13.7.0\n",
        );
        w("train.py", "import numpy\n");
        let input = crate::source::Input::Directory(dir.path().to_path_buf());
        let project = crate::source::read(&input, &crate::facts::wants).expect("read");
        let facts = crate::facts::extract(project);
        let reqs = requirements(&facts);
        assert_eq!(reqs, ["numpy==1.26.4", "requests>=2", "rich==13.7.0"]);
    }

    #[test]
    fn origins_of_requirement_lines() {
        let o = |s: &str| origin(s, "");
        assert_eq!(o("numpy==1.26.4"), Origin::Index);
        assert_eq!(o("torch>=2.0; python_version < \"3.12\""), Origin::Index);
        assert_eq!(o("x @ https://example.org/x-1.0.whl"), Origin::Index);
        assert_eq!(o("x @ git+https://github.com/o/x@abc1234"), Origin::Index);
        assert_eq!(o("git+https://user@host/o/x.git"), Origin::Index);
        assert_eq!(
            o("./vendor/x-1.0-py3-none-any.whl"),
            Origin::Project("vendor/x-1.0-py3-none-any.whl".into())
        );
        assert_eq!(o("vendor/pkg"), Origin::Project("vendor/pkg".into()));
        assert_eq!(o("x-1.0.tar.gz"), Origin::Project("x-1.0.tar.gz".into()));
        assert_eq!(o("."), Origin::Project(".".into()));
        assert_eq!(o("file:vendor/pkg"), Origin::Project("vendor/pkg".into()));
        assert_eq!(
            o("mypkg @ ./vendor/mypkg.whl"),
            Origin::Project("vendor/mypkg.whl".into())
        );
        assert_eq!(
            o("mypkg[extra] @ file:./a/../vendor/p"),
            Origin::Project("vendor/p".into())
        );
        assert_eq!(o("x @ file:///opt/x.whl"), Origin::Machine);
        assert_eq!(o("/opt/x.whl"), Origin::Machine);
        // Relative to the declaring file's folder; leaving the root stays visible.
        assert_eq!(
            origin("../vendor/x.whl", "envs"),
            Origin::Project("vendor/x.whl".into())
        );
        assert_eq!(
            origin("../../x.whl", "envs"),
            Origin::Project("../x.whl".into())
        );
    }

    #[test]
    fn local_requirements_are_rooted_and_offline() {
        let dir = tempfile::tempdir().expect("tempdir");
        let w = |p: &str, t: &str| {
            let p = dir.path().join(p);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, t).expect("write");
        };
        w(
            "envs/requirements.txt",
            "# local only\n../vendor/a-1.0-py3-none-any.whl  # a wheel\nb @ ../vendor/b\n-e .\n",
        );
        w("requirements.txt", "./vendor/a-1.0-py3-none-any.whl\n");
        w("train.py", "import a\n");
        let input = crate::source::Input::Directory(dir.path().to_path_buf());
        let project = crate::source::read(&input, &crate::facts::wants).expect("read");
        let facts = crate::facts::extract(project);
        let reqs = requirements(&facts);
        assert_eq!(reqs, ["./vendor/a-1.0-py3-none-any.whl", "b @ ./vendor/b"]);
        assert!(offline(&reqs));
        assert!(!offline(&[]));
        assert!(!offline(&["numpy==1.26.4".to_string(), reqs[0].clone()]));
    }

    #[test]
    fn local_paths_outside_the_project_or_missing_are_refused() {
        let project = tempfile::tempdir().expect("tempdir");
        let base = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(project.path().join("vendor/pkg")).expect("mkdir");
        std::fs::write(project.path().join("vendor/pkg/setup.py"), "").expect("write");
        std::fs::write(project.path().join("vendor/x.whl"), "zip").expect("write");
        std::fs::create_dir_all(project.path().join("vendor/pkg/__pycache__")).expect("mkdir");
        std::fs::write(project.path().join("vendor/pkg/__pycache__/x.pyc"), "").expect("write");
        std::os::unix::fs::symlink("/etc/hostname", project.path().join("vendor/pkg/link"))
            .expect("symlink");
        let args = |r: &str| installer_args(&[r.to_string()], project.path(), base.path());
        let err = args("../x.whl").expect_err("outside");
        assert!(err.contains("outside the project"), "{err}");
        let err = args("./vendor/missing.whl").expect_err("missing");
        assert!(err.contains("cannot be read"), "{err}");
        let (a, folders) = args("./vendor/x.whl").expect("wheel");
        assert!(
            !folders && a[0].ends_with("vendor/x.whl") && a[0].starts_with('/'),
            "{a:?}"
        );
        // A folder is copied (pip builds in place), never built in the user's tree.
        let (a, folders) = args("pkg @ ./vendor/pkg").expect("folder");
        assert!(folders, "{a:?}");
        assert!(
            a[0].starts_with(&base.path().display().to_string()),
            "{a:?}"
        );
        let copy = Path::new(&a[0]);
        assert!(copy.join("setup.py").is_file());
        assert!(!copy.join("__pycache__").exists() && !copy.join("link").exists());
        let (a, _) = args("numpy==1.26.4").expect("index");
        assert_eq!(a, ["numpy==1.26.4"]);
    }

    #[test]
    fn module_not_found_names_the_package() {
        let u = missing_modules(
            "Traceback (most recent call last):\nModuleNotFoundError: No module named 'yaml'\n",
        );
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].module, "yaml");
        assert_eq!(u[0].package.to_ascii_lowercase(), "pyyaml");
    }
}
