//! Tolerances (per dtype, per artifact glob, global), the closeness test
//! `|a - b| <= atol + rtol * |b|`, and the statistics every format-aware
//! comparison accumulates.

use serde::Serialize;

use super::globs::{GlobError, PathGlobs};

/// A relative and an absolute tolerance, as `torch.testing.assert_close`
/// uses them: `a` and `b` are close when `|a - b| <= atol + rtol * |b|`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Tol {
    /// Relative tolerance.
    pub rtol: f64,
    /// Absolute tolerance.
    pub atol: f64,
}

impl Tol {
    /// Exact comparison.
    pub const EXACT: Tol = Tol {
        rtol: 0.0,
        atol: 0.0,
    };

    /// Whether `a` (first run) is close to `b` (second run, the reference).
    #[inline]
    pub fn close(&self, a: f64, b: f64) -> bool {
        (a - b).abs() <= self.atol + self.rtol * b.abs()
    }
}

/// The element types tolerances are chosen by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DType {
    /// IEEE half precision.
    F16,
    /// bfloat16.
    BF16,
    /// Single precision.
    F32,
    /// Double precision; also numbers in JSON, YAML, TOML, CSV and text.
    F64,
    /// Any integer width, signed or unsigned.
    Int,
    /// Booleans: always compared exactly.
    Bool,
}

/// Tolerances for an artifact: defaults per dtype (those of
/// `torch.testing`), then a global override, then per-artifact overrides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tolerances {
    /// float16 default (rtol 1e-3, atol 1e-5).
    pub f16: Tol,
    /// bfloat16 default (rtol 1.6e-2, atol 1e-5).
    pub bf16: Tol,
    /// float32 default (rtol 1.3e-6, atol 1e-5).
    pub f32: Tol,
    /// float64 default (rtol 1e-7, atol 1e-7); used for numbers in
    /// structured and text files too.
    pub f64: Tol,
    /// Integer default (exact).
    pub int: Tol,
    /// Per-artifact overrides: a glob on the artifact's relative path and the
    /// tolerance for every dtype of that artifact except bool. When several
    /// match, the last one wins. A glob without `/` also matches the file
    /// name alone; `*` stays within one path segment, `**` crosses them,
    /// `?` is one character.
    pub overrides: Vec<(String, Tol)>,
    /// A tolerance for every dtype except bool, below the per-artifact
    /// overrides and above the per-dtype defaults.
    pub global: Option<Tol>,
}

impl Default for Tolerances {
    fn default() -> Self {
        Tolerances {
            f16: Tol {
                rtol: 1e-3,
                atol: 1e-5,
            },
            bf16: Tol {
                rtol: 1.6e-2,
                atol: 1e-5,
            },
            f32: Tol {
                rtol: 1.3e-6,
                atol: 1e-5,
            },
            f64: Tol {
                rtol: 1e-7,
                atol: 1e-7,
            },
            int: Tol::EXACT,
            overrides: Vec::new(),
            global: None,
        }
    }
}

impl Tolerances {
    /// The tolerance for elements of `dtype` in the artifact at `path`
    /// (relative, `/`-separated). Booleans are always exact. This compiles
    /// the override globs on every call (and skips one that does not
    /// compile): for many paths, [`Tolerances::compile`] once instead.
    pub fn for_dtype(&self, path: &str, dtype: DType) -> Tol {
        let over = self
            .overrides
            .iter()
            .rev()
            .find(|(glob, _)| path_glob_match(glob, path))
            .map(|(_, tol)| *tol);
        self.resolve(over).for_dtype(dtype)
    }

    /// Compiles the per-artifact override globs once, for every path; a glob
    /// that cannot be compiled is an error naming it.
    pub fn compile(&self) -> Result<CompiledTolerances, GlobError> {
        Ok(CompiledTolerances {
            base: self.resolve(None),
            overrides: PathGlobs::new(self.overrides.iter().map(|(g, t)| (g.as_str(), *t)))?,
        })
    }

    /// These tolerances for an artifact whose matching override (if any)
    /// is `over`.
    fn resolve(&self, over: Option<Tol>) -> PathTol {
        PathTol {
            all: over.or(self.global),
            f16: self.f16,
            bf16: self.bf16,
            f32: self.f32,
            f64: self.f64,
            int: self.int,
        }
    }
}

