//! JSON (and JSON Lines), YAML and TOML: both documents are parsed into one
//! tree type and walked together; numbers are compared with the float64
//! tolerance (integers against integers with the integer one), everything
//! else exactly. Volatile keys are skipped.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::tolerance::{cmp_f64, cmp_int, shorten, Stats, Tol};
use super::{Kind, VolatileKeys};

/// A parsed document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    /// `null`, `~`, a missing value.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer literal.
    Int(i128),
    /// Any other number (NaN and infinities included).
    Float(f64),
    /// A string (TOML dates and times too).
    Str(String),
    /// An array or sequence.
    Seq(Vec<Node>),
    /// An object, mapping or table, in document order.
    Map(Vec<(String, Node)>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

/// The key TOML uses to pass a datetime through serde.
const TOML_DATETIME: &str = "$__toml_private_datetime";

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Int(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Int(v.into()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Node, E> {
        Ok(Node::Int(v))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Node, E> {
        Ok(i128::try_from(v)
            .map(Node::Int)
            .unwrap_or(Node::Float(v as f64)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Node, E> {
        Ok(Node::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(4096));
        while let Some(key) = map.next_key::<Node>()? {
            let value = map.next_value::<Node>()?;
            entries.push((key_string(&key), value));
        }
        if entries.len() == 1 && entries[0].0 == TOML_DATETIME {
            if let Some((_, Node::Str(s))) = entries.pop() {
                return Ok(Node::Str(s));
            }
        }
        Ok(Node::Map(entries))
    }
}

/// A mapping key as text (YAML allows non-string keys).
fn key_string(key: &Node) -> String {
    match key {
        Node::Str(s) => s.clone(),
        Node::Int(i) => i.to_string(),
        Node::Float(f) => f.to_string(),
        Node::Bool(b) => b.to_string(),
        Node::Null => "null".to_string(),
        Node::Seq(_) | Node::Map(_) => format!("{}", Short(key)),
    }
}

/// A short rendering of a node for notes.
struct Short<'a>(&'a Node);

impl fmt::Display for Short<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.0 {
            Node::Null => f.write_str("null"),
            Node::Bool(b) => write!(f, "{b}"),
            Node::Int(i) => write!(f, "{i}"),
            Node::Float(x) => write!(f, "{x}"),
            Node::Str(s) => write!(f, "{:?}", shorten(s)),
            Node::Seq(items) => write!(f, "array of {}", items.len()),
            Node::Map(entries) => write!(f, "object with {} keys", entries.len()),
        }
    }
}

/// Parses a document of the given kind.
pub(crate) fn parse(kind: Kind, bytes: &[u8]) -> Result<Node, String> {
    match kind {
        Kind::Yaml => parse_yaml(bytes),
        Kind::Toml => {
            let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
            toml::from_str::<Node>(text).map_err(|e| first_line(&e.to_string()))
        }
        _ => parse_json(bytes),
    }
}

fn parse_yaml(bytes: &[u8]) -> Result<Node, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
    match serde_saphyr::from_str::<Node>(text) {
        Ok(node) => Ok(node),
        Err(single) => match serde_saphyr::from_multiple::<Node>(text) {
            Ok(docs) if docs.len() > 1 => Ok(Node::Seq(docs)),
            _ => Err(first_line(&single.to_string())),
        },
    }
}

/// JSON, then JSON with Python's `NaN`/`Infinity`, then JSON Lines.
fn parse_json(bytes: &[u8]) -> Result<Node, String> {
    let err = match serde_json::from_slice::<Node>(bytes) {
        Ok(node) => return Ok(node),
        Err(e) => e,
    };
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
    if let Some(fixed) = replace_nonfinite(text) {
        if let Ok(node) = serde_json::from_str::<Node>(&fixed) {
            return Ok(node);
        }
    }
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.len() > 1 {
        let mut docs = Vec::with_capacity(lines.len());
        for line in lines {
            let node = match serde_json::from_str::<Node>(line) {
                Ok(node) => node,
                Err(_) => match replace_nonfinite(line)
                    .and_then(|fixed| serde_json::from_str::<Node>(&fixed).ok())
                {
                    Some(node) => node,
                    None => return Err(first_line(&err.to_string())),
                },
            };
            docs.push(node);
        }
        return Ok(Node::Seq(docs));
    }
    Err(first_line(&err.to_string()))
}

/// Markers that stand for non-finite numbers written by Python's `json`.
const NAN_MARK: &str = "\u{0}reproscale:NaN";
const INF_MARK: &str = "\u{0}reproscale:Infinity";
const NEG_INF_MARK: &str = "\u{0}reproscale:-Infinity";

/// Replaces bare `NaN`, `Infinity` and `-Infinity` outside strings with
/// marker strings (turned back into floats after parsing); `None` when
/// there are none.
fn replace_nonfinite(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 16);
    let mut in_string = false;
    let mut escaped = false;
    let mut last = 0;
    let mut found = false;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if in_string {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                in_string = false;
            }
            i += 1;
            continue;
        }
        if c == b'"' {
            in_string = true;
            i += 1;
            continue;
        }
        let rest = &bytes[i..];
        let hit = [
            ("-Infinity", NEG_INF_MARK),
            ("Infinity", INF_MARK),
            ("NaN", NAN_MARK),
        ]
        .into_iter()
        .find(|(tok, _)| rest.starts_with(tok.as_bytes()));
        if let Some((tok, mark)) = hit {
            out.push_str(&text[last..i]);
            out.push('"');
            out.push_str(&mark.replace('\u{0}', "\\u0000"));
            out.push('"');
            i += tok.len();
            last = i;
            found = true;
            continue;
        }
        i += 1;
    }
    if !found {
        return None;
    }
    out.push_str(&text[last..]);
    Some(out)
}

