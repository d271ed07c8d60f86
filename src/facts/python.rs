//! Facts from Python source, through a real syntax tree (ruff's parser).
//!
//! One pass per file records what the criteria and lint rules need: imports,
//! calls with their resolved callee and argument provenance, assignments to
//! module attributes, CLI parameters, config key reads, literal range loops,
//! the `__main__` guard, and syntax errors. Names are resolved through
//! imports and aliases (`np.random.seed` → `numpy.random.seed`).

// Keys are short names and offsets hashed millions of times per project;
// foldhash is several times cheaper than SipHash and needs no DoS resistance here.
use foldhash::{HashMap, HashSet};

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Number, Operator, Stmt, UnaryOp};
use ruff_python_parser::{parse_cells_unchecked, parse_unchecked_source, ParseOptions};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::values::{Lit, Loc, ParamRef, Value};

/// An import statement (one per imported name).
#[derive(Debug, Clone)]
pub struct Import {
    /// Dotted module as written (`numpy`, `pkg.mod`; for `from . import x`, empty).
    pub module: String,
    /// `from module import name`: the imported name; `None` for `import module`.
    pub name: Option<String>,
    /// Number of leading dots of a relative import.
    pub level: u32,
    /// Where.
    pub loc: Loc,
}

/// A call with its resolved callee and argument values.
#[derive(Debug, Clone)]
pub struct Call {
    /// Dotted callee after alias resolution (`numpy.random.seed`); method calls on
    /// call results read `pathlib.Path().glob`; unresolvable receivers read `?`.
    pub callee: String,
    /// Where.
    pub loc: Loc,
    /// Positional arguments.
    pub args: Vec<Value>,
    /// Keyword arguments (name, value); `**x` is not listed here.
    pub kwargs: Vec<(String, Value)>,
    /// Whether `**x` was passed.
    pub star_kwargs: bool,
    /// Directly wrapped in `sorted(...)` or another order-insensitive call (`set`, `max`, `len`, …).
    pub in_sorted: bool,
    /// Inside the initial value of a model parameter or buffer
    /// (`nn.Parameter(scale * torch.randn(d))`, `tf.Variable(…)`,
    /// `self.register_buffer("b", …)`): loaded weights overwrite it.
    pub initial_weight: bool,
    /// Assigned to this plain name (`x = call()`).
    pub assigned_to: Option<String>,
    /// The syntactic kind of each positional argument.
    pub arg_kinds: Vec<ArgKind>,
    /// The syntactic kind of each keyword argument, aligned with `kwargs`.
    pub kwarg_kinds: Vec<ArgKind>,
}

/// How an argument is written at the call site, whatever its provenance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// A literal (`0.1`, `-3`, `"a"`, `True`, `None`).
    Literal,
    /// A plain name (`lr`).
    Name,
    /// An attribute (`cfg.lr`).
    Attribute,
    /// A subscript (`cfg["lr"]`).
    Subscript,
    /// A call (`int(x)`).
    Call,
    /// Anything else (arithmetic, f-strings, comprehensions, …).
    Other,
}

impl ArgKind {
    fn of(e: &Expr) -> ArgKind {
        match e {
            Expr::NumberLiteral(_)
            | Expr::StringLiteral(_)
            | Expr::BooleanLiteral(_)
            | Expr::NoneLiteral(_) => ArgKind::Literal,
            _ if is_number_syntax(e) => ArgKind::Literal,
            Expr::Name(_) => ArgKind::Name,
            Expr::Attribute(_) => ArgKind::Attribute,
            Expr::Subscript(_) => ArgKind::Subscript,
            Expr::Call(_) => ArgKind::Call,
            _ => ArgKind::Other,
        }
    }
}

impl Call {
    /// A keyword argument's value, when it is written as a literal at the call site.
    pub fn literal_kwarg(&self, name: &str) -> Option<&Lit> {
        let i = self.kwargs.iter().position(|(k, _)| k == name)?;
        match (self.kwarg_kinds.get(i), &self.kwargs[i].1) {
            (Some(ArgKind::Literal), Value::Lit(l)) => Some(l),
            _ => None,
        }
    }

    /// A positional argument's value, when it is written as a literal.
    pub fn literal_arg(&self, index: usize) -> Option<&Lit> {
        match (self.arg_kinds.get(index), self.args.get(index)) {
            (Some(ArgKind::Literal), Some(Value::Lit(l))) => Some(l),
            _ => None,
        }
    }
}

impl Call {
    /// A keyword argument's value.
    pub fn kwarg(&self, name: &str) -> Option<&Value> {
        self.kwargs.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// The last dotted segment of the callee.
    pub fn name(&self) -> &str {
        self.callee.rsplit('.').next().unwrap_or(&self.callee)
    }
}

/// An assignment to an attribute or subscript (`torch.backends.cudnn.benchmark = True`).
#[derive(Debug, Clone)]
pub struct Assign {
    /// Resolved target, `os.environ[PYTHONHASHSEED]` for subscripts.
    pub target: String,
    /// Assigned value.
    pub value: Value,
    /// Where.
    pub loc: Loc,
}

/// A module-level `NAME = <literal>`.
#[derive(Debug, Clone)]
pub struct Constant {
    /// Name.
    pub name: String,
    /// Literal.
    pub value: Lit,
    /// Where.
    pub loc: Loc,
}

/// A command-line parameter (argparse, click, typer, absl).
#[derive(Debug, Clone)]
pub struct CliParam {
    /// Destination name (`learning_rate` for `--learning-rate`).
    pub name: String,
    /// Flags as written.
    pub flags: Vec<String>,
    /// Default value.
    pub default: Option<Value>,
    /// The path literal the default is built from (`ROOT / "data/coco.yaml"`),
    /// even where the whole default is not a literal.
    pub default_path: Option<String>,
    /// The parameter must be given (`required=True`, an argparse positional).
    pub required: bool,
    /// Where.
    pub loc: Loc,
}

/// A key read from a config object.
#[derive(Debug, Clone)]
pub struct KeyRead {
    /// Dotted key; `*.` prefix when the object's own prefix is unknown.
    pub key: String,
    /// Bound to a name (`x = cfg.a`): reads `a` itself when it is a leaf, not
    /// its children, which count only when read through that name.
    pub binding: bool,
    /// Where.
    pub loc: Loc,
}

/// `for var in range(<literals>)`.
#[derive(Debug, Clone)]
pub struct RangeLoop {
    /// Loop variable.
    pub var: String,
    /// The literal arguments of `range`.
    pub bounds: Vec<Lit>,
    /// Where.
    pub loc: Loc,
}

/// `@hydra.main(config_path=…, config_name=…)`.
#[derive(Debug, Clone)]
pub struct HydraMain {
    /// `config_path`, relative to the file.
    pub config_path: Option<String>,
    /// `config_name`.
    pub config_name: Option<String>,
    /// Where.
    pub loc: Loc,
}

/// A function defined in the file.
#[derive(Debug, Clone)]
pub struct FuncDef {
    /// Name.
    pub name: String,
    /// Positional parameter names.
    pub params: Vec<String>,
    /// Each parameter's default, where it is a literal.
    pub defaults: Vec<Option<Lit>>,
}

/// A syntax error.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    /// Where.
    pub loc: Loc,
    /// Parser message.
    pub message: String,
}

/// Everything recorded about one Python file or notebook.
#[derive(Debug, Clone, Default)]
pub struct PyFile {
    /// Path relative to the project root.
    pub path: String,
    /// Whether this came from a notebook.
    pub is_notebook: bool,
    /// Syntax errors.
    pub syntax_errors: Vec<SyntaxError>,
    /// Imports.
    pub imports: Vec<Import>,
    /// Calls.
    pub calls: Vec<Call>,
    /// Attribute/subscript assignments.
    pub assigns: Vec<Assign>,
    /// Module-level literal constants.
    pub constants: Vec<Constant>,
    /// CLI parameters.
    pub cli_params: Vec<CliParam>,
    /// Keys read from config objects.
    pub key_reads: Vec<KeyRead>,
    /// Literal range loops.
    pub range_loops: Vec<RangeLoop>,
    /// `len(data) * 0.8`: a split fraction written in code (the fraction, where).
    pub split_fractions: Vec<(f64, Loc)>,
    /// Hydra entry decorators.
    pub hydra_mains: Vec<HydraMain>,
    /// Functions defined.
    pub functions: Vec<FuncDef>,
    /// String literals that look like paths, anywhere in the file.
    pub path_literals: Vec<(String, Loc)>,
    /// Functions whose parameters are command-line flags, handed to a CLI
    /// generator (`fire.Fire(train)`, `typer.run(main)`).
    pub cli_functions: Vec<String>,
    /// String literals naming a class by its dotted path
    /// (`"pytorch_lightning.loggers.WandbLogger"` as an instantiation target).
    pub class_paths: Vec<(String, Loc)>,
    /// Has `if __name__ == "__main__":`.
    pub main_guard: bool,
    /// Parses its command line outside any function (`args = parser.parse_args()`
    /// at the top level): a script run by itself, with or without a main guard.
    pub module_level_cli: bool,
    /// Files that notebook shell lines write (`!wget URL -O x.jpg`).
    pub shell_outputs: Vec<String>,
    /// Hardware a notebook's Markdown cells name (`Colab TPU`, `one A100`),
    /// with the cell and the line within it.
    pub markdown_hardware: Vec<(Loc, super::docs::HardwareMention)>,
}

