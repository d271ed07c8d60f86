"""Stage 1: reads data/raw.csv and writes data/prepared.json."""

import csv
import json


def main():
    with open("data/raw.csv", newline="") as f:
        rows = [(float(r["x"]), float(r["y"])) for r in csv.DictReader(f)]
    with open("data/prepared.json", "w") as f:
        json.dump({"x": [r[0] for r in rows], "y": [r[1] for r in rows]}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
