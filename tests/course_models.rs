//! The course's other models (docs/course.md §2.7–2.9): logistic regression, the shallow tanh
//! network and softmax cross-entropy, against closed forms, hand-written gradients, finite
//! differences, and the logistic-regression log on the real data.

mod common;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tapegrad::nn::{self, logistic, shallow, softmax};
use tapegrad::{gradcheck, Tape, Tensor};

fn labels(m: usize, rng: &mut StdRng) -> Tensor {
    Tensor::from_vec(
        (0..m).map(|_| f64::from(rng.random_bool(0.5))).collect(),
        &[1, m],
    )
    .unwrap()
}

#[test]
fn logistic_zero_init_cost_is_ln2_and_gradients_are_the_closed_form() {
    let mut rng = StdRng::seed_from_u64(3);
    let x = Tensor::randn(&[6, 9], &mut rng);
    let y = labels(9, &mut rng);
    let (w, b) = logistic::initialize_with_zeros::<f64>(6);
    let (grads, cost) = logistic::propagate(&w, b, &x, &y).unwrap();
    // A = 0.5 everywhere, so J = ln 2 for any data.
    assert!((cost - std::f64::consts::LN_2).abs() <= 1e-15);
    // dw = (1/m)·X·(A − Y)ᵀ, db = (1/m)·Σ(A − Y) with A = 0.5, written out.
    let a_minus_y: Vec<f64> = y.to_vec().iter().map(|y| 0.5 - y).collect();
    for i in 0..6 {
        let expected: f64 = (0..9).map(|j| x.get(&[i, j]) * a_minus_y[j]).sum::<f64>() / 9.0;
        assert!((grads.dw.get(&[i, 0]) - expected).abs() <= 1e-15);
    }
    assert!((grads.db - a_minus_y.iter().sum::<f64>() / 9.0).abs() <= 1e-15);
}

#[test]
fn logistic_gradients_at_a_random_point() {
    let mut rng = StdRng::seed_from_u64(4);
    let x = Tensor::randn(&[4, 7], &mut rng);
    let y = labels(7, &mut rng);
    let w = Tensor::randn(&[4, 1], &mut rng);
    let b = 0.3;
    let (grads, _) = logistic::propagate(&w, b, &x, &y).unwrap();
    let a = w.t().matmul(&x).add_scalar(b).sigmoid();
    let diff = &a - &y;
    let dw = x.matmul(&diff.t()).div_scalar(7.0);
    for (g, e) in grads.dw.to_vec().iter().zip(dw.to_vec()) {
        assert!((g - e).abs() <= 1e-15);
    }
    assert!((grads.db - diff.sum().item() / 7.0).abs() <= 1e-15);
}

#[test]
#[cfg(feature = "hdf5")]
fn logistic_regression_on_the_real_data() {
    // docs/course.md §4: zero init, α = 0.005, 2000 iterations; costs at %f; train 207/209, test 35/50.
    let dir = common::catvnoncat_dir();
    let data = tapegrad::data::load_catvnoncat(&dir).unwrap();
    let (w, b) = logistic::initialize_with_zeros(12288);
    let out = logistic::optimize(&w, b, &data.train.x, &data.train.y, 2000, 0.005).unwrap();
    let expected = [
        "0.693147", "0.584508", "0.466949", "0.376007", "0.331463", "0.303273", "0.279880",
        "0.260042", "0.242941", "0.228004", "0.214820", "0.203078", "0.192544", "0.183033",
        "0.174399", "0.166521", "0.159305", "0.152667", "0.146542", "0.140872",
    ];
    let printed: Vec<String> = out.costs.iter().map(|c| format!("{c:.6}")).collect();
    assert_eq!(printed, expected);
    let train = logistic::predict(&out.w, out.b, &data.train.x);
    let test = logistic::predict(&out.w, out.b, &data.test.x);
    assert_eq!(nn::accuracy(&train, &data.train.y), 207);
    assert_eq!(nn::accuracy(&test, &data.test.y), 35);
}

