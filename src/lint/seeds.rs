//! Where randomness is used and where it is seeded, shared by the
//! determinism rules and by criterion 2.2.

use std::collections::BTreeSet;

use crate::facts::python::{Call, PyFile};
use crate::facts::values::{Lit, Loc, Value};
use crate::facts::Facts;

/// A call that seeds one or more RNGs.
#[derive(Debug, Clone)]
pub struct SeedPoint {
    /// File.
    pub path: String,
    /// Where.
    pub loc: Loc,
    /// Callee as resolved.
    pub callee: String,
    /// Global RNGs it seeds (`random`, `numpy`, `torch`, `tensorflow`); empty for local generators.
    pub libs: Vec<&'static str>,
    /// Where the seed value comes from; `Param` values resolved through call sites.
    pub values: Vec<Value>,
    /// On the run path.
    pub on_path: bool,
}

/// Use of a global RNG.
#[derive(Debug, Clone)]
pub struct RngUse<'a> {
    /// File.
    pub file: &'a PyFile,
    /// The call.
    pub call: &'a Call,
    /// Which global RNG it draws from.
    pub lib: &'static str,
}

const GLOBAL_SEEDERS: &[(&str, &[&str])] = &[
    ("random.seed", &["random"]),
    ("numpy.random.seed", &["numpy"]),
    ("torch.manual_seed", &["torch"]),
    ("torch.random.manual_seed", &["torch"]),
    ("torch.cuda.manual_seed", &[]),
    ("torch.cuda.manual_seed_all", &[]),
    ("tensorflow.random.set_seed", &["tensorflow"]),
    ("tensorflow.set_random_seed", &["tensorflow"]),
    ("tensorflow.compat.v1.set_random_seed", &["tensorflow"]),
    (
        "tensorflow.keras.utils.set_random_seed",
        &["random", "numpy", "tensorflow"],
    ),
    (
        "keras.utils.set_random_seed",
        &["random", "numpy", "tensorflow"],
    ),
    (
        "transformers.set_seed",
        &["random", "numpy", "torch", "tensorflow"],
    ),
    (
        "transformers.trainer_utils.set_seed",
        &["random", "numpy", "torch", "tensorflow"],
    ),
    ("accelerate.utils.set_seed", &["random", "numpy", "torch"]),
    (
        "transformers.TrainingArguments",
        &["random", "numpy", "torch"],
    ),
];

const LOCAL_GENERATORS: &[&str] = &[
    "numpy.random.default_rng",
    "numpy.random.RandomState",
    "numpy.random.Generator",
    "numpy.random.PCG64",
    "numpy.random.SeedSequence",
    "random.Random",
    "jax.random.PRNGKey",
    "jax.random.key",
    "torch.Generator().manual_seed",
];

/// Global RNG draws, by library.
const RNG_FUNCS: &[(&str, &[&str])] = &[
    (
        "random",
        &[
            "random",
            "randint",
            "randrange",
            "choice",
            "choices",
            "shuffle",
            "sample",
            "uniform",
            "gauss",
            "normalvariate",
            "betavariate",
            "expovariate",
            "gammavariate",
            "lognormvariate",
            "triangular",
            "vonmisesvariate",
            "paretovariate",
            "weibullvariate",
            "getrandbits",
            "randbytes",
        ],
    ),
    (
        "numpy.random",
        &[
            "rand",
            "randn",
            "randint",
            "random",
            "random_sample",
            "random_integers",
            "ranf",
            "sample",
            "choice",
            "shuffle",
            "permutation",
            "normal",
            "uniform",
            "binomial",
            "poisson",
            "beta",
            "gamma",
            "exponential",
            "multivariate_normal",
            "standard_normal",
            "dirichlet",
            "laplace",
            "lognormal",
            "multinomial",
            "bytes",
            "geometric",
            "logistic",
            "chisquare",
            "standard_cauchy",
            "standard_t",
            "triangular",
            "weibull",
            "bernoulli",
        ],
    ),
    (
        "torch",
        &[
            "rand",
            "randn",
            "randint",
            "randperm",
            "normal",
            "bernoulli",
            "multinomial",
            "rand_like",
            "randn_like",
            "randint_like",
            "poisson",
        ],
    ),
    (
        "torch.nn.init",
        &[
            "uniform_",
            "normal_",
            "xavier_uniform_",
            "xavier_normal_",
            "kaiming_uniform_",
            "kaiming_normal_",
            "trunc_normal_",
            "orthogonal_",
            "sparse_",
        ],
    ),
    (
        "torch.nn",
        &[
            "Linear",
            "Bilinear",
            "Conv1d",
            "Conv2d",
            "Conv3d",
            "ConvTranspose1d",
            "ConvTranspose2d",
            "ConvTranspose3d",
            "LSTM",
            "GRU",
            "RNN",
            "LSTMCell",
            "GRUCell",
            "Embedding",
            "EmbeddingBag",
            "MultiheadAttention",
            "Transformer",
            "TransformerEncoderLayer",
            "TransformerDecoderLayer",
            "Dropout",
            "Dropout2d",
            "Dropout3d",
            "AlphaDropout",
        ],
    ),
    (
        "torch.utils.data",
        &[
            "random_split",
            "RandomSampler",
            "SubsetRandomSampler",
            "WeightedRandomSampler",
        ],
    ),
    (
        "tensorflow",
        &[
            "multinomial",
            "random_uniform",
            "random_normal",
            "truncated_normal",
            "random_shuffle",
            "random_crop",
            "random_gamma",
            "random_poisson",
        ],
    ),
    (
        "tensorflow.compat.v1",
        &[
            "multinomial",
            "random_uniform",
            "random_normal",
            "truncated_normal",
            "random_shuffle",
        ],
    ),
    (
        "tensorflow.random",
        &[
            "uniform",
            "normal",
            "truncated_normal",
            "shuffle",
            "categorical",
            "gamma",
            "poisson",
        ],
    ),
];

