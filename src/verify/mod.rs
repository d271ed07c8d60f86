//! `verify`: re-run the project in isolated copies and prove its outputs
//! repeat. plan → run → collect → compare → probes, then a verdict that
//! feeds the assessment (SPEC §6).

pub mod candidates;
pub mod causes;
pub mod collect;
pub mod compare;
pub mod copy;
pub mod fingerprint;
pub mod freshenv;
pub mod inputs;
pub mod interrupt;
pub mod output;
pub mod plan;
pub mod probes;
pub mod process;
pub mod progress;
pub mod run;
pub mod sandbox;
pub mod timing;
pub mod upgrade;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use crate::facts;
use crate::project_config::{ConfigError, ProjectConfig};
use crate::source::Input;
use compare::{ArtifactResult, Tolerances, Verdict};
use fingerprint::Fingerprint;
use plan::{Param, Plan, PlanError};
use run::{Network, RunResult, RunSpec};

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct Options {
    /// `--cmd`.
    pub cmd: Option<String>,
    /// Number of identical runs (at least 2).
    pub runs: usize,
    /// Runs at once.
    pub jobs: usize,
    /// Per-stage timeout.
    pub timeout: Duration,
    /// Keep logs here.
    pub keep: Option<PathBuf>,
    /// Interpreter to put first on PATH.
    pub python: Option<PathBuf>,
    /// Allow network access.
    pub network: bool,
    /// Run under bwrap when it works here (default); `false` keeps the lighter isolation.
    pub sandbox: bool,
    /// Run the seed and config probes.
    pub probes: bool,
    /// Vary the environment one variation at a time.
    pub vary: bool,
    /// Show the plan only.
    pub dry_run: bool,
    /// A global tolerance from the command line.
    pub tolerance: Option<compare::Tol>,
    /// `--target`: run this Makefile target, dvc stage (with the stages it
    /// depends on) or MLproject entry point.
    pub target: Option<String>,
    /// `--with-data`: copy this folder's files into each run's copy (same
    /// relative paths) before running.
    pub with_data: Option<PathBuf>,
    /// `--fresh-env`: run in a new virtual environment holding only the
    /// declared packages.
    pub fresh_env: bool,
    /// With `fresh_env`: reuse (and keep) environments in the cache
    /// ([`freshenv::cache_root`]); `--no-env-cache` turns it off.
    pub env_cache: bool,
    /// Draw progress bars on stderr instead of handing plain lines to the
    /// progress callback (only when stderr is a terminal; see [`progress`]).
    pub bars: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            cmd: None,
            runs: 2,
            jobs: 2,
            timeout: Duration::from_secs(30 * 60),
            keep: None,
            python: None,
            network: false,
            sandbox: true,
            probes: true,
            vary: false,
            dry_run: false,
            tolerance: None,
            target: None,
            with_data: None,
            fresh_env: false,
            env_cache: true,
            bars: false,
        }
    }
}

/// The overall verdict (SPEC §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Overall {
    /// Every artifact is byte-identical.
    BitExact,
    /// Differences within tolerance only.
    WithinTolerance,
    /// Some artifact differs.
    Differs,
    /// The pipeline could not be run.
    RunFailed,
}

impl Overall {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Overall::BitExact => "bit_exact",
            Overall::WithinTolerance => "within_tolerance",
            Overall::Differs => "differs",
            Overall::RunFailed => "run_failed",
        }
    }

    /// Whether the outputs repeat.
    pub fn reproducible(self) -> bool {
        matches!(self, Overall::BitExact | Overall::WithinTolerance)
    }
}

/// A probe's outcome.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Probe {
    /// `seed` or `config`.
    pub kind: &'static str,
    /// The parameter changed.
    pub param: String,
    /// Old and new values.
    pub from: String,
    /// New value.
    pub to: String,
    /// Whether the outputs changed.
    pub outputs_changed: bool,
    /// `wired` or `not_wired`; absent when the probe run itself failed
    /// (then `error` says how).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<ProbeVerdict>,
    /// What was seen.
    pub evidence: String,
    /// The probe run's own failure (exit and stderr tail), when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// How the value was changed: `config_file`, `flag`, `hydra_override`,
    /// `make_variable` or `mlproject_parameter`.
    pub channel: &'static str,
}

/// What a probe showed (SPEC §6.5): the changed value reaches the outputs,
/// or it does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeVerdict {
    /// Changing the value changed the outputs.
    Wired,
    /// The outputs stayed the same.
    NotWired,
}

