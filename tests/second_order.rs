//! Second derivatives: every op's backward rule, recorded by `Var::grad` and differentiated
//! again, against central differences of the tape's first-order gradient (`gradgradcheck`,
//! f64), on non-square shapes, with broadcasting, reused values and chains; closed forms
//! (logistic regression's Hessian, cubes to third order); Hessian-vector products of the
//! course's L-layer model against central differences of its gradient.
//!
//! Tolerances: `gradgradcheck`'s error is `|analytic − numeric| / max(1, |analytic|,
//! |numeric|)` per Hessian entry. With h = 1e-6 the central difference of an O(1) gradient
//! is good to about 1e-9, so smooth ops are held to 1e-6; ops with kinks get inputs at least
//! 0.05 from them (their second derivative there is 0, exactly, on both sides).
//!
//! Each op is checked as `Σ w ⊙ op(x)²` (a fixed non-uniform weighting `w`): the square makes
//! the gradient flowing into the op depend on `x`, so the op's recorded backward is itself
//! differentiated, also for ops that are linear.

mod common;

use common::{away_from_zero, weights};
use rand::rngs::StdRng;
use rand::SeedableRng;
use tapegrad::nn::model::{compute_cost, l_model_forward};
use tapegrad::nn::ParamVars;
use tapegrad::second_order::{hessian, hvp};
use tapegrad::{gradgradcheck, Error, Tape, Tensor, Var};

const TOL: f64 = 1e-6;

fn randn(shape: &[usize], rng: &mut StdRng) -> Tensor {
    Tensor::randn(shape, rng)
}

/// `Σ w ⊙ v²`.
fn weighted_square<'t>(tape: &'t Tape, v: Var<'t>) -> Var<'t> {
    let w = tape.constant(&weights(&v.shape()));
    (v.square() * w).sum()
}

#[track_caller]
fn check2(params: &[Tensor], f: impl for<'t> Fn(&'t Tape, &[Var<'t>]) -> Var<'t>, tol: f64) {
    let report = gradgradcheck(params, f).unwrap();
    assert!(report.error < tol, "{report}");
    let n: usize = params.iter().map(Tensor::len).sum();
    assert_eq!(report.checked, n * n);
}

/// `Σ w ⊙ op(x)²` for an op of one value.
#[track_caller]
fn check_unary(x: Tensor, op: impl for<'t> Fn(Var<'t>) -> Var<'t>, tol: f64) {
    check2(&[x], |tape, p| weighted_square(tape, op(p[0])), tol);
}

#[test]
fn arithmetic_equal_shapes_and_broadcast() {
    let mut rng = StdRng::seed_from_u64(1);
    let (a, b) = (
        randn(&[3, 4], &mut rng),
        away_from_zero(&[3, 4], 0.5, 2.0, true, &mut rng),
    );
    let col = away_from_zero(&[3, 1], 0.5, 2.0, true, &mut rng);
    let row = away_from_zero(&[4], 0.5, 2.0, true, &mut rng);
    let pair = [a.clone(), b.clone()];
    check2(&pair, |t, p| weighted_square(t, p[0] + p[1]), TOL);
    check2(&pair, |t, p| weighted_square(t, p[0] - p[1]), TOL);
    check2(&pair, |t, p| weighted_square(t, p[0] * p[1]), TOL);
    check2(&pair, |t, p| weighted_square(t, p[0] / p[1]), TOL);
    let bc = [a.clone(), col.clone()];
    check2(
        &bc,
        |t, p| weighted_square(t, p[0].broadcast_add(p[1])),
        TOL,
    );
    check2(
        &bc,
        |t, p| weighted_square(t, p[0].broadcast_sub(p[1])),
        TOL,
    );
    check2(
        &bc,
        |t, p| weighted_square(t, p[0].broadcast_mul(p[1])),
        TOL,
    );
    check2(
        &bc,
        |t, p| weighted_square(t, p[0].broadcast_div(p[1])),
        TOL,
    );
    // Broadcasting the other way round, and a 1-D operand against a 2-D one.
    check2(
        &[col, row],
        |t, p| weighted_square(t, p[1].broadcast_div(p[0])),
        TOL,
    );
}

#[test]
fn scalar_ops() {
    let mut rng = StdRng::seed_from_u64(2);
    let x = away_from_zero(&[2, 3], 0.5, 2.0, true, &mut rng);
    check_unary(x.clone(), |v| v + 1.5, TOL);
    check_unary(x.clone(), |v| v * -2.5, TOL);
    check_unary(x.clone(), |v| v / 3.0, TOL);
    check_unary(x.clone(), |v| 2.0 - v, TOL);
    check_unary(x.clone(), |v| 2.0 / v, TOL);
    check_unary(x, |v| -v, TOL);
}

