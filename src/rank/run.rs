//! Ranking many projects: a bounded pool of workers, each assessing one
//! project in a child process (so a hung clone or a pathological project is
//! killed by its timeout and recorded as an error, never as 0 stars), with
//! clones bounded separately and results saved as they arrive.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use super::sources::Source;
use super::store::{Record, RecordStatus, Stage, Store, StoreError};
use crate::VERSION;

/// How to rank.
#[derive(Debug, Clone)]
pub struct Options {
    /// Projects assessed at once.
    pub jobs: usize,
    /// Clones at once.
    pub clone_jobs: usize,
    /// Per-project timeout.
    pub timeout: Duration,
    /// Assess again even when this commit was assessed by this version.
    pub refresh: bool,
    /// The reproscale binary that assesses each project.
    pub exe: PathBuf,
}

/// Counts for the progress line and the summary.
#[derive(Debug, Default)]
pub struct Progress {
    /// Projects to do.
    pub total: usize,
    /// Done (assessed, reused or failed).
    pub done: AtomicUsize,
    /// Reused from the store.
    pub reused: AtomicUsize,
    /// Stored as errors.
    pub errors: AtomicUsize,
}

/// A simple counting semaphore for clones.
struct Slots {
    free: Mutex<usize>,
    cv: Condvar,
}

impl Slots {
    fn acquire(&self) {
        let mut n = self.free.lock().unwrap_or_else(|p| p.into_inner());
        while *n == 0 {
            n = self.cv.wait(n).unwrap_or_else(|p| p.into_inner());
        }
        *n -= 1;
    }

    fn release(&self) {
        let mut n = self.free.lock().unwrap_or_else(|p| p.into_inner());
        *n += 1;
        self.cv.notify_one();
    }
}

/// Ranks `sources` into `store`. `tick` is called after each project.
pub fn rank(
    sources: &[Source],
    store: &Mutex<Box<dyn Store>>,
    opts: &Options,
    progress: &Progress,
    tick: &(dyn Fn(&Progress) + Sync),
) -> Result<(), StoreError> {
    let next = AtomicUsize::new(0);
    let clones = Slots {
        free: Mutex::new(opts.clone_jobs.max(1)),
        cv: Condvar::new(),
    };
    let failure: Mutex<Option<StoreError>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..opts.jobs.clamp(1, sources.len().max(1)) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(src) = sources.get(i) else { break };
                if failure.lock().map(|f| f.is_some()).unwrap_or(true) {
                    break;
                }
                let outcome = one(src, store, opts, &clones, progress);
                if let Err(e) = outcome {
                    if let Ok(mut f) = failure.lock() {
                        f.get_or_insert(e);
                    }
                    break;
                }
                progress.done.fetch_add(1, Ordering::SeqCst);
                tick(progress);
            });
        }
    });
    match failure.into_inner() {
        Ok(Some(e)) => Err(e),
        _ => Ok(()),
    }
}

fn one(
    src: &Source,
    store: &Mutex<Box<dyn Store>>,
    opts: &Options,
    clones: &Slots,
    progress: &Progress,
) -> Result<(), StoreError> {
    let commit = head_commit(src, opts.timeout);
    if !opts.refresh {
        let found = store.lock().unwrap_or_else(|p| p.into_inner()).find(
            &src.source,
            commit.as_deref(),
            VERSION,
        )?;
        if found.is_some_and(|r| r.status == RecordStatus::Ok) {
            progress.reused.fetch_add(1, Ordering::SeqCst);
            return Ok(());
        }
    }
    if src.remote {
        clones.acquire();
    }
    let record = assess(src, commit, opts);
    if src.remote {
        clones.release();
    }
    if record.status == RecordStatus::Error {
        progress.errors.fetch_add(1, Ordering::SeqCst);
    }
    store
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .save(&record)
}

/// The commit a source is at, cheaply: HEAD of a local repository, or
/// `git ls-remote` for a URL. `None` outside git or when it cannot be told.
fn head_commit(src: &Source, timeout: Duration) -> Option<String> {
    if src.remote {
        let out = run_with_timeout(
            Command::new("git")
                .args(["ls-remote", "--", &src.source, "HEAD"])
                .env("GIT_TERMINAL_PROMPT", "0"),
            timeout.min(Duration::from_secs(60)),
        )
        .ok()?;
        return out
            .stdout
            .split_whitespace()
            .next()
            .filter(|h| h.len() >= 40)
            .map(String::from);
    }
    let repo = gix::discover(&src.source).ok()?;
    repo.head_id().ok().map(|id| id.to_string())
}

