//! The IDX format of MNIST and Fashion-MNIST (`*-ubyte`, optionally `.gz`).
//!
//! Header: two zero bytes, a type byte (`0x08` = unsigned byte), the number
//! of dimensions, then one big-endian `u32` per dimension; the values follow.

use crate::table::open_text;
use std::io::Read;
use std::path::Path;
use tessera_core::{Error, Result};

/// An unsigned-byte IDX array.
#[derive(Clone, Debug, PartialEq)]
pub struct IdxArray {
    /// Dimensions (e.g. `[60000, 28, 28]`).
    pub shape: Vec<usize>,
    /// The values, C order.
    pub data: Vec<u8>,
}

/// Reads an IDX file of unsigned bytes (gzip-compressed if it ends in `.gz`).
pub fn read_idx(path: &Path) -> Result<IdxArray> {
    let name = path.display().to_string();
    let mut bytes = Vec::new();
    open_text(path)?.read_to_end(&mut bytes).map_err(|e| {
        Error::input(
            &name,
            "contents",
            "a readable (gzip) IDX file",
            e.to_string(),
        )
    })?;
    parse_idx(&name, bytes)
}

/// Parses IDX bytes; `source` names them in errors. The pixel buffer reuses `bytes`.
pub fn parse_idx(source: &str, mut bytes: Vec<u8>) -> Result<IdxArray> {
    if bytes.len() < 4 || bytes[0] != 0 || bytes[1] != 0 {
        return Err(Error::input(
            source,
            "header",
            "the IDX magic 00 00 <type> <ndim>",
            format!("{:02x?}", &bytes[..bytes.len().min(4)]),
        ));
    }
    if bytes[2] != 0x08 {
        return Err(Error::input(
            source,
            "header type byte",
            "0x08 (unsigned byte)",
            format!("{:#04x}", bytes[2]),
        ));
    }
    let ndim = usize::from(bytes[3]);
    let header = 4 + 4 * ndim;
    if ndim == 0 || bytes.len() < header {
        return Err(Error::input(
            source,
            "header",
            format!("{ndim} dimension sizes (≥ 1)"),
            format!("{} bytes in the file", bytes.len()),
        ));
    }
    let shape: Vec<usize> = bytes[4..header]
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect();
    let count = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
    if count != Some(bytes.len() - header) {
        return Err(Error::input(
            source,
            "data",
            format!("{count:?} values for shape {shape:?}"),
            format!("{} bytes after the header", bytes.len() - header),
        ));
    }
    bytes.drain(..header);
    Ok(IdxArray { shape, data: bytes })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx(shape: &[u32], data: &[u8]) -> Vec<u8> {
        let mut b = vec![0, 0, 8, shape.len() as u8];
        shape.iter().for_each(|d| b.extend(d.to_be_bytes()));
        b.extend(data);
        b
    }

    #[test]
    fn parses_shape_and_values() {
        let a = parse_idx("t", idx(&[2, 1, 2], &[1, 2, 3, 4])).unwrap();
        assert_eq!(a.shape, vec![2, 1, 2]);
        assert_eq!(a.data, vec![1, 2, 3, 4]);
    }

    #[test]
    fn rejects_truncated_and_foreign_files() {
        let e = parse_idx("x-ubyte", idx(&[2, 2], &[1, 2, 3]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("x-ubyte") && e.contains("3 bytes"), "{e}");
        assert!(parse_idx("t", vec![1, 2]).is_err());
        assert!(
            parse_idx("t", vec![0, 0, 0x0d, 1, 0, 0, 0, 0])
                .unwrap_err()
                .to_string()
                .contains("type byte")
        );
        assert!(parse_idx("t", vec![0, 0, 8, 3, 0]).is_err());
        assert!(parse_idx("t", idx(&[u32::MAX, u32::MAX, u32::MAX], &[])).is_err());
    }
}
