//! `random-state-unset`: an sklearn estimator or splitter that draws
//! randomness, called without `random_state` and without a global numpy seed.

use super::seeds::{random_state_unset, sklearn_call_is_random};
use super::{Context, CriterionId, Effect, Finding, RuleDef};

pub(super) const RULE: RuleDef = RuleDef {
    id: "random-state-unset",
    criterion: CriterionId::C1_3,
    effect: Effect::Fail,
    what: "sklearn estimators, splitters and generators with a `random_state` parameter (RandomForest*, train_test_split, KFold(shuffle=True), KMeans, PCA, MLP*, …) and pandas `DataFrame.sample` called with `random_state` unset or `None` while no `np.random.seed` runs on the run path.",
    why: "With `random_state=None` sklearn draws from numpy's global RNG, which starts from OS entropy unless seeded: each run gets another split or another forest.",
    fix: "Pass `random_state=cfg[\"seed\"]` (or call `np.random.seed` once at start-up).",
    check,
};

fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for f in &ctx.facts.python {
        let on_path = ctx.facts.run_path.contains(&f.path);
        let numpy_seeded = if on_path {
            ctx.seeded.contains("numpy")
        } else {
            ctx.seeds
                .iter()
                .any(|s| s.path == f.path && s.libs.contains(&"numpy"))
        };
        if numpy_seeded {
            continue;
        }
        for call in &f.calls {
            if sklearn_call_is_random(call) && random_state_unset(call) {
                out.push(Finding::at(
                    RULE.id,
                    &f.path,
                    call.loc,
                    format!("{}() without random_state", call.name()),
                    on_path,
                ));
            }
        }
    }
    out
}
