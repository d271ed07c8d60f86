//! `--fresh-env` without a network: the projects declare only packages that
//! they carry (wheels written at test time, a source folder), so the install
//! uses no package index. The package index is pointed at a closed local port
//! throughout, so anything that still reached for it would fail.
//!
//! (a) a project that imports only what it declares verifies, and 4.1 is
//! `pass` on `verified` basis; (b) one that imports a package it carries but
//! does not declare fails with ModuleNotFoundError naming that package, and
//! 4.1 is `fail` on `verified` basis; `assess --verify` and `report --verify`
//! pass `--fresh-env` through.

mod common;

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;

/// Writes a pure-Python wheel `<name>-<version>-py3-none-any.whl` into the
/// folder given as argv[1]: one module `<name>/__init__.py` holding argv[4],
/// METADATA, WHEEL and a RECORD with sha256 hashes, as pip expects.
const MAKE_WHEEL: &str = r#"
import base64, hashlib, sys, zipfile
out, name, version, body = sys.argv[1:5]
dist = f"{name}-{version}.dist-info"
entries = {
    f"{name}/__init__.py": body,
    f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
    f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: reproscale-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}
record = []
for path, text in entries.items():
    data = text.encode()
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    record.append(f"{path},sha256={digest},{len(data)}")
record.append(f"{dist}/RECORD,,")
entries[f"{dist}/RECORD"] = "\n".join(record) + "\n"
with zipfile.ZipFile(f"{out}/{name}-{version}-py3-none-any.whl", "w") as z:
    for path, text in entries.items():
        z.writestr(path, text)
"#;

/// An index nobody serves: a reach for the network fails at once.
const DEAD_INDEX: &str = "http://127.0.0.1:9/simple";

fn python_ok(code: &str) -> bool {
    std::process::Command::new("python3")
        .args(["-c", code])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `python3 -m venv` with pip works here (uv is optional and used when present).
fn require_venv() {
    assert!(
        python_ok("import venv, ensurepip, zipfile, hashlib"),
        "these tests need python3 with venv and ensurepip (CI has Python 3.11)"
    );
}

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    common::project_with("reproscale-freshenv-", files)
}

/// Writes `vendor/<name>-0.1-py3-none-any.whl` into the project.
fn wheel(root: &Path, name: &str, body: &str) {
    let vendor = root.join("vendor");
    fs::create_dir_all(&vendor).expect("mkdir vendor");
    let out = std::process::Command::new("python3")
        .args(["-c", MAKE_WHEEL])
        .arg(&vendor)
        .args([name, "0.1", body])
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "building the {name} wheel failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

/// reproscale with `args`, the package index unreachable, and an
/// environment cache of its own (so no call reuses another's environment).
fn reproscale(args: &[&str], dir: &Path) -> Out {
    let cache = tempfile::tempdir().expect("cache dir");
    reproscale_cached(args, dir, cache.path())
}

/// reproscale with `args`, the package index unreachable, environments
/// cached under `cache`.
fn reproscale_cached(args: &[&str], dir: &Path, cache: &Path) -> Out {
    let out = Command::cargo_bin("reproscale")
        .expect("binary")
        .args(args)
        .arg(dir)
        .env("REPROSCALE_CACHE_DIR", cache)
        .env("PIP_INDEX_URL", DEAD_INDEX)
        .env("UV_INDEX_URL", DEAD_INDEX)
        .env("UV_DEFAULT_INDEX", DEAD_INDEX)
        .env("PIP_RETRIES", "0")
        .env("PIP_TIMEOUT", "2")
        .timeout(Duration::from_secs(300))
        .output()
        .expect("run reproscale");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let code = out
        .status
        .code()
        .unwrap_or_else(|| panic!("reproscale was killed (timed out?); stderr:\n{stderr}"));
    Out {
        code,
        stdout: String::from_utf8_lossy(&out.stdout).to_string(),
        stderr,
    }
}

fn json(out: &Out) -> Value {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            out.stdout, out.stderr
        )
    })
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

