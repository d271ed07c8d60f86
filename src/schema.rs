//! JSON Schemas of reproscale's JSON outputs, generated with `schemars` from
//! the very types that write them (`reproscale schema NAME` prints one):
//!
//! | name | output | type |
//! |---|---|---|
//! | `assess` | `assess --format json` | `render::json::Document` |
//! | `verify` | `verify --format json` | `verify::output::Document` |
//! | `report-check` | `report --check --format json` | `report::check::Json` |
//! | `rank` | `rank --format json`, `rank list --format json` | an array of [`crate::rank::render::JsonRow`] |
//!
//! # The `schema_version` rule
//!
//! Every JSON document (each row, for `rank`) that has a `schema_version`
//! field carries the version of its contract, today `1`.
//! - Additive changes keep the version: a new field, a new optional object,
//!   a new value of an open-ended string. Consumers must ignore fields they
//!   do not know.
//! - Renaming or removing a field, changing its type or meaning, or making
//!   a closed set of values (an enum such as `status` or `verdict`) mean
//!   something else bumps the version; the schema printed for the new
//!   version documents the new shape.
//!
//! The printed schemas follow the types, so a field added to an output type
//! shows up in its schema with no other change; the tests validate real
//! outputs against them.

use schemars::JsonSchema;

/// The names `reproscale schema` accepts, in the order they are listed.
pub const NAMES: [&str; 4] = ["assess", "verify", "report-check", "rank"];

/// The schema of a type, titled and described for its command (`$schema`,
/// `title` and `description` first).
fn of<T: JsonSchema>(title: &str, description: &str) -> serde_json::Value {
    // The contract of what is written (serialized): a field skipped when empty
    // is optional, an `Option` written as `null` is required and nullable.
    let generated = schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value();
    let serde_json::Value::Object(body) = generated else {
        return generated;
    };
    let mut out = serde_json::Map::new();
    if let Some(dialect) = body.get("$schema") {
        out.insert("$schema".into(), dialect.clone());
    }
    out.insert("title".into(), title.into());
    out.insert("description".into(), description.into());
    for (k, v) in body {
        if !out.contains_key(&k) {
            out.insert(k, v);
        }
    }
    serde_json::Value::Object(out)
}

/// The JSON Schema of the output `name` (one of [`NAMES`]), or `None` for
/// an unknown name.
pub fn schema(name: &str) -> Option<serde_json::Value> {
    let schema = match name {
        "assess" => of::<crate::render::json::Document<'static>>(
            "reproscale assess --format json",
            "The static assessment of a project (SPEC §5), schema_version 1.",
        ),
        "verify" => of::<crate::verify::output::Document<'static>>(
            "reproscale verify --format json",
            "The re-runs of a project's pipeline and their comparison (SPEC §6), schema_version 1.",
        ),
        "report-check" => of::<crate::report::check::Json<'static>>(
            "reproscale report --check --format json",
            "REPRODUCIBILITY.md checked against the assessment (SPEC §7), schema_version 1.",
        ),
        "rank" => of::<Vec<crate::rank::render::JsonRow<'static>>>(
            "reproscale rank --format json",
            "The leaderboard: one object per project, best first.",
        ),
        _ => return None,
    };
    Some(schema)
}

/// The schema `name` as pretty JSON with a final newline, or `None` for an
/// unknown name.
pub fn render(name: &str) -> Option<String> {
    let schema = schema(name)?;
    let mut s = serde_json::to_string_pretty(&schema).ok()?;
    s.push('\n');
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_has_a_schema_and_others_none() {
        for name in NAMES {
            let s = schema(name).expect(name);
            assert!(s.get("$schema").is_some(), "{name}");
            assert!(render(name).is_some_and(|t| t.ends_with("}\n")));
        }
        assert!(schema("nope").is_none());
    }
}
