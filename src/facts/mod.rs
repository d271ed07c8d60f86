//! Facts about a project, extracted once, in parallel, from its files.
//!
//! Each parser reads one kind of file; `Facts` holds their results and the
//! derived views the criteria share (the module map, the run path).

pub mod callsites;
pub mod config;
pub mod dockerfile;
pub mod docs;
pub mod gpu;
pub mod import_map;
pub mod instantiate;
pub mod markdown;
pub mod nesting;
pub mod notebook;
pub mod packages;
pub mod pipeline;
pub mod python;
pub mod runpath;
pub mod shell;
pub mod spanned;
pub mod values;

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use crate::source::{Project, Skipped};
use config::{ConfigFile, Format};
use pipeline::Pipelines;
use python::PyFile;

/// Text of a git-lfs pointer file starts with this line.
pub const LFS_POINTER_PREFIX: &str = "version https://git-lfs.github.com/spec/v1";

/// The most distinct values a parameter resolves to through its call sites.
const MAX_RESOLVED: usize = 32;
/// The most call sites followed for one parameter.
const MAX_SITES: usize = 256;
/// How many parameters deep a value is followed through callers.
const MAX_CHAIN: usize = 4;

/// A parameter: (defining file, function, parameter name).
type ParamKey = (String, String, String);

/// One resolution: the parameters being followed, and results cut short by a
/// cycle or a limit. Those depend on the path taken, so they are reused only
/// within this resolution (which walks call sites in a fixed order), never
/// shared: what is shared cannot depend on which thread came first.
#[derive(Default)]
struct Walk {
    chain: Vec<ParamKey>,
    partial: HashMap<ParamKey, Vec<values::Value>>,
}

/// Everything the criteria may read.
#[derive(Debug)]
pub struct Facts {
    /// The project as read.
    pub project: Project,
    /// Python files and notebooks, sorted by path.
    pub python: Vec<PyFile>,
    /// Config files, sorted by path.
    pub configs: Vec<ConfigFile>,
    /// Python settings modules (`config.py`), by path.
    pub python_configs: Vec<String>,
    /// Pipeline declarations.
    pub pipelines: Pipelines,
    /// Paths of git-lfs pointer files.
    pub lfs_pointers: Vec<String>,
    /// `.dvc` pointer files and the path each tracks.
    pub dvc_pointers: Vec<(String, String)>,
    /// Hydra config folders (from `@hydra.main` and `defaults:` lists).
    pub hydra_dirs: Vec<String>,
    /// What was left out (from the source layer and from parsers).
    pub skipped: Vec<Skipped>,
    /// The run path.
    pub run_path: runpath::RunPath,
    /// Calls by the last segment of their callee: (file index, call index).
    pub calls_by_name: HashMap<String, Vec<(usize, usize)>>,
    /// Call sites by the definition they reach.
    pub call_index: callsites::CallIndex,
    /// Parameters already resolved through their call sites: (file, function, name).
    pub resolved_params: std::sync::Mutex<HashMap<ParamKey, Vec<values::Value>>>,
    /// Data reads, derived once on first use and shared by rules and criteria
    /// (see [`Facts::data_reads`]).
    pub data_reads: std::sync::OnceLock<DataReads>,
    /// Names of functions defined anywhere in the project.
    pub function_names: HashSet<String>,
    /// `.gitattributes` lines that route paths through git-lfs: (file, line, pattern).
    pub lfs_patterns: Vec<(String, u32, String)>,
    /// The DVC remote named in `.dvc/config`: (name, line).
    pub dvc_remote: Option<(String, u32)>,
    /// Bytes of data tracked by git-lfs and DVC pointers, as their pointers record.
    pub tracked_bytes: u64,
    /// Package lists and lock files, sorted by path.
    pub packages: Vec<packages::PackageFile>,
    /// Dockerfiles and Apptainer definitions, sorted by path.
    pub dockerfiles: Vec<dockerfile::Dockerfile>,
    /// READMEs and other documentation, sorted by path.
    pub docs: Vec<docs::Doc>,
    /// Environment specs other than Dockerfiles: devcontainers and Cog builds.
    pub env_specs: Vec<EnvSpec>,
    /// GPU machines asked for by infrastructure files (CI, clusters, scripts).
    pub gpu_requests: Vec<gpu::GpuRequest>,
    /// A Kedro project (see [`is_kedro`]).
    pub kedro: bool,
    /// Where the project builds a LightningCLI, which reads configs given with `--config`.
    pub lightning_cli: Vec<instantiate::CliSite>,
}

