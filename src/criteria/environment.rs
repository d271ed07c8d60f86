//! Stage 4, Environment: 4.1 package-list, 4.2 example-environment,
//! 4.3 hardware-documented.

use std::collections::{BTreeMap, BTreeSet};

use super::evidence::{at, line};
use super::Input;
use crate::assessment::{Evidence, Outcome, Status};
use crate::facts::docs::HardwareKind;
use crate::facts::import_map;
use crate::facts::packages::{self, PinLevel};
use crate::facts::Facts;

type Decided = (Outcome, Option<String>);

/// Conda package names that install a differently named pip distribution.
const CONDA_ALIASES: &[(&str, &str)] = &[
    ("pytorch", "torch"),
    ("pytorch-gpu", "torch"),
    ("pytorch-cpu", "torch"),
    ("tensorflow-gpu", "tensorflow"),
    ("tensorflow-cpu", "tensorflow"),
    ("py-opencv", "opencv-python"),
    ("opencv", "opencv-python"),
    ("libopencv", "opencv-python"),
    ("pillow-simd", "pillow"),
    ("faiss-gpu", "faiss-cpu"),
    ("jaxlib", "jax"),
];

/// Top-level module names that belong to the project itself.
fn local_modules(facts: &Facts) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for f in &facts.project.files {
        if !(f.path.ends_with(".py") || f.path.ends_with(".pyx") || f.path.ends_with(".so")) {
            continue;
        }
        for (i, seg) in f.path.split('/').enumerate() {
            let seg = seg.split('.').next().unwrap_or(seg);
            // Every folder and file name on the way can be a top-level module
            // (scripts import siblings; src/ layouts and sys.path tweaks move the root).
            if i == 0 || !seg.is_empty() {
                out.insert(seg.to_string());
            }
        }
    }
    out
}

/// Third-party imports on the run path: (top-level module, distribution, where).
fn third_party_imports(facts: &Facts) -> Vec<(String, String, Evidence)> {
    let local = local_modules(facts);
    let mut out = Vec::new();
    for f in &facts.python {
        if !facts.run_path.contains(&f.path) {
            continue;
        }
        for imp in &f.imports {
            if imp.level > 0 {
                continue;
            }
            let full = if imp.module.is_empty() {
                imp.name.clone().unwrap_or_default()
            } else {
                imp.module.clone()
            };
            let top = full.split('.').next().unwrap_or("").to_string();
            if top.is_empty()
                || import_map::is_stdlib(&top)
                || local.contains(&top)
                || top == "__future__"
                || import_map::is_ambiguous(&top)
            {
                continue;
            }
            let dist = import_map::dist_for(&top);
            let ev = at(
                &f.path,
                imp.loc,
                format!("import {top} needs `{dist}`, which no package list declares"),
            );
            out.push((top, dist, ev));
        }
    }
    out
}

