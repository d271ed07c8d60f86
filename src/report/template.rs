//! The structure of REPRODUCIBILITY.md (SPEC §7): five sections holding
//! 2/1/3/3/2 checklist items, each tied to the criterion whose status decides
//! whether it is ticked. Generation, `--update` and `--check` all read this
//! one table.

use crate::criteria::id::CriterionId;

/// One section of the report: a stage of the scale.
#[derive(Debug, Clone, Copy)]
pub struct SectionDef {
    /// Stage number, 1..=5.
    pub stage: u8,
    /// The heading text the generated file uses (after `## `).
    pub heading: &'static str,
    /// The name in this section's `reproscale:begin`/`end` markers.
    pub block: &'static str,
    /// How many checklist items the section holds.
    pub items: usize,
}

/// The five sections, in order.
pub const SECTIONS: [SectionDef; 5] = [
    SectionDef {
        stage: 1,
        heading: "1. Code",
        block: "code",
        items: 2,
    },
    SectionDef {
        stage: 2,
        heading: "2. Configuration",
        block: "configuration",
        items: 1,
    },
    SectionDef {
        stage: 3,
        heading: "3. Data (+ Artifacts)",
        block: "data",
        items: 3,
    },
    SectionDef {
        stage: 4,
        heading: "4. Environment",
        block: "environment",
        items: 3,
    },
    SectionDef {
        stage: 5,
        heading: "5. Evaluation",
        block: "evaluation",
        items: 2,
    },
];

/// Which piece of evidence an item shows; decides how its line is filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill {
    /// Entry points and the command that runs each.
    EntryPoints,
    /// A plain list of evidence locations with their notes.
    Evidence,
    /// Evidence plus the criterion's summary (e.g. the pinning level).
    EvidenceAndSummary,
    /// The schema summary, linked to the documenting section.
    Schema,
    /// Pipeline steps with their code and outputs.
    Steps,
    /// Where the model can be tried: a hosted demo, else the local app.
    WhereToEvaluate,
    /// The app or script and how to run it locally.
    App,
}

/// One checklist item.
#[derive(Debug, Clone, Copy)]
pub struct ItemDef {
    /// Section (stage) number.
    pub section: u8,
    /// 1-based position within the section.
    pub index: usize,
    /// The criterion whose status ticks the item.
    pub criterion: CriterionId,
    /// The bold label that starts the generated line.
    pub label: &'static str,
    /// What the item asks for, in words (for messages).
    pub what: &'static str,
    /// The blank template's placeholder.
    pub placeholder: &'static str,
    /// How the generated line is filled.
    pub fill: Fill,
}

