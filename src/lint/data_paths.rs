//! `absolute-data-path` and `missing-data-file`: literal paths in
//! data-loading calls that will not resolve on another machine.

use crate::facts::python::{Call, PyFile};
use crate::facts::values::Value;
use crate::facts::Facts;

use super::{Context, CriterionId, Effect, Finding, RuleDef};

pub(super) const ABSOLUTE: RuleDef = RuleDef {
    id: "absolute-data-path",
    criterion: CriterionId::C1_2,
    effect: Effect::Fail,
    what: "An absolute path (`/home/...`, `C:\\...`, `~/...`) in a data-loading call (`open`, `pd.read_csv`, `np.load`, `Image.open`, `torch.load`, …).",
    why: "An absolute path names a place on the author's machine; on any other machine the run stops at the first read.",
    fix: "Ship or fetch the data inside the project and read it through a relative path taken from the config.",
    check: check_absolute,
};

pub(super) const MISSING: RuleDef = RuleDef {
    id: "missing-data-file",
    criterion: CriterionId::C1_2,
    effect: Effect::Fail,
    what: "A relative path in a data-loading call that is neither in the project nor produced by the pipeline (dvc.yaml outs, Makefile targets, files the code writes, DVC/LFS-tracked paths).",
    why: "The run needs a file nobody can get: the example input is missing.",
    fix: "Commit a small example of the file, track it with DVC/git-lfs, or add the step that downloads or produces it.",
    check: check_missing,
};

/// Calls that read a file named by their first argument.
const READERS: &[&str] = &[
    "open",
    "io.open",
    "pandas.read_csv",
    "pandas.read_table",
    "pandas.read_parquet",
    "pandas.read_json",
    "pandas.read_excel",
    "pandas.read_feather",
    "pandas.read_pickle",
    "pandas.read_hdf",
    "numpy.load",
    "numpy.loadtxt",
    "numpy.genfromtxt",
    "numpy.fromfile",
    "PIL.Image.open",
    "torch.load",
    "joblib.load",
    "h5py.File",
    "scipy.io.loadmat",
    "datasets.load_from_disk",
    "cv2.imread",
    "imageio.imread",
    "imageio.v2.imread",
    "imageio.v3.imread",
    "polars.read_csv",
    "polars.read_parquet",
    "pyarrow.parquet.read_table",
    "soundfile.read",
    "librosa.load",
    "tensorflow.keras.models.load_model",
    "keras.models.load_model",
    "tarfile.open",
    "zipfile.ZipFile",
    "gzip.open",
    "bz2.open",
    "lzma.open",
    "scipy.io.wavfile.read",
    "torchaudio.load",
    "pandas.read_sql",
];

/// Calls that read a whole folder of data, and the keyword naming it.
const FOLDER_READERS: &[(&str, &str)] = &[
    (
        "tensorflow.keras.utils.image_dataset_from_directory",
        "directory",
    ),
    (
        "tensorflow.keras.preprocessing.image_dataset_from_directory",
        "directory",
    ),
    ("keras.utils.image_dataset_from_directory", "directory"),
    (
        "keras.preprocessing.image_dataset_from_directory",
        "directory",
    ),
    (
        "tensorflow.keras.utils.text_dataset_from_directory",
        "directory",
    ),
    ("keras.utils.text_dataset_from_directory", "directory"),
    (
        "tensorflow.keras.utils.audio_dataset_from_directory",
        "directory",
    ),
    ("torchvision.datasets.ImageFolder", "root"),
    ("torchvision.datasets.DatasetFolder", "root"),
    ("fastai.vision.all.get_image_files", "path"),
    ("fastai.vision.all.get_files", "path"),
    ("fastai.data.transforms.get_files", "path"),
    ("fastai.data.transforms.get_image_files", "path"),
    ("fastai.vision.all.ImageDataLoaders.from_folder", "path"),
    ("tensorflow.data.TFRecordDataset", "filenames"),
    ("tensorflow.data.TextLineDataset", "filenames"),
];

