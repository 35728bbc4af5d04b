//! Picking slices along an axis: `select(axis, &indices)` and `narrow(axis, start, len)`.
//!
//! | op | forward | backward (`g` = output gradient) |
//! |---|---|---|
//! | `y = x.select(axis, idx)` | `y[…, k, …] = x[…, idx[k], …]` | zeros of `x`'s shape, `g[…, k, …]` added into position `idx[k]`: a repeated index accumulates |
//! | `y = x.narrow(axis, start, len)` | `y[…, k, …] = x[…, start + k, …]` | zeros of `x`'s shape with `g` written into `start..start + len` |
//! | `y = x.scatter_add(shape, axis, idx)` | zeros of `shape`, slice `k` of `x` added at `idx[k]` | `g.select(axis, idx)` |
//!
//! `select` and `scatter_add` are each other's backward, so their gradients of gradients are
//! exact too.
//!
//! A mini-batch of the course's `(n_x, m)` data is `x.select(1, &perm[k..k + 64])`: columns
//! `perm[k]`, `perm[k + 1]`, … in that order.

use crate::error::{fmt_shape, or_panic, Error, Result};
use crate::tape::rule::{Grads, Operand, Rule};
use crate::tape::Var;
use crate::tensor::kernels::{check_axis, split_at_axis};
use crate::tensor::{Element, Tensor};

fn check_indices(op: &'static str, shape: &[usize], axis: usize, indices: &[usize]) -> Result<()> {
    check_axis(op, shape, axis)?;
    if let Some((k, &i)) = indices.iter().enumerate().find(|(_, &i)| i >= shape[axis]) {
        return Err(Error::shape(
            op,
            format!(
                "index {i} (position {k}) is out of bounds for axis {axis} of size {} in shape {}",
                shape[axis],
                fmt_shape(shape)
            ),
        ));
    }
    Ok(())
}

fn check_range(shape: &[usize], axis: usize, start: usize, len: usize) -> Result<()> {
    check_axis("narrow", shape, axis)?;
    if start.checked_add(len).is_none_or(|end| end > shape[axis]) {
        return Err(Error::shape(
            "narrow",
            format!(
                "{start}..{start}+{len} is out of bounds for axis {axis} of size {} in shape {}",
                shape[axis],
                fmt_shape(shape)
            ),
        ));
    }
    Ok(())
}

/// The forward gather; `indices` are checked.
fn gather_along<T: Element>(x: &Tensor<T>, axis: usize, indices: &[usize]) -> Tensor<T> {
    let x = x.contiguous();
    let src = x.as_slice();
    let (outer, dim, inner) = split_at_axis(x.shape(), axis);
    let mut out = Vec::with_capacity(outer * indices.len() * inner);
    for o in 0..outer {
        let row = &src[o * dim * inner..(o + 1) * dim * inner];
        if inner == 1 {
            out.extend(indices.iter().map(|&i| row[i]));
        } else {
            for &i in indices {
                out.extend_from_slice(&row[i * inner..(i + 1) * inner]);
            }
        }
    }
    let mut shape: Vec<usize> = x.shape().to_vec();
    shape[axis] = indices.len();
    Tensor::from_parts(out, &shape)
}

/// The scatter: `g` (the gathered shape) added into zeros of `shape`; everything is checked.
fn scatter_add_along<T: Element>(
    g: &Tensor<T>,
    shape: &[usize],
    axis: usize,
    indices: &[usize],
) -> Tensor<T> {
    let g = g.contiguous();
    let src = g.as_slice();
    let (outer, dim, inner) = split_at_axis(shape, axis);
    let mut out = vec![T::ZERO; outer * dim * inner];
    let n = indices.len();
    for o in 0..outer {
        for (k, &i) in indices.iter().enumerate() {
            let from = &src[(o * n + k) * inner..(o * n + k + 1) * inner];
            let to = &mut out[(o * dim + i) * inner..(o * dim + i + 1) * inner];
            for (t, &f) in to.iter_mut().zip(from) {
                *t += f;
            }
        }
    }
    Tensor::from_parts(out, shape)
}

impl<T: Element> Tensor<T> {
    /// The slices at `indices` along `axis`, in that order (NumPy's `np.take(x, indices,
    /// axis)`, or `x[:, indices]` for `axis = 1`). Indices may repeat.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let x = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3])?;
    /// assert_eq!(x.select(1, &[2, 0]).to_vec(), [3.0, 1.0, 6.0, 4.0]);
    /// # Ok::<(), tapegrad::Error>(())
    /// ```
    ///
    /// # Errors
    /// When `axis` is out of range or an index is not below the axis's size.
    pub fn try_select(&self, axis: usize, indices: &[usize]) -> Result<Tensor<T>> {
        check_indices("select", self.shape(), axis, indices)?;
        Ok(gather_along(self, axis, indices))
    }

    /// [`Tensor::try_select`], panicking on a bad axis or index.
    #[track_caller]
    pub fn select(&self, axis: usize, indices: &[usize]) -> Tensor<T> {
        or_panic(self.try_select(axis, indices))
    }

    /// The `len` slices from `start` along `axis` (NumPy's `x[:, start:start + len]` for
    /// `axis = 1`).
    ///
    /// # Errors
    /// When `axis` is out of range or `start + len` exceeds the axis's size.
    pub fn try_narrow(&self, axis: usize, start: usize, len: usize) -> Result<Tensor<T>> {
        check_range(self.shape(), axis, start, len)?;
        let indices: Vec<usize> = (start..start + len).collect();
        Ok(gather_along(self, axis, &indices))
    }