/// sklearn callables that draw randomness unless `random_state` is set.
pub const SKLEARN_RANDOM: &[&str] = &[
    "RandomForestClassifier",
    "RandomForestRegressor",
    "ExtraTreesClassifier",
    "ExtraTreesRegressor",
    "GradientBoostingClassifier",
    "GradientBoostingRegressor",
    "HistGradientBoostingClassifier",
    "HistGradientBoostingRegressor",
    "DecisionTreeClassifier",
    "DecisionTreeRegressor",
    "ExtraTreeClassifier",
    "ExtraTreeRegressor",
    "BaggingClassifier",
    "BaggingRegressor",
    "AdaBoostClassifier",
    "AdaBoostRegressor",
    "IsolationForest",
    "RandomTreesEmbedding",
    "KMeans",
    "MiniBatchKMeans",
    "BisectingKMeans",
    "MLPClassifier",
    "MLPRegressor",
    "SGDClassifier",
    "SGDRegressor",
    "Perceptron",
    "PassiveAggressiveClassifier",
    "PassiveAggressiveRegressor",
    "TSNE",
    "ShuffleSplit",
    "StratifiedShuffleSplit",
    "GroupShuffleSplit",
    "RepeatedKFold",
    "RepeatedStratifiedKFold",
    "train_test_split",
    "RandomizedSearchCV",
    "make_classification",
    "make_regression",
    "make_blobs",
    "make_moons",
    "make_circles",
    "shuffle",
    "resample",
    "GaussianMixture",
    "BayesianGaussianMixture",
    "NMF",
    "LatentDirichletAllocation",
    "SpectralClustering",
    "RBFSampler",
    "Nystroem",
    "SparseRandomProjection",
    "GaussianRandomProjection",
    "TruncatedSVD",
    "FastICA",
    "LinearSVC",
    "SVC",
    "NuSVC",
    "KFold",
    "StratifiedKFold",
    "LogisticRegression",
    "Ridge",
    "PCA",
    "KernelPCA",
];

/// A pandas `DataFrame.sample` / `Series.sample` (`df.sample(frac=1)`): a
/// method named `sample` on something that is not a known RNG module, called
/// with pandas' own keywords.
pub fn is_frame_sample(call: &Call) -> bool {
    let root = call.callee.split('.').next().unwrap_or("");
    call.name() == "sample"
        && call.callee.contains('.')
        && !matches!(root, "random" | "numpy" | "torch" | "tensorflow" | "jax")
        && ["frac", "n", "random_state", "replace", "weights"]
            .iter()
            .any(|k| call.kwarg(k).is_some())
}

