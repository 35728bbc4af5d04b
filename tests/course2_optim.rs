//! The Optimization notebook (docs/course2.md §7): every printed value of its unit tests, and
//! each optimizer of `tapegrad::optim` against its formula, written out independently here, on
//! random inputs over several steps, in f64 and f32.

mod common;

use common::assert_printed;
use tapegrad::nn::{self, Parameters};
use tapegrad::optim::{Adam, Momentum, Optimizer, RmsProp, Sgd};
use tapegrad::rng::NumpyRng;
use tapegrad::Tensor;

/// The notebook's test case: `seed(1)`, then W1(2,3), b1(2,1), W2(3,3), b2(3,1), and the
/// gradients of the same shapes, drawn in that order.
fn update_case() -> (Parameters, Parameters) {
    let mut rng = NumpyRng::new(1);
    let mut draw = |shapes: [[usize; 2]; 4]| {
        let t: Vec<Tensor> = shapes.iter().map(|s| rng.randn(s)).collect();
        Parameters {
            w: vec![t[0].clone(), t[2].clone()],
            b: vec![t[1].clone(), t[3].clone()],
        }
    };
    let shapes = [[2, 3], [2, 1], [3, 3], [3, 1]];
    let params = draw(shapes);
    let grads = draw(shapes);
    (params, grads)
}

#[test]
fn gradient_descent_case() {
    let (mut p, g) = update_case();
    nn::update_parameters_with_gd(&mut p, &g, 0.01).unwrap();
    assert_printed(
        &p.w[0],
        &[
            1.63535156,
            -0.62320365,
            -0.53718766,
            -1.07799357,
            0.85639907,
            -2.29470142,
        ],
    );
    assert_printed(&p.b[0], &[1.74604067, -0.75184921]);
    assert_printed(
        &p.w[1],
        &[
            0.32171798,
            -0.25467393,
            1.46902454,
            -2.05617317,
            -0.31554548,
            -0.3756023,
            1.1404819,
            -1.09976462,
            -0.1612551,
        ],
    );
    assert_printed(&p.b[1], &[-0.88020257, 0.02561572, 0.57539477]);
}

const MOMENTUM_V: [&[f64]; 4] = [
    &[
        -0.11006192,
        0.11447237,
        0.09015907,
        0.05024943,
        0.09008559,
        -0.06837279,
    ],
    &[-0.01228902, -0.09357694],
    &[
        -0.02678881,
        0.05303555,
        -0.06916608,
        -0.03967535,
        -0.06871727,
        -0.08452056,
        -0.06712461,
        -0.00126646,
        -0.11173103,
    ],
    &[0.02344157, 0.16598022, 0.07420442],
];

#[test]
fn momentum_case() {
    let (mut p, g) = update_case();
    let mut v = nn::initialize_velocity(&p);
    assert!(v.iter().all(|t| t.to_vec().iter().all(|&x| x == 0.0)));
    nn::update_parameters_with_momentum(&mut p, &g, &mut v, 0.9, 0.01).unwrap();
    assert_printed(
        &p.w[0],
        &[
            1.62544598,
            -0.61290114,
            -0.52907334,
            -1.07347112,
            0.86450677,
            -2.30085497,
        ],
    );
    assert_printed(&p.b[0], &[1.74493465, -0.76027113]);
    assert_printed(
        &p.w[1],
        &[
            0.31930698,
            -0.24990073,
            1.4627996,
            -2.05974396,
            -0.32173003,
            -0.38320915,
            1.13444069,
            -1.0998786,
            -0.1713109,
        ],
    );
    assert_printed(&p.b[1], &[-0.87809283, 0.04055394, 0.58207317]);
    for (got, want) in v.iter().zip(MOMENTUM_V) {
        assert_printed(got, want);
    }
    // The optimizer object gives the same, bit for bit.
    let (mut q, g) = update_case();
    let tensors: Vec<&Tensor> = q.iter().collect();
    let mut m = Momentum::new(&tensors, 0.01, 0.9);
    m.update_parameters(&mut q, &g).unwrap();
    assert_eq!(q, p);
    assert_eq!(m.v(), v.iter().cloned().collect::<Vec<_>>().as_slice());
}