/// The eleven items, in template order.
pub const ITEMS: [ItemDef; 11] = [
    ItemDef {
        section: 1,
        index: 1,
        criterion: CriterionId::C1_1,
        label: "Runnable code",
        what: "runnable code location",
        placeholder: "{where the code is and the command that runs it}",
        fill: Fill::EntryPoints,
    },
    ItemDef {
        section: 1,
        index: 2,
        criterion: CriterionId::C1_2,
        label: "Example input",
        what: "example input",
        placeholder: "{link to an example input}",
        fill: Fill::Evidence,
    },
    ItemDef {
        section: 2,
        index: 1,
        criterion: CriterionId::C2_1,
        label: "Config files",
        what: "config files",
        placeholder: "{links to the config files}",
        fill: Fill::Evidence,
    },
    ItemDef {
        section: 3,
        index: 1,
        criterion: CriterionId::C3_1,
        label: "Data location",
        what: "data location",
        placeholder: "{where the data is kept and how to get it}",
        fill: Fill::Evidence,
    },
    ItemDef {
        section: 3,
        index: 2,
        criterion: CriterionId::C3_2,
        label: "Data schema",
        what: "data schema",
        placeholder: "{the data's fields and types, or a link to where they are documented}",
        fill: Fill::Schema,
    },
    ItemDef {
        section: 3,
        index: 3,
        criterion: CriterionId::C3_4,
        label: "Pipeline steps",
        what: "pipeline steps",
        placeholder: "{each step with its code and its outputs}",
        fill: Fill::Steps,
    },
    ItemDef {
        section: 4,
        index: 1,
        criterion: CriterionId::C4_1,
        label: "Package list",
        what: "package list file",
        placeholder: "{link to the package list file}",
        fill: Fill::EvidenceAndSummary,
    },
    ItemDef {
        section: 4,
        index: 2,
        criterion: CriterionId::C4_2,
        label: "Example environment",
        what: "example environment",
        placeholder: "{link to the Dockerfile or the published image}",
        fill: Fill::Evidence,
    },
    ItemDef {
        section: 4,
        index: 3,
        criterion: CriterionId::C4_3,
        label: "Hardware",
        what: "hardware",
        placeholder: "{GPU model and memory, CUDA and driver version}",
        fill: Fill::Evidence,
    },
    ItemDef {
        section: 5,
        index: 1,
        criterion: CriterionId::C5_1,
        label: "Where to evaluate the model",
        what: "where to evaluate the model",
        placeholder: "{link to a hosted demo or app}",
        fill: Fill::WhereToEvaluate,
    },
    ItemDef {
        section: 5,
        index: 2,
        criterion: CriterionId::C5_1,
        label: "Evaluation app",
        what: "evaluation app code and how to run it",
        placeholder: "{link to the app code and the command that runs it locally}",
        fill: Fill::App,
    },
];

/// The report's title line, without `# `.
pub const TITLE: &str = "Machine Learning Reproducibility Report";

/// The heading of the final evidence table, without `## `.
pub const DETAILS_HEADING: &str = "Assessment details";

/// The one-line description under the title.
pub const DESCRIPTION: &str = "Where to find what it takes to reproduce this project's results, item by item, as assessed on the five-star ML Reproducibility Scale.";

/// The blank template's description placeholder.
pub const DESCRIPTION_PLACEHOLDER: &str = "{one line saying what this document is for}";

/// Name of the header block (stars line).
pub const HEADER_BLOCK: &str = "header";

/// Name of the details block (per-criterion table).
pub const DETAILS_BLOCK: &str = "details";

/// The item at `section`/`index` (1-based), if the template has one.
pub fn item(section: u8, index: usize) -> Option<&'static ItemDef> {
    ITEMS
        .iter()
        .find(|i| i.section == section && i.index == index)
}

/// The section of stage `stage`.
pub fn section(stage: u8) -> Option<&'static SectionDef> {
    SECTIONS.iter().find(|s| s.stage == stage)
}

/// The stage a block name belongs to (`code` → 1), if it is a section block.
pub fn stage_of_block(name: &str) -> Option<u8> {
    SECTIONS.iter().find(|s| s.block == name).map(|s| s.stage)
}

/// Whether `name` is a block name reproscale writes.
pub fn known_block(name: &str) -> bool {
    name == HEADER_BLOCK || name == DETAILS_BLOCK || stage_of_block(name).is_some()
}

/// The SPEC §7 structure with a `{placeholder}` wherever a value goes.
pub fn blank() -> String {
    let mut out = format!("# {TITLE}\n\n{DESCRIPTION_PLACEHOLDER}\n");
    for s in &SECTIONS {
        out.push_str(&format!("\n## {}\n\n", s.heading));
        for i in ITEMS.iter().filter(|i| i.section == s.stage) {
            out.push_str(&format!("- [ ] {}: {}\n", i.label, i.placeholder));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_match_the_section_counts() {
        for s in &SECTIONS {
            let n = ITEMS.iter().filter(|i| i.section == s.stage).count();
            assert_eq!(n, s.items, "section {}", s.stage);
            for k in 1..=s.items {
                assert!(item(s.stage, k).is_some());
            }
        }
    }

    #[test]
    fn every_item_names_a_catalogued_criterion() {
        for i in &ITEMS {
            assert_eq!(i.criterion.stage(), i.section, "{}", i.criterion);
        }
    }
}
