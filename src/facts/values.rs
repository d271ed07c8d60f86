//! The vocabulary of Python facts: locations, values and where they come from.

use serde::Serialize;

/// A place in a Python file or notebook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Loc {
    /// 1-based line (within the cell for notebooks).
    pub line: u32,
    /// 1-based cell index for notebooks.
    pub cell: Option<u32>,
}

/// A literal Python constant.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    /// An integer that fits in i64.
    Int(i64),
    /// A float (or an integer too large for i64).
    Float(f64),
    /// A string.
    Str(String),
    /// `True`/`False`.
    Bool(bool),
    /// `None`.
    None,
}

impl Lit {
    /// Whether this is a number (not a bool).
    pub fn is_number(&self) -> bool {
        matches!(self, Lit::Int(_) | Lit::Float(_))
    }

    /// Python-like source text of the literal.
    pub fn text(&self) -> String {
        match self {
            Lit::Int(i) => i.to_string(),
            Lit::Float(f) => format!("{f:?}"),
            Lit::Str(s) => format!("{s:?}"),
            Lit::Bool(true) => "True".into(),
            Lit::Bool(false) => "False".into(),
            Lit::None => "None".into(),
        }
    }
}

/// Where a value comes from, as far as a single file shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A literal in code.
    Lit(Lit),
    /// A lookup in a loaded config; the dotted key read (`*.` prefix when the
    /// config object arrived through a parameter and its prefix is unknown).
    Config(String),
    /// The parsed command-line namespace itself (`args = parser.parse_args()`).
    CliNamespace,
    /// A command-line parameter (`args.seed`, a click option).
    Cli(String),
    /// An environment variable.
    Env(String),
    /// Time or entropy (`time.time()`, `os.urandom`); the function named.
    Entropy(String),
    /// A parameter of a project function, resolved later through its call sites.
    Param(Box<ParamRef>),
    /// A file handle opened on the given path value.
    File(Box<Value>),
    /// Computed from another value, not equal to it (a file found in a folder
    /// that the config names; an item of a list from the command line).
    Derived(Box<Value>),
    /// The result of a call that is none of the above.
    Call(String),
    /// Anything else.
    Unknown,
}

/// A parameter of a project function (boxed in [`Value`]: values are copied
/// into every call's arguments, and this variant is three times the others).
#[derive(Debug, Clone, PartialEq)]
pub struct ParamRef {
    /// Function name.
    pub func: String,
    /// Parameter name.
    pub name: String,
    /// Positional index.
    pub index: usize,
    /// The file that defines the function.
    pub file: String,
}

impl Value {
    /// The literal string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Lit(Lit::Str(s)) => Some(s),
            _ => None,
        }
    }

    /// The literal, if this is one.
    pub fn as_lit(&self) -> Option<&Lit> {
        match self {
            Value::Lit(l) => Some(l),
            _ => None,
        }
    }

    /// Joins a key onto a config prefix.
    pub fn config_child(prefix: &str, key: &str) -> Value {
        if prefix.is_empty() {
            Value::Config(key.to_string())
        } else {
            Value::Config(format!("{prefix}.{key}"))
        }
    }

    /// Short description for evidence notes.
    pub fn describe(&self) -> String {
        match self {
            Value::Lit(l) => format!("literal {}", l.text()),
            Value::Config(k) if k.is_empty() || k == "*" => "the config".into(),
            Value::Config(k) => format!("config key `{}`", k.trim_start_matches("*.")),
            Value::CliNamespace => "the command-line arguments".into(),
            Value::Cli(f) => format!("command-line flag --{f}"),
            Value::Env(e) => format!("environment variable {e}"),
            Value::Entropy(f) if crate::facts::python::rng_draw_lib(f).is_some() => {
                format!("{f}() (a draw from an RNG that nothing seeds)")
            }
            Value::Entropy(f) => format!("{f}() (time/entropy)"),
            Value::Param(p) => format!("parameter `{}` of {}()", p.name, p.func),
            Value::File(p) => format!("a file opened on {}", p.describe()),
            Value::Derived(v) => format!("a value derived from {}", v.describe()),
            Value::Call(c) => format!("the result of {c}()"),
            Value::Unknown => "a value that could not be traced".into(),
        }
    }
}
