//! Evaluation metrics shared by every method.
//!
//! All functions take plain slices; empty or degenerate inputs return `NaN`
//! rather than panicking, so a report can show "n/a" instead of crashing.

/// Fraction of positions where `pred == truth`.
pub fn accuracy(pred: &[usize], truth: &[usize]) -> f64 {
    assert_eq!(
        pred.len(),
        truth.len(),
        "accuracy: prediction and truth lengths differ"
    );
    if pred.is_empty() {
        return f64::NAN;
    }
    pred.iter().zip(truth).filter(|(p, t)| p == t).count() as f64 / pred.len() as f64
}

/// Accuracy restricted to the indices in `subset`.
pub fn accuracy_on(pred: &[usize], truth: &[usize], subset: &[usize]) -> f64 {
    if subset.is_empty() {
        return f64::NAN;
    }
    subset.iter().filter(|&&i| pred[i] == truth[i]).count() as f64 / subset.len() as f64
}

/// Index of the largest value in each row of a row-major `rows × cols` matrix.
pub fn argmax_rows(scores: &[f32], cols: usize) -> Vec<usize> {
    scores
        .chunks_exact(cols)
        .map(|row| {
            row.iter()
                .enumerate()
                .fold((0, f32::NEG_INFINITY), |best, (j, &v)| {
                    if v > best.1 { (j, v) } else { best }
                })
                .0
        })
        .collect()
}

/// Precision@k: the share of the top `k` ranked items that are relevant.
pub fn precision_at_k(ranked: &[usize], relevant: &[usize], k: usize) -> f64 {
    if k == 0 {
        return f64::NAN;
    }
    hits_at_k(ranked, relevant, k) as f64 / k as f64
}

/// Recall@k: the share of relevant items found in the top `k`.
pub fn recall_at_k(ranked: &[usize], relevant: &[usize], k: usize) -> f64 {
    if relevant.is_empty() {
        return f64::NAN;
    }
    hits_at_k(ranked, relevant, k) as f64 / relevant.len() as f64
}

fn hits_at_k(ranked: &[usize], relevant: &[usize], k: usize) -> usize {
    ranked
        .iter()
        .take(k)
        .filter(|r| relevant.contains(r))
        .count()
}

/// NDCG@k with binary relevance.
pub fn ndcg_at_k(ranked: &[usize], relevant: &[usize], k: usize) -> f64 {
    if relevant.is_empty() {
        return f64::NAN;
    }
    let dcg: f64 = ranked
        .iter()
        .take(k)
        .enumerate()
        .filter(|(_, r)| relevant.contains(r))
        .map(|(i, _)| 1.0 / ((i + 2) as f64).log2())
        .sum();
    let ideal: f64 = (0..relevant.len().min(k))
        .map(|i| 1.0 / ((i + 2) as f64).log2())
        .sum();
    dcg / ideal
}

/// Coefficient of determination R² = 1 − SS_res / SS_tot.
pub fn r2(pred: &[f64], truth: &[f64]) -> f64 {
    assert_eq!(
        pred.len(),
        truth.len(),
        "r2: prediction and truth lengths differ"
    );
    let mean = mean(truth);
    let ss_tot: f64 = truth.iter().map(|t| (t - mean).powi(2)).sum();
    let ss_res: f64 = pred.iter().zip(truth).map(|(p, t)| (t - p).powi(2)).sum();
    1.0 - ss_res / ss_tot
}

/// Pearson correlation coefficient.
pub fn pearson(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len(), "pearson: lengths differ");
    let (ma, mb) = (mean(a), mean(b));
    let mut cov = 0.0;
    let mut va = 0.0;
    let mut vb = 0.0;
    for (x, y) in a.iter().zip(b) {
        cov += (x - ma) * (y - mb);
        va += (x - ma).powi(2);
        vb += (y - mb).powi(2);
    }
    cov / (va * vb).sqrt()
}

/// Spearman rank correlation (Pearson on average ranks, ties shared).
pub fn spearman(a: &[f64], b: &[f64]) -> f64 {
    pearson(&average_ranks(a), &average_ranks(b))
}

