//! `--fresh-env` (SPEC §6 `environment`): the runs use a new virtual
//! environment holding only the declared packages, made once per verify in
//! verify's temporary folder (outside the copies) with `uv` when it is on
//! PATH, else `python3 -m venv` and pip, and put first on PATH.
//!
//! Installing needs the network, so it happens before the sandboxed runs,
//! outside the sandbox; the runs themselves stay without network. An install
//! that fails (no network, a package that does not exist) is `run_failed`
//! with the installer's error tail, never a crash.

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

/// The declared requirement lines: requirements*.txt (not dev/test/docs
/// ones), pyproject dependencies written as PEP 508 strings, and the `pip:`
/// section of conda environment files. Sorted and de-duplicated.
pub fn requirements(facts: &Facts) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for f in &facts.packages {
        match f.kind {
            PackageFileKind::Requirements if !dev_only(&f.path) => {
                out.extend(f.requirements.iter().map(|r| r.spec.trim().to_string()));
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
                    out.extend(conda_pip_section(text));
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

/// Makes the environment under `base` and installs `reqs` into it. `Err`
/// says which step failed, with the installer's error tail.
pub fn make(reqs: &[String], base: &Path, timeout: Duration) -> Result<Made, String> {
    let root = base.join("fresh-env");
    let logs = base.join("fresh-env-logs");
    std::fs::create_dir_all(&logs).map_err(|e| format!("cannot create {}: {e}", logs.display()))?;
    let python = root.join("bin").join("python");
    let uv = on_path("uv");
    let installer = if uv.is_some() { "uv" } else { "pip" };
    let mut steps: Vec<(String, Command)> = Vec::new();
    match &uv {
        Some(uv) => {
            let mut c = Command::new(uv);
            c.args(["venv", "--quiet"]).arg(&root);
            steps.push(("uv venv".into(), c));
            if !reqs.is_empty() {
                let mut c = Command::new(uv);
                c.args(["pip", "install", "--quiet", "--python"])
                    .arg(&python)
                    .args(reqs);
                steps.push(("uv pip install".into(), c));
            }
        }
        None => {
            let mut c = Command::new("python3");
            c.args(["-m", "venv"]).arg(&root);
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
                .args(reqs);
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
            let net = if text.contains("network")
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
    Ok(Made {
        bin: root.join("bin"),
        root,
        environment: Environment {
            fresh: true,
            installer,
            packages_hash: packages_hash(reqs),
            packages: reqs.to_vec(),
            undeclared: Vec::new(),
        },
    })
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
    fn module_not_found_names_the_package() {
        let u = missing_modules(
            "Traceback (most recent call last):\nModuleNotFoundError: No module named 'yaml'\n",
        );
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].module, "yaml");
        assert_eq!(u[0].package.to_ascii_lowercase(), "pyyaml");
    }
}
