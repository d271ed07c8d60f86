//! Seed and config probes (SPEC §6.5): which parameters get one, how each is
//! changed, and what the probe run showed.
//!
//! Every seed-like key of the project's configs (`seed`, `random_seed`,
//! `random_state`, `rng_seed`, `seed_value`, `*_seed`, nested keys too) gets a
//! seed probe, whatever static analysis concluded about it: a seed whose
//! change leaves the outputs alone is `not_wired`.
//!
//! A probe changes a value through the pipeline's own override channel where
//! editing a file is not how the project is run: a Hydra `key=value`
//! override appended to the command that runs the `@hydra.main` script,
//! `make VAR=value` when the plan runs `make` and the Makefile uses the
//! variable, the MLproject parameter (what `mlflow run -P key=value` does)
//! when the plan runs an MLproject entry point. Otherwise the copy's config
//! file is edited on the value's line (dvc `params.yaml` included).
//!
//! A probe run that fails is the probe's own failure: `verdict` is left out
//! and `error` holds the exit and stderr tail. It never counts as wired.

use std::path::Path;

use crate::facts::config::ConfigFile;
use crate::facts::Facts;

use super::compare::Tolerances;
use super::plan::{self, Knob, Param, Plan, Stage};
use super::run::{self, RunResult, RunSpec};
use super::{Probe, ProbeVerdict};

/// At most this many seed probes (each is a full run of the pipeline).
pub const MAX_SEED_PROBES: usize = 12;

/// Whether a config key (its last dotted segment) names a seed.
pub fn seed_like(key: &str) -> bool {
    let last = key.rsplit('.').next().unwrap_or(key).to_ascii_lowercase();
    matches!(
        last.as_str(),
        "seed" | "random_seed" | "random_state" | "rng_seed" | "seed_value"
    ) || last.ends_with("_seed")
}

/// A value a seed probe can change: an integer, or unset (`null`, `None`, `~`).
fn seed_value(value: &str) -> bool {
    value.parse::<i64>().is_ok() || matches!(value, "null" | "None" | "~" | "none" | "Null")
}

/// The value a probe sets: integers +1, other numbers ×1.5, an unset seed 1.
pub fn new_value(value: &str) -> String {
    match value {
        "null" | "None" | "~" | "none" | "Null" => "1".into(),
        _ => plan::perturbed(value),
    }
}

/// Every seed-like parameter the project declares, `first` (what static
/// analysis traced the seeding calls to) first, each through the channel the
/// pipeline is run by. At most [`MAX_SEED_PROBES`].
pub fn seed_params(facts: &Facts, stages: &[Stage], first: Option<Param>) -> Vec<Param> {
    let mut out: Vec<Param> = Vec::new();
    let push = |p: Param, out: &mut Vec<Param>| {
        if !out.iter().any(|q| q.knob == p.knob || same_key(q, &p)) {
            out.push(p);
        }
    };
    if let Some(p) = first {
        push(channel(facts, stages, p), &mut out);
    }
    for c in &facts.configs {
        for k in &c.keys {
            if !seed_like(&k.key) || !seed_value(&k.value) {
                continue;
            }
            let Some(line) = k.line else { continue };
            let p = Param {
                name: k.key.clone(),
                value: k.value.clone(),
                knob: Knob::ConfigLine {
                    file: c.path.clone(),
                    line,
                },
            };
            push(channel(facts, stages, p), &mut out);
        }
    }
    // `make VAR=value`: seed-like variables the Makefile uses, when the plan runs make.
    if stages.iter().any(|s| runs_make(&s.cmd)) {
        if let Some((makefile, text)) = super::candidates::root_makefile(facts) {
            for (path, name, value, _) in &facts.pipelines.make_vars {
                let used =
                    text.contains(&format!("$({name})")) || text.contains(&format!("${{{name}}}"));
                if path == &makefile && seed_like(name) && seed_value(value) && used {
                    push(
                        Param {
                            name: name.clone(),
                            value: value.clone(),
                            knob: Knob::Override {
                                key: name.clone(),
                                runs: "make".into(),
                                channel: "make".into(),
                            },
                        },
                        &mut out,
                    );
                }
            }
        }
    }
    // MLproject parameters with a seed-like name, when the plan runs that entry point.
    for (path, entry, template) in &facts.pipelines.mlproject_entries {
        for p in facts
            .pipelines
            .mlproject_params
            .iter()
            .filter(|p| &p.path == path && &p.entry_point == entry && seed_like(&p.name))
        {
            let Some(default) = p.default.as_deref().filter(|d| seed_value(d)) else {
                continue;
            };
            let rendered = render(facts, path, entry, template, None);
            if !stages.iter().any(|s| s.cmd == rendered) {
                continue;
            }
            push(
                Param {
                    name: p.name.clone(),
                    value: default.to_string(),
                    knob: Knob::Template {
                        command: rendered,
                        template: render(facts, path, entry, template, Some(&p.name)),
                        placeholder: format!("{{{}}}", p.name),
                    },
                },
                &mut out,
            );
        }
    }
    out.truncate(MAX_SEED_PROBES);
    out
}

