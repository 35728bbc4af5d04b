//! The later notebooks' unit tests (docs/course2.md §3–§6), every printed value, and the
//! tape's gradients against the hand-written references to 1e-12.

mod common;

use common::assert_printed;
use tapegrad::nn::regularization::{self as reg, Regularization};
use tapegrad::nn::{self, gradient_checking as gc, shallow, Parameters};
use tapegrad::rng::NumpyRng;
use tapegrad::Tensor;

fn t(rows: usize, cols: usize, v: &[f64]) -> Tensor {
    Tensor::from_vec(v.to_vec(), &[rows, cols]).unwrap()
}

#[track_caller]
fn assert_close(a: &Parameters, b: &Parameters, rel: f64) {
    for (x, y) in a.iter().zip(b.iter()) {
        assert_eq!(x.shape(), y.shape());
        for (p, q) in x.to_vec().iter().zip(y.to_vec()) {
            assert!((p - q).abs() <= rel * q.abs().max(1e-3), "{p} vs {q}");
        }
    }
}

// --- Planar data (§3) -------------------------------------------------------------------

const W1C: [f64; 8] = [
    -0.00416758,
    -0.00056267,
    -0.02136196,
    0.01640271,
    -0.01793436,
    -0.00841747,
    0.00502881,
    -0.01245288,
];
const W2C: [f64; 4] = [-0.01057952, -0.00909008, 0.00551454, 0.02292208];
const A2C: [f64; 3] = [0.5002307, 0.49985831, 0.50023963];

fn planar_constants() -> Parameters {
    Parameters {
        w: vec![t(4, 2, &W1C), t(1, 4, &W2C)],
        b: vec![Tensor::zeros(&[4, 1]), Tensor::zeros(&[1, 1])],
    }
}

/// `seed(1)`: X(2,3), then Y = randn(1,3) > 0.
fn planar_xy() -> (Tensor, Tensor) {
    let mut rng = NumpyRng::new(1);
    let x = rng.randn(&[2, 3]);
    let y = rng.randn(&[1, 3]).map(|v| f64::from(u8::from(v > 0.0)));
    (x, y)
}

#[test]
fn planar_layer_sizes_and_initialization() {
    let mut rng = NumpyRng::new(1);
    let (x, y) = (rng.randn(&[5, 3]), rng.randn(&[2, 3]));
    assert_eq!(shallow::layer_sizes(&x, &y), (5, 4, 2));
    let p = nn::initialize_parameters(2, 4, 1, 2).unwrap();
    assert_printed(&p.w[0], &W1C);
    assert_printed(&p.w[1], &W2C);
    assert!(p.b.iter().all(|b| b.to_vec().iter().all(|&v| v == 0.0)));
}

