//! A small training driver: epochs, early stopping on a validation metric,
//! keeping the best model, and checkpoint + resume with optimizer state.
//!
//! The per-epoch work stays in the method crate (a closure that takes the
//! model and optimizer and returns the updated model with its
//! [`EpochStats`]); [`train`] owns everything around it.

use crate::{Error, Progress, Result, run::write_json_atomic};
use burn::module::AutodiffModule;
use burn::optim::Optimizer;
use burn::record::{FullPrecisionSettings, NamedMpkFileRecorder, Recorder};
use burn::tensor::backend::AutodiffBackend;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Whether a larger or a smaller validation value is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Goal {
    /// Accuracy, AUROC, ...
    Maximize,
    /// Loss, error, ...
    Minimize,
}

/// Tracks the best validation value and says when to stop.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EarlyStopping {
    goal: Goal,
    patience: Option<usize>,
    best: Option<f64>,
    best_epoch: usize,
    epochs_since_best: usize,
}

/// What [`EarlyStopping::observe`] concluded about one epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// This epoch is the best so far.
    pub improved: bool,
    /// Patience is exhausted: stop training.
    pub stop: bool,
}

impl EarlyStopping {
    /// Stops after `patience` epochs without improvement (`None` = never stop early).
    pub fn new(goal: Goal, patience: Option<usize>) -> Self {
        EarlyStopping {
            goal,
            patience,
            best: None,
            best_epoch: 0,
            epochs_since_best: 0,
        }
    }

    /// Records the validation value of `epoch`. Non-finite values never count as improvements.
    pub fn observe(&mut self, epoch: usize, value: f64) -> Verdict {
        let better = value.is_finite()
            && match (self.best, self.goal) {
                (None, _) => true,
                (Some(b), Goal::Maximize) => value > b,
                (Some(b), Goal::Minimize) => value < b,
            };
        if better {
            self.best = Some(value);
            self.best_epoch = epoch;
            self.epochs_since_best = 0;
        } else {
            self.epochs_since_best += 1;
        }
        let stop = self.patience.is_some_and(|p| self.epochs_since_best >= p);
        Verdict {
            improved: better,
            stop,
        }
    }

    /// The best value so far and the epoch it was seen at.
    pub fn best(&self) -> Option<(f64, usize)> {
        self.best.map(|b| (b, self.best_epoch))
    }
}

/// What one epoch reports back to the driver.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EpochStats {
    /// Mean training loss of the epoch.
    pub loss: f64,
    /// Validation metric, if validation ran this epoch.
    pub validation: Option<f64>,
}

/// Settings of [`train`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoopConfig {
    /// Maximum number of epochs.
    pub epochs: usize,
    /// Early-stopping patience in epochs with a validation value (`None` = off).
    pub patience: Option<usize>,
    /// Direction of the validation metric.
    pub goal: Goal,
    /// Keep the model of the best validation epoch (otherwise the last one).
    pub keep_best: bool,
    /// Write a checkpoint every this many epochs (0 = never).
    pub checkpoint_every: usize,
}

impl Default for LoopConfig {
    fn default() -> Self {
        LoopConfig {
            epochs: 100,
            patience: None,
            goal: Goal::Maximize,
            keep_best: true,
            checkpoint_every: 0,
        }
    }
}

/// The outcome of [`train`].
#[derive(Debug)]
pub struct Trained<M> {
    /// The selected model (best validation epoch if `keep_best` and validation ran, else the last).
    pub model: M,
    /// Number of epochs run in total (including those before a resume).
    pub epochs_run: usize,
    /// Best validation value and its epoch, if validation ran.
    pub best: Option<(f64, usize)>,
    /// Per-epoch statistics of this call (not of epochs before a resume).
    pub history: Vec<EpochStats>,
}

#[derive(Serialize, Deserialize)]
struct CheckpointState {
    next_epoch: usize,
    stopping: EarlyStopping,
    has_best: bool,
}

/// Everything restored from a checkpoint.
struct Resumed<M, O> {
    model: M,
    optim: O,
    best: Option<M>,
    state: CheckpointState,
}

/// Where checkpoints live, and how modules and optimizer state are written.
#[derive(Clone, Debug)]
pub struct Checkpoints {
    dir: PathBuf,
}

