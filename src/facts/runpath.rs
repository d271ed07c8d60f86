//! The run path: the entry points of a project and the project modules they
//! import, followed transitively. Findings off this path are notes.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use rayon::prelude::*;

use super::pipeline::{Invocation, Pipelines};
use super::python::{Import, PyFile};
use crate::source::Project;

/// Why a file is an entry point.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryPoint {
    /// The script, module file or notebook.
    pub path: String,
    /// How it was found (`__main__ guard`, `dvc.yaml stage train`, …).
    pub why: String,
    /// Declaration site (`dvc.yaml`, line) when a pipeline names it.
    pub declared_at: Option<(String, Option<u32>)>,
}

/// A pipeline names a script that is not in the project.
#[derive(Debug, Clone)]
pub struct MissingScript {
    /// Declaration site.
    pub path: String,
    /// Line.
    pub line: Option<u32>,
    /// What it names.
    pub target: String,
}

/// The entry points and the files they reach.
#[derive(Debug, Clone, Default)]
pub struct RunPath {
    /// Entry points, sorted and unique by path.
    pub entry_points: Vec<EntryPoint>,
    /// Python files and notebooks on the run path.
    pub files: BTreeSet<String>,
    /// Scripts named by pipelines that do not exist.
    pub missing: Vec<MissingScript>,
    /// No entry point was found, so every file counts as on the path.
    pub fallback_all: bool,
    /// For each file on the path, the entry points (indexes into `entry_points`) that reach it.
    pub reached_by: HashMap<String, Vec<usize>>,
    /// For each entry point, the files it reaches (itself included), as
    /// indexes into `paths`.
    pub reach: Vec<Vec<usize>>,
    /// Python files and notebooks in the order `reach` indexes them.
    pub paths: Vec<String>,
    /// For each file (by the same index), the project files its imports
    /// resolve to.
    pub imports: Vec<Vec<usize>>,
}

impl RunPath {
    /// Whether findings in `path` decide statuses.
    pub fn contains(&self, path: &str) -> bool {
        self.fallback_all || self.files.contains(path)
    }

