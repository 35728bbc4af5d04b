//! Softmax with cross-entropy (docs/course.md §2.9), column by column: `Z` is `(C, m)`.
//!
//! `J = −(1/m)·Σ Y ⊙ log softmax(Z)`, computed through a stable log-softmax (the column maximum
//! subtracted, no `log(0)`); the tape's gradient is `(softmax(Z) − Y)/m`.

use crate::error::{Error, Result};
use crate::{Element, Tensor, Var};

/// `softmax(Z)` per column (axis 0), the maximum of each column subtracted first.
pub fn softmax<T: Element>(z: &Tensor<T>) -> Tensor<T> {
    z.softmax(0)
}

/// `log softmax(Z)` per column, finite for any finite `Z`.
pub fn log_softmax<'t, T: Element>(z: Var<'t, T>) -> Var<'t, T> {
    // The shift is a constant: softmax does not change when a column is shifted, so no
    // gradient flows through the maximum.
    let max = z.tape().constant(&z.value().max_axis(0, true));
    let shifted = z.broadcast_sub(max);
    shifted.broadcast_sub(shifted.exp().sum_axis(0, true).log())
}

/// The mean cross-entropy of scores `z` `(C, m)` against one-hot labels `y` `(C, m)`.
///
/// # Panics
/// When the shapes differ.
#[track_caller]
pub fn cross_entropy<'t, T: Element>(z: Var<'t, T>, y: Var<'t, T>) -> Var<'t, T> {
    let m = T::from_f64(z.shape()[1] as f64);
    (y * log_softmax(z)).sum().mul_scalar(-T::ONE / m)
}

/// One-hot labels `(classes, m)` from integer labels.
///
/// # Errors
/// When a label is not below `classes`.
pub fn one_hot<T: Element>(labels: &[usize], classes: usize) -> Result<Tensor<T>> {
    let m = labels.len();
    let mut data = vec![T::ZERO; classes * m];
    for (j, &label) in labels.iter().enumerate() {
        if label >= classes {
            return Err(Error::Invalid(format!(
                "one_hot: label {label} of example {j} is not below {classes} classes"
            )));
        }
        data[label * m + j] = T::ONE;
    }
    Tensor::from_vec(data, &[classes, m])
}

/// The hand-written gradient `∂J/∂Z = (softmax(Z) − Y)/m`.
pub fn cross_entropy_backward<T: Element>(z: &Tensor<T>, y: &Tensor<T>) -> Tensor<T> {
    let m = T::from_f64(z.shape()[1] as f64);
    (&softmax(z) - y).div_scalar(m)
}
