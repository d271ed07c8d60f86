//! Feeding a verification into the assessment: 1.1, 1.3, 2.3 and 2.4 move
//! from `static` to `verified` basis (SPEC §6.7). A run that could not start
//! leaves them static: "could not run" is never "not reproducible".

use super::{Overall, ProbeVerdict, VerifyResult};
use crate::assessment::{self, Basis, Evidence, Status};
use crate::criteria::id::CriterionId;
use crate::Report;

fn set(
    report: &mut Report,
    id: CriterionId,
    status: Status,
    summary: String,
    evidence: Vec<Evidence>,
) {
    if let Some(c) = report.criteria.iter_mut().find(|c| c.id == id) {
        // The project's own override still wins, and says so.
        if c.overridden.is_some() {
            return;
        }
        c.status = status;
        c.basis = Basis::Verified;
        c.summary = summary;
        c.evidence = evidence;
        c.looked_for.clear();
        if status.is_met() {
            c.fix = None;
        } else if c.fix.is_none() {
            c.fix = Some(
                "Run `reproscale verify` to see what differs between runs, and fix it.".into(),
            );
        }
    }
}

/// `--fresh-env`: an import that failed in the environment of only the
/// declared packages makes 4.1 `fail` on verified basis, naming the package.
/// Runs that all succeeded there confirm a static pass on verified basis
/// (every import on the run path came from a declared package); a static
/// partial or fail stays static, since a run cannot see pinning, nor a
/// package used but installed only as another's dependency.
fn undeclared_packages(report: &mut Report, v: &VerifyResult) {
    let Some(env) = &v.environment else { return };
    if env.undeclared.is_empty() {
        let ran = !v.runs.is_empty()
            && v.runs.iter().all(|r| r.succeeded())
            && v.verdict != Overall::RunFailed;
        if !ran {
            return;
        }
        let Some(c) = report
            .criteria
            .iter_mut()
            .find(|c| c.id == CriterionId::C4_1)
        else {
            return;
        };
        let seen = Evidence::file(
            ".",
            format!(
                "the pipeline ran {} time(s) in a fresh environment holding only the {} declared package(s), with no import error",
                v.runs.len(),
                env.packages.len()
            ),
        );
        if c.status == Status::Pass && c.overridden.is_none() {
            c.basis = Basis::Verified;
            c.summary = format!("verified: {}", c.summary);
            c.evidence.insert(0, seen);
        } else {
            c.notes.push(seen);
        }
        return;
    }
    let names: Vec<String> = env.undeclared.iter().map(|u| u.package.clone()).collect();
    let evidence = env
        .undeclared
        .iter()
        .map(|u| {
            Evidence::file(
                ".",
                format!(
                    "ModuleNotFoundError in a fresh environment of the declared packages: `import {}` needs `{}`, which no package list declares",
                    u.module, u.package
                ),
            )
        })
        .collect();
    set(
        report,
        CriterionId::C4_1,
        Status::Fail,
        format!(
            "verified: the pipeline imports undeclared package(s): {}",
            names.join(", ")
        ),
        evidence,
    );
    let stages = assessment::stages(&report.criteria);
    report.stars = assessment::stars(&stages);
    report.stages = stages;
}

/// Upgrades the criteria that a verification observes, then recomputes stars.
pub fn upgrade(report: &mut Report, v: &VerifyResult) {
    let plan_note = Evidence::file(
        ".",
        format!(
            "ran {} ({}) {} time(s)",
            v.plan.source,
            v.plan.why,
            v.runs.len()
        ),
    );
    undeclared_packages(report, v);
    let no_command = v.runs.is_empty() && v.verdict == Overall::RunFailed;
    if no_command {
        return;
    }
    let ran = v.runs.iter().all(|r| r.succeeded()) && v.verdict != Overall::RunFailed;
    if ran {
        set(
            report,
            CriterionId::C1_1,
            Status::Pass,
            format!(
                "verified: the pipeline ran end to end {} time(s), exit 0",
                v.runs.len()
            ),
            vec![plan_note.clone()],
        );
    } else {
        let why = v.failure.clone().unwrap_or_else(|| "a run failed".into());
        let first = why.lines().next().unwrap_or("").to_string();
        set(
            report,
            CriterionId::C1_1,
            Status::Fail,
            format!("verified: {first}"),
            vec![plan_note.clone()],
        );
        report.basis = Basis::Verified;
        let stages = assessment::stages(&report.criteria);
        report.stars = assessment::stars(&stages);
        report.stages = stages;
        return;
    }
    let differing: Vec<Evidence> = v
        .artifacts
        .iter()
        .filter(|a| a.verdict == super::compare::Verdict::Differs)
        .map(|a| {
            Evidence::file(
                &a.path,
                format!(
                    "differs between runs{}",
                    a.first_difference
                        .as_ref()
                        .map(|f| format!(" (first at {f})"))
                        .unwrap_or_default()
                ),
            )
        })
        .collect();
    let (status, summary) = match v.verdict {
        Overall::BitExact => (
            Status::Pass,
            format!(
                "verified: {} artifact(s) byte-identical across runs",
                v.artifacts.len()
            ),
        ),
        Overall::WithinTolerance => (
            Status::Pass,
            format!(
                "verified: {} artifact(s) match within tolerance",
                v.artifacts.len()
            ),
        ),
        _ => (
            Status::Fail,
            format!(
                "verified: {} artifact(s) differ between identical runs",
                differing.len()
            ),
        ),
    };
    let mut ev = if differing.is_empty() {
        vec![plan_note.clone()]
    } else {
        differing
    };
    for p in &v.probes {
        ev.push(Evidence::file(
            ".",
            format!(
                "{} probe on `{}` ({} → {}): {}",
                p.kind,
                p.param,
                p.from,
                p.to,
                p.verdict
                    .map_or("the probe run failed", ProbeVerdict::as_str)
            ),
        ));
    }
    set(
        report,
        CriterionId::C1_3,
        status,
        summary.clone(),
        ev.clone(),
    );
    set(
        report,
        CriterionId::C2_4,
        status,
        summary.replace("runs", "runs of the same config"),
        ev,
    );
    let config: Vec<&super::Probe> = v
        .probes
        .iter()
        .filter(|p| p.kind == "config" && p.verdict.is_some())
        .collect();
    if !config.is_empty() {
        let unwired: Vec<Evidence> = config
            .iter()
            .filter(|p| p.verdict == Some(ProbeVerdict::NotWired))
            .map(|p| {
                Evidence::file(
                    ".",
                    format!(
                        "changing `{}` ({} → {}) did not change the outputs",
                        p.param, p.from, p.to
                    ),
                )
            })
            .collect();
        let wired: Vec<Evidence> = config
            .iter()
            .filter(|p| p.verdict == Some(ProbeVerdict::Wired))
            .map(|p| Evidence::file(".", format!("changing `{}` changed the outputs", p.param)))
            .collect();
        if unwired.is_empty() {
            set(
                report,
                CriterionId::C2_3,
                Status::Pass,
                "verified: changing config values changes the outputs".into(),
                wired,
            );
        } else {
            let mut ev = unwired;
            ev.extend(wired);
            set(
                report,
                CriterionId::C2_3,
                Status::Partial,
                "verified: some config values do not reach the run".into(),
                ev,
            );
        }
    }
    report.basis = Basis::Verified;
    let stages = assessment::stages(&report.criteria);
    report.stars = assessment::stars(&stages);
    report.stages = stages;
}
