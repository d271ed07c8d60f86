//! Config files (YAML, JSON, TOML, INI, .gin) flattened to dotted keys, with
//! the line each key is on, and the rules that tell a config file from CI
//! files, manifests and data.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value as Json;

/// Recognised config formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// YAML.
    Yaml,
    /// JSON.
    Json,
    /// TOML.
    Toml,
    /// INI / configparser.
    Ini,
    /// gin-config bindings.
    Gin,
    /// A Python module of settings (`config.py`).
    Python,
}

/// One leaf key of a config file.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigKey {
    /// Dotted key (`train.lr`), with the Hydra group prefix where one applies.
    pub key: String,
    /// The value as text.
    pub value: String,
    /// 1-based line, when found.
    pub line: Option<u32>,
}

/// A parsed config file.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    /// Path relative to the project root.
    pub path: String,
    /// Format.
    pub format: Format,
    /// Leaf keys.
    pub keys: Vec<ConfigKey>,
    /// Whether the file has a Hydra `defaults:` list at top level.
    pub hydra_defaults: bool,
    /// `# @package _global_` header.
    pub global_package: bool,
}

/// File names that are YAML/JSON/TOML but not run configuration.
const NOT_CONFIG_NAMES: &[&str] = &[
    "dvc.yaml",
    "dvc.lock",
    "mlproject",
    ".pre-commit-config.yaml",
    ".pre-commit-hooks.yaml",
    "environment.yml",
    "environment.yaml",
    "conda.yaml",
    "conda.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
    "compose.yml",
    "compose.yaml",
    "mkdocs.yml",
    "mkdocs.yaml",
    ".readthedocs.yml",
    ".readthedocs.yaml",
    "readthedocs.yml",
    "codecov.yml",
    ".codecov.yml",
    ".gitlab-ci.yml",
    ".travis.yml",
    "azure-pipelines.yml",
    "bitbucket-pipelines.yml",
    "appveyor.yml",
    "package.json",
    "package-lock.json",
    "tsconfig.json",
    "jsconfig.json",
    "pyproject.toml",
    "cargo.toml",
    "pipfile",
    "poetry.lock",
    "uv.lock",
    "setup.cfg",
    "tox.ini",
    "pytest.ini",
    "mypy.ini",
    ".flake8",
    ".pylintrc",
    "pylintrc",
    ".coveragerc",
    ".bumpversion.cfg",
    "reproscale.toml",
    "renovate.json",
    ".eslintrc.json",
    ".prettierrc",
    ".prettierrc.json",
    "devcontainer.json",
    ".devcontainer.json",
    "launch.json",
    "cog.yaml",
    "bentofile.yaml",
    "citation.cff",
    ".yamllint",
    ".yamllint.yml",
    "ruff.toml",
    ".ruff.toml",
    "rustfmt.toml",
    "binder.yaml",
    "_config.yml",
    "_toc.yml",
    "_pkgdown.yml",
    "_pkgdown.yaml",
    "meta.yaml",
    "dependabot.yml",
    "funding.yml",
    // Deployment, monitoring and feature-store settings: infrastructure.
    "prometheus.yml",
    "prometheus.yaml",
    "alertmanager.yml",
    "feature_store.yaml",
    "kustomization.yaml",
    "skaffold.yaml",
    "cloudbuild.yaml",
    "serverless.yml",
    "chart.yaml",
    // DVCLive writes these; they are outputs.
    "dvclive.json",
];

/// Folders whose files are tooling, data or outputs, not run configuration.
const NOT_CONFIG_DIRS: &[&str] = &[
    ".github",
    ".gitlab",
    ".circleci",
    ".vscode",
    ".idea",
    ".devcontainer",
    ".dvc",
    ".husky",
    "node_modules",
    "mlruns",
    "wandb",
    "lightning_logs",
    "outputs",
    "multirun",
    "logs",
    "runs",
    "results",
    "metrics",
    "checkpoints",
    "conda-recipe",
    "recipe",
    // Infrastructure (SPEC: never ML configuration).
    "kubernetes",
    "k8s",
    "helm",
    "charts",
    "grafana",
    "prometheus",
    "alertmanager",
    "terraform",
    "ansible",
    "dvclive",
    "monitoring",
    // R's reverse-dependency checks (revdepcheck) keep release-email settings.
    "revdep",
    // Snakemake's per-rule conda environments and config schemas.
    "envs",
    "schemas",
];

/// Folders whose JSON is data rather than configuration.
pub const DATA_DIRS: &[&str] = &[
    "data",
    "dataset",
    "datasets",
    "input",
    "inputs",
    "samples",
    "sample_data",
    "example_data",
    "raw",
    "processed",
    "fixtures",
];

