//! Disagreements found by labelling public ML repositories blind (before the
//! tool ran on them), each reduced to a minimal project written here. Every
//! test holds a general rule, never a repository's names.

use std::fs;
use std::path::Path;

use reproscale::source::Input;
use reproscale::Report;

fn assess(files: &[(&str, &str)]) -> Report {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in files {
        let p = dir.path().join(path);
        fs::create_dir_all(p.parent().unwrap_or(Path::new("."))).expect("mkdir");
        fs::write(p, text).expect("write");
    }
    reproscale::assess(&Input::Directory(dir.path().to_path_buf())).expect("assess")
}

fn criterion<'a>(r: &'a Report, id: &str) -> &'a reproscale::assessment::CriterionResult {
    r.criteria
        .iter()
        .find(|c| c.id.as_str() == id)
        .expect("criterion")
}

fn status(r: &Report, id: &str) -> &'static str {
    criterion(r, id).status.as_str()
}

fn notes(r: &Report, id: &str) -> String {
    let c = criterion(r, id);
    c.evidence
        .iter()
        .map(|e| format!("{}:{:?} {}", e.path, e.line, e.note))
        .collect::<Vec<_>>()
        .join("\n")
}

const READS_CONFIG: &str = "import yaml\nimport numpy as np\ncfg = yaml.safe_load(open('config.yaml'))\nnp.random.seed(cfg['seed'])\nprint(np.random.rand(), cfg['lr'])\nif __name__ == '__main__':\n    pass\n";

#[test]
fn a_conda_environment_under_any_name_is_a_package_list_not_a_config() {
    let r = assess(&[
        ("train.py", READS_CONFIG),
        ("config.yaml", "seed: 1\nlr: 0.1\n"),
        (
            "ci/ci_dependencies.yml",
            "name: ci\ndependencies:\n  - python=3.7.*\n  - numpy=1.18.*\n  - pyyaml=6.*\n",
        ),
    ]);
    assert_eq!(status(&r, "2.3"), "pass", "{}", notes(&r, "2.3"));
    // Listed with wildcard versions (L1): partial, not "no package list".
    assert_eq!(status(&r, "4.1"), "partial", "{}", notes(&r, "4.1"));
    assert!(notes(&r, "4.1").contains("ci/ci_dependencies.yml"));
}

#[test]
fn ci_pipelines_and_deployment_specs_are_infrastructure_whatever_their_name() {
    let r = assess(&[
        ("train.py", READS_CONFIG),
        ("config.yaml", "seed: 1\nlr: 0.1\n"),
        (
            "setup/build-image.yml",
            "trigger:\n  branches:\n    include: [main]\npool:\n  vmImage: ubuntu-latest\nsteps:\n  - script: docker build .\n",
        ),
        (
            "setup/steps-template.yml",
            "parameters:\n  - name: env\nsteps:\n  - task: AzureCLI@1\n    inputs: {}\n",
        ),
        ("scoring/deployment_config.yml", "computeType: ACI\ncontainerResourceRequirements:\n  cpu: 1\n"),
    ]);
    assert_eq!(status(&r, "2.3"), "pass", "{}", notes(&r, "2.3"));
}

#[test]
fn the_other_files_of_a_config_folder_chosen_by_a_flag_are_its_other_choices() {
    let train = "import argparse\nfrom pathlib import Path\nimport yaml\nROOT = Path(__file__).parent\np = argparse.ArgumentParser()\np.add_argument('--hyp', default=ROOT / 'data/hyps/hyp.low.yaml')\nargs = p.parse_args()\nhyp = yaml.safe_load(open(args.hyp))\nprint(hyp['lr'])\n";
    let r = assess(&[
        ("train.py", train),
        ("data/hyps/hyp.low.yaml", "lr: 0.01\n"),
        ("data/hyps/hyp.high.yaml", "lr: 0.1\n"),
        ("data/hyps/extra/hyp.tiny.yaml", "lr: 0.001\n"),
    ]);
    assert_eq!(status(&r, "2.3"), "pass", "{}", notes(&r, "2.3"));
    assert!(notes(&r, "2.3").contains("another choice for --hyp"));

    // A path written in code is no choice: its neighbour is unread.
    let fixed = "import yaml\nhyp = yaml.safe_load(open('configs/a.yaml'))\nprint(hyp['lr'])\nif __name__ == '__main__':\n    pass\n";
    let r = assess(&[
        ("train.py", fixed),
        ("configs/a.yaml", "lr: 0.01\n"),
        ("configs/b.yaml", "lr: 0.1\n"),
    ]);
    assert_eq!(status(&r, "2.3"), "partial", "{}", notes(&r, "2.3"));
    assert!(notes(&r, "2.3").contains("configs/b.yaml"));
}

