//! The result store (`reproscale::rank::store`): SQLite in temporary
//! folders, and PostgreSQL when `REPROSCALE_TEST_PG` names a server.
//!
//! The behaviour tests are written once over an `open` function and run on
//! both backends; PostgreSQL tests each get a fresh schema of their own.

use reproscale::assessment::Status;
use reproscale::criteria::catalog::CriterionId;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};

use reproscale::rank::store::{
    self, Entry, Query, Record, RecordStatus, Sort, Stage, Store, StoreError,
};

// ---------------------------------------------------------------- helpers

/// A successful record: stages 1..=stars pass, criterion `2.2` passes from
/// two stars, `3.1` from three.
fn rec(source: &str, commit: Option<&str>, stars: u8, at: &str) -> Record {
    let name = source.rsplit('/').next().unwrap_or(source).to_string();
    Record {
        name,
        source: source.to_string(),
        commit: commit.map(str::to_string),
        tool_version: "0.1.0".to_string(),
        assessed_at: at.to_string(),
        duration_ms: 100 + u64::from(stars),
        status: RecordStatus::Ok,
        error: None,
        stars: Some(stars),
        basis: "static".to_string(),
        stages: (1..=5)
            .map(|stage| Stage {
                stage,
                passed: stage <= stars,
                met: if stage <= stars { 3 } else { 1 },
                total: 3,
            })
            .collect(),
        criteria: vec![
            (CriterionId::C1_1, Status::Pass),
            (
                CriterionId::C2_2,
                if stars >= 2 {
                    Status::Pass
                } else {
                    Status::Fail
                },
            ),
            (
                CriterionId::C3_1,
                if stars >= 3 {
                    Status::Pass
                } else {
                    Status::Fail
                },
            ),
            // Out of id order: the stored order is kept.
            (CriterionId::C1_2, Status::NotApplicable),
        ],
        report_json: Some(format!("{{\"stars\":{stars},\"name\":\"{source}\"}}")),
    }
}

fn error_rec(source: &str, at: &str, cause: &str) -> Record {
    Record {
        name: source.rsplit('/').next().unwrap_or(source).to_string(),
        source: source.to_string(),
        commit: None,
        tool_version: "0.1.0".to_string(),
        assessed_at: at.to_string(),
        duration_ms: 7,
        status: RecordStatus::Error,
        error: Some(cause.to_string()),
        stars: None,
        basis: "static".to_string(),
        stages: Vec::new(),
        criteria: Vec::new(),
        report_json: None,
    }
}

/// `r` as a leaderboard row shows it: without the full report.
fn row(r: &Record) -> Record {
    Record {
        report_json: None,
        ..r.clone()
    }
}

fn names(entries: &[Entry]) -> Vec<String> {
    entries.iter().map(|e| e.record.name.clone()).collect()
}

fn everything() -> Query {
    Query {
        include_errors: true,
        ..Query::default()
    }
}

fn sqlite_path(dir: &tempfile::TempDir, name: &str) -> String {
    dir.path().join(name).to_string_lossy().into_owned()
}

// ------------------------------------------------------ shared behaviour

fn round_trip(open: &dyn Fn() -> Box<dyn Store>) {
    let mut s = open();
    let r = rec(
        "https://example.org/a/alpha",
        Some("abc123"),
        3,
        "2025-06-01T12:00:00Z",
    );
    s.save(&r).expect("save");
    let found = s
        .find(&r.source, Some("abc123"), "0.1.0")
        .expect("find")
        .expect("stored");
    assert_eq!(found, r, "every field comes back as saved");
    assert_eq!(
        s.find(&r.source, Some("abc123"), "0.2.0").expect("find"),
        None
    );
    assert_eq!(
        s.find(&r.source, Some("other"), "0.1.0").expect("find"),
        None
    );
    assert_eq!(s.find(&r.source, None, "0.1.0").expect("find"), None);
    assert_eq!(
        s.find("elsewhere", Some("abc123"), "0.1.0").expect("find"),
        None
    );
    // Another connection sees it too.
    let mut again = open();
    assert_eq!(
        again
            .find(&r.source, Some("abc123"), "0.1.0")
            .expect("find"),
        Some(r)
    );
}