/// Calls that read data, each as (file index, call index, the values its path
/// argument may take, parameters resolved through call sites).
#[derive(Debug, Default)]
pub struct DataReads {
    /// Readers of one file (`read_csv`, `np.load`, `open` for reading).
    pub files: Vec<(usize, usize, Vec<values::Value>)>,
    /// Readers of a folder (`ImageFolder`, `image_dataset_from_directory`).
    pub folders: Vec<(usize, usize, Vec<values::Value>)>,
}

/// A devcontainer or a Cog build: where it is, its image, its Python.
#[derive(Debug, Clone)]
pub struct EnvSpec {
    /// The file.
    pub path: String,
    /// What it is (`devcontainer`, `Cog build`).
    pub kind: &'static str,
    /// The image it names, if any.
    pub image: Option<String>,
    /// The Python version it fixes, if any.
    pub python: Option<String>,
}

/// The Python version an image tag fixes (`python:3.10`, `devcontainers/python:1-3.11-bookworm`).
pub fn python_of_image(image: &str) -> Option<String> {
    let (name, tag, _) = dockerfile::split_image_ref(image);
    if !name.contains("python") {
        return None;
    }
    let tag = tag?;
    tag.split(['-', '_'])
        .find(|part| {
            part.starts_with("3.")
                && part
                    .split('.')
                    .all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        })
        .map(str::to_string)
}

fn env_spec(path: &str, text: &str) -> Option<EnvSpec> {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    if name == "devcontainer.json" || name == ".devcontainer.json" {
        // devcontainer.json allows comments; drop whole-line ones before parsing.
        let cleaned: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let json: serde_json::Value = serde_json::from_str(&cleaned).unwrap_or_default();
        let image = json
            .get("image")
            .and_then(|v| v.as_str())
            .map(str::to_string);
        let python = image.as_deref().and_then(python_of_image);
        return Some(EnvSpec {
            path: path.to_string(),
            kind: "devcontainer",
            image,
            python,
        });
    }
    if name == "cog.yaml" {
        let yaml: serde_json::Value = serde_saphyr::from_str(text).unwrap_or_default();
        let python = yaml.pointer("/build/python_version").map(|v| match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        });
        return Some(EnvSpec {
            path: path.to_string(),
            kind: "Cog build",
            image: None,
            python,
        });
    }
    // A Snakemake workflow runs in the image its `container:` directive names.
    if name == "snakefile" || name.ends_with(".smk") {
        let image = text.lines().find_map(|l| {
            let v = l.trim().strip_prefix("container:")?;
            let v = v.trim().trim_matches(['"', '\'']);
            let v = v.strip_prefix("docker://").unwrap_or(v);
            (!v.is_empty() && !v.contains(['{', ' '])).then(|| v.to_string())
        })?;
        let python = python_of_image(&image);
        return Some(EnvSpec {
            path: path.to_string(),
            kind: "Snakemake container",
            image: Some(image),
            python,
        });
    }
    None
}

impl Facts {
    /// The project's data reads, derived on first use and kept: rules and
    /// criteria alike read them, and resolving each path argument through
    /// call sites is the costly part.
    pub fn data_reads(&self) -> &DataReads {
        self.data_reads
            .get_or_init(|| crate::lint::data_paths::derive_reads(self))
    }

    /// Resolves a function parameter through the project's call sites of that
    /// function (a few levels deep); other values resolve to themselves.
    pub fn resolve(&self, value: &values::Value) -> Vec<values::Value> {
        let mut walk = Walk::default();
        self.resolve_chain(value, &mut walk).0
    }

