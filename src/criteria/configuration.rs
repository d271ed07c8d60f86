//! Stage 2, Configuration: 2.1 config-files, 2.2 seeds-in-config,
//! 2.3 code-reads-config, 2.4 config-repeatable.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::code::{describe_values, uses_randomness};
use super::evidence::{at, finding, line, off_path};
use super::{findings_for, Input};
use crate::assessment::{Evidence, Outcome, Status};
use crate::criteria::id::CriterionId;
use crate::facts::pipeline::{join, FlagValue, Invocation};
use crate::facts::values::{Lit, Value};
use crate::facts::Facts;

type Decided = (Outcome, Option<String>);

/// Pipeline invocations that pass parameter values as flags (Makefile, MLproject, dvc.yaml).
fn pipeline_flag_invocations(facts: &Facts) -> Vec<&Invocation> {
    facts
        .pipelines
        .invocations
        .iter()
        .filter(|i| {
            let origin = i.origin.path.to_ascii_lowercase();
            let declared = !origin.starts_with("readme") && !origin.ends_with(".md");
            declared && i.flags.iter().any(|(_, v)| !matches!(v, FlagValue::Switch))
        })
        .collect()
}

/// Whether the only config sources are shell scripts passing flags: SPEC
/// names config files and pipelines (Makefile, dvc.yaml, MLproject), and a
/// launch script holds values without being either.
fn only_script_flags(facts: &Facts) -> bool {
    let flags = pipeline_flag_invocations(facts);
    facts.configs.iter().all(|c| c.keys.is_empty())
        && facts.python_configs.is_empty()
        && facts.hydra_dirs.is_empty()
        && facts.pipelines.mlproject_params.is_empty()
        && !flags.is_empty()
        && flags
            .iter()
            .all(|i| i.origin.kind == crate::facts::pipeline::OriginKind::Script)
}

/// Evidence for every config source.
fn config_sources(facts: &Facts) -> Vec<Evidence> {
    let mut ev = Vec::new();
    // An empty file promises a config but holds no knob.
    for c in facts.configs.iter().filter(|c| !c.keys.is_empty()) {
        ev.push(Evidence::file(
            &c.path,
            format!("{:?} config with {} key(s)", c.format, c.keys.len()).to_lowercase(),
        ));
    }
    for p in &facts.python_configs {
        ev.push(Evidence::file(p, "Python config module"));
    }
    for d in &facts.hydra_dirs {
        ev.push(Evidence::file(
            if d.is_empty() { "." } else { d },
            "Hydra config folder",
        ));
    }
    for p in &facts.pipelines.mlproject_params {
        ev.push(line(
            &p.path,
            p.line,
            format!(
                "MLproject parameter {} of entry point {}",
                p.name, p.entry_point
            ),
        ));
    }
    for inv in pipeline_flag_invocations(facts) {
        let flags: Vec<String> = inv
            .flags
            .iter()
            .filter(|(_, v)| !matches!(v, FlagValue::Switch))
            .map(|(f, _)| format!("--{f}"))
            .collect();
        ev.push(line(
            &inv.origin.path,
            inv.origin.line,
            format!("{} passes {}", inv.origin.kind, flags.join(" ")),
        ));
    }
    ev
}

