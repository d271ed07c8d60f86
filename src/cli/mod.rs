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
    /// Write REPRODUCIBILITY.md at the project root, or --check an existing one.
    Report(ReportArgs),
    /// Write an SVG badge of the stars, or --check-readme that the README's badge is current.
    Badge(BadgeArgs),
    /// Re-run the project in isolated copies and compare what the runs write.
    Verify(VerifyArgs),
    /// Assess many projects, store the results, print a leaderboard.
    Rank(RankCmd),
    /// Print the JSON Schema of a JSON output: assess, verify, report-check or rank.
    Schema {
        /// Which output: assess, verify, report-check or rank.
        name: String,
    },
    /// Serve a web dashboard over stored results.
    Serve {
        /// The results database (SQLite file or postgres:// URL).
        #[arg(long, default_value = "reproscale.db")]
        db: String,
        /// Address to listen on (loopback by default).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Close a connection that takes longer than this to send a request's
        /// headers, or idles this long between requests (seconds, at most 3600)
        /// [default: $REPROSCALE_SERVE_HEADER_TIMEOUT, else 10].
        #[arg(long, value_name = "SECS", value_parser = header_timeout)]
        header_timeout: Option<std::time::Duration>,
    },
}

fn header_timeout(text: &str) -> Result<std::time::Duration, String> {
    reproscale::serve::parse_timeout(text).ok_or_else(|| {
        format!("expected a number of seconds above 0 and at most 3600, not `{text}`")
    })
}

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
struct RankCmd {
    #[command(subcommand)]
    action: Option<RankAction>,
    #[command(flatten)]
    run: RankArgs,
}

#[derive(Subcommand)]
enum RankAction {
    /// Show the stored leaderboard without assessing anything.
    List {
        #[command(flatten)]
        view: ViewArgs,
    },
    /// Merge shard databases into one.
    Merge {
        /// Databases to read.
        #[arg(required = true)]
        inputs: Vec<String>,
        /// Database to write into.
        #[arg(long)]
        into: String,
    },
}

#[derive(Args)]
struct ViewArgs {
    /// The results database (SQLite file or postgres:// URL).
    #[arg(long, default_value = "reproscale.db")]
    db: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = BoardFormat::Table)]
    format: BoardFormat,
    /// Only projects with at least N stars.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=5))]
    min_stars: Option<u8>,
    /// Only projects where a criterion has a status, e.g. `2.2=pass` (repeatable).
    #[arg(long, value_name = "ID=STATUS")]
    criterion: Vec<String>,
    /// Only projects where a stage passed or failed, e.g. `3=passed` (repeatable).
    #[arg(long, value_name = "N=passed|failed")]
    stage: Vec<String>,
    /// Sort order.
    #[arg(long, value_enum, default_value_t = SortBy::Stars)]
    sort: SortBy,
    /// Show at most N rows.
    #[arg(long)]
    limit: Option<usize>,
    /// Include projects that could not be assessed.
    #[arg(long)]
    errors: bool,
}

