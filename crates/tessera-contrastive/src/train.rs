//! Training: AdamW over shuffled batches, with the stochastic-EM state of the
//! decomposable loss and the augmented views the regularisers need.

use crate::augment::augment;
use crate::config::{ContrastiveConfig, LossKind, Regularisers};
use crate::data::{PairedViews, Standardizer};
use crate::decomposable::EmState;
use crate::infonce::{Denominator, infonce, scores, symmetric_infonce};
use crate::model::{ContrastiveModel, ModelMeta, TowerOutput, TwoTower};
use crate::regularisers::{
    brownian_bridge, geometric_consistency, geometric_consistency_augmented, orthogonality,
    uniformity,
};
use burn::module::AutodiffModule;
use burn::optim::adaptor::OptimizerAdaptor;
use burn::optim::{GradientsParams, Optimizer};
use burn::tensor::{ElementConversion as _, Tensor, TensorData, backend::AutodiffBackend};
use rand::seq::SliceRandom;
use tessera_core::kernels::infonce::symmetric_infonce as fused_infonce;
use tessera_core::optim::AdamW;
use tessera_core::{Error, Progress, Result, Rng, Seed};
use tessera_data::DenseMatrix;

/// A trained model and its per-epoch mean training loss.
#[derive(Debug)]
pub struct Fitted<B: AutodiffBackend> {
    /// The model (inference backend).
    pub model: ContrastiveModel<B::InnerBackend>,
    /// The network on the autodiff backend (for further analysis).
    pub net: TwoTower<B>,
    /// Mean loss of every epoch.
    pub history: Vec<f64>,
}

/// Standardised rows of both views, ready for batching.
pub struct Prepared {
    /// View a, standardised.
    pub a: DenseMatrix,
    /// View b, standardised.
    pub b: DenseMatrix,
    /// The fitted standardisers.
    pub standardizers: [Standardizer; 2],
}

impl Prepared {
    /// Fits the standardisers on `data` and applies them.
    pub fn new(data: &PairedViews) -> Result<Self> {
        let sa = Standardizer::fit(&data.a.x);
        let sb = Standardizer::fit(&data.b.x);
        Ok(Prepared {
            a: sa.apply(&data.a.x, &data.a.source)?,
            b: sb.apply(&data.b.x, &data.b.source)?,
            standardizers: [sa, sb],
        })
    }
}

/// Rows `indices` of `x` as a `[len, cols]` tensor, optionally augmented.
fn batch<B: AutodiffBackend>(
    x: &DenseMatrix,
    indices: &[usize],
    aug: Option<(&crate::config::Augment, &mut Rng)>,
    device: &B::Device,
) -> Tensor<B, 2> {
    let rows = x.select_rows(indices).data;
    let rows = match aug {
        Some((cfg, rng)) => augment(&rows, cfg, rng),
        None => rows,
    };
    Tensor::from_data(TensorData::new(rows, [indices.len(), x.cols]), device)
}

/// The regularised objective added to the cross-modal loss (see the spec's `L_Con + λ R`).
fn structure_terms<B: AutodiffBackend>(
    reg: &Regularisers,
    scale: Tensor<B, 1>,
    cross: Tensor<B, 1>,
    o: [&TowerOutput<B>; 2],
    aug: [&TowerOutput<B>; 2],
) -> Tensor<B, 1> {
    let [va, vb] = o;
    let [aa, ab] = aug;
    let mut total = if reg.same_view {
        let same = infonce(
            scores(va.z.clone(), aa.z.clone(), scale.clone()),
            Denominator::WithPositive,
        ) + infonce(
            scores(vb.z.clone(), ab.z.clone(), scale.clone()),
            Denominator::WithPositive,
        );
        (cross * 2.0 + same) / 4.0
    } else {
        cross
    };
    if reg.sep > 0.0
        && let (Some(ia), Some(ib), Some(iaa), Some(iab)) =
            (&va.specific, &vb.specific, &aa.specific, &ab.specific)
    {
        let ortho =
            orthogonality(va.z.clone(), ia.clone()) + orthogonality(vb.z.clone(), ib.clone());
        let intra = infonce(
            scores(ia.clone(), iaa.clone(), scale.clone()),
            Denominator::WithPositive,
        ) + infonce(
            scores(ib.clone(), iab.clone(), scale.clone()),
            Denominator::WithPositive,
        );
        let uni = uniformity(ia.clone(), ib.clone(), reg.uniformity_t);
        total = total + (ortho + intra + uni) * reg.sep;
    }
    if reg.br > 0.0 {
        total = total
            + brownian_bridge(va.z.clone(), vb.z.clone(), aa.z.clone(), reg.bridge_t) * reg.br;
    }
    if reg.gc > 0.0 {
        let gc = geometric_consistency(va.z.clone(), vb.z.clone())
            + geometric_consistency_augmented(
                va.z.clone(),
                vb.z.clone(),
                aa.z.clone(),
                ab.z.clone(),
            );
        total = total + gc * reg.gc;
    }
    total
}

