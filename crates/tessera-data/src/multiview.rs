//! [`MultiViewData`]: several dense feature views of the same rows (e.g. UCI mfeat).

use crate::matrix::DenseMatrix;
use tessera_core::{Error, Result};

/// One named dense view.
#[derive(Clone, Debug, PartialEq)]
pub struct View {
    /// The view's name (`fac`, `pix`, ...).
    pub name: String,
    /// Where the view was read from, for messages.
    pub source: String,
    /// `rows × width` values.
    pub matrix: DenseMatrix,
}

/// Named dense views over the same rows, with optional class labels.
#[derive(Clone, Debug, PartialEq)]
pub struct MultiViewData {
    /// Where the data came from (dataset name or folder), for messages.
    pub source: String,
    /// The views, in a fixed order.
    pub views: Vec<View>,
    /// Class id per row.
    pub labels: Option<Vec<usize>>,
    /// Number of classes (max label + 1, 0 without labels).
    pub num_classes: usize,
}

impl MultiViewData {
    /// Builds and validates a multi-view dataset.
    pub fn new(
        source: impl Into<String>,
        views: Vec<View>,
        labels: Option<Vec<usize>>,
    ) -> Result<Self> {
        let num_classes = labels
            .as_ref()
            .and_then(|l| l.iter().max())
            .map_or(0, |m| m + 1);
        let data = MultiViewData {
            source: source.into(),
            views,
            labels,
            num_classes,
        };
        data.validate()?;
        Ok(data)
    }

    /// Number of rows (shared by every view).
    pub fn rows(&self) -> usize {
        self.views.first().map_or(0, |v| v.matrix.rows)
    }

    /// The view called `name`; an unknown name is an error listing the views.
    pub fn view(&self, name: &str) -> Result<&DenseMatrix> {
        self.views
            .iter()
            .find(|v| v.name == name)
            .map(|v| &v.matrix)
            .ok_or_else(|| {
                let names: Vec<&str> = self.views.iter().map(|v| v.name.as_str()).collect();
                Error::input(
                    &self.source,
                    format!("view `{name}`"),
                    "an existing view",
                    format!("views {names:?}"),
                )
            })
    }

    /// Checks: at least one view, no empty or zero-width view, equal row counts, finite values, labels per row.
    pub fn validate(&self) -> Result<()> {
        let first = self
            .views
            .first()
            .ok_or_else(|| Error::input(&self.source, "views", "at least one view", "no views"))?;
        for v in &self.views {
            let m = &v.matrix;
            let at = format!("view `{}`", v.name);
            if m.rows == 0 {
                return Err(Error::input(
                    &v.source,
                    at,
                    "at least one row",
                    "an empty view",
                ));
            }
            if m.cols == 0 {
                return Err(Error::input(
                    &v.source,
                    at,
                    "at least one column",
                    "a zero-column view",
                ));
            }
            if m.rows != first.matrix.rows {
                return Err(Error::input(
                    &v.source,
                    at,
                    format!("{} rows (as view `{}`)", first.matrix.rows, first.name),
                    format!("{} rows", m.rows),
                ));
            }
            if let Some((r, c, x)) = m.first_non_finite() {
                return Err(Error::input(
                    &v.source,
                    format!("{at} row {r}, column {c}"),
                    "a finite value",
                    x.to_string(),
                ));
            }
        }
        if let Some(l) = &self.labels
            && l.len() != first.matrix.rows
        {
            return Err(Error::input(
                &self.source,
                "labels",
                format!("{} labels (one per row)", first.matrix.rows),
                format!("{} labels", l.len()),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(name: &str, rows: usize, cols: usize) -> View {
        View {
            name: name.into(),
            source: format!("{name}.csv"),
            matrix: DenseMatrix::zeros(rows, cols),
        }
    }

    #[test]
    fn accepts_consistent_views_and_finds_them_by_name() {
        let d = MultiViewData::new(
            "t",
            vec![view("a", 3, 2), view("b", 3, 5)],
            Some(vec![0, 2, 1]),
        )
        .unwrap();
        assert_eq!(d.rows(), 3);
        assert_eq!(d.num_classes, 3);
        assert_eq!(d.view("b").unwrap().cols, 5);
        assert!(
            d.view("c")
                .unwrap_err()
                .to_string()
                .contains("[\"a\", \"b\"]")
        );
    }

    #[test]
    fn rejects_mismatched_empty_zero_width_and_non_finite_views() {
        let e = MultiViewData::new("t", vec![view("a", 3, 2), view("b", 4, 2)], None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("b.csv") && e.contains("3 rows") && e.contains("4 rows"),
            "{e}"
        );
        let e = MultiViewData::new("t", vec![view("a", 0, 2)], None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("empty view"), "{e}");
        let e = MultiViewData::new("t", vec![view("a", 2, 0)], None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("zero-column"), "{e}");
        let mut bad = view("a", 2, 2);
        bad.matrix.data[3] = f32::NAN;
        let e = MultiViewData::new("t", vec![bad], None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("row 1, column 1") && e.contains("NaN"), "{e}");
        let e = MultiViewData::new("t", vec![view("a", 2, 2)], Some(vec![0]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("labels"), "{e}");
    }
}