#[derive(Args)]
struct RankArgs {
    /// Project folders and git URLs.
    sources: Vec<String>,
    /// Read sources from a file, one per line (`#` comments).
    #[arg(long, value_name = "FILE")]
    from: Option<PathBuf>,
    /// Rank each immediate subfolder that is a git repository or a project.
    #[arg(long, value_name = "DIR")]
    scan: Option<PathBuf>,
    /// Projects assessed at once [default: the number of cores].
    #[arg(long)]
    jobs: Option<usize>,
    /// Clones at once.
    #[arg(long, default_value_t = 4)]
    clone_jobs: usize,
    /// Seconds one project may take (clone and assessment).
    #[arg(long, default_value_t = 600)]
    timeout: u64,
    /// Assess again even when this commit was assessed by this version.
    #[arg(long)]
    refresh: bool,
    /// Assess only slice K of N (K from 0), e.g. `--shard 2/8`.
    #[arg(long, value_name = "K/N")]
    shard: Option<String>,
    /// Number of shards when the index comes from JOB_COMPLETION_INDEX (Kubernetes Indexed Job).
    #[arg(long, value_name = "N")]
    shards: Option<u64>,
    #[command(flatten)]
    view: ViewArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum BoardFormat {
    Table,
    Json,
    Csv,
    Markdown,
}

#[derive(Clone, Copy, ValueEnum)]
enum SortBy {
    Stars,
    Name,
    Date,
    Duration,
}

#[derive(Args)]
struct VerifyArgs {
    /// Project folder [default: .]
    path: Option<PathBuf>,
    /// The command to run (default: the project's `run` setting, else its declared pipeline).
    #[arg(long)]
    cmd: Option<String>,
    /// Identical runs to compare.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(2..=16))]
    runs: u64,
    /// Runs at once.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=16))]
    jobs: u64,
    /// Seconds each stage may run before its process group is killed.
    #[arg(long, default_value_t = 1800)]
    timeout: u64,
    /// Keep the runs' logs in this folder.
    #[arg(long, value_name = "DIR")]
    keep: Option<PathBuf>,
    /// The Python interpreter to run with (put first on PATH).
    #[arg(long, value_name = "PATH")]
    python: Option<PathBuf>,
    /// Run without the bwrap sandbox (read-only root, private HOME and /tmp): for
    /// pipelines that must write outside their copy, e.g. to a shared cache.
    #[arg(long)]
    no_sandbox: bool,
    /// Allow the runs to use the network.
    #[arg(long)]
    network: bool,
    /// Skip the seed and config probes.
    #[arg(long)]
    no_probes: bool,
    /// Also vary the environment (path, TZ, locale, PYTHONHASHSEED, threads, HOME), one change per run.
    #[arg(long)]
    vary: bool,
    /// Show the plan without running anything.
    #[arg(long)]
    dry_run: bool,
    /// Run this Makefile target or dvc stage (with the stages it depends on) instead of the best-ranked command.
    #[arg(long, value_name = "NAME", conflicts_with = "cmd")]
    target: Option<String>,
    /// Copy the inputs in from this folder (same relative paths) before running, e.g. DVC- or LFS-tracked data.
    #[arg(long, value_name = "DIR")]
    with_data: Option<PathBuf>,
    /// Run in a new virtual environment holding only the declared packages
    /// (uv, else python3 -m venv + pip; installing from the index needs the
    /// network, local wheels and folders do not).
    #[arg(long)]
    fresh_env: bool,
    /// With --fresh-env: make the environment anew in the run's temporary
    /// folder instead of reusing one cached (by a hash of the declared
    /// packages, local files and interpreter) under
    /// $REPROSCALE_CACHE_DIR, $XDG_CACHE_HOME/reproscale or ~/.cache/reproscale.
    #[arg(long, requires = "fresh_env")]
    no_env_cache: bool,
    /// Relative tolerance for every artifact (with --atol).
    #[arg(long, requires = "atol")]
    rtol: Option<f64>,
    /// Absolute tolerance for every artifact (with --rtol).
    #[arg(long, requires = "rtol")]
    atol: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    format: ListFormat,
}

#[derive(Args)]
struct ReportArgs {
    /// Project folder [default: .]
    path: Option<PathBuf>,
    /// Check the existing file against the evidence instead of writing (exit 1 when out of date).
    #[arg(long, conflicts_with_all = ["update", "force", "stdout"])]
    check: bool,
    /// Tick and fill a REPRODUCIBILITY.md that reproscale did not write, keeping its wording.
    #[arg(long, conflicts_with = "force")]
    update: bool,
    /// Replace an existing REPRODUCIBILITY.md entirely.
    #[arg(long)]
    force: bool,
    /// Print the report instead of writing it.
    #[arg(long)]
    stdout: bool,
    /// Re-run the project first (`verify`), so the report shows verified stars.
    #[arg(long)]
    verify: bool,
    /// With --verify: run in a new virtual environment holding only the declared
    /// packages, as `verify --fresh-env` does.
    #[arg(long, requires = "verify")]
    fresh_env: bool,
    /// Output format of --check.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    format: ListFormat,
}

#[derive(Args)]
struct BadgeArgs {
    /// Project folder [default: .]
    path: Option<PathBuf>,
    /// Write the SVG to this file (default, or `-`: standard output).
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit 1 when the README's reproducibility badge disagrees with the current stars.
    #[arg(long, conflicts_with = "output")]
    check_readme: bool,
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
    /// Also run `verify` (two runs, probes) and upgrade 1.1, 1.3, 2.3 and 2.4 to verified.
    #[arg(long)]
    verify: bool,
    /// With --verify: run in a new virtual environment holding only the declared
    /// packages, as `verify --fresh-env` does (4.1 is then checked by the runs too).
    #[arg(long, requires = "verify")]
    fresh_env: bool,
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
        Err(e) if !e.use_stderr() => {
            // --help and --version
            let _ = e.print();
            return Ok(exit::OK);
        }
        // SPEC: one line per error. clap's first line names the problem; its usage
        // block and tips are what --help is for.
        Err(e) => {
            let text = e.to_string();
            let mut lines = text.lines().map(str::trim).skip_while(|l| l.is_empty());
            let first = lines.next().unwrap_or("invalid arguments");
            let first = first.strip_prefix("error: ").unwrap_or(first);
            // "the following required arguments were not provided:" names them on the next lines.
            let first = if first.ends_with(':') {
                let named: Vec<&str> = lines.take_while(|l| !l.is_empty()).collect();
                format!("{first} {}", named.join(", "))
            } else {
                first.to_string()
            };
            return Err(usage(format!("{first} (see `reproscale --help`)")));
        }
    };
    match cli.command {
        None => assess(cli.assess),
        Some(Command::Assess(a)) => assess(a),
        Some(Command::Criteria { format }) => criteria(format),
        Some(Command::Explain { id }) => explain(&id),
        Some(Command::Report(a)) => report_cmd(a),
        Some(Command::Badge(a)) => badge_cmd(a),
        Some(Command::Verify(a)) => verify_cmd(a),
        Some(Command::Rank(r)) => rank_cmd(r),
        Some(Command::Schema { name }) => schema_cmd(&name),
        Some(Command::Serve {
            db,
            addr,
            header_timeout,
        }) => {
            let mut limits = reproscale::serve::Limits::from_env().map_err(usage)?;
            if let Some(t) = header_timeout {
                limits.header_timeout = t;
            }
            let rt = tokio::runtime::Runtime::new().map_err(|e| Failure {
                code: exit::INTERNAL,
                message: format!("cannot start the server runtime: {e}"),
            })?;
            rt.block_on(reproscale::serve::serve_with(db, addr, limits))
                .map_err(|e| match e.kind() {
                    io::ErrorKind::NotFound => usage(e.to_string()),
                    _ => Failure {
                        code: exit::INTERNAL,
                        message: format!("cannot serve on {addr}: {e}"),
                    },
                })?;
            Ok(exit::OK)
        }
    }
}

