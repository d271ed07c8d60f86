//! Stage 5, Evaluation: 5.1 custom-input, 5.2 run-comparison.

use super::evidence::{at, line};
use super::Input;
use crate::assessment::{Evidence, Outcome, Status};
use crate::facts::values::{Lit, Value};
use crate::facts::Facts;

type Decided = (Outcome, Option<String>);

/// Calls that build an app or endpoint a user can feed their own input to.
fn app_note(callee: &str) -> Option<&'static str> {
    let name = callee.rsplit('.').next().unwrap_or(callee);
    match callee {
        c if c.starts_with("streamlit.") => Some("Streamlit app"),
        c if c.starts_with("gradio.")
            && matches!(
                name,
                "Interface" | "Blocks" | "ChatInterface" | "TabbedInterface"
            ) =>
        {
            Some("Gradio app")
        }
        c if c.starts_with("dash.") && name == "Dash" => Some("Dash app"),
        c if c.starts_with("panel.") && matches!(name, "serve" | "servable") => Some("Panel app"),
        "fastapi.FastAPI" => Some("FastAPI endpoint"),
        "flask.Flask" => Some("Flask endpoint"),
        c if c.starts_with("bentoml.") => Some("BentoML service"),
        c if c.starts_with("mlflow.")
            && (name == "log_model" || name == "save_model")
            && c.contains("pyfunc") =>
        {
            Some("MLflow pyfunc model (servable with `mlflow models serve`)")
        }
        c if c.starts_with("cog.") => Some("Cog predictor"),
        c if c.starts_with("ts.torch_handler") => Some("TorchServe handler"),
        _ => None,
    }
}

/// 5.1: the trained model can be used on a user's own input.
/// The file name of `path`, lower-cased.
fn file_name_lower(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase()
}

/// Whether a script takes input from its command line: declared parameters, `sys.argv`,
/// `input()`, or a CLI generated from a function or class (python-fire, typer).
fn takes_cli_input(f: &crate::facts::python::PyFile) -> bool {
    !f.cli_params.is_empty()
        || f.calls.iter().any(|c| {
            c.callee.starts_with("sys.argv")
                || matches!(c.callee.as_str(), "input" | "fire.Fire" | "typer.run")
                // A parser built elsewhere (`create_argparser().parse_args()`).
                || matches!(c.name(), "parse_args" | "parse_known_args")
        })
}

/// A module of a data-loading or test package (`dataloaders/datasets/pascal.py`):
/// its `__main__` block exercises the loader, it does not predict.
fn in_data_or_test_package(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.split('/').rev().skip(1).any(|d| {
        matches!(
            d,
            "data"
                | "dataset"
                | "datasets"
                | "dataloader"
                | "dataloaders"
                | "data_loader"
                | "data_loaders"
                | "test"
                | "tests"
        )
    })
}

/// The first few command-line flags of a script, for evidence.
fn cli_flags(f: &crate::facts::python::PyFile) -> String {
    let flags: Vec<String> = f
        .cli_params
        .iter()
        .take(4)
        .map(|p| p.flags.first().cloned().unwrap_or_else(|| p.name.clone()))
        .collect();
    if flags.is_empty() {
        "a generated CLI".to_string()
    } else {
        flags.join(" ")
    }
}

/// Whether `f` is an entry point whose reach loads trained weights and never trains
/// (whatever it is called: `test`, `translate.py`), and is not an exporter.
fn runs_trained_model(input: &Input, f: &crate::facts::python::PyFile) -> bool {
    let stem = file_name_lower(&f.path);
    // Conversions and measurements take a checkpoint, not a user's input.
    if [
        "export",
        "convert",
        "onnx",
        "quantiz",
        "benchmark",
        "profile",
        "prune",
        "average",
    ]
    .iter()
    .any(|w| stem.contains(w))
    {
        return false;
    }
    input
        .ctx
        .facts
        .run_path
        .entry_index(&f.path)
        .is_some_and(|i| input.ctx.inference_only.get(i).copied().unwrap_or(false))
}

