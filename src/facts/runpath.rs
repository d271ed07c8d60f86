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
    /// Python files and notebooks, in the order every index here uses.
    pub paths: Vec<String>,
    /// For each file (by the same index), the project files its imports
    /// resolve to.
    pub imports: Vec<Vec<usize>>,
    /// Each file's strongly connected component of the import graph.
    /// Components are numbered so that every import leads to a component
    /// numbered no higher: folding over ascending numbers sees what a
    /// component reaches before the component itself.
    comp: Vec<usize>,
    /// The components each component imports (itself excluded).
    comp_edges: Vec<Vec<usize>>,
    /// Each entry point's file index (none for a path that is no Python file).
    entry_file: Vec<Option<usize>>,
    /// File index by path.
    index: HashMap<String, usize>,
    /// The project file each pipeline invocation runs, by its index in
    /// `Pipelines::invocations` (none for other people's modules, missing
    /// scripts and installs).
    pub invocation_targets: Vec<Option<String>>,
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
        // Top-level folders of the project (any file, not only Python).
        let top_dirs: HashSet<&str> = project
            .files
            .iter()
            .filter_map(|f| f.path.split_once('/').map(|(d, _)| d))
            .collect();
        let mut invocation_targets = Vec::with_capacity(pipelines.invocations.len());
        for inv in &pipelines.invocations {
            let target = resolve_invocation(inv, &index, &top_dirs);
            invocation_targets.push(target.clone().filter(|p| {
                !index
                    .get(p.as_str())
                    .map_or(is_auxiliary(p), |f| is_auxiliary_file(f))
            }));
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

        // A declared pipeline (dvc.yaml, MLproject, Snakemake, Kedro, a spaCy
        // project.yml) says what a run is; scripts and notebooks that neither
        // it nor the docs run are alternatives or scratch work, and their
        // findings are notes.
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
        let paths: Vec<String> = paths.iter().map(|p| p.to_string()).collect();
        let mut rp = RunPath::from_graph(entry_points, paths, edges, missing);
        rp.invocation_targets = invocation_targets;
        rp
    }

    /// The run path of `entry_points` over files `paths` whose imports are
    /// `imports` (file indexes). Reach is never listed per entry point: with
    /// every module an entry point that imports the previous one, the lists
    /// add up to n²/2 members; each question about reach is a fold over the
    /// import graph's components instead, linear in its size.
    pub fn from_graph(
        entry_points: Vec<EntryPoint>,
        paths: Vec<String>,
        imports: Vec<Vec<usize>>,
        missing: Vec<MissingScript>,
    ) -> RunPath {
        let index: HashMap<String, usize> = paths
            .iter()
            .enumerate()
            .map(|(i, p)| (p.clone(), i))
            .collect();
        let entry_file: Vec<Option<usize>> = entry_points
            .iter()
            .map(|e| index.get(&e.path).copied())
            .collect();
        let comp = components(&imports);
        let n_comp = comp.iter().map(|c| c + 1).max().unwrap_or(0);
        let mut comp_edges: Vec<Vec<usize>> = vec![Vec::new(); n_comp];
        for (v, targets) in imports.iter().enumerate() {
            for &w in targets {
                if comp[v] != comp[w] {
                    comp_edges[comp[v]].push(comp[w]);
                }
            }
        }
        for e in &mut comp_edges {
            e.sort_unstable();
            e.dedup();
        }
        let mut rp = RunPath {
            fallback_all: entry_points.is_empty(),
            entry_points,
            files: BTreeSet::new(),
            missing,
            paths,
            imports,
            comp,
            comp_edges,
            entry_file,
            index,
            invocation_targets: Vec::new(),
        };
        let entries: Vec<usize> = (0..rp.entry_points.len()).collect();
        let reached = rp.reached_from(&entries);
        rp.files = rp
            .paths
            .iter()
            .zip(&reached)
            .filter(|(_, r)| **r)
            .map(|(p, _)| p.clone())
            .collect();
        rp
    }

    /// The index of the entry point at `path` in [`Self::entry_points`].
    pub fn entry_index(&self, path: &str) -> Option<usize> {
        // Entry points are sorted by path.
        self.entry_points
            .binary_search_by(|e| e.path.as_str().cmp(path))
            .ok()
    }

    /// The index of a Python file or notebook in [`Self::paths`].
    pub fn file_index(&self, path: &str) -> Option<usize> {
        self.index.get(path).copied()
    }

    /// For each entry point, `or` over `per_file` of every file it reaches
    /// (itself included); `zero` for an entry point that is no Python file.
    pub fn over_reach<T: Copy>(&self, per_file: &[T], zero: T, or: impl Fn(T, T) -> T) -> Vec<T> {
        let mut val = vec![zero; self.comp_edges.len()];
        for (f, &c) in self.comp.iter().enumerate() {
            if let Some(&v) = per_file.get(f) {
                val[c] = or(val[c], v);
            }
        }
        for c in 0..val.len() {
            for &d in &self.comp_edges[c] {
                val[c] = or(val[c], val[d]);
            }
        }
        self.entry_file
            .iter()
            .map(|f| f.map_or(zero, |f| val[self.comp[f]]))
            .collect()
    }

    /// For each file, `and` over `per_entry` of every entry point that
    /// reaches it; `None` for a file that no entry point reaches.
    pub fn over_reached_by<T: Copy>(
        &self,
        per_entry: &[T],
        and: impl Fn(T, T) -> T,
    ) -> Vec<Option<T>> {
        let mut val: Vec<Option<T>> = vec![None; self.comp_edges.len()];
        let meet = |a: Option<T>, b: T| Some(a.map_or(b, |a| and(a, b)));
        for (e, f) in self.entry_file.iter().enumerate() {
            if let (Some(f), Some(&v)) = (f, per_entry.get(e)) {
                val[self.comp[*f]] = meet(val[self.comp[*f]], v);
            }
        }
        // Importers first: a component's value is final before it flows on.
        for c in (0..val.len()).rev() {
            if let Some(v) = val[c] {
                for &d in &self.comp_edges[c] {
                    val[d] = meet(val[d], v);
                }
            }
        }
        self.comp.iter().map(|&c| val[c]).collect()
    }

    /// Which files (by index) any of `entries` (indexes into
    /// [`Self::entry_points`]) reaches.
    pub fn reached_from(&self, entries: &[usize]) -> Vec<bool> {
        let mut seen = vec![false; self.paths.len()];
        let mut queue: VecDeque<usize> = entries
            .iter()
            .filter_map(|&e| self.entry_file.get(e).copied().flatten())
            .collect();
        for &f in &queue {
            seen[f] = true;
        }
        while let Some(v) = queue.pop_front() {
            for &w in &self.imports[v] {
                if !seen[w] {
                    seen[w] = true;
                    queue.push_back(w);
                }
            }
        }
        seen
    }
}

