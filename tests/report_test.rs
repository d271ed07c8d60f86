//! REPRODUCIBILITY.md: generation (snapshots at 0, 1 and 5 stars), the round
//! trip through `check`, regeneration that keeps the user's text, `--update`
//! and `--force`, the blank template, over-claims, and hostile files.

mod common;

use reproscale::criteria::catalog::CriterionId;
use std::path::{Path, PathBuf};

use reproscale::report::{self, Mode, ProblemKind, ReportError};
use reproscale::Report;

const DATE: &str = "2025-01-01";

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

fn assess_dir(path: &Path) -> Report {
    reproscale::assess(&reproscale::source::Input::Directory(path.to_path_buf())).expect("assess")
}

fn exists_in(dir: &Path) -> impl Fn(&str) -> bool + '_ {
    move |p: &str| dir.join(p).exists()
}

/// The generated report with what varies between runs replaced by stable text.
fn stable(out: &str, report: &Report, dir: &Path) -> String {
    let mut s = out.replace(&dir.display().to_string(), "<project>");
    if let Some(c) = &report.project.commit {
        s = s.replace(&c[..c.len().min(7)], "<commit>");
    }
    s.replace(DATE, "<date>").replace(
        &format!("reproscale {}", reproscale::VERSION),
        "reproscale <version>",
    )
}

fn fresh_for(src: &Path) -> (tempfile::TempDir, Report, String) {
    let dir = common::dir_copy(src);
    let report = assess_dir(dir.path());
    let out = report::generate(&report, None, false, false, DATE).expect("generate");
    (dir, report, out)
}

// ---------------------------------------------------------------- snapshots

#[test]
fn generated_report_of_each_example() {
    for (name, stars) in [
        ("unseeded-notebook", 0),
        ("literal-seed", 1),
        ("seeded-config", 5),
    ] {
        let (dir, report, out) = fresh_for(&example(name));
        assert_eq!(report.stars, stars, "{name}");
        insta::assert_snapshot!(format!("report_{name}"), stable(&out, &report, dir.path()));
    }
}

#[test]
fn generated_report_of_a_dvc_pipeline_with_a_gpu() {
    let dir = common::fixture_copy("dvc-stages-a100-pytorch-image");
    let report = assess_dir(dir.path());
    let out = report::generate(&report, None, false, false, DATE).expect("generate");
    insta::assert_snapshot!(
        "report_dvc-stages-a100-pytorch-image",
        stable(&out, &report, dir.path())
    );
}

// ---------------------------------------------------------------- structure

/// The checklist lines of each of the five sections, in order.
fn section_items(text: &str) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = vec![Vec::new(); 5];
    let mut cur: Option<usize> = None;
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            cur = h
                .chars()
                .next()
                .and_then(|c| c.to_digit(10))
                .map(|d| d as usize - 1);
        } else if let Some(c) = cur {
            if line.starts_with("- [x] ") || line.starts_with("- [ ] ") {
                out[c].push(line.to_string());
            }
        }
    }
    out
}

#[test]
fn generated_report_has_the_template_structure() {
    let (_dir, report, out) = fresh_for(&example("seeded-config"));
    assert!(out.starts_with("# Machine Learning Reproducibility Report\n\n"));
    for h in [
        "## 1. Code",
        "## 2. Configuration",
        "## 3. Data (+ Artifacts)",
        "## 4. Environment",
        "## 5. Evaluation",
        "## Assessment details",
    ] {
        assert!(out.contains(&format!("\n{h}\n")), "{h}");
    }
    let counts: Vec<usize> = section_items(&out).iter().map(Vec::len).collect();
    assert_eq!(counts, [2, 1, 3, 3, 2]);
    assert!(out.contains("★★★★★ 5/5"));
    assert!(out.contains("static assessment"));
    assert!(out.contains(DATE));
    assert_eq!(report.stars, 5);
    // Every criterion has a row in the details table.
    for c in &report.criteria {
        assert!(
            out.contains(&format!("\n| {} | ", c.id)),
            "row for {}",
            c.id
        );
    }
}