#[test]
fn a_readme_command_with_a_placeholder_config_name_passes_the_whole_folder() {
    let main = "import argparse\nfrom omegaconf import OmegaConf\np = argparse.ArgumentParser()\np.add_argument('--base', nargs='*')\nopt = p.parse_args()\nconfigs = [OmegaConf.load(c) for c in opt.base]\nif __name__ == '__main__':\n    pass\n";
    let r = assess(&[
        ("main.py", main),
        (
            "README.md",
            "# Model\n\n## Training\n\n```\nCUDA_VISIBLE_DEVICES=<GPU_ID> python main.py --base configs/ldm/<config_spec>.yaml -t\n```\n",
        ),
        ("configs/ldm/small.yaml", "model:\n  lr: 0.1\n"),
        ("configs/ldm/large.yaml", "model:\n  lr: 0.01\n"),
    ]);
    assert_eq!(status(&r, "2.3"), "pass", "{}", notes(&r, "2.3"));
}

#[test]
fn keras_layers_built_from_given_weights_draw_nothing() {
    let given = "from tensorflow import keras\ndef convert(w, b):\n    return keras.layers.Conv2D(3, 1, kernel_initializer=keras.initializers.Constant(w), bias_initializer='zeros' if b is None else keras.initializers.Constant(b))\nif __name__ == '__main__':\n    convert(1, None)\n";
    let r = assess(&[("export.py", given)]);
    assert!(
        r.findings.iter().all(|f| f.rule != "unseeded-rng"),
        "{:?}",
        r.findings
    );
    let drawn = "from tensorflow import keras\nlayer = keras.layers.Conv2D(3, 1)\nif __name__ == '__main__':\n    pass\n";
    let r = assess(&[("model.py", drawn)]);
    assert!(r.findings.iter().any(|f| f.rule == "unseeded-rng"));
}

#[test]
fn system_files_are_not_data_paths() {
    let code = "import argparse\nimport pandas as pd\np = argparse.ArgumentParser()\np.add_argument('--data')\nargs = p.parse_args()\ndf = pd.read_csv(args.data)\ndef in_docker():\n    with open('/proc/self/cgroup') as f:\n        return 'docker' in f.read()\n";
    let r = assess(&[("train.py", code)]);
    assert_eq!(status(&r, "3.3"), "pass", "{}", notes(&r, "3.3"));
}

#[test]
fn a_colab_link_to_an_evaluation_notebook_is_not_a_demo() {
    let base = [(
        "train.py",
        "import torch\nprint(torch.zeros(1))\nif __name__ == '__main__':\n    pass\n",
    )];
    let eval_link = "# X\n\nCheck the [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://github.com/o/r/blob/main/feature_eval/logistic_regression_evaluator.ipynb) notebook for reproducibility.\n";
    let mut files = base.to_vec();
    files.push(("README.md", eval_link));
    let r = assess(&files);
    assert_eq!(status(&r, "5.1"), "fail", "{}", notes(&r, "5.1"));

    let demo_link = "# X\n\n* [Colab notebook](https://colab.research.google.com/github/o/r/blob/main/colab/cifar10_demo.ipynb): a demo on Colab.\n";
    let mut files = base.to_vec();
    files.push(("README.md", demo_link));
    let r = assess(&files);
    assert_eq!(status(&r, "5.1"), "pass", "{}", notes(&r, "5.1"));
}

#[test]
fn a_package_list_that_declares_nothing_is_no_package_list() {
    let r = assess(&[
        ("setup.py", "from setuptools import setup\nsetup(name='x', version='0.1', python_requires='>=3.6')\n"),
        ("demo.py", "import numpy as np\nprint(np.zeros(2))\nif __name__ == '__main__':\n    pass\n"),
    ]);
    assert_eq!(status(&r, "4.1"), "fail", "{}", notes(&r, "4.1"));
    assert!(notes(&r, "4.1").contains("declares no packages"));
}

