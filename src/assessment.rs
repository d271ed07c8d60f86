//! Outcomes of the criteria, folded into stages and stars. No I/O here.

use serde::Serialize;

#[cfg(test)]
use crate::criteria::catalog;
use crate::criteria::catalog::{CriterionDef, CriterionId, STAGE_NAMES};

/// The status of one criterion (SPEC §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The criterion is met.
    Pass,
    /// Partly met.
    Partial,
    /// Not met.
    Fail,
    /// Does not apply to this project (the reason is in the summary).
    NotApplicable,
    /// reproscale could not tell; never silently a fail.
    Unknown,
}

impl Status {
    /// Every status, in the order of [`Status::as_str`]'s names.
    pub const ALL: [Status; 5] = [
        Status::Pass,
        Status::Partial,
        Status::Fail,
        Status::NotApplicable,
        Status::Unknown,
    ];

    /// The snake_case name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Partial => "partial",
            Status::Fail => "fail",
            Status::NotApplicable => "not_applicable",
            Status::Unknown => "unknown",
        }
    }

    /// Whether the criterion counts as met for its stage.
    pub fn is_met(self) -> bool {
        matches!(self, Status::Pass | Status::NotApplicable)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not one of the statuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownStatus(pub String);

impl std::fmt::Display for UnknownStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` is not a status (pass, partial, fail, not_applicable, unknown)",
            self.0
        )
    }
}

impl std::error::Error for UnknownStatus {}

/// The one place a status is read from its name (settings, queries, stored
/// reports, JSON).
impl std::str::FromStr for Status {
    type Err = UnknownStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| UnknownStatus(s.to_string()))
    }
}

impl<'de> serde::Deserialize<'de> for Status {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// How a status was established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Read from files.
    Static,
    /// Observed in a run.
    Verified,
}

/// One piece of evidence: a place in the project and what was seen there.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Evidence {
    /// Path relative to the project root, `/`-separated.
    pub path: String,
    /// 1-based line (within the cell, for notebooks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based notebook cell index, for `.ipynb` files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<u32>,
    /// What was seen.
    pub note: String,
}

impl Evidence {
    /// Evidence about a whole file.
    pub fn file(path: impl Into<String>, note: impl Into<String>) -> Self {
        Evidence {
            path: path.into(),
            line: None,
            cell: None,
            note: note.into(),
        }
    }

    /// The `path:line` (or `path[cell N]:line`) form used in text output.
    pub fn location(&self) -> String {
        let mut s = self.path.clone();
        if let Some(cell) = self.cell {
            s.push_str(&format!("[cell {cell}]"));
        }
        if let Some(line) = self.line {
            s.push_str(&format!(":{line}"));
        }
        s
    }
}

/// What a criterion function returns.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The status.
    pub status: Status,
    /// One line saying why.
    pub summary: String,
    /// Supporting places.
    pub evidence: Vec<Evidence>,
    /// What was looked for (always filled for negative findings).
    pub looked_for: Vec<String>,
    /// Observations that did not decide the status (e.g. findings off the run path).
    pub notes: Vec<Evidence>,
}

impl Outcome {
    /// A new outcome with no evidence yet.
    pub fn new(status: Status, summary: impl Into<String>) -> Self {
        Outcome {
            status,
            summary: summary.into(),
            evidence: Vec::new(),
            looked_for: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Adds evidence items.
    pub fn with_evidence(mut self, evidence: impl IntoIterator<Item = Evidence>) -> Self {
        self.evidence.extend(evidence);
        self
    }

    /// Sets what was looked for.
    pub fn looking_for(mut self, what: &[&str]) -> Self {
        self.looked_for = what.iter().map(|s| s.to_string()).collect();
        self
    }
}

/// A criterion's result as it appears in every output.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CriterionResult {
    /// Criterion id.
    pub id: CriterionId,
    /// Criterion slug.
    pub slug: &'static str,
    /// Stage number.
    pub stage: u8,
    /// Short title.
    pub title: &'static str,
    /// Status.
    pub status: Status,
    /// Basis.
    pub basis: Basis,
    /// One-line summary.
    pub summary: String,
    /// Evidence.
    pub evidence: Vec<Evidence>,
    /// What was looked for.
    pub looked_for: Vec<String>,
    /// Observations that did not decide the status.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Evidence>,
    /// One concrete next step; only when not passing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// Set when the project's settings override the assessed status.
    #[serde(rename = "override", skip_serializing_if = "Option::is_none")]
    pub overridden: Option<Overridden>,
}

/// A status set by the project's own settings instead of by reproscale.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Overridden {
    /// The reason the project gives.
    pub reason: String,
    /// Where it is set (`reproscale.toml`, `pyproject.toml [tool.reproscale]`).
    pub source: String,
    /// What reproscale assessed before the override.
    pub assessed_status: Status,
}

impl CriterionResult {
    /// Builds the result from its definition and outcome. `fix` overrides the
    /// catalogue's generic fix with a concrete one.
    pub fn new(def: &'static CriterionDef, outcome: Outcome, fix: Option<String>) -> Self {
        let fix = match outcome.status {
            Status::Pass | Status::NotApplicable => None,
            // reproscale could not tell: a fix would be a guess.
            Status::Unknown => None,
            _ => Some(fix.unwrap_or_else(|| def.fix.to_string())),
        };
        CriterionResult {
            id: def.id,
            slug: def.slug,
            stage: def.stage,
            title: def.title,
            status: outcome.status,
            basis: Basis::Static,
            summary: outcome.summary,
            evidence: outcome.evidence,
            looked_for: outcome.looked_for,
            notes: outcome.notes,
            fix,
            overridden: None,
        }
    }
}

/// Progress of one stage.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct StageResult {
    /// Stage number, 1..=5.
    pub stage: u8,
    /// Stage name (`code`, `configuration`, …).
    pub name: &'static str,
    /// Whether every criterion of the stage is met.
    pub passed: bool,
    /// Criteria met.
    pub met: usize,
    /// Criteria in the stage.
    pub total: usize,
    /// Whether this version assesses the stage at all (false: every criterion is `unknown`).
    pub assessed: bool,
}

/// Folds criterion results into per-stage progress.
pub fn stages(criteria: &[CriterionResult]) -> Vec<StageResult> {
    (1..=5u8)
        .map(|stage| {
            let of_stage: Vec<_> = criteria.iter().filter(|c| c.stage == stage).collect();
            let met = of_stage.iter().filter(|c| c.status.is_met()).count();
            StageResult {
                stage,
                name: STAGE_NAMES[usize::from(stage - 1)],
                passed: !of_stage.is_empty() && met == of_stage.len(),
                met,
                total: of_stage.len(),
                assessed: of_stage.iter().any(|c| c.status != Status::Unknown),
            }
        })
        .collect()
}

/// Stars = consecutive passing stages from stage 1.
pub fn stars(stages: &[StageResult]) -> u8 {
    let mut n = 0;
    for s in stages {
        if !s.passed {
            break;
        }
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(id: CriterionId, status: Status) -> CriterionResult {
        CriterionResult::new(catalog::def(id), Outcome::new(status, "x"), None)
    }

    #[test]
    fn stars_count_consecutive_passing_stages() {
        let mut all: Vec<_> = catalog::CRITERIA
            .iter()
            .map(|c| result(c.id, Status::Pass))
            .collect();
        assert_eq!(stars(&stages(&all)), 5);
        all[3] = result(CriterionId::C2_1, Status::Partial);
        let st = stages(&all);
        assert_eq!(stars(&st), 1);
        assert_eq!((st[1].met, st[1].total), (3, 4));
        assert!(st[2].passed, "later stages still show their own progress");
        all[0] = result(CriterionId::C1_1, Status::NotApplicable);
        assert_eq!(stars(&stages(&all)), 1);
    }

    #[test]
    fn statuses_parse_from_their_names_only() {
        for st in Status::ALL {
            assert_eq!(st.as_str().parse::<Status>(), Ok(st));
            assert_eq!(st.to_string(), st.as_str());
            let json = serde_json::to_string(&st).expect("serializes");
            assert_eq!(json, format!("\"{st}\""));
            assert_eq!(serde_json::from_str::<Status>(&json).ok(), Some(st));
        }
        let err = "passed".parse::<Status>().expect_err("not a status");
        assert_eq!(
            err.to_string(),
            "`passed` is not a status (pass, partial, fail, not_applicable, unknown)"
        );
        assert!("Pass".parse::<Status>().is_err());
        assert!(serde_json::from_str::<Status>("\"n/a\"").is_err());
    }

    #[test]
    fn fix_only_when_not_passing() {
        assert!(result(CriterionId::C1_1, Status::Pass).fix.is_none());
        assert!(result(CriterionId::C1_1, Status::Fail).fix.is_some());
        assert!(result(CriterionId::C3_1, Status::Unknown).fix.is_none());
    }
}
