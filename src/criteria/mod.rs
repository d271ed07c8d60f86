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
pub mod id;
mod inputs;
#[cfg(test)]
mod unit_tests;

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::assessment::{CriterionResult, Outcome, Overridden, Status};
use crate::criteria::id::CriterionId;
use crate::lint::{self, Context, Finding};
use crate::project_config::Override;

/// What a criterion function returns: its outcome and, when not passing, a concrete fix.
type Decided = (Outcome, Option<String>);

/// A criterion function.
type Criterion = fn(&Input) -> Decided;

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
    overrides: &BTreeMap<CriterionId, Override>,
) -> Vec<CriterionResult> {
    let input = Input { ctx, findings };
    let timing = std::env::var_os("REPROSCALE_TIMING").is_some();
    // Criteria are independent functions of the facts (2.4 combines two of
    // them afterwards), so they run in parallel.
    let table: [(CriterionId, Criterion); 15] = [
        (CriterionId::C1_1, code::runs),
        (CriterionId::C1_2, code::example_input),
        (CriterionId::C1_3, code::repeatable),
        (CriterionId::C2_1, configuration::config_files),
        (CriterionId::C2_2, configuration::seeds_in_config),
        (CriterionId::C2_3, configuration::code_reads_config),
        (CriterionId::C3_1, data::data_managed),
        (CriterionId::C3_2, data::data_schema),
        (CriterionId::C3_3, data::data_swappable),
        (CriterionId::C3_4, data::pipeline_stages),
        (CriterionId::C4_1, environment::package_list),
        (CriterionId::C4_2, environment::example_environment),
        (CriterionId::C4_3, environment::hardware_documented),
        (CriterionId::C5_1, evaluation::custom_input),
        (CriterionId::C5_2, evaluation::run_comparison),
    ];
    let mut decided: Vec<(CriterionId, Decided)> = table
        .par_iter()
        .map(|(id, f)| {
            let t = std::time::Instant::now();
            let r = f(&input);
            if timing {
                crate::note!("  criterion {id}: {:?}", t.elapsed());
            }
            (*id, r)
        })
        .collect();
    if let Some(lang) = other_language(ctx.facts) {
        for (id, d) in decided.iter_mut() {
            if let Some(replaced) = not_python(*id, lang, ctx.facts) {
                *d = replaced;
            }
        }
    }
    let outcome_of = |id: CriterionId| decided.iter().find(|(i, _)| *i == id).map(|(_, d)| &d.0);
    let derived = match (outcome_of(CriterionId::C1_3), outcome_of(CriterionId::C2_2)) {
        (Some(c13), Some(c22)) => Some(configuration::config_repeatable(c13, c22)),
        _ => None,
    };
    if let Some(d) = derived {
        decided.push((CriterionId::C2_4, d));
    }
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
            let Some(o) = overrides.get(&def.id) else {
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

/// The language of a project whose code is not Python (no Python or notebook
/// code, but R, Julia or MATLAB sources), if it is one.
fn other_language(facts: &crate::facts::Facts) -> Option<&'static str> {
    if !facts.python.is_empty() {
        return None;
    }
    let mut counts = [("R", 0usize), ("Julia", 0), ("MATLAB/Octave", 0)];
    for f in &facts.project.files {
        let lower = f.path.to_ascii_lowercase();
        let i = if lower.ends_with(".r") || lower.ends_with(".rmd") {
            0
        } else if lower.ends_with(".jl") {
            1
        } else if lower.ends_with(".m") {
            2
        } else {
            continue;
        };
        counts[i].1 += 1;
    }
    counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .max_by_key(|(_, n)| *n)
        .map(|(l, _)| *l)
}

/// SPEC §2: criteria that rest on the Python analysis are unknown, with the
/// cause, for code in another language, unless other evidence decides them
/// (an R DESCRIPTION lists the packages).
fn not_python(id: CriterionId, lang: &str, facts: &crate::facts::Facts) -> Option<Decided> {
    let unknown = |what: &str| {
        Some((
            Outcome::new(
                Status::Unknown,
                format!("the code is {lang}; {what} is read from Python code only"),
            ),
            None,
        ))
    };
    match id {
        CriterionId::C1_1 => unknown("whether it runs (entry points, parsing)"),
        CriterionId::C1_3 | CriterionId::C2_2 => unknown("randomness and seeding"),
        CriterionId::C3_3 => unknown("where data is loaded"),
        CriterionId::C4_1 => {
            r_description(facts).or_else(|| unknown("which packages are imported"))
        }
        _ => None,
    }
}

/// An R package's DESCRIPTION as its package list: `Imports:`/`Depends:`
/// entries, pinned only when every one carries `(== x)`.
fn r_description(facts: &crate::facts::Facts) -> Option<Decided> {
    let text = facts.project.file("DESCRIPTION")?.text()?;
    let mut entries = Vec::new();
    let mut field = false;
    for l in text.lines() {
        if let Some((key, rest)) = l.split_once(':').filter(|_| !l.starts_with([' ', '\t'])) {
            field = matches!(key.trim(), "Imports" | "Depends" | "LinkingTo");
            if field {
                entries.extend(
                    rest.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(String::from),
                );
            }
        } else if field {
            entries.extend(
                l.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from),
            );
        }
    }
    let packages: Vec<&String> = entries
        .iter()
        .filter(|e| !e.starts_with("R ") && !e.starts_with("R("))
        .collect();
    if packages.is_empty() {
        return None;
    }
    let exact = packages.iter().all(|e| e.contains("=="));
    let status = if exact { Status::Pass } else { Status::Partial };
    let level = if exact {
        "all pinned with =="
    } else if packages.iter().any(|e| e.contains('(')) {
        "version ranges (L1)"
    } else {
        "no versions (L0)"
    };
    let o = Outcome::new(
        status,
        format!("R DESCRIPTION lists {} package(s): {level}", packages.len()),
    )
    .with_evidence([crate::assessment::Evidence::file(
        "DESCRIPTION",
        "R package list (Imports/Depends)",
    )]);
    let fix = (!exact).then(|| {
        "Pin exact versions with renv (renv.lock) so the same packages install everywhere."
            .to_string()
    });
    Some((o, fix))
}

/// Findings of the rules that count against `criterion`, split by run path.
fn findings_for<'a>(
    input: &Input<'a>,
    criterion: CriterionId,
) -> (Vec<&'a Finding>, Vec<&'a Finding>) {
    input
        .findings
        .iter()
        .filter(|f| lint::find(f.rule).is_some_and(|r| r.criterion == criterion))
        .partition(|f| f.on_run_path && !is_advice(f))
}

/// Whether a finding is advice only (it never moves a status).
fn is_advice(f: &Finding) -> bool {
    lint::find(f.rule).is_some_and(|r| r.effect == lint::Effect::Advice)
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
