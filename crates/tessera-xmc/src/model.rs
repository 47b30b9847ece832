//! [`XLinearModel`]: the trained chain of rankers, beam-search prediction,
//! exhaustive multi-scale scores, and save/load as a folder.

use crate::config::{PredictConfig, XLinearConfig};
use crate::sparse::{from_rows, sparse_dot};
use crate::tree::ClusterLevel;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::Path;
use tessera_core::{Error, Result, run::write_json_atomic};
use tessera_data::{CsrMatrix, DenseMatrix, read_csr_npz, read_npy, write_csr_npz, write_npy};

/// The rankers of one level of the chain.
#[derive(Clone, Debug, PartialEq)]
pub struct RankerLevel {
    /// The level's clusters and their parents.
    pub clusters: ClusterLevel,
    /// One sparse weight row per cluster over the features plus a last bias column.
    pub weights: CsrMatrix,
    children_ptr: Vec<usize>,
    children: Vec<u32>,
}

impl RankerLevel {
    /// Pairs the clusters with their weight rows (`clusters.len()` rows).
    pub fn new(clusters: ClusterLevel, weights: CsrMatrix) -> Self {
        let (children_ptr, children) = clusters.children();
        RankerLevel {
            clusters,
            weights,
            children_ptr,
            children,
        }
    }

    /// The children of parent `p`.
    pub fn children_of(&self, p: u32) -> &[u32] {
        &self.children[self.children_ptr[p as usize]..self.children_ptr[p as usize + 1]]
    }
}

/// A trained XR-Linear model.
#[derive(Clone, Debug, PartialEq)]
pub struct XLinearModel {
    /// The settings it was trained with (prediction settings are the defaults for `predict`).
    pub config: XLinearConfig,
    /// Number of instance features.
    pub num_features: usize,
    /// Rankers from the top level down to the labels.
    pub levels: Vec<RankerLevel>,
}

#[derive(Serialize, Deserialize)]
struct Manifest {
    format: String,
    config: XLinearConfig,
    num_features: usize,
    num_levels: usize,
}

const FORMAT: &str = "tessera-xlinear-1";

impl XLinearModel {
    /// Number of labels.
    pub fn num_labels(&self) -> usize {
        self.levels.last().map_or(0, |l| l.clusters.len())
    }

    fn check_features(&self, x: &CsrMatrix) -> Result<()> {
        if x.cols != self.num_features {
            return Err(Error::input(
                "instance features",
                "columns",
                format!("{} features (as trained)", self.num_features),
                format!("{} columns", x.cols),
            ));
        }
        Ok(())
    }

    /// Top `only_topk` labels per row with the default prediction settings.
    pub fn predict(&self, x: &CsrMatrix) -> Result<CsrMatrix> {
        self.predict_with(x, &self.config.predict)
    }

    /// Beam search: rows hold the best labels, highest score first.
    pub fn predict_with(&self, x: &CsrMatrix, p: &PredictConfig) -> Result<CsrMatrix> {
        self.check_features(x)?;
        let depth = self.levels.len();
        Ok(self.beam_rows(
            x,
            depth,
            |t| {
                if t + 1 == depth {
                    p.only_topk
                } else {
                    p.beam_size
                }
            },
            p,
        ))
    }

    /// The level-`upto − 1` clusters kept by the beam after searching levels `0..upto`.
    pub(crate) fn beam_clusters(&self, x: &CsrMatrix, upto: usize) -> CsrMatrix {
        let p = &self.config.predict;
        self.beam_rows(x, upto, |_| p.beam_size, p)
    }

    fn beam_rows(
        &self,
        x: &CsrMatrix,
        upto: usize,
        keep: impl Fn(usize) -> usize + Sync,
        p: &PredictConfig,
    ) -> CsrMatrix {
        let cols = self.levels[upto - 1].clusters.len();
        let rows = (0..x.rows)
            .into_par_iter()
            .map_init(
                || self.feature_buffer(),
                |buf, i| {
                    let (c, v) = x.row(i);
                    scatter(buf, c, v, 1.0);
                    let mut beam: Vec<(u32, f32)> = vec![(0, 1.0)];
                    for (t, level) in self.levels[..upto].iter().enumerate() {
                        let mut cand = Vec::new();
                        for &(parent, ps) in &beam {
                            for &k in level.children_of(parent) {
                                let (wc, wv) = level.weights.row(k as usize);
                                cand.push((
                                    k,
                                    p.post_processor.transform(sparse_dot(wc, wv, buf)) * ps,
                                ));
                            }
                        }
                        top_k(&mut cand, keep(t));
                        beam = cand;
                    }
                    scatter(buf, c, v, 0.0);
                    beam.into_iter().unzip()
                },
            )
            .collect();
        from_rows(cols, rows)
    }

