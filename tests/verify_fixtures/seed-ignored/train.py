"""Seeds the RNG from the config, then never draws from it: the seed is not wired in."""

import json
import os
import random


def main():
    with open("config.json") as f:
        cfg = json.load(f)
    random.seed(cfg["seed"])
    squares = [i * i for i in range(10)]
    os.makedirs("out", exist_ok=True)
    with open("out/metrics.json", "w") as f:
        json.dump({"name": cfg["name"], "total": sum(squares)}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
