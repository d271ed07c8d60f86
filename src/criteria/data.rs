//! Stage 3, Data (+ artifacts): 3.1 data-managed, 3.2 data-schema,
//! 3.3 data-swappable, 3.4 pipeline-stages.

use super::evidence::{at, line};
use super::inputs::{committed_data, fetchers, is_download};
use super::Input;
use crate::assessment::{Evidence, Outcome, Status};
use crate::facts::pipeline::OriginKind;
use crate::facts::python::Call;
use crate::facts::values::{Lit, Value};
use crate::facts::Facts;

type Decided = (Outcome, Option<String>);

/// Hosts of file-sharing pages: a link there is not a pinned download.
const SHARING_HOSTS: &[&str] = &[
    "drive.google.com",
    "docs.google.com",
    "dropbox.com",
    "onedrive.live.com",
    "1drv.ms",
    "sharepoint.com",
    "box.com",
    "mega.nz",
    "wetransfer.com",
    "pan.baidu.com",
    "we.tl",
];

fn is_sharing_link(url: &str) -> bool {
    SHARING_HOSTS.iter().any(|h| url.contains(h))
}

/// Whether the file holding a download also verifies a checksum.
fn file_checks_hash(facts: &Facts, path: &str) -> bool {
    facts.python.iter().filter(|f| f.path == path).any(|f| {
        f.calls.iter().any(|c| {
            c.callee.starts_with("hashlib.")
                || matches!(
                    c.name(),
                    "check_integrity" | "check_md5" | "verify_checksum" | "md5sum" | "sha256sum"
                )
                || c.kwarg("md5").is_some()
                || c.kwarg("sha256").is_some()
                || c.kwarg("file_hash").is_some()
                || c.kwarg("known_hash").is_some()
        })
    })
}