/// Whether a file is a candidate config file by name and place.
pub fn is_candidate(path: &str, size: u64) -> Option<Format> {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    // `docker-compose.test.yaml`, `compose.prod.yml`: compose variants.
    let compose = name.starts_with("docker-compose") || name.starts_with("compose.");
    if NOT_CONFIG_NAMES.contains(&name) || name.ends_with(".dvc") || compose {
        return None;
    }
    // Hidden files and folders hold editor, CI and tool settings (`.vim/`, `.pre-commit-config.yml`).
    if lower.split('/').any(|seg| seg.starts_with('.')) {
        return None;
    }
    let dirs: Vec<&str> = lower.split('/').collect();
    let dirs = &dirs[..dirs.len() - 1];
    if dirs.iter().any(|d| NOT_CONFIG_DIRS.contains(d)) {
        return None;
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let format = match ext {
        "yaml" | "yml" => Format::Yaml,
        "json" => Format::Json,
        "toml" => Format::Toml,
        "gin" => Format::Gin,
        "ini" | "cfg" => Format::Ini,
        _ => return None,
    };
    if format == Format::Json && (size > 256 * 1024 || dirs.iter().any(|d| DATA_DIRS.contains(d))) {
        return None;
    }
    if name.starts_with("requirements") || name.contains("lock") || name.starts_with("prefect") {
        return None;
    }
    Some(format)
}

/// Whether a Python file is a settings module (`config.py`, `configs/base.py`).
pub fn is_python_config_module(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let mut parts: Vec<&str> = lower.split('/').collect();
    let Some(name) = parts.pop() else {
        return false;
    };
    let Some(stem) = name.strip_suffix(".py") else {
        return false;
    };
    // Sphinx's docs/conf.py configures the documentation, not a run.
    if parts
        .iter()
        .any(|d| matches!(*d, "docs" | "doc" | "documentation"))
    {
        return false;
    }
    crate::facts::python::CONFIG_MODULE_NAMES.contains(&stem)
        || parts
            .last()
            .is_some_and(|d| matches!(*d, "config" | "configs") && stem != "__init__")
}

/// Parses a config file. `Err` carries the parser's message.
/// What a candidate config file turned out to be.
#[derive(Debug)]
pub enum Candidate {
    /// Run configuration.
    Config(ConfigFile),
    /// A conda environment under a name that does not say so
    /// (`ci_dependencies.yml`): a package list, not configuration.
    CondaEnvironment,
    /// Not configuration: data, a manifest, a CI pipeline, a schema.
    NotConfig,
}

impl Candidate {
    /// The config file, when it is one.
    pub fn config(self) -> Option<ConfigFile> {
        match self {
            Candidate::Config(c) => Some(c),
            _ => None,
        }
    }
}

/// Parses a candidate config file and tells configuration from the files
/// that only look like it.
pub fn parse(path: &str, format: Format, text: &str) -> Result<Candidate, String> {
    // YAML and TOML parsers know where each key is; the other formats are
    // located by scanning lines (`KeyLines`).
    let mut spans = None;
    let tree: Json = match format {
        Format::Yaml => {
            if text.trim().is_empty() {
                Json::Object(Default::default())
            } else {
                let (tree, lines) =
                    super::spanned::yaml(text).map_err(|e| first_line(&e.to_string()))?;
                spans = Some(lines);
                tree
            }
        }
        Format::Json => serde_json::from_str(text).map_err(|e| e.to_string())?,
        Format::Toml => {
            let v: toml::Value = toml::from_str(text).map_err(|e| first_line(&e.to_string()))?;
            spans = Some(super::spanned::toml_lines(text));
            serde_json::to_value(v).map_err(|e| e.to_string())?
        }
        Format::Ini => ini_tree(text),
        Format::Gin => gin_tree(text),
        Format::Python => return Ok(Candidate::NotConfig),
    };
    let Json::Object(map) = &tree else {
        // A top-level list or scalar is data, not a mapping of parameters.
        return Ok(Candidate::NotConfig);
    };
    if is_conda_environment(map) {
        return Ok(Candidate::CondaEnvironment);
    }
    // Infrastructure wherever it lives and whatever its name (SPEC: never ML
    // configuration): a Kubernetes-style manifest, a JSON Schema, a CI
    // pipeline, a model-deployment spec.
    // A spaCy/weasel project file is a pipeline: its `vars` fill its commands.
    if (map.contains_key("apiVersion") && map.contains_key("kind"))
        || map.contains_key("$schema")
        || is_ci_pipeline(map)
        || is_deployment_spec(map)
        || super::pipeline::project_commands(&tree).is_some()
    {
        return Ok(Candidate::NotConfig);
    }
    let hydra_defaults = map.get("defaults").is_some_and(|d| d.is_array());
    let global_package = text.lines().next().is_some_and(|l| {
        l.trim_start_matches('#')
            .trim()
            .starts_with("@package _global_")
    });
    let mut keys = Vec::new();
    flatten("", &tree, &mut keys);
    match spans {
        Some(spans) => {
            for k in &mut keys {
                k.line = spans.get(&k.key).copied();
            }
        }
        None => {
            let lines: Vec<&str> = text.lines().collect();
            let index = KeyLines::new(&lines, format);
            for k in &mut keys {
                k.line = index.find(&k.key);
            }
        }
    }
    Ok(Candidate::Config(ConfigFile {
        path: path.to_string(),
        format,
        keys,
        hydra_defaults,
        global_package,
    }))
}

/// A conda environment: a top-level `dependencies` list next to `channels` or
/// `name`, or holding what only conda lists hold (`python=3.9`, `pip` and its
/// nested `pip:` list).
fn is_conda_environment(map: &serde_json::Map<String, Json>) -> bool {
    let Some(Json::Array(deps)) = map.get("dependencies") else {
        return false;
    };
    map.contains_key("channels")
        || map.get("name").is_some_and(Json::is_string)
        || deps.iter().any(|d| match d {
            Json::String(s) => {
                let name = s.split(['=', '<', '>', ' ']).next().unwrap_or(s);
                name == "python" || name == "pip"
            }
            Json::Object(o) => o.contains_key("pip"),
            _ => false,
        })
}

/// Keys that only CI systems put in a step or job (GitHub Actions, Azure
/// Pipelines, GitLab CI, Bitbucket).
const CI_STEP_KEYS: &[&str] = &[
    "task",
    "script",
    "bash",
    "pwsh",
    "powershell",
    "uses",
    "runs-on",
    "checkout",
    "template",
    "job",
    "stage",
    "deployment",
];

/// A CI pipeline or a template of one: steps, jobs or stages made of CI
/// steps, or a trigger with an agent pool.
fn is_ci_pipeline(map: &serde_json::Map<String, Json>) -> bool {
    let ci_item = |v: &Json| match v {
        Json::Object(o) => {
            CI_STEP_KEYS.iter().any(|k| o.contains_key(*k)) || o.contains_key("steps")
        }
        _ => false,
    };
    let ci_list = |v: &Json| match v {
        Json::Array(items) => items.iter().any(ci_item),
        // GitHub Actions and GitLab CI name their jobs: `jobs: {build: {runs-on: …}}`.
        Json::Object(jobs) => jobs.values().any(ci_item),
        _ => false,
    };
    ["steps", "jobs", "stages"]
        .iter()
        .any(|k| map.get(*k).is_some_and(ci_list))
        || (map.contains_key("trigger") || map.contains_key("pr")) && map.contains_key("pool")
}

/// A model-serving deployment spec (Azure ML `computeType`, `entryScript`):
/// where and how a model is hosted, not how it is trained.
fn is_deployment_spec(map: &serde_json::Map<String, Json>) -> bool {
    map.contains_key("computeType") || map.contains_key("entryScript")
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).to_string()
}

