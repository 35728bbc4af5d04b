//! Optimizers that update parameter tensors in place from their gradients: [`Sgd`],
//! [`Momentum`], [`RmsProp`], [`Adam`], and learning-rate decay ([`schedule`]).
//!
//! Each optimizer owns its state (the velocity `v`, the squared-gradient average `s`, Adam's
//! step counter `t`), is created for a list of parameter tensors, and then updates them with
//! [`Optimizer::update`]: any list of tensors (your own model), or an [`nn::Parameters`] with
//! [`Optimizer::update_parameters`] (in the course's order `W1, b1, W2, b2, …`). The arithmetic
//! is the course's, operation for operation, so the notebooks' printed values come out.
//!
//! The training-loop recipe: one tape per step, take the gradients, drop the tape, update.
//!
//! ```
//! use tapegrad::optim::{Adam, Optimizer};
//! use tapegrad::{Tape, Tensor};
//!
//! // Fit w in y = w·x by least squares.
//! let x = Tensor::from_vec(vec![1.0, 2.0, 3.0], &[1, 3])?;
//! let y = Tensor::from_vec(vec![2.0, 4.0, 6.0], &[1, 3])?;
//! let mut w = Tensor::zeros(&[1, 1]);
//! let mut adam = Adam::new(&[&w], 0.1);
//! for _ in 0..500 {
//!     let tape = Tape::new();
//!     let wv = tape.param(&w);
//!     let err = wv.matmul(tape.constant(&x)) - tape.constant(&y);
//!     let grads = (err * err).mean().backward()?;
//!     let dw = grads.wrt(wv).unwrap().clone();
//!     drop(tape);
//!     adam.update(&mut [&mut w], &[&dw])?;
//! }
//! assert!((w.item() - 2.0).abs() < 1e-3);
//! # Ok::<(), tapegrad::Error>(())
//! ```
//!
//! [`nn::Parameters`]: crate::nn::Parameters

pub(crate) mod adam;
pub(crate) mod momentum;
mod rmsprop;
pub mod schedule;
pub(crate) mod sgd;

pub use adam::Adam;
pub use momentum::Momentum;
pub use rmsprop::RmsProp;
pub use sgd::Sgd;

use crate::error::{fmt_shape, Error, Result};
use crate::nn::Parameters;
use crate::tensor::{Element, Shape, Tensor};
use crate::ParamSet;

/// An update rule with its state, for a fixed list of parameter tensors.
pub trait Optimizer<T: Element> {
    /// Updates `params` in place from `grads` (the same order and shapes as the tensors the
    /// optimizer was created for).
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the optimizer and the values when the number of params or
    /// grads differs from the number the optimizer was created for, or a shape differs.
    /// Nothing is updated then.
    fn update(&mut self, params: &mut [&mut Tensor<T>], grads: &[&Tensor<T>]) -> Result<()>;

    /// The learning rate α used by the next update.
    fn learning_rate(&self) -> f64;

    /// Sets α for the next updates (for learning-rate decay).
    fn set_learning_rate(&mut self, learning_rate: f64);

    /// [`Optimizer::update`] on a course network's parameters, in the order `W1, b1, W2, b2, …`.
    ///
    /// # Errors
    /// As [`Optimizer::update`].
    fn update_parameters(
        &mut self,
        params: &mut Parameters<T>,
        grads: &Parameters<T>,
    ) -> Result<()> {
        let grads: Vec<&Tensor<T>> = grads.iter().collect();
        let mut params: Vec<&mut Tensor<T>> = params.iter_mut().collect();
        self.update(&mut params, &grads)
    }

    /// [`Optimizer::update`] on a [`ParamSet`], in its order; `grads` must have the same
    /// names in the same order (as [`ParamVarSet::grads`](crate::ParamVarSet::grads) makes).
    ///
    /// # Errors
    /// As [`Optimizer::update`], and when the names differ.
    fn update_param_set(&mut self, params: &mut ParamSet<T>, grads: &ParamSet<T>) -> Result<()> {
        params.check_layout("update_param_set", grads)?;
        let grads: Vec<&Tensor<T>> = grads.tensors();
        let mut params: Vec<&mut Tensor<T>> = params.iter_mut().map(|(_, t)| t).collect();
        self.update(&mut params, &grads)
    }
}

/// The shapes an optimizer was created for, and the check every update starts with.
#[derive(Clone, Debug)]
pub(crate) struct Shapes(Vec<Shape>);

impl Shapes {
    pub(crate) fn of(params: &[&Tensor<impl Element>]) -> Self {
        Shapes(params.iter().map(|p| Shape::from(p.shape())).collect())
    }

    pub(crate) fn zeros<T: Element>(&self) -> Vec<Tensor<T>> {
        self.0.iter().map(|s| Tensor::zeros(s)).collect()
    }

    /// Checks `params` and `grads` against the shapes; `name` is the optimizer's.
    pub(crate) fn check<T: Element>(
        &self,
        name: &str,
        params: &[&mut Tensor<T>],
        grads: &[&Tensor<T>],
    ) -> Result<()> {
        let n = self.0.len();
        if params.len() != n || grads.len() != n {
            return Err(Error::Invalid(format!(
                "{name}::update: got {} params and {} grads, but the optimizer was created for {n} tensors",
                params.len(),
                grads.len()
            )));
        }
        for (i, ((shape, p), g)) in self.0.iter().zip(params).zip(grads).enumerate() {
            for (what, got) in [("param", p.shape()), ("grad", g.shape())] {
                if got != shape.as_slice() {
                    return Err(Error::Invalid(format!(
                        "{name}::update: {what} {i} has shape {}, but the optimizer was created for {}",
                        fmt_shape(got),
                        fmt_shape(shape)
                    )));
                }
            }
        }
        Ok(())
    }
}

/// `T::from_f64`, short.
pub(crate) fn t<T: Element>(x: f64) -> T {
    T::from_f64(x)
}
