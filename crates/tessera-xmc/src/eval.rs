//! Precision@k and recall@k of ranked predictions (PECOS's `Metrics.generate`).

use serde::{Deserialize, Serialize};
use tessera_data::CsrMatrix;

/// precision@k and recall@k for k = 1..=topk (index k − 1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct XmcMetrics {
    /// Matches in the top k divided by k, averaged over all rows.
    pub precision: Vec<f64>,
    /// Matches in the top k divided by the row's label count, averaged over all rows.
    pub recall: Vec<f64>,
}

/// Scores predictions whose rows are sorted best first (as [`crate::XLinearModel::predict`] returns).
///
/// Rows with fewer than k predictions count their misses; rows without labels count 0.
pub fn evaluate(pred: &CsrMatrix, truth: &CsrMatrix, topk: usize) -> XmcMetrics {
    let mut matched = vec![0f64; topk];
    let mut recall = vec![0f64; topk];
    for i in 0..truth.rows.min(pred.rows) {
        let (t, _) = truth.row(i);
        let (p, _) = pred.row(i);
        let mut hits = 0usize;
        for k in 0..topk {
            if let Some(label) = p.get(k)
                && t.contains(label)
            {
                hits += 1;
            }
            matched[k] += hits as f64;
            recall[k] += hits as f64 / t.len().max(1) as f64;
        }
    }
    let n = truth.rows.max(1) as f64;
    XmcMetrics {
        precision: matched
            .iter()
            .enumerate()
            .map(|(k, m)| m / n / (k + 1) as f64)
            .collect(),
        recall: recall.iter().map(|r| r / n).collect(),
    }
}

/// Removes label `own[i]` from row `i` (a node never predicts itself as its neighbour).
pub fn drop_own_label(pred: &CsrMatrix, own: &[u32]) -> CsrMatrix {
    let rows = (0..pred.rows)
        .map(|i| {
            let (c, v) = pred.row(i);
            c.iter()
                .zip(v)
                .filter(|(l, _)| **l != own[i])
                .map(|(&l, &s)| (l, s))
                .unzip()
        })
        .collect();
    crate::sparse::from_rows(pred.cols, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precision_and_recall_by_hand() {
        // Row 0: truth {1, 3}, ranked [3, 0, 1]; row 1: truth {2}, ranked [0].
        let truth = CsrMatrix::new("t", 2, 4, vec![0, 2, 3], vec![1, 3, 2], vec![1.0; 3]).unwrap();
        let pred = CsrMatrix::new(
            "p",
            2,
            4,
            vec![0, 3, 4],
            vec![3, 0, 1, 0],
            vec![0.9, 0.5, 0.4, 0.8],
        )
        .unwrap();
        let m = evaluate(&pred, &truth, 3);
        assert_eq!(m.precision, vec![0.5, 0.25, 2.0 / 3.0 / 2.0]);
        assert_eq!(m.recall, vec![0.25, 0.25, 0.5]);
        let d = drop_own_label(&pred, &[3, 1]);
        assert_eq!(d.row(0).0, &[0, 1]);
        assert_eq!(d.row(1).0, &[0]);
    }
}
