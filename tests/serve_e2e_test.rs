//! The dashboard end to end: `reproscale::serve::serve` on a loopback port,
//! driven by headless Chromium (`--dump-dom`, `--screenshot`).
//!
//! Without Chromium the test is skipped with a message, except when `CI`
//! is `true` (CI installs the Debian package `chromium`), where it fails.
//! The screenshots are kept in `$CARGO_TARGET_TMPDIR/serve-e2e/`.

use reproscale::assessment::Status;
use reproscale::criteria::catalog::CriterionId;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reproscale::rank::store::{self, Record, RecordStatus, Stage};

const XSS: &str = "<script>alert(1)</script>";

// ---------------------------------------------------------------- helpers

fn rec(name: &str, commit: &str, stars: u8, at: &str) -> Record {
    let stages: Vec<Stage> = (1..=5)
        .map(|stage| Stage {
            stage,
            passed: stage <= stars,
            met: if stage <= stars { 3 } else { 1 },
            total: 3,
        })
        .collect();
    let s22 = if stars >= 2 { "pass" } else { "fail" };
    let report = serde_json::json!({
        "schema_version": 1,
        "stars": stars,
        "basis": "static",
        "criteria": [
            {"id": "1.1", "stage": 1, "title": "Code runs end to end", "status": "pass",
             "summary": "1 entry point(s)", "evidence": [{"path": "train.py", "note": "entry point"}]},
            {"id": "2.2", "stage": 2, "title": "Seeds are set in configuration", "status": s22,
             "summary": format!("seeds of {name}"),
             "evidence": [{"path": "config.yaml", "line": 4, "note": "seed: 42"}],
             "fix": "Put the seed in config.yaml."}
        ],
        "findings": [],
    });
    Record {
        name: name.to_string(),
        source: format!("https://example.org/{name}"),
        commit: Some(commit.to_string()),
        tool_version: "0.1.0".to_string(),
        assessed_at: at.to_string(),
        duration_ms: 250,
        status: RecordStatus::Ok,
        error: None,
        stars: Some(stars),
        basis: "static".to_string(),
        stages,
        criteria: vec![
            (CriterionId::C1_1, Status::Pass),
            (CriterionId::C2_2, s22.parse().expect("a status")),
        ],
        report_json: Some(report.to_string()),
    }
}

