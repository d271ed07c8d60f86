#!/usr/bin/env python3
"""Generate a synthetic, deterministic ML project for the reproscale speed benchmark.

    python3 scripts/gen_bench_project.py OUT_DIR [--files 10000] [--python 2000]
                                                 [--seed 1] [--broken 0] [--git]

The project looks like a large research code base: a `benchml` package of
Python modules (torch / numpy / sklearn / yaml code, seeding calls, data
loaders, hyper-parameter literals, argparse entry points, relative and
absolute imports between the generated modules), Hydra-style and plain
config files, notebooks, a dvc.yaml, a Makefile, a README, and data files
(csv, txt, json, png-like blobs) nested several levels under data/.

The same arguments always produce byte-identical files. Standard library
only (Python 3.11+). OUT_DIR must be missing or empty.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

# --------------------------------------------------------------------------
# Package layout: sub-package -> (its own sub-packages, module name stems)
# --------------------------------------------------------------------------

ROOT_PKG = "benchml"

THEMES = [
    ("models", ["vision", "text", "tabular", "heads"],
     ["resnet", "vit", "mlp", "encoder", "decoder", "attention", "backbone",
      "classifier", "unet", "lstm", "gnn", "mixer"]),
    ("data", ["loaders", "transforms", "samplers"],
     ["dataset", "loader", "sampler", "transforms", "collate", "splits",
      "cache", "download", "tokenize", "shards"]),
    ("training", ["callbacks", "schedulers"],
     ["trainer", "loop", "scheduler", "checkpoint", "early_stopping",
      "distributed", "amp", "grad_clip", "ema"]),
    ("evaluation", ["metrics", "reports"],
     ["metrics", "evaluate", "calibration", "confusion", "report",
      "bootstrap", "ranking"]),
    ("features", ["text", "image"],
     ["encoders", "scaling", "selection", "embeddings", "hashing", "binning"]),
    ("utils", ["io", "logs"],
     ["io", "logging_utils", "seed", "timer", "registry", "paths", "config",
      "hashing", "profiling"]),
    ("losses", [], ["focal", "contrastive", "label_smoothing", "dice", "triplet"]),
    ("optim", [], ["adamw", "lamb", "lookahead", "warmup", "sam"]),
    ("serving", ["api"], ["predict", "export", "onnx_export", "batcher", "server"]),
    ("experiments", ["ablations", "sweeps"],
     ["baseline", "ablation", "sweep", "hparam_search", "reproduce"]),
]

SCRIPT_STEMS = ["train", "evaluate", "preprocess", "featurize", "export_model",
                "predict", "sweep", "benchmark", "download_data", "finetune"]

IMPORT_LINES = {
    # stdlib
    "os": "import os",
    "json": "import json",
    "math": "import math",
    "random": "import random",
    "time": "import time",
    "logging": "import logging",
    "argparse": "import argparse",
    "glob": "import glob",
    "Path": "from pathlib import Path",
    "dataclass": "from dataclasses import dataclass, field",
    "typing": "from typing import Any, Dict, List, Optional, Tuple",
    "Counter": "from collections import Counter, defaultdict",
    # third party
    "np": "import numpy as np",
    "pd": "import pandas as pd",
    "torch": "import torch",
    "nn": "import torch.nn as nn",
    "F": "import torch.nn.functional as F",
    "data": "from torch.utils.data import DataLoader, Dataset",
    "yaml": "import yaml",
    "ensemble": "from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier",
    "model_selection": "from sklearn.model_selection import KFold, train_test_split",
    "skmetrics": "from sklearn.metrics import accuracy_score, f1_score, roc_auc_score",
    "tqdm": "from tqdm import tqdm",
    "tf": "import tensorflow as tf",
    "hf": "from transformers import AutoModel, AutoTokenizer, set_seed",
    "PIL": "from PIL import Image",
    "cv2": "import cv2",
    "mlflow": "import mlflow",
}
STDLIB_KEYS = ["os", "json", "math", "random", "time", "logging", "argparse",
               "glob", "Path", "dataclass", "typing", "Counter"]

WORDS = ("model data train loss batch epoch layer feature sample label token "
         "image text split seed metric score weight bias gradient optimizer "
         "schedule checkpoint shard cache vector matrix tensor embedding head "
         "encoder decoder attention dropout norm pool stride kernel channel "
         "signal noise baseline ablation run experiment result table figure").split()


def camel(name):
    return "".join(part.capitalize() for part in name.split("_"))


# --------------------------------------------------------------------------
# Python module content
# --------------------------------------------------------------------------

class Module:
    """One Python file to generate."""

    def __init__(self, relpath, package, name, kind):
        self.relpath = relpath      # path relative to OUT_DIR
        self.package = package      # tuple of package parts, () outside packages
        self.name = name            # module name (file stem)
        self.kind = kind            # "module", "init", "main", "test"
        self.exports = [f"build_{name}", camel(name)] if kind == "module" else []
        self.deps = []              # (Module, symbol)
        self.broken = False


class Ctx:
    """Collects imports and unique names while one module body is generated."""

    def __init__(self, rng):
        self.rng = rng
        self.imports = {}
        self.counter = 0

    def need(self, *keys):
        for key in keys:
            self.imports[key] = True

    def uid(self):
        self.counter += 1
        return self.counter

    def hp(self, key, literal):
        """A hyper-parameter: a literal at the call site or a config lookup."""
        if self.rng.random() < 0.5:
            return literal
        return f'cfg["{key}"]'


def seg_seed(c):
    n = c.uid()
    c.need("random", "np", "torch")
    variant = c.rng.randrange(5)
    if variant == 0:
        src = "seed"
        head = [f"def seed_everything_{n}(seed):"]
    elif variant == 1:
        src = '42'
        head = [f"def seed_everything_{n}():"]
    elif variant == 2:
        c.need("time")
        src = "int(time.time())"
        head = [f"def seed_everything_{n}():"]
    elif variant == 3:
        src = 'cfg["seed"]'
        head = [f"def seed_everything_{n}(cfg):"]
    else:
        src = "args.seed"
        head = [f"def seed_everything_{n}(args):"]
    lines = head + [
        '    """Seed every random number generator the run touches."""',
        f"    seed_value = {src}",
        "    random.seed(seed_value)",
        "    np.random.seed(seed_value)",
        "    torch.manual_seed(seed_value)",
    ]
    if c.rng.random() < 0.6:
        lines.append("    torch.cuda.manual_seed_all(seed_value)")
    if c.rng.random() < 0.3:
        c.need("os")
        lines.append('    os.environ["PYTHONHASHSEED"] = str(seed_value)')
    if c.rng.random() < 0.5:
        lines += ["    torch.backends.cudnn.deterministic = True",
                  "    torch.backends.cudnn.benchmark = False"]
    elif c.rng.random() < 0.3:
        lines.append("    torch.backends.cudnn.benchmark = True")
    if c.rng.random() < 0.3:
        lines.append("    torch.use_deterministic_algorithms(True)")
    lines.append("    return seed_value")
    return lines


def seg_config(c):
    n = c.uid()
    if c.rng.random() < 0.6:
        c.need("yaml")
        return [
            f"def load_config_{n}(path):",
            '    """Read a YAML config file into a dict."""',
            '    with open(path, "r", encoding="utf-8") as handle:',
            "        cfg = yaml.safe_load(handle)",
            '    cfg.setdefault("seed", 0)',
            "    return cfg",
        ]
    c.need("json", "Path")
    return [
        f"def load_config_{n}(path):",
        "    cfg = json.loads(Path(path).read_text())",
        '    for key in ("lr", "epochs", "batch_size"):',
        "        if key not in cfg:",
        '            raise KeyError(f"missing config key {key}")',
        "    return cfg",
    ]


def seg_network(c):
    n = c.uid()
    c.need("torch", "nn", "F")
    hidden = c.rng.choice([64, 128, 256, 512])
    depth = c.rng.randint(2, 5)
    dropout = c.hp("dropout", c.rng.choice(["0.1", "0.2", "0.5"]))
    lines = [
        f"class Block{n}(nn.Module):",
        f'    """A residual MLP block ({depth} layers)."""',
        "",
        f"    def __init__(self, cfg, in_features={hidden}, out_features={hidden}):",
        "        super().__init__()",
        "        self.layers = nn.ModuleList([",
    ]
    for i in range(depth):
        lines.append(f"            nn.Linear(in_features if {i} == 0 else out_features, out_features),")
    lines += [
        "        ])",
        f"        self.norm = nn.LayerNorm(out_features)",
        f"        self.dropout = nn.Dropout(p={dropout})",
        "",
        "    def forward(self, x):",
        "        residual = x",
        "        for layer in self.layers:",
        "            x = F.gelu(layer(x))",
        "            x = self.dropout(x)",
        "        return self.norm(x + residual)",
    ]
    return lines


def seg_dataset(c):
    n = c.uid()
    c.need("os", "torch", "data", "np")
    sort = c.rng.random() < 0.6
    use_glob = c.rng.random() < 0.3
    if use_glob:
        c.need("glob")
        listing = 'glob.glob(os.path.join(root, "**", "*.npy"), recursive=True)'
    else:
        listing = "os.listdir(root)"
    if sort:
        listing = f"sorted({listing})"
    return [
        f"class FolderDataset{n}(Dataset):",
        '    """Loads one .npy array per sample from a folder."""',
        "",
        "    def __init__(self, root, transform=None):",
        "        self.root = root",
        f"        self.files = [os.path.join(root, f) for f in {listing}]",
        "        self.transform = transform",
        "",
        "    def __len__(self):",
        "        return len(self.files)",
        "",
        "    def __getitem__(self, index):",
        "        array = np.load(self.files[index])",
        "        sample = torch.from_numpy(array).float()",
        "        if self.transform is not None:",
        "            sample = self.transform(sample)",
        "        label = int(os.path.basename(self.files[index]).split('_')[0])",
        "        return sample, label",
    ]


def seg_loader(c):
    n = c.uid()
    c.need("torch", "data")
    bs = c.hp("batch_size", c.rng.choice(["16", "32", "64", "128"]))
    workers = c.rng.choice(["0", "2", "4", "8"])
    extra = ""
    lines = [f"def make_loader_{n}(ds, cfg, train=True):"]
    if c.rng.random() < 0.4:
        lines += ["    generator = torch.Generator()",
                  '    generator.manual_seed(cfg["seed"])']
        extra = ", generator=generator"
    lines += [
        f"    return DataLoader(ds, batch_size={bs}, shuffle=train,",
        f"                      num_workers={workers}, pin_memory=True{extra})",
    ]
    return lines


def seg_sklearn(c):
    n = c.uid()
    c.need("ensemble", "model_selection", "skmetrics", "np")
    n_est = c.hp("n_estimators", c.rng.choice(["100", "200", "500"]))
    depth = c.hp("max_depth", c.rng.choice(["4", "8", "None"]))
    rs = c.rng.choice(["", ", random_state=42", ', random_state=cfg["seed"]', ", random_state=None"])
    split_rs = c.rng.choice(["", ", random_state=0", ', random_state=cfg["seed"]'])
    test_size = c.hp("test_size", c.rng.choice(["0.2", "0.25", "0.1"]))
    est = c.rng.choice(["RandomForestClassifier", "GradientBoostingClassifier"])
    if est == "GradientBoostingClassifier":
        depth_arg = f"learning_rate={c.hp('lr', '0.05')}"
    else:
        depth_arg = f"max_depth={depth}"
    return [
        f"def fit_tree_model_{n}(features, labels, cfg):",
        '    """Fit a tree ensemble and report held-out accuracy."""',
        "    x_train, x_test, y_train, y_test = train_test_split(",
        f"        features, labels, test_size={test_size}{split_rs})",
        f"    model = {est}(n_estimators={n_est}, {depth_arg}{rs})",
        "    model.fit(x_train, y_train)",
        "    predictions = model.predict(x_test)",
        "    scores = {",
        '        "accuracy": accuracy_score(y_test, predictions),',
        '        "f1": f1_score(y_test, predictions, average="macro"),',
        "    }",
        "    return model, scores",
    ]


def seg_train_loop(c):
    n = c.uid()
    c.need("torch", "nn", "logging")
    lr = c.hp("lr", c.rng.choice(["1e-3", "3e-4", "0.001", "0.01"]))
    wd = c.hp("weight_decay", c.rng.choice(["0.0", "1e-4", "0.01"]))
    epochs = c.rng.choice(['range(cfg["epochs"])', "range(10)", "range(100)",
                           'range(cfg["epochs"])'])
    opt = c.rng.choice(["Adam", "AdamW", "SGD"])
    momentum = f", momentum={c.hp('momentum', '0.9')}" if opt == "SGD" else ""
    lines = [
        f"def train_model_{n}(model, loader, cfg, device=\"cuda\"):",
        '    """Standard supervised training loop."""',
        "    model = model.to(device)",
        f"    optimizer = torch.optim.{opt}(model.parameters(), lr={lr}, weight_decay={wd}{momentum})",
        "    criterion = nn.CrossEntropyLoss()",
        "    history = []",
        f"    for epoch in {epochs}:",
        "        model.train()",
        "        running = 0.0",
        "        for inputs, targets in loader:",
        "            inputs, targets = inputs.to(device), targets.to(device)",
        "            optimizer.zero_grad()",
        "            loss = criterion(model(inputs), targets)",
        "            loss.backward()",
    ]
    if c.rng.random() < 0.4:
        lines.append(f"            torch.nn.utils.clip_grad_norm_(model.parameters(), {c.hp('clip', '1.0')})")
    lines += [
        "            optimizer.step()",
        "            running += loss.item()",
        "        history.append(running / max(len(loader), 1))",
        '        logging.info("epoch %d loss %.4f", epoch, history[-1])',
        "    return history",
    ]
    return lines


def seg_metrics(c):
    n = c.uid()
    c.need("np")
    return [
        f"def classification_metrics_{n}(y_true, y_pred, num_classes):",
        "    y_true = np.asarray(y_true)",
        "    y_pred = np.asarray(y_pred)",
        "    confusion = np.zeros((num_classes, num_classes), dtype=np.int64)",
        "    for t, p in zip(y_true, y_pred):",
        "        confusion[t, p] += 1",
        "    precision = np.diag(confusion) / np.maximum(confusion.sum(axis=0), 1)",
        "    recall = np.diag(confusion) / np.maximum(confusion.sum(axis=1), 1)",
        "    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)",
        "    return {",
        '        "accuracy": float((y_true == y_pred).mean()),',
        '        "macro_f1": float(f1.mean()),',
        '        "confusion": confusion.tolist(),',
        "    }",
    ]


def seg_augment(c):
    n = c.uid()
    c.need("np", "random", "torch")
    lines = [f"def augment_{n}(batch, strength=0.1):"]
    choice = c.rng.randrange(3)
    if choice == 0:
        lines += [
            "    noise = np.random.normal(0.0, strength, size=batch.shape)",
            "    if np.random.rand() < 0.5:",
            "        batch = batch[:, ::-1]",
            "    return batch + noise",
        ]
    elif choice == 1:
        lines += [
            "    order = list(range(len(batch)))",
            "    random.shuffle(order)",
            "    mask = torch.rand(batch.shape) > strength",
            "    return batch[order] * mask",
        ]
    else:
        c.need("time")
        lines += [
            "    rng = np.random.default_rng(int(time.time()))",
            "    jitter = rng.uniform(-strength, strength, size=batch.shape)",
            "    perm = torch.randperm(len(batch))",
            "    return batch[perm] + torch.as_tensor(jitter)",
        ]
    return lines


def seg_helper(c):
    n = c.uid()
    choice = c.rng.randrange(6)
    if choice == 0:
        c.need("math")
        return [
            f"def normalise_{n}(values, eps=1e-8):",
            '    """Scale values to zero mean and unit variance."""',
            "    mean = sum(values) / max(len(values), 1)",
            "    var = sum((v - mean) ** 2 for v in values) / max(len(values), 1)",
            "    return [(v - mean) / math.sqrt(var + eps) for v in values]",
        ]
    if choice == 1:
        return [
            f"def chunked_{n}(items, size):",
            '    """Yield successive chunks of `items`."""',
            "    chunk = []",
            "    for item in items:",
            "        chunk.append(item)",
            "        if len(chunk) == size:",
            "            yield chunk",
            "            chunk = []",
            "    if chunk:",
            "        yield chunk",
        ]
    if choice == 2:
        c.need("Counter")
        return [
            f"def build_vocab_{n}(texts, min_count=2):",
            "    counts = Counter(word for text in texts for word in text.lower().split())",
            "    vocab = {\"<pad>\": 0, \"<unk>\": 1}",
            "    for word, count in sorted(counts.items()):",
            "        if count >= min_count:",
            "            vocab[word] = len(vocab)",
            "    return vocab",
        ]
    if choice == 3:
        c.need("time", "logging")
        return [
            f"class Timer{n}:",
            '    """Context manager that logs elapsed wall time."""',
            "",
            "    def __init__(self, label):",
            "        self.label = label",
            "        self.start = None",
            "",
            "    def __enter__(self):",
            "        self.start = time.perf_counter()",
            "        return self",
            "",
            "    def __exit__(self, *exc):",
            '        logging.info("%s took %.3fs", self.label, time.perf_counter() - self.start)',
            "        return False",
        ]
    if choice == 4:
        c.need("json", "os")
        return [
            f"def save_json_{n}(obj, path):",
            "    os.makedirs(os.path.dirname(path) or \".\", exist_ok=True)",
            "    tmp = path + \".tmp\"",
            "    with open(tmp, \"w\", encoding=\"utf-8\") as handle:",
            "        json.dump(obj, handle, indent=2, sort_keys=True)",
            "    os.replace(tmp, path)",
        ]
    word = c.rng.choice(WORDS)
    return [
        f"def merge_{word}_stats_{n}(left, right):",
        "    merged = dict(left)",
        "    for key, value in right.items():",
        "        if key in merged and isinstance(value, (int, float)):",
        "            merged[key] = merged[key] + value",
        "        else:",
        "            merged[key] = value",
        "    return merged",
    ]


def seg_dataclass(c):
    n = c.uid()
    c.need("dataclass", "typing")
    return [
        "@dataclass",
        f"class TrainConfig{n}:",
        "    lr: float = 3e-4",
        "    epochs: int = 20",
        "    batch_size: int = 64",
        "    weight_decay: float = 0.01",
        "    seed: int = 1234",
        "    data_dir: str = \"data/processed\"",
        "    tags: List[str] = field(default_factory=list)",
        "    extra: Optional[Dict[str, Any]] = None",
    ]


def seg_tf(c):
    n = c.uid()
    c.need("tf")
    seed = c.rng.choice(['cfg["seed"]', "7", ""])
    lines = [f"def build_keras_model_{n}(cfg, num_classes):"]
    if seed:
        lines.append(f"    tf.random.set_seed({seed})")
    lines += [
        "    model = tf.keras.Sequential([",
        f"        tf.keras.layers.Dense({c.rng.choice([64, 128, 256])}, activation=\"relu\"),",
        f"        tf.keras.layers.Dropout({c.hp('dropout', '0.3')}),",
        "        tf.keras.layers.Dense(num_classes, activation=\"softmax\"),",
        "    ])",
        f"    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate={c.hp('lr', '1e-3')}),",
        "                  loss=\"sparse_categorical_crossentropy\", metrics=[\"accuracy\"])",
        "    return model",
    ]
    return lines


def seg_hf(c):
    n = c.uid()
    c.need("hf")
    return [
        f"def load_pretrained_{n}(cfg):",
        '    set_seed(cfg["seed"])',
        '    name = cfg.get("model_name", "bert-base-uncased")',
        "    tokenizer = AutoTokenizer.from_pretrained(name)",
        "    model = AutoModel.from_pretrained(name)",
        "    return tokenizer, model",
    ]


def seg_pandas(c):
    n = c.uid()
    c.need("pd", "np")
    path = c.rng.choice(['cfg["data_path"]', '"data/processed/train.csv"',
                         '"/home/researcher/datasets/train.csv"', 'cfg["data_path"]'])
    sample_rs = c.rng.choice(["", ", random_state=0", ', random_state=cfg["seed"]'])
    return [
        f"def load_table_{n}(cfg):",
        f"    frame = pd.read_csv({path})",
        "    frame = frame.dropna().reset_index(drop=True)",
        "    numeric = frame.select_dtypes(include=[np.number]).columns",
        "    frame[numeric] = (frame[numeric] - frame[numeric].mean()) / frame[numeric].std()",
        f"    frame = frame.sample(frac=1.0{sample_rs})",
        "    return frame",
    ]


def seg_tracking(c):
    n = c.uid()
    c.need("mlflow")
    return [
        f"def log_run_{n}(cfg, metrics):",
        '    with mlflow.start_run(run_name=cfg.get("name")):',
        "        mlflow.log_params({k: v for k, v in cfg.items() if not isinstance(v, dict)})",
        "        for key, value in metrics.items():",
        "            mlflow.log_metric(key, value)",
    ]


SEGMENTS = [
    (seg_seed, 3), (seg_config, 3), (seg_network, 4), (seg_dataset, 3),
    (seg_loader, 3), (seg_sklearn, 3), (seg_train_loop, 3), (seg_metrics, 3),
    (seg_augment, 2), (seg_helper, 10), (seg_dataclass, 1), (seg_tf, 1),
    (seg_hf, 1), (seg_pandas, 2), (seg_tracking, 1),
]
SEG_FUNCS = [s for s, _ in SEGMENTS]
SEG_WEIGHTS = [w for _, w in SEGMENTS]


def core_segment(c, mod):
    """The class and builder every regular module exports."""
    cls, builder = camel(mod.name), f"build_{mod.name}"
    if c.rng.random() < 0.5:
        c.need("torch", "nn")
        width = c.rng.choice([32, 64, 128, 256, 768])
        return [
            f"class {cls}(nn.Module):",
            f'    """{mod.name.replace("_", " ").capitalize()} component."""',
            "",
            "    def __init__(self, cfg):",
            "        super().__init__()",
            "        self.cfg = cfg",
            f"        self.proj = nn.Linear(cfg.get(\"in_features\", {width}), cfg.get(\"hidden\", {width}))",
            "",
            "    def forward(self, x):",
            "        return torch.relu(self.proj(x))",
            "",
            "",
            f"def {builder}(cfg):",
            f"    return {cls}(cfg)",
        ]
    c.need("logging")
    return [
        f"class {cls}:",
        f'    """{mod.name.replace("_", " ").capitalize()} helper."""',
        "",
        "    def __init__(self, cfg):",
        "        self.cfg = dict(cfg)",
        "        self.log = logging.getLogger(__name__)",
        "",
        "    def __call__(self, batch):",
        '        self.log.debug("processing batch of %d", len(batch))',
        "        return [item for item in batch if item is not None]",
        "",
        "",
        f"def {builder}(cfg):",
        f"    return {cls}(cfg)",
    ]


def main_segment(c, mod):
    c.need("argparse", "logging")
    stem = mod.name
    lines = [
        "def parse_args(argv=None):",
        f'    parser = argparse.ArgumentParser(description="{stem.replace("_", " ")} entry point")',
        '    parser.add_argument("--config", default="conf/config.yaml")',
        '    parser.add_argument("--seed", type=int, default=0)',
        '    parser.add_argument("--output-dir", default="outputs")',
    ]
    if c.rng.random() < 0.5:
        lines.append(f'    parser.add_argument("--lr", type=float, default={c.rng.choice(["1e-3", "0.01", "3e-4"])})')
    if c.rng.random() < 0.5:
        lines.append(f'    parser.add_argument("--epochs", type=int, default={c.rng.choice([5, 10, 50])})')
    lines += [
        '    parser.add_argument("--device", default="cuda")',
        "    return parser.parse_args(argv)",
        "",
        "",
        "def main(argv=None):",
        "    args = parse_args(argv)",
        "    logging.basicConfig(level=logging.INFO)",
        '    logging.info("running %s with %s", __file__, vars(args))',
    ]
    for dep, symbol in mod.deps[:2]:
        if symbol.startswith("build_"):
            lines.append(f"    component = {symbol}(vars(args))")
            lines.append('    logging.info("built %s", type(component).__name__)')
    lines += [
        "    return 0",
        "",
        "",
        'if __name__ == "__main__":',
        "    raise SystemExit(main())",
    ]
    return lines


def import_line(mod, dep, symbol, rng):
    """An import statement from `mod` to `dep`, relative where natural."""
    a, b = mod.package, dep.package
    if a and b and a[0] == b[0] and rng.random() < 0.55:
        common = 0
        while common < min(len(a), len(b)) and a[common] == b[common]:
            common += 1
        up = len(a) - common
        if up <= 2:
            target = ".".join(b[common:] + (dep.name,))
            return f"from {'.' * (up + 1)}{target} import {symbol}"
    return f"from {'.'.join(b + (dep.name,))} import {symbol}"


def render_imports(c, mod, rng):
    std = [IMPORT_LINES[k] for k in STDLIB_KEYS if k in c.imports]
    third = sorted(IMPORT_LINES[k] for k in c.imports if k not in STDLIB_KEYS)
    local = [import_line(mod, dep, sym, rng) for dep, sym in mod.deps]
    out = []
    for group in (std, third, local):
        if group:
            out += group + [""]
    return out


def module_source(mod, rng):
    c = Ctx(rng)
    title = mod.name.replace("_", " ")
    doc = [f'"""{title.capitalize()}: {rng.choice(WORDS)} and {rng.choice(WORDS)} utilities.', ""]
    doc += [f"Part of the {ROOT_PKG} research code base. Generated for benchmarking.", '"""', ""]

    if mod.kind == "init":
        body = []
        if mod.deps:
            body.append("")
            body.append("__all__ = [" + ", ".join(f'"{s}"' for _, s in mod.deps) + "]")
        body.append(f'__version__ = "0.{rng.randint(1, 9)}.{rng.randint(0, 20)}"')
        return "\n".join(doc + render_imports(c, mod, rng) + body) + "\n"

    target = rng.randint(30, 200)
    reserve = 35 if mod.kind == "main" else 5 * len(mod.deps) if mod.kind == "test" else 0
    chunks = []
    if mod.kind == "module":
        chunks.append(core_segment(c, mod))

    def estimate(extra=0):  # docstring + import block + body so far
        body = sum(len(ch) + 2 for ch in chunks) + extra
        return len(doc) + len(c.imports) + len(mod.deps) + 4 + body + reserve

    while estimate() < target:
        seg = rng.choices(SEG_FUNCS, SEG_WEIGHTS)[0](c)
        if estimate(len(seg) + 2) > 196 and estimate() >= 36:
            break
        chunks.append(seg)
    if mod.kind == "test":
        for dep, symbol in mod.deps:
            n = c.uid()
            if symbol.startswith("build_"):
                chunks.append([f"def test_{symbol}_{n}():",
                               f'    obj = {symbol}({{"in_features": 8, "hidden": 8}})',
                               "    assert obj is not None"])
            else:
                chunks.append([f"def test_{symbol.lower()}_{n}():",
                               f"    assert callable({symbol})"])
    if mod.kind == "main":
        chunks.append(main_segment(c, mod))
    if c.imports.get("logging") and rng.random() < 0.5:
        chunks.insert(0, ["LOGGER = logging.getLogger(__name__)"])

    body = []
    for chunk in chunks:
        body += chunk + ["", ""]
    text = "\n".join(doc + render_imports(c, mod, rng) + [""] + body).rstrip() + "\n"
    if mod.broken:
        text += BROKEN[rng.randrange(len(BROKEN))]
    return text