/// 2.1: parameters live in committed config files.
pub fn config_files(input: &Input) -> Decided {
    let facts = input.ctx.facts;
    let looked = [
        "YAML/JSON/TOML/.gin/INI config files",
        "Hydra conf folders",
        "Python config modules (config.py)",
        "MLproject parameters",
        "Makefile/dvc.yaml commands passing parameter flags",
    ];
    let sources = config_sources(facts);
    let (on, off) = findings_for(input, CriterionId::C2_1);
    let literals: Vec<Evidence> = on.iter().map(|f| finding(f)).collect();
    let notes: Vec<Evidence> = off.iter().map(|f| off_path(f)).collect();
    let cli_only = facts.python.iter().any(|f| !f.cli_params.is_empty());
    if sources.is_empty() {
        let summary = if cli_only {
            "no config file: parameters exist only as command-line defaults, which are not a config file".to_string()
        } else {
            "no config file found".to_string()
        };
        let mut o = Outcome::new(Status::Fail, summary)
            .with_evidence(literals)
            .looking_for(&looked);
        o.notes = notes;
        return (o, Some("Create a config file (e.g. params.yaml) holding every hyper-parameter and the seed, and read it at start-up.".into()));
    }
    if !literals.is_empty() {
        let n = literals.len();
        let mut o = Outcome::new(
            Status::Partial,
            format!("config found, but {n} hyper-parameter literal(s) are hard-coded in code"),
        )
        .with_evidence(literals);
        o.evidence.extend(sources.into_iter().take(5));
        o.notes = notes;
        o.looked_for = looked.iter().map(|s| s.to_string()).collect();
        let first = on[0];
        return (
            o,
            Some(format!(
                "Move the literal at {} (and the others listed) into the config file.",
                first.location()
            )),
        );
    }
    if only_script_flags(facts) {
        let mut o = Outcome::new(
            Status::Partial,
            "parameters are passed only as flags in shell scripts, not held in a config file",
        )
        .with_evidence(sources)
        .looking_for(&looked);
        o.notes = notes;
        return (
            o,
            Some("Move the values the scripts pass into a config file (e.g. params.yaml) that the code reads.".into()),
        );
    }
    let n = sources.len();
    let mut o = Outcome::new(
        Status::Pass,
        format!("{n} config source(s); no hyper-parameter literals at call sites on the run path"),
    )
    .with_evidence(sources);
    o.notes = notes;
    (o, None)
}

/// How a seed value relates to the config.
enum SeedOrigin {
    Config(String),
    Partial(String),
    /// Seeded only when a run asks: the flag defaults to None and nothing passes it.
    OptIn(String),
}

/// What classifying seed values needs, gathered once per assessment rather
/// than per value (projects with many configs and many seeds made that quadratic).
struct SeedLookup<'a> {
    passed: std::collections::BTreeMap<&'a str, Vec<&'a Invocation>>,
    /// Config keys whose value is null, with `path:line`.
    null_keys: Vec<(&'a str, String)>,
    /// Flags some file defines with a default read from the config.
    default_from_config: std::collections::HashSet<&'a str>,
    /// Flags some file defines as optional with no default (or `None`).
    opt_in: std::collections::HashSet<&'a str>,
}

impl<'a> SeedLookup<'a> {
    fn new(facts: &'a Facts) -> Self {
        let null_keys = facts
            .configs
            .iter()
            .flat_map(|c| {
                c.keys
                    .iter()
                    .filter(|ck| matches!(ck.value.as_str(), "null" | "None" | "~" | ""))
                    .map(move |ck| {
                        (
                            ck.key.as_str(),
                            format!("{}:{}", c.path, ck.line.unwrap_or(0)),
                        )
                    })
            })
            .collect();
        // Indexed once: every seed point asks about its flag.
        let params = || facts.python.iter().flat_map(|f| &f.cli_params);
        let default_from_config = params()
            .filter(|p| matches!(p.default, Some(Value::Config(_))))
            .map(|p| p.name.as_str())
            .collect();
        let opt_in = params()
            .filter(|p| !p.required && matches!(p.default, None | Some(Value::Lit(Lit::None))))
            .map(|p| p.name.as_str())
            .collect();
        SeedLookup {
            passed: facts.pipelines.flags_passed(),
            null_keys,
            default_from_config,
            opt_in,
        }
    }
}

