//! Deciding what to run: `--cmd`, else `--target`, else the project's `run`
//! setting, else the best-ranked command the project declares (dvc.yaml
//! stages in dependency order, a Makefile training or pipeline target, the
//! MLproject `main` entry point, a README training command; see
//! [`super::candidates`]). The plan says which was chosen, why, and what the
//! other candidates were.

use serde::Serialize;

use crate::facts::values::Value;
use crate::facts::Facts;
use crate::lint::seeds;

use super::candidates;

/// One command of the plan.
#[derive(Debug, Clone, Serialize)]
pub struct Stage {
    /// Stage name (`train`, or `main` for a single command).
    pub name: String,
    /// Shell command.
    pub cmd: String,
    /// Working folder, relative to the project root.
    pub wdir: String,
    /// Declared outputs (dvc.yaml outs/metrics/plots), relative to the root.
    pub outs: Vec<String>,
}

/// How a parameter can be changed for a probe run.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "how", rename_all = "snake_case")]
pub enum Knob {
    /// Edit the value on its line in a config file.
    ConfigLine {
        /// Config file.
        file: String,
        /// 1-based line.
        line: u32,
    },
    /// Replace or add `--flag value` on the commands that run Python.
    Flag {
        /// Flag name without dashes.
        flag: String,
    },
    /// Append `key=value` to the command that runs `runs`: a Hydra override
    /// (`channel` `hydra`, `runs` the script) or `make VAR=value` (`make`).
    Override {
        /// The override's key (`train.seed`, `SEED`).
        key: String,
        /// The script (Hydra) or `make`.
        runs: String,
        /// `hydra` or `make`.
        channel: String,
    },
    /// An MLproject entry point's parameter (what `mlflow run -P key=value`
    /// does): `command` becomes `template` with `placeholder` filled in.
    Template {
        /// The command as planned (every default filled in).
        command: String,
        /// The entry point's command with this parameter left open.
        template: String,
        /// `{name}`.
        placeholder: String,
    },
}

/// A parameter a probe changes.
#[derive(Debug, Clone, Serialize)]
pub struct Param {
    /// Dotted key or flag name.
    pub name: String,
    /// Current value as text.
    pub value: String,
    /// How to change it.
    pub knob: Knob,
}

/// A command the plan did not choose, and why.
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct Alternative {
    /// Who declares it (`Makefile target `install``, `dvc.yaml pipeline`).
    pub source: String,
    /// The commands it would run.
    pub commands: Vec<String>,
    /// Why the chosen command won.
    pub why_not: String,
}

/// The whole plan.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// Where the command came from: `--cmd`, `settings`, `dvc.yaml`, `MLproject`, `Makefile`, `README`.
    pub source: String,
    /// Why this source was chosen.
    pub why: String,
    /// Commands in order.
    pub stages: Vec<Stage>,
    /// The other candidates, best first, and why each lost.
    pub alternatives: Vec<Alternative>,
    /// Output globs from the project's settings (`artifacts`).
    pub artifact_globs: Vec<String>,
    /// Seed parameters for the seed probes: the one the seeding calls trace
    /// to first, then every other seed-like key the project declares.
    pub seeds: Vec<Param>,
    /// Numeric parameters for the config probe (at most a few).
    pub params: Vec<Param>,
}

/// Why there is no plan.
#[derive(Debug, Clone, PartialEq)]
pub enum PlanError {
    /// Nothing declares a command that runs the pipeline: the runs cannot
    /// happen (`run_failed`). The candidates that were skipped come with it.
    NoCommand(String, Vec<Alternative>),
    /// What the project or the command line declares is unusable (an input
    /// error): `file` is where, `message` what is wrong, on one line.
    Invalid {
        /// The file or flag at fault (`dvc.yaml`, `--cmd`).
        file: String,
        /// What is wrong.
        message: String,
    },
}

impl PlanError {
    fn invalid(file: &str, message: impl Into<String>) -> PlanError {
        PlanError::Invalid {
            file: file.to_string(),
            message: one_line(&message.into()),
        }
    }
}

/// `text` on one line: line breaks become spaces.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What the user asked for.
#[derive(Debug, Clone, Copy, Default)]
pub struct Request<'a> {
    /// `--cmd`.
    pub cmd: Option<&'a str>,
    /// The project's `run` setting.
    pub settings_run: Option<&'a str>,
    /// `--target`: a Makefile target, dvc stage or MLproject entry point.
    pub target: Option<&'a str>,
}

