//! GPU machines asked for outside the code: CI workflows, cluster and
//! Kubernetes specs, shell scripts (`--gpus all`, `nvidia.com/gpu`, cloud
//! GPU instance types). Read in the facts pass over file texts, once.

/// The first line of a file that asks for a GPU machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpuRequest {
    /// The file.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// The line, trimmed and cut to 80 characters.
    pub text: String,
    /// The cloud instance type named there, if any (`g5.2xlarge`).
    pub instance: Option<String>,
}

/// Whether a file can hold such a request (YAML specs and shell scripts).
pub fn scanned(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".yml") || lower.ends_with(".yaml") || lower.ends_with(".sh")
}

/// The first line of `text` that asks for a GPU machine.
pub fn request(path: &str, text: &str) -> Option<GpuRequest> {
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        if t.starts_with('#') {
            continue;
        }
        let instance = t
            .split(|c: char| c.is_whitespace() || matches!(c, '=' | '"' | '\'' | ',' | ':'))
            .find(|w| is_gpu_instance(w))
            .map(str::to_string);
        if instance.is_some()
            || t.contains("nvidia.com/gpu")
            || t.contains("--gpus")
            || t.contains("runtime: nvidia")
        {
            return Some(GpuRequest {
                path: path.to_string(),
                line: u32::try_from(i + 1).unwrap_or(u32::MAX),
                text: t.chars().take(80).collect(),
                instance,
            });
        }
    }
    None
}

/// Cloud machine types that come with a GPU (AWS g4dn/g5/g6/p3/p4d/p5,
/// GCP a2/a3/g2, Azure NC/ND/NV).
fn is_gpu_instance(w: &str) -> bool {
    let w = w.to_ascii_lowercase();
    let aws = w.split_once('.').is_some_and(|(family, size)| {
        matches!(
            family,
            "g4dn"
                | "g4ad"
                | "g5"
                | "g5g"
                | "g6"
                | "g6e"
                | "p2"
                | "p3"
                | "p3dn"
                | "p4d"
                | "p4de"
                | "p5"
                | "gr6"
        ) && size.ends_with("large")
    });
    aws || w.starts_with("a2-highgpu")
        || w.starts_with("a2-ultragpu")
        || w.starts_with("a3-highgpu")
        || w.starts_with("g2-standard")
        || w.starts_with("standard_nc")
        || w.starts_with("standard_nd")
        || w.starts_with("standard_nv")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_types_and_gpu_flags() {
        let r = request(
            "ci.yml",
            "# g5.xlarge in a comment\nrun: cml runner --cloud-type=g5.2xlarge\n",
        )
        .expect("request");
        assert_eq!((r.line, r.instance.as_deref()), (2, Some("g5.2xlarge")));
        assert!(request("k.yaml", "limits:\n  nvidia.com/gpu: 1\n").is_some());
        assert!(request("a.yaml", "type: m5.large\n").is_none());
    }
}