/// Chromium, from `/usr/bin/chromium` or the PATH.
fn chromium() -> Option<PathBuf> {
    let fixed = Path::new("/usr/bin/chromium");
    if fixed.is_file() {
        return Some(fixed.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// Runs headless Chromium with `args` on `url` in a fresh profile and
/// returns its stdout; fails after two minutes.
fn chrome(exe: &Path, profile_root: &Path, args: &[&str], url: &str) -> String {
    let profile = tempfile::tempdir_in(profile_root).expect("profile dir");
    let mut child = Command::new(exe)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    let out = child.stdout.take().expect("stdout");
    let err = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || std::io::read_to_string(out).unwrap_or_default());
    let err_reader = std::thread::spawn(move || std::io::read_to_string(err).unwrap_or_default());
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 2 minutes on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    assert!(
        status.success(),
        "chromium failed on {url}: {status}\n{stderr}"
    );
    stdout
}

/// The `(href, text)` of every link in a serialized DOM.
fn links(dom: &str) -> Vec<(String, String)> {
    dom.split("<a href=\"")
        .skip(1)
        .filter_map(|rest| {
            let href_end = rest.find('"')?;
            let text_start = rest.find('>')? + 1;
            let text_end = rest.find("</a>")?;
            Some((
                rest[..href_end].replace("&amp;", "&"),
                rest.get(text_start..text_end)?.to_string(),
            ))
        })
        .collect()
}

/// The project names in the leaderboard rows of a serialized DOM.
fn row_names(dom: &str) -> Vec<String> {
    dom.split("<tr class=\"project ")
        .skip(1)
        .filter_map(|row| {
            let cell = row.split("<td class=\"name\">").nth(1)?;
            links(cell).into_iter().next().map(|(_, text)| text)
        })
        .collect()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Starts the dashboard in a background runtime and waits until it accepts
/// connections; the thread ends with the test process.
fn start(db: String) -> SocketAddr {
    let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        if let Err(e) = rt.block_on(reproscale::serve::serve(db, addr)) {
            eprintln!("serve failed: {e}");
        }
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(addr).is_err() {
        assert!(
            Instant::now() < deadline,
            "the dashboard did not start on {addr}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    addr
}

// ------------------------------------------------------------------ test

#[test]
fn dashboard_in_headless_chromium() {
    let Some(exe) = chromium() else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("chromium is not installed; CI must install it (apt-get install -y chromium)");
        }
        eprintln!("skipping the dashboard end-to-end test: chromium is not installed (apt-get install -y chromium)");
        return;
    };

    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("ranked.db").to_string_lossy().into_owned();
    {
        let mut s = store::open(&db).expect("open");
        for r in [
            rec("alpha", "a1a1a1a1a1a1a1a1", 5, "2025-06-01T10:00:00Z"),
            rec("beta", "b0b0b0b0b0b0b0b0", 2, "2025-05-01T10:00:00Z"),
            rec("beta", "b1b1b1b1b1b1b1b1", 4, "2025-06-02T10:00:00Z"),
            rec("gamma", "c1c1c1c1c1c1c1c1", 3, "2025-06-03T10:00:00Z"),
            rec("delta", "d1d1d1d1d1d1d1d1", 1, "2025-06-04T10:00:00Z"),
            rec(XSS, "e1e1e1e1e1e1e1e1", 2, "2025-06-05T10:00:00Z"),
        ] {
            s.save(&r).expect("save");
        }
    }
    let addr = start(db);
    let base = format!("http://{addr}");
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-e2e");
    std::fs::create_dir_all(&shots).expect("screenshot dir");

    // The leaderboard: every project, by stars, the XSS name as text.
    let dom = chrome(&exe, dir.path(), &["--dump-dom"], &format!("{base}/"));
    assert!(dom.contains("Reproducibility leaderboard"), "{dom}");
    assert_eq!(
        row_names(&dom),
        [
            "alpha",
            "beta",
            "gamma",
            "&lt;script&gt;alert(1)&lt;/script&gt;",
            "delta"
        ],
        "{dom}"
    );
    assert!(
        !dom.contains("<script"),
        "no script element in the page: {dom}"
    );
    assert!(dom.contains("★★★★☆<small>4/5</small>"));

    // Filtered by stars.
    let dom = chrome(
        &exe,
        dir.path(),
        &["--dump-dom"],
        &format!("{base}/?min_stars=3"),
    );
    assert_eq!(row_names(&dom), ["alpha", "beta", "gamma"], "{dom}");
    assert!(dom.contains("matching the filters"));

    // A project page, through the link the leaderboard shows.
    let (href, _) = links(&dom)
        .into_iter()
        .find(|(_, text)| text == "beta")
        .expect("a link to beta");
    assert!(href.starts_with("/projects/"), "{href}");
    let dom = chrome(&exe, dir.path(), &["--dump-dom"], &format!("{base}{href}"));
    assert!(dom.contains("<h1 id=\"project-name\">beta</h1>"), "{dom}");
    assert!(dom.contains("https://example.org/beta"));
    assert!(dom.contains("★★★★☆"));
    assert!(dom.contains("Seeds are set in configuration"));
    assert!(dom.contains("seeds of beta"));
    assert!(dom.contains("<code>config.yaml:4</code> — seed: 42"));
    assert!(dom.contains("Put the seed in config.yaml."));
    assert!(dom.contains(&format!("src=\"{href}/badge.svg\"")));
    let history = dom.split("id=\"history\"").nth(1).expect("history table");
    assert!(history.contains("b1b1b1b1b1"), "newer commit in history");
    assert!(history.contains("b0b0b0b0b0"), "older commit in history");
    assert!(history.contains("2/5") && history.contains("4/5"));

    // Screenshots: the leaderboard and the project page.
    for (name, url) in [
        ("leaderboard.png", format!("{base}/")),
        ("project.png", format!("{base}{href}")),
    ] {
        let png = shots.join(name);
        let _ = std::fs::remove_file(&png);
        chrome(
            &exe,
            dir.path(),
            &[
                &format!("--screenshot={}", png.display()),
                "--window-size=1200,900",
                "--hide-scrollbars",
            ],
            &url,
        );
        let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
        assert!(
            bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{} is a PNG",
            png.display()
        );
        assert!(
            bytes.len() > 20_000,
            "{} is only {} bytes",
            png.display(),
            bytes.len()
        );
        eprintln!("screenshot: {}", png.display());
    }
}
