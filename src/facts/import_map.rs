//! Import names and the distributions that provide them, and the standard
//! library.
//!
//! A Python import names a module (`cv2`); a package list names a
//! distribution (`opencv-python`). Criterion 4.1 needs to tell whether each
//! third-party import is covered by the package list, so it needs both the
//! common renames and the modules that ship with Python itself.
//!
//! The stdlib list is the union of `sys.stdlib_module_names` over Python
//! 3.8–3.13 (modules removed in 3.12/3.13, such as `distutils` and `imp`, are
//! kept: a project written for an older Python still imports them). Note that
//! `test` is a stdlib package too: callers should look for a project-local
//! module of the same name first.

/// Top-level import names whose distribution differs from the import, or
/// that are common enough in ML projects to be listed explicitly. Sorted by
/// key (byte order) for binary search; a test checks this.
const IMPORT_TO_DIST: &[(&str, &str)] = &[
    ("Bio", "biopython"),
    ("Crypto", "pycryptodome"),
    ("Cryptodome", "pycryptodomex"),
    ("Cython", "cython"),
    ("GPUtil", "gputil"),
    ("IPython", "ipython"),
    ("Levenshtein", "python-levenshtein"),
    ("MySQLdb", "mysqlclient"),
    ("OpenGL", "pyopengl"),
    ("OpenSSL", "pyopenssl"),
    ("PIL", "pillow"),
    ("PyPDF2", "pypdf2"),
    ("PyQt5", "pyqt5"),
    ("PyQt6", "pyqt6"),
    ("PySide2", "pyside2"),
    ("PySide6", "pyside6"),
    ("SimpleITK", "simpleitk"),
    ("absl", "absl-py"),
    ("accelerate", "accelerate"),
    ("aiohttp", "aiohttp"),
    ("airflow", "apache-airflow"),
    ("albumentations", "albumentations"),
    ("anthropic", "anthropic"),
    ("attr", "attrs"),
    ("attrs", "attrs"),
    ("av", "av"),
    ("ax", "ax-platform"),
    ("bayes_opt", "bayesian-optimization"),
    ("bentoml", "bentoml"),
    ("bitsandbytes", "bitsandbytes"),
    ("boto3", "boto3"),
    ("botocore", "botocore"),
    ("botorch", "botorch"),
    ("bs4", "beautifulsoup4"),
    ("bson", "pymongo"),
    ("catboost", "catboost"),
    ("category_encoders", "category-encoders"),
    ("click", "click"),
    ("cloudpickle", "cloudpickle"),
    ("clu", "clu"),
    ("comet_ml", "comet-ml"),
    ("cupy", "cupy"),
    ("cv2", "opencv-python"),
    ("cvxpy", "cvxpy"),
    ("dask", "dask"),
    ("datasets", "datasets"),
    ("dateutil", "python-dateutil"),
    ("deepspeed", "deepspeed"),
    ("dgl", "dgl"),
    ("diffusers", "diffusers"),
    ("dill", "dill"),
    ("dm_control", "dm-control"),
    ("docx", "python-docx"),
    ("dotenv", "python-dotenv"),
    ("duckdb", "duckdb"),
    ("dvc", "dvc"),
    ("einops", "einops"),
    ("evaluate", "evaluate"),
    ("faiss", "faiss-cpu"),
    ("fastapi", "fastapi"),
    ("ffmpeg", "ffmpeg-python"),
    ("fire", "fire"),
    ("fitz", "pymupdf"),
    ("flask", "flask"),
    ("flax", "flax"),
    ("fsspec", "fsspec"),
    ("gensim", "gensim"),
    ("gin", "gin-config"),
    ("git", "gitpython"),
    ("glfw", "glfw"),
    ("gpytorch", "gpytorch"),
    ("gradio", "gradio"),
    ("grpc", "grpcio"),
    ("gym", "gym"),
    ("gymnasium", "gymnasium"),
    ("h5py", "h5py"),
    ("httpx", "httpx"),
    ("huggingface_hub", "huggingface-hub"),
    ("hydra", "hydra-core"),
    ("hyperopt", "hyperopt"),
    ("imageio", "imageio"),
    ("imblearn", "imbalanced-learn"),
    ("importlib_metadata", "importlib-metadata"),
    ("jax", "jax"),
    ("jaxlib", "jaxlib"),
    ("jieba", "jieba"),
    ("jinja2", "jinja2"),
    ("joblib", "joblib"),
    ("jose", "python-jose"),
    ("jsonschema", "jsonschema"),
    ("jwt", "pyjwt"),
    ("kafka", "kafka-python"),
    ("keras", "keras"),
    ("keras_tuner", "keras-tuner"),
    ("kornia", "kornia"),
    ("librosa", "librosa"),
    ("lightgbm", "lightgbm"),
    ("lightning", "lightning"),
    ("llama_index", "llama-index"),
    ("loguru", "loguru"),
    ("lxml", "lxml"),
    ("magic", "python-magic"),
    ("matplotlib", "matplotlib"),
    ("mlflow", "mlflow"),
    ("mlxtend", "mlxtend"),
    ("monai", "monai"),
    ("moviepy", "moviepy"),
    ("mpl_toolkits", "matplotlib"),
    ("multipart", "python-multipart"),
    ("nacl", "pynacl"),
    ("networkx", "networkx"),
    ("nibabel", "nibabel"),
    ("nltk", "nltk"),
    ("numba", "numba"),
    ("numpy", "numpy"),
    ("numpyro", "numpyro"),
    ("omegaconf", "omegaconf"),
    ("onnx", "onnx"),
    ("onnxruntime", "onnxruntime"),
    ("open3d", "open3d"),
    ("openai", "openai"),
    ("openpyxl", "openpyxl"),
    ("optax", "optax"),
    ("optuna", "optuna"),
    ("osgeo", "gdal"),
    ("pandas", "pandas"),
    ("peft", "peft"),
    ("pkg_resources", "setuptools"),
    ("plotly", "plotly"),
    ("polars", "polars"),
    ("pptx", "python-pptx"),
    ("psutil", "psutil"),
    ("psycopg2", "psycopg2"),
    ("pyarrow", "pyarrow"),
    ("pycocotools", "pycocotools"),
    ("pydantic", "pydantic"),
    ("pydantic_settings", "pydantic-settings"),
    ("pydicom", "pydicom"),
    ("pymongo", "pymongo"),
    ("pymupdf", "pymupdf"),
    ("pynvml", "nvidia-ml-py"),
    ("pyro", "pyro-ppl"),
    ("pyspark", "pyspark"),
    ("pytest", "pytest"),
    ("pytorch_lightning", "pytorch-lightning"),
    ("ray", "ray"),
    ("redis", "redis"),
    ("regex", "regex"),
    ("requests", "requests"),
    ("rich", "rich"),
    ("rouge_score", "rouge-score"),
    ("ruamel", "ruamel-yaml"),
    ("sacrebleu", "sacrebleu"),
    ("safetensors", "safetensors"),
    ("scipy", "scipy"),
    ("seaborn", "seaborn"),
    ("sentence_transformers", "sentence-transformers"),
    ("sentencepiece", "sentencepiece"),
    ("serial", "pyserial"),
    ("shap", "shap"),
    ("shapely", "shapely"),
    ("skimage", "scikit-image"),
    ("sklearn", "scikit-learn"),
    ("sklearn_crfsuite", "sklearn-crfsuite"),
    ("skopt", "scikit-optimize"),
    ("snappy", "python-snappy"),
    ("soundfile", "soundfile"),
    ("spacy", "spacy"),
    ("speech_recognition", "speechrecognition"),
    ("sqlalchemy", "sqlalchemy"),
    ("stable_baselines3", "stable-baselines3"),
    ("statsmodels", "statsmodels"),
    ("streamlit", "streamlit"),
    ("sympy", "sympy"),
    ("tables", "tables"),
    ("tensorboard", "tensorboard"),
    ("tensorboardX", "tensorboardx"),
    ("tensorflow", "tensorflow"),
    ("tensorflow_addons", "tensorflow-addons"),
    ("tensorflow_datasets", "tensorflow-datasets"),
    ("tensorflow_hub", "tensorflow-hub"),
    ("tensorflow_probability", "tensorflow-probability"),
    ("tensorflow_text", "tensorflow-text"),
    ("tf_keras", "tf-keras"),
    ("tiktoken", "tiktoken"),
    ("timm", "timm"),
    ("tokenizers", "tokenizers"),
    ("torch", "torch"),
    ("torch_geometric", "torch-geometric"),
    ("torch_scatter", "torch-scatter"),
    ("torch_sparse", "torch-sparse"),
    ("torchaudio", "torchaudio"),
    ("torchmetrics", "torchmetrics"),
    ("torchtext", "torchtext"),
    ("torchvision", "torchvision"),
    ("tqdm", "tqdm"),
    ("transformers", "transformers"),
    ("trl", "trl"),
    ("typer", "typer"),
    ("typing_extensions", "typing-extensions"),
    ("ultralytics", "ultralytics"),
    ("umap", "umap-learn"),
    ("usb", "pyusb"),
    ("uvicorn", "uvicorn"),
    ("wandb", "wandb"),
    ("websocket", "websocket-client"),
    ("whisper", "openai-whisper"),
    ("wx", "wxpython"),
    ("xarray", "xarray"),
    ("xformers", "xformers"),
    ("xgboost", "xgboost"),
    ("yaml", "pyyaml"),
    ("zarr", "zarr"),
    ("zmq", "pyzmq"),
];

