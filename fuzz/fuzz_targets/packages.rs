//! Package lists and lock files, the first byte choosing the file kind.
#![no_main]
use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
    "requirements.txt",
    "pyproject.toml",
    "environment.yml",
    "setup.py",
    "setup.cfg",
    "Pipfile",
    "Pipfile.lock",
    "poetry.lock",
    "uv.lock",
    "conda-lock.yml",
];

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let name = NAMES[usize::from(choice) % NAMES.len()];
    let _ = reproscale::facts::packages::parse(name, text);
});
