//! Finite-difference checks (f64, central differences) of every op's backward rule, on
//! non-square shapes, with broadcasting both ways, reused values and chains.
//!
//! Tolerances: `gradcheck`'s error is `|analytic − numeric| / max(1, |analytic|, |numeric|)`.
//! With h = 1e-6 the central difference is good to about 1e-9 on these O(1) functions, so
//! smooth ops are held to 1e-7; ops with kinks (relu) use inputs at least 0.05 from the kink.

mod common;

use common::{away_from_zero, weights};
use rand::rngs::StdRng;
use rand::SeedableRng;
use tapegrad::{gradcheck, Tape, Tensor, Var};

const TOL: f64 = 1e-7;

fn rand_t(shape: &[usize], rng: &mut StdRng) -> Tensor {
    Tensor::randn(shape, rng)
}

fn weighted_sum<'t>(tape: &'t Tape, v: Var<'t>) -> Var<'t> {
    let w = tape.constant(&weights(&v.shape()));
    (v * w).sum()
}

fn check(params: &[Tensor], f: impl for<'t> Fn(&'t Tape, &[Var<'t>]) -> Var<'t>, tol: f64) {
    let report = gradcheck(params, f).unwrap();
    assert!(report.error < tol, "{report}");
    let n: usize = params.iter().map(Tensor::len).sum();
    assert_eq!(report.checked, n);
}

#[test]
fn matmul_non_square_both_operands() {
    let mut rng = StdRng::seed_from_u64(1);
    let (a, b) = (rand_t(&[3, 5], &mut rng), rand_t(&[5, 2], &mut rng));
    check(&[a, b], |t, p| weighted_sum(t, p[0].matmul(p[1])), TOL);
}

#[test]
fn matmul_with_transposed_operands() {
    let mut rng = StdRng::seed_from_u64(2);
    let (a, b) = (rand_t(&[5, 3], &mut rng), rand_t(&[2, 5], &mut rng));
    // (aᵀ·bᵀ) is (3, 2); both operands are transposed views.
    check(
        &[a, b],
        |t, p| weighted_sum(t, p[0].t().matmul(p[1].t())),
        TOL,
    );
}

#[test]
fn transpose_alone() {
    let mut rng = StdRng::seed_from_u64(3);
    check(
        &[rand_t(&[2, 4], &mut rng)],
        |t, p| weighted_sum(t, p[0].t()),
        TOL,
    );
}

#[test]
fn equal_shape_arithmetic() {
    let mut rng = StdRng::seed_from_u64(4);
    let a = rand_t(&[3, 4], &mut rng);
    let b = away_from_zero(&[3, 4], 0.5, 2.0, true, &mut rng);
    let ps = [a, b];
    check(&ps, |t, p| weighted_sum(t, p[0] + p[1]), TOL);
    check(&ps, |t, p| weighted_sum(t, p[0] - p[1]), TOL);
    check(&ps, |t, p| weighted_sum(t, p[0] * p[1]), TOL);
    check(&ps, |t, p| weighted_sum(t, p[0] / p[1]), TOL);
    check(&ps, |t, p| weighted_sum(t, -p[0]), TOL);
}

#[test]
fn scalar_on_either_side() {
    let mut rng = StdRng::seed_from_u64(5);
    let x = away_from_zero(&[2, 3], 0.5, 2.0, true, &mut rng);
    let ps = [x];
    check(&ps, |t, p| weighted_sum(t, 1.0 - p[0]), TOL);
    check(&ps, |t, p| weighted_sum(t, p[0] - 0.3), TOL);
    check(&ps, |t, p| weighted_sum(t, 2.5 * p[0] + 1.0), TOL);
    check(&ps, |t, p| weighted_sum(t, 3.0 + p[0] * 0.5), TOL);
    check(&ps, |t, p| weighted_sum(t, p[0] / 4.0), TOL);
    check(&ps, |t, p| weighted_sum(t, 2.0 / p[0]), TOL);
}

/// Broadcasting both ways: a column (n, 1) and a row (1, m) against (n, m), a scalar-like
/// (1, 1), a missing leading dimension, and (n, 1) against (1, m) giving (n, m).
#[test]
fn broadcast_ops_every_direction() {
    let mut rng = StdRng::seed_from_u64(6);
    let big = rand_t(&[3, 4], &mut rng);
    let operands = [
        away_from_zero(&[3, 1], 0.5, 2.0, true, &mut rng),
        away_from_zero(&[1, 4], 0.5, 2.0, true, &mut rng),
        away_from_zero(&[1, 1], 0.5, 2.0, true, &mut rng),
        away_from_zero(&[4], 0.5, 2.0, true, &mut rng),
    ];
    for small in operands {
        let ps = [big.clone(), small.clone()];
        check(&ps, |t, p| weighted_sum(t, p[0].broadcast_add(p[1])), TOL);
        check(&ps, |t, p| weighted_sum(t, p[1].broadcast_add(p[0])), TOL);
        check(&ps, |t, p| weighted_sum(t, p[0].broadcast_sub(p[1])), TOL);
        check(&ps, |t, p| weighted_sum(t, p[1].broadcast_sub(p[0])), TOL);
        check(&ps, |t, p| weighted_sum(t, p[0].broadcast_mul(p[1])), TOL);
        check(&ps, |t, p| weighted_sum(t, p[0].broadcast_div(p[1])), TOL);
    }
    let col = rand_t(&[3, 1], &mut rng);
    let row = away_from_zero(&[1, 5], 0.5, 2.0, true, &mut rng);
    let ps = [col, row];
    check(&ps, |t, p| weighted_sum(t, p[0].broadcast_mul(p[1])), TOL);
    check(&ps, |t, p| weighted_sum(t, p[0].broadcast_div(p[1])), TOL);
}

#[test]
fn bias_gradient_is_the_column_sum() {
    // Z = W·X + b with b (n, 1): dL/db = Σ_cols dL/dZ, the course's db (times m).
    let mut rng = StdRng::seed_from_u64(7);
    let w = rand_t(&[4, 3], &mut rng);
    let x = rand_t(&[3, 6], &mut rng);
    let b = rand_t(&[4, 1], &mut rng);
    let tape = Tape::new();
    let (wv, xv, bv) = (tape.param(&w), tape.constant(&x), tape.param(&b));
    let z = wv.matmul(xv).broadcast_add(bv);
    let wz = weights(&[4, 6]);
    let grads = (z * tape.constant(&wz)).sum().backward().unwrap();
    let db = grads.wrt(bv).unwrap();
    assert_eq!(db.shape(), &[4, 1]);
    // dL/dZ = wz, so db[i] = Σ_j wz[i, j], computed here by hand.
    for i in 0..4 {
        let expected: f64 = (0..6).map(|j| wz.get(&[i, j])).sum();
        assert!((db.get(&[i, 0]) - expected).abs() < 1e-12);
    }
    assert!(grads.wrt(xv).is_none(), "a constant gets no gradient");
}

#[test]
fn activations() {
    let mut rng = StdRng::seed_from_u64(8);
    let z = rand_t(&[3, 5], &mut rng);
    let ps = [z];
    check(&ps, |t, p| weighted_sum(t, p[0].sigmoid()), TOL);
    check(&ps, |t, p| weighted_sum(t, p[0].tanh()), TOL);
    check(&ps, |t, p| weighted_sum(t, p[0].exp()), TOL);
    let kinked = [away_from_zero(&[3, 5], 0.05, 2.0, true, &mut rng)];
    check(&kinked, |t, p| weighted_sum(t, p[0].relu()), TOL);
    let positive = [away_from_zero(&[3, 5], 0.2, 3.0, false, &mut rng)];
    check(&positive, |t, p| weighted_sum(t, p[0].log()), TOL);
}

#[test]
fn reductions() {
    let mut rng = StdRng::seed_from_u64(9);
    let x = rand_t(&[3, 4], &mut rng);
    let ps = [x];
    check(&ps, |_, p| p[0].sum(), TOL);
    check(&ps, |_, p| (p[0] * p[0]).mean(), TOL);
    for axis in 0..2 {
        for keep in [false, true] {
            check(&ps, |t, p| weighted_sum(t, p[0].sum_axis(axis, keep)), TOL);
            check(&ps, |t, p| weighted_sum(t, p[0].mean_axis(axis, keep)), TOL);
        }
    }
    let cube = [rand_t(&[2, 3, 4], &mut rng)];
    for axis in 0..3 {
        check(
            &cube,
            |t, p| weighted_sum(t, p[0].sum_axis(axis, false)),
            TOL,
        );
    }
}

#[test]
fn softmax_along_each_axis() {
    let mut rng = StdRng::seed_from_u64(10);
    let z = rand_t(&[4, 3], &mut rng);
    for axis in 0..2 {
        check(
            std::slice::from_ref(&z),
            |t, p| weighted_sum(t, p[0].softmax(axis)),
            TOL,
        );
    }
    // Cross-entropy with one-hot labels, the course's softmax loss.
    let y = Tensor::from_vec(
        vec![0., 1., 0., 1., 0., 0., 0., 0., 1., 0., 0., 0.],
        &[4, 3],
    )
    .unwrap();
    check(
        &[z],
        |t, p| {
            -(t.constant(&y) * p[0].softmax(0).log())
                .sum_axis(0, false)
                .mean()
        },
        TOL,
    );
}

#[test]
fn bce_with_logits_in_logits_and_labels() {
    let mut rng = StdRng::seed_from_u64(11);
    let z = rand_t(&[1, 7], &mut rng);
    let y = away_from_zero(&[1, 7], 0.0, 1.0, false, &mut rng);
    check(&[z, y], |_, p| p[0].bce_with_logits(p[1]), TOL);
}

#[test]
fn values_used_twice() {
    let mut rng = StdRng::seed_from_u64(12);
    let x = rand_t(&[2, 3], &mut rng);
    check(
        std::slice::from_ref(&x),
        |t, p| weighted_sum(t, p[0] * p[0]),
        TOL,
    );
    check(
        std::slice::from_ref(&x),
        |t, p| weighted_sum(t, p[0] + p[0]),
        TOL,
    );
    let (a, b, c) = (x, rand_t(&[2, 3], &mut rng), rand_t(&[2, 3], &mut rng));
    check(
        &[a, b, c],
        |t, p| weighted_sum(t, p[0] * p[1] + p[0] * p[2]),
        TOL,
    );
    // A matrix used on both sides of a product: d/dA Σ W ⊙ (A·Aᵀ).
    let m = rand_t(&[3, 4], &mut rng);
    check(&[m], |t, p| weighted_sum(t, p[0].matmul(p[0].t())), TOL);
}

#[test]
fn value_used_twice_closed_form() {
    // d/dx (x·x) = 2x exactly: 2·1.5 = 3.
    let tape = Tape::new();
    let x = tape.param(&Tensor::from_vec(vec![1.5, -2.0], &[2]).unwrap());
    let grads = (x * x).sum().backward().unwrap();
    assert_eq!(grads.wrt(x).unwrap().to_vec(), vec![3.0, -4.0]);
}

#[test]
fn chain_of_many_ops_two_layer_net() {
    let mut rng = StdRng::seed_from_u64(13);
    let x = rand_t(&[4, 6], &mut rng);
    let y = Tensor::from_vec(vec![1., 0., 1., 1., 0., 0.], &[1, 6]).unwrap();
    let params = [
        rand_t(&[5, 4], &mut rng),
        rand_t(&[5, 1], &mut rng),
        rand_t(&[1, 5], &mut rng),
        rand_t(&[1, 1], &mut rng),
    ];
    let report = gradcheck(&params, |t, p| {
        let (x, y) = (t.constant(&x), t.constant(&y));
        let a1 = p[0].matmul(x).broadcast_add(p[1]).tanh();
        let a2 = p[2].matmul(a1).broadcast_add(p[3]).sigmoid();
        -(y * a2.log() + (1.0 - y) * (1.0 - a2).log()).mean()
    })
    .unwrap();
    assert!(report.error < TOL, "{report}");
    // The same net with the fused loss on logits, through a longer chain.
    let report = gradcheck(&params, |t, p| {
        let (x, y) = (t.constant(&x), t.constant(&y));
        let a1 = p[0].matmul(x).broadcast_add(p[1]).relu().exp().log();
        p[2].matmul(a1).broadcast_add(p[3]).bce_with_logits(y)
    })
    .unwrap();
    assert!(report.error < TOL, "{report}");
}

#[test]
fn f32_forward_matches_f64() {
    let mut rng = StdRng::seed_from_u64(14);
    let x = rand_t(&[4, 6], &mut rng);
    let w = rand_t(&[3, 4], &mut rng);
    let b = rand_t(&[3, 1], &mut rng);
    let run64 = {
        let tape = Tape::new();
        let (x, w, b) = (tape.constant(&x), tape.param(&w), tape.param(&b));
        let a = w.matmul(x).broadcast_add(b).sigmoid();
        (
            a.value().to_vec(),
            a.softmax(0).sum().value().item(),
            a.tanh().mean().value().item(),
        )
    };
    let run32 = {
        let tape = Tape::<f32>::default();
        let (x, w, b) = (
            tape.constant(&x.cast()),
            tape.param(&w.cast()),
            tape.param(&b.cast()),
        );
        let a = w.matmul(x).broadcast_add(b).sigmoid();
        (
            a.value().to_vec(),
            a.softmax(0).sum().value().item(),
            a.tanh().mean().value().item(),
        )
    };
    for (a, b) in run64.0.iter().zip(&run32.0) {
        assert!((a - *b as f64).abs() < 1e-6, "{a} vs {b}");
    }
    assert!((run64.1 - run32.1 as f64).abs() < 1e-5);
    assert!((run64.2 - run32.2 as f64).abs() < 1e-6);
}

#[test]
fn unused_param_gets_no_gradient_and_constants_record_no_backward() {
    let tape: Tape = Tape::new();
    let used = tape.param(&Tensor::ones(&[2]));
    let unused = tape.param(&Tensor::ones(&[2]));
    let c = tape.constant(&Tensor::ones(&[2]));
    let only_constants = c * c;
    assert!(!only_constants.requires_grad());
    let grads = (used * c).sum().backward().unwrap();
    assert!(grads.wrt(unused).is_none());
    assert_eq!(grads.wrt(used).unwrap().to_vec(), vec![1.0, 1.0]);
}

#[test]
fn gradcheck_catches_a_wrong_gradient() {
    // The checker itself must be able to fail: compare d/dx Σ x² against a function whose
    // tape gradient is deliberately off (x·x built from a constant copy of x on one side).
    let x = Tensor::from_vec(vec![0.1, 0.4, -0.2], &[3]).unwrap();
    let report = gradcheck(std::slice::from_ref(&x), |t, p| {
        (p[0] * t.constant(&p[0].value())).sum()
    })
    .unwrap();
    // Numeric: 2x; analytic: x (the constant side gets no gradient). Below 1 the error is
    // absolute, |x|, so the worst is x = 0.4: numeric 0.8, analytic 0.4, error 0.4.
    assert_eq!(report.index, vec![1]);
    assert!((report.numeric - 0.8).abs() < 1e-9);
    assert_eq!(report.analytic, 0.4);
    assert!((report.error - 0.4).abs() < 1e-9);
}

#[test]
fn gradcheck_fails_on_a_nan_or_infinite_gradient() {
    // d/dx ln x at x = 0 is 1/0 = inf on the tape; numerically ln(−h) is NaN. The error must
    // be infinite, failing any tolerance.
    let x = Tensor::from_vec(vec![0.0], &[1]).unwrap();
    let report = gradcheck(std::slice::from_ref(&x), |_, p| p[0].log().sum()).unwrap();
    assert_eq!(report.analytic, f64::INFINITY, "{report}");
    assert!(report.numeric.is_nan(), "{report}");
    assert_eq!(report.error, f64::INFINITY, "{report}");
    assert!(report.error > 1e300, "fails any tolerance");

    // Beside well-behaved elements, the NaN one is the worst: at x = 1e-7 the tape's 1e7 is
    // right but x − h < 0 makes the central difference NaN.
    let x = Tensor::from_vec(vec![0.5, 1e-7, 2.0], &[3]).unwrap();
    let report = gradcheck(std::slice::from_ref(&x), |_, p| p[0].log().sum()).unwrap();
    assert_eq!(report.index, vec![1], "{report}");
    assert_eq!(report.error, f64::INFINITY, "{report}");
}

#[test]
fn select_and_narrow_with_repeats_on_every_axis() {
    let mut rng = StdRng::seed_from_u64(11);
    let x = rand_t(&[3, 5, 2], &mut rng);
    // A repeated index accumulates: column 1 is taken twice.
    for axis in 0..3 {
        let n = x.shape()[axis];
        let idx: Vec<usize> = (0..n).rev().chain([n - 1, 0]).collect();
        check(
            std::slice::from_ref(&x),
            |t, p| weighted_sum(t, p[0].select(axis, &idx)),
            TOL,
        );
        check(
            std::slice::from_ref(&x),
            |t, p| weighted_sum(t, p[0].narrow(axis, 1, n - 1)),
            TOL,
        );
    }
    // Closed form: d/dx Σ x[:, [1, 1, 3]] puts 2 at column 1, 1 at column 3.
    let tape = Tape::new();
    let v = tape.param(&Tensor::zeros(&[2, 4]));
    let g = v.select(1, &[1, 1, 3]).sum().backward().unwrap();
    assert_eq!(
        g.wrt(v).unwrap().to_vec(),
        [0.0, 2.0, 0.0, 1.0, 0.0, 2.0, 0.0, 1.0]
    );
}

#[test]
fn dropout_with_a_fixed_mask() {
    let mut rng = StdRng::seed_from_u64(12);
    let x = rand_t(&[4, 6], &mut rng);
    let mut np = tapegrad::rng::NumpyRng::new(1);
    let mask = Tensor::dropout_mask(&[4, 6], 0.7, &mut np).unwrap();
    check(
        std::slice::from_ref(&x),
        |t, p| weighted_sum(t, p[0].tanh().dropout_with_mask(&mask, 0.7)),
        TOL,
    );
    // The gradient is exactly 0 where the mask drops a unit.
    let tape = Tape::new();
    let v = tape.param(&x);
    let grads = v.dropout_with_mask(&mask, 0.7).sum().backward().unwrap();
    for (g, m) in grads.wrt(v).unwrap().to_vec().iter().zip(mask.to_vec()) {
        assert_eq!(*g, if m == 1.0 { 1.0 / 0.7 } else { 0.0 });
    }
}

#[test]
fn the_regularization_notebooks_dropout_model_with_fixed_masks() {
    // [3, 4, 3, 1] ReLU–ReLU–sigmoid with the notebook's masks (keep_prob 0.7), cost on the
    // fused logits loss: the whole model's gradient against central differences.
    let mut np = tapegrad::rng::NumpyRng::new(5);
    let x = np.randn(&[3, 6]);
    let y = Tensor::from_vec(vec![1.0, 0.0, 1.0, 1.0, 0.0, 0.0], &[1, 6]).unwrap();
    let params =
        tapegrad::nn::initialize_parameters_deep(&[3, 4, 3, 1], 3, tapegrad::nn::InitScale::He)
            .unwrap();
    let masks = tapegrad::nn::regularization::dropout_masks(&params, 6, 0.7).unwrap();
    let flat: Vec<Tensor> = params.iter().cloned().collect();
    check(
        &flat,
        |t, p| {
            let mut a = t.constant(&x);
            for l in 0..3 {
                let z = p[2 * l].matmul(a).broadcast_add(p[2 * l + 1]);
                if l == 2 {
                    return z.bce_with_logits(t.constant(&y));
                }
                a = z.relu().dropout_with_mask(&masks[l], 0.7);
            }
            unreachable!()
        },
        TOL,
    );
}
