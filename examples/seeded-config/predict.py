"""Score your own students with the trained model.

    python3 predict.py --model outputs/model.json --input my_students.csv

The input is a CSV with the model's feature columns (hours_studied,
hours_slept); the output adds a `passed_probability` column on stdout.
"""

import argparse
import csv
import json
import math
import sys


def sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="outputs/model.json", help="model written by train.py")
    parser.add_argument("--input", required=True, help="CSV with the feature columns")
    args = parser.parse_args()

    with open(args.model, encoding="utf-8") as handle:
        model = json.load(handle)
    means = model["standardise"]["mean"]
    stds = model["standardise"]["std"]

    with open(args.input, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        writer = csv.writer(sys.stdout)
        writer.writerow(model["features"] + ["passed_probability"])
        for row in reader:
            values = [float(row[name]) for name in model["features"]]
            scaled = [(v - m) / s for v, m, s in zip(values, means, stds)]
            z = model["bias"] + sum(w * x for w, x in zip(model["weights"], scaled))
            writer.writerow(values + [f"{sigmoid(z):.4f}"])


if __name__ == "__main__":
    main()