fn classify(lookup: &SeedLookup, v: &Value) -> SeedOrigin {
    let passed = &lookup.passed;
    match v {
        Value::Config(k) => {
            let key = k.trim_start_matches("*.");
            let null = lookup
                .null_keys
                .iter()
                .find(|(ck, _)| {
                    *ck == key || ck.strip_suffix(key).is_some_and(|head| head.ends_with('.'))
                })
                .map(|(_, at)| at.clone());
            match null {
                Some(at) => SeedOrigin::Partial(format!(
                    "config key `{key}` is null ({at}): no seed is set unless a run overrides it"
                )),
                None => SeedOrigin::Config(format!("from config key `{key}`")),
            }
        }
        Value::Cli(flag) => {
            if let Some(invs) = passed.get(flag.as_str()) {
                let inv = invs[0];
                return SeedOrigin::Config(format!(
                    "from --{flag}, passed by {} ({})",
                    inv.origin.path, inv.origin.kind
                ));
            }
            let default_from_config = lookup.default_from_config.contains(flag.as_str());
            let opt_in = lookup.opt_in.contains(flag.as_str());
            if default_from_config {
                SeedOrigin::Config(format!(
                    "from --{flag}, whose default is read from the config"
                ))
            } else if opt_in {
                SeedOrigin::OptIn(format!(
                    "from --{flag}, which defaults to None and which no pipeline or config passes: runs are unseeded unless asked"
                ))
            } else {
                SeedOrigin::Partial(format!(
                    "from --{flag}'s default value; no pipeline or config passes it"
                ))
            }
        }
        Value::Call(c) if c.contains("initial_seed") => {
            SeedOrigin::Config("derived from torch's seed".into())
        }
        Value::Lit(l) => SeedOrigin::Partial(format!("literal seed {} in code", l.text())),
        other => SeedOrigin::Partial(format!(
            "seed from {}, not from the config",
            other.describe()
        )),
    }
}

/// 2.2: every RNG is seeded, with the seed from the config.
pub fn seeds_in_config(input: &Input) -> Decided {
    let ctx = input.ctx;
    let facts = ctx.facts;
    let looked = [
        "seeding calls (random.seed, np.random.seed, torch.manual_seed, seed_everything, set_seed, random_state=, default_rng(seed))",
        "the origin of each seed value: config key, CLI flag passed by a pipeline, literal, time/entropy",
    ];
    let (on, _) = findings_for(input, CriterionId::C1_3);
    let blocking: Vec<&&crate::lint::Finding> = on
        .iter()
        .filter(|f| {
            matches!(
                f.rule,
                "unseeded-rng" | "random-state-unset" | "seed-from-entropy"
            )
        })
        .collect();
    if !blocking.is_empty() {
        let o = Outcome::new(
            Status::Fail,
            "randomness on the run path is unseeded or seeded from time/entropy",
        )
        .with_evidence(blocking.iter().map(|f| finding(f)))
        .looking_for(&looked);
        return (
            o,
            Some("Add `seed: 42` to the config and seed every RNG from it at start-up.".into()),
        );
    }
    let points: Vec<_> = ctx.seeds.iter().filter(|s| s.on_path).collect();
    if points.is_empty() {
        if uses_randomness(input) {
            let o = Outcome::new(
                Status::Unknown,
                "randomness is used but no seeding call was recognised",
            )
            .looking_for(&looked);
            return (o, None);
        }
        let o = Outcome::new(
            Status::NotApplicable,
            "no source of randomness and no seed on the run path",
        )
        .looking_for(&looked);
        return (o, None);
    }
    let lookup = SeedLookup::new(facts);
    let mut good = Vec::new();
    let mut weak = Vec::new();
    let mut opt_in = Vec::new();
    let mut uncalled = Vec::new();
    for p in &points {
        for v in &p.values {
            // A seed parameter of a function nothing in the project calls: its
            // value is decided elsewhere (a framework, a caller outside), or never.
            if let Value::Param(param) = v {
                let (func, name, file) = (&param.func, &param.name, &param.file);
                if !facts.is_called(file, func) {
                    uncalled.push(at(
                        &p.path,
                        p.loc,
                        format!(
                            "{}(): seed from parameter `{name}` of {func}(), which nothing in the project calls",
                            p.callee
                        ),
                    ));
                    continue;
                }
            }
            match classify(&lookup, v) {
                SeedOrigin::Config(why) => {
                    good.push(at(&p.path, p.loc, format!("{}(): {why}", p.callee)))
                }
                SeedOrigin::Partial(why) => {
                    weak.push(at(&p.path, p.loc, format!("{}(): {why}", p.callee)))
                }
                SeedOrigin::OptIn(why) => {
                    opt_in.push(at(&p.path, p.loc, format!("{}(): {why}", p.callee)))
                }
            }
        }
    }
    // Every seed waits for a flag that the documented runs never give: the
    // default run is unseeded (SPEC: an unseeded RNG fails).
    if !opt_in.is_empty() && good.is_empty() && weak.is_empty() {
        let first = opt_in[0].location();
        let o = Outcome::new(
            Status::Fail,
            "seeding is opt-in: the seed flag defaults to None, so a default run is unseeded",
        )
        .with_evidence(opt_in)
        .looking_for(&looked);
        return (
            o,
            Some(format!(
                "Give the seed a value in the config (e.g. `seed: 42`) and pass it to the call at {first}."
            )),
        );
    }
    weak.extend(opt_in);
    if weak.is_empty() && !good.is_empty() {
        let mut o =
            Outcome::new(Status::Pass, "every seed comes from the config").with_evidence(good);
        o.notes = uncalled;
        return (o, None);
    }
    weak.extend(uncalled);
    let has_config = !config_sources(facts).is_empty();
    let summary = if has_config {
        "seeded, but not every seed comes from the config"
    } else {
        "seeded in code; there is no config for the seed to come from"
    };
    let first = weak[0].clone();
    let mut o = Outcome::new(Status::Partial, summary).with_evidence(weak);
    o.evidence.extend(good.into_iter().take(5));
    o.looked_for = looked.iter().map(|s| s.to_string()).collect();
    let fix = format!(
        "Put the seed in the config and pass it to the call at {} (now {}).",
        first.location(),
        describe_values(&points[0].values)
    );
    (o, Some(fix))
}

