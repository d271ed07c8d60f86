//! Turning findings and facts into evidence items, with a cap so outputs stay readable.

use crate::assessment::Evidence;
use crate::facts::values::Loc;
use crate::lint::Finding;

/// At most this many evidence items per criterion; the rest are counted.
pub const MAX_EVIDENCE: usize = 25;

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
    e.note = format!("off the run path: {}", e.note);
    e
}

/// Caps a list, adding one item that counts what was left out.
pub fn capped(mut items: Vec<Evidence>) -> Vec<Evidence> {
    if items.len() > MAX_EVIDENCE {
        let more = items.len() - MAX_EVIDENCE;
        items.truncate(MAX_EVIDENCE);
        items.push(Evidence::file("…", format!("and {more} more")));
    }
    items
}
