//! `reproscale serve`: a read-only web dashboard over the result store.
//!
//! - `GET /` — the leaderboard, filtered and sorted on the server by the
//!   query parameters `min_stars`, `criterion` (repeatable, `2.2:pass`),
//!   `stage` (repeatable, `3:passed`), `sort` (`stars`, `name`, `date`,
//!   `duration`), `limit` and `include_errors`, one page at a time
//!   (`page`, `per_page`: 50 rows by default, at most 500), with the total
//!   number of matching projects and links to the previous and next pages.
//! - `GET /projects/{id}` — one project: its latest assessment (criteria,
//!   evidence, fixes, findings), its badge and its history across commits.
//! - `GET /projects/{id}/badge.svg` — the badge of its latest rating.
//! - `GET /api/projects` and `GET /api/projects/{id}` — the same as JSON;
//!   the list takes the leaderboard's parameters and answers
//!   `{total, page, per_page, pages, count, prev_url, next_url, projects}`.
//! - `GET /api` — a page that documents the API.
//!
//! Every successful GET answer carries a strong `ETag` (a hash of its body)
//! and is answered `304 Not Modified` with an empty body when the request's
//! `If-None-Match` lists it, so a README badge can be revalidated cheaply.
//!
//! Everything that comes from a project is escaped: the HTML templates are
//! `*.html` (minijinja escapes them automatically and none marks project
//! text safe), JSON bodies escape `<`, `>` and `&`, and every HTML page is
//! sent with a Content-Security-Policy that allows no script at all.
//!
//! The store is blocking, so each request runs its query on the blocking
//! pool through one shared connection, opened on first use and reopened
//! after a failure.

mod params;
mod routes;
mod view;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use minijinja::Environment;

use crate::rank::store::{self, Store};

/// The templates, by name; the `.html` suffix turns on HTML autoescaping.
const TEMPLATES: [(&str, &str); 5] = [
    ("base.html", include_str!("templates/base.html")),
    (
        "leaderboard.html",
        include_str!("templates/leaderboard.html"),
    ),
    ("project.html", include_str!("templates/project.html")),
    ("error.html", include_str!("templates/error.html")),
    ("api.html", include_str!("templates/api.html")),
];

/// What every request shares.
struct AppState {
    /// The database, as given (`reproscale.db`, `postgres://…`).
    db: String,
    /// The connection, opened on first use; `None` after a failure.
    conn: Mutex<Option<Box<dyn Store>>>,
    /// The compiled templates.
    templates: Environment<'static>,
    /// Why a built-in template did not compile, if one did not.
    template_error: Option<String>,
}

/// The dashboard's routes over the store at `db` (a SQLite path or a
/// `postgres://` URL). Nothing is opened until the first request.
pub fn router(db: String) -> axum::Router {
    let mut templates = Environment::new();
    let mut template_error = None;
    for (name, source) in TEMPLATES {
        if let Err(e) = templates.add_template(name, source) {
            template_error.get_or_insert_with(|| format!("template {name}: {e}"));
        }
    }
    let state = Arc::new(AppState {
        db,
        conn: Mutex::new(None),
        templates,
        template_error,
    });
    routes::routes(state)
}

/// Serves the dashboard over the store at `db` on `addr` until the process
/// is interrupted (Ctrl-C), after printing its URL to stderr.
///
/// A SQLite database that does not exist is an error (the dashboard is
/// read-only and would otherwise create an empty one).
pub async fn serve(db: String, addr: SocketAddr) -> std::io::Result<()> {
    if let Err(why) = store::check_existing(&db) {
        return Err(std::io::Error::new(std::io::ErrorKind::NotFound, why));
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    if !local.ip().is_loopback() {
        crate::note!(
            "warning: serving on {} — the dashboard has no authentication; anyone who can reach this address can read every result",
            local.ip()
        );
    }
    crate::note!("reproscale dashboard: http://{local}/ (Ctrl-C to stop)");
    axum::serve(listener, router(db))
        .with_graceful_shutdown(async {
            // Finish the requests in flight, then stop.
            let _ = tokio::signal::ctrl_c().await;
            crate::note!("reproscale dashboard: stopped");
        })
        .await
}
