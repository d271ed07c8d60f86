//! What the code asks of the machine: GPU/TPU use, distributed training,
//! heavy data and long training. Shared by 3.4 (is the project heavy?) and
//! 4.3 (does it rely on specific hardware?).

use super::evidence::{at, line};
use crate::assessment::Evidence;
use crate::facts::values::{Lit, Value};
use crate::facts::Facts;

/// Places where the code uses a GPU or TPU.
pub fn accelerator_use(facts: &Facts) -> Vec<Evidence> {
    let mut out = Vec::new();
    // A device flag's default (`--device cuda`): the calling file's own flag
    // first; a flag defined elsewhere counts when every definition of that
    // name defaults to a GPU.
    let mut defaults: std::collections::HashMap<&str, Option<(&str, &str)>> =
        std::collections::HashMap::new();
    for p in facts.python.iter().flat_map(|f| &f.cli_params) {
        let gpu = match &p.default {
            Some(Value::Lit(Lit::Str(d))) if names_gpu_device(d) => Some((
                p.flags.first().map_or(p.name.as_str(), String::as_str),
                d.as_str(),
            )),
            _ => None,
        };
        defaults
            .entry(p.name.as_str())
            .and_modify(|v| *v = v.and(gpu))
            .or_insert(gpu);
    }
    for f in &facts.python {
        if !facts.run_path.contains(&f.path) {
            continue;
        }
        for c in &f.calls {
            let name = c.name();
            let device_arg = c.args.iter().chain(
                c.kwargs
                    .iter()
                    .filter(|(k, _)| matches!(k.as_str(), "device" | "accelerator" | "device_map"))
                    .map(|(_, v)| v),
            );
            let mut gpu_default = None;
            let mentions_gpu = device_arg.into_iter().any(|v| match v {
                Value::Lit(Lit::Str(s)) => {
                    names_gpu_device(s) || s.eq_ignore_ascii_case("auto") && name != "to"
                }
                Value::Cli(flag) => {
                    let own = f.cli_params.iter().find(|p| &p.name == flag);
                    gpu_default = match own {
                        Some(p) => match &p.default {
                            Some(Value::Lit(Lit::Str(d))) if names_gpu_device(d) => Some((
                                p.flags.first().map_or(p.name.as_str(), String::as_str),
                                d.as_str(),
                            )),
                            _ => None,
                        },
                        None => defaults.get(flag.as_str()).copied().flatten(),
                    };
                    gpu_default.is_some()
                }
                _ => false,
            });
            let note = if name == "cuda" && !c.callee.starts_with("torch.cuda") {
                Some("moves tensors to a CUDA GPU (.cuda())".to_string())
            } else if c.callee == "torch.cuda.is_available" {
                Some("uses a CUDA GPU when one is present (torch.cuda.is_available())".to_string())
            } else if c.callee.starts_with("torch.cuda.")
                && name != "manual_seed"
                && name != "manual_seed_all"
            {
                Some(format!("calls {}()", c.callee))
            } else if matches!(
                c.callee.as_str(),
                "jax.pmap" | "jax.device_put_sharded" | "flax.jax_utils.replicate"
            ) {
                Some(format!(
                    "{}() spreads work over accelerator devices",
                    c.callee
                ))
            } else if matches!(
                name,
                "to" | "device" | "Trainer" | "Accelerator" | "from_pretrained"
            ) && mentions_gpu
            {
                Some(match gpu_default {
                    Some((flag, d)) => {
                        format!("{name}() on the device {flag}, which defaults to \"{d}\"")
                    }
                    None => format!("{}() on a GPU/TPU device", name),
                })
            } else if c.callee.starts_with("tensorflow.config") && name.contains("gpu")
                || matches!(
                    name,
                    "TPUStrategy" | "TPUEstimator" | "TPUClusterResolver" | "xla_device"
                )
                || c.callee.starts_with("jax.devices")
                    && c.args.first().and_then(Value::as_str) == Some("tpu")
            {
                Some(format!("calls {}()", c.callee))
            } else if matches!(c.kwarg("gpus"), Some(Value::Lit(Lit::Int(n))) if *n != 0) {
                Some(format!("{}(gpus=…)", name))
            } else {
                None
            };
            if let Some(note) = note {
                out.push(at(&f.path, c.loc, note));
            }
        }
    }
    for d in &facts.dockerfiles {
        for b in &d.bases {
            let tag = b.tag.clone().unwrap_or_default().to_ascii_lowercase();
            if b.image.to_ascii_lowercase().contains("nvidia/cuda")
                || tag
                    .split(['-', '_', '.'])
                    .any(|p| p == "gpu" || p.starts_with("cuda"))
            {
                out.push(line(
                    &d.path,
                    Some(b.line),
                    format!("the container is built for a GPU ({}:{tag})", b.image),
                ));
            }
        }
    }
    out.extend(gpu_infrastructure(facts).into_iter().map(|(e, _)| e));
    for c in &facts.configs {
        for k in &c.keys {
            let key = k
                .key
                .rsplit('.')
                .next()
                .unwrap_or(&k.key)
                .to_ascii_lowercase();
            let v = k.value.to_ascii_lowercase();
            if (key == "device" || key == "accelerator")
                && (v.starts_with("cuda") || v == "gpu" || v == "tpu")
                || (key == "gpus" || key == "n_gpu" || key == "num_gpus")
                    && v.parse::<i64>().is_ok_and(|n| n != 0)
            {
                out.push(line(
                    &c.path,
                    k.line,
                    format!("config `{}: {}` asks for a GPU/TPU", k.key, k.value),
                ));
            }
        }
    }
    out
}

