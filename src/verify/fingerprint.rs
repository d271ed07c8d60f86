//! The environment a run happened in: OS, kernel, CPU, Python and its
//! packages, the variables that change numerics, and the GPU if any.

use std::collections::BTreeMap;
use std::process::Command;

use serde::Serialize;

/// Environment variables that change what a run computes.
pub const RELEVANT_ENV: &[&str] = &[
    "PYTHONHASHSEED",
    "CUBLAS_WORKSPACE_CONFIG",
    "CUDA_VISIBLE_DEVICES",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "TF_DETERMINISTIC_OPS",
    "TF_CUDNN_DETERMINISTIC",
    "OPENBLAS_CORETYPE",
    "TZ",
    "LANG",
    "LC_ALL",
];

/// A fingerprint of the machine and interpreter.
#[derive(Debug, Clone, Serialize, PartialEq, Default, schemars::JsonSchema)]
pub struct Fingerprint {
    /// Operating system and architecture.
    pub os: String,
    /// Kernel release.
    pub kernel: Option<String>,
    /// CPU model.
    pub cpu: Option<String>,
    /// `python --version` of the interpreter used.
    pub python: Option<String>,
    /// The interpreter's path.
    pub python_path: String,
    /// `pip freeze` of that interpreter.
    pub packages: Vec<String>,
    /// Relevant environment variables (`null` when unset).
    pub env: BTreeMap<String, Option<String>>,
    /// `nvidia-smi` summary, when a GPU is visible.
    pub gpu: Option<String>,
}

fn output(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let mut text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if text.is_empty() {
        text = String::from_utf8_lossy(&out.stderr).trim().to_string();
    }
    (!text.is_empty()).then_some(text)
}

/// Takes the fingerprint, with `python` the interpreter runs will use.
pub fn take(python: &str, env: &[(String, String)]) -> Fingerprint {
    let cpu = std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|t| {
        t.lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
    });
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .ok()
        .map(|s| s.trim().to_string());
    let vars = RELEVANT_ENV
        .iter()
        .map(|k| {
            let v = env
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .or_else(|| std::env::var(k).ok());
            (k.to_string(), v)
        })
        .collect();
    Fingerprint {
        os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
        kernel,
        cpu,
        python: output(python, &["--version"]),
        python_path: python.to_string(),
        packages: output(
            python,
            &["-m", "pip", "freeze", "--disable-pip-version-check"],
        )
        .map(|t| t.lines().map(String::from).collect())
        .unwrap_or_default(),
        env: vars,
        gpu: output(
            "nvidia-smi",
            &[
                "--query-gpu=name,driver_version,memory.total",
                "--format=csv,noheader",
            ],
        ),
    }
}

/// What differs between two fingerprints, one line per field.
pub fn diff(a: &Fingerprint, b: &Fingerprint) -> Vec<String> {
    let mut out = Vec::new();
    for (name, x, y) in [
        ("os", Some(&a.os), Some(&b.os)),
        ("kernel", a.kernel.as_ref(), b.kernel.as_ref()),
        ("cpu", a.cpu.as_ref(), b.cpu.as_ref()),
        ("python", a.python.as_ref(), b.python.as_ref()),
        ("gpu", a.gpu.as_ref(), b.gpu.as_ref()),
    ] {
        if x != y {
            out.push(format!("{name}: {x:?} vs {y:?}"));
        }
    }
    for (k, v) in &a.env {
        let w = b.env.get(k).cloned().flatten();
        if v != &w {
            out.push(format!("{k}: {v:?} vs {w:?}"));
        }
    }
    if a.packages != b.packages {
        out.push("installed packages differ".into());
    }
    out
}