/// Strongly connected components of a graph given as adjacency lists
/// (Tarjan's algorithm, iterative: import chains run thousands deep).
/// Components are numbered in the order they complete, so every edge leads
/// to a component numbered no higher than its source's.
fn components(edges: &[Vec<usize>]) -> Vec<usize> {
    const UNSEEN: usize = usize::MAX;
    let n = edges.len();
    let mut order = vec![UNSEEN; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut comp = vec![UNSEEN; n];
    let mut next = 0usize;
    let mut n_comp = 0usize;
    // (node, how many of its edges were followed)
    let mut walk: Vec<(usize, usize)> = Vec::new();
    for root in 0..n {
        if order[root] != UNSEEN {
            continue;
        }
        order[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        walk.push((root, 0));
        while let Some(&(v, i)) = walk.last() {
            if let Some(&w) = edges[v].get(i) {
                if let Some(top) = walk.last_mut() {
                    top.1 += 1;
                }
                if order[w] == UNSEEN {
                    order[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    walk.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(order[w]);
                }
                continue;
            }
            walk.pop();
            if let Some(&(u, _)) = walk.last() {
                low[u] = low[u].min(low[v]);
            }
            if low[v] == order[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp[w] = n_comp;
                    if w == v {
                        break;
                    }
                }
                n_comp += 1;
            }
        }
    }
    comp
}

/// Tests, packaging and docs scripts are not how a project is run.
fn is_auxiliary(path: &str) -> bool {
    auxiliary(path).is_some()
}

/// Why a path is not how a project is run.
#[derive(Clone, Copy, PartialEq)]
enum Auxiliary {
    /// Under a tests or docs folder.
    Folder,
    /// Named like a test module (`test_*.py`, `*_test.py`).
    TestName,
    /// Packaging and tooling (`setup.py`, `conftest.py`, …).
    Tooling,
}

fn auxiliary(path: &str) -> Option<Auxiliary> {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    // Folder names only: a script called `test` (run through its shebang) is a script.
    let folders = lower.rsplit_once('/').map_or("", |(d, _)| d);
    if folders
        .split('/')
        .any(|s| matches!(s, "tests" | "test" | "docs" | "doc"))
    {
        Some(Auxiliary::Folder)
    } else if matches!(
        name,
        "setup.py" | "conftest.py" | "noxfile.py" | "fabfile.py"
    ) {
        Some(Auxiliary::Tooling)
    } else if name.starts_with("test_") || name.ends_with("_test.py") {
        Some(Auxiliary::TestName)
    } else {
        None
    }
}

/// [`is_auxiliary`], except that a `test_*.py` script that takes its input
/// from the command line and holds no tests is a script (`test_model.py
/// --input x.png`), not a test module.
fn is_auxiliary_file(f: &PyFile) -> bool {
    match auxiliary(&f.path) {
        None => false,
        Some(Auxiliary::TestName) => {
            let holds_tests = f.functions.iter().any(|d| d.name.starts_with("test"))
                || f.imports
                    .iter()
                    .any(|i| matches!(i.module.split('.').next(), Some("pytest" | "unittest")));
            f.cli_params.is_empty() || holds_tests
        }
        Some(_) => true,
    }
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

fn resolve_invocation(
    inv: &Invocation,
    index: &HashMap<&str, &PyFile>,
    top_dirs: &HashSet<&str>,
) -> Option<String> {
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
        // Docs are written from the folder the repository was cloned into
        // (`git clone …; cd Project; python run.py`): a leading folder the
        // project does not have is that clone, and the rest is the script.
        if inv.origin.kind.is_docs() {
            if let Some((first, rest)) = s.split_once('/') {
                if index.contains_key(rest) && !top_dirs.contains(first) {
                    return Some(rest.to_string());
                }
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
        "dvc.yaml" | "dvc.yml" | "mlproject" | "snakefile" | "project.yml" | "project.yaml"
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

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str) -> EntryPoint {
        EntryPoint {
            path: path.into(),
            why: "test".into(),
            declared_at: None,
        }
    }

    /// Reach by plain search from one file, the definition the folds must match.
    fn reach_of(imports: &[Vec<usize>], start: usize) -> Vec<bool> {
        let mut seen = vec![false; imports.len()];
        let mut todo = vec![start];
        seen[start] = true;
        while let Some(v) = todo.pop() {
            for &w in &imports[v] {
                if !seen[w] {
                    seen[w] = true;
                    todo.push(w);
                }
            }
        }
        seen
    }

    #[test]
    fn folds_over_reach_match_a_plain_search_with_cycles_and_chains() {
        // a -> b -> c -> b (cycle), c -> d; e -> d; f alone; g -> a.
        let paths: Vec<String> = ["a", "b", "c", "d", "e", "f", "g"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let imports = vec![
            vec![1],
            vec![2],
            vec![1, 3],
            vec![],
            vec![3],
            vec![],
            vec![0],
        ];
        let entries = vec![entry("a"), entry("e"), entry("f"), entry("g"), entry("zz")];
        let rp = RunPath::from_graph(entries, paths.clone(), imports.clone(), Vec::new());
        // One bit per file: the fold's OR is the reach set itself.
        let bits: Vec<u64> = (0..paths.len()).map(|i| 1u64 << i).collect();
        let by_entry = rp.over_reach(&bits, 0, |a, b| a | b);
        for (e, ep) in rp.entry_points.iter().enumerate() {
            let want = match rp.file_index(&ep.path) {
                Some(f) => reach_of(&imports, f)
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| **r)
                    .fold(0u64, |m, (i, _)| m | 1 << i),
                None => 0,
            };
            assert_eq!(by_entry[e], want, "entry {}", ep.path);
        }
        // Each entry's own bit, ORed over the entries that reach a file: the
        // set of them, to compare with a plain search from every entry.
        let own: Vec<u64> = (0..rp.entry_points.len()).map(|e| 1u64 << e).collect();
        let by_file = rp.over_reached_by(&own, |a, b| a | b);
        for (f, got) in by_file.iter().enumerate() {
            let reaching: u64 = rp
                .entry_points
                .iter()
                .enumerate()
                .filter(|(_, ep)| {
                    rp.file_index(&ep.path)
                        .is_some_and(|s| reach_of(&imports, s)[f])
                })
                .fold(0, |m, (e, _)| m | 1 << e);
            let want = (reaching != 0).then_some(reaching);
            assert_eq!(*got, want, "file {}", paths[f]);
        }
        assert!(rp.files.contains("d") && rp.files.contains("f"));
        assert_eq!(rp.entry_index("e"), Some(1));
        assert_eq!(rp.entry_index("nope"), None);
    }

    #[test]
    fn a_chain_thousands_deep_is_folded_without_recursion() {
        let n = 20_000;
        let paths: Vec<String> = (0..n).map(|i| format!("m{i:05}")).collect();
        let imports: Vec<Vec<usize>> = (0..n)
            .map(|i| if i > 0 { vec![i - 1] } else { vec![] })
            .collect();
        let entries = paths.iter().map(|p| entry(p)).collect();
        let rp = RunPath::from_graph(entries, paths, imports, Vec::new());
        let counts = rp.over_reach(&vec![1u64; n], 0, |a, b| a + b);
        assert_eq!(counts[n - 1], n as u64);
        assert_eq!(counts[0], 1);
    }
}
