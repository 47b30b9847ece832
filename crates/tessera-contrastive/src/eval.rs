//! Evaluation of a two-tower model: linear probes, cross-view retrieval
//! Recall@k, and zero-shot-style classification by nearest class prototype.

use crate::data::PairedViews;
use crate::model::{ContrastiveModel, EmbedKind};
use crate::probe::{argmax, linear_probe};
use burn::tensor::backend::Backend;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tessera_core::Result;
use tessera_data::DenseMatrix;

/// Recall@k of retrieving gallery row i for query row i by cosine similarity
/// (rows are unit vectors, so the dot product); one value per `k`.
pub fn recall_at_k(query: &DenseMatrix, gallery: &DenseMatrix, ks: &[usize]) -> Vec<f64> {
    let ranks: Vec<usize> = (0..query.rows)
        .into_par_iter()
        .map(|i| {
            let q = query.row(i);
            let own = dot(q, gallery.row(i));
            (0..gallery.rows)
                .filter(|&j| j != i && dot(q, gallery.row(j)) > own)
                .count()
        })
        .collect();
    ks.iter()
        .map(|&k| ranks.iter().filter(|&&r| r < k).count() as f64 / query.rows.max(1) as f64)
        .collect()
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Top-1 accuracy of classifying `query` rows by the nearest (cosine) class
/// prototype, the normalised mean of `support` rows of that class.
pub fn prototype_accuracy(
    support: &DenseMatrix,
    y_support: &[usize],
    query: &DenseMatrix,
    y_query: &[usize],
) -> f64 {
    let classes = y_support.iter().max().map_or(0, |m| m + 1);
    let mut protos = vec![vec![0f64; support.cols]; classes];
    for (r, &c) in y_support.iter().enumerate() {
        for (p, &v) in protos[c].iter_mut().zip(support.row(r)) {
            *p += f64::from(v);
        }
    }
    for p in &mut protos {
        let n = p.iter().map(|v| v * v).sum::<f64>().sqrt().max(1e-12);
        p.iter_mut().for_each(|v| *v /= n);
    }
    let correct = (0..query.rows)
        .filter(|&i| {
            let sims: Vec<f64> = protos
                .iter()
                .map(|p| {
                    p.iter()
                        .zip(query.row(i))
                        .map(|(a, &b)| a * f64::from(b))
                        .sum()
                })
                .collect();
            argmax(&sims) == y_query[i]
        })
        .count();
    correct as f64 / query.rows.max(1) as f64
}

/// Every quality number of a trained model on a test split.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Linear-probe accuracy on view-a embeddings (`None` without labels).
    pub probe_a: Option<f64>,
    /// Linear-probe accuracy on view-b embeddings.
    pub probe_b: Option<f64>,
    /// Linear-probe accuracy on `[z_a, z_b]`.
    pub probe_ab: Option<f64>,
    /// Linear-probe accuracy on `[z_a, z^i_a]` (models with separation heads).
    pub probe_a_specific: Option<f64>,
    /// Nearest-prototype accuracy: prototypes from view-b training embeddings, queries from view a.
    pub prototype: Option<f64>,
    /// Recall@1/5/10 retrieving view b from view a on the test pairs.
    pub recall_ab: [f64; 3],
    /// Recall@1/5/10 retrieving view a from view b.
    pub recall_ba: [f64; 3],
}

fn concat(a: &DenseMatrix, b: &DenseMatrix) -> DenseMatrix {
    let data = (0..a.rows)
        .flat_map(|r| a.row(r).iter().chain(b.row(r)).copied().collect::<Vec<_>>())
        .collect();
    DenseMatrix {
        rows: a.rows,
        cols: a.cols + b.cols,
        data,
    }
}

/// Evaluates `model` trained on `train` on the held-out pairs `test`.
pub fn evaluate<B: Backend>(
    model: &ContrastiveModel<B>,
    train: &PairedViews,
    test: &PairedViews,
) -> Result<Evaluation> {
    let emb = |d: &PairedViews, view: usize, kind| {
        let v = if view == 0 { &d.a } else { &d.b };
        model.embed(view, &v.x, &v.source, kind)
    };
    let (tr_a, tr_b, te_a, te_b) = (
        emb(train, 0, EmbedKind::Shared)?,
        emb(train, 1, EmbedKind::Shared)?,
        emb(test, 0, EmbedKind::Shared)?,
        emb(test, 1, EmbedKind::Shared)?,
    );
    let to3 = |v: Vec<f64>| [v[0], v[1], v[2]];
    let mut eval = Evaluation {
        probe_a: None,
        probe_b: None,
        probe_ab: None,
        probe_a_specific: None,
        prototype: None,
        recall_ab: to3(recall_at_k(&te_a, &te_b, &[1, 5, 10])),
        recall_ba: to3(recall_at_k(&te_b, &te_a, &[1, 5, 10])),
    };
    if let (Some(ytr), Some(yte)) = (&train.labels, &test.labels) {
        eval.probe_a = Some(linear_probe(&tr_a, ytr, &te_a, yte));
        eval.probe_b = Some(linear_probe(&tr_b, ytr, &te_b, yte));
        eval.probe_ab = Some(linear_probe(
            &concat(&tr_a, &tr_b),
            ytr,
            &concat(&te_a, &te_b),
            yte,
        ));
        eval.prototype = Some(prototype_accuracy(&tr_b, ytr, &te_a, yte));
        if model.net.a.has_specific() {
            let (sa, se) = (
                emb(train, 0, EmbedKind::WithSpecific)?,
                emb(test, 0, EmbedKind::WithSpecific)?,
            );
            eval.probe_a_specific = Some(linear_probe(&sa, ytr, &se, yte));
        }
    }
    Ok(eval)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recall_counts_rank_of_the_true_partner() {
        // Query 0 matches gallery 0 best; query 1's partner is ranked second.
        let q = DenseMatrix::new(2, 2, vec![1.0, 0.0, 0.0, 1.0]).unwrap();
        let g = DenseMatrix::new(2, 2, vec![1.0, 0.0, 0.6, 0.8]).unwrap();
        assert_eq!(recall_at_k(&q, &g, &[1, 2]), vec![1.0, 1.0]);
        let g = DenseMatrix::new(2, 2, vec![0.0, 1.0, 1.0, 0.0]).unwrap();
        assert_eq!(recall_at_k(&q, &g, &[1, 2]), vec![0.0, 1.0]);
    }

    #[test]
    fn prototypes_classify_by_nearest_class_mean() {
        let support =
            DenseMatrix::new(4, 2, vec![1.0, 0.1, 0.9, -0.1, 0.1, 1.0, -0.1, 0.9]).unwrap();
        let query = DenseMatrix::new(3, 2, vec![0.8, 0.2, 0.3, 0.7, -0.2, 0.9]).unwrap();
        assert_eq!(
            prototype_accuracy(&support, &[0, 0, 1, 1], &query, &[0, 1, 1]),
            1.0
        );
        assert!(
            (prototype_accuracy(&support, &[0, 0, 1, 1], &query, &[1, 1, 1]) - 2.0 / 3.0).abs()
                < 1e-12
        );
    }
}