    /// Exhaustive path scores of every cluster of levels `0..upto` (concatenated, coarse first):
    /// the post-processed margin of the cluster times its parent's path score.
    pub fn multiscale_scores(&self, x: &CsrMatrix, upto: usize) -> Result<DenseMatrix> {
        self.check_features(x)?;
        let upto = upto.min(self.levels.len());
        let width: usize = self.levels[..upto].iter().map(|l| l.clusters.len()).sum();
        let post = self.config.predict.post_processor;
        let data: Vec<Vec<f32>> = (0..x.rows)
            .into_par_iter()
            .map_init(
                || self.feature_buffer(),
                |buf, i| {
                    let (c, v) = x.row(i);
                    scatter(buf, c, v, 1.0);
                    let mut out = Vec::with_capacity(width);
                    let mut parent_scores = vec![1f32];
                    for level in &self.levels[..upto] {
                        let scores: Vec<f32> = (0..level.clusters.len())
                            .map(|k| {
                                let (wc, wv) = level.weights.row(k);
                                post.transform(sparse_dot(wc, wv, buf))
                                    * parent_scores[level.clusters.parent[k] as usize]
                            })
                            .collect();
                        out.extend_from_slice(&scores);
                        parent_scores = scores;
                    }
                    scatter(buf, c, v, 0.0);
                    out
                },
            )
            .collect();
        DenseMatrix::new(x.rows, width, data.concat())
    }

    fn feature_buffer(&self) -> Vec<f32> {
        let mut buf = vec![0f32; self.num_features + 1];
        buf[self.num_features] = self.config.solver.bias;
        buf
    }

    /// Writes `xlinear.json` and per level `level_T_weights.npz` (scipy CSR) and `level_T_parent.npy`.
    pub fn save(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("creating", dir, e))?;
        for (t, level) in self.levels.iter().enumerate() {
            write_csr_npz(&dir.join(format!("level_{t}_weights.npz")), &level.weights)?;
            let parents: Vec<i64> = level
                .clusters
                .parent
                .iter()
                .map(|&p| i64::from(p))
                .collect();
            write_npy(
                &dir.join(format!("level_{t}_parent.npy")),
                &[parents.len() as u64],
                &parents,
            )?;
        }
        let manifest = Manifest {
            format: FORMAT.into(),
            config: self.config.clone(),
            num_features: self.num_features,
            num_levels: self.levels.len(),
        };
        write_json_atomic(&dir.join("xlinear.json"), &manifest)
    }

    /// Reads a folder written by [`XLinearModel::save`], checking every shape.
    pub fn load(dir: &Path) -> Result<Self> {
        let path = dir.join("xlinear.json");
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io("reading", &path, e))?;
        let m: Manifest = serde_json::from_str(&text).map_err(|e| {
            Error::input(
                path.display(),
                "JSON",
                "an XR-Linear manifest",
                e.to_string(),
            )
        })?;
        if m.format != FORMAT {
            return Err(Error::input(path.display(), "format", FORMAT, m.format));
        }
        m.config.check()?;
        let mut levels = Vec::with_capacity(m.num_levels);
        let mut num_parents = 1;
        for t in 0..m.num_levels {
            let ppath = dir.join(format!("level_{t}_parent.npy"));
            let parent: Vec<u32> = read_npy(&ppath)?
                .to_index(num_parents, "parent cluster ids")?
                .into_iter()
                .map(|p| p as u32)
                .collect();
            let wpath = dir.join(format!("level_{t}_weights.npz"));
            let weights = read_csr_npz(&wpath)?;
            if weights.rows != parent.len() || weights.cols != m.num_features + 1 {
                return Err(Error::input(
                    wpath.display(),
                    "shape",
                    format!("{} × {}", parent.len(), m.num_features + 1),
                    format!("{} × {}", weights.rows, weights.cols),
                ));
            }
            let len = parent.len();
            levels.push(RankerLevel::new(
                ClusterLevel {
                    parent,
                    num_parents,
                },
                weights,
            ));
            num_parents = len;
        }
        Ok(XLinearModel {
            config: m.config,
            num_features: m.num_features,
            levels,
        })
    }
}

fn scatter(buf: &mut [f32], cols: &[u32], vals: &[f32], on: f32) {
    for (&c, &v) in cols.iter().zip(vals) {
        buf[c as usize] = v * on;
    }
}