#[test]
fn data_synthesised_from_literal_arguments_is_fixed_in_code() {
    let fixed = "import numpy as np\nfrom sklearn.datasets import make_moons\nnp.random.seed(0)\nX, y = make_moons(n_samples=100, noise=0.1)\nprint(X.shape)\nif __name__ == '__main__':\n    pass\n";
    let r = assess(&[("train.py", fixed)]);
    assert_eq!(status(&r, "3.3"), "partial", "{}", notes(&r, "3.3"));

    let chosen = "import argparse\nimport numpy as np\nfrom sklearn.datasets import make_moons\np = argparse.ArgumentParser()\np.add_argument('--samples', type=int, default=100)\nargs = p.parse_args()\nnp.random.seed(0)\nX, y = make_moons(n_samples=args.samples, noise=0.1)\n";
    let r = assess(&[("train.py", chosen)]);
    assert_eq!(status(&r, "3.3"), "pass", "{}", notes(&r, "3.3"));
}

#[test]
fn a_seed_flag_that_defaults_to_none_leaves_default_runs_unseeded() {
    let code = "import argparse\nimport random\nimport torch\np = argparse.ArgumentParser()\np.add_argument('--seed', default=None, type=int)\nargs = p.parse_args()\nif args.seed is not None:\n    random.seed(args.seed)\n    torch.manual_seed(args.seed)\n";
    let r = assess(&[("train.py", code)]);
    assert_eq!(status(&r, "2.2"), "fail", "{}", notes(&r, "2.2"));
    assert!(notes(&r, "2.2").contains("defaults to None"));

    let set = code.replace("default=None", "default=0");
    let r = assess(&[("train.py", &set)]);
    assert_eq!(status(&r, "2.2"), "partial", "{}", notes(&r, "2.2"));
}

#[test]
fn run_comparison_sees_record_logs_named_loggers_and_trainer_reporting() {
    let cases: [(&str, &str); 5] = [
        (
            "import json\nfrom pathlib import Path\ndef main(out, epochs):\n    for e in range(epochs):\n        stats = {'epoch': e, 'loss': 0.1}\n        with (Path(out) / 'log.txt').open('a') as f:\n            f.write(json.dumps(stats) + '\\n')\nif __name__ == '__main__':\n    main('out', 3)\n",
            "log.txt",
        ),
        (
            "def logger_config(name):\n    return {'target': 'pytorch_lightning.loggers.TestTubeLogger', 'params': {'name': name}}\nif __name__ == '__main__':\n    logger_config('x')\n",
            "TestTubeLogger",
        ),
        (
            "from azureml.core import Run\nrun = Run.get_context()\nrun.log('mse', 0.5)\nif __name__ == '__main__':\n    pass\n",
            "Azure ML",
        ),
        (
            "import transformers\nargs = transformers.TrainingArguments(output_dir='o', report_to='wandb' if True else None)\nif __name__ == '__main__':\n    pass\n",
            "report_to",
        ),
        (
            "import torch\ndef save(history, d, epoch):\n    torch.save(history, '{}/history_epoch_{}.pth'.format(d, epoch))\nif __name__ == '__main__':\n    save({}, 'ckpt', 1)\n",
            "history_epoch",
        ),
    ];
    for (code, seen) in cases {
        let r = assess(&[("train.py", code)]);
        assert_eq!(status(&r, "5.2"), "pass", "{code}\n{}", notes(&r, "5.2"));
        assert!(notes(&r, "5.2").contains(seen), "{}", notes(&r, "5.2"));
    }
    // A log written with plain text is not a metrics record.
    let plain = "def main():\n    with open('log.txt', 'a') as f:\n        f.write('started')\nif __name__ == '__main__':\n    main()\n";
    let r = assess(&[("train.py", plain)]);
    assert_eq!(status(&r, "5.2"), "fail", "{}", notes(&r, "5.2"));
}

#[test]
fn parameters_of_a_function_handed_to_fire_are_command_line_flags() {
    // `trainer.train(...)` is a method of another object, not a caller of `train`.
    let code = "import fire\nimport torch\nfrom datasets import load_dataset\n\ndef train(data_path: str = 'org/some-dataset', seed=None):\n    data = load_dataset(data_path)\n    torch.manual_seed(seed)\n    trainer = object()\n    trainer.train(resume_from_checkpoint=None)\n    return data\n\nif __name__ == '__main__':\n    fire.Fire(train)\n";
    let r = assess(&[("finetune.py", code)]);
    assert_eq!(status(&r, "3.3"), "pass", "{}", notes(&r, "3.3"));
    assert!(
        notes(&r, "3.3").contains("--data_path"),
        "{}",
        notes(&r, "3.3")
    );
}