/// Other distributions that provide the same import as the key distribution
/// (GPU builds, headless builds, conda-forge names). Sorted by key.
const ALTERNATIVES: &[(&str, &[&str])] = &[
    ("beautifulsoup4", &["bs4"]),
    ("cupy", &["cupy-cuda11x", "cupy-cuda12x"]),
    ("dask", &["dask-core"]),
    (
        "faiss-cpu",
        &["faiss-gpu", "faiss", "faiss-gpu-cu11", "faiss-gpu-cu12"],
    ),
    ("keras", &["tensorflow", "tensorflow-gpu", "tensorflow-cpu"]),
    ("mlflow", &["mlflow-skinny"]),
    ("nvidia-ml-py", &["pynvml", "nvidia-ml-py3"]),
    ("onnxruntime", &["onnxruntime-gpu"]),
    (
        "opencv-python",
        &[
            "opencv-python-headless",
            "opencv-contrib-python",
            "opencv-contrib-python-headless",
            "opencv",
            "py-opencv",
        ],
    ),
    ("pillow", &["pillow-simd"]),
    ("psycopg2", &["psycopg2-binary"]),
    ("pycryptodome", &["pycrypto"]),
    ("python-levenshtein", &["levenshtein"]),
    ("soundfile", &["pysoundfile"]),
    ("tables", &["pytables"]),
    (
        "tensorflow",
        &[
            "tensorflow-gpu",
            "tensorflow-cpu",
            "tensorflow-macos",
            "tensorflow-intel",
            "tf-nightly",
        ],
    ),
    ("torch", &["pytorch", "pytorch-cpu", "pytorch-gpu"]),
    ("torch-geometric", &["pyg"]),
];

