//! Why artifacts differ: the static findings on the run path of the rules
//! that explain run-to-run differences, joined with the artifacts and the
//! `--vary` results (SPEC §6 `causes`). The findings come from the facts
//! verify has already extracted: no second read of the project.

use serde::Serialize;

use crate::facts::pipeline::{invocations, Origin, OriginKind};
use crate::facts::Facts;
use crate::lint::{self, Finding};

use super::compare::{ArtifactResult, Verdict};
use super::plan::{Plan, Stage};
use super::Variation;

/// One likely cause of a difference.
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct Cause {
    /// The differing artifact it explains, when that is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact: Option<String>,
    /// Rule id (`unseeded-rng`), `vary` for an environment variation, or
    /// `missing-input` for an input that is not there.
    pub rule: String,
    /// File.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// What was found and how to fix it.
    pub note: String,
}

impl Cause {
    /// `path:line`, or what there is of it.
    pub fn location(&self) -> String {
        match (&self.path, self.line) {
            (Some(p), Some(l)) => format!("{p}:{l}"),
            (Some(p), None) => p.clone(),
            _ => String::new(),
        }
    }
}

/// Rules whose findings make identical runs differ.
pub const RULES: &[&str] = &[
    "unseeded-rng",
    "random-state-unset",
    "seed-from-entropy",
    "unsorted-listing",
    "nondeterministic-op",
    "cudnn-benchmark",
    "dataloader-worker-seed",
    "pythonhashseed-in-process",
];

/// The findings of [`RULES`] on the run path.
pub fn findings(facts: &Facts) -> Vec<Finding> {
    let ctx = lint::Context::new(facts);
    let mut out: Vec<Finding> = lint::RULES
        .iter()
        .filter(|r| RULES.contains(&r.id))
        .flat_map(|r| (r.check)(&ctx))
        .filter(|f| f.on_run_path)
        .collect();
    out.sort_by(|a, b| (&a.path, a.cell, a.line, a.rule).cmp(&(&b.path, b.cell, b.line, b.rule)));
    out.dedup();
    out
}

/// The project scripts a stage runs (through `make` targets too).
fn stage_scripts(facts: &Facts, stage: &Stage) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let words: Vec<&str> = stage.cmd.split_whitespace().collect();
    if words.first() == Some(&"make") {
        for t in words.iter().skip(1).filter(|w| !w.starts_with('-')) {
            out.extend(super::candidates::make_target_scripts(facts, t));
        }
    }
    let origin = Origin {
        path: String::new(),
        line: None,
        kind: OriginKind::Script,
    };
    out.extend(
        invocations(&stage.cmd, &stage.wdir, &origin)
            .into_iter()
            .filter_map(|i| i.script)
            .filter(|s| facts.project.file(s).is_some()),
    );
    out.sort();
    out.dedup();
    out
}

/// Whether a stage running `scripts` reaches `path`. `None` when unknown
/// (no script recognised, or one that is not an entry point).
fn reaches(facts: &Facts, scripts: &[String], path: &str) -> Option<bool> {
    let rp = &facts.run_path;
    if scripts.is_empty() || rp.fallback_all {
        return None;
    }
    let mut entries = Vec::new();
    for s in scripts {
        entries.push(rp.entry_points.iter().position(|e| &e.path == s)?);
    }
    let reached = rp.reached_from(&entries);
    Some(
        scripts.iter().any(|s| s == path)
            || rp
                .file_index(path)
                .is_some_and(|i| reached.get(i).copied().unwrap_or(false)),
    )
}

/// Whether artifact `a` is one of `stage`'s declared outputs.
fn owns(stage: &Stage, a: &str) -> bool {
    stage.outs.iter().any(|o| {
        let o = o.trim_end_matches('/');
        a == o || a.starts_with(&format!("{o}/"))
    })
}

/// The causes of the differing artifacts, and a plain sentence for the
/// artifacts no known cause explains (`None` when every one is explained).
pub fn explain(
    facts: &Facts,
    found: &[Finding],
    plan: &Plan,
    artifacts: &[ArtifactResult],
    variations: &[Variation],
) -> (Vec<Cause>, Option<String>) {
    let differing: Vec<&str> = artifacts
        .iter()
        .filter(|a| a.verdict == Verdict::Differs)
        .map(|a| a.path.as_str())
        .collect();
    if differing.is_empty() {
        return (Vec::new(), None);
    }
    let scripts: Vec<Vec<String>> = plan
        .stages
        .iter()
        .map(|s| stage_scripts(facts, s))
        .collect();
    let all_scripts: Vec<String> = scripts.iter().flatten().cloned().collect();
    let mut causes: Vec<Cause> = Vec::new();
    for f in found {
        // Findings the plan's commands never reach are not causes.
        if reaches(facts, &all_scripts, &f.path) == Some(false) {
            continue;
        }
        let fix = lint::find(f.rule).map(|r| r.fix).unwrap_or("");
        let note = if fix.is_empty() {
            f.message.clone()
        } else {
            format!("{}; fix: {fix}", f.message.trim_end().trim_end_matches('.'))
        };
        // The artifacts of the stages that reach the finding.
        let mut mine: Vec<&str> = Vec::new();
        for (stage, scripts) in plan.stages.iter().zip(&scripts) {
            if stage.outs.is_empty() || reaches(facts, scripts, &f.path) == Some(false) {
                continue;
            }
            mine.extend(differing.iter().filter(|a| owns(stage, a)));
        }
        let targets: Vec<Option<String>> = if differing.len() == 1 {
            vec![differing.first().map(|a| a.to_string())]
        } else if !mine.is_empty() {
            mine.iter().map(|a| Some(a.to_string())).collect()
        } else {
            vec![None]
        };
        for artifact in targets {
            causes.push(Cause {
                artifact,
                rule: f.rule.to_string(),
                path: Some(f.path.clone()),
                line: f.line,
                note: note.clone(),
            });
        }
    }
    // A variation explains an artifact it changes when some other variation
    // leaves that artifact alone: the change follows what was varied.
    let ran: Vec<(&Variation, Vec<&str>)> = variations
        .iter()
        .filter_map(|v| {
            let changed = v.evidence.strip_prefix("changed: ")?;
            Some((v, changed.split(", ").collect()))
        })
        .collect();
    let steady = |a: &str| {
        variations
            .iter()
            .any(|v| !v.outputs_changed && v.evidence == "outputs repeat")
            || ran.iter().any(|(_, c)| !c.contains(&a))
    };
    for (v, changed) in &ran {
        for a in changed
            .iter()
            .filter(|a| differing.contains(a) && steady(a))
        {
            causes.push(Cause {
                artifact: Some(a.to_string()),
                rule: "vary".into(),
                path: None,
                line: None,
                note: format!(
                    "the outputs change when only {} changes: the run depends on it",
                    v.name
                ),
            });
        }
    }
    let unexplained: Vec<&str> = differing
        .iter()
        .copied()
        .filter(|a| {
            !causes
                .iter()
                .any(|c| c.artifact.is_none() || c.artifact.as_deref() == Some(*a))
        })
        .collect();
    let note = (!unexplained.is_empty()).then(|| {
        format!(
            "no known cause: {} differ{} between identical runs, and no static finding on the run path ({}){} explains it; look for values that change by themselves (time stamps, process ids, unordered sets, hardware nondeterminism)",
            unexplained.join(", "),
            if unexplained.len() == 1 { "s" } else { "" },
            RULES.join(", "),
            if variations.is_empty() {
                " or `--vary` run"
            } else {
                " or --vary result"
            }
        )
    });
    (causes, note)
}