impl PyFile {
    /// Gives back what the growing vectors reserved: every file's facts are
    /// kept for the whole assessment, so the slack would add up to a third of
    /// them on large projects.
    fn shrink(&mut self) {
        self.calls.shrink_to_fit();
        self.assigns.shrink_to_fit();
        self.constants.shrink_to_fit();
        self.key_reads.shrink_to_fit();
        self.path_literals.shrink_to_fit();
        self.functions.shrink_to_fit();
        self.imports.shrink_to_fit();
        self.class_paths.shrink_to_fit();
    }
}

/// Maps byte offsets to (cell, line).
pub struct LineMap {
    starts: Vec<TextSize>,
    /// (first global line index (0-based), cell number) per cell, for notebooks.
    cells: Vec<(usize, u32)>,
}

impl LineMap {
    /// Builds the map for `source`; `cells` lists each cell's first line.
    pub fn new(source: &str, cells: Vec<(usize, u32)>) -> Self {
        let mut starts = vec![TextSize::from(0)];
        for (i, b) in source.bytes().enumerate() {
            if b == b'\n' {
                starts.push(TextSize::try_from(i + 1).unwrap_or_default());
            }
        }
        LineMap { starts, cells }
    }

    /// The location of a byte offset.
    pub fn loc(&self, offset: TextSize) -> Loc {
        let idx = self
            .starts
            .partition_point(|s| *s <= offset)
            .saturating_sub(1);
        if self.cells.is_empty() {
            return Loc {
                line: u32::try_from(idx + 1).unwrap_or(u32::MAX),
                cell: None,
            };
        }
        let ci = self
            .cells
            .partition_point(|(first, _)| *first <= idx)
            .saturating_sub(1);
        let (first, cell) = self.cells[ci];
        Loc {
            line: u32::try_from(idx - first + 1).unwrap_or(u32::MAX),
            cell: Some(cell),
        }
    }
}

/// Parses a `.py` file.
pub fn parse_file(path: &str, source: &str) -> PyFile {
    let map = LineMap::new(source, Vec::new());
    if let Some(refused) = refuse_deep(path, source, &map, false) {
        return refused;
    }
    let parsed = parse_unchecked_source(source, ast::PySourceType::Python);
    let mut file = collect(path, parsed.syntax(), &map);
    file.syntax_errors = parsed
        .errors()
        .iter()
        .map(|e| SyntaxError {
            loc: map.loc(e.location.start()),
            message: e.error.to_string(),
        })
        .collect();
    file
}

/// Parses notebook code cells given as (cell number, source) with magics already blanked.
pub fn parse_cells(path: &str, cells: &[(u32, String)]) -> PyFile {
    let mut source = String::new();
    let mut ranges = Vec::new();
    let mut firsts = Vec::new();
    let mut line = 0usize;
    for (i, (number, text)) in cells.iter().enumerate() {
        if i > 0 {
            source.push('\n');
            line += 1;
        }
        let text = text.strip_suffix('\n').unwrap_or(text);
        let start = TextSize::try_from(source.len()).unwrap_or_default();
        source.push_str(text);
        let end = TextSize::try_from(source.len()).unwrap_or_default();
        ranges.push(TextRange::new(start, end));
        firsts.push((line, *number));
        line += text.matches('\n').count();
    }
    let map = LineMap::new(&source, firsts);
    if let Some(refused) = refuse_deep(path, &source, &map, true) {
        return refused;
    }
    let options = ParseOptions::from(ast::PySourceType::Python);
    let parsed = parse_cells_unchecked(&source, ranges, &options);
    let mut file = collect(path, parsed.syntax(), &map);
    file.is_notebook = true;
    file.syntax_errors = parsed
        .errors()
        .iter()
        .map(|e| SyntaxError {
            loc: map.loc(e.location.start()),
            message: e.error.to_string(),
        })
        .collect();
    file
}

/// The global RNG that a call draws from (`torch.randint` → `torch`), for values that
/// are random draws; seeding calls and generator constructors are not draws.
pub fn rng_draw_lib(callee: &str) -> Option<&'static str> {
    let (module, name) = callee.rsplit_once('.')?;
    let draw = matches!(
        name,
        "random"
            | "rand"
            | "randn"
            | "randint"
            | "randrange"
            | "randperm"
            | "uniform"
            | "normal"
            | "choice"
            | "choices"
            | "sample"
            | "getrandbits"
            | "integers"
            | "random_sample"
    );
    if !draw {
        return None;
    }
    match module {
        "random" => Some("random"),
        "numpy.random" => Some("numpy"),
        "torch" | "torch.random" => Some("torch"),
        _ => None,
    }
}

/// Chains longer than this (`a.b().c()…`) are left unresolved: no real name is this
/// long, and resolving every link of every prefix would cost the chain's length squared.
const MAX_CHAIN: usize = 64;

/// Whether `expr` has more than `cap` attribute/call/subscript links above its root.
fn chain_exceeds(expr: &Expr, cap: usize) -> bool {
    let mut node = expr;
    for _ in 0..=cap {
        node = match node {
            Expr::Attribute(a) => &a.value,
            Expr::Call(c) => &c.func,
            Expr::Subscript(s) => &s.value,
            _ => return false,
        };
    }
    true
}

/// One link of a dotted chain, outermost first while resolving.
enum Suffix<'a> {
    Attr(&'a str),
    Call,
    Index,
}

/// A file nested past what Python compiles: no facts, one syntax error saying why.
fn refuse_deep(path: &str, source: &str, map: &LineMap, is_notebook: bool) -> Option<PyFile> {
    let (at, message) = super::nesting::too_deep(source)?;
    Some(PyFile {
        path: path.to_string(),
        is_notebook,
        syntax_errors: vec![SyntaxError {
            loc: map.loc(TextSize::try_from(at).unwrap_or_default()),
            message,
        }],
        ..PyFile::default()
    })
}

fn collect(path: &str, module: &ast::ModModule, map: &LineMap) -> PyFile {
    let mut c = Collector {
        map,
        file: PyFile {
            path: path.to_string(),
            ..PyFile::default()
        },
        aliases: HashMap::default(),
        names: HashMap::default(),
        depth: 0,
        sorted_calls: HashSet::default(),
        weight_inits: Vec::new(),
        pending_assign: None,
        returns: HashMap::default(),
        func_stack: Vec::new(),
        class_stack: Vec::new(),
        self_attrs: HashMap::default(),
    };
    for stmt in &module.body {
        c.visit_stmt(stmt);
    }
    let mut file = c.file;
    file.shrink();
    file
}

/// Callees that load a config object from a file or a pipeline.
pub const CONFIG_LOADERS: &[&str] = &[
    "yaml.safe_load",
    "yaml.load",
    "yaml.full_load",
    "yaml.unsafe_load",
    "json.load",
    "json.loads",
    "tomllib.load",
    "tomllib.loads",
    "tomli.load",
    "toml.load",
    "omegaconf.OmegaConf.load",
    "omegaconf.OmegaConf.create",
    "hydra.compose",
    "dvc.api.params_show",
    "gin.parse_config_file",
    "ruamel.yaml.YAML().load",
    "configparser.ConfigParser",
];

/// Wrappers that give a loaded dict attribute access (`ConfigBox(yaml.safe_load(f))`).
const CONFIG_WRAPPERS: &[&str] = &[
    "box.ConfigBox",
    "box.Box",
    "easydict.EasyDict",
    "munch.Munch",
    "munch.munchify",
    "addict.Dict",
    "dotmap.DotMap",
    "ml_collections.ConfigDict",
    "ml_collections.config_dict.ConfigDict",
    "types.SimpleNamespace",
    "argparse.Namespace",
    "omegaconf.DictConfig",
    "dict",
];

/// Names of project helpers that conventionally return a loaded config.
fn is_config_helper(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    let verbs = ["load", "read", "get", "parse", "open"];
    let nouns = [
        "config", "cfg", "conf", "params", "hparams", "settings", "yaml",
    ];
    verbs.iter().any(|v| n.starts_with(v)) && nouns.iter().any(|o| n.ends_with(o))
}

const ENTROPY: &[&str] = &[
    "time.time",
    "time.time_ns",
    "time.perf_counter",
    "time.perf_counter_ns",
    "time.monotonic",
    "time.monotonic_ns",
    "datetime.datetime.now",
    "datetime.datetime.utcnow",
    "datetime.datetime.today",
    "os.urandom",
    "os.getpid",
    "uuid.uuid1",
    "uuid.uuid4",
    "secrets.randbits",
    "secrets.randbelow",
    "secrets.token_bytes",
    "secrets.token_hex",
    "random.SystemRandom",
];

