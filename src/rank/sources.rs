//! What to rank: paths, git URLs, `--from FILE`, `--scan DIR`, and this
//! shard's deterministic slice of them.

use std::path::Path;

/// One project to rank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// Short name (folder or repository name).
    pub name: String,
    /// The path or URL as given (the key projects are stored under).
    pub source: String,
    /// Whether it must be cloned.
    pub remote: bool,
}

impl Source {
    /// A source from a path or URL.
    pub fn new(s: &str) -> Source {
        let s = s.trim().trim_end_matches('/');
        let remote = crate::source::is_git_url(s);
        let last = s.rsplit(['/', ':']).next().unwrap_or(s);
        let name = last.strip_suffix(".git").unwrap_or(last).to_string();
        Source {
            name: if name.is_empty() { s.to_string() } else { name },
            source: s.to_string(),
            remote,
        }
    }
}

/// The longest line `--from` accepts: a path or URL, never megabytes.
const MAX_LINE_BYTES: usize = 64 * 1024;
/// The most sources one `--from` list may name.
const MAX_SOURCES: usize = 1_000_000;

/// Reads `--from FILE`: one source per line, `#` comments and blank lines ignored.
///
/// Streamed with a cap per line and on the number of sources, so `/dev/zero`, a FIFO
/// or a huge binary file ends in a clear error instead of filling memory.
pub fn from_file(path: &Path) -> Result<Vec<Source>, String> {
    use std::io::{BufRead, Read};
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(format!("cannot read {}: it is a folder", path.display()));
    }
    let mut reader = std::io::BufReader::new(file);
    let mut out = Vec::new();
    let mut buf = Vec::new();
    for number in 1usize.. {
        buf.clear();
        let read = (&mut reader)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if read == 0 {
            break;
        }
        if buf.len() > MAX_LINE_BYTES && buf.last() != Some(&b'\n') {
            return Err(format!(
                "{}:{number}: line longer than {} KiB; --from takes one path or URL per line",
                path.display(),
                MAX_LINE_BYTES / 1024
            ));
        }
        let text = std::str::from_utf8(&buf)
            .map_err(|_| format!("{}:{number}: not UTF-8 text", path.display()))?;
        let line = text.split(" #").next().unwrap_or(text).trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if out.len() >= MAX_SOURCES {
            return Err(format!(
                "{}: more than {MAX_SOURCES} sources; split the list",
                path.display()
            ));
        }
        out.push(Source::new(line));
    }
    Ok(out)
}

/// `--scan DIR`: each immediate subfolder that is a git repository or holds a project.
pub fn scan(dir: &Path) -> Result<Vec<Source>, String> {
    let mut out = Vec::new();
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot scan {}: {e}", dir.display()))?;
    let mut paths: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    paths.sort();
    for p in paths {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        let is_git =
            p.join(".git").exists() || (p.join("HEAD").is_file() && p.join("objects").is_dir());
        let is_project = is_git
            || std::fs::read_dir(&p)
                .map(|rd| {
                    rd.flatten().any(|e| {
                        let n = e.file_name().to_string_lossy().to_ascii_lowercase();
                        n.ends_with(".py")
                            || n.ends_with(".ipynb")
                            || n.starts_with("readme")
                            || n == "dvc.yaml"
                            || n == "pyproject.toml"
                            || n == "src"
                    })
                })
                .unwrap_or(false);
        if is_project {
            out.push(Source::new(&p.display().to_string()));
        }
    }
    Ok(out)
}

