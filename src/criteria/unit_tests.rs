//! Unit tests of every criterion, decided from hand-made facts rather than
//! from a project parsed on disk.
//!
//! [`Fx`] starts from empty facts (no files, no Python, no config, no run
//! path) and adds only what a test needs: Python files with their calls,
//! imports and config reads, config files, package lists, Dockerfiles, docs,
//! pipeline stages, lint findings, and which files are on the run path. The
//! derived views the criteria share (call index, function names, run path)
//! are computed from those hand-made facts in [`Fx::build`].
//!
//! Expected statuses come from SPEC.md (criteria table and judgment rules).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::{code, configuration, data, environment, evaluation, Criterion, Decided, Input};
use crate::assessment::{CriterionResult, Outcome, Status};
use crate::criteria::id::CriterionId;
use crate::facts::callsites::CallIndex;
use crate::facts::config::{ConfigFile, ConfigKey, Format};
use crate::facts::dockerfile::{BaseImage, Dockerfile};
use crate::facts::docs::{Doc, HardwareKind, HardwareMention, Section};
use crate::facts::packages::{PackageFile, PackageFileKind, Requirement};
use crate::facts::pipeline::DvcStage;
use crate::facts::python::{ArgKind, Call, CliParam, Import, KeyRead, PyFile};
use crate::facts::runpath::{EntryPoint, RunPath};
use crate::facts::values::{Lit, Loc, Value};
use crate::facts::{self, Facts};
use crate::lint::{self, Context, Finding};
use crate::source::{Content, Project, ProjectFile};

use Status::{Fail, NotApplicable, Partial, Pass, Unknown};

// ---------------------------------------------------------------------------
// Values, calls and Python files
// ---------------------------------------------------------------------------

fn loc(line: u32) -> Loc {
    Loc { line, cell: None }
}

fn int(n: i64) -> Value {
    Value::Lit(Lit::Int(n))
}

fn float(x: f64) -> Value {
    Value::Lit(Lit::Float(x))
}

fn text(s: &str) -> Value {
    Value::Lit(Lit::Str(s.to_string()))
}

fn boolean(b: bool) -> Value {
    Value::Lit(Lit::Bool(b))
}

fn cfg(key: &str) -> Value {
    Value::Config(key.to_string())
}

fn cli(flag: &str) -> Value {
    Value::Cli(flag.to_string())
}

/// How an argument would be written for a value of this kind.
fn kind_of(v: &Value) -> ArgKind {
    match v {
        Value::Lit(_) => ArgKind::Literal,
        Value::Config(_) => ArgKind::Subscript,
        Value::Cli(_) => ArgKind::Attribute,
        Value::Call(_) | Value::Entropy(_) => ArgKind::Call,
        _ => ArgKind::Name,
    }
}

/// A call to `callee` (already resolved through imports) at `line`.
fn call(callee: &str, line: u32, args: Vec<Value>, kwargs: Vec<(&str, Value)>) -> Call {
    let kwargs: Vec<(String, Value)> = kwargs
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    Call {
        callee: callee.to_string(),
        loc: loc(line),
        arg_kinds: args.iter().map(kind_of).collect(),
        kwarg_kinds: kwargs.iter().map(|(_, v)| kind_of(v)).collect(),
        args,
        kwargs,
        star_kwargs: false,
        in_sorted: false,
        initial_weight: false,
        assigned_to: None,
    }
}

/// An empty Python file at `path`.
fn py(path: &str) -> PyFile {
    PyFile {
        path: path.to_string(),
        ..PyFile::default()
    }
}

/// Chainable additions to a hand-made Python file.
trait PyExt {
    fn with(self, c: Call) -> Self;
    fn import(self, module: &str, line: u32) -> Self;
    fn cli_param_default(self, name: &str, line: u32, default: Value) -> Self;
    fn cli_param(self, name: &str, line: u32) -> Self;
    fn reads_key(self, key: &str, line: u32) -> Self;
    fn path_literal(self, p: &str, line: u32) -> Self;
}

impl PyExt for PyFile {
    fn with(mut self, c: Call) -> Self {
        self.calls.push(c);
        self
    }

    fn import(mut self, module: &str, line: u32) -> Self {
        self.imports.push(Import {
            module: module.to_string(),
            name: None,
            level: 0,
            loc: loc(line),
        });
        self
    }

    fn cli_param_default(mut self, name: &str, line: u32, default: Value) -> Self {
        self.cli_params.push(CliParam {
            name: name.to_string(),
            flags: vec![format!("--{name}")],
            default: Some(default),
            default_path: None,
            required: false,
            loc: loc(line),
        });
        self
    }

    fn cli_param(mut self, name: &str, line: u32) -> Self {
        self.cli_params.push(CliParam {
            name: name.to_string(),
            flags: vec![format!("--{name}")],
            default: None,
            default_path: None,
            required: false,
            loc: loc(line),
        });
        self
    }

    fn reads_key(mut self, key: &str, line: u32) -> Self {
        self.key_reads.push(KeyRead {
            key: key.to_string(),
            binding: false,
            loc: loc(line),
        });
        self
    }

    fn path_literal(mut self, p: &str, line: u32) -> Self {
        self.path_literals.push((p.to_string(), loc(line)));
        self
    }
}

// ---------------------------------------------------------------------------
// Other facts
// ---------------------------------------------------------------------------

/// A config file whose keys sit on lines 1, 2, … in the order given.
fn config(path: &str, format: Format, keys: &[(&str, &str)]) -> ConfigFile {
    ConfigFile {
        path: path.to_string(),
        format,
        keys: keys
            .iter()
            .zip(1u32..)
            .map(|((k, v), line)| ConfigKey {
                key: k.to_string(),
                value: v.to_string(),
                line: Some(line),
            })
            .collect(),
        hydra_defaults: false,
        global_package: false,
    }
}

/// A requirements file: (normalised name, spec as written, pinned), one a line.
fn requirements(path: &str, reqs: &[(&str, &str, bool)]) -> PackageFile {
    PackageFile {
        path: path.to_string(),
        kind: PackageFileKind::Requirements,
        requirements: reqs
            .iter()
            .zip(1u32..)
            .map(|((name, spec, pinned), line)| Requirement {
                name: name.to_string(),
                spec: spec.to_string(),
                pinned: *pinned,
                hashed: false,
                line: Some(line),
            })
            .collect(),
        includes: Vec::new(),
        is_lock: false,
        python: None,
        problems: Vec::new(),
    }
}

/// A readable lock file locking the given packages.
fn lock_file(path: &str, names: &[&str]) -> PackageFile {
    PackageFile {
        path: path.to_string(),
        kind: PackageFileKind::UvLock,
        requirements: names
            .iter()
            .map(|n| Requirement {
                name: n.to_string(),
                spec: format!("{n}==1.0.0"),
                pinned: true,
                hashed: true,
                line: None,
            })
            .collect(),
        includes: Vec::new(),
        is_lock: true,
        python: None,
        problems: Vec::new(),
    }
}

/// A Dockerfile with one base image on line 1.
fn dockerfile(path: &str, image: &str, tag: Option<&str>, python: Option<&str>) -> Dockerfile {
    Dockerfile {
        path: path.to_string(),
        bases: vec![BaseImage {
            image: image.to_string(),
            tag: tag.map(str::to_string),
            digest: None,
            line: 1,
            stage_alias: None,
        }],
        python_version: python.map(|v| (v.to_string(), 1)),
        installs: Vec::new(),
        problems: Vec::new(),
    }
}

/// A level-2 section with no content; tests switch on what they need.
fn section(title: &str, line: u32, end_line: u32) -> Section {
    Section {
        title: title.to_string(),
        level: 2,
        line,
        end_line,
        words: 0,
        has_table: false,
        has_tree: false,
        has_code: false,
        has_list: false,
        columns: Vec::new(),
        formats: Vec::new(),
    }
}