fn idempotent_save(open: &dyn Fn() -> Box<dyn Store>) {
    let mut s = open();
    let r = rec("p/beta", Some("c1"), 2, "2025-06-01T12:00:00Z");
    s.save(&r).expect("save");
    s.save(&r).expect("save again");
    assert_eq!(s.all().expect("all").len(), 1);
    assert_eq!(s.leaderboard(&everything()).expect("board").len(), 1);

    // Re-assessed later (`--refresh`): replaced, still one row.
    let mut newer = rec("p/beta", Some("c1"), 4, "2025-06-02T12:00:00Z");
    newer.criteria.pop();
    s.save(&newer).expect("save newer");
    let all = s.all().expect("all");
    assert_eq!(all, vec![newer.clone()]);

    // An older record for the same key does not replace a newer one.
    s.save(&r).expect("save older");
    assert_eq!(s.all().expect("all"), vec![newer]);
}

fn null_commit(open: &dyn Fn() -> Box<dyn Store>) {
    let mut s = open();
    let plain = rec("local/gamma", None, 1, "2025-06-01T12:00:00Z");
    s.save(&plain).expect("save");
    s.save(&plain).expect("save again");
    assert_eq!(s.all().expect("all").len(), 1, "NULL commits are one key");
    let found = s.find("local/gamma", None, "0.1.0").expect("find");
    assert_eq!(found.as_ref().and_then(|r| r.commit.clone()), None);
    assert_eq!(found, Some(plain.clone()));

    // A commit is a different key of the same project.
    let committed = rec("local/gamma", Some("deadbeef"), 2, "2025-06-02T12:00:00Z");
    s.save(&committed).expect("save");
    assert_eq!(s.all().expect("all").len(), 2);
    let board = s.leaderboard(&everything()).expect("board");
    assert_eq!(board.len(), 1, "one project");
    assert_eq!(board[0].record.commit.as_deref(), Some("deadbeef"));
    assert_eq!(
        s.find("local/gamma", None, "0.1.0").expect("find"),
        Some(plain)
    );
}

/// Five projects: a★0, b★1, c★3, d★3, e★5 (names in that order).
fn five(s: &mut dyn Store) {
    for (name, stars, day, duration) in [
        ("d", 3, 4, 50),
        ("a", 0, 1, 10),
        ("e", 5, 2, 30),
        ("c", 3, 5, 20),
        ("b", 1, 3, 40),
    ] {
        let mut r = rec(
            &format!("src/{name}"),
            Some("c0"),
            stars,
            &format!("2025-06-0{day}T00:00:00Z"),
        );
        r.duration_ms = duration;
        s.save(&r).expect("save");
    }
}