/// 3.1: the data is managed with the code.
pub fn data_managed(input: &Input) -> Decided {
    let facts = input.ctx.facts;
    let looked = [
        "committed data files",
        "DVC: *.dvc files, dvc.yaml outs, a remote in .dvc/config",
        "git-lfs: filter=lfs in .gitattributes, LFS pointer files",
        "DataLad (.datalad/), lakeFS (.lakefs_ref.yaml, lakefs://), Dolt (.dolt/)",
        "dataset loaders; downloads with a checksum",
    ];
    let mut managed: Vec<Evidence> = Vec::new();
    let mut weak: Vec<Evidence> = Vec::new();
    managed.extend(committed_data(facts));
    let dvc_tracked: Vec<Evidence> = facts
        .dvc_pointers
        .iter()
        .map(|(p, t)| Evidence::file(p, format!("DVC tracks {t}")))
        .chain(
            facts
                .pipelines
                .dvc_stages
                .iter()
                .filter(|(_, s)| !s.outs.is_empty())
                .map(|(p, s)| {
                    line(
                        p,
                        s.line,
                        format!("dvc.yaml stage {} tracks {}", s.name, s.outs.join(", ")),
                    )
                }),
        )
        .collect();
    if !dvc_tracked.is_empty() {
        match &facts.dvc_remote {
            Some((name, l)) => {
                managed.extend(dvc_tracked);
                managed.push(line(
                    ".dvc/config",
                    Some(*l),
                    format!("DVC remote `{name}`"),
                ));
            }
            None => {
                weak.extend(dvc_tracked);
                weak.push(Evidence::file(
                    ".dvc/config",
                    "no DVC remote configured: others cannot `dvc pull` the data",
                ));
            }
        }
    }
    for (p, l, pattern) in &facts.lfs_patterns {
        managed.push(line(p, Some(*l), format!("git-lfs tracks {pattern}")));
    }
    for p in &facts.lfs_pointers {
        managed.push(Evidence::file(p, "git-lfs pointer"));
    }
    for (marker, note) in [
        (".datalad", "DataLad dataset"),
        (".dolt", "Dolt database"),
        (".lakefs_ref.yaml", "lakeFS reference"),
    ] {
        if facts.project.exists(marker) {
            managed.push(Evidence::file(marker, note));
        }
    }
    for f in &facts.python {
        for (s, loc) in &f.path_literals {
            if s.starts_with("lakefs://") {
                managed.push(at(&f.path, *loc, format!("lakeFS path {s}")));
            }
        }
    }
    for (ev, call) in fetchers(facts) {
        if super::inputs::loads_placeholder(facts, call) {
            continue;
        }
        if !is_download(call) {
            managed.push(ev);
            continue;
        }
        let url = call
            .args
            .first()
            .or_else(|| call.kwarg("url"))
            .and_then(Value::as_str)
            .unwrap_or("");
        // `requests.get` / `urlopen` also call web APIs and scrape pages: only a
        // URL naming a file is a data download.
        let http_call = matches!(
            call.callee.as_str(),
            "requests.get" | "urllib.request.urlopen"
        );
        let saves = || writes_binary_file(facts, &ev.path);
        let api_call = if url.is_empty() {
            !saves()
        } else {
            !names_data_file(url)
        };
        if (http_call && api_call) || is_own_file(facts, url) {
            continue;
        }
        if is_sharing_link(url) {
            weak.push(Evidence {
                note: format!("{}: a file-sharing link, not a pinned download", ev.note),
                ..ev
            });
        } else if file_checks_hash(facts, &ev.path) {
            managed.push(Evidence {
                note: format!("{} with a checksum check", ev.note),
                ..ev
            });
        } else {
            weak.push(Evidence {
                note: format!("{} without a checksum", ev.note),
                ..ev
            });
        }
    }
    for (p, l, cmd) in &facts.pipelines.downloads {
        let hashed =
            cmd.contains("sha256sum") || cmd.contains("md5sum") || cmd.contains("--checksum");
        let note = if hashed {
            format!("download with checksum: {cmd}")
        } else {
            format!("download without a checksum: {cmd}")
        };
        if hashed {
            managed.push(line(p, Some(*l), note));
        } else {
            weak.push(line(p, Some(*l), note));
        }
    }
    for d in &facts.docs {
        for (l, url) in &d.links {
            if is_sharing_link(url) {
                weak.push(line(
                    &d.path,
                    Some(*l),
                    format!("data on a file-sharing page: {url}"),
                ));
            }
        }
    }
    for (p, l, key, value) in super::inputs::config_data_locations(facts) {
        if super::inputs::is_remote(value) {
            weak.push(line(
                p,
                l,
                format!("`{key}` fetches the data from {value} without a pin or checksum"),
            ));
        }
    }
    // `pd.read_csv("https://…")`: fetched on every run, unpinned.
    for (f, call, values) in crate::lint::data_paths::read_calls(facts) {
        for v in values {
            if let Some(url) = v.as_str().filter(|u| super::inputs::is_remote(u)) {
                if !crate::lint::data_paths::is_model_artifact(&call.callee, url)
                    && !is_own_file(facts, url)
                {
                    weak.push(at(
                        &f.path,
                        call.loc,
                        format!("{}() reads {url} without a checksum", call.name()),
                    ));
                }
            }
        }
    }
    // Unpinned fetches on the run path leave part of the data unmanaged.
    let unpinned_on_path: Vec<&Evidence> = weak
        .iter()
        .filter(|e| facts.run_path.contains(&e.path) && !e.path.ends_with(".md"))
        .collect();
    if !managed.is_empty() && unpinned_on_path.is_empty() {
        let mut o = Outcome::new(
            Status::Pass,
            format!(
                "data is managed with the code ({} source(s))",
                managed.len()
            ),
        )
        .with_evidence(managed);
        o.notes = weak;
        return (o, None);
    }
    if !managed.is_empty() {
        let first = unpinned_on_path[0].location();
        let mut o = Outcome::new(
            Status::Partial,
            "some data is managed with the code, some is fetched without a pin or checksum",
        )
        .with_evidence(weak.clone());
        o.notes = managed;
        o.looked_for = looked.iter().map(|s| s.to_string()).collect();
        return (
            o,
            Some(format!(
                "Pin what {first} fetches: check a checksum after the download, or track the file with DVC."
            )),
        );
    }
    // Only a link in the docs' data section: the data can be found, not reproduced.
    for d in &facts.docs {
        let about = d.sections_about(DATA_WORDS);
        for (l, url) in &d.links {
            let in_data_section = about.iter().any(|s| s.line <= *l && *l <= s.end_line);
            if in_data_section && !is_sharing_link(url) && !is_image_link(url) {
                weak.push(line(
                    &d.path,
                    Some(*l),
                    format!("the data is linked, not managed: {url}"),
                ));
            }
        }
    }
    if !weak.is_empty() {
        let o = Outcome::new(Status::Partial, "data is fetched or tracked, but not pinned: no checksum, no DVC remote, or a file-sharing link")
            .with_evidence(weak)
            .looking_for(&looked);
        return (o, Some("Pin the data: add a DVC remote (`dvc remote add -d …`), or check a checksum after each download.".into()));
    }
    let o = Outcome::new(Status::Fail, "no managed data found").looking_for(&looked);
    (o, Some("Version the data with the code: `dvc add data/` with a remote, git-lfs, or a download script that verifies a checksum.".into()))
}

/// Words that mark a documentation section as being about the data.
const DATA_WORDS: &[&str] = &[
    "data", "dataset", "datasets", "input", "inputs", "schema", "layout", "format", "corpus",
    "columns", "features",
];

/// Table header words that mark a schema or a file list.
const SCHEMA_HEADERS: &[&str] = &[
    "column",
    "field",
    "feature",
    "type",
    "dtype",
    "format",
    "file",
    "variable",
    "attribute",
    "shape",
    "description",
    "name",
    "unit",
    "key",
    "label",
];