#[test]
fn adam_case_t2_defaults() {
    let (mut p, g) = update_case();
    let (mut v, mut s) = nn::initialize_adam(&p);
    nn::update_parameters_with_adam(&mut p, &g, &mut v, &mut s, 2, 0.01, 0.9, 0.999, 1e-8).unwrap();
    assert_printed(
        &p.w[0],
        &[
            1.63178673,
            -0.61919778,
            -0.53561312,
            -1.08040999,
            0.85796626,
            -2.29409733,
        ],
    );
    assert_printed(&p.b[0], &[1.75225313, -0.75376553]);
    // docs/course2.md §9.3: the notebook printed W2[2,1] = -1.09245036 and b2[0] = -0.88529978
    // from ε inside the square root; the formula (ε outside) gives these.
    assert_printed(
        &p.w[1],
        &[
            0.32648046,
            -0.25681174,
            1.46954931,
            -2.05269934,
            -0.31497584,
            -0.37661299,
            1.14121081,
            -1.09244991,
            -0.16498684,
        ],
    );
    assert_printed(&p.b[1], &[-0.88529979, 0.03477238, 0.57537385]);
    for (got, want) in v.iter().zip(MOMENTUM_V) {
        assert_printed(got, want);
    }
    let s_printed: [&[f64]; 4] = [
        &[
            0.00121136, 0.00131039, 0.00081287, 0.0002525, 0.00081154, 0.00046748,
        ],
        &[1.51020075e-05, 8.75664434e-04],
        &[
            7.17640232e-05,
            2.81276921e-04,
            4.78394595e-04,
            1.57413361e-04,
            4.72206320e-04,
            7.14372576e-04,
            4.50571368e-04,
            1.60392066e-07,
            1.24838242e-03,
        ],
        &[5.49507194e-05, 2.75494327e-03, 5.50629536e-04],
    ];
    for (got, want) in s.iter().zip(s_printed) {
        assert_printed(got, want);
    }
}

#[test]
fn adam_case_t2_new_notebook_hyperparameters() {
    let (mut p, g) = update_case();
    let (mut v, mut s) = nn::initialize_adam(&p);
    nn::update_parameters_with_adam(&mut p, &g, &mut v, &mut s, 2, 0.02, 0.8, 0.888, 1e-2).unwrap();
    assert_printed(
        &p.w[0],
        &[
            1.63942428,
            -0.6268425,
            -0.54320974,
            -1.08782943,
            0.85036983,
            -2.2865723,
        ],
    );
    assert_printed(
        &p.w[1],
        &[
            0.33356139,
            -0.26425199,
            1.47707772,
            -2.04538458,
            -0.30744933,
            -0.36903141,
            1.14873036,
            -1.09256871,
            -0.15734651,
        ],
    );
    assert_printed(&p.b[0], &[1.75854357, -0.74616067]);
    assert_printed(&p.b[1], &[-0.89228024, 0.02707193, 0.56782561]);
}

#[test]
fn learning_rate_decay() {
    assert_eq!(nn::update_lr(0.5, 2, 1.0), 0.16666666666666666);
    assert_eq!(nn::schedule_lr_decay(0.5, 10, 0.3, 100), 0.5);
    assert_eq!(
        nn::schedule_lr_decay(0.5, 100, 0.3, 100),
        0.3846153846153846
    );
}