/// Parameter names that conventionally hold a config object.
const CONFIG_PARAM_NAMES: &[&str] = &[
    "cfg",
    "config",
    "conf",
    "configs",
    "params",
    "hparams",
    "hp",
    "hps",
    "hyperparams",
    "hyperparameters",
    "parameters",
    "settings",
];

/// Parameter names that conventionally hold parsed CLI arguments.
const CLI_PARAM_NAMES: &[&str] = &["args", "opt", "opts", "options", "flags", "argv"];

/// Module names that hold settings as Python code (`import config`).
pub const CONFIG_MODULE_NAMES: &[&str] = &[
    "config",
    "configs",
    "settings",
    "hparams",
    "params",
    "hyperparameters",
    "parameters",
    "hyperparams",
    "cfg",
    "conf",
];

const DICT_METHODS: &[&str] = &[
    "items",
    "keys",
    "values",
    "copy",
    "to_dict",
    "to_container",
    "update",
    "__getitem__",
];

struct Collector<'m> {
    map: &'m LineMap,
    file: PyFile,
    aliases: HashMap<String, String>,
    names: HashMap<String, Value>,
    /// Function nesting depth; 0 = module level.
    depth: usize,
    sorted_calls: HashSet<TextSize>,
    /// Source ranges of parameter initial values, innermost last; calls are
    /// recorded in source order, so ranges that end before a call are done.
    weight_inits: Vec<TextRange>,
    pending_assign: Option<(TextSize, String)>,
    /// Functions of this file that return a config or the CLI namespace.
    returns: HashMap<String, Value>,
    /// Enclosing function names.
    func_stack: Vec<String>,
    /// Enclosing class names, innermost last.
    class_stack: Vec<String>,
    /// `self.attr = value` in a class's methods: (class, attr) → value, so that
    /// other methods reading `self.attr` see where it came from.
    self_attrs: HashMap<String, HashMap<String, Value>>,
}