#[test]
fn items_are_ticked_only_when_met_and_say_why_not() {
    let (_dir, report, out) = fresh_for(&example("literal-seed"));
    let items = section_items(&out);
    let status = |id: &str| {
        report
            .criteria
            .iter()
            .find(|c| c.id.as_str() == id)
            .expect("criterion")
            .status
    };
    let expected = [
        ("1.1", &items[0][0]),
        ("1.2", &items[0][1]),
        ("2.1", &items[1][0]),
        ("3.1", &items[2][0]),
        ("3.2", &items[2][1]),
        ("3.4", &items[2][2]),
        ("4.1", &items[3][0]),
        ("4.2", &items[3][1]),
        ("4.3", &items[3][2]),
        ("5.1", &items[4][0]),
        ("5.1", &items[4][1]),
    ];
    for (id, line) in expected {
        let met = status(id).is_met();
        assert_eq!(line.starts_with("- [x]"), met, "{id}: {line}");
        if !met {
            assert!(
                line.contains("missing: "),
                "{id} says what is missing: {line}"
            );
            assert!(line.contains("Fix:"), "{id}: {line}");
        }
        if status(id) == reproscale::assessment::Status::NotApplicable {
            assert!(line.contains("not applicable: "), "{line}");
        }
    }
}

#[test]
fn generated_text_has_no_placeholders_and_links_are_relative() {
    for name in ["unseeded-notebook", "literal-seed", "seeded-config"] {
        let (dir, report, out) = fresh_for(&example(name));
        let result = report::check(&report, &out, &exists_in(dir.path()));
        assert!(
            !result
                .problems
                .iter()
                .any(|p| p.kind == ProblemKind::Placeholder),
            "{name}"
        );
        assert!(!out.contains(&dir.path().display().to_string()));
        assert!(
            out.contains("](train.py"),
            "{name} links its code by relative path"
        );
    }
}

#[test]
fn project_text_is_escaped_and_link_targets_encoded() {
    let dir = common::dir_copy(&example("seeded-config"));
    std::fs::rename(
        dir.path().join("predict.py"),
        dir.path().join("my predict.py"),
    )
    .expect("rename");
    let report = assess_dir(dir.path());
    let out = report::generate(&report, None, false, false, DATE).expect("generate");
    assert!(
        out.contains("](my%20predict.py"),
        "spaces are percent-encoded in link targets:\n{out}"
    );
    assert!(!out.contains("](my predict.py"));
    let result = report::check(&report, &out, &exists_in(dir.path()));
    assert!(
        result.consistent(),
        "{}",
        report::render_check_text(&result)
    );
}

// ---------------------------------------------------------------- round trip

#[test]
fn round_trip_of_every_example_and_fixture_is_consistent() {
    let mut projects: Vec<PathBuf> = ["unseeded-notebook", "literal-seed", "seeded-config"]
        .iter()
        .map(|n| example(n))
        .collect();
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(common::fixtures_dir())
        .expect("fixtures")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    fixtures.sort();
    projects.extend(fixtures);
    for src in projects {
        let (dir, report, out) = fresh_for(&src);
        let result = report::check(&report, &out, &exists_in(dir.path()));
        assert!(
            result.consistent(),
            "{}:\n{}\n{out}",
            src.display(),
            report::render_check_text(&result)
        );
        assert_eq!(result.items.len(), 11, "{}", src.display());
        // Regenerating an unchanged project changes nothing.
        let again = report::generate(&report, Some(&out), false, false, DATE).expect("regenerate");
        assert_eq!(again, out, "{}", src.display());
    }
}

#[test]
fn check_json_and_text() {
    let (dir, report, out) = fresh_for(&example("literal-seed"));
    let result = report::check(&report, &out, &exists_in(dir.path()));
    assert!(report::render_check_text(&result).starts_with("consistent: 11 checklist item(s)"));
    let json: serde_json::Value =
        serde_json::from_str(&report::render_check_json(&result)).expect("json");
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["consistent"], true);
    assert_eq!(json["items"].as_array().map(Vec::len), Some(11));
    assert_eq!(json["items"][0]["criterion"], "1.1");
    assert_eq!(json["items"][0]["section"], 1);
    assert_eq!(json["items"][0]["index"], 1);

    let stale = out.replacen(
        "- [ ] **Example environment:**",
        "- [x] **Example environment:**",
        1,
    );
    let result = report::check(&report, &stale, &exists_in(dir.path()));
    let json: serde_json::Value =
        serde_json::from_str(&report::render_check_json(&result)).expect("json");
    assert_eq!(json["consistent"], false);
    assert_eq!(json["problems"][0]["kind"], "over_claim");
    assert!(json["problems"][0]["line"].is_u64());
    assert!(report::render_check_text(&result).contains("over_claim"));
}

