//! Notebook JSON → cells → facts.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = reproscale::facts::notebook::parse("a.ipynb", text);
});
