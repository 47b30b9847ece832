//! [`ColdBrewConfig`]: every setting of the pipeline, defaulting to the
//! official code's Cora configuration.

use crate::error::ConfigError;
use serde::{Deserialize, Serialize};
use tessera_graph::{LpConfig, SplitRule, nn::Activation};

/// How the structural embedding enters a teacher layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SeForm {
    /// The official code: `Â X W + D^{-1/2} A E` (E not scaled by the source degree).
    Code,
    /// The paper: `Â (X W + E)`.
    Paper,
}

/// Which epoch's model a GNN training keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Selection {
    /// The last epoch.
    Last,
    /// The best accuracy on the validation nodes.
    Validation,
    /// The best accuracy on the test nodes (the official code; parity runs only).
    Test,
}

/// Which nodes MLP1 is fitted on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mlp1FitOn {
    /// Training nodes (the official code).
    Train,
    /// Every node that is not in the isolation set (the paper).
    NonIsolated,
}

/// Every setting of Cold Brew. `Default` is the official Cora setting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ColdBrewConfig {
    /// Head / tail / isolation rule.
    pub split: SplitRule,
    /// Teacher (and GCN / SAGE baselines) hidden width.
    pub hidden: usize,
    /// Number of GNN layers.
    pub layers: usize,
    /// GNN dropout on every layer input.
    pub dropout: f64,
    /// Adam learning rate of every stage.
    pub lr: f64,
    /// Adam L2 weight decay of every stage.
    pub weight_decay: f64,
    /// Teacher and GNN-baseline epochs.
    pub teacher_epochs: usize,
    /// Which layers carry a structural embedding: [first, middle, last], e.g. `100`.
    pub se_layers: String,
    /// Weight η of the (non-squared) Frobenius penalty on the structural embeddings.
    pub eta: f64,
    /// Code or paper form of the structural-embedding term.
    pub se_form: SeForm,
    /// Epoch selection of the teacher and GNN baselines.
    pub selection: Selection,
    /// Number of virtual neighbours K.
    pub k: usize,
    /// Forbid a node from retrieving itself (the official retrieval allows it).
    pub exclude_self: bool,
    /// Nodes MLP1 is fitted on.
    pub mlp1_fit_on: Mlp1FitOn,
    /// Hidden width of MLP1 and MLP2.
    pub student_hidden: usize,
    /// Dropout of MLP1 and MLP2.
    pub student_dropout: f64,
    /// Hidden activation of MLP1 and MLP2. The official `getMLP` builds
    /// `Linear → LayerNorm → Dropout → Linear` and never inserts its `activation`
    /// argument, so the code-faithful default is `identity`; `gelu` is the spec's text.
    pub student_activation: Activation,
    /// Full-batch steps of MLP1 and of MLP2 (each).
    pub student_epochs: usize,
    /// Hidden width of the plain-MLP baseline (two hidden layers).
    pub mlp_hidden: usize,
    /// Label propagation for the LP baseline and FCR.
    pub lp: LpConfig,
    /// Official-code behaviours that change results (all off by default).
    pub quirks: OfficialQuirks,
}

/// Behaviours of the official code that the paper does not describe and that
/// change the numbers. Each is off by default; `OfficialQuirks::all()` turns
/// every one on (`--config configs/coldbrew-official-quirks.json`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OfficialQuirks {
    /// Dropout on the teacher's (and the GCN baseline's) output logits while
    /// training (`TricksComb.forward` drops out after the last layer).
    pub logit_dropout: bool,
    /// Ē taken from the teacher with dropout still on (`collect_SE` runs on a
    /// freshly loaded checkpoint, which is in training mode).
    pub targets_in_train_mode: bool,
    /// MLP1, MLP2 and the plain MLP train on `|train|` nodes drawn with
    /// replacement per step (`np.random.choice`) instead of the full batch.
    pub resample: bool,
    /// The retrieval scores `α₀·ê` instead of `ê` (`SEMLP.replacement` gets
    /// `part1_out` already multiplied by α₀): the softmax runs at temperature
    /// `1/α₀` with the current, learned α₀ (near-uniform weights at the start),
    /// and the K *lowest* raw scores are kept whenever α₀ < 0.
    pub alpha_temperature: bool,
    /// MLP1 stays live while MLP2 trains (`SEMLP.forward_part2` in training
    /// mode, `SEMLP.opt` rebuilt over every parameter): ê and its top K are
    /// recomputed every step with MLP1's dropout on, and MLP1, whose
    /// gradient is zero, is moved by Adam's weight decay alone (PyTorch 1.x
    /// keeps zeroed gradients), which shrinks it towards zero at about `lr`
    /// per step. Predictions then use the shrunk MLP1.
    pub mlp1_in_stage2: bool,
}

impl OfficialQuirks {
    /// Every quirk on.
    pub fn all() -> Self {
        OfficialQuirks {
            logit_dropout: true,
            targets_in_train_mode: true,
            resample: true,
            alpha_temperature: true,
            mlp1_in_stage2: true,
        }
    }
}

