//! The store written once over a small SQL interface that SQLite and
//! PostgreSQL both implement. SQL here uses `?N` placeholders (the
//! PostgreSQL side rewrites them to `$N`) and only syntax both accept.

use std::collections::HashMap;

use super::time::parse_rfc3339;
use super::{Entry, Query, Record, RecordStatus, Sort, Stage, Store, StoreError};
use crate::assessment::Status;
use crate::criteria::catalog::CriterionId;

/// A value bound to or read from SQL.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Null,
    Int(i64),
    Text(String),
    Bool(bool),
}

/// Which SQL dialect a [`Db`] speaks, where they differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

/// A connection the store runs SQL on.
pub(crate) trait Db: Send {
    /// The database, for messages (passwords hidden).
    fn label(&self) -> &str;
    fn dialect(&self) -> Dialect;
    /// Runs one statement; returns the rows changed.
    fn execute(&mut self, sql: &str, params: &[Val]) -> Result<u64, StoreError>;
    /// Runs one query; returns its rows.
    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Vec<Val>>, StoreError>;
    /// Runs statements without parameters or results.
    fn batch(&mut self, sql: &str) -> Result<(), StoreError>;
}

/// (criterion id, status).
type Criterion = (CriterionId, Status);

/// How many ids one `IN (…)` lists.
const CHUNK: usize = 200;

/// The columns [`decode`] reads, over `assessments a JOIN projects p`.
const RECORD_COLUMNS: &str = "a.id, p.id, p.name, p.source, a.\"commit\", a.tool_version, \
     a.assessed_at, a.duration_ms, a.status, a.error, a.stars, a.basis, a.report_json";

/// A [`Store`] over any [`Db`].
pub(crate) struct SqlStore<D> {
    db: D,
}

impl<D: Db> SqlStore<D> {
    pub(crate) fn new(db: D) -> Self {
        SqlStore { db }
    }

    /// Runs `f` in a transaction that takes the write lock up front.
    fn transaction<T>(
        &mut self,
        f: impl FnOnce(&mut D) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let begin = match self.db.dialect() {
            Dialect::Sqlite => "BEGIN IMMEDIATE",
            Dialect::Postgres => "BEGIN",
        };
        self.db.batch(begin)?;
        let outcome = f(&mut self.db).and_then(|v| self.db.batch("COMMIT").map(|()| v));
        if outcome.is_err() {
            // Best effort: the first error is the one worth reporting.
            let _ = self.db.batch("ROLLBACK");
        }
        outcome
    }

    fn schema_error(&self, what: &str) -> StoreError {
        StoreError::Schema(format!("database {}: {what}", self.db.label()))
    }

    /// Records for rows of [`RECORD_COLUMNS`], with their stages and criteria.
    fn records(
        &mut self,
        rows: Vec<Vec<Val>>,
        all: bool,
    ) -> Result<Vec<(i64, Record)>, StoreError> {
        let label = self.db.label().to_string();
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(decode(row).map_err(|e| bad_value(&label, &e))?);
        }
        let ids: Vec<i64> = out.iter().map(|(aid, _, _)| *aid).collect();
        let (mut stages, mut criteria) = if all {
            (
                load_stages(&mut self.db, None)?,
                load_criteria(&mut self.db, None)?,
            )
        } else {
            (
                load_stages(&mut self.db, Some(&ids))?,
                load_criteria(&mut self.db, Some(&ids))?,
            )
        };
        Ok(out
            .into_iter()
            .map(|(aid, pid, mut record)| {
                record.stages = stages.remove(&aid).unwrap_or_default();
                record.criteria = criteria.remove(&aid).unwrap_or_default();
                (pid, record)
            })
            .collect())
    }
}

fn bad_value(label: &str, what: &str) -> StoreError {
    StoreError::Schema(format!("database {label}: {what}"))
}

