//! Training steps over time: the update is in place and nothing from a step outlives it.

use tapegrad::nn::{self, InitScale};
use tapegrad::rng::NumpyRng;
use tapegrad::Tensor;

#[test]
fn parameters_are_updated_in_place_and_the_tape_keeps_nothing() {
    let mut rng = NumpyRng::new(4);
    let x = rng.randn(&[30, 16]).with_both_layouts();
    let y = Tensor::from_vec((0..16).map(|j| f64::from(j % 3 == 0)).collect(), &[1, 16]).unwrap();
    let mut params = nn::initialize_parameters_deep(&[30, 8, 4, 1], 2, InitScale::He).unwrap();
    let storage: Vec<*const f64> = params
        .w
        .iter()
        .chain(&params.b)
        .map(|t| t.as_slice().as_ptr())
        .collect();
    let mut costs = Vec::new();
    for _ in 0..50 {
        costs.push(nn::train_step(&mut params, &x, &y, 0.05).unwrap());
    }
    // The same buffers after 50 steps: each update wrote into them, which it can only do when
    // no tape, gradient or cache of the step still refers to them (otherwise it would copy).
    let after: Vec<*const f64> = params
        .w
        .iter()
        .chain(&params.b)
        .map(|t| t.as_slice().as_ptr())
        .collect();
    assert_eq!(storage, after);
    // And the steps did train.
    assert!(costs[49] < costs[0] * 0.9, "{} → {}", costs[0], costs[49]);
}

#[test]
fn both_layouts_do_not_change_the_training() {
    let mut rng = NumpyRng::new(5);
    let x = rng.randn(&[40, 12]);
    let y = Tensor::from_vec((0..12).map(|j| f64::from(j % 2 == 0)).collect(), &[1, 12]).unwrap();
    let start = nn::initialize_parameters_deep(&[40, 6, 1], 3, InitScale::DivSqrtFanIn).unwrap();
    let (mut plain, mut both) = (start.clone(), start);
    let xb = x.with_both_layouts();
    for _ in 0..20 {
        let c1 = nn::train_step(&mut plain, &x, &y, 0.1).unwrap();
        let c2 = nn::train_step(&mut both, &xb, &y, 0.1).unwrap();
        assert_eq!(c1, c2);
    }
    assert_eq!(
        plain, both,
        "bit-identical parameters whichever layout the products read"
    );
}
