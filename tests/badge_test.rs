//! The reproducibility badge: SVG snapshots, the Markdown snippet, and
//! finding the badge again in a README.

use reproscale::render::badge;

#[test]
fn svg_badges_at_zero_and_five_stars() {
    insta::assert_snapshot!("badge_0_stars", badge::svg(0));
    insta::assert_snapshot!("badge_5_stars", badge::svg(5));
}

#[test]
fn svg_is_deterministic_and_coloured_by_stars() {
    let colours: Vec<String> = (0..=5)
        .map(|n| {
            let svg = badge::svg(n);
            assert_eq!(svg, badge::svg(n));
            assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
            assert!(svg.contains(&format!("aria-label=\"reproducibility: {n}/5\"")));
            let glyphs = format!(
                "{}{}",
                "★".repeat(usize::from(n)),
                "☆".repeat(5 - usize::from(n))
            );
            assert!(svg.contains(&format!(">{glyphs}</text>")), "{svg}");
            let fill = svg
                .split("fill=\"")
                .nth(3)
                .and_then(|s| s.split('"').next())
                .expect("value colour")
                .to_string();
            fill
        })
        .collect();
    let mut distinct = colours.clone();
    distinct.dedup();
    assert_eq!(distinct.len(), 6, "{colours:?}");
    assert_eq!(colours[0], "#e05d44", "red at 0");
    assert_eq!(colours[5], "#44cc11", "bright green at 5");
    assert_eq!(badge::svg(9), badge::svg(5), "clamped");
}

#[test]
fn markdown_snippet() {
    assert_eq!(
        badge::markdown_snippet(3, "reproducibility.svg"),
        "![reproducibility: 3/5](reproducibility.svg)"
    );
    assert_eq!(
        badge::markdown_snippet(2, "docs/my badge (1).svg"),
        "![reproducibility: 2/5](docs/my%20badge%20%281%29.svg)"
    );
}

#[test]
fn readme_badge_round_trip() {
    for n in 0..=5u8 {
        let readme = format!(
            "# Project\n\n[![build](https://ci/badge.svg)](https://ci) {}\n\nText 1/5.\n",
            badge::markdown_snippet(n, "reproducibility.svg")
        );
        assert_eq!(badge::readme_badge_stars(&readme), Some(n), "{readme}");
    }
}

#[test]
fn readme_badges_in_other_styles() {
    let shields = "![Reproducibility](https://img.shields.io/badge/reproducibility-%E2%98%85%E2%98%85%E2%98%85%E2%98%86%E2%98%86-yellowgreen)";
    assert_eq!(badge::readme_badge_stars(shields), Some(3));
    let glyphs =
        "[![x](https://img.shields.io/badge/reproducibility-★★★★☆-green)](REPRODUCIBILITY.md)";
    assert_eq!(badge::readme_badge_stars(glyphs), Some(4));
    let fraction = "![repro](https://img.shields.io/badge/Reproducibility-2%2F5-yellow)";
    assert_eq!(badge::readme_badge_stars(fraction), Some(2));
    let html = "<p><img src=\"reproducibility.svg\" alt=\"Reproducibility: 1/5\"></p>";
    assert_eq!(badge::readme_badge_stars(html), Some(1));
    let linked = "[![reproducibility: 5/5](badge.svg)](REPRODUCIBILITY.md)";
    assert_eq!(badge::readme_badge_stars(linked), Some(5));
}

#[test]
fn readme_without_our_badge() {
    for readme in [
        "",
        "# Project\n\nreproducibility: 3/5 in prose is not a badge\n",
        "![build](https://ci/badge.svg) ![coverage: 3/5](cov.svg)",
        "![reproducibility](logo.png)",
        "![reproducibility: 7/5](x.svg)",
        "![unclosed",
        "<img",
    ] {
        assert_eq!(badge::readme_badge_stars(readme), None, "{readme:?}");
    }
}
