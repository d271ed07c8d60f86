//! `pythonhashseed-in-process`: setting PYTHONHASHSEED from inside Python.

use super::{Context, CriterionId, Effect, Finding, RuleDef};

pub(super) const RULE: RuleDef = RuleDef {
    id: "pythonhashseed-in-process",
    criterion: CriterionId::C1_3,
    effect: Effect::Advice,
    what: "`os.environ[\"PYTHONHASHSEED\"] = …` (or `putenv`/`setdefault`) inside the running program.",
    why: "The interpreter reads PYTHONHASHSEED once at start-up; setting it later has no effect on the running process, so set and dict iteration order of strings still varies.",
    fix: "Set PYTHONHASHSEED in the environment that starts Python (Makefile, Dockerfile, launcher script), not in the code.",
    check,
};

fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for f in &ctx.facts.python {
        let on_path = ctx.facts.run_path.contains(&f.path);
        for a in &f.assigns {
            if a.target == "os.environ[PYTHONHASHSEED]" {
                out.push(Finding::at(
                    RULE.id,
                    &f.path,
                    a.loc,
                    "PYTHONHASHSEED set in-process has no effect on this process".into(),
                    on_path,
                ));
            }
        }
        for call in &f.calls {
            if matches!(call.callee.as_str(), "os.putenv" | "os.environ.setdefault")
                && call.args.first().and_then(|v| v.as_str()) == Some("PYTHONHASHSEED")
            {
                out.push(Finding::at(
                    RULE.id,
                    &f.path,
                    call.loc,
                    "PYTHONHASHSEED set in-process has no effect on this process".into(),
                    on_path,
                ));
            }
        }
    }
    out
}
