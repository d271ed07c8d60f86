//! Stage 1, Code: 1.1 runs, 1.2 example-input, 1.3 repeatable.

use super::evidence::{at, finding, line, off_path};
use super::{findings_for, worst, Input};
use crate::assessment::{Evidence, Outcome, Status};
use crate::criteria::id::CriterionId;
use crate::facts::values::Value;
use crate::lint::seeds::{rng_lib, sklearn_call_is_random};
use crate::lint::Effect;

type Decided = (Outcome, Option<String>);

/// 1.1: an entry point exists and all Python parses.
pub fn runs(input: &Input) -> Decided {
    let facts = input.ctx.facts;
    let rp = &facts.run_path;
    let looked = [
        "`if __name__ == \"__main__\":` scripts",
        "dvc.yaml stage cmds",
        "MLproject entry points",
        "Makefile recipes running python",
        "README code blocks running python",
        "notebooks",
    ];
    let (on, off) = findings_for(input, CriterionId::C1_1);
    let errors: Vec<_> = on.iter().chain(off.iter()).copied().collect();
    let entry_evidence: Vec<Evidence> = rp
        .entry_points
        .iter()
        .map(|e| match &e.declared_at {
            Some((p, l)) => line(p, *l, format!("entry point {} ({})", e.path, e.why)),
            None => Evidence::file(&e.path, format!("entry point ({})", e.why)),
        })
        .collect();
    if facts.python.is_empty() {
        let o = Outcome::new(Status::Fail, "no Python code found")
            .looking_for(&["*.py files", "*.ipynb notebooks"]);
        return (o, Some("Add the project's code (a train.py with an `if __name__ == \"__main__\":` entry point).".into()));
    }
    if !errors.is_empty() {
        let first = errors[0];
        // Helpers that nothing runs (Python 2 leftovers beside committed
        // outputs) leave the run itself intact: partial, not fail.
        let status = if on.is_empty() && !rp.entry_points.is_empty() {
            Status::Partial
        } else {
            Status::Fail
        };
        let where_ = if status == Status::Partial {
            ", none of them on the run path"
        } else {
            ""
        };
        let o = Outcome::new(
            status,
            format!("{} file(s) do not parse as Python 3{where_}", errors.len()),
        )
        .with_evidence(errors.iter().map(|f| finding(f)).collect::<Vec<_>>());
        let fix = format!(
            "Fix the syntax error at {} (and any others listed).",
            first.location()
        );
        return (o, Some(fix));
    }
    if !rp.missing.is_empty() {
        let ev = rp.missing.iter().map(|m| {
            line(
                &m.path,
                m.line,
                format!("runs {}, which is not in the project", m.target),
            )
        });
        let o = Outcome::new(
            Status::Fail,
            "the pipeline runs a script that does not exist",
        )
        .with_evidence(ev);
        let fix = format!(
            "Add {} or correct the command that runs it.",
            rp.missing[0].target
        );
        return (o, Some(fix));
    }
    // A workflow file is how some projects run, even when its steps are not Python (R, shell).
    let workflows: Vec<Evidence> = facts
        .project
        .files
        .iter()
        .filter(|f| {
            let name = f
                .path
                .rsplit('/')
                .next()
                .unwrap_or(&f.path)
                .to_ascii_lowercase();
            matches!(name.as_str(), "snakefile" | "dvc.yaml" | "mlproject")
                || name.ends_with(".smk")
                || name.ends_with(".nf")
        })
        .map(|f| Evidence::file(&f.path, "workflow definition (runs the pipeline)"))
        .collect();
    if rp.entry_points.is_empty() && !workflows.is_empty() {
        let mut o = Outcome::new(
            Status::Pass,
            "the pipeline is run by a workflow file; every Python file parses",
        )
        .with_evidence(workflows);
        o.looked_for = looked.iter().map(|s| s.to_string()).collect();
        return (o, None);
    }
    if rp.entry_points.is_empty() {
        let o = Outcome::new(
            Status::Fail,
            "no entry point found: nothing says how to run the code",
        )
        .looking_for(&looked);
        return (o, Some("Add a script with `if __name__ == \"__main__\":` (or a dvc.yaml/Makefile stage) that runs the pipeline end to end.".into()));
    }
    let notebooks = facts.python.iter().filter(|f| f.is_notebook).count();
    let scripts = facts.python.len() - notebooks;
    // Python files the caps kept from the parser: 1.1 cannot vouch for them.
    let unparsed: Vec<Evidence> = facts
        .skipped
        .iter()
        .filter(|s| s.path.ends_with(".py") || s.path.ends_with(".ipynb"))
        .map(|s| Evidence::file(&s.path, format!("not parsed: {}", s.reason)))
        .collect();
    let mut o = Outcome::new(
        Status::Pass,
        format!(
            "{} entry point(s); all {scripts} Python file(s) and {notebooks} notebook(s) parse",
            rp.entry_points.len()
        ),
    )
    .with_evidence(entry_evidence);
    o.looked_for = looked.iter().map(|s| s.to_string()).collect();
    if !unparsed.is_empty() {
        o.summary = format!(
            "{} entry point(s); {scripts} Python file(s) and {notebooks} notebook(s) parse; {} could not be read as Python",
            rp.entry_points.len(),
            unparsed.len()
        );
        o.notes = unparsed;
    }
    (o, None)
}