impl<D: Db> Store for SqlStore<D> {
    fn find(
        &mut self,
        source: &str,
        commit: Option<&str>,
        tool_version: &str,
    ) -> Result<Option<Record>, StoreError> {
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM assessments a JOIN projects p ON p.id = a.project_id \
             WHERE p.source = ?1 AND a.\"commit\" = ?2 AND a.tool_version = ?3"
        );
        let rows = self.db.query(
            &sql,
            &[
                Val::Text(source.to_string()),
                Val::Text(commit.unwrap_or("").to_string()),
                Val::Text(tool_version.to_string()),
            ],
        )?;
        Ok(self
            .records(rows, false)?
            .into_iter()
            .next()
            .map(|(_, r)| r))
    }

    fn save(&mut self, r: &Record) -> Result<(), StoreError> {
        let label = self.db.label().to_string();
        let row = Prepared::new(r).map_err(|e| {
            StoreError::Invalid(format!(
                "database {label}: cannot store the record of {}: {e}",
                r.source
            ))
        })?;
        self.transaction(|db| save(db, r, &row))
    }

    fn leaderboard(&mut self, q: &Query) -> Result<Vec<Entry>, StoreError> {
        let mut params = Vec::new();
        let mut param = |v: Val| {
            params.push(v);
            format!("?{}", params.len())
        };
        let mut wanted = vec!["a.status = 'ok'".to_string()];
        if let Some(n) = q.min_stars {
            wanted.push(format!("a.stars >= {}", param(Val::Int(i64::from(n)))));
        }
        for (id, status) in &q.criteria {
            let (id, status) = (
                param(Val::Text(id.as_str().to_string())),
                param(Val::Text(status.as_str().to_string())),
            );
            wanted.push(format!(
                "EXISTS (SELECT 1 FROM criteria c WHERE c.assessment_id = a.id \
                 AND c.id = {id} AND c.status = {status})"
            ));
        }
        for (stage, passed) in &q.stages {
            let (stage, passed) = (
                param(Val::Int(i64::from(*stage))),
                param(Val::Bool(*passed)),
            );
            wanted.push(format!(
                "EXISTS (SELECT 1 FROM stages s WHERE s.assessment_id = a.id \
                 AND s.stage = {stage} AND s.passed = {passed})"
            ));
        }
        let mut filter = wanted.join(" AND ");
        if q.include_errors {
            filter = format!("({filter}) OR a.status = 'error'");
        }
        let (name, source) = match self.db.dialect() {
            Dialect::Sqlite => ("LOWER(p.name), p.name", "p.source"),
            Dialect::Postgres => (
                "LOWER(p.name COLLATE \"C\"), p.name COLLATE \"C\"",
                "p.source COLLATE \"C\"",
            ),
        };
        let order = match q.sort {
            Sort::StarsDesc => format!("COALESCE(a.stars, -1) DESC, {name}, {source}, p.id"),
            Sort::Name => format!("{name}, {source}, p.id"),
            Sort::Date => format!("a.assessed_key DESC, {name}, {source}, p.id"),
            Sort::Duration => format!("a.duration_ms DESC, {name}, {source}, p.id"),
        };
        let limit = match q.limit {
            Some(n) => format!(
                " LIMIT {}",
                param(Val::Int(i64::try_from(n).unwrap_or(i64::MAX)))
            ),
            None => String::new(),
        };
        // The full report is left out: it is large and no row needs it.
        let columns = RECORD_COLUMNS.replace("a.report_json", "NULL");
        let sql = format!(
            "SELECT {columns} FROM projects p JOIN assessments a ON a.id = p.latest_id \
             WHERE {filter} ORDER BY {order}{limit}"
        );
        let rows = self.db.query(&sql, &params)?;
        Ok(self
            .records(rows, false)?
            .into_iter()
            .map(|(project_id, record)| Entry { project_id, record })
            .collect())
    }

    fn project(&mut self, id: i64) -> Result<Option<(String, String, Vec<Record>)>, StoreError> {
        let found = self.db.query(
            "SELECT name, source FROM projects WHERE id = ?1",
            &[Val::Int(id)],
        )?;
        let Some(row) = found.into_iter().next() else {
            return Ok(None);
        };
        let (name, source) = match row.as_slice() {
            [Val::Text(name), Val::Text(source)] => (name.clone(), source.clone()),
            _ => return Err(self.schema_error("a project without a name or source")),
        };
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM assessments a JOIN projects p ON p.id = a.project_id \
             WHERE a.project_id = ?1 ORDER BY a.assessed_key DESC, a.id DESC"
        );
        let rows = self.db.query(&sql, &[Val::Int(id)])?;
        let history = self
            .records(rows, false)?
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        Ok(Some((name, source, history)))
    }

    fn all(&mut self) -> Result<Vec<Record>, StoreError> {
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM assessments a JOIN projects p ON p.id = a.project_id \
             ORDER BY p.id, a.assessed_key, a.id"
        );
        let rows = self.db.query(&sql, &[])?;
        Ok(self
            .records(rows, true)?
            .into_iter()
            .map(|(_, r)| r)
            .collect())
    }
}

