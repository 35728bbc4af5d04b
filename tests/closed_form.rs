//! Closed-form checks: derivatives and identities known on paper, asserted exactly or to a
//! stated tolerance.

use tapegrad::{Tape, Tensor};

fn t(data: &[f64], shape: &[usize]) -> Tensor {
    Tensor::from_vec(data.to_vec(), shape).unwrap()
}

#[test]
fn sigmoid_derivative_is_s_times_one_minus_s() {
    let z = t(&[-3.0, -0.5, 0.0, 0.7, 4.0, 30.0], &[2, 3]);
    let tape = Tape::new();
    let zv = tape.param(&z);
    let grads = zv.sigmoid().sum().backward().unwrap();
    let dz = grads.wrt(zv).unwrap().to_vec();
    for (i, &x) in z.to_vec().iter().enumerate() {
        let s = 1.0 / (1.0 + (-x).exp());
        assert_eq!(dz[i], s * (1.0 - s), "z = {x}");
    }
    // σ(0) = 1/2, σ'(0) = 1/4 exactly.
    assert_eq!(dz[2], 0.25);
}

#[test]
fn sigmoid_is_finite_at_large_magnitudes() {
    let s = t(&[-1000.0, -745.0, 745.0, 1000.0], &[4])
        .sigmoid()
        .to_vec();
    assert_eq!(s, vec![0.0, s[1], 1.0, 1.0]);
    assert!(s[1] >= 0.0 && s[1] < 1e-300);
}

#[test]
fn relu_derivative_uses_strictly_positive() {
    let z = t(&[-1.0, 0.0, 1e-300, 2.0], &[4]);
    let tape = Tape::new();
    let zv = tape.param(&z);
    let grads = zv.relu().sum().backward().unwrap();
    // relu'(0) = 0, as the course's dZ[Z <= 0] = 0.
    assert_eq!(grads.wrt(zv).unwrap().to_vec(), vec![0.0, 0.0, 1.0, 1.0]);
    assert_eq!(z.relu().to_vec(), vec![0.0, 0.0, 1e-300, 2.0]);
}

#[test]
fn tanh_exp_log_derivatives() {
    let x = t(&[0.3, 1.2, 2.5], &[3]);
    let tape = Tape::new();
    let xv = tape.param(&x);
    let g_tanh = xv
        .tanh()
        .sum()
        .backward()
        .unwrap()
        .wrt(xv)
        .unwrap()
        .to_vec();
    let g_exp = xv.exp().sum().backward().unwrap().wrt(xv).unwrap().to_vec();
    let g_log = xv.log().sum().backward().unwrap().wrt(xv).unwrap().to_vec();
    for (i, &v) in x.to_vec().iter().enumerate() {
        assert_eq!(g_tanh[i], 1.0 - v.tanh() * v.tanh());
        assert_eq!(g_exp[i], v.exp());
        assert_eq!(g_log[i], 1.0 / v);
    }
}

#[test]
fn softmax_rows_sum_to_one_and_match_the_course() {
    // docs/course.md §2.9: Z = [[1],[2],[3]] → [0.0900…, 0.2447…, 0.6652…], unchanged for Z + 1000.
    let expected = [0.09003057317038046, 0.24472847105479764, 0.6652409557748218];
    for shift in [0.0, 1000.0] {
        let z = t(&[1.0 + shift, 2.0 + shift, 3.0 + shift], &[3, 1]);
        let s = z.softmax(0).to_vec();
        for (a, b) in s.iter().zip(expected) {
            assert!((a - b).abs() <= 1e-16, "{a} vs {b}");
        }
    }
    // Every column of a (C, m) block sums to 1, even with a column at 1e3 beside one at -1e3.
    let z = t(
        &[1000.0, -1000.0, 0.5, 999.0, -1001.0, 0.25, 0.0, -999.0, 3.0],
        &[3, 3],
    );
    let sums = z.softmax(0).sum_axis(0, false).to_vec();
    for s in sums {
        assert!((s - 1.0).abs() < 1e-15);
    }
    let rows = z.softmax(1).sum_axis(1, false).to_vec();
    for s in rows {
        assert!((s - 1.0).abs() < 1e-15);
    }
}

#[test]
fn softmax_cross_entropy_gradient_is_softmax_minus_y_over_m() {
    // docs/course.md §2.9: J = −(1/m) Σ Y ⊙ log softmax(Z), ∂J/∂Z = (softmax(Z) − Y)/m.
    let z = t(&[1.0, 0.5, 2.0, -1.0, 3.0, 0.0], &[3, 2]);
    let y = t(&[0.0, 1.0, 0.0, 0.0, 1.0, 0.0], &[3, 2]);
    let tape = Tape::new();
    let (zv, yv) = (tape.param(&z), tape.constant(&y));
    let j = -(yv * zv.softmax(0).log()).sum() * 0.5;
    let dz = j.backward().unwrap().wrt(zv).unwrap().to_vec();
    let s = z.softmax(0).to_vec();
    for i in 0..6 {
        assert!((dz[i] - (s[i] - y.to_vec()[i]) / 2.0).abs() < 1e-15);
    }
    // With y = 2 (last class) and Z = [[1],[2],[3]]: J = 0.40760596444438046 (m = 1).
    let j = -t(&[1.0, 2.0, 3.0], &[3, 1]).softmax(0).log().to_vec()[2];
    assert!((j - 0.40760596444438046).abs() < 1e-15);
}

