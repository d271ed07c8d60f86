//! Regressions found by assessing real public ML projects, each reduced to a
//! minimal project written here. Test names say what they reproduce.

use reproscale::criteria::catalog::CriterionId;
use std::fs;
use std::path::Path;

use reproscale::source::Input;
use reproscale::Report;

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in files {
        let p = dir.path().join(path);
        fs::create_dir_all(p.parent().unwrap_or(Path::new("."))).expect("mkdir");
        fs::write(p, text).expect("write");
    }
    dir
}

fn assess(files: &[(&str, &str)]) -> Report {
    let dir = project(files);
    reproscale::assess(&Input::Directory(dir.path().to_path_buf())).expect("assess")
}

fn status(r: &Report, id: &str) -> &'static str {
    r.criteria
        .iter()
        .find(|c| c.id.as_str() == id)
        .map(|c| c.status.as_str())
        .expect("criterion")
}

fn rule_hits<'a>(r: &'a Report, rule: &str) -> Vec<&'a reproscale::lint::Finding> {
    r.findings.iter().filter(|f| f.rule == rule).collect()
}

const MAIN: &str = "if __name__ == '__main__':\n    pass\n";

#[test]
fn a_seed_in_one_entry_point_does_not_cover_another() {
    let r = assess(&[
        (
            "a.py",
            &format!("import numpy as np\nnp.random.seed(0)\nx = np.random.rand(3)\n{MAIN}"),
        ),
        (
            "b.py",
            &format!("import numpy as np\ny = np.random.rand(3)\n{MAIN}"),
        ),
        ("data/d.csv", "a\n1\n"),
    ]);
    let hits = rule_hits(&r, "unseeded-rng");
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!((hits[0].path.as_str(), hits[0].line), ("b.py", Some(2)));
    assert_eq!(status(&r, "1.3"), "fail");
}

#[test]
fn a_shared_module_is_seeded_only_if_every_entry_point_seeds() {
    let r = assess(&[
        (
            "lib.py",
            "import random\ndef pick(x):\n    return random.choice(x)\n",
        ),
        (
            "a.py",
            &format!("import random\nimport lib\nrandom.seed(1)\n{MAIN}"),
        ),
        ("b.py", &format!("import lib\n{MAIN}")),
    ]);
    assert_eq!(rule_hits(&r, "unseeded-rng").len(), 1);
    assert_eq!(status(&r, "1.3"), "fail");
}

#[test]
fn a_null_seed_in_the_config_is_not_a_seed_from_the_config() {
    let r = assess(&[
        ("conf/config.yaml", "defaults:\n  - _self_\nseed: null\nlr: 0.1\n"),
        ("train.py", "import hydra\nimport lightning as L\n@hydra.main(config_path='conf', config_name='config')\ndef main(cfg):\n    if cfg.get('seed'):\n        L.seed_everything(cfg.seed)\n    print(cfg.lr)\nif __name__ == '__main__':\n    main()\n"),
    ]);
    assert_eq!(status(&r, "2.2"), "partial");
    let c = r
        .criteria
        .iter()
        .find(|c| c.id == CriterionId::C2_2)
        .expect("2.2");
    assert!(
        c.evidence
            .iter()
            .any(|e| e.note.contains("is null (conf/config.yaml:3)")),
        "{:?}",
        c.evidence
    );
}

#[test]
fn hydra_interpolations_and_nested_defaults_keep_keys_read() {
    let r = assess(&[
        ("conf/config.yaml", "defaults:\n  - trainer: default\n  - _self_\npaths:\n  data_dir: data/\ndata_dir: ${paths.data_dir}\nseed: 1\n"),
        ("conf/trainer/default.yaml", "max_epochs: 3\n"),
        ("conf/trainer/cpu.yaml", "defaults:\n  - default\naccelerator: cpu\n"),
        ("conf/hydra/default.yaml", "run:\n  dir: logs/\n"),
        ("train.py", "import hydra, random\nfrom hydra.utils import instantiate\n@hydra.main(config_path='conf', config_name='config')\ndef main(cfg):\n    random.seed(cfg.seed)\n    t = instantiate(cfg.trainer)\n    print(cfg.data_dir)\nif __name__ == '__main__':\n    main()\n"),
        ("data/x.csv", "a\n"),
    ]);
    let c = r
        .criteria
        .iter()
        .find(|c| c.id == CriterionId::C2_3)
        .expect("2.3");
    assert_eq!(c.status.as_str(), "pass", "{} {:?}", c.summary, c.evidence);
}

#[test]
fn shell_scripts_run_from_the_project_root_and_comments_are_not_commands() {
    let r = assess(&[
        ("scripts/run.sh", "#!/bin/sh\n# set up: python -m venv .venv, or conda\npython src/train.py --lr 0.1  # train\n"),
        ("src/train.py", "import argparse\np = argparse.ArgumentParser()\np.add_argument('--lr', type=float)\np.parse_args()\n"),
    ]);
    let c = r
        .criteria
        .iter()
        .find(|c| c.id == CriterionId::C1_1)
        .expect("1.1");
    assert_eq!(c.status.as_str(), "pass", "{} {:?}", c.summary, c.evidence);
    assert_eq!(r.entry_points, ["src/train.py"]);
}

#[test]
fn notebook_shell_magic_with_continuation_lines_parses() {
    let nb = r##"{"cells":[{"cell_type":"code","source":["!pip install numpy \\\n","    --upgrade\n","import os\n"]}],"metadata":{},"nbformat":4,"nbformat_minor":5}"##;
    let r = assess(&[("nb.ipynb", nb)]);
    assert!(rule_hits(&r, "syntax-error").is_empty(), "{:?}", r.findings);
    assert_eq!(status(&r, "1.1"), "pass");
}

#[test]
fn lightning_seed_everything_with_workers_seeds_dataloader_workers() {
    let src = "import lightning as L\nfrom torch.utils.data import DataLoader\nL.seed_everything(1, workers=True)\ndl = DataLoader([1], num_workers=4)\n";
    let r = assess(&[("train.py", &format!("{src}{MAIN}"))]);
    assert!(rule_hits(&r, "dataloader-worker-seed").is_empty());
    let r = assess(&[(
        "train.py",
        &format!("{}{MAIN}", src.replace(", workers=True", "")),
    )]);
    assert_eq!(rule_hits(&r, "dataloader-worker-seed").len(), 1);
}

#[test]
fn dataloader_workers_from_a_cli_default_count() {
    let src = "import argparse\nfrom torch.utils.data import DataLoader\np = argparse.ArgumentParser()\np.add_argument('--workers', type=int, default=4)\nargs = p.parse_args()\ndl = DataLoader([1], num_workers=args.workers)\n";
    let r = assess(&[("train.py", &format!("{src}{MAIN}"))]);
    assert_eq!(rule_hits(&r, "dataloader-worker-seed").len(), 1);
}

#[test]
fn matplotlib_alpha_is_not_a_hyperparameter_but_ridge_alpha_is() {
    let r = assess(&[(
        "train.py",
        &format!("import matplotlib.pyplot as plt\nfrom sklearn.linear_model import Ridge\nplt.plot([1], alpha=0.3)\nm = Ridge(alpha=0.5)\n{MAIN}"),
    )]);
    let hits = rule_hits(&r, "hardcoded-hyperparameter");
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].line, Some(4));
}