    /// Resolves `value` with `chain` the parameters being resolved above it.
    /// Returns the values and whether they are complete (no cycle was cut and
    /// no limit reached): only complete results are cached, so the cache never
    /// depends on which chain, or which thread, reached a parameter first.
    fn resolve_chain(&self, value: &values::Value, walk: &mut Walk) -> (Vec<values::Value>, bool) {
        let values::Value::Param(param) = value else {
            // `Image.open(p)` for p in a folder named by a parameter: resolve the parameter.
            if let values::Value::Derived(inner) | values::Value::File(inner) = value {
                if matches!(inner.as_ref(), values::Value::Param(_)) {
                    let wrap = |v: values::Value| match value {
                        values::Value::File(_) => values::Value::File(Box::new(v)),
                        _ => values::Value::Derived(Box::new(v)),
                    };
                    let (vals, complete) = self.resolve_chain(inner, walk);
                    return (vals.into_iter().map(wrap).collect(), complete);
                }
            }
            return (vec![value.clone()], true);
        };
        let values::ParamRef {
            func,
            name,
            index,
            file,
        } = param.as_ref();
        let key: ParamKey = (file.clone(), func.clone(), name.clone());
        if walk.chain.len() > MAX_CHAIN || walk.chain.contains(&key) {
            return (vec![values::Value::Unknown], false);
        }
        if let Some(done) = self
            .resolved_params
            .lock()
            .ok()
            .and_then(|m| m.get(&key).cloned())
        {
            return (done, true);
        }
        if let Some(partial) = walk.partial.get(&key) {
            return (partial.clone(), false);
        }
        // A function that a CLI generator calls takes its parameters from the
        // command line, whatever else happens to call a method of that name;
        // a `None` default is what runs that do not give the flag get.
        if self
            .python_index(file)
            .is_some_and(|fi| self.python[fi].cli_functions.iter().any(|f| f == func))
        {
            let v = match self.param_default(file, func, *index) {
                Some(values::Lit::None) => values::Value::Lit(values::Lit::None),
                _ => values::Value::Cli(name.clone()),
            };
            return (vec![v], true);
        }
        let sites = match self.python_index(file) {
            Some(def) => self.call_index.sites(def, func),
            None => &[],
        };
        walk.chain.push(key.clone());
        let mut out = Vec::new();
        let mut complete = sites.len() <= MAX_SITES;
        for &(fi, ci) in sites.iter().take(MAX_SITES) {
            let call = &self.python[fi].calls[ci];
            if let Some(v) = call.kwarg(name).or_else(|| call.args.get(*index)) {
                let (vals, whole) = self.resolve_chain(v, walk);
                complete &= whole;
                // Distinct values only, and a bounded number of them.
                for r in vals {
                    if !out.contains(&r) {
                        out.push(r);
                    }
                }
                if out.len() >= MAX_RESOLVED {
                    complete = false;
                    break;
                }
            }
        }
        walk.chain.pop();
        if out.is_empty() {
            // No caller passes it: the default is what the code runs with. With
            // no caller at all (a framework or a CLI wrapper calls it) only a
            // `None` default is certain to be used.
            match self.param_default(file, func, *index) {
                Some(values::Lit::None) => out.push(values::Value::Lit(values::Lit::None)),
                Some(lit) if !sites.is_empty() => out.push(values::Value::Lit(lit.clone())),
                _ => out.push(value.clone()),
            }
        }
        if complete {
            if let Ok(mut m) = self.resolved_params.lock() {
                m.insert(key, out.clone());
            }
        } else {
            walk.partial.insert(key, out.clone());
        }
        (out, complete)
    }

    /// The index in `python` of the file at `path`.
    pub fn python_index(&self, path: &str) -> Option<usize> {
        self.python
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
    }

    /// Whether any call in the project reaches function `func` of `file`.
    pub fn is_called(&self, file: &str, func: &str) -> bool {
        self.python_index(file)
            .is_some_and(|fi| self.call_index.is_called(fi, func))
    }

    /// The literal default of parameter `index` of `func` defined in `file`.
    pub fn param_default(&self, file: &str, func: &str, index: usize) -> Option<&values::Lit> {
        let at = self.python_index(file)?;
        self.python[at]
            .functions
            .iter()
            .find(|d| d.name == func)?
            .defaults
            .get(index)?
            .as_ref()
    }
}

/// A file's text as evidence: in REPRODUCIBILITY.md, what reproscale itself
/// generated (between its markers) is blanked, keeping line numbers, so that
/// a report never becomes evidence for the next assessment.
fn own_text<'a>(path: &str, text: &'a str) -> std::borrow::Cow<'a, str> {
    if !path.eq_ignore_ascii_case("REPRODUCIBILITY.md") || !text.contains("<!-- reproscale:begin") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut inside = false;
    let lines: Vec<&str> = text
        .lines()
        .map(|l| {
            let t = l.trim();
            if t.starts_with("<!-- reproscale:begin") {
                inside = true;
                return "";
            }
            if t.starts_with("<!-- reproscale:end") {
                inside = false;
                return "";
            }
            if inside {
                ""
            } else {
                l
            }
        })
        .collect();
    std::borrow::Cow::Owned(lines.join("\n"))
}

