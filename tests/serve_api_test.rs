//! The dashboard's pagination, `/api/projects` filters, `/api` page and
//! ETags, driven in process with `tower::ServiceExt::oneshot` over a
//! temporary SQLite store of 25 projects.

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use reproscale::assessment::Status;
use reproscale::criteria::catalog::CriterionId;
use serde_json::Value;
use tower::ServiceExt;

use reproscale::rank::store::{self, Record, RecordStatus, Stage};
use reproscale::serve::router;

/// A successful record of `name` with `stars` stars: stages 1..=stars pass,
/// criterion 2.2 passes on even stars and fails on odd ones.
fn rec(name: &str, stars: u8, day: u32) -> Record {
    Record {
        name: name.to_string(),
        source: format!("/src/{name}"),
        commit: Some(format!("{name}-commit")),
        tool_version: "0.1.0".to_string(),
        assessed_at: format!("2025-06-{day:02}T10:00:00Z"),
        duration_ms: 100 + u64::from(day),
        status: RecordStatus::Ok,
        error: None,
        stars: Some(stars),
        basis: "static".to_string(),
        stages: (1..=5)
            .map(|stage| Stage {
                stage,
                passed: stage <= stars,
                met: u8::from(stage <= stars) + 1,
                total: 2,
            })
            .collect(),
        criteria: vec![
            (CriterionId::C1_1, Status::Pass),
            (
                CriterionId::C2_2,
                if stars % 2 == 0 {
                    Status::Pass
                } else {
                    Status::Fail
                },
            ),
        ],
        report_json: Some(format!("{{\"stars\": {stars}}}")),
    }
}

/// 25 projects `p01`…`p25` with 0 to 5 stars, and one error.
fn fixture() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("r.db").to_string_lossy().into_owned();
    let mut s = store::open(&db).expect("open");
    for i in 1..=25u8 {
        s.save(&rec(&format!("p{i:02}"), i % 6, u32::from(i)))
            .expect("save");
    }
    s.save(&Record {
        status: RecordStatus::Error,
        error: Some("no such host".into()),
        stars: None,
        stages: Vec::new(),
        criteria: Vec::new(),
        report_json: None,
        ..rec("zz-broken", 0, 26)
    })
    .expect("save");
    (dir, db)
}

