//! XR-Linear training: PIFA → label tree → one-vs-rest rankers per level.

use crate::config::{Negatives, SolverConfig, XLinearConfig};
use crate::model::{RankerLevel, XLinearModel};
use crate::pifa::pifa;
use crate::problem::XmcProblem;
use crate::solver::{Solution, solve_block};
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
        let level = RankerLevel::new(clusters.clone(), empty_weights(d));
        let started = std::time::Instant::now();
        let all: Vec<u32> = (0..n as u32).collect();
        let subset = |p: u32| matching.as_ref().map_or(&all[..], |m| m.row(p as usize).0);
        // Largest subsets first, so that the last jobs of a level are short ones.
        let mut parents: Vec<u32> = (0..clusters.num_parents as u32).collect();
        parents.sort_by_key(|&p| std::cmp::Reverse(subset(p).len()));
        let blocks = blocks_per_parent(clusters.num_parents, clusters.len());
        let trained: Vec<Vec<TrainedRow>> = parents
            .par_iter()
            .with_max_len(1)
            .map(|&p| {
                let rows = subset(p);
                let local = LocalRows::gather(x, rows);
                let local_sq: Vec<f32> = rows.iter().map(|&i| sq_norms[i as usize]).collect();
                let kids = level.children_of(p);
                let width = kids.len().div_ceil(blocks).clamp(1, MAX_LANES);
                kids.par_chunks(width)
                    .flat_map_iter(|block| {
                        let job = BlockJob {
                            local: &local,
                            rows,
                            sq_norms: &local_sq,
                            positives: &positives,
                            d,
                        };
                        let mut rng = seed.rng(&format!("xr-linear/svm/{t}/{}", block[0]));
                        job.train(block, &config.solver, &mut rng)
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
        progress.log(&format!(
            "xr-linear: level {t} ({} clusters, {} parents) trained in {:.1} s",
            clusters.len(),
            clusters.num_parents,
            started.elapsed().as_secs_f64()
        ));
        prev_targets = Some(targets);
        task.inc(1);
    }
    task.finish();
    Ok(model)
}

/// Most sibling clusters trained together in one block (lanes of [`solve_block`]).
const MAX_LANES: usize = 16;

/// Fewest blocks a level is split into, so that even the top level (one parent)
/// keeps two workers busy. Fixed, not the thread count, so results do not depend on it.
const MIN_BLOCKS_PER_LEVEL: usize = 2;

/// How many blocks the children of each parent are split into.
fn blocks_per_parent(num_parents: usize, num_clusters: usize) -> usize {
    let per_parent = num_clusters.div_ceil(num_parents.max(1));
    MIN_BLOCKS_PER_LEVEL
        .div_ceil(num_parents.max(1))
        .clamp(1, per_parent.max(1))
}

/// An empty weight matrix over `d` features plus the bias column.
fn empty_weights(d: usize) -> CsrMatrix {
    CsrMatrix {
        rows: 0,
        cols: d + 1,
        indptr: vec![0],
        indices: vec![],
        data: vec![],
    }
}

/// The instances of one parent, shared by the blocks of its children.
struct BlockJob<'a> {
    local: &'a LocalRows,
    /// Global ids of the local rows (sorted).
    rows: &'a [u32],
    sq_norms: &'a [f32],
    /// Cluster × instance positives of the level.
    positives: &'a CsrMatrix,
    /// Number of features (the bias column's id).
    d: usize,
}

impl BlockJob<'_> {
    /// Trains the clusters `block` together and returns their sparsified weight rows.
    fn train(
        &self,
        block: &[u32],
        cfg: &SolverConfig,
        rng: &mut tessera_core::Rng,
    ) -> Vec<TrainedRow> {
        let mut positive = vec![0u32; self.rows.len()];
        for (lane, &k) in block.iter().enumerate() {
            for i in self.positives.row(k as usize).0 {
                if let Ok(pos) = self.rows.binary_search(i) {
                    positive[pos] |= 1 << lane;
                }
            }
        }
        let (x, sq, lanes) = (self.local, self.sq_norms, block.len());
        let solutions = match lanes {
            0..=4 => solve_block::<4>(x, &positive, lanes, sq, cfg, rng),
            5..=8 => solve_block::<8>(x, &positive, lanes, sq, cfg, rng),
            _ => solve_block::<MAX_LANES>(x, &positive, lanes, sq, cfg, rng),
        };
        block
            .iter()
            .zip(solutions)
            .map(|(&k, sol)| self.sparsify(k, sol, cfg))
            .collect()
    }

    /// Keeps the weights with `|w| ≥ threshold`, in global feature ids (bias = column `d`).
    fn sparsify(&self, k: u32, sol: Solution, cfg: &SolverConfig) -> TrainedRow {
        let mut kept: Vec<(u32, f32)> = self
            .local
            .features
            .iter()
            .zip(&sol.w)
            .filter(|(_, w)| w.abs() >= cfg.threshold)
            .map(|(&f, &w)| (f, w))
            .collect();
        if cfg.bias > 0.0 && sol.b.abs() >= cfg.threshold {
            kept.push((self.d as u32, sol.b));
        }
        kept.sort_unstable_by_key(|e| e.0);
        let (c, v) = kept.into_iter().unzip();
        (k, c, v)
    }
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
