//! Rules over the Python facts, one file per rule, registered in one table.
//!
//! A rule's id, docs and fix live beside its check; `explain <rule>` and every
//! output read them from [`RULES`]. Rules read facts only.

mod cudnn_benchmark;
pub(crate) mod data_paths;
mod dataloader_worker_seed;
mod hardcoded_hyperparameter;
mod nondeterministic_op;
mod pythonhashseed_in_process;
mod random_state_unset;
mod seed_from_entropy;
pub mod seeds;
mod syntax_error;
pub(crate) mod unseeded_rng;
mod unsorted_listing;

use std::collections::BTreeSet;

use serde::Serialize;

pub(crate) use crate::criteria::id::CriterionId;
use crate::facts::values::Loc;
use crate::facts::Facts;

/// How a rule's findings on the run path weigh on its criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// The criterion fails.
    Fail,
    /// The criterion is at most partial.
    Partial,
    /// Reported, with the criterion's evidence, without changing its status:
    /// worth fixing, but not by itself a source of different results.
    Advice,
}

/// A rule of the registry.
pub struct RuleDef {
    /// Stable id (`unseeded-rng`); names what is wrong.
    pub id: &'static str,
    /// The criterion its findings count against.
    pub criterion: CriterionId,
    /// How much.
    pub effect: Effect,
    /// What it finds.
    pub what: &'static str,
    /// Why that is a problem.
    pub why: &'static str,
    /// How to fix it.
    pub fix: &'static str,
    /// The check.
    pub check: fn(&Context) -> Vec<Finding>,
}

/// One finding of a rule.
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct Finding {
    /// Rule id.
    pub rule: &'static str,
    /// File.
    pub path: String,
    /// Line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// Notebook cell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<u32>,
    /// What was found.
    pub message: String,
    /// Whether the file is on the run path (off-path findings are notes).
    pub on_run_path: bool,
}

impl Finding {
    /// `path:line`, or `path[cell N]:line` for notebooks.
    pub fn location(&self) -> String {
        let cell = self.cell.map(|c| format!("[cell {c}]")).unwrap_or_default();
        match self.line {
            Some(l) => format!("{}{cell}:{l}", self.path),
            None => format!("{}{cell}", self.path),
        }
    }

    /// A finding at a Python location.
    pub fn at(
        rule: &'static str,
        path: &str,
        loc: Loc,
        message: String,
        on_run_path: bool,
    ) -> Self {
        Finding {
            rule,
            path: path.to_string(),
            line: Some(loc.line),
            cell: loc.cell,
            message,
            on_run_path,
        }
    }
}

/// What rules share: the facts and the seed analysis, computed once.
pub struct Context<'a> {
    /// The facts.
    pub facts: &'a Facts,
    /// Seeding points.
    pub seeds: Vec<seeds::SeedPoint>,
    /// Global RNGs seeded on the run path.
    pub seeded: BTreeSet<&'static str>,
    /// Global RNGs seeded in each file, by path.
    pub seeded_in_file: std::collections::HashMap<String, BTreeSet<&'static str>>,
    /// Global RNGs seeded within the reach of each entry point, as bits of
    /// [`Self::rng_bits`]: reach sets grow as n² on chained imports, so the
    /// union over them must be a word-wide OR, not set inserts.
    pub seeded_by_entry: Vec<u64>,
    /// The RNG each bit of [`Self::seeded_by_entry`] stands for.
    pub rng_bits: Vec<&'static str>,
    /// Entry points whose reach loads trained weights and never trains
    /// (export, serving, prediction scripts), by entry index.
    pub inference_only: Vec<bool>,
    /// For each file (by run-path index), the RNG bits that every entry
    /// point reaching it seeds; `None` when no entry point reaches it.
    seeded_by_all: Vec<Option<u64>>,
    /// [`Self::seeded_by_all`] with entry points that only load trained
    /// weights counted as seeding everything.
    seeded_by_all_training: Vec<Option<u64>>,
    /// For each file, whether every entry point reaching it only loads
    /// trained weights.
    reached_only_by_inference: Vec<Option<bool>>,
    /// Files the project's code writes, each with the file that writes it
    /// (as written and relative to the writer's folder).
    pub written: Vec<(&'a str, String)>,
}

