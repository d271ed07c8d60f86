//! The result store: every assessment `rank` makes, kept in an embedded
//! SQLite file or a shared PostgreSQL database with the same schema.
//!
//! Schema (version 1, migrated with `PRAGMA user_version` on SQLite and a
//! `schema_version` table on PostgreSQL):
//!
//! - `projects(id, name, source UNIQUE, latest_id)` — one row per source;
//!   `latest_id` points at the project's newest assessment (by
//!   `assessed_at`, ties by insertion) so the leaderboard is a plain join.
//! - `assessments(id, project_id, "commit", tool_version, assessed_at,
//!   assessed_key, duration_ms, status, error, stars, basis, report_json,
//!   UNIQUE(project_id, "commit", tool_version))` — no commit is stored as
//!   `''` so that the uniqueness holds; `assessed_key` is `assessed_at` as
//!   microseconds since the Unix epoch, for ordering.
//! - `stages(assessment_id, position, stage, passed, met, total)` and
//!   `criteria(assessment_id, position, id, status)` — `position` keeps the
//!   order the record listed them in.
//!
//! Saving is an idempotent upsert keyed by (source, commit, tool version):
//! saving the same record twice leaves one row, and a record never replaces
//! a stored one for the same key that is newer (so merging databases in any
//! order gives the same result).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::assessment::Status;
use crate::criteria::catalog::CriterionId;

mod engine;
mod pg;
mod sqlite;
mod time;

/// Progress on one stage of the scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Stage {
    /// The stage number, 1 to 5.
    pub stage: u8,
    /// Whether every criterion of the stage is met.
    pub passed: bool,
    /// Criteria met.
    pub met: u8,
    /// Criteria in the stage.
    pub total: u8,
}

/// Whether an assessment succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RecordStatus {
    /// The project was assessed.
    Ok,
    /// The project could not be cloned or assessed; see [`Record::error`].
    Error,
}

impl RecordStatus {
    /// `ok` or `error`, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordStatus::Ok => "ok",
            RecordStatus::Error => "error",
        }
    }
}

/// One assessment of one project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The project's display name. Names belong to projects: reading
    /// gives the name saved with the project's latest record.
    pub name: String,
    /// The path or URL the project was ranked from; identifies the project.
    pub source: String,
    /// The commit assessed, when the project is in git.
    pub commit: Option<String>,
    /// The reproscale version that made the assessment.
    pub tool_version: String,
    /// When, as RFC 3339 (for example `2025-06-01T12:00:00Z`).
    pub assessed_at: String,
    /// How long the assessment took.
    pub duration_ms: u64,
    /// Whether it succeeded.
    pub status: RecordStatus,
    /// Why it failed, for [`RecordStatus::Error`].
    pub error: Option<String>,
    /// Stars, for [`RecordStatus::Ok`].
    pub stars: Option<u8>,
    /// `static` or `verified`.
    pub basis: String,
    /// Per-stage progress.
    pub stages: Vec<Stage>,
    /// (criterion id, status), for example 2.2 `pass`.
    pub criteria: Vec<(CriterionId, Status)>,
    /// The full `assess --format json` report.
    pub report_json: Option<String>,
}

/// A leaderboard row: the latest record of one project.
///
/// Its `record.report_json` is always `None`: full reports are large, so
/// the leaderboard leaves them out; [`Store::project`] returns them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The project's id in the store (stable; used by [`Store::project`]).
    pub project_id: i64,
    /// Its latest record.
    pub record: Record,
}

/// How the leaderboard is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Most stars first, ties by name (errors last).
    #[default]
    StarsDesc,
    /// By name (ASCII case-insensitive), then source.
    Name,
    /// Most recently assessed first, ties by name.
    Date,
    /// Slowest assessment first, ties by name.
    Duration,
}

/// Which leaderboard rows to return.
///
/// The filters (`min_stars`, `criteria`, `stages`) select among successful
/// assessments; with `include_errors`, projects whose latest assessment
/// failed are listed as well, whatever the filters (they have no stars or
/// criteria to filter on).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    /// At least this many stars.
    pub min_stars: Option<u8>,
    /// (criterion id, status) pairs that must all hold, e.g. 2.2 `pass`.
    pub criteria: Vec<(CriterionId, Status)>,
    /// (stage, passed) pairs that must all hold, e.g. `(3, true)`.
    pub stages: Vec<(u8, bool)>,
    /// Order.
    pub sort: Sort,
    /// At most this many rows.
    pub limit: Option<usize>,
    /// List projects whose latest assessment is an error.
    pub include_errors: bool,
}