/// Whether the project is a Kedro project (its pipelines are nodes, its
/// config is read by Kedro's loader from `conf/`).
pub fn is_kedro(project: &Project) -> bool {
    project
        .file("pyproject.toml")
        .and_then(|f| f.text())
        .is_some_and(|t| t.contains("[tool.kedro]"))
        || project.exists("conf/base/catalog.yml")
        || project.exists("conf/base/catalog.yaml")
}

/// An executable Python script without an extension (`train` starting `#!/usr/bin/env python3`).
pub fn is_python_script(path: &str, text: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    !name.contains('.')
        && text
            .lines()
            .next()
            .is_some_and(|l| l.starts_with("#!") && l.contains("python"))
}

/// A shell script without an extension (`download_dataset` starting `#!/bin/bash`).
pub fn is_shell_script(path: &str, text: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    !name.contains('.')
        && text.lines().next().is_some_and(|l| {
            l.starts_with("#!")
                && [
                    "/sh", "/bash", "/zsh", "/dash", "env sh", "env bash", "env zsh",
                ]
                .iter()
                .any(|s| l.contains(s))
        })
}

/// Extensionless files larger than this are not read to look for a shebang.
const MAX_SCRIPT_BYTES: u64 = 1 << 20;

/// How much of a file's text the facts layer wants.
pub fn wants(path: &str, size: u64) -> crate::source::Want {
    use crate::source::Want;
    if wants_whole(path, size) {
        Want::All
    } else if is_extensionless(path) && size <= MAX_SCRIPT_BYTES {
        // Maybe a script run through its shebang (see `is_python_script`).
        Want::IfShebang
    } else {
        Want::No
    }
}

fn is_extensionless(path: &str) -> bool {
    !path.rsplit('/').next().unwrap_or(path).contains('.')
}

fn wants_whole(path: &str, size: u64) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    matches!(
        ext,
        "py" | "ipynb"
            | "yaml"
            | "yml"
            | "toml"
            | "gin"
            | "ini"
            | "cfg"
            | "sh"
            | "dvc"
            | "md"
            | "rst"
    ) || (ext == "json" && size <= 256 * 1024)
        || matches!(
            name,
            "makefile" | "gnumakefile" | "mlproject" | ".gitattributes" | "readme" | "readme.txt"
        )
        || size <= 200
        || lower == ".dvc/config"
        || packages::kind_of(path).is_some()
        || dockerfile::is_dockerfile(path)
        || dockerfile::is_def_file(path)
        || docs::is_doc(path)
        || matches!(
            name,
            "flake.nix"
                | "shell.nix"
                | "runtime.txt"
                | ".python-version"
                | "snakefile"
                | "description"
        )
        || ext == "smk"
}

enum Parsed {
    Py(Box<PyFile>),
    Config(ConfigFile),
    PyConfig(String),
    Lfs(String),
    Dvc(String, String),
    Packages(packages::PackageFile),
    Docker(dockerfile::Dockerfile),
    Doc(Box<docs::Doc>),
    Pipeline(Box<Pipelines>),
    Skip(Skipped),
    None,
}