fn leaderboard_filters(open: &dyn Fn() -> Box<dyn Store>) {
    let mut s = open();
    five(s.as_mut());
    let q = |f: &dyn Fn(&mut Query)| {
        let mut q = Query::default();
        f(&mut q);
        q
    };
    let board = |s: &mut Box<dyn Store>, q: Query| names(&s.leaderboard(&q).expect("board"));

    assert_eq!(board(&mut s, Query::default()), ["e", "c", "d", "b", "a"]);
    assert_eq!(
        board(&mut s, q(&|q| q.min_stars = Some(3))),
        ["e", "c", "d"]
    );
    assert_eq!(
        board(&mut s, q(&|q| q.min_stars = Some(6))),
        Vec::<String>::new()
    );
    assert_eq!(
        board(
            &mut s,
            q(&|q| q.criteria = vec![(CriterionId::C2_2, Status::Pass)])
        ),
        ["e", "c", "d"]
    );
    assert_eq!(
        board(
            &mut s,
            q(&|q| q.criteria = vec![(CriterionId::C2_2, Status::Fail)])
        ),
        ["b", "a"]
    );
    assert_eq!(
        board(
            &mut s,
            q(&|q| q.criteria = vec![(CriterionId::C5_2, Status::Pass)])
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        board(&mut s, q(&|q| q.stages = vec![(3, true)])),
        ["e", "c", "d"]
    );
    assert_eq!(board(&mut s, q(&|q| q.stages = vec![(4, true)])), ["e"]);
    assert_eq!(
        board(&mut s, q(&|q| q.stages = vec![(2, false)])),
        ["b", "a"]
    );
    assert_eq!(
        board(
            &mut s,
            q(&|q| {
                q.min_stars = Some(1);
                q.criteria = vec![
                    (CriterionId::C3_1, Status::Fail),
                    (CriterionId::C1_1, Status::Pass),
                ];
                q.stages = vec![(1, true)];
            })
        ),
        ["b"]
    );
    assert_eq!(board(&mut s, q(&|q| q.limit = Some(2))), ["e", "c"]);
    assert_eq!(
        board(&mut s, q(&|q| q.limit = Some(0))),
        Vec::<String>::new()
    );

    // Entries carry the whole record but its report.
    let top = s.leaderboard(&Query::default()).expect("board");
    let mut e = rec("src/e", Some("c0"), 5, "2025-06-02T00:00:00Z");
    e.duration_ms = 30;
    assert_eq!(top[0].record, row(&e));
}

fn sorting(open: &dyn Fn() -> Box<dyn Store>) {
    let mut s = open();
    five(s.as_mut());
    // Case and ties: "B2" ties with b on stars and sorts after it.
    s.save(&rec("src/B2", Some("c0"), 1, "2025-06-06T00:00:00Z"))
        .expect("save");
    let by = |s: &mut Box<dyn Store>, sort: Sort| {
        names(
            &s.leaderboard(&Query {
                sort,
                ..Query::default()
            })
            .expect("board"),
        )
    };
    assert_eq!(by(&mut s, Sort::StarsDesc), ["e", "c", "d", "b", "B2", "a"]);
    assert_eq!(by(&mut s, Sort::Name), ["a", "b", "B2", "c", "d", "e"]);
    assert_eq!(by(&mut s, Sort::Date), ["B2", "c", "d", "b", "e", "a"]);
    // B2 took 101 ms.
    assert_eq!(by(&mut s, Sort::Duration), ["B2", "d", "b", "e", "c", "a"]);
}

fn history(open: &dyn Fn() -> Box<dyn Store>) {
    let mut s = open();
    let src = "https://example.org/h/delta";
    // Saved out of order; one timestamp carries an offset
    // (10:00+02:00 is 08:00Z, between the first two).
    let first = rec(src, Some("c1"), 1, "2025-01-01T09:00:00Z");
    let mut second = rec(src, Some("c2"), 2, "2025-01-01T10:00:00+02:00");
    let mut third = rec(src, Some("c3"), 4, "2025-01-01T09:00:00.250Z");
    second.name = "delta-old".into();
    third.name = "Delta".into();
    s.save(&third).expect("save");
    s.save(&first).expect("save");
    s.save(&second).expect("save");
    s.save(&rec("other/eps", None, 2, "2025-01-01T00:00:00Z"))
        .expect("save");

    let board = s.leaderboard(&Query::default()).expect("board");
    assert_eq!(board.len(), 2);
    let delta = board
        .iter()
        .find(|e| e.record.source == src)
        .expect("listed");
    assert_eq!(
        delta.record,
        row(&third),
        "the latest record by assessed_at"
    );

    let (name, source, history) = s
        .project(delta.project_id)
        .expect("project")
        .expect("exists");
    assert_eq!((name.as_str(), source.as_str()), ("Delta", src));
    let commits: Vec<_> = history.iter().map(|r| r.commit.as_deref()).collect();
    assert_eq!(
        commits,
        [Some("c3"), Some("c1"), Some("c2")],
        "newest first"
    );
    // Records carry the project's name: the one its latest record gave.
    let named = |r: &Record| Record {
        name: "Delta".into(),
        ..r.clone()
    };
    assert_eq!(
        history,
        [third.clone(), named(&first), named(&second)],
        "with their reports"
    );
    assert_eq!(s.project(delta.project_id + 1000).expect("project"), None);

    // A newer assessment moves the leaderboard on.
    let fourth = rec(src, Some("c4"), 0, "2025-02-01T00:00:00Z");
    s.save(&fourth).expect("save");
    let board = s.leaderboard(&Query::default()).expect("board");
    assert_eq!(board[0].record.source, "other/eps");
    assert_eq!(board[1].record, row(&fourth));
    assert_eq!(
        board[1].project_id, delta.project_id,
        "project ids are stable"
    );
}

fn errors(open: &dyn Fn() -> Box<dyn Store>) {
    let mut s = open();
    s.save(&rec("ok/one", None, 2, "2025-03-01T00:00:00Z"))
        .expect("save");
    let failed = error_rec(
        "https://example.org/x/broken",
        "2025-03-01T00:00:01Z",
        "clone failed: repository not found",
    );
    s.save(&failed).expect("save error");

    let stored = s
        .find(&failed.source, None, "0.1.0")
        .expect("find")
        .expect("stored");
    assert_eq!(stored.status, RecordStatus::Error);
    assert_eq!(
        stored.error.as_deref(),
        Some("clone failed: repository not found")
    );
    assert_eq!(stored.stars, None, "an error is never 0 stars");
    assert_eq!(stored, failed);

    assert_eq!(
        names(&s.leaderboard(&Query::default()).expect("board")),
        ["one"]
    );
    let all = s.leaderboard(&everything()).expect("board");
    assert_eq!(names(&all), ["one", "broken"], "errors sort last");
    // Errors are listed alongside the filtered successes.
    let filtered = s
        .leaderboard(&Query {
            min_stars: Some(3),
            include_errors: true,
            ..Query::default()
        })
        .expect("board");
    assert_eq!(names(&filtered), ["broken"]);

    // A later success replaces the error as the project's latest.
    s.save(&rec(
        "https://example.org/x/broken",
        Some("c9"),
        1,
        "2025-03-02T00:00:00Z",
    ))
    .expect("save");
    assert_eq!(
        names(&s.leaderboard(&Query::default()).expect("board")),
        ["one", "broken"]
    );
}

fn invalid_records(open: &dyn Fn() -> Box<dyn Store>) {
    let mut s = open();
    let bad_date = rec("x/bad", None, 1, "yesterday");
    let e = s.save(&bad_date).expect_err("not RFC 3339");
    assert!(matches!(e, StoreError::Invalid(_)), "{e}");
    assert!(e.to_string().contains("yesterday"), "{e}");
    let mut twice = rec("x/twice", None, 1, "2025-01-01T00:00:00Z");
    twice.criteria.push((CriterionId::C1_1, Status::Fail));
    assert!(matches!(s.save(&twice), Err(StoreError::Invalid(_))));
    let mut huge = rec("x/huge", None, 1, "2025-01-01T00:00:00Z");
    huge.duration_ms = u64::MAX;
    assert!(matches!(s.save(&huge), Err(StoreError::Invalid(_))));
    assert!(s.all().expect("all").is_empty(), "nothing half-saved");
    // Text is stored as given, markup included.
    let odd = rec(
        "x/<script>alert(1)</script>'; DROP TABLE projects; --",
        None,
        1,
        "2025-01-01T00:00:00Z",
    );
    s.save(&odd).expect("save");
    assert_eq!(s.all().expect("all"), vec![odd]);
}

/// `writers` stores, opened at once, each save 50 records of an
/// overlapping range; every project must then be present exactly once
/// with the stars its source implies.
fn concurrent_writers(open: Arc<dyn Fn() -> Box<dyn Store> + Send + Sync>, writers: usize) {
    let barrier = Arc::new(Barrier::new(writers));
    let threads: Vec<_> = (0..writers)
        .map(|k| {
            let open = Arc::clone(&open);
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                let mut s = open();
                write_range(s.as_mut(), k * 25, 50);
            })
        })
        .collect();
    for t in threads {
        t.join().expect("writer thread");
    }
    check_range(open().as_mut(), (writers - 1) * 25 + 50);
}