impl<'a> Context<'a> {
    /// Whether `lib` is seeded for code in `path`: every entry point that reaches
    /// the file must seed it somewhere in its own reach (one notebook's seed does
    /// not cover another notebook). Off the run path, the file's own seeding counts.
    pub fn is_seeded(&self, path: &str, on_path: bool, lib: &str) -> bool {
        self.seeded_for(path, on_path, lib, false)
    }

    /// [`Self::is_seeded`] for draws that a loaded model overwrites or that
    /// order an evaluation (weight initialisation, loader shuffling): entry
    /// points that only load trained weights and never train need no seed.
    pub fn is_seeded_for_training(&self, path: &str, on_path: bool, lib: &str) -> bool {
        self.seeded_for(path, on_path, lib, true)
    }

    fn rng_bit(&self, lib: &str) -> Option<u64> {
        self.rng_bits
            .iter()
            .position(|l| *l == lib)
            .map(|i| 1u64 << (i % 64))
    }

    fn seeded_for(&self, path: &str, on_path: bool, lib: &str, training_only: bool) -> bool {
        let rp = &self.facts.run_path;
        let file = rp.file_index(path);
        let by_all = file.and_then(|i| {
            let masks = match training_only {
                true => &self.seeded_by_all_training,
                false => &self.seeded_by_all,
            };
            masks.get(i).copied().flatten()
        });
        let all_inference = training_only
            && file.is_some_and(|i| self.reached_only_by_inference.get(i) == Some(&Some(true)));
        match by_all {
            Some(mask) if on_path => {
                all_inference || self.rng_bit(lib).is_some_and(|bit| mask & bit != 0)
            }
            _ if on_path && rp.fallback_all => self.seeded.contains(lib),
            _ => self
                .seeded_in_file
                .get(path)
                .is_some_and(|s| s.contains(lib)),
        }
    }

    /// Precomputes the shared analyses.
    pub fn new(facts: &'a Facts) -> Self {
        let seeds = seeds::seed_points(facts);
        let seeded = seeds::seeded_libs(&seeds);
        let mut seeded_in_file: std::collections::HashMap<String, BTreeSet<&'static str>> =
            Default::default();
        for s in &seeds {
            seeded_in_file
                .entry(s.path.clone())
                .or_default()
                .extend(s.libs.iter().copied());
        }
        let mut rng_bits: Vec<&'static str> = Vec::new();
        for libs in seeded_in_file.values() {
            for l in libs {
                if !rng_bits.contains(l) {
                    rng_bits.push(l);
                }
            }
        }
        let mask = |libs: &BTreeSet<&'static str>| {
            libs.iter().fold(0u64, |m, l| {
                m | rng_bits
                    .iter()
                    .position(|x| x == l)
                    .map_or(0, |i| 1u64 << (i % 64))
            })
        };
        let file_masks: Vec<u64> = facts
            .run_path
            .paths
            .iter()
            .map(|p| seeded_in_file.get(p).map_or(0, mask))
            .collect();
        let seeded_by_entry: Vec<u64> = facts.run_path.over_reach(&file_masks, 0, |a, b| a | b);
        // (loads weights, trains) for each file; the run path indexes files
        // in the order of `facts.python`.
        let kinds: Vec<(bool, bool)> = facts
            .python
            .iter()
            .map(|f| {
                (
                    f.calls.iter().any(|c| loads_weights(&c.callee)),
                    f.calls.iter().any(|c| trains(&c.callee)),
                )
            })
            .collect();
        let inference_only: Vec<bool> = facts
            .run_path
            .over_reach(&kinds, (false, false), |a, b| (a.0 || b.0, a.1 || b.1))
            .into_iter()
            .map(|(loads, trains)| loads && !trains)
            .collect();
        let seeded_by_all = facts
            .run_path
            .over_reached_by(&seeded_by_entry, |a, b| a & b);
        let training: Vec<u64> = seeded_by_entry
            .iter()
            .zip(&inference_only)
            .map(|(&m, &inference)| if inference { u64::MAX } else { m })
            .collect();
        let seeded_by_all_training = facts.run_path.over_reached_by(&training, |a, b| a & b);
        let reached_only_by_inference = facts
            .run_path
            .over_reached_by(&inference_only, |a, b| a && b);
        Context {
            facts,
            seeds,
            seeded,
            seeded_in_file,
            seeded_by_entry,
            rng_bits,
            inference_only,
            seeded_by_all,
            seeded_by_all_training,
            reached_only_by_inference,
            written: data_paths::written_by(facts),
        }
    }
}

