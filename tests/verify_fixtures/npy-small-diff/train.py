"""Writes an array near 1 with unseeded noise below 1e-12: within float64 tolerance."""

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
    values = [1.0 + i / 64 + 1e-12 * random.random() for i in range(64)]
    os.makedirs("out", exist_ok=True)
    write_npy("out/weights.npy", values)
    with open("out/summary.json", "w") as f:
        json.dump({"count": len(values)}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