impl Default for ColdBrewConfig {
    fn default() -> Self {
        ColdBrewConfig {
            split: SplitRule::OfficialMedian,
            hidden: 64,
            layers: 2,
            dropout: 0.6,
            lr: 0.005,
            weight_decay: 5e-4,
            teacher_epochs: 1500,
            se_layers: "100".into(),
            eta: 32.0,
            se_form: SeForm::Code,
            selection: Selection::Last,
            k: 3,
            exclude_self: false,
            mlp1_fit_on: Mlp1FitOn::Train,
            student_hidden: 256,
            student_dropout: 0.5,
            student_activation: Activation::Identity,
            student_epochs: 1500,
            mlp_hidden: 128,
            lp: LpConfig::default(),
            quirks: OfficialQuirks::default(),
        }
    }
}

impl ColdBrewConfig {
    /// The official per-dataset setting: Cora (h 64, η 32), CiteSeer
    /// (h 256, η 0.5); other graphs use CiteSeer's with validation-based selection.
    pub fn for_dataset(name: &str) -> Self {
        let base = ColdBrewConfig::default();
        match name {
            "cora" => base,
            "citeseer" => ColdBrewConfig {
                hidden: 256,
                eta: 0.5,
                selection: Selection::Validation,
                ..base
            },
            _ => ColdBrewConfig {
                hidden: 256,
                eta: 0.5,
                dropout: 0.5,
                selection: Selection::Validation,
                ..base
            },
        }
    }

    /// Checks every rule; the first violation is returned.
    pub fn check(&self) -> Result<(), ConfigError> {
        for (name, v) in [
            ("hidden", self.hidden),
            ("layers", self.layers),
            ("teacher_epochs", self.teacher_epochs),
            ("k", self.k),
            ("student_hidden", self.student_hidden),
            ("student_epochs", self.student_epochs),
            ("mlp_hidden", self.mlp_hidden),
        ] {
            if v == 0 {
                return Err(ConfigError::Zero(name));
            }
        }
        for (name, value) in [
            ("dropout", self.dropout),
            ("student_dropout", self.student_dropout),
        ] {
            if !(0.0..1.0).contains(&value) {
                return Err(ConfigError::Dropout { name, value });
            }
        }
        if self.lr.is_nan() || self.lr <= 0.0 {
            return Err(ConfigError::Range {
                name: "lr",
                rule: "> 0",
                value: self.lr,
            });
        }
        for (name, value) in [("weight_decay", self.weight_decay), ("eta", self.eta)] {
            if value.is_nan() || value < 0.0 {
                return Err(ConfigError::Range {
                    name,
                    rule: "≥ 0",
                    value,
                });
            }
        }
        if self.se_layers.len() != 3 || !self.se_layers.chars().all(|c| c == '0' || c == '1') {
            return Err(ConfigError::SeSwitch(self.se_layers.clone()));
        }
        if !(0.0..=1.0).contains(&self.lp.alpha) {
            return Err(ConfigError::LpAlpha(self.lp.alpha));
        }
        Ok(())
    }

    /// Whether layer `l` of `layers` carries a structural embedding.
    pub fn se_on_layer(&self, l: usize) -> bool {
        let pos = if l == 0 {
            0
        } else if l + 1 == self.layers {
            2
        } else {
            1
        };
        self.se_layers.as_bytes().get(pos) == Some(&b'1')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_pass_and_each_rule_is_enforced() {
        ColdBrewConfig::default().check().unwrap();
        ColdBrewConfig::for_dataset("citeseer").check().unwrap();
        let bad = |c: ColdBrewConfig| c.check().unwrap_err().to_string();
        assert!(
            bad(ColdBrewConfig {
                k: 0,
                ..Default::default()
            })
            .contains("`k`")
        );
        assert!(
            bad(ColdBrewConfig {
                dropout: 1.0,
                ..Default::default()
            })
            .contains("dropout")
        );
        assert!(
            bad(ColdBrewConfig {
                lr: 0.0,
                ..Default::default()
            })
            .contains("lr")
        );
        assert!(
            bad(ColdBrewConfig {
                se_layers: "12".into(),
                ..Default::default()
            })
            .contains("se_layers")
        );
        assert!(
            bad(ColdBrewConfig {
                eta: f64::NAN,
                ..Default::default()
            })
            .contains("eta")
        );
    }

    #[test]
    fn student_activation_defaults_to_the_official_identity_and_parses_gelu() {
        assert_eq!(
            ColdBrewConfig::default().student_activation,
            Activation::Identity
        );
        let c: ColdBrewConfig = serde_json::from_str(r#"{"student_activation": "gelu"}"#).unwrap();
        assert_eq!(c.student_activation, Activation::Gelu);
    }

    #[test]
    fn quirks_are_off_by_default_and_the_shipped_file_turns_every_one_on() {
        assert_eq!(ColdBrewConfig::default().quirks, OfficialQuirks::default());
        let file = include_str!("../../../configs/coldbrew-official-quirks.json");
        let c: ColdBrewConfig = serde_json::from_str(file).unwrap();
        assert_eq!(c.quirks, OfficialQuirks::all());
        assert!(serde_json::from_str::<ColdBrewConfig>(r#"{"quirks": {"typo": true}}"#).is_err());
    }

    #[test]
    fn se_switch_maps_first_middle_last() {
        let c = ColdBrewConfig {
            layers: 3,
            se_layers: "101".into(),
            ..Default::default()
        };
        assert_eq!(
            (c.se_on_layer(0), c.se_on_layer(1), c.se_on_layer(2)),
            (true, false, true)
        );
        let two = ColdBrewConfig::default();
        assert_eq!((two.se_on_layer(0), two.se_on_layer(1)), (true, false));
    }
}