/// Two parameters for the same key changed the same way (a Hydra override
/// named from two option files of one group).
fn same_key(a: &Param, b: &Param) -> bool {
    matches!(
        (&a.knob, &b.knob),
        (Knob::Override { .. }, Knob::Override { .. })
    ) && a.name == b.name
}

/// An MLproject command template with every default filled in but `keep`.
fn render(facts: &Facts, path: &str, entry: &str, template: &str, keep: Option<&str>) -> String {
    let mut cmd = template.to_string();
    for p in facts
        .pipelines
        .mlproject_params
        .iter()
        .filter(|p| p.path == path && p.entry_point == entry && Some(p.name.as_str()) != keep)
    {
        if let Some(d) = &p.default {
            cmd = cmd.replace(&format!("{{{}}}", p.name), d);
        }
    }
    cmd
}

fn runs_make(cmd: &str) -> bool {
    let first = cmd.split_whitespace().next().unwrap_or("");
    first == "make" || first.ends_with("/make") || first == "gmake"
}

/// A config-line parameter changed through the pipeline's override channel
/// where it has one: a key of a Hydra config folder becomes a `key=value`
/// override on the command that runs the `@hydra.main` script.
pub fn channel(facts: &Facts, stages: &[Stage], p: Param) -> Param {
    let Knob::ConfigLine { file, .. } = &p.knob else {
        return p;
    };
    let Some(config) = facts.configs.iter().find(|c| &c.path == file) else {
        return p;
    };
    match hydra_script(facts, stages, config) {
        Some(script) => Param {
            knob: Knob::Override {
                key: p.name.clone(),
                runs: script,
                channel: "hydra".into(),
            },
            ..p
        },
        None => p,
    }
}

/// The `@hydra.main` script a stage runs whose config folder holds `config`.
fn hydra_script(facts: &Facts, stages: &[Stage], config: &ConfigFile) -> Option<String> {
    for f in facts.python.iter().filter(|f| !f.hydra_mains.is_empty()) {
        let base = f.path.rsplit_once('/').map_or("", |(d, _)| d);
        let holds = f.hydra_mains.iter().any(|h| {
            let dir = match &h.config_path {
                Some(cp) => crate::facts::pipeline::join(base, cp),
                None => base.to_string(),
            };
            dir.is_empty() || config.path.starts_with(&format!("{dir}/"))
        }) || facts
            .hydra_dirs
            .iter()
            .any(|d| d.is_empty() || config.path.starts_with(&format!("{d}/")));
        if !holds {
            continue;
        }
        if let Some(word) = stages
            .iter()
            .find_map(|s| script_word(&s.cmd, &s.wdir, &f.path))
        {
            return Some(word);
        }
    }
    None
}

/// The word of `cmd` that runs `script` (`train.py`, `src/train.py`,
/// `-m src.train`), if one does.
fn script_word(cmd: &str, wdir: &str, script: &str) -> Option<String> {
    let words: Vec<&str> = cmd.split_whitespace().collect();
    let module = script.trim_end_matches(".py").replace('/', ".");
    for (i, w) in words.iter().enumerate() {
        let w = w.trim_matches(|c| c == '"' || c == '\'');
        let rel = w.trim_start_matches("./");
        let joined = if wdir.is_empty() {
            rel.to_string()
        } else {
            format!("{}/{rel}", wdir.trim_end_matches('/'))
        };
        if rel.ends_with(".py") && (joined == script || rel == script) {
            return Some(w.to_string());
        }
        if i > 0 && words[i - 1] == "-m" && (rel == module || module.ends_with(&format!(".{rel}")))
        {
            return Some(w.to_string());
        }
    }
    None
}