/// Turns marker strings back into non-finite floats.
fn restore_nonfinite(node: &Node) -> Option<f64> {
    match node {
        Node::Str(s) if s == NAN_MARK => Some(f64::NAN),
        Node::Str(s) if s == INF_MARK => Some(f64::INFINITY),
        Node::Str(s) if s == NEG_INF_MARK => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").to_string()
}

/// Walks two trees together, accumulating statistics.
pub(crate) struct Walker<'a> {
    /// Tolerance for floats.
    pub float_tol: Tol,
    /// Tolerance for integer against integer.
    pub int_tol: Tol,
    /// Keys skipped.
    pub volatile: &'a VolatileKeys,
    /// What was found.
    pub stats: Stats,
    volatile_seen: HashSet<String>,
}

impl<'a> Walker<'a> {
    /// A walker with empty statistics.
    pub fn new(float_tol: Tol, int_tol: Tol, volatile: &'a VolatileKeys) -> Self {
        Walker {
            float_tol,
            int_tol,
            volatile,
            stats: Stats::default(),
            volatile_seen: HashSet::new(),
        }
    }

    /// Compares `a` (first run) with `b` (second run) at `path`.
    pub fn walk(&mut self, a: &Node, b: &Node, path: &mut String) {
        let a_num = number(a);
        let b_num = number(b);
        match (a, b) {
            (Node::Int(x), Node::Int(y)) => {
                let cmp = cmp_int(*x, *y, self.int_tol);
                self.stats
                    .record(cmp, || path.clone(), || format!("{x} vs {y}"));
            }
            _ if a_num.is_some() && b_num.is_some() => {
                if let (Some(x), Some(y)) = (a_num, b_num) {
                    let cmp = cmp_f64(x, y, self.float_tol);
                    self.stats
                        .record(cmp, || path.clone(), || format!("{x} vs {y}"));
                }
            }
            (Node::Null, Node::Null) => {}
            (Node::Bool(x), Node::Bool(y)) if x == y => {}
            (Node::Str(x), Node::Str(y)) if x == y => {}
            (Node::Seq(xs), Node::Seq(ys)) => {
                let len = path.len();
                for (i, (x, y)) in xs.iter().zip(ys).enumerate() {
                    push_index(path, i);
                    self.walk(x, y, path);
                    path.truncate(len);
                }
                if xs.len() != ys.len() {
                    push_index(path, xs.len().min(ys.len()));
                    self.stats.mismatch(
                        || path.clone(),
                        || format!("array length {} vs {}", xs.len(), ys.len()),
                    );
                    path.truncate(len);
                }
            }
            (Node::Map(xs), Node::Map(ys)) => self.walk_map(xs, ys, path),
            _ => self
                .stats
                .mismatch(|| path.clone(), || format!("{} vs {}", Short(a), Short(b))),
        }
    }

