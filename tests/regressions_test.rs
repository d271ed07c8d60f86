//! Regressions found by assessing real public ML projects, each reduced to a
//! minimal project written here. Test names say what they reproduce.

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
        .find(|c| c.id == id)
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
    let c = r.criteria.iter().find(|c| c.id == "2.2").expect("2.2");
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
    let c = r.criteria.iter().find(|c| c.id == "2.3").expect("2.3");
    assert_eq!(c.status.as_str(), "pass", "{} {:?}", c.summary, c.evidence);
}

#[test]
fn shell_scripts_run_from_the_project_root_and_comments_are_not_commands() {
    let r = assess(&[
        ("scripts/run.sh", "#!/bin/sh\n# set up: python -m venv .venv, or conda\npython src/train.py --lr 0.1  # train\n"),
        ("src/train.py", "import argparse\np = argparse.ArgumentParser()\np.add_argument('--lr', type=float)\np.parse_args()\n"),
    ]);
    let c = r.criteria.iter().find(|c| c.id == "1.1").expect("1.1");
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
    let c = r.criteria.iter().find(|c| c.id == "1.2").expect("1.2");
    assert!(
        c.evidence
            .iter()
            .any(|e| e.note.contains("tracking data/data.xml")),
        "{:?}",
        c.evidence
    );
}
