//! Joining values along an axis: `concat(axis, &[..])` and `stack(axis, &[..])`.
//!
//! | op | forward | backward |
//! |---|---|---|
//! | `concat(axis, [x₁, …, xₙ])` | the inputs one after the other along `axis` | input `k` gets its own slice of `g` along `axis` |
//! | `stack(axis, [x₁, …, xₙ])` | the inputs along a new axis `axis` | input `k` gets `g`'s slice `k`, without the axis |

use crate::error::{fmt_shape, or_panic, Error, Result};
use crate::tape::rule::{Grads, Operand, Rule};
use crate::tape::Var;
use crate::tensor::{Element, Tensor};

/// Checks the shapes and returns the output shape.
fn concat_shape(op: &'static str, axis: usize, shapes: &[&[usize]]) -> Result<Vec<usize>> {
    let Some(first) = shapes.first() else {
        return Err(Error::shape(op, "needs at least one input"));
    };
    if axis >= first.len() {
        return Err(Error::shape(
            op,
            format!("axis {axis} is out of range for shape {}", fmt_shape(first)),
        ));
    }
    let mut out = first.to_vec();
    out[axis] = 0;
    for (k, s) in shapes.iter().enumerate() {
        let fits = s.len() == first.len()
            && s.iter()
                .zip(first.iter())
                .enumerate()
                .all(|(d, (a, b))| d == axis || a == b);
        if !fits {
            return Err(Error::shape(
                op,
                format!(
                    "input {k} has shape {}, input 0 has {}: they must agree except along axis {axis}",
                    fmt_shape(s),
                    fmt_shape(first)
                ),
            ));
        }
        out[axis] += s[axis];
    }
    Ok(out)
}

/// The forward concatenation of checked inputs.
fn join<T: Element>(axis: usize, inputs: &[Tensor<T>], out_shape: &[usize]) -> Tensor<T> {
    let outer: usize = out_shape[..axis].iter().product();
    let inner: usize = out_shape[axis + 1..].iter().product();
    let parts: Vec<Tensor<T>> = inputs.iter().map(Tensor::contiguous).collect();
    let mut out = Vec::with_capacity(out_shape.iter().product());
    for o in 0..outer {
        for p in &parts {
            let block = p.shape()[axis] * inner;
            out.extend_from_slice(&p.as_slice()[o * block..(o + 1) * block]);
        }
    }
    Tensor::from_parts(out, out_shape)
}

/// `shape` with a new axis of size 1 at `axis`.
fn with_unit_axis(shape: &[usize], axis: usize) -> Vec<usize> {
    let mut s = shape.to_vec();
    s.insert(axis, 1);
    s
}

impl<T: Element> Tensor<T> {
    /// The tensors one after the other along `axis` (NumPy's `np.concatenate`).
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let a = Tensor::from_vec(vec![1.0, 2.0], &[2, 1])?;
    /// let b = Tensor::from_vec(vec![3.0, 4.0, 5.0, 6.0], &[2, 2])?;
    /// assert_eq!(Tensor::concat(1, &[a, b]).to_vec(), [1.0, 3.0, 4.0, 2.0, 5.0, 6.0]);
    /// # Ok::<(), tapegrad::Error>(())
    /// ```
    ///
    /// # Errors
    /// When there are no inputs, `axis` is out of range, or the shapes differ off `axis`.
    pub fn try_concat(axis: usize, tensors: &[Tensor<T>]) -> Result<Tensor<T>> {
        let shapes: Vec<&[usize]> = tensors.iter().map(Tensor::shape).collect();
        let out = concat_shape("concat", axis, &shapes)?;
        Ok(join(axis, tensors, &out))
    }

    /// [`Tensor::try_concat`], panicking on bad shapes.
    #[track_caller]
    pub fn concat(axis: usize, tensors: &[Tensor<T>]) -> Tensor<T> {
        or_panic(Self::try_concat(axis, tensors))
    }