/// One step's loss on batch `indices`.
fn step_loss<B: AutodiffBackend>(
    net: &TwoTower<B>,
    config: &ContrastiveConfig,
    data: &Prepared,
    indices: &[usize],
    em: Option<&mut EmState>,
    rng: &mut Rng,
) -> Result<Tensor<B, 1>> {
    let device = net.log_scale.val().device();
    let oa = net.a.forward(batch(&data.a, indices, None, &device));
    let ob = net.b.forward(batch(&data.b, indices, None, &device));
    let scale = net.scale(config.temperature);
    let s = || scores(oa.z.clone(), ob.z.clone(), scale.clone());
    let cross = match (config.loss, em) {
        // The fused kernel computes exactly `symmetric_infonce(s, WithPositive)` (tested below).
        (
            LossKind::Infonce {
                denominator: Denominator::WithPositive,
            },
            _,
        ) => fused_infonce(oa.z.clone(), ob.z.clone(), scale.clone()),
        (LossKind::Infonce { denominator }, _) => symmetric_infonce(s(), denominator),
        (LossKind::Decomposable(_), Some(em)) => em.step(s(), indices, rng)?,
        (LossKind::Decomposable(_), None) => {
            return Err(Error::Config("decomposable loss without EM state".into()));
        }
    };
    if !config.reg.needs_augmented() {
        return Ok(cross);
    }
    let aa = net.a.forward(batch(
        &data.a,
        indices,
        Some((&config.augment, &mut *rng)),
        &device,
    ));
    let ab = net.b.forward(batch(
        &data.b,
        indices,
        Some((&config.augment, &mut *rng)),
        &device,
    ));
    Ok(structure_terms(
        &config.reg,
        scale,
        cross,
        [&oa, &ob],
        [&aa, &ab],
    ))
}

/// The batches of one epoch: a seeded permutation cut into `batch_size` pieces
/// (a last piece of fewer than 2 pairs is dropped: it has no negatives).
pub fn epoch_batches(n: usize, batch_size: usize, rng: &mut Rng) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(rng);
    order
        .chunks(batch_size)
        .filter(|c| c.len() >= 2)
        .map(<[usize]>::to_vec)
        .collect()
}

/// Fills the EM buffers with one pass at the initial parameters (the spec's warm start).
fn initialise_em<B: AutodiffBackend>(
    net: &TwoTower<B>,
    config: &ContrastiveConfig,
    data: &Prepared,
    em: &mut EmState,
    rng: &mut Rng,
) {
    let inner = net.valid();
    let device = inner.log_scale.val().device();
    for idx in epoch_batches(data.a.rows, config.batch_size, rng) {
        let rows = |x: &DenseMatrix| {
            Tensor::from_data(
                TensorData::new(x.select_rows(&idx).data, [idx.len(), x.cols]),
                &device,
            )
        };
        let s = scores(
            inner.a.forward(rows(&data.a)).z,
            inner.b.forward(rows(&data.b)).z,
            inner.scale(config.temperature),
        );
        em.initialise(s, &idx);
    }
}

/// The training state: network, AdamW, EM buffers and random streams.
pub struct Trainer<B: AutodiffBackend> {
    net: TwoTower<B>,
    optim: OptimizerAdaptor<AdamW, TwoTower<B>, B>,
    config: ContrastiveConfig,
    data: Prepared,
    em: Option<EmState>,
    aug_rng: Rng,
}