pub fn custom_input(input: &Input) -> Decided {
    let facts = input.ctx.facts;
    let looked = [
        "Streamlit/Gradio/Dash/Panel apps, FastAPI/Flask endpoints",
        "a predict/inference script that takes an input path",
        "a demo notebook or a Colab link",
        "Hugging Face Space front matter, Cog, BentoML, MLflow serving, TorchServe",
    ];
    let mut ev: Vec<Evidence> = Vec::new();
    for f in &facts.python {
        if let Some(c) = f.calls.iter().find(|c| app_note(&c.callee).is_some()) {
            if let Some(note) = app_note(&c.callee) {
                ev.push(at(&f.path, c.loc, note));
            }
        }
        let stem = file_name_lower(&f.path);
        let predictive = [
            "demo",
            "serve",
            "app",
            "run_model",
            "classify",
            "generate",
            "sample",
        ]
        .iter()
        .any(|w| stem.starts_with(w))
            || ["predict", "infer", "interactive"]
                .iter()
                .any(|w| stem.contains(w));
        if predictive && !f.is_notebook && takes_cli_input(f) {
            ev.push(Evidence::file(
                &f.path,
                format!(
                    "prediction script taking its input from the command line ({})",
                    cli_flags(f)
                ),
            ));
        }
        if f.is_notebook && predictive {
            ev.push(Evidence::file(&f.path, "demo/inference notebook"));
        }
        if !predictive
            && !f.is_notebook
            && !in_data_or_test_package(&f.path)
            && takes_cli_input(f)
            && runs_trained_model(input, f)
        {
            ev.push(Evidence::file(
                &f.path,
                format!(
                    "entry point that loads trained weights, never trains, and takes its input from the command line ({})",
                    cli_flags(f)
                ),
            ));
        }
        if let Some(c) = f.calls.iter().find(|c| {
            c.callee.starts_with("mlflow.") && c.name() == "log_model"
                || c.callee == "mlflow.pyfunc.save_model"
        }) {
            ev.push(at(
                &f.path,
                c.loc,
                format!(
                    "{}(): an MLflow model, servable with `mlflow models serve`",
                    c.callee
                ),
            ));
        }
        // A SageMaker inference handler (`model_fn`, `input_fn`, `predict_fn`).
        let handlers = f
            .functions
            .iter()
            .filter(|d| matches!(d.name.as_str(), "model_fn" | "input_fn" | "predict_fn"))
            .count();
        if handlers >= 2 {
            ev.push(Evidence::file(
                &f.path,
                "SageMaker inference handler (model_fn/input_fn/predict_fn)",
            ));
        }
    }
    for inv in &facts.pipelines.serving {
        ev.push(line(
            &inv.0,
            Some(inv.1),
            format!("serving command: {}", inv.2),
        ));
    }
    for f in &facts.project.files {
        let lower = f.path.to_ascii_lowercase();
        let note = match lower.rsplit('/').next().unwrap_or(&lower) {
            "cog.yaml" => Some("Cog configuration"),
            "bentofile.yaml" => Some("BentoML build file"),
            "config.pbtxt" => Some("Triton Inference Server model configuration"),
            n if n.ends_with(".mar") => Some("TorchServe model archive"),
            n if n.ends_with(".mlem") => Some("MLEM model or service (served with `mlem serve`)"),
            _ => None,
        };
        if let Some(note) = note {
            ev.push(Evidence::file(&f.path, note));
        }
    }
    for d in &facts.docs {
        for l in &d.colab_links {
            if colab_link_is_demo(d, *l) {
                ev.push(line(&d.path, Some(*l), "Colab demo link"));
            }
        }
        if let Some(fm) = &d.front_matter {
            if let Some(sdk) = fm.get("sdk").and_then(|v| v.as_str()) {
                ev.push(line(
                    &d.path,
                    Some(1),
                    format!("Hugging Face Space ({sdk})"),
                ));
            }
        }
    }
    if !ev.is_empty() {
        return (
            Outcome::new(Status::Pass, "users can run the model on their own input")
                .with_evidence(ev),
            None,
        );
    }
    let o = Outcome::new(
        Status::Fail,
        "no app, endpoint, prediction script or demo notebook found",
    )
    .looking_for(&looked);
    (o, Some("Add predict.py that loads the trained model and takes `--input PATH` (or a small Gradio/Streamlit app).".into()))
}