struct Output {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    timed_out: bool,
}

fn run_with_timeout(cmd: &mut Command, timeout: Duration) -> Result<Output, String> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| e.to_string())?;
    // Drain the pipes while waiting, so a chatty child never blocks on a full pipe.
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(o) = out.as_mut() {
            let _ = o.read_to_string(&mut s);
        }
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(e) = err.as_mut() {
            let _ = e.read_to_string(&mut s);
        }
        s
    });
    let waited = crate::verify::process::wait(&mut child, timeout, Duration::from_millis(5))
        .map_err(|e| e.to_string())?;
    let (status, timed_out) = (waited.status, waited.timed_out);
    Ok(Output {
        code: status.and_then(|s| s.code()),
        stdout: reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
        timed_out,
    })
}

/// A record for `src` with nothing assessed yet; callers fill in the outcome.
fn record(src: &Source, commit: Option<String>, started: Instant, status: RecordStatus) -> Record {
    Record {
        name: src.name.clone(),
        source: src.source.clone(),
        commit,
        tool_version: VERSION.to_string(),
        assessed_at: crate::clock::now_rfc3339(),
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        status,
        error: None,
        stars: None,
        basis: "static".into(),
        stages: Vec::new(),
        criteria: Vec::new(),
        report_json: None,
    }
}

fn error_record(src: &Source, commit: Option<String>, started: Instant, cause: String) -> Record {
    Record {
        error: Some(cause),
        ..record(src, commit, started, RecordStatus::Error)
    }
}

/// Assesses one project in a child process.
fn assess(src: &Source, commit: Option<String>, opts: &Options) -> Record {
    let started = Instant::now();
    let mut cmd = Command::new(&opts.exe);
    cmd.args(["assess", "--format", "json", "--"])
        .arg(&src.source)
        .env("NO_COLOR", "1");
    let out = match run_with_timeout(&mut cmd, opts.timeout) {
        Ok(o) => o,
        Err(e) => {
            return error_record(
                src,
                commit,
                started,
                format!("could not start the assessment: {e}"),
            )
        }
    };
    if out.timed_out {
        return error_record(
            src,
            commit,
            started,
            format!("timed out after {} s", opts.timeout.as_secs()),
        );
    }
    if !matches!(out.code, Some(0) | Some(1)) {
        let first = out
            .stderr
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("the assessment failed")
            .trim()
            .trim_start_matches("error: ")
            .to_string();
        return error_record(src, commit, started, first);
    }
    let json: serde_json::Value = match serde_json::from_str(&out.stdout) {
        Ok(v) => v,
        Err(e) => {
            return error_record(
                src,
                commit,
                started,
                format!("unreadable assessment output: {e}"),
            )
        }
    };
    let commit = json["project"]["commit"]
        .as_str()
        .map(String::from)
        .or(commit);
    let stages = json["stages"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| Stage {
                    stage: s["stage"]
                        .as_u64()
                        .and_then(|n| u8::try_from(n).ok())
                        .unwrap_or(0),
                    passed: s["passed"].as_bool().unwrap_or(false),
                    met: s["met"]
                        .as_u64()
                        .and_then(|n| u8::try_from(n).ok())
                        .unwrap_or(0),
                    total: s["total"]
                        .as_u64()
                        .and_then(|n| u8::try_from(n).ok())
                        .unwrap_or(0),
                })
                .collect()
        })
        .unwrap_or_default();
    let criteria = json["criteria"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| {
                    Some((
                        c["id"].as_str()?.parse().ok()?,
                        c["status"].as_str()?.parse().ok()?,
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    Record {
        stars: json["stars"].as_u64().and_then(|n| u8::try_from(n).ok()),
        basis: json["basis"].as_str().unwrap_or("static").to_string(),
        stages,
        criteria,
        report_json: Some(out.stdout),
        ..record(src, commit, started, RecordStatus::Ok)
    }
}