// ---------------------------------------------------------------- check

#[test]
fn blank_template_names_each_placeholder() {
    let blank = report::blank_template();
    let (dir, report, _) = fresh_for(&example("seeded-config"));
    let result = report::check(&report, &blank, &exists_in(dir.path()));
    assert!(!result.consistent());
    let placeholders: Vec<&str> = blank
        .split('{')
        .skip(1)
        .filter_map(|s| s.split('}').next())
        .collect();
    assert_eq!(placeholders.len(), 12, "a description and 11 items");
    for ph in &placeholders {
        assert!(
            result
                .problems
                .iter()
                .any(|p| p.kind == ProblemKind::Placeholder
                    && p.message.contains(&format!("{{{ph}}}"))),
            "names {{{ph}}}:\n{}",
            report::render_check_text(&result)
        );
    }
    assert!(!result.problems.iter().any(|p| matches!(
        p.kind,
        ProblemKind::MissingSection | ProblemKind::MissingItem
    )));
    assert_eq!(result.items.len(), 11);
    // The blank boxes of a 5-star project are all "met but not ticked".
    let unticked = result
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::UntickedButMet)
        .count();
    assert_eq!(unticked, 11);
}

#[test]
fn over_claims_name_the_failing_criterion_and_the_missing_files() {
    let (dir, report, out) = fresh_for(&example("literal-seed"));
    let lines: Vec<String> = out
        .lines()
        .map(|l| {
            if l.starts_with("- [ ] **Example environment:**") {
                "- [x] **Example environment:** [Dockerfile](Dockerfile), based on `python:3.11-slim`".to_string()
            } else if l.starts_with("- [ ] **Evaluation app:**") {
                "- [x] **Evaluation app:** [app.py](app.py); run it locally with `streamlit run app.py`".to_string()
            } else {
                l.to_string()
            }
        })
        .collect();
    let text = lines.join("\n") + "\n";
    let result = report::check(&report, &text, &exists_in(dir.path()));
    assert!(!result.consistent());
    let over: Vec<&str> = result
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::OverClaim)
        .map(|p| p.message.as_str())
        .collect();
    assert_eq!(over.len(), 2, "{over:#?}");
    assert!(
        over[0].contains("criterion 4.2 example-environment is fail"),
        "{}",
        over[0]
    );
    assert!(
        over[0].contains("not in the project: Dockerfile"),
        "{}",
        over[0]
    );
    assert!(
        over[1].contains("criterion 5.1 custom-input is fail"),
        "{}",
        over[1]
    );
    assert!(
        over[1].contains("not in the project: app.py"),
        "{}",
        over[1]
    );
    let broken: Vec<&str> = result
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::BrokenLink)
        .map(|p| p.message.as_str())
        .collect();
    assert_eq!(broken.len(), 2, "{broken:?}");
    assert!(broken[0].contains("Dockerfile") && broken[1].contains("app.py"));
}

#[test]
fn unticked_but_met_and_missing_items_and_sections() {
    let (dir, report, out) = fresh_for(&example("seeded-config"));
    let text = out.replacen("- [x] **Runnable code:**", "- [ ] **Runnable code:**", 1);
    // Drop the third data item and the whole evaluation section.
    let text: String = text
        .split_inclusive('\n')
        .filter(|l| !l.starts_with("- [x] **Pipeline steps:**"))
        .collect();
    let cut = text.find("## 5. Evaluation").expect("section 5");
    let tail = text.find("## Assessment details").expect("details");
    let text = format!("{}{}", &text[..cut], &text[tail..]);
    let result = report::check(&report, &text, &exists_in(dir.path()));
    let kinds: Vec<ProblemKind> = result.problems.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        [
            ProblemKind::UntickedButMet,
            ProblemKind::MissingItem,
            ProblemKind::MissingSection
        ],
        "{}",
        report::render_check_text(&result)
    );
    assert!(result.problems[0]
        .message
        .contains("criterion 1.1 runs is pass"));
    assert!(result.problems[1].message.contains("pipeline steps"));
    assert!(result.problems[2].message.contains("5. Evaluation"));
}

