//! Running the plan in a fresh copy of the project: its own process group,
//! a timeout that kills the whole group, the sandbox of [`super::sandbox`]
//! (else no network where `unshare` allows), logs kept outside the copy.
//! The user's tree is only ever read.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;

use super::interrupt::{self, Scope};
use super::plan::Stage;
use super::process;
use super::sandbox::{self, Isolation, Place};

/// How a run is isolated from the network.
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct Network {
    /// Whether the run can reach the network.
    pub allowed: bool,
    /// What applied and why.
    pub how: String,
    /// The wrapper command, when one is used (`unshare -rn`).
    #[serde(skip)]
    pub wrapper: Vec<String>,
}

/// Decides the network isolation once per verify.
pub fn network(allow: bool) -> Network {
    if allow {
        return Network {
            allowed: true,
            how: "allowed (--network)".into(),
            wrapper: vec![],
        };
    }
    for args in [&["-rn"][..], &["-n"][..]] {
        let ok = Command::new("unshare")
            .args(args)
            .arg("true")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            let mut wrapper = vec!["unshare".to_string()];
            wrapper.extend(args.iter().map(|s| s.to_string()));
            return Network {
                allowed: false,
                how: format!("disabled (unshare {})", args.join(" ")),
                wrapper,
            };
        }
    }
    Network {
        allowed: true,
        how: "allowed: `unshare` is not permitted here, so runs can reach the network".into(),
        wrapper: vec![],
    }
}

/// What one stage of one run did.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct StageRun {
    /// Stage name.
    pub name: String,
    /// Exit code (`None` when killed).
    pub exit_code: Option<i32>,
    /// Seconds it ran.
    pub wall_seconds: f64,
    /// Killed by the timeout.
    pub timed_out: bool,
    /// The last lines of its stderr (and stdout when stderr is empty).
    pub stderr_tail: String,
}

/// One complete run of the plan.
#[derive(Debug, Clone, Serialize)]
pub struct RunResult {
    /// Run index (0 is the reference).
    pub index: usize,
    /// Exit code of the last stage that ran.
    pub exit_code: Option<i32>,
    /// Seconds for all stages.
    pub wall_seconds: f64,
    /// Seconds spent copying the project before the run.
    pub copy_seconds: f64,
    /// Whether a stage was killed by the timeout.
    pub timed_out: bool,
    /// Per stage.
    pub stages: Vec<StageRun>,
    /// What this run varied (`TZ=…`), for `--vary` runs and probes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variation: Option<String>,
    /// The copy the run worked in.
    #[serde(skip)]
    pub dir: PathBuf,
    /// Files the run created or changed, relative to the copy's root.
    #[serde(skip)]
    pub changed: Vec<String>,
}

impl RunResult {
    /// Whether every stage exited 0.
    pub fn succeeded(&self) -> bool {
        !self.timed_out && self.stages.iter().all(|s| s.exit_code == Some(0))
    }
}

/// Everything a run needs besides its stages.
#[derive(Debug, Clone)]
pub struct RunSpec {
    /// The project's root on disk (read only).
    pub root: PathBuf,
    /// The copy of the project each run gets, planned once.
    pub copy: std::sync::Arc<super::copy::Plan>,
    /// Per-stage timeout.
    pub timeout: Duration,
    /// Network isolation.
    pub network: Network,
    /// The sandbox (bwrap when it works here).
    pub isolation: Isolation,
    /// Extra environment for every run (PATH with --python first).
    pub env: Vec<(String, String)>,
    /// Where logs are kept (`--keep`), else inside the temporary folder.
    pub keep: Option<PathBuf>,
    /// The value of [`interrupt::MARKER`] the runs' processes inherit.
    pub session: String,
    /// `--with-data`: a folder whose files are copied into each copy.
    pub data: Option<PathBuf>,
}

/// Copies the project into `dest` (see [`super::copy`]), then the
/// `--with-data` folder's files.
pub fn copy_project(spec: &RunSpec, dest: &Path) -> Result<(), String> {
    spec.copy.copy_into(dest)?;
    if let Some(data) = &spec.data {
        super::inputs::copy_data(data, dest)?;
    }
    Ok(())
}

type Snapshot = BTreeMap<String, (u64, Option<SystemTime>)>;

fn snapshot(dir: &Path) -> Snapshot {
    let mut out = BTreeMap::new();
    let walker = ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .hidden(false)
        .follow_links(false)
        .build();
    for entry in walker.flatten() {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(dir) else {
            continue;
        };
        let rel = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let meta = entry.metadata().ok();
        out.insert(
            rel,
            (
                meta.as_ref().map_or(0, |m| m.len()),
                meta.and_then(|m| m.modified().ok()),
            ),
        );
    }
    out
}

