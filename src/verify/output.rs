//! verify's outputs: the JSON contract of SPEC §6 and a text summary.

use std::fmt::Write;

use serde::Serialize;

use super::{Overall, ProbeVerdict, VerifyResult};
use crate::{TOOL_NAME, VERSION};

/// Up to this many artifacts, the text lists every one.
const LIST_ALL_UP_TO: usize = 50;
/// Past [`LIST_ALL_UP_TO`], the text lists at most this many that are not
/// byte-identical, and counts the rest.
const LIST_AT_MOST: usize = 100;

#[derive(Serialize, schemars::JsonSchema)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize, schemars::JsonSchema)]
struct CommandInfo<'a> {
    source: &'a str,
    why: &'a str,
    stages: Vec<&'a str>,
    commands: Vec<&'a str>,
    alternatives: &'a [super::plan::Alternative],
}

#[derive(Serialize, schemars::JsonSchema)]
struct RunInfo<'a> {
    index: usize,
    exit_code: Option<i32>,
    wall_seconds: f64,
    timed_out: bool,
    stages: &'a [super::run::StageRun],
}

#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct Document<'a> {
    #[schemars(extend("const" = 1))]
    schema_version: u32,
    tool: Tool,
    project: &'a str,
    command: CommandInfo<'a>,
    verdict: Overall,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure: Option<&'a str>,
    network: &'a super::run::Network,
    isolation: &'a super::sandbox::Isolation,
    runs: Vec<RunInfo<'a>>,
    stages: &'a [super::StageVerdict],
    artifacts: &'a [super::compare::ArtifactResult],
    artifacts_declared: bool,
    probes: &'a [super::Probe],
    variations: &'a [super::Variation],
    causes: &'a [super::causes::Cause],
    #[serde(skip_serializing_if = "Option::is_none")]
    causes_note: Option<&'a str>,
    fingerprint: &'a super::fingerprint::Fingerprint,
    #[serde(skip_serializing_if = "Option::is_none")]
    timing: Option<&'a super::Timing>,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<&'a super::freshenv::Environment>,
    /// What the runs' copies hold; `dropped` lists what was left out (absent
    /// when no copy was made).
    #[serde(skip_serializing_if = "Option::is_none")]
    copy: Option<&'a super::copy::Report>,
    /// The thread count (OMP/MKL/OPENBLAS/NUMEXPR_NUM_THREADS) every run and
    /// probe was given, so that parallel runs share the cores; absent when
    /// none was set.
    #[serde(skip_serializing_if = "Option::is_none")]
    threads_per_run: Option<usize>,
}

/// The schema_version 1 JSON document.
pub fn json(r: &VerifyResult) -> String {
    let doc = Document {
        schema_version: 1,
        tool: Tool {
            name: TOOL_NAME,
            version: VERSION,
        },
        project: &r.project,
        command: CommandInfo {
            source: &r.plan.source,
            why: &r.plan.why,
            stages: r.plan.stages.iter().map(|s| s.name.as_str()).collect(),
            commands: r.plan.stages.iter().map(|s| s.cmd.as_str()).collect(),
            alternatives: &r.plan.alternatives,
        },
        verdict: r.verdict,
        failure: r.failure.as_deref(),
        network: &r.network,
        isolation: &r.isolation,
        runs: r
            .runs
            .iter()
            .map(|x| RunInfo {
                index: x.index,
                exit_code: x.exit_code,
                wall_seconds: x.wall_seconds,
                timed_out: x.timed_out,
                stages: &x.stages,
            })
            .collect(),
        stages: &r.stages,
        artifacts: &r.artifacts,
        artifacts_declared: r.artifacts_declared,
        probes: &r.probes,
        variations: &r.variations,
        causes: &r.causes,
        causes_note: r.causes_note.as_deref(),
        fingerprint: &r.fingerprint,
        timing: r.timing.as_ref(),
        environment: r.environment.as_ref(),
        copy: r.copy.as_ref(),
        threads_per_run: r.threads_per_run,
    };
    // About 500 bytes an artifact: sized once, so that a document of 100,000
    // artifacts is not copied from buffer to ever larger buffer.
    let mut buf = Vec::with_capacity(64 * 1024 + 512 * r.artifacts.len());
    let mut s = match serde_json::to_writer_pretty(&mut buf, &doc) {
        Ok(()) => String::from_utf8(buf).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")),
        Err(e) => format!("{{\"error\": \"{e}\"}}"),
    };
    s.push('\n');
    s
}

fn num(x: Option<f64>) -> String {
    x.map_or("—".into(), |v| {
        if v == 0.0 {
            "0".into()
        } else {
            format!("{v:.3e}")
        }
    })
}