#[test]
fn changelogs_do_not_describe_the_data() {
    let r = assess(&[
        ("train.py", "import pandas as pd\ndf = pd.read_csv('data/train.csv')\nif __name__ == '__main__':\n    pass\n"),
        ("data/train.csv", "a,b\n1,2\n"),
        (
            "CHANGELOG.md",
            "# Changelog\n\n## Data\n\nThe dataset loader now reads the training data from a new folder and the dataset is cached between runs.\n",
        ),
    ]);
    assert_eq!(status(&r, "3.2"), "fail", "{}", notes(&r, "3.2"));
}

// Round 3.

#[test]
fn an_image_the_code_renders_then_reads_back_is_output_not_data() {
    let r = assess(&[(
        "sample.py",
        "import argparse\nimport torch\nfrom torchvision.utils import save_image\nfrom PIL import Image\np = argparse.ArgumentParser()\np.add_argument('--seed', type=int, default=0)\nargs = p.parse_args()\ntorch.manual_seed(args.seed)\nx = torch.randn(4, 3, 8, 8)\nsave_image(x, 'sample.png', nrow=2)\nshown = Image.open('sample.png')\nif __name__ == '__main__':\n    pass\n",
    )]);
    let missing: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.rule == "missing-data-file")
        .collect();
    assert!(missing.is_empty(), "{missing:?}");
    assert!(
        !notes(&r, "3.3").contains("sample.png"),
        "{}",
        notes(&r, "3.3")
    );
}

#[test]
fn a_checkpoint_loaded_from_a_weights_folder_is_a_model_not_the_data() {
    let r = assess(&[
        (
            "download.py",
            "import os\nimport torch\nfrom torchvision.datasets.utils import download_url\ndef download_model(name):\n    local = f'pretrained/{name}'\n    if not os.path.isfile(local):\n        download_url(f'https://example.org/models/{name}', 'pretrained')\n    return torch.load(local)\nif __name__ == '__main__':\n    download_model('m.pt')\n",
        ),
        (
            "train.py",
            "import argparse\nimport pandas as pd\np = argparse.ArgumentParser()\np.add_argument('--data', required=True)\nargs = p.parse_args()\ndf = pd.read_csv(args.data)\nif __name__ == '__main__':\n    print(len(df))\n",
        ),
    ]);
    assert_eq!(status(&r, "3.3"), "pass", "{}", notes(&r, "3.3"));
}

#[test]
fn a_test_named_script_that_takes_its_input_on_the_command_line_is_a_script() {
    let r = assess(&[
        (
            "train.py",
            "import torch\nimport torch.nn as nn\ntorch.manual_seed(0)\nm = nn.Linear(2, 1)\nopt = torch.optim.SGD(m.parameters(), lr=0.1)\nloss = m(torch.ones(1, 2)).sum()\nloss.backward()\nopt.step()\ntorch.save(m.state_dict(), 'model.pt')\nif __name__ == '__main__':\n    pass\n",
        ),
        (
            "test_model.py",
            "import argparse\nimport torch\nimport torch.nn as nn\nfrom PIL import Image\np = argparse.ArgumentParser()\np.add_argument('--image_path', required=True)\np.add_argument('--checkpoint_model', required=True)\nopt = p.parse_args()\nm = nn.Linear(2, 1)\nm.load_state_dict(torch.load(opt.checkpoint_model))\nimg = Image.open(opt.image_path)\nprint(m)\n",
        ),
    ]);
    assert!(
        r.entry_points.iter().any(|e| e == "test_model.py"),
        "{:?}",
        r.entry_points
    );
    assert_eq!(status(&r, "5.1"), "pass", "{}", notes(&r, "5.1"));
    assert!(notes(&r, "5.1").contains("test_model.py"));
}

#[test]
fn a_pytest_module_stays_a_test_whatever_flags_it_defines() {
    let r = assess(&[
        (
            "train.py",
            "import numpy as np\nnp.random.seed(0)\nprint(np.random.rand())\nif __name__ == '__main__':\n    pass\n",
        ),
        (
            "test_train.py",
            "import argparse\nimport pytest\np = argparse.ArgumentParser()\np.add_argument('--fast', action='store_true')\nargs = p.parse_args([])\ndef test_runs():\n    assert True\nif __name__ == '__main__':\n    pass\n",
        ),
    ]);
    assert!(
        !r.entry_points.iter().any(|e| e == "test_train.py"),
        "{:?}",
        r.entry_points
    );
}

