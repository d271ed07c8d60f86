//! Arrays: `.npy` (header read with npyz), `.npz` (a zip of `.npy` entries)
//! and safetensors. Shapes and dtypes must match; elements are then compared
//! in parallel chunks with the tolerance of their dtype. NaN equals NaN at
//! the same place. Locations are multi-indices, `[i, j]`, prefixed with the
//! array's name in `.npz` and safetensors files.

use std::collections::{BTreeMap, HashMap};
use std::io::{Cursor, Read};

use npyz::{Endianness, NpyHeader, Order, TypeChar};
use rayon::prelude::*;

use super::tolerance::{cmp_f64, cmp_int, Cmp, DType, PathTol, Stats, Tol};
use super::VolatileKeys;

/// How one scalar is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Elem {
    /// IEEE half.
    F16,
    /// bfloat16.
    BF16,
    /// IEEE single.
    F32,
    /// IEEE double.
    F64,
    /// An integer of `size` bytes.
    Int {
        /// Bytes.
        size: usize,
        /// Two's complement.
        signed: bool,
    },
    /// One byte, zero is false.
    Bool,
    /// Opaque items of this many bytes, compared exactly.
    Raw(usize),
}

/// How an array's elements are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    /// The scalar type.
    pub elem: Elem,
    /// Scalars are big-endian.
    pub big_endian: bool,
    /// Scalars per element (2 for complex numbers).
    pub lanes: usize,
}

impl Layout {
    fn plain(elem: Elem) -> Self {
        Layout {
            elem,
            big_endian: false,
            lanes: 1,
        }
    }

    /// Bytes per scalar.
    pub fn scalar_size(&self) -> usize {
        match self.elem {
            Elem::F16 | Elem::BF16 => 2,
            Elem::F32 => 4,
            Elem::F64 => 8,
            Elem::Int { size, .. } => size,
            Elem::Bool => 1,
            Elem::Raw(n) => n.max(1),
        }
    }

    /// The dtype tolerances are chosen by.
    pub fn dtype(&self) -> DType {
        match self.elem {
            Elem::F16 => DType::F16,
            Elem::BF16 => DType::BF16,
            Elem::F32 => DType::F32,
            Elem::F64 => DType::F64,
            Elem::Int { .. } => DType::Int,
            Elem::Bool | Elem::Raw(_) => DType::Bool,
        }
    }
}

/// Copies `N` bytes into little-endian order.
#[inline(always)]
fn le<const N: usize>(s: &[u8], big_endian: bool) -> [u8; N] {
    let mut x = [0u8; N];
    x.copy_from_slice(&s[..N]);
    if big_endian {
        x.reverse();
    }
    x
}

#[inline(always)]
fn float_at(s: &[u8], elem: Elem, be: bool) -> f64 {
    match elem {
        Elem::F16 => half::f16::from_bits(u16::from_le_bytes(le::<2>(s, be))).to_f64(),
        Elem::BF16 => half::bf16::from_bits(u16::from_le_bytes(le::<2>(s, be))).to_f64(),
        Elem::F32 => f32::from_le_bytes(le::<4>(s, be)) as f64,
        Elem::F64 => f64::from_le_bytes(le::<8>(s, be)),
        _ => f64::NAN,
    }
}

#[inline(always)]
fn int_at(s: &[u8], size: usize, signed: bool, be: bool) -> i128 {
    match (size, signed) {
        (1, true) => i8::from_le_bytes(le::<1>(s, be)).into(),
        (1, false) => u8::from_le_bytes(le::<1>(s, be)).into(),
        (2, true) => i16::from_le_bytes(le::<2>(s, be)).into(),
        (2, false) => u16::from_le_bytes(le::<2>(s, be)).into(),
        (4, true) => i32::from_le_bytes(le::<4>(s, be)).into(),
        (4, false) => u32::from_le_bytes(le::<4>(s, be)).into(),
        (8, true) => i64::from_le_bytes(le::<8>(s, be)).into(),
        (8, false) => u64::from_le_bytes(le::<8>(s, be)).into(),
        _ => 0,
    }
}

