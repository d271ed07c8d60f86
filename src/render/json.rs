//! `--format json`: the schema_version 1 contract of SPEC §5.

use serde::Serialize;

use crate::assessment::{Basis, CriterionResult, StageResult};
use crate::lint::Finding;
use crate::source::Skipped;
use crate::{ProjectInfo, Report, TOOL_NAME, VERSION};

/// The JSON schema version this renderer writes.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize, schemars::JsonSchema)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

/// The document; `reproscale schema assess` prints its schema (see [`crate::schema`]).
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct Document<'a> {
    #[schemars(extend("const" = 1))]
    schema_version: u32,
    tool: Tool,
    project: &'a ProjectInfo,
    stars: u8,
    basis: Basis,
    stages: &'a [StageResult],
    criteria: &'a [CriterionResult],
    findings: &'a [Finding],
    entry_points: &'a [String],
    skipped: &'a [Skipped],
}

/// Renders the assessment as pretty JSON.
pub fn render(report: &Report) -> String {
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: TOOL_NAME,
            version: VERSION,
        },
        project: &report.project,
        stars: report.stars,
        basis: report.basis,
        stages: &report.stages,
        criteria: &report.criteria,
        findings: &report.findings,
        entry_points: &report.entry_points,
        skipped: &report.skipped,
    };
    let mut s =
        serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
