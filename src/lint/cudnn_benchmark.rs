//! `cudnn-benchmark`: `torch.backends.cudnn.benchmark = True`.

use crate::facts::values::{Lit, Value};

use super::{Context, CriterionId, Effect, Finding, RuleDef};

pub(super) const RULE: RuleDef = RuleDef {
    id: "cudnn-benchmark",
    criterion: CriterionId::C1_3,
    effect: Effect::Partial,
    what: "`torch.backends.cudnn.benchmark = True`.",
    why: "cuDNN's benchmark mode picks convolution algorithms by timing them at run time, so two runs can use different algorithms with different rounding.",
    fix: "Set `torch.backends.cudnn.benchmark = False` and `torch.backends.cudnn.deterministic = True` (or `torch.use_deterministic_algorithms(True)`).",
    check,
};

fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for f in &ctx.facts.python {
        for a in &f.assigns {
            if a.target.ends_with("backends.cudnn.benchmark")
                && matches!(a.value, Value::Lit(Lit::Bool(true)))
            {
                out.push(Finding::at(
                    RULE.id,
                    &f.path,
                    a.loc,
                    "cudnn.benchmark = True selects algorithms by timing".into(),
                    ctx.facts.run_path.contains(&f.path),
                ));
            }
        }
    }
    out
}
