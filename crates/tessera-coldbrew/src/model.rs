//! [`ColdBrewModel`]: the trained student, ready to embed and classify new
//! nodes from their features alone; saved and loaded as a run folder's `model/`.

use crate::config::ColdBrewConfig;
use crate::retrieval::Neighbourhoods;
use crate::student::{StudentHead, student_input, student_mlp_config};
use burn::module::Module;
use burn::record::{FullPrecisionSettings, NamedMpkFileRecorder};
use burn::tensor::Tensor;
use burn::tensor::backend::Backend;
use serde::{Deserialize, Serialize};
use std::path::Path;
use tessera_core::{Error, Result};
use tessera_data::{DenseMatrix, read_npy, write_npy_f32};
use tessera_graph::{Mlp, NodeFeatures};

/// Shapes needed to rebuild the modules before loading their weights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelShape {
    /// Feature dimension.
    pub d_in: usize,
    /// Width of the teacher targets Ē.
    pub d_target: usize,
    /// Number of classes.
    pub classes: usize,
    /// Number of nodes of the training graph (rows of Ē).
    pub nodes: usize,
}

/// Student outputs for a batch of nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct StudentOutput {
    /// ê = MLP1(x): the predicted structural embedding, `rows × d_target`.
    pub embeddings: DenseMatrix,
    /// MLP2 logits, `rows × classes`.
    pub scores: DenseMatrix,
}

/// The trained Cold Brew student.
#[derive(Debug)]
pub struct ColdBrewModel<B: Backend> {
    /// The configuration it was trained with.
    pub config: ColdBrewConfig,
    /// Module shapes.
    pub shape: ModelShape,
    mlp1: Mlp<B>,
    head: StudentHead<B>,
    /// Teacher targets Ē of the training graph's nodes (row-major).
    targets: Vec<f32>,
}

/// Host copy of a float tensor.
pub(crate) fn to_host<B: Backend>(t: Tensor<B, 2>) -> Vec<f32> {
    t.into_data()
        .convert::<f32>()
        .into_vec::<f32>()
        .expect("float tensor data")
}

fn recorder() -> NamedMpkFileRecorder<FullPrecisionSettings> {
    NamedMpkFileRecorder::new()
}

impl<B: Backend> ColdBrewModel<B> {
    /// Assembles a model from its trained parts.
    pub(crate) fn new(
        config: ColdBrewConfig,
        shape: ModelShape,
        mlp1: Mlp<B>,
        head: StudentHead<B>,
        targets: Vec<f32>,
    ) -> Self {
        ColdBrewModel {
            config,
            shape,
            mlp1,
            head,
            targets,
        }
    }

    /// The learned mixing scalars (α₀, α₁).
    pub fn alphas(&self) -> (f32, f32) {
        self.head.alphas()
    }

    /// Embeddings and class scores for nodes given only their features
    /// (rows of `x`), e.g. new products with no edges. `self_ids[i]`, when
    /// given, is the training-graph id of row `i`, excluded from its own retrieval.
    pub fn predict(&self, x: &NodeFeatures, self_ids: Option<&[usize]>) -> Result<StudentOutput> {
        if x.cols() != self.shape.d_in {
            return Err(Error::input(
                "features",
                "columns",
                format!("{} features (as in training)", self.shape.d_in),
                format!("{} columns", x.cols()),
            ));
        }
        let d = self.shape.d_target;
        let e_hat = to_host(self.mlp1.forward(x, None));
        let device = self.head.devices().into_iter().next().unwrap_or_default();
        let table =
            Neighbourhoods::new::<B>(&e_hat, &self.targets, d, self.config.k, self_ids, &device);
        let scale = self
            .head
            .retrieval_scale(self.config.quirks.alpha_temperature);
        let rows: Vec<usize> = (0..x.rows()).collect();
        let e_tilde = table.aggregate(&rows, &self.targets, d, scale);
        let x_aug = student_input(x, &e_tilde, &e_hat, d)?;
        let scores = to_host(self.head.forward(&x_aug));
        Ok(StudentOutput {
            embeddings: DenseMatrix::new(x.rows(), d, e_hat)?,
            scores: DenseMatrix::new(x.rows(), self.shape.classes, scores)?,
        })
    }

    /// Writes `model.json`, `mlp1.mpk`, `mlp2.mpk` and `targets.npy` into `dir`.
    pub fn save(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("creating folder", dir, e))?;
        let meta = serde_json::json!({ "config": self.config, "shape": self.shape });
        tessera_core::run::write_json_atomic(&dir.join("model.json"), &meta)?;
        let rec_err = |what: &str, e: burn::record::RecorderError| {
            Error::Config(format!("saving {what} in `{}`: {e}", dir.display()))
        };
        self.mlp1
            .clone()
            .save_file(dir.join("mlp1"), &recorder())
            .map_err(|e| rec_err("MLP1", e))?;
        self.head
            .clone()
            .save_file(dir.join("mlp2"), &recorder())
            .map_err(|e| rec_err("MLP2", e))?;
        write_npy_f32(
            &dir.join("targets.npy"),
            &DenseMatrix::new(self.shape.nodes, self.shape.d_target, self.targets.clone())?,
        )
    }

    /// Loads a model written by [`save`](Self::save).
    pub fn load(dir: &Path, device: &B::Device) -> Result<Self> {
        let meta_path = dir.join("model.json");
        let text = std::fs::read(&meta_path).map_err(|e| Error::io("reading", &meta_path, e))?;
        #[derive(Deserialize)]
        struct Meta {
            config: ColdBrewConfig,
            shape: ModelShape,
        }
        let Meta { config, shape } = serde_json::from_slice(&text).map_err(|e| {
            Error::input(
                meta_path.display(),
                "top level",
                "a Cold Brew model description",
                e.to_string(),
            )
        })?;
        let rec_err = |what: &str, e: burn::record::RecorderError| {
            Error::input(
                dir.display(),
                what,
                "weights written by `tessera coldbrew train`",
                e.to_string(),
            )
        };
        let mlp1 = Mlp::<B>::new(
            shape.d_in,
            &student_mlp_config(
                config.student_hidden,
                shape.d_target,
                config.student_dropout,
                config.student_activation,
            ),
            device,
        )
        .load_file(dir.join("mlp1"), &recorder(), device)
        .map_err(|e| rec_err("mlp1.mpk", e))?;
        let head = StudentHead::<B>::new(
            shape.d_in,
            shape.d_target,
            shape.classes,
            config.student_hidden,
            config.student_dropout,
            config.student_activation,
            device,
        )
        .load_file(dir.join("mlp2"), &recorder(), device)
        .map_err(|e| rec_err("mlp2.mpk", e))?;
        let arr = read_npy(&dir.join("targets.npy"))?;
        if arr.shape != [shape.nodes, shape.d_target] {
            return Err(arr.err(
                format!("shape [{}, {}]", shape.nodes, shape.d_target),
                format!("{:?}", arr.shape),
            ));
        }
        Ok(ColdBrewModel {
            config,
            shape,
            mlp1,
            head,
            targets: arr.to_f32()?,
        })
    }
}