#[test]
fn names_bound_to_constants_are_not_call_site_literals() {
    let r = assess(&[(
        "train.py",
        &format!("dropout = 0.0\nga = 5 * 8\ncfg = dict(dropout=dropout)\nfor step in range(ga):\n    pass\n{MAIN}"),
    )]);
    let hits = rule_hits(&r, "hardcoded-hyperparameter");
    assert_eq!(hits.len(), 1, "only the module constant: {hits:?}");
    assert_eq!(hits[0].line, Some(1));
    assert!(
        hits[0].message.contains("dropout = 0.0"),
        "{}",
        hits[0].message
    );
}

#[test]
fn sphinx_docs_conf_is_not_a_run_config() {
    let r = assess(&[("docs/conf.py", "project = 'x'\n"), ("train.py", MAIN)]);
    assert_eq!(status(&r, "2.1"), "fail");
}

#[test]
fn an_installer_download_is_not_example_input() {
    let r = assess(&[
        ("README.md", "```sh\nwget https://repo.anaconda.com/miniconda/Miniconda3-latest-Linux-x86_64.sh\n```\n"),
        ("train.py", MAIN),
    ]);
    assert_eq!(status(&r, "1.2"), "fail");
}

#[test]
fn a_data_file_at_the_root_read_by_code_is_example_input() {
    let r = assess(&[
        ("wine.csv", "a,b\n1,2\n"),
        (
            "train.py",
            &format!("import pandas as pd\ndf = pd.read_csv('wine.csv')\n{MAIN}"),
        ),
    ]);
    assert_eq!(status(&r, "1.2"), "pass");
}

#[test]
fn files_saved_by_numpy_or_checkpoints_count_as_produced() {
    let r = assess(&[(
        "nb.ipynb",
        r#"{"cells":[{"cell_type":"code","source":"import numpy as np\nnp.save('arr', np.zeros(2))\nx = np.load('arr.npy')\n"}],"metadata":{}}"#,
    )]);
    assert!(
        rule_hits(&r, "missing-data-file").is_empty(),
        "{:?}",
        r.findings
    );
}

#[test]
fn torch_layers_without_a_seed_are_one_finding_per_file() {
    let r = assess(&[("model.py", &format!("import torch.nn as nn\na = nn.Linear(2, 2)\nb = nn.Conv2d(1, 1, 3)\nc = nn.Linear(2, 2)\n{MAIN}"))]);
    let hits = rule_hits(&r, "unseeded-rng");
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(
        hits[0].message.contains("and 2 more"),
        "{}",
        hits[0].message
    );
}

#[test]
fn dvc_pointer_reports_its_output_not_its_import_source() {
    let r = assess(&[
        ("data/data.xml.dvc", "deps:\n- path: get-started/data.xml\n  repo:\n    url: https://github.com/x/y\nouts:\n- md5: abc\n  path: data.xml\n"),
        ("train.py", MAIN),
    ]);
    let c = r
        .criteria
        .iter()
        .find(|c| c.id == CriterionId::C1_2)
        .expect("1.2");
    assert!(
        c.evidence
            .iter()
            .any(|e| e.note.contains("tracking data/data.xml")),
        "{:?}",
        c.evidence
    );
}

#[test]
fn python_dash_m_tools_in_scripts_are_not_missing_scripts() {
    let r = assess(&[
        ("dev/linter.sh", "python -m flake8 .\n"),
        ("train.py", MAIN),
    ]);
    assert_eq!(status(&r, "1.1"), "pass");
}

#[test]
fn system_files_are_not_absolute_data_paths() {
    let r = assess(&[("train.py", &format!("def is_docker():\n    with open('/proc/self/cgroup') as f:\n        return 'docker' in f.read()\n{MAIN}"))]);
    assert!(
        rule_hits(&r, "absolute-data-path").is_empty(),
        "{:?}",
        r.findings
    );
}

#[test]
fn paths_next_to_the_script_resolve_through_file() {
    let r = assess(&[
        ("wine.csv", "a\n1\n"),
        ("train.py", &format!("import os\nimport pandas as pd\nhere = os.path.dirname(os.path.abspath(__file__))\ndf = pd.read_csv(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'wine.csv'))\n{MAIN}")),
    ]);
    assert_eq!(status(&r, "1.2"), "pass");
    assert!(
        rule_hits(&r, "missing-data-file").is_empty(),
        "{:?}",
        r.findings
    );
}

#[test]
fn same_named_functions_in_two_files_keep_their_own_arguments() {
    let gen = |x: &str| {
        format!("LABELS = './{x}_labels.txt'\ndef write(p):\n    return open(p).read()\nwrite(LABELS)\n{MAIN}")
    };
    let r = assess(&[("a/gen.py", &gen("a")), ("b/gen.py", &gen("b"))]);
    let a: Vec<_> = rule_hits(&r, "missing-data-file")
        .into_iter()
        .filter(|f| f.path == "a/gen.py")
        .map(|f| f.message.clone())
        .collect();
    assert_eq!(a.len(), 1, "{a:?}");
    assert!(a[0].contains("a_labels.txt"), "{a:?}");
}

#[test]
fn editor_settings_are_not_ml_config() {
    let r = assess(&[
        (".vim/coc-settings.json", "{\"python.pythonPath\": \"/x\"}"),
        ("train.py", MAIN),
    ]);
    assert_eq!(status(&r, "2.1"), "fail");
}

#[test]
fn a_cuda_fallback_device_is_gpu_use() {
    let r = assess(&[(
        "train.py",
        &format!("import torch\ndevice = 'cuda' if torch.cuda.is_available() else 'cpu'\n{MAIN}"),
    )]);
    assert_eq!(status(&r, "4.3"), "fail");
}

#[test]
fn a_device_flag_that_defaults_to_cuda_is_gpu_use() {
    let train = "import argparse\nimport torch\np = argparse.ArgumentParser()\np.add_argument('--device', default='cuda:0')\nargs = p.parse_args()\nx = torch.zeros(1).to(args.device)\n";
    let r = assess(&[("train.py", &format!("{train}{MAIN}"))]);
    assert_eq!(status(&r, "4.3"), "fail");
    let cpu = train.replace("cuda:0", "cpu");
    let r = assess(&[("train.py", &format!("{cpu}{MAIN}"))]);
    assert_eq!(status(&r, "4.3"), "not_applicable");
    // Another script's flag of the same name does not decide this file's default.
    let r = assess(&[
        ("train.py", &format!("{cpu}{MAIN}")),
        ("tools/demo.py", "import argparse\np = argparse.ArgumentParser()\np.add_argument('--device', default='cuda')\nargs = p.parse_args()\nprint(args.device)\n"),
    ]);
    assert_eq!(status(&r, "4.3"), "not_applicable");
}

#[test]
fn a_vague_accelerator_mention_is_not_hardware_documentation() {
    let r = assess(&[
        (
            "README.md",
            "# X\nTrain on different accelerators, like multi-GPU, TPU.\n",
        ),
        (
            "train.py",
            &format!("import torch\nx = torch.zeros(1).cuda()\n{MAIN}"),
        ),
    ]);
    assert_eq!(status(&r, "4.3"), "partial");
}

#[test]
fn a_devcontainer_image_pins_the_environment_and_python() {
    let r = assess(&[
        (
            ".devcontainer.json",
            "{\n  // dev env\n  \"image\": \"mcr.microsoft.com/devcontainers/python:3.10\"\n}\n",
        ),
        ("train.py", MAIN),
    ]);
    assert_eq!(status(&r, "4.2"), "pass");
}

