//! The criteria catalogue: the one place that says what each criterion is.
//!
//! `criteria`, `explain`, every output format and the docs read these
//! entries; nothing else holds a second copy of this text.

pub use super::id::{CriterionId, UnknownCriterionId};

/// One criterion of the ML Reproducibility Scale (SPEC §1).
#[derive(Debug, Clone, Copy)]
pub struct CriterionDef {
    /// Stable id, e.g. `2.2`.
    pub id: CriterionId,
    /// Stable slug, e.g. `seeds-in-config`.
    pub slug: &'static str,
    /// Stage number, 1..=5.
    pub stage: u8,
    /// Short title.
    pub title: &'static str,
    /// What the project must show to meet it.
    pub meets: &'static str,
    /// Why it matters for reproducibility.
    pub why: &'static str,
    /// How reproscale detects it.
    pub detection: &'static str,
    /// The generic way to fix it.
    pub fix: &'static str,
}

/// Names of the five stages, index 0 = stage 1.
pub const STAGE_NAMES: [&str; 5] = ["code", "configuration", "data", "environment", "evaluation"];

/// Human titles of the five stages.
pub const STAGE_TITLES: [&str; 5] = [
    "Code",
    "Configuration",
    "Data (+ artifacts)",
    "Environment",
    "Evaluation",
];

