//! Reductions: `sum`, `mean` (to one element), `sum_axis`, `mean_axis`, `max_axis`, `min_axis`
//! (and `argmax_axis`, `argmin_axis` on tensors), and `reshape`.
//!
//! Backward: a sum spreads its gradient unchanged over every element it summed
//! (`∂/∂x = g` broadcast back to `x`'s shape); a mean spreads `g / n`; a max or min sends `g`
//! to the one element chosen (the first on ties: the subgradient NumPy's `argmax` picks); a
//! reshape reshapes `g` back.
//! The mean is computed as `Σ · (1/n)`, which is the course's `(−1/m)·Σ` rounding once negated.

use crate::error::{fmt_shape, or_panic, Error, Result};
use crate::tape::rule::{Grads, Operand, Rule};
use crate::tape::Var;
use crate::tensor::kernels::{
    check_axis, drop_axis, fold_axis_keepdim, split_at_axis, sum_axis_keepdim,
};
use crate::tensor::{Element, Shape, Tensor};

/// The backward of the sums and means: `g` spread back over the input's shape (the reduced
/// axis re-inserted so broadcasting lines it up), times `scale` for a mean.
struct Spread<T> {
    axis: Option<usize>,
    scale: Option<T>,
}

impl<T: Element> Rule<T> for Spread<T> {
    fn backward<X: Operand<T>>(&self, g: &X, x: &[X], _: &X, _: &[bool]) -> Grads<X> {
        let g = g.reshape(&kept_shape(&x[0].shape(), self.axis));
        let g = self.scale.map_or(g.clone(), |s| g.mul_scalar(s));
        smallvec::smallvec![Some(g.broadcast_to(&x[0].shape()))]
    }
}

/// `shape` with `axis` reduced to 1, or no axes at all for a full reduction.
fn kept_shape(shape: &[usize], axis: Option<usize>) -> Shape {
    match axis {
        Some(axis) => {
            let mut keep: Shape = shape.into();
            keep[axis] = 1;
            keep
        }
        None => Shape::new(),
    }
}

/// The backward of a max or min along `axis`: `g` to the chosen element, nothing elsewhere.
struct ToChosen {
    axis: usize,
    chosen: Vec<usize>,
}

impl<T: Element> Rule<T> for ToChosen {
    fn backward<X: Operand<T>>(&self, g: &X, x: &[X], _: &X, _: &[bool]) -> Grads<X> {
        let shape = x[0].shape();
        let (outer, n, inner) = split_at_axis(&shape, self.axis);
        let mut mask = vec![T::ZERO; outer * n * inner];
        for o in 0..outer {
            for i in 0..inner {
                mask[(o * n + self.chosen[o * inner + i]) * inner + i] = T::ONE;
            }
        }
        let g = g.reshape(&kept_shape(&shape, Some(self.axis)));
        let mask = Tensor::from_parts(mask, &shape);
        smallvec::smallvec![Some(g.broadcast_to(&shape).mul_constant(&mask))]
    }
}

/// The backward of a reshape: `g` reshaped back.
struct Reshape;

impl<T: Element> Rule<T> for Reshape {
    fn backward<X: Operand<T>>(&self, g: &X, x: &[X], _: &X, _: &[bool]) -> Grads<X> {
        smallvec::smallvec![Some(g.reshape(&x[0].shape()))]
    }
}

/// `axis` must exist and hold at least one element: a max, min or argmax of nothing has no
/// value.
fn check_nonempty_axis(op: &'static str, shape: &[usize], axis: usize) -> Result<()> {
    check_axis(op, shape, axis)?;
    if shape[axis] == 0 {
        return Err(Error::shape(
            op,
            format!("axis {axis} of shape {} is empty", fmt_shape(shape)),
        ));
    }
    Ok(())
}

/// `m` (reduced with a kept axis) as `keepdims` asks.
fn keep_or_drop<T: Element>(
    m: Tensor<T>,
    shape: &[usize],
    axis: usize,
    keepdims: bool,
) -> Tensor<T> {
    if keepdims {
        m
    } else {
        m.reshape(&drop_axis(shape, axis))
    }
}