/// Keys read by code, indexed for lookups that cost the depth of a key, not
/// the number of reads: exact reads cover the key and its children; reads
/// through a config object of unknown prefix (`*.depth`) match any run of
/// the key's segments.
struct ReadKeys {
    exact: HashSet<String>,
    runs: HashSet<String>,
}

impl ReadKeys {
    fn new(reads: &BTreeSet<String>) -> Self {
        let mut exact = HashSet::new();
        let mut runs = HashSet::new();
        for r in reads {
            match r.strip_prefix("*.") {
                Some(tail) => runs.insert(tail.to_string()),
                None => exact.insert(r.clone()),
            };
        }
        ReadKeys { exact, runs }
    }
}

/// A key read: exact, a parent (covers children), or unknown-prefix suffix.
fn key_is_read(key: &str, reads: &ReadKeys) -> bool {
    let segments: Vec<&str> = key.split('.').collect();
    let n = segments.len();
    (1..=n).any(|j| reads.exact.contains(&segments[..j].join(".")))
        || (!reads.runs.is_empty()
            && (0..n).any(|i| (i + 1..=n).any(|j| reads.runs.contains(&segments[i..j].join(".")))))
}

fn is_meta_key(key: &str) -> bool {
    key == "defaults"
        || key.starts_with("defaults.")
        || key.starts_with("hydra.")
        || key.split('.').any(|s| s.starts_with('_'))
}

fn in_config_dir(path: &str) -> bool {
    path.to_ascii_lowercase().split('/').rev().skip(1).any(|d| {
        matches!(
            d,
            "config" | "configs" | "conf" | "params" | "hparams" | "hyperparams" | "settings"
        )
    })
}

/// Who reads a config file, if anyone.
/// Path literals in the code, indexed once: by the path they resolve to
/// (from the root or the file's folder) and as written.
struct LiteralIndex<'a> {
    resolved: HashMap<String, (&'a str, crate::facts::values::Loc)>,
    written: HashMap<&'a str, (&'a str, crate::facts::values::Loc)>,
    /// Paths passed as flag values or positionals by pipeline and README
    /// commands, resolved from the command's folder and from the root, to the
    /// first invocation that passes them (built once: configs × commands is
    /// large on repositories with many of both).
    passed: HashMap<String, &'a Invocation>,
    /// An MLflow Recipes project (recipe.yaml holds `{{ VARIABLES }}`, so it
    /// may not parse as YAML on its own: its text is checked).
    recipes: bool,
    /// Config folders whose file is chosen on the command line (a CLI
    /// default, a path a command passes, `configs/<name>.yaml`), by (folder,
    /// extension): the other files there are the other choices for that flag.
    chosen: HashMap<(String, &'static str), Evidence>,
}

/// A config file's folder and its extension family.
fn folder_and_kind(path: &str) -> Option<(String, &'static str)> {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    let kind = match ext.as_str() {
        "yaml" | "yml" => "yaml",
        "json" => "json",
        "toml" => "toml",
        "ini" | "cfg" => "ini",
        "gin" => "gin",
        _ => return None,
    };
    Some((dir.to_string(), kind))
}