fn flatten(prefix: &str, v: &Json, out: &mut Vec<ConfigKey>) {
    match v {
        Json::Object(m) if !m.is_empty() => {
            for (k, child) in m {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, child, out);
            }
        }
        _ if prefix.is_empty() => {}
        other => out.push(ConfigKey {
            key: prefix.to_string(),
            value: match other {
                Json::String(s) => s.clone(),
                o => o.to_string(),
            },
            line: None,
        }),
    }
}

/// Where each key segment of a JSON, INI or gin file appears, line by line, so
/// that locating every key of a file costs one pass over its lines rather than
/// one per key.
///
/// A line is indexed under every segment `line_has_key` would accept on it;
/// segments the index cannot list exactly (a JSON segment holding a quote)
/// fall back to scanning with `line_has_key`.
struct KeyLines<'a> {
    lines: &'a [&'a str],
    format: Format,
    at: HashMap<&'a str, Vec<usize>>,
}

impl<'a> KeyLines<'a> {
    fn new(lines: &'a [&'a str], format: Format) -> Self {
        let mut at: HashMap<&'a str, Vec<usize>> = HashMap::new();
        let mut add = |seg: &'a str, i: usize| {
            let v = at.entry(seg).or_default();
            if v.last() != Some(&i) {
                v.push(i);
            }
        };
        for (i, line) in lines.iter().enumerate() {
            let t = line.trim_start();
            match format {
                Format::Json => {
                    // `"seg"` at the start of the line.
                    if let Some(rest) = t.strip_prefix('"') {
                        for (p, _) in rest.match_indices('"') {
                            add(&rest[..p], i);
                        }
                    }
                    // `"seg":` or `"seg" :` anywhere, for segments without quotes.
                    let quotes: Vec<usize> = t.match_indices('"').map(|(p, _)| p).collect();
                    for w in quotes.windows(2) {
                        let after = &t[w[1] + 1..];
                        if after.starts_with(':') || after.starts_with(" :") {
                            add(&t[w[0] + 1..w[1]], i);
                        }
                    }
                }
                Format::Ini | Format::Gin => {
                    if let Some(rest) = t.strip_prefix('[') {
                        for (p, _) in rest.match_indices([']', '.']) {
                            add(&rest[..p], i);
                        }
                    }
                    if let Some(k) = t.split(['=', ':']).next() {
                        let k = k.trim().trim_matches('"');
                        add(k, i);
                        for (p, _) in k.match_indices('.') {
                            add(&k[p + 1..], i);
                            add(&k[..p], i);
                        }
                    }
                }
                // Located by their parsers (`spanned`).
                Format::Yaml | Format::Toml | Format::Python => {}
            }
        }
        KeyLines { lines, format, at }
    }

    /// The 1-based line of a dotted key: each segment is looked for below the
    /// line of the one before it.
    fn find(&self, key: &str) -> Option<u32> {
        let mut from = 0usize;
        let mut found = None;
        for seg in key.split('.') {
            let hit = if self.format == Format::Json && seg.contains('"') {
                (from..self.lines.len()).find(|&i| line_has_key(self.lines[i], seg, self.format))
            } else {
                let v = self.at.get(seg)?;
                v.get(v.partition_point(|&i| i < from)).copied()
            }?;
            found = Some(hit);
            from = hit + 1;
        }
        found.and_then(|i| u32::try_from(i + 1).ok())
    }
}

