//! The ops beyond the course's: each with a finite-difference check (f64, central
//! differences, tolerance 1e-7 on O(1) values), its closed form, its error message naming the
//! op and the shapes, and the subgradient it picks at its kinks.

use std::panic::{catch_unwind, AssertUnwindSafe};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tapegrad::{gradcheck, Tape, Tensor, Var};

const TOL: f64 = 1e-7;

fn randn(shape: &[usize], seed: u64) -> Tensor {
    Tensor::randn(shape, &mut StdRng::seed_from_u64(seed))
}

/// Values in ±[lo, hi], so kinks (0, clamp bounds) are not within the finite difference.
fn away(shape: &[usize], lo: f64, hi: f64, seed: u64) -> Tensor {
    let mut rng = StdRng::seed_from_u64(seed);
    let n = shape.iter().product();
    let v = (0..n)
        .map(|_| {
            let x = rng.random_range(lo..hi);
            if rng.random_bool(0.5) {
                -x
            } else {
                x
            }
        })
        .collect();
    Tensor::from_vec(v, shape).unwrap()
}

/// A fixed non-uniform weighting, so every output element gets its own gradient.
fn weighted<'t>(tape: &'t Tape, v: Var<'t>) -> Var<'t> {
    let n: usize = v.shape().iter().product();
    let w = Tensor::from_vec(
        (0..n).map(|i| 0.3 + 0.21 * ((i * 5 % 7) as f64)).collect(),
        &v.shape(),
    )
    .unwrap();
    (v * tape.constant(&w)).sum()
}

#[track_caller]
fn check(params: &[Tensor], f: impl for<'t> Fn(&'t Tape, &[Var<'t>]) -> Var<'t>) {
    let report = gradcheck(params, f).unwrap();
    assert!(report.error < TOL, "{report}");
}

fn grad_of(x: &Tensor, f: impl for<'t> Fn(Var<'t>) -> Var<'t>) -> Vec<f64> {
    let tape = Tape::new();
    let v = tape.param(x);
    f(v).sum().backward().unwrap().wrt(v).unwrap().to_vec()
}

fn panic_message(f: impl FnOnce()) -> String {
    let err = catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
    err.downcast_ref::<String>().cloned().unwrap_or_default()
}

#[test]
fn elementwise_functions() {
    let x = away(&[3, 4], 0.2, 2.0, 1);
    check(std::slice::from_ref(&x), |t, p| weighted(t, p[0].abs()));
    check(std::slice::from_ref(&x), |t, p| weighted(t, p[0].square()));
    check(std::slice::from_ref(&x), |t, p| {
        weighted(t, p[0].leaky_relu(0.1))
    });
    check(std::slice::from_ref(&x), |t, p| {
        weighted(t, p[0].softplus())
    });
    check(std::slice::from_ref(&x), |t, p| {
        weighted(t, p[0].clamp(-1.0, 1.0))
    });
    let pos = away(&[3, 4], 0.3, 2.0, 2).abs();
    check(std::slice::from_ref(&pos), |t, p| weighted(t, p[0].sqrt()));
    check(std::slice::from_ref(&pos), |t, p| {
        weighted(t, p[0].powf(2.5))
    });
    check(std::slice::from_ref(&pos), |t, p| {
        weighted(t, p[0].powf(-0.5))
    });
    // Closed forms.
    let v = Tensor::from_vec(vec![-2.0, 0.0, 3.0], &[3]).unwrap();
    assert_eq!(v.abs().to_vec(), [2.0, 0.0, 3.0]);
    assert_eq!(v.square().to_vec(), [4.0, 0.0, 9.0]);
    assert_eq!(v.leaky_relu(0.5).to_vec(), [-1.0, 0.0, 3.0]);
    assert_eq!(v.clamp(-1.0, 2.0).to_vec(), [-1.0, 0.0, 2.0]);
    assert_eq!(
        Tensor::from_vec(vec![4.0, 9.0], &[2])
            .unwrap()
            .sqrt()
            .to_vec(),
        [2.0, 3.0]
    );
    assert_eq!(
        Tensor::from_vec(vec![2.0], &[1])
            .unwrap()
            .powf(3.0)
            .to_vec(),
        [8.0]
    );
    let big = Tensor::from_vec(vec![-1000.0, 0.0, 1000.0], &[3])
        .unwrap()
        .softplus()
        .to_vec();
    assert_eq!(big, [0.0, 2f64.ln(), 1000.0]);
}