/// For each position of the other axes, the first index along `axis` that `better` prefers
/// to every earlier one.
fn arg_along<T: Element>(
    op: &'static str,
    t: &Tensor<T>,
    axis: usize,
    better: impl Fn(T, T) -> bool,
) -> Result<Vec<usize>> {
    check_nonempty_axis(op, t.shape(), axis)?;
    let shape = t.shape();
    let (outer, n, inner) = split_at_axis(shape, axis);
    let t = t.contiguous();
    let src = t.as_slice();
    let mut out = Vec::with_capacity(outer * inner);
    for o in 0..outer {
        for i in 0..inner {
            let at = |k: usize| src[(o * n + k) * inner + i];
            let mut best = 0;
            for k in 1..n {
                if better(at(k), at(best)) || (at(best).is_nan() && !at(k).is_nan()) {
                    best = k;
                }
            }
            out.push(best);
        }
    }
    Ok(out)
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

    /// The maximum along `axis` (NaN-ignoring, like `f64::max`).
    ///
    /// # Errors
    /// When `axis` is out of range or has size 0 (NumPy's "zero-size array" error).
    pub fn try_max_axis(&self, axis: usize, keepdims: bool) -> Result<Tensor<T>> {
        check_nonempty_axis("max_axis", self.shape(), axis)?;
        let m = fold_axis_keepdim(self, axis, T::from_f64(f64::NEG_INFINITY), T::max);
        Ok(keep_or_drop(m, self.shape(), axis, keepdims))
    }

    /// [`Tensor::try_max_axis`], panicking on a bad axis.
    #[track_caller]
    pub fn max_axis(&self, axis: usize, keepdims: bool) -> Tensor<T> {
        or_panic(self.try_max_axis(axis, keepdims))
    }

    /// The minimum along `axis` (NaN-ignoring, like `f64::min`).
    ///
    /// # Errors
    /// When `axis` is out of range or has size 0.
    pub fn try_min_axis(&self, axis: usize, keepdims: bool) -> Result<Tensor<T>> {
        check_nonempty_axis("min_axis", self.shape(), axis)?;
        let m = fold_axis_keepdim(self, axis, T::from_f64(f64::INFINITY), T::min);
        Ok(keep_or_drop(m, self.shape(), axis, keepdims))
    }

    /// [`Tensor::try_min_axis`], panicking on a bad axis.
    #[track_caller]
    pub fn min_axis(&self, axis: usize, keepdims: bool) -> Tensor<T> {
        or_panic(self.try_min_axis(axis, keepdims))
    }

    /// The index of the largest value along `axis`, for each position of the other axes (in
    /// row-major order of the reduced shape); ties go to the **first** index, NaN never wins.
    /// For `(C, m)` class scores, `argmax_axis(0)` is the predicted class of each column.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let z = Tensor::from_vec(vec![1.0, 5.0, 3.0, 3.0, 2.0, 5.0], &[3, 2])?;
    /// assert_eq!(z.argmax_axis(0), [1, 0]); // column 0: 3 at row 1; column 1 ties 5, 5: row 0
    /// assert_eq!(z.argmax_axis(1), [1, 0, 1]); // row 1 ties 3, 3: the first
    /// # Ok::<(), tapegrad::Error>(())
    /// ```
    ///
    /// # Errors
    /// When `axis` is out of range or has size 0.
    pub fn try_argmax_axis(&self, axis: usize) -> Result<Vec<usize>> {
        arg_along("argmax_axis", self, axis, |x, best| x > best)
    }

    /// [`Tensor::try_argmax_axis`], panicking on a bad axis.
    #[track_caller]
    pub fn argmax_axis(&self, axis: usize) -> Vec<usize> {
        or_panic(self.try_argmax_axis(axis))
    }

    /// The index of the smallest value along `axis` (ties: the first index); see
    /// [`Tensor::try_argmax_axis`].
    ///
    /// # Errors
    /// When `axis` is out of range or has size 0.
    pub fn try_argmin_axis(&self, axis: usize) -> Result<Vec<usize>> {
        arg_along("argmin_axis", self, axis, |x, best| x < best)
    }

    /// [`Tensor::try_argmin_axis`], panicking on a bad axis.
    #[track_caller]
    pub fn argmin_axis(&self, axis: usize) -> Vec<usize> {
        or_panic(self.try_argmin_axis(axis))
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
    fn spread(self, name: &'static str, value: Tensor<T>, axis: Option<usize>, mean: bool) -> Self {
        let n = match axis {
            Some(axis) => self.shape()[axis],
            None => self.shape().iter().product(),
        };
        let scale = mean.then(|| inv_len::<T>(n));
        self.record_unary(name, value, Spread { axis, scale })
    }

    /// Records the sum of all elements (a one-element result, ready for `backward`).
    pub fn sum(self) -> Var<'t, T> {
        self.spread("sum", self.value().sum(), None, false)
    }

    /// Records the mean of all elements.
    pub fn mean(self) -> Var<'t, T> {
        self.spread("mean", self.value().mean(), None, true)
    }

    /// Records a sum along `axis`.
    ///
    /// # Errors
    /// When `axis` is out of range.
    pub fn try_sum_axis(self, axis: usize, keepdims: bool) -> Result<Var<'t, T>> {
        let value = self.value().try_sum_axis(axis, keepdims)?;
        Ok(self.spread("sum_axis", value, Some(axis), false))
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
        Ok(self.spread("mean_axis", value, Some(axis), true))
    }

    /// Records the maximum along `axis`. The gradient goes to the element that is the maximum,
    /// the first one when several tie (NumPy's `argmax`), and nowhere else.
    ///
    /// # Errors
    /// When `axis` is out of range or has size 0.
    pub fn try_max_axis(self, axis: usize, keepdims: bool) -> Result<Var<'t, T>> {
        let x = self.value();
        let value = x.try_max_axis(axis, keepdims)?;
        let chosen = x.try_argmax_axis(axis)?;
        Ok(self.record_unary("max_axis", value, ToChosen { axis, chosen }))
    }

    /// [`Var::try_max_axis`], panicking on a bad axis.
    #[track_caller]
    pub fn max_axis(self, axis: usize, keepdims: bool) -> Var<'t, T> {
        or_panic(self.try_max_axis(axis, keepdims))
    }

    /// Records the minimum along `axis`; the gradient goes to the first minimal element.
    ///
    /// # Errors
    /// When `axis` is out of range or has size 0.
    pub fn try_min_axis(self, axis: usize, keepdims: bool) -> Result<Var<'t, T>> {
        let x = self.value();
        let value = x.try_min_axis(axis, keepdims)?;
        let chosen = x.try_argmin_axis(axis)?;
        Ok(self.record_unary("min_axis", value, ToChosen { axis, chosen }))
    }

    /// [`Var::try_min_axis`], panicking on a bad axis.
    #[track_caller]
    pub fn min_axis(self, axis: usize, keepdims: bool) -> Var<'t, T> {
        or_panic(self.try_min_axis(axis, keepdims))
    }

    /// Records the same values with another shape of equal size; the backward reshapes the
    /// gradient back.
    ///
    /// # Errors
    /// When the element counts differ: `reshape: cannot reshape (2, 3) into (4,)`.
    pub fn try_reshape(self, shape: &[usize]) -> Result<Var<'t, T>> {
        let value = self.value().try_reshape(shape)?;
        Ok(self.record_unary("reshape", value, Reshape))
    }

    /// [`Var::try_reshape`], panicking when the sizes differ.
    #[track_caller]
    pub fn reshape(self, shape: &[usize]) -> Var<'t, T> {
        or_panic(self.try_reshape(shape))
    }

    /// [`Var::try_mean_axis`], panicking on a bad axis.
    #[track_caller]
    pub fn mean_axis(self, axis: usize, keepdims: bool) -> Var<'t, T> {
        or_panic(self.try_mean_axis(axis, keepdims))
    }
}
