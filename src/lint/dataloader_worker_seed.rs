//! `dataloader-worker-seed`: a DataLoader with worker processes but no
//! `worker_init_fn` or `generator`.

use crate::facts::values::{Lit, Value};

use super::{Context, Effect, Finding, RuleDef};

pub(super) const RULE: RuleDef = RuleDef {
    id: "dataloader-worker-seed",
    criterion: "1.3",
    effect: Effect::Partial,
    what: "`DataLoader(..., num_workers>0)` without `worker_init_fn=` or `generator=`.",
    why: "Each worker process gets its own RNG state; numpy and `random` in workers are not reseeded by torch, so augmentations repeat across workers or differ across runs.",
    fix: "Pass `generator=torch.Generator().manual_seed(seed)` and a `worker_init_fn` that seeds numpy and `random` from `torch.initial_seed()`.",
    check,
};

fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for f in &ctx.facts.python {
        for call in &f.calls {
            if call.name() != "DataLoader" {
                continue;
            }
            let workers = match call.kwarg("num_workers") {
                None | Some(Value::Lit(Lit::Int(0))) => false,
                Some(_) => true,
            };
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