impl ProbeVerdict {
    /// Both verdicts.
    pub const ALL: [ProbeVerdict; 2] = [ProbeVerdict::Wired, ProbeVerdict::NotWired];

    /// The verdict as the JSON contract spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ProbeVerdict::Wired => "wired",
            ProbeVerdict::NotWired => "not_wired",
        }
    }

    /// `wired` when the outputs changed.
    pub fn of(outputs_changed: bool) -> Self {
        if outputs_changed {
            ProbeVerdict::Wired
        } else {
            ProbeVerdict::NotWired
        }
    }
}

impl std::fmt::Display for ProbeVerdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for ProbeVerdict {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ProbeVerdict::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| format!("`{s}` is not a probe verdict (wired, not_wired)"))
    }
}

impl<'de> serde::Deserialize<'de> for ProbeVerdict {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Schema: a plain string, as the field has always been documented (its
/// description names the two values).
impl schemars::JsonSchema for ProbeVerdict {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ProbeVerdict".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <String as schemars::JsonSchema>::json_schema(generator)
    }
}

/// A `--vary` run's outcome.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Variation {
    /// What was varied.
    pub name: String,
    /// Whether the outputs changed.
    pub outputs_changed: bool,
    /// Artifacts that changed, or the failure.
    pub evidence: String,
}

/// A stage's verdict.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct StageVerdict {
    /// Stage name.
    pub name: String,
    /// Worst verdict of its outputs.
    pub verdict: Overall,
}

/// Everything verify found.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyResult {
    /// The project.
    pub project: String,
    /// The plan.
    pub plan: Plan,
    /// Network isolation.
    pub network: Network,
    /// What the runs could reach (SPEC §6 `isolation`).
    pub isolation: sandbox::Isolation,
    /// The verdict.
    pub verdict: Overall,
    /// Why the runs failed, when they did.
    pub failure: Option<String>,
    /// The identical runs.
    pub runs: Vec<RunResult>,
    /// Per stage.
    pub stages: Vec<StageVerdict>,
    /// Per artifact (run 0 against each other run; the worst kept).
    pub artifacts: Vec<ArtifactResult>,
    /// Whether the artifacts were declared (else every file the run wrote).
    pub artifacts_declared: bool,
    /// Seed and config probes.
    pub probes: Vec<Probe>,
    /// `--vary` runs.
    pub variations: Vec<Variation>,
    /// Why artifacts differ (or why the runs could not start): static
    /// findings on the run path, `--vary` results, missing inputs.
    pub causes: Vec<causes::Cause>,
    /// A plain sentence for differing artifacts no known cause explains.
    pub causes_note: Option<String>,
    /// The environment.
    pub fingerprint: Fingerprint,
    /// Where verify's own time went (absent when nothing was compared).
    pub timing: Option<Timing>,
    /// `--fresh-env`: the environment the runs used.
    pub environment: Option<freshenv::Environment>,
    /// What the runs' copies hold and what was left out of them.
    pub copy: Option<copy::Report>,
    /// The thread count every run and probe was given through
    /// [`THREAD_VARS`] (see [`thread_budget`]); `None` when none was set.
    pub threads_per_run: Option<usize>,
}

pub use timing::Timing;

/// The variables through which OpenMP, MKL, OpenBLAS and numexpr (and so
/// PyTorch, NumPy and scikit-learn) size their thread pools.
pub const THREAD_VARS: [&str; 4] = [
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
];