/// Whether a Colab link on this line opens a demo: the notebook it names is
/// not one that evaluates, trains or reproduces the paper's numbers
/// (`logistic_regression_evaluator.ipynb`), unless its name also says demo.
fn colab_link_is_demo(d: &crate::facts::docs::Doc, l: u32) -> bool {
    let names: Vec<String> = d
        .links
        .iter()
        .filter(|(ln, _)| *ln == l)
        .filter_map(|(_, url)| {
            let name = url.rsplit('/').next()?.to_ascii_lowercase();
            name.ends_with(".ipynb").then_some(name)
        })
        .collect();
    let demo = |n: &str| {
        [
            "demo",
            "predict",
            "infer",
            "inference",
            "interactive",
            "playground",
            "quickstart",
            "try",
        ]
        .iter()
        .any(|w| n.contains(w))
    };
    let other = |n: &str| {
        [
            "eval",
            "train",
            "finetun",
            "fine_tun",
            "fine-tun",
            "benchmark",
            "experiment",
            "reproduc",
            "ablation",
            "figure",
            "plot",
        ]
        .iter()
        .any(|w| n.contains(w))
    };
    names.is_empty() || names.iter().any(|n| demo(n) || !other(n))
}

/// Experiment trackers whose calls record a run's metrics.
fn tracker_note(callee: &str) -> Option<&'static str> {
    let name = callee.rsplit('.').next().unwrap_or(callee);
    let prefix = |p: &str| callee.starts_with(p);
    if (prefix("mlflow.") && (name.starts_with("log_") || name == "autolog" || name == "start_run"))
        || matches!(name, "MLflowLoggerCallback" | "MLflowCallback")
    {
        Some("MLflow tracking")
    } else if prefix("wandb.") && matches!(name, "log" | "init") {
        Some("Weights & Biases logging")
    } else if name == "SummaryWriter"
        // tf.summary ops write nothing without a writer.
        || ((prefix("tensorflow.summary.") || prefix("tensorflow.compat.v1.summary."))
            && matches!(name, "FileWriter" | "create_file_writer"))
        || prefix("tensorboard_logger.")
        || matches!(
            name,
            "TensorBoardLogger" | "TensorBoard" | "TensorboardLogger" | "TensorBoardCallback"
        )
    {
        Some("TensorBoard logging")
    } else if prefix("dvclive.") || name == "DVCLiveLogger" {
        Some("DVCLive metrics")
    } else if prefix("aim.") && matches!(name, "Run" | "track") {
        Some("Aim tracking")
    } else if prefix("clearml.") && matches!(name, "init" | "report_scalar") {
        Some("ClearML tracking")
    } else if prefix("neptune.") && (name == "init_run" || name == "init") {
        Some("Neptune tracking")
    } else if matches!(
        name,
        "CSVLogger"
            | "MLFlowLogger"
            | "WandbLogger"
            | "CometLogger"
            | "NeptuneLogger"
            | "TestTubeLogger"
    ) {
        Some("Lightning logger")
    } else if prefix("clu.metric_writers") {
        Some("CLU metric writer")
    } else if prefix("azureml.") && matches!(name, "get_context" | "start_logging") {
        // The run object whose `log(…)` records metrics in the workspace.
        Some("Azure ML run logging")
    } else if prefix("comet_ml.") && name == "Experiment" {
        Some("Comet tracking")
    } else {
        None
    }
}

/// A log file whose rows a run writes as JSON or CSV records (`log.txt`
/// holding one `json.dumps(stats)` per epoch): a metrics file by another name.
fn is_record_log_path(p: &str) -> bool {
    let lower = p.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return false;
    };
    stem.split(['_', '-', '.'])
        .any(|w| w == "log" || w == "logs")
        && matches!(ext, "txt" | "json" | "jsonl" | "csv" | "tsv")
}

fn is_metrics_path(p: &str) -> bool {
    let lower = p.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    // Training histories pickled per run (`history_epoch_5.pth`) compare too.
    if ["history", "metric"].iter().any(|w| name.contains(w))
        && [".pth", ".pt", ".pkl", ".pickle", ".npy", ".npz"]
            .iter()
            .any(|e| name.ends_with(e))
    {
        return true;
    }
    // The words may name the file or its folder (`results/test_rmse.txt`).
    [
        "metric", "score", "result", "eval", "summary", "history", "stats", "progress", "accuracy",
        "perf",
    ]
    .iter()
    .any(|w| lower.contains(w))
        && [".json", ".csv", ".yaml", ".yml", ".txt", ".tsv", ".jsonl"]
            .iter()
            .any(|e| name.ends_with(e))
}

/// Evidence note for Lightning's default logger: logging that happens
/// without being configured, which makes 5.2 partial.
const IMPLICIT_LOGGER: &str =
    "Lightning Trainer with its default logger (not configured): each run writes lightning_logs/version_N";

