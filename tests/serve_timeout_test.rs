//! `reproscale serve` against slow clients (issue 13): the real binary on an
//! ephemeral loopback port, with a one-second header-read timeout
//! (`REPROSCALE_SERVE_HEADER_TIMEOUT=1`).
//!
//! A connection that stalls in its request head, trickles it a byte at a
//! time, or sends nothing at all is closed soon after the timeout, while a
//! normal request on another connection is still answered. Ctrl-C
//! (`SIGINT`) and `SIGTERM` stop the server cleanly.
//!
//! With room for one connection, a second client waits for the first to be
//! closed and is then answered.
//!
//! Every wait has a deadline, so a regression fails instead of hanging.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use reproscale::rank::store;

/// The header-read timeout the server runs with in these tests.
const TIMEOUT: Duration = Duration::from_secs(1);
/// How long past `TIMEOUT` a slow connection may stay open (a loaded
/// machine schedules late, so this is generous).
const MARGIN: Duration = Duration::from_secs(9);

/// A running `reproscale serve`, killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    /// The server's stderr, line by line.
    stderr: Receiver<String>,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `reproscale serve` over an empty store on `127.0.0.1:0` and waits
/// (at most a minute) for the address it prints.
fn start() -> Server {
    start_with(&[], &TIMEOUT.as_secs().to_string())
}

/// [`start`] with more arguments and this `REPROSCALE_SERVE_HEADER_TIMEOUT`.
fn start_with(extra: &[&str], env_timeout: &str) -> Server {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("r.db").to_string_lossy().into_owned();
    drop(store::open(&db).expect("create the store"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_reproscale"))
        .args(["serve", "--db", &db, "--addr", "127.0.0.1:0"])
        .args(extra)
        .env("REPROSCALE_SERVE_HEADER_TIMEOUT", env_timeout)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start reproscale serve");
    let err = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(err).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut server = Server {
        child,
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        stderr: rx,
        _dir: dir,
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = server
            .stderr
            .recv_timeout(left)
            .expect("the dashboard printed its address within a minute");
        if let Some(rest) = line.split("http://").nth(1) {
            let addr = rest.split('/').next().unwrap_or_default();
            server.addr = addr.parse().expect("a socket address after http://");
            return server;
        }
    }
}

/// Whether the server has closed `stream`, reading (and discarding) what
/// it sends; `false` if it is still open after `wait`.
fn closed_within(stream: &mut TcpStream, wait: Duration) -> bool {
    let deadline = Instant::now() + wait;
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        stream
            .set_read_timeout(Some(left.min(Duration::from_millis(200))))
            .expect("set_read_timeout");
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => continue,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => return true,
        }
    }
}

/// One complete `GET path` on a fresh connection; the status line.
fn get(addr: SocketAddr, path: &str) -> String {
    let mut stream =
        TcpStream::connect_timeout(&addr, Duration::from_secs(10)).expect("connect for a GET");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("set_read_timeout");
    stream
        .set_write_timeout(Some(Duration::from_secs(30)))
        .expect("set_write_timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .expect("send a GET");
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .expect("the whole answer within 30 s");
    let answer = String::from_utf8_lossy(&answer);
    answer.lines().next().unwrap_or_default().to_string()
}

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10)).expect("connect");
    stream
        .set_write_timeout(Some(Duration::from_secs(10)))
        .expect("set_write_timeout");
    stream
}

// ----------------------------------------------------------------- tests

#[test]
fn stalled_request_head_is_closed_after_the_header_timeout() {
    let server = start();
    let mut slow = connect(server.addr);
    let opened = Instant::now();
    slow.write_all(b"GET /api/projects HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        .expect("send a partial head");

    // A normal request on another connection is answered meanwhile.
    assert_eq!(get(server.addr, "/api/projects"), "HTTP/1.1 200 OK");

    assert!(
        closed_within(&mut slow, TIMEOUT + MARGIN),
        "a connection stalled in its request head was still open after {:?}",
        TIMEOUT + MARGIN
    );
    let took = opened.elapsed();
    assert!(
        took >= TIMEOUT / 2,
        "closed after {took:?}, well before the {TIMEOUT:?} timeout"
    );

    // The server still serves afterwards.
    assert_eq!(get(server.addr, "/api/projects"), "HTTP/1.1 200 OK");
}

#[test]
fn trickled_request_head_is_closed_after_the_header_timeout() {
    let server = start();
    let mut slow = connect(server.addr);
    let opened = Instant::now();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        .expect("send a partial head");
    slow.set_read_timeout(Some(Duration::from_millis(100)))
        .expect("set_read_timeout");
    let deadline = opened + TIMEOUT + MARGIN;
    let mut buf = [0u8; 4096];
    let closed = loop {
        if Instant::now() > deadline {
            break false;
        }
        // One more byte of a header that never ends, every 100 ms.
        if slow.write_all(b"a").is_err() {
            break true;
        }
        match slow.read(&mut buf) {
            Ok(0) => break true,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                ) => {}
            Err(_) => break true,
        }
    };
    assert!(
        closed,
        "a connection trickling its request head was still open after {:?}",
        TIMEOUT + MARGIN
    );
    assert_eq!(get(server.addr, "/"), "HTTP/1.1 200 OK");
}