/// A file name that stands for any file of the folder (`<config_spec>.yaml`,
/// `{name}.yaml`, `$CFG.yaml`, `*.yaml`).
fn is_placeholder_name(name: &str) -> bool {
    name.contains(['<', '{', '$', '*'])
}

impl<'a> LiteralIndex<'a> {
    fn new(facts: &'a Facts) -> Self {
        let mut resolved = HashMap::new();
        let mut written = HashMap::new();
        for f in &facts.python {
            let dir = f.path.rsplit_once('/').map_or("", |(d, _)| d);
            for (lit, loc) in &f.path_literals {
                let lit = lit.trim_start_matches("./");
                let at = (f.path.as_str(), *loc);
                resolved.entry(join("", lit)).or_insert(at);
                resolved.entry(join(dir, lit)).or_insert(at);
                written.entry(lit).or_insert(at);
            }
        }
        let mut passed: HashMap<String, &'a Invocation> = HashMap::new();
        for inv in &facts.pipelines.invocations {
            let dir = inv.origin.path.rsplit_once('/').map_or("", |(d, _)| d);
            let values = inv.flags.iter().filter_map(|(_, v)| match v {
                FlagValue::Literal(s) => Some(s.as_str()),
                _ => None,
            });
            for v in values.chain(inv.positionals.iter().map(String::as_str)) {
                let v = v.rsplit('=').next().unwrap_or(v);
                passed.entry(join(dir, v)).or_insert(inv);
                passed.entry(join("", v)).or_insert(inv);
            }
        }
        let recipes = facts
            .project
            .file("recipe.yaml")
            .and_then(|f| f.text())
            .is_some_and(|t| t.lines().any(|l| l.starts_with("recipe:")));
        LiteralIndex {
            resolved,
            written,
            passed,
            recipes,
            chosen: chosen_folders(facts),
        }
    }

    /// The first literal naming `path`: resolved to it, or written as its
    /// file name or as a trailing part of it.
    fn naming(&self, path: &str) -> Option<(&'a str, crate::facts::values::Loc)> {
        if let Some(hit) = self.resolved.get(path) {
            return Some(*hit);
        }
        let mut rest = path;
        loop {
            if let Some(hit) = self.written.get(rest) {
                return Some(*hit);
            }
            match rest.split_once('/') {
                Some((_, tail)) => rest = tail,
                None => return None,
            }
        }
    }
}

