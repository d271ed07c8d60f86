//! The handlers: HTML pages, the badge and the JSON API. Read-only.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use super::params::{self, Filters, SORTS};
use super::view;
use super::AppState;
use crate::rank::store::{self, Entry, Record, Store, StoreError};

type Shared = Arc<AppState>;

/// Every route, over `state`.
pub(super) fn routes(state: Shared) -> Router {
    Router::new()
        .route("/", get(leaderboard))
        .route("/projects/{id}", get(project))
        .route("/projects/{id}/badge.svg", get(badge))
        .route("/api", get(api_docs))
        .route("/api/projects", get(api_list))
        .route("/api/projects/{id}", get(api_project))
        .fallback(not_found)
        .layer(middleware::from_fn(etag))
        .with_state(state)
}

/// The strong entity tag of `body`: a quoted prefix of its BLAKE3 hash.
pub(super) fn entity_tag(body: &[u8]) -> String {
    let hash = blake3::hash(body).to_hex();
    format!("\"{}\"", &hash.as_str()[..32])
}

/// Whether an `If-None-Match` header lists `tag` (or is `*`). The
/// comparison is weak, as RFC 9110 asks: `W/"x"` matches `"x"`.
fn none_match(headers: &HeaderMap, tag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == tag)
}

/// Gives every successful GET (and HEAD) answer an `ETag` from a hash of
/// its body, and answers `304 Not Modified` with an empty body (and the
/// same headers) when the request's `If-None-Match` lists it, so that
/// pages, badges and API answers can be revalidated cheaply.
async fn etag(req: Request, next: Next) -> Response {
    let cacheable = req.method() == Method::GET || req.method() == Method::HEAD;
    let asked = req.headers().clone();
    let resp = next.run(req).await;
    if !cacheable || resp.status() != StatusCode::OK {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(e) => {
            return Failure::Internal(format!("the answer could not be read: {e}")).json();
        }
    };
    let tag = entity_tag(&bytes);
    let Ok(value) = HeaderValue::from_str(&tag) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    parts.headers.insert(header::ETAG, value);
    if none_match(&asked, &tag) {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Why a request failed.
enum Failure {
    /// The request is wrong (a bad parameter); the message says how.
    BadRequest(String),
    /// No such page or project.
    NotFound(String),
    /// The store or a template failed.
    Internal(String),
}

impl Failure {
    fn status(&self) -> StatusCode {
        match self {
            Failure::BadRequest(_) => StatusCode::BAD_REQUEST,
            Failure::NotFound(_) => StatusCode::NOT_FOUND,
            Failure::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn message(&self) -> &str {
        match self {
            Failure::BadRequest(m) | Failure::NotFound(m) | Failure::Internal(m) => m,
        }
    }

    /// The failure as an HTML page.
    fn html(self, state: &AppState) -> Response {
        let status = self.status();
        let title = status.canonical_reason().unwrap_or("Error");
        let ctx = json!({
            "code": status.as_u16(),
            "title": title,
            "message": self.message(),
        });
        match render(state, "error.html", &ctx) {
            Ok(body) => html(status, body),
            // The error page itself failed: plain text, which needs no escaping.
            Err(e) => text(status, format!("{title}: {}\n({e})\n", self.message())),
        }
    }

    /// The failure as a JSON body `{"error": …}`.
    fn json(self) -> Response {
        let status = self.status();
        json_response(status, &json!({"error": self.message()}))
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Internal(e.to_string())
    }
}

/// The headers every response gets.
fn common(resp: &mut Response, content_type: &'static str) {
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
}

/// An HTML page; its policy allows inline styles and same-origin images,
/// and no script, frame or plugin whatever the page contains.
fn html(status: StatusCode, body: String) -> Response {
    let mut resp = (status, body).into_response();
    common(&mut resp, "text/html; charset=utf-8");
    resp.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    resp
}

fn text(status: StatusCode, body: String) -> Response {
    let mut resp = (status, body).into_response();
    common(&mut resp, "text/plain; charset=utf-8");
    resp
}

fn json_response(status: StatusCode, v: &Value) -> Response {
    let mut resp = (status, view::json_body(v)).into_response();
    common(&mut resp, "application/json");
    resp
}

/// Renders template `name` with the JSON context `ctx`.
fn render(state: &AppState, name: &str, ctx: &Value) -> Result<String, String> {
    let tmpl = state
        .templates
        .get_template(name)
        .map_err(|e| match &state.template_error {
            Some(t) => t.clone(),
            None => e.to_string(),
        })?;
    tmpl.render(view::to_template(ctx))
        .map_err(|e| format!("template {name}: {e}"))
}

fn page(state: &AppState, name: &str, ctx: &Value) -> Response {
    match render(state, name, ctx) {
        Ok(body) => html(StatusCode::OK, body),
        Err(e) => Failure::Internal(e).html(state),
    }
}

/// Runs `f` on the store on the blocking pool, opening the shared
/// connection first when there is none; a failure drops the connection so
/// that the next request opens a fresh one.
async fn with_store<T, F>(state: &Shared, f: F) -> Result<T, Failure>
where
    T: Send + 'static,
    F: FnOnce(&mut dyn Store) -> Result<T, StoreError> + Send + 'static,
{
    let state = Arc::clone(state);
    let joined = tokio::task::spawn_blocking(move || {
        let mut conn = state
            .conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut store = match conn.take() {
            Some(s) => s,
            None => store::open(&state.db)?,
        };
        let out = f(store.as_mut());
        if out.is_ok() {
            *conn = Some(store);
        }
        out
    })
    .await;
    match joined {
        Ok(r) => r.map_err(Failure::from),
        Err(e) => Err(Failure::Internal(format!(
            "the store query did not finish: {e}"
        ))),
    }
}

/// The decoded query pairs as filters.
fn filters(q: Result<Query<Vec<(String, String)>>, QueryRejection>) -> Result<Filters, Failure> {
    let Query(pairs) = q.map_err(|e| Failure::BadRequest(e.body_text()))?;
    Filters::parse(&pairs).map_err(Failure::BadRequest)
}

/// A project id from the path; anything else is no project.
fn project_id(raw: &str) -> Result<i64, Failure> {
    raw.parse::<i64>()
        .map_err(|_| Failure::NotFound(format!("there is no project `{raw}`")))
}

async fn entries(state: &Shared, f: &Filters) -> Result<Vec<Entry>, Failure> {
    let q = f.query.clone();
    with_store(state, move |s| s.leaderboard(&q)).await
}

type History = (String, String, Vec<Record>);

/// A project's name, source and history, or "not found".
async fn history(state: &Shared, raw: &str) -> Result<(i64, History), Failure> {
    let id = project_id(raw)?;
    match with_store(state, move |s| s.project(id)).await? {
        Some(h) if !h.2.is_empty() => Ok((id, h)),
        _ => Err(Failure::NotFound(format!("there is no project {id}"))),
    }
}

/// A link to the leaderboard (`base` `/`) or the API (`/api/projects`)
/// with the same filters at page `n`.
fn page_url(base: &str, f: &Filters, n: Option<usize>) -> Value {
    match n {
        Some(n) => Value::from(format!("{base}{}", f.page_query(n))),
        None => Value::Null,
    }
}

async fn leaderboard(
    State(state): State<Shared>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    let f = match filters(q) {
        Ok(f) => f,
        Err(e) => return e.html(&state),
    };
    let list = match entries(&state, &f).await {
        Ok(l) => l,
        Err(e) => return e.html(&state),
    };
    let pg = f.page_of(list.len());
    let range = pg.range();
    let rows: Vec<Value> = view::rows(&list, range.clone())
        .into_iter()
        .map(view::for_html)
        .collect();
    let q = &f.query;
    let sorts: serde_json::Map<String, Value> = SORTS
        .into_iter()
        .map(|s| {
            (
                params::sort_name(s).to_string(),
                Value::from(format!("/{}", f.query_string(Some(s)))),
            )
        })
        .collect();
    // One input per active filter, and an empty one to add another.
    let mut criteria: Vec<String> = q.criteria.iter().map(|(c, s)| format!("{c}:{s}")).collect();
    criteria.push(String::new());
    let mut stages: Vec<String> = q
        .stages
        .iter()
        .map(|(n, p)| params::stage_value(*n, *p))
        .collect();
    stages.push(String::new());
    let ctx = json!({
        "rows": rows,
        "narrowed": f.narrows(),
        "sort": params::sort_name(q.sort),
        "sort_links": sorts,
        "api_url": format!("/api/projects{}", f.same_query()),
        "total": pg.total,
        "page": pg.page,
        "pages": pg.pages(),
        "per_page": f.per_page,
        "first": range.start + 1,
        "last": range.end,
        "prev_url": page_url("/", &f, pg.prev()),
        "next_url": page_url("/", &f, pg.next()),
        "first_url": page_url("/", &f, (pg.page > 1).then_some(1)),
        "min_stars": q.min_stars,
        "criteria": criteria,
        "stages": stages,
        "stage_options": view::stage_options(),
        "limit": q.limit,
        "include_errors": q.include_errors,
    });
    page(&state, "leaderboard.html", &ctx)
}

async fn project(State(state): State<Shared>, Path(raw): Path<String>) -> Response {
    match history(&state, &raw).await {
        Ok((id, (name, source, records))) => {
            match view::project_page(id, &name, &source, &records) {
                Some(ctx) => page(&state, "project.html", &ctx),
                None => Failure::NotFound(format!("there is no project {id}")).html(&state),
            }
        }
        Err(e) => e.html(&state),
    }
}

async fn badge(State(state): State<Shared>, Path(raw): Path<String>) -> Response {
    let records = match history(&state, &raw).await {
        Ok((_, (_, _, records))) => records,
        Err(e) => return e.json(),
    };
    match view::rated(&records).and_then(|r| r.stars) {
        Some(stars) => {
            let mut resp = (StatusCode::OK, crate::render::badge::svg(stars)).into_response();
            common(&mut resp, "image/svg+xml");
            resp.headers_mut().insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
            );
            resp
        }
        None => Failure::NotFound("this project has no successful assessment yet".into()).json(),
    }
}

async fn api_list(
    State(state): State<Shared>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    let f = match filters(q) {
        Ok(f) => f,
        Err(e) => return e.json(),
    };
    match entries(&state, &f).await {
        Ok(list) => {
            let pg = f.page_of(list.len());
            let rows = view::rows(&list, pg.range());
            json_response(
                StatusCode::OK,
                &json!({
                    "total": pg.total,
                    "page": pg.page,
                    "per_page": pg.per_page,
                    "pages": pg.pages(),
                    "count": rows.len(),
                    "prev_url": page_url("/api/projects", &f, pg.prev()),
                    "next_url": page_url("/api/projects", &f, pg.next()),
                    "projects": rows,
                }),
            )
        }
        Err(e) => e.json(),
    }
}

/// The API's documentation: every endpoint and parameter, with examples.
async fn api_docs(State(state): State<Shared>) -> Response {
    let ctx = json!({
        "default_per_page": params::DEFAULT_PER_PAGE,
        "max_per_page": params::MAX_PER_PAGE,
    });
    page(&state, "api.html", &ctx)
}

async fn api_project(State(state): State<Shared>, Path(raw): Path<String>) -> Response {
    match history(&state, &raw).await {
        Ok((id, (name, source, records))) => {
            match view::project_api(id, &name, &source, &records) {
                Some(v) => json_response(StatusCode::OK, &v),
                None => Failure::NotFound(format!("there is no project {id}")).json(),
            }
        }
        Err(e) => e.json(),
    }
}

async fn not_found(State(state): State<Shared>, uri: axum::http::Uri) -> Response {
    let f = Failure::NotFound(format!("there is no page {}", uri.path()));
    if uri.path().starts_with("/api/") {
        f.json()
    } else {
        f.html(&state)
    }
}
