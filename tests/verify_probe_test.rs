//! Seed probes on every seed-like config key (SPEC §6.5), through the
//! pipeline's own override channel, and probe runs that fail reported as the
//! probe's failure; `--fresh-env` end to end where the network allows.

mod common;

use std::fs;
use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    common::project_with("reproscale-probe-", files)
}

/// `reproscale verify --format json <extra…> <dir>`, under a timeout.
fn verify(dir: &Path, extra: &[&str], timeout: u64) -> (i32, Value) {
    // `--fresh-env` caches environments; never in the user's own cache.
    let cache = tempfile::tempdir().expect("cache dir");
    let out = Command::cargo_bin("reproscale")
        .expect("binary")
        .args(["verify", "--format", "json", "--jobs", "2"])
        .args(extra)
        .arg(dir)
        .env("REPROSCALE_CACHE_DIR", cache.path())
        .timeout(Duration::from_secs(timeout))
        .output()
        .expect("run reproscale");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let json: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{stdout}\nstderr:\n{stderr}"));
    let code = out
        .status
        .code()
        .unwrap_or_else(|| panic!("reproscale was killed (timed out?); stderr:\n{stderr}"));
    (code, json)
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

fn seed_probe<'a>(json: &'a Value, param: &str) -> &'a Value {
    json["probes"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|p| p["kind"] == "seed" && p["param"] == param)
        })
        .unwrap_or_else(|| panic!("no seed probe on {param}: {}", pretty(json)))
}

const DVC: &str = "stages:\n  train:\n    cmd: python3 train.py\n    deps:\n      - train.py\n    params:\n      - seed\n    outs:\n      - out.txt\n";

/// Reads `key: value` lines of params.yaml without PyYAML.
const READ_PARAMS: &str = "import random\ncfg = {}\nfor line in open('params.yaml'):\n    if ':' in line:\n        k, v = line.split(':', 1)\n        cfg[k.strip()] = v.strip()\n";

#[test]
fn dead_seed_in_params_yaml_is_not_wired() {
    let train =
        format!("{READ_PARAMS}random.seed(0)\nopen('out.txt', 'w').write(str(random.random()))\n");
    let dir = project(&[
        ("dvc.yaml", DVC),
        ("params.yaml", "seed: 5\n"),
        ("train.py", &train),
    ]);
    let (code, json) = verify(dir.path(), &[], 120);
    assert_eq!(code, 0, "{}", pretty(&json));
    let p = seed_probe(&json, "seed");
    assert_eq!(p["verdict"], "not_wired", "{}", pretty(p));
    assert_eq!(p["outputs_changed"], false, "{}", pretty(p));
    assert_eq!(p["from"], "5", "{}", pretty(p));
    assert_eq!(p["to"], "6", "{}", pretty(p));
    assert_eq!(p["channel"], "config_file", "{}", pretty(p));
    // The user's params.yaml is untouched.
    assert_eq!(
        fs::read_to_string(dir.path().join("params.yaml")).expect("read"),
        "seed: 5\n"
    );
}

#[test]
fn seed_read_from_params_yaml_is_wired() {
    let train = format!(
        "{READ_PARAMS}random.seed(cfg[\"seed\"])\nopen('out.txt', 'w').write(str(random.random()))\n"
    );
    let dir = project(&[
        ("dvc.yaml", DVC),
        ("params.yaml", "seed: 5\n"),
        ("train.py", &train),
    ]);
    let (code, json) = verify(dir.path(), &[], 120);
    assert_eq!(code, 0, "{}", pretty(&json));
    let p = seed_probe(&json, "seed");
    assert_eq!(p["verdict"], "wired", "{}", pretty(p));
    assert_eq!(p["outputs_changed"], true, "{}", pretty(p));
}

#[test]
fn nested_seed_keys_each_get_a_probe() {
    let train = "import json, random\ncfg = json.load(open('config.json'))\nrandom.seed(cfg['train']['seed'])\nopen('out.txt', 'w').write(str(random.random()))\n";
    let dir = project(&[
        (
            "config.json",
            "{\n  \"train\": {\n    \"seed\": 3\n  },\n  \"data\": {\n    \"split_seed\": 9\n  }\n}\n",
        ),
        ("train.py", train),
    ]);
    let (code, json) = verify(dir.path(), &["--cmd", "python3 train.py"], 120);
    assert_eq!(code, 0, "{}", pretty(&json));
    assert_eq!(seed_probe(&json, "train.seed")["verdict"], "wired");
    assert_eq!(seed_probe(&json, "data.split_seed")["verdict"], "not_wired");
}

#[test]
fn probe_run_that_crashes_is_the_probes_failure_not_wired() {
    let train = format!(
        "{READ_PARAMS}import sys\nif cfg['seed'] != '5':\n    sys.exit('boom: seed must be 5')\nrandom.seed(0)\nopen('out.txt', 'w').write(str(random.random()))\n"
    );
    let dir = project(&[
        ("dvc.yaml", DVC),
        ("params.yaml", "seed: 5\n"),
        ("train.py", &train),
    ]);
    let (code, json) = verify(dir.path(), &[], 120);
    assert_eq!(code, 0, "{}", pretty(&json));
    let p = seed_probe(&json, "seed");
    assert!(p.get("verdict").is_none_or(Value::is_null), "{}", pretty(p));
    assert_eq!(p["outputs_changed"], false, "{}", pretty(p));
    let error = p["error"].as_str().unwrap_or_default();
    assert!(error.contains("boom: seed must be 5"), "{}", pretty(p));
    assert!(error.contains("exited with 1"), "{}", pretty(p));
}