/// Every candidate the project declares, best first. dvc.yaml problems are
/// errors only when `strict` (the plan depends on dvc.yaml).
fn ranked(facts: &Facts, strict: bool) -> Result<Vec<candidates::Candidate>, PlanError> {
    let mut all = Vec::new();
    match dvc_stages(facts) {
        Ok(Some(stages)) => all.push(candidates::Candidate {
            source: "dvc.yaml",
            label: "dvc.yaml pipeline".into(),
            about: format!(
                "dvc.yaml declares {} stage(s); run in dependency order without DVC",
                stages.len()
            ),
            stages,
            skip: None,
            rank: (0, 0, 0),
        }),
        Ok(None) => {}
        Err(e) if strict => return Err(e),
        Err(_) => {}
    }
    all.extend(candidates::others(facts));
    all.sort_by_key(|c| c.rank);
    Ok(all)
}

/// Builds the plan. `--cmd` wins, then `--target`, then the project's `run`
/// setting, then the best-ranked command the project declares. `NoCommand`
/// says why no command could be determined; `Invalid` names a declaration
/// that cannot be run (empty command, dvc.yaml that does not parse, stages in
/// a cycle, paths outside the project, a `--target` that does not exist).
pub fn plan(facts: &Facts, req: Request<'_>, artifacts: &[String]) -> Result<Plan, PlanError> {
    for a in artifacts {
        if let Some(why) = outside(a) {
            return Err(PlanError::invalid(
                "settings",
                format!("artifacts: `{a}` {why}"),
            ));
        }
    }
    let explicit: Option<(String, String, Vec<Stage>, String)> = if let Some(c) = req.cmd {
        if c.trim().is_empty() {
            return Err(PlanError::invalid(
                "--cmd",
                "the command is empty: give the shell command to run, or leave --cmd out to run the project's pipeline",
            ));
        }
        Some((
            "--cmd".to_string(),
            "given on the command line".to_string(),
            vec![single(c)],
            "`--cmd` was given".to_string(),
        ))
    } else if let Some(t) = req.target {
        let (source, why, stages) = by_target(facts, t)?;
        Some((source, why, stages, format!("`--target {t}` was given")))
    } else if let Some(c) = req.settings_run {
        if c.trim().is_empty() {
            return Err(PlanError::invalid(
                "settings",
                "`run` is empty: set it to the shell command that runs the pipeline, or remove it",
            ));
        }
        Some((
            "settings".to_string(),
            "the project's `run` setting ([tool.reproscale] / reproscale.toml)".to_string(),
            vec![single(c)],
            "the project's `run` setting wins".to_string(),
        ))
    } else {
        None
    };
    let (source, why, stages, alternatives) = match explicit {
        Some((source, why, stages, won)) => {
            let chosen: Vec<&str> = stages.iter().map(|s| s.cmd.as_str()).collect();
            let alternatives = ranked(facts, false)
                .unwrap_or_default()
                .into_iter()
                .filter(|c| {
                    c.stages
                        .iter()
                        .map(|s| s.cmd.as_str())
                        .ne(chosen.iter().copied())
                })
                .map(|c| Alternative {
                    source: c.label.clone(),
                    commands: c.commands(),
                    why_not: match &c.skip {
                        Some(skip) => format!("{won}; besides, {skip}"),
                        None => won.clone(),
                    },
                })
                .collect();
            (source, why, stages, alternatives)
        }
        None => {
            let all = ranked(facts, true)?;
            let Some(best) = all.iter().position(|c| c.skip.is_none()) else {
                let alternatives: Vec<Alternative> = all
                    .iter()
                    .map(|c| Alternative {
                        source: c.label.clone(),
                        commands: c.commands(),
                        why_not: c.skip.clone().unwrap_or_default(),
                    })
                    .collect();
                let why = if alternatives.is_empty() {
                    "no command to run: pass --cmd, set `run` in [tool.reproscale], or declare a pipeline (dvc.yaml, MLproject, Makefile)".to_string()
                } else {
                    format!(
                        "no training or pipeline command found: the project declares only {} ({}); pass --cmd, --target NAME, or set `run` in [tool.reproscale]",
                        all.iter().map(|c| c.label.as_str()).collect::<Vec<_>>().join(", "),
                        all.iter().filter_map(|c| c.skip.as_deref()).collect::<Vec<_>>().join("; ")
                    )
                };
                return Err(PlanError::NoCommand(why, alternatives));
            };
            let winner = all[best].clone();
            let alternatives: Vec<Alternative> = all
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != best)
                .map(|(_, c)| Alternative {
                    source: c.label.clone(),
                    commands: c.commands(),
                    why_not: match &c.skip {
                        Some(skip) => format!("skipped: {skip}"),
                        None => format!(
                            "ranked below {}: {}",
                            winner.label,
                            lower_reason(&winner, c)
                        ),
                    },
                })
                .collect();
            let why = if alternatives.is_empty() {
                winner.about.clone()
            } else {
                format!(
                    "{}; chosen over {} other candidate(s): training and pipeline commands rank before install/lint/test/deploy targets",
                    winner.about,
                    alternatives.len()
                )
            };
            (winner.source.to_string(), why, winner.stages, alternatives)
        }
    };
    let seeds = super::probes::seed_params(facts, &stages, seed_param(facts, &stages));
    let params = config_params(facts, &seeds)
        .into_iter()
        .map(|p| super::probes::channel(facts, &stages, p))
        .collect();
    Ok(Plan {
        source,
        why,
        stages,
        alternatives,
        artifact_globs: artifacts.to_vec(),
        seeds,
        params,
    })
}