/// Whether a call with a `random_state` parameter draws randomness in the way
/// it is called: sklearn estimators and splitters, pandas `DataFrame.sample`,
/// UMAP. With `random_state` unset they draw from numpy's global RNG.
pub fn sklearn_call_is_random(call: &Call) -> bool {
    if call.callee == "umap.UMAP" {
        return true;
    }
    if is_frame_sample(call) {
        return true;
    }
    if !call.callee.starts_with("sklearn.") {
        return false;
    }
    let name = call.name();
    if !SKLEARN_RANDOM.contains(&name) {
        return false;
    }
    let truthy = |k: &str| matches!(call.kwarg(k), Some(Value::Lit(Lit::Bool(true))));
    let solver = call.kwarg("solver").and_then(Value::as_str).unwrap_or("");
    match name {
        "KFold" | "StratifiedKFold" => truthy("shuffle"),
        "train_test_split" => !matches!(call.kwarg("shuffle"), Some(Value::Lit(Lit::Bool(false)))),
        "SVC" | "NuSVC" => truthy("probability"),
        "LogisticRegression" => matches!(solver, "sag" | "saga" | "liblinear"),
        // `auto` picks the randomized solver for large inputs.
        "PCA" | "KernelPCA" => !matches!(
            call.kwarg("svd_solver")
                .or_else(|| call.kwarg("eigen_solver"))
                .and_then(Value::as_str),
            Some("full" | "covariance_eigh" | "dense")
        ),
        "Ridge" => matches!(solver, "sag" | "saga"),
        _ => true,
    }
}

/// Whether `random_state` is missing or `None`.
pub fn random_state_unset(call: &Call) -> bool {
    match call.kwarg("random_state") {
        None => !call.star_kwargs,
        Some(Value::Lit(Lit::None)) => true,
        Some(_) => false,
    }
}

/// The global RNG a call draws from, if any.
pub fn rng_lib(call: &Call) -> Option<&'static str> {
    // An explicit `generator=` (a seeded torch.Generator) replaces the global RNG.
    if call
        .kwarg("generator")
        .is_some_and(|g| !matches!(g, Value::Lit(Lit::None)))
    {
        return None;
    }
    let (module, func) = call.callee.rsplit_once('.')?;
    for (m, funcs) in RNG_FUNCS {
        if module == *m && funcs.contains(&func) {
            return Some(match *m {
                "random" => "random",
                "numpy.random" => "numpy",
                "tensorflow.random" | "tensorflow" | "tensorflow.compat.v1" => "tensorflow",
                _ => "torch",
            });
        }
    }
    if KERAS_LAYER_MODULES.contains(&module) && KERAS_RANDOM_LAYERS.contains(&func) {
        return (!seeded_by_kwarg(call, "seed")).then_some("tensorflow");
    }
    // Keras dataset builders shuffle by default and, without `seed=`, draw one
    // from numpy's global RNG.
    if func.ends_with("_dataset_from_directory")
        && (module.starts_with("tensorflow.keras") || module.starts_with("keras"))
    {
        let shuffles = !matches!(call.kwarg("shuffle"), Some(Value::Lit(Lit::Bool(false))));
        return (shuffles && !seeded_by_kwarg(call, "seed")).then_some("numpy");
    }
    if call.name() == "DataLoader"
        && call.callee.starts_with("torch.")
        && matches!(call.kwarg("shuffle"), Some(Value::Lit(Lit::Bool(true))))
    {
        return Some("torch");
    }
    None
}

fn seeded_by_kwarg(call: &Call, name: &str) -> bool {
    call.kwarg(name)
        .is_some_and(|v| !matches!(v, Value::Lit(Lit::None)))
}

/// Where Keras layers live under their import paths.
const KERAS_LAYER_MODULES: &[&str] = &[
    "tensorflow.keras.layers",
    "keras.layers",
    "tf_keras.layers",
    "tensorflow.keras.layers.experimental.preprocessing",
    "keras.layers.experimental.preprocessing",
];

/// Keras layers whose weights or outputs draw from the TensorFlow RNG.
const KERAS_RANDOM_LAYERS: &[&str] = &[
    "Dense",
    "Conv1D",
    "Conv2D",
    "Conv3D",
    "Conv1DTranspose",
    "Conv2DTranspose",
    "Conv3DTranspose",
    "SeparableConv1D",
    "SeparableConv2D",
    "DepthwiseConv2D",
    "LSTM",
    "GRU",
    "SimpleRNN",
    "Embedding",
    "MultiHeadAttention",
    "Dropout",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
    "GaussianNoise",
    "GaussianDropout",
    "AlphaDropout",
    "RandomFlip",
    "RandomRotation",
    "RandomZoom",
    "RandomCrop",
    "RandomTranslation",
    "RandomContrast",
    "RandomBrightness",
    "RandomHeight",
    "RandomWidth",
];