/// A run's copy, made (and looked over) before any stage runs.
#[derive(Debug)]
pub struct Copied {
    index: usize,
    label: String,
    /// The copy.
    pub dir: PathBuf,
    variation: Option<(String, Vec<(String, String)>)>,
    copy_seconds: f64,
    before: Snapshot,
}

/// Runs every stage in a fresh copy: [`prepare`], [`execute`], [`scan`].
pub fn run(
    index: usize,
    stages: &[Stage],
    spec: &RunSpec,
    base: &Path,
    variation: Option<(&str, Vec<(String, String)>)>,
    prepare_copy: &dyn Fn(&Path) -> Result<(), String>,
) -> Result<RunResult, String> {
    let copied = prepare(index, spec, base, variation, prepare_copy)?;
    let mut r = execute(&copied, stages, spec, base)?;
    scan(&mut r, &copied);
    Ok(r)
}

/// The copies of `n` identical runs (indexes 0 to n-1), `jobs` at a time.
pub fn prepare_all(
    n: usize,
    spec: &RunSpec,
    base: &Path,
    jobs: usize,
) -> Vec<Result<Copied, String>> {
    indexed_parallel(n, jobs, |i| prepare(i, spec, base, None, &|_| Ok(())))
        .into_iter()
        .enumerate()
        .map(|(i, c)| c.unwrap_or_else(|| Err(format!("the copy for run {} was not made", i + 1))))
        .collect()
}

/// `work(0)` to `work(n - 1)` on at most `jobs` threads, each thread taking
/// the next index when it is free; the results in index order (`None` only
/// where a thread panicked).
pub fn indexed_parallel<T: Send>(
    n: usize,
    jobs: usize,
    work: impl Fn(usize) -> T + Sync,
) -> Vec<Option<T>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let next = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<T>>> = Mutex::new((0..n).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, n.max(1)) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= n {
                    break;
                }
                let r = work(i);
                if let Ok(mut s) = slots.lock() {
                    s[i] = Some(r);
                }
            });
        }
    });
    slots.into_inner().unwrap_or_default()
}

/// Makes the copy `label` names (`run-<index>`, and the variation), lets
/// `prepare_copy` change it (a probe's config edit), and records what it
/// holds.
pub fn prepare(
    index: usize,
    spec: &RunSpec,
    base: &Path,
    variation: Option<(&str, Vec<(String, String)>)>,
    prepare_copy: &dyn Fn(&Path) -> Result<(), String>,
) -> Result<Copied, String> {
    let label = match &variation {
        Some((name, _)) => format!(
            "run-{index}-{}",
            name.replace(|c: char| !c.is_ascii_alphanumeric(), "-")
        ),
        None => format!("run-{index}"),
    };
    // The `cwd` variation puts the copy at another depth, under another name.
    let dir = match &variation {
        Some((name, _)) if name.starts_with("cwd") => {
            base.join("elsewhere").join("deeper").join(&label)
        }
        _ => base.join(&label),
    };
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let copy_start = Instant::now();
    copy_project(spec, &dir)?;
    let copy_seconds = copy_start.elapsed().as_secs_f64();
    prepare_copy(&dir)?;
    let before = snapshot(&dir);
    Ok(Copied {
        index,
        label,
        dir,
        variation: variation.map(|(n, v)| (n.to_string(), v)),
        copy_seconds,
        before,
    })
}

/// Records the files a finished run created or changed in its copy.
pub fn scan(run: &mut RunResult, copied: &Copied) {
    let after = snapshot(&copied.dir);
    run.changed = after
        .into_iter()
        .filter(|(k, v)| copied.before.get(k) != Some(v))
        .map(|(k, _)| k)
        .collect();
}