#[test]
fn bce_with_logits_equals_the_plain_cost_where_finite() {
    let z = t(&[-4.0, -0.3, 0.0, 0.8, 2.5, 6.0], &[1, 6]);
    let y = t(&[0.0, 1.0, 1.0, 0.0, 1.0, 1.0], &[1, 6]);
    let tape = Tape::new();
    let (zv, yv) = (tape.param(&z), tape.constant(&y));
    let fused = zv.bce_with_logits(yv);
    let a = zv.sigmoid();
    let plain = -(yv * a.log() + (1.0 - yv) * (1.0 - a).log()).mean();
    let (f, p) = (fused.value().item(), plain.value().item());
    assert!((f - p).abs() < 1e-14, "{f} vs {p}");
    let gf = fused.backward().unwrap().wrt(zv).unwrap().to_vec();
    let gp = plain.backward().unwrap().wrt(zv).unwrap().to_vec();
    for (a, b) in gf.iter().zip(&gp) {
        assert!((a - b).abs() < 1e-14, "{a} vs {b}");
    }
}

#[test]
fn bce_with_logits_stays_finite_where_the_plain_cost_is_not() {
    let z = t(&[1000.0, -1000.0, 40.0], &[1, 3]);
    let y = t(&[0.0, 1.0, 1.0], &[1, 3]);
    let tape = Tape::new();
    let (zv, yv) = (tape.param(&z), tape.constant(&y));
    let a = zv.sigmoid();
    let plain = -(yv * a.log() + (1.0 - yv) * (1.0 - a).log()).mean();
    assert!(
        !plain.value().item().is_finite(),
        "log(0) makes the plain cost infinite"
    );
    let fused = zv.bce_with_logits(yv);
    // Closed form: (1000 + 1000 + ln(1 + e^-40)) / 3.
    let expected = (2000.0 + (-40f64).exp().ln_1p()) / 3.0;
    assert_eq!(fused.value().item(), expected);
    let dz = fused.backward().unwrap().wrt(zv).unwrap().to_vec();
    // (σ(z) − y)/3: (1 − 0)/3, (0 − 1)/3, (σ(40) − 1)/3 ≈ −1.4e-18.
    assert_eq!(dz[0], 1.0 / 3.0);
    assert_eq!(dz[1], -1.0 / 3.0);
    assert!(dz[2].is_finite() && dz[2] <= 0.0 && dz[2] > -1e-17);
}

#[test]
fn mean_cost_rounds_like_the_course() {
    // docs/course.md §3.7: Y = [[1, 1, 0]], AL = [[0.8, 0.9, 0.4]] → cost = 0.2797765635793422
    // exactly, which needs (−1/m)·Σ, not −Σ/m.
    let tape = Tape::new();
    let y = tape.constant(&t(&[1.0, 1.0, 0.0], &[1, 3]));
    let al = tape.constant(&t(&[0.8, 0.9, 0.4], &[1, 3]));
    let cost = -(y * al.log() + (1.0 - y) * (1.0 - al).log()).mean();
    assert_eq!(cost.value().item(), 0.2797765635793422);
}