    fn walk_map(&mut self, xs: &[(String, Node)], ys: &[(String, Node)], path: &mut String) {
        let len = path.len();
        let b_index: HashMap<&str, &Node> = ys.iter().map(|(k, v)| (k.as_str(), v)).collect();
        for (key, x) in xs {
            push_key(path, key);
            let other = b_index.get(key.as_str()).copied();
            if self.volatile.matches(key, path) {
                if other != Some(x) && self.volatile_seen.insert(path.clone()) {
                    self.stats.volatile_skipped.push(path.clone());
                }
            } else {
                match other {
                    Some(y) => self.walk(x, y, path),
                    None => self
                        .stats
                        .mismatch(|| path.clone(), || "missing in the second run".into()),
                }
            }
            path.truncate(len);
        }
        if ys.len() != xs.len() || ys.iter().zip(xs).any(|((k, _), (j, _))| k != j) {
            let a_keys: HashSet<&str> = xs.iter().map(|(k, _)| k.as_str()).collect();
            for (key, _) in ys {
                if a_keys.contains(key.as_str()) {
                    continue;
                }
                push_key(path, key);
                if self.volatile.matches(key, path) {
                    if self.volatile_seen.insert(path.clone()) {
                        self.stats.volatile_skipped.push(path.clone());
                    }
                } else {
                    self.stats
                        .mismatch(|| path.clone(), || "missing in the first run".into());
                }
                path.truncate(len);
            }
        }
    }
}

/// A node's numeric value, if it is a number.
fn number(node: &Node) -> Option<f64> {
    match node {
        Node::Int(i) => Some(*i as f64),
        Node::Float(f) => Some(*f),
        other => restore_nonfinite(other),
    }
}

fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

fn push_index(path: &mut String, i: usize) {
    use std::fmt::Write;
    let _ = write!(path, "[{i}]");
}

