//! Turning findings and facts into evidence items, with a cap so outputs stay readable.

use crate::assessment::Evidence;
use crate::facts::values::Loc;
use crate::lint::Finding;

/// Evidence at a Python location.
pub fn at(path: &str, loc: Loc, note: impl Into<String>) -> Evidence {
    Evidence {
        path: path.to_string(),
        line: Some(loc.line),
        cell: loc.cell,
        note: note.into(),
    }
}

/// Evidence at an optional line of a non-Python file.
pub fn line(path: &str, line: Option<u32>, note: impl Into<String>) -> Evidence {
    Evidence {
        path: path.to_string(),
        line,
        cell: None,
        note: note.into(),
    }
}

/// Evidence from a finding, with its rule id.
pub fn finding(f: &Finding) -> Evidence {
    Evidence {
        path: f.path.clone(),
        line: f.line,
        cell: f.cell,
        note: format!("{} [{}]", f.message, f.rule),
    }
}

/// A finding off the run path, as a note.
pub fn off_path(f: &Finding) -> Evidence {
    let mut e = finding(f);
    if f.on_run_path {
        e.note = format!("advice, does not change the status: {}", e.note);
    } else {
        e.note = format!("off the run path: {}", e.note);
    }
    e
}