/// A scalar, rendered for a note.
fn scalar_text(data: &[u8], layout: Layout, scalar: u64) -> String {
    let size = layout.scalar_size();
    let Some(s) = usize::try_from(scalar)
        .ok()
        .and_then(|i| i.checked_mul(size))
        .and_then(|start| data.get(start..start.checked_add(size)?))
    else {
        return "?".into();
    };
    match layout.elem {
        Elem::F16 | Elem::BF16 | Elem::F32 | Elem::F64 => {
            format!("{}", float_at(s, layout.elem, layout.big_endian))
        }
        Elem::Int { size, signed } => int_at(s, size, signed, layout.big_endian).to_string(),
        Elem::Bool => (s[0] != 0).to_string(),
        Elem::Raw(_) => s.iter().map(|b| format!("{b:02x}")).collect(),
    }
}

/// Element statistics, with positions as scalar indices.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TensorStats {
    pub total: u64,
    pub differing: u64,
    pub exceeding: u64,
    pub nonfinite: u64,
    pub max_abs: f64,
    pub max_rel: f64,
    pub first_diff: Option<u64>,
    pub first_bad: Option<u64>,
}

impl TensorStats {
    #[inline]
    fn add(&mut self, cmp: Cmp, at: u64) {
        let (abs, rel, bad) = match cmp {
            Cmp::Equal => return,
            Cmp::Within { abs, rel } => (Some(abs), rel, false),
            Cmp::Exceeds { abs, rel } => (abs, rel, true),
        };
        self.differing += 1;
        if self.first_diff.is_none() {
            self.first_diff = Some(at);
        }
        if bad {
            self.exceeding += 1;
            if abs.is_none() {
                self.nonfinite += 1;
            }
            if self.first_bad.is_none() {
                self.first_bad = Some(at);
            }
        }
        if let Some(abs) = abs {
            if abs > self.max_abs {
                self.max_abs = abs;
            }
        }
        if let Some(rel) = rel {
            if rel.is_finite() && rel > self.max_rel {
                self.max_rel = rel;
            }
        }
    }

    fn merge(a: TensorStats, b: TensorStats) -> TensorStats {
        let min = |x: Option<u64>, y: Option<u64>| match (x, y) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, None) => x,
            (None, y) => y,
        };
        TensorStats {
            total: a.total + b.total,
            differing: a.differing + b.differing,
            exceeding: a.exceeding + b.exceeding,
            nonfinite: a.nonfinite + b.nonfinite,
            max_abs: a.max_abs.max(b.max_abs),
            max_rel: a.max_rel.max(b.max_rel),
            first_diff: min(a.first_diff, b.first_diff),
            first_bad: min(a.first_bad, b.first_bad),
        }
    }
}

/// Scalars per parallel chunk.
const CHUNK: usize = 1 << 16;

/// Compares two raw buffers of the same length laid out as `layout`.
pub(crate) fn compare_raw(a: &[u8], b: &[u8], layout: Layout, tol: Tol) -> TensorStats {
    let size = layout.scalar_size();
    let chunk_bytes = CHUNK * size;
    let scan = |(ci, (ca, cb)): (usize, (&[u8], &[u8]))| {
        let base = (ci * CHUNK) as u64;
        if ca == cb {
            return TensorStats {
                total: (ca.len().min(cb.len()) / size) as u64,
                ..TensorStats::default()
            };
        }
        scan_chunk(ca, cb, base, layout, tol)
    };
    if a.len() <= chunk_bytes {
        return scan((0, (a, b)));
    }
    a.par_chunks(chunk_bytes)
        .zip(b.par_chunks(chunk_bytes))
        .enumerate()
        .map(scan)
        .reduce(TensorStats::default, TensorStats::merge)
}

