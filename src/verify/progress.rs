//! verify's progress, on stderr only: bars when the caller asks for them
//! (the CLI does when stderr is a terminal), else one plain line per event
//! handed to the caller's callback, as before bars existed.
//!
//! Bars: the fresh environment's install (a spinner), the identical runs
//! (a bar over the runs, a spinner per run naming its stages), the
//! comparison (a bar over the files compared), probes and variations (a bar
//! each). Finished bars stay as one summary line each.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::run::RunResult;

/// The caller's line callback.
pub type Line<'a> = &'a (dyn Fn(&str) + Sync);

/// Where progress goes.
pub struct Progress<'a> {
    line: Line<'a>,
    bars: Option<MultiProgress>,
}

const TICK: Duration = Duration::from_millis(120);

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

fn spinner_style() -> ProgressStyle {
    style("{spinner} {msg} ({elapsed})").tick_chars("|/-\\ ")
}

fn bar_style() -> ProgressStyle {
    style("{prefix} [{bar:30}] {pos}/{len} {msg} ({elapsed})")
}

/// Ends a spinner with `msg` alone on its line.
fn finish(b: &ProgressBar, msg: String) {
    b.set_style(style("  {msg}"));
    b.finish_with_message(msg);
}

impl<'a> Progress<'a> {
    /// Plain lines to `line`; bars on stderr instead when `bars` is set and
    /// stderr is a terminal.
    pub fn new(line: Line<'a>, bars: bool) -> Progress<'a> {
        let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
        let bars =
            (bars && tty).then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        Progress { line, bars }
    }

    /// Whether bars are drawn.
    pub fn drawing(&self) -> bool {
        self.bars.is_some()
    }

    fn spinner(&self, msg: String) -> Option<ProgressBar> {
        let m = self.bars.as_ref()?;
        let b = m.add(ProgressBar::new_spinner());
        b.set_style(spinner_style());
        b.set_message(msg);
        b.enable_steady_tick(TICK);
        Some(b)
    }

    fn bar(&self, prefix: &str, len: usize) -> Option<ProgressBar> {
        let m = self.bars.as_ref()?;
        let b = m.add(ProgressBar::new(u64::try_from(len).unwrap_or(u64::MAX)));
        b.set_style(bar_style());
        b.set_prefix(prefix.to_string());
        b.enable_steady_tick(TICK);
        Some(b)
    }

    /// `--fresh-env`: installing `n` declared packages.
    pub fn fresh_env(&self, n: usize, offline: bool) -> Task {
        let how = if offline {
            "all local files: no package index, no network"
        } else {
            "network allowed for this step only"
        };
        let text = format!("fresh environment: {n} declared package(s), installed or reused from the cache ({how})");
        match self.spinner(text.clone()) {
            Some(b) => Task(Some(b)),
            None => {
                (self.line)(&text);
                Task(None)
            }
        }
    }

    /// `n` identical runs of the plan from `source`, with these stages.
    pub fn runs(&self, n: usize, source: &str, stages: &[String]) -> Runs<'_, 'a> {
        let total = self.bar("runs", n);
        Runs {
            progress: self,
            n,
            source: source.to_string(),
            stages: stages.join(" → "),
            spinners: std::sync::Mutex::new(vec![None; n]),
            total,
        }
    }

    /// Comparing `artifacts` across `runs`, `files` pairs in all.
    pub fn compare(&self, artifacts: usize, runs: usize, files: usize) -> Counter {
        match self.bar("compare", files) {
            Some(b) => {
                b.set_message(format!(
                    "file pairs: {artifacts} artifact(s) across {runs} runs"
                ));
                Counter::new(Some(b))
            }
            None => {
                (self.line)(&format!(
                    "comparing {artifacts} artifact(s) across {runs} runs"
                ));
                Counter::new(None)
            }
        }
    }

    /// A bar over `len` steps named `prefix` (`probes`, `vary`); each step
    /// is announced with [`Progress::step`].
    pub fn steps(&self, prefix: &str, len: usize) -> Counter {
        Counter::new(if len == 0 {
            None
        } else {
            self.bar(prefix, len)
        })
    }

    /// A step of a [`Progress::steps`] counter begins (the one before it is
    /// over): `line` is the plain line.
    pub fn step(&self, counter: &Counter, line: &str) {
        match &counter.bar {
            Some(b) => {
                if counter.stepping.swap(true, Ordering::SeqCst) {
                    b.inc(1);
                }
                b.set_message(line.to_string());
            }
            None => (self.line)(line),
        }
    }
}

/// A spinner that ends with a summary line.
pub struct Task(Option<ProgressBar>);

impl Task {
    /// Ends with `summary` (kept on screen), or clears when `None`.
    pub fn done(self, summary: Option<String>) {
        if let Some(b) = self.0 {
            match summary {
                Some(s) => finish(&b, s),
                None => b.finish_and_clear(),
            }
        }
    }
}

/// A bar counting files or steps.
pub struct Counter {
    bar: Option<ProgressBar>,
    /// A step announced with [`Progress::step`] is under way.
    stepping: AtomicBool,
}

impl Counter {
    fn new(bar: Option<ProgressBar>) -> Counter {
        Counter {
            bar,
            stepping: AtomicBool::new(false),
        }
    }

