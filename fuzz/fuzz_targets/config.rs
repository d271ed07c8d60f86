//! Config flattening: YAML, JSON, TOML, INI and gin, the first byte choosing the format.
#![no_main]
use libfuzzer_sys::fuzz_target;
use reproscale::facts::config::{parse, Format};

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let (path, format) = match choice % 5 {
        0 => ("configs/a.yaml", Format::Yaml),
        1 => ("configs/a.json", Format::Json),
        2 => ("configs/a.toml", Format::Toml),
        3 => ("configs/a.ini", Format::Ini),
        _ => ("configs/a.gin", Format::Gin),
    };
    let _ = parse(path, format, text);
});