#[test]
fn planar_forward_cost_backward_update_predict() {
    // forward, new notebook: seed(1): X(2,3), b1(4,1); b2 = −1.3.
    let mut rng = NumpyRng::new(1);
    let x = rng.randn(&[2, 3]);
    let mut p = planar_constants();
    p.b[0] = rng.randn(&[4, 1]);
    p.b[1] = t(1, 1, &[-1.3]);
    let (a2, _) = shallow::forward_propagation(&x, &p);
    assert_printed(&a2, &[0.21292656, 0.21274673, 0.21295976]);

    // cost: Y = randn(1,3) > 0 after seed(1), A2 the constant.
    let y = NumpyRng::new(1)
        .randn(&[1, 3])
        .map(|v| f64::from(u8::from(v > 0.0)));
    let cost = reg_free_cost(&t(1, 3, &A2C), &y);
    assert!((cost - 0.6930587610394646).abs() <= 1e-15, "{cost:?}");

    // backward with the test file's cache (A1 given, A2 the constant).
    let (x, y) = planar_xy();
    let a1 = t(
        4,
        3,
        &[
            -0.00616578,
            0.0020626,
            0.00349619,
            -0.05225116,
            0.02725659,
            -0.02646251,
            -0.02009721,
            0.0036869,
            0.02883756,
            0.02152675,
            -0.01385234,
            0.02599885,
        ],
    );
    let cache = shallow::ShallowCache {
        z1: a1.clone(),
        a1,
        z2: t(1, 3, &A2C),
        a2: t(1, 3, &A2C),
    };
    let g = shallow::backward_propagation(&planar_constants(), &cache, &x, &y);
    assert_printed(
        &g.w[0],
        &[
            0.00301023,
            -0.00747267,
            0.00257968,
            -0.00641288,
            -0.00156892,
            0.003893,
            -0.00652037,
            0.01618243,
        ],
    );
    assert_printed(&g.b[0], &[0.00176201, 0.00150995, -0.00091736, -0.00381422]);
    assert_printed(&g.w[1], &[0.00078841, 0.01765429, -0.00084166, -0.01022527]);
    assert_printed(&g.b[1], &[-0.16655712]);

    // update, lr 1.2, on the test file's constants.
    let (mut p, g) = planar_update_case();
    nn::update_parameters(&mut p, &g, shallow::PLANAR_LEARNING_RATE);
    assert_printed(
        &p.w[0],
        &[
            -0.00643025,
            0.01936718,
            -0.02410458,
            0.03978052,
            -0.01653973,
            -0.02096177,
            0.01046864,
            -0.05990141,
        ],
    );
    assert_printed(
        &p.b[0],
        &[
            -1.02420756e-06,
            1.27373948e-05,
            8.32996807e-07,
            -3.20136836e-06,
        ],
    );
    assert_printed(&p.w[1], &[-0.01041081, -0.04463285, 0.01758031, 0.04747113]);
    assert_printed(&p.b[1], &[0.00010457]);

    // predict, new: [[True False True]].
    let (p, _) = planar_update_case();
    let x = NumpyRng::new(1).randn(&[2, 3]);
    assert_eq!(shallow::predict(&x, &p).to_vec(), [1.0, 0.0, 1.0]);
}

fn reg_free_cost(a2: &Tensor, y: &Tensor) -> f64 {
    let tape = tapegrad::Tape::new();
    nn::model::compute_cost(tape.constant(a2), tape.constant(y))
        .value()
        .item()
}

fn planar_update_case() -> (Parameters, Parameters) {
    let p = Parameters {
        w: vec![
            t(
                4,
                2,
                &[
                    -0.00615039,
                    0.0169021,
                    -0.02311792,
                    0.03137121,
                    -0.0169217,
                    -0.01752545,
                    0.00935436,
                    -0.05018221,
                ],
            ),
            t(1, 4, &[-0.0104319, -0.04019007, 0.01607211, 0.04440255]),
        ],
        b: vec![
            t(
                4,
                1,
                &[
                    -8.97523455e-07,
                    8.15562092e-06,
                    6.04810633e-07,
                    -2.54560700e-06,
                ],
            ),
            t(1, 1, &[9.14954378e-05]),
        ],
    };
    let g = Parameters {
        w: vec![
            t(
                4,
                2,
                &[
                    0.00023322,
                    -0.00205423,
                    0.00082222,
                    -0.00700776,
                    -0.00031831,
                    0.0028636,
                    -0.00092857,
                    0.00809933,
                ],
            ),
            t(
                1,
                4,
                &[
                    -1.75740039e-05,
                    3.70231337e-03,
                    -1.25683095e-03,
                    -2.55715317e-03,
                ],
            ),
        ],
        b: vec![
            t(
                4,
                1,
                &[
                    1.05570087e-07,
                    -3.81814487e-06,
                    -1.90155145e-07,
                    5.46467802e-07,
                ],
            ),
            t(1, 1, &[-1.08923140e-05]),
        ],
    };
    (p, g)
}

