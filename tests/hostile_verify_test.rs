//! `reproscale verify` on hostile or broken input and under signals: declared
//! outputs that never appear, empty commands, dvc.yaml cycles and parse
//! errors, bad `--python` and tolerance flags, SIGTERM/SIGINT cleanup, and
//! children that escape into a new session. Every run has a timeout.

mod common;

use common::Out;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// A project folder with `files` (path, content), outside any git work tree.
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    common::project_with("reproscale-hostile-verify-", files)
}

use common::verify;

// 1. Declared outputs that no run produced.

fn assert_nothing_produced(o: &Out, path: &str) {
    assert_eq!(o.code, Some(3), "{}", o.show());
    let json = o.json();
    assert_eq!(json["verdict"], "run_failed", "{}", o.show());
    let failure = json["failure"]
        .as_str()
        .unwrap_or_else(|| panic!("no failure: {}", o.show()));
    assert_eq!(failure.lines().count(), 1, "{failure}");
    assert!(
        failure.contains(&format!(
            "nothing was produced: {path} declared as an output is missing after both runs"
        )),
        "{failure}"
    );
}

#[test]
fn dvc_outs_missing_after_both_runs_are_run_failed() {
    let dir = project(&[(
        "dvc.yaml",
        "stages:\n  train:\n    cmd: echo trained\n    outs:\n      - model.json\n",
    )]);
    let o = verify(dir.path(), &["--format", "json", "--no-probes"]);
    assert_nothing_produced(&o, "model.json");
}

#[test]
fn configured_artifacts_missing_after_both_runs_are_run_failed() {
    let dir = project(&[("reproscale.toml", "artifacts = [\"out/metrics.json\"]\n")]);
    let o = verify(
        dir.path(),
        &["--format", "json", "--no-probes", "--cmd", "echo hi"],
    );
    assert_nothing_produced(&o, "out/metrics.json");
}

#[test]
fn a_declared_output_that_is_written_is_still_bit_exact() {
    let dir = project(&[(
        "dvc.yaml",
        "stages:\n  train:\n    cmd: echo trained > model.txt\n    outs:\n      - model.txt\n",
    )]);
    let o = verify(dir.path(), &["--format", "json", "--no-probes"]);
    assert_eq!(o.code, Some(0), "{}", o.show());
    assert_eq!(o.json()["verdict"], "bit_exact", "{}", o.show());
}

// 2. Empty commands.

#[test]
fn empty_or_blank_cmd_is_a_usage_error() {
    let dir = project(&[("a.txt", "x\n")]);
    for cmd in ["", "   ", "\t\n"] {
        let o = verify(dir.path(), &["--no-probes", "--cmd", cmd]);
        o.usage_error(&["--cmd", "empty"]);
    }
}

// 3. dvc.yaml cycles and parse errors.

const CYCLE: &str = "stages:
  a:
    cmd: echo a > a.txt
    deps:
      - b.txt
    outs:
      - a.txt
  b:
    cmd: echo b > b.txt
    deps:
      - a.txt
    outs:
      - b.txt
";

#[test]
fn dvc_cycle_is_an_input_error_also_under_dry_run() {
    let dir = project(&[("dvc.yaml", CYCLE)]);
    for extra in [&[][..], &["--dry-run"][..]] {
        let mut args = vec!["--no-probes"];
        args.extend_from_slice(extra);
        let o = verify(dir.path(), &args);
        o.usage_error(&["dvc.yaml", "cycle", "a -> b -> a"]);
    }
    assert!(!dir.path().join("a.txt").exists(), "the cycle ran");
}

#[test]
fn malformed_dvc_yaml_is_an_input_error_also_under_dry_run() {
    let dir = project(&[("dvc.yaml", "stages:\n  train: [unclosed\n    cmd: x\n")]);
    for extra in [&[][..], &["--dry-run"][..]] {
        let mut args = vec!["--no-probes"];
        args.extend_from_slice(extra);
        let o = verify(dir.path(), &args);
        o.usage_error(&["dvc.yaml"]);
    }
}