#[test]
fn commands_in_other_docs_and_quoted_readme_lines_read_the_config() {
    let r = assess(&[
        ("TRAIN.md", "```bash\ntorchrun train.py --cfg-path configs/train.yaml\n```\n"),
        ("configs/train.yaml", "lr: 0.1\n"),
        ("train.py", &format!("import argparse, yaml\np = argparse.ArgumentParser()\np.add_argument('--cfg-path')\na = p.parse_args()\ncfg = yaml.safe_load(open(a.cfg_path))\nprint(cfg['lr'])\n{MAIN}")),
    ]);
    assert_eq!(status(&r, "2.3"), "pass");
}

#[test]
fn a_seeded_generator_argument_replaces_the_global_rng() {
    let r = assess(&[("train.py", &format!("import torch\nfrom torch.utils.data import random_split\na, b = random_split(list(range(10)), [5, 5], generator=torch.Generator().manual_seed(42))\n{MAIN}"))]);
    assert!(rule_hits(&r, "unseeded-rng").is_empty(), "{:?}", r.findings);
}

#[test]
fn snakemake_configfile_and_scripts_are_understood() {
    let r = assess(&[
        ("workflow/Snakefile", "configfile: \"config/config.yaml\"\nrule train:\n    input: \"data/x.csv\"\n    output: \"model.pkl\"\n    script: \"scripts/train.py\"\nrule eval:\n    shell: \"python workflow/scripts/eval.py --n {config[n]}\"\n"),
        ("config/config.yaml", "n: 3\n"),
        ("workflow/scripts/train.py", "print(1)\n"),
        ("workflow/scripts/eval.py", "print(2)\n"),
    ]);
    assert_eq!(status(&r, "1.1"), "pass");
    assert_eq!(status(&r, "2.3"), "pass");
}

#[test]
fn kedro_nodes_are_on_the_run_path_and_params_strings_read_keys() {
    let r = assess(&[
        ("pyproject.toml", "[tool.kedro]\npackage_name = \"x\"\n"),
        ("conf/base/parameters.yml", "model_options:\n  test_size: 0.2\n"),
        ("conf/base/catalog.yml", "companies:\n  type: pandas.CSVDataset\n  filepath: data/01_raw/companies.csv\n"),
        ("src/x/pipelines/ds/nodes.py", "import numpy as np\ndef split(df, opts):\n    return np.random.rand(3)\n"),
        ("src/x/pipelines/ds/pipeline.py", "from kedro.pipeline import Node, Pipeline\nfrom .nodes import split\ndef create():\n    return Pipeline([Node(split, ['companies', 'params:model_options'], 'out')])\n"),
    ]);
    assert!(
        r.entry_points.iter().any(|e| e.ends_with("nodes.py")),
        "{:?}",
        r.entry_points
    );
    assert_eq!(status(&r, "1.3"), "fail");
    assert_eq!(status(&r, "2.3"), "pass");
}

#[test]
fn a_notebook_that_unpacks_an_archive_makes_the_files_it_reads() {
    let nb = r#"{"cells":[{"cell_type":"code","source":"!wget https://x.org/jena.csv.zip\n!unzip jena.csv.zip\nf = open('jena.csv')\n"}],"metadata":{}}"#;
    let r = assess(&[("nb.ipynb", nb)]);
    assert!(
        rule_hits(&r, "missing-data-file").is_empty(),
        "{:?}",
        r.findings
    );
}

#[test]
fn the_fix_for_repeatability_names_what_fails_it_first() {
    let r = assess(&[(
        "train.py",
        &format!("import os, random\nfiles = os.listdir('.')\nx = random.random()\n{MAIN}"),
    )]);
    let c = r
        .criteria
        .iter()
        .find(|c| c.id == CriterionId::C1_3)
        .expect("1.3");
    assert_eq!(c.status.as_str(), "fail");
    assert!(
        c.fix
            .as_deref()
            .is_some_and(|f| f.starts_with("train.py:3")),
        "{:?}",
        c.fix
    );
}

#[test]
fn atomic_cuda_ops_without_deterministic_mode_make_repeatability_partial() {
    // Reproduces what verify observed on an H100: seeded runs, index_add_ on CUDA, different sums.
    let src = "import torch\ntorch.manual_seed(1)\nacc = torch.zeros(8, device='cuda')\nidx = torch.randint(0, 8, (1024,), device='cuda')\nacc.index_add_(0, idx, torch.rand(1024, device='cuda'))\n";
    let r = assess(&[("train.py", &format!("{src}{MAIN}"))]);
    let hits = rule_hits(&r, "nondeterministic-op");
    assert_eq!(hits.len(), 1, "{:?}", r.findings);
    assert_eq!(hits[0].line, Some(5));
    assert_eq!(status(&r, "1.3"), "partial");
    let fixed = assess(&[(
        "train.py",
        &format!("{}torch.use_deterministic_algorithms(True)\n{MAIN}", src),
    )]);
    assert!(rule_hits(&fixed, "nondeterministic-op").is_empty());
}

#[test]
fn a_snakemake_workflow_of_r_scripts_has_an_entry_point() {
    let r = assess(&[
        (
            "workflow/Snakefile",
            "rule fit:\n    script: \"scripts/fit.R\"\n",
        ),
        ("workflow/scripts/fit.R", "x <- 1\n"),
        ("workflow/scripts/helper.py", "X = 1\n"),
    ]);
    assert_eq!(status(&r, "1.1"), "pass");
}

#[test]
fn cookiecutter_templates_are_not_parsed_as_python() {
    let r = assess(&[
        (
            "{{ cookiecutter.repo_name }}/settings.py",
            "from {{ cookiecutter.python_package }} import x\n",
        ),
        ("train.py", MAIN),
    ]);
    assert!(rule_hits(&r, "syntax-error").is_empty(), "{:?}", r.findings);
    assert!(
        r.skipped.iter().any(|s| s.reason.contains("template")),
        "{:?}",
        r.skipped
    );
}

// ---- Classes of error found on the blind-labelled corpus (tests/corpus) ----

#[test]
fn a_seed_parameter_defaulting_to_none_that_nobody_sets_is_unseeded() {
    let r = assess(&[
        (
            "sample.py",
            "import fire\nimport numpy as np\ndef sample(seed=None, n=3):\n    np.random.seed(seed)\n    return np.random.rand(n)\nif __name__ == '__main__':\n    fire.Fire(sample)\n",
        ),
        ("data/x.csv", "a\n1\n"),
    ]);
    let hits = rule_hits(&r, "seed-from-entropy");
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits[0].message.contains("None"), "{}", hits[0].message);
    assert_eq!(status(&r, "1.3"), "fail");
    assert_eq!(status(&r, "2.2"), "fail");
}

#[test]
fn a_library_function_of_the_same_name_is_not_a_call_of_the_project_helper() {
    // `tf.random.set_seed(seed)` inside the project's own `set_seed(seed)` is
    // not a caller of it: the seed still comes from the config.
    let r = assess(&[
        ("params.yaml", "seed: 7\nepochs: 2\n"),
        (
            "seed.py",
            "import random\nimport tensorflow as tf\ndef set_seed(seed):\n    random.seed(seed)\n    tf.random.set_seed(seed)\n",
        ),
        (
            "train.py",
            "import yaml\nimport random\nfrom seed import set_seed\ncfg = yaml.safe_load(open('params.yaml'))\nset_seed(cfg['seed'])\nprint(random.random(), cfg['epochs'])\nif __name__ == '__main__':\n    pass\n",
        ),
        ("data/x.csv", "a\n1\n"),
    ]);
    assert_eq!(status(&r, "2.2"), "pass");
}

