//! Changing a value's shape by broadcasting: `broadcast_to(shape)` and its adjoint
//! `sum_to_shape(shape)`.
//!
//! | op | forward | backward (`g` = output gradient) |
//! |---|---|---|
//! | `y = x.broadcast_to(s)` | `x` repeated along the axes NumPy's rule stretches | `g.sum_to_shape(x.shape)` |
//! | `y = x.sum_to_shape(s)` | `x` summed over the axes that `s` lacks or has as 1 | `g.broadcast_to(x.shape)` |
//!
//! Each is the other's backward, so gradients of gradients of the broadcasting ops stay exact.

use crate::error::{fmt_shape, or_panic, Error, Result};
use crate::tape::rule::{Grads, Operand, Rule};
use crate::tape::Var;
use crate::tensor::kernels::{broadcast_shape, sum_to_shape, zip_broadcast};
use crate::tensor::{Element, Tensor};

/// `from` must broadcast to exactly `to`.
fn check_broadcast(op: &'static str, from: &[usize], to: &[usize]) -> Result<()> {
    match broadcast_shape(op, from, to) {
        Ok(out) if out.as_slice() == to => Ok(()),
        _ => Err(Error::shape(
            op,
            format!(
                "shape {} does not broadcast to {}",
                fmt_shape(from),
                fmt_shape(to)
            ),
        )),
    }
}

impl<T: Element> Tensor<T> {
    /// The values repeated to `shape` by NumPy's broadcasting rule (`np.broadcast_to`, as a
    /// new array).
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let b = Tensor::from_vec(vec![1.0, 2.0], &[2, 1])?;
    /// assert_eq!(b.broadcast_to(&[2, 3]).to_vec(), [1.0, 1.0, 1.0, 2.0, 2.0, 2.0]);
    /// # Ok::<(), tapegrad::Error>(())
    /// ```
    ///
    /// # Errors
    /// When the shape does not broadcast to `shape`.
    pub fn try_broadcast_to(&self, shape: &[usize]) -> Result<Tensor<T>> {
        check_broadcast("broadcast_to", self.shape(), shape)?;
        if self.shape() == shape {
            return Ok(self.clone());
        }
        Ok(zip_broadcast(
            self,
            &Tensor::scalar(T::ZERO),
            shape,
            |x, _| x,
        ))
    }

    /// [`Tensor::try_broadcast_to`], panicking when the shapes do not fit.
    #[track_caller]
    pub fn broadcast_to(&self, shape: &[usize]) -> Tensor<T> {
        or_panic(self.try_broadcast_to(shape))
    }

    /// Sums down to `shape`, which must broadcast to this tensor's shape: the axes it lacks
    /// and the axes where it has 1 are summed (the course's `db = Σ_cols dZ` is
    /// `dz.sum_to_shape(&[n, 1])`).
    ///
    /// # Errors
    /// When `shape` does not broadcast to this tensor's shape.
    pub fn try_sum_to_shape(&self, shape: &[usize]) -> Result<Tensor<T>> {
        check_broadcast("sum_to_shape", shape, self.shape())?;
        Ok(sum_to_shape(self, shape))
    }

    /// [`Tensor::try_sum_to_shape`], panicking when the shapes do not fit.
    #[track_caller]
    pub fn sum_to_shape(&self, shape: &[usize]) -> Tensor<T> {
        or_panic(self.try_sum_to_shape(shape))
    }
}

/// The backward of `broadcast_to` (`false`) and of `sum_to_shape` (`true`): the other one.
struct Adjoint {
    summed: bool,
}

impl<T: Element> Rule<T> for Adjoint {
    fn backward<X: Operand<T>>(&self, g: &X, x: &[X], _: &X, _: &[bool]) -> Grads<X> {
        let shape = x[0].shape();
        let dx = if self.summed {
            g.broadcast_to(&shape)
        } else {
            g.sum_to_shape(&shape)
        };
        smallvec::smallvec![Some(dx)]
    }
}

impl<'t, T: Element> Var<'t, T> {
    /// Records [`Tensor::broadcast_to`]; the backward sums the gradient back to this shape.
    /// The same shape records nothing and returns `self`.
    ///
    /// # Errors
    /// When the shape does not broadcast to `shape`.
    pub fn try_broadcast_to(self, shape: &[usize]) -> Result<Var<'t, T>> {
        let value = self.value().try_broadcast_to(shape)?;
        if self.shape().as_slice() == shape {
            return Ok(self);
        }
        Ok(self.record_unary("broadcast_to", value, Adjoint { summed: false }))
    }

    /// [`Var::try_broadcast_to`], panicking when the shapes do not fit.
    #[track_caller]
    pub fn broadcast_to(self, shape: &[usize]) -> Var<'t, T> {
        or_panic(self.try_broadcast_to(shape))
    }

    /// Records [`Tensor::sum_to_shape`]; the backward broadcasts the gradient back. The same
    /// shape records nothing and returns `self`.
    ///
    /// # Errors
    /// When `shape` does not broadcast to this value's shape.
    pub fn try_sum_to_shape(self, shape: &[usize]) -> Result<Var<'t, T>> {
        let value = self.value().try_sum_to_shape(shape)?;
        if self.shape().as_slice() == shape {
            return Ok(self);
        }
        Ok(self.record_unary("sum_to_shape", value, Adjoint { summed: true }))
    }

    /// [`Var::try_sum_to_shape`], panicking when the shapes do not fit.
    #[track_caller]
    pub fn sum_to_shape(self, shape: &[usize]) -> Var<'t, T> {
        or_panic(self.try_sum_to_shape(shape))
    }
}