/// GPU machines the project's infrastructure files ask for (see
/// [`crate::facts::gpu::GpuRequest`]), each with the instance type when one
/// is named, which identifies the GPU model.
pub fn gpu_infrastructure(facts: &Facts) -> Vec<(Evidence, Option<String>)> {
    facts
        .gpu_requests
        .iter()
        .map(|r| {
            let note = match &r.instance {
                Some(i) => format!("runs on GPU machines ({i})"),
                None => format!("asks for a GPU: {}", r.text),
            };
            (line(&r.path, Some(r.line), note), r.instance.clone())
        })
        .collect()
}

/// Evidence that running the project is resource-intensive (empty when light).
pub fn heaviness(facts: &Facts) -> Vec<Evidence> {
    let mut out: Vec<Evidence> = accelerator_use(facts).into_iter().take(3).collect();
    for f in &facts.python {
        if !facts.run_path.contains(&f.path) {
            continue;
        }
        for c in &f.calls {
            let distributed = c.callee.starts_with("torch.distributed.")
                || c.name() == "DistributedDataParallel"
                || c.callee.starts_with("horovod.")
                || c.callee.starts_with("deepspeed.")
                || c.name() == "MirroredStrategy";
            if distributed {
                out.push(at(
                    &f.path,
                    c.loc,
                    format!("distributed training: {}()", c.callee),
                ));
                break;
            }
        }
    }
    for inv in &facts.pipelines.invocations {
        let launcher = ["torchrun", "deepspeed", "accelerate", "horovodrun"]
            .iter()
            .any(|l| {
                inv.command
                    .split_whitespace()
                    .any(|w| w.rsplit('/').next() == Some(l))
            });
        if launcher {
            out.push(line(
                &inv.origin.path,
                inv.origin.line,
                "multi-process launcher",
            ));
        }
    }
    let tracked_bytes: u64 = facts
        .project
        .files
        .iter()
        .filter(|f| {
            crate::facts::config::DATA_DIRS
                .iter()
                .any(|d| f.path.starts_with(&format!("{d}/")))
        })
        .map(|f| f.size)
        .sum();
    if tracked_bytes > 100 * 1024 * 1024 {
        out.push(Evidence::file(
            ".",
            format!("{} MiB of data files in the project", tracked_bytes >> 20),
        ));
    }
    if facts.tracked_bytes > 100 * 1024 * 1024 {
        out.push(Evidence::file(
            ".",
            format!(
                "{} MiB of data tracked with git-lfs/DVC (sizes from the pointer files)",
                facts.tracked_bytes >> 20
            ),
        ));
    }
    // Many epochs of a pure-Python or sklearn fit are cheap; of a deep network, not.
    let deep = facts.python.iter().any(|f| {
        f.imports.iter().any(|i| {
            let top = i.module.split('.').next().unwrap_or("");
            matches!(
                top,
                "torch"
                    | "tensorflow"
                    | "keras"
                    | "jax"
                    | "flax"
                    | "lightning"
                    | "pytorch_lightning"
                    | "transformers"
                    | "mxnet"
                    | "paddle"
            )
        })
    });
    for c in facts.configs.iter().filter(|_| deep) {
        for k in &c.keys {
            let key = k
                .key
                .rsplit('.')
                .next()
                .unwrap_or(&k.key)
                .to_ascii_lowercase();
            if matches!(
                key.as_str(),
                "epochs" | "num_epochs" | "max_epochs" | "n_epochs" | "num_train_epochs"
            ) && k.value.parse::<f64>().is_ok_and(|n| n >= 50.0)
            {
                out.push(line(
                    &c.path,
                    k.line,
                    format!("long training: {} = {}", k.key, k.value),
                ));
            }
            if matches!(
                key.as_str(),
                "max_steps" | "total_steps" | "num_steps" | "max_iters"
            ) && k.value.parse::<f64>().is_ok_and(|n| n >= 100_000.0)
            {
                out.push(line(
                    &c.path,
                    k.line,
                    format!("long training: {} = {}", k.key, k.value),
                ));
            }
        }
    }
    out
}

/// A device string that names an accelerator (`cuda`, `cuda:0`, `gpu`, `/gpu:0`, `tpu`, `mps`).
fn names_gpu_device(s: &str) -> bool {
    let s = s.to_ascii_lowercase();
    s.starts_with("cuda") || s == "gpu" || s == "tpu" || s.starts_with("/gpu") || s == "mps"
}
