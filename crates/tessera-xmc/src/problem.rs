//! [`XmcProblem`]: an instance feature matrix and its label matrix, validated together.

use std::path::Path;
use tessera_core::{Error, Result};
use tessera_data::{CsrMatrix, read_csr_npz};

/// Instances × features (`x`) and instances × labels (`y`), both CSR.
#[derive(Clone, Debug, PartialEq)]
pub struct XmcProblem {
    /// Instance features.
    pub x: CsrMatrix,
    /// Label matrix; a stored entry means "relevant".
    pub y: CsrMatrix,
}

impl XmcProblem {
    /// Checks that the row counts agree, every instance has a label and every value is finite.
    ///
    /// `x_name` and `y_name` name the sources in error messages.
    pub fn new(x: CsrMatrix, y: CsrMatrix, x_name: &str, y_name: &str) -> Result<Self> {
        if x.rows != y.rows {
            return Err(Error::input(
                y_name,
                "rows",
                format!("{} rows, one per instance of `{x_name}`", x.rows),
                format!("{} rows", y.rows),
            ));
        }
        for (m, name) in [(&x, x_name), (&y, y_name)] {
            if let Some(p) = m.data.iter().position(|v| !v.is_finite()) {
                let row = m.indptr.partition_point(|&s| s <= p) - 1;
                return Err(Error::input(
                    name,
                    format!("row {row}"),
                    "finite values",
                    m.data[p].to_string(),
                ));
            }
        }
        if let Some(r) = (0..y.rows).find(|&r| y.indptr[r + 1] == y.indptr[r]) {
            let empty = (0..y.rows)
                .filter(|&r| y.indptr[r + 1] == y.indptr[r])
                .count();
            return Err(Error::input(
                y_name,
                format!("row {r}"),
                "at least one label per instance",
                format!("an empty label row ({empty} empty rows in all)"),
            ));
        }
        Ok(XmcProblem { x, y })
    }

    /// Reads PECOS-style `X.npz` and `Y.npz` (`scipy.sparse.save_npz` CSR files).
    pub fn load(x_path: &Path, y_path: &Path) -> Result<Self> {
        let x = read_csr_npz(x_path)?;
        let y = read_csr_npz(y_path)?;
        Self::new(
            x,
            y,
            &x_path.display().to_string(),
            &y_path.display().to_string(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csr(rows: usize, cols: usize, indptr: Vec<usize>, indices: Vec<u32>) -> CsrMatrix {
        let n = indices.len();
        CsrMatrix::new("t", rows, cols, indptr, indices, vec![1.0; n]).unwrap()
    }

    #[test]
    fn mismatched_rows_and_empty_label_rows_are_named() {
        let x = csr(2, 3, vec![0, 1, 2], vec![0, 1]);
        let y3 = csr(3, 2, vec![0, 1, 2, 3], vec![0, 1, 0]);
        let e = XmcProblem::new(x.clone(), y3, "X.npz", "Y.npz")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("Y.npz") && e.contains("2 rows") && e.contains("found 3 rows"),
            "{e}"
        );
        let y_empty = csr(2, 2, vec![0, 1, 1], vec![0]);
        let e = XmcProblem::new(x.clone(), y_empty, "X.npz", "Y.npz")
            .unwrap_err()
            .to_string();
        assert!(e.contains("row 1") && e.contains("empty label row"), "{e}");
        let mut bad = x.clone();
        bad.data[1] = f32::NAN;
        let e = XmcProblem::new(bad, csr(2, 2, vec![0, 1, 2], vec![0, 1]), "X.npz", "Y.npz")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("X.npz") && e.contains("row 1") && e.contains("finite"),
            "{e}"
        );
    }

    #[test]
    fn non_finite_values_in_files_are_rejected_with_the_row() {
        let dir = tempfile::tempdir().unwrap();
        let mut x = csr(2, 3, vec![0, 1, 2], vec![0, 1]);
        x.data[1] = f32::INFINITY;
        tessera_data::write_csr_npz(&dir.path().join("X.npz"), &x).unwrap();
        tessera_data::write_csr_npz(
            &dir.path().join("Y.npz"),
            &csr(2, 2, vec![0, 1, 2], vec![0, 1]),
        )
        .unwrap();
        let e = XmcProblem::load(&dir.path().join("X.npz"), &dir.path().join("Y.npz"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("X.npz") && e.contains("row 1") && e.contains("finite"),
            "{e}"
        );
    }
}