/// 1.2: an example input ships with or is fetched by the project.
pub fn example_input(input: &Input) -> Decided {
    let facts = input.ctx.facts;
    let looked = [
        "data files committed under data/, dataset(s)/, input(s)/, samples/",
        "git-lfs pointer files",
        "*.dvc files and dvc.yaml outs",
        "download code (urlretrieve, requests.get, wget/curl in scripts)",
        "dataset loaders (load_dataset, torchvision.datasets(download=True), sklearn.datasets.*)",
    ];
    let (on, off) = findings_for(input, CriterionId::C1_2);
    let found = shipped_or_fetched(facts);
    // A project that ships or fetches its input may make other files in steps
    // the static reading cannot see (an unzip, an earlier notebook, a stage):
    // reads of absent files are then notes; without any input they fail.
    let absolute = on.iter().any(|f| f.rule == "absolute-data-path");
    if !on.is_empty() && (found.is_empty() || absolute) {
        let mut o = Outcome::new(
            Status::Fail,
            "the code reads data that another machine will not have",
        )
        .with_evidence(on.iter().map(|f| finding(f)));
        o.notes = off.iter().map(|f| off_path(f)).collect();
        o.looked_for = looked.iter().map(|s| s.to_string()).collect();
        let first = on[0];
        let fix = if first.rule == "absolute-data-path" {
            format!("Replace the absolute path at {} with a relative path to data shipped or fetched with the project.", first.location())
        } else {
            format!("Commit a small example of the file read at {} (or track it with DVC/git-lfs, or add the step that produces it).", first.location())
        };
        return (o, Some(fix));
    }
    if found.is_empty() {
        let mut o = Outcome::new(Status::Fail, "no example input found").looking_for(&looked);
        o.notes = off.iter().map(|f| off_path(f)).collect();
        return (o, Some("Commit a small sample of the input under data/ (or add a download script with a checksum, or a dataset loader).".into()));
    }
    let n = found.len();
    let mut o = Outcome::new(Status::Pass, format!("example input found ({n} source(s))"))
        .with_evidence(found);
    o.notes = on
        .iter()
        .filter(|f| f.rule != "absolute-data-path")
        .map(|f| {
            let mut e = finding(f);
            e.note = format!("not found, perhaps made by a step not declared: {}", e.note);
            e
        })
        .chain(off.iter().map(|f| off_path(f)))
        .collect();
    (o, None)
}

