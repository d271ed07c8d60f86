//! `seed-from-entropy`: a seed taken from the clock or the OS entropy pool.

use crate::facts::values::{Lit, Value};

use super::{Context, CriterionId, Effect, Finding, RuleDef};

pub(super) const RULE: RuleDef = RuleDef {
    id: "seed-from-entropy",
    criterion: CriterionId::C1_3,
    effect: Effect::Fail,
    what: "A seeding call whose value comes from `time.time()`, `datetime.now()`, `os.urandom`, `uuid4()` or `secrets`, or is `None` (often a `seed=None` default that no caller sets), which reseeds from OS entropy.",
    why: "A seed that changes every run is no seed: the run cannot be repeated, and the value is usually not even logged.",
    fix: "Use a fixed seed from the config; to vary seeds on purpose, pass them explicitly and record them.",
    check,
};

fn check(ctx: &Context) -> Vec<Finding> {
    ctx.seeds
        .iter()
        .filter_map(|s| {
            let message = match s.values.iter().find(|v| matches!(v, Value::Entropy(_))) {
                Some(v) => format!("{}() seeded from {}", s.callee, v.describe()),
                None if s.values.iter().all(|v| matches!(v, Value::Lit(Lit::None))) => format!(
                    "{}() seeded with None, which draws the seed from OS entropy",
                    s.callee
                ),
                None => return None,
            };
            Some(Finding::at(RULE.id, &s.path, s.loc, message, s.on_path))
        })
        .collect()
}