#[test]
fn sum_axis_and_broadcast_values() {
    let x = t(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    assert_eq!(x.sum_axis(1, true).to_vec(), vec![6.0, 15.0]);
    assert_eq!(x.sum_axis(1, true).shape(), &[2, 1]);
    assert_eq!(x.sum_axis(0, false).to_vec(), vec![5.0, 7.0, 9.0]);
    assert_eq!(x.sum_axis(0, false).shape(), &[3]);
    assert_eq!(x.mean_axis(0, true).to_vec(), vec![2.5, 3.5, 4.5]);
    assert_eq!(x.sum().item(), 21.0);
    assert_eq!(x.mean().item(), 3.5);
    let col = t(&[10.0, 20.0], &[2, 1]);
    let row = t(&[1.0, 2.0, 3.0], &[1, 3]);
    assert_eq!(
        x.broadcast_add(&col).to_vec(),
        vec![11.0, 12.0, 13.0, 24.0, 25.0, 26.0]
    );
    assert_eq!(
        col.broadcast_mul(&row).to_vec(),
        vec![10.0, 20.0, 30.0, 20.0, 40.0, 60.0]
    );
    assert_eq!(
        x.t().broadcast_sub(&col.t()).to_vec(),
        vec![-9.0, -16.0, -8.0, -15.0, -7.0, -14.0]
    );
}

#[test]
fn matmul_values_and_transposed_views() {
    let a = t(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    let b = t(&[7.0, 8.0, 9.0, 10.0, 11.0, 12.0], &[3, 2]);
    assert_eq!(a.matmul(&b).to_vec(), vec![58.0, 64.0, 139.0, 154.0]);
    // (AB)ᵀ = BᵀAᵀ with both transposes as views.
    assert_eq!(
        b.t().matmul(&a.t()).to_vec(),
        vec![58.0, 139.0, 64.0, 154.0]
    );
    assert!(a.t().shares_storage(&a), "t() is a view");
    assert_eq!(a.t().to_vec(), vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    // A wide and a tall product, both hand-over orientations.
    let wide = Tensor::from_vec((0..40).map(f64::from).collect(), &[2, 20]).unwrap();
    let ones = Tensor::ones(&[20, 1]);
    assert_eq!(wide.matmul(&ones).to_vec(), vec![190.0, 590.0]);
    assert_eq!(ones.t().matmul(&wide.t()).to_vec(), vec![190.0, 590.0]);
}

#[test]
fn display_is_numpy_like() {
    let z = t(&[3.262953374654174, -1.2342998686128757], &[1, 2]);
    assert_eq!(z.to_string(), "[[ 3.26295337 -1.23429987]]");
    let a = t(&[0.968900232783661, 0.11013289483978989], &[1, 2]);
    assert_eq!(a.to_string(), "[[0.96890023 0.11013289]]");
    assert_eq!(Tensor::<f64>::zeros(&[2, 1]).to_string(), "[[0.]\n [0.]]");
    assert_eq!(t(&[0.5, 0.25, 2.0], &[3]).to_string(), "[0.5  0.25 2.  ]");
    assert_eq!(t(&[3.5], &[]).to_string(), "3.5");
    let w = t(
        &[
            0.01624345,
            -0.00611756,
            -0.00528172,
            -0.01072969,
            0.00865408,
            -0.02301539,
        ],
        &[2, 3],
    );
    assert_eq!(
        w.to_string(),
        "[[ 0.01624345 -0.00611756 -0.00528172]\n [-0.01072969  0.00865408 -0.02301539]]"
    );
    let cube = Tensor::<f64>::ones(&[2, 1, 2]);
    assert_eq!(cube.to_string(), "[[[1. 1.]]\n\n [[1. 1.]]]");
}

#[test]
fn storage_is_shared_not_copied() {
    let x = Tensor::<f64>::zeros(&[100, 100]);
    let y = x.clone();
    assert!(x.shares_storage(&y));
    let tape = Tape::new();
    let v = tape.constant(&x);
    assert!(v.value().shares_storage(&x));
}

#[test]
fn axpy_updates_in_place_like_gradient_descent() {
    // W ← W − α·dW, computed as the course does: α·dW first.
    let mut w = t(&[1.0, 2.0], &[2]);
    let dw = t(&[0.3, -0.7], &[2]);
    w.axpy_(-0.1, &dw);
    assert_eq!(w.to_vec(), vec![1.0 - 0.1 * 0.3, 2.0 - 0.1 * -0.7]);
}

#[test]
fn both_layouts_give_the_same_products_and_views() {
    let x = Tensor::from_vec(
        (0..35).map(|i| f64::from(i) * 0.37 - 4.0).collect(),
        &[7, 5],
    )
    .unwrap();
    let both = x.with_both_layouts();
    let dz = Tensor::from_vec((0..21).map(|i| f64::from(i % 5) - 1.5).collect(), &[3, 7]).unwrap();
    let w = Tensor::from_vec((0..15).map(|i| f64::from(i) / 7.0).collect(), &[3, 5]).unwrap();
    // Same values, bit for bit, whichever layout a product reads.
    assert_eq!(dz.matmul(&both).to_vec(), dz.matmul(&x).to_vec());
    assert_eq!(w.matmul(&both.t()).to_vec(), w.matmul(&x.t()).to_vec());
    assert_eq!(
        both.t().matmul(&dz.t()).to_vec(),
        x.t().matmul(&dz.t()).to_vec()
    );
    assert_eq!(both, x);
    assert_eq!(both.t().to_vec(), x.t().to_vec());
    // The transpose of a tensor with both layouts is contiguous for free.
    let tc = both.t().contiguous();
    assert!(tc.is_contiguous());
    assert_eq!(tc.as_slice(), x.t().to_vec().as_slice());
    // An in-place update drops the second layout instead of letting it go stale.
    let mut updated = both.clone();
    updated.axpy_(1.0, &x);
    assert_eq!(
        updated.t().to_vec(),
        x.t().to_vec().iter().map(|v| 2.0 * v).collect::<Vec<_>>()
    );
    assert_eq!(
        w.matmul(&updated.t()).to_vec(),
        w.matmul(&x.t())
            .to_vec()
            .iter()
            .map(|v| 2.0 * v)
            .collect::<Vec<_>>()
    );
}
