"""k-nearest-neighbours classifier for the petal measurements.

Nothing here is seeded and the data path is an absolute path on one laptop:
this is the anti-example.
"""

import csv
import json
import math
import os
import random
from collections import Counter

DATA = "/home/alice/data/train.csv"


def read_points(path):
    with open(path, newline="") as f:
        return [((float(r["petal_length"]), float(r["petal_width"])), r["species"])
                for r in csv.DictReader(f)]


def knn_predict(train, point, k):
    nearest = sorted(train, key=lambda item: math.dist(item[0], point))[:k]
    votes = Counter(label for _, label in nearest).most_common()
    best = [label for label, n in votes if n == votes[0][1]]
    return random.choice(best)  # ties broken at random


def main():
    points = read_points(DATA)
    random.shuffle(points)
    train, test = [], []
    for p in points:
        (train if random.random() < 0.8 else test).append(p)

    hits = sum(knn_predict(train, x, k=5) == y for x, y in test)
    metrics = {"train_rows": len(train), "test_rows": len(test),
               "accuracy": hits / max(len(test), 1)}

    os.makedirs("out", exist_ok=True)
    with open("out/model.json", "w") as f:
        json.dump({"k": 5, "points": [[list(x), y] for x, y in train]}, f)
    with open("out/metrics.json", "w") as f:
        json.dump(metrics, f, indent=2)
    print(metrics)


if __name__ == "__main__":
    main()
