//! [`XLinearConfig`]: every XR-Linear setting, defaulting to PECOS's.

use crate::error::{ConfigError, positive};
use crate::tree::TreeConfig;
use serde::{Deserialize, Serialize};

/// The one-vs-rest linear solver (L2-regularised squared hinge, dual coordinate descent).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SolverConfig {
    /// Cost of positive examples.
    pub cp: f32,
    /// Cost of negative examples.
    pub cn: f32,
    /// Outer iterations of coordinate descent.
    pub max_iter: usize,
    /// Stopping tolerance on the projected-gradient gap.
    pub eps: f32,
    /// Value of the constant bias feature (0 disables the bias).
    pub bias: f32,
    /// Weights with |w| below this are dropped after training.
    pub threshold: f32,
}

impl Default for SolverConfig {
    fn default() -> Self {
        SolverConfig {
            cp: 1.0,
            cn: 1.0,
            max_iter: 100,
            eps: 0.1,
            bias: 1.0,
            threshold: 0.1,
        }
    }
}

/// Which instances train the rankers of a cluster.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Negatives {
    /// Teacher-forced negatives: instances whose true parent cluster is the parent (PECOS default).
    #[default]
    Tfn,
    /// TFN plus matcher-aware negatives: instances whose beam at the level above reaches the parent.
    TfnMan,
}

/// The score transform applied at every level before combining with the parent's score.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum PostProcessor {
    /// `exp(-max(0, 1 - v)^p)`, multiplied into the parent score (`l3-hinge` for p = 3).
    Hinge(u32),
    /// `1 / (1 + e^{-v})`, multiplied into the parent score.
    Sigmoid,
}

impl PostProcessor {
    /// The transformed score of a raw margin `v`.
    pub fn transform(self, v: f32) -> f32 {
        match self {
            PostProcessor::Hinge(p) => (-(1.0 - v).max(0.0).powi(p as i32)).exp(),
            PostProcessor::Sigmoid => 1.0 / (1.0 + (-v).exp()),
        }
    }
}

impl TryFrom<String> for PostProcessor {
    type Error = ConfigError;
    fn try_from(s: String) -> Result<Self, ConfigError> {
        if s == "sigmoid" {
            return Ok(PostProcessor::Sigmoid);
        }
        s.strip_prefix('l')
            .and_then(|r| r.strip_suffix("-hinge"))
            .and_then(|p| p.parse::<u32>().ok())
            .filter(|&p| p >= 1)
            .map(PostProcessor::Hinge)
            .ok_or(ConfigError::PostProcessor(s))
    }
}

impl From<PostProcessor> for String {
    fn from(p: PostProcessor) -> String {
        match p {
            PostProcessor::Hinge(p) => format!("l{p}-hinge"),
            PostProcessor::Sigmoid => "sigmoid".into(),
        }
    }
}

/// Beam-search prediction settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PredictConfig {
    /// Clusters kept at every level but the last.
    pub beam_size: usize,
    /// Labels returned per instance.
    pub only_topk: usize,
    /// Score transform.
    pub post_processor: PostProcessor,
}

impl Default for PredictConfig {
    fn default() -> Self {
        PredictConfig {
            beam_size: 10,
            only_topk: 20,
            post_processor: PostProcessor::Hinge(3),
        }
    }
}

/// Every XR-Linear setting; `Default` is PECOS's `xlinear.train` / `predict`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct XLinearConfig {
    /// Label tree.
    pub tree: TreeConfig,
    /// Per-cluster linear solver.
    pub solver: SolverConfig,
    /// Negative sampling scheme.
    pub negatives: Negatives,
    /// Prediction.
    pub predict: PredictConfig,
}

impl XLinearConfig {
    /// Checks every rule; the first broken one is returned.
    pub fn check(&self) -> Result<(), ConfigError> {
        let t = &self.tree;
        if t.nr_splits < 2 || !t.nr_splits.is_power_of_two() {
            return Err(ConfigError::Splits(t.nr_splits));
        }
        positive("tree.max_leaf_size", t.max_leaf_size as f64)?;
        positive("tree.kmeans_max_iter", t.kmeans_max_iter as f64)?;
        let s = &self.solver;
        positive("solver.cp", f64::from(s.cp))?;
        positive("solver.cn", f64::from(s.cn))?;
        positive("solver.max_iter", s.max_iter as f64)?;
        positive("solver.eps", f64::from(s.eps))?;
        if !(s.bias >= 0.0 && s.bias.is_finite()) {
            return Err(ConfigError::OutOfRange {
                name: "solver.bias",
                range: "[0, ∞)",
                value: f64::from(s.bias),
            });
        }
        if !(s.threshold >= 0.0 && s.threshold.is_finite()) {
            return Err(ConfigError::OutOfRange {
                name: "solver.threshold",
                range: "[0, ∞)",
                value: f64::from(s.threshold),
            });
        }
        positive("predict.beam_size", self.predict.beam_size as f64)?;
        positive("predict.only_topk", self.predict.only_topk as f64)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_pecos_and_round_trip_json() {
        let c = XLinearConfig::default();
        assert!(c.check().is_ok());
        let json = serde_json::to_string(&c).unwrap();
        assert!(
            json.contains("\"l3-hinge\"") && json.contains("\"tfn\""),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<XLinearConfig>(&json).unwrap(), c);
    }

    #[test]
    fn bad_values_are_named() {
        let mut c = XLinearConfig::default();
        c.tree.nr_splits = 12;
        assert_eq!(c.check(), Err(ConfigError::Splits(12)));
        let mut c = XLinearConfig::default();
        c.solver.cp = 0.0;
        assert!(c.check().unwrap_err().to_string().contains("solver.cp"));
        assert!(PostProcessor::try_from("l0-hinge".to_string()).is_err());
        assert_eq!(
            PostProcessor::try_from("l2-hinge".to_string()),
            Ok(PostProcessor::Hinge(2))
        );
    }

    #[test]
    fn l3_hinge_transform() {
        let p = PostProcessor::Hinge(3);
        assert_eq!(p.transform(1.5), 1.0);
        assert!((p.transform(0.0) - (-1f32).exp()).abs() < 1e-7);
        assert!((p.transform(-1.0) - (-8f32).exp()).abs() < 1e-9);
    }
}