/// A plain-text summary.
pub fn text(r: &VerifyResult, dry_run: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{TOOL_NAME} {VERSION} verify — {}", r.project);
    let _ = writeln!(out);
    let _ = writeln!(out, "plan: {} ({})", r.plan.source, r.plan.why);
    for s in &r.plan.stages {
        let wdir = if s.wdir.is_empty() {
            String::new()
        } else {
            format!(" (in {})", s.wdir)
        };
        let _ = writeln!(out, "  {}: {}{wdir}", s.name, s.cmd);
    }
    for seed in &r.plan.seeds {
        let _ = writeln!(out, "  seed probe: {} = {}", seed.name, seed.value);
    }
    for p in &r.plan.params {
        let _ = writeln!(out, "  config probe: {} = {}", p.name, p.value);
    }
    if !r.plan.alternatives.is_empty() {
        let _ = writeln!(out, "alternatives (not run):");
        for a in &r.plan.alternatives {
            let _ = writeln!(
                out,
                "  {} — {}: {}",
                a.commands.join(" && "),
                a.source,
                a.why_not
            );
        }
    }
    let _ = writeln!(out, "network: {}", r.network.how);
    let _ = writeln!(out, "isolation: {}", r.isolation.summary());
    if let Some(t) = r.threads_per_run {
        let _ = writeln!(
            out,
            "threads: {t} per run (OMP/MKL/OPENBLAS/NUMEXPR_NUM_THREADS), so that parallel runs share the cores"
        );
    }
    if let Some(e) = &r.environment {
        let hash = e.packages_hash.get(..12).unwrap_or(&e.packages_hash);
        let how = if e.reused {
            "reused from the cache, made with"
        } else {
            "installed with"
        };
        let _ = writeln!(
            out,
            "fresh environment: {} declared package(s) {how} {} (packages hash {hash})",
            e.packages.len(),
            e.installer
        );
    }
    if dry_run {
        let _ = writeln!(out, "\n(dry run: nothing was run)");
        return out;
    }
    let _ = writeln!(out);
    if let Some(c) = &r.copy {
        write_copy(&mut out, c);
    }
    for run in &r.runs {
        let state = if run.timed_out {
            "timed out".to_string()
        } else {
            format!(
                "exit {}",
                run.exit_code.map_or("?".into(), |c| c.to_string())
            )
        };
        let _ = writeln!(
            out,
            "run {}: {state}, {:.1} s",
            run.index + 1,
            run.wall_seconds
        );
    }
    let _ = writeln!(out);
    let headline = match r.verdict {
        Overall::BitExact => "REPRODUCIBLE: every artifact is byte-identical across runs",
        Overall::WithinTolerance => "REPRODUCIBLE: artifacts match within tolerance",
        Overall::Differs => "NOT REPRODUCIBLE: artifacts differ between runs",
        Overall::RunFailed => "COULD NOT RUN: no verdict on reproducibility",
    };
    let _ = writeln!(out, "verdict: {} — {headline}", r.verdict.as_str());
    if let Some(f) = &r.failure {
        let _ = writeln!(out, "\n{f}");
    }
    if r.verdict == Overall::Differs && (!r.causes.is_empty() || r.causes_note.is_some()) {
        let _ = writeln!(out, "\nlikely causes:");
        for c in &r.causes {
            let artifact = c
                .artifact
                .as_deref()
                .map(|a| format!("{a} ← "))
                .unwrap_or_default();
            let at = c.location();
            let at = if at.is_empty() { at } else { format!(" {at}") };
            let _ = writeln!(out, "  {artifact}{}{at}: {}", c.rule, c.note);
        }
        if let Some(n) = &r.causes_note {
            let _ = writeln!(out, "  {n}");
        }
    }
    if !r.artifacts.is_empty() {
        let _ = writeln!(
            out,
            "\n{:<48} {:<17} {:>11} {:>11}",
            if r.artifacts_declared {
                "artifact (declared)"
            } else {
                "artifact (written by the run)"
            },
            "verdict",
            "max abs",
            "max rel"
        );
        // A run that writes thousands of files gets a readable summary: every
        // artifact is in the JSON, the text lists those that are not identical.
        let many = r.artifacts.len() > LIST_ALL_UP_TO;
        let listed: Vec<&super::compare::ArtifactResult> = if many {
            r.artifacts
                .iter()
                .filter(|a| a.verdict != super::compare::Verdict::BitExact)
                .take(LIST_AT_MOST)
                .collect()
        } else {
            r.artifacts.iter().collect()
        };
        for a in listed.iter().copied() {
            let verdict = serde_json::to_value(a.verdict)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{:<48} {:<17} {:>11} {:>11}",
                a.path,
                verdict,
                num(a.max_abs_diff),
                num(a.max_rel_diff)
            );
            if a.verdict != super::compare::Verdict::BitExact {
                if let Some(first) = &a.first_difference {
                    let _ = writeln!(out, "  first difference: {first}");
                }
                if let Some(note) = &a.note {
                    let _ = writeln!(out, "  {note}");
                }
            }
        }
        if many {
            let identical = r
                .artifacts
                .iter()
                .filter(|a| a.verdict == super::compare::Verdict::BitExact)
                .count();
            let unlisted = r.artifacts.len() - identical - listed.len();
            let _ = writeln!(
                out,
                "({} artifacts: {identical} byte-identical and not listed{}; `--format json` lists every one)",
                r.artifacts.len(),
                if unlisted > 0 {
                    format!(", {unlisted} more that differ")
                } else {
                    String::new()
                }
            );
        }
    } else if r.verdict != Overall::RunFailed {
        let _ = writeln!(out, "\nthe runs wrote no files to compare");
    }
    if r.stages.len() > 1 {
        let _ = writeln!(out, "\nstages:");
        for s in &r.stages {
            let _ = writeln!(out, "  {:<20} {}", s.name, s.verdict.as_str());
        }
    }
    if !r.probes.is_empty() {
        let _ = writeln!(out, "\nprobes:");
        for p in &r.probes {
            let _ = writeln!(
                out,
                "  {} {} {} → {}: {} — {}",
                p.kind,
                p.param,
                p.from,
                p.to,
                p.verdict.map_or("probe failed", ProbeVerdict::as_str),
                p.evidence
            );
            if let Some(e) = &p.error {
                for line in e.lines() {
                    let _ = writeln!(out, "      {line}");
                }
            }
        }
    }
    if !r.variations.is_empty() {
        let _ = writeln!(out, "\nvariations (one at a time):");
        for v in &r.variations {
            let _ = writeln!(
                out,
                "  {:<32} {}",
                v.name,
                if v.outputs_changed {
                    format!("CHANGES OUTPUTS — {}", v.evidence)
                } else {
                    v.evidence.clone()
                }
            );
        }
    }
    if let Some(t) = &r.timing {
        let _ = writeln!(out);
        write_timing(&mut out, t);
    }
    let f = &r.fingerprint;
    let _ = writeln!(
        out,
        "\nenvironment: {} · {} · {}",
        f.os,
        f.python.as_deref().unwrap_or("python: not found"),
        f.cpu.as_deref().unwrap_or("cpu: unknown")
    );
    if let Some(g) = &f.gpu {
        let _ = writeln!(out, "gpu: {g}");
    }
    out
}

