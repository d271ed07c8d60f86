//! Which calls in the project can reach which function definition, indexed
//! once per (defining file, function name).
//!
//! Resolving a parameter walks the call sites of its function. Looking the
//! sites up by bare name made every lookup scan every same-named call in the
//! project (`main`, `train`, `load_config` repeat in every module), so the cost
//! grew with the square of the project. Each call is resolved once here to the
//! definitions it can reach, by the same rules as before: a bare call reaches
//! a function of its own file or one it imports; a qualified call reaches a
//! function in a module of that name.

// Keys are short names and offsets hashed millions of times per project;
// foldhash is several times cheaper than SipHash and needs no DoS resistance here.
use foldhash::{HashMap, HashSet};

use super::python::PyFile;

/// A call: (file index, call index) into `Facts::python`.
pub type Site = (usize, usize);

/// Call sites by the definition they reach.
#[derive(Debug, Default)]
pub struct CallIndex {
    /// By defining file, then function name (looked up without allocating).
    by_def: HashMap<usize, HashMap<String, Vec<Site>>>,
    /// Calls that reach no known definition, by name: a method called on an
    /// object (`model.fit`) or a function passed around. Used only when a
    /// definition has no call that reaches it.
    loose: HashMap<String, Vec<Site>>,
}

/// The module name a file is imported as: its stem, or its folder for a
/// package's `__init__.py`.
fn module_stem(path: &str) -> &str {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    let stem = name.trim_end_matches(".py");
    if stem == "__init__" {
        dir.rsplit('/').next().unwrap_or(dir)
    } else {
        stem
    }
}

/// Appends a site under `name`, allocating the key only the first time: most
/// names repeat, and this runs once per call in the project.
fn push_site(map: &mut HashMap<String, Vec<Site>>, name: &str, site: Site) {
    match map.get_mut(name) {
        Some(v) => v.push(site),
        None => {
            map.insert(name.to_string(), vec![site]);
        }
    }
}

impl CallIndex {
    /// Resolves every call of every file once; `imports` holds, per file, the
    /// files its imports resolve to (empty where unknown).
    pub fn build(python: &[PyFile], imports: &[Vec<usize>]) -> Self {
        let mut by_stem: HashMap<&str, Vec<usize>> = HashMap::default();
        let mut defines: HashSet<(usize, &str)> = HashSet::default();
        for (fi, f) in python.iter().enumerate() {
            if f.is_notebook {
                continue;
            }
            by_stem.entry(module_stem(&f.path)).or_default().push(fi);
            for d in &f.functions {
                defines.insert((fi, d.name.as_str()));
            }
        }
        let mut index = CallIndex::default();
        let no_imports = Vec::new();
        for (fi, f) in python.iter().enumerate() {
            // Many modules share a stem (`utils`, `model`, every package's
            // `__init__.py`): the files this one imports say which it means;
            // only when none has the stem do all of them count.
            let own = imports.get(fi).unwrap_or(&no_imports);
            let modules = |stem: &str| -> Vec<usize> {
                let Some(all) = by_stem.get(stem) else {
                    return Vec::new();
                };
                let mine: Vec<usize> = own
                    .iter()
                    .copied()
                    .filter(|&t| python.get(t).is_some_and(|p| module_stem(&p.path) == stem))
                    .collect();
                if mine.is_empty() {
                    all.clone()
                } else {
                    mine
                }
            };
            // Top-level modules this file imports that are not the project's.
            let external: HashSet<&str> = f
                .imports
                .iter()
                .filter(|i| i.level == 0)
                .map(|i| i.module.split('.').next().unwrap_or(""))
                .filter(|root| !root.is_empty() && !by_stem.contains_key(root))
                .collect();
            for (ci, call) in f.calls.iter().enumerate() {
                let name = call.name();
                let qualifier = call
                    .callee
                    .strip_suffix(name)
                    .and_then(|q| q.strip_suffix('.'))
                    .unwrap_or("");
                let mut targets: Vec<usize> = Vec::new();
                if qualifier.is_empty() || qualifier == "self" || qualifier == "cls" {
                    if defines.contains(&(fi, name)) {
                        targets.push(fi);
                    }
                    for i in f.imports.iter().filter(|i| i.name.as_deref() == Some(name)) {
                        let stem = i.module.rsplit('.').next().unwrap_or("");
                        targets.extend(modules(stem));
                    }
                } else {
                    let stem = qualifier.rsplit('.').next().unwrap_or(qualifier);
                    targets.extend(modules(stem));
                }
                targets.retain(|&t| defines.contains(&(t, name)));
                targets.sort_unstable();
                targets.dedup();
                if targets.is_empty() {
                    let root = qualifier.split('.').next().unwrap_or("");
                    if !external.contains(root) {
                        push_site(&mut index.loose, name, (fi, ci));
                    }
                    continue;
                }
                for t in targets {
                    push_site(index.by_def.entry(t).or_default(), name, (fi, ci));
                }
            }
        }
        index
    }

