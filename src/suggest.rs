//! "Did you mean" suggestions for names a user typed.

/// Edit distance between two strings (Levenshtein, by chars).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The known name closest to `typed`, when it is close enough to be a typo.
pub fn closest<'a>(typed: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (distance(typed, k), *k))
        .filter(|(d, k)| *d <= (k.len() / 3).max(2))
        .min()
        .map(|(_, k)| k)
}

/// ` (did you mean `x`?)`, or nothing.
pub fn did_you_mean(typed: &str, known: &[&str]) -> String {
    closest(typed, known)
        .map(|k| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(closest("exlude", &["exclude", "run"]), Some("exclude"));
        assert_eq!(closest("zzzzzz", &["exclude", "run"]), None);
        assert_eq!(did_you_mean("rn", &["run"]), " (did you mean `run`?)");
    }
}