/// Ranks 1..n with ties given their average rank.
pub fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&i, &j| values[i].total_cmp(&values[j]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        let rank = (start + end + 1) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = rank;
        }
        start = end;
    }
    ranks
}

/// Area under the ROC curve (Mann–Whitney U with tie correction).
pub fn auroc(scores: &[f64], positive: &[bool]) -> f64 {
    assert_eq!(scores.len(), positive.len(), "auroc: lengths differ");
    let n_pos = positive.iter().filter(|&&p| p).count() as f64;
    let n_neg = positive.len() as f64 - n_pos;
    if n_pos == 0.0 || n_neg == 0.0 {
        return f64::NAN;
    }
    let ranks = average_ranks(scores);
    let rank_sum: f64 = ranks
        .iter()
        .zip(positive)
        .filter(|(_, p)| **p)
        .map(|(r, _)| r)
        .sum();
    (rank_sum - n_pos * (n_pos + 1.0) / 2.0) / (n_pos * n_neg)
}

/// Arithmetic mean (`NaN` for an empty slice).
pub fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// Mean and sample standard deviation (std is 0 for a single value).
pub fn mean_std(values: &[f64]) -> (f64, f64) {
    let m = mean(values);
    if values.len() < 2 {
        return (m, 0.0);
    }
    let var = values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (values.len() - 1) as f64;
    (m, var.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn accuracy_and_argmax() {
        let pred = argmax_rows(&[0.1, 0.9, 0.8, 0.2, 0.3, 0.3], 2);
        assert_eq!(pred, vec![1, 0, 0]);
        assert!(close(accuracy(&pred, &[1, 0, 1]), 2.0 / 3.0));
        assert!(close(accuracy_on(&pred, &[1, 0, 1], &[0, 1]), 1.0));
        assert!(accuracy(&[], &[]).is_nan());
    }

    #[test]
    fn ranking_metrics() {
        let ranked = [3, 1, 4, 5];
        assert!(close(precision_at_k(&ranked, &[1, 5], 2), 0.5));
        assert!(close(recall_at_k(&ranked, &[1, 5], 4), 1.0));
        // relevant at positions 2 and 4: (1/log2 3 + 1/log2 5) / (1 + 1/log2 3)
        let expect = (1.0 / 3f64.log2() + 1.0 / 5f64.log2()) / (1.0 + 1.0 / 3f64.log2());
        assert!(close(ndcg_at_k(&ranked, &[1, 5], 4), expect));
        assert!(close(ndcg_at_k(&[1, 5], &[1, 5], 2), 1.0));
    }

    #[test]
    fn correlations_and_r2() {
        let a = [1.0, 2.0, 3.0, 4.0];
        assert!(close(pearson(&a, &[2.0, 4.0, 6.0, 8.0]), 1.0));
        assert!(close(spearman(&a, &[1.0, 10.0, 100.0, 1000.0]), 1.0));
        assert!(close(spearman(&a, &[4.0, 3.0, 2.0, 1.0]), -1.0));
        assert_eq!(average_ranks(&[5.0, 1.0, 5.0]), vec![2.5, 1.0, 2.5]);
        assert!(close(r2(&a, &a), 1.0));
        assert!(close(r2(&[2.5; 4], &a), 0.0));
    }

    #[test]
    fn auroc_perfect_random_and_ties() {
        assert!(close(
            auroc(&[0.9, 0.8, 0.1, 0.2], &[true, true, false, false]),
            1.0
        ));
        assert!(close(auroc(&[0.5, 0.5], &[true, false]), 0.5));
        assert!(close(
            auroc(&[0.1, 0.9, 0.2, 0.8], &[true, false, true, false]),
            0.0
        ));
        assert!(auroc(&[0.1], &[true]).is_nan());
    }

    #[test]
    fn mean_std_sample() {
        let (m, s) = mean_std(&[1.0, 2.0, 3.0]);
        assert!(close(m, 2.0) && close(s, 1.0));
        assert_eq!(mean_std(&[4.0]), (4.0, 0.0));
    }
}
