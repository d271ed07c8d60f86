//! Ranking the commands a project declares, as a person would: the training
//! or pipeline command first (dvc.yaml stages, a Makefile `train`/`all`/…
//! target or one that runs a script on the run path, the MLproject `main`
//! entry point, the README's training command), never install, setup,
//! format, lint, test, clean, docs, deploy, serve or help commands unless
//! asked for by name (`--target`).

use crate::facts::pipeline::OriginKind;
use crate::facts::shell;
use crate::facts::Facts;

use super::plan::Stage;

/// One command the project declares.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// `dvc.yaml`, `Makefile`, `MLproject`, `README`.
    pub source: &'static str,
    /// Who declares it, for people: "Makefile target `train`".
    pub label: String,
    /// What it does, for people: "runs train.py".
    pub about: String,
    /// What would run.
    pub stages: Vec<Stage>,
    /// Why it is never chosen without being asked for by name.
    pub skip: Option<String>,
    /// Lower ranks first: (tier, kind, order).
    pub rank: (u8, u8, usize),
}

impl Candidate {
    /// The commands it runs.
    pub fn commands(&self) -> Vec<String> {
        self.stages.iter().map(|s| s.cmd.clone()).collect()
    }
}

/// Target names that never run the pipeline, with what they do instead.
const SKIPPED_NAMES: &[(&[&str], &str)] = &[
    (
        &[
            "install",
            "setup",
            "deps",
            "dependencies",
            "requirements",
            "venv",
            "env",
            "environment",
            "init",
            "bootstrap",
        ],
        "sets up the environment (installs packages: needs the network, and is not the pipeline)",
    ),
    (
        &[
            "format",
            "fmt",
            "lint",
            "check",
            "typecheck",
            "mypy",
            "style",
            "precommit",
            "pre-commit",
        ],
        "lints or formats the code",
    ),
    (
        &["test", "tests", "coverage", "cov", "unittest"],
        "runs the tests",
    ),
    (&["clean", "distclean", "clobber"], "deletes files"),
    (&["docs", "doc", "documentation", "site"], "builds the docs"),
    (
        &["deploy", "publish", "release", "upload", "push", "dist"],
        "deploys or publishes",
    ),
    (
        &[
            "serve",
            "server",
            "app",
            "ui",
            "dashboard",
            "tensorboard",
            "notebook",
            "jupyter",
        ],
        "serves an app",
    ),
    (&["help", "usage"], "prints help"),
];

/// Target names that run the pipeline, best first.
const PIPELINE_NAMES: &[&str] = &[
    "reproduce",
    "repro",
    "pipeline",
    "all",
    "run",
    "train",
    "experiment",
    "experiments",
    "main",
];

/// Why a target named `name` is not the pipeline (`install`, `lint-fix`, `test_unit`).
pub fn skipped_name(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let head = lower.split(['-', '_', '.']).next().unwrap_or(&lower);
    SKIPPED_NAMES
        .iter()
        .find(|(names, _)| names.contains(&lower.as_str()) || names.contains(&head))
        .map(|(_, why)| *why)
}