#[test]
fn smooth_unary_ops() {
    let mut rng = StdRng::seed_from_u64(3);
    let x = randn(&[3, 2], &mut rng);
    let positive = away_from_zero(&[3, 2], 0.3, 2.0, false, &mut rng);
    check_unary(x.clone(), |v| v.sigmoid(), TOL);
    check_unary(x.clone(), |v| v.tanh(), TOL);
    check_unary(x.clone(), |v| v.softplus(), TOL);
    check_unary(x.clone(), |v| v.exp(), TOL);
    check_unary(x.clone(), |v| v.square(), TOL);
    check_unary(positive.clone(), |v| v.log(), TOL);
    check_unary(positive.clone(), |v| v.sqrt(), TOL);
    check_unary(positive.clone(), |v| v.powf(2.5), TOL);
    check_unary(positive.clone(), |v| v.powf(-0.5), TOL);
    check_unary(positive, |v| v.powf(0.0), TOL);
}

#[test]
fn piecewise_linear_ops_away_from_their_kinks() {
    let mut rng = StdRng::seed_from_u64(4);
    let x = away_from_zero(&[4, 3], 0.05, 2.0, true, &mut rng);
    check_unary(x.clone(), |v| v.relu(), TOL);
    check_unary(x.clone(), |v| v.leaky_relu(0.01), TOL);
    check_unary(x.clone(), |v| v.abs(), TOL);
    // Bounds at ±0.9, no element within 0.05 of them.
    let x = x.map(|v| {
        if (v.abs() - 0.9).abs() < 0.05 {
            v * 0.5
        } else {
            v
        }
    });
    check_unary(x, |v| v.clamp(-0.9, 0.9), TOL);
}