/// Evidence note for a live dashboard (Visdom): each run is plotted while it runs, but
/// nothing is kept to compare runs afterwards, which makes 5.2 partial.
const LIVE_DASHBOARD: &str =
    "Visdom live plots: runs can be watched, but nothing is kept to compare afterwards";

/// Logging that frameworks do for every run unless switched off: Lightning's
/// default logger (lightning_logs/version_N) fed by `self.log`, the Hugging
/// Face Trainer's logging directory, MLflow Recipes and kedro-mlflow tracking.
fn framework_logging(facts: &Facts) -> Vec<Evidence> {
    let mut ev = Vec::new();
    if let Some((f, c)) = facts.python.iter().find_map(|f| {
        f.calls
            .iter()
            .find(|c| c.callee == "visdom.Visdom")
            .map(|c| (f, c))
    }) {
        ev.push(at(&f.path, c.loc, LIVE_DASHBOARD));
    }
    // `self.log(…)`, or (Lightning before 1.0) metrics returned from a
    // validation step under a `log` key, which the default logger records.
    let logs = facts.python.iter().any(|f| {
        f.calls
            .iter()
            .any(|c| matches!(c.callee.as_str(), "self.log" | "self.log_dict"))
            || f.functions
                .iter()
                .any(|d| matches!(d.name.as_str(), "validation_step" | "validation_epoch_end"))
    });
    for f in &facts.python {
        for c in &f.calls {
            let trainer = c.name() == "Trainer"
                && (c.callee.starts_with("pytorch_lightning") || c.callee.starts_with("lightning"));
            // LightningCLI builds the Trainer from its configs' `trainer:` section.
            let cli = c.name() == "LightningCLI";
            let lightning = trainer || cli;
            let off = matches!(c.kwarg("logger"), Some(Value::Lit(Lit::Bool(false))))
                || (cli
                    && facts.configs.iter().any(|cfg| {
                        crate::facts::instantiate::is_cli_config(cfg)
                            && cfg
                                .keys
                                .iter()
                                .any(|k| k.key == "trainer.logger" && k.value.trim() == "false")
                    }));
            if lightning && logs && !off {
                ev.push(at(&f.path, c.loc, IMPLICIT_LOGGER));
                return ev;
            }
            let report_to = c.kwarg("report_to");
            let reports = report_to.is_some_and(|v| {
                !matches!(v, Value::Lit(Lit::None)) && !matches!(v.as_str(), Some("none"))
            });
            if c.callee == "transformers.TrainingArguments"
                && (c.kwarg("logging_dir").is_some() || reports)
                && !matches!(report_to.and_then(Value::as_str), Some("none"))
            {
                ev.push(at(
                    &f.path,
                    c.loc,
                    if reports {
                        "Hugging Face Trainer reports each run to its trackers (report_to)"
                    } else {
                        "Hugging Face Trainer logs each run to logging_dir"
                    },
                ));
                return ev;
            }
        }
    }
    for c in &facts.configs {
        let name = c.path.rsplit('/').next().unwrap_or(&c.path);
        let recipes =
            c.path.contains("profiles/") && c.keys.iter().any(|k| k.key.ends_with("tracking_uri"));
        let kedro_mlflow = facts.kedro
            && (name.starts_with("mlflow.")
                || c.keys
                    .iter()
                    .any(|k| k.key.ends_with(".type") && k.value.contains("Mlflow")));
        if recipes || kedro_mlflow {
            ev.push(Evidence::file(
                &c.path,
                if recipes {
                    "MLflow Recipes profile: each run is tracked in MLflow"
                } else {
                    "kedro-mlflow configuration: runs are tracked in MLflow"
                },
            ));
            break;
        }
    }
    ev
}

