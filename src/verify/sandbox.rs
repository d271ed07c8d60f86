//! The sandbox verify's runs go into (SPEC §6 `isolation`).
//!
//! With a working `bwrap` (bubblewrap) every stage runs in a new mount, PID
//! and IPC namespace: the root is read-only, only the run's copy is writable,
//! /tmp and HOME are the run's own (empty at its start, kept across its
//! stages, on disk under verify's temporary folder), /var/tmp is an empty
//! tmpfs per stage, /run and /var/run are empty (host Unix sockets are out of
//! reach), the network is gone unless
//! `--network` asked for it, and
//! nothing started inside outlives the stage (bwrap is the process group
//! leader verify kills; `--die-with-parent` and the PID namespace end the
//! rest). Accelerators (`/dev/nvidia*`, `/dev/dri`, `/dev/kfd`, `/dev/accel`)
//! are passed through so that GPU pipelines still run.
//!
//! Without it, runs get what they always had (their own process group and
//! copy, `unshare -n` for the network where permitted), and the output says,
//! in words, what was not isolated.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde::Serialize;

use super::process;
use super::run::{self, Network};

/// Which sandbox applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(rename = "SandboxKind")]
pub enum Kind {
    /// bubblewrap: file system, /tmp, HOME, network, processes.
    Bwrap,
    /// `unshare -n`: the network only.
    Unshare,
    /// Nothing beyond a copy and a process group.
    None,
}

impl Kind {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Bwrap => "bwrap",
            Kind::Unshare => "unshare",
            Kind::None => "none",
        }
    }
}

/// What the runs could reach, decided once per verify.
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct Isolation {
    /// The sandbox that applied.
    pub sandbox: Kind,
    /// Whether the runs could reach the network.
    pub network: bool,
    /// What was not isolated, in words (empty when nothing).
    pub not_isolated: Vec<String>,
    /// Why the full sandbox did not apply (empty when it did).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub why: String,
    /// The bwrap binary, when the runs go through it.
    #[serde(skip)]
    pub bwrap: Option<PathBuf>,
}

impl Isolation {
    /// One line for the text output.
    pub fn summary(&self) -> String {
        match self.sandbox {
            Kind::Bwrap if self.not_isolated.is_empty() => "bwrap sandbox: read-only root, only the run's copy writable, private /tmp and HOME, no host sockets, no network, nothing outlives the run".into(),
            Kind::Bwrap => format!(
                "bwrap sandbox: read-only root, only the run's copy writable, private /tmp and HOME, nothing outlives the run; not isolated: {}",
                self.not_isolated.join("; ")
            ),
            kind => format!(
                "{} ({}); not isolated: {}",
                kind.as_str(),
                self.why,
                self.not_isolated.join("; ")
            ),
        }
    }
}

/// The host trees the sandbox replaces with empty ones.
const HIDDEN: [&str; 4] = ["/tmp", "/var/tmp", "/run", "/var/run"];

