//! Configuration of a two-tower contrastive run; `Default` is the spec's setting.

use crate::decomposable::EmConfig;
use crate::error::ConfigError;
use crate::infonce::Denominator;
use serde::{Deserialize, Serialize};

/// The cross-modal loss.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum LossKind {
    /// Symmetric InfoNCE with the given denominator.
    Infonce {
        /// With or without the positive.
        denominator: Denominator,
    },
    /// The decomposable Gamma-augmented loss with stochastic EM.
    Decomposable(EmConfig),
}

/// Temperature of the scores `⟨z, w⟩ / τ`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Temperature {
    /// A fixed τ.
    Fixed(f64),
    /// A learnable logit scale initialised at 1/τ (CLIP), capped at 100.
    Learnable(f64),
}

impl Temperature {
    /// The initial τ.
    pub fn initial(self) -> f64 {
        match self {
            Temperature::Fixed(t) | Temperature::Learnable(t) => t,
        }
    }
}

/// Weights of the modality-structure regularisers (0 = off).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Regularisers {
    /// Weight of deep feature separation `L_Sep` (adds modality-specific heads).
    pub sep: f64,
    /// Weight of the Brownian-bridge loss `L_Br`.
    pub br: f64,
    /// Weight of geometric consistency `L_GC + L^a_GC`.
    pub gc: f64,
    /// Bridge position t (0.25: closer to the second view).
    pub bridge_t: f64,
    /// Uniformity kernel t of `L^i_Uni`.
    pub uniformity_t: f64,
    /// Add the paper's same-view terms `L_V2V + L_T2T` to the base loss
    /// (`L_Con = ¼(V2T + T2V + V2V + T2T)` instead of CLIP's ½(V2T + T2V)).
    pub same_view: bool,
}

impl Regularisers {
    /// No regulariser, CLIP base loss.
    pub const NONE: Regularisers = Regularisers {
        sep: 0.0,
        br: 0.0,
        gc: 0.0,
        bridge_t: 0.25,
        uniformity_t: 2.0,
        same_view: false,
    };

    /// Whether augmented inputs are needed.
    pub fn needs_augmented(&self) -> bool {
        self.sep > 0.0 || self.br > 0.0 || self.gc > 0.0 || self.same_view
    }

    /// Enables regularisers from a list like `sep,br,gc` with the spec's default weights
    /// (1 for Sep and GC, 0.5 for Br).
    pub fn from_names(names: &str) -> Result<Regularisers, String> {
        let mut r = Regularisers::NONE;
        for name in names.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match name {
                "sep" => r.sep = 1.0,
                "br" => r.br = 0.5,
                "gc" => r.gc = 1.0,
                "same-view" => r.same_view = true,
                other => {
                    return Err(format!(
                        "unknown regulariser `{other}`, expected sep, br, gc or same-view"
                    ));
                }
            }
        }
        Ok(r)
    }
}

impl Default for Regularisers {
    fn default() -> Self {
        Regularisers::NONE
    }
}

/// Vector augmentations for the augmented views.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Augment {
    /// Feature dropout probability (kept features are scaled by 1/(1 − p)).
    pub dropout: f64,
    /// Gaussian noise, as a fraction of each (standardised) feature's std.
    pub noise: f64,
    /// Probability of masking (zeroing) a feature, without rescaling.
    pub mask: f64,
}

impl Default for Augment {
    fn default() -> Self {
        Augment {
            dropout: 0.0,
            noise: 0.1,
            mask: 0.1,
        }
    }
}

/// Everything that defines a two-tower contrastive run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContrastiveConfig {
    /// Hidden widths of each tower's MLP.
    pub hidden: Vec<usize>,
    /// Embedding dimension m.
    pub embed_dim: usize,
    /// Cross-modal loss.
    pub loss: LossKind,
    /// Temperature.
    pub temperature: Temperature,
    /// Regularisers.
    pub reg: Regularisers,
    /// Augmentations (used when a regulariser needs augmented views).
    pub augment: Augment,
    /// Pairs per batch.
    pub batch_size: usize,
    /// Passes over the training pairs.
    pub epochs: usize,
    /// AdamW learning rate.
    pub lr: f64,
    /// AdamW decoupled weight decay.
    pub weight_decay: f64,
}