/// Extensions of tabular, array, audio and record data (not code, settings,
/// requirements, images or model checkpoints).
fn is_tabular_or_signal(ext: &str) -> bool {
    matches!(
        ext.trim_start_matches('.'),
        "csv"
            | "tsv"
            | "parquet"
            | "jsonl"
            | "ndjson"
            | "npy"
            | "npz"
            | "h5"
            | "hdf5"
            | "tfrecord"
            | "tfrecords"
            | "arrow"
            | "feather"
            | "xlsx"
            | "xls"
            | "wav"
            | "flac"
            | "mp3"
            | "mat"
            | "arff"
            | "nii"
            | "dcm"
            | "fastq"
            | "fq"
            | "bam"
            | "vcf"
            | "libsvm"
            | "avro"
            | "orc"
            | "sqlite"
            | "db"
            | "pkl"
            | "data"
    )
}

/// Whether a config value names a column dtype (pandas, numpy, SQL or Python).
fn is_dtype(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "int64"
            | "int32"
            | "int16"
            | "int8"
            | "float64"
            | "float32"
            | "float16"
            | "object"
            | "category"
            | "bool"
            | "boolean"
            | "datetime64"
            | "datetime64[ns]"
            | "string"
            | "str"
            | "int"
            | "float"
            | "integer"
            | "double"
            | "varchar"
            | "timestamp"
    )
}

fn is_image(ext: &str) -> bool {
    matches!(
        ext.trim_start_matches('.'),
        "png" | "jpg" | "jpeg" | "gif" | "bmp" | "tif" | "tiff" | "webp"
    )
}

/// 3.2: the structure of the input data is documented.
pub fn data_schema(input: &Input) -> Decided {
    let facts = input.ctx.facts;
    let looked = [
        "a README/docs section about the data with a table, a column list, a directory tree or file formats",
        "data/README.md, a datasheet or dataset card",
        "JSON Schema, pandera, Great Expectations, a Kedro catalog",
    ];
    let mut strong = Vec::new();
    let mut weak = Vec::new();
    for f in &facts.project.files {
        let lower = f.path.to_ascii_lowercase();
        let name = lower.rsplit('/').next().unwrap_or(&lower);
        let schema_file = [".schema.json", ".schema.yaml", ".schema.yml"]
            .iter()
            .any(|x| name.ends_with(x))
            && !name.starts_with("config.");
        let note = if schema_file || name == "schema.json" {
            Some("JSON Schema")
        } else if name.starts_with("datasheet")
            || name.contains("dataset_card")
            || name == "dataset_infos.json"
        {
            Some("datasheet / dataset card")
        } else if lower.starts_with("great_expectations/") && name == "great_expectations.yml" {
            Some("Great Expectations suite")
        } else if lower.ends_with("conf/base/catalog.yml")
            || lower.ends_with("conf/base/catalog.yaml")
        {
            Some("Kedro data catalog")
        } else {
            None
        };
        if let Some(note) = note {
            strong.push(Evidence::file(&f.path, note));
        }
    }
    // A config that maps column names to dtypes (`age: int64`) is a column schema.
    for c in &facts.configs {
        let typed: Vec<&str> = c
            .keys
            .iter()
            .filter(|k| is_dtype(&k.value))
            .map(|k| k.key.rsplit('.').next().unwrap_or(&k.key))
            .collect();
        if typed.len() >= 3 {
            let shown: Vec<&str> = typed.iter().take(4).copied().collect();
            strong.push(line(
                &c.path,
                c.keys
                    .iter()
                    .find(|k| is_dtype(&k.value))
                    .and_then(|k| k.line),
                format!(
                    "column types: {} … ({} columns)",
                    shown.join(", "),
                    typed.len()
                ),
            ));
        }
    }
    for f in &facts.python {
        if f.imports
            .iter()
            .any(|i| i.module == "pandera" || i.module.starts_with("pandera."))
        {
            strong.push(Evidence::file(&f.path, "pandera schema"));
        }
    }
    for d in &facts.docs {
        let in_data_dir = d
            .path
            .to_ascii_lowercase()
            .split('/')
            .rev()
            .skip(1)
            .any(|s| crate::facts::config::DATA_DIRS.contains(&s));
        // A directory tree that names data formats documents the layout, whatever
        // its section is called ("Project structure").
        let about = d.sections_about(DATA_WORDS);
        let sections: Vec<_> = if in_data_dir {
            d.sections.iter().collect()
        } else {
            d.sections
                .iter()
                .filter(|s| {
                    about.iter().any(|a| std::ptr::eq(*a, *s))
                        || (s.has_tree && s.formats.iter().any(|f| is_tabular_or_signal(f)))
                })
                .collect()
        };
        for s in sections {
            // Image links (`![plot](fig.png)`) mention a format without documenting data.
            let data_formats = s.formats.iter().any(|f| {
                !matches!(
                    f.trim_start_matches('.'),
                    "png" | "jpg" | "jpeg" | "gif" | "svg" | "webp"
                )
            });
            // A table documents the data when its header names fields or files
            // (`column | type`, `file | format`), not when it counts samples.
            let schema_table = s.has_table
                && (s.columns.is_empty()
                    || s.columns.iter().any(|c| {
                        let c = c.to_ascii_lowercase();
                        SCHEMA_HEADERS.iter().any(|w| c.contains(w))
                    }));
            // A tree documents a layout when it shows data files, not only code,
            // requirements and checkpoints.
            let data_tree = s.has_tree
                && (in_data_dir
                    || s.formats
                        .iter()
                        .any(|f| is_tabular_or_signal(f) || is_image(f)));
            // In a section about the data, naming the file format documents it
            // ("a folder of .jpg files named <label>_<n>.jpg", "44.1 kHz .wav").
            let about_data = in_data_dir || about.iter().any(|a| std::ptr::eq(*a, s));
            let formats_named = s.formats.iter().any(|f| {
                is_tabular_or_signal(f) || is_image(f) || f.trim_start_matches('.') == "json"
            });
            let structured = schema_table
                || data_tree
                || (s.has_list && data_formats)
                || (about_data && formats_named);
            let title = if s.title.is_empty() {
                "(top of file)".to_string()
            } else {
                format!("\"{}\"", s.title)
            };
            if structured {
                let mut what = Vec::new();
                if s.has_table {
                    what.push("a table".to_string());
                }
                if !s.columns.is_empty() {
                    what.push(format!("columns {}", s.columns.join(", ")));
                }
                if s.has_tree {
                    what.push("a directory tree".to_string());
                }
                if !s.formats.is_empty() {
                    what.push(format!("formats {}", s.formats.join(" ")));
                }
                strong.push(line(
                    &d.path,
                    Some(s.line),
                    format!("section {title} documents the data: {}", what.join("; ")),
                ));
            } else if in_data_dir && d.path.to_ascii_lowercase().contains("readme") && s.words >= 15
            {
                // SPEC names data/README.md itself as documentation of the data.
                strong.push(line(
                    &d.path,
                    Some(s.line),
                    format!("{} documents the data ({} words)", d.path, s.words),
                ));
            } else if s.words >= 15 {
                weak.push(line(
                    &d.path,
                    Some(s.line),
                    format!(
                        "section {title} describes the data in prose only ({} words)",
                        s.words
                    ),
                ));
            }
        }
    }
    if !strong.is_empty() {
        let mut o =
            Outcome::new(Status::Pass, "the data's structure is documented").with_evidence(strong);
        o.notes = weak;
        return (o, None);
    }
    if !weak.is_empty() {
        let o = Outcome::new(
            Status::Partial,
            "the data is described, but not its structure (no fields, types, layout or formats)",
        )
        .with_evidence(weak)
        .looking_for(&looked);
        return (o, Some("Add to the data section a table of files/columns with their types, or a directory tree with file formats.".into()));
    }
    let o = Outcome::new(
        Status::Fail,
        "no documentation of the data's structure found",
    )
    .looking_for(&looked);
    (o, Some("Add a \"Data\" section to the README (or data/README.md) listing the files, columns and types, or the folder layout with formats.".into()))
}