    /// Builds the run path; `kedro` makes pipeline node modules entry points.
    pub fn build(
        project: &Project,
        python: &[PyFile],
        pipelines: &Pipelines,
        kedro: bool,
    ) -> RunPath {
        let index: HashMap<&str, &PyFile> = python.iter().map(|f| (f.path.as_str(), f)).collect();
        let mut entries: BTreeMap<String, EntryPoint> = BTreeMap::new();
        let mut missing = Vec::new();
        let mut top_level_cli: HashSet<&str> = HashSet::new();

        for f in python {
            let name = f.path.rsplit('/').next().unwrap_or(&f.path);
            if kedro
                && matches!(name, "nodes.py" | "pipeline.py" | "pipeline_registry.py")
                && !is_auxiliary(&f.path)
            {
                entries.entry(f.path.clone()).or_insert(EntryPoint {
                    path: f.path.clone(),
                    why: "Kedro pipeline module (run by `kedro run`)".into(),
                    declared_at: None,
                });
                continue;
            }
            if f.is_notebook {
                entries.entry(f.path.clone()).or_insert(EntryPoint {
                    path: f.path.clone(),
                    why: "notebook".into(),
                    declared_at: None,
                });
            } else if f.main_guard && !is_auxiliary_file(f) {
                entries.entry(f.path.clone()).or_insert(EntryPoint {
                    path: f.path.clone(),
                    why: "`if __name__ == \"__main__\"` guard".into(),
                    declared_at: None,
                });
            } else if f.module_level_cli && !is_auxiliary_file(f) {
                top_level_cli.insert(f.path.as_str());
                entries.entry(f.path.clone()).or_insert(EntryPoint {
                    path: f.path.clone(),
                    why: "script that parses its command line at the top level".into(),
                    declared_at: None,
                });
            }
        }
        for inv in &pipelines.invocations {
            let target = resolve_invocation(inv, &index);
            match target {
                // `python setup.py install` installs; it does not run the project.
                Some(path)
                    if index
                        .get(path.as_str())
                        .map_or(is_auxiliary(&path), |f| is_auxiliary_file(f)) => {}
                Some(path) => {
                    let e = entries.entry(path.clone()).or_insert(EntryPoint {
                        path: path.clone(),
                        why: String::new(),
                        declared_at: None,
                    });
                    // A pipeline declaration is the stronger reason; it wins.
                    if e.declared_at.is_none() {
                        e.why = format!("run by {} ({})", inv.origin.path, inv.origin.kind);
                        e.declared_at = Some((inv.origin.path.clone(), inv.origin.line));
                    }
                }
                None => {
                    // `python -m flake8`/`-m venv` run other people's modules: only a
                    // missing script is the project's problem.
                    let Some(name) = inv.script.clone() else {
                        continue;
                    };
                    // README blocks often show commands for files made at run time;
                    // helper shell scripts and docs builds are often run from another
                    // folder or with paths from variables: only a declared pipeline's
                    // missing script is certain.
                    let declared = is_pipeline_file(&inv.origin.path)
                        || (matches!(inv.origin.kind, super::pipeline::OriginKind::MakeTarget(_))
                            && !is_auxiliary(&inv.origin.path));
                    let from_ancestor =
                        ancestors(&inv.origin.path).any(|d| project.exists(&join(d, &name)));
                    if declared && !name.contains('$') && !project.exists(&name) && !from_ancestor {
                        missing.push(MissingScript {
                            path: inv.origin.path.clone(),
                            line: inv.origin.line,
                            target: name,
                        });
                    }
                }
            }
        }

        // A declared pipeline (dvc.yaml, MLproject, Snakemake, Kedro) says what a
        // run is; scripts and notebooks that neither it nor the docs run are
        // alternatives or scratch work, and their findings are notes.
        let declared_pipeline = kedro
            || entries.values().any(|e| {
                e.declared_at
                    .as_ref()
                    .is_some_and(|(path, _)| is_pipeline_file(path))
            });
        if declared_pipeline {
            entries.retain(|_, e| e.declared_at.is_some() || e.why.starts_with("Kedro"));
        }
        // A top-level CLI script adds to a run path that something else
        // defines; alone it must not narrow "every file counts" to a few
        // scripts while the ones a workflow runs indirectly drop out.
        if entries
            .values()
            .all(|e| e.declared_at.is_none() && top_level_cli.contains(e.path.as_str()))
        {
            entries.clear();
        }
        let entry_points: Vec<EntryPoint> = entries.into_values().collect();
        let mut files = BTreeSet::new();
        let mut reached_by: HashMap<String, Vec<usize>> = HashMap::new();
        let mut reach = Vec::with_capacity(entry_points.len());
        // Resolve each file's imports once (in parallel); every entry point's
        // walk then follows plain edges between file indexes.
        let paths: Vec<&str> = python.iter().map(|f| f.path.as_str()).collect();
        let position: HashMap<&str, usize> =
            paths.iter().enumerate().map(|(i, p)| (*p, i)).collect();
        // Folder names and module stems in the project: an absolute import
        // whose first name is none of them (`numpy`, `torch.nn`) is not the
        // project's, and needs no search through every ancestor folder.
        let local_names: HashSet<&str> = paths
            .iter()
            .flat_map(|p| p.split('/'))
            .map(|s| s.strip_suffix(".py").unwrap_or(s))
            .collect();
        let edges: Vec<Vec<usize>> = python
            .par_iter()
            .map(|f| {
                let mut out: Vec<usize> = f
                    .imports
                    .iter()
                    .filter(|imp| could_be_local(imp, &local_names))
                    .flat_map(|imp| resolve_import(&f.path, imp, &index))
                    .filter_map(|t| position.get(t.as_str()).copied())
                    .collect();
                out.sort_unstable();
                out.dedup();
                out
            })
            .collect();
        // Reach is kept as file indexes: with every module an entry point that
        // imports the previous one, the sets add up to n²/2 members, which as
        // cloned strings cost hundreds of MB on a few thousand modules.
        let mut seen = vec![usize::MAX; paths.len()];
        let mut by_file: Vec<Vec<usize>> = vec![Vec::new(); paths.len()];
        for (i, e) in entry_points.iter().enumerate() {
            let mut reached = Vec::new();
            let Some(&start) = position.get(e.path.as_str()) else {
                reach.push(reached);
                continue;
            };
            let mut queue = VecDeque::from([start]);
            seen[start] = i;
            while let Some(n) = queue.pop_front() {
                reached.push(n);
                for &t in &edges[n] {
                    if seen[t] != i {
                        seen[t] = i;
                        queue.push_back(t);
                    }
                }
            }
            reached.sort_unstable();
            for &n in &reached {
                by_file[n].push(i);
            }
            reach.push(reached);
        }
        for (n, entries) in by_file.into_iter().enumerate() {
            if !entries.is_empty() {
                files.insert(paths[n].to_string());
                reached_by.insert(paths[n].to_string(), entries);
            }
        }
        let python_paths: Vec<String> = paths.iter().map(|p| p.to_string()).collect();
        RunPath {
            paths: python_paths,
            fallback_all: entry_points.is_empty(),
            entry_points,
            files,
            missing,
            reached_by,
            reach,
            imports: edges,
        }
    }
}

/// Tests, packaging and docs scripts are not how a project is run.
fn is_auxiliary(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    // Folder names only: a script called `test` (run through its shebang) is a script.
    let folders = lower.rsplit_once('/').map_or("", |(d, _)| d);
    folders
        .split('/')
        .any(|s| matches!(s, "tests" | "test" | "docs" | "doc"))
        || name.starts_with("test_")
        || name.ends_with("_test.py")
        || matches!(
            name,
            "setup.py" | "conftest.py" | "noxfile.py" | "fabfile.py"
        )
}