/// [`Tolerances`] with the override globs compiled.
#[derive(Debug, Clone)]
pub struct CompiledTolerances {
    base: PathTol,
    overrides: PathGlobs<Tol>,
}

impl CompiledTolerances {
    /// The tolerances for the artifact at `path` (relative, `/`-separated).
    pub fn for_path(&self, path: &str) -> PathTol {
        PathTol {
            all: self.overrides.last_match(path).copied().or(self.base.all),
            ..self.base
        }
    }
}

/// The tolerances of one artifact, per dtype.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PathTol {
    /// The matching override, else the global tolerance: every dtype but bool.
    all: Option<Tol>,
    f16: Tol,
    bf16: Tol,
    f32: Tol,
    f64: Tol,
    int: Tol,
}

impl PathTol {
    /// The tolerance for elements of `dtype`. Booleans are always exact.
    pub fn for_dtype(&self, dtype: DType) -> Tol {
        if dtype == DType::Bool {
            return Tol::EXACT;
        }
        if let Some(tol) = self.all {
            return tol;
        }
        match dtype {
            DType::F16 => self.f16,
            DType::BF16 => self.bf16,
            DType::F32 => self.f32,
            DType::F64 => self.f64,
            DType::Int => self.int,
            DType::Bool => Tol::EXACT,
        }
    }
}

/// Whether a path glob matches a relative, `/`-separated path. A glob
/// without `/` also matches the last path segment. A glob that does not
/// compile matches nothing; [`Tolerances::compile`] reports it.
pub fn path_glob_match(glob: &str, path: &str) -> bool {
    PathGlobs::new([(glob, ())]).is_ok_and(|g| g.is_match(path))
}

/// How two numbers compare.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cmp {
    /// Numerically equal (NaN equals NaN, `-0` equals `0`).
    Equal,
    /// Different but within tolerance.
    Within {
        /// `|a - b|`.
        abs: f64,
        /// `|a - b| / |b|`, when `b` is non-zero.
        rel: Option<f64>,
    },
    /// Beyond tolerance.
    Exceeds {
        /// `|a - b|`, when both are finite.
        abs: Option<f64>,
        /// `|a - b| / |b|`, when both are finite and `b` is non-zero.
        rel: Option<f64>,
    },
}

/// Compares two floats.
#[inline]
pub(crate) fn cmp_f64(a: f64, b: f64, tol: Tol) -> Cmp {
    if a == b || (a.is_nan() && b.is_nan()) {
        return Cmp::Equal;
    }
    if !a.is_finite() || !b.is_finite() {
        return Cmp::Exceeds {
            abs: None,
            rel: None,
        };
    }
    let abs = (a - b).abs();
    let rel = if b != 0.0 { Some(abs / b.abs()) } else { None };
    if abs <= tol.atol + tol.rtol * b.abs() {
        Cmp::Within { abs, rel }
    } else {
        Cmp::Exceeds {
            abs: Some(abs),
            rel,
        }
    }
}

/// Compares two integers exactly, or with a tolerance when one is set.
#[inline]
pub(crate) fn cmp_int(a: i128, b: i128, tol: Tol) -> Cmp {
    if a == b {
        return Cmp::Equal;
    }
    let abs = a.abs_diff(b) as f64;
    let bf = b.unsigned_abs() as f64;
    let rel = if b != 0 { Some(abs / bf) } else { None };
    if abs <= tol.atol + tol.rtol * bf {
        Cmp::Within { abs, rel }
    } else {
        Cmp::Exceeds {
            abs: Some(abs),
            rel,
        }
    }
}

/// Statistics gathered while comparing one artifact, in document order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Stats {
    /// Numeric elements compared.
    pub total: u64,
    /// Numeric elements not exactly equal.
    pub differing: u64,
    /// Numeric elements beyond tolerance (non-finite mismatches included).
    pub exceeding: u64,
    /// Numeric mismatches involving NaN or infinity.
    pub nonfinite: u64,
    /// Non-numeric differences: strings, booleans, structure, shapes.
    pub mismatches: u64,
    /// Largest finite `|a - b|`.
    pub max_abs: f64,
    /// Largest finite `|a - b| / |b|` over non-zero `b`.
    pub max_rel: f64,
    /// Where the first difference of any kind is.
    pub first_diff: Option<String>,
    /// Where the first difference beyond tolerance (or non-numeric) is.
    pub first_bad: Option<String>,
    /// What the first difference beyond tolerance is, for the note.
    pub first_bad_detail: Option<String>,
    /// Volatile keys that were skipped and differed.
    pub volatile_skipped: Vec<String>,
    /// Further notes.
    pub notes: Vec<String>,
}

