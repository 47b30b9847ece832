//! Typed n-dimensional arrays as read from `.npy` / `.npz` files, with
//! conversions that check dtype and shape and name the source on failure.

use tessera_core::{Error, Result};

/// The element storage of an [`Array`], one variant per supported numpy dtype.
#[derive(Clone, Debug, PartialEq)]
pub enum ArrayData {
    /// `<f4`
    F32(Vec<f32>),
    /// `<f8`
    F64(Vec<f64>),
    /// `<i8`
    I64(Vec<i64>),
    /// `<i4`
    I32(Vec<i32>),
    /// `|u1`
    U8(Vec<u8>),
    /// `|b1`
    Bool(Vec<bool>),
}

impl ArrayData {
    /// The numpy name of the dtype.
    pub fn dtype(&self) -> &'static str {
        match self {
            ArrayData::F32(_) => "float32",
            ArrayData::F64(_) => "float64",
            ArrayData::I64(_) => "int64",
            ArrayData::I32(_) => "int32",
            ArrayData::U8(_) => "uint8",
            ArrayData::Bool(_) => "bool",
        }
    }

    fn len(&self) -> usize {
        match self {
            ArrayData::F32(v) => v.len(),
            ArrayData::F64(v) => v.len(),
            ArrayData::I64(v) => v.len(),
            ArrayData::I32(v) => v.len(),
            ArrayData::U8(v) => v.len(),
            ArrayData::Bool(v) => v.len(),
        }
    }
}

/// An array with its shape and where it came from (`file` and `key`).
#[derive(Clone, Debug, PartialEq)]
pub struct Array {
    /// File the array was read from.
    pub file: String,
    /// Key inside an `.npz` archive (empty for `.npy`).
    pub key: String,
    /// Shape, C order.
    pub shape: Vec<usize>,
    /// The values.
    pub data: ArrayData,
}

impl Array {
    /// Creates an array, checking that the element count matches the shape.
    pub fn new(
        file: impl Into<String>,
        key: impl Into<String>,
        shape: Vec<usize>,
        data: ArrayData,
    ) -> Result<Self> {
        let a = Array {
            file: file.into(),
            key: key.into(),
            shape,
            data,
        };
        let expected: usize = a.shape.iter().product();
        if expected != a.data.len() {
            return Err(a.err(
                format!("{expected} values for shape {:?}", a.shape),
                format!("{} values", a.data.len()),
            ));
        }
        Ok(a)
    }

    fn location(&self) -> String {
        if self.key.is_empty() {
            "the array".into()
        } else {
            format!("key `{}`", self.key)
        }
    }

    /// An input error located at this array.
    pub fn err(&self, expected: impl Into<String>, found: impl Into<String>) -> Error {
        Error::input(&self.file, self.location(), expected, found)
    }

    /// Checks the number of dimensions.
    pub fn expect_ndim(&self, ndim: usize) -> Result<&Self> {
        if self.shape.len() != ndim {
            return Err(self.err(
                format!("a {ndim}-d array"),
                format!("shape {:?}", self.shape),
            ));
        }
        Ok(self)
    }

    /// Floats as `f32` (float32 or float64 accepted), every value finite.
    pub fn to_f32(&self) -> Result<Vec<f32>> {
        self.clone().into_f32()
    }

    /// Like [`to_f32`](Self::to_f32) but consumes the array, so float32 data is moved, not copied.
    pub fn into_f32(mut self) -> Result<Vec<f32>> {
        let values: Vec<f32> = match std::mem::replace(&mut self.data, ArrayData::U8(Vec::new())) {
            ArrayData::F32(v) => v,
            ArrayData::F64(v) => v.iter().map(|&x| x as f32).collect(),
            other => return Err(self.err("float32 or float64", other.dtype())),
        };
        self.check_finite(&values, |v| v.is_finite())?;
        Ok(values)
    }

    /// Floats as `f64` (float32 or float64 accepted), every value finite.
    pub fn to_f64(&self) -> Result<Vec<f64>> {
        let values: Vec<f64> = match &self.data {
            ArrayData::F32(v) => v.iter().map(|&x| f64::from(x)).collect(),
            ArrayData::F64(v) => v.clone(),
            other => return Err(self.err("float32 or float64", other.dtype())),
        };
        self.check_finite(&values, |v| v.is_finite())?;
        Ok(values)
    }

    fn check_finite<T: std::fmt::Display>(
        &self,
        values: &[T],
        finite: impl Fn(&T) -> bool,
    ) -> Result<()> {
        match values.iter().position(|v| !finite(v)) {
            Some(p) => Err(self.err(
                "finite values",
                format!(
                    "{} at flat index {p} (row {})",
                    values[p],
                    p / self.row_width()
                ),
            )),
            None => Ok(()),
        }
    }

    /// Integers as `i64` (int64, int32 or uint8 accepted).
    pub fn to_i64(&self) -> Result<Vec<i64>> {
        match &self.data {
            ArrayData::I64(v) => Ok(v.clone()),
            ArrayData::I32(v) => Ok(v.iter().map(|&x| i64::from(x)).collect()),
            ArrayData::U8(v) => Ok(v.iter().map(|&x| i64::from(x)).collect()),
            other => Err(self.err("an integer array (int64, int32 or uint8)", other.dtype())),
        }
    }

    /// Non-negative integers below `bound`, as `usize` (ids, labels, indices).
    pub fn to_index(&self, bound: usize, what: &str) -> Result<Vec<usize>> {
        self.to_i64()?
            .into_iter()
            .enumerate()
            .map(|(p, v)| {
                usize::try_from(v)
                    .ok()
                    .filter(|&u| u < bound)
                    .ok_or_else(|| {
                        self.err(
                            format!("{what} in 0..{bound}"),
                            format!("{v} at flat index {p}"),
                        )
                    })
            })
            .collect()
    }

    /// Booleans (bool, or uint8 / int 0/1 accepted).
    pub fn to_bool(&self) -> Result<Vec<bool>> {
        match &self.data {
            ArrayData::Bool(v) => Ok(v.clone()),
            ArrayData::U8(_) | ArrayData::I64(_) | ArrayData::I32(_) => self
                .to_i64()?
                .into_iter()
                .enumerate()
                .map(|(p, v)| match v {
                    0 => Ok(false),
                    1 => Ok(true),
                    _ => Err(self.err("0/1 mask values", format!("{v} at index {p}"))),
                })
                .collect(),
            other => Err(self.err("a bool mask", other.dtype())),
        }
    }

    fn row_width(&self) -> usize {
        self.shape.iter().skip(1).product::<usize>().max(1)
    }
}
