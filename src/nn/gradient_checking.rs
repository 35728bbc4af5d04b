//! The Gradient Checking notebook (Course 2, week 1; docs/course2.md §6): the course's norm
//! ratio, in one dimension and over every parameter of a network.
//!
//! `difference = ‖grad − gradapprox‖₂ / (‖grad‖₂ + ‖gradapprox‖₂)`, with `gradapprox` the
//! central difference `(J(θ + ε) − J(θ − ε)) / 2ε` per component. The notebook reads below
//! 1e-7 as right and above 1e-3 as a bug. [`gradcheck`](crate::gradcheck()) reports the worst
//! single element instead (and which one), which locates a bug rather than only detecting it;
//! both are here so the notebook's numbers come out.

use super::Parameters;
use crate::error::{Error, Result};
use crate::Tensor;

/// The one-dimensional example: `J(θ) = θ·x`.
pub fn forward_propagation_1d(x: f64, theta: f64) -> f64 {
    theta * x
}

/// Its derivative `dJ/dθ = x`.
pub fn backward_propagation_1d(x: f64, _theta: f64) -> f64 {
    x
}

/// The notebook's `gradient_check(x, theta, epsilon=1e-7)`: the norm ratio between the
/// analytic `dθ = x` and the central difference of `J(θ) = θ·x`.
///
/// ```
/// use tapegrad::nn::gradient_checking::gradient_check;
/// assert_eq!(gradient_check(2.0, 4.0, 1e-7), 2.919335883291695e-10);
/// ```
pub fn gradient_check(x: f64, theta: f64, epsilon: f64) -> f64 {
    let j_plus = forward_propagation_1d(x, theta + epsilon);
    let j_minus = forward_propagation_1d(x, theta - epsilon);
    let gradapprox = (j_plus - j_minus) / (2.0 * epsilon);
    let grad = backward_propagation_1d(x, theta);
    (grad - gradapprox).abs() / (grad.abs() + gradapprox.abs())
}

/// `dictionary_to_vector(parameters)`: `W1, b1, W2, b2, …` each row-major, one after the
/// other, as a column `(n, 1)`.
pub fn dictionary_to_vector(params: &Parameters) -> Tensor {
    let values: Vec<f64> = params.iter().flat_map(Tensor::to_vec).collect();
    let n = values.len();
    Tensor::from_vec(values, &[n, 1]).expect("a column of n values")
}

/// `gradients_to_vector(gradients)`: `dW1, db1, dW2, db2, …` as [`dictionary_to_vector`] lays
/// out the parameters.
pub fn gradients_to_vector(grads: &Parameters) -> Tensor {
    dictionary_to_vector(grads)
}

/// `vector_to_dictionary(theta)`: the column back into tensors shaped like `like`.
///
/// # Errors
/// When `theta` does not hold exactly as many values as `like`.
pub fn vector_to_dictionary(theta: &Tensor, like: &Parameters) -> Result<Parameters> {
    let values = theta.to_vec();
    let needed: usize = like.iter().map(Tensor::len).sum();
    if values.len() != needed {
        return Err(Error::Invalid(format!(
            "vector_to_dictionary: {} values for parameters of {needed}",
            values.len()
        )));
    }
    let mut out = like.zeros_like();
    let mut rest = values.as_slice();
    for t in out.iter_mut() {
        let (head, tail) = rest.split_at(t.len());
        *t = Tensor::from_vec(head.to_vec(), t.shape())?;
        rest = tail;
    }
    Ok(out)
}

/// `forward_propagation_n(X, Y, parameters)`: the ReLU–ReLU–sigmoid model's cost
/// `(1/m)·Σ(−log(A)·Y − log(1 − A)·(1 − Y))` (a plain sum: a log of 0 shows as `inf`).
#[track_caller]
pub fn forward_propagation_n(x: &Tensor, y: &Tensor, params: &Parameters) -> f64 {
    let (al, _) = super::regularization::forward_propagation(x, params);
    let m = x.shape()[1] as f64;
    let terms = al.zip_with(y, |a, y| (-a.ln()) * y + (-(1.0 - a).ln()) * (1.0 - y));
    1.0 / m * terms.sum().item()
}

/// The notebook's `gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7)`: perturbs each
/// parameter component by ±ε, takes the central difference of [`forward_propagation_n`], and
/// returns the norm ratio against `grads`.
///
/// # Errors
/// When `grads` does not have the layout of `params`.
pub fn gradient_check_n(
    params: &Parameters,
    grads: &Parameters,
    x: &Tensor,
    y: &Tensor,
    epsilon: f64,
) -> Result<f64> {
    let theta = dictionary_to_vector(params).to_vec();
    let grad = gradients_to_vector(grads).to_vec();
    if grad.len() != theta.len() {
        return Err(Error::Invalid(format!(
            "gradient_check_n: {} gradient values for {} parameters",
            grad.len(),
            theta.len()
        )));
    }
    let cost_at = |values: Vec<f64>| -> Result<f64> {
        let column = Tensor::from_vec(values, &[theta.len(), 1])?;
        Ok(forward_propagation_n(
            x,
            y,
            &vector_to_dictionary(&column, params)?,
        ))
    };
    let mut gradapprox = Vec::with_capacity(theta.len());
    for i in 0..theta.len() {
        let mut plus = theta.clone();
        plus[i] += epsilon;
        let mut minus = theta.clone();
        minus[i] -= epsilon;
        gradapprox.push((cost_at(plus)? - cost_at(minus)?) / (2.0 * epsilon));
    }
    let norm = |v: &mut dyn Iterator<Item = f64>| v.map(|x| x * x).sum::<f64>().sqrt();
    let numerator = norm(&mut grad.iter().zip(&gradapprox).map(|(g, a)| g - a));
    let denominator = norm(&mut grad.iter().copied()) + norm(&mut gradapprox.iter().copied());
    Ok(numerator / denominator)
}
