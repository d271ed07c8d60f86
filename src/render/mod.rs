//! Output formats, one file each; every renderer returns the whole output as a string.

pub mod badge;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;

/// `★★☆☆☆` for 2 stars.
pub fn star_glyphs(stars: u8) -> String {
    let n = usize::from(stars.min(5));
    format!("{}{}", "★".repeat(n), "☆".repeat(5 - n))
}
