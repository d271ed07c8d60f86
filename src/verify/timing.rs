//! Where verify's time went: phases that follow one another, each timed by
//! the wall clock, and the whole call, so that the phases add up to the
//! total (less `other_seconds`, which names what no phase covers).

use std::time::Instant;

use serde::Serialize;

/// verify's time, phase by phase (JSON `timing`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Timing {
    /// verify from its start to its end: every phase below, probes,
    /// variations and the removal of the copies included (printing the
    /// output comes after).
    pub total_seconds: f64,
    /// Reading the project, planning, deciding the sandbox, `--fresh-env`.
    pub setup_seconds: f64,
    /// Planning the copy and copying the project into every run's folder
    /// (the copies side by side).
    pub copy_seconds: f64,
    /// The identical runs, from the first start to the last end.
    pub runs_seconds: f64,
    /// The slowest identical run's pipeline time (within `runs_seconds`).
    pub slowest_run_seconds: f64,
    /// Finding the files the runs wrote and choosing the artifacts.
    pub collect_seconds: f64,
    /// Hashing and comparing the artifacts, and the verdicts.
    pub compare_seconds: f64,
    /// Probes, `--vary` runs and the causes of differences.
    pub probes_seconds: f64,
    /// Removing the copies.
    pub cleanup_seconds: f64,
    /// Waiting, at the end, for the environment fingerprint (taken while the
    /// runs run).
    pub fingerprint_seconds: f64,
    /// `total_seconds` less the phases above: what no phase covers.
    pub other_seconds: f64,
    /// Artifact files compared (folders counted by their files).
    pub compared_files: u64,
    /// Bytes hashed or compared.
    pub compared_bytes: u64,
    /// Throughput of the comparison.
    pub compare_gb_per_second: f64,
}

impl Timing {
    /// The sum of the phases (`setup` to `fingerprint`; `slowest_run`,
    /// within `runs`, and `other` excluded).
    pub fn phases_seconds(&self) -> f64 {
        self.setup_seconds
            + self.copy_seconds
            + self.runs_seconds
            + self.collect_seconds
            + self.compare_seconds
            + self.probes_seconds
            + self.cleanup_seconds
            + self.fingerprint_seconds
    }

    /// Sets the total from the call's start and what no phase covers.
    pub fn finish(&mut self, started: Instant) {
        self.total_seconds = started.elapsed().as_secs_f64();
        self.other_seconds = (self.total_seconds - self.phases_seconds()).max(0.0);
    }
}

/// Seconds since `t`.
pub fn since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}