fn project_stars(i: usize) -> u8 {
    u8::try_from(i % 6).unwrap_or(0)
}

fn write_range(s: &mut dyn Store, start: usize, count: usize) {
    for i in start..start + count {
        let r = rec(
            &format!("shard/p{i:03}"),
            Some(&format!("{i:040x}")),
            project_stars(i),
            "2025-04-01T00:00:00Z",
        );
        s.save(&r).expect("concurrent save");
    }
}

fn check_range(s: &mut dyn Store, projects: usize) {
    let board = s.leaderboard(&everything()).expect("board");
    assert_eq!(board.len(), projects, "every project exactly once");
    assert_eq!(
        s.all().expect("all").len(),
        projects,
        "no duplicate assessments"
    );
    let mut seen = std::collections::BTreeSet::new();
    for e in &board {
        let i: usize = e.record.source["shard/p".len()..].parse().expect("number");
        assert!(seen.insert(i), "{} twice", e.record.source);
        assert_eq!(
            e.record.stars,
            Some(project_stars(i)),
            "{}",
            e.record.source
        );
        assert_eq!(e.record.stages.len(), 5);
        assert_eq!(e.record.criteria.len(), 4);
    }
    assert_eq!(seen.len(), projects);
}

// ----------------------------------------------------------------- SQLite

