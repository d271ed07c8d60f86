//! verify's sandbox (SPEC §6 `isolation`): with a working bwrap, a run can
//! write only into its own copy (not the user's project, not another folder,
//! not the real HOME or /tmp), sees a private HOME, reaches no network and
//! leaves no process behind; without one, the output says what was not
//! isolated. Also: a SIGHUP that verify was started to ignore (`nohup`)
//! stays ignored. Every run has a timeout.
//!
//! The bwrap tests print a note and pass when `bwrap` is missing or does not
//! work on this machine (no user namespaces, a container that forbids them).

mod common;

use common::Out;

use std::fs;
use std::io::Read;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use assert_cmd::Command;

const LIMIT: Duration = Duration::from_secs(120);

/// Whether bwrap can run a sandbox here like the one verify uses.
fn bwrap_works() -> bool {
    let ok = std::process::Command::new("bwrap")
        .args([
            "--ro-bind",
            "/",
            "/",
            "--dev",
            "/dev",
            "--proc",
            "/proc",
            "--tmpfs",
            "/tmp",
            "--unshare-net",
            "--unshare-pid",
            "--die-with-parent",
            "--",
            "true",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("note: skipped: `bwrap` is not on PATH or cannot make a sandbox here");
    }
    ok
}

/// A folder in `parent` (or TMPDIR) with `files`, outside any git work tree.
fn folder_in(parent: Option<&Path>, prefix: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let mut b = tempfile::Builder::new();
    b.prefix(prefix);
    let dir = match parent {
        Some(p) => b.tempdir_in(p),
        None => b.tempdir(),
    }
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

/// A writable folder outside /tmp (which the sandbox replaces), so that the
/// sandbox's read-only root is what stops writes there.
fn outside_tmp() -> Option<PathBuf> {
    let p = PathBuf::from("/var/tmp");
    let probe = tempfile::Builder::new()
        .prefix("reproscale-sandbox-probe-")
        .tempdir_in(&p)
        .ok()?;
    drop(probe);
    Some(p)
}

fn verify_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Out {
    let mut c = Command::cargo_bin("reproscale").expect("binary");
    c.arg("verify").args(args).arg(dir).timeout(LIMIT);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().expect("run reproscale");
    Out::from(out)
}

fn verify(dir: &Path, args: &[&str]) -> Out {
    verify_with(dir, args, &[])
}

/// Single-quotes `s` for sh.
fn q(s: &Path) -> String {
    format!("'{}'", s.display().to_string().replace('\'', "'\\''"))
}

/// Every file under `root` with its bytes.
fn files(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), fs::read(&p).expect("read")));
            }
        }
    }
    out.sort();
    out
}

/// Removes a file when dropped (a write that leaked into the real HOME).
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

#[test]
fn writes_outside_the_copy_fail_and_leave_the_users_files_alone() {
    if !bwrap_works() {
        return;
    }
    let parent = outside_tmp();
    let project = folder_in(
        parent.as_deref(),
        "reproscale-sandbox-project-",
        &[("p/train.py", "print(1)\n")],
    );
    let in_tmp = folder_in(None, "reproscale-sandbox-project-", &[("train.py", "x\n")]);
    let other = folder_in(parent.as_deref(), "reproscale-sandbox-other-", &[]);
    let other_tmp = folder_in(None, "reproscale-sandbox-other-", &[]);
    let home = PathBuf::from(std::env::var("HOME").unwrap_or_else(|_| "/root".into()));
    let in_home = home.join(format!(".reproscale-sandbox-test-{}", std::process::id()));
    let _cleanup = RemoveOnDrop(in_home.clone());
    let before = files(project.path());
    let before_tmp = files(in_tmp.path());
    // The stage succeeds only when every write outside the copy fails.
    let attempts = [
        project.path().join("p/train.py"),
        project.path().join("new.txt"),
        in_tmp.path().join("train.py"),
        other.path().join("leak.txt"),
        other_tmp.path().join("leak.txt"),
        in_home.clone(),
    ];
    let mut cmd: Vec<String> = attempts
        .iter()
        .map(|p| format!("! (echo X >> {}) 2>/dev/null", q(p)))
        .collect();
    cmd.push("echo ok > out.txt".into());
    let cmd = cmd.join(" && ");
    let o = verify(
        project.path(),
        &["--format", "json", "--no-probes", "--cmd", &cmd],
    );
    assert_eq!(
        o.code,
        Some(0),
        "a write outside the copy landed: {}",
        o.show()
    );
    let json = o.json();
    assert_eq!(json["verdict"], "bit_exact", "{}", o.show());
    assert_eq!(json["isolation"]["sandbox"], "bwrap", "{}", o.show());
    assert_eq!(json["isolation"]["network"], false, "{}", o.show());
    assert_eq!(
        json["isolation"]["not_isolated"],
        serde_json::json!([]),
        "{}",
        o.show()
    );
    assert_eq!(files(project.path()), before, "the user's project changed");
    assert_eq!(
        files(in_tmp.path()),
        before_tmp,
        "a project in /tmp changed"
    );
    assert!(
        files(other.path()).is_empty(),
        "a folder outside was written"
    );
    assert!(
        files(other_tmp.path()).is_empty(),
        "a folder in /tmp was written"
    );
    assert!(!in_home.exists(), "the real HOME was written");
}