/// Why a shell command is not the pipeline (`pip install …`, `pytest`, `black .`).
pub fn skipped_command(cmd: &str) -> Option<String> {
    for part in shell::segments(cmd) {
        let words = shell::words(part);
        let mut w: Vec<&str> = words
            .iter()
            .map(String::as_str)
            // Environment assignments and wrappers before the tool.
            .skip_while(|x| {
                (x.contains('=') && !x.starts_with('-'))
                    || matches!(*x, "env" | "exec" | "time" | "nohup" | "sudo")
            })
            .collect();
        let Some(first) = w.first().copied() else {
            continue;
        };
        let mut tool = first.rsplit('/').next().unwrap_or(first).to_string();
        // `python -m pip`, `uv run pytest`, `poetry run black`.
        if tool.starts_with("python") {
            match w.iter().position(|x| *x == "-m") {
                Some(i) => {
                    tool = w.get(i + 1).map(|s| s.to_string()).unwrap_or_default();
                    w = w.split_off(i + 1);
                }
                None => {
                    if w.get(1).is_some_and(|s| s.ends_with("setup.py")) {
                        return Some(format!(
                            "builds or installs the package (`{}`)",
                            part.trim()
                        ));
                    }
                    continue;
                }
            }
        } else if matches!(tool.as_str(), "uv" | "poetry" | "pipenv" | "pdm" | "hatch")
            && w.get(1) == Some(&"run")
        {
            tool = w.get(2).map(|s| s.to_string()).unwrap_or_default();
            w = w.split_off(2.min(w.len()));
        }
        let arg = |a: &str| w.iter().skip(1).any(|x| *x == a);
        let shown = part.trim();
        let why = match tool.as_str() {
            "pip" | "pip3" | "uv" | "poetry" | "pipenv" | "pdm" | "easy_install"
                if arg("install") || arg("sync") || arg("add") || arg("lock") =>
            {
                "installs packages (needs the network, and is not the pipeline)"
            }
            "conda" | "mamba" | "micromamba"
                if arg("install") || arg("create") || arg("env") || arg("update") =>
            {
                "creates or updates a conda environment (needs the network)"
            }
            "apt" | "apt-get" | "brew" | "npm" | "yarn" => "installs system packages",
            "pytest" | "py.test" | "tox" | "nox" | "unittest" | "nose2" => "runs the tests",
            "flake8" | "black" | "ruff" | "isort" | "mypy" | "pylint" | "pyright"
            | "pre-commit" | "autopep8" | "yapf" | "pycodestyle" | "pydocstyle" | "bandit" => {
                "lints or formats the code"
            }
            "mkdocs" | "pdoc" | "pdoc3" | "jupyter-book" => "builds the docs",
            t if t.starts_with("sphinx") => "builds the docs",
            "twine" | "gcloud" | "kubectl" | "heroku" | "helm" | "terraform" => {
                "deploys or publishes"
            }
            "docker" if arg("build") || arg("push") || arg("compose") => {
                "builds or pushes a container"
            }
            "uvicorn" | "gunicorn" | "streamlit" | "gradio" | "tensorboard" | "jupyter" => {
                "serves an app"
            }
            "flask" if arg("run") => "serves an app",
            "mlflow" if arg("ui") || arg("serve") || arg("server") => "serves an app",
            "rm" => "deletes files",
            _ => continue,
        };
        return Some(format!("{why} (`{shown}`)"));
    }
    None
}

/// A rule of a Makefile.
#[derive(Debug, Clone)]
pub struct MakeTarget {
    /// Target name.
    pub name: String,
    /// Prerequisites.
    pub prereqs: Vec<String>,
    /// Recipe lines, make variables expanded where the file sets them.
    pub recipe: Vec<String>,
}

/// The Makefile `make` runs by default in the project root, if any.
pub fn root_makefile(facts: &Facts) -> Option<(String, &str)> {
    ["GNUmakefile", "makefile", "Makefile"]
        .iter()
        .find_map(|n| {
            facts
                .project
                .file(n)
                .and_then(|f| f.text())
                .map(|t| (n.to_string(), t))
        })
}