/// Calls that write a file named by the given argument index.
const WRITERS: &[(&str, usize)] = &[
    ("to_csv", 0),
    ("to_parquet", 0),
    ("to_json", 0),
    ("to_pickle", 0),
    ("to_feather", 0),
    ("to_excel", 0),
    ("ModelCheckpoint", 0),
    ("numpy.save", 0),
    ("numpy.savez", 0),
    ("numpy.savez_compressed", 0),
    ("numpy.savetxt", 0),
    ("torch.save", 1),
    ("joblib.dump", 1),
    ("savefig", 0),
    ("save", 0),
    ("save_pretrained", 0),
    ("urllib.request.urlretrieve", 1),
    ("write_text", 0),
    ("write_bytes", 0),
    ("save_to_disk", 0),
    // Images and audio a script renders, then often reads back to show.
    ("torchvision.utils.save_image", 1),
    ("save_image", 1),
    ("imwrite", 0),
    ("imsave", 0),
    ("torchaudio.save", 0),
    ("soundfile.write", 0),
    ("scipy.io.wavfile.write", 0),
];

/// System files (`/proc/self/cgroup`, `/etc/os-release`): the same on every
/// machine, read to learn about the machine, never the project's data.
pub(crate) fn is_system_path(p: &str) -> bool {
    ["/dev/", "/proc/", "/sys/", "/etc/", "/usr/", "/opt/conda"]
        .iter()
        .any(|s| p.starts_with(s))
}

/// Whether a path names a place on one machine (`/home/...`, `C:\\...`, `~/...`).
pub(crate) fn is_absolute(p: &str) -> bool {
    let b = p.as_bytes();
    // Scratch space is on every machine too.
    if is_system_path(p) || p == "/tmp" || p.starts_with("/tmp/") {
        return false;
    }
    p.starts_with('/')
        || p.starts_with("~/")
        || (b.len() > 2
            && b[0].is_ascii_alphabetic()
            && b[1] == b':'
            && (b[2] == b'\\' || b[2] == b'/'))
        || p.starts_with("\\\\")
}

/// The mode an `open(path, mode)` call gives (`"r"` when none is written).
pub(crate) fn open_mode(call: &Call) -> &str {
    call.args
        .get(1)
        .or_else(|| call.kwarg("mode"))
        .and_then(Value::as_str)
        .unwrap_or("r")
}

fn open_mode_writes(call: &Call) -> bool {
    open_mode(call).contains(['w', 'a', 'x'])
}

/// Calls whose callee ends in one of `names`, in file and source order.
fn calls_named<'a>(
    facts: &'a Facts,
    names: impl Iterator<Item = &'a str>,
) -> Vec<(&'a PyFile, &'a Call)> {
    call_indexes(facts, names)
        .into_iter()
        .map(|(fi, ci)| (&facts.python[fi], &facts.python[fi].calls[ci]))
        .collect()
}

/// [`calls_named`] as (file index, call index).
fn call_indexes<'a>(facts: &Facts, names: impl Iterator<Item = &'a str>) -> Vec<(usize, usize)> {
    let mut idx: Vec<(usize, usize)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for n in names {
        if seen.insert(n) {
            idx.extend(facts.calls_by_name.get(n).into_iter().flatten().copied());
        }
    }
    idx.sort_unstable();
    idx
}

/// Keyword names readers give the path they read (`read_csv(filepath_or_buffer=…)`,
/// `np.load(file=…)`, `read_excel(io=…)`).
const READ_PATH_KWARGS: &[&str] = &[
    "file",
    "filepath_or_buffer",
    "path",
    "path_or_buf",
    "fname",
    "filename",
    "io",
];

/// Every data-reading call with the values its path argument may take
/// (parameters resolved through call sites); derived once per assessment.
pub(crate) fn read_calls(facts: &Facts) -> Vec<(&PyFile, &Call, &[Value])> {
    located(facts, &facts.data_reads().files)
}

/// Every call that reads a folder of data (`image_dataset_from_directory`,
/// `ImageFolder`, fastai's `get_files`) with the values its folder may take.
pub(crate) fn folder_read_calls(facts: &Facts) -> Vec<(&PyFile, &Call, &[Value])> {
    located(facts, &facts.data_reads().folders)
}

