//! Path and key globs, compiled once with `globset` and reused for every
//! path: `*` any run of characters except `/` (any run at all in keys), `**`
//! any run including `/` (`**/` also matches nothing), `?` one byte (not `/`
//! in paths). Every other character is literal: `[`, `{`, `\` and `,` have
//! no special meaning, as before `globset` was used.

use std::fmt;

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

/// A glob from the settings that cannot be compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobError {
    /// The glob as the user wrote it.
    pub glob: String,
    /// Why it cannot be used.
    pub message: String,
}

impl fmt::Display for GlobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid glob `{}`: {}", self.glob, self.message)
    }
}

impl std::error::Error for GlobError {}

/// Rewrites a glob of the syntax above into `globset` syntax with the same
/// meaning. A `**` that is a whole path segment is kept (`globset` reads it
/// as recursive); any other `**` becomes an alternation that crosses `/`
/// (`{*,*/**/*}`, or `{,*/**/}` when a `/` follows, since `**/` may match
/// nothing).
fn translate(glob: &str) -> String {
    let chars: Vec<char> = glob.chars().collect();
    let mut out = String::with_capacity(glob.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '*' => {
                let start = i;
                while chars.get(i) == Some(&'*') {
                    i += 1;
                }
                if i - start == 1 {
                    out.push('*');
                    continue;
                }
                let after_boundary = start == 0 || chars[start - 1] == '/';
                let next = chars.get(i).copied();
                // `globset` reads a glob of `**/` alone as `**`.
                let only = start == 0 && next == Some('/') && i + 1 == chars.len();
                if after_boundary && matches!(next, None | Some('/')) && !only {
                    out.push_str("**");
                } else if next == Some('/') {
                    out.push_str("{,*/**/}");
                    i += 1;
                } else {
                    out.push_str("{*,*/**/*}");
                }
                continue;
            }
            '?' | '/' => out.push(c),
            '[' | ']' | '{' | '}' | '\\' | ',' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// Compiles one glob; `in_paths` keeps `*` and `?` from crossing `/`.
pub(crate) fn compile(glob: &str, in_paths: bool) -> Result<Glob, GlobError> {
    GlobBuilder::new(&translate(glob))
        .literal_separator(in_paths)
        .backslash_escape(true)
        .empty_alternates(true)
        .build()
        .map_err(|e| GlobError {
            glob: glob.to_string(),
            message: e.kind().to_string(),
        })
}

/// Builds a set, naming the first glob that does not compile.
pub(crate) fn build_set(globs: Vec<Glob>, names: &[&str]) -> Result<GlobSet, GlobError> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(g);
    }
    b.build().map_err(|e| GlobError {
        glob: e
            .glob()
            .map(str::to_string)
            .unwrap_or_else(|| names.join(", ")),
        message: e.kind().to_string(),
    })
}

/// Globs on relative, `/`-separated paths, each with a payload, in order.
/// A glob without `/` also matches the path's last segment; a leading `./`
/// of a glob or a path is ignored.
#[derive(Debug, Clone)]
pub struct PathGlobs<T> {
    payloads: Vec<T>,
    /// Every glob, on the whole path.
    full: GlobSet,
    /// The globs without `/`, on the last segment.
    base: GlobSet,
    /// For each glob of `base`, its index in `payloads`.
    base_index: Vec<usize>,
}

impl<T> PathGlobs<T> {
    /// Compiles `(glob, payload)` pairs; an invalid glob is an error naming it.
    pub fn new<S: AsRef<str>>(
        entries: impl IntoIterator<Item = (S, T)>,
    ) -> Result<Self, GlobError> {
        let mut payloads = Vec::new();
        let mut full = Vec::new();
        let mut base = Vec::new();
        let mut base_index = Vec::new();
        let mut names = Vec::new();
        for (glob, payload) in entries {
            let glob = trim_dot_slash(glob.as_ref()).to_string();
            let compiled = compile(&glob, true)?;
            if !glob.contains('/') {
                base.push(compiled.clone());
                base_index.push(payloads.len());
            }
            full.push(compiled);
            payloads.push(payload);
            names.push(glob);
        }
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        Ok(PathGlobs {
            payloads,
            full: build_set(full, &names)?,
            base: build_set(base, &names)?,
            base_index,
        })
    }

    /// Whether no glob was given.
    pub fn is_empty(&self) -> bool {
        self.payloads.is_empty()
    }

