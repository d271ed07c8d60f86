//! The criteria: the catalogue (data) and one module per stage. Each
//! criterion is a function of the facts (through [`lint::Context`]) and the
//! rule findings, returning an [`Outcome`].

pub mod catalog;
mod code;
mod configuration;
mod data;
mod environment;
mod evaluation;
mod evidence;
mod hardware;
mod inputs;

use std::collections::BTreeMap;

use crate::assessment::{CriterionResult, Outcome, Overridden, Status};
use crate::lint::{self, Context, Finding};
use crate::project_config::Override;

/// Everything a criterion function may read.
pub struct Input<'a> {
    /// Facts and shared analyses.
    pub ctx: &'a Context<'a>,
    /// All rule findings.
    pub findings: &'a [Finding],
}

/// Evaluates every criterion in catalogue order; the project's overrides replace
/// statuses but keep the evidence, and say so.
pub fn evaluate(
    ctx: &Context,
    findings: &[Finding],
    overrides: &BTreeMap<&'static str, Override>,
) -> Vec<CriterionResult> {
    let input = Input { ctx, findings };
    let c11 = code::runs(&input);
    let c12 = code::example_input(&input);
    let c13 = code::repeatable(&input);
    let c21 = configuration::config_files(&input);
    let c22 = configuration::seeds_in_config(&input);
    let c23 = configuration::code_reads_config(&input);
    let c24 = configuration::config_repeatable(&c13.0, &c22.0);
    let mut decided = vec![
        ("1.1", c11),
        ("1.2", c12),
        ("1.3", c13),
        ("2.1", c21),
        ("2.2", c22),
        ("2.3", c23),
        ("2.4", c24),
        ("3.1", data::data_managed(&input)),
        ("3.2", data::data_schema(&input)),
        ("3.3", data::data_swappable(&input)),
        ("3.4", data::pipeline_stages(&input)),
        ("4.1", environment::package_list(&input)),
        ("4.2", environment::example_environment(&input)),
        ("4.3", environment::hardware_documented(&input)),
        ("5.1", evaluation::custom_input(&input)),
        ("5.2", evaluation::run_comparison(&input)),
    ];
    catalog::CRITERIA
        .iter()
        .map(|def| {
            let (mut outcome, fix) = match decided.iter().position(|(id, _)| *id == def.id) {
                Some(i) => decided.swap_remove(i).1,
                None => (
                    Outcome::new(Status::Unknown, "not assessed by this version"),
                    None,
                ),
            };
            let Some(o) = overrides.get(def.id) else {
                return CriterionResult::new(def, outcome, fix);
            };
            let original = outcome.status;
            outcome.status = o.status;
            outcome.summary = format!(
                "overridden by {}: {} (assessed: {}, {})",
                o.source,
                o.reason,
                original.as_str(),
                outcome.summary
            );
            let mut result = CriterionResult::new(def, outcome, fix);
            result.overridden = Some(Overridden {
                reason: o.reason.clone(),
                source: o.source.clone(),
                assessed_status: original,
            });
            result
        })
        .collect()
}

/// Findings of the rules that count against `criterion`, split by run path.
fn findings_for<'a>(input: &Input<'a>, criterion: &str) -> (Vec<&'a Finding>, Vec<&'a Finding>) {
    input
        .findings
        .iter()
        .filter(|f| lint::find(f.rule).is_some_and(|r| r.criterion == criterion))
        .partition(|f| f.on_run_path)
}

/// The worst effect among findings.
fn worst(findings: &[&Finding]) -> Option<lint::Effect> {
    let effects: Vec<_> = findings
        .iter()
        .filter_map(|f| lint::find(f.rule))
        .map(|r| r.effect)
        .collect();
    if effects.contains(&lint::Effect::Fail) {
        Some(lint::Effect::Fail)
    } else if effects.is_empty() {
        None
    } else {
        Some(lint::Effect::Partial)
    }
}
