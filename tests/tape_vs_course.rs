//! Proof that the tape's gradients equal the course's hand-written backprop (docs/course.md §7):
//! dW, db for every layer to 1e-12 relative; the tape's dZ and dA are the course's divided by
//! m (the course's are per example). Checked on the course's test case, on random L-layer
//! models of depth 1..6, and on the first 16 real training images; and the whole L-layer cost
//! against finite differences.

#![allow(clippy::needless_range_loop)] // layer indices mirror the course's l

mod common;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tapegrad::nn::{self, model, reference, InitScale, Parameters};
use tapegrad::{gradcheck, Tape, Tensor};

/// max |a − b| / max(|b|, floor): relative, with a floor for entries that are exactly 0 in one
/// and rounding noise in the other.
fn rel_diff(a: &Tensor, b: &Tensor) -> f64 {
    assert_eq!(a.shape(), b.shape());
    let scale = b.to_vec().iter().fold(0f64, |m, x| m.max(x.abs()));
    a.to_vec()
        .iter()
        .zip(b.to_vec())
        .map(|(x, y)| (x - y).abs() / y.abs().max(1e-3 * scale).max(1e-300))
        .fold(0.0, f64::max)
}

/// Runs both backprops on one consistent forward pass and compares everything.
fn compare(x: &Tensor, y: &Tensor, params: &Parameters) {
    let num_layers = params.num_layers();
    let m = x.shape()[1] as f64;

    let tape = Tape::new();
    let vars = params.on_tape(&tape);
    let (al, caches) = model::l_model_forward(tape.constant(x), &vars);
    for c in &caches {
        c.z.retain_grad();
        c.a_prev.retain_grad();
    }
    let al = al.retain_grad();
    let cost = model::compute_cost(al, tape.constant(y));
    let grads = cost.backward().unwrap();
    let tape_grads = vars.grads(&grads);

    let (al_ref, caches_ref) = reference::l_model_forward(x, params);
    assert_eq!(
        al.value(),
        al_ref,
        "the two forward passes are the same code path"
    );
    let course = reference::l_model_backward(&al_ref, y, &caches_ref);
    assert!((cost.value().item() - reference::compute_cost(&al_ref, y)).abs() <= 1e-15);

    for l in 0..num_layers {
        let dw = rel_diff(&tape_grads.w[l], &course.dw[l]);
        let db = rel_diff(&tape_grads.b[l], &course.db[l]);
        assert!(dw <= 1e-12, "dW{}: relative difference {dw:e}", l + 1);
        assert!(db <= 1e-12, "db{}: relative difference {db:e}", l + 1);
    }
    // dA[l] for l = 1..L-1 (inputs of layers 2..L): the tape's is the course's / m.
    for l in 1..num_layers {
        let tape_da = grads.wrt(caches[l].a_prev).unwrap();
        let d = rel_diff(&tape_da.mul_scalar(m), &course.da[l]);
        assert!(d <= 1e-12, "dA{l}·m vs course: {d:e}");
    }
    // X is a constant: no dA0 at all (the course computes it and throws it away).
    assert!(grads.wrt(caches[0].a_prev).is_none());
    // dZ: course's dZ[L] = AL − Y (algebraically), dZ[l] from relu_backward; tape's / m.
    let dz_l = grads.wrt(caches[num_layers - 1].z).unwrap();
    let d = rel_diff(&dz_l.mul_scalar(m), &(&al_ref - y));
    assert!(d <= 1e-12, "dZ{num_layers}·m vs AL − Y: {d:e}");
    for l in 0..num_layers - 1 {
        let course_dz = reference::relu_backward(&course.da[l + 1], &caches_ref[l].z);
        let d = rel_diff(&grads.wrt(caches[l].z).unwrap().mul_scalar(m), &course_dz);
        assert!(d <= 1e-12, "dZ{}·m vs course: {d:e}", l + 1);
    }
    // ∂J/∂AL = course dAL / m.
    let dal = -&(&(y / &al_ref) - &(&y.rsub_scalar(1.0) / &al_ref.rsub_scalar(1.0)));
    let d = rel_diff(&grads.wrt(al).unwrap().mul_scalar(m), &dal);
    assert!(d <= 1e-12, "dAL·m vs course: {d:e}");
}

