//! The embedded SQLite store: one file, WAL mode, safe for several
//! processes writing at once (each save takes the write lock up front and
//! waits for it).

use std::path::Path;
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::Connection;

use super::engine::{Db, Dialect, Val};
use super::StoreError;

/// How long a writer waits for another to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// Marks the file as a reproscale store (`PRAGMA application_id`).
const APPLICATION_ID: i64 = 0x5250_5343; // "RPSC"

/// Migrations; the file's `user_version` is how many have run.
const MIGRATIONS: &[&str] = &[
    // 1: the initial schema.
    r#"
    CREATE TABLE projects (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        source TEXT NOT NULL UNIQUE,
        latest_id INTEGER
    );
    CREATE TABLE assessments (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        "commit" TEXT NOT NULL DEFAULT '',
        tool_version TEXT NOT NULL,
        assessed_at TEXT NOT NULL,
        assessed_key INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('ok', 'error')),
        error TEXT,
        stars INTEGER,
        basis TEXT NOT NULL,
        report_json TEXT,
        UNIQUE (project_id, "commit", tool_version)
    );
    CREATE TABLE stages (
        assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        stage INTEGER NOT NULL,
        passed INTEGER NOT NULL,
        met INTEGER NOT NULL,
        total INTEGER NOT NULL,
        PRIMARY KEY (assessment_id, stage)
    );
    CREATE TABLE criteria (
        assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        id TEXT NOT NULL,
        status TEXT NOT NULL,
        PRIMARY KEY (assessment_id, id)
    );
    CREATE INDEX projects_latest ON projects (latest_id);
    CREATE INDEX projects_name ON projects (name);
    CREATE INDEX assessments_latest ON assessments (project_id, assessed_key, id);
    CREATE INDEX assessments_stars ON assessments (stars);
    CREATE INDEX stages_filter ON stages (stage, passed, assessment_id);
    CREATE INDEX criteria_filter ON criteria (id, status, assessment_id);
    "#,
];

/// A SQLite connection.
pub(crate) struct SqliteDb {
    conn: Connection,
    label: String,
}

impl SqliteDb {
    /// Opens `path`, creating the file and its folders, and migrates it.
    pub(crate) fn open(path: &str) -> Result<Self, StoreError> {
        let label = path.to_string();
        let io = |source| StoreError::Io {
            db: label.clone(),
            source,
        };
        if let Some(parent) = Path::new(path).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(io)?;
            }
        }
        let conn = Connection::open(path).map_err(|source| StoreError::Sqlite {
            db: label.clone(),
            source,
        })?;
        conn.set_prepared_statement_cache_capacity(64);
        let mut db = SqliteDb { conn, label };
        db.configure()?;
        db.migrate()?;
        Ok(db)
    }

    fn err(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            db: self.label.clone(),
            source,
        }
    }

    fn configure(&mut self) -> Result<(), StoreError> {
        self.conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| self.err(e))?;
        // Switching to WAL needs a moment alone with a new file; another
        // process opening it at the same instant can make it report busy.
        let mut tries = 0;
        loop {
            match self
                .conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
            {
                Ok(_) => break,
                Err(e) if is_busy(&e) && tries < 600 => {
                    tries += 1;
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => return Err(self.err(e)),
            }
        }
        self.conn
            .execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
            .map_err(|e| self.err(e))
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        self.batch("BEGIN IMMEDIATE")?;
        let outcome = self.migrate_locked();
        let outcome = outcome.and_then(|()| self.batch("COMMIT"));
        if outcome.is_err() {
            let _ = self.batch("ROLLBACK");
        }
        outcome
    }

    fn migrate_locked(&mut self) -> Result<(), StoreError> {
        let latest = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        let app: i64 = self
            .conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if app != APPLICATION_ID && app != 0 {
            return Err(StoreError::Schema(format!(
                "database {}: not a reproscale database (application id {app:#x})",
                self.label
            )));
        }
        if version > latest {
            return Err(StoreError::Schema(format!(
                "database {}: schema version {version} is newer than this reproscale \
                 understands ({latest}); upgrade reproscale",
                self.label
            )));
        }
        if version == 0 {
            let tables: i64 = self
                .conn
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' \
                     AND name NOT LIKE 'sqlite_%'",
                    [],
                    |r| r.get(0),
                )
                .map_err(|e| self.err(e))?;
            if tables > 0 {
                return Err(StoreError::Schema(format!(
                    "database {}: not a reproscale database (it already has {tables} tables)",
                    self.label
                )));
            }
        }
        let done = usize::try_from(version).unwrap_or(0);
        for step in MIGRATIONS.iter().skip(done) {
            self.batch(step)?;
        }
        if version < latest {
            self.batch(&format!(
                "PRAGMA user_version = {latest}; PRAGMA application_id = {APPLICATION_ID};"
            ))?;
        }
        Ok(())
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

impl rusqlite::ToSql for Val {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Val::Null => ToSqlOutput::Owned(Value::Null),
            Val::Int(n) => ToSqlOutput::Owned(Value::Integer(*n)),
            Val::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Val::Bool(b) => ToSqlOutput::Owned(Value::Integer(i64::from(*b))),
        })
    }
}

fn read(v: ValueRef<'_>) -> rusqlite::Result<Val> {
    Ok(match v {
        ValueRef::Null => Val::Null,
        ValueRef::Integer(n) => Val::Int(n),
        ValueRef::Text(t) => Val::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Real(_) | ValueRef::Blob(_) => {
            return Err(rusqlite::Error::InvalidColumnType(
                0,
                "value".to_string(),
                v.data_type(),
            ))
        }
    })
}

impl Db for SqliteDb {
    fn label(&self) -> &str {
        &self.label
    }

    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn execute(&mut self, sql: &str, params: &[Val]) -> Result<u64, StoreError> {
        let run = || -> rusqlite::Result<usize> {
            let mut stmt = self.conn.prepare_cached(sql)?;
            stmt.execute(rusqlite::params_from_iter(params))
        };
        let n = run().map_err(|e| self.err(e))?;
        Ok(u64::try_from(n).unwrap_or(u64::MAX))
    }

    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Vec<Val>>, StoreError> {
        let run = || -> rusqlite::Result<Vec<Vec<Val>>> {
            let mut stmt = self.conn.prepare_cached(sql)?;
            let width = stmt.column_count();
            let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                let mut values = Vec::with_capacity(width);
                for i in 0..width {
                    values.push(read(row.get_ref(i)?)?);
                }
                out.push(values);
            }
            Ok(out)
        };
        run().map_err(|e| self.err(e))
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.conn.execute_batch(sql).map_err(|e| self.err(e))
    }
}
