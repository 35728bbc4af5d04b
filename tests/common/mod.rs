//! Helpers shared by the integration tests. Use with `mod common;` at the top of a test file.

// Each test binary compiles this module and uses only some of it.
#![allow(dead_code)]

use std::path::PathBuf;

/// The course's cat / non-cat files, as they ship in the repository's `data/catvnoncat`.
pub fn catvnoncat_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join("catvnoncat")
}

/// The inputs of docs/course.md §3.6 (`L_model_forward` test case): seed 6, then `X(5,4)`,
/// `W1(4,5)`, `b1(4,1)`, `W2(3,4)`, `b2(3,1)`, `W3(1,3)`, `b3(1,1)` drawn in that order.
pub fn l_model_forward_inputs() -> (tapegrad::Tensor, tapegrad::nn::Parameters) {
    let mut rng = tapegrad::rng::NumpyRng::new(6);
    let x = rng.randn(&[5, 4]);
    let mut p = tapegrad::nn::Parameters {
        w: vec![],
        b: vec![],
    };
    for (n, n_prev) in [(4, 5), (3, 4), (1, 3)] {
        p.w.push(rng.randn(&[n, n_prev]));
        p.b.push(rng.randn(&[n, 1]));
    }
    (x, p)
}

/// Asserts `got` prints as `printed` at 8 decimals (NumPy's default), or at the printed
/// value's own 8 significant digits for the e-notation ones.
#[track_caller]
pub fn assert_printed(got: &tapegrad::Tensor, printed: &[f64]) {
    let got = got.to_vec();
    assert_eq!(got.len(), printed.len());
    for (i, (a, b)) in got.iter().zip(printed).enumerate() {
        let tol = 0.5e-8f64.max(0.5e-8 * b.abs()) + 1e-15;
        assert!(
            (a - b).abs() <= tol,
            "element {i}: got {a:?}, printed {b:?}"
        );
    }
}

/// Values with |x| in [lo, hi], of random sign when `signed` (for ops with kinks or poles at 0).
pub fn away_from_zero(
    shape: &[usize],
    lo: f64,
    hi: f64,
    signed: bool,
    rng: &mut rand::rngs::StdRng,
) -> tapegrad::Tensor {
    use rand::Rng;
    let n = shape.iter().product();
    let data = (0..n)
        .map(|_| {
            let v = rng.random_range(lo..hi);
            if signed && rng.random_bool(0.5) {
                -v
            } else {
                v
            }
        })
        .collect();
    tapegrad::Tensor::from_vec(data, shape).unwrap()
}

/// A fixed, non-uniform weighting so that `Σ w ⊙ f(x)` exercises every output element with a
/// different gradient (a plain `sum` would hand every element g = 1).
pub fn weights(shape: &[usize]) -> tapegrad::Tensor {
    let n: usize = shape.iter().product();
    let data = (0..n).map(|i| 0.5 + 0.37 * ((i * 7 % 11) as f64)).collect();
    tapegrad::Tensor::from_vec(data, shape).unwrap()
}

/// The example binary `name` that `cargo test` built beside the running test's own binary.
pub fn example_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let bin = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: build it with cargo test --release (which builds examples)",
        bin.display()
    );
    bin
}