/// A document with the given sections and nothing else.
fn doc(path: &str, sections: Vec<Section>) -> Doc {
    Doc {
        path: path.to_string(),
        sections,
        hardware: Vec::new(),
        image_refs: Vec::new(),
        links: Vec::new(),
        colab_links: Vec::new(),
        front_matter: None,
    }
}

/// A README that mentions hardware on line `line`.
fn readme_with_hardware(line: u32, kind: HardwareKind, words: &str) -> Doc {
    let mut d = doc("README.md", vec![section("Hardware", line - 1, line + 2)]);
    d.hardware.push(HardwareMention {
        line,
        kind,
        text: words.to_string(),
    });
    d
}

/// A dvc.yaml stage.
fn stage(name: &str, line: u32, deps: &[&str], outs: &[&str]) -> DvcStage {
    DvcStage {
        name: name.to_string(),
        line: Some(line),
        cmds: vec![format!("python {name}.py")],
        wdir: String::new(),
        deps: deps.iter().map(|s| s.to_string()).collect(),
        outs: outs.iter().map(|s| s.to_string()).collect(),
        params: Vec::new(),
        metrics: Vec::new(),
    }
}

// ---------------------------------------------------------------------------
// The builder
// ---------------------------------------------------------------------------

/// Hand-made facts: everything empty until a test adds it.
#[derive(Default)]
struct Fx {
    python: Vec<PyFile>,
    files: Vec<ProjectFile>,
    configs: Vec<ConfigFile>,
    packages: Vec<PackageFile>,
    dockerfiles: Vec<Dockerfile>,
    docs: Vec<Doc>,
    dvc_stages: Vec<(String, DvcStage)>,
    dvc_pointers: Vec<(String, String)>,
    dvc_remote: Option<(String, u32)>,
    entries: Vec<String>,
    reached: Vec<String>,
    findings: Vec<Finding>,
}

impl Fx {
    fn new() -> Self {
        Fx::default()
    }

    /// A Python file (also listed among the project's files).
    fn py(mut self, f: PyFile) -> Self {
        self.python.push(f);
        self
    }

    /// A Python file that is an entry point of the run path.
    fn entry(mut self, f: PyFile) -> Self {
        self.entries.push(f.path.clone());
        self.py(f)
    }

    /// A Python file that the entry points reach (on the run path, not an entry).
    fn reached(mut self, f: PyFile) -> Self {
        self.reached.push(f.path.clone());
        self.py(f)
    }

    /// A committed file whose content no parser read.
    fn file(mut self, path: &str, size: u64) -> Self {
        self.files.push(ProjectFile {
            path: path.to_string(),
            size,
            untracked: false,
            content: Content::NotRead,
        });
        self
    }

    /// A committed text file.
    fn text_file(mut self, path: &str, content: &str) -> Self {
        self.files.push(ProjectFile {
            path: path.to_string(),
            size: content.len() as u64,
            untracked: false,
            content: Content::Text(content.to_string()),
        });
        self
    }

    fn config(mut self, c: ConfigFile) -> Self {
        let path = c.path.clone();
        self.configs.push(c);
        self.file(&path, 64)
    }

    fn packages(mut self, p: PackageFile) -> Self {
        let path = p.path.clone();
        self.packages.push(p);
        self.file(&path, 64)
    }

    fn dockerfile(mut self, d: Dockerfile) -> Self {
        let path = d.path.clone();
        self.dockerfiles.push(d);
        self.file(&path, 64)
    }

    fn doc(mut self, d: Doc) -> Self {
        let path = d.path.clone();
        self.docs.push(d);
        self.file(&path, 64)
    }

    fn dvc_stage(mut self, s: DvcStage) -> Self {
        self.dvc_stages.push(("dvc.yaml".to_string(), s));
        self.file("dvc.yaml", 64)
    }

    fn dvc_pointer(mut self, pointer: &str, tracks: &str) -> Self {
        self.dvc_pointers
            .push((pointer.to_string(), tracks.to_string()));
        self.file(pointer, 64)
    }

    fn dvc_remote(mut self, name: &str, line: u32) -> Self {
        self.dvc_remote = Some((name.to_string(), line));
        self.file(".dvc/config", 64)
    }

    /// A lint finding, as the rules would report it.
    fn finding(mut self, rule: &'static str, path: &str, line: u32, on_run_path: bool) -> Self {
        self.findings.push(Finding::at(
            rule,
            path,
            loc(line),
            format!("hand-made {rule}"),
            on_run_path,
        ));
        self
    }

    fn build(self) -> Built {
        // Empty facts, as the facts layer makes them for a project with no files.
        let mut facts = facts::extract(Project {
            display: "hand-made".to_string(),
            commit: None,
            dirty: None,
            files: Vec::new(),
            skipped: Vec::new(),
        });
        let mut files = self.files;
        for f in &self.python {
            files.push(ProjectFile {
                path: f.path.clone(),
                size: 100,
                untracked: false,
                content: Content::NotRead,
            });
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files.dedup_by(|a, b| a.path == b.path);
        facts.project.files = files;

        let mut python = self.python;
        python.sort_by(|a, b| a.path.cmp(&b.path));
        let mut configs = self.configs;
        configs.sort_by(|a, b| a.path.cmp(&b.path));
        let mut packages = self.packages;
        packages.sort_by(|a, b| a.path.cmp(&b.path));

        facts.run_path = run_path(&self.entries, &self.reached);
        let mut calls_by_name: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        let mut function_names = HashSet::new();
        for (fi, f) in python.iter().enumerate() {
            for (ci, c) in f.calls.iter().enumerate() {
                calls_by_name
                    .entry(c.name().to_string())
                    .or_default()
                    .push((fi, ci));
            }
            function_names.extend(f.functions.iter().map(|d| d.name.clone()));
        }
        facts.calls_by_name = calls_by_name;
        facts.function_names = function_names;
        facts.call_index = CallIndex::build(&python, &[]);
        facts.resolved_params = Default::default();
        facts.python = python;
        facts.configs = configs;
        facts.packages = packages;
        facts.dockerfiles = self.dockerfiles;
        facts.docs = self.docs;
        facts.pipelines.produced = self
            .dvc_stages
            .iter()
            .flat_map(|(_, s)| s.outs.iter().cloned())
            .collect();
        facts.pipelines.dvc_stages = self.dvc_stages;
        facts.dvc_pointers = self.dvc_pointers;
        facts.dvc_remote = self.dvc_remote;
        Built {
            facts,
            findings: self.findings,
        }
    }
}

/// The run path of the given entry points, each reaching every file on it.
/// With no entry point every file counts as on the path (as in the facts layer).
fn run_path(entries: &[String], reached: &[String]) -> RunPath {
    let mut entries = entries.to_vec();
    entries.sort();
    entries.dedup();
    let files: BTreeSet<String> = entries.iter().chain(reached).cloned().collect();
    let paths: Vec<String> = files.iter().cloned().collect();
    // Each entry point imports every file, so it reaches all of them.
    let imports: Vec<Vec<usize>> = paths
        .iter()
        .map(|p| match entries.contains(p) {
            true => (0..paths.len()).collect(),
            false => Vec::new(),
        })
        .collect();
    let entry_points = entries
        .iter()
        .map(|p| EntryPoint {
            path: p.clone(),
            why: "hand-made entry point".to_string(),
            declared_at: None,
        })
        .collect();
    let mut rp = RunPath::from_graph(entry_points, paths, imports, Vec::new());
    rp.files = files;
    rp
}

/// Built facts and the hand-made findings.
struct Built {
    facts: Facts,
    findings: Vec<Finding>,
}

impl Built {
    /// Decides one criterion from the facts and the hand-made findings only.
    fn decide(&self, criterion: Criterion) -> Decided {
        let ctx = Context::new(&self.facts);
        let input = Input {
            ctx: &ctx,
            findings: &self.findings,
        };
        criterion(&input)
    }

