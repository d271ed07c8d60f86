//! `unseeded-rng`: a draw from a global RNG that is never seeded on the run
//! path, or a local generator built without a seed.

use super::seeds::{rng_lib, unseeded_local_generator};
use super::{Context, CriterionId, Effect, Finding, RuleDef};

pub(super) const RULE: RuleDef = RuleDef {
    id: "unseeded-rng",
    criterion: CriterionId::C1_3,
    effect: Effect::Fail,
    what: "Random draws (`random.*`, `np.random.*`, `torch.rand*`, weight initialisation, `tf.random.*`) from a generator that nothing seeds on the run path, and `default_rng()` / `random.Random()` built without a seed.",
    why: "An unseeded generator starts from OS entropy, so every run draws different numbers: different splits, initial weights and results.",
    fix: "Seed the generator once at start-up from the config (`np.random.seed(cfg.seed)`, `torch.manual_seed(cfg.seed)`), or pass a seed to `default_rng(seed)`.",
    check,
};

fn is_layer(call: &crate::facts::python::Call) -> bool {
    call.callee.starts_with("torch.nn.") || call.callee.contains("keras.layers.")
}

/// A draw whose result does not reach the outputs where `path` runs: initial
/// weights, which a loaded model overwrites, and a loader's order, which only
/// orders an evaluation, on paths that load trained weights and never train.
pub(crate) fn overwritten_by_weights(
    ctx: &Context,
    path: &str,
    on_path: bool,
    call: &crate::facts::python::Call,
    lib: &str,
) -> bool {
    let overwritten = is_layer(call) || call.initial_weight || call.name() == "DataLoader";
    overwritten && ctx.is_seeded_for_training(path, on_path, lib)
}

fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for f in &ctx.facts.python {
        let on_path = ctx.facts.run_path.contains(&f.path);
        // Layer constructions draw initial weights; one finding per file says it
        // better than one per `nn.Linear`.
        let mut layers: Vec<(&crate::facts::python::Call, &str)> = Vec::new();
        let exports_only = exports_without_training(f);
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
                let layer = is_layer(call);
                if ctx.is_seeded(&f.path, on_path, lib)
                    || overwritten_by_weights(ctx, &f.path, on_path, call, lib)
                    || (layer && keras_layer_without_draws(call))
                    || (exports_only && is_example_input(call))
                {
                    continue;
                }
                if layer {
                    layers.push((call, lib));
                    continue;
                }
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
        if let Some(&(first, lib)) = layers.first() {
            let more = match layers.len() - 1 {
                0 => String::new(),
                n => format!(" (and {n} more in this file)"),
            };
            out.push(Finding::at(
                RULE.id,
                &f.path,
                first.loc,
                format!(
                    "{}() draws from the {lib} RNG (weight initialisation, dropout or augmentation), which is never seeded{more}",
                    first.callee
                ),
                on_path,
            ));
        }
    }
    out
}

/// Functions that take an example input only to trace or describe a model.
const TRACERS: &[&str] = &[
    "torch.onnx.export",
    "torch.jit.trace",
    "torch.export.export",
    "mlflow.models.infer_signature",
    "mlflow.models.signature.infer_signature",
];

/// Whether a file exports a model or infers its signature and trains nothing;
/// decided once per file, not once per draw.
fn exports_without_training(f: &crate::facts::python::PyFile) -> bool {
    f.calls.iter().any(|c| TRACERS.contains(&c.callee.as_str()))
        && !f.calls.iter().any(|c| super::trains(&c.callee))
}

/// `x = torch.randn(…)` in such a file: an example input whose values never
/// reach a result.
fn is_example_input(call: &crate::facts::python::Call) -> bool {
    call.assigned_to.is_some()
        && matches!(
            call.name(),
            "randn" | "rand" | "randint" | "normal" | "uniform"
        )
}

/// A Keras layer whose weights are given rather than drawn: its kernel (or
/// depthwise/embedding) initializer is a constant, and the bias starts at
/// zeros unless told otherwise (`Conv2D(kernel_initializer=Constant(w))`,
/// how converted weights are loaded).
fn keras_layer_without_draws(call: &crate::facts::python::Call) -> bool {
    use crate::facts::values::{Lit, Value};
    if !call.callee.contains("keras.layers.") || call.name().contains("Dropout") {
        return false;
    }
    let constant = |v: &Value| match v {
        Value::Lit(Lit::Str(s)) => matches!(s.as_str(), "zeros" | "ones" | "constant" | "identity"),
        Value::Call(c) => {
            let name = c.rsplit('.').next().unwrap_or(c);
            matches!(
                name,
                "Constant"
                    | "Zeros"
                    | "Ones"
                    | "Identity"
                    | "constant_initializer"
                    | "zeros_initializer"
                    | "ones_initializer"
            )
        }
        _ => false,
    };
    let weights = [
        "kernel_initializer",
        "depthwise_initializer",
        "embeddings_initializer",
    ];
    weights.iter().any(|k| call.kwarg(k).is_some())
        && weights.iter().all(|k| call.kwarg(k).is_none_or(constant))
        // Biases start at zeros; one is drawn only where a random initializer
        // is named (a branch between two constants evaluates to neither).
        && call
            .kwarg("bias_initializer")
            .is_none_or(|v| constant(v) || !matches!(v, Value::Lit(_) | Value::Call(_)))
}