#[test]
fn dvc_paths_outside_the_project_are_input_errors() {
    for (yaml, needle) in [
        (
            "stages:\n  s:\n    cmd: touch escaped.txt\n    wdir: /tmp\n",
            "/tmp",
        ),
        (
            "stages:\n  s:\n    cmd: echo hi\n    outs:\n      - /etc/hostname\n",
            "/etc/hostname",
        ),
    ] {
        let dir = project(&[("dvc.yaml", yaml)]);
        let o = verify(dir.path(), &["--no-probes", "--dry-run"]);
        o.usage_error(&["dvc.yaml", needle]);
    }
}

// 4. --python.

#[test]
fn python_that_is_missing_or_a_folder_is_a_usage_error() {
    let dir = project(&[("a.txt", "x\n")]);
    let missing = dir.path().join("no-such-python");
    let folder = dir.path().join("bin");
    fs::create_dir_all(&folder).expect("mkdir");
    for p in [&missing, &folder] {
        let shown = p.display().to_string();
        let o = verify(
            dir.path(),
            &["--no-probes", "--cmd", "true", "--python", &shown],
        );
        o.usage_error(&["--python", &shown]);
    }
}

// 5. Tolerances.

#[test]
fn nan_negative_or_infinite_tolerances_are_usage_errors() {
    let dir = project(&[("a.txt", "x\n")]);
    for (rtol, atol, flag) in [
        ("nan", "0", "--rtol"),
        ("0", "nan", "--atol"),
        ("-1", "0", "--rtol"),
        ("0", "-1e-3", "--atol"),
        ("inf", "0", "--rtol"),
        ("0", "-inf", "--atol"),
    ] {
        let r = format!("--rtol={rtol}");
        let a = format!("--atol={atol}");
        let o = verify(dir.path(), &["--no-probes", "--cmd", "true", &r, &a]);
        o.usage_error(&[flag]);
    }
}

#[test]
fn unusable_settings_are_input_errors() {
    for (toml, needles) in [
        ("run = \"  \"\n", &["reproscale.toml", "`run` is empty"][..]),
        (
            "run = \"true\"\n[tolerances]\nrtol = nan\natol = 0.0\n",
            &["reproscale.toml", "rtol"][..],
        ),
        (
            "run = \"true\"\n[tolerances.\"*.json\"]\nrtol = 0.0\natol = -inf\n",
            &["reproscale.toml", "atol"][..],
        ),
        (
            "run = \"true\"\nartifacts = [\"/etc/hostname\"]\n",
            &["reproscale.toml", "/etc/hostname"][..],
        ),
        (
            "run = \"true\"\nartifacts = [\"../outside.txt\"]\n",
            &["reproscale.toml", "../outside.txt"][..],
        ),
    ] {
        let dir = project(&[("reproscale.toml", toml)]);
        let o = verify(dir.path(), &["--no-probes"]);
        o.usage_error(needles);
    }
}

// 6–8. Signals and escaped children.

/// Kills whatever `sleep <marker>` is left when a test ends, passed or not (they are ours).
struct Reaper(Vec<&'static str>);

impl Drop for Reaper {
    fn drop(&mut self) {
        for m in &self.0 {
            for pid in common::sleepers(m) {
                // A pid found running `sleep <marker>`, which this test started.
                kill(pid, libc::SIGKILL);
            }
        }
    }
}

/// Waits up to `within` for no `sleep <marker>` to be left; kills any left (they are ours).
fn assert_no_sleeper_left(marker: &str, within: Duration) {
    let deadline = Instant::now() + within;
    let mut left = common::sleepers(marker);
    while !left.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        left = common::sleepers(marker);
    }
    for pid in &left {
        // A pid we just found running `sleep <marker>`, which this test started.
        kill(*pid, libc::SIGKILL);
    }
    assert!(
        left.is_empty(),
        "`sleep {marker}` outlived verify: {left:?}"
    );
}

