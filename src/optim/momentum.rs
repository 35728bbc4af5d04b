//! Momentum: an exponentially weighted average of the gradients.

use super::{t, Optimizer, Shapes};
use crate::error::Result;
use crate::tensor::{Element, Tensor};

/// Gradient descent with momentum (the course's `update_parameters_with_momentum`):
///
/// `v ← β·v + (1 − β)·g`, then `p ← p − α·v`, with `v` starting at 0.
#[derive(Clone, Debug)]
pub struct Momentum<T: Element = f64> {
    /// α.
    pub learning_rate: f64,
    /// β, the weight of the past (the course's 0.9).
    pub beta: f64,
    v: Vec<Tensor<T>>,
    shapes: Shapes,
}

impl<T: Element> Momentum<T> {
    /// Momentum for `params`, with `v = 0` (the course's `initialize_velocity`).
    pub fn new(params: &[&Tensor<T>], learning_rate: f64, beta: f64) -> Self {
        let shapes = Shapes::of(params);
        Momentum {
            learning_rate,
            beta,
            v: shapes.zeros(),
            shapes,
        }
    }

    /// The velocities `v`, one per param.
    pub fn v(&self) -> &[Tensor<T>] {
        &self.v
    }
}

/// One tensor's momentum update, in the course's operation order.
pub(crate) fn step<T: Element>(
    p: &mut Tensor<T>,
    g: &Tensor<T>,
    v: &mut Tensor<T>,
    beta: f64,
    learning_rate: f64,
) {
    let (beta, rest, lr) = (t::<T>(beta), t::<T>(1.0 - beta), t::<T>(learning_rate));
    let g = g.contiguous();
    let (p, v) = (p.as_mut_slice(), v.as_mut_slice());
    for ((p, v), &g) in p.iter_mut().zip(v.iter_mut()).zip(g.as_slice()) {
        *v = beta * *v + rest * g;
        *p -= lr * *v;
    }
}

impl<T: Element> Optimizer<T> for Momentum<T> {
    fn update(&mut self, params: &mut [&mut Tensor<T>], grads: &[&Tensor<T>]) -> Result<()> {
        self.shapes.check("Momentum", params, grads)?;
        for ((p, g), v) in params.iter_mut().zip(grads).zip(&mut self.v) {
            step(p, g, v, self.beta, self.learning_rate);
        }
        Ok(())
    }

    fn learning_rate(&self) -> f64 {
        self.learning_rate
    }

    fn set_learning_rate(&mut self, learning_rate: f64) {
        self.learning_rate = learning_rate;
    }
}