fn query_of(v: &ViewArgs) -> Result<reproscale::rank::store::Query, Failure> {
    use reproscale::rank::store::{Query, Sort};
    let mut criteria = Vec::new();
    for c in &v.criterion {
        let (id, status) = c.split_once('=').ok_or_else(|| {
            usage(format!(
                "--criterion takes ID=STATUS (e.g. 2.2=pass), not `{c}`"
            ))
        })?;
        let def = catalog::find(id)
            .ok_or_else(|| usage(format!("--criterion: unknown criterion `{id}`")))?;
        let status: reproscale::assessment::Status = status
            .parse()
            .map_err(|e| usage(format!("--criterion: {e}")))?;
        criteria.push((def.id, status));
    }
    let mut stages = Vec::new();
    for s in &v.stage {
        let (n, state) = s
            .split_once('=')
            .ok_or_else(|| usage(format!("--stage takes N=passed|failed, not `{s}`")))?;
        let n: u8 = n
            .parse()
            .ok()
            .filter(|n| (1..=5).contains(n))
            .ok_or_else(|| usage(format!("--stage: `{n}` is not a stage 1-5")))?;
        let passed = match state {
            "passed" | "pass" => true,
            "failed" | "fail" => false,
            other => return Err(usage(format!("--stage: `{other}` is not passed or failed"))),
        };
        stages.push((n, passed));
    }
    Ok(Query {
        min_stars: v.min_stars,
        criteria,
        stages,
        sort: match v.sort {
            SortBy::Stars => Sort::StarsDesc,
            SortBy::Name => Sort::Name,
            SortBy::Date => Sort::Date,
            SortBy::Duration => Sort::Duration,
        },
        limit: v.limit,
        include_errors: v.errors,
    })
}

