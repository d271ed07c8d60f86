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
//!
//! Connections are served by hyper's HTTP/1.1 server with keep-alive. A
//! client has [`DEFAULT_HEADER_TIMEOUT`] (10 s; `REPROSCALE_SERVE_HEADER_TIMEOUT`
//! sets it, in seconds) to send each request's line and headers, counted from
//! when the server starts waiting for them: a connection that sends nothing,
//! stalls or trickles its head byte by byte (slowloris), or idles between
//! keep-alive requests for that long, is closed. At most [`MAX_CONNECTIONS`]
//! connections are served at once; further ones wait in the listen backlog.
//! Ctrl-C (SIGINT) or SIGTERM stops accepting, lets the requests in flight
//! finish and closes idle connections, then returns.

mod params;
mod routes;
mod view;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use minijinja::Environment;
use tokio::sync::Semaphore;

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

/// How long a client may take to send a request's line and headers (and
/// how long a keep-alive connection may idle between requests) unless
/// [`HEADER_TIMEOUT_ENV`] says otherwise.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest header timeout [`HEADER_TIMEOUT_ENV`] may set, in seconds.
const MAX_HEADER_TIMEOUT_SECS: f64 = 3600.0;

/// The environment variable that sets the header timeout, in seconds
/// (a decimal such as `2.5` is allowed).
pub const HEADER_TIMEOUT_ENV: &str = "REPROSCALE_SERVE_HEADER_TIMEOUT";

/// How many connections are served at once by default.
pub const MAX_CONNECTIONS: usize = 256;

/// What bounds the connections of [`serve_with`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// How long a client may take to send a request's line and headers, and
    /// how long a keep-alive connection may idle; then it is closed.
    pub header_timeout: Duration,
    /// How many connections are served at once (at least one); further
    /// ones wait in the listen backlog until one closes.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
        }
    }
}

impl Limits {
    /// The defaults, with the header timeout from [`HEADER_TIMEOUT_ENV`]
    /// when it is set and not empty; an error names a value that is not a
    /// number of seconds above 0 and at most 3600.
    pub fn from_env() -> Result<Self, String> {
        let mut limits = Limits::default();
        if let Some(value) = std::env::var_os(HEADER_TIMEOUT_ENV) {
            let text = value.to_string_lossy();
            if !text.trim().is_empty() {
                limits.header_timeout = parse_timeout(&text).ok_or_else(|| {
                    format!(
                        "{HEADER_TIMEOUT_ENV} must be a number of seconds above 0 and at most 3600, not `{}`",
                        text.trim()
                    )
                })?;
            }
        }
        Ok(limits)
    }
}

/// `text` as a timeout in seconds, above 0 and at most an hour.
pub fn parse_timeout(text: &str) -> Option<Duration> {
    let secs: f64 = text.trim().parse().ok()?;
    if !(secs > 0.0 && secs <= MAX_HEADER_TIMEOUT_SECS) {
        return None;
    }
    Duration::try_from_secs_f64(secs)
        .ok()
        .filter(|d| !d.is_zero())
}

/// Serves the dashboard over the store at `db` on `addr` until the process
/// is interrupted (Ctrl-C or SIGTERM), after printing its URL to stderr,
/// with the default [`Limits`] and the header timeout from
/// [`HEADER_TIMEOUT_ENV`].
///
/// A SQLite database that does not exist is an error (the dashboard is
/// read-only and would otherwise create an empty one), and so is a
/// malformed [`HEADER_TIMEOUT_ENV`] (`InvalidInput`).
pub async fn serve(db: String, addr: SocketAddr) -> std::io::Result<()> {
    let limits = Limits::from_env()
        .map_err(|why| std::io::Error::new(std::io::ErrorKind::InvalidInput, why))?;
    serve_with(db, addr, limits).await
}

/// [`serve`] with the given `limits`.
pub async fn serve_with(db: String, addr: SocketAddr, limits: Limits) -> std::io::Result<()> {
    if let Err(why) = store::check_existing(&db) {
        return Err(std::io::Error::new(std::io::ErrorKind::NotFound, why));
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    // Installed before the address is printed, so that a signal sent by
    // whoever reads it is never missed.
    let stop = shutdown_signal();
    if !local.ip().is_loopback() {
        crate::note!(
            "warning: serving on {} — the dashboard has no authentication; anyone who can reach this address can read every result",
            local.ip()
        );
    }
    crate::note!("reproscale dashboard: http://{local}/ (Ctrl-C to stop)");

    let app = router(db);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        // A free slot first, so that a full server leaves new connections
        // in the backlog rather than accepting and starving them.
        let permit = tokio::select! {
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                // The semaphore is never closed.
                Err(_) => break,
            },
            () = &mut stop => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    if !is_connection_error(&e) {
                        // Out of file descriptors, say: wait for some to
                        // be closed rather than spin.
                        crate::note!("warning: cannot accept a connection: {e} (retrying in 1 s)");
                        tokio::select! {
                            () = tokio::time::sleep(Duration::from_secs(1)) => {}
                            () = &mut stop => break,
                        }
                    }
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let conn = graceful.watch(
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone())),
        );
        tokio::spawn(async move {
            // A failed connection (a header timeout, a reset) concerns only
            // its client.
            let _ = conn.await;
            drop(permit);
        });
    }
    // Accept nothing more; finish the requests in flight, then stop.
    drop(listener);
    crate::note!("reproscale dashboard: stopped");
    graceful.shutdown().await;
    Ok(())
}

/// Whether an `accept` failure concerns only the connection being accepted.
fn is_connection_error(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}

/// Resolves on the first Ctrl-C (SIGINT) or, on Unix, SIGTERM. On Unix
/// the handlers are installed when this is called; one that cannot be
/// installed leaves that signal's default (ending the process).
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        async fn first(signal: std::io::Result<tokio::signal::unix::Signal>) {
            match signal {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(_) => std::future::pending().await,
            }
        }
        let interrupt = first(signal(SignalKind::interrupt()));
        let terminate = first(signal(SignalKind::terminate()));
        async move {
            tokio::select! {
                () = interrupt => {}
                () = terminate => {}
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_timeouts_parse() {
        assert_eq!(parse_timeout("10"), Some(Duration::from_secs(10)));
        assert_eq!(parse_timeout(" 2.5 "), Some(Duration::from_millis(2500)));
        assert_eq!(parse_timeout("3600"), Some(Duration::from_secs(3600)));
        for bad in ["0", "-1", "3601", "NaN", "inf", "ten", "", "1e400"] {
            assert_eq!(parse_timeout(bad), None, "{bad}");
        }
    }
}