impl Checkpoints {
    /// Checkpoints in `dir` (created on first save).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Checkpoints { dir: dir.into() }
    }

    fn recorder() -> NamedMpkFileRecorder<FullPrecisionSettings> {
        NamedMpkFileRecorder::new()
    }

    fn rec_err(&self, what: &str, e: impl std::fmt::Display) -> Error {
        Error::Config(format!("checkpoint `{}`: {what}: {e}", self.dir.display()))
    }

    fn save<B, M, O>(
        &self,
        model: &M,
        optim: &O,
        best: Option<&M>,
        state: &CheckpointState,
    ) -> Result<()>
    where
        B: AutodiffBackend,
        M: AutodiffModule<B>,
        O: Optimizer<M, B>,
    {
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| Error::io("creating folder", &self.dir, e))?;
        let rec = Self::recorder();
        model
            .clone()
            .save_file(self.dir.join("model"), &rec)
            .map_err(|e| self.rec_err("saving model", e))?;
        if let Some(best) = best {
            best.clone()
                .save_file(self.dir.join("best"), &rec)
                .map_err(|e| self.rec_err("saving best model", e))?;
        }
        Recorder::<B>::record(&rec, optim.to_record(), self.dir.join("optimizer"))
            .map_err(|e| self.rec_err("saving optimizer", e))?;
        // state.json is written last: its presence marks a complete checkpoint.
        write_json_atomic(&self.dir.join("state.json"), state)
    }

    fn load<B, M, O>(&self, model: M, optim: O, device: &B::Device) -> Result<Option<Resumed<M, O>>>
    where
        B: AutodiffBackend,
        M: AutodiffModule<B>,
        O: Optimizer<M, B>,
    {
        let state_path = self.dir.join("state.json");
        if !state_path.exists() {
            return Ok(None);
        }
        let text = std::fs::read(&state_path).map_err(|e| Error::io("reading", &state_path, e))?;
        let state: CheckpointState = serde_json::from_slice(&text).map_err(|e| {
            Error::input(
                state_path.display(),
                "top level",
                "a tessera checkpoint state",
                e.to_string(),
            )
        })?;
        let rec = Self::recorder();
        let best = if state.has_best {
            Some(
                model
                    .clone()
                    .load_file(self.dir.join("best"), &rec, device)
                    .map_err(|e| self.rec_err("loading best model", e))?,
            )
        } else {
            None
        };
        let model = model
            .load_file(self.dir.join("model"), &rec, device)
            .map_err(|e| self.rec_err("loading model", e))?;
        let record = Recorder::<B>::load(&rec, self.dir.join("optimizer"), device)
            .map_err(|e| self.rec_err("loading optimizer", e))?;
        Ok(Some(Resumed {
            model,
            optim: optim.load_record(record),
            best,
            state,
        }))
    }

    /// The checkpoint folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// Where and how [`train`] runs: device, progress, optional checkpoints.
pub struct TrainEnv<'a, B: burn::tensor::backend::Backend> {
    /// Resume from / write checkpoints here (`None` = no checkpoints).
    pub checkpoints: Option<&'a Checkpoints>,
    /// The device tensors live on.
    pub device: &'a B::Device,
    /// Progress sink.
    pub progress: &'a Progress,
    /// Label shown in progress lines and errors.
    pub name: &'a str,
}

impl<B: burn::tensor::backend::Backend> Clone for TrainEnv<'_, B> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<B: burn::tensor::backend::Backend> Copy for TrainEnv<'_, B> {}

