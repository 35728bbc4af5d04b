//! The Initialization notebook (Course 2, week 1; docs/course2.md §4): the same three-layer
//! network trained from zeros, from large random weights and from He initialization.

use super::regularization::{tape_gradients, Regularization};
use super::{
    initialize_parameters_he, initialize_parameters_random, initialize_parameters_zeros, Parameters,
};
use crate::error::{Error, Result};
use crate::Tensor;

/// The notebook's three initializations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Initialization {
    /// [`initialize_parameters_zeros`]: fails to break symmetry.
    Zeros,
    /// [`initialize_parameters_random`]: `randn · 10`, too large.
    Random,
    /// [`initialize_parameters_he`]: `randn · sqrt(2 / n_{l−1})`.
    He,
}

impl Initialization {
    /// Every initialization, in the notebook's order.
    pub const ALL: [Initialization; 3] = [
        Initialization::Zeros,
        Initialization::Random,
        Initialization::He,
    ];

    /// The notebook's name: `"zeros"`, `"random"`, `"he"`.
    pub fn name(self) -> &'static str {
        match self {
            Initialization::Zeros => "zeros",
            Initialization::Random => "random",
            Initialization::He => "he",
        }
    }

    /// The parameters for `layer_dims`.
    ///
    /// # Errors
    /// When `layer_dims` has fewer than two entries or contains a 0.
    pub fn initialize(self, layer_dims: &[usize]) -> Result<Parameters> {
        match self {
            Initialization::Zeros => initialize_parameters_zeros(layer_dims),
            Initialization::Random => initialize_parameters_random(layer_dims),
            Initialization::He => initialize_parameters_he(layer_dims),
        }
    }
}

impl std::str::FromStr for Initialization {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Initialization::ALL
            .into_iter()
            .find(|i| i.name() == s)
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "unknown initialization {s:?}; known: zeros, random, he"
                ))
            })
    }
}

/// The notebook's layer sizes after the input: `[n_x, 10, 5, 1]`.
pub const HIDDEN: [usize; 3] = [10, 5, 1];

/// The notebook's `model(X, Y, learning_rate=0.01, num_iterations=15000, initialization)`:
/// the `[n_x, 10, 5, 1]` ReLU–ReLU–sigmoid network, full-batch gradient descent. Returns the
/// parameters and the loss (`(1/m)·nansum(…)`, [`compute_cost`](super::regularization::compute_cost))
/// before the update at every 1000th iteration, as the notebook prints it.
///
/// # Errors
/// When `x` and `y` do not fit together.
pub fn model(
    x: &Tensor,
    y: &Tensor,
    learning_rate: f64,
    num_iterations: usize,
    initialization: Initialization,
) -> Result<(Parameters, Vec<f64>)> {
    super::check_examples("initialization::model", x, y)?;
    let layer_dims = [x.shape()[0], HIDDEN[0], HIDDEN[1], HIDDEN[2]];
    let mut params = initialization.initialize(&layer_dims)?;
    let mut costs = Vec::new();
    for i in 0..num_iterations {
        let (cost, grads) = tape_gradients(&params, x, y, Regularization::None)?;
        if i % 1000 == 0 {
            costs.push(cost);
        }
        super::update_parameters(&mut params, &grads, learning_rate);
    }
    Ok((params, costs))
}