fn criterion<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["criteria"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no criterion {id}: {}", pretty(report)))
}

const TRAIN_DECLARED: &str = "import mypkg\nopen('out.txt', 'w').write(str(mypkg.VALUE))\n";
const REQUIREMENTS: &str = "mypkg @ ./vendor/mypkg-0.1-py3-none-any.whl\n";

/// (a): declared `mypkg @ ./vendor/…whl`, imports only mypkg.
fn declared_project() -> tempfile::TempDir {
    let dir = project(&[
        ("requirements.txt", REQUIREMENTS),
        ("reproscale.toml", "run = \"python3 train.py\"\n"),
        ("train.py", TRAIN_DECLARED),
    ]);
    wheel(dir.path(), "mypkg", "VALUE = 41\n");
    dir
}

/// (b): also imports otherpkg, whose wheel sits in vendor/ undeclared.
fn undeclared_project() -> tempfile::TempDir {
    let dir = project(&[
        ("requirements.txt", REQUIREMENTS),
        ("reproscale.toml", "run = \"python3 train.py\"\n"),
        (
            "train.py",
            "import mypkg\nimport otherpkg\nopen('out.txt', 'w').write(str(mypkg.VALUE + otherpkg.VALUE))\n",
        ),
    ]);
    wheel(dir.path(), "mypkg", "VALUE = 41\n");
    wheel(dir.path(), "otherpkg", "VALUE = 1\n");
    dir
}

#[test]
fn declared_local_wheel_verifies_offline() {
    require_venv();
    let dir = declared_project();
    let started = Instant::now();
    let out = reproscale(
        &["verify", "--format", "json", "--fresh-env", "--no-probes"],
        dir.path(),
    );
    let v = json(&out);
    assert_eq!(out.code, 0, "{}\nstderr:\n{}", pretty(&v), out.stderr);
    assert_eq!(v["verdict"], "bit_exact", "{}", pretty(&v));
    let env = &v["environment"];
    assert_eq!(env["fresh"], true, "{}", pretty(env));
    assert!(
        env["installer"] == "pip" || env["installer"] == "uv",
        "{}",
        pretty(env)
    );
    assert_eq!(env["packages"], serde_json::json!([REQUIREMENTS.trim()]));
    assert_eq!(env["packages_hash"].as_str().map(str::len), Some(64));
    assert_eq!(env["undeclared"], serde_json::json!([]));
    assert!(
        out.stderr.contains("no package index, no network"),
        "{}",
        out.stderr
    );
    // The wheel is read in place; nothing is written into the project.
    let mut names: Vec<String> = fs::read_dir(dir.path())
        .expect("read dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["reproscale.toml", "requirements.txt", "train.py", "vendor"]
    );
    eprintln!(
        "verify --fresh-env (a): {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let out = reproscale(
        &["assess", "--verify", "--fresh-env", "--format", "json"],
        dir.path(),
    );
    let report = json(&out);
    assert_eq!(out.code, 0, "{}\nstderr:\n{}", pretty(&report), out.stderr);
    assert_eq!(report["basis"], "verified", "{}", pretty(&report));
    let c = criterion(&report, "4.1");
    assert_eq!(c["status"], "pass", "{}", pretty(c));
    assert_eq!(c["basis"], "verified", "{}", pretty(c));
    assert!(
        c["evidence"].to_string().contains("fresh environment"),
        "{}",
        pretty(c)
    );
    // Without --fresh-env the same criterion stays static.
    let out = reproscale(&["assess", "--verify", "--format", "json"], dir.path());
    let report = json(&out);
    assert_eq!(criterion(&report, "4.1")["basis"], "static");
}