BROKEN = [
    "\n\ndef unfinished(cfg:\n    return cfg\n",
    "\n\nresult = compute(1, 2\nprint(result)\n",
    "\n\nclass Half\n    pass\n",
    "\n\nif True:\nprint('bad indent')\n",
]


# --------------------------------------------------------------------------
# Planning the Python files
# --------------------------------------------------------------------------

def plan_python(rng, total, broken):
    packages = [(ROOT_PKG,)]
    stems_of = {(ROOT_PKG,): ["core", "registry", "constants", "types"]}
    for theme, subs, stems in THEMES:
        packages.append((ROOT_PKG, theme))
        stems_of[(ROOT_PKG, theme)] = stems
        for sub in subs:
            packages.append((ROOT_PKG, theme, sub))
            stems_of[(ROOT_PKG, theme, sub)] = stems
    n_pkg = max(1, min(len(packages), total // 20)) if total > 0 else 0
    packages = packages[:n_pkg]
    n_main = max(1, round(total * 0.05)) if total > n_pkg else 0
    n_test = total // 25
    n_mod = max(0, total - n_pkg - n_main - n_test)

    mods = []
    used = {}

    def fresh(pkg, stem):
        key = (pkg, stem)
        used[key] = used.get(key, 0) + 1
        return stem if used[key] == 1 else f"{stem}_{used[key]}"

    for i in range(n_mod):
        pkg = packages[i % len(packages)] if i < len(packages) else rng.choice(packages)
        name = fresh(pkg, rng.choice(stems_of[pkg]))
        path = "src/" + "/".join(pkg) + f"/{name}.py"
        mods.append(Module(path, pkg, name, "module"))

    # entry points: most under scripts/, some inside the package (python -m)
    mains = []
    for i in range(n_main):
        if i % 4 == 3:
            pkg = rng.choice(packages)
            name = fresh(pkg, rng.choice(["cli", "run", "main", "launch"]))
            mains.append(Module("src/" + "/".join(pkg) + f"/{name}.py", pkg, name, "main"))
        else:
            name = fresh((), rng.choice(SCRIPT_STEMS))
            mains.append(Module(f"scripts/{name}.py", (), name, "main"))
    if mains:  # a conventional top-level train.py
        mains[0] = Module("train.py", (), "train", "main")

    tests = []
    for i in range(n_test):
        target = rng.choice(mods) if mods else None
        name = fresh(("tests",), f"test_{target.name if target else 'smoke'}")
        tests.append(Module(f"tests/{name}.py", (), name, "test"))

    # imports between modules: only from earlier modules, so no cycles
    for idx, mod in enumerate(mods):
        if idx == 0:
            continue
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
            dep = mods[rng.randrange(max(0, idx - 300), idx)]
            if dep is not mod and all(d is not dep for d, _ in mod.deps):
                mod.deps.append((dep, rng.choice(dep.exports)))
    for mod in mains + tests:
        for _ in range(rng.randint(1, 3)):
            if mods:
                dep = rng.choice(mods)
                if all(d is not dep for d, _ in mod.deps):
                    mod.deps.append((dep, dep.exports[0]))

    inits = []
    by_pkg = {}
    for mod in mods:
        by_pkg.setdefault(mod.package, []).append(mod)
    for pkg in packages:
        init = Module("src/" + "/".join(pkg) + "/__init__.py", pkg, "__init__", "init")
        for mod in by_pkg.get(pkg, [])[: rng.randint(0, 4)]:
            init.deps.append((mod, mod.exports[1]))
        inits.append(init)

    files = inits + mods + mains + tests
    candidates = [m for m in files if m.kind in ("module", "main")]
    for mod in rng.sample(candidates, min(broken, len(candidates))):
        mod.broken = True
    return files


# --------------------------------------------------------------------------
# Configs, notebooks, pipeline files
# --------------------------------------------------------------------------

def yaml_dump(obj, indent=0):
    """Minimal YAML writer for dicts of scalars, lists and dicts."""
    pad = "  " * indent
    out = []
    for key, value in obj.items():
        if isinstance(value, dict):
            out.append(f"{pad}{key}:")
            out.append(yaml_dump(value, indent + 1))
        elif isinstance(value, list):
            out.append(f"{pad}{key}:")
            for item in value:
                if isinstance(item, dict):
                    first = True
                    for k, v in item.items():
                        out.append(f"{pad}  {'- ' if first else '  '}{k}: {scalar(v)}")
                        first = False
                else:
                    out.append(f"{pad}  - {scalar(item)}")
        else:
            out.append(f"{pad}{key}: {scalar(value)}")
    return "\n".join(out)


def scalar(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def config_files(rng):
    files = {}
    groups = {
        "model": ["resnet", "vit", "mlp", "lstm", "bert"],
        "optimizer": ["adam", "sgd", "adamw"],
        "data": ["cifar", "imagenet", "tabular", "text"],
        "trainer": ["default", "fast", "ddp"],
    }
    files["conf/config.yaml"] = yaml_dump({
        "defaults": [{"model": "resnet"}, {"optimizer": "adam"}, {"data": "cifar"},
                     {"trainer": "default"}, "_self_"],
        "seed": 1234,
        "output_dir": "outputs/${now:%Y-%m-%d}",
        "experiment": {"name": "baseline", "tags": ["bench", "synthetic"]},
    }) + "\n"
    for group, names in groups.items():
        for name in names:
            body = {"_target_": f"{ROOT_PKG}.{'models' if group == 'model' else group}.{name}.build"}
            if group == "model":
                body.update(hidden=rng.choice([128, 256, 512, 768]), layers=rng.randint(2, 24),
                            dropout=rng.choice([0.0, 0.1, 0.2]))
            elif group == "optimizer":
                body.update(lr=rng.choice([1e-3, 3e-4, 0.1]), weight_decay=rng.choice([0.0, 1e-4, 0.01]))
                if name == "sgd":
                    body["momentum"] = 0.9
            elif group == "data":
                body.update(path=f"data/processed/{name}", batch_size=rng.choice([32, 64, 128, 256]),
                            num_workers=rng.choice([2, 4, 8]), val_fraction=0.1)
            else:
                body.update(epochs=rng.choice([10, 50, 90]), precision=rng.choice([16, 32]),
                            devices=rng.choice([1, 4, 8]), accelerator="gpu")
            files[f"conf/{group}/{name}.yaml"] = yaml_dump(body) + "\n"
    for i in range(1, 6):
        files[f"conf/experiment/exp_{i:02d}.yaml"] = "# @package _global_\n" + yaml_dump({
            "defaults": [{"override /model": rng.choice(groups["model"])},
                         {"override /optimizer": rng.choice(groups["optimizer"])}],
            "seed": rng.randint(0, 10000),
            "trainer": {"epochs": rng.choice([5, 20, 100])},
        }) + "\n"
    files["params.yaml"] = yaml_dump({
        "prepare": {"split": 0.2, "seed": 20170428},
        "featurize": {"max_features": 200, "ngrams": 2},
        "train": {"seed": 20170428, "n_est": 50, "min_split": 0.01, "lr": 0.001,
                  "epochs": 30, "batch_size": 64},
    }) + "\n"
    files["configs/logging.yaml"] = yaml_dump({
        "version": 1,
        "handlers": {"console": {"class": "logging.StreamHandler", "level": "INFO"}},
        "root": {"level": "INFO", "handlers": ["console"]},
    }) + "\n"
    files["configs/deepspeed.json"] = json.dumps({
        "train_batch_size": 256, "gradient_accumulation_steps": 4,
        "fp16": {"enabled": True}, "zero_optimization": {"stage": 2},
    }, indent=2) + "\n"
    for i in range(1, 7):
        files[f"configs/sweep_{i:02d}.json"] = json.dumps({
            "method": rng.choice(["grid", "random", "bayes"]),
            "metric": {"name": "val/accuracy", "goal": "maximize"},
            "parameters": {
                "lr": {"values": [1e-4, 3e-4, 1e-3]},
                "batch_size": {"values": [32, 64, 128]},
                "seed": {"value": rng.randint(0, 9999)},
            },
        }, indent=2) + "\n"
    return files


def notebook(rng, idx):
    def code(cid, lines, count):
        return {"cell_type": "code", "execution_count": count, "id": cid, "metadata": {},
                "outputs": [], "source": [line + "\n" for line in lines[:-1]] + lines[-1:]}

    def md(cid, text):
        return {"cell_type": "markdown", "id": cid, "metadata": {}, "source": [text]}

    c = Ctx(rng)
    cells = [md(f"c{idx}-0", f"# Notebook {idx}: {rng.choice(WORDS)} {rng.choice(WORDS)} exploration")]
    first = ["%matplotlib inline"] if rng.random() < 0.7 else []
    if rng.random() < 0.4:
        first.append("!pip install -q torch scikit-learn")
    first += ["import numpy as np", "import pandas as pd", "import matplotlib.pyplot as plt"]
    cells.append(code(f"c{idx}-1", first, 1))
    for j in range(rng.randint(3, 7)):
        seg = rng.choices(SEG_FUNCS, SEG_WEIGHTS)[0](c)
        cells.append(code(f"c{idx}-{j + 2}", seg, j + 2))
        if rng.random() < 0.3:
            cells.append(md(f"c{idx}-{j + 2}m", f"Looking at the {rng.choice(WORDS)} distribution next."))
    cells.append(code(f"c{idx}-end", [
        "df = pd.read_csv(\"../data/processed/tables/2021/01/part-00000.csv\")",
        "df.describe()",
    ], None))
    nb = {"cells": cells,
          "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                      "name": "python3"},
                       "language_info": {"name": "python", "version": "3.10.12"}},
          "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(nb, indent=1) + "\n"


DVC_YAML = """\
stages:
  prepare:
    cmd: python scripts/preprocess.py --config conf/config.yaml
    deps:
      - scripts/preprocess.py
      - data/raw
    params:
      - prepare.split
      - prepare.seed
    outs:
      - data/prepared
  featurize:
    cmd: python scripts/featurize.py data/prepared data/features
    deps:
      - scripts/featurize.py
      - data/prepared
    params:
      - featurize.max_features
      - featurize.ngrams
    outs:
      - data/features
  train:
    cmd: python train.py --config conf/config.yaml
    deps:
      - train.py
      - data/features
    params:
      - train.seed
      - train.n_est
      - train.lr
    outs:
      - models/model.pt
  evaluate:
    cmd: python scripts/evaluate.py models/model.pt data/features
    deps:
      - scripts/evaluate.py
      - models/model.pt
      - data/features
    metrics:
      - eval/metrics.json:
          cache: false
    plots:
      - eval/plots/roc.json
"""

MAKEFILE = """\
PYTHON ?= python3
CONFIG ?= conf/config.yaml

.PHONY: all data features train evaluate test clean

all: evaluate

data:
\t$(PYTHON) scripts/preprocess.py --config $(CONFIG)

features: data
\t$(PYTHON) scripts/featurize.py data/prepared data/features

models/model.pt: features
\t$(PYTHON) train.py --config $(CONFIG)

train: models/model.pt

evaluate: models/model.pt
\t$(PYTHON) scripts/evaluate.py models/model.pt data/features

test:
\t$(PYTHON) -m pytest tests -q

clean:
\trm -rf data/prepared data/features models eval outputs
"""

README = """\
# benchml

Synthetic research code base generated by `scripts/gen_bench_project.py` for
the reproscale speed benchmark. It is not meant to run.

## Layout

- `src/benchml/` — the library (models, data, training, evaluation, ...)
- `scripts/` and `train.py` — entry points
- `conf/` — Hydra config (`conf/config.yaml` plus groups), `configs/` — sweeps
- `notebooks/` — exploration notebooks
- `dvc.yaml`, `params.yaml` — pipeline stages and their parameters
- `data/` — raw and processed data

## Data

`data/processed/tables/YYYY/MM/part-NNNNN.csv` columns:

| column | type |
|---|---|
| id | int |
| f0 .. f3 | float |
| label | int |

Images are PNG files under `data/raw/images/<split>/shard_NN/class_K/`;
annotations are JSON files under `data/annotations/<split>/batch_NNN/`.

## Training

    make train
    # or
    python train.py --config conf/config.yaml
"""

REQUIREMENTS = """\
numpy>=1.24
pandas>=2.0
torch==2.2.1
scikit-learn>=1.3
pyyaml
tqdm
transformers==4.38.2
tensorflow>=2.15
mlflow
pillow
opencv-python
hydra-core==1.3.2
"""


# --------------------------------------------------------------------------
# Data files
# --------------------------------------------------------------------------

PNG_MAGIC = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
PER_DIR = 40


def data_path(kind, k):
    leaf, i = divmod(k, PER_DIR)
    if kind == "png":
        split = ("train", "val", "test")[leaf % 3]
        return (f"data/raw/images/{split}/shard_{(leaf // 3) % 8:02d}/"
                f"class_{leaf // 24}/img_{k:06d}.png")
    if kind == "csv":
        return (f"data/processed/tables/{2019 + (leaf // 12) % 6}/{leaf % 12 + 1:02d}/"
                f"chunk_{leaf // 72:02d}/part-{k:05d}.csv")
    if kind == "txt":
        lang = ("en", "de", "fr", "es")[leaf % 4]
        return f"data/raw/text/{lang}/source_{(leaf // 4) % 5}/vol_{leaf // 20}/doc_{k:06d}.txt"
    split = ("train", "val")[leaf % 2]
    return f"data/annotations/{split}/batch_{leaf // 2:03d}/ann_{k:06d}.json"


def make_data(rng, count):
    """Yield (relpath, bytes) for `count` data files."""
    row_pool = [f"{i},{rng.gauss(0, 1):.5f},{rng.gauss(2, 3):.5f},{rng.random():.5f},"
                f"{rng.uniform(-50, 50):.3f},{rng.randrange(10)}" for i in range(3000)]
    sentences = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 18))).capitalize() + "."
                 for _ in range(400)]
    kinds = ["csv"] * 35 + ["txt"] * 25 + ["json"] * 15 + ["png"] * 25
    counters = {"csv": 0, "txt": 0, "json": 0, "png": 0}
    for _ in range(count):
        kind = rng.choice(kinds)
        k = counters[kind]
        counters[kind] += 1
        if kind == "csv":
            rows = rng.choices(row_pool, k=rng.randint(15, 110))
            payload = ("id,f0,f1,f2,f3,label\n" + "\n".join(rows) + "\n").encode()
        elif kind == "txt":
            payload = ("\n".join(rng.choices(sentences, k=rng.randint(4, 30))) + "\n").encode()
        elif kind == "json":
            anns = [{"bbox": [rng.randrange(600), rng.randrange(400), rng.randrange(1, 200),
                              rng.randrange(1, 200)],
                     "category_id": rng.randrange(80), "iscrowd": 0}
                    for _ in range(rng.randint(1, 25))]
            payload = (json.dumps({"image_id": k, "file_name": f"img_{k:06d}.png",
                                   "annotations": anns}) + "\n").encode()
        else:
            payload = PNG_MAGIC + rng.randbytes(rng.randint(1500, 7000))
        yield data_path(kind, k), payload


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Generate a deterministic synthetic ML project for benchmarking reproscale.")
    parser.add_argument("out_dir", metavar="OUT_DIR", help="directory to create (missing or empty)")
    parser.add_argument("--files", type=int, default=10000, help="total number of files (default 10000); data files fill what the "
                        "python, config, notebook and pipeline files leave")
    parser.add_argument("--python", type=int, default=2000, help="number of .py files (default 2000)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--broken", type=int, default=0,
                        help="number of .py files with a syntax error (default 0)")
    parser.add_argument("--git", action="store_true",
                        help="also git init and commit everything (fixed dates, reproducible commit)")
    args = parser.parse_args(argv)
    for name in ("files", "python", "broken"):
        if getattr(args, name) < 0:
            parser.error(f"--{name} must be >= 0")
    if args.broken > args.python:
        parser.error("--broken cannot exceed --python")
    return args