/// A stand-in for Hydra (not installed here): `@hydra.main` reads
/// `conf/config.yaml` (`key: value` lines) and applies `key=value` overrides
/// from the command line, as Hydra does.
const FAKE_HYDRA: &str = "import sys, functools\nclass Cfg(dict):\n    __getattr__ = dict.__getitem__\ndef main(config_path=None, config_name=None, version_base=None):\n    def wrap(f):\n        @functools.wraps(f)\n        def run():\n            cfg = Cfg()\n            for line in open(f'{config_path}/{config_name}.yaml'):\n                if ':' in line:\n                    k, v = line.split(':', 1)\n                    cfg[k.strip()] = v.strip()\n            for a in sys.argv[1:]:\n                k, v = a.split('=', 1)\n                if k not in cfg:\n                    sys.exit(f'Could not override {k}')\n                cfg[k] = v\n            return f(cfg)\n        return run\n    return wrap\n";

#[test]
fn hydra_seed_is_probed_with_an_override() {
    let train = "import random\nimport hydra\n@hydra.main(config_path='conf', config_name='config')\ndef main(cfg):\n    random.seed(int(cfg.seed))\n    open('out.txt', 'w').write(str(random.random()))\nif __name__ == '__main__':\n    main()\n";
    let dir = project(&[
        ("hydra/__init__.py", FAKE_HYDRA),
        ("conf/config.yaml", "defaults:\n  - _self_\nseed: 5\n"),
        ("train.py", train),
    ]);
    // The config file is read-only to the probe: only the override can change the seed.
    let (code, json) = verify(dir.path(), &["--cmd", "python3 train.py"], 120);
    assert_eq!(code, 0, "{}", pretty(&json));
    let p = seed_probe(&json, "seed");
    assert_eq!(p["channel"], "hydra_override", "{}", pretty(p));
    assert_eq!(p["verdict"], "wired", "{}", pretty(p));
}

#[test]
fn make_variable_seed_is_probed_on_the_make_command_line() {
    if std::process::Command::new("make")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("note: make is not installed; skipping");
        return;
    }
    let train = "import random, sys\nrandom.seed(int(sys.argv[1]))\nopen('out.txt', 'w').write(str(random.random()))\n";
    let dir = project(&[
        (
            "Makefile",
            "SEED ?= 5\ntrain:\n\tpython3 train.py $(SEED)\n",
        ),
        ("train.py", train),
    ]);
    let (code, json) = verify(dir.path(), &[], 120);
    assert_eq!(code, 0, "{}", pretty(&json));
    let p = seed_probe(&json, "SEED");
    assert_eq!(p["channel"], "make_variable", "{}", pretty(p));
    assert_eq!(p["verdict"], "wired", "{}", pretty(p));
}

/// Whether PyPI answers (pip or uv can install from it).
fn pypi_reachable() -> bool {
    std::process::Command::new("python3")
        .args([
            "-c",
            "import urllib.request; urllib.request.urlopen('https://pypi.org/simple/pip/', timeout=5)",
        ])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn venv_available() -> bool {
    let uv = std::process::Command::new("uv")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    uv || std::process::Command::new("python3")
        .args(["-c", "import venv, ensurepip"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn fresh_env_names_an_undeclared_import() {
    if !venv_available() {
        eprintln!("note: neither uv nor python3 -m venv with ensurepip is available; skipping");
        return;
    }
    if !pypi_reachable() {
        eprintln!("note: PyPI is not reachable (no network); skipping the --fresh-env test");
        return;
    }
    // `six` is declared and installs; `yaml` is imported but not declared.
    let dir = project(&[
        ("requirements.txt", "six\n"),
        (
            "train.py",
            "import six\nimport yaml\nopen('out.txt', 'w').write('1')\n",
        ),
    ]);
    let (code, json) = verify(
        dir.path(),
        &["--fresh-env", "--no-probes", "--cmd", "python3 train.py"],
        600,
    );
    assert_eq!(code, 3, "{}", pretty(&json));
    assert_eq!(json["verdict"], "run_failed", "{}", pretty(&json));
    let env = &json["environment"];
    assert_eq!(env["fresh"], true, "{}", pretty(env));
    assert!(
        env["installer"] == "uv" || env["installer"] == "pip",
        "{}",
        pretty(env)
    );
    assert_eq!(
        env["packages"],
        serde_json::json!(["six"]),
        "{}",
        pretty(env)
    );
    assert_eq!(env["undeclared"][0]["module"], "yaml", "{}", pretty(env));
    assert!(
        json["failure"]
            .as_str()
            .is_some_and(|f| f.to_ascii_lowercase().contains("pyyaml")),
        "{}",
        pretty(&json)
    );
}