/// 5.2: the outputs of different runs can be compared.
pub fn run_comparison(input: &Input) -> Decided {
    let facts = input.ctx.facts;
    let looked = [
        "DVC metrics/plots in dvc.yaml",
        "MLflow, W&B, TensorBoard, DVCLive, Aim, ClearML, Neptune logging calls",
        "metrics files written by the run (metrics.json, scores.csv …)",
    ];
    let mut ev = Vec::new();
    for (path, s) in &facts.pipelines.dvc_stages {
        if !s.metrics.is_empty() {
            ev.push(line(
                path,
                s.line,
                format!(
                    "DVC tracks metrics/plots of stage {}: {}",
                    s.name,
                    s.metrics.join(", ")
                ),
            ));
        }
    }
    for (path, l, m) in &facts.pipelines.dvc_metrics {
        ev.push(line(path, *l, format!("DVC metrics/plots {m}")));
    }
    for f in &facts.python {
        let mut seen = std::collections::BTreeSet::new();
        for c in &f.calls {
            if let Some(note) = tracker_note(&c.callee) {
                if seen.insert(note) {
                    ev.push(at(&f.path, c.loc, note));
                }
            }
            let written = match c.callee.as_str() {
                "open" | "io.open" => {
                    let mode = c
                        .args
                        .get(1)
                        .or_else(|| c.kwarg("mode"))
                        .and_then(Value::as_str)
                        .unwrap_or("r");
                    if mode.contains(['w', 'a']) {
                        c.args.first()
                    } else {
                        None
                    }
                }
                _ if matches!(c.name(), "to_csv" | "to_json" | "savetxt" | "write_text") => {
                    c.args.first()
                }
                _ => None,
            };
            if let Some(p) = written.and_then(Value::as_str) {
                if is_metrics_path(p) && seen.insert("metrics file") {
                    ev.push(at(&f.path, c.loc, format!("writes metrics to {p}")));
                }
            }
        }
        // `open(out_dir / "metrics.json", "w")`: the name is a literal even when the folder is not.
        let writes = f.calls.iter().any(|c| {
            matches!(
                c.name(),
                "dump" | "write_text" | "to_csv" | "to_json" | "savetxt" | "write" | "save"
            ) || (c.callee == "open"
                && c.args
                    .get(1)
                    .or_else(|| c.kwarg("mode"))
                    .and_then(Value::as_str)
                    .is_some_and(|m| m.contains(['w', 'a'])))
        });
        if writes && !seen.contains("metrics file") {
            // Records serialised into a log file: `f.write(json.dumps(stats))`.
            let records = f.calls.iter().any(|c| {
                matches!(
                    c.callee.as_str(),
                    "json.dumps" | "json.dump" | "csv.writer" | "csv.DictWriter"
                )
            });
            if let Some((p, loc)) = f
                .path_literals
                .iter()
                .find(|(p, _)| is_metrics_path(p) || (records && is_record_log_path(p)))
            {
                ev.push(at(&f.path, *loc, format!("writes metrics to {p}")));
            }
        }
        // A logger named as an instantiation target (`{"target": "pytorch_lightning.loggers.WandbLogger"}`).
        if let Some((p, loc)) = f.class_paths.iter().find(|(p, _)| {
            p.contains(".loggers.") && tracker_note(p).is_some_and(|n| !seen.contains(n))
        }) {
            ev.push(at(&f.path, *loc, format!("logger named as a target: {p}")));
        }
    }
    // Loggers configured for Hydra/Lightning: `_target_: ...TensorBoardLogger`.
    for c in &facts.configs {
        for k in c.keys.iter().filter(|k| k.key.ends_with("_target_")) {
            let name = k.value.rsplit('.').next().unwrap_or(&k.value);
            if name.ends_with("Logger") || tracker_note(&k.value).is_some() {
                ev.push(line(
                    &c.path,
                    k.line,
                    format!("logger configured: {}", k.value),
                ));
            }
        }
    }
    let explicit = !ev.is_empty();
    ev.extend(framework_logging(facts));
    if !explicit
        && ev
            .iter()
            .any(|e| e.note == IMPLICIT_LOGGER || e.note == LIVE_DASHBOARD)
    {
        let why = if ev.iter().any(|e| e.note == IMPLICIT_LOGGER) {
            "runs are logged only by a framework default, not configured to be compared"
        } else {
            "runs are only plotted live; no metrics are kept to compare runs afterwards"
        };
        let o = Outcome::new(Status::Partial, why).with_evidence(ev);
        return (
            o,
            Some("Configure the logger explicitly (e.g. `logger: TensorBoardLogger(save_dir=\"logs\")`) and log the evaluation metrics.".into()),
        );
    }
    if !ev.is_empty() {
        return (
            Outcome::new(Status::Pass, "runs leave comparable metrics").with_evidence(ev),
            None,
        );
    }
    let o = Outcome::new(
        Status::Fail,
        "no tracked metrics or experiment logging found",
    )
    .looking_for(&looked);
    (o, Some("Write the evaluation metrics to metrics.json and declare it under `metrics:` in dvc.yaml (or log them with MLflow/TensorBoard).".into()))
}
