//! XR-Linear training: PIFA → label tree → one-vs-rest rankers per level.

use crate::config::{Negatives, XLinearConfig};
use crate::model::{RankerLevel, XLinearModel};
use crate::pifa::pifa;
use crate::problem::XmcProblem;
use crate::solver::solve;
use crate::sparse::{LocalRows, from_rows, transpose};
use crate::tree::ClusterChain;
use rayon::prelude::*;
use tessera_core::{Progress, Result, Seed};
use tessera_data::CsrMatrix;

/// A trained cluster: its id, kept feature ids (bias = column d) and weights.
type TrainedRow = (u32, Vec<u32>, Vec<f32>);

/// Trains XR-Linear on `problem`: PIFA label embeddings, a balanced label tree, then rankers.
pub fn fit(
    problem: &XmcProblem,
    config: &XLinearConfig,
    seed: Seed,
    progress: &Progress,
) -> Result<XLinearModel> {
    config.check()?;
    let z = pifa(&problem.y, &problem.x);
    let chain = ClusterChain::build(&z, &config.tree, seed)?;
    progress.log(&format!(
        "xr-linear: label tree with level sizes {:?}",
        chain.levels.iter().map(|l| l.len()).collect::<Vec<_>>()
    ));
    fit_with_chain(problem, &chain, config, seed, progress)
}

/// The binary instance × cluster targets of level `t`: `binarise(Y · M⁽ᵗ⁾)`.
pub fn level_targets(y: &CsrMatrix, chain: &ClusterChain, t: usize) -> CsrMatrix {
    let map = chain.label_to_level(t);
    let rows = (0..y.rows)
        .into_par_iter()
        .map(|i| {
            let mut c: Vec<u32> = y.row(i).0.iter().map(|&l| map[l as usize]).collect();
            c.sort_unstable();
            c.dedup();
            let v = vec![1.0; c.len()];
            (c, v)
        })
        .collect();
    from_rows(chain.levels[t].len(), rows)
}

/// Trains the rankers of every level of a given chain.
pub fn fit_with_chain(
    problem: &XmcProblem,
    chain: &ClusterChain,
    config: &XLinearConfig,
    seed: Seed,
    progress: &Progress,
) -> Result<XLinearModel> {
    config.check()?;
    let (x, n, d) = (&problem.x, problem.x.rows, problem.x.cols);
    let sq_norms: Vec<f32> = (0..n)
        .map(|i| x.row(i).1.iter().map(|v| v * v).sum())
        .collect();
    let mut model = XLinearModel {
        config: config.clone(),
        num_features: d,
        levels: Vec::with_capacity(chain.levels.len()),
    };
    let mut task = progress.task("xr-linear levels", chain.levels.len() as u64);
    let mut prev_targets: Option<CsrMatrix> = None;
    for (t, clusters) in chain.levels.iter().enumerate() {
        let targets = level_targets(&problem.y, chain, t);
        let positives = transpose(&targets);
        let matching = match &prev_targets {
            None => None,
            Some(prev) => {
                let mut m = prev.clone();
                if config.negatives == Negatives::TfnMan {
                    let beam = model.beam_clusters(x, t);
                    m = union_rows(&m, &beam);
                }
                Some(transpose(&m))
            }
        };
        let level = RankerLevel::new(
            clusters.clone(),
            CsrMatrix {
                rows: 0,
                cols: d + 1,
                indptr: vec![0],
                indices: vec![],
                data: vec![],
            },
        );
        let all: Vec<u32> = (0..n as u32).collect();
        let trained: Vec<Vec<TrainedRow>> = (0..clusters.num_parents as u32)
            .into_par_iter()
            .map(|p| {
                let subset = matching.as_ref().map_or(&all[..], |m| m.row(p as usize).0);
                let local = LocalRows::gather(x, subset);
                let local_sq: Vec<f32> = subset.iter().map(|&i| sq_norms[i as usize]).collect();
                level
                    .children_of(p)
                    .par_iter()
                    .map(|&k| {
                        let mut positive = vec![false; subset.len()];
                        for i in positives.row(k as usize).0 {
                            if let Ok(pos) = subset.binary_search(i) {
                                positive[pos] = true;
                            }
                        }
                        let mut rng = seed.rng(&format!("xr-linear/svm/{t}/{k}"));
                        let sol = solve(&local, &positive, &local_sq, &config.solver, &mut rng);
                        let thr = config.solver.threshold;
                        let mut kept: Vec<(u32, f32)> = local
                            .features
                            .iter()
                            .zip(&sol.w)
                            .filter(|(_, w)| w.abs() >= thr)
                            .map(|(&f, &w)| (f, w))
                            .collect();
                        if config.solver.bias > 0.0 && sol.b.abs() >= thr {
                            kept.push((d as u32, sol.b));
                        }
                        kept.sort_unstable_by_key(|e| e.0);
                        let (c, v) = kept.into_iter().unzip();
                        (k, c, v)
                    })
                    .collect()
            })
            .collect();
        let mut rows = vec![(Vec::new(), Vec::new()); clusters.len()];
        for (k, c, v) in trained.into_iter().flatten() {
            rows[k as usize] = (c, v);
        }
        model
            .levels
            .push(RankerLevel::new(clusters.clone(), from_rows(d + 1, rows)));
        prev_targets = Some(targets);
        task.inc(1);
    }
    task.finish();
    Ok(model)
}

/// Row-wise union of two binary matrices with the same shape (sorted columns).
fn union_rows(a: &CsrMatrix, b: &CsrMatrix) -> CsrMatrix {
    let rows = (0..a.rows)
        .map(|i| {
            let mut c: Vec<u32> = a.row(i).0.iter().chain(b.row(i).0).copied().collect();
            c.sort_unstable();
            c.dedup();
            let v = vec![1.0; c.len()];
            (c, v)
        })
        .collect();
    from_rows(a.cols, rows)
}