#[test]
fn top_level_cli_scripts_alone_do_not_narrow_the_run_path() {
    // A workflow runs `train.py` through a variable the tool cannot follow;
    // the only scripts it can see parse flags at the top level.
    let r = assess(&[
        (
            "scripts/condense.py",
            "import argparse\np = argparse.ArgumentParser()\np.add_argument('table')\nargs = p.parse_args()\nprint(open(args.table).read())\n",
        ),
        (
            "scripts/train.py",
            "import sys\nfrom sklearn.svm import SVC\nX = [[0.0], [1.0]]\ny = [0, 1]\nm = SVC(probability=True).fit(X, y)\nprint(m.predict(X))\n",
        ),
    ]);
    assert!(r.entry_points.is_empty(), "{:?}", r.entry_points);
    assert_eq!(status(&r, "1.3"), "fail", "{}", notes(&r, "1.3"));
}

#[test]
fn a_top_level_cli_script_joins_a_run_path_that_entry_points_define() {
    let r = assess(&[
        (
            "train.py",
            "import numpy as np\nnp.random.seed(0)\nprint(np.random.rand())\nif __name__ == '__main__':\n    pass\n",
        ),
        (
            "tools/evaluate.py",
            "import argparse\nimport random\np = argparse.ArgumentParser()\np.add_argument('--n', type=int, default=3)\nargs = p.parse_args()\nprint(random.random() * args.n)\n",
        ),
    ]);
    assert!(
        r.entry_points.iter().any(|e| e == "tools/evaluate.py"),
        "{:?}",
        r.entry_points
    );
    assert_ne!(status(&r, "1.3"), "pass", "{}", notes(&r, "1.3"));
}

#[test]
fn tpu_estimators_and_resolvers_use_an_accelerator() {
    let r = assess(&[(
        "run_pretraining.py",
        "import tensorflow as tf\nfrom tensorflow.contrib import tpu as contrib_tpu\nfrom tensorflow.contrib import cluster_resolver as contrib_cluster_resolver\nflags = tf.flags\nFLAGS = flags.FLAGS\nflags.DEFINE_bool('use_tpu', False, 'Use a TPU.')\nflags.DEFINE_string('tpu_name', None, 'TPU name.')\ndef main(_):\n    resolver = contrib_cluster_resolver.TPUClusterResolver(FLAGS.tpu_name)\n    est = contrib_tpu.TPUEstimator(use_tpu=FLAGS.use_tpu, model_fn=None, config=None)\n    return est\nif __name__ == '__main__':\n    tf.app.run()\n",
    )]);
    assert_ne!(status(&r, "4.3"), "not_applicable", "{}", notes(&r, "4.3"));
    assert!(
        notes(&r, "4.3").contains("TPUEstimator"),
        "{}",
        notes(&r, "4.3")
    );
}

#[test]
fn a_notebook_that_names_its_gpu_in_prose_documents_the_hardware() {
    let nb = |prose: &str| {
        format!(
            r#"{{"cells":[{{"cell_type":"markdown","source":["{prose}"]}},{{"cell_type":"code","source":["import torch\n","torch.manual_seed(0)\n","x = torch.ones(2).cuda()\n"]}}],"metadata":{{}},"nbformat":4,"nbformat_minor":5}}"#
        )
    };
    let named = assess(&[("train.ipynb", &nb("Trained on one NVIDIA A100 (80 GB)."))]);
    assert_eq!(status(&named, "4.3"), "pass", "{}", notes(&named, "4.3"));
    assert!(notes(&named, "4.3").contains("train.ipynb"));
    // A bare "GPU" in prose explains a code cell; it names no machine.
    let bare = assess(&[("train.ipynb", &nb("Now we move the model to the GPU."))]);
    assert_eq!(status(&bare, "4.3"), "fail", "{}", notes(&bare, "4.3"));
}

// Round 4.