    /// The payload of the last glob that matches `path`.
    pub fn last_match(&self, path: &str) -> Option<&T> {
        if self.payloads.is_empty() {
            return None;
        }
        let path = trim_dot_slash(path);
        let mut last = self.full.matches(path).into_iter().max();
        if !self.base.is_empty() {
            let name = path.rsplit('/').next().unwrap_or(path);
            let from_base = self
                .base
                .matches(name)
                .into_iter()
                .filter_map(|i| self.base_index.get(i).copied())
                .max();
            last = last.max(from_base);
        }
        last.and_then(|i| self.payloads.get(i))
    }

    /// Whether any glob matches `path`.
    pub fn is_match(&self, path: &str) -> bool {
        let path = trim_dot_slash(path);
        self.full.is_match(path)
            || (!self.base.is_empty()
                && self.base.is_match(path.rsplit('/').next().unwrap_or(path)))
    }
}

fn trim_dot_slash(s: &str) -> &str {
    s.trim_start_matches("./")
}

/// Globs on keys (dotted paths in structured files): `*` and `?` cross
/// every character.
#[derive(Debug, Clone)]
pub(crate) struct KeyGlobs {
    set: GlobSet,
}

impl KeyGlobs {
    pub(crate) fn new(globs: &[String]) -> Result<Self, GlobError> {
        let compiled = globs
            .iter()
            .map(|g| compile(g, false))
            .collect::<Result<Vec<_>, _>>()?;
        let names: Vec<&str> = globs.iter().map(String::as_str).collect();
        Ok(KeyGlobs {
            set: build_set(compiled, &names)?,
        })
    }

    pub(crate) fn is_match(&self, key: &str) -> bool {
        self.set.is_match(key)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.set.is_empty()
    }
}

