//! Artifact comparison between two runs: files written into temp dirs and
//! compared through the public API.

use std::path::PathBuf;

use reproscale::verify::compare::{
    compare_all, compare_files, default_volatile_keys, hash_file, ArtifactResult, Kind, Tol,
    Tolerances, Verdict,
};

struct Runs {
    _dir: tempfile::TempDir,
    a: PathBuf,
    b: PathBuf,
}

impl Runs {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = dir.path().join("run0");
        let b = dir.path().join("run1");
        std::fs::create_dir_all(&a).expect("mkdir");
        std::fs::create_dir_all(&b).expect("mkdir");
        Runs { _dir: dir, a, b }
    }

    fn write(&self, rel: &str, a: &[u8], b: &[u8]) {
        for (root, bytes) in [(&self.a, a), (&self.b, b)] {
            let p = root.join(rel);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).expect("mkdir");
            }
            std::fs::write(p, bytes).expect("write");
        }
    }

    fn compare(&self, rel: &str) -> ArtifactResult {
        self.compare_with(rel, &Tolerances::default())
    }

    fn compare_with(&self, rel: &str, tol: &Tolerances) -> ArtifactResult {
        compare_files(
            rel,
            &self.a.join(rel),
            &self.b.join(rel),
            tol,
            &default_volatile_keys(),
        )
    }
}

/// A minimal `.npy` writer: a version 1.0 header dict padded to 64 bytes,
/// then the raw data.
fn npy(descr: &str, shape: &[usize], data: &[u8]) -> Vec<u8> {
    let shape_txt = match shape.len() {
        1 => format!("({},)", shape[0]),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut dict =
        format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_txt}, }}");
    while (10 + dict.len() + 1) % 64 != 0 {
        dict.push(' ');
    }
    dict.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend((dict.len() as u16).to_le_bytes());
    out.extend(dict.as_bytes());
    out.extend(data);
    out
}

