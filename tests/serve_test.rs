//! The dashboard (`reproscale::serve`) over a temporary SQLite store,
//! driven in process with `tower::ServiceExt::oneshot`.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use reproscale::assessment::Status;
use reproscale::criteria::catalog::CriterionId;
use serde_json::{json, Value};
use tower::ServiceExt;

use reproscale::rank::store::{self, Record, RecordStatus, Stage};
use reproscale::serve::router;

const XSS: &str = "<script>alert(1)</script>";

// ---------------------------------------------------------------- helpers

/// A successful record: stages 1..=stars pass; criterion 2.2 has status
/// `s22`; the stored report has evidence and a fix for 2.2 and a finding.
fn rec(name: &str, commit: &str, stars: u8, s22: &str, at: &str) -> Record {
    let stages: Vec<Stage> = (1..=5)
        .map(|stage| Stage {
            stage,
            passed: stage <= stars,
            met: if stage <= stars { 2 } else { 1 },
            total: 2,
        })
        .collect();
    let criteria = vec![
        (CriterionId::C1_1, Status::Pass),
        (CriterionId::C2_2, s22.parse().expect("a status")),
        (
            CriterionId::C3_1,
            if stars >= 3 {
                Status::Pass
            } else {
                Status::Fail
            },
        ),
    ];
    let report = json!({
        "schema_version": 1,
        "project": {"path": format!("/src/{name}"), "commit": commit},
        "stars": stars,
        "basis": "static",
        "stages": stages.iter().map(|s| json!({
            "stage": s.stage, "name": "x", "passed": s.passed, "met": s.met, "total": s.total,
        })).collect::<Vec<_>>(),
        "criteria": [
            {"id": "1.1", "stage": 1, "title": "Code runs end to end", "status": "pass",
             "summary": format!("entry point of {name}"),
             "evidence": [{"path": "train.py", "note": "entry point"}], "looked_for": []},
            {"id": "2.2", "stage": 2, "title": "Seeds are set in configuration", "status": s22,
             "summary": format!("seed summary of {name}"),
             "evidence": [{"path": "train.py", "line": 12, "note": format!("seed note of {name}")}],
             "looked_for": ["seed keys"],
             "fix": "Put the seed in config.yaml and read it."},
            {"id": "3.1", "stage": 3, "title": "Data is declared", "status": criteria[2].1,
             "summary": "data summary", "evidence": [], "looked_for": ["dvc.yaml"]}
        ],
        "findings": [
            {"rule": "unseeded-rng", "path": "nb.ipynb", "cell": 3, "line": 2,
             "message": format!("finding of {name}"), "on_run_path": true}
        ],
        "entry_points": ["train.py"],
        "skipped": []
    });
    Record {
        name: name.to_string(),
        source: format!("/src/{name}"),
        commit: Some(commit.to_string()),
        tool_version: "0.1.0".to_string(),
        assessed_at: at.to_string(),
        duration_ms: 100 + u64::from(stars) * 10,
        status: RecordStatus::Ok,
        error: None,
        stars: Some(stars),
        basis: "static".to_string(),
        stages,
        criteria,
        report_json: Some(report.to_string()),
    }
}

