//! Criterion micro-benchmarks of the compute kernels against the plain-burn
//! versions they replace (the side-by-side PyTorch comparisons live in `bench/`).
//!
//! ```text
//! cargo bench -p tessera-core --bench kernels            # all
//! cargo bench -p tessera-core --bench kernels -- spmm    # one group (spmm, infonce, dense)
//! ```

use burn::tensor::{Tensor, TensorData};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;
use tessera_core::backend::{Cpu, CpuAutodiff};
use tessera_core::kernels::dense::{Activation, dense, dense_reference};
use tessera_core::kernels::infonce::{symmetric_infonce, symmetric_infonce_reference};
use tessera_core::kernels::{CsrOperator, spmm, spmm_gather_scatter};

/// A random row-normalised `nodes × nodes` operator with up to `degree` neighbours per row.
fn random_graph(nodes: usize, degree: usize, seed: u64) -> CsrOperator {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut indptr, mut indices, mut values) = (vec![0usize], Vec::new(), Vec::new());
    for _ in 0..nodes {
        let mut row: Vec<u32> = (0..degree)
            .map(|_| rng.random_range(0..nodes as u32))
            .collect();
        row.sort_unstable();
        row.dedup();
        values.extend(std::iter::repeat_n(1.0 / row.len() as f32, row.len()));
        indices.extend(row);
        indptr.push(indices.len());
    }
    CsrOperator::new(nodes, nodes, indptr, indices, values).expect("valid random operator")
}

/// Uniform values in [-1, 1), seeded.
fn random_tensor<B: burn::tensor::backend::Backend>(
    rows: usize,
    cols: usize,
    seed: u64,
) -> Tensor<B, 2> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let data: Vec<f32> = (0..rows * cols)
        .map(|_| rng.random_range(-1.0..1.0))
        .collect();
    Tensor::from_data(TensorData::new(data, [rows, cols]), &Default::default())
}

fn bench_spmm(c: &mut Criterion) {
    let mut group = c.benchmark_group("spmm");
    group.sample_size(20);
    let op = random_graph(20_000, 12, 1);
    let x = random_tensor::<Cpu>(op.cols(), 64, 2);
    group.bench_function("kernel/fwd", |b| b.iter(|| black_box(spmm(&op, x.clone()))));
    group.bench_function("gather-scatter/fwd", |b| {
        b.iter(|| black_box(spmm_gather_scatter(&op, x.clone())))
    });
    let xa = random_tensor::<CpuAutodiff>(op.cols(), 64, 2).require_grad();
    group.bench_function("kernel/fwd-bwd", |b| {
        b.iter(|| black_box(spmm(&op, xa.clone()).sum().backward()))
    });
    group.bench_function("gather-scatter/fwd-bwd", |b| {
        b.iter(|| black_box(spmm_gather_scatter(&op, xa.clone()).sum().backward()))
    });
    group.finish();
}

fn bench_infonce(c: &mut Criterion) {
    let mut group = c.benchmark_group("infonce");
    group.sample_size(10);
    for batch in [256usize, 1024] {
        let z = random_tensor::<CpuAutodiff>(batch, 128, 3).require_grad();
        let w = random_tensor::<CpuAutodiff>(batch, 128, 4).require_grad();
        let scale = Tensor::<CpuAutodiff, 1>::from_floats([10.0], &Default::default());
        group.bench_with_input(BenchmarkId::new("fused/fwd-bwd", batch), &batch, |b, _| {
            b.iter(|| black_box(symmetric_infonce(z.clone(), w.clone(), scale.clone()).backward()))
        });
        group.bench_with_input(BenchmarkId::new("burn/fwd-bwd", batch), &batch, |b, _| {
            b.iter(|| {
                black_box(
                    symmetric_infonce_reference(z.clone(), w.clone(), scale.clone()).backward(),
                )
            })
        });
    }
    group.finish();
}

fn bench_dense(c: &mut Criterion) {
    let mut group = c.benchmark_group("dense");
    group.sample_size(20);
    // One hidden layer of the mlp-step benchmark: batch 1024, 512 → 256, ReLU.
    let x = random_tensor::<CpuAutodiff>(1024, 512, 5);
    let w = random_tensor::<CpuAutodiff>(512, 256, 6).require_grad();
    let bias = Tensor::<CpuAutodiff, 1>::zeros([256], &Default::default()).require_grad();
    group.bench_function("fused/fwd-bwd", |b| {
        b.iter(|| {
            let y = dense(x.clone(), w.clone(), Some(bias.clone()), Activation::Relu);
            black_box(y.sum().backward())
        })
    });
    group.bench_function("burn/fwd-bwd", |b| {
        b.iter(|| {
            let y = dense_reference(x.clone(), w.clone(), Some(bias.clone()), Activation::Relu);
            black_box(y.sum().backward())
        })
    });
    group.finish();
}

criterion_group!(kernels, bench_spmm, bench_infonce, bench_dense);
criterion_main!(kernels);