struct Got {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

async fn send(app: &Router, uri: &str, if_none_match: Option<&str>) -> Got {
    let mut req = Request::builder().uri(uri);
    if let Some(tag) = if_none_match {
        req = req.header(header::IF_NONE_MATCH, tag);
    }
    let resp = app
        .clone()
        .oneshot(req.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    Got {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).expect("utf-8"),
    }
}

async fn get(app: &Router, uri: &str) -> Got {
    send(app, uri, None).await
}

async fn get_json(app: &Router, uri: &str) -> (StatusCode, Value) {
    let got = get(app, uri).await;
    let v = serde_json::from_str(&got.body).unwrap_or_else(|e| panic!("{uri}: {e}\n{}", got.body));
    (got.status, v)
}

fn names(v: &Value) -> Vec<String> {
    v["projects"]
        .as_array()
        .expect("projects")
        .iter()
        .map(|p| p["name"].as_str().expect("name").to_string())
        .collect()
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

/// The `href` of the link with id `id`, unescaped.
fn link(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!("id=\"{id}\" href=\""))?;
    let rest = &html[at + id.len() + 12..];
    let end = rest.find('"')?;
    Some(
        rest[..end]
            .replace("&#x2f;", "/")
            .replace("&amp;", "&")
            .replace("&#x3d;", "="),
    )
}

fn etag(got: &Got) -> String {
    got.headers
        .get(header::ETAG)
        .expect("an ETag")
        .to_str()
        .expect("ascii")
        .to_string()
}

// ------------------------------------------------------------------ tests

#[tokio::test]
async fn api_pages_carry_totals_and_links() {
    let (_dir, db) = fixture();
    let app = router(db);
    // By default every one of the 25 fits on one page.
    let (status, all) = get_json(&app, "/api/projects").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(all["total"], 25);
    assert_eq!(all["page"], 1);
    assert_eq!(all["per_page"], 50);
    assert_eq!(all["pages"], 1);
    assert_eq!(all["count"], 25);
    assert_eq!(all["next_url"], Value::Null);
    assert_eq!(all["prev_url"], Value::Null);
    let all = names(&all);

    let (_, p1) = get_json(&app, "/api/projects?per_page=10").await;
    assert_eq!(
        (&p1["total"], &p1["page"], &p1["pages"], &p1["count"]),
        (&25.into(), &1.into(), &3.into(), &10.into())
    );
    assert_eq!(p1["next_url"], "/api/projects?per_page=10&page=2");
    assert_eq!(names(&p1), all[..10]);
    let (_, p3) = get_json(&app, "/api/projects?per_page=10&page=3").await;
    assert_eq!(p3["count"], 5);
    assert_eq!(p3["total"], 25);
    assert_eq!(p3["next_url"], Value::Null);
    assert_eq!(p3["prev_url"], "/api/projects?per_page=10&page=2");
    assert_eq!(names(&p3), all[20..]);
    // Ranks are over the whole list, not the page.
    let (_, full) = get_json(&app, "/api/projects").await;
    assert_eq!(p3["projects"][0]["rank"], full["projects"][20]["rank"]);
    // Past the last page: empty, same total.
    let (status, past) = get_json(&app, "/api/projects?per_page=10&page=4").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (past["count"].clone(), past["total"].clone()),
        (0.into(), 25.into())
    );
    assert_eq!(past["prev_url"], "/api/projects?per_page=10&page=3");
    // The total counts the filtered list; `limit` caps it.
    let (_, top) = get_json(&app, "/api/projects?limit=7&per_page=5&page=2").await;
    assert_eq!(
        (top["total"].clone(), top["count"].clone()),
        (7.into(), 2.into())
    );
}

#[tokio::test]
async fn leaderboard_pages_with_total_and_prev_next_links() {
    let (_dir, db) = fixture();
    let app = router(db);
    let one = get(&app, "/").await;
    assert_eq!(row_names(&one.body).len(), 25);
    assert!(
        one.body.contains("data-total=\"25\">25 projects"),
        "{}",
        one.body
    );
    assert_eq!(link(&one.body, "next"), None);
    assert_eq!(link(&one.body, "prev"), None);

    let p1 = get(&app, "/?per_page=10&min_stars=1").await;
    let (_, api) = get_json(&app, "/api/projects?min_stars=1").await;
    let total = api["total"].as_u64().expect("total");
    assert_eq!(total, 21, "the 25 less the four with 0 stars");
    assert!(p1
        .body
        .contains("data-total=\"21\">21 projects</span> matching the filters"));
    assert!(p1.body.contains("showing 1–10, page 1 of 3"), "{}", p1.body);
    assert_eq!(row_names(&p1.body), names(&api)[..10]);
    let next = link(&p1.body, "next").expect("a next link");
    assert_eq!(next, "/?min_stars=1&per_page=10&page=2");
    assert_eq!(link(&p1.body, "prev"), None);
    // The filter form keeps per_page.
    assert!(p1.body.contains("name=\"per_page\" value=\"10\""));
    let p2 = get(&app, &next).await;
    assert_eq!(p2.status, StatusCode::OK);
    assert_eq!(row_names(&p2.body), names(&api)[10..20]);
    assert!(p2.body.contains("showing 11–20, page 2 of 3"));
    assert_eq!(
        link(&p2.body, "prev").expect("a prev link"),
        "/?min_stars=1&per_page=10"
    );
    let last = link(&p2.body, "next").expect("a next link");
    assert_eq!(last, "/?min_stars=1&per_page=10&page=3");
    // The sort links go back to page 1 and keep per_page.
    assert!(p2
        .body
        .contains("href=\"&#x2f;?min_stars=1&amp;sort=name&amp;per_page=10\""));
    // The JSON link is the same page.
    assert!(p2
        .body
        .contains("&#x2f;api&#x2f;projects?min_stars=1&amp;per_page=10&amp;page=2"));
    let p3 = get(&app, &last).await;
    assert_eq!(row_names(&p3.body), names(&api)[20..]);
    assert!(p3.body.contains("showing 21–21, page 3 of 3"));
    assert_eq!(link(&p3.body, "next"), None);
    assert!(link(&p3.body, "prev").is_some());
    let past = get(&app, "/?per_page=10&page=9").await;
    assert_eq!(past.status, StatusCode::OK);
    assert!(
        past.body.contains("No project on this page"),
        "{}",
        past.body
    );
}