#[test]
fn check_reads_headings_and_checkboxes_leniently() {
    let (dir, report, _) = fresh_for(&example("seeded-config"));
    let text = "\
Machine Learning Reproducibility Report
=======================================

### 🧑‍💻 Code
* [X] Code: `train.py`, run with `make train`
+ [x] Example input: [data](data/train.csv)

## 2\\. Configuration
1. [x] [params.json](params.json)

### Data (+ Artifacts)
- [x] data/train.csv, committed
- [x] documented in the README
- [x] not applicable: a light project

```python
# 4. Environment  (a comment in code, not a heading)
- [ ] not an item
```

## 🐳 Environment
- [x] not applicable: standard library only
- [x] [Dockerfile](Dockerfile)
- [x] not applicable: CPU only

#### 5) Evaluation
- [x] predict.py
- [x] `python predict.py --model model.json --input x.json`

## Acknowledgements
- [ ] a to-do of my own
";
    let result = report::check(&report, text, &exists_in(dir.path()));
    assert!(
        result.consistent(),
        "{}",
        report::render_check_text(&result)
    );
    assert_eq!(result.items.len(), 11);
    assert_eq!(result.items[2].section, 2);
    assert_eq!(result.items[2].criterion, Some(CriterionId::C2_1));
    assert_eq!(result.items[0].line, 5);
}

// ---------------------------------------------------------------- regeneration

#[test]
fn regeneration_keeps_the_users_text() {
    let dir = common::dir_copy(&example("seeded-config"));
    let report = assess_dir(dir.path());
    let first = report::generate(&report, None, false, false, DATE).expect("generate");

    let note = "> Note: the sample data is synthetic; the real data is private.\n";
    let custom = "\n## Acknowledgements\n\nThanks to the *data team*. {not a placeholder of ours}? No: `{x}` in code.\n";
    let edited = first
        .replacen(
            "<!-- reproscale:end data -->\n",
            &format!("<!-- reproscale:end data -->\n\n{note}"),
            1,
        )
        .replacen("## 1. Code", "## 1. Code 🧑‍💻 (renamed)", 1)
        + custom;

    // The project changes: the Dockerfile and the .python-version go away.
    std::fs::remove_file(dir.path().join("Dockerfile")).expect("rm");
    std::fs::remove_file(dir.path().join(".python-version")).expect("rm");
    let report = assess_dir(dir.path());
    assert!(report.stars < 5);
    assert_eq!(
        report::mode(Some(&edited), false, false),
        Ok(Mode::Regenerate)
    );
    let second =
        report::generate(&report, Some(&edited), false, false, "2025-02-02").expect("regenerate");

    assert!(second.contains(note), "the note is kept");
    assert!(second.ends_with(custom), "the custom section is kept");
    assert!(second.contains("## 1. Code 🧑‍💻 (renamed)"));
    assert!(second.contains("2025-02-02"));
    assert!(second.contains("- [ ] **Example environment:** missing"));
    assert!(!second.contains("★★★★★"));

    // Outside the blocks, not a byte changed.
    assert_eq!(outside_blocks(&second), outside_blocks(&edited));
    let result = report::check(&report, &second, &exists_in(dir.path()));
    let problems: Vec<ProblemKind> = result.problems.iter().map(|p| p.kind).collect();
    assert_eq!(
        problems,
        [ProblemKind::Placeholder],
        "only the user's own brace text: {}",
        report::render_check_text(&result)
    );
}