#[test]
fn environments_are_cached_by_what_they_hold() {
    require_venv();
    let dir = declared_project();
    let cache = tempfile::tempdir().expect("cache dir");
    let run = |extra: &[&str]| {
        let mut args = vec!["verify", "--format", "json", "--fresh-env", "--no-probes"];
        args.extend_from_slice(extra);
        let out = reproscale_cached(&args, dir.path(), cache.path());
        let v = json(&out);
        assert_eq!(out.code, 0, "{}\nstderr:\n{}", pretty(&v), out.stderr);
        (v["environment"]["reused"].clone(), out.stderr)
    };
    let (reused, _) = run(&[]);
    assert_eq!(reused, false, "the first verify makes the environment");
    let envs: Vec<_> = fs::read_dir(cache.path().join("envs"))
        .expect("the cache holds the environment")
        .filter_map(|e| e.ok())
        .collect();
    assert_eq!(envs.len(), 1, "one environment and no lock left: {envs:?}");
    let (reused, stderr) = run(&[]);
    assert_eq!(reused, true, "the second verify reuses it: {stderr}");
    let text = reproscale_cached(
        &["verify", "--fresh-env", "--no-probes"],
        dir.path(),
        cache.path(),
    );
    assert!(
        text.stdout
            .contains("declared package(s) reused from the cache, made with"),
        "{}",
        text.stdout
    );
    // --no-env-cache makes one anew, and leaves the cache alone.
    let (reused, _) = run(&["--no-env-cache"]);
    assert_eq!(reused, false);
    // A changed local wheel is a different environment.
    wheel(dir.path(), "mypkg", "VALUE = 2\n");
    let (reused, _) = run(&[]);
    assert_eq!(reused, false, "a changed wheel is not the cached one");
    assert_eq!(
        fs::read_dir(cache.path().join("envs"))
            .expect("cache")
            .count(),
        2
    );
}

#[test]
fn undeclared_import_is_named_and_fails_4_1() {
    require_venv();
    let dir = undeclared_project();
    let out = reproscale(
        &["verify", "--format", "json", "--fresh-env", "--no-probes"],
        dir.path(),
    );
    let v = json(&out);
    assert_eq!(out.code, 3, "{}\nstderr:\n{}", pretty(&v), out.stderr);
    assert_eq!(v["verdict"], "run_failed", "{}", pretty(&v));
    let env = &v["environment"];
    assert_eq!(
        env["undeclared"],
        serde_json::json!([{"module": "otherpkg", "package": "otherpkg"}]),
        "{}",
        pretty(env)
    );
    let failure = v["failure"].as_str().unwrap_or_default();
    assert!(
        failure.contains("lacks undeclared package(s) otherpkg (import otherpkg)")
            && failure.contains("ModuleNotFoundError"),
        "{failure}"
    );

    let out = reproscale(
        &["assess", "--verify", "--fresh-env", "--format", "json"],
        dir.path(),
    );
    let report = json(&out);
    assert_eq!(out.code, 0, "{}\nstderr:\n{}", pretty(&report), out.stderr);
    let c = criterion(&report, "4.1");
    assert_eq!(c["status"], "fail", "{}", pretty(c));
    assert_eq!(c["basis"], "verified", "{}", pretty(c));
    assert!(
        c["summary"]
            .as_str()
            .is_some_and(|s| s.contains("otherpkg")),
        "{}",
        pretty(c)
    );
    assert!(
        c["evidence"].to_string().contains("`import otherpkg`"),
        "{}",
        pretty(c)
    );
}

#[test]
fn report_verify_passes_fresh_env_through() {
    require_venv();
    let dir = undeclared_project();
    let out = reproscale(
        &["report", "--verify", "--fresh-env", "--stdout"],
        dir.path(),
    );
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    assert!(
        out.stderr
            .contains("fresh environment: 1 declared package(s)"),
        "{}",
        out.stderr
    );
    assert!(
        out.stdout.contains("verified"),
        "the report is not on verified basis:\n{}",
        out.stdout
    );
    // The same project without --fresh-env: the run finds otherpkg nowhere
    // either, but nothing names it as undeclared, and no environment is made.
    let out = reproscale(&["report", "--verify", "--stdout"], dir.path());
    assert!(!out.stderr.contains("fresh environment"), "{}", out.stderr);
}