impl Collector<'_> {
    fn loc(&self, node: &impl Ranged) -> Loc {
        self.map.loc(node.start())
    }

    /// Dotted name of an expression after alias resolution.
    /// The dotted name an expression resolves to (`np.random.seed` → `numpy.random.seed`,
    /// `f().g` → `f().g`). Built in one pass from the root, so a long chain costs its
    /// length, not its length squared.
    fn resolve(&self, expr: &Expr) -> Option<String> {
        // Suffixes from the outermost node inwards: `.attr`, `()` or `[]`.
        let mut suffixes: Vec<Suffix> = Vec::new();
        let mut node = expr;
        let root = loop {
            match node {
                Expr::Name(n) => break n.id.as_str(),
                _ if suffixes.len() >= MAX_CHAIN => return None,
                Expr::Attribute(a) => {
                    suffixes.push(Suffix::Attr(a.attr.as_str()));
                    node = &a.value;
                }
                Expr::Call(c) => {
                    suffixes.push(Suffix::Call);
                    node = &c.func;
                }
                Expr::Subscript(sub) => {
                    suffixes.push(Suffix::Index);
                    node = &sub.value;
                }
                _ => return None,
            }
        };
        let mut out = self
            .aliases
            .get(root)
            .cloned()
            .unwrap_or_else(|| root.to_string());
        for suffix in suffixes.iter().rev() {
            match suffix {
                Suffix::Attr(attr) => {
                    out.push('.');
                    out.push_str(attr);
                }
                Suffix::Call => out.push_str("()"),
                Suffix::Index => out.push_str("[]"),
            }
        }
        Some(out)
    }

    /// Whether `expr` is the plain dotted name `target` after alias resolution, decided
    /// without building the name of a longer chain.
    fn resolves_to(&self, expr: &Expr, target: &str) -> bool {
        let mut node = expr;
        let mut attrs = 0usize;
        while let Expr::Attribute(a) = node {
            attrs += 1;
            // An alias adds dots at the root, never removes them.
            if attrs > target.matches('.').count() {
                return false;
            }
            node = &a.value;
        }
        matches!(node, Expr::Name(_)) && self.resolve(expr).as_deref() == Some(target)
    }

    fn callee(&self, func: &Expr) -> String {
        self.resolve(func).unwrap_or_else(|| match func {
            Expr::Attribute(a) => format!("?.{}", a.attr.as_str()),
            _ => "?".to_string(),
        })
    }

    /// Where a value comes from.
    fn eval(&self, expr: &Expr) -> Value {
        if matches!(
            expr,
            Expr::Attribute(_) | Expr::Call(_) | Expr::Subscript(_)
        ) && chain_exceeds(expr, MAX_CHAIN)
        {
            return Value::Unknown;
        }
        match expr {
            Expr::NumberLiteral(n) => Value::Lit(number(&n.value)),
            Expr::StringLiteral(s) => Value::Lit(Lit::Str(s.value.to_str().to_string())),
            Expr::BooleanLiteral(b) => Value::Lit(Lit::Bool(b.value)),
            Expr::NoneLiteral(_) => Value::Lit(Lit::None),
            Expr::UnaryOp(u) if matches!(u.op, UnaryOp::USub) => match self.eval(&u.operand) {
                Value::Lit(Lit::Int(i)) => Value::Lit(Lit::Int(-i)),
                Value::Lit(Lit::Float(f)) => Value::Lit(Lit::Float(-f)),
                other => other,
            },
            Expr::Name(n) => {
                let id = n.id.as_str();
                if let Some(v) = self.names.get(id) {
                    return v.clone();
                }
                if id == "__file__" {
                    return Value::Lit(Lit::Str(SCRIPT.into()));
                }
                match self.aliases.get(id) {
                    Some(target) if is_config_module(target) => Value::Config(String::new()),
                    _ => Value::Unknown,
                }
            }
            Expr::Attribute(a) if a.attr.as_str() == "parent" && is_path_syntax(&a.value) => {
                match self.eval(&a.value) {
                    Value::Lit(Lit::Str(p)) => Value::Lit(Lit::Str(parent_dir(&p))),
                    _ => Value::Unknown,
                }
            }
            Expr::Attribute(a) => {
                if let Some(v) = self.self_attr(a) {
                    return v.clone();
                }
                let attr = a.attr.as_str();
                match self.eval(&a.value) {
                    Value::Config(p) if !DICT_METHODS.contains(&attr) => {
                        Value::config_child(&p, attr)
                    }
                    Value::CliNamespace => Value::Cli(attr.to_string()),
                    _ if self.resolves_to(expr, "absl.flags.FLAGS") => Value::CliNamespace,
                    _ => Value::Unknown,
                }
            }
            Expr::Subscript(s) => {
                let key = self.eval(&s.slice);
                match (self.eval(&s.value), key) {
                    (Value::Config(p), Value::Lit(Lit::Str(k))) => Value::config_child(&p, &k),
                    (Value::Config(p), _) => Value::Config(p),
                    (Value::CliNamespace, Value::Lit(Lit::Str(k))) => Value::Cli(k),
                    (_, Value::Lit(Lit::Int(i))) if self.resolves_to(&s.value, "sys.argv") => {
                        Value::Cli(format!("argv[{i}]"))
                    }
                    (_, Value::Lit(Lit::Str(k))) if self.resolves_to(&s.value, "os.environ") => {
                        Value::Env(k)
                    }
                    // An item of a random draw is a random draw; an item of a listing of a
                    // configured folder (`self.files[i]`) is a file from that folder.
                    (v @ (Value::Entropy(_) | Value::Derived(_)), _) => v,
                    (Value::Call(c), _) if rng_draw_lib(&c).is_some() => Value::Call(c),
                    _ => Value::Unknown,
                }
            }
            Expr::Call(c) => self.eval_call(c),
            // `[path]`, `(a, b)`: a collection of configured values stays derived from them.
            Expr::List(ast::ExprList { elts, .. })
            | Expr::Tuple(ast::ExprTuple { elts, .. })
            | Expr::Set(ast::ExprSet { elts, .. }) => elts
                .iter()
                .map(|e| self.eval(e))
                .find_map(|v| match v {
                    Value::Config(_) | Value::Cli(_) | Value::Param(_) => {
                        Some(Value::Derived(Box::new(v)))
                    }
                    d @ Value::Derived(_) => Some(d),
                    _ => None,
                })
                .unwrap_or(Value::Unknown),
            Expr::FString(f) => {
                let mut text = String::new();
                let mut holes = Vec::new();
                for part in f.value.iter() {
                    match part {
                        ast::FStringPart::Literal(l) => text.push_str(&l.value),
                        ast::FStringPart::FString(fs) => {
                            for e in fs.elements.iter() {
                                match e {
                                    ast::InterpolatedStringElement::Literal(l) => {
                                        text.push_str(&l.value)
                                    }
                                    ast::InterpolatedStringElement::Interpolation(i) => {
                                        text.push_str("{}");
                                        holes.push(self.eval(&i.expression));
                                    }
                                }
                            }
                        }
                    }
                }
                template(text, holes)
            }
            Expr::BinOp(b) => {
                let (l, r) = (self.eval(&b.left), self.eval(&b.right));
                let written = is_path_syntax(&b.left) && is_path_syntax(&b.right);
                // `"./datasets/" + name + "/data/"`: a folder fixed in code.
                if b.op == Operator::Add && matches!(b.left.as_ref(), Expr::StringLiteral(_)) {
                    if let Value::Lit(Lit::Str(x)) = &l {
                        if !matches!(r, Value::Lit(_)) {
                            return template(format!("{x}{{}}"), vec![r]);
                        }
                    }
                }
                if b.op == Operator::Add {
                    if let (Value::Lit(Lit::Str(x)), Expr::StringLiteral(s)) =
                        (&l, b.right.as_ref())
                    {
                        if x.contains("{}") {
                            return Value::Lit(Lit::Str(format!("{x}{}", s.value.to_str())));
                        }
                    }
                    // `"./runs/" + name + "/test_rmse_" + str(n) + ".txt"`: each
                    // unknown piece of a path template becomes one more hole.
                    if let Value::Lit(Lit::Str(x)) = &l {
                        if x.contains("{}") {
                            return match r {
                                Value::Lit(Lit::Str(y)) => Value::Lit(Lit::Str(format!("{x}{y}"))),
                                Value::Lit(n @ (Lit::Int(_) | Lit::Float(_))) => {
                                    Value::Lit(Lit::Str(format!("{x}{}", n.text())))
                                }
                                r => template(format!("{x}{{}}"), vec![r]),
                            };
                        }
                    }
                }
                match (&l, &r, b.op) {
                    (Value::Lit(Lit::Str(_)), Value::Lit(Lit::Str(_)), _) if !written => {
                        Value::Unknown
                    }
                    (Value::Lit(Lit::Str(x)), Value::Lit(Lit::Str(y)), Operator::Div) => {
                        Value::Lit(Lit::Str(format!("{}/{}", x.trim_end_matches('/'), y)))
                    }
                    (Value::Lit(Lit::Str(x)), Value::Lit(Lit::Str(y)), Operator::Add) => {
                        Value::Lit(Lit::Str(format!("{x}{y}")))
                    }
                    _ => combine(l, r),
                }
            }
            // `0 if valid else torch.randint(n, (1,))[0]`: a branch drawn at run time
            // decides what the value can be; otherwise both branches must agree.
            Expr::If(i) => {
                let (a, b) = (self.eval(&i.body), self.eval(&i.orelse));
                let drawn = |v: &Value| match v {
                    Value::Entropy(_) => true,
                    Value::Call(c) => rng_draw_lib(c).is_some(),
                    _ => false,
                };
                if drawn(&a) {
                    a
                } else if drawn(&b) || a == b {
                    b
                } else {
                    Value::Unknown
                }
            }
            _ => Value::Unknown,
        }
    }

    fn eval_call(&self, c: &ast::ExprCall) -> Value {
        let callee = self.callee(&c.func);
        let arg0 = c.arguments.args.first();
        // `"data/ind.{}.{}".format(name, part)`
        if let Expr::Attribute(a) = c.func.as_ref() {
            if let (Expr::StringLiteral(s), "format") = (a.value.as_ref(), a.attr.as_str()) {
                let holes = c
                    .arguments
                    .args
                    .iter()
                    .chain(c.arguments.keywords.iter().map(|k| &k.value))
                    .map(|e| self.eval(e))
                    .collect();
                let text = s.value.to_str();
                // Named or numbered fields read as plain holes.
                let mut plain = String::new();
                let mut inside = false;
                for ch in text.chars() {
                    match (ch, inside) {
                        ('{', false) => {
                            inside = true;
                            plain.push('{');
                        }
                        ('}', true) => {
                            inside = false;
                            plain.push('}');
                        }
                        (_, true) => {}
                        (c, false) => plain.push(c),
                    }
                }
                return template(plain, holes);
            }
        }
        // Methods on config objects: `cfg.get("lr", 0.1)`.
        if let Expr::Attribute(a) = c.func.as_ref() {
            let m = a.attr.as_str();
            if let Value::Config(p) = self.eval(&a.value) {
                if matches!(m, "get" | "pop" | "setdefault" | "select") {
                    if let Some(Value::Lit(Lit::Str(k))) = arg0.map(|e| self.eval(e)) {
                        return Value::config_child(&p, &k);
                    }
                }
                if matches!(m, "getint" | "getfloat" | "getboolean") {
                    let args: Vec<_> = c.arguments.args.iter().map(|e| self.eval(e)).collect();
                    if let (Some(Value::Lit(Lit::Str(s))), Some(Value::Lit(Lit::Str(k)))) =
                        (args.first(), args.get(1))
                    {
                        return Value::config_child(&p, &format!("{s}.{k}"));
                    }
                }
                return Value::Config(p);
            }
            if m == "parse_args" || m == "parse_known_args" {
                return Value::CliNamespace;
            }
            // `yaml = YAML(typ="safe")` … `yaml.load(f)` (ruamel.yaml's object API).
            if matches!(m, "load" | "load_all")
                && matches!(self.eval(&a.value), Value::Call(c) if c == "ruamel.yaml.YAML")
            {
                return Value::Config(String::new());
            }
            if matches!(m, "resolve" | "absolute" | "expanduser") && is_path_syntax(&a.value) {
                return self.eval(&a.value);
            }
            // `Path(d).glob(…)`; `glob.glob(d)` (the module's function) is handled below.
            if matches!(m, "glob" | "rglob" | "iterdir") && !callee.starts_with("glob.") {
                return match self.eval(&a.value) {
                    v @ (Value::Config(_) | Value::Cli(_) | Value::Param(_)) => {
                        Value::Derived(Box::new(v))
                    }
                    v @ Value::Derived(_) => v,
                    _ => Value::Unknown,
                };
            }
        }
        let name = callee.rsplit('.').next().unwrap_or(&callee);
        if let Some(v) = self.returns.get(&callee) {
            return v.clone();
        }
        // Attribute-access wrappers around a loaded config keep it a config.
        if CONFIG_WRAPPERS.contains(&callee.as_str()) {
            if let Some(v @ Value::Config(_)) = arg0.map(|e| self.eval(e)) {
                return v;
            }
        }
        if CONFIG_LOADERS.contains(&callee.as_str()) || is_config_helper(name) {
            return Value::Config(String::new());
        }
        if matches!(
            name,
            "parse_args"
                | "parse_known_args"
                | "get_args"
                | "get_arguments"
                | "parse_arguments"
                | "parse_opt"
                | "parse_opts"
                | "get_parser_args"
        ) {
            return Value::CliNamespace;
        }
        if ENTROPY.contains(&callee.as_str()) || callee.starts_with("secrets.") {
            return Value::Entropy(callee);
        }
        match callee.as_str() {
            "open" | "io.open" | "codecs.open" => {
                return Value::File(Box::new(arg0.map_or(Value::Unknown, |e| self.eval(e))));
            }
            "int" | "float" | "str" | "abs" | "round" | "hash" | "bool" | "pathlib.Path"
            | "os.path.expanduser" | "os.path.abspath" | "vars" => {
                return arg0.map_or(Value::Unknown, |e| self.eval(e));
            }
            // What a listing of a configured folder yields comes from that config.
            "sorted" | "list" | "enumerate" | "tqdm" | "tqdm.tqdm" | "os.listdir"
            | "os.scandir" | "os.walk" | "glob.glob" | "glob.iglob" => {
                return match arg0.map(|e| self.eval(e)) {
                    Some(v @ (Value::Config(_) | Value::Cli(_) | Value::Param(_))) => {
                        Value::Derived(Box::new(v))
                    }
                    Some(v @ Value::Derived(_)) => v,
                    _ => Value::Unknown,
                };
            }
            "os.path.dirname" if arg0.is_some_and(is_path_syntax) => {
                return match arg0.map(|e| self.eval(e)) {
                    Some(Value::Lit(Lit::Str(p))) => Value::Lit(Lit::Str(parent_dir(&p))),
                    _ => Value::Unknown,
                };
            }
            "os.path.realpath" | "os.path.normpath" => {
                return arg0.map_or(Value::Unknown, |e| self.eval(e));
            }
            // `getattr(cfg.data, "random_state", 0)` reads the config.
            "getattr" => {
                let args: Vec<Value> = c.arguments.args.iter().map(|e| self.eval(e)).collect();
                return match (args.first(), args.get(1)) {
                    (Some(Value::Config(p)), Some(Value::Lit(Lit::Str(k)))) => {
                        Value::config_child(p, k)
                    }
                    (Some(Value::CliNamespace), Some(Value::Lit(Lit::Str(k)))) => {
                        Value::Cli(k.clone())
                    }
                    _ => Value::Call(callee),
                };
            }
            "os.environ.get" | "os.getenv" => {
                return match arg0.map(|e| self.eval(e)) {
                    Some(Value::Lit(Lit::Str(k))) => Value::Env(k),
                    _ => Value::Unknown,
                };
            }
            "os.path.join" => {
                let parts: Vec<_> = c.arguments.args.iter().map(|e| self.eval(e)).collect();
                // Only joins written out in full: a join over a module constant is often
                // overridden at run time (nanoGPT's configurator), so it is not a known path.
                if !parts.is_empty() && c.arguments.args.iter().all(is_path_syntax) {
                    let joined: Vec<&str> = parts.iter().filter_map(Value::as_str).collect();
                    return Value::Lit(Lit::Str(joined.join("/")));
                }
                // A folder from the config joined with a file name is a path derived from the config.
                return match parts.into_iter().next() {
                    Some(v @ (Value::Config(_) | Value::Cli(_) | Value::Param(_))) => {
                        Value::Derived(Box::new(v))
                    }
                    Some(v @ Value::Derived(_)) => v,
                    _ => Value::Unknown,
                };
            }
            _ => {}
        }
        // Entropy taints whatever is computed from it (`int.from_bytes(os.urandom(4))`).
        for arg in c.arguments.args.iter() {
            if let v @ Value::Entropy(_) = self.eval(arg) {
                return v;
            }
        }
        Value::Call(callee)
    }

    /// The dotted key of a maximal config access chain, if `expr` is one.
    /// Whether the function being defined is a method: its class is the
    /// innermost scope (one level of functions deeper than the class).
    fn depth_in_class(&self) -> bool {
        !self.class_stack.is_empty() && self.func_stack.len() < self.class_stack.len() + 1
    }

    /// The value a method of the enclosing class stored in `self.<attr>`.
    fn self_attr(&self, a: &ast::ExprAttribute) -> Option<&Value> {
        let Expr::Name(n) = a.value.as_ref() else {
            return None;
        };
        if n.id.as_str() != "self" {
            return None;
        }
        let class = self.class_stack.last()?;
        self.self_attrs.get(class)?.get(a.attr.as_str())
    }

    fn config_access(&self, expr: &Expr) -> Option<String> {
        // Every visited expression comes through here: decide by its shape
        // first, so that only possible chains are evaluated.
        let possible = match expr {
            Expr::Subscript(_) | Expr::Attribute(_) => true,
            Expr::Call(c) => match c.func.as_ref() {
                Expr::Attribute(a) => matches!(self.eval(&a.value), Value::Config(_)),
                _ => false,
            },
            _ => false,
        };
        match possible.then(|| self.eval(expr)) {
            Some(Value::Config(k)) => Some(k),
            _ => None,
        }
    }

    fn record_key(&mut self, key: String, loc: Loc) {
        if !key.is_empty() {
            self.file.key_reads.push(KeyRead {
                key,
                binding: false,
                loc,
            });
        }
    }

    /// Visits the parts of a config access chain that are not the chain itself.
    fn visit_chain_children(&mut self, expr: &Expr) {
        match expr {
            Expr::Subscript(s) => {
                self.visit_chain_children(&s.value);
                self.visit_expr(&s.slice);
            }
            Expr::Attribute(a) => self.visit_chain_children(&a.value),
            Expr::Call(c) => {
                if let Expr::Attribute(a) = c.func.as_ref() {
                    self.visit_chain_children(&a.value);
                }
                for arg in c.arguments.args.iter() {
                    self.visit_expr(arg);
                }
            }
            _ => {}
        }
    }

    fn bind_target(&mut self, target: &Expr, value: Value) {
        match target {
            Expr::Name(n) => {
                self.names.insert(n.id.to_string(), value);
            }
            Expr::Tuple(t) => {
                // `args, rest = parser.parse_known_args()`
                let first = matches!(value, Value::CliNamespace);
                for (i, elt) in t.elts.iter().enumerate() {
                    let v = if first && i == 0 {
                        Value::CliNamespace
                    } else {
                        Value::Unknown
                    };
                    self.bind_target(elt, v);
                }
            }
            // The first traceable assignment wins: `__init__` comes first
            // and later methods often overwrite with derived values.
            Expr::Attribute(a)
                if matches!(a.value.as_ref(), Expr::Name(n) if n.id.as_str() == "self")
                    && !self.class_stack.is_empty() =>
            {
                if let (false, Some(class)) = (
                    matches!(value, Value::Unknown | Value::Call(_)),
                    self.class_stack.last(),
                ) {
                    self.self_attrs
                        .entry(class.clone())
                        .or_default()
                        .entry(a.attr.to_string())
                        .or_insert(value);
                }
            }
            Expr::Attribute(_) | Expr::Subscript(_) => {
                let target_name = match target {
                    Expr::Subscript(s) => match (self.resolve(&s.value), self.eval(&s.slice)) {
                        (Some(base), Value::Lit(Lit::Str(k))) => Some(format!("{base}[{k}]")),
                        _ => None,
                    },
                    _ => self.resolve(target),
                };
                if let Some(t) = target_name {
                    let loc = self.loc(target);
                    self.file.assigns.push(Assign {
                        target: t,
                        value,
                        loc,
                    });
                }
            }
            _ => {}
        }
    }

    fn record_call(&mut self, call: &ast::ExprCall) {
        let callee = self.callee(&call.func);
        let loc = self.loc(call);
        let args: Vec<Value> = call.arguments.args.iter().map(|e| self.eval(e)).collect();
        let mut kwargs = Vec::new();
        let mut star_kwargs = false;
        for kw in call.arguments.keywords.iter() {
            match &kw.arg {
                Some(name) => kwargs.push((name.to_string(), self.eval(&kw.value))),
                None => {
                    star_kwargs = true;
                    if let Value::Config(p) = self.eval(&kw.value) {
                        let key = if p.is_empty() { "**".to_string() } else { p };
                        self.record_key(key, loc);
                    }
                }
            }
        }
        if self.func_stack.is_empty()
            && self.class_stack.is_empty()
            && matches!(
                callee.rsplit('.').next(),
                Some("parse_args" | "parse_known_args")
            )
        {
            self.file.module_level_cli = true;
        }
        if matches!(callee.as_str(), "fire.Fire" | "typer.run") {
            if let Some(Expr::Name(n)) = call.arguments.args.first() {
                self.file.cli_functions.push(n.id.to_string());
            }
        }
        // Whole-config consumers read every key below the one passed.
        if matches!(
            callee.as_str(),
            "hydra.utils.instantiate"
                | "instantiate"
                | "omegaconf.OmegaConf.to_container"
                | "omegaconf.OmegaConf.to_object"
                | "dict"
                | "vars"
        ) {
            if let Some(Value::Config(p)) = args.first() {
                let key = if p.is_empty() {
                    "**".to_string()
                } else {
                    p.clone()
                };
                self.record_key(key, loc);
            }
        }
        // Wrappers for which the order of their argument does not matter.
        if matches!(
            callee.as_str(),
            "sorted"
                | "set"
                | "frozenset"
                | "max"
                | "min"
                | "len"
                | "sum"
                | "any"
                | "all"
                | "collections.Counter"
        ) {
            if let Some(first) = call.arguments.args.first() {
                match first {
                    Expr::Call(inner) => {
                        self.sorted_calls.insert(inner.start());
                    }
                    Expr::Generator(ast::ExprGenerator { generators, .. })
                    | Expr::ListComp(ast::ExprListComp { generators, .. }) => {
                        for g in generators {
                            if let Expr::Call(inner) = &g.iter {
                                self.sorted_calls.insert(inner.start());
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        self.cli_param(&callee, &args, &kwargs, call, loc);
        for v in args.iter().chain(kwargs.iter().map(|(_, v)| v)) {
            if let Some(s) = v.as_str() {
                if looks_like_path(s) {
                    self.file.path_literals.push((s.to_string(), loc));
                }
            }
        }
        let assigned_to = match &self.pending_assign {
            Some((start, name)) if *start == call.start() => Some(name.clone()),
            _ => None,
        };
        while self
            .weight_inits
            .last()
            .is_some_and(|r| r.end() <= call.start())
        {
            self.weight_inits.pop();
        }
        let initial_weight = self
            .weight_inits
            .last()
            .is_some_and(|r| r.contains_range(call.range()));
        let init_arg = match callee.as_str() {
            "torch.nn.Parameter" | "torch.nn.parameter.Parameter" | "tensorflow.Variable" => {
                call.arguments.args.first().or_else(|| {
                    call.arguments
                        .keywords
                        .iter()
                        .find(|k| matches!(k.arg.as_deref(), Some("data" | "initial_value")))
                        .map(|k| &k.value)
                })
            }
            // A buffer registered with `persistent=False` is not in the state
            // dict, so no loaded model overwrites it.
            c if c.ends_with(".register_buffer") || c.ends_with(".register_parameter") => {
                let transient = |e: &Expr| matches!(e, Expr::BooleanLiteral(b) if !b.value);
                let persistent = !call.arguments.args.get(2).is_some_and(transient)
                    && !call
                        .arguments
                        .keywords
                        .iter()
                        .any(|k| k.arg.as_deref() == Some("persistent") && transient(&k.value));
                call.arguments.args.get(1).filter(|_| persistent)
            }
            _ => None,
        };
        if let Some(arg) = init_arg {
            self.weight_inits.push(arg.range());
        }
        self.file.calls.push(Call {
            in_sorted: self.sorted_calls.contains(&call.start()),
            initial_weight,
            callee,
            loc,
            args,
            kwargs,
            star_kwargs,
            assigned_to,
            arg_kinds: call.arguments.args.iter().map(ArgKind::of).collect(),
            kwarg_kinds: call
                .arguments
                .keywords
                .iter()
                .filter(|k| k.arg.is_some())
                .map(|k| ArgKind::of(&k.value))
                .collect(),
        });
    }

    fn cli_param(
        &mut self,
        callee: &str,
        args: &[Value],
        kwargs: &[(String, Value)],
        call: &ast::ExprCall,
        loc: Loc,
    ) {
        let kw = |n: &str| kwargs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        let default_expr = |positional: Option<usize>| {
            call.arguments
                .keywords
                .iter()
                .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "default"))
                .map(|k| &k.value)
                .or_else(|| positional.and_then(|i| call.arguments.args.get(i)))
                .and_then(path_in_default)
        };
        let name_of = |flag: &str| flag.trim_start_matches('-').replace('-', "_");
        if callee.ends_with(".add_argument")
            || callee == "click.option"
            || callee == "click.argument"
        {
            let flags: Vec<String> = args
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect();
            let Some(first) = flags.first() else { return };
            let long = flags.iter().find(|f| f.starts_with("--")).unwrap_or(first);
            let name = match kw("dest").as_ref().and_then(|v| v.as_str()) {
                Some(d) => d.to_string(),
                None => name_of(long),
            };
            let required = matches!(kw("required"), Some(Value::Lit(Lit::Bool(true))))
                || (callee.ends_with(".add_argument") && !first.starts_with('-'))
                || callee == "click.argument";
            self.file.cli_params.push(CliParam {
                name,
                flags,
                default: kw("default"),
                default_path: default_expr(None),
                required,
                loc,
            });
        } else if callee.starts_with("absl.flags.DEFINE_") {
            if let Some(name) = args.first().and_then(|v| v.as_str()) {
                self.file.cli_params.push(CliParam {
                    name: name.to_string(),
                    flags: vec![format!("--{name}")],
                    default: args.get(1).cloned().or_else(|| kw("default")),
                    default_path: default_expr(Some(1)),
                    required: false,
                    loc,
                });
            }
        }
    }

    fn function_def(&mut self, f: &ast::StmtFunctionDef) {
        let mut is_cli = false;
        let mut hydra = false;
        for d in f.decorator_list.iter() {
            let (callee, call) = match &d.expression {
                Expr::Call(c) => (self.callee(&c.func), Some(c)),
                other => (self.callee(other), None),
            };
            if callee == "hydra.main" {
                hydra = true;
                let get = |n: &str| {
                    call.and_then(|c| {
                        c.arguments
                            .keywords
                            .iter()
                            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == n))
                            .and_then(|k| self.eval(&k.value).as_str().map(String::from))
                    })
                };
                let loc = self.loc(d);
                self.file.hydra_mains.push(HydraMain {
                    config_path: get("config_path"),
                    config_name: get("config_name"),
                    loc,
                });
            }
            if callee.starts_with("click.") || callee.ends_with(".command") {
                is_cli = true;
            }
        }
        let mut params: Vec<&ast::ParameterWithDefault> = f
            .parameters
            .posonlyargs
            .iter()
            .chain(f.parameters.args.iter())
            .chain(f.parameters.kwonlyargs.iter())
            .collect();
        let mut fname = f.name.as_str().to_string();
        // A constructor is called by its class's name, without `self`:
        // `Loader(path=cfg.data)` is a call site of `Loader.__init__`.
        if fname == "__init__" && self.depth_in_class() {
            if let Some(class) = self.class_stack.last() {
                fname = class.clone();
                if params
                    .first()
                    .is_some_and(|p| p.parameter.name.as_str() == "self")
                {
                    let this = params.remove(0);
                    self.names
                        .insert(this.parameter.name.to_string(), Value::Unknown);
                }
            }
        }
        self.file.functions.push(FuncDef {
            name: fname.clone(),
            params: params
                .iter()
                .map(|p| p.parameter.name.to_string())
                .collect(),
            defaults: params
                .iter()
                .map(|p| match p.default.as_deref().map(|d| self.eval(d)) {
                    Some(Value::Lit(l)) => Some(l),
                    _ => None,
                })
                .collect(),
        });
        for (index, p) in params.iter().enumerate() {
            let pname = p.parameter.name.as_str();
            let typer_option = p.default.as_deref().is_some_and(|d| match d {
                Expr::Call(c) => self.callee(&c.func).starts_with("typer."),
                _ => false,
            });
            let value = if hydra && index == 0 {
                Value::Config(String::new())
            } else if is_cli || typer_option {
                Value::Cli(pname.to_string())
            } else if CONFIG_PARAM_NAMES.contains(&pname) {
                Value::Config("*".to_string())
            } else if CLI_PARAM_NAMES.contains(&pname) {
                Value::CliNamespace
            } else {
                Value::Param(Box::new(ParamRef {
                    func: fname.clone(),
                    name: pname.to_string(),
                    index,
                    file: self.file.path.clone(),
                }))
            };
            self.names.insert(pname.to_string(), value);
        }
    }
}

impl<'a> Visitor<'a> for Collector<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Import(i) => {
                for alias in &i.names {
                    let module = alias.name.to_string();
                    let loc = self.loc(alias);
                    match &alias.asname {
                        Some(asname) => {
                            self.aliases.insert(asname.to_string(), module.clone());
                        }
                        None => {
                            // `import a.b` binds `a`.
                            let first = module.split('.').next().unwrap_or(&module).to_string();
                            self.aliases.insert(first.clone(), first);
                        }
                    }
                    self.file.imports.push(Import {
                        module,
                        name: None,
                        level: 0,
                        loc,
                    });
                }
            }
            Stmt::ImportFrom(i) => {
                let module = i.module.as_ref().map(|m| m.to_string()).unwrap_or_default();
                for alias in &i.names {
                    let name = alias.name.to_string();
                    let loc = self.loc(alias);
                    let full = if module.is_empty() {
                        name.clone()
                    } else {
                        format!("{module}.{name}")
                    };
                    let local = alias
                        .asname
                        .as_ref()
                        .map_or(name.clone(), |a| a.to_string());
                    if name != "*" && i.level == 0 {
                        self.aliases.insert(local, full);
                    } else if name != "*" && CONFIG_MODULE_NAMES.contains(&name.as_str()) {
                        self.aliases.insert(local, name.clone());
                    }
                    self.file.imports.push(Import {
                        module: module.clone(),
                        name: Some(name),
                        level: i.level,
                        loc,
                    });
                }
            }
            Stmt::FunctionDef(f) => {
                for d in f.decorator_list.iter() {
                    self.visit_decorator(d);
                }
                for p in f.parameters.iter_non_variadic_params() {
                    if let Some(d) = &p.default {
                        self.visit_expr(d);
                    }
                }
                // Parameters shadow outer names only inside the body.
                let saved = self.names.clone();
                self.function_def(f);
                self.depth += 1;
                self.func_stack.push(f.name.to_string());
                self.visit_body(&f.body);
                self.func_stack.pop();
                self.depth -= 1;
                self.names = saved;
            }
            Stmt::ClassDef(c) => {
                self.class_stack.push(c.name.to_string());
                visitor::walk_stmt(self, stmt);
                self.class_stack.pop();
            }
            Stmt::Return(r) => {
                if let (Some(v), Some(func)) = (&r.value, self.func_stack.last()) {
                    let value = self.eval(v);
                    if matches!(value, Value::Config(_) | Value::CliNamespace) {
                        self.returns.insert(func.clone(), value);
                    }
                }
                visitor::walk_stmt(self, stmt);
            }
            Stmt::If(s) => {
                if is_main_guard(&s.test) {
                    self.file.main_guard = true;
                }
                visitor::walk_stmt(self, stmt);
            }
            Stmt::Assign(a) => {
                // `x = cfg["train"]` binds a config prefix; it is not a read of the whole subtree.
                let chain = self.config_access(&a.value);
                if let (Some(key), [Expr::Name(_)]) = (&chain, a.targets.as_slice()) {
                    if !key.is_empty() {
                        let loc = self.loc(a.value.as_ref());
                        self.file.key_reads.push(KeyRead {
                            key: key.clone(),
                            binding: true,
                            loc,
                        });
                    }
                    self.visit_chain_children(&a.value);
                } else {
                    if let ([Expr::Name(n)], Expr::Call(c)) =
                        (a.targets.as_slice(), a.value.as_ref())
                    {
                        self.pending_assign = Some((c.start(), n.id.to_string()));
                    }
                    self.visit_expr(&a.value);
                    self.pending_assign = None;
                }
                let value = self.eval(&a.value);
                if self.depth == 0 {
                    if let ([Expr::Name(n)], Value::Lit(lit)) = (a.targets.as_slice(), &value) {
                        let loc = self.loc(stmt);
                        self.file.constants.push(Constant {
                            name: n.id.to_string(),
                            value: lit.clone(),
                            loc,
                        });
                    }
                }
                for t in &a.targets {
                    if !matches!(t, Expr::Name(_)) {
                        self.visit_expr(t);
                    }
                    self.bind_target(t, value.clone());
                }
            }
            Stmt::AnnAssign(a) => {
                if let Some(v) = &a.value {
                    self.visit_expr(v);
                    let value = self.eval(v);
                    self.bind_target(&a.target, value);
                }
            }
            Stmt::With(w) => {
                for item in &w.items {
                    self.visit_expr(&item.context_expr);
                    if let Some(var) = &item.optional_vars {
                        let value = self.eval(&item.context_expr);
                        self.bind_target(var, value);
                    }
                }
                self.visit_body(&w.body);
            }
            Stmt::For(f) => {
                if let (Expr::Name(var), Expr::Call(call)) = (f.target.as_ref(), f.iter.as_ref()) {
                    if self.callee(&call.func) == "range"
                        && !call.arguments.args.is_empty()
                        && call.arguments.args.iter().all(is_number_syntax)
                    {
                        let bounds: Vec<Option<Lit>> = call
                            .arguments
                            .args
                            .iter()
                            .map(|e| self.eval(e).as_lit().cloned())
                            .collect();
                        if bounds
                            .iter()
                            .all(|b| b.as_ref().is_some_and(Lit::is_number))
                        {
                            let loc = self.loc(stmt);
                            self.file.range_loops.push(RangeLoop {
                                var: var.id.to_string(),
                                bounds: bounds.into_iter().flatten().collect(),
                                loc,
                            });
                        }
                    }
                }
                // Loop variables over a config's items stay config values.
                let iter_value = self.eval(&f.iter);
                self.visit_expr(&f.iter);
                match iter_value {
                    // Items of a config mapping are not reads of keys named after them.
                    Value::Config(_) | Value::Cli(_) | Value::Derived(_) | Value::Param(_) => {
                        let base = match iter_value {
                            Value::Derived(b) => *b,
                            other => other,
                        };
                        self.bind_target(&f.target, Value::Derived(Box::new(base)));
                    }
                    _ => {}
                }
                self.visit_body(&f.body);
                self.visit_body(&f.orelse);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Some(key) = self.config_access(expr) {
            let loc = self.loc(expr);
            let key = if key.is_empty() {
                "**".to_string()
            } else {
                key
            };
            // A method call on the whole object (`cfg.items()`) reads all of it.
            self.record_key(key, loc);
            if let Expr::Call(c) = expr {
                self.record_call(c);
            }
            self.visit_chain_children(expr);
            return;
        }
        match expr {
            Expr::Call(call) => {
                self.record_call(call);
                visitor::walk_expr(self, expr);
            }
            Expr::BinOp(b) if b.op == Operator::Mult => {
                let is_len = |e: &Expr| matches!(e, Expr::Call(c) if matches!(c.func.as_ref(), Expr::Name(n) if n.id.as_str() == "len"));
                let fraction = |e: &Expr| match e {
                    Expr::NumberLiteral(n) => match &n.value {
                        ast::Number::Float(f) if *f > 0.0 && *f < 1.0 => Some(*f),
                        _ => None,
                    },
                    _ => None,
                };
                let found = match (is_len(&b.left), is_len(&b.right)) {
                    (true, false) => fraction(&b.right),
                    (false, true) => fraction(&b.left),
                    _ => None,
                };
                if let Some(f) = found {
                    let loc = self.loc(expr);
                    self.file.split_fractions.push((f, loc));
                }
                visitor::walk_expr(self, expr);
            }
            // `[pd.read_csv(p) for p in paths]`: each item comes from what `paths` holds.
            Expr::ListComp(ast::ExprListComp { generators, .. })
            | Expr::SetComp(ast::ExprSetComp { generators, .. })
            | Expr::Generator(ast::ExprGenerator { generators, .. })
            | Expr::DictComp(ast::ExprDictComp { generators, .. }) => {
                for g in generators {
                    match self.eval(&g.iter) {
                        v @ (Value::Config(_) | Value::Cli(_) | Value::Param(_)) => {
                            self.bind_target(&g.target, Value::Derived(Box::new(v)));
                        }
                        v @ Value::Derived(_) => self.bind_target(&g.target, v),
                        _ => {}
                    }
                }
                visitor::walk_expr(self, expr);
            }
            Expr::StringLiteral(s) => {
                let text = s.value.to_str();
                // Kedro nodes name their parameters as "params:model.lr".
                if let Some(key) = text
                    .strip_prefix("params:")
                    .filter(|k| !k.is_empty() && !k.contains(' '))
                {
                    let loc = self.loc(expr);
                    self.file.key_reads.push(KeyRead {
                        key: key.to_string(),
                        binding: false,
                        loc,
                    });
                }
                if looks_like_path(text) {
                    let loc = self.loc(expr);
                    self.file.path_literals.push((text.to_string(), loc));
                }
                if is_class_path(text) {
                    let loc = self.loc(expr);
                    self.file.class_paths.push((text.to_string(), loc));
                }
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}

/// A number written as a literal at this spot (`0.1`, `-3`), not a name bound to one.
fn is_number_syntax(e: &Expr) -> bool {
    match e {
        Expr::NumberLiteral(_) => true,
        Expr::UnaryOp(u) => {
            matches!(u.op, UnaryOp::USub) && matches!(u.operand.as_ref(), Expr::NumberLiteral(_))
        }
        _ => false,
    }
}

/// A path written out literally: a string, `Path("a")`, or joins of those.
fn is_path_syntax(e: &Expr) -> bool {
    match e {
        Expr::StringLiteral(_) => true,
        Expr::Name(n) => n.id.as_str() == "__file__",
        Expr::Attribute(a) => a.attr.as_str() == "parent" && is_path_syntax(&a.value),
        Expr::BinOp(b) => is_path_syntax(&b.left) && is_path_syntax(&b.right),
        Expr::Call(c) => {
            let f = match c.func.as_ref() {
                Expr::Name(n) => n.id.as_str(),
                Expr::Attribute(a) => a.attr.as_str(),
                _ => "",
            };
            let receiver_ok = match c.func.as_ref() {
                Expr::Attribute(a)
                    if matches!(a.attr.as_str(), "resolve" | "absolute" | "expanduser") =>
                {
                    is_path_syntax(&a.value)
                }
                _ => false,
            };
            receiver_ok
                || matches!(
                    f,
                    "Path" | "join" | "PurePath" | "dirname" | "abspath" | "realpath" | "normpath"
                ) && !c.arguments.args.is_empty()
                    && c.arguments.args.iter().all(is_path_syntax)
        }
        _ => false,
    }
}

/// `__file__` as a path value: the script itself, resolved against its folder.
const SCRIPT: &str = "<script>";

/// The folder above a path value: `dirname(__file__)` is the script's folder.
fn parent_dir(p: &str) -> String {
    if p == SCRIPT {
        ".".into()
    } else if p == "." {
        "..".into()
    } else if p == ".." || p.ends_with("/..") {
        format!("{p}/..")
    } else {
        match p.rsplit_once('/') {
            Some((d, _)) if !d.is_empty() => d.to_string(),
            _ => ".".into(),
        }
    }
}

fn is_main_guard(test: &Expr) -> bool {
    let Expr::Compare(c) = test else { return false };
    let is_name = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == "__name__");
    let is_main = |e: &Expr| matches!(e, Expr::StringLiteral(s) if s.value.to_str() == "__main__");
    c.comparators.len() == 1
        && ((is_name(&c.left) && is_main(&c.comparators[0]))
            || (is_main(&c.left) && is_name(&c.comparators[0])))
}

fn number(n: &Number) -> Lit {
    match n {
        Number::Int(i) => match i.as_i64() {
            Some(v) => Lit::Int(v),
            None => Lit::Float(f64::INFINITY),
        },
        Number::Float(f) => Lit::Float(*f),
        Number::Complex { real, .. } => Lit::Float(*real),
    }
}

/// Combines operand provenances: entropy taints everything, then config, then CLI.
/// A string built from fixed text with holes (`f"data/{name}.csv"`). When its
/// fixed start names a folder, the location is written in code (the holes,
/// even a dataset name from the command line, only pick within it), kept with
/// `{}` for the holes; else it comes from a config or CLI hole, if any.
fn template(text: String, holes: Vec<Value>) -> Value {
    let fixed = text.split("{}").next().unwrap_or("");
    // A named folder, not just `../` or `/` before the first hole.
    let folder = fixed.trim_start_matches(['.', '/']).contains('/');
    if folder && !text.contains(' ') && !text.contains('\n') {
        if let Some(e @ Value::Entropy(_)) = holes.iter().find(|h| matches!(h, Value::Entropy(_))) {
            return e.clone();
        }
        return Value::Lit(Lit::Str(text));
    }
    for h in holes {
        match h {
            v @ (Value::Config(_) | Value::Cli(_) | Value::Param(_)) => {
                return Value::Derived(Box::new(v))
            }
            v @ Value::Derived(_) => return v,
            v @ Value::Entropy(_) => return v,
            _ => {}
        }
    }
    Value::Unknown
}

fn combine(l: Value, r: Value) -> Value {
    for v in [&l, &r] {
        if matches!(v, Value::Entropy(_)) {
            return v.clone();
        }
    }
    for v in [&l, &r] {
        if matches!(v, Value::Config(_) | Value::Cli(_) | Value::Param(_)) {
            return v.clone();
        }
    }
    // A file name added to a folder from the config stays derived from it.
    if let (d @ Value::Derived(_), Value::Lit(Lit::Str(_)))
    | (Value::Lit(Lit::Str(_)), d @ Value::Derived(_)) = (&l, &r)
    {
        return d.clone();
    }
    // `1337 + seed_offset`: still a value written in code. Arithmetic on two
    // literals is not evaluated, so its exact value is unknown.
    match (l, r) {
        (Value::Lit(a), Value::Lit(_)) if a.is_number() => Value::Unknown,
        (Value::Lit(a), Value::Unknown | Value::Call(_))
        | (Value::Unknown | Value::Call(_), Value::Lit(a))
            if a.is_number() =>
        {
            Value::Lit(a)
        }
        _ => Value::Unknown,
    }
}

fn is_config_module(dotted: &str) -> bool {
    let last = dotted.rsplit('.').next().unwrap_or(dotted);
    CONFIG_MODULE_NAMES.contains(&last)
}

/// The path literal a CLI default is built from: the literal itself, the
/// literal end of a join (`ROOT / "data/coco.yaml"`, `base + "x.yaml"`), or the
/// argument of `str(…)`/`Path(…)`.
fn path_in_default(expr: &Expr) -> Option<String> {
    match expr {
        Expr::StringLiteral(s) => {
            let text = s.value.to_str();
            looks_like_path(text).then(|| text.to_string())
        }
        Expr::BinOp(b) if matches!(b.op, Operator::Div | Operator::Add) => {
            path_in_default(&b.right)
        }
        Expr::Call(c) if c.arguments.args.len() == 1 => path_in_default(&c.arguments.args[0]),
        _ => None,
    }
}

/// Whether a string literal is a dotted path to a class (`a.b.ClassName`).
fn is_class_path(s: &str) -> bool {
    let mut parts = s.split('.');
    let Some(last) = parts.next_back() else {
        return false;
    };
    s.len() <= 200
        && s.matches('.').count() >= 2
        && last.starts_with(|c: char| c.is_ascii_uppercase())
        && s.split('.').all(|p| {
            p.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// Whether a string literal plausibly names a file or folder in the project.
pub fn looks_like_path(s: &str) -> bool {
    if s.is_empty() || s.len() > 300 || s.contains('\n') || s.contains(' ') || s.contains("://") {
        return false;
    }
    let last = s.rsplit(['/', '\\']).next().unwrap_or(s);
    let has_ext = last.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty()
            && (1..=8).contains(&ext.len())
            && ext.chars().all(|c| c.is_ascii_alphanumeric())
            && ext.chars().any(|c| c.is_ascii_alphabetic())
    });
    has_ext || (s.contains('/') && !s.starts_with("//"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> PyFile {
        parse_file("t.py", src)
    }

    #[test]
    fn resolves_aliases_and_from_imports() {
        let f = parse("import numpy as np\nfrom torch import manual_seed\nnp.random.seed(1)\nmanual_seed(2)\n");
        let callees: Vec<_> = f.calls.iter().map(|c| c.callee.as_str()).collect();
        assert_eq!(callees, ["numpy.random.seed", "torch.manual_seed"]);
        assert_eq!(f.calls[1].loc.line, 4);
    }

    #[test]
    fn traces_seed_from_config_and_cli() {
        let src = "import yaml, random, argparse\nwith open('c.yaml') as f:\n    cfg = yaml.safe_load(f)\nrandom.seed(cfg['train']['seed'])\np = argparse.ArgumentParser()\np.add_argument('--seed', type=int, default=3)\nargs = p.parse_args()\nrandom.seed(args.seed)\n";
        let f = parse(src);
        let seeds: Vec<_> = f
            .calls
            .iter()
            .filter(|c| c.callee == "random.seed")
            .map(|c| c.args[0].clone())
            .collect();
        assert_eq!(
            seeds,
            [
                Value::Config("train.seed".into()),
                Value::Cli("seed".into())
            ]
        );
        assert_eq!(f.cli_params[0].name, "seed");
        assert_eq!(f.cli_params[0].default, Some(Value::Lit(Lit::Int(3))));
        let keys: Vec<_> = f.key_reads.iter().map(|k| k.key.as_str()).collect();
        assert_eq!(keys, ["train.seed"]);
        let open = f
            .calls
            .iter()
            .find(|c| c.callee == "yaml.safe_load")
            .expect("load");
        assert_eq!(
            open.args[0],
            Value::File(Box::new(Value::Lit(Lit::Str("c.yaml".into()))))
        );
    }

    #[test]
    fn prefix_binding_is_not_a_read_of_the_subtree() {
        let f = parse("import json\ncfg = json.load(open('p.json'))\ntrain = cfg['train']\nx = train.lr\ny = cfg.get('model', {}).get('depth')\n");
        let keys: Vec<_> = f
            .key_reads
            .iter()
            .map(|k| (k.key.as_str(), k.binding))
            .collect();
        assert_eq!(
            keys,
            [("train", true), ("train.lr", true), ("model.depth", true)]
        );
    }

    #[test]
    fn entropy_and_main_guard_and_sorted() {
        let f = parse("import time, random, os\nrandom.seed(int(time.time()))\nfiles = sorted(os.listdir('d'))\nother = os.listdir('e')\nif __name__ == '__main__':\n    pass\n");
        assert!(f.main_guard);
        let seed = f
            .calls
            .iter()
            .find(|c| c.callee == "random.seed")
            .expect("seed");
        assert_eq!(seed.args[0], Value::Entropy("time.time".into()));
        let listings: Vec<_> = f
            .calls
            .iter()
            .filter(|c| c.callee == "os.listdir")
            .map(|c| c.in_sorted)
            .collect();
        assert_eq!(listings, [true, false]);
    }

    #[test]
    fn syntax_errors_have_lines() {
        let f = parse("x = 1\ndef f(:\n    pass\n");
        assert!(!f.syntax_errors.is_empty());
        assert_eq!(f.syntax_errors[0].loc.line, 2);
    }

    #[test]
    fn notebook_cells_map_to_cell_and_line() {
        let cells = vec![
            (1, "import numpy as np\n".to_string()),
            (3, "x = 1\nnp.random.rand(3)".to_string()),
        ];
        let f = parse_cells("nb.ipynb", &cells);
        let call = f
            .calls
            .iter()
            .find(|c| c.callee == "numpy.random.rand")
            .expect("rand");
        assert_eq!(
            call.loc,
            Loc {
                line: 2,
                cell: Some(3)
            }
        );
    }

    #[test]
    fn hydra_main_binds_config() {
        let f = parse("import hydra\n@hydra.main(config_path='conf', config_name='config')\ndef main(cfg):\n    lr = cfg.model.lr\n");
        assert_eq!(f.hydra_mains[0].config_path.as_deref(), Some("conf"));
        assert_eq!(f.key_reads[0].key, "model.lr");
    }

    #[test]
    fn argument_kinds_are_recorded() {
        let f = parse("f(1, x, a.b, c[0], g(), -2, lr=0.1, n=m)\n");
        let c = &f.calls[0];
        assert_eq!(
            c.arg_kinds,
            [
                ArgKind::Literal,
                ArgKind::Name,
                ArgKind::Attribute,
                ArgKind::Subscript,
                ArgKind::Call,
                ArgKind::Literal
            ]
        );
        assert_eq!(c.kwarg_kinds, [ArgKind::Literal, ArgKind::Name]);
        assert_eq!(c.literal_kwarg("lr"), Some(&Lit::Float(0.1)));
        assert_eq!(c.literal_kwarg("n"), None);
    }

    #[test]
    fn path_heuristic() {
        assert!(looks_like_path("data/train.csv"));
        assert!(looks_like_path("config.yaml"));
        assert!(!looks_like_path("hello world"));
        assert!(!looks_like_path("0.5"));
        assert!(!looks_like_path("https://x.org/a.csv"));
    }
}