#[test]
fn initial_parameter_values_are_overwritten_by_loaded_weights() {
    let model = "import torch\nfrom torch import nn\nclass Net(nn.Module):\n    def __init__(self, d):\n        super().__init__()\n        self.pos = nn.Parameter(0.5 * torch.randn(d, d))\n        self.register_buffer('mask', torch.rand(d))\n";
    let predict = "import sys\nimport torch\nfrom model import Net\nif __name__ == '__main__':\n    net = Net(4)\n    net.load_state_dict(torch.load(sys.argv[1]))\n    print(net.pos.sum())\n";
    let r = assess(&[("model.py", model), ("predict.py", predict)]);
    assert_eq!(status(&r, "1.3"), "pass", "{}", notes(&r, "1.3"));
    // Nothing random reaches the outputs, so no seed is needed either.
    assert_eq!(status(&r, "2.2"), "not_applicable", "{}", notes(&r, "2.2"));

    // The same draw outside a parameter's initial value is live randomness.
    let live = "import torch\nif __name__ == '__main__':\n    print(torch.randn(3))\n";
    let r = assess(&[("sample.py", live)]);
    assert_eq!(status(&r, "1.3"), "fail", "{}", notes(&r, "1.3"));

    // And a training run draws its initial weights: they must be seeded.
    let train = "import torch\nfrom model import Net\nif __name__ == '__main__':\n    net = Net(4)\n    opt = torch.optim.SGD(net.parameters(), lr=0.1)\n    loss = net.pos.sum()\n    loss.backward()\n    opt.step()\n";
    let r = assess(&[("model.py", model), ("train.py", train)]);
    assert_eq!(status(&r, "1.3"), "fail", "{}", notes(&r, "1.3"));
}

#[test]
fn a_readme_run_from_the_cloned_folder_names_the_project_root() {
    let run = "import argparse\np = argparse.ArgumentParser()\np.add_argument('-c', default='configs/a.yaml')\nargs = p.parse_args()\nprint(args.c)\n";
    let readme = "# Demo\n\n```\n$ git clone https://example.org/Demo\n$ cd Demo\n$ python run.py -c configs/<your-config.yaml>\n```\n";
    let r = assess(&[("run.py", run), ("README.md", readme)]);
    assert_eq!(status(&r, "1.1"), "pass", "{}", notes(&r, "1.1"));
    assert!(
        notes(&r, "1.1").contains("entry point run.py"),
        "{}",
        notes(&r, "1.1")
    );
}

#[test]
fn a_first_run_handed_a_weights_url_fetches_its_input_unless_it_also_needs_data() {
    let generate = "import argparse\np = argparse.ArgumentParser()\np.add_argument('--network')\np.add_argument('--seeds')\np.add_argument('--outdir')\nargs = p.parse_args()\nprint(args.network)\n";
    let readme = "# Gen\n\n```bash\n# sample images\npython generate.py --outdir=out --seeds=1-4 \\\n    --network=https://models.example.org/net.pkl\n```\n";
    let r = assess(&[("generate.py", generate), ("README.md", readme)]);
    assert_eq!(status(&r, "1.2"), "pass", "{}", notes(&r, "1.2"));
    assert!(
        notes(&r, "1.2").contains("README.md:Some(5)"),
        "{}",
        notes(&r, "1.2")
    );

    // Evaluating downloaded weights on a dataset the reader must supply
    // fetches only the weights.
    let evaluate = "import argparse\np = argparse.ArgumentParser()\np.add_argument('--resume')\np.add_argument('--data-path', default='/datasets/imagenet')\nargs = p.parse_args()\nprint(args.resume, args.data_path)\n";
    let readme =
        "# Eval\n\n```\npython main.py --eval --resume https://models.example.org/w.pth\n```\n";
    let r = assess(&[("main.py", evaluate), ("README.md", readme)]);
    assert_eq!(status(&r, "1.2"), "fail", "{}", notes(&r, "1.2"));
    // A converter in a sub-project's docs is not the project's first run.
    let readme =
        "# Tools\n\n```\npython generate.py --network https://models.example.org/net.pkl\n```\n";
    let r = assess(&[("tools/generate.py", generate), ("tools/README.md", readme)]);
    assert_eq!(status(&r, "1.2"), "fail", "{}", notes(&r, "1.2"));
}

#[test]
fn torchvision_download_helpers_fetch_the_input() {
    let dl = "from torchvision.datasets.utils import download_url\ndef fetch():\n    download_url('https://example.org/w.pt', 'weights')\nif __name__ == '__main__':\n    fetch()\n";
    let r = assess(&[("download.py", dl)]);
    assert_eq!(status(&r, "1.2"), "pass", "{}", notes(&r, "1.2"));
}