fn error_rec(name: &str, at: &str, cause: &str) -> Record {
    Record {
        name: name.to_string(),
        source: format!("/src/{name}"),
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

/// A store with: alpha 5★, beta 3★ (and an older 2★ assessment at
/// another commit), an XSS-named project 2★ with markup in its report,
/// gamma 1★ (2.2 fails), and broken (an error).
fn fixture() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("r.db").to_string_lossy().into_owned();
    let mut s = store::open(&db).expect("open");
    let mut xss = rec(XSS, "cccccccccccc", 2, "pass", "2025-06-03T10:00:00Z");
    xss.source = "/src/xss\"><img src=x onerror=alert(3)>".to_string();
    let report = xss
        .report_json
        .as_deref()
        .expect("report")
        .replace("entry point\"", "<img src=x onerror=alert(2)>\"");
    xss.report_json = Some(report);
    for r in [
        rec(
            "alpha",
            "aaaaaaaaaaaa1111",
            5,
            "pass",
            "2025-06-01T10:00:00Z",
        ),
        rec(
            "beta",
            "bbbbbbbbbbbb0001",
            2,
            "partial",
            "2025-05-01T09:00:00Z",
        ),
        rec(
            "beta",
            "bbbbbbbbbbbb0002",
            3,
            "pass",
            "2025-06-02T09:00:00Z",
        ),
        xss,
        rec("gamma", "dddddddddddd", 1, "fail", "2025-06-04T08:00:00Z"),
        error_rec(
            "broken",
            "2025-06-05T08:00:00Z",
            "could not clone: no such host",
        ),
    ] {
        s.save(&r).expect("save");
    }
    (dir, db)
}

struct Got {
    status: StatusCode,
    content_type: String,
    csp: Option<String>,
    body: String,
}

async fn send(app: &Router, method: &str, uri: &str) -> Got {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .body(Body::empty())
        .expect("request");
    let resp = app.clone().oneshot(req).await.expect("response");
    let status = resp.status();
    let header = |name: header::HeaderName| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let content_type = header(header::CONTENT_TYPE).unwrap_or_default();
    let csp = header(header::CONTENT_SECURITY_POLICY);
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    Got {
        status,
        content_type,
        csp,
        body: String::from_utf8(bytes.to_vec()).expect("utf-8 body"),
    }
}

async fn get(app: &Router, uri: &str) -> Got {
    send(app, "GET", uri).await
}

async fn get_json(app: &Router, uri: &str) -> (StatusCode, Value) {
    let got = get(app, uri).await;
    assert_eq!(got.content_type, "application/json", "{uri}");
    let v = serde_json::from_str(&got.body).unwrap_or_else(|e| panic!("{uri}: {e}\n{}", got.body));
    (got.status, v)
}

/// The project names of the leaderboard's rows, in order.
fn row_names(html: &str) -> Vec<String> {
    html.split("<tr class=\"project ")
        .skip(1)
        .map(|row| {
            let cell = row.split("<td class=\"name\">").nth(1).expect("name cell");
            let start = cell.find('>').expect("link") + 1;
            let end = cell.find("</a>").expect("link end");
            cell[start..end].to_string()
        })
        .collect()
}

const XSS_ESCAPED: &str = "&lt;script&gt;alert(1)&lt;";

/// The XSS name as the templates write it.
const XSS_HTML: &str = "&lt;script&gt;alert(1)&lt;&#x2f;script&gt;";

/// Text as minijinja's HTML escaping writes it.
fn esc(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            '/' => out.push_str("&#x2f;"),
            c => out.push(c),
        }
    }
    out
}

async fn id_of(app: &Router, name: &str) -> i64 {
    let (_, v) = get_json(app, "/api/projects?include_errors=true").await;
    v["projects"]
        .as_array()
        .expect("projects")
        .iter()
        .find(|p| p["name"] == name)
        .and_then(|p| p["id"].as_i64())
        .unwrap_or_else(|| panic!("no project {name} in {v}"))
}

// ------------------------------------------------------------------ tests

#[tokio::test]
async fn leaderboard_lists_projects_by_stars() {
    let (_dir, db) = fixture();
    let app = router(db);
    let got = get(&app, "/").await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.content_type, "text/html; charset=utf-8");
    assert_eq!(row_names(&got.body), ["alpha", "beta", XSS_HTML, "gamma"]);
    // Stars, per-stage progress, short commit and date are shown.
    assert!(got.body.contains("★★★★★<small>5/5</small>"), "{}", got.body);
    assert!(got.body.contains("★★★☆☆<small>3/5</small>"));
    assert!(got.body.contains("<b>3</b>2/2"), "stage progress");
    assert!(got.body.contains(">bbbbbbbbbb<"), "short commit");
    assert!(got.body.contains("2025-06-02 09:00"), "date");
    // The error is left out unless asked for, then listed last, unranked.
    assert!(!got.body.contains("broken"));
    let all = get(&app, "/?include_errors=true").await;
    let names = row_names(&all.body);
    assert_eq!(names.len(), 5);
    assert_eq!(names[4], "broken");
    assert!(all.body.contains("could not clone: no such host"));
    // Column headers are sort links that keep the filters.
    let filtered = get(&app, "/?min_stars=2").await;
    assert!(
        filtered
            .body
            .contains("href=\"&#x2f;?min_stars=2&amp;sort=name\""),
        "{}",
        filtered.body
    );
}