/// Every criterion, in scale order.
pub const CRITERIA: &[CriterionDef] = &[
    CriterionDef {
        id: CriterionId::C1_1,
        slug: "runs",
        stage: 1,
        title: "Code runs end to end",
        meets: "An entry point exists (a `__main__` script, a pipeline stage command, a notebook) and every Python file and notebook cell parses as Python 3.",
        why: "Nobody can reproduce a result from code that cannot be started. A syntax error or a missing entry point is the most common reason published ML code fails on first contact.",
        detection: "Parses every .py file and notebook code cell with a real Python parser and reports syntax errors with their line. Entry points are scripts with `if __name__ == \"__main__\":`, scripts run by dvc.yaml stages, MLproject entry points, Makefile recipes and README code blocks, and notebooks. `verify` upgrades this to an observed run.",
        fix: "Fix the syntax errors listed, and give the project one obvious entry point (`python train.py` guarded by `if __name__ == \"__main__\":`, or a dvc.yaml/Makefile stage).",
    },
    CriterionDef {
        id: CriterionId::C1_2,
        slug: "example-input",
        stage: 1,
        title: "Example input ships with the project",
        meets: "The input the code needs ships with it or is fetched by it: small committed data, DVC/LFS-tracked data, a download script, or a dataset loader.",
        why: "Code without its input cannot be re-run; a path that only exists on the author's machine is the classic 'works for me' failure.",
        detection: "Looks for committed data files, git-lfs and DVC pointers, dvc.yaml outs, download calls and dataset loaders (`load_dataset`, `torchvision.datasets.*(download=True)`, `sklearn.datasets.*`). Literal paths in data-loading calls are checked: an absolute path, or a relative path that is neither in the project nor produced by the pipeline, fails.",
        fix: "Commit a small example of the input (or track it with DVC/git-lfs, or add a download script with a checksum) and read it through a relative path.",
    },
    CriterionDef {
        id: CriterionId::C1_3,
        slug: "repeatable",
        stage: 1,
        title: "Repeated runs give the same output",
        meets: "Several runs on the same input give the same output: every source of randomness on the run path is seeded.",
        why: "If two runs of the same code disagree, no one can tell a real change from noise, and no published number can be checked.",
        detection: "Follows the run path (entry points and the project modules they import) through the Python syntax tree and reports unseeded RNG use, sklearn `random_state` left unset, seeds taken from time or entropy, `cudnn.benchmark = True`, DataLoader workers without `worker_init_fn`, in-process PYTHONHASHSEED and unsorted directory listings. `verify` upgrades this by comparing two real runs.",
        fix: "Seed every RNG once at start-up (`random.seed`, `np.random.seed`, `torch.manual_seed`, …) from one seed value, pass `random_state=` to sklearn, and wrap directory listings in `sorted()`.",
    },
    CriterionDef {
        id: CriterionId::C2_1,
        slug: "config-files",
        stage: 2,
        title: "Parameters live in config files",
        meets: "Committed config files (YAML/JSON/TOML/.gin/MLproject/Hydra conf dir/pipeline flags) hold every configured parameter; no hyper-parameter literals at the call sites of training code.",
        why: "A run can only be repeated, or varied on purpose, when its knobs are written down in one place rather than scattered through the code.",
        detection: "Finds config files (YAML/JSON/TOML/.gin/INI, Hydra conf dirs, MLproject parameters, Makefile/dvc.yaml flags) and lists hyper-parameter literals at call sites on the run path: `lr=`, `learning_rate=`, `epochs=`, `batch_size=`, `weight_decay=`, `dropout=`, `momentum=`, `n_estimators=`, `max_depth=`, `test_size=`, … and `for epoch in range(10)`. argparse defaults alone are not a config file.",
        fix: "Move the listed literals into a config file (e.g. `params.yaml`) and read them from there.",
    },
    CriterionDef {
        id: CriterionId::C2_2,
        slug: "seeds-in-config",
        stage: 2,
        title: "Seeds come from the config",
        meets: "Every non-deterministic function is seeded, and the seed value comes from the config (directly, or through a CLI flag that the pipeline fills from its config).",
        why: "A seed buried in code cannot be changed without editing code, and a second seed cannot be tried without a new commit; a seed in the config makes the run's randomness part of its recorded settings.",
        detection: "Traces the value passed to each seeding call (`random.seed`, `np.random.seed`, `torch.manual_seed`, `seed_everything`, `random_state=` …) back to a literal, a config lookup, a CLI flag (and whether a Makefile/MLproject/dvc.yaml passes it), or time/entropy.",
        fix: "Put `seed: 42` in the config file and pass `cfg[\"seed\"]` to every seeding call.",
    },
    CriterionDef {
        id: CriterionId::C2_3,
        slug: "code-reads-config",
        stage: 2,
        title: "The code reads the config",
        meets: "The code or the pipeline reads every config file and feeds its values to the run; no key is left unread.",
        why: "A config file that nothing reads documents a run that never happened: changing it changes nothing.",
        detection: "Matches config files against what reads them (literal paths in loaders, CLI defaults, Hydra `config_path`/`config_name`, dvc.yaml `params`, MLproject commands) and config keys against the keys the code reads (`cfg[\"a\"][\"b\"]`, `cfg.a.b`, `cfg.get(\"a\")`). `verify` upgrades this by changing a value and checking the outputs change.",
        fix: "Read the config file from the entry point and use (or delete) each key listed as unread.",
    },
    CriterionDef {
        id: CriterionId::C2_4,
        slug: "config-repeatable",
        stage: 2,
        title: "Same config, same result",
        meets: "The same config run twice gives the same result.",
        why: "The config is only a faithful record of a run when re-running it reproduces that run.",
        detection: "Static proxy: combines 1.3 (randomness seeded) and 2.2 (seeds from the config). `verify` upgrades this by running the same config twice and comparing the outputs.",
        fix: "Meet 1.3 and 2.2 first; then `reproscale verify` proves it.",
    },
    CriterionDef {
        id: CriterionId::C3_1,
        slug: "data-managed",
        stage: 3,
        title: "Data is managed with the code",
        meets: "The data is committed or versioned with the code (DVC, git-lfs, DataLad, lakeFS, Dolt) or fetched by a pinned download (URL plus checksum).",
        why: "Data that drifts independently of the code makes old results impossible to recreate.",
        detection: "Looks for committed data files, DVC pointers and dvc.yaml outs (with a remote in .dvc/config; without one it is partial), git-lfs rules in .gitattributes and LFS pointer files, DataLad, lakeFS and Dolt markers, dataset loaders, and downloads: with a checksum check they pass; without one, or from a file-sharing page, they are partial.",
        fix: "Track the data with DVC or git-lfs, or download it with a pinned URL and checksum.",
    },
    CriterionDef {
        id: CriterionId::C3_2,
        slug: "data-schema",
        stage: 3,
        title: "Data structure is documented",
        meets: "The structure or schema of the input data is documented (fields and types, or a directory layout with formats).",
        why: "Without the schema, nobody can substitute their own data or tell a corrupted input from a valid one.",
        detection: "Reads README and docs sections about the data: a table, a column list, a directory tree or file formats pass; prose alone is partial; a heading with nothing under it does not count. Also data/README.md, datasheets, dataset cards, JSON Schema, pandera, Great Expectations and Kedro catalogs.",
        fix: "Add a data section to the README (or data/README.md) listing the files, columns and types.",
    },
    CriterionDef {
        id: CriterionId::C3_3,
        slug: "data-swappable",
        stage: 3,
        title: "Data location is a parameter",
        meets: "The data location is a config or CLI parameter, not a literal path buried in code.",
        why: "Re-running on other data, or on the same data elsewhere, should not require editing code.",
        detection: "Traces the path argument of data-loading calls (open, read_csv, read_parquet, np.load, Image.open, torch.load, …) on the run path: from the config or a CLI flag passes; a relative literal is partial; an absolute path fails.",
        fix: "Read the data path from the config or a CLI flag.",
    },
    CriterionDef {
        id: CriterionId::C3_4,
        slug: "pipeline-stages",
        stage: 3,
        title: "Heavy pipelines are split into tracked stages",
        meets: "A resource-intensive pipeline is split into stages whose intermediate outputs are tracked.",
        why: "Tracked stages let others re-run one expensive step instead of everything, and check each intermediate result.",
        detection: "Decides from evidence whether the project is resource-intensive (GPU/TPU use, distributed training, large or DVC/LFS-tracked data, long training in the config) and says why; then looks for at least two stages where one stage's outputs are tracked inputs of a later one (dvc.yaml, Snakemake, Kedro, MLproject entry points, Makefile file targets). Light projects are not applicable.",
        fix: "Split the pipeline into dvc.yaml stages (or Snakemake/Kedro/Makefile targets) with declared outputs.",
    },
    CriterionDef {
        id: CriterionId::C4_1,
        slug: "package-list",
        stage: 4,
        title: "Every package is listed and pinned",
        meets: "Every imported package is listed, pinned with `==` or a lock file.",
        why: "Library versions change results; an unlisted or unpinned package makes the environment a guess.",
        detection: "Parses requirements*.txt (with -r includes, markers, hashes), environment.yml, pyproject (PEP 621 and Poetry), Pipfile/Pipfile.lock, setup.py/setup.cfg and lock files; maps each third-party import on the run path to its distribution (sklearn → scikit-learn, cv2 → opencv-python, …) and names the ones nothing declares; reports the pinning level L0–L3.",
        fix: "List every dependency with exact versions (or commit a lock file).",
    },
    CriterionDef {
        id: CriterionId::C4_2,
        slug: "example-environment",
        stage: 4,
        title: "An example environment is given",
        meets: "An environment in which the project runs is given (Dockerfile, devcontainer, Nix, …) with a pinned base image and Python version.",
        why: "A package list alone does not pin the interpreter, system libraries or OS.",
        detection: "Parses Dockerfiles (FROM pinned by tag or digest; `latest` or no tag is partial), and finds compose files, devcontainers, Apptainer definitions, Nix flakes and published images in the docs; looks for a pinned Python version (.python-version, requires-python, runtime.txt, conda python=, the base image tag).",
        fix: "Add a Dockerfile with a pinned base image and Python version.",
    },
    CriterionDef {
        id: CriterionId::C4_3,
        slug: "hardware-documented",
        stage: 4,
        title: "Required hardware is documented",
        meets: "Where the project relies on specific hardware, the hardware is documented (GPU model, memory, CUDA/driver version).",
        why: "GPU kernels and their numerics differ between models and driver versions.",
        detection: "Finds GPU/TPU use in code and config (.cuda(), .to(\"cuda\"), device=\"cuda\", torch.cuda.*, TPU strategies, gpus=/accelerator=); then looks in README, REPRODUCIBILITY.md and docs/ for GPU models, memory sizes, CUDA/driver versions (pass) or a bare \"needs a GPU\" (partial). CPU-only code is not applicable.",
        fix: "Document the GPU model, memory and CUDA version used.",
    },
    CriterionDef {
        id: CriterionId::C5_1,
        slug: "custom-input",
        stage: 5,
        title: "The model can be used on one's own input",
        meets: "The trained model can be used on a user's own input (an app, an endpoint, a predict CLI, a demo notebook).",
        why: "Evaluating a model on new input is how others check that it does what the paper claims.",
        detection: "Finds Streamlit/Gradio/Dash/Panel apps, FastAPI/Flask endpoints, predict/inference scripts that take command-line input, demo notebooks and Colab links, Hugging Face Space front matter, Cog, BentoML, MLflow pyfunc models and TorchServe archives.",
        fix: "Add a predict script or a small Gradio/Streamlit app.",
    },
    CriterionDef {
        id: CriterionId::C5_2,
        slug: "run-comparison",
        stage: 5,
        title: "Runs can be compared",
        meets: "The outputs of different runs can be compared (tracked metrics, experiment logging, per-run metrics files).",
        why: "Reproducing a result means comparing it with the original run's numbers.",
        detection: "Finds metrics and plots declared in dvc.yaml, experiment tracking calls (MLflow, W&B, TensorBoard, DVCLive, Aim, ClearML, Neptune, Lightning loggers) and metrics files the run writes (metrics.json, scores.csv, …).",
        fix: "Write metrics to a per-run file or log them with DVC/MLflow/TensorBoard.",
    },
];