    /// Equal-shaped tensors along a new axis `axis` (NumPy's `np.stack`).
    ///
    /// # Errors
    /// When there are no inputs, `axis` is beyond the new rank, or the shapes differ.
    pub fn try_stack(axis: usize, tensors: &[Tensor<T>]) -> Result<Tensor<T>> {
        let expanded = stack_inputs(axis, tensors.iter().map(Tensor::shape))?;
        let parts: Vec<Tensor<T>> = tensors
            .iter()
            .zip(&expanded)
            .map(|(t, s)| t.reshape(s))
            .collect();
        Tensor::try_concat(axis, &parts)
    }

    /// [`Tensor::try_stack`], panicking on bad shapes.
    #[track_caller]
    pub fn stack(axis: usize, tensors: &[Tensor<T>]) -> Tensor<T> {
        or_panic(Self::try_stack(axis, tensors))
    }
}

/// The inputs' shapes with the new axis, after checking that they are equal.
fn stack_inputs<'a>(
    axis: usize,
    shapes: impl Iterator<Item = &'a [usize]>,
) -> Result<Vec<Vec<usize>>> {
    let shapes: Vec<&[usize]> = shapes.collect();
    let Some(first) = shapes.first() else {
        return Err(Error::shape("stack", "needs at least one input"));
    };
    if axis > first.len() {
        return Err(Error::shape(
            "stack",
            format!(
                "axis {axis} is out of range for stacking shape {}",
                fmt_shape(first)
            ),
        ));
    }
    if let Some((k, s)) = shapes.iter().enumerate().find(|(_, s)| *s != first) {
        return Err(Error::shape(
            "stack",
            format!(
                "input {k} has shape {}, input 0 has {}: they must be equal",
                fmt_shape(s),
                fmt_shape(first)
            ),
        ));
    }
    Ok(shapes.iter().map(|s| with_unit_axis(s, axis)).collect())
}

impl<'t, T: Element> Var<'t, T> {
    /// Records [`Tensor::concat`] of recorded values; each input's gradient is its slice of
    /// the output's.
    ///
    /// # Errors
    /// When there are no inputs, `axis` is out of range, or the shapes differ off `axis`.
    ///
    /// # Panics
    /// When the inputs belong to different tapes.
    #[track_caller]
    pub fn try_concat(axis: usize, vars: &[Var<'t, T>]) -> Result<Var<'t, T>> {
        let values: Vec<Tensor<T>> = vars.iter().map(Var::value).collect();
        let value = Tensor::try_concat(axis, &values)?;
        let rule = Slices { axis };
        Ok(vars[0].tape().custom_rule("concat", vars, value, rule))
    }

    /// [`Var::try_concat`], panicking on bad shapes.
    #[track_caller]
    pub fn concat(axis: usize, vars: &[Var<'t, T>]) -> Var<'t, T> {
        or_panic(Self::try_concat(axis, vars))
    }

    /// Records [`Tensor::stack`] of recorded values.
    ///
    /// # Errors
    /// When there are no inputs, `axis` is beyond the new rank, or the shapes differ.
    #[track_caller]
    pub fn try_stack(axis: usize, vars: &[Var<'t, T>]) -> Result<Var<'t, T>> {
        let shapes: Vec<_> = vars.iter().map(|v| v.shape()).collect();
        let expanded = stack_inputs(axis, shapes.iter().map(|s| s.as_slice()))?;
        let parts: Vec<Var<'t, T>> = vars
            .iter()
            .zip(&expanded)
            .map(|(v, s)| v.reshape(s))
            .collect();
        Var::try_concat(axis, &parts)
    }

    /// [`Var::try_stack`], panicking on bad shapes.
    #[track_caller]
    pub fn stack(axis: usize, vars: &[Var<'t, T>]) -> Var<'t, T> {
        or_panic(Self::try_stack(axis, vars))
    }
}

/// The backward of `concat`: each input's own slice of `g` along `axis`.
struct Slices {
    axis: usize,
}

impl<T: Element> Rule<T> for Slices {
    fn backward<X: Operand<T>>(&self, g: &X, inputs: &[X], _: &X, needs: &[bool]) -> Grads<X> {
        let mut start = 0;
        let mut grads = Grads::new();
        for (x, &need) in inputs.iter().zip(needs) {
            let len = x.shape()[self.axis];
            grads.push(need.then(|| g.narrow(self.axis, start, len)));
            start += len;
        }
        grads
    }
}