impl Default for KeyGlobs {
    fn default() -> Self {
        KeyGlobs {
            set: GlobSet::empty(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(glob: &str, p: &str) -> bool {
        PathGlobs::new([(glob, ())]).expect("compiles").is_match(p)
    }

    fn key(glob: &str, k: &str) -> bool {
        KeyGlobs::new(&[glob.to_string()])
            .expect("compiles")
            .is_match(k)
    }

    /// The recursive matcher this replaces (exponential on some globs).
    fn wild(p: &[u8], s: &[u8], slash_sensitive: bool) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some(b'*') => {
                if p.get(1) == Some(&b'*') {
                    let mut rest = &p[2..];
                    while rest.first() == Some(&b'*') {
                        rest = &rest[1..];
                    }
                    if rest.first() == Some(&b'/') && wild(&rest[1..], s, slash_sensitive) {
                        return true;
                    }
                    (0..=s.len()).any(|i| wild(rest, &s[i..], slash_sensitive))
                } else {
                    for i in 0..=s.len() {
                        if wild(&p[1..], &s[i..], slash_sensitive) {
                            return true;
                        }
                        if slash_sensitive && s.get(i) == Some(&b'/') {
                            break;
                        }
                    }
                    false
                }
            }
            Some(b'?') => match s.first() {
                Some(&c) if !(slash_sensitive && c == b'/') => {
                    wild(&p[1..], &s[1..], slash_sensitive)
                }
                _ => false,
            },
            Some(&c) => s.first() == Some(&c) && wild(&p[1..], &s[1..], slash_sensitive),
        }
    }

    fn old_path_match(glob: &str, path: &str) -> bool {
        let glob = glob.trim_start_matches("./");
        let path = path.trim_start_matches("./");
        if wild(glob.as_bytes(), path.as_bytes(), true) {
            return true;
        }
        if !glob.contains('/') {
            let name = path.rsplit('/').next().unwrap_or(path);
            return wild(glob.as_bytes(), name.as_bytes(), true);
        }
        false
    }

    #[test]
    fn same_answers_as_the_old_matcher() {
        let globs = [
            "*",
            "**",
            "***",
            "*.npy",
            "a/*.npy",
            "a/**/*.npy",
            "a/**",
            "**/x",
            "/**/x",
            "a**b",
            "a**/b",
            "a***/b",
            "x/**y",
            "**y",
            "y**",
            "a/**/",
            "**/",
            "a/*/b",
            "?",
            "a/?",
            "a?b",
            "[ab]",
            "{a,b}",
            "a\\b",
            "a,b",
            "./a/*",
            "a//b",
            "*/",
            "a/**/**/b",
            "**a**",
        ];
        let paths = [
            "",
            "a",
            "b",
            "x",
            "y",
            "ab",
            "a/b",
            "a/x/b",
            "a/x/y/b",
            "axb",
            "a/c.npy",
            "a/b/c.npy",
            "c.npy",
            "/x",
            "x/y",
            "x/a/y",
            "a/",
            "[ab]",
            "{a,b}",
            "a\\b",
            "a,b",
            "./a/b",
            "a//b",
            "ba",
            "b/a",
            "a/b/",
            "q/a/b/a",
            "é",
            "a/é",
        ];
        for g in globs {
            for p in paths {
                assert_eq!(path(g, p), old_path_match(g, p), "glob {g:?} path {p:?}");
                assert_eq!(
                    key(g, p),
                    wild(g.as_bytes(), p.as_bytes(), false),
                    "key glob {g:?} key {p:?}"
                );
            }
        }
    }

    #[test]
    fn translation() {
        assert_eq!(translate("a/**/b"), "a/**/b");
        assert_eq!(translate("**/x"), "**/x");
        assert_eq!(translate("x/**"), "x/**");
        assert_eq!(translate("a**b"), "a{*,*/**/*}b");
        assert_eq!(translate("a***/b"), "a{,*/**/}b");
        assert_eq!(translate("[a]{b,c}\\"), "\\[a\\]\\{b\\,c\\}\\\\");
    }

    #[test]
    fn path_semantics() {
        // `*` stays in a segment, `**` crosses, `?` is one non-`/` byte.
        assert!(
            path("*.npy", "a/b/c.npy"),
            "bare name matches the file name"
        );
        assert!(path("metrics.json", "out/metrics.json"));
        assert!(!path("a/*.npy", "a/b/c.npy"));
        assert!(path("a/**/*.npy", "a/b/c.npy"));
        assert!(path("a/**/*.npy", "a/c.npy"));
        assert!(path("a/**", "a/"));
        assert!(!path("a/**", "a"));
        assert!(path("**", "x/y"));
        assert!(path("**/x", "x"));
        assert!(path("**/x", "/x"));
        assert!(path("**/x", "a/b/x"));
        assert!(!path("**/x", "ax"));
        assert!(path("a**b", "a/x/b"));
        assert!(path("a**b", "ab"));
        assert!(path("a**/b", "ab"));
        assert!(path("a**/b", "ax/y/b"));
        assert!(!path("a**/b", "axb"));
        assert!(path("x/**y", "x/a/b/y"));
        assert!(path("./out/*.json", "out/m.json"));
        assert!(path("out/*.json", "./out/m.json"));
        assert!(path("m/?.json", "m/a.json"));
        assert!(!path("m/?.json", "m/ab.json"));
        assert!(!path("m?x", "m/x"));
        // Brackets, braces and backslashes are literal.
        assert!(path("[ab].txt", "[ab].txt"));
        assert!(!path("[ab].txt", "a.txt"));
        assert!(path("{a,b}.txt", "{a,b}.txt"));
        assert!(path("a\\b", "a\\b"));
        assert!(path("a\\", "a\\"));
        // Case matters.
        assert!(!path("*.NPY", "a.npy"));
    }

    #[test]
    fn key_semantics() {
        assert!(key("tmp_*", "tmp_x"));
        assert!(key("*time*", "a.b/runtime.c"));
        assert!(key("a?c", "a/c"));
        assert!(key("a*", "a\nb"));
        assert!(!key("tmp_*", "xtmp_"));
    }

    #[test]
    fn last_match_wins() {
        let g =
            PathGlobs::new([("models/**", 1), ("*.json", 2), ("models/a/*", 3)]).expect("compiles");
        assert_eq!(g.last_match("models/a/w.json"), Some(&3));
        assert_eq!(g.last_match("models/b/w.json"), Some(&2));
        assert_eq!(g.last_match("models/b/w.npy"), Some(&1));
        assert_eq!(g.last_match("x.csv"), None);
    }

    #[test]
    fn pathological_globs_are_fast() {
        let long = "a".repeat(10_000);
        assert!(!path("*a*a*a*a*a*a*a*a*b", &long));
        assert!(!path("**a**a**a**a**a**a**a**a**b", &long));
        assert!(!key("*a*a*a*a*a*a*a*a*b", &long));
        let nested = format!("{}/x", [long.as_str(); 3].join("/"));
        assert!(!path("**/*a*a*a*a*a*a*a*a*b/**", &nested));
    }
}