/// Calls that load trained weights into a model.
fn loads_weights(callee: &str) -> bool {
    let name = callee.rsplit('.').next().unwrap_or(callee);
    matches!(
        name,
        "load_state_dict" | "load_from_checkpoint" | "load_weights" | "load_model"
    ) || matches!(callee, "torch.load" | "joblib.load")
}

/// Calls that train: fitting, a backward pass, an optimiser step.
pub(crate) fn trains(callee: &str) -> bool {
    let name = callee.rsplit('.').next().unwrap_or(callee);
    matches!(
        name,
        "fit" | "backward" | "train" | "fit_generator" | "train_on_batch" | "partial_fit"
    ) || (name == "step" && callee.to_ascii_lowercase().contains("optim"))
}

/// The registry.
pub const RULES: &[RuleDef] = &[
    syntax_error::RULE,
    unseeded_rng::RULE,
    random_state_unset::RULE,
    seed_from_entropy::RULE,
    cudnn_benchmark::RULE,
    dataloader_worker_seed::RULE,
    pythonhashseed_in_process::RULE,
    unsorted_listing::RULE,
    nondeterministic_op::RULE,
    hardcoded_hyperparameter::RULE,
    data_paths::ABSOLUTE,
    data_paths::MISSING,
];

/// Looks a rule up by id.
pub fn find(id: &str) -> Option<&'static RuleDef> {
    RULES.iter().find(|r| r.id == id)
}

/// Runs every rule; findings sorted by path, line, rule.
pub fn run(ctx: &Context) -> Vec<Finding> {
    use rayon::prelude::*;
    let timing = std::env::var_os("REPROSCALE_TIMING").is_some();
    // Rules are independent reads of the context; they run side by side and
    // are joined in catalogue order, so the sort below sees the same list.
    let mut all: Vec<Finding> = RULES
        .par_iter()
        .map(|r| {
            let t = std::time::Instant::now();
            let found = (r.check)(ctx);
            if timing {
                crate::note!("  rule {}: {:?}", r.id, t.elapsed());
            }
            found
        })
        .collect::<Vec<Vec<Finding>>>()
        .into_iter()
        .flatten()
        .collect();
    all.sort_by(|a, b| (&a.path, a.cell, a.line, a.rule).cmp(&(&b.path, b.cell, b.line, b.rule)));
    all.dedup();
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_documented_and_points_at_a_criterion() {
        let mut ids = BTreeSet::new();
        for r in RULES {
            assert!(ids.insert(r.id), "duplicate rule {}", r.id);
            assert!(
                crate::criteria::catalog::find(r.criterion.as_str()).is_some(),
                "{}",
                r.id
            );
            for s in [r.what, r.why, r.fix] {
                assert!(!s.trim().is_empty(), "{} lacks docs", r.id);
            }
            assert!(
                crate::criteria::catalog::find(r.id).is_none(),
                "rule ids must not shadow criteria"
            );
        }
    }
}