#[test]
fn the_run_sees_a_private_writable_home_and_tmp() {
    if !bwrap_works() {
        return;
    }
    let real_home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    let marker = folder_in(None, "reproscale-sandbox-tmp-", &[("seen.txt", "x\n")]);
    let project = folder_in(None, "reproscale-sandbox-project-", &[("a.txt", "x\n")]);
    let cmd = format!(
        "test \"$HOME\" != {home} && test -d \"$HOME\" && echo h > \"$HOME/h.txt\" \
         && echo t > \"${{TMPDIR:-/tmp}}/t.txt\" && ! test -e {seen} \
         && mkdir -p /var/tmp/tool-cache && echo c > /var/tmp/tool-cache/c.txt \
         && echo ok > out.txt",
        home = q(Path::new(&real_home)),
        seen = q(&marker.path().join("seen.txt")),
    );
    let o = verify(
        project.path(),
        &["--format", "json", "--no-probes", "--cmd", &cmd],
    );
    assert_eq!(o.code, Some(0), "{}", o.show());
    assert_eq!(o.json()["verdict"], "bit_exact", "{}", o.show());
    assert_eq!(o.json()["isolation"]["sandbox"], "bwrap", "{}", o.show());
    // /var/tmp was the stage's own: the host's is untouched.
    assert!(!Path::new("/var/tmp/tool-cache/c.txt").exists());
}

#[test]
fn home_and_tmp_are_the_runs_own_across_its_stages() {
    if !bwrap_works() {
        return;
    }
    let dvc = "stages:
  first:
    cmd: echo h > \"$HOME/h.txt\" && echo t > /tmp/t.txt && echo a > a.txt
    outs:
      - a.txt
  second:
    cmd: cat \"$HOME/h.txt\" /tmp/t.txt a.txt > b.txt
    deps:
      - a.txt
    outs:
      - b.txt
";
    let project = folder_in(None, "reproscale-sandbox-project-", &[("dvc.yaml", dvc)]);
    let o = verify(project.path(), &["--format", "json", "--no-probes"]);
    assert_eq!(o.code, Some(0), "{}", o.show());
    let json = o.json();
    assert_eq!(json["verdict"], "bit_exact", "{}", o.show());
    assert_eq!(json["isolation"]["sandbox"], "bwrap", "{}", o.show());
}

