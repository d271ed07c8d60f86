//! `syntax-error`: a Python file or notebook cell that does not parse.

use super::{Context, CriterionId, Effect, Finding, RuleDef};

pub(super) const RULE: RuleDef = RuleDef {
    id: "syntax-error",
    criterion: CriterionId::C1_1,
    effect: Effect::Fail,
    what: "A Python file or notebook code cell that does not parse as Python 3.",
    why: "Python stops at the first syntax error it meets; code that does not parse cannot run, wherever it sits.",
    fix: "Fix the syntax error at the line shown (Python 2 code needs porting to Python 3).",
    check,
};

fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for f in &ctx.facts.python {
        // One error per file: after the first, the parser's recovery produces noise.
        if let Some(e) = f.syntax_errors.first() {
            let more = f.syntax_errors.len() - 1;
            let extra = if more > 0 {
                format!(" (and {more} more)")
            } else {
                String::new()
            };
            out.push(Finding::at(
                RULE.id,
                &f.path,
                e.loc,
                format!("does not parse: {}{extra}", e.message),
                ctx.facts.run_path.contains(&f.path),
            ));
        }
    }
    out
}