/// The targets of a Makefile, in file order (special, pattern and variable
/// targets left out).
pub fn make_targets(text: &str) -> Vec<MakeTarget> {
    let mut vars: Vec<(String, String)> = Vec::new();
    let mut targets: Vec<MakeTarget> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    for (_, line) in crate::facts::pipeline::make_lines(text) {
        if let Some(recipe) = line.strip_prefix('\t') {
            let recipe = recipe.trim().trim_start_matches(['@', '-', '+']).trim();
            if recipe.is_empty() || recipe.starts_with('#') {
                continue;
            }
            for &i in &current {
                if let Some(t) = targets.get_mut(i) {
                    t.recipe.push(recipe.to_string());
                }
            }
            continue;
        }
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if let Some(v) = crate::facts::pipeline::make_assignment(t) {
            vars.push(v);
            continue;
        }
        let Some((lhs, rhs)) = t.split_once(':') else {
            current.clear();
            continue;
        };
        let rhs = rhs.trim_start_matches(':');
        if rhs.contains('=') {
            // A target-specific variable.
            continue;
        }
        current.clear();
        let prereqs: Vec<String> = rhs
            .split('|')
            .next()
            .unwrap_or("")
            .split('#')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .map(String::from)
            .collect();
        for name in lhs.split_whitespace() {
            if name.starts_with('.') || name.contains(['%', '$', '(', ')']) {
                continue;
            }
            let i = match targets.iter().position(|x| x.name == name) {
                Some(i) => {
                    if let Some(t) = targets.get_mut(i) {
                        t.prereqs.extend(prereqs.iter().cloned());
                    }
                    i
                }
                None => {
                    targets.push(MakeTarget {
                        name: name.to_string(),
                        prereqs: prereqs.clone(),
                        recipe: Vec::new(),
                    });
                    targets.len() - 1
                }
            };
            current.push(i);
        }
    }
    let expand = |s: &str| {
        let mut out = s.to_string();
        for _ in 0..3 {
            for (k, v) in vars.iter().rev() {
                out = out
                    .replace(&format!("$({k})"), v)
                    .replace(&format!("${{{k}}}"), v);
            }
        }
        out
    };
    for t in &mut targets {
        t.recipe = t.recipe.iter().map(|r| expand(r)).collect();
    }
    targets
}

/// Whether `make NAME` can be written without quoting.
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
}

/// Why target `i` (or a target it depends on) is not the pipeline.
fn make_skip(targets: &[MakeTarget], i: usize, seen: &mut Vec<usize>) -> Option<String> {
    if seen.contains(&i) {
        return None;
    }
    seen.push(i);
    let t = targets.get(i)?;
    if let Some(why) = skipped_name(&t.name) {
        return Some(format!("`{}` {why}", t.name));
    }
    if let Some(why) = t.recipe.iter().find_map(|r| skipped_command(r)) {
        return Some(format!("`{}` {why}", t.name));
    }
    for p in &t.prereqs {
        if let Some(j) = targets.iter().position(|x| &x.name == p) {
            if let Some(why) = make_skip(targets, j, seen) {
                return Some(if why.starts_with(&format!("`{}`", t.name)) {
                    why
                } else {
                    format!("`{}` depends on {why}", t.name)
                });
            }
        }
    }
    None
}

/// The project scripts on the run path that target `i` (or a target it
/// depends on) runs.
fn make_scripts(
    facts: &Facts,
    makefile: &str,
    targets: &[MakeTarget],
    i: usize,
    seen: &mut Vec<usize>,
) -> Vec<String> {
    if seen.contains(&i) {
        return Vec::new();
    }
    seen.push(i);
    let Some(t) = targets.get(i) else {
        return Vec::new();
    };
    let mut out: Vec<String> = facts
        .pipelines
        .invocations
        .iter()
        .filter(|inv| {
            inv.origin.path == makefile
                && matches!(&inv.origin.kind, OriginKind::MakeTarget(raw)
                    if raw.split_whitespace().any(|n| n == t.name))
        })
        .filter_map(|inv| inv.script.clone())
        .filter(|s| facts.project.file(s).is_some() && facts.run_path.contains(s))
        .collect();
    for p in &t.prereqs {
        if let Some(j) = targets.iter().position(|x| &x.name == p) {
            out.extend(make_scripts(facts, makefile, targets, j, seen));
        }
    }
    out.dedup();
    out
}

/// The project scripts on the run path that `make NAME` runs in the root Makefile.
pub fn make_target_scripts(facts: &Facts, name: &str) -> Vec<String> {
    let Some((path, text)) = root_makefile(facts) else {
        return Vec::new();
    };
    let targets = make_targets(text);
    match targets.iter().position(|t| t.name == name) {
        Some(i) => make_scripts(facts, &path, &targets, i, &mut Vec::new()),
        None => Vec::new(),
    }
}

