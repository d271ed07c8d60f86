//! Text: line by line. Lines that differ are split into numbers and the
//! text between them; when the text is equal and every number is within
//! the float64 tolerance (integers exact by default), the line is within
//! tolerance. Counts are in lines; `first_difference` is `line N` (from 1).

use super::tolerance::{cmp_f64, cmp_int, shorten, Stats, Tol};

/// A piece of a line.
#[derive(Debug, PartialEq)]
enum Token<'a> {
    Text(&'a str),
    Int(i128),
    Float(f64),
}

/// Splits a line into numbers (`-1`, `2.5`, `.5`, `1e-3`) and text.
fn tokens(line: &str) -> Vec<Token<'_>> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let prev_alnum = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'.');
        let mut j = i;
        if (b[j] == b'-' || b[j] == b'+') && !prev_alnum {
            j += 1;
        }
        let int_start = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        let mut digits = j - int_start;
        let mut is_float = false;
        if j < b.len() && b[j] == b'.' {
            let frac_start = j + 1;
            let mut k = frac_start;
            while k < b.len() && b[k].is_ascii_digit() {
                k += 1;
            }
            if k > frac_start || digits > 0 {
                digits += k - frac_start;
                if k > frac_start {
                    is_float = true;
                    j = k;
                }
            }
        }
        if digits == 0 {
            i += 1;
            continue;
        }
        if j < b.len() && (b[j] == b'e' || b[j] == b'E') {
            let mut k = j + 1;
            if k < b.len() && (b[k] == b'-' || b[k] == b'+') {
                k += 1;
            }
            let exp_start = k;
            while k < b.len() && b[k].is_ascii_digit() {
                k += 1;
            }
            if k > exp_start {
                is_float = true;
                j = k;
            }
        }
        let lit = &line[start..j];
        let token = if is_float {
            lit.parse::<f64>().ok().map(Token::Float)
        } else {
            lit.parse::<i128>().ok().map(Token::Int)
        };
        match token {
            Some(t) => {
                if text_start < start {
                    out.push(Token::Text(&line[text_start..start]));
                }
                out.push(t);
                text_start = j;
                i = j;
            }
            None => i = j.max(i + 1),
        }
    }
    if text_start < b.len() {
        out.push(Token::Text(&line[text_start..]));
    }
    out
}

/// Compares two texts.
pub(crate) fn compare(a: &str, b: &str, float_tol: Tol, int_tol: Tol) -> Stats {
    let la: Vec<&str> = a.lines().collect();
    let lb: Vec<&str> = b.lines().collect();
    let mut stats = Stats::default();
    let mut line_stats = Stats::default();
    for (n, (x, y)) in la.iter().zip(&lb).enumerate() {
        line_stats.total += 1;
        if x == y {
            continue;
        }
        line_stats.differing += 1;
        let at = || format!("line {}", n + 1);
        let detail = || format!("{:?} vs {:?}", shorten(x), shorten(y));
        let (tx, ty) = (tokens(x), tokens(y));
        let mut numbers = Stats::default();
        let mut same_shape = tx.len() == ty.len();
        if same_shape {
            for (p, q) in tx.iter().zip(&ty) {
                let cmp = match (p, q) {
                    (Token::Text(s), Token::Text(t)) => {
                        if s != t {
                            same_shape = false;
                            break;
                        }
                        continue;
                    }
                    (Token::Int(i), Token::Int(j)) => cmp_int(*i, *j, int_tol),
                    (Token::Int(i), Token::Float(f)) => cmp_f64(*i as f64, *f, float_tol),
                    (Token::Float(f), Token::Int(j)) => cmp_f64(*f, *j as f64, float_tol),
                    (Token::Float(f), Token::Float(g)) => cmp_f64(*f, *g, float_tol),
                    _ => {
                        same_shape = false;
                        break;
                    }
                };
                numbers.record(cmp, String::new, String::new);
            }
        }
        if !same_shape || numbers.exceeding > 0 {
            line_stats.exceeding += 1;
            if same_shape {
                line_stats.max_abs = line_stats.max_abs.max(numbers.max_abs);
                line_stats.max_rel = line_stats.max_rel.max(numbers.max_rel);
            }
            if line_stats.first_diff.is_none() {
                line_stats.first_diff = Some(at());
            }
            if line_stats.first_bad.is_none() {
                line_stats.first_bad = Some(at());
                line_stats.first_bad_detail = Some(format!("{}: {}", at(), detail()));
            }
        } else {
            line_stats.max_abs = line_stats.max_abs.max(numbers.max_abs);
            line_stats.max_rel = line_stats.max_rel.max(numbers.max_rel);
            if line_stats.first_diff.is_none() {
                line_stats.first_diff = Some(at());
            }
        }
    }
    stats.merge(line_stats);
    if la.len() != lb.len() {
        let n = la.len().min(lb.len()) + 1;
        stats.total += la.len().abs_diff(lb.len()) as u64;
        stats.mismatch(
            || format!("line {n}"),
            || format!("{} vs {} lines", la.len(), lb.len()),
        );
    }
    if !stats.is_bad() && stats.differing == 0 && a != b {
        stats
            .notes
            .push("only line endings or the final newline differ".into());
    }
    stats
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tol() -> Tol {
        Tol {
            rtol: 1e-7,
            atol: 1e-7,
        }
    }

    #[test]
    fn tokenizes_numbers() {
        assert_eq!(
            tokens("loss=-0.5 step 3 lr 1e-3"),
            vec![
                Token::Text("loss="),
                Token::Float(-0.5),
                Token::Text(" step "),
                Token::Int(3),
                Token::Text(" lr "),
                Token::Float(1e-3),
            ]
        );
        assert_eq!(
            tokens("layer3."),
            vec![Token::Text("layer"), Token::Int(3), Token::Text(".")]
        );
        assert_eq!(tokens("no numbers"), vec![Token::Text("no numbers")]);
        assert_eq!(tokens(""), vec![]);
        assert_eq!(tokens("é-1"), vec![Token::Text("é"), Token::Int(-1)]);
        assert_eq!(tokens("a-1"), vec![Token::Text("a-"), Token::Int(1)]);
    }

    #[test]
    fn lines() {
        let s = compare(
            "a\nloss 0.5\nc\n",
            "a\nloss 0.5000000000001\nc\n",
            tol(),
            Tol::EXACT,
        );
        assert!(!s.is_bad());
        assert_eq!(s.first_diff.as_deref(), Some("line 2"));
        assert_eq!(s.differing, 1);
        assert_eq!(s.total, 3);
        let s = compare("a\nloss 0.5\nc\n", "a\nloss 0.6\nc\n", tol(), Tol::EXACT);
        assert!(s.is_bad());
        assert_eq!(s.first_bad.as_deref(), Some("line 2"));
        assert!((s.max_abs - 0.1).abs() < 1e-12);
        let s = compare("a\nb\n", "a\nc\n", tol(), Tol::EXACT);
        assert_eq!(s.first_bad.as_deref(), Some("line 2"));
        let s = compare("a\nb\n", "a\nb\nc\n", tol(), Tol::EXACT);
        assert_eq!(s.first_bad.as_deref(), Some("line 3"));
        let s = compare("a\r\nb\r\n", "a\nb\n", tol(), Tol::EXACT);
        assert!(!s.is_bad());
        assert_eq!(s.notes.len(), 1);
    }
}
