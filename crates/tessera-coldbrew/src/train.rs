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
    )?;
    let mlp1_eval = mlp1.valid();
    let inner_device = mlp1_eval.devices().into_iter().next().unwrap_or_default();
    let e_hat = to_host(mlp1_eval.forward(x, None));
    if let Some(p) = e_hat.iter().position(|v| !v.is_finite()) {
        return Err(Error::Numeric(format!(
            "MLP1 output is not finite at node {}",
            p / d_target
        )));
    }
    let targets = Arc::new(targets);
    let inputs = StudentInputs {
        targets: Arc::clone(&targets),
        width: d_target,
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
    let training = if config.quirks.mlp1_in_stage2 {
        StudentTraining::with_live_mlp1(head, mlp1, inputs, config.k, config.exclude_self)
    } else {
        let own: Option<Vec<usize>> = config.exclude_self.then(|| (0..n).collect());
        let table = Neighbourhoods::new::<B::InnerBackend>(
            &e_hat,
            &targets,
            d_target,
            config.k,
            own.as_deref(),
            &inner_device,
        );
        StudentTraining::new(head, inputs, e_hat, table)
    };
    let trained = fit_node_model(
        training,
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
    let (head, live_mlp1) = trained.into_parts();
    let mlp1 = live_mlp1.unwrap_or(mlp1_eval);

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::OfficialQuirks;
    use tessera_core::backend::CpuAutodiff;
    use tessera_data::DenseMatrix;
    use tessera_graph::{Graph, NodeFeatures, SelfLoops};

    /// 60 nodes in 3 classes (`i % 3`): class-block features with a
    /// deterministic perturbation, same-class rings plus chords.
    fn small_graph() -> ColdBrewData {
        let (n, d, c) = (60usize, 9usize, 3usize);
        let x: Vec<f32> = (0..n)
            .flat_map(|i| {
                (0..d).map(move |j| {
                    f32::from(u8::from(j % c == i % c)) + ((i * 7 + j * 13) % 11) as f32 / 22.0
                })
            })
            .collect();
        let x = NodeFeatures::from_dense("x", &DenseMatrix::new(n, d, x).unwrap(), true).unwrap();
        let mut src: Vec<u32> = (0..n as u32).collect();
        let mut dst: Vec<u32> = (0..n as u32).map(|i| (i + 3) % n as u32).collect();
        src.extend((0..n as u32).step_by(4));
        dst.extend((0..n as u32).step_by(4).map(|i| (i + 9) % n as u32));
        let graph = Graph::from_edges("e", n, &src, &dst, true, SelfLoops::Add).unwrap();
        let (train, test): (Vec<usize>, Vec<usize>) = (0..n).partition(|i| i % 5 != 0);
        let labels = (0..n).map(|i| i % c).collect();
        ColdBrewData::new("small", "small", graph, x, labels, train, None, test).unwrap()
    }

    fn fit_small(
        quirks: OfficialQuirks,
    ) -> (
        Fitted<<CpuAutodiff as AutodiffBackend>::InnerBackend>,
        ColdBrewData,
    ) {
        let data = small_graph();
        let config = ColdBrewConfig {
            hidden: 8,
            student_hidden: 16,
            teacher_epochs: 20,
            student_epochs: 300,
            quirks,
            ..Default::default()
        };
        let fitted = fit::<CpuAutodiff>(
            &data,
            &config,
            Seed(3),
            &Default::default(),
            &Progress::hidden(),
        )
        .unwrap();
        (fitted, data)
    }

    /// `mlp1_in_stage2`: MLP1 shrinks under weight decay alone while MLP2
    /// trains, and the saved model (with the shrunk MLP1) reproduces the
    /// training-time student scores.
    #[test]
    fn live_mlp1_shrinks_in_stage_two_and_the_model_matches_its_scores() {
        let mean_abs = |f: &Fitted<_>, x: &NodeFeatures| {
            let e = f.model.predict(x, None).unwrap().embeddings;
            e.data.iter().map(|v| v.abs()).sum::<f32>() / e.data.len() as f32
        };
        let (plain, data) = fit_small(OfficialQuirks::default());
        let live = fit_small(OfficialQuirks {
            mlp1_in_stage2: true,
            ..Default::default()
        })
        .0;
        let x = &data.features;
        let (before, after) = (mean_abs(&plain, x), mean_abs(&live, x));
        assert!(
            after < 0.2 * before,
            "ê mean |·|: {before} without, {after} with"
        );
        for f in [&plain, &live] {
            let scores = f.model.predict(x, None).unwrap().scores.data;
            assert_eq!(scores.len(), f.student_scores.len());
            for (a, b) in scores.iter().zip(&f.student_scores) {
                assert!((a - b).abs() <= 1e-4 * (1.0 + b.abs()), "{a} vs {b}");
            }
        }
    }
}
