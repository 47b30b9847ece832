//! [`SeriesSet`]: named, aligned time series stored as a `steps × series` matrix.

use crate::matrix::DenseMatrix;
use tessera_core::{Error, Result};

/// Aligned series: column `j` of `values` is the series `names[j]`, row `t` is time step `t`.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesSet {
    /// Where the data came from, for messages.
    pub source: String,
    /// Name of each series (column).
    pub names: Vec<String>,
    /// Time stamp of each step as written in the source (absent when the source has none).
    pub timestamps: Option<Vec<String>>,
    /// `steps × series` values.
    pub values: DenseMatrix,
}

impl SeriesSet {
    /// Builds and validates a series set.
    pub fn new(
        source: impl Into<String>,
        names: Vec<String>,
        timestamps: Option<Vec<String>>,
        values: DenseMatrix,
    ) -> Result<Self> {
        let s = SeriesSet {
            source: source.into(),
            names,
            timestamps,
            values,
        };
        s.validate()?;
        Ok(s)
    }

    /// Number of time steps.
    pub fn steps(&self) -> usize {
        self.values.rows
    }

    /// Number of series.
    pub fn num_series(&self) -> usize {
        self.values.cols
    }

    /// The values of series `j`, one per step.
    pub fn series(&self, j: usize) -> Vec<f32> {
        (0..self.values.rows)
            .map(|t| self.values.data[t * self.values.cols + j])
            .collect()
    }

    /// Checks: at least one step and one series, one name per column, one stamp per step, finite values.
    pub fn validate(&self) -> Result<()> {
        let v = &self.values;
        if v.rows == 0 || v.cols == 0 {
            return Err(Error::input(
                &self.source,
                "values",
                "at least one step and one series",
                format!("{} steps × {} series", v.rows, v.cols),
            ));
        }
        if self.names.len() != v.cols {
            return Err(Error::input(
                &self.source,
                "series names",
                format!("{} names (one per series)", v.cols),
                format!("{} names", self.names.len()),
            ));
        }
        if let Some(ts) = &self.timestamps
            && ts.len() != v.rows
        {
            return Err(Error::input(
                &self.source,
                "timestamps",
                format!("{} stamps (one per step)", v.rows),
                format!("{} stamps", ts.len()),
            ));
        }
        if let Some((r, c, x)) = v.first_non_finite() {
            return Err(Error::input(
                &self.source,
                format!("step {r}, series `{}`", self.names[c]),
                "a finite value",
                x.to_string(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_series() {
        let v = DenseMatrix::new(3, 2, vec![1.0, 10.0, 2.0, 20.0, 3.0, 30.0]).unwrap();
        let s = SeriesSet::new("t", vec!["a".into(), "b".into()], None, v).unwrap();
        assert_eq!((s.steps(), s.num_series()), (3, 2));
        assert_eq!(s.series(1), vec![10.0, 20.0, 30.0]);
    }

    #[test]
    fn rejects_bad_names_stamps_and_values() {
        let v = DenseMatrix::new(2, 1, vec![1.0, f32::INFINITY]).unwrap();
        let e = SeriesSet::new("x.csv", vec!["OT".into()], None, v.clone())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("x.csv") && e.contains("step 1") && e.contains("OT"),
            "{e}"
        );
        assert!(SeriesSet::new("x", vec![], None, v.clone()).is_err());
        assert!(SeriesSet::new("x", vec!["a".into()], Some(vec!["t0".into()]), v).is_err());
        assert!(SeriesSet::new("x", vec![], None, DenseMatrix::zeros(0, 0)).is_err());
    }
}