fn wait_for_sleeper(marker: &str, child: &mut std::process::Child) {
    let start = Instant::now();
    while common::sleepers(marker).is_empty() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("verify ended ({status}) before `sleep {marker}` started");
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("`sleep {marker}` never started");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn wait_exit(child: &mut std::process::Child, within: Duration) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        if start.elapsed() > within {
            let _ = child.kill();
            panic!("verify did not exit within {within:?} of the signal");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    fs::read_dir(dir)
        .map(|r| r.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

/// Starts verify on a project whose command sleeps, sends `signal` once the
/// sleeper runs, and checks the exit code, the message, the children and the temp folder.
fn signal_cleans_up(
    signal: i32,
    marker: &'static str,
    cmd: &str,
    extra_marker: Option<&'static str>,
) {
    let _reaper = Reaper(std::iter::once(marker).chain(extra_marker).collect());
    let dir = project(&[("a.txt", "x\n")]);
    let tmp = tempfile::Builder::new()
        .prefix("reproscale-hostile-tmpdir-")
        .tempdir()
        .expect("tempdir");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_reproscale"))
        .args(["verify", "--no-probes", "--timeout", "100", "--cmd", cmd])
        .arg(dir.path())
        .env("TMPDIR", tmp.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run reproscale");
    wait_for_sleeper(marker, &mut child);
    if let Some(m) = extra_marker {
        wait_for_sleeper(m, &mut child);
    }
    assert!(
        !entries(tmp.path()).is_empty(),
        "verify made no temporary folder under TMPDIR"
    );
    let pid = i32::try_from(child.id()).expect("pid");
    // The reproscale process this test spawned.
    kill(pid, signal);
    let sent = Instant::now();
    let status = wait_exit(&mut child, Duration::from_secs(10));
    let took = sent.elapsed();
    let out = child.wait_with_output().expect("output");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        status.code(),
        Some(128 + signal),
        "status {status}; stderr:\n{stderr}"
    );
    assert!(took < Duration::from_secs(5), "took {took:?} to exit");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(errors[0].contains("interrupted"), "{stderr}");
    assert!(!errors[0].contains("timed out"), "{stderr}");
    assert!(
        stderr
            .lines()
            .last()
            .is_some_and(|l| l.starts_with("error:")),
        "{stderr}"
    );
    assert_no_sleeper_left(marker, Duration::from_secs(3));
    if let Some(m) = extra_marker {
        assert_no_sleeper_left(m, Duration::from_secs(3));
    }
    let left = entries(tmp.path());
    assert!(left.is_empty(), "left in TMPDIR: {left:?}");
}

#[test]
fn sigterm_kills_the_runs_and_removes_the_copies() {
    signal_cleans_up(libc::SIGTERM, "31337", "sleep 31337", None);
}

#[test]
fn sigint_says_interrupted_and_cleans_up() {
    signal_cleans_up(libc::SIGINT, "31338", "sleep 31338", None);
}

#[test]
fn sigterm_also_kills_children_that_escaped_into_a_new_session() {
    signal_cleans_up(
        libc::SIGTERM,
        "31339",
        "setsid sleep 31340 & sleep 31339",
        Some("31340"),
    );
}

#[test]
fn timeout_also_kills_children_that_escaped_into_a_new_session() {
    let _reaper = Reaper(vec!["31341"]);
    let dir = project(&[("a.txt", "x\n")]);
    let o = verify(
        dir.path(),
        &[
            "--format",
            "json",
            "--no-probes",
            "--timeout",
            "2",
            "--cmd",
            "setsid sleep 31341 & sleep 60",
        ],
    );
    assert_eq!(o.code, Some(3), "{}", o.show());
    let failure = o.json()["failure"].as_str().unwrap_or_default().to_string();
    assert!(failure.contains("timed out"), "{}", o.show());
    assert_no_sleeper_left("31341", Duration::from_secs(3));
}

#[test]
fn children_left_in_a_new_session_do_not_outlive_a_finished_run() {
    let _reaper = Reaper(vec!["31342"]);
    let dir = project(&[("a.txt", "x\n")]);
    let o = verify(
        dir.path(),
        &[
            "--format",
            "json",
            "--no-probes",
            "--cmd",
            "setsid sleep 31342 >/dev/null 2>&1 < /dev/null & echo done > out.txt",
        ],
    );
    assert_eq!(o.code, Some(0), "{}", o.show());
    assert_no_sleeper_left("31342", Duration::from_secs(3));
}

/// Sends `signal` (a libc signal number) to `pid`, without `unsafe`.
fn kill(pid: i32, signal: i32) {
    let (Some(pid), Some(sig)) = (
        rustix::process::Pid::from_raw(pid),
        rustix::process::Signal::from_named_raw(signal),
    ) else {
        return;
    };
    let _ = rustix::process::kill_process(pid, sig);
}