fn scan_chunk(ca: &[u8], cb: &[u8], base: u64, layout: Layout, tol: Tol) -> TensorStats {
    let size = layout.scalar_size();
    let be = layout.big_endian;
    let mut s = TensorStats {
        total: (ca.len().min(cb.len()) / size) as u64,
        ..TensorStats::default()
    };
    let pairs = ca.chunks_exact(size).zip(cb.chunks_exact(size)).enumerate();
    match layout.elem {
        elem @ (Elem::F16 | Elem::BF16 | Elem::F32 | Elem::F64) => {
            for (k, (x, y)) in pairs {
                if x != y {
                    let cmp = cmp_f64(float_at(x, elem, be), float_at(y, elem, be), tol);
                    s.add(cmp, base + k as u64);
                }
            }
        }
        Elem::Int { size, signed } => {
            for (k, (x, y)) in pairs {
                if x != y {
                    let cmp = cmp_int(
                        int_at(x, size, signed, be),
                        int_at(y, size, signed, be),
                        tol,
                    );
                    s.add(cmp, base + k as u64);
                }
            }
        }
        Elem::Bool => {
            for (k, (x, y)) in pairs {
                if (x[0] != 0) != (y[0] != 0) {
                    s.add(
                        Cmp::Exceeds {
                            abs: Some(1.0),
                            rel: None,
                        },
                        base + k as u64,
                    );
                }
            }
        }
        Elem::Raw(_) => {
            for (k, (x, y)) in pairs {
                if x != y {
                    s.add(
                        Cmp::Exceeds {
                            abs: None,
                            rel: None,
                        },
                        base + k as u64,
                    );
                }
            }
            // Raw mismatches are not numeric: no NaN or infinity involved.
            s.nonfinite = 0;
        }
    }
    s
}

/// `[i, j, k]` for a flat element index.
pub(crate) fn multi_index(flat: u64, shape: &[u64], fortran: bool) -> String {
    let mut idx = vec![0u64; shape.len()];
    let mut rem = flat;
    let dims: Vec<usize> = if fortran {
        (0..shape.len()).collect()
    } else {
        (0..shape.len()).rev().collect()
    };
    for d in dims {
        let n = shape[d].max(1);
        idx[d] = rem % n;
        rem /= n;
    }
    let parts: Vec<String> = idx.iter().map(u64::to_string).collect();
    format!("[{}]", parts.join(", "))
}

/// An array to compare.
pub(crate) struct Array<'a> {
    /// The dtype as the file spells it (`<f4`, `F32`).
    pub dtype_name: String,
    /// Dimensions.
    pub shape: Vec<u64>,
    /// Column-major order.
    pub fortran: bool,
    /// How to read the elements; `None` when they cannot be (pickled).
    pub layout: Option<Layout>,
    /// The element bytes.
    pub data: &'a [u8],
}

/// Adds a comparison of two arrays to `stats`; `name` prefixes locations.
pub(crate) fn compare_arrays(stats: &mut Stats, name: &str, a: &Array, b: &Array, tol: &PathTol) {
    let at = |what: &str| {
        if name.is_empty() {
            what.to_string()
        } else {
            format!("{name} {what}")
        }
    };
    if a.dtype_name != b.dtype_name {
        stats.mismatch(
            || at("dtype"),
            || format!("dtype {} vs {}", a.dtype_name, b.dtype_name),
        );
        return;
    }
    if a.shape != b.shape {
        stats.mismatch(
            || at("shape"),
            || format!("shape {:?} vs {:?}", a.shape, b.shape),
        );
        return;
    }
    if a.fortran != b.fortran {
        stats.mismatch(
            || at("order"),
            || "memory order (C vs Fortran) differs".to_string(),
        );
        return;
    }
    let Some(layout) = a.layout else {
        if a.data != b.data {
            stats.mismatch(
                || at("data"),
                || {
                    format!(
                        "{} data cannot be read element-wise and differs",
                        a.dtype_name
                    )
                },
            );
        }
        return;
    };
    if a.data.len() != b.data.len() {
        stats.mismatch(
            || at("data"),
            || format!("{} vs {} data bytes", a.data.len(), b.data.len()),
        );
        return;
    }
    if let Elem::Raw(_) = layout.elem {
        stats.notes.push(format!(
            "{} compared byte-for-byte ({})",
            if name.is_empty() { "array" } else { name },
            a.dtype_name
        ));
    }
    let tol = tol.for_dtype(layout.dtype());
    let t = compare_raw(a.data, b.data, layout, tol);
    let lanes = layout.lanes.max(1) as u64;
    let label = |scalar: u64| format!("{name}{}", multi_index(scalar / lanes, &a.shape, a.fortran));
    stats.total += t.total;
    stats.differing += t.differing;
    stats.exceeding += t.exceeding;
    stats.nonfinite += t.nonfinite;
    stats.max_abs = stats.max_abs.max(t.max_abs);
    stats.max_rel = stats.max_rel.max(t.max_rel);
    if stats.first_diff.is_none() {
        stats.first_diff = t.first_diff.map(label);
    }
    if stats.first_bad.is_none() {
        if let Some(i) = t.first_bad {
            let where_ = label(i);
            stats.first_bad_detail = Some(format!(
                "{where_}: {} vs {}",
                scalar_text(a.data, layout, i),
                scalar_text(b.data, layout, i)
            ));
            stats.first_bad = Some(where_);
        }
    }
}