/// Applies an override or template knob to the commands. `Err` when no
/// command runs what the knob names.
pub fn apply_to_commands(p: &Param, value: &str, stages: &mut [Stage]) -> Result<(), String> {
    match &p.knob {
        Knob::Override { key, runs, channel } => {
            let mut done = false;
            for s in stages.iter_mut() {
                let hit = if channel == "make" {
                    runs_make(&s.cmd)
                } else {
                    s.cmd
                        .split_whitespace()
                        .any(|w| w.trim_matches(|c| c == '"' || c == '\'') == runs)
                };
                if hit {
                    s.cmd = append_override(&s.cmd, runs, channel, key, value);
                    done = true;
                }
            }
            if done {
                Ok(())
            } else {
                Err(format!("no command runs `{runs}` to take `{key}={value}`"))
            }
        }
        Knob::Template {
            command,
            template,
            placeholder,
        } => {
            let mut done = false;
            for s in stages.iter_mut().filter(|s| &s.cmd == command) {
                s.cmd = template.replace(placeholder.as_str(), value);
                done = true;
            }
            if done {
                Ok(())
            } else {
                Err(format!(
                    "no command is the MLproject entry point `{command}`"
                ))
            }
        }
        _ => Ok(()),
    }
}

/// `cmd` with `key=value` given to what runs `runs`: right after the script
/// and its own arguments for Hydra (at the end of that command, before any
/// `&&`, `;`, `|` that follows), at the end of the `make` command for make.
pub fn append_override(cmd: &str, runs: &str, channel: &str, key: &str, value: &str) -> String {
    let words: Vec<&str> = cmd.split_whitespace().collect();
    let start = if channel == "make" {
        words.iter().position(|w| runs_make(w))
    } else {
        words
            .iter()
            .position(|w| w.trim_matches(|c| c == '"' || c == '\'') == runs)
    };
    let Some(start) = start else {
        return format!("{cmd} {key}={value}");
    };
    let end = words[start..]
        .iter()
        .position(|w| {
            matches!(
                *w,
                "&&" | "||" | ";" | "|" | ">" | ">>" | "2>" | "2>&1" | "&"
            )
        })
        .map_or(words.len(), |i| start + i);
    // Replace an override of the same key that is already there.
    let mut out: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    let prefix = format!("{key}=");
    if let Some(i) = (start + 1..end).find(|&i| {
        let w = words[i].trim_start_matches(['+', '~']);
        w.starts_with(&prefix)
    }) {
        out[i] = format!("{key}={value}");
    } else {
        out.insert(end, format!("{key}={value}"));
    }
    out.join(" ")
}

/// What a probe needs besides its parameter.
pub struct Context<'a> {
    /// The plan.
    pub plan: &'a Plan,
    /// How runs are made.
    pub spec: &'a RunSpec,
    /// verify's temporary folder.
    pub base: &'a Path,
    /// Run 0, the reference.
    pub reference: &'a RunResult,
    /// The artifacts compared.
    pub paths: &'a [String],
    /// Tolerances.
    pub tol: &'a Tolerances,
    /// Volatile keys.
    pub volatile: &'a [String],
}

/// Runs one probe: the pipeline once more with `param` changed, in a copy of
/// its own, compared with the reference run.
pub fn probe(kind: &'static str, param: &Param, index: usize, cx: &Context<'_>) -> Probe {
    let to = new_value(&param.value);
    let failed = |evidence: String, error: String| Probe {
        kind,
        param: param.name.clone(),
        from: param.value.clone(),
        to: to.clone(),
        outputs_changed: false,
        verdict: None,
        evidence,
        error: Some(error),
        channel: channel_name(&param.knob),
    };
    let mut stages = cx.plan.stages.clone();
    // Flags, overrides and templates change the commands; config lines change the copy.
    let changed_commands = match &param.knob {
        Knob::Flag { .. } => plan::apply(param, &to, cx.base, &mut stages),
        Knob::Override { .. } | Knob::Template { .. } => apply_to_commands(param, &to, &mut stages),
        Knob::ConfigLine { .. } => Ok(()),
    };
    if let Err(e) = changed_commands {
        return failed("the probe could not change the value".into(), e);
    }
    let prepare = |dir: &Path| -> Result<(), String> {
        match &param.knob {
            Knob::ConfigLine { .. } => plan::apply(param, &to, dir, &mut Vec::new()),
            _ => Ok(()),
        }
    };
    let r = run::run(
        index,
        &stages,
        cx.spec,
        cx.base,
        Some((&format!("{kind}-probe-{index}"), Vec::new())),
        &prepare,
    );
    match r {
        Ok(r) if r.succeeded() => {
            let changed = super::changed_artifacts(cx.reference, &r, cx.paths, cx.tol, cx.volatile);
            let wired = !changed.is_empty();
            Probe {
                kind,
                param: param.name.clone(),
                from: param.value.clone(),
                to: to.clone(),
                outputs_changed: wired,
                verdict: Some(ProbeVerdict::of(wired)),
                evidence: if wired {
                    format!("outputs changed: {}", changed.join(", "))
                } else {
                    format!(
                        "{} = {} gave the same outputs as {}: the value is not used",
                        param.name, to, param.value
                    )
                },
                error: None,
                channel: channel_name(&param.knob),
            }
        }
        Ok(r) => {
            let stage = r.stages.last();
            let what = match stage {
                Some(s) if s.timed_out => format!("the probe run's stage `{}` timed out", s.name),
                Some(s) => format!(
                    "the probe run's stage `{}` exited with {}",
                    s.name,
                    s.exit_code
                        .map_or("a signal".to_string(), |c| c.to_string())
                ),
                None => "the probe run failed".to_string(),
            };
            let tail = stage.map(|s| s.stderr_tail.clone()).unwrap_or_default();
            failed(
                format!("{what} with {} = {to}: not counted as wired", param.name),
                if tail.is_empty() {
                    what
                } else {
                    format!("{what}:\n{tail}")
                },
            )
        }
        Err(e) => failed("the probe run could not start".into(), e),
    }
}