#[test]
fn fresh_env_needs_verify() {
    for cmd in ["assess", "report"] {
        let out = reproscale(&[cmd, "--fresh-env"], Path::new("."));
        assert_eq!(out.code, 2, "{cmd}: {}", out.stderr);
        assert!(out.stderr.contains("--verify"), "{cmd}: {}", out.stderr);
        assert_eq!(out.stderr.trim().lines().count(), 1, "{}", out.stderr);
    }
}

/// A bare local path line (`./vendor/x.whl`), no package name.
#[test]
fn bare_wheel_path_installs_offline() {
    require_venv();
    let dir = project(&[
        ("requirements.txt", "./vendor/mypkg-0.1-py3-none-any.whl\n"),
        ("reproscale.toml", "run = \"python3 train.py\"\n"),
        ("train.py", TRAIN_DECLARED),
    ]);
    wheel(dir.path(), "mypkg", "VALUE = 41\n");
    let out = reproscale(
        &["verify", "--format", "json", "--fresh-env", "--no-probes"],
        dir.path(),
    );
    let v = json(&out);
    assert_eq!(out.code, 0, "{}\nstderr:\n{}", pretty(&v), out.stderr);
    assert_eq!(
        v["environment"]["packages"],
        serde_json::json!(["./vendor/mypkg-0.1-py3-none-any.whl"])
    );
    // The text output says so too (progress stays on stderr).
    let out = reproscale(&["verify", "--fresh-env", "--no-probes"], dir.path());
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("fresh environment: 1 declared package(s) installed with"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("run 1/2"), "{}", out.stdout);
    assert!(out.stderr.contains("run 1/2: started"), "{}", out.stderr);
}

/// A source folder (`name @ ./folder`) is built from a copy, without build
/// isolation (which would fetch the build backend from the unreachable
/// index). Whether the build works offline depends on the venv's setuptools
/// (≥ 70.1, or `wheel` beside it); when it does not, the failure says so and
/// how to ship a wheel instead. Either way the user's folder is not written.
#[test]
fn source_folder_is_built_from_a_copy() {
    require_venv();
    let dir = project(&[
        ("requirements.txt", "localsrc @ ./vendor/localsrc\n"),
        ("reproscale.toml", "run = \"python3 train.py\"\n"),
        (
            "vendor/localsrc/pyproject.toml",
            "[build-system]\nrequires = [\"setuptools\"]\nbuild-backend = \"setuptools.build_meta\"\n\n[project]\nname = \"localsrc\"\nversion = \"0.2\"\n",
        ),
        ("vendor/localsrc/localsrc/__init__.py", "VALUE = 2\n"),
        (
            "train.py",
            "import localsrc\nopen('out.txt', 'w').write(str(localsrc.VALUE))\n",
        ),
    ]);
    let out = reproscale(
        &["verify", "--format", "json", "--fresh-env", "--no-probes"],
        dir.path(),
    );
    let v = json(&out);
    let failure = v["failure"].as_str().unwrap_or_default();
    match out.code {
        0 => assert_eq!(v["verdict"], "bit_exact", "{}", pretty(&v)),
        3 => assert!(
            failure.starts_with("fresh environment: `pip install` failed")
                || failure.starts_with("fresh environment: `uv pip install` failed"),
            "{failure}"
        ),
        c => panic!("exit {c}: {}\nstderr:\n{}", pretty(&v), out.stderr),
    }
    if out.code == 3 {
        assert!(failure.contains("ship a wheel instead"), "{failure}");
        assert!(!failure.contains("network reachable"), "{failure}");
        // Without build isolation: pip never looked for the backend in an index.
        assert!(
            !failure.contains("satisfies the requirement setuptools"),
            "{failure}"
        );
        eprintln!("note: this Python cannot build a source folder offline; checked the failure");
    }
    // pip built a copy: no build/ or egg-info in the user's folder.
    let mut left: Vec<String> = fs::read_dir(dir.path().join("vendor/localsrc"))
        .expect("read dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    left.sort();
    assert_eq!(left, ["localsrc", "pyproject.toml"]);
}