#[test]
fn subgradients_at_the_kinks() {
    let x = Tensor::from_vec(vec![-1.0, 0.0, 1.0, 2.0], &[4]).unwrap();
    // abs at 0: 0.
    assert_eq!(grad_of(&x, |v| v.abs()), [-1.0, 0.0, 1.0, 1.0]);
    // leaky_relu at 0: alpha (like relu's 0 there).
    assert_eq!(grad_of(&x, |v| v.leaky_relu(0.25)), [0.25, 0.25, 1.0, 1.0]);
    // clamp at its bounds: the gradient passes (bounds included).
    assert_eq!(grad_of(&x, |v| v.clamp(0.0, 1.0)), [0.0, 1.0, 1.0, 0.0]);
    // max ties: the first index gets it all.
    let t = Tensor::from_vec(vec![3.0, 1.0, 3.0, 2.0, 5.0, 5.0], &[2, 3]).unwrap();
    assert_eq!(
        grad_of(&t, |v| v.max_axis(1, false)),
        [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    );
    assert_eq!(
        grad_of(&t, |v| v.min_axis(0, true)),
        [0.0, 1.0, 1.0, 1.0, 0.0, 0.0]
    );
    assert_eq!(t.argmax_axis(1), [0, 1]);
    assert_eq!(t.argmin_axis(1), [1, 0]);
    // sqrt at 0: infinite.
    let z = Tensor::from_vec(vec![0.0], &[1]).unwrap();
    assert_eq!(grad_of(&z, |v| v.sqrt()), [f64::INFINITY]);
}

#[test]
fn max_and_min_along_axes() {
    // Distinct values (no ties within a finite difference).
    let x = Tensor::from_vec(
        (0..24).map(|i| ((i * 7 % 24) as f64) * 0.1 - 1.0).collect(),
        &[2, 3, 4],
    )
    .unwrap();
    for axis in 0..3 {
        for keep in [false, true] {
            check(std::slice::from_ref(&x), |t, p| {
                weighted(t, p[0].max_axis(axis, keep))
            });
            check(std::slice::from_ref(&x), |t, p| {
                weighted(t, p[0].min_axis(axis, keep))
            });
        }
    }
    let m = x.max_axis(2, false);
    assert_eq!(m.shape(), &[2, 3]);
    for (k, &i) in x.argmax_axis(2).iter().enumerate() {
        assert_eq!(x.get(&[k / 3, k % 3, i]), m.to_vec()[k]);
    }
}

#[test]
fn reshape_concat_stack_narrow() {
    let a = randn(&[2, 3], 3);
    let b = randn(&[2, 5], 4);
    let c = randn(&[2, 3], 5);
    check(std::slice::from_ref(&a), |t, p| {
        weighted(t, p[0].reshape(&[3, 2]).matmul(p[0]))
    });
    check(&[a.clone(), b.clone()], |t, p| {
        weighted(t, Var::concat(1, &[p[0], p[1], p[0]]))
    });
    check(&[a.clone(), c.clone()], |t, p| {
        weighted(t, Var::concat(0, &[p[1], p[0]]))
    });
    for axis in 0..3 {
        check(&[a.clone(), c.clone()], |t, p| {
            weighted(t, Var::stack(axis, &[p[0], p[1], p[0]]))
        });
    }
    check(std::slice::from_ref(&b), |t, p| {
        weighted(t, p[0].narrow(1, 1, 3))
    });
    // Closed forms.
    let s = Tensor::stack(0, &[a.clone(), c.clone()]);
    assert_eq!(s.shape(), &[2, 2, 3]);
    assert_eq!(s.to_vec(), [a.to_vec(), c.to_vec()].concat());
    let s = Tensor::stack(2, &[a.clone(), c.clone()]);
    assert_eq!(s.get(&[1, 2, 1]), c.get(&[1, 2]));
    let j = Tensor::concat(1, &[a.clone(), b.clone()]);
    assert_eq!(j.shape(), &[2, 8]);
    assert_eq!(j.get(&[1, 4]), b.get(&[1, 1]));
    assert_eq!(j.narrow(1, 3, 5), b);
}

#[test]
fn log_softmax_cross_entropy_and_mse() {
    let z = randn(&[4, 5], 6);
    check(std::slice::from_ref(&z), |t, p| {
        weighted(t, p[0].log_softmax(0))
    });
    check(std::slice::from_ref(&z), |t, p| {
        weighted(t, p[0].log_softmax(1))
    });
    let labels = [3, 0, 1, 1, 2];
    check(std::slice::from_ref(&z), |_, p| {
        p[0].cross_entropy_with_indices(&labels)
    });
    let y = randn(&[4, 5], 7);
    check(&[z.clone(), y.clone()], |_, p| p[0].mse(p[1]));
    // Closed forms: log softmax = log of softmax, stable at ±1000.
    let ls = z.log_softmax(0).to_vec();
    for (a, b) in ls.iter().zip(z.softmax(0).to_vec()) {
        assert!((a - b.ln()).abs() < 1e-14);
    }
    let huge = Tensor::from_vec(vec![1000.0, -1000.0, 0.0, 0.0], &[2, 2]).unwrap();
    assert!(huge.log_softmax(0).all_finite());
    // J = mean of −log p[label]; mse of a−b.
    let j = z.cross_entropy_with_indices(&labels).item();
    // Independently: −(1/m) Σ_j (z[y_j, j] − ln Σ_c e^{z[c, j]}), the log-sum-exp by hand.
    let want: f64 = -labels
        .iter()
        .enumerate()
        .map(|(k, &c)| z.get(&[c, k]) - (0..4).map(|r| z.get(&[r, k]).exp()).sum::<f64>().ln())
        .sum::<f64>()
        / 5.0;
    assert!((j - want).abs() < 1e-14, "{j} vs {want}");
    let d: f64 = z
        .to_vec()
        .iter()
        .zip(y.to_vec())
        .map(|(a, b)| (a - b) * (a - b))
        .sum::<f64>()
        / 20.0;
    assert!((z.mse(&y).item() - d).abs() < 1e-15);
}

#[test]
fn errors_name_the_op_and_the_shapes() {
    let x = Tensor::<f64>::ones(&[2, 3]);
    let tape = Tape::new();
    let v = tape.param(&x);
    assert_eq!(
        v.try_reshape(&[4]).unwrap_err().to_string(),
        "reshape: cannot reshape (2, 3) into (4,)"
    );
    assert_eq!(
        Tensor::try_concat(1, &[x.clone(), Tensor::ones(&[3, 1])])
            .unwrap_err()
            .to_string(),
        "concat: input 1 has shape (3, 1), input 0 has (2, 3): they must agree except along axis 1"
    );
    assert_eq!(
        Tensor::<f64>::try_concat(0, &[]).unwrap_err().to_string(),
        "concat: needs at least one input"
    );
    assert_eq!(
        Var::try_stack(0, &[v, tape.param(&Tensor::ones(&[3, 2]))])
            .unwrap_err()
            .to_string(),
        "stack: input 1 has shape (3, 2), input 0 has (2, 3): they must be equal"
    );
    assert_eq!(
        v.try_max_axis(2, false).unwrap_err().to_string(),
        "max_axis: axis 2 is out of range for shape (2, 3)"
    );
    assert_eq!(
        Tensor::<f64>::zeros(&[0, 2])
            .try_argmax_axis(0)
            .unwrap_err()
            .to_string(),
        "argmax_axis: axis 0 of shape (0, 2) is empty"
    );
    assert_eq!(
        v.try_log_softmax(3).unwrap_err().to_string(),
        "log_softmax: axis 3 is out of range for shape (2, 3)"
    );
    assert_eq!(
        v.try_cross_entropy_with_indices(&[0, 1])
            .unwrap_err()
            .to_string(),
        "cross_entropy_with_indices: 2 labels for logits of shape (2, 3) (3 examples)"
    );
    assert_eq!(
        v.try_cross_entropy_with_indices(&[0, 2, 1]).unwrap_err().to_string(),
        "cross_entropy_with_indices: label 2 of example 1 is not below the 2 classes of shape (2, 3)"
    );
    let w = tape.param(&Tensor::ones(&[3, 2]));
    assert_eq!(
        v.try_mse(w).unwrap_err().to_string(),
        "mse: shapes differ: (2, 3) and (3, 2)"
    );
    assert_eq!(
        panic_message(|| {
            let _ = v.mse(w);
        }),
        "mse: shapes differ: (2, 3) and (3, 2)"
    );
}

#[test]
fn multi_class_accuracy() {
    let z = Tensor::from_vec(vec![0.1, 0.9, 0.5, 0.8, 0.05, 0.5, 0.1, 0.05, 0.0], &[3, 3]).unwrap();
    // Column 2 ties 0.5, 0.5: class 0 (the first).
    assert_eq!(z.argmax_axis(0), [1, 0, 0]);
    assert_eq!(tapegrad::nn::accuracy_from_logits(&z, &[1, 0, 0]), 3);
    assert_eq!(tapegrad::nn::accuracy_from_logits(&z, &[1, 1, 2]), 1);
}

#[test]
fn edge_cases_chosen_as_numpy_or_the_math_says() {
    // powf(0): z⁰ = 1, derivative 0 also at z = 0 (not 0·0⁻¹ = NaN).
    let z = Tensor::from_vec(vec![0.0, 2.0], &[2]).unwrap();
    assert_eq!(grad_of(&z, |v| v.powf(0.0)), [0.0, 0.0]);
    // clamp keeps NaN, like NumPy's clip, and wants min ≤ max.
    let n = Tensor::from_vec(vec![f64::NAN, 5.0], &[2])
        .unwrap()
        .clamp(0.0, 1.0)
        .to_vec();
    assert!(n[0].is_nan() && n[1] == 1.0);
    assert_eq!(
        panic_message(|| drop(Tensor::<f64>::ones(&[1]).clamp(2.0, 1.0))),
        "clamp: min 2 is above max 1"
    );
    // A max or min over an empty axis has no value: an error on tensors and the tape alike.
    let empty = Tensor::<f64>::zeros(&[2, 0]);
    assert_eq!(
        empty.try_max_axis(1, false).unwrap_err().to_string(),
        "max_axis: axis 1 of shape (2, 0) is empty"
    );
    assert_eq!(
        empty.try_min_axis(1, true).unwrap_err().to_string(),
        "min_axis: axis 1 of shape (2, 0) is empty"
    );
    let tape = Tape::new();
    assert!(tape.param(&empty).try_max_axis(1, false).is_err());
}