#[test]
fn dataframe_sample_and_pca_without_random_state_are_unseeded() {
    let r = assess(&[
        (
            "train.py",
            "import pandas as pd\nfrom sklearn.decomposition import PCA\ndf = pd.read_csv('data/d.csv')\ndf = df.sample(frac=1)\np = PCA(n_components=2).fit(df)\nif __name__ == '__main__':\n    pass\n",
        ),
        ("data/d.csv", "a,b\n1,2\n"),
    ]);
    let hits = rule_hits(&r, "random-state-unset");
    assert_eq!(hits.len(), 2, "{hits:?}");
    assert_eq!(status(&r, "1.3"), "fail");
}

#[test]
fn keras_layers_and_dataset_builders_draw_from_unseeded_generators() {
    let r = assess(&[(
        "train.py",
        "from tensorflow import keras\nfrom tensorflow.keras import layers\nds = keras.utils.image_dataset_from_directory('data/img')\nm = keras.Sequential([layers.RandomFlip('horizontal'), layers.Dense(2)])\nif __name__ == '__main__':\n    pass\n",
    )]);
    assert_eq!(rule_hits(&r, "unseeded-rng").len(), 2);
    assert_eq!(status(&r, "1.3"), "fail");
}

#[test]
fn pythonhashseed_in_process_is_advice_that_does_not_lower_repeatability() {
    let r = assess(&[
        (
            "train.py",
            "import os\nimport random\nos.environ['PYTHONHASHSEED'] = '0'\nrandom.seed(1)\nprint(random.random())\nif __name__ == '__main__':\n    pass\n",
        ),
        ("data/x.csv", "a\n1\n"),
    ]);
    assert_eq!(rule_hits(&r, "pythonhashseed-in-process").len(), 1);
    assert_eq!(status(&r, "1.3"), "pass");
}

#[test]
fn scripts_outside_a_declared_dvc_pipeline_are_not_its_run_path() {
    let r = assess(&[
        ("params.yaml", "seed: 1\n"),
        (
            "dvc.yaml",
            "stages:\n  train:\n    cmd: python train.py\n    deps: [train.py]\n    params: [seed]\n",
        ),
        (
            "train.py",
            "import yaml, random\np = yaml.safe_load(open('params.yaml'))\nrandom.seed(p['seed'])\nprint(random.random())\n",
        ),
        (
            "scratch.py",
            "import numpy as np\nprint(np.random.rand(2))\nif __name__ == '__main__':\n    pass\n",
        ),
        ("explore.ipynb", &notebook(&["import numpy as np\nnp.random.uniform()"])),
        ("data/x.csv", "a\n1\n"),
    ]);
    assert_eq!(status(&r, "1.3"), "pass");
    let scratch = rule_hits(&r, "unseeded-rng");
    assert!(scratch.iter().all(|f| !f.on_run_path), "{scratch:?}");
}

fn notebook(cells: &[&str]) -> String {
    let cells: Vec<String> = cells
        .iter()
        .map(|c| {
            format!(
                "{{\"cell_type\":\"code\",\"metadata\":{{}},\"outputs\":[],\"execution_count\":null,\"source\":{}}}",
                serde_json::to_string(c).expect("json")
            )
        })
        .collect();
    format!(
        "{{\"nbformat\":4,\"nbformat_minor\":5,\"metadata\":{{}},\"cells\":[{}]}}",
        cells.join(",")
    )
}

#[test]
fn readme_inline_commands_and_cd_find_the_entry_point() {
    let r = assess(&[
        (
            "README.md",
            "# Model\n\nInstall with ```python setup.py install``` then run `python train.py` inside the package:\n\n```bash\ncd pkg\npython train.py --epochs 3\n```\n",
        ),
        ("setup.py", "from setuptools import setup\nsetup(name='pkg')\n"),
        (
            "pkg/train.py",
            "import argparse\nimport numpy as np\np = argparse.ArgumentParser()\np.add_argument('--seed', type=int, default=1)\na = p.parse_args()\nnp.random.seed(a.seed)\nprint(np.random.rand(2))\n",
        ),
        ("data/cora/cora.cites", "1 2\n"),
    ]);
    assert_eq!(status(&r, "1.1"), "pass");
    assert!(
        r.entry_points.iter().any(|e| e.contains("pkg/train.py")),
        "{:?}",
        r.entry_points
    );
    // A data folder's own formats (`.cites`) are data.
    assert_eq!(status(&r, "1.2"), "pass");
}

#[test]
fn a_missing_relative_file_is_a_note_when_other_input_ships() {
    let r = assess(&[
        (
            "nb.ipynb",
            &notebook(&[
                "import pandas as pd\na = pd.read_csv('data/shipped.csv')",
                "b = pd.read_csv('made_elsewhere.csv')",
            ]),
        ),
        ("data/shipped.csv", "a\n1\n"),
    ]);
    assert_eq!(status(&r, "1.2"), "pass");
    // With nothing shipped, the same read fails 1.2.
    let r = assess(&[(
        "nb.ipynb",
        &notebook(&["import pandas as pd\nb = pd.read_csv('made_elsewhere.csv')"]),
    )]);
    assert_eq!(status(&r, "1.2"), "fail");
}

#[test]
fn requirements_read_by_setup_are_not_example_input() {
    let r = assess(&[
        (
            "setup.py",
            "from setuptools import setup\nreqs = open('requirements.txt').read().split()\nsetup(name='x', install_requires=reqs)\n",
        ),
        ("requirements.txt", "numpy==1.26.0\n"),
        ("train.py", "print(1)\nif __name__ == '__main__':\n    pass\n"),
    ]);
    assert_eq!(status(&r, "1.2"), "fail");
}

#[test]
fn a_committed_file_named_by_a_cli_default_is_example_input() {
    let r = assess(&[
        ("names.txt", "emma\nolivia\n"),
        (
            "makemore.py",
            "import argparse\np = argparse.ArgumentParser()\np.add_argument('--input-file', type=str, default='names.txt')\na = p.parse_args()\nwords = open(a.input_file).read().splitlines()\nif __name__ == '__main__':\n    pass\n",
        ),
    ]);
    assert_eq!(status(&r, "1.2"), "pass");
    assert_eq!(status(&r, "3.1"), "pass");
}

#[test]
fn unread_config_keys_are_reported_but_unread_infrastructure_is_not_config() {
    let r = assess(&[
        ("params.yaml", "lr: 0.1\nunused: 3\n"),
        (
            "train.py",
            "import yaml\np = yaml.safe_load(open('params.yaml'))\nprint(p['lr'])\nif __name__ == '__main__':\n    pass\n",
        ),
        (
            "deploy.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n",
        ),
        ("monitoring/prometheus.yml", "scrape_configs: []\n"),
        ("envs/r.yaml", "channels: [conda-forge]\ndependencies: [r-base]\n"),
        ("data/x.csv", "a\n1\n"),
    ]);
    let c = r
        .criteria
        .iter()
        .find(|c| c.id == CriterionId::C2_3)
        .expect("2.3");
    assert_eq!(c.status.as_str(), "pass", "{}", c.summary);
    assert!(
        c.notes.iter().any(|n| n.note.contains("unused")),
        "{:?}",
        c.notes
    );
}