/// `t` less a leading `q`, `seg` and `q` (`"seg"` → the rest).
fn quoted<'t>(t: &'t str, seg: &str, q: char) -> Option<&'t str> {
    t.strip_prefix(q)?.strip_prefix(seg)?.strip_prefix(q)
}

fn line_has_key(line: &str, seg: &str, format: Format) -> bool {
    let t = line.trim_start();
    match format {
        Format::Json => {
            quoted(t, seg, '"').is_some()
                || t.match_indices('"').any(|(p, _)| {
                    quoted(&t[p..], seg, '"')
                        .is_some_and(|r| r.starts_with(':') || r.starts_with(" :"))
                })
        }
        Format::Ini | Format::Gin => {
            t.strip_prefix('[')
                .and_then(|r| r.strip_prefix(seg))
                .is_some_and(|r| r.starts_with(']') || r.starts_with('.'))
                || t.split(['=', ':']).next().is_some_and(|k| {
                    let k = k.trim().trim_matches('"');
                    k == seg
                        || k.strip_suffix(seg).is_some_and(|r| r.ends_with('.'))
                        || k.strip_prefix(seg).is_some_and(|r| r.starts_with('.'))
                })
        }
        Format::Yaml | Format::Toml | Format::Python => false,
    }
}

fn ini_tree(text: &str) -> Json {
    let mut root = serde_json::Map::new();
    let mut section = String::new();
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with(';') {
            continue;
        }
        if let Some(s) = t.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            section = s.trim().to_string();
            continue;
        }
        if let Some((k, v)) = t.split_once(['=', ':']) {
            let entry = root
                .entry(section.clone())
                .or_insert_with(|| Json::Object(Default::default()));
            if let Json::Object(m) = entry {
                m.insert(k.trim().to_string(), Json::String(v.trim().to_string()));
            }
        }
    }
    if let Some(Json::Object(top)) = root.remove("") {
        root.extend(top);
    }
    Json::Object(root)
}

