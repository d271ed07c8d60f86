//! YAML and TOML read with the line of every key, from the parsers' own spans,
//! so that evidence points at the key itself: the right one of two `lr:` keys
//! in different sections, a key in a flow mapping (`opt: {lr: 0.1}`), a key
//! brought in by a merge (`<<: *base`), a dotted TOML key (`train.lr = 0.1`).

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value as Json};

/// Dotted key (as `config::flatten` spells it) → 1-based line of its key.
pub type KeyLines = HashMap<String, u32>;

fn dotted(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Parses YAML into the same tree as `serde_saphyr::from_str::<Json>` and the
/// line of every mapping key on the way (keys inside lists are not dotted,
/// so they are not recorded).
pub fn yaml(text: &str) -> Result<(Json, KeyLines), serde_saphyr::Error> {
    let mut lines = KeyLines::new();
    let tree = serde_saphyr::with_deserializer_from_str(text, |d| {
        Node {
            prefix: String::new(),
            lines: &mut lines,
        }
        .deserialize(d)
    })?;
    Ok((tree, lines))
}

/// A YAML node whose mapping keys are recorded under `prefix`.
struct Node<'a> {
    prefix: String,
    lines: &'a mut KeyLines,
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Json;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::from(v))
    }

    fn visit_i128<E>(self, v: i128) -> Result<Json, E> {
        // serde_json without arbitrary precision holds these as floats, as
        // deserialising into `Json` does.
        Ok(serde_json::Number::from_f64(v as f64).map_or(Json::Null, Json::Number))
    }

    fn visit_u128<E>(self, v: u128) -> Result<Json, E> {
        Ok(serde_json::Number::from_f64(v as f64).map_or(Json::Null, Json::Number))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_newtype_struct<D: de::Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element::<Json>()? {
            out.push(v);
        }
        Ok(Json::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<serde_saphyr::Spanned<String>>()? {
            let path = dotted(&self.prefix, &key.value);
            let line = u32::try_from(key.referenced.line()).unwrap_or(0);
            // A key seen twice keeps its last value, as in the tree; its line too.
            if line > 0 {
                self.lines.insert(path.clone(), line);
            }
            let value = map.next_value_seed(Node {
                prefix: path,
                lines: &mut *self.lines,
            })?;
            out.insert(key.value, value);
        }
        Ok(Json::Object(out))
    }
}

/// The line of every key of a TOML document, tables and dotted keys joined
/// as `config::flatten` joins them.
pub fn toml_lines(text: &str) -> KeyLines {
    let mut lines = KeyLines::new();
    let Ok(root) = toml::de::DeTable::parse(text) else {
        return lines;
    };
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| {
        let n = starts.partition_point(|&s| s <= offset);
        u32::try_from(n).unwrap_or(u32::MAX)
    };
    fn walk(
        prefix: &str,
        table: &toml::de::DeTable<'_>,
        line_of: &dyn Fn(usize) -> u32,
        lines: &mut KeyLines,
    ) {
        for (key, value) in table {
            let path = dotted(prefix, key.get_ref());
            lines.insert(path.clone(), line_of(key.span().start));
            if let toml::de::DeValue::Table(t) = value.get_ref() {
                walk(&path, t, line_of, lines);
            }
        }
    }
    walk("", root.get_ref(), &line_of, &mut lines);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_keys_have_their_own_lines_where_a_line_scan_would_guess() {
        let text = "model:\n  lr: 0.5\ntrain:\n  opt: {lr: 0.1, momentum: 0.9}\n  # lr: 9\n  lr: 0.01\nbase: &b\n  depth: 3\nnet:\n  <<: *b\n  width: 2\n";
        let (tree, lines) = yaml(text).expect("yaml");
        let want = serde_saphyr::from_str::<Json>(text).expect("yaml");
        assert_eq!(tree, want);
        assert_eq!(lines["model.lr"], 2);
        assert_eq!(lines["train.opt.lr"], 4);
        assert_eq!(lines["train.opt.momentum"], 4);
        assert_eq!(lines["train.lr"], 6);
        assert_eq!(lines["net.width"], 11);
        assert!(lines.contains_key("net.depth"));
    }

    #[test]
    fn yaml_scalars_and_odd_keys_match_the_plain_tree() {
        let text = "1: one\ntrue: yes\nnull_v: ~\nbig: 123456789012345678901234567890\nf: 1.5e3\nlist:\n  - a: 1\n  - [x, y]\n\"quoted key\": 2\n";
        let (tree, lines) = yaml(text).expect("yaml");
        assert_eq!(tree, serde_saphyr::from_str::<Json>(text).expect("yaml"));
        assert_eq!(lines["quoted key"], 9);
        // Keys inside lists are not dotted keys.
        assert!(!lines.contains_key("list.a"));
    }

    #[test]
    fn toml_tables_and_dotted_keys() {
        let text = "seed = 1\n[train]\nlr = 0.1\nopt.momentum = 0.9\n\n[train.sched]\nstep = 3\n";
        let lines = toml_lines(text);
        assert_eq!(lines["seed"], 1);
        assert_eq!(lines["train.lr"], 3);
        assert_eq!(lines["train.opt.momentum"], 4);
        assert_eq!(lines["train.sched.step"], 7);
    }
}