#[test]
fn dataset_classes_with_a_literal_root_and_path_templates_are_written_in_code() {
    let r = assess(&[(
        "train.py",
        "import argparse\nimport numpy as np\nfrom torchvision import datasets\np = argparse.ArgumentParser()\np.add_argument('--dataset', default='cora')\na = p.parse_args()\nds = datasets.CIFAR10(root='data/', download=True)\nx = np.load('data/ind.{}.x'.format(a.dataset))\nif __name__ == '__main__':\n    pass\n",
    )]);
    assert_eq!(status(&r, "3.3"), "partial");
    // The same loader told where to look by a flag is swappable.
    let r = assess(&[(
        "train.py",
        "import argparse\nfrom torchvision import datasets\np = argparse.ArgumentParser()\np.add_argument('--data-dir', default='data')\na = p.parse_args()\nds = datasets.CIFAR10(root=a.data_dir, download=True)\nif __name__ == '__main__':\n    pass\n",
    )]);
    assert_eq!(status(&r, "3.3"), "pass");
}

#[test]
fn a_kedro_catalog_is_where_the_data_location_lives() {
    let r = assess(&[
        ("pyproject.toml", "[tool.kedro]\npackage_name = 'p'\n"),
        (
            "conf/base/catalog.yml",
            "companies:\n  type: pandas.CSVDataset\n  filepath: data/01_raw/companies.csv\n",
        ),
        ("conf/base/parameters.yml", "test_size: 0.2\nrandom_state: 3\n"),
        (
            "src/p/pipelines/ds/nodes.py",
            "from sklearn.model_selection import train_test_split\ndef split(data, parameters):\n    return train_test_split(data, test_size=parameters['test_size'], random_state=parameters['random_state'])\n",
        ),
    ]);
    assert_eq!(status(&r, "3.3"), "pass");
    assert_eq!(status(&r, "2.2"), "pass");
}

#[test]
fn framework_logging_and_serving_commands_count_for_stage_five() {
    let r = assess(&[
        (
            "README.md",
            "# M\n\nServe it:\n\n```bash\nmlflow models serve -m runs:/abc/model\n```\n",
        ),
        (
            "train.py",
            "import lightning as L\nclass M(L.LightningModule):\n    def training_step(self, b, i):\n        self.log('loss', 1.0)\ntrainer = L.Trainer(max_epochs=1)\nif __name__ == '__main__':\n    pass\n",
        ),
    ]);
    assert_eq!(status(&r, "5.1"), "pass");
    // Lightning's default logger writes each run, but nothing configures it.
    assert_eq!(status(&r, "5.2"), "partial");
    let r = assess(&[(
        "train.py",
        "import lightning as L
from lightning.pytorch.loggers import CSVLogger
class M(L.LightningModule):
    def training_step(self, b, i):
        self.log('loss', 1.0)
trainer = L.Trainer(max_epochs=1, logger=CSVLogger('logs'))
if __name__ == '__main__':
    pass
",
    )]);
    assert_eq!(status(&r, "5.2"), "pass");
}

#[test]
fn a_gpu_machine_type_in_ci_is_gpu_use_that_names_the_gpu() {
    let r = assess(&[
        (
            ".github/workflows/train.yml",
            "jobs:\n  train:\n    steps:\n      - run: cml runner launch --cloud-type=g5.2xlarge --cloud-gpu=nogpu\n",
        ),
        ("train.py", "print(1)\nif __name__ == '__main__':\n    pass\n"),
    ]);
    assert_eq!(status(&r, "4.3"), "pass");
}

#[test]
fn an_r_package_is_unknown_where_the_python_analysis_cannot_tell() {
    let r = assess(&[
        (
            "DESCRIPTION",
            "Package: mypkg\nVersion: 1.0\nImports:\n    caret,\n    dplyr (>= 1.0.0)\n",
        ),
        ("R/run.R", "run_ml <- function(d) { set.seed(1); d }\n"),
    ]);
    for id in ["1.1", "1.3", "2.2", "2.4", "3.3"] {
        assert_eq!(status(&r, id), "unknown", "{id}");
    }
    assert_eq!(status(&r, "4.1"), "partial");
}

#[test]
fn a_listing_in_code_that_loads_no_data_does_not_make_runs_vary() {
    // Copying a downloaded model folder in listing order changes no result.
    let r = assess(&[
        (
            "promote.py",
            "import shutil\nfrom pathlib import Path\nfor item in Path('models/x').iterdir():\n    shutil.copy2(item, 'prod')\nif __name__ == '__main__':\n    pass\n",
        ),
        ("data/x.csv", "a\n1\n"),
    ]);
    assert_eq!(status(&r, "1.3"), "pass");
}

#[test]
fn an_asgi_app_run_by_uvicorn_is_an_entry_point() {
    let r = assess(&[
        (
            "README.md",
            "# API\n\n```bash\nuvicorn service.main:app --port 8080\n```\n",
        ),
        ("service/__init__.py", ""),
        (
            "service/main.py",
            "from fastapi import FastAPI\napp = FastAPI()\n@app.post('/predict')\ndef predict(x: float):\n    return {'y': 2 * x}\n",
        ),
    ]);
    assert_eq!(status(&r, "1.1"), "pass");
    assert_eq!(status(&r, "5.1"), "pass");
}

#[test]
fn a_data_url_in_the_config_is_fetched_unpinned_and_swappable() {
    let r = assess(&[
        ("cfg/config.yaml", "data:\n  path: hf://datasets/someone/davis/davis.csv\n"),
        (
            "main.py",
            "import argparse, yaml\np = argparse.ArgumentParser()\np.add_argument('--config_file', required=True)\na = p.parse_args()\ncfg = yaml.safe_load(open(a.config_file))\nif __name__ == '__main__':\n    pass\n",
        ),
    ]);
    assert_eq!(status(&r, "1.2"), "pass");
    assert_eq!(status(&r, "3.1"), "partial");
    assert_eq!(status(&r, "3.3"), "pass");
}

#[test]
fn an_absolute_input_folder_in_the_config_fails_data_swappable_whatever_its_key() {
    let r = assess(&[
        (
            "config.yaml",
            "samples: input/samples.tsv\nalignment_dir: /scratch/lab/user/alignments\nlr: 0.1\n",
        ),
        (
            "train.py",
            "import sys\nimport pandas as pd\ndf = pd.read_csv(sys.argv[1])\n",
        ),
    ]);
    assert_eq!(status(&r, "3.3"), "fail");
}

#[test]
fn recorded_runs_under_tests_do_not_count_as_data_locations() {
    let r = assess(&[
        (
            "tests/tasks/expected_state.json",
            "{\"opt\": {\"datapath\": \"/private/home/someone/data\", \"data_file\": \"/home/u/x.csv\"}}",
        ),
        (
            "train.py",
            "import argparse\nimport pandas as pd\np = argparse.ArgumentParser()\np.add_argument('--data')\na = p.parse_args()\ndf = pd.read_csv(a.data)\n",
        ),
    ]);
    assert_eq!(status(&r, "3.3"), "pass");
}

#[test]
fn a_token_in_a_hidden_home_folder_is_not_a_data_path() {
    let r = assess(&[(
        "train.py",
        "import argparse\nimport pandas as pd\np = argparse.ArgumentParser()\np.add_argument('--data')\na = p.parse_args()\ntoken = open('~/.service/token').read()\ndf = pd.read_csv(a.data)\n",
    )]);
    assert_eq!(status(&r, "3.3"), "pass");
}

#[test]
fn a_loader_given_a_literal_dataset_name_fixes_the_data_in_code() {
    let r = assess(&[(
        "app.py",
        "from datasets import load_dataset\nfrom sklearn.datasets import load_iris\ndef fetch(name):\n    return load_dataset(name)\ndef main():\n    ds = fetch('imdb')\n    X, y = load_iris(return_X_y=True)\nif __name__ == '__main__':\n    main()\n",
    )]);
    assert_eq!(status(&r, "3.3"), "partial");
}

