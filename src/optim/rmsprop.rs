//! RMSprop: divide by the root of an average of squared gradients.

use super::{t, Optimizer, Shapes};
use crate::error::Result;
use crate::tensor::{Element, Tensor};

/// RMSprop:
///
/// `s ← β·s + (1 − β)·g²`, then `p ← p − α·g / (√s + ε)`, with `s` starting at 0.
#[derive(Clone, Debug)]
pub struct RmsProp<T: Element = f64> {
    /// α.
    pub learning_rate: f64,
    /// β, the weight of the past (commonly 0.9 or 0.999).
    pub beta: f64,
    /// ε, keeping the division finite (commonly 1e-8).
    pub epsilon: f64,
    s: Vec<Tensor<T>>,
    shapes: Shapes,
}

impl<T: Element> RmsProp<T> {
    /// RMSprop for `params`, with `s = 0`.
    pub fn new(params: &[&Tensor<T>], learning_rate: f64, beta: f64, epsilon: f64) -> Self {
        let shapes = Shapes::of(params);
        RmsProp {
            learning_rate,
            beta,
            epsilon,
            s: shapes.zeros(),
            shapes,
        }
    }

    /// The averages of squared gradients `s`, one per param.
    pub fn s(&self) -> &[Tensor<T>] {
        &self.s
    }
}

impl<T: Element> Optimizer<T> for RmsProp<T> {
    fn update(&mut self, params: &mut [&mut Tensor<T>], grads: &[&Tensor<T>]) -> Result<()> {
        self.shapes.check("RmsProp", params, grads)?;
        let (beta, rest) = (t::<T>(self.beta), t::<T>(1.0 - self.beta));
        let (lr, eps) = (t::<T>(self.learning_rate), t::<T>(self.epsilon));
        for ((p, g), s) in params.iter_mut().zip(grads).zip(&mut self.s) {
            let g = g.contiguous();
            let (p, s) = (p.as_mut_slice(), s.as_mut_slice());
            for ((p, s), &g) in p.iter_mut().zip(s.iter_mut()).zip(g.as_slice()) {
                *s = beta * *s + rest * (g * g);
                *p -= lr * g / (s.sqrt() + eps);
            }
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
