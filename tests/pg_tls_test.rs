//! The PostgreSQL store over TLS (`sslmode`, `sslrootcert`), against a
//! server with a certificate from a throwaway CA, as `.ci/run` starts one:
//!
//! - `REPROSCALE_TEST_PG`: a superuser's URL (any encryption);
//! - `REPROSCALE_TEST_PG_TLS_CA`: the PEM file of the CA that signed the
//!   server's certificate (for `127.0.0.1` and `localhost`);
//! - `REPROSCALE_TEST_PG_TLS_ONLY` / `REPROSCALE_TEST_PG_PLAIN_ONLY`: URLs of
//!   roles that `pg_hba.conf` lets in only over TLS / only without it, so a
//!   test can tell which was used.
//!
//! The tests are skipped when these are unset, and fail then under `CI=true`.

use reproscale::assessment::Status;
use reproscale::criteria::catalog::CriterionId;
use reproscale::rank::store::{self, Record, RecordStatus, Stage, StoreError};

/// A self-signed CA that signed nothing the server has.
const UNRELATED_CA: &str = "-----BEGIN CERTIFICATE-----
MIIBrjCCAVWgAwIBAgIUEaAYvbokB5T+xKaxtDsphdeW5a0wCgYIKoZIzj0EAwIw
LDEqMCgGA1UEAwwhcmVwcm9zY2FsZSB0ZXN0czogYW4gdW5yZWxhdGVkIENBMCAX
DTI2MTIwMjEyMzkyNVoYDzIxMjYxMTA4MTIzOTI1WjAsMSowKAYDVQQDDCFyZXBy
b3NjYWxlIHRlc3RzOiBhbiB1bnJlbGF0ZWQgQ0EwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATp3i9UBZrvKl362Qga+Jjpwy/cgZIVBcNNkCjB3Eh7mLH+1smGkUup
XxhQGousuB5WPSN89z+gVCzhyMlV4lmwo1MwUTAdBgNVHQ4EFgQUMBd+v6I08LYa
XChC8omqHbRfRjIwHwYDVR0jBBgwFoAUMBd+v6I08LYaXChC8omqHbRfRjIwDwYD
VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiB6PdZGShkNAp1wgov955DG
ODi9mpNJ4Nbb9V/myt72rAIgZ74KikwbUez5Vth8uWVuRGIMhqfCjdpwplTPpEWo
FIo=
-----END CERTIFICATE-----
";

/// The test server's settings, or `None` (after saying so) when the TLS
/// tests are to be skipped. In CI (`CI=true`) a missing one is a failure.
struct Server {
    admin: String,
    ca: String,
    tls_only: String,
    plain_only: String,
}

fn server() -> Option<Server> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let names = [
        "REPROSCALE_TEST_PG",
        "REPROSCALE_TEST_PG_TLS_CA",
        "REPROSCALE_TEST_PG_TLS_ONLY",
        "REPROSCALE_TEST_PG_PLAIN_ONLY",
    ];
    match names.map(var) {
        [Some(admin), Some(ca), Some(tls_only), Some(plain_only)] => Some(Server {
            admin,
            ca,
            tls_only,
            plain_only,
        }),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but one of {names:?} is unset: CI must start PostgreSQL with TLS"
            );
            eprintln!("skipping PostgreSQL TLS test: set {names:?}");
            None
        }
    }
}

/// A fresh schema on the test server, dropped when this goes away.
struct Schema {
    admin: String,
    name: String,
}

impl Schema {
    fn new(admin: &str, test: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!("rs_tls_{test}_{}_{nanos}", std::process::id());
        let mut client =
            postgres::Client::connect(admin, postgres::NoTls).expect("connect to the server");
        client
            .batch_execute(&format!("CREATE SCHEMA {name}"))
            .expect("create schema");
        Schema {
            admin: admin.to_string(),
            name,
        }
    }

    /// `base` using this schema, with `extra` query parameters.
    fn url(&self, base: &str, extra: &str) -> String {
        let sep = if base.contains('?') { '&' } else { '?' };
        let mut url = format!("{base}{sep}options=-csearch_path%3D{}", self.name);
        if !extra.is_empty() {
            url.push('&');
            url.push_str(extra);
        }
        url
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        if let Ok(mut client) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }
}

fn record(source: &str) -> Record {
    Record {
        name: source.to_string(),
        source: source.to_string(),
        commit: Some("abc123".to_string()),
        tool_version: "0.1.0".to_string(),
        assessed_at: "2025-06-01T12:00:00Z".to_string(),
        duration_ms: 42,
        status: RecordStatus::Ok,
        error: None,
        stars: Some(2),
        basis: "static".to_string(),
        stages: vec![Stage {
            stage: 1,
            passed: true,
            met: 3,
            total: 3,
        }],
        criteria: vec![(CriterionId::C2_2, Status::Pass)],
        report_json: Some("{}".to_string()),
    }
}

/// Opens `url`, saves a record and reads it back.
fn write_and_read(url: &str, source: &str) -> Result<(), StoreError> {
    let mut store = store::open(url)?;
    let r = record(source);
    store.save(&r)?;
    let found = store.find(source, Some("abc123"), "0.1.0")?;
    assert_eq!(found.as_ref(), Some(&r), "{url}");
    Ok(())
}

/// The message of opening `url`, which must fail.
fn open_error(url: &str) -> String {
    let e = store::open(url).err().expect("opening fails");
    let message = e.to_string();
    assert!(!message.contains('\n'), "one line: {message}");
    message
}

/// `url` with `password` in its user info.
fn with_password(url: &str, password: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let (user, host) = rest.split_once('@').expect("a user in the URL");
    format!("{scheme}://{user}:{password}@{host}")
}

