//! Pipelines that run the project's Python: dvc.yaml stages, MLproject entry
//! points, Makefile recipes, shell scripts and README code blocks. Each
//! yields the Python invocations it makes and the flags it passes.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value as Json;

use super::shell;

/// Where an invocation was declared.
#[derive(Debug, Clone, PartialEq)]
pub struct Origin {
    /// File that declares it (`dvc.yaml`, `Makefile`, `README.md`).
    pub path: String,
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// What in that file declares it.
    pub kind: OriginKind,
}

/// What declares an invocation: behaviour depends on it (a Makefile target's
/// missing script is the project's problem, a README's may not be), so it is
/// typed; [`OriginKind`]'s `Display` is for people.
#[derive(Debug, Clone, PartialEq)]
pub enum OriginKind {
    /// A dvc.yaml stage, by name.
    DvcStage(String),
    /// An MLproject entry point, by name.
    MlprojectEntry(String),
    /// A Makefile target, by name.
    MakeTarget(String),
    /// A Snakemake rule, by name.
    SnakemakeRule(String),
    /// A command of a spaCy/weasel `project.yml`, by name.
    ProjectCommand(String),
    /// A code block or command line in the README (`readme`) or other docs.
    DocsBlock {
        /// Whether the file is the README.
        readme: bool,
    },
    /// A line of a shell script.
    Script,
}

impl OriginKind {
    /// Whether the command was written in documentation rather than declared
    /// by a pipeline or a script.
    pub fn is_docs(&self) -> bool {
        matches!(self, OriginKind::DocsBlock { .. })
    }
}

impl std::fmt::Display for OriginKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OriginKind::DvcStage(n) => write!(f, "stage {n}"),
            OriginKind::MlprojectEntry(n) => write!(f, "entry point {n}"),
            OriginKind::MakeTarget(n) => write!(f, "target {n}"),
            OriginKind::SnakemakeRule(n) => write!(f, "rule {n}"),
            OriginKind::ProjectCommand(n) => write!(f, "project command {n}"),
            OriginKind::DocsBlock { readme: true } => f.write_str("README code block"),
            OriginKind::DocsBlock { readme: false } => f.write_str("docs code block"),
            OriginKind::Script => f.write_str("script"),
        }
    }
}

/// A flag value as the pipeline passes it.
#[derive(Debug, Clone, PartialEq)]
pub enum FlagValue {
    /// A literal written in the command.
    Literal(String),
    /// Filled by the pipeline from its own parameters (`$(SEED)`, `{seed}`, `${train.seed}`).
    Parameter(String),
    /// A bare switch.
    Switch,
}

/// One `python script.py …` (or `python -m mod …`) run by a pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation {
    /// Declaration site.
    pub origin: Origin,
    /// Script path relative to the project root, if a script is run.
    pub script: Option<String>,
    /// Module, for `python -m`.
    pub module: Option<String>,
    /// Flags (`--seed` → `seed`) and their values.
    pub flags: Vec<(String, FlagValue)>,
    /// Positional arguments (Hydra `key=value` overrides among them).
    pub positionals: Vec<String>,
    /// The command as written (one segment of a `&&`/`;`/`|` chain).
    pub command: String,
}

/// A dvc.yaml stage.
#[derive(Debug, Clone, Default)]
pub struct DvcStage {
    /// Stage name.
    pub name: String,
    /// Line of the stage in dvc.yaml.
    pub line: Option<u32>,
    /// Commands.
    pub cmds: Vec<String>,
    /// Working directory relative to the dvc.yaml folder.
    pub wdir: String,
    /// Dependencies.
    pub deps: Vec<String>,
    /// Outputs (outs, metrics and plots).
    pub outs: Vec<String>,
    /// Params: (file, key).
    pub params: Vec<(String, String)>,
    /// Metrics and plots files (also listed in `outs`).
    pub metrics: Vec<String>,
}

/// A parameter of an MLproject entry point.
#[derive(Debug, Clone)]
pub struct MlParam {
    /// The MLproject file.
    pub path: String,
    /// Entry point.
    pub entry_point: String,
    /// Parameter name.
    pub name: String,
    /// Default value.
    pub default: Option<String>,
    /// Line.
    pub line: Option<u32>,
}

/// A command of a spaCy/weasel `project.yml` that declares what it reads and
/// writes; the tool re-runs it only when those change, as DVC does a stage.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProjectCommand {
    /// Command name.
    pub name: String,
    /// Line of its `name:` in project.yml.
    pub line: Option<u32>,
    /// Inputs, relative to the project root.
    pub deps: Vec<String>,
    /// Outputs, relative to the project root.
    pub outputs: Vec<String>,
}

