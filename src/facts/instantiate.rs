//! Classes that a framework builds from configuration, and the configs it reads itself.
//!
//! `LightningCLI()` reads YAML given with `--config` and instantiates the classes named
//! by `class_path:`. No import statement names those modules, so without this the model
//! and data code would fall off the run path, with every RNG call and data read in it.
//! The file that builds the CLI is given one import per configured class of the project,
//! which is what happens when it runs.
//!
//! Hydra's `_target_:` is not linked this way: a Hydra config folder holds every
//! alternative of each group (five datamodules, one chosen by `defaults:`), and linking
//! them all would put code that the run never imports on the path.

use super::config::ConfigFile;
use super::python::{ArgKind, Call, Import, PyFile};
use super::values::{Lit, Loc, Value};
use crate::source::Project;

/// Top-level keys of a LightningCLI config (the `fit` subcommand's and the root's).
const CLI_KEYS: &[&str] = &[
    "trainer",
    "model",
    "data",
    "seed_everything",
    "optimizer",
    "lr_scheduler",
    "ckpt_path",
    "fit",
    "validate",
    "test",
    "predict",
];

/// A `LightningCLI(...)` call: (file, where).
#[derive(Debug, Clone)]
pub struct CliSite {
    /// The file that builds the CLI.
    pub path: String,
    /// Where.
    pub loc: Loc,
}

fn is_lightning_cli(call: &Call) -> bool {
    call.name() == "LightningCLI"
}

/// Where the project builds a LightningCLI.
pub fn lightning_cli_sites(python: &[PyFile]) -> Vec<CliSite> {
    python
        .iter()
        .flat_map(|f| {
            f.calls
                .iter()
                .filter(|c| is_lightning_cli(c))
                .map(|c| CliSite {
                    path: f.path.clone(),
                    loc: c.loc,
                })
        })
        .collect()
}

/// Whether a config is shaped for LightningCLI: its top-level keys are the CLI's own.
pub fn is_cli_config(c: &ConfigFile) -> bool {
    let mut any = false;
    for k in &c.keys {
        let top = k.key.split('.').next().unwrap_or(&k.key);
        if !CLI_KEYS.contains(&top) {
            return false;
        }
        any |= matches!(top, "trainer" | "model" | "data" | "seed_everything");
    }
    any
}

/// Adds the imports that LightningCLI's instantiation performs, and the seeding LightningCLI does from
/// an integer `seed_everything:` in its configs.
pub fn link(python: &mut [PyFile], configs: &[ConfigFile], project: &Project) {
    let cli_targets = targets(configs, project, |key| {
        key == "class_path" || key.ends_with(".class_path")
    });
    let cli_seed = configs
        .iter()
        .filter(|c| is_cli_config(c))
        .flat_map(|c| &c.keys)
        .find(|k| k.key == "seed_everything" && k.value.trim().parse::<i64>().is_ok())
        .map(|k| k.key.clone());
    for f in python.iter_mut() {
        let mut added: Vec<Import> = Vec::new();
        let mut seeds: Vec<Call> = Vec::new();
        for call in &f.calls {
            if is_lightning_cli(call) {
                // `LightningCLI(seed_everything_default=7)`; a config's integer wins.
                let default = call.kwarg("seed_everything_default");
                let seed = match (&cli_seed, default) {
                    (Some(key), _) => Some(Value::Config(key.clone())),
                    (None, Some(v @ Value::Lit(Lit::Int(_)))) => Some(v.clone()),
                    _ => None,
                };
                if let Some(seed) = seed {
                    seeds.push(seed_call(call.loc, seed));
                }
            } else {
                continue;
            }
            for target in &cli_targets {
                let Some((module, name)) = target.rsplit_once('.') else {
                    continue;
                };
                if added
                    .iter()
                    .any(|i| i.module == module && i.name.as_deref() == Some(name))
                {
                    continue;
                }
                added.push(Import {
                    module: module.to_string(),
                    name: Some(name.to_string()),
                    level: 0,
                    loc: call.loc,
                });
            }
        }
        f.imports.extend(added);
        f.calls.extend(seeds);
    }
}

/// The dotted class paths under matching keys whose first name is the project's own.
fn targets(
    configs: &[ConfigFile],
    project: &Project,
    wanted: impl Fn(&str) -> bool,
) -> Vec<String> {
    let mut out: Vec<String> = configs
        .iter()
        .flat_map(|c| &c.keys)
        .filter(|k| wanted(&k.key))
        .map(|k| k.value.trim().trim_matches(['"', '\'']).to_string())
        .filter(|v| {
            v.contains('.')
                && v.split('.')
                    .all(|s| !s.is_empty() && s.chars().all(|c| c == '_' || c.is_alphanumeric()))
        })
        .filter(|v| {
            let first = v.split('.').next().unwrap_or(v);
            project.exists(first)
                || project.exists(&format!("{first}.py"))
                || project.exists(&format!("src/{first}"))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

fn seed_call(loc: Loc, seed: Value) -> Call {
    let kind = if matches!(seed, Value::Lit(_)) {
        ArgKind::Literal
    } else {
        ArgKind::Attribute
    };
    Call {
        callee: "lightning.pytorch.seed_everything".into(),
        loc,
        args: vec![seed],
        kwargs: Vec::new(),
        star_kwargs: false,
        in_sorted: false,
        initial_weight: false,
        assigned_to: None,
        arg_kinds: vec![kind],
        kwarg_kinds: Vec::new(),
    }
}
