//! What feeds a project's input data, shared by 1.2 (example input) and the
//! Data stage: committed data files, data read by code, loaders, downloads.

use super::evidence::at;
use crate::assessment::Evidence;
use crate::facts::config::DATA_DIRS;
use crate::facts::python::Call;
use crate::facts::values::{Lit, Value};
use crate::facts::Facts;

pub(super) const DATA_EXTS: &[&str] = &[
    "csv", "tsv", "parquet", "jsonl", "ndjson", "json", "npy", "npz", "h5", "hdf5", "pkl",
    "pickle", "arrow", "feather", "xlsx", "xls", "mat", "arff", "txt", "png", "jpg", "jpeg", "gif",
    "bmp", "tif", "tiff", "wav", "mp3", "flac", "tfrecord", "zip", "gz", "tgz", "bz2", "xz",
    "libsvm", "data", "xml", "avro", "orc", "sqlite", "db",
];

/// Extensions that are never data, even inside a data folder.
const NOT_DATA_EXTS: &[&str] = &[
    "py",
    "ipynb",
    "md",
    "rst",
    "sh",
    "yaml",
    "yml",
    "toml",
    "cfg",
    "ini",
    "r",
    "rmd",
    "jl",
    "m",
    "c",
    "cpp",
    "h",
    "js",
    "ts",
    "html",
    "css",
    "dvc",
    "lock",
    "gitignore",
    "gitkeep",
];

pub(super) const DOWNLOADERS: &[&str] = &[
    "urllib.request.urlretrieve",
    "urllib.request.urlopen",
    "requests.get",
    "wget.download",
    "gdown.download",
    "huggingface_hub.hf_hub_download",
    "huggingface_hub.snapshot_download",
    "torch.hub.download_url_to_file",
    "torchvision.datasets.utils.download_url",
    "torchvision.datasets.utils.download_and_extract_archive",
    "torchvision.datasets.utils.download_file_from_google_drive",
    "tensorflow.keras.utils.get_file",
    "keras.utils.get_file",
    "kaggle.api.dataset_download_files",
];

pub(super) fn loader_note(callee: &str, call: &crate::facts::python::Call) -> Option<String> {
    let name = callee.rsplit('.').next().unwrap_or(callee);
    let download = matches!(call.kwarg("download"), Some(Value::Lit(Lit::Bool(true))));
    let hit = match callee {
        "datasets.load_dataset"
        | "tensorflow_datasets.load"
        | "tensorflow_datasets.builder"
        | "seaborn.load_dataset"
        | "openml.datasets.get_dataset" => true,
        c if c.starts_with("sklearn.datasets.") => {
            name.starts_with("load_") || name.starts_with("fetch_") || name.starts_with("make_")
        }
        c if c.starts_with("torchvision.datasets.")
            || c.starts_with("torchaudio.datasets.")
            || c.starts_with("torchtext.datasets.") =>
        {
            download || c.starts_with("torchtext")
        }
        c if (c.starts_with("tensorflow.keras.datasets.") || c.starts_with("keras.datasets."))
            && name == "load_data" =>
        {
            true
        }
        // `download=True` is the dataset-class idiom (torchvision, torchaudio,
        // MedMNIST, …), also when the class arrives through a variable or config.
        _ => download,
    };
    if hit {
        return Some(format!("dataset loader {callee}()"));
    }
    // The Kaggle API object's download methods, however the object was made:
    // Kaggle versions its datasets, so these count like dataset loaders.
    if matches!(
        name,
        "competition_download_files"
            | "competition_download_file"
            | "dataset_download_files"
            | "dataset_download_file"
    ) {
        return Some(format!("download with the Kaggle API ({name})"));
    }
    DOWNLOADERS
        .contains(&callee)
        .then(|| format!("download with {callee}()"))
}