fn make_candidates(facts: &Facts) -> Vec<Candidate> {
    let Some((path, text)) = root_makefile(facts) else {
        return Vec::new();
    };
    let targets = make_targets(text);
    let mut out = Vec::new();
    for (order, t) in targets.iter().enumerate() {
        if !plain_name(&t.name) {
            continue;
        }
        let skip = make_skip(&targets, order, &mut Vec::new());
        let scripts = make_scripts(facts, &path, &targets, order, &mut Vec::new());
        let default = if order == 0 {
            ", the default target"
        } else {
            ""
        };
        let pref = PIPELINE_NAMES
            .iter()
            .position(|n| t.name.eq_ignore_ascii_case(n));
        let (rank, about) = if skip.is_some() {
            (
                (2, 0, order),
                format!("{path}: target `{}`{default}", t.name),
            )
        } else if let Some(p) = pref {
            (
                (0, 1, p * 10_000 + order),
                if scripts.is_empty() {
                    format!("{path}: target `{}`{default}", t.name)
                } else {
                    format!(
                        "{path}: target `{}`{default}, runs {}",
                        t.name,
                        scripts.join(", ")
                    )
                },
            )
        } else if !scripts.is_empty() {
            (
                (0, 2, order),
                format!(
                    "{path}: target `{}`{default}, runs {}",
                    t.name,
                    scripts.join(", ")
                ),
            )
        } else {
            (
                (1, 1, order),
                format!(
                    "{path}: target `{}`{default}, which runs no script on the run path",
                    t.name
                ),
            )
        };
        out.push(Candidate {
            source: "Makefile",
            label: format!("Makefile target `{}`", t.name),
            about,
            stages: vec![Stage {
                name: t.name.clone(),
                cmd: format!("make {}", t.name),
                wdir: String::new(),
                outs: Vec::new(),
            }],
            skip,
            rank,
        });
    }
    out
}

fn single(name: &str, cmd: &str) -> Stage {
    Stage {
        name: name.to_string(),
        cmd: cmd.to_string(),
        wdir: String::new(),
        outs: Vec::new(),
    }
}

/// MLproject entry points with their default parameters filled in.
pub fn mlproject_entries(facts: &Facts) -> Vec<(String, String, String)> {
    facts
        .pipelines
        .mlproject_entries
        .iter()
        .map(|(path, name, template)| {
            let mut cmd = template.clone();
            for p in facts
                .pipelines
                .mlproject_params
                .iter()
                .filter(|p| &p.path == path && &p.entry_point == name)
            {
                if let Some(d) = &p.default {
                    cmd = cmd.replace(&format!("{{{}}}", p.name), d);
                }
            }
            (path.clone(), name.clone(), cmd)
        })
        .collect()
}

fn mlproject_candidates(facts: &Facts) -> Vec<Candidate> {
    mlproject_entries(facts)
        .into_iter()
        .enumerate()
        .map(|(order, (path, name, cmd))| {
            let skip = skipped_name(&name)
                .map(|w| format!("`{name}` {w}"))
                .or_else(|| skipped_command(&cmd));
            let rank = match (&skip, name == "main") {
                (Some(_), _) => (2, 3, order),
                (None, true) => (0, 3, order),
                (None, false) => (1, 3, order),
            };
            Candidate {
                source: "MLproject",
                label: format!("MLproject entry point `{name}`"),
                about: format!("{path} entry point `{name}` with its default parameters"),
                stages: vec![single(&name, &cmd)],
                skip,
                rank,
            }
        })
        .collect()
}

/// Words in a script's name that say it trains or runs the pipeline.
const TRAINING_WORDS: &[&str] = &[
    "train",
    "run",
    "main",
    "pipeline",
    "reproduce",
    "experiment",
    "fit",
];