impl Default for ContrastiveConfig {
    fn default() -> Self {
        ContrastiveConfig {
            hidden: vec![256, 256],
            embed_dim: 64,
            loss: LossKind::Infonce {
                denominator: Denominator::WithPositive,
            },
            temperature: Temperature::Fixed(0.1),
            reg: Regularisers::NONE,
            augment: Augment::default(),
            batch_size: 256,
            epochs: 50,
            lr: 1e-3,
            weight_decay: 1e-4,
        }
    }
}

impl ContrastiveConfig {
    /// Checks every rule; the first broken one is returned.
    pub fn check(&self) -> Result<(), ConfigError> {
        let positive = |name, value: f64| {
            if value > 0.0 {
                Ok(())
            } else {
                Err(ConfigError::NotPositive { name, value })
            }
        };
        let range = |name, value: f64, low, high| {
            if (low..=high).contains(&value) {
                Ok(())
            } else {
                Err(ConfigError::OutOfRange {
                    name,
                    low,
                    high,
                    value,
                })
            }
        };
        if self.hidden.contains(&0) || self.embed_dim == 0 {
            let mut widths = self.hidden.clone();
            widths.push(self.embed_dim);
            return Err(ConfigError::ZeroWidth(widths));
        }
        if self.batch_size < 2 {
            return Err(ConfigError::BatchTooSmall(self.batch_size));
        }
        positive("epochs", self.epochs as f64)?;
        positive("lr", self.lr)?;
        range("weight_decay", self.weight_decay, 0.0, 1.0)?;
        positive("temperature", self.temperature.initial())?;
        if let LossKind::Decomposable(em) = self.loss {
            positive("alpha", em.alpha)?;
            range("gamma", em.gamma, f64::MIN_POSITIVE, 1.0)?;
        }
        for (name, w) in [
            ("reg.sep", self.reg.sep),
            ("reg.br", self.reg.br),
            ("reg.gc", self.reg.gc),
        ] {
            range(name, w, 0.0, f64::MAX)?;
        }
        range("reg.bridge_t", self.reg.bridge_t, 0.0, 1.0)?;
        positive("reg.uniformity_t", self.reg.uniformity_t)?;
        range("augment.dropout", self.augment.dropout, 0.0, 0.95)?;
        range("augment.mask", self.augment.mask, 0.0, 1.0)?;
        range("augment.noise", self.augment.noise, 0.0, f64::MAX)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_passes_and_each_rule_fires() {
        assert_eq!(ContrastiveConfig::default().check(), Ok(()));
        let bad = ContrastiveConfig {
            batch_size: 1,
            ..Default::default()
        };
        assert_eq!(bad.check(), Err(ConfigError::BatchTooSmall(1)));
        let bad = ContrastiveConfig {
            hidden: vec![8, 0],
            ..Default::default()
        };
        assert!(matches!(bad.check(), Err(ConfigError::ZeroWidth(_))));
        let bad = ContrastiveConfig {
            temperature: Temperature::Fixed(0.0),
            ..Default::default()
        };
        assert!(bad.check().unwrap_err().to_string().contains("temperature"));
        let em = EmConfig {
            gamma: 1.5,
            ..Default::default()
        };
        let bad = ContrastiveConfig {
            loss: LossKind::Decomposable(em),
            ..Default::default()
        };
        assert!(bad.check().unwrap_err().to_string().contains("gamma"));
    }

    #[test]
    fn regulariser_names_parse_with_spec_weights() {
        let r = Regularisers::from_names("sep, br,gc").unwrap();
        assert_eq!((r.sep, r.br, r.gc), (1.0, 0.5, 1.0));
        assert!(r.needs_augmented());
        assert!(!Regularisers::NONE.needs_augmented());
        assert!(Regularisers::from_names("xyz").unwrap_err().contains("xyz"));
    }
}
