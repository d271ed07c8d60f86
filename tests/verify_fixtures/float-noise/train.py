"""Metrics carrying unseeded noise below 1e-13: far inside the float64 tolerance.

Three noisy metrics, so that two runs differ somewhere even if one value
happens to round to the same double.
"""

import json
import os
import random


def noisy(base):
    return base + 1e-13 * random.random()


def main():
    metrics = {"accuracy": noisy(0.8125), "loss": noisy(0.0123), "f1": noisy(0.75), "n": 100}
    os.makedirs("out", exist_ok=True)
    with open("out/metrics.json", "w") as f:
        json.dump(metrics, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