#[tokio::test]
async fn leaderboard_sorts_by_name_date_and_duration() {
    let (_dir, db) = fixture();
    let app = router(db);
    let by_name = row_names(&get(&app, "/?sort=name").await.body);
    assert_eq!(by_name[..3], [XSS_HTML, "alpha", "beta"]);
    let by_date = row_names(&get(&app, "/?sort=date").await.body);
    assert_eq!(by_date[0], "gamma");
    assert_eq!(by_date[3], "alpha");
    let by_time = row_names(&get(&app, "/?sort=duration").await.body);
    assert_eq!(by_time[0], "alpha");
    assert_eq!(by_time[3], "gamma");
}

#[tokio::test]
async fn filters_by_min_stars_criterion_and_stage() {
    let (_dir, db) = fixture();
    let app = router(db);
    assert_eq!(
        row_names(&get(&app, "/?min_stars=3").await.body),
        ["alpha", "beta"]
    );
    assert_eq!(
        row_names(&get(&app, "/?criterion=2.2:fail").await.body),
        ["gamma"]
    );
    assert_eq!(
        row_names(&get(&app, "/?criterion=seeds-in-config%3Dfail").await.body),
        ["gamma"],
        "slug and `=` work too"
    );
    assert_eq!(
        row_names(
            &get(&app, "/?criterion=2.2:pass&criterion=3.1:pass")
                .await
                .body
        ),
        ["alpha", "beta"]
    );
    assert_eq!(
        row_names(&get(&app, "/?stage=3:passed").await.body),
        ["alpha", "beta"]
    );
    assert_eq!(
        row_names(&get(&app, "/?stage=2:failed").await.body),
        ["gamma"]
    );
    // The form keeps what was asked (an empty field means "any").
    let page = get(&app, "/?min_stars=3&criterion=2.2:pass&stage=&sort=").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<option value=\"3\" selected>"));
    assert!(page.body.contains("name=\"criterion\" value=\"2.2:pass\""));
    let none = get(&app, "/?min_stars=5&criterion=2.2:fail").await;
    assert!(row_names(&none.body).is_empty());
    assert!(none.body.contains("No project matches these filters"));
}

#[tokio::test]
async fn bad_parameters_are_400_with_a_message() {
    let (_dir, db) = fixture();
    let app = router(db);
    for (uri, needle) in [
        ("/?min_stars=9", "min_stars must be 0 to 5"),
        ("/?criterion=2.2", "2.2:pass"),
        ("/?criterion=8.1:pass", "unknown criterion"),
        ("/?stage=3:maybe", "passed"),
        ("/?sort=random", "sort must be"),
        ("/?colour=red", "unknown parameter"),
    ] {
        let got = get(&app, uri).await;
        assert_eq!(got.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(got.content_type.starts_with("text/html"), "{uri}");
        assert!(got.body.contains(needle), "{uri}: {}", got.body);
    }
    let (status, v) = get_json(&app, "/api/projects?min_stars=x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(v["error"].as_str().unwrap().contains("min_stars"), "{v}");
}

#[tokio::test]
async fn project_page_shows_criteria_evidence_fixes_badge_and_history() {
    let (_dir, db) = fixture();
    let app = router(db);
    let id = id_of(&app, "beta").await;
    let got = get(&app, &format!("/projects/{id}")).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.body);
    let b = &got.body;
    assert!(b.contains("<h1 id=\"project-name\">beta</h1>"));
    // Criteria grouped by stage, with status, summary, evidence and fix.
    assert!(b.contains("Stage 2 · Configuration"), "{b}");
    assert!(b.contains("data-criterion=\"2.2\" data-status=\"pass\""));
    assert!(b.contains("Seeds are set in configuration"));
    assert!(b.contains("seed summary of beta"));
    assert!(b.contains("<code>train.py:12</code> — seed note of beta"));
    assert!(b.contains("Put the seed in config.yaml and read it."));
    assert!(
        !b.contains("Looked for:"),
        "only unmet criteria say what was looked for"
    );
    // Findings with notebook locations.
    assert!(b.contains("<code>nb.ipynb[cell 3]:2</code>"));
    assert!(b.contains("finding of beta"));
    // The badge.
    assert!(b.contains(&format!(
        "<img id=\"badge\" src=\"&#x2f;projects&#x2f;{id}&#x2f;badge.svg\""
    )));
    // History across both commits, newest first, with stars.
    let history = b.split("<table id=\"history\">").nth(1).expect("history");
    let first = history.find("bbbbbbbbbbbb0002").expect("newer commit");
    let second = history.find("bbbbbbbbbbbb0001").expect("older commit");
    assert!(first < second, "newest first");
    assert!(history.contains("★★★☆☆<small>3/5</small>"));
    assert!(history.contains("★★☆☆☆<small>2/5</small>"));

    let gamma = id_of(&app, "gamma").await;
    let got = get(&app, &format!("/projects/{gamma}")).await;
    assert!(
        got.body.contains("Looked for: dvc.yaml"),
        "an unmet criterion without evidence says what was looked for"
    );
}

#[tokio::test]
async fn error_project_page_and_badge() {
    let (_dir, db) = fixture();
    let app = router(db);
    let id = id_of(&app, "broken").await;
    let got = get(&app, &format!("/projects/{id}")).await;
    assert_eq!(got.status, StatusCode::OK);
    assert!(got.body.contains("The latest assessment failed"));
    assert!(got.body.contains("could not clone: no such host"));
    assert!(got.body.contains("No successful assessment"));
    let badge = get(&app, &format!("/projects/{id}/badge.svg")).await;
    assert_eq!(
        badge.status,
        StatusCode::NOT_FOUND,
        "an error is never 0 stars"
    );
}

#[tokio::test]
async fn badge_is_svg() {
    let (_dir, db) = fixture();
    let app = router(db);
    let id = id_of(&app, "beta").await;
    let got = get(&app, &format!("/projects/{id}/badge.svg")).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.content_type, "image/svg+xml");
    assert!(got.body.starts_with("<svg"), "{}", got.body);
    assert!(got.body.contains("reproducibility: 3/5"));
    assert_eq!(got.body, reproscale::render::badge::svg(3));
}