/// Config folders whose file is chosen on the command line (see [`LiteralIndex::chosen`]).
fn chosen_folders(facts: &Facts) -> HashMap<(String, &'static str), Evidence> {
    let configs: HashSet<&str> = facts.configs.iter().map(|c| c.path.as_str()).collect();
    let mut by_name: HashMap<&str, Vec<&str>> = HashMap::new();
    for c in &configs {
        by_name
            .entry(c.rsplit('/').next().unwrap_or(c))
            .or_default()
            .push(c);
    }
    let folders: HashSet<(String, &'static str)> =
        configs.iter().filter_map(|c| folder_and_kind(c)).collect();
    // The config a value names: resolved from the folder or the root, or a
    // bare file name that only one config has (`--cfg yolov5s.yaml`).
    let config_named = |dir: &str, v: &str| -> Option<String> {
        let v = v.trim_start_matches("./");
        [join(dir, v), join("", v)]
            .into_iter()
            .find(|p| configs.contains(p.as_str()))
            .or_else(|| match by_name.get(v).map(Vec::as_slice) {
                Some([only]) if !v.contains('/') => Some(only.to_string()),
                _ => None,
            })
    };
    let mut chosen = HashMap::new();
    for f in &facts.python {
        let dir = f.path.rsplit_once('/').map_or("", |(d, _)| d);
        for p in &f.cli_params {
            let Some(path) = p.default_path.as_deref().and_then(|v| config_named(dir, v)) else {
                continue;
            };
            if let Some(key) = folder_and_kind(&path) {
                let flag = p.flags.last().map_or(p.name.as_str(), String::as_str);
                chosen.entry(key).or_insert_with(|| {
                    at(
                        &f.path,
                        p.loc,
                        format!("another choice for {flag}, whose default is {path}"),
                    )
                });
            }
        }
    }
    for inv in &facts.pipelines.invocations {
        let dir = inv.origin.path.rsplit_once('/').map_or("", |(d, _)| d);
        for (flag, v) in &inv.flags {
            let FlagValue::Literal(v) = v else { continue };
            let (vdir, name) = v.rsplit_once('/').unwrap_or(("", v));
            let key = if is_placeholder_name(name) && !vdir.is_empty() {
                let ext = name.rsplit_once('.').map_or("yaml", |(_, e)| e);
                folder_and_kind(&format!("{}/x.{ext}", join(dir, vdir)))
                    .filter(|k| folders.contains(k))
                    .or_else(|| {
                        folder_and_kind(&format!("{}/x.{ext}", join("", vdir)))
                            .filter(|k| folders.contains(k))
                    })
            } else {
                config_named(dir, v).and_then(|p| folder_and_kind(&p))
            };
            if let Some(key) = key {
                chosen.entry(key).or_insert_with(|| {
                    line(
                        &inv.origin.path,
                        inv.origin.line,
                        format!(
                            "another choice for --{flag}, which {} passes as {v}",
                            inv.origin.kind
                        ),
                    )
                });
            }
        }
    }
    chosen
}

fn reader_of(facts: &Facts, literals: &LiteralIndex, path: &str) -> Option<Evidence> {
    let base = path.rsplit('/').next().unwrap_or(path);
    for (file, l, read) in &facts.pipelines.config_reads {
        if read == path {
            return Some(line(file, Some(*l), format!("configfile: {path}")));
        }
    }
    if facts.kedro && path.starts_with("conf/") {
        return Some(Evidence::file(
            path,
            "read by Kedro's config loader (conf/)",
        ));
    }
    // MLflow Recipes: `mlflow recipes run --profile P` renders recipe.yaml
    // with profiles/P.yaml.
    if literals.recipes
        && (base == "recipe.yaml" || path.starts_with("profiles/") || path.contains("/profiles/"))
    {
        return Some(Evidence::file(
            path,
            "read by MLflow Recipes (recipe.yaml with its profiles)",
        ));
    }
    if let Some((file, loc)) = literals.naming(path) {
        return Some(at(file, loc, format!("reads {path}")));
    }
    if let Some(site) = lightning_cli_reader(facts, path) {
        return Some(at(
            &site.path,
            site.loc,
            format!("LightningCLI reads {path} (`--config`)"),
        ));
    }
    if let Some(inv) = literals.passed.get(path) {
        return Some(line(
            &inv.origin.path,
            inv.origin.line,
            format!("{} passes {path}", inv.origin.kind),
        ));
    }
    for (dvc, stage) in &facts.pipelines.dvc_stages {
        if stage.params.iter().any(|(file, _)| file == path) {
            return Some(line(
                dvc,
                stage.line,
                format!("stage {} declares params from {path}", stage.name),
            ));
        }
    }
    // The chosen file's folder holds the other choices, sorted into subfolders
    // at times (`models/hub/*.yaml` beside `models/yolov5s.yaml`).
    let choice = folder_and_kind(path).and_then(|(dir, kind)| {
        let mut d = dir.as_str();
        loop {
            if let Some(ev) = literals.chosen.get(&(d.to_string(), kind)) {
                return Some(ev);
            }
            d = d.rsplit_once('/')?.0;
        }
    });
    if let Some(ev) = choice {
        let mut ev = ev.clone();
        ev.note = format!("{path}: {}", ev.note);
        return Some(ev);
    }
    for d in &facts.hydra_dirs {
        if d.is_empty() || path.starts_with(&format!("{d}/")) {
            return Some(Evidence::file(
                path,
                format!(
                    "in the Hydra config folder {}",
                    if d.is_empty() { "." } else { d }
                ),
            ));
        }
    }
    None
}

/// The LightningCLI that reads a config shaped for it (top-level `trainer:`, `model:`, …).
fn lightning_cli_reader<'a>(
    facts: &'a Facts,
    path: &str,
) -> Option<&'a crate::facts::instantiate::CliSite> {
    let site = facts.lightning_cli.first()?;
    facts
        .configs
        .iter()
        .any(|c| c.path == path && crate::facts::instantiate::is_cli_config(c))
        .then_some(site)
}