impl<B: AutodiffBackend> Trainer<B> {
    /// A fresh model for `data` (initialised from `seed`); with the decomposable
    /// loss the EM buffers get one pass at the initial parameters.
    pub fn new(
        data: &PairedViews,
        config: &ContrastiveConfig,
        seed: Seed,
        batch_rng: &mut Rng,
    ) -> Result<Self> {
        config.check()?;
        let prepared = Prepared::new(data)?;
        let device = B::Device::default();
        seed.seed_backend::<B>("contrastive-init", &device);
        let net = TwoTower::<B>::new([data.a.x.cols, data.b.x.cols], config, &device);
        let em = match config.loss {
            LossKind::Decomposable(em_cfg) => {
                let mut em = EmState::new(data.len(), em_cfg);
                initialise_em(&net, config, &prepared, &mut em, batch_rng);
                Some(em)
            }
            LossKind::Infonce { .. } => None,
        };
        Ok(Trainer {
            net,
            optim: AdamW::default()
                .with_weight_decay(config.weight_decay as f32)
                .init(),
            config: config.clone(),
            data: prepared,
            em,
            aug_rng: seed.rng("contrastive-augment"),
        })
    }

    /// One E-step (if any) and one AdamW step on the pairs `indices`; returns the loss.
    pub fn step(&mut self, indices: &[usize]) -> Result<f64> {
        let loss = step_loss(
            &self.net,
            &self.config,
            &self.data,
            indices,
            self.em.as_mut(),
            &mut self.aug_rng,
        )?;
        let value = f64::from(loss.clone().into_scalar().elem::<f32>());
        if !value.is_finite() {
            return Err(Error::Numeric(format!("contrastive loss became {value}")));
        }
        let grads = GradientsParams::from_grads(loss.backward(), &self.net);
        self.net = self.optim.step(self.config.lr, self.net.clone(), grads);
        Ok(value)
    }

    /// The trained model (inference backend) and the autodiff network.
    pub fn finish(self) -> (ContrastiveModel<B::InnerBackend>, TwoTower<B>) {
        let meta = ModelMeta {
            config: self.config,
            standardizers: self.data.standardizers,
        };
        (
            ContrastiveModel {
                net: self.net.valid(),
                meta,
            },
            self.net,
        )
    }
}