fn located<'a>(
    facts: &'a Facts,
    reads: &'a [(usize, usize, Vec<Value>)],
) -> Vec<(&'a PyFile, &'a Call, &'a [Value])> {
    reads
        .iter()
        .map(|(fi, ci, v)| {
            let f = &facts.python[*fi];
            (f, &f.calls[*ci], v.as_slice())
        })
        .collect()
}

/// Derives [`crate::facts::DataReads`]; use [`Facts::data_reads`].
pub(crate) fn derive_reads(facts: &Facts) -> crate::facts::DataReads {
    crate::facts::DataReads {
        files: file_reads(facts),
        folders: folder_reads(facts),
    }
}

fn file_reads(facts: &Facts) -> Vec<(usize, usize, Vec<Value>)> {
    let mut out = Vec::new();
    for (fi, ci) in call_indexes(
        facts,
        READERS.iter().map(|r| r.rsplit('.').next().unwrap_or(r)),
    ) {
        let call = &facts.python[fi].calls[ci];
        if !READERS.contains(&call.callee.as_str()) {
            continue;
        }
        if matches!(call.callee.as_str(), "open" | "io.open") && open_mode_writes(call) {
            continue;
        }
        let arg = call.args.first().or_else(|| {
            READ_PATH_KWARGS
                .iter()
                .find_map(|k| call.kwarg(k))
                .or_else(|| {
                    call.callee
                        .starts_with("tarfile.")
                        .then(|| call.kwarg("name"))?
                })
        });
        if let Some(a) = arg {
            out.push((fi, ci, facts.resolve(a)));
        }
    }
    out
}

/// Whether a file loads data at all (a file reader or a folder reader other
/// than a bare listing): a listing can only feed data loading where data is loaded.
pub(crate) fn loads_data(f: &PyFile) -> bool {
    f.calls.iter().any(|c| {
        let callee = c.callee.as_str();
        (READERS.contains(&callee) && !matches!(callee, "open" | "io.open"))
            // `open(os.path.join(data_dir, name))`: a file found in a folder.
            || (matches!(callee, "open" | "io.open")
                && !open_mode_writes(c)
                && matches!(c.args.first(), Some(Value::Derived(_) | Value::Param(_))))
            || FOLDER_READERS.iter().any(|(r, _)| *r == callee)
            || matches!(c.name(), "Dataset" | "DataLoader" | "imread" | "load_image")
    })
}

fn folder_reads(facts: &Facts) -> Vec<(usize, usize, Vec<Value>)> {
    let names = FOLDER_READERS
        .iter()
        .map(|(r, _)| r.rsplit('.').next().unwrap_or(r));
    call_indexes(facts, names)
        .into_iter()
        .filter_map(|(fi, ci)| {
            let call = &facts.python[fi].calls[ci];
            let (_, kw) = FOLDER_READERS.iter().find(|(r, _)| *r == call.callee)?;
            let arg = call.args.first().or_else(|| call.kwarg(kw))?;
            Some((fi, ci, facts.resolve(arg)))
        })
        .collect()
}

/// A plain-text file read as input (`input.txt`, `words.txt`), as opposed to
/// package metadata, licences or notes.
pub(crate) fn is_text_data(p: &str) -> bool {
    let lower = p.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let Some(stem) = name.strip_suffix(".txt") else {
        return false;
    };
    !lower.contains("://")
        && ![
            "requirements",
            "constraints",
            "version",
            "license",
            "licence",
            "readme",
            "notes",
            "changelog",
            "authors",
            "log",
            // Markers and scores a pipeline writes for itself.
            "status",
            "done",
            "success",
            "metrics",
        ]
        .iter()
        .any(|m| stem.starts_with(m))
}

/// Whether a read loads a trained model or checkpoint rather than input data.
pub(crate) fn is_model_artifact(callee: &str, path: &str) -> bool {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    matches!(
        ext.as_str(),
        "pt" | "pth" | "ckpt" | "onnx" | "safetensors" | "joblib" | "keras" | "tflite" | "mar"
    ) || (loads_model(callee)
        && (matches!(ext.as_str(), "pkl" | "pickle" | "h5" | "bin" | "model")
            || in_model_folder(path)))
}

