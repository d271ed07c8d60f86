"""Train a logistic-regression classifier with mini-batch SGD, in pure Python.

Every knob of the run lives in the config file (params.json by default):
nothing below hard-codes a hyper-parameter, a seed or a path.
"""

import argparse
import csv
import json
import math
import random
from pathlib import Path


def load_config(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def load_rows(csv_path, target_column):
    with open(csv_path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        feature_names = [name for name in reader.fieldnames if name != target_column]
        features, labels = [], []
        for row in reader:
            features.append([float(row[name]) for name in feature_names])
            labels.append(int(row[target_column]))
    return feature_names, features, labels


def split(features, labels, test_fraction, rng):
    order = list(range(len(labels)))
    rng.shuffle(order)
    n_test = int(round(len(order) * test_fraction))
    test_idx, train_idx = order[:n_test], order[n_test:]
    pick = lambda idx, seq: [seq[i] for i in idx]
    return (pick(train_idx, features), pick(train_idx, labels),
            pick(test_idx, features), pick(test_idx, labels))


def standardiser(rows):
    columns = list(zip(*rows))
    means = [sum(col) / len(col) for col in columns]
    stds = [math.sqrt(sum((v - m) ** 2 for v in col) / len(col)) or 1.0
            for col, m in zip(columns, means)]
    return means, stds


def standardise(rows, means, stds):
    return [[(v - m) / s for v, m, s in zip(row, means, stds)] for row in rows]


def sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def predict_proba(weights, bias, row):
    return sigmoid(sum(w * x for w, x in zip(weights, row)) + bias)


def train(features, labels, cfg, rng):
    weights = [0.0] * len(features[0])  # convex loss: zero init is standard
    bias = 0.0
    order = list(range(len(labels)))
    history = []
    for epoch in range(cfg["epochs"]):
        rng.shuffle(order)
        for start in range(0, len(order), cfg["batch_size"]):
            batch = order[start:start + cfg["batch_size"]]
            grad_w = [0.0] * len(weights)
            grad_b = 0.0
            for i in batch:
                error = predict_proba(weights, bias, features[i]) - labels[i]
                for j, x in enumerate(features[i]):
                    grad_w[j] += error * x
                grad_b += error
            scale = cfg["learning_rate"] / len(batch)
            weights = [w - scale * g - cfg["learning_rate"] * cfg["l2_penalty"] * w
                       for w, g in zip(weights, grad_w)]
            bias -= scale * grad_b
        history.append({"epoch": epoch + 1,
                        "train_log_loss": log_loss(weights, bias, features, labels)})
    return weights, bias, history


def log_loss(weights, bias, features, labels):
    eps = 1e-12
    total = 0.0
    for row, y in zip(features, labels):
        p = min(max(predict_proba(weights, bias, row), eps), 1.0 - eps)
        total -= y * math.log(p) + (1 - y) * math.log(1.0 - p)
    return total / len(labels)


def accuracy(weights, bias, features, labels, threshold):
    hits = sum(int(predict_proba(weights, bias, row) >= threshold) == y
               for row, y in zip(features, labels))
    return hits / len(labels)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="params.json",
                        help="path to the JSON config (default: params.json)")
    args = parser.parse_args()

    config_path = Path(args.config)
    cfg = load_config(config_path)
    base = config_path.resolve().parent  # relative paths are relative to the config

    random.seed(cfg["seed"])
    rng = random.Random(cfg["seed"])

    names, features, labels = load_rows(base / cfg["data_path"], cfg["target_column"])
    x_train, y_train, x_test, y_test = split(features, labels, cfg["test_fraction"], rng)
    means, stds = standardiser(x_train)
    x_train = standardise(x_train, means, stds)
    x_test = standardise(x_test, means, stds)

    weights, bias, history = train(x_train, y_train, cfg, rng)

    metrics = {
        "train_rows": len(y_train),
        "test_rows": len(y_test),
        "train_accuracy": accuracy(weights, bias, x_train, y_train, cfg["decision_threshold"]),
        "test_accuracy": accuracy(weights, bias, x_test, y_test, cfg["decision_threshold"]),
        "test_log_loss": log_loss(weights, bias, x_test, y_test),
        "history": history,
    }
    model = {
        "kind": "logistic_regression",
        "features": names,
        "target": cfg["target_column"],
        "weights": weights,
        "bias": bias,
        "standardise": {"mean": means, "std": stds},
        "config": cfg,
    }

    out_dir = base / cfg["output_dir"]
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, payload in (("model.json", model), ("metrics.json", metrics)):
        with open(out_dir / name, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, indent=2, sort_keys=True)
            handle.write("\n")
    print(f"test_accuracy={metrics['test_accuracy']:.4f} "
          f"test_log_loss={metrics['test_log_loss']:.4f} -> {out_dir}")


if __name__ == "__main__":
    main()