/// Data files committed under data-like folders, data files read by code, and
/// committed files that a command-line default or a config value names.
pub(super) fn committed_data(facts: &Facts) -> Vec<Evidence> {
    let mut ev = Vec::new();
    // Data files already shown, so each is listed once: a set, because a
    // project can read thousands of them.
    let mut shown: std::collections::HashSet<String> = std::collections::HashSet::new();
    let config_paths: std::collections::HashSet<&str> =
        facts.configs.iter().map(|c| c.path.as_str()).collect();
    let is_input_file = |p: &str| -> Option<String> {
        let lower = p.to_ascii_lowercase();
        let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        let text_meta = ext == "txt" && !crate::lint::data_paths::is_text_data(p);
        if ext.is_empty() || NOT_DATA_EXTS.contains(&ext) || text_meta || config_paths.contains(p) {
            return None;
        }
        let p = p.trim_start_matches("./");
        facts.project.file(p).map(|f| f.path.clone())
    };
    for f in &facts.project.files {
        let lower = f.path.to_ascii_lowercase();
        let mut parts: Vec<&str> = lower.split('/').collect();
        let name = parts.pop().unwrap_or("");
        let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        let in_data_dir = parts.iter().any(|d| DATA_DIRS.contains(d));
        // Inside a data folder, files with their own extensions (`graph.edges`,
        // `split.x`) are data too; code, docs and dotfiles are not.
        let data_like = DATA_EXTS.contains(&ext)
            || (!name.starts_with('.') && !NOT_DATA_EXTS.contains(&ext) && !ext.is_empty());
        if in_data_dir
            && data_like
            && !facts.lfs_pointers.contains(&f.path)
            && !name.starts_with("readme")
        {
            let flag = if f.untracked {
                " (untracked: not committed)"
            } else {
                ""
            };
            ev.push(Evidence::file(
                &f.path,
                format!("committed data file ({} bytes){flag}", f.size),
            ));
            shown.insert(f.path.clone());
        }
    }
    for (f, call, p) in crate::lint::data_paths::reads(facts) {
        let dir = f.path.rsplit_once('/').map_or("", |(d, _)| d);
        let ext = p
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        let here = [
            crate::facts::pipeline::join("", &p),
            crate::facts::pipeline::join(dir, &p),
        ]
        .into_iter()
        .find(|c| facts.project.file(c).is_some());
        let Some(path) = here else { continue };
        // Package metadata (requirements, licences, versions) read by setup
        // code is never example input.
        let packaging = f.path.rsplit('/').next() == Some("setup.py")
            || (ext == "txt" && !crate::lint::data_paths::is_text_data(&path));
        if packaging
            || !DATA_EXTS.contains(&ext.as_str())
            || config_paths.contains(path.as_str())
            || facts.lfs_pointers.contains(&path)
        {
            continue;
        }
        if !shown.contains(&path) {
            ev.push(at(
                &f.path,
                call.loc,
                format!("reads committed data file {path}"),
            ));
            shown.insert(path);
        }
    }
    // Named by a default or a config value: after the files found directly,
    // which make better links.
    let mut named = Vec::new();
    for f in &facts.python {
        for c in &f.cli_params {
            if let Some(crate::facts::values::Value::Lit(crate::facts::values::Lit::Str(p))) =
                &c.default
            {
                if let Some(path) = is_input_file(p) {
                    let flag = c.flags.first().cloned().unwrap_or_else(|| c.name.clone());
                    let e = at(
                        &f.path,
                        c.loc,
                        format!("committed file {path} is the default of {flag}"),
                    );
                    named.push((path, e));
                }
            }
        }
    }
    for c in &facts.configs {
        for k in &c.keys {
            if let Some(path) = is_input_file(&k.value) {
                let e = crate::criteria::evidence::line(
                    &c.path,
                    k.line,
                    format!("committed file {path} is named by `{}`", k.key),
                );
                named.push((path, e));
            }
        }
    }
    for (path, e) in named {
        if !shown.contains(&path) {
            ev.push(e);
        }
    }
    ev
}

/// Dataset loaders and download calls in code, each with its note.
pub(super) fn fetchers(facts: &Facts) -> Vec<(Evidence, &Call)> {
    let mut out = Vec::new();
    for f in &facts.python {
        for call in &f.calls {
            if let Some(note) = loader_note(&call.callee, call) {
                out.push((at(&f.path, call.loc, note), call));
            }
        }
    }
    out
}

/// `load_dataset("your_dataset")`: a loader given a template's blank, which
/// names no data a run could get.
pub(super) fn loads_placeholder(facts: &Facts, call: &Call) -> bool {
    call.args.first().is_some_and(|a| {
        let values = facts.resolve(a);
        !values.is_empty()
            && values
                .iter()
                .all(|v| v.as_str().is_some_and(is_placeholder))
    })
}

/// A value left for the user to fill in: `your_dataset`, `path/to/data`,
/// `<DATASET>`.
fn is_placeholder(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    v.starts_with("your")
        || v.contains("/your")
        || v.contains("path/to")
        || v.contains("path_to")
        || (v.contains('<') && v.contains('>'))
        || matches!(v.as_str(), "dataset_name" | "my_dataset" | "xxx" | "todo")
}

/// Whether a download call is a plain download rather than a dataset loader.
pub(super) fn is_download(call: &Call) -> bool {
    DOWNLOADERS.contains(&call.callee.as_str())
}

/// Config values that name where the data lives: (config file, line, key, value).
/// A key names data when a segment of it says data/dataset and its last
/// segment says path/dir/file/root/url/location (`data.path`, `data_dir`,
/// `train_data_path`).
pub(super) fn config_data_locations(facts: &Facts) -> Vec<(&str, Option<u32>, &str, &str)> {
    let mut out = Vec::new();
    for c in &facts.configs {
        // Test fixtures and docs hold recorded runs from someone's machine.
        if is_aux_path(&c.path) {
            continue;
        }
        for k in &c.keys {
            let lower = k.key.to_ascii_lowercase();
            let segments: Vec<&str> = lower.split('.').collect();
            let last = segments.last().copied().unwrap_or("");
            let about_data = segments.iter().any(|s| s.contains("data"));
            let names_place = ["path", "dir", "file", "root", "url", "location", "uri"]
                .iter()
                .any(|w| last.contains(w));
            let value = k.value.trim();
            let looks = value.contains('/') || value.contains('.') || value.contains("://");
            // An absolute input folder is machine-specific whatever its key is
            // called (`assembly_dir: /scratch/…`); outputs are another matter.
            let output = [
                "out",
                "log",
                "save",
                "ckpt",
                "checkpoint",
                "result",
                "cache",
                "model",
            ]
            .iter()
            .any(|w| last.contains(w));
            let machine_input = !output && crate::lint::data_paths::is_absolute(value);
            if (about_data || machine_input)
                && names_place
                && looks
                && !value.contains(' ')
                && value != "null"
            {
                out.push((c.path.as_str(), k.line, k.key.as_str(), value));
            }
        }
    }
    out
}

/// Whether a file belongs to tests, docs or packaging rather than the run.
pub(super) fn is_aux_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with("setup.py")
        || lower
            .split('/')
            .any(|s| matches!(s, "tests" | "test" | "docs"))
        || lower
            .rsplit('/')
            .next()
            .is_some_and(|n| n.starts_with("test_"))
}

/// Whether a location is fetched over the network (`https://…`, `hf://…`, `s3://…`).
pub(super) fn is_remote(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    [
        "http://", "https://", "hf://", "s3://", "gs://", "az://", "ftp://",
    ]
    .iter()
    .any(|s| lower.starts_with(s))
}