/// Checks the `.npy` preamble and the shape's size before npyz reads it,
/// so that a damaged file cannot make it allocate or overflow.
fn precheck_npy(bytes: &[u8]) -> Result<(), String> {
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err("not an .npy file (bad magic)".into());
    }
    let (header_len, prefix): (usize, usize) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        v => return Err(format!("unsupported .npy version {v}")),
    };
    let Some(header) = bytes.get(prefix..prefix.saturating_add(header_len)) else {
        return Err("truncated header".into());
    };
    let text = String::from_utf8_lossy(header);
    if let Some(pos) = text.find("'shape'").or_else(|| text.find("\"shape\"")) {
        let rest = &text[pos..];
        if let (Some(open), Some(close)) = (rest.find('('), rest.find(')')) {
            if open < close {
                let mut n: u64 = 1;
                for part in rest[open + 1..close].split(',') {
                    let part = part.trim().trim_end_matches('L');
                    if part.is_empty() {
                        continue;
                    }
                    let d: u64 = part
                        .parse()
                        .map_err(|_| format!("bad shape entry {part:?}"))?;
                    n = n.checked_mul(d).ok_or("shape too large")?;
                }
            }
        }
    }
    Ok(())
}

fn npy_layout(header: &NpyHeader) -> Option<Layout> {
    if header.uses_pickled_array() {
        return None;
    }
    let dtype = header.dtype();
    let raw = || dtype.num_bytes().map(|n| Layout::plain(Elem::Raw(n)));
    let npyz::DType::Plain(ts) = &dtype else {
        return raw();
    };
    let size = ts.size_field() as usize;
    let big_endian = ts.endianness() == Endianness::Big;
    let elem = match (ts.type_char(), size) {
        (TypeChar::Float, 2) => Elem::F16,
        (TypeChar::Float, 4) => Elem::F32,
        (TypeChar::Float, 8) => Elem::F64,
        (TypeChar::Int, 1 | 2 | 4 | 8) => Elem::Int { size, signed: true },
        (TypeChar::Uint, 1 | 2 | 4 | 8) => Elem::Int {
            size,
            signed: false,
        },
        (TypeChar::TimeDelta | TypeChar::DateTime, 8) => Elem::Int {
            size: 8,
            signed: true,
        },
        (TypeChar::Bool, 1) => Elem::Bool,
        (TypeChar::Complex, 8) => {
            return Some(Layout {
                elem: Elem::F32,
                big_endian,
                lanes: 2,
            })
        }
        (TypeChar::Complex, 16) => {
            return Some(Layout {
                elem: Elem::F64,
                big_endian,
                lanes: 2,
            })
        }
        _ => return raw(),
    };
    Some(Layout {
        elem,
        big_endian,
        lanes: 1,
    })
}

