//! Python source → facts: the syntax tree walk, name resolution, the nesting guard.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = reproscale::facts::python::parse_file("a.py", text);
});