impl Stats {
    /// Records a numeric comparison made at `at`.
    pub fn record(
        &mut self,
        cmp: Cmp,
        at: impl FnOnce() -> String,
        detail: impl FnOnce() -> String,
    ) {
        self.total += 1;
        match cmp {
            Cmp::Equal => {}
            Cmp::Within { abs, rel } => {
                self.differing += 1;
                self.bump(Some(abs), rel);
                if self.first_diff.is_none() {
                    self.first_diff = Some(at());
                }
            }
            Cmp::Exceeds { abs, rel } => {
                self.differing += 1;
                self.exceeding += 1;
                if abs.is_none() {
                    self.nonfinite += 1;
                }
                self.bump(abs, rel);
                if self.first_diff.is_none() || self.first_bad.is_none() {
                    let where_ = at();
                    if self.first_diff.is_none() {
                        self.first_diff = Some(where_.clone());
                    }
                    if self.first_bad.is_none() {
                        self.first_bad_detail = Some(format!("{where_}: {}", detail()));
                        self.first_bad = Some(where_);
                    }
                }
            }
        }
    }

    fn bump(&mut self, abs: Option<f64>, rel: Option<f64>) {
        if let Some(abs) = abs {
            if abs > self.max_abs {
                self.max_abs = abs;
            }
        }
        if let Some(rel) = rel {
            if rel.is_finite() && rel > self.max_rel {
                self.max_rel = rel;
            }
        }
    }

    /// Records a non-numeric difference at `at`.
    pub fn mismatch(&mut self, at: impl FnOnce() -> String, detail: impl FnOnce() -> String) {
        self.mismatches += 1;
        if self.first_diff.is_none() || self.first_bad.is_none() {
            let where_ = at();
            if self.first_diff.is_none() {
                self.first_diff = Some(where_.clone());
            }
            if self.first_bad.is_none() {
                let shown = if where_.is_empty() { "(root)" } else { &where_ };
                self.first_bad_detail = Some(format!("{shown}: {}", detail()));
                self.first_bad = Some(where_);
            }
        }
    }

    /// Appends statistics gathered after these.
    pub fn merge(&mut self, other: Stats) {
        self.total += other.total;
        self.differing += other.differing;
        self.exceeding += other.exceeding;
        self.nonfinite += other.nonfinite;
        self.mismatches += other.mismatches;
        self.max_abs = self.max_abs.max(other.max_abs);
        self.max_rel = self.max_rel.max(other.max_rel);
        if self.first_diff.is_none() {
            self.first_diff = other.first_diff;
        }
        if self.first_bad.is_none() {
            self.first_bad = other.first_bad;
            self.first_bad_detail = other.first_bad_detail;
        }
        self.volatile_skipped.extend(other.volatile_skipped);
        self.notes.extend(other.notes);
    }

    /// Whether anything is beyond tolerance or differs non-numerically.
    pub fn is_bad(&self) -> bool {
        self.exceeding > 0 || self.mismatches > 0
    }
}

