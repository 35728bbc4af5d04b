//! The course layer against docs/course.md: every printed "Expected output" of §3, reproduced from
//! inputs drawn with `NumpyRng` exactly as the course's test cases draw them, compared at the
//! printed precision (|a − b| ≤ 0.5·10⁻⁸ for 8 decimals), plus the full-precision values
//! docs/course.md gives.

mod common;

use tapegrad::nn::reference::{self, Cache, LinearCache};
use tapegrad::nn::{self, model, Activation, InitScale, Parameters};
use tapegrad::rng::NumpyRng;
use tapegrad::{Tape, Tensor};

/// Asserts `t` has `shape` and prints as `expected` at 8 decimals.
#[track_caller]
fn assert_printed(t: &Tensor, shape: &[usize], expected: &[f64]) {
    assert_eq!(t.shape(), shape);
    for (i, (a, b)) in t.to_vec().iter().zip(expected).enumerate() {
        // 0.5e-8 plus one ulp of slack for the decimal literal itself.
        assert!(
            (a - b).abs() <= 0.5e-8 + 1e-15,
            "element {i}: {a} vs printed {b}\n{t}"
        );
    }
    assert_eq!(t.len(), expected.len());
}

#[test]
fn initialize_parameters_3_2_1() {
    // §3.1: seed 1, ×0.01.
    let p = nn::initialize_parameters(3, 2, 1, 1).unwrap();
    assert_printed(
        &p.w[0],
        &[2, 3],
        &[
            0.01624345,
            -0.00611756,
            -0.00528172,
            -0.01072969,
            0.00865408,
            -0.02301539,
        ],
    );
    assert_printed(&p.b[0], &[2, 1], &[0.0, 0.0]);
    assert_printed(&p.w[1], &[1, 2], &[0.01744812, -0.00761207]);
    assert_printed(&p.b[1], &[1, 1], &[0.0]);
}

#[test]
fn initialize_parameters_deep_5_4_3() {
    // §3.2: seed 3, ×0.01.
    let p = nn::initialize_parameters_deep(&[5, 4, 3], 3, InitScale::Times(0.01)).unwrap();
    assert_printed(
        &p.w[0],
        &[4, 5],
        &[
            0.01788628,
            0.0043651,
            0.00096497,
            -0.01863493,
            -0.00277388,
            -0.00354759,
            -0.00082741,
            -0.00627001,
            -0.00043818,
            -0.00477218,
            -0.01313865,
            0.00884622,
            0.00881318,
            0.01709573,
            0.00050034,
            -0.00404677,
            -0.0054536,
            -0.01546477,
            0.00982367,
            -0.01101068,
        ],
    );
    assert_printed(&p.b[0], &[4, 1], &[0.0; 4]);
    assert_printed(
        &p.w[1],
        &[3, 4],
        &[
            -0.01185047,
            -0.0020565,
            0.01486148,
            0.00236716,
            -0.01023785,
            -0.00712993,
            0.00625245,
            -0.00160513,
            -0.00768836,
            -0.00230031,
            0.00745056,
            0.01976111,
        ],
    );
    assert_printed(&p.b[1], &[3, 1], &[0.0; 3]);
}

#[test]
fn initialize_parameters_deep_first_lab() {
    // §3.3: seed 3 (the document says 123), ×0.05.
    let p = nn::initialize_parameters_deep(&[3, 2, 3], 3, InitScale::Times(0.05)).unwrap();
    assert_printed(
        &p.w[0],
        &[2, 3],
        &[
            0.08943142,
            0.02182549,
            0.00482487,
            -0.09317464,
            -0.01386941,
            -0.01773795,
        ],
    );
    assert_printed(
        &p.w[1],
        &[3, 2],
        &[
            -0.00413707,
            -0.03135003,
            -0.00219091,
            -0.0238609,
            -0.06569324,
            0.04423112,
        ],
    );
}