fn print_board(
    v: &ViewArgs,
    store: &mut dyn reproscale::rank::store::Store,
) -> Result<(), Failure> {
    use reproscale::rank::render;
    let entries = store.leaderboard(&query_of(v)?).map_err(|e| Failure {
        code: exit::INTERNAL,
        message: e.to_string(),
    })?;
    let text = match v.format {
        BoardFormat::Table => render::table(&entries),
        BoardFormat::Json => render::json(&entries),
        BoardFormat::Csv => render::csv(&entries),
        BoardFormat::Markdown => render::markdown(&entries),
    };
    emit(&text)
}

fn open_store(db: &str) -> Result<Box<dyn reproscale::rank::store::Store>, Failure> {
    reproscale::rank::store::open(db).map_err(|e| Failure {
        code: exit::INTERNAL,
        message: e.to_string(),
    })
}

fn rank_cmd(r: RankCmd) -> Result<i32, Failure> {
    use reproscale::rank::{run, sources};
    match r.action {
        Some(RankAction::List { view }) => {
            query_of(&view)?;
            reproscale::rank::store::check_existing(&view.db).map_err(usage)?;
            let mut store = open_store(&view.db)?;
            print_board(&view, store.as_mut())?;
            return Ok(exit::OK);
        }
        Some(RankAction::Merge { inputs, into }) => {
            let n = reproscale::rank::store::merge(&inputs, &into).map_err(|e| match e {
                reproscale::rank::store::StoreError::Invalid(why) => usage(why),
                e => Failure {
                    code: exit::INTERNAL,
                    message: e.to_string(),
                },
            })?;
            reproscale::note!(
                "merged {n} record(s) from {} database(s) into {into}",
                inputs.len()
            );
            return Ok(exit::OK);
        }
        None => {}
    }
    let a = r.run;
    query_of(&a.view)?;
    let mut list: Vec<sources::Source> =
        a.sources.iter().map(|s| sources::Source::new(s)).collect();
    if let Some(f) = &a.from {
        list.extend(sources::from_file(f).map_err(usage)?);
    }
    if let Some(d) = &a.scan {
        list.extend(sources::scan(d).map_err(usage)?);
    }
    let mut seen = std::collections::HashSet::new();
    list.retain(|s| seen.insert(s.source.clone()));
    if list.is_empty() {
        return Err(usage("nothing to rank: give folders or URLs, --from FILE or --scan DIR (or `rank list` to show stored results)".into()));
    }
    let env = |k: &str| std::env::var(k).ok();
    if let Some((k, n)) = sources::shard(a.shard.as_deref(), a.shards, &env).map_err(usage)? {
        let before = list.len();
        list.retain(|s| sources::in_shard(&s.source, k, n));
        reproscale::note!(
            "reproscale: shard {k}/{n}: {} of {before} project(s)",
            list.len()
        );
    }
    let store = std::sync::Mutex::new(open_store(&a.view.db)?);
    let jobs = a.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    });
    let exe = std::env::current_exe().map_err(|e| Failure {
        code: exit::INTERNAL,
        message: format!("cannot find the reproscale binary: {e}"),
    })?;
    let opts = run::Options {
        jobs,
        clone_jobs: a.clone_jobs,
        timeout: std::time::Duration::from_secs(a.timeout.max(1)),
        refresh: a.refresh,
        exe,
    };
    let progress = run::Progress {
        total: list.len(),
        ..Default::default()
    };
    let start = std::time::Instant::now();
    let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let tick = |p: &run::Progress| {
        use std::sync::atomic::Ordering::SeqCst;
        let done = p.done.load(SeqCst);
        let rate = done as f64 / start.elapsed().as_secs_f64().max(1e-3);
        let eta = (p.total - done.min(p.total)) as f64 / rate.max(1e-3);
        let line = format!(
            "ranked {done}/{} ({} reused, {} errors) {rate:.1}/s ETA {eta:.0}s",
            p.total,
            p.reused.load(SeqCst),
            p.errors.load(SeqCst)
        );
        if tty {
            let _ = write!(std::io::stderr(), "\r{line}   ");
        } else if done == p.total || done % 25 == 0 {
            reproscale::note!("reproscale: {line}");
        }
    };
    run::rank(&list, &store, &opts, &progress, &tick).map_err(|e| Failure {
        code: exit::INTERNAL,
        message: e.to_string(),
    })?;
    if tty {
        reproscale::note!();
    }
    let mut store = store.into_inner().unwrap_or_else(|p| p.into_inner());
    print_board(&a.view, store.as_mut())?;
    Ok(exit::OK)
}