/// Everything the pipelines declare.
#[derive(Debug, Clone, Default)]
pub struct Pipelines {
    /// Python invocations from every source.
    pub invocations: Vec<Invocation>,
    /// dvc.yaml stages, with their dvc.yaml path.
    pub dvc_stages: Vec<(String, DvcStage)>,
    /// MLproject parameters.
    pub mlproject_params: Vec<MlParam>,
    /// Makefile variables: (Makefile path, name, value, line).
    pub make_vars: Vec<(String, String, String, u32)>,
    /// Files produced by pipelines (dvc outs, Makefile file targets).
    pub produced: Vec<String>,
    /// Makefile rules: (Makefile, line, target, prerequisites).
    pub make_rules: Vec<(String, u32, String, Vec<String>)>,
    /// MLproject entry points: (MLproject, name, command template).
    pub mlproject_entries: Vec<(String, String, String)>,
    /// Download commands (wget/curl) found in pipelines and scripts: (path, line, command).
    pub downloads: Vec<(String, u32, String)>,
    /// Commands that serve a model or an app (docs, scripts, Makefiles): (path, line, command).
    pub serving: Vec<(String, u32, String)>,
    /// Metrics and plots declared at the top of dvc.yaml: (dvc.yaml, line, path).
    pub dvc_metrics: Vec<(String, Option<u32>, String)>,
    /// Problems reading pipeline files: (path, message).
    pub problems: Vec<(String, String)>,
    /// Config files a workflow declares it reads (Snakemake `configfile:`): (file, line, config path).
    pub config_reads: Vec<(String, u32, String)>,
    /// Config keys a workflow file reads (`config["a"]["b"]` in a Snakefile).
    pub key_reads: Vec<String>,
    /// spaCy/weasel project commands, with their project.yml path.
    pub project_commands: Vec<(String, ProjectCommand)>,
}

impl Pipelines {
    /// Adds `other`'s facts after this one's, as if its files had been read
    /// after these.
    pub fn append(&mut self, other: Pipelines) {
        // Destructured, so that a new field cannot be forgotten here.
        let Pipelines {
            mut invocations,
            mut dvc_stages,
            mut mlproject_params,
            mut make_vars,
            mut produced,
            mut make_rules,
            mut mlproject_entries,
            mut downloads,
            mut serving,
            mut dvc_metrics,
            mut problems,
            mut config_reads,
            mut key_reads,
            mut project_commands,
        } = other;
        self.invocations.append(&mut invocations);
        self.dvc_stages.append(&mut dvc_stages);
        self.mlproject_params.append(&mut mlproject_params);
        self.make_vars.append(&mut make_vars);
        self.produced.append(&mut produced);
        self.make_rules.append(&mut make_rules);
        self.mlproject_entries.append(&mut mlproject_entries);
        self.downloads.append(&mut downloads);
        self.serving.append(&mut serving);
        self.dvc_metrics.append(&mut dvc_metrics);
        self.problems.append(&mut problems);
        self.config_reads.append(&mut config_reads);
        self.key_reads.append(&mut key_reads);
        self.project_commands.append(&mut project_commands);
    }
}

/// Launchers that take a script path the way `python` does.
const LAUNCHERS: &[&str] = &[
    "torchrun",
    "deepspeed",
    "accelerate",
    "horovodrun",
    "mpirun",
    "srun",
    "streamlit",
    "kernprof",
    "uvicorn",
    "gunicorn",
    "gradio",
    "panel",
    "fastapi",
];

fn is_python(word: &str) -> bool {
    let base = word.rsplit('/').next().unwrap_or(word);
    base == "python" || base == "python3" || base.starts_with("python3.") || base == "py"
}

/// Command lines with their backslash continuations joined (`python train.py \\`
/// / `    --lr 0.1`), each with its first and last physical line; a
/// continuation only joins the line right below it.
fn join_continued(lines: Vec<(u32, String)>) -> Vec<(u32, u32, String)> {
    let mut out: Vec<(u32, u32, String)> = Vec::with_capacity(lines.len());
    let mut open: Option<(u32, u32, String)> = None;
    for (n, line) in lines {
        let (first, text) = match open.take() {
            Some((first, last, mut acc)) if n == last + 1 => {
                acc.push(' ');
                acc.push_str(line.trim_start());
                (first, acc)
            }
            Some(done) => {
                out.push(done);
                (n, line)
            }
            None => (n, line),
        };
        // Cut the backslash in place: copying the joined text for each
        // continued line would cost its length squared.
        let mut text = text;
        let kept = text.trim_end().len();
        if text[..kept].ends_with('\\') {
            text.truncate(kept - 1);
            open = Some((first, n, text));
        } else {
            out.push((first, n, text));
        }
    }
    out.extend(open);
    out
}

/// A command line that runs the project's code: Python or a launcher of it,
/// or a shell or Python script (`$ torchrun …`, `CUDA_VISIBLE_DEVICES=0 bash
/// run.sh`, `./train.py`), after any prompt and environment assignments.
pub fn runs_code(line: &str) -> bool {
    let t = line
        .trim_start()
        .trim_start_matches(['$', '>', '!', '%'])
        .trim_start();
    let Some(first) = t
        .split_whitespace()
        .find(|w| !w.contains('=') || w.starts_with('-'))
    else {
        return false;
    };
    let name = first.rsplit('/').next().unwrap_or(first);
    is_python(name)
        || LAUNCHERS.contains(&name)
        || matches!(name, "bash" | "sh")
        || name.ends_with(".py")
        || name.ends_with(".sh")
}

/// A Makefile's logical lines, backslash continuations joined, each with the 1-based
/// number of the physical line that ends it.
pub fn make_lines(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut pending = String::new();
    for (i, raw) in text.lines().enumerate() {
        if let Some(body) = raw.strip_suffix('\\') {
            pending.push_str(body);
            pending.push(' ');
            continue;
        }
        out.push((
            u32::try_from(i + 1).unwrap_or(u32::MAX),
            format!("{pending}{raw}"),
        ));
        pending.clear();
    }
    out
}

