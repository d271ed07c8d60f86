"""Reads epochs and lr from the config, but only epochs affects the outputs."""

import json
import os


def main():
    with open("config.json") as f:
        cfg = json.load(f)
    epochs = cfg["epochs"]
    lr = cfg["lr"]  # read, then never used
    loss = 1.0
    history = []
    for _ in range(epochs):
        loss = loss * 0.5
        history.append(loss)
    os.makedirs("out", exist_ok=True)
    with open("out/metrics.json", "w") as f:
        json.dump({"final_loss": loss, "history": history}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
