//! Logistic regression, the course's first model (docs/course.md §2.7), on the tape.
//!
//! `A = σ(wᵀ·X + b)`, cost `J = (−1/m)·Σ (Y log A + (1 − Y) log(1 − A))`; the tape's gradients
//! are the course's `dw = (1/m)·X·(A − Y)ᵀ` and `db = (1/m)·Σ (A − Y)`.

use crate::error::Result;
use crate::{Element, Tape, Tensor};

/// `dw` `(n_x, 1)` and `db` of one [`propagate`] call.
#[derive(Clone, Debug)]
pub struct LogisticGrads<T: Element = f64> {
    /// `∂J/∂w`.
    pub dw: Tensor<T>,
    /// `∂J/∂b`.
    pub db: T,
}

/// `w = zeros((dim, 1))`, `b = 0`.
pub fn initialize_with_zeros<T: Element>(dim: usize) -> (Tensor<T>, T) {
    (Tensor::zeros(&[dim, 1]), T::ZERO)
}

/// Forward and backward of logistic regression: returns the gradients and the cost.
///
/// # Errors
/// Never for consistent shapes (`w` `(n_x, 1)`, `x` `(n_x, m)`, `y` `(1, m)`); mismatched
/// shapes panic naming the op.
pub fn propagate<T: Element>(
    w: &Tensor<T>,
    b: T,
    x: &Tensor<T>,
    y: &Tensor<T>,
) -> Result<(LogisticGrads<T>, T)> {
    let tape = Tape::default();
    let (wv, bv) = (tape.param(w), tape.param(&Tensor::full(&[1, 1], b)));
    let (x, y) = (tape.constant(x), tape.constant(y));
    let a = wv.t().matmul(x).broadcast_add(bv).sigmoid();
    let cost = super::model::compute_cost(a, y);
    let grads = cost.backward()?;
    let dw = grads
        .wrt(wv)
        .cloned()
        .unwrap_or_else(|| Tensor::zeros(w.shape()));
    let db = grads.wrt(bv).map_or(T::ZERO, Tensor::item);
    Ok((LogisticGrads { dw, db }, cost.value().item()))
}

/// What [`optimize`] returns.
#[derive(Clone, Debug)]
pub struct Optimized<T: Element = f64> {
    /// The trained `w`.
    pub w: Tensor<T>,
    /// The trained `b`.
    pub b: T,
    /// The gradients of the last iteration.
    pub grads: LogisticGrads<T>,
    /// The cost at iterations 0, 100, 200, …
    pub costs: Vec<T>,
}

/// Gradient descent: each iteration `propagate`, then `w ← w − α·dw`, `b ← b − α·db`; records
/// the cost every 100 iterations (the course prints them as `Cost after iteration %i: %f`).
///
/// # Errors
/// As [`propagate`].
pub fn optimize<T: Element>(
    w: &Tensor<T>,
    b: T,
    x: &Tensor<T>,
    y: &Tensor<T>,
    num_iterations: usize,
    learning_rate: T,
) -> Result<Optimized<T>> {
    let (mut w, mut b) = (w.clone(), b);
    let mut costs = Vec::new();
    let mut last = LogisticGrads {
        dw: Tensor::zeros(w.shape()),
        db: T::ZERO,
    };
    for i in 0..num_iterations {
        let (grads, cost) = propagate(&w, b, x, y)?;
        w.axpy_(-learning_rate, &grads.dw);
        b -= learning_rate * grads.db;
        if i % 100 == 0 {
            costs.push(cost);
        }
        last = grads;
    }
    Ok(Optimized {
        w,
        b,
        grads: last,
        costs,
    })
}

/// `1.0` where `σ(wᵀ·X + b) > 0.5`, else `0.0`; shape `(1, m)`.
pub fn predict<T: Element>(w: &Tensor<T>, b: T, x: &Tensor<T>) -> Tensor<T> {
    let half = T::from_f64(0.5);
    w.t()
        .matmul(x)
        .add_scalar(b)
        .sigmoid()
        .map(|a| if a > half { T::ONE } else { T::ZERO })
}