/// The facts of one file's text (its pipeline facts apart: [`pipeline_part`]).
fn parse_one(f: &crate::source::ProjectFile, text: &str) -> Vec<Parsed> {
    let mut out = Vec::new();
    let lower = f.path.to_ascii_lowercase();
    if text.starts_with(LFS_POINTER_PREFIX) {
        return vec![Parsed::Lfs(f.path.clone())];
    }
    // Cookiecutter/Jinja project templates are not Python until rendered.
    if (lower.ends_with(".py") || lower.ends_with(".ipynb"))
        && (f.path.contains("{{") || text.contains("{{ cookiecutter."))
    {
        return vec![Parsed::Skip(Skipped {
            path: f.path.clone(),
            reason: "a project template (cookiecutter/Jinja): not Python until rendered".into(),
        })];
    }
    if lower.ends_with(".py") || is_python_script(&f.path, text) {
        if config::is_python_config_module(&f.path) {
            out.push(Parsed::PyConfig(f.path.clone()));
        }
        out.push(Parsed::Py(Box::new(python::parse_file(&f.path, text))));
    } else if lower.ends_with(".ipynb") {
        out.push(match notebook::parse(&f.path, text) {
            Ok(py) => Parsed::Py(Box::new(py)),
            Err(notebook::NotebookError::Malformed(e)) => Parsed::Skip(Skipped {
                path: f.path.clone(),
                reason: format!("malformed notebook: {e}"),
            }),
            Err(notebook::NotebookError::NotPython(lang)) => Parsed::Skip(Skipped {
                path: f.path.clone(),
                reason: format!("notebook kernel is {lang}, not Python"),
            }),
        });
    } else if lower.ends_with(".dvc") {
        let tracked = dvc_pointer_target(&f.path, text);
        out.push(Parsed::Dvc(f.path.clone(), tracked));
    } else if let Some(format) = config::is_candidate(&f.path, f.size) {
        match config::parse(&f.path, format, text) {
            Ok(config::Candidate::Config(c)) => out.push(Parsed::Config(c)),
            Ok(config::Candidate::CondaEnvironment) if packages::kind_of(&f.path).is_none() => out
                .push(Parsed::Packages(packages::parse_as(
                    &f.path,
                    packages::PackageFileKind::CondaEnvironment,
                    text,
                ))),
            Ok(_) => {}
            Err(e) => out.push(Parsed::Skip(Skipped {
                path: f.path.clone(),
                reason: format!("config file does not parse: {e}"),
            })),
        }
    }
    if let Some(p) = packages::parse(&f.path, text) {
        out.push(Parsed::Packages(p));
    }
    if dockerfile::is_dockerfile(&f.path) {
        out.push(Parsed::Docker(dockerfile::parse(&f.path, text)));
    } else if dockerfile::is_def_file(&f.path) {
        let def = dockerfile::parse_def_file(&f.path, text);
        // Windows module-definition files share the .def extension.
        if !def.bases.is_empty() {
            out.push(Parsed::Docker(def));
        }
    }
    if docs::is_doc(&f.path) {
        out.push(Parsed::Doc(Box::new(docs::parse(&f.path, text))));
    }
    if out.is_empty() {
        out.push(Parsed::None);
    }
    out
}

/// The pipeline facts one file declares, if it is a pipeline file, a shell
/// script or a Markdown document with run commands.
fn pipeline_part(path: &str, text: &str) -> Option<Pipelines> {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let mut p = Pipelines::default();
    match name {
        "dvc.yaml" | "dvc.yml" => p.add_dvc(path, text),
        "mlproject" => p.add_mlproject(path, text),
        "project.yml" | "project.yaml" => p.add_project_yml(path, text),
        "makefile" | "gnumakefile" => p.add_makefile(path, text),
        _ if name == "snakefile" || name.ends_with(".smk") => p.add_snakefile(path, text),
        _ if name.ends_with(".sh") || is_shell_script(path, text) => {
            p.add_commands(path, text, false)
        }
        // Run commands in the README and other Markdown docs (TRAIN.md, docs/*.md).
        _ if (name.ends_with(".md") || (name.starts_with("readme") && !path.contains('/')))
            && !path.starts_with(".github/")
            && !docs::is_project_meta(name) =>
        {
            p.add_commands(path, text, true)
        }
        _ => return None,
    }
    Some(p)
}