#[test]
fn application_init_fingerprints() {
    // §4: seed 1, randn / sqrt(n_{l-1}), [12288, 20, 7, 5, 1]; exact first elements and W4.
    let p =
        nn::initialize_parameters_deep(&[12288, 20, 7, 5, 1], 1, InitScale::DivSqrtFanIn).unwrap();
    let w1 = p.w[0].to_vec();
    assert_eq!(
        &w1[..5],
        &[
            0.014653378640123331,
            -0.0055187145328023605,
            -0.004764689114807226,
            -0.009679355044279483,
            0.007806926996083735
        ]
    );
    let sum: f64 = w1.iter().sum();
    assert!(
        (sum - 7.373509610089014).abs() <= 1e-12 * 7.4,
        "ΣW1 = {sum}"
    );
    assert_eq!(
        p.w[3].to_vec(),
        vec![
            -0.38423553330727866,
            -0.019751508080455768,
            0.5008105331955379,
            0.8976636752163728,
            0.018698163198335283
        ]
    );
    // Two-layer: seed 1, ×0.01, (12288, 7, 1).
    let p = nn::initialize_parameters(12288, 7, 1, 1).unwrap();
    assert_eq!(
        &p.w[0].to_vec()[..5],
        &[
            0.01624345363663242,
            -0.006117564136500754,
            -0.005281717522634557,
            -0.010729686221561705,
            0.008654076293246785
        ]
    );
    let sum: f64 = p.w[0].to_vec().iter().sum();
    assert!((sum - 2.421608176704326).abs() <= 1e-12 * 2.5);
    assert_eq!(
        p.w[1].to_vec(),
        vec![
            -0.008533065088761125,
            0.026267755393225116,
            0.00144462274133704,
            0.02815821542661361,
            -4.482470369058102e-05,
            0.0156583537165925,
            -0.0029008464298936926
        ]
    );
}

#[test]
fn linear_forward_case() {
    // §3.4: seed 1: A(3,2), W(1,3), b(1,1).
    let mut rng = NumpyRng::new(1);
    let (a, w, b) = (rng.randn(&[3, 2]), rng.randn(&[1, 3]), rng.randn(&[1, 1]));
    let (z, _) = reference::linear_forward(&a, &w, &b);
    assert_printed(&z, &[1, 2], &[3.26295337, -1.23429987]);
    assert_eq!(z.to_string(), "[[ 3.26295337 -1.23429987]]");
    let full = [3.262953374654174, -1.2342998686128757];
    let tape = Tape::new();
    let zt = model::linear_forward(tape.constant(&a), tape.param(&w), tape.param(&b)).value();
    for (x, y) in zt.to_vec().iter().zip(full) {
        assert!((x - y).abs() <= 1e-15, "{x} vs {y}");
    }
}

#[test]
fn linear_activation_forward_case() {
    // §3.5: seed 2: A_prev(3,2), W(1,3), b(1,1).
    let mut rng = NumpyRng::new(2);
    let (a_prev, w, b) = (rng.randn(&[3, 2]), rng.randn(&[1, 3]), rng.randn(&[1, 1]));
    let (s, _) = reference::linear_activation_forward(&a_prev, &w, &b, Activation::Sigmoid);
    assert_printed(&s, &[1, 2], &[0.96890023, 0.11013289]);
    let (r, _) = reference::linear_activation_forward(&a_prev, &w, &b, Activation::Relu);
    assert_printed(&r, &[1, 2], &[3.43896131, 0.0]);
    let tape = Tape::new();
    let (av, wv, bv) = (tape.constant(&a_prev), tape.param(&w), tape.param(&b));
    let (st, _) = model::linear_activation_forward(av, wv, bv, Activation::Sigmoid);
    let (rt, _) = model::linear_activation_forward(av, wv, bv, Activation::Relu);
    for (x, y) in st
        .value()
        .to_vec()
        .iter()
        .zip([0.968900232783661, 0.11013289483978989])
    {
        assert!((x - y).abs() <= 1e-15);
    }
    for (x, y) in rt.value().to_vec().iter().zip([3.4389613134945427, 0.0]) {
        assert!((x - y).abs() <= 1e-14);
    }
}

