//! The shallow network with one tanh hidden layer (docs/course.md §2.8), hand-written and on the
//! tape: `A1 = tanh(W1·X + b1)`, `A2 = σ(W2·A1 + b2)`.

use super::Parameters;
use crate::error::Result;
use crate::{Element, Tape, Tensor};

/// The forward values the hand-written backward needs.
#[derive(Clone, Debug)]
pub struct ShallowCache<T: Element = f64> {
    /// `Z1 = W1·X + b1`.
    pub z1: Tensor<T>,
    /// `A1 = tanh(Z1)`.
    pub a1: Tensor<T>,
    /// `Z2 = W2·A1 + b2`.
    pub z2: Tensor<T>,
    /// `A2 = σ(Z2)`.
    pub a2: Tensor<T>,
}

/// The forward pass on plain tensors; `params` holds `W1, W2` and `b1, b2`.
#[track_caller]
pub fn forward_propagation<T: Element>(
    x: &Tensor<T>,
    params: &Parameters<T>,
) -> (Tensor<T>, ShallowCache<T>) {
    let z1 = params.w[0].matmul(x).broadcast_add(&params.b[0]);
    let a1 = z1.tanh();
    let z2 = params.w[1].matmul(&a1).broadcast_add(&params.b[1]);
    let a2 = z2.sigmoid();
    (a2.clone(), ShallowCache { z1, a1, z2, a2 })
}

/// The hand-written gradients of §2.8: `dZ2 = A2 − Y`, `dW2 = (1/m)·dZ2·A1ᵀ`,
/// `db2 = (1/m)·Σ_cols dZ2`, `dZ1 = (W2ᵀ·dZ2) ⊙ (1 − A1²)`, `dW1 = (1/m)·dZ1·Xᵀ`,
/// `db1 = (1/m)·Σ_cols dZ1`.
#[track_caller]
pub fn backward_propagation<T: Element>(
    params: &Parameters<T>,
    cache: &ShallowCache<T>,
    x: &Tensor<T>,
    y: &Tensor<T>,
) -> Parameters<T> {
    let inv_m = T::ONE / T::from_f64(x.shape()[1] as f64);
    let dz2 = &cache.a2 - y;
    let dw2 = dz2.matmul(&cache.a1.t()).mul_scalar(inv_m);
    let db2 = dz2.sum_axis(1, true).mul_scalar(inv_m);
    let dz1 = &params.w[1].t().matmul(&dz2) * &cache.a1.map(|a| T::ONE - a * a);
    let dw1 = dz1.matmul(&x.t()).mul_scalar(inv_m);
    let db1 = dz1.sum_axis(1, true).mul_scalar(inv_m);
    Parameters {
        w: vec![dw1, dw2],
        b: vec![db1, db2],
    }
}

/// The same network on the tape: returns the cost and the tape's gradients.
///
/// # Errors
/// Never for consistent shapes.
pub fn tape_gradients<T: Element>(
    params: &Parameters<T>,
    x: &Tensor<T>,
    y: &Tensor<T>,
) -> Result<(T, Parameters<T>)> {
    let tape = Tape::default();
    let vars = params.on_tape(&tape);
    let (x, y) = (tape.constant(x), tape.constant(y));
    let a1 = vars.w[0]
        .try_matmul(x)?
        .try_broadcast_add(vars.b[0])?
        .tanh();
    let a2 = vars.w[1]
        .try_matmul(a1)?
        .try_broadcast_add(vars.b[1])?
        .sigmoid();
    let cost = super::model::compute_cost(a2, y);
    let grads = vars.grads(&cost.backward()?);
    Ok((cost.value().item(), grads))
}

/// `1.0` where `A2 > 0.5`, else `0.0`.
pub fn predict<T: Element>(x: &Tensor<T>, params: &Parameters<T>) -> Tensor<T> {
    let half = T::from_f64(0.5);
    forward_propagation(x, params)
        .0
        .map(|a| if a > half { T::ONE } else { T::ZERO })
}

/// The planar notebook's `layer_sizes(X, Y)`: `(n_x, n_h, n_y) = (X.shape[0], 4, Y.shape[0])`.
///
/// # Panics
/// When `x` or `y` is not 2-D.
#[track_caller]
pub fn layer_sizes<T: Element>(x: &Tensor<T>, y: &Tensor<T>) -> (usize, usize, usize) {
    assert!(
        x.ndim() == 2 && y.ndim() == 2,
        "layer_sizes: X and Y must be 2-D, got {:?} and {:?}",
        x.shape(),
        y.shape()
    );
    (x.shape()[0], 4, y.shape()[0])
}

/// The planar notebook's learning rate, `update_parameters(parameters, grads, 1.2)`.
pub const PLANAR_LEARNING_RATE: f64 = 1.2;

/// The planar notebook's `nn_model(X, Y, n_h, num_iterations)` (current generation):
/// `seed(3)`, [`initialize_parameters`](super::initialize_parameters)`(n_x, n_h, n_y)` with
/// ×0.01 weights, then `num_iterations` full-batch steps of forward, cost, backward (the
/// tape's) and `update_parameters` with α = 1.2. Returns the parameters and the cost before
/// the update at every 1000th iteration (the notebook's printed log).
///
/// # Errors
/// When `n_h` is 0 or `x` and `y` are not `(n_x, m)` and `(n_y, m)`.
pub fn nn_model(
    x: &Tensor,
    y: &Tensor,
    n_h: usize,
    num_iterations: usize,
) -> Result<(Parameters, Vec<f64>)> {
    super::check_examples("nn_model", x, y)?;
    let (n_x, _, n_y) = layer_sizes(x, y);
    let mut params = super::initialize_parameters(n_x, n_h, n_y, 3)?;
    let mut costs = Vec::new();
    for i in 0..num_iterations {
        let (cost, grads) = tape_gradients(&params, x, y)?;
        if i % 1000 == 0 {
            costs.push(cost);
        }
        super::update_parameters(&mut params, &grads, PLANAR_LEARNING_RATE);
    }
    Ok((params, costs))
}

/// The planar notebook's accuracy in percent: `(Y·pᵀ + (1 − Y)·(1 − p)ᵀ) / m · 100`.
///
/// # Panics
/// When the shapes differ or are not `(1, m)`.
#[track_caller]
pub fn accuracy_percent(predictions: &Tensor, y: &Tensor) -> f64 {
    let right = y.matmul(&predictions.t()).item()
        + y.rsub_scalar(1.0)
            .matmul(&predictions.rsub_scalar(1.0).t())
            .item();
    right / y.shape()[1] as f64 * 100.0
}