/// Compares two structured documents; `Err` when either cannot be parsed.
pub(crate) fn compare(
    kind: Kind,
    a: &[u8],
    b: &[u8],
    float_tol: Tol,
    int_tol: Tol,
    volatile: &VolatileKeys,
) -> Result<Stats, String> {
    let (na, nb) = rayon::join(|| parse(kind, a), || parse(kind, b));
    let na = na.map_err(|e| format!("first run: {e}"))?;
    let nb = nb.map_err(|e| format!("second run: {e}"))?;
    let mut walker = Walker::new(float_tol, int_tol, volatile);
    let mut path = String::new();
    walker.walk(&na, &nb, &mut path);
    Ok(walker.stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tol() -> Tol {
        Tol {
            rtol: 1e-7,
            atol: 1e-7,
        }
    }

    fn run(kind: Kind, a: &str, b: &str) -> Stats {
        let vol = VolatileKeys::defaults();
        compare(kind, a.as_bytes(), b.as_bytes(), tol(), Tol::EXACT, &vol).expect("parses")
    }

    #[test]
    fn json_noise_within_tolerance() {
        let s = run(
            Kind::Json,
            r#"{"a": 1, "b": 0.25, "c": [1.0, 2.0]}"#,
            r#"{"a": 1, "b": 0.2500000000001, "c": [1.0, 2.0]}"#,
        );
        assert!(!s.is_bad());
        assert_eq!(s.total, 4);
        assert_eq!(s.differing, 1);
        assert_eq!(s.first_diff.as_deref(), Some("b"));
        assert!((s.max_abs - 1e-13).abs() < 1e-15, "{}", s.max_abs);
    }

    #[test]
    fn json_paths_and_mismatches() {
        let s = run(
            Kind::Json,
            r#"{"m": {"opt": "adam", "hist": [1, 2, 3]}, "x": 1}"#,
            r#"{"m": {"opt": "sgd", "hist": [1, 2]}, "y": 1}"#,
        );
        assert!(s.is_bad());
        assert_eq!(s.first_bad.as_deref(), Some("m.opt"));
        assert_eq!(s.mismatches, 4, "opt, hist[2], x missing, y missing");
        assert!(s
            .first_bad_detail
            .as_deref()
            .is_some_and(|d| d.contains("\"adam\" vs \"sgd\"")));
    }

    #[test]
    fn volatile_keys_are_skipped_and_listed() {
        let s = run(
            Kind::Json,
            r#"{"acc": 0.9, "runtime": 12.5, "train": {"samples_per_second": 100}}"#,
            r#"{"acc": 0.9, "runtime": 13.1, "train": {"samples_per_second": 90}}"#,
        );
        assert!(!s.is_bad());
        assert_eq!(s.differing, 0);
        assert_eq!(
            s.volatile_skipped,
            vec![
                "runtime".to_string(),
                "train.samples_per_second".to_string()
            ]
        );
    }

    #[test]
    fn python_nan_and_json_lines() {
        let s = run(
            Kind::Json,
            r#"{"loss": NaN, "best": Infinity, "s": "NaN"}"#,
            r#"{"loss": NaN, "best": Infinity, "s": "NaN"}"#,
        );
        assert!(!s.is_bad());
        let s = run(Kind::Json, r#"{"loss": NaN}"#, r#"{"loss": 0.5}"#);
        assert!(s.is_bad());
        assert_eq!(s.nonfinite, 1);
        let s = run(
            Kind::Json,
            "{\"step\": 1, \"loss\": 0.5}\n{\"step\": 2, \"loss\": 0.25}\n",
            "{\"step\": 1, \"loss\": 0.5}\n{\"step\": 2, \"loss\": 0.3}\n",
        );
        assert_eq!(s.first_bad.as_deref(), Some("[1].loss"));
    }

    #[test]
    fn yaml_and_toml() {
        let s = run(
            Kind::Yaml,
            "model:\n  lr: 0.001\n  layers: [64, 64]\nname: x\n",
            "model:\n  lr: 0.0010000000000001\n  layers: [64, 64]\nname: x\n",
        );
        assert!(!s.is_bad());
        assert_eq!(s.first_diff.as_deref(), Some("model.lr"));
        let s = run(
            Kind::Yaml,
            "model:\n  layers: [64, 64]\n",
            "model:\n  layers: [64, 32]\n",
        );
        assert_eq!(s.first_bad.as_deref(), Some("model.layers[1]"));
        let s = run(
            Kind::Toml,
            "[train]\nepochs = 3\nwhen = 1979-05-27T07:32:00Z\nloss = 0.5\n",
            "[train]\nepochs = 4\nwhen = 1979-05-27T07:32:00Z\nloss = 0.5\n",
        );
        assert_eq!(s.first_bad.as_deref(), Some("train.epochs"));
        assert_eq!(s.mismatches + s.exceeding, 1);
    }

    #[test]
    fn malformed_is_an_error_not_a_panic() {
        let vol = VolatileKeys::defaults();
        assert!(compare(Kind::Json, b"{\"a\": ", b"{}", tol(), Tol::EXACT, &vol).is_err());
        assert!(compare(Kind::Yaml, b"a: [", b"a: 1", tol(), Tol::EXACT, &vol).is_err());
        assert!(compare(Kind::Toml, b"a = ", b"a = 1", tol(), Tol::EXACT, &vol).is_err());
        assert!(compare(Kind::Json, &[0xff, 0xfe], b"1", tol(), Tol::EXACT, &vol).is_err());
    }
}
