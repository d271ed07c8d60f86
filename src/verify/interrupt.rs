//! Stopping cleanly, and nothing a run started outliving it.
//!
//! SIGINT, SIGTERM and SIGHUP (Ctrl-C, a CI cancel, `timeout`, a closed
//! terminal) make verify kill every run's process group and every process
//! its runs started, remove the temporary copies, say so on one line and exit
//! with 128 + the signal. The handler (signal-hook's) only writes the signal
//! number to a pipe; a watcher thread does the work. Kills go through
//! [`super::process`]; there is no `unsafe` here.
//!
//! Processes that left their run's process group (`setsid`, a daemon's double
//! fork) are found by a marker every run's processes inherit in their
//! environment, [`MARKER`]: its value names the verify call, and is the same
//! for every run of that call, so that it never makes two runs' outputs
//! differ. While several runs are under way, a run's leftovers are told
//! apart by their working folder (inside that run's copy); the rest go when
//! the last run of the batch ends a stage, and at the end of the call. A
//! process that clears its environment and leaves the copy cannot be found
//! this way; in the bwrap sandbox ([`super::sandbox`]) the stage's PID
//! namespace ends it with the stage.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, Once};
use std::time::Duration;

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use super::process;

/// The environment variable that marks every process a run starts.
pub const MARKER: &str = "REPROSCALE_VERIFY_SESSION";

struct Registry {
    /// Process groups of the stages running now (their leaders' pids).
    groups: Vec<u32>,
    /// Temporary folders to remove when stopped.
    dirs: Vec<PathBuf>,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    groups: Vec::new(),
    dirs: Vec::new(),
});
static STOPPING: AtomicBool = AtomicBool::new(false);
static ACTIVE_RUNS: AtomicUsize = AtomicUsize::new(0);
static SESSIONS: AtomicUsize = AtomicUsize::new(0);

fn registry() -> MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(|p| p.into_inner())
}

/// A fresh marker value for one verify call: unique on this machine while
/// this process lives, the same for all of the call's runs.
pub fn new_session() -> String {
    let n = SESSIONS.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{}-{n}-{nanos:x}", std::process::id())
}

/// Whether a signal asked verify to stop.
pub fn stopping() -> bool {
    STOPPING.load(Ordering::SeqCst)
}

/// Installs the handlers (once per process). Signals the process ignores
/// (`nohup`, a background job of a script) stay ignored. signal-hook's
/// handler only writes to a pipe; a watcher thread reads it and does the work.
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let wanted: Vec<i32> = [SIGINT, SIGTERM, SIGHUP]
            .into_iter()
            .filter(|s| !ignored(*s))
            .collect();
        if wanted.is_empty() {
            return;
        }
        // The watcher registers the handlers itself, so that no handler is
        // ever left without a thread to act on it; install returns once they are in.
        let (registered, done) = std::sync::mpsc::channel();
        let watcher = std::thread::Builder::new()
            .name("reproscale-signals".into())
            .spawn(move || {
                let signals = Signals::new(&wanted);
                let _ = registered.send(());
                if let Ok(mut signals) = signals {
                    if let Some(sig) = signals.forever().next() {
                        shutdown(sig);
                    }
                }
            });
        if watcher.is_ok() {
            let _ = done.recv();
        }
    });
}

/// Whether `sig` is ignored by this process (`SigIgn` in /proc/self/status).
#[cfg(target_os = "linux")]
fn ignored(sig: i32) -> bool {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return false;
    };
    let Some(mask) = status
        .lines()
        .find_map(|l| l.strip_prefix("SigIgn:"))
        .and_then(|m| u64::from_str_radix(m.trim(), 16).ok())
    else {
        return false;
    };
    u32::try_from(sig - 1)
        .ok()
        .and_then(|bit| 1u64.checked_shl(bit))
        .is_some_and(|b| mask & b != 0)
}

/// No portable, safe way to read a signal's disposition elsewhere: handled.
#[cfg(not(target_os = "linux"))]
fn ignored(_sig: i32) -> bool {
    false
}

fn signal_name(sig: i32) -> String {
    match sig {
        SIGINT => "SIGINT".into(),
        SIGTERM => "SIGTERM".into(),
        SIGHUP => "SIGHUP".into(),
        n => format!("signal {n}"),
    }
}