/// Parses an `.npy` file held in memory.
pub(crate) fn parse_npy(bytes: &[u8]) -> Result<Array<'_>, String> {
    precheck_npy(bytes)?;
    let mut rest = bytes;
    let header = NpyHeader::from_reader(&mut rest).map_err(|e| format!("bad header: {e}"))?;
    let layout = npy_layout(&header);
    let data = match layout {
        Some(layout) => {
            let want = header
                .len()
                .checked_mul((layout.scalar_size() * layout.lanes) as u64)
                .and_then(|n| usize::try_from(n).ok())
                .ok_or("array too large")?;
            if rest.len() < want {
                return Err(format!(
                    "truncated: {} data bytes, {} expected",
                    rest.len(),
                    want
                ));
            }
            if rest.len() > want {
                return Err(format!("{} data bytes, {} expected", rest.len(), want));
            }
            rest
        }
        None => rest,
    };
    Ok(Array {
        dtype_name: header.dtype().descr(),
        shape: header.shape().to_vec(),
        fortran: header.order() == Order::Fortran,
        layout,
        data,
    })
}

/// Compares two `.npy` files.
pub(crate) fn compare_npy(a: &[u8], b: &[u8], tol: &PathTol) -> Result<Stats, String> {
    let xa = parse_npy(a).map_err(|e| format!("first run: {e}"))?;
    let xb = parse_npy(b).map_err(|e| format!("second run: {e}"))?;
    let mut stats = Stats::default();
    compare_arrays(&mut stats, "", &xa, &xb, tol);
    Ok(stats)
}

/// Reads every file entry of a zip, in archive order.
fn read_zip(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut out = Vec::with_capacity(zip.len());
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| e.to_string())?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().map_err(|e| e.to_string())?.into_owned();
        let mut data = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0).min(1 << 30));
        entry
            .read_to_end(&mut data)
            .map_err(|e| format!("{name}: {e}"))?;
        out.push((name, data));
    }
    Ok(out)
}

/// Compares two `.npz` archives array by array (by entry name).
pub(crate) fn compare_npz(a: &[u8], b: &[u8], tol: &PathTol) -> Result<Stats, String> {
    let (za, zb) = rayon::join(|| read_zip(a), || read_zip(b));
    let za = za.map_err(|e| format!("first run: {e}"))?;
    let zb = zb.map_err(|e| format!("second run: {e}"))?;
    let b_index: HashMap<&str, &[u8]> =
        zb.iter().map(|(n, d)| (n.as_str(), d.as_slice())).collect();
    let mut stats = Stats::default();
    for (entry, da) in &za {
        let name = entry.strip_suffix(".npy").unwrap_or(entry);
        let Some(db) = b_index.get(entry.as_str()) else {
            stats.mismatch(|| name.to_string(), || "missing in the second run".into());
            continue;
        };
        if !entry.ends_with(".npy") {
            if da.as_slice() != *db {
                stats.mismatch(|| name.to_string(), || "non-array entry differs".into());
            }
            continue;
        }
        match (parse_npy(da), parse_npy(db)) {
            (Ok(xa), Ok(xb)) => compare_arrays(&mut stats, name, &xa, &xb, tol),
            (Err(e), _) | (_, Err(e)) => {
                stats.mismatch(|| name.to_string(), || format!("could not be parsed: {e}"))
            }
        }
    }
    let a_names: std::collections::HashSet<&str> = za.iter().map(|(n, _)| n.as_str()).collect();
    for (entry, _) in &zb {
        if !a_names.contains(entry.as_str()) {
            let name = entry.strip_suffix(".npy").unwrap_or(entry);
            stats.mismatch(|| name.to_string(), || "missing in the first run".into());
        }
    }
    Ok(stats)
}

fn safetensors_layout(dtype: safetensors::Dtype) -> Layout {
    use safetensors::Dtype as D;
    let int = |size, signed| Layout::plain(Elem::Int { size, signed });
    match dtype {
        D::F16 => Layout::plain(Elem::F16),
        D::BF16 => Layout::plain(Elem::BF16),
        D::F32 => Layout::plain(Elem::F32),
        D::F64 => Layout::plain(Elem::F64),
        D::I8 => int(1, true),
        D::U8 => int(1, false),
        D::I16 => int(2, true),
        D::U16 => int(2, false),
        D::I32 => int(4, true),
        D::U32 => int(4, false),
        D::I64 => int(8, true),
        D::U64 => int(8, false),
        D::BOOL => Layout::plain(Elem::Bool),
        D::C64 => Layout {
            elem: Elem::F32,
            big_endian: false,
            lanes: 2,
        },
        _ => Layout::plain(Elem::Raw(1)),
    }
}

