//! Property tests over random shapes and values: broadcasting ops and matmul against naive
//! reference loops written here, and their gradients against finite differences.

use proptest::prelude::*;
use tapegrad::{gradcheck, Tensor};

/// A shape of rank 1..=3 and a second shape broadcast-compatible with it: each trailing
/// dimension is kept or replaced by 1, and leading dimensions may be dropped.
fn broadcast_pair() -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    prop::collection::vec(1usize..5, 1..=3)
        .prop_flat_map(|a| {
            let n = a.len();
            (Just(a), prop::collection::vec(any::<bool>(), n), 0..n)
        })
        .prop_map(|(a, ones, drop)| {
            let b: Vec<usize> = a
                .iter()
                .zip(&ones)
                .map(|(&d, &one)| if one { 1 } else { d })
                .collect();
            (a, b[drop..].to_vec())
        })
}

fn values(n: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(0.25f64..3.0, n).prop_flat_map(|v| {
        let n = v.len();
        (Just(v), prop::collection::vec(any::<bool>(), n)).prop_map(|(v, neg)| {
            v.iter()
                .zip(neg)
                .map(|(x, s)| if s { -x } else { *x })
                .collect()
        })
    })
}

fn tensor(shape: Vec<usize>) -> impl Strategy<Value = Tensor> {
    let n = shape.iter().product();
    values(n).prop_map(move |v| Tensor::from_vec(v, &shape).unwrap())
}

type TensorOp = fn(&Tensor, &Tensor) -> Tensor;
type ScalarOp = fn(f64, f64) -> f64;

/// The element of `t` that broadcasting reads for output multi-index `idx`.
fn broadcast_get(t: &Tensor, idx: &[usize]) -> f64 {
    let lead = idx.len() - t.ndim();
    let own: Vec<usize> = t
        .shape()
        .iter()
        .enumerate()
        .map(|(i, &d)| if d == 1 { 0 } else { idx[lead + i] })
        .collect();
    t.get(&own)
}

fn indices(shape: &[usize]) -> Vec<Vec<usize>> {
    let mut all = vec![vec![]];
    for &d in shape {
        all = all
            .into_iter()
            .flat_map(|p| (0..d).map(move |i| [p.clone(), vec![i]].concat()))
            .collect();
    }
    all
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn broadcast_ops_match_naive_loops((sa, sb) in broadcast_pair(), swap in any::<bool>(), seed in 0u64..1000) {
        let (sa, sb) = if swap { (sb, sa) } else { (sa, sb) };
        let n_a: usize = sa.iter().product();
        let n_b: usize = sb.iter().product();
        let a = Tensor::from_vec((0..n_a).map(|i| ((i as u64 * 37 + seed) % 19) as f64 - 9.5).collect(), &sa).unwrap();
        let b = Tensor::from_vec((0..n_b).map(|i| ((i as u64 * 11 + seed) % 13) as f64 + 0.5).collect(), &sb).unwrap();
        // NumPy's rule, written out: right-align, missing dimensions are 1, take the larger.
        let rank = sa.len().max(sb.len());
        let dim = |s: &[usize], i: usize| if i + s.len() < rank { 1 } else { s[i + s.len() - rank] };
        let out_shape: Vec<usize> = (0..rank).map(|i| dim(&sa, i).max(dim(&sb, i))).collect();
        let ops: [(TensorOp, ScalarOp); 4] = [
            (|a, b| a.broadcast_add(b), |x, y| x + y),
            (|a, b| a.broadcast_sub(b), |x, y| x - y),
            (|a, b| a.broadcast_mul(b), |x, y| x * y),
            (|a, b| a.broadcast_div(b), |x, y| x / y),
        ];
        for (op, f) in ops {
            let c = op(&a, &b);
            prop_assert_eq!(c.shape(), &out_shape[..]);
            for idx in indices(&out_shape) {
                prop_assert_eq!(c.get(&idx), f(broadcast_get(&a, &idx), broadcast_get(&b, &idx)));
            }
        }
    }

    #[test]
    fn broadcast_gradients_match_finite_differences(
        (a, b) in broadcast_pair().prop_flat_map(|(sa, sb)| (tensor(sa), tensor(sb))),
        swap in any::<bool>(),
    ) {
        let ps = if swap { [b, a] } else { [a, b] };
        for k in 0..4 {
            let report = gradcheck(&ps, |_, p| {
                let c = match k {
                    0 => p[0].broadcast_add(p[1]),
                    1 => p[0].broadcast_sub(p[1]),
                    2 => p[0].broadcast_mul(p[1]),
                    _ => p[0].broadcast_div(p[1]),
                };
                (c * c).sum()
            }).unwrap();
            prop_assert!(report.error < 1e-6, "op {}: {}", k, report);
        }
    }

    #[test]
    fn matmul_matches_naive_loops_and_finite_differences(
        (m, k, n) in (1usize..6, 1usize..6, 1usize..6),
        ta in any::<bool>(),
        tb in any::<bool>(),
        seed in 0u64..1000,
    ) {
        let fill = |len: usize, salt: u64| -> Vec<f64> {
            (0..len).map(|i| (((i as u64 + 1) * (salt + seed)) % 23) as f64 / 7.0 - 1.5).collect()
        };
        // Build A (m, k) and B (k, n), optionally as transposed views of their transposes.
        let a = if ta { Tensor::from_vec(fill(m * k, 3), &[k, m]).unwrap().t() } else { Tensor::from_vec(fill(m * k, 3), &[m, k]).unwrap() };
        let b = if tb { Tensor::from_vec(fill(k * n, 5), &[n, k]).unwrap().t() } else { Tensor::from_vec(fill(k * n, 5), &[k, n]).unwrap() };
        let c = a.matmul(&b);
        prop_assert_eq!(c.shape(), &[m, n]);
        for i in 0..m {
            for j in 0..n {
                let expected: f64 = (0..k).map(|p| a.get(&[i, p]) * b.get(&[p, j])).sum();
                prop_assert!((c.get(&[i, j]) - expected).abs() <= 1e-12 * (1.0 + expected.abs()));
            }
        }
        let report = gradcheck(&[a.contiguous(), b.contiguous()], |_, p| {
            let c = p[0].matmul(p[1]);
            (c * c).sum()
        }).unwrap();
        prop_assert!(report.error < 1e-6, "{}", report);
    }
}

