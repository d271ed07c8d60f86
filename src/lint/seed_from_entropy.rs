//! `seed-from-entropy`: a seed taken from the clock or the OS entropy pool.

use crate::facts::values::Value;

use super::{Context, Effect, Finding, RuleDef};

pub(super) const RULE: RuleDef = RuleDef {
    id: "seed-from-entropy",
    criterion: "1.3",
    effect: Effect::Fail,
    what: "A seeding call whose value comes from `time.time()`, `datetime.now()`, `os.urandom`, `uuid4()` or `secrets`.",
    why: "A seed that changes every run is no seed: the run cannot be repeated, and the value is usually not even logged.",
    fix: "Use a fixed seed from the config; to vary seeds on purpose, pass them explicitly and record them.",
    check,
};

fn check(ctx: &Context) -> Vec<Finding> {
    ctx.seeds
        .iter()
        .filter_map(|s| {
            let v = s.values.iter().find(|v| matches!(v, Value::Entropy(_)))?;
            Some(Finding::at(
                RULE.id,
                &s.path,
                s.loc,
                format!("{}() seeded from {}", s.callee, v.describe()),
                s.on_path,
            ))
        })
        .collect()
}