#[tokio::test]
async fn api_filters_equal_the_leaderboards() {
    let (_dir, db) = fixture();
    let app = router(db);
    for query in [
        "",
        "?min_stars=3",
        "?criterion=2.2:pass",
        "?criterion=seeds-in-config%3Dfail&sort=name",
        "?stage=4:passed&stage=5:failed",
        "?sort=date",
        "?sort=duration&limit=6",
        "?include_errors=true&sort=name",
        "?min_stars=2&criterion=2.2:pass&stage=&sort=name&per_page=3&page=2",
    ] {
        let (status, v) = get_json(&app, &format!("/api/projects{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}");
        let page = get(&app, &format!("/{query}")).await;
        assert_eq!(page.status, StatusCode::OK, "{query}");
        assert_eq!(row_names(&page.body), names(&v), "{query}");
        assert!(
            page.body
                .contains(&format!("data-total=\"{}\"", v["total"])),
            "{query}"
        );
    }
    let (_, v) = get_json(&app, "/api/projects?include_errors=true&sort=name").await;
    assert_eq!(names(&v).last().map(String::as_str), Some("zz-broken"));
}

#[tokio::test]
async fn bad_page_values_are_400() {
    let (_dir, db) = fixture();
    let app = router(db);
    for (q, needle) in [
        ("page=0", "page must be a positive whole number"),
        ("page=-2", "page must be a positive whole number"),
        ("page=x", "page must be a positive whole number"),
        ("page=1&page=2", "page is given more than once"),
        ("per_page=0", "per_page must be 1 to 500"),
        ("per_page=501", "per_page must be 1 to 500"),
        ("per_page=ten", "per_page must be 1 to 500"),
    ] {
        let (status, v) = get_json(&app, &format!("/api/projects?{q}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q}");
        let e = v["error"].as_str().expect("error");
        assert!(e.contains(needle), "{q}: {e}");
        let html = get(&app, &format!("/?{q}")).await;
        assert_eq!(html.status, StatusCode::BAD_REQUEST, "{q}");
        assert!(html.body.contains(needle), "{q}: {}", html.body);
    }
}

#[tokio::test]
async fn api_page_lists_every_endpoint_and_parameter() {
    let (_dir, db) = fixture();
    let app = router(db);
    let got = get(&app, "/api").await;
    assert_eq!(got.status, StatusCode::OK);
    let ct = got.headers.get(header::CONTENT_TYPE).expect("type");
    assert_eq!(ct, "text/html; charset=utf-8");
    assert!(got.headers.contains_key(header::CONTENT_SECURITY_POLICY));
    for path in [
        "/api/projects",
        "/api/projects/{id}",
        "/projects/{id}/badge.svg",
        "/projects/{id}",
        "/api",
    ] {
        assert!(
            got.body
                .contains(&format!("class=\"endpoint\" data-path=\"{path}\"")),
            "{path}"
        );
    }
    for name in [
        "min_stars",
        "criterion",
        "stage",
        "sort",
        "limit",
        "include_errors",
        "page",
        "per_page",
    ] {
        assert!(
            got.body
                .contains(&format!("class=\"param\" data-name=\"{name}\"")),
            "{name}"
        );
    }
    assert!(got.body.contains("1 to 500; 50 by default"));
    // The leaderboard links to it.
    assert!(get(&app, "/").await.body.contains("href=\"/api\""));
}

#[tokio::test]
async fn etags_and_304_not_modified() {
    let (_dir, db) = fixture();
    let app = router(db.clone());
    let (_, v) = get_json(&app, "/api/projects?per_page=1").await;
    let id = v["projects"][0]["id"].as_i64().expect("id");
    for uri in [
        format!("/projects/{id}"),
        format!("/projects/{id}/badge.svg"),
        format!("/api/projects/{id}"),
        "/api/projects?min_stars=2".to_string(),
        "/".to_string(),
    ] {
        let first = get(&app, &uri).await;
        assert_eq!(first.status, StatusCode::OK, "{uri}");
        let tag = etag(&first);
        assert!(
            tag.len() > 2 && tag.starts_with('"') && tag.ends_with('"'),
            "strong: {tag}"
        );
        let again = get(&app, &uri).await;
        assert_eq!(etag(&again), tag, "{uri}: the same body, the same tag");

        let cached = send(&app, &uri, Some(&tag)).await;
        assert_eq!(cached.status, StatusCode::NOT_MODIFIED, "{uri}");
        assert!(cached.body.is_empty(), "{uri}: {}", cached.body);
        assert_eq!(etag(&cached), tag);
        // The security headers stay.
        assert_eq!(
            cached
                .headers
                .get(header::X_CONTENT_TYPE_OPTIONS)
                .expect("nosniff"),
            "nosniff"
        );
        assert_eq!(
            cached.headers.get(header::CACHE_CONTROL).expect("cache"),
            "no-cache"
        );
        if !uri.starts_with("/api/") {
            assert!(
                cached.headers.contains_key(header::CONTENT_SECURITY_POLICY),
                "{uri}"
            );
        }
        // A list of tags, or a weak one, matches too; another tag does not.
        let listed = send(&app, &uri, Some(&format!("\"other\", W/{tag}"))).await;
        assert_eq!(listed.status, StatusCode::NOT_MODIFIED, "{uri}");
        let stale = send(&app, &uri, Some("\"0123\"")).await;
        assert_eq!(stale.status, StatusCode::OK, "{uri}");
        assert_eq!(stale.body, first.body);
    }
    // HEAD gets the tag of the GET body.
    let uri = format!("/projects/{id}/badge.svg");
    let get_tag = etag(&get(&app, &uri).await);
    let head = app
        .clone()
        .oneshot(
            Request::builder()
                .method("HEAD")
                .uri(&uri)
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(
        head.headers()
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok()),
        Some(get_tag.as_str())
    );
    // Errors get no tag.
    let missing = get(&app, "/projects/99999").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(!missing.headers.contains_key(header::ETAG));
    let bad = send(&app, "/?page=0", Some("*")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_changed_store_changes_the_etag() {
    let (_dir, db) = fixture();
    let app = router(db.clone());
    let (_, v) = get_json(&app, "/api/projects?sort=name&per_page=1").await;
    let id = v["projects"][0]["id"].as_i64().expect("id");
    assert_eq!(v["projects"][0]["name"], "p01");
    let page_uri = format!("/projects/{id}");
    let badge_uri = format!("/projects/{id}/badge.svg");
    let page = etag(&get(&app, &page_uri).await);
    let badge = etag(&get(&app, &badge_uri).await);
    let list = etag(&get(&app, "/api/projects").await);

    // p01 is assessed again at a new commit, with 4 stars instead of 1.
    let mut newer = rec("p01", 4, 27);
    newer.commit = Some("p01-second".into());
    store::open(&db).expect("open").save(&newer).expect("save");

    let page2 = get(&app, &page_uri).await;
    assert_ne!(etag(&page2), page);
    let badge2 = get(&app, &badge_uri).await;
    assert_ne!(etag(&badge2), badge);
    assert!(badge2.body.contains("4/5"), "{}", badge2.body);
    assert_ne!(etag(&get(&app, "/api/projects").await), list);
    // The old tag no longer matches: the new body comes back.
    let revalidated = send(&app, &badge_uri, Some(&badge)).await;
    assert_eq!(revalidated.status, StatusCode::OK);
    assert_eq!(revalidated.body, badge2.body);
}