/// How the probe changed the value, for the JSON.
fn channel_name(k: &Knob) -> &'static str {
    match k {
        Knob::ConfigLine { .. } => "config_file",
        Knob::Flag { .. } => "flag",
        Knob::Override { channel, .. } if channel == "make" => "make_variable",
        Knob::Override { .. } => "hydra_override",
        Knob::Template { .. } => "mlproject_parameter",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_verdicts_are_the_spec_values() {
        assert_eq!(ProbeVerdict::of(true).as_str(), "wired");
        assert_eq!(ProbeVerdict::of(false).as_str(), "not_wired");
        for v in ProbeVerdict::ALL {
            assert_eq!(v.as_str().parse::<ProbeVerdict>(), Ok(v));
            let json = serde_json::to_string(&v).expect("serializes");
            assert_eq!(json, format!("\"{v}\""));
            assert_eq!(serde_json::from_str::<ProbeVerdict>(&json).ok(), Some(v));
        }
        assert!("unwired".parse::<ProbeVerdict>().is_err());
    }

    #[test]
    fn seed_like_keys() {
        for k in [
            "seed",
            "train.seed",
            "random_seed",
            "model.random_state",
            "rng_seed",
            "seed_value",
            "data.split_seed",
            "SEED",
        ] {
            assert!(seed_like(k), "{k}");
        }
        for k in ["seeds_dir", "lr", "seeded", "train.epochs"] {
            assert!(!seed_like(k), "{k}");
        }
    }

    #[test]
    fn hydra_override_goes_after_the_script() {
        assert_eq!(
            append_override("python train.py", "train.py", "hydra", "train.seed", "6"),
            "python train.py train.seed=6"
        );
        assert_eq!(
            append_override(
                "python src/train.py model=big && python eval.py",
                "src/train.py",
                "hydra",
                "seed",
                "6"
            ),
            "python src/train.py model=big seed=6 && python eval.py"
        );
        assert_eq!(
            append_override("python train.py seed=1", "train.py", "hydra", "seed", "2"),
            "python train.py seed=2"
        );
        assert_eq!(
            append_override("make train", "make", "make", "SEED", "6"),
            "make train SEED=6"
        );
    }

    #[test]
    fn override_knob_changes_only_the_commands_that_run_the_script() {
        let stage = |cmd: &str| Stage {
            name: "s".into(),
            cmd: cmd.into(),
            wdir: String::new(),
            outs: vec![],
        };
        let mut stages = vec![stage("python prep.py"), stage("python train.py")];
        let p = Param {
            name: "train.seed".into(),
            value: "5".into(),
            knob: Knob::Override {
                key: "train.seed".into(),
                runs: "train.py".into(),
                channel: "hydra".into(),
            },
        };
        apply_to_commands(&p, "6", &mut stages).expect("applies");
        assert_eq!(stages[0].cmd, "python prep.py");
        assert_eq!(stages[1].cmd, "python train.py train.seed=6");
        let mut none = vec![stage("python other.py")];
        assert!(apply_to_commands(&p, "6", &mut none).is_err());
    }

    #[test]
    fn script_words() {
        assert_eq!(
            script_word("python ./train.py x=1", "", "train.py").as_deref(),
            Some("./train.py")
        );
        assert_eq!(
            script_word("python -m src.train", "", "src/train.py").as_deref(),
            Some("src.train")
        );
        assert_eq!(
            script_word("python train.py", "src", "src/train.py").as_deref(),
            Some("train.py")
        );
        assert_eq!(script_word("python eval.py", "", "train.py"), None);
    }

    #[test]
    fn unset_seed_gets_a_value() {
        assert_eq!(new_value("null"), "1");
        assert_eq!(new_value("5"), "6");
    }
}