    /// [`Tensor::try_narrow`], panicking on a bad axis or range.
    #[track_caller]
    pub fn narrow(&self, axis: usize, start: usize, len: usize) -> Tensor<T> {
        or_panic(self.try_narrow(axis, start, len))
    }
}

impl<T: Element> Tensor<T> {
    /// Zeros of `shape` with slice `k` of this tensor (along `axis`) added at position
    /// `indices[k]`: the adjoint of [`Tensor::select`] (repeated indices accumulate, like
    /// NumPy's `np.add.at`).
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let g = Tensor::from_vec(vec![1.0, 2.0, 3.0], &[1, 3])?;
    /// assert_eq!(g.scatter_add(&[1, 2], 1, &[1, 0, 1]).to_vec(), [2.0, 4.0]);
    /// # Ok::<(), tapegrad::Error>(())
    /// ```
    ///
    /// # Errors
    /// When `axis` is out of range, an index is not below `shape[axis]`, or this tensor's
    /// shape is not `shape` with `indices.len()` along `axis`.
    pub fn try_scatter_add(
        &self,
        shape: &[usize],
        axis: usize,
        indices: &[usize],
    ) -> Result<Tensor<T>> {
        check_indices("scatter_add", shape, axis, indices)?;
        let mut expected = shape.to_vec();
        expected[axis] = indices.len();
        if self.shape() != expected.as_slice() {
            return Err(Error::shape(
                "scatter_add",
                format!(
                    "a value of shape {} does not hold {} slices of shape {} along axis {axis}",
                    fmt_shape(self.shape()),
                    indices.len(),
                    fmt_shape(shape)
                ),
            ));
        }
        Ok(scatter_add_along(self, shape, axis, indices))
    }

    /// [`Tensor::try_scatter_add`], panicking on bad shapes or indices.
    #[track_caller]
    pub fn scatter_add(&self, shape: &[usize], axis: usize, indices: &[usize]) -> Tensor<T> {
        or_panic(self.try_scatter_add(shape, axis, indices))
    }
}

/// The backward of `select` (a scatter) and of `scatter_add` (a select).
struct Adjoint {
    axis: usize,
    indices: Vec<usize>,
    scatter: bool,
}

impl<T: Element> Rule<T> for Adjoint {
    fn backward<X: Operand<T>>(&self, g: &X, x: &[X], _: &X, _: &[bool]) -> Grads<X> {
        let dx = if self.scatter {
            g.select(self.axis, &self.indices)
        } else {
            g.scatter_add(&x[0].shape(), self.axis, &self.indices)
        };
        smallvec::smallvec![Some(dx)]
    }
}

impl<'t, T: Element> Var<'t, T> {
    /// Records [`Tensor::select`]; the backward adds each slice's gradient into the position
    /// it came from (repeated indices accumulate).
    ///
    /// # Errors
    /// When `axis` is out of range or an index is not below the axis's size.
    pub fn try_select(self, axis: usize, indices: &[usize]) -> Result<Var<'t, T>> {
        let value = self.value().try_select(axis, indices)?;
        let indices = indices.to_vec();
        let rule = Adjoint {
            axis,
            indices,
            scatter: false,
        };
        Ok(self.record_unary("select", value, rule))
    }

    /// [`Var::try_select`], panicking on a bad axis or index.
    #[track_caller]
    pub fn select(self, axis: usize, indices: &[usize]) -> Var<'t, T> {
        or_panic(self.try_select(axis, indices))
    }

    /// Records [`Tensor::narrow`]; the backward puts the gradient back into `start..start +
    /// len` and zeros elsewhere.
    ///
    /// # Errors
    /// When `axis` is out of range or `start + len` exceeds the axis's size.
    pub fn try_narrow(self, axis: usize, start: usize, len: usize) -> Result<Var<'t, T>> {
        let value = self.value().try_narrow(axis, start, len)?;
        let indices = (start..start + len).collect();
        let rule = Adjoint {
            axis,
            indices,
            scatter: false,
        };
        Ok(self.record_unary("narrow", value, rule))
    }

    /// [`Var::try_narrow`], panicking on a bad axis or range.
    #[track_caller]
    pub fn narrow(self, axis: usize, start: usize, len: usize) -> Var<'t, T> {
        or_panic(self.try_narrow(axis, start, len))
    }

    /// Records [`Tensor::scatter_add`]; the backward selects the gradient at `indices`.
    ///
    /// # Errors
    /// As [`Tensor::try_scatter_add`].
    pub fn try_scatter_add(
        self,
        shape: &[usize],
        axis: usize,
        indices: &[usize],
    ) -> Result<Var<'t, T>> {
        let value = self.value().try_scatter_add(shape, axis, indices)?;
        let rule = Adjoint {
            axis,
            indices: indices.to_vec(),
            scatter: true,
        };
        Ok(self.record_unary("scatter_add", value, rule))
    }

    /// [`Var::try_scatter_add`], panicking on bad shapes or indices.
    #[track_caller]
    pub fn scatter_add(self, shape: &[usize], axis: usize, indices: &[usize]) -> Var<'t, T> {
        or_panic(self.try_scatter_add(shape, axis, indices))
    }
}
