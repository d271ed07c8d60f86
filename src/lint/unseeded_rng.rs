//! `unseeded-rng`: a draw from a global RNG that is never seeded on the run
//! path, or a local generator built without a seed.

use super::seeds::{rng_lib, unseeded_local_generator};
use super::{Context, Effect, Finding, RuleDef};

pub(super) const RULE: RuleDef = RuleDef {
    id: "unseeded-rng",
    criterion: "1.3",
    effect: Effect::Fail,
    what: "Random draws (`random.*`, `np.random.*`, `torch.rand*`, weight initialisation, `tf.random.*`) from a generator that nothing seeds on the run path, and `default_rng()` / `random.Random()` built without a seed.",
    why: "An unseeded generator starts from OS entropy, so every run draws different numbers: different splits, initial weights and results.",
    fix: "Seed the generator once at start-up from the config (`np.random.seed(cfg.seed)`, `torch.manual_seed(cfg.seed)`), or pass a seed to `default_rng(seed)`.",
    check,
};

fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for f in &ctx.facts.python {
        let on_path = ctx.facts.run_path.contains(&f.path);
        for call in &f.calls {
            if unseeded_local_generator(call) {
                out.push(Finding::at(
                    RULE.id,
                    &f.path,
                    call.loc,
                    format!("{}() without a seed", call.callee),
                    on_path,
                ));
                continue;
            }
            if let Some(lib) = rng_lib(call) {
                // Off the path, judge against the file's own seeding.
                let seeded = if on_path {
                    ctx.seeded.contains(lib)
                } else {
                    ctx.seeds
                        .iter()
                        .any(|s| s.path == f.path && s.libs.contains(&lib))
                };
                if !seeded {
                    out.push(Finding::at(
                        RULE.id,
                        &f.path,
                        call.loc,
                        format!(
                            "{}() draws from the {lib} RNG, which is never seeded",
                            call.callee
                        ),
                        on_path,
                    ));
                }
            }
        }
    }
    out
}