/// Runs `epoch_fn` for up to `config.epochs` epochs.
///
/// `epoch_fn(model, &mut optimizer, epoch)` trains one epoch and returns the
/// updated model and its stats. If `checkpoints` holds a complete checkpoint,
/// training resumes from it (model, optimizer state, early-stopping state and
/// best model); otherwise it starts from `model`.
pub fn train<B, M, O, F>(
    config: &LoopConfig,
    model: M,
    mut optim: O,
    env: &TrainEnv<'_, B>,
    mut epoch_fn: F,
) -> Result<Trained<M>>
where
    B: AutodiffBackend,
    M: AutodiffModule<B>,
    O: Optimizer<M, B>,
    F: FnMut(M, &mut O, usize) -> Result<(M, EpochStats)>,
{
    let TrainEnv {
        checkpoints,
        device,
        progress,
        name,
    } = *env;
    let mut model = model;
    let mut stopping = EarlyStopping::new(config.goal, config.patience);
    let mut best: Option<M> = None;
    let mut start = 0;
    if let Some(ck) = checkpoints
        && let Some(resumed) = ck.load::<B, M, O>(model.clone(), optim.clone(), device)?
    {
        model = resumed.model;
        optim = resumed.optim;
        best = resumed.best;
        stopping = resumed.state.stopping;
        start = resumed.state.next_epoch;
    }
    let mut task = progress.task(name, config.epochs as u64);
    task.inc(start as u64);
    let mut history = Vec::new();
    let mut epoch = start;
    while epoch < config.epochs {
        let (next, stats) = epoch_fn(model, &mut optim, epoch)?;
        model = next;
        if !stats.loss.is_finite() {
            return Err(Error::Numeric(format!(
                "{name}: training loss became {} at epoch {epoch}",
                stats.loss
            )));
        }
        history.push(stats);
        task.inc(1);
        task.set_message(format!("loss {:.4}", stats.loss));
        epoch += 1;
        let mut stop = false;
        if let Some(value) = stats.validation {
            let verdict = stopping.observe(epoch - 1, value);
            if verdict.improved && config.keep_best {
                best = Some(model.clone());
            }
            stop = verdict.stop;
        }
        if let Some(ck) = checkpoints
            && config.checkpoint_every > 0
            && (epoch % config.checkpoint_every == 0 || epoch == config.epochs || stop)
        {
            let state = CheckpointState {
                next_epoch: epoch,
                stopping: stopping.clone(),
                has_best: best.is_some(),
            };
            ck.save::<B, M, O>(&model, &optim, best.as_ref(), &state)?;
        }
        if stop {
            break;
        }
    }
    task.finish();
    Ok(Trained {
        model: best.unwrap_or(model),
        epochs_run: epoch,
        best: stopping.best(),
        history,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::CpuAutodiff;
    use burn::nn::{Linear, LinearConfig};
    use burn::optim::{AdamConfig, GradientsParams};
    use burn::tensor::{Tensor, TensorData};

    type B = CpuAutodiff;

    #[test]
    fn early_stopping_counts_patience() {
        let mut s = EarlyStopping::new(Goal::Minimize, Some(2));
        assert!(s.observe(0, 1.0).improved);
        assert!(!s.observe(1, 1.5).stop);
        let v = s.observe(2, f64::NAN);
        assert!(!v.improved && v.stop);
        assert_eq!(s.best(), Some((1.0, 0)));
    }

    fn fit(epochs: usize, ck: Option<&Checkpoints>) -> (Trained<Linear<B>>, Vec<f32>) {
        let device = Default::default();
        crate::Seed(3).seed_backend::<B>("init", &device);
        let model: Linear<B> = LinearConfig::new(2, 1).init(&device);
        let x = Tensor::<B, 2>::from_data(
            TensorData::new(vec![1.0f32, 0.0, 0.0, 1.0, 1.0, 1.0], [3, 2]),
            &device,
        );
        let y =
            Tensor::<B, 2>::from_data(TensorData::new(vec![1.0f32, -1.0, 0.0], [3, 1]), &device);
        let cfg = LoopConfig {
            epochs,
            checkpoint_every: 1,
            keep_best: false,
            ..Default::default()
        };
        let progress = Progress::hidden();
        let env = TrainEnv {
            checkpoints: ck,
            device: &device,
            progress: &progress,
            name: "t",
        };
        let trained = train(
            &cfg,
            model,
            AdamConfig::new().init(),
            &env,
            |m: Linear<B>, o, _| {
                let loss = (m.forward(x.clone()) - y.clone()).powf_scalar(2.0).mean();
                let value = loss.clone().into_scalar();
                let grads = GradientsParams::from_grads(loss.backward(), &m);
                Ok((
                    o.step(0.05, m, grads),
                    EpochStats {
                        loss: f64::from(value),
                        validation: None,
                    },
                ))
            },
        )
        .unwrap();
        let w = trained
            .model
            .weight
            .val()
            .into_data()
            .to_vec::<f32>()
            .unwrap();
        (trained, w)
    }

    #[test]
    fn resume_from_checkpoint_equals_uninterrupted_training() {
        let dir = tempfile::tempdir().unwrap();
        let (_, straight) = fit(10, None);
        let ck = Checkpoints::new(dir.path().join("ck"));
        let (first, _) = fit(4, Some(&ck));
        assert_eq!(first.epochs_run, 4);
        let (resumed, w) = fit(10, Some(&ck));
        assert_eq!(resumed.epochs_run, 10);
        assert_eq!(resumed.history.len(), 6);
        for (a, b) in w.iter().zip(&straight) {
            assert!((a - b).abs() < 1e-6, "{w:?} vs {straight:?}");
        }
    }
}