fn f32_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn i32_bytes(v: &[i32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn npz(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in entries {
        w.start_file(
            format!("{name}.npy"),
            zip::write::SimpleFileOptions::default(),
        )
        .expect("start");
        w.write_all(data).expect("write");
    }
    w.finish().expect("finish").into_inner()
}

#[test]
fn identical_files_are_bit_exact() {
    let r = Runs::new();
    r.write("metrics.json", br#"{"acc": 0.9}"#, br#"{"acc": 0.9}"#);
    r.write("model.bin", b"\x00\x01\x02", b"\x00\x01\x02");
    for rel in ["metrics.json", "model.bin"] {
        let res = r.compare(rel);
        assert_eq!(res.verdict, Verdict::BitExact, "{rel}: {res:?}");
        assert_eq!(res.hash_a, res.hash_b);
        assert!(res.hash_a.is_some());
        assert_eq!(res.first_difference, None);
    }
    let h = hash_file(&r.a.join("model.bin")).expect("hash");
    assert_eq!(h, blake3::hash(b"\x00\x01\x02"));
}

#[test]
fn json_noise_is_within_tolerance() {
    let r = Runs::new();
    r.write(
        "models/model.json",
        br#"{"a": 1, "b": 0.0025, "c": [3.5, 4.5]}"#,
        br#"{"a": 1, "b": 0.0025000000000001, "c": [3.5, 4.5]}"#,
    );
    let res = r.compare("models/model.json");
    assert_eq!(res.kind, Kind::Json);
    assert_eq!(res.verdict, Verdict::WithinTolerance, "{res:?}");
    assert_eq!(res.first_difference.as_deref(), Some("b"));
    assert_eq!(res.differing_elements, Some(1));
    assert_eq!(res.total_elements, Some(4));
    let abs = res.max_abs_diff.expect("max_abs");
    assert!((abs - 1e-16).abs() < 1e-17, "{abs}");

    r.write(
        "m2.json",
        br#"{"loss": 0.5, "acc": 0.25}"#,
        br#"{"loss": 0.5, "acc": 0.2500000000001}"#,
    );
    let res = r.compare("m2.json");
    assert_eq!(res.verdict, Verdict::WithinTolerance);
    assert_eq!(res.first_difference.as_deref(), Some("acc"));
    let abs = res.max_abs_diff.expect("max_abs");
    assert!((abs - 1e-13).abs() < 1e-15, "{abs}");
    let rel = res.max_rel_diff.expect("max_rel");
    assert!((rel - 4e-13).abs() < 1e-14, "{rel}");
}

#[test]
fn json_changed_string_or_number_differs() {
    let r = Runs::new();
    r.write(
        "m.json",
        br#"{"cfg": {"optimizer": "adam"}, "acc": 0.9}"#,
        br#"{"cfg": {"optimizer": "sgd"}, "acc": 0.9}"#,
    );
    let res = r.compare("m.json");
    assert_eq!(res.verdict, Verdict::Differs);
    assert_eq!(res.first_difference.as_deref(), Some("cfg.optimizer"));
    assert!(res.note.as_deref().is_some_and(|n| n.contains("\"adam\"")));

    r.write("n.json", br#"{"acc": 0.9}"#, br#"{"acc": 0.91}"#);
    let res = r.compare("n.json");
    assert_eq!(res.verdict, Verdict::Differs);
    assert_eq!(res.first_difference.as_deref(), Some("acc"));
    assert!((res.max_abs_diff.expect("abs") - 0.01).abs() < 1e-12);

    r.write("k.json", br#"{"acc": 0.9}"#, br#"{"acc": 0.9, "f1": 0.8}"#);
    let res = r.compare("k.json");
    assert_eq!(res.verdict, Verdict::Differs);
    assert_eq!(res.first_difference.as_deref(), Some("f1"));
}

/// Volatile keys that differ leave the bytes different, so the verdict is
/// `within_tolerance` (not `bit_exact`), with the keys named in the note.
#[test]
fn volatile_runtime_alone_is_within_tolerance() {
    let r = Runs::new();
    r.write(
        "metrics.json",
        br#"{"acc": 0.9, "runtime": 12.3, "timestamp": "2024-01-01T00:00:00"}"#,
        br#"{"acc": 0.9, "runtime": 15.8, "timestamp": "2024-01-01T00:01:00"}"#,
    );
    let res = r.compare("metrics.json");
    assert_eq!(res.verdict, Verdict::WithinTolerance, "{res:?}");
    assert_eq!(res.differing_elements, Some(0));
    assert_eq!(res.first_difference, None);
    let note = res.note.expect("note");
    assert!(
        note.contains("runtime") && note.contains("timestamp"),
        "{note}"
    );

    let strict = compare_files(
        "metrics.json",
        &r.a.join("metrics.json"),
        &r.b.join("metrics.json"),
        &Tolerances::default(),
        &[],
    );
    assert_eq!(strict.verdict, Verdict::Differs);
}

#[test]
fn yaml_and_toml() {
    let r = Runs::new();
    r.write(
        "params.yaml",
        b"train:\n  lr: 0.001\n  epochs: 3\n",
        b"train:\n  lr: 0.0010000000000000002\n  epochs: 3\n",
    );
    let res = r.compare("params.yaml");
    assert_eq!(res.verdict, Verdict::WithinTolerance, "{res:?}");
    assert_eq!(res.first_difference.as_deref(), Some("train.lr"));
    r.write("p.toml", b"[t]\nepochs = 3\n", b"[t]\nepochs = 4\n");
    let res = r.compare("p.toml");
    assert_eq!(res.verdict, Verdict::Differs);
    assert_eq!(res.first_difference.as_deref(), Some("t.epochs"));
}

#[test]
fn csv_cell_noise_and_large_change() {
    let r = Runs::new();
    let a = b"epoch,loss,acc\n1,0.693,0.5\n2,0.41,0.8\n";
    r.write(
        "small.csv",
        a,
        b"epoch,loss,acc\n1,0.693,0.5\n2,0.41000000000001,0.8\n",
    );
    let res = r.compare("small.csv");
    assert_eq!(res.verdict, Verdict::WithinTolerance, "{res:?}");
    assert_eq!(res.first_difference.as_deref(), Some("row 2, column loss"));
    assert_eq!(res.total_elements, Some(6));
    assert_eq!(res.differing_elements, Some(1));

    r.write(
        "large.csv",
        a,
        b"epoch,loss,acc\n1,0.693,0.5\n2,0.41,0.85\n",
    );
    let res = r.compare("large.csv");
    assert_eq!(res.verdict, Verdict::Differs);
    assert_eq!(res.first_difference.as_deref(), Some("row 2, column acc"));
    assert!((res.max_abs_diff.expect("abs") - 0.05).abs() < 1e-12);

    r.write("shape.csv", a, b"epoch,loss\n1,0.693\n2,0.41\n");
    assert_eq!(r.compare("shape.csv").verdict, Verdict::Differs);
    r.write("t.tsv", b"a\tb\n1\t2\n", b"a\tb\n1\t3\n");
    let res = r.compare("t.tsv");
    assert_eq!(res.kind, Kind::Tsv);
    assert_eq!(res.first_difference.as_deref(), Some("row 1, column b"));
}

#[test]
fn npy_float32_small_and_large_differences() {
    let r = Runs::new();
    let base: Vec<f32> = vec![0.5, 0.25, 0.125, 0.75, 0.375, 0.625];
    let mut small = base.clone();
    small[4] += 1e-7;
    small[5] -= 1e-7;
    r.write(
        "out/small.npy",
        &npy("<f4", &[2, 3], &f32_bytes(&base)),
        &npy("<f4", &[2, 3], &f32_bytes(&small)),
    );
    let res = r.compare("out/small.npy");
    assert_eq!(res.kind, Kind::Npy);
    assert_eq!(res.verdict, Verdict::WithinTolerance, "{res:?}");
    let expected_abs = base
        .iter()
        .zip(&small)
        .map(|(x, y)| (*x as f64 - *y as f64).abs())
        .fold(0.0, f64::max);
    assert!(expected_abs > 0.0 && expected_abs <= 3e-7);
    assert_eq!(res.max_abs_diff, Some(expected_abs));
    assert_eq!(res.differing_elements, Some(2));
    assert_eq!(res.total_elements, Some(6));
    assert_eq!(res.first_difference.as_deref(), Some("[1, 1]"));

    let mut large = base.clone();
    large[1] += 1e-2;
    large[3] += 1e-7;
    r.write(
        "out/large.npy",
        &npy("<f4", &[2, 3], &f32_bytes(&base)),
        &npy("<f4", &[2, 3], &f32_bytes(&large)),
    );
    let res = r.compare("out/large.npy");
    assert_eq!(res.verdict, Verdict::Differs);
    let expected_abs = (large[1] as f64 - base[1] as f64).abs();
    assert_eq!(res.max_abs_diff, Some(expected_abs));
    assert!((expected_abs - 1e-2).abs() < 1e-6);
    assert_eq!(res.differing_elements, Some(2));
    assert_eq!(res.exceeding_elements, Some(1));
    assert_eq!(res.first_difference.as_deref(), Some("[0, 1]"));
    let rel = res.max_rel_diff.expect("rel");
    assert!((rel - expected_abs / large[1] as f64).abs() < 1e-9, "{rel}");
}

#[test]
fn npy_ints_are_exact_and_shapes_must_match() {
    let r = Runs::new();
    r.write(
        "labels.npy",
        &npy("<i4", &[4], &i32_bytes(&[1, 2, 3, 4])),
        &npy("<i4", &[4], &i32_bytes(&[1, 2, 3, 5])),
    );
    let res = r.compare("labels.npy");
    assert_eq!(res.verdict, Verdict::Differs);
    assert_eq!(res.first_difference.as_deref(), Some("[3]"));
    assert_eq!(res.max_abs_diff, Some(1.0));

    r.write(
        "shape.npy",
        &npy("<f4", &[2, 2], &f32_bytes(&[1.0, 2.0, 3.0, 4.0])),
        &npy("<f4", &[4], &f32_bytes(&[1.0, 2.0, 3.0, 4.0])),
    );
    let res = r.compare("shape.npy");
    assert_eq!(res.verdict, Verdict::Differs);
    assert_eq!(res.first_difference.as_deref(), Some("shape"));

    r.write(
        "dtype.npy",
        &npy("<f4", &[1], &f32_bytes(&[1.0])),
        &npy("<i4", &[1], &i32_bytes(&[1])),
    );
    assert_eq!(
        r.compare("dtype.npy").first_difference.as_deref(),
        Some("dtype")
    );

    let tol = Tolerances {
        overrides: vec![(
            "labels.*".into(),
            Tol {
                rtol: 0.0,
                atol: 1.0,
            },
        )],
        ..Tolerances::default()
    };
    assert_eq!(
        r.compare_with("labels.npy", &tol).verdict,
        Verdict::WithinTolerance
    );
}

#[test]
fn npy_nan_at_same_place_is_equal() {
    let r = Runs::new();
    let a = npy("<f4", &[3], &f32_bytes(&[f32::NAN, 1.0, 2.0]));
    let b = npy("<f4", &[3], &f32_bytes(&[f32::NAN, 1.0, 2.0 + 1e-6]));
    r.write("nan.npy", &a, &b);
    assert_eq!(r.compare("nan.npy").verdict, Verdict::WithinTolerance);
    let c = npy("<f4", &[3], &f32_bytes(&[0.0, 1.0, 2.0]));
    r.write("nan2.npy", &a, &c);
    let res = r.compare("nan2.npy");
    assert_eq!(res.verdict, Verdict::Differs);
    assert_eq!(res.first_difference.as_deref(), Some("[0]"));
}

#[test]
fn npz_with_two_arrays() {
    let r = Runs::new();
    let w = npy("<f4", &[2, 2], &f32_bytes(&[1.0, 2.0, 3.0, 4.0]));
    let w_noise = npy("<f4", &[2, 2], &f32_bytes(&[1.0, 2.0, 3.0, 4.000001]));
    let w_big = npy("<f4", &[2, 2], &f32_bytes(&[1.0, 2.0, 3.5, 4.0]));
    let y = npy("<i4", &[3], &i32_bytes(&[0, 1, 2]));
    r.write(
        "arrays.npz",
        &npz(&[("weights", w.clone()), ("labels", y.clone())]),
        &npz(&[("weights", w_noise), ("labels", y.clone())]),
    );
    let res = r.compare("arrays.npz");
    assert_eq!(res.kind, Kind::Npz);
    assert_eq!(res.verdict, Verdict::WithinTolerance, "{res:?}");
    assert_eq!(res.total_elements, Some(7));
    assert_eq!(res.differing_elements, Some(1));
    assert_eq!(res.first_difference.as_deref(), Some("weights[1, 1]"));

    r.write(
        "big.npz",
        &npz(&[("weights", w.clone()), ("labels", y.clone())]),
        &npz(&[("weights", w_big), ("labels", y.clone())]),
    );
    let res = r.compare("big.npz");
    assert_eq!(res.verdict, Verdict::Differs);
    assert_eq!(res.first_difference.as_deref(), Some("weights[1, 0]"));
    assert_eq!(res.max_abs_diff, Some(0.5));

    r.write(
        "missing.npz",
        &npz(&[("weights", w.clone()), ("labels", y)]),
        &npz(&[("weights", w)]),
    );
    let res = r.compare("missing.npz");
    assert_eq!(res.verdict, Verdict::Differs);
    assert_eq!(res.first_difference.as_deref(), Some("labels"));
}

#[test]
fn safetensors_per_tensor() {
    use safetensors::tensor::TensorView;
    use safetensors::Dtype;
    let file = |w: &[f32], bias: &[f32], steps: &[i64]| {
        let wb = f32_bytes(w);
        let h: Vec<u8> = bias
            .iter()
            .flat_map(|x| half::f16::from_f32(*x).to_le_bytes())
            .collect();
        let s: Vec<u8> = steps.iter().flat_map(|x| x.to_le_bytes()).collect();
        let tensors = vec![
            (
                "layer.weight",
                TensorView::new(Dtype::F32, vec![2, 2], &wb).expect("view"),
            ),
            (
                "layer.bias",
                TensorView::new(Dtype::F16, vec![2], &h).expect("view"),
            ),
            (
                "steps",
                TensorView::new(Dtype::I64, vec![1], &s).expect("view"),
            ),
        ];
        safetensors::serialize(tensors, None).expect("serialize")
    };
    let r = Runs::new();
    let a = file(&[1.0, 2.0, 3.0, 4.0], &[0.5, 0.25], &[10]);
    r.write(
        "m.safetensors",
        &a,
        &file(&[1.0, 2.0, 3.0, 4.0], &[0.5, 0.2502], &[10]),
    );
    let res = r.compare("m.safetensors");
    assert_eq!(res.kind, Kind::Safetensors);
    assert_eq!(res.verdict, Verdict::WithinTolerance, "{res:?}");
    assert_eq!(res.total_elements, Some(7));
    assert_eq!(res.first_difference.as_deref(), Some("layer.bias[1]"));

    r.write(
        "n.safetensors",
        &a,
        &file(&[1.0, 2.0, 3.0, 4.5], &[0.5, 0.25], &[10]),
    );
    let res = r.compare("n.safetensors");
    assert_eq!(res.verdict, Verdict::Differs);
    assert_eq!(res.first_difference.as_deref(), Some("layer.weight[1, 1]"));
    assert_eq!(res.max_abs_diff, Some(0.5));

    r.write(
        "o.safetensors",
        &a,
        &file(&[1.0, 2.0, 3.0, 4.0], &[0.5, 0.25], &[11]),
    );
    let res = r.compare("o.safetensors");
    assert_eq!(res.verdict, Verdict::Differs);
    assert_eq!(res.first_difference.as_deref(), Some("steps[0]"));

    r.write("bad.safetensors", &a, &a[..a.len() - 5]);
    let res = r.compare("bad.safetensors");
    assert_eq!(res.verdict, Verdict::Differs);
    assert!(res
        .note
        .as_deref()
        .is_some_and(|n| n.contains("could not be parsed")));
}

#[test]
fn damaged_files_differ_with_a_note() {
    let r = Runs::new();
    let good = npy("<f4", &[4], &f32_bytes(&[1.0, 2.0, 3.0, 4.0]));
    r.write("t.npy", &good, &good[..good.len() - 6]);
    let res = r.compare("t.npy");
    assert_eq!(res.verdict, Verdict::Differs);
    let note = res.note.expect("note");
    assert!(
        note.contains("could not be parsed") && note.contains("truncated"),
        "{note}"
    );

    r.write("h.npy", &good, &good[..30]);
    assert_eq!(r.compare("h.npy").verdict, Verdict::Differs);
    r.write("z.npz", &npz(&[("x", good.clone())]), b"PK\x03\x04garbage");
    assert_eq!(r.compare("z.npz").verdict, Verdict::Differs);
    r.write("j.json", br#"{"a": 1}"#, br#"{"a": "#);
    let res = r.compare("j.json");
    assert_eq!(res.verdict, Verdict::Differs);
    assert!(res
        .note
        .as_deref()
        .is_some_and(|n| n.contains("could not be parsed as json")));
}

#[test]
fn text_and_binary() {
    let r = Runs::new();
    r.write(
        "train.log",
        b"epoch 1 loss 0.5\nepoch 2 loss 0.25\n",
        b"epoch 1 loss 0.5\nepoch 2 loss 0.2500000000001\n",
    );
    let res = r.compare("train.log");
    assert_eq!(res.verdict, Verdict::WithinTolerance);
    assert_eq!(res.first_difference.as_deref(), Some("line 2"));
    r.write("out.txt", b"a\nb\nc\n", b"a\nB\nc\n");
    let res = r.compare("out.txt");
    assert_eq!(res.verdict, Verdict::Differs);
    assert_eq!(res.first_difference.as_deref(), Some("line 2"));

    r.write("model.pkl", b"\x80\x04abc\x00", b"\x80\x04abd\x00");
    let res = r.compare("model.pkl");
    assert_eq!(res.kind, Kind::Binary);
    assert_eq!(res.verdict, Verdict::Differs);
    let note = res.note.expect("note");
    let (ha, hb) = (res.hash_a.expect("hash"), res.hash_b.expect("hash"));
    assert!(note.contains(&ha) && note.contains(&hb), "{note}");
    assert_eq!(res.first_difference.as_deref(), Some("byte 4"));

    r.write("RESULT", b"score 1\n", b"score 2\n");
    let res = r.compare("RESULT");
    assert_eq!(
        res.kind,
        Kind::Text,
        "UTF-8 without an extension reads as text"
    );
    assert_eq!(res.first_difference.as_deref(), Some("line 1"));
}

#[test]
fn compare_all_sorts_expands_and_flags_missing_files() {
    let r = Runs::new();
    r.write("z.json", br#"{"a": 1}"#, br#"{"a": 1}"#);
    r.write("out/b.csv", b"x\n1\n", b"x\n2\n");
    r.write("out/a.txt", b"same\n", b"same\n");
    std::fs::write(r.a.join("only_a.txt"), b"x").expect("write");
    let pair = |rel: &str| (rel.to_string(), r.a.join(rel), r.b.join(rel));
    let results = compare_all(
        &[pair("z.json"), pair("out"), pair("only_a.txt")],
        &Tolerances::default(),
        &default_volatile_keys(),
    );
    let paths: Vec<&str> = results.iter().map(|x| x.path.as_str()).collect();
    assert_eq!(
        paths,
        vec!["only_a.txt", "out/a.txt", "out/b.csv", "z.json"]
    );
    let verdicts: Vec<Verdict> = results.iter().map(|x| x.verdict).collect();
    assert_eq!(
        verdicts,
        vec![
            Verdict::Differs,
            Verdict::BitExact,
            Verdict::Differs,
            Verdict::BitExact
        ]
    );
    assert_eq!(
        results[0].note.as_deref(),
        Some("missing in the second run")
    );
    assert_eq!(results[0].size_a, 1);
    assert_eq!(results[0].size_b, 0);
    assert_eq!(
        reproscale::verify::compare::overall(&results),
        Verdict::Differs
    );
}

#[test]
fn json_contract_fields() {
    let r = Runs::new();
    r.write(
        "models/model.json",
        br#"{"a": 1, "b": 0.25, "c": 3}"#,
        br#"{"a": 1, "b": 0.2500000000001, "c": 3}"#,
    );
    let res = r.compare("models/model.json");
    let v = serde_json::to_value(&res).expect("serializes");
    for key in [
        "path",
        "kind",
        "verdict",
        "max_abs_diff",
        "max_rel_diff",
        "differing_elements",
        "total_elements",
        "first_difference",
        "size_a",
        "size_b",
    ] {
        assert!(v.get(key).is_some(), "missing {key}: {v}");
    }
    assert_eq!(v["path"], "models/model.json");
    assert_eq!(v["kind"], "json");
    assert_eq!(v["verdict"], "within_tolerance");
    assert_eq!(v["differing_elements"], 1);
    assert_eq!(v["total_elements"], 3);
    assert_eq!(v["first_difference"], "b");
}

/// Three copies compared at once: one result per artifact, the worst over
/// the other copies (with that copy's statistics), folders expanded into
/// their files, a FIFO reported instead of waited on, and every file pair
/// counted once for the progress bar.
#[test]
fn compare_runs_keeps_the_worst_copy_per_artifact() {
    use reproscale::verify::compare::compare_runs;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let dir = tempfile::tempdir().expect("tempdir");
    let copies: Vec<PathBuf> = (0..3).map(|i| dir.path().join(format!("run{i}"))).collect();
    let write = |i: usize, rel: &str, bytes: &[u8]| {
        let p = copies[i].join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, bytes).expect("write");
    };
    for i in 0..3 {
        write(i, "same.txt", b"same\n");
        write(i, "out/a.json", br#"{"a": 1}"#);
    }
    write(0, "m.json", br#"{"loss": 1.0}"#);
    write(1, "m.json", br#"{"loss": 1.0000000000001}"#);
    write(2, "m.json", br#"{"loss": 2.0}"#);
    write(2, "out/extra.txt", b"only in the third copy\n");
    let fifo = std::process::Command::new("mkfifo")
        .arg(copies[0].join("pipe"))
        .arg(copies[1].join("pipe"))
        .status()
        .is_ok_and(|s| s.success());
    let paths: Vec<String> = ["m.json", "out", "same.txt", "pipe"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let others: Vec<&std::path::Path> = copies[1..].iter().map(|p| p.as_path()).collect();
    let counted = AtomicUsize::new(0);
    let results = compare_runs(
        &paths,
        &copies[0],
        &others,
        &Tolerances {
            global: Some(Tol {
                rtol: 1e-9,
                atol: 0.0,
            }),
            ..Tolerances::default()
        },
        &default_volatile_keys(),
        &|k| {
            counted.fetch_add(k, Ordering::SeqCst);
        },
    );
    let got: Vec<(&str, Verdict)> = results
        .iter()
        .map(|r| (r.path.as_str(), r.verdict))
        .collect();
    let pipe = if fifo {
        Verdict::Differs
    } else {
        Verdict::BitExact
    };
    assert_eq!(
        got,
        vec![
            ("m.json", Verdict::Differs),
            ("out/a.json", Verdict::BitExact),
            ("out/extra.txt", Verdict::Differs),
            ("pipe", pipe),
            ("same.txt", Verdict::BitExact),
        ]
    );
    // The third copy's difference, not the second's tolerable one.
    assert_eq!(results[0].max_abs_diff, Some(1.0));
    assert_eq!(results[2].note.as_deref(), Some("missing in the first run"));
    if fifo {
        assert!(results[3]
            .note
            .as_deref()
            .is_some_and(|n| n.contains("not a regular file")));
    }
    assert_eq!(counted.load(Ordering::SeqCst), paths.len() * 2);
}

#[test]
fn compare_all_reports_a_folder_against_a_file() {
    let r = Runs::new();
    std::fs::create_dir_all(r.a.join("model")).expect("mkdir");
    std::fs::write(r.a.join("model/w.bin"), b"w").expect("write");
    std::fs::write(r.b.join("model"), b"a file").expect("write");
    let results = compare_all(
        &[("model".to_string(), r.a.join("model"), r.b.join("model"))],
        &Tolerances::default(),
        &default_volatile_keys(),
    );
    let got: Vec<(&str, Verdict)> = results
        .iter()
        .map(|x| (x.path.as_str(), x.verdict))
        .collect();
    assert_eq!(
        got,
        vec![
            ("model", Verdict::Differs),
            ("model/w.bin", Verdict::Differs)
        ]
    );
    assert!(results[0]
        .note
        .as_deref()
        .is_some_and(|n| n.contains("a folder in one run")));
}
