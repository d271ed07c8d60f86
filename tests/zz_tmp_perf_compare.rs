use reproscale::verify::compare::*;
#[test]
#[ignore]
fn perf() {
    let dir = tempfile::tempdir().unwrap();
    let n: usize = 64 << 20; // f32 elements -> 256 MiB
    let mut hdr = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': ({n},), }}");
    while (10 + hdr.len() + 1) % 64 != 0 {
        hdr.push(' ');
    }
    hdr.push('\n');
    let mut a = b"\x93NUMPY\x01\x00".to_vec();
    a.extend((hdr.len() as u16).to_le_bytes());
    a.extend(hdr.as_bytes());
    let mut b = a.clone();
    for i in 0..n {
        let x = (i as f32) * 1e-3;
        a.extend(x.to_le_bytes());
        b.extend((x * (1.0 + 1e-7)).to_le_bytes());
    }
    std::fs::write(dir.path().join("a.npy"), &a).unwrap();
    std::fs::write(dir.path().join("b.npy"), &b).unwrap();
    std::fs::write(dir.path().join("c.npy"), &a).unwrap();
    let gb = a.len() as f64 / 1e9;
    let t = std::time::Instant::now();
    let h = hash_file(&dir.path().join("a.npy")).unwrap();
    let s = t.elapsed().as_secs_f64();
    eprintln!("hash {:.2} GB/s {h}", gb / s);
    let t = std::time::Instant::now();
    let r = compare_files(
        "x.npy",
        &dir.path().join("a.npy"),
        &dir.path().join("c.npy"),
        &Tolerances::default(),
        &[],
    );
    let s = t.elapsed().as_secs_f64();
    eprintln!(
        "bitexact pair {:.2} GB/s (2 files) {:?}",
        2.0 * gb / s,
        r.verdict
    );
    let t = std::time::Instant::now();
    let r = compare_files(
        "x.npy",
        &dir.path().join("a.npy"),
        &dir.path().join("b.npy"),
        &Tolerances::default(),
        &[],
    );
    let s = t.elapsed().as_secs_f64();
    eprintln!(
        "differing pair {:.2} s, {:.2} GB/s (2 files) {:?} {:?} {:?}",
        s,
        2.0 * gb / s,
        r.verdict,
        r.differing_elements,
        r.max_abs_diff
    );
}
