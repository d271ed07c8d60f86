//! `dataloader-worker-seed`: a DataLoader with worker processes but no
//! `worker_init_fn` or `generator`.

use crate::facts::values::{Lit, Value};

use super::{Context, CriterionId, Effect, Finding, RuleDef};

pub(super) const RULE: RuleDef = RuleDef {
    id: "dataloader-worker-seed",
    criterion: CriterionId::C1_3,
    effect: Effect::Partial,
    what: "`DataLoader(..., num_workers>0)` (a literal, or a CLI flag whose default is above 0) without `worker_init_fn=` or `generator=`, unless Lightning's `seed_everything(..., workers=True)` runs.",
    why: "Each worker process gets its own RNG state; numpy and `random` in workers are not reseeded by torch, so augmentations repeat across workers or differ across runs.",
    fix: "Pass `generator=torch.Generator().manual_seed(seed)` and a `worker_init_fn` that seeds numpy and `random` from `torch.initial_seed()`.",
    check,
};

/// Whether Lightning's `seed_everything(..., workers=True)` runs: it installs a
/// worker init function in every DataLoader it builds.
fn lightning_seeds_workers(ctx: &Context) -> bool {
    ctx.facts
        .python
        .iter()
        .filter(|f| ctx.facts.run_path.contains(&f.path))
        .any(|f| {
            f.calls.iter().any(|c| {
                c.name() == "seed_everything"
                    && matches!(c.kwarg("workers"), Some(Value::Lit(Lit::Bool(true))))
            })
        })
}

/// The worker count when it is known to be above zero: a literal, or a CLI
/// flag whose default is one.
fn known_workers(ctx: &Context, v: &Value) -> Option<i64> {
    match v {
        Value::Lit(Lit::Int(n)) => Some(*n),
        Value::Cli(flag) => ctx
            .facts
            .python
            .iter()
            .flat_map(|f| &f.cli_params)
            .find(|p| &p.name == flag)
            .and_then(|p| match &p.default {
                Some(Value::Lit(Lit::Int(n))) => Some(*n),
                _ => None,
            }),
        _ => None,
    }
}

fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    if lightning_seeds_workers(ctx) {
        return out;
    }
    for f in &ctx.facts.python {
        for call in &f.calls {
            if call.name() != "DataLoader" {
                continue;
            }
            let workers = call
                .kwarg("num_workers")
                .and_then(|v| known_workers(ctx, v))
                .is_some_and(|n| n > 0);
            if workers
                && call.kwarg("worker_init_fn").is_none()
                && call.kwarg("generator").is_none()
            {
                let n = call
                    .kwarg("num_workers")
                    .map(|v| v.describe())
                    .unwrap_or_default();
                out.push(Finding::at(
                    RULE.id,
                    &f.path,
                    call.loc,
                    format!("DataLoader with num_workers = {n} and no worker_init_fn/generator"),
                    ctx.facts.run_path.contains(&f.path),
                ));
            }
        }
    }
    out
}
