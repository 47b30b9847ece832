//! PIFA label embeddings: `Z = row-ℓ2(Ỹᵀ X)` with `Ỹ = row-ℓ2(Y)`.
//!
//! Label `l`'s embedding is the normalised sum of the feature rows of the
//! instances tagged with `l`, each instance weighted by `1/√|Y_i|`.

use crate::sparse::{normalize_rows_l2, spmm, transpose};
use tessera_data::CsrMatrix;

/// PIFA embeddings of the `Y.cols` labels (`Y`: instances × labels, `X`: instances × features).
///
/// Labels without any positive instance get an all-zero row.
pub fn pifa(y: &CsrMatrix, x: &CsrMatrix) -> CsrMatrix {
    let mut y_norm = y.clone();
    normalize_rows_l2(&mut y_norm);
    let mut z = spmm(&transpose(&y_norm), x);
    normalize_rows_l2(&mut z);
    z
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pifa_equals_row_normalised_yt_x_dense() {
        let y = CsrMatrix::new(
            "y",
            3,
            4,
            vec![0, 2, 3, 5],
            vec![0, 2, 0, 1, 2],
            vec![1.0; 5],
        )
        .unwrap();
        let x = CsrMatrix::new(
            "x",
            3,
            3,
            vec![0, 2, 3, 5],
            vec![0, 1, 2, 0, 2],
            vec![1.0, 2.0, 3.0, 0.5, -1.0],
        )
        .unwrap();
        let z = pifa(&y, &x).to_dense();
        let (yd, xd) = (y.to_dense(), x.to_dense());
        for l in 0..4 {
            let mut row = [0f64; 3];
            for i in 0..3 {
                let deg: f64 = (0..4).map(|c| f64::from(yd.data[i * 4 + c])).sum();
                let ytil = f64::from(yd.data[i * 4 + l]) / deg.sqrt();
                for (f, r) in row.iter_mut().enumerate() {
                    *r += ytil * f64::from(xd.data[i * 3 + f]);
                }
            }
            let norm = row.iter().map(|v| v * v).sum::<f64>().sqrt();
            for (f, r) in row.iter().enumerate() {
                let want = if norm > 0.0 { r / norm } else { 0.0 };
                assert!(
                    (f64::from(z.data[l * 3 + f]) - want).abs() < 1e-6,
                    "label {l} feature {f}"
                );
            }
        }
        assert_eq!(pifa(&y, &x).row(3).0.len(), 0, "label 3 has no instance");
    }
}