/// 2.3: the code reads the config and every key in it.
pub fn code_reads_config(input: &Input) -> Decided {
    let facts = input.ctx.facts;
    let looked = [
        "config paths in code (open/yaml.safe_load/json.load/OmegaConf.load), CLI defaults and pipeline commands",
        "Hydra config_path/config_name",
        "dvc.yaml params",
        "keys read as cfg[\"a\"][\"b\"], cfg.a.b, cfg.get(\"a\")",
    ];
    let sources = config_sources(facts);
    if sources.is_empty() {
        let o = Outcome::new(Status::Fail, "no config for the code to read").looking_for(&looked);
        return (
            o,
            Some("Create a config file and load it in the entry point.".into()),
        );
    }
    let mut reads: BTreeSet<String> = BTreeSet::new();
    let mut exact: BTreeSet<String> = BTreeSet::new();
    for k in facts.python.iter().flat_map(|f| &f.key_reads) {
        if k.binding {
            exact.insert(k.key.clone());
        } else {
            reads.insert(k.key.clone());
        }
    }
    let mut whole: BTreeSet<String> = BTreeSet::new();
    reads.extend(facts.pipelines.key_reads.iter().cloned());
    // Kedro reads catalog, credentials and logging settings itself; only
    // parameters are read by the project's nodes ("params:…").
    if facts.kedro {
        for c in &facts.configs {
            let name = c.path.rsplit('/').next().unwrap_or(&c.path);
            if c.path.starts_with("conf/") && !name.starts_with("parameters") {
                whole.insert(c.path.clone());
            }
        }
    }
    // LightningCLI checks every key against the signatures of the classes it builds:
    // an unknown key is an error, so each one is read.
    for c in &facts.configs {
        if lightning_cli_reader(facts, &c.path).is_some() {
            whole.insert(c.path.clone());
        }
    }
    for (_, stage) in &facts.pipelines.dvc_stages {
        for (file, key) in &stage.params {
            if key == "*" {
                whole.insert(file.clone());
            } else {
                reads.insert(key.clone());
            }
        }
    }
    for inv in &facts.pipelines.invocations {
        for (_, v) in &inv.flags {
            if let FlagValue::Parameter(p) = v {
                reads.insert(p.clone());
            }
        }
        for pos in &inv.positionals {
            if let Some((k, _)) = pos.split_once('=') {
                reads.insert(k.trim_start_matches('+').to_string());
            }
        }
    }
    // `${paths.data_dir}` in one config value reads another key.
    for c in &facts.configs {
        for k in &c.keys {
            let mut rest = k.value.as_str();
            while let Some(i) = rest.find("${") {
                rest = &rest[i + 2..];
                let Some(end) = rest.find('}') else { break };
                let r = &rest[..end];
                if !r.contains(':') && !r.starts_with('.') && !r.is_empty() {
                    reads.insert(r.to_string());
                }
                rest = &rest[end..];
            }
        }
    }
    let reads_everything = reads.contains("**");
    let read_keys = ReadKeys::new(&reads);
    let literals = LiteralIndex::new(facts);
    let mut unread_files = Vec::new();
    let mut unread_keys = Vec::new();
    let mut readers = Vec::new();
    let mut unread_json = Vec::new();
    for c in &facts.configs {
        match reader_of(facts, &literals, &c.path) {
            // JSON outside config folders is as often an export or data as
            // settings: reported, not counted.
            None if c.format == crate::facts::config::Format::Json && !in_config_dir(&c.path) => {
                unread_json.push(Evidence::file(
                    &c.path,
                    "JSON file that no code or pipeline reads (not counted as config)",
                ))
            }
            None => unread_files.push(Evidence::file(
                &c.path,
                "config file that no code or pipeline reads",
            )),
            Some(r) => {
                readers.push(r);
                if reads_everything || whole.contains(&c.path) {
                    continue;
                }
                for k in &c.keys {
                    let bound = exact.contains(&k.key)
                        || exact.iter().any(|e| {
                            e.strip_prefix("*.")
                                .is_some_and(|t| k.key == t || k.key.ends_with(&format!(".{t}")))
                        });
                    if !is_meta_key(&k.key) && !bound && !key_is_read(&k.key, &read_keys) {
                        unread_keys.push(line(
                            &c.path,
                            k.line,
                            format!("key `{}` is never read", k.key),
                        ));
                    }
                }
            }
        }
    }
    // With nothing else read, an unread JSON file is the config nobody reads.
    if readers.is_empty() && unread_files.is_empty() {
        unread_files.append(&mut unread_json);
    }
    if !unread_files.is_empty() {
        let first = unread_files[0].path.clone();
        // Some config feeds the run, but not all of it: partial. None does: fail.
        let status = if readers.is_empty() {
            Status::Fail
        } else {
            Status::Partial
        };
        let mut o = Outcome::new(
            status,
            format!(
                "{} config file(s) are not read by any code or pipeline",
                unread_files.len()
            ),
        )
        .with_evidence(unread_files)
        .looking_for(&looked);
        o.notes = readers;
        return (
            o,
            Some(format!(
                "Load {first} in the entry point (or delete it if it is stale)."
            )),
        );
    }
    // Keys that nothing reads are reported (SPEC 2.3); they do not lower the
    // status: the config is read and feeds the run, and a key the static
    // reading misses (read through a framework, a dataclass) is not a defect.
    if !unread_keys.is_empty() {
        let n = unread_keys.len();
        let mut o = Outcome::new(
            Status::Pass,
            format!("the config is read; {n} key(s) are never read (listed in the notes)"),
        )
        .with_evidence(readers);
        o.notes = unread_keys;
        o.notes.extend(unread_json);
        return (o, None);
    }
    let n = readers.len();
    let mut o = Outcome::new(Status::Pass, "the config is read and every key is used")
        .with_evidence(readers);
    o.notes = unread_json;
    if n == 0 {
        if only_script_flags(facts) {
            let mut partial = Outcome::new(
                Status::Partial,
                "no config file is read: shell scripts pass the run's parameters as flags",
            )
            .with_evidence(sources)
            .looking_for(&looked);
            partial.notes = o.notes;
            return (
                partial,
                Some("Keep the parameters in a config file and load it in the entry point.".into()),
            );
        }
        o.summary = "parameters are passed by the pipeline".into();
        o.evidence = sources;
    }
    (o, None)
}