/// Why `c` ranks below `winner`, in words.
fn lower_reason(winner: &candidates::Candidate, c: &candidates::Candidate) -> String {
    match (winner.rank.0, c.rank.0) {
        (0, 1) => format!(
            "{} (not recognisably the training or pipeline command)",
            c.about
        ),
        _ if winner.source == "dvc.yaml" => {
            format!("{}; the dvc.yaml pipeline comes first", c.about)
        }
        _ => c.about.clone(),
    }
}

/// `--target NAME`: a dvc stage (with the stages it depends on), a root
/// Makefile target or an MLproject entry point. A name that is none of these
/// is an input error listing the names there are.
fn by_target(facts: &Facts, name: &str) -> Result<(String, String, Vec<Stage>), PlanError> {
    if name.trim().is_empty() {
        return Err(PlanError::invalid("--target", "the name is empty"));
    }
    let all = &facts.pipelines.dvc_stages;
    if let Some(at) = all.iter().position(|(_, s)| s.name == name) {
        let ordered = dvc_stages(facts)?.unwrap_or_default();
        // The stage and, transitively, the stages whose outputs it reads.
        let mut need = vec![at];
        let mut i = 0;
        while let Some(&b) = need.get(i) {
            i += 1;
            for (a, (_, sa)) in all.iter().enumerate() {
                let feeds = all[b].1.deps.iter().any(|d| {
                    sa.outs
                        .iter()
                        .any(|o| d == o || d.starts_with(&format!("{o}/")))
                });
                if feeds && !need.contains(&a) {
                    need.push(a);
                }
            }
        }
        let names: Vec<&str> = need.iter().map(|&i| all[i].1.name.as_str()).collect();
        let stages: Vec<Stage> = ordered
            .into_iter()
            .filter(|s| names.contains(&s.name.as_str()))
            .collect();
        let why = if stages.len() > 1 {
            format!(
                "--target {name}: dvc.yaml stage `{name}` and the {} stage(s) it depends on, in dependency order",
                stages.len() - 1
            )
        } else {
            format!("--target {name}: dvc.yaml stage `{name}`")
        };
        return Ok(("dvc.yaml".into(), why, stages));
    }
    let make = candidates::root_makefile(facts)
        .map(|(path, text)| (path, candidates::make_targets(text)))
        .unwrap_or_default();
    if make.1.iter().any(|t| t.name == name) {
        return Ok((
            "Makefile".into(),
            format!("--target {name}: {} target `{name}`", make.0),
            vec![Stage {
                name: name.to_string(),
                cmd: format!("make {name}"),
                wdir: String::new(),
                outs: Vec::new(),
            }],
        ));
    }
    let entries = candidates::mlproject_entries(facts);
    if let Some((path, _, cmd)) = entries.iter().find(|(_, n, _)| n == name) {
        return Ok((
            "MLproject".into(),
            format!("--target {name}: {path} entry point `{name}` with its default parameters"),
            vec![Stage {
                name: name.to_string(),
                ..single(cmd)
            }],
        ));
    }
    let list = |names: Vec<&str>| {
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    };
    let mut available = format!(
        "Makefile targets: {}; dvc stages: {}",
        list(make.1.iter().map(|t| t.name.as_str()).collect()),
        list(all.iter().map(|(_, s)| s.name.as_str()).collect())
    );
    if !entries.is_empty() {
        available.push_str(&format!(
            "; MLproject entry points: {}",
            list(entries.iter().map(|(_, n, _)| n.as_str()).collect())
        ));
    }
    Err(PlanError::invalid(
        "--target",
        format!("no Makefile target or dvc stage named `{name}` ({available})"),
    ))
}