fn verify_options(a: &VerifyArgs) -> reproscale::verify::Options {
    reproscale::verify::Options {
        cmd: a.cmd.clone(),
        runs: usize::try_from(a.runs).unwrap_or(2),
        jobs: usize::try_from(a.jobs).unwrap_or(2),
        timeout: std::time::Duration::from_secs(a.timeout.max(1)),
        keep: a.keep.clone(),
        python: a.python.clone(),
        network: a.network,
        sandbox: !a.no_sandbox,
        probes: !a.no_probes,
        vary: a.vary,
        dry_run: a.dry_run,
        tolerance: match (a.rtol, a.atol) {
            (Some(rtol), Some(atol)) => Some(reproscale::verify::compare::Tol { rtol, atol }),
            _ => None,
        },
        target: a.target.clone(),
        with_data: a.with_data.clone(),
        fresh_env: a.fresh_env,
        env_cache: !a.no_env_cache,
        // Bars only where stderr is a terminal; elsewhere the plain lines.
        bars: true,
    }
}

fn progress_line(line: &str) {
    reproscale::note!("reproscale: {line}");
}

fn verify_cmd(a: VerifyArgs) -> Result<i32, Failure> {
    use reproscale::verify::{self, Overall};
    let root = a.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let opts = verify_options(&a);
    let result = verify::verify(&root, &opts, &progress_line).map_err(verify_failure)?;
    let out = match a.format {
        ListFormat::Text => verify::output::text(&result, opts.dry_run),
        ListFormat::Json => verify::output::json(&result),
    };
    emit(&out)?;
    if opts.dry_run {
        return Ok(if result.failure.is_some() {
            exit::INTERNAL
        } else {
            exit::OK
        });
    }
    Ok(match result.verdict {
        Overall::BitExact | Overall::WithinTolerance => exit::OK,
        Overall::Differs => exit::BELOW,
        Overall::RunFailed => exit::INTERNAL,
    })
}

fn usage(message: String) -> Failure {
    Failure {
        code: exit::USAGE,
        message,
    }
}

fn assess_dir(path: &std::path::Path) -> Result<reproscale::Report, Failure> {
    reproscale::assess(&Input::Directory(path.to_path_buf())).map_err(assess_failure)
}

/// The exit code of a project that could not be read: 3 when the machine
/// failed (git would not start, no temporary folder), else 2 (the input).
fn assess_failure(e: reproscale::Error) -> Failure {
    match e {
        reproscale::Error::Source(source::SourceError::Environment(m)) => Failure {
            code: exit::INTERNAL,
            message: m,
        },
        e => usage(e.to_string()),
    }
}

/// One mapping of verify's errors for `verify`, `assess --verify` and
/// `report --verify`, so the same failure exits with the same code.
fn verify_failure(e: reproscale::verify::VerifyError) -> Failure {
    use reproscale::verify::VerifyError;
    match e {
        VerifyError::Input(e) => assess_failure(e),
        VerifyError::Environment(m) => Failure {
            code: exit::INTERNAL,
            message: m,
        },
    }
}