/// Top-level names shared by many distributions (namespace packages), or
/// provided by a runtime rather than a distribution (`google.colab`).
const AMBIGUOUS: &[&str] = &[
    "azure",
    "azureml",
    "backports",
    "google",
    "jaraco",
    "nvidia",
    "sphinxcontrib",
    "zope",
];

/// The Python standard library's top-level modules (3.8–3.13 union), sorted.
const STDLIB: &[&str] = &[
    "__future__",
    "_abc",
    "_aix_support",
    "_android_support",
    "_ast",
    "_asyncio",
    "_bisect",
    "_blake2",
    "_bootlocale",
    "_bootsubprocess",
    "_bz2",
    "_codecs",
    "_codecs_cn",
    "_codecs_hk",
    "_codecs_iso2022",
    "_codecs_jp",
    "_codecs_kr",
    "_codecs_tw",
    "_collections",
    "_collections_abc",
    "_colorize",
    "_compat_pickle",
    "_compression",
    "_contextvars",
    "_crypt",
    "_csv",
    "_ctypes",
    "_curses",
    "_curses_panel",
    "_datetime",
    "_dbm",
    "_decimal",
    "_dummy_thread",
    "_elementtree",
    "_frozen_importlib",
    "_frozen_importlib_external",
    "_functools",
    "_gdbm",
    "_hashlib",
    "_heapq",
    "_imp",
    "_interpchannels",
    "_interpqueues",
    "_interpreters",
    "_io",
    "_ios_support",
    "_json",
    "_locale",
    "_lsprof",
    "_lzma",
    "_markupbase",
    "_md5",
    "_msi",
    "_multibytecodec",
    "_multiprocessing",
    "_opcode",
    "_opcode_metadata",
    "_operator",
    "_osx_support",
    "_overlapped",
    "_peg_parser",
    "_pickle",
    "_posixshmem",
    "_posixsubprocess",
    "_py_abc",
    "_pydatetime",
    "_pydecimal",
    "_pyio",
    "_pylong",
    "_pyrepl",
    "_queue",
    "_random",
    "_scproxy",
    "_sha1",
    "_sha2",
    "_sha256",
    "_sha3",
    "_sha512",
    "_signal",
    "_sitebuiltins",
    "_socket",
    "_sqlite3",
    "_sre",
    "_ssl",
    "_stat",
    "_statistics",
    "_string",
    "_strptime",
    "_struct",
    "_suggestions",
    "_symtable",
    "_sysconfig",
    "_thread",
    "_threading_local",
    "_tkinter",
    "_tokenize",
    "_tracemalloc",
    "_typing",
    "_uuid",
    "_warnings",
    "_weakref",
    "_weakrefset",
    "_winapi",
    "_wmi",
    "_xxinterpchannels",
    "_zoneinfo",
    "abc",
    "aifc",
    "antigravity",
    "argparse",
    "array",
    "ast",
    "asynchat",
    "asyncio",
    "asyncore",
    "atexit",
    "audioop",
    "base64",
    "bdb",
    "binascii",
    "binhex",
    "bisect",
    "builtins",
    "bz2",
    "cProfile",
    "calendar",
    "cgi",
    "cgitb",
    "chunk",
    "cmath",
    "cmd",
    "code",
    "codecs",
    "codeop",
    "collections",
    "colorsys",
    "compileall",
    "concurrent",
    "configparser",
    "contextlib",
    "contextvars",
    "copy",
    "copyreg",
    "crypt",
    "csv",
    "ctypes",
    "curses",
    "dataclasses",
    "datetime",
    "dbm",
    "decimal",
    "difflib",
    "dis",
    "distutils",
    "doctest",
    "dummy_threading",
    "email",
    "encodings",
    "ensurepip",
    "enum",
    "errno",
    "faulthandler",
    "fcntl",
    "filecmp",
    "fileinput",
    "fnmatch",
    "formatter",
    "fractions",
    "ftplib",
    "functools",
    "gc",
    "genericpath",
    "getopt",
    "getpass",
    "gettext",
    "glob",
    "graphlib",
    "grp",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "html",
    "http",
    "idlelib",
    "imaplib",
    "imghdr",
    "imp",
    "importlib",
    "inspect",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "keyword",
    "lib2to3",
    "linecache",
    "locale",
    "logging",
    "lzma",
    "mailbox",
    "mailcap",
    "marshal",
    "math",
    "mimetypes",
    "mmap",
    "modulefinder",
    "msilib",
    "msvcrt",
    "multiprocessing",
    "netrc",
    "nis",
    "nntplib",
    "nt",
    "ntpath",
    "nturl2path",
    "numbers",
    "opcode",
    "operator",
    "optparse",
    "os",
    "ossaudiodev",
    "parser",
    "pathlib",
    "pdb",
    "pickle",
    "pickletools",
    "pipes",
    "pkgutil",
    "platform",
    "plistlib",
    "poplib",
    "posix",
    "posixpath",
    "pprint",
    "profile",
    "pstats",
    "pty",
    "pwd",
    "py_compile",
    "pyclbr",
    "pydoc",
    "pydoc_data",
    "pyexpat",
    "queue",
    "quopri",
    "random",
    "re",
    "readline",
    "reprlib",
    "resource",
    "rlcompleter",
    "runpy",
    "sched",
    "secrets",
    "select",
    "selectors",
    "shelve",
    "shlex",
    "shutil",
    "signal",
    "site",
    "smtpd",
    "smtplib",
    "sndhdr",
    "socket",
    "socketserver",
    "spwd",
    "sqlite3",
    "sre_compile",
    "sre_constants",
    "sre_parse",
    "ssl",
    "stat",
    "statistics",
    "string",
    "stringprep",
    "struct",
    "subprocess",
    "sunau",
    "symbol",
    "symtable",
    "sys",
    "sysconfig",
    "syslog",
    "tabnanny",
    "tarfile",
    "telnetlib",
    "tempfile",
    "termios",
    "textwrap",
    "this",
    "threading",
    "time",
    "timeit",
    "tkinter",
    "token",
    "tokenize",
    "tomllib",
    "trace",
    "traceback",
    "tracemalloc",
    "tty",
    "turtle",
    "turtledemo",
    "types",
    "typing",
    "unicodedata",
    "unittest",
    "urllib",
    "uu",
    "uuid",
    "venv",
    "warnings",
    "wave",
    "weakref",
    "webbrowser",
    "winreg",
    "winsound",
    "wsgiref",
    "xdrlib",
    "xml",
    "xmlrpc",
    "zipapp",
    "zipfile",
    "zipimport",
    "zlib",
    "zoneinfo",
];