#[test]
fn course_test_case_inputs() {
    // §3.6's X and parameters (seed 6) with labels; a consistent forward pass this time.
    let (x, p) = common::l_model_forward_inputs();
    let y = Tensor::from_vec(vec![1.0, 0.0, 1.0, 0.0], &[1, 4]).unwrap();
    compare(&x, &y, &p);
}

#[test]
fn course_example_of_section_7() {
    // §7: Y = [[1, 1, 0]], AL = [[0.8, 0.9, 0.4]], m = 3: tape ∂J/∂AL is the course's dAL / 3.
    let tape = Tape::new();
    let y = tape.constant(&Tensor::from_vec(vec![1.0, 1.0, 0.0], &[1, 3]).unwrap());
    let al = tape.param(&Tensor::from_vec(vec![0.8, 0.9, 0.4], &[1, 3]).unwrap());
    let grads = model::compute_cost(al, y).backward().unwrap();
    let dal = grads.wrt(al).unwrap().to_vec();
    for (a, b) in dal
        .iter()
        .zip([-0.4166666666666667, -0.3703703703703704, 0.5555555555555556])
    {
        assert!((a - b).abs() <= 1e-15, "{a} vs {b}");
    }
}

#[test]
fn random_models_depth_1_to_6() {
    let mut rng = StdRng::seed_from_u64(2024);
    for depth in 1..=6 {
        for trial in 0..3 {
            let mut dims = vec![rng.random_range(1..12)];
            for _ in 0..depth {
                dims.push(rng.random_range(1..9));
            }
            *dims.last_mut().unwrap() = 1;
            let m = rng.random_range(1..20);
            let params =
                nn::initialize_parameters_deep(&dims, 100 + trial, InitScale::Times(0.8)).unwrap();
            // Non-zero biases, so broadcasting matters.
            let params = Parameters {
                w: params.w,
                b: params
                    .b
                    .iter()
                    .map(|b| b.map(|_| rng.random_range(-0.5..0.5)))
                    .collect(),
            };
            let x = Tensor::randn(&[dims[0], m], &mut rng);
            let y = Tensor::from_vec(
                (0..m).map(|_| f64::from(rng.random_bool(0.5))).collect(),
                &[1, m],
            )
            .unwrap();
            compare(&x, &y, &params);
        }
    }
}

#[test]
#[cfg(feature = "hdf5")]
fn real_images_first_16() {
    let dir = common::catvnoncat_dir();
    let data = tapegrad::data::load_catvnoncat(&dir).unwrap();
    let x = Tensor::from_vec(
        (0..12288)
            .flat_map(|r| (0..16).map(move |j| (r, j)))
            .map(|(r, j)| data.train.x.get(&[r, j]))
            .collect(),
        &[12288, 16],
    )
    .unwrap();
    let y = Tensor::from_vec(
        (0..16).map(|j| data.train.y.get(&[0, j])).collect(),
        &[1, 16],
    )
    .unwrap();
    let params =
        nn::initialize_parameters_deep(&[12288, 20, 7, 5, 1], 1, InitScale::DivSqrtFanIn).unwrap();
    compare(&x, &y, &params);
}

#[test]
fn gradcheck_of_the_whole_l_layer_cost() {
    let mut rng = StdRng::seed_from_u64(77);
    let dims = [5, 4, 3, 1];
    let p = nn::initialize_parameters_deep(&dims, 5, InitScale::Times(0.9)).unwrap();
    let b: Vec<Tensor> =
        p.b.iter()
            .map(|b| b.map(|_| rng.random_range(-0.3..0.3)))
            .collect();
    let x = Tensor::randn(&[5, 7], &mut rng);
    let y = Tensor::from_vec(vec![1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0], &[1, 7]).unwrap();
    let flat: Vec<Tensor> = p.w.iter().cloned().chain(b).collect();
    let report = gradcheck(&flat, |tape, v| {
        let vars = nn::ParamVars {
            w: v[..3].to_vec(),
            b: v[3..].to_vec(),
        };
        let (al, _) = model::l_model_forward(tape.constant(&x), &vars);
        model::compute_cost(al, tape.constant(&y))
    })
    .unwrap();
    assert!(report.error < 1e-7, "{report}");
    assert_eq!(report.checked, 5 * 4 + 4 * 3 + 3 + 4 + 3 + 1);
}
