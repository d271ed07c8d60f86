//! `unsorted-listing`: a directory listing used without sorting.

use super::{Context, CriterionId, Effect, Finding, RuleDef};

pub(super) const RULE: RuleDef = RuleDef {
    id: "unsorted-listing",
    criterion: CriterionId::C1_3,
    effect: Effect::Partial,
    what: "`os.listdir`, `os.scandir`, `os.walk`, `glob.glob`, `Path.iterdir/glob/rglob` not wrapped in `sorted()` (nor sorted in place afterwards), in code that loads data.",
    why: "Directory order depends on the file system and on how the files were written; data read in that order changes batches, splits and results between machines.",
    fix: "Wrap the listing in `sorted(...)`.",
    check,
};

const LISTINGS: &[&str] = &[
    "os.listdir",
    "os.scandir",
    "os.walk",
    "glob.glob",
    "glob.iglob",
];
const METHODS: &[&str] = &["iterdir", "glob", "rglob"];

fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for f in &ctx.facts.python {
        // SPEC: listings that feed data loading. A file that loads nothing
        // (it copies, deletes or counts files) cannot.
        if !crate::lint::data_paths::loads_data(f) {
            continue;
        }
        let on_path = ctx.facts.run_path.contains(&f.path);
        for call in &f.calls {
            let listing = LISTINGS.contains(&call.callee.as_str())
                || (METHODS.contains(&call.name())
                    && !call.callee.starts_with("glob.")
                    && call.callee.contains('.'));
            if !listing || call.in_sorted {
                continue;
            }
            // `names = os.listdir(d); names.sort()` is sorted too.
            if let Some(var) = &call.assigned_to {
                let sort = format!("{var}.sort");
                if f.calls.iter().any(|c| c.callee == sort) {
                    continue;
                }
            }
            out.push(Finding::at(
                RULE.id,
                &f.path,
                call.loc,
                format!("{}() order is not sorted", call.callee),
                on_path,
            ));
        }
    }
    out
}
