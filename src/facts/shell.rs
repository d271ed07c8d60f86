//! Shell command lines as a POSIX shell reads them: split into simple
//! commands at unquoted control operators, and each into words.
//!
//! README snippets, Makefile recipes, dvc.yaml `cmd:` and notebook `!` lines
//! all go through these two functions, so a `;` or `|` inside quotes
//! (`--sep ";"`) never cuts a command in two, and `2>&1` is a redirection,
//! not a background `&`.

/// Splits a command line into words as a POSIX shell does (quotes, escapes,
/// `#` comments). Text with an unbalanced quote, common in README prose,
/// falls back to whitespace words without their quotes, so that one stray
/// quote does not hide a whole command.
pub fn words(cmd: &str) -> Vec<String> {
    shlex::split(cmd).unwrap_or_else(|| {
        cmd.split_whitespace()
            .map(|w| w.trim_matches(['"', '\'']).to_string())
            .collect()
    })
}

/// The simple commands of a command line: the text between unquoted `&&`,
/// `||`, `;`, `|`, `&` and newlines, trimmed, empty ones left out. Quotes and
/// backslashes are honoured, a backslash-newline continues the line, and a
/// `#` that starts a word comments out the rest of its line. A line whose
/// quotes never close is split as if it had none, like [`words`] does.
pub fn segments(cmd: &str) -> Vec<&str> {
    split(cmd, true).unwrap_or_else(|| split(cmd, false).unwrap_or_default())
}

/// [`segments`], honouring quotes or not; `None` when a quote is left open.
fn split(cmd: &str, quotes: bool) -> Option<Vec<&str>> {
    fn push<'a>(out: &mut Vec<&'a str>, cmd: &'a str, from: usize, to: usize) {
        let s = cmd[from..to].trim();
        if !s.is_empty() {
            out.push(s);
        }
    }
    let bytes = cmd.as_bytes();
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut i = 0usize;
    // Whether the previous byte ends a word (so a `#` here starts a comment).
    let mut at_word_start = true;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\'' if quotes => {
                let close = cmd[i + 1..].find('\'')?;
                i += close + 2;
                at_word_start = false;
                continue;
            }
            b'"' if quotes => {
                let mut j = i + 1;
                loop {
                    match bytes.get(j) {
                        None => return None,
                        Some(b'\\') => j += 2,
                        Some(b'"') => break,
                        Some(_) => j += 1,
                    }
                }
                i = j + 1;
                at_word_start = false;
                continue;
            }
            b'\\' => {
                // An escaped character (a backslash-newline joins the lines).
                i += 2;
                at_word_start = false;
                continue;
            }
            b'#' if at_word_start => {
                push(&mut out, cmd, start, i);
                i = cmd[i..].find('\n').map_or(bytes.len(), |n| i + n);
                start = i;
                continue;
            }
            b'\n' | b';' => {
                push(&mut out, cmd, start, i);
                i += 1;
                start = i;
                at_word_start = true;
                continue;
            }
            b'|' => {
                push(&mut out, cmd, start, i);
                i += if bytes.get(i + 1) == Some(&b'|') {
                    2
                } else {
                    1
                };
                start = i;
                at_word_start = true;
                continue;
            }
            b'&' => {
                // `2>&1`, `>&2`, `<&3` and `&>file` are redirections.
                let redirect = (i > 0 && matches!(bytes[i - 1], b'>' | b'<'))
                    || bytes.get(i + 1) == Some(&b'>');
                if !redirect {
                    push(&mut out, cmd, start, i);
                    i += if bytes.get(i + 1) == Some(&b'&') {
                        2
                    } else {
                        1
                    };
                    start = i;
                    at_word_start = true;
                    continue;
                }
            }
            _ => {}
        }
        at_word_start = c.is_ascii_whitespace();
        i += 1;
    }
    push(&mut out, cmd, start.min(bytes.len()), bytes.len());
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_follow_posix_quoting_and_survive_a_stray_quote() {
        assert_eq!(
            words(r#"python a.py --msg "say \"hi\"" --x 'a b' # note"#),
            ["python", "a.py", "--msg", "say \"hi\"", "--x", "a b"]
        );
        assert_eq!(
            words("python it's.py --lr 0.1"),
            ["python", "it's.py", "--lr", "0.1"]
        );
    }

    #[test]
    fn segments_split_at_unquoted_operators_only() {
        assert_eq!(
            segments("cd src && python train.py --sep ';' | tee log.txt; echo done"),
            [
                "cd src",
                "python train.py --sep ';'",
                "tee log.txt",
                "echo done"
            ]
        );
        assert_eq!(
            segments(r#"python a.py --msg "a && b | c" || exit 1"#),
            [r#"python a.py --msg "a && b | c""#, "exit 1"]
        );
        assert_eq!(
            segments("python train.py > log 2>&1 &\npython eval.py &> out.txt"),
            ["python train.py > log 2>&1", "python eval.py &> out.txt"]
        );
        assert_eq!(
            segments("python a.py \\\n  --x 1; b"),
            ["python a.py \\\n  --x 1", "b"]
        );
    }

    #[test]
    fn comments_and_unbalanced_quotes() {
        assert_eq!(
            segments("python a.py # don't; run b\npython b.py"),
            ["python a.py", "python b.py"]
        );
        assert_eq!(segments("echo a#b; c"), ["echo a#b", "c"]);
        // An apostrophe in prose: split as if quotes did not exist.
        assert_eq!(
            segments("it's here; python a.py"),
            ["it's here", "python a.py"]
        );
        assert!(segments("").is_empty() && segments(" ; && ").is_empty());
        // Cut anywhere, a multi-byte character never splits a slice.
        assert_eq!(segments("é\\"), ["é\\"]);
        assert_eq!(segments("'é"), ["'é"]);
    }
}
