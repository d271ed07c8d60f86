//! blake3 hashing of artifacts: memory-mapped and multi-threaded for large
//! files, a plain read for small ones (whose bytes are then kept for the
//! format-aware comparison).

use std::io;
use std::path::Path;

/// Files at least this large are hashed through a memory map with rayon.
pub const MMAP_THRESHOLD: u64 = 1 << 20;

/// The blake3 hash of a file's contents.
pub fn hash_file(p: &Path) -> io::Result<blake3::Hash> {
    Ok(load_and_hash(p)?.0)
}

/// The hash of a file and, for a small file, its bytes (so they need not be
/// read twice).
pub(crate) fn load_and_hash(p: &Path) -> io::Result<(blake3::Hash, Option<Vec<u8>>)> {
    let mut file = std::fs::File::open(p)?;
    let len = file.metadata()?.len();
    hash_open(&mut file, p, len)
}

/// [`load_and_hash`] for a file already open (`len` from its `fstat`):
/// read whole when small, else memory-mapped (by `p`) and hashed by rayon.
pub(crate) fn hash_open(
    file: &mut std::fs::File,
    p: &Path,
    len: u64,
) -> io::Result<(blake3::Hash, Option<Vec<u8>>)> {
    use std::io::Read;
    if len >= MMAP_THRESHOLD {
        let mut hasher = blake3::Hasher::new();
        hasher.update_mmap_rayon(p)?;
        Ok((hasher.finalize(), None))
    } else {
        let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0) + 1);
        file.read_to_end(&mut bytes)?;
        Ok((blake3::hash(&bytes), Some(bytes)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_and_large_files_hash_like_the_bytes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let small = dir.path().join("small.bin");
        std::fs::write(&small, b"hello").expect("write");
        assert_eq!(hash_file(&small).expect("hash"), blake3::hash(b"hello"));

        let big_bytes: Vec<u8> = (0..(MMAP_THRESHOLD as usize + 12345))
            .map(|i| (i % 251) as u8)
            .collect();
        let big = dir.path().join("big.bin");
        std::fs::write(&big, &big_bytes).expect("write");
        assert_eq!(hash_file(&big).expect("hash"), blake3::hash(&big_bytes));
        let (_, kept) = load_and_hash(&big).expect("hash");
        assert!(kept.is_none());
        let (_, kept) = load_and_hash(&small).expect("hash");
        assert_eq!(kept.as_deref(), Some(&b"hello"[..]));
    }

    #[test]
    fn missing_file_is_an_error() {
        assert!(hash_file(Path::new("/nonexistent/definitely/not/here")).is_err());
    }
}
