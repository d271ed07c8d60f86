//! REPRODUCIBILITY.md: read, checked against an assessment, merged (`--update`) and regenerated.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use reproscale::source::Input;

/// One real assessment of a small project, made once.
fn assessment() -> &'static reproscale::Report {
    static REPORT: OnceLock<reproscale::Report> = OnceLock::new();
    REPORT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("train.py"),
            "import numpy as np\nnp.random.seed(0)\nif __name__ == '__main__':\n    print(np.random.rand())\n",
        )
        .expect("write");
        std::fs::write(dir.path().join("requirements.txt"), "numpy==1.26.4\n").expect("write");
        reproscale::assess(&Input::Directory(dir.path().to_path_buf())).expect("assess")
    })
}

fuzz_target!(|data: &[u8]| {
    let report = assessment();
    let Ok(text) = reproscale::report::read_existing(data) else {
        return;
    };
    let _ = reproscale::report::check(report, text, &|_| true);
    let _ = reproscale::report::generate(report, Some(text), false, true, "2026-01-01");
    let _ = reproscale::report::generate(report, Some(text), false, false, "2026-01-01");
});
