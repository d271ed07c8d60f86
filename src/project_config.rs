//! The project's own settings for reproscale: `[tool.reproscale]` in
//! `pyproject.toml`, or the same keys at the top of `reproscale.toml`.
//!
//! ```toml
//! [tool.reproscale]
//! exclude = ["scratch/", "*.bak.py"]          # gitignore-style patterns
//! run = "python train.py"                      # the pipeline command for `verify`
//! artifacts = ["outputs/**"]                   # outputs to compare in `verify`
//!
//! [tool.reproscale.overrides]
//! "4.3" = { status = "not_applicable", reason = "CPU-only by design" }
//! ```
//!
//! Unknown keys are errors with a suggestion, so a typo never silently
//! changes an assessment.

use std::collections::BTreeMap;

use crate::assessment::Status;
use crate::criteria::catalog;
use crate::criteria::id::CriterionId;
use crate::source::{Project, Skipped};

/// An error in the project's reproscale settings.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ConfigError {
    /// The settings file.
    pub path: String,
    /// What is wrong, with a suggestion when there is one.
    pub message: String,
}

/// A status forced by the project, with the reason shown in every output.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// The status to report.
    pub status: Status,
    /// Why (required).
    pub reason: String,
    /// Where it was set.
    pub source: String,
}

/// The settings, validated.
#[derive(Debug, Clone, Default)]
pub struct ProjectConfig {
    /// The file the settings came from, if any.
    pub source: Option<String>,
    /// gitignore-style patterns of files to leave out.
    pub exclude: Vec<String>,
    /// Overrides by criterion id.
    pub overrides: BTreeMap<CriterionId, Override>,
    /// The pipeline command for `verify`.
    pub run: Option<String>,
    /// Artifact globs for `verify`.
    pub artifacts: Vec<String>,
    /// Extra globs `verify` leaves out of the comparison.
    pub artifact_exclude: Vec<String>,
    /// Extra keys `verify` ignores in structured outputs (`*_time`, `wall_clock`).
    pub volatile_keys: Vec<String>,
    /// Tolerances for `verify`, kept as written until `verify` reads them.
    pub tolerances: Option<toml::Table>,
}

const KEYS: &[&str] = &[
    "exclude",
    "overrides",
    "run",
    "artifacts",
    "tolerances",
    "volatile_keys",
    "artifact_exclude",
];
const OVERRIDE_KEYS: &[&str] = &["status", "reason"];

/// The statuses an override may set (`unknown` is reproscale's own).
const OVERRIDE_STATUSES: [Status; 4] = [
    Status::Pass,
    Status::Partial,
    Status::Fail,
    Status::NotApplicable,
];

impl ProjectConfig {
    /// Reads the settings from the project's files (`reproscale.toml` wins over `pyproject.toml`).
    pub fn from_project(project: &Project) -> Result<ProjectConfig, ConfigError> {
        let text_of = |p: &str| project.file(p).and_then(|f| f.text()).map(str::to_string);
        // Settings the user wrote must never be dropped silently: a reproscale.toml that
        // exists but could not be read as text (not UTF-8, too large, a FIFO) is an error.
        if project.exists("reproscale.toml") && text_of("reproscale.toml").is_none() {
            let why = project
                .skipped
                .iter()
                .find(|s| s.path == "reproscale.toml")
                .map_or("not readable as UTF-8 text", |s| s.reason.as_str());
            return Err(ConfigError {
                path: "reproscale.toml".into(),
                message: format!("cannot be read: {why}"),
            });
        }
        if let Some(text) = text_of("reproscale.toml") {
            let table = parse_toml("reproscale.toml", &text)?;
            return Self::from_table("reproscale.toml", &table);
        }
        if let Some(text) = text_of("pyproject.toml") {
            let table = parse_toml("pyproject.toml", &text)?;
            let section = table.get("tool").and_then(|t| t.get("reproscale"));
            return match section {
                Some(toml::Value::Table(t)) => {
                    Self::from_table("pyproject.toml [tool.reproscale]", t)
                }
                Some(_) => Err(ConfigError {
                    path: "pyproject.toml".into(),
                    message: "[tool.reproscale] must be a table".into(),
                }),
                None => Ok(ProjectConfig::default()),
            };
        }
        Ok(ProjectConfig::default())
    }