/// The distribution known to provide a top-level import, if this table knows
/// it. Ambiguous namespace names (`google`, `azure`) give `None`.
pub fn distribution_for_import(top_level_module: &str) -> Option<&'static str> {
    IMPORT_TO_DIST
        .binary_search_by(|(k, _)| (*k).cmp(top_level_module))
        .ok()
        .map(|i| IMPORT_TO_DIST[i].1)
}

/// The distribution for a top-level import: the mapped one, else the
/// PEP 503-normalised module name itself (`my_pkg` → `my-pkg`).
///
/// For ambiguous namespace names (see [`is_ambiguous`]) this still returns the
/// normalised name; check [`is_ambiguous`] first where that matters.
pub fn dist_for(top_level: &str) -> String {
    distribution_for_import(top_level).map_or_else(|| normalize(top_level), str::to_string)
}

/// Other distributions (besides `dist` itself) that provide the same import:
/// `faiss-cpu` → `faiss-gpu`, …; `opencv-python` → its headless and contrib
/// builds; `torch` → conda's `pytorch`. Empty when none are known. `dist` is
/// compared after PEP 503 normalisation.
pub fn alternatives(dist: &str) -> &'static [&'static str] {
    let dist = normalize(dist);
    ALTERNATIVES
        .binary_search_by(|(k, _)| (*k).cmp(dist.as_str()))
        .map_or(&[], |i| ALTERNATIVES[i].1)
}

