"""Never seeds its RNG: every run writes a different score."""

import json
import os
import random


def main():
    score = sum(random.random() for _ in range(10)) / 10
    os.makedirs("out", exist_ok=True)
    with open("out/metrics.json", "w") as f:
        json.dump({"accuracy": score}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