#[tokio::test]
async fn api_shapes() {
    let (_dir, db) = fixture();
    let app = router(db);
    let (status, v) = get_json(&app, "/api/projects").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["count"], 4);
    let list = v["projects"].as_array().expect("projects");
    let names: Vec<&str> = list.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["alpha", "beta", XSS, "gamma"]);
    let beta = &list[1];
    assert_eq!(beta["rank"], 2);
    assert_eq!(beta["stars"], 3);
    assert_eq!(beta["status"], "ok");
    assert_eq!(beta["commit"], "bbbbbbbbbbbb0002");
    assert_eq!(beta["source"], "/src/beta");
    assert_eq!(beta["assessed_at"], "2025-06-02T09:00:00Z");
    assert_eq!(beta["duration_ms"], 130);
    assert_eq!(beta["criteria"]["2.2"], "pass");
    assert_eq!(beta["stages"].as_array().unwrap().len(), 5);
    assert_eq!(
        beta["stages"][2],
        json!({"stage": 3, "name": "data", "passed": true, "met": 2, "total": 2})
    );
    let id = beta["id"].as_i64().expect("id");
    assert_eq!(beta["url"], format!("/projects/{id}"));
    assert_eq!(beta["badge_url"], format!("/projects/{id}/badge.svg"));
    assert_eq!(beta["api_url"], format!("/api/projects/{id}"));

    // Same filters as the page.
    let (_, v) = get_json(&app, "/api/projects?min_stars=3&sort=name").await;
    let names: Vec<&str> = v["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["alpha", "beta"]);
    let (_, v) = get_json(&app, "/api/projects?include_errors=1").await;
    let broken = &v["projects"][4];
    assert_eq!(broken["status"], "error");
    assert_eq!(broken["rank"], Value::Null);
    assert_eq!(broken["stars"], Value::Null);
    assert_eq!(broken["error"], "could not clone: no such host");

    // One project: latest, stored report, history.
    let (status, p) = get_json(&app, &format!("/api/projects/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(p["id"], id);
    assert_eq!(p["name"], "beta");
    assert_eq!(p["latest"]["stars"], 3);
    assert_eq!(p["report"]["criteria"][1]["id"], "2.2");
    assert_eq!(
        p["report"]["criteria"][1]["fix"],
        "Put the seed in config.yaml and read it."
    );
    let history = p["history"].as_array().expect("history");
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["commit"], "bbbbbbbbbbbb0002");
    assert_eq!(history[1]["commit"], "bbbbbbbbbbbb0001");
    assert_eq!(history[1]["stars"], 2);
    assert_eq!(history[1]["criteria"]["2.2"], "partial");
}

#[tokio::test]
async fn unknown_ids_and_pages_are_404() {
    let (_dir, db) = fixture();
    let app = router(db);
    for uri in ["/projects/99999", "/projects/abc", "/nowhere"] {
        let got = get(&app, uri).await;
        assert_eq!(got.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(got.content_type.starts_with("text/html"), "{uri}");
        assert!(got.body.contains("404 · Not Found"), "{uri}: {}", got.body);
    }
    for uri in [
        "/api/projects/99999",
        "/api/projects/abc",
        "/api/nothing",
        "/projects/99999/badge.svg",
    ] {
        let got = get(&app, uri).await;
        assert_eq!(got.status, StatusCode::NOT_FOUND, "{uri}");
        let v: Value = serde_json::from_str(&got.body).expect("json");
        assert!(v["error"].is_string(), "{uri}");
    }
}

#[tokio::test]
async fn read_only() {
    let (_dir, db) = fixture();
    let app = router(db);
    for uri in ["/", "/api/projects", "/projects/1"] {
        let got = send(&app, "POST", uri).await;
        assert_eq!(got.status, StatusCode::METHOD_NOT_ALLOWED, "{uri}");
    }
}

#[tokio::test]
async fn project_text_is_escaped_in_html_and_json() {
    let (_dir, db) = fixture();
    let app = router(db);
    let list = get(&app, "/").await;
    assert!(!list.body.contains(XSS));
    assert!(!list.body.contains("<img src=x"));
    assert!(list.body.contains(XSS_ESCAPED));
    // No script can run on any page, whatever slips through.
    let csp = list.csp.expect("a Content-Security-Policy");
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    assert!(!csp.contains("script-src"), "{csp}");

    let id = id_of(&app, XSS).await;
    let page = get(&app, &format!("/projects/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains(XSS), "{}", page.body);
    assert!(
        !page.body.contains("<img src=x"),
        "evidence notes and source"
    );
    assert!(page.body.contains(XSS_ESCAPED));
    assert!(page.body.contains("&lt;img src=x onerror=alert(2)&gt;"));
    assert!(page.body.contains("&lt;img src=x onerror=alert(3)&gt;"));
    assert!(page.body.contains("<title>&lt;script&gt;"));

    // JSON: the same text, with no markup a browser could sniff.
    let raw = get(&app, &format!("/api/projects/{id}")).await;
    assert!(!raw.body.contains('<'), "{}", raw.body);
    let v: Value = serde_json::from_str(&raw.body).expect("json");
    assert_eq!(v["name"], XSS);
    let list = get(&app, "/api/projects").await;
    assert!(!list.body.contains('<'));
    assert!(list.body.contains("\\u003cscript\\u003ealert(1)"));
}

#[tokio::test]
async fn real_report_renders() {
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/unseeded-numpy");
    let report =
        reproscale::assess(&reproscale::source::Input::Directory(fixture)).expect("assess");
    let json_text = reproscale::render::json::render(&report);
    let record = Record {
        name: "unseeded-numpy".into(),
        source: "tests/fixtures/unseeded-numpy".into(),
        commit: report.project.commit.clone(),
        tool_version: reproscale::VERSION.into(),
        assessed_at: "2025-06-01T00:00:00Z".into(),
        duration_ms: 42,
        status: RecordStatus::Ok,
        error: None,
        stars: Some(report.stars),
        basis: "static".into(),
        stages: report
            .stages
            .iter()
            .map(|s| Stage {
                stage: s.stage,
                passed: s.passed,
                met: u8::try_from(s.met).unwrap(),
                total: u8::try_from(s.total).unwrap(),
            })
            .collect(),
        criteria: report.criteria.iter().map(|c| (c.id, c.status)).collect(),
        report_json: Some(json_text),
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("real.db").to_string_lossy().into_owned();
    store::open(&db).expect("open").save(&record).expect("save");
    let app = router(db);
    let id = id_of(&app, "unseeded-numpy").await;
    let page = get(&app, &format!("/projects/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for c in &report.criteria {
        assert!(
            page.body.contains(&format!(
                "data-criterion=\"{}\" data-status=\"{}\"",
                c.id,
                c.status.as_str()
            )),
            "criterion {} shown",
            c.id
        );
    }
    let fix = report
        .criteria
        .iter()
        .find_map(|c| c.fix.as_deref())
        .expect("a failing criterion with a fix");
    assert!(page.body.contains(&esc(fix)), "fix shown: {fix}");
    assert!(page.body.contains(&esc(&report.criteria[0].summary)));
    assert!(
        page.body.contains(&format!(
            "{}<small>{}/5</small>",
            reproscale::render::star_glyphs(report.stars),
            report.stars
        )) || report.stars == 0
    );
}