#[test]
fn require_writes_and_reads_over_tls() {
    let Some(s) = server() else { return };
    let schema = Schema::new(&s.admin, "require");
    // The role gets in only over TLS.
    write_and_read(&schema.url(&s.tls_only, "sslmode=require"), "r/require").expect("require");
    let message = open_error(&schema.url(&s.plain_only, "sslmode=require"));
    assert!(message.contains("127.0.0.1"), "{message}");
}

#[test]
fn verify_full_with_the_ca() {
    let Some(s) = server() else { return };
    let schema = Schema::new(&s.admin, "verify_full");
    let root = format!("sslrootcert={}", s.ca);
    for mode in ["verify-full", "verify-ca"] {
        let url = schema.url(&s.tls_only, &format!("sslmode={mode}&{root}"));
        write_and_read(&url, &format!("r/{mode}")).expect(mode);
    }
    // By name as well as by address (the certificate names both).
    if s.tls_only.contains("@127.0.0.1:") {
        let by_name = s.tls_only.replace("@127.0.0.1:", "@localhost:");
        let url = schema.url(&by_name, &format!("sslmode=verify-full&{root}"));
        write_and_read(&url, "r/localhost").expect("verify-full by name");
    }
}

#[test]
fn verify_full_against_a_wrong_ca_fails_clearly() {
    let Some(s) = server() else { return };
    let schema = Schema::new(&s.admin, "wrong_ca");
    let dir = tempfile::tempdir().expect("tempdir");
    let wrong = dir.path().join("unrelated-ca.pem");
    std::fs::write(&wrong, UNRELATED_CA).expect("write the CA");
    let wrong = wrong.to_string_lossy();
    let base = with_password(&s.tls_only, "hunter2");
    // `require`, `prefer` and `allow` check the chain of a root file too (as
    // libpq does), and `prefer` reports the TLS failure rather than the
    // refusal of its plain retry.
    for mode in ["verify-full", "verify-ca", "require", "prefer", "allow"] {
        let url = schema.url(&base, &format!("sslmode={mode}&sslrootcert={wrong}"));
        let message = open_error(&url);
        assert!(message.contains("127.0.0.1"), "names the host: {message}");
        assert!(message.contains("TLS"), "says it is TLS: {message}");
        assert!(
            message.contains(&format!(
                "not signed by a certificate authority in sslrootcert {wrong}"
            )),
            "says why: {message}"
        );
        assert!(!message.contains("hunter2"), "{message}");
    }
    // No sslrootcert: the system's roots do not know the throwaway CA.
    let message = open_error(&schema.url(&base, "sslmode=verify-full"));
    assert!(message.contains("the system's roots"), "{message}");
    // A missing root file is a plain error before connecting.
    let missing = dir.path().join("missing.pem");
    let url = schema.url(
        &base,
        &format!("sslmode=verify-full&sslrootcert={}", missing.display()),
    );
    let e = store::open(&url).err().expect("missing sslrootcert");
    assert!(matches!(e, StoreError::Invalid(_)), "{e}");
    assert!(e.to_string().contains("cannot read sslrootcert"), "{e}");
    assert!(!e.to_string().contains("hunter2"), "{e}");
}

#[test]
fn verify_full_checks_the_host_name() {
    let Some(s) = server() else { return };
    if !s.tls_only.contains("@127.0.0.1:") {
        eprintln!("skipping: REPROSCALE_TEST_PG_TLS_ONLY is not on 127.0.0.1");
        return;
    }
    let schema = Schema::new(&s.admin, "host_name");
    // Connect to 127.0.0.1 while calling the server by a name its
    // certificate does not hold.
    let other = s.tls_only.replace("@127.0.0.1:", "@db.invalid:");
    let root = format!("hostaddr=127.0.0.1&sslrootcert={}", s.ca);
    let ca = schema.url(&other, &format!("sslmode=verify-ca&{root}"));
    write_and_read(&ca, "r/verify-ca").expect("verify-ca ignores the name");
    let message = open_error(&schema.url(&other, &format!("sslmode=verify-full&{root}")));
    assert!(
        message.contains("not valid for name \"db.invalid\""),
        "{message}"
    );
}

#[test]
fn disable_stays_plain() {
    let Some(s) = server() else { return };
    let schema = Schema::new(&s.admin, "disable");
    write_and_read(&schema.url(&s.plain_only, "sslmode=disable"), "r/disable").expect("disable");
    write_and_read(&schema.url(&s.admin, "sslmode=disable"), "r/admin").expect("disable");
    let message = open_error(&schema.url(&s.tls_only, "sslmode=disable"));
    assert!(message.contains("127.0.0.1"), "{message}");
}

#[test]
fn prefer_and_allow_fall_back() {
    let Some(s) = server() else { return };
    let schema = Schema::new(&s.admin, "fallback");
    // No sslmode is libpq's `prefer`: TLS when the server has it, else plain.
    for (base, mode) in [
        (&s.tls_only, ""),
        (&s.plain_only, ""),
        (&s.tls_only, "sslmode=prefer"),
        (&s.plain_only, "sslmode=prefer"),
        (&s.tls_only, "sslmode=allow"),
        (&s.plain_only, "sslmode=allow"),
    ] {
        let url = schema.url(base, mode);
        write_and_read(&url, "r/fallback").unwrap_or_else(|e| panic!("{url}: {e}"));
    }
    // `prefer` with a root file checks the chain, as libpq does.
    let url = schema.url(&s.tls_only, &format!("sslmode=prefer&sslrootcert={}", s.ca));
    write_and_read(&url, "r/prefer-ca").expect("prefer with the CA");
}