#[test]
fn planar_nn_model_test_case() {
    let (x, y) = planar_xy();
    let (p, costs) = shallow::nn_model(&x, &y, 4, 10000).unwrap();
    let printed: Vec<String> = costs.iter().map(|c| format!("{c:.6}")).collect();
    assert_eq!(
        printed,
        [
            "0.693198", "0.000219", "0.000108", "0.000071", "0.000053", "0.000043", "0.000035",
            "0.000030", "0.000027", "0.000024"
        ]
    );
    assert_printed(
        &p.w[0],
        &[
            0.56305445,
            -1.03925886,
            0.7345426,
            -1.36286875,
            -0.72533346,
            1.33753027,
            0.74757629,
            -1.38274074,
        ],
    );
    assert_printed(
        &p.b[0],
        &[-0.22240654, -0.34662093, 0.33663708, -0.35296113],
    );
    assert_printed(&p.w[1], &[1.82196893, 3.09657075, -2.98193564, 3.19946508]);
    assert_printed(&p.b[1], &[0.21344644]);
}

#[test]
fn planar_tape_equals_the_hand_written_backward() {
    let (x, y) = tapegrad::datasets::load_planar_dataset();
    let p = nn::initialize_parameters(2, 4, 1, 3).unwrap().cast::<f64>();
    let (_, tape) = shallow::tape_gradients(&p, &x, &y).unwrap();
    let (_, cache) = shallow::forward_propagation(&x, &p);
    let hand = shallow::backward_propagation(&p, &cache, &x, &y);
    assert_close(&tape, &hand, 1e-12);
}

// --- Initialization (§4) ----------------------------------------------------------------

#[test]
fn initialization_unit_outputs() {
    let z = nn::initialize_parameters_zeros(&[3, 2, 1]).unwrap();
    assert_eq!(z.layer_dims(), [3, 2, 1]);
    assert!(z.iter().all(|t| t.to_vec().iter().all(|&v| v == 0.0)));
    let r = nn::initialize_parameters_random(&[3, 2, 1]).unwrap();
    assert_printed(
        &r.w[0],
        &[
            17.88628473,
            4.36509851,
            0.96497468,
            -18.63492703,
            -2.77388203,
            -3.54758979,
        ],
    );
    assert_printed(&r.w[1], &[-0.82741481, -6.27000677]);
    let h = nn::initialize_parameters_he(&[2, 4, 1]).unwrap();
    assert_printed(
        &h.w[0],
        &[
            1.78862847,
            0.43650985,
            0.09649747,
            -1.8634927,
            -0.2773882,
            -0.35475898,
            -0.08274148,
            -0.62700068,
        ],
    );
    assert_printed(
        &h.w[1],
        &[-0.03098412, -0.33744411, -0.92904268, 0.62552248],
    );
}

// --- Regularization (§5) ----------------------------------------------------------------

/// `seed(1)`: W1(2,3), b1(2,1), W2(3,2), b2(3,1), W3(1,3), b3(1,1), after `before` draws of X.
fn reg_params(rng: &mut NumpyRng) -> Parameters {
    let mut p = Parameters {
        w: vec![],
        b: vec![],
    };
    for (n, n_prev) in [(2, 3), (3, 2), (1, 3)] {
        p.w.push(rng.randn(&[n, n_prev]));
        p.b.push(rng.randn(&[n, 1]));
    }
    p
}

const REG_Y: [f64; 5] = [1.0, 1.0, 0.0, 1.0, 0.0];

#[test]
fn regularized_cost() {
    let p = reg_params(&mut NumpyRng::new(1));
    let a3 = t(
        1,
        5,
        &[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402],
    );
    let cost = reg::compute_cost_with_regularization(&a3, &t(1, 5, &REG_Y), &p, 0.1);
    assert!((cost - 1.7864859451590758).abs() <= 1e-15, "{cost:?}");
}

/// The backward test cases: `seed(1)`: X(3,5), then the parameters; the cache is the forward
/// pass of X (for dropout: the notebook's default keep_prob 0.5).
fn reg_case() -> (Tensor, Tensor, Parameters) {
    let mut rng = NumpyRng::new(1);
    let x = rng.randn(&[3, 5]);
    (x, t(1, 5, &REG_Y), reg_params(&mut rng))
}