/// 3.3: the data location is a parameter.
pub fn data_swappable(input: &Input) -> Decided {
    let facts = input.ctx.facts;
    let looked = [
        "paths in data-loading calls (open, read_csv, read_parquet, np.load, Image.open, load_dataset …)",
        "whether each comes from the config or a CLI flag",
    ];
    let mut absolute = Vec::new();
    let mut literal = Vec::new();
    let mut param = Vec::new();
    let files = crate::lint::data_paths::read_calls(facts)
        .into_iter()
        .map(|(f, c, v)| (f, c, v, false));
    let folders = crate::lint::data_paths::folder_read_calls(facts)
        .into_iter()
        .map(|(f, c, v)| (f, c, v, true));
    // A file that the same script writes first (a rendered image, then shown)
    // is its output read back, not where the data lives. Another stage's
    // output is still a location fixed in code.
    let written: std::collections::HashSet<&(&str, String)> = input.ctx.written.iter().collect();
    for (f, call, values, reads_folder) in files.chain(folders) {
        // Packaging and test code reads VERSION files and fixtures, not the data.
        let aux = super::inputs::is_aux_path(&f.path);
        if !facts.run_path.contains(&f.path) || aux {
            continue;
        }
        let dir = f.path.rsplit_once('/').map_or("", |(d, _)| d);
        let self_written = |p: &str| {
            written.contains(&(f.path.as_str(), crate::facts::pipeline::join("", p)))
                || written.contains(&(f.path.as_str(), crate::facts::pipeline::join(dir, p)))
        };
        for v in values {
            match &v {
                // `pd.read_csv("https://…")`: the location is fixed in code.
                Value::Lit(Lit::Str(p))
                    if super::inputs::is_remote(p)
                        && !crate::lint::data_paths::is_model_artifact(&call.callee, p) =>
                {
                    literal.push(at(
                        &f.path,
                        call.loc,
                        format!("{}(\"{p}\"): data URL written in code", call.name()),
                    ));
                }
                Value::Lit(Lit::Str(p)) => {
                    // A trained model loaded for inference is an artifact, not the data location.
                    let data = reads_folder
                        || crate::lint::data_paths::is_data_path(facts, p)
                        || crate::lint::data_paths::is_text_data(p);
                    if !data
                        || self_written(p)
                        || crate::lint::data_paths::is_model_artifact(&call.callee, p)
                        || crate::lint::data_paths::is_system_path(p)
                    {
                        continue;
                    }
                    if crate::lint::data_paths::is_absolute(p) {
                        absolute.push(at(
                            &f.path,
                            call.loc,
                            format!("{}(\"{p}\"): absolute path in code", call.name()),
                        ));
                    } else {
                        literal.push(at(
                            &f.path,
                            call.loc,
                            format!("{}(\"{p}\"): data path written in code", call.name()),
                        ));
                    }
                }
                // `"{}{}.csv".format(folder, name)` with `folder="data/"`
                // fixed by a default or constant: the folder is written in code.
                Value::Derived(inner)
                    if matches!(inner.as_ref(), Value::Lit(Lit::Str(p))
                        if crate::facts::python::looks_like_path(p)
                            && crate::lint::data_paths::is_data_path(facts, p)
                            && !crate::lint::data_paths::loads_model(&call.callee)) =>
                {
                    let p = inner.as_str().unwrap_or_default();
                    let (list, what) = if crate::lint::data_paths::is_absolute(p) {
                        (&mut absolute, "absolute data folder in code")
                    } else {
                        (&mut literal, "data folder written in code")
                    };
                    list.push(at(
                        &f.path,
                        call.loc,
                        format!("{}() reads under \"{p}\": {what}", call.name()),
                    ));
                }
                Value::Config(k) | Value::Cli(k) if names_settings(k) => {}
                Value::Config(_) | Value::Cli(_) => param.push(at(
                    &f.path,
                    call.loc,
                    format!("{}() reads {}", call.name(), v.describe()),
                )),
                Value::File(inner) | Value::Derived(inner) if matches!(inner.as_ref(), Value::Config(k) | Value::Cli(k) if !names_settings(k)) => {
                    param.push(at(
                        &f.path,
                        call.loc,
                        format!("{}() reads {}", call.name(), inner.describe()),
                    ))
                }
                _ => {}
            }
        }
    }
    // Dataset classes told where to keep their files: `CIFAR10(root="data/")`.
    let fetched = fetchers(facts);
    for (ev, call) in &fetched {
        if !facts.run_path.contains(&ev.path) || super::inputs::is_download(call) {
            continue;
        }
        let Some(root) = call
            .kwarg("root")
            .or_else(|| call.kwarg("data_dir"))
            .or_else(|| {
                let positional_root = ["torchvision.", "torchaudio.", "torchtext."]
                    .iter()
                    .any(|p| call.callee.starts_with(p));
                positional_root.then(|| call.args.first()).flatten()
            })
        else {
            continue;
        };
        for v in facts.resolve(root) {
            match &v {
                // A download cache under the home folder (`~/.cache`) exists for
                // every user; only a folder of one machine is absolute.
                Value::Lit(Lit::Str(p))
                    if crate::lint::data_paths::is_absolute(p) && !p.starts_with("~/") =>
                {
                    absolute.push(at(
                        &ev.path,
                        call.loc,
                        format!(
                            "{}(root=\"{p}\"): absolute data folder in code",
                            call.name()
                        ),
                    ))
                }
                Value::Lit(Lit::Str(p)) => literal.push(at(
                    &ev.path,
                    call.loc,
                    format!("{}(root=\"{p}\"): data folder written in code", call.name()),
                )),
                Value::Config(_) | Value::Cli(_) => param.push(at(
                    &ev.path,
                    call.loc,
                    format!(
                        "{}() keeps its data where {} says",
                        call.name(),
                        v.describe()
                    ),
                )),
                Value::Derived(inner)
                    if matches!(inner.as_ref(), Value::Config(_) | Value::Cli(_)) =>
                {
                    param.push(at(
                        &ev.path,
                        call.loc,
                        format!(
                            "{}() keeps its data where {} says",
                            call.name(),
                            inner.describe()
                        ),
                    ))
                }
                _ => {}
            }
        }
    }
    // A loader whose dataset is named by a literal (`load_dataset("imdb")`,
    // `load_iris()`, a URL constant) fixes the data in code, as a literal path
    // does; one whose name comes from the config or a flag is a parameter.
    let on_path: Vec<&(Evidence, &Call)> = fetched
        .iter()
        .filter(|(e, _)| facts.run_path.contains(&e.path))
        .collect();
    let mut fixed = Vec::new();
    for (ev, call) in &on_path {
        match loader_source(facts, call) {
            LoaderSource::Param(v) => param.push(at(
                &ev.path,
                call.loc,
                format!("{}() loads what {v} names", call.name()),
            )),
            LoaderSource::Fixed(what) => {
                fixed.push(at(&ev.path, call.loc, format!("{}(): {what}", call.name())))
            }
            LoaderSource::Unknown => {}
        }
    }
    if let Some(profile) = recipe_ingest(facts) {
        param.push(profile);
    }
    // Data locations set in the config: a parameter, unless machine-specific.
    for (p, l, key, value) in super::inputs::config_data_locations(facts) {
        if crate::lint::data_paths::is_absolute(value) {
            absolute.push(line(
                p,
                l,
                format!("`{key}: {value}`: an absolute path in the config"),
            ));
        } else {
            param.push(line(p, l, format!("`{key}` sets the data location")));
        }
    }
    if !absolute.is_empty() {
        let first = absolute[0].location();
        let o = Outcome::new(Status::Fail, "absolute data paths in code")
            .with_evidence(absolute)
            .looking_for(&looked);
        return (o, Some(format!("Read the data path from the config (e.g. `data_dir: data/`) instead of the absolute path at {first}.")));
    }
    // Exploration notebooks beside a parametrised pipeline are not how the
    // project is run: their literal paths are noted, not held against it.
    let scripted = param.iter().any(|e| !e.path.ends_with(".ipynb"));
    let mut exploration = Vec::new();
    if scripted && literal.iter().all(|e| e.path.ends_with(".ipynb")) {
        exploration = std::mem::take(&mut literal);
    }
    if !literal.is_empty() {
        let first = literal[0].location();
        let mut o = Outcome::new(
            Status::Partial,
            "data paths are written in code, not taken from the config or CLI",
        )
        .with_evidence(literal);
        o.notes = param;
        o.looked_for = looked.iter().map(|s| s.to_string()).collect();
        return (o, Some(format!("Move the path at {first} into the config (or a --data flag) and read it from there.")));
    }
    if !param.is_empty() {
        let mut o = Outcome::new(
            Status::Pass,
            "data locations come from the config or the command line",
        )
        .with_evidence(param);
        o.notes = exploration;
        return (o, None);
    }
    if let Some(catalog) = kedro_catalog(facts) {
        let o = Outcome::new(
            Status::Pass,
            "data locations are declared in the Kedro data catalog, not in code",
        )
        .with_evidence([catalog]);
        return (o, None);
    }
    if !fixed.is_empty() && fixed.len() == on_path.len() {
        let first = fixed[0].location();
        let o = Outcome::new(
            Status::Partial,
            "the dataset is fixed in code: its loader is given a literal name or URL",
        )
        .with_evidence(fixed)
        .looking_for(&looked);
        return (o, Some(format!("Take the dataset name or URL loaded at {first} from the config or a command-line flag.")));
    }
    let loaders: Vec<Evidence> = fetched.into_iter().map(|(e, _)| e).collect();
    if !loaders.is_empty() {
        let o = Outcome::new(
            Status::Pass,
            "data comes through dataset loaders; no file path is written in code",
        )
        .with_evidence(loaders);
        return (o, None);
    }
    let o = Outcome::new(
        Status::NotApplicable,
        "no data-loading call found on the run path (the code reads no data files)",
    )
    .looking_for(&looked);
    (o, None)
}