/// Threads each run gets when `parallel` runs share the machine: its cores
/// split between them. Each library otherwise starts a thread per core in
/// every run, and spinning OpenMP pools oversubscribed this way made two
/// parallel PyTorch runs 24 times slower than one alone. Every run and probe
/// gets the same count, so they stay comparable. `None` (left alone) for a
/// single run at a time, or when the user set any of [`THREAD_VARS`].
pub fn thread_budget(parallel: usize) -> Option<usize> {
    if parallel <= 1 || THREAD_VARS.iter().any(|v| std::env::var_os(v).is_some()) {
        return None;
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    Some((cores / parallel).max(1))
}

/// Why verify could not start.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// Reading the project or its settings failed.
    #[error(transparent)]
    Input(#[from] crate::Error),
    /// Something about the machine (temp space, copying).
    #[error("{0}")]
    Environment(String),
}

/// An input error about `what` (a flag or a file): exit 2, one line.
fn invalid(what: &str, message: String) -> VerifyError {
    VerifyError::Input(crate::Error::Config(ConfigError {
        path: what.to_string(),
        message,
    }))
}

/// Checks what the command line gave before anything is read or run:
/// `--cmd` has a command, `--python` is an interpreter (resolved on PATH when
/// it is a bare name, made absolute otherwise), tolerances are finite and ≥ 0.
fn checked(opts: &Options) -> Result<Options, VerifyError> {
    let mut opts = opts.clone();
    if opts.cmd.as_deref().is_some_and(|c| c.trim().is_empty()) {
        return Err(invalid(
            "--cmd",
            "the command is empty: give the shell command to run, or leave --cmd out to run the project's pipeline".into(),
        ));
    }
    if let Some(p) = &opts.python {
        opts.python = Some(interpreter(p)?);
    }
    if let Some(t) = opts.tolerance {
        check_tolerance("--rtol", t.rtol)?;
        check_tolerance("--atol", t.atol)?;
    }
    if opts.target.is_some() && opts.cmd.is_some() {
        return Err(invalid(
            "--target",
            "give either --cmd or --target, not both".into(),
        ));
    }
    if let Some(d) = &opts.with_data {
        if !d.is_dir() {
            return Err(invalid(
                "--with-data",
                format!(
                    "{} is not a folder: give the folder that holds the inputs at their paths in the project",
                    d.display()
                ),
            ));
        }
        opts.with_data = Some(std::path::absolute(d).map_err(|e| {
            invalid(
                "--with-data",
                format!("cannot resolve {}: {e}", d.display()),
            )
        })?);
    }
    Ok(opts)
}

fn check_tolerance(what: &str, v: f64) -> Result<(), VerifyError> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(invalid(
            what,
            format!("{v} is not a tolerance: give a finite number ≥ 0"),
        ))
    }
}

/// `--python`: an executable file. A bare name (`python3.11`) is looked up on PATH.
fn interpreter(p: &Path) -> Result<PathBuf, VerifyError> {
    use std::os::unix::fs::PermissionsExt;
    let shown = p.display().to_string();
    if p.as_os_str().is_empty() {
        return Err(invalid("--python", "the path is empty".into()));
    }
    let bare = p.components().count() == 1 && !shown.contains('/');
    let path = if bare {
        std::env::var_os("PATH")
            .map(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join(p))
                    .find(|c| c.is_file())
            })
            .unwrap_or_default()
            .ok_or_else(|| invalid("--python", format!("{shown} was not found on PATH")))?
    } else {
        p.to_path_buf()
    };
    let shown = path.display().to_string();
    let meta = std::fs::metadata(&path).map_err(|e| {
        invalid(
            "--python",
            if e.kind() == std::io::ErrorKind::NotFound {
                format!("{shown} does not exist")
            } else {
                format!("cannot read {shown}: {e}")
            },
        )
    })?;
    if meta.is_dir() {
        return Err(invalid(
            "--python",
            format!("{shown} is a folder, not an interpreter"),
        ));
    }
    if !meta.is_file() || meta.permissions().mode() & 0o111 == 0 {
        return Err(invalid(
            "--python",
            format!("{shown} is not an executable file"),
        ));
    }
    // Absolute, not canonical: a virtual environment's python is a link whose folder matters.
    std::path::absolute(&path)
        .map_err(|e| invalid("--python", format!("cannot resolve {shown}: {e}")))
}

/// Verifies the project at `root`. `progress` receives one line per event,
/// unless `opts.bars` draws progress bars on a terminal's stderr instead.
///
/// Input errors (exit 2): an empty `--cmd`, a `--python` that is not an
/// interpreter, a tolerance that is not a finite number ≥ 0, settings or a
/// dvc.yaml that cannot be used (parse errors, stages in a cycle, paths
/// outside the project). Once runs start, SIGINT/SIGTERM/SIGHUP stop them,
/// remove the copies and exit with 128 + the signal (see [`interrupt`]).
pub fn verify(
    root: &Path,
    opts: &Options,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<VerifyResult, VerifyError> {
    let started = std::time::Instant::now();
    let opts = &checked(opts)?;
    if !opts.dry_run {
        interrupt::install();
    }
    // `pip freeze` and friends take a while: fingerprint while the runs run.
    let python = opts
        .python
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "python3".into());
    let env = python_env(opts);
    let fingerprinting = std::thread::spawn(move || fingerprint::take(&python, &env));
    let mut result = verify_runs(root, opts, progress)?;
    let waited = std::time::Instant::now();
    if let Ok(fp) = fingerprinting.join() {
        result.fingerprint = fp;
    }
    if let Some(t) = result.timing.as_mut() {
        t.fingerprint_seconds = timing::since(waited);
        t.finish(started);
    }
    Ok(result)
}