/// Looks up a criterion by id (`2.2`) or slug (`seeds-in-config`).
pub fn find(key: &str) -> Option<&'static CriterionDef> {
    CRITERIA
        .iter()
        .find(|c| c.id.as_str() == key || c.slug == key)
}

/// The catalogue entry of an id (every id has one).
pub fn def(id: CriterionId) -> &'static CriterionDef {
    // CRITERIA holds the ids in `CriterionId::ALL` (declaration) order,
    // tested below, so the discriminant is the index.
    &CRITERIA[id as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_criteria_with_unique_ids_and_full_docs() {
        assert_eq!(CRITERIA.len(), 16);
        let mut ids: Vec<_> = CRITERIA.iter().map(|c| c.id).collect();
        ids.dedup();
        assert_eq!(ids.len(), 16);
        assert!(CRITERIA.iter().map(|c| c.id).eq(CriterionId::ALL));
        for c in CRITERIA {
            assert_eq!(c.id.stage(), c.stage);
            assert_eq!(def(c.id).slug, c.slug);
            for text in [c.title, c.meets, c.why, c.detection, c.fix] {
                assert!(!text.trim().is_empty(), "{} has an empty section", c.id);
            }
        }
    }

    #[test]
    fn find_by_id_or_slug() {
        assert_eq!(find("2.2").map(|c| c.slug), Some("seeds-in-config"));
        assert_eq!(find("runs").map(|c| c.id), Some(CriterionId::C1_1));
        assert!(find("9.9").is_none());
    }
}