    /// The calls that can reach `func` defined in file `def_file`; when none
    /// can, calls of that name on unknown objects.
    pub fn sites(&self, def_file: usize, func: &str) -> &[Site] {
        match self.by_def.get(&def_file).and_then(|m| m.get(func)) {
            Some(sites) => sites,
            None => self.loose.get(func).map(Vec::as_slice).unwrap_or_default(),
        }
    }

    /// Whether any call in the project reaches `func` of `def_file`.
    pub fn is_called(&self, def_file: usize, func: &str) -> bool {
        !self.sites(def_file, func).is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::python::parse_file;

    fn index(files: &[(&str, &str)]) -> (Vec<PyFile>, CallIndex) {
        let python: Vec<PyFile> = files.iter().map(|(p, t)| parse_file(p, t)).collect();
        let index = CallIndex::build(&python, &[]);
        (python, index)
    }

    #[test]
    fn a_library_call_of_the_same_name_is_not_a_call_of_the_project_function() {
        let (_, idx) = index(&[(
            "seed.py",
            "import tensorflow as tf\ndef set_seed(seed):\n    tf.random.set_seed(seed)\n",
        )]);
        assert!(!idx.is_called(0, "set_seed"));
    }

    #[test]
    fn same_named_functions_in_two_modules_keep_their_own_callers() {
        let (py, idx) = index(&[
            ("a.py", "def load(path):\n    pass\nload('a.yaml')\n"),
            ("b.py", "def load(path):\n    pass\nload('b.yaml')\n"),
            ("c.py", "from b import load\nload('c.yaml')\n"),
        ]);
        let callers = |fi: usize| -> Vec<&str> {
            idx.sites(fi, "load")
                .iter()
                .map(|&(f, _)| py[f].path.as_str())
                .collect()
        };
        assert_eq!(callers(0), ["a.py"]);
        assert_eq!(callers(1), ["b.py", "c.py"]);
    }

    #[test]
    fn a_package_init_is_reached_through_its_folder_name() {
        let (_, idx) = index(&[
            ("pkg/__init__.py", "def run(n):\n    pass\n"),
            ("main.py", "import pkg\npkg.run(3)\n"),
        ]);
        assert!(idx.is_called(0, "run"));
    }

    #[test]
    fn a_files_imports_choose_among_modules_that_share_a_stem() {
        let python: Vec<PyFile> = [
            ("a/utils.py", "def f(x):\n    return x\n"),
            ("b/utils.py", "def f(x):\n    return x\n"),
            ("main.py", "from a import utils\nutils.f(1)\n"),
        ]
        .iter()
        .map(|(p, t)| parse_file(p, t))
        .collect();
        // main.py (index 2) imports a/utils.py (index 0).
        let index = CallIndex::build(&python, &[vec![], vec![], vec![0]]);
        assert_eq!(index.sites(0, "f"), &[(2, 0)]);
        assert!(!index.sites(1, "f").contains(&(2, 0)));
        // Without import facts every same-stem module is a candidate.
        let index = CallIndex::build(&python, &[]);
        assert_eq!(index.sites(1, "f"), &[(2, 0)]);
    }
}
