//! Modality-structure regularisers (Jiang et al., CVPR 2023): deep feature
//! separation, the Brownian bridge and geometric consistency.
//!
//! Inputs are `[N, m]` batches of L2-normalised embeddings: `v`/`t` are the
//! two modalities, `*_aug` their augmented inputs, `*_ind` the
//! modality-specific ("independent") heads.

use burn::tensor::{Tensor, backend::Backend};

/// Rows scaled to unit L2 norm.
pub fn normalize<B: Backend>(x: Tensor<B, 2>) -> Tensor<B, 2> {
    let norm = x.clone().square().sum_dim(1).add_scalar(1e-12).sqrt();
    x / norm
}

fn gram<B: Backend>(a: Tensor<B, 2>, b: Tensor<B, 2>) -> Tensor<B, 2> {
    a.matmul(b.transpose())
}

fn sq_frobenius<B: Backend>(x: Tensor<B, 2>) -> Tensor<B, 1> {
    x.square().sum()
}

/// `L_Ortho` for one modality: `(1/N) Σ_j ⟨z_j, z^i_j⟩²`.
pub fn orthogonality<B: Backend>(z: Tensor<B, 2>, z_ind: Tensor<B, 2>) -> Tensor<B, 1> {
    (z * z_ind).sum_dim(1).square().mean()
}

/// `L^i_Uni = log((1/N) Σ_j Σ_k [e^{−t‖a_j − a_k‖²} + e^{−t‖b_j − b_k‖²}])`.
pub fn uniformity<B: Backend>(a: Tensor<B, 2>, b: Tensor<B, 2>, t: f64) -> Tensor<B, 1> {
    let n = a.dims()[0] as f64;
    let kernel_sum = |x: Tensor<B, 2>| {
        let sq = x.clone().square().sum_dim(1);
        let dist = sq.clone() + sq.transpose() - gram(x.clone(), x) * 2.0;
        (dist * (-t)).exp().sum()
    };
    ((kernel_sum(a) + kernel_sum(b)) / n).log()
}

/// `L_Br = (1/N) Σ_j ‖z^a_Vj − μ_j‖²`, `μ_j = normalize(t z_Vj + (1 − t) z_Tj)`.
pub fn brownian_bridge<B: Backend>(
    v: Tensor<B, 2>,
    t_emb: Tensor<B, 2>,
    v_aug: Tensor<B, 2>,
    t: f64,
) -> Tensor<B, 1> {
    let mu = normalize(v * t + t_emb * (1.0 - t));
    (v_aug - mu).square().sum_dim(1).mean()
}

/// `L_GC = (1/N)(‖G_VT − G_VTᵀ‖²_F + ‖G_VV − G_TT‖²_F)` (CyCLIP's two cyclic terms).
pub fn geometric_consistency<B: Backend>(v: Tensor<B, 2>, t: Tensor<B, 2>) -> Tensor<B, 1> {
    let n = v.dims()[0] as f64;
    let g_vt = gram(v.clone(), t.clone());
    let cross = sq_frobenius(g_vt.clone() - g_vt.transpose());
    let within = sq_frobenius(gram(v.clone(), v) - gram(t.clone(), t));
    (cross + within) / n
}