fn single(cmd: &str) -> Stage {
    Stage {
        name: "main".into(),
        cmd: cmd.to_string(),
        wdir: String::new(),
        outs: Vec::new(),
    }
}

/// Why a path declared by the project would lead out of its copy: absolute,
/// or climbing out with `..`. `None` when it stays inside.
fn outside(path: &str) -> Option<&'static str> {
    if path.starts_with('/') {
        return Some(
            "is outside the project (an absolute path): give it relative to the project root",
        );
    }
    let mut depth: usize = 0;
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return Some("climbs out of the project with `..`"),
            },
            _ => depth += 1,
        }
    }
    None
}

/// dvc.yaml stages, ordered so that a stage runs after the stages whose outputs it reads.
/// `Ok(None)` when the project declares no stage; `Invalid` when a dvc.yaml
/// cannot be read or parsed, a stage has no command or a path outside the
/// project, or the stages depend on each other in a cycle.
fn dvc_stages(facts: &Facts) -> Result<Option<Vec<Stage>>, PlanError> {
    let is_dvc = |path: &str| path == "dvc.yaml" || path.ends_with("/dvc.yaml");
    for (path, problem) in &facts.pipelines.problems {
        if is_dvc(path) {
            return Err(PlanError::invalid(
                path,
                format!(
                    "cannot be parsed: {}",
                    problem.trim_start_matches("error: ")
                ),
            ));
        }
    }
    for f in facts.project.files.iter().filter(|f| is_dvc(&f.path)) {
        if f.text().is_none() {
            let reason = facts
                .project
                .skipped
                .iter()
                .find(|s| s.path == f.path)
                .map_or("it is not text", |s| s.reason.as_str());
            return Err(PlanError::invalid(
                &f.path,
                format!("cannot be read: {reason}"),
            ));
        }
    }
    let all = &facts.pipelines.dvc_stages;
    if all.is_empty() {
        return Ok(None);
    }
    for (path, s) in all {
        if s.cmds.iter().all(|c| c.trim().is_empty()) {
            return Err(PlanError::invalid(
                path,
                format!("stage `{}` has no cmd", s.name),
            ));
        }
        if let Some(why) = outside(&s.wdir) {
            return Err(PlanError::invalid(
                path,
                format!("stage `{}`: wdir `{}` {why}", s.name, s.wdir),
            ));
        }
        for o in &s.outs {
            if let Some(why) = outside(o) {
                return Err(PlanError::invalid(
                    path,
                    format!("stage `{}`: output `{o}` {why}", s.name),
                ));
            }
        }
    }
    // produces(a, b): stage b reads an output of stage a.
    let produces = |a: usize, b: usize| {
        let (_, sa) = &all[a];
        let (_, sb) = &all[b];
        sb.deps.iter().any(|d| {
            sa.outs
                .iter()
                .any(|o| d == o || d.starts_with(&format!("{o}/")))
        })
    };
    let n = all.len();
    let mut done = vec![false; n];
    let mut order = Vec::with_capacity(n);
    while order.len() < n {
        // The first stage (in file order) whose producers have all run.
        let ready =
            (0..n).find(|&i| !done[i] && (0..n).all(|j| j == i || done[j] || !produces(j, i)));
        let Some(next) = ready else {
            return Err(cycle(all, &done, &produces));
        };
        done[next] = true;
        order.push(next);
    }
    Ok(Some(
        order
            .into_iter()
            .map(|i| {
                let (_, s) = &all[i];
                Stage {
                    name: s.name.clone(),
                    cmd: s.cmds.join(" && "),
                    wdir: s.wdir.clone(),
                    outs: s.outs.clone(),
                }
            })
            .collect(),
    ))
}