/// Runs every stage in the copy, each in its own process group, with the
/// timeout; the files it changed are left to [`scan`].
pub fn execute(
    copied: &Copied,
    stages: &[Stage],
    spec: &RunSpec,
    base: &Path,
) -> Result<RunResult, String> {
    let counted = interrupt::RunGuard::start();
    let (index, label, dir) = (copied.index, &copied.label, &copied.dir);
    let variation = copied
        .variation
        .as_ref()
        .map(|(n, v)| (n.as_str(), v.clone()));
    let logs = spec
        .keep
        .clone()
        .unwrap_or_else(|| base.join("logs"))
        .join(label);
    fs::create_dir_all(&logs).map_err(|e| format!("cannot create {}: {e}", logs.display()))?;
    // HOME and /tmp of a sandboxed run, outside its copy.
    let private = base.join("private").join(label);
    let start = Instant::now();
    let mut stage_runs = Vec::new();
    let mut timed_out = false;
    for (i, stage) in stages.iter().enumerate() {
        let wdir = if stage.wdir.is_empty() {
            dir.clone()
        } else {
            dir.join(&stage.wdir)
        };
        let out_path = logs.join(format!("{i:02}-{}.stdout.log", stage.name));
        let err_path = logs.join(format!("{i:02}-{}.stderr.log", stage.name));
        let stdout =
            fs::File::create(&out_path).map_err(|e| format!("cannot create a log: {e}"))?;
        let stderr =
            fs::File::create(&err_path).map_err(|e| format!("cannot create a log: {e}"))?;
        // The environment the stage sees: verify's, then the run's variation.
        let mut env: Vec<(String, Option<String>)> = spec
            .env
            .iter()
            .map(|(k, v)| (k.clone(), Some(v.clone())))
            .collect();
        if let Some((_, vars)) = &variation {
            for (k, v) in vars {
                env.push((k.clone(), (!v.is_empty()).then(|| v.clone())));
            }
        }
        let last = |key: &str| -> Option<Option<String>> {
            env.iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        let mut cmd = match &spec.isolation.bwrap {
            Some(bwrap) => {
                // Every run sees the same HOME path (unless a variation moves
                // it), backed by a folder of its own.
                let home = last("HOME")
                    .flatten()
                    .map_or_else(|| base.join("home"), PathBuf::from);
                for d in [&home, &private.join("home"), &private.join("tmp")] {
                    fs::create_dir_all(d)
                        .map_err(|e| format!("cannot create {}: {e}", d.display()))?;
                }
                let path = last("PATH").unwrap_or_else(|| std::env::var("PATH").ok());
                let (private_home, private_tmp) = (private.join("home"), private.join("tmp"));
                let place = Place {
                    copy: dir,
                    wdir: &wdir,
                    home: &home,
                    private_home: &private_home,
                    private_tmp: &private_tmp,
                    path: path.as_deref(),
                };
                let mut c = sandbox::command(bwrap, spec.network.allowed, &place, &stage.cmd);
                let (set, removed) = sandbox::environment(&home);
                for k in removed {
                    c.env_remove(k);
                }
                for (k, v) in set {
                    c.env(k, v);
                }
                c
            }
            None if spec.network.wrapper.is_empty() => {
                let mut c = Command::new("sh");
                c.arg("-c").arg(&stage.cmd);
                c
            }
            None => {
                let mut c = Command::new(&spec.network.wrapper[0]);
                c.args(&spec.network.wrapper[1..])
                    .arg("sh")
                    .arg("-c")
                    .arg(&stage.cmd);
                c
            }
        };
        cmd.current_dir(&wdir)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .process_group(0)
            .env(interrupt::MARKER, &spec.session);
        for (k, v) in &env {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        let t = Instant::now();
        let mut child =
            interrupt::spawn(&mut cmd).map_err(|e| format!("cannot start `{}`: {e}", stage.cmd))?;
        let (status, killed) =
            match process::wait(&mut child, spec.timeout, Duration::from_millis(20)) {
                Ok(w) => (w.status, w.timed_out),
                Err(_) => (None, false),
            };
        // Whatever the stage left running goes too: its process group, and
        // the processes that escaped it (a new session, a double fork): this
        // run's by their folder, and when no other run is under way, all of
        // this verify's.
        interrupt::end_group(child.id());
        if counted.alone() {
            interrupt::kill_marked(&Scope::Session(&spec.session));
        } else {
            interrupt::kill_marked(&Scope::Within(&spec.session, dir));
        }
        let exit_code = if killed {
            None
        } else {
            status.and_then(|s| s.code())
        };
        let stderr_tail = tail(&err_path)
            .filter(|t| !t.trim().is_empty())
            .or_else(|| tail(&out_path))
            .unwrap_or_default();
        let ok = exit_code == Some(0);
        stage_runs.push(StageRun {
            name: stage.name.clone(),
            exit_code,
            wall_seconds: t.elapsed().as_secs_f64(),
            timed_out: killed,
            stderr_tail,
        });
        if killed {
            timed_out = true;
        }
        if !ok {
            break;
        }
    }
    Ok(RunResult {
        index,
        exit_code: stage_runs.last().and_then(|s| s.exit_code),
        wall_seconds: start.elapsed().as_secs_f64(),
        copy_seconds: copied.copy_seconds,
        timed_out,
        stages: stage_runs,
        variation: variation.map(|(n, _)| n.to_string()),
        dir: dir.clone(),
        changed: Vec::new(),
    })
}

/// The last 20 lines (at most 4 KiB) of a log.
fn tail(path: &Path) -> Option<String> {
    let mut f = fs::File::open(path).ok()?;
    let len = f.metadata().ok()?.len();
    let start = len.saturating_sub(4096);
    let mut buf = Vec::new();
    std::io::Seek::seek(&mut f, std::io::SeekFrom::Start(start)).ok()?;
    f.read_to_end(&mut buf).ok()?;
    let text = String::from_utf8_lossy(&buf);
    let lines: Vec<&str> = text.lines().collect();
    Some(lines[lines.len().saturating_sub(20)..].join("\n"))
}