#[test]
fn notes_between_items_survive_regeneration() {
    let dir = common::dir_copy(&example("seeded-config"));
    let report = assess_dir(dir.path());
    let first = report::generate(&report, None, false, false, DATE).expect("generate");

    // An indented note under an item, a paragraph between two items, and a
    // line after the progress line.
    let under = "  Needs about 2 GB of RAM; `make train` takes a minute.\n";
    let between = "\nThe schema below was reviewed by the data team.\n\n";
    let lines: Vec<&str> = first.split_inclusive('\n').collect();
    let mut edited = String::new();
    for l in &lines {
        if l.starts_with("- [x] **Example input:**") {
            edited.push_str(l);
            edited.push_str(under);
            continue;
        }
        if l.starts_with("- [x] **Data schema:**") {
            edited.push_str(between);
        }
        edited.push_str(l);
        if l.starts_with("Stage 4 passes") {
            edited.push_str("Last checked by hand in May.\n");
        }
    }
    let again = report::generate(&report, Some(&edited), false, false, DATE).expect("regenerate");
    assert_eq!(again, edited, "an unchanged project: every byte stays");

    std::fs::remove_file(dir.path().join("Dockerfile")).expect("rm");
    let changed = assess_dir(dir.path());
    let second = report::generate(&changed, Some(&edited), false, false, DATE).expect("regenerate");
    assert!(second.contains(&format!("(1920 bytes)\n{under}\nStage 1 passes")));
    assert!(second.contains(&format!("(1920 bytes)\n{between}- [x] **Data schema:**")));
    assert!(second.contains("Stage 4 does not pass"));
    assert!(
        second.contains(").\nLast checked by hand in May.\n<!-- reproscale:end environment -->")
    );
    let third = report::generate(&changed, Some(&second), false, false, DATE).expect("again");
    assert_eq!(third, second, "regeneration is idempotent");
    let result = report::check(&changed, &second, &exists_in(dir.path()));
    assert!(
        result.consistent(),
        "{}",
        report::render_check_text(&result)
    );
}

/// The text with the content of every reproscale block removed.
fn outside_blocks(text: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if t.starts_with("<!-- reproscale:end ") {
            inside = false;
        }
        if !inside {
            out.push_str(line);
        }
        if t.starts_with("<!-- reproscale:begin ") {
            inside = true;
        }
    }
    out
}

#[test]
fn regeneration_restores_deleted_sections_and_keeps_crlf() {
    let (dir, report, out) = fresh_for(&example("literal-seed"));
    let cut = out.find("## 3. Data").expect("data");
    let tail = out.find("## 4. Environment").expect("env");
    let without = format!("{}{}", &out[..cut], &out[tail..]).replace('\n', "\r\n");
    let again = report::generate(&report, Some(&without), false, false, DATE).expect("regenerate");
    assert!(!again.replace("\r\n", "").contains('\n'), "CRLF throughout");
    let again = again.replace("\r\n", "\n");
    let data = again.find("## 3. Data").expect("restored");
    assert!(data < again.find("## 4. Environment").expect("env"));
    assert!(report::check(&report, &again, &exists_in(dir.path())).consistent());
}

// ---------------------------------------------------------------- not ours

const HAND_WRITTEN: &str = "\
# Reproducibility of our model

We wrote this by hand.

## 1. Code
- [ ] Our code lives in train.py; just run it.
- [x] Example input: {link}

## 2. Configuration
* [ ] We keep everything in params.json, mostly.

## 3. Data (+ Artifacts)
- [ ] The data is committed under data/.
- [ ] Data schema: {schema}
- [X] Pipeline: one step, it's tiny.

## 4. Environment
- [ ] No extra packages needed.
- [ ] Docker: {image}
- [ ] No GPU.

## 5. Evaluation
- [ ] Try it with predict.py.

## Contact
Mail us.
";

#[test]
fn a_file_reproscale_did_not_write_is_refused_without_update_or_force() {
    let (_dir, report, _) = fresh_for(&example("seeded-config"));
    let err =
        report::generate(&report, Some(HAND_WRITTEN), false, false, DATE).expect_err("refused");
    assert_eq!(err, ReportError::NotOurs);
    let msg = err.to_string();
    assert!(msg.contains("--update") && msg.contains("--force"), "{msg}");
    assert_eq!(
        report::mode(Some(HAND_WRITTEN), false, true),
        Ok(Mode::Update)
    );
    assert_eq!(
        report::mode(Some(HAND_WRITTEN), true, false),
        Ok(Mode::Force)
    );
    assert_eq!(report::mode(None, false, false), Ok(Mode::Fresh));
    assert_eq!(report::mode(Some(" \n"), false, false), Ok(Mode::Fresh));
}

