//! Paired multi-view data: validation, standardisation and splits.

use serde::{Deserialize, Serialize};
use tessera_core::{Error, Result, Rng};
use tessera_data::DenseMatrix;

/// One view: its source name (file or dataset view) and its rows.
#[derive(Clone, Debug, PartialEq)]
pub struct View {
    /// Where the rows came from (shown in errors).
    pub source: String,
    /// `n × d` features; row i is entity i.
    pub x: DenseMatrix,
}

/// Two views of the same `n` entities (row i of each is one pair), with optional labels.
#[derive(Clone, Debug, PartialEq)]
pub struct PairedViews {
    /// First view ("image" / V).
    pub a: View,
    /// Second view ("text" / T).
    pub b: View,
    /// Class labels `0..classes`, one per row, if known.
    pub labels: Option<Vec<usize>>,
}

/// Checks one view: at least one column and every value finite.
pub fn check_view(view: &View) -> Result<()> {
    if view.x.cols == 0 {
        return Err(Error::input(
            &view.source,
            "shape",
            "at least one feature column",
            format!("{} rows × 0 columns", view.x.rows),
        ));
    }
    if let Some((row, col, value)) = view.x.first_non_finite() {
        return Err(Error::input(
            &view.source,
            format!("row {row}, column {col}"),
            "a finite value",
            value.to_string(),
        ));
    }
    Ok(())
}

impl PairedViews {
    /// Validates and wraps two views: same row count (≥ 2), non-empty, finite,
    /// labels one per row.
    pub fn new(a: View, b: View, labels: Option<Vec<usize>>) -> Result<Self> {
        check_view(&a)?;
        check_view(&b)?;
        if a.x.rows != b.x.rows {
            return Err(Error::input(
                &b.source,
                "rows",
                format!("{} rows, one per row of `{}`", a.x.rows, a.source),
                format!("{} rows", b.x.rows),
            ));
        }
        if a.x.rows < 2 {
            return Err(Error::input(
                &a.source,
                "rows",
                "at least 2 pairs (in-batch negatives)",
                format!("{} rows", a.x.rows),
            ));
        }
        if let Some(y) = &labels
            && y.len() != a.x.rows
        {
            return Err(Error::input(
                "labels",
                "rows",
                format!("{} labels, one per pair", a.x.rows),
                format!("{} labels", y.len()),
            ));
        }
        Ok(PairedViews { a, b, labels })
    }

    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.a.x.rows
    }

    /// Always false: a validated set has at least two pairs.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The pairs at `indices` (labels follow).
    pub fn subset(&self, indices: &[usize]) -> PairedViews {
        let pick = |v: &View| View {
            source: v.source.clone(),
            x: v.x.select_rows(indices),
        };
        PairedViews {
            a: pick(&self.a),
            b: pick(&self.b),
            labels: self
                .labels
                .as_ref()
                .map(|y| indices.iter().map(|&i| y[i]).collect()),
        }
    }

    /// A seeded (train, test) split, stratified when labelled.
    pub fn split_seeded(
        &self,
        test_fraction: f64,
        seed: tessera_core::Seed,
    ) -> (PairedViews, PairedViews) {
        let (train, test) = split(
            self.len(),
            self.labels.as_deref(),
            test_fraction,
            &mut seed.rng("split"),
        );
        (self.subset(&train), self.subset(&test))
    }

    /// Number of classes (max label + 1), if labelled.
    pub fn num_classes(&self) -> Option<usize> {
        self.labels
            .as_ref()
            .map(|y| y.iter().max().map_or(0, |m| m + 1))
    }
}

/// Per-feature mean and standard deviation, fitted on training rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Standardizer {
    /// Feature means.
    pub mean: Vec<f32>,
    /// Feature standard deviations (constant features get 1).
    pub std: Vec<f32>,
}

impl Standardizer {
    /// Fits on the rows of `x`.
    pub fn fit(x: &DenseMatrix) -> Self {
        let n = x.rows.max(1) as f64;
        let mut mean = vec![0f64; x.cols];
        let mut sq = vec![0f64; x.cols];
        for r in 0..x.rows {
            for (c, &v) in x.row(r).iter().enumerate() {
                mean[c] += f64::from(v);
                sq[c] += f64::from(v) * f64::from(v);
            }
        }
        let mean: Vec<f64> = mean.iter().map(|m| m / n).collect();
        let std = sq
            .iter()
            .zip(&mean)
            .map(|(s, m)| ((s / n - m * m).max(0.0)).sqrt())
            .map(|s| if s > 1e-8 { s as f32 } else { 1.0 });
        Standardizer {
            mean: mean.iter().map(|&m| m as f32).collect(),
            std: std.collect(),
        }
    }