#[test]
fn the_run_cannot_reach_a_loopback_port_unless_network_is_allowed() {
    if !bwrap_works() {
        return;
    }
    let listener = TcpListener::bind("127.0.0.1:0").expect("listen");
    listener.set_nonblocking(true).expect("nonblocking");
    let port = listener.local_addr().expect("addr").port();
    let project = folder_in(None, "reproscale-sandbox-project-", &[("a.txt", "x\n")]);
    // sh has no sockets of its own: python3 connects; the stage records the outcome.
    let connect = format!(
        "python3 -c \"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=5).sendall(b'hi')\""
    );
    let cmd = format!(
        "command -v python3 >/dev/null || exit 7; if {connect} 2>/dev/null; then echo yes > out.txt; else echo no > out.txt; fi"
    );
    let accepted = |l: &TcpListener| -> usize {
        let mut n = 0;
        while let Ok((mut s, _)) = l.accept() {
            let _ = s.set_nonblocking(false);
            let _ = s.set_read_timeout(Some(Duration::from_secs(1)));
            let mut buf = Vec::new();
            let _ = s.read_to_end(&mut buf);
            n += 1;
        }
        n
    };
    let o = verify(
        project.path(),
        &["--format", "json", "--no-probes", "--cmd", &cmd],
    );
    if o.code == Some(3) && o.stdout.contains("exited with 7") {
        eprintln!("note: skipped: python3 is not on PATH");
        return;
    }
    assert_eq!(o.code, Some(0), "{}", o.show());
    assert_eq!(o.json()["network"]["allowed"], false, "{}", o.show());
    assert_eq!(accepted(&listener), 0, "a sandboxed run reached the port");

    // The control: with --network the same command gets through.
    let o = verify(
        project.path(),
        &[
            "--format",
            "json",
            "--no-probes",
            "--network",
            "--cmd",
            &cmd,
        ],
    );
    assert_eq!(o.code, Some(0), "{}", o.show());
    let json = o.json();
    assert_eq!(json["isolation"]["sandbox"], "bwrap", "{}", o.show());
    assert_eq!(json["isolation"]["network"], true, "{}", o.show());
    assert!(
        json["isolation"]["not_isolated"]
            .as_array()
            .is_some_and(|a| a
                .iter()
                .any(|s| s.as_str().is_some_and(|s| s.contains("network")))),
        "{}",
        o.show()
    );
    assert_eq!(accepted(&listener), 2, "both runs connect with --network");
}

fn kill(pid: i32, sig: rustix::process::Signal) {
    if let Some(p) = rustix::process::Pid::from_raw(pid) {
        let _ = rustix::process::kill_process(p, sig);
    }
}

/// Kills whatever `sleep <marker>` is left when a test ends (they are ours).
struct Reaper(&'static str);

impl Drop for Reaper {
    fn drop(&mut self) {
        for pid in common::sleepers(self.0) {
            kill(pid, rustix::process::Signal::KILL);
        }
    }
}

fn assert_no_sleeper_left(marker: &str, within: Duration) {
    let deadline = Instant::now() + within;
    let mut left = common::sleepers(marker);
    while !left.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        left = common::sleepers(marker);
    }
    assert!(
        left.is_empty(),
        "`sleep {marker}` outlived verify: {left:?}"
    );
}

#[test]
fn a_child_that_clears_its_environment_and_leaves_does_not_outlive_the_run() {
    if !bwrap_works() {
        return;
    }
    let _reaper = Reaper("31361");
    let project = folder_in(None, "reproscale-sandbox-project-", &[("a.txt", "x\n")]);
    // No marker in its environment, not in the copy, in a new session:
    // only the sandbox's PID namespace ends it.
    let o = verify(
        project.path(),
        &[
            "--format",
            "json",
            "--no-probes",
            "--cmd",
            "cd / && setsid env -i sleep 31361 >/dev/null 2>&1 </dev/null & echo done > out.txt",
        ],
    );
    assert_eq!(o.code, Some(0), "{}", o.show());
    assert_no_sleeper_left("31361", Duration::from_secs(3));
}

#[test]
fn a_timed_out_sandboxed_stage_is_killed_with_everything_it_started() {
    if !bwrap_works() {
        return;
    }
    let _reaper = Reaper("31362");
    let project = folder_in(None, "reproscale-sandbox-project-", &[("a.txt", "x\n")]);
    let start = Instant::now();
    let o = verify(
        project.path(),
        &[
            "--format",
            "json",
            "--no-probes",
            "--timeout",
            "2",
            "--cmd",
            "setsid sleep 31362 & sleep 60",
        ],
    );
    assert_eq!(o.code, Some(3), "{}", o.show());
    assert!(
        o.json()["failure"]
            .as_str()
            .is_some_and(|f| f.contains("timed out")),
        "{}",
        o.show()
    );
    assert!(start.elapsed() < Duration::from_secs(60), "{}", o.show());
    assert_no_sleeper_left("31362", Duration::from_secs(3));
}