#[test]
fn a_metrics_file_the_pipeline_writes_is_not_a_config() {
    let train = "import json\nfrom sklearn.neural_network import MLPClassifier\nclf = MLPClassifier(max_iter=30, random_state=0)\nwith open('metrics.json', 'w') as f:\n    json.dump({'acc': 1.0}, f)\n";
    let r = assess(&[
        ("train.py", train),
        ("metrics.json", "{\"acc\": 0.9, \"recall\": 0.8}\n"),
        (
            "dvc.yaml",
            "stages:\n  train:\n    cmd: python train.py\n    deps: [train.py]\n    metrics:\n    - metrics.json:\n        cache: false\n",
        ),
    ]);
    assert_eq!(status(&r, "2.1"), "fail", "{}", notes(&r, "2.1"));
    assert_eq!(status(&r, "2.3"), "fail", "{}", notes(&r, "2.3"));
}

#[test]
fn launch_scripts_passing_flags_are_not_a_config_file() {
    let train = "import argparse\nimport torch\np = argparse.ArgumentParser()\np.add_argument('--lr', type=float, default=0.1)\np.add_argument('--seed', type=int, default=0)\nargs = p.parse_args()\ntorch.manual_seed(args.seed)\nprint(torch.rand(1) * args.lr)\n";
    let script = "#!/bin/bash\npython train.py \\\n  --lr 0.01 \\\n  --seed 1\n";
    let r = assess(&[("train.py", train), ("scripts/run.sh", script)]);
    assert_eq!(status(&r, "2.1"), "partial", "{}", notes(&r, "2.1"));
    assert_eq!(status(&r, "2.3"), "partial", "{}", notes(&r, "2.3"));
    // The continued lines are one command: both flags are passed.
    assert!(
        notes(&r, "2.1").contains("--lr --seed"),
        "{}",
        notes(&r, "2.1")
    );
    // A declared pipeline passing the same flags is configuration (SPEC 2.3).
    let r = assess(&[
        ("train.py", train),
        (
            "Makefile",
            "train:\n\tpython train.py \\\n\t  --lr 0.01 --seed 1\n",
        ),
    ]);
    assert_eq!(status(&r, "2.1"), "pass", "{}", notes(&r, "2.1"));
}

#[test]
fn files_named_on_a_command_line_do_not_document_the_data() {
    let prep = "import argparse\nimport pickle\np = argparse.ArgumentParser()\np.add_argument('-save_data')\nargs = p.parse_args()\npickle.dump({}, open(args.save_data, 'wb'))\n";
    let readme =
        "# T\n\n## Preprocess the data\n\n```bash\npython preprocess.py -save_data m30k.pkl\n```\n";
    let r = assess(&[("preprocess.py", prep), ("README.md", readme)]);
    assert_eq!(status(&r, "3.2"), "fail", "{}", notes(&r, "3.2"));
    // A layout shown in a code block still documents it.
    let readme = "# T\n\n## Data\n\n```\ndata/train.csv\ndata/test.csv\n```\n";
    let r = assess(&[("preprocess.py", prep), ("README.md", readme)]);
    assert_eq!(status(&r, "3.2"), "pass", "{}", notes(&r, "3.2"));
}

#[test]
fn a_download_cache_under_home_is_not_a_machine_path() {
    let nb_cell = "import os\nfrom torchvision.datasets import CIFAR100\nds = CIFAR100(os.path.expanduser('~/.cache'), download=True, train=False)\nprint(len(ds))\n";
    let r = assess(&[(
        "eval.py",
        &format!("{nb_cell}if __name__ == '__main__':\n    pass\n"),
    )]);
    assert_ne!(status(&r, "3.3"), "fail", "{}", notes(&r, "3.3"));
    let pinned = "from torchvision.datasets import CIFAR100\nds = CIFAR100('/home/alice/data', download=True)\nif __name__ == '__main__':\n    print(len(ds))\n";
    let r = assess(&[("eval.py", pinned)]);
    assert_eq!(status(&r, "3.3"), "fail", "{}", notes(&r, "3.3"));
}

