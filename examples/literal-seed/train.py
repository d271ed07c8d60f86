"""Fit a linear regression of house prices with mini-batch gradient descent."""

import csv
import json
import math
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent


def load(path, target):
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        names = [c for c in reader.fieldnames if c != target]
        rows = [([float(r[c]) for c in names], float(r[target])) for r in reader]
    return names, rows


def scale(rows):
    cols = list(zip(*(x for x, _ in rows)))
    mean = [sum(c) / len(c) for c in cols]
    std = [math.sqrt(sum((v - m) ** 2 for v in c) / len(c)) for c, m in zip(cols, mean)]
    return mean, std


def apply_scale(rows, mean, std):
    return [([(v - m) / s for v, m, s in zip(x, mean, std)], y) for x, y in rows]


def predict(w, b, x):
    return sum(wi * xi for wi, xi in zip(w, x)) + b


def train(rows, lr, epochs, batch_size):
    w = [0.0] * len(rows[0][0])
    b = sum(y for _, y in rows) / len(rows)
    rows = list(rows)
    for _ in range(epochs):
        random.shuffle(rows)
        for i in range(0, len(rows), batch_size):
            batch = rows[i:i + batch_size]
            gw = [0.0] * len(w)
            gb = 0.0
            for x, y in batch:
                err = predict(w, b, x) - y
                gw = [g + err * xi for g, xi in zip(gw, x)]
                gb += err
            w = [wi - lr * g / len(batch) for wi, g in zip(w, gw)]
            b -= lr * gb / len(batch)
    return w, b


def evaluate(w, b, rows):
    errs = [predict(w, b, x) - y for x, y in rows]
    mean_y = sum(y for _, y in rows) / len(rows)
    ss_tot = sum((y - mean_y) ** 2 for _, y in rows)
    ss_res = sum(e * e for e in errs)
    return {"rmse": math.sqrt(ss_res / len(rows)), "r2": 1.0 - ss_res / ss_tot}


if __name__ == "__main__":
    random.seed(42)
    cfg = json.loads((HERE / "config.json").read_text(encoding="utf-8"))

    names, data = load(HERE / cfg["data_path"], cfg["target_column"])
    random.shuffle(data)
    n_test = int(len(data) * cfg["test_fraction"])
    test, train_rows = data[:n_test], data[n_test:]
    mean, std = scale(train_rows)
    train_rows, test = apply_scale(train_rows, mean, std), apply_scale(test, mean, std)

    w, b = train(train_rows, lr=0.05, epochs=20, batch_size=cfg["batch_size"])

    out = HERE / cfg["output_dir"]
    out.mkdir(exist_ok=True)
    model = {"features": names, "weights": w, "bias": b, "mean": mean, "std": std}
    metrics = {"train": evaluate(w, b, train_rows), "test": evaluate(w, b, test)}
    (out / "model.json").write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    print("test rmse=%.2f r2=%.3f" % (metrics["test"]["rmse"], metrics["test"]["r2"]))