/// A path under a folder that holds trained weights (`checkpoints/…`,
/// `pretrained/{name}`), whatever the file is called.
fn in_model_folder(path: &str) -> bool {
    let Some((dirs, _)) = path.rsplit_once('/') else {
        return false;
    };
    dirs.split('/').any(|d| {
        let d = d.to_ascii_lowercase();
        matches!(
            d.as_str(),
            "checkpoint" | "checkpoints" | "ckpt" | "ckpts" | "weights" | "models" | "saved_models"
        ) || d.starts_with("pretrained")
    })
}

/// Calls that load trained models (or checkpoints) far more often than data.
pub(crate) fn loads_model(callee: &str) -> bool {
    matches!(
        callee,
        "torch.load"
            | "joblib.load"
            | "tensorflow.keras.models.load_model"
            | "keras.models.load_model"
    )
}

/// Whether a literal path read by code is data (not a config, a log or code).
pub(crate) fn is_data_path(facts: &Facts, p: &str) -> bool {
    let lower = p.to_ascii_lowercase();
    if lower.contains("://") || !crate::facts::python::looks_like_path(p) {
        return false;
    }
    // Hidden folders (`~/.kaggle/`, `~/.cache/`) hold a tool's settings,
    // tokens and caches, never the project's data.
    let dirs = lower.rsplit_once('/').map_or("", |(d, _)| d);
    if dirs
        .split('/')
        .any(|d| d.starts_with('.') && d != "." && d != "..")
    {
        return false;
    }
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    if matches!(
        ext,
        "yaml" | "yml" | "toml" | "ini" | "cfg" | "gin" | "py" | "md" | "log" | "txt" | "sh"
    ) {
        return lower
            .split('/')
            .any(|d| crate::facts::config::DATA_DIRS.contains(&d));
    }
    !facts
        .configs
        .iter()
        .any(|c| c.path == p || c.path.ends_with(&format!("/{p}")))
}

/// Literal data paths read by code: (file, call, path), parameters resolved through call sites.
pub(crate) fn reads(facts: &Facts) -> Vec<(&PyFile, &Call, String)> {
    read_calls(facts)
        .into_iter()
        .flat_map(|(f, call, values)| {
            values
                .iter()
                .filter_map(move |v| v.as_str().map(|p| (f, call, portable(p))))
        })
        .collect()
}

/// A relative Windows path (`notebook\\data\\x.csv`) in the form the project's
/// file list uses; anything else unchanged.
fn portable(p: &str) -> String {
    if p.contains('\\') && !is_absolute(p) {
        p.replace('\\', "/")
    } else {
        p.to_string()
    }
}

/// Paths the project's code writes, each with the file whose code writes it
/// (as written and relative to that file's folder). Kept in the lint
/// context: the missing-file rule and 3.3 both ask.
pub(crate) fn written_by(facts: &Facts) -> Vec<(&str, String)> {
    let mut out: Vec<(&str, String)> = facts
        .python
        .iter()
        .flat_map(|f| {
            let dir = f.path.rsplit_once('/').map_or("", |(d, _)| d);
            f.shell_outputs.iter().flat_map(move |p| {
                [
                    (f.path.as_str(), crate::facts::pipeline::join("", p)),
                    (f.path.as_str(), crate::facts::pipeline::join(dir, p)),
                ]
            })
        })
        .collect();
    let names = WRITERS
        .iter()
        .map(|(w, _)| w.rsplit('.').next().unwrap_or(w))
        .chain(["open"]);
    for (f, call) in calls_named(facts, names) {
        let dir = f.path.rsplit_once('/').map_or("", |(d, _)| d);
        {
            let target =
                if matches!(call.callee.as_str(), "open" | "io.open") && open_mode_writes(call) {
                    call.args.first()
                } else {
                    WRITERS
                        .iter()
                        .find(|(w, _)| call.callee == *w || call.name() == *w)
                        .and_then(|(_, i)| call.args.get(*i))
                        .or_else(|| {
                            call.kwarg("filepath")
                                .or_else(|| call.kwarg("path"))
                                .or_else(|| call.kwarg("fname"))
                        })
                };
            if let Some(p) = target.and_then(Value::as_str) {
                // numpy adds the extension when it is missing.
                let ext = match call.callee.as_str() {
                    "numpy.save" if !p.ends_with(".npy") => ".npy",
                    "numpy.savez" | "numpy.savez_compressed" if !p.ends_with(".npz") => ".npz",
                    _ => "",
                };
                let p = format!("{p}{ext}");
                out.push((f.path.as_str(), crate::facts::pipeline::join("", &p)));
                out.push((f.path.as_str(), crate::facts::pipeline::join(dir, &p)));
            }
        }
    }
    out
}