/// A record's values checked and converted for storing.
struct Prepared {
    commit: String,
    assessed_key: i64,
    duration_ms: i64,
    stars: Val,
}

impl Prepared {
    fn new(r: &Record) -> Result<Self, String> {
        let assessed_key = parse_rfc3339(&r.assessed_at).ok_or_else(|| {
            format!(
                "assessed_at {:?} is not an RFC 3339 date-time",
                r.assessed_at
            )
        })?;
        let duration_ms = i64::try_from(r.duration_ms)
            .map_err(|_| format!("duration {} ms is too large", r.duration_ms))?;
        let mut seen = std::collections::HashSet::new();
        for s in &r.stages {
            if !seen.insert(s.stage) {
                return Err(format!("stage {} is listed twice", s.stage));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for (id, _) in &r.criteria {
            if !seen.insert(id.as_str()) {
                return Err(format!("criterion {id} is listed twice"));
            }
        }
        Ok(Prepared {
            commit: r.commit.clone().unwrap_or_default(),
            assessed_key,
            duration_ms,
            stars: r.stars.map_or(Val::Null, |n| Val::Int(i64::from(n))),
        })
    }
}

fn text_or_null(s: &Option<String>) -> Val {
    s.as_ref().map_or(Val::Null, |s| Val::Text(s.clone()))
}

/// The body of [`Store::save`], inside a transaction.
fn save<D: Db>(db: &mut D, r: &Record, p: &Prepared) -> Result<(), StoreError> {
    // Takes the project row's lock first (PostgreSQL), so concurrent saves
    // for one project run one after the other and see each other's rows.
    let project = db.query(
        "INSERT INTO projects (name, source) VALUES (?1, ?2) \
         ON CONFLICT (source) DO UPDATE SET source = excluded.source RETURNING id",
        &[Val::Text(r.name.clone()), Val::Text(r.source.clone())],
    )?;
    let project_id = first_int(db.label(), &project, "project id")?;
    let saved = db.query(
        "INSERT INTO assessments (project_id, \"commit\", tool_version, assessed_at, \
         assessed_key, duration_ms, status, error, stars, basis, report_json) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) \
         ON CONFLICT (project_id, \"commit\", tool_version) DO UPDATE SET \
         assessed_at = excluded.assessed_at, assessed_key = excluded.assessed_key, \
         duration_ms = excluded.duration_ms, status = excluded.status, error = excluded.error, \
         stars = excluded.stars, basis = excluded.basis, report_json = excluded.report_json \
         WHERE excluded.assessed_key >= assessments.assessed_key \
         RETURNING id",
        &[
            Val::Int(project_id),
            Val::Text(p.commit.clone()),
            Val::Text(r.tool_version.clone()),
            Val::Text(r.assessed_at.clone()),
            Val::Int(p.assessed_key),
            Val::Int(p.duration_ms),
            Val::Text(r.status.as_str().to_string()),
            text_or_null(&r.error),
            p.stars.clone(),
            Val::Text(r.basis.clone()),
            text_or_null(&r.report_json),
        ],
    )?;
    if saved.is_empty() {
        // A newer record for this key is already stored.
        return Ok(());
    }
    let assessment_id = first_int(db.label(), &saved, "assessment id")?;
    db.execute(
        "DELETE FROM stages WHERE assessment_id = ?1",
        &[Val::Int(assessment_id)],
    )?;
    db.execute(
        "DELETE FROM criteria WHERE assessment_id = ?1",
        &[Val::Int(assessment_id)],
    )?;
    for (position, s) in (0_i64..).zip(&r.stages) {
        db.execute(
            "INSERT INTO stages (assessment_id, position, stage, passed, met, total) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            &[
                Val::Int(assessment_id),
                Val::Int(position),
                Val::Int(i64::from(s.stage)),
                Val::Bool(s.passed),
                Val::Int(i64::from(s.met)),
                Val::Int(i64::from(s.total)),
            ],
        )?;
    }
    for (position, (id, status)) in (0_i64..).zip(&r.criteria) {
        db.execute(
            "INSERT INTO criteria (assessment_id, position, id, status) VALUES (?1, ?2, ?3, ?4)",
            &[
                Val::Int(assessment_id),
                Val::Int(position),
                Val::Text(id.as_str().to_string()),
                Val::Text(status.as_str().to_string()),
            ],
        )?;
    }
    let latest = db.query(
        "SELECT id FROM assessments WHERE project_id = ?1 \
         ORDER BY assessed_key DESC, id DESC LIMIT 1",
        &[Val::Int(project_id)],
    )?;
    let latest = first_int(db.label(), &latest, "latest assessment")?;
    if latest == assessment_id {
        // The project is named as its latest record names it.
        db.execute(
            "UPDATE projects SET latest_id = ?2, name = ?3 WHERE id = ?1",
            &[
                Val::Int(project_id),
                Val::Int(latest),
                Val::Text(r.name.clone()),
            ],
        )?;
    } else {
        db.execute(
            "UPDATE projects SET latest_id = ?2 WHERE id = ?1",
            &[Val::Int(project_id), Val::Int(latest)],
        )?;
    }
    Ok(())
}

fn first_int(label: &str, rows: &[Vec<Val>], what: &str) -> Result<i64, StoreError> {
    match rows.first().and_then(|r| r.first()) {
        Some(Val::Int(n)) => Ok(*n),
        _ => Err(bad_value(label, &format!("no {what} returned"))),
    }
}

fn int(v: &Val, column: &str) -> Result<i64, String> {
    match v {
        Val::Int(n) => Ok(*n),
        Val::Bool(b) => Ok(i64::from(*b)),
        other => Err(format!("column {column} holds {other:?}, not an integer")),
    }
}

fn small(v: &Val, column: &str) -> Result<u8, String> {
    let n = int(v, column)?;
    u8::try_from(n).map_err(|_| format!("column {column} holds {n}, out of range"))
}

fn text(v: &Val, column: &str) -> Result<String, String> {
    match v {
        Val::Text(s) => Ok(s.clone()),
        other => Err(format!("column {column} holds {other:?}, not text")),
    }
}

fn opt_text(v: &Val, column: &str) -> Result<Option<String>, String> {
    match v {
        Val::Null => Ok(None),
        v => text(v, column).map(Some),
    }
}

/// (assessment id, project id, record without stages and criteria) from a
/// row of [`RECORD_COLUMNS`].
fn decode(row: &[Val]) -> Result<(i64, i64, Record), String> {
    let [aid, pid, name, source, commit, tool_version, assessed_at, duration_ms, status, error, stars, basis, report_json] =
        row
    else {
        return Err(format!("expected 13 columns, got {}", row.len()));
    };
    let status = match text(status, "status")?.as_str() {
        "ok" => RecordStatus::Ok,
        "error" => RecordStatus::Error,
        other => return Err(format!("unknown status {other:?}")),
    };
    let duration_ms = int(duration_ms, "duration_ms")?;
    let record = Record {
        name: text(name, "name")?,
        source: text(source, "source")?,
        commit: opt_text(commit, "commit")?.filter(|c| !c.is_empty()),
        tool_version: text(tool_version, "tool_version")?,
        assessed_at: text(assessed_at, "assessed_at")?,
        duration_ms: u64::try_from(duration_ms)
            .map_err(|_| format!("column duration_ms holds {duration_ms}"))?,
        status,
        error: opt_text(error, "error")?,
        stars: match stars {
            Val::Null => None,
            v => Some(small(v, "stars")?),
        },
        basis: text(basis, "basis")?,
        stages: Vec::new(),
        criteria: Vec::new(),
        report_json: opt_text(report_json, "report_json")?,
    };
    Ok((int(aid, "id")?, int(pid, "project_id")?, record))
}

/// Runs `sql` (which ends in `assessment_id IN (…)` when `ids` is given)
/// over all `ids` in chunks, or once over the whole table.
fn chunked<D: Db>(db: &mut D, sql: &str, ids: Option<&[i64]>) -> Result<Vec<Vec<Val>>, StoreError> {
    let Some(ids) = ids else {
        return db.query(sql, &[]);
    };
    let mut rows = Vec::new();
    if ids.is_empty() {
        return Ok(rows);
    }
    let placeholders: Vec<String> = (1..=CHUNK).map(|i| format!("?{i}")).collect();
    let sql = format!("{sql} WHERE assessment_id IN ({})", placeholders.join(", "));
    for chunk in ids.chunks(CHUNK) {
        // Pads the last chunk with its last id so one statement serves all.
        let mut params: Vec<Val> = chunk.iter().map(|id| Val::Int(*id)).collect();
        let last = params.last().cloned().unwrap_or(Val::Int(0));
        params.resize(CHUNK, last);
        rows.extend(db.query(&sql, &params)?);
    }
    Ok(rows)
}

fn load_stages<D: Db>(
    db: &mut D,
    ids: Option<&[i64]>,
) -> Result<HashMap<i64, Vec<Stage>>, StoreError> {
    let rows = chunked(
        db,
        "SELECT assessment_id, position, stage, passed, met, total FROM stages",
        ids,
    )?;
    let mut by_id: HashMap<i64, Vec<(i64, Stage)>> = HashMap::new();
    for row in rows {
        let decoded = decode_stage(&row);
        let (aid, position, stage) = decoded.map_err(|e| bad_value(db.label(), &e))?;
        by_id.entry(aid).or_default().push((position, stage));
    }
    Ok(by_id
        .into_iter()
        .map(|(aid, mut v)| {
            v.sort_by_key(|(position, _)| *position);
            (aid, v.into_iter().map(|(_, s)| s).collect())
        })
        .collect())
}

fn load_criteria<D: Db>(
    db: &mut D,
    ids: Option<&[i64]>,
) -> Result<HashMap<i64, Vec<Criterion>>, StoreError> {
    let rows = chunked(
        db,
        "SELECT assessment_id, position, id, status FROM criteria",
        ids,
    )?;
    let mut by_id: HashMap<i64, Vec<(i64, Criterion)>> = HashMap::new();
    for row in rows {
        let decoded = decode_criterion(&row);
        let (aid, position, c) = decoded.map_err(|e| bad_value(db.label(), &e))?;
        by_id.entry(aid).or_default().push((position, c));
    }
    Ok(by_id
        .into_iter()
        .map(|(aid, mut v)| {
            v.sort_by_key(|(position, _)| *position);
            (aid, v.into_iter().map(|(_, c)| c).collect())
        })
        .collect())
}

fn decode_stage(row: &[Val]) -> Result<(i64, i64, Stage), String> {
    let [aid, position, stage, passed, met, total] = row else {
        return Err("a stages row of the wrong shape".to_string());
    };
    let stage = Stage {
        stage: small(stage, "stage")?,
        passed: int(passed, "passed")? != 0,
        met: small(met, "met")?,
        total: small(total, "total")?,
    };
    Ok((
        int(aid, "assessment_id")?,
        int(position, "position")?,
        stage,
    ))
}

fn decode_criterion(row: &[Val]) -> Result<(i64, i64, Criterion), String> {
    let [aid, position, id, status] = row else {
        return Err("a criteria row of the wrong shape".to_string());
    };
    Ok((
        int(aid, "assessment_id")?,
        int(position, "position")?,
        (
            text(id, "id")?.parse().map_err(|e| format!("{e}"))?,
            text(status, "status")?
                .parse()
                .map_err(|e| format!("{e}"))?,
        ),
    ))
}
