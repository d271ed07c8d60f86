//! `reproscale verify` end to end, on the small standard-library projects in
//! `tests/verify_fixtures/`: verdicts, exit codes, the JSON contract of SPEC
//! §6, probes, `--vary`, `--dry-run`, timeouts, and the user's tree left
//! untouched.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("verify_fixtures")
}

fn copy_dir(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).expect("mkdir");
    for entry in fs::read_dir(src).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = dst.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// A fresh copy of a verify fixture, outside any git work tree.
fn fixture(name: &str) -> tempfile::TempDir {
    let src = fixtures_dir().join(name);
    assert!(src.is_dir(), "no fixture {}", src.display());
    let tmp = tempfile::Builder::new()
        .prefix("reproscale-verify-fixture-")
        .tempdir()
        .expect("tempdir");
    copy_dir(&src, tmp.path());
    tmp
}

/// Every folder and file under `root` with its bytes (folders map to `None`).
fn snapshot(root: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Option<Vec<u8>>>) {
        for entry in fs::read_dir(dir).expect("read_dir") {
            let entry = entry.expect("entry");
            let path = entry.path();
            let rel = path
                .strip_prefix(root)
                .expect("prefix")
                .display()
                .to_string();
            if entry.file_type().expect("file type").is_dir() {
                out.insert(format!("{rel}/"), None);
                walk(root, &path, out);
            } else {
                out.insert(rel, Some(fs::read(&path).expect("read")));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn assert_unchanged(before: &BTreeMap<String, Option<Vec<u8>>>, root: &Path) {
    let after = snapshot(root);
    let added: Vec<&String> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    let removed: Vec<&String> = before.keys().filter(|k| !after.contains_key(*k)).collect();
    let changed: Vec<&String> = before
        .iter()
        .filter(|(k, v)| after.get(*k).is_some_and(|a| a != *v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        added.is_empty() && removed.is_empty() && changed.is_empty(),
        "verify changed the user's tree: added {added:?}, removed {removed:?}, changed {changed:?}"
    );
}

struct Outcome {
    code: i32,
    json: Value,
    stderr: String,
    elapsed: Duration,
}

/// Runs `reproscale verify --format json --jobs 2 <extra…> <dir>`.
fn verify(dir: &Path, extra: &[&str]) -> Outcome {
    let start = Instant::now();
    let out = Command::cargo_bin("reproscale")
        .expect("binary")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .args(["verify", "--format", "json", "--jobs", "2"])
        .args(extra)
        .arg(dir)
        .timeout(Duration::from_secs(120))
        .output()
        .expect("run reproscale");
    let elapsed = start.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let json: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{stdout}\nstderr:\n{stderr}"));
    let code = out
        .status
        .code()
        .unwrap_or_else(|| panic!("reproscale was killed (timed out?); stderr:\n{stderr}"));
    Outcome {
        code,
        json,
        stderr,
        elapsed,
    }
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

impl Outcome {
    fn show(&self) -> String {
        format!(
            "exit {}\n{}\nstderr:\n{}",
            self.code,
            pretty(&self.json),
            self.stderr
        )
    }

    fn expect(&self, code: i32, verdict: &str) {
        assert_eq!(self.json["schema_version"], 1, "{}", self.show());
        assert_eq!(self.json["tool"]["name"], "reproscale", "{}", self.show());
        assert_eq!(self.json["verdict"], verdict, "verdict; {}", self.show());
        assert_eq!(self.code, code, "exit code; {}", self.show());
    }

    fn artifact(&self, path: &str) -> &Value {
        self.json["artifacts"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["path"] == path))
            .unwrap_or_else(|| {
                panic!(
                    "no artifact {path}; artifacts = {}",
                    pretty(&self.json["artifacts"])
                )
            })
    }

    fn probe(&self, kind: &str, param: &str) -> &Value {
        self.json["probes"]
            .as_array()
            .and_then(|a| {
                a.iter().find(|x| {
                    x["kind"] == kind
                        && x["param"]
                            .as_str()
                            .is_some_and(|p| p == param || p.ends_with(&format!(".{param}")))
                })
            })
            .unwrap_or_else(|| {
                panic!(
                    "no {kind} probe on {param}; probes = {}",
                    pretty(&self.json["probes"])
                )
            })
    }

    fn runs_succeeded(&self, n: usize) {
        let runs = self.json["runs"]
            .as_array()
            .unwrap_or_else(|| panic!("no runs; {}", self.show()));
        assert_eq!(runs.len(), n, "runs; {}", pretty(&self.json["runs"]));
        for (i, r) in runs.iter().enumerate() {
            assert_eq!(r["index"], i, "runs[{i}].index; {}", pretty(r));
            assert_eq!(r["exit_code"], 0, "runs[{i}].exit_code; {}", pretty(r));
            assert_eq!(r["timed_out"], false, "runs[{i}].timed_out; {}", pretty(r));
            assert!(
                r["wall_seconds"].as_f64().is_some_and(|s| s >= 0.0),
                "runs[{i}].wall_seconds; {}",
                pretty(r)
            );
        }
    }
}

fn num(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("`{key}` is not a number in {}", pretty(v)))
}

#[test]
fn deterministic_project_is_bit_exact_with_wired_probes_and_the_tree_untouched() {
    let dir = fixture("deterministic");
    let before = snapshot(dir.path());
    let o = verify(dir.path(), &[]);
    o.expect(0, "bit_exact");
    assert_eq!(
        o.json["command"]["source"],
        "settings",
        "{}",
        pretty(&o.json["command"])
    );
    assert_eq!(
        o.json["command"]["commands"],
        serde_json::json!(["python3 train.py"]),
        "{}",
        pretty(&o.json["command"])
    );
    assert!(
        o.json["command"]["why"]
            .as_str()
            .is_some_and(|w| !w.is_empty()),
        "command.why; {}",
        pretty(&o.json["command"])
    );
    o.runs_succeeded(2);
    assert_eq!(o.json["artifacts_declared"], false, "{}", o.show());
    for path in ["out/metrics.json", "out/weights.npy"] {
        let a = o.artifact(path);
        assert_eq!(a["verdict"], "bit_exact", "{}", pretty(a));
    }
    let kinds: Vec<&str> = o.json["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["path"].as_str())
        .collect();
    assert!(
        !kinds
            .iter()
            .any(|p| p.contains("__pycache__") || p.ends_with(".pyc")),
        "caches are not artifacts: {kinds:?}"
    );

    let seed = o.probe("seed", "seed");
    assert_eq!(seed["verdict"], "wired", "{}", pretty(seed));
    assert_eq!(seed["outputs_changed"], true, "{}", pretty(seed));
    assert_eq!(seed["from"], "42", "{}", pretty(seed));
    assert_ne!(seed["to"], "42", "{}", pretty(seed));
    let epochs = o.probe("config", "epochs");
    assert_eq!(epochs["verdict"], "wired", "{}", pretty(epochs));
    assert_eq!(epochs["outputs_changed"], true, "{}", pretty(epochs));
    let probes = o.json["probes"].as_array().unwrap();
    assert!(
        probes.iter().filter(|p| p["kind"] == "config").count() <= 3,
        "at most 3 config probes: {}",
        pretty(&o.json["probes"])
    );
    assert!(
        probes
            .iter()
            .all(|p| p["kind"] == "seed" || p["param"] != "seed"),
        "the seed is not also a config probe: {}",
        pretty(&o.json["probes"])
    );

    let fp = &o.json["fingerprint"];
    assert!(
        fp["os"].as_str().is_some_and(|s| !s.is_empty()),
        "fingerprint.os; {}",
        pretty(fp)
    );
    assert!(
        fp["python"].as_str().is_some_and(|s| s.contains("3.")),
        "fingerprint.python; {}",
        pretty(fp)
    );
    assert!(fp["env"].is_object(), "fingerprint.env; {}", pretty(fp));
    assert!(
        o.json["network"]["allowed"].is_boolean() && o.json["network"]["how"].is_string(),
        "network; {}",
        pretty(&o.json["network"])
    );

    // Runs and probes (which edit config.json) happened in copies only.
    assert_unchanged(&before, dir.path());
}

#[test]
fn unseeded_project_differs_and_names_the_artifact() {
    let dir = fixture("unseeded");
    let o = verify(dir.path(), &["--no-probes"]);
    o.expect(1, "differs");
    o.runs_succeeded(2);
    let a = o.artifact("out/metrics.json");
    assert_eq!(a["verdict"], "differs", "{}", pretty(a));
    assert_eq!(a["kind"], "json", "{}", pretty(a));
    assert!(
        a["first_difference"]
            .as_str()
            .is_some_and(|f| f.contains("accuracy")),
        "first_difference names the key: {}",
        pretty(a)
    );
    assert!(
        o.json["probes"].as_array().is_some_and(|p| p.is_empty()),
        "--no-probes: {}",
        pretty(&o.json["probes"])
    );
}

#[test]
fn float_noise_below_tolerance_is_within_tolerance() {
    let dir = fixture("float-noise");
    let o = verify(dir.path(), &["--no-probes"]);
    o.expect(0, "within_tolerance");
    let a = o.artifact("out/metrics.json");
    assert_eq!(a["verdict"], "within_tolerance", "{}", pretty(a));
    let abs = num(a, "max_abs_diff");
    assert!(
        abs > 0.0 && abs < 1e-12,
        "max_abs_diff {abs}: {}",
        pretty(a)
    );
    let rel = num(a, "max_rel_diff");
    assert!(
        rel > 0.0 && rel < 1e-10,
        "max_rel_diff {rel}: {}",
        pretty(a)
    );
    assert!(num(a, "differing_elements") >= 1.0, "{}", pretty(a));
    assert_eq!(
        num(a, "total_elements"),
        4.0,
        "accuracy, loss, f1 and n: {}",
        pretty(a)
    );
    let first = a["first_difference"]
        .as_str()
        .unwrap_or_else(|| panic!("first_difference: {}", pretty(a)));
    assert!(
        ["accuracy", "loss", "f1"].iter().any(|k| first.contains(k)),
        "first_difference {first:?}: {}",
        pretty(a)
    );
}

#[test]
fn npy_with_tiny_noise_is_within_tolerance_with_statistics() {
    let dir = fixture("npy-small-diff");
    let o = verify(dir.path(), &["--no-probes"]);
    o.expect(0, "within_tolerance");
    assert_eq!(
        o.json["artifacts_declared"],
        true,
        "artifacts = [\"out/**\"] in reproscale.toml; {}",
        o.show()
    );
    let a = o.artifact("out/weights.npy");
    assert_eq!(a["verdict"], "within_tolerance", "{}", pretty(a));
    let abs = num(a, "max_abs_diff");
    assert!(
        abs > 0.0 && abs <= 1.1e-12,
        "max_abs_diff {abs}: {}",
        pretty(a)
    );
    let rel = num(a, "max_rel_diff");
    assert!(
        rel > 0.0 && rel <= 1.1e-12,
        "max_rel_diff {rel}: {}",
        pretty(a)
    );
    assert!(num(a, "differing_elements") > 0.0, "{}", pretty(a));
    assert_eq!(num(a, "total_elements"), 64.0, "{}", pretty(a));
    assert!(
        a["first_difference"].is_string(),
        "first_difference: {}",
        pretty(a)
    );
    assert_eq!(
        o.artifact("out/summary.json")["verdict"],
        "bit_exact",
        "{}",
        pretty(&o.json["artifacts"])
    );
}

#[test]
fn npy_with_large_noise_differs_with_statistics() {
    let dir = fixture("npy-large-diff");
    let o = verify(dir.path(), &["--no-probes"]);
    o.expect(1, "differs");
    assert_eq!(o.json["artifacts_declared"], false, "{}", o.show());
    let a = o.artifact("out/weights.npy");
    assert_eq!(a["verdict"], "differs", "{}", pretty(a));
    let abs = num(a, "max_abs_diff");
    assert!(
        abs > 1e-4 && abs <= 1e-2,
        "max_abs_diff {abs} should be within (1e-4, 1e-2]: {}",
        pretty(a)
    );
    let rel = num(a, "max_rel_diff");
    assert!(
        rel > 1e-5 && rel <= 1e-2,
        "max_rel_diff {rel}: {}",
        pretty(a)
    );
    let differing = num(a, "differing_elements");
    assert!(differing > 0.0 && differing <= 64.0, "{}", pretty(a));
    assert_eq!(num(a, "total_elements"), 64.0, "{}", pretty(a));
    assert!(
        a["first_difference"].is_string(),
        "first_difference: {}",
        pretty(a)
    );
    assert_eq!(
        o.artifact("out/summary.json")["verdict"],
        "bit_exact",
        "{}",
        pretty(&o.json["artifacts"])
    );
}

#[test]
fn seed_that_feeds_nothing_is_not_wired() {
    let dir = fixture("seed-ignored");
    let o = verify(dir.path(), &[]);
    o.expect(0, "bit_exact");
    let seed = o.probe("seed", "seed");
    assert_eq!(seed["verdict"], "not_wired", "{}", pretty(seed));
    assert_eq!(seed["outputs_changed"], false, "{}", pretty(seed));
    assert_eq!(seed["from"], "7", "{}", pretty(seed));
    assert!(
        seed["evidence"].as_str().is_some_and(|e| !e.is_empty()),
        "{}",
        pretty(seed)
    );
}

#[test]
fn config_key_read_but_unused_is_not_wired_and_a_used_one_is() {
    let dir = fixture("config-key-ignored");
    let o = verify(dir.path(), &[]);
    o.expect(0, "bit_exact");
    let lr = o.probe("config", "lr");
    assert_eq!(lr["verdict"], "not_wired", "{}", pretty(lr));
    assert_eq!(lr["outputs_changed"], false, "{}", pretty(lr));
    assert_eq!(lr["from"], "0.05", "{}", pretty(lr));
    let epochs = o.probe("config", "epochs");
    assert_eq!(epochs["verdict"], "wired", "{}", pretty(epochs));
    assert_eq!(epochs["outputs_changed"], true, "{}", pretty(epochs));
    assert_eq!(epochs["from"], "4", "{}", pretty(epochs));
    assert!(
        !o.json["probes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["kind"] == "seed"),
        "no seed in this project, so no seed probe: {}",
        pretty(&o.json["probes"])
    );
}

#[test]
fn dvc_pipeline_runs_in_dependency_order_without_dvc() {
    let dir = fixture("dvc-three-stage");
    let before = snapshot(dir.path());
    let o = verify(dir.path(), &["--no-probes"]);
    o.expect(0, "bit_exact");
    let names = serde_json::json!(["prepare", "train", "evaluate"]);
    assert_eq!(
        o.json["command"]["source"],
        "dvc.yaml",
        "{}",
        pretty(&o.json["command"])
    );
    assert_eq!(
        o.json["command"]["stages"],
        names,
        "dvc.yaml lists train, evaluate, prepare; deps order them: {}",
        pretty(&o.json["command"])
    );
    assert_eq!(
        o.json["command"]["commands"],
        serde_json::json!([
            "python3 src/prepare.py",
            "python3 src/train.py",
            "python3 evaluate.py"
        ]),
        "{}",
        pretty(&o.json["command"])
    );
    let stages = o.json["stages"]
        .as_array()
        .unwrap_or_else(|| panic!("stages; {}", o.show()));
    let got: Vec<&Value> = stages.iter().map(|s| &s["name"]).collect();
    assert_eq!(
        serde_json::json!(got),
        names,
        "{}",
        pretty(&o.json["stages"])
    );
    for s in stages {
        assert_eq!(s["verdict"], "bit_exact", "{}", pretty(&o.json["stages"]));
    }
    o.runs_succeeded(2);
    for r in o.json["runs"].as_array().unwrap() {
        let per: Vec<&Value> = r["stages"]
            .as_array()
            .unwrap_or_else(|| panic!("runs[].stages; {}", pretty(r)))
            .iter()
            .map(|s| &s["name"])
            .collect();
        assert_eq!(serde_json::json!(per), names, "{}", pretty(r));
        assert!(
            r["stages"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["exit_code"] == 0),
            "{}",
            pretty(r)
        );
    }
    assert_eq!(o.json["artifacts_declared"], true, "{}", o.show());
    // evaluate runs in src/ (its wdir) and writes ../metrics.json: the project root's.
    for path in ["data/prepared.json", "model.json", "metrics.json"] {
        assert_eq!(
            o.artifact(path)["verdict"],
            "bit_exact",
            "{}",
            pretty(&o.json["artifacts"])
        );
    }
    assert_unchanged(&before, dir.path());
}

#[test]
fn crashing_command_is_run_failed_with_the_exception() {
    let dir = fixture("crash");
    let o = verify(dir.path(), &["--no-probes"]);
    o.expect(3, "run_failed");
    let failure = o.json["failure"]
        .as_str()
        .unwrap_or_else(|| panic!("failure; {}", o.show()));
    assert!(
        failure.contains("loss became NaN at step 3"),
        "failure should carry the stderr tail: {failure}"
    );
    let runs = o.json["runs"]
        .as_array()
        .unwrap_or_else(|| panic!("runs; {}", o.show()));
    assert!(!runs.is_empty(), "{}", o.show());
    assert!(
        runs.iter()
            .any(|r| r["exit_code"] == 1 && r["timed_out"] == false),
        "{}",
        pretty(&o.json["runs"])
    );
    assert!(
        o.json["artifacts"].as_array().is_some_and(|a| a.is_empty()),
        "{}",
        pretty(&o.json["artifacts"])
    );
}

fn marker_processes() -> Vec<String> {
    let out = std::process::Command::new("pgrep")
        .args(["-af", "sleep 61.2345"])
        .output()
        .expect("pgrep");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn timeout_kills_the_whole_process_group() {
    let dir = fixture("sleeper");
    assert!(
        marker_processes().is_empty(),
        "a `sleep 61.2345` is already running: {:?}",
        marker_processes()
    );
    // Run verify in the background and watch for the fixture's child while it runs,
    // so that "none left" below cannot pass because the child never started.
    let start = Instant::now();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_reproscale"))
        .args([
            "verify",
            "--format",
            "json",
            "--jobs",
            "2",
            "--no-probes",
            "--timeout",
            "2",
        ])
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run reproscale");
    let mut seen = false;
    while child.try_wait().expect("try_wait").is_none() {
        seen |= !marker_processes().is_empty();
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "verify ignored --timeout 2"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let elapsed = start.elapsed();
    let out = child.wait_with_output().expect("output");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let json: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{stdout}\nstderr:\n{stderr}"));
    let o = Outcome {
        code: out.status.code().expect("exit code"),
        json,
        stderr,
        elapsed,
    };
    assert!(
        seen,
        "the fixture's `sleep 61.2345` child was never seen running; {}",
        o.show()
    );
    o.expect(3, "run_failed");
    assert!(
        o.elapsed < Duration::from_secs(25),
        "verify took {:?}: it waited for the sleepers",
        o.elapsed
    );
    let runs = o.json["runs"]
        .as_array()
        .unwrap_or_else(|| panic!("runs; {}", o.show()));
    assert!(
        runs.iter().any(|r| r["timed_out"] == true),
        "{}",
        pretty(&o.json["runs"])
    );
    assert!(
        o.json["failure"]
            .as_str()
            .is_some_and(|f| f.contains("timed out")),
        "{}",
        o.show()
    );
    // SIGKILL is asynchronous: allow the kernel a moment to remove the child.
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut left = marker_processes();
    while !left.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        left = marker_processes();
    }
    assert!(
        left.is_empty(),
        "the run's child process survived the timeout: {left:?}"
    );
}

#[test]
fn project_without_a_command_is_run_failed_saying_so() {
    let dir = fixture("no-command");
    let o = verify(dir.path(), &[]);
    o.expect(3, "run_failed");
    let failure = o.json["failure"]
        .as_str()
        .unwrap_or_else(|| panic!("failure; {}", o.show()));
    assert!(failure.to_lowercase().contains("no command"), "{failure}");
    assert!(
        o.json["runs"].as_array().is_some_and(|r| r.is_empty()),
        "{}",
        o.show()
    );
}

#[test]
fn dry_run_shows_the_plan_and_runs_nothing() {
    for name in ["deterministic", "dvc-three-stage"] {
        let dir = fixture(name);
        let before = snapshot(dir.path());
        let o = verify(dir.path(), &["--dry-run"]);
        assert_eq!(o.code, 0, "{name}: {}", o.show());
        assert!(
            o.json["command"]["commands"]
                .as_array()
                .is_some_and(|c| !c.is_empty()),
            "{name}: {}",
            pretty(&o.json["command"])
        );
        assert!(
            o.json["runs"].as_array().is_some_and(|r| r.is_empty()),
            "{name}: {}",
            o.show()
        );
        assert!(
            o.json["artifacts"].as_array().is_some_and(|a| a.is_empty()),
            "{name}: {}",
            o.show()
        );
        assert!(
            o.json["probes"].as_array().is_some_and(|p| p.is_empty()),
            "{name}: {}",
            o.show()
        );
        assert!(
            !dir.path().join("out").exists() && !dir.path().join("model.json").exists(),
            "{name}: something ran"
        );
        assert_unchanged(&before, dir.path());
    }
}

#[test]
fn vary_on_a_deterministic_project_changes_nothing() {
    let dir = fixture("deterministic");
    let before = snapshot(dir.path());
    let o = verify(dir.path(), &["--no-probes", "--vary"]);
    o.expect(0, "bit_exact");
    let vars = o.json["variations"]
        .as_array()
        .unwrap_or_else(|| panic!("variations; {}", o.show()));
    assert!(
        vars.len() >= 5,
        "cwd, TZ, locale, PYTHONHASHSEED, threads, HOME: {}",
        pretty(&o.json["variations"])
    );
    for v in vars {
        assert!(
            v["name"].as_str().is_some_and(|n| !n.is_empty()),
            "{}",
            pretty(v)
        );
        assert_eq!(v["outputs_changed"], false, "{}", pretty(v));
    }
    assert_unchanged(&before, dir.path());
}

#[test]
fn bad_verify_arguments_are_usage_errors() {
    let dir = fixture("deterministic");
    for args in [
        &["--rtol", "1e-3"][..],
        &["--runs", "1"][..],
        &["--format", "yaml"][..],
    ] {
        let out = Command::cargo_bin("reproscale")
            .expect("binary")
            .arg("verify")
            .args(args)
            .arg(dir.path())
            .output()
            .expect("run");
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(
        !dir.path().join("out").exists(),
        "a usage error ran the project"
    );
}

fn assess_verified(dir: &Path) -> Value {
    let out = Command::cargo_bin("reproscale")
        .expect("binary")
        .args(["assess", "--verify", "--format", "json"])
        .arg(dir)
        .output()
        .expect("run");
    serde_json::from_slice(&out.stdout).expect("json")
}

fn criterion<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["criteria"]
        .as_array()
        .expect("criteria")
        .iter()
        .find(|c| c["id"] == id)
        .expect("criterion")
}

#[test]
fn assess_verify_upgrades_repeatability_to_verified() {
    let dir = fixture("deterministic");
    let v = assess_verified(dir.path());
    assert_eq!(v["basis"], "verified");
    for id in ["1.1", "1.3", "2.4"] {
        let c = criterion(&v, id);
        assert_eq!(
            (c["status"].as_str(), c["basis"].as_str()),
            (Some("pass"), Some("verified")),
            "{id}: {c}"
        );
    }
    let bad = fixture("unseeded");
    let v = assess_verified(bad.path());
    let c = criterion(&v, "1.3");
    assert_eq!(
        (c["status"].as_str(), c["basis"].as_str()),
        (Some("fail"), Some("verified")),
        "{c}"
    );
    assert!(
        c["evidence"]
            .as_array()
            .expect("evidence")
            .iter()
            .any(|e| e["path"] == "out/metrics.json"),
        "{c}"
    );
}

#[test]
fn assess_verify_on_a_crashing_project_fails_runs_but_never_calls_it_not_reproducible() {
    let dir = fixture("crash");
    let v = assess_verified(dir.path());
    let c11 = criterion(&v, "1.1");
    assert_eq!(
        (c11["status"].as_str(), c11["basis"].as_str()),
        (Some("fail"), Some("verified")),
        "{c11}"
    );
    let c13 = criterion(&v, "1.3");
    assert_eq!(
        c13["basis"], "static",
        "a run that did not finish says nothing about repeatability: {c13}"
    );
}

#[test]
fn volatile_keys_and_artifact_excludes_from_the_settings() {
    let dir = fixture("unseeded");
    let settings = dir.path().join("reproscale.toml");
    let base = fs::read_to_string(&settings).expect("settings");
    fs::write(&settings, format!("{base}volatile_keys = [\"accuracy\"]\n")).expect("write");
    let out = verify(dir.path(), &["--no-probes"]);
    assert_ne!(out.json["verdict"], "differs", "{}", pretty(&out.json));
    fs::write(&settings, format!("{base}artifact_exclude = [\"out/\"]\n")).expect("write");
    let out = verify(dir.path(), &["--no-probes"]);
    assert!(
        out.json["artifacts"]
            .as_array()
            .is_some_and(|a| a.is_empty()),
        "{}",
        pretty(&out.json)
    );
}

/// Runs verify (JSON) with `user` as the user's OMP_NUM_THREADS (or none),
/// on a command that succeeds only when it sees `omp` and `mkl` (`-` for
/// unset) as its OMP and MKL thread counts.
fn threads_verify(user: Option<&str>, omp: &str, mkl: &str) -> (i32, Value) {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("README.md"), "# p\n").expect("write");
    let mut cmd = Command::cargo_bin("reproscale").expect("binary");
    for v in [
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "NUMEXPR_NUM_THREADS",
    ] {
        cmd.env_remove(v);
    }
    if let Some(u) = user {
        cmd.env("OMP_NUM_THREADS", u);
    }
    let check = format!(
        "python3 -c \"import os, sys; seen = (os.environ.get('OMP_NUM_THREADS', '-'), os.environ.get('MKL_NUM_THREADS', '-')); open('out.txt', 'w').write('1'); sys.exit(0 if seen == ('{omp}', '{mkl}') else 7)\""
    );
    let out = cmd
        .args(["verify", "--format", "json", "--jobs", "2", "--no-probes"])
        .args(["--cmd", &check])
        .arg(dir.path())
        .timeout(Duration::from_secs(120))
        .output()
        .expect("run reproscale");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let json: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    (out.status.code().unwrap_or(-1), json)
}

#[test]
fn parallel_runs_share_the_cores_unless_the_user_sized_the_pools() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_run = (cores / 2).max(1).to_string();
    let (code, json) = threads_verify(None, &per_run, &per_run);
    assert_eq!(code, 0, "{}", pretty(&json));
    assert_eq!(
        json["threads_per_run"].to_string(),
        per_run,
        "{}",
        pretty(&json)
    );
    // The check fails on any other value: the runs really saw it.
    let (code, _) = threads_verify(None, "99", "99");
    assert_eq!(code, 3);
    // The user's own setting is left alone, and nothing is claimed.
    let (code, json) = threads_verify(Some("3"), "3", "-");
    assert_eq!(code, 0, "{}", pretty(&json));
    assert!(json.get("threads_per_run").is_none(), "{}", pretty(&json));
}
