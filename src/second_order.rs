//! Second derivatives from the tape: Hessian-vector products and small Hessians, built on
//! [`Var::grad`] (a gradient recorded as vars, differentiated once more).
//!
//! `hvp` costs about two gradients and never forms the Hessian, so it scales to the course's
//! 12288-weight logistic regression (Newton-CG; see the `newton_logistic` example); `hessian`
//! forms all `n × n` entries with one reverse sweep per row, for small `n`.

use crate::error::{Error, Result};
use crate::tape::{Tape, Var};
use crate::tensor::{Element, Tensor};

/// The Hessian-vector product `H·v` of the scalar `f` at `params`: one tensor per param,
/// of its shape, where `H` is the Hessian over all params' elements (in order) and `v` has
/// one tensor per param.
///
/// Computed as the gradient of `Σ ∇f ⊙ v`: one forward pass, one recorded reverse sweep
/// ([`Var::grad`]), one plain sweep.
///
/// ```
/// use tapegrad::{second_order::hvp, Tensor};
/// // f(x, y) = x²y: H = [[2y, 2x], [2x, 0]]; at (3, 2), H·(1, 0) = (4, 6).
/// let p = [Tensor::from_vec(vec![3.0], &[1])?, Tensor::from_vec(vec![2.0], &[1])?];
/// let v = [Tensor::from_vec(vec![1.0], &[1])?, Tensor::from_vec(vec![0.0], &[1])?];
/// let hv = hvp(|_, p| (p[0] * p[0] * p[1]).sum(), &p, &v)?;
/// assert_eq!((hv[0].item(), hv[1].item()), (4.0, 6.0));
/// # Ok::<(), tapegrad::Error>(())
/// ```
///
/// # Errors
/// When `v` does not have one tensor of each param's shape, when `f` is not a scalar, and
/// [`Error::FirstOrderOnly`] when `f` uses a first-order-only custom op.
pub fn hvp<T: Element, F>(f: F, params: &[Tensor<T>], v: &[Tensor<T>]) -> Result<Vec<Tensor<T>>>
where
    F: for<'t> Fn(&'t Tape<T>, &[Var<'t, T>]) -> Var<'t, T>,
{
    if v.len() != params.len() || v.iter().zip(params).any(|(v, p)| v.shape() != p.shape()) {
        let shapes = |ts: &[Tensor<T>]| -> Vec<Vec<usize>> {
            ts.iter().map(|t| t.shape().to_vec()).collect()
        };
        return Err(Error::Invalid(format!(
            "hvp: v must have one tensor per param, of its shape: params {:?}, v {:?}",
            shapes(params),
            shapes(v)
        )));
    }
    let tape = Tape::default();
    let vars: Vec<Var<'_, T>> = params.iter().map(|p| tape.param(p)).collect();
    let grads = f(&tape, &vars).grad(&vars)?;
    let gv = grads
        .iter()
        .zip(v)
        .map(|(g, v)| (*g * tape.constant(v)).sum())
        .reduce(|a, b| a + b);
    let Some(gv) = gv else {
        return Ok(Vec::new());
    };
    let second = gv.backward()?;
    Ok(vars
        .iter()
        .zip(params)
        .map(|(&x, p)| {
            second
                .wrt(x)
                .cloned()
                .unwrap_or_else(|| Tensor::zeros(p.shape()))
        })
        .collect())
}

/// The Hessian of the scalar `f` at `params`, as an `(n, n)` tensor over all params'
/// elements in order (row-major within each param). One recorded gradient, then one plain
/// reverse sweep per row: for small `n` (it holds `n²` numbers).
///
/// ```
/// use tapegrad::{second_order::hessian, Tensor};
/// // f(x) = x₀²x₁ + x₁³: H = [[2x₁, 2x₀], [2x₀, 6x₁]].
/// let x = Tensor::from_vec(vec![1.0, 2.0], &[2])?;
/// let h = hessian(|_, p| {
///     let (x0, x1) = (p[0].narrow(0, 0, 1), p[0].narrow(0, 1, 1));
///     (x0 * x0 * x1 + x1 * x1 * x1).sum()
/// }, &[x])?;
/// assert_eq!(h.to_vec(), [4.0, 2.0, 2.0, 12.0]);
/// # Ok::<(), tapegrad::Error>(())
/// ```
///
/// # Errors
/// When `f` is not a scalar, and [`Error::FirstOrderOnly`] when it uses a first-order-only
/// custom op.
pub fn hessian<T: Element, F>(f: F, params: &[Tensor<T>]) -> Result<Tensor<T>>
where
    F: for<'t> Fn(&'t Tape<T>, &[Var<'t, T>]) -> Var<'t, T>,
{
    let n: usize = params.iter().map(Tensor::len).sum();
    let tape = Tape::default();
    let vars: Vec<Var<'_, T>> = params.iter().map(|p| tape.param(p)).collect();
    let grads = f(&tape, &vars).grad(&vars)?;
    let mut h = Vec::with_capacity(n * n);
    for (g, p) in grads.iter().zip(params) {
        let flat = g.reshape(&[p.len()]);
        for i in 0..p.len() {
            let row = flat.narrow(0, i, 1).sum().backward()?;
            for (&x, q) in vars.iter().zip(params) {
                match row.wrt(x) {
                    Some(d) => h.extend(d.to_vec()),
                    None => h.extend(std::iter::repeat_n(T::ZERO, q.len())),
                }
            }
        }
    }
    Ok(Tensor::from_parts(h, &[n, n]))
}