/// 2.4: static proxy from 1.3 and 2.2.
pub fn config_repeatable(c13: &Outcome, c22: &Outcome) -> Decided {
    let ev = vec![
        Evidence::file(".", format!("1.3 repeatable: {}", c13.status.as_str())),
        Evidence::file(".", format!("2.2 seeds-in-config: {}", c22.status.as_str())),
    ];
    let ok22 = c22.status.is_met();
    let (status, summary) = match (c13.status, c22.status) {
        (Status::Pass, Status::NotApplicable) => (
            Status::Pass,
            "static proxy: no randomness on the run path, so the same config gives the same result",
        ),
        (Status::Pass, _) if ok22 => (
            Status::Pass,
            "static proxy: randomness seeded, seeds from the config",
        ),
        (Status::Fail, _) | (_, Status::Fail) => (
            Status::Fail,
            "static proxy: the same config would not give the same result",
        ),
        (Status::Unknown, _) | (_, Status::Unknown) => (
            Status::Unknown,
            "static proxy: 1.3 or 2.2 could not be decided",
        ),
        _ => (
            Status::Partial,
            "static proxy: seeded, but not fully from the config or not fully deterministic",
        ),
    };
    let fix = (status != Status::Pass).then(|| {
        "Meet 1.3 and 2.2; then `reproscale verify` proves it by running the same config twice."
            .to_string()
    });
    (Outcome::new(status, summary).with_evidence(ev), fix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_matching() {
        let reads: BTreeSet<String> = ["train.lr", "model", "*.depth", "*.a.b"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let reads = ReadKeys::new(&reads);
        assert!(key_is_read("x.a.b.c", &reads));
        assert!(!key_is_read("a.x.b", &reads));
        assert!(key_is_read("train.lr", &reads));
        assert!(key_is_read("model.width", &reads));
        assert!(key_is_read("net.depth", &reads));
        assert!(!key_is_read("train.epochs", &reads));
        assert!(!key_is_read("seed", &reads));
    }
}