/// Evidence that the project ships or fetches an example input.
fn shipped_or_fetched(facts: &crate::facts::Facts) -> Vec<Evidence> {
    let mut ev = super::inputs::committed_data(facts);
    for p in &facts.lfs_pointers {
        ev.push(Evidence::file(
            p,
            "git-lfs pointer (data tracked with git-lfs)",
        ));
    }
    for (p, t) in &facts.dvc_pointers {
        ev.push(Evidence::file(p, format!("DVC pointer tracking {t}")));
    }
    // Stage deps that no stage produces are the pipeline's inputs; with DVC they are tracked.
    for (path, stage) in &facts.pipelines.dvc_stages {
        for dep in &stage.deps {
            let produced = facts
                .pipelines
                .produced
                .iter()
                .any(|o| crate::facts::pipeline::is_within(dep, o));
            let code = dep.ends_with(".py") || dep.ends_with(".sh");
            let tracked = facts
                .dvc_pointers
                .iter()
                .any(|(_, t)| crate::facts::pipeline::is_within(dep, t));
            if !produced && !code && (tracked || facts.project.exists(dep)) {
                ev.push(line(
                    path,
                    stage.line,
                    format!("dvc.yaml stage {} reads {dep}", stage.name),
                ));
            }
        }
    }
    for (p, l, cmd) in &facts.pipelines.downloads {
        ev.push(line(p, Some(*l), format!("download: {cmd}")));
    }
    // A documented first run handed a URL (`python generate.py
    // --network=https://…/model.pkl`) fetches what it reads.
    let targets = &facts.run_path.invocation_targets;
    for (inv, target) in facts.pipelines.invocations.iter().zip(targets) {
        // The first run is the one the project's README shows (a README at the
        // root: a sub-project's docs show its tools, converters and
        // exporters fed the same weights), of a script of the project.
        let first_run = matches!(
            inv.origin.kind,
            crate::facts::pipeline::OriginKind::DocsBlock { readme: true }
        );
        let Some(script) = target.as_deref().filter(|_| first_run) else {
            continue;
        };
        let fetches = inv.flags.iter().find_map(|(_, v)| match v {
            crate::facts::pipeline::FlagValue::Literal(u) if fetched_url(u) => Some(u.as_str()),
            _ => None,
        });
        let fetches = fetches.or_else(|| {
            inv.positionals
                .iter()
                .map(String::as_str)
                .find(|u| fetched_url(u))
        });
        // A run that also takes a local dataset (`--resume URL --data-path
        // /path/to/imagenet`, or a script with such a flag) fetches only its weights.
        let local_input = inv.flags.iter().any(|(name, v)| {
            names_local_input(name)
                && !matches!(v, crate::facts::pipeline::FlagValue::Literal(u) if fetched_url(u))
        }) || facts.python_index(script).is_some_and(|i| {
            facts.python[i]
                .cli_params
                .iter()
                .any(|p| names_local_input(&p.name))
        });
        if let Some(url) = fetches.filter(|_| !local_input) {
            ev.push(line(
                &inv.origin.path,
                inv.origin.line,
                format!("the documented run fetches its input from {url}"),
            ));
        }
    }
    for (p, l, key, value) in super::inputs::config_data_locations(facts) {
        if super::inputs::is_remote(value) {
            ev.push(line(p, l, format!("`{key}` fetches the data from {value}")));
        }
    }
    for f in &facts.python {
        for call in &f.calls {
            if let Some(note) = super::inputs::loader_note(&call.callee, call) {
                if !super::inputs::loads_placeholder(facts, call) {
                    ev.push(at(&f.path, call.loc, note));
                }
            }
        }
    }
    ev
}

/// A flag or parameter that names a local input (`--data-path`, `coco_path`,
/// `dataroot`, `input_dir`), not an output, a cache, the weights or a size
/// (`input_size`, `drop_path`), word by word.
fn names_local_input(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let words: Vec<&str> = name.split(['_', '-']).filter(|w| !w.is_empty()).collect();
    let input = words.iter().any(|w| {
        w.starts_with("data")
            || matches!(
                *w,
                "path" | "paths" | "root" | "dir" | "folder" | "input" | "inputs" | "corpus"
            )
    });
    let other = words.iter().any(|w| {
        matches!(
            *w,
            "out"
                | "output"
                | "outdir"
                | "log"
                | "logs"
                | "save"
                | "ckpt"
                | "checkpoint"
                | "model"
                | "cache"
                | "network"
                | "weight"
                | "weights"
                | "resume"
                | "pretrained"
                | "config"
                | "cfg"
                | "size"
                | "dim"
                | "drop"
        )
    });
    input && !other
}

/// A remote location a command is given, not a local server it talks to.
fn fetched_url(u: &str) -> bool {
    let host = u.split_once("://").map_or("", |(_, rest)| rest);
    super::inputs::is_remote(u)
        && !["localhost", "127.0.0.1", "0.0.0.0", "[::1]"]
            .iter()
            .any(|h| host.starts_with(h))
}