#[test]
fn l_model_forward_case() {
    let (x, params) = common::l_model_forward_inputs();
    let (al, caches) = reference::l_model_forward(&x, &params);
    assert_printed(
        &al,
        &[1, 4],
        &[0.03921668, 0.70498921, 0.19734387, 0.04728177],
    );
    assert_eq!(caches.len(), 3);
    let full = [
        0.039216679222503596,
        0.7049892075012225,
        0.19734387234713996,
        0.04728177161977344,
    ];
    let tape = Tape::new();
    let (al_t, caches_t) = model::l_model_forward(tape.constant(&x), &params.on_tape(&tape));
    assert_eq!(caches_t.len(), 3);
    for (a, b) in al_t.value().to_vec().iter().zip(full) {
        assert!((a - b).abs() <= 1e-15, "{a} vs {b}");
    }
}

#[test]
fn compute_cost_case() {
    // §3.7: exactly 0.2797765635793422, on both paths; the older Y = [[1,1,1]] test 0.41493159961539694.
    let y = Tensor::from_vec(vec![1.0, 1.0, 0.0], &[1, 3]).unwrap();
    let al = Tensor::from_vec(vec![0.8, 0.9, 0.4], &[1, 3]).unwrap();
    assert_eq!(reference::compute_cost(&al, &y), 0.2797765635793422);
    let tape = Tape::new();
    assert_eq!(
        model::compute_cost(tape.constant(&al), tape.constant(&y))
            .value()
            .item(),
        0.2797765635793422
    );
    let ones = Tensor::ones(&[1, 3]);
    assert_eq!(reference::compute_cost(&al, &ones), 0.41493159961539694);
}

#[test]
fn linear_backward_case() {
    // §3.8: seed 1: dZ(3,4), A_prev(5,4), W(3,5), b(3,1).
    let mut rng = NumpyRng::new(1);
    let dz = rng.randn(&[3, 4]);
    let cache = LinearCache {
        a_prev: rng.randn(&[5, 4]),
        w: rng.randn(&[3, 5]),
        b: rng.randn(&[3, 1]),
    };
    let (da_prev, dw, db) = reference::linear_backward(&dz, &cache);
    assert_printed(
        &da_prev,
        &[5, 4],
        &[
            -1.15171336,
            0.06718465,
            -0.3204696,
            2.09812712,
            0.60345879,
            -3.72508701,
            5.81700741,
            -3.84326836,
            -0.4319552,
            -1.30987417,
            1.72354705,
            0.05070578,
            -0.38981415,
            0.60811244,
            -1.25938424,
            1.47191593,
            -2.52214926,
            2.67882552,
            -0.67947465,
            1.48119548,
        ],
    );
    assert_printed(
        &dw,
        &[3, 5],
        &[
            0.07313866,
            -0.0976715,
            -0.87585828,
            0.73763362,
            0.00785716,
            0.85508818,
            0.37530413,
            -0.59912655,
            0.71278189,
            -0.58931808,
            0.97913304,
            -0.24376494,
            -0.08839671,
            0.55151192,
            -0.10290907,
        ],
    );
    assert_printed(&db, &[3, 1], &[-0.14713786, -0.11313155, -0.13209101]);
}

#[test]
fn linear_activation_backward_case() {
    // §3.9: seed 2: dA(1,2), A_prev(3,2), W(1,3), b(1,1), Z(1,2).
    let mut rng = NumpyRng::new(2);
    let da = rng.randn(&[1, 2]);
    let linear = LinearCache {
        a_prev: rng.randn(&[3, 2]),
        w: rng.randn(&[1, 3]),
        b: rng.randn(&[1, 1]),
    };
    let cache = Cache {
        linear,
        z: rng.randn(&[1, 2]),
    };
    let (da_prev, dw, db) = reference::linear_activation_backward(&da, &cache, Activation::Sigmoid);
    assert_printed(
        &da_prev,
        &[3, 2],
        &[
            0.11017994,
            0.01105339,
            0.09466817,
            0.00949723,
            -0.05743092,
            -0.00576154,
        ],
    );
    assert_printed(&dw, &[1, 3], &[0.10266786, 0.09778551, -0.01968084]);
    assert!((db.item() - -0.057296222176291135).abs() <= 1e-16);
    let (da_prev, dw, db) = reference::linear_activation_backward(&da, &cache, Activation::Relu);
    assert_printed(
        &da_prev,
        &[3, 2],
        &[0.44090989, 0.0, 0.37883606, 0.0, -0.2298228, 0.0],
    );
    assert_printed(&dw, &[1, 3], &[0.44513824, 0.37371418, -0.10478989]);
    assert!((db.item() - -0.2083789237027353).abs() <= 1e-16);
}