/// An op on tensors and its scalar definition.
type UnaryCase = (fn(&Tensor) -> Tensor, fn(f64) -> f64);

/// A rank 1..=3 shape and an axis of it.
fn shape_and_axis() -> impl Strategy<Value = (Vec<usize>, usize)> {
    prop::collection::vec(1usize..5, 1..=3).prop_flat_map(|s| {
        let n = s.len();
        (Just(s), 0..n)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The elementwise functions against their scalar definitions, and their gradients
    /// against finite differences (values kept ≥ 0.25 from the kinks at 0).
    #[test]
    fn elementwise_ops_match_their_definitions(t in prop::collection::vec(1usize..5, 1..=3).prop_flat_map(tensor)) {
        let v = t.to_vec();
        let cases: [UnaryCase; 4] = [
            (|t| t.abs(), f64::abs),
            (|t| t.square(), |x| x * x),
            (|t| t.softplus(), |x| (1.0 + x.exp()).ln()),
            (|t| t.leaky_relu(0.1), |x| if x > 0.0 { x } else { 0.1 * x }),
        ];
        for (op, f) in cases {
            for (a, x) in op(&t).to_vec().iter().zip(&v) {
                prop_assert!((a - f(*x)).abs() <= 1e-12 * f(*x).abs().max(1.0));
            }
        }
        let report = gradcheck(std::slice::from_ref(&t), |_, p| {
            (p[0].abs() + p[0].square() + p[0].softplus() + p[0].leaky_relu(0.1)).sum()
        }).unwrap();
        prop_assert!(report.error < 1e-6, "{}", report);
    }

    /// select, narrow, concat and log_softmax along any axis: gradients against finite
    /// differences, and concat of the two halves of a narrow is the original.
    #[test]
    fn indexing_and_joining_along_any_axis((shape, axis) in shape_and_axis(), seed in 0u64..1000) {
        use rand::SeedableRng;
        let t = Tensor::randn(&shape, &mut rand::rngs::StdRng::seed_from_u64(seed));
        let n = shape[axis];
        let cut = n / 2;
        let halves = [t.narrow(axis, 0, cut), t.narrow(axis, cut, n - cut)];
        prop_assert_eq!(Tensor::concat(axis, &halves), t.clone());
        let idx: Vec<usize> = (0..n).rev().chain(0..n).collect();
        let report = gradcheck(std::slice::from_ref(&t), |tape, p| {
            let w = tape.constant(&Tensor::from_vec((0..2 * t.len()).map(|i| (i % 5) as f64 * 0.3 + 0.1).collect(), &{
                let mut s = shape.clone();
                s[axis] *= 2;
                s
            }).unwrap());
            let picked = p[0].select(axis, &idx);
            let joined = tapegrad::Var::concat(axis, &[p[0].narrow(axis, cut, n - cut), p[0], p[0].narrow(axis, 0, cut)]);
            (picked * w).sum() + (joined.log_softmax(axis) * w).sum()
        }).unwrap();
        prop_assert!(report.error < 1e-6, "{}", report);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// The remaining new ops on random shapes: sqrt, powf, clamp, max_axis/min_axis, reshape,
    /// stack, mse and the multi-class loss, each against finite differences.
    #[test]
    fn more_new_ops_against_finite_differences((shape, axis) in shape_and_axis(), seed in 0u64..1000) {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let n: usize = shape.iter().product();
        // Distinct positive values 0.1 apart, shuffled: no ties for max/min, no kink within h.
        let mut v: Vec<f64> = (0..n).map(|i| 0.5 + 0.1 * i as f64).collect();
        for i in (1..n).rev() {
            v.swap(i, rng.random_range(0..=i));
        }
        let t = Tensor::from_vec(v, &shape).unwrap();
        let target = Tensor::randn(&shape, &mut rng);
        let lo = 0.5 + 0.1 * (n / 3) as f64 + 0.05;
        let hi = lo + 0.1 * (n / 3) as f64;
        let report = gradcheck(&[t.clone(), target.clone()], |_, p| {
            let a = p[0].sqrt() + p[0].powf(1.5) + p[0].clamp(lo, hi);
            let m = p[0].max_axis(axis, false).sum() + p[0].min_axis(axis, true).sum();
            let s = tapegrad::Var::stack(0, &[p[0], p[1]]).reshape(&[2 * n]).square().sum();
            a.sum() + m + s + p[0].mse(p[1])
        }).unwrap();
        prop_assert!(report.error < 1e-6, "{}", report);
        let flat = t.reshape(&[1, n]);
        let cols = (n / 2).max(1);
        let logits = flat.narrow(1, 0, cols).reshape(&[1, cols]);
        let logits = Tensor::concat(0, &[logits.clone(), logits.mul_scalar(-0.5), logits.sqrt()]);
        let labels: Vec<usize> = (0..cols).map(|j| j % 3).collect();
        let report = gradcheck(std::slice::from_ref(&logits), |_, p| p[0].cross_entropy_with_indices(&labels)).unwrap();
        prop_assert!(report.error < 1e-6, "{}", report);
    }
}
