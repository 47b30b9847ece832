//! TF-IDF weighting of sparse count vectors (the "text" side of GIANT when the
//! node text is a bag of words).
//!
//! `tf = count` (or `1 + ln count` with `sublinear_tf`),
//! `idf = ln((1 + n) / (1 + df)) + 1` with `smooth_idf` (else `ln(n / df) + 1`),
//! terms with `df / n > max_df` are dropped, rows are ℓ2-normalised — the
//! scikit-learn `TfidfVectorizer` conventions PECOS's vectoriser follows.

use crate::sparse::{from_rows, normalize_rows_l2};
use serde::{Deserialize, Serialize};
use tessera_core::{Error, Result};
use tessera_data::CsrMatrix;

/// TF-IDF options.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TfidfConfig {
    /// Use `1 + ln(count)` instead of the raw count.
    pub sublinear_tf: bool,
    /// Add one to document frequencies (as if one extra document held every term).
    pub smooth_idf: bool,
    /// Drop terms present in more than this fraction of rows.
    pub max_df: f32,
}

impl Default for TfidfConfig {
    fn default() -> Self {
        TfidfConfig {
            sublinear_tf: false,
            smooth_idf: true,
            max_df: 0.98,
        }
    }
}

/// Fitted inverse document frequencies; 0 marks a dropped term.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tfidf {
    /// The options it was fitted with.
    pub config: TfidfConfig,
    /// One weight per column.
    pub idf: Vec<f32>,
}

impl Tfidf {
    /// Learns the idf weights from `counts` (rows = documents); counts must be ≥ 0.
    pub fn fit(counts: &CsrMatrix, config: &TfidfConfig) -> Result<Self> {
        if !(config.max_df > 0.0 && config.max_df <= 1.0) {
            return Err(Error::Config(format!(
                "tfidf max_df must be in (0, 1], got {}",
                config.max_df
            )));
        }
        if let Some(p) = counts.data.iter().position(|&v| v < 0.0) {
            let row = counts.indptr.partition_point(|&s| s <= p) - 1;
            return Err(Error::input(
                "tf-idf input",
                format!("row {row}"),
                "non-negative counts",
                counts.data[p].to_string(),
            ));
        }
        let n = counts.rows as f64;
        let mut df = vec![0usize; counts.cols];
        for (&c, &v) in counts.indices.iter().zip(&counts.data) {
            if v > 0.0 {
                df[c as usize] += 1;
            }
        }
        let idf = df
            .iter()
            .map(|&d| {
                let d = d as f64;
                if d == 0.0 || d / n > f64::from(config.max_df) {
                    0.0
                } else if config.smooth_idf {
                    (((1.0 + n) / (1.0 + d)).ln() + 1.0) as f32
                } else {
                    ((n / d).ln() + 1.0) as f32
                }
            })
            .collect();
        Ok(Tfidf {
            config: config.clone(),
            idf,
        })
    }

    /// Weights `counts` (same columns as at fit time) and ℓ2-normalises each row.
    pub fn transform(&self, counts: &CsrMatrix) -> Result<CsrMatrix> {
        if counts.cols != self.idf.len() {
            return Err(Error::input(
                "tf-idf input",
                "columns",
                format!("{} columns (as fitted)", self.idf.len()),
                format!("{} columns", counts.cols),
            ));
        }
        let rows = (0..counts.rows)
            .map(|r| {
                let (cols, vals) = counts.row(r);
                let mut out = (
                    Vec::with_capacity(cols.len()),
                    Vec::with_capacity(cols.len()),
                );
                for (&c, &v) in cols.iter().zip(vals) {
                    let w = self.idf[c as usize];
                    if v > 0.0 && w > 0.0 {
                        let tf = if self.config.sublinear_tf {
                            1.0 + v.ln()
                        } else {
                            v
                        };
                        out.0.push(c);
                        out.1.push(tf * w);
                    }
                }
                out
            })
            .collect();
        let mut m = from_rows(counts.cols, rows);
        normalize_rows_l2(&mut m);
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_hand_computed_example() {
        // 3 documents over 3 terms: term 0 in docs {0, 1}, term 1 in {0}, term 2 in {1, 2}.
        let counts = CsrMatrix::new(
            "t",
            3,
            3,
            vec![0, 2, 4, 5],
            vec![0, 1, 0, 2, 2],
            vec![2.0, 1.0, 1.0, 3.0, 1.0],
        )
        .unwrap();
        let cfg = TfidfConfig {
            sublinear_tf: false,
            smooth_idf: true,
            max_df: 1.0,
        };
        let t = Tfidf::fit(&counts, &cfg).unwrap();
        let idf = [
            (4.0f64 / 3.0).ln() + 1.0,
            (4.0f64 / 2.0).ln() + 1.0,
            (4.0f64 / 3.0).ln() + 1.0,
        ];
        for (a, b) in t.idf.iter().zip(idf) {
            assert!((f64::from(*a) - b).abs() < 1e-6);
        }
        let x = t.transform(&counts).unwrap();
        let (w0, w1) = (2.0 * idf[0], idf[1]);
        let norm = (w0 * w0 + w1 * w1).sqrt();
        let row0 = x.row(0).1;
        assert!(
            (f64::from(row0[0]) - w0 / norm).abs() < 1e-6
                && (f64::from(row0[1]) - w1 / norm).abs() < 1e-6
        );
        assert_eq!(x.row(2).1, &[1.0]);
        // max_df 0.5 drops terms 0 and 2 (each in 2 of 3 documents).
        let t = Tfidf::fit(&counts, &TfidfConfig { max_df: 0.5, ..cfg }).unwrap();
        assert_eq!((t.idf[0], t.idf[2]), (0.0, 0.0));
        assert_eq!(t.transform(&counts).unwrap().row(0).0, &[1]);
    }

    #[test]
    fn sublinear_tf_and_negative_counts() {
        let counts = CsrMatrix::new("t", 2, 2, vec![0, 1, 2], vec![0, 1], vec![4.0, -1.0]).unwrap();
        let e = Tfidf::fit(&counts, &TfidfConfig::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("row 1") && e.contains("non-negative"), "{e}");
        let counts = CsrMatrix::new(
            "t",
            2,
            2,
            vec![0, 2, 3],
            vec![0, 1, 1],
            vec![std::f32::consts::E, 1.0, 1.0],
        )
        .unwrap();
        let cfg = TfidfConfig {
            sublinear_tf: true,
            smooth_idf: false,
            max_df: 1.0,
        };
        let t = Tfidf::fit(&counts, &cfg).unwrap();
        let x = t.transform(&counts).unwrap();
        let a = 2.0 * (2f32.ln() + 1.0);
        let n = (a * a + 1.0).sqrt();
        assert!((x.row(0).1[0] - a / n).abs() < 1e-6);
    }
}