#[test]
fn mini_batches_case() {
    let mut rng = NumpyRng::new(1);
    let x = rng.randn(&[12288, 148]);
    let y = rng
        .randn(&[1, 148])
        .map(|v| if v < 0.5 { 1.0 } else { 0.0 });
    let batches = nn::random_mini_batches(&x, &y, 64, 0).unwrap();
    let shapes: Vec<(Vec<usize>, Vec<usize>)> = batches
        .iter()
        .map(|(bx, by)| (bx.shape().to_vec(), by.shape().to_vec()))
        .collect();
    assert_eq!(
        shapes,
        [
            (vec![12288, 64], vec![1, 64]),
            (vec![12288, 64], vec![1, 64]),
            (vec![12288, 20], vec![1, 20])
        ]
    );
    let first_row: Vec<f64> = (0..3).map(|j| batches[0].0.get(&[0, j])).collect();
    assert_printed(
        &Tensor::from_vec(first_row, &[3]).unwrap(),
        &[0.90085595, -0.7612069, 0.2344157],
    );

    // The new notebook's inline test: X[i, j] = 12288·j + i shows which columns were taken.
    let x = Tensor::from_vec(
        (0..12288 * 148)
            .map(|k| ((k % 148) * 12288 + k / 148) as f64)
            .collect(),
        &[12288, 148],
    )
    .unwrap();
    let batches = nn::random_mini_batches(&x, &y, 64, 0).unwrap();
    let first: Vec<f64> = (0..3).map(|j| batches[0].0.get(&[0, j])).collect();
    assert_eq!(first, [294912.0, 86016.0, 454656.0]);
    let last = &batches.last().unwrap().0;
    let tail: Vec<f64> = (0..3).map(|j| last.get(&[12287, j])).collect();
    assert_eq!(tail, [1425407.0, 1769471.0, 897023.0]);

    // Every example exactly once, in the permuted order, with its label.
    let perm = NumpyRng::new(0).permutation(148);
    let taken: Vec<usize> = batches
        .iter()
        .flat_map(|(bx, _)| (0..bx.shape()[1]).map(move |j| (bx.get(&[0, j]) / 12288.0) as usize))
        .collect();
    assert_eq!(taken, perm);
    let labels: Vec<f64> = batches.iter().flat_map(|(_, by)| by.to_vec()).collect();
    assert_eq!(
        labels,
        perm.iter().map(|&j| y.get(&[0, j])).collect::<Vec<_>>()
    );
}

#[test]
fn bad_optimizer_input_is_a_clear_error() {
    let x: Tensor = Tensor::zeros(&[2, 5]);
    let e = nn::random_mini_batches(&x, &Tensor::zeros(&[1, 5]), 0, 0)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("random_mini_batches") && e.contains("mini_batch_size") && e.contains('0'),
        "{e}"
    );
    let e = nn::random_mini_batches(&x, &Tensor::zeros(&[1, 4]), 2, 0)
        .unwrap_err()
        .to_string();
    assert!(e.contains("(2, 5)") && e.contains("(1, 4)"), "{e}");

    let (mut p, g) = update_case();
    let mut short = g.clone();
    short.w.pop();
    short.b.pop();
    let e = nn::update_parameters_with_gd(&mut p, &short, 0.1)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("update_parameters_with_gd") && e.contains("grads"),
        "{e}"
    );
    let (mut v, mut s) = nn::initialize_adam(&p);
    let e = nn::update_parameters_with_adam(&mut p, &g, &mut v, &mut s, 0, 0.01, 0.9, 0.999, 1e-8)
        .unwrap_err()
        .to_string();
    assert!(e.contains("t counts updates from 1"), "{e}");
    let before = p.clone();

    let tensors: Vec<&Tensor> = p.iter().collect();
    let mut adam = Adam::new(&tensors, 0.01);
    let wrong = Tensor::zeros(&[3, 2]);
    let mut params: Vec<&mut Tensor> = p.iter_mut().collect();
    let mut grads: Vec<&Tensor> = g.iter().collect();
    grads[0] = &wrong;
    let e = adam.update(&mut params, &grads).unwrap_err().to_string();
    assert_eq!(
        e,
        "Adam::update: grad 0 has shape (3, 2), but the optimizer was created for (2, 3)"
    );
    let e = adam
        .update(&mut params[..3], &grads[..3])
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "Adam::update: got 3 params and 3 grads, but the optimizer was created for 4 tensors"
    );
    assert_eq!(adam.step_count(), 0, "a refused update does not count");
    drop(params);
    assert_eq!(p, before, "a refused update changes nothing");
}

/// Independent formulas, element by element, in f64.
enum Rule {
    Sgd,
    Momentum { beta: f64 },
    RmsProp { beta: f64, eps: f64 },
    Adam { b1: f64, b2: f64, eps: f64 },
}