#[test]
fn a_loader_told_what_to_load_by_a_flag_is_a_parameter() {
    let r = assess(&[(
        "run.py",
        "import argparse\nimport tensorflow_datasets as tfds\np = argparse.ArgumentParser()\np.add_argument('--dataset', default='cifar10')\np.add_argument('--data_dir')\na = p.parse_args()\nb = tfds.builder(a.dataset, data_dir=a.data_dir)\n",
    )]);
    assert_eq!(status(&r, "3.3"), "pass");
}

#[test]
fn a_folder_fixed_by_a_parameter_default_is_a_data_path_in_code() {
    let r = assess(&[
        (
            "utils.py",
            "import numpy as np\ndef load_data(path='../data/graph/', name='graph'):\n    return np.genfromtxt('{}{}.content'.format(path, name))\n",
        ),
        (
            "train.py",
            "from utils import load_data\nx = load_data()\n",
        ),
    ]);
    assert_eq!(status(&r, "3.3"), "partial");
}

#[test]
fn a_tar_archive_opened_by_keyword_is_a_data_read() {
    let r = assess(&[
        (
            "util.py",
            "import tarfile\ndef read_dataset(dataset_path):\n    return tarfile.open(name=dataset_path, mode='r:gz')\n",
        ),
        (
            "train.py",
            "from util import read_dataset\nDATASET_FILE = 'data/images.tar.gz'\nds = read_dataset(DATASET_FILE)\n",
        ),
    ]);
    assert_eq!(status(&r, "3.3"), "partial");
}

#[test]
fn literal_paths_in_exploration_notebooks_do_not_outweigh_a_parametrised_pipeline() {
    let nb = r##"{"cells":[{"cell_type":"code","metadata":{},"outputs":[],"execution_count":1,"source":["import pandas as pd\n","df = pd.read_csv('artifacts/ingest/wine.csv')\n"]}],"metadata":{},"nbformat":4,"nbformat_minor":5}"##;
    let r = assess(&[
        ("research/explore.ipynb", nb),
        ("config/config.yaml", "data_path: artifacts/ingest/wine.csv\n"),
        (
            "main.py",
            "import yaml\nimport pandas as pd\ncfg = yaml.safe_load(open('config/config.yaml'))\ndf = pd.read_csv(cfg['data_path'])\n",
        ),
    ]);
    assert_eq!(status(&r, "3.3"), "pass");
}

#[test]
fn a_config_mapping_columns_to_dtypes_documents_the_data_schema() {
    let r = assess(&[
        (
            "schema.yaml",
            "COLUMNS:\n  fixed acidity: float64\n  density: float64\n  quality: int64\nTARGET_COLUMN:\n  name: quality\n",
        ),
        ("README.md", "# Wine\n\nPredicts wine quality.\n"),
    ]);
    assert_eq!(status(&r, "3.2"), "pass");
}

#[test]
fn a_sample_sheet_schema_in_yaml_documents_the_data_but_a_config_schema_does_not() {
    let schema = "$schema: http://json-schema.org/draft-07/schema#\nproperties:\n  sample_name:\n    type: string\n";
    let r = assess(&[("workflow/schemas/samples.schema.yaml", schema)]);
    assert_eq!(status(&r, "3.2"), "pass");
    let r = assess(&[("workflow/schemas/config.schema.yaml", schema)]);
    assert_ne!(status(&r, "3.2"), "pass");
}

#[test]
fn an_experiment_table_and_flag_spans_in_a_readme_are_not_a_data_layout() {
    let readme = "# Demo\n\nTrains a CNN.\n\n## Experimenting\n\n```\n┃ Experiment ┃ acc ┃ model.pt ┃\n│ ├─╨ 9c705fc   │ 0.9 │ scores.tsv │\n└────────────┴─────┘\n```\n\nLimit them with `--include-params` and\n`--include-metrics` options; results go to `metrics.tsv` and `model.h5`.\n";
    let r = assess(&[("README.md", readme)]);
    assert_ne!(status(&r, "3.2"), "pass");
}

#[test]
fn compose_variants_empty_configs_and_revdep_settings_are_not_ml_config() {
    let train = "from sklearn.linear_model import LinearRegression\nm = LinearRegression()\n";
    for (path, text) in [
        (
            "docker-compose.test.yaml",
            "services:\n  api:\n    image: x\n    ports: ['80:80']\n",
        ),
        ("config.yaml", ""),
        (
            "revdep/email.yml",
            "release_date: ???\nrelease_version: ???\n",
        ),
    ] {
        let r = assess(&[(path, text), ("train.py", train)]);
        assert_eq!(status(&r, "2.1"), "fail", "{path}");
    }
}

#[test]
fn a_split_fraction_and_a_minimum_learning_rate_in_code_are_hyperparameter_literals() {
    for code in [
        "n = int(len(ds) * 0.8)\n",
        "s = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=cfg['epochs'], eta_min=0.0001)\n",
    ] {
        let r = assess(&[
            ("params.yaml", "epochs: 3\nlr: 0.1\n"),
            (
                "train.py",
                &format!("import torch\nimport yaml\ncfg = yaml.safe_load(open('params.yaml'))\nds = list(range(10))\nopt = torch.optim.SGD([], lr=cfg['lr'])\n{code}"),
            ),
        ]);
        assert_eq!(status(&r, "2.1"), "partial", "{code}");
    }
}

#[test]
fn metrics_files_named_by_concatenation_are_run_outputs() {
    let r = assess(&[(
        "experiment.py",
        "import sys\nname = sys.argv[1]\nn = 2\nRESULTS = './datasets/' + name + '/results/test_rmse_' + str(n) + '_layers.txt'\nwith open(RESULTS, 'a') as f:\n    f.write('0.5\\n')\n",
    )]);
    assert_eq!(status(&r, "5.2"), "pass");
}

#[test]
fn an_old_lightning_module_returning_validation_logs_uses_the_default_logger() {
    let r = assess(&[
        (
            "model.py",
            "import pytorch_lightning as pl\nclass Net(pl.LightningModule):\n    def validation_step(self, batch, i):\n        return {'val_loss': 0.0}\n    def validation_epoch_end(self, outs):\n        return {'log': {'val_loss': 0.0}}\n",
        ),
        (
            "train.py",
            "import pytorch_lightning as pl\nfrom model import Net\ntrainer = pl.Trainer(max_epochs=1)\ntrainer.fit(Net())\n",
        ),
    ]);
    assert_eq!(status(&r, "5.2"), "partial");
}

#[test]
fn python2_helpers_off_the_run_path_make_runs_partial_not_fail() {
    let files = [
        ("train.py", "print('training')\n"),
        ("README.md", "# X\n\n```\npython train.py\n```\n"),
        ("data/split.py", "print 'split'\n"),
    ];
    assert_eq!(status(&assess(&files), "1.1"), "partial");
    let broken_entry = [
        ("train.py", "print 'training'\n"),
        ("README.md", "# X\n\n```\npython train.py\n```\n"),
    ];
    assert_eq!(status(&assess(&broken_entry), "1.1"), "fail");
}