#[test]
fn update_ticks_in_place_keeping_the_users_wording() {
    let (dir, report, fresh) = fresh_for(&example("seeded-config"));
    let updated = report::generate(&report, Some(HAND_WRITTEN), false, true, DATE).expect("update");

    for kept in [
        "# Reproducibility of our model\n\nWe wrote this by hand.\n",
        "- [x] Our code lives in train.py; just run it.\n",
        "* [x] We keep everything in params.json, mostly.\n",
        "- [x] The data is committed under data/.\n",
        "- [X] Pipeline: one step, it's tiny.\n",
        "- [x] No extra packages needed.\n",
        "- [x] No GPU.\n",
        "- [x] Try it with predict.py.\n",
        "## Contact\nMail us.\n",
    ] {
        assert!(updated.contains(kept), "keeps {kept:?}:\n{updated}");
    }
    // Placeholders are filled with what reproscale found.
    assert!(updated.contains("- [x] Example input: [data/train.csv](data/train.csv)"));
    assert!(updated.contains("- [x] Data schema: [README.md § Data](README.md#data)"));
    assert!(updated.contains("- [x] Docker: [Dockerfile](Dockerfile#L2)"));
    // The missing 5.2 item, the stars line and the details table are added.
    assert!(updated.contains("- [x] **Evaluation app:**"));
    assert!(updated.contains("★★★★★ 5/5"));
    assert!(updated.contains("<!-- reproscale:begin details -->"));
    let stars = updated.find("★★★★★").expect("stars");
    assert!(stars > updated.find("We wrote this by hand.").expect("description"));
    assert!(stars < updated.find("## 1. Code").expect("code"));

    let result = report::check(&report, &updated, &exists_in(dir.path()));
    assert!(
        result.consistent(),
        "{}",
        report::render_check_text(&result)
    );

    // From now on the file is ours; regenerating changes nothing.
    assert_eq!(
        report::mode(Some(&updated), false, false),
        Ok(Mode::Regenerate)
    );
    let again = report::generate(&report, Some(&updated), false, false, DATE).expect("again");
    assert_eq!(again, updated);

    // --force replaces it.
    let forced = report::generate(&report, Some(HAND_WRITTEN), true, false, DATE).expect("force");
    assert_eq!(forced, fresh);
}

#[test]
fn update_fills_the_blank_template() {
    let (dir, report, _) = fresh_for(&example("literal-seed"));
    let blank = report::blank_template();
    let filled = report::generate(&report, Some(&blank), false, true, DATE).expect("update");
    let result = report::check(&report, &filled, &exists_in(dir.path()));
    assert!(
        result.consistent(),
        "{}\n{filled}",
        report::render_check_text(&result)
    );
    assert!(!filled.contains("{one line"));
    assert!(filled.contains("- [x] Runnable code: [train.py](train.py)"));
}

// ---------------------------------------------------------------- hostile

