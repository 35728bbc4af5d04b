//! The course's initializations, drawn from NumPy's legacy generator so the printed matrices
//! come out exactly.

use super::Parameters;
use crate::error::{Error, Result};
use crate::rng::NumpyRng;
use crate::Tensor;

/// How `initialize_parameters_deep` scales `randn(n_l, n_{l-1})`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum InitScale {
    /// `randn · s`: the course's step-by-step `× 0.01`, the first lab's `× 0.05`.
    Times(f64),
    /// `randn / sqrt(n_{l-1})`: the application's L-layer model (a true division, as NumPy's
    /// `/ np.sqrt(n)`; multiplying by `1/sqrt(n)` changes the last bit of half the entries).
    DivSqrtFanIn,
    /// He initialization, `randn · sqrt(2 / n_{l-1})`, suited to ReLU layers.
    He,
}

fn check_layer_dims(layer_dims: &[usize]) -> Result<()> {
    if layer_dims.len() < 2 || layer_dims.contains(&0) {
        return Err(Error::Invalid(format!(
            "layer_dims must list at least two positive sizes [n_x, ..., n_y], got {layer_dims:?}"
        )));
    }
    Ok(())
}

/// The course's two-layer initialization: `np.random.seed(seed)`, `W1 = randn(n_h, n_x)·0.01`,
/// `W2 = randn(n_y, n_h)·0.01`, zero biases. Seeds by notebook: the week-4 step-by-step test
/// case and the week-4 application's two-layer model use 1; the week-3 planar notebook's test
/// case uses 2, and its current `nn_model` seeds 3 before calling it (older versions reseeded
/// 2 inside; docs/course2.md §3).
///
/// # Errors
/// When a dimension is 0.
pub fn initialize_parameters(n_x: usize, n_h: usize, n_y: usize, seed: u32) -> Result<Parameters> {
    initialize_parameters_deep(&[n_x, n_h, n_y], seed, InitScale::Times(0.01))
}

/// `initialize_parameters_deep(layer_dims)`: seed once, then `W{l} = randn(n_l, n_{l-1})`
/// scaled by `scale`, layer by layer, and `b{l} = zeros(n_l, 1)` (biases draw nothing).
///
/// The course: step-by-step seed 3, `Times(0.01)`; first lab seed 3, `Times(0.05)`;
/// application seed 1, `DivSqrtFanIn`.
///
/// # Errors
/// When `layer_dims` has fewer than two entries or contains a 0.
pub fn initialize_parameters_deep(
    layer_dims: &[usize],
    seed: u32,
    scale: InitScale,
) -> Result<Parameters> {
    check_layer_dims(layer_dims)?;
    let mut rng = NumpyRng::new(seed);
    let (mut w, mut b) = (Vec::new(), Vec::new());
    for pair in layer_dims.windows(2) {
        let (n_prev, n) = (pair[0], pair[1]);
        let draw: Tensor = rng.randn(&[n, n_prev]);
        w.push(match scale {
            InitScale::Times(s) => draw.map(|x| x * s),
            InitScale::DivSqrtFanIn => {
                let root = (n_prev as f64).sqrt();
                draw.map(|x| x / root)
            }
            InitScale::He => {
                let s = (2.0 / n_prev as f64).sqrt();
                draw.map(|x| x * s)
            }
        });
        b.push(Tensor::zeros(&[n, 1]));
    }
    Ok(Parameters { w, b })
}

/// The Initialization notebook's `initialize_parameters_zeros(layers_dims)`: every `W{l}` and
/// `b{l}` zero, which leaves every unit of a layer computing the same thing (the symmetry the
/// notebook shows training cannot break).
///
/// # Errors
/// When `layer_dims` has fewer than two entries or contains a 0.
pub fn initialize_parameters_zeros(layer_dims: &[usize]) -> Result<Parameters> {
    check_layer_dims(layer_dims)?;
    let (w, b) = layer_dims
        .windows(2)
        .map(|p| (Tensor::zeros(&[p[1], p[0]]), Tensor::zeros(&[p[1], 1])))
        .unzip();
    Ok(Parameters { w, b })
}

/// The Initialization notebook's `initialize_parameters_random(layers_dims)`: `seed(3)`, then
/// `W{l} = randn(n_l, n_{l−1}) · 10` (deliberately too large), zero biases.
///
/// # Errors
/// When `layer_dims` has fewer than two entries or contains a 0.
pub fn initialize_parameters_random(layer_dims: &[usize]) -> Result<Parameters> {
    initialize_parameters_deep(layer_dims, 3, InitScale::Times(10.0))
}

/// The Initialization notebook's `initialize_parameters_he(layers_dims)`: `seed(3)`, then
/// `W{l} = randn(n_l, n_{l−1}) · sqrt(2 / n_{l−1})`, zero biases.
///
/// # Errors
/// When `layer_dims` has fewer than two entries or contains a 0.
pub fn initialize_parameters_he(layer_dims: &[usize]) -> Result<Parameters> {
    initialize_parameters_deep(layer_dims, 3, InitScale::He)
}
