//! `scipy.sparse.save_npz` CSR files (keys `data`, `indices`, `indptr`,
//! `shape`, `format`), the layout PECOS and scikit-learn exchange.

use crate::matrix::CsrMatrix;
use npyz::sparse::Csr;
use std::fs::File;
use std::io::{BufReader, Cursor};
use std::path::Path;
use tessera_core::{Error, Result, run::write_atomic};

/// Reads a CSR matrix saved by `scipy.sparse.save_npz` (float32 or float64 values).
///
/// Every structural rule of [`CsrMatrix::new`] is checked, so a malformed file
/// or a non-finite value is an error naming the file and the row.
pub fn read_csr_npz(path: &Path) -> Result<CsrMatrix> {
    let name = path.display().to_string();
    let open = || -> Result<npyz::npz::NpzArchive<BufReader<File>>> {
        let file = File::open(path).map_err(|e| Error::io("opening", path, e))?;
        npyz::npz::NpzArchive::new(BufReader::new(file)).map_err(|e| {
            Error::input(
                &name,
                "zip directory",
                "a valid .npz (zip) archive",
                e.to_string(),
            )
        })
    };
    let bad = |e: std::io::Error| {
        Error::input(
            &name,
            "keys data/indices/indptr/shape/format",
            "a scipy CSR matrix (format `csr`, float32 or float64 data)",
            e.to_string(),
        )
    };
    let (shape, indices, indptr, data): ([u64; 2], Vec<u64>, Vec<usize>, Vec<f32>) =
        match Csr::<f32>::from_npz(&mut open()?) {
            Ok(m) => (m.shape, m.indices, m.indptr, m.data),
            Err(_) => {
                let m = Csr::<f64>::from_npz(&mut open()?).map_err(bad)?;
                (
                    m.shape,
                    m.indices,
                    m.indptr,
                    m.data.into_iter().map(|v| v as f32).collect(),
                )
            }
        };
    let indices: Vec<u32> = indices
        .into_iter()
        .enumerate()
        .map(|(p, c)| {
            u32::try_from(c).map_err(|_| {
                Error::input(
                    &name,
                    format!("indices[{p}]"),
                    "a column index < 2^32",
                    c.to_string(),
                )
            })
        })
        .collect::<Result<_>>()?;
    CsrMatrix::new(
        &name,
        shape[0] as usize,
        shape[1] as usize,
        indptr,
        indices,
        data,
    )
}

/// Writes `matrix` like `scipy.sparse.save_npz` (float32 values), atomically.
pub fn write_csr_npz(path: &Path, matrix: &CsrMatrix) -> Result<()> {
    let csr = Csr::<f32> {
        shape: [matrix.rows as u64, matrix.cols as u64],
        data: matrix.data.clone(),
        indices: matrix.indices.iter().map(|&c| u64::from(c)).collect(),
        indptr: matrix.indptr.clone(),
    };
    let mut bytes = Cursor::new(Vec::new());
    {
        let mut npz = npyz::npz::NpzWriter::new(&mut bytes);
        csr.write_npz(&mut npz)
            .map_err(|e| Error::io("encoding", path, e))?;
    }
    write_atomic(path, bytes.get_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csr_npz_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.npz");
        let m = CsrMatrix::new(
            "t",
            3,
            4,
            vec![0, 2, 2, 3],
            vec![0, 3, 1],
            vec![1.5, -2.0, 7.0],
        )
        .unwrap();
        write_csr_npz(&path, &m).unwrap();
        assert_eq!(read_csr_npz(&path).unwrap(), m);
    }

    #[test]
    fn missing_keys_are_named() {
        use npyz::WriterBuilder;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.npz");
        let mut bytes = Cursor::new(Vec::new());
        {
            let mut npz = npyz::npz::NpzWriter::new(&mut bytes);
            npz.array::<f32>("data", Default::default())
                .unwrap()
                .default_dtype()
                .shape(&[1])
                .begin_nd()
                .unwrap()
                .push(&1.0)
                .unwrap();
        }
        std::fs::write(&path, bytes.get_ref()).unwrap();
        let e = read_csr_npz(&path).unwrap_err().to_string();
        assert!(e.contains("x.npz") && e.contains("scipy CSR"), "{e}");
    }
}