/// Extracts all facts from a project.
pub fn extract(project: Project) -> Facts {
    let timing = std::env::var_os("REPROSCALE_TIMING").is_some();
    let start = std::time::Instant::now();
    let lap = |what: &str| {
        if timing {
            crate::note!("  facts {what}: {:?}", start.elapsed());
        }
    };
    let parsed: Vec<Vec<Parsed>> = project
        .files
        .par_iter()
        .map(|f| {
            let Some(text) = f.text() else { return vec![] };
            let own = own_text(&f.path, text);
            let text = own.as_ref();
            let mut out = parse_one(f, text);
            // Each file's pipeline facts are read here, in parallel; they are
            // joined in file order below, as one pass over the files would.
            if let Some(p) = pipeline_part(&f.path, text) {
                out.push(Parsed::Pipeline(Box::new(p)));
            }
            out
        })
        .collect();
    lap("parsed");

    let mut python = Vec::new();
    let mut configs = Vec::new();
    let mut python_configs = Vec::new();
    let mut lfs_pointers = Vec::new();
    let mut dvc_pointers = Vec::new();
    let mut package_files = Vec::new();
    let mut dockerfiles = Vec::new();
    let mut doc_files = Vec::new();
    let mut pipelines = Pipelines::default();
    let mut skipped = project.skipped.clone();
    for p in parsed.into_iter().flatten() {
        match p {
            Parsed::Py(f) => python.push(*f),
            Parsed::Config(c) => configs.push(c),
            Parsed::PyConfig(p) => python_configs.push(p),
            Parsed::Lfs(p) => lfs_pointers.push(p),
            Parsed::Dvc(p, t) => dvc_pointers.push((p, t)),
            Parsed::Packages(p) => package_files.push(p),
            Parsed::Docker(d) => dockerfiles.push(d),
            Parsed::Doc(d) => doc_files.push(*d),
            Parsed::Pipeline(p) => pipelines.append(*p),
            Parsed::Skip(s) => skipped.push(s),
            Parsed::None => {}
        }
    }
    for (path, msg) in &pipelines.problems {
        skipped.push(Skipped {
            path: path.clone(),
            reason: format!("pipeline file does not parse: {msg}"),
        });
    }

    lap("pipelines");
    // A file the pipeline declares as metrics or plots is a result the run
    // writes, whatever it looks like (`metrics.json`), never configuration.
    let results: HashSet<&str> = pipelines
        .dvc_metrics
        .iter()
        .map(|(_, _, m)| m.as_str())
        .chain(
            pipelines
                .dvc_stages
                .iter()
                .flat_map(|(_, st)| st.metrics.iter().map(String::as_str)),
        )
        .collect();
    if !results.is_empty() {
        // A declared folder of plots holds results too.
        configs.retain(|c| !results.iter().any(|r| pipeline::is_within(&c.path, r)));
    }
    let hydra_dirs = hydra_dirs(&python, &configs);
    apply_hydra_groups(&mut configs, &hydra_dirs);
    skipped.sort();
    skipped.dedup();
    let kedro = is_kedro(&project);
    instantiate::link(&mut python, &configs, &project);
    let lightning_cli = instantiate::lightning_cli_sites(&python);
    // The run path and the call-name index read the same files independently.
    let (run_path, (calls_by_name, function_names)) = rayon::join(
        || runpath::RunPath::build(&project, &python, &pipelines, kedro),
        || {
            let mut calls_by_name: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
            let mut function_names = HashSet::new();
            for (fi, f) in python.iter().enumerate() {
                for (ci, c) in f.calls.iter().enumerate() {
                    match calls_by_name.get_mut(c.name()) {
                        Some(v) => v.push((fi, ci)),
                        None => {
                            calls_by_name.insert(c.name().to_string(), vec![(fi, ci)]);
                        }
                    }
                }
                function_names.extend(f.functions.iter().map(|d| d.name.clone()));
            }
            (calls_by_name, function_names)
        },
    );
    lap("run path");
    let call_index = callsites::CallIndex::build(&python, &run_path.imports);
    lap("call index");
    let mut lfs_patterns = Vec::new();
    let mut env_specs = Vec::new();
    let mut gpu_requests = Vec::new();
    let mut dvc_remote = None;
    let mut tracked_bytes = 0u64;
    for f in &project.files {
        let Some(text) = f.text() else { continue };
        env_specs.extend(env_spec(&f.path, text));
        if gpu::scanned(&f.path) {
            gpu_requests.extend(gpu::request(&f.path, text));
        }
        // Pointers record the size of what they stand for: `size 123` (LFS), `size: 123` (DVC).
        if text.starts_with(LFS_POINTER_PREFIX) || f.path.ends_with(".dvc") {
            tracked_bytes += text
                .lines()
                .filter_map(|l| {
                    l.trim()
                        .trim_start_matches("- ")
                        .strip_prefix("size")
                        .map(|r| r.trim_start_matches(':').trim())
                })
                .filter_map(|n| n.parse::<u64>().ok())
                .sum::<u64>();
        }
        if f.path == ".gitattributes" || f.path.ends_with("/.gitattributes") {
            for (i, line) in text.lines().enumerate() {
                if line.contains("filter=lfs") && !line.trim_start().starts_with('#') {
                    let pattern = line.split_whitespace().next().unwrap_or("").to_string();
                    lfs_patterns.push((
                        f.path.clone(),
                        u32::try_from(i + 1).unwrap_or(u32::MAX),
                        pattern,
                    ));
                }
            }
        } else if f.path == ".dvc/config" {
            dvc_remote = dvc_default_remote(text);
        }
    }
    Facts {
        gpu_requests,
        call_index,
        resolved_params: Default::default(),
        data_reads: Default::default(),
        kedro,
        lightning_cli,
        env_specs,
        tracked_bytes,
        packages: package_files,
        dockerfiles,
        docs: doc_files,
        lfs_patterns,
        dvc_remote,
        calls_by_name,
        function_names,
        project,
        python,
        configs,
        python_configs,
        pipelines,
        lfs_pointers,
        dvc_pointers,
        hydra_dirs,
        skipped,
        run_path,
    }
}

