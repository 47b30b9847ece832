//! `.npy` and `.npz` files.
//!
//! Arrays are decoded with `npyz`; every failure (missing file, corrupt
//! archive, unsupported dtype, Fortran order, pickled objects) becomes an
//! [`Error`] naming the file and key.

use crate::array::{Array, ArrayData};
use crate::matrix::{CsrMatrix, DenseMatrix};
use npyz::WriterBuilder;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use tessera_core::{Error, Result, run::write_atomic};

fn decode<R: Read>(file: &str, key: &str, npy: npyz::NpyFile<R>) -> Result<Array> {
    let bad = |expected: &str, found: String| {
        Error::input(
            file,
            if key.is_empty() {
                "header".into()
            } else {
                format!("key `{key}`")
            },
            expected,
            found,
        )
    };
    if npy.order() == npyz::Order::Fortran {
        return Err(bad("C-order array", "Fortran order".into()));
    }
    let shape: Vec<usize> = npy.shape().iter().map(|&d| d as usize).collect();
    let dtype = npy.dtype();
    let descr = match &dtype {
        npyz::DType::Plain(ts) => ts.to_string(),
        other => return Err(bad("a plain numeric dtype", format!("{other:?}"))),
    };
    let read_err = |e: std::io::Error| bad("readable array data", e.to_string());
    let data = match descr.as_str() {
        "<f4" => ArrayData::F32(npy.into_vec().map_err(read_err)?),
        "<f8" => ArrayData::F64(npy.into_vec().map_err(read_err)?),
        "<i8" => ArrayData::I64(npy.into_vec().map_err(read_err)?),
        "<i4" => ArrayData::I32(npy.into_vec().map_err(read_err)?),
        "|u1" => ArrayData::U8(npy.into_vec().map_err(read_err)?),
        "|b1" => ArrayData::Bool(npy.into_vec().map_err(read_err)?),
        other => {
            return Err(bad(
                "dtype float32, float64, int64, int32, uint8 or bool (little-endian)",
                other.to_string(),
            ));
        }
    };
    Array::new(file, key, shape, data)
}

/// Reads one `.npy` file.
pub fn read_npy(path: &Path) -> Result<Array> {
    let name = path.display().to_string();
    let file = File::open(path).map_err(|e| Error::io("opening", path, e))?;
    let npy = npyz::NpyFile::new(BufReader::new(file))
        .map_err(|e| Error::input(&name, "header", "a valid .npy header", e.to_string()))?;
    decode(&name, "", npy)
}

/// Writes a 2-d `f32` matrix as `.npy`, atomically.
pub fn write_npy_f32(path: &Path, matrix: &DenseMatrix) -> Result<()> {
    write_npy(
        path,
        &[matrix.rows as u64, matrix.cols as u64],
        &matrix.data,
    )
}

/// Writes any plain array as `.npy`, atomically.
pub fn write_npy<T: npyz::AutoSerialize + Copy>(
    path: &Path,
    shape: &[u64],
    values: &[T],
) -> Result<()> {
    let mut bytes = Vec::new();
    {
        let mut writer = npyz::WriteOptions::<T>::new()
            .default_dtype()
            .shape(shape)
            .writer(&mut bytes)
            .begin_nd()
            .map_err(|e| Error::io("encoding", path, e))?;
        writer
            .extend(values.iter().copied())
            .map_err(|e| Error::io("encoding", path, e))?;
        writer
            .finish()
            .map_err(|e| Error::io("encoding", path, e))?;
    }
    write_atomic(path, &bytes)
}

/// An open `.npz` archive.
pub struct Npz {
    path: PathBuf,
    name: String,
    archive: npyz::npz::NpzArchive<BufReader<File>>,
}

impl std::fmt::Debug for Npz {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Npz").field("path", &self.path).finish()
    }
}

impl Npz {
    /// Opens an archive; fails on a missing file or a corrupt zip directory.
    pub fn open(path: &Path) -> Result<Self> {
        let name = path.display().to_string();
        let file = File::open(path).map_err(|e| Error::io("opening", path, e))?;
        let archive = npyz::npz::NpzArchive::new(BufReader::new(file)).map_err(|e| {
            Error::input(
                &name,
                "zip directory",
                "a valid .npz (zip) archive",
                e.to_string(),
            )
        })?;
        Ok(Npz {
            path: path.to_path_buf(),
            name,
            archive,
        })
    }

    /// The archive's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The names of the arrays in the archive.
    pub fn keys(&self) -> Vec<String> {
        self.archive.array_names().map(String::from).collect()
    }

    /// Whether the archive holds `key`.
    pub fn has(&self, key: &str) -> bool {
        self.archive.array_names().any(|k| k == key)
    }

    /// Reads the array `key`; a missing key is an error listing the keys present.
    pub fn array(&mut self, key: &str) -> Result<Array> {
        let keys = self.keys();
        let npy = self
            .archive
            .by_name(key)
            .map_err(|e| {
                Error::input(
                    &self.name,
                    format!("key `{key}`"),
                    "a readable array",
                    e.to_string(),
                )
            })?
            .ok_or_else(|| {
                Error::input(
                    &self.name,
                    format!("key `{key}`"),
                    "the key to be present",
                    format!("keys {keys:?}"),
                )
            })?;
        decode(&self.name, key, npy)
    }

    /// Reads `key` if present.
    pub fn optional(&mut self, key: &str) -> Result<Option<Array>> {
        if self.has(key) {
            self.array(key).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Reads a 2-d float array as a dense matrix (finite values only).
    pub fn dense(&mut self, key: &str) -> Result<DenseMatrix> {
        let a = self.array(key)?;
        a.expect_ndim(2)?;
        let (rows, cols) = (a.shape[0], a.shape[1]);
        DenseMatrix::new(rows, cols, a.into_f32()?)
    }

    /// Reads the CSR triplet `<name>_indptr/_indices/_data/_shape`.
    pub fn csr(&mut self, name: &str) -> Result<CsrMatrix> {
        let shape = self.array(&format!("{name}_shape"))?;
        let dims = shape.to_i64()?;
        if dims.len() != 2 || dims.iter().any(|&d| d < 0) {
            return Err(shape.err(
                "[rows, cols] with non-negative entries",
                format!("{dims:?}"),
            ));
        }
        let (rows, cols) = (dims[0] as usize, dims[1] as usize);
        let indptr_a = self.array(&format!("{name}_indptr"))?;
        let indptr: Vec<usize> = indptr_a
            .to_i64()?
            .into_iter()
            .map(|v| {
                usize::try_from(v)
                    .map_err(|_| indptr_a.err("non-negative row pointers", v.to_string()))
            })
            .collect::<Result<_>>()?;
        let indices_a = self.array(&format!("{name}_indices"))?;
        let indices: Vec<u32> = indices_a
            .to_i64()?
            .into_iter()
            .map(|v| {
                u32::try_from(v)
                    .map_err(|_| indices_a.err("column indices in 0..2^32", v.to_string()))
            })
            .collect::<Result<_>>()?;
        let data = self.array(&format!("{name}_data"))?.into_f32()?;
        CsrMatrix::new(
            &format!("{} (matrix `{name}`)", self.name),
            rows,
            cols,
            indptr,
            indices,
            data,
        )
    }
}