/// A local generator built without a seed (`default_rng()`, `random.Random()`).
pub fn unseeded_local_generator(call: &Call) -> bool {
    let seeded_by_kw = call
        .kwarg("seed")
        .is_some_and(|v| !matches!(v, Value::Lit(Lit::None)));
    matches!(
        call.callee.as_str(),
        "numpy.random.default_rng" | "numpy.random.RandomState" | "random.Random"
    ) && !seeded_by_kw
        && call
            .args
            .first()
            .is_none_or(|v| matches!(v, Value::Lit(Lit::None)))
}

/// Every seeding point in the project.
pub fn seed_points(facts: &Facts) -> Vec<SeedPoint> {
    let mut out = Vec::new();
    for f in &facts.python {
        let on_path = facts.run_path.contains(&f.path);
        for call in &f.calls {
            let name = call.name();
            let global = GLOBAL_SEEDERS
                .iter()
                .find(|(c, _)| *c == call.callee)
                .map(|(_, l)| l.to_vec());
            let everything = name == "seed_everything" && !facts.function_names.contains(name);
            let mut libs = None;
            let mut value = None;
            if let Some(l) = global {
                value = call.args.first().or_else(|| call.kwarg("seed")).cloned();
                libs = Some(l);
            } else if everything {
                libs = Some(vec!["random", "numpy", "torch"]);
                value = call.args.first().or_else(|| call.kwarg("seed")).cloned();
            } else if LOCAL_GENERATORS.contains(&call.callee.as_str()) {
                if let Some(v) = call.args.first().or_else(|| call.kwarg("seed")) {
                    if !matches!(v, Value::Lit(Lit::None)) {
                        libs = Some(vec![]);
                        value = Some(v.clone());
                    }
                }
            } else if let (Some(v), false) = (
                call.kwarg("random_state").or_else(|| call.kwarg("seed")),
                facts.function_names.contains(name),
            ) {
                // A project function taking `seed=` seeds inside, where its body is traced.
                if !matches!(v, Value::Lit(Lit::None))
                    && !call.callee.ends_with("add_argument")
                    && !call.callee.starts_with("absl.flags")
                {
                    libs = Some(vec![]);
                    value = Some(v.clone());
                }
            }
            let (Some(libs), Some(value)) = (libs, value) else {
                continue;
            };
            let values = facts.resolve(&value);
            // `np.random.seed(None)` (often a `seed=None` default nobody sets) reseeds
            // from OS entropy: it seeds nothing.
            let libs = if values.iter().all(|v| matches!(v, Value::Lit(Lit::None))) {
                Vec::new()
            } else {
                libs
            };
            out.push(SeedPoint {
                path: f.path.clone(),
                loc: call.loc,
                callee: call.callee.clone(),
                libs,
                values,
                on_path,
            });
        }
    }
    // A seed drawn from a global RNG (`torch.manual_seed(torch.randint(…))`) is as
    // fixed as that RNG: when nothing else seeds it, the seed changes every run.
    let fixed: BTreeSet<&'static str> = out
        .iter()
        .filter(|p| !p.values.iter().any(|v| drawn_from(v).is_some()))
        .flat_map(|p| p.libs.iter().copied())
        .collect();
    for p in &mut out {
        for v in &mut p.values {
            if let Some((callee, lib)) = drawn_from(v) {
                // Described as a draw from an unseeded RNG (see `Value::describe`).
                if !fixed.contains(lib) {
                    *v = Value::Entropy(callee);
                }
            }
        }
    }
    out
}

/// The draw and its RNG, when a seed value is a random draw.
fn drawn_from(v: &Value) -> Option<(String, &'static str)> {
    match v {
        Value::Call(c) => crate::facts::python::rng_draw_lib(c).map(|lib| (c.clone(), lib)),
        _ => None,
    }
}

/// Libraries whose global RNG is seeded on the run path.
pub fn seeded_libs(points: &[SeedPoint]) -> BTreeSet<&'static str> {
    points
        .iter()
        .filter(|p| p.on_path)
        .flat_map(|p| p.libs.iter().copied())
        .collect()
}