#[test]
fn hostile_files_are_refused_and_nothing_is_generated() {
    let (_dir, report, out) = fresh_for(&example("literal-seed"));

    let huge = format!("{out}{}", "x".repeat(1536 * 1024));
    assert!(matches!(
        report::generate(&report, Some(&huge), false, true, DATE),
        Err(ReportError::Hostile(_))
    ));
    assert!(matches!(
        report::read_existing(huge.as_bytes()),
        Err(ReportError::Hostile(_))
    ));

    let binary = [0x89u8, b'P', b'N', b'G', 0, 1, 2, 0xff, 0xfe];
    let err = report::read_existing(&binary).expect_err("binary");
    assert!(err.to_string().contains("nothing was written"), "{err}");
    assert!(matches!(
        report::read_existing(&[b'a', 0xff, b'b']),
        Err(ReportError::Hostile(_))
    ));
    let with_nul = format!("{out}\0");
    assert!(matches!(
        report::generate(&report, Some(&with_nul), false, false, DATE),
        Err(ReportError::Hostile(_))
    ));
    assert_eq!(report::read_existing(out.as_bytes()), Ok(out.as_str()));

    // A generated file whose fence never closes: markers after it would be read as code.
    let fenced = out.replacen("## 2. Configuration", "```python\n## 2. Configuration", 1);
    let err = report::generate(&report, Some(&fenced), false, false, DATE).expect_err("fence");
    assert!(err.to_string().contains("never closed"), "{err}");

    // Markers that do not pair up.
    let broken = out.replacen("<!-- reproscale:end code -->\n", "", 1);
    let err = report::generate(&report, Some(&broken), false, false, DATE).expect_err("markers");
    assert!(
        err.to_string().contains("never ends") || err.to_string().contains("begins inside"),
        "{err}"
    );
    let dup = format!("{out}<!-- reproscale:begin code -->\n<!-- reproscale:end code -->\n");
    assert!(matches!(
        report::generate(&report, Some(&dup), false, false, DATE),
        Err(ReportError::Hostile(_))
    ));

    // --force replaces even a broken file.
    assert!(report::generate(&report, Some(&broken), true, false, DATE).is_ok());
}

#[test]
fn check_survives_hostile_text() {
    let (dir, report, out) = fresh_for(&example("literal-seed"));
    let exists = exists_in(dir.path());
    let unclosed = out.replacen("## 2. Configuration", "````\n## 2. Configuration", 1);
    let r = report::check(&report, &unclosed, &exists);
    assert!(!r.consistent());
    assert!(r
        .problems
        .iter()
        .any(|p| p.kind == ProblemKind::MissingSection));

    let huge = "- [x] {a} [b](c) `d` ## e\n".repeat(60_000);
    let r = report::check(&report, &huge, &exists);
    assert!(!r.consistent());

    // Pathological lines stay fast: code-span runs of every length, and an
    // over-claimed item with thousands of links.
    let runs: String = (1..1200).map(|n| "`".repeat(n) + " x ").collect();
    let links = format!(
        "## 4. Environment\n- [ ] a\n- [x] {}\n",
        "[d](Dockerfile) `app.py` serve.py ".repeat(20_000)
    );
    let started = std::time::Instant::now();
    let r = report::check(&report, &runs, &exists);
    assert!(r.items.is_empty());
    let r = report::check(&report, &links, &exists);
    assert!(r.problems.iter().any(|p| p.kind == ProblemKind::OverClaim
        && p.message
            .contains("not in the project: Dockerfile, app.py, serve.py")));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );

    let strange = [
        String::new(),
        "\n\n\n".into(),
        "[".repeat(10_000),
        "](".repeat(10_000),
        "`".repeat(10_001),
        "{".repeat(5_000) + &"}".repeat(5_000),
        "<!--".repeat(1000),
        "# \u{202e}1. Code\n- [x] \u{0}\u{1}é[x](%ff%fe%)\n".into(),
        "## 1. Code\n- [x] [a](../../../etc/passwd)\n- [x] [b](/abs/path)\n".into(),
        "<!-- reproscale:begin code -->\n- [x] a\n".into(),
        "<!-- reproscale:end code -->\n<!-- reproscale:begin nope -->\n".into(),
        "## 1. Code\r\n- [x]\r\n- [ ]".into(),
        "- [x] é".repeat(1000),
        "#".repeat(7) + " 1. Code\n",
        "## 1.\n## \n##\n#\n===\n---\n".into(),
    ];
    for s in &strange {
        let r = report::check(&report, s, &exists);
        let _ = report::render_check_text(&r);
        let _ = report::render_check_json(&r);
        let _ = report::generate(&report, Some(s), false, true, DATE);
    }
    let r = report::check(
        &report,
        "## 1. Code\n- [x] [a](../../../etc/passwd)\n",
        &exists,
    );
    assert!(r
        .problems
        .iter()
        .any(|p| p.kind == ProblemKind::BrokenLink && p.message.contains("outside the project")));
}