/// Trains a two-tower model on all pairs of `data`.
pub fn fit<B: AutodiffBackend>(
    data: &PairedViews,
    config: &ContrastiveConfig,
    seed: Seed,
    progress: &Progress,
) -> Result<Fitted<B>> {
    let mut rng = seed.rng("contrastive-batches");
    let mut trainer = Trainer::<B>::new(data, config, seed, &mut rng)?;
    let mut task = progress.task("contrastive", config.epochs as u64);
    let mut history = Vec::with_capacity(config.epochs);
    for epoch in 0..config.epochs {
        let batches = epoch_batches(data.len(), config.batch_size, &mut rng);
        let mut total = 0.0;
        for idx in &batches {
            total += trainer
                .step(idx)
                .map_err(|e| e.context(format!("training epoch {epoch}")))?;
        }
        history.push(total / batches.len().max(1) as f64);
        task.inc(1);
        task.set_message(format!("loss {:.4}", history[epoch]));
    }
    task.finish();
    let (model, net) = trainer.finish();
    Ok(Fitted {
        model,
        net,
        history,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decomposable::EmConfig;
    use crate::eval::evaluate;
    use crate::model::EmbedKind;
    use crate::synthetic::information_gap;
    use tessera_core::backend::CpuAutodiff;

    type B = CpuAutodiff;

    fn small(loss: LossKind, reg: Regularisers, epochs: usize) -> ContrastiveConfig {
        ContrastiveConfig {
            hidden: vec![32],
            embed_dim: 16,
            batch_size: 64,
            epochs,
            loss,
            reg,
            ..Default::default()
        }
    }

    #[test]
    fn training_lowers_the_loss_and_beats_chance_retrieval() {
        let data = information_gap(480, 4, true, Seed(1)).unwrap();
        let (train, test) = data.split_seeded(0.25, Seed(1));
        let losses = [
            LossKind::Infonce {
                denominator: Denominator::WithPositive,
            },
            LossKind::Decomposable(EmConfig::default()),
        ];
        for loss in losses {
            let fitted = fit::<B>(
                &train,
                &small(loss, Regularisers::NONE, 12),
                Seed(2),
                &Progress::hidden(),
            )
            .unwrap();
            let h = &fitted.history;
            assert!(h[h.len() - 1] < h[0] - 0.1, "{loss:?}: {h:?}");
            let q = evaluate(&fitted.model, &train, &test).unwrap();
            // 120 test pairs: chance Recall@5 is 5/120.
            assert!(q.recall_ab[1] > 0.3, "{loss:?}: {q:?}");
        }
    }

    #[test]
    fn same_seed_same_numbers_and_regularisers_run() {
        let data = information_gap(200, 3, true, Seed(4)).unwrap();
        let reg = Regularisers::from_names("sep,br,gc,same-view").unwrap();
        let run = || {
            fit::<B>(
                &data,
                &small(
                    LossKind::Infonce {
                        denominator: Denominator::WithPositive,
                    },
                    reg,
                    2,
                ),
                Seed(5),
                &Progress::hidden(),
            )
            .unwrap()
        };
        let (a, b) = (run(), run());
        assert_eq!(a.history, b.history);
        let emb = a
            .model
            .embed(0, &data.a.x, "a", EmbedKind::WithSpecific)
            .unwrap();
        assert_eq!((emb.rows, emb.cols), (200, 32));
        assert_eq!(
            emb,
            b.model
                .embed(0, &data.a.x, "a", EmbedKind::WithSpecific)
                .unwrap()
        );
    }

    #[test]
    fn fused_kernel_equals_plain_burn_infonce() {
        let (z, w) = crate::reference::unit_pair(7, 5, 81);
        let run = |fused: bool| {
            let (zt, wt) = (
                z.tensor::<B>().require_grad(),
                w.tensor::<B>().require_grad(),
            );
            let scale = crate::reference::scalar::<B>(1.0 / 0.07);
            let loss = if fused {
                fused_infonce(zt.clone(), wt.clone(), scale)
            } else {
                symmetric_infonce(
                    scores(zt.clone(), wt.clone(), scale),
                    Denominator::WithPositive,
                )
            };
            let value = f64::from(loss.clone().into_scalar());
            let grads = loss.backward();
            let g = |t: &Tensor<B, 2>| crate::reference::Mat::from_tensor(t.grad(&grads).unwrap());
            (value, g(&zt), g(&wt))
        };
        let (fused, plain) = (run(true), run(false));
        assert!(
            (fused.0 - plain.0).abs() < 1e-4,
            "{} vs {}",
            fused.0,
            plain.0
        );
        crate::reference::assert_grad(&fused.1, &plain.1, 1e-4);
        crate::reference::assert_grad(&fused.2, &plain.2, 1e-4);
    }

    #[test]
    fn saved_model_embeds_identically() {
        let data = information_gap(100, 3, false, Seed(6)).unwrap();
        let fitted = fit::<B>(
            &data,
            &small(
                LossKind::Infonce {
                    denominator: Denominator::NegativesOnly,
                },
                Regularisers::NONE,
                1,
            ),
            Seed(7),
            &Progress::hidden(),
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        fitted.model.save(dir.path()).unwrap();
        let loaded =
            ContrastiveModel::<<B as burn::tensor::backend::AutodiffBackend>::InnerBackend>::load(
                dir.path(),
                &Default::default(),
            )
            .unwrap();
        let e = |m: &ContrastiveModel<_>| m.embed(1, &data.b.x, "b", EmbedKind::Shared).unwrap();
        assert_eq!(e(&fitted.model), e(&loaded));
        let err = loaded
            .embed(1, &data.a.x, "wrong.npy", EmbedKind::Shared)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("wrong.npy") && err.contains("24 features"),
            "{err}"
        );
    }
}
