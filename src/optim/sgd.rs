//! Gradient descent: `p ← p − α·g`.

use std::marker::PhantomData;

use super::{Optimizer, Shapes};
use crate::error::Result;
use crate::tensor::{Element, Tensor};

/// Plain gradient descent, `p ← p − α·g` (the course's `update_parameters_with_gd`).
#[derive(Clone, Debug)]
pub struct Sgd<T: Element = f64> {
    /// α.
    pub learning_rate: f64,
    shapes: Shapes,
    element: PhantomData<T>,
}

impl<T: Element> Sgd<T> {
    /// Gradient descent for `params` with learning rate α.
    pub fn new(params: &[&Tensor<T>], learning_rate: f64) -> Self {
        Sgd {
            learning_rate,
            shapes: Shapes::of(params),
            element: PhantomData,
        }
    }
}

/// `p ← p − α·g` for one tensor (`α·g` rounded first, as the course's `W - lr * dW`).
pub(crate) fn step<T: Element>(p: &mut Tensor<T>, g: &Tensor<T>, learning_rate: f64) {
    p.axpy_(-T::from_f64(learning_rate), g);
}

impl<T: Element> Optimizer<T> for Sgd<T> {
    fn update(&mut self, params: &mut [&mut Tensor<T>], grads: &[&Tensor<T>]) -> Result<()> {
        self.shapes.check("Sgd", params, grads)?;
        for (p, g) in params.iter_mut().zip(grads) {
            step(p, g, self.learning_rate);
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