fn sqlite(dir: &tempfile::TempDir) -> impl Fn() -> Box<dyn Store> + Send + Sync + 'static {
    let path = sqlite_path(dir, "nested/folders/rank.db");
    move || store::open(&path).expect("open SQLite store")
}

macro_rules! sqlite_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite_backend {
            $(
                #[test]
                fn $name() {
                    let dir = tempfile::tempdir().expect("tempdir");
                    super::$name(&super::sqlite(&dir));
                }
            )*
        }
    };
}

sqlite_tests!(
    round_trip,
    idempotent_save,
    null_commit,
    leaderboard_filters,
    sorting,
    history,
    errors,
    invalid_records,
);

#[test]
fn sqlite_threads_write_one_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    concurrent_writers(Arc::new(sqlite(&dir)), 4);
}

const CHILD_DB: &str = "REPROSCALE_STORE_TEST_CHILD_DB";
const CHILD_START: &str = "REPROSCALE_STORE_TEST_CHILD_START";

/// Run by `sqlite_processes_write_one_file` in child processes; does
/// nothing on its own.
#[test]
fn child_writer() {
    let (Ok(db), Ok(start)) = (std::env::var(CHILD_DB), std::env::var(CHILD_START)) else {
        return;
    };
    let mut s = store::open(&db).expect("open in child");
    write_range(s.as_mut(), start.parse().expect("start"), 50);
}