#[test]
fn l2_backward_and_the_tape() {
    let (x, y, p) = reg_case();
    let (_, cache) = reg::forward_propagation(&x, &p);
    let g = reg::backward_propagation_with_regularization(&x, &y, &cache, &p, 0.7);
    assert_printed(
        &g.w[0],
        &[
            -0.25604646,
            0.12298827,
            -0.28297129,
            -0.17706303,
            0.34536094,
            -0.4410571,
        ],
    );
    assert_printed(
        &g.w[1],
        &[
            0.79276486,
            0.85133918,
            -0.0957219,
            -0.01720463,
            -0.13100772,
            -0.03750433,
        ],
    );
    assert_printed(&g.w[2], &[-1.77691347, -0.11832879, -0.09397446]);
    let (_, tape) = reg::tape_gradients(&p, &x, &y, Regularization::L2 { lambd: 0.7 }).unwrap();
    assert_close(&tape, &g, 1e-12);
    let (_, plain) = reg::tape_gradients(&p, &x, &y, Regularization::None).unwrap();
    assert_close(
        &plain,
        &reg::backward_propagation(&x, &y, &cache, &p),
        1e-12,
    );
}

#[test]
fn dropout_forward_masks_and_backward() {
    let mut rng = NumpyRng::new(1);
    let x = rng.randn(&[3, 5]);
    let p = reg_params(&mut rng);
    let (a3, cache) = reg::forward_propagation_with_dropout(&x, &p, 0.7).unwrap();
    assert_printed(
        &a3,
        &[0.36974721, 0.00305176, 0.04565099, 0.49683389, 0.36974721],
    );
    assert_eq!(
        cache.d[0].to_vec(),
        [1., 0., 1., 1., 1., 1., 1., 1., 1., 1.]
    );
    assert_eq!(
        cache.d[1].to_vec(),
        [1., 1., 1., 0., 1., 1., 1., 1., 1., 1., 0., 0., 1., 1., 0.]
    );
    assert_eq!(reg::dropout_masks(&p, 5, 0.7).unwrap(), cache.d);

    let (x, y, p) = reg_case();
    let (_, cache) = reg::forward_propagation_with_dropout(&x, &p, 0.5).unwrap();
    // dA1, dA2 are intermediate values of the backward: the notebook's formulas for them.
    let (da1, da2) = dropout_das(&y, &cache, &p, 0.8);
    // The test file's cache holds 8-decimal constants of this forward pass; from the exact
    // forward, dA1[0, 2] is −0.0018823360 (prints …234), the file's gives …233.
    let mut da1 = da1.to_vec();
    assert!((da1[2] - -0.00188233).abs() < 1e-8, "{}", da1[2]);
    da1[2] = -0.00188233;
    let da1 = Tensor::from_vec(da1, &[2, 5]).unwrap();
    assert_printed(
        &da1,
        &[
            0.36544439,
            0.,
            -0.00188233,
            0.,
            -0.17408748,
            0.65515713,
            0.,
            -0.00337459,
            0.,
            -0.,
        ],
    );
    assert_printed(
        &da2,
        &[
            0.58180856,
            0.,
            -0.00299679,
            0.,
            -0.27715731,
            0.,
            0.53159854,
            -0.,
            0.53159854,
            -0.34089673,
            0.,
            0.,
            -0.00292733,
            0.,
            -0.,
        ],
    );
    // The tape with the same masks and keep_prob gives the same gradients (forward at 0.5 and
    // backward at 0.8 is the notebook's test only; train with one keep_prob).
    let (_, cache) = reg::forward_propagation_with_dropout(&x, &p, 0.8).unwrap();
    let g = reg::backward_propagation_with_dropout(&x, &y, &cache, &p, 0.8).unwrap();
    let (_, tape) = reg::tape_gradients(
        &p,
        &x,
        &y,
        Regularization::Dropout {
            keep_prob: 0.8,
            masks: &cache.d,
        },
    )
    .unwrap();
    assert_close(&tape, &g, 1e-12);
}

