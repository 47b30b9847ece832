//! The two-tower model: one MLP encoder per view, an L2-normalised shared
//! projection and, for deep feature separation, a modality-specific head.

use crate::config::{ContrastiveConfig, Temperature};
use crate::data::Standardizer;
use crate::regularisers::normalize;
use burn::module::{Module, Param};
use burn::record::{FullPrecisionSettings, NamedMpkFileRecorder};
use burn::tensor::{Tensor, TensorData, backend::Backend};
use serde::{Deserialize, Serialize};
use std::path::Path;
use tessera_core::kernels::Activation;
use tessera_core::nn::Dense;
use tessera_core::{Error, Result};
use tessera_data::DenseMatrix;

/// One view's encoder.
#[derive(Module, Debug)]
pub struct Tower<B: Backend> {
    layers: Vec<Dense<B>>,
    head: Dense<B>,
    specific: Option<Dense<B>>,
}

/// A tower's outputs: the shared embedding and, with separation, the specific one (both unit rows).
pub struct TowerOutput<B: Backend> {
    /// Shared embedding `z`.
    pub z: Tensor<B, 2>,
    /// Modality-specific embedding `z^i`.
    pub specific: Option<Tensor<B, 2>>,
}

impl<B: Backend> Tower<B> {
    /// A tower `input → hidden… → embed_dim` (ReLU between layers).
    pub fn new(
        input: usize,
        hidden: &[usize],
        embed_dim: usize,
        with_specific: bool,
        device: &B::Device,
    ) -> Self {
        let mut layers = Vec::new();
        let mut width = input;
        for &h in hidden {
            layers.push(Dense::new(width, h, device));
            width = h;
        }
        Tower {
            layers,
            head: Dense::new(width, embed_dim, device),
            specific: with_specific.then(|| Dense::new(width, embed_dim, device)),
        }
    }

    /// Whether the tower has a modality-specific head.
    pub fn has_specific(&self) -> bool {
        self.specific.is_some()
    }

    /// Encodes a batch `[n, input]`.
    pub fn forward(&self, x: Tensor<B, 2>) -> TowerOutput<B> {
        let h = self
            .layers
            .iter()
            .fold(x, |h, layer| layer.forward(h, Activation::Relu));
        TowerOutput {
            z: normalize(self.head.forward(h.clone(), Activation::Identity)),
            specific: self
                .specific
                .as_ref()
                .map(|s| normalize(s.forward(h, Activation::Identity))),
        }
    }
}

/// Two towers and the logit scale `log(1/τ)`.
#[derive(Module, Debug)]
pub struct TwoTower<B: Backend> {
    /// Tower of the first view.
    pub a: Tower<B>,
    /// Tower of the second view.
    pub b: Tower<B>,
    /// `log(1/τ)`.
    pub log_scale: Param<Tensor<B, 1>>,
}

/// Largest logit scale (CLIP's cap).
const MAX_SCALE: f64 = 100.0;

impl<B: Backend> TwoTower<B> {
    /// A fresh model for inputs of widths `dims` (initialised from the backend seed).
    pub fn new(dims: [usize; 2], config: &ContrastiveConfig, device: &B::Device) -> Self {
        let sep = config.reg.sep > 0.0;
        let tower = |d| Tower::new(d, &config.hidden, config.embed_dim, sep, device);
        let log_scale = (1.0 / config.temperature.initial()).ln() as f32;
        TwoTower {
            a: tower(dims[0]),
            b: tower(dims[1]),
            log_scale: Param::from_tensor(Tensor::from_data(
                TensorData::new(vec![log_scale], [1]),
                device,
            )),
        }
    }

    /// The score scale 1/τ as a one-element tensor; a fixed temperature is detached.
    pub fn scale(&self, temperature: Temperature) -> Tensor<B, 1> {
        let log_scale = self.log_scale.val();
        match temperature {
            Temperature::Fixed(_) => log_scale.detach().exp(),
            Temperature::Learnable(_) => log_scale.clamp_max(MAX_SCALE.ln()).exp(),
        }
    }
}