/// Where a dataset loader's choice of data comes from.
enum LoaderSource {
    /// A config key or command-line flag, described.
    Param(String),
    /// A literal in code, described.
    Fixed(String),
    /// Neither could be told.
    Unknown,
}

/// Keyword arguments of loaders that say how to load, not what.
const LOADER_OPTIONS: &[&str] = &[
    "split",
    "download",
    "train",
    "transform",
    "target_transform",
    "streaming",
    "cache_dir",
    "return_X_y",
    "as_frame",
    "shuffle",
    "stream",
    "timeout",
    "headers",
    "verbose",
    "quiet",
    "with_info",
    "as_supervised",
    "trust_remote_code",
    "token",
    "use_auth_token",
    "revision",
];

fn loader_source(facts: &Facts, call: &Call) -> LoaderSource {
    // Generators (`make_moons`) synthesise data: there is no location to name,
    // but their arguments choose the data; literal ones fix it in code.
    if call.name().starts_with("make_") {
        let chosen = call
            .args
            .iter()
            .chain(call.kwargs.iter().map(|(_, v)| v))
            .flat_map(|v| facts.resolve(v))
            .find_map(|r| matches!(r, Value::Config(_) | Value::Cli(_)).then(|| r.describe()));
        return match chosen {
            Some(v) => LoaderSource::Param(v),
            None if call.star_kwargs => LoaderSource::Unknown,
            None => {
                LoaderSource::Fixed("synthesises its data with arguments written in code".into())
            }
        };
    }
    let named: Vec<&Value> = call
        .args
        .iter()
        .chain(
            call.kwargs
                .iter()
                .filter(|(k, _)| !LOADER_OPTIONS.contains(&k.as_str()))
                .map(|(_, v)| v),
        )
        .collect();
    if named.is_empty() {
        if call.star_kwargs {
            return LoaderSource::Unknown;
        }
        return LoaderSource::Fixed("no argument chooses the data".into());
    }
    let mut literal = None;
    for v in named {
        for r in facts.resolve(v) {
            let inner = match &r {
                Value::File(i) | Value::Derived(i) => i.as_ref(),
                other => other,
            };
            match inner {
                Value::Config(k) | Value::Cli(k) if !names_settings(k) => {
                    return LoaderSource::Param(inner.describe())
                }
                // A URL built on a literal root (`join(URL_ROOT, name)`) is as fixed.
                // A template with holes (`…/gpt-2/{}/{}`) is chosen elsewhere.
                Value::Lit(Lit::Str(s))
                    if literal.is_none()
                        && !s.contains("{}")
                        && (matches!(r, Value::Lit(_)) || super::inputs::is_remote(s)) =>
                {
                    literal = Some(format!("loads \"{s}\", written in code"));
                }
                _ => {}
            }
        }
    }
    literal.map_or(LoaderSource::Unknown, LoaderSource::Fixed)
}