/// A place that keeps assessments.
pub trait Store: Send {
    /// The stored record for (source, commit, tool version), if any — the
    /// reuse check. Error records are returned too; the caller decides.
    fn find(
        &mut self,
        source: &str,
        commit: Option<&str>,
        tool_version: &str,
    ) -> Result<Option<Record>, StoreError>;
    /// Stores a record: an idempotent upsert keyed by (source, commit,
    /// tool version). A stored record for the same key with a later
    /// `assessed_at` is kept instead.
    fn save(&mut self, r: &Record) -> Result<(), StoreError>;
    /// The latest record of each project, filtered and sorted, without
    /// its `report_json` (see [`Entry`]).
    fn leaderboard(&mut self, q: &Query) -> Result<Vec<Entry>, StoreError>;
    /// A project's name, source and history (newest first).
    fn project(&mut self, id: i64) -> Result<Option<(String, String, Vec<Record>)>, StoreError>;
    /// Every record, by project and then oldest first (for merging).
    fn all(&mut self) -> Result<Vec<Record>, StoreError>;
}

/// Why the store failed. Every message names the database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("SQLite database {db}: {source}")]
    Sqlite {
        /// The database file.
        db: String,
        /// The cause.
        #[source]
        source: rusqlite::Error,
    },
    /// PostgreSQL failed.
    #[error("PostgreSQL database {db}: {}", pg::describe(source))]
    Postgres {
        /// The database URL, password hidden.
        db: String,
        /// The cause.
        #[source]
        source: postgres::Error,
    },
    /// The database's schema is not one this version understands, or holds
    /// a value it cannot read.
    #[error("{0}")]
    Schema(String),
    /// A file could not be created or read.
    #[error("database {db}: {source}")]
    Io {
        /// The database file.
        db: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A record cannot be stored as it is (bad date, repeated criterion, …).
    #[error("{0}")]
    Invalid(String),
}

/// Whether `db` names a PostgreSQL database rather than a SQLite file.
pub fn is_postgres(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// Opens (creating and migrating as needed) the store at `db`: a
/// `postgres://` or `postgresql://` URL, or else a SQLite file path whose
/// file and parent folders are created when missing.
pub fn open(db: &str) -> Result<Box<dyn Store>, StoreError> {
    if is_postgres(db) {
        Ok(Box::new(engine::SqlStore::new(pg::PgDb::open(db)?)))
    } else {
        Ok(Box::new(engine::SqlStore::new(sqlite::SqliteDb::open(db)?)))
    }
}

/// Checks that `db` names a database that already exists, for commands that only read:
/// a SQLite path must be a regular file that is empty or starts with SQLite's header.
/// Opening it otherwise would create an empty database at a mistyped path, or fail
/// later on a file that is not a database.
pub fn check_existing(db: &str) -> Result<(), String> {
    use std::io::Read;
    if is_postgres(db) {
        return Ok(());
    }
    let path = Path::new(db);
    let mut file = crate::source::open_regular(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            format!("no database at {db} (run `reproscale rank` first, or pass --db)")
        }
        _ => format!("cannot open database {db}: {e}"),
    })?;
    let mut head = Vec::with_capacity(16);
    file.by_ref()
        .take(16)
        .read_to_end(&mut head)
        .map_err(|e| format!("cannot read database {db}: {e}"))?;
    if head.is_empty() || head == b"SQLite format 3\0" {
        Ok(())
    } else {
        Err(format!("{db} is not a SQLite database"))
    }
}

/// Copies every record of each input database into `into` (created when
/// missing) with [`Store::save`], so merging is idempotent and overlapping
/// inputs give their union. Returns the number of records written.
/// A SQLite input that does not exist is an error, not an empty database.
pub fn merge(inputs: &[String], into: &str) -> Result<usize, StoreError> {
    // Every input is checked before the target is touched, so a typo merges nothing.
    for input in inputs {
        check_existing(input).map_err(StoreError::Invalid)?;
    }
    let mut target = open(into)?;
    let mut written = 0;
    for input in inputs {
        let records = open(input)?.all()?;
        for r in &records {
            target.save(r)?;
            written += 1;
        }
    }
    Ok(written)
}