fn reference_run(rule: &Rule, p0: &[f64], grads: &[Vec<f64>], lr: f64) -> Vec<f64> {
    let mut p = p0.to_vec();
    let mut v = vec![0.0; p.len()];
    let mut s = vec![0.0; p.len()];
    for (t, g) in (1..).zip(grads) {
        for i in 0..p.len() {
            match *rule {
                Rule::Sgd => p[i] -= lr * g[i],
                Rule::Momentum { beta } => {
                    v[i] = beta * v[i] + (1.0 - beta) * g[i];
                    p[i] -= lr * v[i];
                }
                Rule::RmsProp { beta, eps } => {
                    s[i] = beta * s[i] + (1.0 - beta) * g[i] * g[i];
                    p[i] -= lr * g[i] / (s[i].sqrt() + eps);
                }
                Rule::Adam { b1, b2, eps } => {
                    v[i] = b1 * v[i] + (1.0 - b1) * g[i];
                    s[i] = b2 * s[i] + (1.0 - b2) * g[i] * g[i];
                    let vh = v[i] / (1.0 - b1.powi(t));
                    let sh = s[i] / (1.0 - b2.powi(t));
                    p[i] -= lr * vh / (sh.sqrt() + eps);
                }
            }
        }
    }
    p
}

fn run_optimizer<T: tapegrad::Element>(
    rule: &Rule,
    p0: &Tensor,
    grads: &[Tensor],
    lr: f64,
) -> Vec<f64> {
    let mut p: Tensor<T> = p0.cast();
    let mut opt: Box<dyn Optimizer<T>> = match *rule {
        Rule::Sgd => Box::new(Sgd::new(&[&p], lr)),
        Rule::Momentum { beta } => Box::new(Momentum::new(&[&p], lr, beta)),
        Rule::RmsProp { beta, eps } => Box::new(RmsProp::new(&[&p], lr, beta, eps)),
        Rule::Adam { b1, b2, eps } => Box::new(Adam::with(&[&p], lr, b1, b2, eps)),
    };
    for g in grads {
        let g: Tensor<T> = g.cast();
        opt.update(&mut [&mut p], &[&g]).unwrap();
    }
    p.cast::<f64>().to_vec()
}

#[test]
fn optimizers_follow_their_formulas_over_several_steps() {
    let mut rng = NumpyRng::new(42);
    let p0 = rng.randn(&[4, 3]);
    let grads: Vec<Tensor> = (0..6).map(|_| rng.randn(&[4, 3])).collect();
    let raw: Vec<Vec<f64>> = grads.iter().map(Tensor::to_vec).collect();
    let rules = [
        Rule::Sgd,
        Rule::Momentum { beta: 0.9 },
        Rule::RmsProp {
            beta: 0.99,
            eps: 1e-8,
        },
        Rule::Adam {
            b1: 0.9,
            b2: 0.999,
            eps: 1e-8,
        },
        Rule::Adam {
            b1: 0.8,
            b2: 0.888,
            eps: 1e-2,
        },
    ];
    for (k, rule) in rules.iter().enumerate() {
        let want = reference_run(rule, &p0.to_vec(), &raw, 0.05);
        let got64 = run_optimizer::<f64>(rule, &p0, &grads, 0.05);
        let got32 = run_optimizer::<f32>(rule, &p0, &grads, 0.05);
        for i in 0..want.len() {
            // f64: the same operations up to the power's rounding; f32: single precision.
            assert!(
                (got64[i] - want[i]).abs() <= 1e-13 * want[i].abs().max(1.0),
                "rule {k}, {i}: {} vs {}",
                got64[i],
                want[i]
            );
            assert!(
                (got32[i] - want[i]).abs() <= 2e-5 * want[i].abs().max(1.0),
                "rule {k}, f32, {i}: {} vs {}",
                got32[i],
                want[i]
            );
        }
        // And they moved: six steps change every parameter.
        assert!(want.iter().zip(p0.to_vec()).all(|(a, b)| a != &b));
    }
}

#[test]
fn learning_rate_can_be_changed_between_updates() {
    let mut p = Tensor::from_vec(vec![1.0], &[1]).unwrap();
    let g = Tensor::from_vec(vec![1.0], &[1]).unwrap();
    let mut sgd = Sgd::new(&[&p], 0.5);
    sgd.update(&mut [&mut p], &[&g]).unwrap();
    sgd.set_learning_rate(nn::update_lr(0.5, 1, 1.0));
    assert_eq!(sgd.learning_rate(), 0.25);
    sgd.update(&mut [&mut p], &[&g]).unwrap();
    assert_eq!(p.to_vec(), [0.25]);
}
