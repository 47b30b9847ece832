//! `.safetensors` files: named tensors read into [`Array`]s, and written atomically.
//!
//! Supported dtypes: F32, F64, I64, I32, U8, BOOL (as in [`ArrayData`]); F16 and
//! BF16 (as used by some model checkpoints) are widened to `f32` on reading.

use crate::array::{Array, ArrayData};
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use std::collections::BTreeMap;
use std::path::Path;
use tessera_core::{Error, Result, run::write_atomic};

fn widen_half(bits: u16, bf16: bool) -> f32 {
    if bf16 {
        return f32::from_bits(u32::from(bits) << 16);
    }
    let sign = u32::from(bits >> 15) << 31;
    let exp = u32::from((bits >> 10) & 0x1f);
    let frac = u32::from(bits & 0x3ff);
    let value = match (exp, frac) {
        (0, 0) => 0.0,
        (0, f) => f as f32 * 2f32.powi(-24),
        (31, 0) => f32::INFINITY,
        (31, _) => f32::NAN,
        (e, f) => f32::from_bits(((e + 127 - 15) << 23) | (f << 13)),
    };
    f32::from_bits(value.to_bits() | sign)
}

fn decode(file: &str, name: &str, view: &TensorView<'_>) -> Result<Array> {
    let bytes = view.data();
    let chunks = |n: usize| bytes.chunks_exact(n);
    let data = match view.dtype() {
        Dtype::F32 => ArrayData::F32(
            chunks(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        ),
        Dtype::F64 => ArrayData::F64(
            chunks(8)
                .map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
                .collect(),
        ),
        Dtype::I64 => ArrayData::I64(
            chunks(8)
                .map(|c| i64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
                .collect(),
        ),
        Dtype::I32 => ArrayData::I32(
            chunks(4)
                .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        ),
        Dtype::U8 => ArrayData::U8(bytes.to_vec()),
        Dtype::BOOL => ArrayData::Bool(bytes.iter().map(|&b| b != 0).collect()),
        Dtype::F16 | Dtype::BF16 => {
            let bf16 = view.dtype() == Dtype::BF16;
            ArrayData::F32(
                chunks(2)
                    .map(|c| widen_half(u16::from_le_bytes([c[0], c[1]]), bf16))
                    .collect(),
            )
        }
        other => {
            return Err(Error::input(
                file,
                format!("tensor `{name}`"),
                "dtype F32, F64, F16, BF16, I64, I32, U8 or BOOL",
                format!("{other:?}"),
            ));
        }
    };
    Array::new(file, name, view.shape().to_vec(), data)
}

/// Reads every tensor of a `.safetensors` file, by name.
pub fn read_safetensors(path: &Path) -> Result<BTreeMap<String, Array>> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Error::io("reading", path, e))?;
    let st = SafeTensors::deserialize(&bytes)
        .map_err(|e| Error::input(&file, "header", "a valid safetensors file", e.to_string()))?;
    st.tensors()
        .iter()
        .map(|(name, view)| Ok((name.clone(), decode(&file, name, view)?)))
        .collect()
}

/// Writes named `f32` tensors (`name → (shape, values)`) as `.safetensors`, atomically.
pub fn write_safetensors_f32(
    path: &Path,
    tensors: &BTreeMap<String, (Vec<usize>, Vec<f32>)>,
) -> Result<()> {
    let mut raw: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    for (name, (shape, values)) in tensors {
        if shape.iter().product::<usize>() != values.len() {
            return Err(Error::input(
                path.display(),
                format!("tensor `{name}`"),
                format!(
                    "{} values for shape {shape:?}",
                    shape.iter().product::<usize>()
                ),
                format!("{} values", values.len()),
            ));
        }
        raw.push((
            name.clone(),
            shape.clone(),
            values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        ));
    }
    let views: Vec<(String, TensorView<'_>)> = raw
        .iter()
        .map(|(n, s, b)| TensorView::new(Dtype::F32, s.clone(), b).map(|v| (n.clone(), v)))
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| {
            Error::input(
                path.display(),
                "tensors",
                "consistent shapes",
                e.to_string(),
            )
        })?;
    let bytes = safetensors::serialize(views, &None).map_err(|e| {
        Error::input(
            path.display(),
            "tensors",
            "serialisable tensors",
            e.to_string(),
        )
    })?;
    write_atomic(path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_f32_tensors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.safetensors");
        let t = BTreeMap::from([
            (
                "w".to_string(),
                (vec![2, 3], (0..6).map(|i| i as f32 * 0.5).collect()),
            ),
            ("b".to_string(), (vec![3], vec![1.0, -1.0, 2.0])),
        ]);
        write_safetensors_f32(&p, &t).unwrap();
        let back = read_safetensors(&p).unwrap();
        assert_eq!(back["w"].shape, vec![2, 3]);
        assert_eq!(back["w"].to_f32().unwrap(), t["w"].1);
        assert_eq!(back["b"].to_f32().unwrap(), vec![1.0, -1.0, 2.0]);
    }

    #[test]
    fn rejects_bad_shapes_and_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.safetensors");
        let e = write_safetensors_f32(
            &p,
            &BTreeMap::from([("w".to_string(), (vec![2], vec![1.0]))]),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("tensor `w`"), "{e}");
        assert!(!p.exists(), "nothing written on rejected input");
        std::fs::write(&p, b"\x10\0\0\0\0\0\0\0{not json}").unwrap();
        assert!(
            read_safetensors(&p)
                .unwrap_err()
                .to_string()
                .contains("m.safetensors")
        );
    }

    #[test]
    fn widens_half_precision() {
        assert_eq!(widen_half(0x3c00, false), 1.0);
        assert_eq!(widen_half(0xc000, false), -2.0);
        assert_eq!(widen_half(0x3f80, true), 1.0);
        assert_eq!(widen_half(0x0001, false), 2f32.powi(-24));
    }
}
