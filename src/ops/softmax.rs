//! `softmax(axis)`: `y = e^{z − max z} / Σ e^{z − max z}` along an axis, and `log_softmax(axis)`:
//! `z − max z − ln Σ e^{z − max z}` (backward `g − softmax(z) ⊙ Σ_axis g`).
//!
//! Subtracting the maximum along the axis keeps every exponent ≤ 0, so no column overflows or
//! underflows to 0/0. Backward: `∂/∂z = y ⊙ (g − Σ_axis g ⊙ y)`.

use crate::error::{or_panic, Result};
use crate::tape::rule::{Grads, Operand, Rule};
use crate::tape::Var;
use crate::tensor::kernels::{check_axis, sum_axis_keepdim, zip_broadcast};
use crate::tensor::{Element, Tensor};

impl<T: Element> Tensor<T> {
    /// Softmax along `axis` (for the course's `(C, m)` scores, `axis = 0`: one distribution
    /// per column).
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let z = Tensor::<f64>::from_vec(vec![1.0, 2.0, 3.0], &[3, 1])?;
    /// let y = z.softmax(0);
    /// assert!((y.to_vec()[2] - 0.6652409557748218).abs() < 1e-15);
    /// # Ok::<(), tapegrad::Error>(())
    /// ```
    ///
    /// # Errors
    /// When `axis` is out of range.
    pub fn try_softmax(&self, axis: usize) -> Result<Tensor<T>> {
        check_axis("softmax", self.shape(), axis)?;
        let s = self.shape();
        let max = self.max_axis(axis, true);
        let e = zip_broadcast(self, &max, s, |z, m| (z - m).exp());
        let total = sum_axis_keepdim(&e, axis);
        Ok(zip_broadcast(&e, &total, s, |e, t| e / t))
    }

    /// [`Tensor::try_softmax`], panicking on a bad axis.
    #[track_caller]
    pub fn softmax(&self, axis: usize) -> Tensor<T> {
        or_panic(self.try_softmax(axis))
    }
}

impl<'t, T: Element> Var<'t, T> {
    /// Records softmax along `axis`.
    ///
    /// # Errors
    /// When `axis` is out of range.
    pub fn try_softmax(self, axis: usize) -> Result<Var<'t, T>> {
        let y = self.value().try_softmax(axis)?;
        Ok(self.record_unary("softmax", y, Softmax { axis, log: false }))
    }

    /// [`Var::try_softmax`], panicking on a bad axis.
    #[track_caller]
    pub fn softmax(self, axis: usize) -> Var<'t, T> {
        or_panic(self.try_softmax(axis))
    }
}

impl<T: Element> Tensor<T> {
    /// `log softmax(z)` along `axis`, computed stably as `z − max − ln Σ e^{z − max}`.
    ///
    /// # Errors
    /// When `axis` is out of range.
    pub fn try_log_softmax(&self, axis: usize) -> Result<Tensor<T>> {
        check_axis("log_softmax", self.shape(), axis)?;
        let s = self.shape();
        let max = self.max_axis(axis, true);
        let shifted = zip_broadcast(self, &max, s, |z, m| z - m);
        let log_total = sum_axis_keepdim(&shifted.map(T::exp), axis).map(T::ln);
        Ok(zip_broadcast(&shifted, &log_total, s, |z, l| z - l))
    }

    /// [`Tensor::try_log_softmax`], panicking on a bad axis.
    #[track_caller]
    pub fn log_softmax(&self, axis: usize) -> Tensor<T> {
        or_panic(self.try_log_softmax(axis))
    }
}

impl<'t, T: Element> Var<'t, T> {
    /// Records `log softmax` along `axis` (stable for any scores, e.g. ±1000). Backward:
    /// `∂/∂z = g − softmax(z) ⊙ Σ_axis g`.
    ///
    /// # Errors
    /// When `axis` is out of range.
    pub fn try_log_softmax(self, axis: usize) -> Result<Var<'t, T>> {
        let y = self.value().try_log_softmax(axis)?;
        Ok(self.record_unary("log_softmax", y, Softmax { axis, log: true }))
    }

    /// [`Var::try_log_softmax`], panicking on a bad axis.
    #[track_caller]
    pub fn log_softmax(self, axis: usize) -> Var<'t, T> {
        or_panic(self.try_log_softmax(axis))
    }
}

/// The backward of `softmax` (`y ⊙ (g − Σ_axis g ⊙ y)`) and of `log_softmax`
/// (`g − e^y ⊙ Σ_axis g`), from the output `y`.
struct Softmax {
    axis: usize,
    log: bool,
}

impl<T: Element> Rule<T> for Softmax {
    fn backward<X: Operand<T>>(&self, g: &X, _: &[X], y: &X, _: &[bool]) -> Grads<X> {
        let dz = if self.log {
            let total = g.sum_axis(self.axis, true);
            g.sub(&y.exp().broadcast_mul(&total))
        } else {
            let dot = g.mul(y).sum_axis(self.axis, true);
            g.broadcast_sub(&dot).mul(y)
        };
        smallvec::smallvec![Some(dz)]
    }
}