fn report_cmd(args: ReportArgs) -> Result<i32, Failure> {
    use reproscale::report::{self, ReportError};
    let root = args.path.unwrap_or_else(|| PathBuf::from("."));
    let file = root.join(report::FILE_NAME);
    if !args.stdout && !args.check && source::is_bare_repository(&root) {
        return Err(usage(format!(
            "{} is a bare repository: it has no work tree to write {} into (use --stdout)",
            root.display(),
            report::FILE_NAME
        )));
    }
    let existing_bytes = read_report_file(&root, &file)?;
    let mut report = assess_dir(&root)?;
    if args.verify {
        let opts = reproscale::verify::Options {
            fresh_env: args.fresh_env,
            bars: true,
            ..reproscale::verify::Options::default()
        };
        let v = reproscale::verify::verify(&root, &opts, &progress_line).map_err(verify_failure)?;
        reproscale::verify::upgrade::upgrade(&mut report, &v);
    }
    if args.check {
        let Some(bytes) = existing_bytes else {
            return Err(usage(format!(
                "no {} in {}; `reproscale report` writes one",
                report::FILE_NAME,
                root.display()
            )));
        };
        let text = report::read_existing(&bytes).map_err(|e| usage(e.to_string()))?;
        let exists = |p: &str| {
            !p.starts_with('/') && !p.split('/').any(|s| s == "..") && root.join(p).exists()
        };
        let result = report::check(&report, text, &exists);
        let out = match args.format {
            ListFormat::Text => report::render_check_text(&result),
            ListFormat::Json => report::render_check_json(&result),
        };
        emit(&out)?;
        return Ok(if result.consistent() {
            exit::OK
        } else {
            exit::BELOW
        });
    }
    let existing = match &existing_bytes {
        Some(bytes) if !args.force => {
            Some(report::read_existing(bytes).map_err(|e| usage(e.to_string()))?)
        }
        _ => None,
    };
    let mode = report::mode(existing, args.force, args.update)
        .map_err(|e: ReportError| usage(e.to_string()))?;
    let text = report::generate(
        &report,
        existing,
        args.force,
        args.update,
        &reproscale::clock::today(),
    )
    .map_err(|e| usage(e.to_string()))?;
    if args.stdout {
        emit(&text)?;
        return Ok(exit::OK);
    }
    write_atomically(&file, text.as_bytes())?;
    let verb = match mode {
        report::Mode::Fresh => "wrote",
        report::Mode::Regenerate => "regenerated",
        report::Mode::Update => "updated",
        report::Mode::Force => "replaced",
    };
    let basis = if report.basis == reproscale::assessment::Basis::Verified {
        "verified"
    } else {
        "static"
    };
    reproscale::note!(
        "{verb} {} ({} {}/5, {basis})",
        file.display(),
        render::star_glyphs(report.stars),
        report.stars
    );
    Ok(exit::OK)
}

fn badge_cmd(args: BadgeArgs) -> Result<i32, Failure> {
    use reproscale::render::badge;
    let root = args.path.unwrap_or_else(|| PathBuf::from("."));
    let report = assess_dir(&root)?;
    if args.check_readme {
        let readme = ["README.md", "README.rst", "README", "readme.md"]
            .iter()
            .map(|n| root.join(n))
            .find(|p| p.is_file())
            .ok_or_else(|| usage(format!("no README in {}", root.display())))?;
        let text = source::read_regular(&readme, source::MAX_PARSE_BYTES)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .map_err(|e| usage(format!("cannot read {}: {e}", readme.display())))?;
        return Ok(match badge::readme_badge_stars(&text) {
            Some(n) if n == report.stars => {
                emit(&format!(
                    "{}: badge says {n}/5, as assessed\n",
                    readme.display()
                ))?;
                exit::OK
            }
            Some(n) => {
                emit(&format!("{}: badge says {n}/5 but the project has {}/5 now; run `reproscale badge --output …`\n", readme.display(), report.stars))?;
                exit::BELOW
            }
            None => {
                emit(&format!(
                    "{}: no reproducibility badge found; add: {}\n",
                    readme.display(),
                    badge::markdown_snippet(report.stars, "reproducibility.svg")
                ))?;
                exit::BELOW
            }
        });
    }
    let svg = badge::svg(report.stars);
    match &args.output {
        Some(out) if out.as_os_str() == "-" => emit(&svg)?,
        Some(out) => {
            write_atomically(out, svg.as_bytes())?;
            let shown = out.strip_prefix(&root).unwrap_or(out).display().to_string();
            emit(&format!(
                "{}\n",
                badge::markdown_snippet(report.stars, &shown)
            ))?;
        }
        None => {
            emit(&svg)?;
            reproscale::note!(
                "{}",
                badge::markdown_snippet(report.stars, "reproducibility.svg")
            );
        }
    }
    Ok(exit::OK)
}