/// A folder holding `sh` (and a `bwrap` that fails, when `failing_bwrap`).
fn bin_dir(failing_bwrap: bool) -> tempfile::TempDir {
    let dir = folder_in(None, "reproscale-sandbox-bin-", &[]);
    let sh = ["/bin/sh", "/usr/bin/sh"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .expect("sh");
    std::os::unix::fs::symlink(&sh, dir.path().join("sh")).expect("symlink");
    if failing_bwrap {
        let fake = dir.path().join("bwrap");
        fs::write(
            &fake,
            "#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n",
        )
        .expect("write");
        fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    dir
}

fn assert_fallback(o: &Out, why: &str) {
    assert_eq!(o.code, Some(0), "{}", o.show());
    let json = o.json();
    assert_eq!(json["verdict"], "bit_exact", "{}", o.show());
    let iso = &json["isolation"];
    assert!(
        iso["sandbox"] == "unshare" || iso["sandbox"] == "none",
        "{}",
        o.show()
    );
    let not = iso["not_isolated"]
        .as_array()
        .unwrap_or_else(|| panic!("not_isolated; {}", o.show()));
    assert!(!not.is_empty(), "{}", o.show());
    for needle in ["file system outside", "HOME is the real one", "/tmp"] {
        assert!(
            not.iter()
                .any(|s| s.as_str().is_some_and(|s| s.contains(needle))),
            "`{needle}` not said: {}",
            o.show()
        );
    }
    assert!(
        iso["why"].as_str().is_some_and(|w| w.contains(why)),
        "{}",
        o.show()
    );
}

#[test]
fn without_a_working_bwrap_the_output_says_what_is_not_isolated() {
    let project = folder_in(None, "reproscale-sandbox-project-", &[("a.txt", "x\n")]);
    let args = [
        "--format",
        "json",
        "--no-probes",
        "--cmd",
        "echo ok > out.txt",
    ];

    // A bwrap that fails its probe, first on PATH.
    let bin = bin_dir(true);
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let o = verify_with(project.path(), &args, &[("PATH", &path)]);
    assert_fallback(&o, "does not work here");

    // The sandbox turned off by the user, bwrap or not.
    let mut off = args.to_vec();
    off.push("--no-sandbox");
    let o = verify(project.path(), &off);
    assert_fallback(&o, "--no-sandbox");

    // No bwrap at all: PATH holds only sh.
    let bin = bin_dir(false);
    let path = bin.path().display().to_string();
    let o = verify_with(project.path(), &args, &[("PATH", &path)]);
    assert_fallback(&o, "not on PATH");

    // The text output says which isolation applied, in one line.
    let o = verify_with(
        project.path(),
        &["--no-probes", "--cmd", "echo ok > out.txt"],
        &[("PATH", &path)],
    );
    assert_eq!(o.code, Some(0), "{}", o.show());
    let lines: Vec<&str> = o
        .stdout
        .lines()
        .filter(|l| l.starts_with("isolation: "))
        .collect();
    assert_eq!(lines.len(), 1, "{}", o.show());
    assert!(lines[0].contains("not isolated: "), "{}", o.show());
}

#[test]
fn a_sighup_that_verify_was_started_to_ignore_stays_ignored() {
    let _reaper = Reaper("31363");
    let project = folder_in(None, "reproscale-sandbox-project-", &[("a.txt", "x\n")]);
    let tmp = folder_in(None, "reproscale-sandbox-tmpdir-", &[]);
    // `trap '' HUP` is what nohup does: the signal is ignored before exec.
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg("trap '' HUP; exec \"$0\" verify --no-probes --timeout 100 --cmd 'sleep 31363' \"$1\"")
        .arg(env!("CARGO_BIN_EXE_reproscale"))
        .arg(project.path())
        .env("TMPDIR", tmp.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run reproscale");
    let start = Instant::now();
    while common::sleepers("31363").is_empty() {
        assert!(
            child.try_wait().expect("try_wait").is_none(),
            "verify ended before its run started"
        );
        assert!(start.elapsed() < LIMIT, "`sleep 31363` never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    let pid = i32::try_from(child.id()).expect("pid");
    kill(pid, rustix::process::Signal::HUP);
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        child.try_wait().expect("try_wait").is_none(),
        "an ignored SIGHUP stopped verify"
    );
    // SIGTERM, not ignored, still stops it cleanly.
    kill(pid, rustix::process::Signal::TERM);
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("try_wait") {
            break s;
        }
        if start.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("verify did not stop on SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut stderr);
    }
    assert_eq!(status.code(), Some(143), "{stderr}");
    assert!(stderr.contains("interrupted by SIGTERM"), "{stderr}");
    assert_no_sleeper_left("31363", Duration::from_secs(3));
}