    /// Decides one criterion with the findings the lint rules derive from the
    /// hand-made facts (plus any hand-made ones).
    fn decide_with_rules(&self, criterion: Criterion) -> Decided {
        let ctx = Context::new(&self.facts);
        let mut findings = lint::run(&ctx);
        findings.extend(self.findings.iter().cloned());
        let input = Input {
            ctx: &ctx,
            findings: &findings,
        };
        criterion(&input)
    }

    /// Every criterion through [`super::evaluate`], with the rules' findings.
    fn evaluate(&self) -> Vec<CriterionResult> {
        let ctx = Context::new(&self.facts);
        let mut findings = lint::run(&ctx);
        findings.extend(self.findings.iter().cloned());
        super::evaluate(&ctx, &findings, &BTreeMap::new())
    }
}

// ---------------------------------------------------------------------------
// Assertions
// ---------------------------------------------------------------------------

#[track_caller]
fn assert_status(d: &Decided, want: Status) {
    assert_eq!(
        d.0.status, want,
        "summary: {}\nevidence: {:#?}\nnotes: {:#?}",
        d.0.summary, d.0.evidence, d.0.notes
    );
    if want == Pass || want == NotApplicable {
        assert!(d.1.is_none(), "a met criterion has no fix: {:?}", d.1);
    }
}

/// Asserts the status and that a concrete fix is given.
#[track_caller]
fn assert_not_met(d: &Decided, want: Status) {
    assert_status(d, want);
    let fix = d.1.as_deref().unwrap_or("");
    assert!(!fix.trim().is_empty(), "no fix for a {want:?}");
}

#[track_caller]
fn assert_fix_names(d: &Decided, what: &str) {
    let fix = d.1.as_deref().unwrap_or("");
    assert!(fix.contains(what), "fix {fix:?} does not name {what:?}");
}

/// Whether the evidence has an item at `path` (and `line`, when given).
fn has_evidence(o: &Outcome, path: &str, line: Option<u32>) -> bool {
    o.evidence
        .iter()
        .any(|e| e.path == path && (line.is_none() || e.line == line))
}

#[track_caller]
fn assert_evidence(d: &Decided, path: &str, line: Option<u32>) {
    assert!(
        has_evidence(&d.0, path, line),
        "no evidence at {path}:{line:?}: {:#?}",
        d.0.evidence
    );
}

fn result(results: &[CriterionResult], id: CriterionId) -> &CriterionResult {
    results
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no result for {id}"))
}

// ---------------------------------------------------------------------------
// 1.1 runs
// ---------------------------------------------------------------------------

#[test]
fn c1_1_pass_with_an_entry_point_that_parses() {
    let b = Fx::new().entry(py("train.py")).build();
    let d = b.decide(code::runs);
    assert_status(&d, Pass);
    assert_evidence(&d, "train.py", None);
}

#[test]
fn c1_1_fail_on_a_syntax_error() {
    let b = Fx::new()
        .entry(py("train.py"))
        .finding("syntax-error", "train.py", 3, true)
        .build();
    let d = b.decide(code::runs);
    assert_not_met(&d, Fail);
    assert_evidence(&d, "train.py", Some(3));
    assert_fix_names(&d, "train.py:3");
}

#[test]
fn c1_1_partial_on_a_syntax_error_off_the_run_path() {
    // SPEC 1.1: *all* Python parses, so a file off the run path that does not
    // still keeps 1.1 from passing; the run itself is intact, so partial.
    let b = Fx::new()
        .entry(py("train.py"))
        .py(py("old/legacy.py"))
        .finding("syntax-error", "old/legacy.py", 7, false)
        .build();
    let d = b.decide(code::runs);
    assert_not_met(&d, Partial);
    assert_evidence(&d, "old/legacy.py", Some(7));
}

#[test]
fn c1_1_fail_without_an_entry_point() {
    let b = Fx::new().py(py("model.py")).build();
    let d = b.decide(code::runs);
    assert_not_met(&d, Fail);
    assert!(!d.0.looked_for.is_empty());
}

#[test]
fn c1_1_fail_without_python_code() {
    let b = Fx::new().file("notes.txt", 10).build();
    let d = b.decide(code::runs);
    assert_not_met(&d, Fail);
}

// ---------------------------------------------------------------------------
// 1.2 example-input
// ---------------------------------------------------------------------------

#[test]
fn c1_2_pass_with_small_committed_data() {
    let b = Fx::new()
        .entry(py("train.py"))
        .file("data/train.csv", 2048)
        .build();
    let d = b.decide(code::example_input);
    assert_status(&d, Pass);
    assert_evidence(&d, "data/train.csv", None);
}

#[test]
fn c1_2_pass_with_a_dataset_loader() {
    let b = Fx::new()
        .entry(py("train.py").with(call("sklearn.datasets.load_iris", 4, vec![], vec![])))
        .build();
    let d = b.decide(code::example_input);
    assert_status(&d, Pass);
    assert_evidence(&d, "train.py", Some(4));
}

#[test]
fn c1_2_pass_with_a_torchvision_download() {
    let b = Fx::new()
        .entry(py("train.py").with(call(
            "torchvision.datasets.MNIST",
            9,
            vec![],
            vec![("root", text("data")), ("download", boolean(true))],
        )))
        .build();
    let d = b.decide(code::example_input);
    assert_status(&d, Pass);
    assert_evidence(&d, "train.py", Some(9));
}

#[test]
fn c1_2_fail_without_any_input() {
    let b = Fx::new().entry(py("train.py")).build();
    let d = b.decide(code::example_input);
    assert_not_met(&d, Fail);
    assert!(!d.0.looked_for.is_empty());
}

#[test]
fn c1_2_fail_on_an_absolute_data_path_even_with_committed_data() {
    let b = Fx::new()
        .entry(py("train.py"))
        .file("data/train.csv", 2048)
        .finding("absolute-data-path", "train.py", 5, true)
        .build();
    let d = b.decide(code::example_input);
    assert_not_met(&d, Fail);
    assert_evidence(&d, "train.py", Some(5));
    assert_fix_names(&d, "train.py:5");
}

// ---------------------------------------------------------------------------
// 1.3 repeatable
// ---------------------------------------------------------------------------

#[test]
fn c1_3_pass_when_seeded_and_nothing_is_found() {
    let b = Fx::new()
        .entry(py("train.py").with(call("torch.manual_seed", 2, vec![int(42)], vec![])))
        .build();
    let d = b.decide(code::repeatable);
    assert_status(&d, Pass);
    // The seeding call is the evidence.
    assert_evidence(&d, "train.py", Some(2));
}

#[test]
fn c1_3_fail_on_an_unseeded_rng_on_the_run_path() {
    let b = Fx::new()
        .entry(py("train.py"))
        .finding("unseeded-rng", "train.py", 7, true)
        .build();
    let d = b.decide(code::repeatable);
    assert_not_met(&d, Fail);
    assert_evidence(&d, "train.py", Some(7));
    assert_fix_names(&d, "train.py:7");
}

#[test]
fn c1_3_partial_on_an_unsorted_listing() {
    // SPEC: unsorted directory listings make 1.3 partial, not fail.
    let b = Fx::new()
        .entry(py("train.py"))
        .finding("unsorted-listing", "train.py", 11, true)
        .build();
    let d = b.decide(code::repeatable);
    assert_not_met(&d, Partial);
    assert_evidence(&d, "train.py", Some(11));
}

#[test]
fn c1_3_a_failing_finding_outranks_a_partial_one_and_names_the_fix() {
    let b = Fx::new()
        .entry(py("train.py"))
        .finding("unsorted-listing", "train.py", 3, true)
        .finding("random-state-unset", "train.py", 20, true)
        .build();
    let d = b.decide(code::repeatable);
    assert_not_met(&d, Fail);
    assert_fix_names(&d, "train.py:20");
}

#[test]
fn c1_3_findings_off_the_run_path_and_advice_are_notes() {
    let b = Fx::new()
        .entry(py("train.py"))
        .py(py("scratch.py"))
        .finding("unseeded-rng", "scratch.py", 4, false)
        .finding("pythonhashseed-in-process", "train.py", 1, true)
        .build();
    let d = b.decide(code::repeatable);
    assert_status(&d, Pass);
    assert!(d.0.notes.iter().any(|n| n.path == "scratch.py"));
}

#[test]
fn c1_3_sklearn_seeded_indirectly_through_numpy_counts_as_seeded() {
    // SPEC 1.3: sklearn with random_state unset after np.random.seed(…) is seeded.
    let forest = call("sklearn.ensemble.RandomForestClassifier", 5, vec![], vec![]);
    let seeded = Fx::new()
        .entry(
            py("train.py")
                .with(call("numpy.random.seed", 2, vec![int(0)], vec![]))
                .with(forest.clone()),
        )
        .build();
    assert_status(&seeded.decide_with_rules(code::repeatable), Pass);

    let unseeded = Fx::new().entry(py("train.py").with(forest)).build();
    let d = unseeded.decide_with_rules(code::repeatable);
    assert_not_met(&d, Fail);
    assert_evidence(&d, "train.py", Some(5));
    assert!(d.0.evidence[0].note.contains("random-state-unset"));
}

#[test]
fn c1_3_dataloader_shuffling_after_torch_manual_seed_counts_as_seeded() {
    // SPEC 1.3: torch DataLoader shuffling after torch.manual_seed is seeded.
    let loader = call(
        "torch.utils.data.DataLoader",
        9,
        vec![Value::Unknown],
        vec![("shuffle", boolean(true))],
    );
    let seeded = Fx::new()
        .entry(
            py("train.py")
                .with(call("torch.manual_seed", 3, vec![int(1)], vec![]))
                .with(loader.clone()),
        )
        .build();
    assert_status(&seeded.decide_with_rules(code::repeatable), Pass);

    let unseeded = Fx::new().entry(py("train.py").with(loader)).build();
    let d = unseeded.decide_with_rules(code::repeatable);
    assert_not_met(&d, Fail);
    assert_evidence(&d, "train.py", Some(9));
}

#[test]
fn c1_3_seeding_in_an_imported_module_covers_the_entry_point() {
    // The seed sits in utils.py, which the entry point reaches.
    let b = Fx::new()
        .entry(py("train.py").with(call("numpy.random.rand", 6, vec![int(3)], vec![])))
        .reached(py("utils.py").with(call("numpy.random.seed", 2, vec![int(7)], vec![])))
        .build();
    assert_status(&b.decide_with_rules(code::repeatable), Pass);
}

// ---------------------------------------------------------------------------
// 2.1 config-files
// ---------------------------------------------------------------------------

fn params_yaml() -> ConfigFile {
    config(
        "params.yaml",
        Format::Yaml,
        &[("lr", "0.01"), ("epochs", "10")],
    )
}

#[test]
fn c2_1_pass_with_a_config_and_no_literals() {
    let b = Fx::new()
        .entry(py("train.py"))
        .config(params_yaml())
        .build();
    let d = b.decide(configuration::config_files);
    assert_status(&d, Pass);
    assert_evidence(&d, "params.yaml", None);
}

#[test]
fn c2_1_partial_with_a_hyperparameter_literal_finding() {
    let b = Fx::new()
        .entry(py("train.py"))
        .config(params_yaml())
        .finding("hardcoded-hyperparameter", "train.py", 12, true)
        .build();
    let d = b.decide(configuration::config_files);
    assert_not_met(&d, Partial);
    assert_evidence(&d, "train.py", Some(12));
    assert_fix_names(&d, "train.py:12");
}

#[test]
fn c2_1_literals_at_training_call_sites_make_it_partial() {
    // SPEC judgment rule: `lr=0.001` at an optimiser call is a hyper-parameter literal.
    let b = Fx::new()
        .entry(py("train.py").with(call(
            "torch.optim.Adam",
            14,
            vec![Value::Unknown],
            vec![("lr", float(0.001))],
        )))
        .config(params_yaml())
        .build();
    let d = b.decide_with_rules(configuration::config_files);
    assert_not_met(&d, Partial);
    assert_evidence(&d, "train.py", Some(14));
    assert!(d.0.evidence.iter().any(|e| e.note.contains("lr=0.001")));
}

#[test]
fn c2_1_layer_shapes_are_not_hyperparameters() {
    // SPEC judgment rule: layer shapes dictated by the data do not count.
    let b = Fx::new()
        .entry(py("model.py").with(call("torch.nn.Linear", 3, vec![int(784), int(10)], vec![])))
        .config(params_yaml())
        .build();
    assert_status(&b.decide_with_rules(configuration::config_files), Pass);
}

#[test]
fn c2_1_literals_off_the_run_path_do_not_count() {
    let b = Fx::new()
        .entry(py("train.py"))
        .py(py("sweep_old.py"))
        .config(params_yaml())
        .finding("hardcoded-hyperparameter", "sweep_old.py", 4, false)
        .build();
    let d = b.decide(configuration::config_files);
    assert_status(&d, Pass);
    assert!(d.0.notes.iter().any(|n| n.path == "sweep_old.py"));
}

#[test]
fn c2_1_fail_with_command_line_defaults_only() {
    let b = Fx::new().entry(py("train.py").cli_param("lr", 5)).build();
    let d = b.decide(configuration::config_files);
    assert_not_met(&d, Fail);
    assert!(d.0.summary.contains("command-line"), "{}", d.0.summary);
}

// ---------------------------------------------------------------------------
// 2.2 seeds-in-config
// ---------------------------------------------------------------------------

#[test]
fn c2_2_pass_when_the_seed_comes_from_the_config() {
    let b = Fx::new()
        .entry(py("train.py").with(call("torch.manual_seed", 3, vec![cfg("seed")], vec![])))
        .config(config("params.yaml", Format::Yaml, &[("seed", "42")]))
        .build();
    let d = b.decide(configuration::seeds_in_config);
    assert_status(&d, Pass);
    assert_evidence(&d, "train.py", Some(3));
}

#[test]
fn c2_2_partial_with_a_literal_seed_in_code() {
    let b = Fx::new()
        .entry(py("train.py").with(call("torch.manual_seed", 3, vec![int(42)], vec![])))
        .config(config("params.yaml", Format::Yaml, &[("lr", "0.1")]))
        .build();
    let d = b.decide(configuration::seeds_in_config);
    assert_not_met(&d, Partial);
    assert_evidence(&d, "train.py", Some(3));
    assert_fix_names(&d, "train.py:3");
}

#[test]
fn c2_2_partial_when_the_config_seed_is_null() {
    let b = Fx::new()
        .entry(py("train.py").with(call("numpy.random.seed", 4, vec![cfg("seed")], vec![])))
        .config(config("params.yaml", Format::Yaml, &[("seed", "null")]))
        .build();
    assert_not_met(&b.decide(configuration::seeds_in_config), Partial);
}

#[test]
fn c2_2_partial_when_the_seed_is_a_cli_default_no_pipeline_passes() {
    let b = Fx::new()
        .entry(
            py("train.py")
                .cli_param_default("seed", 2, Value::Lit(Lit::Int(0)))
                .with(call("torch.manual_seed", 8, vec![cli("seed")], vec![])),
        )
        .build();
    assert_not_met(&b.decide(configuration::seeds_in_config), Partial);
}

#[test]
fn c2_2_fail_when_the_seed_flag_defaults_to_none() {
    let b = Fx::new()
        .entry(py("train.py").cli_param("seed", 2).with(call(
            "torch.manual_seed",
            8,
            vec![cli("seed")],
            vec![],
        )))
        .build();
    assert_not_met(&b.decide(configuration::seeds_in_config), Fail);
}

#[test]
fn c2_2_fail_on_an_unseeded_rng() {
    let b = Fx::new()
        .entry(py("train.py").with(call("torch.manual_seed", 3, vec![cfg("seed")], vec![])))
        .config(config("params.yaml", Format::Yaml, &[("seed", "42")]))
        .finding("unseeded-rng", "train.py", 10, true)
        .build();
    let d = b.decide(configuration::seeds_in_config);
    assert_not_met(&d, Fail);
    assert_evidence(&d, "train.py", Some(10));
}

#[test]
fn c2_2_fail_on_a_seed_from_entropy() {
    let b = Fx::new()
        .entry(py("train.py"))
        .finding("seed-from-entropy", "train.py", 2, true)
        .build();
    assert_not_met(&b.decide(configuration::seeds_in_config), Fail);
}

#[test]
fn c2_2_not_applicable_without_randomness() {
    let b = Fx::new()
        .entry(py("train.py").with(call("print", 1, vec![text("hi")], vec![])))
        .build();
    assert_status(&b.decide(configuration::seeds_in_config), NotApplicable);
}

#[test]
fn c2_2_unknown_when_randomness_is_used_but_no_seeding_is_recognised() {
    // `RandomForestClassifier(**params)`: random_state may arrive through
    // **params, so no rule fires, yet no seed is seen either.
    let mut forest = call("sklearn.ensemble.RandomForestClassifier", 6, vec![], vec![]);
    forest.star_kwargs = true;
    let b = Fx::new().entry(py("train.py").with(forest)).build();
    let d = b.decide_with_rules(configuration::seeds_in_config);
    assert_status(&d, Unknown);
}

// ---------------------------------------------------------------------------
// 2.3 code-reads-config
// ---------------------------------------------------------------------------

#[test]
fn c2_3_pass_when_the_code_loads_the_config_and_reads_its_keys() {
    let b = Fx::new()
        .entry(
            py("train.py")
                .path_literal("params.yaml", 5)
                .reads_key("lr", 6)
                .reads_key("epochs", 7),
        )
        .config(params_yaml())
        .build();
    let d = b.decide(configuration::code_reads_config);
    assert_status(&d, Pass);
    assert_evidence(&d, "train.py", Some(5));
    assert!(d.0.notes.is_empty(), "{:#?}", d.0.notes);
}

#[test]
fn c2_3_unread_keys_are_reported_without_lowering_the_status() {
    let b = Fx::new()
        .entry(
            py("train.py")
                .path_literal("params.yaml", 5)
                .reads_key("lr", 6),
        )
        .config(params_yaml())
        .build();
    let d = b.decide(configuration::code_reads_config);
    assert_status(&d, Pass);
    assert!(
        d.0.notes
            .iter()
            .any(|n| n.path == "params.yaml" && n.line == Some(2) && n.note.contains("epochs")),
        "{:#?}",
        d.0.notes
    );
}

#[test]
fn c2_3_pass_when_a_dvc_stage_declares_the_params() {
    let mut train = stage("train", 1, &["train.py"], &["model.pkl"]);
    train.params = vec![
        ("params.yaml".to_string(), "lr".to_string()),
        ("params.yaml".to_string(), "epochs".to_string()),
    ];
    let b = Fx::new()
        .entry(py("train.py"))
        .config(params_yaml())
        .dvc_stage(train)
        .build();
    let d = b.decide(configuration::code_reads_config);
    assert_status(&d, Pass);
    assert_evidence(&d, "dvc.yaml", Some(1));
}

#[test]
fn c2_3_fail_when_nothing_reads_the_config() {
    let b = Fx::new()
        .entry(py("train.py"))
        .config(params_yaml())
        .build();
    let d = b.decide(configuration::code_reads_config);
    assert_not_met(&d, Fail);
    assert_evidence(&d, "params.yaml", None);
    assert_fix_names(&d, "params.yaml");
}

#[test]
fn c2_3_partial_when_one_of_two_configs_is_unread() {
    let b = Fx::new()
        .entry(
            py("train.py")
                .path_literal("params.yaml", 5)
                .reads_key("lr", 6),
        )
        .config(params_yaml())
        .config(config(
            "configs/eval.yaml",
            Format::Yaml,
            &[("threshold", "0.5")],
        ))
        .build();
    let d = b.decide(configuration::code_reads_config);
    assert_not_met(&d, Partial);
    assert_evidence(&d, "configs/eval.yaml", None);
}

#[test]
fn c2_3_fail_without_any_config() {
    let b = Fx::new().entry(py("train.py")).build();
    assert_not_met(&b.decide(configuration::code_reads_config), Fail);
}

// ---------------------------------------------------------------------------
// 2.4 config-repeatable (static proxy from 1.3 and 2.2)
// ---------------------------------------------------------------------------

fn outcome(s: Status) -> Outcome {
    Outcome::new(s, "hand-made")
}

#[test]
fn c2_4_combines_1_3_and_2_2() {
    let cases = [
        (Pass, Pass, Pass),
        (Pass, NotApplicable, Pass),
        (Pass, Partial, Partial),
        (Partial, Pass, Partial),
        (Fail, Pass, Fail),
        (Pass, Fail, Fail),
        (Unknown, Pass, Unknown),
        (Pass, Unknown, Unknown),
    ];
    for (c13, c22, want) in cases {
        let d = configuration::config_repeatable(&outcome(c13), &outcome(c22));
        assert_eq!(d.0.status, want, "1.3 {c13:?} + 2.2 {c22:?}");
        assert_eq!(d.1.is_some(), want != Pass, "fix for {c13:?} + {c22:?}");
    }
}

#[test]
fn c2_4_pass_end_to_end_when_seeded_from_the_config() {
    let b = Fx::new()
        .entry(
            py("train.py")
                .path_literal("params.yaml", 2)
                .reads_key("seed", 3)
                .with(call("torch.manual_seed", 4, vec![cfg("seed")], vec![]))
                .with(call("torch.randn", 5, vec![int(3)], vec![])),
        )
        .config(config("params.yaml", Format::Yaml, &[("seed", "42")]))
        .build();
    let results = b.evaluate();
    assert_eq!(result(&results, CriterionId::C1_3).status, Pass);
    assert_eq!(result(&results, CriterionId::C2_2).status, Pass);
    assert_eq!(result(&results, CriterionId::C2_4).status, Pass);
}

#[test]
fn c2_4_partial_end_to_end_with_a_literal_seed_and_fail_when_unseeded() {
    let literal = Fx::new()
        .entry(
            py("train.py")
                .with(call("torch.manual_seed", 4, vec![int(42)], vec![]))
                .with(call("torch.randn", 5, vec![int(3)], vec![])),
        )
        .build();
    let results = literal.evaluate();
    assert_eq!(result(&results, CriterionId::C2_2).status, Partial);
    let r = result(&results, CriterionId::C2_4);
    assert_eq!(r.status, Partial);
    assert!(r.fix.is_some());

    let unseeded = Fx::new()
        .entry(py("train.py").with(call("torch.randn", 5, vec![int(3)], vec![])))
        .build();
    let results = unseeded.evaluate();
    assert_eq!(result(&results, CriterionId::C1_3).status, Fail);
    assert_eq!(result(&results, CriterionId::C2_4).status, Fail);
}

// ---------------------------------------------------------------------------
// 3.1 data-managed
// ---------------------------------------------------------------------------

#[test]
fn c3_1_pass_with_committed_data() {
    let b = Fx::new()
        .entry(py("train.py"))
        .file("data/train.csv", 4096)
        .build();
    let d = b.decide(data::data_managed);
    assert_status(&d, Pass);
    assert_evidence(&d, "data/train.csv", None);
}

#[test]
fn c3_1_pass_with_dvc_and_a_remote() {
    let b = Fx::new()
        .entry(py("train.py"))
        .dvc_pointer("data.dvc", "data")
        .dvc_remote("storage", 2)
        .build();
    let d = b.decide(data::data_managed);
    assert_status(&d, Pass);
    assert_evidence(&d, "data.dvc", None);
    assert_evidence(&d, ".dvc/config", Some(2));
}

#[test]
fn c3_1_partial_with_dvc_but_no_remote() {
    let b = Fx::new()
        .entry(py("train.py"))
        .dvc_pointer("data.dvc", "data")
        .build();
    let d = b.decide(data::data_managed);
    assert_not_met(&d, Partial);
    assert_evidence(&d, "data.dvc", None);
}

#[test]
fn c3_1_partial_with_only_a_file_sharing_link() {
    // SPEC: a bare link to a file-sharing page is partial.
    let mut readme = doc("README.md", vec![section("Data", 3, 8)]);
    readme
        .links
        .push((5, "https://drive.google.com/file/d/abc/view".to_string()));
    let b = Fx::new().entry(py("train.py")).doc(readme).build();
    let d = b.decide(data::data_managed);
    assert_not_met(&d, Partial);
    assert_evidence(&d, "README.md", Some(5));
}

#[test]
fn c3_1_a_download_needs_a_checksum_to_pass() {
    // SPEC: a pinned download is a URL plus a checksum.
    let download = call(
        "urllib.request.urlretrieve",
        6,
        vec![
            text("https://example.org/files/train.csv"),
            text("train.csv"),
        ],
        vec![],
    );
    let bare = Fx::new()
        .entry(py("get_data.py").with(download.clone()))
        .build();
    let d = bare.decide(data::data_managed);
    assert_not_met(&d, Partial);
    assert_evidence(&d, "get_data.py", Some(6));

    let pinned = Fx::new()
        .entry(py("get_data.py").with(download).with(call(
            "hashlib.sha256",
            8,
            vec![Value::Unknown],
            vec![],
        )))
        .build();
    let d = pinned.decide(data::data_managed);
    assert_status(&d, Pass);
    assert_evidence(&d, "get_data.py", Some(6));
}

#[test]
fn c3_1_fail_without_managed_data() {
    let b = Fx::new().entry(py("train.py")).build();
    let d = b.decide(data::data_managed);
    assert_not_met(&d, Fail);
    assert!(!d.0.looked_for.is_empty());
}

// ---------------------------------------------------------------------------
// 3.2 data-schema
// ---------------------------------------------------------------------------

#[test]
fn c3_2_pass_with_a_column_table_in_the_data_section() {
    let mut s = section("Data", 10, 20);
    s.has_table = true;
    s.columns = vec!["Column".to_string(), "Type".to_string()];
    s.words = 12;
    let b = Fx::new().doc(doc("README.md", vec![s])).build();
    let d = b.decide(data::data_schema);
    assert_status(&d, Pass);
    assert_evidence(&d, "README.md", Some(10));
}

#[test]
fn c3_2_pass_with_a_directory_layout_with_formats() {
    // SPEC: a directory layout with file formats passes, whatever the section's name.
    let mut s = section("Project structure", 4, 30);
    s.has_tree = true;
    s.formats = vec![".csv".to_string()];
    let b = Fx::new().doc(doc("README.md", vec![s])).build();
    let d = b.decide(data::data_schema);
    assert_status(&d, Pass);
    assert_evidence(&d, "README.md", Some(4));
}

#[test]
fn c3_2_partial_with_prose_only() {
    // SPEC: prose that only names or describes the dataset is partial.
    let mut s = section("Dataset", 7, 12);
    s.words = 60;
    let b = Fx::new().doc(doc("README.md", vec![s])).build();
    let d = b.decide(data::data_schema);
    assert_not_met(&d, Partial);
    assert_evidence(&d, "README.md", Some(7));
}

#[test]
fn c3_2_fail_with_an_empty_data_heading() {
    let b = Fx::new()
        .doc(doc("README.md", vec![section("Data", 7, 8)]))
        .build();
    let d = b.decide(data::data_schema);
    assert_not_met(&d, Fail);
}

#[test]
fn c3_2_fail_without_any_documentation() {
    let b = Fx::new().entry(py("train.py")).build();
    assert_not_met(&b.decide(data::data_schema), Fail);
}

// ---------------------------------------------------------------------------
// 3.3 data-swappable
// ---------------------------------------------------------------------------

#[test]
fn c3_3_pass_when_the_path_comes_from_the_config() {
    let b = Fx::new()
        .entry(py("train.py").with(call(
            "pandas.read_csv",
            8,
            vec![cfg("data.train_path")],
            vec![],
        )))
        .build();
    let d = b.decide(data::data_swappable);
    assert_status(&d, Pass);
    assert_evidence(&d, "train.py", Some(8));
}

#[test]
fn c3_3_pass_when_the_path_comes_from_a_cli_flag() {
    let b = Fx::new()
        .entry(py("train.py").with(call("numpy.load", 8, vec![cli("data")], vec![])))
        .build();
    assert_status(&b.decide(data::data_swappable), Pass);
}

#[test]
fn c3_3_partial_with_a_relative_literal_path() {
    let b = Fx::new()
        .entry(py("train.py").with(call(
            "pandas.read_csv",
            8,
            vec![text("data/train.csv")],
            vec![],
        )))
        .file("data/train.csv", 100)
        .build();
    let d = b.decide(data::data_swappable);
    assert_not_met(&d, Partial);
    assert_evidence(&d, "train.py", Some(8));
    assert_fix_names(&d, "train.py:8");
}

#[test]
fn c3_3_fail_with_an_absolute_path() {
    // SPEC: absolute paths (`/home/...`, `C:\...`) fail.
    for p in ["/home/alice/data/train.csv", "C:\\Users\\alice\\train.csv"] {
        let b = Fx::new()
            .entry(py("train.py").with(call("pandas.read_csv", 8, vec![text(p)], vec![])))
            .build();
        let d = b.decide(data::data_swappable);
        assert_not_met(&d, Fail);
        assert_evidence(&d, "train.py", Some(8));
    }
}

#[test]
fn c3_3_not_applicable_when_no_data_is_read() {
    let b = Fx::new().entry(py("train.py")).build();
    assert_status(&b.decide(data::data_swappable), NotApplicable);
}

// ---------------------------------------------------------------------------
// 3.4 pipeline-stages
// ---------------------------------------------------------------------------

/// A training script that moves the model to a GPU.
fn gpu_train() -> PyFile {
    py("train.py").with(call("model.cuda", 12, vec![], vec![]))
}

fn prepare_then_train() -> [DvcStage; 2] {
    [
        stage("prepare", 1, &["data/raw.csv"], &["data/prepared.csv"]),
        stage(
            "train",
            6,
            &["data/prepared.csv", "train.py"],
            &["model.pkl"],
        ),
    ]
}

#[test]
fn c3_4_not_applicable_for_a_light_project_without_stages() {
    // SPEC judgment rule: a light project without stages is not_applicable, saying why.
    let b = Fx::new().entry(py("train.py")).build();
    let d = b.decide(data::pipeline_stages);
    assert_status(&d, NotApplicable);
    assert!(d.0.summary.contains("light"), "{}", d.0.summary);
}

#[test]
fn c3_4_pass_for_a_light_project_with_tracked_stages() {
    // SPEC judgment rule: a light project that has tracked stages anyway passes.
    let [a, b] = prepare_then_train();
    let built = Fx::new()
        .entry(py("train.py"))
        .dvc_stage(a)
        .dvc_stage(b)
        .build();
    let d = built.decide(data::pipeline_stages);
    assert_status(&d, Pass);
    assert_evidence(&d, "dvc.yaml", Some(1));
}

#[test]
fn c3_4_pass_for_a_heavy_project_with_tracked_stages() {
    let [a, b] = prepare_then_train();
    let built = Fx::new()
        .entry(gpu_train())
        .dvc_stage(a)
        .dvc_stage(b)
        .build();
    assert_status(&built.decide(data::pipeline_stages), Pass);
}

#[test]
fn c3_4_fail_for_a_heavy_project_in_one_step() {
    let b = Fx::new().entry(gpu_train()).build();
    let d = b.decide(data::pipeline_stages);
    assert_not_met(&d, Fail);
    // The evidence says why the project counts as heavy.
    assert_evidence(&d, "train.py", Some(12));
}

#[test]
fn c3_4_partial_for_a_heavy_project_whose_stages_feed_nothing() {
    let b = Fx::new()
        .entry(gpu_train())
        .dvc_stage(stage("train", 1, &["train.py"], &["model.pkl"]))
        .build();
    assert_not_met(&b.decide(data::pipeline_stages), Partial);
}

// ---------------------------------------------------------------------------
// 4.1 package-list
// ---------------------------------------------------------------------------

#[test]
fn c4_1_pass_with_every_import_listed_and_pinned() {
    let b = Fx::new()
        .entry(
            py("train.py")
                .import("numpy", 1)
                .import("sklearn.ensemble", 2),
        )
        .packages(requirements(
            "requirements.txt",
            &[
                ("numpy", "numpy==1.26.4", true),
                ("scikit-learn", "scikit-learn==1.4.2", true),
            ],
        ))
        .build();
    let d = b.decide(environment::package_list);
    assert_status(&d, Pass);
    assert_evidence(&d, "requirements.txt", None);
}

#[test]
fn c4_1_pass_with_a_lock_file() {
    let b = Fx::new()
        .entry(py("train.py").import("numpy", 1))
        .packages(requirements(
            "requirements.in",
            &[("numpy", "numpy>=1.20", false)],
        ))
        .packages(lock_file("uv.lock", &["numpy"]))
        .build();
    assert_status(&b.decide(environment::package_list), Pass);
}

#[test]
fn c4_1_partial_with_version_ranges() {
    // SPEC: pass needs L2 or better; ranges are L1.
    let b = Fx::new()
        .entry(py("train.py").import("numpy", 1))
        .packages(requirements(
            "requirements.txt",
            &[("numpy", "numpy>=1.20", false)],
        ))
        .build();
    let d = b.decide(environment::package_list);
    assert_not_met(&d, Partial);
    assert_evidence(&d, "requirements.txt", Some(1));
}

#[test]
fn c4_1_partial_naming_an_unlisted_import_by_its_distribution() {
    // SPEC: sklearn → scikit-learn.
    let b = Fx::new()
        .entry(py("train.py").import("numpy", 1).import("sklearn", 2))
        .packages(requirements(
            "requirements.txt",
            &[("numpy", "numpy==1.26.4", true)],
        ))
        .build();
    let d = b.decide(environment::package_list);
    assert_not_met(&d, Partial);
    assert_evidence(&d, "train.py", Some(2));
    assert_fix_names(&d, "scikit-learn");
}

#[test]
fn c4_1_fail_without_a_package_list() {
    let b = Fx::new().entry(py("train.py").import("torch", 1)).build();
    assert_not_met(&b.decide(environment::package_list), Fail);
}

#[test]
fn c4_1_not_applicable_with_stdlib_and_local_imports_only() {
    let b = Fx::new()
        .entry(py("train.py").import("json", 1).import("utils", 2))
        .reached(py("utils.py").import("os", 1))
        .build();
    assert_status(&b.decide(environment::package_list), NotApplicable);
}

// ---------------------------------------------------------------------------
// 4.2 example-environment
// ---------------------------------------------------------------------------

#[test]
fn c4_2_pass_with_a_pinned_dockerfile() {
    let b = Fx::new()
        .dockerfile(dockerfile(
            "Dockerfile",
            "python",
            Some("3.11.9-slim"),
            Some("3.11.9"),
        ))
        .build();
    let d = b.decide(environment::example_environment);
    assert_status(&d, Pass);
    assert_evidence(&d, "Dockerfile", Some(1));
}

#[test]
fn c4_2_partial_with_an_unpinned_base_image() {
    for tag in [None, Some("latest")] {
        let b = Fx::new()
            .dockerfile(dockerfile("Dockerfile", "python", tag, None))
            .build();
        let d = b.decide(environment::example_environment);
        assert_not_met(&d, Partial);
        assert_evidence(&d, "Dockerfile", Some(1));
        assert_fix_names(&d, "Dockerfile:1");
    }
}

#[test]
fn c4_2_partial_with_a_pinned_python_but_no_environment() {
    let b = Fx::new().text_file(".python-version", "3.11.4\n").build();
    let d = b.decide(environment::example_environment);
    assert_not_met(&d, Partial);
    assert_evidence(&d, ".python-version", Some(1));
}

#[test]
fn c4_2_fail_without_an_environment() {
    let b = Fx::new().entry(py("train.py")).build();
    assert_not_met(&b.decide(environment::example_environment), Fail);
}

// ---------------------------------------------------------------------------
// 4.3 hardware-documented
// ---------------------------------------------------------------------------

#[test]
fn c4_3_not_applicable_for_cpu_only_code() {
    let b = Fx::new()
        .entry(py("train.py").with(call("torch.randn", 2, vec![int(3)], vec![])))
        .build();
    assert_status(&b.decide(environment::hardware_documented), NotApplicable);
}

#[test]
fn c4_3_not_applicable_when_gpu_code_is_off_the_run_path() {
    let b = Fx::new()
        .entry(py("train.py"))
        .py(py("experiments/gpu_bench.py").with(call("model.cuda", 4, vec![], vec![])))
        .build();
    assert_status(&b.decide(environment::hardware_documented), NotApplicable);
}

#[test]
fn c4_3_pass_with_a_gpu_model_memory_or_cuda_version() {
    // SPEC judgment rule: a GPU model, a memory amount or a CUDA/driver version passes.
    for (kind, words) in [
        (HardwareKind::GpuModel, "NVIDIA A100"),
        (HardwareKind::Memory, "24 GB of VRAM"),
        (HardwareKind::CudaVersion, "CUDA 11.8"),
        (HardwareKind::DriverVersion, "driver 535.104"),
        (HardwareKind::Tpu, "TPU v3-8"),
    ] {
        let b = Fx::new()
            .entry(gpu_train())
            .doc(readme_with_hardware(5, kind, words))
            .build();
        let d = b.decide(environment::hardware_documented);
        assert_status(&d, Pass);
        assert_evidence(&d, "README.md", Some(5));
    }
}

#[test]
fn c4_3_partial_with_a_bare_needs_a_gpu() {
    // SPEC judgment rule: a bare "needs a GPU" is partial.
    for (kind, words) in [
        (HardwareKind::GenericGpu, "a GPU"),
        (HardwareKind::Tpu, "TPU"),
    ] {
        let b = Fx::new()
            .entry(gpu_train())
            .doc(readme_with_hardware(5, kind, words))
            .build();
        let d = b.decide(environment::hardware_documented);
        assert_not_met(&d, Partial);
        assert_evidence(&d, "README.md", Some(5));
    }
}

#[test]
fn c4_3_fail_when_gpu_code_has_no_hardware_documented() {
    let b = Fx::new().entry(gpu_train()).build();
    let d = b.decide(environment::hardware_documented);
    assert_not_met(&d, Fail);
    assert_evidence(&d, "train.py", Some(12));
}

#[test]
fn c4_3_pass_with_cuda_fixed_by_the_base_image() {
    let b = Fx::new()
        .entry(gpu_train())
        .dockerfile(dockerfile(
            "Dockerfile",
            "pytorch/pytorch",
            Some("2.1.0-cuda12.1-cudnn8-runtime"),
            None,
        ))
        .build();
    let d = b.decide(environment::hardware_documented);
    assert_status(&d, Pass);
    assert_evidence(&d, "Dockerfile", Some(1));
}

#[test]
fn c4_3_pass_with_the_cuda_image_whose_tag_is_the_version() {
    let b = Fx::new()
        .entry(gpu_train())
        .dockerfile(dockerfile(
            "Dockerfile",
            "nvidia/cuda",
            Some("12.1.0-runtime-ubuntu22.04"),
            None,
        ))
        .build();
    let d = b.decide(environment::hardware_documented);
    assert_status(&d, Pass);
    assert_evidence(&d, "Dockerfile", Some(1));
}

// ---------------------------------------------------------------------------
// 5.1 custom-input
// ---------------------------------------------------------------------------

#[test]
fn c5_1_pass_with_a_gradio_app() {
    let b = Fx::new()
        .entry(py("app.py").with(call("gradio.Interface", 10, vec![], vec![])))
        .build();
    let d = b.decide(evaluation::custom_input);
    assert_status(&d, Pass);
    assert_evidence(&d, "app.py", Some(10));
}

#[test]
fn c5_1_pass_with_a_predict_cli_taking_an_input() {
    let b = Fx::new()
        .entry(py("predict.py").cli_param("input", 4))
        .build();
    let d = b.decide(evaluation::custom_input);
    assert_status(&d, Pass);
    assert_evidence(&d, "predict.py", None);
}

#[test]
fn c5_1_fail_with_a_predict_script_that_takes_no_input() {
    let b = Fx::new().entry(py("predict.py")).build();
    assert_not_met(&b.decide(evaluation::custom_input), Fail);
}

#[test]
fn c5_1_fail_with_training_code_only() {
    let b = Fx::new().entry(py("train.py")).build();
    let d = b.decide(evaluation::custom_input);
    assert_not_met(&d, Fail);
    assert!(!d.0.looked_for.is_empty());
}

// ---------------------------------------------------------------------------
// 5.2 run-comparison
// ---------------------------------------------------------------------------

#[test]
fn c5_2_pass_with_mlflow_logging() {
    let b = Fx::new()
        .entry(py("train.py").with(call(
            "mlflow.log_metric",
            30,
            vec![text("acc"), Value::Unknown],
            vec![],
        )))
        .build();
    let d = b.decide(evaluation::run_comparison);
    assert_status(&d, Pass);
    assert_evidence(&d, "train.py", Some(30));
}

#[test]
fn c5_2_pass_with_dvc_tracked_metrics() {
    let mut eval = stage("evaluate", 4, &["model.pkl"], &["metrics.json"]);
    eval.metrics = vec!["metrics.json".to_string()];
    let b = Fx::new().entry(py("train.py")).dvc_stage(eval).build();
    let d = b.decide(evaluation::run_comparison);
    assert_status(&d, Pass);
    assert_evidence(&d, "dvc.yaml", Some(4));
}

#[test]
fn c5_2_pass_with_a_metrics_file_written_per_run() {
    let b = Fx::new()
        .entry(py("evaluate.py").with(call(
            "open",
            15,
            vec![text("results/metrics.json"), text("w")],
            vec![],
        )))
        .build();
    let d = b.decide(evaluation::run_comparison);
    assert_status(&d, Pass);
    assert_evidence(&d, "evaluate.py", Some(15));
}

#[test]
fn c5_2_partial_with_only_lightnings_default_logger() {
    let b = Fx::new()
        .entry(
            py("train.py")
                .with(call(
                    "self.log",
                    20,
                    vec![text("loss"), Value::Unknown],
                    vec![],
                ))
                .with(call("pytorch_lightning.Trainer", 40, vec![], vec![])),
        )
        .build();
    let d = b.decide(evaluation::run_comparison);
    assert_not_met(&d, Partial);
    assert_evidence(&d, "train.py", Some(40));
}

#[test]
fn c5_2_fail_without_metrics_or_logging() {
    let b = Fx::new().entry(py("train.py")).build();
    assert_not_met(&b.decide(evaluation::run_comparison), Fail);
}

// ---------------------------------------------------------------------------
// Projects whose code is not Python
// ---------------------------------------------------------------------------

/// An R project: R sources, no Python.
fn r_project() -> Fx {
    Fx::new()
        .file("R/fit.R", 400)
        .file("R/prepare.R", 300)
        .file("analysis.Rmd", 900)
}

#[test]
fn non_python_criteria_resting_on_the_python_analysis_are_unknown() {
    // SPEC: 1.3, 2.2, 2.4, 3.3 and 4.1 (imports) are unknown, with the cause.
    let results = r_project().build().evaluate();
    for id in [
        CriterionId::C1_3,
        CriterionId::C2_2,
        CriterionId::C2_4,
        CriterionId::C3_3,
        CriterionId::C4_1,
    ] {
        let r = result(&results, id);
        assert_eq!(r.status, Unknown, "{id}: {}", r.summary);
        assert!(!r.summary.trim().is_empty(), "{id} gives no cause");
    }
    // The cause names the language.
    assert!(
        result(&results, CriterionId::C1_3).summary.contains('R'),
        "{}",
        result(&results, CriterionId::C1_3).summary
    );
    // Never a silent fail or pass: no Python-based criterion fails.
    for id in [
        CriterionId::C1_1,
        CriterionId::C1_3,
        CriterionId::C2_2,
        CriterionId::C2_4,
        CriterionId::C3_3,
        CriterionId::C4_1,
    ] {
        assert_ne!(result(&results, id).status, Fail, "{id}");
    }
}

#[test]
fn non_python_other_evidence_still_decides() {
    // SPEC: unless other evidence decides them (a package list such as an R
    // DESCRIPTION, a Dockerfile).
    let results = r_project()
        .text_file(
            "DESCRIPTION",
            "Package: fit\nImports: dplyr (== 1.1.4), ggplot2 (== 3.5.0)\n",
        )
        .dockerfile(dockerfile(
            "Dockerfile",
            "rocker/r-ver",
            Some("4.3.2"),
            None,
        ))
        .build()
        .evaluate();
    let r41 = result(&results, CriterionId::C4_1);
    assert_eq!(r41.status, Pass, "{}", r41.summary);
    assert!(r41.evidence.iter().any(|e| e.path == "DESCRIPTION"));
    assert_eq!(result(&results, CriterionId::C4_2).status, Pass);

    let ranges = r_project()
        .text_file("DESCRIPTION", "Package: fit\nImports: dplyr (>= 1.0)\n")
        .build()
        .evaluate();
    let r41 = result(&ranges, CriterionId::C4_1);
    assert_eq!(r41.status, Partial, "{}", r41.summary);
    assert!(r41.fix.is_some());
}