/// 1.3: every source of randomness on the run path is seeded.
pub fn repeatable(input: &Input) -> Decided {
    let ctx = input.ctx;
    let facts = ctx.facts;
    let (mut on, off) = findings_for(input, CriterionId::C1_3);
    // What fails the criterion comes first, and the fix names it.
    on.sort_by_key(|f| crate::lint::find(f.rule).is_none_or(|r| r.effect != Effect::Fail));
    let notes: Vec<Evidence> = off.iter().map(|f| off_path(f)).collect();
    let looked = [
        "unseeded random/numpy/torch/tensorflow RNG draws",
        "sklearn random_state left unset",
        "seeds from time or entropy",
        "cudnn.benchmark = True",
        "DataLoader workers without worker_init_fn/generator",
        "PYTHONHASHSEED set in-process",
        "unsorted directory listings",
    ];
    let path_note = run_path_note(input);
    match worst(&on) {
        Some(effect) => {
            let status = if effect == Effect::Fail {
                Status::Fail
            } else {
                Status::Partial
            };
            let summary = if status == Status::Fail {
                format!(
                    "{} source(s) of unseeded or non-repeatable randomness on the run path",
                    on.iter()
                        .filter(
                            |f| crate::lint::find(f.rule).is_some_and(|r| r.effect == Effect::Fail)
                        )
                        .count()
                )
            } else {
                "seeded, but some operations can still vary between runs".to_string()
            };
            let mut o = Outcome::new(status, summary).with_evidence(on.iter().map(|f| finding(f)));
            o.notes = notes;
            o.notes.extend(path_note);
            o.looked_for = looked.iter().map(|s| s.to_string()).collect();
            let first = on[0];
            let rule_fix = crate::lint::find(first.rule).map(|r| r.fix).unwrap_or("");
            let fix = format!("{}: {rule_fix}", first.location());
            (o, Some(fix))
        }
        None => {
            let seeds: Vec<Evidence> = ctx
                .seeds
                .iter()
                .filter(|s| s.on_path)
                .map(|s| {
                    at(
                        &s.path,
                        s.loc,
                        format!("{}() seeded with {}", s.callee, describe_values(&s.values)),
                    )
                })
                .collect();
            let random_use = uses_randomness(input);
            let summary = if seeds.is_empty() && !random_use {
                "no source of randomness found on the run path".to_string()
            } else {
                "every source of randomness on the run path is seeded".to_string()
            };
            let mut o = Outcome::new(Status::Pass, summary).with_evidence(seeds);
            o.notes = notes;
            o.notes.extend(path_note);
            o.looked_for = looked.iter().map(|s| s.to_string()).collect();
            if facts.run_path.fallback_all {
                o.notes.push(Evidence::file(
                    ".",
                    "no entry point found: every file was treated as on the run path",
                ));
            }
            (o, None)
        }
    }
}

/// Whether any RNG draw, sklearn randomness or local generator is on the run path.
pub fn uses_randomness(input: &Input) -> bool {
    let facts = input.ctx.facts;
    facts
        .python
        .iter()
        .filter(|f| facts.run_path.contains(&f.path))
        .any(|f| {
            f.calls.iter().any(|c| {
                rng_lib(c).is_some_and(|lib| {
                    !crate::lint::unseeded_rng::overwritten_by_weights(
                        input.ctx, &f.path, true, c, lib,
                    )
                }) || sklearn_call_is_random(c)
                    || crate::lint::seeds::unseeded_local_generator(c)
            })
        })
}

/// Describes seed values for evidence.
pub fn describe_values(values: &[Value]) -> String {
    let parts: Vec<String> = values.iter().map(Value::describe).collect();
    parts.join(" / ")
}

fn run_path_note(input: &Input) -> Option<Evidence> {
    let rp = &input.ctx.facts.run_path;
    if rp.entry_points.is_empty() {
        return None;
    }
    let names: Vec<&str> = rp
        .entry_points
        .iter()
        .take(8)
        .map(|e| e.path.as_str())
        .collect();
    let more = rp.entry_points.len().saturating_sub(8);
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    Some(Evidence::file(
        ".",
        format!(
            "run path: {} file(s) reached from entry point(s) {}{tail}",
            rp.files.len(),
            names.join(", ")
        ),
    ))
}