#[test]
fn sqlite_processes_write_one_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = sqlite_path(&dir, "shared.db");
    let exe = std::env::current_exe().expect("test binary");
    let children: Vec<_> = (0..3)
        .map(|k| {
            Command::new(&exe)
                .args(["--exact", "child_writer", "--test-threads=1", "--nocapture"])
                .env(CHILD_DB, &db)
                .env(CHILD_START, (k * 25).to_string())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn child")
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().expect("child");
        assert!(
            out.status.success(),
            "a child writer failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    check_range(store::open(&db).expect("open").as_mut(), 100);
}

#[test]
fn sqlite_migrates_an_empty_file_and_reopens() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = sqlite_path(&dir, "empty.db");
    std::fs::write(&path, b"").expect("empty file");
    let r = rec("m/one", Some("c"), 3, "2025-05-01T00:00:00Z");
    store::open(&path).expect("migrate").save(&r).expect("save");

    let conn = rusqlite::Connection::open(&path).expect("raw open");
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .expect("user_version");
    assert_eq!(version, 1);
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .expect("journal_mode");
    assert_eq!(mode, "wal");
    let mut tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .expect("prepare")
        .query_map([], |row| row.get(0))
        .expect("tables")
        .collect::<Result<_, _>>()
        .expect("names");
    tables.sort();
    assert_eq!(tables, ["assessments", "criteria", "projects", "stages"]);
    drop(conn);

    // Re-opening migrates nothing and keeps the data.
    let mut again = store::open(&path).expect("reopen");
    assert_eq!(again.all().expect("all"), vec![r]);
}

#[test]
fn sqlite_refuses_newer_and_foreign_databases() {
    let dir = tempfile::tempdir().expect("tempdir");
    let newer = sqlite_path(&dir, "newer.db");
    drop(store::open(&newer).expect("create"));
    rusqlite::Connection::open(&newer)
        .expect("raw")
        .execute_batch("PRAGMA user_version = 99")
        .expect("bump");
    let e = store::open(&newer).err().expect("newer schema refused");
    assert!(matches!(e, StoreError::Schema(_)), "{e}");
    assert!(
        e.to_string().contains("newer.db") && e.to_string().contains("99"),
        "{e}"
    );

    let foreign = sqlite_path(&dir, "foreign.db");
    rusqlite::Connection::open(&foreign)
        .expect("raw")
        .execute_batch("CREATE TABLE notes (body TEXT)")
        .expect("foreign table");
    let e = store::open(&foreign)
        .err()
        .expect("foreign database refused");
    assert!(e.to_string().contains("not a reproscale database"), "{e}");

    let text = sqlite_path(&dir, "text.db");
    std::fs::write(&text, "this is not a database, just some words in a file").expect("write");
    let e = store::open(&text).err().expect("text file refused");
    assert!(matches!(e, StoreError::Sqlite { .. }), "{e}");
    assert!(e.to_string().contains("text.db"), "{e}");
}

#[test]
fn merge_two_databases_with_overlap() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = sqlite_path(&dir, "a.db");
    let b = sqlite_path(&dir, "b.db");
    let into = sqlite_path(&dir, "out/all.db");
    {
        let mut sa = store::open(&a).expect("a");
        write_range(sa.as_mut(), 0, 30);
        sa.save(&error_rec(
            "shard/failed",
            "2025-04-01T00:00:00Z",
            "timed out",
        ))
        .expect("save");
        // Older history of a project both shards hold.
        sa.save(&rec("shard/p020", Some("old"), 0, "2025-03-01T00:00:00Z"))
            .expect("save");
        let mut sb = store::open(&b).expect("b");
        write_range(sb.as_mut(), 20, 30);
    }
    let inputs = vec![a.clone(), b.clone()];
    let written = store::merge(&inputs, &into).expect("merge");
    assert_eq!(written, 32 + 30, "every input record is written");

    let mut all = store::open(&into).expect("merged");
    let board = all.leaderboard(&everything()).expect("board");
    assert_eq!(
        board.len(),
        51,
        "50 shard projects and the failure, once each"
    );
    assert_eq!(all.all().expect("all").len(), 52, "union of the records");
    let p020 = board
        .iter()
        .find(|e| e.record.source == "shard/p020")
        .expect("p020");
    assert_eq!(p020.record.stars, Some(project_stars(20)));
    let (_, _, history) = all
        .project(p020.project_id)
        .expect("project")
        .expect("p020");
    assert_eq!(history.len(), 2);
    drop(all);

    // Merging again changes nothing.
    store::merge(&inputs, &into).expect("merge again");
    let mut all = store::open(&into).expect("merged");
    assert_eq!(all.all().expect("all").len(), 52);
    // The order of the inputs does not matter (project ids aside).
    let reversed = sqlite_path(&dir, "reversed.db");
    store::merge(&[b, a], &reversed).expect("merge reversed");
    let records = |s: &mut dyn Store| -> Vec<Record> {
        let board = s.leaderboard(&everything()).expect("board");
        board.into_iter().map(|e| e.record).collect()
    };
    let mut rev = store::open(&reversed).expect("reversed");
    assert_eq!(rev.all().expect("all").len(), 52);
    assert!(
        records(rev.as_mut()) == records(all.as_mut()),
        "same leaderboard"
    );
}

#[test]
fn merge_of_a_missing_input_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = sqlite_path(&dir, "missing.db");
    let into = sqlite_path(&dir, "into.db");
    let e = store::merge(std::slice::from_ref(&missing), &into).expect_err("missing input");
    assert!(matches!(e, StoreError::Invalid(_)), "{e}");
    assert!(e.to_string().contains("missing.db"), "{e}");
    assert!(!Path::new(&missing).exists(), "the input is not created");
    assert!(!Path::new(&into).exists(), "nothing is merged into");
}

#[test]
fn postgres_urls_are_recognised() {
    assert!(store::is_postgres("postgres://u@h/db"));
    assert!(store::is_postgres("postgresql://u@h/db"));
    assert!(!store::is_postgres("results/postgres.db"));
}

// ------------------------------------------------------------- PostgreSQL

/// The server URL, or `None` (after saying so) when the PostgreSQL tests
/// are to be skipped. In CI (`CI=true`) a missing server is a failure.
fn pg_url() -> Option<String> {
    match std::env::var("REPROSCALE_TEST_PG") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but REPROSCALE_TEST_PG is unset: CI must start PostgreSQL \
                 and point REPROSCALE_TEST_PG at it"
            );
            eprintln!("skipping PostgreSQL test: set REPROSCALE_TEST_PG=postgres://…");
            None
        }
    }
}