    /// `k` more done.
    pub fn add(&self, k: usize) {
        if let Some(b) = &self.bar {
            b.inc(u64::try_from(k).unwrap_or(u64::MAX));
        }
    }

    /// Ends the bar (kept on screen, with the last step counted).
    pub fn done(self) {
        if let Some(b) = self.bar {
            if self.stepping.load(Ordering::SeqCst) {
                b.inc(1);
            }
            b.finish();
        }
    }
}

/// The identical runs: a bar over them and a spinner per run under way.
pub struct Runs<'p, 'a> {
    progress: &'p Progress<'a>,
    n: usize,
    source: String,
    stages: String,
    spinners: std::sync::Mutex<Vec<Option<ProgressBar>>>,
    total: Option<ProgressBar>,
}

impl Runs<'_, '_> {
    /// Run `i` (0-based) started.
    pub fn start(&self, i: usize) {
        let n = self.n;
        match self
            .progress
            .spinner(format!("run {}/{n}: {}", i + 1, self.stages))
        {
            Some(b) => {
                if let Ok(mut s) = self.spinners.lock() {
                    if let Some(slot) = s.get_mut(i) {
                        *slot = Some(b);
                    }
                }
            }
            None => (self.progress.line)(&format!("run {}/{n}: started ({})", i + 1, self.source)),
        }
    }

    /// Run `i` ended with `r`.
    pub fn finish(&self, i: usize, r: &Result<RunResult, String>) {
        let n = self.n;
        let text = match r {
            Ok(r) => format!(
                "run {}/{n}: {} in {:.1} s",
                i + 1,
                if r.succeeded() { "finished" } else { "failed" },
                r.wall_seconds
            ),
            Err(e) => format!("run {}/{n}: could not start: {e}", i + 1),
        };
        let spinner = self
            .spinners
            .lock()
            .ok()
            .and_then(|mut s| s.get_mut(i).and_then(Option::take));
        match spinner {
            Some(b) => {
                let stages = match r {
                    Ok(r) if r.succeeded() => format!(" ({} stage(s))", r.stages.len()),
                    Ok(r) => r
                        .stages
                        .last()
                        .map(|s| format!(" (at stage `{}`)", s.name))
                        .unwrap_or_default(),
                    Err(_) => String::new(),
                };
                finish(&b, format!("{text}{stages}"));
                if let Some(t) = &self.total {
                    t.inc(1);
                }
            }
            None => (self.progress.line)(&text),
        }
    }

    /// All runs are over.
    pub fn done(self) {
        if let Some(t) = self.total {
            t.finish();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Without bars (tests never have a terminal on stderr, and here bars
    /// are not asked for) every event is the plain line it always was.
    #[test]
    fn plain_lines_without_bars() {
        let lines = Mutex::new(Vec::<String>::new());
        let sink = |l: &str| lines.lock().expect("lock").push(l.to_string());
        let p = Progress::new(&sink, false);
        assert!(!p.drawing());
        p.fresh_env(2, true).done(Some("ready".into()));
        let runs = p.runs(2, "dvc.yaml", &["split".into(), "train".into()]);
        runs.start(0);
        runs.finish(0, &Err("no space".into()));
        runs.done();
        let c = p.compare(3, 2, 5);
        c.add(5);
        c.done();
        let probes = p.steps("probes", 1);
        p.step(&probes, "probe: changing seed (seed)");
        probes.done();
        let lines = lines.into_inner().expect("lock");
        assert_eq!(
            lines,
            [
                "fresh environment: 2 declared package(s), installed or reused from the cache (all local files: no package index, no network)",
                "run 1/2: started (dvc.yaml)",
                "run 1/2: could not start: no space",
                "comparing 3 artifact(s) across 2 runs",
                "probe: changing seed (seed)",
            ]
        );
    }
}
