//! Artifact and tolerance globs: compiled once with `globset`, linear on
//! globs that made the old recursive matcher exponential.

use reproscale::verify::collect::ArtifactGlobs;
use reproscale::verify::compare::{path_glob_match, DType, Tol, Tolerances};

const BAD: &str = "*a*a*a*a*a*a*a*a*b";

#[test]
fn pathological_tolerance_glob_on_a_long_path() {
    let long = "a".repeat(10_000);
    assert!(!path_glob_match(BAD, &long));
    let loose = Tol {
        rtol: 0.5,
        atol: 0.5,
    };
    let t = Tolerances {
        overrides: vec![(BAD.into(), loose), ("**/*a".into(), Tol::EXACT)],
        ..Tolerances::default()
    };
    let compiled = t.compile().expect("compiles");
    let path = format!("{long}/{long}");
    assert_eq!(compiled.for_path(&path).for_dtype(DType::F32), Tol::EXACT);
    assert_eq!(
        compiled.for_path(&format!("{long}b")).for_dtype(DType::F32),
        loose
    );
}

#[test]
fn pathological_artifact_glob_on_a_long_path() {
    let long = "a".repeat(10_000);
    let globs = ArtifactGlobs::new(&[BAD]).expect("compiles");
    assert!(!globs.matches(&long));
    assert!(!globs.matches(&format!("{long}/{long}/x")));
    assert!(globs.matches(&format!("out/{long}b/x")));
}

#[test]
fn invalid_artifact_glob_names_the_glob() {
    let e = ArtifactGlobs::new(&["ok/*.json", "out/*.{json"]).expect_err("unclosed");
    assert_eq!(e.glob, "out/*.{json");
    assert!(e.to_string().contains("`out/*.{json`"), "{e}");
}