/// An MLflow Recipes profile naming the data to ingest (`INGEST_CONFIG`).
fn recipe_ingest(facts: &Facts) -> Option<Evidence> {
    facts
        .configs
        .iter()
        .filter(|c| c.path.contains("profiles/"))
        .find_map(|c| {
            let k = c
                .keys
                .iter()
                .find(|k| k.key.to_ascii_lowercase().starts_with("ingest_config"))?;
            Some(super::evidence::line(
                &c.path,
                k.line,
                format!("`{}`: the recipe profile gives the data location", k.key),
            ))
        })
}

/// Whether a file opens another file for binary writing (`open(p, "wb")`):
/// what it fetches over HTTP is saved, a download rather than an API call.
fn writes_binary_file(facts: &Facts, path: &str) -> bool {
    facts.python_index(path).is_some_and(|i| {
        facts.python[i].calls.iter().any(|c| {
            let mode = crate::lint::data_paths::open_mode(c);
            matches!(c.callee.as_str(), "open" | "io.open")
                && mode.contains('w')
                && mode.contains('b')
        })
    })
}

/// A URL whose last segment is a data file or an archive (`…/train.csv`, `…/data.tgz`).
fn names_data_file(url: &str) -> bool {
    let last = url
        .split(['?', '#'])
        .next()
        .unwrap_or(url)
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let ext = last.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    super::inputs::DATA_EXTS.contains(&ext) || matches!(ext, "tar" | "7z" | "rar")
}