/// Keeps the `k` best (score descending, id ascending on ties), sorted.
fn top_k(cand: &mut Vec<(u32, f32)>, k: usize) {
    let order = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if cand.len() > k {
        cand.select_nth_unstable_by(k, order);
        cand.truncate(k);
    }
    cand.sort_unstable_by(order);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::XmcProblem;
    use crate::tree::TreeConfig;
    use rand::Rng as _;
    use tessera_core::{Progress, Seed};

    /// 600 instances over 300 labels in 30 topics; features = topic words + label words + noise.
    pub(crate) fn toy_problem(seed: u64) -> XmcProblem {
        let mut rng = Seed(seed).rng("toy");
        let (n, l, d) = (600usize, 300usize, 500u32);
        let mut xr = Vec::new();
        let mut yr = Vec::new();
        for _ in 0..n {
            let label = rng.random_range(0..l as u32);
            let topic = label / 10;
            let mut labels = vec![label, topic * 10 + rng.random_range(0..10)];
            labels.sort_unstable();
            labels.dedup();
            let mut feats: Vec<u32> = (0..6)
                .map(|_| topic * 10 + rng.random_range(0..10))
                .collect();
            feats.extend(labels.iter().map(|&x| 300 + (x % 200)));
            feats.extend((0..4).map(|_| rng.random_range(0..d)));
            feats.sort_unstable();
            feats.dedup();
            let vals = feats
                .iter()
                .map(|_| rng.random_range(0.5f32..1.5))
                .collect();
            xr.push((feats, vals));
            let ones = vec![1.0; labels.len()];
            yr.push((labels, ones));
        }
        let mut x = from_rows(d as usize, xr);
        crate::sparse::normalize_rows_l2(&mut x);
        XmcProblem::new(x, from_rows(l, yr), "x", "y").unwrap()
    }

    fn small_config() -> XLinearConfig {
        XLinearConfig {
            tree: TreeConfig {
                nr_splits: 4,
                max_leaf_size: 10,
                ..TreeConfig::default()
            },
            ..XLinearConfig::default()
        }
    }

    #[test]
    fn beam_as_wide_as_every_level_equals_exhaustive_scoring() {
        let p = toy_problem(1);
        let model = crate::fit(&p, &small_config(), Seed(3), &Progress::hidden()).unwrap();
        assert!(model.levels.len() >= 3);
        let widest = model.levels.iter().map(|l| l.clusters.len()).max().unwrap();
        let pc = PredictConfig {
            beam_size: widest,
            only_topk: model.num_labels(),
            ..PredictConfig::default()
        };
        let x = crate::sparse::select_rows(&p.x, &(0..40).collect::<Vec<_>>());
        let beam = model.predict_with(&x, &pc).unwrap();
        let all = model.multiscale_scores(&x, model.levels.len()).unwrap();
        let offset = all.cols - model.num_labels();
        for i in 0..x.rows {
            let (labels, scores) = beam.row(i);
            assert_eq!(labels.len(), model.num_labels());
            for (&lab, &s) in labels.iter().zip(scores) {
                assert!(
                    (all.row(i)[offset + lab as usize] - s).abs() <= 1e-6 * s.abs().max(1e-6),
                    "row {i} label {lab}"
                );
            }
            assert!(scores.windows(2).all(|w| w[0] >= w[1]));
        }
        // A narrow beam keeps its best labels among the exhaustive ones and scores them the same.
        let narrow = model.predict(&x).unwrap();
        for i in 0..x.rows {
            for (&lab, &s) in narrow.row(i).0.iter().zip(narrow.row(i).1) {
                assert!((all.row(i)[offset + lab as usize] - s).abs() <= 1e-6);
            }
        }
    }

    #[test]
    fn learns_the_toy_problem_and_round_trips_through_a_folder() {
        let p = toy_problem(2);
        let model = crate::fit(&p, &small_config(), Seed(0), &Progress::hidden()).unwrap();
        let pred = model.predict(&p.x).unwrap();
        let m = crate::evaluate(&pred, &p.y, 5);
        assert!(m.precision[0] > 0.8, "train P@1 {}", m.precision[0]);
        let dir = tempfile::tempdir().unwrap();
        model.save(dir.path()).unwrap();
        let back = XLinearModel::load(dir.path()).unwrap();
        assert_eq!(back, model);
        assert_eq!(back.predict(&p.x).unwrap(), pred);
        let again = crate::fit(&p, &small_config(), Seed(0), &Progress::hidden()).unwrap();
        assert_eq!(again, model, "same seed, same model");
        let wrong = from_rows(7, vec![(vec![1], vec![1.0])]);
        assert!(
            model
                .predict(&wrong)
                .unwrap_err()
                .to_string()
                .contains("500 features")
        );
    }
}