#[test]
fn a_spacy_project_file_is_a_staged_pipeline_not_a_config() {
    let project = r#"title: "NER demo"
vars:
  config: "config"
  gpu_id: 0
  train: "train"
  models:
    best: "training/${vars.config}/model-best"
assets:
  - dest: "assets/${vars.train}.jsonl"
    url: "https://example.org/data/train.jsonl"
    checksum: "63373dd656daa1fd3043ce166a59474c"
workflows:
  all: [convert, train]
commands:
  - name: convert
    script:
      - "python scripts/convert.py assets/${vars.train}.jsonl corpus/${vars.train}.spacy"
    deps:
      - "assets/${vars.train}.jsonl"
    outputs:
      - "corpus/${vars.train}.spacy"
  - name: train
    script:
      - "spacy train configs/${vars.config}.cfg --output training/${vars.config} --paths.train corpus/${vars.train}.spacy --gpu-id ${vars.gpu_id}"
    deps:
      - "corpus/${vars.train}.spacy"
      - "configs/${vars.config}.cfg"
    outputs:
      - ${vars.models.best}
"#;
    let convert = "import sys\nimport torch\nif __name__ == '__main__':\n    src, dst = sys.argv[1], sys.argv[2]\n    torch.zeros(1).cuda()\n    open(dst, 'w').write(open(src).read())\n";
    let cfg = "[paths]\ntrain = null\n\n[training]\nseed = 0\nmax_epochs = 10\n";
    let r = assess(&[
        ("project.yml", project),
        ("scripts/convert.py", convert),
        ("configs/config.cfg", cfg),
    ]);
    // Commands whose outputs feed later commands are tracked stages.
    assert_eq!(status(&r, "3.4"), "pass", "{}", notes(&r, "3.4"));
    assert!(
        notes(&r, "3.4").contains("corpus/train.spacy"),
        "{}",
        notes(&r, "3.4")
    );
    // A variable whose value names another variable is filled through.
    assert!(
        notes(&r, "3.4").contains("outputs: training/config/model-best"),
        "{}",
        notes(&r, "3.4")
    );
    // The config a command trains from is read; project.yml is not a config.
    assert_eq!(status(&r, "2.3"), "pass", "{}", notes(&r, "2.3"));
    assert!(
        !notes(&r, "2.1").contains("yaml config"),
        "{}",
        notes(&r, "2.1")
    );
    // Its scripts are entry points, and its assets are fetched inputs.
    assert_eq!(status(&r, "1.1"), "pass", "{}", notes(&r, "1.1"));
    assert_eq!(status(&r, "1.2"), "pass", "{}", notes(&r, "1.2"));
    assert!(
        notes(&r, "1.2").contains("assets/train.jsonl"),
        "{}",
        notes(&r, "1.2")
    );
}

#[test]
fn a_url_counts_only_when_handed_to_the_projects_own_script() {
    // Installing a package from a URL fetches no input.
    let readme = "# X\n\n```\npython -m pip install torch -f https://download.example.org/whl/stable.html\npython train.py\n```\n";
    let train = "import argparse\np = argparse.ArgumentParser()\np.add_argument('--lr', default=0.1)\nargs = p.parse_args()\nprint(args.lr)\n";
    let r = assess(&[("train.py", train), ("README.md", readme)]);
    assert_eq!(status(&r, "1.2"), "fail", "{}", notes(&r, "1.2"));
    // A size or a drop rate is not a local input: the weights URL still counts.
    let sample = "import argparse\np = argparse.ArgumentParser()\np.add_argument('--weights')\np.add_argument('--input_size', default=224)\np.add_argument('--drop_path', default=0.1)\nargs = p.parse_args()\nprint(args.weights)\n";
    let readme = "# X\n\n```\npython sample.py --weights https://models.example.org/w.pth\n```\n";
    let r = assess(&[("sample.py", sample), ("README.md", readme)]);
    assert_eq!(status(&r, "1.2"), "pass", "{}", notes(&r, "1.2"));
}

#[test]
fn a_transient_buffer_is_not_overwritten_by_loaded_weights() {
    let model = "import torch\nfrom torch import nn\nclass Net(nn.Module):\n    def __init__(self, d):\n        super().__init__()\n        self.register_buffer('noise', torch.rand(d), persistent=False)\n";
    let predict = "import sys\nimport torch\nfrom model import Net\nif __name__ == '__main__':\n    net = Net(4)\n    net.load_state_dict(torch.load(sys.argv[1]))\n    print(net.noise.sum())\n";
    let r = assess(&[("model.py", model), ("predict.py", predict)]);
    assert_eq!(status(&r, "1.3"), "fail", "{}", notes(&r, "1.3"));
}