/// A raw URL of a file this project commits (`…/raw/main/datasets/x.csv`):
/// the data is managed with the code; the URL is only a way to reach it.
fn is_own_file(facts: &Facts, url: &str) -> bool {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let segments: Vec<&str> = path.split('/').collect();
    (1..segments.len().min(6)).any(|k| {
        let tail = segments[segments.len() - k..].join("/");
        k >= 2 && facts.project.file(&tail).is_some()
    })
}

fn is_image_link(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    [
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".svg",
        "shields.io",
        "badge",
    ]
    .iter()
    .any(|s| lower.contains(s))
}

/// A Kedro data catalog that names files: Kedro reads the data from there.
fn kedro_catalog(facts: &Facts) -> Option<Evidence> {
    if !facts.kedro {
        return None;
    }
    facts
        .configs
        .iter()
        .filter(|c| {
            let name = c.path.rsplit('/').next().unwrap_or(&c.path);
            name.starts_with("catalog") && c.path.starts_with("conf/")
        })
        .find_map(|c| {
            let (key, line) = c
                .keys
                .iter()
                .find(|k| k.key.ends_with(".filepath") || k.key.ends_with(".path"))
                .map(|k| (k.key.clone(), k.line))?;
            Some(super::evidence::line(
                &c.path,
                line,
                format!("`{key}`: the catalog gives each dataset's location"),
            ))
        })
}

/// Whether a flag or key names the settings file itself (`--config`), not data.
fn names_settings(key: &str) -> bool {
    let last = key.rsplit('.').next().unwrap_or(key).to_ascii_lowercase();
    [
        "config", "cfg", "conf", "params", "hparams", "settings", "yaml",
    ]
    .iter()
    .any(|w| last.contains(w))
}