/// [`is_auxiliary`], except that a `test_*.py` script that takes its input
/// from the command line and holds no tests is a script (`test_on_image.py
/// --image x.png`), not a test module.
fn is_auxiliary_file(f: &PyFile) -> bool {
    if !is_auxiliary(&f.path) {
        return false;
    }
    let lower = f.path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let folders = lower.rsplit_once('/').map_or("", |(d, _)| d);
    let named_only = (name.starts_with("test_") || name.ends_with("_test.py"))
        && !folders
            .split('/')
            .any(|s| matches!(s, "tests" | "test" | "docs" | "doc"));
    let holds_tests = f.functions.iter().any(|d| d.name.starts_with("test"))
        || f.imports
            .iter()
            .any(|i| matches!(i.module.split('.').next(), Some("pytest" | "unittest")));
    !(named_only && !f.cli_params.is_empty() && !holds_tests)
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

fn join(dir: &str, rel: &str) -> String {
    if dir.is_empty() {
        rel.to_string()
    } else {
        format!("{dir}/{rel}")
    }
}

fn resolve_invocation(inv: &Invocation, index: &HashMap<&str, &PyFile>) -> Option<String> {
    if let Some(s) = &inv.script {
        if index.contains_key(s.as_str()) {
            return Some(s.clone());
        }
        // A shell script may also be run from its own folder.
        let beside = super::pipeline::join(parent(&inv.origin.path), s);
        if index.contains_key(beside.as_str()) {
            return Some(beside);
        }
        // Docs often assume the reader has changed into the package folder
        // (`python train.py` for pkg/train.py): a bare name that exactly one
        // file in the project has is that file.
        if inv.origin.kind.is_docs() && !s.contains('/') {
            let suffix = format!("/{s}");
            let mut same = index.keys().filter(|p| p.ends_with(&suffix));
            if let (Some(only), None) = (same.next(), same.next()) {
                return Some((*only).to_string());
            }
        }
        return None;
    }
    let module = inv.module.as_ref()?;
    let dir = parent(&inv.origin.path);
    let rel = module.replace('.', "/");
    for root in [dir, "", "src"] {
        for cand in [format!("{rel}.py"), format!("{rel}/__main__.py")] {
            let p = join(root, &cand);
            if index.contains_key(p.as_str()) {
                return Some(p);
            }
        }
    }
    None
}

/// Files a single import statement executes (the module and its packages' `__init__.py`).
/// Whether an import may name a project file (see `local_names` in `build`).
fn could_be_local(imp: &Import, local_names: &HashSet<&str>) -> bool {
    if imp.level > 0 {
        return true;
    }
    let first = match imp.module.split('.').next() {
        Some(m) if !m.is_empty() => m,
        _ => imp.name.as_deref().unwrap_or(""),
    };
    local_names.contains(first)
}

fn resolve_import(from: &str, imp: &Import, index: &HashMap<&str, &PyFile>) -> Vec<String> {
    let mut found = Vec::new();
    let dotted_candidates: Vec<String> = {
        let base = imp.module.replace('.', "/");
        let mut c = Vec::new();
        if let Some(name) = &imp.name {
            if name != "*" {
                c.push(if base.is_empty() {
                    name.clone()
                } else {
                    format!("{base}/{name}")
                });
            }
        }
        if !base.is_empty() {
            c.push(base);
        }
        c
    };
    let roots: Vec<String> = if imp.level > 0 {
        let mut dir = parent(from).to_string();
        for _ in 1..imp.level {
            dir = parent(&dir).to_string();
        }
        vec![dir]
    } else {
        let mut roots = Vec::new();
        let mut dir = parent(from).to_string();
        loop {
            roots.push(dir.clone());
            if dir.is_empty() {
                break;
            }
            dir = parent(&dir).to_string();
        }
        roots.push("src".into());
        roots
    };
    for root in &roots {
        for rel in &dotted_candidates {
            let hit = [format!("{rel}.py"), format!("{rel}/__init__.py")]
                .into_iter()
                .map(|c| join(root, &c))
                .find(|p| index.contains_key(p.as_str()));
            if let Some(hit) = hit {
                found.push(hit);
                // Importing a.b.c runs a/__init__.py and a/b/__init__.py too.
                let mut pkg = parent(rel).to_string();
                while !pkg.is_empty() {
                    let init = join(root, &format!("{pkg}/__init__.py"));
                    if index.contains_key(init.as_str()) {
                        found.push(init);
                    }
                    pkg = parent(&pkg).to_string();
                }
                return found;
            }
        }
    }
    found
}

/// Files that declare a project's pipeline.
fn is_pipeline_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    matches!(
        name.as_str(),
        "dvc.yaml" | "dvc.yml" | "mlproject" | "snakefile"
    ) || name.ends_with(".smk")
}

/// The folders above a file, nearest first, ending with the project root.
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    let mut cur = Some(parent(path));
    std::iter::from_fn(move || {
        let here = cur?;
        cur = (!here.is_empty()).then(|| parent(here));
        Some(here)
    })
}