/// `L^a_GC = (1/N)(‖G_VV − G^a_VV‖² + ‖G_TT − G^a_TT‖²) + (1/N) Σ_j (⟨z_Vj, z_Tj⟩ − ⟨z^a_Vj, z^a_Tj⟩)²`.
pub fn geometric_consistency_augmented<B: Backend>(
    v: Tensor<B, 2>,
    t: Tensor<B, 2>,
    v_aug: Tensor<B, 2>,
    t_aug: Tensor<B, 2>,
) -> Tensor<B, 1> {
    let n = v.dims()[0] as f64;
    let vv = sq_frobenius(gram(v.clone(), v.clone()) - gram(v_aug.clone(), v_aug.clone()));
    let tt = sq_frobenius(gram(t.clone(), t.clone()) - gram(t_aug.clone(), t_aug.clone()));
    let pairs = ((v * t).sum_dim(1) - (v_aug * t_aug).sum_dim(1))
        .square()
        .sum();
    (vv + tt + pairs) / n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::{self, Mat, dot};
    use tessera_core::backend::CpuAutodiff;

    type B = CpuAutodiff;

    fn value(t: Tensor<B, 1>) -> f64 {
        f64::from(t.into_scalar())
    }

    fn bridge_point(v: &[f64], t_emb: &[f64], t: f64) -> Vec<f64> {
        let mu: Vec<f64> = v
            .iter()
            .zip(t_emb)
            .map(|(a, b)| t * a + (1.0 - t) * b)
            .collect();
        let n = dot(&mu, &mu).sqrt();
        mu.into_iter().map(|x| x / n).collect()
    }

    fn ref_bridge(v: &Mat, tm: &Mat, va: &Mat, t: f64) -> f64 {
        (0..v.rows)
            .map(|j| {
                let mu = bridge_point(v.row(j), tm.row(j), t);
                va.row(j)
                    .iter()
                    .zip(&mu)
                    .map(|(a, b)| (a - b).powi(2))
                    .sum::<f64>()
            })
            .sum::<f64>()
            / v.rows as f64
    }

    /// The double sums of the spec, entry by entry.
    fn ref_gc(v: &Mat, t: &Mat) -> f64 {
        let n = v.rows;
        let mut total = 0.0;
        for j in 0..n {
            for k in 0..n {
                total += (dot(v.row(j), t.row(k)) - dot(v.row(k), t.row(j))).powi(2)
                    + (dot(v.row(j), v.row(k)) - dot(t.row(j), t.row(k))).powi(2);
            }
        }
        total / n as f64
    }

    fn ref_gc_aug(v: &Mat, t: &Mat, va: &Mat, ta: &Mat) -> f64 {
        let n = v.rows;
        let mut total = 0.0;
        for j in 0..n {
            for k in 0..n {
                total += (dot(v.row(j), v.row(k)) - dot(va.row(j), va.row(k))).powi(2)
                    + (dot(t.row(j), t.row(k)) - dot(ta.row(j), ta.row(k))).powi(2);
            }
            total += (dot(v.row(j), t.row(j)) - dot(va.row(j), ta.row(j))).powi(2);
        }
        total / n as f64
    }

    fn ref_uniformity(a: &Mat, b: &Mat, t: f64) -> f64 {
        let k = |x: &Mat| -> f64 {
            let mut s = 0.0;
            for j in 0..x.rows {
                for l in 0..x.rows {
                    let d: f64 = x
                        .row(j)
                        .iter()
                        .zip(x.row(l))
                        .map(|(p, q)| (p - q).powi(2))
                        .sum();
                    s += (-t * d).exp();
                }
            }
            s
        };
        ((k(a) + k(b)) / a.rows as f64).ln()
    }

    #[test]
    fn brownian_bridge_closed_form_equals_squared_distance() {
        let (v, tm) = reference::unit_pair(5, 4, 21);
        let va = reference::unit(5, 4, 22);
        let t = 0.25;
        let closed: f64 = (0..5)
            .map(|j| {
                let num = t * dot(v.row(j), va.row(j)) + (1.0 - t) * dot(tm.row(j), va.row(j));
                let den = (t * t
                    + (1.0 - t) * (1.0 - t)
                    + 2.0 * t * (1.0 - t) * dot(v.row(j), tm.row(j)))
                .sqrt();
                2.0 - 2.0 * num / den
            })
            .sum::<f64>()
            / 5.0;
        assert!((closed - ref_bridge(&v, &tm, &va, t)).abs() < 1e-12);
        let ours = value(brownian_bridge(
            v.tensor::<B>(),
            tm.tensor::<B>(),
            va.tensor::<B>(),
            t,
        ));
        assert!((ours - closed).abs() < 1e-5, "{ours} vs {closed}");
        // With t = 0.25 the bridge point is closer to the second (text) embedding.
        let mu = bridge_point(v.row(0), tm.row(0), t);
        assert!(dot(&mu, tm.row(0)) > dot(&mu, v.row(0)));
    }

    #[test]
    fn gc_is_zero_when_gram_matrices_coincide() {
        let v = reference::unit(6, 4, 31);
        // A Householder reflection H is orthogonal and symmetric: T = V H keeps
        // G_TT = G_VV and makes G_VT = V H Vᵀ symmetric.
        let u = reference::unit(1, 4, 32);
        let h: Vec<f64> = (0..16)
            .map(|k| f64::from(u8::from(k / 4 == k % 4)) - 2.0 * u.data[k / 4] * u.data[k % 4])
            .collect();
        let t = Mat {
            rows: 6,
            cols: 4,
            data: (0..24)
                .map(|k| (0..4).map(|l| v.at(k / 4, l) * h[l * 4 + k % 4]).sum())
                .collect(),
        };
        assert!(ref_gc(&v, &t) < 1e-20);
        assert!(value(geometric_consistency(v.tensor::<B>(), t.tensor::<B>())).abs() < 1e-5);
        assert!(
            value(geometric_consistency_augmented(
                v.tensor::<B>(),
                t.tensor::<B>(),
                v.tensor::<B>(),
                t.tensor::<B>()
            ))
            .abs()
                < 1e-5
        );
        let other = reference::unit(6, 4, 33);
        assert!(value(geometric_consistency(v.tensor::<B>(), other.tensor::<B>())) > 0.1);
    }

    #[test]
    fn gram_forms_equal_double_sums_on_five_rows() {
        let (v, t) = reference::unit_pair(5, 3, 41);
        let (va, ta) = reference::unit_pair(5, 3, 42);
        let gc = value(geometric_consistency(v.tensor::<B>(), t.tensor::<B>()));
        assert!((gc - ref_gc(&v, &t)).abs() < 1e-5, "{gc}");
        let gca = value(geometric_consistency_augmented(
            v.tensor::<B>(),
            t.tensor::<B>(),
            va.tensor::<B>(),
            ta.tensor::<B>(),
        ));
        assert!((gca - ref_gc_aug(&v, &t, &va, &ta)).abs() < 1e-5, "{gca}");
        let uni = value(uniformity(v.tensor::<B>(), t.tensor::<B>(), 2.0));
        assert!((uni - ref_uniformity(&v, &t, 2.0)).abs() < 1e-5, "{uni}");
    }

    #[test]
    fn orthogonality_is_zero_for_orthogonal_features() {
        let z = Mat {
            rows: 2,
            cols: 3,
            data: vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0],
        };
        let zi = Mat {
            rows: 2,
            cols: 3,
            data: vec![0.0, 0.6, 0.8, 0.0, 0.0, 1.0],
        };
        assert!(value(orthogonality(z.tensor::<B>(), zi.tensor::<B>())).abs() < 1e-7);
        assert!((value(orthogonality(z.tensor::<B>(), z.tensor::<B>())) - 1.0).abs() < 1e-6);
    }

    #[test]
    fn regulariser_gradients_match_finite_differences() {
        let (v, t) = reference::unit_pair(4, 3, 51);
        let (va, ta) = reference::unit_pair(4, 3, 52);
        let check = |f_ref: &dyn Fn(&Mat) -> f64, f_ours: &dyn Fn(Tensor<B, 2>) -> Tensor<B, 1>| {
            let x = v.tensor::<B>().require_grad();
            let grads = f_ours(x.clone()).backward();
            reference::assert_grad(
                &Mat::from_tensor(x.grad(&grads).unwrap()),
                &reference::fd_grad(&v, f_ref),
                2e-3,
            );
        };
        check(&|p| ref_bridge(p, &t, &va, 0.25), &|x| {
            brownian_bridge(x, t.tensor(), va.tensor(), 0.25)
        });
        check(&|p| ref_gc(p, &t), &|x| {
            geometric_consistency(x, t.tensor())
        });
        check(&|p| ref_gc_aug(p, &t, &va, &ta), &|x| {
            geometric_consistency_augmented(x, t.tensor(), va.tensor(), ta.tensor())
        });
        check(&|p| ref_uniformity(p, &t, 2.0), &|x| {
            uniformity(x, t.tensor(), 2.0)
        });
        let ref_ortho =
            |p: &Mat| (0..4).map(|j| dot(p.row(j), t.row(j)).powi(2)).sum::<f64>() / 4.0;
        check(&ref_ortho, &|x| orthogonality(x, t.tensor()));
    }
}