/// A Makefile variable assignment (`NAME = v`, `?=`, `:=`, `::=`, `+=`, `export NAME = v`),
/// given a trimmed line that is not a recipe: the name and the value.
pub fn make_assignment(line: &str) -> Option<(String, String)> {
    ["?=", "::=", ":=", "+=", "="].iter().find_map(|op| {
        let (name, value) = line.split_once(op)?;
        let name = name.trim().trim_start_matches("export ").trim();
        (!name.is_empty() && !name.contains(' ') && !name.contains(':'))
            .then(|| (name.to_string(), value.trim().to_string()))
    })
}

/// `./train`, `./scripts/run.py`: a relative path run directly, Python or not (shell
/// scripts and binaries are told apart later, from the files).
fn is_direct_script(word: &str) -> bool {
    let Some(rest) = word.strip_prefix("./") else {
        return false;
    };
    let name = rest.rsplit('/').next().unwrap_or(rest);
    !name.is_empty()
        && !rest.contains("..")
        && !rest.contains(['$', '*', '?', '{', '`'])
        && (name.ends_with(".py") || !name.contains('.'))
}

/// Finds Python invocations in one shell command line. `cwd` is the folder
/// the command runs in, relative to the project root.
pub fn invocations(cmd: &str, cwd: &str, origin: &Origin) -> Vec<Invocation> {
    let mut out = Vec::new();
    let mut cwd = cwd.to_string();
    for part in shell::segments(cmd) {
        let mut words = shell::words(part);
        if let Some(c) = words.iter().position(|w| w.starts_with('#')) {
            words.truncate(c);
        }
        if words.first().map(String::as_str) == Some("cd") {
            if let Some(dir) = words.get(1) {
                cwd = join(&cwd, dir);
            }
            continue;
        }
        let Some(start) = words
            .iter()
            .position(|w| is_python(w) || LAUNCHERS.contains(&w.rsplit('/').next().unwrap_or(w)))
        else {
            // `./train --dataroot d/`: a script run through its shebang. Whether it is
            // Python is known only from the file, when the run path resolves it.
            if let Some(first) = words.first().filter(|w| is_direct_script(w)) {
                let (flags, positionals) = parse_args(&words[1..]);
                out.push(Invocation {
                    origin: origin.clone(),
                    script: Some(join(&cwd, first)),
                    module: None,
                    flags,
                    positionals,
                    command: part.trim().to_string(),
                });
            }
            continue;
        };
        let launcher = !is_python(&words[start]);
        let mut i = start + 1;
        let mut script = None;
        let mut module = None;
        while i < words.len() {
            let w = &words[i];
            if !launcher && w == "-m" {
                module = words.get(i + 1).cloned();
                i += 2;
                break;
            }
            if !launcher && w == "-c" {
                i = words.len();
                break;
            }
            if w.ends_with(".py") && !w.starts_with('-') {
                script = Some(join(&cwd, w));
                i += 1;
                break;
            }
            // ASGI/WSGI servers name `package.module:app`.
            if launcher && !w.starts_with('-') && !w.contains('/') {
                if let Some((m, app)) = w.split_once(':') {
                    if !m.is_empty() && !app.is_empty() && !m.contains('$') {
                        module = Some(m.to_string());
                        i += 1;
                        break;
                    }
                }
            }
            if !launcher && (w == "-W" || w == "-X") {
                i += 2;
                continue;
            }
            i += 1;
        }
        if script.is_none() && module.is_none() {
            continue;
        }
        let (flags, positionals) = parse_args(&words[i.min(words.len())..]);
        out.push(Invocation {
            origin: origin.clone(),
            script,
            module,
            flags,
            positionals,
            command: part.trim().to_string(),
        });
    }
    out
}

fn parse_args(words: &[String]) -> (Vec<(String, FlagValue)>, Vec<String>) {
    let mut flags = Vec::new();
    let mut positionals = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        if let Some(body) = w.strip_prefix("--").or_else(|| {
            w.strip_prefix('-')
                .filter(|b| !b.is_empty() && !b.starts_with(|c: char| c.is_ascii_digit()))
        }) {
            if body.is_empty() {
                i += 1;
                continue;
            }
            if let Some((name, value)) = body.split_once('=') {
                flags.push((flag_name(name), flag_value(value)));
                i += 1;
                continue;
            }
            let next = words.get(i + 1);
            let takes = next.is_some_and(|n| !n.starts_with('-') || n.parse::<f64>().is_ok());
            if takes {
                if let Some(n) = next {
                    flags.push((flag_name(body), flag_value(n)));
                }
                i += 2;
            } else {
                flags.push((flag_name(body), FlagValue::Switch));
                i += 1;
            }
        } else {
            if w.starts_with('>') || w.starts_with('<') || w == "2>&1" {
                break;
            }
            positionals.push(w.clone());
            i += 1;
        }
    }
    (flags, positionals)
}

fn flag_name(s: &str) -> String {
    s.replace('-', "_")
}

fn flag_value(v: &str) -> FlagValue {
    for (open, close) in [("$(", ")"), ("${", "}"), ("{", "}")] {
        if let Some(rest) = v.find(open).map(|i| &v[i + open.len()..]) {
            if let Some(end) = rest.find(close) {
                return FlagValue::Parameter(rest[..end].to_string());
            }
        }
    }
    if let Some(var) = v.strip_prefix('$') {
        return FlagValue::Parameter(var.to_string());
    }
    FlagValue::Literal(v.to_string())
}

