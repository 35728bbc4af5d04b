//! The course layer (placeholder; filled in by the course-model work).

use crate::{Element, Tensor};

/// The parameters of an L-layer network: `w[l-1]` is the course's `W{l}` with shape
/// `(n_l, n_{l-1})`, `b[l-1]` is `b{l}` with shape `(n_l, 1)`.
#[derive(Clone, Debug)]
pub struct Parameters<T: Element = f64> {
    /// Weights `W1..WL`.
    pub w: Vec<Tensor<T>>,
    /// Biases `b1..bL`.
    pub b: Vec<Tensor<T>>,
}