def main(argv=None):
    args = parse_args(argv)
    started = time.perf_counter()
    out = Path(args.out_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        print(f"error: {out} exists and is not an empty directory", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)

    made_dirs = set()
    totals = {"files": 0, "bytes": 0, "python": 0}

    def write(rel, payload):
        if isinstance(payload, str):
            payload = payload.encode("utf-8")
        path = out / rel
        parent = path.parent
        if parent not in made_dirs:
            parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(parent)
        with open(path, "wb") as handle:
            handle.write(payload)
        totals["files"] += 1
        totals["bytes"] += len(payload)
        if rel.endswith(".py"):
            totals["python"] += 1

    out.mkdir(parents=True, exist_ok=True)
    write("README.md", README)
    write("Makefile", MAKEFILE)
    write("dvc.yaml", DVC_YAML)
    write("requirements.txt", REQUIREMENTS)
    write(".gitignore", "outputs/\nmodels/\neval/\n__pycache__/\n*.pyc\n")

    for rel, text in config_files(rng).items():
        write(rel, text)

    for mod in plan_python(rng, args.python, args.broken):
        write(mod.relpath, module_source(mod, rng))

    n_notebooks = 10 if args.files >= 1000 else min(10, max(0, args.files // 100))
    for i in range(n_notebooks):
        write(f"notebooks/{i + 1:02d}_{rng.choice(WORDS)}_{rng.choice(WORDS)}.ipynb", notebook(rng, i + 1))

    for rel, payload in make_data(rng, max(0, args.files - totals["files"])):
        write(rel, payload)

    if args.git:
        env = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.invalid",
                   GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.invalid",
                   GIT_AUTHOR_DATE="2024-01-01T00:00:00Z", GIT_COMMITTER_DATE="2024-01-01T00:00:00Z")
        for cmd in (["git", "init", "-q"], ["git", "add", "-A"],
                    ["git", "commit", "-q", "--no-gpg-sign", "-m", "synthetic bench project"]):
            subprocess.run(cmd, cwd=out, env=env, check=True)

    elapsed = time.perf_counter() - started
    print(f"generated {out}: {totals['files']} files, {totals['python']} python files "
          f"({args.broken} broken), {totals['bytes']} bytes "
          f"({totals['bytes'] / 2**20:.1f} MiB) in {elapsed:.2f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