fn readme_candidates(facts: &Facts) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::new();
    for inv in &facts.pipelines.invocations {
        if !inv.origin.kind.is_docs() {
            continue;
        }
        let Some(script) = inv.script.as_deref() else {
            continue;
        };
        if facts.project.file(script).is_none() {
            continue;
        }
        let path = &inv.origin.path;
        let Some(line) = inv.origin.line else {
            continue;
        };
        let Some(raw) = facts
            .project
            .file(path)
            .and_then(|f| f.text())
            .and_then(|t| t.lines().nth(usize::try_from(line).ok()?.checked_sub(1)?))
        else {
            continue;
        };
        let cmd = raw
            .trim()
            .trim_start_matches("$ ")
            .trim_start_matches("> ")
            .to_string();
        if out
            .iter()
            .any(|c| c.stages.first().is_some_and(|s| s.cmd == cmd))
        {
            continue;
        }
        let name = script
            .rsplit('/')
            .next()
            .unwrap_or(script)
            .to_ascii_lowercase();
        let serving = facts
            .pipelines
            .serving
            .iter()
            .any(|(p, l, _)| p == path && *l == line);
        let skip = if serving {
            Some(format!("`{cmd}` serves an app"))
        } else if name == "setup.py" {
            Some(format!("`{cmd}` builds or installs the package"))
        } else {
            skipped_command(&cmd).or_else(|| {
                skipped_name(name.trim_end_matches(".py")).map(|w| format!("`{script}` {w}"))
            })
        };
        let training = TRAINING_WORDS.iter().any(|w| name.contains(w));
        let order = out.len();
        let rank = match (&skip, training && facts.run_path.contains(script)) {
            (Some(_), _) => (2, 4, order),
            (None, true) => (0, 4, order),
            (None, false) => (1, 4, order),
        };
        out.push(Candidate {
            source: "README",
            label: format!("{path}:{line}"),
            about: format!("{path}:{line}: a documented command that runs {script}"),
            stages: vec![single("main", &cmd)],
            skip,
            rank,
        });
    }
    out
}

/// Every candidate but dvc.yaml's (which the plan builds), best first.
pub fn others(facts: &Facts) -> Vec<Candidate> {
    let mut all = make_candidates(facts);
    all.extend(mlproject_candidates(facts));
    all.extend(readme_candidates(facts));
    all.sort_by_key(|c| c.rank);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_lint_and_test_commands_are_skipped() {
        assert!(skipped_command("pip install -r requirements.txt").is_some());
        assert!(skipped_command("python -m pip install -e .").is_some());
        assert!(skipped_command("conda env create -f environment.yml").is_some());
        assert!(skipped_command("poetry install").is_some());
        assert!(skipped_command("pytest -q tests").is_some());
        assert!(skipped_command("uv run pytest").is_some());
        assert!(skipped_command("black . && ruff check .").is_some());
        assert!(skipped_command("sphinx-build docs _build").is_some());
        assert!(skipped_command("python train.py --epochs 3").is_none());
        assert!(skipped_command("PYTHONHASHSEED=0 python3 src/train.py").is_none());
        assert!(skipped_command("dvc repro").is_none());
    }

    #[test]
    fn target_names() {
        assert!(skipped_name("install").is_some());
        assert!(skipped_name("install-dev").is_some());
        assert!(skipped_name("test_unit").is_some());
        assert!(skipped_name("train").is_none());
        assert!(skipped_name("all").is_none());
    }

    #[test]
    fn makefile_targets_with_variables_and_prerequisites() {
        let text = "PY ?= python3\n.PHONY: install train\ninstall:\n\t$(PY) -m pip install -r requirements.txt\n\ntrain: data.csv\n\t@$(PY) train.py\nall: install train\n";
        let t = make_targets(text);
        let names: Vec<&str> = t.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, ["install", "train", "all"]);
        assert_eq!(t[0].recipe, ["python3 -m pip install -r requirements.txt"]);
        assert_eq!(t[1].recipe, ["python3 train.py"]);
        let why = make_skip(&t, 2, &mut Vec::new()).expect("all depends on install");
        assert!(why.contains("depends on `install`"), "{why}");
        assert!(make_skip(&t, 1, &mut Vec::new()).is_none());
    }
}