/// Names a cycle among the stages not yet ordered (every one of them has a
/// producer among them, so walking from stage to producer must come back).
fn cycle(
    all: &[(String, crate::facts::pipeline::DvcStage)],
    done: &[bool],
    produces: &dyn Fn(usize, usize) -> bool,
) -> PlanError {
    let n = all.len();
    let start = (0..n).find(|&i| !done[i]).unwrap_or(0);
    let mut walk = vec![start];
    let mut at = start;
    // At most n steps reach a stage seen before.
    for _ in 0..n {
        let Some(producer) = (0..n).find(|&j| j != at && !done[j] && produces(j, at)) else {
            break;
        };
        if let Some(pos) = walk.iter().position(|&w| w == producer) {
            let mut names: Vec<&str> = walk[pos..]
                .iter()
                .map(|&i| all[i].1.name.as_str())
                .collect();
            names.push(all[producer].1.name.as_str());
            return PlanError::invalid(
                &all[producer].0,
                format!(
                    "stages form a cycle: {} (each stage needs an output of the next)",
                    names.join(" -> ")
                ),
            );
        }
        walk.push(producer);
        at = producer;
    }
    let names: Vec<&str> = (0..n)
        .filter(|&i| !done[i])
        .map(|i| all[i].1.name.as_str())
        .collect();
    PlanError::invalid(
        all.get(start).map_or("dvc.yaml", |(p, _)| p.as_str()),
        format!("stages form a cycle: {}", names.join(", ")),
    )
}

/// Where the seed comes from, if a probe can change it.
fn seed_param(facts: &Facts, stages: &[Stage]) -> Option<Param> {
    let points = seeds::seed_points(facts);
    for p in points.iter().filter(|p| p.on_path) {
        for v in &p.values {
            match v {
                Value::Config(k) => {
                    if let Some(param) = config_key(facts, k.trim_start_matches("*.")) {
                        return Some(param);
                    }
                }
                Value::Cli(flag)
                    if stages.iter().any(|s| s.cmd.contains(&format!("--{flag}")))
                        || !flag.starts_with("argv") =>
                {
                    let default = facts
                        .python
                        .iter()
                        .flat_map(|f| &f.cli_params)
                        .find(|c| &c.name == flag)
                        .and_then(|c| {
                            c.default
                                .as_ref()
                                .and_then(|d| d.as_lit().map(|l| l.text()))
                        })
                        .unwrap_or_default();
                    return Some(Param {
                        name: flag.clone(),
                        value: default,
                        knob: Knob::Flag { flag: flag.clone() },
                    });
                }
                _ => {}
            }
        }
    }
    None
}

/// A numeric config key, located on its line.
fn config_key(facts: &Facts, key: &str) -> Option<Param> {
    for c in &facts.configs {
        for k in &c.keys {
            let matches = k.key == key || k.key.ends_with(&format!(".{key}"));
            if matches && k.value.parse::<f64>().is_ok() {
                if let Some(line) = k.line {
                    return Some(Param {
                        name: k.key.clone(),
                        value: k.value.clone(),
                        knob: Knob::ConfigLine {
                            file: c.path.clone(),
                            line,
                        },
                    });
                }
            }
        }
    }
    None
}

/// A few numeric parameters to perturb, the run's main knobs first.
fn config_params(facts: &Facts, seeds: &[Param]) -> Vec<Param> {
    let rank = |k: &str| {
        let last = k.rsplit('.').next().unwrap_or(k).to_ascii_lowercase();
        [
            "epochs",
            "num_epochs",
            "max_epochs",
            "steps",
            "max_steps",
            "iterations",
            "n_iter",
            "max_iter",
            "lr",
            "learning_rate",
        ]
        .iter()
        .position(|n| *n == last)
        .unwrap_or(100)
    };
    let mut out: Vec<(usize, Param)> = Vec::new();
    for c in &facts.configs {
        for k in &c.keys {
            let is_seed = k
                .key
                .rsplit('.')
                .next()
                .is_some_and(|l| l.to_ascii_lowercase().contains("seed"));
            if is_seed
                || seeds.iter().any(|s| s.name == k.key)
                || k.value.parse::<f64>().is_err()
                || k.value == "true"
                || k.value == "false"
            {
                continue;
            }
            if let Some(line) = k.line {
                out.push((
                    rank(&k.key),
                    Param {
                        name: k.key.clone(),
                        value: k.value.clone(),
                        knob: Knob::ConfigLine {
                            file: c.path.clone(),
                            line,
                        },
                    },
                ));
            }
        }
    }
    out.sort_by_key(|(r, p)| (*r, p.name.clone()));
    out.into_iter().take(3).map(|(_, p)| p).collect()
}