/// Writes through a temporary file in the same folder, so a failure never leaves half a
/// file. A symlink is written through (the link stays); a device, FIFO, socket or folder
/// is refused rather than replaced. An existing file keeps its permissions; a new one
/// gets the usual `0666 & !umask`.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<(), Failure> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let target = output_target(path)?;
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let fail = |e: std::io::Error| Failure {
        code: exit::INTERNAL,
        message: format!("cannot write {}: {e}", path.display()),
    };
    let existing_mode = std::fs::metadata(&target)
        .ok()
        .map(|m| m.permissions().mode());
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut attempt = 0u32;
    let (tmp_path, mut tmp) = loop {
        let candidate = dir.join(format!(".{name}.{}-{attempt}.tmp", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o666)
            .open(&candidate)
        {
            Ok(f) => break (candidate, f),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(fail(e)),
        }
    };
    let written = tmp
        .write_all(bytes)
        .and_then(|()| tmp.sync_all())
        .and_then(|()| match existing_mode {
            Some(mode) => {
                std::fs::set_permissions(&tmp_path, std::fs::Permissions::from_mode(mode))
            }
            None => Ok(()),
        })
        .and_then(|()| std::fs::rename(&tmp_path, &target));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp_path);
        return Err(fail(e));
    }
    Ok(())
}

/// Where a write to `path` should land: the path itself, or a symlink's regular target.
fn output_target(path: &std::path::Path) -> Result<PathBuf, Failure> {
    let refuse = |what: &str| {
        usage(format!(
            "{} is {what}: refusing to replace it (give a regular file, or `-` for standard output)",
            path.display()
        ))
    };
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(path.to_path_buf()),
        Err(e) => Err(usage(format!("cannot write {}: {e}", path.display()))),
        Ok(m) if m.file_type().is_symlink() => match std::fs::canonicalize(path) {
            Ok(real) if real.is_file() => Ok(real),
            Ok(_) => Err(refuse("a symlink to something that is not a regular file")),
            Err(_) => Err(refuse("a broken symlink")),
        },
        Ok(m) if m.is_file() => Ok(path.to_path_buf()),
        Ok(m) if m.is_dir() => Err(refuse("a folder")),
        Ok(_) => Err(refuse("not a regular file (a device, FIFO or socket)")),
    }
}

/// Reads the project's REPRODUCIBILITY.md, if any. It must be a regular file inside the
/// project: a FIFO would block, and a symlink out of the project would copy someone
/// else's file in.
fn read_report_file(
    root: &std::path::Path,
    file: &std::path::Path,
) -> Result<Option<Vec<u8>>, Failure> {
    let meta = match std::fs::symlink_metadata(file) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(usage(format!("cannot read {}: {e}", file.display()))),
    };
    if meta.file_type().is_symlink() {
        let inside = match (std::fs::canonicalize(root), std::fs::canonicalize(file)) {
            (Ok(r), Ok(f)) => f.starts_with(r),
            _ => false,
        };
        if !inside {
            return Err(usage(format!(
                "{} is a symlink that leaves the project (or is broken): refusing to read or replace it",
                file.display()
            )));
        }
    }
    source::read_regular(file, source::MAX_PARSE_BYTES)
        .map(Some)
        .map_err(|e| usage(format!("cannot read {}: {e}", file.display())))
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
    let mut report = reproscale::assess(&input).map_err(assess_failure)?;
    if args.verify {
        let Input::Directory(root) = &input else {
            return Err(usage("--verify needs a project folder (not --rev or a URL): runs happen in copies of a work tree".into()));
        };
        let opts = reproscale::verify::Options {
            fresh_env: args.fresh_env,
            bars: true,
            ..reproscale::verify::Options::default()
        };
        let v = reproscale::verify::verify(root, &opts, &progress_line).map_err(verify_failure)?;
        reproscale::verify::upgrade::upgrade(&mut report, &v);
    }
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

fn schema_cmd(name: &str) -> Result<i32, Failure> {
    let text = reproscale::schema::render(name).ok_or_else(|| {
        usage(format!(
            "unknown schema `{}`; the schemas are: {}",
            name.escape_debug(),
            reproscale::schema::NAMES.join(", ")
        ))
    })?;
    emit(&text)?;
    Ok(exit::OK)
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
            lint::Effect::Advice => "is reported under, without changing,",
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
    // Only styled text needs anstream, which strips escapes byte by byte when
    // stdout is not a terminal: JSON and SARIF go straight out.
    let written = if text.as_bytes().contains(&0x1b) {
        let mut out = anstream::stdout().lock();
        out.write_all(text.as_bytes()).and_then(|_| out.flush())
    } else {
        let mut out = io::stdout().lock();
        out.write_all(text.as_bytes()).and_then(|_| out.flush())
    };
    match written {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure {
            code: exit::INTERNAL,
            message: format!("cannot write output: {e}"),
        }),
    }
}