#[test]
fn export_and_serving_entry_points_need_no_seed_for_weights_they_load() {
    let model = "import torch\nclass Net(torch.nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = torch.nn.Linear(4, 2)\n";
    let train = "import torch\nfrom model import Net\nif __name__ == '__main__':\n    torch.manual_seed(0)\n    net = Net()\n    opt = torch.optim.SGD(net.parameters(), lr=0.1)\n    loss = net(torch.ones(4)).sum()\n    loss.backward()\n    opt.step()\n    torch.save(net.state_dict(), 'net.pt')\n";
    let export = "import torch\nfrom model import Net\nif __name__ == '__main__':\n    net = Net()\n    net.load_state_dict(torch.load('net.pt'))\n    x = torch.randn(1, 4)\n    torch.onnx.export(net, x, 'net.onnx')\n";
    let r = assess(&[
        ("model.py", model),
        ("train.py", train),
        ("export.py", export),
    ]);
    assert_eq!(
        rule_hits(&r, "unseeded-rng").len(),
        0,
        "{:?}",
        rule_hits(&r, "unseeded-rng")
    );
    // Sampling from a loaded model does depend on the RNG.
    let sample = "import torch\nfrom model import Net\nif __name__ == '__main__':\n    net = Net()\n    net.load_state_dict(torch.load('net.pt'))\n    noise = torch.randn(1, 4)\n    print(net(noise))\n";
    let r = assess(&[
        ("model.py", model),
        ("train.py", train),
        ("sample.py", sample),
    ]);
    let hits = rule_hits(&r, "unseeded-rng");
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].path, "sample.py");
}

#[test]
fn a_config_passed_through_a_shell_variable_is_read_by_the_run() {
    let r = assess(&[
        ("cfg/config.yaml", "lr: 0.1\nepochs: 3\nseed: 1\n"),
        (
            "src/main.py",
            "import argparse\nimport yaml\np = argparse.ArgumentParser()\np.add_argument('--config_file')\na = p.parse_args()\ncfg = yaml.safe_load(open(a.config_file))\nprint(cfg['lr'], cfg['epochs'], cfg['seed'])\n",
        ),
        (
            "train.sh",
            "#!/bin/bash\nCONFIG_FILE=${1:-cfg/config.yaml}\npython src/main.py --config_file $CONFIG_FILE\n",
        ),
    ]);
    assert_eq!(status(&r, "2.3"), "pass");
}

#[test]
fn values_kept_on_self_by_a_constructor_reach_the_other_methods() {
    let r = assess(&[
        ("config.yaml", "seed: 3\ndata:\n  path: data/train.csv\n  random_state: 0\n"),
        (
            "dm.py",
            "import pandas as pd\nfrom sklearn.model_selection import train_test_split\nclass DataModule:\n    def __init__(self, path, random_state=0):\n        self.path = path\n        self.random_state = random_state\n    def setup(self):\n        df = pd.read_csv(self.path)\n        return train_test_split(df, random_state=self.random_state)\n",
        ),
        (
            "train.py",
            "import yaml\nfrom dm import DataModule\nif __name__ == '__main__':\n    cfg = yaml.safe_load(open('config.yaml'))\n    dm = DataModule(cfg['data']['path'], random_state=cfg['data']['random_state'])\n    dm.setup()\n",
        ),
    ]);
    assert_eq!(status(&r, "2.2"), "pass");
    assert_eq!(status(&r, "3.3"), "pass");
}

#[test]
fn a_torchrun_launch_in_the_readme_makes_the_project_heavy() {
    let train = "print('train')\n";
    let light = assess(&[
        ("train.py", train),
        ("README.md", "# X\n\n```\npython train.py\n```\n"),
    ]);
    assert_eq!(status(&light, "3.4"), "not_applicable");
    let heavy = assess(&[
        ("train.py", train),
        (
            "README.md",
            "# X\n\n```\ntorchrun --nproc_per_node=8 train.py\n```\n",
        ),
    ]);
    assert_ne!(status(&heavy, "3.4"), "not_applicable");
}

#[test]
fn a_loader_given_a_placeholder_name_is_no_example_input() {
    let app = |name: &str| {
        format!("from datasets import load_dataset\ndef main():\n    ds = load_dataset('{name}')\nif __name__ == '__main__':\n    main()\n")
    };
    let r = assess(&[("main.py", &app("your_dataset"))]);
    assert_ne!(status(&r, "1.2"), "pass");
    assert_ne!(status(&r, "3.1"), "pass");
    assert_eq!(status(&r, "3.3"), "partial");
    let r = assess(&[("main.py", &app("imdb"))]);
    assert_eq!(status(&r, "1.2"), "pass");
}

#[test]
fn ranges_in_package_metadata_are_pinned_by_a_compiled_requirements_file() {
    let setup = "from setuptools import setup\nsetup(name='p', install_requires=['numpy>=1.15', 'scipy>=1.1'])\n";
    let code = "import numpy\nimport scipy\nif __name__ == '__main__':\n    pass\n";
    let r = assess(&[
        ("setup.py", setup),
        ("requirements.txt", "numpy==1.15.4\nscipy==1.1.0\n"),
        ("train.py", code),
    ]);
    assert_eq!(status(&r, "4.1"), "pass");
    let r = assess(&[
        ("setup.py", setup),
        ("requirements.txt", "numpy==1.15.4\n"),
        ("train.py", code),
    ]);
    assert_eq!(status(&r, "4.1"), "partial");
}

#[test]
fn snakemake_rule_environments_and_container_count_for_the_environment() {
    let snakefile = "container: \"docker://continuumio/miniconda3\"\n\nrule count:\n    input: \"data/a.tsv\"\n    output: \"results/n.txt\"\n    conda: \"envs/pandas.yaml\"\n    script: \"scripts/count.py\"\n";
    let r = assess(&[
        ("workflow/Snakefile", snakefile),
        (
            "workflow/envs/pandas.yaml",
            "channels:\n  - conda-forge\ndependencies:\n  - pandas =2.3.2\n",
        ),
        (
            "workflow/scripts/count.py",
            "import pandas as pd\npd.read_csv(snakemake.input[0]).shape\n",
        ),
    ]);
    assert_ne!(status(&r, "4.1"), "fail");
    // An image named without a tag is an environment, not yet a pinned one.
    assert_eq!(status(&r, "4.2"), "partial");
}

/// A LightningCLI project: the model and data modules are named only by `class_path:`
/// in YAML given with `--config`. `seed_everything: true` draws a fresh seed per run;
/// an integer is a seed in the config.
fn lightning_cli_project(seed: &str) -> Report {
    assess(&[
        (
            "main.py",
            "from lightning.pytorch.cli import LightningCLI\n\ndef main():\n    LightningCLI()\n\nif __name__ == '__main__':\n    main()\n",
        ),
        ("pkg/__init__.py", ""),
        (
            "pkg/model.py",
            "import torch\nimport lightning as L\n\nclass Net(L.LightningModule):\n    def __init__(self, lr: float = 0.1):\n        super().__init__()\n        self.fc = torch.nn.Linear(4, 2)\n\n    def validation_step(self, batch, i):\n        self.log('val_loss', 0.0)\n",
        ),
        (
            "pkg/data.py",
            "import torch\nimport lightning as L\n\nclass Data(L.LightningDataModule):\n    def __init__(self, root: str = 'data/'):\n        super().__init__()\n        self.root = root\n\n    def train_dataloader(self):\n        return torch.utils.data.DataLoader(list(range(8)), shuffle=True)\n",
        ),
        (
            "configs/base.yaml",
            &format!("seed_everything: {seed}\ntrainer:\n  max_epochs: 3\n  logger:\n"),
        ),
        (
            "configs/run.yaml",
            "model:\n  class_path: pkg.model.Net\n  init_args:\n    lr: 0.01\ndata:\n  class_path: pkg.data.Data\n",
        ),
    ])
}