/// A fresh schema on the test server, dropped when this goes away; its
/// URL makes connections use it.
struct PgSchema {
    admin: String,
    schema: String,
    url: String,
}

impl PgSchema {
    fn new(base: &str, test: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let schema = format!("rs_{test}_{}_{nanos}", std::process::id());
        let mut client = postgres::Client::connect(base, postgres::NoTls)
            .expect("connect to REPROSCALE_TEST_PG");
        client
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .expect("create schema");
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-csearch_path%3D{schema}");
        PgSchema {
            admin: base.to_string(),
            schema,
            url,
        }
    }

    fn opener(&self) -> impl Fn() -> Box<dyn Store> + Send + Sync + 'static {
        let url = self.url.clone();
        move || store::open(&url).expect("open PostgreSQL store")
    }

    fn count(&self, table: &str) -> i64 {
        let mut client = postgres::Client::connect(&self.url, postgres::NoTls).expect("connect");
        client
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .expect("count")
            .get(0)
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if let Ok(mut client) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema));
        }
    }
}

macro_rules! pg_tests {
    ($($name:ident),* $(,)?) => {
        mod postgres_backend {
            $(
                #[test]
                fn $name() {
                    let Some(url) = super::pg_url() else { return };
                    let schema = super::PgSchema::new(&url, stringify!($name));
                    super::$name(&schema.opener());
                }
            )*
        }
    };
}

pg_tests!(
    round_trip,
    idempotent_save,
    null_commit,
    leaderboard_filters,
    sorting,
    history,
    errors,
    invalid_records,
);

#[test]
fn postgres_two_writers_at_once() {
    let Some(url) = pg_url() else { return };
    let schema = PgSchema::new(&url, "two_writers");
    // Both connections also migrate the fresh schema at the same moment.
    concurrent_writers(Arc::new(schema.opener()), 2);
    assert_eq!(schema.count("projects"), 75);
    assert_eq!(schema.count("assessments"), 75);
    assert_eq!(schema.count("stages"), 75 * 5);
    assert_eq!(schema.count("schema_version"), 1);
}

#[test]
fn postgres_migration_and_merge_to_sqlite() {
    let Some(url) = pg_url() else { return };
    let schema = PgSchema::new(&url, "migrate");
    let open = schema.opener();
    write_range(open().as_mut(), 0, 10);
    drop(open());
    let mut client = postgres::Client::connect(&schema.url, postgres::NoTls).expect("connect");
    let version: i64 = client
        .query_one("SELECT version FROM schema_version", &[])
        .expect("version")
        .get(0);
    assert_eq!(version, 1);
    client
        .batch_execute("UPDATE schema_version SET version = 99")
        .expect("bump");
    let e = store::open(&schema.url)
        .err()
        .expect("newer schema refused");
    assert!(matches!(e, StoreError::Schema(_)), "{e}");
    client
        .batch_execute("UPDATE schema_version SET version = 1")
        .expect("restore");

    // PostgreSQL and SQLite stores merge both ways.
    let dir = tempfile::tempdir().expect("tempdir");
    let local = sqlite_path(&dir, "local.db");
    write_range(store::open(&local).expect("local").as_mut(), 5, 10);
    assert_eq!(
        store::merge(std::slice::from_ref(&schema.url), &local).expect("pg → sqlite"),
        10
    );
    check_range(store::open(&local).expect("local").as_mut(), 15);
    assert_eq!(
        store::merge(std::slice::from_ref(&local), &schema.url).expect("sqlite → pg"),
        15
    );
    check_range(open().as_mut(), 15);
}

#[test]
fn postgres_errors_name_the_database_without_its_password() {
    let Some(_) = pg_url() else { return };
    let e = store::open("postgres://someone:hunter2@127.0.0.1:1/nowhere")
        .err()
        .expect("nothing listens on port 1");
    let message = e.to_string();
    assert!(matches!(e, StoreError::Postgres { .. }), "{message}");
    assert!(message.contains("127.0.0.1:1/nowhere"), "{message}");
    assert!(!message.contains("hunter2"), "{message}");
}