/// Kills the runs, removes the copies, says so and exits with 128 + `sig`.
fn shutdown(sig: i32) -> ! {
    // Holding stderr keeps progress lines from following the last word.
    let mut err = std::io::stderr().lock();
    let (groups, dirs) = {
        let r = registry();
        STOPPING.store(true, Ordering::SeqCst);
        (r.groups.clone(), r.dirs.clone())
    };
    for g in &groups {
        process::kill_group(*g);
    }
    kill_marked(&Scope::Process);
    let mut left = Vec::new();
    for d in &dirs {
        // A run killed a moment ago may still have been writing: try a few times.
        let mut removed = false;
        for _ in 0..5 {
            match std::fs::remove_dir_all(d) {
                Ok(()) => {
                    removed = true;
                    break;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    removed = true;
                    break;
                }
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
        if !removed {
            left.push(d.display().to_string());
        }
    }
    let what = if groups.is_empty() && dirs.is_empty() {
        "no run was under way".to_string()
    } else if left.is_empty() {
        "killed the runs' processes and removed their temporary copies".to_string()
    } else {
        format!(
            "killed the runs' processes; could not remove {}",
            left.join(", ")
        )
    };
    let _ = std::io::Write::write_all(
        &mut err,
        format!("error: interrupted by {}: {what}\n", signal_name(sig)).as_bytes(),
    );
    std::process::exit(128 + sig);
}

/// Starts `cmd` (a process group leader) and records its group, unless
/// verify is stopping. The record and the start happen under one lock, so a
/// signal cannot fall between them and leave the group unkilled.
pub fn spawn(cmd: &mut Command) -> std::io::Result<Child> {
    let mut r = registry();
    if stopping() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::Interrupted,
            "verify was interrupted",
        ));
    }
    let child = cmd.spawn()?;
    r.groups.push(child.id());
    Ok(child)
}

/// Kills the group `pid` leads and forgets it.
pub fn end_group(pid: u32) {
    process::kill_group(pid);
    registry().groups.retain(|g| *g != pid);
}

/// A temporary folder removed when verify is interrupted, for as long as this lives.
pub struct TempGuard(PathBuf);

/// Creates a temporary folder named `prefix…` and records it, under the lock
/// a signal takes first, so that no folder is ever created and left unrecorded.
/// Drop the guard before the folder.
pub fn tempdir(prefix: &str) -> std::io::Result<(tempfile::TempDir, TempGuard)> {
    let mut r = registry();
    let dir = tempfile::Builder::new().prefix(prefix).tempdir()?;
    r.dirs.push(dir.path().to_path_buf());
    let guard = TempGuard(dir.path().to_path_buf());
    Ok((dir, guard))
}

impl Drop for TempGuard {
    fn drop(&mut self) {
        registry().dirs.retain(|d| *d != self.0);
    }
}

/// Counts a run as under way for as long as this lives.
pub struct RunGuard(());

impl RunGuard {
    /// Starts counting.
    pub fn start() -> RunGuard {
        ACTIVE_RUNS.fetch_add(1, Ordering::SeqCst);
        RunGuard(())
    }

    /// Whether this is the only run under way.
    pub fn alone(&self) -> bool {
        ACTIVE_RUNS.load(Ordering::SeqCst) <= 1
    }
}

impl Drop for RunGuard {
    fn drop(&mut self) {
        ACTIVE_RUNS.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Which marked processes to kill.
pub enum Scope<'a> {
    /// Every process any verify call of this process started.
    Process,
    /// Every process of one verify call (its marker value).
    Session(&'a str),
    /// Those of one verify call working inside a folder (a run's copy).
    Within(&'a str, &'a Path),
}

/// Kills the marked processes in `scope`; returns how many were signalled.
/// A few rounds catch children forked while the scan ran.
#[cfg(target_os = "linux")]
pub fn kill_marked(scope: &Scope) -> usize {
    let (value, exact) = match scope {
        Scope::Process => (format!("{}-", std::process::id()), false),
        Scope::Session(s) | Scope::Within(s, _) => (s.to_string(), true),
    };
    let entry = format!("{MARKER}={value}").into_bytes();
    let within = match scope {
        Scope::Within(_, dir) => {
            Some(std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf()))
        }
        _ => None,
    };
    let me = std::process::id();
    let mut total = 0;
    for _ in 0..10 {
        let mut found = 0;
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return total;
        };
        for e in entries.flatten() {
            let Some(pid) = e
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
                .filter(|p| *p != me && *p > 1)
            else {
                continue;
            };
            if !marked(pid, &entry, exact) {
                continue;
            }
            if let Some(dir) = &within {
                let cwd = std::fs::read_link(format!("/proc/{pid}/cwd"));
                if !cwd.is_ok_and(|c| c.starts_with(dir)) {
                    continue;
                }
            }
            if kill_pid(pid, &entry, exact) {
                found += 1;
            }
        }
        total += found;
        if found == 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    total
}

/// No `/proc` to scan: only process groups are killed.
#[cfg(not(target_os = "linux"))]
pub fn kill_marked(_scope: &Scope) -> usize {
    0
}

/// Whether `pid`'s environment holds `entry` (`exact`) or an entry starting with it.
#[cfg(target_os = "linux")]
fn marked(pid: u32, entry: &[u8], exact: bool) -> bool {
    use std::io::Read;
    let Ok(f) = std::fs::File::open(format!("/proc/{pid}/environ")) else {
        return false;
    };
    let mut env = Vec::new();
    if f.take(4 << 20).read_to_end(&mut env).is_err() {
        return false;
    }
    env.split(|b| *b == 0).any(|var| {
        if exact {
            var == entry
        } else {
            var.starts_with(entry)
        }
    })
}

/// SIGKILLs `pid` if it is still marked. A pidfd pins the process before the
/// marker is read again, so a pid reused by another process is never hit.
#[cfg(target_os = "linux")]
fn kill_pid(pid: u32, entry: &[u8], exact: bool) -> bool {
    process::kill_pinned(pid, || marked(pid, entry, exact))
}
