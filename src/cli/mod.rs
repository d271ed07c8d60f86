//! Command-line interface: clap definitions, turned into calls of the library.
//! The library never sees clap types.

use std::io::{self, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use reproscale::criteria::catalog::{self, STAGE_TITLES};
use reproscale::lint;
use reproscale::render;
use reproscale::source::{self, Input};

/// Exit codes (SPEC §4).
pub mod exit {
    /// Success.
    pub const OK: i32 = 0;
    /// Below `--min-stars`.
    pub const BELOW: i32 = 1;
    /// Usage or input error.
    pub const USAGE: i32 = 2;
    /// Internal or environment error.
    pub const INTERNAL: i32 = 3;
}

/// An error carrying the exit code it maps to.
#[derive(Debug)]
pub struct Failure {
    /// Exit code.
    pub code: i32,
    /// One-line message.
    pub message: String,
}

#[derive(Parser)]
#[command(
    name = "reproscale",
    version,
    about = "Rate how reproducible an ML project is on the five-star ML Reproducibility Scale",
    long_about = "Rate how reproducible an ML project is on the five-star ML Reproducibility Scale \
(Code, Configuration, Data, Environment, Evaluation).\n\nWith no subcommand, `reproscale [PATH]` runs `assess`.",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    assess: AssessArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Static assessment of a project (the default command).
    Assess(AssessArgs),
    /// List the criteria of the scale.
    Criteria {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Explain a criterion (`2.2`, `seeds-in-config`) or a rule (`unseeded-rng`).
    Explain {
        /// Criterion id or slug, or rule id.
        id: String,
    },
}

#[derive(Args, Clone)]
struct AssessArgs {
    /// Project folder, git repository, or git URL (https://, file://) [default: .]
    path: Option<String>,
    /// Assess this commit, read from the object database (works on bare repositories).
    #[arg(long, value_name = "REV")]
    rev: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Exit 1 when the project has fewer stars than this.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=5))]
    min_stars: Option<u8>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Human-readable report (colour on a terminal).
    Text,
    /// The schema_version 1 JSON contract.
    Json,
    /// A summary fit for a pull-request comment.
    Markdown,
    /// SARIF 2.1.0 for code-scanning tools.
    Sarif,
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Text,
    Json,
}

/// Parses arguments and runs; returns the exit code.
pub fn run() -> Result<i32, Failure> {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = e.print();
            return Ok(code);
        }
    };
    match cli.command {
        None => assess(cli.assess),
        Some(Command::Assess(a)) => assess(a),
        Some(Command::Criteria { format }) => criteria(format),
        Some(Command::Explain { id }) => explain(&id),
    }
}

fn input_of(args: &AssessArgs) -> Input {
    let path = args.path.clone().unwrap_or_else(|| ".".into());
    if source::is_git_url(&path) {
        Input::Url {
            url: path,
            rev: args.rev.clone(),
        }
    } else {
        match &args.rev {
            Some(rev) => Input::Revision {
                path: PathBuf::from(path),
                rev: rev.clone(),
            },
            None => Input::Directory(PathBuf::from(path)),
        }
    }
}

fn assess(args: AssessArgs) -> Result<i32, Failure> {
    let input = input_of(&args);
    let report = reproscale::assess(&input).map_err(|e| Failure {
        code: exit::USAGE,
        message: e.to_string(),
    })?;
    let text = match args.format {
        Format::Text => render::text::render(&report),
        Format::Json => render::json::render(&report),
        Format::Markdown => render::markdown::render(&report),
        Format::Sarif => render::sarif::render(&report),
    };
    emit(&text)?;
    Ok(match args.min_stars {
        Some(min) if report.stars < min => exit::BELOW,
        _ => exit::OK,
    })
}

fn criteria(format: ListFormat) -> Result<i32, Failure> {
    let text = match format {
        ListFormat::Json => {
            let items: Vec<_> = catalog::CRITERIA
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "id": c.id, "slug": c.slug, "stage": c.stage,
                        "stage_name": catalog::STAGE_NAMES[usize::from(c.stage - 1)], "title": c.title,
                    })
                })
                .collect();
            let mut s = serde_json::to_string_pretty(&items).unwrap_or_default();
            s.push('\n');
            s
        }
        ListFormat::Text => {
            let mut s = String::new();
            for (i, title) in STAGE_TITLES.iter().enumerate() {
                s.push_str(&format!("Stage {} — {title}\n", i + 1));
                for c in catalog::CRITERIA
                    .iter()
                    .filter(|c| usize::from(c.stage) == i + 1)
                {
                    s.push_str(&format!("  {}  {:<20} {}\n", c.id, c.slug, c.title));
                }
            }
            s
        }
    };
    emit(&text)?;
    Ok(exit::OK)
}

fn explain(id: &str) -> Result<i32, Failure> {
    let text = if let Some(c) = catalog::find(id) {
        format!(
            "{} {} — {}\nStage {}: {}\n\nWhat it means\n  {}\n\nWhy it matters\n  {}\n\nHow reproscale detects it\n  {}\n\nHow to fix it\n  {}\n",
            c.id,
            c.slug,
            c.title,
            c.stage,
            STAGE_TITLES[usize::from(c.stage - 1)],
            c.meets,
            c.why,
            c.detection,
            c.fix
        )
    } else if let Some(r) = lint::find(id) {
        let effect = match r.effect {
            lint::Effect::Fail => "fails",
            lint::Effect::Partial => "makes partial",
        };
        format!(
            "{} — rule (on the run path it {} criterion {})\n\nWhat it finds\n  {}\n\nWhy it is a problem\n  {}\n\nHow to fix it\n  {}\n",
            r.id, effect, r.criterion, r.what, r.why, r.fix
        )
    } else {
        let known: Vec<&str> = catalog::CRITERIA
            .iter()
            .map(|c| c.slug)
            .chain(lint::RULES.iter().map(|r| r.id))
            .collect();
        let hint = reproscale::suggest::closest(id, &known)
            .map(|k| format!(" (did you mean '{k}'?)"))
            .unwrap_or_default();
        return Err(Failure {
            code: exit::USAGE,
            message: format!(
                "unknown criterion or rule '{id}'{hint}; `reproscale criteria` lists them"
            ),
        });
    };
    emit(&text)?;
    Ok(exit::OK)
}

/// Writes to stdout; a closed pipe (`| head`) is a clean exit.
fn emit(text: &str) -> Result<(), Failure> {
    let mut out = anstream::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure {
            code: exit::INTERNAL,
            message: format!("cannot write output: {e}"),
        }),
    }
}