#[test]
fn silent_and_idle_keep_alive_connections_are_closed() {
    let server = start();
    // Connects and never sends a byte.
    let mut silent = connect(server.addr);
    // Sends one complete request, keeps the connection alive and goes quiet.
    let mut idle = connect(server.addr);
    idle.write_all(b"GET /api HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .expect("send a request");
    assert!(
        closed_within(&mut silent, TIMEOUT + MARGIN),
        "a connection that sent nothing was still open after {:?}",
        TIMEOUT + MARGIN
    );
    assert!(
        closed_within(&mut idle, TIMEOUT + MARGIN),
        "an idle keep-alive connection was still open after {:?}",
        TIMEOUT + MARGIN
    );
}

#[test]
fn the_flag_sets_the_header_timeout_over_the_environment() {
    let secs = TIMEOUT.as_secs().to_string();
    let server = start_with(&["--header-timeout", &secs], "3600");
    let mut silent = connect(server.addr);
    assert!(
        closed_within(&mut silent, TIMEOUT + MARGIN),
        "--header-timeout {secs} did not close a silent connection within {:?}",
        TIMEOUT + MARGIN
    );
}

#[test]
fn bad_header_timeouts_are_usage_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("r.db").to_string_lossy().into_owned();
    drop(store::open(&db).expect("create the store"));
    let run = |extra: &[&str], env: &str| {
        Command::new(env!("CARGO_BIN_EXE_reproscale"))
            .args(["serve", "--db", &db, "--addr", "127.0.0.1:0"])
            .args(extra)
            .env("REPROSCALE_SERVE_HEADER_TIMEOUT", env)
            .stdin(Stdio::null())
            .output()
            .expect("run reproscale serve")
    };
    for (extra, env, names) in [
        (&["--header-timeout", "0"][..], "", "--header-timeout"),
        (&["--header-timeout", "soon"][..], "", "--header-timeout"),
        (&[][..], "abc", "REPROSCALE_SERVE_HEADER_TIMEOUT"),
    ] {
        let out = run(extra, env);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?} {env:?}: {stderr}");
        assert!(stderr.contains(names), "{extra:?} {env:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    }
}

#[cfg(unix)]
fn stops_cleanly_on(signal: libc::c_int) {
    let mut server = start();
    assert_eq!(get(server.addr, "/api/projects"), "HTTP/1.1 200 OK");
    // A connection that stalls mid-head must not hold the shutdown up for
    // longer than the header timeout.
    let mut slow = connect(server.addr);
    slow.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
        .expect("send a partial head");
    let pid = libc::pid_t::try_from(server.child.id()).expect("a pid");
    // SAFETY: `kill` only sends a signal to our own child process.
    assert_eq!(
        unsafe { libc::kill(pid, signal) },
        0,
        "kill({pid}, {signal})"
    );
    let deadline = Instant::now() + TIMEOUT + MARGIN + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not stop after signal {signal}"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        status.success(),
        "signal {signal} should stop the server cleanly, not {status}"
    );
    let mut lines = Vec::new();
    while let Ok(line) = server.stderr.recv_timeout(Duration::from_secs(5)) {
        lines.push(line);
    }
    assert!(
        lines
            .iter()
            .any(|l| l.contains("reproscale dashboard: stopped")),
        "no `stopped` line on stderr: {lines:?}"
    );
    assert!(
        TcpStream::connect_timeout(&server.addr, Duration::from_secs(5)).is_err(),
        "the port still accepts connections after the server stopped"
    );
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_server_cleanly() {
    stops_cleanly_on(libc::SIGINT);
}

#[cfg(unix)]
#[test]
fn sigterm_stops_the_server_cleanly() {
    stops_cleanly_on(libc::SIGTERM);
}

/// `serve_with` in process, with room for one connection: a second client
/// waits (in the listen backlog) until the first, which stalls, is closed
/// by the header timeout, and is then answered.
#[test]
fn connections_over_the_cap_wait_for_a_free_slot() {
    use reproscale::serve::{serve_with, Limits};

    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("r.db").to_string_lossy().into_owned();
    drop(store::open(&db).expect("create the store"));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let limits = Limits {
        header_timeout: TIMEOUT,
        max_connections: 1,
    };
    // The thread ends with the test process.
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        if let Err(e) = rt.block_on(serve_with(db, addr, limits)) {
            eprintln!("serve failed: {e}");
        }
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    while get_status(addr).as_deref() != Some("HTTP/1.1 200 OK") {
        assert!(
            Instant::now() < deadline,
            "the dashboard did not start on {addr}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    let mut slow = connect(addr);
    slow.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
        .expect("send a partial head");
    // Let the server take it (and the only slot).
    std::thread::sleep(Duration::from_millis(300));
    let asked = Instant::now();
    assert_eq!(get(addr, "/api/projects"), "HTTP/1.1 200 OK");
    let took = asked.elapsed();
    assert!(
        took >= TIMEOUT / 3,
        "answered after {took:?}: the second connection did not wait for the only slot"
    );
    assert!(
        closed_within(&mut slow, Duration::from_secs(1)),
        "the stalled connection is still open though another was served"
    );
    drop(dir);
}

/// The status line of a `GET /api/projects`, or `None` when the server
/// does not answer (yet).
fn get_status(addr: SocketAddr) -> Option<String> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    stream
        .write_all(b"GET /api/projects HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).ok()?;
    let answer = String::from_utf8_lossy(&answer);
    answer.lines().next().map(str::to_string)
}
