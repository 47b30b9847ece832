//! [`fit`]: teacher → Ē → MLP1 → virtual neighbours → MLP2.

use crate::config::{ColdBrewConfig, Mlp1FitOn, Selection};
use crate::data::ColdBrewData;
use crate::model::{ColdBrewModel, ModelShape, to_host};
use crate::retrieval::Neighbourhoods;
use crate::student::{StudentHead, StudentInputs, StudentTraining, student_mlp_config};
use crate::teacher::Teacher;
use burn::module::{AutodiffModule, Module};
use burn::tensor::backend::{AutodiffBackend, Backend};
use std::sync::Arc;
use tessera_core::{Error, Progress, Result, Seed};
use tessera_graph::{
    DegreeSplit, FitConfig, GraphOps, Mlp, NodeModel, Targets, degree_split, fit_node_model,
};

/// Everything [`fit`] produces: the student model and, for evaluation, the
/// teacher, the split and the operators of the cut graph.
#[derive(Debug)]
pub struct Fitted<B: Backend> {
    /// The student.
    pub model: ColdBrewModel<B>,
    /// The trained teacher (inference copy).
    pub teacher: Teacher<B>,
    /// Head / tail / isolation split of the training graph.
    pub split: DegreeSplit,
    /// Propagation operators of the graph with the isolation edges removed.
    pub cut_ops: GraphOps,
    /// Student logits for every training-graph node (row-major, `N × classes`).
    pub student_scores: Vec<f32>,
}

/// The nodes whose accuracy selects a GNN's epoch under `selection`.
pub fn selection_nodes(data: &ColdBrewData, selection: Selection) -> Result<Option<&[usize]>> {
    match selection {
        Selection::Last => Ok(None),
        Selection::Test => Ok(Some(&data.test)),
        Selection::Validation => match &data.val {
            Some(v) if !v.is_empty() => Ok(Some(v)),
            _ => Err(Error::Config(format!(
                "{}: validation-based selection needs validation nodes; use selection = \"last\"",
                data.name
            ))),
        },
    }
}

/// Trains the Cold Brew teacher and student on `data`.
pub fn fit<B: AutodiffBackend>(
    data: &ColdBrewData,
    config: &ColdBrewConfig,
    seed: Seed,
    device: &B::Device,
    progress: &Progress,
) -> Result<Fitted<B::InnerBackend>> {
    config.check()?;
    let split = degree_split(&data.graph, config.split);
    let cut_ops = GraphOps::new(&split.cut_graph)?;
    let select = selection_nodes(data, config.selection)?;
    let (n, d_in, classes) = (data.graph.num_nodes(), data.features.cols(), data.classes);
    let x = &data.features;

    seed.seed_backend::<B>("teacher-init", device);
    let teacher = Teacher::<B>::new(n, d_in, classes, config, device);
    let gnn_fit = FitConfig {
        epochs: config.teacher_epochs,
        lr: config.lr,
        weight_decay: config.weight_decay,
        input_dropout: config.dropout,
        resample: false,
    };
    let teacher = fit_node_model(
        teacher,
        &cut_ops,
        x,
        Targets::Classes(&data.labels),
        &data.train,
        select,
        &gnn_fit,
        seed,
        progress,
        "coldbrew-teacher",
    )?;
    let targets_t = if config.quirks.targets_in_train_mode {
        // Dropout on, as the official `collect_SE`; the teacher's own stream continues.
        let mut rng = seed.rng("coldbrew-targets-input-dropout");
        teacher
            .targets(&cut_ops, &x.dropout(config.dropout, &mut rng))
            .inner()
    } else {
        teacher.valid().targets(&cut_ops, x)
    };
    let teacher = teacher.valid();
    let [_, d_target] = targets_t.dims();
    let targets = to_host(targets_t);
    if let Some(p) = targets.iter().position(|v| !v.is_finite()) {
        return Err(Error::Numeric(format!(
            "teacher output is not finite at node {}",
            p / d_target
        )));
    }

    let fit_on: Vec<usize> = match config.mlp1_fit_on {
        Mlp1FitOn::Train => data.train.clone(),
        Mlp1FitOn::NonIsolated => {
            let mut isolated = vec![false; n];
            split.isolation.iter().for_each(|&i| isolated[i] = true);
            (0..n).filter(|&i| !isolated[i]).collect()
        }
    };
    let student_fit = FitConfig {
        epochs: config.student_epochs,
        lr: config.lr,
        weight_decay: config.weight_decay,
        input_dropout: 0.0,
        resample: config.quirks.resample,
    };
    seed.seed_backend::<B>("mlp1-init", device);
    let mlp1 = Mlp::<B>::new(
        d_in,
        &student_mlp_config(
            config.student_hidden,
            d_target,
            config.student_dropout,
            config.student_activation,
        ),
        device,
    );
    let mlp1 = fit_node_model(
        mlp1,
        &cut_ops,
        x,
        Targets::Values {
            data: &targets,
            width: d_target,
        },
        &fit_on,
        None,
        &student_fit,
        seed,
        progress,
        "coldbrew-mlp1",
    )?
    .valid();

    let inner_device = mlp1.devices().into_iter().next().unwrap_or_default();
    let e_hat = to_host(mlp1.forward(x, None));
    if let Some(p) = e_hat.iter().position(|v| !v.is_finite()) {
        return Err(Error::Numeric(format!(
            "MLP1 output is not finite at node {}",
            p / d_target
        )));
    }
    let own: Option<Vec<usize>> = config.exclude_self.then(|| (0..n).collect());
    let table = Neighbourhoods::new::<B::InnerBackend>(
        &e_hat,
        &targets,
        d_target,
        config.k,
        own.as_deref(),
        &inner_device,
    );
    let targets = Arc::new(targets);
    let inputs = StudentInputs {
        e_hat: Arc::new(e_hat),
        targets: Arc::clone(&targets),
        width: d_target,
        table: Arc::new(table),
        alpha_temperature: config.quirks.alpha_temperature,
    };

    seed.seed_backend::<B>("mlp2-init", device);
    let head = StudentHead::<B>::new(
        d_in,
        d_target,
        classes,
        config.student_hidden,
        config.student_dropout,
        config.student_activation,
        device,
    );
    let trained = fit_node_model(
        StudentTraining::new(head, inputs),
        &cut_ops,
        x,
        Targets::Classes(&data.labels),
        &data.train,
        select,
        &student_fit,
        seed,
        progress,
        "coldbrew-mlp2",
    )?
    .valid();
    let student_scores = to_host(trained.logits(&cut_ops, x));
    let head = trained.into_head();

    let shape = ModelShape {
        d_in,
        d_target,
        classes,
        nodes: n,
    };
    let targets = Arc::unwrap_or_clone(targets);
    let model = ColdBrewModel::new(config.clone(), shape, mlp1, head, targets);
    Ok(Fitted {
        model,
        teacher,
        split,
        cut_ops,
        student_scores,
    })
}