/// 4.1: every package used is listed, pinned.
pub fn package_list(input: &Input) -> Decided {
    let facts = input.ctx.facts;
    let looked = [
        "requirements*.txt (with -r includes)",
        "environment.yml",
        "pyproject.toml (PEP 621, Poetry)",
        "Pipfile / Pipfile.lock",
        "setup.py / setup.cfg install_requires",
        "uv.lock, poetry.lock, conda-lock, pdm.lock",
    ];
    let files = &facts.packages;
    let third_party = third_party_imports(facts);
    if files.is_empty() && third_party.is_empty() {
        let o = Outcome::new(Status::NotApplicable, "the code on the run path imports only the Python standard library and the project's own modules")
            .looking_for(&["third-party imports on the run path"]);
        return (o, None);
    }
    if files.is_empty() {
        let o = Outcome::new(Status::Fail, "no package list found").looking_for(&looked);
        return (o, Some("Write the packages the code imports, with exact versions, to requirements.txt (`pip freeze` in a clean environment, trimmed to what is used).".into()));
    }
    // A setup.py without install_requires, an empty requirements.txt: a list
    // that declares nothing is no list for the imports the code makes.
    if !third_party.is_empty() && files.iter().all(|f| f.requirements.is_empty()) {
        let ev = files
            .iter()
            .map(|f| Evidence::file(&f.path, "package list that declares no packages"))
            .chain(third_party.iter().take(5).map(|(_, _, e)| e.clone()))
            .collect::<Vec<_>>();
        let o = Outcome::new(
            Status::Fail,
            "the package lists declare no packages, but the code imports third-party ones",
        )
        .with_evidence(ev)
        .looking_for(&looked);
        return (o, Some("Write the packages the code imports, with exact versions, to the package list (install_requires, requirements.txt).".into()));
    }
    let mut declared: BTreeSet<String> = BTreeSet::new();
    for f in files {
        for r in &f.requirements {
            declared.insert(r.name.clone());
            if let Some((_, pip)) = CONDA_ALIASES.iter().find(|(c, _)| *c == r.name) {
                declared.insert(pip.to_string());
            }
        }
    }
    let mut missing: BTreeMap<String, Evidence> = BTreeMap::new();
    let used = third_party.len();
    for (top, dist, ev) in third_party {
        let alternatives = import_map::alternatives(&dist);
        let covered = declared.contains(&dist)
            || declared.contains(&import_map::normalize(&top))
            || alternatives
                .iter()
                .any(|a| declared.contains(&import_map::normalize(a)));
        if !covered {
            missing.entry(dist).or_insert(ev);
        }
    }
    let level = packages::pin_level(files);
    let has_lock = files.iter().any(|f| f.is_lock);
    let mut ev: Vec<Evidence> = files
        .iter()
        .map(|f| {
            let kind = if f.is_lock {
                "lock file"
            } else {
                "package list"
            };
            Evidence::file(
                &f.path,
                format!("{kind} with {} requirement(s)", f.requirements.len()),
            )
        })
        .collect();
    let level_text = match level {
        PinLevel::L3 => "L3 (lock file or hashes)",
        PinLevel::L2 => "L2 (every requirement pinned with ==)",
        PinLevel::L1 => "L1 (version ranges)",
        PinLevel::L0 => "L0 (no versions)",
    };
    let pinned_elsewhere = packages::pinned_names(files);
    let unpinned: Vec<Evidence> = files
        .iter()
        .filter(|f| !f.is_lock)
        .flat_map(|f| {
            let pinned_elsewhere = &pinned_elsewhere;
            f.requirements
                .iter()
                .filter(move |r| !r.pinned && !pinned_elsewhere.contains(r.name.as_str()))
                .map(move |r| {
                    line(
                        &f.path,
                        r.line,
                        format!("`{}` is not pinned to one version", r.spec),
                    )
                })
        })
        .collect();
    if !missing.is_empty() {
        let first = missing.keys().next().cloned().unwrap_or_default();
        let n = missing.len();
        let mut o = Outcome::new(
            Status::Partial,
            format!("{n} imported package(s) are not listed; pinning {level_text}"),
        )
        .with_evidence(missing.into_values().collect::<Vec<_>>());
        o.evidence.extend(ev);
        o.looked_for = looked.iter().map(|s| s.to_string()).collect();
        return (
            o,
            Some(format!(
                "Add `{first}` (and the others listed) with exact versions to the package list."
            )),
        );
    }
    if level < PinLevel::L2 {
        let mut o = Outcome::new(
            Status::Partial,
            format!("every import is listed ({used} use(s)), but pinning is {level_text}"),
        )
        .with_evidence(unpinned);
        o.evidence.extend(ev);
        return (o, Some("Pin every requirement with `==` (or commit a lock file: uv.lock, poetry.lock, Pipfile.lock, conda-lock).".into()));
    }
    let mut o = Outcome::new(
        Status::Pass,
        format!("every import is listed; pinning {level_text}"),
    );
    if !has_lock && level == PinLevel::L2 {
        o.notes.push(Evidence::file(
            ev.first().map(|e| e.path.clone()).unwrap_or_default(),
            "top-level packages are pinned, but without a lock file their dependencies are not",
        ));
    }
    o.evidence.append(&mut ev);
    (o, None)
}