/// Joins a relative path onto a folder, resolving `.` and `..`.
pub fn join(base: &str, rel: &str) -> String {
    let rel = rel.trim_start_matches("./");
    if rel.starts_with('/') {
        return rel.to_string();
    }
    let mut parts: Vec<&str> = base
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// Whether `path` is `dir` or lies under it (`data/x.csv` in `data`), by
/// whole path segments.
pub fn is_within(path: &str, dir: &str) -> bool {
    path.strip_prefix(dir)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The commands of a spaCy/weasel `project.yml`: a top-level `commands` list
/// of named scripts.
pub fn project_commands(tree: &Json) -> Option<&Vec<Json>> {
    let Some(Json::Array(commands)) = tree.get("commands") else {
        return None;
    };
    commands
        .iter()
        .any(|c| c.get("name").is_some() && c.get("script").is_some())
        .then_some(commands)
}

/// `vars` flattened to the dotted names `${vars.a.b}` uses.
fn project_vars(prefix: &str, v: &Json, out: &mut HashMap<String, String>) {
    match v {
        Json::Object(m) => {
            for (k, child) in m {
                project_vars(&format!("{prefix}.{k}"), child, out);
            }
        }
        Json::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        Json::Null | Json::Array(_) => {}
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

/// `${vars.name}` (spaces allowed inside the braces) replaced by its value,
/// also where a value names another variable; unknown names are left as written.
fn fill_project_vars(s: &str, vars: &HashMap<String, String>) -> String {
    let mut text = s.to_string();
    // A few rounds: values may name other variables, and a cycle must end.
    for _ in 0..4 {
        let next = fill_once(&text, vars);
        // Values naming values can grow fast; a command is not that long.
        if next == text || next.len() > 64 * 1024 {
            break;
        }
        text = next;
    }
    text
}

fn fill_once(s: &str, vars: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        match after.find('}') {
            Some(end) => {
                let name = after[..end].trim();
                match vars.get(name) {
                    Some(v) => out.push_str(v),
                    None => out.push_str(&rest[i..i + 2 + end + 1]),
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The line of `key: value` (or `- key: value`, the value quoted or not, a
/// comment after it), where `line_of` would also take `key: value_more`.
fn item_line(text: &str, key: &str, value: &str) -> Option<u32> {
    text.lines()
        .position(|l| {
            let t = l.trim_start();
            let t = t.strip_prefix("- ").unwrap_or(t).trim_start();
            t.strip_prefix(key)
                .and_then(|r| r.strip_prefix(':'))
                .is_some_and(|rest| {
                    let v = rest.split(" #").next().unwrap_or("").trim();
                    v.trim_matches(['"', '\'']) == value
                })
        })
        .and_then(|i| u32::try_from(i + 1).ok())
}

fn line_of(text: &str, needle: &str) -> Option<u32> {
    text.lines()
        .position(|l| l.trim_start().starts_with(needle))
        .and_then(|i| u32::try_from(i + 1).ok())
}

fn str_list(v: Option<&Json>) -> Vec<String> {
    match v {
        Some(Json::String(s)) => vec![s.clone()],
        Some(Json::Array(a)) => a
            .iter()
            .filter_map(|x| match x {
                Json::String(s) => Some(s.clone()),
                Json::Object(m) => m.keys().next().cloned(),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

impl Pipelines {
    /// Reads a dvc.yaml.
    pub fn add_dvc(&mut self, path: &str, text: &str) {
        let tree: Json = match serde_saphyr::from_str(text) {
            Ok(t) => t,
            Err(e) => {
                self.problems.push((
                    path.into(),
                    e.to_string().lines().next().unwrap_or("").to_string(),
                ));
                return;
            }
        };
        let dir = parent(path);
        // Top-level `metrics:` / `plots:` declare tracked metrics too.
        for key in ["metrics", "plots"] {
            for m in str_list(tree.get(key)) {
                self.dvc_metrics.push((
                    path.to_string(),
                    line_of(text, &format!("{key}:")),
                    join(dir, &m),
                ));
            }
        }
        let Some(Json::Object(stages)) = tree.get("stages") else {
            return;
        };
        for (name, st) in stages {
            let wdir = join(dir, st.get("wdir").and_then(Json::as_str).unwrap_or("."));
            let mut stage = DvcStage {
                name: name.clone(),
                line: line_of(text, &format!("{name}:")),
                cmds: str_list(st.get("cmd")),
                deps: str_list(st.get("deps"))
                    .iter()
                    .map(|d| join(&wdir, d))
                    .collect(),
                wdir: wdir.clone(),
                ..DvcStage::default()
            };
            for key in ["outs", "metrics", "plots"] {
                let paths: Vec<String> = str_list(st.get(key))
                    .iter()
                    .map(|o| join(&wdir, o))
                    .collect();
                if key != "outs" {
                    stage.metrics.extend(paths.iter().cloned());
                }
                stage.outs.extend(paths);
            }
            if let Some(Json::Array(params)) = st.get("params") {
                for p in params {
                    match p {
                        Json::String(k) => {
                            stage.params.push((join(&wdir, "params.yaml"), k.clone()))
                        }
                        Json::Object(m) => {
                            for (file, keys) in m {
                                let file = join(&wdir, file);
                                let keys = str_list(Some(keys));
                                if keys.is_empty() {
                                    stage.params.push((file.clone(), "*".into()));
                                }
                                for k in keys {
                                    stage.params.push((file.clone(), k));
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            let origin = Origin {
                path: path.to_string(),
                line: stage.line,
                kind: OriginKind::DvcStage(name.to_string()),
            };
            for cmd in &stage.cmds {
                self.invocations.extend(invocations(cmd, &wdir, &origin));
                if let Some(d) = download_command(cmd) {
                    self.downloads
                        .push((path.to_string(), stage.line.unwrap_or(0), d));
                }
            }
            self.produced.extend(stage.outs.iter().cloned());
            self.dvc_stages.push((path.to_string(), stage));
        }
    }

    /// Reads a spaCy/weasel `project.yml`: its commands' scripts (with
    /// `${vars.…}` filled from its `vars`), their deps and outputs, and the
    /// assets it downloads. A `project.yml` without commands is left alone.
    pub fn add_project_yml(&mut self, path: &str, text: &str) {
        let Ok(tree) = serde_saphyr::from_str::<Json>(text) else {
            return;
        };
        let Some(commands) = project_commands(&tree) else {
            return;
        };
        let dir = parent(path);
        let mut vars = HashMap::new();
        if let Some(v) = tree.get("vars") {
            project_vars("vars", v, &mut vars);
        }
        let fill = |s: &str| fill_project_vars(s, &vars);
        for cmd in commands {
            let Some(name) = cmd.get("name").and_then(Json::as_str) else {
                continue;
            };
            let line = item_line(text, "name", name);
            let origin = Origin {
                path: path.to_string(),
                line,
                kind: OriginKind::ProjectCommand(name.to_string()),
            };
            for script in str_list(cmd.get("script")) {
                let script = fill(&script);
                // The project's own CLI is Python run as a module.
                let script = match script.strip_prefix("spacy ") {
                    Some(rest) => format!("python -m spacy {rest}"),
                    None => script,
                };
                self.invocations.extend(invocations(&script, dir, &origin));
                if let Some(d) = download_command(&script) {
                    self.downloads
                        .push((path.to_string(), line.unwrap_or(0), d));
                }
            }
            let files = |key: &str| -> Vec<String> {
                str_list(cmd.get(key))
                    .iter()
                    .map(|p| join(dir, &fill(p)))
                    .collect()
            };
            let command = ProjectCommand {
                name: name.to_string(),
                line,
                deps: files("deps"),
                outputs: files("outputs"),
            };
            self.produced.extend(command.outputs.iter().cloned());
            self.project_commands.push((path.to_string(), command));
        }
        if let Some(Json::Array(assets)) = tree.get("assets") {
            for a in assets {
                let (Some(dest), Some(url)) = (
                    a.get("dest").and_then(Json::as_str),
                    a.get("url").and_then(Json::as_str),
                ) else {
                    continue;
                };
                let line = item_line(text, "dest", dest);
                self.downloads.push((
                    path.to_string(),
                    line.unwrap_or(0),
                    format!("project asset {} from {}", fill(dest), fill(url)),
                ));
            }
        }
    }

    /// Reads an MLproject file.
    pub fn add_mlproject(&mut self, path: &str, text: &str) {
        let tree: Json = match serde_saphyr::from_str(text) {
            Ok(t) => t,
            Err(e) => {
                self.problems.push((
                    path.into(),
                    e.to_string().lines().next().unwrap_or("").to_string(),
                ));
                return;
            }
        };
        let dir = parent(path);
        let Some(Json::Object(eps)) = tree.get("entry_points") else {
            return;
        };
        for (name, ep) in eps {
            if let Some(Json::Object(params)) = ep.get("parameters") {
                for (p, spec) in params {
                    let default = match spec {
                        Json::Object(m) => m.get("default").map(|d| match d {
                            Json::String(s) => s.clone(),
                            o => o.to_string(),
                        }),
                        _ => None,
                    };
                    self.mlproject_params.push(MlParam {
                        path: path.to_string(),
                        entry_point: name.clone(),
                        name: p.clone(),
                        default,
                        line: line_of(text, &format!("{p}:")),
                    });
                }
            }
            if let Some(cmd) = ep.get("command").and_then(Json::as_str) {
                let origin = Origin {
                    path: path.to_string(),
                    line: line_of(text, &format!("{name}:")),
                    kind: OriginKind::MlprojectEntry(name.to_string()),
                };
                self.invocations.extend(invocations(cmd, dir, &origin));
                self.mlproject_entries
                    .push((path.to_string(), name.clone(), cmd.to_string()));
            }
        }
    }

    /// Reads a Makefile: variables, file targets and recipe commands.
    pub fn add_makefile(&mut self, path: &str, text: &str) {
        let dir = parent(path);
        let mut target = String::new();
        let mut phony: Vec<String> = Vec::new();
        let mut targets: Vec<String> = Vec::new();
        for (n, line) in make_lines(text) {
            if let Some(recipe) = line.strip_prefix('\t') {
                let recipe = recipe.trim_start_matches(['@', '-', '+']);
                let origin = Origin {
                    path: path.to_string(),
                    line: Some(n),
                    kind: OriginKind::MakeTarget(target.to_string()),
                };
                self.invocations.extend(invocations(recipe, dir, &origin));
                if let Some(d) = download_command(recipe) {
                    self.downloads.push((path.to_string(), n, d));
                }
                continue;
            }
            let t = line.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            if let Some(rest) = t.strip_prefix(".PHONY:") {
                phony.extend(rest.split_whitespace().map(String::from));
                continue;
            }
            if let Some((name, value)) = make_assignment(t) {
                self.make_vars.push((path.to_string(), name, value, n));
                continue;
            }
            if let Some((lhs, rhs)) = t.split_once(':') {
                target = lhs.trim().to_string();
                targets.extend(lhs.split_whitespace().map(String::from));
                let prereqs: Vec<String> = rhs
                    .split('|')
                    .next()
                    .unwrap_or("")
                    .split_whitespace()
                    .map(|p| join(dir, p))
                    .collect();
                for t in lhs.split_whitespace() {
                    self.make_rules
                        .push((path.to_string(), n, join(dir, t), prereqs.clone()));
                }
            }
        }
        for t in targets {
            if !phony.contains(&t)
                && (t.contains('.') || t.contains('/'))
                && !t.contains('%')
                && !t.starts_with('.')
                && !t.contains('$')
            {
                self.produced.push(join(dir, &t));
            }
        }
    }

    /// Reads a Snakemake workflow: `configfile:`, `shell:` commands that run
    /// Python, `script:` files, and `config["key"]` lookups.
    pub fn add_snakefile(&mut self, path: &str, text: &str) {
        let dir = parent(path);
        let mut rule = String::from("workflow");
        for (i, raw) in text.lines().enumerate() {
            let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let t = raw.trim();
            if let Some(name) = t.strip_prefix("rule ").and_then(|r| r.strip_suffix(':')) {
                rule = name.trim().to_string();
            }
            let origin = Origin {
                path: path.to_string(),
                line: Some(n),
                kind: OriginKind::SnakemakeRule(rule.clone()),
            };
            let quoted = |s: &str| s.trim().trim_matches(['"', '\'', ',']).to_string();
            if let Some(v) = t.strip_prefix("configfile:") {
                // Snakemake resolves configfile from the working directory, usually the root.
                self.config_reads
                    .push((path.to_string(), n, join("", &quoted(v))));
            } else if let Some(v) = t.strip_prefix("script:") {
                let script = join(dir, &quoted(v));
                if script.ends_with(".py") {
                    self.invocations.push(Invocation {
                        origin,
                        script: Some(script),
                        module: None,
                        flags: Vec::new(),
                        positionals: Vec::new(),
                        command: t.to_string(),
                    });
                }
            } else {
                let body = t.strip_prefix("shell:").unwrap_or(t);
                let cmd = body.trim().trim_matches(['"', '\'']);
                if cmd.contains("python") {
                    self.invocations.extend(invocations(cmd, "", &origin));
                }
            }
            let mut rest = t;
            while let Some(at) = rest.find("config[") {
                let mut keys = Vec::new();
                let mut tail = &rest[at + "config".len()..];
                while let Some(inner) = tail.strip_prefix('[') {
                    let Some(end) = inner.find(']') else { break };
                    keys.push(inner[..end].trim_matches(['"', '\'']).to_string());
                    tail = &inner[end + 1..];
                }
                if !keys.is_empty() {
                    self.key_reads.push(keys.join("."));
                }
                rest = tail;
            }
        }
    }

    /// Reads shell commands from a script or a README's code blocks.
    pub fn add_commands(&mut self, path: &str, text: &str, readme: bool) {
        // Scripts are usually run from the project root (`bash scripts/train.sh`);
        // the run path also tries the script's own folder.
        // `cd sub && python x.py`, or `cd sub` on a line of its own earlier in
        // the same code block, runs the script from that folder.
        let mut cwd = String::new();
        let mut last_line = 0u32;
        let candidates: Vec<(u32, String)> = if readme {
            super::markdown::lines(text)
                .into_iter()
                .filter(|l| {
                    let t = l.text.trim_start();
                    match l.place {
                        super::markdown::Place::Block => true,
                        // In prose, inline code that runs something, and
                        // shell-prompt or quoted command lines.
                        super::markdown::Place::Inline => looks_like_command(t),
                        super::markdown::Place::Quote => t.contains("python"),
                        super::markdown::Place::Prose => {
                            t.starts_with("$ ") && t.contains("python")
                        }
                    }
                })
                .map(|l| (l.line, l.text))
                .collect()
        } else {
            text.lines()
                .enumerate()
                .map(|(i, l)| (u32::try_from(i + 1).unwrap_or(u32::MAX), l.to_string()))
                .collect()
        };
        // `CONFIG=cfg/train.yaml` … `python train.py --config $CONFIG`.
        let mut vars: HashMap<String, String> = HashMap::new();
        for (n, end, line) in join_continued(candidates) {
            if n != last_line + 1 {
                cwd.clear();
            }
            last_line = end;
            if let Some((name, value)) = shell_assignment(&line) {
                vars.insert(name, value);
                continue;
            }
            let expanded = expand_vars(&line, &vars);
            let mut cmd = expanded
                .trim()
                .trim_start_matches("$ ")
                .trim_start_matches("> ")
                .trim_start_matches("!");
            if let Some(rest) = cmd.strip_prefix("cd ") {
                let (target, tail) = match rest.split_once("&&") {
                    Some((t, tail)) => (t.trim(), Some(tail.trim())),
                    None => (rest.trim(), None),
                };
                if !target.contains(['$', '~']) && !target.starts_with('/') {
                    cwd = join(&cwd, target.trim_end_matches('/'));
                }
                match tail {
                    Some(t) => cmd = t,
                    None => continue,
                }
            }
            let dir = cwd.as_str();
            let origin = Origin {
                path: path.to_string(),
                line: Some(n),
                kind: if readme {
                    OriginKind::DocsBlock {
                        readme: path.to_ascii_lowercase().starts_with("readme"),
                    }
                } else {
                    OriginKind::Script
                },
            };
            self.invocations.extend(invocations(cmd, dir, &origin));
            if let Some(d) = download_command(cmd) {
                self.downloads.push((path.to_string(), n, d));
            }
            if let Some(s) = serving_command(cmd) {
                self.serving.push((path.to_string(), n, s));
            }
        }
    }

    /// Pipeline parameters that Python code may receive as flags, by flag name.
    pub fn flags_passed(&self) -> BTreeMap<&str, Vec<&Invocation>> {
        let mut m: BTreeMap<&str, Vec<&Invocation>> = BTreeMap::new();
        for inv in &self.invocations {
            for (f, _) in &inv.flags {
                m.entry(f.as_str()).or_default().push(inv);
            }
        }
        m
    }
}

/// A plain shell variable assignment with a value known from the text:
/// `NAME=value`, `export NAME="value"`, `NAME=${1:-default}` (the default).
fn shell_assignment(line: &str) -> Option<(String, String)> {
    let t = line.trim();
    let t = t.strip_prefix("export ").unwrap_or(t).trim_start();
    let (name, value) = t.split_once('=')?;
    let named = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if !named || value.starts_with(' ') {
        return None;
    }
    let value = value.trim();
    let value = match value.strip_prefix("${").and_then(|v| v.strip_suffix('}')) {
        Some(inner) => inner.split_once(":-").map(|(_, d)| d)?,
        None => value,
    };
    let value = value.trim_matches(|c| c == '"' || c == '\'');
    if value.is_empty() || value.contains(['$', '`', ' ', ';', '|', '&']) {
        return None;
    }
    Some((name.to_string(), value.to_string()))
}

/// `$NAME` and `${NAME}` replaced by the values assigned earlier in the script.
fn expand_vars(line: &str, vars: &HashMap<String, String>) -> String {
    if vars.is_empty() || !line.contains('$') {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, skip) = match after.strip_prefix('{') {
            Some(b) => match b.find('}') {
                Some(end) => (&b[..end], end + 2),
                None => ("", 0),
            },
            None => {
                let end = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                (&after[..end], end)
            }
        };
        match vars.get(name) {
            Some(v) if !name.is_empty() => {
                out.push_str(v);
                rest = &after[skip..];
            }
            _ => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Inline code that is a command a person runs (`python train.py`,
/// `uvicorn app:app`), not a name or a value.
fn looks_like_command(t: &str) -> bool {
    let first = t.split_whitespace().next().unwrap_or("");
    t.contains(' ')
        && matches!(
            first,
            "python"
                | "python3"
                | "py"
                | "bash"
                | "sh"
                | "make"
                | "dvc"
                | "mlflow"
                | "uvicorn"
                | "streamlit"
                | "gradio"
                | "kedro"
                | "snakemake"
                | "accelerate"
                | "torchrun"
                | "deepspeed"
                | "jupyter"
                | "$"
        )
}

/// A command that serves a model or an app on the user's input
/// (`mlflow models serve`, `bentoml serve`, `uvicorn app:app`, `streamlit run app.py`).
fn serving_command(cmd: &str) -> Option<String> {
    let words = shell::words(cmd);
    let at = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
    let i = words.iter().position(|w| {
        matches!(
            w.as_str(),
            "mlflow"
                | "bentoml"
                | "uvicorn"
                | "streamlit"
                | "gradio"
                | "mlem"
                | "torchserve"
                | "cog"
                | "panel"
        )
    })?;
    let serves = match at(i) {
        "mlflow" => at(i + 1) == "models" && at(i + 2) == "serve",
        "bentoml" | "mlem" => at(i + 1) == "serve",
        "uvicorn" => at(i + 1).contains(':'),
        "streamlit" | "panel" => at(i + 1) == "run" || at(i + 1) == "serve",
        "gradio" => at(i + 1).ends_with(".py"),
        "torchserve" => words.iter().any(|w| w == "--start"),
        "cog" => at(i + 1) == "predict",
        _ => false,
    };
    serves.then(|| cmd.trim().to_string())
}

/// `wget URL` or `curl URL` in a command.
fn download_command(cmd: &str) -> Option<String> {
    let words = shell::words(cmd);
    // `kaggle datasets download -d owner/name`, `kaggle competitions download -c name`
    if let Some(k) = words.iter().position(|w| w == "kaggle") {
        if matches!(
            words.get(k + 1).map(String::as_str),
            Some("datasets" | "competitions")
        ) && words.get(k + 2).map(String::as_str) == Some("download")
        {
            return Some(cmd.trim().to_string());
        }
    }
    let i = words
        .iter()
        .position(|w| w == "wget" || w == "curl" || w == "gdown" || w == "aria2c")?;
    // Installers fetched by curl/wget are not data.
    let lower = cmd.to_ascii_lowercase();
    let installer = [
        "miniconda",
        "anaconda",
        "miniforge",
        "get-pip",
        "libtorch",
        "rustup",
        "nvidia",
        "cuda",
        "docker",
        "install",
        "| sh",
        "| bash",
    ]
    .iter()
    .any(|k| lower.contains(k))
        || words[i..].iter().any(|w| {
            w.ends_with(".sh") || w.ends_with(".deb") || w.ends_with(".whl") || w.ends_with(".exe")
        });
    // Requests to a service (`curl -X POST -d '{…}' …/predict`) send data; they fetch none.
    let request = words[i..].iter().any(|w| {
        matches!(
            w.as_str(),
            "-X" | "--request" | "-d" | "--data" | "--data-raw" | "--data-binary" | "-F" | "--form"
        )
    });
    // The URL is often a Makefile variable (`curl -o x $(DATA_URL)`).
    (words.len() > i + 1 && !installer && !request).then(|| cmd.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_variables_assigned_in_a_script_expand_in_its_commands() {
        assert_eq!(
            shell_assignment("CONFIG_FILE=${1:-cfg/config.yaml}"),
            Some(("CONFIG_FILE".into(), "cfg/config.yaml".into()))
        );
        assert_eq!(
            shell_assignment("export DATA=\"data/raw\""),
            Some(("DATA".into(), "data/raw".into()))
        );
        assert_eq!(shell_assignment("OUT=$(date +%s)"), None);
        assert_eq!(shell_assignment("python train.py a=b"), None);
        let vars: HashMap<String, String> = [("CFG".to_string(), "c.yaml".to_string())].into();
        assert_eq!(
            expand_vars("python m.py --config $CFG --x ${CFG} $OTHER", &vars),
            "python m.py --config c.yaml --x c.yaml $OTHER"
        );
        let mut p = Pipelines::default();
        p.add_commands(
            "run.sh",
            "CFG=${1:-cfg/a.yaml}\npython src/main.py --config_file $CFG\n",
            false,
        );
        let inv = &p.invocations[0];
        assert!(
            inv.flags.iter().any(|(f, v)| f == "config_file"
                && matches!(v, FlagValue::Literal(x) if x == "cfg/a.yaml")),
            "{:?}",
            inv.flags
        );
    }

    fn origin() -> Origin {
        Origin {
            path: "Makefile".into(),
            line: Some(1),
            kind: OriginKind::MakeTarget("t".into()),
        }
    }

    #[test]
    fn finds_python_invocations_and_flags() {
        let inv = invocations(
            "cd src && python -u train.py --seed $(SEED) --lr=0.1 model.depth=3 -v",
            "",
            &origin(),
        );
        assert_eq!(inv.len(), 1);
        assert_eq!(inv[0].script.as_deref(), Some("src/train.py"));
        assert_eq!(
            inv[0].flags[0],
            ("seed".into(), FlagValue::Parameter("SEED".into()))
        );
        assert_eq!(
            inv[0].flags[1],
            ("lr".into(), FlagValue::Literal("0.1".into()))
        );
        assert_eq!(inv[0].positionals, ["model.depth=3"]);
        let m = invocations("python3 -m pkg.train --config conf.yaml", "", &origin());
        assert_eq!(m[0].module.as_deref(), Some("pkg.train"));
        let t = invocations("torchrun --nproc_per_node 2 train.py", "", &origin());
        assert_eq!(t[0].script.as_deref(), Some("train.py"));
        assert!(invocations("echo python is great", "", &origin()).is_empty());
    }

    #[test]
    fn makefile_vars_targets_recipes() {
        let mut p = Pipelines::default();
        p.add_makefile("Makefile", ".PHONY: train\nSEED ?= 7\nmodel.json: data.csv\n\tpython train.py --seed $(SEED)\ntrain: model.json\ndata.csv:\n\tcurl -o data.csv https://x.org/d.csv\n");
        assert_eq!(p.make_vars[0].1, "SEED");
        assert_eq!(p.invocations[0].origin.line, Some(4));
        assert!(p.produced.contains(&"model.json".to_string()));
        assert!(!p.produced.contains(&"train".to_string()));
        assert_eq!(p.downloads.len(), 1);
    }

    #[test]
    fn dvc_stages_with_params_and_wdir() {
        let mut p = Pipelines::default();
        p.add_dvc("dvc.yaml", "stages:\n  train:\n    wdir: src\n    cmd: python train.py\n    deps: [train.py]\n    params:\n      - train.lr\n      - ../other.yaml:\n          - seed\n    outs:\n      - ../model.pkl\n    metrics:\n      - ../metrics.json:\n          cache: false\n");
        let (_, st) = &p.dvc_stages[0];
        assert_eq!(st.line, Some(2));
        assert_eq!(p.invocations[0].script.as_deref(), Some("src/train.py"));
        assert_eq!(
            st.params,
            [
                ("src/params.yaml".to_string(), "train.lr".to_string()),
                ("other.yaml".into(), "seed".into())
            ]
        );
        assert_eq!(st.outs, ["model.pkl", "metrics.json"]);
    }

    #[test]
    fn join_resolves_dots() {
        assert_eq!(join("src", "../data/x.csv"), "data/x.csv");
        assert_eq!(join("", "./train.py"), "train.py");
    }
}