/// Everything besides the weights that a saved model needs.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ModelMeta {
    /// The training configuration.
    pub config: ContrastiveConfig,
    /// Input standardisation of view a and view b.
    pub standardizers: [Standardizer; 2],
}

/// A trained two-tower model with its input standardisation.
#[derive(Debug)]
pub struct ContrastiveModel<B: Backend> {
    /// The network.
    pub net: TwoTower<B>,
    /// Configuration and standardisation.
    pub meta: ModelMeta,
}

/// Which embedding to return.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmbedKind {
    /// The shared embedding `z` (m columns).
    Shared,
    /// `[z, z^i]` (2m columns; only with separation heads).
    WithSpecific,
}

/// Rows per forward pass when embedding.
const EMBED_CHUNK: usize = 4096;

impl<B: Backend> ContrastiveModel<B> {
    /// Embeds raw rows of view `view` (0 = a, 1 = b); `source` names the input in errors.
    pub fn embed(
        &self,
        view: usize,
        x: &DenseMatrix,
        source: &str,
        kind: EmbedKind,
    ) -> Result<DenseMatrix> {
        let x = self.meta.standardizers[view].apply(x, source)?;
        let tower = if view == 0 { &self.net.a } else { &self.net.b };
        if kind == EmbedKind::WithSpecific && tower.specific.is_none() {
            return Err(Error::Config(
                "this model has no modality-specific heads (train with --reg sep)".into(),
            ));
        }
        let device = self.net.log_scale.val().device();
        let mut out = Vec::with_capacity(x.rows * self.meta.config.embed_dim * 2);
        for start in (0..x.rows).step_by(EMBED_CHUNK) {
            let end = (start + EMBED_CHUNK).min(x.rows);
            let rows = x.data[start * x.cols..end * x.cols].to_vec();
            let t =
                Tensor::<B, 2>::from_data(TensorData::new(rows, [end - start, x.cols]), &device);
            let o = tower.forward(t);
            let e = match (kind, o.specific) {
                (EmbedKind::WithSpecific, Some(s)) => Tensor::cat(vec![o.z, s], 1),
                _ => o.z,
            };
            out.extend(
                e.into_data()
                    .convert::<f32>()
                    .to_vec::<f32>()
                    .map_err(|e| Error::Numeric(format!("{e:?}")))?,
            );
        }
        let cols = out.len() / x.rows.max(1);
        DenseMatrix::new(x.rows, cols, out)
    }

    /// Writes `model.mpk` and `model.json` into `dir`.
    pub fn save(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("creating folder", dir, e))?;
        tessera_core::run::write_json_atomic(&dir.join("model.json"), &self.meta)?;
        self.net
            .clone()
            .save_file(
                dir.join("model"),
                &NamedMpkFileRecorder::<FullPrecisionSettings>::new(),
            )
            .map_err(|e| Error::Config(format!("saving model to `{}`: {e}", dir.display())))
    }

    /// Reads a model written by [`save`](Self::save).
    pub fn load(dir: &Path, device: &B::Device) -> Result<Self> {
        let meta_path = dir.join("model.json");
        let text = std::fs::read(&meta_path).map_err(|e| Error::io("reading", &meta_path, e))?;
        let meta: ModelMeta = serde_json::from_slice(&text).map_err(|e| {
            Error::input(
                meta_path.display(),
                "top level",
                "a tessera contrastive model.json",
                e.to_string(),
            )
        })?;
        let dims = [
            meta.standardizers[0].mean.len(),
            meta.standardizers[1].mean.len(),
        ];
        let net = TwoTower::new(dims, &meta.config, device)
            .load_file(
                dir.join("model"),
                &NamedMpkFileRecorder::<FullPrecisionSettings>::new(),
                device,
            )
            .map_err(|e| Error::Config(format!("loading model from `{}`: {e}", dir.display())))?;
        Ok(ContrastiveModel { net, meta })
    }
}
