"""Stage 2: fits y = a*x + b by least squares and writes model.json."""

import json


def main():
    with open("data/prepared.json") as f:
        data = json.load(f)
    xs, ys = data["x"], data["y"]
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    a = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    b = my - a * mx
    with open("model.json", "w") as f:
        json.dump({"a": a, "b": b}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
