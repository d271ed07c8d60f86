//! CSV and TSV: cell by cell. Numeric cells are compared with the float64
//! tolerance (integers against integers with the integer one), other cells
//! exactly. A first row with a non-numeric cell is the header: it must be
//! equal, and columns whose name is a volatile key are skipped. Locations
//! read `row R, column C`: R counts data rows from 1 (the header is
//! `header`), C is the column's name when there is a header, else its
//! number from 1.

use csv::{ReaderBuilder, StringRecord};

use super::tolerance::{cmp_f64, cmp_int, shorten, Cmp, Stats, Tol};
use super::VolatileKeys;

fn read(bytes: &[u8], delimiter: u8) -> Result<Vec<StringRecord>, String> {
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes);
    reader
        .records()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())
}

/// A cell as a number: an integer when it is one, else a float.
enum Num {
    Int(i128),
    Float(f64),
}

fn numeric(cell: &str) -> Option<Num> {
    let cell = cell.trim();
    if cell.is_empty() {
        return None;
    }
    if let Ok(i) = cell.parse::<i128>() {
        return Some(Num::Int(i));
    }
    cell.parse::<f64>().ok().map(Num::Float)
}

fn as_f64(n: &Num) -> f64 {
    match n {
        Num::Int(i) => *i as f64,
        Num::Float(f) => *f,
    }
}

/// Compares two tables; `Err` when either cannot be read.
pub(crate) fn compare(
    a: &[u8],
    b: &[u8],
    delimiter: u8,
    float_tol: Tol,
    int_tol: Tol,
    volatile: &VolatileKeys,
) -> Result<Stats, String> {
    let ra = read(a, delimiter).map_err(|e| format!("first run: {e}"))?;
    let rb = read(b, delimiter).map_err(|e| format!("second run: {e}"))?;
    let mut stats = Stats::default();

    let has_header = ra.first().is_some_and(|row| {
        row.iter()
            .any(|c| numeric(c).is_none() && !c.trim().is_empty())
    });
    let header: Vec<String> = if has_header {
        ra.first()
            .map(|r| r.iter().map(str::to_string).collect())
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let column = |c: usize| -> String {
        match header.get(c) {
            Some(name) if !name.trim().is_empty() => name.clone(),
            _ => (c + 1).to_string(),
        }
    };
    let skip: Vec<bool> = header
        .iter()
        .map(|name| volatile.matches(name.trim(), name.trim()))
        .collect();

    let start = usize::from(has_header);
    if has_header {
        let (ha, hb) = (ra.first(), rb.first());
        let same = match (ha, hb) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        };
        if !same {
            let shown = |r: Option<&StringRecord>| {
                r.map(|r| r.iter().collect::<Vec<_>>().join(","))
                    .unwrap_or_default()
            };
            let first_col = match (ha, hb) {
                (Some(x), Some(y)) => (0..x.len().max(y.len()))
                    .find(|&c| x.get(c) != y.get(c))
                    .unwrap_or(0),
                _ => 0,
            };
            stats.mismatch(
                || format!("header, column {}", first_col + 1),
                || {
                    format!(
                        "header {:?} vs {:?}",
                        shorten(&shown(ha)),
                        shorten(&shown(hb))
                    )
                },
            );
            return Ok(stats);
        }
        for (c, _) in skip.iter().enumerate().filter(|(_, s)| **s) {
            let differs = ra
                .iter()
                .zip(&rb)
                .skip(1)
                .any(|(x, y)| x.get(c) != y.get(c));
            if differs {
                stats.volatile_skipped.push(column(c));
            }
        }
    }

    for (r, (row_a, row_b)) in ra.iter().zip(&rb).enumerate().skip(start) {
        let row_no = r + 1 - start;
        let cells = row_a.len().min(row_b.len());
        for c in 0..cells {
            if skip.get(c).copied().unwrap_or(false) {
                continue;
            }
            let (x, y) = (row_a.get(c).unwrap_or(""), row_b.get(c).unwrap_or(""));
            let at = || format!("row {row_no}, column {}", column(c));
            match (numeric(x), numeric(y)) {
                (Some(Num::Int(i)), Some(Num::Int(j))) => {
                    stats.record(cmp_int(i, j, int_tol), at, || format!("{x} vs {y}"));
                }
                (Some(p), Some(q)) => {
                    let cmp = if x == y {
                        Cmp::Equal
                    } else {
                        cmp_f64(as_f64(&p), as_f64(&q), float_tol)
                    };
                    stats.record(cmp, at, || format!("{x} vs {y}"));
                }
                _ if x == y => {}
                _ => stats.mismatch(at, || format!("{:?} vs {:?}", shorten(x), shorten(y))),
            }
        }
        if row_a.len() != row_b.len() {
            stats.mismatch(
                || format!("row {row_no}, column {}", column(cells)),
                || format!("{} vs {} cells", row_a.len(), row_b.len()),
            );
        }
    }
    if ra.len() != rb.len() {
        let row_no = ra.len().min(rb.len()) + 1 - start;
        stats.mismatch(
            || format!("row {row_no}"),
            || {
                format!(
                    "{} vs {} rows",
                    ra.len().saturating_sub(start),
                    rb.len().saturating_sub(start)
                )
            },
        );
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(a: &str, b: &str) -> Stats {
        let tol = Tol {
            rtol: 1e-7,
            atol: 1e-7,
        };
        compare(
            a.as_bytes(),
            b.as_bytes(),
            b',',
            tol,
            Tol::EXACT,
            &VolatileKeys::defaults(),
        )
        .expect("reads")
    }

    #[test]
    fn noise_is_within_and_large_changes_differ() {
        let a = "epoch,loss,acc\n1,0.5,0.8\n2,0.25,0.9\n";
        let s = run(a, "epoch,loss,acc\n1,0.5,0.8\n2,0.25000000000001,0.9\n");
        assert!(!s.is_bad());
        assert_eq!(s.total, 6);
        assert_eq!(s.differing, 1);
        assert_eq!(s.first_diff.as_deref(), Some("row 2, column loss"));
        let s = run(a, "epoch,loss,acc\n1,0.5,0.8\n2,0.3,0.9\n");
        assert!(s.is_bad());
        assert_eq!(s.first_bad.as_deref(), Some("row 2, column loss"));
        assert!((s.max_abs - 0.05).abs() < 1e-12);
    }

    #[test]
    fn header_and_shape_mismatches() {
        let s = run("a,b\n1,2\n", "a,c\n1,2\n");
        assert_eq!(s.first_bad.as_deref(), Some("header, column 2"));
        let s = run("a,b\n1,2\n", "a,b\n1,2\n3,4\n");
        assert_eq!(s.first_bad.as_deref(), Some("row 2"));
        let s = run("a,b\n1,2\n", "a,b\n1,2,3\n");
        assert!(s.is_bad());
        let s = run("a,b\nx,2\n", "a,b\ny,2\n");
        assert_eq!(s.first_bad.as_deref(), Some("row 1, column a"));
    }

    #[test]
    fn headerless_and_volatile_columns() {
        let s = run("1,2\n3,4\n", "1,2\n3,5\n");
        assert_eq!(s.first_bad.as_deref(), Some("row 2, column 2"));
        let s = run("acc,runtime\n0.9,1.5\n", "acc,runtime\n0.9,1.7\n");
        assert!(!s.is_bad());
        assert_eq!(s.volatile_skipped, vec!["runtime".to_string()]);
    }
}