/// Which slice this process ranks: `(index, count)`, from `--shard K/N`, else
/// a Kubernetes Indexed Job (`JOB_COMPLETION_INDEX` with `--shards N` or
/// `REPROSCALE_SHARDS`), else a Slurm array (`SLURM_ARRAY_TASK_ID`,
/// `SLURM_ARRAY_TASK_COUNT`). `None` ranks everything.
pub fn shard(
    flag: Option<&str>,
    shards: Option<u64>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<(u64, u64)>, String> {
    let parse = |k: &str, n: &str, what: &str| -> Result<Option<(u64, u64)>, String> {
        let k: u64 = k
            .trim()
            .parse()
            .map_err(|_| format!("{what}: `{k}` is not a shard index"))?;
        let n: u64 = n
            .trim()
            .parse()
            .map_err(|_| format!("{what}: `{n}` is not a shard count"))?;
        if n == 0 || k >= n {
            return Err(format!(
                "{what}: shard {k} of {n} is out of range (0 ≤ K < N)"
            ));
        }
        Ok(Some((k, n)))
    };
    if let Some(f) = flag {
        let (k, n) = f
            .split_once('/')
            .ok_or_else(|| format!("--shard takes K/N (e.g. 0/4), not `{f}`"))?;
        return parse(k, n, "--shard");
    }
    if let Some(k) = env("JOB_COMPLETION_INDEX") {
        let n = shards.map(|n| n.to_string()).or_else(|| env("REPROSCALE_SHARDS")).ok_or("JOB_COMPLETION_INDEX is set: give the number of shards with --shards N (the Job's completions) or REPROSCALE_SHARDS")?;
        return parse(&k, &n, "JOB_COMPLETION_INDEX");
    }
    if let (Some(k), Some(n)) = (env("SLURM_ARRAY_TASK_ID"), env("SLURM_ARRAY_TASK_COUNT")) {
        // Slurm arrays may start at 1 (`--array=1-N`): use the offset from SLURM_ARRAY_TASK_MIN.
        let min: u64 = env("SLURM_ARRAY_TASK_MIN")
            .and_then(|m| m.parse().ok())
            .unwrap_or(0);
        let k: u64 = k
            .trim()
            .parse()
            .map_err(|_| format!("SLURM_ARRAY_TASK_ID: `{k}` is not a number"))?;
        return parse(
            &(k.saturating_sub(min)).to_string(),
            &n,
            "SLURM_ARRAY_TASK_ID",
        );
    }
    Ok(None)
}

/// Whether a source belongs to shard `k` of `n`: a hash of the source alone,
/// so the slice does not change when the list is reordered or grows.
pub fn in_shard(source: &str, k: u64, n: u64) -> bool {
    let h = blake3::hash(source.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&h.as_bytes()[..8]);
    u64::from_le_bytes(first) % n == k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_paths_and_urls() {
        assert_eq!(
            Source::new("https://github.com/a/nanoGPT.git").name,
            "nanoGPT"
        );
        assert_eq!(Source::new("git@github.com:a/b.git").name, "b");
        assert_eq!(Source::new("/x/y/proj/").name, "proj");
        assert!(Source::new("file:///tmp/r").remote);
    }

    #[test]
    fn shards_partition_and_are_stable() {
        let sources: Vec<String> = (0..200).map(|i| format!("/p/{i}")).collect();
        let mut seen = 0;
        for k in 0..4 {
            seen += sources.iter().filter(|s| in_shard(s, k, 4)).count();
        }
        assert_eq!(seen, 200);
        let mut reversed = sources.clone();
        reversed.reverse();
        let a: Vec<_> = sources.iter().filter(|s| in_shard(s, 1, 4)).collect();
        let mut b: Vec<_> = reversed.iter().filter(|s| in_shard(s, 1, 4)).collect();
        b.reverse();
        assert_eq!(a, b);
    }

    #[test]
    fn shard_from_flags_and_schedulers() {
        let none = |_: &str| None;
        assert_eq!(shard(Some("1/4"), None, &none), Ok(Some((1, 4))));
        assert!(shard(Some("4/4"), None, &none).is_err());
        let k8s = |k: &str| (k == "JOB_COMPLETION_INDEX").then(|| "2".to_string());
        assert_eq!(shard(None, Some(3), &k8s), Ok(Some((2, 3))));
        assert!(shard(None, None, &k8s).is_err());
        let slurm = |k: &str| match k {
            "SLURM_ARRAY_TASK_ID" => Some("3".to_string()),
            "SLURM_ARRAY_TASK_COUNT" => Some("3".to_string()),
            "SLURM_ARRAY_TASK_MIN" => Some("1".to_string()),
            _ => None,
        };
        assert_eq!(shard(None, None, &slurm), Ok(Some((2, 3))));
        assert_eq!(shard(None, None, &none), Ok(None));
    }
}
