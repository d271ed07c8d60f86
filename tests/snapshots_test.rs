//! Snapshots of what users read: the text report of each bundled example and
//! of representative fixtures, and one JSON document.

mod common;

use std::path::Path;

fn example(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

#[test]
fn text_report_of_each_example() {
    for name in ["seeded-config", "literal-seed", "unseeded-notebook"] {
        let out = common::render_copy(&example(name), &format!("examples/{name}"), "text");
        insta::assert_snapshot!(format!("example_{name}"), out);
    }
}

#[test]
fn text_report_of_tricky_fixtures() {
    for name in [
        "notebook-unseeded",
        "hydra-app",
        "syntax-error",
        "argparse-only",
        "off-path-findings",
        "dvc-pipeline",
    ] {
        let out = common::render_copy(&common::fixtures_dir().join(name), name, "text");
        insta::assert_snapshot!(format!("fixture_{name}"), out);
    }
}

#[test]
fn json_report_of_an_example() {
    let out = common::render_copy(&example("literal-seed"), "examples/literal-seed", "json");
    insta::assert_snapshot!("example_literal_seed_json", out);
}
