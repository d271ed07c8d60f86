#!/usr/bin/env bash
# Device check (run by hand on a GPU machine): verify on a real PyTorch CUDA
# run. A seeded, deterministic training run should be bit_exact; a run using
# a CUDA op with atomic adds (index_add_) should show run-to-run float noise.
# Needs torch and numpy already installed; the tests never depend on this.
set -uo pipefail
bin="${1:-target/release/reproscale}"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
python3 -c 'import torch, numpy; print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())' || { echo "torch not installed: nothing to check"; exit 0; }
work=$(mktemp -d)
for variant in deterministic atomic; do
  p="$work/$variant"; mkdir -p "$p"
  cat > "$p/config.json" <<JSON
{"seed": 7, "epochs": 3, "lr": 0.05, "n": 4096}
JSON
  cat > "$p/train.py" <<PY
import json, os
import numpy as np
import torch

cfg = json.load(open("config.json"))
torch.manual_seed(cfg["seed"])
np.random.seed(cfg["seed"])
torch.backends.cudnn.benchmark = False
torch.use_deterministic_algorithms("$variant" == "deterministic", warn_only=True)
dev = torch.device("cuda")
x = torch.randn(cfg["n"], 64, device=dev)
y = (x[:, :1] > 0).float()
model = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1)).to(dev)
opt = torch.optim.SGD(model.parameters(), lr=cfg["lr"])
for epoch in range(cfg["epochs"]):
    opt.zero_grad()
    loss = torch.nn.functional.binary_cross_entropy_with_logits(model(x), y)
    loss.backward()
    opt.step()
if "$variant" == "atomic":
    # index_add_ on CUDA floats accumulates with atomics: order varies run to run.
    acc = torch.zeros(8, device=dev)
    idx = torch.randint(0, 8, (1 << 20,), device=dev, generator=torch.Generator(device=dev).manual_seed(1))
    acc.index_add_(0, idx, torch.rand(1 << 20, device=dev, generator=torch.Generator(device=dev).manual_seed(2)))
    extra = acc.cpu().numpy()
else:
    extra = np.zeros(8, dtype=np.float32)
os.makedirs("out", exist_ok=True)
np.save("out/weights.npy", model[0].weight.detach().cpu().numpy())
np.save("out/acc.npy", extra)
json.dump({"loss": float(loss), "acc0": float(extra[0])}, open("out/metrics.json", "w"))
PY
  printf 'run = "python3 train.py"\n' > "$p/reproscale.toml"
  echo "=== $variant: verify"
  timeout 300 "$bin" verify "$p" --format json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("verdict:", d["verdict"], "| failure:", (d.get("failure") or "")[:300])
for a in d["artifacts"]:
    print(" ", a["path"], a["verdict"], "max_abs", a["max_abs_diff"], "differing", a["differing_elements"], "first", a["first_difference"])
for p in d["probes"]:
    print("  probe", p["kind"], p["param"], p["verdict"])
print("  gpu:", d["fingerprint"].get("gpu"))
'
  echo "=== $variant: assess (4.3 hardware, 3.4 stages)"
  "$bin" assess "$p" --format json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
for c in d["criteria"]:
    if c["id"] in ("1.3", "3.4", "4.3"):
        print(" ", c["id"], c["status"], "-", c["summary"])
'
done
rm -rf "$work"