#[test]
fn lightning_cli_reads_its_configs_and_builds_the_classes_they_name() {
    let r = lightning_cli_project("true");
    assert_eq!(status(&r, "2.3"), "pass");
    // The classes named by class_path are on the run path: their RNG use counts,
    // and `seed_everything: true` is a new random seed each run.
    assert_eq!(status(&r, "1.3"), "fail");
    assert_eq!(status(&r, "2.2"), "fail");
    assert_eq!(status(&r, "5.2"), "partial");

    let r = lightning_cli_project("42");
    assert_eq!(status(&r, "2.2"), "pass");
    assert_ne!(status(&r, "1.3"), "fail");
}

/// Scripts without an extension, run through their shebang (`./train --dataroot d/`):
/// the Python ones are parsed and followed from the README, a shell one that downloads
/// the data is a download script, and one that only loads trained weights and takes its
/// input from the command line is a prediction CLI, even when it is called `test`.
#[test]
fn extensionless_scripts_run_through_their_shebang_are_followed() {
    let r = assess(&[
        (
            "README.md",
            "# GAN\n\n```\n./download_dataset horse2zebra\n./train --dataroot datasets/horse2zebra/\n./test --dataroot datasets/horse2zebra/\n```\n",
        ),
        (
            "download_dataset",
            "#!/bin/bash\nFILE=$1\nwget -N https://example.org/datasets/$FILE.zip -O ./datasets/$FILE.zip\nunzip ./datasets/$FILE.zip -d ./datasets/\n",
        ),
        (
            "train",
            "#!/usr/bin/python3\nimport argparse\nimport random\nimport torch\nfrom models import Net\nparser = argparse.ArgumentParser()\nparser.add_argument('--dataroot', default='datasets/x/')\nopt = parser.parse_args()\nnet = Net()\nopt_g = torch.optim.Adam(net.parameters(), lr=0.0002)\nx = random.random()\nloss = net(x)\nloss.backward()\nopt_g.step()\ntorch.save(net.state_dict(), 'output/net.pth')\n",
        ),
        (
            "test",
            "#!/usr/bin/python3\nimport argparse\nimport torch\nfrom models import Net\nparser = argparse.ArgumentParser()\nparser.add_argument('--dataroot', default='datasets/x/')\nparser.add_argument('--weights', default='output/net.pth')\nopt = parser.parse_args()\nnet = Net()\nnet.load_state_dict(torch.load(opt.weights))\n",
        ),
        (
            "models.py",
            "import torch\nclass Net(torch.nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = torch.nn.Linear(2, 2)\n",
        ),
    ]);
    let entries: Vec<&str> = r.entry_points.iter().map(String::as_str).collect();
    assert!(
        entries.contains(&"train") && entries.contains(&"test"),
        "{entries:?}"
    );
    // `random.random()` in the extensionless train script is on the run path.
    assert_eq!(status(&r, "1.3"), "fail");
    assert_eq!(status(&r, "1.2"), "pass");
    assert_eq!(status(&r, "5.1"), "pass");
}

/// `torch.manual_seed(torch.randint(…))` with nothing else seeding torch reseeds from a
/// draw that changes every run: no seed. After a seed from the config, the same draw
/// is fixed by it.
#[test]
fn a_seed_drawn_from_an_unseeded_rng_is_no_seed() {
    let body = "    n = 0 if valid else torch.randint(1000, (1,))[0]\n    torch.manual_seed(n)\n    return torch.rand(3)\n";
    let r = assess(&[
        ("params.yaml", "lr: 0.1\n"),
        (
            "train.py",
            &format!("import torch\nimport yaml\ncfg = yaml.safe_load(open('params.yaml'))\n\ndef item(valid):\n{body}\n{MAIN}"),
        ),
    ]);
    assert_eq!(status(&r, "1.3"), "fail");
    assert_eq!(status(&r, "2.2"), "fail");
    assert!(!rule_hits(&r, "seed-from-entropy").is_empty());

    let r = assess(&[
        ("params.yaml", "lr: 0.1\nseed: 3\n"),
        (
            "train.py",
            &format!("import torch\nimport yaml\ncfg = yaml.safe_load(open('params.yaml'))\ntorch.manual_seed(cfg['seed'])\n\ndef item(valid):\n{body}\n{MAIN}"),
        ),
    ]);
    assert!(rule_hits(&r, "seed-from-entropy").is_empty());
    assert_ne!(status(&r, "1.3"), "fail");
}

/// A CLI generated by python-fire from a class: its constructor and methods are the
/// command line, so `predict.py` built that way takes the user's input (5.1).
#[test]
fn a_fire_cli_takes_input_from_the_command_line() {
    let r = assess(&[(
        "scripts/inference.py",
        "import fire\nimport torch\n\nclass Inference:\n    def __init__(self, ckpt):\n        self.model = torch.load(ckpt)\n\n    def run(self, image_path):\n        return self.model(image_path)\n\nif __name__ == '__main__':\n    fire.Fire(Inference)\n",
    )]);
    assert_eq!(status(&r, "5.1"), "pass");
}

/// `glob.glob(os.path.join(root, …))` is the glob module's function, not `Path.glob`:
/// the files it lists (kept on `self` and indexed in `__getitem__`) come from the
/// folder the CLI names.
#[test]
fn files_listed_with_the_glob_module_come_from_their_folder() {
    let r = assess(&[
        (
            "datasets.py",
            "import glob\nimport os\nfrom PIL import Image\n\nclass Pairs:\n    def __init__(self, root, mode='train'):\n        self.files = sorted(glob.glob(os.path.join(root, '%s/A' % mode) + '/*.*'))\n\n    def __getitem__(self, i):\n        return Image.open(self.files[i % len(self.files)])\n",
        ),
        (
            "train.py",
            &format!("import argparse\nfrom datasets import Pairs\np = argparse.ArgumentParser()\np.add_argument('--dataroot', default='datasets/h2z/')\nopt = p.parse_args()\nds = Pairs(opt.dataroot)\n{MAIN}"),
        ),
    ]);
    assert_eq!(status(&r, "3.3"), "pass");
}

/// Visdom plots a run while it runs and keeps nothing: runs can be watched, not
/// compared afterwards (5.2 partial, not pass and not fail).
#[test]
fn visdom_live_plots_are_partial_run_comparison() {
    let r = assess(&[(
        "train.py",
        &format!("from visdom import Visdom\nviz = Visdom()\nviz.line(X=[0], Y=[1.0], win='loss')\n{MAIN}"),
    )]);
    assert_eq!(status(&r, "5.2"), "partial");
}

/// A sampling script whose parser is built by a helper (`create_argparser().parse_args()`)
/// still takes its input from the command line; it loads trained weights and never
/// trains, so it runs the model on what the user gives it (5.1).
#[test]
fn a_parser_built_by_a_helper_still_makes_a_cli() {
    let r = assess(&[
        (
            "util.py",
            "import argparse\n\ndef create_argparser():\n    p = argparse.ArgumentParser()\n    for k in ['model_path', 'base_samples']:\n        p.add_argument(f'--{k}')\n    return p\n",
        ),
        (
            "scripts/upscale.py",
            &format!("import torch\nfrom util import create_argparser\n\ndef main():\n    args = create_argparser().parse_args()\n    model = torch.nn.Linear(2, 2)\n    model.load_state_dict(torch.load(args.model_path))\n\n{MAIN}"),
        ),
    ]);
    assert_eq!(status(&r, "5.1"), "pass");
}