/// Shortens a value for a note.
pub(crate) fn shorten(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let cut: String = s.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_torch_testing() {
        let t = Tolerances::default();
        assert_eq!(
            t.for_dtype("x.npy", DType::F32),
            Tol {
                rtol: 1.3e-6,
                atol: 1e-5
            }
        );
        assert_eq!(
            t.for_dtype("x.npy", DType::F64),
            Tol {
                rtol: 1e-7,
                atol: 1e-7
            }
        );
        assert_eq!(
            t.for_dtype("x.npy", DType::F16),
            Tol {
                rtol: 1e-3,
                atol: 1e-5
            }
        );
        assert_eq!(
            t.for_dtype("x.npy", DType::BF16),
            Tol {
                rtol: 1.6e-2,
                atol: 1e-5
            }
        );
        assert_eq!(t.for_dtype("x.npy", DType::Int), Tol::EXACT);
        assert_eq!(t.for_dtype("x.npy", DType::Bool), Tol::EXACT);
    }

    #[test]
    fn overrides_then_global_then_defaults() {
        let loose = Tol {
            rtol: 0.1,
            atol: 0.1,
        };
        let mid = Tol {
            rtol: 0.01,
            atol: 0.0,
        };
        let t = Tolerances {
            overrides: vec![("models/**".into(), loose), ("*.json".into(), mid)],
            global: Some(Tol {
                rtol: 1e-3,
                atol: 0.0,
            }),
            ..Tolerances::default()
        };
        assert_eq!(t.for_dtype("models/a/w.npy", DType::F32), loose);
        assert_eq!(
            t.for_dtype("models/a/w.json", DType::F32),
            mid,
            "last match wins"
        );
        assert_eq!(t.for_dtype("out/m.json", DType::F64), mid, "basename match");
        assert_eq!(t.for_dtype("out/x.csv", DType::F64).rtol, 1e-3);
        assert_eq!(t.for_dtype("models/a/w.npy", DType::Bool), Tol::EXACT);
    }

    #[test]
    fn globs() {
        assert!(path_glob_match("*.npy", "a/b/c.npy"));
        assert!(!path_glob_match("a/*.npy", "a/b/c.npy"));
        assert!(path_glob_match("a/**/*.npy", "a/b/c.npy"));
        assert!(path_glob_match("a/**/*.npy", "a/c.npy"));
        assert!(path_glob_match("**", "x/y"));
        assert!(path_glob_match("metrics/?.json", "metrics/a.json"));
        assert!(!path_glob_match("metrics/?.json", "metrics/ab.json"));
    }

    #[test]
    fn closeness() {
        let tol = Tol {
            rtol: 1e-7,
            atol: 1e-7,
        };
        assert_eq!(cmp_f64(1.0, 1.0, tol), Cmp::Equal);
        assert_eq!(cmp_f64(f64::NAN, f64::NAN, tol), Cmp::Equal);
        assert_eq!(cmp_f64(0.0, -0.0, tol), Cmp::Equal);
        assert!(matches!(cmp_f64(1.0 + 1e-13, 1.0, tol), Cmp::Within { .. }));
        assert!(matches!(
            cmp_f64(1.1, 1.0, tol),
            Cmp::Exceeds { abs: Some(_), .. }
        ));
        assert!(matches!(
            cmp_f64(f64::NAN, 1.0, tol),
            Cmp::Exceeds { abs: None, .. }
        ));
        assert!(matches!(
            cmp_f64(f64::INFINITY, f64::NEG_INFINITY, tol),
            Cmp::Exceeds { .. }
        ));
        assert_eq!(cmp_int(5, 5, Tol::EXACT), Cmp::Equal);
        assert!(matches!(cmp_int(5, 6, Tol::EXACT), Cmp::Exceeds { .. }));
        assert!(matches!(
            cmp_int(
                5,
                6,
                Tol {
                    rtol: 0.0,
                    atol: 1.0
                }
            ),
            Cmp::Within { .. }
        ));
    }

    #[test]
    fn stats_track_first_and_max() {
        let tol = Tol {
            rtol: 0.0,
            atol: 0.5,
        };
        let mut s = Stats::default();
        s.record(cmp_f64(1.0, 1.0, tol), || "a".into(), String::new);
        s.record(cmp_f64(1.25, 1.0, tol), || "b".into(), String::new);
        s.record(cmp_f64(3.0, 1.0, tol), || "c".into(), || "3 vs 1".into());
        s.record(cmp_f64(9.0, 1.0, tol), || "d".into(), String::new);
        assert_eq!(s.total, 4);
        assert_eq!(s.differing, 3);
        assert_eq!(s.exceeding, 2);
        assert_eq!(s.max_abs, 8.0);
        assert_eq!(s.first_diff.as_deref(), Some("b"));
        assert_eq!(s.first_bad.as_deref(), Some("c"));
        assert_eq!(s.first_bad_detail.as_deref(), Some("c: 3 vs 1"));
        assert!(s.is_bad());
    }
}