/// Whether a listed distribution name satisfies a needed distribution: equal
/// after normalisation, or one of its [`alternatives`].
pub fn covers(needed: &str, listed: &str) -> bool {
    let listed = normalize(listed);
    normalize(needed) == listed || alternatives(needed).iter().any(|a| *a == listed)
}

/// Whether a top-level name is a namespace shared by many distributions, or
/// a runtime's module, so that no single distribution can be named for it.
pub fn is_ambiguous(top_level: &str) -> bool {
    AMBIGUOUS.binary_search(&top_level).is_ok()
}

/// Whether a top-level module ships with Python (any of 3.8–3.13).
pub fn is_stdlib(top_level: &str) -> bool {
    STDLIB.binary_search(&top_level).is_ok()
}

/// PEP 503 normalisation: lowercase, and each run of `-`, `_`, `.` becomes
/// one `-`.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            out.extend(c.to_lowercase());
            in_run = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_and_unique() {
        assert!(IMPORT_TO_DIST.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(ALTERNATIVES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(AMBIGUOUS.windows(2).all(|w| w[0] < w[1]));
        assert!(STDLIB.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn table_values_are_normalised() {
        for (_, d) in IMPORT_TO_DIST {
            assert_eq!(normalize(d), *d, "{d}");
        }
        for (k, alts) in ALTERNATIVES {
            assert_eq!(normalize(k), *k);
            for a in *alts {
                assert_eq!(normalize(a), *a, "{a}");
            }
        }
    }

    #[test]
    fn table_is_large_enough() {
        assert!(IMPORT_TO_DIST.len() >= 120);
        assert!(STDLIB.len() >= 300);
    }

    #[test]
    fn known_renames() {
        for (import, dist) in [
            ("sklearn", "scikit-learn"),
            ("cv2", "opencv-python"),
            ("PIL", "pillow"),
            ("yaml", "pyyaml"),
            ("skimage", "scikit-image"),
            ("bs4", "beautifulsoup4"),
            ("Crypto", "pycryptodome"),
            ("dateutil", "python-dateutil"),
            ("dotenv", "python-dotenv"),
            ("jwt", "pyjwt"),
            ("magic", "python-magic"),
            ("attr", "attrs"),
            ("tensorflow_datasets", "tensorflow-datasets"),
            ("torch_geometric", "torch-geometric"),
            ("pytorch_lightning", "pytorch-lightning"),
            ("lightning", "lightning"),
            ("hydra", "hydra-core"),
            ("umap", "umap-learn"),
            ("Levenshtein", "python-levenshtein"),
            ("faiss", "faiss-cpu"),
            ("git", "gitpython"),
            ("serial", "pyserial"),
            ("usb", "pyusb"),
            ("zmq", "pyzmq"),
            ("docx", "python-docx"),
            ("pptx", "python-pptx"),
            ("fitz", "pymupdf"),
            ("OpenSSL", "pyopenssl"),
            ("nacl", "pynacl"),
            ("jose", "python-jose"),
            ("sklearn_crfsuite", "sklearn-crfsuite"),
            ("sentence_transformers", "sentence-transformers"),
            ("huggingface_hub", "huggingface-hub"),
            ("absl", "absl-py"),
            ("torch", "torch"),
            ("transformers", "transformers"),
            ("mpl_toolkits", "matplotlib"),
            ("pkg_resources", "setuptools"),
        ] {
            assert_eq!(distribution_for_import(import), Some(dist), "{import}");
        }
    }

    #[test]
    fn google_is_unknown_and_ambiguous() {
        assert_eq!(distribution_for_import("google"), None);
        assert!(is_ambiguous("google"));
        assert!(!is_ambiguous("torch"));
        assert!(!is_stdlib("google"));
    }

    #[test]
    fn dist_for_falls_back_to_normalised_name() {
        assert_eq!(dist_for("sklearn"), "scikit-learn");
        assert_eq!(dist_for("my_Package.sub"), "my-package-sub");
        assert_eq!(dist_for("somethingelse"), "somethingelse");
        // Case matters for imports: `pil` is not `PIL`.
        assert_eq!(distribution_for_import("pil"), None);
    }

    #[test]
    fn alternatives_and_covers() {
        assert!(alternatives("faiss-cpu").contains(&"faiss-gpu"));
        assert!(alternatives("Faiss_CPU").contains(&"faiss-gpu"));
        assert!(alternatives("numpy").is_empty());
        assert!(covers("faiss-cpu", "faiss-gpu"));
        assert!(covers("opencv-python", "opencv-python-headless"));
        assert!(covers("torch", "pytorch"));
        assert!(covers("scikit-learn", "Scikit_Learn"));
        assert!(!covers("scikit-learn", "sklearn-crfsuite"));
    }

    #[test]
    fn stdlib() {
        for m in [
            "__future__",
            "os",
            "sys",
            "asyncio",
            "concurrent",
            "dataclasses",
            "importlib",
            "distutils",
            "tomllib",
            "typing",
            "zoneinfo",
            "graphlib",
            "imp",
            "asynchat",
            "lib2to3",
            "tkinter",
            "sqlite3",
            "xml",
            "json",
            "unittest",
            "multiprocessing",
            "collections",
            "formatter",
            "_thread",
        ] {
            assert!(is_stdlib(m), "{m}");
        }
        for m in [
            "typing_extensions",
            "numpy",
            "torch",
            "six",
            "setuptools",
            "Os",
            "",
        ] {
            assert!(!is_stdlib(m), "{m}");
        }
    }

    #[test]
    fn normalisation() {
        assert_eq!(normalize("Django"), "django");
        assert_eq!(normalize("ruamel.yaml"), "ruamel-yaml");
        assert_eq!(normalize("foo__bar--baz._qux"), "foo-bar-baz-qux");
        assert_eq!(normalize(" Typing_Extensions "), "typing-extensions");
        assert_eq!(normalize(""), "");
    }
}