/// A changed value for a probe: integers +1, other numbers ×1.5 (or 0.5 when 0).
pub fn perturbed(value: &str) -> String {
    if let Ok(i) = value.parse::<i64>() {
        return (i + 1).to_string();
    }
    match value.parse::<f64>() {
        Ok(0.0) => "0.5".into(),
        // Six significant digits: 0.1 becomes 0.15, not 0.15000000000000002.
        Ok(f) => {
            let s = format!("{:.*e}", 5, f * 1.5);
            s.parse::<f64>().map(|v| format!("{v}")).unwrap_or(s)
        }
        Err(_) => value.to_string(),
    }
}

/// Applies a knob to a copy of the project (`root`), or to the commands.
pub fn apply(
    param: &Param,
    new_value: &str,
    root: &std::path::Path,
    stages: &mut [Stage],
) -> Result<(), String> {
    match &param.knob {
        Knob::ConfigLine { file, line } => {
            let path = root.join(file);
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("cannot read {file}: {e}"))?;
            let mut lines: Vec<String> = text.lines().map(String::from).collect();
            let idx = usize::try_from(*line)
                .map_err(|e| e.to_string())?
                .saturating_sub(1);
            let l = lines
                .get_mut(idx)
                .ok_or_else(|| format!("{file}:{line} does not exist"))?;
            let at = l
                .rfind(&param.value)
                .ok_or_else(|| format!("{file}:{line} does not hold `{}`", param.value))?;
            l.replace_range(at..at + param.value.len(), new_value);
            let mut out = lines.join("\n");
            if text.ends_with('\n') {
                out.push('\n');
            }
            std::fs::write(&path, out).map_err(|e| format!("cannot write {file}: {e}"))
        }
        Knob::Override { .. } | Knob::Template { .. } => {
            super::probes::apply_to_commands(param, new_value, stages)
        }
        Knob::Flag { flag } => {
            let dashed = format!("--{flag}");
            let mut replaced = false;
            for s in stages.iter_mut() {
                let words: Vec<&str> = s.cmd.split_whitespace().collect();
                if let Some(i) = words
                    .iter()
                    .position(|w| *w == dashed || w.starts_with(&format!("{dashed}=")))
                {
                    let mut w: Vec<String> = words.iter().map(|x| x.to_string()).collect();
                    if w[i].contains('=') {
                        w[i] = format!("{dashed}={new_value}");
                    } else if i + 1 < w.len() {
                        w[i + 1] = new_value.to_string();
                    }
                    s.cmd = w.join(" ");
                    replaced = true;
                }
            }
            // Not passed anywhere: give it to the first command that runs Python.
            if !replaced {
                let s = stages
                    .iter_mut()
                    .find(|s| s.cmd.contains("python"))
                    .ok_or_else(|| format!("no command takes --{flag}"))?;
                s.cmd = format!("{} {dashed} {new_value}", s.cmd);
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perturbation() {
        assert_eq!(perturbed("3"), "4");
        assert_eq!(perturbed("0.1"), "0.15");
        assert_eq!(perturbed("2.5e-4"), "0.000375");
        assert_eq!(perturbed("0"), "1");
        assert_eq!(perturbed("0.0"), "0.5");
    }

    #[test]
    fn flag_knob_replaces_or_appends() {
        let mut stages = vec![
            single("python train.py --seed 1 --lr=0.1"),
            single("python eval.py"),
        ];
        let p = Param {
            name: "seed".into(),
            value: "1".into(),
            knob: Knob::Flag {
                flag: "seed".into(),
            },
        };
        apply(&p, "2", std::path::Path::new("."), &mut stages).expect("apply");
        assert_eq!(stages[0].cmd, "python train.py --seed 2 --lr=0.1");
        assert_eq!(
            stages[1].cmd, "python eval.py",
            "only commands that pass the flag change"
        );
    }
}
