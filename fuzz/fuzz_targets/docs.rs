//! Markdown and reStructuredText documentation.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = reproscale::facts::docs::parse("README.md", text);
    let _ = reproscale::facts::docs::parse("docs/index.rst", text);
});
