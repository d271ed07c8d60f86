//! reproscale rates how reproducible a machine-learning project is on the
//! five-star ML Reproducibility Scale (Code, Configuration, Data,
//! Environment, Evaluation).
//!
//! Data flows one way: [`source`] enumerates the project's files,
//! [`facts`] parses them once, [`lint`] runs rules over the facts,
//! [`criteria`] turns facts and findings into outcomes, [`assessment`] folds
//! outcomes into stages and stars, and [`render`] writes them out.

#![deny(missing_docs)]

/// `eprintln!` that never panics: a closed or full stderr (`2>/dev/full`, `2>&1 | head`)
/// must not turn a finished run into a crash, so write errors are dropped.
#[macro_export]
macro_rules! note {
    () => {{
        use ::std::io::Write as _;
        let _ = ::std::io::stderr().write_all(b"\n");
    }};
    ($($arg:tt)*) => {{
        use ::std::io::Write as _;
        let _ = ::std::writeln!(::std::io::stderr(), $($arg)*);
    }};
}

pub mod assessment;
pub mod clock;
pub mod criteria;
pub mod facts;
pub mod lint;
pub mod project_config;
pub mod rank;
pub mod render;
pub mod report;
pub mod schema;
pub mod serve;
pub mod source;
pub mod suggest;
pub mod verify;

use serde::Serialize;

use assessment::{Basis, CriterionResult, StageResult};
use lint::Finding;
use project_config::{ConfigError, ProjectConfig};
use source::{Project, Skipped, SourceError};

/// Why a project could not be assessed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The project could not be read.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The project's reproscale settings are invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// The tool's name and version, as every output reports them.
pub const TOOL_NAME: &str = "reproscale";
/// The tool version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Where the assessed project came from.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ProjectInfo {
    /// The path or URL as given.
    pub path: String,
    /// The commit, when the project is in git.
    pub commit: Option<String>,
    /// Uncommitted changes to tracked files (`null` when unknown or not in git).
    pub dirty: Option<bool>,
}

/// A complete static assessment.
#[derive(Debug, Clone)]
pub struct Report {
    /// The project.
    pub project: ProjectInfo,
    /// Stars (consecutive passing stages).
    pub stars: u8,
    /// Basis of the headline.
    pub basis: Basis,
    /// Per-stage progress.
    pub stages: Vec<StageResult>,
    /// Every criterion.
    pub criteria: Vec<CriterionResult>,
    /// Every rule finding (on and off the run path).
    pub findings: Vec<Finding>,
    /// Files left out, with reasons.
    pub skipped: Vec<Skipped>,
    /// Files considered.
    pub files_seen: usize,
    /// Entry points followed.
    pub entry_points: Vec<String>,
}

/// Reads and assesses a project, honouring its `[tool.reproscale]` settings.
pub fn assess(input: &source::Input) -> Result<Report, Error> {
    let (mut project, settings) = read_project(input)?;
    settings.apply_excludes(&mut project)?;
    Ok(assess_project(project, &settings))
}

/// Reads a project and its `[tool.reproscale]` settings, the one way
/// `assess` and `verify` both do it. The settings' excludes are not applied
/// yet: verify copies every file, and assesses only those left after them.
pub fn read_project(input: &source::Input) -> Result<(Project, ProjectConfig), Error> {
    let project = source::read(input, &facts::wants)?;
    let settings = ProjectConfig::from_project(&project)?;
    Ok((project, settings))
}

/// Assesses a project already read.
pub fn assess_project(project: Project, settings: &ProjectConfig) -> Report {
    let info = ProjectInfo {
        path: project.display.clone(),
        commit: project.commit.clone(),
        dirty: project.dirty,
    };
    let files_seen = project.files.len();
    let timing = std::env::var_os("REPROSCALE_TIMING").is_some();
    let t = std::time::Instant::now();
    let facts = facts::extract(project);
    if timing {
        crate::note!("facts: {:?}", t.elapsed());
    }
    let ctx = lint::Context::new(&facts);
    if timing {
        crate::note!("context: {:?}", t.elapsed());
    }
    let findings = lint::run(&ctx);
    if timing {
        crate::note!("lint: {:?}", t.elapsed());
    }
    let criteria = criteria::evaluate(&ctx, &findings, &settings.overrides);
    if timing {
        crate::note!("criteria: {:?}", t.elapsed());
    }
    let stages = assessment::stages(&criteria);
    let report = Report {
        project: info,
        stars: assessment::stars(&stages),
        basis: Basis::Static,
        stages,
        criteria,
        findings,
        skipped: facts.skipped.clone(),
        files_seen,
        entry_points: facts
            .run_path
            .entry_points
            .iter()
            .map(|e| e.path.clone())
            .collect(),
    };
    drop(ctx);
    // Freeing a large project's facts is millions of small frees; the report
    // does not need to wait for them.
    std::thread::spawn(move || drop(facts));
    report
}
