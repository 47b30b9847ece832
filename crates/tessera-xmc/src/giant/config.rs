//! [`GiantConfig`]: the neighbourhood problem, XR-Linear and encoder settings.

use crate::config::XLinearConfig;
use crate::error::{ConfigError, positive};
use crate::tfidf::TfidfConfig;
use serde::{Deserialize, Serialize};

/// The neural encoder (our CPU adaptation of GIANT's BERT fine-tune).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EncoderConfig {
    /// Hidden width of the first layer.
    pub hidden: usize,
    /// Width of the tanh output layer (the feature).
    pub out: usize,
    /// Dropout after the hidden layer.
    pub dropout: f64,
    /// Adam learning rate (decays linearly to 0 over each level).
    pub lr: f64,
    /// Instances per step.
    pub batch: usize,
    /// Epochs per level.
    pub epochs_per_level: usize,
    /// Gradient-norm clip.
    pub max_grad_norm: f32,
    /// Only levels with at most this many clusters are trained (coarse to fine).
    pub max_level_clusters: usize,
}

impl Default for EncoderConfig {
    fn default() -> Self {
        EncoderConfig {
            hidden: 512,
            out: 256,
            dropout: 0.1,
            lr: 1e-3,
            batch: 256,
            epochs_per_level: 5,
            max_grad_norm: 1.0,
            max_level_clusters: 1024,
        }
    }
}

/// Which GIANT feature set is the primary output (`embeddings.npy`, the `*-giant` rows).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GiantFeature {
    /// XR-Linear multi-scale cluster scores. The default: on the validation splits of
    /// amazon-photo (5 seeds, MLP) it beats the neural feature (`docs/methods/giant.md`).
    #[default]
    Linear,
    /// The fine-tuned encoder's tanh output (the paper's X_GIANT).
    Neural,
}

impl GiantFeature {
    /// The name used in file names and report rows (`linear`, `neural`).
    pub fn name(self) -> &'static str {
        match self {
            GiantFeature::Linear => "linear",
            GiantFeature::Neural => "neural",
        }
    }

    /// The other feature set.
    pub fn other(self) -> GiantFeature {
        match self {
            GiantFeature::Linear => GiantFeature::Neural,
            GiantFeature::Neural => GiantFeature::Linear,
        }
    }
}

impl std::str::FromStr for GiantFeature {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, ConfigError> {
        match s {
            "linear" => Ok(GiantFeature::Linear),
            "neural" => Ok(GiantFeature::Neural),
            _ => Err(ConfigError::Name {
                name: "giant feature",
                expected: "linear or neural",
                found: s.to_string(),
            }),
        }
    }
}

/// Every GIANT setting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GiantConfig {
    /// TF-IDF of the node text (bag-of-words counts here).
    pub tfidf: TfidfConfig,
    /// Nodes with this degree or more are not training rows.
    pub max_degree: usize,
    /// The XR-Linear neighbourhood predictor.
    pub xlinear: XLinearConfig,
    /// The neural encoder.
    pub encoder: EncoderConfig,
    /// The primary feature set.
    pub primary: GiantFeature,
}

impl Default for GiantConfig {
    fn default() -> Self {
        GiantConfig {
            tfidf: TfidfConfig::default(),
            max_degree: 1000,
            xlinear: XLinearConfig::default(),
            encoder: EncoderConfig::default(),
            primary: GiantFeature::default(),
        }
    }
}

impl GiantConfig {
    /// Checks every rule.
    pub fn check(&self) -> Result<(), ConfigError> {
        self.xlinear.check()?;
        positive("max_degree", self.max_degree as f64)?;
        let e = &self.encoder;
        for (name, v) in [
            ("encoder.hidden", e.hidden),
            ("encoder.out", e.out),
            ("encoder.batch", e.batch),
            ("encoder.epochs_per_level", e.epochs_per_level),
            ("encoder.max_level_clusters", e.max_level_clusters),
        ] {
            positive(name, v as f64)?;
        }
        positive("encoder.lr", e.lr)?;
        positive("encoder.max_grad_norm", f64::from(e.max_grad_norm))?;
        if !(0.0..1.0).contains(&e.dropout) {
            return Err(ConfigError::OutOfRange {
                name: "encoder.dropout",
                range: "[0, 1)",
                value: e.dropout,
            });
        }
        if !(self.tfidf.max_df > 0.0 && self.tfidf.max_df <= 1.0) {
            return Err(ConfigError::OutOfRange {
                name: "tfidf.max_df",
                range: "(0, 1]",
                value: f64::from(self.tfidf.max_df),
            });
        }
        Ok(())
    }
}
