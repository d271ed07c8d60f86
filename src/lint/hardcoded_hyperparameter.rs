//! `hardcoded-hyperparameter`: a run's knobs written as literals in code.

use crate::facts::config::is_python_config_module;

use super::{Context, CriterionId, Effect, Finding, RuleDef};

pub(super) const RULE: RuleDef = RuleDef {
    id: "hardcoded-hyperparameter",
    criterion: CriterionId::C2_1,
    effect: Effect::Partial,
    what: "Hyper-parameter literals at call sites (`lr=0.001`, `epochs=10`, `batch_size=32`, `n_estimators=100`, `dropout=0.5`, `test_size=0.2`, …), split fractions (`len(data) * 0.8`), `for epoch in range(10)` loops, and module-level constants such as `LEARNING_RATE = 0.01` outside a config module. Layer shapes are not counted.",
    why: "A knob set in code is invisible in the run's configuration: changing it means editing code, and the value used for a published result is easy to lose.",
    fix: "Move the value into the config file and read it from there (`lr=cfg.train.lr`).",
    check,
};

/// Keyword names that are hyper-parameters (SPEC §2: the knobs of a run).
const HP_NAMES: &[&str] = &[
    "lr",
    "learning_rate",
    "base_lr",
    "max_lr",
    "min_lr",
    "learning_rate_init",
    "epochs",
    "num_epochs",
    "n_epochs",
    "max_epochs",
    "num_train_epochs",
    "steps",
    "max_steps",
    "num_steps",
    "total_steps",
    "n_steps",
    "num_iterations",
    "max_iter",
    "n_iter",
    "iterations",
    "batch_size",
    "train_batch_size",
    "eval_batch_size",
    "per_device_train_batch_size",
    "per_device_eval_batch_size",
    "gradient_accumulation_steps",
    "weight_decay",
    "dropout",
    "dropout_rate",
    "drop_rate",
    "momentum",
    "n_estimators",
    "num_boost_round",
    "max_depth",
    "min_samples_split",
    "min_samples_leaf",
    "C",
    "alpha",
    "l1_ratio",
    "test_size",
    "train_size",
    "val_size",
    "validation_split",
    "warmup_steps",
    "label_smoothing",
    "n_neighbors",
    "num_leaves",
    "subsample",
    "colsample_bytree",
    "eta",
    "reg_alpha",
    "reg_lambda",
    "gamma",
    "beta1",
    "beta2",
    "eps",
    "patience",
    "step_size",
    "max_features",
    "num_layers",
    "hidden_size",
    "hidden_dim",
    "embedding_dim",
    "n_components",
    "T_max",
    "T_0",
    "eta_min",
    "warmup_epochs",
    "num_warmup_steps",
    "num_training_steps",
];

/// Names that are knobs only for estimators and optimisers (matplotlib's
/// `alpha` is a transparency, not a regularisation strength).
const MODEL_ONLY: &[&str] = &[
    "alpha",
    "C",
    "gamma",
    "eps",
    "beta1",
    "beta2",
    "subsample",
    "eta",
];

fn is_model_callee(callee: &str) -> bool {
    let name = callee.rsplit('.').next().unwrap_or(callee);
    let prefixes = [
        "sklearn.",
        "xgboost.",
        "lightgbm.",
        "catboost.",
        "torch.optim.",
        "tensorflow.keras.optimizers.",
        "keras.optimizers.",
        "optax.",
    ];
    let suffixes = [
        "Classifier",
        "Regressor",
        "Regression",
        "SVC",
        "SVR",
        "Lasso",
        "Ridge",
        "ElasticNet",
        "Adam",
        "AdamW",
        "SGD",
        "RMSprop",
        "Adagrad",
    ];
    prefixes.iter().any(|p| callee.starts_with(p)) || suffixes.iter().any(|s| name.ends_with(s))
}

const CONSTANT_NAMES: &[&str] = &[
    "lr",
    "learning_rate",
    "epochs",
    "num_epochs",
    "n_epochs",
    "max_epochs",
    "batch_size",
    "weight_decay",
    "dropout",
    "momentum",
    "n_estimators",
    "max_depth",
    "test_size",
    "train_size",
    "val_size",
    "steps",
    "max_steps",
    "num_steps",
    "max_iter",
    "warmup_steps",
];

/// Calls whose arguments are declarations or lookups, not call-site settings.
fn is_declaration(callee: &str) -> bool {
    let name = callee.rsplit('.').next().unwrap_or(callee);
    matches!(
        name,
        "add_argument"
            | "get"
            | "setdefault"
            | "pop"
            | "getfloat"
            | "getint"
            | "Option"
            | "option"
            | "Argument"
            | "argument"
            | "field"
    ) || callee.starts_with("absl.flags.DEFINE")
        || callee.starts_with("typer.")
}

fn is_loop_var(var: &str) -> bool {
    let v = var.to_ascii_lowercase();
    v.contains("epoch") || v.contains("step") || v.contains("iter") || v == "ep" || v == "e"
}

fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for f in &ctx.facts.python {
        if is_python_config_module(&f.path) {
            continue;
        }
        let on_path = ctx.facts.run_path.contains(&f.path);
        for call in &f.calls {
            if is_declaration(&call.callee) {
                continue;
            }
            for (k, _) in &call.kwargs {
                if MODEL_ONLY.contains(&k.as_str()) && !is_model_callee(&call.callee) {
                    continue;
                }
                if let Some(l) = call.literal_kwarg(k) {
                    if l.is_number() && HP_NAMES.contains(&k.as_str()) {
                        out.push(Finding::at(
                            RULE.id,
                            &f.path,
                            call.loc,
                            format!("{k}={} hard-coded in {}()", l.text(), call.name()),
                            on_path,
                        ));
                    }
                }
            }
            if call.name().starts_with("Dropout") && call.callee.contains("nn") {
                if let Some(l) = call.literal_arg(0) {
                    if l.is_number() {
                        out.push(Finding::at(
                            RULE.id,
                            &f.path,
                            call.loc,
                            format!("dropout {} hard-coded in {}()", l.text(), call.name()),
                            on_path,
                        ));
                    }
                }
            }
        }
        for l in &f.range_loops {
            if is_loop_var(&l.var) {
                let bounds: Vec<String> = l.bounds.iter().map(|b| b.text()).collect();
                out.push(Finding::at(
                    RULE.id,
                    &f.path,
                    l.loc,
                    format!(
                        "for {} in range({}): loop count hard-coded",
                        l.var,
                        bounds.join(", ")
                    ),
                    on_path,
                ));
            }
        }
        for (fraction, loc) in &f.split_fractions {
            out.push(Finding::at(
                RULE.id,
                &f.path,
                *loc,
                format!("split fraction {fraction} hard-coded (`len(…) * {fraction}`)"),
                on_path,
            ));
        }
        for c in &f.constants {
            if c.value.is_number() && CONSTANT_NAMES.contains(&c.name.to_ascii_lowercase().as_str())
            {
                out.push(Finding::at(
                    RULE.id,
                    &f.path,
                    c.loc,
                    format!(
                        "{} = {} hard-coded as a module constant",
                        c.name,
                        c.value.text()
                    ),
                    on_path,
                ));
            }
        }
    }
    out
}