/// Whether a Python version string names one version (3.10 or 3.10.12), not a range.
fn is_exact_python(spec: &str) -> bool {
    let s = spec
        .trim()
        .trim_start_matches("==")
        .trim_start_matches('=')
        .trim()
        .trim_start_matches("python-")
        .trim_start_matches("python");
    let s = s.trim_end_matches(".*");
    let parts: Vec<&str> = s.split('.').collect();
    (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

/// 4.2: an environment in which the project runs is given.
pub fn example_environment(input: &Input) -> Decided {
    let facts = input.ctx.facts;
    let looked = [
        "Dockerfile / Containerfile (base image pinned by tag or digest)",
        "docker-compose, devcontainer, Apptainer/Singularity .def, Nix flake",
        "a published image in the docs (`docker pull …`)",
        "a pinned Python version (.python-version, requires-python, runtime.txt, conda python=, base image tag)",
    ];
    let mut envs = Vec::new();
    let mut unpinned = Vec::new();
    let mut pinned_base = false;
    for d in &facts.dockerfiles {
        for b in &d.bases {
            let shown = match (&b.tag, &b.digest) {
                (_, Some(dg)) => format!("{}@{dg}", b.image),
                (Some(t), None) => format!("{}:{t}", b.image),
                (None, None) => b.image.clone(),
            };
            if b.pinned() {
                pinned_base = true;
                envs.push(line(
                    &d.path,
                    Some(b.line),
                    format!("base image {shown} (pinned)"),
                ));
            } else {
                unpinned.push(line(
                    &d.path,
                    Some(b.line),
                    format!("base image {shown} is not pinned (no tag, or `latest`)"),
                ));
            }
        }
        if d.bases.is_empty() {
            envs.push(Evidence::file(&d.path, "container definition"));
        }
    }
    for f in &facts.project.files {
        let lower = f.path.to_ascii_lowercase();
        let name = lower.rsplit('/').next().unwrap_or(&lower);
        let note = if name.starts_with("docker-compose")
            && (name.ends_with(".yml") || name.ends_with(".yaml"))
            || matches!(name, "compose.yml" | "compose.yaml")
        {
            Some("Docker Compose file")
        } else if matches!(name, "flake.nix" | "shell.nix") {
            Some("Nix environment")
        } else {
            None
        };
        if let Some(note) = note {
            envs.push(Evidence::file(&f.path, note));
        }
    }
    // Images the docs merely mention (a monitoring stack, `nvidia/cuda` in prose)
    // do not unpin the project's own pinned Dockerfile.
    let dockerfile_pinned = pinned_base;
    for d in &facts.docs {
        for (l, image) in &d.image_refs {
            let pinned = image.contains('@')
                || image
                    .rsplit('/')
                    .next()
                    .is_some_and(|last| last.contains(':') && !last.ends_with(":latest"));
            let ev = line(&d.path, Some(*l), format!("published image {image}"));
            if pinned {
                pinned_base = true;
                envs.push(ev);
            } else if !dockerfile_pinned {
                unpinned.push(Evidence {
                    note: format!("{} is not pinned to a tag", ev.note),
                    ..ev
                });
            }
        }
    }
    let mut python = Vec::new();
    for e in &facts.env_specs {
        let pinned = e.image.as_deref().is_none_or(|i| {
            let (_, tag, digest) = crate::facts::dockerfile::split_image_ref(i);
            digest.is_some() || tag.is_some_and(|t| t != "latest")
        });
        let shown = e
            .image
            .as_deref()
            .map(|i| format!(" ({i})"))
            .unwrap_or_default();
        let ev = Evidence::file(&e.path, format!("{}{shown}", e.kind));
        if pinned {
            envs.push(ev);
        } else {
            unpinned.push(Evidence {
                note: format!("{} is not pinned to a tag", ev.note),
                ..ev
            });
        }
        if let Some(v) = &e.python {
            python.push(Evidence::file(
                &e.path,
                format!("Python {v} fixed by the {}", e.kind),
            ));
        }
    }
    for (file, what) in [
        (".python-version", ".python-version"),
        ("runtime.txt", "runtime.txt"),
    ] {
        if let Some(text) = facts.project.file(file).and_then(|f| f.text()) {
            let v = text.lines().next().unwrap_or("").trim();
            if is_exact_python(v) {
                python.push(line(file, Some(1), format!("Python {v} pinned in {what}")));
            }
        }
    }
    for p in &facts.packages {
        if let Some((spec, l)) = &p.python {
            if is_exact_python(spec) {
                python.push(line(&p.path, *l, format!("Python {spec} pinned")));
            }
        }
    }
    for d in &facts.dockerfiles {
        if let Some((v, l)) = &d.python_version {
            python.push(line(
                &d.path,
                Some(*l),
                format!("Python {v} in the container"),
            ));
        }
    }
    let has_env = !envs.is_empty() || !unpinned.is_empty();
    if has_env && unpinned.is_empty() && (!python.is_empty() || pinned_base) {
        let mut o = Outcome::new(Status::Pass, "an example environment is given, pinned")
            .with_evidence(envs);
        o.evidence.extend(python);
        if o.evidence.iter().all(|e| !e.note.starts_with("Python")) {
            o.notes.push(Evidence::file(
                ".",
                "the Python version is fixed by the pinned base image",
            ));
        }
        return (o, None);
    }
    if has_env || !python.is_empty() {
        let summary = if !unpinned.is_empty() {
            "an environment is given, but its base image is not pinned"
        } else if has_env {
            "an environment is given, but no Python version is pinned"
        } else {
            "a Python version is pinned, but no example environment (container, devcontainer, Nix) is given"
        };
        let fix = if !unpinned.is_empty() {
            format!(
                "Pin the base image at {} to a tag or digest (e.g. python:3.11.9-slim).",
                unpinned[0].location()
            )
        } else if has_env {
            "Pin the Python version (.python-version, requires-python = \"==3.11.*\", or a python:3.11.x base image).".to_string()
        } else {
            "Add a Dockerfile (FROM python:3.11.9-slim, install the pinned requirements) or a devcontainer.".to_string()
        };
        let mut o = Outcome::new(Status::Partial, summary)
            .with_evidence(unpinned)
            .looking_for(&looked);
        o.evidence.extend(envs);
        o.evidence.extend(python);
        return (o, Some(fix));
    }
    let o = Outcome::new(
        Status::Fail,
        "no example environment and no pinned Python version",
    )
    .looking_for(&looked);
    (o, Some("Add a Dockerfile with a pinned base image (e.g. python:3.11.9-slim) that installs the pinned requirements.".into()))
}

/// 4.3: the hardware the project relies on is documented.
/// Whether a mention names the hardware (a GPU model, memory, a CUDA
/// version, `TPU v3-8`) rather than only a kind of it ("multi-GPU, TPU").
fn names_the_machine(h: &crate::facts::docs::HardwareMention) -> bool {
    let vague_tpu =
        matches!(h.kind, HardwareKind::Tpu) && !h.text.chars().any(|c| c.is_ascii_digit());
    !matches!(h.kind, HardwareKind::GenericGpu) && !vague_tpu
}

pub fn hardware_documented(input: &Input) -> Decided {
    let facts = input.ctx.facts;
    let uses = super::hardware::accelerator_use(facts);
    if uses.is_empty() {
        let o = Outcome::new(
            Status::NotApplicable,
            "the code on the run path uses no GPU/TPU: CPU-only",
        )
        .looking_for(&[
            ".cuda(), .to(\"cuda\"), device=\"cuda\", torch.cuda.*",
            "TensorFlow GPU config, TPU strategies, gpus=/accelerator= settings",
        ]);
        return (o, None);
    }
    let mut specific = Vec::new();
    let mut generic = Vec::new();
    for d in facts
        .docs
        .iter()
        .filter(|d| !d.path.starts_with(".github/"))
    {
        for h in &d.hardware {
            let ev = line(&d.path, Some(h.line), format!("documents {}", h.text));
            if names_the_machine(h) {
                specific.push(ev);
            } else {
                generic.push(ev);
            }
        }
    }
    // A notebook's prose that names the machine (`one V100 16 GB`) documents
    // it like a doc does; its bare "GPU"s explain code cells ("move the model
    // to the GPU"), so they do not count.
    for f in facts.python.iter().filter(|f| f.is_notebook) {
        for (loc, h) in f
            .markdown_hardware
            .iter()
            .filter(|(_, h)| names_the_machine(h))
        {
            specific.push(at(&f.path, *loc, format!("documents {}", h.text)));
        }
    }
    for (e, instance) in super::hardware::gpu_infrastructure(facts) {
        if let Some(i) = instance {
            specific.push(Evidence {
                note: format!("GPU machine type {i} fixes the GPU model"),
                ..e
            });
        }
    }
    for d in &facts.dockerfiles {
        for b in &d.bases {
            let tag = b.tag.clone().unwrap_or_default().to_ascii_lowercase();
            // `pytorch/pytorch:2.1.0-cuda12.1-…`, or `nvidia/cuda:12.1.0-…`
            // where the image is CUDA and its tag is the version.
            let cuda_image = b.image.to_ascii_lowercase().ends_with("/cuda");
            if (tag.contains("cuda") || cuda_image) && tag.chars().any(|c| c.is_ascii_digit()) {
                specific.push(line(
                    &d.path,
                    Some(b.line),
                    format!("CUDA version fixed by base image {}:{}", b.image, tag),
                ));
            }
        }
    }
    for p in &facts.packages {
        for r in &p.requirements {
            let s = r.spec.to_ascii_lowercase();
            if (r.name == "cudatoolkit"
                || r.name == "pytorch-cuda"
                || r.name.starts_with("nvidia-cuda-runtime")
                || s.contains("+cu1"))
                && r.pinned
            {
                specific.push(line(
                    &p.path,
                    r.line,
                    format!("CUDA version pinned: {}", r.spec),
                ));
            }
        }
    }
    let mut uses_ev: Vec<Evidence> = uses.into_iter().take(3).collect();
    if !specific.is_empty() {
        let mut o = Outcome::new(Status::Pass, "the GPU/TPU the project uses is documented")
            .with_evidence(specific);
        o.notes = uses_ev;
        return (o, None);
    }
    if !generic.is_empty() {
        let mut o = Outcome::new(
            Status::Partial,
            "the docs say a GPU is needed, but not which one (model, memory, CUDA version)",
        )
        .with_evidence(generic);
        o.evidence.append(&mut uses_ev);
        return (o, Some("Document the GPU model and memory, and the CUDA/driver version used (e.g. \"1× A100 80 GB, CUDA 12.1, driver 535\").".into()));
    }
    let o = Outcome::new(
        Status::Fail,
        "the code uses a GPU/TPU, but no hardware is documented",
    )
    .with_evidence(uses_ev)
    .looking_for(&[
        "GPU models, memory sizes, CUDA/driver versions in README, REPRODUCIBILITY.md or docs/",
        "CUDA pinned in the environment",
    ]);
    (o, Some("Add a Hardware section to the README: GPU model and memory, RAM, CUDA and driver versions used for the reported results.".into()))
}

#[cfg(test)]
mod tests {
    use super::is_exact_python;

    #[test]
    fn exact_python_versions() {
        assert!(is_exact_python("3.10"));
        assert!(is_exact_python("3.10.12"));
        assert!(is_exact_python("==3.11.*"));
        assert!(is_exact_python("python-3.9.7"));
        assert!(!is_exact_python(">=3.8"));
        assert!(!is_exact_python("^3.9"));
        assert!(!is_exact_python("3"));
    }
}