/// The remote of a `.dvc/config`: `remote = name` under `[core]`, else the first
/// `['remote "name"']` section.
fn dvc_default_remote(text: &str) -> Option<(String, u32)> {
    let mut section = String::new();
    let mut first_remote = None;
    for (i, line) in text.lines().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let t = line.trim();
        if t.starts_with('[') {
            section = t.trim_matches(['[', ']']).replace(['\'', '"'], "");
            if let Some(name) = section.strip_prefix("remote ") {
                first_remote.get_or_insert((name.trim().to_string(), n));
            }
            continue;
        }
        if section == "core" {
            if let Some((k, v)) = t.split_once('=') {
                if k.trim() == "remote" {
                    return Some((v.trim().to_string(), n));
                }
            }
        }
    }
    first_remote
}

/// The path a `.dvc` file tracks: its `outs[].path`, else its own name less `.dvc`.
fn dvc_pointer_target(path: &str, text: &str) -> String {
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    // `deps:` (for `dvc import`) may come first; the tracked path is under `outs:`.
    let out = text
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("outs:"))
        .find_map(|l| {
            l.trim()
                .trim_start_matches("- ")
                .strip_prefix("path:")
                .map(|p| p.trim().trim_matches(['"', '\'']).to_string())
        });
    match out {
        Some(p) => pipeline::join(dir, &p),
        None => path.trim_end_matches(".dvc").to_string(),
    }
}

fn hydra_dirs(python: &[PyFile], configs: &[ConfigFile]) -> Vec<String> {
    let mut dirs = Vec::new();
    for f in python {
        let base = f.path.rsplit_once('/').map_or("", |(d, _)| d);
        for h in &f.hydra_mains {
            if let Some(cp) = &h.config_path {
                dirs.push(pipeline::join(base, cp));
            }
        }
    }
    for c in configs {
        if c.hydra_defaults && c.format == Format::Yaml {
            dirs.push(
                c.path
                    .rsplit_once('/')
                    .map_or(String::new(), |(d, _)| d.to_string()),
            );
        }
    }
    dirs.sort();
    dirs.dedup();
    // An option file with its own `defaults:` (conf/trainer/gpu.yaml) is inside
    // the config folder, not a folder of its own.
    let outer: Vec<String> = dirs
        .iter()
        .filter(|d| {
            !dirs
                .iter()
                .any(|o| o != *d && (o.is_empty() || d.starts_with(&format!("{o}/"))))
        })
        .cloned()
        .collect();
    outer
}

/// Keys of `conf/<group>/<option>.yaml` live under `<group>.` at run time.
fn apply_hydra_groups(configs: &mut [ConfigFile], dirs: &[String]) {
    for c in configs.iter_mut() {
        if c.global_package {
            continue;
        }
        let Some(dir) = dirs
            .iter()
            .filter(|d| d.is_empty() || c.path.starts_with(&format!("{d}/")))
            .max_by_key(|d| d.len())
        else {
            continue;
        };
        let rel = if dir.is_empty() {
            c.path.as_str()
        } else {
            &c.path[dir.len() + 1..]
        };
        let Some((group, _)) = rel.rsplit_once('/') else {
            continue;
        };
        let prefix = group.replace('/', ".");
        for k in &mut c.keys {
            k.key = format!("{prefix}.{}", k.key);
        }
    }
}