#[test]
fn l_model_backward_case() {
    // §3.10: seed 3: AL(1,2); Y = [[1, 0]]; A1(4,2), W1(3,4), b1(3,1), Z1(3,2), A2(3,2),
    // W2(1,3), b2(1,1), Z2(1,2). Random caches: this tests the hand-written backward only.
    let mut rng = NumpyRng::new(3);
    let al = rng.randn(&[1, 2]);
    let y = Tensor::from_vec(vec![1.0, 0.0], &[1, 2]).unwrap();
    let mut caches = Vec::new();
    for (n, n_prev) in [(3, 4), (1, 3)] {
        let linear = LinearCache {
            a_prev: rng.randn(&[n_prev, 2]),
            w: rng.randn(&[n, n_prev]),
            b: rng.randn(&[n, 1]),
        };
        caches.push(Cache {
            linear,
            z: rng.randn(&[n, 2]),
        });
    }
    let grads = reference::l_model_backward(&al, &y, &caches);
    assert_printed(
        &grads.dw[0],
        &[3, 4],
        &[
            0.41010002, 0.07807203, 0.13798444, 0.10502167, 0.0, 0.0, 0.0, 0.0, 0.05283652,
            0.01005865, 0.01777766, 0.0135308,
        ],
    );
    assert_printed(&grads.db[0], &[3, 1], &[-0.22007063, 0.0, -0.02835349]);
    assert_printed(
        &grads.da[1],
        &[3, 2],
        &[
            0.12913162,
            -0.44014127,
            -0.14175655,
            0.48317296,
            0.01663708,
            -0.05670698,
        ],
    );
    // Not printed, computed in docs/course.md at full precision.
    let close = |t: &Tensor, v: &[f64]| {
        for (a, b) in t.to_vec().iter().zip(v) {
            assert!((a - b).abs() <= 1e-15 * (1.0 + b.abs()), "{a} vs {b}");
        }
    };
    close(
        &grads.dw[1],
        &[
            -0.392024321654423,
            -0.1332585501664456,
            -0.04601088924542733,
        ],
    );
    close(&grads.db[1], &[0.15187860780843926]);
    close(
        &grads.da[0],
        &[
            0.0,
            0.522579012261749,
            0.0,
            -0.32692060097785447,
            0.0,
            -0.3207040360847321,
            0.0,
            -0.7407918718384887,
        ],
    );
}

#[test]
fn update_parameters_case() {
    // §3.11: seed 2: W1(3,4), b1(3,1), W2(1,3), b2(1,1); seed 3: dW1, db1, dW2, db2; α = 0.1.
    let draw = |seed| {
        let mut rng = NumpyRng::new(seed);
        let (w1, b1, w2, b2) = (
            rng.randn(&[3, 4]),
            rng.randn(&[3, 1]),
            rng.randn(&[1, 3]),
            rng.randn(&[1, 1]),
        );
        Parameters {
            w: vec![w1, w2],
            b: vec![b1, b2],
        }
    };
    let (mut params, grads) = (draw(2), draw(3));
    let course = reference::update_parameters(
        &params,
        &reference::Grads {
            da: vec![],
            dw: grads.w.clone(),
            db: grads.b.clone(),
        },
        0.1,
    );
    nn::update_parameters(&mut params, &grads, 0.1);
    for p in [&params, &course] {
        assert_printed(
            &p.w[0],
            &[3, 4],
            &[
                -0.59562069,
                -0.09991781,
                -2.14584584,
                1.82662008,
                -1.76569676,
                -0.80627147,
                0.51115557,
                -1.18258802,
                -1.0535704,
                -0.86128581,
                0.68284052,
                2.20374577,
            ],
        );
        assert_printed(&p.b[0], &[3, 1], &[-0.04659241, -1.28888275, 0.53405496]);
        assert_printed(&p.w[1], &[1, 3], &[-0.55569196, 0.0354055, 1.32964895]);
        assert_printed(&p.b[1], &[1, 1], &[-0.84610769]);
    }
    assert_eq!(
        params, course,
        "in-place update rounds exactly like W − α·dW"
    );
}