/// gin bindings `scope/func.param = value` become keys `func.param`.
fn gin_tree(text: &str) -> Json {
    let mut root = serde_json::Map::new();
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty()
            || t.starts_with('#')
            || t.starts_with("import ")
            || t.starts_with("include ")
        {
            continue;
        }
        if let Some((k, v)) = t.split_once('=') {
            let k = k.trim().rsplit('/').next().unwrap_or("").to_string();
            if !k.is_empty() {
                root.insert(k, Json::String(v.trim().to_string()));
            }
        }
    }
    Json::Object(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_keys_flatten_with_lines() {
        let text = "train:\n  lr: 0.1\n  epochs: 3\nseed: 7\n";
        let c = parse("params.yaml", Format::Yaml, text)
            .expect("ok")
            .config()
            .expect("map");
        let got: Vec<_> = c.keys.iter().map(|k| (k.key.as_str(), k.line)).collect();
        assert_eq!(
            got,
            [
                ("train.lr", Some(2)),
                ("train.epochs", Some(3)),
                ("seed", Some(4))
            ]
        );
    }

    #[test]
    fn json_toml_ini_gin() {
        let j = parse(
            "c.json",
            Format::Json,
            "{\n  \"a\": {\"b\": 1},\n  \"seed\": 2\n}",
        )
        .expect("ok")
        .config()
        .expect("map");
        assert_eq!(j.keys[0].key, "a.b");
        assert_eq!(j.keys[1].line, Some(3));
        let t = parse("c.toml", Format::Toml, "seed = 1\n[train]\nlr = 0.1\n")
            .expect("ok")
            .config()
            .expect("map");
        assert_eq!(
            t.keys.iter().map(|k| k.key.as_str()).collect::<Vec<_>>(),
            ["seed", "train.lr"]
        );
        assert_eq!(t.keys[1].line, Some(3));
        let i = parse("c.ini", Format::Ini, "[train]\nlr = 0.1\n")
            .expect("ok")
            .config()
            .expect("map");
        assert_eq!(i.keys[0].key, "train.lr");
        let g = parse(
            "c.gin",
            Format::Gin,
            "train.lr = 0.1\nmodel/Dense.units = 3\n",
        )
        .expect("ok")
        .config()
        .expect("map");
        assert_eq!(g.keys.len(), 2);
    }

    #[test]
    fn lists_at_top_level_are_data_and_errors_are_reported() {
        assert!(parse("d.json", Format::Json, "[1,2]")
            .expect("ok")
            .config()
            .is_none());
        assert!(parse("bad.yaml", Format::Yaml, "a: [1,\n").is_err());
    }

    #[test]
    fn candidates_exclude_tooling_and_data() {
        assert_eq!(is_candidate("conf/config.yaml", 10), Some(Format::Yaml));
        assert_eq!(is_candidate(".github/workflows/ci.yml", 10), None);
        assert_eq!(is_candidate("dvc.yaml", 10), None);
        assert_eq!(is_candidate("data/labels.json", 10), None);
        assert_eq!(is_candidate("environment.yml", 10), None);
        assert!(is_python_config_module("config.py"));
        assert!(is_python_config_module("configs/base.py"));
        assert!(!is_python_config_module("train.py"));
    }

    #[test]
    fn infrastructure_and_environments_are_told_by_content() {
        let kind = |name: &str, text: &str| parse(name, Format::Yaml, text).expect("ok");
        // A conda environment under any name is a package list.
        for text in [
            "name: ci\ndependencies:\n  - python=3.7.*\n  - numpy=1.18.*\n",
            "dependencies:\n  - numpy\n  - pip:\n      - torch==2.1\n",
            "channels: [conda-forge]\ndependencies: [numpy]\n",
        ] {
            assert!(
                matches!(
                    kind("ci_dependencies.yml", text),
                    Candidate::CondaEnvironment
                ),
                "{text}"
            );
        }
        // CI pipelines and their templates, deployment specs: not configuration.
        for text in [
            "trigger:\n  branches: [main]\npool:\n  vmImage: ubuntu-latest\n",
            "parameters:\n  - name: x\nsteps:\n  - task: AzureCLI@1\n    inputs: {}\n",
            "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps: []\n",
            "stages:\n  - stage: build\n    jobs: []\n",
            "computeType: ACI\ncontainerResourceRequirements:\n  cpu: 1\n",
            "entryScript: score.py\nruntime: python\n",
        ] {
            assert!(
                matches!(kind("pipeline.yml", text), Candidate::NotConfig),
                "{text}"
            );
        }
        // ML configs with lists of their own stay configuration.
        for text in [
            "dependencies: [a, b]\nlr: 0.1\n",
            "stages:\n  - epochs: 3\n    lr: 0.1\n",
            "steps: 1000\nbatch_size: 32\n",
        ] {
            assert!(
                matches!(kind("train.yaml", text), Candidate::Config(_)),
                "{text}"
            );
        }
    }
}