/// The copy in a line, and each entry left out of it.
fn write_copy(out: &mut String, c: &super::copy::Report) {
    let _ = writeln!(
        out,
        "copy: {} file(s), {} symlink(s), {} into each run's folder",
        c.files,
        c.symlinks,
        bytes(c.bytes)
    );
    if !c.dropped.is_empty() {
        let _ = writeln!(
            out,
            "  left out of the copies ({}): the runs do not see these",
            c.dropped.len()
        );
        for d in &c.dropped {
            let kind = serde_json::to_value(d.kind)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            let _ = writeln!(out, "  {} ({kind}): {}", d.path, d.why);
        }
    }
}

/// The whole, then the phases that add up to it.
fn write_timing(out: &mut String, t: &super::Timing) {
    let _ = writeln!(
        out,
        "time: {:.2} s in all = setup {:.2} + copy {:.2} + runs {:.2} + collect {:.2} + compare {:.2} + probes {:.2} + cleanup {:.2} + fingerprint {:.2} + other {:.2} s",
        t.total_seconds,
        t.setup_seconds,
        t.copy_seconds,
        t.runs_seconds,
        t.collect_seconds,
        t.compare_seconds,
        t.probes_seconds,
        t.cleanup_seconds,
        t.fingerprint_seconds,
        t.other_seconds
    );
    let _ = writeln!(
        out,
        "  slowest run {:.2} s; compared {} file(s), {} at {}/s",
        t.slowest_run_seconds,
        t.compared_files,
        bytes(t.compared_bytes),
        bytes((t.compare_gb_per_second * 1e9) as u64)
    );
}

/// Bytes for people: B, KB, MB, GB (powers of 1000).
fn bytes(n: u64) -> String {
    let x = n as f64;
    if n < 1000 {
        format!("{n} B")
    } else if x < 1e6 {
        format!("{:.1} KB", x / 1e3)
    } else if x < 1e9 {
        format!("{:.1} MB", x / 1e6)
    } else {
        format!("{:.2} GB", x / 1e9)
    }
}
