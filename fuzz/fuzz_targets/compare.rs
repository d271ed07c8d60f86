//! Artifact comparison: two runs' outputs as .npy, .npz, safetensors, CSV, JSON or YAML.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use reproscale::verify::compare;

const EXTENSIONS: &[&str] = &["npy", "npz", "safetensors", "csv", "json", "yaml", "txt"];

fn scratch() -> &'static std::path::Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("tempdir")).path()
}

fuzz_target!(|data: &[u8]| {
    // First byte: the format; second: where run A's bytes end and run B's begin.
    let [choice, split, rest @ ..] = data else {
        return;
    };
    let ext = EXTENSIONS[usize::from(*choice) % EXTENSIONS.len()];
    let cut = if rest.is_empty() {
        0
    } else {
        usize::from(*split) * rest.len() / 255
    };
    let (a, b) = rest.split_at(cut.min(rest.len()));
    let dir = scratch();
    let (pa, pb) = (dir.join(format!("a.{ext}")), dir.join(format!("b.{ext}")));
    if std::fs::write(&pa, a).is_err() || std::fs::write(&pb, b).is_err() {
        return;
    }
    let tol = compare::tolerance::Tolerances::default();
    let _ = compare::compare_files(&format!("out.{ext}"), &pa, &pb, &tol, &[]);
    let _ = compare::compare_files(&format!("out.{ext}"), &pa, &pa, &tol, &[]);
});