#[test]
fn shallow_net_tape_equals_hand_written_and_finite_differences() {
    let mut rng = StdRng::seed_from_u64(5);
    let (n_x, n_h, m) = (5, 4, 11);
    let x = Tensor::randn(&[n_x, m], &mut rng);
    let y = labels(m, &mut rng);
    let mut params = nn::initialize_parameters(n_x, n_h, 1, 2).unwrap();
    // Larger weights and non-zero biases than the ×0.01 init, so tanh is not linear.
    params.w = params.w.iter().map(|w| w.mul_scalar(60.0)).collect();
    params.b = params
        .b
        .iter()
        .map(|b| b.map(|_| rng.random_range(-0.5..0.5)))
        .collect();
    let (cost, tape_grads) = shallow::tape_gradients(&params, &x, &y).unwrap();
    let (a2, cache) = shallow::forward_propagation(&x, &params);
    let reference_cost = nn::reference::compute_cost(&a2, &y);
    assert!((cost - reference_cost).abs() <= 1e-15);
    let hand = shallow::backward_propagation(&params, &cache, &x, &y);
    for (t, h) in tape_grads
        .w
        .iter()
        .chain(&tape_grads.b)
        .zip(hand.w.iter().chain(&hand.b))
    {
        for (a, b) in t.to_vec().iter().zip(h.to_vec()) {
            assert!((a - b).abs() <= 1e-12 * b.abs().max(1e-3), "{a} vs {b}");
        }
    }
    let flat: Vec<Tensor> = params.w.iter().chain(&params.b).cloned().collect();
    let report = gradcheck(&flat, |tape, v| {
        let a1 = v[0].matmul(tape.constant(&x)).broadcast_add(v[2]).tanh();
        let a2 = v[1].matmul(a1).broadcast_add(v[3]).sigmoid();
        nn::model::compute_cost(a2, tape.constant(&y))
    })
    .unwrap();
    assert!(report.error < 1e-7, "{report}");
    // Predictions threshold A2 at 0.5 strictly.
    let p = shallow::predict(&x, &params);
    for (p, a) in p.to_vec().iter().zip(a2.to_vec()) {
        assert_eq!(*p, if a > 0.5 { 1.0 } else { 0.0 });
    }
}

#[test]
fn softmax_cross_entropy_gradient_is_softmax_minus_y_over_m() {
    let mut rng = StdRng::seed_from_u64(6);
    let (c, m) = (4, 6);
    let z = Tensor::randn(&[c, m], &mut rng);
    let y = softmax::one_hot::<f64>(&[0, 3, 1, 1, 2, 3], c).unwrap();
    let tape = Tape::new();
    let (zv, yv) = (tape.param(&z), tape.constant(&y));
    let j = softmax::cross_entropy(zv, yv);
    let dz = j.backward().unwrap().wrt(zv).unwrap().clone();
    let hand = softmax::cross_entropy_backward(&z, &y);
    for (a, b) in dz.to_vec().iter().zip(hand.to_vec()) {
        assert!((a - b).abs() <= 1e-16, "{a} vs {b}");
    }
    let report = gradcheck(&[z], |tape, v| {
        softmax::cross_entropy(v[0], tape.constant(&y))
    })
    .unwrap();
    assert!(report.error < 1e-8, "{report}");
}

#[test]
fn softmax_closed_form_and_stability() {
    // §2.9: Z = [[1],[2],[3]], y = 2: J = 0.40760596444438046; unchanged for Z + 1000.
    for shift in [0.0, 1000.0] {
        let z = Tensor::from_vec(vec![1.0 + shift, 2.0 + shift, 3.0 + shift], &[3, 1]).unwrap();
        let y = softmax::one_hot::<f64>(&[2], 3).unwrap();
        let tape = Tape::new();
        let j = softmax::cross_entropy(tape.param(&z), tape.constant(&y))
            .value()
            .item();
        assert!(
            (j - 0.40760596444438046).abs() <= 1e-15,
            "shift {shift}: {j}"
        );
    }
    // A column whose probabilities underflow to 0: log-softmax stays finite, so the cost is
    // the closed form 2000 (true class scored 2000 below the best).
    let z = Tensor::from_vec(vec![1000.0, -1000.0], &[2, 1]).unwrap();
    let y = softmax::one_hot::<f64>(&[1], 2).unwrap();
    let tape = Tape::new();
    let zv = tape.param(&z);
    let j = softmax::cross_entropy(zv, tape.constant(&y));
    assert_eq!(j.value().item(), 2000.0);
    let dz = j.backward().unwrap().wrt(zv).unwrap().to_vec();
    assert_eq!(dz, vec![1.0, -1.0]);
    assert!(softmax::one_hot::<f64>(&[3], 3).is_err());
}