/// relu's second derivative is 0 wherever it exists (everywhere but 0). At 0 the slope jumps
/// from 0 to 1: there is no second derivative, and the tape returns 0 — the derivative of the
/// slope it uses (relu′(0) = 0, constant on the left piece). A central difference of the
/// gradient across 0 measures the jump instead, (1 − 0)/(2h).
#[test]
fn relu_second_derivative_is_zero_and_at_zero_the_tape_says_zero() {
    let x = Tensor::from_vec(vec![-1.0, 0.0, 0.5, 2.0], &[4]).unwrap();
    fn f<'t>(_: &'t Tape, p: &[Var<'t>]) -> Var<'t> {
        p[0].relu().sum()
    }
    let h = hessian(f, std::slice::from_ref(&x)).unwrap();
    assert_eq!(h.to_vec(), vec![0.0; 16]);
    let report = gradgradcheck(&[x], f).unwrap();
    assert_eq!(report.column, (0, vec![1]), "{report}");
    assert!((report.numeric - 0.5e6).abs() < 1.0, "{report}");
    assert_eq!(report.analytic, 0.0);
    // Through a square, relu(x)² has second derivative 2 where x > 0 and 0 where x < 0.
    let h = hessian(
        |_, p| p[0].relu().square().sum(),
        &[Tensor::from_vec(vec![-1.0, 0.5], &[2]).unwrap()],
    )
    .unwrap();
    assert_eq!(h.to_vec(), [0.0, 0.0, 0.0, 2.0]);
}

#[test]
fn matmul_and_transpose_non_square() {
    let mut rng = StdRng::seed_from_u64(5);
    let (a, b) = (randn(&[3, 5], &mut rng), randn(&[5, 2], &mut rng));
    check2(
        &[a.clone(), b.clone()],
        |t, p| weighted_square(t, p[0].matmul(p[1])),
        TOL,
    );
    check2(
        &[a.clone(), b],
        |t, p| weighted_square(t, p[1].t().matmul(p[0].t())),
        TOL,
    );
    // The same value on both sides: A·Aᵀ.
    check2(&[a], |t, p| weighted_square(t, p[0].matmul(p[0].t())), TOL);
}

#[test]
fn reductions_and_reshape() {
    let mut rng = StdRng::seed_from_u64(6);
    let x = randn(&[3, 4], &mut rng);
    check_unary(x.clone(), |v| v.sum(), TOL);
    check_unary(x.clone(), |v| v.mean(), TOL);
    for axis in 0..2 {
        for keep in [false, true] {
            check_unary(x.clone(), move |v| v.sum_axis(axis, keep), TOL);
            check_unary(x.clone(), move |v| v.mean_axis(axis, keep), TOL);
            // Distinct random values: no ties, and h = 1e-6 never changes which one wins.
            check_unary(x.clone(), move |v| v.max_axis(axis, keep), TOL);
            check_unary(x.clone(), move |v| v.min_axis(axis, keep), TOL);
        }
    }
    check_unary(x, |v| v.reshape(&[2, 6]), TOL);
}

#[test]
fn softmax_and_log_softmax_along_both_axes() {
    let mut rng = StdRng::seed_from_u64(7);
    let x = randn(&[3, 4], &mut rng);
    for axis in 0..2 {
        check_unary(x.clone(), move |v| v.softmax(axis), TOL);
        check_unary(x.clone(), move |v| v.log_softmax(axis), TOL);
    }
}

#[test]
fn losses_in_both_arguments() {
    let mut rng = StdRng::seed_from_u64(8);
    let (z, y) = (randn(&[1, 5], &mut rng), randn(&[1, 5], &mut rng).sigmoid());
    let pair = [z.clone(), y];
    check2(&pair, |_, p| p[0].bce_with_logits(p[1]), TOL);
    check2(&pair, |_, p| p[0].mse(p[1]), TOL);
    // Nested in a square so the loss's incoming gradient is not 1.
    check2(&pair, |_, p| p[0].bce_with_logits(p[1]).square().sum(), TOL);
    let logits = randn(&[3, 4], &mut rng);
    check2(
        &[logits],
        |_, p| {
            p[0].cross_entropy_with_indices(&[2, 0, 1, 2])
                .square()
                .sum()
        },
        TOL,
    );
}

#[test]
fn indexing_joining_and_broadcasting_ops() {
    let mut rng = StdRng::seed_from_u64(9);
    let x = randn(&[3, 4], &mut rng);
    check_unary(x.clone(), |v| v.select(1, &[3, 0, 3]), TOL);
    check_unary(x.clone(), |v| v.narrow(0, 1, 2), TOL);
    check_unary(x.clone(), |v| v.scatter_add(&[3, 2], 1, &[1, 0, 1, 1]), TOL);
    check_unary(x.clone(), |v| v.broadcast_to(&[2, 3, 4]), TOL);
    check_unary(x.clone(), |v| v.sum_to_shape(&[3, 1]), TOL);
    check_unary(x.clone(), |v| v.sum_to_shape(&[4]), TOL);
    let y = randn(&[2, 4], &mut rng);
    check2(
        &[x.clone(), y],
        |t, p| weighted_square(t, Var::concat(0, &[p[0], p[1], p[0]])),
        TOL,
    );
    check2(
        &[x.clone(), x.map(|v| v * 0.5)],
        |t, p| weighted_square(t, Var::stack(1, &[p[0], p[1]])),
        TOL,
    );
    let mask = Tensor::from_vec((0..12).map(|i| f64::from(i % 3 != 0)).collect(), &[3, 4]).unwrap();
    check_unary(x, move |v| v.dropout_with_mask(&mask, 0.8), TOL);
}

#[test]
fn reused_values_chains_and_detach() {
    let mut rng = StdRng::seed_from_u64(10);
    let (w, x) = (randn(&[2, 3], &mut rng), randn(&[3, 4], &mut rng));
    let b = randn(&[2, 1], &mut rng);
    // A small layer with every parameter used more than once.
    check2(
        &[w.clone(), b.clone(), x.clone()],
        |_, p| {
            let z = p[0].matmul(p[2]).broadcast_add(p[1]);
            let a = z.tanh() * z.sigmoid() + z;
            (a * a).mean() + (p[0] * p[0]).sum() * p[1].sum()
        },
        TOL,
    );
    // detach cuts the second derivative too: d²/dx² of x²·c(x) with c detached is 2c.
    let v = Tensor::from_vec(vec![1.5], &[1]).unwrap();
    let h = hessian(|_, p| (p[0] * p[0] * p[0].detach()).sum(), &[v]).unwrap();
    assert_eq!(h.to_vec(), [3.0]);
}

/// Third order: d³/dx³ of Σ x³·y = 6y, and of sin-like chains through tanh against the closed
/// form tanh‴ = −2(1 − t²)(1 − 3t²).
#[test]
fn third_derivatives_against_closed_forms() -> Result<(), Error> {
    let tape = Tape::new();
    let x = tape.param(&Tensor::from_vec(vec![0.7, -1.3], &[2]).unwrap());
    let y = tape.param(&Tensor::from_vec(vec![2.0, 0.5], &[2]).unwrap());
    let f = (x * x * x * y).sum();
    let d1 = f.grad(&[x])?[0];
    let d2 = d1.sum().grad(&[x])?[0];
    let d3 = d2.sum().grad(&[x, y])?;
    assert_eq!(d3[0].value().to_vec(), [12.0, 3.0]);
    // ∂/∂y of d²f/dx² = 6x.
    let six_x: Vec<f64> = x.value().to_vec().iter().map(|v| 6.0 * v).collect();
    assert_eq!(d3[1].value().to_vec(), six_x);

    let t0 = 0.4f64;
    let z = tape.param(&Tensor::from_vec(vec![t0], &[1]).unwrap());
    let g1 = z.tanh().sum().grad(&[z])?[0];
    let g2 = g1.sum().grad(&[z])?[0];
    let g3 = g2.sum().grad(&[z])?[0];
    let t = t0.tanh();
    let closed = [
        1.0 - t * t,
        -2.0 * t * (1.0 - t * t),
        -2.0 * (1.0 - t * t) * (1.0 - 3.0 * t * t),
    ];
    for (got, want) in [g1, g2, g3].iter().zip(closed) {
        assert!(
            (got.value().item() - want).abs() < 1e-15,
            "{} vs {want}",
            got.value().item()
        );
    }
    Ok(())
}

/// Course 1 week 2: the Hessian of the course's cost J = −(1/m)Σ(y log a + (1 − y) log(1 − a)),
/// a = σ(wᵀX + b), over (w, b), is (1/m)·X̃·diag(a(1 − a))·X̃ᵀ with X̃ = X with a row of ones.
#[test]
fn logistic_hessian_equals_the_closed_form() {
    let mut rng = StdRng::seed_from_u64(11);
    let (n, m) = (4, 7);
    let x = randn(&[n, m], &mut rng);
    let y = Tensor::from_vec((0..m).map(|j| f64::from(j % 3 == 0)).collect(), &[1, m]).unwrap();
    let w = randn(&[n, 1], &mut rng).map(|v| 0.5 * v);
    let b = Tensor::from_vec(vec![0.1], &[1, 1]).unwrap();
    let (xc, yc) = (x.clone(), y.clone());
    let h = hessian(
        move |t, p| {
            let a = p[0]
                .t()
                .matmul(t.constant(&xc))
                .broadcast_add(p[1])
                .sigmoid();
            compute_cost(a, t.constant(&yc))
        },
        &[w.clone(), b.clone()],
    )
    .unwrap();
    let (xs, ws) = (x.to_vec(), w.to_vec());
    let row = |i: usize, j: usize| if i < n { xs[i * m + j] } else { 1.0 };
    for i in 0..=n {
        for k in 0..=n {
            let closed: f64 = (0..m)
                .map(|j| {
                    let z: f64 = (0..n).map(|r| ws[r] * xs[r * m + j]).sum::<f64>() + 0.1;
                    let a = 1.0 / (1.0 + (-z).exp());
                    row(i, j) * a * (1.0 - a) * row(k, j)
                })
                .sum::<f64>()
                / m as f64;
            let got = h.get(&[i, k]);
            assert!(
                (got - closed).abs() <= 1e-12 * closed.abs().max(1e-3),
                "H[{i}][{k}] = {got}, closed form {closed}"
            );
        }
    }
}

/// The course's L-layer model (LINEAR→RELU ×2 → LINEAR→SIGMOID, its cost): H·v from the tape
/// against the central difference of its gradient along v, at 1e-6 relative.
#[test]
fn l_layer_hvp_matches_central_differences_of_its_gradient() {
    let mut rng = StdRng::seed_from_u64(12);
    let dims = [5, 4, 3, 1];
    let m = 6;
    let x = randn(&[dims[0], m], &mut rng);
    let y = Tensor::from_vec((0..m).map(|j| f64::from(j % 2 == 0)).collect(), &[1, m]).unwrap();
    let mut params = Vec::new();
    for l in 1..dims.len() {
        params.push(randn(&[dims[l], dims[l - 1]], &mut rng));
        params.push(randn(&[dims[l], 1], &mut rng).map(|v| 0.1 * v));
    }
    let v: Vec<Tensor> = params.iter().map(|p| randn(p.shape(), &mut rng)).collect();
    fn cost<'t>(t: &'t Tape, p: &[Var<'t>], x: &Tensor, y: &Tensor) -> Var<'t> {
        let pv = ParamVars {
            w: p.iter().step_by(2).copied().collect(),
            b: p.iter().skip(1).step_by(2).copied().collect(),
        };
        let (al, _) = l_model_forward(t.constant(x), &pv);
        compute_cost(al, t.constant(y))
    }
    let hv = hvp(|t, p| cost(t, p, &x, &y), &params, &v).unwrap();
    let gradient_at = |s: f64| -> Vec<f64> {
        let tape = Tape::new();
        let shifted: Vec<Tensor> = params
            .iter()
            .zip(&v)
            .map(|(p, v)| p + &v.mul_scalar(s))
            .collect();
        let vars: Vec<Var> = shifted.iter().map(|p| tape.param(p)).collect();
        let grads = cost(&tape, &vars, &x, &y).backward().unwrap();
        vars.iter()
            .flat_map(|&p| grads.wrt(p).unwrap().to_vec())
            .collect()
    };
    let eps = 1e-5;
    let (plus, minus) = (gradient_at(eps), gradient_at(-eps));
    let numeric: Vec<f64> = plus
        .iter()
        .zip(&minus)
        .map(|(a, b)| (a - b) / (2.0 * eps))
        .collect();
    let analytic: Vec<f64> = hv.iter().flat_map(Tensor::to_vec).collect();
    let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    let diff: Vec<f64> = analytic.iter().zip(&numeric).map(|(a, b)| a - b).collect();
    let relative = norm(&diff) / norm(&numeric);
    assert!(
        relative < 1e-6,
        "relative error {relative:e}, |Hv| = {}",
        norm(&numeric)
    );
    // And H·v equals the full Hessian times v.
    let h = hessian(|t, p| cost(t, p, &x, &y), &params).unwrap();
    let n = analytic.len();
    let flat_v: Vec<f64> = v.iter().flat_map(Tensor::to_vec).collect();
    for (i, hv_i) in analytic.iter().enumerate() {
        let row: f64 = (0..n).map(|j| h.get(&[i, j]) * flat_v[j]).sum();
        assert!(
            (row - hv_i).abs() < 1e-12 * (1.0 + row.abs()),
            "row {i}: {row} vs {hv_i}"
        );
    }
}

#[test]
fn hvp_works_in_f32_and_checks_v() {
    let x = Tensor::<f32>::from_vec(vec![1.0, 2.0], &[2]).unwrap();
    let v = Tensor::<f32>::from_vec(vec![1.0, -1.0], &[2]).unwrap();
    // f = Σ x³: H = diag(6x).
    let hv = hvp(
        |_, p| (p[0] * p[0] * p[0]).sum(),
        std::slice::from_ref(&x),
        &[v],
    )
    .unwrap();
    assert_eq!(hv[0].to_vec(), [6.0, -12.0]);
    let bad = hvp(|_, p| p[0].sum(), &[x], &[Tensor::zeros(&[3])]).unwrap_err();
    assert!(
        bad.to_string()
            .contains("hvp: v must have one tensor per param"),
        "{bad}"
    );
}

/// A custom op with a tensor closure is first order only: `grad` through it names it. The
/// same op with a `Rule` is twice differentiable.
#[test]
fn custom_ops_first_order_only_or_with_a_rule() {
    use tapegrad::custom::{Grads, Operand, Rule};
    let x = Tensor::from_vec(vec![0.3, -1.2, 2.0], &[3]).unwrap();
    fn closure_cube(v: Var<'_>) -> Var<'_> {
        let xv = v.value();
        v.tape()
            .custom("closure_cube", &[v], xv.map(|a| a * a * a), move |g, _| {
                vec![Some(g * &xv.map(|a| 3.0 * a * a))]
            })
    }
    let tape = Tape::new();
    let p = tape.param(&x);
    let err = closure_cube(p).sum().grad(&[p]).unwrap_err();
    assert_eq!(
        err,
        Error::FirstOrderOnly {
            op: "closure_cube".into()
        }
    );
    assert!(err.to_string().contains("closure_cube"), "{err}");
    // First order still works: 3x².
    let d = closure_cube(p)
        .sum()
        .backward()
        .unwrap()
        .wrt(p)
        .unwrap()
        .to_vec();
    for (d, x) in d.iter().zip(x.to_vec()) {
        assert!((d - 3.0 * x * x).abs() < 1e-15, "{d} vs 3x² at {x}");
    }

    struct Cube;
    impl Rule<f64> for Cube {
        fn backward<X: Operand<f64>>(&self, g: &X, x: &[X], _: &X, _: &[bool]) -> Grads<X> {
            smallvec::smallvec![Some(g.mul(&x[0].mul(&x[0]).mul_scalar(3.0)))]
        }
    }
    fn rule_cube(v: Var<'_>) -> Var<'_> {
        v.tape()
            .custom_rule("cube", &[v], v.value().map(|a| a * a * a), Cube)
    }
    check2(
        std::slice::from_ref(&x),
        |t, p| weighted_square(t, rule_cube(p[0])),
        TOL,
    );
    // Σ x³: H = diag(6x).
    let h = hessian(|_, p| rule_cube(p[0]).sum(), std::slice::from_ref(&x)).unwrap();
    for (i, xi) in x.to_vec().into_iter().enumerate() {
        for j in 0..3 {
            let want = if i == j { 6.0 * xi } else { 0.0 };
            assert!(
                (h.get(&[i, j]) - want).abs() < 1e-14,
                "H[{i}][{j}] = {}",
                h.get(&[i, j])
            );
        }
    }
}

/// `grad`'s results are vars: they combine with other vars (a gradient penalty) and the
/// combination's plain backward is the second-order gradient.
#[test]
fn gradients_combine_with_other_vars() {
    let tape = Tape::new();
    let w = tape.param(&Tensor::from_vec(vec![0.5, -1.0], &[1, 2]).unwrap());
    let x = tape.constant(&Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], &[2, 2]).unwrap());
    let loss = w.matmul(x).tanh().sum();
    let g = loss.grad(&[w]).unwrap()[0];
    let penalized = loss + (g * g).sum().mul_scalar(0.5);
    let d = penalized.backward().unwrap().wrt(w).unwrap().to_vec();
    // Against central differences of the same penalized objective, recomputed from scratch.
    let value = |wv: &[f64]| -> f64 {
        let tape = Tape::new();
        let w = tape.param(&Tensor::from_vec(wv.to_vec(), &[1, 2]).unwrap());
        let x = tape.constant(&x.value());
        let loss = w.matmul(x).tanh().sum();
        let g = loss.grad(&[w]).unwrap()[0];
        (loss + (g * g).sum().mul_scalar(0.5)).value().item()
    };
    for (i, di) in d.iter().enumerate() {
        let (mut plus, mut minus) = (vec![0.5, -1.0], vec![0.5, -1.0]);
        plus[i] += 1e-6;
        minus[i] -= 1e-6;
        let numeric = (value(&plus) - value(&minus)) / 2e-6;
        assert!(
            (di - numeric).abs() < 1e-7 * (1.0 + numeric.abs()),
            "{di} vs {numeric}"
        );
    }
    // A var the loss does not depend on gets zeros.
    let unused = tape.param(&Tensor::ones(&[3]));
    let grads = loss.grad(&[unused]).unwrap();
    assert_eq!(grads[0].value().to_vec(), [0.0; 3]);
}

/// What `gradgradcheck` catches that `gradcheck` cannot: a rule whose first derivative is
/// right but that treats an input as a constant (so its own derivative is lost).
#[test]
fn a_rule_that_is_only_first_order_right_fails_gradgradcheck() {
    use tapegrad::custom::{Grads, Operand, Rule};
    struct CubeFrozen;
    impl Rule<f64> for CubeFrozen {
        fn backward<X: Operand<f64>>(&self, g: &X, x: &[X], _: &X, _: &[bool]) -> Grads<X> {
            let slope = x[0].value().map(|a| 3.0 * a * a);
            smallvec::smallvec![Some(g.mul_constant(&slope))]
        }
    }
    fn frozen(v: Var<'_>) -> Var<'_> {
        v.tape().custom_rule(
            "cube_frozen",
            &[v],
            v.value().map(|a| a * a * a),
            CubeFrozen,
        )
    }
    let x = Tensor::from_vec(vec![0.3, -1.2, 2.0], &[3]).unwrap();
    let first = tapegrad::gradcheck(std::slice::from_ref(&x), |_, p| frozen(p[0]).sum()).unwrap();
    assert!(first.error < 1e-7, "{first}");
    let second = gradgradcheck(&[x], |_, p| frozen(p[0]).sum()).unwrap();
    // The true d²/dx² at x = 2 is 12; the frozen rule gives 0.
    assert!(second.error > 0.9, "{second}");
}