/// 3.4: resource-intensive pipelines are split into tracked stages.
pub fn pipeline_stages(input: &Input) -> Decided {
    let facts = input.ctx.facts;
    let heavy = super::hardware::heaviness(facts);
    let stages = tracked_stages(facts);
    if stages.len() >= 2 && stages.iter().any(|s| s.feeds_later) {
        let mut o = Outcome::new(
            Status::Pass,
            format!(
                "{} tracked stage(s), outputs feeding later stages",
                stages.len()
            ),
        )
        .with_evidence(
            stages
                .iter()
                .map(|s| s.evidence.clone())
                .collect::<Vec<_>>(),
        );
        o.notes = heavy;
        return (o, None);
    }
    if heavy.is_empty() {
        let o = Outcome::new(Status::NotApplicable, "a light project: no GPU use, distributed training, large tracked data or long training found")
            .looking_for(&["CUDA/GPU/TPU use", "distributed training", "large or DVC/LFS-tracked data", "long training loops"]);
        return (o, None);
    }
    let status = if stages.is_empty() {
        Status::Fail
    } else {
        Status::Partial
    };
    let summary = if stages.is_empty() {
        "resource-intensive, but the pipeline is one step with no tracked intermediate outputs"
    } else {
        "resource-intensive; stages exist but no stage's outputs are tracked inputs of a later one"
    };
    let mut o = Outcome::new(status, summary)
        .with_evidence(heavy)
        .looking_for(&[
            "dvc.yaml stages whose outs feed later deps",
            "Snakemake rules, Kedro pipelines",
            "spaCy project.yml commands with deps and outputs",
            "MLproject entry points",
            "Makefile targets with file outputs used by later targets",
        ]);
    o.notes = stages.into_iter().map(|s| s.evidence).collect();
    (o, Some("Split the pipeline into dvc.yaml stages (prepare → train → evaluate) whose outputs are the next stage's deps.".into()))
}

struct Stage {
    evidence: Evidence,
    feeds_later: bool,
}

/// Whether any of `deps` is one of `outs` or lies under one.
fn reads_any(deps: &[String], outs: &[String]) -> bool {
    deps.iter()
        .any(|d| outs.iter().any(|o| crate::facts::pipeline::is_within(d, o)))
}

fn tracked_stages(facts: &Facts) -> Vec<Stage> {
    let mut out = Vec::new();
    let dvc = &facts.pipelines.dvc_stages;
    for (path, s) in dvc {
        let feeds = dvc
            .iter()
            .any(|(_, other)| other.name != s.name && reads_any(&other.deps, &s.outs));
        out.push(Stage {
            evidence: line(
                path,
                s.line,
                format!("dvc.yaml stage {} (outs: {})", s.name, s.outs.join(", ")),
            ),
            feeds_later: feeds,
        });
    }
    let commands = &facts.pipelines.project_commands;
    for (path, c) in commands.iter().filter(|(_, c)| !c.outputs.is_empty()) {
        let feeds = commands.iter().any(|(other_path, other)| {
            (other_path, &other.name) != (path, &c.name) && reads_any(&other.deps, &c.outputs)
        });
        out.push(Stage {
            evidence: line(
                path,
                c.line,
                format!(
                    "project.yml command {} (outputs: {})",
                    c.name,
                    c.outputs.join(", ")
                ),
            ),
            feeds_later: feeds,
        });
    }
    let ml_entries: std::collections::BTreeSet<&str> = facts
        .pipelines
        .invocations
        .iter()
        .filter_map(|i| match &i.origin.kind {
            OriginKind::MlprojectEntry(name) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    if ml_entries.len() >= 2 {
        for inv in facts
            .pipelines
            .invocations
            .iter()
            .filter(|i| matches!(i.origin.kind, OriginKind::MlprojectEntry(_)))
        {
            out.push(Stage {
                evidence: line(
                    &inv.origin.path,
                    inv.origin.line,
                    format!("MLproject {}", inv.origin.kind),
                ),
                feeds_later: true,
            });
        }
    }
    for f in &facts.project.files {
        let lower = f.path.to_ascii_lowercase();
        let name = lower.rsplit('/').next().unwrap_or(&lower);
        if name == "snakefile" || name.ends_with(".smk") {
            out.push(Stage {
                evidence: Evidence::file(&f.path, "Snakemake workflow"),
                feeds_later: true,
            });
        }
        if name == "pipeline_registry.py" {
            out.push(Stage {
                evidence: Evidence::file(&f.path, "Kedro pipeline registry"),
                feeds_later: true,
            });
        }
    }
    // Makefile targets that build files another target needs.
    let produced = &facts.pipelines.produced;
    for (path, rule_line, target, prereqs) in &facts.pipelines.make_rules {
        if produced.contains(target) {
            let feeds = facts
                .pipelines
                .make_rules
                .iter()
                .any(|(_, _, _, p)| p.contains(target));
            let uses_output = prereqs.iter().any(|p| produced.contains(p));
            out.push(Stage {
                evidence: line(
                    path,
                    Some(*rule_line),
                    format!("Makefile target {target} ← {}", prereqs.join(" ")),
                ),
                feeds_later: feeds || uses_output,
            });
        }
    }
    out
}
