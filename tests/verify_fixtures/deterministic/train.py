"""A tiny seeded 'training' run: every output depends on seed, epochs and lr."""

import json
import os
import random
import struct


def write_npy(path, values):
    """Writes a 1-D float64 array in .npy format 1.0."""
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (%d,), }" % len(values)
    pad = 64 - (10 + len(header) + 1) % 64
    header = header + " " * (pad % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00")
        f.write(struct.pack("<H", len(header)))
        f.write(header.encode("latin1"))
        f.write(struct.pack("<%dd" % len(values), *values))


def main():
    with open("config.json") as f:
        cfg = json.load(f)
    random.seed(cfg["seed"])
    epochs = cfg["epochs"]
    lr = cfg["lr"]
    weights = [random.gauss(0.0, 1.0) for _ in range(16)]
    losses = []
    for _ in range(epochs):
        weights = [w - lr * (w - 0.5) for w in weights]
        losses.append(sum((w - 0.5) ** 2 for w in weights) / len(weights))
    os.makedirs("out", exist_ok=True)
    with open("out/metrics.json", "w") as f:
        json.dump({"epochs": epochs, "final_loss": losses[-1], "losses": losses}, f, indent=2, sort_keys=True)
        f.write("\n")
    write_npy("out/weights.npy", weights)


if __name__ == "__main__":
    main()
