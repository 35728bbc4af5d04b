//! Reductions: `sum`, `mean` (to one element) and `sum_axis`, `mean_axis`.
//!
//! Backward: a sum spreads its gradient unchanged over every element it summed
//! (`∂/∂x = g` broadcast back to `x`'s shape); a mean spreads `g / n`.
//! The mean is computed as `Σ · (1/n)`, which is the course's `(−1/m)·Σ` rounding once negated.

use crate::error::{or_panic, Result};
use crate::tape::Var;
use crate::tensor::kernels::{
    check_axis, drop_axis, fold_axis_keepdim, sum_axis_keepdim, zip_broadcast,
};
use crate::tensor::{Element, Tensor};

/// `g` (of the reduced shape) spread back over `shape`, times `scale`.
fn spread<T: Element>(g: &Tensor<T>, shape: &[usize], axis: Option<usize>, scale: T) -> Tensor<T> {
    let g = match axis {
        // Re-insert the reduced axis so NumPy broadcasting lines it up.
        Some(axis) => {
            let mut keep: Vec<usize> = shape.to_vec();
            keep[axis] = 1;
            g.reshape(&keep)
        }
        None => g.reshape(&[]),
    };
    zip_broadcast(&g, &Tensor::scalar(scale), shape, |g, s| g * s)
}

fn inv_len<T: Element>(n: usize) -> T {
    T::ONE / T::from_f64(n as f64)
}

impl<T: Element> Tensor<T> {
    /// The sum of all elements, as a zero-dimensional tensor.
    pub fn sum(&self) -> Tensor<T> {
        let t = self.contiguous();
        Tensor::scalar(t.as_slice().iter().copied().sum())
    }

    /// The mean of all elements (`Σ · (1/n)`), as a zero-dimensional tensor.
    pub fn mean(&self) -> Tensor<T> {
        Tensor::scalar(self.sum().item() * inv_len::<T>(self.len()))
    }

    /// Sums along `axis`; `keepdims` keeps it as a dimension of size 1 (NumPy's
    /// `np.sum(x, axis, keepdims)`).
    ///
    /// # Errors
    /// When `axis` is out of range.
    pub fn try_sum_axis(&self, axis: usize, keepdims: bool) -> Result<Tensor<T>> {
        check_axis("sum_axis", self.shape(), axis)?;
        let s = sum_axis_keepdim(self, axis);
        Ok(if keepdims {
            s
        } else {
            s.reshape(&drop_axis(self.shape(), axis))
        })
    }

    /// [`Tensor::try_sum_axis`], panicking on a bad axis.
    #[track_caller]
    pub fn sum_axis(&self, axis: usize, keepdims: bool) -> Tensor<T> {
        or_panic(self.try_sum_axis(axis, keepdims))
    }

    /// The maximum along `axis` (a plain-tensor helper, not recorded on tapes; NaN-ignoring).
    ///
    /// # Errors
    /// When `axis` is out of range.
    pub fn try_max_axis(&self, axis: usize, keepdims: bool) -> Result<Tensor<T>> {
        check_axis("max_axis", self.shape(), axis)?;
        let m = fold_axis_keepdim(self, axis, T::from_f64(f64::NEG_INFINITY), T::max);
        Ok(if keepdims {
            m
        } else {
            m.reshape(&drop_axis(self.shape(), axis))
        })
    }

    /// [`Tensor::try_max_axis`], panicking on a bad axis.
    #[track_caller]
    pub fn max_axis(&self, axis: usize, keepdims: bool) -> Tensor<T> {
        or_panic(self.try_max_axis(axis, keepdims))
    }

    /// The mean along `axis` (`Σ · (1/n)`).
    ///
    /// # Errors
    /// When `axis` is out of range.
    pub fn try_mean_axis(&self, axis: usize, keepdims: bool) -> Result<Tensor<T>> {
        check_axis("mean_axis", self.shape(), axis)?;
        let scale = inv_len::<T>(self.shape()[axis]);
        Ok(self.try_sum_axis(axis, keepdims)?.map(|x| x * scale))
    }

    /// [`Tensor::try_mean_axis`], panicking on a bad axis.
    #[track_caller]
    pub fn mean_axis(&self, axis: usize, keepdims: bool) -> Tensor<T> {
        or_panic(self.try_mean_axis(axis, keepdims))
    }
}

impl<'t, T: Element> Var<'t, T> {
    /// Records the sum of all elements (a one-element result, ready for `backward`).
    pub fn sum(self) -> Var<'t, T> {
        let shape = self.shape();
        self.record_unary("sum", self.value().sum(), move |g| spread(g, &shape, None, T::ONE))
    }

    /// Records the mean of all elements.
    pub fn mean(self) -> Var<'t, T> {
        let shape = self.shape();
        let scale = inv_len::<T>(shape.iter().product());
        self.record_unary("mean", self.value().mean(), move |g| spread(g, &shape, None, scale))
    }

    /// Records a sum along `axis`.
    ///
    /// # Errors
    /// When `axis` is out of range.
    pub fn try_sum_axis(self, axis: usize, keepdims: bool) -> Result<Var<'t, T>> {
        let value = self.value().try_sum_axis(axis, keepdims)?;
        let shape = self.shape();
        Ok(self.record_unary("sum_axis", value, move |g| {
            spread(g, &shape, Some(axis), T::ONE)
        }))
    }

    /// [`Var::try_sum_axis`], panicking on a bad axis.
    #[track_caller]
    pub fn sum_axis(self, axis: usize, keepdims: bool) -> Var<'t, T> {
        or_panic(self.try_sum_axis(axis, keepdims))
    }

    /// Records a mean along `axis`.
    ///
    /// # Errors
    /// When `axis` is out of range.
    pub fn try_mean_axis(self, axis: usize, keepdims: bool) -> Result<Var<'t, T>> {
        let value = self.value().try_mean_axis(axis, keepdims)?;
        let shape = self.shape();
        let scale = inv_len::<T>(shape[axis]);
        Ok(self.record_unary("mean_axis", value, move |g| {
            spread(g, &shape, Some(axis), scale)
        }))
    }

    /// [`Var::try_mean_axis`], panicking on a bad axis.
    #[track_caller]
    pub fn mean_axis(self, axis: usize, keepdims: bool) -> Var<'t, T> {
        or_panic(self.try_mean_axis(axis, keepdims))
    }
}