/// The notebook's `dA1`, `dA2` of `backward_propagation_with_dropout`.
fn dropout_das(y: &Tensor, cache: &reg::Cache, p: &Parameters, kp: f64) -> (Tensor, Tensor) {
    let dz3 = &cache.a[3] - y;
    let da2 = (&p.w[2].t().matmul(&dz3) * &cache.d[1]).div_scalar(kp);
    let dz2 = da2.zip_with(&cache.a[2], |d, a| d * f64::from(u8::from(a > 0.0)));
    let da1 = (&p.w[1].t().matmul(&dz2) * &cache.d[0]).div_scalar(kp);
    (da1, da2)
}

// --- Gradient checking (§6) -------------------------------------------------------------

#[test]
fn one_dimensional_gradient_check() {
    assert_eq!(gc::forward_propagation_1d(2.0, 4.0), 8.0);
    assert_eq!(gc::backward_propagation_1d(2.0, 4.0), 2.0);
    let d = gc::gradient_check(2.0, 4.0, 1e-7);
    assert!(
        (d - 2.919335883291695e-10).abs() <= 1e-9 * 2.919335883291695e-10,
        "{d:?}"
    );
}

/// `seed(1)`: X(4,3), then W1(5,4), b1(5,1), W2(3,5), b2(3,1), W3(1,3), b3(1,1).
fn gc_case() -> (Tensor, Tensor, Parameters) {
    let mut rng = NumpyRng::new(1);
    let x = rng.randn(&[4, 3]);
    let mut p = Parameters {
        w: vec![],
        b: vec![],
    };
    for (n, n_prev) in [(5, 4), (3, 5), (1, 3)] {
        p.w.push(rng.randn(&[n, n_prev]));
        p.b.push(rng.randn(&[n, 1]));
    }
    (x, t(1, 3, &[1.0, 1.0, 0.0]), p)
}

#[test]
fn gradient_check_n_flags_the_notebooks_wrong_backward() {
    let (x, y, p) = gc_case();
    let (_, cache) = reg::forward_propagation(&x, &p);
    let right = reg::backward_propagation(&x, &y, &cache, &p);
    // The notebook's deliberate bugs: dW2 doubled, db1 with 4/m instead of 1/m.
    let mut wrong = right.clone();
    wrong.w[1] = wrong.w[1].mul_scalar(2.0);
    wrong.b[0] = wrong.b[0].mul_scalar(4.0);
    let d = gc::gradient_check_n(&p, &wrong, &x, &y, 1e-7).unwrap();
    assert!(
        (d - 0.2850931567761623).abs() <= 1e-9 * 0.2850931567761623,
        "{d:?}"
    );
    assert!(d > 1e-3, "flagged");
    let d = gc::gradient_check_n(&p, &right, &x, &y, 1e-7).unwrap();
    assert!(
        (d - 1.1890913024229996e-07).abs() <= 1e-6 * 1.1890913024229996e-07,
        "{d:?}"
    );
    // The tape's gradients pass too, and agree with gradcheck's worst element.
    let (_, tape) = reg::tape_gradients(&p, &x, &y, Regularization::None).unwrap();
    assert!(gc::gradient_check_n(&p, &tape, &x, &y, 1e-7).unwrap() < 2e-7);
    let flat: Vec<Tensor> = p.iter().cloned().collect();
    let report = tapegrad::gradcheck(&flat, |tape, v| {
        let vars = nn::ParamVars {
            w: vec![v[0], v[2], v[4]],
            b: vec![v[1], v[3], v[5]],
        };
        let (al, _) = nn::model::l_model_forward(tape.constant(&x), &vars);
        nn::model::compute_cost(al, tape.constant(&y))
    })
    .unwrap();
    assert!(report.error < 1e-7, "{report}");
    // Round trip of the vector form.
    let v = gc::dictionary_to_vector(&p);
    assert_eq!(v.shape(), &[47, 1]);
    assert_eq!(gc::vector_to_dictionary(&v, &p).unwrap(), p);
    assert!(gc::vector_to_dictionary(&Tensor::zeros(&[46, 1]), &p).is_err());
}
