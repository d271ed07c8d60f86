//! Dockerfiles and Apptainer definition files.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = reproscale::facts::dockerfile::parse("Dockerfile", text);
    let _ = reproscale::facts::dockerfile::parse_def_file("env.def", text);
});