/// A safetensors tensor as an array.
fn st_array<'a>(t: &safetensors::tensor::TensorView<'a>) -> Array<'a> {
    Array {
        dtype_name: format!("{:?}", t.dtype()),
        shape: t.shape().iter().map(|&d| d as u64).collect(),
        fortran: false,
        layout: Some(safetensors_layout(t.dtype())),
        data: t.data(),
    }
}

/// Compares two safetensors files tensor by tensor, and their metadata.
pub(crate) fn compare_safetensors(
    a: &[u8],
    b: &[u8],
    tol: &PathTol,
    volatile: &VolatileKeys,
) -> Result<Stats, String> {
    use safetensors::SafeTensors;
    let sa = SafeTensors::deserialize(a).map_err(|e| format!("first run: {e}"))?;
    let sb = SafeTensors::deserialize(b).map_err(|e| format!("second run: {e}"))?;
    let mut stats = Stats::default();

    let meta = |bytes: &[u8]| -> BTreeMap<String, String> {
        SafeTensors::read_metadata(bytes)
            .ok()
            .and_then(|(_, m)| m.metadata().clone())
            .map(|m| m.into_iter().collect())
            .unwrap_or_default()
    };
    let (ma, mb) = (meta(a), meta(b));
    for key in ma.keys().chain(mb.keys().filter(|k| !ma.contains_key(*k))) {
        let at = format!("__metadata__.{key}");
        let (va, vb) = (ma.get(key), mb.get(key));
        if va == vb {
            continue;
        }
        if volatile.matches(key, &at) {
            stats.volatile_skipped.push(at);
            continue;
        }
        stats.mismatch(
            || at.clone(),
            || {
                format!(
                    "{:?} vs {:?}",
                    va.map(String::as_str),
                    vb.map(String::as_str)
                )
            },
        );
    }

    let mut names = sa.names();
    names.sort_unstable();
    for name in &names {
        let (Ok(ta), tb) = (sa.tensor(name), sb.tensor(name)) else {
            continue;
        };
        match tb {
            Ok(tb) => compare_arrays(&mut stats, name, &st_array(&ta), &st_array(&tb), tol),
            Err(_) => stats.mismatch(|| name.to_string(), || "missing in the second run".into()),
        }
    }
    let mut extra: Vec<&str> = sb
        .names()
        .into_iter()
        .filter(|n| sa.tensor(n).is_err())
        .collect();
    extra.sort_unstable();
    for name in extra {
        stats.mismatch(|| name.to_string(), || "missing in the first run".into());
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal `.npy` writer: version 1 header, then raw data.
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

    fn f32s(v: &[f32]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    #[test]
    fn f32_within_and_beyond() {
        let tol = crate::verify::compare::Tolerances::default()
            .compile()
            .expect("compiles")
            .for_path("x.npy");
        let a = npy("<f4", &[2, 3], &f32s(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]));
        let b = npy("<f4", &[2, 3], &f32s(&[1.0, 2.0, 3.0, 4.0, 5.000001, 6.0]));
        let s = compare_npy(&a, &b, &tol).expect("parses");
        assert!(!s.is_bad());
        assert_eq!((s.total, s.differing), (6, 1));
        assert_eq!(s.first_diff.as_deref(), Some("[1, 1]"));
        let c = npy("<f4", &[2, 3], &f32s(&[1.0, 2.01, 3.0, 4.0, 5.0, 6.5]));
        let s = compare_npy(&a, &c, &tol).expect("parses");
        assert!(s.is_bad());
        assert_eq!(s.exceeding, 2);
        assert_eq!(s.first_bad.as_deref(), Some("[0, 1]"));
        assert!((s.max_abs - 0.5).abs() < 1e-9);
    }

    #[test]
    fn big_endian_f8_and_f2_and_ints() {
        let tol = crate::verify::compare::Tolerances::default()
            .compile()
            .expect("compiles")
            .for_path("x.npy");
        let be = |v: &[f64]| v.iter().flat_map(|x| x.to_be_bytes()).collect::<Vec<u8>>();
        let a = npy(">f8", &[2], &be(&[1.0, f64::NAN]));
        let b = npy(">f8", &[2], &be(&[1.0 + 1e-12, f64::NAN]));
        let s = compare_npy(&a, &b, &tol).expect("parses");
        assert!(!s.is_bad());
        assert!((s.max_abs - 1e-12).abs() < 1e-15);

        let h = |v: &[f32]| {
            v.iter()
                .flat_map(|x| half::f16::from_f32(*x).to_le_bytes())
                .collect::<Vec<u8>>()
        };
        let a = npy("<f2", &[2], &h(&[1.0, 2.0]));
        let b = npy("<f2", &[2], &h(&[1.0, 2.5]));
        let s = compare_npy(&a, &b, &tol).expect("parses");
        assert_eq!(s.first_bad.as_deref(), Some("[1]"));
        assert_eq!(s.first_bad_detail.as_deref(), Some("[1]: 2 vs 2.5"));

        let i = |v: &[i64]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
        let a = npy("<i8", &[3], &i(&[1, 2, 3]));
        let b = npy("<i8", &[3], &i(&[1, 2, 4]));
        let s = compare_npy(&a, &b, &tol).expect("parses");
        assert_eq!((s.exceeding, s.first_bad.as_deref()), (1, Some("[2]")));
        let a = npy("|b1", &[2], &[1, 0]);
        let b = npy("|b1", &[2], &[1, 1]);
        let s = compare_npy(&a, &b, &tol).expect("parses");
        assert_eq!(s.first_bad.as_deref(), Some("[1]"));
    }

    #[test]
    fn mismatched_headers_and_damage() {
        let tol = crate::verify::compare::Tolerances::default()
            .compile()
            .expect("compiles")
            .for_path("x.npy");
        let a = npy("<f4", &[2], &f32s(&[1.0, 2.0]));
        let b = npy("<f4", &[1, 2], &f32s(&[1.0, 2.0]));
        let s = compare_npy(&a, &b, &tol).expect("parses");
        assert_eq!(s.first_bad.as_deref(), Some("shape"));
        let c = npy("<f8", &[1], &1.0f64.to_le_bytes());
        let s = compare_npy(&a, &c, &tol).expect("parses");
        assert_eq!(s.first_bad.as_deref(), Some("dtype"));
        let truncated = &a[..a.len() - 3];
        assert!(compare_npy(&a, truncated, &tol).is_err());
        assert!(compare_npy(&a, &a[..20], &tol).is_err());
        assert!(compare_npy(&a, b"garbage", &tol).is_err());
        let huge = npy("<f4", &[1 << 40, 1 << 40], &[]);
        assert!(compare_npy(&a, &huge, &tol).is_err());
    }

    #[test]
    fn multi_indices() {
        assert_eq!(multi_index(5, &[2, 3], false), "[1, 2]");
        assert_eq!(multi_index(5, &[2, 3], true), "[1, 2]");
        assert_eq!(multi_index(1, &[2, 3], true), "[1, 0]");
        assert_eq!(multi_index(0, &[], false), "[]");
    }

    #[test]
    fn large_arrays_use_chunks() {
        let n = CHUNK * 3 + 17;
        let a: Vec<f32> = (0..n).map(|i| i as f32).collect();
        let mut b = a.clone();
        b[CHUNK * 2 + 5] += 1.0;
        b[n - 1] += 0.5;
        let t = compare_raw(&f32s(&a), &f32s(&b), Layout::plain(Elem::F32), Tol::EXACT);
        assert_eq!(t.total, n as u64);
        assert_eq!(t.differing, 2);
        assert_eq!(t.first_diff, Some((CHUNK * 2 + 5) as u64));
    }
}