/// The flags every sandboxed process gets, the probe's included.
fn base_args(allow_network: bool) -> Vec<String> {
    let mut a: Vec<String> = [
        "--ro-bind",
        "/",
        "/",
        "--dev",
        "/dev",
        "--proc",
        "/proc",
        "--tmpfs",
        "/tmp",
        "--tmpfs",
        "/run",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // /var/run is usually a link to /run, hidden already.
    if std::fs::symlink_metadata("/var/run").is_ok_and(|m| m.is_dir()) {
        a.extend(["--tmpfs".into(), "/var/run".into()]);
    }
    // Tools keep caches in /var/tmp (DVC's site cache, for one): writable, but the
    // stage's own and empty, like /tmp, so the read-only root does not fail them.
    if std::fs::symlink_metadata("/var/tmp").is_ok_and(|m| m.is_dir()) {
        a.extend(["--tmpfs".into(), "/var/tmp".into()]);
    }
    for dev in accelerators() {
        a.extend(["--dev-bind-try".into(), dev.clone(), dev]);
    }
    if !allow_network {
        a.push("--unshare-net".into());
    }
    a.extend(
        [
            "--unshare-ipc",
            "--unshare-pid",
            "--die-with-parent",
            "--new-session",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    a
}

/// GPU and accelerator device nodes to pass through `--dev`'s minimal /dev.
fn accelerators() -> Vec<String> {
    let Ok(entries) = std::fs::read_dir("/dev") else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(String::from))
        .filter(|n| n.starts_with("nvidia") || matches!(n.as_str(), "dri" | "kfd" | "accel"))
        .map(|n| format!("/dev/{n}"))
        .collect();
    out.sort();
    out
}

/// `name` on PATH, as an absolute path.
fn on_path(name: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .filter(|d| d.is_absolute())
        .map(|d| d.join(name))
        .find(|c| c.is_file())
}

/// Whether `bwrap` runs a trivial command with the flags the runs get.
/// `Err` says why not.
fn probe(bwrap: &Path, allow_network: bool) -> Result<(), String> {
    let mut child = Command::new(bwrap)
        .args(base_args(allow_network))
        .args(["--", "true"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("{} cannot be started: {e}", bwrap.display()))?;
    let waited = process::wait(
        &mut child,
        Duration::from_secs(20),
        Duration::from_millis(5),
    )
    .map_err(|e| format!("{} could not be waited for: {e}", bwrap.display()))?;
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.by_ref().take(4096).read_to_string(&mut stderr);
    }
    if waited.timed_out {
        return Err(format!(
            "{} did not finish a trivial command",
            bwrap.display()
        ));
    }
    if waited.status.is_some_and(|s| s.success()) {
        return Ok(());
    }
    let said = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    Err(format!(
        "{} does not work here{}",
        bwrap.display(),
        if said.is_empty() {
            String::new()
        } else {
            format!(": {}", said.trim())
        }
    ))
}

/// Decides the isolation (and the network, as [`run::network`] reports it)
/// once per verify: bwrap when it works here, else today's `unshare -n`.
pub fn decide(allow_network: bool, want_sandbox: bool) -> (Isolation, Network) {
    let tried = match on_path("bwrap") {
        _ if !want_sandbox => Err("the sandbox was turned off (--no-sandbox)".into()),
        Some(bwrap) => probe(&bwrap, allow_network).map(|()| bwrap),
        None => Err("bwrap (bubblewrap) is not on PATH".into()),
    };
    match tried {
        Ok(bwrap) => {
            let network = if allow_network {
                Network {
                    allowed: true,
                    how: "allowed (--network)".into(),
                    wrapper: vec![],
                }
            } else {
                Network {
                    allowed: false,
                    how: "disabled (bwrap --unshare-net)".into(),
                    wrapper: vec![],
                }
            };
            let not_isolated = if allow_network {
                vec!["the network is reachable (--network)".to_string()]
            } else {
                vec![]
            };
            (
                Isolation {
                    sandbox: Kind::Bwrap,
                    network: allow_network,
                    not_isolated,
                    why: String::new(),
                    bwrap: Some(bwrap),
                },
                network,
            )
        }
        Err(why) => {
            let network = run::network(allow_network);
            (fallback(&network, why), network)
        }
    }
}

/// What runs without bwrap are open to.
fn fallback(network: &Network, why: String) -> Isolation {
    let mut not_isolated = vec![
        "the file system outside the run's copy is writable: the user's project, HOME and /tmp included".to_string(),
        "HOME is the real one".to_string(),
        "/tmp and TMPDIR are shared with the rest of the machine".to_string(),
        "host Unix sockets (under /run and /tmp) are reachable".to_string(),
        "a process that leaves the run's process group and clears its environment can outlive the run".to_string(),
    ];
    if network.allowed {
        not_isolated.push(format!("the network is reachable: {}", network.how));
    }
    Isolation {
        sandbox: if network.wrapper.is_empty() {
            Kind::None
        } else {
            Kind::Unshare
        },
        network: network.allowed,
        not_isolated,
        why,
        bwrap: None,
    }
}

/// Whether `path` lies in a tree the sandbox hides.
fn hidden(path: &Path) -> bool {
    HIDDEN.iter().any(|h| path.starts_with(h))
}

/// The folders to show read-only again inside the sandbox: PATH entries
/// under a hidden tree (a virtual environment in /tmp, NixOS's
/// /run/current-system), each as its prefix (the parent of `bin`).
fn path_roots(path: Option<&str>) -> Vec<PathBuf> {
    let Some(path) = path else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = Vec::new();
    for dir in std::env::split_paths(path) {
        if !dir.is_absolute() || !hidden(&dir) || !dir.is_dir() {
            continue;
        }
        let root = match dir.parent() {
            Some(p) if dir.ends_with("bin") && !HIDDEN.iter().any(|h| p == Path::new(h)) => {
                p.to_path_buf()
            }
            _ => dir.clone(),
        };
        if !out.iter().any(|o| root.starts_with(o)) {
            out.retain(|o| !o.starts_with(&root));
            out.push(root);
        }
    }
    out
}

/// Where a stage runs, for [`command`].
pub struct Place<'a> {
    /// The run's copy (the only writable folder of the host's tree).
    pub copy: &'a Path,
    /// The stage's working folder (inside the copy).
    pub wdir: &'a Path,
    /// HOME as the stage sees it.
    pub home: &'a Path,
    /// The run's own folders, kept across its stages, that become HOME and
    /// /tmp (outside the copy, so they are never taken for artifacts).
    pub private_home: &'a Path,
    /// See `private_home`.
    pub private_tmp: &'a Path,
    /// The PATH the stage gets.
    pub path: Option<&'a str>,
}

/// `bwrap … -- sh -c <cmd>` for one stage. The caller sets the environment
/// ([`environment`]), the output files and the process group.
pub fn command(bwrap: &Path, allow_network: bool, place: &Place, cmd: &str) -> Command {
    let mut c = Command::new(bwrap);
    c.args(base_args(allow_network));
    c.arg("--bind").arg(place.private_tmp).arg("/tmp");
    for root in path_roots(place.path) {
        c.arg("--ro-bind").arg(&root).arg(&root);
    }
    c.arg("--bind").arg(place.copy).arg(place.copy);
    c.arg("--bind").arg(place.private_home).arg(place.home);
    c.arg("--chdir").arg(place.wdir);
    c.args(["--", "sh", "-c", cmd]);
    c
}

/// The environment a sandboxed stage gets on top of verify's: the private
/// HOME, TMPDIR in the private /tmp, no XDG folders pointing at the real
/// HOME, and the real Python user base (read-only), so that packages
/// installed with `pip install --user` still import.
pub fn environment(home: &Path) -> (Vec<(String, String)>, Vec<&'static str>) {
    let mut set = vec![
        ("HOME".to_string(), home.display().to_string()),
        ("TMPDIR".to_string(), "/tmp".to_string()),
    ];
    if std::env::var_os("PYTHONUSERBASE").is_none() {
        if let Some(real) = std::env::var_os("HOME").map(PathBuf::from) {
            let base = real.join(".local");
            if real.is_absolute() && base.is_dir() {
                set.push(("PYTHONUSERBASE".into(), base.display().to_string()));
            }
        }
    }
    let removed = vec![
        "XDG_CACHE_HOME",
        "XDG_CONFIG_HOME",
        "XDG_DATA_HOME",
        "XDG_STATE_HOME",
        "XDG_RUNTIME_DIR",
    ];
    (set, removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_roots_keep_only_hidden_prefixes() {
        let venv = tempfile::Builder::new()
            .prefix("reproscale-sandbox-unit-")
            .tempdir_in("/tmp")
            .expect("tempdir");
        let bin = venv.path().join("bin");
        std::fs::create_dir_all(&bin).expect("mkdir");
        let path = format!("{}:/usr/bin:/bin:relative", bin.display());
        assert_eq!(path_roots(Some(&path)), vec![venv.path().to_path_buf()]);
        assert!(path_roots(Some("/usr/bin:/bin")).is_empty());
        assert!(path_roots(None).is_empty());
    }

    #[test]
    fn fallback_says_what_is_not_isolated() {
        let net = Network {
            allowed: true,
            how: "allowed (--network)".into(),
            wrapper: vec![],
        };
        let iso = fallback(&net, "bwrap (bubblewrap) is not on PATH".into());
        assert_eq!(iso.sandbox, Kind::None);
        assert!(iso.network);
        assert!(iso.not_isolated.iter().any(|s| s.contains("HOME")));
        assert!(iso.not_isolated.iter().any(|s| s.contains("network")));
        assert!(iso.summary().contains("not on PATH"));
    }

    #[test]
    fn bwrap_summary_names_the_guarantees() {
        let iso = Isolation {
            sandbox: Kind::Bwrap,
            network: false,
            not_isolated: vec![],
            why: String::new(),
            bwrap: Some("/usr/bin/bwrap".into()),
        };
        assert!(iso.summary().contains("read-only root"));
        let json = serde_json::to_value(&iso).expect("json");
        assert_eq!(json["sandbox"], "bwrap");
        assert_eq!(json["network"], false);
        assert!(json.get("why").is_none());
    }
}