/// A file under a hidden folder of the home directory or a cache
/// (`~/.mytool/token`, `/home/u/.cache/x`): a tool's own state or
/// credentials, not the project's data.
fn is_app_state(p: &str) -> bool {
    p.split(['/', '\\'])
        .any(|seg| seg.len() > 1 && seg.starts_with('.') && seg != "..")
}

fn check_absolute(ctx: &Context) -> Vec<Finding> {
    reads(ctx.facts)
        .into_iter()
        .filter(|(_, _, p)| is_absolute(p) && !is_app_state(p))
        .map(|(f, call, p)| {
            Finding::at(
                ABSOLUTE.id,
                &f.path,
                call.loc,
                format!("{}(\"{p}\"): absolute path", call.name()),
                ctx.facts.run_path.contains(&f.path),
            )
        })
        .collect()
}

fn check_missing(ctx: &Context) -> Vec<Finding> {
    let facts = ctx.facts;
    let mut produced: std::collections::HashSet<String> =
        facts.pipelines.produced.iter().cloned().collect();
    produced.extend(ctx.written.iter().map(|(_, p)| p.clone()));
    produced.extend(facts.dvc_pointers.iter().map(|(_, t)| t.clone()));
    let produced: std::collections::HashSet<String> = produced
        .into_iter()
        .map(|p| p.trim_end_matches('/').to_string())
        .collect();
    // A path is covered when it, or a folder above it, is produced.
    let covered = |p: &str| {
        let mut cur = p;
        loop {
            if produced.contains(cur) {
                return true;
            }
            match cur.rsplit_once('/') {
                Some((parent, _)) => cur = parent,
                None => return false,
            }
        }
    };
    let mut out = Vec::new();
    for (f, call, p) in reads(facts) {
        let p = p.as_str();
        let ext = p
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        let unpacks = f
            .shell_outputs
            .iter()
            .any(|o| o == crate::facts::notebook::UNKNOWN_OUTPUTS);
        if is_absolute(p)
            || p.starts_with('/')
            || unpacks
            || p.contains(['{', '*', '%', '$'])
            || !crate::facts::python::looks_like_path(p)
            || matches!(
                ext.as_str(),
                "yaml" | "yml" | "toml" | "ini" | "cfg" | "gin"
            )
            // Checkpoints and saved models are made by training, not shipped input.
            || is_model_artifact(&call.callee, p)
        {
            continue;
        }
        let dir = f.path.rsplit_once('/').map_or("", |(d, _)| d);
        let candidates = [
            crate::facts::pipeline::join("", p),
            crate::facts::pipeline::join(dir, p),
        ];
        let mut wdirs: Vec<String> = facts
            .pipelines
            .dvc_stages
            .iter()
            .map(|(_, s)| crate::facts::pipeline::join(&s.wdir, p))
            .collect();
        wdirs.extend(candidates);
        if wdirs.iter().any(|c| facts.project.exists(c) || covered(c)) {
            continue;
        }
        out.push(Finding::at(
            MISSING.id,
            &f.path,
            call.loc,
            format!(
                "{}(\"{p}\"): not in the project and not produced by the pipeline",
                call.name()
            ),
            facts.run_path.contains(&f.path),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::is_absolute;

    #[test]
    fn absolute_paths() {
        assert!(is_absolute("/home/alice/data.csv"));
        assert!(is_absolute("C:\\data\\x.csv"));
        assert!(is_absolute("~/data.csv"));
        assert!(!is_absolute("data/x.csv"));
        assert!(!is_absolute("/tmp/x"));
    }
}