    /// `(x − mean) / std`, checking the column count against `source`.
    pub fn apply(&self, x: &DenseMatrix, source: &str) -> Result<DenseMatrix> {
        if x.cols != self.mean.len() {
            return Err(Error::input(
                source,
                "columns",
                format!("{} features (as in training)", self.mean.len()),
                format!("{}", x.cols),
            ));
        }
        let mut out = x.clone();
        for row in out.data.chunks_mut(x.cols) {
            for ((v, m), s) in row.iter_mut().zip(&self.mean).zip(&self.std) {
                *v = (*v - m) / s;
            }
        }
        Ok(out)
    }
}

/// A seeded split into (train, test) indices: stratified by label when labels
/// exist, `test_fraction` of each class (at least one row per side overall).
pub fn split(
    n: usize,
    labels: Option<&[usize]>,
    test_fraction: f64,
    rng: &mut Rng,
) -> (Vec<usize>, Vec<usize>) {
    use rand::seq::SliceRandom;
    let groups: Vec<Vec<usize>> = match labels {
        Some(y) => {
            let classes = y.iter().max().map_or(0, |m| m + 1);
            let mut g = vec![Vec::new(); classes];
            for (i, &c) in y.iter().enumerate() {
                g[c].push(i);
            }
            g
        }
        None => vec![(0..n).collect()],
    };
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for mut g in groups {
        g.shuffle(rng);
        let k = ((g.len() as f64) * test_fraction).round() as usize;
        test.extend_from_slice(&g[..k.min(g.len())]);
        train.extend_from_slice(&g[k.min(g.len())..]);
    }
    train.sort_unstable();
    test.sort_unstable();
    (train, test)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_core::Seed;

    fn view(source: &str, rows: usize, cols: usize) -> View {
        View {
            source: source.into(),
            x: DenseMatrix::new(rows, cols, (0..rows * cols).map(|v| v as f32).collect()).unwrap(),
        }
    }

    #[test]
    fn bad_inputs_name_file_and_row() {
        let err = PairedViews::new(view("a.npy", 5, 3), view("b.npy", 4, 2), None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("b.npy") && err.contains("5 rows") && err.contains("4 rows"),
            "{err}"
        );
        let err = PairedViews::new(view("a.npy", 5, 3), view("b.npy", 5, 0), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("b.npy") && err.contains("0 columns"), "{err}");
        let mut a = view("a.npy", 5, 3);
        a.x.data[7] = f32::NAN;
        let err = PairedViews::new(a, view("b.npy", 5, 2), None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("a.npy") && err.contains("row 2, column 1") && err.contains("NaN"),
            "{err}"
        );
        let err = PairedViews::new(view("a.npy", 5, 3), view("b.npy", 5, 2), Some(vec![0; 3]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("3 labels"), "{err}");
    }

    #[test]
    fn standardizer_centres_and_scales() {
        let x = DenseMatrix::new(3, 2, vec![1.0, 5.0, 2.0, 5.0, 3.0, 5.0]).unwrap();
        let s = Standardizer::fit(&x);
        let z = s.apply(&x, "x").unwrap();
        assert!((z.data[0] + 1.2247).abs() < 1e-3 && z.data[1] == 0.0);
        assert!(
            s.apply(&DenseMatrix::zeros(1, 3), "y.npy")
                .unwrap_err()
                .to_string()
                .contains("y.npy")
        );
    }

    #[test]
    fn stratified_split_keeps_class_shares() {
        let y: Vec<usize> = (0..100).map(|i| i % 4).collect();
        let (train, test) = split(100, Some(&y), 0.2, &mut Seed(1).rng("split"));
        assert_eq!((train.len(), test.len()), (80, 20));
        for c in 0..4 {
            assert_eq!(test.iter().filter(|&&i| y[i] == c).count(), 5);
        }
        assert_eq!(split(100, Some(&y), 0.2, &mut Seed(1).rng("split")).1, test);
    }
}