    fn from_table(source: &str, t: &toml::Table) -> Result<ProjectConfig, ConfigError> {
        let err = |message: String| ConfigError {
            path: source.to_string(),
            message,
        };
        let mut cfg = ProjectConfig {
            source: Some(source.to_string()),
            ..ProjectConfig::default()
        };
        for (key, value) in t {
            match key.as_str() {
                "exclude" | "artifacts" | "volatile_keys" | "artifact_exclude" => {
                    let list = string_list(value)
                        .ok_or_else(|| err(format!("`{key}` must be a list of strings")))?;
                    match key.as_str() {
                        "exclude" => cfg.exclude = list,
                        "artifacts" => cfg.artifacts = list,
                        "artifact_exclude" => cfg.artifact_exclude = list,
                        _ => cfg.volatile_keys = list,
                    }
                }
                "run" => {
                    let run = value.as_str().ok_or_else(|| {
                        err("`run` must be a string (the pipeline command)".into())
                    })?;
                    cfg.run = Some(run.to_string());
                }
                "tolerances" => {
                    let table = value
                        .as_table()
                        .ok_or_else(|| err("`tolerances` must be a table".into()))?;
                    cfg.tolerances = Some(table.clone());
                }
                "overrides" => {
                    let table = value.as_table().ok_or_else(|| {
                        err("`overrides` must be a table keyed by criterion id".into())
                    })?;
                    for (id, spec) in table {
                        let def = catalog::find(id).ok_or_else(|| {
                            let known: Vec<&str> = catalog::CRITERIA
                                .iter()
                                .flat_map(|c| [c.id.as_str(), c.slug])
                                .collect();
                            err(format!(
                                "unknown criterion `{id}` in overrides{}",
                                crate::suggest::did_you_mean(id, &known)
                            ))
                        })?;
                        let spec = spec
                            .as_table()
                            .ok_or_else(|| err(format!("override for {id} must be a table like {{ status = \"not_applicable\", reason = \"…\" }}")))?;
                        for k in spec.keys() {
                            if !OVERRIDE_KEYS.contains(&k.as_str()) {
                                return Err(err(format!(
                                    "unknown key `{k}` in the override for {id}{}",
                                    crate::suggest::did_you_mean(k, OVERRIDE_KEYS)
                                )));
                            }
                        }
                        let status = match spec.get("status").and_then(|s| s.as_str()) {
                            Some(name) => match name.parse::<Status>() {
                                Ok(status) if OVERRIDE_STATUSES.contains(&status) => status,
                                _ => {
                                    let other = name;
                                    let options = OVERRIDE_STATUSES.map(Status::as_str);
                                    return Err(err(format!("status `{other}` for {id} is not one of pass, partial, fail, not_applicable{}", crate::suggest::did_you_mean(other, &options))));
                                }
                            },
                            None => {
                                return Err(err(format!("the override for {id} needs a `status`")))
                            }
                        };
                        let reason = spec
                            .get("reason")
                            .and_then(|r| r.as_str())
                            .map(str::trim)
                            .filter(|r| !r.is_empty())
                            .ok_or_else(|| err(format!("the override for {id} needs a non-empty `reason`: it is shown in every output")))?;
                        cfg.overrides.insert(
                            def.id,
                            Override {
                                status,
                                reason: reason.to_string(),
                                source: source.to_string(),
                            },
                        );
                    }
                }
                other => {
                    return Err(err(format!(
                        "unknown key `{other}`{}",
                        crate::suggest::did_you_mean(other, KEYS)
                    )))
                }
            }
        }
        Ok(cfg)
    }

    /// Removes excluded files from the project, recording one skip per pattern.
    pub fn apply_excludes(&self, project: &mut Project) -> Result<(), ConfigError> {
        if self.exclude.is_empty() {
            return Ok(());
        }
        let source = self.source.clone().unwrap_or_default();
        let mut builder = ignore::gitignore::GitignoreBuilder::new("");
        for pattern in &self.exclude {
            builder.add_line(None, pattern).map_err(|e| ConfigError {
                path: source.clone(),
                message: format!("bad exclude pattern `{pattern}`: {e}"),
            })?;
        }
        let matcher = builder.build().map_err(|e| ConfigError {
            path: source.clone(),
            message: format!("bad exclude patterns: {e}"),
        })?;
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        project.files.retain(|f| {
            let m = matcher.matched_path_or_any_parents(&f.path, false);
            if let ignore::Match::Ignore(glob) = m {
                *counts.entry(glob.original().to_string()).or_default() += 1;
                false
            } else {
                true
            }
        });
        for (pattern, n) in counts {
            project.skipped.push(Skipped {
                path: pattern,
                reason: format!("excluded by {source} ({n} file(s))"),
            });
        }
        project.skipped.sort();
        Ok(())
    }
}

fn parse_toml(path: &str, text: &str) -> Result<toml::Table, ConfigError> {
    text.parse::<toml::Table>().map_err(|e| ConfigError {
        path: path.to_string(),
        message: format!("not valid TOML: {}", e.message()),
    })
}

fn string_list(v: &toml::Value) -> Option<Vec<String>> {
    v.as_array()?
        .iter()
        .map(|x| x.as_str().map(String::from))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(s: &str) -> toml::Table {
        s.parse().expect("toml")
    }

    #[test]
    fn overrides_need_a_reason_and_a_known_status() {
        let ok = ProjectConfig::from_table(
            "r.toml",
            &table(
                "[overrides]\n\"4.3\" = { status = \"not_applicable\", reason = \"CPU only\" }\n",
            ),
        )
        .expect("ok");
        assert_eq!(
            ok.overrides[&CriterionId::C4_3].status,
            Status::NotApplicable
        );
        let slug = ProjectConfig::from_table(
            "r.toml",
            &table("[overrides.hardware-documented]\nstatus = \"pass\"\nreason = \"see docs\"\n"),
        )
        .expect("ok");
        assert!(slug.overrides.contains_key(&CriterionId::C4_3));
        let no_reason = ProjectConfig::from_table(
            "r.toml",
            &table("[overrides]\n\"4.3\" = { status = \"pass\" }\n"),
        )
        .expect_err("reason");
        assert!(no_reason.message.contains("reason"));
        let bad = ProjectConfig::from_table(
            "r.toml",
            &table("[overrides]\n\"4.3\" = { status = \"passed\", reason = \"x\" }\n"),
        )
        .expect_err("status");
        assert!(
            bad.message.contains("did you mean `pass`"),
            "{}",
            bad.message
        );
    }

    #[test]
    fn unknown_keys_are_errors_with_suggestions() {
        let e =
            ProjectConfig::from_table("r.toml", &table("exlude = [\"a\"]\n")).expect_err("typo");
        assert_eq!(
            e.to_string(),
            "r.toml: unknown key `exlude` (did you mean `exclude`?)"
        );
        let e = ProjectConfig::from_table(
            "r.toml",
            &table("[overrides]\n\"9.9\" = { status = \"pass\", reason = \"x\" }\n"),
        )
        .expect_err("id");
        assert!(e.message.contains("unknown criterion `9.9`"));
    }
}