/// PATH with the chosen interpreter's folder first.
fn python_env(opts: &Options) -> Vec<(String, String)> {
    let mut env = Vec::new();
    if let Some(dir) = opts.python.as_ref().and_then(|p| p.parent()) {
        let path = std::env::var("PATH").unwrap_or_default();
        env.push(("PATH".to_string(), format!("{}:{path}", dir.display())));
    }
    env
}

fn verify_runs(
    root: &Path,
    opts: &Options,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<VerifyResult, VerifyError> {
    let progress = progress::Progress::new(progress, opts.bars);
    let started = std::time::Instant::now();
    let input = Input::Directory(root.to_path_buf());
    let (project, settings) = crate::read_project(&input)?;
    let files: Vec<String> = project.files.iter().map(|f| f.path.clone()).collect();
    let mut assessed = project.clone();
    settings
        .apply_excludes(&mut assessed)
        .map_err(crate::Error::from)?;
    let facts = facts::extract(assessed);
    let tolerances = tolerances(&settings, opts.tolerance)?;
    let volatile: Vec<String> = compare::DEFAULT_VOLATILE_KEYS
        .iter()
        .map(|s| s.to_string())
        .chain(settings.volatile_keys.iter().cloned())
        .collect();

    let mut env = python_env(opts);
    let threads_per_run = thread_budget(opts.jobs.clamp(1, opts.runs.max(2)));
    if let Some(t) = threads_per_run {
        for var in THREAD_VARS {
            env.push((var.to_string(), t.to_string()));
        }
    }
    let fingerprint = Fingerprint::default();
    let (isolation, network) = sandbox::decide(opts.network, opts.sandbox);
    let planned = plan::plan(
        &facts,
        plan::Request {
            cmd: opts.cmd.as_deref(),
            settings_run: settings.run.as_deref(),
            target: opts.target.as_deref(),
        },
        &settings.artifacts,
    );
    let (plan, failure) = match planned {
        Ok(p) => (p, None),
        Err(PlanError::Invalid { file, message }) => {
            let file = if file == "settings" {
                settings
                    .source
                    .clone()
                    .unwrap_or_else(|| "reproscale settings".into())
            } else {
                file
            };
            return Err(invalid(&file, message));
        }
        Err(PlanError::NoCommand(why, alternatives)) => (
            Plan {
                source: "none".into(),
                why: why.clone(),
                stages: vec![],
                alternatives,
                artifact_globs: vec![],
                seeds: vec![],
                params: vec![],
            },
            Some(why),
        ),
    };
    let settings_file = settings.source.as_deref().unwrap_or("reproscale settings");
    compare::prepare(&tolerances, &volatile).map_err(|e| invalid(settings_file, e.to_string()))?;
    let exclude = collect::ArtifactGlobs::new(&settings.artifact_exclude)
        .map_err(|e| invalid(settings_file, e.to_string()))?;
    let declared = collect::Declared::new(&plan).map_err(|e| {
        let file = match settings.artifacts.contains(&e.glob) {
            true => settings_file,
            false => &plan.source,
        };
        invalid(file, e.to_string())
    })?;
    let mut result = VerifyResult {
        project: root.display().to_string(),
        plan: plan.clone(),
        network: network.clone(),
        isolation: isolation.clone(),
        verdict: Overall::RunFailed,
        failure,
        runs: vec![],
        stages: vec![],
        artifacts: vec![],
        artifacts_declared: false,
        probes: vec![],
        variations: vec![],
        causes: vec![],
        causes_note: None,
        fingerprint,
        timing: None,
        environment: None,
        copy: None,
        threads_per_run,
    };
    if result.failure.is_some() {
        return Ok(result);
    }
    if opts.dry_run {
        return Ok(result);
    }
    let absent = inputs::missing(&facts, &plan, root, &files, opts.with_data.as_deref());
    if !absent.is_empty() {
        result.failure = Some(
            absent
                .iter()
                .map(|c| c.note.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
        );
        result.causes = absent;
        return Ok(result);
    }
    // Recorded for removal on SIGINT/SIGTERM; unrecorded (dropped) before `base` is removed.
    let (base, _recorded) = interrupt::tempdir("reproscale-verify-")
        .map_err(|e| VerifyError::Environment(format!("cannot create a temporary folder: {e}")))?;
    let session = interrupt::new_session();
    // Whatever the runs started is gone when verify returns, however it returns.
    let _sweep = Sweep(&session);
    if opts.fresh_env {
        let reqs = freshenv::requirements(&facts);
        let task = progress.fresh_env(reqs.len(), freshenv::offline(&reqs));
        let cache = opts.env_cache.then(freshenv::cache_root).flatten();
        let made = freshenv::make(&reqs, root, base.path(), cache.as_deref(), opts.timeout);
        task.done(made.as_ref().ok().map(|m| {
            if m.environment.reused {
                format!(
                    "fresh environment: {} declared package(s), reused from the cache ({})",
                    reqs.len(),
                    m.root.display()
                )
            } else {
                format!(
                    "fresh environment: {} declared package(s) installed with {}",
                    reqs.len(),
                    m.environment.installer
                )
            }
        }));
        match made {
            Ok(made) => {
                let rest = env
                    .iter()
                    .rev()
                    .find(|(k, _)| k == "PATH")
                    .map(|(_, v)| v.clone())
                    .unwrap_or_else(|| std::env::var("PATH").unwrap_or_default());
                env.push(("PATH".to_string(), format!("{}:{rest}", made.bin.display())));
                env.push(("VIRTUAL_ENV".to_string(), made.root.display().to_string()));
                // Packages installed with `pip install --user` are not declared.
                env.push(("PYTHONNOUSERSITE".to_string(), "1".to_string()));
                result.environment = Some(made.environment);
            }
            Err(e) => {
                result.failure = Some(e);
                return Ok(result);
            }
        }
    }
    let mut timing = Timing {
        setup_seconds: timing::since(started),
        ..Timing::default()
    };
    let phase = std::time::Instant::now();
    let skipped: Vec<&str> = project.skipped.iter().map(|s| s.path.as_str()).collect();
    let copy_plan = copy::Plan::new(root, &files, &skipped);
    result.copy = Some(copy_plan.report.clone());
    let spec = RunSpec {
        session: session.clone(),
        root: root.to_path_buf(),
        copy: std::sync::Arc::new(copy_plan),
        timeout: opts.timeout,
        network,
        isolation,
        env,
        keep: opts.keep.clone(),
        data: opts.with_data.clone(),
    };

    // Identical runs, in parallel: every copy first, then the runs.
    let n = opts.runs.max(2);
    let copies = run::prepare_all(n, &spec, base.path(), opts.jobs);
    timing.copy_seconds = timing::since(phase);
    let phase = std::time::Instant::now();
    let mut runs = match schedule(&copies, &plan, &spec, base.path(), opts.jobs, &progress) {
        Ok(runs) => runs,
        Err(e) => {
            result.failure = Some(e);
            return Ok(result);
        }
    };
    if let Some(bad) = runs.iter().find(|r| !r.succeeded()) {
        result.failure = Some(summarise_failure(
            bad,
            opts.timeout,
            result.environment.as_mut(),
        ));
        result.runs = runs;
        return Ok(result);
    }
    timing.runs_seconds = timing::since(phase);

    let phase = std::time::Instant::now();
    {
        use rayon::prelude::*;
        runs.par_iter_mut().for_each(|r| {
            if let Some(Ok(c)) = copies.get(r.index) {
                run::scan(r, c);
            }
        });
    }
    let refs: Vec<&RunResult> = runs.iter().collect();
    if let Some(why) = collect::nothing_produced(&declared, &refs) {
        result.failure = Some(why);
        result.runs = runs;
        return Ok(result);
    }
    let (mut paths, declared) = collect::artifacts(&declared, &refs);
    paths.retain(|p| !exclude.matches(p));
    timing.collect_seconds = timing::since(phase);

    let phase = std::time::Instant::now();
    let artifacts = compare_outputs(
        &paths,
        &runs,
        &tolerances,
        &volatile,
        &progress,
        &mut timing,
    );
    let worst = artifacts
        .iter()
        .map(|a| a.verdict)
        .max()
        .unwrap_or(Verdict::BitExact);
    result.verdict = overall(worst);
    result.stages = stage_verdicts(&plan, &artifacts);
    result.artifacts = artifacts;
    result.artifacts_declared = declared;
    timing.compare_seconds = timing::since(phase);

    let phase = std::time::Instant::now();
    let cx = probes::Context {
        plan: &plan,
        spec: &spec,
        base: base.path(),
        reference: &runs[0],
        paths: &paths,
        tol: &tolerances,
        volatile: &volatile,
    };
    if opts.probes {
        result.probes = run_probes(&cx, &progress);
    }
    if opts.vary {
        result.variations = vary(&cx, &progress);
    }
    if result.verdict == Overall::Differs {
        let found = causes::findings(&facts);
        let (c, note) =
            causes::explain(&facts, &found, &plan, &result.artifacts, &result.variations);
        result.causes = c;
        result.causes_note = note;
    }
    result.runs = runs;
    timing.probes_seconds = timing::since(phase);
    let phase = std::time::Instant::now();
    copy::remove_tree(base.path());
    timing.cleanup_seconds = timing::since(phase);
    result.timing = Some(timing);
    Ok(result)
}

/// Runs the identical runs in their copies, at most `jobs` at once, and
/// returns them in index order. A copy that could not be made, or a run that
/// could not be started, ends verify with its message; a run that ran and
/// failed is returned like any other (see [`summarise_failure`]).
fn schedule(
    copies: &[Result<run::Copied, String>],
    plan: &Plan,
    spec: &RunSpec,
    base: &Path,
    jobs: usize,
    progress: &progress::Progress<'_>,
) -> Result<Vec<RunResult>, String> {
    let n = copies.len();
    let stage_names: Vec<String> = plan.stages.iter().map(|s| s.name.clone()).collect();
    let shown = progress.runs(n, &plan.source, &stage_names);
    let done = run::indexed_parallel(n, jobs, |i| {
        shown.start(i);
        let r = match &copies[i] {
            Ok(c) => run::execute(c, &plan.stages, spec, base),
            Err(e) => Err(e.clone()),
        };
        shown.finish(i, &r);
        r
    });
    shown.done();
    let mut runs = Vec::new();
    for r in done.into_iter().flatten() {
        runs.push(r?);
    }
    runs.sort_by_key(|r| r.index);
    Ok(runs)
}

/// Why a run failed, in one message: the stage and how it ended, the
/// packages a fresh environment lacked (recorded in `environment`), then the
/// stage's stderr tail.
fn summarise_failure(
    bad: &RunResult,
    timeout: Duration,
    environment: Option<&mut freshenv::Environment>,
) -> String {
    let stage = bad.stages.last();
    let mut what = match stage {
        Some(s) if s.timed_out => format!(
            "stage `{}` of run {} timed out after {:?} and was killed with its process group",
            s.name,
            bad.index + 1,
            timeout
        ),
        Some(s) => format!(
            "stage `{}` of run {} exited with {}",
            s.name,
            bad.index + 1,
            s.exit_code
                .map_or("a signal".to_string(), |c| c.to_string())
        ),
        None => "no stage ran".to_string(),
    };
    let tail = stage.map(|s| s.stderr_tail.clone()).unwrap_or_default();
    if let Some(e) = environment {
        e.undeclared = freshenv::missing_modules(&tail);
        if !e.undeclared.is_empty() {
            what = format!(
                "{what}: the fresh environment lacks undeclared package(s) {}",
                e.undeclared
                    .iter()
                    .map(|u| format!("{} (import {})", u.package, u.module))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    if tail.is_empty() {
        what
    } else {
        format!("{what}:\n{tail}")
    }
}

/// Compares every artifact of run 0 with the same path in each other run,
/// and records the sizes and throughput in `timing`.
fn compare_outputs(
    paths: &[String],
    runs: &[RunResult],
    tolerances: &Tolerances,
    volatile: &[String],
    progress: &progress::Progress<'_>,
    timing: &mut Timing,
) -> Vec<ArtifactResult> {
    let started = std::time::Instant::now();
    let shown = progress.compare(paths.len(), runs.len(), paths.len() * (runs.len() - 1));
    let others: Vec<&Path> = runs[1..].iter().map(|r| r.dir.as_path()).collect();
    let artifacts =
        compare::compare_runs(paths, &runs[0].dir, &others, tolerances, volatile, &|k| {
            shown.add(k)
        });
    shown.done();
    let others = u64::try_from(others.len()).unwrap_or(1);
    timing.compared_files = u64::try_from(artifacts.len()).unwrap_or(u64::MAX);
    timing.compared_bytes = artifacts.iter().map(|a| a.size_a + others * a.size_b).sum();
    timing.slowest_run_seconds = runs.iter().map(|r| r.wall_seconds).fold(0.0, f64::max);
    let hashed = timing::since(started);
    if hashed > 0.0 {
        timing.compare_gb_per_second = timing.compared_bytes as f64 / 1e9 / hashed;
    }
    artifacts
}

/// Each stage's verdict: the worst of the artifacts under its outputs (all
/// artifacts when it declares none).
fn stage_verdicts(plan: &Plan, artifacts: &[ArtifactResult]) -> Vec<StageVerdict> {
    plan.stages
        .iter()
        .map(|s| {
            let mine = artifacts.iter().filter(|a| {
                s.outs.is_empty()
                    || s.outs.iter().any(|o| {
                        a.path == *o || a.path.starts_with(&format!("{}/", o.trim_end_matches('/')))
                    })
            });
            let v = mine.map(|a| a.verdict).max().unwrap_or(Verdict::BitExact);
            StageVerdict {
                name: s.name.clone(),
                verdict: overall(v),
            }
        })
        .collect()
}

/// The seed probes, then the config probes, one at a time.
fn run_probes(cx: &probes::Context<'_>, progress: &progress::Progress<'_>) -> Vec<Probe> {
    let mut todo: Vec<(&'static str, Param)> = Vec::new();
    todo.extend(cx.plan.seeds.iter().cloned().map(|p| ("seed", p)));
    todo.extend(cx.plan.params.iter().cloned().map(|p| ("config", p)));
    let shown = progress.steps("probes", todo.len());
    let mut done = Vec::with_capacity(todo.len());
    for (i, (kind, param)) in todo.into_iter().enumerate() {
        progress.step(&shown, &format!("probe: changing {} ({kind})", param.name));
        done.push(probes::probe(kind, &param, 100 + i, cx));
    }
    shown.done();
    done
}

/// `--vary`: the pipeline once per variation, each compared with run 0.
fn vary(cx: &probes::Context<'_>, progress: &progress::Progress<'_>) -> Vec<Variation> {
    let all = variations(cx.base);
    let shown = progress.steps("vary", all.len());
    let mut done = Vec::with_capacity(all.len());
    for (i, (name, env)) in all.into_iter().enumerate() {
        progress.step(&shown, &format!("vary: {name}"));
        let r = run::run(
            200 + i,
            &cx.plan.stages,
            cx.spec,
            cx.base,
            Some((&name, env)),
            &|_| Ok(()),
        );
        done.push(match r {
            Ok(r) if r.succeeded() => {
                let changed = changed_artifacts(cx.reference, &r, cx.paths, cx.tol, cx.volatile);
                Variation {
                    name,
                    outputs_changed: !changed.is_empty(),
                    evidence: if changed.is_empty() {
                        "outputs repeat".into()
                    } else {
                        format!("changed: {}", changed.join(", "))
                    },
                }
            }
            Ok(r) => Variation {
                name,
                outputs_changed: true,
                evidence: format!("the run failed (exit {:?})", r.exit_code),
            },
            Err(e) => Variation {
                name,
                outputs_changed: true,
                evidence: format!("could not run: {e}"),
            },
        });
    }
    shown.done();
    done
}

/// Kills what the runs of one verify call left running, when dropped.
struct Sweep<'a>(&'a str);

impl Drop for Sweep<'_> {
    fn drop(&mut self) {
        interrupt::kill_marked(&interrupt::Scope::Session(self.0));
    }
}

fn overall(v: Verdict) -> Overall {
    match v {
        Verdict::BitExact => Overall::BitExact,
        Verdict::WithinTolerance => Overall::WithinTolerance,
        Verdict::Differs => Overall::Differs,
    }
}

pub(crate) fn changed_artifacts(
    reference: &RunResult,
    other: &RunResult,
    paths: &[String],
    tol: &Tolerances,
    volatile: &[String],
) -> Vec<String> {
    let mut all: Vec<String> = paths.to_vec();
    if paths.is_empty() {
        let mut seen = std::collections::HashSet::new();
        for p in other.changed.iter().filter(|p| !collect::excluded(p)) {
            if seen.insert(p) {
                all.push(p.clone());
            }
        }
    }
    let pairs: Vec<(String, PathBuf, PathBuf)> = all
        .iter()
        .map(|p| (p.clone(), reference.dir.join(p), other.dir.join(p)))
        .collect();
    compare::compare_all(&pairs, tol, volatile)
        .into_iter()
        .filter(|a| a.verdict == Verdict::Differs)
        .map(|a| a.path)
        .collect()
}

/// reprotest's method: one change at a time, each named.
fn variations(base: &Path) -> Vec<(String, Vec<(String, String)>)> {
    let home = base.join("other-home");
    let _ = std::fs::create_dir_all(&home);
    let s = |k: &str, v: &str| (k.to_string(), v.to_string());
    vec![
        ("cwd: another absolute path".into(), vec![]),
        (
            "TZ=Pacific/Chatham".into(),
            vec![s("TZ", "Pacific/Chatham")],
        ),
        (
            "LANG/LC_ALL=fr_FR.UTF-8".into(),
            vec![s("LANG", "fr_FR.UTF-8"), s("LC_ALL", "fr_FR.UTF-8")],
        ),
        (
            "PYTHONHASHSEED=12345".into(),
            vec![s("PYTHONHASHSEED", "12345")],
        ),
        (
            "threads=1 (OMP/MKL/OPENBLAS)".into(),
            vec![
                s("OMP_NUM_THREADS", "1"),
                s("MKL_NUM_THREADS", "1"),
                s("OPENBLAS_NUM_THREADS", "1"),
            ],
        ),
        (
            "HOME=another folder".into(),
            vec![s("HOME", &home.display().to_string())],
        ),
    ]
}

/// Tolerances from the project's settings, then the command line. A value
/// that is not a finite number ≥ 0 is an input error naming the key.
fn tolerances(
    settings: &ProjectConfig,
    cli: Option<compare::Tol>,
) -> Result<Tolerances, VerifyError> {
    let mut t = Tolerances::default();
    if let Some(table) = &settings.tolerances {
        let file = settings.source.as_deref().unwrap_or("reproscale settings");
        let bad = |key: String, v: &toml::Value| -> Option<VerifyError> {
            let n = v.as_float().or_else(|| v.as_integer().map(|i| i as f64))?;
            (!(n.is_finite() && n >= 0.0)).then(|| {
                invalid(
                    file,
                    format!("tolerances: {key} = {n} is not a tolerance: give a finite number ≥ 0"),
                )
            })
        };
        for (k, v) in table {
            match v.as_table() {
                Some(tab) => {
                    for (k2, v2) in tab {
                        if let Some(e) = bad(format!("{k}.{k2}"), v2) {
                            return Err(e);
                        }
                    }
                }
                None => {
                    if let Some(e) = bad(k.clone(), v) {
                        return Err(e);
                    }
                }
            }
        }
        let tol_of = |v: &toml::Value| -> Option<compare::Tol> {
            let tab = v.as_table()?;
            let num = |k: &str| {
                tab.get(k)
                    .and_then(|x| x.as_float().or_else(|| x.as_integer().map(|i| i as f64)))
            };
            Some(compare::Tol {
                rtol: num("rtol").unwrap_or(0.0),
                atol: num("atol").unwrap_or(0.0),
            })
        };
        let num = |k: &str| {
            table
                .get(k)
                .and_then(|x| x.as_float().or_else(|| x.as_integer().map(|i| i as f64)))
        };
        if let (Some(rtol), Some(atol)) = (num("rtol"), num("atol")) {
            t.global = Some(compare::Tol { rtol, atol });
        }
        // `float32 = { rtol, atol }` sets a dtype's default; any other key is a glob on artifact paths.
        for (k, v) in table {
            let Some(tol) = tol_of(v) else { continue };
            match k.as_str() {
                "float16" | "f16" => t.f16 = tol,
                "bfloat16" | "bf16" => t.bf16 = tol,
                "float32" | "f32" => t.f32 = tol,
                "float64" | "f64" => t.f64 = tol,
                "int" | "integer" => t.int = tol,
                _ => t.overrides.push((k.clone(), tol)),
            }
        }
    }
    if cli.is_some() {
        t.global = cli;
    }
    Ok(t)
}
