//! The criteria: the catalogue (data) and one module per stage. Each
//! criterion is a function of the facts (through [`lint::Context`]) and the
//! rule findings, returning an [`Outcome`].

pub mod catalog;
mod code;
mod configuration;
mod evidence;

use crate::assessment::{CriterionResult, Outcome, Status};
use crate::lint::{self, Context, Finding};

/// Everything a criterion function may read.
pub struct Input<'a> {
    /// Facts and shared analyses.
    pub ctx: &'a Context<'a>,
    /// All rule findings.
    pub findings: &'a [Finding],
}

/// Evaluates every criterion in catalogue order.
pub fn evaluate(ctx: &Context, findings: &[Finding]) -> Vec<CriterionResult> {
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
    ];
    catalog::CRITERIA
        .iter()
        .map(
            |def| match decided.iter().position(|(id, _)| *id == def.id) {
                Some(i) => {
                    let (_, (outcome, fix)) = decided.swap_remove(i);
                    CriterionResult::new(def, outcome, fix)
                }
                None => CriterionResult::new(
                    def,
                    Outcome::new(Status::Unknown, "not assessed by this version"),
                    None,
                ),
            },
        )
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
