"""Stage 3 (runs in src/): scores the model and writes ../metrics.json."""

import json


def main():
    with open("../data/prepared.json") as f:
        data = json.load(f)
    with open("../model.json") as f:
        model = json.load(f)
    errors = [(model["a"] * x + model["b"] - y) ** 2 for x, y in zip(data["x"], data["y"])]
    with open("../metrics.json", "w") as f:
        json.dump({"mse": sum(errors) / len(errors)}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
