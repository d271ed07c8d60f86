//! `rank`: assess many projects, keep the results, print a leaderboard —
//! on one machine or as shards of a Kubernetes Indexed Job or a Slurm array.

pub mod render;
pub mod run;
pub mod sources;
pub mod store;
